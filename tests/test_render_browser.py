"""The rendered page in a real headless Chromium (Debian's, through Playwright), with the network blocked:
the vis network shows every node SPARQL says it should, settles and stops, is searchable, is not blank,
fetches nothing from outside, and shows hostile catalog text as text without running it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.render import render
from kg.render.shot import CHROMIUM, CHROMIUM_ARGS, allowed

from .conftest import rows
from .test_render import EVIL_TITLE, evil_store, full_node  # noqa: F401  (fixture)
from .test_render_scale import big_store  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"{CHROMIUM} is not installed"),
]


@pytest.fixture(scope="module")
def browser():  # noqa: ANN201
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):  # noqa: ANN001, ANN201
    """A page whose every request but file:// and 127.0.0.1 is aborted and recorded."""
    pg = browser.new_page(viewport={"width": 1280, "height": 800})
    pg.blocked = []
    pg.errors = []

    def route(r):  # noqa: ANN001, ANN202
        if allowed(r.request.url):
            return r.continue_()
        pg.blocked.append(r.request.url)
        return r.abort()

    pg.route("**/*", route)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    assert pg.blocked == [], f"the page tried to reach the network: {pg.blocked}"
    pg.close()


def open_page(page, path: Path) -> None:  # noqa: ANN001
    page.goto(path.resolve().as_uri())
    page.wait_for_function("window.medkgReady === true", timeout=15000)


def variance(png: bytes) -> float:
    import io

    from PIL import Image, ImageStat

    return ImageStat.Stat(Image.open(io.BytesIO(png)).convert("L")).var[0]


def test_full_page_in_chromium(page, seed_store, tmp_path: Path) -> None:  # noqa: ANN001
    expected = {r["n"] for r in rows(seed_store, f"SELECT DISTINCT ?n WHERE {{ {full_node('n')} }}")}
    path, n, _ = render(seed_store, tmp_path / "graph.html")
    assert n == len(expected)
    open_page(page, path)
    assert page.evaluate("window.medkgNetwork.body.data.nodes.length") == len(expected)
    assert set(page.evaluate("window.medkgNetwork.body.data.nodes.getIds()")) == expected
    # physics ran, settled, and was switched off
    assert page.evaluate("window.medkgData.physics") is True
    assert page.evaluate("window.medkgNetwork.physics.options.enabled") is False
    positions = page.evaluate("Object.values(window.medkgNetwork.getPositions())")
    assert len({(round(p["x"]), round(p["y"])) for p in positions}) > len(expected) * 0.9  # spread out
    # the legend lists the classes; clicking one hides its nodes
    legend = page.locator("#legend li")
    assert legend.count() == len(page.evaluate("window.medkgData.legend"))
    first = page.evaluate("window.medkgData.legend[0]")
    legend.first.click()
    hidden = page.evaluate("window.medkgData.nodes.get({filter: n => n.hidden}).length")
    assert hidden == first["count"]
    legend.first.click()
    # search finds a node by a part of its name and shows its details
    target = rows(seed_store, """SELECT ?n ?l WHERE { ?n a kgo:Benchmark ; rdfs:label ?l
        FILTER NOT EXISTS { ?m rdfs:label ?l2 FILTER(?m != ?n && LCASE(STR(?l2)) = LCASE(STR(?l))) } }
        ORDER BY ?n LIMIT 1""")[0]
    page.fill("#q", target["l"].lower())
    page.press("#q", "Enter")
    assert page.evaluate("window.medkgNetwork.getSelectedNodes()")[0] == target["n"]
    assert "match" in page.text_content("#matches")
    assert target["l"] in page.text_content("#details")
    shot = page.screenshot()
    assert variance(shot) > 100, "the screenshot is blank"
    canvas = page.locator("#graph canvas").screenshot()
    assert variance(canvas) > 50
    assert page.errors == []


def test_overview_and_large_mode_in_chromium(page, seed_store, tmp_path: Path) -> None:  # noqa: ANN001
    path, n, m = render(seed_store, tmp_path / "overview.html", view="overview")
    open_page(page, path)
    assert page.evaluate("window.medkgNetwork.body.data.nodes.length") == n
    assert page.evaluate("window.medkgNetwork.body.data.edges.length") == m
    path, n, _ = render(seed_store, tmp_path / "big.html", threshold=10)
    open_page(page, path)
    assert page.evaluate("window.medkgNetwork.body.data.nodes.length") == n
    assert page.evaluate("window.medkgNetwork.physics.options.enabled") is False
    assert "physics is off" in page.text_content("header")
    assert variance(page.screenshot()) > 100


def test_hostile_catalog_text_is_shown_as_text(page, evil_store, tmp_path: Path) -> None:  # noqa: ANN001, F811
    path, _, _ = render(evil_store, tmp_path / "evil.html")
    open_page(page, path)
    assert page.evaluate("typeof window.__medkgPwned") == "undefined"
    assert page.locator("img").count() == 0 and page.locator("b").count() == 0
    paper = page.evaluate("window.medkgData.nodes.get({filter: n => n.cls === 'Paper'})[0].id")
    # a real click on the paper's node opens its details
    page.evaluate("window.medkgNetwork.moveTo({scale: 1.0})")
    dom = page.evaluate(f"window.medkgNetwork.canvasToDOM(window.medkgNetwork.getPositions([{paper!r}])[{paper!r}])")
    box = page.locator("#graph canvas").bounding_box()
    page.mouse.click(box["x"] + dom["x"], box["y"] + dom["y"])
    details = page.text_content("#details")
    assert "<script>window.__medkgPwned=1</script>" in details and '"Quote"' in details
    assert EVIL_TITLE in details
    assert "<img src=x" in details  # the description, as text
    # the tooltip is built from text nodes too
    tip = page.evaluate(f"window.medkgData.nodes.get({paper!r}).title.textContent")
    assert "<script>" in tip
    assert page.evaluate("typeof window.__medkgPwned") == "undefined"
    assert page.errors == []


def test_capped_page_in_chromium(page, big_store, tmp_path: Path) -> None:  # noqa: ANN001, F811
    """A large store's page draws what it says it draws, offline, and shows the notice."""
    from kg.render.build import write_pages

    graph, _ = write_pages(big_store, tmp_path, limit=600)  # above the layout threshold: fixed positions
    open_page(page, graph)
    assert page.evaluate("window.medkgNetwork.body.data.nodes.length") == 600
    assert page.evaluate("window.medkgNetwork.physics.options.enabled") is False
    header = page.text_content("header")
    assert "Showing 600 of" in header and "kg render --focus NAME" in header
    page.fill("#q", "no such name anywhere")
    page.press("#q", "Enter")
    assert page.text_content("#matches") == "0 matches among the drawn nodes"
    assert variance(page.screenshot()) > 100
    assert page.errors == []

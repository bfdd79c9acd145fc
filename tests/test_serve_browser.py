"""The query page in a real headless Chromium: pick a named query, set a parameter, run it, see
the rows, follow a result link to the entity's page. Offline: every request stays on loopback."""

from __future__ import annotations

import pytest

from .conftest import running_server

pytestmark = [pytest.mark.browser, pytest.mark.server]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def server(built_store):
    with running_server(built_store, timeout=10, workers=1) as srv:
        yield srv


@pytest.fixture(scope="module")
def page():
    playwright = pytest.importorskip("playwright.sync_api")
    import os

    if not os.path.exists(CHROMIUM):
        pytest.skip("no /usr/bin/chromium")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        pg = browser.new_page()
        yield pg
        browser.close()


def test_run_a_named_query_from_the_page(server, page):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server.url + "/")
    page.wait_for_selector("body[data-ready=true]", timeout=10000)
    page.click('#query-list li[data-name="papers-by-topic"]')
    assert page.input_value("#query-text").count("kgo:hasTopic") == 1
    page.fill("#param-topic", "trustworthy medical AI")
    page.click("#run")
    page.wait_for_selector("#result-table tbody tr", timeout=10000)
    rows = page.locator("#result-table tbody tr")
    assert rows.count() == 3
    text = page.inner_text("#result-table")
    assert "LiveClin:无泄漏的实时临床基准" in text and "topic:trustworthy-medical-ai" in text
    assert page.inner_text("#status").startswith("3 rows")

    # an edited query runs as ad-hoc SPARQL through the protocol endpoint
    page.fill("#query-text", 'SELECT ?p WHERE { ?p a kgo:Paper ; kgo:track "Oral" }')
    page.click("#run")
    page.wait_for_selector("#result-table tbody tr", timeout=10000)
    assert page.locator("#result-table tbody tr").count() == 1

    # a syntax error is shown with its line
    page.fill("#query-text", "SELECT * WHERE {\n ?s ?p }")
    page.click("#run")
    page.wait_for_selector("#status.error", timeout=10000)
    assert "line 2" in page.inner_text("#status")

    # result IRIs link to the local linked-data pages
    page.click('#query-list li[data-name="venues"]')
    page.click("#run")
    page.wait_for_selector("#result-table tbody tr", timeout=10000)
    page.click('#result-table a[href="/id/venue/iclr-2026"]')
    page.wait_for_selector("h1", timeout=10000)
    assert page.inner_text("h1") == "ICLR 2026"
    assert all(u.startswith(server.url) for u in requests), [u for u in requests if not u.startswith(server.url)]

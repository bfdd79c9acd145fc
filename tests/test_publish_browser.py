"""A published resource page opened from file:// in headless Chromium makes no network request
and shows the resource; its embedded JSON-LD is readable by the page."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.test_publish import published_site

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="needs /usr/bin/chromium"),
]


def test_resource_page_from_file_url_makes_no_network_request(tmp_path_factory, built_store, seed_store) -> None:
    from playwright.sync_api import sync_playwright

    from tests.conftest import rows

    site = published_site(tmp_path_factory, built_store)
    paper = rows(seed_store, "SELECT ?s ?l WHERE { ?s a kgo:Paper ; rdfs:label ?l } ORDER BY ?s LIMIT 1")[0]
    page_file = site / "paper" / (paper["s"].rsplit("/", 1)[1] + ".html")
    requests: list[str] = []
    foreign: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_page()

            def route(r) -> None:  # noqa: ANN001
                requests.append(r.request.url)
                if r.request.url.startswith("file://"):
                    r.continue_()
                else:
                    foreign.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.goto(page_file.as_uri(), wait_until="load")
            page.wait_for_load_state("networkidle")
            assert page.locator("h1").inner_text() == paper["l"]
            data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
            assert data["id"].endswith(paper["s"].rsplit("/", 1)[1])
            # the stylesheet (a relative file:// link) was applied
            assert page.evaluate("getComputedStyle(document.querySelector('nav')).display") == "flex"
            # follow a link to another resource page, still offline
            page.locator("main table a[href$='.html']").first.click()
            page.wait_for_load_state("load")
            assert page.url.startswith("file://")
        finally:
            browser.close()
    assert foreign == [], foreign
    assert any(u.endswith(".css") for u in requests)

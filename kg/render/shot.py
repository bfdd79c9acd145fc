"""Screenshots of rendered pages with a real headless Chromium (Playwright), offline.

Every request that is not for a ``file://`` URL or 127.0.0.1 is aborted and recorded, so a page that
reaches for a CDN is caught: :func:`screenshot` returns the blocked URLs alongside the node count the
vis network reports.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = os.environ.get("KG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def allowed(url: str) -> bool:
    """Only local files and loopback may be fetched.

    >>> allowed("file:///tmp/graph.html"), allowed("http://127.0.0.1:8000/x"), allowed("https://example.org/x")
    (True, True, False)
    """
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.scheme in ("file", "data", "blob", "about") or (
        parts.scheme in ("http", "https", "ws") and parts.hostname == "127.0.0.1")


@dataclass
class Shot:
    nodes: int
    edges: int
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def screenshot(html: str | Path, png: str | Path, *, width: int = 1400, height: int = 900,
               timeout_ms: int = 15000) -> Shot:
    """Open ``html`` in headless Chromium, wait until the network has settled, save ``png``."""
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)

            def route(r):  # noqa: ANN001, ANN202
                if allowed(r.request.url):
                    return r.continue_()
                blocked.append(r.request.url)
                return r.abort()

            page.route("**/*", route)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(Path(html).resolve().as_uri())
            page.wait_for_function("window.medkgReady === true", timeout=timeout_ms)
            page.wait_for_timeout(300)
            counts = page.evaluate("[window.medkgData.nodes.length, window.medkgData.edges.length]")
            Path(png).parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(png))
        finally:
            browser.close()
    return Shot(int(counts[0]), int(counts[1]), blocked, errors)

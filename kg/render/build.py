"""The rendering step of ``kg build``: ``graph.html`` (the full view) and ``overview.html``.

A store whose full view has more than ``limit`` nodes gets capped pages (:mod:`kg.render.scale`): the
best-linked nodes, and a notice saying what was left out and how to see it.
"""

from __future__ import annotations

from pathlib import Path

from kg.render.scale import DRAW_LIMIT
from kg.store import Store


def write_pages(store: Store, out_dir: Path, *, limit: int = DRAW_LIMIT) -> list[Path]:
    """Write ``out_dir/graph.html`` and ``out_dir/overview.html``; returns their paths."""
    from kg.render import VIEW_SUBTITLES, VIEW_TITLES
    from kg.render.html import write_html
    from kg.render.scale import large_views

    out_dir = Path(out_dir)
    written = []
    for view, v in large_views(store, ("full", "overview"), limit=limit):
        name = "graph.html" if view == "full" else f"{view}.html"
        written.append(write_html(v, out_dir / name, title=VIEW_TITLES[view], subtitle=VIEW_SUBTITLES[view]))
    return written

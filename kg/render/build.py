"""The rendering step of ``kg build``: ``graph.html`` (the full view) and ``overview.html``."""

from __future__ import annotations

from pathlib import Path

from kg.store import Store


def write_pages(store: Store, out_dir: Path) -> list[Path]:
    """Write ``out_dir/graph.html`` and ``out_dir/overview.html``; returns their paths."""
    from kg.render import VIEW_SUBTITLES, VIEW_TITLES
    from kg.render.html import write_html
    from kg.render.project import project
    from kg.render.views import build_view

    g = project(store)
    out_dir = Path(out_dir)
    written = []
    for view, name in (("full", "graph.html"), ("overview", "overview.html")):
        v = build_view(g, view)
        written.append(write_html(v, out_dir / name, title=VIEW_TITLES[view],
                                  subtitle=VIEW_SUBTITLES[view]))
    return written

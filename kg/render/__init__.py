"""Renderings of the graph: interactive offline HTML pages, static pictures and graph files.

The store is projected into networkx by SPARQL (:mod:`kg.render.project`), cut into a view
(:mod:`kg.render.views`: ``full``, ``ego``, ``overview``, ``timeline``) and written as a page
(:mod:`kg.render.html`, vis-network inline) or a static format (:mod:`kg.render.static`: SVG, PNG,
GraphML, GEXF, Cytoscape JSON). :func:`render` does all three steps. Pictures of large graphs draw the
best-linked nodes and say what they left out (:mod:`kg.render.scale`).
"""

from __future__ import annotations

from pathlib import Path

from kg.render.layout import LAYOUT_THRESHOLD
from kg.render.scale import DRAW_LIMIT
from kg.render.views import VIEWS, Ambiguous, Filters, NotFound, build_view
from kg.store import Store

FORMATS = ("html", "svg", "png", "graphml", "gexf", "cytoscape")

VIEW_TITLES = {
    "full": "medkg: the catalog graph",
    "ego": "medkg: around {focus}",
    "overview": "medkg: map of the field",
    "timeline": "medkg: papers by year and venue",
}
VIEW_SUBTITLES = {
    "full": "papers, datasets, benchmarks, models and what they link to",
    "ego": "everything within {depth} hop(s)",
    "overview": "topics, tasks, benchmarks and languages; edge weight = direct links + shared works",
    "timeline": "papers by year (columns) and venue (rows)",
}


DRAWN_FORMATS = ("html", "svg", "png")  # pictures: capped at max_nodes; graph files keep every node


def render(
    store: Store, out: str | Path, *, view: str = "full", fmt: str = "html", focus: str | None = None,
    depth: int = 1, filters: Filters | None = None, threshold: int = LAYOUT_THRESHOLD,
    title: str | None = None, max_nodes: int = DRAW_LIMIT,
) -> tuple[Path, int, int]:
    """Project ``store``, cut ``view`` and write it to ``out`` as ``fmt``; returns the path and the
    node and edge counts of what was drawn.

    A picture (``html``, ``svg``, ``png``) draws at most ``max_nodes`` nodes, the best-linked ones, and
    says what it left out (:mod:`kg.render.scale`); the unfiltered ``full`` and ``overview`` views of a
    large store are then cut without projecting the whole store. Graph files hold the whole view."""
    from kg.render.project import project
    from kg.render.scale import cap_view, large_views

    if focus and view == "full":
        view = "ego"
    filters = filters or Filters()
    drawn = fmt in DRAWN_FORMATS
    if drawn and view in ("full", "overview") and not focus and not filters:
        [(_, v)] = large_views(store, [view], limit=max_nodes)
    else:
        v = build_view(project(store), view, focus=focus, depth=depth, filters=filters)
        if drawn:
            v = cap_view(v, max_nodes, what=f"the {view} view")
    name = v.nodes[v.graph["focus"]]["name"] if v.graph.get("focus") else ""
    title = title or VIEW_TITLES[view].format(focus=name)
    subtitle = VIEW_SUBTITLES[view].format(depth=depth)
    if fmt == "html":
        from kg.render.html import write_html

        path = write_html(v, out, title=title, subtitle=subtitle, threshold=threshold)
    else:
        from kg.render.static import write_static

        path = write_static(v, out, fmt, title=title)
    return path, v.number_of_nodes(), v.number_of_edges()


__all__ = ["DRAW_LIMIT", "FORMATS", "VIEWS", "Ambiguous", "Filters", "NotFound", "build_view", "render"]

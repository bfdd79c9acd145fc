"""Static pictures (SVG, PNG through Graphviz) and graph files for Gephi and Cytoscape.

- ``svg`` / ``png``: Graphviz (``neato`` up to 300 nodes, ``sfdp`` above; ``dot`` left-to-right for the
  timeline), coloured like the page, with a legend. Labels go through :func:`graphviz.escape`, so
  backslashes and ``<…>`` in catalog text are drawn as written.
- ``graphml`` and ``gexf`` (networkx writers): flat node attributes (``label``, ``class``, ``iri``,
  ``title_zh``, ``title_en``, ``year``, ``venue``, ``description``, ``degree``) and, in GEXF, Gephi's
  ``viz`` colour, size and position.
- ``cytoscape``: Cytoscape.js / Cytoscape desktop JSON (``elements.nodes`` / ``elements.edges``).
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import networkx as nx

from kg.render.html import style

STATIC_FORMATS = ("svg", "png", "graphml", "gexf", "cytoscape")
EXTENSIONS = {"html": "html", "svg": "svg", "png": "png", "graphml": "graphml", "gexf": "gexf",
              "cytoscape": "cyjs"}
GRAPHVIZ_SHAPES = {"dot": "ellipse", "diamond": "diamond", "square": "box", "triangle": "triangle",
                   "triangleDown": "invtriangle", "hexagon": "hexagon", "star": "star"}
FONT = "sans-serif"


def flat_graph(view: nx.Graph) -> nx.MultiDiGraph | nx.Graph:
    """``view`` with scalar attributes only (what GraphML and GEXF can hold)."""
    out = nx.Graph() if not view.is_directed() else nx.MultiDiGraph()
    degree = dict(view.degree())
    for n, a in view.nodes(data=True):
        attrs = {"label": a["name"], "class": a["cls"], "classes": " ".join(a["classes"]), "iri": a["iri"],
                 "degree": degree.get(n, 0)}
        for lang, t in sorted(a["titles"].items()):
            attrs[f"title_{lang}"] = t
        for k in ("year", "venue", "description", "works", "hops"):
            if a.get(k) is not None:
                attrs[k] = a[k]
        if a["links"]:
            attrs["links"] = " ".join(a["links"])
        out.add_node(n, **attrs)
    if view.is_multigraph():
        for u, v, k, d in view.edges(keys=True, data=True):
            out.add_edge(u, v, key=k, label=d.get("label", ""), predicate=d.get("predicate", ""))
    else:
        for u, v, d in view.edges(data=True):
            out.add_edge(u, v, label=d.get("label", ""), weight=d.get("weight", 1))
    return out


def _rgb(colour: str) -> dict[str, int]:
    return {"r": int(colour[1:3], 16), "g": int(colour[3:5], 16), "b": int(colour[5:7], 16)}


def write_graphml(view: nx.Graph, path: Path) -> Path:
    nx.write_graphml(flat_graph(view), path, encoding="utf-8")
    return path


def write_gexf(view: nx.Graph, path: Path) -> Path:
    from kg.render.layout import positions, timeline_positions

    g = flat_graph(view)
    pos = timeline_positions(view)[0] if view.graph.get("timeline") else positions(view)[0]
    for n, a in g.nodes(data=True):
        a["viz"] = {"color": {**_rgb(style(a["class"])[0]), "a": 1.0}, "size": float(5 + 2 * a["degree"] ** 0.5 * 2)}
        if n in pos:  # none beyond LAYOUT_LIMIT nodes: Gephi lays them out itself
            x, y = pos[n]
            a["viz"]["position"] = {"x": x, "y": -y, "z": 0.0}
    nx.write_gexf(g, path, encoding="utf-8")
    return path


def write_cytoscape(view: nx.Graph, path: Path) -> Path:
    data = nx.cytoscape_data(flat_graph(view))
    data["data"] = {"name": view.graph.get("view", "medkg")}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def _legend_label(title: str, classes: list[str]) -> str:
    """An HTML-like Graphviz label: the title over one coloured cell per class (all text escaped)."""
    cells = "".join(
        f'<td bgcolor="{style(c)[0]}" width="14"> </td><td align="left">{html.escape(c)}  </td>'
        for c in classes)
    head = f'<tr><td colspan="{2 * max(len(classes), 1)}"><b>{html.escape(title)}</b></td></tr>' if title else ""
    return f'<<table border="0" cellspacing="2" cellpadding="2">{head}<tr>{cells}</tr></table>>'


def to_graphviz(view: nx.Graph, *, title: str = ""):  # noqa: ANN201
    """A :class:`graphviz.Digraph` (or ``Graph`` for the weighted overview) of ``view``."""
    import graphviz

    weighted = bool(view.graph.get("weighted"))
    timeline = bool(view.graph.get("timeline"))
    n = view.number_of_nodes()
    engine = "dot" if timeline else ("neato" if n <= 300 else "sfdp")
    cls = graphviz.Graph if weighted else graphviz.Digraph
    g = cls("medkg", engine=engine, format="svg")
    g.attr(overlap="prism" if engine != "dot" else "false", splines="true" if n <= 300 else "false",
           outputorder="edgesfirst", fontname=FONT, bgcolor="white", pad="0.3")
    if timeline:
        g.attr(rankdir="LR", ranksep="1.2")
    classes = sorted({a["cls"] for _, a in view.nodes(data=True)})
    g.attr(label=_legend_label(title, classes), labelloc="b", fontsize="12", forcelabels="true")
    g.attr("node", style="filled", fontname=FONT, fontsize="10", penwidth="0.8", fixedsize="true", label="")
    g.attr("edge", fontname=FONT, fontsize="8", color="#9aa4ad", fontcolor="#555555", arrowsize="0.6", len="1.5")
    ids = {node: f"n{i}" for i, node in enumerate(view.nodes)}
    degree = dict(view.degree())
    for node, a in view.nodes(data=True):
        colour, shape = style(a["cls"])
        size = 0.18 + 0.07 * (a.get("works", 0) if weighted else degree.get(node, 0)) ** 0.5
        g.node(ids[node], xlabel=graphviz.escape(a["label"]), shape=GRAPHVIZ_SHAPES.get(shape, "ellipse"),
               fillcolor=colour, tooltip=graphviz.escape(a["name"]), width=f"{size:.2f}",
               height=f"{size:.2f}",
               URL=a["iri"] if a["iri"].startswith(("http://", "https://")) else None)
    for u, v, d in view.edges(data=True):
        label = str(d["weight"]) if weighted else (d.get("label", "") if n <= 150 else "")
        attrs = {"label": graphviz.escape(label)} if label else {}
        if weighted:
            attrs["penwidth"] = f"{min(1 + d['weight'], 8)}"
        g.edge(ids[u], ids[v], **attrs)
    return g


def write_picture(view: nx.Graph, path: Path, fmt: str, *, title: str = "") -> Path:
    """Draw ``view`` to ``path`` as ``svg`` or ``png`` with Graphviz."""
    g = to_graphviz(view, title=title)
    data = g.pipe(format=fmt, renderer="cairo" if fmt == "png" else None, quiet=True)
    path.write_bytes(data)
    return path


def write_static(view: nx.Graph, path: str | Path, fmt: str, *, title: str = "") -> Path:
    """Write ``view`` as one of :data:`STATIC_FORMATS`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt in ("svg", "png"):
        return write_picture(view, path, fmt, title=title)
    if fmt == "graphml":
        return write_graphml(view, path)
    if fmt == "gexf":
        return write_gexf(view, path)
    if fmt == "cytoscape":
        return write_cytoscape(view, path)
    raise ValueError(f"unknown format {fmt!r}")

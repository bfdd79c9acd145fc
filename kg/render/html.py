"""The interactive page: a view drawn with vis-network, inline, so that it works offline from a file.

pyvis provides the option dicts (physics solver, interaction); the node and edge dicts are appended to
its lists directly (its ``add_node`` scans a list per call: minutes for 20,000 nodes) and the page comes
from our own template (pyvis' template links Bootstrap and vis-network from a CDN). vis-network is the
copy pyvis ships in its package, read at run time and inlined.

Catalog text is untrusted. All data goes into one ``<script type="application/json">`` block as JSON
whose ``<``, ``>``, ``&``, U+2028 and U+2029 are ``\\u`` escapes (so ``</script>`` in a title cannot end the
block), is read with ``JSON.parse`` and is put into the page only through ``textContent`` (tooltips,
details, legend); links are only drawn for ``http(s)`` URLs. Titles in the HTML itself are escaped by
Jinja2's autoescape.

>>> script_json({"t": "</script><b>&"})
'{"t":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import networkx as nx

from kg.render.layout import LAYOUT_THRESHOLD, positions, timeline_positions

VIS_VERSION = "9.1.2"

# class → (colour, vis shape); shapes are ones whose size follows the node's value
CLASS_STYLE: dict[str, tuple[str, str]] = {
    "Paper": ("#0072B2", "dot"),
    "Benchmark": ("#E69F00", "diamond"),
    "Dataset": ("#F0C808", "square"),
    "Model": ("#CC79A7", "triangle"),
    "Method": ("#D55E00", "triangleDown"),
    "Task": ("#009E73", "hexagon"),
    "Topic": ("#56B4E9", "star"),
    "Language": ("#8E44AD", "dot"),
    "Conference": ("#6B6B6B", "square"),
    "Journal": ("#6B6B6B", "square"),
    "Venue": ("#6B6B6B", "square"),
    "Modality": ("#17BECF", "triangle"),
    "AccessLevel": ("#B0B0B0", "dot"),
    "Work": ("#5DA5DA", "dot"),
}
DEFAULT_STYLE = ("#999999", "dot")
DESCRIPTION_LIMIT = 320
EDGE_LABEL_LIMIT = 300  # above this many nodes edge labels are left to the tooltips


def style(cls: str) -> tuple[str, str]:
    """Colour and shape of a class.

    >>> style("Benchmark")
    ('#E69F00', 'diamond')
    """
    return CLASS_STYLE.get(cls, DEFAULT_STYLE)


def script_json(obj: object) -> str:
    """JSON that is safe inside an HTML ``<script>`` element."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    for ch, esc in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


@cache
def vis_network_js() -> str:
    """vis-network's standalone build, from the copy inside the installed pyvis package."""
    import pyvis

    path = Path(pyvis.__file__).parent / "lib" / f"vis-{VIS_VERSION}" / "vis-network.min.js"
    js = path.read_text("utf-8")
    return js.replace("</script", "<\\/script").replace("<!--", "<\\!--")


def _snippet(text: str | None, limit: int = DESCRIPTION_LIMIT) -> str | None:
    if not text:
        return None
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _safe_links(links: list[str]) -> list[str]:
    return [u for u in links if u.lower().startswith(("http://", "https://"))]


def vis_data(view: nx.Graph, *, threshold: int = LAYOUT_THRESHOLD) -> dict:
    """Nodes, edges, options, legend and notices of ``view`` as the page's JSON payload."""
    from pyvis.network import Network

    n_nodes = view.number_of_nodes()
    weighted = bool(view.graph.get("weighted"))
    is_timeline = bool(view.graph.get("timeline"))
    big = n_nodes > threshold
    net = Network(directed=not weighted)
    notices: list[str] = [view.graph["notice"]] if view.graph.get("notice") else []
    pos: dict = {}
    headers: list[dict] = []
    if is_timeline:
        pos, headers = timeline_positions(view)
        net.toggle_physics(False)
        notices.append("Papers by year (columns) and venue (rows); positions are fixed.")
    elif big:
        pos, how = positions(view)
        net.toggle_physics(False)
        notices.append(f"{n_nodes} nodes is more than {threshold}: positions were computed with {how} "
                       "and physics is off.")
    else:
        net.force_atlas_2based(gravity=-60, central_gravity=0.01, spring_length=110, spring_strength=0.06,
                               damping=0.5, overlap=0.4)
    options = json.loads(net.options.to_json())
    options["physics"]["stabilization"] = {"enabled": not (big or is_timeline), "iterations": 400,
                                           "updateInterval": 50, "fit": True}
    options["physics"]["minVelocity"] = 1.0
    options["interaction"] = {"hover": True, "tooltipDelay": 150, "navigationButtons": False,
                              "hideEdgesOnDrag": big, "multiselect": True, "keyboard": False}
    options["edges"] = {
        "arrows": {"to": {"enabled": not weighted, "scaleFactor": 0.5}},
        "color": {"color": "#9aa4ad", "highlight": "#333333", "hover": "#555555", "inherit": False},
        "font": {"size": 10, "color": "#555555", "strokeWidth": 3,
                 "align": "horizontal" if weighted else "middle"},
        "smooth": {"enabled": not (big or is_timeline), "type": "continuous"},
        "scaling": {"min": 1, "max": 10},
    }
    options["nodes"] = {
        "scaling": {"min": 8, "max": 40, "label": {"enabled": False}},
        "font": {"size": 13, "face": "system-ui, sans-serif", "strokeWidth": 3, "strokeColor": "#ffffff"},
        "borderWidth": 1,
    }
    options["layout"] = {"randomSeed": 42, "improvedLayout": n_nodes <= 150}

    degree = dict(view.degree())
    focus = view.graph.get("focus")
    for n, a in view.nodes(data=True):
        colour, shape = style(a["cls"])
        node = {
            "id": n, "label": a["label"], "shape": shape, "cls": a["cls"],
            "color": {"background": colour, "border": "#333333",
                      "highlight": {"background": colour, "border": "#000000"}},
            "value": (a.get("works", 0) + 1) if weighted else degree.get(n, 0) + 1,
            "info": {
                "name": a["name"], "iri": a["iri"], "classes": a["classes"],
                "titles": a["titles"], "year": a["year"], "venue": a["venue"],
                "description": _snippet(a["description"]), "links": _safe_links(a["links"]),
                "degree": degree.get(n, 0), "works": a.get("works"), "hops": a.get("hops"),
            },
        }
        if n == focus:
            node["borderWidth"] = 4
            node["color"]["border"] = "#000000"
        if n in pos:
            node["x"], node["y"] = pos[n]
        net.nodes.append(node)
    seen: dict[tuple, int] = {}
    edges = view.edges(keys=True, data=True) if view.is_multigraph() else (
        (u, v, None, d) for u, v, d in view.edges(data=True))
    for u, v, _k, d in edges:
        pair = tuple(sorted((u, v)))
        nth = seen.get(pair, 0)
        seen[pair] = nth + 1
        edge = {"from": u, "to": v, "title": d.get("curie") or d.get("label", "")}
        if weighted:
            edge["value"] = d["weight"]
            edge["label"] = str(d["weight"])
            edge["title"] = f"{d['weight']} shared"
        elif n_nodes <= EDGE_LABEL_LIMIT and not is_timeline:
            edge["label"] = d.get("label", "")
        if nth and not (big or is_timeline):
            edge["smooth"] = {"enabled": True, "type": "curvedCW" if nth % 2 else "curvedCCW",
                              "roundness": 0.15 * ((nth + 1) // 2)}
        net.edges.append(edge)
    nodes, edges_out, _heading, _h, _w, _opts = net.get_network_data()
    counts: dict[str, int] = {}
    for nd in nodes:
        counts[nd["cls"]] = counts.get(nd["cls"], 0) + 1
    legend = [{"cls": c, "color": style(c)[0], "shape": style(c)[1], "count": k}
              for c, k in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return {"nodes": nodes, "edges": edges_out, "options": options, "legend": legend,
            "notices": notices, "headers": headers, "focus": focus,
            "physics": bool(options["physics"]["enabled"]), "weighted": weighted,
            "capped": bool(view.graph.get("capped"))}


@cache
def _template():  # noqa: ANN202
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("kg.render", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    return env.get_template("page.html")


def render_html(view: nx.Graph, *, title: str = "medkg graph", subtitle: str = "",
                threshold: int = LAYOUT_THRESHOLD) -> str:
    """The complete, self-contained HTML page of ``view``."""
    data = vis_data(view, threshold=threshold)
    return _template().render(
        title=title, subtitle=subtitle, data_json=script_json(data), vis_js=vis_network_js(),
        n_nodes=view.number_of_nodes(), n_edges=view.number_of_edges(), notices=data["notices"],
        vis_version=VIS_VERSION,
    )


def write_html(view: nx.Graph, path: str | Path, **kwargs: object) -> Path:
    """Write the page of ``view`` to ``path`` (UTF-8), creating folders as needed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(view, **kwargs), encoding="utf-8")  # type: ignore[arg-type]
    return path

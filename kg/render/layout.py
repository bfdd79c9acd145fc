"""Positions for graphs too large for in-browser physics, and the timeline's fixed grid.

Above :data:`LAYOUT_THRESHOLD` nodes the page does not simulate: positions are computed here and the
browser only draws. Up to :data:`NETWORKX_LIMIT` nodes networkx's ``spring_layout`` (seeded, so the
picture is the same on every build) does it; beyond that Graphviz ``sfdp`` (a multilevel force layout,
seconds for 20,000 nodes where spring_layout takes minutes) when it is installed, else spring_layout with
fewer iterations. Above :data:`LAYOUT_LIMIT` nodes nothing is laid out (a multilevel layout of the whole
100,000-entry graph runs for tens of minutes): pictures never get there (:mod:`kg.render.scale` caps what
they draw), and a graph file for Gephi is written without positions.

>>> import networkx as nx
>>> pos, how = positions(nx.path_graph(3))
>>> sorted(pos), how.startswith("networkx")
([0, 1, 2], True)
"""

from __future__ import annotations

import math
import shutil
from collections import defaultdict

import networkx as nx

LAYOUT_THRESHOLD = 500
NETWORKX_LIMIT = 1000
LAYOUT_LIMIT = 20000
SEED = 42
SPACING = 90.0  # pixels between neighbouring nodes, roughly


def _scale(pos: dict, n: int) -> dict[object, tuple[float, float]]:
    if not pos:
        return {}
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    size = SPACING * math.sqrt(max(n, 1)) * 1.5
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return {k: (round((x - cx) / span * size, 1), round((y - cy) / span * size, 1)) for k, (x, y) in pos.items()}


def _sfdp(g: nx.Graph) -> dict:
    import graphviz

    ids = {n: i for i, n in enumerate(g.nodes)}
    overlap = "prism" if len(ids) <= 5000 else "true"  # overlap removal costs more than the layout beyond
    lines = ["graph G {", f"start={SEED}; overlap={overlap}; node [shape=point];"]
    lines += [f"{i};" for i in ids.values()]
    lines += [f"{ids[u]} -- {ids[v]};" for u, v in g.edges() if u != v]
    lines.append("}")
    out = graphviz.pipe("sfdp", "plain", "\n".join(lines).encode(), quiet=True).decode()
    back = {i: n for n, i in ids.items()}
    pos = {}
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0] == "node":
            pos[back[int(parts[1])]] = (float(parts[2]), -float(parts[3]))
    return pos


def positions(g: nx.Graph, *, seed: int = SEED) -> tuple[dict[object, tuple[float, float]], str]:
    """Pixel positions for every node of ``g`` and a sentence saying how they were computed."""
    n = g.number_of_nodes()
    if n > LAYOUT_LIMIT:
        return {}, f"no layout ({n} nodes is more than {LAYOUT_LIMIT})"
    und = nx.Graph(g.to_undirected(as_view=True)) if g.is_directed() or g.is_multigraph() else g
    if n > NETWORKX_LIMIT and shutil.which("sfdp"):
        return _scale(_sfdp(und), n), "Graphviz sfdp (multilevel force layout)"
    iterations = 50 if n <= NETWORKX_LIMIT else 15
    pos = nx.spring_layout(und, seed=seed, iterations=iterations)
    return _scale({k: (float(v[0]), float(v[1])) for k, v in pos.items()}, n), (
        f"networkx spring_layout (seed {seed}, {iterations} iterations)")


def timeline_positions(g: nx.Graph) -> tuple[dict[object, tuple[float, float]], list[dict]]:
    """Papers in a grid: one column per year (undated last), one row band per venue, the venue node at
    the left of its band. Returns positions and the column headers (``label``, ``x``, ``y``)."""
    per_row, dx, dy = 2, 190.0, 75.0
    col_w = per_row * dx + 120.0
    papers = [n for n, a in g.nodes(data=True) if "Paper" in a["classes"]]
    venue_of: dict[object, object] = {}
    for p in papers:
        vs = sorted(v for v in g.successors(p) if "Paper" not in g.nodes[v]["classes"]) if g.is_directed() else []
        venue_of[p] = vs[0] if vs else None
    years = sorted({g.nodes[p]["year"] for p in papers if g.nodes[p]["year"] is not None})
    cols = {y: i for i, y in enumerate(years)}
    undated = len(years)
    venues = sorted({v for v in venue_of.values() if v is not None}, key=lambda v: str(g.nodes[v]["name"]))
    lanes: list[object] = [*venues, None] if any(v is None for v in venue_of.values()) else list(venues)
    cells: dict[tuple[int, object], list] = defaultdict(list)
    for p in sorted(papers, key=lambda p: str(g.nodes[p]["name"])):
        year = g.nodes[p]["year"]
        cells[(cols.get(year, undated) if year is not None else undated, venue_of[p])].append(p)
    pos: dict[object, tuple[float, float]] = {}
    y0 = 0.0
    for lane in lanes:
        rows = max([math.ceil(len(ps) / per_row) for (c, v), ps in cells.items() if v == lane] or [1])
        if lane is not None:
            pos[lane] = (-col_w * 0.6, y0 + (rows - 1) * dy / 2)
        for (c, v), ps in cells.items():
            if v != lane:
                continue
            for i, p in enumerate(ps):
                pos[p] = (c * col_w + (i % per_row) * dx, y0 + (i // per_row) * dy)
        y0 += rows * dy + 90.0
    for n in g.nodes:  # anything else (should not happen): below the grid
        pos.setdefault(n, (0.0, y0))
    headers = [{"label": str(y), "x": cols[y] * col_w + dx * (per_row - 1) / 2, "y": -70.0} for y in years]
    if any(c == undated for c, _ in cells):
        headers.append({"label": "undated", "x": undated * col_w + dx * (per_row - 1) / 2, "y": -70.0})
    return pos, headers

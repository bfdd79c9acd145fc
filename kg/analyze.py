"""networkx analytics over the graph: centrality, communities, explained paths and related works.

All functions take the projected graph (:func:`kg.render.project.project`). Nodes of the classes in
``avoid`` (default: access levels, whose "unknown" hub links every resource to every other and says
nothing about the research) are left out, unless named explicitly as an endpoint.

- :func:`centrality`: PageRank and degree centrality of the catalog graph (undirected, parallel edges
  adding weight), reported for benchmarks and tasks by default;
- :func:`communities`: Louvain communities (``networkx.louvain_communities`` with a fixed seed);
- :func:`explain_path`: the shortest path between two things, each hop named by its property, or by
  the inverse property when the path walks an edge backwards ("CMB —introduced by→ …");
- :func:`related`: works that share tasks, benchmarks or datasets, languages (and, with less weight,
  topics and modalities) with a paper or dataset.

>>> format_path([Step("CMB", "introduced by", "LiveClin"), Step("LiveClin", "has topic", "trust")])
'CMB —introduced by→ LiveClin —has topic→ trust'
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

import networkx as nx

from kg.render.project import induced, is_work, short_label
from kg.render.views import catalog_graph, resolve

DEFAULT_AVOID = ("AccessLevel",)
CENTRAL_CLASSES = ("Benchmark", "Task")
SEED = 42
# what two works can share, and how much each shared thing counts
RELATED_WEIGHTS = {"task": 3.0, "benchmark": 3.0, "language": 2.0, "topic": 1.0, "modality": 1.0}
KIND_OF_CLASS = {"Task": "task", "Benchmark": "benchmark", "Dataset": "benchmark", "Language": "language",
                 "Topic": "topic", "Modality": "modality"}


def _name(g: nx.Graph, n: str, limit: int = 48) -> str:
    return short_label(g.nodes[n]["name"], limit)


def without(g: nx.MultiDiGraph, avoid: Iterable[str] = DEFAULT_AVOID, keep: Iterable[str] = ()) -> nx.MultiDiGraph:
    """``g`` without the nodes of the classes in ``avoid`` (except the nodes in ``keep``)."""
    avoid = {a.casefold() for a in avoid}
    keep = set(keep)
    drop = [n for n, a in g.nodes(data=True)
            if n not in keep and avoid & {c.casefold() for c in a["classes"]}]
    return induced(g, set(g) - set(drop)) if drop else g


def weighted_undirected(g: nx.MultiDiGraph) -> nx.Graph:
    """Undirected simple graph; an edge's ``weight`` is the number of triples between its ends.

    Nodes and edges go in sorted: Louvain, PageRank's ties and shortest paths follow the order of
    the adjacency, which would otherwise be the order a store returned its rows in (a SPARQL server's
    differs from the embedded store's, and so did the communities)."""
    weight: Counter[tuple[str, str]] = Counter()
    for u, v in g.edges():
        if u != v:
            weight[(u, v) if u < v else (v, u)] += 1
    und = nx.Graph()
    und.add_nodes_from(sorted(g.nodes(data=True), key=lambda na: na[0]))
    und.add_weighted_edges_from((u, v, w) for (u, v), w in sorted(weight.items()))
    return und


@dataclass
class Central:
    iri: str
    name: str
    cls: str
    pagerank: float
    degree_centrality: float
    degree: int


def centrality(
    g: nx.MultiDiGraph, *, classes: Iterable[str] = CENTRAL_CLASSES, top: int = 10,
    avoid: Iterable[str] = DEFAULT_AVOID,
) -> dict[str, list[Central]]:
    """The ``top`` nodes of each class by PageRank (ties by degree, then name), over the catalog graph."""
    und = weighted_undirected(without(catalog_graph(g), avoid))
    if und.number_of_nodes() == 0:
        return {c: [] for c in classes}
    pr = nx.pagerank(und, weight="weight")
    dc = nx.degree_centrality(und)
    out: dict[str, list[Central]] = {}
    for c in classes:
        members = [n for n, a in und.nodes(data=True) if c in a["classes"]]
        members.sort(key=lambda n: (-pr[n], -und.degree(n), und.nodes[n]["name"]))
        out[c] = [Central(n, _name(und, n), und.nodes[n]["cls"], round(pr[n], 5), round(dc[n], 4),
                          und.degree(n)) for n in members[:top]]
    return out


@dataclass
class Community:
    size: int
    classes: dict[str, int]
    members: list[dict[str, str]]  # most connected first: iri, name, cls


def communities(
    g: nx.MultiDiGraph, *, seed: int = SEED, resolution: float = 1.0, avoid: Iterable[str] = DEFAULT_AVOID,
    min_size: int = 2,
) -> list[Community]:
    """Louvain communities of the catalog graph, largest first (communities under ``min_size`` left out)."""
    und = weighted_undirected(without(catalog_graph(g), avoid))
    if und.number_of_edges() == 0:
        return []
    parts = nx.community.louvain_communities(und, weight="weight", resolution=resolution, seed=seed)
    out = []
    for part in parts:
        if len(part) < min_size:
            continue
        members = sorted(part, key=lambda n: (-und.degree(n, weight="weight"), und.nodes[n]["name"]))
        out.append(Community(
            # ties by name: a set's order changes from one run to the next (string hashing)
            len(part), dict(sorted(Counter(und.nodes[n]["cls"] for n in part).items(), key=lambda kv: (-kv[1], kv[0]))),
            [{"iri": n, "name": _name(und, n), "cls": und.nodes[n]["cls"]} for n in members]))
    out.sort(key=lambda c: (-c.size, c.members[0]["name"]))
    return out


@dataclass
class Step:
    source: str
    label: str
    target: str
    source_iri: str = ""
    target_iri: str = ""
    predicate: str = ""
    inverse: bool = False


def format_path(steps: list[Step]) -> str:
    """One line: ``A —p→ B —q→ C``."""
    if not steps:
        return ""
    return steps[0].source + "".join(f" —{s.label}→ {s.target}" for s in steps)


def explain_path(
    g: nx.MultiDiGraph, a: str, b: str, *, avoid: Iterable[str] = DEFAULT_AVOID,
) -> list[Step]:
    """The shortest path between the things named ``a`` and ``b``, each hop explained.

    Raises :class:`kg.render.views.NotFound` for an unknown name and :class:`networkx.NetworkXNoPath`
    when the two are not connected.
    """
    src, dst = resolve(g, a), resolve(g, b)
    h = without(g, avoid, keep=(src, dst))
    nodes = nx.shortest_path(weighted_undirected(h), src, dst)  # sorted adjacency: deterministic
    steps = []
    for u, v in zip(nodes, nodes[1:], strict=False):
        if h.has_edge(u, v):
            key, d = sorted(h[u][v].items())[0]
            label, inverse = d["label"], False
        else:
            key, d = sorted(h[v][u].items())[0]
            label, inverse = d["inverse"], True
        steps.append(Step(_name(h, u), label, _name(h, v), u, v, key, inverse))
    return steps


@dataclass
class Related:
    iri: str
    name: str
    cls: str
    score: float
    shared: dict[str, list[str]] = field(default_factory=dict)  # kind → names of what is shared


def _features(und: nx.Graph, n: str) -> dict[tuple[str, str], None]:
    feats: dict[tuple[str, str], None] = {}
    own = KIND_OF_CLASS.get(und.nodes[n]["cls"])
    if own == "benchmark":  # a dataset shares itself with the works that use or introduce it
        feats[(own, n)] = None
    for m in und[n]:
        kind = KIND_OF_CLASS.get(und.nodes[m]["cls"])
        if kind:
            feats[(kind, m)] = None
    return feats


def related(
    g: nx.MultiDiGraph, item: str, *, top: int = 10, avoid: Iterable[str] = DEFAULT_AVOID,
) -> list[Related]:
    """Works most related to ``item`` (a name or IRI of a paper, dataset, benchmark or model)."""
    n = resolve(g, item)
    if not is_work(g.nodes[n]):
        raise ValueError(f"{g.nodes[n]['name']!r} is a {g.nodes[n]['cls']}: related works are computed "
                         "for papers, datasets, benchmarks and models")
    und = weighted_undirected(without(g, avoid))
    mine = _features(und, n)
    candidates: set[str] = set()
    for _kind, f in mine:
        candidates |= {m for m in und[f] if is_work(und.nodes[m])}
        if is_work(und.nodes[f]):
            candidates.add(f)
    candidates.discard(n)
    out = []
    for c in candidates:
        shared: dict[str, list[str]] = {}
        score = 0.0
        for kind, f in _features(und, c):
            if (kind, f) in mine:
                shared.setdefault(kind, []).append(_name(und, f))
                score += RELATED_WEIGHTS[kind]
        if score:
            out.append(Related(c, _name(und, c), und.nodes[c]["cls"], score,
                               {k: sorted(v) for k, v in sorted(shared.items())}))
    out.sort(key=lambda r: (-r.score, r.name))
    return out[:top]


def as_json(obj: object) -> object:
    """Dataclasses (and lists/dicts of them) as plain JSON-able values."""
    if isinstance(obj, list):
        return [as_json(x) for x in obj]
    if isinstance(obj, dict):
        return {k: as_json(v) for k, v in obj.items()}
    if hasattr(obj, "__dataclass_fields__"):
        return asdict(obj)  # type: ignore[arg-type]
    return obj

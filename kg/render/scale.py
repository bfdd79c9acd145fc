"""Large stores: what a page draws when the whole view is more than a browser (or a layout) can take.

A 100,000-entry catalog makes a ``full`` view of ~10⁵ nodes and ~10⁶ edges: no force layout finishes
on it in minutes, and no browser draws it. Above :data:`DRAW_LIMIT` nodes the ``full`` view draws
:data:`DRAW_LIMIT` of them: every topic, task, venue, language, modality and access level, and the
best-linked works of each class in proportion to the class's size (the backbone of the graph, and the
most connected things of each kind), with every edge among them. The ``overview`` draws every topic,
task and language and the benchmarks linked to the most works, and every other view (``ego`` around a hub,
a ``--topic`` filter …) its own best-linked nodes. The page says so: how many nodes and edges of how
many are drawn, which classes were left out, and how to see them.

The choice is made on a :class:`Skeleton` of the store: node IRIs, classes and the node-to-node
edges as integers, read with one SPARQL query a class and one a predicate (no labels, titles or
descriptions, which are most of the store's text). Only the nodes that will be drawn are then
projected with their attributes (:func:`kg.render.project.project` with ``only=``). Reading a term out
of Oxigraph costs microseconds, and the skeleton reads the fewest.

>>> pick_top({"a": 3, "b": 5, "c": 3, "d": 1}, 3)
['b', 'a', 'c']
>>> omitted_notice(2, 5, 1, 9, "the 2 with the most links", {"Paper": 3}, "the full view").split(". ")[:2]
['Showing 2 of 5 nodes and 1 of 9 edges of the full view: the 2 with the most links', 'Not drawn: 3 Paper']
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx
from pyoxigraph import NamedNode

from kg.namespaces import FOAF, KGO, SCHEMA, SKOS, sparql_prologue
from kg.render.project import (
    EXCLUDED_CLASSES,
    SKIPPED_PREDICATES,
    WORK_CLASSES,
    display_class,
    induced,
    local_name,
    project,
)
from kg.render.views import OVERVIEW_CLASSES
from kg.store import Store

DRAW_LIMIT = 1500  # nodes a page draws at most: vis-network stays responsive, the layout takes seconds
# predicates that never join two nodes (a record describes a paper; concepts sit in schemes; code and home
# pages are web pages): not read
NEVER_EDGES = (KGO + "describes", SKOS + "inScheme", SKOS + "topConceptOf", SCHEMA + "codeRepository",
               FOAF + "homepage")
FULL_CHOICE = ("every topic, task, venue, language, modality and access level, and the best-linked works "
               "of each class, in proportion to the class's size")
OVERVIEW_CHOICE = "every topic, task and language, and the benchmarks linked to the most works"
HOW_TO_SEE_MORE = (
    "To see the rest: kg render --focus NAME (the neighbourhood of one thing), --topic, --lang or --types "
    "(a part of the graph), --view overview (the map of the field), --max-nodes N (a bigger picture), or "
    "-f graphml / -f gexf (the whole graph, for Gephi).")


def pick_top(score: dict, k: int) -> list:
    """The ``k`` keys with the highest score, ties broken by key (so the choice is reproducible)."""
    return sorted(score, key=lambda n: (-score[n], n))[:k]


def _count_phrase(counts: dict[str, int]) -> str:
    """
    >>> _count_phrase({"Paper": 1200, "Benchmark": 3})
    '1,200 Paper, 3 Benchmark'
    """
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{k:,} {c}" for c, k in items if k)


def omitted_notice(shown: int, total: int, shown_edges: int, total_edges: int, by: str,
                   left_out: dict[str, int], what: str) -> str:
    """The sentence a capped page shows: what is drawn (``by`` says how it was chosen), what was left out,
    how to see it."""
    parts = [f"Showing {shown:,} of {total:,} nodes and {shown_edges:,} of {total_edges:,} edges of {what}: "
             f"{by}."]
    if left_out:
        parts.append(f"Not drawn: {_count_phrase(left_out)}.")
    parts.append(HOW_TO_SEE_MORE)
    return " ".join(parts)


@dataclass
class Skeleton:
    """The node-to-node structure of a store, as integers: ``iris[i]`` is node ``i``, ``cls[i]`` its
    display class, ``work[i]`` whether it is a work, ``derived[i]`` whether it was read from the
    catalog; edge ``j`` goes from ``src[j]`` to ``dst[j]`` (distinct triples, no loops)."""

    iris: list[str] = field(default_factory=list)
    cls: list[str] = field(default_factory=list)
    classes: list[frozenset[str]] = field(default_factory=list)
    work: bytearray = field(default_factory=bytearray)
    derived: bytearray = field(default_factory=bytearray)
    src: array = field(default_factory=lambda: array("l"))
    dst: array = field(default_factory=lambda: array("l"))

    def full_nodes(self) -> list[int]:
        """The nodes of the ``full`` view (:func:`kg.render.views.catalog_graph`): read from the catalog,
        or pointed to by something that is."""
        keep = bytearray(self.derived)
        for s, o in zip(self.src, self.dst, strict=True):
            if self.derived[s]:
                keep[o] = 1
        return [i for i, k in enumerate(keep) if k]

    def full_edges(self, full: Iterable[int]) -> list[int]:
        """Indexes of the edges among ``full``."""
        inside = bytearray(len(self.iris))
        for i in full:
            inside[i] = 1
        return [j for j, (s, o) in enumerate(zip(self.src, self.dst, strict=True)) if inside[s] and inside[o]]


def _q(store: Store, body: str):  # noqa: ANN202
    return store.query(sparql_prologue() + body)


def skeleton(store: Store) -> Skeleton:
    """Read the :class:`Skeleton` of ``store``: typed nodes, catalog provenance, node-to-node edges."""
    sk = Skeleton()
    kgo_classes = sorted(  # distinct first, then the string test: decoding every type triple is the cost
        c for c in (r[0].value for r in _q(store, "SELECT DISTINCT ?c WHERE { ?n a ?c }"))
        if c.startswith(KGO) and local_name(c) not in EXCLUDED_CLASSES)
    classes: dict[str, set[str]] = {}
    for c in kgo_classes:  # one query a class: a column less to decode than ?n ?c, and no string filter
        name = local_name(c)
        for r in _q(store, f"SELECT ?n WHERE {{ ?n a <{c}> }}"):
            if isinstance(r[0], NamedNode):
                classes.setdefault(r[0].value, set()).add(name)
    ids: dict[str, int] = {}
    for n in sorted(classes):
        cs = classes[n]
        ids[n] = len(sk.iris)
        sk.iris.append(n)
        sk.cls.append(display_class(cs))
        sk.classes.append(frozenset(cs))
        sk.work.append(bool(WORK_CLASSES & cs))
    sk.derived = bytearray(len(sk.iris))
    for r in _q(store, "SELECT DISTINCT ?n WHERE { ?r a kgo:CatalogEntry . ?n prov:wasDerivedFrom ?r }"):
        i = ids.get(r[0].value)
        if i is not None:
            sk.derived[i] = 1
    skipped = {*SKIPPED_PREDICATES, *NEVER_EDGES}
    # the materialised union holds each triple once: no DISTINCT (a hash of a million rows) needed then
    distinct = "" if getattr(store, "materialized_union", False) else "DISTINCT"
    predicates = sorted(r[0].value for r in _q(store, "SELECT DISTINCT ?p WHERE { ?s ?p ?o }"))
    for p in predicates:  # one query a predicate: an index range each, and ?p is not decoded a million times
        if p in skipped:
            continue
        for r in _q(store, f"SELECT {distinct} ?s ?o WHERE {{ ?s <{p}> ?o FILTER(isIRI(?o)) }}"):
            s, o = ids.get(r[0].value), ids.get(r[1].value)
            if s is not None and o is not None and s != o:
                sk.src.append(s)
                sk.dst.append(o)
    return sk


@dataclass
class Capped:
    """What a capped view draws (``nodes``, IRIs) and the totals its notice reports."""

    nodes: list[str]
    total: int
    total_edges: int
    left_out: dict[str, int]
    score: dict[str, int]


def quotas(sizes: dict[str, int], k: int) -> dict[str, int]:
    """``k`` places shared out in proportion to ``sizes`` (largest remainders; ties by name).

    >>> quotas({"Paper": 50, "Benchmark": 30, "Model": 20}, 9)
    {'Paper': 4, 'Benchmark': 3, 'Model': 2}
    """
    total = sum(sizes.values())
    if total <= k:
        return dict(sizes)
    exact = {c: k * n / total for c, n in sizes.items()}
    out = {c: int(x) for c, x in exact.items()}
    for c in sorted(exact, key=lambda c: (-(exact[c] - out[c]), c))[: k - sum(out.values())]:
        out[c] += 1
    return out


def top_of_full(sk: Skeleton, limit: int = DRAW_LIMIT) -> Capped:
    """What a capped ``full`` view draws: every hub (topics, tasks, venues, languages, modalities, access
    levels: the nodes that are not works) and, in the places left, the works with the most links in the
    view (degree, edges either way) of each class, each class getting places in proportion to its size.
    More hubs than places: the best-linked hubs only."""
    full = sk.full_nodes()
    edges = sk.full_edges(full)
    degree: Counter[int] = Counter()
    for j in edges:
        degree[sk.src[j]] += 1
        degree[sk.dst[j]] += 1
    score = {sk.iris[i]: degree[i] for i in full}
    hubs = {sk.iris[i]: degree[i] for i in full if not sk.work[i]}
    top = pick_top(hubs, limit)
    by_class: dict[str, dict[str, int]] = {}
    for i in full:
        if sk.work[i]:
            by_class.setdefault(sk.cls[i], {})[sk.iris[i]] = degree[i]
    for c, k in quotas({c: len(ns) for c, ns in by_class.items()}, limit - len(top)).items():
        top += pick_top(by_class[c], k)
    chosen = set(top)
    left = Counter(sk.cls[i] for i in full if sk.iris[i] not in chosen)
    return Capped(sorted(top, key=lambda n: (-score[n], n)), len(full), len(edges), dict(left), score)


def overview_counts(sk: Skeleton) -> tuple[dict[int, int], Counter[tuple[int, int]]]:
    """The ``overview`` on the skeleton: works linked to each core node (topics, tasks, benchmarks,
    languages of the full view) and the weight of each pair of core nodes, as
    :func:`kg.render.views.overview` counts them (direct edges, plus works linked to both)."""
    full = sk.full_nodes()
    inside = bytearray(len(sk.iris))
    for i in full:
        inside[i] = 1
    core = bytearray(len(sk.iris))
    for i in full:
        if OVERVIEW_CLASSES & sk.classes[i]:
            core[i] = 1
    weights: Counter[tuple[int, int]] = Counter()
    linked: dict[int, set[int]] = {}  # work (not core) → core nodes next to it
    works_of: dict[int, set[int]] = {i: set() for i in full if core[i]}
    for s, o in zip(sk.src, sk.dst, strict=True):
        if not (inside[s] and inside[o]):
            continue
        if core[s] and core[o]:
            weights[(s, o) if sk.iris[s] < sk.iris[o] else (o, s)] += 1
        for a, b in ((s, o), (o, s)):
            if core[a] and sk.work[b]:
                works_of[a].add(b)
                if not core[b]:
                    linked.setdefault(b, set()).add(a)
    for cs in linked.values():
        ordered = sorted(cs, key=sk.iris.__getitem__)
        for x, a in enumerate(ordered):
            for b in ordered[x + 1:]:
                weights[(a, b)] += 1
    return {i: len(w) for i, w in works_of.items()}, weights


def capped_full(store: Store, sk: Skeleton, limit: int = DRAW_LIMIT) -> nx.MultiDiGraph:
    """The ``full`` view cut to its ``limit`` best-linked nodes, with the notice on ``graph``."""
    cap = top_of_full(sk, limit)
    g = project(store, only=cap.nodes)
    g.graph.update(view="full", capped=True, notice=omitted_notice(
        g.number_of_nodes(), cap.total, g.number_of_edges(), cap.total_edges, FULL_CHOICE, cap.left_out,
        "the catalog graph"))
    return g


def capped_overview(store: Store, sk: Skeleton, limit: int = DRAW_LIMIT) -> nx.Graph:
    """The ``overview`` cut to ``limit`` nodes: its topics, tasks and languages, then the benchmarks linked
    to the most works (notice on ``graph``)."""
    works, weights = overview_counts(sk)
    score = {sk.iris[i]: k for i, k in works.items()}
    # topics, tasks and languages first (few, and what the map is about), then the most used benchmarks
    hubs = pick_top({sk.iris[i]: k for i, k in works.items() if not sk.work[i]}, limit)
    top = hubs + pick_top({sk.iris[i]: k for i, k in works.items() if sk.work[i]}, limit - len(hubs))
    attrs = project(store, only=top)
    ov = nx.Graph()
    for n in sorted(top):
        ov.add_node(n, **dict(attrs.nodes[n]), works=score[n])
    ids = {sk.iris[i]: i for i in works}
    chosen = {ids[n] for n in top}
    for (a, b), w in sorted(weights.items(), key=lambda kv: (sk.iris[kv[0][0]], sk.iris[kv[0][1]])):
        if a in chosen and b in chosen:
            ov.add_edge(sk.iris[a], sk.iris[b], weight=w, label=str(w), predicate="", curie="", inverse="")
    left = Counter(sk.cls[i] for i in works if i not in chosen)
    ov.graph.update(weighted=True, view="overview")
    if len(top) < len(works):
        ov.graph.update(capped=True, notice=omitted_notice(
            ov.number_of_nodes(), len(works), ov.number_of_edges(), len(weights),
            OVERVIEW_CHOICE,
            dict(left), "the map of the field"))
    return ov


def cap_view(view: nx.Graph, limit: int = DRAW_LIMIT, *, what: str = "this view") -> nx.Graph:
    """Any view (ego, filtered, timeline) cut to its ``limit`` best-linked nodes; the focus stays."""
    n = view.number_of_nodes()
    if n <= limit:
        return view
    weighted = bool(view.graph.get("weighted"))
    score = ({v: a.get("works", 0) for v, a in view.nodes(data=True)} if weighted
             else dict(view.degree()))
    focus = view.graph.get("focus")
    top = pick_top(score, limit)
    if focus is not None and focus not in top:
        top = [focus, *top[:-1]]
    out = induced(view, top)
    chosen = set(top)
    left = Counter(a["cls"] for v, a in view.nodes(data=True) if v not in chosen)
    out.graph.update(capped=True, notice=omitted_notice(
        out.number_of_nodes(), n, out.number_of_edges(), view.number_of_edges(),
        f"the {limit:,} " + ("linked to the most works" if weighted else "with the most links"), dict(left), what))
    return out


def large_views(store: Store, views: Iterable[str], *, limit: int = DRAW_LIMIT) -> list[tuple[str, nx.Graph]]:
    """The unfiltered ``full`` and ``overview`` views of ``store``, each cut to ``limit`` nodes when it
    has more. A store small enough is projected whole, as always (the views are then exactly those of
    :func:`kg.render.views.build_view`); a larger one only through its :class:`Skeleton`."""
    from kg.render.views import build_view

    views = list(views)
    sk = skeleton(store)
    if len(sk.full_nodes()) <= limit:  # the overview has fewer nodes than the full view
        g = project(store)
        return [(v, build_view(g, v)) for v in views]
    out: list[tuple[str, nx.Graph]] = []
    for v in views:
        if v == "full":
            out.append((v, capped_full(store, sk, limit)))
        elif v == "overview":
            out.append((v, capped_overview(store, sk, limit)))
        else:
            raise ValueError(f"only the full and overview views are cut from the skeleton, not {v!r}")
    return out


__all__ = ["DRAW_LIMIT", "Capped", "Skeleton", "cap_view", "capped_full", "capped_overview",
           "large_views", "omitted_notice", "quotas", "overview_counts", "pick_top", "skeleton", "top_of_full"]

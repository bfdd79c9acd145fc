"""Views: which nodes and edges of the projected graph (:func:`kg.render.project.project`) to draw.

- ``full``: the catalog's things (every node read from a catalog entry) and whatever they point to
  directly (topics, tasks, venues, languages, modalities, access levels), with all edges among them;
- ``ego``: the neighbourhood of one node (``focus``) up to ``depth`` hops, edges followed either way;
- ``overview``: the map of the field, topics, tasks, benchmarks and languages only, joined by weighted
  edges: a direct edge counts 1 and every other work linked to both ends counts 1 more;
- ``timeline``: papers and the venues they were published in, placed by year (columns) and venue (rows).

Filters (:class:`Filters`) apply to any view: ``types`` keeps the nodes of those classes; ``topic`` and
``lang`` keep the works with that topic (or a narrower one) or language, the works linked to them, and
the non-work nodes linked to any kept work.

>>> normalize_name("  Med HELM "), normalize_name("Cancer-Myth")
('medhelm', 'cancermyth')
"""

from __future__ import annotations

import difflib
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx

from kg.namespaces import KGO, LEXVO, SKOS, prefixes
from kg.render.project import CLASS_ORDER, WORK_CLASSES, induced, is_work

VIEWS = ("full", "ego", "overview", "timeline")
OVERVIEW_CLASSES = frozenset({"Topic", "Task", "Benchmark", "Language"})
LANGUAGE_PREDICATE = KGO + "language"
TOPIC_PREDICATE = KGO + "hasTopic"
PUBLISHED_IN = KGO + "publishedIn"


class NotFound(LookupError):
    """A name or IRI that matches no node; ``suggestions`` are the closest labels."""

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.suggestions = suggestions or []


class Ambiguous(LookupError):
    """A name that matches several nodes; ``candidates`` are their IRIs."""

    def __init__(self, message: str, candidates: list[str]) -> None:
        super().__init__(message)
        self.candidates = candidates


def normalize_name(text: str) -> str:
    """Case-, width-, space-, hyphen- and underscore-insensitive form of a name, for matching what users
    type."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().replace("-", " ").replace("_", " ").split())


def _expand(text: str) -> str:
    if ":" in text and "://" not in text:
        prefix, rest = text.split(":", 1)
        ns = prefixes().get(prefix)
        if ns:
            return ns + rest
    return text


def _class_rank(cls: str) -> int:
    return CLASS_ORDER.index(cls) if cls in CLASS_ORDER else len(CLASS_ORDER)


def resolve(g: nx.Graph, text: str, *, classes: Iterable[str] | None = None) -> str:
    """The node ``text`` names: an IRI, a prefixed name (``dataset:cmb``), or a label, title or slug
    (case- and space-insensitive; a name or title before the end of an IRI). Among several matches, a
    thing read from the catalog wins over vocabulary concepts, and a resource (benchmark, dataset,
    model) over the paper that shares its name; a real tie raises :class:`Ambiguous`."""
    wanted = set(classes or ())

    def ok(n: str) -> bool:
        return not wanted or bool(wanted & set(g.nodes[n]["classes"]))

    iri = _expand(text.strip())
    if iri in g and ok(iri):
        return iri
    key = normalize_name(text)
    if not key:
        raise NotFound("empty name")
    exact: list[str] = []
    by_slug: list[str] = []  # named only by the end of their IRI: a name or title says more
    for n, a in g.nodes(data=True):
        if not ok(n):
            continue
        if any(normalize_name(x) == key for x in (a["name"], *a["titles"].values())):
            exact.append(n)
        elif normalize_name(n.rsplit("/", 1)[-1]) == key or (
                n.startswith(LEXVO) and normalize_name(n[len(LEXVO):]) == key):
            by_slug.append(n)
    # "clinical prediction" is the topic of that name, not task:clinical-prediction (whose name is
    # "clinical outcome prediction")
    exact = exact or by_slug
    if not exact:  # then SKOS preferred and alternative labels ("medical agents", "阿拉伯语")
        exact = [n for n, a in g.nodes(data=True)
                 if ok(n) and any(normalize_name(x) == key for x in a.get("aliases", ()))]
    if len(exact) > 1:  # prefer what the catalog describes, then the more specific class
        exact = [n for n in exact if g.nodes[n]["derived"]] or exact
        rank = {n: _class_rank(g.nodes[n]["cls"]) for n in exact}
        exact = [n for n in exact if rank[n] == min(rank.values())]
    if len(exact) == 1:
        return exact[0]
    if exact:
        raise Ambiguous(f"{text!r} names {len(exact)} things", sorted(exact))
    pool = {normalize_name(a["name"]): a["name"] for n, a in g.nodes(data=True) if ok(n)}
    close = difflib.get_close_matches(key, list(pool), n=5, cutoff=0.6)
    contains = [v for k, v in pool.items() if key in k and v not in close][:5]
    raise NotFound(f"nothing is named {text!r}", [pool[c] for c in close] + contains)


@dataclass
class Filters:
    """Node filters shared by the views (all optional)."""

    types: list[str] = field(default_factory=list)  # kgo class names, case-insensitive
    topic: str | None = None
    lang: str | None = None

    def __bool__(self) -> bool:
        return bool(self.types or self.topic or self.lang)


def catalog_graph(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The ``full`` view: catalog-derived nodes plus the nodes they point to, and all edges among them."""
    keep = {n for n, a in g.nodes(data=True) if a["derived"]}
    keep |= {v for u in list(keep) for v in g.successors(u)}
    return induced(g, keep)


def ego(g: nx.MultiDiGraph, focus: str, depth: int = 1) -> nx.MultiDiGraph:
    """Nodes within ``depth`` hops of ``focus``, following edges in either direction."""
    dist = nx.single_source_shortest_path_length(g.to_undirected(as_view=True), focus, cutoff=depth)
    sub = induced(g, dist)
    for n, d in dist.items():
        sub.nodes[n]["hops"] = d
    sub.graph["focus"] = focus
    return sub


def _works_with(g: nx.MultiDiGraph, target: str, predicate: str, *, broader: bool) -> set[str]:
    targets = {target}
    if broader:  # the topic and everything narrower than it
        b = _broader_graph(g)
        if target in b:
            targets |= nx.ancestors(b, target)
    return {u for t in targets for u, _, k in g.in_edges(t, keys=True) if k == predicate and is_work(g.nodes[u])}


def _broader_graph(g: nx.MultiDiGraph) -> nx.DiGraph:
    b = nx.DiGraph()
    b.add_edges_from((u, v) for u, v, k in g.edges(keys=True) if k == SKOS + "broader")
    b.add_edges_from((v, u) for u, v, k in g.edges(keys=True) if k == SKOS + "narrower")
    return b


# superclasses in the ontology, so that --types Dataset also keeps benchmarks (not materialised in the store)
PARENTS = {"Benchmark": ("Dataset", "Work"), "Dataset": ("Work",), "Paper": ("Work",), "Model": ("Work",),
           "Conference": ("Venue",), "Journal": ("Venue",)}


def _with_parents(classes: Iterable[str]) -> set[str]:
    """
    >>> sorted(_with_parents(["Benchmark"]))
    ['Benchmark', 'Dataset', 'Work']
    """
    return {p for c in classes for p in (c, *PARENTS.get(c, ()))}


def _class_key(name: str) -> str:
    return name.strip().casefold().rstrip("s") if name.strip().casefold() != "access" else "accesslevel"


def apply_filters(g: nx.MultiDiGraph, f: Filters, *, universe: nx.MultiDiGraph | None = None) -> nx.MultiDiGraph:
    """Apply ``f`` to view ``g``. ``universe`` (default ``g``) is where topic/language names are looked up."""
    universe = universe if universe is not None else g
    keep = set(g.nodes)
    for value, pred, cls, broader in ((f.topic, TOPIC_PREDICATE, "Topic", True),
                                      (f.lang, LANGUAGE_PREDICATE, "Language", False)):
        if not value:
            continue
        target = resolve(universe, value, classes=[cls])
        matched = _works_with(universe, target, pred, broader=broader) & keep
        works = matched | {m for w in matched for m in nx.all_neighbors(g, w) if is_work(g.nodes[m])}
        others = {m for w in works for m in nx.all_neighbors(g, w) if not is_work(g.nodes[m])}
        keep &= works | others | ({target} & keep)
    if f.types:
        wanted = {_class_key(t) for t in f.types}
        known = {_class_key(c) for _, a in universe.nodes(data=True) for c in _with_parents(a["classes"])}
        unknown = wanted - known
        if unknown:
            raise NotFound(f"no node has class {', '.join(sorted(unknown))}", sorted(
                {c for _, a in universe.nodes(data=True) for c in a["classes"]}))
        keep = {n for n in keep if wanted & {_class_key(c) for c in _with_parents(g.nodes[n]["classes"])}}
    return induced(g, keep)


def overview(full: nx.MultiDiGraph) -> nx.Graph:
    """Topics, tasks, benchmarks and languages of the ``full`` view, joined by weighted edges.

    The weight of ``a — b`` counts the direct edges between them plus the other works (papers,
    datasets, models …) linked to both (a paper with topic T that introduces benchmark B makes
    ``T — B`` weigh 1). Each node's ``works`` is the number of works linked to it.
    """
    core = {n for n, a in full.nodes(data=True) if OVERVIEW_CLASSES & set(a["classes"])}
    und = nx.Graph(full.to_undirected(as_view=True))
    ov = nx.Graph()
    for n in sorted(core):
        attrs = dict(full.nodes[n])
        attrs["works"] = sum(1 for m in und[n] if is_work(full.nodes[m]))
        ov.add_node(n, **attrs)
    weights: Counter[tuple[str, str]] = Counter()
    for u, v in full.edges():
        if u in core and v in core and u != v:
            weights[tuple(sorted((u, v)))] += 1
    for w in und.nodes:
        if w in core or not is_work(full.nodes[w]):
            continue
        linked = sorted(m for m in und[w] if m in core)
        for i, a in enumerate(linked):
            for b in linked[i + 1:]:
                weights[(a, b)] += 1
    for (a, b), n in weights.items():
        ov.add_edge(a, b, weight=n, label=str(n), predicate="", curie="", inverse="")
    ov.graph["weighted"] = True
    return ov


def timeline(full: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Papers and the venues they appeared in (the layout places them by year and venue)."""
    papers = {n for n, a in full.nodes(data=True) if "Paper" in a["classes"]}
    venues = {v for p in papers for _, v, k in full.out_edges(p, keys=True) if k == PUBLISHED_IN}
    sub = induced(full, papers | venues)
    sub.graph["timeline"] = True
    return sub


def build_view(
    g: nx.MultiDiGraph, view: str = "full", *, focus: str | None = None, depth: int = 1,
    filters: Filters | None = None,
) -> nx.Graph:
    """The graph of one view of the projected store ``g``, filtered. ``focus`` is a name or IRI."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r} (choose from {', '.join(VIEWS)})")
    filters = filters or Filters()
    full = catalog_graph(g)
    if view == "ego" or (focus and view == "full"):
        if not focus:
            raise ValueError("the ego view needs a focus (a name or IRI)")
        node = resolve(g, focus)
        out = ego(g, node, depth)
        out = apply_filters(out, filters, universe=g)
        if node not in out:  # the focus stays, whatever the filters say
            out = induced(g, [*out.nodes, node])
        out.graph.update(focus=node, view="ego", depth=depth)
        return out
    base = full
    if filters:
        base = apply_filters(full, filters, universe=g)
    if view == "overview":
        out = overview(base)
    elif view == "timeline":
        out = timeline(base)
    else:
        out = base
    if focus:  # overview/timeline around one thing: keep its neighbourhood within the view
        node = resolve(out, focus)
        dist = nx.single_source_shortest_path_length(out.to_undirected(as_view=True), node, cutoff=depth)
        out = induced(out, dist)
        out.graph["focus"] = node
    out.graph["view"] = view
    return out


def class_counts(g: nx.Graph) -> dict[str, int]:
    """Nodes per display class, largest first.

    >>> h = nx.Graph(); h.add_node("a", cls="Paper"); h.add_node("b", cls="Paper")
    >>> class_counts(h)
    {'Paper': 2}
    """
    c = Counter(a["cls"] for _, a in g.nodes(data=True))
    return dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))


__all__ = [
    "VIEWS", "Ambiguous", "Filters", "NotFound", "WORK_CLASSES", "apply_filters", "build_view",
    "catalog_graph", "class_counts", "ego", "normalize_name", "overview", "resolve", "timeline",
]

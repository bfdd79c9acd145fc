"""Project the RDF store into a networkx graph, by SPARQL.

A *node* is an IRI typed with a ``kgo:`` class (catalog records and rejected entries excepted): papers,
datasets, benchmarks, models, methods, tasks, topics, venues, languages, modalities, access levels.
An *edge* is a triple between two nodes (``rdf:type`` and ``prov:wasDerivedFrom`` aside), keyed by its
predicate in a :class:`networkx.MultiDiGraph`.

Every node carries the attributes the views and tooltips need: ``iri``, ``cls`` (the most specific
class, for colour and legend), ``classes``, ``label`` (short), ``name`` (full display name),
``titles`` (language → title), ``aliases`` (SKOS labels, for lookups), ``description``, ``year``,
``venue``, ``links`` and ``derived`` (read from the catalog, i.e. ``prov:wasDerivedFrom`` a catalog
entry, as opposed to described only by a vocabulary). Every edge carries ``predicate``, ``curie``,
``label`` and ``inverse`` (the label to use when walking it backwards).

>>> short_label("A very long paper title that goes on and on", 20)
'A very long paper t…'
>>> inverse_phrase("has topic")
'topic of'
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from kg.namespaces import (
    DCTERMS,
    FOAF,
    KGO,
    OWL,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    prefixes,
    sparql_prologue,
)
from kg.store import Store

# most specific first: the first class a node has decides its colour, shape and legend entry
CLASS_ORDER = (
    "Benchmark", "Dataset", "Model", "Method", "Paper", "Task", "Topic", "Language", "Conference",
    "Journal", "Venue", "Modality", "AccessLevel", "Work",
)
EXCLUDED_CLASSES = ("CatalogEntry", "RejectedEntry")
WORK_CLASSES = frozenset({"Work", "Paper", "Dataset", "Benchmark", "Model", "Method"})
SKIPPED_PREDICATES = (RDF + "type", PROV + "wasDerivedFrom")

# predicates outside kgo: that may link two nodes, with readable labels and inverses
KNOWN_LABELS = {
    SKOS + "broader": ("broader", "narrower"),
    SKOS + "narrower": ("narrower", "broader"),
    SKOS + "related": ("related", "related"),
    SKOS + "exactMatch": ("exact match", "exact match"),
    SKOS + "closeMatch": ("close match", "close match"),
    OWL + "sameAs": ("same as", "same as"),
    DCTERMS + "isPartOf": ("part of", "has part"),
    DCTERMS + "hasPart": ("has part", "part of"),
    DCTERMS + "references": ("references", "referenced by"),
    DCTERMS + "subject": ("subject", "subject of"),
}
LINK_PREDICATES = (SCHEMA + "codeRepository", FOAF + "homepage", RDFS + "seeAlso", OWL + "sameAs",
                   SCHEMA + "url")
ATTRIBUTE_PREDICATES = (
    RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", DCTERMS + "title", DCTERMS + "description",
    DCTERMS + "issued", KGO + "year", KGO + "publishedIn", *LINK_PREDICATES,
)


def induced(g: nx.MultiDiGraph, nodes: Iterable[str]) -> nx.MultiDiGraph:
    """A copy of the subgraph of ``g`` on ``nodes``, in ``g``'s order of nodes and edges.

    ``g.subgraph(nodes).copy()`` iterates ``nodes`` itself when it is less than half of ``g``: a
    set's order, which changes from one run to the next (string hashing), and with it the drawn
    pictures and their layouts.

    >>> g = nx.MultiDiGraph([("a", "b"), ("b", "c"), ("c", "d")])
    >>> list(induced(g, {"d", "c", "a"}).nodes), list(induced(g, {"d", "c", "a"}).edges)
    (['a', 'c', 'd'], [('c', 'd', 0)])
    """
    keep = set(nodes)
    out = g.__class__()
    out.graph.update(g.graph)
    out.add_nodes_from((n, a) for n, a in g.nodes(data=True) if n in keep)
    if out.is_multigraph():
        out.add_edges_from((u, v, k, d) for u, v, k, d in g.edges(keys=True, data=True) if u in keep and v in keep)
    else:
        out.add_edges_from((u, v, d) for u, v, d in g.edges(data=True) if u in keep and v in keep)
    return out


def local_name(iri: str) -> str:
    """The part after the last ``#`` or ``/``.

    >>> local_name("https://w3id.org/medkg/ontology#hasTopic")
    'hasTopic'
    """
    return iri.rstrip("/").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def curie(iri: str) -> str:
    """A prefixed name when a project prefix fits, else the IRI.

    >>> curie("https://w3id.org/medkg/ontology#introduces")
    'kgo:introduces'
    """
    for k, v in sorted(prefixes().items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(v) and k != "kg":
            return f"{k}:{iri[len(v):]}"
    return iri


def short_label(text: str, limit: int = 28) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# readable names for walking a property backwards, for properties the ontology gives no inverse
INVERSE_PHRASES = {
    "published in": "publishes", "evaluates": "evaluated by", "uses dataset": "dataset used by",
    "addresses task": "task addressed by", "language": "language of", "modality": "modality of",
    "access rights": "access rights of", "series": "series of", "part of family": "family of",
    "mentions": "mentioned by", "describes": "described by", "introduces": "introduced by",
    "introduced by": "introduces",
}


def inverse_phrase(label: str) -> str:
    """A readable name for walking a property backwards when the ontology declares no inverse.

    >>> inverse_phrase("published in"), inverse_phrase("cites")
    ('publishes', 'inverse of cites')
    """
    if label in INVERSE_PHRASES:
        return INVERSE_PHRASES[label]
    if label.startswith("has "):
        return f"{label[4:]} of"
    return f"inverse of {label}"


def display_class(classes: list[str] | set[str]) -> str:
    """The class a node is drawn as: the most specific known one, else the first alphabetically.

    >>> display_class({"Dataset", "Benchmark"})
    'Benchmark'
    """
    for c in CLASS_ORDER:
        if c in classes:
            return c
    return sorted(classes)[0] if classes else "Thing"


def is_work(attrs: dict) -> bool:
    return bool(WORK_CLASSES & set(attrs.get("classes", ())))


@dataclass(frozen=True)
class PredicateInfo:
    label: str
    inverse: str


def _q(store: Store, body: str):  # noqa: ANN202
    return store.query(sparql_prologue() + body)


def predicate_labels(store: Store) -> dict[str, PredicateInfo]:
    """English labels of properties (ontology first, then :data:`KNOWN_LABELS`) and of their inverses."""
    labels: dict[str, str] = {}
    # VALUES first: starting from the property types, not from every label of a large store
    for r in _q(store, 'SELECT ?p ?l WHERE { VALUES ?k { owl:ObjectProperty owl:DatatypeProperty rdf:Property } '
                       '?p a ?k . ?p rdfs:label ?l FILTER(LANG(?l) = "en" || LANG(?l) = "") }'):
        labels.setdefault(r["p"].value, r["l"].value)
    inverses: dict[str, str] = {}
    for r in _q(store, "SELECT ?p ?q WHERE { { ?p owl:inverseOf ?q } UNION { ?q owl:inverseOf ?p } "
                       "FILTER(isIRI(?p) && isIRI(?q)) }"):
        inverses.setdefault(r["p"].value, r["q"].value)
    out = {p: PredicateInfo(*v) for p, v in KNOWN_LABELS.items()}
    for p, label in labels.items():
        inv = inverses.get(p)
        out[p] = PredicateInfo(label, labels.get(inv, local_name(inv)) if inv else inverse_phrase(label))
    return out


def edge_info(p: str, infos: dict[str, PredicateInfo]) -> PredicateInfo:
    if p in infos:
        return infos[p]
    label = local_name(p)
    return PredicateInfo(label, inverse_phrase(label))


def _pick(values: dict[str, str], prefer: tuple[str, ...] = ("en", "", "zh")) -> str | None:
    for lang in prefer:
        if lang in values:
            return values[lang]
    return next(iter(values.values()), None)


VALUES_CHUNK = 2000  # IRIs per VALUES block when only some nodes are projected


def _values(var: str, iris: list[str]) -> str:
    return f"VALUES ?{var} {{ {' '.join(f'<{i}>' for i in iris)} }}"


def _chunks(only: list[str] | None) -> list[str]:
    """The VALUES clauses (one per chunk) restricting ``?n``, or one empty clause for the whole store."""
    if only is None:
        return [""]
    return [_values("n", only[i:i + VALUES_CHUNK]) for i in range(0, len(only), VALUES_CHUNK)]


def _new_node(g: nx.MultiDiGraph, n: str, cs: set[str], derived: bool) -> None:
    g.add_node(n, iri=n, classes=sorted(cs), cls=display_class(cs), derived=derived,
               titles={}, links=[], year=None, venue=None, description=None, aliases=set())


def _attributes(store: Store, g: nx.MultiDiGraph, only: list[str] | None) -> dict[str, str]:
    """Fill the display attributes of the nodes of ``g``; returns each node's venue IRI."""
    lab: dict[str, dict[str, str]] = {}
    pref: dict[str, dict[str, str]] = {}
    desc: dict[str, dict[str, str]] = {}
    venue_of: dict[str, str] = {}
    values = " ".join(f"<{p}>" for p in ATTRIBUTE_PREDICATES)
    listed = ", ".join(f"<{p}>" for p in ATTRIBUTE_PREDICATES)
    for restrict in _chunks(only):
        # with VALUES ?n, a second VALUES (?p) makes Oxigraph join two tables over the whole store: filter instead
        pattern = f"{restrict} ?n ?p ?o FILTER(?p IN ({listed}))" if restrict else f"VALUES ?p {{ {values} }} ?n ?p ?o"
        for r in _q(store, f"SELECT DISTINCT ?n ?p ?o WHERE {{ {pattern} }}"):
            n = r["n"].value
            if n not in g:
                continue
            p, o = r["p"].value, r["o"]
            lang = getattr(o, "language", None) or ""
            attrs = g.nodes[n]
            if p == RDFS + "label":
                lab.setdefault(n, {}).setdefault(lang, o.value)
            elif p == SKOS + "prefLabel":
                pref.setdefault(n, {}).setdefault(lang, o.value)
                attrs["aliases"].add(o.value)
            elif p == SKOS + "altLabel":
                attrs["aliases"].add(o.value)
            elif p == DCTERMS + "title":
                attrs["titles"].setdefault(lang or "und", o.value)
            elif p == DCTERMS + "description":
                desc.setdefault(n, {}).setdefault(lang, o.value)
            elif p in (DCTERMS + "issued", KGO + "year"):
                with contextlib.suppress(ValueError):
                    attrs["year"] = int(o.value[:4])
            elif p == KGO + "publishedIn":
                venue_of[n] = o.value
            elif (p in LINK_PREDICATES and o.value.startswith(("http://", "https://"))
                  and o.value not in attrs["links"]):
                attrs["links"].append(o.value)
    for n, attrs in g.nodes(data=True):
        name = (_pick(lab.get(n, {})) or _pick(pref.get(n, {})) or _pick(attrs["titles"])
                or local_name(n))
        attrs["name"] = name
        attrs["label"] = short_label(name)
        attrs["description"] = _pick(desc.get(n, {}))
        attrs["links"].sort()
        attrs["aliases"] = sorted(attrs["aliases"])
    return venue_of


def project(store: Store, *, only: Iterable[str] | None = None) -> nx.MultiDiGraph:
    """The whole store as a :class:`networkx.MultiDiGraph` of typed nodes and the edges between them.

    Three SPARQL queries (nodes and classes, display attributes, IRI-to-IRI triples), joined in Python
    so that the cost stays linear in the size of the graph. With ``only`` (IRIs), just those nodes
    (the typed ones) and the edges among them: what a capped view of a large store draws
    (:mod:`kg.render.scale`), at a cost that follows the number of nodes asked for.
    """
    wanted = sorted(set(only)) if only is not None else None
    kgo_excluded = ", ".join(f"kgo:{c}" for c in EXCLUDED_CLASSES)
    classes: dict[str, set[str]] = {}
    derived: set[str] = set()
    for restrict in _chunks(wanted):
        for r in _q(store, f"SELECT DISTINCT ?n ?c WHERE {{ {restrict} ?n a ?c . FILTER(isIRI(?n)) "
                           f"FILTER(STRSTARTS(STR(?c), STR(kgo:)) && ?c NOT IN ({kgo_excluded})) }}"):
            classes.setdefault(r["n"].value, set()).add(local_name(r["c"].value))
        derived |= {r["n"].value for r in _q(
            store, f"SELECT DISTINCT ?n WHERE {{ {restrict} ?n prov:wasDerivedFrom ?r "
                   "FILTER EXISTS { ?r a kgo:CatalogEntry } }")}

    g = nx.MultiDiGraph()
    for n, cs in sorted(classes.items()):
        _new_node(g, n, cs, n in derived)
    venue_of = _attributes(store, g, wanted)
    venues = nx.MultiDiGraph()  # venues that are not projected themselves: just their names and years
    for v in sorted({v for v in venue_of.values() if v not in g}) if wanted is not None else ():
        _new_node(venues, v, set(), False)
    if venues:
        _attributes(store, venues, list(venues))
    for n, v in venue_of.items():
        if n in g:
            a = g.nodes[v] if v in g else venues.nodes[v] if v in venues else None
            g.nodes[n]["venue"] = a["name"] if a else local_name(v)
            if g.nodes[n]["year"] is None and a:
                g.nodes[n]["year"] = a["year"]

    infos = predicate_labels(store)
    skipped = ", ".join(f"<{p}>" for p in SKIPPED_PREDICATES)
    triples: list[tuple[str, str, str]] = []
    for restrict in _chunks(wanted):
        triples += ((r["s"].value, r["p"].value, r["o"].value) for r in _q(
            store, f"SELECT DISTINCT ?s ?p ?o WHERE {{ {restrict.replace('?n', '?s', 1)} ?s ?p ?o "
                   f"FILTER(isIRI(?s) && isIRI(?o)) FILTER(?p NOT IN ({skipped})) }}"))
    triples.sort()  # the same store always gives the same graph (and paths, layouts)
    for s, p, o in triples:
        if s in g and o in g and s != o:
            info = edge_info(p, infos)
            g.add_edge(s, o, key=p, predicate=p, curie=curie(p), label=info.label, inverse=info.inverse)
    return g

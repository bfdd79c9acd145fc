"""SHACL validation of the graph with ``ontology/shapes.ttl`` (pyshacl).

The focus nodes are the typed nodes of every graph except the full ISO 639-3 language list, of
which only the languages the data refers to are checked (validating 8,000 unused concepts would
only slow the check down).

Every check of the shapes is local (``ontology/shapes.ttl``: targets by class only, no ``sh:node``,
no recursion): a focus node's own triples, the types of the nodes they point to and the class
hierarchy decide it. So the graph is validated in chunks of :data:`CHUNK_NODES` focus nodes,
each an rdflib graph of just that, and memory stays bounded whatever the size of the store (the
whole graph as one rdflib graph took 1.5 GB at 20k entries, over 6.6 GB at 10^5; in chunks: 0.64
and 1.01 GB). In each chunk
the shapes target the chunk's nodes by name (``sh:targetNode``, for the shapes whose
``sh:targetClass`` the node is an instance of), so that the nodes pointed to, whose types are
there, are not validated without their own triples.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from kg.namespaces import KGO, RDF, RDFS, base
from kg.store import Store

CHUNK_NODES = 10_000  # focus nodes validated together (20k entries: 0.64 GB, against 0.89 GB for 50k; as fast)
VALUES_NODES = 1_000  # focus nodes a CONSTRUCT query names (a short query, also for a remote server)
PARSE_BATCH = 50_000  # triples handed to rdflib's parser at a time


@dataclass
class Violation:
    focus: str
    path: str
    message: str
    severity: str
    shape: str


@dataclass
class ValidationReport:
    conforms: bool
    violations: list[Violation]
    triples: int  # the triples of the focus nodes


def languages_graph() -> str:
    return f"{base()}graph/vocab/languages"


def focus_types(store: Store) -> dict[str, set[str]]:
    """Focus node IRI → its types: every typed node of the graphs other than the language list,
    and the languages the data refers to."""
    lang = languages_graph()
    rows = store.query(f"""SELECT DISTINCT ?s ?t WHERE {{
        {{ {{ SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s <{RDF}type> ?c }} FILTER(?g != <{lang}> && isIRI(?s)) }} }}
           UNION {{ SELECT DISTINCT ?s WHERE {{ ?x <{KGO}language> ?s . GRAPH <{lang}> {{ ?s <{RDF}type> ?c }} }} }} }}
        ?s <{RDF}type> ?t }}""")
    out: dict[str, set[str]] = {}
    for r in rows:
        out.setdefault(r["s"].value, set()).add(r["t"].value)  # type: ignore[index, union-attr]
    return out


def superclasses(store: Store) -> dict[str, set[str]]:
    """Class → itself and every class it is an rdfs:subClassOf, transitively."""
    direct: dict[str, set[str]] = {}
    for r in store.query(f"SELECT ?c ?d WHERE {{ ?c <{RDFS}subClassOf> ?d }}"):
        direct.setdefault(r["c"].value, set()).add(r["d"].value)  # type: ignore[index, union-attr]
    closure: dict[str, set[str]] = {}

    def up(c: str) -> set[str]:
        if c not in closure:
            closure[c] = {c}
            for d in direct.get(c, ()):
                closure[c] |= up(d)
        return closure[c]

    for c in direct:
        up(c)
    return closure


def chunk_graph(store: Store, nodes: list[str]):  # -> rdflib.Graph
    """An rdflib graph of ``nodes``' own triples, the types of the nodes they point to and the
    class hierarchy: what the shapes' checks of ``nodes`` read."""
    from kg.query.params import iri_values

    parts = [f"CONSTRUCT {{ ?c <{RDFS}subClassOf> ?d }} WHERE {{ ?c <{RDFS}subClassOf> ?d }}"]
    for values in iri_values(nodes, VALUES_NODES):
        parts += [f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o }}",
                  f"CONSTRUCT {{ ?o a ?t }} WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o . ?o a ?t }}"]
    return _graph(store.query(q) for q in parts)  # type: ignore[misc]


def _graph(answers: Iterable[Iterable[object]]):  # -> rdflib.Graph
    import pyoxigraph as ox
    from rdflib import Graph

    g = Graph()
    labels: dict[str, object] = {}  # a blank node's label → its rdflib node, across the batches
    for answer in answers:
        rows = iter(answer)
        # in batches: a whole answer as a list, as N-Triples bytes and as text at once took
        # 0.7 GB more than the graph itself at 20k entries
        while batch := list(itertools.islice(rows, PARSE_BATCH)):
            g.parse(data=ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt",
                    bnode_context=labels)
    return g


def validate(store: Store, chunk: int | None = None) -> ValidationReport:
    import pyshacl
    from rdflib import Graph, URIRef
    from rdflib.namespace import SH

    from kg.resources import resource_dir

    shapes = Graph().parse(resource_dir("ontology") / "shapes.ttl", format="turtle")
    targets = {shape: {str(c) for c in shapes.objects(shape, SH.targetClass)}
               for shape in set(shapes.subjects(SH.targetClass, None))}
    untargeted = Graph()
    for t in shapes:
        if t[1] != SH.targetClass:
            untargeted.add(t)
    types = focus_types(store)
    up = superclasses(store)
    violations: list[Violation] = []  # each focus node is in one chunk: nothing is reported twice
    checked = 0
    ordered, size = sorted(types), chunk or CHUNK_NODES
    for nodes in (ordered[i:i + size] for i in range(0, len(ordered), size)):
        data = chunk_graph(store, nodes)
        chunk_shapes = Graph()
        for t in untargeted:
            chunk_shapes.add(t)
        for node in nodes:
            classes = set().union(*(up.get(t, {t}) for t in types[node]))
            for shape, wanted in targets.items():
                if classes & wanted:
                    chunk_shapes.add((shape, SH.targetNode, URIRef(node)))
        inside = {URIRef(n) for n in nodes}
        checked += sum(1 for s, _p, _o in data if s in inside)
        # in place: the data graph is ours to throw away (pyshacl's copy doubled the memory)
        _conforms, results, _text = pyshacl.validate(
            data, shacl_graph=chunk_shapes, inference="none", advanced=True, allow_warnings=True, inplace=True)
        for r in results.subjects(SH.resultSeverity, None):

            def one(p: URIRef, r: URIRef = r, results: Graph = results) -> str:
                v = results.value(r, p)
                return "" if v is None else str(v)

            violations.append(Violation(one(SH.focusNode), one(SH.resultPath), one(SH.resultMessage),
                                        one(SH.resultSeverity).rsplit("#", 1)[-1], one(SH.sourceShape)))
    violations.sort(key=lambda v: (v.focus, v.path, v.message))
    return ValidationReport(not any(v.severity == "Violation" for v in violations), violations, checked)

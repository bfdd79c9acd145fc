"""SHACL validation of the graph with ``ontology/shapes.ttl`` (pyshacl).

The data graph is the union of all graphs except the full ISO 639-3 language list, of which
only the languages the data refers to are included (validating 8,000 unused concepts would
only slow the check down).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from kg.namespaces import KGO, base
from kg.store import Store

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
    triples: int


def languages_graph() -> str:
    return f"{base()}graph/vocab/languages"


def data_graph(store: Store):  # -> rdflib.Graph
    import pyoxigraph as ox
    from rdflib import Graph

    lang = languages_graph()
    parts = [
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{lang}>) }}",
        f"CONSTRUCT {{ ?l ?p ?o }} WHERE {{ {{ SELECT DISTINCT ?l WHERE {{ ?x <{KGO}language> ?l }} }}"
        f" GRAPH <{lang}> {{ ?l ?p ?o }} }}",
    ]
    g = Graph()
    labels: dict[str, object] = {}  # a blank node's label → its rdflib node, across the batches
    for q in parts:
        # in batches: the whole answer as a list, as N-Triples bytes and as text at once took
        # 0.7 GB more than the graph itself at 20k entries
        rows = iter(store.query(q))  # type: ignore[call-overload]
        while batch := list(itertools.islice(rows, PARSE_BATCH)):
            g.parse(data=ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt",
                    bnode_context=labels)
    return g


def validate(store: Store) -> ValidationReport:
    import pyshacl
    from rdflib import Graph, URIRef
    from rdflib.namespace import SH

    from kg.resources import resource_dir

    shapes = Graph().parse(resource_dir("ontology") / "shapes.ttl", format="turtle")
    data = data_graph(store)
    # in place: the data graph is ours to throw away, and pyshacl's copy of it doubled the memory
    # (20k entries: 1.54 -> 0.83 GB, 56 -> 49 s, the same results)
    conforms, results, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True, inplace=True,
    )
    violations = []
    for r in results.subjects(SH.resultSeverity, None):
        def one(p: URIRef, r: URIRef = r) -> str:
            v = results.value(r, p)
            return "" if v is None else str(v)

        violations.append(Violation(
            one(SH.focusNode), one(SH.resultPath), one(SH.resultMessage),
            one(SH.resultSeverity).rsplit("#", 1)[-1], one(SH.sourceShape),
        ))
    violations.sort(key=lambda v: (v.focus, v.path, v.message))
    return ValidationReport(bool(conforms), violations, len(data))

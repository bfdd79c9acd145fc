"""The VoID description served at ``/.well-known/void``.

The project's VoID builder lives in :mod:`kg.export.void` (another module) and is used when
present. Otherwise :func:`void_turtle` here computes a minimal but
standard description from the store: size, class and property partitions, one subset per named
graph, the URI space, the vocabulary and the SPARQL endpoint.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from kg.namespaces import DCTERMS, KGO, RDF, VOID, XSD, base, prefixes


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer"))


def _rows(store: Any, text: str) -> list[Any]:
    return list(store.query(text))


def void_turtle(store: Any, endpoint: str | None = None) -> bytes:
    """Turtle VoID for ``store``; ``endpoint`` is the URL of the SPARQL endpoint serving it.

    >>> import tempfile
    >>> from kg.store import open_store
    >>> b"void:Dataset" in void_turtle(open_store(tempfile.mkdtemp() + "/s"), "http://127.0.0.1:7878/sparql")
    True
    """
    b = base()
    ds = ox.NamedNode(f"{b}void")
    v = lambda t: ox.NamedNode(VOID + t)  # noqa: E731
    a = ox.NamedNode(RDF + "type")
    triples = [
        ox.Triple(ds, a, v("Dataset")),
        ox.Triple(ds, ox.NamedNode(DCTERMS + "title"),
                  ox.Literal("medkg: a knowledge graph of medical-AI research", language="en")),
        ox.Triple(ds, v("uriSpace"), ox.Literal(b)),
        ox.Triple(ds, v("vocabulary"), ox.NamedNode(KGO.rstrip("#"))),
        ox.Triple(ds, v("feature"), ox.NamedNode("http://www.w3.org/ns/formats/Turtle")),
        ox.Triple(ds, v("feature"), ox.NamedNode("http://www.w3.org/ns/formats/N-Triples")),
        ox.Triple(ds, v("feature"), ox.NamedNode("http://www.w3.org/ns/formats/JSON-LD")),
    ]
    if endpoint:
        triples.append(ox.Triple(ds, v("sparqlEndpoint"), ox.NamedNode(endpoint)))
    total = _rows(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    triples.append(ox.Triple(ds, v("triples"), _int(int(total[0]["n"].value) if total else 0)))
    counts = _rows(store, "SELECT (COUNT(DISTINCT ?s) AS ?s_) (COUNT(DISTINCT ?p) AS ?p_) "
                          "(COUNT(DISTINCT ?c) AS ?c_) WHERE { ?s ?p ?o OPTIONAL { ?s a ?c } }")
    if counts:
        r = counts[0]
        triples += [ox.Triple(ds, v("distinctSubjects"), _int(int(r["s_"].value))),
                    ox.Triple(ds, v("properties"), _int(int(r["p_"].value))),
                    ox.Triple(ds, v("classes"), _int(int(r["c_"].value)))]
    entities = _rows(store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o "
                            f"FILTER(STRSTARTS(STR(?s), \"{b}\")) }}")
    triples.append(ox.Triple(ds, v("entities"), _int(int(entities[0]["n"].value) if entities else 0)))
    for i, r in enumerate(_rows(store, "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } "
                                       "GROUP BY ?c ORDER BY ?c")):
        part = ox.NamedNode(f"{b}void#class-{i}")
        triples += [ox.Triple(ds, v("classPartition"), part), ox.Triple(part, v("class"), r["c"]),
                    ox.Triple(part, v("entities"), _int(int(r["n"].value)))]
    for i, r in enumerate(_rows(store, "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } "
                                       "GROUP BY ?p ORDER BY ?p")):
        part = ox.NamedNode(f"{b}void#property-{i}")
        triples += [ox.Triple(ds, v("propertyPartition"), part), ox.Triple(part, v("property"), r["p"]),
                    ox.Triple(part, v("triples"), _int(int(r["n"].value)))]
    for g in store.graph_names():
        node = ox.NamedNode(g)
        triples += [ox.Triple(ds, v("subset"), node), ox.Triple(node, a, v("Dataset")),
                    ox.Triple(node, v("triples"), _int(store.count(g)))]
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes()) or b""


def void_description(store: Any, endpoint: str | None = None) -> bytes:
    """The project's VoID (:func:`kg.export.void.void_graph`, with this server as the SPARQL
    endpoint) when that module is installed, else :func:`void_turtle`. Dump links, which
    ``kg build`` writes relative to its output directory, are left out: this server does not
    serve the dumps."""
    try:
        from kg.export.void import RELATIVE, void_graph
    except ImportError:
        return void_turtle(store, endpoint)
    triples = [
        t for t in void_graph(store, sparql_endpoint=endpoint or None)
        if not any(isinstance(x, ox.NamedNode) and x.value.startswith(RELATIVE) for x in (t.subject, t.object))
    ]
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes()) or b""

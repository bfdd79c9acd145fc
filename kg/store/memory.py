"""``memory:`` — an rdflib in-memory dataset, for small or throw-away graphs. Nothing persists
after the process ends. Queries run on rdflib's engine and are returned as pyoxigraph results,
so every store answers in the same shape.

>>> import pyoxigraph as ox
>>> s = open("")
>>> g = "https://w3id.org/medkg/id/graph/catalog/x"
>>> q = ox.Quad(ox.NamedNode("http://x/a"), ox.NamedNode("http://x/p"), ox.Literal("v"), ox.NamedNode(g))
>>> s.replace_graphs({g: [q]})
>>> s.graph_names(), s.count(), s.count(g)
(['https://w3id.org/medkg/id/graph/catalog/x'], 1, 1)
>>> [r["o"].value for r in s.query("SELECT ?o WHERE { ?s ?p ?o }", substitutions={"s": q.subject})]
['v']
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from kg.store import STAGING_PREFIX, QueryResult, StoreError

_RDFLIB_FORMATS = {
    "ttl": "turtle", "turtle": "turtle", "nt": "nt", "nq": "nquads", "trig": "trig",
    "jsonld": "json-ld", "rdf": "xml", "xml": "xml", "n3": "n3",
}


def open(location: str, *, read_only: bool = False) -> MemoryStore:  # noqa: A001 - registry API
    if location not in ("", "//"):
        raise StoreError(f"memory: store takes no location (got {location!r})")
    return MemoryStore()


def _to_rdflib(term: object) -> Any:
    """A pyoxigraph term (or a plain Python value) as the rdflib term it denotes."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)  # as rdflib parses a plain N-Triples literal
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    if isinstance(term, str | int | float | bool):
        return Literal(term)
    raise TypeError(f"cannot bind {term!r}")


class MemoryStore:
    url = "memory:"

    def __init__(self) -> None:
        from rdflib import Dataset

        self.ds = Dataset(default_union=True)

    def _swap(self, staged: Mapping[str, Any]) -> None:
        from rdflib import URIRef

        for graph, new in staged.items():
            self.ds.remove_graph(URIRef(graph))
            if len(new):
                g = self.ds.graph(URIRef(graph))
                g += new

    def replace_graphs(self, graphs: Mapping[str, Iterable[ox.Quad]]) -> None:
        self.replace_graphs_bulk(graphs, {})

    def replace_graphs_bulk(
        self, graphs: Mapping[str, Iterable[ox.Quad]], files: Mapping[str, Sequence[Path]],
    ) -> None:
        """Parse every graph's new content aside first (a failure changes nothing), then swap."""
        from rdflib import Graph

        staged = {}
        for graph in dict.fromkeys([*graphs, *files]):
            new = Graph()
            triples = (ox.Triple(q.subject, q.predicate, q.object) for q in graphs.get(graph, ()))
            data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
            new.parse(data=data.decode("utf-8"), format="nt")
            for f in files.get(graph, ()):
                new.parse(str(f), format="nt")
            staged[graph] = new
        self._swap(staged)

    def query(
        self, sparql: str, *, substitutions: Mapping[str, object] | None = None,
        timeout: float | None = None,
    ) -> QueryResult:
        init = {k: _to_rdflib(v) for k, v in (substitutions or {}).items()}
        try:
            result = self.ds.query(sparql, initBindings=init)
            kind = result.type
            # rdflib evaluates lazily: its errors come while the results are serialized
            data = result.serialize(format="json" if kind in ("SELECT", "ASK") else "nt")
        except Exception as err:  # pyparsing's ParseException: the same error type as Oxigraph's
            if type(err).__name__ == "ParseException":
                raise SyntaxError(str(err).splitlines()[0]) from None
            # rdflib raises bare Exceptions for what its engine cannot evaluate (a negated inverse
            # path in path-between): a query error (exit 1), not a traceback
            raise RuntimeError(f"rdflib cannot evaluate this query: {err}") from None
        if kind in ("SELECT", "ASK"):
            return ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
        store = ox.Store()
        store.load(data, format=ox.RdfFormat.N_TRIPLES)
        return store.query("CONSTRUCT WHERE { ?s ?p ?o }")

    def _graphs(self) -> list[Any]:
        return [g for g in self.ds.graphs()
                if len(g) and str(g.identifier).startswith(("http", "urn"))
                and str(g.identifier) != "urn:x-rdflib:default"
                and not str(g.identifier).startswith(STAGING_PREFIX)]

    def graph_names(self) -> list[str]:
        return sorted(str(g.identifier) for g in self._graphs())

    def count(self, graph: str | None = None) -> int:
        from rdflib import URIRef

        if graph is None:
            return sum(len(g) for g in self._graphs())
        return len(self.ds.graph(URIRef(graph)))

    def dump(self, out: IO[bytes], format: str, graph: str | None = None) -> None:
        from rdflib import URIRef

        fmt = _RDFLIB_FORMATS.get(format, format)
        target = self.ds.graph(URIRef(graph)) if graph else self.ds
        buf = io.BytesIO()
        target.serialize(buf, format=fmt)
        out.write(buf.getvalue())

    def close(self) -> None:
        pass

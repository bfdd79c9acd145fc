"""``memory:`` — an rdflib in-memory dataset, for small or throw-away graphs. Nothing persists
after the process ends. Queries run on rdflib's engine and are returned as pyoxigraph results,
so every store answers in the same shape."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import IO

import pyoxigraph as ox

from kg.store import QueryResult, StoreError


def open(location: str, *, read_only: bool = False) -> MemoryStore:  # noqa: A001 - registry API
    if location not in ("", "//"):
        raise StoreError(f"memory: store takes no location (got {location!r})")
    return MemoryStore()


class MemoryStore:
    url = "memory:"

    def __init__(self) -> None:
        from rdflib import Dataset

        self.ds = Dataset(default_union=True)

    def replace_graphs(self, graphs: Mapping[str, Iterable[ox.Quad]]) -> None:
        from rdflib import URIRef

        staged = {}
        for graph, quads in graphs.items():  # serialize first: a failure changes nothing
            triples = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
            staged[graph] = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        for graph, data in staged.items():
            self.ds.remove_graph(URIRef(graph))
            g = self.ds.graph(URIRef(graph))
            g.parse(data=data.decode("utf-8"), format="nt")

    def query(
        self, sparql: str, *, substitutions: Mapping[str, object] | None = None,
        timeout: float | None = None,
    ) -> QueryResult:
        from rdflib.plugins.sparql.processor import prepareQuery  # noqa: F401 - parse errors early
        from rdflib.util import from_n3

        init = {k: from_n3(str(v)) for k, v in (substitutions or {}).items()}
        result = self.ds.query(sparql, initBindings=init)
        if result.type == "SELECT" or result.type == "ASK":
            data = result.serialize(format="json")
            return ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
        data = result.serialize(format="nt")
        store = ox.Store()
        store.load(data, format=ox.RdfFormat.N_TRIPLES)
        return store.query("CONSTRUCT WHERE { ?s ?p ?o }")

    def graph_names(self) -> list[str]:
        names = (str(g.identifier) for g in self.ds.graphs() if len(g))
        return sorted(n for n in names if n.startswith(("http", "urn")) and n != "urn:x-rdflib:default")

    def count(self, graph: str | None = None) -> int:
        from rdflib import URIRef

        if graph is None:
            return sum(len(g) for g in self.ds.graphs())
        return len(self.ds.graph(URIRef(graph)))

    def dump(self, out: IO[bytes], format: str, graph: str | None = None) -> None:
        from rdflib import URIRef

        fmt = {"ttl": "turtle", "nt": "nt", "nq": "nquads", "trig": "trig", "jsonld": "json-ld",
               "rdf": "xml", "xml": "xml"}.get(format, format)
        target = self.ds.graph(URIRef(graph)) if graph else self.ds
        buf = io.BytesIO()
        target.serialize(buf, format=fmt)
        out.write(buf.getvalue())

    def close(self) -> None:
        pass

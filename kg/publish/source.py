"""Reading what the site needs from any store: the statements about one node (out and in, with
their graphs), the labels, the resources under the base."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox

from kg.namespaces import RDFS, SKOS

Stmt = tuple[ox.Triple, str | None]  # a triple and the name of a graph holding it

LABEL_PREDICATES = (RDFS + "label", SKOS + "prefLabel")


class Source:
    """Statement look-ups over a store: Oxigraph indexes when available, else SPARQL."""

    def __init__(self, store: object) -> None:
        self.store = store
        raw = getattr(store, "raw", None)
        self.raw = raw if isinstance(raw, ox.Store) else None

    def _quads(self, s: object = None, o: object = None) -> Iterator[ox.Quad]:
        if self.raw is not None:
            yield from self.raw.quads_for_pattern(s, None, o, None)
            return
        subs = {"s": s} if s is not None else {"o": o}
        for r in self.store.query(  # type: ignore[attr-defined]
            "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", substitutions=subs
        ):
            yield ox.Quad(r["s"], r["p"], r["o"], r["g"])

    @staticmethod
    def _group(quads: Iterator[ox.Quad]) -> list[tuple[ox.Triple, list[str]]]:
        seen: dict[ox.Triple, list[str]] = {}
        for q in quads:
            g = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else None
            graphs = seen.setdefault(q.triple, [])
            if g and g not in graphs:
                graphs.append(g)
        # in term order, not the store's: a site published from a SPARQL server is the same site
        return sorted(((t, sorted(gs)) for t, gs in seen.items()),
                      key=lambda item: (str(item[0].predicate), str(item[0].object), str(item[0].subject)))

    def outgoing(self, node: ox.NamedNode | ox.BlankNode) -> list[tuple[ox.Triple, list[str]]]:
        """Distinct triples with ``node`` as subject, each with the graphs holding it."""
        return self._group(self._quads(s=node))

    def incoming(self, node: ox.NamedNode) -> list[tuple[ox.Triple, list[str]]]:
        return self._group(self._quads(o=node))

    def closure(self, node: ox.NamedNode | ox.BlankNode) -> list[ox.Triple]:
        """The concise bounded description: outgoing triples, following blank nodes."""
        out: list[ox.Triple] = []
        todo, done = [node], set()
        while todo:
            n = todo.pop()
            if n in done:
                continue
            done.add(n)
            for t, _ in self.outgoing(n):
                out.append(t)
                if isinstance(t.object, ox.BlankNode):
                    todo.append(t.object)
        return out

    def graph_subjects(self, graph: str) -> list[ox.NamedNode]:
        """The IRI subjects of one named graph."""
        if self.raw is not None:
            seen: dict[ox.NamedNode, None] = {}
            for q in self.raw.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
                if isinstance(q.subject, ox.NamedNode):
                    seen[q.subject] = None
            return sorted(seen, key=lambda n: n.value)
        rows = self.store.query(  # type: ignore[attr-defined]
            "SELECT DISTINCT ?g ?s WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?s)) } ORDER BY ?s",
            substitutions={"g": ox.NamedNode(graph)},
        )
        return [r["s"] for r in rows]

    def resources(self, base_iri: str) -> list[str]:
        """Every IRI under the base used as subject, object or graph name."""
        rows = self.store.query(  # type: ignore[attr-defined]
            "SELECT DISTINCT ?b ?x WHERE { { ?x ?p ?o } UNION { ?s ?p ?x } "
            "FILTER(isIRI(?x) && STRSTARTS(STR(?x), ?b)) }",
            substitutions={"b": ox.Literal(base_iri)},
        )
        found = {r["x"].value for r in rows}
        found.update(g for g in self.store.graph_names() if g.startswith(base_iri))  # type: ignore[attr-defined]
        return sorted(found)

    def labels(self) -> dict[str, str]:
        """One display label per IRI: rdfs:label or skos:prefLabel, English or untagged first."""
        best: dict[str, tuple[int, str]] = {}
        rows = self.store.query(  # type: ignore[attr-defined]
            "SELECT ?s ?l WHERE { { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } UNION "
            "{ ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l } FILTER(isIRI(?s) && isLiteral(?l)) }"
        )
        for r in rows:
            lit = r["l"]
            rank = {None: 0, "en": 1}.get(lit.language, 2)
            key = r["s"].value
            if key not in best or (rank, lit.value) < best[key]:
                best[key] = (rank, lit.value)
        return {k: v for k, (_, v) in best.items()}

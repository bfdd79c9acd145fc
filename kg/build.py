"""The main job: everything in ``data/`` and ``ontology/`` into the store, validated and counted.

Later stages add outputs (exports, renderings) by appending to :data:`OUTPUT_STEPS`; a step
whose module is not installed is skipped.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.ingest import IngestReport, ingest, rdf_file_quads
from kg.namespaces import base
from kg.store import Store

# "module:function" called as function(store, out_dir) -> list[Path] of files written
OUTPUT_STEPS: list[str] = [
    "kg.export.build:write_dumps",
    "kg.export.void:write_void",
    "kg.render.build:write_pages",
]


@dataclass
class BuildReport:
    ingest: IngestReport
    counts: list[tuple[str, int]] = field(default_factory=list)
    validation: object | None = None
    outputs: list[Path] = field(default_factory=list)


def reference_graphs(root: Path | None = None) -> dict[str, Callable[[], Iterable[ox.Quad]]]:
    """Ontology and vocabularies, one named graph each."""
    from kg.resources import resource_dir

    b = base()
    graphs: dict[str, Callable[[], Iterable[ox.Quad]]] = {}
    onto = (root / "ontology" if root else resource_dir("ontology")) / "medkg.ttl"
    graphs[f"{b}graph/ontology"] = lambda: rdf_file_quads(onto, f"{b}graph/ontology")
    vocab_dir = root / "data" / "vocab" if root else resource_dir("data/vocab")
    for f in sorted(vocab_dir.glob("*.ttl")):
        g = f"{b}graph/vocab/{f.stem}"
        graphs[g] = lambda f=f, g=g: rdf_file_quads(f, g)
    try:
        from kg.link.languages import language_triples
    except ImportError:
        return graphs
    g = f"{b}graph/vocab/languages"

    def languages() -> Iterator[ox.Quad]:
        from rdflib import Literal, URIRef

        gn = ox.NamedNode(g)

        def term(t: object) -> ox.NamedNode | ox.Literal:
            if isinstance(t, URIRef):
                return ox.NamedNode(str(t))
            assert isinstance(t, Literal)
            if t.language:
                return ox.Literal(str(t), language=t.language)
            return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype))) if t.datatype else ox.Literal(str(t))

        for s, p, o in language_triples():
            yield ox.Quad(ox.NamedNode(str(s)), ox.NamedNode(str(p)), term(o), gn)

    graphs[g] = languages
    return graphs


def class_counts(store: Store) -> list[tuple[str, int]]:
    rows = store.query(
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c "
        "FILTER(STRSTARTS(STR(?c), 'https://w3id.org/medkg/ontology#')) } GROUP BY ?c ORDER BY ?c"
    )
    return [(r["c"].value.rsplit("#", 1)[-1], int(r["n"].value)) for r in rows]


def predicate_counts(store: Store) -> list[tuple[str, int]]:
    """Distinct triples per predicate, most used first. The embedded store's union is a set; a
    server's union default graph may count a triple once per graph holding it (Virtuoso, Oxigraph
    server), so there the triples are made distinct first."""
    distinct = getattr(store, "materialized_union", False)
    triples = "?s ?p ?o" if distinct else "{ SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    rows = store.query(f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ {triples} }} GROUP BY ?p ORDER BY DESC(?n) ?p")
    return [(r["p"].value, int(r["n"].value)) for r in rows]


def build(
    store: Store, catalog: Path, *, out_dir: Path | None = None, validate: bool = True,
    force: bool = False, progress=None,
) -> BuildReport:
    report = BuildReport(ingest(
        [catalog], store, extra=reference_graphs(), force=force, prune_catalog=True,
        progress=progress,
    ))
    report.counts = class_counts(store)
    if validate:
        from kg.validate import validate as shacl

        report.validation = shacl(store)
    if out_dir is not None:
        for step in OUTPUT_STEPS:
            module, attr = step.split(":")
            try:
                fn = getattr(importlib.import_module(module), attr)
            except (ImportError, AttributeError):
                continue
            report.outputs += fn(store, out_dir)
    return report

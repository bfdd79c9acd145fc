"""Ingest: catalog files → parse → link → map → one atomic write into a store.

Each source file is one named graph, replaced as a whole, so re-ingesting a changed file replaces
what it said before and ingesting an unchanged file (same content hash, recorded in its graph)
changes nothing. All graphs of one ingest are committed in one transaction.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.link import link
from kg.map import to_quads
from kg.map.iri import graph_iri
from kg.namespaces import DCTERMS, KGO, RDF, RDFS, VOID, XSD, base
from kg.parse import Entry, Evidence, gather_evidence, learn_fields, parse_record
from kg.read import Problem, catalog_files, display_path, read_file
from kg.store import Store

Progress = Callable[[int], None]


@dataclass
class SourceReport:
    path: str
    graph: str
    status: str  # "loaded" | "unchanged"
    entries: int = 0
    rejected: list[Problem] = field(default_factory=list)
    quads: int = 0


@dataclass
class IngestReport:
    sources: list[SourceReport] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return [p for s in self.sources for p in s.rejected]

    @property
    def entries(self) -> int:
        return sum(s.entries for s in self.sources)


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stored_hash(store: Store, graph: str) -> str | None:
    rows = list(store.query(
        f"SELECT ?h WHERE {{ GRAPH <{graph}> {{ <{graph}> <{KGO}contentHash> ?h }} }}"
    ))
    return rows[0]["h"].value if rows else None


def _rejected_quads(p: Problem, g: ox.NamedNode) -> Iterator[ox.Quad]:
    from kg.map.iri import digest

    node = ox.NamedNode(f"{base()}record/rejected-{digest(p.path + ':' + str(p.line) + p.raw, 16)}")
    yield ox.Quad(node, ox.NamedNode(RDF + "type"), ox.NamedNode(KGO + "RejectedEntry"), g)
    yield ox.Quad(node, ox.NamedNode(KGO + "sourceFile"), ox.Literal(p.path), g)
    yield ox.Quad(node, ox.NamedNode(KGO + "sourceLine"),
                  ox.Literal(str(max(p.line, 1)), datatype=ox.NamedNode(XSD + "positiveInteger")), g)
    yield ox.Quad(node, ox.NamedNode(KGO + "rawHeader"), ox.Literal(p.raw), g)
    yield ox.Quad(node, ox.NamedNode(KGO + "rejectionReason"), ox.Literal(p.reason), g)
    yield ox.Quad(node, ox.NamedNode(RDFS + "label"), ox.Literal(str(p)), g)


def source_quads(
    path: Path, display: str, graph: str, digest_hex: str, ev: Evidence,
    report: SourceReport, progress: Progress | None = None,
) -> Iterator[ox.Quad]:
    """All quads one catalog file contributes to its graph, including its self-description."""
    g = ox.NamedNode(graph)
    yield ox.Quad(g, ox.NamedNode(RDF + "type"), ox.NamedNode(VOID + "Dataset"), g)
    yield ox.Quad(g, ox.NamedNode(KGO + "contentHash"), ox.Literal(digest_hex), g)
    yield ox.Quad(g, ox.NamedNode(DCTERMS + "source"), ox.Literal(display), g)
    for r in read_file(path):
        result = r if isinstance(r, Problem) else parse_record(r, ev)
        if isinstance(result, Entry):
            report.entries += 1
            for q in to_quads(link(result), graph):
                report.quads += 1
                yield q
        else:
            report.rejected.append(result)
            yield from _rejected_quads(result, g)
        if progress:
            progress(1)


def rdf_file_quads(path: Path, graph: str) -> Iterator[ox.Quad]:
    """Quads of a Turtle/N-Triples/RDF-XML file (ontology, vocabularies) into ``graph``."""
    fmt = ox.RdfFormat.from_extension(path.suffix[1:]) or ox.RdfFormat.TURTLE
    g = ox.NamedNode(graph)
    with path.open("rb") as fh:
        for t in ox.parse(fh, format=fmt, base_iri=path.resolve().as_uri()):
            yield ox.Quad(t.subject, t.predicate, t.object, g)


def ingest(
    paths: Iterable[str | Path],
    store: Store,
    *,
    extra: Mapping[str, Callable[[], Iterable[ox.Quad]]] | None = None,
    force: bool = False,
    prune_catalog: bool = False,
    progress: Callable[[int], Progress | None] | None = None,
) -> IngestReport:
    """Ingest catalog files (and ``extra`` graphs: graph IRI → quad factory) in one transaction.

    ``prune_catalog`` also drops the catalog graphs of files that are no longer given (``kg build``).
    ``progress(total)`` may return a callback called once per entry.
    """
    files = catalog_files(paths)
    ev = Evidence.default()
    total = 0
    for f in files:
        before = len(ev.topic_prefixes)
        gather_evidence(read_file(f), ev)
        total += max(1, len(ev.topic_prefixes) - before)
    learn_fields(files, ev)
    tick = progress(sum(1 for f in files for _ in read_file(f))) if progress else None

    report = IngestReport()
    graphs: dict[str, Iterable[ox.Quad]] = {}
    seen_graphs: dict[str, str] = {}
    for f in files:
        display = display_path(f)
        graph = graph_iri(display)
        if graph in seen_graphs:
            raise ValueError(f"{display}: same file name as {seen_graphs[graph]} (one graph per file name)")
        seen_graphs[graph] = display
        digest_hex = file_hash(f)
        src = SourceReport(display, graph, "loaded")
        report.sources.append(src)
        if not force and stored_hash(store, graph) == digest_hex:
            src.status = "unchanged"
            src.entries = sum(1 for r in read_file(f) if not isinstance(r, Problem))
            src.rejected = [r for r in read_file(f) if isinstance(r, Problem)]
            continue
        # materialise per file so that the report is complete before the commit
        graphs[graph] = list(source_quads(f, display, graph, digest_hex, ev, src, tick))
    for graph, factory in (extra or {}).items():
        graphs[graph] = list(factory())
    if prune_catalog:
        prefix = f"{base()}graph/catalog/"
        for g in store.graph_names():
            if g.startswith(prefix) and g not in seen_graphs:
                graphs[g] = []
    if graphs:
        store.replace_graphs(graphs)
    return report


def write_rejects(path: Path, report: IngestReport) -> None:
    """Keep the rejects file next to the store in step: this ingest's files replace their lines."""
    done = {s.path for s in report.sources}
    kept: list[str] = []
    if path.exists():
        for line in path.read_text("utf-8").splitlines():
            try:
                if json.loads(line).get("path") not in done:
                    kept.append(line)
            except ValueError:
                continue
    kept += [json.dumps(p.to_json(), ensure_ascii=False) for p in report.problems]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("".join(line + "\n" for line in kept), "utf-8")
    os.replace(tmp, path)

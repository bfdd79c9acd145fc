"""Ingest: catalog files → parse → link → map → one atomic write into a store.

Each source file is one named graph, replaced as a whole, so re-ingesting a changed file replaces
what it said before and ingesting an unchanged file (same content hash, recorded in its graph)
changes nothing. All graphs of one ingest are committed in one transaction.

Large catalogs take the bulk path (:func:`ingest` with ``bulk=True``, automatic from
:data:`BULK_MIN` entries when the store supports it): after the catalog-wide evidence pass, records
are parsed, linked and mapped in worker processes, a chunk of :data:`CHUNK` records at a time, each
chunk written as an N-Triples file of its graph in a spool directory; at most ``2 × workers`` chunks
are in flight, so memory stays bounded whatever the catalog size. The store then bulk-loads the
chunk files and commits all graphs at once (``replace_graphs_bulk``). The graph is the same as the
one the in-process path builds, quad for quad.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.link import link
from kg.map import to_quads
from kg.map.iri import graph_iri
from kg.namespaces import DCTERMS, KGO, RDF, RDFS, VOID, XSD, base
from kg.parse import Entry, Evidence, gather_evidence, learn_fields, parse_record
from kg.read import Problem, Record, catalog_files, display_path, read_file
from kg.store import Store, StoreError

Progress = Callable[[int], None]
BULK_MIN = 5000  # entries from which the bulk path is taken automatically
CHUNK = 2000  # records per worker task


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
    yield from _header_quads(graph, display, digest_hex)
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


def _header_quads(graph: str, display: str, digest_hex: str) -> list[ox.Quad]:
    g = ox.NamedNode(graph)
    return [
        ox.Quad(g, ox.NamedNode(RDF + "type"), ox.NamedNode(VOID + "Dataset"), g),
        ox.Quad(g, ox.NamedNode(KGO + "contentHash"), ox.Literal(digest_hex), g),
        ox.Quad(g, ox.NamedNode(DCTERMS + "source"), ox.Literal(display), g),
    ]


def ingest(
    paths: Iterable[str | Path],
    store: Store,
    *,
    extra: Mapping[str, Callable[[], Iterable[ox.Quad]]] | None = None,
    force: bool = False,
    prune_catalog: bool = False,
    progress: Callable[[int], Progress | None] | None = None,
    bulk: bool | None = None,
    workers: int | None = None,
) -> IngestReport:
    """Ingest catalog files (and ``extra`` graphs: graph IRI → quad factory) in one transaction.

    ``prune_catalog`` also drops the catalog graphs of files that are no longer given (``kg build``).
    ``progress(total)`` may return a callback called once per entry. ``bulk`` forces (True) or
    forbids (False) the parallel bulk path; by default it is taken from :data:`BULK_MIN` entries
    on a store that has ``replace_graphs_bulk``. ``workers`` defaults to the number of CPUs.
    """
    files = catalog_files(paths)
    ev = Evidence.default()
    total = 0
    for f in files:
        records = list(read_file(f))
        total += len(records)
        gather_evidence(records, ev)
    learn_fields(files, ev)
    tick = progress(total) if progress else None
    if bulk is None:
        bulk = total >= BULK_MIN and hasattr(store, "replace_graphs_bulk")
    elif bulk and not hasattr(store, "replace_graphs_bulk"):
        bulk = False

    report = IngestReport()
    graphs: dict[str, Iterable[ox.Quad]] = {}
    todo: list[tuple[Path, str, str, str, SourceReport]] = []
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
            for r in read_file(f):
                if isinstance(r, Problem):
                    src.rejected.append(r)
                else:
                    src.entries += 1
            if tick:
                tick(src.entries + len(src.rejected))
            continue
        todo.append((f, display, graph, digest_hex, src))

    spool: Path | None = None
    files_of: dict[str, list[Path]] = {}
    try:
        if bulk and todo:
            try:
                spool = _spool_dir()
                files_of = _parse_parallel(todo, ev, spool, workers, tick)
            except OSError as err:  # the chunk directory is full or not writable: one line, exit 3
                where = spool or os.environ.get("KG_TMPDIR") or tempfile.gettempdir()
                raise StoreError(f"{where}: cannot write the ingest's chunk files "
                                 f"(set KG_TMPDIR to a larger disk): {err.strerror or err}") from None
            for _f, display, graph, digest_hex, _src in todo:
                graphs[graph] = _header_quads(graph, display, digest_hex)
        else:
            for f, display, graph, digest_hex, src in todo:
                # materialise per file so that the report is complete before the commit
                graphs[graph] = list(source_quads(f, display, graph, digest_hex, ev, src, tick))
        for graph, factory in (extra or {}).items():
            graphs[graph] = list(factory())
        if prune_catalog:
            prefix = f"{base()}graph/catalog/"
            for g in store.graph_names():
                if g.startswith(prefix) and g not in seen_graphs:
                    graphs[g] = []
        if files_of:
            store.replace_graphs_bulk(graphs, files_of)  # type: ignore[attr-defined]
        elif graphs:
            store.replace_graphs(graphs)
    finally:
        if spool is not None:
            shutil.rmtree(spool, ignore_errors=True)
    return report


# -- the bulk path: worker processes turn record chunks into N-Triples files

def _spool_dir() -> Path:
    """A fresh chunk directory (in ``$KG_TMPDIR`` or the system temp dir), named by this process;
    the directories of dead ingests (killed before their clean-up) are removed first."""
    root = Path(os.environ.get("KG_TMPDIR") or tempfile.gettempdir())
    for old in root.glob("medkg-ingest-*-*"):
        pid = old.name.split("-")[2]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"medkg-ingest-{os.getpid()}-", dir=root))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_WORKER_EVIDENCE: Evidence | None = None


def _init_worker(ev: Evidence) -> None:
    global _WORKER_EVIDENCE
    _WORKER_EVIDENCE = ev


def _chunk_triples(
    records: list[Record | Problem], graph: str, ev: Evidence, counts: dict[str, object],
) -> Iterator[ox.Triple]:
    g = ox.NamedNode(graph)
    rejected: list[Problem] = counts["rejected"]  # type: ignore[assignment]
    for r in records:
        result = r if isinstance(r, Problem) else parse_record(r, ev)
        if isinstance(result, Entry):
            counts["entries"] += 1  # type: ignore[operator]
            for q in to_quads(link(result), graph):
                counts["quads"] += 1  # type: ignore[operator]
                yield ox.Triple(q.subject, q.predicate, q.object)
        else:
            rejected.append(result)
            for q in _rejected_quads(result, g):
                yield ox.Triple(q.subject, q.predicate, q.object)


def _parse_chunk(graph: str, out: str, records: list[Record | Problem]) -> dict[str, object]:
    """Worker task: one chunk of records → one N-Triples file; returns the counts and rejects."""
    ev = _WORKER_EVIDENCE or Evidence.default()
    counts: dict[str, object] = {"entries": 0, "quads": 0, "rejected": [], "records": len(records)}
    data = ox.serialize(_chunk_triples(records, graph, ev, counts), format=ox.RdfFormat.N_TRIPLES)
    Path(out).write_bytes(data or b"")
    return counts


def _parse_parallel(
    todo: list[tuple[Path, str, str, str, SourceReport]], ev: Evidence, spool: Path,
    workers: int | None, tick: Progress | None,
) -> dict[str, list[Path]]:
    """Parse, link and map every record of ``todo`` in worker processes; N-Triples files per graph."""
    import multiprocessing as mp
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor

    n = max(1, workers or os.cpu_count() or 1)
    files_of: dict[str, list[Path]] = {}
    inflight: deque[tuple[Future, SourceReport]] = deque()

    def settle(fut: Future, src: SourceReport) -> None:
        c = fut.result()
        src.entries += c["entries"]
        src.quads += c["quads"]
        src.rejected.extend(c["rejected"])
        if tick:
            tick(c["records"])

    ctx = mp.get_context("spawn")  # no fork of a process holding an open store
    with ProcessPoolExecutor(n, mp_context=ctx, initializer=_init_worker, initargs=(ev,)) as pool:
        for _f, _display, graph, _digest, src in todo:
            files_of[graph] = []
            batch: list[Record | Problem] = []
            records = read_file(_f)
            while True:
                r = next(records, None)
                if r is not None:
                    batch.append(r)
                if batch and (len(batch) >= CHUNK or r is None):
                    out = spool / f"{len(files_of)}-{len(files_of[graph])}.nt"
                    files_of[graph].append(out)
                    inflight.append((pool.submit(_parse_chunk, graph, str(out), batch), src))
                    batch = []
                    while len(inflight) > 2 * n:  # bounded memory: wait for the oldest chunk
                        settle(*inflight.popleft())
                if r is None:
                    break
        while inflight:
            settle(*inflight.popleft())
    return files_of


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

"""Ingest: catalog files → parse → link → map → one atomic write into a store.

Each source file is one named graph, replaced as a whole, so re-ingesting a changed file replaces
what it said before and ingesting an unchanged file (same content hash, recorded in its graph,
and the same pipeline: :func:`pipeline_hash`) changes nothing. All graphs of one ingest are
committed in one transaction.

Large catalogs take the bulk path (:func:`ingest` with ``bulk=True``, automatic from
:data:`BULK_MIN` entries when the store supports it): worker processes gather the catalog-wide
evidence file by file, then parse, link and map the records, a chunk of :data:`CHUNK` records at a
time, each chunk written as an N-Triples file of its graph in a spool directory (the records that
do not depend on the learned resource fields first, while this process learns them); at most
``2 × workers`` chunks are in flight, so memory stays bounded whatever the catalog size. The store
then bulk-loads the chunk files and commits all graphs at once (``replace_graphs_bulk``). The graph
is the same as the one the in-process path builds, quad for quad.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import pickle
import shutil
import tempfile
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from kg.link import link
from kg.map import to_ntriples, to_quads
from kg.map.iri import graph_iri
from kg.namespaces import DCTERMS, KGO, RDF, RDFS, VOID, XSD, base
from kg.parse import Entry, Evidence, gather_evidence, learn_fields, learn_record, parse_record, uses_fields
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


def pipeline_hash() -> str:
    """SHA-256 of what turns a catalog file into triples besides the file itself: the code of the
    read, parse, link and map stages, the vocabularies, pycountry's version (language names) and
    the IRI base. Recorded beside the file's content hash, so that a file is ingested again after
    medkg, a vocabulary or ``KG_BASE`` changed, not only when the file did.

    >>> len(pipeline_hash()), pipeline_hash() == pipeline_hash()
    (64, True)
    """
    return _pipeline_hash(base())


@cache
def _pipeline_hash(base_iri: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    from kg.link.vocab import vocab_files

    package = Path(__file__).resolve().parent
    h = hashlib.sha256()
    sources = [f for stage in ("read", "parse", "link", "map") for f in sorted((package / stage).glob("*.py"))]
    for f in [package / "namespaces.py", *sources, *vocab_files()]:
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    with contextlib.suppress(PackageNotFoundError):  # language names come from pycountry
        h.update(version("pycountry").encode())
    h.update(base_iri.encode())
    return h.hexdigest()


def stored_hashes(store: Store, graph: str) -> tuple[str, str] | None:
    """(content hash, pipeline hash) recorded in a catalog file's graph (the pipeline hash is ""
    in stores built before it was recorded)."""
    rows = list(store.query(
        f"SELECT ?g ?h ?p WHERE {{ GRAPH ?g {{ ?g <{KGO}contentHash> ?h OPTIONAL {{ ?g <{KGO}pipelineHash> ?p }} }} }}",
        substitutions={"g": ox.NamedNode(graph)},  # bound, not pasted into the text
    ))
    if not rows:
        return None
    p = rows[0]["p"]
    return rows[0]["h"].value, p.value if p is not None else ""


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
        ox.Quad(g, ox.NamedNode(KGO + "pipelineHash"), ox.Literal(pipeline_hash()), g),
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
    can_bulk = bulk is not False and hasattr(store, "replace_graphs_bulk")
    pool: _Pool | None = None
    spool: Path | None = None
    try:
        # start the workers early when the catalog looks large: they gather the evidence while this
        # process hashes the files (whether the bulk path is taken still depends on the entry count)
        if can_bulk and (bulk or sum(f.stat().st_size for f in files) >= BULK_MIN * MIN_ENTRY_BYTES):
            pool = _Pool(workers)
        ev = Evidence.default()
        pending = [pool.submit(_gather_file, f, ev.access_phrases) for f in files] if pool else []
        total = 0
        if not pool:
            for f in files:
                records = list(read_file(f))
                total += len(records)
                gather_evidence(records, ev)
        report, todo, unchanged, seen_graphs = _sources(files, store, force)
        for fut in pending:
            count, words, words_lower, prefixes = fut.result()
            total += count
            ev.words |= words
            ev.words_lower |= words_lower
            ev.topic_prefixes.update(prefixes)

        if bulk is None:
            bulk = total >= BULK_MIN
        if not (bulk and can_bulk and todo):
            if pool:
                pool.close()
                pool = None
        elif pool is None:
            pool = _Pool(workers)
        if pool:
            pool.warm_up()  # the workers build their matchers before their first chunk
        else:
            learn_fields(files, ev)  # the bulk path learns them while the workers start on the rest
        tick = progress(total) if progress else None
        for f, src in unchanged:
            for r in read_file(f):
                if isinstance(r, Problem):
                    src.rejected.append(r)
                else:
                    src.entries += 1
            if tick:
                tick(src.entries + len(src.rejected))

        graphs: dict[str, Iterable[ox.Quad]] = {}
        pruned: list[str] = []
        if prune_catalog:
            prefix = f"{base()}graph/catalog/"
            pruned = [g for g in store.graph_names() if g.startswith(prefix) and g not in seen_graphs]
        if pool:
            names = [item[2] for item in todo] + list(extra or {}) + pruned
            try:
                spool = _spool_dir()
            except OSError as err:
                where = os.environ.get("KG_TMPDIR") or tempfile.gettempdir()
                raise StoreError(f"{where}: cannot write the ingest's chunk files "
                                 f"(set KG_TMPDIR to a larger disk): {err.strerror or err}") from None
            if hasattr(store, "bulk_replace"):
                # chunks are bulk-loaded as they come, while the workers parse the next ones
                with store.bulk_replace(names) as tx:  # type: ignore[attr-defined]
                    _parse_in_pool(pool, files, todo, ev, spool, tick, extra or {}, graphs, tx.load)
                    pool.close()
                    pool = None
                    _finish_bulk(graphs, todo, pruned)
                    tx.commit(graphs)
            else:
                files_of = _parse_in_pool(pool, files, todo, ev, spool, tick, extra or {}, graphs, None)
                pool.close()  # the workers' memory goes before the bulk load
                pool = None
                _finish_bulk(graphs, todo, pruned)
                store.replace_graphs_bulk(graphs, files_of)  # type: ignore[attr-defined]
        else:
            for f, display, graph, digest_hex, src in todo:
                # materialise per file so that the report is complete before the commit
                graphs[graph] = list(source_quads(f, display, graph, digest_hex, ev, src, tick))
            for graph, factory in (extra or {}).items():
                quads = list(factory())
                if force or not _holds_exactly(store, graph, quads):
                    graphs[graph] = quads
            for g in pruned:
                graphs[g] = []
            if graphs:
                store.replace_graphs(graphs)
    finally:
        if pool is not None:  # stopped before its chunk directory goes
            pool.close(cancel=True)
        if spool is not None:
            shutil.rmtree(spool, ignore_errors=True)
    return report


Todo = tuple[Path, str, str, str, SourceReport]  # file, display path, graph, content hash, report


def _sources(
    files: list[Path], store: Store, force: bool,
) -> tuple[IngestReport, list[Todo], list[tuple[Path, SourceReport]], dict[str, str]]:
    """The report's sources; the files to load and the unchanged ones; graph → display path."""
    report = IngestReport()
    todo: list[Todo] = []
    unchanged: list[tuple[Path, SourceReport]] = []
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
        if not force and stored_hashes(store, graph) == (digest_hex, pipeline_hash()):
            src.status = "unchanged"
            unchanged.append((f, src))
            continue
        todo.append((f, display, graph, digest_hex, src))
    return report, todo, unchanged, seen_graphs


# -- the bulk path: worker processes gather evidence, then turn record chunks into N-Triples files

MIN_ENTRY_BYTES = 200  # catalog entries are longer: below BULK_MIN × this, do not start workers early


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


class _Pool:
    """The worker processes of one bulk ingest (spawned, not forked: this process holds a store)."""

    def __init__(self, workers: int | None) -> None:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        self.n = max(1, workers or os.cpu_count() or 1)
        self.executor = ProcessPoolExecutor(self.n, mp_context=mp.get_context("spawn"))

    def submit(self, fn: Callable[..., object], *args: object) -> Future:
        return self.executor.submit(fn, *args)

    def warm_up(self) -> None:
        for _ in range(self.n):
            self.executor.submit(_warm_up)

    def close(self, cancel: bool = False) -> None:
        self.executor.shutdown(wait=True, cancel_futures=cancel)


def _gather_file(path: Path, access_phrases: list[str]) -> tuple[int, set[str], set[str], Counter[str]]:
    """Worker task: the evidence one file adds (see :func:`kg.parse.gather_evidence`), and its number
    of records and problems. Evidence is sets and counts: merged in any order, it is the same."""
    records = list(read_file(path))
    ev = Evidence(access_phrases=access_phrases)
    gather_evidence(records, ev)
    return len(records), ev.words, ev.words_lower, ev.topic_prefixes


def _warm_up() -> None:
    """Worker task: load the vocabularies and build the matchers the linker uses."""
    from kg.link import extract
    from kg.link.resolve import family_index
    from kg.link.vocab import vocabulary

    for name in ("topics", "venues", "access", "modalities", "tasks"):
        vocabulary(name)
    for family in ("model", "dataset"):
        family_index(family)
    for matcher in (extract.task_matcher, extract.model_matcher, extract.dataset_matcher, extract.language_matcher):
        matcher()


_WORKER_EVIDENCE: tuple[str, Evidence] | None = None


def _evidence(path: str) -> Evidence:
    """The catalog's evidence, pickled once by the main process, unpickled once per worker."""
    global _WORKER_EVIDENCE
    if _WORKER_EVIDENCE is None or _WORKER_EVIDENCE[0] != path:
        with open(path, "rb") as fh:
            _WORKER_EVIDENCE = (path, pickle.load(fh))
    return _WORKER_EVIDENCE[1]


def _chunk_lines(records: list[Record | Problem], graph: str, ev: Evidence, counts: dict[str, object]) -> list[str]:
    """N-Triples lines of a chunk of records, written directly as text (see :func:`kg.map.to_ntriples`)."""
    g = ox.NamedNode(graph)
    rejected: list[Problem] = counts["rejected"]  # type: ignore[assignment]
    lines: list[str] = []
    entries = quads = 0
    for r in records:
        result = r if isinstance(r, Problem) else parse_record(r, ev)
        if isinstance(result, Entry):
            entries += 1
            mapped = to_ntriples(link(result))
            quads += len(mapped)
            lines += mapped
        else:
            rejected.append(result)
            lines += [f"{q.subject} {q.predicate} {q.object} .\n" for q in _rejected_quads(result, g)]
    counts["entries"] = entries
    counts["quads"] = quads
    return lines


def _parse_chunk(evidence: str, graph: str, out: str, records: list[Record | Problem]) -> dict[str, object]:
    """Worker task: one chunk of records → one N-Triples file; returns the counts and rejects."""
    counts: dict[str, object] = {"entries": 0, "quads": 0, "rejected": [], "records": len(records)}
    lines = _chunk_lines(records, graph, _evidence(evidence), counts)
    with open(out, "w", encoding="utf-8") as fh:
        # entries of a chunk repeat statements about what they share (a venue, a dataset …): a
        # fifth of the lines, which the bulk load would parse and sort for nothing
        fh.writelines(dict.fromkeys(lines))
    return counts


def _holds_exactly(store: Store, graph: str, quads: list[ox.Quad]) -> bool:
    """Whether ``graph`` in the store already holds exactly the triples of ``quads`` (then replacing
    it is skipped: rewriting the 47k unchanged vocabulary quads took 4 s of a 5 s rebuild). Graphs
    with blank nodes never count as unchanged: their labels differ from one build to the next."""
    reader = getattr(store, "quads", None)
    if reader is None or store.count(graph) != len(quads):  # an absent graph counts 0: as empty
        return False
    new = {q.triple for q in quads}
    if len(new) != len(quads) or any(
        isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in new
    ):
        return False
    return all(q.triple in new for q in reader(graph))


def _finish_bulk(graphs: dict[str, Iterable[ox.Quad]], todo: list[Todo], pruned: list[str]) -> None:
    for _f, display, graph, digest_hex, _src in todo:
        graphs[graph] = _header_quads(graph, display, digest_hex)
    for g in pruned:
        graphs[g] = []


def _parse_in_pool(
    pool: _Pool, files: list[Path], todo: list[Todo], ev: Evidence, spool: Path,
    tick: Progress | None, extra: Mapping[str, Callable[[], Iterable[ox.Quad]]],
    graphs: dict[str, Iterable[ox.Quad]], on_chunk: Callable[[str, Path], None] | None,
) -> dict[str, list[Path]]:
    """:func:`_parse_parallel`, with the chunk directory's write errors as one line (exit 3)."""
    try:
        return _parse_parallel(pool, files, todo, ev, spool, tick, extra, graphs, on_chunk)
    except OSError as err:  # the chunk directory is full or not writable
        raise StoreError(f"{spool}: cannot write the ingest's chunk files "
                         f"(set KG_TMPDIR to a larger disk): {err.strerror or err}") from None


def _parse_parallel(
    pool: _Pool, files: list[Path], todo: list[Todo], ev: Evidence, spool: Path,
    tick: Progress | None, extra: Mapping[str, Callable[[], Iterable[ox.Quad]]],
    graphs: dict[str, Iterable[ox.Quad]], on_chunk: Callable[[str, Path], None] | None = None,
) -> dict[str, list[Path]]:
    """Parse, link and map every record of ``todo`` in the workers; N-Triples files per graph,
    each handed to ``on_chunk(graph, path)`` as soon as it is written when given, else returned.

    Only resource headers weigh the fields learned from the catalog (:func:`kg.parse.learn_fields`):
    the workers start on the other records while this process learns the fields, then take the
    resource records. Meanwhile this process also materialises the ``extra`` graphs into ``graphs``.
    """
    files_of: dict[str, list[Path]] = {item[2]: [] for item in todo}
    inflight: deque[tuple[Future, SourceReport, str, Path]] = deque()
    extras = list(extra.items())
    numbers = itertools.count()

    def settle(fut: Future, src: SourceReport, graph: str, out: Path) -> None:
        c = fut.result()
        src.entries += c["entries"]
        src.quads += c["quads"]
        src.rejected.extend(c["rejected"])
        if on_chunk is not None:
            on_chunk(graph, out)
        if tick:
            tick(c["records"])

    def take_extras() -> None:
        # as quads: as N-Triples files (bulk-loaded with the chunks) they load no faster (measured)
        while extras:
            graph, factory = extras.pop(0)
            graphs[graph] = list(factory())

    def submit(evidence: Path, graph: str, src: SourceReport, batch: list[Record | Problem]) -> None:
        out = spool / f"{next(numbers)}.nt"
        if on_chunk is None:
            files_of[graph].append(out)
        inflight.append((pool.submit(_parse_chunk, str(evidence), graph, str(out), batch), src, graph, out))
        while len(inflight) > 2 * pool.n:  # bounded memory: wait for the oldest chunk
            take_extras()  # the workers are busy: this process does its own share meanwhile
            settle(*inflight.popleft())

    def chunks(evidence: Path, records: Iterable[Record | Problem], graph: str, src: SourceReport) -> None:
        batch: list[Record | Problem] = []
        for r in records:
            batch.append(r)
            if len(batch) >= CHUNK:
                submit(evidence, graph, src, batch)
                batch = []
        if batch:
            submit(evidence, graph, src, batch)

    def learning(records: Iterable[Record | Problem]) -> Iterator[Record | Problem]:
        for r in records:
            learn_record(r, ev)
            yield r

    by_file = {item[0]: item for item in todo}
    early = _dump_evidence(ev, spool / "evidence-early.pickle")
    for f in files:  # catalog order: what is learned from one resource header weighs the next
        item = by_file.get(f)
        if item is None:
            for _ in learning(read_file(f)):
                pass
        else:
            chunks(early, (r for r in learning(read_file(f)) if not uses_fields(r)), item[2], item[4])
    final = _dump_evidence(ev, spool / "evidence.pickle")
    for f, _display, graph, _digest, src in todo:
        chunks(final, (r for r in read_file(f) if uses_fields(r)), graph, src)
    while inflight:
        take_extras()
        settle(*inflight.popleft())
    take_extras()
    for item in todo:  # in file order, as the in-process path reports them
        item[4].rejected.sort(key=lambda p: p.line)
    return files_of


def _dump_evidence(ev: Evidence, path: Path) -> Path:
    with path.open("wb") as fh:
        pickle.dump(ev, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return path


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

"""Ingest: catalog files → parse → link → map → one atomic write into a store.

Each source file is one named graph, replaced as a whole, so re-ingesting a changed file replaces
what it said before and ingesting an unchanged file (same content hash, recorded in its graph,
and the same pipeline: :func:`pipeline_hash`) changes nothing. All graphs of one ingest are
committed in one transaction.

Linking a paper needs the whole catalog: the datasets other entries describe or introduce
(:class:`kg.link.catalog.CatalogNames`) are gathered from every file given before any entry is
linked, and from the catalog graphs already in the store: each graph records the names its file's
entries describe or introduce (``kgo:describesDatasetName`` …), so ``kg ingest new.txt`` links
its papers to the datasets of the files ingested before, as ``kg build`` of them all would. The
digest of the names that occur in a file is part of the pipeline hash its graph records, so a
file is linked again when one of them changes (a dataset entry added, renamed or removed
elsewhere), and only then.

Large catalogs take the bulk path (:func:`ingest` with ``bulk=True``, automatic from
:data:`BULK_MIN` entries when the store supports it): worker processes gather the catalog-wide
evidence file by file and the catalog names (the papers' while this process learns the resource
fields, then the resources'), then parse, link and map the records, a chunk of :data:`CHUNK`
records at a time, each chunk written as an N-Triples file of its graph in a spool directory; at
most ``2 × workers`` chunks are in flight, so memory stays bounded whatever the catalog size. The
store then bulk-loads the chunk files and commits all graphs at once (``replace_graphs_bulk``). The
graph is the same as the one the in-process path builds, quad for quad.
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
from kg.link.catalog import CatalogNames, record_names
from kg.map import to_ntriples, to_quads
from kg.map.iri import graph_iri
from kg.namespaces import DCTERMS, KGO, RDF, RDFS, VOID, XSD, base
from kg.parse import Entry, Evidence, gather_evidence, learn_fields, parse_record, uses_fields
from kg.read import Problem, Record, catalog_files, display_path, read_file
from kg.store import Store, StoreError

Progress = Callable[[int], None]
GRAPH_HEADER = 2  # what a catalog graph says of itself (2: the names its entries describe)
Pairs = list[tuple[str, str]]  # (name, class) of what a file's entries describe or introduce
# how a catalog graph records those names (a Benchmark's as a dataset's: the linker treats them alike)
NAME_PREDICATES = {"Dataset": KGO + "describesDatasetName", "Benchmark": KGO + "describesDatasetName",
                   "Model": KGO + "describesModelName", "Method": KGO + "describesMethodName"}
_NAME_CLASSES = {KGO + "describesDatasetName": "Dataset", KGO + "describesModelName": "Model",
                 KGO + "describesMethodName": "Method"}
BULK_MIN = 5000  # entries from which the bulk path is taken automatically
CHUNK = 2000  # records per worker task


@dataclass
class SourceReport:
    path: str
    graph: str
    status: str  # "loaded" | "unchanged" | "relinked" (not given: see ingest) | "stale" (not ingested)
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


def pipeline_hash(names_digest: str = "") -> str:
    """SHA-256 of what turns a catalog file into triples besides the file itself: the code of the
    read, parse, link and map stages, the vocabularies, pycountry's version (language names), the
    IRI base and the digest of the catalog names that occur in the file (:func:`names_digest`),
    when there are any. Recorded beside the file's content hash, so that a file is ingested again
    after medkg, a vocabulary, ``KG_BASE`` or a dataset it names changed, not only when it did.

    >>> len(pipeline_hash()), pipeline_hash() == pipeline_hash(""), pipeline_hash() == pipeline_hash("ab")
    (64, True, False)
    """
    code = _pipeline_hash(base())
    if not names_digest:
        return code
    return hashlib.sha256(f"{code}\n{names_digest}".encode()).hexdigest()


def record_text(r: Record | Problem) -> str:
    """The text of a record as the file holds it (what :func:`names_digest` scans)."""
    return r.raw if isinstance(r, Problem) else f"{r.header}\n{r.description or ''}"


def names_digest(path: Path, names: CatalogNames | None) -> str:
    """Digest of the catalog names that occur in a file's records (see :mod:`kg.link.catalog`)."""
    if not names:
        return ""
    return names.digest(names.occurring(record_text(r) for r in read_file(path)))


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
    h.update(f"graph header {GRAPH_HEADER}".encode())
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
    report: SourceReport, progress: Progress | None = None, names: CatalogNames | None = None,
    pairs: Iterable[tuple[str, str]] = (),
) -> Iterator[ox.Quad]:
    """All quads one catalog file contributes to its graph, including its self-description
    (with ``pairs``: the names its entries describe or introduce)."""
    g = ox.NamedNode(graph)
    yield from _header_quads(graph, display, digest_hex, pipeline_hash(names_digest(path, names)), pairs)
    for r in read_file(path):
        result = r if isinstance(r, Problem) else parse_record(r, ev)
        if isinstance(result, Entry):
            report.entries += 1
            for q in to_quads(link(result, names), graph):
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


def _header_quads(
    graph: str, display: str, digest_hex: str, phash: str, pairs: Iterable[tuple[str, str]] = (),
) -> list[ox.Quad]:
    g = ox.NamedNode(graph)
    return [
        ox.Quad(g, ox.NamedNode(RDF + "type"), ox.NamedNode(VOID + "Dataset"), g),
        ox.Quad(g, ox.NamedNode(KGO + "contentHash"), ox.Literal(digest_hex), g),
        ox.Quad(g, ox.NamedNode(KGO + "pipelineHash"), ox.Literal(phash), g),
        ox.Quad(g, ox.NamedNode(DCTERMS + "source"), ox.Literal(display), g),
        *(ox.Quad(g, ox.NamedNode(predicate), ox.Literal(name), g)
          for predicate, name in sorted({(NAME_PREDICATES[kind], name) for name, kind in pairs})),
    ]


def stored_names(store: Store, skip: Iterable[str]) -> Pairs:
    """(name, class) of what the catalog graphs in ``store`` record their entries describe or
    introduce, leaving out the graphs in ``skip`` (those being ingested again)."""
    skipped = set(skip)
    return [pair for g, pairs in stored_names_by_graph(store).items() if g not in skipped for pair in pairs]


def stored_names_by_graph(store: Store) -> dict[str, Pairs]:
    """Catalog graph → the (name, class) pairs it records (see :func:`stored_names`)."""
    prefix = f"{base()}graph/catalog/"
    rows = store.query(
        "SELECT ?g ?p ?name WHERE { VALUES ?p { "
        + " ".join(f"<{p}>" for p in _NAME_CLASSES)
        + " } GRAPH ?g { ?g ?p ?name } }")
    out: dict[str, Pairs] = {}
    for r in rows:
        g = r["g"].value  # type: ignore[index, union-attr]
        if g.startswith(prefix):
            out.setdefault(g, []).append((r["name"].value, _NAME_CLASSES[r["p"].value]))  # type: ignore[index, union-attr]
    return out


def changed_names(before: CatalogNames, after: CatalogNames) -> CatalogNames:
    """The names of every name key whose names or IRIs differ between ``before`` and ``after``
    (with the spellings and IRIs of both): a file holding one of them is linked differently.

    >>> sorted(changed_names(CatalogNames({"FooQA": "x", "BarQA": "y"}),
    ...                      CatalogNames({"FooQA": "x", "BazQA": "z"})).labels)
    ['BarQA', 'BazQA']
    """
    old, new = before._by_key(), after._by_key()
    keys = {k for k in old.keys() | new.keys() if sorted(old.get(k, ())) != sorted(new.get(k, ()))}
    return CatalogNames({label: iri for k in keys for label, iri in (*old.get(k, ()), *new.get(k, ()))})


def _to_relink(
    store: Store, given: Mapping[str, Pairs], recorded: Mapping[str, Pairs], names: CatalogNames,
) -> tuple[list[Path], list[SourceReport]]:
    """The files of the other catalog graphs in the store that hold a name whose meaning the
    given files (graph → the names they describe now) change (a dataset they add, rename or
    remove), and the reports of those whose file is gone or changed since it was ingested (they
    cannot be linked again from it)."""
    if all(set(pairs) == set(recorded.get(g, ())) for g, pairs in given.items()):
        return [], []  # the names the files given describe are those their graphs record
    changed = changed_names(CatalogNames.from_pairs(p for pairs in recorded.values() for p in pairs), names)
    if not changed:
        return [], []
    prefix = f"{base()}graph/catalog/"
    rows = store.query(
        f"SELECT ?g ?src ?h WHERE {{ GRAPH ?g {{ ?g <{DCTERMS}source> ?src ; <{KGO}contentHash> ?h }} }}")
    files: list[Path] = []
    stale: list[SourceReport] = []
    for r in rows:
        graph, display, digest_hex = (r[v].value for v in ("g", "src", "h"))  # type: ignore[index, union-attr]
        if not graph.startswith(prefix) or graph in given:
            continue
        path = Path(display)
        try:
            current = file_hash(path)
        except OSError:
            current = ""
        if current != digest_hex:  # gone or edited: its stored records are scanned instead
            if changed.occurring(_stored_texts(store, graph)):
                stale.append(SourceReport(display, graph, "stale"))
        elif changed.occurring(record_text(rec) for rec in read_file(path)):
            files.append(path)
    return files, stale


def _stored_texts(store: Store, graph: str) -> Iterator[str]:
    rows = store.query(f"""SELECT ?g ?h ?d WHERE {{ GRAPH ?g {{ ?r <{KGO}rawHeader> ?h
        OPTIONAL {{ ?r <{KGO}rawDescription> ?d }} }} }}""", substitutions={"g": ox.NamedNode(graph)})
    for r in rows:
        yield f"{r['h'].value}\n{r['d'].value if r['d'] is not None else ''}"  # type: ignore[index, union-attr]


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
    Otherwise the files already in the store that name a dataset whose meaning the files given
    change (one they add, rename or remove) are linked again in the same transaction, as if given
    too (status ``relinked``); those whose file is gone or edited since are reported ``stale``.
    ``progress(total)`` may return a callback called once per entry. ``bulk`` forces (True) or
    forbids (False) the parallel bulk path; by default it is taken from :data:`BULK_MIN` entries
    on a store that has ``replace_graphs_bulk``. ``workers`` defaults to the number of CPUs.
    """
    files = catalog_files(paths)
    options = {"extra": extra, "force": force, "prune_catalog": prune_catalog, "progress": progress,
               "bulk": bulk, "workers": workers}
    try:
        return _ingest(files, store, relink=not prune_catalog, **options)  # type: ignore[arg-type]
    except _RelinkToo as err:
        more = err
    report = _ingest(files + more.files, store, relink=False, **options)  # type: ignore[arg-type]
    again = {display_path(f) for f in more.files}
    for src in report.sources:
        if src.path in again and src.status == "loaded":
            src.status = "relinked"
    report.sources += more.stale
    return report


class _RelinkToo(Exception):  # noqa: N818 - not an error: ingest again with these files too
    def __init__(self, files: list[Path], stale: list[SourceReport]) -> None:
        self.files, self.stale = files, stale


def _ingest(
    files: list[Path],
    store: Store,
    *,
    relink: bool,
    extra: Mapping[str, Callable[[], Iterable[ox.Quad]]] | None,
    force: bool,
    prune_catalog: bool,
    progress: Callable[[int], Progress | None] | None,
    bulk: bool | None,
    workers: int | None,
) -> IngestReport:
    can_bulk = bulk is not False and hasattr(store, "replace_graphs_bulk")
    pool: _Pool | None = None
    spool: Path | None = None
    stale: list[SourceReport] = []
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
        report, sources, seen_graphs = _sources(files, store)
        for fut in pending:
            count, words, words_lower, prefixes = fut.result()
            total += count
            ev.words |= words
            ev.words_lower |= words_lower
            ev.topic_prefixes.update(prefixes)

        if bulk is None:
            bulk = total >= BULK_MIN
        if not (bulk and can_bulk):
            if pool:
                pool.close()
                pool = None
        elif pool is None:
            pool = _Pool(workers)
        if pool:
            spool = _make_spool()
            with _spool_errors(spool):  # and learns the resource fields meanwhile
                pairs_of = _names_in_pool(pool, files, ev, spool)
        else:
            learn_fields(files, ev)
            pairs_of = described_in(files, ev)
        # the other catalog graphs' names too, unless they are about to go (kg build)
        recorded = {} if prune_catalog else stored_names_by_graph(store)
        kept = [pair for g, pairs in recorded.items() if g not in seen_graphs for pair in pairs]
        names = CatalogNames.from_pairs(itertools.chain(kept, *pairs_of.values()))
        if relink:
            given = {item[2]: pairs_of.get(item[0], []) for item, _stored in sources}
            again, stale = _to_relink(store, given, recorded, names)
            if again:
                raise _RelinkToo(again, stale)
        with _spool_errors(spool) if spool else contextlib.nullcontext():
            todo, unchanged = _changed(sources, names, force, pool, spool)
        if pool and not todo:
            pool.close()
            pool = None
        elif pool:
            pool.warm_up()  # the workers build their matchers before their first chunk
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
            assert spool is not None
            replaced = [item[2] for item in todo] + list(extra or {}) + pruned
            found: dict[str, set[str]] = {}  # graph → keys of the catalog names its records hold
            if hasattr(store, "bulk_replace"):
                # chunks are bulk-loaded as they come, while the workers parse the next ones
                with store.bulk_replace(replaced) as tx:  # type: ignore[attr-defined]
                    _parse_in_pool(pool, todo, ev, names, spool, tick, extra or {}, graphs, found, tx.load)
                    pool.close()
                    pool = None
                    _finish_bulk(graphs, todo, pruned, names, found, pairs_of)
                    tx.commit(graphs)
            else:
                files_of = _parse_in_pool(pool, todo, ev, names, spool, tick, extra or {}, graphs, found, None)
                pool.close()  # the workers' memory goes before the bulk load
                pool = None
                _finish_bulk(graphs, todo, pruned, names, found, pairs_of)
                store.replace_graphs_bulk(graphs, files_of)  # type: ignore[attr-defined]
        else:
            for f, display, graph, digest_hex, src in todo:
                # materialise per file so that the report is complete before the commit
                graphs[graph] = list(source_quads(f, display, graph, digest_hex, ev, src, tick, names,
                                                  pairs_of.get(f, [])))
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
    report.sources += stale
    return report


Todo = tuple[Path, str, str, str, SourceReport]  # file, display path, graph, content hash, report


Source = tuple[Todo, tuple[str, str] | None]  # with the hashes its graph records


def _sources(files: list[Path], store: Store) -> tuple[IngestReport, list[Source], dict[str, str]]:
    """The report's sources, each with the hashes its graph records now; graph → display path."""
    report = IngestReport()
    sources: list[Source] = []
    seen_graphs: dict[str, str] = {}
    for f in files:
        display = display_path(f)
        graph = graph_iri(display)
        if graph in seen_graphs:
            raise ValueError(f"{display}: same file name as {seen_graphs[graph]} (one graph per file name)")
        seen_graphs[graph] = display
        src = SourceReport(display, graph, "loaded")
        report.sources.append(src)
        sources.append(((f, display, graph, file_hash(f), src), stored_hashes(store, graph)))
    return report, sources, seen_graphs


def _changed(
    sources: list[Source], names: CatalogNames, force: bool, pool: _Pool | None, spool: Path | None,
) -> tuple[list[Todo], list[tuple[Path, SourceReport]]]:
    """The files to load and the unchanged ones (same content and pipeline hash, unless ``force``);
    the names digest is computed (in the workers, when there are) only for files whose content and
    code are unchanged."""
    todo: list[Todo] = []
    unchanged: list[tuple[Path, SourceReport]] = []
    code = pipeline_hash()
    same = [item for item, stored in sources if not force and stored is not None and stored[0] == item[3]
            and (stored[1] == code or names)]
    if pool and spool and names and same:
        names_file = str(_names_file(names, spool))
        futs = [pool.submit(_names_digest, names_file, item[0]) for item in same]
        digests = {item[2]: fut.result() for item, fut in zip(same, futs, strict=True)}
    else:
        digests = {item[2]: names_digest(item[0], names) for item in same}
    for item, stored in sources:
        if item[2] in digests and stored == (item[3], pipeline_hash(digests[item[2]])):
            item[4].status = "unchanged"
            unchanged.append((item[0], item[4]))
        else:
            todo.append(item)
    return todo, unchanged


def described_in(files: list[Path], ev: Evidence) -> dict[Path, Pairs]:
    """File → (name, class) of what its entries describe or introduce (the evidence is complete)."""
    return {f: [pair for r in read_file(f) if isinstance(r, Record) for pair in record_names(r, ev)]
            for f in files}


# -- the bulk path: worker processes gather evidence, then turn record chunks into N-Triples files

MIN_ENTRY_BYTES = 200  # catalog entries are longer: below BULK_MIN × this, do not start workers early


def _make_spool() -> Path:
    try:
        return _spool_dir()
    except OSError as err:
        where = os.environ.get("KG_TMPDIR") or tempfile.gettempdir()
        raise StoreError(f"{where}: cannot write the ingest's chunk files "
                         f"(set KG_TMPDIR to a larger disk): {err.strerror or err}") from None


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


_WORKER_STATE: dict[str, object] = {}


def _unpickled(path: str) -> object:
    """What the main process pickled once for all tasks (the evidence, the catalog names),
    unpickled once per worker."""
    if path not in _WORKER_STATE:
        with open(path, "rb") as fh:
            _WORKER_STATE[path] = pickle.load(fh)
    return _WORKER_STATE[path]


def _file_names(evidence: str, path: Path, resources: bool) -> list[tuple[str, str]]:
    """Worker task: (name, class) of what one file's papers and works (or its resources, which
    need the learned fields) describe or introduce."""
    ev: Evidence = _unpickled(evidence)  # type: ignore[assignment]
    return [pair for r in read_file(path) if isinstance(r, Record) and uses_fields(r) == resources
            for pair in record_names(r, ev)]


def _names_digest(names: str, path: Path) -> str:
    """Worker task: :func:`names_digest` of one file."""
    return names_digest(path, _unpickled(names))  # type: ignore[arg-type]


def _names_file(names: CatalogNames, spool: Path) -> Path:
    path = spool / "names.pickle"
    return path if path.exists() else _dump(names, path)


def _names_in_pool(pool: _Pool, files: list[Path], ev: Evidence, spool: Path) -> dict[Path, Pairs]:
    """:func:`described_in`, from the workers. Papers parse the same before and after the
    resource fields are learned: their names are gathered while this process learns those
    fields, then the resources' with the complete evidence."""
    early = _dump(ev, spool / "evidence-early.pickle")
    papers = [pool.submit(_file_names, str(early), f, False) for f in files]
    learn_fields(files, ev)
    final = _dump(ev, spool / "evidence.pickle")
    resources = [pool.submit(_file_names, str(final), f, True) for f in files]
    return {f: p.result() + r.result() for f, p, r in zip(files, papers, resources, strict=True)}


def _chunk_lines(
    records: list[Record | Problem], graph: str, ev: Evidence, names: CatalogNames, counts: dict[str, object],
) -> list[str]:
    """N-Triples lines of a chunk of records, written directly as text (see :func:`kg.map.to_ntriples`)."""
    g = ox.NamedNode(graph)
    rejected: list[Problem] = counts["rejected"]  # type: ignore[assignment]
    lines: list[str] = []
    entries = quads = 0
    for r in records:
        result = r if isinstance(r, Problem) else parse_record(r, ev)
        if isinstance(result, Entry):
            entries += 1
            mapped = to_ntriples(link(result, names))
            quads += len(mapped)
            lines += mapped
        else:
            rejected.append(result)
            lines += [f"{q.subject} {q.predicate} {q.object} .\n" for q in _rejected_quads(result, g)]
    counts["entries"] = entries
    counts["quads"] = quads
    return lines


def _parse_chunk(evidence: str, names: str, graph: str, out: str, records: list[Record | Problem]) -> dict[str, object]:
    """Worker task: one chunk of records → one N-Triples file; returns the counts and rejects."""
    catalog: CatalogNames = _unpickled(names)  # type: ignore[assignment]
    counts: dict[str, object] = {"entries": 0, "quads": 0, "rejected": [], "records": len(records),
                                 "names": catalog.occurring(record_text(r) for r in records)}
    lines = _chunk_lines(records, graph, _unpickled(evidence), catalog, counts)  # type: ignore[arg-type]
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


def _finish_bulk(
    graphs: dict[str, Iterable[ox.Quad]], todo: list[Todo], pruned: list[str],
    names: CatalogNames, found: Mapping[str, set[str]], pairs_of: Mapping[Path, Pairs],
) -> None:
    for f, display, graph, digest_hex, _src in todo:
        phash = pipeline_hash(names.digest(found.get(graph, set())) if names else "")
        graphs[graph] = _header_quads(graph, display, digest_hex, phash, pairs_of.get(f, []))
    for g in pruned:
        graphs[g] = []


def _parse_in_pool(
    pool: _Pool, todo: list[Todo], ev: Evidence, names: CatalogNames, spool: Path,
    tick: Progress | None, extra: Mapping[str, Callable[[], Iterable[ox.Quad]]],
    graphs: dict[str, Iterable[ox.Quad]], found: dict[str, set[str]],
    on_chunk: Callable[[str, Path], None] | None,
) -> dict[str, list[Path]]:
    """:func:`_parse_parallel`, with the chunk directory's write errors as one line (exit 3)."""
    with _spool_errors(spool):
        return _parse_parallel(pool, todo, ev, names, spool, tick, extra, graphs, found, on_chunk)


@contextlib.contextmanager
def _spool_errors(spool: Path) -> Iterator[None]:
    try:
        yield
    except OSError as err:  # the chunk directory is full or not writable
        raise StoreError(f"{spool}: cannot write the ingest's chunk files "
                         f"(set KG_TMPDIR to a larger disk): {err.strerror or err}") from None


def _parse_parallel(
    pool: _Pool, todo: list[Todo], ev: Evidence, names: CatalogNames, spool: Path,
    tick: Progress | None, extra: Mapping[str, Callable[[], Iterable[ox.Quad]]],
    graphs: dict[str, Iterable[ox.Quad]], found: dict[str, set[str]],
    on_chunk: Callable[[str, Path], None] | None = None,
) -> dict[str, list[Path]]:
    """Parse, link and map every record of ``todo`` in the workers, with the complete evidence and
    the catalog names; N-Triples files per graph, each handed to ``on_chunk(graph, path)`` as soon
    as it is written when given, else returned; ``found`` gets the keys of the catalog names each
    graph's records hold. Meanwhile this process materialises the ``extra`` graphs into ``graphs``.
    """
    files_of: dict[str, list[Path]] = {item[2]: [] for item in todo}
    inflight: deque[tuple[Future, SourceReport, str, Path]] = deque()
    extras = list(extra.items())
    numbers = itertools.count()
    evidence_file = spool / "evidence.pickle"  # written by _names_in_pool: the evidence is complete
    evidence = str(evidence_file if evidence_file.exists() else _dump(ev, evidence_file))
    names_path = str(_names_file(names, spool))

    def settle(fut: Future, src: SourceReport, graph: str, out: Path) -> None:
        c = fut.result()
        src.entries += c["entries"]
        src.quads += c["quads"]
        src.rejected.extend(c["rejected"])
        found.setdefault(graph, set()).update(c["names"])
        if on_chunk is not None:
            on_chunk(graph, out)
        if tick:
            tick(c["records"])

    def take_extras() -> None:
        # as quads: as N-Triples files (bulk-loaded with the chunks) they load no faster (measured)
        while extras:
            graph, factory = extras.pop(0)
            graphs[graph] = list(factory())

    def submit(graph: str, src: SourceReport, batch: list[Record | Problem]) -> None:
        out = spool / f"{next(numbers)}.nt"
        if on_chunk is None:
            files_of[graph].append(out)
        inflight.append((pool.submit(_parse_chunk, evidence, names_path, graph, str(out), batch), src, graph, out))
        while len(inflight) > 2 * pool.n:  # bounded memory: wait for the oldest chunk
            take_extras()  # the workers are busy: this process does its own share meanwhile
            settle(*inflight.popleft())

    for f, _display, graph, _digest, src in todo:
        batch: list[Record | Problem] = []
        for r in read_file(f):
            batch.append(r)
            if len(batch) >= CHUNK:
                submit(graph, src, batch)
                batch = []
        if batch:
            submit(graph, src, batch)
    while inflight:
        take_extras()
        settle(*inflight.popleft())
    take_extras()
    for item in todo:  # in file order, as the in-process path reports them
        item[4].rejected.sort(key=lambda p: p.line)
    return files_of


def _dump(value: object, path: Path) -> Path:
    with path.open("wb") as fh:
        pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
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

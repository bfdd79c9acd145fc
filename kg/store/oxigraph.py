"""The embedded default store: Oxigraph on disk (pyoxigraph, used directly — see the README for
the measurement against oxrdflib).

Atomic replacement: new quads are first bulk-loaded into staging graphs, then one SPARQL update
(one transaction) drops the old graphs and moves the staged ones in. A kill before that update
leaves only staging graphs, which the next writable open removes; a kill during it is rolled
back by the transaction. So the visible graphs are always either all old or all new.

The bulk path (:meth:`OxigraphStore.replace_graphs_bulk`) loads N-Triples chunk files with
Oxigraph's bulk loader. Copying a staged graph into place costs a transaction write per quad
(≈ 25 µs, more than the bulk load itself), so a graph that does not exist yet is bulk-loaded
straight into place instead, after writing a pending file (``pending-<token>.json``) that names
it. The final update writes a commit graph together with the moves; on the next writable open a
pending file whose commit graph is missing means the ingest died before committing, and the
graphs it names are dropped. Either way the store ends all old or all new.

The default graph holds a **materialised union** of the named graphs (each distinct triple once),
and queries read it instead of Oxigraph's ``use_default_graph_as_union`` view: that view is a bag
(a triple repeated in several graphs comes out several times, and joins multiply the repeats) and
was measured 12–120x slower on the named queries (bench/RESULTS.md). A replaced graph updates the
union in the same transaction as the move (delete what no other graph still says, add the new
content); a graph bulk-loaded in place is bulk-loaded into the union in the same bulk loads, under
a ``union-stale`` marker: while the marker exists readers fall back to the union view (of the
committed graphs), and the next writable open rebuilds the union from the named graphs. Readers of the whole dataset
(:meth:`quads`, :meth:`dump`, :meth:`count`) skip the default graph, so exports hold every quad once.

A bulk replacement of existing graphs that hold :data:`SWAP_MIN_QUADS` quads or more (every file
ingested again after an upgrade of medkg, or with ``--force``) would make that one transaction
hold millions of writes in memory (3.3 GB and 133 s for 20k entries, measured). It builds a new
store beside this one instead (``.<name>.next``: the graphs it keeps copied, the new ones
bulk-loaded in place with their union copy, then compacted) and swaps the two directories under a
synced ``.<name>.swap`` marker. An open finds either the old store complete, or the marker and the
new one; a writable open completes a swap that a kill interrupted (and drops a half-built new
store that has no marker), so the store is again all old or all new.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from kg.store import STAGING_PREFIX, QueryResult, StoreError

MARKER = "medkg-store.json"
GENERATION = "generation"  # a token rewritten at every commit, for readers that follow the store
FORMAT_VERSION = 2  # 2: the default graph holds the materialised union of the named graphs
READABLE_VERSIONS = (1, 2)  # a version-1 store gets its union built on its next writable open
UNION_STALE = "union-stale"
LOAD_BATCH = 24 << 20  # bytes of N-Triples per bulk load
# After a bulk replacement that loaded this much, the store is compacted: bulk loads leave many
# overlapping files (~90 at 100k entries) and reads then cost twice as much (bench/RESULTS.md)
COMPACT_AFTER = 64 << 20
# Existing quads replaced from which a bulk replacement builds a new store and swaps it in, rather
# than moving the graphs in one transaction (memory grows by kilobytes a quad in a transaction)
SWAP_MIN_QUADS = 100_000
DROP_BATCH = 50_000  # quads deleted per transaction when a graph no reader sees is dropped
DEFAULT = ox.DefaultGraph()


def swap_paths(path: Path) -> tuple[Path, Path, Path]:
    """The new store being built beside ``path``, the old one being swapped out, and the marker
    saying that the new one is complete."""
    path = path.absolute()  # a store named "." has a name here
    return (path.with_name(f".{path.name}.next"), path.with_name(f".{path.name}.old"),
            path.with_name(f".{path.name}.swap"))


def finish_swap(path: Path) -> None:
    """Complete a swap that a killed ingest started (its marker exists): the new store goes in
    place and the old one away."""
    path = path.absolute()
    nxt, old, mark = swap_paths(path)
    if mark.exists():
        if nxt.is_dir():
            if path.exists():
                if old.exists():
                    shutil.rmtree(old)
                os.rename(path, old)
            os.rename(nxt, path)
            _sync_dir(path.parent)
        mark.unlink()
        _sync_dir(path.parent)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


def generation(path: Path) -> tuple[int, int, bytes]:
    """What changes whenever a commit becomes visible in the store at ``path``: the directory a
    reader opens (a swap puts another one in place) and the token the last commit wrote in it
    (:data:`GENERATION`). Two stats and a small read: ``kg serve`` asks it about once a second.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> before = generation(d); _new_generation(d); generation(d) != before
    True
    """
    path = path.absolute()
    nxt, _old, mark = swap_paths(path)
    where = nxt if mark.exists() and nxt.is_dir() else path  # as a read-only open chooses
    try:
        st = os.stat(where)
    except OSError:
        return (0, 0, b"")
    try:
        token = (where / GENERATION).read_bytes()
    except OSError:
        token = b""
    return (st.st_dev, st.st_ino, token)


def _new_generation(path: Path) -> None:
    """Write a new commit token (renamed into place: a reader never sees half of one)."""
    tmp = path / (GENERATION + ".tmp")
    tmp.write_text(uuid.uuid4().hex)
    os.replace(tmp, path / GENERATION)


def _sync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check_dir(path: Path, read_only: bool) -> int:
    """The store format version found at ``path`` (``FORMAT_VERSION`` for a new store)."""
    if path.exists() and not path.is_dir():
        raise StoreError(f"{path}: store path exists and is not a directory")
    if path.is_dir() and any(path.iterdir()):
        marker = path / MARKER
        if not marker.is_file():
            raise StoreError(
                f"{path}: not a medkg store (no {MARKER}); refusing to open a foreign directory"
            )
        try:
            meta = json.loads(marker.read_text("utf-8"))
            version = int(meta["format"])
        except (ValueError, KeyError, TypeError, OSError) as err:
            raise StoreError(f"{path}: corrupt store marker {MARKER}: {err}") from None
        if version not in READABLE_VERSIONS:
            raise StoreError(f"{path}: store format {version}, this medkg reads {FORMAT_VERSION}")
        return version
    if read_only:
        raise StoreError(f"{path}: no store here (run `kg build` or `kg ingest` first)")
    return FORMAT_VERSION


def open(location: str, *, read_only: bool = False) -> OxigraphStore:  # noqa: A001 - registry API
    return OxigraphStore(Path(location or ".kg/store"), read_only=read_only)


class OxigraphStore:
    # Oxigraph's ORDER BY reads each compared string from disk: `kg query` sorts the rows itself
    slow_order_by = True

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        nxt, _old, mark = swap_paths(path)
        try:
            if read_only:
                if mark.exists() and nxt.is_dir():
                    path = nxt  # a swap not yet completed: the new store is complete, and it wins
            else:
                finish_swap(path)
        except OSError as err:
            raise StoreError(f"{path}: cannot open store: {_reason(err)}") from None
        version = _check_dir(path, read_only)
        self.path = path
        self.url = f"oxigraph:{path}"
        self.read_only = read_only
        try:
            if read_only:
                self._store = ox.Store.read_only(str(path))
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(path))
                marker = path / MARKER
                if not marker.exists():
                    marker.write_text(json.dumps({"format": FORMAT_VERSION, "engine": "oxigraph"}))
        except OSError as err:
            raise StoreError(f"{path}: cannot open store: {_reason(err)}") from None
        except RuntimeError as err:  # RocksDB "Corruption: …" (a damaged or truncated file)
            raise StoreError(f"{path}: corrupt store, cannot open it: {_reason(err)} "
                             "(rebuild it with `kg build`)") from None
        self._hidden: list[ox.NamedNode] = []
        if not read_only:
            if nxt.exists() and not mark.exists():  # a new store whose build was cut short
                shutil.rmtree(nxt, ignore_errors=True)
            self._recover()
            self._drop_staging()
            if version < FORMAT_VERSION or (path / UNION_STALE).exists():
                self.rebuild_union()
            if version < FORMAT_VERSION:
                (path / MARKER).write_text(json.dumps({"format": FORMAT_VERSION, "engine": "oxigraph"}))
            self._stale = False
        else:
            self._hidden = self._uncommitted()
            self._visible = [g for g in self._store.named_graphs() if g not in set(self._hidden)]
            self._stale = version < FORMAT_VERSION or (path / UNION_STALE).exists()

    # -- writing

    def _drop_staging(self) -> None:
        for g in self._store.named_graphs():
            if g.value.startswith(STAGING_PREFIX):
                self._drop_graph(g)

    def _drop_graph(self, graph: ox.NamedNode | ox.DefaultGraph) -> None:
        """Delete a graph's quads :data:`DROP_BATCH` at a time (then the graph): one transaction
        for a whole graph holds every deletion in memory (gigabytes for a large catalog's
        leftovers). Used for what no reader sees: staging graphs, uncommitted graphs, a stale union."""
        where = "?s ?p ?o" if isinstance(graph, ox.DefaultGraph) else f"GRAPH <{graph.value}> {{ ?s ?p ?o }}"
        batch = f"DELETE {{ {where} }} WHERE {{ SELECT ?s ?p ?o WHERE {{ {where} }} LIMIT {DROP_BATCH} }}"
        while next(iter(self._store.quads_for_pattern(None, None, None, graph)), None) is not None:
            self._update(batch)
        if not isinstance(graph, ox.DefaultGraph):
            self._update(f"DROP SILENT GRAPH <{graph.value}>")

    def _recover(self) -> None:
        """Roll back the fresh graphs of bulk ingests that died before their commit."""
        for pending in sorted(self.path.glob("pending-*.json")):
            try:
                meta = json.loads(pending.read_text("utf-8"))
                token, fresh = str(meta["token"]), [str(g) for g in meta["fresh"]]
            except (ValueError, KeyError, TypeError, OSError):
                pending.unlink(missing_ok=True)
                continue
            committed = ox.NamedNode(f"{STAGING_PREFIX}{token}:commit") in set(self._store.named_graphs())
            if not committed:
                for g in fresh:
                    self._drop_graph(ox.NamedNode(g))
            pending.unlink(missing_ok=True)

    def _uncommitted(self) -> list[ox.NamedNode]:
        """Graphs a reader must not see: staging graphs and commit marks, and fresh graphs of bulk
        ingests that died before their commit (named by their pending file)."""
        names = set(self._store.named_graphs())
        hidden = {g for g in names if g.value.startswith(STAGING_PREFIX)}
        for pending in sorted(self.path.glob("pending-*.json")):
            try:
                meta = json.loads(pending.read_text("utf-8"))
                token, fresh = str(meta["token"]), [str(g) for g in meta["fresh"]]
            except (ValueError, KeyError, TypeError, OSError):
                continue
            if ox.NamedNode(f"{STAGING_PREFIX}{token}:commit") not in names:
                hidden.update(ox.NamedNode(g) for g in fresh)
        return sorted(hidden & names, key=lambda g: g.value)

    @property
    def materialized_union(self) -> bool:
        """Whether the default graph is, right now, the union of the visible named graphs."""
        return not self._stale and not self._hidden

    def rebuild_union(self) -> None:
        """Rebuild the default graph as the union of the named graphs (recovery, upgrade)."""
        stale = self.path / UNION_STALE
        _touch_synced(stale)
        try:
            self._drop_graph(DEFAULT)
            # quads, not a file: a parser would give blank nodes new labels
            self._store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, DEFAULT) for q in self._named_quads())
            self._store.flush()
        except OSError as err:
            raise StoreError(f"{self.path}: write failed: {_reason(err)}") from None
        stale.unlink(missing_ok=True)

    def _named_quads(self) -> Iterator[ox.Quad]:
        for g in self._store.named_graphs():
            yield from self._store.quads_for_pattern(None, None, None, g)

    def _update(self, text: str) -> None:
        try:
            self._store.update(text)
        except OSError as err:
            raise StoreError(f"{self.path}: write failed: {_reason(err)}") from None

    def replace_graphs(self, graphs: Mapping[str, Iterable[ox.Quad]], *, bulk: bool = False) -> None:
        if self.read_only:
            raise StoreError(f"{self.path}: store opened read-only")
        token = uuid.uuid4().hex
        moves = []
        try:
            for i, (graph, quads) in enumerate(graphs.items()):
                staging = ox.NamedNode(f"{STAGING_PREFIX}{token}:{i}")
                staged = (ox.Quad(q.subject, q.predicate, q.object, staging) for q in quads)
                if bulk:
                    self._store.bulk_extend(staged)
                else:
                    self._store.extend(staged)
                moves.append(
                    _forget(graph)
                    + f"DROP SILENT GRAPH <{graph}> ;\n"
                    f"ADD SILENT GRAPH <{staging.value}> TO GRAPH <{graph}> ;\n"
                    f"DROP SILENT GRAPH <{staging.value}> ;\n"
                    f"ADD SILENT GRAPH <{graph}> TO DEFAULT ;\n"
                )
        except OSError as err:
            self._drop_staging()
            raise StoreError(f"{self.path}: write failed: {_reason(err)}") from None
        except BaseException:
            self._drop_staging()
            raise
        if moves:
            self._update("".join(moves))
        self._store.flush()
        if moves:
            self._committed()

    def replace_graphs_bulk(
        self, graphs: Mapping[str, Iterable[ox.Quad]], files: Mapping[str, Sequence[Path]],
    ) -> None:
        """Like :meth:`replace_graphs`, where the new content of a graph is its quads in ``graphs``
        plus the N-Triples ``files`` given for it (bulk-loaded, at most :data:`LOAD_BATCH` bytes of
        them in memory at a time)."""
        with self.bulk_replace([*graphs, *files]) as tx:
            for g, paths in files.items():
                for f in paths:
                    tx.load(g, f)
            tx.commit(graphs)

    def bulk_replace(self, names: Iterable[str]) -> BulkReplace:
        """A bulk replacement of the graphs ``names``, fed chunk files while they are being written
        (:meth:`BulkReplace.load`) and committed at once (:meth:`BulkReplace.commit`); used as a
        context manager, anything short of the commit leaves the graphs as they were."""
        if self.read_only:
            raise StoreError(f"{self.path}: store opened read-only")
        return BulkReplace(self, list(dict.fromkeys(names)))

    # -- reading

    def query(
        self, sparql: str, *, substitutions: Mapping[str, object] | None = None,
        timeout: float | None = None,
    ) -> QueryResult:
        subs = {ox.Variable(k): v for k, v in (substitutions or {}).items()} or None
        if self.materialized_union:
            if subs:
                # the same bindings also as VALUES blocks: Oxigraph's optimizer does not see that a
                # substituted variable is bound and starts elsewhere (2–100x slower on the library's
                # selective queries); in sub-selects for IRIs only (kg.query.params.bind_values)
                from kg.query.params import bind_values

                iris = [k for k, v in (substitutions or {}).items() if isinstance(v, ox.NamedNode)]
                try:
                    return self._store.query(bind_values(sparql, substitutions or {}, inner=iris),
                                             substitutions=subs)
                except (ValueError, SyntaxError):
                    pass  # no WHERE group to put it in, or a syntax error: reported on the user's own text
            return self._store.query(sparql, substitutions=subs)
        if self._hidden:  # only the committed graphs: the union of those, and GRAPH over those
            return self._store.query(sparql, default_graph=list(self._visible),
                                     named_graphs=list(self._visible), substitutions=subs)
        return self._store.query(sparql, use_default_graph_as_union=True, substitutions=subs)

    def graph_names(self) -> list[str]:
        hidden = set(self._hidden)
        return sorted(
            g.value for g in self._store.named_graphs()
            if not g.value.startswith(STAGING_PREFIX) and g not in hidden
        )

    def count(self, graph: str | None = None) -> int:
        """Quads in ``graph``, or in all named graphs (the union's copy is not counted)."""
        if graph is None:
            visible = set(self.graph_names())
            rows = self._store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
            return sum(int(r["n"].value) for r in rows if r["g"].value in visible)  # type: ignore[index, union-attr]
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """The quads of ``graph``, or of every visible named graph, graph by graph."""
        names = [graph] if graph else self.graph_names()
        for g in names:
            yield from self._store.quads_for_pattern(None, None, None, ox.NamedNode(g))

    def union(self) -> Iterator[ox.Triple]:
        """Each distinct triple of the visible named graphs once (the materialised union when it is
        up to date)."""
        if self.materialized_union:
            return (q.triple for q in self._store.quads_for_pattern(None, None, None, DEFAULT))
        seen: set[ox.Triple] = set()
        return (q.triple for q in self.quads() if not (q.triple in seen or seen.add(q.triple)))

    def dump(self, out: IO[bytes], format: str, graph: str | None = None) -> None:
        fmt = (ox.RdfFormat.from_extension(format) if len(format) <= 6
               else ox.RdfFormat.from_media_type(format))
        if fmt is None:
            raise ValueError(f"unknown RDF format {format!r}")
        if graph:
            self._store.dump(out, fmt, from_graph=ox.NamedNode(graph))
        elif fmt.supports_datasets:
            ox.serialize(self.quads(), out, fmt)
        else:
            ox.serialize(self.union(), out, fmt)

    def _committed(self) -> None:
        """Tell readers that follow the store (``kg serve``) that a commit landed."""
        try:
            _new_generation(self.path)
        except OSError as err:  # the commit stands; a server notices it at the next one
            logging.getLogger(__name__).warning("%s: cannot write the commit token: %s", self.path, _reason(err))

    def _swap_in(self) -> None:
        """Put the complete new store (``.<name>.next``) in this one's place (see the module)."""
        nxt, old, mark = swap_paths(self.path)
        try:
            _touch_synced(mark)
            _sync_dir(self.path.parent)
            self._store.flush()
            del self._store  # its lock goes with it
            finish_swap(self.path)
            self._store = ox.Store(str(self.path))
        except OSError as err:
            raise StoreError(f"{self.path}: write failed: {_reason(err)}") from None
        self._stale = False
        self._hidden = []

    def compact(self) -> None:
        """Compact the on-disk files (Oxigraph's ``optimize``): after large bulk loads this halves
        the time of a full scan or a large query (6 s at 100k entries). The data is unchanged, so
        a failure here is only logged."""
        try:
            self._store.optimize()
        except OSError as err:
            logging.getLogger(__name__).warning("%s: compaction skipped: %s", self.path, _reason(err))

    @property
    def raw(self) -> ox.Store:
        """The pyoxigraph store, for code that needs its full API (export, bench)."""
        return self._store

    def __enter__(self) -> OxigraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            if not self.read_only:
                self._store.flush()
        except (OSError, RuntimeError, AttributeError):
            pass  # committed data is in the write-ahead log; the next open replays it
        finally:
            self.__dict__.pop("_store", None)


class BulkReplace:
    """One bulk replacement (see :meth:`OxigraphStore.bulk_replace`).

    A graph that does not exist yet is bulk-loaded straight into place, with its union copy, as
    its files arrive (a pending file names it for recovery; transactional writes would cost ~25 µs
    a quad, twice with the union's copy); an existing graph is loaded into a staging graph. The
    commit is one update: the commit mark, the staged graphs moved in and the union updated.
    When the existing graphs replaced hold :data:`SWAP_MIN_QUADS` quads or more, every graph is
    loaded in place into a new store instead, which is swapped in at the commit (see the module).
    """

    def __init__(self, store: OxigraphStore, names: list[str]) -> None:
        self.store, self.names = store, names
        self.token = uuid.uuid4().hex
        existing = {g.value for g in store._store.named_graphs()}
        replaced = set(names) & existing
        self.swap = bool(replaced) and _quads_in(store._store, replaced) >= SWAP_MIN_QUADS
        self.target: ox.Store | None = None  # the new store, when swapping
        self.fresh = set(names) if self.swap else {g for g in names if g not in existing}
        self.staging = {g: ox.NamedNode(f"{STAGING_PREFIX}{self.token}:{i}") for i, g in enumerate(names)}
        self.pending = store.path / f"pending-{self.token}.json"
        self.stale = store.path / UNION_STALE
        self.union_touched = False
        self.queued: list[tuple[Path, str, bool]] = []
        self.queued_bytes = 0
        self.loaded_bytes = 0
        self.loading: Future | None = None  # the batch being loaded by the loader thread
        self.loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-bulk-load")
        self.done = False

    def __enter__(self) -> BulkReplace:
        if self.swap:
            nxt = swap_paths(self.store.path)[0]
            try:
                if nxt.exists():
                    shutil.rmtree(nxt)
                self.target = ox.Store(str(nxt))
                shutil.copyfile(self.store.path / MARKER, nxt / MARKER)
            except OSError as err:
                raise StoreError(f"{self.store.path}: write failed: {_reason(err)}") from None
            # the graphs this replacement keeps, copied while the caller starts on the new ones
            self.loading = self.loader.submit(self._copy_kept)
            return self
        try:
            with self.pending.open("w", encoding="utf-8") as fh:
                json.dump({"token": self.token, "fresh": sorted(self.fresh)}, fh)
                fh.flush()
                os.fsync(fh.fileno())
            if self.fresh:  # their union copy is bulk-loaded before the commit: not atomic
                _touch_synced(self.stale)
        except OSError as err:
            self.pending.unlink(missing_ok=True)
            raise StoreError(f"{self.store.path}: write failed: {_reason(err)}") from None
        return self

    def load(self, graph: str, path: Path) -> None:
        """Add the N-Triples file ``path`` to the new content of ``graph`` (loaded in batches of
        :data:`LOAD_BATCH` bytes: keep the file until :meth:`commit` returns)."""
        if graph not in self.staging:
            raise ValueError(f"{graph}: not one of the graphs this bulk replacement was opened for")
        size = path.stat().st_size
        if not size:
            return
        fresh = graph in self.fresh
        self.queued.append((path, graph if fresh else self.staging[graph].value, fresh))
        weight = size * (2 if fresh else 1)  # a fresh graph is loaded twice: in place and into the union
        self.queued_bytes += weight
        self.loaded_bytes += weight
        if self.queued_bytes >= LOAD_BATCH:
            self._flush()

    def _flush(self) -> None:
        """Hand the queued files to the loader thread (pyoxigraph's bulk load releases the GIL, so
        the caller goes on feeding its workers meanwhile); at most one batch is in flight."""
        self._wait()
        if self.queued:
            self.union_touched = self.union_touched or any(fresh for _, _, fresh in self.queued)
            self.loading = self.loader.submit(self._load, self.queued)
        self.queued, self.queued_bytes = [], 0

    def _load(self, queued: list[tuple[Path, str, bool]]) -> None:
        dest = self.target if self.target is not None else self.store._store
        for batch in _nquads_batches(queued):
            dest.bulk_load(batch, format=ox.RdfFormat.N_QUADS)

    def _copy_kept(self) -> None:
        """Copy into the new store the graphs this replacement keeps, with their union copy: each
        graph dumped as N-Triples and bulk-loaded with its union copy in one load, all in Rust (1.3M
        quads of a 10^5-entry store: 29 s, against 37 s as Python quads). A bulk load gives blank
        nodes new labels, the same ones throughout the load: a graph and its copy stay one."""
        assert self.target is not None
        source = self.store._store
        replaced = set(self.names)
        kept = [g for g in source.named_graphs() if g.value not in replaced and not g.value.startswith(STAGING_PREFIX)]
        dumps = ((source.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g), g.value, True) for g in kept)
        for batch in _nquads_batches(dumps):
            self.target.bulk_load(batch, format=ox.RdfFormat.N_QUADS)

    def _wait(self) -> None:
        if self.loading is not None:
            loading, self.loading = self.loading, None
            loading.result()

    def commit(self, graphs: Mapping[str, Iterable[ox.Quad]]) -> None:
        """Load the remaining files and the quads in ``graphs`` (graph → quads), then commit."""
        self._flush()
        self._wait()
        if self.target is not None:
            self._commit_swap(graphs)
            return
        raw = self.store._store
        fresh_quads = list(self._in_place(graphs))
        if fresh_quads:
            self.union_touched = True
            raw.bulk_extend(fresh_quads)
        for g in self.names:
            if g not in self.fresh:
                raw.extend(ox.Quad(q.subject, q.predicate, q.object, self.staging[g]) for q in graphs.get(g, ()))
        commit = f"{STAGING_PREFIX}{self.token}:commit"
        mark = f"<{commit}> <{STAGING_PREFIX}state> \"committed\""
        moves = [f"INSERT DATA {{ GRAPH <{commit}> {{ {mark} }} }} ;\n"]
        for g in self.names:
            if g not in self.fresh:
                s = self.staging[g].value
                moves.append(f"{_forget(g)}DROP SILENT GRAPH <{g}> ;\nADD SILENT GRAPH <{s}> TO GRAPH <{g}> ;\n"
                             f"DROP SILENT GRAPH <{s}> ;\nADD SILENT GRAPH <{g}> TO DEFAULT ;\n")
        self.store._update("".join(moves))
        self.done = True
        self.pending.unlink(missing_ok=True)
        self.store._committed()

    def _in_place(self, graphs: Mapping[str, Iterable[ox.Quad]]) -> Iterator[ox.Quad]:
        """The quads given for the fresh graphs, in their graph and in the union."""
        for g in self.names:
            if g in self.fresh:
                for q in graphs.get(g, ()):
                    for target in (ox.NamedNode(g), DEFAULT):
                        yield ox.Quad(q.subject, q.predicate, q.object, target)

    def _commit_swap(self, graphs: Mapping[str, Iterable[ox.Quad]]) -> None:
        target = self.target
        assert target is not None
        try:
            target.bulk_extend(self._in_place(graphs))  # every graph is fresh in the new store
            if self.loaded_bytes >= COMPACT_AFTER:
                target.optimize()
            target.flush()
        except OSError as err:
            raise StoreError(f"{self.store.path}: write failed: {_reason(err)}") from None
        self.target = None
        del target
        self.store._swap_in()
        self.done = True
        self.store._committed()

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None, tb: object) -> None:
        store = self.store
        try:
            self._wait()  # a batch still loading finishes before anything is rolled back
        except BaseException as load_err:  # noqa: BLE001 - the first error is the one reported
            err = err or load_err
        finally:
            self.loader.shutdown()
        if self.swap:
            if not self.done:  # the live store was never touched: the new one goes
                self.target = None
                shutil.rmtree(swap_paths(store.path)[0], ignore_errors=True)
                if isinstance(err, OSError):
                    raise StoreError(f"{store.path}: write failed: {_reason(err)}") from None
                if kind is None and err is not None:
                    raise err
            return
        if self.done:
            store._drop_staging()
            store._store.flush()
            self.stale.unlink(missing_ok=True)
            if self.loaded_bytes >= COMPACT_AFTER:
                store.compact()
            return
        store._recover()  # the fresh graphs go (the pending file names them), then the staging graphs
        store._drop_staging()
        if not self.union_touched:
            self.stale.unlink(missing_ok=True)
        store._stale = self.stale.exists()  # readers here use the union view; a writable open rebuilds
        if isinstance(err, OSError):
            raise StoreError(f"{store.path}: write failed: {_reason(err)}") from None
        if kind is None and err is not None:  # the loader thread failed after the body ended
            raise err


def _quads_in(store: ox.Store, graphs: set[str]) -> int:
    """Quads in the named ``graphs`` (IRIs the store already holds: no text from a catalog)."""
    values = " ".join(f"<{g}>" for g in sorted(graphs))
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}")
    return sum(int(r["n"].value) for r in rows)  # type: ignore[index, union-attr]


def _nquads_batches(loads: Iterable[tuple[Path | bytes, str, bool]], size: int = LOAD_BATCH) -> Iterator[bytes]:
    r"""N-Quads text for bulk loading: each N-Triples file's (or text's) statements in its graph,
    and again in the default graph (the union) when its flag is set, in the same batch; files are
    grouped up to ``size`` bytes, as each bulk load has a fixed cost (20–60 ms) and memory grows
    with its input.

    The files are N-Triples as pyoxigraph writes them (one statement a line, ending in `` .``):
    a line break inside a term is always escaped, so each line gets its graph before the dot.

    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "c.nt"
    >>> _ = f.write_bytes(b'<http://e/s> <http://e/p> "a .\\n b" .\n')
    >>> [b.decode() for b in _nquads_batches([(f, "http://e/g", True)])]
    ['<http://e/s> <http://e/p> "a .\\n b" <http://e/g> .\n<http://e/s> <http://e/p> "a .\\n b" .\n']
    """
    batch: list[bytes] = []
    held = 0
    for source, graph, union in loads:
        data = source if isinstance(source, bytes) else source.read_bytes()
        if not data.endswith(b"\n"):
            data += b"\n"
        batch.append(data.replace(b" .\n", f" <{graph}> .\n".encode()))
        if union:
            batch.append(data)
        held += len(data) * (2 if union else 1)
        if held >= size:
            yield b"".join(batch)
            batch, held = [], 0
    if batch:
        yield b"".join(batch)


def _forget(graph: str) -> str:
    """SPARQL update removing from the union what only ``graph`` says (run before it is dropped)."""
    return (f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} "
            f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER(?other != <{graph}>) }} }} ;\n")


def _touch_synced(path: Path) -> None:
    with path.open("w") as fh:
        fh.flush()
        os.fsync(fh.fileno())


def _reason(err: OSError) -> str:
    text = str(err)
    if "No space left" in text or getattr(err, "errno", None) == 28:
        return "disk full (no space left on device)"
    if "Permission denied" in text or "Read-only file system" in text:
        return "permission denied (read-only store directory?)"
    if "lock" in text.lower():
        return "store is in use by another process (lock held)"
    return text.splitlines()[0] if text else type(err).__name__

"""The bulk ingest path: worker processes, N-Triples chunks, bulk load, crash-safe commit.

It must build exactly the graph the in-process path builds, report the same entries and rejects,
stay idempotent, and leave the store all-old or all-new after a failure or a kill."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from bench.generate import write_catalog


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cat") / "catalog"
    write_catalog(out, 240, per_file=80, seed=3)
    return out


def run(catalog: Path, store_path: Path, bulk: bool, **kw):  # noqa: ANN003, ANN201
    from kg.ingest import ingest
    from kg.store import open_store

    store = open_store(str(store_path))
    try:
        report = ingest([catalog], store, bulk=bulk, workers=2, **kw)
        quads = set(store.raw)
    finally:
        store.close()
    return report, quads


def summary(report) -> list[tuple]:  # noqa: ANN001
    return [(s.graph, s.status, s.entries, s.quads, [str(p) for p in s.rejected]) for s in report.sources]


def test_bulk_builds_the_same_graph(catalog: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    import kg.ingest

    monkeypatch.setattr(kg.ingest, "CHUNK", 30)  # several chunks per file, several in flight
    monkeypatch.chdir(catalog.parent)
    serial, q1 = run(catalog, tmp_path / "serial", bulk=False)
    bulk, q2 = run(catalog, tmp_path / "bulk", bulk=True)
    assert q1 == q2 and len(q1) > 2_000
    assert summary(serial) == summary(bulk)
    assert bulk.problems, "the generator writes some broken headers"
    assert {p.path for p in bulk.problems} <= {s.path for s in bulk.sources}
    assert not list((tmp_path / "bulk").glob("pending-*.json"))


def test_bulk_is_idempotent_and_replaces_changed_files(catalog: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    import shutil

    monkeypatch.chdir(tmp_path)
    cat = tmp_path / "catalog"
    shutil.copytree(catalog, cat)
    store = tmp_path / "store"
    _, before = run(cat, store, bulk=True)
    again, same = run(cat, store, bulk=True)
    assert {s.status for s in again.sources} == {"unchanged"} and same == before
    first = sorted(cat.glob("*.txt"))[0]
    text = first.read_text("utf-8")
    first.write_text(text.rstrip("\n") + " It was revised.\n", "utf-8")  # one description changed
    changed, after = run(cat, store, bulk=True)
    assert [s.status for s in changed.sources] == ["loaded", "unchanged", "unchanged"]
    assert len(after) == len(before)
    lines = text.splitlines(keepends=True)
    first.write_text("".join(lines[:-20]), "utf-8")  # 10 entries fewer in one file
    changed, after = run(cat, store, bulk=True)
    # the other files name datasets that the removed entries described: they are linked again
    assert [s.status for s in changed.sources][0] == "loaded"
    _, fresh = run(cat, tmp_path / "fresh", bulk=False)
    assert after == fresh and len(after) < len(before)


def quads(g: str, n: int, tag: str) -> list[ox.Quad]:
    return [ox.Quad(ox.NamedNode(f"http://x/{tag}{i}"), ox.NamedNode("http://x/p"), ox.Literal(tag),
                    ox.NamedNode(g)) for i in range(n)]


def nt_file(path: Path, n: int, tag: str) -> Path:
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads("http://x/g", n, tag)]
    path.write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
    return path


def test_failure_before_commit_changes_nothing(tmp_path: Path) -> None:
    from kg.store import open_store

    store = open_store(str(tmp_path / "store"))
    old, new = "http://x/old", "http://x/new"
    store.replace_graphs({old: quads(old, 10, "a")})

    def broken():
        yield from quads(old, 5, "b")
        raise RuntimeError("worker died")

    files = {new: [nt_file(tmp_path / "n.nt", 50, "n")], old: [nt_file(tmp_path / "o.nt", 50, "o")]}
    with pytest.raises(RuntimeError):
        store.replace_graphs_bulk({old: broken(), new: []}, files)
    assert store.graph_names() == [old] and store.count() == 10
    store.close()


KILLED = """
import os, sys
from pathlib import Path
import pyoxigraph as ox
from kg.store import open_store
store = open_store(sys.argv[1])
def dying():
    yield ox.Quad(ox.NamedNode("http://x/s"), ox.NamedNode("http://x/p"), ox.Literal("x"),
                  ox.NamedNode("http://x/old"))
    os._exit(9)  # killed after the fresh graph was bulk-loaded in place, before the commit
store.replace_graphs_bulk({"http://x/old": dying()}, {"http://x/new": [Path(sys.argv[2])]})
"""


def test_kill_before_commit_is_rolled_back_on_open(tmp_path: Path) -> None:
    from kg.store import open_store

    path = tmp_path / "store"
    store = open_store(str(path))
    store.replace_graphs({"http://x/old": quads("http://x/old", 10, "a")})
    store.close()
    nt = nt_file(tmp_path / "n.nt", 200, "n")
    proc = subprocess.run([sys.executable, "-c", KILLED, str(path), str(nt)], capture_output=True)
    assert proc.returncode == 9, proc.stderr
    assert list(path.glob("pending-*.json")), "the dead ingest left its pending file"
    store = open_store(str(path))  # the writable open rolls back the uncommitted fresh graph
    try:
        assert store.graph_names() == ["http://x/old"]
        assert store.count() == 10
        assert not list(path.glob("pending-*.json"))
    finally:
        store.close()


def test_large_replacements_build_a_new_store_and_swap_it_in(catalog: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """Replacing existing graphs of SWAP_MIN_QUADS quads or more (here: any) builds the new store
    beside the old one and swaps the directories: the same graph as a fresh build, nothing left
    behind, whether every graph is replaced or only one (the others are copied)."""
    import os
    import shutil

    import kg.store.oxigraph

    monkeypatch.chdir(tmp_path)
    cat = tmp_path / "catalog"
    shutil.copytree(catalog, cat)
    store = tmp_path / "store"
    _, before = run(cat, store, bulk=True)
    monkeypatch.setattr(kg.store.oxigraph, "SWAP_MIN_QUADS", 1)
    inode = os.stat(store).st_ino
    forced, again = run(cat, store, bulk=True, force=True)
    assert {s.status for s in forced.sources} == {"loaded"} and again == before
    assert os.stat(store).st_ino != inode, "a new store directory was swapped in"
    first = sorted(cat.glob("*.txt"))[0]
    first.write_text(first.read_text("utf-8").rstrip("\n") + " It was revised.\n", "utf-8")
    inode = os.stat(store).st_ino
    changed, after = run(cat, store, bulk=True)
    assert [s.status for s in changed.sources] == ["loaded", "unchanged", "unchanged"]
    assert os.stat(store).st_ino != inode
    _, fresh = run(cat, tmp_path / "fresh", bulk=False)
    assert after == fresh
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalog", "fresh", "store"]

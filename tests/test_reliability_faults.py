"""Faults: an ingest killed with SIGKILL, a read-only or full disk, a corrupt or foreign store.

The kill test really kills a real ``kg ingest`` (and the parallel bulk path) at random moments,
again and again on the same store, and checks after each kill that the store opens and answers
exactly as before the ingest or exactly as after it — never a mixture.

Read-only and full-disk stores need a file system that refuses writes even to root (the tests
may run as root, which ignores permission bits, and /root is not readable by other users, so
dropping to ``nobody`` cannot run the venv's Python). They use a private mount namespace
(``unshare -Urm``, no privilege needed when user namespaces are enabled): a read-only bind mount
of the store (EROFS) and a small tmpfs filled up to a few hundred kB (ENOSPC). Without
``unshare`` they fall back to ``chmod`` when not root, or are skipped with the reason.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from kg.cli import cli

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
KG = [PY, "-m", "kg"]

# --------------------------------------------------------------------------------------------
# helpers


def generated(n: int, seed: int) -> str:
    """``n`` catalog entries in the seed format (``bench.generate`` when present)."""
    try:
        from bench.generate import catalog_text
    except ImportError:  # pragma: no cover - the bench package is part of the repository
        lines = []
        for i in range(n):
            lines.append(
                f"数据资源Text{'LLM benchmark'}Benchmark and leaderboard开放访问 Gen{seed}x{i}:基准{i}\n"
                f"A synthetic benchmark number {i} used to exercise the ingest path of medkg.\n"
            )
        return "".join(lines)
    return catalog_text(n, seed=seed)


def fingerprint(store_path: Path) -> str:
    """What a reader sees: every named graph with its size, and every triple of the union graph.
    Opened read-only, exactly as ``kg query`` and ``kg serve`` open a store."""
    from kg.store import open_store

    store = open_store(str(store_path), read_only=True)
    try:
        graphs = sorted(
            (r["g"].value, int(r["n"].value))
            for r in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        )
        triples = sorted(
            re.sub(r"_:\S+", "_:b", str(t)) for t in store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        )
        names = store.graph_names()
    finally:
        store.close()
    h = hashlib.sha256(json.dumps([graphs, names, triples], ensure_ascii=False).encode())
    return h.hexdigest()


DRIVER = textwrap.dedent("""
    import sys
    from kg.store.oxigraph import OxigraphStore

    def announce(method):
        def wrapped(self, *args, **kwargs):
            print("writing", flush=True)  # the kill test waits for this line
            return method(self, *args, **kwargs)
        return wrapped

    OxigraphStore.replace_graphs = announce(OxigraphStore.replace_graphs)
    if hasattr(OxigraphStore, "replace_graphs_bulk"):
        OxigraphStore.replace_graphs_bulk = announce(OxigraphStore.replace_graphs_bulk)
    mode, catalog, store = sys.argv[1:4]
    if mode == "swap":  # the bulk path, building a new store and swapping it in (see kg.store.oxigraph)
        import kg.store.oxigraph
        kg.store.oxigraph.SWAP_MIN_QUADS = 0
        mode = "bulk"
    if mode == "cli":
        from kg.cli import main
        sys.argv = ["kg", "ingest", catalog, "--store", store]
        main()
    else:
        from pathlib import Path
        from kg.ingest import ingest, write_rejects
        from kg.store import open_store, store_side_path
        s = open_store(store)
        try:
            report = ingest([catalog], s, bulk=True, workers=1)
        finally:
            s.close()
        write_rejects(store_side_path(store, "rejects.jsonl"), report)
""")


def start_ingest(mode: str, catalog: Path, store: Path, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [PY, "-c", DRIVER, mode, str(catalog), str(store)],
        cwd=cwd,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_for_line(proc: subprocess.Popen[str], deadline: float) -> bool:
    """Read the driver's stdout until it says it is writing (True) or ends (False)."""
    import selectors

    sel = selectors.DefaultSelector()
    assert proc.stdout is not None
    sel.register(proc.stdout, selectors.EVENT_READ)
    while time.monotonic() < deadline:
        if sel.select(timeout=0.05):
            line = proc.stdout.readline()
            if not line:
                return False
            if line.strip() == "writing":
                return True
    return False


def kill_group(proc: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(30)


def run_ingest(mode: str, catalog: Path, store: Path, cwd: Path) -> float:
    started = time.monotonic()
    proc = start_ingest(mode, catalog, store, cwd)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode in (0, 1), f"{mode} ingest failed with {proc.returncode}"
    return time.monotonic() - started


# --------------------------------------------------------------------------------------------
# SIGKILL during ingest


@pytest.mark.slow
def test_sigkill_during_ingest_leaves_the_old_or_the_new_store(tmp_path: Path) -> None:
    """Kill ``kg ingest`` (and the bulk path) 8 times at random moments — half of them at a random
    point of the write itself — on the same store, without cleaning up in between."""
    rng = random.Random(int(os.environ.get("KG_FAULT_SEED", "20261122")))
    old_dir, new_dir = tmp_path / "old", tmp_path / "new"
    old_dir.mkdir()
    new_dir.mkdir()
    (old_dir / "a.txt").write_text(generated(20, seed=11), "utf-8")
    (new_dir / "a.txt").write_text(generated(50, seed=12), "utf-8")  # changes graph a
    (new_dir / "b.txt").write_text(generated(50, seed=13), "utf-8")  # a new graph b

    base = tmp_path / "base"
    run_ingest("cli", old_dir, base, tmp_path)
    before = fingerprint(base)

    # the expected "after" state, by each path, uninterrupted: the two paths agree quad for quad
    ref_cli, ref_bulk = tmp_path / "ref-cli", tmp_path / "ref-bulk"
    shutil.copytree(base, ref_cli)
    shutil.copytree(base, ref_bulk)
    durations = {
        "cli": run_ingest("cli", new_dir, ref_cli, tmp_path),
        "bulk": run_ingest("bulk", new_dir, ref_bulk, tmp_path),
    }
    after = fingerprint(ref_cli)
    assert fingerprint(ref_bulk) == after
    assert after != before

    store = tmp_path / "store"
    shutil.copytree(base, store)
    outcomes: list[str] = []
    for i in range(8):
        mode = ("cli", "bulk")[i % 2]
        proc = start_ingest(mode, new_dir, store, tmp_path)
        if i % 4 < 2:  # anywhere in the run: reading, parsing, linking, writing
            time.sleep(rng.uniform(0.05, 1.0) * durations[mode])
        else:  # during the write: right after the store call starts, up to a little later
            wait_for_line(proc, time.monotonic() + 4 * durations[mode] + 10)
            time.sleep(rng.uniform(0.0, 0.25))
        finished = proc.poll() is not None
        kill_group(proc)
        seen = fingerprint(store)  # read-only, before any writable open could repair anything
        assert seen in (before, after), f"kill {i} ({mode}) left a mixed store"
        # a writable open (the next ingest) cleans up and must not change what is visible
        from kg.store import open_store

        open_store(str(store)).close()
        assert fingerprint(store) == seen, f"kill {i} ({mode}): recovery changed the visible graph"
        outcomes.append("new" if seen == after else "old" + (" (finished)" if finished else ""))
        if seen == after:  # start again from the old store, so that the next kill has work to cut
            shutil.rmtree(store)
            shutil.copytree(base, store)
    # the store the kills left behind ingests normally afterwards
    run_ingest("cli", new_dir, store, tmp_path)
    assert fingerprint(store) == after
    assert "old" in [o.split()[0] for o in outcomes], outcomes


@pytest.mark.slow
def test_sigkill_during_a_swapped_bulk_replacement(tmp_path: Path) -> None:
    """A bulk replacement of large existing graphs builds a new store and swaps it in: killed at
    any moment (building, or between the swap's steps), a reader sees the old or the new store,
    a writable open does not change what it sees, and the store ingests normally afterwards."""
    rng = random.Random(int(os.environ.get("KG_FAULT_SEED", "20261204")))
    old_dir, new_dir = tmp_path / "old", tmp_path / "new"
    old_dir.mkdir()
    new_dir.mkdir()
    (old_dir / "a.txt").write_text(generated(20, seed=11), "utf-8")
    (old_dir / "c.txt").write_text(generated(10, seed=14), "utf-8")  # kept: copied into the new store
    (new_dir / "a.txt").write_text(generated(50, seed=12), "utf-8")
    shutil.copy(old_dir / "c.txt", new_dir / "c.txt")
    base = tmp_path / "base"
    run_ingest("cli", old_dir, base, tmp_path)
    before = fingerprint(base)
    ref = tmp_path / "ref"
    shutil.copytree(base, ref)
    duration = run_ingest("swap", new_dir, ref, tmp_path)
    after = fingerprint(ref)
    ref_cli = tmp_path / "ref-cli"
    shutil.copytree(base, ref_cli)
    run_ingest("cli", new_dir, ref_cli, tmp_path)
    assert fingerprint(ref_cli) == after != before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".ref")) == []

    store = tmp_path / "store"
    shutil.copytree(base, store)
    outcomes: list[str] = []
    for i in range(6):
        proc = start_ingest("swap", new_dir, store, tmp_path)
        # late kills are the interesting ones: the commit (copy, compaction, swap) ends the run
        time.sleep(rng.uniform(0.3, 1.05) * duration)
        kill_group(proc)
        seen = fingerprint(store)
        assert seen in (before, after), f"kill {i} left a mixed store"
        from kg.store import open_store

        open_store(str(store)).close()
        assert fingerprint(store) == seen, f"kill {i}: recovery changed the visible graph"
        assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".store.")]
        outcomes.append("new" if seen == after else "old")
        if seen == after:
            shutil.rmtree(store)
            shutil.copytree(base, store)
    run_ingest("swap", new_dir, store, tmp_path)
    assert fingerprint(store) == after


@pytest.mark.parametrize("cut", ["before the renames", "between the renames", "before the marker goes",
                                 "a new store without marker"])
def test_a_swap_cut_at_each_step_reads_and_recovers_whole(tmp_path: Path, cut: str) -> None:
    """The states a kill can leave between the steps of a swap (see kg.store.oxigraph.finish_swap),
    built from two real stores: a reader sees the old or the new store whole, and a writable open
    leaves exactly what the reader saw, with nothing beside the store."""
    from kg.store import open_store
    from kg.store.oxigraph import swap_paths

    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    (tmp_path / "old" / "a.txt").write_text(generated(20, seed=11), "utf-8")
    (tmp_path / "new" / "a.txt").write_text(generated(30, seed=12), "utf-8")
    store, new = tmp_path / "store", tmp_path / "built-new"
    run_ingest("cli", tmp_path / "old", store, tmp_path)
    run_ingest("cli", tmp_path / "new", new, tmp_path)
    before, after = fingerprint(store), fingerprint(new)
    nxt, old, mark = swap_paths(store)
    new.rename(nxt)
    if cut != "a new store without marker":
        mark.touch()
    if cut in ("between the renames", "before the marker goes"):
        store.rename(old)
    if cut == "before the marker goes":
        nxt.rename(store)
    expected = before if cut == "a new store without marker" else after
    assert fingerprint(store) == expected
    open_store(str(store)).close()
    assert fingerprint(store) == expected
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]


# --------------------------------------------------------------------------------------------
# read-only store directory and full disk, in a private mount namespace


def _can_unshare() -> bool:
    if not shutil.which("unshare") or not shutil.which("mount"):
        return False
    r = subprocess.run(
        ["unshare", "-Urm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"], capture_output=True
    )
    return r.returncode == 0


UNSHARE = _can_unshare()


def in_namespace(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a shell script as root of a new user + mount namespace (mounts vanish with it)."""
    env = {**os.environ, "PY": PY, "COLUMNS": "200"}
    return subprocess.run(
        ["unshare", "-Urm", "sh", "-ec", script],
        cwd=cwd,
        env=env,
        text=True,
        capture_output=True,
        timeout=180,
    )


def assert_one_line_error(stderr: str, *needles: str) -> None:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert "Traceback" not in stderr, stderr
    errors = [ln for ln in lines if ln.startswith("Error: ")]
    assert len(errors) == 1, stderr
    for n in needles:
        assert n in errors[0], errors[0]


@pytest.fixture
def small_store(tmp_path: Path) -> tuple[Path, Path, str]:
    """A store of 20 entries, a 200-entry catalog to add to it, and the store's fingerprint."""
    cat = tmp_path / "small"
    cat.mkdir()
    (cat / "a.txt").write_text(generated(20, seed=5), "utf-8")
    more = tmp_path / "more"
    more.mkdir()
    (more / "b.txt").write_text(generated(200, seed=6), "utf-8")
    store = tmp_path / "store"
    run_ingest("cli", cat, store, tmp_path)
    return store, more, fingerprint(store)


def test_read_only_store_directory_is_a_clear_error(small_store, tmp_path: Path) -> None:
    store, more, before = small_store
    if UNSHARE:
        r = in_namespace(
            f"mount --bind {store} {store}\n"
            f"mount -o remount,bind,ro {store}\n"
            # a write is refused with one line and exit 3 …
            f'set +e; "$PY" -m kg ingest {more} --store {store} 2>err.txt; echo $? > rc.txt; set -e\n'
            # … while reading still works from the read-only directory
            f'"$PY" -m kg query --store {store} -f csv -e "SELECT (COUNT(*) AS ?n) {{ ?s ?p ?o }}" > n.txt\n',
            tmp_path,
        )
        assert r.returncode == 0, r.stderr
        assert (tmp_path / "rc.txt").read_text().strip() == "3"
        assert_one_line_error((tmp_path / "err.txt").read_text(), str(store), "read-only")
        assert int((tmp_path / "n.txt").read_text().split()[1]) > 0
    elif os.geteuid() != 0:
        for p in [store, *store.iterdir()]:
            p.chmod(0o555 if p.is_dir() else 0o444)
        try:
            r = subprocess.run(
                [*KG, "ingest", str(more), "--store", str(store)],
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=120,
            )
        finally:
            for p in [store, *store.iterdir()]:
                p.chmod(0o755 if p.is_dir() else 0o644)
        assert r.returncode == 3
        assert_one_line_error(r.stderr, str(store))
    else:
        pytest.skip("root without user namespaces: no way to make a directory unwritable to root")
    assert fingerprint(store) == before


@pytest.mark.skipif(not UNSHARE, reason="needs unshare -Urm to mount a small tmpfs")
def test_full_disk_is_a_clear_error_and_the_store_is_unchanged(small_store, tmp_path: Path) -> None:
    store, more, before = small_store
    disk = tmp_path / "disk"
    disk.mkdir()
    script = (
        f"mount -t tmpfs -o size=8m tmpfs {disk}\n"
        f"cp -r {store} {disk}/store\n"
        # leave 1.5 MB free: enough to open the store, not enough for the new graph
        f"avail=$(df --output=avail -B1 {disk} | tail -1)\n"
        f"head -c $((avail - 1500000)) /dev/zero > {disk}/filler\n"
        f'set +e; "$PY" -m kg ingest {more} --store {disk}/store 2>err.txt; echo $? > rc.txt; set -e\n'
        f"rm {disk}/filler\n"
        f"cp -r {disk}/store after-store\n"
    )
    r = in_namespace(script, tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "rc.txt").read_text().strip() == "3", (tmp_path / "err.txt").read_text()
    assert_one_line_error((tmp_path / "err.txt").read_text(), "disk full")
    assert fingerprint(tmp_path / "after-store") == before


BULK_DRIVER = textwrap.dedent("""
    import sys
    from kg.ingest import ingest
    from kg.store import StoreError, open_store

    if __name__ == "__main__":  # the bulk path spawns workers, which import this file
        store = open_store(sys.argv[2])
        try:
            ingest([sys.argv[1]], store, bulk=True, workers=1)
        except StoreError as err:
            print("StoreError:", err)
        finally:
            store.close()
""")


@pytest.mark.skipif(not UNSHARE, reason="needs unshare -Urm to mount a small tmpfs")
def test_full_chunk_directory_of_the_bulk_path_is_a_store_error(small_store, tmp_path: Path) -> None:
    """The bulk path writes N-Triples chunks under ``KG_TMPDIR``: when that disk is full the
    ingest stops with a StoreError (one line, exit 3 in the CLI), and the store is unchanged."""
    store, more, before = small_store
    disk = tmp_path / "tmpdir"
    disk.mkdir()
    (tmp_path / "driver.py").write_text(BULK_DRIVER)
    script = (
        f"mount -t tmpfs -o size=256k tmpfs {disk}\n"
        f"head -c 250000 /dev/zero > {disk}/filler || true\n"
        f'KG_TMPDIR={disk} "$PY" driver.py {more} {store} > out.txt 2> err.txt\n'
    )
    r = in_namespace(script, tmp_path)
    assert r.returncode == 0, (r.stderr, (tmp_path / "err.txt").read_text())
    out = (tmp_path / "out.txt").read_text()
    assert out.startswith("StoreError: ") and "chunk files" in out, (out, (tmp_path / "err.txt").read_text())
    assert fingerprint(store) == before


# --------------------------------------------------------------------------------------------
# corrupt and foreign store directories


def _corruptions(built: Path, tmp_path: Path) -> dict[str, Path]:
    cases: dict[str, Path] = {}
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("my notes\n")
    cases["foreign directory"] = foreign
    afile = tmp_path / "a-file"
    afile.write_text("not a directory\n")
    cases["a file"] = afile

    def copy(name: str) -> Path:
        dst = tmp_path / name
        shutil.copytree(built, dst, ignore=shutil.ignore_patterns("LOCK"))
        return dst

    bad_marker = copy("bad-marker")
    (bad_marker / "medkg-store.json").write_text('{"format": 1')
    cases["corrupt marker"] = bad_marker
    future = copy("future")
    (future / "medkg-store.json").write_text('{"format": 99, "engine": "oxigraph"}')
    cases["newer format"] = future
    current = copy("bad-current")
    (current / "CURRENT").write_text("garbage\n")
    cases["corrupt CURRENT"] = current
    sst = copy("bad-sst")
    for f in sst.glob("*.sst"):
        f.write_bytes(os.urandom(100))
    cases["truncated tables"] = sst
    manifest = copy("no-manifest")
    for f in manifest.glob("MANIFEST-*"):
        f.unlink()
    cases["missing manifest"] = manifest
    return cases


def test_corrupt_or_foreign_store_is_refused_in_one_line(runner, built_store, tmp_path: Path) -> None:
    catalog = tmp_path / "cat"
    catalog.mkdir()
    (catalog / "x.txt").write_text(generated(3, seed=1), "utf-8")
    for what, path in _corruptions(Path(built_store), tmp_path).items():
        snapshot = {p.name: p.read_bytes() for p in path.iterdir()} if path.is_dir() else path.read_bytes()
        for args in (
            ["query", "--store", str(path), "-e", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"],
            ["ingest", str(catalog), "--store", str(path)],
            ["stats", "--store", str(path)],
        ):
            r = runner.invoke(cli, args)
            assert r.exit_code == 3, (what, args[0], r.exit_code, r.output, r.exception)
            assert not isinstance(r.exception, Exception) or isinstance(r.exception, SystemExit), (
                what,
                args[0],
                repr(r.exception),
            )
            assert_one_line_error(r.stderr, str(path))
        # refusing must not touch the directory
        after = {p.name: p.read_bytes() for p in path.iterdir()} if path.is_dir() else path.read_bytes()
        if what in ("foreign directory", "a file", "corrupt marker", "newer format"):
            assert after == snapshot, what


def test_serve_refuses_a_corrupt_store_with_one_line(built_store, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    shutil.copytree(built_store, bad, ignore=shutil.ignore_patterns("LOCK"))
    (bad / "CURRENT").write_text("garbage\n")
    for path in (bad, tmp_path / "missing"):
        r = subprocess.run(
            [*KG, "serve", "--store", str(path), "--port", "0"],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
        )
        assert r.returncode == 3, r.stderr
        assert_one_line_error(r.stderr, str(path))

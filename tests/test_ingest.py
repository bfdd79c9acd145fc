"""Ingest is idempotent (same file twice changes nothing), replaces what a changed file said,
and is atomic (a failed or killed ingest leaves the store as it was)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.ingest import ingest
from kg.store import StoreError, open_store

from .conftest import ROOT, SEED_FILES, rows


def snapshot(store_path: str) -> set[str]:
    store = open_store(store_path, read_only=True)
    try:
        return {str(q) for q in store.quads()}
    finally:
        store.close()


def copy_catalog(tmp_path: Path) -> Path:
    d = tmp_path / "catalog"
    d.mkdir()
    for f in SEED_FILES:
        (d / f.name).write_bytes(f.read_bytes())
    return d


def test_ingest_twice_changes_nothing(tmp_path: Path) -> None:
    cat = copy_catalog(tmp_path)
    path = str(tmp_path / "store")
    store = open_store(path)
    first = ingest([cat], store)
    assert [s.status for s in first.sources] == ["loaded", "loaded"] and first.entries == 15
    store.close()
    before = snapshot(path)
    store = open_store(path)
    second = ingest([cat], store)
    store.close()
    assert [s.status for s in second.sources] == ["unchanged", "unchanged"]
    assert snapshot(path) == before


def test_a_store_built_by_another_pipeline_is_reingested(tmp_path: Path) -> None:
    """An unchanged file is ingested again when the code or vocabularies that turned it into triples
    changed: its graph records their hash (kgo:pipelineHash) beside the file's content hash."""
    from kg.ingest import pipeline_hash

    cat = copy_catalog(tmp_path)
    path = str(tmp_path / "store")
    store = open_store(path)
    ingest([cat], store)
    # what an older medkg (another parser, other vocabularies) would have left in one graph
    store.raw.update("""PREFIX kgo: <https://w3id.org/medkg/ontology#>
        DELETE { GRAPH ?g { ?g kgo:pipelineHash ?p } } INSERT { GRAPH ?g { ?g kgo:pipelineHash "older" } }
        WHERE { GRAPH ?g { ?g kgo:pipelineHash ?p } FILTER(STRENDS(STR(?g), "003-b91fc50fb6a4089c-txt")) }""")
    again = ingest([cat], store)
    recorded = {r["g"].value: r["p"].value for r in store.query(
        "SELECT ?g ?p WHERE { GRAPH ?g { ?g <https://w3id.org/medkg/ontology#pipelineHash> ?p } }")}
    store.close()
    assert [(s.path.rsplit("/", 1)[-1], s.status) for s in again.sources] == [
        ("000_c2e436b3784f4f61.txt", "unchanged"), ("003_b91fc50fb6a4089c.txt", "loaded")]
    assert set(recorded.values()) == {pipeline_hash()} and len(recorded) == 2


def test_forced_reingest_gives_identical_quads(tmp_path: Path) -> None:
    cat = copy_catalog(tmp_path)
    path = str(tmp_path / "store")
    store = open_store(path)
    ingest([cat], store)
    store.close()
    before = snapshot(path)
    store = open_store(path)
    ingest([cat], store, force=True)
    store.close()
    assert snapshot(path) == before


def test_reference_graphs_are_rewritten_only_when_they_change(tmp_path: Path) -> None:
    """A rebuild skips an extra graph whose triples are already in the store (4 of 5 s of a seed
    rebuild were spent rewriting unchanged vocabularies); a changed one, or --force, replaces it."""
    from kg.store.oxigraph import OxigraphStore

    g = "https://w3id.org/medkg/id/graph/vocab/test"
    s, p = ox.NamedNode("https://w3id.org/medkg/id/task/x"), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    content = [ox.Quad(s, p, ox.Literal("x"))]
    written: list[set[str]] = []

    class Recording(OxigraphStore):
        def replace_graphs(self, graphs, **kw):  # noqa: ANN001, ANN003, ANN202 - records, then the real write
            written.append(set(graphs))
            return super().replace_graphs(graphs, **kw)

    store = Recording(tmp_path / "store")
    try:
        ingest([SEED_FILES[0]], store, extra={g: lambda: content})
        assert g in written[-1]
        ingest([SEED_FILES[0]], store, extra={g: lambda: content})
        assert len(written) == 1  # the catalog file and the graph unchanged: nothing written
        ingest([SEED_FILES[0]], store, extra={g: lambda: content}, force=True)
        assert g in written[-1]
        content.append(ox.Quad(s, p, ox.Literal("y")))
        before = len(written)
        ingest([SEED_FILES[0]], store, extra={g: lambda: content})
        assert len(written) == before + 1 and g in written[-1]
        assert {r["l"] for r in rows(store, "SELECT ?g ?l WHERE { GRAPH ?g { ?s rdfs:label ?l } }",
                                     g=ox.NamedNode(g))} == {"x", "y"}
    finally:
        store.close()


def test_changed_file_replaces_what_it_said(tmp_path: Path) -> None:
    cat = copy_catalog(tmp_path)
    path = str(tmp_path / "store")
    store = open_store(path)
    ingest([cat], store)
    assert rows(store, 'SELECT ?x WHERE { ?x rdfs:label "HealthBench" }')
    f = cat / SEED_FILES[1].name
    lines = f.read_text("utf-8").splitlines()
    f.write_text("\n".join(lines[:16] + lines[18:]) + "\n", "utf-8")  # drop HealthBench
    report = ingest([cat], store)
    assert [s.status for s in report.sources] == ["unchanged", "loaded"]
    assert rows(store, 'SELECT ?x WHERE { ?x rdfs:label "HealthBench" }') == []
    assert rows(store, 'SELECT ?x WHERE { ?x rdfs:label "MedHELM" }')  # the rest stays
    store.close()


def test_failed_write_leaves_store_as_it_was(tmp_path: Path) -> None:
    cat = copy_catalog(tmp_path)
    path = str(tmp_path / "store")
    store = open_store(path)
    ingest([cat], store)
    store.close()
    before = snapshot(path)

    def exploding() -> object:
        g = ox.NamedNode("https://w3id.org/medkg/id/graph/catalog/000-c2e436b3784f4f61-txt")
        for i in range(1000):
            yield ox.Quad(ox.NamedNode(f"urn:x:{i}"), ox.NamedNode("urn:p"), ox.Literal("v"), g)
        raise RuntimeError("disk on fire")

    store = open_store(path)
    with pytest.raises(RuntimeError, match="disk on fire"):
        store.replace_graphs({
            "https://w3id.org/medkg/id/graph/catalog/000-c2e436b3784f4f61-txt": exploding(),
        })
    store.close()
    assert snapshot(path) == before


KILL_SCRIPT = """
import sys
from kg.store import open_store
from kg.ingest import ingest
store = open_store(sys.argv[1])
print("ready", flush=True)
ingest([sys.argv[2]], store, force=True)
store.close()
print("done", flush=True)
"""


def big_catalog(path: Path, copies: int) -> Path:
    lines = SEED_FILES[1].read_text("utf-8").splitlines()
    out = []
    for i in range(copies):
        for j in range(0, len(lines), 2):
            out += [lines[j].replace("CounselBench", f"CounselBench{i}").replace("MedHELM", f"MedHELM{i}"),
                    lines[j + 1]]
    path.write_text("\n".join(out) + "\n", "utf-8")
    return path


@pytest.mark.parametrize("delay", [0.2, 0.6, 1.2])
def test_sigkill_mid_ingest_leaves_store_as_it_was(tmp_path: Path, delay: float) -> None:
    path = str(tmp_path / "store")
    cat = big_catalog(tmp_path / "003_b91fc50fb6a4089c.txt", 300)
    store = open_store(path)
    ingest(SEED_FILES, store)  # the same file name: the killed ingest would replace this graph
    store.close()
    before = snapshot(path)
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, path, str(cat)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    if proc.returncode == 0:
        pytest.skip("ingest finished before the kill")
    assert snapshot(path) == before  # reopening drops the staging graphs


def test_rejects_are_reported_kept_in_graph_and_in_rejects_file(
    runner: CliRunner, tmp_path: Path
) -> None:
    cat = copy_catalog(tmp_path)
    f = cat / SEED_FILES[1].name
    lines = f.read_text("utf-8").splitlines()
    lines[2] = "论文ICLR 2026 Oral clinical prediction 没有年份"
    f.write_text("\n".join(lines) + "\n", "utf-8")
    store = tmp_path / "kg" / "store"
    result = runner.invoke(cli, ["ingest", str(cat), "--store", str(store)])
    assert result.exit_code == 1
    assert f"{f}:3: paper header has no '<year> 年' field" in result.stderr
    rejects = [json.loads(x) for x in (tmp_path / "kg" / "store.rejects.jsonl").read_text().splitlines()]
    assert [(r["path"], r["line"]) for r in rejects] == [(str(f), 3)]
    assert rejects[0]["raw"].startswith("论文ICLR 2026 Oral clinical prediction 没有年份")
    s = open_store(str(store), read_only=True)
    got = rows(s, "SELECT ?line ?why WHERE { ?r a kgo:RejectedEntry ; kgo:sourceLine ?line ; "
                  "kgo:rejectionReason ?why }")
    s.close()
    assert got == [{"line": "3", "why": "paper header has no '<year> 年' field"}]
    # fixing the file clears the rejects of that file
    lines[2] = SEED_FILES[1].read_text("utf-8").splitlines()[2]
    f.write_text("\n".join(lines) + "\n", "utf-8")
    assert runner.invoke(cli, ["ingest", str(cat), "--store", str(store)]).exit_code == 0
    assert (tmp_path / "kg" / "store.rejects.jsonl").read_text() == ""


def test_foreign_directory_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "notastore").mkdir()
    (tmp_path / "notastore" / "thesis.docx").write_text("precious")
    with pytest.raises(StoreError, match="not a medkg store"):
        open_store(str(tmp_path / "notastore"))
    result = runner.invoke(cli, ["ingest", str(SEED_FILES[0]), "--store", str(tmp_path / "notastore")])
    assert result.exit_code == 3
    assert "not a medkg store" in result.stderr
    assert (tmp_path / "notastore" / "thesis.docx").read_text() == "precious"


def test_kg_store_env_is_honoured(runner: CliRunner, tmp_path: Path) -> None:
    env = {"KG_STORE": str(tmp_path / "envstore")}
    assert runner.invoke(cli, ["ingest", str(SEED_FILES[0])], env=env).exit_code == 0
    assert (tmp_path / "envstore" / "medkg-store.json").is_file()

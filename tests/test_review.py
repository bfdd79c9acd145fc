"""``kg review``: what a curator should look at, each with path:line."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kg.cli import cli
from kg.ingest import ingest
from kg.store import open_store


def test_review_finds_the_seed_title_abstract_mismatch(runner: CliRunner, built_store: str) -> None:
    result = runner.invoke(cli, ["review", "--store", built_store, "--format", "json"])
    assert result.exit_code == 0
    items = json.loads(result.stdout)
    mismatches = [i for i in items if i["kind"] == "mismatch"]
    assert [i["source"] for i in mismatches] == ["data/catalog/000_c2e436b3784f4f61.txt:7"]
    assert "neural-medbench" in mismatches[0]["message"]
    kinds = {i["kind"] for i in items}
    assert "no-task-or-language" in kinds
    lonely = [i["source"] for i in items if i["kind"] == "no-task-or-language"]
    assert "data/catalog/003_b91fc50fb6a4089c.txt:19" in lonely  # MedGemma / MedSigLIP
    near = [i["message"] for i in items if i["kind"] == "near-miss"]
    assert any("cMedQA2" in m and "'cmedqa'" in m for m in near)


def test_review_lists_guesses_and_rejects(runner: CliRunner, tmp_path: Path) -> None:
    cat = tmp_path / "c.txt"
    cat.write_text(
        "论文ICLR 2026 Poster2026 年brand new area Zeta 方法研究\n"
        "ICLR 2026 paper. We propose Zeta, a method for clinical question answering in English.\n"
        "论文ICLR 2026 Poster no year here\n"
        "A description for a header that cannot be split at all, which should be rejected.\n", "utf-8")
    store = open_store(str(tmp_path / "s"))
    ingest([cat], store)
    store.close()
    result = runner.invoke(cli, ["review", "--store", str(tmp_path / "s")])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert any(line.startswith(f"{cat}:1: guess: topic/title split guessed") for line in lines)
    assert any(line.startswith(f"{cat}:3: rejected: paper header has no '<year> 年' field") for line in lines)
    assert lines[-1] == f"{len(lines) - 1} items to review"


def test_near_misses_are_every_pair_difflib_finds(tmp_path: Path) -> None:
    """The near misses screened by rapidfuzz are exactly those of comparing every described node's
    name key with every key of its family by difflib (the definition), on a generated catalog
    whose names repeat with small differences (FooQA3, FooQA7 …)."""
    import difflib

    from bench.generate import write_catalog
    from kg.curate import NEAR_MISS, linked_names, near_misses, relink, stored_evidence, stored_records
    from kg.link import FAMILY_OF
    from kg.link.resolve import name_key
    from tests.conftest import rows

    write_catalog(tmp_path / "cat", 400, per_file=200, seed=11)
    with open_store(str(tmp_path / "s")) as store:
        ingest([tmp_path / "cat"], store, bulk=False)
        records = stored_records(store)
        ev = stored_evidence(store, records)
        relinked = list(relink(records, ev, linked_names(store, ev, records)))
        found = {(i.source, i.message) for i in near_misses(store, relinked)}
        keys: dict[str, dict[str, set[str]]] = {}
        for r in rows(store, "SELECT DISTINCT ?x ?l WHERE { ?x rdfs:label|skos:prefLabel|skos:altLabel ?l }"):
            fam = r["x"].rsplit("/", 2)[-2]
            if fam in ("dataset", "model", "method"):
                keys.setdefault(fam, {}).setdefault(name_key(r["l"]), set()).add(r["x"])
    expected: dict[tuple[str, str], str] = {}
    for rec, _entry, linked in relinked:
        for node in linked.nodes:
            fam = FAMILY_OF.get(node.classes[0]) if node.classes else None
            key = name_key(node.label)
            if fam not in keys or not node.describe or len(key) < 4:
                continue
            for other, iris in keys[fam].items():
                if other != key and node.iri not in iris and (node.iri, other) not in expected \
                        and difflib.SequenceMatcher(None, key, other).ratio() >= NEAR_MISS:
                    expected[(node.iri, other)] = f"{rec.path}:{rec.line}"
    assert len(found) == len(expected) > 20
    assert {(source, iri.rsplit("/", 1)[-1], other) for (iri, other), source in expected.items()} == {
        (source, message.split("(", 1)[1].split(")", 1)[0], message.split("almost matches '", 1)[1].split("'", 1)[0])
        for source, message in found}

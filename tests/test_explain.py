"""``kg explain NAME``: the entries and rules behind a node."""

from __future__ import annotations

import json

from click.testing import CliRunner

from kg.cli import cli


def test_explain_names_entries_and_rules(runner: CliRunner, built_store: str) -> None:
    result = runner.invoke(cli, ["explain", "counsel bench", "--store", built_store])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "https://w3id.org/medkg/id/dataset/counselbench" in out
    assert "https://w3id.org/medkg/id/paper/counselbench" in out
    assert "data/catalog/003_b91fc50fb6a4089c.txt:3" in out
    assert "we present CounselBench, a large-scale benchmark" in out.replace("We present", "we present")
    assert "kgo:evaluates → model:gpt-4" in out


def test_explain_json_lists_links_with_sources(runner: CliRunner, built_store: str) -> None:
    result = runner.invoke(cli, ["explain", "MedGemma", "--store", built_store, "--format", "json"])
    assert result.exit_code == 0
    (node,) = json.loads(result.stdout)
    assert node["iri"].endswith("/model/medgemma")
    fam = [link for link in node["links"] if link["property"] == "kgo:partOfFamily"]
    assert fam and fam[0]["source"] == "data/catalog/003_b91fc50fb6a4089c.txt:19"
    assert "member of model family 'MedGemma / MedSigLIP'" in fam[0]["rule"]


def test_explain_unknown_name_exits_2(runner: CliRunner, built_store: str) -> None:
    result = runner.invoke(cli, ["explain", "NoSuchThing", "--store", built_store])
    assert result.exit_code == 2
    assert "no node named 'NoSuchThing'" in result.stderr


def test_the_records_linked_again_include_every_entry_behind_every_node(seed_store) -> None:
    """explain links again only the records near a node (candidate_records); checked against
    linking every record, for every node and edge end the seed catalog produced."""
    from kg.curate import candidate_records, relink, stored_records

    behind: dict[str, set[str]] = {}
    for rec, _entry, linked in relink(stored_records(seed_store)):
        for iri in {n.iri for n in linked.nodes} | {x for e in linked.edges for x in (e.subject, e.object)}:
            behind.setdefault(iri, set()).add(rec.iri)
    assert len(behind) > 40
    missed = {iri: recs - candidate_records(seed_store, iri) for iri, recs in behind.items()}
    assert not {iri: m for iri, m in missed.items() if m}


def test_a_node_many_entries_link_shows_the_first_of_them(runner: CliRunner, built_store: str) -> None:
    every = runner.invoke(cli, ["explain", "question answering", "--store", built_store, "--limit", "0"])
    some = runner.invoke(cli, ["explain", "question answering", "--store", built_store, "--limit", "1"])
    assert every.exit_code == some.exit_code == 0
    entries = [line for line in every.stdout.splitlines() if line.startswith("  data/catalog/")]
    assert len(entries) > 2 and "more entries" not in every.stdout
    shown = [line for line in some.stdout.splitlines() if line.startswith("  data/catalog/")]
    assert shown == entries[:1]
    assert "… and up to" in some.stdout and "more entries (--limit 0 shows all)" in some.stdout
    (node,) = json.loads(runner.invoke(cli, ["explain", "question answering", "--store", built_store,
                                             "--limit", "1", "-f", "json"]).stdout)
    assert len(node["entries"]) == 1 and node["more"] >= len(entries) - 1


def test_linking_the_stored_records_again_gives_what_the_store_holds(seed_store) -> None:
    """explain and review re-run the pipeline on the stored records: with the evidence ingest had
    (fields learned in catalog order), every triple they derive is in the store."""
    import io

    from kg.curate import relink, stored_records
    from kg.map import to_ntriples

    buf = io.BytesIO()
    seed_store.dump(buf, "nt")
    held = set(buf.getvalue().decode().splitlines())
    derived = {line.strip().replace("XMLSchema#positiveInteger", "XMLSchema#integer")  # (Oxigraph's form)
               for _rec, _entry, linked in relink(stored_records(seed_store)) for line in to_ntriples(linked)}
    assert len(derived) > 300
    assert derived <= held


def test_an_entry_in_two_files_is_explained_at_its_line_in_each(tmp_path, runner: CliRunner, monkeypatch) -> None:
    """One record (the same text) in two files: each file's line is read in that file's graph,
    never paired with the other file's line (as a query over the union would pair them)."""
    entry = ("论文ICLR 2026 Poster2026 年医学 AI ZetaDermQA:皮肤病问答基准\n"
             "We introduce ZetaDermQA, a benchmark for dermatology question answering.\n")
    other = "数据资源文本医学问答数据集10k QA pairs开放访问 KappaNotes\nClinical notes for question answering.\n"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text(entry + other, "utf-8")  # lines 1 and 3
    (tmp_path / "b.txt").write_text(other + other.replace("Kappa", "Lambda") + entry, "utf-8")  # line 5
    store = str(tmp_path / "store")
    assert runner.invoke(cli, ["ingest", "a.txt", "b.txt", "--store", store]).exit_code == 0
    result = runner.invoke(cli, ["explain", "ZetaDermQA", "--store", store, "-f", "json"])
    assert result.exit_code == 0, result.output
    sources = {e["source"] for node in json.loads(result.stdout) for e in node["entries"]}
    assert sources == {"a.txt:1", "b.txt:5"}


def test_explain_keeps_the_catalog_evidence_it_learned(seed_store, tmp_path, monkeypatch, store_copy) -> None:
    """The evidence learned from every stored record is cached under the catalog's key: read back
    equal, learned again when the cached file is unreadable, and under a new key once the catalog
    in the store changes."""
    from kg.curate import catalog_evidence, evidence_cache_key, stored_evidence, stored_records
    from kg.parse import Evidence

    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    learned = catalog_evidence(stored_records(seed_store))
    assert stored_evidence(seed_store) == learned
    key = evidence_cache_key(seed_store)
    (cached,) = (tmp_path / "cache").glob("evidence-*.json")
    assert cached.name == f"evidence-{key}.json"
    assert Evidence.from_json(json.loads(cached.read_text("utf-8"))) == learned
    assert len(learned.words) > 500 and learned.topic_prefixes and any(learned.fields.values())

    cached.write_text("{not json", "utf-8")
    assert stored_evidence(seed_store) == learned
    assert Evidence.from_json(json.loads(cached.read_text("utf-8"))) == learned  # written over

    from kg.ingest import ingest
    from kg.store import open_store

    extra = tmp_path / "more.txt"
    extra.write_text("数据资源文本医学问答数据集10k QA pairs开放访问 OmegaRadQA\nRadiology questions.\n", "utf-8")
    store = open_store(store_copy)
    try:
        ingest([extra], store)
        assert evidence_cache_key(store) not in (None, key)
        assert stored_evidence(store) == catalog_evidence(stored_records(store)) != learned
    finally:
        store.close()
    assert len(list((tmp_path / "cache").glob("evidence-*.json"))) == 2


def test_names_are_found_whatever_their_width_case_and_separators(seed_store) -> None:
    from kg.curate import find_nodes

    found = find_nodes(seed_store, "CounselBench")
    assert len(found) >= 2
    assert find_nodes(seed_store, "ＣＯＵＮＳＥＬ－ＢＥＮＣＨ") == find_nodes(seed_store, "counsel_bench") == found


def test_records_are_read_by_iri_in_batches(seed_store, monkeypatch) -> None:
    from kg import curate

    every = curate.stored_records(seed_store)
    wanted = {r.iri for r in every[::3]}
    monkeypatch.setattr(curate, "RECORDS_BY_IRI", 4)
    assert curate.records_of(seed_store, wanted) == [r for r in every if r.iri in wanted]

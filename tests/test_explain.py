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

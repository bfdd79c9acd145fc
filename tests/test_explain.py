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
    assert "kgo:evaluates" in out


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

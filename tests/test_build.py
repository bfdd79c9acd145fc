"""``kg build``: the main job on the seed catalog, and ``kg stats`` / ``kg validate`` over it."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kg.cli import cli

from .conftest import rows


def test_build_ingests_validates_and_counts(runner: CliRunner, in_root: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    result = runner.invoke(cli, ["build", "--store", str(store), "--out", str(tmp_path / "build")])
    assert result.exit_code == 0, result.output + (result.stderr or "")
    out = result.stdout
    assert "SHACL: conforms" in out
    for cls in ("kgo:Paper", "kgo:Benchmark", "kgo:CatalogEntry", "kgo:Topic", "kgo:Venue"):
        assert cls in out
    # a second build is a no-op for the catalog
    again = runner.invoke(cli, ["build", "--store", str(store), "--out", str(tmp_path / "build")])
    assert again.exit_code == 0
    assert again.stderr.count("unchanged") == 2


def test_build_default_store_is_dot_kg(runner: CliRunner, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    import shutil

    from .conftest import ROOT

    shutil.copytree(ROOT / "data", tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KG_STORE", raising=False)
    result = runner.invoke(cli, ["build", "--no-validate"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / ".kg" / "store" / "medkg-store.json").is_file()


def test_build_without_catalog_is_a_usage_error(runner: CliRunner, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["build", "--store", str(tmp_path / "s")])
    assert result.exit_code == 2
    assert "catalog directory not found" in result.stderr


def test_seed_graph_content(seed_store) -> None:  # noqa: ANN001
    papers = rows(seed_store, "SELECT ?p WHERE { ?p a kgo:Paper }")
    assert len(papers) == 8
    resources = rows(seed_store, "SELECT ?l WHERE { ?r kgo:accessText ?a ; rdfs:label ?l } ORDER BY ?l")
    assert [r["l"] for r in resources] == ["CBLUE", "CMB", "HealthBench", "MedGemma / MedSigLIP",
                                           "MedHELM", "cMedQA2"]
    iclr = rows(seed_store, "SELECT DISTINCT ?p WHERE { ?p kgo:publishedIn ?v . ?v rdfs:label 'ICLR 2026' }")
    assert len(iclr) == 7
    titles = rows(seed_store, "SELECT ?t WHERE { ?p rdfs:label 'LiveClin' ; dcterms:title ?t }")
    assert titles == [{"t": "LiveClin:无泄漏的实时临床基准"}]
    lang = rows(seed_store, "SELECT (LANG(?t) AS ?l) WHERE { ?p rdfs:label 'LiveClin' ; dcterms:title ?t }")
    assert lang == [{"l": "zh"}]
    year = rows(seed_store, "SELECT (DATATYPE(?y) AS ?d) WHERE { ?p rdfs:label 'LiveClin' ; dcterms:issued ?y }")
    assert year == [{"d": "http://www.w3.org/2001/XMLSchema#gYear"}]


def test_every_entry_is_traceable_to_its_file_and_line(seed_store) -> None:  # noqa: ANN001
    got = rows(seed_store, """
        SELECT ?file ?line ?label WHERE {
          ?rec a kgo:CatalogEntry ; kgo:sourceFile ?file ; kgo:sourceLine ?line ; kgo:describes ?x .
          ?x prov:wasDerivedFrom ?rec ; rdfs:label ?label .
        } ORDER BY ?file xsd:integer(?line)""")
    assert len(got) == 15
    assert got[1] == {"file": "data/catalog/000_c2e436b3784f4f61.txt", "line": "3", "label": "LiveClin"}
    # and each entry's triples sit in its source file's named graph
    g = rows(seed_store, """SELECT ?g WHERE { GRAPH ?g { ?x rdfs:label "CMB" ; a kgo:Benchmark } }""")
    assert g == [{"g": "https://w3id.org/medkg/id/graph/catalog/000-c2e436b3784f4f61-txt"}]


def test_iris_are_deterministic(tmp_path: Path, in_root: Path, built_store: str) -> None:
    """Building again, from the files in reverse order, mints the same IRIs."""
    from kg.ingest import ingest
    from kg.store import open_store

    from .conftest import SEED_FILES

    def subjects(path: str) -> set[str]:
        s = open_store(path, read_only=True)
        out = {r["s"] for r in rows(s, "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } "
                                     "FILTER(STRSTARTS(STR(?g), \"https://w3id.org/medkg/id/graph/catalog/\")) }")}
        s.close()
        return out

    s = open_store(str(tmp_path / "rev"))
    ingest(list(reversed(SEED_FILES)), s)
    s.close()
    assert subjects(str(tmp_path / "rev")) == subjects(built_store)


def test_stats_json(runner: CliRunner, built_store: str) -> None:
    result = runner.invoke(cli, ["stats", "--store", built_store, "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["classes"]["Paper"] == 8
    assert data["predicates"]["https://w3id.org/medkg/ontology#sourceLine"] == 15
    assert data["triples"] == sum(data["graphs"].values())


def test_validate_conforms_then_fails_on_a_broken_paper(runner: CliRunner, store_copy: str) -> None:
    ok = runner.invoke(cli, ["validate", "--store", store_copy])
    assert ok.exit_code == 0, ok.output
    import pyoxigraph as ox

    from kg.store import open_store

    s = open_store(store_copy)
    g = "https://w3id.org/medkg/id/graph/catalog/broken"
    bad = ox.NamedNode("https://w3id.org/medkg/id/paper/broken")
    s.replace_graphs({g: [ox.Quad(bad, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                                  ox.NamedNode("https://w3id.org/medkg/ontology#Paper"), ox.NamedNode(g))]})
    s.close()
    result = runner.invoke(cli, ["validate", "--store", store_copy, "--format", "json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert not report["conforms"]
    assert {v["focus"] for v in report["violations"] if v["severity"] == "Violation"} == {str(bad.value)}


def test_validation_in_chunks_reports_what_one_graph_reports(tmp_path: Path) -> None:
    """SHACL validation runs over chunks of focus nodes (bounded memory): chunks of 25 nodes give
    the report one chunk of everything gives, on a generated catalog with violations."""
    from bench.generate import write_catalog
    from kg.build import reference_graphs
    from kg.ingest import ingest
    from kg.store import open_store
    from kg.validate import validate

    write_catalog(tmp_path / "cat", 300, per_file=150, seed=5)
    with open_store(str(tmp_path / "s")) as store:
        ingest([tmp_path / "cat"], store, extra=reference_graphs(), bulk=False)
        whole = validate(store, chunk=10**9)
        chunked = validate(store, chunk=25)
        # the shapes as written (sh:targetClass) over one graph of every node: the same results
        import pyshacl
        from rdflib import Graph
        from rdflib.namespace import SH

        from kg.resources import resource_dir
        from kg.validate import chunk_graph, focus_types

        data = chunk_graph(store, sorted(focus_types(store)))
        shapes = Graph().parse(resource_dir("ontology") / "shapes.ttl", format="turtle")
        _, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                         allow_warnings=True)
        plain = {(str(results.value(r, SH.focusNode)), str(results.value(r, SH.resultMessage)))
                 for r in results.subjects(SH.resultSeverity, None)}
    assert chunked == whole
    assert not whole.conforms and len({v.focus for v in whole.violations}) > 5
    assert whole.triples > 10_000
    assert {(v.focus, v.message) for v in whole.violations} == plain

"""kg export: every syntax parses back (rdflib and pyoxigraph) into the store's graph."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from kg.cli import cli
from kg.export import export_file, iter_quads

RDFLIB_FORMAT = {"turtle": "turtle", "nt": "nt", "xml": "xml", "nq": "nquads", "trig": "trig", "jsonld": "json-ld"}
OX_FORMAT = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "xml": ox.RdfFormat.RDF_XML,
             "nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD}
EXT = {"turtle": "ttl", "nt": "nt", "xml": "rdf", "nq": "nq", "trig": "trig", "jsonld": "jsonld"}


def canonical(quads) -> set:  # noqa: ANN001
    ds = ox.Dataset(quads)
    ds.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(ds)


def store_quads(store, union: bool) -> list[ox.Quad]:  # noqa: ANN001
    quads = list(iter_quads(store))
    if union:
        return list({ox.Quad(q.subject, q.predicate, q.object) for q in quads})
    return quads


def run_export(runner, built_store: str, out: Path, *args: str):  # noqa: ANN001, ANN201
    result = runner.invoke(cli, ["export", "--store", built_store, "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def union(built_store) -> set:  # noqa: ANN001
    from kg.store import open_store

    store = open_store(built_store, read_only=True)
    try:
        return canonical(store_quads(store, union=True))
    finally:
        store.close()


@pytest.mark.parametrize("fmt", ["turtle", "nt", "xml", "nq", "trig", "jsonld"])
def test_union_parses_back_with_pyoxigraph(fmt, runner, built_store, union, tmp_path) -> None:
    out = tmp_path / f"medkg.{EXT[fmt]}"
    run_export(runner, built_store, out, "--format", fmt, "--graph", "default")
    parsed = [ox.Quad(q.subject, q.predicate, q.object) for q in ox.parse(path=str(out), format=OX_FORMAT[fmt])]
    assert len(union) > 100
    assert canonical(parsed) == union


@pytest.mark.parametrize("fmt", ["turtle", "nt", "xml", "nq", "trig", "jsonld"])
def test_graph_parses_back_isomorphic_with_rdflib(fmt, runner, built_store, seed_store, tmp_path) -> None:
    # rdflib is slow on the whole seed graph (the languages vocabulary alone is ~40k triples),
    # so each syntax is checked on the ontology graph (blank nodes, lists, language tags,
    # datatypes) and on a catalog graph (the data).
    for graph in (g for g in seed_store.graph_names() if g.endswith("/graph/ontology") or "/catalog/" in g):
        out = tmp_path / f"one.{EXT[fmt]}"
        run_export(runner, built_store, out, "--format", fmt, "--graph", graph)
        g = rdflib.Dataset()
        g.parse(out, format=RDFLIB_FORMAT[fmt])
        got = rdflib.Graph()
        for s, p, o, _ in g.quads():
            got.add((s, p, o))
        exp = rdflib.Graph()
        triples = [q.triple for q in iter_quads(seed_store, graph)]
        exp.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")
        assert len(got) == len(exp) == seed_store.count(graph)
        assert isomorphic(got, exp), graph


@pytest.mark.parametrize("fmt", ["nq", "trig", "jsonld"])
def test_named_graphs_kept(fmt, runner, built_store, seed_store, tmp_path) -> None:
    out = tmp_path / f"medkg.{EXT[fmt]}"
    run_export(runner, built_store, out, "--format", fmt, "--graph", "all")
    expected = store_quads(seed_store, union=False)
    parsed = list(ox.parse(path=str(out), format=OX_FORMAT[fmt]))
    assert {q.graph_name.value for q in parsed} == set(seed_store.graph_names())
    assert canonical(parsed) == canonical(expected)


def test_quad_syntaxes_keep_graphs_by_default(runner, built_store, seed_store, tmp_path) -> None:
    out = tmp_path / "medkg.trig"
    run_export(runner, built_store, out)  # format from the name, graphs kept by default
    names = {q.graph_name.value for q in ox.parse(path=str(out), format=ox.RdfFormat.TRIG)}
    assert names == set(seed_store.graph_names())


def test_gzip_when_name_ends_in_gz(runner, built_store, seed_store, tmp_path) -> None:
    out = tmp_path / "medkg.nq.gz"
    result = run_export(runner, built_store, out)
    assert out.read_bytes()[:2] == b"\x1f\x8b"
    data = gzip.decompress(out.read_bytes())
    quads = list(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    assert len(quads) == seed_store.count()
    assert f"wrote {seed_store.count()} statements" in result.output


def test_turtle_uses_project_prefixes_without_escapes(runner, built_store, tmp_path) -> None:
    out = tmp_path / "medkg.ttl"
    run_export(runner, built_store, out)
    text = out.read_text("utf-8")
    for prefix in ("kgo", "paper", "dataset", "topic", "record", "dcterms"):
        assert f"@prefix {prefix}: " in text
    assert "paper:" in text.split("@prefix paper:")[1]  # used, not only declared
    assert "\\/" not in text and "\\#" not in text


def test_one_named_graph(runner, built_store, seed_store, tmp_path) -> None:
    graph = next(g for g in seed_store.graph_names() if "/graph/catalog/" in g)
    out = tmp_path / "one.nt"
    run_export(runner, built_store, out, "--graph", graph)
    assert len(list(ox.parse(path=str(out), format=ox.RdfFormat.N_TRIPLES))) == seed_store.count(graph)


def test_stdout_and_usage_errors(runner, built_store) -> None:
    result = runner.invoke(cli, ["export", "--store", built_store, "-f", "nt"])
    assert result.exit_code == 0
    assert len(list(ox.parse(result.stdout_bytes, format=ox.RdfFormat.N_TRIPLES))) > 100
    bad = runner.invoke(cli, ["export", "--store", built_store, "-f", "turtle", "--graph", "all"])
    assert bad.exit_code == 2 and "named graphs" in bad.output
    bad = runner.invoke(cli, ["export", "--store", built_store, "--graph", "https://w3id.org/medkg/id/graph/nope"])
    assert bad.exit_code == 2 and "no graph" in bad.output
    missing = runner.invoke(cli, ["export", "--store", "/nonexistent/store"])
    assert missing.exit_code == 3


def test_jsonld_is_compacted_with_our_context_and_expands_to_the_store(
    runner, built_store, seed_store, tmp_path
) -> None:
    from pyld import jsonld

    context = json.loads((Path(__file__).parent.parent / "ontology" / "context.jsonld").read_text())
    # pyld's RDF conversion is slow on the whole seed graph: check the data graphs and the ontology
    for graph in (g for g in seed_store.graph_names() if g.endswith("/graph/ontology") or "/catalog/" in g):
        out = tmp_path / "one.jsonld"
        run_export(runner, built_store, out, "--graph", graph)
        doc = json.loads(out.read_text("utf-8"))
        assert doc["@context"] == context["@context"]
        nquads = jsonld.to_rdf(doc, {"format": "application/n-quads"})
        got = canonical(list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS)))
        assert got == canonical(list(iter_quads(seed_store, graph)))  # kept in its named graph
        if "/catalog/" in graph:
            (wrapper,) = doc["@graph"]
            assert wrapper["@id"] == graph
            papers = [n for n in wrapper["@graph"] if n.get("type") == "Paper"]
            assert papers and all("name" in p for p in papers)  # readable keys, not full IRIs
            assert any(isinstance(p.get("title"), dict) for p in papers)  # a language map


def test_build_dump_step_writes_the_three_dumps(seed_store, tmp_path) -> None:
    from kg.build import OUTPUT_STEPS
    from kg.export.build import write_dumps

    assert "kg.export.build:write_dumps" in OUTPUT_STEPS
    written = write_dumps(seed_store, tmp_path)
    assert [p.name for p in written] == ["medkg.ttl", "medkg.nq.gz", "medkg.jsonld"]
    quads = list(ox.parse(gzip.decompress((tmp_path / "medkg.nq.gz").read_bytes()), format=ox.RdfFormat.N_QUADS))
    assert len(quads) == seed_store.count()
    assert not list(tmp_path.glob(".*.part"))


def test_export_file_is_atomic_on_failure(seed_store, tmp_path) -> None:
    from kg.export import ExportError

    target = tmp_path / "x.ttl"
    with pytest.raises(ExportError):
        export_file(seed_store, target, "turtle", "all")
    assert not target.exists() and not list(tmp_path.iterdir())

"""kg void: the VoID + DCAT description agrees with the store and points at real dumps."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import RDF, Literal, Namespace, URIRef

from kg.cli import cli
from tests.conftest import rows

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
SPDX = Namespace("http://spdx.org/rdf/terms#")


@pytest.fixture(scope="module")
def build_dir(built_store, tmp_path_factory) -> Path:  # noqa: ANN001
    from kg.export.build import write_dumps
    from kg.export.void import write_void
    from kg.store import open_store

    out = tmp_path_factory.mktemp("build")
    store = open_store(built_store, read_only=True)
    try:
        write_dumps(store, out)
        assert write_void(store, out) == [out / "void.ttl"]
    finally:
        store.close()
    return out


@pytest.fixture(scope="module")
def void(build_dir: Path) -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(build_dir / "void.ttl", format="turtle")  # relative dump IRIs resolve against the file
    return g


def dataset(g: rdflib.Graph) -> URIRef:
    (ds,) = [s for s in g.subjects(RDF.type, DCAT.Dataset)]
    return ds


def test_statistics_match_the_store(void, seed_store) -> None:
    ds = dataset(void)
    union = rows(seed_store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o "
                             "WHERE { GRAPH ?g { ?s ?p ?o } } }")
    assert int(void.value(ds, VOID.triples)) == int(union[0]["n"])
    query = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c"
    classes = {r["c"]: int(r["n"]) for r in rows(seed_store, query)}
    parts = {str(void.value(p, VOID["class"])): int(void.value(p, VOID.entities))
             for p in void.objects(ds, VOID.classPartition)}
    assert parts == classes
    assert parts["https://w3id.org/medkg/ontology#Paper"] >= 8
    props = {str(void.value(p, VOID.property)): int(void.value(p, VOID.triples))
             for p in void.objects(ds, VOID.propertyPartition)}
    assert sum(props.values()) == int(void.value(ds, VOID.triples))
    vocabs = {str(v) for v in void.objects(ds, VOID.vocabulary)}
    assert {"https://w3id.org/medkg/ontology#", "http://purl.org/dc/terms/"} <= vocabs


def test_one_subset_per_graph_with_its_own_description(void, seed_store) -> None:
    ds = dataset(void)
    subsets = {str(s) for s in void.objects(ds, VOID.subset)}
    assert subsets == set(seed_store.graph_names())
    for g in subsets:
        assert int(void.value(URIRef(g), VOID.triples)) == seed_store.count(g)
    catalog = [g for g in subsets if "/graph/catalog/" in g]
    assert catalog
    for g in catalog:  # the catalog graph's own kgo:contentHash and dcterms:source are repeated
        assert void.value(URIRef(g), URIRef("https://w3id.org/medkg/ontology#contentHash")) is not None
        assert str(void.value(URIRef(g), DCTERMS.source)).startswith("data/catalog/")


def test_dumps_resolve_to_the_files_with_size_and_checksum(void, build_dir) -> None:
    ds = dataset(void)
    dumps = sorted(void.objects(ds, VOID.dataDump))
    assert {Path(str(d).removeprefix("file://")).name for d in dumps} == {"medkg.ttl", "medkg.nq.gz", "medkg.jsonld"}
    for dist in void.objects(ds, DCAT.distribution):
        url = void.value(dist, DCAT.downloadURL)
        if url is None:
            continue
        path = Path(str(url).removeprefix("file://"))
        assert path.parent == build_dir.resolve() or path.parent == build_dir
        assert int(void.value(dist, DCAT.byteSize)) == path.stat().st_size
        checksum = void.value(dist, SPDX.checksum)
        assert str(void.value(checksum, SPDX.checksumValue)) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_endpoint_licence_dates_examples(void, seed_store) -> None:
    ds = dataset(void)
    assert void.value(ds, VOID.sparqlEndpoint) == URIRef("http://127.0.0.1:7878/sparql")
    assert void.value(ds, DCTERMS.license) is not None
    assert void.value(ds, DCTERMS.modified).datatype == URIRef("http://www.w3.org/2001/XMLSchema#date")
    examples = list(void.objects(ds, VOID.exampleResource))
    assert examples
    for ex in examples:
        assert rows(seed_store, "SELECT ?s ?p WHERE { ?s ?p ?o } LIMIT 1", s=ox.NamedNode(str(ex)))
        assert str(ex).startswith("https://w3id.org/medkg/id/")


def test_cli_void_options(runner, built_store, build_dir, monkeypatch) -> None:
    monkeypatch.setenv("KG_SPARQL_ENDPOINT", "http://127.0.0.1:9999/sparql")
    result = runner.invoke(cli, ["void", "--store", built_store, "--dump-base", "https://example.org/medkg/dumps",
                                 "--dumps-dir", str(build_dir)])
    assert result.exit_code == 0, result.output
    g = rdflib.Graph()
    g.parse(data=result.stdout, format="turtle")
    ds = dataset(g)
    assert g.value(ds, VOID.sparqlEndpoint) == URIRef("http://127.0.0.1:9999/sparql")
    assert URIRef("https://example.org/medkg/dumps/medkg.nq.gz") in set(g.objects(ds, VOID.dataDump))
    assert any(g.objects(None, DCAT.byteSize))
    assert (ds, RDF.type, VOID.Dataset) in g
    assert g.value(ds, DCTERMS.title) == Literal("medkg: a knowledge graph of medical-AI research", lang="en")

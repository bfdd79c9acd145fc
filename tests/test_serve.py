"""``kg serve``: a real server on a free loopback port, driven with a real HTTP client (httpx)."""

from __future__ import annotations

import json

import httpx
import pyoxigraph as ox
import pytest

from kg.cli import cli

from .conftest import running_server

pytestmark = pytest.mark.server
ID = "https://w3id.org/medkg/id/"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def server(built_store):
    with running_server(built_store, timeout=1.5, max_rows=5, workers=1, max_body=4096) as srv:
        yield srv


@pytest.fixture
def http(server):
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def test_binds_loopback_by_default(server):
    assert server.server_address[0] == "127.0.0.1"


@pytest.mark.parametrize("accept, ctype, marker", [
    ("application/sparql-results+json", "application/sparql-results+json", '"bindings"'),
    ("application/sparql-results+xml", "application/sparql-results+xml", "<sparql"),
    ("text/csv", "text/csv", "n\r\n"),
    ("text/tab-separated-values", "text/tab-separated-values", "?n\n"),
    ("*/*", "application/sparql-results+json", '"head"'),
])
def test_sparql_get_negotiates_result_formats(http, accept, ctype, marker):
    r = http.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a kgo:Paper }"},
                 headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(ctype)
    assert marker in r.text


def test_sparql_post_form_and_body(http):
    q = "SELECT ?t WHERE { paper:counselbench dcterms:title ?t }"
    form = http.post("/sparql", data={"query": q}, headers={"Accept": "application/sparql-results+json"})
    body = http.post("/sparql", content=q.encode(), headers={"Content-Type": "application/sparql-query"})
    for r in (form, body):
        assert r.status_code == 200, r.text
        values = [b["t"]["value"] for b in r.json()["results"]["bindings"]]
        assert values == ["CounselBench:心理健康问答中大语言模型的大规模专家评测与对抗基准"]


def test_construct_negotiates_rdf_syntaxes(http):
    q = "CONSTRUCT { dataset:cmb ?p ?o } WHERE { dataset:cmb ?p ?o }"
    for accept, fmt in [("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
                        ("application/ld+json", ox.RdfFormat.JSON_LD)]:
        r = http.get("/sparql", params={"query": q}, headers={"Accept": accept})
        assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
        triples = [q.triple for q in ox.parse(r.content, format=fmt)]
        assert ox.NamedNode(ID + "dataset/cmb") in {t.subject for t in triples}
    assert http.get("/sparql", params={"query": q}, headers={"Accept": "image/png"}).status_code == 406


def test_updates_are_forbidden(http):
    assert http.post("/sparql", data={"update": "DROP ALL"}).status_code == 403
    upd = http.post("/sparql", content=b"DROP ALL", headers={"Content-Type": "application/sparql-update"})
    assert upd.status_code == 403
    assert http.get("/sparql", params={"update": "DROP ALL"}).status_code == 403
    assert http.get("/sparql", params={"query": "ASK { ?s a kgo:Paper }"}).json()["boolean"] is True


def test_result_cap(http):
    r = http.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o }"})
    assert r.status_code == 200
    assert len(r.json()["results"]["bindings"]) == 5
    assert r.headers["x-result-truncated"] == "true"
    small = http.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o }", "limit": "2"})
    assert len(small.json()["results"]["bindings"]) == 2


def test_timeout_kills_the_query_and_the_server_carries_on(http):
    r = http.get("/sparql", params={"query": HEAVY})
    assert r.status_code == 503 and "timed out" in r.text
    after = http.get("/sparql", params={"query": "ASK { ?s a kgo:Paper }"})
    assert after.status_code == 200 and after.json()["boolean"] is True


def test_errors(http):
    bad = http.get("/sparql", params={"query": "SELECT * WHERE {\n ?s ?p }"})
    assert bad.status_code == 400 and "line 2" in bad.text
    svc = http.get("/sparql", params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"})
    assert svc.status_code == 400 and "SERVICE" in svc.text
    big = http.post("/sparql", content=b"#" * 5000, headers={"Content-Type": "application/sparql-query"})
    assert big.status_code == 413
    assert http.get("/sparql").status_code == 400
    assert http.put("/sparql", content=b"x").status_code == 405


def test_named_queries_with_typed_parameters(http):
    lib = http.get("/queries").json()
    assert len(lib["queries"]) >= 15 and lib["base"] == ID
    r = http.get("/queries/papers-by-topic", params={"topic": "trustworthy medical AI"},
                 headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.text.count("\r\n") == 4  # header + 3 papers
    assert http.get("/queries/papers-by-venue", params={"year": "soon"}).status_code == 400
    assert http.get("/queries/papers-by-topic", params={"topc": "x"}).status_code == 400
    assert http.get("/queries/nope").status_code == 404


def test_iri_dereferences_as_html(http):
    r = http.get("/id/dataset/cmb", headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert "<h1>CMB</h1>" in page
    assert "CMB:中文医学基准" in page and 'lang="zh"' in page  # titles in every language
    assert 'href="/id/access/' in page  # properties link to local pages
    assert 'href="/id/record/' in page  # incoming: the catalog entry that describes it
    assert 'rel="alternate" type="text/turtle"' in page


@pytest.mark.parametrize("path, accept, fmt", [
    ("/id/dataset/cmb.ttl", None, ox.RdfFormat.TURTLE),
    ("/id/dataset/cmb", "text/turtle", ox.RdfFormat.TURTLE),
    ("/id/dataset/cmb", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("/id/dataset/cmb.nt", None, ox.RdfFormat.N_TRIPLES),
    ("/id/dataset/cmb", "application/ld+json", ox.RdfFormat.JSON_LD),
    ("/id/dataset/cmb.jsonld", None, ox.RdfFormat.JSON_LD),
])
def test_iri_dereferences_as_rdf(http, path, accept, fmt):
    r = http.get(path, headers={"Accept": accept} if accept else {})
    assert r.status_code == 200
    triples = [q.triple for q in ox.parse(r.content, format=fmt)]
    cmb = ox.NamedNode(ID + "dataset/cmb")
    assert ox.Triple(cmb, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("CMB")) in triples
    assert any(t.object == cmb for t in triples)  # incoming links too


def test_unknown_iris_and_other_iris(http):
    assert http.get("/id/dataset/no-such-thing").status_code == 404
    assert http.get("/id/../etc/passwd").status_code == 404
    lang = http.get("/describe", params={"iri": "lexvo:ara"}, headers={"Accept": "text/html"})
    assert lang.status_code == 200 and "Arabic" in lang.text


def test_void(http, server):
    r = http.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    triples = list(ox.parse(r.content, format=ox.RdfFormat.TURTLE))
    void = "http://rdfs.org/ns/void#"
    assert any(t.object == ox.NamedNode(void + "Dataset") for t in triples)
    assert any(t.predicate == ox.NamedNode(void + "triples") and int(t.object.value) > 0 for t in triples)
    nt = http.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    assert nt.status_code == 200 and list(ox.parse(nt.content, format=ox.RdfFormat.N_TRIPLES))


def test_the_graphs_of_the_void_dereference(http):
    """Each named graph the VoID lists as a subset is an IRI under the base, and it dereferences:
    its page lists what it says about, its RDF gives its size as the VoID does."""
    void = "http://rdfs.org/ns/void#"
    desc = list(ox.parse(http.get("/.well-known/void", headers={"Accept": "text/turtle"}).content,
                         format=ox.RdfFormat.TURTLE))
    sizes = {t.subject.value: int(t.object.value) for t in desc
             if t.predicate.value == void + "triples" and t.subject.value.startswith(ID + "graph/")}
    assert len(sizes) >= 10 and ID + "graph/vocab/languages" in sizes
    for iri, n in sizes.items():
        page = http.get("/id/" + iri[len(ID):], headers={"Accept": "text/html"})
        assert page.status_code == 200, iri
        assert "<h2>Named graph</h2>" in page.text and f"{n:,} statements" in page.text
        ttl = http.get("/id/" + iri[len(ID):] + ".ttl")
        triples = list(ox.parse(ttl.content, format=ox.RdfFormat.TURTLE))
        said = {int(t.object.value) for t in triples
                if t.subject == ox.NamedNode(iri) and t.predicate.value == void + "triples"}
        assert said == {n}, (iri, said)
    languages = http.get("/id/graph/vocab/languages", headers={"Accept": "text/html"}).text
    assert 'href="/describe?iri=http%3A%2F%2Flexvo.org%2Fid%2Fiso639-3%2Faaa"' in languages


def test_query_page_and_assets_are_local(http):
    page = http.get("/")
    assert page.status_code == 200 and 'id="query-list"' in page.text
    assert "http://" not in page.text.replace("http://www.w3.org", "") and "https://" not in page.text
    for asset in ("/static/app.js", "/static/style.css"):
        r = http.get(asset)
        assert r.status_code == 200 and "https://" not in r.text
    assert http.get("/static/../__init__.py").status_code == 404


def test_serve_command_help(runner):
    res = runner.invoke(cli, ["serve", "--help"])
    assert res.exit_code == 0 and "127.0.0.1" in res.output and "--timeout" in res.output


def test_json_results_are_valid_sparql_json(http):
    r = http.get("/queries/venues")
    data = json.loads(r.text)
    assert data["head"]["vars"][:2] == ["venue", "label"]
    assert all(b["venue"]["type"] == "uri" for b in data["results"]["bindings"])

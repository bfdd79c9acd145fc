"""kg publish: a page (with .ttl and .jsonld) for every resource, no dead internal link, embedded
JSON-LD that expands to the store's statements, escaped catalog text, served by a static host."""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pyoxigraph as ox
import pytest

from kg.cli import cli
from tests.conftest import rows

BASE = "https://w3id.org/medkg/id/"


def published_site(tmp_path_factory: pytest.TempPathFactory, built_store: str) -> Path:
    """The seed graph published once per session (shared with the browser test via the disk)."""
    from kg.publish import publish
    from kg.store import open_store

    site = tmp_path_factory.getbasetemp() / "published-site"
    if not (site / "index.html").is_file():
        store = open_store(built_store, read_only=True)
        try:
            publish(store, site)
        finally:
            store.close()
    return site


@pytest.fixture(scope="module")
def site(tmp_path_factory, built_store) -> Path:  # noqa: ANN001
    return published_site(tmp_path_factory, built_store)


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs) -> None:  # noqa: ANN001
        a = dict(attrs)
        for key in ("href", "src"):
            if a.get(key) is not None:
                self.links.append(a[key])
        if a.get("id"):
            self.ids.add(a["id"])
        self._in_script = tag == "script" and a.get("type") == "application/ld+json"

    def handle_endtag(self, tag) -> None:  # noqa: ANN001
        self._in_script = False

    def handle_data(self, data) -> None:  # noqa: ANN001
        if self._in_script:
            self.scripts.append(data)


def triple(st: ox.Triple | ox.Quad) -> ox.Triple:
    return st.triple if isinstance(st, ox.Quad) else st


def parse_html(path: Path) -> Links:
    p = Links()
    p.feed(path.read_text("utf-8"))
    return p


def resources(store) -> set[str]:  # noqa: ANN001
    query = "SELECT DISTINCT ?x WHERE { { ?x ?p ?o } UNION { ?s ?p ?x } FILTER(isIRI(?x)) }"
    found = {r["x"] for r in rows(store, query)}
    found |= set(store.graph_names())
    return {x for x in found if x.startswith(BASE)}


def test_a_page_and_data_files_for_every_resource(site, seed_store) -> None:
    from kg.publish.paths import SitePaths

    paths = SitePaths(BASE)
    expected = resources(seed_store)
    assert len(expected) > 30
    for iri in expected:
        stem = paths.stem(iri)
        for ext in ("html", "ttl", "jsonld"):
            assert (site / f"{stem}.{ext}").is_file(), (iri, ext)
    for name in ("index.html", "void.ttl", "ontology.ttl", "ontology.html", "class/index.html",
                 "dumps/medkg.ttl", "dumps/medkg.nq.gz", "dumps/medkg.jsonld", "assets/site.css"):
        assert (site / name).is_file(), name
    assert (site / "class" / "kgo-Paper.html").is_file()
    assert (site / "paper" / "index.html").is_file()


def test_no_dead_internal_link(site) -> None:
    pages = list(site.rglob("*.html"))
    ids = {}
    checked = 0
    for page in pages:
        for link in parse_html(page).links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith("//"):
                assert parts.scheme in ("http", "https", "mailto"), (page, link)
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page.resolve()
            assert target.is_file(), f"{page.relative_to(site)} -> {link}"
            assert site.resolve() in target.parents, f"{page} links outside the site: {link}"
            if parts.fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = parse_html(target).ids
                assert parts.fragment in ids[target], f"{page.relative_to(site)} -> {link}"
            checked += 1
    assert checked > 1000


def test_data_files_hold_exactly_the_store_description(site, seed_store) -> None:
    from kg.publish.paths import SitePaths

    paths = SitePaths(BASE)
    for iri in sorted(resources(seed_store))[:80]:
        stem = paths.stem(iri)
        node = ox.NamedNode(iri)
        out = {q.triple for q in seed_store.raw.quads_for_pattern(node, None, None, None)}
        inc = {q.triple for q in seed_store.raw.quads_for_pattern(None, None, node, None)}
        ttl = {triple(q) for q in ox.parse(path=str(site / f"{stem}.ttl"), format=ox.RdfFormat.TURTLE)}
        jl = {triple(q) for q in ox.parse(path=str(site / f"{stem}.jsonld"), format=ox.RdfFormat.JSON_LD)}
        named = {t for t in out | inc if not isinstance(t.object, ox.BlankNode)}
        assert named <= ttl and named <= jl, iri
        assert {t for t in ttl if not isinstance(t.subject, ox.BlankNode)} == out | inc


def test_embedded_jsonld_expands_to_the_resource_plus_schema_org(site, seed_store) -> None:
    from pyld import jsonld

    from kg.export.schema_org import dataset_markup_problems

    datasets = [r["s"] for r in rows(seed_store, "SELECT DISTINCT ?s WHERE { ?s a kgo:Dataset }")]
    assert datasets
    checked_markup = 0
    for page, iri in [(f"dataset/{d.rsplit('/', 1)[1]}.html", d) for d in datasets] + [
        ("paper/" + p["s"].rsplit("/", 1)[1] + ".html", p["s"])
        for p in rows(seed_store, "SELECT ?s WHERE { ?s a kgo:Paper }")
    ]:
        html = (site / page).read_text("utf-8")
        (script,) = parse_html(site / page).scripts
        doc = json.loads(script)
        nquads = jsonld.to_rdf(doc, {"format": "application/n-quads"})
        got = {q.triple for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS)}
        node = ox.NamedNode(iri)
        own = {q.triple for q in seed_store.raw.quads_for_pattern(node, None, None, None)}
        assert own <= got, page
        assert all(t.predicate.value.startswith("http://schema.org/") or
                   (t.predicate.value.endswith("#type") and t.object.value.startswith("http://schema.org/"))
                   for t in got - own), page
        assert "</script" not in script.lower() and "<" not in script
        assert html.count('<script type="application/ld+json">') == 1
        if iri in datasets:
            (expanded,) = [n for n in jsonld.expand(doc) if n.get("@id") == iri]
            desc = rows(seed_store, "SELECT ?s ?d WHERE { ?s dcterms:description ?d }", s=node)
            if desc and len(desc[0]["d"]) >= 50:  # data-tied: entries with a real description
                assert dataset_markup_problems(expanded) == [], page
                checked_markup += 1
    assert checked_markup >= 1


def test_catalog_text_is_escaped_and_base_url_used(store_copy, tmp_path, runner) -> None:
    from kg.store import open_store

    evil = '</script><script>alert("x")</script><img src=x onerror=alert(1)>'
    store = open_store(store_copy)
    try:
        s = ox.NamedNode(BASE + "paper/evil")
        store.replace_graphs({BASE + "graph/catalog/evil-txt": [
            ox.Quad(s, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                    ox.NamedNode("https://w3id.org/medkg/ontology#Paper")),
            ox.Quad(s, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal(evil)),
            ox.Quad(s, ox.NamedNode("http://xmlns.com/foaf/0.1/homepage"), ox.NamedNode("javascript:alert(1)")),
        ]})
    finally:
        store.close()
    out = tmp_path / "site"
    result = runner.invoke(cli, ["publish", "--store", store_copy, str(out), "--base-url", "https://example.org/medkg"])
    assert result.exit_code == 0, result.output
    html = (out / "paper" / "evil.html").read_text("utf-8")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;/script&gt;&lt;script&gt;alert" in html
    assert 'href="javascript:' not in html
    (script,) = parse_html(out / "paper" / "evil.html").scripts
    assert json.loads(script)["name"] == evil
    assert "&lt;/script&gt;" in (out / "class" / "kgo-Paper.html").read_text("utf-8")
    # --base-url: absolute dump links, canonical links and a sitemap
    assert "wrote" in result.output and (out / "sitemap.xml").is_file()
    assert "https://example.org/medkg/paper/evil.html" in (out / "sitemap.xml").read_text()
    assert "<https://example.org/medkg/dumps/medkg.nq.gz>" in (out / "void.ttl").read_text()
    assert '<link rel="canonical" href="https://example.org/medkg/paper/evil.html">' in html


def test_ontology_page_documents_every_term(site, seed_store) -> None:
    query = ("SELECT DISTINCT ?t WHERE { GRAPH ?g { ?t a ?k } FILTER(STRSTARTS(STR(?t), STR(kgo:)) "
             "&& ?k IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty)) }")
    terms = {r["t"] for r in rows(seed_store, query)}
    assert len(terms) > 20
    ids = parse_html(site / "ontology.html").ids
    assert {t.rsplit("#", 1)[1] for t in terms} <= ids
    text = (site / "ontology.html").read_text("utf-8")
    assert "sub-class of" in text and "schema:Dataset" in text


def test_served_by_a_static_host(site) -> None:
    import httpx

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        with httpx.Client(base_url=url, timeout=10) as client:
            index = client.get("index.html")
            assert index.status_code == 200 and "medkg" in index.text
            first = re.search(r'href="([a-z0-9-]+)\.html"', (site / "paper" / "index.html").read_text()).group(1)
            page = client.get(f"paper/{first}.html")
            assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
            ttl = client.get(f"paper/{first}.ttl")
            assert ttl.status_code == 200
            assert list(ox.parse(ttl.content, format=ox.RdfFormat.TURTLE))
            assert client.get("void.ttl").status_code == 200
    finally:
        server.shutdown()
        server.server_close()


def test_refuses_to_replace_a_foreign_directory(runner, built_store, tmp_path) -> None:
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine")
    refused = runner.invoke(cli, ["publish", "--store", built_store, str(foreign)])
    assert refused.exit_code == 2 and "not written by kg publish" in refused.output
    assert (foreign / "keep.txt").read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["foreign"]  # no temporary directory left

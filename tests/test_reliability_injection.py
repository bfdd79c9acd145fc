"""Injection: named-query parameters cannot change a query's shape; IRIs are minted only from safe
slugs; every HTML output (``kg render``, ``kg serve`` pages, ``kg publish``) shows hostile catalog
text as text — checked in a real headless Chromium, where the payloads would set a marker (a
global, ``document.title``) or open a dialog if any of them ran."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.cli import cli
from kg.namespaces import FAMILIES, base

from .conftest import ROOT

# --------------------------------------------------------------------------------------------
# named-query parameters

HOSTILE = [
    'x" } UNION { ?s ?p ?o } #',
    "x' } UNION { ?s ?p ?o } #",
    '"""x""" } ; DROP ALL ; #',
    "x\n} UNION {\n  ?s ?p ?o\n}\n#",
    'x\\" } UNION { ?s ?p ?o }',
    "}}}} {{{{ ) ( . ;",
    "http://e.org/a> } UNION { ?s ?p ?o } #",
    "<http://e.org/a> } UNION { ?s ?p ?o } #",
    "<http://e.org/a>",
    "topic:x> } UNION { ?s ?p ?o",
    "ar' } UNION { ?s ?p ?o } #",
    '2026" } UNION { ?s ?p ?o',
    "\\u0022 } UNION { ?s ?p ?o } #",
    "?s ?p ?o",
    "PREFIX x: <http://x/> SELECT * WHERE { ?s ?p ?o }",
    "'\"; --",
    "\x00\x01",
]


ALGEBRA_CHECKED = {HOSTILE[0], HOSTILE[3], HOSTILE[4], HOSTILE[6], HOSTILE[12]}


def _skeleton(text: str) -> list[str]:
    """The query's tokens with every string and IRI blanked: what a value could change if it
    escaped its quotes."""
    from kg.query.params import code_only

    return code_only(text).split()


def _library():
    from kg.query.library import load_library

    return load_library()


def _cases() -> list[tuple[str, str]]:
    return [(name, p.name) for name, q in _library().items() for p in q.params]


def _benign(term: ox.NamedNode | ox.Literal) -> ox.NamedNode | ox.Literal:
    """A term of the same kind and type as ``term`` with a harmless value."""
    if isinstance(term, ox.NamedNode):
        return ox.NamedNode("http://example.org/harmless")
    if term.language:
        return ox.Literal("harmless", language=term.language)
    return ox.Literal("harmless", datatype=term.datatype)


def _algebra(text: str, hostile: ox.Literal | ox.NamedNode, benign: ox.Literal | ox.NamedNode) -> object:
    """rdflib's SPARQL algebra of ``text`` as a comparable tree, with the bound value replaced by
    the benign one: two queries with equal trees have the same shape."""
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Identifier, Literal

    from kg.namespaces import sparql_prologue

    def norm(node: object) -> object:
        if isinstance(node, Identifier):
            value = benign.value if str(node) == hostile.value else str(node)
            extra = (str(node.datatype), node.language) if isinstance(node, Literal) else ()
            return ("T", type(node).__name__, value, *extra)
        if isinstance(node, CompValue):
            return (
                "C",
                node.name,
                tuple(sorted(((k, norm(v)) for k, v in node.items()), key=lambda kv: kv[0])),
            )
        if isinstance(node, dict):
            return ("D", tuple(sorted(((norm(k), norm(v)) for k, v in node.items()), key=repr)))
        if isinstance(node, list | tuple):
            return ("L", tuple(norm(v) for v in node))
        if isinstance(node, set | frozenset):
            return ("S", tuple(sorted((norm(v) for v in node), key=repr)))
        return ("O", type(node).__name__, str(node))

    return norm(prepareQuery(sparql_prologue() + text).algebra)


@pytest.mark.parametrize("name, param", _cases())
def test_hostile_parameter_values_are_terms_not_text(seed_store, name: str, param: str) -> None:
    from kg.query.params import ParamError, bind, bind_values
    from kg.query.run import execute

    q = _library()[name]
    ptype = next(p.type for p in q.params if p.name == param)
    shapes = 0
    harmless = reference = None
    for value in HOSTILE:
        try:
            bound = bind(q.params, {param: value}, store=seed_store)
        except ParamError:
            continue  # refused as a bad value: nothing reached the query
        term = bound[param]
        if ptype == "string":
            assert term.value == value  # the text is the literal's value, verbatim
        benign = {**bound, param: _benign(term)}
        # 1. the textual fallback (remote stores) has the very same tokens outside strings and
        #    IRIs, and (for the nastiest values; rdflib is slow) the very same algebra, as with a
        #    harmless value
        assert _skeleton(bind_values(q.text, bound)) == _skeleton(bind_values(q.text, benign)), value
        if value in ALGEBRA_CHECKED:
            if reference is None:
                reference = _algebra(bind_values(q.text, benign), term, benign[param])
            assert _algebra(bind_values(q.text, bound), term, benign[param]) == reference, (
                name,
                param,
                value,
            )
        shapes += 1
        if value not in ALGEBRA_CHECKED:
            continue
        # 2. it gives the same rows as pyoxigraph's substitution, and the same columns as always
        sub = execute(seed_store, q.text, substitutions=bound)
        txt = execute(
            seed_store,
            bind_values(q.text, bound),
            substitutions={k: v for k, v in bound.items() if k != param},
        )
        if harmless is None:  # the other parameters keep their defaults: one harmless run is enough
            harmless = execute(seed_store, q.text, substitutions=benign)
        assert (sub.kind, sub.variables) == (harmless.kind, harmless.variables)
        assert sorted(map(str, sub.rows or sub.triples or [])) == sorted(
            map(str, txt.rows or txt.triples or [])
        )
        # 3. a hostile string or IRI matches nothing real: exactly the rows of a harmless value
        assert sub.count == harmless.count, (name, param, value)
    if ptype in ("string", "iri"):
        assert shapes, f"{name}: no hostile {param} value reached the query"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.text(
        alphabet=st.sampled_from(list("\"'\\{}()<>#.;?$ \n\t\r:/UNIONSELECTxa0\u0000\u2028")), max_size=60
    )
)
def test_any_search_text_keeps_the_query_shape(seed_store, text: str) -> None:
    from kg.query.params import bind, bind_values

    q = _library()["search"]
    bound = bind(q.params, {"text": text}, store=seed_store) if text else {"text": ox.Literal("")}
    term = bound["text"]
    assert term.value == text
    benign = {"text": ox.Literal("harmless")}
    assert _algebra(bind_values(q.text, bound), term, benign["text"]) == _algebra(
        bind_values(q.text, benign), term, benign["text"]
    )


def test_cli_and_server_refuse_or_bind_never_paste(runner, built_store, seed_store) -> None:
    """Through ``kg query NAME --param`` and ``/queries/NAME?p=``: a hostile value is a usage
    error (exit 2 / 400 with the parameter's name) or a term matching nothing — never a SPARQL
    syntax error, which is what pasting it into the text would give."""
    import httpx

    from kg.serve import make_server

    srv = make_server(built_store, port=0, workers=0, timeout=20)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        with httpx.Client(base_url=srv.url, timeout=30) as http:
            for name, param in [
                ("papers-by-venue", "track"),
                ("papers-by-topic", "topic"),
                ("entries-from-source", "file"),
                ("describe-entity", "entity"),
                ("datasets-by-language", "language"),
            ]:
                for value in HOSTILE[:8]:
                    fmt = "nt" if name == "describe-entity" else "csv"
                    r = runner.invoke(
                        cli, ["query", name, "--store", built_store, "-p", f"{param}={value}", "-f", fmt]
                    )
                    assert r.exit_code in (0, 2), (name, value, r.output)
                    assert "syntax error" not in r.output
                    if r.exit_code == 2:
                        assert param in r.stderr
                    h = http.get(f"/queries/{name}", params={param: value, "format": fmt})
                    assert h.status_code in (200, 400), (name, value, h.text)
                    assert "syntax error" not in h.text
                    if h.status_code == 200 and name != "describe-entity":
                        assert h.text.count("\n") <= 1, (name, value, h.text)  # a header, no rows
    finally:
        srv.shutdown()
        srv.server_close()
        srv.config.store.close()


# --------------------------------------------------------------------------------------------
# IRIs from safe slugs only

SLUG = r"[a-z0-9][a-z0-9-]*"
MINTED = [f for f in FAMILIES if f not in ("scheme", "graph")]


def _safe(iri: str) -> bool:
    b = re.escape(base())
    return bool(re.fullmatch(rf"{b}(?:{'|'.join(FAMILIES)})/{SLUG}(?:/{SLUG})?", iri))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.sampled_from(MINTED))
def test_minted_iris_are_safe_slugs(text: str, family: str) -> None:
    from kg.map.iri import graph_iri, mint, slug

    assert re.fullmatch(SLUG, slug(text)) and len(slug(text)) <= 80
    for iri in (mint(family, text), graph_iri(text), graph_iri("dir/" + text + ".txt")):
        assert _safe(iri), iri
        ox.NamedNode(iri)  # and a valid IRI


@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=120)
    | st.sampled_from(["<script>", "a>b", "x y", "../../etc", "MedGemma", "CMB", "%2e%2e"]),
    st.sampled_from(["model", "dataset", "method", "paper", "task"]),
)
def test_resolved_iris_are_safe_slugs(name: str, family: str) -> None:
    from kg.link.resolve import resolve

    iri, _known = resolve(name, family)
    assert _safe(iri), iri


# --------------------------------------------------------------------------------------------
# HTML outputs in a real browser

MARK = "__kgPwned"
PAYLOADS = {
    "script": f"<script>window.{MARK}='script';document.title='PWNED'</script>",
    "img": f"<img src=x onerror=\"window.{MARK}='img';alert(1)\">",
    "svg": "<svg/onload=alert(2)>",
    "attr": f"\"'><b onmouseover=\"window.{MARK}='attr'\" onclick=alert(3)>bold</b>",
    "close": f"</script><script>window.{MARK}='close';alert(4)</script>",
    "style": "</style><style>body{display:none}</style>",
    "comment": f"--><script>window.{MARK}='comment'</script><!--",
    "template": "{{constructor.constructor('alert(6)')()}}${alert(7)}",
    "js": "javascript:alert(5)",
}
P = PAYLOADS


def hostile_catalog(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    entries = [
        (
            f"论文ICLR 2026 Poster2026 年trustworthy medical AI "
            f"EvilBench:{P['script']}恶意基准",
            f'ICLR 2026 Poster accepted paper at ICLR 2026. We introduce EvilBench {P["img"]} with "quotes" '
            f"and 'single quotes' {P['close']} {P['comment']} and {P['template']}. "
            f"Code/project link: https://example.org/x?a=\"><script>window.{MARK}='link'</script> {P['js']}",
        ),
        (
            f"数据资源Text{P['svg']}LLM benchmarkBenchmark and leaderboard开放访问 "
            f"Evil{P['attr']}Set:恶意数据集",
            f"A benchmark {P['style']} for evaluating how pages show hostile text {P['attr']} "
            "in every field.",
        ),
        (
            f"迈向{P['img']}通用 AI {P['js']}",
            f"An untyped entry whose title is an attack {P['script']} and whose text goes on for a sentence.",
        ),
        (
            f"论文ICLR 2026 Oral2026 年{P['attr']} topic EvilTopicPaper:{P['close']}",
            f"ICLR 2026 Oral accepted paper at ICLR 2026. We study hostile topics {P['svg']} "
            "and report results.",
        ),
        (
            "数据资源TextLLM benchmarkBenchmark and leaderboard开放访问 javascript:alert(8):脚本链接",
            "A resource named like a javascript: URL, to check that names never become links by themselves.",
        ),
    ]
    path = folder / "evil.txt"
    path.write_text("".join(f"{h}\n{d}\n" for h, d in entries), "utf-8")
    return path


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store of the hostile catalog and the ontology, ingested as ``kg build`` ingests (the
    vocabularies are left out: they hold no catalog text, and their hundreds of pages would only
    slow ``kg publish`` down)."""
    import os

    from kg.build import reference_graphs
    from kg.ingest import ingest
    from kg.store import open_store

    tmp = tmp_path_factory.mktemp("hostile")
    hostile_catalog(tmp / "catalog")
    path = tmp / "store"
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        extra = {g: f for g, f in reference_graphs().items() if g.endswith("/graph/ontology")}
        store = open_store(str(path))
        try:
            report = ingest([tmp / "catalog"], store, extra=extra)
        finally:
            store.close()
    finally:
        os.chdir(cwd)
    assert report.entries >= 4, [str(p) for p in report.problems]
    return str(path)


def hostile_iris(store_path: str) -> list[str]:
    from kg.store import open_store

    store = open_store(store_path, read_only=True)
    try:
        found = {
            r["s"].value
            for r in store.query(
                "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s) && isLiteral(?o) && "
                "(CONTAINS(STR(?o), '<script') || CONTAINS(STR(?o), 'onerror') || "
                "CONTAINS(STR(?o), 'javascript:'))) }"
            )
        }
    finally:
        store.close()
    return sorted(i for i in found if i.startswith(base()))


def test_hostile_store_iris_are_safe(hostile_store: str) -> None:
    from kg.store import open_store

    store = open_store(hostile_store, read_only=True)
    try:
        iris = {
            t.value
            for r in store.query("SELECT DISTINCT ?s ?o WHERE { ?s ?p ?o }")
            for t in (r["s"], r["o"])
            if isinstance(t, ox.NamedNode) and t.value.startswith(base())
        }
    finally:
        store.close()
    assert iris and all(_safe(i) for i in iris), sorted(i for i in iris if not _safe(i))
    assert len(hostile_iris(hostile_store)) >= 4


CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    import os

    if not os.path.exists(CHROMIUM):
        pytest.skip("no /usr/bin/chromium")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


class Visit:
    """Open pages in one browser context and record anything a payload could do."""

    def __init__(self, browser) -> None:  # noqa: ANN001
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.outside: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.context.route(
            re.compile(r"^(?!file:|http://127\.0\.0\.1|data:|about:).*"),
            lambda route: (self.outside.append(route.request.url), route.abort()),
        )

    def check(self, url: str, *, interact: bool = True) -> str:
        page = self.page
        page.goto(url, wait_until="load")
        page.wait_for_timeout(80)
        if interact:  # what a user's pointer would fire on every element (inline handlers run on these)
            page.evaluate("""() => { for (const el of document.querySelectorAll('body *')) {
                for (const t of ['mouseover', 'mouseenter', 'focus', 'animationstart'])
                    el.dispatchEvent(new Event(t)); } }""")
            page.wait_for_timeout(50)
        state = page.evaluate(
            f"() => [window.{MARK} === undefined ? null : String(window.{MARK}), "
            "document.title, Array.from(document.querySelectorAll('a[href]'))"
            ".map(a => a.getAttribute('href')).filter(h => /^\\s*javascript:/i.test(h)),"
            "document.querySelectorAll('script:not([src]):not([type])').length]"
        )
        marker, title, js_links, _ = state
        assert marker is None, (url, marker)
        assert title != "PWNED", url
        assert js_links == [], (url, js_links)
        assert self.dialogs == [], (url, self.dialogs)
        return page.content()

    def close(self) -> None:
        self.context.close()


@pytest.mark.browser
def test_render_page_shows_hostile_text_as_text(browser, hostile_store: str, tmp_path: Path, runner) -> None:
    out = tmp_path / "graph.html"
    r = runner.invoke(cli, ["render", "--store", hostile_store, "-o", str(out), "--title", P["script"]])
    assert r.exit_code == 0, r.output
    v = Visit(browser)
    try:
        v.check(out.as_uri(), interact=False)
        page = v.page
        page.wait_for_function("window.medkgReady === true", timeout=15000)
        # hover (tooltip) and click (side panel) every node that carries hostile text
        ids = page.evaluate(
            "() => window.medkgData.nodes.get().filter(n => /script|onerror|javascript/i"
            ".test(JSON.stringify(n.info || {}))).map(n => n.id)"
        )
        assert ids
        for node_id in ids[:8]:
            pos = page.evaluate(
                "(id) => { const n = window.medkgNetwork; n.focus(id, {scale: 1.5});"
                " return n.canvasToDOM(n.getPosition(id)); }",
                node_id,
            )
            box = page.locator("canvas").first.bounding_box()
            page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"])
            page.wait_for_timeout(200)
            page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
            page.wait_for_timeout(50)
        page.fill("#q", P["img"])
        page.wait_for_timeout(200)
        body = page.inner_text("body")
        assert "<script>" in body or "onerror" in body  # the payload is on the page, as text
        v.check(out.as_uri(), interact=True)
        assert not v.outside, v.outside
    finally:
        v.close()


@pytest.mark.browser
@pytest.mark.server
def test_serve_pages_show_hostile_text_as_text(browser, hostile_store: str) -> None:
    from kg.serve import make_server

    srv = make_server(hostile_store, port=0, workers=0, timeout=20)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    v = Visit(browser)
    try:
        iris = hostile_iris(hostile_store)
        for iri in iris[:8]:
            html = v.check(srv.url + "/id/" + iri[len(base()) :])
            assert "&lt;script" in html or "&lt;img" in html or "javascript:" in html
            v.check(srv.url + "/describe?iri=" + quote(iri, safe=""))
        # the query page, with a result table full of hostile literals
        page = v.page
        v.check(srv.url + "/")
        page.wait_for_selector("body[data-ready=true]", timeout=10000)
        page.fill("#query-text", "SELECT ?s ?o WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), '<')) }")
        page.click("#run")
        page.wait_for_selector("#result-table tbody tr", timeout=10000)
        page.wait_for_timeout(200)
        assert "<script>" in page.inner_text("#result-table")
        page.evaluate("""() => { for (const el of document.querySelectorAll('#result-table *'))
            for (const t of ['mouseover', 'mouseenter', 'focus']) el.dispatchEvent(new Event(t)); }""")
        state = page.evaluate(f"() => [window.{MARK} === undefined, document.title]")
        assert state[0] and state[1] != "PWNED"
        assert not v.dialogs and not v.outside, (v.dialogs, v.outside)
    finally:
        v.close()
        srv.shutdown()
        srv.server_close()
        srv.config.store.close()


@pytest.mark.browser
def test_published_site_shows_hostile_text_as_text(
    browser, hostile_store: str, tmp_path: Path, runner
) -> None:
    site = tmp_path / "site"
    r = runner.invoke(cli, ["publish", "--store", hostile_store, str(site)])
    assert r.exit_code == 0, r.output
    pages = [p for p in site.rglob("*.html") if "__kgPwned" in p.read_text("utf-8")]
    assert len(pages) >= 3
    v = Visit(browser)
    try:
        for p in [site / "index.html", *pages[:12]]:
            v.check(p.as_uri())
        assert not v.outside, v.outside
    finally:
        v.close()

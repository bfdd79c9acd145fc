"""kg render: each view draws exactly what SPARQL says it should; pages are offline and escape catalog text;
static formats are readable by their own tools."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

from kg.cli import cli
from kg.render.html import render_html, script_json
from kg.render.project import project
from kg.render.views import Filters, NotFound, build_view, resolve

from .conftest import rows

TYPED = """{{ ?{x} a ?{x}_c . FILTER(isIRI(?{x}) && STRSTARTS(STR(?{x}_c), STR(kgo:))
           && ?{x}_c NOT IN (kgo:CatalogEntry, kgo:RejectedEntry)) }}"""
# a node of the full view: read from a catalog entry, or pointed to by something that is
IN_FULL = """{{ {{ ?{x} prov:wasDerivedFrom ?{x}_r . ?{x}_r a kgo:CatalogEntry }}
  UNION {{ ?{x}_w prov:wasDerivedFrom ?{x}_r2 . ?{x}_r2 a kgo:CatalogEntry . ?{x}_w ?{x}_q ?{x} .
           FILTER(?{x}_q NOT IN (rdf:type, prov:wasDerivedFrom)) }} }}"""
EDGE = "FILTER(isIRI(?o) && ?p NOT IN (rdf:type, prov:wasDerivedFrom) && ?s != ?o)"


def full_node(x: str) -> str:
    return TYPED.format(x=x) + " FILTER EXISTS " + IN_FULL.format(x=x)


def sparql_full(store) -> tuple[set[str], set[tuple[str, str, str]]]:  # noqa: ANN001
    nodes = {r["n"] for r in rows(store, f"SELECT DISTINCT ?n WHERE {{ {full_node('n')} }}")}
    edges = {(r["s"], r["p"], r["o"]) for r in rows(
        store, f"SELECT DISTINCT ?s ?p ?o WHERE {{ ?s ?p ?o {EDGE} {full_node('s')} {full_node('o')} }}")}
    return nodes, edges


def view_edges(v: nx.MultiDiGraph) -> set[tuple[str, str, str]]:
    return {(u, k, w) for u, w, k in v.edges(keys=True)}


@pytest.fixture
def graph(seed_store) -> nx.MultiDiGraph:  # noqa: ANN001
    return project(seed_store)


def test_full_view_is_what_sparql_says(seed_store, graph) -> None:  # noqa: ANN001
    nodes, edges = sparql_full(seed_store)
    v = build_view(graph, "full")
    assert set(v.nodes) == nodes
    assert view_edges(v) == edges
    assert len(nodes) > 10 and len(edges) > 10  # the seed graph is not trivial
    # every paper of the catalog is there, and no catalog record is
    papers = {r["p"] for r in rows(seed_store, "SELECT ?p WHERE { ?p a kgo:Paper }")}
    assert papers <= set(v.nodes)
    assert not [n for n in v.nodes if "/record/" in n]


def test_ego_view_is_the_sparql_neighbourhood(seed_store, graph) -> None:  # noqa: ANN001
    # the paper with the most links
    top = rows(seed_store, f"""SELECT ?f ?l (COUNT(*) AS ?k) WHERE {{ ?f a kgo:Paper ; rdfs:label ?l .
        {{ ?f ?p ?o }} UNION {{ ?o ?p ?f }} {TYPED.format(x='o')} }} GROUP BY ?f ?l ORDER BY DESC(?k) ?f LIMIT 1""")[0]
    v = build_view(graph, "ego", focus=top["f"], depth=1)
    assert v.graph["focus"] == top["f"]
    f = f"<{top['f']}>"
    hood = {r["n"] for r in rows(seed_store, f"""SELECT DISTINCT ?n WHERE {{
        {{ {f} ?p ?n }} UNION {{ ?n ?p {f} }} FILTER(?p NOT IN (rdf:type, prov:wasDerivedFrom)) {TYPED.format(x='n')}
        FILTER(?n != {f}) }}""")} | {top["f"]}
    assert set(v.nodes) == hood
    edges = {(r["s"], r["p"], r["o"]) for r in rows(seed_store, f"""SELECT DISTINCT ?s ?p ?o WHERE {{
        ?s ?p ?o {EDGE} {TYPED.format(x='s')} {TYPED.format(x='o')} }}""") if r["s"] in hood and r["o"] in hood}
    assert view_edges(v) == edges
    assert {v.nodes[n]["hops"] for n in v.nodes} == {0, 1}
    # depth 2 reaches further (through the venue or a topic) and includes depth 1
    assert set(build_view(graph, "ego", focus=top["f"], depth=2).nodes) > hood


def test_overview_view_is_what_sparql_says(seed_store, graph) -> None:  # noqa: ANN001
    core_classes = "kgo:Topic, kgo:Task, kgo:Benchmark, kgo:Language"
    full, _ = sparql_full(seed_store)
    core = {r["n"] for r in rows(seed_store, f"SELECT ?n WHERE {{ ?n a ?k FILTER(?k IN ({core_classes})) }}")}
    work_classes = "kgo:Work, kgo:Paper, kgo:Dataset, kgo:Benchmark, kgo:Model, kgo:Method"
    works = {r["n"] for r in rows(seed_store, f"SELECT ?n WHERE {{ ?n a ?k FILTER(?k IN ({work_classes})) }}")}
    nodes = core & full

    def adj(x: str) -> str:  # works (or anything) next to a core node ?x
        return (f"{{ SELECT DISTINCT ?w ?{x} WHERE {{ ?w a ?wk FILTER(?wk IN ({work_classes})) "
                f"{{ ?w ?p ?{x} }} UNION {{ ?{x} ?p ?w }} ?{x} a ?k "
                f"FILTER(?k IN ({core_classes}) && ?p NOT IN (rdf:type, prov:wasDerivedFrom)) }} }}")

    pairs = {(r["a"], r["b"]) for r in rows(seed_store, f"""SELECT DISTINCT ?w ?a ?b WHERE {{
        {adj('a')} {adj('b')} FILTER(STR(?a) < STR(?b)) }}""")
             if r["w"] in full and r["w"] in works and r["w"] not in core and {r["a"], r["b"]} <= nodes}
    pairs |= {tuple(sorted((r["a"], r["b"]))) for r in rows(seed_store, f"""SELECT ?a ?b WHERE {{ ?a ?p ?b .
        ?a a ?ka . ?b a ?kb FILTER(?ka IN ({core_classes}) && ?kb IN ({core_classes}) && ?a != ?b) }}""")
              if {r["a"], r["b"]} <= nodes}
    v = build_view(graph, "overview")
    assert set(v.nodes) == nodes
    assert {tuple(sorted(e)) for e in v.edges()} == pairs
    assert nodes  # benchmarks and topics exist in the seed graph
    assert all(d["weight"] >= 1 for _, _, d in v.edges(data=True))


def test_timeline_view_is_what_sparql_says(seed_store, graph) -> None:  # noqa: ANN001
    nodes = {r["n"] for r in rows(seed_store, f"""SELECT DISTINCT ?n WHERE {{
        {{ ?n a kgo:Paper }} UNION {{ ?p a kgo:Paper ; kgo:publishedIn ?n }} {full_node('n')} }}""")}
    v = build_view(graph, "timeline")
    assert set(v.nodes) == nodes
    edges = {(r["s"], r["p"], r["o"]) for r in rows(seed_store, f"""SELECT DISTINCT ?s ?p ?o WHERE {{
        ?s ?p ?o {EDGE} }}""") if r["s"] in nodes and r["o"] in nodes}
    assert view_edges(v) == edges
    html = render_html(v, title="t")
    years = {r["y"][:4] for r in rows(seed_store, "SELECT DISTINCT ?y WHERE { ?p a kgo:Paper ; dcterms:issued ?y }")}
    data = json.loads(re.search(r'id="medkg-data">(.*?)</script>', html, re.S).group(1))
    assert {h["label"] for h in data["headers"]} >= years
    assert all("x" in n and "y" in n for n in data["nodes"]) and not data["physics"]


def test_types_filter(seed_store, graph) -> None:  # noqa: ANN001
    v = build_view(graph, "full", filters=Filters(types=["paper", "Topics"]))
    nodes = {r["n"] for r in rows(seed_store, f"""SELECT DISTINCT ?n WHERE {{
        {full_node('n')} FILTER EXISTS {{ ?n a ?k FILTER(?k IN (kgo:Paper, kgo:Topic)) }} }}""")}
    assert set(v.nodes) == nodes
    assert all(k == "https://w3id.org/medkg/ontology#hasTopic" for _, _, k in v.edges(keys=True))
    with pytest.raises(NotFound):
        build_view(graph, "full", filters=Filters(types=["Spaceship"]))


def test_topic_filter_keeps_works_of_that_topic(seed_store, graph) -> None:  # noqa: ANN001
    top = rows(seed_store, """SELECT ?t ?l (COUNT(DISTINCT ?p) AS ?k) WHERE { ?p kgo:hasTopic ?t .
        ?t skos:prefLabel|rdfs:label ?l FILTER(LANG(?l) IN ("en", "")) }
        GROUP BY ?t ?l ORDER BY DESC(?k) ?t LIMIT 1""")[0]
    with_topic = {r["p"] for r in rows(seed_store, "SELECT ?p ?t WHERE { ?p kgo:hasTopic ?t }", t=_iri(top["t"]))}
    v = build_view(graph, "full", filters=Filters(topic=top["l"].upper()))
    assert with_topic and with_topic <= set(v.nodes)
    # a paper is kept only if it has the topic or is linked to a work that has it
    near = with_topic | {m for p in with_topic for m in nx.all_neighbors(graph, p)}
    papers = {n for n in v.nodes if "Paper" in v.nodes[n]["classes"]}
    assert papers <= near
    others = {r["p"] for r in rows(seed_store, "SELECT ?p ?t WHERE { ?p a kgo:Paper . "
                                               "FILTER NOT EXISTS { ?p kgo:hasTopic ?t } }", t=_iri(top["t"]))}
    assert not (others - near) & set(v.nodes)
    assert all(any(nx.all_neighbors(v, n)) for n in v.nodes if n != top["t"])


def _iri(value: str):  # noqa: ANN202
    import pyoxigraph as ox

    return ox.NamedNode(value)


def test_resolve_names_and_errors(graph) -> None:  # noqa: ANN001
    some = next(n for n, a in graph.nodes(data=True) if a["derived"] and a["cls"] == "Benchmark")
    name = graph.nodes[some]["name"]
    assert resolve(graph, name.lower().replace(" ", "")) == some
    assert resolve(graph, some) == some
    assert resolve(graph, "dataset:" + some.rsplit("/", 1)[1]) == some
    with pytest.raises(NotFound) as err:
        resolve(graph, name[:-1] + "x")
    assert name in err.value.suggestions


def test_script_json_cannot_break_out() -> None:
    s = script_json({"t": '</script><script>alert(1)</script>\u2028\u2029&"'})
    assert "<" not in s and ">" not in s and "&" not in s and "\u2028" not in s and "\u2029" not in s
    assert json.loads(s)["t"].startswith("</script>")


def test_page_is_offline_utf8_and_complete(runner, built_store, tmp_path: Path, seed_store) -> None:  # noqa: ANN001
    out = tmp_path / "sub" / "graph.html"
    res = runner.invoke(cli, ["render", "--store", built_store, "-o", str(out)])
    assert res.exit_code == 0, res.output
    nodes, edges = sparql_full(seed_store)
    assert f"{len(nodes)} nodes, {len(edges)} edges" in res.output
    html = out.read_bytes().decode("utf-8")
    assert "vis-network" in html and "window.medkgNetwork" in html
    # no external asset of any kind: no src/href to the network, no Bootstrap, no CDN
    assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)\s*=\s*["\']?(https?:)?//', html, re.I)
    assert "bootstrap" not in html.lower() and "cdn" not in html.lower().replace("cdnjs", "")
    data = json.loads(re.search(r'id="medkg-data">(.*?)</script>', html, re.S).group(1))
    assert len(data["nodes"]) == len(nodes) and len(data["edges"]) == len(edges)
    assert {c["cls"] for c in data["legend"]} == {n["cls"] for n in data["nodes"]}
    assert data["physics"] is True  # small graph: simulate, then stop (in the page script)
    assert all(isinstance(n["value"], int) and n["value"] >= 1 for n in data["nodes"])
    labelled = [e for e in data["edges"] if e.get("label")]
    assert labelled and all(e["label"] for e in data["edges"])


def test_large_graph_uses_networkx_positions_without_physics(graph) -> None:  # noqa: ANN001
    v = build_view(graph, "full")
    html = render_html(v, threshold=5)
    data = json.loads(re.search(r'id="medkg-data">(.*?)</script>', html, re.S).group(1))
    assert data["physics"] is False and data["options"]["physics"]["enabled"] is False
    assert all(isinstance(n["x"], float) for n in data["nodes"])
    assert "physics is off" in html and "networkx spring_layout" in html


def test_cli_focus_errors(runner, built_store, tmp_path: Path) -> None:  # noqa: ANN001
    res = runner.invoke(cli, ["render", "--store", built_store, "--focus", "no such thing at all",
                              "-o", str(tmp_path / "x.html")])
    assert res.exit_code == 2 and "nothing is named" in res.output
    res = runner.invoke(cli, ["render", "--store", built_store, "--view", "ego", "-o", str(tmp_path / "x.html")])
    assert res.exit_code == 2 and "--focus" in res.output
    assert not (tmp_path / "x.html").exists()


@pytest.mark.parametrize("fmt", ["svg", "png", "graphml", "gexf", "cytoscape"])
def test_static_formats(runner, built_store, tmp_path: Path, seed_store, fmt: str) -> None:  # noqa: ANN001
    out = tmp_path / f"g.{fmt}"
    res = runner.invoke(cli, ["render", "--store", built_store, "-f", fmt, "-o", str(out)])
    assert res.exit_code == 0, res.output
    nodes, edges = sparql_full(seed_store)
    if fmt == "svg":
        root = ET.parse(out).getroot()
        assert root.tag.endswith("svg")
        titles = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
        assert sum(1 for t in titles if t and re.fullmatch(r"n\d+", t)) == len(nodes)
    elif fmt == "png":
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 5000
    elif fmt == "graphml":
        g = nx.read_graphml(out)
        assert set(g.nodes) == nodes and g.number_of_edges() == len(edges)
        assert {g.nodes[n]["class"] for n in g.nodes} >= {"Paper", "Benchmark"}
    elif fmt == "gexf":
        g = nx.read_gexf(out)
        assert set(g.nodes) == nodes and g.number_of_edges() == len(edges)
    else:
        data = json.loads(out.read_text("utf-8"))
        assert len(data["elements"]["nodes"]) == len(nodes) and len(data["elements"]["edges"]) == len(edges)


def test_build_writes_graph_and_overview_pages(seed_store, tmp_path: Path) -> None:  # noqa: ANN001
    from kg.build import OUTPUT_STEPS
    from kg.render.build import write_pages

    assert "kg.render.build:write_pages" in OUTPUT_STEPS
    paths = write_pages(seed_store, tmp_path)
    assert [p.name for p in paths] == ["graph.html", "overview.html"]
    assert all(p.read_text("utf-8").startswith("<!DOCTYPE html>") for p in paths)


EVIL_TITLE = 'EvilBench<script>window.__medkgPwned=1</script>"Quote":恶意<script>标题'
EVIL_DESC = ('ICLR 2026 Poster accepted paper at ICLR 2026. We introduce EvilBench '
             '<script>window.__medkgPwned=2</script> with "quotes" and <img src=x onerror="window.__medkgPwned=3"> '
             'and </script><b>bold</b>\u2028and a line separator. Code/project link: javascript:alert(1)')


def write_evil_catalog(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "evil.txt"
    path.write_text(f"论文ICLR 2026 Poster2026 年trustworthy medical AI {EVIL_TITLE}\n{EVIL_DESC}\n", "utf-8")
    return path


@pytest.fixture
def evil_store(tmp_path: Path):  # noqa: ANN201
    from kg.ingest import ingest
    from kg.store import open_store

    store = open_store(str(tmp_path / "store"))
    report = ingest([write_evil_catalog(tmp_path / "catalog")], store)
    assert report.entries == 1 and not report.problems
    yield store
    store.close()


def test_untrusted_text_is_escaped_in_every_format(evil_store, tmp_path: Path) -> None:  # noqa: ANN001
    from kg.render import render

    html_path, n, _ = render(evil_store, tmp_path / "g.html", title='Report <script>x</script> "q"')
    html = html_path.read_text("utf-8")
    assert n >= 1
    assert "__medkgPwned" in html  # the text is there …
    assert "<script>window.__medkgPwned" not in html and "<img src=x" not in html  # … but never as markup
    assert "\u2028" not in html
    assert "<title>Report &lt;script&gt;x&lt;/script&gt; &#34;q&#34;</title>" in html
    data = json.loads(re.search(r'id="medkg-data">(.*?)</script>', html, re.S).group(1))
    assert all(u.startswith(("http://", "https://")) for nd in data["nodes"] for u in nd["info"]["links"])
    assert any(EVIL_TITLE in nd["info"]["titles"].values() for nd in data["nodes"])  # verbatim, as data
    svg, _, _ = render(evil_store, tmp_path / "g.svg", fmt="svg")
    root = ET.parse(svg).getroot()  # well-formed XML: the text was escaped
    assert any("<script>" in (t.text or "") for t in root.iter())
    assert not list(root.iter("{http://www.w3.org/2000/svg}script"))
    gml, _, _ = render(evil_store, tmp_path / "g.graphml", fmt="graphml")
    g = nx.read_graphml(gml)
    assert any(d.get("title_zh") == EVIL_TITLE for _, d in g.nodes(data=True))


def test_a_picture_is_the_same_from_one_run_to_the_next(built_store: str, tmp_path: Path) -> None:
    """Two runs with different string hashing draw the same bytes (a filtered view used to be
    copied in the order of a Python set, so nodes and their layout moved between runs)."""
    import subprocess
    import sys

    outputs = []
    for seed in ("1", "2"):
        for args in (["--types", "Paper,Benchmark,Topic"], ["--view", "overview", "-f", "svg"],
                     ["--focus", "CMB", "--depth", "2"]):
            out = tmp_path / f"{seed}-{len(outputs)}{'.svg' if 'svg' in args else '.html'}"
            subprocess.run([sys.executable, "-m", "kg", "render", *args, "--store", built_store, "-o", str(out)],
                           check=True, capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed})
            outputs.append(out.read_bytes())
    assert outputs[:3] == outputs[3:]

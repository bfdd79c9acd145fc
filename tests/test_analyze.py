"""kg analyze: centrality, Louvain communities, explained paths and related works, checked against SPARQL
over the seed graph (the expectations are computed from the store, not written down)."""

from __future__ import annotations

import json
import re
import shlex

import networkx as nx
import pyoxigraph as ox
import pytest

from kg.analyze import RELATED_WEIGHTS, centrality, communities, explain_path, format_path, related
from kg.cli import cli
from kg.render.project import project
from kg.render.views import catalog_graph

from .conftest import rows

ACCESS = "https://w3id.org/medkg/ontology#AccessLevel"


@pytest.fixture
def graph(seed_store) -> nx.MultiDiGraph:  # noqa: ANN001
    return project(seed_store)


def test_centrality_ranks_every_benchmark_by_pagerank(seed_store, graph) -> None:  # noqa: ANN001
    result = centrality(graph, classes=["Benchmark"], top=1000)["Benchmark"]
    full = catalog_graph(graph)
    benchmarks = {r["b"] for r in rows(seed_store, "SELECT ?b WHERE { ?b a kgo:Benchmark }")} & set(full)
    assert {c.iri for c in result} == benchmarks and benchmarks
    assert [c.pagerank for c in result] == sorted((c.pagerank for c in result), reverse=True)
    assert all(0 < c.pagerank < 1 and 0 <= c.degree_centrality <= 1 for c in result)
    # degree = distinct neighbours in the catalog graph, access levels left out (SPARQL says which)
    top = result[0]
    neighbours = {r["n"] for r in rows(seed_store, """SELECT DISTINCT ?n ?b WHERE { { ?b ?p ?n } UNION { ?n ?p ?b }
        FILTER(isIRI(?n) && ?p NOT IN (rdf:type, prov:wasDerivedFrom)) ?n a ?c FILTER(STRSTARTS(STR(?c), STR(kgo:)))
        FILTER NOT EXISTS { ?n a kgo:AccessLevel } }""", b=ox.NamedNode(top.iri))}
    assert top.degree == len(neighbours & set(full) - {top.iri})


def test_communities_partition_the_catalog_graph(graph) -> None:  # noqa: ANN001
    parts = communities(graph, min_size=1)
    members = [m["iri"] for c in parts for m in c.members]
    full = catalog_graph(graph)
    expected = {n for n, a in full.nodes(data=True) if "AccessLevel" not in a["classes"]}
    assert len(members) == len(set(members)) and set(members) == expected
    assert [c.size for c in parts] == sorted((c.size for c in parts), reverse=True)
    assert all(sum(c.classes.values()) == c.size for c in parts)
    assert len(parts) > 1
    # a fixed seed gives the same communities every time
    again = communities(graph, min_size=1)
    assert [[m["iri"] for m in c.members] for c in again] == [[m["iri"] for m in c.members] for c in parts]


def _one_way_triple(store) -> dict[str, str]:  # noqa: ANN001
    """A triple between two catalog works/concepts with no triple back the other way."""
    return rows(store, """SELECT ?s ?p ?o WHERE { ?s ?p ?o . ?s prov:wasDerivedFrom ?r .
        ?s a ?cs . ?o a ?co . FILTER(STRSTARTS(STR(?cs), STR(kgo:)) && STRSTARTS(STR(?co), STR(kgo:)))
        FILTER(?co NOT IN (kgo:CatalogEntry, kgo:AccessLevel) && ?p NOT IN (rdf:type, prov:wasDerivedFrom))
        FILTER NOT EXISTS { ?o ?q ?s } FILTER(?s != ?o && STRSTARTS(STR(?p), STR(kgo:))) }
        ORDER BY DESC(EXISTS { ?p owl:inverseOf ?x }) ?p ?s ?o LIMIT 1""")[0]


def test_path_walks_edges_backwards_with_inverse_labels(seed_store, graph) -> None:  # noqa: ANN001
    t = _one_way_triple(seed_store)
    steps = explain_path(graph, t["o"], t["s"])
    assert len(steps) == 1 and steps[0].inverse and steps[0].predicate == t["p"]
    declared = rows(seed_store, """SELECT ?l ?p WHERE { { ?p owl:inverseOf ?q } UNION { ?q owl:inverseOf ?p }
        ?q rdfs:label ?l FILTER(LANG(?l) = "en") }""", p=ox.NamedNode(t["p"]))
    forward = explain_path(graph, t["s"], t["o"])[0]
    assert not forward.inverse
    if declared:
        assert steps[0].label == declared[0]["l"]
    assert steps[0].label != forward.label
    line = format_path(steps)
    assert line == f"{steps[0].source} —{steps[0].label}→ {steps[0].target}"


def test_path_is_shortest(graph) -> None:  # noqa: ANN001
    und = nx.Graph(graph.to_undirected(as_view=True))
    und.remove_nodes_from([n for n, a in graph.nodes(data=True) if "AccessLevel" in a["classes"]])
    papers = sorted(n for n, a in graph.nodes(data=True) if a["cls"] == "Paper")
    a, b = papers[0], papers[-1]
    steps = explain_path(graph, a, b)
    assert len(steps) == nx.shortest_path_length(und, a, b)
    assert steps[0].source_iri == a and steps[-1].target_iri == b
    assert all(x.target_iri == y.source_iri for x, y in zip(steps, steps[1:], strict=False))
    for s in steps:  # every hop is a real triple, in the direction the label says
        u, v = (s.target_iri, s.source_iri) if s.inverse else (s.source_iri, s.target_iri)
        assert graph.has_edge(u, v, key=s.predicate)


def test_related_works_share_what_sparql_says(seed_store, graph) -> None:  # noqa: ANN001
    # the benchmark with most tasks; every work that shares a task with it must be listed
    item = rows(seed_store, """SELECT ?d (COUNT(?t) AS ?k) WHERE { ?d a kgo:Benchmark ; kgo:addressesTask ?t }
        GROUP BY ?d ORDER BY DESC(?k) ?d LIMIT 1""")[0]["d"]
    sharing = {r["w"] for r in rows(seed_store, """SELECT DISTINCT ?w ?d WHERE { ?d kgo:addressesTask ?t .
        ?w kgo:addressesTask ?t FILTER(?w != ?d) }""", d=ox.NamedNode(item))}
    result = related(graph, item, top=1000)
    assert sharing and sharing <= {r.iri for r in result}
    assert [r.score for r in result] == sorted((r.score for r in result), reverse=True)
    for r in result:
        assert r.iri != item and r.shared
        assert r.score == sum(RELATED_WEIGHTS[k] * len(v) for k, v in r.shared.items())
    with pytest.raises(ValueError, match="related works"):
        related(graph, next(n for n, a in graph.nodes(data=True) if a["cls"] == "Topic"))


def test_cli_json_and_table(runner, built_store, graph) -> None:  # noqa: ANN001
    res = runner.invoke(cli, ["analyze", "--store", built_store, "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert set(data) == {"centrality", "communities"} and set(data["centrality"]) == {"Benchmark", "Task"}
    res = runner.invoke(cli, ["analyze", "centrality", "--store", built_store, "--classes", "Benchmark", "--top", "2"])
    assert res.exit_code == 0 and "PageRank" in res.output
    assert res.output.count("│ 1 ") == 1 and "│ 3 " not in res.output
    bench = max((n for n, a in graph.nodes(data=True) if a["cls"] == "Benchmark" and a["derived"]),
                key=lambda n: graph.degree(n))
    name = graph.nodes[bench]["name"]
    res = runner.invoke(cli, ["analyze", "related", "--store", built_store, name.lower(), "-f", "json"])
    assert res.exit_code == 0, res.output
    assert isinstance(json.loads(res.output), list)
    res = runner.invoke(cli, ["analyze", "communities", "--store", built_store, "-f", "json", "--seed", "7"])
    assert res.exit_code == 0 and json.loads(res.output)[0]["size"] >= 2


def test_cli_path_and_errors(runner, built_store, seed_store, graph) -> None:  # noqa: ANN001
    t = _one_way_triple(seed_store)
    res = runner.invoke(cli, ["analyze", "path", "--store", built_store, t["o"], t["s"]])
    assert res.exit_code == 0, res.output
    assert re.fullmatch(r".+ —[^—→]+→ .+\n", res.output)
    lonely = next(n for n in graph if graph.degree(n) == 0)
    res = runner.invoke(cli, ["analyze", "path", "--store", built_store, t["s"], lonely])
    assert res.exit_code == 1 and "no path" in res.output
    res = runner.invoke(cli, ["analyze", "path", "--store", built_store, t["s"], "no such thing anywhere"])
    assert res.exit_code == 2 and "nothing is named" in res.output


def test_the_help_examples_run(runner, built_store) -> None:  # noqa: ANN001
    """Every `kg analyze …` line of the group's --help (and of its commands') runs on the seed build."""
    helps = [runner.invoke(cli, ["analyze", *sub, "--help"]).output
             for sub in ([], ["centrality"], ["communities"], ["path"], ["related"])]
    examples = {line.split("#")[0].strip() for text in helps for line in text.splitlines()
                if line.strip().startswith("kg analyze")}
    assert len(examples) >= 5
    for example in sorted(examples):
        args = shlex.split(example)[1:]
        res = runner.invoke(cli, [*args, "--store", built_store])
        assert res.exit_code == 0, f"{example}: {res.output}"


def test_a_name_is_resolved_before_the_end_of_an_iri(graph) -> None:  # noqa: ANN001
    """"clinical prediction" is the name of a topic and the end of a task's IRI
    (task:clinical-prediction, named "clinical outcome prediction"): the topic is meant."""
    from kg.render.views import resolve

    slugs = [n for n in graph if n.rsplit("/", 1)[-1] == "clinical-prediction"]
    assert len(slugs) == 2  # the task and the topic, both in the seed build
    iri = resolve(graph, "clinical prediction")
    assert graph.nodes[iri]["name"] == "clinical prediction" and "/topic/" in iri
    assert "/task/" in resolve(graph, "task:clinical-prediction")

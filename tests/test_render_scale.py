"""Large graphs: a picture draws the best-linked nodes of its view, exactly those, with exactly their edges,
and says what it left out; the whole-store projection (the oracle) agrees with the skeleton it was cut from.

The store is a synthetic 1,500-entry catalog; the draw limit is lowered so that cutting happens."""

from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import pytest

from kg.render import render
from kg.render.build import write_pages
from kg.render.project import is_work, project
from kg.render.scale import cap_view, overview_counts, skeleton
from kg.render.views import build_view

LIMIT = 300


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    from bench.generate import write_catalog
    from kg.ingest import ingest
    from kg.store import open_store

    d = tmp_path_factory.mktemp("scale")
    write_catalog(d / "catalog", 1500)
    store = open_store(str(d / "store"))
    ingest([d / "catalog"], store)
    yield store
    store.close()


@pytest.fixture(scope="module")
def oracle(big_store) -> nx.MultiDiGraph:  # noqa: ANN001
    """The whole store projected, as for a small store."""
    return project(big_store)


def page_data(path: Path) -> tuple[str, dict]:
    html = path.read_text("utf-8")
    return html, json.loads(re.search(r'id="medkg-data">(.*?)</script>', html, re.S).group(1))


def top_by(score: dict, k: int) -> list:
    return sorted(score, key=lambda n: (-score[n], n))[:k]


def test_full_page_draws_the_best_linked_nodes_and_says_what_is_left_out(big_store, oracle, tmp_path) -> None:  # noqa: ANN001
    full = build_view(oracle, "full")
    assert full.number_of_nodes() > LIMIT  # the cut happens
    graph, _ = write_pages(big_store, tmp_path, limit=LIMIT)
    html, data = page_data(graph)
    # every node that is not a work (topics, venues …), then the best-linked works of each class,
    # each class getting places in proportion to its size (largest remainders)
    degree = dict(full.degree())
    hubs = [n for n in full if not is_work(full.nodes[n])]
    classes: dict[str, list[str]] = {}
    for n in full:
        if is_work(full.nodes[n]):
            classes.setdefault(full.nodes[n]["cls"], []).append(n)
    places = LIMIT - len(hubs)
    total = sum(len(ns) for ns in classes.values())
    share = {c: places * len(ns) / total for c, ns in classes.items()}
    quota = {c: int(x) for c, x in share.items()}
    for c in sorted(share, key=lambda c: (-(share[c] - quota[c]), c))[: places - sum(quota.values())]:
        quota[c] += 1
    expected = hubs + [n for c, ns in classes.items() for n in top_by({m: degree[m] for m in ns}, quota[c])]
    assert len(expected) == LIMIT and 0 < len(hubs) < LIMIT
    assert {n["id"] for n in data["nodes"]} == set(expected)
    drawn = full.subgraph(expected)
    assert len(data["edges"]) == drawn.number_of_edges()
    assert {(e["from"], e["to"], e["title"]) for e in data["edges"]} == {
        (u, v, d["curie"]) for u, v, d in drawn.edges(data=True)}
    by_id = {n["id"]: n for n in data["nodes"]}
    assert all(by_id[n]["info"]["name"] == full.nodes[n]["name"] for n in expected)  # same attributes
    notice = next(x for x in data["notices"] if x.startswith("Showing"))
    assert (f"Showing {LIMIT} of {full.number_of_nodes():,} nodes and {drawn.number_of_edges():,} of "
            f"{full.number_of_edges():,} edges") in notice
    assert "the best-linked works of each class, in proportion to the class's size" in notice
    drawn_classes = {n["cls"] for n in data["nodes"]}
    assert {"Paper", "Benchmark"} <= drawn_classes  # a sample of each kind, not only the busiest kind
    left = {}
    for n, a in full.nodes(data=True):
        if n not in set(expected):
            left[a["cls"]] = left.get(a["cls"], 0) + 1
    for cls, k in left.items():
        assert f"{k:,} {cls}" in notice
    assert "kg render --focus NAME" in notice and "--view overview" in notice
    assert notice in html.replace("&#39;", "'")  # in the header, not only in the data
    assert data["capped"] is True
    # still self-contained: no asset from the network
    assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)\s*=\s*["\']?(https?:)?//', html, re.I)


def test_overview_page_keeps_the_core_nodes_linked_to_most_works(big_store, oracle, tmp_path) -> None:  # noqa: ANN001
    ov = build_view(oracle, "overview")
    assert ov.number_of_nodes() > 40
    _, path = write_pages(big_store, tmp_path, limit=40)
    _, data = page_data(path)
    works = {n: a["works"] for n, a in ov.nodes(data=True)}
    hubs = top_by({n: k for n, k in works.items() if not is_work(ov.nodes[n])}, 40)
    expected = hubs + top_by({n: k for n, k in works.items() if is_work(ov.nodes[n])}, 40 - len(hubs))
    assert {n["id"] for n in data["nodes"]} == set(expected)
    assert all(n["info"]["works"] == works[n["id"]] for n in data["nodes"])
    want = {frozenset((u, v)): d["weight"] for u, v, d in ov.subgraph(expected).edges(data=True)}
    assert {frozenset((e["from"], e["to"])): e["value"] for e in data["edges"]} == want
    assert any(f"Showing 40 of {ov.number_of_nodes():,} nodes" in x and "the benchmarks linked to the most works" in x
               for x in data["notices"])


def test_skeleton_agrees_with_the_whole_projection(big_store, oracle) -> None:  # noqa: ANN001
    sk = skeleton(big_store)
    full = build_view(oracle, "full")
    assert {sk.iris[i] for i in sk.full_nodes()} == set(full.nodes)
    assert len(sk.full_edges(sk.full_nodes())) == full.number_of_edges()
    ov = build_view(oracle, "overview")
    works, weights = overview_counts(sk)
    assert {sk.iris[i]: k for i, k in works.items()} == {n: a["works"] for n, a in ov.nodes(data=True)}
    assert {frozenset((sk.iris[a], sk.iris[b])): w for (a, b), w in weights.items()} == {
        frozenset((u, v)): d["weight"] for u, v, d in ov.edges(data=True)}


def test_other_views_are_capped_too_and_keep_their_focus(big_store, oracle, tmp_path) -> None:  # noqa: ANN001
    hub = max(build_view(oracle, "full").degree(), key=lambda kv: (kv[1], kv[0]))[0]
    whole = build_view(oracle, "ego", focus=hub)
    path, n, m = render(big_store, tmp_path / "ego.html", focus=hub, max_nodes=25)
    assert whole.number_of_nodes() > 25 and n == 25
    _, data = page_data(path)
    assert data["focus"] == hub and hub in {x["id"] for x in data["nodes"]}
    assert any(f"Showing 25 of {whole.number_of_nodes():,} nodes" in x and "the 25 with the most links" in x
               for x in data["notices"])
    # graph files are for tools that take the whole graph: not capped
    _, n_all, _ = render(big_store, tmp_path / "ego.graphml", focus=hub, fmt="graphml", max_nodes=25)
    assert n_all == whole.number_of_nodes()
    # nothing to cut: the view is returned as it is, without a notice
    small = cap_view(whole, whole.number_of_nodes())
    assert small is whole and "notice" not in small.graph


def test_small_store_pages_are_not_capped(seed_store, tmp_path) -> None:  # noqa: ANN001
    for path in write_pages(seed_store, tmp_path):
        html, data = page_data(path)
        assert not data["capped"] and not any(x.startswith("Showing") for x in data["notices"])


def test_cli_max_nodes_caps_the_picture_and_says_so(built_store, runner, tmp_path) -> None:  # noqa: ANN001
    from kg.cli import cli

    out = tmp_path / "g.html"
    result = runner.invoke(cli, ["render", "--store", built_store, "--max-nodes", "25", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert re.search(r": 25 nodes, \d+ edges", result.output)
    page = out.read_text("utf-8")
    m = re.search(r"Showing 25 of ([\d,]+) nodes", page)
    assert m and int(m[1].replace(",", "")) > 25
    assert "--max-nodes N" in page
    bad = runner.invoke(cli, ["render", "--store", built_store, "--max-nodes", "0", "-o", str(out)])
    assert bad.exit_code == 2

"""The embedded store's materialised union: the default graph holds each distinct triple of the
named graphs once, stays exact when graphs are replaced (serial and bulk paths), and readers fall
back to Oxigraph's union view whenever it may be out of date (a kill mid-refresh, an old store)."""

from __future__ import annotations

import gc
import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from bench.generate import write_catalog
from kg.ingest import ingest
from kg.store import open_store
from kg.store.oxigraph import MARKER, UNION_STALE
from tests.conftest import rows

DEFAULT = ox.DefaultGraph()


def default_triples(raw: ox.Store) -> set[ox.Triple]:
    return {q.triple for q in raw.quads_for_pattern(None, None, None, DEFAULT)}


def named_triples(raw: ox.Store) -> set[ox.Triple]:
    return {q.triple for q in raw.quads_for_pattern(None, None, None, None) if q.graph_name != DEFAULT}


def test_built_store_default_graph_is_the_union_of_its_named_graphs(seed_store) -> None:  # noqa: ANN001
    assert seed_store.materialized_union
    union = default_triples(seed_store.raw)
    assert union == named_triples(seed_store.raw)
    assert set(seed_store.union()) == union
    # whole-dataset readers see each quad once, never the union's copy
    quads = list(seed_store.quads())
    assert DEFAULT not in {q.graph_name for q in quads}
    assert len(quads) == seed_store.count() == sum(seed_store.count(g) for g in seed_store.graph_names())


def test_a_triple_said_by_two_graphs_is_one_row(store_copy: str) -> None:
    """Oxigraph's union view is a bag; the materialised union is a set."""
    store = open_store(store_copy)
    try:
        paper = next(iter(rows(store, "SELECT ?p WHERE { ?p a kgo:Paper } LIMIT 1")))["p"]
        store.replace_graphs({"https://example.org/graph/extra": [
            ox.Quad(ox.NamedNode(paper), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                    ox.NamedNode("https://w3id.org/medkg/ontology#Paper"), DEFAULT)]})
        classes = [r["c"] for r in rows(store, "SELECT ?p ?c WHERE { ?p a ?c }", p=ox.NamedNode(paper))]
        assert classes.count("https://w3id.org/medkg/ontology#Paper") == 1
        in_graphs = rows(store, "SELECT ?p ?g WHERE { GRAPH ?g { ?p a kgo:Paper } }", p=ox.NamedNode(paper))
        assert len(in_graphs) == 2
    finally:
        store.close()


def test_replacing_a_graph_keeps_what_others_still_say(store_copy: str) -> None:
    store = open_store(store_copy)
    try:
        a, b = "https://example.org/graph/a", "https://example.org/graph/b"
        s = ox.NamedNode("https://example.org/thing")
        p = ox.NamedNode("https://example.org/says")
        shared, only_a, new = (ox.Quad(s, p, ox.Literal(x), DEFAULT) for x in ("shared", "only a", "new"))
        store.replace_graphs({a: [shared, only_a], b: [shared]})
        said = {r["o"] for r in rows(store, "SELECT ?s ?o WHERE { ?s ?p ?o }", s=s)}
        assert said == {"shared", "only a"}
        store.replace_graphs({a: [new]})  # a no longer says "shared" nor "only a"; b still says "shared"
        said = {r["o"] for r in rows(store, "SELECT ?s ?o WHERE { ?s ?p ?o }", s=s)}
        assert said == {"shared", "new"}
        store.replace_graphs({b: []})
        said = {r["o"] for r in rows(store, "SELECT ?s ?o WHERE { ?s ?p ?o }", s=s)}
        assert said == {"new"}
        assert default_triples(store.raw) == named_triples(store.raw)
    finally:
        store.close()


def test_bulk_ingest_then_changed_file_keeps_the_union_exact(tmp_path: Path) -> None:
    files = write_catalog(tmp_path / "cat", 240, per_file=80, seed=5)
    store = open_store(str(tmp_path / "store"))
    try:
        ingest([tmp_path / "cat"], store, bulk=True, workers=2)
        assert store.materialized_union and not (tmp_path / "store" / UNION_STALE).exists()
        assert default_triples(store.raw) == named_triples(store.raw)
        # the second file loses half its entries: their triples leave the union unless another file says them
        lines = files[1].read_text("utf-8").splitlines(keepends=True)
        files[1].write_text("".join(lines[:80]), "utf-8")
        ingest([tmp_path / "cat"], store, bulk=True, workers=2)
        assert default_triples(store.raw) == named_triples(store.raw)
        ingest([tmp_path / "cat"], store, bulk=False)  # and through the serial path
        assert default_triples(store.raw) == named_triples(store.raw)
    finally:
        store.close()


def test_a_large_bulk_replacement_ends_compacted_with_the_same_graph(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """Past ``COMPACT_AFTER`` bytes a bulk replacement compacts the store (Oxigraph's ``optimize``);
    the threshold is lowered so that a small catalog crosses it, the compaction itself is real."""
    import kg.store.oxigraph as oxstore

    write_catalog(tmp_path / "cat", 240, per_file=80, seed=7)
    compacted: list[Path] = []
    real = oxstore.OxigraphStore.compact

    def counting(self) -> None:  # noqa: ANN001
        compacted.append(self.path)
        real(self)

    monkeypatch.setattr(oxstore.OxigraphStore, "compact", counting)
    with open_store(str(tmp_path / "small")) as store:  # below the threshold: not compacted
        ingest([tmp_path / "cat"], store, bulk=True, workers=2)
    assert compacted == []
    monkeypatch.setattr(oxstore, "COMPACT_AFTER", 1)
    with open_store(str(tmp_path / "store")) as store:
        ingest([tmp_path / "cat"], store, bulk=True, workers=2)
        assert compacted == [tmp_path / "store"]
        assert store.materialized_union
        assert default_triples(store.raw) == named_triples(store.raw)
        with open_store(str(tmp_path / "small"), read_only=True) as other:
            assert store.count() == other.count()
            assert _answers(store) == _answers(other)


def _answers(store) -> list[dict]:  # noqa: ANN001
    return sorted(rows(store, "SELECT DISTINCT ?p ?t WHERE { ?p a kgo:Paper ; kgo:hasTopic ?t }"),
                  key=lambda r: (r["p"], r["t"]))


@pytest.mark.parametrize("damage", ["stale", "format-1"])
def test_an_out_of_date_union_is_never_read_and_is_rebuilt(built_store: str, tmp_path: Path, damage: str) -> None:
    """A kill between the commit and the end of the union's bulk load leaves ``union-stale``; a
    store written by format 1 has no union at all. Readers then use the union view; the next
    writable open rebuilds the union."""
    path = tmp_path / "store"
    shutil.copytree(built_store, path, ignore=shutil.ignore_patterns("LOCK"))
    with open_store(str(path), read_only=True) as s:
        expected = _answers(s)
    raw = ox.Store(str(path))
    raw.clear_graph(DEFAULT)  # the state a kill (or the old format) leaves: the union is incomplete
    raw.flush()
    del raw
    if damage == "stale":
        (path / UNION_STALE).touch()
    else:
        (path / MARKER).write_text(json.dumps({"format": 1, "engine": "oxigraph"}))
    with open_store(str(path), read_only=True) as s:
        assert not s.materialized_union
        assert _answers(s) == expected
    with open_store(str(path)) as s:  # writable: rebuilds
        assert s.materialized_union
        assert not (path / UNION_STALE).exists()
        assert json.loads((path / MARKER).read_text())["format"] == 2
        assert default_triples(s.raw) == named_triples(s.raw)
        assert _answers(s) == expected


def test_exports_hold_each_quad_once(seed_store, tmp_path: Path) -> None:  # noqa: ANN001
    out = tmp_path / "all.nq"
    with out.open("wb") as fh:
        seed_store.dump(fh, "nq")
    quads = list(ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS))
    assert len(quads) == seed_store.count()
    assert DEFAULT not in {q.graph_name for q in quads}
    nt = tmp_path / "union.nt"
    with nt.open("wb") as fh:
        seed_store.dump(fh, "nt")
    parsed = [q.triple for q in ox.parse(path=str(nt), format=ox.RdfFormat.N_TRIPLES)]
    union = named_triples(seed_store.raw)
    assert len(parsed) == len(union)

    def ground(ts) -> set:  # noqa: ANN001 - a parser relabels blank nodes: compare the rest
        return {t for t in ts if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)}

    assert ground(parsed) == ground(union)



def test_a_failed_bulk_replacement_leaves_the_store_as_it_was(store_copy: str, tmp_path: Path) -> None:
    """A chunk that cannot be loaded (here: broken N-Triples) fails the whole replacement: the
    graphs and the answers are as before, and the union is exact again after a writable open."""
    store = open_store(store_copy)
    names = store.graph_names()
    counts = {g: store.count(g) for g in names}
    answers = _answers(store)
    good, bad = tmp_path / "good.nt", tmp_path / "bad.nt"
    good.write_text("<https://example.org/s> <https://example.org/p> \"new\" .\n", "utf-8")
    bad.write_text("<https://example.org/s> <https://example.org/p> \"unterminated .\n", "utf-8")
    with pytest.raises((SyntaxError, ValueError)):
        store.replace_graphs_bulk({}, {"https://example.org/graph/new": [good, bad], names[0]: [good]})
    assert store.graph_names() == names
    assert {g: store.count(g) for g in names} == counts
    assert _answers(store) == answers
    assert rows(store, "SELECT ?o WHERE { <https://example.org/s> ?p ?o }") == []
    store.close()
    gc.collect()  # the caught exception's frames held the pyoxigraph store (and its lock)
    with open_store(store_copy) as again:
        assert again.materialized_union
        assert default_triples(again.raw) == named_triples(again.raw)
        assert _answers(again) == answers


def test_a_swapped_replacement_copies_the_kept_graphs_and_their_blank_nodes(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """A replacement that builds a new store copies the graphs it keeps by bulk loads, which give
    blank nodes new labels: each kept graph is the same graph up to those labels, and its union
    copy holds the very same nodes (every triple of the graph is in the default graph)."""
    from rdflib import Graph
    from rdflib.compare import isomorphic

    import kg.store.oxigraph as oxstore

    kept, replaced = "https://w3id.org/medkg/graph/kept", "https://w3id.org/medkg/graph/replaced"
    shapes = ('<http://e/C> <http://e/restriction> _:r .\n_:r <http://e/on> <http://e/p> .\n'
              '_:r <http://e/list> _:l .\n_:l <http://e/first> "x" .\n<http://e/D> <http://e/restriction> _:r2 .\n'
              '_:r2 <http://e/on> <http://e/q> .\n')

    def graph_of(raw: ox.Store, name: str) -> Graph:
        g = Graph()
        g.parse(data=raw.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name)).decode(), format="nt")
        return g

    with open_store(str(tmp_path / "store")) as store:
        store.replace_graphs({
            kept: [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(kept))
                   for t in ox.parse(shapes.encode(), format=ox.RdfFormat.N_TRIPLES)],
            replaced: [ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/b"), ox.Literal("old"),
                               ox.NamedNode(replaced))]})
        before = graph_of(store.raw, kept)
    monkeypatch.setattr(oxstore, "SWAP_MIN_QUADS", 1)
    chunk = tmp_path / "new.nt"
    chunk.write_text('<http://e/a> <http://e/b> "new" .\n', "utf-8")
    with open_store(str(tmp_path / "store")) as store:
        with store.bulk_replace([replaced]) as tx:
            assert tx.swap
            tx.load(replaced, chunk)
            tx.commit({})
        after = graph_of(store.raw, kept)
        assert len(after) == len(before) == 6 and isomorphic(after, before)
        assert default_triples(store.raw) == named_triples(store.raw)
        in_union = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{kept}> {{ ?s ?p ?o }} ?s ?p ?o }}"
        assert rows(store, in_union) == [{"n": "6"}]
        assert rows(store, "SELECT ?o WHERE { <http://e/a> <http://e/b> ?o }") == [{"o": "new"}]

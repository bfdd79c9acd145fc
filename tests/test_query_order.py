"""ORDER BY done in Python for the embedded store (kg.query.order): the same rows as Oxigraph's
own ORDER BY, in SPARQL's order, on the seed store, a generated catalog and hand-made values."""

from __future__ import annotations

from collections import Counter

import pyoxigraph as ox
import pytest

from kg.query import run as query_run
from kg.query.library import load_library
from kg.query.order import XSD, lift, sort_key, sort_rows
from kg.query.params import bind
from kg.query.run import execute

LIB = load_library()


def _engine_sorted(store, text: str, **kw):
    """The same query with Oxigraph doing the ORDER BY (what the store did before)."""
    old = query_run._orders_in_python
    query_run._orders_in_python = lambda _store: False
    try:
        return execute(store, text, **kw)
    finally:
        query_run._orders_in_python = old


def _cell(term) -> str:
    """A cell as text; a GROUP_CONCAT list (" | ") as its sorted parts: Oxigraph concatenates in
    hash order, which differs from one evaluation to the next (and so may the list's language tag)."""
    if isinstance(term, ox.Literal) and " | " in term.value:
        return " | ".join(sorted(term.value.split(" | ")))
    return str(term)


def _same_as_engine(store, text: str, subs: dict) -> int:
    ours = execute(store, text, substitutions=subs)
    engine = _engine_sorted(store, text, substitutions=subs)
    assert ours.kind == engine.kind
    if ours.kind != "solutions":
        return 0
    as_text = [tuple(_cell(r[v]) for v in ours.variables) for r in ours.rows]
    engine_text = [tuple(_cell(r[v]) for v in engine.variables) for r in engine.rows]
    assert Counter(as_text) == Counter(engine_text)
    lifted = lift(query_run.sparql_prologue() + text)
    if lifted is None:
        assert as_text == engine_text
        return 0
    keys = lifted.keys
    for row, following in zip(ours.rows, ours.rows[1:], strict=False):  # in SPARQL's order
        for name, desc in keys:
            a, b = sort_key(row[name]), sort_key(following[name])
            if a != b:
                assert (a > b) if desc else (a < b), (name, row[name], following[name])
                break
    # where every literal of a key column is of one comparable kind, Oxigraph's order is total
    # (up to ties) and must be ours exactly
    uniform = all(len({(k or (0,))[:2] for r in ours.rows if (k := sort_key(r[n])) and k[0] == 3}) <= 1
                  for n, _ in keys)
    if uniform:
        assert [tuple(sort_key(r[n]) for n, _ in keys) for r in ours.rows] == \
               [tuple(sort_key(r[n]) for n, _ in keys) for r in engine.rows]
    return len(ours.rows)


def _examples(store) -> list[tuple[str, dict]]:
    import shlex

    out = []
    for name, q in sorted(LIB.items()):
        words = shlex.split(q.examples[0]) if q.examples else []
        given = dict(w.split("=", 1) for a, w in zip(words, words[1:], strict=False) if a == "--param")
        out.append((name, bind(q.params, given, store=store)))
        if not any(p.required for p in q.params):
            out.append((name, bind(q.params, {}, store=store)))
    return out


def test_every_library_query_orders_as_the_engine_on_the_seed(seed_store):
    rows = sum(_same_as_engine(seed_store, LIB[name].text, subs) for name, subs in _examples(seed_store))
    assert rows > 300


def test_every_library_query_orders_as_the_engine_on_a_generated_catalog(tmp_path):
    from bench.generate import write_catalog
    from kg.build import reference_graphs
    from kg.ingest import ingest
    from kg.store import open_store

    write_catalog(tmp_path / "catalog", 600, per_file=200)
    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    try:
        ingest([tmp_path / "catalog"], store, extra=reference_graphs())
        rows = 0
        for q in LIB.values():
            if any(p.required for p in q.params):
                continue
            rows += _same_as_engine(store, q.text, bind(q.params, {}, store=store))  # with the defaults
        assert rows > 3000
    finally:
        store.close()


def test_lift_takes_only_a_final_order_by_of_projected_variables():
    assert lift("SELECT * WHERE { ?s ?p ?o } ORDER BY DESC(?o) ?s").keys == (("o", True), ("s", False))
    assert lift("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?o") is None  # ?o is not projected
    assert lift("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 5 OFFSET 2")[2:] == (2, 5)
    assert lift("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s OFFSET 2")[2:] == (2, None)
    assert lift("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 5 VALUES ?s { 1 }") is None
    assert lift("SELECT ?s WHERE { ?s ?p ?o } ORDER BY STR(?s)") is None  # an expression
    assert lift("SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s } }") is None
    assert lift("SELECT ?s WHERE { ?s ?p ?o } # ORDER BY ?s") is None
    assert lift("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY ?s") is None
    grouped = 'SELECT ?s (GROUP_CONCAT(?o; separator=")") AS ?all) WHERE { ?s ?p ?o } GROUP BY ?s ORDER BY ?all'
    text, keys, *_ = lift(grouped)
    assert keys == (("all", False),) and text.rstrip().endswith("GROUP BY ?s")


def _values_query(values: str, order: str) -> str:
    return f"SELECT ?x ?i WHERE {{ VALUES (?x ?i) {{ {values} }} }} ORDER BY {order}"


def test_sparql_order_of_mixed_terms_and_desc():
    q = _values_query('(UNDEF 1) ("b"@en 2) ("a" 3) (<http://e/z> 4) (10 5) (9.5 6) ("c"@fr 7) (true 8)', "?x")
    ours = [r["i"].value for r in execute(ox.Store(), q).rows]
    assert ours == ["1", "4", "3", "2", "7", "6", "5", "8"]  # unbound, IRI, strings by text, numbers, booleans
    desc = [r["i"].value for r in execute(ox.Store(), q.replace("ORDER BY ?x", "ORDER BY DESC(?x)")).rows]
    assert desc == ours[::-1]


def test_values_of_unknown_order_leave_the_sort_to_the_engine():
    q = _values_query('("2026-01-02"^^xsd:date 1) ("2025-12-31"^^xsd:date 2)', "?x")
    assert sort_rows(list(execute(ox.Store(), q.replace(" ORDER BY ?x", "")).rows), (("x", False),)) is None
    assert [r["i"].value for r in execute(ox.Store(), q).rows] == ["2", "1"]  # Oxigraph's own order


def test_limit_and_offset_in_the_query_take_rows_of_the_whole_order():
    values = " ".join(f'("{chr(122 - i)}" {i % 3})' for i in range(20))
    for order in ("?x LIMIT 4 OFFSET 3", "DESC(?i) ?x OFFSET 15", "?i DESC(?x) LIMIT 5", "?x OFFSET 30", "?x LIMIT 0"):
        q = _values_query(values, order)
        ours = [(r["x"].value, r["i"].value) for r in execute(ox.Store(), q).rows]
        engine = [(r["x"].value, r["i"].value) for r in _engine_sorted(ox.Store(), q).rows]
        assert ours == engine, order
        capped = execute(ox.Store(), q, limit=2)
        assert [(r["x"].value, r["i"].value) for r in capped.rows] == engine[:2], order


def test_a_result_cap_holds_only_the_rows_it_shows(monkeypatch):
    """`kg query --limit` on a sorted query: the first rows of the whole order, without holding
    every row in memory (a bounded heap of limit + 1)."""
    from kg.query import order

    held: list[int] = []
    real = order.top_rows
    monkeypatch.setattr(query_run, "top_rows", lambda rows, keys, offset, limit: held.append(limit) or
                        real(rows, keys, offset, limit))
    values = " ".join(f'("{chr(122 - i)}" {i})' for i in range(20))
    for order_by, want in (("?x", ["g", "h", "i"]), ("?x LIMIT 2", ["g", "h"]), ("?x OFFSET 18", ["y", "z"])):
        res = execute(ox.Store(), _values_query(values, order_by), limit=3)
        assert [r["x"].value for r in res.rows] == want and res.truncated == (len(want) == 3)
    assert held == [4, 2, 4]


def test_limit_keeps_the_first_rows_of_the_whole_order():
    values = " ".join(f'("{chr(122 - i)}" {i})' for i in range(20))
    res = execute(ox.Store(), _values_query(values, "?x"), limit=3)
    assert [r["x"].value for r in res.rows] == ["g", "h", "i"] and res.truncated
    assert sort_key(ox.Literal("1", datatype=ox.NamedNode(XSD + "integer"))) < sort_key(
        ox.Literal("1.5", datatype=ox.NamedNode(XSD + "decimal")))


@pytest.mark.parametrize("store_url", ["memory:"])
def test_other_stores_sort_on_their_side(store_url):
    from kg.store import open_store

    assert not query_run._orders_in_python(open_store(store_url))

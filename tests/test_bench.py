"""The benchmark on a tiny catalog: the generator writes the seed format, and the table has its
rows and columns (timings are not asserted here: targets belong in bench/RESULTS.md)."""

from __future__ import annotations

from pathlib import Path

from bench.generate import write_catalog


def test_generator_writes_the_seed_format(tmp_path: Path) -> None:
    from kg.parse import parse_paths
    from kg.read import Problem

    files = write_catalog(tmp_path / "cat", 200, per_file=80)
    assert len(files) == 3 and all(f.suffix == ".txt" for f in files)
    parsed = list(parse_paths([tmp_path / "cat"]))
    entries = [p for p in parsed if not isinstance(p, Problem)]
    kinds = {e.kind for e in entries}
    assert len(entries) + sum(isinstance(p, Problem) for p in parsed) == 200
    assert {"paper", "resource"} <= kinds and len(kinds) >= 3  # and untyped entries
    assert any(isinstance(p, Problem) for p in parsed)  # a broken header is in the mix
    names = [e.name for e in entries if e.name]
    assert len(set(names)) < len(names)  # names repeat across entries
    assert write_catalog(tmp_path / "again", 200, per_file=80)[0].read_bytes() == files[0].read_bytes()


def test_kg_bench_prints_the_table(runner, tmp_path: Path) -> None:  # noqa: ANN001
    from kg.cli import cli

    out = tmp_path / "results.md"
    r = runner.invoke(cli, ["bench", "--sizes", "200", "--runs", "1", "--out", str(out)])
    assert r.exit_code == 0, r.output
    lines = out.read_text("utf-8").splitlines()
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    assert header == ["measure", "entries", "medkg (pyoxigraph)", "rdflib in-memory",
                      "pyoxigraph bulk_load (floor)", "ratio"]
    assert all(line.count("|") == len(header) + 1 for line in lines)
    measures = [line.split("|")[1].strip() for line in lines[2:]]
    for m in ("triples (quads)", "ingest: catalog text → committed store", "peak memory",
              "median named-query latency", "export nq", "export ttl", "render (kg.render)", "`kg --help`"):
        assert m in measures, m
    assert any(m.startswith("query ") for m in measures)
    # every export syntax and the render are measured beside rdflib too
    beside = {line.split("|")[1].strip(): line.split("|")[4].strip() for line in lines[2:]}
    for m in ("export nq", "export trig", "export ttl", "export nt", "export jsonld", "render (kg.render)"):
        assert beside[m].endswith(" s"), (m, beside[m])
    assert "x of floor" in out.read_text("utf-8")
    assert lines[0] in r.output


def _answers(store, text: str, subs: dict) -> list[tuple]:  # noqa: ANN001
    """The rows as sorted tuples of strings; a ``" | "``-joined list (GROUP_CONCAT) as a set."""
    from kg.query.run import execute

    res = execute(store, text, substitutions=subs)
    return sorted(tuple(str(sorted(v.value.split(" | "))) if v is not None and " | " in v.value else str(v)
                        for v in row) for row in res.rows)


def test_rdflib_texts_answer_as_the_library(tmp_path: Path) -> None:
    """The texts rdflib runs instead of a library query's own (bench/rdflib_queries) give the same
    answers: every example, and every venue and topic pair of a generated catalog."""
    import pyoxigraph as ox

    from bench.run import RDFLIB_QUERIES, bindings, example_params, named_queries, rdflib_text
    from kg.build import reference_graphs
    from kg.ingest import ingest
    from kg.store import open_store

    write_catalog(tmp_path / "catalog", 600, per_file=200)
    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    try:
        ingest([tmp_path / "catalog"], store, extra=reference_graphs())
        names = sorted(p.stem for p in RDFLIB_QUERIES.glob("*.rq"))
        assert {"topics", "unlinked-resources", "venue-topic-data"} <= set(names)
        queries = named_queries()
        pairs = [(r["v"], r["t"]) for r in store.query(
            "SELECT DISTINCT ?v ?t WHERE { ?p <https://w3id.org/medkg/ontology#hasTopic> ?t ; "
            "<https://w3id.org/medkg/ontology#publishedIn>/<https://w3id.org/medkg/ontology#series>? ?v }")]
        rows = 0
        for name in names:
            text, params = queries[name]
            assert rdflib_text(name, text) != text
            cases = [bindings(params, store, example_params(name))]
            if name == "venue-topic-data":
                cases += [{"venue": v, "topic": t} for v, t in pairs]
            for subs in cases:
                ours = _answers(store, text, subs)
                assert _answers(store, rdflib_text(name, text), subs) == ours, (name, subs)
                rows += len(ours)
        assert len(pairs) > 20 and rows > 100 and all(isinstance(v, ox.NamedNode) for v, _ in pairs)
    finally:
        store.close()

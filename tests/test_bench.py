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

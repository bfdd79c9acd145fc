"""``kg query`` and ``kg queries``: named queries, typed parameters, formats, limits, time-outs,
syntax errors with line and column, and the VALUES fallback for remote stores."""

from __future__ import annotations

import csv
import io
import json
import re

import pyoxigraph as ox
import pytest

from kg.cli import cli
from kg.query.params import ParamError, bind_values, parse_term, to_term
from kg.query.run import QueryTimeout, execute
from tests.conftest import library_examples

ID = "https://w3id.org/medkg/id/"


def invoke(runner, built_store, *args):
    return runner.invoke(cli, ["query", "--store", built_store, *args])


def test_queries_lists_the_library(runner):
    res = runner.invoke(cli, ["queries"])
    assert res.exit_code == 0, res.output
    assert "papers-by-topic" in res.output and "topic:iri(kgo:Topic)?" in res.output
    data = json.loads(runner.invoke(cli, ["queries", "--format", "json"]).output)
    assert len(data) >= 15 and all(q["title"] for q in data)
    one = runner.invoke(cli, ["queries", "path-between"])
    assert "--param from:iri=paper:medarabench" in one.output and "SELECT" in one.output
    assert runner.invoke(cli, ["queries", "nope"]).exit_code == 2


def test_named_query_with_a_label_parameter_as_csv(runner, built_store):
    res = invoke(runner, built_store, "papers-by-topic", "--param", "topic=Trustworthy Medical AI", "-f", "csv")
    assert res.exit_code == 0, res.output
    table = list(csv.DictReader(io.StringIO(res.output)))
    assert len(table) == 3
    assert {r["topic"] for r in table} == {ID + "topic/trustworthy-medical-ai"}
    assert "LiveClin:无泄漏的实时临床基准" in {r["title"] for r in table}


def test_language_parameter_is_a_lexvo_iri(runner, built_store):
    res = invoke(runner, built_store, "datasets-by-language", "-p", "language=ar", "-f", "json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)["results"]["bindings"]
    assert rows and {r["language"]["value"] for r in rows} == {"http://lexvo.org/id/iso639-3/ara"}
    assert {r["language"]["type"] for r in rows} == {"uri"}


def test_parameter_values_are_bound_not_pasted(runner, built_store):
    """A value full of SPARQL syntax is one string literal: no injection, just no match."""
    evil = 'x" } UNION { ?entity ?p ?o } #'
    res = invoke(runner, built_store, "search", "-p", f"text={evil}", "-f", "csv")
    assert res.exit_code == 0, res.output
    assert res.output.strip().splitlines() == ["text,entity,label,type,field"]


@pytest.mark.parametrize("args, message", [
    (["papers-by-topic", "-p", "topc=x"], "unknown parameter 'topc'"),
    (["papers-by-venue", "-p", "year=twenty"], "not a year"),
    (["papers-by-topic", "-p", "topic=no such topic"], "nothing of class kgo:Topic is labelled"),
    (["datasets-by-language", "-p", "language=xx-not"], "not a language"),
    (["papers-by-topc"], "did you mean papers-by-topic"),
    (["-e", "SELECT ?x WHERE { ?x a ?c }", "-p", "nope=1"], "no variable ?nope"),
    (["papers-by-topic", "-p", "topic"], "expected NAME=VALUE"),
])
def test_bad_parameters_are_usage_errors(runner, built_store, args, message):
    res = invoke(runner, built_store, *args)
    assert res.exit_code == 2
    assert message in res.output


def test_missing_required_parameter(tmp_path, runner, built_store):
    f = tmp_path / "need.rq"
    f.write_text("# title: Needs a class\n# param: cls iri -- a class\nSELECT ?s ?cls WHERE { ?s a ?cls }\n")
    res = invoke(runner, built_store, str(f))
    assert res.exit_code == 2 and "missing parameter 'cls'" in res.output
    ok = invoke(runner, built_store, str(f), "-p", "cls=kgo:Venue", "-f", "csv")
    assert ok.exit_code == 0 and f"{ID}venue/iclr-2026" in ok.output


def test_adhoc_parameters_are_read_as_terms(runner, built_store):
    res = invoke(runner, built_store, "-e", "SELECT ?p ?t WHERE { ?p dcterms:title ?t }", "-p",
                 't="CounselBench:心理健康问答中大语言模型的大规模专家评测与对抗基准"@zh', "-f", "tsv")
    assert res.exit_code == 0, res.output
    assert f"<{ID}paper/counselbench>" in res.output
    assert parse_term("<http://e.org/x>") == ox.NamedNode("http://e.org/x")
    assert parse_term("plain words") == ox.Literal("plain words")


@pytest.mark.parametrize("fmt, marker", [("json", '"head"'), ("xml", "<sparql"), ("tsv", "?n"), ("csv", "n\r\n")])
def test_result_formats(runner, built_store, fmt, marker):
    res = invoke(runner, built_store, "-e", "SELECT (COUNT(*) AS ?n) WHERE { ?s a kgo:Paper }", "-f", fmt)
    assert res.exit_code == 0 and marker.encode() in res.stdout_bytes


def test_ask_and_construct(runner, built_store):
    ask = invoke(runner, built_store, "-e", "ASK { ?s a kgo:Paper }", "-f", "json")
    assert json.loads(ask.output) == {"head": {}, "boolean": True}
    graph = invoke(runner, built_store, "describe-entity", "-p", "entity=dataset:cmb")
    assert graph.exit_code == 0 and "dataset:cmb" in graph.output and "@prefix" in graph.output
    nt = invoke(runner, built_store, "describe-entity", "-f", "nt")
    assert f"<{ID}dataset/cmb>" in nt.output
    wrong = invoke(runner, built_store, "describe-entity", "-f", "csv")
    assert wrong.exit_code == 2 and "CONSTRUCT/DESCRIBE give RDF" in wrong.output


def test_limit_truncates_and_says_so(runner, built_store):
    res = invoke(runner, built_store, "entries-from-source", "--limit", "4", "-f", "csv")
    assert res.exit_code == 0
    assert len(res.stdout.strip().splitlines()) == 5  # header + 4
    assert "truncated" in res.stderr
    table = invoke(runner, built_store, "entries-from-source", "--limit", "2")
    assert "2 rows (truncated" in table.output


def test_a_table_shows_the_first_thousand_rows_and_says_how_many(runner, built_store):
    values = " ".join(str(i) for i in range(1, 1201))
    q = f"SELECT ?n WHERE {{ VALUES ?n {{ {values} }} }}"
    table = invoke(runner, built_store, "-e", q)
    assert table.exit_code == 0
    shown = [int(x) for x in re.findall(r"^│ (\d+) +│$", table.stdout, re.M)]
    assert shown == list(range(1, 1001))
    assert "1200 rows; the first 1000 shown (--limit 0 shows all;" in table.stdout
    everything = invoke(runner, built_store, "-e", q, "--limit", "0")
    assert len(re.findall(r"^│ (\d+) +│$", everything.stdout, re.M)) == 1200
    assert everything.stdout.rstrip().endswith("1200 rows")
    csv = invoke(runner, built_store, "-e", q, "-f", "csv")
    assert len(csv.stdout.strip().splitlines()) == 1201 and "truncated" not in csv.stderr


def test_syntax_error_points_at_line_and_column(runner, built_store, tmp_path):
    res = invoke(runner, built_store, "-e", "SELECT ?s WHERE {\n  ?s a kgo:Paper .\n  FILTER(?s = )\n}")
    assert res.exit_code == 1
    assert "syntax error at line 3" in res.output or "syntax error at line 4" in res.output
    f = tmp_path / "bad.rq"
    f.write_text("SELECT * WHERE {\n  ?s nope:thing ?o }\n")
    bad = invoke(runner, built_store, str(f))
    assert bad.exit_code == 1
    assert "line 2, column" in bad.output and "unknown prefix 'nope:'" in bad.output
    assert "?s nope:thing ?o }" in bad.output  # the line, with a caret under it


def test_timeout_gives_up(seed_store):
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with pytest.raises(QueryTimeout):
        execute(seed_store, heavy, timeout=0.2)


def test_unknown_file_and_no_source(runner, built_store):
    assert invoke(runner, built_store, "missing.rq").exit_code == 2
    assert invoke(runner, built_store).exit_code == 2


def test_to_term_types():
    assert to_term("integer", "+7").value == "7"
    assert to_term("langstring", "medical QA@EN").language == "en"
    assert to_term("boolean", "yes").value == "true"
    assert to_term("iri", "<http://example.org/a>").value == "http://example.org/a"
    with pytest.raises(ParamError):
        to_term("iri", "<http://bad iri>")
    with pytest.raises(ParamError):
        to_term("decimal", "1.2.3")


def test_bind_values_fallback_equals_substitution(seed_store):
    """What a remote store would send: the same rows as pyoxigraph's substitution, for every
    documented example of every library query (parameters used inside sub-selects included:
    ``search`` found nothing and ``benchmarks-for-task-and-language`` ignored its task when the
    VALUES block sat only at the top)."""
    from kg.query.params import bind

    checked = []
    for name, q, given in library_examples():
        b = bind(q.params, given, store=seed_store)
        if not b:
            continue
        direct = execute(seed_store, q.text, substitutions=b)
        text = bind_values(q.text, b)
        assert "VALUES" in text
        values = execute(seed_store, text)
        if direct.kind == "graph":
            assert set(map(str, direct.triples)) == set(map(str, values.triples))
        else:
            assert sorted(map(str, direct.rows)) == sorted(map(str, values.rows)), (name, given)
        checked.append((name, direct.count))
    assert {"search", "benchmarks-for-task-and-language", "papers-by-venue"} <= {n for n, _ in checked}
    assert dict(checked)["search"] > 0


def test_bind_values_skips_templates_strings_and_comments():
    q = 'CONSTRUCT { ?s ?p "{" } # {\nWHERE { ?s ?p ?o }'
    out = bind_values(q, {"s": ox.NamedNode("http://e.org/a"), "o": ox.Literal('a "q" }')})
    assert out.startswith('CONSTRUCT { ?s ?p "{" } # {\nWHERE { VALUES (?s ?o) { (<http://e.org/a> "a \\"q\\" }") }')
    with pytest.raises(ValueError):
        bind_values("SELECT * WHERE { ?s ?p ?o }", {"bad name": ox.Literal("x")})


def test_bind_values_inner_names_which_parameters_enter_sub_selects():
    """The embedded store writes IRI parameters into sub-selects (a start for Oxigraph's optimizer)
    and text parameters at the top only; remote stores get every parameter everywhere."""
    q = "SELECT ?d WHERE { { SELECT ?d WHERE { ?d ?p ?t ; ?q ?v FILTER(CONTAINS(?v, ?x)) } } }"
    b = {"t": ox.NamedNode("http://e.org/t"), "x": ox.Literal("x")}
    blocks = lambda text: text.count("VALUES")  # noqa: E731
    assert blocks(bind_values(q, b)) == 2
    assert blocks(bind_values(q, b, inner=False)) == 1
    partial = bind_values(q, b, inner=["t"])
    inner_group = partial[partial.index("{ SELECT"):]
    assert "VALUES (?t) { (<http://e.org/t>) }" in inner_group and '"x"' not in inner_group
    assert partial.count('"x"') == 1  # at the top

"""Running SPARQL against a store and writing the results in the standard formats.

SELECT/ASK results are written as SPARQL 1.1 JSON, XML, CSV or TSV (pyoxigraph's serializers) or
as a text table; CONSTRUCT/DESCRIBE results as any RDF syntax.
"""

from __future__ import annotations

import json

import pyoxigraph as ox

RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE, "ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
    "ntriples": ox.RdfFormat.N_TRIPLES, "nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG,
    "xml": ox.RdfFormat.RDF_XML, "rdfxml": ox.RdfFormat.RDF_XML, "jsonld": ox.RdfFormat.JSON_LD,
    "n3": ox.RdfFormat.N3,
}


def term_text(term: object) -> str:
    """A compact display form of an RDF term for tables."""
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.NamedNode):
        return term.value
    return str(term)


def _solutions_json(variables: list[ox.Variable], rows: list[ox.QuerySolution]) -> bytes:
    import json

    def term(t: object) -> dict[str, str]:
        if isinstance(t, ox.NamedNode):
            return {"type": "uri", "value": t.value}
        if isinstance(t, ox.BlankNode):
            return {"type": "bnode", "value": t.value}
        assert isinstance(t, ox.Literal)
        d = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            d["datatype"] = t.datatype.value
        return d

    names = [v.value for v in variables]
    bindings = [{n: term(r[n]) for n in names if r[n] is not None} for r in rows]
    return json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}}).encode()


# -- materialized results (kg.query.run.Result): the CLI and the server ---------------------------

MEDIA_TYPES = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8", "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8", "nt": "application/n-triples",
    "nq": "application/n-quads", "trig": "application/trig", "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml", "n3": "text/n3", "table": "text/plain; charset=utf-8",
}
# a terminal table of 10^4 rows takes rich seconds to lay out (≈130 µs a cell), and nobody reads it:
# a table shows this many rows and says how many there are; the other formats give them all
TABLE_ROWS = 1000
GRAPH_FORMATS = ("turtle", "nt", "nq", "trig", "jsonld", "rdfxml", "n3")
SOLUTION_FORMATS = ("json", "xml", "csv", "tsv", "table")


def serialize_result(result: object, fmt: str, *, table_rows: int | None = None) -> bytes:
    """A :class:`kg.query.run.Result` as bytes: SELECT/ASK in a SPARQL 1.1 results format
    (json, xml, csv, tsv) or a text ``table`` of at most ``table_rows`` rows (None: all) that says
    how many there are; CONSTRUCT/DESCRIBE in an RDF syntax (turtle, nt, jsonld, rdfxml …;
    ``table`` means Turtle).

    >>> from kg.query.run import execute
    >>> r = execute(ox.Store(), "SELECT ?n WHERE { VALUES ?n { 1 } }")
    >>> serialize_result(r, "csv")
    b'n\\r\\n1\\r\\n'
    """
    from io import BytesIO

    from kg.query.run import Result

    assert isinstance(result, Result)
    out = BytesIO()
    if result.kind == "graph":
        if fmt in SOLUTION_FORMATS and fmt != "table":
            raise ValueError(f"format {fmt!r} is for SELECT/ASK; CONSTRUCT/DESCRIBE give RDF "
                             f"({', '.join(GRAPH_FORMATS)})")
        from kg.namespaces import prefixes

        rdf_fmt = RDF_FORMATS.get("turtle" if fmt == "table" else fmt, ox.RdfFormat.TURTLE)
        kwargs = {"prefixes": prefixes()} if rdf_fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else {}
        if rdf_fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
            data = [ox.Quad(t.subject, t.predicate, t.object) for t in result.triples]
        else:
            data = result.triples
        return ox.serialize(data, format=rdf_fmt, **kwargs) or b""
    if fmt in GRAPH_FORMATS:
        raise ValueError(f"format {fmt!r} is for CONSTRUCT/DESCRIBE; SELECT/ASK give "
                         f"{', '.join(SOLUTION_FORMATS)}")
    if fmt == "table":
        return _result_table(result, table_rows).encode()
    if result.kind == "boolean":
        data = json.dumps({"head": {}, "boolean": bool(result.boolean)}).encode()
    else:
        variables = [ox.Variable(v) for v in result.variables]
        data = _solutions_json(variables, result.rows)
    ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON).serialize(out, RESULT_FORMATS[fmt])
    return out.getvalue()


def _result_table(result: object, max_rows: int | None = None) -> str:
    """A text table of the first ``max_rows`` rows (None: all) and how many rows there are.

    >>> from kg.query.run import execute
    >>> r = execute(ox.Store(), "SELECT ?n WHERE { VALUES ?n { 1 2 3 } }")
    >>> print(_result_table(r, 2))
    ┏━━━┓
    ┃ n ┃
    ┡━━━┩
    │ 1 │
    │ 2 │
    └───┘
    3 rows; the first 2 shown (--limit 0 shows all; --format csv, tsv, json or xml writes all)
    <BLANKLINE>
    """
    from io import StringIO

    from rich.console import Console
    from rich.table import Table

    from kg.query.params import compact

    buf = StringIO()
    console = Console(file=buf, width=160, force_terminal=False, color_system=None)
    if result.kind == "boolean":  # type: ignore[attr-defined]
        console.print("true" if result.boolean else "false")  # type: ignore[attr-defined]
        return buf.getvalue()
    names = result.variables  # type: ignore[attr-defined]
    rows = result.rows  # type: ignore[attr-defined]
    table = Table(*names, show_lines=False)
    for row in rows[:max_rows] if max_rows is not None else rows:
        table.add_row(*(compact(t.value) if isinstance(t := row[v], ox.NamedNode) else term_text(t)
                        for v in names))
    console.print(table)
    n = len(rows)
    if result.truncated:  # type: ignore[attr-defined]
        more = " (truncated: more rows exist; raise --limit)"
    elif max_rows is not None and n > max_rows:
        more = f"; the first {max_rows} shown (--limit 0 shows all; --format csv, tsv, json or xml writes all)"
    else:
        more = ""
    console.print(f"{n} row{'s' if n != 1 else ''}{more}")
    return buf.getvalue()

"""Running SPARQL against a store and writing the results in the standard formats.

SELECT/ASK results are written as SPARQL 1.1 JSON, XML, CSV or TSV (pyoxigraph's serializers) or
as a text table; CONSTRUCT/DESCRIBE results as any RDF syntax.
"""

from __future__ import annotations

from typing import IO

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


def write_results(result: object, out: IO[bytes], fmt: str) -> int:
    """Write a query result; returns the number of rows/triples written (ASK: 1)."""
    if isinstance(result, ox.QueryTriples):
        triples = list(result)
        from kg.namespaces import prefixes

        rdf_fmt = RDF_FORMATS.get(fmt, ox.RdfFormat.TURTLE)
        kwargs = {"prefixes": prefixes()} if rdf_fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else {}
        out.write(ox.serialize(triples, format=rdf_fmt, **kwargs) or b"")
        return len(triples)
    if fmt == "table":
        return _table(result, out)
    if isinstance(result, ox.QueryBoolean):
        result.serialize(out, RESULT_FORMATS[fmt])
        return 1
    rows = list(result)
    variables = result.variables
    # re-wrap to serialize after counting (QuerySolutions is a one-shot iterator)
    data = _solutions_json(variables, rows)
    again = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
    again.serialize(out, RESULT_FORMATS[fmt])
    return len(rows)


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


def _table(result: object, out: IO[bytes]) -> int:
    from io import StringIO

    from rich.console import Console
    from rich.table import Table

    buf = StringIO()
    console = Console(file=buf, width=160, force_terminal=False, color_system=None)
    if isinstance(result, ox.QueryBoolean):
        console.print("true" if bool(result) else "false")
        out.write(buf.getvalue().encode())
        return 1
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    table = Table(*names, show_lines=False)
    n = 0
    for row in result:
        table.add_row(*(term_text(row[v]) for v in names))
        n += 1
    console.print(table)
    console.print(f"{n} row{'s' if n != 1 else ''}")
    out.write(buf.getvalue().encode())
    return n

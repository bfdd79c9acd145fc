from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.cli.options import EXIT_DATA, EXIT_USAGE, fail, opened_store, store_option


@click.command()
@click.argument("source", required=False)
@click.option("-e", "--expr", "text", help="SPARQL query text.")
@store_option
@click.option("--format", "-f", "fmt", default="table", show_default=True,
              type=click.Choice(["table", "json", "xml", "csv", "tsv", "turtle", "nt", "nq",
                                 "trig", "jsonld", "rdfxml"]),
              help="SELECT/ASK: table or a SPARQL results format; CONSTRUCT: an RDF syntax.")
def query(source: str | None, text: str | None, store_spec: str | None, fmt: str) -> None:
    """Run SPARQL: a FILE.rq or -e TEXT.

    Prefixes kgo:, paper:, dataset:, task:, rdfs:, skos:, dcterms: … are
    predeclared. json/xml/csv/tsv are the SPARQL 1.1 result formats.

    Example:

        kg query -e 'SELECT ?d WHERE { ?d a kgo:Benchmark }' --format csv
    """
    from kg.namespaces import sparql_prologue
    from kg.query import write_results

    if bool(source) == bool(text):
        fail("give one of FILE.rq or -e TEXT", EXIT_USAGE)
    if source:
        path = Path(source)
        if not path.is_file():
            fail(f"{source}: no such query file", EXIT_USAGE)
        text = path.read_text("utf-8")
    assert text is not None
    with opened_store(store_spec, read_only=True) as store:
        try:
            result = store.query(sparql_prologue() + text)
        except SyntaxError as err:
            fail(f"query syntax error: {err}", EXIT_DATA)
        out = sys.stdout.buffer
        fmt = "turtle" if fmt == "table" and _is_graph(result) else fmt
        if fmt in ("turtle", "nt", "nq", "trig", "jsonld", "rdfxml") and not _is_graph(result):
            fail(f"--format {fmt} is for CONSTRUCT/DESCRIBE queries", EXIT_USAGE)
        write_results(result, out, fmt)
        out.flush()


def _is_graph(result: object) -> bool:
    import pyoxigraph as ox

    return isinstance(result, ox.QueryTriples)

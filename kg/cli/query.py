"""``kg query`` (run a named query, a .rq file or SPARQL text) and ``kg queries`` (the library)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kg.cli.options import EXIT_DATA, EXIT_USAGE, fail, opened_store, store_option

FORMATS = ["table", "json", "xml", "csv", "tsv", "turtle", "nt", "nq", "trig", "jsonld", "rdfxml", "n3"]


@click.command()
@click.argument("source", required=False, metavar="[NAME | FILE.rq]")
@click.option("-e", "--expr", "text", metavar="TEXT", help="SPARQL query text.")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind ?NAME to VALUE as a typed RDF term (repeatable). See `kg queries NAME`.")
@store_option
@click.option("--format", "-f", "fmt", default="table", show_default=True, type=click.Choice(FORMATS),
              help="SELECT/ASK: table or a SPARQL 1.1 results format (json, xml, csv, tsv); "
              "CONSTRUCT/DESCRIBE: an RDF syntax (table means Turtle).")
@click.option("--limit", type=click.IntRange(min=0), default=None,
              help="Keep at most this many rows or triples (0: all); a note on stderr says when "
              "more existed. Without it a table shows the first 1000 rows and how many there are; "
              "the other formats give all.")
@click.option("--timeout", type=click.FloatRange(min=0), default=60.0, show_default=True,
              help="Give up after this many seconds (0: never).")
def query(source: str | None, text: str | None, params: tuple[str, ...], store_spec: str | None,
          fmt: str, limit: int | None, timeout: float) -> None:
    """Run SPARQL: a named query from the library, a FILE.rq or -e TEXT.

    Parameters are bound as typed RDF terms, never pasted into the text:
    an iri parameter takes an IRI, a prefixed name or a label, a lang
    parameter an ISO 639 code or a language name, a year four digits. In a
    query without a header, --param NAME=VALUE binds ?NAME to VALUE read as
    a term (<iri>, prefix:name, "text"@en, 42, plain text).

    Prefixes kgo:, kg:, paper:, dataset:, model:, task:, topic:, venue:,
    lexvo:, rdfs:, skos:, dcterms:, schema:, prov: … are predeclared.

    Exit codes: 0 ok; 1 syntax error, time-out or failed query; 2 unknown
    query, unknown/missing/bad parameter; 3 store error.

    Example:

    \b
        kg query papers-by-topic --param topic="trustworthy medical AI"
        kg query datasets-by-language --param language=ar --format csv
        kg query -e 'SELECT ?d WHERE { ?d a kgo:Benchmark }' --format json
    """
    from kg.query import TABLE_ROWS, serialize_result
    from kg.query.library import LibraryError, get_query, parse_query
    from kg.query.params import ParamError, bind, parse_assignments
    from kg.query.run import QueryError, QuerySyntaxError, execute

    if bool(source) == bool(text):
        fail("give one of NAME, FILE.rq or -e TEXT (`kg queries` lists the names)", EXIT_USAGE)
    declared = None
    if source:
        path = Path(source)
        if path.suffix == ".rq" or path.is_file():
            if not path.is_file():
                fail(f"{source}: no such query file", EXIT_USAGE)
            text = path.read_text("utf-8")
            try:
                declared = parse_query(path.stem, text, path).params
            except LibraryError:
                declared = None  # no header (or not ours): parameters are read as terms
        else:
            try:
                named = get_query(source)
            except LibraryError as err:
                fail(str(err), EXIT_USAGE)
            text, declared = named.text, named.params
    assert text is not None
    try:
        given = parse_assignments(params)
    except ParamError as err:
        fail(str(err), EXIT_USAGE)
    with opened_store(store_spec, read_only=True) as store:
        try:
            bindings = bind(declared, given, store=store, query_text=text)
        except ParamError as err:
            fail(str(err), EXIT_USAGE)
        try:
            result = execute(store, text, substitutions=bindings, limit=limit or None,
                             timeout=timeout or None)
        except QuerySyntaxError as err:
            pointer = err.pointer()
            fail(f"{err}" + (f"\n{pointer}" if pointer else ""), EXIT_DATA)
        except QueryError as err:
            fail(str(err), EXIT_DATA)
        try:
            data = serialize_result(result, fmt, table_rows=TABLE_ROWS if limit is None else None)
        except ValueError as err:
            fail(str(err), EXIT_USAGE)
        out = sys.stdout.buffer
        out.write(data)
        out.flush()
        if result.truncated and fmt != "table":
            click.echo(f"note: output truncated to {limit} (--limit); more results exist", err=True)


@click.command()
@click.argument("name", required=False)
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format.")
def queries(name: str | None, fmt: str) -> None:
    """List the named query library (queries/*.rq), or show one query.

    Each query has a title, a description and typed parameters with their
    defaults (NAME:TYPE=DEFAULT; a trailing ? marks an optional one). Run
    one with `kg query NAME --param NAME=VALUE`.

    Example:

    \b
        kg queries
        kg queries papers-by-topic
    """
    from kg.query.library import LibraryError, get_query, load_library

    try:
        items = [get_query(name)] if name else list(load_library().values())
    except LibraryError as err:
        fail(str(err), EXIT_USAGE)
    if fmt == "json":
        click.echo(json.dumps([q.as_json() for q in items], ensure_ascii=False, indent=2))
        return
    if name:
        q = items[0]
        click.echo(f"{q.name}: {q.title}\n\n{q.description}\n")
        for p in q.params:
            click.echo(f"  --param {p.signature()}  {p.doc}")
        for ex in q.examples:
            click.echo(f"\nExample: {ex}")
        click.echo("\n" + q.text.rstrip())
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("name", "title", "parameters", show_lines=False)
    for q in items:
        table.add_row(q.name, q.title, " ".join(p.signature() for p in q.params))
    console = Console(width=160, force_terminal=False, color_system=None)
    console.print(table)
    console.print(f"{len(items)} queries; show one with `kg queries NAME`, run it with `kg query NAME`")

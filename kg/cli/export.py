"""``kg export`` and ``kg void``: the graph in a standard RDF syntax, and its VoID description."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.cli.options import EXIT_USAGE, fail, opened_store, store_option

FORMAT_NAMES = ("turtle", "nt", "nq", "trig", "jsonld", "xml")


@click.command()
@store_option
@click.option("--format", "-f", "fmt", type=click.Choice(FORMAT_NAMES), default=None,
              help="Output syntax (default: from the -o file name, else turtle).")
@click.option("--graph", "-g", default=None, metavar="default|all|IRI",
              help="default: the union of all graphs as triples; all: keep the named (provenance) "
              "graphs (nq, trig, jsonld); or one graph IRI. Default: all for nq/trig, else default.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Output file (default stdout); gzip-compressed when it ends in .gz.")
def export(store_spec: str | None, fmt: str | None, graph: str | None, output: str | None) -> None:
    """Export the graph in a standard RDF syntax, streaming (memory stays flat).

    Turtle, TriG and RDF/XML use the project prefixes; JSON-LD is compacted with
    the project @context (ontology/context.jsonld). N-Quads and TriG keep the
    provenance graphs (one per catalog file) unless --graph default is given.

    Exit status: 0 written; 2 bad format/graph choice; 3 store error.

    Example:

        kg export -o build/medkg.nq.gz && kg export -f jsonld --graph all | head
    """
    from kg.export import ExportError, format_for_path, open_output
    from kg.export import export as run

    if fmt is None:
        fmt = (format_for_path(output) if output else None) or "turtle"
    with opened_store(store_spec, read_only=True) as store:
        try:
            if output:
                with open_output(output) as out:
                    n = run(store, out, fmt, graph)
                click.echo(f"wrote {n} statements to {output} ({fmt})", err=True)
            else:
                run(store, sys.stdout.buffer, fmt, graph)
                sys.stdout.buffer.flush()
        except ExportError as err:
            fail(str(err), EXIT_USAGE)


@click.command()
@store_option
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Output file (default stdout).")
@click.option("--dump-base", default="", metavar="URL",
              help="Where the dumps are published (default: relative to the VoID file).")
@click.option("--dumps-dir", type=click.Path(file_okay=False, exists=True), default=None,
              help="Directory holding the dumps, to state their sizes and checksums.")
@click.option("--sparql-endpoint", default=None, envvar="KG_SPARQL_ENDPOINT", metavar="URL",
              help="SPARQL endpoint to advertise (default http://127.0.0.1:7878/sparql). "
              "Env: KG_SPARQL_ENDPOINT.")
@click.option("--license", "license_", default=None, metavar="IRI",
              help="Licence of the data (default: the ontology's dcterms:license, else CC BY 4.0).")
def void(store_spec: str | None, output: str | None, dump_base: str, dumps_dir: str | None,
         sparql_endpoint: str | None, license_: str | None) -> None:
    """Print the VoID/DCAT description of the graph (Turtle).

    Statements, entities per class, statements per property, vocabularies,
    example resources, SPARQL endpoint, dump locations (with size and
    SHA-256 when --dumps-dir is given), licence, date, and one void:subset
    per named graph. kg build writes the same file as build/void.ttl.

    Example:

        kg void --dumps-dir build --dump-base https://example.org/medkg/dumps/
    """
    from kg.export.void import DEFAULT_ENDPOINT, serialize_void, void_graph

    if dump_base and "://" in dump_base and not dump_base.endswith("/"):
        dump_base += "/"
    with opened_store(store_spec, read_only=True) as store:
        triples = void_graph(
            store, dump_base=dump_base, dumps_dir=Path(dumps_dir) if dumps_dir else None,
            sparql_endpoint=sparql_endpoint or DEFAULT_ENDPOINT, license=license_,
        )
        if output:
            from kg.export import open_output

            with open_output(output) as out:
                serialize_void(triples, out)
            click.echo(f"wrote {output}", err=True)
        else:
            serialize_void(triples, sys.stdout.buffer)
            sys.stdout.buffer.flush()

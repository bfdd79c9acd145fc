from __future__ import annotations

import json
import sys

import click

from kg.cli.options import EXIT_DATA, format_option, opened_store, store_option


@click.command()
@store_option
@format_option("text", "json", default="text")
def validate(store_spec: str | None, fmt: str) -> None:
    """Validate the store with the SHACL shapes (ontology/shapes.ttl).

    Prints each violation (focus node, path, message). Exit status 0 when the
    graph conforms, 1 on violations, 3 on a store error.

    Example:

        kg validate --format json
    """
    from kg.validate import validate as run

    with opened_store(store_spec, read_only=True) as store:
        report = run(store)
    if fmt == "json":
        click.echo(json.dumps({"conforms": report.conforms, "triples": report.triples,
                               "violations": [v.__dict__ for v in report.violations]},
                              indent=2, ensure_ascii=False))
    else:
        for v in report.violations:
            click.echo(f"{v.severity}: {v.focus} {v.path}: {v.message}")
        click.echo(f"{'conforms' if report.conforms else 'does not conform'}: "
                   f"{len(report.violations)} results over {report.triples} triples")
    if not report.conforms:
        sys.exit(EXIT_DATA)

from __future__ import annotations

import json

import click

from kg.cli.options import format_option, opened_store, store_option


@click.command()
@store_option
@format_option("text", "json", default="text")
def review(store_spec: str | None, fmt: str) -> None:
    """List what a curator should look at, each with path:line.

    Rejected entries; entries whose title and description seem to be about
    different works; header splits the parser resolved by a guess; names one
    entry gives a dataset and another a model or method (papers naming them
    link to neither); names that almost match another node but were not
    merged; entries without any task or language. Always exits 0 (it is a to-do list, not a check).

    Example:

        kg review --format json | jq -r '.[] | select(.kind=="mismatch") | .source'
    """
    from kg.curate import iter_text
    from kg.curate import review as run

    with opened_store(store_spec, read_only=True) as store:
        items = run(store)
    if fmt == "json":
        click.echo(json.dumps([i.to_json() for i in items], indent=2, ensure_ascii=False))
        return
    for line in iter_text(items):
        click.echo(line)
    click.echo(f"{len(items)} item{'s' if len(items) != 1 else ''} to review")

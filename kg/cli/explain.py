from __future__ import annotations

import json

import click

from kg.cli.options import EXIT_USAGE, fail, format_option, opened_store, store_option


@click.command()
@click.argument("name")
@store_option
@format_option("text", "json", default="text")
@click.option("--limit", type=click.IntRange(min=0), default=20, show_default=True,
              help="Show at most this many entries a node (0: all), and how many more records may link it.")
def explain(name: str, store_spec: str | None, fmt: str, limit: int) -> None:
    """Show the entries and rules that produced the node NAME and its links.

    NAME is a label (compared after normalisation: case, spaces, hyphens,
    full-width characters) or an IRI. For each node: its classes, every
    catalog entry (path:line) that created or linked it, and the rule behind
    each node and edge — so every merge can be checked. A node many entries
    link (a task, a language) shows the first --limit of them.

    The entries are linked again with the evidence the whole stored catalog
    gives the parser, learned once per catalog content and kept in the cache
    directory ($KG_CACHE_DIR, else $XDG_CACHE_HOME/medkg or ~/.cache/medkg;
    safe to delete).

    Exit status: 0 found; 2 no node of that name.

    Example:

        kg explain cmedqa2
    """
    from kg.curate import explain as run

    with opened_store(store_spec, read_only=True) as store:
        found = run(store, name, limit=limit)
    if not found:
        fail(f"no node named {name!r} (try kg query -e 'SELECT ?l WHERE {{ ?x rdfs:label ?l }}')", EXIT_USAGE)
    if fmt == "json":
        click.echo(json.dumps([e.to_json() for e in found], indent=2, ensure_ascii=False))
        return
    for ex in found:
        origin = " (defined by a vocabulary in data/vocab)" if ex.vocabulary else ""
        click.echo(f"{ex.label}  <{ex.iri}>{origin}")
        click.echo(f"  classes: {', '.join(ex.classes) or '-'}")
        click.echo(f"  name key: {ex.key!r} (names with this key are one node in this class family)")
        for entry in ex.entries:
            click.echo(f"  {entry['source']}: {entry['header']}")
            for rule in entry["rules"]:  # type: ignore[union-attr]
                click.echo(f"      {rule}")
        if ex.more:
            click.echo(f"  … and up to {ex.more} more entries (--limit 0 shows all)")
        if not ex.entries:
            click.echo("  no catalog entry mentions it")

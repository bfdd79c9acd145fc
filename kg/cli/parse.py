from __future__ import annotations

import json
import sys

import click

from kg.cli.options import EXIT_DATA, EXIT_USAGE, fail


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
def parse(files: tuple[str, ...]) -> None:
    """Parse catalog FILES (or directories) and print one JSON object per entry.

    Output is JSON Lines on stdout, in file order, with the keys source, kind,
    title, name, venue, track, year, topic, modality, resource_type, scale,
    access, description and links. Each entry that cannot be parsed is reported
    on stderr as PATH:LINE: REASON.

    Exit status: 0 every entry parsed; 1 some were rejected (the rest are still
    printed); 2 usage error or unreadable file.

    Example:

        kg parse data/catalog/*.txt | jq -r .title
    """
    from kg.parse import Entry, parse_paths
    from kg.read import SourceError

    rejected = 0
    try:
        for item in parse_paths(files):
            if isinstance(item, Entry):
                sys.stdout.write(json.dumps(item.to_json(), ensure_ascii=False) + "\n")
            else:
                rejected += 1
                click.echo(str(item), err=True)
    except SourceError as err:
        fail(str(err), EXIT_USAGE)
    sys.stdout.flush()
    if rejected:
        sys.exit(EXIT_DATA)

from __future__ import annotations

import sys

import click

from kg.cli.options import EXIT_DATA, EXIT_USAGE, fail, opened_store, store_option


def print_report(report, rejects_path) -> None:  # noqa: ANN001
    from rich.console import Console
    from rich.table import Table

    table = Table(title="ingest", show_lines=False)
    for col in ("source", "status", "entries", "rejected", "quads"):
        table.add_column(col, justify="right" if col not in ("source", "status") else "left")
    for s in report.sources:
        table.add_row(s.path, s.status, str(s.entries), str(len(s.rejected)),
                      str(s.quads) if s.status in ("loaded", "relinked") else "-")
    console = Console(stderr=True, width=120)
    console.print(table)
    for s in report.sources:
        if s.status == "stale":
            click.echo(f"{s.path}: names a dataset the files given add, rename or remove, but the file is gone "
                       f"or changed since it was ingested: its graph still links the old way "
                       f"(kg ingest {s.path}, or kg build, links it again)", err=True)
    for p in report.problems:
        click.echo(str(p), err=True)
    if report.problems:
        click.echo(f"{len(report.problems)} rejected entries kept in {rejects_path}", err=True)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@store_option
@click.option("--force", is_flag=True, help="Re-ingest files even when unchanged.")
def ingest(paths: tuple[str, ...], store_spec: str | None, force: bool) -> None:
    """Ingest catalog files or directories into the store.

    Idempotent (an unchanged file is skipped; a changed file replaces what it
    said before) and atomic (a failed or interrupted ingest leaves the store as
    it was). Rejected entries are reported as PATH:LINE: REASON, kept in the
    graph as kgo:RejectedEntry and in a rejects file next to the store.
    A paper links to the datasets that entries of the files given, or of the
    catalog files already in the store, describe or introduce; a file already
    in the store that names a dataset the files given add, rename or remove is
    linked again in the same transaction (status "relinked"), or, when its
    file is gone or edited since, reported "stale".

    Exit status: 0 all entries ingested; 1 some rejected; 2 unreadable input;
    3 store error.

    Example:

        kg ingest data/catalog --store .kg/store
    """
    from kg.cli.progress import entry_progress
    from kg.ingest import ingest as run
    from kg.ingest import write_rejects
    from kg.read import SourceError
    from kg.store import store_side_path

    with opened_store(store_spec) as store, entry_progress() as progress:
        try:
            report = run(paths, store, force=force, progress=progress)
        except (SourceError, ValueError) as err:
            fail(str(err), EXIT_USAGE)
    rejects = store_side_path(store_spec, "rejects.jsonl")
    write_rejects(rejects, report)
    print_report(report, rejects)
    if report.problems:
        sys.exit(EXIT_DATA)

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.cli.options import EXIT_DATA, EXIT_USAGE, fail, opened_store, store_option


@click.command()
@store_option
@click.option("--catalog", type=click.Path(), default="data/catalog", show_default=True,
              help="Catalog directory to ingest.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="build",
              show_default=True, help="Where exports and renderings are written.")
@click.option("--no-validate", is_flag=True, help="Skip SHACL validation.")
@click.option("--force", is_flag=True, help="Re-ingest files even when unchanged.")
def build(store_spec: str | None, catalog: str, out_dir: str, no_validate: bool, force: bool) -> None:
    """Build the knowledge graph: the main job.

    Ingests data/catalog/, the vocabularies in data/vocab/ and the ontology
    into the store (default .kg/store; --store or KG_STORE overrides),
    validates it with the SHACL shapes, prints counts per class and writes
    the outputs under build/.

    Exit status: 0 built and valid; 1 rejected entries or SHACL violations
    (the graph is still built); 2 unreadable input; 3 store error.

    Example:

        kg build && kg stats
    """
    from rich.console import Console
    from rich.table import Table

    from kg.build import build as run
    from kg.cli.ingest import print_report
    from kg.cli.progress import entry_progress
    from kg.ingest import write_rejects
    from kg.read import SourceError
    from kg.store import store_side_path

    if not Path(catalog).is_dir():
        fail(f"{catalog}: catalog directory not found (run kg build from the project root "
             "or pass --catalog)", EXIT_USAGE)
    with opened_store(store_spec) as store, entry_progress() as progress:
        try:
            report = run(store, Path(catalog), out_dir=Path(out_dir), validate=not no_validate,
                         force=force, progress=progress)
        except (SourceError, ValueError) as err:
            fail(str(err), EXIT_USAGE)
        rejects = store_side_path(store_spec, "rejects.jsonl")
        write_rejects(rejects, report.ingest)
        print_report(report.ingest, rejects)
        console = Console(width=100)
        table = Table(title=f"classes in {store.url}")
        table.add_column("class")
        table.add_column("instances", justify="right")
        for cls, n in report.counts:
            table.add_row(f"kgo:{cls}", str(n))
        console.print(table)
        code = 1 if report.ingest.problems else 0
        v = report.validation
        if v is not None:
            if v.conforms:
                console.print(f"SHACL: conforms ({v.triples} triples checked)")
            else:
                console.print(f"SHACL: {len(v.violations)} violations (run kg validate)")
                code = EXIT_DATA
        for p in report.outputs:
            console.print(f"wrote {p}")
    sys.exit(code)

"""``kg bench``: a thin wrapper over ``python -m bench`` (the project's ``bench/`` package)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.cli.options import EXIT_USAGE, fail


@click.command(context_settings={"ignore_unknown_options": True})
@click.option("--sizes", default="1000,10000,100000", show_default=True,
              help="Comma-separated catalog sizes (entries).")
@click.option("--runs", type=int, default=5, show_default=True, help="Runs per query (median).")
@click.option("--no-rdflib", is_flag=True, help="Skip the rdflib in-memory comparison.")
@click.option("--no-oxrdflib", is_flag=True, help="Skip the oxrdflib comparison.")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Also write the table here.")
def bench(sizes: str, runs: int, no_rdflib: bool, no_oxrdflib: bool, out: str | None) -> None:
    """Run the benchmark suite: synthetic catalogs of each size, ingest time and
    peak memory, every named query's median latency, export and render time,
    each beside rdflib's in-memory store and pyoxigraph's bulk loader.

    Needs the source checkout (the bench/ package). The 100k size takes minutes.

    Example:

        kg bench --sizes 1000,10000 --out bench/RESULTS.md
    """
    root = Path(__file__).resolve().parents[2]
    if not (root / "bench" / "run.py").is_file():
        fail("the benchmark suite lives in the source checkout (bench/): run kg bench from it", EXIT_USAGE)
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from bench.run import main

    args = ["--sizes", sizes, "--runs", str(runs)]
    args += ["--no-rdflib"] if no_rdflib else []
    args += ["--no-oxrdflib"] if no_oxrdflib else []
    args += ["--out", out] if out else []
    sys.exit(main(args))

from __future__ import annotations

import json

import click

from kg.cli.options import format_option, opened_store, store_option


@click.command()
@store_option
@format_option("table", "json", default="table")
def stats(store_spec: str | None, fmt: str) -> None:
    """Counts per class and per predicate, and per named graph.

    Example:

        kg stats --format json
    """
    from kg.build import class_counts, predicate_counts

    with opened_store(store_spec, read_only=True) as store:
        classes = class_counts(store)
        preds = predicate_counts(store)
        graphs = [(g, store.count(g)) for g in store.graph_names()]
        total = store.count()
    if fmt == "json":
        click.echo(json.dumps({
            "triples": total, "classes": dict(classes), "predicates": dict(preds),
            "graphs": dict(graphs),
        }, indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    from kg.namespaces import prefixes

    def short(iri: str) -> str:
        for k, v in sorted(prefixes().items(), key=lambda kv: -len(kv[1])):
            if iri.startswith(v):
                return f"{k}:{iri[len(v):]}"
        return iri

    console = Console(width=110)
    for title, rows in (("classes", [(f"kgo:{c}", n) for c, n in classes]),
                        ("predicates", [(short(p), n) for p, n in preds]),
                        ("graphs", [(short(g), n) for g, n in graphs])):
        t = Table(title=title)
        t.add_column(title[:-1] if title != "classes" else "class")
        t.add_column("count", justify="right")
        for a, n in rows:
            t.add_row(a, str(n))
        console.print(t)
    console.print(f"{total} quads in all")

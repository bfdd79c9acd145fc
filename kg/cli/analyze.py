from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from kg.cli.options import EXIT_DATA, EXIT_USAGE, fail, opened_store, store_option


def _common(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option("--avoid", metavar="CLASSES", default=None,
                     help="Leave out nodes of these classes, comma-separated [default: AccessLevel]; "
                          "'' keeps everything.")(f)
    f = click.option("--format", "-f", "fmt", type=click.Choice(("table", "json")), default=None,
                     help="Output format [default: table].")(f)
    return store_option(f)


def _settings(ctx: click.Context, store_spec: str | None, fmt: str | None, avoid: str | None) -> tuple:
    parent = ctx.obj or {}
    store_spec = store_spec or parent.get("store")
    fmt = fmt or parent.get("fmt") or "table"
    avoid = avoid if avoid is not None else parent.get("avoid")
    from kg.analyze import DEFAULT_AVOID

    classes = DEFAULT_AVOID if avoid is None else tuple(a.strip() for a in avoid.split(",") if a.strip())
    return store_spec, fmt, classes


def _graph(store_spec: str | None):  # noqa: ANN202
    from kg.render.project import project

    with opened_store(store_spec, read_only=True) as store:
        return project(store)


def _console():  # noqa: ANN202
    from rich.console import Console

    return Console(width=120)


def _lookup_errors(fn: Callable[[], Any]) -> Any:
    from kg.render.views import Ambiguous, NotFound

    try:
        return fn()
    except NotFound as err:
        hint = f" (did you mean: {', '.join(err.suggestions)}?)" if err.suggestions else ""
        fail(f"{err}{hint}", EXIT_USAGE)
    except Ambiguous as err:
        fail(f"{err}: {', '.join(err.candidates)} (give an IRI)", EXIT_USAGE)
    except ValueError as err:
        fail(str(err), EXIT_USAGE)


def _print_centrality(result: dict, fmt: str) -> None:
    from kg.analyze import as_json

    if fmt == "json":
        click.echo(json.dumps(as_json(result), ensure_ascii=False, indent=2))
        return
    from rich.table import Table

    console = _console()
    for cls, rows in result.items():
        t = Table(title=f"most central: {cls}")
        for col, just in (("#", "right"), ("name", "left"), ("PageRank", "right"), ("degree centrality", "right"),
                          ("links", "right")):
            t.add_column(col, justify=just)  # type: ignore[arg-type]
        for i, r in enumerate(rows, 1):
            t.add_row(str(i), r.name, f"{r.pagerank:.4f}", f"{r.degree_centrality:.3f}", str(r.degree))
        if not rows:
            t.add_row("", f"(no {cls} in the graph)", "", "", "")
        console.print(t)


def _print_communities(result: list, fmt: str) -> None:
    from kg.analyze import as_json

    if fmt == "json":
        click.echo(json.dumps(as_json(result), ensure_ascii=False, indent=2))
        return
    from rich.table import Table

    t = Table(title="communities (Louvain)")
    for col in ("#", "size", "classes", "most connected members"):
        t.add_column(col)
    for i, c in enumerate(result, 1):
        classes = ", ".join(f"{k} {v}" for k, v in c.classes.items())
        members = "; ".join(m["name"] for m in c.members[:6]) + (" …" if len(c.members) > 6 else "")
        t.add_row(str(i), str(c.size), classes, members)
    if not result:
        t.add_row("", "", "", "(no communities: the graph has no edges)")
    _console().print(t)


@click.group(invoke_without_command=True)
@_common
@click.pass_context
def analyze(ctx: click.Context, store_spec: str | None, fmt: str | None, avoid: str | None) -> None:
    """Centrality, communities, explained paths and related works (networkx over the graph).

    Without a subcommand: the most central benchmarks and tasks and the communities.

    Example:

    \b
        kg analyze                                  # centrality + communities
        kg analyze centrality --classes Benchmark,Task,Topic --top 5
        kg analyze communities --format json
        kg analyze path CMB "clinical prediction"   # CMB —addresses task→ … —has topic→ …
        kg analyze related MedAraBench
    """
    ctx.obj = {"store": store_spec, "fmt": fmt, "avoid": avoid}
    if ctx.invoked_subcommand is not None:
        return
    from kg.analyze import centrality as cen
    from kg.analyze import communities as com

    store_spec, fmt, classes = _settings(ctx, None, None, None)
    g = _graph(store_spec)
    central = cen(g, avoid=classes)
    comms = com(g, avoid=classes)
    if fmt == "json":
        from kg.analyze import as_json

        click.echo(json.dumps({"centrality": as_json(central), "communities": as_json(comms)},
                              ensure_ascii=False, indent=2))
        return
    _print_centrality(central, fmt)
    _print_communities(comms, fmt)


@analyze.command()
@_common
@click.option("--classes", default="Benchmark,Task", show_default=True, help="Classes to rank, comma-separated.")
@click.option("--top", type=click.IntRange(1), default=10, show_default=True)
@click.pass_context
def centrality(ctx: click.Context, store_spec: str | None, fmt: str | None, avoid: str | None,
               classes: str, top: int) -> None:
    """PageRank and degree centrality, per class.

    Example:

        kg analyze centrality --classes Benchmark,Dataset --top 5
    """
    from kg.analyze import centrality as cen

    store_spec, fmt, avoid_classes = _settings(ctx, store_spec, fmt, avoid)
    wanted = [c.strip() for c in classes.split(",") if c.strip()]
    _print_centrality(cen(_graph(store_spec), classes=wanted, top=top, avoid=avoid_classes), fmt)


@analyze.command()
@_common
@click.option("--seed", type=int, default=42, show_default=True, help="Louvain random seed.")
@click.option("--resolution", type=float, default=1.0, show_default=True,
              help="Above 1: more, smaller communities; below 1: fewer, larger.")
@click.pass_context
def communities(ctx: click.Context, store_spec: str | None, fmt: str | None, avoid: str | None,
                seed: int, resolution: float) -> None:
    """Louvain communities of the catalog graph, largest first.

    Example:

        kg analyze communities --resolution 1.5
    """
    from kg.analyze import communities as com

    store_spec, fmt, avoid_classes = _settings(ctx, store_spec, fmt, avoid)
    _print_communities(com(_graph(store_spec), seed=seed, resolution=resolution, avoid=avoid_classes), fmt)


@analyze.command()
@_common
@click.argument("source")
@click.argument("target")
@click.pass_context
def path(ctx: click.Context, store_spec: str | None, fmt: str | None, avoid: str | None,
         source: str, target: str) -> None:
    """The shortest explained path between two things (names, prefixed names or IRIs).

    Exit code 1 when they are not connected.

    Example:

        kg analyze path CMB "trustworthy medical AI"
    """
    import networkx as nx

    from kg.analyze import as_json, explain_path, format_path

    store_spec, fmt, avoid_classes = _settings(ctx, store_spec, fmt, avoid)
    g = _graph(store_spec)
    try:
        steps = _lookup_errors(lambda: explain_path(g, source, target, avoid=avoid_classes))
    except nx.NetworkXNoPath:
        fail(f"no path between {source!r} and {target!r}", EXIT_DATA)
    if fmt == "json":
        click.echo(json.dumps({"path": format_path(steps), "length": len(steps), "steps": as_json(steps)},
                              ensure_ascii=False, indent=2))
        return
    click.echo(format_path(steps) if steps else f"{source} is {target}")


@analyze.command()
@_common
@click.argument("item")
@click.option("--top", type=click.IntRange(1), default=10, show_default=True)
@click.pass_context
def related(ctx: click.Context, store_spec: str | None, fmt: str | None, avoid: str | None,
            item: str, top: int) -> None:
    """Works related to a paper or dataset by shared tasks, benchmarks, languages (and topics, modalities).

    Scores: task 3, benchmark or dataset 3, language 2, topic 1, modality 1 per shared thing.

    Example:

        kg analyze related CMB --top 5
    """
    from kg.analyze import as_json
    from kg.analyze import related as rel

    store_spec, fmt, avoid_classes = _settings(ctx, store_spec, fmt, avoid)
    g = _graph(store_spec)
    rows = _lookup_errors(lambda: rel(g, item, top=top, avoid=avoid_classes))
    if fmt == "json":
        click.echo(json.dumps(as_json(rows), ensure_ascii=False, indent=2))
        return
    from rich.table import Table

    t = Table(title=f"related to {item}")
    for col in ("#", "name", "class", "score", "shared"):
        t.add_column(col)
    for i, r in enumerate(rows, 1):
        shared = "; ".join(f"{k}: {', '.join(v)}" for k, v in r.shared.items())
        t.add_row(str(i), r.name, r.cls, f"{r.score:g}", shared)
    if not rows:
        t.add_row("", "(nothing shares a task, benchmark, language, topic or modality with it)", "", "", "")
    _console().print(t)

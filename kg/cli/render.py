from __future__ import annotations

from pathlib import Path

import click

from kg.cli.options import EXIT_USAGE, fail, opened_store, store_option

VIEW_CHOICES = ("full", "ego", "overview", "timeline")
FORMAT_CHOICES = ("html", "svg", "png", "graphml", "gexf", "cytoscape")
EXTENSIONS = {"html": "html", "svg": "svg", "png": "png", "graphml": "graphml", "gexf": "gexf",
              "cytoscape": "cyjs"}


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


@click.command()
@store_option
@click.option("--view", type=click.Choice(VIEW_CHOICES), default=None,
              help="full (default), ego (around --focus), overview (topics, tasks, benchmarks, languages "
                   "with weighted edges) or timeline (papers by year and venue).")
@click.option("--focus", metavar="NAME|IRI", help="Draw the neighbourhood of one thing (implies --view ego "
              "unless another view is given). A label (case/space-insensitive), prefixed name or IRI.")
@click.option("--depth", type=click.IntRange(0, 10), default=1, show_default=True,
              help="Hops around --focus.")
@click.option("--types", metavar="CLASSES", help="Only these classes, comma-separated (Paper,Benchmark,…).")
@click.option("--topic", metavar="TOPIC", help="Only works with this topic (or a narrower one) and what they link to.")
@click.option("--lang", metavar="LANG", help="Only works in this language (ISO 639-3 code or name).")
@click.option("--format", "-f", "fmt", type=click.Choice(FORMAT_CHOICES), default="html", show_default=True,
              help="html: interactive offline page; svg/png: Graphviz picture; graphml/gexf: Gephi; "
                   "cytoscape: Cytoscape JSON.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Output file [default: build/graph.html, or build/graph.<ext> for other formats].")
@click.option("--layout-threshold", type=click.IntRange(1), default=None,
              help="Above this many nodes the page uses precomputed positions and no physics [default: 500].")
@click.option("--max-nodes", type=click.IntRange(1), default=None,
              help="Pictures draw at most this many nodes, the best-linked ones, and say what they left out "
                   "[default: 1500]; graphml/gexf/cytoscape files keep every node.")
@click.option("--title", help="Page or picture title.")
def render(store_spec: str | None, view: str | None, focus: str | None, depth: int, types: str | None,
           topic: str | None, lang: str | None, fmt: str, output: str | None,
           layout_threshold: int | None, max_nodes: int | None, title: str | None) -> None:
    """Draw the graph as an interactive offline HTML page (vis-network inline, no CDN) or as a
    static picture or graph file.

    Example:

    \b
        kg render                                   # build/graph.html, the whole catalog graph
        kg render --focus CMB --depth 2 -o cmb.html
        kg render --view overview -f svg -o docs/overview.svg
        kg render --types Paper,Benchmark,Topic --topic "clinical prediction"
        kg render -f gexf -o build/graph.gexf       # open in Gephi
    """
    from kg.render import render as do_render
    from kg.render.layout import LAYOUT_THRESHOLD
    from kg.render.scale import DRAW_LIMIT
    from kg.render.views import Ambiguous, Filters, NotFound

    view = view or ("ego" if focus else "full")
    if view == "ego" and not focus:
        fail("--view ego needs --focus NAME|IRI", EXIT_USAGE)
    out = Path(output or f"build/graph.{EXTENSIONS[fmt]}")
    filters = Filters(types=_split(types), topic=topic, lang=lang)
    with opened_store(store_spec, read_only=True) as store:
        try:
            path, n_nodes, n_edges = do_render(
                store, out, view=view, fmt=fmt, focus=focus, depth=depth, filters=filters,
                threshold=layout_threshold or LAYOUT_THRESHOLD, title=title, max_nodes=max_nodes or DRAW_LIMIT)
        except NotFound as err:
            hint = f" (did you mean: {', '.join(err.suggestions)}?)" if err.suggestions else ""
            fail(f"{err}{hint}", EXIT_USAGE)
        except Ambiguous as err:
            fail(f"{err}: {', '.join(err.candidates)} (give an IRI)", EXIT_USAGE)
        except OSError as err:
            fail(f"cannot write {out}: {err}", EXIT_USAGE)
    if n_nodes == 0:
        click.echo(f"Warning: nothing to draw in {view} view with these filters; wrote an empty {fmt}.",
                   err=True)
    click.echo(f"{path}: {n_nodes} nodes, {n_edges} edges ({view} view, {fmt})")

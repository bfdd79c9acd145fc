"""The ``kg`` command: a thin click layer over the library. Each command lives in its own module
and is imported only when run, so ``kg --help`` stays fast.

Exit codes (all commands): 0 success; 1 the data has problems (rejected entries, SHACL
violations, a query error); 2 usage error or unreadable input; 3 store or server error.
"""

from __future__ import annotations

import importlib
import importlib.util

import click

# command name → "module:function" (module under kg.cli)
COMMANDS: dict[str, str] = {
    "build": "build:build",
    "parse": "parse:parse",
    "ingest": "ingest:ingest",
    "query": "query:query",
    "queries": "query:queries",
    "stats": "stats:stats",
    "validate": "validate:validate",
    "explain": "explain:explain",
    "review": "review:review",
    "render": "render:render",
    "analyze": "analyze:analyze",
    "export": "export:export",
    "void": "export:void",
    "publish": "publish:publish",
    "serve": "serve:serve",
    "bench": "bench:bench",
}

SHORT_HELP: dict[str, str] = {
    "build": "Build the graph from data/: ingest, validate, count (the main job).",
    "parse": "Parse catalog files and print one JSON object per entry.",
    "ingest": "Ingest catalog files into the store (atomic, idempotent).",
    "query": "Run a named query, a .rq file or SPARQL text.",
    "queries": "List the named query library.",
    "stats": "Counts per class and per predicate.",
    "validate": "Validate the store with the SHACL shapes.",
    "explain": "Show the entries and rules behind a node.",
    "review": "List what a curator should look at.",
    "render": "Draw the graph as an interactive offline HTML page.",
    "analyze": "Centrality, communities, paths and related items.",
    "export": "Export the graph in a standard RDF syntax.",
    "void": "Print the VoID/DCAT description of the graph.",
    "publish": "Write a static linked-data site.",
    "serve": "Serve SPARQL and dereferenceable IRIs on loopback.",
    "bench": "Run the benchmark suite.",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if self._available(name))

    @staticmethod
    def _available(name: str) -> bool:
        module = COMMANDS[name].split(":")[0]
        return importlib.util.find_spec(f"kg.cli.{module}") is not None

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS or not self._available(name):
            return None
        module, attr = COMMANDS[name].split(":")
        return getattr(importlib.import_module(f"kg.cli.{module}"), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(n, SHORT_HELP.get(n, "")) for n in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="medkg")
def cli() -> None:
    """medkg: a knowledge graph of medical-AI research.

    \b
    Quick start:
      kg build                       # ingest data/, validate, print counts
      kg query -e 'SELECT * WHERE { ?s ?p ?o } LIMIT 5'

    Exit codes: 0 ok; 1 data problems (rejected entries, SHACL violations,
    query errors); 2 usage error or unreadable input; 3 store or server error.
    """


def main() -> None:
    cli()

"""Stores keep the graph. A store is named by a URL-like string and found by its scheme:

- ``oxigraph:DIR`` (or a plain directory path) — embedded Oxigraph on disk, the default;
- ``memory:`` — rdflib in memory, for small or throw-away graphs;
- ``sparql+http://HOST:PORT/PATH`` / ``sparql+https://…`` — any SPARQL 1.1 server.

One module per scheme in this package (``sparql+http`` → ``sparql.py``), each exposing
``open(location: str, *, read_only: bool) -> Store``.

>>> parse_store_url("oxigraph:.kg/store")
('oxigraph', '.kg/store')
>>> parse_store_url(".kg/store")
('oxigraph', '.kg/store')
>>> parse_store_url("sparql+http://127.0.0.1:7878/query")
('sparql', 'http://127.0.0.1:7878/query')
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Protocol, runtime_checkable

from pyoxigraph import Quad, QueryBoolean, QuerySolutions, QueryTriples

from kg.registry import PluginNotFound, Registry

STORES = Registry("kg.store")
DEFAULT_STORE = ".kg/store"
STAGING_PREFIX = "urn:medkg:staging:"

QueryResult = QuerySolutions | QueryBoolean | QueryTriples


class StoreError(RuntimeError):
    """The store cannot be opened or written (locked, foreign, corrupt, read-only, full …)."""


@runtime_checkable
class Store(Protocol):
    """What the pipeline and the commands need from a store."""

    url: str

    def replace_graphs(self, graphs: Mapping[str, Iterable[Quad]]) -> None:
        """Atomically replace each named graph by the given quads (their graph name is ignored):
        after a failure or a kill, every graph is as it was before the call."""

    def replace_graphs_bulk(self, graphs: Mapping[str, Iterable[Quad]], files: Mapping[str, Sequence[Path]]) -> None:
        """Like :meth:`replace_graphs` for large inputs: ``files`` holds N-Triples chunk files per graph
        (written by the bulk ingest's workers) to be bulk-loaded; same atomicity guarantee. A store may
        also offer ``bulk_replace(names)``, a transaction fed chunk files while they are written
        (the embedded store does: :class:`kg.store.oxigraph.BulkReplace`); the ingest uses it when present."""

    def query(
        self, sparql: str, *, substitutions: Mapping[str, object] | None = None,
        timeout: float | None = None,
    ) -> QueryResult:
        """Run a SPARQL query over the union of all named graphs. ``substitutions`` binds
        variables to RDF terms (pyoxigraph terms), never by pasting text into the query."""

    def graph_names(self) -> list[str]: ...

    def count(self, graph: str | None = None) -> int: ...

    def dump(self, out: IO[bytes], format: str, graph: str | None = None) -> None:
        """Serialize ``graph`` (or the whole dataset, for quad formats) to ``out``."""

    def close(self) -> None: ...


def parse_store_url(spec: str) -> tuple[str, str]:
    m = re.match(r"^(?P<scheme>[a-z][a-z0-9]*)(?:\+(?P<proto>https?))?:(?P<rest>.*)$", spec)
    if m and not re.match(r"^[A-Za-z]:[\\/]", spec):  # not a Windows drive letter
        if m["proto"]:
            return m["scheme"], f"{m['proto']}:{m['rest']}"
        return m["scheme"], m["rest"]
    return "oxigraph", spec


def resolve_store(spec: str | None) -> str:
    return spec or os.environ.get("KG_STORE") or DEFAULT_STORE


def open_store(spec: str | None = None, *, read_only: bool = False) -> Store:
    """Open the store named by ``spec`` (default: ``$KG_STORE`` or ``.kg/store``)."""
    scheme, location = parse_store_url(resolve_store(spec))
    try:
        module = STORES.load(scheme)
    except PluginNotFound as err:
        raise StoreError(f"unknown store scheme {scheme!r}: {err}") from None
    return module.open(location, read_only=read_only)


def store_side_path(spec: str | None, suffix: str) -> Path:
    """A file that lives next to the store (rejects, build outputs of a remote store …)."""
    scheme, location = parse_store_url(resolve_store(spec))
    if scheme == "oxigraph":
        p = Path(location)
        return p.parent / f"{p.name}.{suffix}"
    return Path(".kg") / f"{scheme}.{suffix}"

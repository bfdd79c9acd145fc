"""Export the graph in the standard RDF syntaxes, streaming.

Each output syntax is one module of :mod:`kg.export.formats`, found by name through
:data:`FORMATS` (the rdflib-plugin pattern: adding a syntax is adding a module). A format module
exposes ``EXTENSION``, ``MEDIA_TYPE``, ``DATASET`` (True when the syntax can hold named graphs)
and ``write(statements, out, *, prefixes)``, where ``statements`` is an iterator of pyoxigraph
triples (triple syntaxes) or quads (dataset syntaxes) that the module consumes once, writing as it
goes, so memory stays flat however big the store is.

Graph selection (``graph=``):

- ``"default"`` — the union of all named graphs as plain triples, each distinct triple once;
- ``"all"`` — every quad in its named graph (only for dataset syntaxes: nq, trig, jsonld);
- an IRI — one named graph, as triples.

>>> sorted(FORMATS.names())
['jsonld', 'nq', 'nt', 'trig', 'turtle', 'xml']
>>> format_for_path("build/medkg.nq.gz")
'nq'
>>> export_prefixes("https://w3id.org/medkg/id/")["catalog"]
'https://w3id.org/medkg/id/graph/catalog/'
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import IO

import pyoxigraph as ox

from kg.namespaces import SH, base, prefixes
from kg.registry import Registry

FORMATS = Registry("kg.export.formats")
GRAPH_MODES = ("default", "all")

# Extra prefixes for the IRIs that ``kg.namespaces.prefixes()`` leaves out, so that Turtle/TriG
# never need ``\/`` escapes in a local name (graph names and concept schemes).
_EXTRA = {
    "vann": "http://purl.org/vocab/vann/",
    "sh": SH,
    "spdx": "http://spdx.org/rdf/terms#",
    "formats": "http://www.w3.org/ns/formats/",
}


class ExportError(ValueError):
    """An export that cannot be made as asked (unknown format, named graphs in a triple syntax …)."""


def export_prefixes(base_iri: str | None = None) -> dict[str, str]:
    """The project prefixes plus one per graph family and for concept schemes."""
    b = base_iri or base()
    p = prefixes(b)
    p.update(_EXTRA)
    p.update({
        "scheme": f"{b}scheme/", "graph": f"{b}graph/", "catalog": f"{b}graph/catalog/",
        "vocabgraph": f"{b}graph/vocab/",
    })
    return p


def load_format(name: str) -> ModuleType:
    """The format module called ``name`` (``turtle``, ``nt``, ``nq``, ``trig``, ``jsonld``, ``xml``)."""
    from kg.registry import PluginNotFound

    try:
        return FORMATS.load(name)
    except PluginNotFound as err:
        raise ExportError(str(err)) from None


def format_for_path(path: str | Path) -> str | None:
    """The format whose extension the file name has (``.gz`` ignored), or None."""
    name = Path(path).name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    suffix = Path(name).suffix.lstrip(".")
    aliases = {"ttl": "turtle", "rdf": "xml", "owl": "xml", "json": "jsonld", "ntriples": "nt"}
    suffix = aliases.get(suffix, suffix)
    return suffix if suffix in FORMATS.names() else None


@contextmanager
def open_output(path: str | Path) -> Iterator[IO[bytes]]:
    """A binary file for writing; gzip-compressed when the name ends in ``.gz``. The file is
    written under a temporary name and moved into place only when complete."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    try:
        with open(tmp, "wb") as raw:
            if path.name.endswith(".gz"):
                # mtime=0: the same graph gives byte-identical dumps
                with gzip.GzipFile(filename=path.name[:-3], mode="wb", fileobj=raw, mtime=0) as gz:
                    yield gz  # type: ignore[misc]
            else:
                yield raw
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


# -- reading statements from any store


def iter_quads(store: object, graph: str | None = None) -> Iterator[ox.Quad]:
    """Every quad (of one named graph when ``graph`` is given), grouped by graph and subject."""
    quads = getattr(store, "quads", None)  # the embedded store: its indexes, named graphs only
    if quads is not None:
        yield from quads(graph)
        return
    if graph:
        result = store.query(  # type: ignore[attr-defined]
            "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?s",
            substitutions={"g": ox.NamedNode(graph)},
        )
        gn = ox.NamedNode(graph)
        for r in result:
            yield ox.Quad(r["s"], r["p"], r["o"], gn)
        return
    result = store.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g ?s")  # type: ignore[attr-defined]
    for r in result:
        yield ox.Quad(r["s"], r["p"], r["o"], r["g"])


def iter_union(store: object) -> Iterator[ox.Triple]:
    """The union of all graphs as triples, each distinct triple once (the embedded store reads
    the union it keeps in its default graph, so memory stays flat)."""
    union = getattr(store, "union", None)  # the embedded store keeps it materialised
    if union is not None:
        yield from union()
        return
    result = store.query(  # type: ignore[attr-defined]
        "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?s"
    )
    for r in result:
        yield ox.Triple(r["s"], r["p"], r["o"])


def statements(store: object, graph: str, *, dataset: bool) -> Iterator[ox.Triple] | Iterator[ox.Quad]:
    """The statements to export for a ``graph`` selection, as triples or (``dataset``) quads."""
    if graph == "default":
        triples = iter_union(store)
        if not dataset:
            return triples
        return (ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    if graph == "all":
        if not dataset:
            raise ExportError("named graphs cannot be kept in a triple syntax; use nq, trig or jsonld "
                              "with --graph all, or --graph default for the union")
        return iter_quads(store)
    if "://" not in graph and not graph.startswith("urn:"):
        raise ExportError(f"--graph must be 'default', 'all' or a graph IRI, not {graph!r}")
    names = store.graph_names()  # type: ignore[attr-defined]
    if graph not in names:
        raise ExportError(f"no graph {graph!r} in the store (see kg stats)")
    if dataset:
        return iter_quads(store, graph)
    return (q.triple for q in iter_quads(store, graph))


class _Counter:
    def __init__(self, it: Iterable) -> None:
        self.it = iter(it)
        self.n = 0

    def __iter__(self) -> _Counter:
        return self

    def __next__(self):  # noqa: ANN204
        item = next(self.it)
        self.n += 1
        return item


def export(store: object, out: IO[bytes], fmt: str = "turtle", graph: str | None = None) -> int:
    """Write the store to ``out`` in syntax ``fmt``; returns the number of statements written.

    ``graph`` defaults to ``"all"`` for dataset syntaxes except JSON-LD (so nq/trig keep the
    provenance graphs) and ``"default"`` (the union) otherwise.
    """
    module = load_format(fmt)
    if graph is None:
        graph = "all" if module.DATASET and fmt != "jsonld" else "default"
    counted = _Counter(statements(store, graph, dataset=module.DATASET))
    module.write(counted, out, prefixes=export_prefixes())
    return counted.n


def export_file(store: object, path: str | Path, fmt: str | None = None, graph: str | None = None) -> int:
    """Export to a file (gzip when the name ends in ``.gz``; format from the name if not given)."""
    fmt = fmt or format_for_path(path)
    if fmt is None:
        raise ExportError(f"{path}: cannot tell the format from the file name; pass --format")
    load_format(fmt)
    with open_output(path) as out:
        return export(store, out, fmt, graph)

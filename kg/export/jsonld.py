"""Compacted JSON-LD with the project's own ``@context`` (``ontology/context.jsonld``).

pyoxigraph writes expanded JSON-LD only; here statements are converted with pyld (the reference
JSON-LD processor for Python): RDF → expanded JSON-LD (``from_rdf``) → compacted with our context,
which gives readable keys (``name``, ``title`` as a language map, ``topic`` …). Nothing is fetched
from the network: the context is inlined and the document loader refuses remote contexts.

>>> import pyoxigraph as ox
>>> s = ox.NamedNode("https://w3id.org/medkg/id/paper/knowguard")
>>> t = [ox.Triple(s, ox.NamedNode("http://purl.org/dc/terms/title"), ox.Literal("KnowGuard", language="en"))]
>>> compact_nodes(t)[0]["title"]
{'en': 'KnowGuard'}
>>> script_json({"name": "</script><b>"})
'{"name": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from functools import cache
from typing import IO, Any

import pyoxigraph as ox

CHUNK = 2000  # statements compacted at a time when streaming


@cache
def _context_cached(path: str) -> dict[str, Any]:
    from pathlib import Path

    doc = json.loads(Path(path).read_text("utf-8"))
    if not isinstance(doc, dict) or not isinstance(doc.get("@context"), dict):
        raise ValueError(f"{path}: not a JSON-LD context document")
    return doc


def load_context() -> dict[str, Any]:
    """The context document ``{"@context": {...}}``: ``ontology/context.jsonld``, or, when that
    file is missing, a plain prefix map built from :func:`kg.export.export_prefixes`."""
    from kg.resources import resource_dir

    try:
        path = resource_dir("ontology") / "context.jsonld"
    except FileNotFoundError:
        path = None
    if path is not None and path.is_file():
        return _context_cached(str(path))
    from kg.export import export_prefixes

    return {"@context": dict(export_prefixes())}


def _no_remote(url: str, options: dict | None = None) -> dict:
    from pyld.jsonld import JsonLdError

    raise JsonLdError(f"refusing to load remote JSON-LD context {url!r} (offline by design)",
                      "jsonld.LoadDocumentError", code="loading document failed")


_OPTS = {"documentLoader": _no_remote}


_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _term(t: object) -> dict[str, str]:
    """A pyoxigraph term in pyld's internal RDF dataset form."""
    if isinstance(t, ox.NamedNode):
        return {"type": "IRI", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "blank node", "value": f"_:{t.value}"}
    if isinstance(t, ox.Literal):
        if t.language:
            return {"type": "literal", "value": t.value, "datatype": _LANG_STRING, "language": t.language}
        return {"type": "literal", "value": t.value, "datatype": t.datatype.value}
    raise TypeError(f"cannot convert {t!r} to JSON-LD (RDF-star terms are not supported)")


def expand_rdf(statements: Iterable[ox.Triple] | Iterable[ox.Quad]) -> list[dict]:
    """Expanded JSON-LD for RDF statements (blank node labels kept). The statements are handed
    to pyld as an RDF dataset directly: its N-Quads parser de-duplicates in quadratic time."""
    from pyld import jsonld

    dataset: dict[str, list[dict]] = {}
    for st in statements:
        g = st.graph_name if isinstance(st, ox.Quad) else None
        key = "@default" if g is None or isinstance(g, ox.DefaultGraph) else (
            g.value if isinstance(g, ox.NamedNode) else f"_:{g.value}")
        dataset.setdefault(key, []).append(
            {"subject": _term(st.subject), "predicate": _term(st.predicate), "object": _term(st.object)})
    if not dataset:
        return []
    dataset.setdefault("@default", [])
    return jsonld.from_rdf(dataset, dict(_OPTS))


@cache
def _processor_class() -> type:
    from pyld import jsonld

    class Processor(jsonld.JsonLdProcessor):  # type: ignore[misc,name-defined]
        """pyld's processor, remembering how it compacted each IRI that carries no value (an
        ``@id``, an ``@type``, a key): pyld tries every term of the context as a prefix each time,
        which was two thirds of a JSON-LD export. A compaction with a value (term selection by
        language or datatype) is not remembered."""

        def __init__(self) -> None:
            super().__init__()
            self._compacted: dict[tuple, tuple[object, str]] = {}

        def _compact_iri(self, active_ctx: dict, iri: str, value: object = None, *args: object, **kw: object) -> str:
            if value is not None:
                return super()._compact_iri(active_ctx, iri, value, *args, **kw)
            key = (id(active_ctx), iri, args, tuple(sorted(kw.items())))
            hit = self._compacted.get(key)
            if hit is not None and hit[0] is active_ctx:  # the same context object, not a reused id
                return hit[1]
            out = super()._compact_iri(active_ctx, iri, value, *args, **kw)
            self._compacted[key] = (active_ctx, out)
            return out

    return Processor


def compact_nodes(statements: Iterable[ox.Triple], context: dict | None = None,
                  processor: object | None = None) -> list[dict]:
    """Compacted node objects (without ``@context``) for triples (``processor``: one from an
    earlier call, to reuse what it remembers)."""
    expanded = expand_rdf(statements)
    if not expanded:
        return []
    ctx = context or load_context()
    proc = processor or _processor_class()()
    doc = proc.compact(expanded, ctx, {"graph": True, "skipExpansion": True, **_OPTS})  # type: ignore[attr-defined]
    return doc.get("@graph", [])


def document(statements: Iterable[ox.Triple], context: dict | None = None) -> dict:
    """A self-contained compacted JSON-LD document: inline ``@context`` and the node(s). One node
    is returned as the top-level object (the form schema.org consumers expect), several under
    ``@graph``."""
    ctx = context or load_context()
    nodes = compact_nodes(statements, ctx)
    if len(nodes) == 1:
        return {"@context": ctx["@context"], **nodes[0]}
    return {"@context": ctx["@context"], "@graph": nodes}


def expand(doc: dict | list) -> list[dict]:
    """Expand a JSON-LD document offline."""
    from pyld import jsonld

    return jsonld.expand(doc, _OPTS)


def to_nquads(doc: dict | list) -> str:
    """A JSON-LD document as N-Quads (offline)."""
    from pyld import jsonld

    return jsonld.to_rdf(doc, {"format": "application/n-quads", **_OPTS})


def script_json(doc: object) -> str:
    """JSON for an HTML ``<script type="application/ld+json">``: ``<``, ``>`` and ``&`` are
    escaped so that no catalog text can close the script element."""
    text = json.dumps(doc, ensure_ascii=False, indent=None)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# -- streaming writer


def _chunks(statements: Iterable[ox.Triple] | Iterable[ox.Quad]) -> Iterator[tuple[object, list]]:
    """(graph or None, statements) chunks cut at subject boundaries and at graph changes."""
    graph: object = None
    subject = None
    buf: list[ox.Triple] = []
    for st in statements:
        g = st.graph_name if isinstance(st, ox.Quad) else None
        if isinstance(g, ox.DefaultGraph):
            g = None
        if buf and (g != graph or (len(buf) >= CHUNK and st.subject != subject)):
            yield graph, buf
            buf = []
        graph, subject = g, st.subject
        buf.append(ox.Triple(st.subject, st.predicate, st.object))
    if buf:
        yield graph, buf


def write(statements: Iterable, out: IO[bytes], *, context: dict | None = None) -> None:
    """Stream compacted JSON-LD: ``{"@context": …, "@graph": [node, …]}``, one node per line.
    Quads in a named graph go inside ``{"@id": graph, "@graph": […]}``. Memory is bounded by
    the chunk size, not by the size of the graph."""
    ctx = context or load_context()
    out.write(b'{\n"@context": ')
    out.write(json.dumps(ctx["@context"], ensure_ascii=False, indent=1).encode("utf-8"))
    out.write(b',\n"@graph": [')
    first_top = True
    open_graph: object = None
    first_in_graph = True

    def sep_top() -> None:
        nonlocal first_top
        out.write(b"\n" if first_top else b",\n")
        first_top = False

    processor = _processor_class()()
    for graph, chunk in _chunks(statements):
        if graph != open_graph:
            if open_graph is not None:
                out.write(b"\n]}")
            open_graph = graph
            if graph is not None:
                sep_top()
                out.write(b'{"@id": ' + json.dumps(graph.value).encode("utf-8") + b', "@graph": [')
                first_in_graph = True
        for node in compact_nodes(chunk, ctx, processor):
            line = json.dumps(node, ensure_ascii=False).encode("utf-8")
            if graph is None:
                sep_top()
            else:
                out.write(b"\n" if first_in_graph else b",\n")
                first_in_graph = False
            out.write(line)
    if open_graph is not None:
        out.write(b"\n]}")
    out.write(b"\n]\n}\n")

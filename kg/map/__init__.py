"""Map: a :class:`~kg.link.Linked` entry becomes RDF quads in its source file's named graph.

Provenance is both a named graph per source file (``graph/catalog/<file>``) and PROV: every node
the entry creates is ``prov:wasDerivedFrom`` the entry's ``kgo:CatalogEntry`` record, which carries
``kgo:sourceFile`` and ``kgo:sourceLine``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from pyoxigraph import Literal, NamedNode, Quad

if TYPE_CHECKING:
    from kg.link import Linked
from kg.namespaces import DCTERMS, FOAF, KGO, PROV, RDF, RDFS, SCHEMA, SKOS, XSD, base

_TYPE = NamedNode(RDF + "type")
_LABEL = NamedNode(RDFS + "label")
_TITLE = NamedNode(DCTERMS + "title")
_DESC = NamedNode(DCTERMS + "description")
_ISSUED = NamedNode(DCTERMS + "issued")
_DERIVED = NamedNode(PROV + "wasDerivedFrom")
_CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "huggingface.co", "codeberg.org")

CONCEPT_CLASSES = {"Task", "Topic", "Modality", "AccessLevel"}
SCHEME_OF = {"Task": "tasks", "Topic": "topics", "Modality": "modalities", "AccessLevel": "access"}


def _lit(value: object, lang: str | None = None, datatype: str | None = None) -> Literal:
    if lang:
        return Literal(str(value), language=lang)
    if datatype:
        return Literal(str(value), datatype=NamedNode(datatype))
    return Literal(str(value))


def to_quads(linked: Linked, graph: str) -> Iterator[Quad]:
    g = NamedNode(graph)
    e = linked.entry
    rec = NamedNode(linked.record)

    def q(s: str | NamedNode, p: str | NamedNode, o: NamedNode | Literal | str) -> Quad:
        s = NamedNode(s) if isinstance(s, str) else s
        p = NamedNode(p) if isinstance(p, str) else p
        o = NamedNode(o) if isinstance(o, str) else o
        return Quad(s, p, o, g)

    # the catalog record: where this came from, as received
    yield q(rec, _TYPE, KGO + "CatalogEntry")
    yield q(rec, KGO + "sourceFile", _lit(e.path))
    yield q(rec, KGO + "sourceLine", _lit(e.line, datatype=XSD + "positiveInteger"))
    yield q(rec, KGO + "rawHeader", _lit(e.header))
    yield q(rec, KGO + "rawDescription", _lit(e.raw_description))
    yield q(rec, _LABEL, _lit(f"{e.path}:{e.line}"))
    yield q(rec, KGO + "describes", linked.main.iri)

    m = linked.main.iri
    if e.description:
        yield q(m, _DESC, _lit(e.description, lang="zh" if _cjk(e.description) else "en"))
    if e.year is not None:
        yield q(m, _ISSUED, _lit(e.year, datatype=XSD + "gYear"))
    for pred, value in (
        (KGO + "track", e.track), (KGO + "topicText", e.topic), (KGO + "modalityText", e.modality),
        (KGO + "resourceType", e.resource_type), (KGO + "scale", e.scale),
        (KGO + "accessText", e.access),
    ):
        if value:
            yield q(m, pred, _lit(value))
    for url in e.links:
        host = url.split("/")[2].lower() if url.count("/") >= 2 else ""
        pred = SCHEMA + "codeRepository" if host.endswith(_CODE_HOSTS) else FOAF + "homepage"
        yield q(m, pred, url)

    for node in linked.nodes:
        if not node.describe:
            continue  # a vocabulary concept: described by its vocabulary graph
        n = NamedNode(node.iri)
        for cls in node.classes:
            yield q(n, _TYPE, KGO + cls)
            if cls in CONCEPT_CLASSES:
                yield q(n, _TYPE, SKOS + "Concept")
                yield q(n, SKOS + "inScheme", f"{base()}scheme/{SCHEME_OF[cls]}")
        yield q(n, _LABEL, _lit(node.label))
        for lang, title in node.titles.items():
            yield q(n, _TITLE, _lit(title, lang=lang))
            if set(node.classes) & CONCEPT_CLASSES:
                yield q(n, SKOS + "prefLabel", _lit(title, lang=lang))
        for pred, value in node.literals:
            yield q(n, pred, value if isinstance(value, Literal | NamedNode) else _lit(value))
        yield q(n, _DERIVED, rec)
    for edge in linked.edges:
        yield q(edge.subject, edge.predicate, edge.object)


def _cjk(text: str) -> bool:
    from kg.parse.text import has_cjk

    return has_cjk(text)

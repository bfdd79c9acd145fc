"""Map: a :class:`~kg.link.Linked` entry becomes RDF quads in its source file's named graph.

Provenance is both a named graph per source file (``graph/catalog/<file>``) and PROV: every node
the entry creates is ``prov:wasDerivedFrom`` the entry's ``kgo:CatalogEntry`` record, which carries
``kgo:sourceFile`` and ``kgo:sourceLine``.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from pyoxigraph import Literal, NamedNode, Quad

if TYPE_CHECKING:
    from kg.link import Linked
from kg.namespaces import DCTERMS, FOAF, KGO, PROV, RDF, RDFS, SCHEMA, SKOS, XSD, base

_TYPE = RDF + "type"
_LABEL = RDFS + "label"
_TITLE = DCTERMS + "title"
_DESC = DCTERMS + "description"
_ISSUED = DCTERMS + "issued"
_DERIVED = PROV + "wasDerivedFrom"
_CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "huggingface.co", "codeberg.org")

CONCEPT_CLASSES = {"Task", "Topic", "Modality", "AccessLevel"}
SCHEME_OF = {"Task": "tasks", "Topic": "topics", "Modality": "modalities", "AccessLevel": "access"}


def _lit(value: object, lang: str | None = None, datatype: str | None = None) -> Literal:
    if lang:
        return Literal(str(value), language=lang)
    if datatype:
        return Literal(str(value), datatype=NamedNode(datatype))
    return Literal(str(value))


Object = str | NamedNode | Literal  # a str is an IRI


def statements(linked: Linked) -> Iterator[tuple[str, str, Object]]:
    """(subject IRI, predicate IRI, object) of everything a linked entry says; :func:`to_quads` and
    :func:`to_ntriples` write them out."""
    e = linked.entry
    rec = linked.record

    # the catalog record: where this came from, as received
    yield rec, _TYPE, KGO + "CatalogEntry"
    yield rec, KGO + "sourceFile", _lit(e.path)
    yield rec, KGO + "sourceLine", _lit(e.line, datatype=XSD + "positiveInteger")
    yield rec, KGO + "rawHeader", _lit(e.header)
    yield rec, KGO + "rawDescription", _lit(e.raw_description)
    yield rec, _LABEL, _lit(f"{e.path}:{e.line}")
    yield rec, KGO + "describes", linked.main.iri

    m = linked.main.iri
    if e.description:
        yield m, _DESC, _lit(e.description, lang="zh" if _cjk(e.description) else "en")
    if e.year is not None:
        yield m, _ISSUED, _lit(e.year, datatype=XSD + "gYear")
    for pred, value in (
        (KGO + "track", e.track), (KGO + "topicText", e.topic), (KGO + "modalityText", e.modality),
        (KGO + "resourceType", e.resource_type), (KGO + "scale", e.scale),
        (KGO + "accessText", e.access),
    ):
        if value:
            yield m, pred, _lit(value)
    for url in e.links:
        host = url.split("/")[2].lower() if url.count("/") >= 2 else ""
        pred = SCHEMA + "codeRepository" if host.endswith(_CODE_HOSTS) else FOAF + "homepage"
        yield m, pred, url

    for node in linked.nodes:
        if not node.describe:
            continue  # a vocabulary concept: described by its vocabulary graph
        n = node.iri
        concept = not CONCEPT_CLASSES.isdisjoint(node.classes)
        for cls in node.classes:
            yield n, _TYPE, KGO + cls
            if cls in CONCEPT_CLASSES:
                yield n, _TYPE, SKOS + "Concept"
                yield n, SKOS + "inScheme", f"{base()}scheme/{SCHEME_OF[cls]}"
        yield n, _LABEL, _lit(node.label)
        for lang, title in node.titles.items():
            yield n, _TITLE, _lit(title, lang=lang)
            if concept:
                yield n, SKOS + "prefLabel", _lit(title, lang=lang)
        for pred, value in node.literals:
            yield n, pred, value if isinstance(value, Literal | NamedNode) else _lit(value)
        yield n, _DERIVED, rec
    for edge in linked.edges:
        yield edge.subject, edge.predicate, edge.object


def to_quads(linked: Linked, graph: str) -> Iterator[Quad]:
    g = NamedNode(graph)
    for s, p, o in statements(linked):
        yield Quad(NamedNode(s), NamedNode(p), NamedNode(o) if isinstance(o, str) else o, g)


@lru_cache(maxsize=1 << 16)
def nt_iri(iri: str) -> str:
    """An IRI as N-Triples writes it, by pyoxigraph (which also rejects an invalid IRI).

    >>> nt_iri("https://w3id.org/medkg/id/paper/x")
    '<https://w3id.org/medkg/id/paper/x>'
    """
    return str(NamedNode(iri))


def to_ntriples(linked: Linked) -> list[str]:
    """N-Triples lines (with their newline) of :func:`statements`: the same triples as
    :func:`to_quads`, written as pyoxigraph writes them, without building quad objects.

    >>> from kg.link import link
    >>> from kg.parse import parse_header
    >>> linked = link(parse_header("数据资源TextLLM benchmarkBenchmark and leaderboard开放访问 MedHELM"))
    >>> lines = to_ntriples(linked)
    >>> len(lines) == len(list(to_quads(linked, "urn:g"))) and lines[0].endswith(" .\\n")
    True
    """
    out = []
    for s, p, o in statements(linked):
        obj = nt_iri(o) if isinstance(o, str) else nt_iri(o.value) if isinstance(o, NamedNode) else str(o)
        out.append(f"{nt_iri(s)} {nt_iri(p)} {obj} .\n")
    return out


def _cjk(text: str) -> bool:
    from kg.parse.text import has_cjk

    return has_cjk(text)

"""A VoID + DCAT description of the graph itself.

Says what the graph holds (statements, entities per class as ``void:classPartition``, statements
per property as ``void:propertyPartition``, the vocabularies used, example resources), where to
get it (the dumps as ``void:dataDump`` and ``dcat:Distribution`` with size and SHA-256, the
SPARQL endpoint as ``void:sparqlEndpoint`` and a ``dcat:DataService``), under which licence, when
it was made, and one ``void:subset`` per named graph (each catalog graph already describes itself
with ``kgo:contentHash`` and ``dcterms:source``; those statements are repeated here).

Dump locations are relative to the VoID file unless an absolute ``dump_base`` is given, so
``build/void.ttl`` points at its sibling dumps wherever ``build/`` is copied.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from kg.namespaces import DCAT, DCTERMS, FOAF, KGO, RDF, RDFS, VOID, XSD, base

DEFAULT_ENDPOINT = "http://127.0.0.1:7878/sparql"
DEFAULT_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
RELATIVE = "file:///__relative__/"  # placeholder base for relative IRIs, removed on writing
SPDX = "http://spdx.org/rdf/terms#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
IANA = "https://www.iana.org/assignments/media-types/"
TITLE = "medkg: a knowledge graph of medical-AI research"
DESCRIPTION = (
    "Papers, datasets, benchmarks, models, methods, tasks, topics, venues and languages of "
    "medical-AI research, read from a curated text catalog, with the provenance of every statement "
    "(one named graph per source file, one catalog record per entry)."
)
_W3C_FORMAT = {"turtle": "Turtle", "nt": "N-Triples", "nq": "N-Quads", "trig": "TriG",
               "jsonld": "JSON-LD", "xml": "RDF_XML"}


def dataset_iri(base_iri: str | None = None) -> str:
    """The IRI of the graph as a dataset.

    >>> dataset_iri("https://w3id.org/medkg/id/")
    'https://w3id.org/medkg/id/void#medkg'
    """
    return f"{base_iri or base()}void#medkg"


def _modified(today: dt.date | None) -> dt.date:
    if today is not None:
        return today
    epoch = os.environ.get("SOURCE_DATE_EPOCH")  # reproducible builds convention
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()


def _n(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))


def graph_subset(store: object, graph: str) -> list[ox.Triple]:
    """The named graph ``graph`` as a VoID subset: a ``void:Dataset`` with its number of triples
    (also what ``kg serve`` answers for the graph's IRI)."""
    g = ox.NamedNode(graph)
    return [ox.Triple(g, ox.NamedNode(RDF + "type"), ox.NamedNode(VOID + "Dataset")),
            ox.Triple(g, ox.NamedNode(VOID + "triples"), _n(store.count(graph)))]  # type: ignore[attr-defined]


def _namespace(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1]


def _one(store: object, sparql: str, **subs: object) -> int:
    for r in store.query(sparql, substitutions=subs or None):  # type: ignore[attr-defined]
        return int(r["n"].value)
    return 0


def void_graph(
    store: object, *, dump_base: str = "", dumps_dir: Path | None = None,
    sparql_endpoint: str | None = DEFAULT_ENDPOINT, license: str | None = None,  # noqa: A002
    homepage: str | None = None, today: dt.date | None = None, examples: int = 1,
) -> list[ox.Triple]:
    """The VoID/DCAT description as triples.

    ``dump_base`` is the URL of the directory holding the dumps (relative ones, like the default
    ``""`` or ``"dumps/"``, are kept relative by :func:`write_void_to`); ``dumps_dir`` is where they
    are on disk, to state their size and checksum; ``examples`` example resources per class.
    """
    from kg.export import iter_union
    from kg.export.build import DUMPS

    b = base()
    ds = ox.NamedNode(dataset_iri(b))
    out: list[ox.Triple] = []

    def add(s: ox.NamedNode | ox.BlankNode, p: str, o: ox.NamedNode | ox.BlankNode | ox.Literal) -> None:
        out.append(ox.Triple(s, ox.NamedNode(p), o))

    def iri(value: str) -> ox.NamedNode:
        return ox.NamedNode(value)

    add(ds, RDF + "type", iri(VOID + "Dataset"))
    add(ds, RDF + "type", iri(DCAT + "Dataset"))
    add(ds, DCTERMS + "title", ox.Literal(TITLE, language="en"))
    add(ds, RDFS + "label", ox.Literal("medkg"))
    add(ds, DCTERMS + "description", ox.Literal(DESCRIPTION, language="en"))
    for kw in ("medical AI", "knowledge graph", "benchmarks", "datasets", "linked data"):
        add(ds, DCAT + "keyword", ox.Literal(kw, language="en"))
    if license is None:
        for r in store.query(  # type: ignore[attr-defined]
            "SELECT ?l WHERE { <https://w3id.org/medkg/ontology> <http://purl.org/dc/terms/license> ?l }"
        ):
            license = r["l"].value
            break
    add(ds, DCTERMS + "license", iri(license or DEFAULT_LICENSE))
    add(ds, DCTERMS + "modified", ox.Literal(_modified(today).isoformat(), datatype=iri(XSD + "date")))
    if homepage:
        add(ds, FOAF + "homepage", iri(homepage))
    add(ds, VOID + "uriSpace", ox.Literal(b))
    for r in store.query(  # type: ignore[attr-defined]
        "SELECT DISTINCT ?s WHERE { ?s a <http://www.w3.org/2004/02/skos/core#ConceptScheme> } ORDER BY ?s"
    ):
        if r["s"].value.startswith(b):
            add(ds, VOID + "rootResource", r["s"])
    add(ds, DCTERMS + "conformsTo", iri("https://w3id.org/medkg/ontology"))

    # -- statistics (over the union of the graphs, each distinct triple once)
    triples = sum(1 for _ in iter_union(store))
    add(ds, VOID + "triples", _n(triples))
    add(ds, VOID + "entities", _n(_one(
        store, "SELECT ?b (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?b)) } "
        "GROUP BY ?b",
        b=ox.Literal(b))))
    add(ds, VOID + "distinctSubjects", _n(_one(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }")))
    add(ds, VOID + "distinctObjects", _n(_one(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }")))
    classes = [(r["c"].value, int(r["n"].value)) for r in store.query(  # type: ignore[attr-defined]
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c ORDER BY ?c")]
    props = [(r["p"].value, int(r["n"].value)) for r in store.query(  # type: ignore[attr-defined]
        "SELECT ?p (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } } "
        "GROUP BY ?p ORDER BY ?p")]
    add(ds, VOID + "classes", _n(len(classes)))
    add(ds, VOID + "properties", _n(len(props)))
    for c, n in classes:
        part = ox.BlankNode()
        add(ds, VOID + "classPartition", part)
        add(part, VOID + "class", iri(c))
        add(part, VOID + "entities", _n(n))
    for p, n in props:
        part = ox.BlankNode()
        add(ds, VOID + "propertyPartition", part)
        add(part, VOID + "property", iri(p))
        add(part, VOID + "triples", _n(n))
    vocabularies = sorted({_namespace(c) for c, _ in classes} | {_namespace(p) for p, _ in props})
    for v in vocabularies:
        if v and not v.startswith(b):
            add(ds, VOID + "vocabulary", iri(v))

    # -- example resources: the first (by IRI) of each ontology class, under the base
    for r in store.query(  # type: ignore[attr-defined]
        "SELECT ?c ?b ?k (MIN(STR(?s)) AS ?ex) WHERE { ?s a ?c FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?b) "
        "&& STRSTARTS(STR(?c), ?k)) } GROUP BY ?c ?b ?k ORDER BY ?c",
        substitutions={"b": ox.Literal(b), "k": ox.Literal(KGO)},
    ):
        if examples > 0:
            add(ds, VOID + "exampleResource", iri(r["ex"].value))

    # -- access: SPARQL endpoint and dumps
    if sparql_endpoint:
        add(ds, VOID + "sparqlEndpoint", iri(sparql_endpoint))
        service = ox.BlankNode()
        add(ds, DCAT + "distribution", dist := ox.BlankNode())
        add(dist, RDF + "type", iri(DCAT + "Distribution"))
        add(dist, DCTERMS + "title", ox.Literal("SPARQL endpoint", language="en"))
        add(dist, DCAT + "accessURL", iri(sparql_endpoint))
        add(dist, DCAT + "accessService", service)
        add(service, RDF + "type", iri(DCAT + "DataService"))
        add(service, DCAT + "endpointURL", iri(sparql_endpoint))
        add(service, DCAT + "servesDataset", ds)
        add(service, DCTERMS + "conformsTo", iri("https://www.w3.org/TR/sparql11-protocol/"))
    from kg.export import load_format

    prefix = dump_base if "://" in dump_base else RELATIVE + dump_base
    for name, fmt, graph in DUMPS:
        url = iri(prefix + name)
        add(ds, VOID + "dataDump", url)
        add(ds, VOID + "feature", iri(FORMATS_NS + _W3C_FORMAT[fmt]))
        dist = ox.BlankNode()
        add(ds, DCAT + "distribution", dist)
        add(dist, RDF + "type", iri(DCAT + "Distribution"))
        what = "every statement in its provenance graph" if graph == "all" else "the union of the graphs"
        add(dist, DCTERMS + "title", ox.Literal(f"{name}: {what}", language="en"))
        add(dist, DCAT + "downloadURL", url)
        add(dist, DCAT + "accessURL", url)
        add(dist, DCAT + "mediaType", iri(IANA + load_format(fmt).MEDIA_TYPE))
        add(dist, DCTERMS + "format", iri(FORMATS_NS + _W3C_FORMAT[fmt]))
        if name.endswith(".gz"):
            add(dist, DCAT + "compressFormat", iri(IANA + "application/gzip"))
        f = Path(dumps_dir) / name if dumps_dir is not None else None
        if f is not None and f.is_file():
            add(dist, DCAT + "byteSize", ox.Literal(str(f.stat().st_size), datatype=iri(XSD + "nonNegativeInteger")))
            checksum = ox.BlankNode()
            add(dist, SPDX + "checksum", checksum)
            add(checksum, SPDX + "algorithm", iri(SPDX + "checksumAlgorithm_sha256"))
            add(checksum, SPDX + "checksumValue", ox.Literal(_sha256(f), datatype=iri(XSD + "hexBinary")))

    # -- one subset per named graph, with the graph's own description
    for g in store.graph_names():  # type: ignore[attr-defined]
        gn = iri(g)
        add(ds, VOID + "subset", gn)
        for t in graph_subset(store, g):
            add(gn, t.predicate.value, t.object)
        for r in store.query(  # type: ignore[attr-defined]
            "SELECT ?g ?p ?o WHERE { GRAPH ?g { ?g ?p ?o } }", substitutions={"g": gn}
        ):
            t = ox.Triple(gn, r["p"], r["o"])
            if t not in out:
                out.append(t)
    return out


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def serialize_void(triples: Iterable[ox.Triple], out: IO[bytes]) -> None:
    """Readable Turtle (rdflib's writer: sorted, partitions nested as ``[ … ]``) with the project
    prefixes; IRIs under :data:`RELATIVE` written as relative references, which resolve against
    the VoID file's own location."""
    from rdflib import Graph

    from kg.export import export_prefixes

    g = Graph(bind_namespaces="none")
    nt = ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES) or b""
    g.parse(data=nt.decode("utf-8"), format="nt")
    prefixes = {**export_prefixes(), "kgvoid": f"{base()}void#"}
    used = {str(term) for t in g for term in t}
    for name, ns in sorted(prefixes.items()):
        if name == "xsd" or any(u.startswith(ns) for u in used):
            g.bind(name, ns, override=True, replace=True)
    data = g.serialize(format="turtle", base=RELATIVE, encoding="utf-8")
    out.write(data.replace(f"@base <{RELATIVE}> .\n".encode(), b"", 1))


def write_void_to(store: object, path: Path, **kwargs: object) -> Path:
    """Write the VoID description to ``path`` (see :func:`void_graph` for the options)."""
    from kg.export import open_output

    triples = void_graph(store, **kwargs)  # type: ignore[arg-type]
    with open_output(path) as out:
        serialize_void(triples, out)
    return Path(path)


def write_void(store: object, out_dir: Path) -> list[Path]:
    """``kg build`` step: ``out_dir/void.ttl`` describing the dumps beside it."""
    out_dir = Path(out_dir)
    return [write_void_to(store, out_dir / "void.ttl", dumps_dir=out_dir)]

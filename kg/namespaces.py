"""Namespaces and the IRI base. The base is configurable with ``KG_BASE`` (an absolute IRI ending
in ``/``); everything else is fixed."""

from __future__ import annotations

import os

KGO = "https://w3id.org/medkg/ontology#"
DEFAULT_BASE = "https://w3id.org/medkg/id/"
LEXVO = "http://lexvo.org/id/iso639-3/"
WD = "http://www.wikidata.org/entity/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
SCHEMA = "http://schema.org/"
PROV = "http://www.w3.org/ns/prov#"
FOAF = "http://xmlns.com/foaf/0.1/"
FABIO = "http://purl.org/spar/fabio/"
VOID = "http://rdfs.org/ns/void#"
SH = "http://www.w3.org/ns/shacl#"

# One path segment per entity family (see docs/conventions.md).
FAMILIES = (
    "paper", "dataset", "model", "method", "task", "topic", "venue", "modality", "access", "record",
    "scheme", "graph",
)


def base() -> str:
    b = os.environ.get("KG_BASE", DEFAULT_BASE)
    if not b.endswith("/") or "://" not in b:
        raise ValueError(f"KG_BASE must be an absolute IRI ending in '/': {b!r}")
    return b


def prefixes(base_iri: str | None = None) -> dict[str, str]:
    """Prefixes for Turtle output and for queries (one per entity family, so no escapes)."""
    b = base_iri or base()
    p = {
        "kgo": KGO, "kg": b, "lexvo": LEXVO, "wd": WD, "rdf": RDF, "rdfs": RDFS, "owl": OWL,
        "xsd": XSD, "skos": SKOS, "dcterms": DCTERMS, "dcat": DCAT, "schema": SCHEMA, "prov": PROV,
        "foaf": FOAF, "fabio": FABIO, "void": VOID,
    }
    p.update({f: f"{b}{f}/" for f in FAMILIES if f not in ("scheme", "graph")})
    return p


def sparql_prologue(base_iri: str | None = None) -> str:
    return "".join(f"PREFIX {k}: <{v}>\n" for k, v in prefixes(base_iri).items())

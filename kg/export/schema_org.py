"""A schema.org view of a resource, for JSON-LD embedded in web pages.

The graph says ``kgo:Dataset``; the ontology says ``kgo:Dataset rdfs:subClassOf schema:Dataset``.
Search engines read schema.org terms only, so a page's embedded JSON-LD adds the schema.org
statements that follow from the data: the schema.org super-classes and super-properties the
ontology declares (RDFS entailment, read from the store's ontology graph, so it follows the
ontology as it changes) plus a short table for the standard non-schema.org terms the data uses
(``rdfs:label`` → ``schema:name`` …). Nothing is removed: the result is the resource's own
triples plus these, so the JSON-LD still expands to the store's triples.

>>> view = SchemaOrgView({"https://w3id.org/medkg/ontology#Dataset": {SCHEMA + "Dataset"}}, {})
>>> s = ox.NamedNode("https://w3id.org/medkg/id/dataset/cblue")
>>> t = [ox.Triple(s, RDF_TYPE, ox.NamedNode("https://w3id.org/medkg/ontology#Dataset")),
...      ox.Triple(s, ox.NamedNode(RDFS + "label"), ox.Literal("CBLUE"))]
>>> [str(x.object) for x in view.extra(s, t)]
['<http://schema.org/Dataset>', '<https://w3id.org/medkg/id/dataset/cblue>']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from kg.namespaces import DCTERMS, FOAF, KGO, OWL, PROV, RDF, RDFS, SCHEMA, SKOS, base

RDF_TYPE = ox.NamedNode(RDF + "type")

# Standard (non-kgo) terms the data uses → their schema.org counterpart.
EXTERNAL_PROPERTIES: dict[str, str] = {
    RDFS + "label": SCHEMA + "name",
    SKOS + "prefLabel": SCHEMA + "name",
    SKOS + "altLabel": SCHEMA + "alternateName",
    DCTERMS + "title": SCHEMA + "alternateName",
    DCTERMS + "description": SCHEMA + "description",
    DCTERMS + "issued": SCHEMA + "datePublished",
    DCTERMS + "license": SCHEMA + "license",
    FOAF + "homepage": SCHEMA + "url",
    OWL + "sameAs": SCHEMA + "sameAs",
    SKOS + "inScheme": SCHEMA + "inDefinedTermSet",
    PROV + "wasDerivedFrom": SCHEMA + "isBasedOn",
}
EXTERNAL_CLASSES: dict[str, str] = {
    SKOS + "Concept": SCHEMA + "DefinedTerm",
    SKOS + "ConceptScheme": SCHEMA + "DefinedTermSet",
}
# `p/p*` rather than `p+`: Virtuoso evaluates a transitive path only from a bound start
# ("transitive start not given"), and the first step binds it
_ONTOLOGY_QUERY = """
SELECT DISTINCT ?term ?super ?kind WHERE {
  { ?term <http://www.w3.org/2000/01/rdf-schema#subClassOf> ?direct .
    ?direct <http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?super BIND("c" AS ?kind) }
  UNION
  { ?term <http://www.w3.org/2000/01/rdf-schema#subPropertyOf> ?direct .
    ?direct <http://www.w3.org/2000/01/rdf-schema#subPropertyOf>* ?super BIND("p" AS ?kind) }
  FILTER(isIRI(?term) && STRSTARTS(STR(?super), "http://schema.org/"))
}"""


@dataclass
class SchemaOrgView:
    """schema.org super-classes and super-properties of each term."""

    classes: dict[str, set[str]]
    properties: dict[str, set[str]]

    @classmethod
    def from_store(cls, store: object) -> SchemaOrgView:
        classes: dict[str, set[str]] = {k: {v} for k, v in EXTERNAL_CLASSES.items()}
        props: dict[str, set[str]] = {k: {v} for k, v in EXTERNAL_PROPERTIES.items()}
        for r in store.query(_ONTOLOGY_QUERY):  # type: ignore[attr-defined]
            target = classes if r["kind"].value == "c" else props
            target.setdefault(r["term"].value, set()).add(r["super"].value)
        return cls(classes, props)

    def extra(self, subject: ox.NamedNode | ox.BlankNode, triples: Iterable[ox.Triple]) -> list[ox.Triple]:
        """The schema.org statements about ``subject`` that follow from its ``triples`` (only
        those not already present)."""
        have = set()
        out: list[ox.Triple] = []
        own = [t for t in triples if t.subject == subject]
        for t in own:
            have.add((t.predicate.value, t.object))
        urls = False

        def add(p: str, o: ox.NamedNode | ox.Literal | ox.BlankNode) -> None:
            if (p, o) not in have:
                have.add((p, o))
                out.append(ox.Triple(subject, ox.NamedNode(p), o))

        for t in own:
            if t.predicate == RDF_TYPE and isinstance(t.object, ox.NamedNode):
                for sc in sorted(self.classes.get(t.object.value, ())):
                    add(RDF + "type", ox.NamedNode(sc))
            for sp in sorted(self.properties.get(t.predicate.value, ())):
                obj = t.object
                if sp == SCHEMA + "datePublished" and isinstance(obj, ox.Literal):
                    obj = ox.Literal(obj.value)  # a gYear is a valid schema:Date text
                if sp == SCHEMA + "url":
                    urls = True
                add(sp, obj)
            if t.predicate.value == KGO + "accessRights" and t.object.value == f"{base()}access/open":
                add(SCHEMA + "isAccessibleForFree", ox.Literal("true", datatype=ox.NamedNode(
                    "http://www.w3.org/2001/XMLSchema#boolean")))
        if not urls and isinstance(subject, ox.NamedNode) and own:
            add(SCHEMA + "url", subject)
        return out


def dataset_markup_problems(node: dict) -> list[str]:
    """What keeps an *expanded* JSON-LD node from being valid schema.org ``Dataset`` markup, by
    the rules search engines publish (a schema:Dataset with a name and a 50–5000 character
    description). Accepts http and https schema.org IRIs.

    >>> dataset_markup_problems({"@type": ["http://schema.org/Dataset"],
    ...     "http://schema.org/name": [{"@value": "X"}]})
    ['no schema:description']
    """
    def values(local: str) -> list:
        return node.get(f"http://schema.org/{local}", []) + node.get(f"https://schema.org/{local}", [])

    problems = []
    types = node.get("@type", [])
    if not {"http://schema.org/Dataset", "https://schema.org/Dataset"} & set(types):
        problems.append("not typed schema:Dataset")
    if not values("name"):
        problems.append("no schema:name")
    desc = [v.get("@value", "") for v in values("description")]
    if not desc:
        problems.append("no schema:description")
    elif not any(50 <= len(d) <= 5000 for d in desc):
        problems.append("schema:description not 50-5000 characters")
    return problems

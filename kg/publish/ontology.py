"""The ontology as an HTML page: classes and properties with their labels (every language),
comments, alignments (sub-class/sub-property of), domains, ranges, inverses and characteristics,
read from the ontology's own triples.

>>> import pyoxigraph as ox
>>> K = "https://w3id.org/medkg/ontology#"
>>> t = [ox.Triple(ox.NamedNode(K + "Paper"), ox.NamedNode(RDF + "type"), ox.NamedNode(OWL + "Class"))]
>>> kinds(t)[K + "Paper"]
{'http://www.w3.org/2002/07/owl#Class'}
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from kg.namespaces import DCTERMS, KGO, OWL, RDF, RDFS

CLASS_KINDS = {OWL + "Class", RDFS + "Class"}
PROPERTY_KINDS = {OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty", RDF + "Property"}
ROWS = [
    (RDFS + "subClassOf", "sub-class of"), (RDFS + "subPropertyOf", "sub-property of"),
    (RDFS + "domain", "domain"), (RDFS + "range", "range"), (OWL + "inverseOf", "inverse of"),
    (OWL + "equivalentClass", "equivalent to"), (RDFS + "seeAlso", "see also"),
]


def kinds(triples: Iterable[ox.Triple]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for t in triples:
        if t.predicate.value == RDF + "type" and isinstance(t.subject, ox.NamedNode):
            out[t.subject.value].add(t.object.value)
    return out


def ontology_model(triples: list[ox.Triple], site: object, page: str) -> dict:
    """Template data for ``ontology.html``; ``site`` renders values and links (a ``Site``)."""
    by: dict[object, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for t in triples:
        by[t.subject][t.predicate.value].append(t.object)
    kind = kinds(triples)

    def texts(node: object, p: str) -> list[dict]:
        vals = [o for o in by[node].get(p, []) if isinstance(o, ox.Literal)]
        return [{"text": o.value, "lang": o.language} for o in sorted(vals, key=lambda o: (o.language != "en", str(o)))]

    def rendered(o: object) -> list[dict]:
        if isinstance(o, ox.BlankNode):
            members = by[o].get(OWL + "unionOf")
            if members:
                out, node = [], members[0]
                while isinstance(node, ox.BlankNode | ox.NamedNode) and node != ox.NamedNode(RDF + "nil"):
                    out += [site.value(x, page) for x in by[node].get(RDF + "first", [])]  # type: ignore[attr-defined]
                    rest = by[node].get(RDF + "rest", [])
                    node = rest[0] if rest else None
                return [dict(v) for v in out]
        return [site.value(o, page)]  # type: ignore[attr-defined]

    def term(iri: str) -> dict:
        node = ox.NamedNode(iri)
        local = iri[len(KGO):] if iri.startswith(KGO) else iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        rows = []
        for p, label in ROWS:
            vals = [v for o in by[node].get(p, []) for v in rendered(o)]
            if vals:
                rows.append((label, vals))
        kinds_shown = sorted(site.compact(k) for k in kind[iri])  # type: ignore[attr-defined]
        rows.insert(0, ("kind", [{"kind": "literal", "text": ", ".join(kinds_shown)}]))
        if iri in site.class_pages:  # type: ignore[attr-defined]
            rows.append(("instances", [{"kind": "iri", "iri": iri, "href": site.class_pages[iri],  # type: ignore[attr-defined]
                                        "text": "list the instances"}]))
        return {"iri": iri, "anchor": local, "name": site.compact(iri), "labels": texts(node, RDFS + "label"),  # type: ignore[attr-defined]
                "comments": texts(node, RDFS + "comment"), "rows": rows}

    own = sorted(i for i in kind if i.startswith(KGO))
    classes = [term(i) for i in own if kind[i] & CLASS_KINDS]
    properties = [term(i) for i in own if kind[i] & PROPERTY_KINDS]
    onto = next((s for s, ks in kind.items() if OWL + "Ontology" in ks), None)
    node = ox.NamedNode(onto) if onto else None
    title = (texts(node, DCTERMS + "title") or texts(node, RDFS + "label") or [{"text": "medkg ontology"}])[0]["text"]
    version = texts(node, OWL + "versionInfo")
    lic = by[node].get(DCTERMS + "license", []) if node else []
    return {
        "iri": onto or KGO, "title": title, "version": version[0]["text"] if version else None,
        "descriptions": texts(node, DCTERMS + "description") if node else [],
        "license": site.value(lic[0], page) if lic else None,  # type: ignore[attr-defined]
        "classes": classes, "properties": properties,
    }

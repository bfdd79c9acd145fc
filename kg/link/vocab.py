"""The controlled vocabularies of ``data/vocab`` as look-up indexes (label → concept IRI).

Loaded once per process with pyoxigraph's parser (fast, no rdflib import on the hot path).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from kg.namespaces import KGO, RDF, RDFS, SKOS
from kg.parse.text import normalize

LABELS = {SKOS + "prefLabel", SKOS + "altLabel", SKOS + "hiddenLabel", RDFS + "label"}


@dataclass
class Concept:
    iri: str
    types: set[str] = field(default_factory=set)
    pref: dict[str, str] = field(default_factory=dict)  # lang → prefLabel
    broader: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        return self.pref.get("en") or next(iter(self.pref.values()), self.iri.rsplit("/", 1)[-1])


@dataclass
class Vocabulary:
    """One vocabulary file: its concepts and a label index."""

    name: str
    concepts: dict[str, Concept] = field(default_factory=dict)
    index: dict[str, str] = field(default_factory=dict)  # normalised label → IRI

    def lookup(self, label: str) -> Concept | None:
        iri = self.index.get(normalize(label))
        return self.concepts.get(iri) if iri else None


def vocab_files() -> list[Path]:
    from kg.resources import resource_dir

    try:
        return sorted(resource_dir("data/vocab").glob("*.ttl"))
    except FileNotFoundError:
        return []


@cache
def vocabulary(name: str) -> Vocabulary:
    """``vocabulary("topics")`` — empty if the file does not exist."""
    import pyoxigraph

    voc = Vocabulary(name)
    path = next((p for p in vocab_files() if p.stem == name), None)
    if path is None:
        return voc
    with path.open("rb") as fh:
        triples = list(pyoxigraph.parse(fh, format=pyoxigraph.RdfFormat.TURTLE))
    for t in triples:
        if not isinstance(t.subject, pyoxigraph.NamedNode):
            continue
        s, p, o = t.subject.value, t.predicate.value, t.object
        if p == RDF + "type" and isinstance(o, pyoxigraph.NamedNode):
            voc.concepts.setdefault(s, Concept(s)).types.add(o.value)
    for t in triples:
        s, p, o = t.subject.value, t.predicate.value, t.object
        c = voc.concepts.get(s)
        if c is None:
            continue
        if p in LABELS and isinstance(o, pyoxigraph.Literal):
            if p == SKOS + "prefLabel":
                c.pref.setdefault(o.language or "", o.value)
            # prefLabels win over altLabels when two concepts share a string
            key = normalize(o.value)
            if p == SKOS + "prefLabel" or key not in voc.index:
                voc.index[key] = s
        elif p == SKOS + "broader" and isinstance(o, pyoxigraph.NamedNode):
            c.broader.add(o.value)
    return voc


def is_a(concept: Concept, local: str) -> bool:
    return KGO + local in concept.types

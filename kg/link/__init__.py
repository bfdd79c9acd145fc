"""Link: resolve what a parsed entry refers to into graph nodes and edges.

The linker turns an :class:`~kg.parse.Entry` into a :class:`Linked` — the node the entry describes,
the nodes it mentions (topic, venue, modality, access level, introduced datasets, evaluated models,
tasks, languages …) and the edges between them. Every node and edge carries the rule that produced
it, so ``kg explain`` can say why it is there. Names resolve through :mod:`kg.link.resolve` (one
node per real thing); concepts through the vocabularies in ``data/vocab`` (:mod:`kg.link.vocab`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from kg.link.resolve import resolve
from kg.link.vocab import vocabulary
from kg.map.iri import digest, mint
from kg.namespaces import KGO, base
from kg.parse import Entry
from kg.parse.text import has_cjk, normalize

if TYPE_CHECKING:
    from kg.link.catalog import CatalogNames

# class → family (the IRI path segment)
FAMILY_OF = {
    "Paper": "paper", "Work": "paper", "Dataset": "dataset", "Benchmark": "dataset",
    "Model": "model", "Method": "method", "Task": "task", "Topic": "topic", "Venue": "venue",
    "Conference": "venue", "Journal": "venue", "Modality": "modality", "AccessLevel": "access",
}


@dataclass
class Node:
    iri: str
    classes: list[str]  # kgo local names
    label: str
    titles: dict[str, str] = field(default_factory=dict)  # lang → title
    literals: list[tuple[str, object]] = field(default_factory=list)  # (predicate IRI, value)
    describe: bool = True  # False: a vocabulary concept the entry only points at
    rule: str = ""

    @property
    def minted(self) -> bool:  # kept for readers of older code
        return self.describe


@dataclass
class Edge:
    subject: str
    predicate: str  # full IRI
    object: str  # IRI
    rule: str


@dataclass
class Linked:
    entry: Entry
    record: str
    main: Node
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # for kg review

    def add(self, node: Node) -> Node:
        for n in self.nodes:
            if n.iri == node.iri:
                for c in node.classes:
                    if c not in n.classes:
                        n.classes.append(c)
                n.describe = n.describe or node.describe
                for lang, t in node.titles.items():
                    n.titles.setdefault(lang, t)
                return n
        self.nodes.append(node)
        return node

    def link(self, s: str, p: str, o: str, rule: str) -> None:
        if s == o:
            return
        if not any(e.subject == s and e.predicate == p and e.object == o for e in self.edges):
            self.edges.append(Edge(s, p, o, rule))

    def objects(self, s: str, p: str) -> list[str]:
        return [e.object for e in self.edges if e.subject == s and e.predicate == p]


_BENCH = re.compile(r"benchmark|leaderboard|arena|evaluation|基准|评测|测评", re.I)
_MODEL = re.compile(r"\bmodels?\b|模型|weights|checkpoint", re.I)
_METHOD = re.compile(r"\bmethod\b|方法", re.I)


def resource_class(resource_type: str | None) -> str:
    """``Chinese medical QA dataset`` → Dataset, ``LLM benchmark`` → Benchmark, ``Model`` → Model.

    >>> [resource_class(t) for t in ("LLM benchmark", "Chinese medical QA dataset", "Model")]
    ['Benchmark', 'Dataset', 'Model']
    """
    t = resource_type or ""
    if _MODEL.search(t) and not re.search(r"dataset|benchmark|数据集|基准", t, re.I):
        return "Model"
    if _BENCH.search(t):
        return "Benchmark"
    if _METHOD.search(t):
        return "Method"
    return "Dataset"


def title_lang(text: str) -> str:
    return "zh" if has_cjk(text) else "en"


def concept_node(vocab: str, label: str | None, family: str, cls: str, rule: str) -> Node | None:
    """The vocabulary concept labelled ``label``, or a minted concept when the label is unknown."""
    if not label:
        return None
    c = vocabulary(vocab).lookup(label)
    if c is not None:
        return Node(c.iri, [cls], c.label, describe=False, rule=f"{rule}: vocabulary {vocab}")
    return Node(mint(family, label), [cls], label, titles={title_lang(label): label},
                rule=f"{rule}: not in vocabulary {vocab}, minted")


def venue_nodes(venue: str) -> list[Node]:
    """The venue edition (``ICLR 2026``) and, when known, its series (``ICLR``)."""
    m = re.match(r"^(?P<series>.*?)\s*(?P<year>(?:19|20)\d{2})$", venue)
    series_label = m["series"] if m and m["series"] else venue
    series = vocabulary("venues").lookup(series_label)
    kind = "Venue"
    if series is not None:
        kind = next((k for k in ("Conference", "Journal") if KGO + k in series.types), "Venue")
    classes = ["Venue", kind] if kind != "Venue" else ["Venue"]
    if m and m["series"]:
        nodes = [Node(mint("venue", venue), classes, venue, rule="venue field")]
        if series is not None:
            nodes.append(Node(series.iri, [kind], series.label, describe=False,
                              rule="venue series: vocabulary venues"))
        return nodes
    if series is not None:
        return [Node(series.iri, [kind], series.label, describe=False, rule="venue field: vocabulary venues")]
    return [Node(mint("venue", venue), classes, venue, rule="venue field: not in vocabulary, minted")]


def work_node(name: str, cls: str, rule: str) -> Node:
    iri, known = resolve(name, FAMILY_OF[cls])
    return Node(iri, [cls], name, rule=rule + (" (known to the vocabulary)" if known else ""))


def main_node(entry: Entry) -> Node:
    label = entry.name or entry.title
    if entry.kind == "paper":
        if entry.name:
            node = work_node(entry.name, "Paper", "paper entry, named by its title")
        else:
            node = Node(f"{base()}paper/h-{digest(entry.title)}", ["Paper"], label,
                        rule="paper entry without a Latin name: IRI from its title")
    elif entry.kind == "resource":
        node = work_node(label, resource_class(entry.resource_type),
                         f"resource entry, class from resource type {entry.resource_type!r}")
    else:
        node = Node(f"{base()}paper/h-{digest(entry.title)}", ["Work"], label,
                    rule="entry without a kind prefix: a work named by its title")
    node.titles[title_lang(entry.title)] = entry.title
    return node


def link(entry: Entry, catalog_names: CatalogNames | None = None) -> Linked:
    """Resolve one entry. ``catalog_names`` (:class:`kg.link.catalog.CatalogNames`: the datasets
    the whole catalog describes or introduces) lets a paper naming one of them link to it."""
    record = f"{base()}record/{digest(entry.header + chr(10) + entry.raw_description, 16)}"
    main = main_node(entry)
    linked = Linked(entry, record, main)
    linked.add(main)

    if entry.topic:
        topic = concept_node("topics", entry.topic, "topic", "Topic", "topic field")
        assert topic is not None
        linked.add(topic)
        linked.link(main.iri, KGO + "hasTopic", topic.iri, topic.rule)
    if entry.venue:
        nodes = venue_nodes(entry.venue)
        for n in nodes:
            linked.add(n)
        linked.link(main.iri, KGO + "publishedIn", nodes[0].iri, nodes[0].rule)
        if len(nodes) > 1:
            linked.link(nodes[0].iri, KGO + "series", nodes[1].iri, "venue series")
    if entry.access:
        acc = vocabulary("access").lookup(entry.access)
        if acc is not None:
            node = Node(acc.iri, ["AccessLevel"], acc.label, describe=False, rule="access field: vocabulary")
        else:
            node = Node(f"{base()}access/unknown", ["AccessLevel"], "unknown",
                        titles={"en": "unknown", "zh": "未知"}, rule="access field: phrase not in vocabulary")
        linked.add(node)
        linked.link(main.iri, KGO + "accessRights", node.iri, node.rule + f" ({entry.access})")
    if entry.modality:
        for iri, label in modality_concepts(entry.modality):
            linked.add(Node(iri, ["Modality"], label, describe=False, rule="modality field"))
            linked.link(main.iri, KGO + "modality", iri, f"modality field mentions {label!r}")

    from kg.link import extract

    extract.extend(linked, catalog_names)
    return linked


def modality_concepts(text: str) -> list[tuple[str, str]]:
    """(IRI, label) of modality concepts whose labels occur as words in the modality field.

    >>> [label for _, label in modality_concepts("Chest X-ray images")]
    ['x-ray images', 'images']
    """
    return list(_modality_concepts(text))


@lru_cache(maxsize=4096)
def _modality_concepts(text: str) -> tuple[tuple[str, str], ...]:
    # a modality field is one of few phrases repeated across a catalog: remember the answers
    norm = f" {normalize(text)} "
    found: list[tuple[str, str]] = []
    for label, iri, word in _modality_table():
        if any(i == iri for i, _ in found):
            continue
        if (word.search(norm) if word is not None else label in norm):
            found.append((iri, label))
    return tuple(found)


@cache
def _modality_table() -> list[tuple[str, str, re.Pattern[str] | None]]:
    """(label, IRI, word pattern or None for a Chinese label), longest label first."""
    voc = vocabulary("modalities")
    return [
        (label, iri, None if has_cjk(label) else re.compile(rf"(?<![\w-]){re.escape(label)}(?![\w-])"))
        for label, iri in sorted(voc.index.items(), key=lambda kv: -len(kv[0])) if label
    ]

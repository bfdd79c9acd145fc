"""Link: resolve what a parsed entry refers to into graph nodes and edges.

The linker turns an :class:`~kg.parse.Entry` into a :class:`Linked` — the node the entry describes,
the nodes it mentions (topic, venue, modality, access level …) and the edges between them, each
edge tagged with the rule that produced it so that ``kg explain`` can say why it is there.
IRIs come from the vocabularies when a label is known and are minted otherwise
(:mod:`kg.map.iri`); the same name always gives the same node within a class family.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.link.vocab import vocabulary
from kg.map.iri import digest, mint
from kg.namespaces import base
from kg.parse import Entry
from kg.parse.text import has_cjk, normalize

# classes by family (the IRI path segment)
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
    minted: bool = True  # False when the node comes from a vocabulary (its file describes it)


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

    def add(self, node: Node) -> Node:
        for n in self.nodes:
            if n.iri == node.iri:
                for c in node.classes:
                    if c not in n.classes:
                        n.classes.append(c)
                return n
        self.nodes.append(node)
        return node

    def link(self, s: str, p: str, o: str, rule: str) -> None:
        if not any(e.subject == s and e.predicate == p and e.object == o for e in self.edges):
            self.edges.append(Edge(s, p, o, rule))


KGO = "https://w3id.org/medkg/ontology#"
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


def concept_node(vocab: str, label: str | None, family: str, cls: str) -> Node | None:
    """The vocabulary concept labelled ``label``, or a minted node when the label is unknown."""
    if not label:
        return None
    c = vocabulary(vocab).lookup(label)
    if c is not None:
        return Node(c.iri, [cls], c.label, minted=False)
    return Node(mint(family, label), [cls], label, titles={title_lang(label): label})


def venue_nodes(venue: str) -> list[Node]:
    """The venue edition (``ICLR 2026``) and, when known, its series (``ICLR``)."""
    m = re.match(r"^(?P<series>.*?)\s*(?P<year>(?:19|20)\d{2})$", venue)
    series_label = m["series"] if m and m["series"] else venue
    series = vocabulary("venues").lookup(series_label)
    kind = "Venue"
    if series is not None:
        kind = next((k for k in ("Conference", "Journal") if KGO + k in series.types), "Venue")
    if m and m["series"]:
        edition = Node(mint("venue", venue), ["Venue", kind] if kind != "Venue" else ["Venue"], venue)
        nodes = [edition]
        if series is not None:
            nodes.append(Node(series.iri, [kind], series.label, minted=False))
        return nodes
    if series is not None:
        return [Node(series.iri, [kind], series.label, minted=False)]
    return [Node(mint("venue", venue), ["Venue"], venue)]


def link(entry: Entry) -> Linked:
    """Resolve one entry (the Foundation rules; :mod:`kg.link.extract` adds mentions)."""
    b = base()
    record = f"{b}record/{digest(entry.header + chr(10) + entry.raw_description, 16)}"
    label = entry.name or entry.title
    if entry.kind == "paper":
        main = Node(mint("paper", label), ["Paper"], label)
    elif entry.kind == "resource":
        cls = resource_class(entry.resource_type)
        main = Node(mint(FAMILY_OF[cls], label), [cls], label)
    else:
        main = Node(mint("paper", label), ["Work"], label)
    main.titles[title_lang(entry.title)] = entry.title
    linked = Linked(entry, record, main)
    linked.add(main)

    if entry.topic:
        topic = concept_node("topics", entry.topic, "topic", "Topic")
        assert topic is not None
        linked.add(topic)
        linked.link(main.iri, KGO + "hasTopic", topic.iri, "topic field")
    if entry.venue:
        nodes = venue_nodes(entry.venue)
        for n in nodes:
            linked.add(n)
        linked.link(main.iri, KGO + "publishedIn", nodes[0].iri, "venue field")
        if len(nodes) > 1:
            linked.link(nodes[0].iri, KGO + "series", nodes[1].iri, "venue series")
    if entry.access:
        acc = vocabulary("access").lookup(entry.access)
        iri = acc.iri if acc else f"{b}access/unknown"
        linked.add(Node(iri, ["AccessLevel"], acc.label if acc else "unknown",
                        titles={} if acc else {"en": "unknown", "zh": "未知"}, minted=acc is None))
        linked.link(main.iri, KGO + "accessRights", iri, "access field")
    if entry.modality:
        for c in modality_concepts(entry.modality):
            linked.add(Node(c, ["Modality"], c.rsplit("/", 1)[-1], minted=False))
            linked.link(main.iri, KGO + "modality", c, "modality field")
    try:
        from kg.link import extract
    except ImportError:  # the extraction rules are optional for the Foundation pipeline
        return linked
    extract.extend(linked)
    return linked


def modality_concepts(text: str) -> list[str]:
    """Modality concepts whose labels occur as words in the modality field."""
    voc = vocabulary("modalities")
    norm = f" {normalize(text)} "
    found: list[str] = []
    for label, iri in sorted(voc.index.items(), key=lambda kv: -len(kv[0])):
        if not label:
            continue
        hit = label in norm if has_cjk(label) else re.search(rf"(?<![\w-]){re.escape(label)}(?![\w-])", norm)
        if hit and iri not in found:
            found.append(iri)
    return found

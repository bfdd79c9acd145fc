"""Evidence the parser weighs: known vocabularies and what the whole catalog says.

A header's fields are glued together without separators, so the parser chooses between candidate
splits. It prefers splits whose pieces are known: topics from ``data/vocab/topics.ttl`` or topics
that recur across the catalog, words seen standalone elsewhere in the catalog (``MedGemma`` in a
description tells that ``ModelMedGemma`` is ``Model`` + ``MedGemma``), and field values that other
entries have without ambiguity.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from kg.parse import lexicon
from kg.parse.text import latin_words, normalize

SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_LABELS = {SKOS + "prefLabel", SKOS + "altLabel", SKOS + "hiddenLabel", RDFS_LABEL}
MAX_TOPIC_TOKENS = 6


@cache
def vocab_labels(name: str) -> frozenset[str]:
    """All labels (pref/alt/hidden, rdfs:label) of ``data/vocab/<name>.ttl``; empty if absent."""
    from kg.resources import resource_dir

    try:
        path = resource_dir("data/vocab") / f"{name}.ttl"
    except FileNotFoundError:
        return frozenset()
    if not path.is_file():
        return frozenset()
    import pyoxigraph

    labels = set()
    with Path(path).open("rb") as fh:
        for t in pyoxigraph.parse(fh, format=pyoxigraph.RdfFormat.TURTLE):
            if t.predicate.value in _LABELS and isinstance(t.object, pyoxigraph.Literal):
                labels.add(t.object.value)
    return frozenset(labels)


def topic_tokens(rest: str) -> list[str]:
    return rest.split()


@dataclass
class Evidence:
    """What is known before parsing one header. Build with :meth:`default`, then :meth:`observe`
    every record of the catalog being parsed (a first pass), then parse."""

    topics: set[str] = field(default_factory=set)
    topic_prefixes: Counter[str] = field(default_factory=Counter)
    words: set[str] = field(default_factory=set)
    words_lower: set[str] = field(default_factory=set)
    access_phrases: list[str] = field(default_factory=lambda: list(lexicon.ACCESS_PHRASES))
    modalities: set[str] = field(default_factory=set)
    fields: dict[str, Counter[str]] = field(
        default_factory=lambda: {"modality": Counter(), "resource_type": Counter(), "scale": Counter()}
    )
    # scores the parser derives from a text and the words alone, keyed with the word sets' sizes
    # (they only grow): the glued middles of resource headers recur across a catalog
    memo: dict[object, object] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def default(cls) -> Evidence:
        ev = cls()
        ev.topics = {normalize(t) for t in vocab_labels("topics")}
        for name in ("models", "benchmarks", "tasks"):
            ev.add_words(vocab_labels(name))
        ev.modalities = {normalize(m) for m in vocab_labels("modalities")}
        ev.add_words(vocab_labels("modalities"))
        extra = [a for a in vocab_labels("access") if a not in ev.access_phrases]
        ev.access_phrases = sorted(ev.access_phrases + extra, key=len, reverse=True)
        ev.add_words(lexicon.MODALITY_HEADS | lexicon.TYPE_HEADS)
        return ev

    def add_words(self, texts: Iterable[str]) -> None:
        for text in texts:
            for w in latin_words(text):
                self.words.add(w)
                self.words_lower.add(w.lower())
                stem = w.rstrip("0123456789.")
                if len(stem) >= 4 and stem != w:  # "cMedQA2" vouches for "cMedQA"
                    self.words.add(stem)
                    self.words_lower.add(stem.lower())

    def knows(self, word: str) -> bool:
        return word in self.words or word.lower() in self.words_lower or word.replace(",", "").replace(
            ".", ""
        ).isdigit()

    def observe(self, header: str, description: str | None) -> list[str]:
        """First pass over the catalog: learn words and recurring topic prefixes. Returns the topic
        prefixes counted, so that an identical entry can be counted again with :meth:`recount`."""
        counted: list[str] = []
        if description:
            self.add_words([description])
        h = header.lstrip("\ufeff ")
        if h.startswith(lexicon.PAPER_PREFIX):
            from kg.parse.header import split_paper_prefix

            parts = split_paper_prefix(h)
            if parts is not None:
                toks = topic_tokens(parts[2])
                for k in range(1, min(len(toks), MAX_TOPIC_TOKENS + 1)):
                    if len(toks[k - 1]) > 16 or ":" in toks[k - 1] or "：" in toks[k - 1]:
                        break
                    key = normalize(" ".join(toks[:k]))
                    self.topic_prefixes[key] += 1
                    counted.append(key)
                self.add_words([parts[2]])
        elif h.startswith(lexicon.RESOURCE_PREFIX):
            # the name field (after the access phrase) names things: learn its words
            from kg.parse.header import find_access

            found = find_access(h, self.access_phrases)
            if found is not None:
                self.add_words([h[found[1]:]])
        else:
            self.add_words([h])
        return counted

    def to_json(self) -> dict[str, object]:
        """The evidence as JSON-ready data (sets sorted), for :meth:`from_json`: what the whole
        catalog taught the parser, kept so that it need not be learned again (``kg explain``).

        >>> import json
        >>> ev = Evidence.default()
        >>> ev.observe("论文ICLR 2026 Poster2026 年医学 AI Foo", "We present FooQA.")
        ['医学', '医学 ai']
        >>> Evidence.from_json(json.loads(json.dumps(ev.to_json()))) == ev
        True
        """
        return {
            "topics": sorted(self.topics), "topic_prefixes": dict(self.topic_prefixes),
            "words": sorted(self.words), "words_lower": sorted(self.words_lower),
            "access_phrases": list(self.access_phrases), "modalities": sorted(self.modalities),
            "fields": {slot: dict(counts) for slot, counts in self.fields.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Evidence:
        """The evidence :meth:`to_json` gave (a ``KeyError`` or ``TypeError`` when ``data`` is not that)."""
        return cls(
            topics=set(data["topics"]), topic_prefixes=Counter(data["topic_prefixes"]),
            words=set(data["words"]), words_lower=set(data["words_lower"]),
            access_phrases=list(data["access_phrases"]), modalities=set(data["modalities"]),
            fields={slot: Counter(counts) for slot, counts in data["fields"].items()},
        )

    def recount(self, counted: list[str]) -> None:
        """Observe again an entry identical to one already observed (words are a set: only the
        recurring topic prefixes count it again)."""
        for key in counted:
            self.topic_prefixes[key] += 1

"""Resolution: one node per real thing.

Names are compared by :func:`name_key` — Unicode-normalised (NFKC: full-width colons and letters
fold), case-folded, with spaces, hyphens, underscores, dots and colons removed — so ``Neural-MedBench``,
``neural medbench`` and ``NEURAL_MEDBENCH`` are one key. A key resolves within a class *family*
(datasets and benchmarks are one family; models, methods and papers are others), never across
families: a method and a dataset that share a name stay two nodes. Known things (the model and
benchmark vocabularies) keep their vocabulary IRI; everything else gets an IRI minted from the key,
so the IRI does not depend on which spelling was seen first.

>>> name_key("Neural-MedBench") == name_key("neural medbench") == name_key("NEURAL_MEDBENCH")
True
>>> name_key("LLaMA 3") == name_key("Llama-3")
True
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from kg.map.iri import digest
from kg.namespaces import base

_SEPARATORS = re.compile(r"[\s\-_.:·'’/]+")

# vocabulary that knows the things of each family
FAMILY_VOCAB = {"model": "models", "dataset": "benchmarks"}


def name_key(name: str) -> str:
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", name).casefold())


def key_slug(key: str) -> str:
    """A safe IRI slug for a name key (ASCII letters and digits), else a hash."""
    if key and re.fullmatch(r"[a-z0-9]+", key) and re.search(r"[a-z]", key) and len(key) <= 80:
        return key
    return "h-" + digest(key)


@cache
def family_index(family: str) -> dict[str, str]:
    """name key → vocabulary IRI, for every label of every concept of the family's vocabulary."""
    from kg.link.vocab import vocabulary

    vocab = FAMILY_VOCAB.get(family)
    if vocab is None:
        return {}
    voc = vocabulary(vocab)
    index: dict[str, str] = {}
    for label, iri in voc.index.items():
        index.setdefault(name_key(label), iri)
    # prefLabels win over altLabels when two concepts share a key
    for iri, concept in voc.concepts.items():
        for label in concept.pref.values():
            index[name_key(label)] = iri
    return index


def resolve(name: str, family: str) -> tuple[str, bool]:
    """(IRI, known) of the thing called ``name`` in ``family``; ``known`` when a vocabulary has it."""
    key = name_key(name)
    hit = family_index(family).get(key)
    if hit is not None:
        return hit, True
    return f"{base()}{family}/{key_slug(key)}", False

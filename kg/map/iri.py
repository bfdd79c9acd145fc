"""Minting IRIs: deterministic, from safe slugs only.

The same thing gives the same IRI in every run and whatever the order of the catalog: IRIs depend
only on the normalised name (or, when a work has no name, on a hash of its normalised title).

>>> slug("MedGemma / MedSigLIP")
'medgemma-medsiglip'
>>> slug("Med-PaLM 2")
'med-palm-2'
>>> slug("中文医学基准")  # no Latin letters: a stable hash
'h-2cad314694'
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from kg.namespaces import FAMILIES, base
from kg.parse.text import normalize

_SAFE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def digest(text: str, n: int = 10) -> str:
    return hashlib.sha1(normalize(text).encode("utf-8")).hexdigest()[:n]


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    ascii_text = ascii_text.encode("ascii", "ignore").decode().lower()
    s = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if not s or not re.search(r"[a-z]", s) or len(s) > 80 or not _SAFE.match(s):
        return "h-" + digest(text)
    if any(not c.isascii() and c.isalnum() for c in unicodedata.normalize("NFKC", text)):
        return "h-" + digest(text)  # folding dropped letters (CJK …): the rest would mislead
    return s


def mint(family: str, key: str, base_iri: str | None = None) -> str:
    """IRI of a thing of ``family`` whose identity is ``key`` (its name or title)."""
    if family not in FAMILIES:
        raise ValueError(f"unknown IRI family {family!r}")
    s = key if _SAFE.match(key) else slug(key)
    return f"{base_iri or base()}{family}/{s}"


def graph_iri(source_path: str, base_iri: str | None = None) -> str:
    """The named graph holding everything one catalog file says (keyed by its file name)."""
    name = source_path.replace("\\", "/").rsplit("/", 1)[-1]
    return f"{base_iri or base()}graph/catalog/{slug(name)}"

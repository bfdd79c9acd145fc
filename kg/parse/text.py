"""Character classes and normalisation shared by the parser and the linker."""

from __future__ import annotations

import re
import unicodedata

_CJK = re.compile("[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0002ffff]")


def is_cjk(ch: str) -> bool:
    """CJK ideographs, CJK punctuation and full-width forms.

    >>> is_cjk("医"), is_cjk("："), is_cjk("A")
    (True, True, False)
    """
    return _CJK.match(ch) is not None


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


def normalize(text: str) -> str:
    """Compare-form of a label: NFKC (full-width colon → ':'), case-folded, spaces collapsed.

    >>> normalize("  Trustworthy   Medical AI ")
    'trustworthy medical ai'
    >>> normalize("临床　LLM")
    '临床 llm'
    """
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


WORD = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.\-+']*[A-Za-z0-9+])?")


def latin_words(text: str) -> list[str]:
    """Latin words of a text, keeping inner capitals and hyphens (``cMedQA2``, ``X-ray``).

    >>> latin_words("MedGemma 1.5 and Med-PaLM 2 (X-ray).")
    ['MedGemma', '1.5', 'and', 'Med-PaLM', '2', 'X-ray']
    """
    return WORD.findall(text)

"""Character classes and normalisation shared by the parser and the linker."""

from __future__ import annotations

import re
import unicodedata


def is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (
        0x3400 <= o <= 0x9FFF
        or 0xF900 <= o <= 0xFAFF
        or 0x20000 <= o <= 0x2FFFF
        or 0x3000 <= o <= 0x303F
        or 0xFF00 <= o <= 0xFFEF
    )


def has_cjk(text: str) -> bool:
    return any(is_cjk(c) for c in text)


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

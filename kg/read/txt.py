"""The catalog's text format: an entry is a header line followed by a description line.

Accepts UTF-8 with or without BOM, LF or CRLF line ends and blank lines between entries. Reports,
and does not stop at: undecodable bytes, NUL bytes, a header without a description, a description
without a header, an empty file.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "c.txt"
>>> _ = p.write_bytes("\\ufeff迈向通用生物医学 AI\\r\\nA generalist biomedical AI system.\\r\\n".encode())
>>> list(read(p, "c.txt"))
[Record(path='c.txt', line=1, header='迈向通用生物医学 AI', description='A generalist biomedical AI system.')]
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from kg.read import Problem, Record, SourceError

TYPED_PREFIXES = ("论文", "数据资源")
MAX_LINE = 100_000  # characters; longer lines are reported, not parsed

_STATEMENT_END = re.compile(r"[.!。！]\s*$")
_QUESTION_END = re.compile(r"[?？]\s*$")
_SENTENCE_BREAK = re.compile(r"[.!?。！？]\s+[A-Z]")


def _looks_like_description(text: str) -> bool:
    """Descriptions are English prose; bare titles are short and do not end a statement. A title
    may ask a question; a description that ends in one has sentences before it.

    >>> _looks_like_description("Can large language models reason about medical questions?")
    False
    >>> _looks_like_description("We ask a question. Can large language models reason about it?")
    True
    """
    if len(text) > 160:
        return True
    if len(text.split()) < 8:
        return False
    if _STATEMENT_END.search(text):
        return True
    return bool(_QUESTION_END.search(text)) and _SENTENCE_BREAK.search(text) is not None


def is_typed_header(text: str) -> bool:
    return text.lstrip("\ufeff \t").startswith(TYPED_PREFIXES)


def _decode_lines(data: bytes) -> Iterator[tuple[int, str | None, str]]:
    """(line number, text or None when unreadable, reason)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            yield number, None, f"invalid UTF-8 byte 0x{raw[err.start]:02x} at column {err.start + 1}"
            continue
        if "\x00" in text:
            yield number, None, f"NUL byte at column {text.index(chr(0)) + 1}"
        elif len(text) > MAX_LINE:
            yield number, None, f"line longer than {MAX_LINE} characters ({len(text)})"
        else:
            yield number, text.strip().lstrip("\ufeff"), ""


def _shown(raw: bytes | str) -> str:
    return raw if isinstance(raw, str) else raw.decode("utf-8", "replace")


def read(path: Path, display: str) -> Iterator[Record | Problem]:
    try:
        data = path.read_bytes()
    except OSError as err:
        raise SourceError(f"{display}: cannot read: {err.strerror or err}") from err
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        yield Problem(display, 1, "empty file: no catalog entries")
        return
    raw_lines = data.split(b"\n")
    lines = [(n, t, why) for n, t, why in _decode_lines(data) if t != ""]

    def raw_of(n: int) -> str:
        return _shown(raw_lines[n - 1].rstrip(b"\r"))[:2000]

    i = 0
    while i < len(lines):
        number, text, why = lines[i]
        if text is None:
            # An unreadable line takes its entry with it: if it is a header, the next line is its
            # description; if it is a description, the header before it was already reported.
            nxt = lines[i + 1] if i + 1 < len(lines) else None
            takes_next = nxt is not None and nxt[1] is not None and not is_typed_header(nxt[1])
            takes_next = takes_next and _looks_like_description(nxt[1] or "")
            raw = raw_of(number) + ("\n" + raw_of(nxt[0]) if takes_next and nxt else "")
            yield Problem(display, number, why, raw)
            i += 2 if takes_next else 1
            continue
        if not is_typed_header(text) and _looks_like_description(text):
            yield Problem(display, number, "description line without a header line", raw_of(number))
            i += 1
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if nxt is None or (nxt[1] is not None and is_typed_header(nxt[1])):
            yield Problem(display, number, "header line has no description line", raw_of(number))
            i += 1
            continue
        if nxt[1] is None:
            reason = f"description line {nxt[0]} unreadable: {nxt[2]}"
            yield Problem(display, number, reason, raw_of(number) + "\n" + raw_of(nxt[0]))
            i += 2
            continue
        header_like = is_typed_header(text) or not _looks_like_description(text)
        if not _looks_like_description(nxt[1]) and header_like and (
            i + 2 < len(lines) and lines[i + 2][1] is not None
            and not is_typed_header(lines[i + 2][1] or "")
            and _looks_like_description(lines[i + 2][1] or "")
        ):
            # two short lines then a description: the first is a header that lost its description
            # (a typed header counts as short even when it reads like a sentence, e.g. ends in "?")
            yield Problem(display, number, "header line has no description line", raw_of(number))
            i += 1
            continue
        yield Record(display, number, text, nxt[1])
        i += 2

"""A SELECT's final ``ORDER BY``, done in Python for the embedded store.

Oxigraph's ORDER BY reads both terms' strings from the store at every comparison: at 100k entries
it was half of ``papers-by-topic`` (500 ms, 5,257 rows) and a third of ``search`` (bench/RESULTS.md).
The rows come out into Python anyway, each term decoded once, and sorting them here takes a few
milliseconds. So :func:`lift` takes a trailing ``ORDER BY`` off the query and :func:`sort_rows`
applies it to the rows.

Only the simple, common case is lifted: a final ``ORDER BY`` of projected variables, each plain,
``ASC(…)`` or ``DESC(…)``, followed by nothing or by ``LIMIT``/``OFFSET`` (then only the rows
kept are held in memory, in a bounded heap: :func:`top_rows`).

The order is SPARQL's (§15.1): unbound, blank nodes, IRIs (by their text), literals; literals
that SPARQL compares are compared as it does (strings by code point, numbers by value across
their datatypes, booleans, years). Where SPARQL leaves two values unordered (a plain and a
language-tagged string, two languages, a string and a number) Oxigraph's comparator calls them
equal and its unstable sort leaves them where they fall; here strings are ordered by their text
whatever their language tag, which SPARQL allows and a reader expects. Values whose order
needs more than this (dates and times, ``NaN``) make :func:`sort_rows` return ``None``, and the
caller runs the query with its ``ORDER BY`` after all. Ties come out in evaluation order.

>>> q = "SELECT ?a (COUNT(?x) AS ?n) WHERE { ?a ?p ?x } GROUP BY ?a ORDER BY DESC(?n) ?a"
>>> lifted = lift(q)
>>> lifted.text.rstrip(), lifted.keys
('SELECT ?a (COUNT(?x) AS ?n) WHERE { ?a ?p ?x } GROUP BY ?a', (('n', True), ('a', False)))
>>> lift(q + " LIMIT 3 OFFSET 1")[2:], lift("SELECT ?a WHERE { ?a ?p ?b } ORDER BY ?b") is None
((1, 3), True)
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, NamedTuple

import pyoxigraph as ox

from kg.namespaces import XSD
from kg.query.params import code_only

_NUMERIC = {XSD + t for t in (
    "integer", "decimal", "float", "double", "long", "int", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt",
    "unsignedShort", "unsignedByte")}
_STRING = XSD + "string"
_YEAR = re.compile(r"^-?\d{4,}$")
_CONDITION = r"(?:(?:ASC|DESC)\s*\(\s*[?$]\w+\s*\)|[?$]\w+)"
_SLICE = r"(?:\s+(LIMIT|OFFSET)\s+(\d+))?"
_TRAILING_ORDER = re.compile(rf"\bORDER\s+BY((?:\s*{_CONDITION})+){_SLICE}{_SLICE}\s*$", re.IGNORECASE)
_KEY = re.compile(r"(ASC|DESC)?\s*\(?\s*[?$](\w+)", re.IGNORECASE)


class Lifted(NamedTuple):
    text: str  # the query without its final ORDER BY, LIMIT and OFFSET
    keys: tuple[tuple[str, bool], ...]  # (variable, descending)
    offset: int
    limit: int | None


@lru_cache(maxsize=256)
def lift(text: str) -> Lifted | None:
    """The query without its final ORDER BY (and LIMIT/OFFSET), and what they said; ``None`` when
    the query does not end in a simple ``ORDER BY`` of variables it projects."""
    code = code_only(text)
    m = _TRAILING_ORDER.search(code)
    if m is None:
        return None
    slices = {m.group(i).upper(): int(m.group(i + 1)) for i in (2, 4) if m.group(i)}
    if m.group(2) and m.group(4) and m.group(2).upper() == m.group(4).upper():
        return None  # "LIMIT 1 LIMIT 2": a syntax error, left to the engine
    keys = tuple((k.group(2), (k.group(1) or "").upper() == "DESC") for k in _KEY.finditer(m.group(1)))
    projected = _projection(code[:m.start()])
    if projected is None or not all(name in projected or "*" in projected for name, _ in keys):
        return None
    return Lifted(text[:m.start()], keys, slices.get("OFFSET", 0), slices.get("LIMIT"))


def _projection(code: str) -> set[str] | None:
    """Names the outer SELECT projects (``{"*"}`` for ``SELECT *``), or ``None`` for another form."""
    m = re.search(r"\bSELECT\b", code, re.IGNORECASE)
    if m is None or re.search(r"\b(CONSTRUCT|DESCRIBE|ASK)\b", code[:m.start()], re.IGNORECASE):
        return None
    names: set[str] = set()
    depth = 0
    for tok in re.finditer(r"[(){]|\bWHERE\b|\bFROM\b|\bAS\s+[?$](\w+)|[?$](\w+)|\*", code[m.end():], re.IGNORECASE):
        t = tok.group()
        if t == "(":
            depth += 1
        elif t == ")":
            depth -= 1
        elif depth == 0 and (t == "{" or t.upper() in ("WHERE", "FROM")):
            return names
        elif tok.group(1) and depth == 1:
            names.add(tok.group(1))
        elif tok.group(2) and depth == 0:
            names.add(tok.group(2))
        elif t == "*" and depth == 0:
            names.add("*")
    return None


def sort_key(term: Any) -> tuple | None:
    """A key whose order extends SPARQL's order of terms, or ``None`` when this module does not
    know that order (a date, a time, a duration, ``NaN``).

    >>> keys = [sort_key(t) for t in (None, ox.BlankNode("b"), ox.NamedNode("http://e/z"),
    ...     ox.Literal("b", language="en"), ox.Literal("a"), ox.Literal("10", datatype=ox.NamedNode(XSD + "integer")),
    ...     ox.Literal("9.5", datatype=ox.NamedNode(XSD + "double")))]
    >>> [keys.index(k) for k in sorted(keys)]
    [0, 1, 2, 4, 3, 6, 5]
    >>> sort_key(ox.Literal("2026-01-01", datatype=ox.NamedNode(XSD + "date"))) is None
    True
    """
    if term is None:
        return (0,)
    if isinstance(term, ox.BlankNode):
        return (1, term.value)
    if isinstance(term, ox.NamedNode):
        return (2, term.value)
    if not isinstance(term, ox.Literal):
        return None  # an RDF-star triple
    if term.language:
        return (3, 0, term.value, term.language)
    dt = term.datatype.value
    if dt == _STRING:
        return (3, 0, term.value, "")
    if dt in _NUMERIC:
        try:
            number = Decimal(term.value.strip())
        except InvalidOperation:
            return (3, 9, dt, term.value)  # an ill-typed number: not comparable, like any other
        return None if number.is_nan() else (3, 1, number)
    if dt == XSD + "boolean" and term.value in ("true", "false", "1", "0"):
        return (3, 2, term.value in ("true", "1"))
    if dt == XSD + "gYear":
        return (3, 3, int(term.value)) if _YEAR.match(term.value) else None
    if dt.startswith(XSD) and re.search(r"date|time|duration|gYear|gMonth|gDay", dt, re.IGNORECASE):
        return None
    return (3, 9, dt, term.value)  # SPARQL does not order other datatypes: by type, then text


def sort_rows(rows: Sequence[Any], keys: Sequence[tuple[str, bool]]) -> list[Any] | None:
    """``rows`` (pyoxigraph solutions) in the order of ``keys`` (see :func:`sort_key`), or
    ``None`` when some value's order is not known here.

    >>> a, b = ox.Literal("a"), ox.Literal("b", language="en")
    >>> rows = [{"x": b, "n": ox.Literal("2", datatype=ox.NamedNode(XSD + "integer"))},
    ...         {"x": a, "n": ox.Literal("10", datatype=ox.NamedNode(XSD + "integer"))}, {"x": None, "n": None}]
    >>> [r["x"].value if r["x"] else None for r in sort_rows(rows, [("n", True)])]
    ['a', 'b', None]
    >>> [r["x"].value if r["x"] else None for r in sort_rows(rows, [("x", False)])]
    [None, 'a', 'b']
    """
    columns = {}
    for name, _ in keys:
        cells = [sort_key(row[name]) for row in rows]
        if None in cells:
            return None
        columns[name] = cells
    order = list(range(len(rows)))
    for name, descending in reversed(keys):  # stable sorts, last key first
        order.sort(key=columns[name].__getitem__, reverse=descending)
    return [rows[i] for i in order]


class _Unordered(Exception):
    """A value whose order this module does not know (see :func:`sort_key`)."""


class _Desc:
    """A key component in reverse order (for ``DESC`` inside one composite heap key)."""

    __slots__ = ("key",)

    def __init__(self, key: tuple) -> None:
        self.key = key

    def __lt__(self, other: _Desc) -> bool:
        return other.key < self.key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Desc) and other.key == self.key

    __hash__ = None  # type: ignore[assignment]


def top_rows(rows: Iterable[Any], keys: Sequence[tuple[str, bool]], offset: int, limit: int) -> list[Any] | None:
    """Rows ``offset`` to ``offset + limit`` of ``rows`` in the order of ``keys``, holding only
    that many at a time (ties: in the order they come), or ``None`` as :func:`sort_rows`. (With
    no limit, :func:`sort_rows` sorts column by column, which is faster.)

    >>> rows = [{"n": ox.Literal(str(i), datatype=ox.NamedNode(XSD + "integer"))} for i in (5, 1, 4, 2, 3)]
    >>> [r["n"].value for r in top_rows(rows, (("n", True),), 1, 2)]
    ['4', '3']
    """
    def key(item: tuple[int, Any]) -> tuple:
        parts: list[object] = []
        for name, descending in keys:
            k = sort_key(item[1][name])
            if k is None:
                raise _Unordered
            parts.append(_Desc(k) if descending else k)
        parts.append(item[0])  # ties in arrival order
        return tuple(parts)

    try:
        kept = heapq.nsmallest(offset + limit, enumerate(rows), key=key)[offset:]
    except _Unordered:
        return None
    return [row for _, row in kept]


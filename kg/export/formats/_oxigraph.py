"""Shared writer for the syntaxes pyoxigraph serializes itself (it streams: each statement is
written as it arrives). A format module is then only its metadata and ``write = writer(...)``.

>>> import io, pyoxigraph as ox
>>> s, p = ox.NamedNode("https://w3id.org/medkg/id/paper/x"), ox.NamedNode("http://schema.org/name")
>>> buf = io.BytesIO()
>>> writer(ox.RdfFormat.TURTLE)([ox.Triple(s, p, ox.Literal("X"))], buf,
...                             prefixes={"paper": "https://w3id.org/medkg/id/paper/"})
>>> buf.getvalue().decode().splitlines()[-1]
'paper:x <http://schema.org/name> "X" .'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import IO

import pyoxigraph as ox

Writer = Callable[..., None]


def write(
    statements: Iterable[ox.Triple] | Iterable[ox.Quad], out: IO[bytes], fmt: ox.RdfFormat,
    prefixes: dict[str, str] | None = None,
) -> None:
    kwargs = {"prefixes": prefixes} if prefixes else {}
    ox.serialize(statements, out, fmt, **kwargs)


def writer(fmt: ox.RdfFormat, *, uses_prefixes: bool = True) -> Writer:
    """A format module's ``write(statements, out, *, prefixes=None)`` for ``fmt``."""

    def write_format(statements: Iterable, out: IO[bytes], *, prefixes: dict[str, str] | None = None) -> None:
        """Serialize the statements to ``out`` as they arrive."""
        write(statements, out, fmt, prefixes if uses_prefixes else None)

    return write_format

"""Shared writer for the syntaxes pyoxigraph serializes itself (it streams: each statement is
written as it arrives)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

import pyoxigraph as ox


def write(
    statements: Iterable[ox.Triple] | Iterable[ox.Quad], out: IO[bytes], fmt: ox.RdfFormat,
    prefixes: dict[str, str] | None = None,
) -> None:
    kwargs = {"prefixes": prefixes} if prefixes else {}
    ox.serialize(statements, out, fmt, **kwargs)

"""N-Triples (one triple per line).

>>> import io, pyoxigraph as ox
>>> s, p = ox.NamedNode("https://w3id.org/medkg/id/paper/x"), ox.NamedNode("http://schema.org/name")
>>> st = ox.Quad(s, p, ox.Literal("X")) if DATASET else ox.Triple(s, p, ox.Literal("X"))
>>> buf = io.BytesIO(); write([st], buf, prefixes={"paper": "https://w3id.org/medkg/id/paper/"})
>>> b'"X"' in buf.getvalue()
True
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

import pyoxigraph as ox

from kg.export.formats import _oxigraph

EXTENSION = "nt"
MEDIA_TYPE = "application/n-triples"
DATASET = False


def write(statements: Iterable, out: IO[bytes], *, prefixes: dict[str, str] | None = None) -> None:
    """Serialize the statements to ``out`` as they arrive."""
    _oxigraph.write(statements, out, ox.RdfFormat.N_TRIPLES, None)

"""JSON-LD, compacted with the project's ``@context`` (see :mod:`kg.export.jsonld`); named graphs
are kept with ``--graph all``.

>>> import io, json, pyoxigraph as ox
>>> s, p = ox.NamedNode("https://w3id.org/medkg/id/paper/x"), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
>>> buf = io.BytesIO(); write([ox.Quad(s, p, ox.Literal("X"))], buf)
>>> json.loads(buf.getvalue())["@graph"][0]["name"]
'X'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from kg.export import jsonld

EXTENSION = "jsonld"
MEDIA_TYPE = "application/ld+json"
DATASET = True


def write(statements: Iterable, out: IO[bytes], *, prefixes: dict[str, str] | None = None) -> None:
    """Stream the statements as compacted JSON-LD (``prefixes`` unused: the context has them)."""
    jsonld.write(statements, out)

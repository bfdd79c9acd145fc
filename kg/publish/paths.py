"""Where each IRI's files go in the static site, and relative links between them.

Every IRI under the resource base maps to ``<family>/<slug>`` (``paper/knowguard``) with the
page, Turtle and JSON-LD beside each other: ``paper/knowguard.html``, ``.ttl``, ``.jsonld``.
Links are always relative, so the site works from ``file://`` and under any URL prefix.

>>> p = SitePaths("https://w3id.org/medkg/id/")
>>> p.stem("https://w3id.org/medkg/id/paper/knowguard")
'paper/knowguard'
>>> p.stem("https://w3id.org/medkg/id/graph/catalog/000-abc-txt")
'graph/catalog/000-abc-txt'
>>> p.stem("https://example.org/x") is None
True
>>> p.stem("https://w3id.org/medkg/id/paper/a%20b").startswith("_/")
True
>>> rel("paper/knowguard.html", "topic/x.html")
'../topic/x.html'
>>> rel("index.html", "paper/knowguard.html")
'paper/knowguard.html'
"""

from __future__ import annotations

import hashlib
import posixpath
import re

SAFE_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
# top-level names the site itself uses; an IRI that would land there is given a hashed name
RESERVED = {"index", "class", "assets", "dumps", "map", "_", "ontology", "void", "sitemap"}


def rel(from_file: str, to_file: str) -> str:
    """Relative link from one site file to another (both site-root-relative, POSIX)."""
    start = posixpath.dirname(from_file) or "."
    return posixpath.relpath(to_file, start)


def root_prefix(from_file: str) -> str:
    """``../`` as many times as needed to reach the site root from ``from_file``."""
    depth = from_file.count("/")
    return "../" * depth


class SitePaths:
    def __init__(self, base_iri: str) -> None:
        self.base = base_iri

    def stem(self, iri: str) -> str | None:
        """Site path without extension, or None for an IRI outside the base."""
        if not iri.startswith(self.base):
            return None
        local = iri[len(self.base):].split("#", 1)[0]
        segs = local.split("/")
        if (
            not local or not all(SAFE_SEGMENT.fullmatch(s) for s in segs)
            or segs[0] in RESERVED or segs[-1] == "index"
        ):
            return "_/" + hashlib.sha256(iri.encode("utf-8")).hexdigest()[:20]
        return local

    def page(self, iri: str) -> str | None:
        s = self.stem(iri)
        return f"{s}.html" if s else None

    def family(self, iri: str) -> str | None:
        s = self.stem(iri)
        return s.split("/", 1)[0] if s and "/" in s else None

"""The named query library: ``queries/*.rq`` files with a comment header that says what they do.

A header is the run of ``#`` comment lines at the top of the file, ``key: value`` each::

    # title: Papers by topic
    # description: Papers on a topic with venue, year and track (all papers without a topic).
    # param: topic iri(kgo:Topic) optional -- the topic: an IRI, a prefixed name or its label
    # param: year year = 2026 -- publication year
    # example: kg query papers-by-topic --param topic="trustworthy medical AI"

``param: NAME TYPE [= DEFAULT | optional] [-- DOC]`` declares the SPARQL variable ``?NAME``;
a parameter with neither a default nor ``optional`` is required. TYPE is one of
:data:`kg.query.params.TYPES`, ``iri`` optionally restricted to a class (``iri(kgo:Topic)``) so
that a label can stand for the IRI. An optional parameter left out stays unbound.

>>> q = parse_query("x", "# title: T\\n# param: n integer = 3 -- how many\\nSELECT ?n WHERE {}")
>>> q.title, q.params[0].name, q.params[0].type, q.params[0].default, q.params[0].required
('T', 'n', 'integer', '3', False)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

HEADER_KEYS = ("title", "description", "param", "example", "tags")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>[A-Za-z]+)(?:\((?P<cls>[^)\s]+)\))?"
    r"(?:\s+(?P<optional>optional)|\s*=\s*(?P<default>.*?))?\s*(?:--\s*(?P<doc>.*))?$"
)
_FORM = re.compile(r"\b(SELECT|CONSTRUCT|DESCRIBE|ASK)\b", re.IGNORECASE)


class LibraryError(ValueError):
    """A malformed query file header, or an unknown query name."""


@dataclass(frozen=True)
class Param:
    """One declared parameter: binds the SPARQL variable ``?name``."""

    name: str
    type: str
    cls: str | None = None
    default: str | None = None
    required: bool = True
    doc: str = ""

    def signature(self) -> str:
        """``topic:iri(kgo:Topic)=…`` for listings.

        >>> Param("year", "year", default="2026", required=False).signature()
        'year:year=2026'
        """
        t = f"{self.type}({self.cls})" if self.cls else self.type
        if self.default is not None:
            return f"{self.name}:{t}={self.default}"
        return f"{self.name}:{t}" + ("" if self.required else "?")


@dataclass
class NamedQuery:
    name: str
    title: str
    text: str
    description: str = ""
    params: list[Param] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    path: Path | None = None

    @property
    def form(self) -> str:
        """SELECT, CONSTRUCT, DESCRIBE or ASK (the first such keyword outside the header)."""
        m = _FORM.search(_strip_comments(self.text))
        return m.group(1).upper() if m else "SELECT"

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name, "title": self.title, "description": self.description,
            "form": self.form, "text": self.text, "examples": self.examples, "tags": self.tags,
            "params": [
                {"name": p.name, "type": p.type, "class": p.cls, "default": p.default,
                 "required": p.required, "doc": p.doc}
                for p in self.params
            ],
        }


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def parse_query(name: str, text: str, path: Path | None = None) -> NamedQuery:
    """Read the header of one query file (see the module docstring)."""
    from kg.query.params import TYPES

    where = str(path or name)
    meta: dict[str, list[str]] = {k: [] for k in HEADER_KEYS}
    for line in text.splitlines():
        s = line.strip()
        if not s:
            continue
        if not s.startswith("#"):
            break
        body = s.lstrip("#").strip()
        m = re.match(r"^([a-z]+):\s*(.*)$", body)
        if not m or m.group(1) not in HEADER_KEYS:
            continue  # free comment
        meta[m.group(1)].append(m.group(2).strip())
    if not meta["title"]:
        raise LibraryError(f"{where}: the header has no '# title:' line")
    params: list[Param] = []
    for spec in meta["param"]:
        m = _PARAM.match(spec)
        if not m:
            raise LibraryError(f"{where}: cannot read '# param: {spec}' "
                               "(expected NAME TYPE [= DEFAULT | optional] [-- DOC])")
        ptype = m["type"]
        if ptype not in TYPES:
            raise LibraryError(f"{where}: parameter {m['name']!r} has unknown type {ptype!r} "
                               f"(one of {', '.join(TYPES)})")
        if m["cls"] and ptype != "iri":
            raise LibraryError(f"{where}: only iri parameters take a class: {spec!r}")
        default = m["default"]
        if default is not None:
            default = default.strip()
            if len(default) >= 2 and default[0] == default[-1] and default[0] in "\"'":
                default = default[1:-1]
        if any(p.name == m["name"] for p in params):
            raise LibraryError(f"{where}: parameter {m['name']!r} declared twice")
        if not re.search(rf"[?$]{m['name']}\b", _strip_comments(text)):
            raise LibraryError(f"{where}: parameter {m['name']!r} is not a variable of the query")
        params.append(Param(
            m["name"], ptype, m["cls"], default or None,
            required=default is None and not m["optional"], doc=(m["doc"] or "").strip(),
        ))
    tags = [t.strip() for line in meta["tags"] for t in line.split(",") if t.strip()]
    return NamedQuery(
        name=name, title=meta["title"][0], description=" ".join(meta["description"]), text=text,
        params=params, examples=meta["example"], tags=tags, path=path,
    )


def library_dir() -> Path:
    from kg.resources import resource_dir

    return resource_dir("queries")


_CACHE: dict[Path, tuple[tuple[tuple[str, int, int], ...], dict[str, NamedQuery]]] = {}


def load_library(directory: Path | None = None) -> dict[str, NamedQuery]:
    """All named queries, by name (the file stem), sorted by name. Parsed once and kept while no
    file of the directory changes (the server asks on every request)."""
    d = directory or library_dir()
    paths = sorted(d.glob("*.rq"))
    stamp = tuple((p.name, st.st_mtime_ns, st.st_size) for p in paths for st in [p.stat()])
    cached = _CACHE.get(d)
    if cached is not None and cached[0] == stamp:
        return dict(cached[1])
    out: dict[str, NamedQuery] = {}
    for path in paths:
        out[path.stem] = parse_query(path.stem, path.read_text("utf-8"), path)
    _CACHE[d] = (stamp, out)
    return dict(out)


def get_query(name: str, directory: Path | None = None) -> NamedQuery:
    """One named query; an unknown name is a :class:`LibraryError` that suggests close names."""
    import difflib

    lib = load_library(directory)
    if name in lib:
        return lib[name]
    close = difflib.get_close_matches(name, list(lib), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else " (run `kg queries` for the list)"
    raise LibraryError(f"no named query {name!r}{hint}")

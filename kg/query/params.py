"""Query parameters as typed RDF terms — never pasted into the query text.

A value given on the command line or in a URL (a string) becomes a pyoxigraph term according to
the declared type; the store then binds it (pyoxigraph's ``substitutions``, SPARQL SEP-0007). For
stores that cannot substitute (a remote SPARQL server), :func:`bind_values` adds ``VALUES``
blocks built from serialized terms: at the start of the query's WHERE group and of each sub-select
that uses the variable.

>>> to_term("year", "2026")
<Literal value=2026 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#gYear>>
>>> to_term("lang", "Arabic").value
'http://lexvo.org/id/iso639-3/ara'
>>> to_term("iri", "topic:clinical-prediction").value
'https://w3id.org/medkg/id/topic/clinical-prediction'
>>> bind_values("SELECT ?x WHERE { ?x a ?c }", {"c": ox.NamedNode("http://e.org/C")})
'SELECT ?x WHERE { VALUES (?c) { (<http://e.org/C>) }\\n ?x a ?c }'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache, wraps
from typing import Any, TypeVar

import pyoxigraph as ox

from kg.namespaces import DCTERMS, LEXVO, RDFS, SKOS, XSD, base, prefixes

TYPES = ("iri", "string", "langstring", "integer", "decimal", "boolean", "year", "lang", "source", "term")
_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LOCAL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.\-%]*[A-Za-z0-9_\-%])?$|^$")
_LANGTAG = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")

Term = ox.NamedNode | ox.Literal | ox.BlankNode
T = TypeVar("T")


class ParamError(ValueError):
    """A parameter is unknown, missing or has a bad value (a usage error: exit code 2)."""


def parse_assignments(items: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``["a=1", "b=x=y"]`` → ``{"a": "1", "b": "x=y"}``.

    >>> parse_assignments(["topic=trustworthy medical AI", "year=2026"])
    {'topic': 'trustworthy medical AI', 'year': '2026'}
    """
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip().lstrip("?$")
        if not sep or not _VAR.match(key):
            raise ParamError(f"--param {item!r}: expected NAME=VALUE")
        if key in out:
            raise ParamError(f"--param {key} given twice")
        out[key] = value
    return out


def expand_iri(value: str) -> ox.NamedNode:
    """``<http://…>``, ``http://…`` or a prefixed name with one of our prefixes → NamedNode.

    >>> expand_iri("kgo:Paper").value
    'https://w3id.org/medkg/ontology#Paper'
    >>> expand_iri("nope:x")
    Traceback (most recent call last):
    ...
    kg.query.params.ParamError: 'nope:x' is not an IRI or a prefixed name with a known prefix
    """
    v = value.strip()
    if v.startswith("<") and v.endswith(">"):
        v = v[1:-1]
    prefix, sep, local = v.partition(":")
    known = prefixes()
    if sep and prefix in known and not local.startswith("//"):
        if not _LOCAL.match(local):
            raise ParamError(f"{value!r}: bad local name after '{prefix}:'")
        return ox.NamedNode(known[prefix] + local)
    bracketed = value.strip().startswith("<")
    if bracketed or re.match(r"^(https?|urn|mailto|tag|info|doi|file|did|ftp):", v, re.IGNORECASE):
        try:
            return ox.NamedNode(v)
        except ValueError as err:
            raise ParamError(f"{value!r} is not a valid IRI: {err}") from None
    raise ParamError(f"{value!r} is not an IRI or a prefixed name with a known prefix")


def looks_like_iri(value: str) -> bool:
    try:
        expand_iri(value)
    except ParamError:
        return False
    return True


def language_iri(value: str) -> ox.NamedNode:
    """An ISO 639 code or English name (``ar``, ``ara``, ``Arabic``) or a lexvo IRI → lexvo IRI."""
    v = value.strip()
    if v.startswith(("http://", "https://", "<", "lexvo:")):
        node = expand_iri(v)
        if not node.value.startswith(LEXVO):
            raise ParamError(f"{value!r}: a language is a lexvo IRI ({LEXVO}xxx)")
        return node
    import pycountry

    try:
        lang = pycountry.languages.lookup(v)
    except LookupError:
        raise ParamError(f"{value!r} is not a language code or name (try 'ar', 'zho', 'English')") from None
    return ox.NamedNode(LEXVO + lang.alpha_3)


def parse_term(value: str) -> Term:
    """A value in Turtle-like term syntax, for parameters of undeclared type: an IRI or prefixed
    name, ``"text"@lang``, ``"v"^^type``, a number, ``true``/``false``, else a plain string.

    >>> parse_term('"Arabic"@en')
    <Literal value=Arabic language=en>
    >>> parse_term("42").datatype.value
    'http://www.w3.org/2001/XMLSchema#integer'
    """
    v = value.strip()
    m = re.match(r'^"(.*)"(?:@([A-Za-z0-9-]+)|\^\^(\S+))?$', v, re.DOTALL)
    if m:
        if m[2]:
            return to_term("langstring", f"{m[1]}@{m[2]}")
        if m[3]:
            try:
                return ox.Literal(m[1], datatype=expand_iri(m[3]))
            except ValueError as err:
                raise ParamError(f"{value!r}: {err}") from None
        return ox.Literal(m[1])
    if re.match(r"^[+-]?\d+$", v):
        return ox.Literal(v, datatype=ox.NamedNode(XSD + "integer"))
    if re.match(r"^[+-]?\d*\.\d+$", v):
        return ox.Literal(v, datatype=ox.NamedNode(XSD + "decimal"))
    if v in ("true", "false"):
        return ox.Literal(v, datatype=ox.NamedNode(XSD + "boolean"))
    if v.startswith("<") or looks_like_iri(v) and " " not in v:
        return expand_iri(v)
    return ox.Literal(value)


def to_term(ptype: str, value: str, *, cls: str | None = None, store: Any = None) -> Term:
    """Convert ``value`` to an RDF term of type ``ptype`` (see :data:`TYPES`); bad values are
    :class:`ParamError`. An ``iri`` with a class may be given by label (needs ``store``)."""
    v = value.strip()
    if ptype == "iri":
        if looks_like_iri(v):
            return expand_iri(v)
        if store is None:
            raise ParamError(f"{value!r} is not an IRI or a prefixed name")
        return resolve_label(store, v, cls)
    if ptype == "string":
        return ox.Literal(value)
    if ptype == "langstring":
        text, sep, tag = value.rpartition("@")
        if not sep or not _LANGTAG.match(tag):
            raise ParamError(f"{value!r}: expected TEXT@LANG, e.g. 'medical QA@en'")
        return ox.Literal(text, language=tag.lower())
    if ptype == "integer":
        if not re.match(r"^[+-]?\d+$", v):
            raise ParamError(f"{value!r} is not an integer")
        return ox.Literal(str(int(v)), datatype=ox.NamedNode(XSD + "integer"))
    if ptype == "decimal":
        if not re.match(r"^[+-]?(\d+\.?\d*|\.\d+)$", v):
            raise ParamError(f"{value!r} is not a decimal number")
        return ox.Literal(v, datatype=ox.NamedNode(XSD + "decimal"))
    if ptype == "boolean":
        low = v.lower()
        if low not in ("true", "false", "1", "0", "yes", "no"):
            raise ParamError(f"{value!r} is not a boolean (true/false)")
        return ox.Literal("true" if low in ("true", "1", "yes") else "false",
                          datatype=ox.NamedNode(XSD + "boolean"))
    if ptype == "year":
        if not re.match(r"^\d{4}$", v):
            raise ParamError(f"{value!r} is not a year (four digits, e.g. 2026)")
        return ox.Literal(v, datatype=ox.NamedNode(XSD + "gYear"))
    if ptype == "lang":
        return language_iri(v)
    if ptype == "source":
        if looks_like_iri(v):
            return expand_iri(v)
        if store is None:
            raise ParamError(f"{value!r} is not a graph IRI (a file name needs the store)")
        return resolve_source(store, v)
    if ptype == "term":
        return parse_term(value)
    raise ParamError(f"unknown parameter type {ptype!r}")


_LABEL_QUERY = f"""
SELECT DISTINCT ?s ?v ?cls WHERE {{
  ?s <{RDFS}label>|<{SKOS}prefLabel>|<{SKOS}altLabel>|<{DCTERMS}title>|<{SKOS}notation> ?l .
  FILTER(isIRI(?s) && LCASE(STR(?l)) = LCASE(STR(?v)))
  #CLASS ?s a ?cls .
}} ORDER BY ?s LIMIT 20
"""


def resolve_label(store: Any, label: str, cls: str | None = None) -> ox.NamedNode:
    """The one IRI (of class ``cls``, if given) whose label or title is ``label`` (any case).
    A slug of the class's IRI family also works (``trustworthy-medical-ai`` for a topic)."""
    subs: dict[str, object] = {"v": ox.Literal(label.strip())}
    cls_node = expand_iri(cls) if cls else None
    if cls_node is not None:
        subs["cls"] = cls_node
    text = _LABEL_QUERY.replace("#CLASS ", "") if cls_node is not None else _LABEL_QUERY
    found = [r["s"] for r in store.query(text, substitutions=subs)]
    if not found and cls_node is not None and re.match(r"^[a-z0-9][a-z0-9-]*$", label.strip()):
        from kg.link import FAMILY_OF

        family = FAMILY_OF.get(cls_node.value.rsplit("#", 1)[-1])
        if family:
            guess = ox.NamedNode(f"{base()}{family}/{label.strip()}")
            ask = store.query("SELECT ?s ?cls WHERE { ?s a ?cls } LIMIT 1",
                              substitutions={"s": guess, "cls": cls_node})
            if list(ask):
                return guess
    what = f" of class {cls}" if cls else ""
    if not found:
        raise ParamError(f"nothing{what} is labelled {label!r} (give an IRI or a prefixed name)")
    if len(found) > 1:
        names = ", ".join(compact(n.value) for n in found[:5])
        raise ParamError(f"{label!r} names {len(found)} things{what}: {names}; give one of them")
    return found[0]


_SOURCES_QUERY = f"SELECT DISTINCT ?g ?path WHERE {{ GRAPH ?g {{ ?g <{DCTERMS}source> ?path }} }}"


def resolve_source(store: Any, name: str) -> ox.NamedNode:
    """The graph of the one catalog file whose path is ``name`` or ends in ``/name``.

    Queries then read the entries in ``GRAPH ?g``: an index lookup, where a filter on
    ``kgo:sourceFile`` compares every entry's path (1.4 s at 100k entries), and where a record
    written identically in two files pairs each file with its own line numbers."""
    want = name.strip().replace("\\", "/")
    found = sorted({r["g"].value for r in store.query(_SOURCES_QUERY)
                    if (path := r["path"].value) == want or path.endswith("/" + want.lstrip("/"))})
    if not found:
        raise ParamError(f"no catalog file {name!r} in the store (give its path or its file name)")
    if len(found) > 1:
        raise ParamError(f"{name!r} names {len(found)} catalog files: {', '.join(found[:5])}; give the path")
    return ox.NamedNode(found[0])


def compact(iri: str) -> str:
    """The shortest prefixed form of an IRI, or ``<iri>``.

    >>> compact("https://w3id.org/medkg/id/topic/x")
    'topic:x'
    """
    best = None
    for p, ns in prefixes().items():
        local = iri[len(ns):]
        if iri.startswith(ns) and _LOCAL.match(local) and (best is None or len(local) < len(best[1])):
            best = (p, local)
    return f"{best[0]}:{best[1]}" if best else f"<{iri}>"


def bind(params: list[Any] | None, given: Mapping[str, str], *, store: Any = None,
         query_text: str | None = None) -> dict[str, Term]:
    """Typed bindings for a query: declared ``params`` (:class:`kg.query.library.Param`) take
    their values from ``given`` or their defaults; an unknown, missing or bad one is a
    :class:`ParamError`. Without declarations (ad-hoc text) each given name must be a variable
    of ``query_text`` and its value is read as a term (:func:`parse_term`)."""
    out: dict[str, Term] = {}
    if params is None:
        for name, value in given.items():
            if query_text is None or not re.search(rf"[?$]{re.escape(name)}\b", query_text):
                raise ParamError(f"unknown parameter {name!r}: the query has no variable ?{name}")
            out[name] = parse_term(value)
        return out
    declared = {p.name: p for p in params}
    unknown = [k for k in given if k not in declared]
    if unknown:
        known = ", ".join(declared) or "none"
        raise ParamError(f"unknown parameter {unknown[0]!r} (this query takes: {known})")
    for p in params:
        value = given.get(p.name, p.default)
        if value is None or value == "" and p.type != "string":
            if p.required:
                raise ParamError(f"missing parameter {p.name!r} ({p.type}): give --param {p.name}=VALUE")
            continue
        try:
            out[p.name] = to_term(p.type, value, cls=p.cls, store=store)
        except ParamError as err:
            raise ParamError(f"parameter {p.name!r}: {err}") from None
    return out


# -- VALUES fallback for stores without substitutions -------------------------------------------

_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_FORMS = re.compile(r"(SELECT|CONSTRUCT|DESCRIBE|ASK)\b", re.IGNORECASE)


def serialize_term(term: object) -> str:
    """A term in SPARQL syntax (N-Triples form, escaped): pyoxigraph or rdflib terms.

    >>> serialize_term(ox.Literal('say "hi"', language="en"))
    '"say \\\\"hi\\\\""@en'
    """
    if isinstance(term, ox.Literal):
        return _literal(term)
    if isinstance(term, ox.NamedNode):  # pyoxigraph refuses IRIs with <>"{}|^`\\ or spaces
        return str(term)
    if isinstance(term, ox.BlankNode):
        raise ValueError("a blank node cannot be bound in a VALUES block")
    n3 = getattr(term, "n3", None)
    if callable(n3):
        return n3()
    raise TypeError(f"not an RDF term: {term!r}")



def iri_values(iris: Sequence[str], size: int) -> Iterator[str]:
    """The IRIs as the terms of ``VALUES`` blocks of at most ``size`` each, written as escaped
    N-Triples terms (IRIs read from a store are never pasted into a query).

    >>> list(iri_values(["http://e/a", "http://e/b", "http://e/c"], 2))
    ['<http://e/a> <http://e/b>', '<http://e/c>']
    """
    for i in range(0, len(iris), size):
        yield " ".join(serialize_term(ox.NamedNode(x)) for x in iris[i:i + size])

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def sparql_string(value: str) -> str:
    r"""``value`` as a SPARQL string literal that reads back verbatim on every server.

    SPARQL 1.1 (§19.2) lets a server expand ``\uXXXX`` escapes *before* parsing, anywhere in the
    text. A value containing a backslash followed by ``u`` (``\u0022``) would then come back
    changed, or with its quotes unbalanced. So the ``u``/``U`` after an escaped backslash is
    written as a code point escape itself (and so is a hex digit right after any escape), which
    reads the same whether or not escapes are expanded early.

    >>> print(sparql_string('say "hi"\n'))
    "say \"hi\"\n"
    >>> print(sparql_string("\\u0022 } UNION {"))
    "\\\u0075\u0030\u0030\u0032\u0032 } UNION {"
    """
    out: list[str] = []
    uchar = False  # the previous character was written as a \uXXXX escape
    for i, ch in enumerate(value):
        if (ch in "uU" and i and value[i - 1] == "\\") or ord(ch) < 0x20 and ch not in "\n\r\t" or (
            ch in "\u2028\u2029\x7f") or (uchar and ch in "0123456789abcdefABCDEF"):
            # a hex digit right after an escape is escaped too: rdflib reads \u with 8 digits
            out.append(f"\\u{ord(ch):04X}")
            uchar = True
            continue
        out.append(_ESCAPES.get(ch, ch))
        uchar = False
    return '"' + "".join(out) + '"'


def _literal(term: ox.Literal) -> str:
    text = sparql_string(term.value)
    if term.language:
        return f"{text}@{term.language}"
    if term.datatype.value != XSD + "string":
        return f"{text}^^<{term.datatype.value}>"
    return text


CODE_CACHE_TEXT = 1 << 16  # characters: longer texts (a user's generated query) are not kept


def _per_text(fn: Callable[[str], T]) -> Callable[[str], T]:
    """Remember ``fn``'s answer for the last query texts seen: a named query is run again and
    again with the same text, and each run reads its code two or three times (where to bind,
    ORDER BY) — 0.5 ms of the 0.65 ms `describe-entity` took at 100k entries."""
    cached = lru_cache(maxsize=64)(fn)

    @wraps(fn)
    def call(text: str) -> T:
        return cached(text) if len(text) <= CODE_CACHE_TEXT else fn(text)

    return call


@_per_text
def code_only(text: str) -> str:
    """``text`` with comments, strings and IRIs blanked out (same length, so positions hold):
    what is left is SPARQL keywords, names, variables and punctuation.

    >>> code_only('SELECT * { ?s <http://e.org/a#b> "x}" } # }')
    'SELECT * { ?s                    "  " }    '
    """
    out = list(text)
    i, n = 0, len(text)

    def blank(a: int, b: int) -> None:
        for k in range(a, min(b, n)):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
            continue
        if c in "\"'":
            q3 = text[i:i + 3]
            if q3 in ('"""', "'''"):
                j = i + 3
                while j < n and text[j:j + 3] != q3:
                    j += 2 if text[j] == "\\" else 1
                blank(i + 1, j + 2)
                i = j + 3
                continue
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            blank(i + 1, j)
            i = j + 1
            continue
        if c == "<":
            m = _IRIREF.match(text, i)
            if m:
                blank(i, m.end())
                i = m.end()
                continue
        i += 1
    return "".join(out)


def _form(code: str) -> re.Match[str] | None:
    """The query form keyword (SELECT, CONSTRUCT, DESCRIBE, ASK) in ``code`` (see :func:`code_only`)."""
    return next((m for m in _FORMS.finditer(code)
                 if m.start() == 0 or not (code[m.start() - 1].isalnum() or code[m.start() - 1] in "_:?$")), None)


def query_form(text: str) -> str | None:
    """The query's form keyword, outside comments, strings, IRIs and names.

    >>> query_form('PREFIX s: <http://x/SELECT> DESCRIBE ?s WHERE { ?s s:p "ASK" } # SELECT')
    'DESCRIBE'
    """
    m = _form(code_only(text))
    return m.group(1).upper() if m else None


@_per_text
def _where_brace(text: str) -> int:
    """Index of the ``{`` that opens the query's WHERE group (skipping a CONSTRUCT template and
    braces inside parentheses); -1 when there is none."""
    code = code_only(text)
    m = _form(code)
    if m is None:
        return -1
    i = m.end()
    if m.group(1).upper() == "CONSTRUCT" and code[i:].lstrip().startswith("{"):
        i = _closing(code, code.index("{", i))  # past the template
    return _group_brace(code, i)


def _group_brace(code: str, start: int) -> int:
    """Index of the first ``{`` from ``start`` outside parentheses (a projection's ``(… AS ?x)``);
    -1 when there is none."""
    depth_paren = 0
    for k in range(start, len(code)):
        c = code[k]
        if c == "(":
            depth_paren += 1
        elif c == ")":
            depth_paren -= 1
        elif c == "{" and depth_paren == 0:
            return k
    return -1


def uses_keyword(text: str, keyword: str) -> bool:
    """Whether ``keyword`` (e.g. ``SERVICE``) occurs as a keyword, not in a string, IRI, comment,
    variable or prefixed name.

    >>> uses_keyword('SELECT * { SERVICE <http://x/> { ?s ?p ?o } }', "service")
    True
    >>> uses_keyword('SELECT ?service { ?s ex:service "SERVICE" } # SERVICE', "service")
    False
    """
    pattern = rf"(?<![\w:?$\-.]){re.escape(keyword)}(?![\w:\-])"
    return re.search(pattern, code_only(text), re.IGNORECASE) is not None


def bind_values(query_text: str, bindings: Mapping[str, object], *,
                inner: bool | Iterable[str] = True) -> str:
    """``query_text`` with ``bindings`` (variable name → RDF term) as one-row ``VALUES`` blocks:
    at the start of the WHERE group, and of every sub-select and ``MINUS`` group that mentions
    the variable. A sub-select is evaluated on its own, before the join with what is around it, so
    a block at the top alone would leave its variable free in there (a ``FILTER`` over it fails,
    a ``FILTER(!bound…)`` passes), where SEP-0007 substitution binds it everywhere. Terms are
    serialized in N-Triples syntax (escaped), variable names are checked, so no text is ever pasted in.

    A store without SEP-0007 substitutions (a remote SPARQL server) calls this in its
    ``query(sparql, substitutions=...)``: ``sparql = bind_values(sparql, substitutions)``
    when ``substitutions`` is not empty, then sends ``sparql``. The embedded store, which substitutes,
    adds the blocks as hints to Oxigraph's optimizer, which does not see a substituted variable as
    bound: at the top, and in the sub-selects for the IRIs only (``inner`` names the variables
    bound in there; ``False``: none). An IRI in a sub-select lets it start from an index look-up
    (``venue-topic-data`` 2x faster); a text only filters, and a block for it made ``search``
    1.4x slower.

    >>> q = 'SELECT ?d WHERE { { SELECT ?d WHERE { ?d ?p ?v FILTER(CONTAINS(?v, ?t)) } } ?d ?q ?o }'
    >>> print(bind_values(q, {"t": ox.Literal("x")}))
    SELECT ?d WHERE { VALUES (?t) { ("x") }
     { SELECT ?d WHERE { VALUES (?t) { ("x") }
     ?d ?p ?v FILTER(CONTAINS(?v, ?t)) } } ?d ?q ?o }
    """
    if not bindings:
        return query_text
    names = list(bindings)
    for name in names:
        if not _VAR.match(name):
            raise ValueError(f"bad variable name {name!r}")
    terms = {k: serialize_term(bindings[k]) for k in names}
    at = _where_brace(query_text)
    if at < 0:
        raise ValueError("cannot bind parameters: the query has no WHERE group")
    code = code_only(query_text)
    inserts = [(at, names)]
    wanted = set(names) if inner is True else set() if inner is False else set(inner)
    inside = [k for k in names if k in wanted]
    for brace in _inner_groups(code, at) if inside else ():
        span = code[brace:_closing(code, brace)]
        mentioned = [k for k in inside if re.search(rf"[?$]{k}(?![A-Za-z0-9_])", span)]
        if mentioned:
            inserts.append((brace, mentioned))
    out = query_text
    for brace, keys in sorted(inserts, reverse=True):
        block = f" VALUES ({' '.join('?' + k for k in keys)}) {{ ({' '.join(terms[k] for k in keys)}) }}\n"
        out = out[:brace + 1] + block + out[brace + 1:]
    return out


def _inner_groups(code: str, start: int) -> Iterator[int]:
    """The ``{`` opening the WHERE group of each sub-select, and each ``MINUS`` group, after
    ``start`` in ``code`` (comments, strings and IRIs blanked)."""
    for m in re.finditer(r"(?<![\w:?$])(SELECT|MINUS)(?![\w:])", code[start:], re.IGNORECASE):
        brace = _group_brace(code, start + m.end())
        if brace >= 0:
            yield brace


def _closing(code: str, brace: int) -> int:
    """Index just past the ``}`` matching the ``{`` at ``brace``."""
    depth = 0
    for k in range(brace, len(code)):
        depth += {"{": 1, "}": -1}.get(code[k], 0)
        if depth == 0:
            return k + 1
    return len(code)

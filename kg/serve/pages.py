"""Linked-data views of one IRI: its triples (outgoing and incoming) as RDF, and an HTML page with
its label, its titles in every language, its properties with clickable links and what links to it.
All text from the graph is HTML-escaped; the IRI is bound as a term, never pasted into SPARQL.
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox

from kg.export.void import graph_subset
from kg.namespaces import DCTERMS, RDF, RDFS, SKOS, base
from kg.query.params import compact

_OUT = """
SELECT ?s ?p ?o ?pLabel ?oLabel WHERE {
  ?s ?p ?o .
  OPTIONAL { ?p rdfs:label ?pl FILTER(LANGMATCHES(LANG(?pl), "en") || LANG(?pl) = "") }
  OPTIONAL { ?o rdfs:label|skos:prefLabel ?ol }
  BIND(?pl AS ?pLabel) BIND(?ol AS ?oLabel)
}
"""
_IN = """
SELECT ?o ?s ?p ?pLabel ?sLabel WHERE {
  ?s ?p ?o .
  OPTIONAL { ?p rdfs:label ?pl FILTER(LANGMATCHES(LANG(?pl), "en") || LANG(?pl) = "") }
  OPTIONAL { ?s rdfs:label|skos:prefLabel ?sl }
  BIND(?pl AS ?pLabel) BIND(?sl AS ?sLabel)
} LIMIT 1000
"""
_GRAPH_OUT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
_GRAPH_IN = "CONSTRUCT { ?x ?q ?s } WHERE { ?x ?q ?s }"

RDF_TYPES = {
    "turtle": ("text/turtle; charset=utf-8", ox.RdfFormat.TURTLE),
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "rdfxml": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
}
ENTITY_LIMIT = 5000  # triples each way on an entity page or its RDF (bounded time and size)
EXTENSIONS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "jsonld", ".rdf": "rdfxml", ".html": "html"}


def local_href(iri: str) -> str:
    """Where the local server shows ``iri``: ``/id/…`` under the base, else ``/describe?iri=…``.

    >>> local_href("https://w3id.org/medkg/id/topic/x")
    '/id/topic/x'
    >>> local_href("http://lexvo.org/id/iso639-3/ara")
    '/describe?iri=http%3A%2F%2Flexvo.org%2Fid%2Fiso639-3%2Fara'
    """
    b = base()
    if iri.startswith(b):
        return "/id/" + quote(iri[len(b):], safe="/-._~")
    return "/describe?iri=" + quote(iri, safe="")


def _query(store: Any, text: str, **subs: object) -> Any:
    from kg.namespaces import sparql_prologue

    return store.query(sparql_prologue() + text, substitutions=subs)


GRAPH_MEMBERS = 100  # subjects listed on a named graph's page


def is_graph(store: Any, iri: str) -> bool:
    """Whether ``iri`` names a graph of the store (the VoID lists each as a subset): one index
    look-up (a server's list of graphs is a scan of everything)."""
    return bool(list(_query(store, "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1", g=ox.NamedNode(iri))))


def graph_members(store: Any, iri: str, limit: int = GRAPH_MEMBERS) -> list[Any]:
    """The first ``limit`` IRI subjects of the named graph ``iri``, with a label."""
    return list(_query(store, "SELECT ?g ?s (SAMPLE(?l) AS ?label) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?s)) "
                              "OPTIONAL { ?s rdfs:label|skos:prefLabel ?l } } GROUP BY ?g ?s ORDER BY ?s "
                              f"LIMIT {int(limit) + 1}", g=ox.NamedNode(iri)))


def exists(store: Any, iri: str) -> bool:
    node = ox.NamedNode(iri)
    for text in ("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", "SELECT ?o WHERE { ?s ?p ?o } LIMIT 1"):
        if list(_query(store, text, **({"s": node} if "?s WHERE" in text else {"o": node}))):
            return True
    return is_graph(store, iri)


def _capped(text: str, limit: int | None) -> str:
    return text if limit is None else f"{text} LIMIT {int(limit)}"


def entity_rdf(store: Any, iri: str, fmt: str, *, limit: int | None = None) -> bytes:
    """What the graph says about ``iri`` and what points to it, in ``fmt`` (a key of RDF_TYPES);
    at most ``limit`` triples each way (a hub such as ``access:open`` has as many incoming links
    as the catalog has entries)."""
    from kg.namespaces import prefixes

    node = ox.NamedNode(iri)
    triples = list(dict.fromkeys([*_query(store, _capped(_GRAPH_OUT, limit), s=node),
                                  *_query(store, _capped(_GRAPH_IN, limit), s=node),
                                  *(graph_subset(store, iri) if is_graph(store, iri) else ())]))
    rdf_fmt = RDF_TYPES[fmt][1]
    kwargs = {"prefixes": prefixes()} if rdf_fmt == ox.RdfFormat.TURTLE else {}
    return ox.serialize(triples, format=rdf_fmt, **kwargs) or b""


def _term_html(term: Any, label: Any = None) -> str:
    if isinstance(term, ox.NamedNode):
        text = html.escape(label.value if label is not None else compact(term.value))
        iri = html.escape(term.value)
        href = html.escape(local_href(term.value))
        ext = ""
        if not term.value.startswith(base()) and term.value.startswith(("http://", "https://")):
            ext = f' <a class="ext" href="{iri}" title="open the original" rel="noopener">↗</a>'
        return f'<a href="{href}" title="{iri}">{text}</a>{ext}'
    if isinstance(term, ox.Literal):
        extra = ""
        if term.language:
            extra = f' <span class="lang">@{html.escape(term.language)}</span>'
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            extra = f' <span class="dt">{html.escape(compact(term.datatype.value))}</span>'
        return f'<span class="lit">{html.escape(term.value)}</span>{extra}'
    return html.escape(str(term))


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · medkg</title>
<link rel="stylesheet" href="/static/style.css">
{alternates}
</head><body>
<header><a class="home" href="/">medkg</a> <span class="sep">/</span> <span class="iri">{iri}</span></header>
<main class="entity">
<h1>{title}</h1>
<p class="types">{types}</p>
{titles}
<h2>Properties</h2>
<table class="props"><thead><tr><th>property</th><th>value</th></tr></thead><tbody>
{props}
</tbody></table>
<h2>Incoming links</h2>
{incoming}
{graph}
<p class="formats">This page as data: {formats}</p>
</main></body></html>
"""


def entity_html(store: Any, iri: str, *, limit: int | None = None) -> str:
    """The HTML page of one IRI (at most ``limit`` property values, and 1000 incoming links)."""
    node = ox.NamedNode(iri)
    out = list(_query(store, _capped(_OUT, limit), s=node))
    inc = list(_query(store, _IN, o=node))
    label = None
    titles: dict[tuple[str, str], str] = {}
    types: list[str] = []
    props: dict[str, tuple[Any, Any, list[str]]] = {}
    seen: set[tuple[str, str]] = set()
    for r in out:
        p, o = r["p"], r["o"]
        key = (p.value, str(o))
        if key in seen:
            continue
        seen.add(key)
        if p.value == RDFS + "label" and isinstance(o, ox.Literal) and (label is None or not o.language):
            label = o.value
        if p.value in (DCTERMS + "title", SKOS + "prefLabel", SKOS + "altLabel") and isinstance(o, ox.Literal):
            titles[(o.language or "", o.value)] = compact(p.value)
        if p.value == RDF + "type":
            types.append(_term_html(o))
        props.setdefault(p.value, (p, r["pLabel"], []))[2].append(_term_html(o, r["oLabel"]))
    title = label or next((t for (_, t) in titles), None) or compact(iri)
    rows = []
    for p, plabel, values in sorted(props.values(), key=lambda x: (x[0].value != RDF + "type", x[0].value)):
        name = _term_html(p, plabel)
        rows.append(f"<tr><th>{name}</th><td>{'<br>'.join(sorted(values))}</td></tr>")
    title_rows = "".join(
        f"<tr><th>{html.escape(lang or '—')}</th><td lang=\"{html.escape(lang)}\">{html.escape(text)}</td>"
        f"<td class=\"via\">{html.escape(via)}</td></tr>"
        for (lang, text), via in sorted(titles.items())
    )
    titles_html = (f'<h2>Titles and names</h2><table class="titles"><thead><tr><th>language</th>'
                   f"<th>text</th><th>property</th></tr></thead><tbody>{title_rows}</tbody></table>"
                   if titles else "")
    in_rows = []
    seen_in: set[tuple[str, str]] = set()
    for r in inc:
        key = (r["s"].value if hasattr(r["s"], "value") else str(r["s"]), r["p"].value)
        if key in seen_in:
            continue
        seen_in.add(key)
        in_rows.append(f"<tr><td>{_term_html(r['s'], r['sLabel'])}</td><td>{_term_html(r['p'], r['pLabel'])}</td></tr>")
    incoming = (f'<table class="incoming"><thead><tr><th>from</th><th>via</th></tr></thead><tbody>'
                f"{''.join(sorted(in_rows))}</tbody></table>" if in_rows else "<p>Nothing links here.</p>")
    href = local_href(iri)
    sep = "&" if "?" in href else "?"
    fmts = [("Turtle", "text/turtle", "turtle"), ("N-Triples", "application/n-triples", "nt"),
            ("JSON-LD", "application/ld+json", "jsonld")]
    if href.startswith("/id/"):
        links = [(n, t, f"{href}.{ext.replace('turtle', 'ttl')}") for n, t, ext in fmts]
    else:
        links = [(n, t, f"{href}{sep}format={ext}") for n, t, ext in fmts]
    formats = " · ".join(f'<a href="{html.escape(u)}" type="{t}">{n}</a>' for n, t, u in links)
    alternates = "\n".join(f'<link rel="alternate" type="{t}" href="{html.escape(u)}">' for _, t, u in links)
    graph = ""
    if is_graph(store, iri):
        members = graph_members(store, iri)
        items = "".join(f"<li>{_term_html(r['s'], r['label'])}</li>" for r in members[:GRAPH_MEMBERS])
        more = "<li>…</li>" if len(members) > GRAPH_MEMBERS else ""
        graph = (f'<h2>Named graph</h2><p>A graph of this store: {store.count(iri):,} statements'
                 f" (<code>void:Dataset</code>). What it says about:</p><ul class=\"members\">{items}{more}</ul>")
    return PAGE.format(
        title=html.escape(title), iri=html.escape(iri), types=" ".join(types) or "",
        titles=titles_html, props="\n".join(rows), incoming=incoming, formats=formats,
        alternates=alternates, graph=graph,
    )

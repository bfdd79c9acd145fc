"""``sparql+http://HOST:PORT/PATH`` (or ``sparql+https://``) — any SPARQL 1.1 server as the store.

PATH is the query endpoint. The update and Graph Store Protocol (GSP) endpoints follow the server's
known layout, or are given in the URL as ``?update=URL&gsp=URL``:

========================  ==================  ==================  ==========================
server                    query               update              graph store (GSP)
========================  ==================  ==================  ==========================
Oxigraph (``serve``)      ``/query``          ``/update``         ``/store``
Apache Jena Fuseki        ``/DS/query``       ``/DS/update``      ``/DS/data``
Virtuoso                  ``/sparql``         ``/sparql``         ``/sparql-graph-crud``
========================  ==================  ==================  ==========================

Credentials come from the environment, never the command line: ``KG_SPARQL_USER`` and
``KG_SPARQL_PASSWORD`` (HTTP Basic; ``KG_SPARQL_AUTH=digest`` for Digest, as Virtuoso's
``/sparql-auth`` wants), or ``KG_SPARQL_TOKEN`` (a bearer token), or else an entry for the host
in ``~/.netrc``.

Queries run over the union of the named graphs, which is a server setting: Oxigraph gets the
``union-default-graph`` request parameter (or start it with ``--union-default-graph``); Virtuoso's
default graph already is the union of all graphs; Fuseki needs ``tdb2:unionDefaultGraph true``
(see ``docs/stores.md``).

Writes are atomic per ingest: the new content of each graph is uploaded with GSP ``POST`` into a
staging graph (``urn:medkg:staging:…``), in batches, each retried with back-off; then one SPARQL
Update request drops each old graph and adds its staging graph in its place. If the server goes
away before that request, the staging graphs are dropped (now, or at the next writable open) and
the source graphs are untouched. The HTTP client is httpx: maintained, HTTP/1.1 keep-alive
(one connection for thousands of batch requests), explicit timeouts, Basic/Digest/netrc auth.

>>> endpoints("http://127.0.0.1:7878/query")[1:]
('http://127.0.0.1:7878/update', 'http://127.0.0.1:7878/store')
>>> endpoints("http://h:3030/ds/query")[1:]
('http://h:3030/ds/update', 'http://h:3030/ds/data')
>>> endpoints("http://h:8890/sparql")[1:]
('http://h:8890/sparql', 'http://h:8890/sparql-graph-crud')
>>> endpoints("http://h/q?update=http://h/u&gsp=http://h/g")
('http://h/q', 'http://h/u', 'http://h/g')
"""

from __future__ import annotations

import contextlib
import os
import re
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pyoxigraph as ox

from kg.store import STAGING_PREFIX, QueryResult, StoreError

RETRIES = 5  # attempts per request
BACKOFF = 0.5  # seconds, doubled after each failed attempt
BATCH_TRIPLES = 50_000  # triples per GSP upload request
# graphs a server keeps for itself, never listed as ours
SYSTEM_GRAPHS = ("http://www.openlinksw.com/", "http://localuriqaserver/", "http://www.w3.org/ns/ldp#",
                 STAGING_PREFIX)
_RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "text/csv": ox.QueryResultsFormat.CSV,
}
_ACCEPT = ("application/sparql-results+json, application/sparql-results+xml;q=0.9, "
           "application/n-triples;q=0.8, text/turtle;q=0.7, application/rdf+xml;q=0.5")
# for CONSTRUCT and DESCRIBE: Virtuoso answers them in a results format when one is acceptable
_ACCEPT_GRAPH = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"


# Virtuoso names blank nodes ``nodeID://b10000`` in its results, which is no blank node label
# (pyoxigraph rejects it, so `kg export` and `kg build` failed on Virtuoso): the label is the part
# after the scheme, which is what Virtuoso's own N-Triples write (``_:b10000``)
_VIRTUOSO_BNODE = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*"|<bnode>)nodeID://')


def plain_blank_nodes(content: bytes) -> bytes:
    r"""Results with Virtuoso's ``nodeID://`` blank node names as plain labels (JSON and XML).

    >>> plain_blank_nodes(b'{ "s": { "type": "bnode", "value": "nodeID://b10000" } }')
    b'{ "s": { "type": "bnode", "value": "b10000" } }'
    >>> plain_blank_nodes(b'<binding name="s"><bnode>nodeID://b7</bnode></binding>')
    b'<binding name="s"><bnode>b7</bnode></binding>'
    >>> plain_blank_nodes(b'{ "o": { "type": "literal", "value": "nodeID://b1" } }')  # text stays
    b'{ "o": { "type": "literal", "value": "nodeID://b1" } }'
    """
    if b"nodeID://" not in content:
        return content
    return _VIRTUOSO_BNODE.sub(rb"\1", content)


def endpoints(url: str) -> tuple[str, str, str]:
    """(query, update, gsp) endpoint URLs for a query endpoint URL (see the module table)."""
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query))
    update, gsp = params.pop("update", None), params.pop("gsp", None)
    query = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(params), ""))
    root = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    path = parts.path.rstrip("/")
    if path == "/query":  # Oxigraph
        guess = (root + "/update", root + "/store")
    elif path.endswith(("/sparql-auth", "/sparql")) and path.count("/") == 1:  # Virtuoso
        crud = "/sparql-graph-crud-auth" if path.endswith("-auth") else "/sparql-graph-crud"
        guess = (root + path, root + crud)
    elif path.endswith(("/query", "/sparql")):  # Fuseki: /DATASET/query
        ds = path.rsplit("/", 1)[0]
        guess = (root + ds + "/update", root + ds + "/data")
    else:
        guess = (query, query)
    return query, update or guess[0], gsp or guess[1]


def open(location: str, *, read_only: bool = False) -> SparqlStore:  # noqa: A001 - registry API
    return SparqlStore(location, read_only=read_only)


def _auth() -> Any:
    import httpx

    user, password = os.environ.get("KG_SPARQL_USER"), os.environ.get("KG_SPARQL_PASSWORD")
    if user is not None:
        if os.environ.get("KG_SPARQL_AUTH", "basic").lower() == "digest":
            return httpx.DigestAuth(user, password or "")
        return httpx.BasicAuth(user, password or "")
    netrc = Path(os.environ.get("NETRC", Path.home() / ".netrc"))
    if netrc.is_file():
        return httpx.NetRCAuth(str(netrc))
    return None


class SparqlStore:
    """A store on a SPARQL 1.1 server (query, update and graph store endpoints)."""

    def __init__(self, location: str, *, read_only: bool = False, timeout: float = 60.0) -> None:
        import httpx

        if not re.match(r"^https?://[^/]+", location):
            raise StoreError(f"sparql+{location}: expected sparql+http://HOST:PORT/PATH")
        self.query_url, self.update_url, self.gsp_url = endpoints(location)
        self.url = f"sparql+{location}"
        self.read_only = read_only
        path = urlsplit(self.query_url).path.rstrip("/")
        self.oxigraph = path == "/query"
        # Virtuoso's default graph is the union of ALL graphs, its own system graphs included:
        # name our graphs as the dataset of each query (SPARQL protocol default-/named-graph-uri)
        self.explicit_dataset = path in ("/sparql", "/sparql-auth")
        self._graphs: list[str] | None = None
        headers = {"User-Agent": "medkg"}
        token = os.environ.get("KG_SPARQL_TOKEN")
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(auth=None if token else _auth(), headers=headers,
                                  timeout=httpx.Timeout(timeout, connect=5.0), trust_env=False)
        self.query("ASK {}", dataset=False)  # fail now, with one clear line, if the server is not there
        if not read_only:
            self._drop_graphs(self._staging_graphs())

    # -- HTTP

    def _request(
        self, method: str, url: str, *, retry_sent: bool = True, attempts: int = RETRIES,
        retry_500: bool = True, **kw: Any,
    ) -> Any:
        """One request, retried with exponential back-off on connection errors and 5xx answers.

        ``retry_sent=False`` retries only when the request surely did not reach the server;
        ``retry_500=False`` takes a 500 as the answer (a query the server cannot evaluate:
        Virtuoso answers "transitive start not given" with a 500, and five attempts of it read as
        "server unavailable"); 502, 503 and 504 are still retried."""
        import httpx

        delay, last = BACKOFF, ""
        for attempt in range(attempts):
            try:
                r = self._http.request(method, url, **kw)
            except httpx.ConnectError as err:
                last = f"cannot connect ({_first_line(err) or 'connection refused'})"
            except httpx.TransportError as err:
                last = f"{type(err).__name__}: {_first_line(err)}"
                if not retry_sent:
                    break
            else:
                if r.status_code < 500 or not retry_sent or (r.status_code == 500 and not retry_500):
                    return r
                last = f"HTTP {r.status_code} {_first_line(r.text)}"
            if attempt + 1 < attempts:
                time.sleep(delay)
                delay *= 2
        raise StoreError(f"{self.url}: SPARQL server unavailable: {last} (after {attempt + 1} attempts)")

    def _check(self, r: Any, what: str) -> Any:
        if r.status_code in (401, 403):
            raise StoreError(f"{self.url}: {what} refused (HTTP {r.status_code}): set KG_SPARQL_USER/"
                             "KG_SPARQL_PASSWORD or KG_SPARQL_TOKEN with write access")
        if r.status_code >= 400:
            raise StoreError(f"{self.url}: {what} failed: HTTP {r.status_code} {_first_line(r.text)}")
        return r

    def _query_params(self) -> dict[str, Any]:
        if self.oxigraph:
            return {"union-default-graph": ""}
        if self.explicit_dataset:
            if self._graphs is None:
                self._graphs = self.graph_names()
            graphs = self._graphs or ["urn:medkg:empty"]
            return {"default-graph-uri": graphs, "named-graph-uri": graphs}
        return {}

    def _post_query(self, sparql: str, timeout: float | None = None, *, dataset: bool = True) -> Any:
        data = {"query": sparql, **(self._query_params() if dataset else {})}
        kw: dict[str, Any] = {"timeout": timeout} if timeout else {}
        from kg.query.params import query_form

        accept = _ACCEPT_GRAPH if query_form(sparql) in ("CONSTRUCT", "DESCRIBE") else _ACCEPT
        return self._request("POST", self.query_url, data=data, headers={"Accept": accept}, retry_500=False, **kw)

    def _update(self, sparql: str, *, retry_sent: bool = True, attempts: int = RETRIES) -> None:
        if self.read_only:
            raise StoreError(f"{self.url}: store opened read-only")
        r = self._request("POST", self.update_url, data={"update": sparql}, retry_sent=retry_sent,
                          attempts=attempts)
        self._check(r, "update")
        self._graphs = None

    # -- reading

    def query(
        self, sparql: str, *, substitutions: Mapping[str, object] | None = None,
        timeout: float | None = None, dataset: bool = True,
    ) -> QueryResult:
        if substitutions:  # SPARQL 1.1 has no substitution: VALUES blocks (kg.query.params)
            from kg.query.params import bind_values

            sparql = bind_values(sparql, substitutions)
        r = self._post_query(sparql, timeout, dataset=dataset)
        if r.status_code == 400:
            raise SyntaxError(_first_line(r.text) or "the server rejected the query")
        if r.status_code == 500:  # evaluated and failed: a query error (exit 1), not the store's
            first = next((line for line in r.text.splitlines() if line.strip()), "")  # not the echoed query
            raise RuntimeError(f"the server cannot evaluate it: {_first_line(first) or 'HTTP 500'}")
        self._check(r, "query")
        ctype = r.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype in _RESULT_TYPES:
            return ox.parse_query_results(plain_blank_nodes(r.content), format=_RESULT_TYPES[ctype])
        fmt = ox.RdfFormat.from_media_type(ctype) or ox.RdfFormat.N_TRIPLES
        graph = ox.Store()
        graph.load(r.content, format=fmt)
        return graph.query("CONSTRUCT WHERE { ?s ?p ?o }")

    def ask(self, sparql: str) -> bool:
        return bool(self.query(sparql))

    def _select(self, sparql: str) -> list[Any]:
        """Store housekeeping: over the server's whole dataset, not the query dataset."""
        return list(self.query(sparql, dataset=False))  # type: ignore[arg-type]

    def graph_names(self) -> list[str]:
        rows = self._select("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")  # DISTINCT: slow on Virtuoso
        return sorted(r["g"].value for r in rows
                      if isinstance(r["g"], ox.NamedNode) and not r["g"].value.startswith(SYSTEM_GRAPHS))

    def _staging_graphs(self) -> list[str]:
        rows = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                            f"FILTER(STRSTARTS(STR(?g), \"{STAGING_PREFIX}\")) }} GROUP BY ?g")
        return [r["g"].value for r in rows]

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return sum(self.count(g) for g in self.graph_names())
        rows = self._select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}")
        return int(rows[0]["n"].value) if rows else 0

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        for g in [graph] if graph else self.graph_names():
            r = self._check(self._request("GET", self.gsp_url, params={"graph": g},
                                          headers={"Accept": "application/n-triples"}), "graph read")
            fmt = ox.RdfFormat.from_media_type(r.headers.get("content-type", "").split(";")[0])
            gn = ox.NamedNode(g)
            # grouped by subject, as the embedded store gives them: writers that stream (JSON-LD)
            # write one node per run of a subject, and Virtuoso answers in no such order (its
            # languages graph came out as 31k node objects for 8k languages)
            by_subject: dict[ox.NamedNode | ox.BlankNode, list[ox.Triple]] = {}
            for t in ox.parse(r.content, format=fmt or ox.RdfFormat.N_TRIPLES):
                by_subject.setdefault(t.subject, []).append(t)
            for triples in by_subject.values():
                for t in triples:
                    yield ox.Quad(t.subject, t.predicate, t.object, gn)

    def dump(self, out: IO[bytes], format: str, graph: str | None = None) -> None:
        fmt = (ox.RdfFormat.from_extension(format) if len(format) <= 6
               else ox.RdfFormat.from_media_type(format))
        if fmt is None:
            raise ValueError(f"unknown RDF format {format!r}")
        local = ox.Store()
        local.extend(self.quads(graph))
        if graph:
            local.dump(out, fmt, from_graph=ox.NamedNode(graph))
        else:
            local.dump(out, fmt)

    # -- writing

    def _drop_graphs(self, names: Iterable[str], attempts: int = RETRIES) -> None:
        text = "".join(f"DROP SILENT GRAPH {ox.NamedNode(g)} ;\n" for g in names)
        if text:
            self._update(text, attempts=attempts)

    def _upload(self, staging: str, data: bytes) -> None:
        r = self._request("POST", self.gsp_url, params={"graph": staging}, content=data,
                          headers={"Content-Type": "application/n-triples"})
        self._check(r, "graph upload")

    def _upload_quads(self, staging: str, quads: Iterable[ox.Quad]) -> None:
        batch: list[ox.Triple] = []
        for q in quads:
            batch.append(ox.Triple(q.subject, q.predicate, q.object))
            if len(batch) >= BATCH_TRIPLES:
                self._upload(staging, ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES) or b"")
                batch = []
        if batch:
            self._upload(staging, ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES) or b"")

    def _upload_file(self, staging: str, path: Path) -> None:
        """A chunk file, cut on line ends into requests of about BATCH_TRIPLES triples."""
        with path.open("rb") as fh:
            while True:
                lines = fh.readlines(BATCH_TRIPLES * 150)
                if not lines:
                    break
                self._upload(staging, b"".join(lines))

    def replace_graphs(self, graphs: Mapping[str, Iterable[ox.Quad]]) -> None:
        self.replace_graphs_bulk(graphs, {})

    def replace_graphs_bulk(
        self, graphs: Mapping[str, Iterable[ox.Quad]], files: Mapping[str, Sequence[Path]],
    ) -> None:
        """Upload every graph's new content into staging graphs, then swap them in with one update."""
        if self.read_only:
            raise StoreError(f"{self.url}: store opened read-only")
        token = uuid.uuid4().hex
        names = list(dict.fromkeys([*graphs, *files]))
        staging = {g: f"{STAGING_PREFIX}{token}:{i}" for i, g in enumerate(names)}
        try:
            for g in names:
                for f in files.get(g, ()):
                    self._upload_file(staging[g], f)
                self._upload_quads(staging[g], graphs.get(g, ()))
            swap = "".join(
                f"DROP SILENT GRAPH {ox.NamedNode(g)} ;\n"
                f"ADD SILENT GRAPH <{staging[g]}> TO GRAPH {ox.NamedNode(g)} ;\n"
                f"DROP SILENT GRAPH <{staging[g]}> ;\n"
                for g in names
            )
            # never re-sent once it may have arrived: a replay would drop the new graphs
            self._update(swap, retry_sent=False)
        except BaseException:
            with contextlib.suppress(StoreError):  # server gone: the next writable open drops them
                self._drop_graphs(staging.values(), attempts=1)
            raise

    def close(self) -> None:
        self._http.close()


def _first_line(value: object) -> str:
    text = str(value).strip()
    text = re.sub(r"<[^>]+>", " ", text) if text.startswith("<") else text
    return " ".join(text.split())[:200]

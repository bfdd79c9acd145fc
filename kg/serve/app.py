"""The HTTP side of ``kg serve``: a small stdlib ``ThreadingHTTPServer`` (no dependency).

Routes::

    GET  /                         the query page (named queries as examples)
    GET  /static/<file>            its packaged assets
    GET  /sparql?query=…           SPARQL 1.1 Protocol query (also POST, form or sparql-query body)
    POST /sparql  update=…         403: the endpoint is read-only
    GET  /queries                  the named query library as JSON (+ base IRI and prefixes)
    GET  /queries/<name>?p=v       run a named query with typed parameters
    GET  /id/<family>/<slug>[.ext] dereference an IRI under the base (HTML, Turtle, N-Triples, JSON-LD)
    GET  /describe?iri=…           the same view for any IRI in the store (languages, ontology terms)
    GET  /.well-known/void         the VoID description
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from kg.query import MEDIA_TYPES
from kg.query.run import QueryError, QuerySyntaxError, QueryTimeout

SOLUTION_TYPES = [  # (media type, format) in server preference order
    ("application/sparql-results+json", "json"), ("application/json", "json"),
    ("application/sparql-results+xml", "xml"), ("application/xml", "xml"),
    ("text/csv", "csv"), ("text/tab-separated-values", "tsv"),
]
GRAPH_TYPES = [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "jsonld"),
    ("application/rdf+xml", "rdfxml"), ("application/trig", "trig"), ("application/n-quads", "nq"),
    ("text/plain", "nt"),
]
ENTITY_TYPES = [
    ("text/html", "html"), ("application/xhtml+xml", "html"), ("text/turtle", "turtle"),
    ("application/n-triples", "nt"), ("application/ld+json", "jsonld"), ("application/rdf+xml", "rdfxml"),
]
FORMAT_ALIASES = {"ttl": "turtle", "ntriples": "nt", "json-ld": "jsonld", "rdf": "rdfxml", "sparql-json": "json"}
STATIC_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}


def negotiate(accept: str | None, offers: list[tuple[str, str]]) -> str | None:
    """The offered format the ``Accept`` header likes best (server order breaks ties); ``None``
    when nothing offered is acceptable.

    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", SOLUTION_TYPES)
    'xml'
    >>> negotiate("*/*", SOLUTION_TYPES), negotiate(None, GRAPH_TYPES)
    ('json', 'turtle')
    >>> negotiate("image/png", SOLUTION_TYPES) is None
    True
    """
    if not accept or not accept.strip():
        return offers[0][1]
    prefs: list[tuple[str, float]] = []
    for part in accept.split(","):
        bits = [b.strip() for b in part.split(";")]
        q = 1.0
        for b in bits[1:]:
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        if bits[0]:
            prefs.append((bits[0].lower(), q))

    def quality(media: str) -> float:
        best, spec = 0.0, -1
        major = media.split("/")[0]
        for pattern, q in prefs:
            s = 2 if pattern == media else 1 if pattern == f"{major}/*" else 0 if pattern == "*/*" else -1
            if s > spec:
                best, spec = q, s
        return best if spec >= 0 else 0.0

    scored = [(quality(m), -i, f) for i, (m, f) in enumerate(offers)]
    q, _, fmt = max(scored)
    return fmt if q > 0 else None


class Config:
    """What the handlers read: the store and the query executor (through a
    :class:`~kg.serve.follow.StoreFollower` when given one: then they change after a commit) and
    the limits."""

    def __init__(self, store: Any, executor: Any, *, timeout: float, max_rows: int,
                 max_body: int, idle_timeout: float = 60.0, follower: Any = None) -> None:
        self._store, self._executor, self.follower = store, executor, follower
        self.timeout, self.max_rows, self.max_body = timeout, max_rows, max_body
        self.idle_timeout = idle_timeout
        self._void: tuple[object, bytes] | None = None

    @property
    def store(self) -> Any:
        return self.follower.current()[0] if self.follower else self._store

    @property
    def executor(self) -> Any:
        return self.follower.current()[1] if self.follower else self._executor

    def void(self, endpoint: str) -> bytes:
        store = self.store
        if self._void is None or self._void[0] is not store:  # computed again for a new commit
            from kg.serve.void import void_description

            self._void = (store, void_description(store, endpoint))
        return self._void[1]

    def close(self) -> None:
        if self.follower:
            self.follower.close()
        else:
            self._executor.close()


class Handler(BaseHTTPRequestHandler):
    server_version = "medkg"
    protocol_version = "HTTP/1.1"
    config: Config  # set on a subclass by make_server

    # -- plumbing

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)

    def setup(self) -> None:
        super().setup()
        # small answers go out at once: no Nagle delay waiting for the client's delayed ACK (40 ms)
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def parse_request(self) -> bool:
        self._consumed = False  # per request: whether its body (if any) has been read
        return super().parse_request()

    def _unread_body(self) -> bool:
        if self._consumed or not getattr(self, "headers", None):
            return False
        length = self.headers.get("Content-Length", "0").strip()
        return bool(self.headers.get("Transfer-Encoding")) or length not in ("", "0")

    def finish(self) -> None:
        """After refusing a body without reading it, close gently: send the answer and a FIN,
        then read and drop what the client is still sending (bounded), so that the client gets
        the answer instead of a connection reset."""
        if getattr(self, "_linger", False):
            try:
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_WR)
                self.connection.settimeout(0.5)
                deadline, dropped = time.monotonic() + 2.0, 0
                while time.monotonic() < deadline and dropped < (64 << 20):
                    chunk = self.connection.recv(65536)
                    if not chunk:
                        break
                    dropped += len(chunk)
            except OSError:
                pass
        super().finish()

    def send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        if self._unread_body():  # the body is not read: the connection cannot carry another request
            self.close_connection = True
            self._linger = True
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        if self.close_connection:
            self.send_header("Connection", "close")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        # headers and body in one write (end_headers() would flush the headers on their own)
        if not hasattr(self, "_headers_buffer"):  # an HTTP/0.9 request: no headers were buffered
            self._headers_buffer = []
        self._headers_buffer.append(b"\r\n")
        if self.command != "HEAD":
            self._headers_buffer.append(body)
        self.flush_headers()

    def error(self, status: int, message: str) -> None:
        self.send(status, (message.rstrip() + "\n").encode(), "text/plain; charset=utf-8")

    def _body(self) -> bytes | None:
        length = self.headers.get("Content-Length")
        if length is None:
            self.error(HTTPStatus.LENGTH_REQUIRED, "POST needs a Content-Length")
            return None
        try:
            n = int(length)
        except ValueError:
            self.error(HTTPStatus.BAD_REQUEST, "bad Content-Length")
            return None
        if n > self.config.max_body:
            self.error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                       f"request body over {self.config.max_body} bytes")
            return None
        if n < 0:
            self.error(HTTPStatus.BAD_REQUEST, "bad Content-Length")
            return None
        data = self.rfile.read(n)
        self._consumed = True
        return data

    # -- verbs

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        args = parse_qs(url.query, keep_blank_values=True)
        path = url.path
        try:
            if path in ("/", "/index.html", "/query"):
                return self.static("index.html")
            if path.startswith("/static/"):
                return self.static(path[len("/static/"):])
            if path == "/sparql":
                return self.sparql(args)
            if path in ("/queries", "/queries/"):
                return self.library()
            if path.startswith("/queries/"):
                return self.named(unquote(path[len("/queries/"):]), args)
            if path.startswith("/id/"):
                return self.entity_path(unquote(path[len("/id/"):]), args)
            if path == "/describe":
                return self.describe(args)
            if path in ("/.well-known/void", "/void"):
                return self.void()
            self.error(HTTPStatus.NOT_FOUND, f"nothing at {path}")
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as err:  # noqa: BLE001 - a bug or a store gone away: answer, log, carry on
            self.failed(err)

    def failed(self, err: Exception) -> None:
        """A 500 (503 when the store is unreachable) with one line, the traceback in the log: an
        unanswered request left the client with a closed connection and no reason."""
        import traceback

        from kg.store import StoreError

        self.log_error("%s", "".join(traceback.format_exception(err)).rstrip())
        status = HTTPStatus.SERVICE_UNAVAILABLE if isinstance(err, StoreError) else HTTPStatus.INTERNAL_SERVER_ERROR
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        with contextlib.suppress(OSError):
            self.error(status, f"{status.phrase}: {reason}")

    def do_POST(self) -> None:
        try:
            self._post()
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as err:  # noqa: BLE001 - as in do_GET
            self.failed(err)

    def _post(self) -> None:
        url = urlsplit(self.path)
        if url.path != "/sparql":
            return self.error(HTTPStatus.METHOD_NOT_ALLOWED, "POST is only for /sparql")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype == "application/sparql-update":
            self._body()
            return self.error(HTTPStatus.FORBIDDEN, "this endpoint is read-only: updates are refused")
        body = self._body()
        if body is None:
            return None
        args = parse_qs(url.query, keep_blank_values=True)
        if ctype == "application/x-www-form-urlencoded":
            for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items():
                args.setdefault(k, []).extend(v)
        elif ctype == "application/sparql-query":
            args["query"] = [body.decode("utf-8", "replace")]
        else:
            return self.error(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                              "POST a form (query=…) or an application/sparql-query body")
        return self.sparql(args)

    def _refuse(self) -> None:
        self.error(HTTPStatus.METHOD_NOT_ALLOWED, "read-only server")

    do_PUT = do_DELETE = do_PATCH = _refuse

    # -- routes

    def static(self, name: str) -> None:
        if not re.match(r"^[A-Za-z0-9_-]+\.(html|js|css|svg)$", name):
            return self.error(HTTPStatus.NOT_FOUND, "no such asset")
        root = resources.files("kg.serve").joinpath("static")
        f = root.joinpath(name)
        if not f.is_file() or not _inside(f, root):
            return self.error(HTTPStatus.NOT_FOUND, "no such asset")
        ext = "." + name.rsplit(".", 1)[1]
        self.send(200, f.read_bytes(), STATIC_TYPES[ext], {"Cache-Control": "no-cache"})

    def _format(self, args: dict[str, list[str]], offers: list[tuple[str, str]]) -> str | None:
        explicit = (args.get("format") or [""])[0].lower()
        if explicit:
            explicit = FORMAT_ALIASES.get(explicit, explicit)
            if explicit not in {f for _, f in offers}:
                return None
            return explicit
        return negotiate(self.headers.get("Accept"), offers)

    def run_query(self, text: str, bindings: dict[str, Any], args: dict[str, list[str]]) -> None:
        from kg.query.params import uses_keyword

        if uses_keyword(text, "SERVICE"):
            return self.error(HTTPStatus.BAD_REQUEST, "federated queries (SERVICE) are disabled on this server")
        form = _form(text)
        offers = GRAPH_TYPES if form in ("CONSTRUCT", "DESCRIBE") else SOLUTION_TYPES
        fmt = self._format(args, offers)
        if fmt is None:
            kinds = ", ".join(dict.fromkeys(m for m, _ in offers))
            return self.error(HTTPStatus.NOT_ACCEPTABLE, f"a {form} query can answer {kinds}")
        limit = self.config.max_rows
        if args.get("limit"):
            try:
                limit = min(limit, max(int(args["limit"][0]), 0)) if limit else max(int(args["limit"][0]), 0)
            except ValueError:
                return self.error(HTTPStatus.BAD_REQUEST, "limit must be an integer")
        job = {"text": text, "bindings": bindings, "fmt": fmt, "limit": limit or None}
        started = time.perf_counter()
        try:
            reply = self.config.executor.run(job, self.config.timeout)
        except QuerySyntaxError as err:
            pointer = err.pointer()
            return self.error(HTTPStatus.BAD_REQUEST, str(err) + ("\n" + pointer if pointer else ""))
        except QueryTimeout as err:
            return self.error(HTTPStatus.SERVICE_UNAVAILABLE, str(err))
        except QueryError as err:
            return self.error(HTTPStatus.BAD_REQUEST, str(err))
        headers = {
            "X-Result-Count": str(reply.count), "X-Result-Truncated": "true" if reply.truncated else "false",
            "X-Query-Time-Ms": f"{(time.perf_counter() - started) * 1000:.1f}", "Vary": "Accept",
            "Cache-Control": "no-store",
        }
        self.send(200, reply.body, MEDIA_TYPES[fmt], headers)

    def sparql(self, args: dict[str, list[str]]) -> None:
        if "update" in args:
            return self.error(HTTPStatus.FORBIDDEN, "this endpoint is read-only: updates are refused")
        queries = args.get("query") or []
        if not queries:
            accept = self.headers.get("Accept") or ""
            if "text/html" in accept:
                self.send_response(HTTPStatus.SEE_OTHER)
                self.send_header("Location", "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            return self.error(HTTPStatus.BAD_REQUEST, "give a query (query=…)")
        if len(queries) > 1:
            return self.error(HTTPStatus.BAD_REQUEST, "give exactly one query")
        if args.get("default-graph-uri") or args.get("named-graph-uri"):
            return self.error(HTTPStatus.BAD_REQUEST, "default-graph-uri/named-graph-uri are not supported: "
                              "the default graph is the union of all graphs; use GRAPH in the query")
        return self.run_query(queries[0], {}, args)

    def library(self) -> None:
        from kg.namespaces import base, prefixes
        from kg.query.library import load_library

        data = {"base": base(), "prefixes": prefixes(), "timeout": self.config.timeout,
                "maxRows": self.config.max_rows,
                "queries": [q.as_json() for q in load_library().values()]}
        self.send(200, json.dumps(data, ensure_ascii=False).encode(), "application/json; charset=utf-8")

    def named(self, name: str, args: dict[str, list[str]]) -> None:
        from kg.query.library import LibraryError, get_query
        from kg.query.params import ParamError, bind

        try:
            q = get_query(name)
        except LibraryError as err:
            return self.error(HTTPStatus.NOT_FOUND, str(err))
        # a blank form field means "not given" (the default applies, an optional stays unbound)
        given = {k: v[-1] for k, v in args.items() if k not in ("format", "limit") and v[-1] != ""}
        try:
            bindings = bind(q.params, given, store=self.config.store)
        except ParamError as err:
            return self.error(HTTPStatus.BAD_REQUEST, str(err))
        return self.run_query(q.text, bindings, args)

    def _entity(self, iri: str, fmt: str | None) -> None:
        from kg.serve.pages import ENTITY_LIMIT, RDF_TYPES, entity_html, entity_rdf, exists

        if fmt is None:
            return self.error(HTTPStatus.NOT_ACCEPTABLE, "available: text/html, text/turtle, "
                              "application/n-triples, application/ld+json, application/rdf+xml")
        store = self.config.store
        if not exists(store, iri):
            return self.error(HTTPStatus.NOT_FOUND, f"<{iri}> is not in this graph")
        headers = {"Vary": "Accept", "Link": f'<{iri}>; rel="canonical"'}
        limit = ENTITY_LIMIT
        if fmt == "html":
            return self.send(200, entity_html(store, iri, limit=limit).encode(), "text/html; charset=utf-8",
                             headers)
        return self.send(200, entity_rdf(store, iri, fmt, limit=limit), RDF_TYPES[fmt][0], headers)

    def entity_path(self, rest: str, args: dict[str, list[str]]) -> None:
        from kg.namespaces import base
        from kg.serve.pages import EXTENSIONS

        fmt: str | None = None
        for ext, f in EXTENSIONS.items():
            if rest.endswith(ext):
                rest, fmt = rest[: -len(ext)], f
                break
        if not re.match(r"^[a-z]+(/[A-Za-z0-9][A-Za-z0-9._-]*)+$", rest):
            return self.error(HTTPStatus.NOT_FOUND, f"/id/{rest} is not an entity path")
        if fmt is None:
            fmt = self._format(args, ENTITY_TYPES)
        return self._entity(base() + rest, fmt)

    def describe(self, args: dict[str, list[str]]) -> None:
        from kg.query.params import ParamError, expand_iri

        try:
            iri = expand_iri((args.get("iri") or [""])[0]).value
        except ParamError as err:
            return self.error(HTTPStatus.BAD_REQUEST, f"iri: {err}")
        return self._entity(iri, self._format(args, ENTITY_TYPES))

    def void(self) -> None:
        host = self.headers.get("Host") or f"{self.server.server_address[0]}:{self.server.server_address[1]}"
        endpoint = f"http://{host}/sparql" if re.match(r"^[A-Za-z0-9.\-\[\]:]+$", host) else None
        fmt = negotiate(self.headers.get("Accept"), [m for m in GRAPH_TYPES if m[1] in ("turtle", "nt", "jsonld")])
        if fmt is None:
            return self.error(HTTPStatus.NOT_ACCEPTABLE, "available: text/turtle, application/n-triples, "
                              "application/ld+json")
        data = self.config.void(endpoint or "")
        if fmt != "turtle":
            import pyoxigraph as ox

            triples = list(ox.parse(data, format=ox.RdfFormat.TURTLE))
            data = ox.serialize(triples, format={"nt": ox.RdfFormat.N_TRIPLES,
                                                 "jsonld": ox.RdfFormat.JSON_LD}[fmt]) or b""
        self.send(200, data, MEDIA_TYPES[fmt], {"Vary": "Accept"})


def _inside(f: Any, root: Any) -> bool:
    """``f`` is a regular file of ``root`` itself: not a symbolic link, nor anything it leads to.

    >>> from pathlib import Path
    >>> _inside(Path(__file__), Path(__file__).parent), _inside(Path(__file__), Path(__file__).parent / "static")
    (True, False)
    """
    if not isinstance(f, Path):  # packaged in a zip: no links there
        return True
    try:
        return not f.is_symlink() and f.resolve(strict=True).parent == Path(str(root)).resolve(strict=True)
    except OSError:
        return False


def _form(text: str) -> str:
    from kg.query.params import _FORMS, code_only

    m = _FORMS.search(code_only(text))
    return m.group(1).upper() if m else "SELECT"


class Server(ThreadingHTTPServer):
    daemon_threads = True
    verbose = False
    request_queue_size = 128  # listen backlog: bursts of clients wait instead of being refused

    def __init__(self, address: tuple[str, int], config: Config) -> None:
        # ``timeout``: a connection that sends nothing for that long (an idle keep-alive, a
        # slow-loris client) is closed, so idle sockets cannot pile up threads
        handler = type("BoundHandler", (Handler,), {"config": config, "timeout": config.idle_timeout})
        self.config = config
        super().__init__(address, handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def server_close(self) -> None:
        super().server_close()
        self.config.close()

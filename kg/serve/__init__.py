"""``kg serve``: a local linked-data server over the store — SPARQL 1.1 Protocol at ``/sparql``
(read-only, time-out and result cap on every query), a query page with the named queries,
dereferenceable IRIs with content negotiation and ``/.well-known/void``.

Why our own server rather than ``oxigraph serve-read-only``: Oxigraph's server answers the
SPARQL protocol (and has a time-out) but not the rest — dereferencing ``/id/…`` as HTML/RDF, the
named-query page with typed parameters, predeclared prefixes, a result cap, VoID — so it would
need a proxy in front and a second binary. A stdlib ``ThreadingHTTPServer`` over the same
embedded store, with queries in killable worker processes (:mod:`kg.serve.workers`), does it all
with no dependency. See ``docs/sparql.md``.
"""

from __future__ import annotations

from typing import Any

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878


def make_server(
    store_spec: str | None, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
    timeout: float = 10.0, max_rows: int = 10000, workers: int = 2, max_body: int = 1 << 20,
    idle_timeout: float = 60.0, follow_every: float = 1.0,
) -> Any:
    """Open the store read-only, start the query workers and bind ``host:port`` (0: any free
    port). Call ``serve_forever()`` on the result, and ``server_close()`` when done.
    ``idle_timeout``: seconds a connection may stay silent before it is closed. An embedded store
    is followed (:mod:`kg.serve.follow`): a commit is served after at most ``follow_every``
    seconds and the time it takes to open the store again."""
    from pathlib import Path

    from kg.serve.app import Config, Server
    from kg.serve.follow import StoreFollower
    from kg.serve.workers import InlineExecutor, WorkerPool
    from kg.store import open_store, parse_store_url, resolve_store

    spec = resolve_store(store_spec)
    scheme, location = parse_store_url(spec)

    def open_pair() -> tuple[Any, Any]:
        store = open_store(spec, read_only=True)
        if scheme != "oxigraph" or workers <= 0:
            return store, InlineExecutor(store)
        try:
            return store, WorkerPool(spec, workers)
        except BaseException:
            store.close()
            raise

    limits = {"timeout": timeout, "max_rows": max_rows, "max_body": max_body, "idle_timeout": idle_timeout}
    if scheme == "oxigraph":  # a remote server is live already; a memory store never changes
        # queries have ``timeout`` seconds: the old store outlives the last one that may use it
        follower = StoreFollower(Path(location or ".kg/store"), open_pair, every=follow_every,
                                 grace=timeout + 5)
        config = Config(None, None, follower=follower, **limits)
    else:
        config = Config(*open_pair(), **limits)
    try:
        return Server((host, port), config)
    except BaseException:
        config.close()
        config.store.close()
        raise

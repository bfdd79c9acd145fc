"""``kg serve``: the local linked-data server."""

from __future__ import annotations

import click

from kg.cli.options import EXIT_STORE, fail, store_option


@click.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind (loopback by default; anything else exposes the server).")
@click.option("--port", default=7878, show_default=True, type=click.IntRange(0, 65535),
              help="Port (0: any free port).")
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds a query may run before it is stopped (503).")
@click.option("--max-rows", default=10000, show_default=True, type=click.IntRange(min=0),
              help="Result cap: rows or triples returned per query (0: no cap).")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(min=0),
              help="Query worker processes (0: run queries in the server process).")
@click.option("--max-body", default=1 << 20, show_default=True, type=click.IntRange(min=1024),
              help="Largest request body accepted, in bytes (413 above).")
@click.option("--idle-timeout", default=60.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds a connection may stay silent (mid-request or idle keep-alive) before "
              "it is closed.")
@click.option("-v", "--verbose", is_flag=True, help="Log every request.")
def serve(store_spec: str | None, host: str, port: int, timeout: float, max_rows: int, workers: int,
          max_body: int, idle_timeout: float, verbose: bool) -> None:
    """Serve SPARQL and dereferenceable IRIs on loopback, read-only.

    \b
    /                      query page (named queries as examples)
    /sparql                SPARQL 1.1 Protocol (GET/POST; updates → 403)
    /queries/NAME?p=v      a named query with typed parameters
    /id/FAMILY/SLUG        an IRI of the graph: HTML, Turtle, N-Triples,
                           JSON-LD (Accept header or .ttl/.nt/.jsonld)
    /.well-known/void      VoID description

    The server follows an embedded store: after kg build or kg ingest
    commits, the next requests (a second or two later) see the new graph.

    Example:

        kg serve --port 7878 --timeout 5   # then open http://127.0.0.1:7878/
    """
    from kg.serve import make_server
    from kg.store import StoreError

    try:
        server = make_server(store_spec, host=host, port=port, timeout=timeout, max_rows=max_rows,
                             workers=workers, max_body=max_body, idle_timeout=idle_timeout)
    except StoreError as err:
        fail(str(err), EXIT_STORE)
    except (OSError, RuntimeError) as err:
        fail(f"cannot start the server on {host}:{port}: {err}", EXIT_STORE)
    server.verbose = verbose
    click.echo(f"medkg serving {server.config.store.url} at {server.url}/ (SPARQL: {server.url}/sparql); "
               "Ctrl+C to stop", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        server.config.store.close()

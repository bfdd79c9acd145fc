"""``kg serve`` served safely: loopback by default, read-only, bounded query time and result size,
oversized and idle requests refused, no file outside its own assets (path traversal with ``..``,
``%2e%2e``, absolute paths, symbolic links), and no error under a small concurrent load.

Requests that an HTTP library would tidy up (``..`` segments) are sent byte for byte on a raw
socket."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from importlib import resources
from pathlib import Path

import httpx
import pytest

from .conftest import running_server

pytestmark = pytest.mark.server
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SECRETS = ("root:x:0:0", "ThreadingHTTPServer", "[project]", "medkg-secret-marker")


@pytest.fixture(scope="module")
def server(built_store):
    with running_server(built_store, timeout=1.5, max_rows=7, workers=1, max_body=4096,
                        idle_timeout=1.0) as srv:
        yield srv


@pytest.fixture
def http(server):
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def raw(server, request: bytes, *, timeout: float = 10) -> tuple[int, bytes]:
    """Send ``request`` as is; the status code and the whole answer."""
    host, port = server.server_address[:2]
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(request)
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            data += chunk
            if b"\r\n\r\n" in data:
                head, _, body = data.partition(b"\r\n\r\n")
                length = next(
                    (
                        int(h.split(b":")[1])
                        for h in head.split(b"\r\n")
                        if h.lower().startswith(b"content-length:")
                    ),
                    None,
                )
                if length is not None and len(body) >= length:
                    break
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, data


def count_triples(http) -> int:
    r = http.get(
        "/sparql",
        params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


# --------------------------------------------------------------------------------------------
# loopback by default


def _outside_address() -> str | None:
    """An address of this machine that is not loopback (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            addr = s.getsockname()[0]
        except OSError:
            return None
    return None if addr.startswith("127.") else addr


def test_kg_serve_binds_loopback_by_default(built_store, tmp_path: Path) -> None:
    from bench.load import free_port

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "serve", "--store", built_store, "--port", str(port), "--workers", "0"],
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        line = proc.stderr.readline()  # "medkg serving … at http://127.0.0.1:PORT/ …"
        assert f"http://127.0.0.1:{port}/" in line, line
        assert httpx.get(f"http://127.0.0.1:{port}/queries", timeout=10).status_code == 200
        with socket.socket() as s:  # the port is bound on 127.0.0.1 only
            s.bind(("0.0.0.0", 0))
        outside = _outside_address()
        if outside:
            with pytest.raises(OSError), socket.create_connection((outside, port), timeout=2):
                pass
    finally:
        proc.terminate()
        proc.wait(10)


# --------------------------------------------------------------------------------------------
# read-only


def test_nothing_can_write(server, http) -> None:
    before = count_triples(http)
    update = "INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> <urn:c> } }"
    assert http.post("/sparql", data={"update": update}).status_code == 403
    assert http.get("/sparql", params={"update": update}).status_code == 403
    assert (
        http.post(
            "/sparql", content=update.encode(), headers={"Content-Type": "application/sparql-update"}
        ).status_code
        == 403
    )
    for text in (update, "DROP ALL", "LOAD <http://example.org/x>", "CLEAR DEFAULT"):
        assert http.get("/sparql", params={"query": text}).status_code == 400  # not a query
        assert (
            http.post(
                "/sparql", content=text.encode(), headers={"Content-Type": "application/sparql-query"}
            ).status_code
            == 400
        )
    service = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    assert http.get("/sparql", params={"query": service}).status_code == 400
    for method in ("PUT", "DELETE", "PATCH"):
        assert http.request(method, "/sparql", content=b"x").status_code == 405
        assert http.request(method, "/id/dataset/cmb", content=b"x").status_code == 405
    assert count_triples(http) == before
    # the store itself is open read-only: a write through its API fails
    from kg.store import StoreError

    with pytest.raises(StoreError):
        server.config.store.replace_graphs({"urn:x": []})


# --------------------------------------------------------------------------------------------
# bounded time and size


def test_query_time_is_bounded_and_the_server_recovers(http) -> None:
    started = time.monotonic()
    r = http.get("/sparql", params={"query": HEAVY})
    elapsed = time.monotonic() - started
    assert r.status_code == 503 and "timed out" in r.text
    assert elapsed < 1.5 + 5  # the time-out plus a margin for a loaded machine, not minutes
    ok = http.get("/queries/topics", headers={"Accept": "application/sparql-results+json"})
    assert ok.status_code == 200 and ok.json()["results"]["bindings"]


def test_result_size_is_capped(http) -> None:
    r = http.get(
        "/sparql",
        params={"query": "SELECT * WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert len(r.json()["results"]["bindings"]) == 7
    assert r.headers["X-Result-Truncated"] == "true"
    c = http.get(
        "/sparql",
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/n-triples"},
    )
    assert len([ln for ln in c.text.splitlines() if ln.strip()]) == 7
    small = http.get(
        "/sparql",
        params={"query": "SELECT * WHERE { ?s ?p ?o }", "limit": "2"},
        headers={"Accept": "text/csv"},
    )
    assert len(small.text.strip().splitlines()) == 3  # header and two rows
    assert (
        http.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }", "limit": "x"}).status_code == 400
    )


def test_oversized_requests_are_refused(server, http) -> None:
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 5000
    assert (
        http.post(
            "/sparql", content=big.encode(), headers={"Content-Type": "application/sparql-query"}
        ).status_code
        == 413
    )
    assert http.post("/sparql", data={"query": big}).status_code == 413
    # a body announced as huge is refused before it is read
    status, _ = raw(
        server,
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 10000000000\r\n\r\nSELECT",
    )
    assert status == 413
    # no length, a chunked body: refused rather than read without end
    status, _ = raw(
        server,
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n5\r\nSELEC\r\n0\r\n\r\n",
    )
    assert status == 411
    status, _ = raw(server, b"GET /sparql?query=" + b"x" * 70000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status == 414
    status, _ = raw(server, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"y" * 70000 + b"\r\n\r\n")
    assert status == 431
    many = b"".join(b"X-H%d: v\r\n" % i for i in range(150))
    status, _ = raw(server, b"GET / HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n")
    assert status == 431
    assert http.get("/queries").status_code == 200  # and the server goes on


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /queries\r\n\r\n",  # HTTP/0.9
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 40 + b"\r\n\r\n",  # a TLS hello
        b"GET / HTTP/9.9\r\n\r\n",
        b"BREW /pot HTTP/1.1\r\n\r\n",
        b"GET\r\n\r\n",
        b"\r\n\r\n",
        b"GET /%zz%00\xff HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /sparql?query=%ff%fe HTTP/1.1\r\nHost: x\r\n\r\n",
    ],
)
def test_malformed_requests_get_an_answer_and_the_server_goes_on(server, http, request_bytes: bytes) -> None:
    status, data = raw(server, request_bytes, timeout=5)
    assert status in (0, 400, 404, 405, 501, 505) or data == b"", data[:100]
    assert status < 500 or status in (501, 505)
    assert http.get("/queries").status_code == 200


def test_idle_connections_are_closed(server, http) -> None:
    host, port = server.server_address[:2]
    with socket.create_connection((host, port), timeout=10) as s:
        s.sendall(b"GET /queries HTTP/1.1\r\nHost: x\r\n")  # headers never finished: a slow loris
        started = time.monotonic()
        assert s.recv(1024) == b""  # the server hangs up …
        assert time.monotonic() - started < 8  # … after its idle time-out (1 s here)
    assert http.get("/queries").status_code == 200


# --------------------------------------------------------------------------------------------
# no file outside its own assets

TRAVERSALS = [
    "/static/../app.py",
    "/static/../../kg/serve/app.py",
    "/static/..%2fapp.py",
    "/static/%2e%2e/app.py",
    "/static/%2e%2e%2f%2e%2e%2fpyproject.toml",
    "/static/..%5capp.py",
    "/static/.%2e/app.py",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/static/index.html/../../app.py",
    "/static/app.py",
    "/static/__init__.py",
    "/static/index.html%00.py",
    "/static/../../../../../../etc/passwd",
    "/../../../../etc/passwd",
    "/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "//etc/passwd",
    "/etc/passwd",
    "/id/../../../etc/passwd",
    "/id/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/id/dataset/..%2f..%2f..%2fetc%2fpasswd",
    "/id/dataset/cmb/../../../../etc/passwd",
    "/queries/../../pyproject.toml",
    "/queries/..%2f..%2fpyproject",
    "/queries/%2e%2e%2fpyproject",
    "/describe?iri=file:///etc/passwd",
    "/describe?iri=/etc/passwd",
    "/describe?iri=..%2f..%2fetc%2fpasswd",
    "http://127.0.0.1/../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/static/%252e%252e/app.py",
    "/static/\\..\\app.py",
    "/void/../../etc/passwd",
    "/.well-known/../../etc/passwd",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_path_traversal_serves_nothing_outside(server, target: str) -> None:
    status, data = raw(server, f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    assert status in (400, 404), (target, status, data[:200])
    assert not any(s.encode() in data for s in SECRETS), target


def test_symbolic_links_in_the_assets_are_not_followed(server, tmp_path: Path) -> None:
    secret = tmp_path / "secret.js"
    secret.write_text("medkg-secret-marker\n")
    static = Path(str(resources.files("kg.serve").joinpath("static")))
    links = [static / "zz-reliability-link.js", static / "zz-reliability-dir"]
    try:
        links[0].symlink_to(secret)
        links[1].symlink_to(tmp_path, target_is_directory=True)
    except OSError:
        pytest.skip("cannot create symbolic links here")
    try:
        for target in ("/static/zz-reliability-link.js", "/static/zz-reliability-dir/secret.js"):
            status, data = raw(
                server, f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
            )
            assert status == 404, (target, data[:200])
            assert b"medkg-secret-marker" not in data
        status, data = raw(server, b"GET /static/app.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert status == 200  # real assets still come
    finally:
        for link in links:
            link.unlink(missing_ok=True)


# --------------------------------------------------------------------------------------------
# a small load (the real one is bench/load.py, a benchmark)


def test_small_concurrent_load_has_no_errors(built_store) -> None:
    from bench.load import run_load
    from kg.serve import make_server

    srv = make_server(built_store, port=0, timeout=20, workers=2)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        report = run_load(srv.url, clients=5, duration=2.0)
    finally:
        srv.shutdown()
        srv.server_close()
        srv.config.store.close()
    assert report.requests > 0
    assert report.errors == 0, report.error_samples

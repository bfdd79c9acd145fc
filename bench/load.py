"""A bounded load test of ``kg serve`` on loopback: many concurrent clients, for a fixed time, asking
the named query library (each query with its default parameters), entity pages and the SPARQL
endpoint. Reports requests, errors (anything but a 2xx, or a failed connection), throughput and
latency percentiles. A benchmark, not a test: ``tests/test_reliability_serve.py`` runs a small
version and asserts only that there are no errors.

``python -m bench.load --store .kg/store`` starts ``kg serve`` on a free loopback port in its own
process (so the clients do not share its interpreter), runs 50 clients for 20 s and prints a
Markdown table; ``--append bench/RESULTS.md`` adds it as a section. ``--url`` loads a server that
is already running instead.

Clients are stdlib threads with one keep-alive ``http.client`` connection each.

>>> percentile([1.0, 2.0, 3.0, 4.0], 50)
2.5
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class LoadReport:
    clients: int
    duration: float
    requests: int = 0
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    by_status: Counter[str] = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)
    per_path: dict[str, list[float]] = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        return self.requests / self.duration if self.duration else 0.0

    def summary(self) -> dict[str, object]:
        lat = self.latencies_ms
        return {
            "clients": self.clients,
            "duration_s": round(self.duration, 1),
            "requests": self.requests,
            "errors": self.errors,
            "throughput_rps": round(self.throughput, 1),
            "p50_ms": round(percentile(lat, 50), 1),
            "p90_ms": round(percentile(lat, 90), 1),
            "p99_ms": round(percentile(lat, 99), 1),
            "max_ms": round(max(lat), 1) if lat else 0.0,
            "status": dict(self.by_status),
        }

    def table(self) -> str:
        s = self.summary()
        lines = [
            "| clients | duration | requests | errors | throughput | p50 | p90 | p99 | max |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {s['clients']} | {s['duration_s']} s | {s['requests']} | {s['errors']} | "
            f"{s['throughput_rps']} req/s | {s['p50_ms']} ms | {s['p90_ms']} ms | {s['p99_ms']} ms | "
            f"{s['max_ms']} ms |",
            "",
            "| request | n | p50 | p99 |",
            "|---|---:|---:|---:|",
        ]
        for path, lat in sorted(self.per_path.items()):
            lines.append(
                f"| `{path}` | {len(lat)} | {percentile(lat, 50):.1f} ms | {percentile(lat, 99):.1f} ms |"
            )
        return "\n".join(lines)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (linear interpolation, as ``statistics.quantiles`` inclusive)."""
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[min(max(int(round(q)) - 1, 0), 98)] if q < 100 else max(values)


def request_mix(base_url: str) -> list[tuple[str, str, str]]:
    """(label, path, Accept) for every named query with its defaults, a few entity pages and an
    ad-hoc SPARQL query, read from the server itself (``/queries``)."""
    u = urlsplit(base_url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    try:
        conn.request("GET", "/queries", headers={"Accept": "application/json"})
        resp = conn.getresponse()
        lib = json.loads(resp.read())
        # a few entities that exist, whatever the catalog
        q = "SELECT DISTINCT ?s WHERE { ?s a ?c FILTER(STRSTARTS(STR(?s), STR(kg:))) } ORDER BY ?s LIMIT 5"
        conn.request(
            "GET", "/sparql?query=" + quote(q), headers={"Accept": "application/sparql-results+json"}
        )
        rows = json.loads(conn.getresponse().read())["results"]["bindings"]
    finally:
        conn.close()
    mix: list[tuple[str, str, str]] = []
    for query in lib["queries"]:
        graph = query.get("form", "").upper() in ("CONSTRUCT", "DESCRIBE") or "CONSTRUCT" in query.get(
            "text", ""
        )
        accept = "text/turtle" if graph else "application/sparql-results+json"
        mix.append((f"/queries/{query['name']}", f"/queries/{query['name']}", accept))
    base = lib["base"]
    for row in rows:
        iri = row["s"]["value"]
        if iri.startswith(base):
            mix.append(("/id/… (html)", "/id/" + iri[len(base) :], "text/html"))
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s a kgo:Paper }"
    mix.append(("/sparql (count)", "/sparql?query=" + quote(count), "application/sparql-results+json"))
    return mix


def run_load(
    base_url: str, *, clients: int = 50, duration: float = 20.0, mix: list[tuple[str, str, str]] | None = None
) -> LoadReport:
    """``clients`` threads, each cycling through ``mix`` (from a different start) on one keep-alive
    connection, for ``duration`` seconds."""
    mix = mix or request_mix(base_url)
    u = urlsplit(base_url)
    report = LoadReport(clients, duration)
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(k: int) -> None:
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
        lat: list[tuple[str, float]] = []
        statuses: Counter[str] = Counter()
        errors: list[str] = []
        i = k
        start.wait()
        while time.monotonic() < stop_at[0]:
            label, path, accept = mix[i % len(mix)]
            i += 1
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Accept": accept})
                resp = conn.getresponse()
                body = resp.read()
                status = str(resp.status)
                if resp.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException) as err:
                conn.close()
                conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
                status, body = type(err).__name__, str(err).encode()
            lat.append((label, (time.perf_counter() - t0) * 1000))
            statuses[status] += 1
            if not status.startswith("2"):
                errors.append(f"{path} → {status}: {body[:120]!r}")
        conn.close()
        with lock:
            for label, ms in lat:
                report.latencies_ms.append(ms)
                report.per_path.setdefault(label, []).append(ms)
            report.requests += len(lat)
            report.by_status.update(statuses)
            report.errors += len(errors)
            report.error_samples.extend(
                errors[: 5 - len(report.error_samples)] if len(report.error_samples) < 5 else []
            )

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(clients)]
    for t in threads:
        t.start()
    began = time.monotonic()
    stop_at[0] = began + duration
    start.wait()
    for t in threads:
        t.join()
    report.duration = time.monotonic() - began
    return report


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """``kg serve`` in a child process on a free loopback port."""

    def __init__(self, store: str, *, workers: int = 2, timeout: float = 10.0) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kg",
                "serve",
                "--store",
                store,
                "--port",
                str(self.port),
                "--workers",
                str(workers),
                "--timeout",
                str(timeout),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"kg serve exited: {self.proc.stderr.read() if self.proc.stderr else ''}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/queries")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                time.sleep(0.1)
        self.close()
        raise RuntimeError("kg serve did not answer within 60 s")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def section(report: LoadReport, *, store: str, workers: int, command: str) -> str:
    s = report.summary()
    return (
        f"\n## Serving under load (`bench/load.py`)\n\n"
        f"`kg serve` on 127.0.0.1 with {workers} query workers, {report.clients} concurrent clients "
        f"(threads, one keep-alive connection each) for {s['duration_s']} s, cycling through every "
        f"named query of the library with its default parameters, entity pages (`/id/…`, HTML) and "
        f"an ad-hoc `/sparql` count. Store: `{store}`. Machine: {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}.\n\n"
        f"Command: `{command}`\n\n{report.table()}\n\n"
        f"Errors are any status other than 2xx and any failed connection; there were {report.errors}. "
        f"Latency includes the wait for a free query worker: with {report.clients} clients and "
        f"{workers} workers a request mostly queues, so p50 ≈ clients × mean service time / workers.\n"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Load-test kg serve on loopback.")
    ap.add_argument("--store", default=os.environ.get("KG_STORE", ".kg/store"))
    ap.add_argument("--url", help="an already running server (default: start kg serve)")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--duration", type=float, default=20.0)
    ap.add_argument("--workers", type=int, default=2, help="kg serve --workers")
    ap.add_argument("--append", type=Path, help="append the result as a Markdown section to this file")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    a = ap.parse_args(argv)
    server = None if a.url else ServerProcess(a.store, workers=a.workers)
    url = a.url or server.url  # type: ignore[union-attr]
    try:
        report = run_load(url, clients=a.clients, duration=a.duration)
    finally:
        if server:
            server.close()
    print(json.dumps(report.summary()) if a.json else report.table())
    for e in report.error_samples:
        print("error:", e, file=sys.stderr)
    if a.append:
        cmd = "python -m bench.load " + " ".join(argv if argv is not None else sys.argv[1:])
        with a.append.open("a", encoding="utf-8") as fh:
            fh.write(section(report, store=a.store, workers=a.workers, command=cmd.strip()))
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())

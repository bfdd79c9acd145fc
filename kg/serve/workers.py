"""Query execution for the server, with a time-out that really stops the query.

pyoxigraph has no time-out or cancellation, and a thread cannot be killed, so the server runs
queries in a small pool of worker *processes*, each holding the store open read-only (RocksDB
allows several read-only openers). A query that overruns its time-out has its worker killed
(SIGKILL: CPU and memory come back at once) and replaced by a fresh one in the background. Workers
are started with ``spawn`` (no fork of a process holding RocksDB handles and threads) once, at
server start, so a query costs one pipe round trip.

Stores that are not a local Oxigraph directory (``memory:``, a remote ``sparql+http:`` server)
use :class:`InlineExecutor`: the query runs in a thread and is abandoned at the time-out (a remote
server enforces its own time-out; a memory store is for tests).
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
from dataclasses import dataclass
from typing import Any

from kg.query.run import QueryError, QuerySyntaxError, QueryTimeout


@dataclass
class Reply:
    body: bytes
    kind: str
    count: int
    truncated: bool
    elapsed: float


def run_job(store: Any, job: dict[str, Any]) -> dict[str, Any]:
    """Run one job (text, bindings, fmt, limit) and describe the outcome as a picklable dict."""
    from kg.query import serialize_result
    from kg.query.run import execute

    try:
        res = execute(store, job["text"], substitutions=job.get("bindings"), limit=job.get("limit"))
        body = serialize_result(res, job["fmt"])
    except QuerySyntaxError as err:
        return {"ok": False, "kind": "syntax", "message": err.message, "line": err.line,
                "column": err.column, "snippet": err.snippet}
    except (QueryError, ValueError) as err:
        return {"ok": False, "kind": "query", "message": str(err)}
    return {"ok": True, "body": body, "kind": res.kind, "count": res.count,
            "truncated": res.truncated, "elapsed": res.elapsed}


def _reply(out: dict[str, Any]) -> Reply:
    if out["ok"]:
        return Reply(out["body"], out["kind"], out["count"], out["truncated"], out["elapsed"])
    if out["kind"] == "syntax":
        raise QuerySyntaxError(out["message"], out["line"], out["column"], out["snippet"])
    raise QueryError(out["message"])


def _worker_main(conn: Any, store_spec: str) -> None:  # pragma: no cover - runs in a child
    from kg.store import StoreError, open_store

    try:
        store = open_store(store_spec, read_only=True)
    except StoreError as err:
        conn.send(("error", str(err)))
        return
    conn.send(("ready", None))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(run_job(store, job))


class _Worker:
    def __init__(self, ctx: Any, store_spec: str) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, store_spec), daemon=True,
                                   name="kg-serve-worker")
        self.process.start()
        child.close()
        if not self.conn.poll(60):
            self.kill()
            raise RuntimeError("query worker did not start within 60 s")
        status, message = self.conn.recv()
        if status != "ready":
            self.kill()
            raise RuntimeError(f"query worker cannot open the store: {message}")

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class WorkerPool:
    """``size`` worker processes over a local store; :meth:`run` gives up (and kills the worker)
    after ``timeout`` seconds."""

    def __init__(self, store_spec: str, size: int = 2) -> None:
        self.store_spec = store_spec
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        workers = [_Worker(self._ctx, store_spec) for _ in range(max(1, size))]
        for w in workers:
            self._all.add(w)
            self._idle.put(w)

    def _replace(self, dead: _Worker) -> None:
        dead.kill()
        with self._lock:
            self._all.discard(dead)
        if self._closed:
            return

        def start() -> None:
            try:
                w = _Worker(self._ctx, self.store_spec)
            except RuntimeError:
                return
            with self._lock:
                if self._closed:
                    w.kill()
                    return
                self._all.add(w)
            self._idle.put(w)

        threading.Thread(target=start, daemon=True, name="kg-serve-respawn").start()

    def run(self, job: dict[str, Any], timeout: float) -> Reply:
        deadline = time.monotonic() + timeout
        try:
            w = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise QueryTimeout(f"server busy: no query worker free within {timeout:g} s") from None
        try:
            w.conn.send(job)
            if not w.conn.poll(max(deadline - time.monotonic(), 0.0)):
                self._replace(w)
                raise QueryTimeout(f"query timed out after {timeout:g} s")
            out = w.conn.recv()
        except (EOFError, OSError) as err:
            self._replace(w)
            raise QueryError(f"query worker failed: {err}") from None
        self._idle.put(w)
        return _reply(out)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            w.kill()


class InlineExecutor:
    """Runs queries in the server process (thread + abandon at the time-out)."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def run(self, job: dict[str, Any], timeout: float) -> Reply:
        box: dict[str, Any] = {}
        t = threading.Thread(target=lambda: box.setdefault("out", run_job(self.store, job)), daemon=True)
        t.start()
        t.join(timeout)
        if t.is_alive():
            raise QueryTimeout(f"query timed out after {timeout:g} s")
        return _reply(box["out"])

    def close(self) -> None:
        pass

"""Running one query: predeclared prefixes, typed bindings, a result cap, a time-out, and syntax
errors that point at the user's line and column.

The time-out here is *in-process*: the query is evaluated and its results collected in a daemon
thread (pyoxigraph releases the GIL while it evaluates), and the caller stops waiting when the
time is up. That is right for a one-shot command, which then exits; a long-running server must
also free the CPU, so ``kg serve`` runs queries in worker processes that it kills
(:mod:`kg.serve.workers`).

>>> s = ox.Store()  # a medkg Store or a bare pyoxigraph Store
>>> r = execute(s, "SELECT ?x WHERE { VALUES ?x { 1 2 3 } }", limit=2)
>>> r.kind, len(r.rows), r.truncated
('solutions', 2, True)
>>> try:
...     execute(s, "SELECT * WHERE {\\n  ?s ?p }")
... except QuerySyntaxError as err:
...     (err.line, err.column)
(2, 9)
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.namespaces import sparql_prologue
from kg.query.order import Lifted, sort_rows, top_rows
from kg.query.order import lift as lift_order


class QueryError(Exception):
    """The query cannot be run (bad syntax, evaluation error, time-out): exit code 1."""


class QuerySyntaxError(QueryError):
    def __init__(self, message: str, line: int | None = None, column: int | None = None,
                 snippet: str = "") -> None:
        self.message, self.line, self.column, self.snippet = message, line, column, snippet
        where = f"line {line}, column {column}: " if line is not None else ""
        super().__init__(f"syntax error at {where}{message}" if where else f"syntax error: {message}")

    def pointer(self) -> str:
        """The offending line with a caret under the column (empty if unknown)."""
        if not self.snippet or self.column is None:
            return ""
        return f"  {self.snippet}\n  {' ' * max(self.column - 1, 0)}^"


class QueryTimeout(QueryError):
    pass


@dataclass
class Result:
    """A materialized, possibly capped result."""

    kind: str  # "solutions" | "boolean" | "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[ox.QuerySolution] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False
    elapsed: float = 0.0

    @property
    def count(self) -> int:
        return {"solutions": len(self.rows), "graph": len(self.triples)}.get(self.kind, 1)


def prologue_lines(prologue: str | None = None) -> int:
    return (prologue if prologue is not None else sparql_prologue()).count("\n")


def syntax_error(err: SyntaxError, user_text: str, offset_lines: int) -> QuerySyntaxError:
    """Map pyoxigraph's ``error at L:C: …`` onto the user's text (before the prologue was added).

    >>> e = syntax_error(SyntaxError("error at 3:5: expected one of X, Y"), "a\\nbcde", 1)
    >>> (e.line, e.column, e.snippet, e.message)
    (2, 4, 'bcde', 'expected one of X, Y')
    """
    text = str(err)
    m = re.match(r"^error at (\d+):(\d+):\s*(.*)$", text, re.DOTALL)
    if not m:
        return QuerySyntaxError(_tidy(text))
    # pyoxigraph reports the position just past the furthest character it examined
    line, col = int(m[1]) - offset_lines, max(int(m[2]) - 1, 1)
    lines = user_text.splitlines()
    snippet = lines[line - 1] if 1 <= line <= len(lines) else ""
    message = _tidy(m[3])
    if "Prefix not found" in m[3] and snippet:
        pm = re.search(r"([A-Za-z][\w.\-]*)?:[\w.\-]*$", snippet[:col])
        name = pm.group(1) if pm and pm.group(1) else ""
        message = f"unknown prefix '{name}:' (declare it with PREFIX {name}: <…>)"
    return QuerySyntaxError(message, line if line >= 1 else None, col, snippet)


def _tidy(message: str) -> str:
    """Keep the readable alternatives of a parser message, drop character-class noise."""
    m = re.match(r"^expected one of (.*)$", message, re.DOTALL)
    if not m:
        return " ".join(message.split())
    tokens = re.findall(r'"(?:[^"\\]|\\.)*"|\[(?:\'[^\']*\'|[^\]\'])*\]|[^,\s][^,]*', m[1])
    items = [t.strip() for t in tokens if not t.startswith("[")]
    items = [i for i in dict.fromkeys(items) if i and i != "Prefix not found"]
    return "expected one of " + ", ".join(items[:20]) + (" …" if len(items) > 20 else "")


def _collect(result: Any, limit: int | None) -> Result:
    if isinstance(result, ox.QueryBoolean):
        return Result("boolean", boolean=bool(result))
    if isinstance(result, ox.QueryTriples):
        triples: list[ox.Triple] = []
        truncated = False
        for t in result:
            if limit is not None and len(triples) >= limit:
                truncated = True
                break
            triples.append(t)
        return Result("graph", triples=triples, truncated=truncated)
    names = [v.value for v in result.variables]
    rows: list[ox.QuerySolution] = []
    truncated = False
    for r in result:
        if limit is not None and len(rows) >= limit:
            truncated = True
            break
        rows.append(r)
    return Result("solutions", variables=names, rows=rows, truncated=truncated)


def _orders_in_python(store: Any) -> bool:
    """Whether ORDER BY is faster done on the rows in Python: the embedded store (see
    :mod:`kg.query.order`); remote servers and rdflib sort on their side."""
    return isinstance(store, ox.Store) or bool(getattr(store, "slow_order_by", False))


def _sorted_here(raw: Any, lifted: Lifted, limit: int | None) -> Result | None:
    """The rows of ``raw`` (the query without its ORDER BY) in the lifted order, at most ``limit``;
    ``None`` when they cannot be ordered here (the caller lets the engine sort)."""
    if not isinstance(raw, ox.QuerySolutions):
        return None
    names = [v.value for v in raw.variables]
    # keep no more rows than will be shown (+1 to tell that more exist): memory as when the engine
    # sorted and only the first rows were read
    take = lifted.limit
    if limit is not None:
        take = limit + 1 if take is None else min(take, limit + 1)
    if take is None:
        ordered = sort_rows(list(raw), lifted.keys)
        ordered = ordered[lifted.offset:] if ordered is not None else None
    else:
        ordered = top_rows(raw, lifted.keys, lifted.offset, take)
    if ordered is None:
        return None
    rows = ordered[:limit] if limit is not None else ordered
    return Result("solutions", variables=names, rows=rows, truncated=limit is not None and len(ordered) > limit)


def _query(store: Any, text: str, subs: dict[str, object] | None) -> Any:
    if isinstance(store, ox.Store):
        return store.query(text, use_default_graph_as_union=True,
                           substitutions={ox.Variable(k): v for k, v in subs.items()} if subs else None)
    return store.query(text, substitutions=subs)


def execute(
    store: Any, text: str, *, substitutions: Mapping[str, object] | None = None,
    limit: int | None = None, timeout: float | None = None, prologue: bool = True,
) -> Result:
    """Run ``text`` on ``store`` with predeclared prefixes and typed ``substitutions``, keep at
    most ``limit`` rows/triples (``truncated`` says whether more existed), and give up after
    ``timeout`` seconds (:class:`QueryTimeout`)."""
    pro = sparql_prologue() if prologue else ""
    full = pro + text
    started = time.perf_counter()

    def work() -> Result:
        try:
            subs = dict(substitutions or {}) or None
            lifted = lift_order(full) if _orders_in_python(store) else None
            if lifted is not None:  # the engine's ORDER BY is slow: sort the rows here (kg.query.order)
                res = _sorted_here(_query(store, lifted.text, subs), lifted, limit)
                if res is not None:
                    return res
            raw = _query(store, full, subs)
            return _collect(raw, limit)
        except SyntaxError as err:
            raise syntax_error(err, text, prologue_lines(pro)) from None
        except (OSError, RuntimeError, ValueError, TypeError) as err:
            raise QueryError(f"query failed: {err}") from None

    if timeout is None:
        res = work()
    else:
        box: dict[str, Any] = {}

        def target() -> None:
            try:
                box["ok"] = work()
            except BaseException as err:  # noqa: BLE001 - re-raised in the caller
                box["err"] = err

        t = threading.Thread(target=target, name="kg-query", daemon=True)
        t.start()
        t.join(timeout)
        if t.is_alive():
            raise QueryTimeout(f"query timed out after {timeout:g} s (raise it with --timeout)")
        if "err" in box:
            raise box["err"]
        res = box["ok"]
    res.elapsed = time.perf_counter() - started
    return res

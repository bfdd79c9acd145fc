"""Shared fixtures: the seed catalog, a store built from it, a CLI runner.

Tests build real stores from the real seed catalog (``data/catalog``) in temporary directories;
nothing is mocked.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "data" / "catalog"
SEED_FILES = sorted(CATALOG.glob("*.txt"))


@pytest.fixture(autouse=True, scope="session")
def _cache_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The session's own cache directory (kg.resources.cache_dir), never the user's."""
    os.environ["KG_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run with the project root as working directory (paths in provenance are relative to it)."""
    monkeypatch.chdir(ROOT)
    return ROOT


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store built once per session from the seed catalog, vocabularies and ontology, exactly
    as ``kg build`` does. Open it read-only in tests (``open_store(path, read_only=True)``)."""
    from kg.build import build
    from kg.store import open_store

    path = tmp_path_factory.mktemp("seed") / "store"
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        store = open_store(str(path))
        try:
            build(store, CATALOG, out_dir=None, validate=False)
        finally:
            store.close()
    finally:
        os.chdir(cwd)
    return str(path)


@pytest.fixture
def seed_store(built_store: str):
    """The session's seed store, opened read-only."""
    from kg.store import open_store

    store = open_store(built_store, read_only=True)
    yield store
    store.close()


@pytest.fixture
def store_copy(built_store: str, tmp_path: Path) -> str:
    """A private writable copy of the seed store."""
    dst = tmp_path / "store"
    shutil.copytree(built_store, dst, ignore=shutil.ignore_patterns("LOCK"))
    return str(dst)


def rows(store, sparql: str, **subs) -> list[dict[str, str]]:  # noqa: ANN001
    """SELECT rows as dicts of plain strings (prefixes predeclared)."""
    from kg.namespaces import sparql_prologue

    result = store.query(sparql_prologue() + sparql, substitutions=subs or None)
    names = [v.value for v in result.variables]
    return [{n: (r[n].value if r[n] is not None else None) for n in names} for r in result]


INTEGER_TYPES = ("#integer", "#positiveInteger", "#nonNegativeInteger", "#int", "#long")


def _library_cell(term) -> str:  # noqa: ANN001
    """A cell as text, a GROUP_CONCAT list (" | " or ", ") as its sorted parts (engines concatenate
    in their own order) and without the list's language tag (taken from one of its parts), an
    integer as its value (Virtuoso keeps xsd:positiveInteger as xsd:integer)."""
    if isinstance(term, ox.Literal):
        for sep in (" | ", ", "):
            if sep in term.value:
                return sep.join(sorted(term.value.split(sep)))
        if term.datatype.value.endswith(("#string", "#langString")):
            return term.value
        if term.datatype.value.endswith(INTEGER_TYPES):
            return f"integer {int(term.value)}"
        return str(term)
    return str(term)


def library_examples():  # noqa: ANN201
    """(name, named query, {param: value}) for every documented example of every library query."""
    import shlex

    from kg.query.library import load_library

    for name, q in sorted(load_library().items()):
        for example in q.examples:
            words = shlex.split(example)
            yield name, q, dict(w.split("=", 1) for a, w in zip(words, words[1:], strict=False)
                                if a == "--param" and "=" in w)


def library_differences(store, reference) -> tuple[set[str], dict[str, int]]:  # noqa: ANN001
    """Run every documented example of every library query on ``store`` and on ``reference``
    (parameters bound as each store binds them): the names of the queries whose answers differ
    (as sets of rows) or that fail, and the number of rows of each on ``reference``."""
    from kg.query.params import bind
    from kg.query.run import QueryError, execute

    differ, counts = set(), {}
    for name, q, given in library_examples():
        subs = bind(q.params, given, store=reference)
        here = execute(reference, q.text, substitutions=subs)
        try:
            there = execute(store, q.text, substitutions=subs)
        except QueryError:
            differ.add(name)
            continue
        if here.kind == "graph":
            want, got = {str(t) for t in here.triples}, {str(t) for t in there.triples}
        else:
            want = {tuple(_library_cell(r[v]) for v in here.variables) for r in here.rows}
            got = {tuple(_library_cell(r[v]) for v in here.variables) for r in there.rows}
        if got != want:
            differ.add(name)
        counts[name] = len(want)
    return differ, counts


@contextmanager
def running_server(store_path: str, **config):  # noqa: ANN003, ANN201
    """``kg serve`` on a free loopback port in a background thread, stopped (and its store
    closed) on exit. ``config`` goes to :func:`kg.serve.make_server`."""
    import threading

    from kg.serve import make_server

    srv = make_server(store_path, port=0, **config)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()
        srv.config.store.close()

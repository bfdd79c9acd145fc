"""Hostile input, property-based (hypothesis): the reader and the parser never raise on random
Unicode, NUL bytes, very long lines, GBK/Latin-1 bytes, truncated files, headers with missing
fields or 10^5 identical entries; every rejected entry is reported as ``path:line`` and kept in
the rejects file; accepted entries are the same whatever rejected entries surround them."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kg.cli import cli
from kg.parse import Entry, parse_paths, parse_record
from kg.read import Problem, Record, read_file
from kg.read.txt import MAX_LINE

from .conftest import SEED_FILES

SEED_PAIRS: list[tuple[str, str]] = [
    (r.header, r.description or "") for f in SEED_FILES for r in read_file(f) if isinstance(r, Record)
]
TYPED = [i for i, (h, _) in enumerate(SEED_PAIRS) if h.startswith(("论文", "数据资源"))]
PAIR = st.integers(0, len(SEED_PAIRS) - 1).map(SEED_PAIRS.__getitem__)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# text that looks like the catalog: its own characters, plus the characters that break things
SEED_CHARS = sorted({c for h, d in SEED_PAIRS for c in h + d})
NASTY = [
    "\x00",
    "\r",
    "\n",
    "\ufeff",
    "\u2028",
    "\u0085",
    "\t",
    "：",
    "\u200b",
    "\U0001f600",
    "\x1b",
    "\\",
    '"',
]
catalog_text = st.text(alphabet=st.sampled_from(SEED_CHARS + NASTY), max_size=400) | st.text(max_size=200)


@contextlib.contextmanager
def _chdir(path: str) -> Iterator[None]:
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


# Hypothesis runs hundreds of examples per test, outside pytest's tmp_path: they all write under
# one directory that is removed when the module is done.
_TMP_ROOT = Path(tempfile.mkdtemp(prefix="kg-input-"))


@pytest.fixture(scope="module", autouse=True)
def _remove_tmp_root() -> Iterator[None]:
    yield
    shutil.rmtree(_TMP_ROOT, ignore_errors=True)


def _tmpfile(data: bytes, name: str = "c.txt") -> Path:
    d = Path(tempfile.mkdtemp(dir=_TMP_ROOT))
    p = d / name
    p.write_bytes(data)
    return p


def _check_items(items: list[Entry | Problem | Record], path: Path, data: bytes) -> None:
    n_lines = data.count(b"\n") + 1
    for it in items:
        assert isinstance(it, Entry | Problem | Record), it
        assert it.path == path.as_posix() or it.path.endswith(path.name)
        assert 1 <= it.line <= n_lines, (it.line, n_lines)
        if isinstance(it, Problem):
            assert str(it).startswith(f"{it.path}:{it.line}: ") and it.reason


def _read_and_parse(data: bytes) -> list[Entry | Problem]:
    path = _tmpfile(data)
    _check_items(list(read_file(path)), path, data)
    items = list(parse_paths([path]))
    _check_items(items, path, data)
    return items


# --------------------------------------------------------------------------------------------
# never an uncaught exception


@FAST
@given(st.binary(max_size=3000))
def test_random_bytes(data: bytes) -> None:
    _read_and_parse(data)


@FAST
@given(
    st.lists(catalog_text, max_size=12), st.sampled_from(["utf-8", "utf-8-sig", "gbk", "latin-1", "utf-16"])
)
def test_random_unicode_in_any_encoding(lines: list[str], encoding: str) -> None:
    data = "\n".join(lines).encode(encoding, errors="replace")
    _read_and_parse(data)


@FAST
@given(st.integers(0, 4), st.data())
def test_truncated_seed_files(which: int, data: st.DataObject) -> None:
    raw = SEED_FILES[which % len(SEED_FILES)].read_bytes()
    cut = data.draw(st.integers(0, len(raw)))  # anywhere, also inside a UTF-8 sequence
    items = _read_and_parse(raw[:cut])
    complete = raw[:cut].count(b"\n") // 2  # entries whose both lines survived the cut
    assert sum(isinstance(i, Entry) for i in items) >= complete - 1


@FAST
@given(PAIR, st.data())
def test_headers_with_missing_fields(pair: tuple[str, str], data: st.DataObject) -> None:
    header, description = pair
    start = data.draw(st.integers(0, len(header)))
    end = data.draw(st.integers(start, len(header)))
    broken = header[:start] + header[end:]  # a field (or part of one) removed
    result = parse_record(Record("c.txt", 7, broken, description))
    assert isinstance(result, Entry | Problem)
    if isinstance(result, Problem):
        assert (result.path, result.line) == ("c.txt", 7) and result.reason
        assert broken in result.raw


@FAST
@given(st.sampled_from(["论文", "数据资源", ""]), catalog_text, catalog_text)
def test_parser_on_random_headers(prefix: str, header: str, description: str) -> None:
    result = parse_record(Record("c.txt", 1, prefix + header, description))
    assert isinstance(result, Entry | Problem)
    if isinstance(result, Entry):
        json.dumps(result.to_json(), ensure_ascii=False)  # the contract is serializable


def test_very_long_lines_and_nul_bytes(tmp_path: Path) -> None:
    header, desc = SEED_PAIRS[0]
    long_line = "论文" + "x" * (MAX_LINE + 10)
    data = "\n".join([header, desc, long_line, desc, "a\x00b" + header, desc, header, desc]).encode()
    items = _read_and_parse(data)
    problems = [(p.line, p.reason) for p in items if isinstance(p, Problem)]
    assert [ln for ln, _ in problems] == [3, 5]
    assert "longer than" in problems[0][1] and "NUL byte" in problems[1][1]
    assert [e.line for e in items if isinstance(e, Entry)] == [1, 7]


def test_a_hundred_thousand_identical_entries(tmp_path: Path) -> None:
    header, desc = SEED_PAIRS[0]
    path = tmp_path / "same.txt"
    path.write_text(f"{header}\n{desc}\n" * 100_000, "utf-8")
    n = 0
    first = None
    for item in parse_paths([path]):
        assert isinstance(item, Entry), item
        n += 1
        if first is None:
            first = item.to_json()
        elif n % 9973 == 0:  # every entry is the same, only its line differs
            j = item.to_json()
            assert j.pop("source") == {"path": first["source"]["path"], "line": 2 * n - 1}
            assert j == {k: v for k, v in first.items() if k != "source"}
    assert n == 100_000


# --------------------------------------------------------------------------------------------
# rejected entries never change the accepted ones around them


def _garbage() -> st.SearchStrategy[list[bytes]]:
    """Blocks of lines that are always rejected, each with the reason's kind."""
    words = st.lists(
        st.sampled_from(
            ["the", "model", "clinical", "data", "we", "report", "a", "of", "QA", "医学", "on", "benchmarks"]
        ),
        min_size=9,
        max_size=20,
    )
    zh = st.text(
        alphabet=st.sampled_from([c for c in SEED_CHARS if ord(c) > 0x2E80]), min_size=1, max_size=30
    )
    desc = st.integers(0, len(SEED_PAIRS) - 1).map(lambda i: SEED_PAIRS[i][1])
    return st.one_of(
        # an undecodable header (GBK or Latin-1 bytes), with or without its description
        st.tuples(zh, st.sampled_from(["gbk", "gb18030"]), st.booleans(), desc).map(
            lambda t: [("论文" + t[0]).encode(t[1])] + ([t[3].encode()] if t[2] else [])
        ),
        st.tuples(st.text(alphabet="éèüßøñ", min_size=1, max_size=20), desc).map(
            lambda t: ["数据资源".encode() + t[0].encode("latin-1"), t[1].encode()]
        ),
        # a NUL byte in a header or a lone line
        st.tuples(st.integers(0, len(SEED_PAIRS) - 1).map(SEED_PAIRS.__getitem__), st.integers(0, 30)).map(
            lambda t: [(t[0][0][: t[1]] + "\x00" + t[0][0][t[1] :]).encode(), t[0][1].encode()]
        ),
        # a description without a header
        words.map(lambda w: [(" ".join(w).capitalize() + ".").encode()]),
        # a typed header without a description
        st.sampled_from(TYPED).map(lambda i: [SEED_PAIRS[i][0].encode()]),
        # a resource header with its fields missing, with a description
        st.tuples(st.sampled_from(["MedQA", "Foo Bar", "CMB"]), desc).map(
            lambda t: [("数据资源" + t[0]).encode(), t[1].encode()]
        ),
    )


def _assemble(
    valid: list[tuple[str, str]], garbage: list[list[bytes] | None]
) -> tuple[bytes, list[int], int]:
    """Valid entries with a garbage block (or none) before each; the header lines of the valid
    entries and the number of garbage blocks."""
    lines: list[bytes] = []
    where: list[int] = []
    blocks = 0
    for (h, d), g in zip(valid, garbage, strict=True):
        if g:
            lines += g
            blocks += 1
        where.append(len(lines) + 1)
        lines += [h.encode(), d.encode()]
    return b"\n".join(lines) + b"\n", where, blocks


def _contract(e: Entry) -> dict:
    j = e.to_json()
    del j["source"]
    return j


@FAST
@given(st.data())
def test_accepted_entries_are_unaffected_by_rejected_ones(data: st.DataObject) -> None:
    valid = data.draw(st.lists(st.integers(0, len(SEED_PAIRS) - 1), min_size=1, max_size=6, unique=True))
    valid = [SEED_PAIRS[i] for i in valid]
    garbage = data.draw(st.lists(st.none() | _garbage(), min_size=len(valid), max_size=len(valid)))
    trailing = data.draw(st.none() | _garbage())
    clean, _, _ = _assemble(valid, [None] * len(valid))
    dirty, where, blocks = _assemble(valid, garbage)
    assume(blocks or trailing)
    if trailing:
        dirty += b"\n".join(trailing) + b"\n"
    expected = [_contract(e) for e in parse_paths([_tmpfile(clean)]) if isinstance(e, Entry)]
    assert len(expected) == len(valid)
    got = list(parse_paths([_tmpfile(dirty)]))
    entries = [e for e in got if isinstance(e, Entry)]
    assert [_contract(e) for e in entries] == expected
    assert [e.line for e in entries] == where
    problems = [p for p in got if isinstance(p, Problem)]
    assert len(problems) >= blocks + (1 if trailing else 0)
    assert not {p.line for p in problems} & set(where)


@SLOW
@given(st.data())
def test_every_reject_is_reported_and_kept_in_the_rejects_file(data: st.DataObject) -> None:
    valid = data.draw(st.lists(st.integers(0, len(SEED_PAIRS) - 1), min_size=1, max_size=4, unique=True))
    valid = [SEED_PAIRS[i] for i in valid]
    garbage = data.draw(st.lists(st.none() | _garbage(), min_size=len(valid), max_size=len(valid)))
    dirty, where, blocks = _assemble(valid, garbage)
    assume(blocks)
    from click.testing import CliRunner

    runner = CliRunner()
    with tempfile.TemporaryDirectory() as tmp, _chdir(tmp):
        os.mkdir("cat")
        Path("cat/dirty.txt").write_bytes(dirty)
        expected = [p for p in parse_paths(["cat"]) if isinstance(p, Problem)]
        r = runner.invoke(cli, ["ingest", "cat", "--store", "store"])
        assert r.exit_code == 1, (r.output, r.exception)
        reported = [ln for ln in r.stderr.splitlines() if ln.startswith("cat/dirty.txt:")]
        assert reported == [str(p) for p in expected]
        kept = [json.loads(ln) for ln in Path("store.rejects.jsonl").read_text("utf-8").splitlines()]
        assert [(k["path"], k["line"], k["reason"]) for k in kept] == [
            (p.path, p.line, p.reason) for p in expected
        ]
        assert all(k["raw"] for k in kept)
        # the accepted entries are in the store, with their own lines as provenance
        from kg.store import open_store

        store = open_store("store", read_only=True)
        try:
            lines = sorted(
                int(r["l"].value)
                for r in store.query(
                    "SELECT DISTINCT ?l WHERE { ?r <https://w3id.org/medkg/ontology#sourceLine> ?l ; "
                    "a <https://w3id.org/medkg/ontology#CatalogEntry> }"
                )
            )
            rejected = sorted(
                int(r["l"].value)
                for r in store.query(
                    "SELECT ?l WHERE { ?r a <https://w3id.org/medkg/ontology#RejectedEntry> ; "
                    "<https://w3id.org/medkg/ontology#sourceLine> ?l }"
                )
            )
        finally:
            store.close()
        assert lines == where
        assert rejected == sorted(p.line for p in expected)

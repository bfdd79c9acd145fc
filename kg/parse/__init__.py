"""Parse: a raw :class:`~kg.read.Record` becomes a typed :class:`Entry` (or a :class:`Problem`).

Parsing a catalog is two passes: the first observes every record to gather catalog-wide evidence
(recurring topics, words seen standalone), the second splits each header with that evidence.
:func:`parse_paths` does both.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kg.parse import lexicon
from kg.parse.evidence import Evidence
from kg.parse.header import HeaderError, parse_fields
from kg.parse.text import normalize
from kg.read import Problem, Record, catalog_files, read_file

__all__ = ["Entry", "Evidence", "Problem", "parse_header", "parse_record", "parse_paths"]

CONTRACT_KEYS = (
    "source", "kind", "title", "name", "venue", "track", "year", "topic", "modality",
    "resource_type", "scale", "access", "description", "links",
)


@dataclass
class Entry:
    """A parsed catalog entry. ``to_json()`` is the stable output contract of ``kg parse``."""

    path: str
    line: int
    kind: str
    title: str
    name: str | None
    venue: str | None
    track: str | None
    year: int | None
    topic: str | None
    modality: str | None
    resource_type: str | None
    scale: str | None
    access: str | None
    description: str | None
    links: list[str]
    header: str = ""
    raw_description: str = ""
    guesses: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"source": {"path": self.path, "line": self.line}}
        for key in CONTRACT_KEYS[1:]:
            d[key] = getattr(self, key)
        return d


def _description(text: str) -> tuple[str, list[str]]:
    links = []
    for url in lexicon.URL.findall(text):
        url = url.rstrip(".,;:!?)]}")
        if url not in links:
            links.append(url)
    return lexicon.TRAILING_LINK.sub("", text).strip(), links


def parse_record(record: Record, evidence: Evidence | None = None) -> Entry | Problem:
    """One record, with the evidence gathered so far (or the vocabularies alone)."""
    ev = evidence if evidence is not None else _default_evidence()
    try:
        f = parse_fields(record.header, ev)
    except HeaderError as err:
        raw = record.header + "\n" + (record.description or "")
        return Problem(record.path, record.line, str(err), raw)
    desc, links = _description(record.description or "")
    return Entry(
        record.path, record.line, f.kind, f.title, f.name, f.venue, f.track, f.year, f.topic,
        f.modality, f.resource_type, f.scale, f.access, desc or None, links,
        header=record.header, raw_description=record.description or "", guesses=f.guesses,
    )


_DEFAULT: Evidence | None = None


def _default_evidence() -> Evidence:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Evidence.default()
    return _DEFAULT


def parse_header(header: str, description: str = "", evidence: Evidence | None = None) -> Entry:
    """Parse a single header (handy in code and doctests); raises ValueError if it cannot.

    >>> e = parse_header("数据资源TextLLM benchmarkBenchmark and leaderboard开放访问 MedHELM 医学 LLM 评测基准")
    >>> (e.kind, e.name, e.modality, e.resource_type, e.scale, e.access)
    ('resource', 'MedHELM', 'Text', 'LLM benchmark', 'Benchmark and leaderboard', '开放访问')
    """
    ev = evidence if evidence is not None else _default_evidence()
    ev_local = ev
    if description:
        ev_local = Evidence(**{**ev.__dict__})
        ev_local.observe(header, description)
    result = parse_record(Record("<string>", 1, header, description), ev_local)
    if isinstance(result, Problem):
        raise ValueError(result.reason)
    return result


MEMO = 4096  # identical entries remembered per pass (a catalog may repeat one entry 10^5 times)


def gather_evidence(records: Iterable[Record | Problem], base: Evidence | None = None) -> Evidence:
    ev = base if base is not None else Evidence.default()
    seen: dict[tuple[str, str | None], list[str]] = {}
    for r in records:
        if isinstance(r, Record):
            key = (r.header, r.description)
            counted = seen.get(key)
            if counted is not None:
                ev.recount(counted)
                continue
            if len(seen) >= MEMO:
                seen.clear()
            seen[key] = ev.observe(r.header, r.description)
    # field values of unambiguous resource headers vouch for the same values elsewhere
    return ev


def parse_paths(paths: Iterable[str | Path]) -> Iterator[Entry | Problem]:
    """Entries and problems of every catalog file under ``paths``, in file order.

    Raises :class:`kg.read.SourceError` for a path that cannot be read at all.
    """
    files = catalog_files(paths)
    ev = Evidence.default()
    for f in files:
        gather_evidence(read_file(f), ev)
    learn_fields(files, ev)
    # the evidence is complete: parsing is now a function of the record's text, so an entry
    # repeated verbatim is parsed once (a bounded memo keeps memory flat on huge catalogs)
    memo: dict[tuple[str, str | None], Entry | Problem] = {}
    for f in files:
        for r in read_file(f):
            if isinstance(r, Problem):
                yield r
                continue
            key = (r.header, r.description)
            done = memo.get(key)
            if done is None:
                if len(memo) >= MEMO:
                    memo.clear()
                done = memo[key] = parse_record(r, ev)
            fresh = {"links": list(done.links), "guesses": list(done.guesses)} if isinstance(done, Entry) else {}
            yield replace(done, path=r.path, line=r.line, **fresh)


def learn_fields(files: list[Path], ev: Evidence) -> None:
    """Record the resource fields that parse without a guess, to weigh the ambiguous ones."""
    for f in files:
        for r in read_file(f):
            learn_record(r, ev)


def learn_record(r: Record | Problem, ev: Evidence) -> None:
    """:func:`learn_fields` for one record (records must come in catalog order: what is learned
    from one weighs the next)."""
    if not isinstance(r, Record) or not r.header.lstrip("\ufeff ").startswith(lexicon.RESOURCE_PREFIX):
        return
    # the header's fields alone (what parse_record would give, without its description work)
    try:
        result = parse_fields(r.header, ev)
    except HeaderError:
        return
    if not result.guesses:
        for slot in ("modality", "resource_type", "scale"):
            value = getattr(result, slot)
            if value:
                ev.fields[slot][normalize(value)] += 1


def uses_fields(r: Record | Problem) -> bool:
    """Whether parsing the record weighs the fields learned from the catalog (a resource header):
    other records parse the same before and after :func:`learn_fields`.

    >>> uses_fields(Record("c.txt", 1, "数据资源TextModelMedGemma开放访问 MedGemma", "…")), uses_fields(
    ...     Record("c.txt", 3, "论文ICLR 20262026 年医学 AI X", "…"))
    (True, False)
    """
    return isinstance(r, Record) and r.header.strip().lstrip("\ufeff").strip().startswith(lexicon.RESOURCE_PREFIX)

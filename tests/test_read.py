"""The text reader on hostile input: BOM, CRLF, blank lines, NUL bytes, undecodable bytes,
truncated entries, empty files. Nothing crashes; every problem names file and line; good entries
around bad ones are unaffected."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.read import Problem, Record, SourceError, read_paths

from .conftest import SEED_FILES

SEED = SEED_FILES[1].read_bytes()  # 10 entries, 20 lines, LF, no BOM


def records(path: Path) -> tuple[list[Record], list[Problem]]:
    items = list(read_paths([path]))
    return [r for r in items if isinstance(r, Record)], [p for p in items if isinstance(p, Problem)]


def write(tmp_path: Path, data: bytes, name: str = "c.txt") -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def test_seed_reads_clean() -> None:
    recs, probs = records(SEED_FILES[1])
    assert len(recs) == 10 and probs == []
    assert [r.line for r in recs] == list(range(1, 20, 2))


@pytest.mark.parametrize(
    "transform",
    [
        lambda b: b"\xef\xbb\xbf" + b,  # BOM
        lambda b: b.replace(b"\n", b"\r\n"),  # CRLF
        lambda b: b.replace(b"\n", b"\n\n"),  # blank lines between everything
        lambda b: b"\n\n" + b + b"\n\n\n",  # leading and trailing blank lines
        lambda b: b"\xef\xbb\xbf" + b.replace(b"\n", b"\r\n\r\n"),  # all of it
    ],
    ids=["bom", "crlf", "blank-lines", "padding", "all"],
)
def test_tolerated_encodings_give_the_same_entries(tmp_path: Path, transform) -> None:  # noqa: ANN001
    recs, probs = records(write(tmp_path, transform(SEED)))
    base, _ = records(SEED_FILES[1])
    assert probs == []
    assert [(r.header, r.description) for r in recs] == [(r.header, r.description) for r in base]


def test_nul_byte_rejects_only_its_entry(tmp_path: Path) -> None:
    lines = SEED.split(b"\n")
    lines[4] = lines[4][:10] + b"\x00" + lines[4][10:]  # header of entry 3 (line 5)
    recs, probs = records(write(tmp_path, b"\n".join(lines)))
    assert [(p.line, p.reason.split(" at")[0]) for p in probs] == [(5, "NUL byte")]
    assert len(recs) == 9 and all(r.line != 5 for r in recs)
    assert str(probs[0]).startswith(f"{tmp_path.name}/c.txt:5: NUL byte") or ":5: NUL byte" in str(probs[0])


@pytest.mark.parametrize("bad", ["数据集".encode("gbk"), "Café".encode("latin-1"), b"\xff\xfe"])
def test_undecodable_bytes_are_reported_with_line(tmp_path: Path, bad: bytes) -> None:
    lines = SEED.split(b"\n")
    lines[7] = lines[7] + b" " + bad  # description of entry 4 (header line 7)
    recs, probs = records(write(tmp_path, b"\n".join(lines)))
    assert len(probs) == 1 and probs[0].line == 7
    assert "unreadable" in probs[0].reason and "invalid UTF-8" in probs[0].reason
    assert len(recs) == 9


def test_truncated_file_reports_header_without_description(tmp_path: Path) -> None:
    data = SEED.split(b"\n")
    recs, probs = records(write(tmp_path, b"\n".join(data[:19])))  # last description cut off
    assert len(recs) == 9
    assert [(p.line, p.reason) for p in probs] == [(19, "header line has no description line")]


def test_truncated_line_mid_character(tmp_path: Path) -> None:
    cut = SEED[: SEED.index("医学".encode()) + 1]  # stops inside a UTF-8 sequence
    recs, probs = records(write(tmp_path, cut))
    assert probs and all(p.line >= 1 for p in probs)


def test_header_without_description_in_the_middle(tmp_path: Path) -> None:
    lines = SEED.split(b"\n")
    del lines[3]  # description of the entry at line 3 goes; the next header follows it
    recs, probs = records(write(tmp_path, b"\n".join(lines)))
    assert [(p.line, p.reason) for p in probs] == [(3, "header line has no description line")]
    assert len(recs) == 9


def test_description_without_header(tmp_path: Path) -> None:
    lines = SEED.split(b"\n")
    del lines[2]  # header of the entry at line 3 goes
    recs, probs = records(write(tmp_path, b"\n".join(lines)))
    assert [(p.line, p.reason) for p in probs] == [(3, "description line without a header line")]
    assert len(recs) == 9


def test_a_bare_title_may_be_a_question(tmp_path: Path) -> None:
    """A bare title that asks a question is a header, not a description without one."""
    text = ("Can large language models reason about medical questions?\n"
            "This paper evaluates GPT-3.5 and Llama 2 on MedQA, MedMCQA and PubMedQA.\n")
    recs, probs = records(write(tmp_path, text.encode() + SEED))
    assert not probs and len(recs) == 11
    assert (recs[0].line, recs[0].header) == (1, "Can large language models reason about medical questions?")


@pytest.mark.parametrize("data", [b"", b"\n\n", b"\xef\xbb\xbf", b"  \r\n"])
def test_empty_file_is_reported(tmp_path: Path, data: bytes) -> None:
    recs, probs = records(write(tmp_path, data))
    assert recs == [] and [p.reason for p in probs] == ["empty file: no catalog entries"]


def test_missing_path_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        list(read_paths([tmp_path / "nope.txt"]))


def test_directory_without_catalog_files(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no catalog files"):
        list(read_paths([tmp_path]))

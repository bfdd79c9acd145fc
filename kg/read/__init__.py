"""Readers: turn a source (a file of the catalog) into raw records, each with its path and line.

One module per input format, named by the file suffix it reads (``txt.py`` reads ``*.txt``); a new
format is one new module with a ``read(path, display) -> Iterator[Record | Problem]`` function.
Readers never raise on bad content: what they cannot read becomes a :class:`Problem`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.registry import PluginNotFound, Registry

READERS = Registry("kg.read")


@dataclass(frozen=True, slots=True)
class Record:
    """One catalog entry as read: the header line and its description line (None if missing)."""

    path: str
    line: int
    header: str
    description: str | None


@dataclass(frozen=True, slots=True)
class Problem:
    """Something that could not be read or parsed, kept with where it came from and why.

    >>> str(Problem("cat.txt", 3, "header has no description line", "论文…"))
    'cat.txt:3: header has no description line'
    """

    path: str
    line: int
    reason: str
    raw: str = ""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"

    def to_json(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "reason": self.reason, "raw": self.raw}


class SourceError(OSError):
    """A source that cannot be opened at all (missing, a directory without catalog files, …)."""


def catalog_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand directories to the files a reader exists for, in a stable (sorted) order."""
    known = set(READERS.names())
    files: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix[1:] in known)
            if not found:
                raise SourceError(f"{p}: no catalog files ({', '.join('*.' + k for k in known)})")
            files.extend(found)
        elif p.is_file():
            files.append(p)
        else:
            raise SourceError(f"{p}: no such file or directory")
    return files


def display_path(path: Path) -> str:
    """The path as reported in messages and provenance: relative to the working directory if
    possible, with forward slashes, so the same checkout gives the same provenance everywhere."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def read_file(path: Path) -> Iterator[Record | Problem]:
    """Records and problems of one file, by the reader registered for its suffix."""
    try:
        reader = READERS.load(path.suffix[1:] or "txt")
    except PluginNotFound:
        reader = READERS.load("txt")  # unknown suffix: the catalog's own text format
    return reader.read(path, display_path(path))


def read_paths(paths: Iterable[str | Path]) -> Iterator[Record | Problem]:
    for f in catalog_files(paths):
        yield from read_file(f)

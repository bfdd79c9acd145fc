"""A rich progress bar for long ingests (only on a terminal, only for large inputs)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

THRESHOLD = 2000  # entries


@contextmanager
def entry_progress() -> Iterator[Callable[[int], Callable[[int], None] | None]]:
    bars = []

    def start(total: int) -> Callable[[int], None] | None:
        if total < THRESHOLD or not sys.stderr.isatty():
            return None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        p = Progress(TextColumn("ingest"), BarColumn(), MofNCompleteColumn(),
                     TextColumn("{task.speed} entries/s"), TimeRemainingColumn(), transient=True)
        p.start()
        task = p.add_task("ingest", total=total)
        bars.append(p)
        return lambda n: p.advance(task, n)

    try:
        yield start
    finally:
        for p in bars:
            p.stop()

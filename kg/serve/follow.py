"""A server that follows its store: after ``kg build`` or ``kg ingest`` commits, the next requests
see the new graph, without a restart.

A read-only Oxigraph instance is a snapshot of the store as it was when opened; a large
replacement even puts a new directory in place (a swap: :mod:`kg.store.oxigraph`), and the old
one's files stay on disk for as long as a reader holds them. So the server checks, at most once
every ``every`` seconds and only when a request comes, the store's commit generation
(:func:`kg.store.oxigraph.generation`: the directory and the token each commit rewrites). When it
changed, the store and the query workers are opened again in a background thread, while the
requests go on being answered from the old ones; then the new pair takes over, and the old pair
is closed once the queries that may still use it have had their time (``grace`` seconds).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kg.store.oxigraph import generation

log = logging.getLogger(__name__)


class StoreFollower:
    """The store and executor a server reads now; :meth:`current` opens them again after a commit.

    ``open_pair()`` opens a store and its executor; ``path`` is the store directory whose
    generation is watched."""

    def __init__(self, path: Path, open_pair: Callable[[], tuple[Any, Any]], *, every: float = 1.0,
                 grace: float = 30.0) -> None:
        self.path, self.open_pair, self.every, self.grace = path, open_pair, every, grace
        self.seen = generation(path)  # before opening: a commit landing meanwhile is seen next time
        self.store, self.executor = open_pair()
        self.reopened = 0  # how many times the store was opened again (logged, and for tests)
        self._checked = time.monotonic()
        self._busy = threading.Lock()  # held while a reopening runs
        self._closed = False

    def current(self) -> tuple[Any, Any]:
        """(store, executor) to answer a request with."""
        now = time.monotonic()
        if now - self._checked >= self.every and not self._closed and self._busy.acquire(blocking=False):
            self._checked = now
            seen = generation(self.path)
            if seen != self.seen:
                threading.Thread(target=self._reopen, args=(seen,), daemon=True,
                                 name="kg-serve-reopen").start()  # releases _busy when done
            else:
                self._busy.release()
        return self.store, self.executor

    def _reopen(self, seen: tuple[int, int, bytes]) -> None:
        try:
            try:
                pair = self.open_pair()
            except Exception as err:  # noqa: BLE001 - keep serving the old store; try again later
                log.warning("%s: the store changed but cannot be opened again: %s", self.path, err)
                return
            if self._closed:
                _close(pair)
                return
            old = (self.store, self.executor)
            self.store, self.executor, self.seen = *pair, seen
            self.reopened += 1
            log.info("%s: a new commit: store opened again", self.path)
            timer = threading.Timer(self.grace, _close, args=(old,))
            timer.daemon = True
            timer.start()
        finally:
            self._busy.release()

    def close(self) -> None:
        self._closed = True
        with self._busy:  # a reopening in flight finishes (and closes what it opened) first
            _close((self.store, self.executor))


def _close(pair: tuple[Any, Any]) -> None:
    store, executor = pair
    executor.close()
    store.close()

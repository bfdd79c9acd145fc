"""Where the project's data files live: the source tree when run from a checkout, else the copy
packaged in the wheel (``kg/_data``)."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

_PKG = Path(__file__).resolve().parent


@cache
def resource_dir(name: str) -> Path:
    """Directory ``name`` (``ontology``, ``queries``, ``data/vocab``, ``data/catalog``).

    >>> resource_dir("ontology").name
    'ontology'
    """
    for candidate in (_PKG.parent / name, _PKG / "_data" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"medkg resource directory {name!r} not found (broken install?)")


def cache_dir() -> Path:
    """Where medkg keeps what it can learn again (``kg explain``'s catalog evidence):
    ``$KG_CACHE_DIR``, else ``$XDG_CACHE_HOME/medkg``, else ``~/.cache/medkg``. Deleting it is safe."""
    if os.environ.get("KG_CACHE_DIR"):
        return Path(os.environ["KG_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "medkg"

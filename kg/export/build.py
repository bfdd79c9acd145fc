"""The dumps ``kg build`` writes next to its other outputs (an ``OUTPUT_STEPS`` step).

>>> [name for name, _, _ in DUMPS]
['medkg.ttl', 'medkg.nq.gz', 'medkg.jsonld']
"""

from __future__ import annotations

from pathlib import Path

from kg.export import export_file

# (file name, format, graph selection): the union as Turtle and JSON-LD; every quad with its
# provenance graph as gzipped N-Quads (the complete, lossless dump).
DUMPS: list[tuple[str, str, str]] = [
    ("medkg.ttl", "turtle", "default"),
    ("medkg.nq.gz", "nq", "all"),
    ("medkg.jsonld", "jsonld", "default"),
]


def write_dumps(store: object, out_dir: Path) -> list[Path]:
    """Write ``medkg.ttl``, ``medkg.nq.gz`` and ``medkg.jsonld`` into ``out_dir``."""
    out_dir = Path(out_dir)
    written = []
    for name, fmt, graph in DUMPS:
        export_file(store, out_dir / name, fmt, graph)
        written.append(out_dir / name)
    return written

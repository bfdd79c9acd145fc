"""Ingest a catalog and bulk-load the same quads into an empty store: the issue-7 ratio.

Usage: python -m bench.generate -n 10000 CAT && python bench/scripts/ingest_vs_floor.py CAT STORE FLOOR
"""

import io
import sys
import resource
import time

import pyoxigraph as ox

from kg.ingest import ingest
from kg.store import open_store

if __name__ == "__main__":
    s = open_store(sys.argv[2])
    t = time.time()
    r = ingest([sys.argv[1]], s)
    t_ingest = time.time() - t
    n = s.count()
    buf = io.BytesIO()
    s.dump(buf, "nq")
    s.close()
    floor = ox.Store(sys.argv[3])
    t = time.time()
    floor.bulk_load(buf.getvalue(), format=ox.RdfFormat.N_QUADS)
    floor.flush()
    t_floor = time.time() - t
    print(f"{r.entries + len(r.problems)} entries: ingest {t_ingest:.1f} s, {n} quads; bulk_load floor {t_floor:.2f} s; "
          f"ratio {t_ingest / t_floor:.1f}x; peak RSS main {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; "
          f"entries {r.entries}, rejected {len(r.problems)}")

"""Ingest a catalog (with the vocabularies and ontology, as `kg build` does), then bulk-load the
same quads into an empty store: the issue-7 ratio.

Usage: python -m bench.generate -n 10000 CAT && python bench/scripts/ingest_vs_floor.py CAT STORE FLOOR
"""

import io
import resource
import sys
import time

import pyoxigraph as ox

from kg.build import reference_graphs
from kg.ingest import ingest
from kg.store import open_store

if __name__ == "__main__":
    catalog, store_dir, floor_dir = sys.argv[1:4]
    s = open_store(store_dir)
    t = time.time()
    r = ingest([catalog], s, extra=reference_graphs())
    t_ingest = time.time() - t
    n = s.count()
    buf = io.BytesIO()
    s.dump(buf, "nq")
    s.close()
    floor = ox.Store(floor_dir)
    t = time.time()
    floor.bulk_load(buf.getvalue(), format=ox.RdfFormat.N_QUADS)
    floor.flush()
    t_floor = time.time() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{r.entries + len(r.problems)} entries: ingest {t_ingest:.1f} s, {n} quads; "
          f"bulk_load floor {t_floor:.2f} s; ratio {t_ingest / t_floor:.1f}x; peak RSS main {peak:.0f} MB")

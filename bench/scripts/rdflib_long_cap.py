"""Named queries on medkg's store and on rdflib's in-memory engine with a longer cap than the
bench's 30 s, for the queries the table can only show as "> 30 s" (bench/RESULTS.md, finding 15).

Usage: kg export -f nq --store STORE -o all.nq &&
       python bench/scripts/rdflib_long_cap.py STORE all.nq 300 search,unlinked-resources
"""

import signal
import sys
import time

from bench.run import _alarm, _median_ms, _Timeout, bindings, example_params, named_queries, rdflib_text
from kg.namespaces import sparql_prologue
from kg.query.params import bind_values
from kg.query.run import execute
from kg.store import open_store

if __name__ == "__main__":
    store_spec, nquads, cap, names = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].split(",")
    store = open_store(store_spec, read_only=True)
    texts, medkg = {}, {}
    for name in names:  # medkg first, alone: rdflib's 4.6 GB are not loaded yet
        text, params = named_queries()[name]
        subs = bindings(params, store, example_params(name))
        theirs = sparql_prologue() + rdflib_text(name, text)
        texts[name] = bind_values(theirs, subs) if subs else theirs
        medkg[name] = _median_ms(lambda text=text, subs=subs: execute(store, text, substitutions=subs), 3)
        print(f"medkg  {name:35s} {medkg[name]:9.1f} ms", flush=True)
    store.close()

    from rdflib import Dataset

    t = time.perf_counter()
    ds = Dataset(default_union=True)
    ds.parse(nquads, format="nquads")
    print(f"rdflib load {time.perf_counter() - t:.1f} s", flush=True)
    signal.signal(signal.SIGALRM, _alarm)
    for name in names:
        signal.alarm(cap)
        try:
            ms = _median_ms(lambda name=name: sum(1 for _ in ds.query(texts[name])), 3)
            print(f"rdflib {name:35s} {ms:9.1f} ms  {ms / medkg[name]:.1f}x", flush=True)
        except _Timeout:
            print(f"rdflib {name:35s} > {cap} s  > {cap * 1000 / medkg[name]:.1f}x", flush=True)
        finally:
            signal.alarm(0)

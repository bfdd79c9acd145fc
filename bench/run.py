"""The benchmark: medkg beside rdflib's in-memory store and pyoxigraph's own bulk loader (the floor).

For each size it writes a synthetic catalog (:mod:`bench.generate`) beside the real seed catalog
(``data/catalog``, so that the library's documented examples find their entities) and measures,
each job in a fresh child process so that its peak memory is its own:

- ``ingest``: ``kg.ingest`` from catalog text to a committed on-disk store (the bulk path), with the
  vocabularies and the ontology, as ``kg build`` ingests them;
- ``floor``: pyoxigraph ``bulk_load`` of the same quads (N-Quads) into an empty on-disk store;
- ``rdflib``: rdflib ``Dataset.parse`` of the same N-Quads (the in-memory store), then the same
  queries with rdflib's engine, every export syntax with rdflib's own serializers, and
  ``kg.render``'s build pages on medkg's ``memory:`` store holding that dataset (rdflib's engine);
- ``oxrdflib``: the same load and queries through rdflib's API on the Oxigraph store plugin;
- ``queries``: every named query in ``queries/*.rq``, run as ``kg query`` runs it, bound to the
  parameters of its documented example (the ``# example:`` line), plus a few of ours, median
  latency; exports per syntax as ``kg export`` writes them; render time if ``kg.render`` exists;
- ``kg --help`` wall time.

``python -m bench --sizes 1000,10000,100000`` prints the table (Markdown) and can write it to a
file with ``--out``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RDFLIB_QUERIES = Path(__file__).resolve().parent / "rdflib_queries"
OWN_QUERIES = {
    "q:classes": "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n)",
    "q:papers-topics": "SELECT ?p ?t ?l WHERE { ?p a kgo:Paper ; kgo:hasTopic ?t . ?t rdfs:label ?l } LIMIT 1000",
    "q:datasets-access": "SELECT ?d ?a WHERE { ?d a kgo:Dataset ; kgo:accessText ?a } ORDER BY ?d LIMIT 1000",
    "q:entries-per-file": "SELECT ?f (COUNT(?r) AS ?n) WHERE { ?r a kgo:CatalogEntry ; kgo:sourceFile ?f } GROUP BY ?f",
}
QUERY_TIMEOUT = 60  # seconds per query run before it is reported as a time-out
QUERY_MEMORY = 4 << 30  # address-space cap of a query process (a runaway query must not take the machine)
EXPORTS = {"nq": "N_QUADS", "trig": "TRIG", "ttl": "TURTLE", "nt": "N_TRIPLES", "jsonld": "JSON_LD"}
RENDER_TIMEOUT = 300  # seconds
RDFLIB_TIMEOUT = 30  # seconds for all runs of one query on rdflib
RDFLIB_MEMORY = 8 << 30
RDFLIB_EXPORTS = {"nq": "nquads", "trig": "trig", "ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}
RDFLIB_EXPORT_TIMEOUT = 300  # seconds per rdflib serializer


def peak_mb() -> float:
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(self_kb, kids_kb) / 1024


def named_queries() -> dict[str, tuple[str, object]]:
    """name → (text, params) for every ``queries/*.rq`` (via the library when present)."""
    out: dict[str, tuple[str, object]] = {}
    try:
        from kg.query.library import load_library

        for name, q in sorted(load_library(ROOT / "queries").items()):
            out[name] = (q.text, q.params)
    except Exception:  # noqa: BLE001 - the library is optional: fall back to the raw files
        for f in sorted((ROOT / "queries").glob("*.rq")):
            out[f.stem] = (f.read_text("utf-8"), None)
    for name, text in OWN_QUERIES.items():
        out[name] = (text, None)
    return out


def rdflib_text(name: str, text: str) -> str:
    """The text rdflib's engine runs for a named query: its own, or the equivalent in
    ``bench/rdflib_queries/`` where the library's joins sub-selects by hash, which rdflib does by
    comparing every pair of rows (see the README there)."""
    own = RDFLIB_QUERIES / f"{name}.rq"
    return own.read_text("utf-8") if own.exists() else text


def example_params(name: str) -> dict[str, str]:
    """The ``--param k=v`` pairs of a named query's first documented example."""
    import shlex

    try:
        from kg.query.library import load_library

        examples = load_library(ROOT / "queries")[name].examples
    except Exception:  # noqa: BLE001 - no library, or one of our own queries
        return {}
    words = shlex.split(examples[0]) if examples else []
    return dict(w.split("=", 1) for a, w in zip(words, words[1:], strict=False) if a == "--param" and "=" in w)


def bindings(params: object, store: object, given: dict[str, str] | None = None) -> dict[str, object]:
    if not params:
        return {}
    try:
        from kg.query.params import bind

        return dict(bind(params, given or {}, store=store))  # type: ignore[arg-type]
    except Exception:  # noqa: BLE001 - a required parameter without a default: run it unbound
        return {}


def _median_ms(fn, runs: int) -> float:  # noqa: ANN001
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
        if times[-1] > 2000:  # a slow query: one run tells enough
            break
    return statistics.median(times)


# -- jobs (each runs in its own process)

def job_ingest(catalog: str, store_dir: str, nquads: str, runs: int) -> dict:
    from kg.build import reference_graphs
    from kg.ingest import ingest
    from kg.store import open_store

    t = time.perf_counter()
    store = open_store(store_dir)
    report = ingest([catalog], store, extra=reference_graphs())
    store.close()
    ingest_s = time.perf_counter() - t
    res = {"ingest_s": ingest_s, "ingest_mb": peak_mb(), "entries": report.entries,
           "rejected": len(report.problems)}
    store = open_store(store_dir, read_only=True)
    res["quads"] = store.count()
    with open(nquads, "wb") as fh:
        store.dump(fh, "nq")
    with open(Path(nquads).with_suffix(".union.nt"), "wb") as fh:
        store.dump(fh, "nt")
    from kg.namespaces import sparql_prologue

    pro = sparql_prologue()
    texts = {}
    for name, (text, params) in named_queries().items():
        text = rdflib_text(name, text)
        subs = bindings(params, store, example_params(name))
        try:  # for rdflib: bound by VALUES (as for a remote server)
            from kg.query.params import bind_values

            texts[name] = bind_values(pro + text, subs) if subs else pro + text
        except Exception:  # noqa: BLE001
            texts[name] = pro + text
    Path(nquads).with_suffix(".queries.json").write_text(json.dumps(texts), "utf-8")
    res["exports"] = {}
    from kg.export import export

    for ext in EXPORTS:  # as `kg export` writes them: the named graphs for nq/trig, the union otherwise
        t = time.perf_counter()
        with open(os.devnull, "wb") as sink:
            export(store, sink, "turtle" if ext == "ttl" else ext)
        res["exports"][ext] = time.perf_counter() - t
    store.close()
    return res


def job_render(store_dir: str) -> dict:
    """``kg.render``'s build step on the store (its own process, cut off after RENDER_TIMEOUT)."""
    try:
        from kg.render.build import write_pages
    except ImportError:
        return {"render_s": "kg.render not installed"}
    from kg.store import open_store

    store = open_store(store_dir, read_only=True)
    out = Path(tempfile.mkdtemp(prefix="medkg-render-"))
    t = time.perf_counter()
    try:
        write_pages(store, out)
        return {"render_s": time.perf_counter() - t}
    finally:
        shutil.rmtree(out, ignore_errors=True)
        store.close()


def job_query(store_dir: str, nquads: str, name: str, runs: int) -> dict:
    """One named query on the embedded store, the way ``kg query`` runs it: the medkg store
    (its materialised union), parameters bound by substitution (its own process: a runaway query
    is cut off)."""
    from kg.query.run import execute
    from kg.store import open_store

    resource.setrlimit(resource.RLIMIT_AS, (QUERY_MEMORY, QUERY_MEMORY))
    store = open_store(store_dir, read_only=True)
    text, params = named_queries()[name]
    subs = bindings(params, store, example_params(name))

    def one() -> None:
        execute(store, text, substitutions=subs)

    return {"ms": _median_ms(one, runs)}


def job_floor(nquads: str, store_dir: str) -> dict:
    import pyoxigraph as ox

    t = time.perf_counter()
    store = ox.Store(store_dir)
    store.bulk_load(path=nquads, format=ox.RdfFormat.N_QUADS)
    store.flush()
    res = {"load_s": time.perf_counter() - t, "load_mb": peak_mb()}
    # what a medkg store holds: the same quads and their union in the default graph (one more load)
    union = Path(nquads).with_suffix(".union.nt")
    if union.exists():
        t = time.perf_counter()
        store.bulk_load(path=str(union), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
        store.flush()
        res["load_with_union_s"] = res["load_s"] + time.perf_counter() - t
    return res


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Timeout


def _rdflib_load(nquads: str, plugin: str | None) -> tuple[object, float]:
    from rdflib import Dataset

    t = time.perf_counter()
    ds = Dataset(store=plugin, default_union=True) if plugin else Dataset(default_union=True)
    ds.parse(nquads, format="ox-nquads" if plugin else "nquads")
    return ds, time.perf_counter() - t


def job_rdflib(nquads: str, runs: int, plugin: str | None = None) -> dict:
    if not plugin:  # (Oxigraph reserves address space: no cap for the oxrdflib run)
        resource.setrlimit(resource.RLIMIT_AS, (RDFLIB_MEMORY, RDFLIB_MEMORY))
    ds, load_s = _rdflib_load(nquads, plugin)
    res: dict = {"load_s": load_s, "load_mb": peak_mb(), "queries": {}, "exports": {}}
    texts = json.loads(Path(nquads).with_suffix(".queries.json").read_text("utf-8"))
    if plugin:  # a runaway query cannot be interrupted inside Oxigraph: our own queries only
        texts = {k: v for k, v in texts.items() if k in OWN_QUERIES}
    signal.signal(signal.SIGALRM, _alarm)
    for name, text in texts.items():

        def one(text: str = text) -> None:
            for _ in ds.query(text):
                pass

        signal.alarm(RDFLIB_TIMEOUT)
        try:
            res["queries"][name] = _median_ms(one, runs)
        except _Timeout:
            res["queries"][name] = f"> {RDFLIB_TIMEOUT} s"
        except MemoryError:
            res["queries"][name] = "out of memory"
        except Exception as err:  # noqa: BLE001
            res["queries"][name] = f"error: {type(err).__name__}"
        finally:
            signal.alarm(0)
    if not plugin:
        res["exports"] = _rdflib_exports(ds)
        res["render_s"] = _rdflib_render(ds)
    return res


def _rdflib_exports(ds: object) -> dict[str, object]:
    """rdflib's own serializers on the loaded dataset (Turtle and N-Triples write its union,
    JSON-LD compacts with our context, as ``kg export`` does), each cut off after
    :data:`RDFLIB_EXPORT_TIMEOUT`."""
    from kg.export.jsonld import load_context

    out: dict[str, object] = {}
    for ext, fmt in RDFLIB_EXPORTS.items():
        extra = {"context": load_context()["@context"]} if ext == "jsonld" else {}
        signal.alarm(RDFLIB_EXPORT_TIMEOUT)
        t = time.perf_counter()
        try:
            with open(os.devnull, "wb") as sink:
                ds.serialize(sink, format=fmt, **extra)  # type: ignore[attr-defined]
            out[ext] = time.perf_counter() - t
        except _Timeout:
            out[ext] = f"> {RDFLIB_EXPORT_TIMEOUT} s"
        except Exception as err:  # noqa: BLE001
            out[ext] = f"error: {type(err).__name__}"
        finally:
            signal.alarm(0)
    return out


def _rdflib_render(ds: object) -> object:
    """``kg.render``'s build pages on medkg's ``memory:`` store (rdflib's engine) holding the
    loaded dataset: the render beside the embedded store's, cut off after :data:`RENDER_TIMEOUT`."""
    try:
        from kg.render.build import write_pages
        from kg.store.memory import MemoryStore
    except ImportError:
        return "kg.render not installed"
    store = MemoryStore()
    store.ds = ds
    out = Path(tempfile.mkdtemp(prefix="medkg-render-rdflib-"))
    signal.alarm(RENDER_TIMEOUT)
    t = time.perf_counter()
    try:
        write_pages(store, out)
        return time.perf_counter() - t
    except _Timeout:
        return f"> {RENDER_TIMEOUT} s"
    except Exception as err:  # noqa: BLE001
        return f"error: {type(err).__name__}"
    finally:
        signal.alarm(0)
        shutil.rmtree(out, ignore_errors=True)


def job_help() -> dict:
    times = []
    exe = str(Path(sys.executable).parent / "kg")
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run([exe, "--help"], check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return {"help_s": statistics.median(times)}


def child(job: str, *args: object, timeout: float | None = None) -> dict:
    """Run ``job`` in a fresh interpreter; its JSON result."""
    cmd = [sys.executable, "-m", "bench.run", "--job", job, *map(str, args)]
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"bench job {job} failed:\n{p.stderr[-2000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


# -- the run and the table

@dataclass
class SizeResult:
    entries: int
    medkg: dict = field(default_factory=dict)
    floor: dict = field(default_factory=dict)
    rdflib: dict = field(default_factory=dict)
    oxrdflib: dict = field(default_factory=dict)


def measure(n: int, work: Path, *, runs: int = 5, rdflib: bool = True, oxrdflib: bool = True) -> SizeResult:
    from bench.generate import write_catalog

    d = work / str(n)
    shutil.rmtree(d, ignore_errors=True)
    write_catalog(d / "catalog", n, per_file=max(100, min(1000, n // 10)))
    for seed_file in sorted((ROOT / "data" / "catalog").glob("*.txt")):
        shutil.copy(seed_file, d / "catalog" / seed_file.name)  # synthetic names never collide: other hashes
    nq = d / "all.nq"
    r = SizeResult(n)
    r.medkg = child("ingest", d / "catalog", d / "store", nq, runs)
    r.medkg["queries"] = {}
    for name in named_queries():
        try:
            got = child("query", d / "store", nq, name, runs, timeout=QUERY_TIMEOUT + 15)
            r.medkg["queries"][name] = got["ms"]
        except subprocess.TimeoutExpired:
            r.medkg["queries"][name] = f"> {QUERY_TIMEOUT} s"
        except RuntimeError as err:
            last = str(err).strip().splitlines()[-1][:60]
            r.medkg["queries"][name] = "out of memory" if "MemoryError" in str(err) else f"error: {last}"
    try:
        r.medkg.update(child("render", d / "store", timeout=RENDER_TIMEOUT))
    except subprocess.TimeoutExpired:
        r.medkg["render_s"] = f"> {RENDER_TIMEOUT} s"
    except RuntimeError as err:
        r.medkg["render_s"] = f"error: {str(err).strip().splitlines()[-1][:60]}"
    r.floor = child("floor", nq, d / "floor")
    if rdflib:
        try:
            r.rdflib = child("rdflib", nq, max(1, min(runs, 3)))
        except RuntimeError as err:
            print(f"rdflib comparison failed: {str(err)[-300:]}", file=sys.stderr)
    if oxrdflib and importlib.util.find_spec("oxrdflib") is None:
        print("oxrdflib comparison skipped: oxrdflib is not installed (pip install '.[bench]')", file=sys.stderr)
    elif oxrdflib:
        try:
            r.oxrdflib = child("oxrdflib", nq, runs)
        except RuntimeError as err:
            print(f"oxrdflib comparison failed: {str(err)[-300:]}", file=sys.stderr)
    shutil.rmtree(d, ignore_errors=True)
    return r


def _ms(v: object) -> str:
    return f"{v:.1f} ms" if isinstance(v, float) else str(v)


def _s(v: object) -> str:
    return f"{v:.2f} s" if isinstance(v, float) else ("–" if v is None else str(v))


def _ratio(a: object, b: object) -> str:
    return f"{a / b:.1f}x" if isinstance(a, float) and isinstance(b, float) and b > 0 else "–"


def table(results: list[SizeResult], help_s: float | None) -> str:
    """The results as a Markdown table: one row per measure and size."""
    rows = [("measure", "entries", "medkg (pyoxigraph)", "rdflib in-memory", "pyoxigraph bulk_load (floor)",
             "ratio")]
    for r in results:
        m, f, rd = r.medkg, r.floor, r.rdflib
        n = f"{r.entries:,}"
        rows.append(("triples (quads)", n, f"{m['quads']:,}", "", "", ""))
        rows.append(("ingest: catalog text → committed store", n, _s(m["ingest_s"]), "", _s(f["load_s"]),
                     f"{_ratio(m['ingest_s'], f['load_s'])} of floor"))
        if "load_with_union_s" in f:
            rows.append(("floor incl. the union copy medkg keeps", n, _s(m["ingest_s"]), "",
                         _s(f["load_with_union_s"]), f"{_ratio(m['ingest_s'], f['load_with_union_s'])} of that"))
        rows.append(("load the same quads", n, "", _s(rd.get("load_s")), _s(f["load_s"]),
                     f"rdflib ÷ floor {_ratio(rd.get('load_s'), f['load_s'])}"))
        rows.append(("peak memory", n, f"{m['ingest_mb']:.0f} MB", f"{rd.get('load_mb', 0):.0f} MB",
                     f"{f['load_mb']:.0f} MB", ""))
        medians = [v for v in m["queries"].values() if isinstance(v, float)]
        for name, v in m["queries"].items():
            other = rd.get("queries", {}).get(name)
            rows.append((f"query {name}", n, _ms(v), _ms(other) if other is not None else "", "",
                         f"{_ratio(other, v)} faster" if isinstance(other, float) else ""))
        if medians:
            speedups = [rd["queries"][k] / v for k, v in m["queries"].items()
                        if isinstance(v, float) and isinstance(rd.get("queries", {}).get(k), float) and v > 0]
            rows.append(("median named-query latency", n, _ms(statistics.median(medians)), "", "",
                         f"min speed-up {min(speedups):.0f}x" if speedups else ""))
        for ext, v in m["exports"].items():
            other = rd.get("exports", {}).get(ext)
            rows.append((f"export {ext}", n, _s(v), _s(other) if other is not None else "", "",
                         f"{_ratio(other, v)} faster" if isinstance(other, float) else ""))
        other = rd.get("render_s")
        rows.append(("render (kg.render)", n, _s(m.get("render_s")), _s(other) if other is not None else "", "",
                     f"{_ratio(other, m.get('render_s'))} faster" if isinstance(other, float) else ""))
        if r.oxrdflib:
            ox_q = [v for v in r.oxrdflib["queries"].values() if isinstance(v, float)]
            direct = [m["queries"][k] for k, v in r.oxrdflib["queries"].items()
                      if isinstance(v, float) and isinstance(m["queries"].get(k), float)]
            rows.append(("oxrdflib: load / median query", n,
                         f"{_s(f['load_s'])} / {_ms(statistics.median(direct)) if direct else '–'}",
                         f"oxrdflib {_s(r.oxrdflib['load_s'])} / {_ms(statistics.median(ox_q)) if ox_q else '–'}",
                         "", "pyoxigraph direct vs through rdflib's API"))
    if help_s is not None:
        rows.append(("`kg --help`", "", _s(help_s), "", "", "target < 0.3 s"))
    width = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(row, width, strict=True)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in width) + "|")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000", help="comma-separated entry counts")
    ap.add_argument("--runs", type=int, default=5, help="runs per query (median)")
    ap.add_argument("--no-rdflib", action="store_true", help="skip the rdflib comparison")
    ap.add_argument("--no-oxrdflib", action="store_true", help="skip the oxrdflib comparison")
    ap.add_argument("--work", type=Path, default=None, help="scratch directory (default: a temp dir)")
    ap.add_argument("--out", type=Path, default=None, help="also write the table to this file")
    ap.add_argument("--job", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.job:
        name, *args = a.job
        if name == "ingest":
            res = job_ingest(args[0], args[1], args[2], int(args[3]))
        elif name == "query":
            res = job_query(args[0], args[1], args[2], int(args[3]))
        elif name == "render":
            res = job_render(args[0])
        elif name == "floor":
            res = job_floor(*args)
        elif name == "rdflib":
            res = job_rdflib(args[0], int(args[1]))
        elif name == "oxrdflib":
            res = job_rdflib(args[0], int(args[1]), plugin="Oxigraph")
        else:
            res = job_help()
        print(json.dumps(res))
        return 0
    work = a.work or Path(tempfile.mkdtemp(prefix="medkg-bench-"))
    results = []
    for n in (int(s) for s in a.sizes.split(",")):
        print(f"measuring {n:,} entries …", file=sys.stderr, flush=True)
        results.append(measure(n, work, runs=a.runs, rdflib=not a.no_rdflib, oxrdflib=not a.no_oxrdflib))
    text = table(results, child("help")["help_s"])
    print(text)
    if a.out:
        a.out.write_text(text + "\n", "utf-8")
    if not a.work:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

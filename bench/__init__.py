"""medkg benchmarks: a synthetic catalog generator (:mod:`bench.generate`) and the benchmark
(:mod:`bench.run`, ``python -m bench`` or ``kg bench``)."""

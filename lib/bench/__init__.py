"""Benchmarks of the book's numerical kernels, run by ``python -m lib.bench``.

Each section is a module of this package with a ``run(quick: bool)`` function that
prints its own timings (medians over repetitions) and ratios. :data:`SECTIONS` lists
them in order; the driver imports each lazily and skips one that is missing.
"""
SECTIONS = ["network", "network_sweep", "sweep"]

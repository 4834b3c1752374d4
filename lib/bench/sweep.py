"""Benchmark: the vectorised sweep (:mod:`lib.sweep`) against a loop of scipy calls.

A phase diagram of the running example over ``(c_2, a_0)`` (``s_2 = 0.5``,
``eps = 0.05``, ``kappa0 = 0.01``) on a 100 x 100 grid, integrated to ``t = 1000`` by
:func:`lib.sweep.integrate_batch`, is timed against the reference
:meth:`lib.reduced.ReducedDynamics.integrate` (scipy LSODA, rtol 1e-9) on a seeded
random subset of the grid points. Printed: the wall time of the grid (first call,
which includes JAX compilation, and a second call), the reference's time per point,
their per-point ratio (wall clock, and CPU time summed over threads, which a loaded
machine distorts less), and the largest deviation between the two on the subset.
"""
from __future__ import annotations

import os
import time

import numpy as np

from lib.hermite import polynomial
from lib.reduced import ReducedDynamics
from lib.sweep import integrate_batch

S2, EPS, KAPPA0, T_END = 0.5, 0.05, 0.01, 1000.0


def grid(n_c: int, n_a: int):
    """The ``(c_2, a_0)`` grid, flattened: ``c_2`` in [-0.5, 1], ``a_0`` in [0.05, 4]."""
    c, a = np.meshgrid(np.linspace(-0.5, 1.0, n_c), np.linspace(0.05, 4.0, n_a), indexing="ij")
    return c.ravel(), a.ravel()


def run(quick: bool = False) -> dict:
    """Time the sweep; ``quick`` shrinks the grid (1,000 points) and the subset (10)."""
    n_c, n_a, n_ref = (40, 25, 10) if quick else (100, 100, 100)
    c2, a0 = grid(n_c, n_a)
    teach = np.stack([np.zeros_like(c2), np.ones_like(c2), c2], axis=1)
    t = np.linspace(0.0, T_END, 11)
    args = (teach, [0.0, 1.0, S2], EPS, KAPPA0, a0, t)

    t0 = time.perf_counter()
    res = integrate_batch(*args)
    cold = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    res = integrate_batch(*args)
    warm, warm_cpu = time.perf_counter() - t0, time.process_time() - c0

    pick = np.random.default_rng(0).choice(c2.size, n_ref, replace=False)
    dev_k = dev_a = 0.0
    t0, c0 = time.perf_counter(), time.process_time()
    refs = [ReducedDynamics(polynomial(0.0, 1.0, c2[j]), polynomial(0.0, 1.0, S2), EPS)
            .integrate(KAPPA0, a0[j], t) for j in pick]
    ref_per_point = (time.perf_counter() - t0) / n_ref
    ref_cpu = (time.process_time() - c0) / n_ref
    for j, ref in zip(pick, refs):
        dev_k = max(dev_k, float(np.max(np.abs(ref.kappa - res.kappa[j]))))
        dev_a = max(dev_a, float(np.max(np.abs(ref.a - res.a[j]))))

    n = c2.size
    out = dict(points=n, cold_s=cold, warm_s=warm, ref_per_point_s=ref_per_point,
               ratio_cold=ref_per_point / (cold / n), ratio_warm=ref_per_point / (warm / n),
               ratio_cpu=ref_cpu / (warm_cpu / n), max_dev_kappa=dev_k, max_dev_a=dev_a, max_steps=int(res.n_steps.max()))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"sweep: {n} points ({n_c} c2 x {n_a} a0) to t = {T_END:g}, "
          f"{os.cpu_count()} CPUs, load average {load:.2f}")
    print(f"  vectorised (lib.sweep, JAX ode23s): {cold:.2f} s first call incl. compile, "
          f"{warm:.2f} s second call; {1e3 * warm / n:.3f} ms/point; "
          f"up to {out['max_steps']} steps per point")
    print(f"  reference loop (ReducedDynamics.integrate, LSODA) on {n_ref} points: "
          f"{1e3 * ref_per_point:.1f} ms/point")
    print(f"  per-point speed ratio: {out['ratio_warm']:.0f}x "
          f"({out['ratio_cold']:.0f}x counting compilation)")
    print(f"  CPU-time ratio (all threads, less sensitive to other load): "
          f"{out['ratio_cpu']:.0f}x ({warm_cpu:.2f} s CPU for the grid)")
    print(f"  max deviation on the subset: kappa {dev_k:.2e}, a {dev_a:.2e}")
    return out


if __name__ == "__main__":
    run()

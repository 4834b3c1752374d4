r"""Benchmark: an 8-point sweep over ``a0`` of finite networks, compiled once against
compiled per point.

Before :mod:`lib.simulate` traced its parameters, every value of ``lr``, ``eps``, ``a0``
and of the Hermite coefficients was baked into the program as a constant, so a sweep
compiled one program per point. That is emulated here side by side, in the same run: for
each point the same ensemble function is jitted with that point's parameters closed over
(constants, as before) and compiled, then run. Against it, the traced program of
:func:`lib.simulate.simulate_sweep` is compiled once for all points and seeds and run as
one batch. Printed: compile and run times of both, and the time of a second sweep over
other ``a0`` values through the public :func:`lib.simulate.simulate_sweep` (no
compilation: the program is cached by shape).
"""
from __future__ import annotations

import os
import time

import numpy as np

from lib.hermite import polynomial

TEACHER, STUDENT = polynomial(0, 1, 0.2), polynomial(0, 1, 0.5)
SIZES = dict(width=256, dim=64, batch=256, lr=0.05, eps=0.05, time=10.0, record_every=1.0)
QUICK_SIZES = dict(width=64, dim=32, batch=128, lr=0.05, eps=0.05, time=5.0, record_every=1.0)


def _inputs(a0s, n_seeds, sizes):
    """Keys, per-run parameters and static arguments of the ensemble, as simulate_sweep
    builds them (points x seeds runs, point-major)."""
    from lib.simulate import _loss_coeffs, seed_key

    u, v, const = _loss_coeffs(TEACHER, STUDENT, 0.0)
    n_runs = len(a0s) * n_seeds
    rep = lambda val: np.repeat(np.asarray([val], np.float32), n_runs, axis=0)
    params = dict(lr=rep(sizes["lr"]), eps=rep(sizes["eps"]), a0=np.repeat(np.float32(a0s), n_seeds),
                  noise=rep(0.0), t=rep(TEACHER.coeffs), s=rep(STUDENT.coeffs),
                  ds=rep(STUDENT.derivative().coeffs), u=rep(u), v=rep(v), const=rep(const))
    keys = np.tile(np.stack([seed_key(s) for s in range(n_seeds)]), (len(a0s), 1))
    spr = round(sizes["record_every"] / sizes["lr"])
    static = dict(width=sizes["width"], dim=sizes["dim"], batch=sizes["batch"],
                  n_records=round(sizes["time"] / sizes["record_every"]), freeze_a=False,
                  noisy=False, dtype="float32", mesh=None)
    return keys, params, np.int32(spr), static


def before(a0s, n_seeds, sizes):
    """One compilation per point, parameters as constants; returns (compile s, run s, kappa)."""
    import jax

    from lib.simulate import _ensemble

    compile_s = run_s = 0.0
    kappa = []
    for a0 in a0s:
        keys, params, spr, static = _inputs([a0], n_seeds, sizes)
        fn = jax.jit(lambda k, params=params, spr=spr, static=static: _ensemble(k, params, spr, **static))
        t0 = time.perf_counter()
        compiled = fn.lower(keys).compile()
        t1 = time.perf_counter()
        recs, _ = jax.block_until_ready(compiled(keys))
        t2 = time.perf_counter()
        compile_s, run_s = compile_s + t1 - t0, run_s + t2 - t1
        kappa.append(np.asarray(recs[0]))
    return compile_s, run_s, np.concatenate(kappa)


def after(a0s, n_seeds, sizes):
    """One compilation for all points (parameters traced); returns (compile s, run s, kappa)."""
    import jax

    from lib.simulate import _program

    keys, params, spr, static = _inputs(a0s, n_seeds, sizes)
    t0 = time.perf_counter()
    compiled = _program().lower(keys, params, spr, **static).compile()
    t1 = time.perf_counter()
    recs, _ = jax.block_until_ready(compiled(keys, params, spr))
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, np.asarray(recs[0])


def run(quick: bool = False) -> dict:
    """Time the 8-point ``a0`` sweep both ways and print the figures."""
    import jax

    from lib.simulate import simulate_sweep

    sizes = QUICK_SIZES if quick else SIZES
    n_seeds = 2 if quick else 4
    a0s = list(np.linspace(0.1, 1.5, 8))
    steps = round(sizes["time"] / sizes["lr"])
    print(f"a0 sweep: 8 points x {n_seeds} seeds, width={sizes['width']} dim={sizes['dim']} "
          f"batch={sizes['batch']}, {steps} steps; {jax.devices()[0].platform}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    c_after, r_after, k_after = after(a0s, n_seeds, sizes)
    c_before, r_before, k_before = before(a0s, n_seeds, sizes)
    dev = float(np.max(np.abs(k_after - k_before)))
    kw = {k: v for k, v in sizes.items()}
    simulate_sweep(TEACHER, STUDENT, a0=a0s, seeds=n_seeds, **kw)  # compile (cached by shape)
    t0 = time.perf_counter()
    simulate_sweep(TEACHER, STUDENT, a0=list(np.linspace(0.2, 1.6, 8)), seeds=n_seeds, **kw)
    again = time.perf_counter() - t0
    print(f"  before (a program per point, parameters as constants): compile {c_before:6.2f} s, "
          f"run {r_before:6.2f} s, total {c_before + r_before:6.2f} s")
    print(f"  after  (one program, parameters traced, one batch):    compile {c_after:6.2f} s, "
          f"run {r_after:6.2f} s, total {c_after + r_after:6.2f} s")
    print(f"  compile {c_before / c_after:.1f}x less, total {(c_before + r_before) / (c_after + r_after):.1f}x "
          f"faster; largest difference in kappa_mean {dev:.1e}")
    print(f"  a second sweep over other a0 values (simulate_sweep, program cached): {again:.2f} s")
    return dict(compile_before=c_before, run_before=r_before, compile_after=c_after,
                run_after=r_after, second_sweep=again, max_dev=dev)

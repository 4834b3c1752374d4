"""Benchmark: one spherical SGD step of :mod:`lib.simulate` against the numpy
reference (:mod:`lib.sgd_reference`) and against the matrix-multiply bound.

Two bounds are printed: the two products in numpy (BLAS, the bound named in the issue)
and the same two products in jitted JAX (XLA's own matmul, which on some CPUs is much
faster than the BLAS numpy links; it is then the honest bound for the JAX step).

The step is two matrix products of shape ``B x d x N`` (``W X^T`` and ``G^T X``) plus
elementwise work and the fresh Gaussian batch. The bound is the time numpy (BLAS) takes
for those two float32 products alone. Every figure is a median over repetitions; the
JAX step includes its random numbers and runs inside a jitted ``fori_loop`` of ``inner``
steps (dispatch amortised), exactly as in :func:`lib.simulate.simulate_network`.
"""
from __future__ import annotations

import time

import numpy as np

from lib.hermite import polynomial
from lib.sgd_reference import reference_batch, reference_step

TEACHER, STUDENT = polynomial(0, 1, 0.2), polynomial(0, 1, 0.5)
SHAPES = [(256, 1024, 1024), (512, 2048, 2048)]  # (d, N, B)
GPU_SHAPES = [(512, 4096, 4096), (1024, 8192, 8192)]


def _median_time(fn, reps: int, inner: int = 1) -> float:
    return _interleaved({"f": (fn, inner)}, reps)["f"]


def _interleaved(fns: dict, reps: int) -> dict:
    """Median time per call of each ``fn`` (divided by its ``inner`` count), measured
    round-robin so that a change in the machine's load hits all of them alike."""
    for fn, _ in fns.values():
        fn()  # warm-up (compilation, caches)
    out = {k: [] for k in fns}
    for _ in range(reps):
        for k, (fn, inner) in fns.items():
            t0 = time.perf_counter()
            fn()
            out[k].append((time.perf_counter() - t0) / inner)
    return {k: float(np.median(v)) for k, v in out.items()}


def _jax_steps(d, n, b, inner):
    import jax
    import jax.numpy as jnp

    from lib.simulate import hermite_eval, sgd_step

    s_c, ds_c = STUDENT.coeffs.tolist(), STUDENT.derivative().coeffs.tolist()
    t_c = TEACHER.coeffs.tolist()

    def body(i, carry):
        W, a, key = carry
        x = jax.random.normal(jax.random.fold_in(key, i), (b, d), jnp.float32)
        y = hermite_eval(t_c, x[:, 0])
        W, a = sgd_step(W, a, x, y, s_coeffs=s_c, ds_coeffs=ds_c, lr=0.05, eps=0.05)
        return W, a, key

    run = jax.jit(lambda W, a, key: jax.lax.fori_loop(0, inner, body, (W, a, key))[:2])
    key = jax.random.key(0)
    W = jax.random.normal(key, (n, d), jnp.float32)
    W = W / jnp.linalg.norm(W, axis=1, keepdims=True)
    a = jnp.full((n,), 0.1, jnp.float32)
    return lambda: jax.block_until_ready(run(W, a, key))


def _jax_matmuls(d, n, b, inner):
    """The two products alone in JAX (the bound on an accelerator)."""
    import jax
    import jax.numpy as jnp

    hi = jax.lax.Precision.HIGHEST

    def body(i, carry):  # the same layout as lib.simulate.sgd_step: (N, B) in the middle
        x, W = carry
        hT = jnp.matmul(W, x.T, precision=hi)
        return x, W + 1e-9 * jnp.matmul(hT, x, precision=hi)

    run = jax.jit(lambda x, W: jax.lax.fori_loop(0, inner, body, (x, W))[1])
    x = jnp.ones((b, d), jnp.float32)
    W = jnp.ones((n, d), jnp.float32)
    return lambda: jax.block_until_ready(run(x, W))


def _numpy_parts(d, n, b, seed=0):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((n, d), dtype=np.float32)
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    a = np.full(n, 0.1, np.float32)
    x = rng.standard_normal((b, d), dtype=np.float32)
    g = rng.standard_normal((b, n), dtype=np.float32)

    def matmul():
        h = x @ W.T
        return (g.T @ x, h)

    def reference():
        xb, yb = reference_batch(rng, TEACHER, b, d)
        return reference_step(W, a, xb, yb, student=STUDENT, lr=0.05, eps=0.05)

    return matmul, reference


def run(quick: bool = False) -> dict:
    """Print medians and ratios; return them as a dict keyed by shape."""
    import jax

    platform = jax.devices()[0].platform
    reps = 3 if quick else 7
    inner = 5 if quick else 10
    shapes = SHAPES[:1] if quick else SHAPES
    print(f"JAX {jax.__version__} on {platform} ({jax.devices()[0].device_kind}); "
          f"float32; medians of {reps} interleaved repetitions; teacher He1+0.2He2, student He1+0.5He2")
    results = {}
    for d, n, b in shapes:
        flops = 4.0 * b * d * n  # two products of B x d x N, 2 flops per multiply-add
        matmul, reference = _numpy_parts(d, n, b)
        tm = _interleaved({"mm": (matmul, 1), "ref": (reference, 1),
                           "jax": (_jax_steps(d, n, b, inner), inner),
                           "xla": (_jax_matmuls(d, n, b, inner), inner)}, reps)
        t_mm, t_ref, t_jax, t_xla = tm["mm"], tm["ref"], tm["jax"], tm["xla"]
        results[(d, n, b)] = dict(matmul=t_mm, numpy=t_ref, jax=t_jax, jax_matmul=t_xla)
        print(f"d={d} N={n} B={b}:\n"
              f"  matmul bound, numpy/BLAS : {t_mm * 1e3:8.2f} ms ({flops / t_mm / 1e9:6.1f} GFLOP/s)\n"
              f"  matmul bound, JAX/XLA    : {t_xla * 1e3:8.2f} ms ({flops / t_xla / 1e9:6.1f} GFLOP/s)\n"
              f"  numpy reference step     : {t_ref * 1e3:8.2f} ms = {t_ref / t_mm:5.2f}x numpy bound\n"
              f"  JAX step (with RNG)      : {t_jax * 1e3:8.2f} ms = {t_jax / t_mm:5.2f}x numpy bound, "
              f"{t_jax / t_xla:5.2f}x XLA bound, {t_ref / t_jax:5.2f}x faster than numpy")
    if platform == "gpu":
        for d, n, b in GPU_SHAPES[:1] if quick else GPU_SHAPES:
            flops = 4.0 * b * d * n
            t_jax = _median_time(_jax_steps(d, n, b, 10 * inner), reps, 10 * inner)
            t_mm = _median_time(_jax_matmuls(d, n, b, 10 * inner), reps, 10 * inner)
            results[("gpu", d, n, b)] = dict(matmul=t_mm, jax=t_jax)
            print(f"GPU d={d} N={n} B={b}: JAX step {t_jax * 1e3:.3f} ms = {flops / t_jax / 1e12:.1f} TFLOP/s "
                  f"(float32, Precision.HIGHEST); the two products alone {t_mm * 1e3:.3f} ms = "
                  f"{flops / t_mm / 1e12:.1f} TFLOP/s; step/products = {t_jax / t_mm:.2f}x. "
                  "Divide by the card's float32 peak (H100 SXM: 67 TFLOP/s) for the fraction reached.")
    return results

r"""Benchmark: one spherical SGD step of :mod:`lib.simulate` against its bound.

A step must do two matrix products of shape ``B x d x N`` (:math:`H = W X^\top` and
:math:`\sigma'(H)\tilde X`) and draw a fresh ``(B, d)`` Gaussian batch; everything else
is a few passes over memory. The *bound* is therefore the time of those two float32
products (full precision, jitted XLA, in a ``fori_loop`` as the simulation runs them)
plus the time of drawing the batch with the generator the simulation uses (threefry,
:func:`lib.simulate.gaussian_batch`), each timed alone. The step is timed exactly as
:func:`lib.simulate.simulate_network` runs one seed (``lib.simulate._train_steps``,
``inner`` steps in one jitted loop, dispatch amortised).

The three are timed round-robin (interleaved repetitions), so that a change in the
machine's load hits them alike; ``step/bound`` is the median over repetitions of the
ratio measured within each repetition. Printed per shape: the breakdown (products,
random numbers, the rest = step - products - random numbers), JAX's own
``jax.random.normal`` for the same batch (same numbers, its CPU lowering is a rolled
loop), the step with a student whose :math:`\sigma'` is not affine (tanh truncated at
degree 15: :math:`\sigma'(H)` is formed, one more pass over ``(N, B)``), the numpy
reference step (:mod:`lib.sgd_reference`), the ratio in CPU time (all threads; less
sensitive to other load, but it counts the thread pool's spinning between operations),
and the line ``step/bound = ...`` for the running example (teacher
:math:`\mathrm{He}_1 + 0.2\mathrm{He}_2`, student :math:`\mathrm{He}_1 + 0.5\mathrm{He}_2`).

:func:`profile` (``python -m lib.bench network --profile``) shows where a step's time goes:
the time of each operation of the compiled step, from a ``jax.profiler`` trace.

On a GPU, :func:`run_gpu` times wider shapes (``N = B`` up to 16384) and relates the
step to the GPU's own float32 matrix-multiply rate (a square product timed alike).
"""
from __future__ import annotations

import os
import re
import time

import numpy as np

from lib.hermite import polynomial, tanh
from lib.sgd_reference import reference_batch, reference_step

TEACHER, STUDENT = polynomial(0, 1, 0.2), polynomial(0, 1, 0.5)
GENERAL = tanh(15)  # a student whose sigma' is not affine: sigma'(H) is formed
SHAPES = [(256, 1024, 1024), (512, 2048, 2048)]  # (d, N, B)
GPU_SHAPES = [(1024, 4096, 4096), (1024, 8192, 8192), (1024, 16384, 16384)]


def _interleaved(fns: dict, reps: int, cpu: dict | None = None) -> dict:
    """Per-call wall times of each ``fn`` (divided by its ``inner`` count), measured
    round-robin: ``{name: array of reps times}``. If ``cpu`` is a dict, it receives the
    CPU times (all threads of this process) alike."""
    for fn, _ in fns.values():
        fn()  # warm-up (compilation, caches)
    out = {k: [] for k in fns}
    cpu_out = {k: [] for k in fns}
    for _ in range(reps):
        for k, (fn, inner) in fns.items():
            c0, t0 = time.process_time(), time.perf_counter()
            fn()
            out[k].append((time.perf_counter() - t0) / inner)
            cpu_out[k].append((time.process_time() - c0) / inner)
    if cpu is not None:
        cpu.update({k: np.asarray(v) for k, v in cpu_out.items()})
    return {k: np.asarray(v) for k, v in out.items()}


def _median_time(fn, reps: int, inner: int = 1) -> float:
    return float(np.median(_interleaved({"f": (fn, inner)}, reps)["f"]))


def _params(student=STUDENT, dtype="float32"):
    import jax.numpy as jnp

    from lib.simulate import _loss_coeffs

    u, v, const = _loss_coeffs(TEACHER, student, 0.0)
    f = lambda a: jnp.asarray(np.asarray(a, dtype))
    return dict(lr=f(0.05), eps=f(0.05), a0=f(0.1), noise=f(0.0), t=f(TEACHER.coeffs),
                s=f(student.coeffs), ds=f(student.derivative().coeffs), u=f(u), v=f(v), const=f(const))


def _device(device):
    import jax

    return device if device is not None else jax.devices()[0]


def step_loop(d, n, b, inner, device=None, student=STUDENT):
    """``inner`` steps of one run, as :func:`lib.simulate.simulate_network` runs them."""
    import jax
    import jax.numpy as jnp

    from lib.simulate import _train_steps, seed_key

    @jax.jit
    def sgd_steps(W, a, kd, p):
        return _train_steps(W, a, kd, p, 0, inner, batch=b, freeze_a=False, noisy=False)

    dev = _device(device)
    W = jax.random.normal(jax.random.key(0), (n, d), jnp.float32)
    W = jax.device_put(W / jnp.linalg.norm(W, axis=1, keepdims=True), dev)
    a = jax.device_put(jnp.full((n,), 0.1, jnp.float32), dev)
    kd = jax.device_put(jnp.asarray(seed_key(0)), dev)
    p = jax.device_put(_params(student), dev)

    def run():
        return jax.block_until_ready(sgd_steps(W, a, kd, p))

    run.hlo = lambda: sgd_steps.lower(W, a, kd, p).compile().as_text()  # for profile()
    return run


def products_loop(d, n, b, inner, device=None):
    """The two products alone, ``inner`` times: :math:`H = WX^\\top` (``(N, B)``) and
    :math:`HX` (``(N, d)``), float32, ``Precision.HIGHEST``, the step's layout."""
    import jax
    import jax.numpy as jnp

    hi = jax.lax.Precision.HIGHEST

    def body(i, carry):
        x, W = carry
        hT = jnp.matmul(W, x.T, precision=hi)
        return x, W + 1e-9 * jnp.matmul(hT, x, precision=hi)

    @jax.jit
    def two_products(x, W):
        return jax.lax.fori_loop(0, inner, body, (x, W))[1]

    dev = _device(device)
    x = jax.device_put(jnp.ones((b, d), jnp.float32), dev)
    W = jax.device_put(jnp.ones((n, d), jnp.float32), dev)
    return lambda: jax.block_until_ready(two_products(x, W))


def random_loop(d, n, b, inner, device=None, stock=False):
    r"""``inner`` Gaussian ``(B, d)`` batches, each keyed by ``fold_in(key, i)`` and written
    to memory once (the loop carries the last one): the generator of :mod:`lib.simulate`
    as the step calls it (``halved``: the batch over :math:`\sqrt2`), or
    ``jax.random.normal`` with ``stock=True`` (the same numbers, times :math:`\sqrt2`)."""
    import jax
    import jax.numpy as jnp

    from lib.simulate import _fold_in, gaussian_batch, seed_key

    def body(i, x):
        if stock:
            return jax.random.normal(jax.random.fold_in(jax.random.key(0), i), (b, d), jnp.float32)
        return gaussian_batch(_fold_in(jnp.asarray(seed_key(0)), i), b, d, halved=True)[0]

    @jax.jit
    def gaussian_batches(x):
        return jax.lax.fori_loop(0, inner, body, x)

    x = jax.device_put(jnp.zeros((b, d), jnp.float32), _device(device))
    return lambda: jax.block_until_ready(gaussian_batches(x))


def _numpy_step(d, n, b, seed=0):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((n, d), dtype=np.float32)
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    a = np.full(n, 0.1, np.float32)

    def reference():
        xb, yb = reference_batch(rng, TEACHER, b, d)
        return reference_step(W, a, xb, yb, student=STUDENT, lr=0.05, eps=0.05)

    return reference


def measure(d, n, b, reps, inner, device=None, stock=True, general=True):
    """Interleaved times of the step, the products and the random numbers at one shape;
    returns a dict of medians (seconds) and ``ratio``, the median per-repetition
    ``step / (products + random numbers)`` (``cpu_ratio``: the same in CPU time). With
    ``general``, also the step with the student :data:`GENERAL` (``ratio_general``)."""
    fns = {"step": (step_loop(d, n, b, inner, device), inner),
           "products": (products_loop(d, n, b, inner, device), inner),
           "random": (random_loop(d, n, b, inner, device), inner)}
    if general:
        fns["step_general"] = (step_loop(d, n, b, inner, device, student=GENERAL), inner)
    if stock:
        fns["stock_random"] = (random_loop(d, n, b, inner, device, stock=True), inner)
    cpu = {}
    t = _interleaved(fns, reps, cpu)
    bound = t["products"] + t["random"]
    ratios = t["step"] / bound
    out = {k: float(np.median(v)) for k, v in t.items()}
    out.update(ratio=float(np.median(ratios)), ratio_lo=float(np.min(ratios)),
               ratio_hi=float(np.max(ratios)), flops=4.0 * b * d * n,
               cpu_ratio=float(np.median(cpu["step"] / (cpu["products"] + cpu["random"]))))
    if general:
        out["ratio_general"] = float(np.median(t["step_general"] / bound))
    if stock:
        out["ratio_stock"] = float(np.median(t["step"] / (t["products"] + t["stock_random"])))
    return out


def _load() -> str:
    return f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "n/a"


def _report(d, n, b, m, reps, inner, unit=1e3, unit_name="ms", rate=1e9, rate_name="GFLOP/s"):
    rest = m["step"] - m["products"] - m["random"]
    lines = [
        f"d={d} N={n} B={b}  (medians of {reps} interleaved repetitions of {inner} steps; "
        f"load average {_load()})",
        f"  products, 2 x (B x d x N), XLA   {m['products'] * unit:9.3f} {unit_name}  "
        f"({m['flops'] / m['products'] / rate:7.1f} {rate_name})",
        f"  random numbers, (B, d) threefry  {m['random'] * unit:9.3f} {unit_name}"
        + (f"  (jax.random.normal, same numbers: {m['stock_random'] * unit:.3f} {unit_name})"
           if "stock_random" in m else ""),
        f"  the rest                         {rest * unit:9.3f} {unit_name}  "
        "(step - products - random numbers)",
        f"  step (lib.simulate)              {m['step'] * unit:9.3f} {unit_name}  "
        f"({m['flops'] / m['step'] / rate:7.1f} {rate_name})",
    ]
    if "numpy" in m:
        lines.append(f"  numpy reference step             {m['numpy'] * unit:9.3f} {unit_name}  "
                     f"({m['numpy'] / m['step']:.1f}x the step)")
    if "step_general" in m:
        lines.append(f"  step, student tanh (degree 15)   {m['step_general'] * unit:9.3f} {unit_name}  "
                     f"(sigma' not affine: step/bound {m['ratio_general']:.2f})")
    if "ratio_stock" in m:
        lines.append(f"  step/(products + jax.random.normal) = {m['ratio_stock']:.2f};  "
                     f"in CPU time (all threads), step/bound = {m['cpu_ratio']:.2f}")
    lines.append(f"  step/bound = {m['ratio']:.2f}   (bound = products + random numbers, "
                 f"{(m['products'] + m['random']) * unit:.3f} {unit_name}; per-repetition ratios "
                 f"{m['ratio_lo']:.2f}-{m['ratio_hi']:.2f})")
    print("\n".join(lines))


def run(quick: bool = False) -> dict:
    """Print the breakdown and ``step/bound`` per shape; return the figures by shape."""
    import jax

    dev = jax.devices()[0]
    reps = 5 if quick else 21
    inner = 5 if quick else 10
    shapes = SHAPES[:1] if quick else SHAPES
    print(f"JAX {jax.__version__} on {dev.platform} ({dev.device_kind}), {os.cpu_count()} CPUs; "
          f"float32, Precision.HIGHEST; teacher He1+0.2He2, student He1+0.5He2; one run (seed)")
    results = {}
    for d, n, b in shapes:
        m = measure(d, n, b, reps, inner)
        m["numpy"] = _median_time(_numpy_step(d, n, b), 3 if quick else 5)
        results[(d, n, b)] = m
        _report(d, n, b, m, reps, inner)
    if dev.platform == "gpu":
        results.update(run_gpu(GPU_SHAPES[:1] if quick else GPU_SHAPES, quick=quick))
    return results


def matmul_rate(device=None, size=8192, reps=5, inner=10) -> float:
    """The device's float32 matrix-multiply rate (FLOP/s, ``Precision.HIGHEST``) on a square
    ``size`` product, timed as the products are."""
    import jax
    import jax.numpy as jnp

    hi = jax.lax.Precision.HIGHEST

    def body(i, c):
        return c + 1e-9 * jnp.matmul(c, c, precision=hi)

    run = jax.jit(lambda c: jax.lax.fori_loop(0, inner, body, c))
    c = jax.device_put(jnp.full((size, size), 1e-3, jnp.float32), _device(device))
    t = _median_time(lambda: jax.block_until_ready(run(c)), reps, inner)
    return 2.0 * size**3 / t


def run_gpu(shapes=GPU_SHAPES, quick: bool = False, device=None) -> dict:
    """On a GPU: the step at wide shapes, its ``step/bound``, and its rate as a fraction of
    the GPU's own float32 matmul rate. Returns the figures by ``("gpu", d, N, B)``."""
    import jax

    dev = _device(device)
    reps, inner = (3, 5) if quick else (5, 10)
    size = min(8192, max(n for _, n, _ in shapes))
    peak = matmul_rate(dev, size=size, reps=reps, inner=inner)
    print(f"{dev.device_kind}: float32 matmul rate ({size}^3, Precision.HIGHEST) "
          f"{peak / 1e12:.2f} TFLOP/s")
    results = {}
    for d, n, b in shapes:
        m = measure(d, n, b, reps, inner, dev, stock=False)
        m["matmul_rate"] = peak
        m["fraction_of_matmul_rate"] = m["flops"] / m["step"] / peak
        results[("gpu", d, n, b)] = m
        _report(d, n, b, m, reps, inner, rate=1e12, rate_name="TFLOP/s")
        print(f"  step/matmul rate = {m['fraction_of_matmul_rate']:.2f}   (the step's "
              f"{m['flops'] / m['step'] / 1e12:.2f} TFLOP/s over the {peak / 1e12:.2f} TFLOP/s of a "
              "plain float32 product)")
        jax.clear_caches()
    return results


def operations(hlo: str) -> dict:
    """The operations of a compiled program's text: ``{name: (shape, JAX operation)}``,
    the shape without its layout (a tuple for a fusion with several outputs; a longer
    tuple, such as a loop's state, as its number of arrays)."""
    ops = {}
    for line in hlo.splitlines():
        if m := re.match(r"\s*(?:ROOT )?%([\w.-]+) = (\([^)]*\)|\w+\[[\d,]*\]\S*) ([\w-]+)\(",
                         line):
            shape = re.sub(r"\{[^}]*\}|/\*.*?\*/", "", m[2])
            if shape.startswith("(") and shape.count("[") > 3:  # e.g. a loop's whole state
                shape = f"({shape.count('[')} arrays)"
            what = re.search(r'op_name="[^"]*?([\w-]+)"', line)
            ops[m[1]] = (shape, what[1] if what else m[3])
    return ops


def profile(d=256, n=1024, b=1024, steps=20, reps=5, top=14) -> list:
    """Where a step's time goes: per-operation times of :func:`step_loop` from a
    ``jax.profiler`` trace, as ``(ms per step, operation, shape, what)`` rows, largest
    first, ``what`` being the JAX operation XLA's fused operation came from. Printed by
    ``python -m lib.bench network --profile``. The times carry the profiler's own cost
    per operation, so they add up to a little more than the step."""
    import collections
    import glob
    import gzip
    import json
    import tempfile

    import jax

    run = step_loop(d, n, b, steps)
    run(), run()
    with tempfile.TemporaryDirectory() as tmp:
        jax.profiler.start_trace(tmp, create_perfetto_trace=True)
        for _ in range(reps):
            run()
        jax.profiler.stop_trace()
        trace = glob.glob(os.path.join(tmp, "**", "*.json.gz"), recursive=True)[0]
        with gzip.open(trace) as fh:
            events = json.load(fh)["traceEvents"]
    ops = operations(run.hlo())
    total = collections.Counter()
    for e in events:
        if e.get("ph") == "X" and e.get("name") in ops:
            total[e["name"]] += e.get("dur", 0.0)
    rows = [(us / 1e3 / (reps * steps), name, *ops[name]) for name, us in total.most_common(top)]
    print(f"d={d} N={n} B={b}: per-operation times of the step (jax.profiler; ms per step)")
    for ms, name, shape, what in rows:
        print(f"  {ms:7.3f} ms  {name:32s} {shape:16s} {what}")
    return rows

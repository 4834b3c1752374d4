r"""Finite two-layer networks trained by spherical SGD, in JAX.

This is the finite object whose limit the reduced ODE of :mod:`lib.reduced` describes
(the setting chapter of the book). For one seed:

* inputs :math:`x \sim N(0, I_d)`, a fresh batch of ``batch`` samples every step;
* teacher :math:`y = \sigma_*(z) + \text{label\_noise}\cdot\zeta`, :math:`z = \langle\theta_*, x\rangle`,
  :math:`\zeta \sim N(0,1)`. The law of :math:`x` is rotation invariant, so we take
  :math:`\theta_* = e_1` without loss of generality: :math:`z = x_1` and the alignment of
  neuron :math:`j` is the first coordinate of :math:`w_j`;
* student :math:`f(x) = \frac1N \sum_j a_j \sigma(\langle w_j, x\rangle)` with
  :math:`|w_j| = 1`, :math:`w_j` uniform on the sphere at initialisation and :math:`a_j = a_0`;
* loss :math:`\frac12 (f-y)^2` averaged over the batch; mean-field learning rates
  ``lr * N`` (first layer) and ``eps * lr * N`` (second layer). The first-layer gradient
  is projected on the tangent space of the sphere at :math:`w_j`, the step is taken and
  :math:`w_j` is renormalised to unit length. Time is ``t = lr * step``.

Written out, with :math:`h_{bj} = \langle w_j, x_b\rangle` and :math:`r_b = f(x_b) - y_b`,

.. math::
    g_j = \frac{a_j}{B}\sum_b r_b\,\sigma'(h_{bj})\, x_b, \qquad
    w_j \leftarrow \frac{w_j - \eta\,(g_j - \langle g_j, w_j\rangle w_j)}
                         {|w_j - \eta\,(g_j - \langle g_j, w_j\rangle w_j)|}, \qquad
    a_j \leftarrow a_j - \frac{\varepsilon\eta}{B}\sum_b r_b\,\sigma(h_{bj}).

The step costs two matrix products of shape ``B x d x N`` (:math:`WX^\top` and
:math:`G^\top X`) plus elementwise work; :math:`\langle g_j, w_j\rangle` is a row-wise dot
product of two ``N x d`` arrays, no third product. :math:`\sigma` and :math:`\sigma'` are evaluated from the Hermite
coefficients by Clenshaw's recurrence (stable for any degree, e.g. tanh truncated at 15).

The population loss :math:`\frac12\mathbb{E}[(f-y)^2]` is computed *exactly* at every
record time: for Gaussian inputs and unit vectors, Mehler's formula gives
:math:`\mathbb{E}[\sigma(\langle w_i,x\rangle)\sigma(\langle w_j,x\rangle)] = \sum_k k!\,s_k^2 q_{ij}^k`
with :math:`q_{ij} = \langle w_i, w_j\rangle`, at any finite ``d``, so no test batch is needed.

All seeds run at once through ``jax.vmap``; the loop is a ``lax.scan`` over record times
around a ``lax.fori_loop`` over steps, so memory does not grow with the number of steps.
The same code runs on a GPU when JAX sees one (install JAX with CUDA support, e.g.
``pip install -U "jax[cuda12]"``, no code change); matrix products use full float32
precision (``Precision.HIGHEST``: no TF32 on GPUs). Random numbers: one threefry draw of
shape ``(B, d)`` per step (``(B, d+1)`` with label noise), keyed by
``fold_in(key(seed), step)``, so a run is reproducible and independent of how many seeds
are vmapped together.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from lib._checks import finite_array, positive, positive_int
from lib.hermite import HermiteSeries, as_series

__all__ = ["NetworkRun", "simulate_network", "hermite_eval", "sgd_step", "population_loss"]

def _jax():
    import jax  # imported lazily: importing lib must not require jax initialisation

    return jax


# -- Hermite series in JAX ------------------------------------------------------------
def hermite_eval(coeffs, z):
    r"""Evaluate :math:`\sum_k` ``coeffs[k]`` :math:`\mathrm{He}_k(z)` by Clenshaw's recurrence.

    ``coeffs`` is a sequence of Python floats (baked into the traced program); ``z`` a
    JAX or numpy array. With :math:`b_{K+1} = b_{K+2} = 0` and
    :math:`b_k = c_k + z b_{k+1} - (k+1) b_{k+2}` the sum is :math:`b_0` (the dual of
    :math:`\mathrm{He}_{k+1} = z\mathrm{He}_k - k\mathrm{He}_{k-1}`).
    """
    coeffs = [float(c) for c in coeffs]
    # drop trailing zeros: they cost a pass over the array each
    while len(coeffs) > 1 and coeffs[-1] == 0.0:
        coeffs.pop()
    b1 = b2 = None
    for k in range(len(coeffs) - 1, -1, -1):
        b = coeffs[k] + (0.0 if b1 is None else z * b1) - (0.0 if b2 is None else (k + 1) * b2)
        if b1 is None and not hasattr(b, "shape"):
            b = b + 0.0 * z  # constant series: keep the shape of z
        b1, b2 = b, b1
    return b1


def _derivative_coeffs(series: HermiteSeries):
    return [float(c) for c in series.derivative().coeffs]


def _poly_eval(coeffs, q):
    """Horner for :math:`\\sum_k` ``coeffs[k]`` ``q**k`` (coeffs Python floats)."""
    out = 0.0 * q + float(coeffs[-1])
    for c in coeffs[-2::-1]:
        out = out * q + float(c)
    return out


# -- one SGD step (one seed) -------------------------------------------------------------
def sgd_step(W, a, x, y, *, s_coeffs, ds_coeffs, lr, eps, freeze_a=False):
    r"""One spherical SGD step in JAX for one seed (pure function, jit-friendly).

    ``W`` is ``(N, d)`` with unit rows, ``a`` is ``(N,)``, ``x`` is ``(B, d)``, ``y`` is ``(B,)``.
    Returns the new ``(W, a)``. See the module docstring for the formulas.
    """
    jax = _jax()
    jnp = jax.numpy
    hi = jax.lax.Precision.HIGHEST
    n, b = W.shape[0], x.shape[0]
    # neuron-major layout (N, B): both products are then plain row-major matmuls, which
    # XLA's CPU backend runs faster than a product contracting a leading dimension
    hT = jnp.matmul(W, x.T, precision=hi)                   # (N, B): h_bj = <w_j, x_b>
    s = hermite_eval(s_coeffs, hT)
    r = jnp.matmul(a, s, precision=hi) / n - y              # (B,): f(x_b) - y_b
    gT = hermite_eval(ds_coeffs, hT) * (a[:, None] / b) * r[None, :]
    grad = jnp.matmul(gT, x, precision=hi)                  # (N, d): g_j
    radial = jnp.sum(grad * W, axis=1)                      # <g_j, w_j>
    W1 = W - lr * (grad - radial[:, None] * W)
    W1 = W1 * jax.lax.rsqrt(jnp.sum(W1 * W1, axis=1, keepdims=True))
    if freeze_a:
        return W1, a
    a1 = a - (eps * lr / b) * jnp.matmul(s, r, precision=hi)
    return W1, a1


def population_loss(W, a, *, teacher: HermiteSeries, student: HermiteSeries, label_noise=0.0):
    r"""Exact :math:`\frac12\mathbb{E}[(f-y)^2]` over Gaussian inputs and label noise (JAX).

    :math:`\frac12(\|\sigma_*\|^2 + \text{label\_noise}^2) - \frac1N\sum_j a_j\phi(\kappa_j)
    + \frac1{2N^2}\sum_{ij} a_i a_j \sum_k k!\,s_k^2 q_{ij}^k`, with
    :math:`\phi(\kappa) = \sum_k k!\,s_k c_k\kappa^k`, :math:`\kappa_j = W_{j1}`,
    :math:`q = WW^\top`.
    """
    jax = _jax()
    jnp = jax.numpy
    n = W.shape[0]
    m = min(teacher.coeffs.size, student.coeffs.size)
    u = (student.weighted()[:m] * teacher.coeffs[:m]).tolist()
    v = (student.weighted() * student.coeffs).tolist()
    q = jnp.matmul(W, W.T, precision=jax.lax.Precision.HIGHEST)
    cross = jnp.sum(a * _poly_eval(u, W[:, 0])) / n
    quad = jnp.sum(a[:, None] * a[None, :] * _poly_eval(v, q)) / n**2
    const = 0.5 * (teacher.norm2() + float(label_noise) ** 2)
    return const - cross + 0.5 * quad


# -- the public entry -----------------------------------------------------------------------
@dataclass(frozen=True)
class NetworkRun:
    """Recorded statistics of finite networks, one row per seed.

    Shapes: ``t`` is ``(R,)`` (record times, starting at 0); ``kappa_mean``,
    ``kappa_std``, ``a_mean``, ``a_std``, ``rho``, ``loss`` are ``(S, R)`` for ``S``
    seeds; ``kappa_final`` is ``(S, N)`` (every neuron's alignment at the last time);
    ``seeds`` is ``(S,)``. Means and standard deviations are across the N neurons.
    ``rho`` is :math:`|\\frac1N\\sum_j (w_j - \\kappa_j\\theta_*)|^2`, the squared norm of
    the mean orthogonal part (coherence of the neurons, see the finite-batch chapter). ``loss``
    is the exact population loss (label noise included); it costs one ``N x N x d``
    product (and an ``N x N`` array per seed) at each record time, so record sparsely
    at very large widths.
    """

    t: np.ndarray
    kappa_mean: np.ndarray
    kappa_std: np.ndarray
    a_mean: np.ndarray
    a_std: np.ndarray
    rho: np.ndarray
    loss: np.ndarray
    kappa_final: np.ndarray
    seeds: np.ndarray


def _seed_list(seeds) -> np.ndarray:
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        return np.arange(positive_int("seeds", seeds))
    try:
        arr = np.asarray(list(seeds))
    except TypeError:
        raise ValueError(f"seeds must be a positive int or a sequence of ints, got {seeds!r}") from None
    if arr.ndim != 1 or arr.size == 0 or not np.issubdtype(arr.dtype, np.integer) or np.any(arr < 0):
        raise ValueError(f"seeds must be a positive int or a sequence of non-negative ints, got {seeds!r}")
    return arr.astype(np.int64)


def _whole(name: str, ratio: float, what: str) -> int:
    k = round(ratio)
    if k < 1 or abs(ratio - k) > 1e-6 * max(1.0, ratio):
        raise ValueError(f"{name} must be a whole multiple of {what}, got ratio {ratio!r}")
    return int(k)


_CACHE: dict = {}


def _build(teacher, student, *, width, dim, batch, lr, eps, a0, n_records, steps_per_record,
           freeze_a, label_noise, dtype):
    """Return a jitted function ``keys -> stacked records`` (vmapped over seeds)."""
    jax = _jax()
    jnp = jax.numpy
    s_c = [float(c) for c in student.coeffs]
    ds_c = _derivative_coeffs(student)
    t_c = [float(c) for c in teacher.coeffs]
    step = partial(sgd_step, s_coeffs=s_c, ds_coeffs=ds_c, lr=lr, eps=eps, freeze_a=freeze_a)
    loss = partial(population_loss, teacher=teacher, student=student, label_noise=label_noise)

    def stats(W, a):
        kap = W[:, 0]
        perp = jnp.mean(W, axis=0).at[0].set(0.0)
        return (jnp.mean(kap), jnp.std(kap), jnp.mean(a), jnp.std(a),
                jnp.sum(perp * perp), loss(W, a))

    def one_seed(key):
        k_init, k_run = jax.random.split(key)
        W = jax.random.normal(k_init, (width, dim), dtype)  # uniform on the sphere
        W = W * jax.lax.rsqrt(jnp.sum(W * W, axis=1, keepdims=True))
        a = jnp.full((width,), a0, dtype)
        first = stats(W, a)

        def body(i, carry):
            W, a = carry
            # one draw per step (one threefry instance: fast to compile and to run);
            # with label noise, its extra column is the noise
            xz = jax.random.normal(jax.random.fold_in(k_run, i),
                                   (batch, dim + (label_noise > 0)), dtype)
            x = xz[:, :dim]
            y = hermite_eval(t_c, x[:, 0])
            if label_noise > 0:
                y = y + label_noise * xz[:, dim]
            return step(W, a, x, y)

        def record(carry, r):
            W, a = jax.lax.fori_loop(r * steps_per_record, (r + 1) * steps_per_record, body, carry)
            return (W, a), stats(W, a)

        (W, a), recs = jax.lax.scan(record, (W, a), jnp.arange(n_records))
        return recs, W[:, 0], first

    return jax.jit(jax.vmap(one_seed))


def simulate_network(teacher, student, *, width: int, dim: int, batch: int, lr: float,
                     eps: float, a0: float, time: float, seed=0, seeds=None,
                     record_every: float = 1.0, freeze_a: bool = False,
                     label_noise: float = 0.0, dtype="float32") -> NetworkRun:
    """Train finite networks by spherical SGD and record their order parameters.

    Parameters
    ----------
    teacher, student
        :class:`~lib.hermite.HermiteSeries` (or coefficients) of :math:`\\sigma_*` and :math:`\\sigma`.
    width, dim, batch
        N, d and B (positive integers).
    lr, eps
        Learning rate :math:`\\eta` (> 0; the layers use ``lr*N`` and ``eps*lr*N``) and
        the ratio ``eps`` (> 0, even with ``freeze_a=True``).
    a0
        Initial second-layer weight, shared by all neurons (finite).
    time
        Total training time; the run takes ``round(time / lr)`` steps (``time`` must be a
        whole multiple of ``lr``).
    seed, seeds
        ``seeds`` is an int count (seeds ``seed, seed+1, ...``) or a sequence of ints;
        ``None`` means the single seed ``seed``. Seeds run in parallel (vmap); the same
        seed gives the same numbers.
    record_every
        Spacing of the record times, in time units: a whole multiple of ``lr`` that
        divides ``time``. Records start at ``t = 0``.
    freeze_a
        Keep ``a`` at ``a0`` (the fast system).
    label_noise
        Standard deviation of Gaussian noise added to the labels (>= 0).
    dtype
        ``"float32"`` (default) or ``"float64"`` (runs under ``jax.enable_x64``).
    """
    jax = _jax()
    teacher = as_series("teacher", teacher)
    student = as_series("student", student)
    width = positive_int("width", width)
    dim = positive_int("dim", dim)
    batch = positive_int("batch", batch)
    lr = positive("lr", lr)
    eps = positive("eps", eps)
    time = positive("time", time)
    record_every = positive("record_every", record_every)
    a0 = float(finite_array("a0", a0))
    label_noise = float(finite_array("label_noise", label_noise))
    if label_noise < 0:
        raise ValueError(f"label_noise must be >= 0, got {label_noise!r}")
    if dim < 2:
        raise ValueError(f"dim must be at least 2, got {dim!r}")
    if str(np.dtype(dtype)) not in ("float32", "float64"):
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}")
    dtype = str(np.dtype(dtype))
    seed_arr = (np.array([positive_int("seed + 1", int(seed) + 1) - 1]) if seeds is None
                else _seed_list(seeds) + (int(seed) if isinstance(seeds, (int, np.integer)) else 0))
    steps_per_record = _whole("record_every", record_every / lr, "lr")
    n_records = _whole("time", time / record_every, "record_every")

    with jax.enable_x64(dtype == "float64"):
        cache_key = (tuple(teacher.coeffs), tuple(student.coeffs), width, dim, batch, lr, eps, a0,
                     n_records, steps_per_record, bool(freeze_a), label_noise, dtype)
        if cache_key not in _CACHE:
            if len(_CACHE) >= 8:
                _CACHE.clear()  # bound the memory held by compiled programs
            _CACHE[cache_key] = _build(teacher, student, width=width, dim=dim, batch=batch, lr=lr, eps=eps, a0=a0,
                    n_records=n_records, steps_per_record=steps_per_record, freeze_a=bool(freeze_a),
                    label_noise=label_noise, dtype=dtype)
        fn = _CACHE[cache_key]
        keys = jax.vmap(jax.random.key)(jax.numpy.asarray(seed_arr, dtype="uint32"))
        recs, kfin, first = jax.device_get(fn(keys))
    cols = [np.concatenate([np.asarray(f)[:, None], np.asarray(r)], axis=1)
            for f, r in zip(first, recs)]
    t = lr * steps_per_record * np.arange(n_records + 1)
    return NetworkRun(t=t, kappa_mean=cols[0], kappa_std=cols[1], a_mean=cols[2], a_std=cols[3],
                      rho=cols[4], loss=cols[5], kappa_final=np.asarray(kfin), seeds=seed_arr)

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

The cost of a step
------------------
A step must do two matrix products of shape ``B x d x N`` and draw a fresh ``(B, d)``
Gaussian batch; everything else is a few passes over memory, mostly over the ``(N, B)``
array :math:`H = W X^\top`. How the step is arranged so that it stays near that bound
(``python -m lib.bench network`` measures it; the evidence is in the docstrings below):

* the gradient is :math:`G = \operatorname{diag}(a)\,\sigma'(H)\,\tilde X` with
  :math:`\tilde X = \operatorname{diag}(r/B)\,X`: the ``(B, d)`` operand carries the
  residuals, the ``(N, B)`` one is :math:`\sigma'(H)` alone. When :math:`\sigma'` is
  affine (:math:`\sigma` of degree at most 2, as in the book's running example), it is
  :math:`H` itself plus a rank-one term, and :math:`\sigma'(H)` is never formed;
* :math:`\sigma(H)` is written once and read once, by the matrix-vector product
  :math:`\sum_j a_j\sigma(h_{bj})`. When :math:`\sigma` is at most quadratic, Taylor's formula
  turns the second layer's gradient :math:`\sum_b \sigma(h_{bj}) r_b` into row-wise dot
  products of ``N x d`` arrays (:func:`sgd_step`); otherwise it is a second
  matrix-vector product over :math:`\sigma(H)`;
* the ``(N, d)`` work (the tangent projection, the update and the renormalisation) is
  a pass that writes the gradient's rows :math:`D_j`, three row-wise dot products and
  one pass that writes the new ``W``: its norm comes from those dot products, not from
  a pass over the update;
* the operands of the second product (and its result, in the general case) are written
  to memory by their own passes (:func:`_materialised`): XLA's CPU backend would
  otherwise evaluate them inside the product, block by block, which cost more than the
  pass;
* the random numbers are drawn by our own *unrolled* threefry (below), one pass that
  writes the batch; JAX's own CPU lowering of threefry runs its 20 rounds as a rolled
  loop of five passes over memory, about 3x slower for the same numbers;
* the batch enters the step divided by :math:`\sqrt2`, the generator's last multiply
  (:func:`gaussian_batch` with ``halved``), and the step folds the factor into its
  scalars: XLA would otherwise write the scaled batch by a pass of its own for the
  products to read;
* a single run is not ``vmap``-ped (with a batch axis of one, XLA's CPU backend copies
  each batch transposed before the first product).

:math:`\sigma` and :math:`\sigma'` are evaluated from the Hermite coefficients by
Clenshaw's recurrence (stable for any degree, e.g. tanh truncated at 15).
``python -m lib.bench network`` measures the step against its bound (the two products
plus the random numbers, each timed alone) and prints the ratio.

The population loss :math:`\frac12\mathbb{E}[(f-y)^2]` is computed *exactly* at every
record time: for Gaussian inputs and unit vectors, Mehler's formula gives
:math:`\mathbb{E}[\sigma(\langle w_i,x\rangle)\sigma(\langle w_j,x\rangle)] = \sum_k k!\,s_k^2 q_{ij}^k`
with :math:`q_{ij} = \langle w_i, w_j\rangle`, at any finite ``d``, so no test batch is needed.

Random numbers
--------------
Threefry-2x32 with 20 rounds (Salmon et al., *Parallel random numbers: as easy as
1, 2, 3*, SC 2011), JAX's default generator, on every platform: a counter-based
generator that passes TestU01's BigCrush, so that the ``k``-th number of a stream is a
pure function of ``(key, k)``. That is what makes a run reproducible and independent of
how many runs are batched or sharded together. The stream is exactly that of
``jax.random`` (``key(seed)``; ``split``, ``fold_in(key, step)``, ``normal``: inverse
error function of a uniform float), computed here by our own unrolled copy of the hash
so that XLA fuses it into one pass; the tests check it bit for bit against
``jax.random``. (``rbg`` and ``unsafe_rbg``, XLA's ``RngBitGenerator``, are about 3x
slower than JAX's own threefry on the CPU, and their numbers for a key change with the
shape drawn. On a GPU, threefry is compute-bound and cheap next to the products, whose
cost grows with ``N`` while the batch's does not; we keep it there too, so that a seed
gives the same stream on every platform.) A seed is any integer in ``[0, 2**64)``; its key is
``(seed >> 32, seed & 0xFFFFFFFF)``, ``jax.random.key(seed)`` with 64-bit integers, so
that distinct seeds give distinct streams and seeds below ``2**32`` give the numbers
they always gave.

Compilation, sweeps and devices
-------------------------------
Only shapes and structure are compiled in (``width``, ``dim``, ``batch``, the number of
records and of runs, the *degrees* of the two series, ``freeze_a``, whether there is
label noise, ``dtype``); ``lr``, ``eps``, ``a0``, ``label_noise``, the Hermite
coefficients and the number of steps per record are traced arguments. A sweep over
``a0``, ``eps``, ``lr`` or over teachers of one degree therefore compiles once, and
:func:`simulate_sweep` runs all its parameter points and seeds as one batch.

The runs (parameter points times seeds) are one ``jax.vmap`` axis, laid over all the
devices JAX sees (``jax.sharding.Mesh`` of ``jax.devices()``, one slice of runs per
device; no communication is needed). Each run's numbers do not depend on the number of
devices. With several processes (``jax.distributed.initialize()`` before the first
call, every process making the same call), the runs are spread over the devices of all
hosts and every process receives the full result. On a GPU (``pip install -U
"jax[cuda12]"``) the same code runs unchanged; the products use full float32 precision
(``Precision.HIGHEST``: no TF32). The loop is a ``lax.scan`` over record times around a
``lax.fori_loop`` over steps, so memory does not grow with the number of steps; sizes
that cannot fit in the memory of a device are refused before anything is compiled.
"""
from __future__ import annotations

import operator
import os
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from lib._checks import finite_array, positive, positive_int
from lib.hermite import HermiteSeries, as_series

__all__ = ["NetworkRun", "NetworkSweep", "simulate_network", "simulate_sweep", "hermite_eval",
           "sgd_step", "population_loss", "gaussian_batch", "seed_key"]


def _jax():
    import jax  # imported lazily: importing lib must not require jax initialisation

    return jax


# -- random numbers: threefry-2x32, unrolled ----------------------------------------------
_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))
_PARITY = 0x1BD11BDA
_SEED_LIMIT = 2**64


def _threefry2x32(k1, k2, x0, x1):
    r"""The threefry-2x32 hash with 20 rounds, unrolled (``uint32`` arrays, broadcast).

    Key :math:`(k_1, k_2)`, counter :math:`(x_0, x_1)`; the key schedule is
    :math:`k_3 = k_1 \oplus k_2 \oplus \mathtt{0x1BD11BDA}` and after every four rounds
    :math:`(x_0, x_1) \mathrel{+}= (k_{s+1}, k_{s+2} + s + 1)` (indices mod 3). A round
    is :math:`x_0 \mathrel{+}= x_1;\ x_1 = \mathrm{rotl}(x_1, \rho) \oplus x_0`.
    Identical to ``jax.random``'s threefry, whose CPU lowering rolls the five groups of
    four rounds into a loop (five passes over memory); unrolled, XLA fuses the hash with
    whatever consumes it.
    """
    jnp = _jax().numpy
    u32 = jnp.uint32
    k1, k2, x0, x1 = (jnp.asarray(v, u32) for v in (k1, k2, x0, x1))
    ks = (k1, k2, k1 ^ k2 ^ u32(_PARITY))
    x0, x1 = x0 + ks[0], x1 + ks[1]
    for i in range(5):
        for rot in _ROTATIONS[i % 2]:
            x0 = x0 + x1
            x1 = ((x1 << u32(rot)) | (x1 >> u32(32 - rot))) ^ x0
        x0 = x0 + ks[(i + 1) % 3]
        x1 = x1 + ks[(i + 2) % 3] + u32(i + 1)
    return x0, x1


def seed_key(seed) -> np.ndarray:
    """The threefry key data ``(seed >> 32, seed & 0xFFFFFFFF)`` of a seed in ``[0, 2**64)``,
    as ``uint32[2]``: ``jax.random.key_data(jax.random.key(seed))`` with 64-bit integers.
    Distinct seeds give distinct keys (and streams); other values raise ``ValueError``."""
    s = _seed_int("seed", seed)
    return np.array([s >> 32, s & 0xFFFFFFFF], dtype=np.uint32)


def _split(kd):
    """``jax.random.split(key)`` (threefry, partitionable): two key-data arrays."""
    jnp = _jax().numpy
    b1, b2 = _threefry2x32(kd[0], kd[1], jnp.zeros(2, jnp.uint32), jnp.arange(2, dtype=jnp.uint32))
    return jnp.stack([b1[0], b2[0]]), jnp.stack([b1[1], b2[1]])


def _fold_in(kd, data):
    """``jax.random.fold_in(key, data)`` (threefry) for a scalar ``data``."""
    jnp = _jax().numpy
    o0, o1 = _threefry2x32(kd[0], kd[1], 0, jnp.asarray(data).astype(jnp.uint32))
    return jnp.stack([o0, o1])


def _normal_at(kd, counts, dtype, halved=False):
    r"""The standard normal numbers of the stream ``kd`` at the flat indices ``counts``.

    Exactly ``jax.random.normal(key, shape, dtype).ravel()[counts]`` (threefry,
    partitionable): 32 (float32) or 64 (float64) random bits, the top mantissa bits of a
    float in :math:`[1, 2)`, an affine map onto :math:`u \in (-1, 1)` and
    :math:`\sqrt2\,\mathrm{erf}^{-1}(u)`; with ``halved``, :math:`\mathrm{erf}^{-1}(u)`, the
    numbers divided by :math:`\sqrt2`.
    """
    jax = _jax()
    jnp, lax = jax.numpy, jax.lax
    dtype = np.dtype(dtype)
    b1, b2 = _threefry2x32(kd[0], kd[1], 0, counts)
    if dtype == np.float32:
        bits = b1 ^ b2
        f = lax.bitcast_convert_type((bits >> jnp.uint32(9)) | jnp.uint32(0x3F800000), jnp.float32)
    else:  # float64 (needs jax_enable_x64)
        u64 = jnp.uint64
        bits = (b1.astype(u64) << u64(32)) | b2.astype(u64)
        f = lax.bitcast_convert_type((bits >> u64(12)) | u64(0x3FF0000000000000), jnp.float64)
    one = np.array(1.0, dtype)
    lo = np.nextafter(-one, np.array(0.0, dtype))
    u = lax.max(lo, (f - one) * (one - lo) + lo)
    return lax.erf_inv(u) if halved else np.array(np.sqrt(2), dtype) * lax.erf_inv(u)


def _counts(rows: int, cols: int, col: int | None = None):
    """Flat indices ``row * cols + col`` (``uint32``) of a row-major ``(rows, cols)``
    array: all of them, ``(rows, cols)``, or those of column ``col`` alone, ``(rows,)``."""
    jax = _jax()
    jnp, lax = jax.numpy, jax.lax
    if col is None:
        return (lax.broadcasted_iota(jnp.uint32, (rows, cols), 0) * jnp.uint32(cols)
                + lax.broadcasted_iota(jnp.uint32, (rows, cols), 1))
    return lax.iota(jnp.uint32, rows) * jnp.uint32(cols) + jnp.uint32(col)


def gaussian_batch(key_data, batch: int, dim: int, dtype="float32", extra: int = 0,
                   halved: bool = False):
    r"""A ``(batch, dim)`` standard Gaussian batch from threefry key data ``uint32[2]``.

    Bit for bit ``jax.random.normal(key, (batch, dim + extra), dtype)``, drawn by the
    unrolled generator of this module (one fused pass on any backend). Returns
    ``(x, z, extras)``: ``x`` the first ``dim`` columns, ``z = x[:, 0]`` and ``extras`` a
    list of the ``extra`` further columns, each ``(batch,)``. The columns are read out of
    the batch by a product with one-hot columns (exact: one term is ``x_bk * 1``, the
    others ``* 0``), which makes XLA write the batch once and read it, where it would
    otherwise recompute the generator for them inside every pass that uses them.
    (Drawing the columns again on their own saves that read, about 1 % of a step at
    d=256, N=B=1024, but puts a second copy of the generator in every compiled program:
    about 0.15 s more compilation per program, which the book's short runs feel more.)

    With ``halved``, ``x`` is returned divided by :math:`\sqrt2` (``z`` and ``extras``
    are not: their one-hot entries are :math:`\sqrt2`, the same single rounding as the
    generator's own multiply), for :func:`sgd_step` with ``x_scale = sqrt(2)``. XLA fuses
    that last multiply into every consumer of the batch but not into the generator, so
    the products would otherwise read a copy of the batch written by a pass of its own:
    at d=256, N=B=1024, leaving the factor to the step took ``step/bound`` from 1.16 to 1.12.
    """
    jnp = _jax().numpy
    cols = dim + extra
    full = _normal_at(key_data, _counts(batch, cols), dtype, halved)
    one = np.sqrt(2) if halved else 1.0                     # the columns at full scale
    pick = np.zeros((cols, 1 + extra), dtype)
    pick[0, 0] = one
    for k in range(extra):
        pick[dim + k, 1 + k] = one
    zs = jnp.matmul(full, pick, precision=_jax().lax.Precision.HIGHEST)
    return full[:, :dim], zs[:, 0], [zs[:, 1 + k] for k in range(extra)]


def _materialised(z):
    r"""``z`` itself, written to memory by the loop that computes it.

    An identity (``reduce_precision`` to ``z``'s own float format, bit for bit a no-op)
    that XLA does not fuse into a matrix product. XLA's CPU backend otherwise evaluates
    elementwise producers of a product's operands (and consumers of its result) inside
    the product. Profiled at d=256, N=B=1024 (per-operation times, JAX 0.10 on a 2-core
    AVX-512 machine), the second product with :math:`\sigma'(H)` and the update of
    ``W`` evaluated inside took 4.0-4.5 ms, the plain product 3.3-3.5 ms, and the separate
    passes 0.3 ms. On a GPU products are library calls and this changes nothing.
    """
    jax = _jax()
    finfo = jax.numpy.finfo(z.dtype)
    return jax.lax.reduce_precision(z, exponent_bits=finfo.nexp, mantissa_bits=finfo.nmant)


# -- Hermite series in JAX ------------------------------------------------------------
def _coeff_list(coeffs):
    """Coefficients as a list of scalars: traced entries of a JAX array (all of them: the
    length is the compiled-in degree), or Python floats without trailing zeros."""
    jax = _jax()
    if isinstance(coeffs, jax.Array):
        return [coeffs[k] for k in range(coeffs.shape[0])]
    if any(isinstance(v, jax.Array) for v in coeffs):  # already a list of traced scalars
        return list(coeffs)
    c = [float(v) for v in coeffs]
    while len(c) > 1 and c[-1] == 0.0:
        c.pop()
    return c


def hermite_eval(coeffs, z):
    r"""Evaluate :math:`\sum_k` ``coeffs[k]`` :math:`\mathrm{He}_k(z)` by Clenshaw's recurrence.

    ``coeffs`` is either a sequence of Python floats (baked into the traced program;
    trailing zeros are dropped) or a JAX array of coefficients (traced: the degree is
    compiled in, the values are not). ``z`` is a JAX or numpy array. With
    :math:`b_{K+1} = b_{K+2} = 0` and :math:`b_k = c_k + z b_{k+1} - (k+1) b_{k+2}` the
    sum is :math:`b_0` (the dual of :math:`\mathrm{He}_{k+1} = z\mathrm{He}_k - k\mathrm{He}_{k-1}`).
    Terms known to be zero are skipped, so a series of degree :math:`K` costs :math:`K`
    multiply-adds per element and no pass over a constant array.
    """
    jnp = _jax().numpy
    c = _coeff_list(coeffs)
    b1 = b2 = None
    for k in range(len(c) - 1, -1, -1):
        b = c[k]
        if b1 is not None:
            b = b + z * b1
        if b2 is not None:
            b = b - (k + 1) * b2
        b1, b2 = b, b1
    if getattr(b1, "shape", None) != getattr(z, "shape", ()):
        b1 = jnp.broadcast_to(jnp.asarray(b1, dtype=jnp.result_type(z)), jnp.shape(z))
    return b1


def _poly_eval(coeffs, q):
    """Horner for :math:`\\sum_k` ``coeffs[k]`` ``q**k`` (a sequence, or a traced array)."""
    jnp = _jax().numpy
    c = [coeffs[k] for k in range(len(coeffs))]
    out = c[-1]
    for ck in c[-2::-1]:
        out = out * q + ck
    if getattr(out, "shape", None) != q.shape:  # a constant polynomial
        out = jnp.broadcast_to(jnp.asarray(out, dtype=q.dtype), q.shape)
    return out


# -- one SGD step (one seed) -------------------------------------------------------------
def sgd_step(W, a, x, y, *, s_coeffs, ds_coeffs, lr, eps, freeze_a=False, x_scale=1.0):
    r"""One spherical SGD step in JAX for one seed (pure function, jit-friendly).

    ``W`` is ``(N, d)`` with unit rows, ``a`` is ``(N,)``, ``x`` is ``(B, d)``, ``y`` is ``(B,)``.
    ``s_coeffs`` and ``ds_coeffs`` are the Hermite coefficients of :math:`\sigma` and
    :math:`\sigma'` (Python floats, or traced JAX arrays); ``lr`` and ``eps`` may be
    traced scalars. The batch is ``x_scale * x`` (:func:`gaussian_batch` with ``halved``
    and ``x_scale = sqrt(2)``): the factor enters the scalars below, not a pass over ``x``.
    Returns the new ``(W, a)``. With :math:`H = W X^\top` (``(N, B)``,
    neuron-major: both products are then plain row-major matmuls, which XLA's CPU backend
    runs fastest) and :math:`\tilde X = \operatorname{diag}(r/B)\,X`,

    .. math::
        r = \tfrac1N \sigma(H)^\top a - y, \qquad
        D = \sigma'(H)\,\tilde X, \qquad
        a \leftarrow a - \tfrac{\varepsilon\eta}{B}\,\sigma(H)\,r;

    the first layer's gradient is :math:`g_j = a_j D_j` (:math:`D_j` the rows of ``D``),
    and ``w_j`` moves along its tangent part and is renormalised (module docstring): the
    new row :math:`w_j - \eta(g_j - \langle g_j, w_j\rangle w_j) = \alpha_j w_j + \beta_j D_j`
    is divided by its norm, computed from the row-wise dot products :math:`|w_j|^2`,
    :math:`\langle D_j, w_j\rangle` and :math:`|D_j|^2`.

    When :math:`\sigma'` is affine (:math:`\sigma` of degree at most 2, e.g. the running
    example :math:`\mathrm{He}_1 + s_2\mathrm{He}_2`), :math:`\sigma'(H) = \sigma'(0) + \sigma'' H`
    and :math:`D = \sigma'(0)\,\mathbf 1 m^\top + \sigma'' H\tilde X` with
    :math:`m = X^\top r / B`: the second product takes :math:`H` itself and
    :math:`\sigma'(H)` is never formed. Taylor's formula for a quadratic,
    :math:`\sigma(h) = \sigma(0) + \tfrac12 h\,\sigma'(0) + \tfrac12 h\,\sigma'(h)`, then gives
    the second layer's gradient without a second pass over :math:`\sigma(H)`:

    .. math::
        \tfrac1B \textstyle\sum_b \sigma(h_{bj})\,r_b
        = \sigma(0)\,\bar r + \tfrac12\bigl(\sigma'(0)\,\langle w_j, m\rangle
          + \langle w_j, D_j\rangle\bigr), \qquad \bar r = \tfrac1B \textstyle\sum_b r_b,

    where :math:`\langle w_j, D_j\rangle` is the dot product the tangent projection needs
    anyway.
    """
    jax = _jax()
    jnp = jax.numpy
    hi = jax.lax.Precision.HIGHEST
    n, b = W.shape[0], x.shape[0]
    hT = jnp.matmul(W, x.T, precision=hi)                   # (N, B): h_bj / x_scale
    s = hermite_eval(s_coeffs, x_scale * hT)
    r = jnp.matmul(a, s, precision=hi) / n - y              # (B,): f(x_b) - y_b
    xr = _materialised(x * (r * (x_scale / b))[:, None])    # (B, d): X~, rows x_b r_b / B
    dc = _coeff_list(ds_coeffs)
    affine = len(dc) <= 2                                   # sigma' = dc[0] + dc[1] h
    if affine:
        m = x_scale * jnp.matmul(r / b, x, precision=hi)    # (d,): X^T r / B
        wm = jnp.matmul(W, m, precision=hi)                 # (N,): <w_j, m>
        # <D_j, w_j> is assembled from <w_j, m>, so every read of W comes before the new W
        # is written and XLA updates W in place (else it copies W every step)
        D, dw = dc[0] * m[None, :], dc[0] * wm              # sigma'(0) 1 m^T, <D_j, w_j>
        if len(dc) == 2:
            P = jnp.matmul(hT, xr, precision=hi)            # (N, d): H X~ / x_scale
            c1 = dc[1] * x_scale
            D, dw = D + c1 * P, dw + c1 * jnp.sum(P * W, axis=1)
    else:
        ds = _materialised(hermite_eval(dc, x_scale * hT))  # (N, B): sigma'(h_bj)
        D = _materialised(jnp.matmul(ds, xr, precision=hi))
        dw = jnp.sum(D * W, axis=1)                         # <D_j, w_j>
    alpha, beta = 1.0 + lr * a * dw, -lr * a                # new row: alpha_j w_j + beta_j D_j
    norm2 = (alpha * alpha * jnp.sum(W * W, axis=1) + 2.0 * alpha * beta * dw
             + beta * beta * jnp.sum(D * D, axis=1))
    W1 = (alpha[:, None] * W + beta[:, None] * D) * jax.lax.rsqrt(norm2)[:, None]
    if freeze_a:
        return W1, a
    if affine:                                              # Taylor: (1/B) sum_b sigma(h_bj) r_b
        sigma0 = hermite_eval(s_coeffs, jnp.zeros((), W.dtype))
        sr = sigma0 * jnp.mean(r) + 0.5 * (dc[0] * wm + dw)
    else:
        sr = jnp.matmul(s, r, precision=hi) / b
    return W1, a - (eps * lr) * sr


def _loss_coeffs(teacher: HermiteSeries, student: HermiteSeries, label_noise: float):
    """``(u, v, const)`` of :func:`population_loss` as numpy arrays / float."""
    m = min(teacher.coeffs.size, student.coeffs.size)
    u = student.weighted()[:m] * teacher.coeffs[:m]
    v = student.weighted() * student.coeffs
    return u, v, 0.5 * (teacher.norm2() + float(label_noise) ** 2)


def _population_loss(W, a, u, v, const):
    jax = _jax()
    jnp = jax.numpy
    n = W.shape[0]
    q = jnp.matmul(W, W.T, precision=jax.lax.Precision.HIGHEST)
    cross = jnp.sum(a * _poly_eval(u, W[:, 0])) / n
    quad = jnp.sum(a[:, None] * a[None, :] * _poly_eval(v, q)) / n**2
    return const - cross + 0.5 * quad


def population_loss(W, a, *, teacher: HermiteSeries, student: HermiteSeries, label_noise=0.0):
    r"""Exact :math:`\frac12\mathbb{E}[(f-y)^2]` over Gaussian inputs and label noise (JAX).

    :math:`\frac12(\|\sigma_*\|^2 + \text{label\_noise}^2) - \frac1N\sum_j a_j\phi(\kappa_j)
    + \frac1{2N^2}\sum_{ij} a_i a_j \sum_k k!\,s_k^2 q_{ij}^k`, with
    :math:`\phi(\kappa) = \sum_k k!\,s_k c_k\kappa^k`, :math:`\kappa_j = W_{j1}`,
    :math:`q = WW^\top`.
    """
    u, v, const = _loss_coeffs(teacher, student, label_noise)
    return _population_loss(W, a, u.tolist(), v.tolist(), const)


# -- one run (one seed at one parameter point), vmapped and jitted ------------------------
def _stats(W, a, p):
    jnp = _jax().numpy
    kap = W[:, 0]
    perp = jnp.mean(W, axis=0).at[0].set(0.0)
    return (jnp.mean(kap), jnp.std(kap), jnp.mean(a), jnp.std(a), jnp.sum(perp * perp),
            _population_loss(W, a, p["u"], p["v"], p["const"]))


def _draw(k_run, i, p, *, batch, dim, noisy, dtype):
    """Batch ``i`` of a run, ``(x, y, x_scale)``: drawn from ``fold_in(k_run, i)``, its
    label noise (if any) being column ``dim`` of the same draw; the batch is
    ``x_scale * x`` (``halved``: :func:`sgd_step` takes the factor)."""
    x, z, extras = gaussian_batch(_fold_in(k_run, i), batch, dim, dtype, extra=int(noisy),
                                  halved=True)
    y = hermite_eval(p["t"], z)
    if noisy:
        y = y + p["noise"] * extras[0]
    return x, y, np.sqrt(2).astype(dtype)


def _train_steps(W, a, k_run, p, start, stop, *, batch, freeze_a, noisy):
    """Steps ``start, ..., stop - 1`` of one run; step ``i`` draws its batch with
    :func:`_draw` from ``fold_in(k_run, i)``. Returns ``(W, a)``."""
    jax = _jax()
    dim = W.shape[1]

    def body(i, carry):
        W, a = carry
        x, y, x_scale = _draw(k_run, i, p, batch=batch, dim=dim, noisy=noisy, dtype=W.dtype)
        return sgd_step(W, a, x, y, s_coeffs=p["s"], ds_coeffs=p["ds"], lr=p["lr"], eps=p["eps"],
                        freeze_a=freeze_a, x_scale=x_scale)

    return jax.lax.fori_loop(start, stop, body, (W, a))


def _one_run(key_data, p, steps_per_record, *, width, dim, batch, n_records, freeze_a, noisy, dtype):
    """One run: records ``0, ..., n_records`` (the statistics of :func:`_stats`, each
    ``(n_records + 1,)``) and the final alignments ``W[:, 0]``. Record ``r`` follows
    steps ``(r - 1) * steps_per_record, ..., r * steps_per_record - 1`` (none for
    ``r = 0``), so the statistics are traced once."""
    jax = _jax()
    jnp = jax.numpy
    k_init, k_run = _split(key_data)
    W = _normal_at(k_init, _counts(width, dim), dtype)         # uniform on the sphere
    W = W * jax.lax.rsqrt(jnp.sum(W * W, axis=1, keepdims=True))
    a = jnp.full((width,), p["a0"], dtype)

    def record(carry, r):
        carry = _train_steps(*carry, k_run, p, jnp.maximum(r - 1, 0) * steps_per_record,
                             r * steps_per_record, batch=batch, freeze_a=freeze_a, noisy=noisy)
        return carry, _stats(*carry, p)

    (W, a), recs = jax.lax.scan(record, (W, a), jnp.arange(n_records + 1))
    return recs, W[:, 0]


_STATIC = ("width", "dim", "batch", "n_records", "freeze_a", "noisy", "dtype", "mesh")


def _local_runs(keys, params, steps_per_record, **static):
    """The runs of one device: ``vmap`` of :func:`_one_run`, or one run unbatched (for a
    single run XLA's CPU backend would otherwise copy each batch transposed)."""
    jax = _jax()
    run = partial(_one_run, **static)
    if keys.shape[0] == 1:
        out = run(keys[0], jax.tree_util.tree_map(lambda v: v[0], params), steps_per_record)
        return jax.tree_util.tree_map(lambda v: v[None], out)
    return jax.vmap(run, in_axes=(0, 0, None))(keys, params, steps_per_record)


def _ensemble(keys, params, steps_per_record, *, mesh, **static):
    """All runs: on one device, or ``shard_map``-ped over ``mesh`` (axis ``"runs"``)."""
    jax = _jax()
    local = partial(_local_runs, **static)
    if mesh is None:
        return local(keys, params, steps_per_record)
    from jax.sharding import PartitionSpec as P

    return jax.shard_map(local, mesh=mesh, in_specs=(P("runs"), P("runs"), P()),
                         out_specs=P("runs"))(keys, params, steps_per_record)


_PROGRAMS: dict = {}


def _program():
    """The jitted ensemble ``(keys (E, 2), params (E, ...), steps_per_record) -> records``;
    only the arguments named in ``_STATIC`` and the shapes are compiled in."""
    if "ensemble" not in _PROGRAMS:
        _PROGRAMS["ensemble"] = _jax().jit(_ensemble, static_argnames=_STATIC)
    return _PROGRAMS["ensemble"]


# -- sizes, devices, memory ------------------------------------------------------------------
def _bytes_needed(width, dim, batch, itemsize):
    """Bytes one run holds at once: ``W`` and its update (4 ``N x d``), ``H`` and
    :math:`\\sigma(H)` (2 ``N x B``), the batch and its scaled copy (2 ``B x d``), the
    overlaps :math:`q = WW^\\top` of the loss (``N x N``)."""
    n, d, b = width, dim, batch
    return itemsize * (4 * n * d + 2 * n * b + 2 * b * (d + 1) + n * n), (
        "N x N overlaps of the loss" if n * n >= max(2 * n * b, 4 * n * d)
        else "N x B pre-activations" if 2 * n * b >= 4 * n * d else "N x d weights")


def _device_memory(device) -> float | None:
    """Bytes of memory available to ``device`` (``None`` if unknown)."""
    try:
        stats = device.memory_stats()
    except Exception:  # noqa: BLE001 - backends without memory statistics
        stats = None
    if stats and "bytes_limit" in stats:
        return float(stats["bytes_limit"] - stats.get("bytes_in_use", 0))
    if device.platform == "cpu":
        try:
            with open("/proc/meminfo") as fh:
                for line in fh:
                    if line.startswith("MemAvailable:"):
                        return 1024.0 * float(line.split()[1])
        except OSError:
            pass
        try:
            return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
        except (ValueError, OSError, AttributeError):
            return None
    return None


def _layout(n_runs: int, devices):
    """The devices to spread ``n_runs`` runs over and the padded number of runs: at most
    ``ceil(n_runs / len(devices))`` runs per device, on as few devices as that allows."""
    per = -(-n_runs // len(devices))
    used = -(-n_runs // per)
    return list(devices[:used]), used * per


def _check_sizes(width, dim, batch, dtype, n_runs, devices):
    """Refuse, before anything is compiled, sizes whose arrays cannot fit in a device's
    memory (:func:`_bytes_needed` per run, times the runs per device) or whose draws
    exceed the generator's 32-bit counter."""
    itemsize = np.dtype(dtype).itemsize
    per_run, what = _bytes_needed(width, dim, batch, itemsize)
    used, padded = _layout(n_runs, devices)
    need = per_run * (padded // len(used))
    avail = _device_memory(used[0])
    if avail is not None and need > avail:
        raise ValueError(
            f"width={width}, dim={dim}, batch={batch} ({np.dtype(dtype).name}) cannot fit: "
            f"{padded // len(used)} run(s) per device need about {need / 2**30:.3g} GiB "
            f"(mostly the {what}), more than the {avail / 2**30:.3g} GiB available on "
            f"{used[0].device_kind}; use fewer seeds or more devices, or smaller sizes")
    if batch * (dim + 1) >= 2**32 or width * dim >= 2**32:
        raise ValueError(f"width={width}, dim={dim}, batch={batch}: a random draw of "
                         f"{max(batch * (dim + 1), width * dim)} numbers exceeds the 2**32 counter "
                         "of the generator")


def _run_ensemble(keys, params, steps_per_record, static, devices):
    """Run the ensemble over ``devices``; return the device arrays (sharded along runs)."""
    jax = _jax()
    n_runs = keys.shape[0]
    used, padded = _layout(n_runs, devices)
    if padded > n_runs:  # pad with copies of the last run, dropped afterwards
        pad = lambda arr: np.concatenate([arr, np.repeat(arr[-1:], padded - n_runs, axis=0)])
        keys, params = pad(keys), {k: pad(v) for k, v in params.items()}
    mesh = None
    if len(used) > 1:
        from jax.sharding import Mesh, NamedSharding, PartitionSpec

        mesh = Mesh(np.array(used), ("runs",))
        sharding = NamedSharding(mesh, PartitionSpec("runs"))
        # every process passes the same full arrays; each device takes its slice
        put = lambda arr: jax.make_array_from_callback(arr.shape, sharding, lambda idx: arr[idx])
    else:
        put = lambda arr: jax.device_put(arr, used[0])
    spr = np.int32(steps_per_record)
    return _program()(put(keys), {k: put(v) for k, v in params.items()}, spr, mesh=mesh, **static)


def _gather(tree, n_runs):
    """Device arrays -> numpy, first ``n_runs`` runs (all processes get everything)."""
    jax = _jax()
    leaves = jax.tree_util.tree_leaves(tree)
    if not all(x.is_fully_addressable for x in leaves):
        from jax.experimental import multihost_utils

        tree = multihost_utils.process_allgather(tree, tiled=True)
    return jax.tree_util.tree_map(lambda x: np.asarray(x)[:n_runs], jax.device_get(tree))


# -- input checks ----------------------------------------------------------------------------
def _seed_int(name: str, value) -> int:
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be an integer in [0, 2**64), got {value!r}")
    try:
        s = operator.index(value)
    except TypeError:
        # a float is taken only where it is an exact integer (below 2**53)
        if (isinstance(value, (float, np.floating)) and float(value).is_integer()
                and abs(float(value)) < 2**53):
            s = int(value)
        else:
            raise ValueError(f"{name} must be an integer in [0, 2**64), got {value!r}") from None
    if not 0 <= s < _SEED_LIMIT:
        raise ValueError(f"{name} must be an integer in [0, 2**64) (each seed its own stream), "
                         f"got {value!r}")
    return s


def _seed_list(seed, seeds) -> list[int]:
    base = _seed_int("seed", seed)
    if seeds is None:
        return [base]
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, (bool, np.bool_)):
        count = positive_int("seeds", seeds)
        if base + count > _SEED_LIMIT:
            raise ValueError(f"seeds: seed + seeds - 1 = {base + count - 1} is not below 2**64")
        return list(range(base, base + count))
    if isinstance(seeds, (str, bytes)):
        raise ValueError(f"seeds must be a positive int or a sequence of ints, got {seeds!r}")
    try:
        items = list(seeds)
    except TypeError:
        raise ValueError(f"seeds must be a positive int or a sequence of ints, got {seeds!r}") from None
    if not items:
        raise ValueError(f"seeds must be a positive int or a non-empty sequence of ints, got {seeds!r}")
    return [_seed_int("seeds", s) for s in items]


def _seed_array(seeds: list[int]) -> np.ndarray:
    return np.array(seeds, dtype=np.int64 if max(seeds) < 2**63 else np.uint64)


def _whole(name: str, ratio: float, what: str) -> int:
    k = round(ratio)
    if k < 1 or abs(ratio - k) > 1e-6 * max(1.0, ratio):
        raise ValueError(f"{name} must be a whole multiple of {what}, got ratio {ratio!r}")
    return int(k)


def _points(name: str, value, check) -> np.ndarray:
    """A number or a 1-D sequence of numbers, each checked by ``check(name, v)``."""
    try:
        vals = np.atleast_1d(np.asarray(value, dtype=object))
    except ValueError:
        vals = np.empty((0, 0))
    if vals.ndim != 1 or vals.size == 0:
        raise ValueError(f"{name} must be a number or a non-empty 1-D sequence of numbers, got {value!r}")
    return np.array([check(name, v) for v in vals], dtype=float)


def _non_negative(name, v):
    x = float(finite_array(name, v))
    if x < 0:
        raise ValueError(f"{name} must be >= 0, got {v!r}")
    return x


def _series_list(name, value) -> list:
    if isinstance(value, (list, tuple)) and value and all(
            isinstance(v, HermiteSeries) or np.ndim(v) == 1 for v in value):
        return [as_series(name, v) for v in value]
    return [as_series(name, value)]


def _stack_padded(arrays, dtype) -> np.ndarray:
    k = max(a.size for a in arrays)
    return np.stack([np.pad(a, (0, k - a.size)) for a in arrays]).astype(dtype)


def _trim(c: np.ndarray) -> np.ndarray:
    """Drop trailing zeros (keep one coefficient): they would cost a pass each."""
    nz = np.flatnonzero(c)
    return c[: nz[-1] + 1] if nz.size else c[:1]


# -- the public entries -----------------------------------------------------------------------
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


_FIELDS = ("kappa_mean", "kappa_std", "a_mean", "a_std", "rho", "loss")


@dataclass(frozen=True)
class NetworkSweep(NetworkRun):
    """Recorded statistics of a sweep: ``P`` parameter points times ``S`` seeds.

    The fields of :class:`NetworkRun` with a leading axis of points: ``kappa_mean`` ...
    ``loss`` are ``(P, S, R)``, ``kappa_final`` is ``(P, S, N)``; ``t`` ``(R,)`` and
    ``seeds`` ``(S,)`` are shared. ``points`` holds the parameters of each point:
    ``lr``, ``eps``, ``a0``, ``label_noise`` as ``(P,)`` arrays and ``teacher``,
    ``student`` as lists of :class:`~lib.hermite.HermiteSeries`. ``sweep[i]`` is point
    ``i`` as a :class:`NetworkRun` (the numbers of ``simulate_network`` at that point).
    """

    points: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return self.kappa_mean.shape[0]

    def __getitem__(self, i) -> NetworkRun:
        return NetworkRun(t=self.t, **{f: getattr(self, f)[i] for f in _FIELDS},
                          kappa_final=self.kappa_final[i], seeds=self.seeds)


def simulate_sweep(teacher, student, *, width: int, dim: int, batch: int, lr, eps, a0,
                   time: float, seed=0, seeds=None, record_every: float = 1.0,
                   freeze_a: bool = False, label_noise=0.0, dtype="float32",
                   devices=None) -> NetworkSweep:
    """Train finite networks at several parameter points at once; one compilation per shape.

    Arguments are those of :func:`simulate_network`, except that ``lr``, ``eps``, ``a0``
    and ``label_noise`` may each be a 1-D sequence of ``P`` values, and ``teacher`` and
    ``student`` a list of ``P`` series (of any degrees: shorter ones are padded with
    zero coefficients, which changes no number). Length-1 values are broadcast. Every
    point runs every seed; point ``i``, seed ``s`` gives exactly the numbers of
    ``simulate_network`` with point ``i``'s parameters and seed ``s``.

    All points whose ``lr`` gives the same number of steps per record run as one batch
    of ``P x S`` runs (one call of one compiled program, laid over all devices); points
    with other step counts run as further batches of the same program. ``time`` and
    ``record_every`` are shared, so the record times ``t`` are too.

    Returns
    -------
    NetworkSweep
        Statistics with shapes ``(P, S, R)``; ``sweep[i]`` is a :class:`NetworkRun`.
    """
    jax = _jax()
    teachers = _series_list("teacher", teacher)
    students = _series_list("student", student)
    width = positive_int("width", width)
    dim = positive_int("dim", dim)
    batch = positive_int("batch", batch)
    lrs = _points("lr", lr, positive)
    epss = _points("eps", eps, positive)
    a0s = _points("a0", a0, lambda n, v: float(finite_array(n, v)))
    noises = _points("label_noise", label_noise, _non_negative)
    time = positive("time", time)
    record_every = positive("record_every", record_every)
    if dim < 2:
        raise ValueError(f"dim must be at least 2, got {dim!r}")
    if str(np.dtype(dtype)) not in ("float32", "float64"):
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}")
    dtype = str(np.dtype(dtype))
    lengths = {len(v) for v in (teachers, students, lrs, epss, a0s, noises)} - {1}
    if len(lengths) > 1:
        raise ValueError("teacher, student, lr, eps, a0 and label_noise must have one length "
                         f"(or length 1), got lengths {sorted(lengths)}")
    n_pts = lengths.pop() if lengths else 1
    bc = lambda v: list(v) * n_pts if len(v) == 1 else list(v)
    teachers, students, lrs, epss, a0s, noises = map(bc, (teachers, students, lrs, epss, a0s, noises))
    seed_list = _seed_list(seed, seeds)
    n_rec = _whole("time", time / record_every, "record_every")
    spr = [_whole("record_every", record_every / v, "lr") for v in lrs]
    if devices is None:
        devices = jax.devices()
    devices = list(devices) if isinstance(devices, (list, tuple)) else [devices]
    if not devices:
        raise ValueError("devices must name at least one device")

    with jax.enable_x64(dtype == "float64"):
        keys_seed = np.stack([seed_key(s) for s in seed_list])
        t_c = [_trim(t.coeffs) for t in teachers]
        s_c = [_trim(s.coeffs) for s in students]
        ds_c = [_trim(s.derivative().coeffs) for s in students]
        loss_c = [_loss_coeffs(t, s, nz) for t, s, nz in zip(teachers, students, noises)]
        n_seeds = len(seed_list)
        out = [None] * n_pts
        groups = {}
        for i in range(n_pts):
            groups.setdefault((spr[i], noises[i] > 0), []).append(i)
        for (steps, noisy), idx in groups.items():
            rep = lambda vals: np.repeat(np.asarray(vals, dtype=dtype), n_seeds, axis=0)
            params = dict(
                lr=rep([lrs[i] for i in idx]), eps=rep([epss[i] for i in idx]),
                a0=rep([a0s[i] for i in idx]), noise=rep([noises[i] for i in idx]),
                t=rep(_stack_padded([t_c[i] for i in idx], dtype)),
                s=rep(_stack_padded([s_c[i] for i in idx], dtype)),
                ds=rep(_stack_padded([ds_c[i] for i in idx], dtype)),
                u=rep(_stack_padded([loss_c[i][0] for i in idx], dtype)),
                v=rep(_stack_padded([loss_c[i][1] for i in idx], dtype)),
                const=rep([loss_c[i][2] for i in idx]))
            keys = np.tile(keys_seed, (len(idx), 1))
            n_runs = keys.shape[0]
            _check_sizes(width, dim, batch, dtype, n_runs, devices)
            static = dict(width=width, dim=dim, batch=batch, n_records=n_rec,
                          freeze_a=bool(freeze_a), noisy=bool(noisy), dtype=dtype)
            recs, kfin = _gather(_run_ensemble(keys, params, steps, static, devices), n_runs)
            cols = [r.reshape(len(idx), n_seeds, -1) for r in recs]
            kfin = kfin.reshape(len(idx), n_seeds, width)
            for j, i in enumerate(idx):
                out[i] = [c[j] for c in cols] + [kfin[j]]
    stack = lambda k: np.stack([o[k] for o in out])
    t = record_every * np.arange(n_rec + 1)
    return NetworkSweep(t=t, **{f: stack(k) for k, f in enumerate(_FIELDS)}, kappa_final=stack(6),
                        seeds=_seed_array(seed_list),
                        points=dict(lr=np.array(lrs), eps=np.array(epss), a0=np.array(a0s),
                                    label_noise=np.array(noises), teacher=teachers, student=students))


def simulate_network(teacher, student, *, width: int, dim: int, batch: int, lr: float,
                     eps: float, a0: float, time: float, seed=0, seeds=None,
                     record_every: float = 1.0, freeze_a: bool = False,
                     label_noise: float = 0.0, dtype="float32", devices=None) -> NetworkRun:
    """Train finite networks by spherical SGD and record their order parameters.

    Parameters
    ----------
    teacher, student
        :class:`~lib.hermite.HermiteSeries` (or coefficients) of :math:`\\sigma_*` and :math:`\\sigma`.
    width, dim, batch
        N, d and B (positive integers). Sizes whose arrays cannot fit in a device's
        memory raise ``ValueError`` before anything runs.
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
        ``None`` means the single seed ``seed``. A seed is an integer in ``[0, 2**64)``;
        distinct seeds give distinct random streams, the same seed the same numbers
        (however many seeds run together, on however many devices).
    record_every
        Spacing of the record times, in time units: a whole multiple of ``lr`` that
        divides ``time``. Records start at ``t = 0``.
    freeze_a
        Keep ``a`` at ``a0`` (the fast system).
    label_noise
        Standard deviation of Gaussian noise added to the labels (>= 0).
    dtype
        ``"float32"`` (default) or ``"float64"`` (runs under ``jax.enable_x64``).
    devices
        Devices to spread the seeds over; default ``jax.devices()`` (all devices of the
        default backend, across all processes after ``jax.distributed.initialize``).

    Only the shapes are compiled in: calls that differ in ``lr``, ``eps``, ``a0``,
    ``label_noise`` (zero or not aside) or the coefficients of series of the same
    degrees reuse one program. :func:`simulate_sweep` runs many parameter points in one call.
    """
    sweep = simulate_sweep(teacher, student, width=width, dim=dim, batch=batch, lr=_scalar("lr", lr),
                           eps=_scalar("eps", eps), a0=_scalar("a0", a0), time=time, seed=seed,
                           seeds=seeds, record_every=record_every, freeze_a=freeze_a,
                           label_noise=_scalar("label_noise", label_noise), dtype=dtype,
                           devices=devices)
    return sweep[0]


def _scalar(name, value):
    if np.ndim(value) != 0:
        raise ValueError(f"{name} must be a number (use simulate_sweep for several), got {value!r}")
    return value

r"""A plain-numpy reference for one spherical SGD step (the setting chapter of the book).

Written independently of :mod:`lib.simulate` (numpy's ``hermeval`` instead of
Clenshaw in JAX, the tangent projection computed from the gradient itself) so that the
tests can check the JAX step against it, and :mod:`lib.bench` can time both on the same
shapes. Shapes: ``W`` ``(N, d)`` with unit rows, ``a`` ``(N,)``, ``x`` ``(B, d)``, ``y`` ``(B,)``.
"""
from __future__ import annotations

import numpy as np
from numpy.polynomial import hermite_e as _he

from lib.hermite import HermiteSeries

__all__ = ["reference_step", "reference_batch"]


def reference_step(W, a, x, y, *, student: HermiteSeries, lr: float, eps: float,
                   freeze_a: bool = False):
    """One step: per-neuron gradient of the batch-mean of ``(f-y)^2/2``, learning rates
    ``lr*N`` and ``eps*lr*N``, tangent projection, renormalisation. Returns new ``(W, a)``
    in the dtype of ``W``."""
    n, b = W.shape[0], x.shape[0]
    dt = W.dtype
    h = x @ W.T                                             # (B, N)
    s = _he.hermeval(h, student.coeffs).astype(dt)
    ds = _he.hermeval(h, student.derivative().coeffs).astype(dt)
    f = s @ a / n
    r = f - y
    # gradient of mean_b (f-y)^2/2 wrt w_j, times lr*N:  lr * a_j * mean_b r_b s'(h_bj) x_b
    grad = (a[:, None] / b) * ((r[:, None] * ds).T @ x)     # (N, d)
    grad_tan = grad - np.sum(grad * W, axis=1, keepdims=True) * W
    W1 = W - lr * grad_tan
    W1 = W1 / np.linalg.norm(W1, axis=1, keepdims=True)
    a1 = a if freeze_a else a - eps * lr * (s.T @ r) / b
    return W1.astype(dt), np.asarray(a1, dtype=dt)


def reference_batch(rng: np.random.Generator, teacher: HermiteSeries, batch: int, dim: int,
                    label_noise: float = 0.0, dtype=np.float32):
    """A fresh Gaussian batch ``(x, y)`` with ``theta* = e_1``."""
    x = rng.standard_normal((batch, dim), dtype=np.float32 if dtype == np.float32 else np.float64)
    y = _he.hermeval(x[:, 0], teacher.coeffs).astype(dtype)
    if label_noise > 0:
        y = y + label_noise * rng.standard_normal(batch).astype(dtype)
    return x.astype(dtype, copy=False), y

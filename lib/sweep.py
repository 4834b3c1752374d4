r"""Many integrations of the reduced dynamics at once: the engine of the phase diagrams.

A phase diagram over, say, :math:`(c_2, a_0)` needs thousands of solutions of

.. math::
    \dot u = a\,[\phi'(\kappa) - \tfrac12 a H'(\kappa)], \qquad
    \dot a = \varepsilon\,[\phi(\kappa) - a H(\kappa)], \qquad \kappa = \tanh u,

the system of :meth:`lib.reduced.ReducedDynamics.integrate` written in
:math:`u = \operatorname{artanh}\kappa` (so that the distance :math:`1-\kappa`, which
falls to :math:`e^{-O(1/\varepsilon)}`, is never rounded away). A loop of scipy calls
costs tens of milliseconds per point; :func:`integrate_batch` integrates a whole batch
of parameter sets (teacher, student, eps, kappa0, a0) together with JAX.

The scheme is the L-stable Rosenbrock method of order 2 with an embedded order-3 error
estimate of Shampine and Reichelt (MATLAB's ``ode23s``): linearly implicit, so one
2x2 linear solve per stage with the exact Jacobian and no Newton iteration, which keeps
it stable on the strongly attracting branches of the critical manifold at any step
size. Every point has its own adaptive step (error per step below
``atol + rtol |y|`` in the max norm); the batch loops until the slowest point is done,
points that are finished are frozen. One step of one point is written for a single
parameter set and mapped over the batch with :func:`jax.vmap`; the loop over steps is a
single :func:`jax.lax.while_loop` over the whole batch, so that the output buffer is
written in place. Steps are shortened to land exactly on the requested output times.
All arithmetic is in float64.

The polynomials :math:`\phi` and :math:`H` of the points are carried as zero-padded
coefficient arrays, so students and teachers of different Hermite degrees can share a
batch.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from lib._checks import alignment, finite_array, increasing_times, positive, positive_int
from lib.hermite import HermiteSeries

__all__ = ["SweepResult", "integrate_batch", "coefficients"]

_D = 1.0 / (2.0 + math.sqrt(2.0))  # ode23s: gamma
_E32 = 6.0 + math.sqrt(2.0)


@dataclass(frozen=True)
class SweepResult:
    """Solutions of a batch of reduced ODEs at common output times.

    ``kappa``, ``a`` and ``gap`` (:math:`1-\\kappa` without cancellation) have shape
    ``(batch, len(t))``. ``kappa_max`` and ``t_max`` are the largest alignment met at
    any accepted step (not only at the output times) and when it was met;
    ``n_steps`` counts the accepted steps of each point.
    """

    t: np.ndarray
    kappa: np.ndarray
    a: np.ndarray
    gap: np.ndarray
    kappa_max: np.ndarray
    t_max: np.ndarray
    n_steps: np.ndarray

    @property
    def unlearned(self) -> np.ndarray:
        """Unlearned amount: the peak alignment minus the alignment at the last time."""
        return self.kappa_max - self.kappa[:, -1]


# -- coefficients -----------------------------------------------------------------------
def _as_coeff_rows(name: str, value) -> np.ndarray:
    """Hermite coefficients as a 2-D float array (one row per point, zero-padded)."""
    if isinstance(value, HermiteSeries):
        return value.coeffs[None, :]
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], HermiteSeries):
        n = max(s.coeffs.size for s in value)
        return np.array([np.pad(s.coeffs, (0, n - s.coeffs.size)) for s in value])
    arr = finite_array(name, value)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] == 0:
        raise ValueError(f"{name} must be Hermite coefficients of shape (K,) or (batch, K), "
                         f"got shape {arr.shape}")
    return arr


def coefficients(teacher, student):
    r"""Padded coefficient rows ``(u, h)`` of :math:`\phi` and :math:`H` for each point.

    ``teacher`` and ``student`` are a :class:`~lib.hermite.HermiteSeries`, a list of
    them, or coefficient arrays of shape ``(K,)`` or ``(batch, K)``; they broadcast
    against each other. ``u[b, k]`` :math:`= k!\, s_k c_k` and ``h[b, 2k]``
    :math:`= k!\, s_k^2`, as in :class:`~lib.reduced.ReducedDynamics`.
    """
    c = _as_coeff_rows("teacher", teacher)
    s = _as_coeff_rows("student", student)
    if c.shape[0] != s.shape[0] and 1 not in (c.shape[0], s.shape[0]):
        raise ValueError(f"teacher and student batches differ: {c.shape[0]} and {s.shape[0]}")
    n = min(c.shape[1], s.shape[1])
    fact = np.array([math.factorial(k) for k in range(s.shape[1])], dtype=float)
    u = fact[:n] * s[:, :n] * c[:, :n]
    v = fact * s**2
    h = np.zeros((v.shape[0], 2 * v.shape[1] - 1))
    h[:, ::2] = v
    b = max(u.shape[0], h.shape[0])
    return np.broadcast_to(u, (b, u.shape[1])).copy(), np.broadcast_to(h, (b, h.shape[1])).copy()


# -- one point ------------------------------------------------------------------------
def _poly3(coef, x):
    """Value, first and second derivative of ``sum coef[k] x^k`` by Horner's scheme."""
    p = jnp.zeros_like(x)
    dp = jnp.zeros_like(x)
    d2p = jnp.zeros_like(x)
    for c in coef[::-1]:  # the coefficient length is static: unrolled
        d2p = d2p * x + 2 * dp
        dp = dp * x + p
        p = p * x + c
    return p, dp, d2p


def _kappa(uu, frozen, sign):
    k = jnp.where(frozen, sign, jnp.tanh(uu))
    e = jnp.exp(-2 * jnp.abs(uu))
    sech2 = jnp.where(frozen, 0.0, 4 * e / (1 + e) ** 2)  # dkappa/du, accurate at large |u|
    return k, sech2


def _rhs_jac(y, pu, ph, eps, frozen, sign):
    uu, a = y[0], y[1]
    k, s = _kappa(uu, frozen, sign)
    p, dp, d2p = _poly3(pu, k)
    H, dH, d2H = _poly3(ph, k)
    g = dp - a * dH
    f = jnp.stack([jnp.where(frozen, 0.0, a * (dp - 0.5 * a * dH)), eps * (p - a * H)])
    J = jnp.array([[s * a * (d2p - 0.5 * a * d2H), jnp.where(frozen, 0.0, g)],
                   [s * eps * g, -eps * H]])
    return f, J


def _rhs(y, pu, ph, eps, frozen, sign):
    return _rhs_jac(y, pu, ph, eps, frozen, sign)[0]  # under jit the unused Jacobian is dropped


def _solve2(W, b):
    det = W[0, 0] * W[1, 1] - W[0, 1] * W[1, 0]
    return jnp.stack([W[1, 1] * b[0] - W[0, 1] * b[1], W[0, 0] * b[1] - W[1, 0] * b[0]]) / det


def _step(y, F0, h, pu, ph, eps, frozen, sign, rtol, atol):
    """One ode23s step of size ``h``: new state, its field, and the scaled error."""
    _, J = _rhs_jac(y, pu, ph, eps, frozen, sign)
    W = jnp.eye(2) - h * _D * J
    k1 = _solve2(W, F0)
    F1 = _rhs(y + 0.5 * h * k1, pu, ph, eps, frozen, sign)
    k2 = _solve2(W, F1 - k1) + k1
    y_new = y + h * k2
    F2 = _rhs(y_new, pu, ph, eps, frozen, sign)
    k3 = _solve2(W, F2 - _E32 * (k2 - F1) - 2.0 * (k1 - F0))
    err = h / 6.0 * (k1 - 2.0 * k2 + k3)
    scale = atol + rtol * jnp.maximum(jnp.abs(y), jnp.abs(y_new))
    e = jnp.max(jnp.abs(err) / scale)
    e = jnp.where(jnp.all(jnp.isfinite(y_new)) & jnp.isfinite(e), e, jnp.inf)
    return y_new, F2, e


# -- the batch --------------------------------------------------------------------------
@partial(jax.jit, static_argnames=("max_steps",))
def _integrate(pu, ph, eps, y0, frozen, sign, ts, rtol, atol, h0, max_steps):
    B, T = y0.shape[0], ts.shape[0]
    step = jax.vmap(_step, in_axes=(0, 0, 0, 0, 0, 0, 0, 0, None, None))
    rhs = jax.vmap(_rhs)
    F0 = rhs(y0, pu, ph, eps, frozen, sign)
    first = (ts[0] <= 0).astype(jnp.int32)
    out = jnp.zeros((B, T, 2)).at[:, 0, :].set(y0)
    rows = jnp.arange(B)
    state = dict(t=jnp.zeros(B), y=y0, F=F0, h=jnp.full(B, h0), i=jnp.full(B, first, jnp.int32),
                 out=out, umax=y0[:, 0], tmax=jnp.zeros(B), n=jnp.zeros(B, jnp.int32),
                 tries=jnp.zeros(B, jnp.int32))

    def active(s):
        return (s["i"] < T) & (s["tries"] < max_steps)

    def cond(s):
        return jnp.any(active(s))

    def body(s):
        live = active(s)
        t_next = ts[jnp.minimum(s["i"], T - 1)]
        room = t_next - s["t"]
        clamp = s["h"] >= room
        h = jnp.where(clamp, room, s["h"])
        y_new, F_new, e = step(s["y"], s["F"], h, pu, ph, eps, frozen, sign, rtol, atol)
        ok = live & (e <= 1.0)
        hit = ok & clamp
        t_new = jnp.where(hit, t_next, s["t"] + h)
        factor = jnp.clip(0.8 * jnp.where(e > 0, e, 1e-10) ** (-1.0 / 3.0), 0.2, 5.0)
        h_next = jnp.where(live, h * factor, s["h"])
        h_next = jnp.where(hit, jnp.maximum(h_next, s["h"]), h_next)
        y = jnp.where(ok[:, None], y_new, s["y"])
        idx = jnp.minimum(s["i"], T - 1)
        rec = jnp.where(hit[:, None], y_new, s["out"][rows, idx])
        up = ok & (y_new[:, 0] > s["umax"])
        return dict(t=jnp.where(ok, t_new, s["t"]), y=y, F=jnp.where(ok[:, None], F_new, s["F"]),
                    h=h_next, i=s["i"] + hit.astype(jnp.int32), out=s["out"].at[rows, idx].set(rec),
                    umax=jnp.where(up, y_new[:, 0], s["umax"]),
                    tmax=jnp.where(up, t_new, s["tmax"]),
                    n=s["n"] + ok.astype(jnp.int32), tries=s["tries"] + live.astype(jnp.int32))

    s = jax.lax.while_loop(cond, body, state)
    return s["out"], s["umax"], s["tmax"], s["n"], s["i"]


def integrate_batch(teacher, student, eps, kappa0, a0, t, *, rtol: float = 1e-7,
                    atol: float = 1e-10, max_steps: int = 200_000,
                    chunk: int = 1024) -> SweepResult:
    """Integrate a batch of reduced ODEs from ``(kappa0, a0)`` at time 0 to the times ``t``.

    Parameters
    ----------
    teacher, student
        :class:`~lib.hermite.HermiteSeries`, lists of them, or coefficient arrays of
        shape ``(K,)`` (shared by all points) or ``(batch, K)``.
    eps, kappa0, a0
        Scalars or 1-D arrays; everything broadcasts to one batch size.
        ``kappa0 = ±1`` stays there, as in :meth:`ReducedDynamics.integrate`.
    t
        Strictly increasing non-negative output times, or one final time (then 501
        equally spaced times from 0, as :meth:`ReducedDynamics.integrate` does).
    rtol, atol
        Error tolerances per step on :math:`(u, a)`.
    max_steps
        Attempted steps allowed per point; a point that needs more raises
        ``RuntimeError``.
    chunk
        Points integrated together. The batch loop runs until its slowest point is
        done and its working set should stay in cache, so a large batch is cut into
        chunks of this size (the last one padded); results do not depend on it.
    """
    pu, ph = coefficients(teacher, student)
    eps_ = finite_array("eps", eps)
    if np.any(eps_ <= 0):
        raise ValueError(f"eps must be positive, got {eps!r}")
    k0 = alignment("kappa0", kappa0)
    a0_ = finite_array("a0", a0)
    rtol, atol = positive("rtol", rtol), positive("atol", atol)
    max_steps = positive_int("max_steps", max_steps)
    chunk = positive_int("chunk", chunk)
    t = np.asarray(finite_array("t", t), dtype=float)
    if t.ndim == 0:
        t = np.linspace(0.0, positive("t", t), 501)
    t = increasing_times("t", t)
    if t[-1] <= 0:
        raise ValueError(f"t must reach a positive time, got {t!r}")
    try:
        b = np.broadcast_shapes(pu.shape[:1], eps_.shape, k0.shape, a0_.shape)
    except ValueError:
        raise ValueError(f"batch sizes do not broadcast: coefficients {pu.shape[0]}, "
                         f"eps {eps_.shape}, kappa0 {k0.shape}, a0 {a0_.shape}") from None
    if len(b) != 1:
        raise ValueError(f"parameters must be scalars or 1-D arrays, got batch shape {b}")
    B = b[0]
    pu = np.broadcast_to(pu, (B, pu.shape[1]))
    ph = np.broadcast_to(ph, (B, ph.shape[1]))
    eps_, k0, a0_ = (np.broadcast_to(x, (B,)).astype(float) for x in (eps_, k0, a0_))
    frozen = np.abs(k0) == 1.0
    sign = np.sign(k0)
    u0 = np.where(frozen, 0.0, np.arctanh(np.where(frozen, 0.0, k0)))
    y0 = np.stack([u0, a0_], axis=1)
    h0 = 1e-3 * min(1.0, float(t[-1]))
    size = min(chunk, B)
    parts = []
    with jax.enable_x64(True):
        ts = jnp.asarray(t, dtype=jnp.float64)
        for lo in range(0, B, size):
            idx = np.minimum(np.arange(lo, lo + size), B - 1)  # pad with the last point
            res = _integrate(
                jnp.asarray(pu[idx], dtype=jnp.float64), jnp.asarray(ph[idx], dtype=jnp.float64),
                jnp.asarray(eps_[idx], dtype=jnp.float64), jnp.asarray(y0[idx], dtype=jnp.float64),
                jnp.asarray(frozen[idx]), jnp.asarray(sign[idx], dtype=jnp.float64),
                ts, rtol, atol, h0, max_steps)
            parts.append([np.asarray(x)[: min(size, B - lo)] for x in res])
    out, umax, tmax, n, i = (np.concatenate(p) for p in zip(*parts))
    if np.any(i < t.size):
        bad = np.nonzero(i < t.size)[0]
        raise RuntimeError(f"{bad.size} point(s) did not reach t={t[-1]:g} within "
                           f"max_steps={max_steps} (first: index {bad[0]})")
    uu, a = out[..., 0], out[..., 1]
    if not np.all(np.isfinite(out)):
        raise RuntimeError("integration produced non-finite values")
    kappa = np.where(frozen[:, None], sign[:, None], np.tanh(uu))
    gap = np.where(frozen[:, None], 1 - sign[:, None],
                   2.0 / (1.0 + np.exp(np.minimum(2 * uu, 700.0))))
    kmax = np.where(frozen, sign, np.tanh(umax))
    return SweepResult(t=t, kappa=kappa, a=a, gap=gap, kappa_max=kmax, t_max=tmax, n_steps=n)

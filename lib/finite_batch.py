r"""Finite-batch dynamics: shared SGD noise and coherent neurons.

In the limit of :mod:`lib.reduced` every neuron's component orthogonal to the teacher
direction :math:`\theta_*` is an independent random direction, and the network output is
Mehler-smoothed over it. With a finite batch ``B`` one minibatch drives every neuron, so
the gradient noise is *shared*: it pushes all orthogonal parts the same way and they
become coherent. Three order parameters then describe a large network,

* :math:`\kappa = \langle w_j, \theta_*\rangle` (shared alignment),
* :math:`a` (shared second-layer weight),
* :math:`r = \langle w_i - \kappa\theta_*, w_j - \kappa\theta_*\rangle` for :math:`i \ne j`
  (the common part of the orthogonal components), equivalently the inter-neuron
  overlap :math:`q = \langle w_i, w_j\rangle = \kappa^2 + r`.

Write :math:`w_j = \kappa\theta_* + \sqrt r\,\mu + \sqrt{1-q}\,\nu_j` with a common unit
vector :math:`\mu \perp \theta_*` and private directions :math:`\nu_j`. For
:math:`N \to \infty` the output depends on :math:`x` only through
:math:`g = \langle \kappa\theta_* + \sqrt r\mu, x\rangle/\sqrt q`:
:math:`f = a\sum_k s_k q^{k/2}\mathrm{He}_k(g)`, so the population loss is
:math:`\tfrac12\|\sigma_*\|^2 - a\phi(\kappa) + \tfrac12 a^2 h(q)` with
:math:`h(q) = \sum_k k!\,s_k^2 q^k` (:math:`h(\kappa^2) = H(\kappa)`). The mean-field
gradient flow of this loss on the sphere, plus the terms of order :math:`\eta^2 d/B` of
the normalised SGD step (the limit :math:`N, d \to \infty`, :math:`\eta \to 0` at fixed
:math:`\lambda = \eta d/B`), give

.. math::
    \dot\kappa &= a(1-\kappa^2)\phi'(\kappa) - a^2\kappa(1-q)h'(q)
                  - \tfrac{\lambda}{2} a^2 D\,\kappa, \\
    \dot r &= -2r\,[a\kappa\phi'(\kappa) + a^2(1-q)h'(q)] + \lambda a^2 (D_\times - rD), \\
    \dot a &= \varepsilon\,[\phi(\kappa) - a\,h(q)],

with :math:`\lambda = \eta d/B` = ``lr / batch_ratio`` and the noise strengths
:math:`D = \mathbb{E}[e^2\sigma'(\langle w_j,x\rangle)^2]` (one neuron) and
:math:`D_\times = \mathbb{E}[e^2\sigma'(\langle w_i,x\rangle)\sigma'(\langle w_j,x\rangle)]`
(two neurons), :math:`e = f - y`. Both are computed by two-dimensional Gauss-Hermite
quadrature over :math:`(z, \zeta)`; the private Gaussians are integrated exactly by
Mehler's formula (:math:`\sigma'` and :math:`\sigma'^2` smoothed at :math:`\sqrt q`).

Setting ``coherent=False`` keeps :math:`r = 0` and only the per-neuron term in
:math:`\dot\kappa` (the per-neuron correction of the working notes); ``lr -> 0`` or
``batch_ratio -> inf`` gives back the noiseless reduced ODE.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.polynomial import Polynomial
from numpy.polynomial import hermite_e as _he
from scipy.integrate import solve_ivp

from lib._checks import (alignment, finite_array, increasing_times, non_negative, positive,
                         positive_int)
from lib.hermite import HermiteSeries, as_series
from lib.reduced import ReducedDynamics

__all__ = ["FiniteBatchDynamics", "FiniteBatchTrajectory", "tracking_errors", "crossing_time"]


@dataclass(frozen=True)
class FiniteBatchTrajectory:
    """A solution of the finite-batch model.

    ``r`` is the common part of the orthogonal components, i.e. the network's
    :math:`\\rho = |\\frac1N\\sum_j(w_j-\\kappa_j\\theta_*)|^2`; ``q = kappa**2 + r``.
    """

    t: np.ndarray
    kappa: np.ndarray
    a: np.ndarray
    r: np.ndarray
    loss: np.ndarray

    @property
    def q(self) -> np.ndarray:
        """Inter-neuron overlap :math:`q = \\kappa^2 + r`."""
        return self.kappa**2 + self.r

    @property
    def rho(self) -> np.ndarray:
        """The coherence :math:`\\rho` (the same as ``r``; named as in the networks)."""
        return self.r


@dataclass(frozen=True)
class FiniteBatchDynamics:
    """Three-variable finite-batch model (see the module docstring).

    Parameters
    ----------
    teacher, student
        Hermite series (or coefficients) of :math:`\\sigma_*` and :math:`\\sigma`.
    eps
        Second- to first-layer learning-rate ratio (> 0).
    batch_ratio
        :math:`B/d` (> 0; ``np.inf`` removes the noise).
    lr
        Learning rate :math:`\\eta` of the network (> 0); the noise strength is
        :math:`\\lambda = \\eta d/B`.
    label_noise
        Standard deviation of the label noise (>= 0), as in :func:`lib.simulate.simulate_network`.
    coherent
        ``True``: the full model. ``False``: ``r`` frozen at 0 and only the per-neuron
        noise term kept.
    width
        Number of neurons N, or ``None`` for N = infinity. At finite N the variable ``r``
        is the network's :math:`\\rho = |\\frac1N\\sum_j (w_j-\\kappa_j\\theta_*)|^2`, whose
        noise injection gains the diagonal share :math:`(D - D_\\times)/N`.
    quad_points
        Gauss-Hermite points per dimension (default: exact for the polynomial degrees).
    """

    teacher: HermiteSeries
    student: HermiteSeries
    eps: float = 0.05
    batch_ratio: float = 1.0
    lr: float = 0.05
    label_noise: float = 0.0
    coherent: bool = True
    width: int | None = None
    quad_points: int | None = None
    _pre: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        teacher = as_series("teacher", self.teacher)
        student = as_series("student", self.student)
        object.__setattr__(self, "teacher", teacher)
        object.__setattr__(self, "student", student)
        object.__setattr__(self, "eps", positive("eps", self.eps))
        try:
            br = float(self.batch_ratio)
        except (TypeError, ValueError):
            br = float("nan")
        if not br > 0:  # also refuses NaN; +inf means no SGD noise
            raise ValueError(f"batch_ratio must be positive (inf allowed), got {self.batch_ratio!r}")
        object.__setattr__(self, "batch_ratio", br)
        object.__setattr__(self, "lr", positive("lr", self.lr))
        object.__setattr__(self, "label_noise", non_negative("label_noise", self.label_noise))
        if self.width is not None:
            object.__setattr__(self, "width", positive_int("width", self.width))
        ks, kt = student.degree, teacher.degree
        n = (max(8, 2 * max(ks, kt) + 2) if self.quad_points is None
             else positive_int("quad_points", self.quad_points))
        z, w = _he.hermegauss(n)
        w = w / math.sqrt(2 * math.pi)
        Z, Zeta = np.meshgrid(z, z, indexing="ij")
        ds = student.derivative()
        dsq_deg = 2 * max(ds.degree, 0)
        dsq = HermiteSeries.from_function(lambda x: ds(x) ** 2, max(dsq_deg, 1),
                                          quad_points=max(200, 4 * dsq_deg))
        red = ReducedDynamics(teacher, student, eps=self.eps)
        v = red.v
        h = Polynomial(v)  # h(q) = sum_k k! s_k^2 q^k
        pre = dict(Z=Z.ravel(), Zeta=Zeta.ravel(), W=np.outer(w, w).ravel(),
                   y=teacher(Z.ravel()), s=student.coeffs, ds=ds.coeffs, dsq=dsq.coeffs,
                   phi=red.phi, dphi=red.phi.deriv(), h=h, dh=h.deriv(), red=red)
        object.__setattr__(self, "_pre", pre)

    # -- pieces ------------------------------------------------------------------------------
    @property
    def strength(self) -> float:
        """:math:`\\lambda = \\eta d / B` (0 when ``batch_ratio`` is infinite)."""
        return 0.0 if np.isinf(self.batch_ratio) else self.lr / self.batch_ratio

    @property
    def _inv_n(self) -> float:
        return 0.0 if self.width is None else 1.0 / self.width

    def h(self, q):
        """:math:`h(q) = \\sum_k k!\\,s_k^2 q^k`, the student's self-overlap kernel."""
        return self._pre["h"](np.asarray(q, dtype=float))

    def loss(self, kappa, a, r=0.0):
        """Population loss of the infinite-width network with overlaps ``(kappa, r)``."""
        kappa = alignment("kappa", kappa)
        a, r = finite_array("a", a), finite_array("r", r)
        p = self._pre
        return (0.5 * (self.teacher.norm2() + self.label_noise**2)
                - a * p["phi"](kappa) + 0.5 * a**2 * p["h"](kappa**2 + r))

    def noise_terms(self, kappa: float, a: float, r: float = 0.0):
        """``(D, D_cross)`` at one state, by 2-D Gauss-Hermite quadrature.

        :math:`D = \\mathbb{E}[e^2\\sigma'(\\langle w_j,x\\rangle)^2]`,
        :math:`D_\\times = \\mathbb{E}[e^2\\sigma'(\\langle w_i,x\\rangle)\\sigma'(\\langle w_j,x\\rangle)]`
        (:math:`i \\ne j`), with :math:`e = f - y` and label noise included.
        """
        kappa = float(alignment("kappa", kappa))
        a, r = float(finite_array("a", a)), float(finite_array("r", r))
        if r < 0 or kappa**2 + r > 1 + 1e-12:
            raise ValueError(f"r must lie in [0, 1 - kappa^2], got r={r!r} at kappa={kappa!r}")
        return self._noise(kappa, a, r)

    def _noise(self, kappa, a, r):
        p = self._pre
        q = min(kappa**2 + r, 1.0)
        sq = math.sqrt(q)
        g = (kappa * p["Z"] + math.sqrt(max(r, 0.0)) * p["Zeta"]) / sq if q > 1e-300 else p["Z"]
        f = a * _he.hermeval(g, p["s"] * sq ** np.arange(p["s"].size))
        e2 = (f - p["y"]) ** 2 + self.label_noise**2
        sp = _he.hermeval(g, p["ds"] * sq ** np.arange(p["ds"].size))
        sp2 = _he.hermeval(g, p["dsq"] * sq ** np.arange(p["dsq"].size))
        return float(np.sum(p["W"] * e2 * sp2)), float(np.sum(p["W"] * e2 * sp * sp))

    def vector_field(self, kappa: float, a: float, r: float = 0.0):
        """``(dkappa/dt, da/dt, dr/dt)`` at one state."""
        kappa = float(alignment("kappa", kappa))
        a, r = float(finite_array("a", a)), float(finite_array("r", r))
        if abs(kappa) == 1:
            return 0.0, self.eps * (float(self._pre["phi"](kappa)) - a * float(self.h(1.0))), 0.0
        one_k2 = 1 - kappa**2
        if r < 0 or r > one_k2 * (1 + 1e-12):
            raise ValueError(f"r must lie in [0, 1 - kappa^2], got r={r!r} at kappa={kappa!r}")
        du, da, ds = self._field(math.atanh(kappa), a, r / one_k2)
        dk = one_k2 * du
        return dk, da, one_k2 * ds - 2 * kappa * dk * (r / one_k2)

    def _field(self, u, a, s):
        """``(du/dt, da/dt, ds/dt)`` in :math:`u = \\operatorname{artanh}\\kappa` and the
        coherent fraction :math:`s = r/(1-\\kappa^2) \\in [0, 1]` (both free of cancellation)."""
        p = self._pre
        lam = self.strength
        kappa = math.tanh(u)
        one_k2 = 1.0 / math.cosh(min(abs(u), 350.0)) ** 2  # 1 - kappa^2 without cancellation
        s = min(max(s, 0.0), 1.0) if self.coherent else 0.0
        r = s * one_k2
        q = min(kappa**2 + r, 1.0)
        dh = p["dh"](q)
        D, Dx = self._noise(kappa, a, r) if lam > 0 else (0.0, 0.0)
        du = a * p["dphi"](kappa) - a * a * kappa * (1 - s) * dh - 0.5 * lam * a * a * D * kappa / one_k2
        da = self.eps * (p["phi"](kappa) - a * p["h"](q))
        if not self.coherent:
            return du, da, 0.0
        inject = Dx - s * D + self._inv_n * (D - Dx)
        ds = -2 * s * (1 - s) * a * a * dh + lam * a * a * inject / one_k2
        return du, da, ds

    # -- integration -----------------------------------------------------------------------
    def integrate(self, kappa0: float, a0: float, t, r0: float = 0.0, freeze_a: bool = False,
                  rtol: float = 1e-8, atol: float = 1e-10) -> FiniteBatchTrajectory:
        """Integrate from ``(kappa0, a0, r0)`` over the times ``t`` (array, or a final time).

        ``freeze_a=True`` keeps ``a`` at ``a0`` (the fast system, as ``freeze_a`` in
        :func:`lib.simulate.simulate_network`).
        Works in :math:`u = \\operatorname{artanh}\\kappa` like :mod:`lib.reduced`.
        """
        kappa0 = float(alignment("kappa0", kappa0))
        if abs(kappa0) >= 1:
            raise ValueError(f"kappa0 must lie strictly inside (-1, 1), got {kappa0!r}")
        a0 = float(finite_array("a0", a0))
        r0 = float(finite_array("r0", r0))
        if r0 < 0 or kappa0**2 + r0 > 1:
            raise ValueError(f"r0 must lie in [0, 1 - kappa0^2], got {r0!r}")
        t = np.asarray(t, dtype=float)
        if t.ndim == 0:
            t = np.linspace(0.0, positive("t", t), 501)
        t = increasing_times("t", t)

        def rhs(_, y):
            du, da, ds = self._field(*y)
            return [du, 0.0 if freeze_a else da, ds]

        y0 = [math.atanh(kappa0), a0, r0 / (1 - kappa0**2) if self.coherent else 0.0]
        t_span = (0.0, t[-1]) if t[0] > 0 else (t[0], t[-1])
        if t_span[1] == t_span[0]:
            y = np.array(y0)[:, None]
        else:
            sol = solve_ivp(rhs, t_span, y0, method="LSODA", t_eval=t, rtol=rtol, atol=atol)
            if not sol.success:
                raise RuntimeError(f"integration failed: {sol.message}")
            y = sol.y
        kappa, a = np.tanh(y[0]), y[1]
        r = np.clip(y[2], 0.0, 1.0) / np.cosh(np.minimum(np.abs(y[0]), 350.0)) ** 2
        if not np.all(np.isfinite(a)):
            raise RuntimeError("integration produced non-finite a")
        return FiniteBatchTrajectory(t=t, kappa=kappa, a=a, r=r, loss=self.loss(kappa, a, r))


# -- comparing with networks ---------------------------------------------------------------------
def tracking_errors(run, traj) -> dict:
    """Mean absolute gaps between a network run and a model trajectory, over the record times.

    ``run`` is a :class:`lib.simulate.NetworkRun` (its order parameters are averaged over
    seeds first); ``traj`` has ``kappa``, ``a`` and ``rho`` at the same times ``run.t``.
    Returns ``{"kappa": ..., "a": ..., "rho": ...}``.
    """
    t_run, t_traj = np.asarray(run.t, dtype=float), np.asarray(traj.t, dtype=float)
    if t_run.shape != t_traj.shape or not np.allclose(t_run, t_traj):
        raise ValueError(f"traj.t must equal run.t, got shapes {t_traj.shape} and {t_run.shape}")
    net = {"kappa": run.kappa_mean, "a": run.a_mean, "rho": run.rho}
    return {k: float(np.mean(np.abs(np.mean(v, axis=0) - np.asarray(getattr(traj, k)))))
            for k, v in net.items()}


def crossing_time(t, kappa, level: float = 0.9) -> float:
    """First time after the peak of ``kappa`` at which it falls below ``level``.

    ``nan`` if it never does, or if the peak itself stays below ``level`` (nothing to
    unlearn from). A marker of unlearning that needs no derivative of a noisy curve.
    """
    t = increasing_times("t", t)
    kappa = finite_array("kappa", kappa)
    if kappa.shape != t.shape:
        raise ValueError(f"kappa must have the shape of t {t.shape}, got {kappa.shape}")
    level = float(alignment("level", level))
    i = int(np.argmax(kappa))
    if kappa[i] < level:
        return float("nan")
    below = np.nonzero(kappa[i:] < level)[0]
    return float(t[i + below[0]]) if below.size else float("nan")

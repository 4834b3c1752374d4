r"""Finite-batch dynamics: shared SGD noise and coherent neurons.

In the limit of :mod:`lib.reduced` every neuron's component orthogonal to the teacher
direction :math:`\theta_*` is an independent random direction, and the network output is
Mehler-smoothed over it. With a finite batch ``B`` one minibatch drives every neuron, so
the gradient noise is *shared*: it pushes all orthogonal parts the same way and they
become coherent. Three order parameters then describe a large network,

* :math:`\kappa = \langle w_j, \theta_*\rangle` (shared alignment),
* :math:`a` (shared second-layer weight),
* the coherence :math:`\rho = \langle w_i - \kappa\theta_*, w_j - \kappa\theta_*\rangle`
  for :math:`i \ne j` (the common part of the orthogonal components), equivalently the
  inter-neuron overlap :math:`q = \langle w_i, w_j\rangle = \kappa^2 + \rho`.

Write :math:`w_j = \kappa\theta_* + \sqrt\rho\,\mu + \sqrt{1-q}\,\nu_j` with a common unit
vector :math:`\mu \perp \theta_*` and private directions :math:`\nu_j`. For
:math:`N \to \infty` the output depends on :math:`x` only through
:math:`g = \langle \kappa\theta_* + \sqrt\rho\,\mu, x\rangle/\sqrt q`:
:math:`f = a\sum_k s_k q^{k/2}\mathrm{He}_k(g)`, so the population loss is
:math:`\tfrac12\|\sigma_*\|^2 - a\phi(\kappa) + \tfrac12 a^2 h(q)` with
:math:`h(q) = \sum_k k!\,s_k^2 q^k` (:math:`h(\kappa^2) = H(\kappa)`). The mean-field
gradient flow of this loss on the sphere, plus the terms of order :math:`\eta^2 d/B` of
the normalised SGD step (the limit :math:`N, d \to \infty`, :math:`\eta \to 0` at fixed
:math:`\beta = \eta d/B`), give

.. math::
    \dot\kappa &= a(1-\kappa^2)\phi'(\kappa) - a^2\kappa(1-q)h'(q)
                  - \tfrac{\beta}{2} a^2 D\,\kappa, \\
    \dot\rho &= -2\rho\,[a\kappa\phi'(\kappa) + a^2(1-q)h'(q)]
                + \beta a^2 (D_\times - \rho D), \\
    \dot a &= \varepsilon\,[\phi(\kappa) - a\,h(q)],

with :math:`\beta = \eta d/B` = ``lr / batch_ratio`` and the noise strengths
:math:`D = \mathbb{E}[e^2\sigma'(\langle w_j,x\rangle)^2]` (one neuron) and
:math:`D_\times = \mathbb{E}[e^2\sigma'(\langle w_i,x\rangle)\sigma'(\langle w_j,x\rangle)]`
(two neurons), :math:`e = f - y`. Both are computed by two-dimensional Gauss-Hermite
quadrature over :math:`(z, \zeta)`; the private Gaussians are integrated exactly by
Mehler's formula (:math:`\sigma'` and :math:`\sigma'^2` smoothed at :math:`\sqrt q`).

The model is integrated in :math:`\vartheta = \operatorname{artanh}\kappa`, ``a`` and the
coherent fraction :math:`\chi = \rho/(1-\kappa^2) \in [0, 1]`, all free of cancellation
next to :math:`\kappa = 1`.

Setting ``coherent=False`` keeps :math:`\rho = 0` and only the per-neuron term in
:math:`\dot\kappa` (the first correction one would write down); ``lr -> 0`` or
``batch_ratio -> inf`` gives back the noiseless reduced ODE.

Near :math:`\kappa = 1` a finite network's distance to the teacher direction splits
into the coherence :math:`\rho` and a private part, the private deficit
:math:`\delta_{\rm p}` (:func:`private_deficit`). Only the private part can leave
:math:`\kappa = 1`; its floor :math:`\delta_{\rm f}`, set by the spread of the
second-layer weights across neurons and the shared noise, and the exit from that floor
(when :math:`\delta_{\rm p}` reaches :math:`1 - \kappa_{\rm e}^2`, with the exit level
:math:`\kappa_{\rm e}`) are predicted by :func:`floor_exit` (:func:`exit_time` measures
the exit on a record).
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

__all__ = ["FiniteBatchDynamics", "FiniteBatchTrajectory", "tracking_errors", "crossing_time",
           "private_deficit", "exit_time", "FloorExit", "floor_exit"]


@dataclass(frozen=True)
class FiniteBatchTrajectory:
    """A solution of the finite-batch model.

    ``rho`` is the coherence, the model's counterpart of the networks'
    :math:`\\rho = |\\frac1N\\sum_j(w_j-\\kappa_j\\theta_*)|^2`; ``q = kappa**2 + rho``.
    """

    t: np.ndarray
    kappa: np.ndarray
    a: np.ndarray
    rho: np.ndarray
    loss: np.ndarray

    @property
    def q(self) -> np.ndarray:
        """Inter-neuron overlap :math:`q = \\kappa^2 + \\rho`."""
        return self.kappa**2 + self.rho

    @property
    def chi(self) -> np.ndarray:
        """Coherent fraction :math:`\\chi = \\rho/(1-\\kappa^2)` (``nan`` at ``kappa = 1``)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.rho / (1 - self.kappa**2)


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
        :math:`\\beta = \\eta d/B`.
    label_noise
        Standard deviation of the label noise (>= 0), as in :func:`lib.simulate.simulate_network`.
    coherent
        ``True``: the full model. ``False``: ``rho`` frozen at 0 and only the per-neuron
        noise term kept.
    width
        Number of neurons N, or ``None`` for N = infinity. At finite N the variable ``rho``
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
    def beta(self) -> float:
        """Noise strength :math:`\\beta = \\eta d / B` (0 when ``batch_ratio`` is infinite)."""
        return 0.0 if np.isinf(self.batch_ratio) else self.lr / self.batch_ratio

    @property
    def reduced(self) -> ReducedDynamics:
        """The noiseless reduced ODE with the same teacher, student and ``eps``."""
        return self._pre["red"]

    @property
    def _inv_n(self) -> float:
        return 0.0 if self.width is None else 1.0 / self.width

    def h(self, q):
        """:math:`h(q) = \\sum_k k!\\,s_k^2 q^k`, the student's self-overlap kernel."""
        return self._pre["h"](np.asarray(q, dtype=float))

    def loss(self, kappa, a, rho=0.0):
        """Population loss of the infinite-width network with overlaps ``(kappa, rho)``."""
        kappa = alignment("kappa", kappa)
        a, rho = finite_array("a", a), finite_array("rho", rho)
        pre = self._pre
        return (0.5 * (self.teacher.norm2() + self.label_noise**2)
                - a * pre["phi"](kappa) + 0.5 * a**2 * pre["h"](kappa**2 + rho))

    def noise_terms(self, kappa: float, a: float, rho: float = 0.0):
        """``(D, D_cross)`` at one state, by 2-D Gauss-Hermite quadrature.

        :math:`D = \\mathbb{E}[e^2\\sigma'(\\langle w_j,x\\rangle)^2]`,
        :math:`D_\\times = \\mathbb{E}[e^2\\sigma'(\\langle w_i,x\\rangle)\\sigma'(\\langle w_j,x\\rangle)]`
        (:math:`i \\ne j`), with :math:`e = f - y` and label noise included.
        """
        kappa = float(alignment("kappa", kappa))
        a, rho = float(finite_array("a", a)), float(finite_array("rho", rho))
        if rho < 0 or kappa**2 + rho > 1 + 1e-12:
            raise ValueError(f"rho must lie in [0, 1 - kappa^2], got rho={rho!r} at kappa={kappa!r}")
        return self._noise(kappa, a, rho)

    def _noise(self, kappa, a, rho):
        pre = self._pre
        q = min(kappa**2 + rho, 1.0)
        sq = math.sqrt(q)
        g = (kappa * pre["Z"] + math.sqrt(max(rho, 0.0)) * pre["Zeta"]) / sq if q > 1e-300 else pre["Z"]
        f = a * _he.hermeval(g, pre["s"] * sq ** np.arange(pre["s"].size))
        e2 = (f - pre["y"]) ** 2 + self.label_noise**2
        sp = _he.hermeval(g, pre["ds"] * sq ** np.arange(pre["ds"].size))
        sp2 = _he.hermeval(g, pre["dsq"] * sq ** np.arange(pre["dsq"].size))
        return float(np.sum(pre["W"] * e2 * sp2)), float(np.sum(pre["W"] * e2 * sp * sp))

    def vector_field(self, kappa: float, a: float, rho: float = 0.0):
        """``(dkappa/dt, da/dt, drho/dt)`` at one state."""
        kappa = float(alignment("kappa", kappa))
        a, rho = float(finite_array("a", a)), float(finite_array("rho", rho))
        if abs(kappa) == 1:
            return 0.0, self.eps * (float(self._pre["phi"](kappa)) - a * float(self.h(1.0))), 0.0
        one_k2 = 1 - kappa**2
        if rho < 0 or rho > one_k2 * (1 + 1e-12):
            raise ValueError(f"rho must lie in [0, 1 - kappa^2], got rho={rho!r} at kappa={kappa!r}")
        dth, da, dchi = self._field(math.atanh(kappa), a, rho / one_k2)
        dk = one_k2 * dth
        return dk, da, one_k2 * dchi - 2 * kappa * dk * (rho / one_k2)

    def _field(self, th, a, chi):
        """``(dvartheta/dt, da/dt, dchi/dt)`` in :math:`\\vartheta = \\operatorname{artanh}\\kappa`
        and the coherent fraction :math:`\\chi = \\rho/(1-\\kappa^2) \\in [0, 1]` (both free
        of cancellation next to :math:`\\kappa = 1`)."""
        pre = self._pre
        beta = self.beta
        kappa = math.tanh(th)
        one_k2 = 1.0 / math.cosh(min(abs(th), 350.0)) ** 2  # 1 - kappa^2 without cancellation
        chi = min(max(chi, 0.0), 1.0) if self.coherent else 0.0
        rho = chi * one_k2
        q = min(kappa**2 + rho, 1.0)
        dh = pre["dh"](q)
        D, Dx = self._noise(kappa, a, rho) if beta > 0 else (0.0, 0.0)
        dth = (a * pre["dphi"](kappa) - a * a * kappa * (1 - chi) * dh
               - 0.5 * beta * a * a * D * kappa / one_k2)
        da = self.eps * (pre["phi"](kappa) - a * pre["h"](q))
        if not self.coherent:
            return dth, da, 0.0
        inject = Dx - chi * D + self._inv_n * (D - Dx)
        dchi = -2 * chi * (1 - chi) * a * a * dh + beta * a * a * inject / one_k2
        return dth, da, dchi

    # -- integration -----------------------------------------------------------------------
    def integrate(self, kappa0: float, a0: float, t, rho0: float = 0.0, freeze_a: bool = False,
                  rtol: float = 1e-8, atol: float = 1e-10) -> FiniteBatchTrajectory:
        """Integrate from ``(kappa0, a0, rho0)`` over the times ``t`` (array, or a final time).

        ``freeze_a=True`` keeps ``a`` at ``a0`` (the fast system, as ``freeze_a`` in
        :func:`lib.simulate.simulate_network`).
        Works in :math:`\\vartheta = \\operatorname{artanh}\\kappa` like :mod:`lib.reduced`.
        """
        kappa0 = float(alignment("kappa0", kappa0))
        if abs(kappa0) >= 1:
            raise ValueError(f"kappa0 must lie strictly inside (-1, 1), got {kappa0!r}")
        a0 = float(finite_array("a0", a0))
        rho0 = float(finite_array("rho0", rho0))
        if rho0 < 0 or kappa0**2 + rho0 > 1:
            raise ValueError(f"rho0 must lie in [0, 1 - kappa0^2], got {rho0!r}")
        t = np.asarray(t, dtype=float)
        if t.ndim == 0:
            t = np.linspace(0.0, positive("t", t), 501)
        t = increasing_times("t", t)

        def rhs(_, y):
            dth, da, dchi = self._field(*y)
            return [dth, 0.0 if freeze_a else da, dchi]

        y0 = [math.atanh(kappa0), a0, rho0 / (1 - kappa0**2) if self.coherent else 0.0]
        t_span = (0.0, t[-1]) if t[0] > 0 else (t[0], t[-1])
        if t_span[1] == t_span[0]:
            y = np.array(y0)[:, None]
        else:
            sol = solve_ivp(rhs, t_span, y0, method="LSODA", t_eval=t, rtol=rtol, atol=atol)
            if not sol.success:
                raise RuntimeError(f"integration failed: {sol.message}")
            y = sol.y
        kappa, a = np.tanh(y[0]), y[1]
        rho = np.clip(y[2], 0.0, 1.0) / np.cosh(np.minimum(np.abs(y[0]), 350.0)) ** 2
        if not np.all(np.isfinite(a)):
            raise RuntimeError("integration produced non-finite a")
        return FiniteBatchTrajectory(t=t, kappa=kappa, a=a, rho=rho,
                                     loss=self.loss(kappa, a, rho))


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


# -- the exit from kappa = 1 in a finite network -------------------------------------------------
def private_deficit(run) -> np.ndarray:
    """The private part of the networks' distance to :math:`\\kappa = 1`, per seed and record.

    With :math:`w_j^\\perp = w_j - \\kappa_j\\theta_*` (so :math:`|w_j^\\perp|^2 = 1-\\kappa_j^2`) and
    :math:`\\bar w^\\perp = \\frac1N\\sum_j w_j^\\perp` (so :math:`|\\bar w^\\perp|^2 = \\rho`),
    :math:`\\delta_{\\rm p} = \\frac1N\\sum_j |w_j^\\perp - \\bar w^\\perp|^2 = 1 - \\overline{\\kappa^2} - \\rho
    = 1 - \\bar\\kappa^2 - \\operatorname{std}_j(\\kappa_j)^2 - \\rho`, computed from the
    records of a :class:`lib.simulate.NetworkRun` (shape ``(seeds, records)``). The common
    part :math:`\\rho` is excluded: it is attracted to :math:`\\kappa = 1` at every ``a``.
    In float32 runs :math:`\\delta_{\\rm p}` is resolved down to about :math:`10^{-7}`.
    """
    return 1 - run.kappa_mean**2 - run.kappa_std**2 - run.rho


def _first_rise(t, delta, threshold):
    """First time after the minimum of ``delta`` at which it reaches ``threshold``
    (log-linear interpolation between samples); ``nan`` if it never does."""
    t, delta = np.asarray(t, dtype=float), np.asarray(delta, dtype=float)
    i = int(np.nanargmin(delta))
    above = np.nonzero(delta[i:] >= threshold)[0]
    if not above.size:
        return float("nan")
    k = i + int(above[0])
    if k == 0 or delta[k - 1] <= 0:
        return float(t[k])
    lo, hi = math.log(delta[k - 1]), math.log(delta[k])
    frac = (math.log(threshold) - lo) / (hi - lo) if hi > lo else 1.0
    return float(t[k - 1] + frac * (t[k] - t[k - 1]))


def exit_time(t, delta, level: float = 0.99) -> float:
    """When a deficit ``delta`` (the private deficit :math:`\\delta_{\\rm p}` of
    :func:`private_deficit`, or :math:`1-\\kappa^2`) rises through
    :math:`1 - \\kappa_{\\rm e}^2` after its minimum, with the exit level
    :math:`\\kappa_{\\rm e}` = ``level``: the exit from :math:`\\kappa = 1`, the time at
    which a single :math:`\\kappa` would fall below :math:`\\kappa_{\\rm e}`. ``nan`` if
    it never does."""
    t = increasing_times("t", t)
    delta = finite_array("delta", delta)
    if delta.shape != t.shape:
        raise ValueError(f"delta must have the shape of t {t.shape}, got {delta.shape}")
    level = float(alignment("level", level))
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level!r}")
    return _first_rise(t, delta, 1 - level**2)


@dataclass(frozen=True)
class FloorExit:
    """The predicted exit of a finite network from :math:`\\kappa = 1` (:func:`floor_exit`).

    Arrays over ``t``: ``a`` (the second-layer weight of the finite-batch model), ``noiseless``
    (the reduced ODE's :math:`1-\\kappa^2`), ``private`` (the predicted private deficit
    :math:`\\delta_{\\rm p}`, deterministic part plus noise floor), ``floor`` (the noise
    part of it alone) and ``common`` (the predicted coherence :math:`\\rho`). ``t_exit``,
    ``a_exit``: when ``private`` rises through :math:`1-\\kappa_{\\rm e}^2`
    (:math:`\\kappa_{\\rm e}` = ``level`` of :func:`floor_exit`); ``t_ode``, ``a_ode``: the
    same for the noiseless ODE. The prediction is linear in the deficit: it holds up to
    the exit and grows without bound after it.
    """

    t: np.ndarray
    a: np.ndarray
    noiseless: np.ndarray
    private: np.ndarray
    floor: np.ndarray
    common: np.ndarray
    t_exit: float
    a_exit: float
    t_ode: float
    a_ode: float


def floor_exit(model: FiniteBatchDynamics, kappa0: float, a0: float, a_spread: float, t,
               rho0: float = 0.0, level: float = 0.99, start: float = 0.9,
               dq: float = 1e-4) -> FloorExit:
    r"""Predict when a finite network leaves :math:`\kappa = 1`, from the noise floor.

    Near :math:`\kappa = 1` write each neuron's orthogonal part as the common part
    :math:`\bar w^\perp` plus a private part :math:`w_j^{\rm p}`. With second-layer weights
    :math:`a_j = a + \alpha_j` (a spread :math:`\sigma_a` = ``a_spread`` left by the
    fast phase), the linearised SGD dynamics are, per unit time,

    .. math::
        d\bar w^\perp = -\omega_c\,\bar w^\perp\,dt + a\,d\Xi, \qquad
        dw_j^{\rm p} = -\omega_p\,w_j^{\rm p}\,dt + \tfrac{\alpha_j}{a}\,d\bar w^\perp + (\text{multiplicative}),

    with :math:`\omega_c = a\phi'(1)`, :math:`\omega_p = a\,g(1, a) = a[\phi'(1) -
    a h'(1)]` and :math:`\mathbb{E}|d\Xi|^2 = \beta D\,dt` (:math:`D` at
    :math:`\kappa = 1`). The second moments :math:`\rho = \mathbb{E}|\bar w^\perp|^2`,
    :math:`X = \mathbb{E}\langle w_j^{\rm p}, \bar w^\perp\rangle\,a/\alpha_j` and
    :math:`Y = \mathbb{E}|w_j^{\rm p}|^2\,a^2/\alpha_j^2` obey

    .. math::
        \dot\rho = -2\omega_c\rho + a^2\beta D, \quad
        \dot X = -(\omega_c+\omega_p)X - \omega_c\rho + a^2\beta D, \quad
        \dot Y = -(2\omega_p - \Gamma)Y - 2\omega_c X + a^2\beta D,

    with :math:`\Gamma = \beta a^2 \lim_{q\to1}(D - D_\times)/(1-q)` the growth the
    private noise adds. The floor is :math:`(\sigma_a/a)^2 Y`. The deterministic part
    starts from the reduced ODE's :math:`1-\kappa^2` and decays at the rate
    :math:`2\omega_p - \Gamma`, times the mean of :math:`e^{-2\alpha_j\int g}` over
    Gaussian :math:`\alpha_j`, :math:`e^{2\sigma_a^2(\int g\,dt)^2}`. All integrals
    start at ``start``, when the reduced ODE's :math:`\kappa` first reaches that value
    (the end of the fast phase). ``a(t)`` is that of ``model`` (the finite-batch model,
    started at ``(kappa0, a0, rho0)``: the coherence slows ``a`` at small :math:`B/d`).
    ``level`` is the exit level :math:`\kappa_{\rm e}`. Returns a :class:`FloorExit`.
    """
    if not isinstance(model, FiniteBatchDynamics):
        raise ValueError(f"model must be a FiniteBatchDynamics, got {type(model).__name__}")
    a_spread = non_negative("a_spread", a_spread)
    level = float(alignment("level", level))
    start = float(alignment("start", start))
    if not 0 < level < 1 or not 0 < start < 1:
        raise ValueError(f"level and start must lie in (0, 1), got {level!r}, {start!r}")
    dq = positive("dq", dq)
    t = np.asarray(t, dtype=float)
    if t.ndim == 0:
        t = np.linspace(0.0, positive("t", t), 2001)
    t = increasing_times("t", t)
    tr = model.reduced.integrate(kappa0, a0, t)
    with np.errstate(divide="ignore"):
        noiseless = np.exp(tr.log_gap + np.log1p(-0.5 * tr.gap) + math.log(2.0))  # 1 - kappa^2
    reached = np.nonzero(tr.kappa >= start)[0]
    if not reached.size:
        raise ValueError(f"the reduced ODE never reaches kappa = {start} on these times")
    i0 = int(reached[0])
    pre = model._pre
    dphi1, dh1 = float(pre["dphi"](1.0)), float(pre["dh"](1.0))
    beta = model.beta
    a_all = model.integrate(kappa0, a0, t, rho0=rho0).a if beta > 0 else tr.a
    ts, a = t[i0:], a_all[i0:]
    g = dphi1 - a * dh1  # g(1, a)
    w_c, w_p = a * dphi1, a * g  # the common and the private rate
    if beta > 0:
        k1 = math.sqrt(1 - dq)
        terms = np.array([model._noise(1.0, x, 0.0) + model._noise(k1, x, 0.0) for x in a])
        Q = beta * terms[:, 0]
        Gam = beta * a**2 * (terms[:, 2] - terms[:, 3]) / dq
    else:
        Q = Gam = np.zeros_like(a)
    cols = np.c_[w_c, w_p, Q * a**2, Gam]

    def rhs(s, y):
        wc, wp, src, gam = (np.interp(s, ts, c) for c in cols.T)
        rho, X, Y = y
        return [-2 * wc * rho + src, -(wc + wp) * X - wc * rho + src,
                -(2 * wp - gam) * Y - 2 * wc * X + src]

    if ts.size > 1 and beta > 0:
        sol = solve_ivp(rhs, (ts[0], ts[-1]), [0.0, 0.0, 0.0], method="LSODA", t_eval=ts,
                        rtol=1e-8, atol=1e-14, max_step=float(np.min(np.diff(ts))) * 4)
        if not sol.success:
            raise RuntimeError(f"integration failed: {sol.message}")
        R, Y = sol.y[0], sol.y[2]
    else:
        R = Y = np.zeros_like(ts)
    dt = np.diff(ts)
    cum = lambda f: np.r_[0.0, np.cumsum(0.5 * (f[1:] + f[:-1]) * dt)]
    log_gain = -cum(2 * w_p - Gam) + 2 * a_spread**2 * cum(g) ** 2
    private = noiseless.copy()
    floor, common = np.zeros_like(t), np.zeros_like(t)
    floor[i0:] = (a_spread / a) ** 2 * Y
    common[i0:] = R
    private[i0:] = noiseless[i0] * np.exp(log_gain) + floor[i0:]
    t_exit = _first_rise(t, private, 1 - level**2)
    t_ode = _first_rise(t, noiseless, 1 - level**2)

    def at(s, arr):
        return float(np.interp(s, t, arr)) if np.isfinite(s) else float("nan")

    return FloorExit(t=t, a=a_all, noiseless=noiseless, private=private, floor=floor,
                     common=common, t_exit=t_exit, a_exit=at(t_exit, a_all), t_ode=t_ode,
                     a_ode=at(t_ode, tr.a))

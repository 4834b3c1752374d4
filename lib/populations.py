r"""Neurons that do not share one alignment: populations of the mean-field equations.

The reduced ODE of :mod:`lib.reduced` puts every neuron at one alignment :math:`\kappa`
with one weight :math:`a`. Its derivation (the infinite-width chapter) first gives one
equation per neuron: with :math:`h(q) = \sum_k k!\, s_k^2 q^k` (so that
:math:`H(\kappa) = h(\kappa^2)`), neurons of alignments :math:`\kappa_i` and weights
:math:`a_i` in proportions :math:`w_i` (:math:`\sum_i w_i = 1`) follow

.. math::
    \dot\kappa_i = (1-\kappa_i^2)\, a_i \Big[\phi'(\kappa_i)
                   - \sum_l w_l\, a_l \kappa_l\, h'(\kappa_l\kappa_i)\Big], \qquad
    \dot a_i = \varepsilon\Big[\phi(\kappa_i) - \sum_l w_l\, a_l\, h(\kappa_l\kappa_i)\Big],

the gradient flow (in the metric of the reduced ODE) of

.. math::
    L = \tfrac12\|\sigma_*\|^2 - \sum_i w_i a_i\phi(\kappa_i)
        + \tfrac12 \sum_{i,l} w_i w_l\, a_i a_l\, h(\kappa_i\kappa_l).

One population is the reduced ODE. Two populations of opposite signs, in proportions
:math:`p` and :math:`1-p`, are what a network does with an even teacher: the teacher
cannot tell :math:`\kappa` from :math:`-\kappa`, each neuron keeps the sign it started
with, and the network's output :math:`f = \sum_k s_k \alpha_k \mathrm{He}_k` with
:math:`\alpha_k = \sum_i w_i a_i \kappa_i^k` can cancel its odd part, which one shared
:math:`\kappa` cannot. ``N`` populations of weight :math:`1/N` started at a network's
initial alignments are the *particles* of the infinite-width chapter.

:class:`PopulationDynamics` integrates these equations in
:math:`\vartheta_i = \operatorname{artanh}\kappa_i` (as :mod:`lib.reduced` does) with the
exact Jacobian. With ``width = N`` it adds the diagonal term of a network of ``N``
neurons, :math:`-\frac{\varepsilon}{N} a_i [h(1) - h(\kappa_i^2)]` in :math:`\dot a_i`
(a neuron's overlap with itself is 1, not :math:`\kappa_i^2`), the term that
:func:`lib.scaling.finite_width_dynamics` adds to the one-:math:`\kappa` ODE.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.polynomial import Polynomial
from scipy.integrate import solve_ivp

from lib._checks import alignment, finite_array, positive, positive_int, time_grid
from lib.hermite import HermiteSeries, as_series
from lib.reduced import ReducedDynamics

__all__ = ["PopulationDynamics", "PopulationTrajectory", "even_part", "odd_part",
           "is_even", "mirror_dynamics", "split_weights", "sign_split", "rms_alignment",
           "initial_alignments"]


# -- parity ------------------------------------------------------------------------------
def _parity(series, keep: int) -> HermiteSeries:
    s = as_series("series", series)
    c = np.where(np.arange(s.coeffs.size) % 2 == keep, s.coeffs, 0.0)
    return HermiteSeries(c)


def even_part(series) -> HermiteSeries:
    """:math:`\\frac12[f(z) + f(-z)]`: the even-degree Hermite terms of ``series``."""
    return _parity(series, 0)


def odd_part(series) -> HermiteSeries:
    """:math:`\\frac12[f(z) - f(-z)]`: the odd-degree Hermite terms of ``series``."""
    return _parity(series, 1)


def is_even(series, rtol: float = 1e-12) -> bool:
    """Whether ``series`` has no odd-degree term (relative to its largest coefficient)."""
    s = as_series("series", series)
    scale = np.max(np.abs(s.coeffs))
    return bool(np.all(np.abs(odd_part(s).coeffs) <= rtol * scale))


def mirror_dynamics(dyn: ReducedDynamics) -> ReducedDynamics:
    r"""The reduced ODE that two mirror populations of an even teacher follow.

    With an even teacher, two populations of equal weight at :math:`\pm\kappa` with the
    same :math:`a` stay mirror images, and their output is
    :math:`a \sum_{k\ \mathrm{even}} s_k \kappa^k \mathrm{He}_k`: they move exactly as one
    alignment of the student's *even part* (the odd parts cancel). Returns that
    :class:`~lib.reduced.ReducedDynamics`.
    """
    if not isinstance(dyn, ReducedDynamics):
        raise ValueError(f"dyn must be a ReducedDynamics, got {type(dyn).__name__}")
    if not is_even(dyn.teacher):
        raise ValueError("mirror_dynamics needs an even teacher (no odd Hermite term)")
    return ReducedDynamics(dyn.teacher, even_part(dyn.student), eps=dyn.eps, noise=dyn.noise)


# -- trajectories ------------------------------------------------------------------------
@dataclass(frozen=True)
class PopulationTrajectory:
    """A solution of the population equations at the requested times.

    ``kappa`` and ``a`` have shape ``(P, len(t))`` (one row per population), ``weights``
    shape ``(P,)``; ``loss`` is the population loss at each time.
    """

    t: np.ndarray
    kappa: np.ndarray
    a: np.ndarray
    weights: np.ndarray
    loss: np.ndarray

    def _mean(self, x):
        return np.sum(self.weights[:, None] * x, axis=0)

    @property
    def a_mean(self) -> np.ndarray:
        """:math:`\\sum_i w_i a_i`: what a network records as the mean of its :math:`a_j`."""
        return self._mean(self.a)

    @property
    def a_std(self) -> np.ndarray:
        """Spread of the :math:`a_i` across neurons (weighted standard deviation)."""
        return np.sqrt(np.maximum(self._mean(self.a**2) - self.a_mean**2, 0.0))

    @property
    def kappa_mean(self) -> np.ndarray:
        """:math:`\\sum_i w_i \\kappa_i` (near 0 for two balanced populations of opposite signs)."""
        return self._mean(self.kappa)

    @property
    def kappa_rms(self) -> np.ndarray:
        """:math:`(\\sum_i w_i \\kappa_i^2)^{1/2}`: the typical size of an alignment."""
        return np.sqrt(self._mean(self.kappa**2))

    @property
    def abs_kappa(self) -> np.ndarray:
        """:math:`\\sum_i w_i |\\kappa_i|`."""
        return self._mean(np.abs(self.kappa))

    @property
    def positive_fraction(self) -> np.ndarray:
        """Weight of the populations with :math:`\\kappa_i > 0`."""
        return self._mean((self.kappa > 0).astype(float))


@dataclass(frozen=True)
class PopulationDynamics:
    """The mean-field equations of populations of neurons (see the module docstring).

    Parameters
    ----------
    teacher, student
        :class:`~lib.hermite.HermiteSeries` (or coefficient sequences).
    eps
        Ratio of the second-layer to the first-layer learning rate, ``> 0``.
    width
        ``None`` (infinitely many neurons) or the width ``N`` of the network, which adds
        the diagonal term :math:`-\\frac{\\varepsilon}{N} a_i[h(1) - h(\\kappa_i^2)]`.
    """

    teacher: HermiteSeries
    student: HermiteSeries
    eps: float = 0.05
    width: int | None = None
    phi: Polynomial = field(init=False, repr=False)
    h: Polynomial = field(init=False, repr=False)

    def __post_init__(self):
        dyn = ReducedDynamics(self.teacher, self.student, eps=self.eps)
        object.__setattr__(self, "teacher", dyn.teacher)
        object.__setattr__(self, "student", dyn.student)
        object.__setattr__(self, "eps", dyn.eps)
        if self.width is not None:
            object.__setattr__(self, "width", positive_int("width", self.width))
        object.__setattr__(self, "phi", dyn.phi)
        object.__setattr__(self, "h", Polynomial(dyn.v))  # h(q) = sum_k v_k q^k

    @classmethod
    def from_reduced(cls, dyn: ReducedDynamics, width: int | None = None) -> "PopulationDynamics":
        """The populations of the pair of a :class:`~lib.reduced.ReducedDynamics`."""
        if not isinstance(dyn, ReducedDynamics):
            raise ValueError(f"dyn must be a ReducedDynamics, got {type(dyn).__name__}")
        return cls(dyn.teacher, dyn.student, eps=dyn.eps, width=width)

    # -- the model ----------------------------------------------------------------------
    @staticmethod
    def _state(kappa, a, weights):
        kappa = np.atleast_1d(alignment("kappa", kappa)).astype(float)
        a = np.atleast_1d(finite_array("a", a)).astype(float)
        w = np.atleast_1d(finite_array("weights", weights)).astype(float)
        if kappa.ndim != 1 or a.shape != kappa.shape or w.shape != kappa.shape:
            raise ValueError(f"kappa, a and weights must be 1-D of one length, got shapes "
                             f"{kappa.shape}, {a.shape}, {w.shape}")
        if np.any(w < 0) or abs(w.sum() - 1) > 1e-9:
            raise ValueError(f"weights must be non-negative and sum to 1, got {weights!r}")
        return kappa, a, w

    def _G(self, k, a, w):
        """:math:`\\phi'(\\kappa_i) - \\sum_l w_l a_l \\kappa_l h'(\\kappa_l\\kappa_i)` and
        :math:`\\phi(\\kappa_i) - \\sum_l w_l a_l h(\\kappa_l\\kappa_i)` (with the diagonal term)."""
        q = np.outer(k, k)
        wa = w * a
        G = self.phi.deriv()(k) - self.h.deriv()(q) @ (wa * k)
        F = self.phi(k) - self.h(q) @ wa
        if self.width is not None:  # a neuron's overlap with itself is 1, not kappa^2
            G = G + a * k * self.h.deriv()(k**2) / self.width
            F = F - a * (self.h(1.0) - self.h(k**2)) / self.width
        return G, F

    def vector_field(self, kappa, a, weights):
        """``(dkappa/dt, da/dt)`` of every population, arrays of shape ``(P,)``."""
        k, a, w = self._state(kappa, a, weights)
        G, F = self._G(k, a, w)
        return (1 - k**2) * a * G, self.eps * F

    def loss(self, kappa, a, weights):
        """The population loss (with the diagonal term when ``width`` is set)."""
        k, a, w = self._state(kappa, a, weights)
        wa = w * a
        L = 0.5 * self.teacher.norm2() - wa @ self.phi(k) + 0.5 * wa @ self.h(np.outer(k, k)) @ wa
        if self.width is not None:
            L = L + 0.5 * np.sum(w * a**2 * (self.h(1.0) - self.h(k**2))) / self.width
        return float(L)

    def output_coefficients(self, kappa, a, weights) -> np.ndarray:
        """Hermite coefficients :math:`s_k\\alpha_k`, :math:`\\alpha_k = \\sum_i w_i a_i\\kappa_i^k`,
        of the network's output :math:`f` (in the limit of incoherent orthogonal parts)."""
        k, a, w = self._state(kappa, a, weights)
        deg = np.arange(self.student.coeffs.size)
        alpha = (w * a) @ (k[:, None] ** deg[None, :])
        return self.student.coeffs * alpha

    def jacobian(self, theta, a, weights):
        """Jacobian of :math:`(\\dot\\vartheta, \\dot a)` with respect to :math:`(\\vartheta, a)`,
        :math:`\\vartheta = \\operatorname{artanh}\\kappa`, shape ``(2P, 2P)``."""
        theta = finite_array("theta", theta)
        k = np.tanh(theta)
        _, a, w = self._state(k, a, weights)
        return self._jac(theta, k, a, w)

    def _jac(self, theta, k, a, w):
        P = k.size
        q = np.outer(k, k)
        wa = w * a
        dphi, d2phi = self.phi.deriv(), self.phi.deriv(2)
        h, dh, d2h = self.h, self.h.deriv(), self.h.deriv(2)
        H1, H2 = dh(q), d2h(q)
        G0 = dphi(k) - H1 @ (wa * k)  # the bracket of dkappa/dt, without the diagonal term
        M = H1 + q * H2  # d/dkappa_m [kappa_m h'(kappa_m kappa_i)]
        dG_dk = -(wa[None, :] * M)
        dG_dk[np.diag_indices(P)] += d2phi(k) - (H2 * k[None, :] ** 2) @ wa
        dG_da = -(w[None, :] * k[None, :] * H1)
        F_k = G0[:, None] * np.eye(P) - wa[None, :] * k[:, None] * H1  # dF_i/dkappa_m
        F_a = -(w[None, :] * h(q))
        G = G0
        if self.width is not None:
            N, k2 = self.width, k**2
            G = G0 + a * k * dh(k2) / N
            dG_dk[np.diag_indices(P)] += a * (dh(k2) + 2 * k2 * d2h(k2)) / N
            dG_da[np.diag_indices(P)] += k * dh(k2) / N
            F_k[np.diag_indices(P)] += a * dh(k2) * 2 * k / N
            F_a[np.diag_indices(P)] -= (h(1.0) - h(k2)) / N
        s = 1.0 / np.cosh(theta) ** 2  # dkappa/dtheta, accurate at large |theta|
        J = np.zeros((2 * P, 2 * P))
        J[:P, :P] = a[:, None] * dG_dk * s[None, :]
        J[:P, P:] = a[:, None] * dG_da + np.diag(G)
        J[P:, :P] = self.eps * F_k * s[None, :]
        J[P:, P:] = self.eps * F_a
        return J

    # -- integration ----------------------------------------------------------------------
    def integrate(self, kappa0, a0, weights, t, *, rtol: float = 1e-9,
                  atol: float = 1e-12) -> PopulationTrajectory:
        """Integrate from alignments ``kappa0`` and weights ``a0`` (a scalar or one per
        population) at time 0, reporting at the times ``t``.

        ``t`` is an increasing array of non-negative times or one final time (then 501
        equally spaced times from 0). Solved in :math:`\\vartheta_i =
        \\operatorname{artanh}\\kappa_i` by LSODA with the exact Jacobian, as
        :meth:`lib.reduced.ReducedDynamics.integrate`; alignments must lie strictly
        inside :math:`(-1, 1)`.
        """
        k0 = np.atleast_1d(alignment("kappa0", kappa0)).astype(float)
        if np.any(np.abs(k0) >= 1):
            raise ValueError(f"kappa0 must lie strictly inside (-1, 1), got {kappa0!r}")
        a0 = np.broadcast_to(np.atleast_1d(finite_array("a0", a0)), k0.shape).astype(float)
        k0, a0, w = self._state(k0, a0, weights)
        t = time_grid("t", t)
        P = k0.size

        def rhs(_, y):
            th, a = y[:P], y[P:]
            k = np.tanh(th)
            G, F = self._G(k, a, w)
            return np.concatenate([a * G, self.eps * F])

        def jac(_, y):
            th, a = y[:P], y[P:]
            return self._jac(th, np.tanh(th), a, w)

        y0 = np.concatenate([np.arctanh(k0), a0])
        t_span = (0.0, float(t[-1]))
        if t_span[1] == 0.0:
            Y = y0[:, None]
        else:
            sol = solve_ivp(rhs, t_span, y0, method="LSODA", t_eval=t, jac=jac,
                            rtol=rtol, atol=atol)
            if not sol.success:
                raise RuntimeError(f"integration failed: {sol.message}")
            Y = sol.y
        if not np.all(np.isfinite(Y)):
            raise RuntimeError("integration produced non-finite values")
        kappa, a = np.tanh(Y[:P]), Y[P:]
        loss = np.array([self.loss(kappa[:, i], a[:, i], w) for i in range(t.size)])
        return PopulationTrajectory(t=t, kappa=kappa, a=a, weights=w, loss=loss)

    def integrate_split(self, kappa0: float, a0: float, p: float, t, **kw) -> PopulationTrajectory:
        """Two populations at :math:`\\pm` ``kappa0`` in proportions ``p`` (positive) and ``1 - p``."""
        kappa0 = positive("kappa0", kappa0)
        return self.integrate([kappa0, -kappa0], a0, split_weights(p), t, **kw)


def split_weights(p: float) -> np.ndarray:
    """``[p, 1 - p]`` for a fraction ``p`` in (0, 1) of neurons with positive alignment."""
    p = float(finite_array("p", p))
    if not 0 < p < 1:
        raise ValueError(f"p must lie in (0, 1), got {p!r}")
    return np.array([p, 1 - p])


# -- networks ----------------------------------------------------------------------------
@dataclass(frozen=True)
class SignSplit:
    """How a network's neurons split by sign, one entry per seed."""

    p: np.ndarray           # fraction of neurons with kappa_j > 0
    abs_kappa: np.ndarray   # mean |kappa_j|
    kappa_plus: np.ndarray  # mean kappa_j over the positive neurons
    kappa_minus: np.ndarray  # mean kappa_j over the negative neurons


def sign_split(kappa) -> SignSplit:
    """The sign split of alignments ``kappa`` of shape ``(S, N)`` (e.g.
    :attr:`lib.simulate.NetworkRun.kappa_final`)."""
    k = np.atleast_2d(finite_array("kappa", kappa))
    pos = k > 0
    with np.errstate(invalid="ignore"):
        kp = np.where(pos, k, 0).sum(1) / pos.sum(1)
        km = np.where(~pos, k, 0).sum(1) / (~pos).sum(1)
    return SignSplit(p=pos.mean(1), abs_kappa=np.abs(k).mean(1), kappa_plus=kp, kappa_minus=km)


def rms_alignment(run) -> np.ndarray:
    """:math:`(\\frac1N\\sum_j \\kappa_j^2)^{1/2}` per seed and record of a
    :class:`~lib.simulate.NetworkRun`, from its mean and standard deviation of the
    :math:`\\kappa_j`: the typical alignment, blind to the signs."""
    return np.sqrt(np.asarray(run.kappa_mean) ** 2 + np.asarray(run.kappa_std) ** 2)


def initial_alignments(width: int, dim: int, rng) -> np.ndarray:
    """First coordinates of ``width`` independent uniform unit vectors in ``dim`` dimensions:
    the initial alignments of a network's neurons (mean 0, variance ``1/dim``)."""
    width, dim = positive_int("width", width), positive_int("dim", dim)
    g = rng.standard_normal((width, dim))
    return g[:, 0] / np.linalg.norm(g, axis=1)

r"""The reduced dynamics of the infinite-width, large-batch limit.

With teacher :math:`\sigma_* = \sum_k c_k \mathrm{He}_k`, student activation
:math:`\sigma = \sum_k s_k \mathrm{He}_k`, alignment :math:`\kappa` and second-layer
weight :math:`a`,

.. math::
    \phi(\kappa) = \sum_k k!\, s_k c_k\, \kappa^k, \qquad
    H(\kappa) = \sum_k k!\, s_k^2\, \kappa^{2k},

    L(\kappa, a) = \tfrac12 \|\sigma_*\|^2 - a\,\phi(\kappa) + \tfrac12 a^2 H(\kappa)
                   + \tfrac12 \text{noise},

    \dot\kappa = a (1-\kappa^2)\,[\phi'(\kappa) - \tfrac12 a H'(\kappa)], \qquad
    \dot a = \varepsilon\,[\phi(\kappa) - a H(\kappa)].

:meth:`ReducedDynamics.integrate` works in :math:`u = \operatorname{artanh}\kappa`, in
which the factor :math:`1-\kappa^2` cancels: the distance :math:`1-\kappa` to the
boundary, which falls to :math:`e^{-O(1/\varepsilon)}`, is carried by :math:`u` without
being rounded away, and the boundary :math:`\kappa=\pm1` can never be crossed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.polynomial import Polynomial
from scipy.integrate import solve_ivp

from lib._checks import alignment, finite_array, non_negative, positive, time_grid
from lib.hermite import HermiteSeries, as_series

__all__ = ["ReducedDynamics", "Trajectory"]


@dataclass(frozen=True)
class Trajectory:
    """A solution of the reduced ODE at the requested times.

    ``gap`` is :math:`1-\\kappa`, computed from :math:`u=\\operatorname{artanh}\\kappa`
    without cancellation (it stays meaningful where ``kappa`` rounds to 1), and
    ``log_gap`` its logarithm, which stays finite even where ``gap`` underflows
    (below :math:`10^{-308}`, reached for ``eps`` below about 0.001).
    """

    t: np.ndarray
    kappa: np.ndarray
    a: np.ndarray
    loss: np.ndarray
    gap: np.ndarray
    log_gap: np.ndarray


@dataclass(frozen=True)
class ReducedDynamics:
    """The two-variable ODE for alignment ``kappa`` and second-layer weight ``a``.

    Parameters
    ----------
    teacher, student
        :class:`~lib.hermite.HermiteSeries` (or coefficient sequences) of the link
        :math:`\\sigma_*` and of the activation :math:`\\sigma`.
    eps
        Ratio of the second-layer to the first-layer learning rate, ``> 0``.
    noise
        Variance of the label noise; it only shifts the loss.
    """

    teacher: HermiteSeries
    student: HermiteSeries
    eps: float = 0.05
    noise: float = 0.0
    phi: Polynomial = field(init=False, repr=False)
    H: Polynomial = field(init=False, repr=False)

    def __post_init__(self):
        teacher = as_series("teacher", self.teacher)
        student = as_series("student", self.student)
        object.__setattr__(self, "teacher", teacher)
        object.__setattr__(self, "student", student)
        object.__setattr__(self, "eps", positive("eps", self.eps))
        object.__setattr__(self, "noise", non_negative("noise", self.noise))
        n = min(teacher.coeffs.size, student.coeffs.size)
        u = student.weighted()[:n] * teacher.coeffs[:n]  # u_k = k! s_k c_k
        v = student.weighted() * student.coeffs  # v_k = k! s_k^2
        h = np.zeros(2 * v.size - 1)
        h[::2] = v
        object.__setattr__(self, "phi", Polynomial(u))
        object.__setattr__(self, "H", Polynomial(h))

    # -- coefficients -----------------------------------------------------------------
    @property
    def u(self) -> np.ndarray:
        """:math:`u_k = k!\\, s_k c_k`, the coefficients of :math:`\\phi`."""
        return self.phi.coef

    @property
    def v(self) -> np.ndarray:
        """:math:`v_k = k!\\, s_k^2`, so that :math:`H(\\kappa)=\\sum_k v_k\\kappa^{2k}`."""
        return self.H.coef[::2]

    def with_eps(self, eps: float) -> "ReducedDynamics":
        """The same teacher and student with another ``eps``."""
        return ReducedDynamics(self.teacher, self.student, eps=eps, noise=self.noise)

    # -- the model ----------------------------------------------------------------------
    def loss(self, kappa, a):
        """Population loss :math:`L(\\kappa, a)`."""
        kappa = alignment("kappa", kappa)
        a = finite_array("a", a)
        return (0.5 * (self.teacher.norm2() + self.noise)
                - a * self.phi(kappa) + 0.5 * a**2 * self.H(kappa))

    def vector_field(self, kappa, a):
        """``(dkappa/dt, da/dt)`` at ``(kappa, a)``; arrays broadcast."""
        kappa = alignment("kappa", kappa)
        a = finite_array("a", a)
        return (1 - kappa**2) * self._fast(kappa, a), self._slow(kappa, a)

    def _fast(self, kappa, a):
        """:math:`a[\\phi' - aH'/2]`: the fast field without the factor :math:`1-\\kappa^2`."""
        return a * (self.phi.deriv()(kappa) - 0.5 * a * self.H.deriv()(kappa))

    def _slow(self, kappa, a):
        return self.eps * (self.phi(kappa) - a * self.H(kappa))

    # -- integration ----------------------------------------------------------------------
    def integrate(self, kappa0: float, a0: float, t, *, rtol: float = 1e-9,
                  atol: float = 1e-12) -> Trajectory:
        """Integrate from ``(kappa0, a0)`` at time 0 and report at the times ``t``.

        ``t`` is a strictly increasing array of non-negative times, or a single
        final time (then 501 equally spaced times from 0 are reported). The system
        is solved in :math:`(u, a)`, :math:`u = \\operatorname{artanh}\\kappa`, by
        scipy's LSODA with the exact Jacobian: stiff-safe for small ``eps`` and
        cheap over long times (``t`` up to :math:`10^8`). ``kappa0 = ±1`` stays there
        (the boundary is invariant) and only ``a`` moves.
        """
        kappa0 = float(alignment("kappa0", kappa0))
        a0 = float(finite_array("a0", a0))
        t = time_grid("t", t)

        phi, dphi, d2phi = self.phi, self.phi.deriv(), self.phi.deriv(2)
        H, dH, d2H = self.H, self.H.deriv(), self.H.deriv(2)
        eps = self.eps
        frozen = abs(kappa0) == 1.0

        def rhs(_, y):
            u, a = y
            k = np.sign(kappa0) if frozen else np.tanh(u)
            du = 0.0 if frozen else a * (dphi(k) - 0.5 * a * dH(k))
            return [du, eps * (phi(k) - a * H(k))]

        def jac(_, y):
            u, a = y
            k = np.sign(kappa0) if frozen else np.tanh(u)
            s = 0.0 if frozen else 1 - k**2  # dkappa/du
            return [[s * a * (d2phi(k) - 0.5 * a * d2H(k)), 0.0 if frozen else dphi(k) - a * dH(k)],
                    [s * eps * (dphi(k) - a * dH(k)), -eps * H(k)]]

        u0 = 0.0 if frozen else np.arctanh(kappa0)
        y0 = [u0, a0]
        if t[0] > 0:  # integrate from 0 but report only the requested times
            t_span, t_eval = (0.0, t[-1]), t
        else:
            t_span, t_eval = (t[0], t[-1]), t
        if t_span[1] == t_span[0]:
            u, a = np.array([u0]), np.array([a0])
        else:
            sol = solve_ivp(rhs, t_span, y0, method="LSODA", t_eval=t_eval, jac=jac,
                            rtol=rtol, atol=atol)
            if not sol.success:
                raise RuntimeError(f"integration failed: {sol.message}")
            u, a = sol.y
        if not np.all(np.isfinite(a)):
            raise RuntimeError("integration produced non-finite a")
        if frozen:
            kappa = np.full_like(a, np.sign(kappa0))
            with np.errstate(divide="ignore"):
                log_gap = np.log(1 - kappa)
        else:
            kappa = np.tanh(u)
            log_gap = np.log(2.0) - np.logaddexp(0.0, 2 * u)  # 1 - tanh u = 2 / (1 + e^{2u})
        return Trajectory(t=t, kappa=kappa, a=a, loss=self.loss(kappa, a),
                          gap=np.exp(log_gap), log_gap=log_gap)

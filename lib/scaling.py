r"""Scaling laws of feature unlearning: the slow flow on the interior branch as kappa -> 0.

On the interior branch of the critical manifold, :math:`a = A(\kappa) = 2\phi'(\kappa)/H'(\kappa)`,
the slow variable moves by :math:`\dot a = \varepsilon F(\kappa)` with

.. math:: F(\kappa) = \phi(\kappa) - A(\kappa) H(\kappa).

Write :math:`H'(\kappa) = \kappa Q(\kappa)` (``H`` is even, so ``Q`` is a polynomial with
:math:`Q(0) = 2v_1`). Then

.. math:: A = \frac{2\phi'}{\kappa Q}, \qquad
          F = \frac{\kappa\phi Q - 2\phi' H}{\kappa Q},

two Laurent series in :math:`\kappa` that start at :math:`\kappa^{-1}`, computed here to any
order by power-series division. With :math:`u_1 = s_1 c_1 > 0`, :math:`A \approx r/\kappa`,
:math:`r = u_1/v_1 = c_1/s_1`, so :math:`\kappa \to 0` is :math:`a \to \infty`.

* Constant mode (:math:`v_0 = s_0^2 > 0`): :math:`F = -v_0 r/\kappa + \dots`, i.e.
  :math:`\dot a \approx -\varepsilon v_0 a`: weight decay on ``a``; ``a`` stays bounded.
* Centred student (:math:`v_0 = 0`): :math:`F = \sum_{m\ge2} b_m \kappa^m` with
  :math:`b_2 = -u_2`, :math:`b_3 = u_1 v_2/v_1 - 2u_3`. If the lowest non-zero coefficient
  :math:`b_m` is positive, ``a`` grows without bound,

  .. math:: a(t) \approx (p\,\varepsilon\, b_m\, r^{m}\, t)^{1/p}, \quad p = m+1, \qquad
            \kappa(t) \approx r / a(t);

  if it is negative the branch pushes ``a`` back and unlearning stops at a positive
  alignment.

:func:`scaling_law` does the classification; :func:`loglog_fit` and :func:`local_exponent`
measure exponents on trajectories.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.polynomial import Polynomial

from lib._checks import finite_array, increasing_times, positive, positive_int
from lib.reduced import ReducedDynamics

__all__ = ["LaurentSeries", "BranchExpansion", "ScalingLaw", "branch_expansion",
           "scaling_law", "loglog_fit", "local_exponent", "finite_width_dynamics"]


def _series_div(num: np.ndarray, den: np.ndarray, n: int) -> np.ndarray:
    """First ``n`` coefficients of the power series ``num / den`` (``den[0] != 0``)."""
    num = np.pad(np.asarray(num, float), (0, max(0, n - len(num))))[:n]
    den = np.pad(np.asarray(den, float), (0, max(0, n - len(den))))[:n]
    out = np.zeros(n)
    for k in range(n):
        out[k] = (num[k] - np.dot(out[:k], den[k:0:-1])) / den[0]
    return out


@dataclass(frozen=True)
class LaurentSeries:
    """:math:`\\sum_j` ``coeffs[j]`` :math:`\\kappa^{j + start}` (a truncated Laurent series)."""

    coeffs: np.ndarray
    start: int = -1

    def coef(self, m: int) -> float:
        """Coefficient of :math:`\\kappa^m` (0 outside the stored range below it)."""
        j = m - self.start
        if j < 0:
            return 0.0
        if j >= self.coeffs.size:
            raise ValueError(f"order {m} is beyond the computed expansion (last {self.last})")
        return float(self.coeffs[j])

    @property
    def last(self) -> int:
        """Highest stored power."""
        return self.start + self.coeffs.size - 1

    def __call__(self, kappa):
        k = finite_array("kappa", kappa)
        powers = np.arange(self.start, self.last + 1)
        return np.sum(self.coeffs * k[..., None] ** powers, axis=-1)


@dataclass(frozen=True)
class BranchExpansion:
    """Laurent expansions at :math:`\\kappa = 0` of the branch ``A`` and of the slow field ``F``."""

    A: LaurentSeries
    F: LaurentSeries
    r: float  # c_1 / s_1 = u_1 / v_1, the residue of A at kappa = 0


def branch_expansion(dyn: ReducedDynamics, order: int = 8) -> BranchExpansion:
    """Expand :math:`A = 2\\phi'/H'` and :math:`F = \\phi - AH` in powers of :math:`\\kappa`.

    Both series run from :math:`\\kappa^{-1}` to :math:`\\kappa^{order}`. Needs
    :math:`u_1 = s_1 c_1 > 0` (the branch then runs to :math:`a = +\\infty` as
    :math:`\\kappa \\to 0`).
    """
    if not isinstance(dyn, ReducedDynamics):
        raise ValueError(f"dyn must be a ReducedDynamics, got {type(dyn).__name__}")
    order = positive_int("order + 2", order + 2) - 2
    u = np.pad(dyn.u, (0, 2))
    v = np.pad(dyn.v, (0, 2))
    if not u[1] > 0:
        raise ValueError(f"needs u_1 = s_1 c_1 > 0 for the branch to reach kappa = 0, got u_1={u[1]!r}")
    phi, H = dyn.phi, dyn.H
    Q = Polynomial(H.deriv().coef[1:])  # H'(kappa) = kappa Q(kappa), Q(0) = 2 v_1
    n = order + 2
    A = _series_div((2 * phi.deriv()).coef, Q.coef, n)
    N = Polynomial([0, 1]) * phi * Q - 2 * phi.deriv() * H
    F = _series_div(N.coef, Q.coef, n)
    return BranchExpansion(A=LaurentSeries(A), F=LaurentSeries(F), r=float(u[1] / v[1]))


@dataclass(frozen=True)
class ScalingLaw:
    """How the slow flow behaves on the branch as :math:`\\kappa \\to 0`.

    ``kind`` is ``"complete"`` (``a`` grows like :math:`t^{1/p}`, :math:`\\kappa \\to 0`),
    ``"bounded"`` (the lowest non-zero coefficient is negative: ``a`` is pushed back),
    ``"arrested"`` (constant mode, :math:`v_0 > 0`: weight decay on ``a``) or
    ``"degenerate"`` (no non-zero coefficient up to the computed order).
    ``order`` is the power ``m`` of the lowest non-zero term :math:`b_m\\kappa^m` of ``F``.
    """

    kind: str
    order: int | None
    coefficient: float
    r: float
    expansion: BranchExpansion
    centred: "ScalingLaw | None" = None  # for "arrested": the same student without s_0

    @property
    def p(self) -> int | None:
        """:math:`p = m + 1`: ``a`` grows like :math:`t^{1/p}` in the complete class."""
        return None if self.order is None else self.order + 1

    @property
    def exponent_a(self) -> float:
        """:math:`1/p` in the complete class, NaN otherwise."""
        return 1.0 / self.p if self.kind == "complete" else float("nan")

    @property
    def exponent_kappa(self) -> float:
        """:math:`-1/p` in the complete class, NaN otherwise."""
        return -self.exponent_a

    def prefactor_a(self, eps: float) -> float:
        """:math:`K = (p\\,\\varepsilon\\, b_m r^m)^{1/p}` with :math:`a \\approx K t^{1/p}`."""
        eps = positive("eps", eps)
        if self.kind != "complete":
            raise ValueError(f"no power law for a scaling class of kind {self.kind!r}")
        return float((self.p * eps * self.coefficient * self.r**self.order) ** (1.0 / self.p))

    def prefactor_kappa(self, eps: float) -> float:
        """:math:`r/K`, with :math:`\\kappa \\approx (r/K)\\, t^{-1/p}`."""
        return self.r / self.prefactor_a(eps)

    def shift_a(self) -> float:
        """Constant next-order correction: :math:`a(t) = K t^{1/p} + \\text{shift} + o(1)`.

        With :math:`A = r/\\kappa + \\alpha_0 + O(\\kappa)` and
        :math:`F = b_m\\kappa^m + b_{m+1}\\kappa^{m+1} + \\dots`, the shift is
        :math:`\\alpha_0 + r\\, b_{m+1}/(m\\, b_m)`.
        """
        if self.kind != "complete":
            raise ValueError(f"no power law for a scaling class of kind {self.kind!r}")
        m = self.order
        return float(self.expansion.A.coef(0)
                     + self.r * self.expansion.F.coef(m + 1) / (m * self.coefficient))

    def a(self, t, eps: float):
        """Leading-order law :math:`a \\approx K t^{1/p}` at times ``t``."""
        t = finite_array("t", t)
        return self.prefactor_a(eps) * t ** self.exponent_a

    def kappa(self, t, eps: float):
        """Leading-order law :math:`\\kappa \\approx r / a`."""
        return self.r / self.a(t, eps)

    def arrest_kappa(self) -> float:
        """Constant mode, small :math:`v_0`: the rest alignment where weight decay balances unlearning.

        Balancing :math:`-v_0 r/\\kappa` against the first growing term :math:`b_m \\kappa^m`
        of the centred field gives :math:`\\kappa^{m+1} = v_0 r / b_m`.
        """
        if self.kind != "arrested":
            raise ValueError(f"arrest_kappa needs the 'arrested' class, got {self.kind!r}")
        v0r = -self.expansion.F.coef(-1)  # = v_0 r
        if self.centred is None or self.centred.kind != "complete":
            raise ValueError("the centred problem does not unlearn: nothing to arrest")
        return float((v0r / self.centred.coefficient) ** (1.0 / (self.centred.order + 1)))


def scaling_law(dyn: ReducedDynamics, order: int = 8, rtol: float = 1e-10) -> ScalingLaw:
    """Classify the slow flow near :math:`\\kappa = 0` by the lowest non-zero term of ``F``.

    Coefficients below ``rtol`` times the largest one computed count as zero.
    For a student with a constant mode (``s_0 != 0``) the result is ``"arrested"`` and
    carries, for :meth:`ScalingLaw.arrest_kappa`, the law of the same student with
    :math:`s_0` removed.
    """
    rtol = positive("rtol", rtol)
    exp = branch_expansion(dyn, order)
    F = exp.F
    tol = rtol * max(np.max(np.abs(F.coeffs)), np.max(np.abs(exp.A.coeffs)))
    if abs(F.coef(-1)) > tol:
        s = dyn.student.coeffs.copy()
        s[0] = 0.0
        centred = scaling_law(ReducedDynamics(dyn.teacher, s, eps=dyn.eps), order, rtol)
        return ScalingLaw("arrested", -1, F.coef(-1), exp.r, exp, centred)
    for m in range(0, F.last + 1):
        b = F.coef(m)
        if abs(b) > tol:
            return ScalingLaw("complete" if b > 0 else "bounded", m, b, exp.r, exp)
    return ScalingLaw("degenerate", None, 0.0, exp.r, exp)


# -- fitting -----------------------------------------------------------------------------
def loglog_fit(t, y, t_min: float | None = None, t_max: float | None = None):
    """Least-squares fit of :math:`\\log y = \\log K + \\gamma \\log t` on ``t_min <= t <= t_max``.

    Returns ``(gamma, K)``. ``y`` must be positive on the window, which needs two points.
    """
    t = increasing_times("t", t)
    y = finite_array("y", y)
    if y.shape != t.shape:
        raise ValueError(f"y must have the shape of t {t.shape}, got {y.shape}")
    lo = t[0] if t_min is None else positive("t_min", t_min)
    hi = t[-1] if t_max is None else positive("t_max", t_max)
    m = (t >= lo) & (t <= hi) & (t > 0)
    if m.sum() < 2:
        raise ValueError(f"the window [{lo!r}, {hi!r}] holds fewer than two positive times")
    if np.any(y[m] <= 0):
        raise ValueError("y must be positive on the fitting window")
    gamma, logk = np.polyfit(np.log(t[m]), np.log(y[m]), 1)
    return float(gamma), float(np.exp(logk))


def local_exponent(t, y):
    """Local slope :math:`d\\log y/d\\log t` (second-order finite differences)."""
    t = increasing_times("t", t)
    y = finite_array("y", y)
    if y.shape != t.shape or t.size < 3:
        raise ValueError(f"y must have the shape of t with at least 3 points, got {y.shape}")
    if t[0] <= 0 or np.any(y <= 0):
        raise ValueError("t and y must be positive for a log-log slope")
    return np.gradient(np.log(y), np.log(t))


# -- finite width ------------------------------------------------------------------------
def finite_width_dynamics(dyn: ReducedDynamics, width: int) -> ReducedDynamics:
    r"""The reduced dynamics of ``width`` neurons that share ``kappa`` and ``a`` (``d`` -> infinity).

    With :math:`N` neurons, :math:`\mathbb{E}[f^2] = a^2[(1-\frac1N)H(\kappa) + \frac1N\|\sigma\|^2]`:
    the diagonal terms :math:`i=j` have overlap 1, the others :math:`\kappa^2`. The extra
    :math:`\frac{a^2}{2N}(\|\sigma\|^2 - H)` changes only the slow equation (it does not depend
    on the direction of :math:`w_j`), exactly like a constant mode. The result is expressed as
    a :class:`ReducedDynamics` of an equivalent pair: student
    :math:`s'_k = \lambda s_k` (:math:`k \ge 1`), :math:`s_0'^2 = \lambda^2 s_0^2 + \|\sigma\|^2/N`,
    teacher :math:`c'_k = c_k/\lambda` (:math:`k \ge 1`), :math:`\lambda = \sqrt{1 - 1/N}`, which
    has the same :math:`\phi` and :math:`H_N = (1-\frac1N)H + \frac1N\|\sigma\|^2`. Needs a centred
    teacher (:math:`c_0 = 0`).
    """
    if not isinstance(dyn, ReducedDynamics):
        raise ValueError(f"dyn must be a ReducedDynamics, got {type(dyn).__name__}")
    n = positive_int("width", width)
    if n < 2:
        raise ValueError(f"width must be at least 2, got {width!r}")
    if dyn.teacher.coeffs[0] != 0:
        raise ValueError(f"needs a centred teacher, got c_0={dyn.teacher.coeffs[0]!r}")
    lam = np.sqrt(1 - 1 / n)
    s = dyn.student.coeffs * lam
    s[0] = np.sqrt(lam**2 * dyn.student.coeffs[0] ** 2 + dyn.student.norm2() / n)
    c = dyn.teacher.coeffs / lam
    return ReducedDynamics(c, s, eps=dyn.eps, noise=dyn.noise)

r"""Scaling laws of feature unlearning: the slow flow on the interior branch as kappa -> 0.

On the interior branch of the critical manifold, :math:`a = A(\kappa) = 2\phi'(\kappa)/H'(\kappa)`,
the slow variable moves by :math:`\dot a = \varepsilon F(\kappa)` with

.. math:: F(\kappa) = \phi(\kappa) - A(\kappa) H(\kappa).

Let :math:`m` be the lowest degree with :math:`u_m \ne 0` (the information exponent of the
teacher as the student sees it) and :math:`j` the lowest degree :math:`k \ge 1` with
:math:`s_k \ne 0` (so :math:`m \ge j`); the book's running example has :math:`m = j = 1`.
Write :math:`\phi'(\kappa) = \kappa^{m-1}\Phi(\kappa)` and
:math:`H'(\kappa) = \kappa^{2j-1} Q(\kappa)`, with polynomials :math:`\Phi(0) = m u_m` and
:math:`Q(0) = 2 j v_j`. Then

.. math:: A = \kappa^{m-2j}\,\frac{2\Phi}{Q}, \qquad
          F = \frac{\phi H' - 2\phi' H}{\kappa^{2j-1} Q},

two Laurent series in :math:`\kappa` that start at :math:`\kappa^{m-2j}`, computed here to
any order by power-series division. With :math:`u_m > 0` the branch is
:math:`A \approx r\kappa^{-n}`, :math:`r = m u_m/(j v_j)`, :math:`n = 2j - m`.

* :math:`m > j`: :math:`F \approx u_m (1 - m/j)\kappa^m < 0` (for a centred student): the
  slow flow pushes ``a`` back, the alignment cannot fall to 0 (class ``"bounded"``).
* :math:`m = j` (so :math:`n = m`), centred student (:math:`v_0 = 0`): the leading terms
  cancel and :math:`F = \sum_{k > m} b_k \kappa^k`, with
  :math:`b_{m+1} = -u_{m+1}/m` and :math:`b_{m+2} = (u_m v_{m+1}/v_m - 2u_{m+2})/m`. Call
  :math:`b_\ell\kappa^\ell` the lowest non-zero term (order :math:`\ell`). If
  :math:`b_\ell > 0`, ``a`` grows without bound,

  .. math:: a(t)^{(n+\ell)/n} \approx \frac{n+\ell}{n}\,\varepsilon\, b_\ell\,
            r^{\ell/n}\, t, \qquad \kappa(t) \approx (r / a(t))^{1/n};

  for :math:`m = j = 1` this is
  :math:`a \approx ((\ell+1)\varepsilon b_\ell r^\ell t)^{1/(\ell+1)}`. If
  :math:`b_\ell < 0` the branch pushes ``a`` back.
* Constant mode (:math:`v_0 = s_0^2 > 0`): :math:`F = -v_0 r\kappa^{-n} + \dots`, a weight
  decay on ``a``; ``a`` stays bounded (class ``"arrested"``).

:func:`scaling_law` does the classification; :func:`loglog_fit` and :func:`local_exponent`
measure exponents on trajectories.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib._checks import finite_array, increasing_times, positive, positive_int
from lib.reduced import ReducedDynamics

__all__ = ["LaurentSeries", "BranchExpansion", "ScalingLaw", "branch_expansion",
           "scaling_law", "loglog_fit", "local_exponent", "finite_width_dynamics",
           "lowest_degrees"]


def _series_div(num: np.ndarray, den: np.ndarray, n: int) -> np.ndarray:
    """First ``n`` coefficients of the power series ``num / den`` (``den[0] != 0``)."""
    num = np.pad(np.asarray(num, float), (0, max(0, n - len(num))))[:n]
    den = np.pad(np.asarray(den, float), (0, max(0, n - len(den))))[:n]
    out = np.zeros(n)
    for k in range(n):
        out[k] = (num[k] - np.dot(out[:k], den[k:0:-1])) / den[0]
    return out


def _lowest(coeffs, start: int, rtol: float) -> int | None:
    """Index ``k >= start`` of the first entry above ``rtol`` times the largest one."""
    c = np.abs(np.asarray(coeffs, float))
    scale = c.max() if c.size else 0.0
    if scale == 0.0:
        return None
    hits = np.nonzero(c[start:] > rtol * scale)[0]
    return int(hits[0] + start) if hits.size else None


def lowest_degrees(dyn: ReducedDynamics, rtol: float = 1e-12) -> tuple[int | None, int | None]:
    """``(m, j)``: the lowest degree with :math:`u_m \\ne 0` and the lowest :math:`k \\ge 1`
    with :math:`s_k \\ne 0`.

    ``m`` is the information exponent of the teacher as the student sees it (``None`` if
    :math:`\\phi \\equiv 0`), ``j`` the lowest non-constant degree of the student (``None``
    for a constant student). Coefficients below ``rtol`` times the largest count as zero.
    """
    if not isinstance(dyn, ReducedDynamics):
        raise ValueError(f"dyn must be a ReducedDynamics, got {type(dyn).__name__}")
    rtol = positive("rtol", rtol)
    return _lowest(dyn.u, 0, rtol), _lowest(dyn.v, 1, rtol)


@dataclass(frozen=True)
class LaurentSeries:
    """:math:`\\sum_i` ``coeffs[i]`` :math:`\\kappa^{i + start}` (a truncated Laurent series)."""

    coeffs: np.ndarray
    start: int = -1

    def coef(self, k: int) -> float:
        """Coefficient of :math:`\\kappa^k` (0 outside the stored range below it)."""
        i = k - self.start
        if i < 0:
            return 0.0
        if i >= self.coeffs.size:
            raise ValueError(f"order {k} is beyond the computed expansion (last {self.last})")
        return float(self.coeffs[i])

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
    """Laurent expansions at :math:`\\kappa = 0` of the branch ``A`` and of the slow field ``F``.

    ``r`` is the coefficient of the leading term :math:`A \\approx r\\kappa^{-n}`,
    :math:`r = m u_m / (j v_j)` (:math:`= c_1/s_1` when :math:`m = j = 1`), and ``m``,
    ``j`` the lowest degrees of :func:`lowest_degrees`.
    """

    A: LaurentSeries
    F: LaurentSeries
    r: float
    m: int = 1
    j: int = 1

    @property
    def n(self) -> int:
        """:math:`n = 2j - m`: the branch behaves like :math:`r\\kappa^{-n}` near 0."""
        return 2 * self.j - self.m


def branch_expansion(dyn: ReducedDynamics, order: int = 8) -> BranchExpansion:
    """Expand :math:`A = 2\\phi'/H'` and :math:`F = \\phi - AH` in powers of :math:`\\kappa`.

    Both series run from :math:`\\kappa^{m-2j}` to :math:`\\kappa^{order}` (from
    :math:`\\kappa^{-1}` when :math:`m = j = 1`). Needs :math:`u_m > 0`, so that the branch
    lies at positive ``a`` near :math:`\\kappa = 0` (:math:`u_1 = s_1 c_1 > 0` in the
    running example).
    """
    m, j = lowest_degrees(dyn)
    if m is None or j is None:
        raise ValueError("phi vanishes identically: the student sees nothing of the teacher")
    start = m - 2 * j
    order = positive_int("order - (m - 2j) + 1", order - start + 1) + start - 1
    u = np.pad(dyn.u, (0, 2))
    v = np.pad(dyn.v, (0, 2))
    if not u[m] > 0:
        raise ValueError(f"needs u_m > 0 at the information exponent m = {m} for the branch "
                         f"to lie at a > 0, got u_{m}={u[m]!r}")
    phi, H = dyn.phi, dyn.H
    Phi = phi.deriv().coef[m - 1:]  # phi' = kappa^(m-1) Phi
    Q = H.deriv().coef[2 * j - 1:]  # H' = kappa^(2j-1) Q, Q(0) = 2 j v_j
    n = order - start + 1
    A = _series_div(2 * Phi, Q, n)
    N = (phi * H.deriv() - 2 * phi.deriv() * H).coef
    N = np.pad(N, (0, max(0, m - 1 - N.size + 1)))[m - 1:]  # N = kappa^(m-1) (...)
    F = _series_div(N, Q, n)
    return BranchExpansion(A=LaurentSeries(A, start), F=LaurentSeries(F, start),
                           r=float(m * u[m] / (j * v[j])), m=m, j=j)


@dataclass(frozen=True)
class ScalingLaw:
    """How the slow flow behaves on the branch as :math:`\\kappa \\to 0`.

    ``kind`` is ``"complete"`` (``a`` grows like :math:`t^{n/(n+\\ell)}`,
    :math:`t^{1/(\\ell+1)}` when :math:`n = 1`, and :math:`\\kappa \\to 0`; needs
    :math:`m = j`), ``"bounded"`` (the lowest non-zero coefficient is negative: ``a`` is
    pushed back; always the case when :math:`m > j`), ``"arrested"`` (constant mode,
    :math:`v_0 > 0`: weight decay on ``a``) or ``"degenerate"`` (no non-zero coefficient
    up to the computed order). ``order`` is the order :math:`\\ell` of the lowest non-zero
    term :math:`b_\\ell\\kappa^\\ell` of ``F`` and ``coefficient`` is :math:`b_\\ell`
    (for ``"arrested"``, the order and coefficient of the weight-decay term
    :math:`-v_0 r\\kappa^{-n}`).
    """

    kind: str
    order: int | None
    coefficient: float
    r: float
    expansion: BranchExpansion
    centred: "ScalingLaw | None" = None  # for "arrested": the same student without s_0

    @property
    def m(self) -> int:
        """The information exponent :math:`m` (lowest degree of :math:`\\phi`)."""
        return self.expansion.m

    @property
    def j(self) -> int:
        """The lowest non-constant degree :math:`j` of the student."""
        return self.expansion.j

    @property
    def n(self) -> int:
        """:math:`n = 2j - m`, the power of the branch :math:`A \\approx r\\kappa^{-n}`."""
        return self.expansion.n

    @property
    def exponent_a(self) -> float:
        """:math:`n/(n+\\ell)` in the complete class (:math:`1/(\\ell+1)` for
        :math:`m = j = 1`), NaN otherwise."""
        return self.n / (self.n + self.order) if self.kind == "complete" else float("nan")

    @property
    def exponent_kappa(self) -> float:
        """:math:`-1/(n+\\ell)` in the complete class, NaN otherwise."""
        return -self.exponent_a / self.n if self.kind == "complete" else float("nan")

    def _complete(self):
        if self.kind != "complete":
            raise ValueError(f"no power law for a scaling class of kind {self.kind!r}")

    def prefactor_a(self, eps: float) -> float:
        """:math:`K = (\\frac{n+\\ell}{n}\\,\\varepsilon\\, b_\\ell r^{\\ell/n})^{n/(n+\\ell)}`
        with :math:`a \\approx K t^{n/(n+\\ell)}`."""
        eps = positive("eps", eps)
        self._complete()
        e = self.exponent_a  # n/(n + ell)
        drive = eps * self.coefficient * self.r ** (self.order / self.n)
        return float((drive / e) ** e)

    def prefactor_kappa(self, eps: float) -> float:
        """:math:`(r/K)^{1/n}`, with :math:`\\kappa \\approx (r/K)^{1/n}\\, t^{-1/(n+\\ell)}`."""
        return (self.r / self.prefactor_a(eps)) ** (1.0 / self.n)

    def shift_a(self) -> float:
        """Constant next-order correction for :math:`n = 1` (:math:`m = j = 1`):
        :math:`a(t) = K t^{1/(\\ell+1)} + \\text{shift} + o(1)`.

        With :math:`A = r/\\kappa + \\alpha_0 + O(\\kappa)` and
        :math:`F = b_\\ell\\kappa^\\ell + b_{\\ell+1}\\kappa^{\\ell+1} + \\dots`, the shift is
        :math:`\\alpha_0 + r\\, b_{\\ell+1}/(\\ell\\, b_\\ell)`. For :math:`n > 1` the correction
        grows with ``t``: see :meth:`a_corrected`.
        """
        self._complete()
        if self.n != 1:
            raise ValueError(f"the correction is a constant shift only for n = 1, got n = {self.n}: "
                             "use a_corrected")
        ell = self.order
        return float(self.expansion.A.coef(0)
                     + self.r * self.expansion.F.coef(ell + 1) / (ell * self.coefficient))

    def correction(self) -> float:
        """The coefficient :math:`e` of the first correction, :math:`a = rX^n(1 + e/X + \\dots)`.

        Here :math:`X = ((n+\\ell)\\,b_\\ell\\,\\varepsilon t/(n r))^{1/(n+\\ell)}
        \\approx 1/\\kappa`. With :math:`A = r\\kappa^{-n}(1 + \\alpha\\kappa + \\dots)` and
        :math:`F = b_\\ell\\kappa^\\ell(1 + \\beta\\kappa + \\dots)`,
        :math:`e = \\alpha - n c/(n+\\ell)`,
        :math:`c = (n+\\ell)(\\alpha(n-1)/n - \\beta)/(n+\\ell-1)`.
        """
        self._complete()
        n, ell, r = self.n, self.order, self.r
        alpha = self.expansion.A.coef(-n + 1) / r
        beta = self.expansion.F.coef(ell + 1) / self.coefficient
        c = (n + ell) * (alpha * (n - 1) / n - beta) / (n + ell - 1)
        return float(alpha - n * c / (n + ell))

    def a(self, t, eps: float):
        """Leading-order law :math:`a \\approx K t^{n/(n+\\ell)}` at times ``t``."""
        t = finite_array("t", t)
        return self.prefactor_a(eps) * t ** self.exponent_a

    def a_corrected(self, t, eps: float):
        """The law with its first correction, :math:`r X^n (1 + e/X)` (see :meth:`correction`).

        The relative error of :meth:`a` is :math:`O(\\kappa)`; that of this one
        :math:`O(\\kappa^2)`. For :math:`n = 1` it equals :math:`K t^{1/(\\ell+1)}` +
        :meth:`shift_a`.
        """
        eps = positive("eps", eps)
        t = finite_array("t", t)
        self._complete()
        n, ell, r = self.n, self.order, self.r
        X = ((n + ell) * self.coefficient * eps * t / (n * r)) ** (1.0 / (n + ell))
        return r * X**n * (1 + self.correction() / X)

    def kappa(self, t, eps: float):
        """Leading-order law :math:`\\kappa \\approx (r / a)^{1/n}`."""
        return (self.r / self.a(t, eps)) ** (1.0 / self.n)

    def arrest_kappa(self) -> float:
        """Constant mode, small :math:`v_0`: the rest alignment where weight decay balances unlearning.

        Balancing :math:`-v_0 r\\kappa^{-n}` against the first growing term
        :math:`b_\\ell \\kappa^\\ell` of the centred field gives
        :math:`\\kappa^{n+\\ell} = v_0 r / b_\\ell`.
        """
        if self.kind != "arrested":
            raise ValueError(f"arrest_kappa needs the 'arrested' class, got {self.kind!r}")
        v0r = -self.expansion.F.coef(self.expansion.F.start)  # = v_0 r
        if self.centred is None or self.centred.kind != "complete":
            raise ValueError("the centred problem does not unlearn: nothing to arrest")
        c = self.centred
        return float((v0r / c.coefficient) ** (1.0 / (c.n + c.order)))


def scaling_law(dyn: ReducedDynamics, order: int = 8, rtol: float = 1e-10) -> ScalingLaw:
    """Classify the slow flow near :math:`\\kappa = 0` by the lowest non-zero term of ``F``.

    Works for every pair with :math:`u_m > 0`: for :math:`m > j` the class is
    ``"bounded"``, for :math:`m = j` it is decided by the sign of the lowest non-zero
    :math:`b_\\ell`.
    Coefficients below ``rtol`` times the largest one computed count as zero. For a
    student with a constant mode (``s_0 != 0``) the result is ``"arrested"`` and carries,
    for :meth:`ScalingLaw.arrest_kappa`, the law of the same student with :math:`s_0`
    removed.
    """
    rtol = positive("rtol", rtol)
    exp = branch_expansion(dyn, order)
    F = exp.F
    tol = rtol * max(np.max(np.abs(F.coeffs)), np.max(np.abs(exp.A.coeffs)))
    if abs(F.coef(F.start)) > tol:
        s = dyn.student.coeffs.copy()
        s[0] = 0.0
        centred = scaling_law(ReducedDynamics(dyn.teacher, s, eps=dyn.eps), order, rtol)
        return ScalingLaw("arrested", F.start, F.coef(F.start), exp.r, exp, centred)
    for ell in range(F.start + 1, F.last + 1):
        b = F.coef(ell)
        if abs(b) > tol:
            kind = "complete" if b > 0 and exp.m == exp.j else "bounded"
            return ScalingLaw(kind, ell, b, exp.r, exp)
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

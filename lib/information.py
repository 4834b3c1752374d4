r"""Teachers without a linear part: the information exponent, the search phase, the classes.

Let :math:`m` be the lowest degree with :math:`u_m = m!\, s_m c_m \ne 0` (the teacher's
*information exponent* as the student sees it) and :math:`j` the lowest degree
:math:`k \ge 1` with :math:`s_k \ne 0`; then :math:`m \ge j`. Near :math:`\kappa = 0`,

.. math::
    \phi(\kappa) = u_m\kappa^m + \dots, \qquad H(\kappa) = v_0 + v_j\kappa^{2j} + \dots,
    \qquad R(\kappa) = \frac{\phi^2}{H} \sim \frac{u_m^2}{v_j}\,\kappa^{2m-2j}
    \quad (v_0 = 0).

* **Search phase.** For :math:`m \ge 2`, :math:`\kappa = 0` is a rest point of the reduced
  ODE. For :math:`m = 2`, :math:`\dot\kappa = \lambda\kappa + O(\kappa^2)` with
  :math:`\lambda = a(2u_2 - a v_1)` (:math:`v_1 = 0` when :math:`j \ge 2`) while ``a``
  barely moves, so leaving :math:`\kappa_0 \approx d^{-1/2}` takes
  :math:`\log(1/\kappa_0)/\lambda + O(1)`. In a network the neurons do not share one
  alignment: linearising the particle equations of :mod:`lib.populations`, only the
  *mean* alignment feels :math:`-a^2 v_1`; every other mode grows at
  :math:`2 a u_2`, whatever ``a``. :func:`search_phase` gives both.
* **Classes.** For :math:`m > j`, :math:`R(0) = 0 < R(\kappa)`: since the loss
  :math:`L \ge \frac12\|\sigma_*\|^2 - \frac12 R(\kappa)` never increases, the alignment
  stays above :func:`alignment_floor` once the loss has dropped; unlearning is at most
  partial. Complete unlearning needs :math:`m = j` (:func:`classify`, and
  :func:`lib.scaling.scaling_law` for its law).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from lib._checks import alignment, finite_array, increasing_times, positive, positive_int
from lib.hermite import HermiteSeries
from lib.manifold import CriticalManifold
from lib.reduced import ReducedDynamics
from lib.scaling import ScalingLaw, lowest_degrees, scaling_law

__all__ = ["InformationClass", "classify", "SearchPhase", "search_phase", "discrete_rate",
           "crossing_up", "growth_rate", "alignment_floor", "profile_slope", "random_pair"]


# -- the classes ---------------------------------------------------------------------------
@dataclass(frozen=True)
class InformationClass:
    """The class :math:`(m, j)` of a teacher-student pair and what it allows.

    ``profile_exponent`` is :math:`2m - 2j` (:math:`R \\sim \\kappa^{2m-2j}` near 0 for a
    centred student); ``complete_possible`` is :math:`m = j`; ``law`` is the
    :class:`~lib.scaling.ScalingLaw` of the slow flow near :math:`\\kappa = 0` (``None``
    when :math:`u_m < 0`: the branch then lies at negative ``a``).
    """

    m: int
    j: int
    u_m: float
    v_j: float
    law: ScalingLaw | None

    @property
    def profile_exponent(self) -> int:
        return 2 * self.m - 2 * self.j

    @property
    def complete_possible(self) -> bool:
        """Only :math:`m = j` leaves :math:`R(0) > 0`, the precondition of complete unlearning."""
        return self.m == self.j

    @property
    def complete(self) -> bool:
        """Whether the slow flow near 0 runs to :math:`\\kappa \\to 0` (``law.kind == "complete"``)."""
        return self.law is not None and self.law.kind == "complete"


def classify(dyn: ReducedDynamics) -> InformationClass:
    """The :class:`InformationClass` of the pair of ``dyn``."""
    m, j = lowest_degrees(dyn)
    if m is None or j is None:
        raise ValueError("phi vanishes identically: the student sees nothing of the teacher")
    u_m, v_j = float(dyn.u[m]), float(dyn.v[j])
    law = scaling_law(dyn) if u_m > 0 else None
    return InformationClass(m=m, j=j, u_m=u_m, v_j=v_j, law=law)


def profile_slope(dyn: ReducedDynamics, kappa: float = 1e-4) -> float:
    """:math:`d\\log R/d\\log\\kappa` at ``kappa`` (tends to :math:`2m - 2j` as
    :math:`\\kappa \\to 0` for a centred student), from the exact polynomials."""
    k = float(alignment("kappa", kappa))
    if not 0 < k < 1:
        raise ValueError(f"kappa must lie in (0, 1), got {kappa!r}")
    phi, H = dyn.phi, dyn.H
    return float(k * (2 * phi.deriv()(k) / phi(k) - H.deriv()(k) / H(k)))


def alignment_floor(dyn: ReducedDynamics, loss: float, n_grid: int = 4001) -> float:
    """The smallest :math:`|\\kappa|` compatible with a loss ``loss`` or lower.

    Along any solution of the reduced ODE the loss never increases and
    :math:`L \\ge \\frac12(\\|\\sigma_*\\|^2 + \\text{noise}) - \\frac12 R(\\kappa)`, so once
    :math:`L(t_0) = ` ``loss``, :math:`R(|\\kappa(t)|) \\ge \\|\\sigma_*\\|^2 + \\text{noise} -
    2\\,` ``loss`` for every later ``t``. Returns the infimum of the :math:`|\\kappa|` that
    satisfy this (0 if :math:`\\kappa = 0` does, which needs :math:`R(0) > 0` or no loss
    decrease; ``nan`` if no alignment does).
    """
    loss = float(finite_array("loss", loss))
    n_grid = positive_int("n_grid", n_grid)
    target = dyn.teacher.norm2() + dyn.noise - 2 * loss

    def R(k):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(dyn.H(k) > 0, dyn.phi(k) ** 2 / dyn.H(k), 0.0)

    def R0():
        m, j = lowest_degrees(dyn)
        if m is None:
            return 0.0
        if dyn.v[0] > 0:
            return float(dyn.u[0] ** 2 / dyn.v[0]) if m == 0 else 0.0
        return float(dyn.u[m] ** 2 / dyn.v[j]) if m == j else 0.0

    if target <= R0():
        return 0.0
    target -= 1e-12 * max(1.0, abs(target))  # at the optimal a, R(kappa) = target
    # a rest point of the slow flow can touch the level only at a local maximum of R,
    # which a grid misses: those points are candidates of their own
    rest = CriticalManifold(dyn).rest_points(n_grid)
    touching = rest[R(rest) >= target] if rest.size else rest
    k = np.linspace(0.0, 1.0, n_grid)[1:]
    ok = R(k) >= target
    if not ok.any():
        return float(touching.min()) if touching.size else float("nan")
    i = int(np.argmax(ok))
    edge = float(k[0]) if i == 0 else float(
        optimize.brentq(lambda x: float(R(x)) - target, k[i - 1], k[i], xtol=1e-14))
    return min([edge, *touching.tolist()])


def random_pair(rng, m: int, j: int, n_terms: int = 3) -> tuple[HermiteSeries, HermiteSeries]:
    """A random (teacher, student) pair of class :math:`(m, j)` with :math:`u_m > 0`.

    The student has Gaussian coefficients on degrees :math:`j, \\dots, j+n-1` and the
    teacher on :math:`m, \\dots, m+n-1` (``n = n_terms``, :math:`m < j + n`); the sign of
    :math:`c_m` is chosen so that :math:`u_m = m!\\, s_m c_m > 0`. Centred (no constant).
    """
    m, j, n = (positive_int(name, x) for name, x in (("m", m), ("j", j), ("n_terms", n_terms)))
    if not j <= m < j + n:
        raise ValueError(f"needs j <= m < j + n_terms, got m={m}, j={j}, n_terms={n}")
    deg = max(m, j) + n
    s, c = np.zeros(deg), np.zeros(deg)
    s[j:j + n] = rng.standard_normal(n)
    c[m:m + n] = rng.standard_normal(n)
    for x, k in ((s, j), (s, m), (c, m)):  # keep the lowest degrees clearly non-zero
        x[k] = np.sign(x[k] or 1.0) * max(abs(x[k]), 0.3)
    c[m] = abs(c[m]) * np.sign(s[m])
    return HermiteSeries(c), HermiteSeries(s)


# -- the search phase ---------------------------------------------------------------------
@dataclass(frozen=True)
class SearchPhase:
    """How the alignment leaves :math:`\\kappa = 0` at a frozen ``a0``.

    ``kind``: ``"none"`` (:math:`m = 1`: :math:`\\dot\\kappa \\approx a u_1`, no search),
    ``"logarithmic"`` (:math:`m = 2`, ``rate`` :math:`> 0`), ``"polynomial"``
    (:math:`m \\ge 3`), ``"trapped"`` (the alignment does not grow from small
    :math:`\\kappa`). ``rate`` is the linear growth rate (``m = 2``); ``mean_rate`` is the
    rate of the mean alignment of many neurons (equal to ``rate`` for one alignment).
    """

    kind: str
    m: int
    j: int
    a0: float
    rate: float
    mean_rate: float
    u_m: float
    populations: bool

    def length(self, kappa0) -> np.ndarray:
        """Leading-order length of the search from ``kappa0`` (``|kappa0|`` for neurons).

        :math:`\\log(1/\\kappa_0)/\\lambda` for :math:`m = 2`;
        :math:`\\kappa_0^{2-m}/(a_0\\, m(m-2)\\,|u_m|)` for :math:`m \\ge 3`; 0 for
        :math:`m = 1`; infinite when trapped. The :math:`O(1)` time of the final climb
        to :math:`\\kappa \\sim 1` is not included.
        """
        k0 = np.abs(finite_array("kappa0", kappa0))
        if np.any((k0 <= 0) | (k0 >= 1)):
            raise ValueError(f"kappa0 must lie in (0, 1) in absolute value, got {kappa0!r}")
        if self.kind == "none":
            return np.zeros_like(k0)
        if self.kind == "trapped":
            return np.full_like(k0, np.inf)
        if self.kind == "logarithmic":
            return np.log(1 / k0) / self.rate
        m = self.m
        return k0 ** (2 - m) / (self.a0 * m * (m - 2) * abs(self.u_m))


def search_phase(dyn: ReducedDynamics, a0: float, *, populations: bool = False) -> SearchPhase:
    """The search phase of the pair of ``dyn`` at the initial weight ``a0 > 0``.

    ``populations=False``: one alignment shared by all neurons (the reduced ODE), for
    which :math:`\\lambda = a_0(2u_2 - a_0 v_1)` when :math:`m = 2` and the student has
    a linear part. ``populations=True``: neurons with their own alignments, spread
    around 0 (a network, or the particle equations of :mod:`lib.populations`); the
    term :math:`-a^2 v_1\\bar\\kappa` acts on the mean :math:`\\bar\\kappa` only, so every
    other mode grows at :math:`\\lambda = 2a_0u_2` (``mean_rate`` keeps
    :math:`a_0(2u_2 - a_0v_1)`). For :math:`m \\ge 3` and a linear part in the student,
    one shared alignment is held at 0 by :math:`-a_0^2 v_1\\kappa` (``"trapped"``: it
    escapes only from above :math:`(a_0 v_1/(m u_m))^{1/(m-2)}`); the neurons of a
    network are not (``"polynomial"``).
    """
    a0 = positive("a0", a0)
    m, j = lowest_degrees(dyn)
    if m is None or j is None:
        raise ValueError("phi vanishes identically: the student sees nothing of the teacher")
    u = np.pad(dyn.u, (0, 3))
    v1 = float(dyn.v[1]) if dyn.v.size > 1 else 0.0
    u_m = float(u[m])
    mean_rate = a0 * (2 * u[2] - a0 * v1) if m == 2 else (-a0**2 * v1 if m > 2 else 0.0)
    if m == 1:
        return SearchPhase("none", m, j, a0, 0.0, 0.0, u_m, populations)
    if m == 2:
        rate = 2 * a0 * u[2] if populations else mean_rate
        kind = "logarithmic" if rate > 0 else "trapped"
        return SearchPhase(kind, m, j, a0, float(rate), float(mean_rate), u_m, populations)
    if v1 > 0 and not populations:
        return SearchPhase("trapped", m, j, a0, 0.0, float(mean_rate), u_m, populations)
    kind = "polynomial" if (u_m > 0 or populations) else "trapped"
    return SearchPhase(kind, m, j, a0, 0.0, float(mean_rate), u_m, populations)


def discrete_rate(rate, lr: float):
    """The growth rate per unit time of :math:`\\kappa_{n+1} = (1 + \\eta\\lambda)\\kappa_n`
    with time :math:`t = \\eta n`: :math:`\\log(1 + \\eta\\lambda)/\\eta` (SGD at learning
    rate ``lr``; tends to ``rate`` as ``lr -> 0``)."""
    lr = positive("lr", lr)
    return np.log1p(lr * finite_array("rate", rate)) / lr


def crossing_up(t, y, level: float) -> float:
    """First time at which ``y`` reaches ``level`` from below (linear interpolation
    between records); ``nan`` if it never does."""
    t = increasing_times("t", t)
    y = finite_array("y", y)
    if y.shape != t.shape:
        raise ValueError(f"y must have the shape of t {t.shape}, got {y.shape}")
    level = float(finite_array("level", level))
    above = np.nonzero(y >= level)[0]
    if above.size == 0:
        return float("nan")
    i = int(above[0])
    if i == 0:
        return float(t[0])
    return float(t[i - 1] + (level - y[i - 1]) * (t[i] - t[i - 1]) / (y[i] - y[i - 1]))


def growth_rate(t, y, hi: float, lo: float | None = None) -> float:
    """Exponential growth rate of ``y``: the slope of :math:`\\log y` against ``t``,
    fitted from the first time ``y >= lo`` (default: the start) until ``y`` first
    exceeds ``hi`` (the linear phase of a search)."""
    t = increasing_times("t", t)
    y = finite_array("y", y)
    if y.shape != t.shape:
        raise ValueError(f"y must have the shape of t {t.shape}, got {y.shape}")
    hi = positive("hi", hi)
    stop = np.nonzero(y > hi)[0]
    end = int(stop[0]) if stop.size else t.size
    begin = 0 if lo is None else int(np.argmax(y >= positive("lo", lo)))
    if end - begin < 3 or np.any(y[begin:end] <= 0):
        raise ValueError("fewer than three positive records in the growth window")
    return float(np.polyfit(t[begin:end], np.log(y[begin:end]), 1)[0])


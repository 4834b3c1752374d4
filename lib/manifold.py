r"""The critical manifold of the reduced dynamics and the dichotomy.

Freezing ``a`` (``eps = 0``), the fast equation
:math:`\dot\kappa = a(1-\kappa^2)[\phi'(\kappa) - \tfrac12 a H'(\kappa)]` has the rest set

.. math:: M_0 = \{\kappa=\pm1\} \cup \{a=0\} \cup \{a = A(\kappa)\}, \qquad
          A(\kappa) = 2\phi'(\kappa)/H'(\kappa).

Where :math:`M_0` is normally hyperbolic (the derivative of the fast field across it
is non-zero) the slow flow :math:`\dot a = \varepsilon[\phi - aH]` restricted to it
describes the motion for small ``eps`` (Tikhonov, Fenichel). On the interior branch its
rest points are the critical points of :math:`R(\kappa) = \phi(\kappa)^2/H(\kappa)`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import integrate, optimize
from scipy.integrate import solve_ivp

from lib._checks import alignment, finite_array, positive, time_grid
from lib.reduced import ReducedDynamics

__all__ = ["CriticalManifold", "Verdict", "SingularLimit", "measure_exit"]


@dataclass(frozen=True)
class Verdict:
    """The small-``a0`` dichotomy: does the network unlearn after aligning?

    The criterion is :math:`R'(1) < 0` (``dR1``), with
    :math:`R(\\kappa) = \\phi(\\kappa)^2/H(\\kappa)`. Since
    :math:`R'(1) = R(1)\\,[2\\phi'(1)/\\phi(1) - H'(1)/H(1)]`, it reads
    ``teacher_degree < student_degree`` whenever :math:`\\phi(1) \\ne 0`, where

    - ``teacher_degree`` is :math:`\\phi'(1)/\\phi(1) = \\sum_k k u_k / \\sum_k u_k`,
      :math:`u_k = k!\\, s_k c_k`;
    - ``student_degree`` is :math:`H'(1)/(2H(1)) = \\sum_k k v_k / \\sum_k v_k`,
      :math:`v_k = k!\\, s_k^2`.

    ``student_degree`` is always a weighted mean of Hermite degrees (``v_k >= 0``).
    ``teacher_degree`` is one only when all ``u_k`` have one sign (``teacher_is_mean``;
    all ``u_k >= 0`` when ``u_1 > 0``): with mixed signs it is just a ratio and may lie
    outside the degrees present (a tanh student against
    :math:`\\mathrm{He}_1 + 0.3\\,\\mathrm{He}_3` gives about 0.56). The criterion
    ``dR1 < 0`` holds either way; only its reading as a comparison of mean degrees needs
    the signs.
    """

    unlearns: bool
    teacher_degree: float
    student_degree: float
    dR1: float
    teacher_is_mean: bool = True


class CriticalManifold:
    """Critical manifold, stability, profile and slow flow of a :class:`ReducedDynamics`."""

    def __init__(self, dyn: ReducedDynamics):
        self.dyn = dyn
        self.phi, self.H = dyn.phi, dyn.H
        self.dphi, self.dH = dyn.phi.deriv(), dyn.H.deriv()

    # -- the branches ---------------------------------------------------------------
    def A(self, kappa):
        """Interior branch :math:`A(\\kappa) = 2\\phi'(\\kappa)/H'(\\kappa)` (inf where H' = 0)."""
        kappa = alignment("kappa", kappa)
        with np.errstate(divide="ignore", invalid="ignore"):
            return 2 * self.dphi(kappa) / self.dH(kappa)

    def dA(self, kappa):
        """Derivative of the interior branch, :math:`A'(\\kappa)`."""
        kappa = alignment("kappa", kappa)
        d2phi, d2H = self.dphi.deriv()(kappa), self.dH.deriv()(kappa)
        with np.errstate(divide="ignore", invalid="ignore"):
            return 2 * (d2phi * self.dH(kappa) - self.dphi(kappa) * d2H) / self.dH(kappa) ** 2

    def eigenvalue(self, kappa, a):
        """:math:`\\partial_\\kappa \\dot\\kappa` at ``(kappa, a)`` with ``a`` frozen.

        On :math:`M_0` its sign decides stability: negative attracts, positive repels,
        zero marks a point where normal hyperbolicity fails.
        """
        kappa = alignment("kappa", kappa)
        a = finite_array("a", a)
        g = self.dphi(kappa) - 0.5 * a * self.dH(kappa)
        dg = self.dphi.deriv()(kappa) - 0.5 * a * self.dH.deriv()(kappa)
        return a * (-2 * kappa * g + (1 - kappa**2) * dg)

    def transcritical_a(self) -> float:
        """:math:`A(1)`: where the branch :math:`\\kappa=1` meets the interior branch."""
        return float(self.A(1.0))

    # -- the profile and the dichotomy ----------------------------------------------
    def R(self, kappa):
        """Explained variance :math:`R(\\kappa) = \\phi^2/H` at the best ``a = phi/H``."""
        kappa = alignment("kappa", kappa)
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.phi(kappa) ** 2 / self.H(kappa)

    def dR(self, kappa):
        """:math:`R'(\\kappa) = \\phi(2\\phi' H - \\phi H')/H^2`."""
        kappa = alignment("kappa", kappa)
        p, H = self.phi(kappa), self.H(kappa)
        with np.errstate(divide="ignore", invalid="ignore"):
            return p * (2 * self.dphi(kappa) * H - p * self.dH(kappa)) / H**2

    def verdict(self) -> Verdict:
        """The unlearning criterion for small ``a0`` (see :class:`Verdict`)."""
        u, v = self.dyn.u, self.dyn.v
        if u.sum() == 0:
            raise ValueError("phi(1) = 0: the student explains nothing of the teacher at kappa = 1")
        td = float(np.sum(np.arange(u.size) * u) / u.sum())
        sd = float(np.sum(np.arange(v.size) * v) / v.sum())
        dR1 = float(self.dR(1.0))
        return Verdict(unlearns=bool(dR1 < 0), teacher_degree=td, student_degree=sd, dR1=dR1,
                       teacher_is_mean=bool(np.all(u >= 0) or np.all(u <= 0)))

    def abar(self) -> float:
        """:math:`\\bar a = \\phi(1)/H(1)`, where ``a`` settles if kappa stays at 1."""
        return float(self.phi(1.0) / self.H(1.0))

    def rest_points(self, n_grid: int = 2001) -> np.ndarray:
        """Alignments in (0, 1) where :math:`R'` changes sign: rest points of the slow flow."""
        k = np.linspace(0, 1, n_grid)[1:-1]
        r = self.dR(k)
        exact = list(k[r == 0])
        idx = np.nonzero(np.sign(r[:-1]) * np.sign(r[1:]) < 0)[0]
        roots = [optimize.brentq(self.dR, k[i], k[i + 1], xtol=1e-14) for i in idx]
        return np.sort(np.array(exact + roots))

    # -- times along kappa = 1 ------------------------------------------------------------
    def _check_entry(self, a0):
        a0 = float(finite_array("a0", a0))
        A1, abar = self.transcritical_a(), self.abar()
        if not (0 < a0 < A1 < abar):
            raise ValueError(
                f"needs 0 < a0 < A(1) < abar for a delayed exit; got a0={a0!r}, "
                f"A(1)={A1:.6g}, abar={abar:.6g}")
        return a0, A1, abar

    def naive_onset_time(self, a0: float, eps: float | None = None) -> float:
        """Time at which ``a`` on :math:`\\kappa=1` crosses :math:`A(1)`, starting from ``a0``.

        On :math:`\\kappa=1`, :math:`\\dot a = \\varepsilon(\\phi(1) - aH(1))`, so
        :math:`t^* = \\log\\frac{\\bar a - a_0}{\\bar a - A(1)} / (\\varepsilon H(1))`.
        """
        a0, A1, abar = self._check_entry(a0)
        eps = self.dyn.eps if eps is None else positive("eps", eps)
        return float(np.log((abar - a0) / (abar - A1)) / (eps * self.H(1.0)))

    def exit_a(self, a_entry: float) -> float:
        """Entry-exit value of ``a`` at which the trajectory leaves :math:`\\kappa=1`.

        With :math:`\\delta = 1-\\kappa`, :math:`\\dot\\delta \\approx -2a g(a)\\delta`,
        :math:`g(a) = \\phi'(1) - aH'(1)/2`, and ``a`` on the slow equation, the
        attraction gathered between ``a_entry`` and :math:`A(1)` is spent again after
        it; the exit solves
        :math:`\\int_{a_{entry}}^{a_{exit}} \\frac{2a g(a)}{\\phi(1) - aH(1)}\\,da = 0`
        (leading order in ``eps``, independent of it). Solved through :meth:`exit_tau`,
        which stays accurate when :math:`a_{exit}` lies exponentially close to
        :math:`\\bar a`.
        """
        a0, _, abar = self._check_entry(a_entry)
        tau = self.exit_tau(a0)
        return float(abar - (abar - a0) * np.exp(-float(self.H(1.0)) * tau))

    def entry_exit(self, a_entry: float, a):
        """The entry-exit integral :math:`\\Psi(a)` along :math:`\\kappa = 1`.

        .. math:: \\Psi(a) = \\int_{a_{entry}}^{a} \\frac{2b\\,g(1, b)}{\\phi(1) - bH(1)}\\,db,
                  \\qquad g(1, b) = \\phi'(1) - \\tfrac12 b H'(1),

        in closed form (the integrand is a polynomial plus a simple pole at
        :math:`\\bar a`). Near :math:`\\kappa = 1`,
        :math:`\\varepsilon\\log(1-\\kappa) \\approx \\varepsilon\\log(1-\\kappa_{entry}) - \\Psi(a)`:
        :math:`\\Psi` grows while ``a`` is below :math:`A(1)` (attraction stored) and falls
        after it; :meth:`exit_a` is its zero above :math:`A(1)`. ``a_entry`` and ``a``
        (an array) must lie below :math:`\\bar a`, where ``a`` increases along
        :math:`\\kappa = 1`.
        """
        a_entry = float(finite_array("a_entry", a_entry))
        a = finite_array("a", a)
        p1, H1, dp1, dH1 = (float(f(1.0)) for f in (self.phi, self.H, self.dphi, self.dH))
        abar = p1 / H1
        if not (H1 > 0 and a_entry < abar and np.all(a < abar)):
            raise ValueError(f"a_entry and a must lie below abar = {abar:.6g}")
        n_abar = 2 * dp1 * abar - dH1 * abar**2  # the numerator 2 b g(1, b) at abar
        poly = -2 * dp1 * (a - a_entry) + dH1 * (0.5 * (a**2 - a_entry**2)
                                                  + abar * (a - a_entry))
        return (poly - n_abar * np.log((abar - a) / (abar - a_entry))) / H1

    def exit_tau(self, a_entry: float) -> float:
        """Slow time :math:`\\tau = \\varepsilon t` of the entry-exit from :math:`\\kappa=1`.

        The same balance as :meth:`exit_a`, solved for the slow time along
        :math:`a(\\tau) = \\bar a - (\\bar a - a_{entry})e^{-H(1)\\tau}` instead of for ``a``.
        The logarithm in the primitive is then linear in ``tau``, so the exit is found
        even when :math:`a_{exit}` lies exponentially close to :math:`\\bar a`: the repulsion keeps acting at the rate
        :math:`2\\bar a|g(1,\\bar a)|` while ``a`` sits at :math:`\\bar a`, so the exit
        always comes, after a long delay.
        """
        a0, A1, abar = self._check_entry(a_entry)
        p1, H1, dp1, dH1 = (float(f(1.0)) for f in (self.phi, self.H, self.dphi, self.dH))
        n_abar = 2 * dp1 * abar - dH1 * abar**2

        def balance(tau):
            a = abar - (abar - a0) * np.exp(-H1 * tau)
            poly = -2 * dp1 * (a - a0) + dH1 * (0.5 * (a**2 - a0**2) + abar * (a - a0))
            return (poly + n_abar * H1 * tau) / H1  # -n_abar [log(abar-a) - log(abar-a0)]

        lo = float(np.log((abar - a0) / (abar - A1)) / H1)
        hi = 2 * lo + 1.0
        while balance(hi) > 0:
            hi *= 2
            if hi > 1e12:
                return float("inf")
        return float(optimize.brentq(balance, lo, hi, xtol=1e-13, rtol=1e-14))

    # -- the initial layer ----------------------------------------------------------------
    def layer_constant(self, kappa0: float, a0: float) -> float:
        """The lag :math:`C_{\\rm L}` that the alignment phase leaves in ``a``, per unit ``eps``.

        During the initial layer ``a`` stays near ``a0`` while ``kappa`` follows the layer
        flow :math:`\\kappa_{\\rm L}(t)` at frozen ``a0``, whereas the singular limit drifts
        on :math:`\\kappa = 1` from the start. With :math:`F = \\phi - a_0 H`, the true ``a``
        then lags behind the limit by :math:`\\varepsilon C_{\\rm L}` (to first order), where

        .. math:: C_{\\rm L} = \\int_0^\\infty [F(1) - F(\\kappa_{\\rm L}(t))]\\,dt
                  = \\int_{\\kappa_0}^{1} \\frac{F(1) - F(\\kappa)}
                    {a_0 (1-\\kappa^2)\\,g(\\kappa, a_0)}\\,d\\kappa ,

        the second form after the change of variable :math:`dt = d\\kappa/\\dot\\kappa`.
        The integrand is finite at both ends when :math:`u_1 \\ne 0`: at
        :math:`\\kappa = 0` because :math:`g(0, a_0) = u_1`, at :math:`\\kappa = 1` because
        :math:`F(1) - F(\\kappa)` vanishes there like :math:`1 - \\kappa`. Needs
        :math:`g(\\kappa, a_0) > 0` on :math:`[\\kappa_0, 1]` (the layer aligns fully).
        """
        k0 = float(alignment("kappa0", kappa0))
        a0 = float(positive("a0", a0))
        grid = np.linspace(k0, 1.0, 2001)
        if not np.all(self.dphi(grid) - 0.5 * a0 * self.dH(grid) > 0):
            raise ValueError(f"the layer flow at a0={a0!r} does not align fully from "
                             f"kappa0={k0!r} (g changes sign on [kappa0, 1])")

        def F(k):
            return self.phi(k) - a0 * self.H(k)

        def integrand(k):
            g = self.dphi(k) - 0.5 * a0 * self.dH(k)
            return (F(1.0) - F(k)) / (a0 * (1 - k * k) * g)

        return float(integrate.quad(integrand, k0, 1.0, limit=200, epsabs=1e-12,
                                    epsrel=1e-10)[0])

    # -- the slow flow on the interior branch ------------------------------------------
    def slow_flow(self, kappa):
        """Slow flow on the branch :math:`a = A(\\kappa)` in slow time :math:`\\tau=\\varepsilon t`.

        Returns ``(dkappa/dtau, da/dtau)`` with :math:`da/d\\tau = \\phi - A H` and
        :math:`d\\kappa/d\\tau = (da/d\\tau)/A'(\\kappa)`.
        """
        kappa = alignment("kappa", kappa)
        da = self.phi(kappa) - self.A(kappa) * self.H(kappa)
        with np.errstate(divide="ignore", invalid="ignore"):
            return da / self.dA(kappa), da

    # -- the singular (eps -> 0) limit -------------------------------------------------
    def fast_landing(self, kappa0: float, a: float, n_grid: int = 4001) -> float:
        """Where the fast flow (``a`` frozen) started at ``kappa0`` comes to rest.

        The layer equation :math:`\\dot\\kappa = (1-\\kappa^2)\\,a\\,g(\\kappa, a)`,
        :math:`g = \\phi' - aH'/2`, moves ``kappa`` monotonically in the direction of
        the sign of :math:`a\\,g(\\kappa_0, a)` until the first zero of ``g`` on the
        way (a point of the interior branch, found on a grid of ``n_grid`` points and
        refined by bisection) or the boundary ``±1``.
        """
        k0 = float(alignment("kappa0", kappa0))
        a = float(finite_array("a", a))
        if abs(k0) == 1.0 or a == 0.0:
            return k0

        def g(k):
            return a * (self.dphi(k) - 0.5 * a * self.dH(k))

        s0 = np.sign(g(k0))
        if s0 == 0:
            return k0
        end = 1.0 if s0 > 0 else -1.0
        grid = np.linspace(k0, end, n_grid)
        vals = g(grid[:-1])  # the boundary itself is a rest point anyway
        bad = np.nonzero(np.sign(vals) != s0)[0]
        if bad.size == 0:
            return end
        i = int(bad[0])
        if vals[i] == 0:
            return float(grid[i])
        return float(optimize.brentq(g, grid[i - 1], grid[i], xtol=1e-14))

    def singular_limit(self, kappa0: float, a0: float, tau) -> "SingularLimit":
        """The ``eps -> 0`` limit of the trajectory from ``(kappa0, a0)``, in slow time.

        Plotted against :math:`\\tau = \\varepsilon t` the solutions of the reduced ODE
        converge (away from thin layers) to a concatenation of fast jumps and slow
        motions on the attracting parts of :math:`M_0`:

        1. at :math:`\\tau = 0` a jump at frozen ``a = a0`` to :meth:`fast_landing`;
        2. on :math:`\\kappa = 1`, :math:`da/d\\tau = \\phi(1) - aH(1)`, until the
           entry-exit time :meth:`exit_tau` (where ``a`` reaches :meth:`exit_a`, not the
           naive :math:`A(1)`); only if the fast jump landed on ``kappa = 1`` and
           :math:`a_0 < A(1) < \\bar a`, otherwise ``a`` tends to :math:`\\bar a` there;
        3. a jump at frozen ``a = a_exit`` down to the interior branch;
        4. the slow flow :meth:`slow_flow` on the interior branch :math:`a = A(\\kappa)`,
           toward a rest point (a maximiser of ``R``); if it climbs the branch up to
           :math:`\\kappa = 1` (the transcritical point), it continues on
           :math:`\\kappa = 1` toward :math:`\\bar a`.

        ``a0`` must be positive. A slow motion that reaches a fold of the branch
        (:math:`A' = 0`, a further jump not modelled here) raises ``RuntimeError``.
        ``tau`` is an increasing array of slow times (or a final time, then 501 points).
        """
        k0 = float(alignment("kappa0", kappa0))
        a0 = float(positive("a0", a0))
        tau = time_grid("tau", tau)
        kappa, a = np.empty_like(tau), np.empty_like(tau)
        tau_exit = a_exit = float("nan")
        k_land = self.fast_landing(k0, a0)
        if abs(k_land) == 1.0:
            p, H = float(self.phi(k_land)), float(self.H(k_land))
            abar = p / H
            A1 = self.transcritical_a()
            if k_land == 1.0 and 0 < a0 < A1 < abar:
                tau_exit = self.exit_tau(a0)
                a_exit = float(abar + (a0 - abar) * np.exp(-H * tau_exit))
            on = tau < tau_exit if np.isfinite(tau_exit) else np.ones(tau.shape, bool)
            kappa[on] = k_land
            a[on] = abar + (a0 - abar) * np.exp(-H * tau[on])
            if not np.isfinite(tau_exit):
                return SingularLimit(tau, kappa, a, tau_exit, a_exit, k_land)
            k_branch = self.fast_landing(1.0 - 1e-12, a_exit)
            start, rest = tau_exit, ~on
        else:
            k_branch, start, rest = k_land, 0.0, np.ones(tau.shape, bool)
            k_land = float("nan")
        if abs(k_branch) == 1.0 or self.eigenvalue(k_branch, self.A(k_branch)) >= 0:
            raise RuntimeError(f"no attracting interior branch below kappa=1 at a={a_exit!r}")
        kappa[rest], a[rest] = self._branch_flow(k_branch, start, tau[rest])
        return SingularLimit(tau, kappa, a, tau_exit, a_exit, k_branch)

    def _branch_flow(self, k_start: float, tau0: float, tau: np.ndarray):
        """Integrate :math:`d\\kappa/d\\tau = (\\phi - AH)/A'` on the interior branch.

        If the slow flow climbs the branch up to :math:`\\kappa = 1` (where the branch
        meets :math:`\\kappa = 1` at the transcritical point, ``a = A(1)``), the motion
        continues on :math:`\\kappa = 1` with :math:`da/d\\tau = \\phi(1) - aH(1)`.
        """
        if tau.size == 0:
            return np.empty(0), np.empty(0)

        def rhs(_, y):
            k = min(max(y[0], -1.0), 1.0)
            return [(self.phi(k) - self.A(k) * self.H(k)) / self.dA(k)]

        def fold(_, y):
            return self.dA(min(max(y[0], -1.0), 1.0))

        def top(_, y):
            return 1.0 - y[0]

        fold.terminal = top.terminal = True
        top.direction = -1
        span = (tau0, max(tau[-1], tau0))
        if span[1] == span[0]:
            k = np.full(tau.shape, k_start)
            return k, self.A(np.clip(k, -1, 1))
        sol = solve_ivp(rhs, span, [k_start], method="LSODA", t_eval=tau, events=[fold, top],
                        rtol=1e-10, atol=1e-12)
        if sol.status == 1 and sol.t_events[0].size:
            raise RuntimeError("the slow flow reaches a fold of the branch at "
                               f"tau={sol.t_events[0][0]:.4g}")
        if sol.status == -1:
            raise RuntimeError(f"slow-flow integration failed: {sol.message}")
        k = np.ones(tau.shape)
        k[:sol.y.shape[1]] = np.clip(sol.y[0], -1, 1)
        a = self.A(k)
        if sol.status == 1:  # reached kappa = 1: continue on it
            t_top = sol.t_events[1][0]
            p, H = float(self.phi(1.0)), float(self.H(1.0))
            after = tau >= t_top
            k[after] = 1.0
            a[after] = p / H + (self.transcritical_a() - p / H) * np.exp(-H * (tau[after] - t_top))
        return k, a


@dataclass(frozen=True)
class SingularLimit:
    """The ``eps -> 0`` trajectory of :meth:`CriticalManifold.singular_limit`.

    ``tau`` slow times; ``kappa``, ``a`` on the branches of :math:`M_0`; ``tau_exit``
    and ``a_exit`` where the trajectory leaves :math:`\\kappa = 1` (NaN if it never
    does); ``kappa_branch`` where it lands on the interior branch (after the exit, or
    at ``tau = 0`` if the first jump lands there; then ``tau_exit`` is NaN).
    """

    tau: np.ndarray
    kappa: np.ndarray
    a: np.ndarray
    tau_exit: float
    a_exit: float
    kappa_branch: float


def measure_exit(traj, level: float = 0.99):
    """Time and ``a`` at which a :class:`~lib.reduced.Trajectory` leaves ``kappa > level``.

    The exit is the first downward crossing of ``level`` after the first upward one,
    located between samples by linear interpolation of :math:`\\log(1-\\kappa)`
    (``traj.log_gap`` where the trajectory has it, else the logarithm of ``traj.gap``):
    near the exit :math:`1-\\kappa` grows exponentially, so its logarithm is nearly
    linear in time and the crossing is located to a small fraction of the sampling
    step. Returns ``(t_exit, a_exit)``, NaN if the trajectory never enters or never
    leaves.
    """
    level = float(alignment("level", level))
    gap, thr = np.asarray(traj.gap), 1.0 - level
    inside = gap < thr
    if not inside.any():
        return float("nan"), float("nan")
    first_in = int(np.argmax(inside))
    out = np.nonzero(~inside[first_in:])[0]
    if out.size == 0:
        return float("nan"), float("nan")
    j = first_in + int(out[0])
    log_gap = getattr(traj, "log_gap", None)
    if log_gap is None:
        with np.errstate(divide="ignore", invalid="ignore"):
            lo, hi = np.log(gap[j - 1]), np.log(gap[j])
    else:
        lo, hi = float(log_gap[j - 1]), float(log_gap[j])
    if np.isfinite(lo) and np.isfinite(hi) and hi > lo:
        w = (np.log(thr) - lo) / (hi - lo)
    else:  # a gap at or below zero (kappa rounded to 1 or beyond): interpolate the gap
        w = (thr - gap[j - 1]) / (gap[j] - gap[j - 1])
    t = traj.t[j - 1] + w * (traj.t[j] - traj.t[j - 1])
    a = traj.a[j - 1] + w * (traj.a[j] - traj.a[j - 1])
    return float(t), float(a)

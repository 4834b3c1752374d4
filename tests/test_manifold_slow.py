"""Tests for the singular-limit additions to :mod:`lib.manifold`:
``fast_landing``, ``singular_limit`` and ``measure_exit``."""
import numpy as np
import pytest

from lib.hermite import polynomial
from lib.manifold import CriticalManifold, SingularLimit, measure_exit
from lib.reduced import ReducedDynamics, Trajectory


def test_fast_landing_goes_to_one_for_small_a(running):
    _, M = running
    assert M.fast_landing(0.01, 0.1) == 1.0
    assert M.fast_landing(1.0, 2.0) == 1.0  # the boundary is invariant


def test_fast_landing_on_interior_branch(running):
    _, M = running
    k = M.fast_landing(0.01, 2.0)
    assert 0 < k < 1 and abs(M.A(k) - 2.0) < 1e-10
    k_down = M.fast_landing(1 - 1e-12, 0.9)  # above A(1): falls from 1 to the branch
    assert abs(M.A(k_down) - 0.9) < 1e-10 and M.eigenvalue(k_down, 0.9) < 0


def test_singular_limit_pieces(running):
    dyn, M = running
    tau = np.linspace(0, 20, 2001)
    lim = M.singular_limit(0.01, 0.1, tau)
    assert isinstance(lim, SingularLimit)
    assert lim.a_exit == pytest.approx(M.exit_a(0.1))
    abar, H1 = M.abar(), float(dyn.H(1.0))
    assert lim.tau_exit == pytest.approx(np.log((abar - 0.1) / (abar - lim.a_exit)) / H1)
    on = tau < lim.tau_exit
    assert np.all(lim.kappa[on] == 1.0)
    assert np.allclose(lim.a[on], abar - (abar - 0.1) * np.exp(-H1 * tau[on]))
    assert np.allclose(M.A(lim.kappa[~on]), lim.a[~on])
    assert np.all(np.diff(lim.kappa[~on]) < 0) and lim.kappa[-1] > 0.4
    # a is continuous across the exit (only kappa jumps)
    j = np.argmax(~on)
    assert abs(lim.a[j] - lim.a_exit) < 0.01


def test_singular_limit_reaches_rest_point(running):
    _, M = running
    lim = M.singular_limit(0.01, 0.1, 3000.0)  # the rest point attracts at rate ~0.01
    assert lim.kappa[-1] == pytest.approx(0.4, abs=1e-6)
    assert lim.a[-1] == pytest.approx(2.5, abs=1e-5)


def test_singular_limit_no_unlearning_stays_at_one():
    dyn = ReducedDynamics(polynomial(0, 1, 0.6), polynomial(0, 1, 0.5))
    lim = CriticalManifold(dyn).singular_limit(0.01, 0.1, 30.0)
    assert np.isnan(lim.tau_exit) and np.all(lim.kappa == 1.0)
    assert lim.a[-1] == pytest.approx(CriticalManifold(dyn).abar(), rel=1e-9)


def test_singular_limit_is_the_limit(running):
    """The ODE approaches the limit, and the error at eps/4 is about a quarter."""
    dyn, M = running
    tau = np.linspace(0, 10, 2001)
    lim = M.singular_limit(0.01, 0.1, tau)
    errs = [np.max(np.abs(dyn.with_eps(e).integrate(0.01, 0.1, tau / e).a - lim.a))
            for e in (0.004, 0.001)]
    assert errs[1] < 0.01 and 0.2 < errs[1] / errs[0] < 0.33


def test_singular_limit_bad_input(running):
    _, M = running
    with pytest.raises(ValueError, match="a0"):
        M.singular_limit(0.01, -0.1, 5.0)
    with pytest.raises(ValueError, match="kappa0"):
        M.singular_limit(1.5, 0.1, 5.0)
    with pytest.raises(ValueError, match="tau"):
        M.singular_limit(0.01, 0.1, [0.0, 2.0, 1.0])
    with pytest.raises(ValueError, match="a"):
        M.fast_landing(0.5, np.nan)


def test_measure_exit(running):
    dyn, M = running
    tr = dyn.with_eps(0.02).integrate(0.01, 0.1, np.linspace(0, 300, 30001))
    t_exit, a_exit = measure_exit(tr, 0.99)
    assert a_exit == pytest.approx(0.792, abs=5e-4)  # regression: running example, eps = 0.02
    assert tr.kappa[tr.t < t_exit].max() > 0.99 and t_exit > M.naive_onset_time(0.1, 0.02)
    # a trajectory that never leaves: NaN
    half = np.full_like(tr.t, 0.5)
    flat = Trajectory(tr.t, half, tr.a, tr.loss, half, np.log(half))
    assert np.isnan(measure_exit(flat)[0])
    with pytest.raises(ValueError, match="level"):
        measure_exit(tr, 1.5)


def test_exit_tau_matches_exit_a(running):
    dyn, M = running
    abar, H1 = M.abar(), float(dyn.H(1.0))
    tau = M.exit_tau(0.1)
    assert abar - (abar - 0.1) * np.exp(-H1 * tau) == pytest.approx(M.exit_a(0.1), abs=1e-9)
    assert tau > M.naive_onset_time(0.1, 1.0)
    with pytest.raises(ValueError, match="a0"):
        M.exit_tau(0.75)  # above A(1): no delayed exit to compute


def test_exit_found_exponentially_close_to_abar():
    """A pair whose a_exit is within 1e-12 of abar: the exit still comes, after a long delay."""
    dyn = ReducedDynamics(polynomial(0, 1, -0.3654, 0.5662, 0.2054),
                          polynomial(0, 1, -0.325, 0.2344, 0.2349), eps=0.01)
    M = CriticalManifold(dyn)
    assert M.verdict().unlearns and 0 <= M.abar() - M.exit_a(0.05) < 1e-12
    tau = M.exit_tau(0.05)
    assert np.isfinite(tau) and tau > M.naive_onset_time(0.05, 1.0)
    lim = M.singular_limit(0.01, 0.05, [0.0, 2 * tau])
    assert lim.tau_exit == pytest.approx(tau) and lim.kappa[-1] < lim.kappa_branch < 1
    # the jump lands very close to 1 here: measure the exit above the landing point
    level = 1 - (1 - lim.kappa_branch) / 2
    tr = dyn.integrate(0.01, 0.05, np.linspace(0, 2 * tau / 0.01, 20001))
    t_exit, _ = measure_exit(tr, level)
    assert 0.01 * t_exit == pytest.approx(tau, rel=0.02)

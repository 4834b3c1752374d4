"""Unit tests of lib.manifold on the running example and random Hermite pairs."""
import numpy as np
import pytest

from lib.hermite import HermiteSeries, polynomial
from lib.manifold import CriticalManifold
from lib.reduced import ReducedDynamics


def example(s=0.5, c=0.2, eps=0.05):
    return CriticalManifold(ReducedDynamics(polynomial(0, 1, c), polynomial(0, 1, s), eps=eps))


def test_running_example_closed_forms():
    s, c = 0.5, 0.2
    m = example(s, c)
    assert m.transcritical_a() == pytest.approx((1 + 4 * s * c) / (1 + 4 * s**2))
    assert m.abar() == pytest.approx((1 + 2 * s * c) / (1 + 2 * s**2))
    t_star = np.log((0.8 - 0.1) / (0.8 - 0.7)) / (0.05 * 1.5)
    assert m.naive_onset_time(0.1) == pytest.approx(t_star)
    assert round(m.naive_onset_time(0.1), 1) == 25.9
    np.testing.assert_allclose(m.rest_points(), [c / s], atol=1e-12)
    assert m.A(c / s) == pytest.approx(s / c)
    k = np.linspace(0.05, 0.95, 18)  # avoids kappa° itself; R' is proportional to c - s kappa
    assert np.all(np.sign(m.dR(k)) == np.sign(c - s * k))


def test_entry_exit_value():
    a_exit = example().exit_a(0.1)
    assert a_exit == pytest.approx(0.794, abs=5e-4)
    assert 0.7 < a_exit < 0.8


@pytest.mark.parametrize("eps", [0.005, 0.001])
def test_exit_of_the_ode_converges_to_entry_exit(eps):
    m = example(eps=eps)
    traj = m.dyn.integrate(0.01, 0.1, np.linspace(0, 12 / eps, 60001))
    arrived = np.argmax(traj.kappa > 0.99)
    left = arrived + np.argmax(traj.kappa[arrived:] < 0.99)
    # the fast phase ends at a slightly above a0, so the exit is slightly earlier than exit_a(a0)
    assert traj.a[left] == pytest.approx(m.exit_a(traj.a[arrived]), abs=3e-3)
    assert traj.a[left] > m.transcritical_a() + 0.08  # delayed far beyond the naive onset


def test_eigenvalue_matches_finite_differences():
    rng = np.random.default_rng(3)
    for _ in range(10):
        t, s = (HermiteSeries(rng.normal(size=4)) for _ in range(2))
        m = CriticalManifold(ReducedDynamics(t, s, eps=0.1))
        kappa, a, h = rng.uniform(-0.9, 0.9), rng.normal(), 1e-6
        fd = (m.dyn.vector_field(kappa + h, a)[0] - m.dyn.vector_field(kappa - h, a)[0]) / (2 * h)
        assert m.eigenvalue(kappa, a) == pytest.approx(fd, rel=1e-5, abs=1e-8)


def test_stability_of_the_boundary_branch_flips_at_A1():
    m = example()
    A1 = m.transcritical_a()
    assert m.eigenvalue(1.0, A1 - 0.05) < 0 < m.eigenvalue(1.0, A1 + 0.05)
    assert m.eigenvalue(1.0, A1) == pytest.approx(0, abs=1e-12)


def test_slow_flow_and_profile_agree():
    m = example()
    k = np.linspace(0.1, 0.95, 12)
    dk, da = m.slow_flow(k)
    # on the branch, da/dtau = phi - A H = -R' H^2 / (phi H')
    np.testing.assert_allclose(da, -m.dR(k) * m.H(k) ** 2 / (m.phi(k) * m.dH(k)), rtol=1e-10)
    assert np.all(np.sign(dk) == np.sign(0.4 - k))  # flows toward the rest point kappa° = c/s
    assert abs(m.slow_flow(0.4)[1]) < 1e-12


@pytest.mark.parametrize("c, unlearns", [(0.2, True), (0.6, False), (-0.3, True)])
def test_verdict(c, unlearns):
    v = example(c=c).verdict()
    assert v.unlearns is unlearns
    assert (v.teacher_degree < v.student_degree) is unlearns
    assert v.teacher_degree == pytest.approx((1 + 4 * 0.5 * c) / (1 + 2 * 0.5 * c))


def test_bad_input_raises():
    m = example()
    with pytest.raises(ValueError, match="a0"):
        m.naive_onset_time(0.75)  # already beyond A(1)
    with pytest.raises(ValueError, match=r"kappa.*1\.5"):
        m.A(1.5)
    with pytest.raises(ValueError, match="eps"):
        m.naive_onset_time(0.1, eps=0)

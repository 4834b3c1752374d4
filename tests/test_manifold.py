"""Unit tests of lib.manifold on the running example and random Hermite pairs."""
import numpy as np
import pytest

from lib.hermite import HermiteSeries, polynomial
from lib.manifold import CriticalManifold, measure_exit
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


def test_verdict_mean_reading_needs_one_sign():
    """tanh against He_1 + 0.3 He_3: u_3 < 0, so the overlap ratio is no mean degree."""
    from lib.hermite import tanh

    m = CriticalManifold(ReducedDynamics(polynomial(0, 1, 0, 0.3), tanh(9), eps=0.01))
    v = m.verdict()
    assert not v.teacher_is_mean and v.teacher_degree < 1  # below every degree present
    assert v.unlearns and v.dR1 < 0
    assert example().verdict().teacher_is_mean


def test_entry_exit_integral():
    from scipy.integrate import quad

    m = example()
    a0, A1 = 0.1, m.transcritical_a()
    p1, H1, dp1, dH1 = (float(f(1.0)) for f in (m.phi, m.H, m.dphi, m.dH))
    for a in (0.3, A1, 0.79):
        ref = quad(lambda b: 2 * b * (dp1 - 0.5 * b * dH1) / (p1 - b * H1), a0, a)[0]
        assert m.entry_exit(a0, a) == pytest.approx(ref, rel=1e-10)
    assert m.entry_exit(a0, m.exit_a(a0)) == pytest.approx(0, abs=1e-10)
    assert m.entry_exit(a0, A1) > 0  # the stored attraction
    with pytest.raises(ValueError, match="abar"):
        m.entry_exit(a0, 0.9)  # beyond abar = 0.8


def test_layer_constant_matches_the_layer_flow():
    m = example()
    t = np.linspace(0, 300, 30001)
    layer = m.dyn.with_eps(1e-12).integrate(0.01, 0.1, t)
    gain = (m.phi(1.0) - 0.1 * m.H(1.0)) - (m.phi(layer.kappa) - 0.1 * m.H(layer.kappa))
    assert m.layer_constant(0.01, 0.1) == pytest.approx(np.trapezoid(gain, t), rel=1e-3)
    # nearly independent of kappa0: the integrand is finite at kappa = 0 (u_1 != 0)
    assert m.layer_constant(1e-8, 0.1) - m.layer_constant(0.01, 0.1) < 0.2
    with pytest.raises(ValueError, match="align"):
        m.layer_constant(0.01, 2.0)  # above A(1): the layer does not reach kappa = 1


def test_singular_limit_climbs_back_to_one():
    """c > s, a0 > A(1): the branch flow climbs to kappa = 1 and continues on it."""
    m = example(c=0.6)
    lim = m.singular_limit(0.01, 2.0, np.linspace(0, 20, 201))
    assert np.isnan(lim.tau_exit) and lim.kappa_branch < 1
    assert np.all(np.diff(lim.kappa) >= 0) and lim.kappa[-1] == 1.0
    assert lim.a[-1] == pytest.approx(m.abar(), abs=1e-6)


def test_measure_exit_is_accurate_on_a_coarse_grid():
    m = example(eps=0.001)
    fine = m.dyn.integrate(0.01, 0.1, np.linspace(0, 5000, 200001))
    coarse = m.dyn.integrate(0.01, 0.1, np.linspace(0, 5000, 5001))
    # log-linear interpolation: within 0.004 (linear interpolation of the gap: 0.007)
    assert measure_exit(coarse)[0] == pytest.approx(measure_exit(fine)[0], abs=0.004)

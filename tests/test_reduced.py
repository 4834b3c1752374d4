"""Unit tests of lib.reduced: the vector field is a projected gradient, integration is accurate."""
import numpy as np
import pytest
from scipy.integrate import solve_ivp

from lib.hermite import HermiteSeries, polynomial
from lib.reduced import ReducedDynamics

RNG = np.random.default_rng(7)


def running_example(eps=0.05, s=0.5, c=0.2):
    return ReducedDynamics(polynomial(0, 1, c), polynomial(0, 1, s), eps=eps)


def random_pair(rng, degree=5):
    return (HermiteSeries(rng.normal(size=degree + 1) / np.arange(1, degree + 2)),
            HermiteSeries(rng.normal(size=degree + 1) / np.arange(1, degree + 2)))


def test_phi_and_H_from_the_mehler_identity():
    teacher, student = random_pair(RNG)
    dyn = ReducedDynamics(teacher, student, eps=0.1)
    for kappa in (-0.9, -0.2, 0.0, 0.4, 1.0):
        smoothed = student.mehler(kappa)
        assert dyn.phi(kappa) == pytest.approx(teacher.inner(smoothed), abs=1e-12)
        assert dyn.H(kappa) == pytest.approx(smoothed.norm2(), abs=1e-12)
        loss = 0.5 * (teacher + smoothed * -1.0).norm2()  # a = 1: E[(f - y)^2]/2
        assert dyn.loss(kappa, 1.0) == pytest.approx(loss, abs=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_vector_field_is_minus_projected_gradient(seed):
    rng = np.random.default_rng(seed)
    dyn = ReducedDynamics(*random_pair(rng), eps=rng.uniform(0.01, 1))
    kappa, a, h = rng.uniform(-0.95, 0.95), rng.normal(), 1e-6
    dL_dk = (dyn.loss(kappa + h, a) - dyn.loss(kappa - h, a)) / (2 * h)
    dL_da = (dyn.loss(kappa, a + h) - dyn.loss(kappa, a - h)) / (2 * h)
    dk, da = dyn.vector_field(kappa, a)
    assert dk == pytest.approx(-(1 - kappa**2) * dL_dk, rel=1e-6, abs=1e-8)
    assert da == pytest.approx(-dyn.eps * dL_da, rel=1e-6, abs=1e-8)


def test_vector_field_broadcasts():
    dyn = running_example()
    k = np.linspace(-1, 1, 5)
    dk, da = dyn.vector_field(k[:, None], np.array([0.1, 1.0]))
    assert dk.shape == da.shape == (5, 2)
    assert np.all(dk[[0, -1]] == 0)  # the boundary kappa = ±1 is invariant


def test_running_example_numbers():
    traj = running_example().integrate(0.01, 0.1, np.linspace(0, 400, 4001))
    peak = np.argmax(traj.kappa)
    assert 28 < traj.t[peak] < 32
    assert traj.kappa[peak] > 0.999
    assert traj.kappa[-1] == pytest.approx(0.582, abs=1e-3)
    assert np.all(np.diff(traj.loss) <= 1e-12)  # a gradient flow: the loss never increases


def test_against_an_independent_integrator():
    dyn = running_example(eps=0.2)
    t = np.linspace(0, 60, 61)
    mine = dyn.integrate(0.05, 0.3, t)
    ref = solve_ivp(lambda _, y: dyn.vector_field(*y), (0, 60), [0.05, 0.3], t_eval=t,
                    method="DOP853", rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(mine.kappa, ref.y[0], atol=1e-6)
    np.testing.assert_allclose(mine.a, ref.y[1], atol=1e-6)


def test_boundary_is_invariant_and_a_relaxes_exactly():
    dyn = running_example()
    t = np.linspace(0, 50, 11)
    traj = dyn.integrate(1.0, 0.1, t)
    abar = dyn.phi(1) / dyn.H(1)
    assert np.all(traj.kappa == 1) and np.all(traj.gap == 0)
    np.testing.assert_allclose(traj.a, abar + (0.1 - abar) * np.exp(-dyn.eps * dyn.H(1) * t), atol=1e-8)


def test_gap_resolves_the_boundary_for_small_eps():
    traj = running_example(eps=0.002).integrate(0.01, 0.1, np.linspace(0, 600, 601))
    assert traj.gap.min() < 1e-40  # far below float64 resolution of kappa near 1
    assert np.all(traj.gap > 0)
    np.testing.assert_allclose(traj.gap[:20], 1 - traj.kappa[:20], rtol=1e-6)
    deep = running_example(eps=0.0005).integrate(0.01, 0.1, np.linspace(0, 2000, 2001))
    assert deep.log_gap.min() < np.log(1e-310)  # beyond float64: only the logarithm survives
    assert np.all(np.isfinite(deep.log_gap))


def test_scalar_time_and_times_not_starting_at_zero():
    dyn = running_example()
    assert dyn.integrate(0.1, 0.1, 10.0).t.size == 501
    late = dyn.integrate(0.1, 0.1, [5.0, 10.0])
    full = dyn.integrate(0.1, 0.1, np.linspace(0, 10, 3))
    np.testing.assert_allclose(late.kappa, full.kappa[1:], atol=1e-8)


@pytest.mark.parametrize("kwargs, match", [
    (dict(eps=0.0), "eps"), (dict(eps=-1.0), "eps"), (dict(eps=np.nan), "eps"),
    (dict(teacher=[0, np.nan]), "teacher"), (dict(noise=-0.1), "noise"),
])
def test_bad_construction_raises(kwargs, match):
    args = dict(teacher=polynomial(0, 1), student=polynomial(0, 1), eps=0.1) | kwargs
    with pytest.raises(ValueError, match=match):
        ReducedDynamics(**args)


def test_bad_integration_arguments_raise():
    dyn = running_example()
    with pytest.raises(ValueError, match=r"kappa0.*1\.2"):
        dyn.integrate(1.2, 0.1, 10.0)
    with pytest.raises(ValueError, match="strictly increasing"):
        dyn.integrate(0.1, 0.1, [0.0, 2.0, 1.0])
    with pytest.raises(ValueError, match="a0"):
        dyn.integrate(0.1, np.nan, 10.0)
    with pytest.raises(ValueError, match="kappa"):
        dyn.vector_field(-1.01, 0.3)

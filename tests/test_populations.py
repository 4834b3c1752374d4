"""Tests for lib.populations: populations of the mean-field equations, the sign split."""
import numpy as np
import pytest

from lib.hermite import polynomial
from lib.populations import (PopulationDynamics, even_part, initial_alignments, is_even,
                             mirror_dynamics, odd_part, rms_alignment, sign_split,
                             split_weights)
from lib.reduced import ReducedDynamics
from lib.scaling import finite_width_dynamics

EPS = 0.05
T = np.linspace(0, 200, 201)


def test_parity():
    s = polynomial(0.1, 1, 0.5, 0.3)
    np.testing.assert_allclose(even_part(s).coeffs, [0.1, 0, 0.5, 0])
    np.testing.assert_allclose(odd_part(s).coeffs, [0, 1, 0, 0.3])
    assert is_even(polynomial(0, 0, 1, 0, 0.2)) and not is_even(s)


@pytest.mark.parametrize("width", [None, 16])
def test_jacobian_matches_finite_differences(width):
    pd = PopulationDynamics(polynomial(0, 0.3, 1, -0.2), polynomial(0, 1, 0.5, 0.3), eps=0.07,
                            width=width)
    rng = np.random.default_rng(1)
    th, a, w = rng.normal(size=3) * 0.8, rng.normal(size=3), np.array([0.2, 0.5, 0.3])

    def field(y):
        k = np.tanh(y[:3])
        dk, da = pd.vector_field(k, y[3:], w)
        return np.r_[dk / (1 - k**2), da]

    y, h = np.r_[th, a], 1e-6
    num = np.array([(field(y + h * e) - field(y - h * e)) / (2 * h) for e in np.eye(6)]).T
    np.testing.assert_allclose(pd.jacobian(th, a, w), num, atol=1e-8)


def test_one_population_is_the_reduced_ode():
    dyn = ReducedDynamics(polynomial(0, 1, 0.2), polynomial(0, 1, 0.5), eps=EPS)
    tr = dyn.integrate(0.01, 0.1, T)
    pt = PopulationDynamics.from_reduced(dyn).integrate([0.01], 0.1, [1.0], T)
    np.testing.assert_allclose(pt.kappa[0], tr.kappa, atol=1e-8)
    np.testing.assert_allclose(pt.a[0], tr.a, atol=1e-8)
    np.testing.assert_allclose(pt.loss, tr.loss, atol=1e-10)
    # with the diagonal term: the one-kappa ODE of finite_width_dynamics
    tw = finite_width_dynamics(dyn, 16).integrate(0.01, 0.1, T)
    pw = PopulationDynamics.from_reduced(dyn, width=16).integrate([0.01], 0.1, [1.0], T)
    np.testing.assert_allclose(pw.kappa[0], tw.kappa, atol=1e-7)
    np.testing.assert_allclose(pw.a[0], tw.a, atol=1e-7)


def test_mirror_populations_follow_the_even_part():
    """Even teacher, p = 1/2: two mirror populations are one alignment of the even part."""
    dyn = ReducedDynamics(polynomial(0, 0, 1, 0, -0.05), polynomial(0, 1, 0.5, 0, 0.25), eps=EPS)
    tm = mirror_dynamics(dyn).integrate(0.05, 0.1, T)
    ps = PopulationDynamics.from_reduced(dyn).integrate_split(0.05, 0.1, 0.5, T)
    np.testing.assert_allclose(ps.kappa[0], tm.kappa, atol=1e-8)
    np.testing.assert_allclose(ps.kappa[1], -tm.kappa, atol=1e-8)
    np.testing.assert_allclose(ps.a_mean, tm.a, atol=1e-8)
    assert np.abs(ps.kappa_mean).max() < 1e-8 and np.all(np.diff(ps.loss) <= 1e-12)
    with pytest.raises(ValueError, match="even teacher"):
        mirror_dynamics(ReducedDynamics(polynomial(0, 1, 1), polynomial(0, 1, 0.5)))


def test_split_cancels_the_odd_part_and_fits_the_teacher():
    """He_2 against He_1 + 0.5 He_2: p a_+ = (1-p) a_-, mean a -> u_2/v_2 = 2, loss -> 0."""
    dyn = ReducedDynamics(polynomial(0, 0, 1), polynomial(0, 1, 0.5), eps=EPS)
    for p in (0.5, 0.6):
        tr = PopulationDynamics.from_reduced(dyn).integrate_split(0.1, 0.1, p, 2000.0)
        k, a = tr.kappa[:, -1], tr.a[:, -1]
        assert k[0] > 1 - 1e-6 and k[1] < -1 + 1e-6
        assert a[0] == pytest.approx(1 / p, rel=1e-3) and a[1] == pytest.approx(1 / (1 - p), rel=1e-3)
        assert tr.a_mean[-1] == pytest.approx(2.0, rel=1e-3) and tr.loss[-1] < 1e-6
        out = PopulationDynamics.from_reduced(dyn).output_coefficients(k, a, split_weights(p))
        np.testing.assert_allclose(out, [0, 0, 1], atol=2e-3)
    one = dyn.integrate(0.1, 0.1, 2000.0)  # one alignment cannot: a -> phi(1)/H(1)
    assert one.a[-1] == pytest.approx(2 / 3, rel=1e-3) and one.loss[-1] > 0.6


def test_network_helpers():
    rng = np.random.default_rng(0)
    k0 = initial_alignments(2000, 50, rng)
    assert k0.shape == (2000,) and abs(np.mean(k0**2) * 50 - 1) < 0.1
    ss = sign_split(np.array([[0.9, -0.8, 0.7, -1.0], [0.5, 0.5, 0.5, -0.5]]))
    np.testing.assert_allclose(ss.p, [0.5, 0.75])
    np.testing.assert_allclose(ss.kappa_plus, [0.8, 0.5])
    np.testing.assert_allclose(ss.kappa_minus, [-0.9, -0.5])

    class Run:
        kappa_mean = np.array([[0.0, 0.3]])
        kappa_std = np.array([[0.4, 0.4]])
    np.testing.assert_allclose(rms_alignment(Run), [[0.4, 0.5]])


def test_bad_input():
    pd = PopulationDynamics(polynomial(0, 0, 1), polynomial(0, 1, 0.5))
    with pytest.raises(ValueError, match="weights"):
        pd.vector_field([0.1, -0.1], [1, 1], [0.5, 0.6])
    with pytest.raises(ValueError, match="one length"):
        pd.vector_field([0.1, -0.1], [1, 1, 1], [0.5, 0.5])
    with pytest.raises(ValueError, match="strictly"):
        pd.integrate([1.0], 0.1, [1.0], 10.0)
    with pytest.raises(ValueError, match="p must"):
        split_weights(1.0)
    with pytest.raises(ValueError, match="width"):
        PopulationDynamics(polynomial(0, 0, 1), polynomial(0, 1, 0.5), width=0)

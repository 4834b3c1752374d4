"""Unit tests of lib.hermite: closed forms, Monte Carlo, and bad input."""
import math

import numpy as np
import pytest
from numpy.polynomial import hermite_e
from scipy import integrate, special

from lib import hermite
from lib.hermite import HermiteSeries

RNG = np.random.default_rng(20260213)
Z = RNG.standard_normal(2_000_000)  # shared Monte Carlo sample


def he(k, z):
    return hermite_e.hermeval(z, np.eye(k + 1)[k])


def test_orthogonality_by_monte_carlo():
    for j in range(4):
        for k in range(4):
            est = np.mean(he(j, Z) * he(k, Z))
            exact = math.factorial(k) * (j == k)
            assert abs(est - exact) < 0.05 * max(1, exact), (j, k, est)


def test_from_function_recovers_a_polynomial():
    coeffs = RNG.normal(size=6)
    series = HermiteSeries.from_function(lambda z: hermite_e.hermeval(z, coeffs), 8)
    np.testing.assert_allclose(series.coeffs[:6], coeffs, atol=1e-12)
    np.testing.assert_allclose(series.coeffs[6:], 0, atol=1e-12)


@pytest.mark.parametrize("preset, fn", [(hermite.tanh, np.tanh), (hermite.erf, special.erf),
                                        (hermite.gelu, lambda z: z * special.ndtr(z))])
def test_presets_against_monte_carlo(preset, fn):
    series = preset(7)
    fz = fn(Z)
    for k in range(8):
        est = np.mean(fz * he(k, Z)) / math.factorial(k)
        stderr = np.std(fz * he(k, Z)) / math.sqrt(Z.size) / math.factorial(k)
        assert abs(est - series.coeffs[k]) < 5 * stderr + 1e-12, (k, est, series.coeffs[k])
    assert abs(np.mean(fz**2) - preset(25).norm2()) < 5e-3


def test_closed_forms():
    # erf: E[erf'(z)] = (2/sqrt(pi)) E[exp(-z^2)] = 2/sqrt(3 pi)
    assert hermite.erf(5).coeffs[1] == pytest.approx(2 / math.sqrt(3 * math.pi), rel=1e-12)
    # GELU z Phi(z): c0 = E[phi(z)] = 1/(2 sqrt(pi)), c1 = E[Phi] + E[z phi(z)] = 1/2
    g = hermite.gelu(4)
    assert g.coeffs[0] == pytest.approx(1 / (2 * math.sqrt(math.pi)), rel=1e-12)
    assert g.coeffs[1] == pytest.approx(0.5, rel=1e-12)
    # odd functions have no even coefficients
    assert np.all(hermite.tanh(10).coeffs[::2] == 0)


def test_relu_closed_form_against_quadrature():
    series = hermite.relu(12)
    density = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    for k in range(13):
        val = integrate.quad(lambda z: z * he(k, z) * density(z), 0, 40, epsabs=1e-10, epsrel=0, limit=200)[0]
        assert series.coeffs[k] == pytest.approx(val / math.factorial(k), abs=1e-11), k


def test_norm_derivative_and_evaluation():
    s = hermite.polynomial(0.3, 1.0, -0.5, 0.25)
    z = np.linspace(-2, 2, 7)
    exact = 0.3 + z - 0.5 * (z**2 - 1) + 0.25 * (z**3 - 3 * z)
    np.testing.assert_allclose(s(z), exact, atol=1e-13)
    np.testing.assert_allclose(s.derivative()(z), 1 - z + 0.25 * (3 * z**2 - 3), atol=1e-13)
    assert s.norm2() == pytest.approx(0.09 + 1 + 2 * 0.25 + 6 * 0.0625)
    assert s.norm() == pytest.approx(math.sqrt(s.norm2()))
    assert (s + s * 2).coeffs.tolist() == pytest.approx((3 * s).coeffs.tolist())


def test_mehler_by_monte_carlo():
    s = hermite.tanh(15)
    xi = Z[:400_000]
    for kappa in (0.0, 0.3, -0.7):  # at |kappa| = 1 only the truncation error would be seen
        for z in (-1.5, 0.2, 1.1):
            mc = np.mean(np.tanh(kappa * z + math.sqrt(1 - kappa**2) * xi))
            stderr = np.std(np.tanh(kappa * z + math.sqrt(1 - kappa**2) * xi)) / math.sqrt(xi.size)
            assert abs(mc - s.mehler(kappa)(z)) < 5 * stderr + 2e-4, (kappa, z)
    p = hermite.polynomial(0.1, 1, 0.5, -0.2)
    assert np.array_equal(p.mehler(1.0).coeffs, p.coeffs) and np.allclose(p.mehler(-1.0).coeffs, [0.1, -1, 0.5, 0.2])


@pytest.mark.parametrize("bad", [[1.0, np.nan], [np.inf], [], [[1.0, 2.0]]])
def test_bad_coefficients_raise(bad):
    with pytest.raises(ValueError, match="coeffs"):
        HermiteSeries(bad)


def test_bad_arguments_raise():
    s = hermite.polynomial(0, 1)
    with pytest.raises(ValueError, match=r"kappa.*1\.5"):
        s.mehler(1.5)
    with pytest.raises(ValueError, match="degree"):
        hermite.relu(0)
    with pytest.raises(ValueError, match="fn"), np.errstate(invalid="ignore"):
        HermiteSeries.from_function(lambda z: np.log(z), 4)

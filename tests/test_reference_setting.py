"""Regression tests of lib at the default parameters of the setting chapter.

The chapter ``book/setting.py`` checks its claims (Parseval, Mehler, the finite-network
loss and its residual, the gradient-flow form of the reduced dynamics) for whatever
parameters a reader sets. The numbers it quotes at its defaults are pinned here,
computed through ``lib`` directly and against independent integrals.
"""
import numpy as np
import pytest
from numpy.polynomial.hermite_e import hermegauss
from scipy import special
from scipy.integrate import quad

from lib import hermite
from lib.hermite import polynomial
from lib.reduced import ReducedDynamics

DEGREE = 31  # the chapter's truncation of ReLU, tanh, erf, GELU


def gauss_mean(fn):
    """E[fn(z)] for z ~ N(0, 1), by adaptive quadrature."""
    return quad(lambda u: fn(u) * np.exp(-u * u / 2) / np.sqrt(2 * np.pi), -40, 40,
                limit=200)[0]


@pytest.mark.parametrize("name, series, fn", [
    ("relu", hermite.relu, lambda u: np.maximum(u, 0)),
    ("tanh", hermite.tanh, np.tanh),
    ("erf", hermite.erf, special.erf),
    ("gelu", hermite.gelu, lambda u: u * special.ndtr(u)),
])
def test_first_coefficients(name, series, fn):
    """s_0..s_3 of the table of activations, against E[sigma He_k] / k!."""
    s = series(DEGREE)
    he = [lambda u: 1.0, lambda u: u, lambda u: u**2 - 1, lambda u: u**3 - 3 * u]
    for k in range(4):
        expected = gauss_mean(lambda u: fn(u) * he[k](u)) / [1, 1, 2, 6][k]
        assert s.coeffs[k] == pytest.approx(expected, abs=1e-8), (name, k)


def test_closed_forms_and_truncation():
    """ReLU: s_0 = 1/sqrt(2 pi), s_1 = 1/2, s_2 = 1/(2 sqrt(2 pi)); its energy beyond
    degree 31 is 2.5e-4 (the largest of the four), tanh's 8.5e-8."""
    relu = hermite.relu(DEGREE)
    assert relu.coeffs[:3] == pytest.approx(
        [1 / np.sqrt(2 * np.pi), 0.5, 0.5 / np.sqrt(2 * np.pi)], abs=1e-14)
    assert 0.5 - relu.norm2() == pytest.approx(2.54e-4, abs=5e-6)
    tanh_tail = gauss_mean(lambda u: np.tanh(u) ** 2) - hermite.tanh(DEGREE).norm2()
    assert tanh_tail == pytest.approx(8.5e-8, rel=0.05)


def test_mehler_truncation_of_tanh():
    """The degree-31 tanh series misses the exact average over xi by 1.9e-4 at
    kappa = 0.95 and by 1e-13 at kappa = 0.3 (z in [-3, 3])."""
    s = hermite.tanh(DEGREE)
    nodes, weights = hermegauss(100)
    weights = weights / weights.sum()
    z = np.linspace(-3, 3, 13)
    err = {}
    for kappa in (0.3, 0.95):
        exact = np.tanh(kappa * z[:, None] + np.sqrt(1 - kappa**2) * nodes) @ weights
        err[kappa] = np.abs(s.mehler(kappa)(z) - exact).max()
    assert err[0.95] == pytest.approx(1.95e-4, rel=0.05)
    assert err[0.3] < 1e-12


def test_running_example_loss_numbers():
    """L(0.6, 1.3) = 0.025356; the diagonal correction at N = 400 is 2.27e-3, the
    predicted residual at d = 4000 has mean 4.33e-5 and standard deviation 4.11e-5."""
    dyn = ReducedDynamics(polynomial(0, 1, 0.2), polynomial(0, 1, 0.5), eps=0.05)
    h = np.polynomial.Polynomial(dyn.v)
    kappa, a, n, d = 0.6, 1.3, 400, 4000
    assert dyn.loss(kappa, a) == pytest.approx(0.025356, abs=1e-6)
    assert 0.5 * a**2 * (h(1.0) - dyn.H(kappa)) / n == pytest.approx(2.271e-3, abs=1e-6)
    mean = 0.25 * a**2 * h.deriv(2)(kappa**2) * (1 - kappa**2) ** 2 / (d - 1)
    sd = (0.5 * a**2 * h.deriv()(kappa**2) * (1 - kappa**2)
          * np.sqrt(2) / (n * np.sqrt(d - 1)))
    assert (mean, sd) == pytest.approx((4.33e-5, 4.11e-5), abs=5e-8)


def test_residual_statistics_by_simulation():
    """The residual L_N - L - diagonal over random networks (N = 60, d = 300) has the
    mean and standard deviation of the chapter's second-order formula (exact for the
    quadratic h of the running example, up to the (N-1)/N of the off-diagonal count)."""
    dyn = ReducedDynamics(polynomial(0, 1, 0.2), polynomial(0, 1, 0.5), eps=0.05)
    h = np.polynomial.Polynomial(dyn.v)
    kappa, a, n, d = 0.6, 1.3, 60, 300
    rng = np.random.default_rng(1)
    res = []
    for _ in range(300):
        o = rng.standard_normal((n, d - 1))
        o /= np.linalg.norm(o, axis=1, keepdims=True)
        g = o @ o.T
        np.fill_diagonal(g, 0.0)
        q = kappa**2 + (1 - kappa**2) * g
        off = h(q) - h(kappa**2)
        np.fill_diagonal(off, 0.0)
        res.append(0.5 * a**2 * off.sum() / n**2)
    mean = (0.25 * a**2 * h.deriv(2)(kappa**2) * (1 - kappa**2) ** 2 / (d - 1)
            * (n - 1) / n)
    sd = (0.5 * a**2 * h.deriv()(kappa**2) * (1 - kappa**2)
          * np.sqrt(2 * n * (n - 1) / (d - 1)) / n**2)
    assert np.mean(res) == pytest.approx(mean, abs=4 * sd / np.sqrt(len(res)))
    assert np.std(res) == pytest.approx(sd, rel=0.15)


def test_running_example_minimum():
    """0 < c < s: the loss vanishes at (c/s, s/c) = (0.4, 2.5), its global minimum."""
    dyn = ReducedDynamics(polynomial(0, 1, 0.2), polynomial(0, 1, 0.5), eps=0.05)
    assert abs(dyn.loss(0.4, 2.5)) < 1e-14
    kk, aa = np.meshgrid(np.linspace(0.02, 1, 200), np.linspace(0, 4, 200))
    assert dyn.loss(kk, aa).min() >= -1e-14

"""Regression tests of lib at the default parameters of book/insights.py.

The chapter asserts its claims in forms that hold for every parameter they cover; the
numbers it quotes at its defaults are pinned here, computed through ``lib`` directly:
running example s = 0.5, c = 0.2, eps = 0.05, kappa0 = 0.01, a0 = 0.1, horizons 400,
1000 and 20000, phase diagrams to T = 3000 (at the chapter's CI grid sizes).
"""
import numpy as np
import pytest
from scipy import optimize

from lib.hermite import erf, polynomial, tanh
from lib.manifold import CriticalManifold
from lib.reduced import ReducedDynamics
from lib.sweep import integrate_batch

S, C, EPS, KAPPA0, A0 = 0.5, 0.2, 0.05, 0.01, 0.1
LONG = 20000.0


def example(c, s=S, eps=EPS):
    return ReducedDynamics(polynomial(0, 1, c), polynomial(0, 1, s), eps)


def he2_rows(c):
    c = np.atleast_1d(np.asarray(c, dtype=float))
    return np.stack([np.zeros_like(c), np.ones_like(c), c], axis=1)


@pytest.fixture(scope="module")
def c_scan():
    cs = np.linspace(-0.5, 1.0, 61)
    ts = np.unique(np.r_[np.linspace(0, 200, 401), np.geomspace(200, LONG, 401)])
    res = integrate_batch(he2_rows(cs), [0, 1, S], EPS, KAPPA0, A0, ts)
    return cs, ts, res


def test_running_example_closed_forms():
    man = CriticalManifold(example(C))
    assert man.rest_points() == pytest.approx([0.4], abs=1e-12)
    assert man.A(0.4) == pytest.approx(2.5, rel=1e-12)
    assert man.transcritical_a() == pytest.approx(0.7, rel=1e-12)


def test_steepest_rate_peaks_at_an_intermediate_negative_c(c_scan):
    """At the defaults the steepest fall is not monotone in c: it peaks near c = -0.1."""
    cs, _, res = c_scan
    rate = np.array([max(0.0, -example(c).vector_field(res.kappa[j], res.a[j])[0].min())
                     for j, c in enumerate(cs)])
    assert cs[0] < cs[np.argmax(rate)] < 0
    assert cs[np.argmax(rate)] == pytest.approx(-0.1, abs=0.03)


def test_partial_slides_have_finished_at_the_long_horizon(c_scan):
    """For 0.15 <= c < s - 0.05 the alignment at t = 20000 is c/s to within 5e-3."""
    cs, _, res = c_scan
    part = (cs >= 0.15 - 1e-9) & (cs < S - 0.05)
    assert np.max(np.abs(res.kappa[part, -1] - cs[part] / S)) < 0.005


def test_cube_law_within_ten_percent(c_scan):
    """kappa(20000) / (6 eps s |c| t)^(-1/3) lies in [0.9, 1.1] for c <= -0.2."""
    cs, ts, res = c_scan
    neg = cs <= -0.2
    ratio = res.kappa[neg, -1] / (6 * EPS * S * np.abs(cs[neg]) * ts[-1]) ** (-1 / 3)
    assert np.all(np.abs(ratio - 1) < 0.1)


@pytest.mark.parametrize("horizon, expected", [
    (1000.0, (0.514, 0.308, 0.045, 0.0)),
    (LONG, (0.600, 0.385, 0.083, 0.0)),
])
def test_unlearned_amounts_with_their_horizons(horizon, expected):
    a0s = np.array([0.1, 1.0, 2.0, 2.5])
    amt = integrate_batch([0, 1, C], [0, 1, S], EPS, KAPPA0, a0s, [0.0, horizon]).unlearned
    np.testing.assert_allclose(amt, expected, atol=2e-3)


def test_amount_against_the_zeroth_order_prediction():
    """At t = 20000: within 0.1 of Delta(a0) everywhere, within 0.03 away from A(1)."""
    man = CriticalManifold(example(C))
    A1 = man.transcritical_a()
    a0s = np.unique(np.r_[np.linspace(0.05, 4.0, 61), 0.1, 1.0, 2.0, 2.5])
    amt = integrate_batch([0, 1, C], [0, 1, S], EPS, KAPPA0, a0s, [0.0, LONG]).unlearned
    land = [1.0 if a <= A1 else optimize.brentq(lambda x: man.A(x) - a, 1e-6, 1.0)
            for a in a0s]
    theory = np.maximum(np.array(land) - 0.4, 0.0)
    err = np.abs(amt - theory)
    assert err.max() < 0.1 and np.max(err[np.abs(a0s - A1) > 0.5]) < 0.03
    assert np.all(np.diff(amt) <= 1e-9)  # decreasing in a0 at the long horizon


def test_phase_diagram_agreement_at_ci_size():
    """(c, a0) grid 30 x 24 to T = 3000: over 90 % agreement overall."""
    cg, ag = np.linspace(-0.5, 1.0, 30), np.linspace(0.05, 4.0, 24)
    Cg, Ag = np.meshgrid(cg, ag, indexing="ij")
    amt = integrate_batch(he2_rows(Cg.ravel()), [0, 1, S], EPS, KAPPA0, Ag.ravel(),
                          [0.0, 3000.0]).unlearned.reshape(Cg.shape)
    with np.errstate(divide="ignore"):
        a_star = np.where(Cg > 0, S / np.where(Cg > 0, Cg, 1), np.inf)
    pred = (Cg < S) & (Ag < a_star)
    assert np.mean(pred == (amt > 1e-3)) > 0.9


def test_tanh_erf_verdict_flip():
    student, base = tanh(15), erf(15)

    def dyn3(c3):
        coeffs = base.coeffs.copy()
        coeffs[3] = c3
        return ReducedDynamics(coeffs, student, EPS)

    c3_star = optimize.brentq(lambda c3: CriticalManifold(dyn3(c3)).verdict().dR1, -0.2, 0.0)
    assert c3_star == pytest.approx(-0.0578, abs=1e-3)
    assert base.coeffs[3] == pytest.approx(-0.0724, abs=1e-3)


def test_threshold_moves_down_with_eps():
    """Smallest a0 with amount <= delta (horizon 1000/eps): 2.50, 2.50, 2.49."""
    fine = np.linspace(2.0, 2.6, 61)
    first = []
    for e in (0.02, 0.05, 0.1):
        amt = integrate_batch([0, 1, C], [0, 1, S], e, KAPPA0, fine, [0.0, 1000 / e]).unlearned
        first.append(fine[np.argmax(amt <= 1e-3)])
    np.testing.assert_allclose(first, [2.50, 2.50, 2.49], atol=1e-9)

"""Tests for lib.finite_batch: the finite-batch model with shared SGD noise."""
import math

import numpy as np
import pytest

from lib.finite_batch import FiniteBatchDynamics
from lib.hermite import polynomial, tanh
from lib.reduced import ReducedDynamics

T, S = polynomial(0, 1, 0.2), polynomial(0, 1, 0.5)


def model(**kw):
    base = dict(eps=0.05, batch_ratio=0.25, lr=0.1)
    base.update(kw)
    return FiniteBatchDynamics(T, S, **base)


def test_noiseless_limit_is_the_reduced_ode():
    t = np.linspace(0, 120, 61)
    ref = ReducedDynamics(T, S, eps=0.05).integrate(0.01, 0.1, t)
    fb = model(batch_ratio=np.inf).integrate(0.01, 0.1, t)
    assert np.max(np.abs(fb.kappa - ref.kappa)) < 1e-5
    assert np.max(np.abs(fb.a - ref.a)) < 1e-5
    assert np.all(fb.r == 0)


def test_field_reduces_to_reduced_field_at_r0():
    red = ReducedDynamics(T, S, eps=0.05)
    fb = model(batch_ratio=np.inf)
    for k, a in [(0.3, 0.4), (0.9, 1.1), (-0.5, 0.7)]:
        dk, da, dr = fb.vector_field(k, a, 0.0)
        rk, ra = red.vector_field(k, a)
        assert dk == pytest.approx(float(rk), rel=1e-12, abs=1e-14)
        assert da == pytest.approx(float(ra), rel=1e-12)
        assert dr == 0.0
    assert fb.loss(0.6, 0.8) == pytest.approx(float(red.loss(0.6, 0.8)))


def test_noise_terms_against_monte_carlo():
    rng = np.random.default_rng(0)
    kappa, a, r = 0.7, 0.9, 0.2
    q = kappa**2 + r
    n = 400_000
    z, zeta, xi1, xi2 = rng.standard_normal((4, n))
    g = kappa * z + math.sqrt(r) * zeta  # common part of every pre-activation
    # N = infinity: f is the student smoothed over the private part, a * sum s_k q^{k/2} He_k(g/sqrt q)
    f = a * np.polynomial.hermite_e.hermeval(g / math.sqrt(q), S.coeffs * math.sqrt(q) ** np.arange(3))
    e2 = (f - T(z)) ** 2 + 0.3**2
    ds = S.derivative()
    s1, s2 = ds(g + math.sqrt(1 - q) * xi1), ds(g + math.sqrt(1 - q) * xi2)
    D_mc, Dx_mc = np.mean(e2 * s1**2), np.mean(e2 * s1 * s2)
    D, Dx = model(label_noise=0.3).noise_terms(kappa, a, r)
    assert D == pytest.approx(D_mc, rel=0.02)
    assert Dx == pytest.approx(Dx_mc, rel=0.02)
    assert Dx < D  # private parts decorrelate the two neurons


def test_noise_terms_for_a_smooth_activation_converge():
    fb = FiniteBatchDynamics(polynomial(0, 1, 0, 0.3), tanh(9), batch_ratio=1.0, lr=0.1)
    fine = FiniteBatchDynamics(polynomial(0, 1, 0, 0.3), tanh(9), batch_ratio=1.0, lr=0.1, quad_points=60)
    assert np.allclose(fb.noise_terms(0.5, 0.7, 0.1), fine.noise_terms(0.5, 0.7, 0.1), rtol=1e-8)


def test_shared_noise_builds_coherence_and_keeps_overlaps_valid():
    t = np.linspace(0, 150, 76)
    small = model(batch_ratio=0.25).integrate(0.01, 0.1, t)
    large = model(batch_ratio=4.0).integrate(0.01, 0.1, t)
    assert small.r.max() > 0.05 > 5 * large.r.max()  # coherence grows as B/d shrinks
    assert np.all(small.r >= 0) and np.all(small.q <= 1 + 1e-12)
    # coherence raises h(q) above H(kappa): a grows more slowly than without it
    assert small.a[-1] < large.a[-1]


def test_per_neuron_term_alone_lowers_kappa_below_the_coherent_model():
    t = np.linspace(0, 150, 76)
    coh = model().integrate(0.01, 0.1, t)
    inc = model(coherent=False).integrate(0.01, 0.1, t)
    ode = model(batch_ratio=np.inf).integrate(0.01, 0.1, t)
    assert np.all(inc.r == 0)
    assert inc.kappa[-1] < ode.kappa[-1] < coh.kappa[-1]


def test_frozen_a_and_width_term():
    t = np.linspace(0, 60, 31)
    fz = model(width=64).integrate(0.01, 1.2, t, r0=1 / 64, freeze_a=True)
    assert np.all(fz.a == 1.2)
    inf = model().integrate(0.01, 1.2, t, r0=1 / 64, freeze_a=True)
    assert fz.r[-1] > inf.r[-1]  # the diagonal share of the noise adds coherence at finite N


def test_same_input_same_numbers():
    a = model().integrate(0.01, 0.1, 50.0)
    b = model().integrate(0.01, 0.1, 50.0)
    assert np.array_equal(a.kappa, b.kappa) and np.array_equal(a.r, b.r)


@pytest.mark.parametrize("kw, name", [
    (dict(batch_ratio=0.0), "batch_ratio"), (dict(batch_ratio=-1), "batch_ratio"),
    (dict(lr=0.0), "lr"), (dict(eps=-0.1), "eps"), (dict(label_noise=-0.1), "label_noise"),
    (dict(width=0), "width"), (dict(quad_points=0), "quad_points"),
    (dict(batch_ratio=float("nan")), "batch_ratio"),
])
def test_bad_parameters(kw, name):
    with pytest.raises(ValueError, match=name):
        model(**kw)


def test_bad_states():
    fb = model()
    with pytest.raises(ValueError, match="kappa0"):
        fb.integrate(1.0, 0.1, 10.0)
    with pytest.raises(ValueError, match="r0"):
        fb.integrate(0.9, 0.1, 10.0, r0=0.5)
    with pytest.raises(ValueError, match="r must"):
        fb.noise_terms(0.9, 0.1, 0.5)
    with pytest.raises(ValueError, match="kappa"):
        fb.vector_field(1.5, 0.1, 0.0)
    with pytest.raises(ValueError, match="t"):
        fb.integrate(0.1, 0.1, [0.0, 2.0, 1.0])


def test_crossing_time_and_tracking_errors():
    from types import SimpleNamespace
    from lib.finite_batch import crossing_time, tracking_errors
    t = np.arange(6.0)
    assert crossing_time(t, [0.5, 0.95, 0.99, 0.92, 0.85, 0.8]) == 4.0
    assert math.isnan(crossing_time(t, [0.5, 0.95, 0.99, 0.98, 0.97, 0.96]))
    assert math.isnan(crossing_time(t, [0.5, 0.85, 0.89, 0.8, 0.7, 0.6]))  # never reached the level
    with pytest.raises(ValueError, match="kappa"):
        crossing_time(t, [0.1, 0.2])
    run = SimpleNamespace(t=t, kappa_mean=np.ones((2, 6)), a_mean=np.zeros((2, 6)), rho=np.zeros((2, 6)))
    traj = SimpleNamespace(t=t, kappa=np.full(6, 0.9), a=np.full(6, 0.1), rho=np.zeros(6))
    err = tracking_errors(run, traj)
    assert err["kappa"] == pytest.approx(0.1) and err["a"] == pytest.approx(0.1) and err["rho"] == 0
    with pytest.raises(ValueError, match="traj.t"):
        tracking_errors(run, SimpleNamespace(t=t[:3], kappa=0, a=0, rho=0))

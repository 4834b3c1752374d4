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
    assert np.all(fb.rho == 0)


def test_field_reduces_to_reduced_field_at_rho0():
    red = ReducedDynamics(T, S, eps=0.05)
    fb = model(batch_ratio=np.inf)
    for k, a in [(0.3, 0.4), (0.9, 1.1), (-0.5, 0.7)]:
        dk, da, drho = fb.vector_field(k, a, 0.0)
        rk, ra = red.vector_field(k, a)
        assert dk == pytest.approx(float(rk), rel=1e-12, abs=1e-14)
        assert da == pytest.approx(float(ra), rel=1e-12)
        assert drho == 0.0
    assert fb.loss(0.6, 0.8) == pytest.approx(float(red.loss(0.6, 0.8)))


def test_noise_terms_against_monte_carlo():
    rng = np.random.default_rng(0)
    kappa, a, rho = 0.7, 0.9, 0.2
    q = kappa**2 + rho
    n = 400_000
    z, zeta, xi1, xi2 = rng.standard_normal((4, n))
    g = kappa * z + math.sqrt(rho) * zeta  # common part of every pre-activation
    # N = infinity: f is the student smoothed over the private part,
    # a * sum s_k q^{k/2} He_k(g/sqrt q)
    f = a * np.polynomial.hermite_e.hermeval(g / math.sqrt(q), S.coeffs * math.sqrt(q) ** np.arange(3))
    e2 = (f - T(z)) ** 2 + 0.3**2
    ds = S.derivative()
    s1, s2 = ds(g + math.sqrt(1 - q) * xi1), ds(g + math.sqrt(1 - q) * xi2)
    D_mc, Dx_mc = np.mean(e2 * s1**2), np.mean(e2 * s1 * s2)
    D, Dx = model(label_noise=0.3).noise_terms(kappa, a, rho)
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
    assert small.rho.max() > 0.05 > 5 * large.rho.max()  # coherence grows as B/d shrinks
    assert np.all(small.rho >= 0) and np.all(small.q <= 1 + 1e-12)
    # coherence raises h(q) above H(kappa): a grows more slowly than without it
    assert small.a[-1] < large.a[-1]


def test_per_neuron_term_alone_lowers_kappa_below_the_coherent_model():
    t = np.linspace(0, 150, 76)
    coh = model().integrate(0.01, 0.1, t)
    inc = model(coherent=False).integrate(0.01, 0.1, t)
    ode = model(batch_ratio=np.inf).integrate(0.01, 0.1, t)
    assert np.all(inc.rho == 0)
    assert inc.kappa[-1] < ode.kappa[-1] < coh.kappa[-1]


def test_frozen_a_and_width_term():
    t = np.linspace(0, 60, 31)
    fz = model(width=64).integrate(0.01, 1.2, t, rho0=1 / 64, freeze_a=True)
    assert np.all(fz.a == 1.2)
    inf = model().integrate(0.01, 1.2, t, rho0=1 / 64, freeze_a=True)
    assert fz.rho[-1] > inf.rho[-1]  # the diagonal share of the noise adds coherence at finite N


def test_same_input_same_numbers():
    a = model().integrate(0.01, 0.1, 50.0)
    b = model().integrate(0.01, 0.1, 50.0)
    assert np.array_equal(a.kappa, b.kappa) and np.array_equal(a.rho, b.rho)


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
    with pytest.raises(ValueError, match="rho0"):
        fb.integrate(0.9, 0.1, 10.0, rho0=0.5)
    with pytest.raises(ValueError, match="rho must"):
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


def test_beta_and_chi():
    fb = model(batch_ratio=0.25, lr=0.1)
    assert fb.beta == pytest.approx(0.4)
    assert model(batch_ratio=np.inf).beta == 0.0
    tr = fb.integrate(0.01, 0.1, np.linspace(0, 40, 21), rho0=1 / 128)
    assert np.allclose(tr.chi[1:], tr.rho[1:] / (1 - tr.kappa[1:] ** 2))
    assert np.all((tr.chi >= 0) & (tr.chi <= 1 + 1e-12))


def test_private_deficit_from_records():
    from types import SimpleNamespace
    from lib.finite_batch import private_deficit
    rng = np.random.default_rng(3)
    W = rng.standard_normal((50, 8)) * 0.1
    W[:, 0] += 1.0
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    v = W.copy()
    v[:, 0] = 0.0  # orthogonal parts
    kap = W[:, 0]
    run = SimpleNamespace(kappa_mean=np.array([[kap.mean()]]), kappa_std=np.array([[kap.std()]]),
                          rho=np.array([[np.sum(v.mean(0) ** 2)]]))
    expected = np.mean(np.sum((v - v.mean(0)) ** 2, axis=1))
    assert private_deficit(run)[0, 0] == pytest.approx(expected, rel=1e-10)


def test_exit_time():
    from lib.finite_batch import exit_time
    t = np.arange(10.0)
    delta = np.array([1.0, 0.1, 1e-3, 1e-4, 1e-3, 1e-2, 1e-1, 0.3, 0.3, 0.3])
    thr = 1 - 0.99**2  # 1 - kappa_e^2 at the exit level kappa_e = 0.99
    te = exit_time(t, delta, 0.99)
    assert 5.0 < te < 6.0
    assert math.log(thr) == pytest.approx(math.log(1e-2) + (te - 5) * math.log(10))
    assert math.isnan(exit_time(t, np.r_[1.0, np.full(9, 1e-4)]))
    with pytest.raises(ValueError, match="level"):
        exit_time(t, delta, 1.0)


def test_floor_exit_without_noise_is_the_reduced_ode():
    from lib.finite_batch import exit_time, floor_exit
    from lib.manifold import CriticalManifold
    t = np.linspace(0, 200, 801)
    fb = FiniteBatchDynamics(T, S, eps=0.02, batch_ratio=np.inf, lr=0.1)
    pred = floor_exit(fb, 0.01, 0.1, 0.0, t)
    assert np.all(pred.floor == 0) and np.all(pred.common == 0)
    # no noise and no spread: the predicted deficit is the ODE's, up to the linearisation
    i, j = np.searchsorted(t, 60.0), np.searchsorted(t, pred.t_ode)
    assert np.allclose(np.log(pred.private[i:j]), np.log(pred.noiseless[i:j]), atol=0.5)
    assert pred.t_exit == pytest.approx(pred.t_ode, abs=2.0)
    ode = ReducedDynamics(T, S, eps=0.02).integrate(0.01, 0.1, t)
    assert pred.t_ode == pytest.approx(exit_time(t, 1 - ode.kappa**2), abs=1e-9)
    # the ODE's exit lies between the naive onset and the entry-exit limit
    M = CriticalManifold(ReducedDynamics(T, S, eps=0.02))
    assert M.transcritical_a() < pred.a_ode < M.exit_a(0.1) + 0.005


def test_floor_exit_noise_floor_and_earlier_exit():
    from lib.finite_batch import floor_exit
    t = np.linspace(0, 200, 801)
    fb = FiniteBatchDynamics(T, S, eps=0.02, batch_ratio=4.0, lr=0.1)
    lo, hi = (floor_exit(fb, 0.01, 0.1, sa, t) for sa in (0.02, 0.04))
    # the floor is (sigma_a / a)^2 Y: four times higher for twice the spread
    i = np.argmin(lo.private)
    assert hi.floor[i] == pytest.approx(4 * lo.floor[i], rel=1e-6)
    assert lo.floor[i] > 10 * lo.noiseless[i]  # at eps = 0.02 the floor dominates the dip
    assert hi.t_exit < lo.t_exit < lo.t_ode  # a higher floor: an earlier exit
    # the common part rests near a beta D / (2 phi'(1)), whatever the spread
    a = lo.a[i]
    D = fb.noise_terms(1.0, a, 0.0)[0]
    assert lo.common[i] == pytest.approx(a * fb.beta * D / (2 * 1.4), rel=0.1)
    noisier = floor_exit(FiniteBatchDynamics(T, S, eps=0.02, batch_ratio=0.25, lr=0.1),
                         0.01, 0.1, 0.02, t)
    assert noisier.floor[i] > 10 * lo.floor[i]  # the floor grows with beta = eta d / B
    with pytest.raises(ValueError, match="a_spread"):
        floor_exit(fb, 0.01, 0.1, -0.1, t)
    with pytest.raises(ValueError, match="never reaches"):
        floor_exit(fb, 0.01, 0.1, 0.02, np.linspace(0, 1, 5))

"""Tests for lib.simulate (JAX spherical SGD) against the numpy reference step."""
import jax
import numpy as np
import pytest
from numpy.polynomial import hermite_e as he

from lib.hermite import polynomial, tanh
from lib.reduced import ReducedDynamics
from lib.sgd_reference import reference_batch, reference_step
from lib.simulate import hermite_eval, population_loss, sgd_step, simulate_network

T, S = polynomial(0, 1, 0.2), polynomial(0, 1, 0.5)
SMALL = dict(width=32, dim=16, batch=64, lr=0.1, eps=0.05, a0=0.1, time=2.0, record_every=0.5)


def _state(rng, n, d, dtype):
    W = rng.standard_normal((n, d))
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    return W.astype(dtype), rng.uniform(0.1, 1.0, n).astype(dtype)


@pytest.mark.parametrize("series", [S, tanh(15), polynomial(0.3, -1, 0.5, 0.2)])
def test_hermite_eval_matches_numpy(series):
    z = np.linspace(-4, 4, 101)
    with jax.enable_x64(True):
        got = np.asarray(hermite_eval(series.coeffs, jax.numpy.asarray(z)))
    np.testing.assert_allclose(got, he.hermeval(z, series.coeffs), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("student", [S, tanh(15)])
@pytest.mark.parametrize("freeze_a", [False, True])
def test_jax_step_matches_numpy_reference_float32(student, freeze_a):
    rng = np.random.default_rng(0)
    W, a = _state(rng, 64, 32, np.float32)
    x, y = reference_batch(rng, T, 128, 32, label_noise=0.1)
    kw = dict(lr=0.1, eps=0.05, freeze_a=freeze_a)
    W_ref, a_ref = reference_step(W, a, x, y, student=student, **kw)
    step = jax.jit(lambda W, a, x, y: sgd_step(
        W, a, x, y, s_coeffs=student.coeffs.tolist(),
        ds_coeffs=student.derivative().coeffs.tolist(), **kw))
    W_jax, a_jax = map(np.asarray, step(W, a, x, y))
    assert W_jax.dtype == np.float32
    # the step moves W by O(lr); agreement to a few float32 ulps of O(1) numbers
    assert np.max(np.abs(W_jax - W_ref)) < 2e-6
    assert np.max(np.abs(a_jax - a_ref)) < 2e-6
    assert np.max(np.abs(W_jax - W)) > 1e-3  # the step did something
    np.testing.assert_allclose(np.linalg.norm(W_jax, axis=1), 1.0, atol=1e-6)


def test_jax_step_matches_reference_float64():
    rng = np.random.default_rng(1)
    W, a = _state(rng, 16, 8, np.float64)
    x, y = reference_batch(rng, T, 32, 8, dtype=np.float64)
    W_ref, a_ref = reference_step(W, a, x, y, student=tanh(9), lr=0.3, eps=0.5)
    with jax.enable_x64(True):
        W_jax, a_jax = sgd_step(W, a, x, y, s_coeffs=tanh(9).coeffs.tolist(),
                                ds_coeffs=tanh(9).derivative().coeffs.tolist(), lr=0.3, eps=0.5)
    np.testing.assert_allclose(np.asarray(W_jax), W_ref, atol=1e-13)
    np.testing.assert_allclose(np.asarray(a_jax), a_ref, atol=1e-13)


def test_population_loss_matches_monte_carlo():
    rng = np.random.default_rng(2)
    W, a = _state(rng, 8, 6, np.float64)
    W[:4] = np.eye(6)[0] * 0.8 + W[:4] * 0.6          # some alignment with e_1
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    x, y = reference_batch(rng, T, 400_000, 6, label_noise=0.3, dtype=np.float64)
    f = he.hermeval(x @ W.T, S.coeffs) @ a / 8
    mc = 0.5 * np.mean((f - y) ** 2)
    with jax.enable_x64(True):
        exact = float(population_loss(W, a, teacher=T, student=S, label_noise=0.3))
    assert abs(exact - mc) < 5e-3 * mc


def test_shapes_and_initial_state():
    run = simulate_network(T, S, seeds=3, **SMALL)
    assert run.t.shape == (5,) and np.allclose(run.t, [0, 0.5, 1, 1.5, 2])
    for arr in (run.kappa_mean, run.kappa_std, run.a_mean, run.a_std, run.rho, run.loss):
        assert arr.shape == (3, 5) and np.all(np.isfinite(arr))
    assert run.kappa_final.shape == (3, 32)
    np.testing.assert_allclose(run.a_mean[:, 0], 0.1, rtol=1e-6)
    assert np.all(run.a_std[:, 0] < 1e-7)
    assert np.all(np.abs(run.kappa_mean[:, 0]) < 4 / np.sqrt(32 * 16))  # uniform on the sphere
    np.testing.assert_allclose(run.kappa_final, run.kappa_final)  # finite
    np.testing.assert_allclose(np.mean(run.kappa_final, axis=1), run.kappa_mean[:, -1], atol=1e-6)


def test_same_seed_same_result_and_vmap_consistency():
    r1 = simulate_network(T, S, seeds=[4, 5], **SMALL)
    r2 = simulate_network(T, S, seeds=[4, 5], **SMALL)
    np.testing.assert_array_equal(r1.kappa_mean, r2.kappa_mean)
    np.testing.assert_array_equal(r1.kappa_final, r2.kappa_final)
    r3 = simulate_network(T, S, seeds=[5], **SMALL)
    np.testing.assert_allclose(r3.kappa_mean[0], r1.kappa_mean[1], atol=1e-5)
    assert not np.allclose(r1.kappa_mean[0], r1.kappa_mean[1])
    r4 = simulate_network(T, S, seed=4, **SMALL)
    np.testing.assert_allclose(r4.kappa_mean[0], r1.kappa_mean[0], atol=1e-5)


def test_freeze_a_label_noise_and_float64():
    run = simulate_network(T, S, freeze_a=True, label_noise=0.5, dtype="float64", **SMALL)
    assert run.kappa_mean.dtype == np.float64
    np.testing.assert_allclose(run.a_mean, 0.1, rtol=1e-12)
    assert run.loss[0, 0] > 0.5 * (T.norm2() + 0.25) - 0.05  # noise variance included


def test_follows_the_reduced_ode_roughly():
    run = simulate_network(T, S, width=64, dim=32, batch=512, lr=0.1, eps=0.05, a0=0.1,
                           time=10.0, record_every=1.0)
    ode = ReducedDynamics(T, S, 0.05).integrate(0.0, 0.1, run.t)
    assert np.max(np.abs(run.kappa_mean[0] - ode.kappa)) < 0.1
    assert run.kappa_mean[0, -1] > 0.8
    assert np.max(np.abs(run.loss[0] - ode.loss)) < 0.05


@pytest.mark.parametrize("bad", [dict(width=0), dict(dim=-3), dict(batch=1.5), dict(lr=0.0),
                                 dict(lr=-0.1), dict(eps=0), dict(time=-1.0), dict(record_every=0.0),
                                 dict(record_every=0.25 + 1e-3), dict(time=2.05),
                                 dict(a0=float("nan")), dict(label_noise=-1.0), dict(dim=1)])
def test_bad_input_raises_value_error(bad):
    kw = {**SMALL, **bad}
    name = next(iter(bad))
    with pytest.raises(ValueError, match=name):
        simulate_network(T, S, **kw)


def test_bad_seeds_and_dtype():
    with pytest.raises(ValueError, match="seeds"):
        simulate_network(T, S, seeds=0, **SMALL)
    with pytest.raises(ValueError, match="seeds"):
        simulate_network(T, S, seeds=[1.5], **SMALL)
    with pytest.raises(ValueError, match="dtype"):
        simulate_network(T, S, dtype="float16", **SMALL)

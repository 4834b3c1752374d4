"""Tests for lib.simulate (JAX spherical SGD) against the numpy reference step."""
import jax
import numpy as np
import pytest
from numpy.polynomial import hermite_e as he

from lib.hermite import polynomial, tanh
from lib.reduced import ReducedDynamics
from lib.sgd_reference import reference_batch, reference_step
import lib.simulate as simulate
from lib.simulate import (gaussian_batch, hermite_eval, population_loss, seed_key, sgd_step,
                           simulate_network, simulate_sweep)

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
        traced = np.asarray(jax.jit(hermite_eval)(jax.numpy.asarray(series.coeffs), z))
    np.testing.assert_allclose(got, he.hermeval(z, series.coeffs), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(traced, got, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("student", [S, tanh(15), polynomial(0.2, 0.7)])
@pytest.mark.parametrize("freeze_a", [False, True])
def test_jax_step_matches_numpy_reference_float32(student, freeze_a):
    """sigma of degree 2 and 1 (sigma' affine: the second product takes H itself) and 15."""
    rng = np.random.default_rng(0)
    W, a = _state(rng, 64, 32, np.float32)
    x, y = reference_batch(rng, T, 128, 32, label_noise=0.1)
    kw = dict(lr=0.1, eps=0.05, freeze_a=freeze_a)
    W_ref, a_ref = reference_step(W, a, x, y, student=student, **kw)
    # coefficients traced (as simulate_network runs it) and lr, eps traced too; the batch
    # as given, and as the simulation passes it (x / sqrt(2), x_scale = sqrt(2))
    step = jax.jit(lambda W, a, x, y, s, ds, lr, eps, scale: sgd_step(
        W, a, x, y, s_coeffs=s, ds_coeffs=ds, lr=lr, eps=eps, freeze_a=freeze_a, x_scale=scale))
    root2 = np.sqrt(2).astype(np.float32)
    for xs, scale in ((x, np.float32(1)), (x / root2, root2)):
        W_jax, a_jax = map(np.asarray, step(W, a, xs, y, np.float32(student.coeffs),
                                            np.float32(student.derivative().coeffs),
                                            np.float32(0.1), np.float32(0.05), scale))
        assert W_jax.dtype == np.float32
        # the step moves W by O(lr); agreement to a few float32 ulps of O(1) numbers
        assert np.max(np.abs(W_jax - W_ref)) < 2e-6
        assert np.max(np.abs(a_jax - a_ref)) < 2e-6
        assert np.max(np.abs(W_jax - W)) > 1e-3  # the step did something
        np.testing.assert_allclose(np.linalg.norm(W_jax, axis=1), 1.0, atol=1e-6)


@pytest.mark.parametrize("student", [tanh(9), S, polynomial(0.2, 0.7), polynomial(0.3, 0.0, -0.4)])
def test_jax_step_matches_reference_float64(student):
    """In float64 the algebra of the affine case (Taylor's formula for the second layer, the
    norm from row-wise dot products) must agree with the reference to rounding."""
    rng = np.random.default_rng(1)
    W, a = _state(rng, 16, 8, np.float64)
    x, y = reference_batch(rng, T, 32, 8, dtype=np.float64)
    W_ref, a_ref = reference_step(W, a, x, y, student=student, lr=0.3, eps=0.5)
    kw = dict(s_coeffs=student.coeffs.tolist(), ds_coeffs=student.derivative().coeffs.tolist(),
              lr=0.3, eps=0.5)
    with jax.enable_x64(True):
        # the batch as given, and as the simulation passes it: x / sqrt(2), x_scale = sqrt(2)
        for xs, scale in ((x, 1.0), (x / np.sqrt(2), np.sqrt(2))):
            W_jax, a_jax = map(np.asarray, sgd_step(W, a, xs, y, x_scale=scale, **kw))
            assert a_jax.dtype == np.float64 and np.max(np.abs(a_jax - a)) > 1e-3  # a moved
            np.testing.assert_allclose(W_jax, W_ref, atol=1e-13)
            np.testing.assert_allclose(a_jax, a_ref, atol=1e-13)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_generator_is_jax_random_bit_for_bit(dtype):
    """The unrolled threefry gives exactly jax.random's numbers (key, split, fold_in, normal)."""
    @jax.jit
    def ours(kd, step):
        k_init, k_run = simulate._split(kd)
        kd_step = simulate._fold_in(k_run, step)
        return (jax.numpy.stack([k_init, k_run]), kd_step, gaussian_batch(kd_step, 37, 10, dtype, 1),
                gaussian_batch(kd_step, 37, 10, dtype, 1, halved=True))

    @jax.jit
    def theirs(seed, step):
        key = jax.random.key(seed)
        step_key = jax.random.fold_in(jax.random.split(key)[1], step)
        return (jax.random.key_data(key), jax.random.key_data(jax.random.split(key)),
                jax.random.key_data(step_key), jax.random.normal(step_key, (37, 11), dtype))

    with jax.enable_x64(dtype == "float64"):
        for seed, step in ((0, 0), (7, 12345), (2**32 - 1, 2**31 - 1)):
            keys, kd_step, (x, z, extras), halved = ours(seed_key(seed), step)
            kd, split, kd_step_want, want = map(np.asarray, theirs(np.uint32(seed), step))
            np.testing.assert_array_equal(seed_key(seed), kd)
            np.testing.assert_array_equal(keys, split)
            np.testing.assert_array_equal(kd_step, kd_step_want)
            assert x.dtype == want.dtype
            np.testing.assert_array_equal(np.asarray(x), want[:, :10])
            np.testing.assert_array_equal(np.asarray(z), want[:, 0])
            np.testing.assert_array_equal(np.asarray(extras[0]), want[:, 10])
            # halved: x over sqrt(2) (the same rounding once multiplied back), z and extras not
            np.testing.assert_array_equal(np.asarray(halved[0]) * np.sqrt(2).astype(dtype), x)
            np.testing.assert_array_equal(np.asarray(halved[1]), want[:, 0])
            np.testing.assert_array_equal(np.asarray(halved[2][0]), want[:, 10])
    with jax.enable_x64(True):  # seeds beyond 32 bits: jax.random.key(seed) with 64-bit ints
        for seed in (2**32, 2**40 + 3, 2**64 - 1):
            np.testing.assert_array_equal(seed_key(seed), jax.random.key_data(
                jax.random.key(np.uint64(seed))))


def test_materialised_is_the_identity_bit_for_bit():
    for dtype in ("float32", "float64"):
        with jax.enable_x64(dtype == "float64"):
            info = np.finfo(dtype)
            z = np.array([0.0, -0.0, 1.0, -np.pi, info.tiny, info.tiny / 7, info.max, -np.inf,
                          np.inf, info.eps, 1 + info.eps], dtype)
            got = np.asarray(jax.jit(simulate._materialised)(z))
            assert got.dtype == z.dtype and got.tobytes() == z.tobytes()


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
    run = simulate_network(T, S, seeds=2, seed=3, **SMALL)
    assert run.t.shape == (5,) and np.allclose(run.t, [0, 0.5, 1, 1.5, 2])
    assert run.seeds.tolist() == [3, 4]
    for arr in (run.kappa_mean, run.kappa_std, run.a_mean, run.a_std, run.rho, run.loss):
        assert arr.shape == (2, 5) and np.all(np.isfinite(arr))
    assert run.kappa_final.shape == (2, 32)
    np.testing.assert_allclose(run.a_mean[:, 0], 0.1, rtol=1e-6)
    assert np.all(run.a_std[:, 0] < 1e-7)
    assert np.all(np.abs(run.kappa_mean[:, 0]) < 4 / np.sqrt(32 * 16))  # uniform on the sphere
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


def test_parameters_are_traced_one_compilation_per_shape():
    """a0, eps, lr (same step count), label noise and coefficients of one degree reuse a program."""
    program = simulate._program()
    base = simulate_network(T, S, seeds=2, label_noise=0.1, **SMALL)
    n = program._cache_size()
    others = [simulate_network(T, S, seeds=2, label_noise=0.1, **{**SMALL, **kw}) for kw in
              (dict(a0=0.7), dict(eps=0.2), dict(lr=0.05, record_every=0.25, time=1.0))]
    others.append(simulate_network(polynomial(0.1, 0.8, -0.3), polynomial(0, 1.2, 0.1), seeds=2,
                                   label_noise=0.3, **SMALL))
    assert program._cache_size() == n
    for other in others:  # and each of them did change the numbers
        assert np.max(np.abs(other.kappa_mean[:, 1:] - base.kappa_mean[:, 1:])) > 1e-4


def test_sweep_points_equal_single_runs():
    teachers = [T, polynomial(0, 1, -0.4), polynomial(0, 1, 0.3, 0.1)]  # mixed degrees
    sweep = simulate_sweep(teachers, S, a0=[0.1, 0.5, 0.3], lr=[0.1, 0.1, 0.05], seeds=2,
                           **{k: v for k, v in SMALL.items() if k not in ("a0", "lr")})
    assert len(sweep) == 3 and sweep.kappa_mean.shape == (3, 2, 5)
    assert sweep.kappa_final.shape == (3, 2, 32) and sweep.points["a0"].tolist() == [0.1, 0.5, 0.3]
    for i in (1, 2):
        single = simulate_network(teachers[i], S, seeds=2, **{**SMALL, "a0": sweep.points["a0"][i],
                                                              "lr": sweep.points["lr"][i]})
        np.testing.assert_allclose(sweep[i].kappa_mean, single.kappa_mean, rtol=0, atol=1e-6)
        np.testing.assert_allclose(sweep[i].loss, single.loss, rtol=0, atol=1e-6)
        np.testing.assert_allclose(sweep[i].kappa_final, single.kappa_final, rtol=0, atol=1e-6)
    with pytest.raises(ValueError, match="one length"):
        simulate_sweep(T, S, a0=[0.1, 0.2], eps=[0.1, 0.2, 0.3], **{k: v for k, v in SMALL.items()
                                                                   if k not in ("a0", "eps")})
    with pytest.raises(ValueError, match="simulate_sweep"):
        simulate_network(T, S, **{**SMALL, "a0": [0.1, 0.2]})


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


@pytest.mark.parametrize("seed", [-1, 2**64, 1.5, True, "3", None])
def test_seed_out_of_range_is_refused(seed):
    with pytest.raises(ValueError, match=r"seed must be an integer in \[0, 2\*\*64\)"):
        simulate_network(T, S, seed=seed, **SMALL)


def test_every_seed_has_its_own_stream():
    """Seeds that agree in their low 32 bits (cut to 32 bits they would collide) differ."""
    run = simulate_network(T, S, seeds=[0, 2**32, 2**40, 2**64 - 1], **SMALL)
    assert run.seeds.dtype == np.uint64 and run.seeds.tolist() == [0, 2**32, 2**40, 2**64 - 1]
    k = run.kappa_final
    assert all(not np.allclose(k[i], k[j]) for i in range(4) for j in range(i))
    alone = simulate_network(T, S, seed=2**40, **SMALL)  # same seed, same numbers
    np.testing.assert_allclose(alone.kappa_final[0], k[2], atol=1e-6)
    with pytest.raises(ValueError, match="2\\*\\*64"):
        simulate_network(T, S, seed=2**64 - 1, seeds=2, **SMALL)


@pytest.mark.parametrize("sizes", [dict(width=10**9), dict(dim=10**6, batch=10**6),
                                   dict(width=200_000, dim=16)])
def test_sizes_that_cannot_fit_are_refused_up_front(sizes):
    kw = {**SMALL, **sizes}
    with pytest.raises(ValueError, match=next(iter(sizes)) + r"=\d+.*cannot fit.* need about [0-9.e+]+ GiB"):
        simulate_network(T, S, **kw)


def test_draws_beyond_the_generator_counter_are_refused(monkeypatch):
    """Where memory is unknown (or ample), a draw of 2**32 numbers or more is refused."""
    monkeypatch.setattr(simulate, "_device_memory", lambda device: None)
    with pytest.raises(ValueError, match=r"width=1000000000, dim=16.*2\*\*32 counter"):
        simulate_network(T, S, **{**SMALL, "width": 10**9})

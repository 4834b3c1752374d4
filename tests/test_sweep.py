"""The vectorised integrator agrees with the scipy reference and refuses bad input."""
import numpy as np
import pytest

from lib.hermite import erf, polynomial, tanh
from lib.reduced import ReducedDynamics
from lib.sweep import coefficients, integrate_batch

T = np.linspace(0.0, 300.0, 16)
TOL = 2e-5  # stated tolerance on kappa and a against ReducedDynamics.integrate (rtol 1e-9)


def _random_batch(n, seed):
    rng = np.random.default_rng(seed)
    teach = np.zeros((n, 4))
    stud = np.zeros((n, 4))
    teach[:, 1] = rng.uniform(0.5, 1.5, n)
    stud[:, 1] = rng.uniform(0.5, 1.5, n)
    teach[:, 2:] = rng.uniform(-0.6, 0.6, (n, 2))
    stud[:, 2:] = rng.uniform(-0.6, 0.6, (n, 2))
    eps = rng.uniform(0.02, 0.2, n)
    kappa0 = rng.uniform(0.01, 0.5, n)
    a0 = rng.uniform(0.05, 3.0, n)
    return teach, stud, eps, kappa0, a0


def _reference(teach, stud, eps, kappa0, a0, t):
    return ReducedDynamics(polynomial(*teach), polynomial(*stud), eps).integrate(kappa0, a0, t)


def test_agrees_with_reduced_on_random_pairs():
    teach, stud, eps, kappa0, a0 = _random_batch(12, seed=1)
    res = integrate_batch(teach, stud, eps, kappa0, a0, T)
    assert res.kappa.shape == (12, T.size)
    for j in range(12):
        ref = _reference(teach[j], stud[j], eps[j], kappa0[j], a0[j], T)
        assert np.max(np.abs(ref.kappa - res.kappa[j])) < TOL
        assert np.max(np.abs(ref.a - res.a[j])) < TOL * max(1.0, np.max(np.abs(ref.a)))
        # the gap is resolved where kappa rounds to 1: compare it relatively
        assert np.allclose(res.gap[j], ref.gap, rtol=1e-3, atol=1e-12)
        assert res.kappa_max[j] >= res.kappa[j].max() - 1e-15
    # cutting the batch into chunks (the last one padded) changes nothing
    small = integrate_batch(teach, stud, eps, kappa0, a0, T, chunk=5)
    assert np.allclose(small.kappa, res.kappa, rtol=0, atol=1e-12)
    assert np.allclose(small.t_max, res.t_max, rtol=1e-12)


def test_real_activations_and_running_example():
    teacher = [erf(15), polynomial(0, 1, 0.2)]
    student = [tanh(15), polynomial(0, 1, 0.5)]
    res = integrate_batch(teacher, student, 0.05, 0.01, 0.1, T)
    for j in range(2):
        dyn = ReducedDynamics(teacher[j], student[j], 0.05)
        ref = dyn.integrate(0.01, 0.1, T)
        assert np.max(np.abs(ref.kappa - res.kappa[j])) < TOL
    # the running example peaks at kappa ~ 1 near t = 30
    assert res.kappa_max[1] > 0.999 and 20 < res.t_max[1] < 40


def test_boundary_is_invariant_and_final_time_form():
    res = integrate_batch([0, 1, 0.2], [0, 1, 0.5], 0.05, 1.0, 0.1, 50.0)
    assert res.t.size == 501 and np.all(res.kappa == 1.0) and np.all(res.gap == 0.0)
    ref = _reference([0, 1, 0.2], [0, 1, 0.5], 0.05, 1.0, 0.1, res.t)
    assert np.max(np.abs(ref.a - res.a[0])) < TOL


def test_coefficients_match_reduced():
    u, h = coefficients(polynomial(0.1, 1, 0.2, -0.3), polynomial(0.3, 1, 0.5))
    dyn = ReducedDynamics(polynomial(0.1, 1, 0.2, -0.3), polynomial(0.3, 1, 0.5))
    assert np.allclose(u[0], dyn.u) and np.allclose(h[0], dyn.H.coef)


@pytest.mark.parametrize("kwargs, word", [
    (dict(eps=0.0), "eps"),
    (dict(eps=[0.1, -0.1]), "eps"),
    (dict(kappa0=1.5), "kappa0"),
    (dict(a0=np.nan), "a0"),
    (dict(t=[0.0, 2.0, 1.0]), "t"),
    (dict(t=-1.0), "t"),
    (dict(a0=[0.1, 0.2, 0.3], eps=[0.1, 0.2]), "broadcast"),
    (dict(teacher=np.zeros((2, 2, 2))), "teacher"),
    (dict(student=[0, np.inf]), "student"),
    (dict(rtol=0.0), "rtol"),
    (dict(max_steps=0), "max_steps"),
    (dict(chunk=2.5), "chunk"),
])
def test_bad_input(kwargs, word):
    args = dict(teacher=[0, 1, 0.2], student=[0, 1, 0.5], eps=0.05, kappa0=0.01, a0=0.1, t=10.0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=word):
        integrate_batch(**args)


def test_too_few_steps_is_an_error():
    with pytest.raises(RuntimeError, match="max_steps"):
        integrate_batch([0, 1, 0.2], [0, 1, 0.5], 0.05, 0.01, 0.1, 1000.0, max_steps=20)

"""Regression tests of lib at the default parameters of the chapter beyond the limit.

Computed through lib directly (reduced ODEs and Hermite coefficients, no networks).
"""
import numpy as np
import pytest

from lib import hermite
from lib.beyond import unlearned_amount
from lib.manifold import CriticalManifold
from lib.reduced import ReducedDynamics

ACTS = {"relu": hermite.relu(20), "tanh": hermite.tanh(15), "erf": hermite.erf(15),
        "gelu": hermite.gelu(15)}


def test_relu_student_mean_degree():
    v = CriticalManifold(ReducedDynamics(ACTS["tanh"], ACTS["relu"])).verdict()
    assert v.student_degree == pytest.approx(0.94386, abs=1e-4)
    assert not v.unlearns


def test_erf_student_tanh_teacher_partial_unlearning():
    M = CriticalManifold(ReducedDynamics(ACTS["tanh"], ACTS["erf"], eps=0.1))
    assert M.verdict().unlearns
    assert M.rest_points() == pytest.approx([0.95973], abs=1e-4)
    t_long = np.linspace(0, 3000, 1501)
    drop = unlearned_amount(M.dyn.integrate(0.01, 0.1, t_long).kappa)
    assert drop == pytest.approx(0.0402, abs=1e-3)


def test_constant_mode_of_relu_arrests_unlearning():
    relu = ACTS["relu"]
    centred = hermite.HermiteSeries(np.r_[0.0, relu.coeffs[1:]])
    teacher = hermite.polynomial(0, 1, -0.3)
    t_log = np.geomspace(1, 1e5, 200)
    dyn = ReducedDynamics(teacher, relu, eps=0.05)
    rest = CriticalManifold(dyn).rest_points()
    assert rest == pytest.approx([0.86952], abs=1e-4)
    assert dyn.integrate(0.01, 0.1, t_log).kappa[-1] == pytest.approx(rest[0], abs=1e-3)
    kappa = ReducedDynamics(teacher, centred, eps=0.05).integrate(0.01, 0.1, t_log).kappa
    slope = np.polyfit(np.log(t_log[-50:]), np.log(kappa[-50:]), 1)[0]
    assert slope == pytest.approx(-0.3192, abs=2e-3)


def test_gelu_student_against_a_cubic_teacher():
    dyn = ReducedDynamics(hermite.polynomial(0, 1, 0, 0.3), ACTS["gelu"], eps=0.1)
    v = CriticalManifold(dyn).verdict()
    assert v.unlearns
    drop = unlearned_amount(dyn.integrate(0.01, 0.1, np.linspace(0, 3000, 1501)).kappa)
    assert drop == pytest.approx(0.0651, abs=1e-3)


def test_two_index_teacher_unlearns_by_the_ci_horizon():
    from lib.beyond import simulate_multi_index
    T0, S0 = hermite.polynomial(0, 1, 0.2), hermite.polynomial(0, 1, 0.5)
    run = simulate_multi_index(T0, S0, n_index=2, width=64, dim=32, batch=128, lr=0.1,
                               eps=0.05, a0=0.1, time=150.0, record_every=2.0)
    i = int(np.argmax(run.subspace))
    assert run.subspace[i] > 0.99
    assert unlearned_amount(run.subspace) == pytest.approx(0.132, abs=0.01)
    assert run.linear[i] < run.subspace[i] - 0.1  # spread in the plane at the peak

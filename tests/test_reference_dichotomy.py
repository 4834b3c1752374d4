"""Regression tests of lib at the default parameters of the dichotomy chapter.

The chapter ``book/dichotomy.py`` checks the measured exit against the entry-exit
prediction for whatever parameters a reader sets; the numbers of its running example
(s = 0.5, c = 0.2, eps = 0.05, kappa0 = 0.01, a0 = 0.1) and of its real activations are
pinned here, computed through ``lib`` directly.
"""
import numpy as np
import pytest

from lib.hermite import HermiteSeries, polynomial, relu, tanh
from lib.manifold import CriticalManifold, measure_exit
from lib.reduced import ReducedDynamics

KAPPA0, A0 = 0.01, 0.1


def test_entry_exit_numbers(running):
    _, M = running
    assert M.exit_a(A0) == pytest.approx(0.7939, abs=5e-5)
    assert M.exit_tau(A0) == pytest.approx(3.163, abs=5e-4)
    assert M.entry_exit(A0, M.transcritical_a()) == pytest.approx(0.3849, abs=5e-5)


def test_exit_at_eps_002(running):
    """The ODE at eps = 0.02 leaves kappa > 0.99 at a = 0.792."""
    dyn, M = running
    tau_run = 1.5 * M.exit_tau(A0)
    tr = dyn.with_eps(0.02).integrate(KAPPA0, A0, np.linspace(0, tau_run / 0.02, 20001))
    assert measure_exit(tr, 0.99)[1] == pytest.approx(0.792, abs=5e-4)


def test_running_example_times(running):
    """t* = 25.9, the peak near t = 30, the exit at t = 54.2 and kappa(400) = 0.582."""
    dyn, M = running
    tr = dyn.integrate(KAPPA0, A0, np.linspace(0, 400, 40001))
    assert M.naive_onset_time(A0) == pytest.approx(25.95, abs=5e-3)
    assert tr.t[np.argmin(tr.log_gap)] == pytest.approx(30.1, abs=0.05)
    assert measure_exit(tr, 0.99)[0] == pytest.approx(54.2, abs=0.05)
    assert tr.kappa[-1] == pytest.approx(0.582, abs=5e-4)


def test_rest_point_rate(running):
    _, M = running
    h = 1e-5
    rate = (M.slow_flow(0.4 + h)[0] - M.slow_flow(0.4 - h)[0]) / (2 * h)
    assert rate == pytest.approx(-0.0097, abs=5e-5)


def test_tanh_student():
    student = tanh(9)
    v1 = CriticalManifold(ReducedDynamics(polynomial(0, 1, 0, 0.3), student)).verdict()
    assert v1.teacher_degree == pytest.approx(0.561, abs=5e-4) and not v1.teacher_is_mean
    assert v1.student_degree == pytest.approx(1.173, abs=5e-4)
    t2 = HermiteSeries.from_function(lambda z: np.tanh(2 * z), 9)
    assert CriticalManifold(ReducedDynamics(t2, student)).verdict().teacher_degree == (
        pytest.approx(1.279, abs=5e-4))
    M3 = CriticalManifold(ReducedDynamics(polynomial(0, 1, 0, -0.1), student))
    assert M3.exit_tau(A0) == pytest.approx(27.3, abs=0.05)
    assert M3.rest_points()[-1] == pytest.approx(0.882, abs=5e-4)


def test_relu_student():
    s = relu(20)
    centred = HermiteSeries(np.r_[0.0, s.coeffs[1:]])
    teacher = polynomial(0, 1, 0.2)
    v = CriticalManifold(ReducedDynamics(teacher, s)).verdict()
    vc = CriticalManifold(ReducedDynamics(teacher, centred)).verdict()
    assert v.student_degree == pytest.approx(0.944, abs=5e-4) and not v.unlearns
    assert vc.student_degree == pytest.approx(1.385, abs=5e-4) and vc.unlearns
    assert v.teacher_degree == pytest.approx(1.138, abs=5e-4)

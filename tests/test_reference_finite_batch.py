"""Regression tests of lib at the default parameters of the finite-batch chapter.

The chapter asserts its claims in a form that holds for any parameters they cover;
the numbers below hold at its defaults (running example s = 0.5, c = 0.2, eps = 0.05,
a0 = 0.1, eta = 0.1, N = 256) and are computed through lib directly, without networks.
"""
import numpy as np
import pytest

from lib.finite_batch import FiniteBatchDynamics, floor_exit
from lib.hermite import polynomial
from lib.manifold import CriticalManifold
from lib.reduced import ReducedDynamics

T, S = polynomial(0, 1, 0.2), polynomial(0, 1, 0.5)


def model(ratio, teacher=T, eps=0.05, width=256):
    return FiniteBatchDynamics(teacher, S, eps=eps, batch_ratio=ratio, lr=0.1,
                               width=width)


def test_noise_terms_after_alignment():
    D, Dx = model(0.25).noise_terms(0.98, 0.7, 0.0)
    assert D == pytest.approx(0.26797, rel=1e-4)
    assert Dx == pytest.approx(0.26260, rel=1e-4)


def test_scan_final_alignment_peaks_near_one_eighth():
    # horizon 300: down to B/d = 1/8 a smaller batch keeps more alignment; below, the
    # noise floor takes over and the final alignment drops again
    t = np.linspace(0, 300, 301)
    final = {r: model(r).integrate(0.01, 0.1, t, rho0=1 / 256).kappa[-1]
             for r in (0.1, 0.125, 0.25, 1.0)}
    assert final[0.125] == pytest.approx(0.8929, abs=2e-3)
    assert final[0.125] > final[0.25] > final[1.0]
    assert final[0.1] < final[0.125] - 0.02


def test_kept_run_stays_below_the_exit_value():
    t = np.linspace(0, 300, 301)
    tr = model(0.125).integrate(0.01, 0.1, t, rho0=1 / 256)
    a_exit = CriticalManifold(ReducedDynamics(T, S, eps=0.05)).exit_a(0.1)
    assert tr.a[200:].mean() == pytest.approx(0.7016, abs=2e-3)
    assert tr.a[200:].mean() < a_exit


def test_safe_teacher_unlearns_only_at_small_batch():
    T7 = polynomial(0, 1, 0.7)
    drop = {}
    for r in (0.125, 0.25, 1.0, 4.0):
        tr = model(r, T7).integrate(0.01, 0.1, 300.0, rho0=1 / 256)
        drop[r] = tr.kappa.max() - tr.kappa[-1]
    assert drop[0.125] == pytest.approx(0.111, abs=3e-3)
    assert drop[0.125] > 0.05 > max(drop[1.0], drop[4.0])


def test_floor_exit_at_the_sections_defaults():
    # eps = 0.02, B/d = 4, N = 128 and the spread of the a_j measured at d = 128
    fb = FiniteBatchDynamics(T, S, eps=0.02, batch_ratio=4.0, lr=0.1)
    pred = floor_exit(fb, 0.01, 0.1, 0.021, np.arange(0, 190, 0.5), rho0=1 / 128)
    assert pred.private.min() == pytest.approx(1.69e-6, rel=0.02)
    assert pred.t_exit == pytest.approx(135.85, abs=0.1)
    assert pred.t_ode == pytest.approx(150.18, abs=0.1)
    assert pred.a_ode == pytest.approx(0.7922, abs=2e-4)
    assert pred.a_exit < pred.a_ode

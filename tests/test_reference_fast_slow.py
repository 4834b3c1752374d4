"""Regression tests of lib at the default parameters of the fast-slow chapter.

The chapter ``book/fast_slow.py`` asserts its claims in a form that holds for every
parameter the claims cover; the numbers it quotes at its defaults (running example
s = 0.5, c = 0.2, kappa0 = 0.01, a0 = 0.1; an erf student against He_1 + 0.3 He_3) are
pinned here, computed through ``lib`` directly.
"""
import numpy as np
import pytest

from lib.hermite import erf, polynomial
from lib.manifold import CriticalManifold
from lib.reduced import ReducedDynamics

KAPPA0, A0 = 0.01, 0.1


def test_singular_limit_numbers(running):
    _, M = running
    lim = M.singular_limit(KAPPA0, A0, np.linspace(0, 20, 2001))
    assert lim.a_exit == pytest.approx(0.7939, abs=5e-5)
    assert lim.tau_exit == pytest.approx(3.163, abs=5e-4)
    assert lim.kappa_branch == pytest.approx(0.9280, abs=5e-5)
    assert lim.kappa[-1] == pytest.approx(0.5800, abs=5e-5)  # at tau = 20
    assert M.eigenvalue(lim.kappa_branch, lim.a_exit) == pytest.approx(-0.269, abs=5e-4)
    assert M.naive_onset_time(A0, 1.0) == pytest.approx(1.297, abs=5e-4)


def test_alignment_phase_does_not_depend_on_kappa0(running):
    """Layer flow at frozen a0 = 0.1: kappa passes 0.99 at t = 22.64 from 1e-2, 22.74 from 1e-8."""
    dyn, _ = running
    t = np.linspace(0, 60, 60001)
    times = []
    for k0 in (1e-2, 1e-8):
        kappa = dyn.with_eps(1e-12).integrate(k0, A0, t).kappa
        times.append(t[np.argmax(kappa > 0.99)])
    assert times == pytest.approx([22.64, 22.74], abs=2e-3)


def test_layer_constant(running):
    _, M = running
    assert M.layer_constant(KAPPA0, A0) == pytest.approx(6.450, abs=5e-4)
    assert M.layer_constant(1e-8, A0) == pytest.approx(6.554, abs=5e-4)
    assert M.layer_constant(KAPPA0, 0.2) == pytest.approx(2.629, abs=5e-4)


def test_error_in_a_over_eps_approaches_the_layer_constant(running):
    dyn, M = running
    tau = np.linspace(0, 20, 16001)
    lim = M.singular_limit(KAPPA0, A0, tau)
    ratios = []
    for eps in (0.05, 5e-4, 5e-5):
        tr = dyn.with_eps(eps).integrate(KAPPA0, A0, tau / eps)
        ratios.append(np.max(np.abs(tr.a - lim.a)) / eps)
    assert ratios == pytest.approx([2.983, 6.260, 6.420], abs=2e-3)


def test_erf_pair():
    M = CriticalManifold(ReducedDynamics(polynomial(0, 1, 0, 0.3), erf(9), eps=0.05))
    lim = M.singular_limit(KAPPA0, A0, np.linspace(0, 20, 2001))
    assert M.transcritical_a() == pytest.approx(0.460, abs=5e-4)
    assert lim.a_exit == pytest.approx(0.636, abs=5e-4)
    assert lim.kappa[-1] == pytest.approx(0.539, abs=5e-4)

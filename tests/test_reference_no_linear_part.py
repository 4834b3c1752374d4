"""Regression numbers of the chapter 'When the teacher has no linear part', at its
default parameters, computed through lib directly (fast; the chapter asserts the
claims in a form that holds for any parameters, these pin the defaults)."""
import numpy as np
import pytest

from lib.hermite import polynomial
from lib.information import crossing_up, search_phase
from lib.manifold import CriticalManifold
from lib.populations import PopulationDynamics, mirror_dynamics
from lib.reduced import ReducedDynamics
from lib.scaling import scaling_law

EPS = 0.05
SPLIT = ReducedDynamics(polynomial(0, 0, 1), polynomial(0, 1, 0.5), eps=EPS)
EVEN4 = ReducedDynamics(polynomial(0, 0, 1, 0, -0.05), polynomial(0, 0, 1, 0, 0.5), eps=EPS)
ODD3 = ReducedDynamics(polynomial(0, 0, 1, -0.1), polynomial(0, 0, 1, 0.3), eps=EPS)
MIXED = ReducedDynamics(polynomial(0, 0, 1, 0, -0.05), polynomial(0, 1, 0.5, 0, 0.25), eps=EPS)


def test_search_times_one_alignment():
    """t(kappa = 1/2) from kappa0 = d^-1/2, a0 = 0.1: 12.1 more per factor 100 in d."""
    t = np.linspace(0, 150, 15001)
    T = [crossing_up(t, SPLIT.integrate(d**-0.5, 0.1, t).kappa, 0.5) for d in (1e2, 1e4, 1e6, 1e8)]
    np.testing.assert_allclose(T, [8.618, 20.655, 32.772, 44.891], atol=2e-3)
    assert search_phase(SPLIT, 0.1).rate == pytest.approx(0.19)
    assert search_phase(SPLIT, 0.1, populations=True).rate == pytest.approx(0.2)


def test_class_two_two_laws():
    T = np.geomspace(1, 1e12, 481)
    i8 = np.searchsorted(T, 1e8)
    expected = [  # K, a/law at 1e8, a/law at 1e12, a/corrected at 1e8
        (EVEN4, (0.448140, 1.01934, 1.00098, 1.01934)),
        (ODD3, (0.166135, 1.07366, 1.01330, 0.98845)),
    ]
    for dyn, (K, r8, r12, c8) in expected:
        law = scaling_law(dyn)
        tr = dyn.integrate(0.01, 0.1, T)
        assert law.prefactor_a(EPS) == pytest.approx(K, rel=1e-5)
        assert tr.a[i8] / law.a(T[i8], EPS) == pytest.approx(r8, abs=2e-4)
        assert tr.a[-1] / law.a(T[-1], EPS) == pytest.approx(r12, abs=2e-4)
        assert tr.a[i8] / law.a_corrected(T[i8], EPS) == pytest.approx(c8, abs=2e-4)


def test_two_populations_at_the_split_horizon():
    """The networks of the chapter (N = 128, d = 32) reach a = 1.87 at t = 120."""
    t = np.linspace(0, 120, 121)
    pop = PopulationDynamics.from_reduced(SPLIT, width=128).integrate_split(32**-0.5, 0.1, 0.5, t)
    assert pop.a_mean[-1] == pytest.approx(1.8878, abs=1e-3)
    assert pop.loss[-1] == pytest.approx(0.00315, abs=1e-4)
    assert SPLIT.integrate(32**-0.5, 0.1, t).a[-1] == pytest.approx(0.6665, abs=2e-3)


def test_mixed_pair():
    """One alignment rests at 0.7266 (loss 0.904); the mirror pair is complete, 1/3."""
    rest = CriticalManifold(MIXED).rest_points()
    assert rest[-1] == pytest.approx(0.72656, abs=1e-4)
    law = scaling_law(mirror_dynamics(MIXED))
    assert (law.kind, law.exponent_a) == ("complete", pytest.approx(1 / 3))
    assert scaling_law(MIXED).kind == "bounded"

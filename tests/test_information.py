"""Tests for lib.information: the classes (m, j), the search phase, the alignment floor."""
import numpy as np
import pytest

from lib.hermite import polynomial, tanh
from lib.information import (alignment_floor, classify, crossing_up, discrete_rate,
                             growth_rate, profile_slope, random_pair, search_phase)
from lib.manifold import CriticalManifold
from lib.reduced import ReducedDynamics

EPS = 0.05
SPLIT = ReducedDynamics(polynomial(0, 0, 1), polynomial(0, 1, 0.5), eps=EPS)  # m=2, j=1


@pytest.mark.parametrize("teacher, student, m, j, kind", [
    (polynomial(0, 1, 0.2), polynomial(0, 1, 0.5), 1, 1, "bounded"),
    (polynomial(0, 1, -0.3), polynomial(0, 1, 0.5), 1, 1, "complete"),
    (polynomial(0, 0, 1), polynomial(0, 1, 0.5), 2, 1, "bounded"),
    (polynomial(0, 0, 1, 0, -0.05), polynomial(0, 0, 1, 0, 0.5), 2, 2, "complete"),
    (polynomial(0, 0, 1, 0, 0.05), polynomial(0, 0, 1, 0, 0.5), 2, 2, "bounded"),
    (polynomial(0, 0, 0, -1), tanh(9), 3, 1, "bounded"),  # tanh: s_3 < 0
])
def test_classify(teacher, student, m, j, kind):
    ic = classify(ReducedDynamics(teacher, student))
    assert (ic.m, ic.j, ic.law.kind) == (m, j, kind)
    assert ic.profile_exponent == 2 * m - 2 * j
    assert ic.complete_possible == (m == j)
    assert ic.complete == (kind == "complete")


@pytest.mark.parametrize("m, j", [(1, 1), (2, 1), (2, 2), (3, 1), (3, 2), (3, 3), (4, 2)])
def test_random_pairs_have_their_class_and_profile_exponent(m, j):
    rng = np.random.default_rng(10 * m + j)
    for _ in range(5):
        dyn = ReducedDynamics(*random_pair(rng, m, j))
        ic = classify(dyn)
        assert (ic.m, ic.j) == (m, j) and ic.u_m > 0
        assert profile_slope(dyn, 1e-5) == pytest.approx(2 * m - 2 * j, abs=1e-3)
        if m > j:  # no complete unlearning without m = j
            assert ic.law.kind == "bounded"


def test_random_pair_bad_input():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="j <= m"):
        random_pair(rng, 1, 2)
    with pytest.raises(ValueError, match="j <= m"):
        random_pair(rng, 5, 1, n_terms=3)
    with pytest.raises(ValueError, match="phi"):
        classify(ReducedDynamics(polynomial(0, 0, 1), polynomial(0, 1)))


def test_search_rates_and_conditions():
    """One alignment: a0 (2 u_2 - a0 v_1); neurons of both signs: 2 a0 u_2."""
    one = search_phase(SPLIT, 0.1)
    many = search_phase(SPLIT, 0.1, populations=True)
    assert one.kind == many.kind == "logarithmic"
    assert one.rate == pytest.approx(0.1 * (2 - 0.1)) and many.rate == pytest.approx(0.2)
    assert many.mean_rate == pytest.approx(one.rate)
    assert one.length(1e-4) == pytest.approx(np.log(1e4) / 0.19)
    assert search_phase(SPLIT, 2.5).kind == "trapped"  # a0 > 2 u_2 / v_1
    assert search_phase(SPLIT, 2.5, populations=True).kind == "logarithmic"
    neg = ReducedDynamics(polynomial(0, 0, -1), polynomial(0, 1, 0.5))
    assert search_phase(neg, 0.1).kind == search_phase(neg, 0.1, populations=True).kind == "trapped"
    first = ReducedDynamics(polynomial(0, 1), polynomial(0, 1))
    assert search_phase(first, 0.1).kind == "none" and search_phase(first, 0.1).length(0.01) == 0
    cubic = ReducedDynamics(polynomial(0, 0, 0, 1), polynomial(0, 0, 1, 1))  # m = 3, j = 2
    sp = search_phase(cubic, 0.5)
    assert sp.kind == "polynomial"
    assert sp.length(0.01) == pytest.approx(0.01**-1 / (0.5 * 3 * 1 * 6))
    assert search_phase(ReducedDynamics(polynomial(0, 0, 0, 1), tanh(9)), 0.5).kind == "trapped"
    with pytest.raises(ValueError, match="a0"):
        search_phase(SPLIT, 0.0)
    with pytest.raises(ValueError, match="kappa0"):
        one.length(0.0)


@pytest.mark.parametrize("kappa0", [1e-4, 1e-8])
def test_search_length_matches_the_ode(kappa0):
    """Increments of t(kappa > 1/2) per factor 10 in 1/kappa0 are log(10)/rate."""
    t = np.linspace(0, 200, 40001)
    sp = search_phase(SPLIT, 0.1)
    times = [crossing_up(t, SPLIT.integrate(k, 0.1, t).kappa, 0.5) for k in (10 * kappa0, kappa0)]
    assert times[1] - times[0] == pytest.approx(np.log(10) / sp.rate, rel=2e-3)
    assert times[1] - sp.length(kappa0) == pytest.approx(times[0] - sp.length(10 * kappa0), abs=0.05)


def test_trapped_ode_stays_at_zero():
    t = np.linspace(0, 100, 201)
    tr = SPLIT.integrate(1e-3, 2.5, t)
    assert np.abs(tr.kappa).max() <= 1e-3 + 1e-12 and tr.kappa[-1] < 1e-6


def test_alignment_floor_bounds_the_trajectory():
    """m > j: after the loss has dropped, kappa never falls below the floor."""
    dyn = ReducedDynamics(polynomial(0, 0, 1, 0, -0.05), polynomial(0, 1, 0.5, 0, 0.25), eps=EPS)
    t = np.linspace(0, 2000, 2001)
    tr = dyn.integrate(0.05, 0.1, t)
    i = int(np.argmax(tr.kappa))
    floor = alignment_floor(dyn, tr.loss[i])
    assert 0 < floor < tr.kappa[i:].min()
    rest = CriticalManifold(dyn).rest_points()
    assert floor < rest.max()  # the slow flow rests above the floor
    # m = j: R(0) > 0, the floor is 0 once the loss is above 1/2 ||sigma*||^2 - R(0)/2
    full = ReducedDynamics(polynomial(0, 0, 1, 0, -0.05), polynomial(0, 0, 1, 0, 0.5))
    assert alignment_floor(full, 0.5 * full.teacher.norm2() - 0.4 * full.u[2] ** 2 / full.v[2]) == 0
    assert np.isnan(alignment_floor(full, -1.0))


def test_helpers():
    t = np.linspace(0, 10, 101)
    y = 0.01 * np.exp(0.7 * t)
    assert growth_rate(t, y, 1.0) == pytest.approx(0.7, rel=1e-10)
    assert growth_rate(t, y, 1.0, lo=0.05) == pytest.approx(0.7, rel=1e-10)
    assert crossing_up(t, y, 1.0) == pytest.approx(np.log(100) / 0.7, abs=0.01)
    assert np.isnan(crossing_up(t, y, 1e9))
    assert float(discrete_rate(2.0, 0.05)) == pytest.approx(np.log(1.1) / 0.05)
    assert float(discrete_rate(2.0, 1e-8)) == pytest.approx(2.0, rel=1e-7)
    with pytest.raises(ValueError, match="three"):
        growth_rate(t, y, 0.011)
    with pytest.raises(ValueError, match="kappa"):
        profile_slope(SPLIT, 0.0)

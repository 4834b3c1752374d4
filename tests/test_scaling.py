"""Tests for lib.scaling: branch expansion, classification, power laws, fit helpers."""
import numpy as np
import pytest

from lib.hermite import HermiteSeries, polynomial, relu, tanh
from lib.manifold import CriticalManifold
from lib.reduced import ReducedDynamics
from lib.scaling import (branch_expansion, local_exponent, loglog_fit, lowest_degrees,
                         scaling_law)

EPS = 0.05
T = np.geomspace(1.0, 1e8, 161)


def running(c, s=0.5, eps=EPS):
    return ReducedDynamics(polynomial(0, 1, c), polynomial(0, 1, s), eps=eps)


@pytest.mark.parametrize("dyn", [
    running(-0.3), running(0.0), running(0.2),
    ReducedDynamics(polynomial(0, 1, 0, 0.3), tanh(9)),
    ReducedDynamics(polynomial(0, 0.7, -0.2, 0.1), polynomial(0, 1.3, 0.4, -0.2)),
    ReducedDynamics(polynomial(0, 1, -0.3), relu(12)),
])
def test_expansion_matches_direct_evaluation(dyn):
    """The Laurent series of A and F agree with 2phi'/H' and phi - A H at small kappa."""
    exp = branch_expansion(dyn, order=10)
    man = CriticalManifold(dyn)
    k = np.array([1e-3, 1e-2, 3e-2, 0.05])
    A_direct = man.A(k)
    F_direct = dyn.phi(k) - A_direct * dyn.H(k)
    scale = np.abs(A_direct)
    np.testing.assert_allclose(exp.A(k), A_direct, rtol=1e-9)
    # F is a difference of two O(1/kappa)-or-O(kappa) terms: compare on the scale of A H
    np.testing.assert_allclose(exp.F(k), F_direct, atol=1e-10 * np.max(scale * dyn.H(k)) + 1e-14)


def test_low_order_coefficients_match_theory_formulas():
    """b_2 = -u_2 and b_3 = u_1 v_2 / v_1 - 2 u_3 for a centred student; residue r = u_1/v_1."""
    dyn = ReducedDynamics(polynomial(0, 0.7, -0.2, 0.1), polynomial(0, 1.3, 0.4, -0.2))
    u, v = dyn.u, dyn.v
    F = branch_expansion(dyn).F
    assert F.coef(-1) == pytest.approx(0, abs=1e-14)
    assert F.coef(0) == pytest.approx(0, abs=1e-14)
    assert F.coef(1) == pytest.approx(0, abs=1e-14)
    assert F.coef(2) == pytest.approx(-u[2], rel=1e-12)
    assert F.coef(3) == pytest.approx(u[1] * v[2] / v[1] - 2 * u[3], rel=1e-12)
    assert branch_expansion(dyn).r == pytest.approx(0.7 / 1.3, rel=1e-14)


def test_taylor_fit_recovers_leading_coefficients():
    """A polynomial fit of kappa^-2 F(kappa) at small kappa returns b_2 and b_3."""
    dyn = running(-0.3)
    man = CriticalManifold(dyn)
    k = np.linspace(1e-3, 2e-2, 40)
    G = (dyn.phi(k) - man.A(k) * dyn.H(k)) / k**2
    fit = np.polynomial.polynomial.polyfit(k, G, 3)
    exp = branch_expansion(dyn).F
    assert fit[0] == pytest.approx(exp.coef(2), rel=1e-6)
    assert fit[1] == pytest.approx(exp.coef(3), rel=1e-4)


@pytest.mark.parametrize("teacher, student, kind, order", [
    (polynomial(0, 1, -0.3), polynomial(0, 1, 0.5), "complete", 2),
    (polynomial(0, 1, 0.0), polynomial(0, 1, 0.5), "complete", 3),
    (polynomial(0, 1, 0.2), polynomial(0, 1, 0.5), "bounded", 2),
    (polynomial(0, 1, 0, -0.3), tanh(9), "bounded", 3),
    (polynomial(0, 1, 0, 0, -0.2), polynomial(0, 1, 0, 0, 0.2), "complete", 4),
    (polynomial(0, 1), polynomial(0, 1, 0, 0.5), "complete", 5),
    (polynomial(0, 1, -0.3), relu(12), "arrested", -1),
])
def test_classification(teacher, student, kind, order):
    law = scaling_law(ReducedDynamics(teacher, student))
    assert (law.kind, law.order) == (kind, order)


def test_theory_prefactors():
    """The closed forms: (3 eps |u_2| r^2 t)^(1/3) and, for c_2 = 0, (8 eps s^2 t)^(1/4)."""
    s, c = 0.5, -0.3
    law = scaling_law(running(c, s))
    assert law.prefactor_a(EPS) == pytest.approx((3 * EPS * abs(2 * s * c)) ** (1 / 3), rel=1e-12)
    law0 = scaling_law(running(0.0, s))
    assert law0.prefactor_a(EPS) == pytest.approx((8 * EPS * s**2) ** 0.25, rel=1e-12)
    assert law0.prefactor_kappa(EPS) == pytest.approx(1 / (8 * EPS * s**2) ** 0.25, rel=1e-12)


@pytest.mark.parametrize("dyn", [
    running(-0.3), running(0.0), ReducedDynamics(polynomial(0, 1, 0, 0.3), tanh(9)),
])
def test_long_integration_follows_the_law(dyn):
    law = scaling_law(dyn)
    tr = dyn.integrate(0.01, 0.1, T)
    gamma, _ = loglog_fit(T, tr.a, 1e7)
    assert abs(gamma - law.exponent_a) < 0.002
    gk, _ = loglog_fit(T, tr.kappa, 1e7)
    assert abs(gk - law.exponent_kappa) < 0.005  # kappa = r/(a - alpha_0): slower approach
    assert tr.a[-1] / law.a(T[-1], dyn.eps) == pytest.approx(1, abs=3e-3)
    # next order: a - K t^(1/(ell+1)) approaches the predicted constant shift, like 1/a
    resid = tr.a[-1] - law.a(T[-1], dyn.eps)
    assert abs(resid - law.shift_a()) < 0.5 * abs(law.r) * 10 / tr.a[-1]


def test_bounded_and_arrested_stop_at_rest_points():
    tr = running(0.2).integrate(0.01, 0.1, T)
    assert tr.kappa[-1] == pytest.approx(0.4, abs=1e-6)
    cr = HermiteSeries(np.r_[0.0, relu(20).coeffs[1:]])
    for s0 in (0.003, 0.01):
        dyn = ReducedDynamics(polynomial(0, 1, -0.3), HermiteSeries(np.r_[s0, cr.coeffs[1:]]))
        law = scaling_law(dyn)
        rest = CriticalManifold(dyn).rest_points()
        assert rest.size == 1
        assert rest[0] == pytest.approx(law.arrest_kappa(), rel=0.1)
    with pytest.raises(ValueError, match="arrested"):
        scaling_law(running(-0.3)).arrest_kappa()
    with pytest.raises(ValueError, match="bounded"):
        scaling_law(running(0.2)).prefactor_a(EPS)


def test_fit_helpers():
    t = np.geomspace(1, 1e4, 50)
    y = 2.5 * t**0.3
    g, K = loglog_fit(t, y, 10, 1e3)
    assert g == pytest.approx(0.3, abs=1e-12) and K == pytest.approx(2.5, rel=1e-12)
    np.testing.assert_allclose(local_exponent(t, y), 0.3, atol=1e-10)


def test_bad_input():
    with pytest.raises(ValueError, match="u_1"):
        branch_expansion(ReducedDynamics(polynomial(0, 1, 0.3), polynomial(0, -1, 0.5)))
    with pytest.raises(ValueError, match="u_2"):  # m = 2, u_2 < 0: branch at a < 0
        scaling_law(ReducedDynamics(polynomial(0, 0, -1), polynomial(0, 1, 0.5)))
    with pytest.raises(ValueError, match="phi"):
        scaling_law(ReducedDynamics(polynomial(0, 0, 1), polynomial(0, 1)))
    with pytest.raises(ValueError, match="n = 1"):  # m = j = 2: no constant shift
        scaling_law(ReducedDynamics(polynomial(0, 0, 1, -0.1), polynomial(0, 0, 1, 0.3))).shift_a()
    with pytest.raises(ValueError, match="dyn"):
        branch_expansion("not a dynamics")
    with pytest.raises(ValueError, match="order"):
        branch_expansion(running(-0.3), order=-5)
    with pytest.raises(ValueError, match="eps"):
        scaling_law(running(-0.3)).prefactor_a(-1.0)
    t = np.geomspace(1, 10, 5)
    with pytest.raises(ValueError, match="window"):
        loglog_fit(t, t, 20)
    with pytest.raises(ValueError, match="positive"):
        loglog_fit(t, -t)
    with pytest.raises(ValueError, match="shape"):
        loglog_fit(t, t[:3])
    with pytest.raises(ValueError, match="t"):
        local_exponent(t[::-1], t)


def test_finite_width_dynamics_adds_the_diagonal_term():
    """phi unchanged, H_N = (1 - 1/N) H + ||sigma||^2 / N, fast field of H_N, class 'arrested'."""
    from lib.scaling import finite_width_dynamics
    dyn = running(-0.3)
    n = 64
    dn = finite_width_dynamics(dyn, n)
    k = np.linspace(0, 1, 7)
    np.testing.assert_allclose(dn.phi(k), dyn.phi(k), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(dn.H(k), (1 - 1 / n) * dyn.H(k) + dyn.student.norm2() / n, rtol=1e-13)
    assert scaling_law(dn).kind == "arrested"
    # the rest point moves toward 0 like N^(-1/3)
    rests = [CriticalManifold(finite_width_dynamics(dyn, m)).rest_points(n_grid=20001)[0]
             for m in (10**4, 10**5)]
    assert np.log(rests[0] / rests[1]) / np.log(10) == pytest.approx(1 / 3, abs=0.02)
    with pytest.raises(ValueError, match="width"):
        finite_width_dynamics(dyn, 1)
    with pytest.raises(ValueError, match="c_0"):
        finite_width_dynamics(ReducedDynamics(polynomial(0.2, 1, -0.3), polynomial(0, 1, 0.5)), 8)


# -- teachers without a linear part: the classes (m, j) -------------------------------------
M2 = [  # m = j = 2 pairs: u_3 = 0 (b_4 > 0, a ~ t^(1/3)) and u_3 < 0 (b_3 > 0, a ~ t^(2/5))
    ReducedDynamics(polynomial(0, 0, 1, 0, -0.05), polynomial(0, 0, 1, 0, 0.5), eps=EPS),
    ReducedDynamics(polynomial(0, 0, 1, -0.1), polynomial(0, 0, 1, 0.3), eps=EPS),
]


@pytest.mark.parametrize("m", [1, 2, 3])
def test_class_m_equals_j_coefficients(m):
    """A ~ (u_m/v_m) kappa^-m; b_{m+1} = -u_{m+1}/m, b_{m+2} = (u_m v_{m+1}/v_m - 2u_{m+2})/m."""
    rng = np.random.default_rng(m)
    s = np.r_[np.zeros(m), 1.0 + rng.random(), rng.normal(size=3)]
    c = np.r_[np.zeros(m), 1.0 + rng.random(), rng.normal(size=3)]
    dyn = ReducedDynamics(c, s)
    u, v = np.pad(dyn.u, (0, 4)), np.pad(dyn.v, (0, 4))
    exp = branch_expansion(dyn, order=20)
    assert (exp.m, exp.j, exp.n) == (m, m, m) and lowest_degrees(dyn) == (m, m)
    assert exp.r == pytest.approx(u[m] / v[m], rel=1e-12)
    assert exp.A.start == exp.F.start == -m
    for q in range(-m, m + 1):
        assert abs(exp.F.coef(q)) < 1e-12 * np.abs(exp.F.coeffs).max()
    assert exp.F.coef(m + 1) == pytest.approx(-u[m + 1] / m, rel=1e-10)
    assert exp.F.coef(m + 2) == pytest.approx((u[m] * v[m + 1] / v[m] - 2 * u[m + 2]) / m, rel=1e-10)
    k = np.array([1e-3, 1e-2, 3e-2])
    A_direct = CriticalManifold(dyn).A(k)
    np.testing.assert_allclose(exp.A(k), A_direct, rtol=1e-8)
    F_direct = dyn.phi(k) - A_direct * dyn.H(k)  # a difference of two O(kappa^m) terms
    assert np.all(np.abs(exp.F(k) - F_direct) <= 1e-6 * np.abs(F_direct) + 1e-13 * k**m)


def test_m_greater_than_j_is_bounded():
    """m > j: F ~ u_m (1 - m/j) kappa^m < 0, never complete."""
    for teacher, student, m, j in [(polynomial(0, 0, 1), polynomial(0, 1, 0.5), 2, 1),
                                   (polynomial(0, 0, 0, 1), polynomial(0, 0, 1, 0.4), 3, 2),
                                   (polynomial(0, 0, 0, -1), tanh(9), 3, 1)]:
        dyn = ReducedDynamics(teacher, student)
        law = scaling_law(dyn)
        u_m = dyn.u[m]
        assert (law.m, law.j, law.kind, law.order) == (m, j, "bounded", m)
        assert law.coefficient == pytest.approx(u_m * (1 - m / j), rel=1e-10)
        assert np.isnan(law.exponent_a)


def test_m2_laws_and_prefactors():
    law0, law3 = (scaling_law(d) for d in M2)
    # a ~ t^(n/(n+ell)) with n = m = 2: ell = 4 gives 1/3, ell = 3 gives 2/5
    assert (law0.kind, law0.order, law0.exponent_a, law0.exponent_kappa) == \
        ("complete", 4, pytest.approx(1 / 3), pytest.approx(-1 / 6))
    assert (law3.kind, law3.order, law3.exponent_a, law3.exponent_kappa) == \
        ("complete", 3, pytest.approx(0.4), pytest.approx(-0.2))
    u, v = np.pad(M2[0].u, (0, 2)), np.pad(M2[0].v, (0, 2))  # a^3 = 3 eps b_4 (u_2/v_2)^2 t
    b4 = u[2] * v[3] / (2 * v[2]) - u[4]
    assert law0.coefficient == pytest.approx(b4, rel=1e-10)
    assert law0.prefactor_a(EPS) ** 3 == pytest.approx(3 * EPS * b4 * (u[2] / v[2]) ** 2, rel=1e-12)
    u, v = M2[1].u, M2[1].v  # a^(5/2) = (5/2) eps (|u_3|/2) (u_2/v_2)^(3/2) t
    assert law3.prefactor_a(EPS) ** 2.5 == pytest.approx(
        2.5 * EPS * abs(u[3]) / 2 * (u[2] / v[2]) ** 1.5, rel=1e-12)
    assert law3.prefactor_kappa(EPS) == pytest.approx((law3.r / law3.prefactor_a(EPS)) ** 0.5)
    assert law0.correction() == 0.0  # an even pair: F and A have no odd powers


@pytest.mark.parametrize("dyn", M2)
def test_m2_long_integration_follows_the_law(dyn):
    """To t = 1e12: local exponent within 0.01, prefactor within 2%; the corrected law
    is closer than the leading one already at 1e8."""
    law = scaling_law(dyn)
    t = np.geomspace(1.0, 1e12, 241)
    tr = dyn.integrate(0.01, 0.1, t)
    assert abs(local_exponent(t, tr.a)[-1] - law.exponent_a) < 0.01
    assert abs(local_exponent(t, tr.kappa)[-1] - law.exponent_kappa) < 0.01
    assert tr.a[-1] / law.a(t[-1], EPS) == pytest.approx(1, abs=0.02)
    i8 = np.searchsorted(t, 1e8)
    lead = abs(tr.a[i8] / law.a(t[i8], EPS) - 1)
    corr = abs(tr.a[i8] / law.a_corrected(t[i8], EPS) - 1)
    assert corr <= lead + 1e-12 and corr < 0.02


def test_corrected_law_is_the_shift_for_m_equals_1():
    law = scaling_law(running(-0.3))
    t = np.geomspace(10, 1e8, 5)
    np.testing.assert_allclose(law.a_corrected(t, EPS), law.a(t, EPS) + law.shift_a(), rtol=1e-12)


def test_arrest_for_m_equals_j_2():
    """A constant mode arrests the m = j = 2 class at kappa^(n+ell) = v_0 r / b_ell."""
    s0 = 0.01
    dyn = ReducedDynamics(polynomial(0, 0, 1, 0, -0.05), polynomial(s0, 0, 1, 0, 0.5))
    law = scaling_law(dyn)
    assert law.kind == "arrested" and law.centred.kind == "complete"
    rest = CriticalManifold(dyn).rest_points(n_grid=20001)
    assert law.arrest_kappa() == pytest.approx(rest.min(), rel=0.15)

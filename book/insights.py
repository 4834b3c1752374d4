# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Two insights: the nonlinearity of the data and the initial scale
#
# The abstract of {cite}`imai2026dichotomy` draws two practical lessons from its fast-slow
# analysis: (i) the strength of the primary nonlinear term of the data induces feature
# unlearning, and (ii) a larger initial scale of the second-layer weights mitigates it. We
# have not seen the paper's figures; this chapter derives and tests the two statements in
# *our* reduced model, where they become sharp, checkable propositions, and where the
# first one needs a sign: what drives unlearning is the *signed* mismatch between the
# teacher's nonlinear term and the student's.
#
# **What you will learn**
#
# - how the position of the slow rest point $\kcirc$ on the critical manifold turns
#   insight (i) into a statement about the teacher's second Hermite coefficient $c_2$
#   against the student's $s_2$, and how fast and how far the network unlearns as $c_2$
#   varies;
# - why, when the teacher's quadratic term is weaker than the student's but of the same
#   sign ($0 < c_2 < s_2$), an initial scale $a_0$ at or above the threshold
#   $\acirc = A(\kcirc) = s_2/c_2$ switches unlearning off entirely (insight (ii)), how
#   the unlearned amount decays to zero as $a_0 \to \acirc$, and why no $a_0$ does so when
#   $c_2 \le 0$;
# - how to compute phase diagrams over $(c_2, a_0)$ and $(c_2, s_2)$ with thousands of
#   integrations at once (`lib.sweep`), and how well the predicted boundaries match;
# - that the same picture holds for a real activation pair: a tanh student learning an
#   erf teacher whose cubic Hermite term we tune.
#
# **Where this sits.** The earlier chapters split the dynamics into a fast alignment and a
# slow drift of $a$ along the critical manifold $a = A(\kappa)$, and showed that the slow
# flow moves toward the maximiser of the explained variance $R(\kappa) = \phi^2/H$. Here we
# use that result as a tool: each insight is a question about *where the fast phase lands*
# relative to that maximiser.

# %% [markdown]
# The chapter's parameters: the running example ($\sigma = \He_1 + s\He_2$,
# $\sigma_* = \He_1 + c\He_2$), the time horizons, the ranges and grid sizes of the scans
# and phase diagrams (smaller under `CI`), and the threshold $\Delta_{\min}$ (`delta`)
# on the unlearned amount used to classify a run as "unlearning".

# %%
import os
from typing import NamedTuple

import matplotlib.patheffects as pe
import matplotlib.pyplot as plt
import numpy as np
from scipy import optimize

from lib.display import Md, plural, report, show_figure, show_params, table
from lib.hermite import erf, polynomial, tanh
from lib.manifold import CriticalManifold
from lib.plotting import (
    KAPPA,
    PALETTE,
    THEORY,
    a0_color,
    ordered_colors,
    use_book_style,
)
from lib.reduced import ReducedDynamics
from lib.sweep import integrate_batch

use_book_style()


class Params(NamedTuple):
    s: float = 0.5  # student's He_2 coefficient s_2
    c: float = 0.2  # teacher's He_2 coefficient c_2 for the a0 scan
    eps: float = 0.05  # second-layer / first-layer learning-rate ratio
    kappa0: float = 0.01  # initial alignment
    a0: float = 0.1  # small initial scale, for the scans over c_2
    horizon: float = 3000.0  # time horizon T of the phase diagrams
    long: float = 20000.0  # long horizon of the line scans
    horizons: tuple = (400.0, 1000.0)  # shorter horizons of the line scans
    t_dense: float = 200.0  # saved densely up to here, then geometrically
    n_t: int = 401  # saved times on each of the two stretches
    c_range: tuple = (-0.5, 1.0)  # teacher's c_2 in the scans
    a0_range: tuple = (0.05, 4.0)  # initial scales in the scans
    a0_marks: tuple = (0.1, 1.0, 2.0, 2.5)  # initial scales quoted
    n_scan: int = 61  # points of the line scans
    grid_ca: tuple = (100, 80)  # (c_2, a0) diagram
    c_range_cs: tuple = (-0.2, 1.0)  # teacher's c_2, (c_2, s_2) diagram
    s_range: tuple = (0.1, 1.0)  # student's s_2, (c_2, s_2) diagram
    grid_cs: tuple = (100, 70)  # (c_2, s_2) diagram
    degree: int = 15  # Hermite degree of tanh and erf
    c3_range: tuple = (-0.12, 0.06)  # teacher's c_3 in the tanh diagram
    a0_range_tanh: tuple = (0.05, 3.0)  # initial scales in the tanh diagram
    grid_tanh: tuple = (80, 60)  # (c_3, a0) diagram, tanh / erf
    delta: float = 1e-3  # unlearned if kappa_max - kappa(T) > delta
    band: float = 0.15  # relative band in a0 around the threshold
    eps_list: tuple = (0.02, 0.05, 0.1)  # exercise: learning-rate ratios
    n_fine: int = 61  # exercise: points of the fine a0 grid
    n_line: int = 301  # exercise: points of the grid of c


P = Params()
if "CI" in os.environ:  # continuous integration: small sizes, same claims
    P = P._replace(
        n_scan=31, grid_ca=(30, 24), grid_cs=(30, 20), grid_tanh=(24, 18)
    )
show_params(P)


# %% [markdown]
# Two small helpers build the running example, as one `ReducedDynamics` or as rows of
# Hermite coefficients for the batch integrator.


# %%
def example(c, s=P.s, eps=P.eps):
    """The running example as a ReducedDynamics."""
    return ReducedDynamics(polynomial(0, 1, c), polynomial(0, 1, s), eps)


def he2_rows(c):
    """Coefficient rows (0, 1, c) of He_1 + c He_2, one per value of c."""
    c = np.atleast_1d(np.asarray(c, dtype=float))
    return np.stack([np.zeros_like(c), np.ones_like(c), c], axis=1)


# %% [markdown]
# ## The running example in closed form
#
# With $\phi(\kappa) = \kappa + 2sc\,\kappa^2$ and $H(\kappa) = \kappa^2 + 2s^2\kappa^4$
# the explained-variance profile and its slope are
#
# $$
# \begin{aligned}
# R(\kappa) &= \frac{(1 + 2sc\,\kappa)^2}{1 + 2s^2\kappa^2},\\
# R'(\kappa) &= \frac{4s\,(1 + 2sc\,\kappa)}{(1 + 2s^2\kappa^2)^2}\,(c - s\kappa),
# \end{aligned}
# $$ (eq-ins-R)
#
# so (while $1 + 2sc\kappa > 0$) the only interior critical point is $\kcirc = c/s$, and
# it lies in $(0, 1)$ exactly when $0 < c < s$. The interior branch of the critical
# manifold and its value there are
#
# $$
# \begin{aligned}
# A(\kappa) &= \frac{2\phi'(\kappa)}{H'(\kappa)}
#   = \frac{1 + 4sc\,\kappa}{\kappa\,(1 + 4s^2\kappa^2)},\\
# \acirc &= A(\kcirc) = \frac{1 + 4c^2}{(c/s)(1 + 4c^2)} = \frac{s}{c}.
# \end{aligned}
# $$ (eq-ins-A)
#
# When $1 + 4sc > 0$, $A$ decreases on $(0, 1]$: the numerator of $A'$ is
# $-1 - 12 s^2\kappa^2 - 32 s^3 c\,\kappa^3$, negative for $c \ge 0$, and for $c < 0$ at
# least $-1 - 12s^2\kappa^2 + 8s^2\kappa^3 < 0$ because $s|c| < 1/4$. The branch is
# attracting there. Two facts finish the picture: the slow flow on the branch moves
# $\kappa$ in the direction of $R'(\kappa)$, and $A(1) = (1+4sc)/(1+4s^2)$ is where the
# branch meets $\kappa = 1$. We check all of this on the library's `CriticalManifold`,
# for the chapter's $s$ and $c$.

# %%
man = CriticalManifold(example(P.c))
A1 = man.transcritical_a()
hyp = P.s > 0 and 1 + 4 * P.s * P.c > 0  # phi' > 0 on [0, 1]
partial = 0 < P.c < P.s  # an interior rest point c/s
kappa_c = float(np.clip(P.c / P.s, 0, 1))  # kappa°, clipped to [0, 1]
a_c = P.s / P.c if partial else (np.inf if P.c <= 0 else 0.0)  # a°
k = np.linspace(0.05, 0.99, 400)
print("hypothesis 1 + 4sc > 0:", hyp, "| partial (0 < c < s):", partial)
if hyp:
    assert np.all(man.dA(k) < 0) and np.all(man.eigenvalue(k, man.A(k)) < 0)
    dk_slow, _ = man.slow_flow(k)
    assert np.all(np.sign(dk_slow) == np.sign(man.dR(k)))  # climbs R
    rest = man.rest_points()
    assert np.allclose(rest, [kappa_c]) if partial else rest.size == 0
    if partial:
        assert np.isclose(man.A(kappa_c), a_c)
report(
    ("ins-s", P.s, "student's s", ".2f"),
    ("ins-c", P.c, "teacher's c", ".2f"),
    ("ins-kappa-c", kappa_c, "rest point kappa° (clipped c/s)", ".3f"),
    ("ins-a-c", a_c, "threshold a° = s/c", ".3f"),
    ("ins-A1", A1, "A(1), where the branch meets kappa = 1", ".3f"),
)

# %% [markdown]
# For $s = $ {glue:text}`ins-s:.2f`, $c = $ {glue:text}`ins-c:.2f`:
# $\kcirc = $ {glue:text}`ins-kappa-c:.3f`, $\acirc = $ {glue:text}`ins-a-c:.3f` and
# $A(1) = $ {glue:text}`ins-A1:.3f`.
#
# ```{prf:proposition} Unlearning in the running example
# :label: prop-ins-boundary
#
# Let $s > 0$, $1 + 4sc \ge 0$ (so that $\phi' \ge 0$ on $[0, 1]$), $\kappa_0$ small and
# $\eps \to 0$. Feature unlearning (the alignment falls after its peak) happens if and
# only if
#
# $$
# c \le 0, \qquad\text{or}\qquad 0 < c < s \;\text{ and }\; a_0 < \acirc(c) = \frac{s}{c}.
# $$ (eq-ins-boundary)
#
# In the first case the unlearning is complete ($\kappa \to 0$, $a \to \infty$); in the
# second it is partial, to $\kcirc = c/s$, and the unlearned amount is
#
# $$
# \begin{aligned}
# \Delta(a_0) &= \kappa_{\rm land}(a_0) - \kcirc,\\
# \kappa_{\rm land}(a_0) &= \begin{cases} 1, & a_0 \le A(1),\\
#   A^{-1}(a_0), & a_0 > A(1). \end{cases}
# \end{aligned}
# $$ (eq-ins-delta)
# ```
#
# ```{prf:proof}
# With $a \approx a_0$ frozen during the fast phase, $\kappa$ climbs from $\kappa_0$ until
# the fast field $a(1-\kappa^2)[\phi' - aH'/2]$ vanishes: at $\kappa = 1$ if
# $a_0 \le A(1)$, otherwise at the point of the attracting branch where $A(\kappa) = a_0$
# (unique, since $A$ decreases). This is $\kappa_{\rm land}(a_0)$. Then the slow flow
# moves $\kappa$ along the branch in the direction of $R'$, that is toward $\kcirc$ by
# {eq}`eq-ins-R`. If $\kappa_{\rm land} > \kcirc$, equivalently $a_0 < A(\kcirc) = \acirc$,
# the alignment falls from its peak to $\kcirc$; otherwise it rises monotonically. For
# $c \le 0$, $R' < 0$ on $(0, 1]$ and $\kappa$ falls to $0$ whatever $a_0$ (as $t^{-1/3}$
# for $c < 0$, as $t^{-1/4}$ for $c = 0$); for $c \ge s$, $R' \ge 0$ and $\kappa$ rises
# to $1$. (The exit from $\kappa = 1$ is delayed, but it does happen when
# $A(1) < \abar$, that is when $c < s$; here $\abar = \phi(1)/H(1)$ is the value
# toward which $a$ grows while $\kappa = 1$, as in {doc}`dichotomy`.)
# ```
#
# For small $a_0$ the proposition reduces to the general criterion of the
# critical-manifold chapter, $R'(1) < 0$: with {eq}`eq-ins-R`, $R'(1) \propto c - s$, so
# unlearning happens iff $c < s$. For $c < 0$ the scaling laws of {doc}`scaling_laws`
# give, with $u_2 = 2sc$ and $r = 1$,
#
# $$
# a(t) \approx \big(3\eps\,|u_2|\,t\big)^{1/3}, \qquad
# \kappa(t) \approx \frac{1}{a(t)} = \big(6\eps\,s\,|c|\,t\big)^{-1/3}:
# $$ (eq-ins-cube)
#
# once the teacher's term opposes the student's, the stronger it is, the faster the
# alignment is lost.

# %% [markdown]
# ## Insight (i): the teacher's nonlinear term
#
# We scan $c = c_2$ over `c_range` at fixed $s$ and small $a_0$ with the vectorised
# integrator, saving the trajectories densely early on and geometrically later, up to the
# long horizon.

# %%
cs = np.linspace(*P.c_range, P.n_scan)
ts = np.unique(np.concatenate([
    np.linspace(0, P.t_dense, P.n_t),
    np.geomspace(P.t_dense, P.long, P.n_t),
]))
res = integrate_batch(he2_rows(cs), [0, 1, P.s], P.eps, P.kappa0, P.a0, ts)
t_mid = P.horizons[-1]  # an intermediate time
i_mid = np.searchsorted(ts, t_mid)
limit = np.clip(cs / P.s, 0, 1)  # kappa° = c/s, clipped: 0 for c <= 0
report(
    (None, res.n_steps.min(), "fewest steps of a point"),
    (None, res.n_steps.max(), "most steps of a point"),
)

# %% [markdown]
# Two measures of *speed*: when unlearning starts, the time $t_{\max}$ of the peak
# alignment (the integrator records it at every accepted step), compared with the naive
# onset time $t^*$ at which $a$, growing on $\kappa = 1$, crosses $A(1)$; and how fast it
# proceeds, the steepest fall $\max_t(-\dot\kappa)$, evaluated exactly from the vector
# field at the saved states. As the *final alignment* we report $\kappa$ at an
# intermediate time and at the long horizon. The claims checked below: among the runs
# that first learn the feature (peak alignment above $0.99$) and have unlearned by the
# long horizon (by more than $\Delta_{\min}$), unlearning starts later for larger $c$; it
# always starts after $t^*$; for $c \ge s$ the alignment never falls
# (and stays at $1$ when $a_0 < A(1)$); for $0 < c < s$ it approaches $\kcirc$ from
# above, closer at the long horizon than at the intermediate time.

# %%
rate, t_star = np.zeros(cs.size), np.full(cs.size, np.nan)
A1s = np.array([CriticalManifold(example(c)).transcritical_a() for c in cs])
for j, c in enumerate(cs):
    m = CriticalManifold(example(c))
    dk, _ = m.dyn.vector_field(res.kappa[j], res.a[j])
    rate[j] = max(0.0, -dk.min())
    if 0 < P.a0 < A1s[j] < m.abar():  # the naive onset exists
        t_star[j] = m.naive_onset_time(P.a0)
seen = res.unlearned > P.delta  # unlearned by the long horizon
unl = seen & (cs < P.s) & (res.kappa_max > 0.99)  # learned, then unlearned
assert np.all(np.diff(res.t_max[unl]) > 0), "starts later for larger c"
has_t = np.isfinite(t_star) & seen
assert np.all(res.t_max[has_t] > t_star[has_t])  # the exit is delayed
assert np.all(rate[cs >= P.s] < 1e-12)  # no fall at all for c >= s
assert np.all(res.kappa[(cs >= P.s) & (A1s > P.a0), -1] > 1 - 1e-9)
part = (cs > 0) & (cs < P.s) & seen  # partial, and started
gap_mid = res.kappa[part, i_mid] - limit[part]
gap_end = res.kappa[part, -1] - limit[part]
assert np.all(gap_end > -1e-6) and np.all(gap_end <= np.abs(gap_mid) + 1e-9)

# %% [markdown]
# The numbers the text quotes:

# %%
j_small = np.argmax(cs > 0.01)  # the smallest positive c of the scan
j_half = np.argmin(np.abs(cs - P.s / 2))  # c closest to s/2
report(
    ("ins-small-c", cs[j_small], "smallest positive c of the scan", ".2f"),
    ("ins-small-k", res.kappa[j_small, -1], "its kappa at the long horizon",
     ".3f"),
    ("ins-half-c", cs[j_half], "c closest to s/2", ".2f"),
    ("ins-half-k", res.kappa[j_half, -1], "its kappa at the long horizon",
     ".4f"),
    ("ins-rate-cmax", cs[np.argmax(rate)], "c of the steepest fall", ".2f"),
    ("ins-rate-max", rate.max(), "steepest fall max(-dkappa/dt)", ".4f"),
    ("ins-c-low", cs[0], "lowest c of the scan", ".1f"),
    ("ins-rate-low", rate[0], "steepest fall there", ".4f"),
    ("ins-kmax-low", res.kappa_max[0], "peak alignment there", ".2f"),
    ("ins-long", P.long, "long horizon", ".0f"),
    ("ins-t-mid", t_mid, "intermediate time", ".0f"),
)

# %% [markdown]
# For the runs that first learn the feature (peak above $0.99$), the onset time
# $t_{\max}$ grows monotonically with $c$ and diverges as $c \to s$. (Where the peak
# stays lower, $a_0$ is close to $A(1)$ or above it, and the peak marks the landing on
# the branch rather than an exit.) It always comes after $t^*$, by a lag of the order of
# the duration of the initial alignment from $\kappa_0$ ($t^*$ starts the network on
# $\kappa = 1$ at $t = 0$; while it
# aligns, $H(\kappa)$ and $\phi(\kappa)$ are small and $a$ hardly moves). The lag is
# longer for $c < 0$, where $a_0$ comes close to $A(1)$ or exceeds it. The steepest rate
# of the fall is largest at $c \approx$ {glue:text}`ins-rate-cmax:.2f` (rate
# {glue:text}`ins-rate-max:.4f`); at $c = $ {glue:text}`ins-c-low:.1f` it is
# {glue:text}`ins-rate-low:.4f`. At the defaults it is *not* monotone in $c$: for
# strongly negative $c$ the network never comes close to $\kappa = 1$ (its peak is only
# {glue:text}`ins-kmax-low:.2f` at $c = $ {glue:text}`ins-c-low:.1f`: $a$ crosses the
# shrinking $A(1)$ early, or starts above it, and the network lands on the branch), so
# the slide starts lower and more gently; what keeps growing with $|c|$ there is the rate
# of the *late* decay {eq}`eq-ins-cube`. The rate vanishes for $c \ge s$. For
# $0 < c < s$ the alignment approaches $\kcirc = c/s$ from above: at
# $c = $ {glue:text}`ins-half-c:.2f` it is {glue:text}`ins-half-k:.4f` at the long
# horizon $t = $ {glue:text}`ins-long:.0f`, but for small positive $c$ the slide has not
# finished: at $c = $ {glue:text}`ins-small-c:.2f` the alignment is still
# {glue:text}`ins-small-k:.3f` (the slow flow near a rest point close to $0$ is weak,
# since $R$ is flat there). For $c < 0$ we compare the alignment with the law
# {eq}`eq-ins-cube`, which is asymptotic: the ratio must move toward $1$ between the
# intermediate time and the long horizon.

# %%
neg = (cs < 0) & seen
law_mid, law_end = ((6 * P.eps * P.s * np.abs(cs[neg]) * t) ** (-1 / 3)
                    for t in (ts[i_mid], ts[-1]))
ratio_mid = res.kappa[neg, i_mid] / law_mid
ratio = res.kappa[neg, -1] / law_end
assert np.all(np.abs(ratio - 1) < np.abs(ratio_mid - 1))  # approaching
strong = cs[neg] <= -0.2  # the ratios the text quotes
report(
    ("ins-law-lo", ratio[strong].min(), "smallest kappa/law, c <= -0.2",
     ".3f"),
    ("ins-law-hi", ratio[strong].max(), "largest kappa/law, c <= -0.2",
     ".3f"),
)

# %% [markdown]
# At $t = $ {glue:text}`ins-long:.0f` the ratio of the integrated alignment to
# {eq}`eq-ins-cube` lies between {glue:text}`ins-law-lo:.3f` and
# {glue:text}`ins-law-hi:.3f` for $c \le -0.2$. For $c$ closer to $0$ the law is not yet
# reached: the next term of the slow field, $b_3\kappa^3 = 2s^2\kappa^3$, is comparable
# to $|u_2|\kappa^2$ unless $\kappa \ll |c|/s$, which takes very long times.
# {numref}`fig-ins-c2` collects the scan.

# %% tags=["remove-output"]
fig, (ax1, ax2, ax3) = plt.subplots(3, 1, figsize=(6.6, 7.5), sharex=True)
col = ordered_colors(3)
ax1.plot(cs, res.kappa_max, ":", color=col[0], label="peak")
ax1.plot(cs, res.kappa[:, i_mid], "o-", ms=4, color=col[1],
         label=f"$t = {t_mid:.0f}$")
ax1.plot(cs, res.kappa[:, -1], "s-", ms=4, color=col[2],
         label=f"$t = {P.long:.0f}$")
ax1.plot(cs, limit, "--", color=THEORY,
         label=r"$\kappa^\circ$ ($t\to\infty$)")
ax1.plot(cs[neg], law_end, "-.", color=PALETTE[1],
         label=r"law $(6\varepsilon s|c|t)^{-1/3}$")
ax1.set(ylabel=r"alignment $\kappa$", title="how far", ylim=(-0.04, 1.5),
        yticks=np.linspace(0, 1, 6))
ax1.legend(loc="upper center", ncols=3, fontsize=9.5, columnspacing=1.0)
ax2.semilogy(cs[unl], res.t_max[unl], "o-", ms=4, color=KAPPA,
             label=r"peak time $t_{\max}$")
ax2.semilogy(cs, t_star, "--", color=THEORY, label=r"naive onset $t^*$")
ax2.set(ylabel="time", title="when it starts")
ax2.legend(loc="upper left")
ax3.plot(cs, rate, "o-", ms=4, color=KAPPA)
ax3.axvline(P.s, color="0.4", ls=":", label="$c = s$")
ax3.set(xlabel="teacher's $c$", ylabel=r"$\max_t(-\dot\kappa)$",
        title="how fast")
ax3.legend(loc="upper right")
show_figure(fig, "fig-ins-c2")

# %% [markdown]
# ```{glue:figure} fig-ins-c2
# :name: fig-ins-c2
#
# Insight (i) in the running example ($s = $ {glue:text}`ins-s:.2f`,
# $a_0 = $ {glue:text}`ins-a0:.2f`).
# Top: peak alignment and alignment at two times against the teacher's $c$; the theory
# (dashed) is $\kcirc = c/s$ clipped to $[0, 1]$, and for $c < 0$ the alignment keeps
# falling as $t^{-1/3}$ (dash-dotted: {eq}`eq-ins-cube` at the long horizon). Middle:
# time of the peak, where unlearning starts (runs that first learn the feature), and
# the naive onset time $t^*$. Bottom:
# steepest unlearning rate; it vanishes at $c \ge s$.
# ```
#
# Reading the figure: a teacher whose quadratic term is *weaker* than the student's
# ($0 < c < s$) makes the network unlearn part of the feature, down to $c/s$; a teacher
# whose quadratic term *opposes* the student's ($c < 0$) makes it unlearn everything,
# sooner, and with a late decay $\kappa \approx (6\eps s|c|t)^{-1/3}$ whose prefactor
# $|c|^{-1/3}$ is smaller the stronger the opposing term. In our model "the strength of
# the primary nonlinear term" is therefore a *signed* strength relative to the student's:
# what drives unlearning is the sign and size of the mismatch $s - c$. Its sign decides
# whether the network unlearns at all (iff $c < s$, at small $a_0$); its size decides how
# much, the fraction $1 - c/s$ of the alignment for $0 < c < s$ and all of it once
# $c \le 0$, and how early the slide starts. A strong teacher term of the *same* sign as
# the student's ($c \ge s$) induces no unlearning at all. Note also how misleading a
# finite horizon is: at the intermediate time the partial cases are still far above
# $c/s$.

# %% [markdown]
# ## Insight (ii): the initial scale of the second layer
#
# Now $c$ is fixed and $a_0$ varies over `a0_range`. We integrate to the shorter horizons
# and to the long one and compare the unlearned amount $\max_t\kappa - \kappa(T)$ with
# the prediction {eq}`eq-ins-delta`, whose landing point solves $A(\kappa) = a_0$ on the
# decreasing branch. With $\kcirc$ clipped to $[0, 1]$ the prediction covers the other
# cases too: everything that was learned is unlearned for $c \le 0$, nothing for
# $c \ge s$.

# %%
a0s = np.unique(np.r_[np.linspace(*P.a0_range, P.n_scan), P.a0_marks])
horizons = (*P.horizons, P.long)
scan = {T: integrate_batch([0, 1, P.c], [0, 1, P.s], P.eps, P.kappa0, a0s,
                           [0.0, T])
        for T in horizons}
amount = {T: scan[T].unlearned for T in horizons}


def landing(a0):
    """The landing point: 1 below A(1), else the root of A = a0."""
    if a0 <= A1:
        return 1.0
    return optimize.brentq(lambda x: man.A(x) - a0, 1e-6, 1.0)


theory = np.array([max(landing(a) - kappa_c, 0.0) for a in a0s])

# %% [markdown]
# {numref}`tab-ins-amounts` lists the amounts at the initial scales `a0_marks`, for each
# horizon: an unlearned amount means nothing without its horizon. The claims checked
# below: nothing is unlearned for $a_0 \ge \acirc$, at any horizon; once the network
# lands on the branch ($a_0 \ge A(1)$) the amount decreases with $a_0$ at every horizon;
# and the integrated amount never exceeds the prediction {eq}`eq-ins-delta` (the network
# can only land lower than the frozen-$a$ landing point, since $a$ grows a little during
# the fast phase).

# %%
above = a0s >= a_c
landed = a0s >= A1
if hyp:
    for T in horizons:
        assert np.all(amount[T][above] < 1e-6)  # no unlearning at all
        assert np.all(np.diff(amount[T][landed]) <= 1e-9)  # decreasing
    assert np.all(amount[P.long] <= theory + 1e-6)
err = np.abs(amount[P.long] - theory)
far = np.abs(a0s - A1) > 0.5
marks = [int(np.flatnonzero(a0s == a)[0]) for a in P.a0_marks]
for i, T in enumerate(horizons):
    report(*[(f"ins-amt-{i}-{j}", amount[T][m], f"a0 = {a0s[m]:g}", ".3f")
             for j, m in enumerate(marks)],
           (f"ins-hor-{i}", T, "horizon", ".0f"),
           title=f"unlearned amount by T = {T:.0f}")
report(
    ("ins-amt-err", err.max(), "largest |amount - prediction|", ".3f"),
    ("ins-amt-err-at", a0s[np.argmax(err)], "at a0", ".2f"),
    ("ins-amt-err-far", err[far].max() if far.any() else np.nan,
     "largest farther than 0.5 from A(1)", ".3f"),
)
table(
    ["$a_0$"] + [f"$T = {T:.0f}$" for T in horizons],
    [[a0s[m]] + [amount[T][m] for T in horizons] for m in marks],
    caption="Unlearned amount $\\max_t\\kappa - \\kappa(T)$ by the horizon "
    f"$T$ ($c = {P.c:g}$, $s = {P.s:g}$).",
    name="tab-ins-amounts",
    fmt=["g"] + [".3f"] * len(horizons),
)

# %% [markdown]
# At $a_0 = 0.1$ the network has unlearned {glue:text}`ins-amt-0-0:.3f` by
# $T = $ {glue:text}`ins-hor-0:.0f`, {glue:text}`ins-amt-1-0:.3f` by
# $T = $ {glue:text}`ins-hor-1:.0f` and {glue:text}`ins-amt-2-0:.3f` by
# $T = $ {glue:text}`ins-hor-2:.0f`; at $a_0 = 2$ the same three horizons give
# {glue:text}`ins-amt-0-2:.3f`, {glue:text}`ins-amt-1-2:.3f` and
# {glue:text}`ins-amt-2-2:.3f`, and at $a_0 = 2.5$ nothing
# ({glue:text}`ins-amt-2-3:.3f` by $T = $ {glue:text}`ins-hor-2:.0f`). The word "final"
# needs a time: the slide to $\kcirc$ runs on the slow time $\eps t$ and its last part is
# slow, so any finite horizon under-reports the amount. The *qualitative* statements
# barely depend on it: nothing is unlearned for $a_0 \ge \acirc$, at any horizon, and
# the amount decreases with $a_0$ at every horizon for $a_0 \ge A(1)$. (Below $A(1)$ a
# short horizon shows a slight *increase* with $a_0$: a larger $a_0$ reaches $A(1)$
# sooner, leaves $\kappa \approx 1$ sooner and has slid further by time $T$.)
#
# :::{admonition} Both ends of the $a_0$ axis in a finite network
# :class: note
# These statements concern the one-$\kappa$ dynamics, in which all neurons share one
# alignment. {doc}`infinite_width` tests that reduction across neurons and finds two
# limits to it. Above $\acirc$ the fast phase lands below $\kcirc$, where the symmetric
# solution is unstable: a network started with $a_0 > s/c$ spreads its neurons into a
# population of zero loss with mean alignment $1/a_0$, by
# {eq}`eq-iw-spread-landing`, instead of creeping up the branch to $\kcirc$. At the
# other end, a neuron that starts below $\kappa_j = -a_0/\sqrt{\eps}$ is trapped and ends
# near $\kappa = -1$, so "small $a_0$" means $a_0 \gg \sqrt{\eps/d}$ in a network of
# dimension $d$.
# :::
#
# At the long horizon the integrated amount stays below the zeroth-order prediction
# {eq}`eq-ins-delta`, by at most {glue:text}`ins-amt-err:.3f` (at
# $a_0 = $ {glue:text}`ins-amt-err-at:.2f`) and by at most
# {glue:text}`ins-amt-err-far:.3f` farther than $0.5$ from $A(1)$. The reason is the
# frozen-$a$ approximation: $a$ grows by $O(\eps)$ times the duration of the fast phase
# before the landing, so the network lands a little lower on the branch than
# $A^{-1}(a_0)$. The effect is largest just above $A(1)$: there the branch meets
# $\kappa = 1$ at the transcritical point, the attraction toward it vanishes, the landing
# takes long, and $a$ has time to grow. {numref}`fig-ins-a0` shows trajectories and
# amounts.

# %% tags=["remove-output"]
fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(6.6, 7.0))
t_show = np.geomspace(1.0, P.long, 400)
lines = ["-", "--", "-.", ":"]
for i, a in enumerate(P.a0_marks):
    tr = example(P.c).integrate(P.kappa0, a, t_show)
    ax1.semilogx(t_show, tr.kappa, color=a0_color(a), ls=lines[i % 4],
                 label=f"$a_0 = {a:g}$")
if 0 < kappa_c < 1:
    ax1.axhline(kappa_c, color=THEORY, ls="--", lw=0.7, zorder=1,
                label=r"$\kappa^\circ$")
ax1.set(xlabel="time $t$", ylabel=r"alignment $\kappa$",
        title="trajectories")
ax1.legend(loc="upper right", ncols=2)
for T, mk, cl in zip(horizons, "o^s", ordered_colors(len(horizons))):
    ax2.plot(a0s, amount[T], mk + "-", ms=4, color=cl,
             label=f"integrated, $T = {T:.0f}$")
ax2.plot(a0s, theory, "--", color=THEORY,
         label=r"$\Delta(a_0)$, $T\to\infty$, $\varepsilon\to0$")
if np.isfinite(a_c) and a_c > 0:
    ax2.axvline(a_c, color="0.4", ls=":", label=r"$a^\circ = s/c$")
ax2.axvline(A1, color="0.4", ls="-.", label=r"$A(1)$")
ax2.set(xlabel="initial second-layer weight $a_0$",
        ylabel=r"$\max\kappa - \kappa(T)$", title="unlearned amount")
ax2.legend(loc="upper right")
show_figure(fig, "fig-ins-a0")

# %% [markdown]
# ```{glue:figure} fig-ins-a0
# :name: fig-ins-a0
#
# Insight (ii) in the running example ($s = $ {glue:text}`ins-s:.2f`,
# $c = $ {glue:text}`ins-c:.2f`). Top: the alignment for four initial scales $a_0$
# (thin dashed: $\kcirc$; the curve of a run started at $a_0 = \acirc$ lies on it).
# Bottom: the unlearned amount against $a_0$ at three horizons, and the prediction
# {eq}`eq-ins-delta`. Below $A(1)$ the fast phase reaches $\kappa \approx 1$ and the
# whole distance $1 - \kcirc$ is unlearned; between $A(1)$ and $\acirc$ the network
# lands on the branch, lower for larger $a_0$; above $\acirc$ nothing is unlearned.
# ```

# %% [markdown]
# ## Phase diagram over $(c_2, a_0)$
#
# {prf:ref}`prop-ins-boundary` predicts the whole plane. We integrate a grid to the
# horizon $T$ and call a run "unlearning" when $\max_t\kappa - \kappa(T) >
# \Delta_{\min}$. This criterion does not need the slide to be complete, only that the
# peak lies before the
# end. Near the predicted boundary the two classifications can differ for two reasons
# that the theory itself names, so we compare them away from it: within a band of
# relative width `band` around $a_0 = \acirc(c)$, where the predicted amount tends to zero
# and drops below $\Delta_{\min}$; and where the exit from $\kappa = 1$, delayed as the
# entry-exit relation of {doc}`dichotomy` predicts, comes after $T/2$ (it diverges as
# $c \to s$). The helper computes that predicted exit time.


# %%
def exit_time(dyn, a0):
    """Predicted time of the delayed exit from kappa = 1 (0: lands on the
    branch; inf: never leaves)."""
    m = CriticalManifold(dyn)
    A1_, abar = m.transcritical_a(), m.abar()
    if not 0 < a0 < A1_:
        return 0.0
    if A1_ >= abar:
        return np.inf
    return m.exit_tau(a0) / dyn.eps


cg = np.linspace(*P.c_range, P.grid_ca[0])
ag = np.linspace(*P.a0_range, P.grid_ca[1])
C, A0 = np.meshgrid(cg, ag, indexing="ij")
grid = integrate_batch(he2_rows(C.ravel()), [0, 1, P.s], P.eps, P.kappa0,
                       A0.ravel(), [0.0, P.horizon])
amt_ca = grid.unlearned.reshape(C.shape)
with np.errstate(divide="ignore"):
    a_star = np.where(C > 0, P.s / np.where(C > 0, C, 1), np.inf)  # a°(c)
pred_ca = (C < P.s) & (A0 < a_star)
seen_ca = amt_ca > P.delta
t_exit = np.array([exit_time(example(c), a) for c, a in
                   zip(C.ravel(), A0.ravel())]).reshape(C.shape)
valid = 1 + 4 * P.s * C > 0  # the hypothesis of the proposition
near = (np.abs(A0 / a_star - 1) < P.band) | (t_exit > P.horizon / 2)

# %% [markdown]
# Agreement between the two classifications, over the grid (where the proposition's
# hypothesis $1 + 4sc > 0$ holds) and away from the boundary:

# %%
ok = pred_ca == seen_ca
agree_all = np.mean(ok[valid])
agree_far = np.mean(ok[valid & ~near])
bad = valid & ~ok
report(
    ("ins-n-ca", int(valid.sum()), "grid points (hypothesis holds)"),
    ("ins-agree-ca", agree_all, "agreement", ".3f"),
    ("ins-agree-ca-far", agree_far, "agreement, away from it", ".3f"),
    ("ins-bad-ca", int(bad.sum()), "points that disagree"),
    ("ins-bad-ca-far", int((bad & ~near).sum()), "... away from it"),
    ("ins-T", P.horizon, "horizon T", ".0f"),
    ("ins-dc", cg[1] - cg[0], "grid spacing in c", ".3f"),
)
assert agree_far > 0.98
n_ca, n_bad, n_bad_far = int(valid.sum()), int(bad.sum()), int(
    (bad & ~near).sum())
if n_bad == 0:
    ca_text = (f"The classifications agree on all {n_ca} grid points. The "
               "theory names the places where they could differ:")
else:
    ca_text = (
        f"The classifications agree on {n_ca - n_bad} of the {n_ca} grid "
        f"points; {plural(n_bad, 'point')} disagree"
        f"{'s' if n_bad == 1 else ''} ({n_bad_far} away from the "
        "boundary). The disagreements lie where the theory puts them:")
report(("ins-ca-text", Md(ca_text), "in words"))

# %% [markdown]
# {glue:md}`ins-ca-text:myst` just below the curve $a_0 = s/c$, where the predicted amount
# $\Delta(a_0)$ tends to zero and drops below the threshold $\Delta_{\min}$ (and where the
# $O(\eps)$ growth of $a$ during the fast phase lowers the landing point a little), and
# just left of $c = s$, where the delayed exit from $\kappa = 1$ comes after the horizon
# $T = $ {glue:text}`ins-T:.0f` (the naive onset time grows like $\log\frac{1}{s - c}$ as
# $c \to s$, and the entry-exit delay with it). {numref}`fig-ins-phase-ca` shows the
# diagram.

# %%
halo = [pe.withStroke(linewidth=5, foreground="w")]  # visible on any shade
GRID_CMAP = "Blues"  # light where nothing is unlearned


def integrated_boundary(ax, x, y, amount, loc):
    """Draw where the integrated amount crosses delta; add the legend."""
    ax.contour(x, y, amount, levels=[P.delta], colors=[PALETTE[1]],
               linewidths=1.8)
    ax.plot([], [], color=PALETTE[1], lw=1.8,
            label=r"integrated: amount $= \Delta_{\min}$")
    ax.legend(loc=loc)


# %% tags=["remove-output"]
fig, ax = plt.subplots(figsize=(6.6, 5.0))
m = ax.pcolormesh(C, A0, amt_ca, shading="nearest", cmap=GRID_CMAP)
fig.colorbar(m, label=r"unlearned $\max\kappa - \kappa(T)$")
cc = np.linspace(P.s / P.a0_range[1], P.s, 200)
ax.plot(cc, P.s / cc, "--", color=THEORY, lw=2, path_effects=halo,
        label=r"theory: $a_0 = s/c$, $c = s$")
A1_s = CriticalManifold(example(P.s)).transcritical_a()  # A(1) at c = s
ax.plot([P.s, P.s], [P.a0_range[0], A1_s], "--", color=THEORY, lw=2,
        path_effects=halo)
ax.axvline(0, color=THEORY, ls=":", lw=1.5, path_effects=halo,
           label="$c = 0$: complete to the left")
ax.plot(C[bad], A0[bad], "x", color=PALETTE[1], ms=6, mew=1.8,
        label="classifications differ")
ax.set(xlabel="teacher's $c$", ylabel="$a_0$", ylim=P.a0_range)
integrated_boundary(ax, C, A0, amt_ca, "upper right")
show_figure(fig, "fig-ins-phase-ca")

# %% [markdown]
# ```{glue:figure} fig-ins-phase-ca
# :name: fig-ins-phase-ca
#
# Phase diagram over the teacher's $c$ and the initial scale $a_0$
# ($s = $ {glue:text}`ins-s:.2f`, horizon $T = $ {glue:text}`ins-T:.0f`). Shade:
# unlearned amount. Black dashed: the boundary of {prf:ref}`prop-ins-boundary`,
# unlearning to its left and below. Left of $c = 0$ the theory predicts complete
# unlearning for every $a_0$, but a large $a_0$ lands the network at a small alignment
# $\approx 1/a_0$, so the amount is small. Orange: the integrated boundary, where the
# amount crosses $\Delta_{\min}$, interpolated between grid points $c$ apart by
# {glue:text}`ins-dc:.3f`: near $c = s$ it can lie up to one spacing right of the
# theory's line although no grid point there unlearns. Crosses: grid points where the
# integrated and predicted classifications differ.
# ```

# %% [markdown]
# ## Phase diagram over $(c_2, s_2)$
#
# For small $a_0$ (below $A(1)$, so that the fast phase aligns the network fully) the
# criterion is $R'(1) < 0$, which `CriticalManifold.verdict()` evaluates for any pair; in
# the running example it reduces to $c_2 < s_2$, which the cell checks over the grid. At
# larger $a_0$ the prediction is that of {prf:ref}`prop-ins-boundary`. We compare it with
# integrations over a grid of $(c_2, s_2)$ (`c_range_cs` starts at $-0.2$, so that
# $\phi' > 0$ on $[0, 1]$ for every $s_2$ of `s_range`), away from the boundary as before:
# outside the band around $a_0 = \acirc = s_2/c_2$ and where the predicted exit from
# $\kappa = 1$ comes before $T/2$.

# %%
cg2 = np.linspace(*P.c_range_cs, P.grid_cs[0])
sg = np.linspace(*P.s_range, P.grid_cs[1])
C2, S2 = np.meshgrid(cg2, sg, indexing="ij")
pairs_cs = list(zip(C2.ravel(), S2.ravel()))
verdict = np.array([CriticalManifold(example(c, s)).verdict().unlearns
                    for c, s in pairs_cs]).reshape(C2.shape)
assert np.array_equal(verdict, C2 < S2)  # R'(1) < 0 iff c < s
runs = integrate_batch(he2_rows(C2.ravel()), he2_rows(S2.ravel()), P.eps,
                       P.kappa0, P.a0, [0.0, P.horizon])
amt_cs = runs.unlearned.reshape(C2.shape)
with np.errstate(divide="ignore"):
    a_star2 = np.where(C2 > 0, S2 / np.where(C2 > 0, C2, 1), np.inf)
pred_cs = (C2 < S2) & (P.a0 < a_star2)  # the proposition at a0
bad_cs = pred_cs != (amt_cs > P.delta)
late_cs = np.array([exit_time(example(c, s), P.a0) > P.horizon / 2
                    for c, s in pairs_cs]).reshape(C2.shape)
near_cs = late_cs | (np.abs(P.a0 / a_star2 - 1) < P.band)

# %% [markdown]
# The disagreements, and the agreement over the grid and away from the boundary. Every
# disagreement must be a point with $c_2 < s_2$ that the theory says unlearns but that
# has not unlearned by more than $\Delta_{\min}$ at the horizon, never the reverse.

# %%
agree_cs = np.mean(~bad_cs)
agree_cs_far = np.mean(~bad_cs[~near_cs])
report(
    ("ins-a0", P.a0, "initial scale a0", ".2f"),
    ("ins-agree-cs", agree_cs, "agreement", ".3f"),
    ("ins-agree-cs-far", agree_cs_far, "agreement away from the boundary",
     ".3f"),
    (None, int(bad_cs.sum()), "points that disagree"),
    ("ins-bad-cs-gap", (S2 - C2)[bad_cs].max() if bad_cs.any() else 0.0,
     "largest s_2 - c_2 among them", ".3f"),
)
assert agree_cs_far > 0.98 and np.all(S2[bad_cs] > C2[bad_cs])
assert np.all(pred_cs[bad_cs])  # late, never the reverse
n_bad_cs = int(bad_cs.sum())
if n_bad_cs:
    gap_cs = float((S2 - C2)[bad_cs].max())
    cs_text = (f"{plural(n_bad_cs, 'point')} disagree"
               f"{'s' if n_bad_cs == 1 else ''}, all at most {gap_cs:.3f} "
               "above the diagonal. Each is")
else:
    cs_text = "No point disagrees. A disagreement would be"
report(("ins-cs-text", Md(cs_text), "in words"))

# %% [markdown]
# The integrated classification agrees with the prediction on
# {glue:text}`ins-agree-cs:.3f` of the grid and on {glue:text}`ins-agree-cs-far:.3f` of
# the points away from the boundary. {glue:md}`ins-cs-text:myst` a point with
# $c_2 < s_2$ that the theory says unlearns but that has not yet left
# $\kappa \approx 1$ at the horizon: the delayed exit of the slow passage through the
# transcritical point takes longer than $T$ when $A(1)$ is close to $\abar$.
# {numref}`fig-ins-phase-cs` shows the diagram.

# %% tags=["remove-output"]
fig, ax = plt.subplots(figsize=(6.6, 5.0))
m = ax.pcolormesh(C2, S2, amt_cs, shading="nearest", cmap=GRID_CMAP)
fig.colorbar(m, label=r"unlearned $\max\kappa - \kappa(T)$")
slope = max(1.0, P.a0)  # the boundary s_2 = max(1, a0) c_2, for c_2 > 0
cb = np.linspace(max(P.c_range_cs[0], 0.0), P.c_range_cs[1], 100)
cb = cb[(slope * cb >= P.s_range[0]) & (slope * cb <= P.s_range[1])]
ax.plot(cb, slope * cb, "--", color=THEORY, lw=2, path_effects=halo,
        label=r"theory: $s_2 = \max(1, a_0)\,c_2$")
ax.plot(C2[bad_cs], S2[bad_cs], "x", color=PALETTE[1], ms=6, mew=1.8,
        label="classifications differ")
ax.set(xlabel="teacher's $c_2$", ylabel="student's $s_2$")
integrated_boundary(ax, C2, S2, amt_cs, "lower right")
show_figure(fig, "fig-ins-phase-cs")

# %% [markdown]
# ```{glue:figure} fig-ins-phase-cs
# :name: fig-ins-phase-cs
#
# Phase diagram over the teacher's $c_2$ and the student's $s_2$ at
# $a_0 = $ {glue:text}`ins-a0:.2f` (horizon $T = $ {glue:text}`ins-T:.0f`). Shade:
# unlearned amount; black dashed: the boundary of {prf:ref}`prop-ins-boundary`,
# $s_2 = \max(1, a_0)\,c_2$, unlearning above it (for $a_0 < 1$ it is the verdict
# boundary $R'(1) = 0$, $c_2 = s_2$). The amount grows
# away from the line (for $t \to \infty$ it is $1 - c_2/s_2$ when $0 < c_2 < s_2$).
# Orange: the integrated boundary (amount $= \Delta_{\min}$); crosses mark delayed exits
# beyond the horizon.
# ```

# %% [markdown]
# ## A real activation pair: tanh learning erf
#
# Odd activations have no $\He_2$ term, so for a tanh student the data's primary
# nonlinear term is the cubic one. We take the teacher $\sigma_* = \mathrm{erf}$ with its
# $\He_3$ coefficient replaced by a free $c_3$ (erf's own is
# {glue:text}`ins-c3-erf:.3f`; tanh's is $s_3 = $ {glue:text}`ins-s3-tanh:.3f`). Then
# $u_3 = 6 s_3 c_3$, and the critical-manifold machinery gives, for each $c_3$: the
# verdict $R'(1) < 0$, the rest point $\kcirc$ (the maximiser of $R$ below 1) and the
# threshold $\acirc = A(\kcirc)$.

# %%
student, base = tanh(P.degree), erf(P.degree)


def teacher(c3):
    """erf's Hermite coefficients with the He_3 one set to c3."""
    coeffs = base.coeffs.copy()
    coeffs[3] = c3
    return coeffs


def dyn3(c3):
    return ReducedDynamics(teacher(c3), student, P.eps)


c3_star = optimize.brentq(
    lambda c3: CriticalManifold(dyn3(c3)).verdict().dR1, -0.2, 0.0
)
assert not CriticalManifold(dyn3(base.coeffs[3])).verdict().unlearns
report(
    ("ins-c3-star", c3_star, "verdict flips at c_3*", ".4f"),
    ("ins-c3-erf", base.coeffs[3], "erf's own c_3", ".4f"),
    ("ins-s3-tanh", student.coeffs[3], "tanh's s_3", ".4f"),
)

# %% [markdown]
# The verdict flips at $c_3^* = $ {glue:text}`ins-c3-star:.4f`; erf's own coefficient
# {glue:text}`ins-c3-erf:.4f` lies below it, so a tanh network learning an erf teacher
# keeps its feature. Between $c_3^*$ and $0$ the slow flow has an interior rest point
# (partial unlearning, with a threshold $\acirc(c_3)$): there $u_3 > 0$, so the
# coefficient $b_3 = u_1v_2/v_1 - 2u_3 = -2u_3$ of the slow field near $\kappa = 0$
# ({doc}`scaling_laws`) is negative and pushes $a$ back. For $c_3 > 0$, $u_3 < 0$:
# $R' < 0$ on the whole interval, the unlearning is complete, and since $u_2 = 0$ and
# $b_3 > 0$ it is in the $t^{\pm1/4}$ class. We compute $\acirc(c_3)$, check these two
# cases, and integrate a grid over $(c_3, a_0)$.

# %%
c3g = np.linspace(*P.c3_range, P.grid_tanh[0])
ag3 = np.linspace(*P.a0_range_tanh, P.grid_tanh[1])


def a_threshold(c3):
    """a° = A(kappa°) for partial unlearning; 0 if no unlearning, inf if
    complete."""
    m3 = CriticalManifold(dyn3(c3))
    if not m3.verdict().unlearns:
        return 0.0
    rest = m3.rest_points()
    return float(m3.A(rest[-1])) if rest.size else np.inf


a_star3 = np.array([a_threshold(c3) for c3 in c3g])
inner = (c3g > c3_star) & (c3g < 0)  # partial: a finite threshold
assert np.all(np.isfinite(a_star3[inner]) & (a_star3[inner] > 0))
kk = np.linspace(1e-3, 1.0, 400)  # c3 > 0: R' < 0 on the whole interval
assert all(np.isinf(a_threshold(c3))
           and np.all(CriticalManifold(dyn3(c3)).dR(kk) < 0)
           for c3 in c3g[c3g > 0])
C3, A3 = np.meshgrid(c3g, ag3, indexing="ij")
runs3 = integrate_batch([teacher(c3) for c3 in C3.ravel()], student.coeffs,
                        P.eps, P.kappa0, A3.ravel(), [0.0, P.horizon])
amt3 = runs3.unlearned.reshape(C3.shape)

# %% [markdown]
# As before we compare the classifications away from the boundary: outside the band
# `band` in $a_0$ around $\acirc(c_3)$, where the predicted exit from $\kappa = 1$ comes
# before $T/2$, and away from $c_3 = 0$, where $\acirc$ diverges.

# %%
pred3 = A3 < a_star3[:, None]
bad3 = pred3 != (amt3 > P.delta)
fin3 = np.isfinite(a_star3) & (a_star3 > 0)
rel3 = np.abs(A3 / np.where(fin3, a_star3, 1)[:, None] - 1)
late3 = np.array([exit_time(dyn3(c3), a) for c3, a in
                  zip(C3.ravel(), A3.ravel())]).reshape(C3.shape)
near3 = ((rel3 < P.band) & fin3[:, None]) | (late3 > P.horizon / 2) | (
    np.abs(C3) < 0.01)
agree3, agree3_far = np.mean(~bad3), np.mean(~bad3[~near3])
report(
    ("ins-agree-3", agree3, "agreement", ".3f"),
    ("ins-agree-3-far", agree3_far, "agreement away from the boundary",
     ".3f"),
    (None, int(bad3.sum()), "points that disagree"),
    (None, int((bad3 & ~near3).sum()), "... away from the boundary"),
)
assert agree3_far > 0.98

# %% [markdown]
# Agreement: {glue:text}`ins-agree-3:.3f` over the grid,
# {glue:text}`ins-agree-3-far:.3f` away from the boundary. Where they disagree, it is
# in the places met above: just right of $c_3^*$, where the exit from $\kappa \approx 1$ is
# delayed beyond the horizon, and next to the curve $\acirc(c_3)$, where the unlearned
# amount tends to zero. {numref}`fig-ins-tanh` shows the diagram.

# %% tags=["remove-output"]
fig, ax = plt.subplots(figsize=(6.6, 5.0))
m = ax.pcolormesh(C3, A3, amt3, shading="nearest", cmap=GRID_CMAP)
fig.colorbar(m, label=r"unlearned $\max\kappa - \kappa(T)$")
c3f = np.linspace(c3_star + 1e-6, -1e-3, 120)
ax.plot(c3f, [a_threshold(c) for c in c3f], "--", color=THEORY, lw=2,
        path_effects=halo, label=r"theory: $a_0 = A(\kappa^\circ(c_3))$")
A1_star = CriticalManifold(dyn3(c3_star)).transcritical_a()
ax.plot([c3_star, c3_star], [0, A1_star], "-.", color=THEORY, lw=2,
        path_effects=halo, label="$c_3^*$: $R'(1) = 0$")
ax.axvline(base.coeffs[3], color=THEORY, ls=":", lw=1.5, path_effects=halo,
           label="erf's own $c_3$")
ax.plot(C3[bad3], A3[bad3], "x", color=PALETTE[1], ms=6, mew=1.8,
        label="classifications differ")
ax.set(xlabel=r"teacher's $\mathrm{He}_3$ coefficient $c_3$",
       ylabel="$a_0$",
       ylim=P.a0_range_tanh)
integrated_boundary(ax, C3, A3, amt3, "upper left")
show_figure(fig, "fig-ins-tanh")

# %% [markdown]
# ```{glue:figure} fig-ins-tanh
# :name: fig-ins-tanh
#
# Phase diagram for a tanh student and an erf teacher whose $\He_3$ coefficient is set
# to $c_3$ (horizon $T = $ {glue:text}`ins-T:.0f`). Shade: unlearned amount. Black: the
# verdict boundary $c_3 = c_3^*$ (dash-dotted) and the threshold
# $\acirc(c_3) = A(\kcirc)$ computed from the critical manifold (dashed); it diverges as
# $c_3 \to 0$, beyond which unlearning is complete for every $a_0$. Orange: the
# integrated boundary (amount $= \Delta_{\min}$); crosses: classifications that differ.
# ```

# %% [markdown]
# ## Summary
#
# - Both insights are statements about where the fast phase lands relative to the
#   maximiser $\kcirc$ of the explained variance $R$: unlearning happens iff the landing
#   point lies above it and the slow flow has somewhere lower to go.
# - Insight (i): in the running example the network unlearns iff $c_2 < s_2$ (small
#   $a_0$), partially to $c_2/s_2$ if $c_2 > 0$, completely if $c_2 \le 0$ with
#   $\kappa \sim (6\eps s_2|c_2|t)^{-1/3}$. Unlearning starts earlier the smaller $c_2$;
#   the steepest rate of the fall need not be monotone in $c_2$, but the late decay is
#   faster the larger $|c_2|$. What matters is the sign and size of the mismatch
#   $s_2 - c_2$: the teacher's nonlinear term *relative to the student's*. A strong
#   teacher term of the same sign prevents unlearning.
# - Insight (ii): for $0 < c_2 < s_2$ an initial scale $a_0 \ge \acirc = s_2/c_2$ switches
#   unlearning off; below it the amount decreases with $a_0$ as
#   $\kappa_{\rm land}(a_0) - \kcirc$. For $c_2 \le 0$ no $a_0$ prevents the slide: a
#   large $a_0$ only reduces the amount by a given time (the network starts low on the
#   branch).
# - An unlearned amount needs its horizon; the classifications do not, except near the
#   boundaries, where the disagreements have two causes that the theory predicts: the
#   $O(\eps)$ drift of $a$ during the fast phase and exits from $\kappa = 1$ delayed
#   beyond the horizon.
# - The vectorised integrator `lib.sweep` makes each diagram a few seconds of work.
#
# ## Exercises
#
# ```{exercise}
# :label: ex-ins-eps
#
# {prf:ref}`prop-ins-boundary` is a statement for $\eps \to 0$. For the chapter's $c$
# and for each $\eps$ of `eps_list` ($0.02$, $0.05$, $0.1$ by default), find the smallest
# $a_0$ on a fine grid at which the unlearned amount (at the horizon $1000/\eps$) is below
# $\Delta_{\min}$. How far from $\acirc = s/c$ is it, and in which direction does it
# move with $\eps$?
# ```
#
# ```{solution-start} ex-ins-eps
# :class: dropdown
# ```

# %%
if partial:  # a finite threshold a° = s/c to look for
    fine = np.linspace(0.8 * a_c, 1.04 * a_c, P.n_fine)
    first = []
    for e in P.eps_list:
        amt_e = integrate_batch([0, 1, P.c], [0, 1, P.s], e, P.kappa0, fine,
                                [0.0, 1000 / e]).unlearned
        first.append(fine[np.argmax(amt_e <= P.delta)])
    report(*[(None, v, f"threshold at eps = {e:g}", ".3f")
             for e, v in zip(P.eps_list, first)],
           (None, a_c, "a° = s/c", ".3f"))
    order = np.argsort(P.eps_list)
    assert np.all(np.diff(np.array(first)[order]) <= 0)  # lower, larger eps
    assert all(0 <= a_c - v <= 0.05 * a_c for v in first)
else:
    print("no finite threshold: c is not in (0, s)")

# %% [markdown]
# The threshold sits at $\acirc$ to within the grid step for small $\eps$ and moves
# slightly below it as $\eps$ grows: the drift of $a$ during the fast phase, of order
# $\eps$, lowers the landing point. The boundary of the proposition is robust.
#
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ex-ins-cubic
#
# Replace the running example's quadratic terms by cubic ones: student $\He_1 + s\He_3$,
# teacher $\He_1 + c\He_3$. Use `CriticalManifold.verdict()` to find, for the chapter's
# $s$, the values of $c$ for which a network started at small $a_0$ unlearns, and
# compare with the analogue of "$c < s$".
# ```
#
# ```{solution-start} ex-ins-cubic
# :class: dropdown
# ```

# %%
c_lo = max(P.c_range[0], -1 / (6 * P.s) + 0.01)  # keep 1 + 6sc > 0
cc3 = np.linspace(c_lo, P.c_range[1], P.n_line)
unl3 = np.array([CriticalManifold(ReducedDynamics(
    polynomial(0, 1, 0, c), polynomial(0, 1, 0, P.s))).verdict().unlearns
    for c in cc3])
edge = cc3[np.flatnonzero(unl3)[-1]] if unl3.any() else np.nan
report((None, edge, "largest c that unlearns", ".3f"),
       (None, P.s, "s", ".3f"))
if c_lo < P.s < P.c_range[1]:  # the threshold c = s lies inside the grid
    assert abs(edge - P.s) <= cc3[1] - cc3[0]

# %% [markdown]
# With $u = (0, 1, 0, 6sc)$ and $v = (0, 1, 0, 6s^2)$,
# $R'(1) = 24 s (1 + 6sc)(c - s)/(1 + 6s^2)^2$, so $R'(1) < 0$ iff $c < s$ when
# $1 + 6sc > 0$: again the teacher's nonlinear term must be weaker than the student's.
#
# ```{solution-end}
# ```

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
# # Scaling laws of unlearning
#
# **What you will learn.**
#
# - how to expand the slow flow on the interior branch of the critical manifold near
#   $\kappa = 0$, for any pair of activation and link written in Hermite polynomials;
# - why the *lowest non-zero term* of that expansion decides everything: complete unlearning
#   with $a \propto t^{1/p}$ and $\kappa \propto t^{-1/p}$, or an alignment that stays
#   positive; and how to compute the exponent $1/p$ and the prefactor;
# - that integrations to $t = 10^8$ follow these laws (fitted exponents within $0.01$ of the
#   theory, prefactors within a fraction of a percent), and that even the first correction
#   to the law is predicted;
# - how the strength $|c_2|$ of the primary nonlinear term of the data sets the speed of
#   unlearning (insight (i) of {cite}`imai2026dichotomy`), seen as a collapse of curves;
# - why a student with a constant mode, such as ReLU, never unlearns completely: its constant
#   output acts as an exact weight decay on $a$.
#
# **Where this sits in the argument.** The previous chapters split the reduced dynamics into
# a fast equation for the alignment $\kappa$ and a slow equation for the second-layer weight
# $a$, and showed that after the alignment phase the state slides along the interior branch
# $a = A(\kappa)$ of the critical manifold. When the profile $R(\kappa) = \phi^2/H$ has no
# maximum in $(0, 1)$, the slide never stops: the network *unlearns* the feature
# completely, $\kappa \to 0$, while $a \to \infty$. This chapter asks *how fast*. The answer is
# a family of power laws; the paper we follow reports scaling laws of unlearning
# {cite}`imai2026dichotomy`, and we derive ours in the model of this book, whose laws need
# not coincide with theirs.

# %% [markdown]
# ## Parameters
#
# Every integration below is a single call of the stiff solver in
# $u = \operatorname{artanh}\kappa$ and takes a fraction of a second even to $t = 10^8$, so CI keeps the
# final time and only thins the grids and the network run.

# %%
import os
from typing import NamedTuple

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML
from myst_nb import glue

from lib.hermite import HermiteSeries, erf, polynomial, relu, tanh
from lib.manifold import CriticalManifold
from lib.plotting import glue_figure
from lib.reduced import ReducedDynamics
from lib.scaling import (branch_expansion, finite_width_dynamics, local_exponent, loglog_fit,
                         scaling_law)
from lib.simulate import simulate_network


class Params(NamedTuple):
    s: float = 0.5                 # student  sigma  = He_1 + s He_2
    c: float = -0.3                # teacher  sigma* = He_1 + c He_2 (c < 0: the 1/3 class)
    eps: float = 0.05              # learning-rate ratio
    kappa0: float = 0.01           # initial alignment
    a0: float = 0.1                # initial second-layer weight
    t_end: float = 1e8             # final time of the long integrations
    n_t: int = 321                 # log-spaced record times in [1, t_end]
    fit_from: float = 1e7          # exponents are fitted on [fit_from, t_end]: the last decade
    c_list: tuple = (-0.1, -0.2, -0.3, -0.5, -1.0)  # strengths of He_2 for the collapse
    n_s0: int = 13                 # constant-mode strengths s_0 in [1e-4, 0.4]
    net_width: int = 256           # network: N
    net_dim: int = 128             # d
    net_batch: int = 2048          # B
    net_lr: float = 0.1            # eta
    net_time: float = 200.0        # final time of the network run
    net_seeds: int = 2             # independent networks


P = (Params(n_t=161, n_s0=7, net_width=128, net_dim=64, net_batch=1024, net_seeds=1)
     if "CI" in os.environ else Params())
T = np.geomspace(1.0, P.t_end, P.n_t)
P

# %% [markdown]
# ## The slow flow near $\kappa = 0$
#
# Recall the reduced dynamics, with $u_k = k!\,s_k c_k$ and $v_k = k!\,s_k^2$,
# $\phi(\kappa) = \sum_k u_k\kappa^k$ and $H(\kappa) = \sum_k v_k\kappa^{2k}$:
#
# $$
# \dot\kappa = a(1-\kappa^2)\big[\phi'(\kappa) - \tfrac12 aH'(\kappa)\big], \qquad
# \dot a = \eps\big[\phi(\kappa) - aH(\kappa)\big].
# $$ (eq-sl-ode)
#
# On the interior branch $a = A(\kappa) = 2\phi'(\kappa)/H'(\kappa)$ of the critical manifold
# the slow variable moves with
#
# $$
# \dot a = \eps F(\kappa), \qquad F(\kappa) = \phi(\kappa) - A(\kappa)H(\kappa).
# $$ (eq-sl-F)
#
# Throughout this section $c_0 = 0$ (the teacher is centred) and $u_1 = s_1c_1 > 0$; the
# student may have a constant mode $s_0$, whose weight $v_0 = s_0^2$ we keep. Since $H$ is
# even, $H'(\kappa) = \kappa Q(\kappa)$ with a polynomial $Q$, $Q(0) = 2v_1 \neq 0$, and
#
# $$
# A(\kappa) = \frac{2\phi'(\kappa)}{\kappa\,Q(\kappa)}, \qquad
# F(\kappa) = \frac{\kappa\,\phi(\kappa)\,Q(\kappa) - 2\phi'(\kappa)H(\kappa)}{\kappa\,Q(\kappa)}
# $$ (eq-sl-laurent)
#
# are Laurent series in $\kappa$ that start at $\kappa^{-1}$. Dividing the power series gives
# the first terms.
#
# :::{prf:proposition} The branch and the slow field near $\kappa = 0$
# :label: prop-sl-expansion
#
# Let $r = u_1/v_1 = c_1/s_1 > 0$. Then
#
# $$
# A(\kappa) = \frac{r}{\kappa} + \frac{2u_2}{v_1}
#   + \Big(\frac{3u_3}{v_1} - \frac{2u_1v_2}{v_1^2}\Big)\kappa + O(\kappa^2),
# $$ (eq-sl-A)
#
# $$
# F(\kappa) = -\frac{v_0\,r}{\kappa} - \frac{2u_2v_0}{v_1} + O(v_0\,\kappa)
#   \;-\; u_2\,\kappa^2 \;+\; \Big(\frac{u_1v_2}{v_1} - 2u_3\Big)\kappa^3 + O(\kappa^4).
# $$ (eq-sl-Fexp)
#
# In particular, for a centred student ($s_0 = 0$), $F = b_2\kappa^2 + b_3\kappa^3 + \dots$
# with $b_2 = -u_2$ and $b_3 = u_1v_2/v_1 - 2u_3$, as stated in the working notes.
# :::
#
# :::{prf:proof}
# Write $\phi' = u_1 + 2u_2\kappa + 3u_3\kappa^2 + \dots$ and
# $Q = 2v_1(1 + 2(v_2/v_1)\kappa^2 + \dots)$; then
# $A = (v_1\kappa)^{-1}(u_1 + 2u_2\kappa + 3u_3\kappa^2)(1 - 2(v_2/v_1)\kappa^2) + O(\kappa^2)$,
# which is {eq}`eq-sl-A`. Multiply by $H = v_0 + v_1\kappa^2 + v_2\kappa^4 + \dots$: the part
# $v_0A$ gives the $v_0$ terms, and the rest is
# $u_1\kappa + 2u_2\kappa^2 + (3u_3 - u_1v_2/v_1)\kappa^3 + O(\kappa^4)$. Subtracting it from
# $\phi = u_1\kappa + u_2\kappa^2 + u_3\kappa^3 + \dots$ gives {eq}`eq-sl-Fexp`.
# :::
#
# `lib.scaling.branch_expansion` carries the division {eq}`eq-sl-laurent` to any order for
# any Hermite pair. We check it against the closed forms of the proposition, for the running
# example in its $1/3$ class and for a tanh student against $\He_1 + 0.3\He_3$, and against
# a direct evaluation of $\phi - AH$ at small $\kappa$.

# %%
def pair(teacher, student, eps=P.eps):
    return ReducedDynamics(teacher, student, eps=eps)


run = pair(polynomial(0, 1, P.c), polynomial(0, 1, P.s))
th = pair(polynomial(0, 1, 0, 0.3), tanh(9))
for dyn in (run, th):
    u, v, F = dyn.u, np.pad(dyn.v, (0, 2)), branch_expansion(dyn).F
    assert abs(F.coef(2) + u[2]) < 1e-12
    assert abs(F.coef(3) - (u[1] * v[2] / v[1] - 2 * np.pad(u, (0, 2))[3])) < 1e-12
    k = np.array([1e-3, 1e-2, 5e-2])
    direct = dyn.phi(k) - CriticalManifold(dyn).A(k) * dyn.H(k)
    assert np.allclose(F(k), direct, rtol=1e-8, atol=1e-15)
print("running example F coefficients (kappa^-1 ...):", np.round(branch_expansion(run).F.coeffs[:6], 6))
print("tanh / He1+0.3He3 F coefficients:            ", np.round(branch_expansion(th).F.coeffs[:6], 6))

# %% [markdown]
# ## From the expansion to a power law
#
# For a centred student let $b_m\kappa^m$ be the lowest non-zero term of $F$ (so $m \ge 2$).
# On the branch, $\kappa \approx r/a$ by {eq}`eq-sl-A`, and {eq}`eq-sl-F` becomes a closed
# equation for $a$ alone.
#
# :::{prf:proposition} Scaling laws of unlearning
# :label: prop-sl-law
#
# If $b_m > 0$, then along the branch $a \to \infty$, $\kappa \to 0$ and, with $p = m+1$,
#
# $$
# a(t) \simeq K t^{1/p}, \qquad K = \big(p\,\eps\, b_m\, r^{m}\big)^{1/p}, \qquad
# \kappa(t) \simeq \frac{r}{K}\, t^{-1/p}.
# $$ (eq-sl-law)
#
# The next order is a constant shift,
#
# $$
# a(t) = K t^{1/p} + \alpha_0 + \frac{r\,b_{m+1}}{m\,b_m} + o(1),
# $$ (eq-sl-shift)
#
# with $\alpha_0 = 2u_2/v_1$ the constant term of {eq}`eq-sl-A`. If $b_m < 0$, the slow flow
# pushes $a$ back down near $\kappa = 0$ and the alignment cannot reach $0$.
# :::
#
# :::{prf:proof}
# With $\kappa = r/a + O(a^{-2})$, $\dot a = \eps b_m r^m a^{-m}(1 + O(1/a))$, so
# $\frac{d}{dt}\,a^{p}/p = \eps b_m r^m(1 + O(1/a))$ and $a^p \simeq p\eps b_m r^m t$. For the
# shift write $x = a - \alpha_0$, so that $\kappa = r/x + O(x^{-3})$ and
# $\dot x = \eps b_m r^m x^{-m}(1 + \beta r/x + O(x^{-2}))$, $\beta = b_{m+1}/b_m$. Then
# $x^p/p - \beta r x^{m}/m = \eps b_m r^m t + O(x^{m-1})$; inserting $x = Kt^{1/p} + \delta$
# gives $\delta = \beta r/m$.
# :::
#
# The two cases named in the working notes are $m = 2$ and $m = 3$:
#
# $$
# u_2 < 0:\ a \simeq \big(3\eps|u_2|\,r^2 t\big)^{1/3}; \qquad
# u_2 = 0,\ C = \tfrac{u_1v_2}{v_1} - 2u_3 > 0:\ a \simeq \big(4\eps C\, r^3 t\big)^{1/4},
# $$ (eq-sl-theory)
#
# and for the running example with $c = 0$, $C = 2s^2$ and $a \simeq (8\eps s^2t)^{1/4}$. The
# general prefactor of {eq}`eq-sl-law` reproduces all three formulas exactly:

# %%
law_run = scaling_law(run)
zero = pair(polynomial(0, 1, 0.0), polynomial(0, 1, P.s))
law_zero, law_th = scaling_law(zero), scaling_law(th)
assert (law_run.kind, law_run.p, law_zero.p, law_th.p) == ("complete", 3, 4, 4)
r = law_run.r
assert np.isclose(law_run.prefactor_a(P.eps), (3 * P.eps * abs(run.u[2]) * r**2) ** (1 / 3), rtol=1e-13)
assert np.isclose(law_zero.prefactor_a(P.eps), (8 * P.eps * P.s**2) ** 0.25, rtol=1e-13)
C_th = th.u[1] * th.v[2] / th.v[1] - 2 * th.u[3]
assert np.isclose(law_th.prefactor_a(P.eps), (4 * P.eps * C_th * law_th.r**3) ** 0.25, rtol=1e-13)
print(f"K (1/3 class) = {law_run.prefactor_a(P.eps):.5f},  K (c=0) = {law_zero.prefactor_a(P.eps):.5f},"
      f"  K (tanh) = {law_th.prefactor_a(P.eps):.5f}")

# %% [markdown]
# So the prefactors of the working notes are right, factors included. They are predictions for the
# branch, that is for $\eps \to 0$; the trajectories below run at $\eps = 0.05$. Near
# $\kappa = 0$ the branch attracts more and more strongly (the fast eigenvalue grows like
# $a^2 v_1$) while the slow drift fades, so the slow manifold closes in on the branch and the
# laws should hold at finite $\eps$ as $t \to \infty$.
#
# ## Long integrations
#
# We integrate the three pairs to $t = 10^8$, fit $\log a$ and $\log\kappa$ against $\log t$
# on the last decade, and compare the measured $a$ at the final time with {eq}`eq-sl-law`.

# %%
cases = {"running, c = -0.3": run, "running, c = 0": zero, "tanh vs He1 + 0.3 He3": th}
traj = {name: dyn.integrate(P.kappa0, P.a0, T) for name, dyn in cases.items()}
fits = {}
for name, dyn in cases.items():
    law, tr = scaling_law(dyn), traj[name]
    ga, _ = loglog_fit(T, tr.a, P.fit_from)
    gk, _ = loglog_fit(T, tr.kappa, P.fit_from)
    ratio = tr.a[-1] / law.a(T[-1], P.eps)
    fits[name] = (law.exponent_a, ga, gk, ratio, tr.a[-1] - law.a(T[-1], P.eps), law.shift_a())
    print(f"{name:24s} 1/p = {law.exponent_a:.4f}  fit a: {ga:.5f}  fit kappa: {gk:.5f}"
          f"  a/law = {ratio:.5f}  shift: {fits[name][4]:+.4f} (predicted {law.shift_a():+.4f})")

# %% [markdown]
# Every fitted exponent of $a$ and of $\kappa$ lies within $0.01$ of $\pm1/p$ (the
# largest deviation is {glue:text}`sl_maxdev:.4f`), and the measured $a(10^8)$ is within
# {glue:text}`sl_maxratio:.2f` % of the law {eq}`eq-sl-law`. The tanh student in the $1/4$
# class has a fitted exponent {glue:text}`sl_tanh_slope:.4f` on the last decade and a local
# exponent {glue:text}`sl_tanh_local:.4f` at $t = 10^8$, against the $0.2501$ recorded in
# the working notes (the exact figure depends on the window; it converges to $1/4$ as $t$ grows), and
# its prefactor agrees to {glue:text}`sl_tanh_ratio:.3f` %, within the $0.1\,\%$ stated there.

# %%
maxdev = max(max(abs(f[1] - f[0]), abs(f[2] + f[0])) for f in fits.values())
maxratio = 100 * max(abs(f[3] - 1) for f in fits.values())
assert maxdev < 0.01 and maxratio < 0.5
tr_th = traj["tanh vs He1 + 0.3 He3"]
tanh_local = local_exponent(T, tr_th.a)[-1]
assert abs(tanh_local - 0.25) < 0.001 and abs(fits["tanh vs He1 + 0.3 He3"][3] - 1) < 1e-3
glue("sl_maxdev", float(maxdev), display=False)
glue("sl_maxratio", float(maxratio), display=False)
glue("sl_tanh_slope", float(fits["tanh vs He1 + 0.3 He3"][1]), display=False)
glue("sl_tanh_local", float(tanh_local), display=False)
glue("sl_tanh_ratio", float(100 * abs(fits["tanh vs He1 + 0.3 He3"][3] - 1)), display=False)

# %% [markdown]
# The residual $a(t) - Kt^{1/p}$ is the next-order term {eq}`eq-sl-shift`. For the $1/3$
# class the prediction is $\alpha_0 + rb_3/(2b_2) = $ {glue:text}`sl_shift_pred:.4f`; the
# measured residual is {glue:text}`sl_shift_meas:.4f` at $t = 10^8$ and still approaches the
# prediction like $1/a$ (the right panel of {numref}`fig-sl-laws`). For the two $1/4$ cases
# the predicted shift vanishes ($\alpha_0 = 0$ and $b_4 = 0$) and the residuals shrink
# toward zero in the same way.

# %%
res = {name: traj[name].a - scaling_law(dyn).a(T, P.eps) for name, dyn in cases.items()}
late = T >= 1e5
for name, dyn in cases.items():  # the gap to the predicted shift decays like 1/a
    gap = np.abs(res[name] - scaling_law(dyn).shift_a())[late]
    assert gap[-1] < gap[0] and gap[-1] * traj[name].a[-1] < 10
glue("sl_shift_pred", float(law_run.shift_a()), display=False)
glue("sl_shift_meas", float(res["running, c = -0.3"][-1]), display=False)

# %% [markdown]
# {numref}`fig-sl-laws` shows the three trajectories, their local exponents
# $d\log a/d\log t$ and the residuals.

# %%
fig, ax = plt.subplots(1, 3, figsize=(13, 3.8))
for (name, dyn), col in zip(cases.items(), ("C0", "C1", "C2")):
    tr, law = traj[name], scaling_law(dyn)
    ax[0].loglog(T, tr.a, col, label=name)
    ax[0].loglog(T[T > 10], law.a(T[T > 10], P.eps), col + "--", lw=1)
    ax[1].semilogx(T, local_exponent(T, tr.a), col)
    ax[2].semilogx(T[late], res[name][late], col)
    ax[2].axhline(law.shift_a(), color=col, ls=":", lw=1)
for y in (1 / 3, 1 / 4):
    ax[1].axhline(y, color="k", ls=":", lw=1)
ax[1].set_ylim(0, 1.0)
ax[0].set(xlabel="time $t$", ylabel="second-layer weight $a$")
ax[1].set(xlabel="time $t$", ylabel=r"local exponent $d\log a/d\log t$")
ax[2].set(xlabel="time $t$", ylabel=r"residual $a - K t^{1/p}$")
ax[0].legend(fontsize=8)
fig.tight_layout()
glue_figure("sl_laws_fig", fig)

# %% [markdown]
# ```{glue:figure} sl_laws_fig
# :name: fig-sl-laws
#
# Unlearning to $t = 10^8$ ($\eps = 0.05$, $\kappa_0 = 0.01$, $a_0 = 0.1$). Left: $a(t)$ (solid)
# and the laws {eq}`eq-sl-law` (dashed) for the running example with $c = -0.3$ ($1/3$
# class), with $c = 0$ ($1/4$ class) and for a tanh student against $\He_1 + 0.3\He_3$
# ($1/4$ class). Middle: local exponents, which settle on $1/3$ and $1/4$ (dotted) only after
# several decades. Right: the residual $a - Kt^{1/p}$ approaching the shift {eq}`eq-sl-shift`
# (dotted).
# ```
#
# The middle panel is a warning for anyone fitting exponents to experiments: the local
# exponent overshoots after the alignment phase and needs three to four decades to settle.
# A fit over $10^2 \le t \le 10^3$ reports {glue:text}`sl_early_slope:.2f` for the running
# example, not $1/3$.

# %%
early_slope = loglog_fit(T, traj["running, c = -0.3"].a, 1e2, 1e3)[0]
assert early_slope > 0.4
glue("sl_early_slope", float(early_slope), display=False)

# %% [markdown]
#
# ## The strength of the primary nonlinear term sets the pace
#
# Insight (i) of the paper is that the strength of the primary nonlinear term of the data
# induces unlearning. In the $1/3$ class the law {eq}`eq-sl-law` makes this quantitative:
# $a^3 \simeq 3\eps r^2\,|u_2|\,t$ with $|u_2| = 2s_2|c_2|$, so the *time* needed to unlearn
# down to a given alignment is inversely proportional to $|c_2|$. If so,
# $a(t)/(|u_2|t)^{1/3}$ should collapse onto the constant $(3\eps r^2)^{1/3}$ for every $c_2 < 0$.

# %%
coll = {}
for c in P.c_list:
    dyn = pair(polynomial(0, 1, c), polynomial(0, 1, P.s))
    tr, law = dyn.integrate(P.kappa0, P.a0, T), scaling_law(dyn)
    scale = (abs(dyn.u[2]) * T) ** (1 / 3)
    coll[c] = (tr.a / scale, (tr.a - law.shift_a()) / scale)
target = (3 * P.eps * 1.0**2) ** (1 / 3)
raw = np.array([v[0][-1] for v in coll.values()]) / target - 1
shifted = np.array([v[1][-1] for v in coll.values()]) / target - 1
print("relative deviation at t_end, raw:", np.round(raw, 4), " shift-corrected:", np.round(shifted, 5))
assert np.max(np.abs(raw)) < 0.03 and np.max(np.abs(shifted)) < 0.003
assert np.argmax(np.abs(raw)) == np.argmin(np.abs(P.c_list))  # slowest for the weakest |c_2|
glue("sl_coll_raw", float(100 * np.max(np.abs(raw))), display=False)
glue("sl_coll_shift", float(100 * np.max(np.abs(shifted))), display=False)

# %% [markdown]
# At $t = 10^8$ the curves agree with the constant to {glue:text}`sl_coll_raw:.1f` %, and to
# {glue:text}`sl_coll_shift:.2f` % once the shift {eq}`eq-sl-shift` is removed
# ({numref}`fig-sl-collapse`). The raw collapse is slowest for the weakest $|c_2|$, because
# the shift $rb_3/(2b_2) \propto 1/|c_2|$ is largest there.

# %%
fig, ax = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
for c, (y_raw, y_sh) in coll.items():
    ax[0].semilogx(T, y_raw, label=f"$c_2 = {c}$")
    ax[1].semilogx(T, y_sh)
for a_ in ax:
    a_.axhline(target, color="k", ls=":", lw=1)
    a_.set(xlabel="time $t$", ylim=(0, 1.2 * target))
ax[0].set(ylabel=r"$a(t)\,/\,(|u_2|\,t)^{1/3}$", title="raw")
ax[1].set(title="shift removed: $(a - \\mathrm{shift})/(|u_2| t)^{1/3}$")
ax[0].legend(fontsize=8)
fig.tight_layout()
glue_figure("sl_collapse_fig", fig)

# %% [markdown]
# ```{glue:figure} sl_collapse_fig
# :name: fig-sl-collapse
#
# Insight (i) as a collapse: running example $\sigma = \He_1 + 0.5\He_2$ against
# $\sstar = \He_1 + c_2\He_2$ for five strengths $c_2 < 0$ ($\eps = 0.05$). Dividing $a(t)$ by
# $(|u_2|t)^{1/3}$ brings all curves to the same constant $(3\eps r^2)^{1/3}$ (dotted); the
# time to unlearn scales like $1/|c_2|$.
# ```
#
# ## A computed classification
#
# `scaling_law` reads off the lowest non-zero term of $F$ and classifies a pair as
# *complete* (unlearning with the law {eq}`eq-sl-law`), *bounded* (lowest term negative) or
# *arrested* (a constant mode, next section). The table is computed for several pairs; the
# last columns are measured on integrations to $t = 10^8$. The pairs include two built to
# reach higher orders: $\He_1 + 0.2\He_4$ against $\He_1 - 0.2\He_4$, where
# $F \approx -3u_4\kappa^4$, and $\He_1 + 0.5\He_3$ against $\He_1$, where
# $F \approx 12s_3^2\kappa^5$.

# %%
crelu = HermiteSeries(np.r_[0.0, relu(20).coeffs[1:]])  # ReLU with its constant mode removed
pairs = {
    "He1+0.5He2 / He1-0.3He2": (polynomial(0, 1, -0.3), polynomial(0, 1, 0.5)),
    "He1+0.5He2 / He1": (polynomial(0, 1), polynomial(0, 1, 0.5)),
    "He1+0.5He2 / He1+0.2He2": (polynomial(0, 1, 0.2), polynomial(0, 1, 0.5)),
    "tanh / He1+0.3He3": (polynomial(0, 1, 0, 0.3), tanh(9)),
    "erf / He1+0.3He3": (polynomial(0, 1, 0, 0.3), erf(9)),
    "tanh / He1-0.3He3": (polynomial(0, 1, 0, -0.3), tanh(9)),
    "He1+0.2He4 / He1-0.2He4": (polynomial(0, 1, 0, 0, -0.2), polynomial(0, 1, 0, 0, 0.2)),
    "He1+0.5He3 / He1": (polynomial(0, 1), polynomial(0, 1, 0, 0.5)),
    "centred ReLU / He1-0.3He2": (polynomial(0, 1, -0.3), crelu),
    "ReLU / He1-0.3He2": (polynomial(0, 1, -0.3), relu(20)),
}

# %% [markdown]
# Each row integrates one pair and fits the last decade.

# %%
head = ["student / teacher", "class", "m", "b_m", "1/p", "fit: a exp.", "fit: κ exp.", "a / (K t^(1/p))", "final κ"]
rows, table = {}, []
for name, (te, st) in pairs.items():
    dyn = pair(te, st)
    law, tr = scaling_law(dyn), dyn.integrate(P.kappa0, P.a0, T)
    ga, gk = loglog_fit(T, tr.a, P.fit_from)[0], loglog_fit(T, tr.kappa, P.fit_from)[0]
    ratio = tr.a[-1] / law.a(T[-1], P.eps) if law.kind == "complete" else np.nan
    rows[name] = (law, ga, gk, ratio, tr.kappa[-1], dyn)
    table.append([name, law.kind, law.order, f"{law.coefficient:.4g}", f"{law.exponent_a:.4f}",
                  f"{ga:.4f}", f"{gk:.4f}", f"{ratio:.4f}", f"{tr.kappa[-1]:.4f}"])

# %% [markdown]
# The classification table ("–": no power law in that class):

# %%
cell = lambda tag, x: f"<{tag}>{'–' if x == 'nan' else x}</{tag}>"
HTML("<table><tr>" + "".join(cell("th", h) for h in head) + "</tr>"
     + "".join("<tr>" + "".join(cell("td", x) for x in row) + "</tr>" for row in table) + "</table>")

# %% [markdown]
# In every *complete* row the fitted exponents are within $0.01$ of $\pm 1/p$, for
# $p = 3, 4, 5, 6$; in every other row the final alignment is a rest point of the slow flow
# (a critical point of $R$) or $\kappa = 1$, and the fitted exponents are zero.

# %%
for name, (law, ga, gk, ratio, kend, dyn) in rows.items():
    if law.kind == "complete":
        assert abs(ga - law.exponent_a) < 0.01 and abs(gk - law.exponent_kappa) < 0.01, name
        assert abs(ratio - 1) < 0.01, name
    else:
        rest = np.r_[CriticalManifold(dyn).rest_points(), 1.0]
        assert np.min(np.abs(rest - kend)) < 1e-6 and abs(ga) < 1e-3 and abs(gk) < 1e-3, name
assert {rows[n][0].p for n in rows if rows[n][0].kind == "complete"} == {3, 4, 5, 6}

# %% [markdown]
# ## When the lowest term is negative
#
# For the running example with $0 < c < s$, $b_2 = -u_2 = -2sc < 0$: near $\kappa = 0$ the
# slow flow pushes $a$ back. The slide along the branch stops at the maximiser of $R$,
# $\kappa^\circ = c/s$ ({doc}`dichotomy`), and the table shows it: with $c = 0.2$ the final alignment
# is {glue:text}`sl_bounded_k:.4f` $= c/s$. For the tanh student against $\He_1 - 0.3\He_3$ the
# lowest term $b_3 = -2u_3$ is negative too, and the trajectory does not unlearn at all: it stays
# at $\kappa = 1$. A negative lowest term rules out *complete* unlearning; whether partial
# unlearning happens is the dichotomy of the previous chapter.

# %%
k_bounded = rows["He1+0.5He2 / He1+0.2He2"][4]
assert abs(k_bounded - 0.2 / P.s) < 1e-6 and rows["tanh / He1-0.3He3"][4] > 1 - 1e-9
glue("sl_bounded_k", float(k_bounded), display=False)

# %% [markdown]
# ## The constant mode: an exact weight decay on $a$
#
# A ReLU student has $s_0 = 1/\sqrt{2\pi} \ne 0$. With a centred teacher ($c_0 = 0$) the
# constant mode contributes nothing to $\phi$ ($u_0 = s_0c_0 = 0$) and only the constant
# $v_0 = s_0^2$ to $H$. Writing $H = v_0 + H_c$, where $H_c$ is the $H$ of the same student
# with $s_0$ removed,
#
# $$
# L(\kappa, a) = L_c(\kappa, a) + \frac{v_0}{2}\,a^2, \qquad
# \dot a = \eps\big[\phi - aH_c\big] - \eps v_0\, a.
# $$ (eq-sl-decay)
#
# This is an *exact* identity, not an approximation: the student's output carries the
# constant $a s_0$, which the centred teacher does not have, and its squared error
# $\frac12 a^2s_0^2$ is an $L^2$ penalty on $a$ with strength $s_0^2$. In that sense the working notes'
# "weight decay on $a$" is literally true, with three qualifications. It acts on the second
# layer only: $H'$ does not see $v_0$, so the fast equation and the branch $A(\kappa)$ are those
# of the centred student. It is not a regulariser anyone chose, but the cost of an output
# offset. And with $c_0 \neq 0$ it becomes a decay toward $c_0/s_0$ instead of toward $0$.
#
# On the branch, {eq}`eq-sl-decay` reads $F = F_c - v_0A$, which is the $-v_0r/\kappa$ term of
# {eq}`eq-sl-Fexp`. The decay grows like $a \approx r/\kappa$ while the unlearning drive
# $b_m\kappa^m$ of the centred student fades: they balance at
#
# $$
# \kappa_{\rm rest} \simeq \Big(\frac{v_0\, r}{b_m}\Big)^{1/(m+1)} = \Big(\frac{s_0^2\,r}{b_m}\Big)^{1/(m+1)}
# \qquad (s_0 \to 0),
# $$ (eq-sl-arrest)
#
# so unlearning is *arrested* at an alignment $\propto s_0^{2/3}$ in the $1/3$ class. For ReLU
# itself $s_0$ is not small, and the rest point is the exact critical point of $R$. We check
# {eq}`eq-sl-arrest` on the centred ReLU with a constant mode $s_0$ added back, for $s_0$ from
# $10^{-4}$ to the ReLU value.

# %%
s0_list = np.geomspace(1e-4, relu(20).coeffs[0], P.n_s0)
k_rest, k_pred = [], []
for s0 in s0_list:
    dyn = pair(polynomial(0, 1, -0.3), HermiteSeries(np.r_[s0, crelu.coeffs[1:]]))
    k_rest.append(CriticalManifold(dyn).rest_points(n_grid=20001)[0])
    k_pred.append(scaling_law(dyn).arrest_kappa())
k_rest, k_pred = np.array(k_rest), np.array(k_pred)
slope_small = loglog_fit(s0_list[:3], k_rest[:3])[0]
print("fitted exponent of kappa_rest in s0 (smallest s0):", round(slope_small, 4))
assert abs(slope_small - 2 / 3) < 0.01 and abs(k_rest[0] / k_pred[0] - 1) < 0.01
glue("sl_arrest_slope", float(slope_small), display=False)

# %% [markdown]
# The fitted exponent of $\kappa_{\rm rest}$ against $s_0$ at the smallest values is
# {glue:text}`sl_arrest_slope:.4f` (theory $2/3$). The ReLU student learns the feature
# ($\kappa$ peaks near {glue:text}`sl_relu_peak:.2f`), unlearns part of it, and comes to rest
# at $\kappa = $ {glue:text}`sl_relu_rest:.4f`, while the centred ReLU keeps unlearning with
# exponent {glue:text}`sl_crelu_slope:.4f` ({numref}`fig-sl-arrest`).

# %%
tr_relu = pair(*pairs["ReLU / He1-0.3He2"]).integrate(P.kappa0, P.a0, T)
tr_crelu = pair(*pairs["centred ReLU / He1-0.3He2"]).integrate(P.kappa0, P.a0, T)
relu_rest = CriticalManifold(pair(*pairs["ReLU / He1-0.3He2"])).rest_points()[0]
assert abs(tr_relu.kappa[-1] - relu_rest) < 1e-6 and abs(k_rest[-1] - relu_rest) < 1e-6
glue("sl_relu_peak", float(tr_relu.kappa.max()), display=False)
glue("sl_relu_rest", float(relu_rest), display=False)
glue("sl_crelu_slope", float(rows["centred ReLU / He1-0.3He2"][1]), display=False)

# %% [markdown]
# The figure puts the two students side by side and compares the rest point with
# {eq}`eq-sl-arrest`.

# %%
fig, ax = plt.subplots(1, 2, figsize=(10, 3.6))
ax[0].semilogx(T, tr_relu.kappa, label="ReLU ($s_0 = 1/\\sqrt{2\\pi}$)")
ax[0].semilogx(T, tr_crelu.kappa, label="centred ReLU ($s_0 = 0$)")
ax[0].set(xlabel="time $t$", ylabel=r"alignment $\kappa$")
ax[0].legend(fontsize=8)
ax[1].loglog(s0_list, k_rest, "o", label=r"rest point of $R$")
ax[1].loglog(s0_list, k_pred, "--", label=r"balance $(s_0^2 r/b_2)^{1/3}$")
ax[1].set(xlabel="constant mode $s_0$", ylabel=r"$\kappa_{\rm rest}$")
ax[1].legend(fontsize=8)
fig.tight_layout()
glue_figure("sl_arrest_fig", fig)

# %% [markdown]
# ```{glue:figure} sl_arrest_fig
# :name: fig-sl-arrest
#
# The constant mode arrests unlearning (teacher $\He_1 - 0.3\He_2$, $\eps = 0.05$). Left: a
# ReLU student learns, unlearns part of the feature and stops; the same student without its
# constant mode unlearns completely, $\kappa \propto t^{-1/3}$. Right: the rest alignment
# against the strength $s_0$ of the constant mode, with the small-$s_0$ balance
# {eq}`eq-sl-arrest`.
# ```
#
# ## Against a finite network
#
# The laws above are statements about the reduced ODE. A finite network trained by spherical
# SGD (`lib.simulate.simulate_network`) can be compared with it only at moderate times, and
# the comparison teaches something: **finite width is a constant mode.** For $N$ neurons that
# share $\kappa$ and $a$, with orthogonal parts that decorrelate ($d \to \infty$), the overlaps
# are $\langle w_i, w_j\rangle = \kappa^2$ for $i \ne j$ but $1$ for $i = j$, so
#
# $$
# \E[f^2] = a^2\Big[\big(1 - \tfrac1N\big)H(\kappa) + \tfrac1N\|\sigma\|^2\Big].
# $$ (eq-sl-width)
#
# The diagonal term does not depend on the directions $w_j$, so, exactly like $s_0^2$ in
# {eq}`eq-sl-decay`, it enters only the slow equation, as a weight decay of strength
# $\|\sigma\|^2/N$ (less the small $H/N$). `lib.scaling.finite_width_dynamics` writes this
# finite-width ODE as the reduced dynamics of an equivalent pair (student
# $\sqrt{1-1/N}\,s_k$ with a constant mode, teacher $c_k/\sqrt{1-1/N}$). Its classification is
# *arrested*: a network of finite width cannot follow the $t^{1/3}$ law forever, but stops near
# $\kappa_{\rm rest} \simeq (\|\sigma\|^2 r/(N b_2))^{1/3}$, a slow $N^{-1/3}$ approach to
# complete unlearning.
#
# We train networks in the $1/3$ class (running example, $c = -0.3$, $\eps = 0.05$,
# $a_0 = 0.1$) up to $t = $ {glue:text}`sl_net_T:.0f` and compare with both ODEs, started at the
# network's initial mean alignment.

# %%
net = simulate_network(run.teacher, run.student,
                       width=P.net_width, dim=P.net_dim, batch=P.net_batch, lr=P.net_lr, eps=P.eps,
                       a0=P.a0, time=P.net_time, seeds=P.net_seeds, record_every=P.net_time / 40)
k_net0 = float(np.mean(net.kappa_mean[:, 0]))
run_N = finite_width_dynamics(run, P.net_width)
ode_inf, ode_N = (d.integrate(k_net0, P.a0, net.t) for d in (run, run_N))
after = net.t >= 20  # after the alignment phase
err = {name: (np.max(np.abs(net.kappa_mean - o.kappa)[:, after]), np.max(np.abs(net.a_mean - o.a)))
       for name, o in (("inf", ode_inf), ("N", ode_N))}
print("N = inf ODE: max |dkappa|, max |da| =", np.round(err["inf"], 4))
print("N-width ODE: max |dkappa|, max |da| =", np.round(err["N"], 4))

# %% [markdown]
# With $N = $ {glue:text}`sl_net_N` neurons ($d = $ {glue:text}`sl_net_d`, $B = $
# {glue:text}`sl_net_B`), the largest gap in $a$ is {glue:text}`sl_net_da_inf:.3f` to the
# infinite-width ODE and {glue:text}`sl_net_da_N:.3f` to the finite-width one; after the
# alignment phase ($t \ge 20$) the largest gap in $\kappa$ is {glue:text}`sl_net_dk_inf:.3f`
# and {glue:text}`sl_net_dk_N:.3f` ({numref}`fig-sl-network`). The finite-width correction
# accounts for most of the difference, and its rest point is
# $\kappa_{\rm rest} = $ {glue:text}`sl_net_rest:.3f`: at this width the network would stop
# unlearning there. We have not run networks long enough to see that arrest (at these times
# the ODE itself is still far from its asymptotic regime, see {numref}`fig-sl-laws`), so the
# arrest of finite networks is a prediction of this chapter, not a measurement. Seeing the
# $t^{1/3}$ law itself over a decade of $a$ in a network would need $\kappa$ well below
# $\kappa_{\rm rest}$, hence $N$ in the tens of thousands and $d$ to match.

# %%
law_N = scaling_law(run_N)
rest_N = CriticalManifold(run_N).rest_points()[0]
assert law_N.kind == "arrested" and 0 < rest_N < ode_N.kappa[-1]
assert err["N"][0] < 0.025 and err["N"][1] < 0.03 and err["N"][1] < 0.5 * err["inf"][1]
for key, val in dict(sl_net_T=P.net_time, sl_net_N=P.net_width, sl_net_d=P.net_dim,
                     sl_net_B=P.net_batch, sl_net_da_inf=err["inf"][1], sl_net_da_N=err["N"][1],
                     sl_net_dk_inf=err["inf"][0], sl_net_dk_N=err["N"][0], sl_net_rest=rest_N).items():
    glue(key, val if isinstance(val, int) else float(val), display=False)

# %% [markdown]
# The figure shows the network (mean over neurons; one curve per seed) against both ODEs.

# %%
fig, ax = plt.subplots(1, 2, figsize=(10, 3.6))
for i, (y_net, name) in enumerate(((net.kappa_mean, "kappa"), (net.a_mean, "a"))):
    ax[i].plot(net.t, y_net.T, "k.", ms=3, label=["network"] + [None] * (y_net.shape[0] - 1))
    ax[i].plot(net.t, getattr(ode_inf, name), "C0-", label="ODE, $N = \\infty$")
    ax[i].plot(net.t, getattr(ode_N, name), "C3--", label=f"ODE, $N = {P.net_width}$")
    ax[i].set(xlabel="time $t$")
ax[0].set(ylabel=r"alignment $\kappa$")
ax[1].set(ylabel="second-layer weight $a$")
ax[1].legend(fontsize=8)
fig.tight_layout()
glue_figure("sl_network_fig", fig)

# %% [markdown]
# ```{glue:figure} sl_network_fig
# :name: fig-sl-network
#
# A finite network in the $1/3$ class (running example, $c = -0.3$, $\eps = 0.05$,
# $a_0 = 0.1$, spherical SGD with $\eta = 0.1$) against the reduced ODE of infinite width and
# the finite-width ODE {eq}`eq-sl-width`. Dots: the network's mean alignment and mean
# second-layer weight. The finite-width ODE, which carries the weight decay $\|\sigma\|^2/N$,
# tracks the network's slower growth of $a$.
# ```
#
# ## Summary
#
# - Near $\kappa = 0$ the interior branch is $a \simeq r/\kappa$, $r = c_1/s_1$, and the slow
#   field $F = \phi - AH$ is a Laurent series computable for any Hermite pair
#   ({prf:ref}`prop-sl-expansion`).
# - Its lowest non-zero term $b_m\kappa^m$ classifies the pair. If $b_m > 0$, unlearning is
#   complete, $a \simeq (p\eps b_mr^mt)^{1/p}$, $\kappa \simeq r/a$, $p = m+1$
#   ({prf:ref}`prop-sl-law`): $p = 3$ when the quadratic terms of student and teacher have
#   opposite signs, $p = 4$ for odd pairs with $b_3 > 0$ (such as tanh against
#   $\He_1 + 0.3\He_3$), and higher $p$ for pairs built to
#   cancel more terms. The prefactors of the working notes are correct, and integrations to
#   $t = 10^8$ match exponents to better than $0.01$ and prefactors to a fraction of a percent.
# - Exponents should be fitted late: the local exponent needs several decades to settle.
# - Insight (i): in the $1/3$ class the time to unlearn scales like $1/|c_2|$.
# - A constant mode in the student adds the exact weight decay $\frac12 s_0^2a^2$ to the loss;
#   unlearning then stops at $\kappa_{\rm rest} \propto s_0^{2/(m+1)}$ ($s_0^{2/3}$ in the
#   $1/3$ class).
# - Finite width acts the same way, with strength $\|\sigma\|^2/N$: at moderate times a network
#   follows the finite-width ODE closely, and that ODE predicts an arrest at
#   $\kappa_{\rm rest} \propto N^{-1/(m+1)}$, $N^{-1/3}$ in the $1/3$ class (not yet seen in a
#   network).
#
# ## Exercises
#
# ```{exercise}
# :label: ex-sl-eps
#
# The law {eq}`eq-sl-law` says $a \propto (\eps t)^{1/p}$. Check it: integrate the running
# example with $c = -0.3$ for $\eps = 0.01, 0.05, 0.2$ to $t = 10^8$ and show that
# $a/(\eps t)^{1/3}$ at the final time agrees across $\eps$ to within $1\,\%$.
# ```
#
# ```{solution-start} ex-sl-eps
# :class: dropdown
# ```
#
# Only the product $\eps t$ enters the leading law. The next-order shift {eq}`eq-sl-shift` does
# not scale with $\eps$: at a fixed $t$ it is a larger fraction of $a$ where $\eps t$ is
# smallest, and at finite $\eps$ the trajectory follows a slow manifold $O(\eps)$ away from the
# branch. This is why the agreement is close but not exact.

# %%
vals = [run.with_eps(e).integrate(P.kappa0, P.a0, T).a[-1] / (e * T[-1]) ** (1 / 3)
        for e in (0.01, 0.05, 0.2)]
print(np.round(vals, 5), "law:", round((3 * abs(run.u[2])) ** (1 / 3), 5))
assert np.ptp(vals) / np.mean(vals) < 0.01

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ex-sl-order4
#
# Show by hand that for $\sigma = \He_1 + s_4\He_4$ and $\sstar = \He_1 + c_4\He_4$ the slow
# field is $F = -3u_4\kappa^4 + \dots$, so that $s_4c_4 < 0$ gives the $1/5$ class. Confirm with
# `branch_expansion` for $s_4 = 0.2$, $c_4 = -0.2$.
# ```
#
# ```{solution-start} ex-sl-order4
# :class: dropdown
# ```
#
# With $\phi = u_1\kappa + u_4\kappa^4$ and $H = v_1\kappa^2 + v_4\kappa^8$,
# $A = (u_1 + 4u_4\kappa^3)/(v_1\kappa) + O(\kappa^6)$ and $AH = u_1\kappa + 4u_4\kappa^4 + \dots$,
# so $F = \phi - AH = -3u_4\kappa^4 + \dots$ with $u_4 = 24s_4c_4$.

# %%
d4 = pair(polynomial(0, 1, 0, 0, -0.2), polynomial(0, 1, 0, 0, 0.2))
print(branch_expansion(d4).F.coeffs[:7], -3 * d4.u[4])
assert np.isclose(scaling_law(d4).coefficient, -3 * d4.u[4]) and scaling_law(d4).p == 5

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ex-sl-gelu
#
# GELU has a constant mode too. Against the teacher $\He_1 - 0.3\He_2$, is a GELU student
# arrested, and where does it come to rest? Compare with the balance {eq}`eq-sl-arrest`:
# is $s_0$ small enough for it to be accurate?
# ```
#
# ```{solution-start} ex-sl-gelu
# :class: dropdown
# ```
#
# Yes: GELU's constant mode $s_0 = \E[z\Phi(z)] = 1/(2\sqrt{\pi}) \approx 0.28$ ($\Phi$ the
# standard normal distribution function) makes it *arrested*, and it comes to rest at the
# critical point of $R$. But $s_0$ is not small: the balance {eq}`eq-sl-arrest` overshoots the
# rest point by more than a third (here it even exceeds 1, which is not an alignment at all).
# It is a small-$s_0$ law, not a formula for GELU.

# %%
from lib.hermite import gelu

dg = pair(polynomial(0, 1, -0.3), gelu(15))
lg, rest_g = scaling_law(dg), CriticalManifold(dg).rest_points()
end_g = dg.integrate(P.kappa0, P.a0, T).kappa[-1]
print(lg.kind, "s0 =", round(dg.student.coeffs[0], 4), "rest:", rest_g, "end:", end_g, "balance:", lg.arrest_kappa())
assert abs(dg.student.coeffs[0] - 1 / (2 * np.sqrt(np.pi))) < 1e-6
assert lg.kind == "arrested" and abs(end_g - rest_g[0]) < 1e-6
assert lg.arrest_kappa() / rest_g[0] > 1.33 and lg.arrest_kappa() > 1  # far off for GELU

# %% [markdown]
# ```{solution-end}
# ```

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
# # The fast-slow split
#
# **What you will learn.**
#
# - why the learning-rate ratio $\eps$ splits the reduced dynamics into a *fast* equation for the
#   alignment $\kappa$ and a *slow* equation for the second-layer weight $a$;
# - the two limit problems, the *layer* (fast) system and the *reduced* (slow) system, and what
#   Tikhonov's theorem says about them in plain words;
# - how to build the singular limit $\eps \to 0$ of a whole trajectory in slow time
#   $\tau = \eps t$: fast jumps, slow drifts, and a delayed exit from $\kappa = 1$;
# - that the trajectories for $\eps$ over two decades converge to that limit, with an error
#   that shrinks like $\eps$ (measured and asserted), and where the constant in front comes from.
#
# **Where this sits in the argument.** The previous chapters reduced a two-layer network
# trained by large-batch SGD to two ordinary differential equations for $(\kappa, a)$. This
# chapter explains why those equations can be read as a fast-slow system, which is the tool
# the paper we follow uses {cite}`imai2026dichotomy`. The next chapter studies the object the
# singular limit lives on, the critical manifold, and derives the dichotomy between feature
# learning and feature unlearning from the flow on it.

# %% [markdown]
# ## Parameters
#
# One cell holds every size used below. Under continuous integration (`CI` in the
# environment) the grids shrink; the values of $\eps$ stay the same, because each
# integration takes a fraction of a second.

# %%
import os
from typing import NamedTuple

import matplotlib.pyplot as plt
import numpy as np
from myst_nb import glue

from lib.hermite import erf, polynomial
from lib.manifold import CriticalManifold, measure_exit
from lib.plotting import draw_manifold, glue_figure
from lib.reduced import ReducedDynamics


class Params(NamedTuple):
    s: float = 0.5             # student  sigma  = He_1 + s He_2
    c: float = 0.2             # teacher  sigma* = He_1 + c He_2
    kappa0: float = 0.01       # initial alignment
    a0: float = 0.1            # initial second-layer weight
    tau_end: float = 20.0      # final slow time tau = eps * t
    n_tau: int = 16001         # slow-time grid on which errors are measured
    eps_list: tuple = (0.05, 0.02, 0.01, 0.005, 0.002, 0.001, 0.0005)  # two decades
    level: float = 0.99        # "kappa has left 1" once kappa < level


P = Params(n_tau=8001) if "CI" in os.environ else Params()
P

# %% [markdown]
# ## Two clocks
#
# Recall the reduced dynamics of the infinite-width, large-batch limit. With
# $\phi(\kappa) = \sum_k k!\, s_k c_k \kappa^k$ and $H(\kappa) = \sum_k k!\, s_k^2 \kappa^{2k}$,
#
# $$
# \frac{d\kappa}{dt} = a\,(1-\kappa^2)\, g(\kappa, a), \qquad
# g(\kappa, a) = \phi'(\kappa) - \tfrac12 a H'(\kappa),
# $$ (eq-fs-fast)
#
# $$
# \frac{da}{dt} = \eps\,\big[\phi(\kappa) - a H(\kappa)\big].
# $$ (eq-fs-slow)
#
# The first layer learns with rate $\eta N$, the second with $\eps \eta N$: $\eps$ is the ratio of
# the two learning rates. When $\eps$ is small, $\kappa$ moves on the time scale $t = O(1)$
# (the *fast time*) while $a$ needs $t = O(1/\eps)$ to change by $O(1)$. Measuring time with
# the slow clock $\tau = \eps t$ rewrites the same system as
#
# $$
# \eps\,\frac{d\kappa}{d\tau} = a\,(1-\kappa^2)\, g(\kappa, a), \qquad
# \frac{da}{d\tau} = \phi(\kappa) - a H(\kappa).
# $$ (eq-fs-slowtime)
#
# Nothing has been approximated yet: {eq}`eq-fs-fast`-{eq}`eq-fs-slow` and {eq}`eq-fs-slowtime`
# are the same equations. Setting $\eps = 0$ in each gives two *different* limit problems.
#
# - **The layer (fast) system**: $\eps = 0$ in {eq}`eq-fs-fast`-{eq}`eq-fs-slow`. Then $a$ is a
#   frozen parameter and $\kappa$ follows a one-dimensional flow,
#   $\dot\kappa = a(1-\kappa^2)g(\kappa, a)$, which comes to rest where the right-hand side
#   vanishes.
# - **The reduced (slow) system**: $\eps = 0$ in {eq}`eq-fs-slowtime`. The first equation
#   becomes the algebraic constraint $0 = a(1-\kappa^2)g(\kappa, a)$: the state must lie on the
#   **critical manifold**
#
#   $$
#   \Mzero = \{\kappa = \pm 1\} \cup \{a = 0\} \cup \{a = A(\kappa)\}, \qquad
#   A(\kappa) = \frac{2\phi'(\kappa)}{H'(\kappa)},
#   $$ (eq-fs-M0)
#
#   and $a$ drifts along it with $da/d\tau = \phi(\kappa) - aH(\kappa)$.
#
# **Tikhonov's theorem in plain words** {cite}`tikhonov1952systems`. Suppose that a branch of
# $\Mzero$ is an isolated root $\kappa = h(a)$ of the fast field that is *uniformly attracting*:
# on the range of $a$ concerned, the derivative of the fast field across the branch
# (its eigenvalue) is negative and bounded away from zero. Suppose the initial point lies in
# the basin of attraction of that root for the layer flow at $a = a_0$, and that the reduced
# solution stays on this compact, attracting piece of the branch over a finite slow-time
# interval $[0, T]$. Then, as $\eps \to 0$, the true solution, looked at on the slow clock,
# first jumps to the branch in an initial layer (fast time $O(1)$, slow time $O(\eps)$ up to a
# logarithm) and afterwards converges to the reduced solution, uniformly on $[\delta, T]$
# for every $\delta > 0$; for smooth fields the error there is $O(\eps)$ (Vasil'eva's
# refinement). Fenichel's geometric theory
# {cite}`fenichel1979geometric,jones1995geometric` says more: a compact, normally hyperbolic
# piece of $\Mzero$ (eigenvalue bounded away from zero, of either sign) persists for small
# $\eps$ as a locally invariant *slow manifold* within $O(\eps)$ of it, carrying a flow
# $O(\eps)$-close to the reduced one, and if the piece attracts, nearby trajectories approach
# the slow manifold exponentially fast. Both theorems are silent where the eigenvalue
# vanishes, and this is exactly what happens on $\kappa = 1$ in our model, at
# $a = A(1)$; what happens there (a *delayed* exit) is the subject of the next chapter, and
# of the textbook account in {cite}`kuehn2015multiple`. Here we only need its outcome.

# %% [markdown]
# ## The singular limit of a trajectory
#
# Take the running example: student $\sigma = \He_1 + s\He_2$, teacher
# $\sstar = \He_1 + c\He_2$. Then $\phi(\kappa) = \kappa + 2sc\,\kappa^2$,
# $H(\kappa) = \kappa^2 + 2s^2\kappa^4$, and the interior branch
# $A(\kappa) = (1 + 4sc\,\kappa)/(\kappa + 4s^2\kappa^3)$ decreases from $+\infty$ at
# $\kappa = 0$. Starting from a small $\kappa_0$ and a small $a_0 < A(1)$, the $\eps \to 0$
# limit of the trajectory, read on the slow clock, is made of four pieces:
#
# 1. **Alignment (a jump at $\tau = 0$).** With $a = a_0$ frozen, $g(\kappa, a_0) > 0$ on the
#    whole interval, so $\kappa$ rises to $1$: feature learning. It takes a fast time of order
#    $\log(1/\kappa_0)/a_0$, which is slow time $O(\eps\log(1/\kappa_0)/a_0)$: a jump.
# 2. **Drift on $\kappa = 1$.** There $a$ solves a linear equation,
#
#    $$
#    \frac{da}{d\tau} = \phi(1) - a H(1), \qquad
#    a(\tau) = \abar - (\abar - a_0)\,e^{-H(1)\tau}, \qquad \abar = \frac{\phi(1)}{H(1)}.
#    $$ (eq-fs-a-on-1)
#
# 3. **Exit (a second jump).** The branch $\kappa = 1$ stops attracting when $a$ crosses
#    $A(1)$, but the trajectory does not leave it there: the attraction gathered before is
#    spent first (entry-exit, next chapter), and $\kappa$ leaves only at the $a_{\rm exit}$
#    defined by
#
#    $$
#    \int_{a_0}^{a_{\rm exit}} \frac{2a\,g(1, a)}{\phi(1) - aH(1)}\,da = 0,
#    \qquad \tau_{\rm exit} = \frac{1}{H(1)}\log\frac{\abar - a_0}{\abar - a_{\rm exit}}.
#    $$ (eq-fs-exit)
#
#    At frozen $a = a_{\rm exit}$ the layer flow then carries $\kappa$ down to the interior
#    branch, to the $\kappa_{\rm b}$ with $A(\kappa_{\rm b}) = a_{\rm exit}$.
# 4. **Slow flow on the interior branch.** On $a = A(\kappa)$, differentiating the constraint
#    gives
#
#    $$
#    \frac{d\kappa}{d\tau} = \frac{\phi(\kappa) - A(\kappa) H(\kappa)}{A'(\kappa)},
#    $$ (eq-fs-branch)
#
#    which carries $\kappa$ down to the rest point $\kappa^\circ = c/s$ while $a$ grows to $s/c$:
#    feature unlearning.
#
# `CriticalManifold.singular_limit` in `lib/manifold.py` assembles these pieces (the exit by
# the closed-form entry-exit integral, the branch flow by integrating {eq}`eq-fs-branch`).

# %%
dyn = ReducedDynamics(polynomial(0, 1, P.c), polynomial(0, 1, P.s), eps=P.eps_list[0])
M = CriticalManifold(dyn)
tau = np.linspace(0.0, P.tau_end, P.n_tau)
lim = M.singular_limit(P.kappa0, P.a0, tau)
glue("fs_A1", float(M.transcritical_a()), display=False)
glue("fs_abar", float(M.abar()), display=False)
glue("fs_aexit", float(lim.a_exit), display=False)
glue("fs_tauexit", float(lim.tau_exit), display=False)
glue("fs_kb", float(lim.kappa_branch), display=False)
glue("fs_kend", float(lim.kappa[-1]), display=False)
glue("fs_krest", float(P.c / P.s), display=False)
glue("fs_tau_end", float(P.tau_end), display=False)

# %% [markdown]
# The limit leaves $\kappa = 1$ at $\tau_{\rm exit} =$ {glue:text}`fs_tauexit:.3f`, when
# $a = a_{\rm exit} =$ {glue:text}`fs_aexit:.4f`, well past the transcritical value
# $A(1) =$ {glue:text}`fs_A1:.3f` and short of $\abar =$ {glue:text}`fs_abar:.3f`. It lands on
# the interior branch at $\kappa_{\rm b} =$ {glue:text}`fs_kb:.4f` and by $\tau =$ {glue:text}`fs_tau_end:.0f` has slid
# down to $\kappa =$ {glue:text}`fs_kend:.4f`, on its way to $\kappa^\circ = c/s =$
# {glue:text}`fs_krest:.2f`.
#
# Is the landing legitimate? The jump at frozen $a_{\rm exit}$ must end on an *attracting*
# part of the branch, where the fast eigenvalue $\partial_\kappa \dot\kappa$ is negative, and the
# whole slow motion must stay there, between $a_{\rm exit}$ and $s/c$. We check both, and that
# the limit ends near the rest point.

# %%
k_path = lim.kappa[tau > lim.tau_exit]
eig_land = M.eigenvalue(lim.kappa_branch, lim.a_exit)
eig_path = M.eigenvalue(k_path, M.A(k_path))
glue("fs_eig_land", float(eig_land), display=False)
assert np.all(M.A(np.linspace(P.kappa0, 1, 500)) > P.a0)  # piece 1: g > 0 all the way up
assert M.transcritical_a() < lim.a_exit < M.abar()
assert abs(M.A(lim.kappa_branch) - lim.a_exit) < 1e-10
assert eig_land < 0 and np.all(eig_path < 0)
assert P.c / P.s < lim.kappa[-1] < lim.kappa_branch < 1
assert np.all(np.diff(k_path) < 0)  # the slow flow only ever unlearns

# %% [markdown]
# The fast eigenvalue at the landing point is {glue:text}`fs_eig_land:.3f` $< 0$: the branch
# catches the jump, and it stays attracting all the way down (the next chapter shows why:
# the interior branch attracts wherever $A' < 0$).
#
# ## Convergence on the slow clock
#
# Now integrate the full system for seven values of $\eps$ from `0.05` down to `0.0005`, on the
# same slow-time grid (fast times $t = \tau/\eps$, up to $4\times 10^4$). The integrator of
# `ReducedDynamics` works in $u = \operatorname{artanh}\kappa$, so that the tiny distance
# $1 - \kappa$ reached on $\kappa = 1$ is never rounded away (the next chapter shows what goes
# wrong otherwise).

# %%
runs = {eps: dyn.with_eps(eps).integrate(P.kappa0, P.a0, tau / eps) for eps in P.eps_list}
exits = {eps: measure_exit(tr, P.level) for eps, tr in runs.items()}
{eps: (round(t * eps, 3), round(a, 4)) for eps, (t, a) in exits.items()}

# %% [markdown]
# {numref}`fig-fs-traj` shows them against fast time and against slow time. Against fast time
# the curves spread out: each $\eps$ has its own clock for the slow part. Against slow time
# they pile up onto the singular limit.

# %%
fig, ax = plt.subplots(1, 3, figsize=(13, 3.6))
for eps, tr in runs.items():
    t_log = np.geomspace(0.1, P.tau_end / eps, 600)  # a log-spaced grid for the fast-time view
    ax[0].plot(t_log, dyn.with_eps(eps).integrate(P.kappa0, P.a0, t_log).kappa, lw=1,
               label=f"$\\varepsilon$={eps:g}")
    ax[1].plot(tau, tr.kappa, lw=1)
    ax[2].plot(tau, tr.a, lw=1)
for i, y in ((1, lim.kappa), (2, lim.a)):
    ax[i].plot(tau, y, "k--", lw=1.5, label="singular limit")
ax[0].set(xscale="log", xlim=(0.1, 4e4), xlabel="fast time $t$", ylabel="alignment $\\kappa$")
ax[1].set(xlabel="slow time $\\tau=\\varepsilon t$", ylabel="alignment $\\kappa$")
ax[2].set(xlabel="slow time $\\tau=\\varepsilon t$", ylabel="second-layer weight $a$")
ax[0].legend(fontsize=7), ax[1].legend(fontsize=8)
fig.tight_layout()
glue_figure("fs_traj_fig", fig)

# %% [markdown]
# ```{glue:figure} fs_traj_fig
# :name: fig-fs-traj
#
# Running example ($s = 0.5$, $c = 0.2$, $\kappa_0 = 0.01$, $a_0 = 0.1$) for $\eps$ from
# 0.05 to 0.0005. Left: alignment against fast time $t$ (log scale): the alignment phase
# takes the same fast time for every $\eps$, the unlearning happens at times $\propto 1/\eps$.
# Middle and right: alignment and second-layer weight against slow time $\tau = \eps t$,
# with the singular limit (dashed): jump to $\kappa = 1$, drift of $a$, delayed exit, jump to
# the interior branch, slow slide toward $\kappa^\circ = c/s$.
# ```
#
# The same runs in the phase plane $(\kappa, a)$, with the critical manifold drawn on
# ({numref}`fig-fs-phase`), show the geometry behind the convergence. Away from the jumps
# each trajectory hugs an attracting branch of $\Mzero$; the jumps are horizontal (fast, at
# frozen $a$); and the climb along $\kappa = 1$ continues past the transcritical point, into
# the red, repelling part, before the jump down. The smaller $\eps$, the closer the curve
# to the singular limit.

# %%
fig, ax = plt.subplots(figsize=(6.2, 4.4))
draw_manifold(ax, M, a_max=1.6)
greens = plt.cm.Greens(np.linspace(0.35, 1.0, len(runs)))  # not the manifold's blue/red
for colour, (eps, tr) in zip(greens, runs.items()):
    ax.plot(tr.kappa, tr.a, lw=1, color=colour, label=f"$\\varepsilon$={eps:g}")
ax.plot(lim.kappa, lim.a, "k--", lw=1.5, label="singular limit")
ax.set(xlim=(0, 1.04), ylim=(-0.05, 1.6), xlabel="alignment $\\kappa$",
       ylabel="second-layer weight $a$")
ax.legend(fontsize=7, loc="upper left", ncol=2)
glue_figure("fs_phase_fig", fig)

# %% [markdown]
# ```{glue:figure} fs_phase_fig
# :name: fig-fs-phase
#
# The runs of {numref}`fig-fs-traj` (green, darker for smaller $\eps$) in the phase plane, over the critical manifold $\Mzero$
# (blue: attracting, red: repelling, dotted: the non-hyperbolic line $a = 0$). Dashed: the
# singular limit: a horizontal jump to $\kappa = 1$, a climb along it up to
# $a_{\rm exit}$, a horizontal jump to the interior branch, and a slide along that branch.
# ```
#
# ## Measuring the error
#
# Three error measures, each on the slow-time grid:
#
# - $e_a = \sup_\tau |a_\eps(\tau) - a^{(0)}(\tau)|$ over *all* $\tau$, where $(\kappa^{(0)}, a^{(0)})$
#   denotes the singular limit: $a$ is slow, it has no
#   jumps, and the limit is uniform;
# - $e_\kappa = \sup |\kappa_\eps(\tau) - \kappa^{(0)}(\tau)|$ over the $\tau$ at distance more than
#   $w = 10\,\eps\log(1/\eps)$ from the two jumps (inside the jump layers the error is $O(1)$ by
#   nature: a jump of the limit is a fast but smooth transition of the true solution);
# - $e_{\rm exit} = |\tau_{\rm exit}(\eps) - \tau_{\rm exit}|$, where $\tau_{\rm exit}(\eps)$ is the
#   slow time at which $\kappa_\eps$ drops below {glue:text}`fs_level:.2f`.

# %%
def errors(tr, eps):
    w = 10 * eps * np.log(1 / eps)
    away = (tau > w) & (np.abs(tau - lim.tau_exit) > w)
    e_a = np.max(np.abs(tr.a - lim.a))
    e_k = np.max(np.abs(tr.kappa - lim.kappa)[away])
    return e_a, e_k, abs(measure_exit(tr, P.level)[0] * eps - lim.tau_exit)


glue("fs_level", float(P.level), display=False)
eps_arr = np.array(P.eps_list)
err = np.array([errors(runs[eps], eps) for eps in P.eps_list])  # columns: a, kappa, exit

# %% [markdown]
# A straight-line fit of $\log e$ against $\log\eps$ gives the rate. We fit twice: over the
# whole two decades and over the last decade only ($\eps \le 0.005$).

# %%
def slope(e, sel=slice(None)):
    return np.polyfit(np.log(eps_arr[sel]), np.log(e[sel]), 1)[0]


last = eps_arr <= 0.005
slopes_all = [slope(err[:, j]) for j in range(3)]
slopes_last = [slope(err[:, j], last) for j in range(3)]
for j, name in enumerate(["a", "kappa", "exit"]):
    glue(f"fs_slope_{name}", float(slopes_all[j]), display=False)
    glue(f"fs_slope_last_{name}", float(slopes_last[j]), display=False)
np.round(np.c_[eps_arr, err, err / eps_arr[:, None]], 5)

# %% [markdown]
# The fitted slopes over two decades are {glue:text}`fs_slope_a:.3f` (for $e_a$),
# {glue:text}`fs_slope_kappa:.3f` (for $e_\kappa$) and {glue:text}`fs_slope_exit:.3f` (for the
# exit time); over the last decade they are {glue:text}`fs_slope_last_a:.3f`,
# {glue:text}`fs_slope_last_kappa:.3f` and {glue:text}`fs_slope_last_exit:.3f`. The exit time
# converges like $\eps$ from the start. The two sup-errors have slopes a little below one
# over the full range, and closer to one on the last decade: the ratio $e/\eps$ (last columns
# above) still grows at $\eps = 0.05$ but levels off as $\eps$ decreases. Could the true rate be
# $\eps\log(1/\eps)$, as can happen near non-hyperbolic points? Then $e/\eps$ would grow by
# the same *amount* in every decade. For $e_a$ the increase over the last decade is
# {glue:text}`fs_incr_a:.2f` times that over the first: the ratio saturates, the rate is
# $\eps$, a pre-asymptotic effect explains the rest (below). For $e_\kappa$ the factor is
# {glue:text}`fs_incr_kappa:.2f`: decelerating too, but two decades alone cannot rule out a weak
# logarithmic factor as firmly; we settle it below by going further down in $\eps$. (The exit
# time itself converges cleanly like $\eps$.) The asserts encode these statements.

# %%
ratio = err / eps_arr[:, None]
r_first, r_mid, r_last = ratio[0], ratio[eps_arr == 0.005][0], ratio[-1]
incr = (r_last - r_mid) / (r_mid - r_first)  # increase of e/eps: last decade over first
glue("fs_incr_a", float(incr[0]), display=False)
glue("fs_incr_kappa", float(incr[1]), display=False)
assert all(0.75 < p < 1.15 for p in slopes_all), slopes_all
assert all(0.85 < p < 1.1 for p in slopes_last), slopes_last
assert incr[0] < 0.5 and incr[1] < 0.75, incr
assert np.all(ratio[:, 2] < 10)

# %% [markdown]
# For $e_\kappa$ we add $\eps = 2\times10^{-4}, 10^{-4}, 5\times10^{-5}$ (fast times up to
# $4\times10^5$, still a fraction of a second each). If the error were
# $\eps\log(1/\eps)$, $e_\kappa/\eps$ would keep growing by the same amount per halving of $\eps$.

# %%
tiny = (2e-4, 1e-4, 5e-5)
r_tiny = [errors(dyn.with_eps(e).integrate(P.kappa0, P.a0, tau / e), e)[1] / e for e in tiny]
glue("fs_rk_tiny", float(r_tiny[-1]), display=False)
glue("fs_rk_step", float((r_tiny[-1] - r_tiny[-2]) / r_tiny[-2]), display=False)
assert r_tiny[-1] - r_tiny[-2] < 0.5 * (ratio[-1, 1] - ratio[-2, 1])  # increments shrink
assert abs(r_tiny[-1] / r_tiny[-2] - 1) < 0.02

# %% [markdown]
# The ratio $e_\kappa/\eps$ settles at about {glue:text}`fs_rk_tiny:.3f` (its last halving of
# $\eps$ changes it by a fraction {glue:text}`fs_rk_step:.3f`): the $\kappa$-error is $O(\eps)$
# too, with a slower pre-asymptotic approach than the error in $a$.

# %% [markdown]
# Where does the constant in front of $\eps$ come from? The largest error in $a$ sits at the
# end of the alignment phase (at slow times of a few tens of $\eps$): the limit starts drifting
# on $\kappa = 1$ at once, while the true $a$ hardly moves until $\kappa$ is near 1. Matched
# asymptotics makes this quantitative. During the initial layer $a \approx a_0$ and $\kappa$
# follows the layer flow $\kappa_{\rm L}(t)$ at frozen $a_0$, so after it the true $a$ lags
# behind the limit by $\eps C$ with
#
# $$
# C = \int_0^\infty \Big( \big[\phi(1) - a_0 H(1)\big] - \big[\phi(\kappa_{\rm L}(t)) - a_0
# H(\kappa_{\rm L}(t))\big] \Big)\, dt .
# $$ (eq-fs-layer-constant)
#
# We compute $C$ by integrating the layer flow (a frozen $a$ is $\eps = 10^{-12}$ here) and
# compare it with $e_a/\eps$ at the smallest $\eps$.

# %%
t_layer = np.linspace(0.0, 400.0, 40001)
layer = dyn.with_eps(1e-12).integrate(P.kappa0, P.a0, t_layer)
gain = lambda k: dyn.phi(k) - P.a0 * dyn.H(k)
C = np.trapezoid(gain(1.0) - gain(layer.kappa), t_layer)
glue("fs_C", float(C), display=False)
glue("fs_ratio_min", float(ratio[-1, 0]), display=False)
assert abs(ratio[-1, 0] / C - 1) < 0.06

# %% [markdown]
# The layer constant is $C =$ {glue:text}`fs_C:.3f`, and at $\eps = 0.0005$ the measured
# $e_a/\eps =$ {glue:text}`fs_ratio_min:.3f`: the error is, to leading order, the first
# correction of matched asymptotics, linear in $\eps$. The constant is large because the
# alignment phase is not very fast at all when $a_0 = 0.1$: the fast field carries a factor $a$,
# so the layer lasts a fast time of order $\log(1/\kappa_0)/a_0$, and only once $\eps \ll a_0$ does the
# asymptotic regime set in. This is why the ratios $e/\eps$ still grow between $\eps = 0.05$ and
# $0.005$. {numref}`fig-fs-err` shows the three errors with a reference slope one.

# %%
fig, ax = plt.subplots(figsize=(5, 3.6))
for j, (name, mk) in enumerate([("$e_a$", "o"), ("$e_\\kappa$ (away from jumps)", "s"),
                                ("$e_{\\rm exit}$ (slow time)", "^")]):
    ax.loglog(eps_arr, err[:, j], mk + "-", label=f"{name}, slope {slopes_all[j]:.2f}")
ax.loglog(eps_arr, C * eps_arr, "k:", label="$C\\,\\varepsilon$ (initial layer)")
ax.set(xlabel="$\\varepsilon$", ylabel="error against the singular limit")
ax.legend(fontsize=8)
fig.tight_layout()
glue_figure("fs_err_fig", fig)

# %% [markdown]
# ```{glue:figure} fs_err_fig
# :name: fig-fs-err
#
# Errors between the trajectories and the singular limit, running example, against $\eps$
# (log-log). Slopes from least-squares fits over the two decades. The dotted line is the
# prediction $C\eps$ of {eq}`eq-fs-layer-constant` for the error in $a$.
# ```
#
# Note what is *not* small: near the transcritical point $a = A(1)$ the naive reading of
# Tikhonov's theorem would put the exit at $a = A(1)$; the true trajectories leave near
# $a_{\rm exit}$ instead, and the exit times converge like $\eps$ to the entry-exit
# prediction {eq}`eq-fs-exit`. A singular limit that used the naive exit would be off by an
# $O(1)$ amount, whatever $\eps$.

# %%
tau_naive = np.log((M.abar() - P.a0) / (M.abar() - M.transcritical_a())) / dyn.H(1.0)
glue("fs_tau_naive", float(tau_naive), display=False)
assert lim.tau_exit - tau_naive > 10 * err[-1, 2]

# %% [markdown]
# The naive exit would be at $\tau^* =$ {glue:text}`fs_tau_naive:.3f` instead of
# {glue:text}`fs_tauexit:.3f`.
#
# ## A real activation pair
#
# The construction never used the special form of the running example. Take an erf student,
# $\sigma = \operatorname{erf}$ (its Hermite series to degree 9: only odd terms), and the teacher
# $\sstar = \He_1 + 0.3\He_3$. Both are odd, so $\phi$ and $H$ have only odd and even powers
# respectively; the chapter on scaling laws studies this class in detail.

# %%
dyn_erf = ReducedDynamics(polynomial(0, 1, 0, 0.3), erf(9), eps=0.05)
M_erf = CriticalManifold(dyn_erf)
lim_erf = M_erf.singular_limit(P.kappa0, P.a0, tau)
runs_erf = {eps: dyn_erf.with_eps(eps).integrate(P.kappa0, P.a0, tau / eps) for eps in P.eps_list}
err_erf = np.array([np.max(np.abs(tr.a - lim_erf.a)) for tr in runs_erf.values()])
slope_erf, slope_erf_last = slope(err_erf), slope(err_erf, last)
glue("fs_erf_slope", float(slope_erf), display=False)
glue("fs_erf_slope_last", float(slope_erf_last), display=False)
glue("fs_erf_aexit", float(lim_erf.a_exit), display=False)
glue("fs_erf_A1", float(M_erf.transcritical_a()), display=False)
glue("fs_erf_kend", float(lim_erf.kappa[-1]), display=False)
assert M_erf.verdict().unlearns and 0.75 < slope_erf < 1.15 and 0.85 < slope_erf_last < 1.1

# %% [markdown]
# Here $A(1) =$ {glue:text}`fs_erf_A1:.3f` and the limit exits at $a_{\rm exit} =$
# {glue:text}`fs_erf_aexit:.3f`; the interior branch has no rest point, so the slow flow keeps
# unlearning ($\kappa =$ {glue:text}`fs_erf_kend:.3f` at $\tau =$ {glue:text}`fs_tau_end:.0f` and falling). The
# sup-error in $a$ decays with fitted slope {glue:text}`fs_erf_slope:.3f` over two decades and
# {glue:text}`fs_erf_slope_last:.3f` over the last one ({numref}`fig-fs-erf`): the same
# pre-asymptotic approach to a linear rate as in the running example.

# %%
fig, ax = plt.subplots(1, 2, figsize=(9, 3.4))
for eps, tr in runs_erf.items():
    ax[0].plot(tau, tr.kappa, lw=1, label=f"$\\varepsilon$={eps:g}")
ax[0].plot(tau, lim_erf.kappa, "k--", lw=1.5, label="singular limit")
ax[0].set(xlabel="slow time $\\tau$", ylabel="alignment $\\kappa$")
ax[0].legend(fontsize=7)
ax[1].loglog(eps_arr, err_erf, "o-", label=f"$e_a$, slope {slope_erf:.2f}")
ax[1].set(xlabel="$\\varepsilon$", ylabel="$\\sup_\\tau |a_\\varepsilon - a^{(0)}|$")
ax[1].legend(fontsize=8)
fig.tight_layout()
glue_figure("fs_erf_fig", fig)

# %% [markdown]
# ```{glue:figure} fs_erf_fig
# :name: fig-fs-erf
#
# Erf student against the teacher $\He_1 + 0.3\He_3$ ($\kappa_0 = 0.01$, $a_0 = 0.1$). Left:
# alignment against slow time for $\eps$ from 0.05 to 0.0005, with the singular limit
# (dashed). Right: sup-error in $a$ against $\eps$.
# ```
#
# ## Summary
#
# - The learning-rate ratio $\eps$ makes $\kappa$ fast and $a$ slow. Setting $\eps = 0$ on the
#   fast clock gives the layer system ($a$ frozen), on the slow clock the reduced system
#   (state confined to the critical manifold {eq}`eq-fs-M0`).
# - The $\eps \to 0$ limit of a trajectory, read on the slow clock $\tau = \eps t$, is a chain of
#   fast jumps and slow drifts: alignment to $\kappa = 1$, drift of $a$, a *delayed* exit at
#   $a_{\rm exit} > A(1)$, a jump onto the attracting interior branch, and slow unlearning on it.
# - Trajectories for $\eps$ over two decades converge to it; all error measures shrink like
#   $\eps$, and the constant is predicted by the initial layer {eq}`eq-fs-layer-constant`.
#
# ## Exercises
#
# ```{exercise}
# :label: ex-fs-a0
#
# Insight (ii) of the paper says that a larger initial second-layer weight mitigates
# unlearning. Take $a_0 = 2$ (above $A(1)$, below $\acirc = s/c = 2.5$). Where does the first
# jump land now, does the singular limit still visit $\kappa = 1$, and how much does it
# unlearn? Check that the trajectory for $\eps = 0.005$ stays within $0.01$ of it away from
# $\tau = 0$.
# ```
#
# ```{solution-start} ex-fs-a0
# :class: dropdown
# ```
#
# The layer flow at frozen $a_0 = 2$ stops where $g(\kappa, 2) = 0$, i.e. on the interior
# branch at $A(\kappa) = 2$: the limit never reaches $\kappa = 1$ (`tau_exit` is NaN). Since
# $A$ decreases and $A(\kcirc) = \acirc = 2.5 > 2$, the landing point lies *above*
# $\kcirc = c/s$ (at $\kappa_{\rm b} =$ {glue:text}`fs_a2_kb:.3f`), and the slow flow then slides
# down toward $\kcirc$. The network still unlearns, but at most $\kappa_{\rm b} - \kcirc =$
# {glue:text}`fs_a2_drop:.3f` of alignment instead of $1 - \kcirc =$ {glue:text}`fs_full_drop:.1f`:
# mitigated, not removed. Only $a_0 \ge \acirc$ lands
# at or below $\kcirc$ and removes unlearning altogether.

# %%
lim2 = M.singular_limit(P.kappa0, 2.0, tau)
tr2 = dyn.with_eps(0.005).integrate(P.kappa0, 2.0, tau / 0.005)
away = tau > 0.2
print(lim2.kappa_branch, lim2.tau_exit, np.max(np.abs(tr2.kappa - lim2.kappa)[away]))
assert np.isnan(lim2.tau_exit) and abs(M.A(lim2.kappa_branch) - 2.0) < 1e-10
assert P.c / P.s < lim2.kappa[-1] < lim2.kappa_branch < 0.5  # lands above c/s, slides down
glue("fs_a2_kb", float(lim2.kappa_branch), display=False)
glue("fs_a2_drop", float(lim2.kappa_branch - P.c / P.s), display=False)
glue("fs_full_drop", float(1 - P.c / P.s), display=False)
assert np.max(np.abs(tr2.kappa - lim2.kappa)[away]) < 0.01

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ex-fs-layer
#
# The constant $C$ of {eq}`eq-fs-layer-constant` depends on $a_0$. Compute it for $a_0 = 0.2$,
# and check that $e_a/\eps$ at $\eps = 0.001$ is close to it. Why is it roughly half the value
# at $a_0 = 0.1$?
# ```
#
# ```{solution-start} ex-fs-layer
# :class: dropdown
# ```
#
# The layer field $a_0(1-\kappa^2)\big(\phi' - \tfrac12 a_0 H'\big)$ is nearly proportional to
# $a_0$ when $a_0$ is small: doubling $a_0$ roughly halves the duration of the alignment
# phase, hence (roughly) the lag it leaves behind in $a$.

# %%
lay2 = dyn.with_eps(1e-12).integrate(P.kappa0, 0.2, t_layer)
gain2 = lambda k: dyn.phi(k) - 0.2 * dyn.H(k)
C2 = np.trapezoid(gain2(1.0) - gain2(lay2.kappa), t_layer)
lim3 = M.singular_limit(P.kappa0, 0.2, tau)
tr3 = dyn.with_eps(0.001).integrate(P.kappa0, 0.2, tau / 0.001)
print(C, C2, np.max(np.abs(tr3.a - lim3.a)) / 0.001)
assert abs(np.max(np.abs(tr3.a - lim3.a)) / 0.001 / C2 - 1) < 0.1

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ex-fs-fasttime
#
# Tikhonov's theorem is a statement on the slow clock. Show that on the *fast* clock the
# trajectories do not converge to one another uniformly: compare $\kappa$ at the fast time
# $t = 100$ for $\eps = 0.05$ and $\eps = 0.0005$, and explain the difference.
# ```
#
# ```{solution-start} ex-fs-fasttime
# :class: dropdown
# ```
#
# On the fast clock the limit $\eps \to 0$ is the layer flow, which stays at $\kappa \approx 1$
# forever; for $\eps = 0.05$ the slow drift has already pushed $a$ past the exit by $t = 100$.

# %%
k_fast = {eps: dyn.with_eps(eps).integrate(P.kappa0, P.a0, [0.0, 100.0]).kappa[-1]
          for eps in (0.05, 0.0005)}
print(k_fast)
assert k_fast[0.0005] > 0.999 and k_fast[0.05] < 0.99

# %% [markdown]
# ```{solution-end}
# ```

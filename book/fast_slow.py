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
# **What you will learn in this chapter**
#
# - why the learning-rate ratio $\eps$ splits the reduced dynamics into a *fast* equation for
#   the alignment $\kappa$ and a *slow* equation for the second-layer weight $a$;
# - the two limit problems, the *layer* (fast) system and the *reduced* (slow) system, and
#   what Tikhonov's theorem says about them in plain words;
# - how to build the singular limit $\eps \to 0$ of a whole trajectory in slow time
#   $\tau = \eps t$: fast jumps, slow drifts, and a delayed exit from $\kappa = 1$;
# - how long the alignment phase lasts (a fast time of order $1/a_0$, whatever the initial
#   alignment $\kappa_0$);
# - that the trajectories converge to the singular limit with an error that shrinks like
#   $\eps$ (measured and asserted), and where the constant in front comes from.
#
# **Where this sits in the argument.** The previous chapters reduced a two-layer network
# trained by large-batch SGD to two ordinary differential equations for $(\kappa, a)$. This
# chapter explains why those equations can be read as a fast-slow system, the tool that
# the paper we follow announces {cite}`imai2026dichotomy`. The next chapter studies the
# object the singular limit lives on, the critical manifold, and derives the dichotomy
# between feature learning and feature unlearning from the flow on it.
#
# ## Parameters
#
# One cell holds every size and knob used below. Under continuous integration (`CI` in the
# environment) the grids shrink; the values of $\eps$ stay the same, because each
# integration takes a fraction of a second.

# %%
import os
from typing import NamedTuple

import matplotlib.pyplot as plt
import numpy as np
from scipy import integrate

from lib.display import Md, report, show_figure, show_params, table
from lib.hermite import erf, polynomial
from lib.manifold import CriticalManifold, measure_exit
from lib.plotting import THEORY, draw_manifold, eps_color, use_book_style
from lib.reduced import ReducedDynamics

use_book_style()


class Params(NamedTuple):
    s: float = 0.5  # student: sigma = He_1 + s He_2
    c: float = 0.2  # teacher: sigma* = He_1 + c He_2
    kappa0: float = 0.01  # initial alignment
    a0: float = 0.1  # initial second-layer weight
    tau_end: float = 20.0  # final slow time tau = eps t
    n_tau: int = 16001  # slow-time grid on which errors are measured
    eps_list: tuple = (0.05, 0.02, 0.01, 0.005, 0.002, 0.001, 0.0005)
    eps_tiny: tuple = (2e-4, 1e-4, 5e-5)  # further down, for the order
    level: float = 0.99  # "kappa has left 1" once kappa < level
    kappa0_tiny: float = 1e-8  # a far smaller start, for the layer's length
    eps_frozen: float = 1e-12  # eps of the layer flow ("a frozen")
    t_layer: float = 400.0  # fast-time horizon of the layer flow
    n_layer: int = 40001  # its time grid
    n_log: int = 600  # log-spaced fast times of the first figure
    erf_degree: int = 9  # Hermite degree of the erf student
    c3_erf: float = 0.3  # its teacher: He_1 + c3_erf He_3
    a0_large: float = 2.0  # exercise: a0 between A(1) and s/c
    eps_check: float = 0.005  # exercise: eps of the check run
    a0_layer: float = 0.2  # exercise: another a0 for the layer constant
    t_fast: float = 100.0  # exercise: the fast time compared


P = Params()
if "CI" in os.environ:  # continuous integration: small sizes, same claims
    P = P._replace(n_tau=8001, n_layer=20001)
show_params(P)

# %% [markdown]
# ## Two clocks
#
# Recall the reduced dynamics of the infinite-width, large-batch limit. With
# $\phi(\kappa) = \sum_k k!\, s_k c_k \kappa^k$ and
# $H(\kappa) = \sum_k k!\, s_k^2 \kappa^{2k}$,
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
# The first layer learns with rate $\eta N$, the second with $\eps \eta N$: $\eps$ is the
# ratio of the two learning rates. When $\eps$ is small, $\kappa$ moves on the time scale
# $t = O(1)$ (the *fast time*) while $a$ needs $t = O(1/\eps)$ to change by $O(1)$.
# Measuring time with the slow clock $\tau = \eps t$ rewrites the same system as
#
# $$
# \eps\,\frac{d\kappa}{d\tau} = a\,(1-\kappa^2)\, g(\kappa, a), \qquad
# \frac{da}{d\tau} = \phi(\kappa) - a H(\kappa).
# $$ (eq-fs-slowtime)
#
# Nothing has been approximated yet: {eq}`eq-fs-fast`-{eq}`eq-fs-slow` and
# {eq}`eq-fs-slowtime` are the same equations. Setting $\eps = 0$ in each gives two
# *different* limit problems.
#
# - **The layer (fast) system**: $\eps = 0$ in {eq}`eq-fs-fast`-{eq}`eq-fs-slow`. Then $a$
#   is a frozen parameter and $\kappa$ follows a one-dimensional flow,
#   $\dot\kappa = a(1-\kappa^2)g(\kappa, a)$, which comes to rest where the right-hand side
#   vanishes.
# - **The reduced (slow) system**: $\eps = 0$ in {eq}`eq-fs-slowtime`. The first equation
#   becomes the algebraic constraint $0 = a(1-\kappa^2)g(\kappa, a)$: the state must lie on
#   the **critical manifold**
#
#   $$
#   \begin{aligned}
#   \Mzero &= \{\kappa = \pm 1\} \cup \{a = 0\} \cup \{a = A(\kappa)\},\\
#   A(\kappa) &= \frac{2\phi'(\kappa)}{H'(\kappa)},
#   \end{aligned}
#   $$ (eq-fs-M0)
#
#   and $a$ drifts along it with $da/d\tau = \phi(\kappa) - aH(\kappa)$.
#
# **Tikhonov's theorem in plain words** {cite}`tikhonov1952systems`. Suppose that a branch
# of $\Mzero$ is an isolated root $\kappa = h(a)$ of the fast field that is *uniformly
# attracting*: on the range of $a$ concerned, the derivative of the fast field across the
# branch (its eigenvalue $\lambda = \partial_\kappa\dot\kappa$) is negative and bounded away
# from zero. Suppose the initial point lies in the basin of attraction of that root for the
# layer flow at $a = a_0$, and that the reduced solution stays on this compact, attracting
# piece of the branch over a finite slow-time interval $[0, T]$. Then, as $\eps \to 0$, the
# true solution, looked at on the slow clock, first jumps to the branch in an initial layer
# (fast time $O(1)$, slow time $O(\eps)$) and afterwards converges to the reduced solution,
# uniformly on $[\delta, T]$ for every $\delta > 0$; for smooth fields the error there is
# $O(\eps)$ (Vasil'eva's refinement). Fenichel's geometric theory
# {cite}`fenichel1979geometric,jones1995geometric` says more: a compact, normally hyperbolic
# piece of $\Mzero$ (eigenvalue bounded away from zero, of either sign) persists for small
# $\eps$ as a locally invariant *slow manifold* within $O(\eps)$ of it, carrying a flow
# $O(\eps)$-close to the reduced one, and if the piece attracts, nearby trajectories
# approach the slow manifold exponentially fast. Both theorems are silent where the
# eigenvalue vanishes, and this is exactly what happens on $\kappa = 1$ in our model, at
# $a = A(1)$; what happens there (a *delayed* exit) is the subject of the next chapter, and
# of the textbook account in {cite}`kuehn2015multiple`. Here we only need its outcome.
#
# ## The singular limit of a trajectory
#
# Take the running example: student $\sigma = \He_1 + s\He_2$, teacher
# $\sstar = \He_1 + c\He_2$. Then $\phi(\kappa) = \kappa + 2sc\,\kappa^2$,
# $H(\kappa) = \kappa^2 + 2s^2\kappa^4$, and the interior branch
# $A(\kappa) = (1 + 4sc\,\kappa)/(\kappa + 4s^2\kappa^3)$ decreases from $+\infty$ at
# $\kappa = 0$ (for $c \ge 0$). Starting from a small $\kappa_0$ and a small $a_0 < A(1)$,
# the $\eps \to 0$ limit of the trajectory, read on the slow clock, is made of four pieces:
#
# 1. **Alignment (a jump at $\tau = 0$).** With $a = a_0$ frozen and $a_0 < A(\kappa)$ on
#    the way up, $g(\kappa, a_0) = \tfrac12 H'(\kappa)(A(\kappa) - a_0) > 0$, so $\kappa$
#    rises to $1$: feature learning. At $\kappa = 0$ the fast field is
#    $a_0\, g(0, a_0) = a_0 u_1$, with $u_1 = s_1 c_1$ ($= 1$ here), which is not small:
#    $\kappa$ grows *linearly* from the start, and the time to reach a given alignment
#    hardly depends on $\kappa_0$. Near $\kappa = 1$ the approach is exponential, at the
#    rate $2a_0 g(1, a_0)$, so coming within $\delta$ of 1 takes a further time of order
#    $\log(1/\delta)/(2 a_0 g(1, a_0))$. The logarithm that matters is this one, in the
#    distance to $\kappa = 1$, not one in $\kappa_0$. In all, the alignment takes a fast
#    time of order $1/a_0$, a slow time $O(\eps/a_0)$: a jump.
# 2. **Drift on $\kappa = 1$.** There $a$ solves a linear equation,
#
#    $$
#    \begin{aligned}
#    \frac{da}{d\tau} &= \phi(1) - a H(1), \qquad \abar = \frac{\phi(1)}{H(1)},\\
#    a(\tau) &= \abar - (\abar - a_0)\,e^{-H(1)\tau}.
#    \end{aligned}
#    $$ (eq-fs-a-on-1)
#
# 3. **Exit (a second jump).** The branch $\kappa = 1$ stops attracting when $a$ crosses
#    $A(1)$, but the trajectory does not leave it there: the attraction gathered before is
#    spent first (entry-exit, next chapter), and $\kappa$ leaves only at the $a_{\rm exit}$
#    defined by
#
#    $$
#    \int_{a_0}^{a_{\rm exit}} \frac{2a\,g(1, a)}{\phi(1) - aH(1)}\,da = 0,
#    $$ (eq-fs-exit)
#
#    that is, at the slow time
#    $\tau_{\rm exit} = \log\big[(\abar - a_0)/(\abar - a_{\rm exit})\big]/H(1)$.
#    At frozen $a = a_{\rm exit}$ the layer flow then carries $\kappa$ down to the interior
#    branch, to the $\kappa_{\rm b}$ with $A(\kappa_{\rm b}) = a_{\rm exit}$.
# 4. **Slow flow on the interior branch.** On $a = A(\kappa)$, differentiating the
#    constraint gives
#
#    $$
#    \frac{d\kappa}{d\tau} = \frac{\phi(\kappa) - A(\kappa) H(\kappa)}{A'(\kappa)},
#    $$ (eq-fs-branch)
#
#    which carries $\kappa$ down toward the rest point $\kappa^\circ = c/s$ (when
#    $0 < c < s$; toward $0$ when $c \le 0$) while $a$ grows: feature unlearning.
#
# `CriticalManifold.singular_limit` in `lib/manifold.py` assembles these pieces (the exit
# by the closed-form entry-exit integral, the branch flow by integrating
# {eq}`eq-fs-branch`). Pieces 3 and 4 need $A(1) < \abar$, which in the running example
# means $c < s$; with $c \ge s$ the limit stays on $\kappa = 1$.

# %%
dyn = ReducedDynamics(polynomial(0, 1, P.c), polynomial(0, 1, P.s), eps=0.05)
M = CriticalManifold(dyn)
tau = np.linspace(0.0, P.tau_end, P.n_tau)
lim = M.singular_limit(P.kappa0, P.a0, tau)
A1, abar, H1 = M.transcritical_a(), M.abar(), float(dyn.H(1.0))
with np.errstate(divide="ignore", invalid="ignore"):  # A(0) is infinite
    aligns = bool(np.all(M.A(np.linspace(0, 1, 2001)) > P.a0))  # piece 1
exits = bool(np.isfinite(lim.tau_exit))  # pieces 3 and 4
print("the alignment phase reaches kappa = 1:", aligns)
print("the limit leaves kappa = 1 again:", exits)
report(
    ("fs-A1", A1, "transcritical value A(1)", ".3f"),
    ("fs-abar", abar, "limit abar of a on kappa = 1", ".3f"),
    ("fs-aexit", lim.a_exit, "entry-exit value a_exit", ".4f"),
    ("fs-tauexit", lim.tau_exit, "exit slow time tau_exit", ".3f"),
    ("fs-kb", lim.kappa_branch, "landing point kappa_b", ".4f"),
    ("fs-kend", lim.kappa[-1], "kappa of the limit at tau_end", ".4f"),
    ("fs-tau-end", P.tau_end, "tau_end", ".0f"),
    ("fs-level", P.level, "level of the exit", ".2f"),
)

# %% [markdown]
# The limit leaves $\kappa = 1$ at $\tau_{\rm exit} =$ {glue:text}`fs-tauexit:.3f`, when
# $a = a_{\rm exit} =$ {glue:text}`fs-aexit:.4f`, well past the transcritical value
# $A(1) =$ {glue:text}`fs-A1:.3f` and short of $\abar =$ {glue:text}`fs-abar:.3f`. It lands
# on the interior branch at $\kappa_{\rm b} =$ {glue:text}`fs-kb:.4f` and by
# $\tau =$ {glue:text}`fs-tau-end:.0f` has slid down to $\kappa =$
# {glue:text}`fs-kend:.4f`, on its way to the rest point.
#
# Is the landing legitimate? The jump at frozen $a_{\rm exit}$ must end on an *attracting*
# part of the branch, where the fast eigenvalue $\lambda = \partial_\kappa \dot\kappa$ is
# negative, and the whole slow motion must stay there. We check both, and that the limit
# slides down toward the largest rest point of the slow flow below $\kappa_{\rm b}$ (or
# toward $0$ if there is none), whenever the limit leaves $\kappa = 1$.

# %%
if exits:
    k_path = lim.kappa[tau > lim.tau_exit]
    eig_land = M.eigenvalue(lim.kappa_branch, lim.a_exit)
    rest = M.rest_points()
    rest = rest[rest < lim.kappa_branch]
    k_rest = rest.max() if rest.size else 0.0
    report(
        ("fs-eig-land", eig_land, "fast eigenvalue at the landing", ".3f"),
        ("fs-krest", k_rest, "rest point below the landing", ".3f"),
    )
    assert A1 < lim.a_exit < abar  # the exit is delayed past A(1)
    assert abs(M.A(lim.kappa_branch) - lim.a_exit) < 1e-10  # on the branch
    assert eig_land < 0  # the branch catches the jump ...
    assert np.all(M.eigenvalue(k_path, M.A(k_path)) < 0)  # ... and holds it
    assert k_rest < lim.kappa[-1] < lim.kappa_branch < 1
    assert np.all(np.diff(k_path) <= 0)  # the slow flow only ever unlearns

# %% [markdown]
# The fast eigenvalue at the landing point is {glue:text}`fs-eig-land:.3f` $< 0$: the
# branch catches the jump, and it stays attracting all the way down (the next chapter
# shows why: the interior branch attracts wherever $A' < 0$).
#
# ### How long is the alignment phase?
#
# Piece 1 claims that the alignment phase does not get longer as $\kappa_0 \to 0$. We
# integrate the layer flow (the full system with a negligible $\eps$, so that $a$ stays
# at $a_0$) from $\kappa_0$ and from the far smaller $\kappa_0' = 10^{-8}$ (`kappa0_tiny`),
# and measure the time at which $\kappa$ passes {glue:text}`fs-level:.2f`. The difference
# between the two is the time the layer flow needs to climb from $\kappa_0'$ to
# $\kappa_0$, at least $a_0 \min_{[0, \kappa_0]} (1-\kappa^2) g(\kappa, a_0) > 0$ per unit
# time, so at most $\kappa_0 / (a_0 \min (1-\kappa^2) g)$, about $\kappa_0/(a_0 u_1)$.
# Were the phase of length $\log(1/\kappa_0)/a_0$, the difference would instead be
# $\log(\kappa_0/\kappa_0')/(a_0 u_1)$. The claim holds whenever $u_1 \ne 0$ and the layer
# flow aligns ($g(\kappa, a_0) > 0$ on $[0, 1]$), which the cell checks first.

# %%
def time_to(t, kappa, level):
    """First time at which kappa (increasing) passes level, interpolated."""
    i = int(np.argmax(kappa > level))
    w = (level - kappa[i - 1]) / (kappa[i] - kappa[i - 1])
    return t[i - 1] + w * (t[i] - t[i - 1])


def g(k, a):
    return dyn.phi.deriv()(k) - 0.5 * a * dyn.H.deriv()(k)


t_layer = np.linspace(0.0, P.t_layer, P.n_layer)
frozen = dyn.with_eps(P.eps_frozen)
if aligns:
    layer = frozen.integrate(P.kappa0, P.a0, t_layer)
    layer_tiny = frozen.integrate(P.kappa0_tiny, P.a0, t_layer)
    T0 = time_to(t_layer, layer.kappa, P.level)
    T_tiny = time_to(t_layer, layer_tiny.kappa, P.level)
    k_low = np.linspace(0.0, P.kappa0, 201)
    speed = P.a0 * (1 - k_low**2) * g(k_low, P.a0)
    bound = P.kappa0 / speed.min()  # the longest the climb can take
    u1 = float(dyn.u[1])
    log_law = np.log(P.kappa0 / P.kappa0_tiny) / (P.a0 * u1)
    report(
        ("fs-T0", T0, "layer time from kappa0", ".2f"),
        ("fs-T-tiny", T_tiny, "layer time from kappa0_tiny", ".2f"),
        ("fs-T-bound", bound, "bound kappa0 / min speed", ".3f"),
        ("fs-T-log", log_law, "difference a log(1/kappa0) law gives", ".1f"),
    )
    assert 0 < T_tiny - T0 <= bound + 2 * (t_layer[1] - t_layer[0])

# %% [markdown]
# From the default $\kappa_0$ the layer flow passes {glue:text}`fs-level:.2f` at fast time
# {glue:text}`fs-T0:.2f`, and from $\kappa_0' = 10^{-8}$ at {glue:text}`fs-T-tiny:.2f`:
# the extra time stays below the bound {glue:text}`fs-T-bound:.3f`, where a logarithmic
# search phase would add {glue:text}`fs-T-log:.1f`. A student that sees a linear part of
# the teacher ($u_1 \ne 0$) has no search phase. (When $u_1 = 0$, $\kappa = 0$ is a rest
# point of the layer flow, near which $\kappa$ grows only exponentially, and a search phase
# of length of order $\log(1/\kappa_0)$ does appear: {doc}`no_linear_part`.)
#
# ## Convergence on the slow clock
#
# Now integrate the full system for the values of $\eps$ in `eps_list` (by default seven,
# from $0.05$ down to $5\times 10^{-4}$) on the same slow-time grid (fast times
# $t = \tau/\eps$). The integrator of `ReducedDynamics` works in
# $\vartheta = \operatorname{artanh}\kappa$, so that the tiny distance $1 - \kappa$ reached
# on $\kappa = 1$ is never rounded away (the next chapter shows what goes wrong otherwise).
# {numref}`tab-fs-exits` lists where each run leaves $\kappa >$
# {glue:text}`fs-level:.2f`.

# %%
eps_arr = np.sort(np.array(P.eps_list, float))[::-1]  # largest first
runs = {
    eps: dyn.with_eps(eps).integrate(P.kappa0, P.a0, tau / eps)
    for eps in eps_arr
}
exit_rows = []
for eps in eps_arr:
    t_x, a_x = measure_exit(runs[eps], P.level)
    exit_rows.append((eps, eps * t_x, a_x))
table(
    ["$\\eps$", "exit slow time $\\eps t_{\\rm exit}$", "$a$ at the exit"],
    exit_rows + [("limit", lim.tau_exit, lim.a_exit)],
    caption=f"Where each run leaves $\\kappa > {P.level:g}$, and the "
    "singular limit.",
    name="tab-fs-exits",
    fmt=[".4g", ".4f", ".4f"],
)

# %% [markdown]
# {numref}`fig-fs-traj` shows the runs against fast time and against slow time. Against
# fast time the curves spread out: each $\eps$ has its own clock for the slow part.
# Against slow time they pile up onto the singular limit. Each $\eps$ has one colour
# throughout the book (`eps_color`), and here one marker too.

# %%
MARKS = "os^vDPX<>"


def eps_style(i, eps, label=True):
    """Colour, marker and label of the run at eps (markers for greyscale)."""
    return dict(
        color=eps_color(eps),
        marker=MARKS[i % len(MARKS)],
        markevery=(0.03 * (i % 4), 0.12),
        ms=5,
        lw=1.4,
        label=f"$\\varepsilon$ = {eps:g}" if label else None,
    )


# %% tags=["remove-output"]
fig, ax = plt.subplots(3, 1, figsize=(6.6, 8.4))
for i, (eps, tr) in enumerate(runs.items()):
    t_log = np.geomspace(0.1, P.tau_end / eps, P.n_log)
    k_log = dyn.with_eps(eps).integrate(P.kappa0, P.a0, t_log).kappa
    ax[0].plot(t_log, k_log, **eps_style(i, eps, label=False))
    ax[1].plot(tau, tr.kappa, **eps_style(i, eps))
    ax[2].plot(tau, tr.a, **eps_style(i, eps, label=False))
for i, y in ((1, lim.kappa), (2, lim.a)):
    ax[i].plot(tau, y, color=THEORY, ls="--", lw=2, label="singular limit")
ax[0].set(xscale="log", xlabel="fast time $t$", ylabel="alignment $\\kappa$")
ax[1].set(xlabel="slow time $\\tau = \\varepsilon t$",
          ylabel="alignment $\\kappa$")
ax[2].set(xlabel="slow time $\\tau = \\varepsilon t$",
          ylabel="second-layer weight $a$")
ax[1].legend(loc="lower center", ncol=3)
show_figure(fig, "fig-fs-traj")

# %% [markdown]
# ```{glue:figure} fig-fs-traj
# :name: fig-fs-traj
#
# The running example ($s = 0.5$, $c = 0.2$, $\kappa_0 = 0.01$, $a_0 = 0.1$) for $\eps$
# from 0.05 to 0.0005 (dark: small $\eps$). Top: alignment against fast time $t$ (log
# scale): the alignment phase takes the same fast time for every $\eps$, the unlearning
# happens at times $\propto 1/\eps$. Middle and bottom: alignment and second-layer weight
# against slow time $\tau = \eps t$, with the singular limit (dashed): jump to
# $\kappa = 1$, drift of $a$, delayed exit, jump to the interior branch, slow slide toward
# $\kappa^\circ = c/s$.
# ```
#
# The same runs in the phase plane $(\kappa, a)$, with the critical manifold drawn under
# them ({numref}`fig-fs-phase`), show the geometry behind the convergence. Away from the
# jumps each trajectory hugs an attracting branch of $\Mzero$; the jumps are horizontal
# (fast, at frozen $a$); and the climb along $\kappa = 1$ continues past the transcritical
# point, into the repelling part, before the jump down. The smaller $\eps$, the closer the
# curve to the singular limit.

# %% tags=["remove-output"]
a_top = 1.05 * max(max(tr.a.max() for tr in runs.values()), A1)
fig, ax = plt.subplots(figsize=(6.6, 4.8))
draw_manifold(ax, M, a_max=a_top)
for i, (eps, tr) in enumerate(runs.items()):
    ax.plot(tr.kappa, tr.a, **eps_style(i, eps))
ax.plot(lim.kappa, lim.a, color=THEORY, ls="--", lw=2,
        label="singular limit")
ax.set(xlim=(0, 1.04), ylim=(-0.05, a_top), xlabel="alignment $\\kappa$",
       ylabel="second-layer weight $a$")
ax.legend(loc="center left", bbox_to_anchor=(0.0, 0.55), ncol=2)
show_figure(fig, "fig-fs-phase")

# %% [markdown]
# ```{glue:figure} fig-fs-phase
# :name: fig-fs-phase
#
# The runs of {numref}`fig-fs-traj` (same colours and markers) in the phase plane, over
# the critical manifold $\Mzero$ (thick light blue: attracting; orange: repelling; dotted:
# the non-hyperbolic line $a = 0$). Dashed: the singular limit: a horizontal jump to
# $\kappa = 1$, a climb along it up to $a_{\rm exit}$, a horizontal jump to the interior
# branch, and a slide along that branch.
# ```
#
# ## Measuring the error
#
# Three error measures, each on the slow-time grid:
#
# - $e_a = \sup_\tau |a_\eps(\tau) - a^{(0)}(\tau)|$ over *all* $\tau$, where
#   $(\kappa^{(0)}, a^{(0)})$ denotes the singular limit: $a$ is slow, it has no jumps, and
#   the limit is uniform;
# - $e_\kappa = \sup |\kappa_\eps(\tau) - \kappa^{(0)}(\tau)|$ over the $\tau$ outside the
#   two jump layers. A jump of the limit is a fast but smooth transition of the true
#   solution, which ends exponentially at the rate $|\lambda|$ of the branch it lands on;
#   inside it the error is $O(1)$ by nature. We leave out a window of
#   $w = 10\,\eps\log(1/\eps)/|\lambda|$ after $\tau = 0$ and on both sides of the exit,
#   with $\lambda$ the eigenvalue at the landing point (at the exit, the smaller of the
#   eigenvalues on both sides);
# - $e_{\rm exit} = |\tau_{\rm exit}(\eps) - \tau_{\rm exit}|$, where
#   $\tau_{\rm exit}(\eps)$ is the slow time at which $\kappa_\eps$ drops below
#   {glue:text}`fs-level:.2f`.

# %%
k_land = M.fast_landing(P.kappa0, P.a0)
lam0 = abs(M.eigenvalue(k_land, P.a0))  # rate of the first landing
lam1 = np.nan
if exits:
    lam1 = min(abs(M.eigenvalue(1.0, lim.a_exit)),
               abs(M.eigenvalue(lim.kappa_branch, lim.a_exit)))


def errors(tr, eps):
    """(e_a, e_kappa, e_exit) of a run against the singular limit."""
    w = 10 * eps * np.log(1 / eps)
    away = tau > w / lam0
    if exits:
        away &= np.abs(tau - lim.tau_exit) > w / lam1
    e_a = np.max(np.abs(tr.a - lim.a))
    e_k = np.nan
    if away.any():
        e_k = np.max(np.abs(tr.kappa - lim.kappa)[away])
    e_x = np.nan
    if exits:
        e_x = abs(measure_exit(tr, P.level)[0] * eps - lim.tau_exit)
    return e_a, e_k, e_x


err = np.array([errors(runs[eps], eps) for eps in eps_arr])  # a, kappa, exit

# %% [markdown]
# A straight-line fit of $\log e$ against $\log\eps$ gives the rate. We fit twice: over
# the whole list and over its smaller half ($\eps$ below the geometric middle of the
# list). {numref}`tab-fs-errors` lists the errors and the ratios $e/\eps$.

# %%
def slope(eps, e):
    """Least-squares slope of log e against log eps (finite values only)."""
    ok = np.isfinite(e) & (e > 0)
    if ok.sum() < 2:
        return np.nan
    return np.polyfit(np.log(eps[ok]), np.log(e[ok]), 1)[0]


small = eps_arr <= np.sqrt(eps_arr.max() * eps_arr.min())
slopes_all = [slope(eps_arr, err[:, j]) for j in range(3)]
slopes_small = [slope(eps_arr[small], err[small, j]) for j in range(3)]
report(
    ("fs-slope-a", slopes_all[0], "slope of e_a, whole list", ".3f"),
    ("fs-slope-kappa", slopes_all[1], "slope of e_kappa, whole list", ".3f"),
    ("fs-slope-exit", slopes_all[2], "slope of e_exit, whole list", ".3f"),
    ("fs-slope-small-a", slopes_small[0], "slope of e_a, small half", ".3f"),
    ("fs-slope-small-kappa", slopes_small[1], "slope of e_kappa, small half",
     ".3f"),
    ("fs-slope-small-exit", slopes_small[2], "slope of e_exit, small half",
     ".3f"),
)
ratio = err / eps_arr[:, None]
trend = ["grows" if r[-1] > r[0] else "falls" for r in ratio.T]
closer = all(abs(b - 1) <= abs(a - 1)
             for a, b in zip(slopes_all, slopes_small))
report(
    ("fs-trend-a", trend[0], "e_a / eps as eps falls"),
    ("fs-trend-kappa", trend[1], "e_kappa / eps as eps falls"),
    ("fs-trend-exit", trend[2], "e_exit / eps as eps falls"),
    ("fs-r-a-0", ratio[0, 0], "e_a / eps, largest eps", ".3f"),
    ("fs-r-a-1", ratio[-1, 0], "e_a / eps, smallest eps", ".3f"),
    ("fs-r-kappa-0", ratio[0, 1], "e_kappa / eps, largest eps", ".3f"),
    ("fs-r-kappa-1", ratio[-1, 1], "e_kappa / eps, smallest eps", ".3f"),
    ("fs-r-exit-0", ratio[0, 2], "e_exit / eps, largest eps", ".3f"),
    ("fs-r-exit-1", ratio[-1, 2], "e_exit / eps, smallest eps", ".3f"),
    ("fs-closer", "all three slopes are" if closer
     else "not every slope is", "closer to 1 on the smaller half?"),
)
table(
    ["$\\eps$", "$e_a$", "$e_\\kappa$", "$e_{\\rm exit}$", "$e_a/\\eps$",
     "$e_\\kappa/\\eps$", "$e_{\\rm exit}/\\eps$"],
    np.c_[eps_arr, err, ratio],
    caption="Errors against the singular limit, and the errors over "
    "$\\eps$.",
    name="tab-fs-errors",
    fmt=[".4g", ".2e", ".2e", ".2e", ".3f", ".3f", ".3f"],
)

# %% [markdown]
# Over the whole list the fitted slopes are {glue:text}`fs-slope-a:.3f` (for $e_a$),
# {glue:text}`fs-slope-kappa:.3f` (for $e_\kappa$) and {glue:text}`fs-slope-exit:.3f`
# (for the exit time); over the smaller half they are
# {glue:text}`fs-slope-small-a:.3f`, {glue:text}`fs-slope-small-kappa:.3f` and
# {glue:text}`fs-slope-small-exit:.3f`: {glue:text}`fs-closer` closer to one on the
# smaller half. A slope below one shows up in the table as a ratio $e/\eps$ that grows as
# $\eps$ decreases, a slope above one as a ratio that falls. From the largest $\eps$ of the
# list to the smallest, $e_a/\eps$ {glue:text}`fs-trend-a` from
# {glue:text}`fs-r-a-0:.3f` to {glue:text}`fs-r-a-1:.3f`, $e_\kappa/\eps$
# {glue:text}`fs-trend-kappa` from {glue:text}`fs-r-kappa-0:.3f` to
# {glue:text}`fs-r-kappa-1:.3f`, and $e_{\rm exit}/\eps$ {glue:text}`fs-trend-exit` from
# {glue:text}`fs-r-exit-0:.3f` to {glue:text}`fs-r-exit-1:.3f`: over this list the
# errors are not yet in their asymptotic regime, and the smaller values of $\eps$ below
# decide the rate. Every error shrinks as $\eps$ does; the cell below checks it for $e_a$
# (the other two errors are not defined for every parameter: $e_\kappa$ and
# $e_{\rm exit}$ need an exit).

# %%
assert np.all(np.diff(err[:, 0]) < 0)  # e_a shrinks with eps

# %% [markdown]
# Could the true rate be $\eps\log(1/\eps)$, as can happen near non-hyperbolic points? Then
# $e/\eps$ would keep growing by the same *amount* at every halving of $\eps$. To decide,
# we go further down, to the values in `eps_tiny` (by default $2\times10^{-4}$, $10^{-4}$
# and $5\times10^{-5}$: fast times up to $4\times10^5$, still a fraction of a second
# each). There the fitted slopes of $e_a$ and $e_\kappa$ must be close to one, and
# $e/\eps$ must have settled (it changes by less than 1% over the last halving) or at
# least grow by less and less. The check on $e_\kappa$ needs the exit to be in its
# asymptotic regime, where the minimum of $1 - \kappa$ on $\kappa = 1$, about
# $e^{-I/\eps}$ with the stored attraction $I$ of the next chapter, is tiny: we ask for
# $\eps \le I/100$. (The exit time is left out here: its error is the difference of two
# $O(\eps)$ shifts of opposite signs, which can nearly cancel, so that its slope at the
# smallest $\eps$ says little.)

# %%
tiny = np.sort(np.array(P.eps_tiny, float))[::-1]
err_tiny = np.array(
    [errors(dyn.with_eps(e).integrate(P.kappa0, P.a0, tau / e), e)
     for e in tiny]
)
r_tiny = err_tiny / tiny[:, None]
e_min = tiny.min()  # the smallest eps of all, used below
run_min = dyn.with_eps(e_min).integrate(P.kappa0, P.a0, tau / e_min)
I_stored = M.entry_exit(P.a0, A1) if exits else np.nan
check = [True, (exits and tiny.max() <= I_stored / 100) or not aligns]
slopes_tiny = [slope(tiny, err_tiny[:, j]) for j in range(2)]
for j, name in enumerate(["a", "kappa"]):
    report(
        (f"fs-tiny-slope-{name}", slopes_tiny[j], f"slope of e_{name}",
         ".3f"),
        (f"fs-tiny-ratio-{name}", r_tiny[-1, j], f"e_{name}/eps", ".3f"),
        title=f"e_{name} at eps in eps_tiny (checked: {check[j]})",
    )
    if check[j] and tiny.size >= 3:
        inc = np.diff(r_tiny[:, j])  # growth of e/eps at each halving
        settled = abs(inc[-1]) < 0.01 * r_tiny[-1, j]
        assert 0.9 < slopes_tiny[j] < 1.1
        assert settled or inc[-1] < 0.75 * inc[-2]

# %% [markdown]
# At the smallest $\eps$ the slopes are {glue:text}`fs-tiny-slope-a:.3f` for $e_a$ and
# {glue:text}`fs-tiny-slope-kappa:.3f` for $e_\kappa$, and the ratios have settled at
# $e_a/\eps \approx$ {glue:text}`fs-tiny-ratio-a:.2f` and
# $e_\kappa/\eps \approx$ {glue:text}`fs-tiny-ratio-kappa:.3f`: both errors are $O(\eps)$,
# with a slow pre-asymptotic approach.
#
# ## Where the constant comes from
#
# Where does the constant in front of $\eps$ come from? The largest error in $a$ sits at
# the end of the alignment phase: the limit starts drifting on $\kappa = 1$ at once, while
# the true $a$ hardly moves until $\kappa$ is near 1. Matched asymptotics makes this
# quantitative. During the initial layer $a \approx a_0$ and $\kappa$ follows the layer
# flow $\kappa_{\rm L}(t)$ at frozen $a_0$; with $F(\kappa) = \phi(\kappa) - a_0
# H(\kappa)$, after the layer the true $a$ lags behind the limit by $\eps C_{\rm L}$, where
#
# $$
# \begin{aligned}
# C_{\rm L} &= \int_0^\infty \big[F(1) - F(\kappa_{\rm L}(t))\big]\, dt \\
#   &= \int_{\kappa_0}^{1} \frac{F(1) - F(\kappa)}
#      {a_0\,(1-\kappa^2)\, g(\kappa, a_0)}\, d\kappa .
# \end{aligned}
# $$ (eq-fs-layer-constant)
#
# The second form follows from $dt = d\kappa/\dot\kappa$ along the layer flow. Its
# integrand is finite at both ends: at $\kappa = 0$ because $g(0, a_0) = u_1 \ne 0$, at
# $\kappa = 1$ because $F(1) - F(\kappa)$ vanishes like $1 - \kappa$, which cancels the
# factor $1 - \kappa^2$. So $C_{\rm L}$ depends on $\kappa_0$ only through the short stretch
# $[0, \kappa_0]$, and it is of order $1/a_0$ because of the factor $a_0$ in the fast
# field: the alignment phase lasts a fast time of order $1/a_0$, during which the limit
# has gained $F(1) - F(\kappa_{\rm L})$ per unit time. The logarithmically long approach
# to $\kappa = 1$ costs nothing, because $F(\kappa_{\rm L})$ is then already close to
# $F(1)$. `CriticalManifold.layer_constant` evaluates the second form; we compare it with
# the first, computed on the layer flow integrated above. Along $\kappa = 1$ the lag then
# decays like the solution of the linear equation {eq}`eq-fs-a-on-1`, as
# $\eps C_{\rm L} e^{-H(1)\tau}$, which we check at the middle $\tau_{\rm c}$ of the drift
# on $\kappa = 1$, with the smallest $\eps$ of `eps_tiny`. (All of this needs the alignment
# phase to reach $\kappa = 1$, checked first.)

# %%
if aligns:
    C_L = M.layer_constant(P.kappa0, P.a0)
    C_time = integrate.trapezoid(
        (dyn.phi(1.0) - P.a0 * H1)
        - (dyn.phi(layer.kappa) - P.a0 * dyn.H(layer.kappa)),
        t_layer,
    )
    tau_c = lim.tau_exit / 2 if exits else P.tau_end / 2
    i_c = int(np.searchsorted(tau, tau_c))
    lag = (lim.a[i_c] - run_min.a[i_c]) / e_min
    lag_pred = C_L * np.exp(-H1 * tau[i_c])
    report(
        ("fs-CL", C_L, "layer constant C_L", ".3f"),
        (None, C_time, "C_L as a time integral", ".3f"),
        ("fs-CL-tiny", M.layer_constant(P.kappa0_tiny, P.a0),
         "C_L from kappa0_tiny", ".3f"),
        ("fs-tau-c", tau[i_c], "check time tau_c", ".3f"),
        ("fs-lag", lag, "lag / eps at tau_c", ".4f"),
        ("fs-lag-pred", lag_pred, "C_L exp(-H(1) tau_c)", ".4f"),
        ("fs-ratio-min", ratio[-1, 0], "e_a / eps, smallest eps of the list",
         ".3f"),
    )
    assert abs(C_time / C_L - 1) < 1e-3  # the two forms agree
    assert abs(lag - lag_pred) < 0.02 * abs(lag_pred) + 0.005

# %% [markdown]
# The layer constant is $C_{\rm L} =$ {glue:text}`fs-CL:.3f` (from $\kappa_0' = 10^{-8}$:
# {glue:text}`fs-CL-tiny:.3f`). At $\tau_{\rm c} =$ {glue:text}`fs-tau-c:.3f` the
# measured lag divided by $\eps$ is {glue:text}`fs-lag:.4f`, against the prediction
# $C_{\rm L}e^{-H(1)\tau_{\rm c}} =$ {glue:text}`fs-lag-pred:.4f`: the error in $a$ is, to
# leading order, the first correction of matched asymptotics, linear in $\eps$. In the
# running example the sup-error $e_a$ is attained right after the layer, so $e_a/\eps$
# tends to $C_{\rm L}$ itself (it is {glue:text}`fs-ratio-min:.3f` at the smallest $\eps$
# of the list). The constant is large because the alignment phase is slow when $a_0$ is
# small, and only once $\eps$ is small compared with $a_0$ does the asymptotic regime set
# in; this is why the ratios $e/\eps$ still grow over the larger values of $\eps$.
# {numref}`fig-fs-err` shows the three errors with the layer's contribution
# $C_{\rm L}\eps$.

# %% tags=["remove-output"]
fig, ax = plt.subplots()
names = ("$e_a$", "$e_\\kappa$ (away from jumps)",
         "$e_{\\rm exit}$ (slow time)")
for j, (name, mk, ls) in enumerate(zip(names, "os^", ("-", "--", "-."))):
    ax.loglog(eps_arr, err[:, j], marker=mk, ls=ls,
              label=f"{name}, slope {slopes_all[j]:.2f}")
if aligns:
    ax.loglog(eps_arr, C_L * eps_arr, color=THEORY, ls=":",
              label="$C_{\\rm L}\\,\\varepsilon$ (initial layer)")
ax.set(xlabel="$\\varepsilon$", ylabel="error against the singular limit")
ax.legend(loc="upper left")
show_figure(fig, "fig-fs-err")

# %% [markdown]
# ```{glue:figure} fig-fs-err
# :name: fig-fs-err
#
# Errors between the trajectories and the singular limit, running example, against
# $\eps$ (log-log). Slopes from least-squares fits over the whole list. The dotted line is
# the contribution $C_{\rm L}\eps$ of the initial layer {eq}`eq-fs-layer-constant` to the
# error in $a$.
# ```
#
# Note what is *not* small: near the transcritical point $a = A(1)$ the naive reading of
# Tikhonov's theorem would put the exit at $a = A(1)$, at the slow time
# $\tau^* = \log[(\abar - a_0)/(\abar - A(1))]/H(1)$; the true trajectories leave near
# $a_{\rm exit}$ instead, and the exit times converge to the entry-exit prediction
# {eq}`eq-fs-exit`. A singular limit that used the naive exit would be off by an $O(1)$
# amount, whatever $\eps$: at the smallest $\eps$ the measured exit is much closer to
# $\tau_{\rm exit}$ than to $\tau^*$.

# %%
if exits and aligns:
    tau_naive = M.naive_onset_time(P.a0, 1.0)
    tau_min = measure_exit(run_min, P.level)[0] * e_min
    report(
        ("fs-tau-naive", tau_naive, "naive exit tau*", ".3f"),
        (None, tau_min, f"measured exit at eps = {e_min:g}", ".4f"),
    )
    assert abs(tau_min - lim.tau_exit) < 0.1 * (lim.tau_exit - tau_naive)

# %% [markdown]
# The naive exit would be at $\tau^* =$ {glue:text}`fs-tau-naive:.3f` instead of
# {glue:text}`fs-tauexit:.3f`.
#
# ## A real activation pair
#
# The construction never used the special form of the running example. Take an erf
# student, $\sigma = \operatorname{erf}$ (its Hermite series to degree 9: only odd terms),
# and the teacher $\sstar = \He_1 + 0.3\He_3$. Both are odd, so $\phi$ has only odd
# powers and $H$ only even ones; the chapter on scaling laws studies this class in detail.
# The claims are those of the running example: the limit leaves $\kappa = 1$ when the
# alignment phase reaches it, which it does for this pair since $a_0 < A(1)$, and the
# error in $a$ is $O(\eps)$.

# %%
teacher_erf = polynomial(0, 1, 0, P.c3_erf)
dyn_erf = ReducedDynamics(teacher_erf, erf(P.erf_degree), eps=0.05)
M_erf = CriticalManifold(dyn_erf)
lim_erf = M_erf.singular_limit(P.kappa0, P.a0, tau)


def error_a_erf(eps):
    tr = dyn_erf.with_eps(eps).integrate(P.kappa0, P.a0, tau / eps)
    return tr, np.max(np.abs(tr.a - lim_erf.a))


runs_erf, err_erf = zip(*(error_a_erf(eps) for eps in eps_arr))
err_erf = np.array(err_erf)
err_erf_tiny = np.array([error_a_erf(e)[1] for e in tiny])
slope_erf = slope(eps_arr, err_erf)
slope_erf_tiny = slope(tiny, err_erf_tiny)
aligns_erf = bool(np.isfinite(lim_erf.tau_exit))
report(
    ("fs-erf-A1", M_erf.transcritical_a(), "A(1)", ".3f"),
    ("fs-erf-aexit", lim_erf.a_exit, "a_exit", ".3f"),
    ("fs-erf-kend", lim_erf.kappa[-1], "kappa of the limit at tau_end",
     ".3f"),
    ("fs-erf-slope", slope_erf, "slope of e_a, whole list", ".3f"),
    ("fs-erf-slope-tiny", slope_erf_tiny, "slope of e_a, eps_tiny", ".3f"),
    title=f"erf student against He_1 + {P.c3_erf:g} He_3",
)
assert M_erf.verdict().unlearns and M_erf.rest_points().size == 0
if aligns_erf:  # a0 < A(1): the limit aligns, then leaves kappa = 1
    assert 0.9 < slope_erf_tiny < 1.1

# %% [markdown]
# Here $A(1) =$ {glue:text}`fs-erf-A1:.3f` and the limit exits at $a_{\rm exit} =$
# {glue:text}`fs-erf-aexit:.3f`; the interior branch has no rest point, so the slow flow
# keeps unlearning ($\kappa =$ {glue:text}`fs-erf-kend:.3f` at $\tau =$
# {glue:text}`fs-tau-end:.0f` and falling). The sup-error in $a$ decays with fitted slope
# {glue:text}`fs-erf-slope:.3f` over the list of $\eps$ and
# {glue:text}`fs-erf-slope-tiny:.3f` further down ({numref}`fig-fs-erf`): the same
# pre-asymptotic approach to a linear rate as in the running example.

# %% tags=["remove-output"]
fig, ax = plt.subplots(2, 1, figsize=(6.6, 6.4))
for i, (eps, tr) in enumerate(zip(eps_arr, runs_erf)):
    ax[0].plot(tau, tr.kappa, **eps_style(i, eps))
ax[0].plot(tau, lim_erf.kappa, color=THEORY, ls="--", lw=2,
           label="singular limit")
ax[0].set(xlabel="slow time $\\tau$", ylabel="alignment $\\kappa$")
ax[0].legend(loc="lower right", ncol=2)
ax[1].loglog(eps_arr, err_erf, "o-",
             label=f"the list, slope {slope_erf:.2f}")
ax[1].loglog(tiny, err_erf_tiny, "s--",
             label=f"smaller $\\varepsilon$, slope {slope_erf_tiny:.2f}")
ax[1].set(xlabel="$\\varepsilon$", ylabel="error $e_a$ in $a$")
ax[1].legend(loc="lower right")
show_figure(fig, "fig-fs-erf")

# %% [markdown]
# ```{glue:figure} fig-fs-erf
# :name: fig-fs-erf
#
# Erf student against the teacher $\He_1 + 0.3\He_3$ ($\kappa_0 = 0.01$, $a_0 = 0.1$).
# Top: alignment against slow time for $\eps$ from 0.05 to 0.0005, with the singular limit
# (dashed). Bottom: sup-error $e_a$ in $a$ against $\eps$, over the same list of $\eps$
# and over the three smaller values $2\times10^{-4}$, $10^{-4}$ and $5\times10^{-5}$.
# ```
#
# ## Summary
#
# - The learning-rate ratio $\eps$ makes $\kappa$ fast and $a$ slow. Setting $\eps = 0$ on
#   the fast clock gives the layer system ($a$ frozen), on the slow clock the reduced
#   system (state confined to the critical manifold {eq}`eq-fs-M0`).
# - The $\eps \to 0$ limit of a trajectory, read on the slow clock $\tau = \eps t$, is a
#   chain of fast jumps and slow drifts: alignment to $\kappa = 1$, drift of $a$, a
#   *delayed* exit at $a_{\rm exit} > A(1)$, a jump onto the attracting interior branch,
#   and slow unlearning on it.
# - The alignment phase lasts a fast time of order $1/a_0$ whatever $\kappa_0$ (when
#   $u_1 \ne 0$): $\kappa$ grows linearly from the start, and only the approach to
#   $\kappa = 1$ is logarithmic.
# - Trajectories converge to the singular limit; the errors shrink like $\eps$, and the
#   constant of the error in $a$ is the layer constant {eq}`eq-fs-layer-constant`.
#
# ## Exercises
#
# ```{exercise}
# :label: ex-fs-a0
#
# A larger initial second-layer weight mitigates unlearning. Take $a_0$ between $A(1)$
# and $\acirc = s/c$ (`a0_large`, by default $2$; here {glue:md}`fs-A1-eq:myst` and
# {glue:md}`fs-acirc-eq:myst`). Where does the first jump land now, does
# the singular limit still visit $\kappa = 1$, and how much does it unlearn? Check that
# the trajectory for $\eps = 0.005$ (`eps_check`) stays within $O(\eps)$ of it outside
# the first jump.
# ```
#
# ```{solution-start} ex-fs-a0
# :class: dropdown
# ```
#
# The layer flow at frozen $a_0 > A(1)$ stops where $g(\kappa, a_0) = 0$, i.e. on the
# interior branch at $A(\kappa) = a_0$: the limit never reaches $\kappa = 1$, so it has
# no exit time. Since $A$ decreases and $A(\kcirc) = \acirc > a_0$, the landing point lies
# *above* $\kcirc = c/s$ (at $\kappa_{\rm b} =$ {glue:text}`fs-a2-kb:.3f`), and the slow
# flow then slides down toward $\kcirc$. The network still unlearns, but at most
# $\kappa_{\rm b} - \kcirc =$ {glue:text}`fs-a2-drop:.3f` of alignment instead of
# $1 - \kcirc =$ {glue:text}`fs-full-drop:.1f`: mitigated, not removed. Only
# $a_0 \ge \acirc$ lands at or below $\kcirc$ and removes unlearning altogether. The
# claims need $0 < c < s$ and $A(1) < a_0 < s/c$, which the cell checks first.

# %%
between = 0 < P.c < P.s and A1 < P.a0_large < P.s / P.c
print("A(1) < a0_large < s/c:", between)
lim2 = M.singular_limit(P.kappa0, P.a0_large, tau)
tr2 = dyn.with_eps(P.eps_check).integrate(P.kappa0, P.a0_large,
                                          tau / P.eps_check)
lam2 = abs(M.eigenvalue(lim2.kappa_branch, P.a0_large))
away = tau > 10 * P.eps_check * np.log(1 / P.eps_check) / lam2
gap2 = np.max(np.abs(tr2.kappa - lim2.kappa)[away], initial=0.0)
report(
    ("fs-a2-kb", lim2.kappa_branch, "landing point kappa_b", ".3f"),
    ("fs-a2-drop", lim2.kappa_branch - P.c / P.s, "kappa_b - c/s", ".3f"),
    ("fs-full-drop", 1 - P.c / P.s, "1 - c/s", ".1f"),
    ("fs-acirc", P.s / P.c if P.c else np.inf, "s/c", ".2f"),
    ("fs-acirc-eq", Md(f"$\\acirc = {P.s / P.c:.2f}$" if P.c
                       else "$\\acirc = \\infty$"), "s/c, typeset"),
    ("fs-A1-eq", Md(f"$A(1) = {A1:.2f}$"), "A(1), typeset"),
    (None, gap2 / P.eps_check, "sup |kappa - limit| / eps, outside the jump",
     ".3f"),
)
if between:
    assert np.isnan(lim2.tau_exit)  # never visits kappa = 1
    assert abs(M.A(lim2.kappa_branch) - P.a0_large) < 1e-10
    assert P.c / P.s < lim2.kappa[-1] < lim2.kappa_branch < 1  # slides down
    assert gap2 < 0.1 * (lim2.kappa_branch - lim2.kappa[-1])  # small

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ex-fs-layer
#
# The constant $C_{\rm L}$ of {eq}`eq-fs-layer-constant` depends on $a_0$. Compute it for
# $a_0 = 0.2$ (`a0_layer`) and check the lag $\eps C_{\rm L} e^{-H(1)\tau}$ it predicts on
# $\kappa = 1$ against a run at the smallest $\eps$ of `eps_tiny`. Why is it somewhat less
# than half the value at $a_0 = 0.1$?
# ```
#
# ```{solution-start} ex-fs-layer
# :class: dropdown
# ```
#
# The layer field $a_0(1-\kappa^2)\big(\phi' - \tfrac12 a_0 H'\big)$ is nearly
# proportional to $a_0$ when $a_0$ is small: doubling $a_0$ roughly halves the duration of
# the alignment phase, hence the lag it leaves behind in $a$. It is a little less than
# half because the gain $F(1) - F(\kappa) = [\phi(1) - \phi(\kappa)] - a_0[H(1) -
# H(\kappa)]$ accumulated per unit time shrinks too as $a_0$ grows: the products
# $a_0 C_{\rm L}$ printed below decrease with $a_0$. The check of the lag needs the layer
# flow at `a0_layer` to align fully, which the cell checks first.

# %%
with np.errstate(divide="ignore", invalid="ignore"):
    aligns3 = bool(np.all(M.A(np.linspace(0, 1, 2001)) > P.a0_layer))
print("the layer flow at a0_layer aligns fully:", aligns3)
if aligns3:
    C2 = M.layer_constant(P.kappa0, P.a0_layer)
    lim3 = M.singular_limit(P.kappa0, P.a0_layer, tau)
    tr3 = dyn.with_eps(e_min).integrate(P.kappa0, P.a0_layer, tau / e_min)
    t3 = lim3.tau_exit / 2 if np.isfinite(lim3.tau_exit) else P.tau_end / 2
    i3 = int(np.searchsorted(tau, t3))
    lag3 = (lim3.a[i3] - tr3.a[i3]) / e_min
    pred3 = C2 * np.exp(-H1 * tau[i3])
    report(
        (None, C2, "C_L at a0_layer", ".3f"),
        (None, P.a0_layer * C2, "a0_layer * C_L", ".3f"),
        (None, P.a0 * C_L if aligns else np.nan, "a0 * C_L (the default a0)",
         ".3f"),
        (None, lag3, "measured lag / eps", ".4f"),
        (None, pred3, "predicted lag / eps", ".4f"),
    )
    assert abs(lag3 - pred3) < 0.02 * abs(pred3) + 0.005

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ex-fs-fasttime
#
# Tikhonov's theorem is a statement on the slow clock. Show that on the *fast* clock the
# trajectories do not converge uniformly: compare $\kappa$ at the fast time $t = 100$
# (`t_fast`) for the largest and the smallest $\eps$ of the list, and explain the
# difference.
# ```
#
# ```{solution-start} ex-fs-fasttime
# :class: dropdown
# ```
#
# On the fast clock the limit $\eps \to 0$ is the layer flow, which stays at
# $\kappa \approx 1$ forever once it has aligned. For the largest $\eps$ the slow time
# $\eps t$ at $t = 100$ can already lie past the exit: then the slow drift has pushed $a$
# past $a_{\rm exit}$ and $\kappa$ has left 1. The cell checks this whenever the slow
# times allow it (the largest $\eps$ past the exit, the smallest well before it, and the
# layer flow aligned by $t = 100$).

# %%
e_big, e_small = eps_arr.max(), eps_arr.min()
k_fast = {
    e: dyn.with_eps(e).integrate(P.kappa0, P.a0, [0.0, P.t_fast]).kappa[-1]
    for e in (e_big, e_small)
}
report(*((None, k, f"kappa at t = {P.t_fast:g}, eps = {e:g}", ".4f")
         for e, k in k_fast.items()))
if exits and aligns:
    past = e_big * P.t_fast > lim.tau_exit + 0.5
    before = e_small * P.t_fast < 0.5 * lim.tau_exit and T0 < P.t_fast
    print("largest eps past the exit, smallest well before it:",
          past and before)
    if past and before:
        assert k_fast[e_small] > P.level > k_fast[e_big]

# %% [markdown]
# ```{solution-end}
# ```

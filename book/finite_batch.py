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
# # Finite batch: shared noise and coherent neurons
#
# The reduced dynamics of the earlier chapters is a limit in which the batch size $B$ grows
# faster than the input dimension $d$, so that stochastic gradient descent (SGD) has no
# noise left. Networks that people train use batches with $B/d$ of order one or smaller. This
# chapter asks what survives.
#
# **What you will learn.**
# - What a finite batch does to one spherical SGD step: a per-neuron loss of alignment of
#   order $\eta d/B$, and a noise term that is *shared* by all neurons because one minibatch
#   drives them all.
# - Why the shared noise makes the neurons' components orthogonal to the teacher direction
#   *coherent*, and why a third order parameter (the coherence $\rho$) is needed next to
#   $\kappa$ and $a$.
# - A three-variable finite-batch model, derived here and checked against networks at
#   $B/d \in \{1/4, 1, 4, 16, 64\}$: it tracks them better than the noiseless ODE where the
#   noise matters, and the per-neuron correction alone tracks them worse.
# - How the batch moves the dichotomy: unlearning comes later; at small enough $B/d$
#   a network that unlearns in the limit keeps its feature, and one that is safe in the
#   limit unlearns, both only because of the noise.
#
# It builds on the model of {doc}`setting`, the reduced ODE (`lib.reduced`) and the
# network simulator (`lib.simulate`). Everything here is our own derivation in our own
# model: {cite}`imai2026dichotomy` works in the large-batch limit, and we do not know what
# its body says about finite batches.

# %% [markdown]
# ## Parameters
#
# The running example ($\sigma = \He_1 + s\He_2$, $\sstar = \He_1 + c\He_2$, $s=0.5$,
# $c=0.2$, $\eps = 0.05$, $a_0 = 0.1$), a learning rate $\eta = 0.1$ and networks of width
# $N$ in dimension $d$. Under CI the networks are smaller, the runs shorter and the largest
# batches ($B/d = 16, 64$) are left out.

# %%
import os
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML, display
from myst_nb import glue

from lib.beyond import html_table, unlearned_amount
from lib.finite_batch import FiniteBatchDynamics, crossing_time, tracking_errors
from lib.hermite import polynomial
from lib.manifold import CriticalManifold
from lib.plotting import glue_figure
from lib.reduced import ReducedDynamics
from lib.simulate import simulate_network


@dataclass(frozen=True)
class Params:
    s: float = 0.5                      # student He_2 coefficient
    c: float = 0.2                      # teacher He_2 coefficient
    eps: float = 0.05                   # second- to first-layer learning-rate ratio
    a0: float = 0.1                     # initial second-layer weight
    lr: float = 0.1                     # SGD learning rate eta
    width: int = 256                    # N
    dim: int = 128                      # d
    time: float = 150.0                 # horizon of the validation runs
    ratios: tuple = (0.25, 1.0, 4.0, 16.0, 64.0)  # B/d of the validation runs
    seeds: int = 2                      # seeds per run (one seed above B/d = 4)
    frozen_a: float = 1.2               # a of the fast-system runs
    kept_ratio: float = 0.125           # B/d of the run that keeps its feature
    long_time: float = 300.0            # its horizon


CI = "CI" in os.environ
P = Params(width=128, dim=64, time=100.0, ratios=(0.25, 1.0, 4.0), long_time=150.0) if CI else Params()
T, S = polynomial(0, 1, P.c), polynomial(0, 1, P.s)

# %% [markdown]
# Two small helpers: a network at a given $B/d$, and the finite-batch model with the same
# $\eta$, $B/d$ and $N$.

# %%
def network(ratio, teacher=T, time=None, a0=None, **kw):
    seeds = P.seeds if ratio <= 4 else 1
    return simulate_network(teacher, S, width=P.width, dim=P.dim, batch=int(round(ratio * P.dim)),
                            lr=P.lr, eps=P.eps, a0=P.a0 if a0 is None else a0,
                            time=time or P.time, seeds=seeds, record_every=2.0, **kw)


def model(ratio, teacher=T, **kw):
    return FiniteBatchDynamics(teacher, S, eps=P.eps, batch_ratio=ratio, lr=P.lr, width=P.width, **kw)


# %% [markdown]
# ## One SGD step, to second order
#
# Neuron $j$ receives the minibatch gradient $\hat g_j = \frac{a_j}{B}\sum_b e_b\,
# \sigma'(\langle w_j, x_b\rangle)\,x_b$, $e_b = f(x_b) - y_b$ (the mean-field factor $N$ is
# absorbed in the learning rate), is moved along its tangent space by
# $P_j = I - w_j w_j^\top$ and renormalised. Write $\hat g_j = G_j + \xi_j$ with $G_j$ the
# population gradient and $\xi_j$ the minibatch noise. Since $|w_j - \eta P_j\hat g_j|^2 =
# 1 + \eta^2|P_j\hat g_j|^2$,
#
# $$
# w_j' = w_j - \eta P_j \hat g_j - \tfrac{\eta^2}{2}\,|P_j \hat g_j|^2\, w_j + O(\eta^3).
# $$ (eq-fb-step)
#
# The noise has $d$ coordinates, each of variance about $a^2\,\E[e^2\sigma'^2]/B$, so
# $\E|P_j\xi_j|^2 \approx a^2 d D / B$ with $D = \E[e^2 \sigma'(\langle w_j, x\rangle)^2]$,
# and in time $t = \eta\cdot\text{step}$ the last term of {eq}`eq-fb-step` takes
# $\tfrac{\lambda}{2} a^2 D\,\kappa$ from $\dot\kappa$, where
#
# $$
# \lambda = \frac{\eta d}{B}
# $$ (eq-fb-lambda)
#
# is the strength of the noise. This is the *per-neuron* correction. But the same minibatch
# drives every neuron: the noises of neurons $i \ne j$ are correlated,
# $\E[(P_i\xi_i)\cdot(P_j\xi_j)] \approx a^2 d D_\times / B$ with
# $D_\times = \E[e^2\sigma'(\langle w_i, x\rangle)\sigma'(\langle w_j, x\rangle)]$, and
# the term $\eta^2 (P_i\hat g_i)\cdot(P_j\hat g_j)$ of $\langle w_i', w_j'\rangle$ pushes
# all neurons the same way.

# %% [markdown]
# ## Coherent neurons: a third order parameter
#
# Decompose every neuron into its teacher component, a part common to all neurons and a
# private part,
#
# $$
# w_j = \kappa\,\theta_* + \sqrt{r}\,\mu + \sqrt{1-q}\;\nu_j, \qquad q = \kappa^2 + r,
# $$ (eq-fb-decomp)
#
# with unit vectors $\mu \perp \theta_*$ and $\nu_j$ orthogonal to both and to each other
# (large $d$). Then $q = \langle w_i, w_j\rangle$ for $i \ne j$, and
# $r = \rho = |\frac1N\sum_j (w_j - \kappa_j\theta_*)|^2$ for large $N$: the quantity the
# simulator records. For $N \to \infty$ the private parts average out (Mehler's formula,
# applied to them only) but the common part does not: with $g = \langle\kappa\theta_* +
# \sqrt r\mu, x\rangle/\sqrt q$, $f(x) = a\sum_k s_k q^{k/2}\He_k(g)$. The teacher overlap
# is still $\kappa$, the student's self-overlap is now $q$:
#
# $$
# L = \tfrac12\|\sstar\|^2 - a\,\phi(\kappa) + \tfrac12 a^2 h(q), \qquad
# h(q) = \sum_k k!\, s_k^2\, q^k, \quad h(\kappa^2) = H(\kappa).
# $$ (eq-fb-loss)
#
# ```{prf:proposition} Finite-batch model
# :label: prop-fb-model
#
# For $N, d \to \infty$ and $\eta \to 0$ at fixed $\lambda$, the mean-field spherical
# gradient flow of {eq}`eq-fb-loss` plus the second-order terms of {eq}`eq-fb-step` that
# survive in this limit (those of order $\eta^2 d/B$ per step; the terms of order $\eta^2$
# alone vanish per unit time) give
#
# $$
# \begin{aligned}
# \dot\kappa &= a(1-\kappa^2)\phi'(\kappa) - a^2\kappa(1-q)\,h'(q) - \tfrac{\lambda}{2}a^2 D\,\kappa,\\
# \dot r &= -2r\left[a\kappa\phi'(\kappa) + a^2(1-q)h'(q)\right] + \lambda a^2\,(D_\times - rD),\\
# \dot a &= \eps\left[\phi(\kappa) - a\,h(q)\right].
# \end{aligned}
# $$ (eq-fb-model)
#
# At $r = 0$ and $\lambda = 0$ it is the reduced ODE.
# ```
#
# ```{prf:proof}
# Write $L$ as a function of the overlaps: $-\frac aN\sum_j\phi(\kappa_j) +
# \frac{a^2}{2N^2}\sum_{ij} h(\langle w_i,w_j\rangle)$. The mean-field flow is
# $\dot w_j = P_j[a\phi'(\kappa_j)\theta_* - \frac{a^2}{N}\sum_i h'(q_{ij})w_i]$; the term
# $i = j$ is radial and vanishes under $P_j$. With {eq}`eq-fb-decomp` and
# $\frac1N\sum_i w_i \to \kappa\theta_* + \sqrt r\mu$, $\langle\theta_*,\dot w_j\rangle$ gives
# the first two terms of $\dot\kappa$ and $\langle w_i,\dot w_j\rangle + \langle w_j,\dot
# w_i\rangle$ gives $\dot q = 2(1-q)[a\kappa\phi' - a^2 q h'(q)]$; then
# $\dot r = \dot q - 2\kappa\dot\kappa$. The noise adds, per unit time,
# $\eta\,\E[(P_i\xi_i)\cdot(P_j\xi_j)] - \frac\eta2 q(\E|P_i\xi_i|^2 + \E|P_j\xi_j|^2) =
# \lambda a^2(D_\times - qD)$ to $\dot q$ and $-\frac\lambda2 a^2D\kappa$ to $\dot\kappa$,
# hence $\lambda a^2(D_\times - qD) + \lambda a^2D\kappa^2 = \lambda a^2(D_\times - rD)$ to
# $\dot r = \dot q - 2\kappa\dot\kappa$. $D$ and $D_\times$ are expectations over
# $(z, \langle\mu,x\rangle)$ of $e^2$ times $\sigma'^2$ (respectively $\sigma'\sigma'$)
# smoothed over the private parts, computed by two-dimensional Gauss-Hermite quadrature.
# ```
#
# Three things to read off {eq}`eq-fb-model`. The deterministic part *contracts* $r$: with
# no teacher signal along $\mu$ the common part only costs loss. The noise *feeds* it at
# rate $\lambda a^2 D_\times$. And the coherence raises the student's self-overlap from
# $H(\kappa) = h(\kappa^2)$ to $h(\kappa^2 + r)$, so $a$ grows more slowly. In the coherent
# fraction $\chi = r/(1-\kappa^2)$ the balance is plain,
#
# $$
# \dot \chi = -2\chi(1-\chi)\,a^2 h'(q) + \frac{\lambda a^2\,(D_\times - \chi D)}{1-\kappa^2}:
# $$ (eq-fb-frac)
#
# near $\kappa = 1$ the orthogonal parts are small and the shared noise dominates them:
# the neurons become almost identical. `lib.finite_batch` integrates
# {eq}`eq-fb-model` in $(\operatorname{artanh}\kappa, a, s)$; with `width=N` it adds the
# diagonal share $(D - D_\times)/N$ of the noise to $\dot r$. With `coherent=False` it keeps
# $r = 0$ and only the per-neuron term: the first correction one would write down.
#
# At the running example's state after alignment the two noise strengths are close: most of
# the noise is shared.

# %%
D, Dx = model(0.25).noise_terms(0.98, 0.7, 0.0)
glue("fb-D", D, display=False)
glue("fb-Dx", Dx, display=False)
assert 0.5 * D < Dx < D
print(f"D = {D:.4f}, D_cross = {Dx:.4f}")

# %% [markdown]
# At $\kappa = 0.98$, $a = 0.7$, $r = 0$: $D =$ {glue:text}`fb-D:.3f` and
# $D_\times =$ {glue:text}`fb-Dx:.3f`.

# %% [markdown]
# ## The fast system: $a$ frozen
#
# First the fast system alone: $a$ frozen at {glue:text}`fb-afz:.1f`, networks at three
# batch sizes, and the resting alignment (the mean over the last quarter of the run)
# against the full model and the per-neuron model.

# %%
glue("fb-afz", P.frozen_a, display=False)
rows, frozen = [], {}
for ratio in (0.25, 1.0, 4.0):
    run = network(ratio, a0=P.frozen_a, time=40.0 if CI else 60.0, freeze_a=True)
    rest = lambda k: float(np.mean(k[-len(k) // 4:]))
    net = rest(run.kappa_mean.mean(0))
    coh, inc = (rest(model(ratio, coherent=c).integrate(0.01, P.frozen_a, run.t, r0=1 / P.width,
                                                         freeze_a=True).kappa) for c in (True, False))
    frozen[ratio] = (net, coh, inc)
    rows.append([f"{ratio:g}", f"{net:.3f}", f"{coh:.3f}", f"{inc:.3f}"])
display(HTML(html_table(["B/d", "network", "coherent model", "per-neuron model"], rows)))

# %% [markdown]
# The coherent model is at least as close as the per-neuron one at every batch size (to
# within $0.003$), and the
# noise lowers the resting alignment more at small $B/d$:

# %%
for ratio, (net, coh, inc) in frozen.items():
    assert abs(coh - net) <= abs(inc - net) + 0.003, ratio
assert frozen[0.25][0] < frozen[4.0][0]
assert frozen[0.25][0] < min(frozen[0.25][1:]) and abs(frozen[0.25][1] - frozen[0.25][2]) < 0.02
glue("fb-fz-net", frozen[0.25][0], display=False)
glue("fb-fz-coh", frozen[0.25][1], display=False)
glue("fb-fz-inc", frozen[0.25][2], display=False)

# %% [markdown]
# At $B/d = 1/4$ the network rests at {glue:text}`fb-fz-net:.3f`, the coherent model at
# {glue:text}`fb-fz-coh:.3f` and the per-neuron model at {glue:text}`fb-fz-inc:.3f`. With $a$
# frozen the two models differ little, and at this batch ($\lambda = \eta d/B =$
# {glue:text}`fb-lam:.1f`) both rest above the network: the network loses more alignment to
# the noise than either model gives (we measured the same gap at $N = 256$, $d = 128$ and at
# $N = 128$, $d = 64$). The coherence matters most once $a$ moves.

# %% [markdown]
# ## The full dynamics across batch sizes
#
# Now the whole run, from $a_0 = 0.1$, for each $B/d$: networks, the finite-batch model and
# the noiseless ODE (the same model at $B/d = \infty$; its $\rho$ only decays from the
# initial $1/N$). The models start at $\kappa_0 = 0.01$, $\rho_0 = 1/N$.

# %%
runs, fits, odes, errs = {}, {}, {}, {}
noiseless = model(np.inf)
for ratio in P.ratios:
    runs[ratio] = run = network(ratio)
    fits[ratio] = model(ratio).integrate(0.01, P.a0, run.t, r0=1 / P.width)
    odes[ratio] = noiseless.integrate(0.01, P.a0, run.t, r0=1 / P.width)
    per = model(ratio, coherent=False).integrate(0.01, P.a0, run.t)
    errs[ratio] = [tracking_errors(run, m) for m in (odes[ratio], fits[ratio], per)]

# %% [markdown]
# {numref}`fig-fb-validation` shows three batch sizes.

# %%
fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
for ratio, col in zip((0.25, 1.0, P.ratios[-1]), ("C3", "C0", "C2")):
    run, fit = runs[ratio], fits[ratio]
    for ax, net, mod in zip(axes, (run.kappa_mean, run.a_mean, run.rho), (fit.kappa, fit.a, fit.rho)):
        ax.plot(run.t, net.mean(0), color=col, lw=2.5, alpha=0.45, label=f"network, B/d={ratio:g}")
        ax.plot(run.t, mod, color=col, ls="--", label=f"model, B/d={ratio:g}")
for ax, ode in zip(axes, (odes[0.25].kappa, odes[0.25].a, odes[0.25].rho)):
    ax.plot(runs[0.25].t, ode, "k:", label="noiseless ODE")
for ax, name in zip(axes, (r"alignment $\kappa$", "second-layer weight $a$", r"coherence $\rho$")):
    ax.set(xlabel="time $t$", ylabel=name)
axes[2].set_yscale("log"), axes[2].set_ylim(1e-4, 1), axes[0].legend(fontsize=7)
fig.tight_layout()
glue_figure("fig-fb-validation", fig)

# %% [markdown]
# ```{glue:figure} fig-fb-validation
# :name: fig-fb-validation
#
# Networks (thick, seed mean) against the finite-batch model (dashed) and the noiseless
# ODE (dotted) at three ratios $B/d$. Left: alignment; middle: second-layer weight; right:
# coherence $\rho = |\frac1N\sum_j(w_j - \kappa_j\theta_*)|^2$ (log scale).
# ```
#
# The table lists the mean absolute gap between networks and each model over the run, for
# $\kappa$, $a$ and $\rho$ (computed, like every table here).

# %%
head = ["B/d"] + [f"{v}: {m}" for v in ("κ", "a") for m in ("ODE", "model", "per-neuron")] + ["ρ: ODE", "ρ: model"]
lines = [[f"{r:g}"] + [f"{e[i][k]:.4f}" for k in ("kappa", "a") for i in range(3)]
         + [f"{e[0]['rho']:.4f}", f"{e[1]['rho']:.4f}"] for r, e in errs.items()]
display(HTML(html_table(head, lines)))

# %% [markdown]
# The claim of this chapter, checked: at $B/d \le 1$ the finite-batch model is closer to the
# networks than the noiseless ODE in all three order parameters; and at every $B/d$ the
# per-neuron correction alone is farther from them than the full model in $\kappa$ and $a$,
# and farther than the noiseless ODE in $\kappa$.

# %%
for ratio in (r for r in P.ratios if r <= 1):
    ode_err, fit_err, per_err = errs[ratio]
    for k in ("kappa", "a", "rho"):
        assert fit_err[k] < ode_err[k], (ratio, k, fit_err[k], ode_err[k])
for ratio in P.ratios:
    assert errs[ratio][1]["kappa"] < errs[ratio][2]["kappa"] and errs[ratio][1]["a"] < errs[ratio][2]["a"]
    assert errs[ratio][0]["kappa"] < errs[ratio][2]["kappa"]  # worse than no correction
for ratio in (r for r in P.ratios if r >= 4):  # little noise: the model is the ODE
    assert np.mean(np.abs(fits[ratio].kappa - odes[ratio].kappa)) < 0.005
e = errs[0.25]
for k in ("kappa", "a", "rho"):
    glue(f"fb-e-ode-{k}", e[0][k], display=False)
    glue(f"fb-e-fit-{k}", e[1][k], display=False)
glue("fb-e-per-kappa", e[2]["kappa"], display=False)

# %% [markdown]
# At $B/d = 1/4$ the mean gap in $\kappa$ is {glue:text}`fb-e-fit-kappa:.3f` for the model
# against {glue:text}`fb-e-ode-kappa:.3f` for the noiseless ODE and
# {glue:text}`fb-e-per-kappa:.3f` for the per-neuron correction; in $a$,
# {glue:text}`fb-e-fit-a:.3f` against {glue:text}`fb-e-ode-a:.3f`; in $\rho$,
# {glue:text}`fb-e-fit-rho:.4f` against {glue:text}`fb-e-ode-rho:.4f`. The per-neuron
# correction is the worst of the three even at large $B/d$, where it is tiny: it puts a floor
# of order $\lambda$ under $1-\kappa$, which erases the exponentially small distance to
# $\kappa = 1$ on which the delayed exit rests ({doc}`dichotomy`), so the per-neuron model
# leaves $\kappa \approx 1$ too early. At $B/d \ge 4$ the full model and the ODE agree
# with each other and the gaps that remain are finite-$N$, finite-$d$ effects
# (the networks' $\kappa$ rests a little below 1 even without noise; see the next chapter).
# Where the model misses is late in the run at $B/d = 1/4$ ($\lambda = \eta d/B =$
# {glue:text}`fb-lam:.1f`). Over the last third of the run the networks' coherence is
# {glue:text}`fb-late-rho-net:.3f` against the model's {glue:text}`fb-late-rho-fit:.3f`, and
# their $a$ is {glue:text}`fb-late-a-net:.3f` against {glue:text}`fb-late-a-fit:.3f`. At the
# sizes of the published figures ($N = 256$, $d = 128$) the networks are the more coherent
# ones and their $a$ lags behind the model's; at the smaller sizes used in CI ($N = 128$,
# $d = 64$) the two are close (both checked below). We have not traced the gap to one
# cause: the model drops the terms of order $\eta\lambda$ of the step, evaluates $D$ and
# $D_\times$ at the mean state, and ignores the spread of $\kappa_j$ and $a_j$ across
# neurons and the finite $N$ and $d$.

# %%
glue("fb-lam", P.lr / 0.25, display=False)
late = slice(-len(runs[0.25].t) // 3, None)
rho_net, rho_fit = float(runs[0.25].rho.mean(0)[late].mean()), float(fits[0.25].rho[late].mean())
a_net, a_fit = float(runs[0.25].a_mean.mean(0)[late].mean()), float(fits[0.25].a[late].mean())
for name, v in dict(rho_net=rho_net, rho_fit=rho_fit, a_net=a_net, a_fit=a_fit).items():
    glue("fb-late-" + name.replace("_", "-"), v, display=False)
if CI:
    assert abs(rho_net - rho_fit) < 0.005 and abs(a_net - a_fit) < 0.02
else:  # published sizes: the networks are more coherent and their a lags
    assert rho_net > rho_fit and a_net < a_fit

# %% [markdown]
# ## How the batch moves the dichotomy
#
# A noise-robust marker of unlearning: the time at which $\kappa$, after its peak, falls
# below $0.9$. Its delay with respect to the noiseless ODE, for networks and model:

# %%
t_ode = crossing_time(odes[0.25].t, odes[0.25].kappa)
delay = {r: (crossing_time(runs[r].t, runs[r].kappa_mean.mean(0)) - t_ode,
             crossing_time(fits[r].t, fits[r].kappa) - t_ode) for r in P.ratios}
display(HTML(html_table(["B/d", "delay, network", "delay, model"],
                        [[f"{r:g}", f"{n:.0f}", f"{m:.0f}"] for r, (n, m) in delay.items()])))
glue("fb-t-ode", t_ode, display=False)
glue("fb-delay-net", delay[0.25][0], display=False)
glue("fb-delay-fit", delay[0.25][1], display=False)
assert delay[0.25][0] > 5 and delay[0.25][1] > 5 and abs(delay[0.25][0] - delay[0.25][1]) < 10

# %% [markdown]
# The noiseless ODE crosses at $t =$ {glue:text}`fb-t-ode:.0f`; at $B/d = 1/4$ the networks
# cross {glue:text}`fb-delay-net:.0f` time units later and the model
# {glue:text}`fb-delay-fit:.0f` later. The noise *delays* unlearning, and
# {eq}`eq-fb-model` says why, twice. The coherence raises $h(q)$ above $H(\kappa)$, so $a$
# grows more slowly. And the term that destabilises $\kappa = 1$ once $a$ passes $A(1)$, the
# neurons' mutual repulsion $-a^2\kappa(1-q)h'(q)$, carries the factor
# $(1-q)/(1-\kappa^2) = 1 - \chi$: coherent neurons act like one neuron, which does not repel
# itself, and the noise makes them coherent exactly near $\kappa = 1$ {eq}`eq-fb-frac`.
#
# How far can this go? The model is cheap, so we scan $B/d$ over three decades; then we
# check its most striking prediction, at $B/d =$ {glue:text}`fb-kept:.3f`, on networks.

# %%
glue("fb-kept", P.kept_ratio, display=False)
scan = np.geomspace(0.1, 100, 10 if CI else 25)
t_long = np.linspace(0, P.long_time, 301)
ends = [model(r).integrate(0.01, P.a0, t_long, r0=1 / P.width) for r in scan]
cross = np.array([crossing_time(t_long, tr.kappa) for tr in ends])
assert np.all(np.diff(cross[np.isfinite(cross)]) <= 0)  # smaller B/d: later crossing
final = np.array([tr.kappa[-1] for tr in ends])
above = scan >= P.kept_ratio  # down to B/d = 1/8: the smaller B/d, the higher the final alignment
assert np.all(np.diff(final[above]) <= 1e-3)
glue("fb-scan-lowest", float(scan[0]), display=False)
glue("fb-scan-lowest-final", float(final[0]), display=False)
glue("fb-scan-best-final", float(final.max()), display=False)
if not CI:  # the full-size horizon: below B/d = 1/8 the final alignment drops again
    assert final[0] < final.max() - 0.02
kept_run = network(P.kept_ratio, time=P.long_time)
kept_fit = model(P.kept_ratio).integrate(0.01, P.a0, kept_run.t, r0=1 / P.width)
kept_ode = noiseless.integrate(0.01, P.a0, kept_run.t, r0=1 / P.width)
T_safe = polynomial(0, 1, 0.7)  # c > s: no unlearning in the limit
safe_run = network(P.kept_ratio, teacher=T_safe, time=P.long_time)
safe_fit = model(P.kept_ratio, teacher=T_safe).integrate(0.01, P.a0, safe_run.t, r0=1 / P.width)

# %% [markdown]
# {numref}`fig-fb-dichotomy` shows both.

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.6))
ax1.semilogx(scan, [tr.kappa[-1] for tr in ends], "o-", label=rf"$\kappa(t={P.long_time:.0f})$")
ax1.semilogx(scan, [tr.kappa.max() for tr in ends], "s--", label=r"peak $\kappa$")
ax1.set(xlabel="batch ratio $B/d$", ylabel="alignment (model)")
ax1b = ax1.twinx()
ax1b.semilogx(scan, cross, "k^:", label=r"time $\kappa$ falls below 0.9 (right axis)")
ax1b.set_ylabel("time $t$")
(h1, l1), (h2, l2) = ax1.get_legend_handles_labels(), ax1b.get_legend_handles_labels()
ax1.legend(h1 + h2, l1 + l2, loc="center right", fontsize=8)
ax2.plot(kept_run.t, kept_run.kappa_mean.mean(0), lw=2.5, alpha=0.5, label=f"network, B/d={P.kept_ratio:g}")
ax2.plot(kept_run.t, kept_fit.kappa, "--", label="finite-batch model")
ax2.plot(kept_run.t, kept_ode.kappa, "k:", label="noiseless ODE")
ax2.plot(safe_run.t, safe_run.kappa_mean.mean(0), "C2", lw=2.5, alpha=0.5, label="network, c=0.7")
ax2.plot(safe_run.t, safe_fit.kappa, "C2--", label=r"model, c=0.7 (limit: $\kappa \to 1$)")
ax2.set(xlabel="time $t$", ylabel=r"alignment $\kappa$"), ax2.legend(fontsize=8)
fig.tight_layout()
glue_figure("fig-fb-dichotomy", fig)

# %% [markdown]
# ```{glue:figure} fig-fb-dichotomy
# :name: fig-fb-dichotomy
#
# Left: the finite-batch model of the running example over three decades of $B/d$: the
# peak alignment, the alignment at the end of the run, and the time at which $\kappa$
# falls below 0.9 (missing where it never does). Right: networks at the smallest ratio
# against the model and the noiseless ODE. Running example: the networks fluctuate around a
# plateau and do not unlearn. Teacher with $c = 0.7 > s$ (green), which never unlearns in the
# limit: the networks peak below 1 and then lose alignment.
# ```

# %%
late = slice(-len(kept_run.t) // 3, None)
k_net, k_fit, k_ode = (float(np.mean(k[late])) for k in
                       (kept_run.kappa_mean.mean(0), kept_fit.kappa, kept_ode.kappa))
glue("fb-kept-net", k_net, display=False)
glue("fb-kept-fit", k_fit, display=False)
glue("fb-kept-ode", k_ode, display=False)
glue("fb-kept-a", float(np.mean(kept_fit.a[late])), display=False)
a_exit = CriticalManifold(ReducedDynamics(T, S, P.eps)).exit_a(P.a0)
glue("fb-a-exit", a_exit, display=False)
assert np.mean(kept_fit.a[late]) < a_exit and np.mean(kept_run.a_mean.mean(0)[late]) < a_exit
assert k_net > k_ode + 0.1 and abs(k_fit - k_net) < 0.05
assert kept_fit.kappa.max() - k_fit < 0.05 < kept_ode.kappa.max() - k_ode - 0.1  # plateau, not a slide
safe_peak = float(np.convolve(safe_run.kappa_mean.mean(0), np.ones(10) / 10, "valid").max())
safe_drop, safe_drop_fit = unlearned_amount(safe_run.kappa_mean.mean(0), 10), unlearned_amount(safe_fit.kappa)
glue("fb-safe-peak", safe_peak, display=False)
glue("fb-safe-drop", safe_drop, display=False)
glue("fb-safe-drop-fit", safe_drop_fit, display=False)
assert safe_peak < 0.9 and safe_drop > 0.03 and safe_drop_fit > 0.05

# %% [markdown]
# Over the last third of the run the networks at $B/d =$ {glue:text}`fb-kept:.3f` sit at
# $\kappa \approx$ {glue:text}`fb-kept-net:.2f`, the model at {glue:text}`fb-kept-fit:.2f`,
# while the noiseless ODE has unlearned down to {glue:text}`fb-kept-ode:.2f`. This run keeps
# its feature *only because of the noise*: the coherence keeps $h(q)$ high, $a$ stalls near
# {glue:text}`fb-kept-a:.2f`, below the exit value $a_{\rm exit} =$ {glue:text}`fb-a-exit:.3f`
# of the slow passage ({doc}`dichotomy`), and the slow flow
# never carries the network off $\kappa \approx 1$. The price is a lower plateau: the noise
# floor.
#
# The converse happens too. For the teacher $\He_1 + 0.7\He_2$, which the criterion of the
# limit declares safe ($c > s$), the networks at the same batch peak at
# {glue:text}`fb-safe-peak:.2f` and then lose {glue:text}`fb-safe-drop:.2f` of alignment
# (model: {glue:text}`fb-safe-drop-fit:.2f`): unlearning caused by the noise alone. As $a$
# grows, the per-neuron loss $\tfrac\lambda2 a^2 D\kappa$ grows with $a^2$ and the
# coherence with it. The dichotomy of the large-batch limit thus has a third outcome at small batches,
# and the batch size is a knob on it: decreasing $B/d$ first delays unlearning, then
# reduces how much is unlearned by a given time, then suppresses it. Not indefinitely: in
# the scan of {numref}`fig-fb-dichotomy` the model's alignment at the end of the run peaks
# at {glue:text}`fb-scan-best-final:.3f` and, at the smallest ratio
# $B/d =$ {glue:text}`fb-scan-lowest:.2f`, is {glue:text}`fb-scan-lowest-final:.3f` (with
# the full-size horizon it drops again below $B/d = 1/8$, as the noise floor takes over).

# %% [markdown]
# ## Summary
#
# - One minibatch drives every neuron, so SGD noise at finite $B/d$ is shared; it makes the
#   neurons' orthogonal parts coherent, measured by $\rho$.
# - The finite-batch model {eq}`eq-fb-model` (order parameters $\kappa$, $a$, $\rho$; noise
#   strength $\lambda = \eta d/B$; noise terms $D$, $D_\times$ by Gauss-Hermite quadrature)
#   tracks networks better than the noiseless ODE at $B/d \le 1$; the per-neuron correction
#   alone does worse than no correction.
# - Coherence slows the growth of $a$ and weakens the repulsion that destabilises
#   $\kappa = 1$: unlearning is delayed, and at small enough $B/d$ it does not happen at all;
#   there, a teacher that is safe in the limit loses alignment instead. The dichotomy of the
#   limit is a statement about large batches.
# - Limits, as measured: with $a$ frozen at $B/d = 1/4$ the networks rest below both
#   models; in the full dynamics at $B/d = 1/4$ and the published sizes they end more
#   coherent than the model, with a smaller $a$; at $B/d = 1/8$ ($\lambda = 0.8$) the model
#   still follows the networks' plateau. The model keeps the noise to the order of the
#   second-order step {eq}`eq-fb-step`, evaluated at the mean state; we have not traced
#   these misses to one of its approximations.

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-fb-frac
#
# With $a$ frozen at $1.2$, integrate the model to rest at $B/d = 1/4$ and $B/d = 4$ and
# report the coherent fraction $\chi = \rho/(1-\kappa^2)$. Which term of {eq}`eq-fb-frac`
# sets it?
# ```
#
# ```{solution-start} ex-fb-frac
# :class: dropdown
# ```
#
# A long frozen run; at rest the two terms of {eq}`eq-fb-frac` balance.

# %%
chi = {}
for ratio in (0.25, 4.0):
    tr = model(ratio).integrate(0.01, 1.2, 200.0, freeze_a=True)
    chi[ratio] = frac = tr.rho[-1] / (1 - tr.kappa[-1] ** 2)
    print(f"B/d = {ratio:g}: kappa = {tr.kappa[-1]:.3f}, chi = {frac:.3f}")
    assert 0 < frac < 1
assert chi[0.25] > chi[4.0]  # more noise, more coherence

# %% [markdown]
# The noise injection $\lambda a^2 D_\times/(1-\kappa^2)$ grows as $B/d$ shrinks, the
# decoherence rate $2(1-\chi)a^2h'(q)$ does not depend on it; the fraction grows with the noise.
#
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ex-fb-noisefloor
#
# Take a teacher with $c = 0.7 > s$, which never unlearns in the limit. Use the model to
# follow the peak and the final alignment as $B/d$ decreases. Does any run lose alignment
# after its peak? Which term of {eq}`eq-fb-model` is responsible?
# ```
#
# ```{solution-start} ex-fb-noisefloor
# :class: dropdown
# ```
#
# A scan with the model, measuring the drop from the peak to the end of the run.

# %%
T7 = polynomial(0, 1, 0.7)
drop = {}
for ratio in (0.125, 0.25, 1.0, 4.0):
    tr = model(ratio, teacher=T7).integrate(0.01, P.a0, 300.0, r0=1 / P.width)
    drop[ratio] = tr.kappa.max() - tr.kappa[-1]
    print(f"B/d = {ratio:g}: max kappa = {tr.kappa.max():.3f}, final = {tr.kappa[-1]:.3f}")
assert drop[0.125] > 0.05 > max(drop[1.0], drop[4.0])

# %% [markdown]
# At $B/d \ge 1$ the alignment stays at its peak (slightly below 1: the noise floor). At
# $B/d = 1/8$ it peaks early and then *falls*: unlearning caused by the noise alone, for a
# pair that the criterion of the limit declares safe. As $a$ grows toward $\abar$ the
# per-neuron loss $\tfrac\lambda2 a^2 D\kappa$ grows with $a^2$ and the coherence grows with
# it: the networks of {numref}`fig-fb-dichotomy` show it.
#
# %% [markdown]
# ```{solution-end}
# ```

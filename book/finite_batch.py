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
# **What you will learn in this chapter**
#
# - What a finite batch does to one spherical SGD step: a per-neuron loss of alignment of
#   order $\eta d/B$, and a noise term that is *shared* by all neurons because one minibatch
#   drives them all.
# - Why the shared noise makes the neurons' components orthogonal to the teacher direction
#   *coherent*, and why a third order parameter (the coherence $\rho$) is needed next to
#   $\kappa$ and $a$.
# - A three-variable finite-batch model, derived here and checked against networks over
#   a range of $B/d$: it tracks them better than the noiseless ODE where the noise
#   matters, and the per-neuron correction alone tracks them worse.
# - How the batch moves the dichotomy: unlearning comes later; at small enough $B/d$
#   a network that unlearns in the limit keeps its feature, and one that is safe in the
#   limit unlearns, both only because of the noise.
# - Why a finite network leaves $\kappa = 1$ earlier than the noiseless ODE: the spread of
#   the second-layer weights and the shared noise put a floor under the distance to
#   $\kappa = 1$, and the delayed exit starts from that floor.
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
# $N$ in dimension $d$. Under CI the networks are smaller, the runs shorter, the largest
# batches ($B/d = 16, 64$) are left out and the last section uses fewer networks.

# %%
import os
from typing import NamedTuple

import matplotlib.pyplot as plt
import numpy as np
from scipy.integrate import quad

from lib.beyond import unlearned_amount
from lib.display import Md, plural, report, show_figure, show_params, table
from lib.finite_batch import (
    FiniteBatchDynamics,
    crossing_time,
    exit_time,
    floor_exit,
    private_deficit,
    tracking_errors,
)
from lib.hermite import polynomial
from lib.manifold import CriticalManifold
from lib.plotting import (
    KAPPA, NETWORK, THEORY, ordered_colors, use_book_style)
from lib.reduced import ReducedDynamics
from lib.simulate import simulate_network

use_book_style()


class Params(NamedTuple):
    s: float = 0.5  # student: sigma = He_1 + s He_2
    c: float = 0.2  # teacher: sigma* = He_1 + c He_2
    eps: float = 0.05  # second- to first-layer learning-rate ratio
    a0: float = 0.1  # initial second-layer weight
    kappa0: float = 0.01  # initial alignment of the models
    lr: float = 0.1  # SGD learning rate eta
    width: int = 256  # N
    dim: int = 128  # d
    seeds: int = 2  # seeds per network run at B/d <= 4
    big_seeds: int = 1  # seeds per run at B/d > 4 (costly, little noise)
    record_every: float = 2.0  # time between two records of a network
    frozen_a: float = 1.2  # a of the fast-system runs
    frozen_ratios: tuple = (0.25, 1.0, 4.0)  # B/d of the fast-system runs
    frozen_time: float = 60.0  # their horizon
    time: float = 150.0  # horizon of the validation runs
    ratios: tuple = (0.25, 1.0, 4.0, 16.0, 64.0)  # B/d of the full runs
    kept_ratio: float = 0.125  # B/d of the run that keeps its feature
    long_time: float = 300.0  # its horizon
    safe_c: float = 0.7  # a teacher with c > s: safe in the limit
    scan: tuple = (0.1, 100.0, 25)  # B/d scan of the model: from, to, points
    frac_ratios: tuple = (0.25, 4.0)  # B/d of the first exercise
    frac_time: float = 200.0  # its horizon
    exit_eps: float = 0.02  # eps of the section on the exit
    exit_dims: tuple = (32, 64, 128)  # d of the exit runs
    exit_ratios: tuple = (0.25, 1.0, 4.0)  # B/d of the exit runs
    exit_width: int = 128  # N of the exit runs
    exit_seeds: int = 2  # seeds per exit run
    exit_time: float = 180.0  # horizon of the exit runs
    exit_record: float = 1.0  # time between two of their records
    exit_frozen_time: float = 60.0  # horizon of the run with identical a_j
    level: float = 0.99  # exit level kappa_e: deficit reaches 1 - kappa_e^2


P = Params()
if "CI" in os.environ:  # continuous integration: small sizes, same claims
    P = P._replace(
        width=128,
        dim=64,
        time=100.0,
        ratios=(0.25, 1.0, 4.0),
        frozen_time=40.0,
        long_time=150.0,
        scan=(0.1, 100.0, 10),
        exit_dims=(32, 64),
        exit_ratios=(0.25, 4.0),
        exit_width=64,
        exit_seeds=1,
        exit_time=160.0,
        exit_frozen_time=50.0,
    )
show_params(P)

# %% [markdown]
# Two small helpers: a network at a given $B/d$, and the finite-batch model with the same
# $\eta$, $B/d$ and $N$.

# %%
T, S = polynomial(0, 1, P.c), polynomial(0, 1, P.s)


def network(ratio, teacher=T, time=None, a0=None, **kw):
    return simulate_network(
        teacher,
        S,
        width=P.width,
        dim=P.dim,
        batch=int(round(ratio * P.dim)),
        lr=P.lr,
        eps=P.eps,
        a0=P.a0 if a0 is None else a0,
        time=time or P.time,
        seeds=P.seeds if ratio <= 4 else P.big_seeds,
        record_every=P.record_every,
        **kw,
    )


def model(ratio, teacher=T, **kw):
    return FiniteBatchDynamics(
        teacher, S, eps=P.eps, batch_ratio=ratio, lr=P.lr, width=P.width,
        **kw,
    )


# %% [markdown]
# ## One SGD step, to second order
#
# Neuron $j$ receives the minibatch gradient
#
# $$
# \hat g_j = \frac{a_j}{B}\sum_b e_b\,\sigma'(\langle w_j, x_b\rangle)\,x_b,
# \qquad e_b = f(x_b) - y_b
# $$
#
# (the mean-field factor $N$ is absorbed in the learning rate), is moved along its
# tangent space by $P_j = I - w_j w_j^\top$ and renormalised. Write
# $\hat g_j = G_j + \xi_j$ with $G_j$ the population gradient and $\xi_j$ the minibatch
# noise. Since
#
# $$
# |w_j - \eta P_j\hat g_j|^2 = 1 + \eta^2|P_j\hat g_j|^2 ,
# $$
#
# the renormalised step is
#
# $$
# w_j' = w_j - \eta P_j \hat g_j - \tfrac{\eta^2}{2}\,|P_j \hat g_j|^2\, w_j + O(\eta^3).
# $$ (eq-fb-step)
#
# The noise has $d$ coordinates, each of variance about $a^2\,\E[e^2\sigma'^2]/B$, so
# $\E|P_j\xi_j|^2 \approx a^2 d D / B$ with $D = \E[e^2 \sigma'(\langle w_j, x\rangle)^2]$,
# and in time $t = \eta\cdot\text{step}$ the last term of {eq}`eq-fb-step` takes
# $\tfrac{\beta}{2} a^2 D\,\kappa$ from $\dot\kappa$, where
#
# $$
# \beta = \frac{\eta d}{B}
# $$ (eq-fb-beta)
#
# is the strength of the noise. This is the *per-neuron* correction. But the same
# minibatch drives every neuron: the noises of neurons $i \ne j$ are correlated,
#
# $$
# \begin{aligned}
# \E[(P_i\xi_i)\cdot(P_j\xi_j)] &\approx \frac{a^2 d D_\times}{B},\\
# D_\times &= \E\big[e^2\sigma'(\langle w_i, x\rangle)\,\sigma'(\langle w_j, x\rangle)\big],
# \end{aligned}
# $$
#
# and the term $\eta^2 (P_i\hat g_i)\cdot(P_j\hat g_j)$ of $\langle w_i', w_j'\rangle$
# pushes all neurons the same way.

# %% [markdown]
# ## Coherent neurons: a third order parameter
#
# Decompose every neuron into its teacher component, a part common to all neurons and a
# private part,
#
# $$
# w_j = \kappa\,\thetastar + \sqrt{\rho}\,\mu + \sqrt{1-q}\;\nu_j,
# \qquad q = \kappa^2 + \rho,
# $$ (eq-fb-decomp)
#
# with unit vectors $\mu \perp \thetastar$ and $\nu_j$ orthogonal to both and to each
# other (large $d$). Then $q = \langle w_i, w_j\rangle$ for $i \ne j$, and for large $N$
#
# $$
# \rho = \Big|\frac1N\sum_j (w_j - \kappa_j\thetastar)\Big|^2 ,
# $$
#
# the *coherence*, which the simulator records. For $N \to \infty$ the private parts
# average out (Mehler's formula, applied to them only) but the common part does not:
# with $g = \langle\kappa\thetastar + \sqrt\rho\,\mu, x\rangle/\sqrt q$, the output is
# $f(x) = a\sum_k s_k q^{k/2}\He_k(g)$. The teacher overlap is still $\kappa$, the
# student's self-overlap is now $q$:
#
# $$
# \begin{aligned}
# L &= \tfrac12\|\sstar\|^2 - a\,\phi(\kappa) + \tfrac12 a^2 h(q),\\
# h(q) &= \sum_k k!\, s_k^2\, q^k, \qquad h(\kappa^2) = H(\kappa).
# \end{aligned}
# $$ (eq-fb-loss)
#
# ```{prf:proposition} Finite-batch model
# :label: prop-fb-model
#
# For $N, d \to \infty$ and $\eta \to 0$ at fixed $\beta$, the mean-field spherical
# gradient flow of {eq}`eq-fb-loss` plus the second-order terms of {eq}`eq-fb-step` that
# survive in this limit (those of order $\eta^2 d/B$ per step; the terms of order
# $\eta^2$ alone vanish per unit time) give
#
# $$
# \begin{aligned}
# \dot\kappa &= a(1-\kappa^2)\phi'(\kappa) - a^2\kappa(1-q)\,h'(q)
#   - \tfrac{\beta}{2}a^2 D\,\kappa,\\
# \dot \rho &= -2\rho\left[a\kappa\phi'(\kappa) + a^2(1-q)h'(q)\right]\\
#   &\qquad + \beta a^2\,(D_\times - \rho D),\\
# \dot a &= \eps\left[\phi(\kappa) - a\,h(q)\right].
# \end{aligned}
# $$ (eq-fb-model)
#
# At $\rho = 0$ and $\beta = 0$ it is the reduced ODE.
# ```
#
# ```{prf:proof}
# Write $L$ as a function of the overlaps,
#
# $$
# L = \tfrac12\|\sstar\|^2 - \frac aN\sum_j\phi(\kappa_j)
#   + \frac{a^2}{2N^2}\sum_{i,j} h(\langle w_i,w_j\rangle).
# $$
#
# The mean-field flow is
#
# $$
# \dot w_j = P_j\Big[a\phi'(\kappa_j)\,\thetastar
#   - \frac{a^2}{N}\sum_i h'(q_{ij})\,w_i\Big];
# $$
#
# the term $i = j$ is radial and vanishes under $P_j$. With {eq}`eq-fb-decomp` and
# $\frac1N\sum_i w_i \to \kappa\thetastar + \sqrt\rho\,\mu$, the product
# $\langle\thetastar,\dot w_j\rangle$ gives the first two terms of $\dot\kappa$, and
# $\langle w_i,\dot w_j\rangle + \langle w_j,\dot w_i\rangle$ gives
#
# $$
# \dot q = 2(1-q)\left[a\kappa\phi'(\kappa) - a^2 q\, h'(q)\right];
# $$
#
# then $\dot\rho = \dot q - 2\kappa\dot\kappa$. The noise adds, per unit time,
#
# $$
# \begin{aligned}
# &\eta\,\E[(P_i\xi_i)\cdot(P_j\xi_j)]
#   - \tfrac\eta2\, q\left(\E|P_i\xi_i|^2 + \E|P_j\xi_j|^2\right)\\
# &\qquad = \beta a^2(D_\times - qD)
# \end{aligned}
# $$
#
# to $\dot q$ and $-\frac\beta2 a^2D\kappa$ to $\dot\kappa$, hence
#
# $$
# \beta a^2(D_\times - qD) + \beta a^2D\kappa^2 = \beta a^2(D_\times - \rho D)
# $$
#
# to $\dot\rho = \dot q - 2\kappa\dot\kappa$. $D$ and $D_\times$ are expectations over
# $(z, \langle\mu,x\rangle)$ of $e^2$ times $\sigma'^2$ (respectively
# $\sigma'\sigma'$) smoothed over the private parts, computed by two-dimensional
# Gauss-Hermite quadrature.
# ```
#
# Three things to read off {eq}`eq-fb-model`. The deterministic part *contracts*
# $\rho$: with no teacher signal along $\mu$ the common part only costs loss. The noise
# *feeds* it at rate $\beta a^2 D_\times$. And the coherence raises the student's
# self-overlap from $H(\kappa) = h(\kappa^2)$ to $h(\kappa^2 + \rho)$, so $a$ grows more
# slowly. In the coherent fraction $\chi = \rho/(1-\kappa^2)$ the balance is plain,
#
# $$
# \dot \chi = -2\chi(1-\chi)\,a^2 h'(q)
#   + \frac{\beta a^2\,(D_\times - \chi D)}{1-\kappa^2}:
# $$ (eq-fb-frac)
#
# near $\kappa = 1$ the orthogonal parts are small and the shared noise dominates them:
# the neurons become almost identical. `lib.finite_batch` integrates {eq}`eq-fb-model`
# in $(\vartheta, a, \chi)$ with $\vartheta = \operatorname{artanh}\kappa$; with
# `width=N` it adds the diagonal share $(D - D_\times)/N$ of the noise to $\dot\rho$.
# With `coherent=False` it keeps $\rho = 0$ and only the per-neuron term: the first
# correction one would write down.
#
# At the running example's state after alignment the two noise strengths are close: most
# of the noise is shared.

# %%
D, Dx = model(P.ratios[0]).noise_terms(0.98, 0.7, 0.0)
report(
    ("fb-D", D, "D at kappa = 0.98, a = 0.7, rho = 0", ".4f"),
    ("fb-Dx", Dx, "D_cross at the same state", ".4f"),
)
assert 0.5 * D < Dx < D  # shared, and the private parts decorrelate a little

# %% [markdown]
# At $\kappa = 0.98$, $a = 0.7$, $\rho = 0$: $D =$ {glue:text}`fb-D:.3f` and
# $D_\times =$ {glue:text}`fb-Dx:.3f`.

# %% [markdown]
# ## The fast system: $a$ frozen
#
# First the fast system alone: $a$ frozen at {glue:text}`fb-afz:.1f`, networks at three
# batch sizes, and the resting alignment (the mean over the last quarter of the run)
# against the full model and the per-neuron model
# ({numref}`tab-fb-frozen`).


# %%
def rest(k):
    return float(np.mean(k[-len(k) // 4 :]))


frozen = {}
for ratio in P.frozen_ratios:
    run = network(ratio, a0=P.frozen_a, time=P.frozen_time, freeze_a=True)
    rests = [rest(run.kappa_mean.mean(0))]
    for coherent in (True, False):  # the full model, the per-neuron one
        tr = model(ratio, coherent=coherent).integrate(
            P.kappa0, P.frozen_a, run.t, rho0=1 / P.width, freeze_a=True
        )
        rests.append(rest(tr.kappa))
    frozen[ratio] = tuple(rests)
report(("fb-afz", P.frozen_a, "frozen a", ".2f"))
table(
    ["$B/d$", "network", "coherent model", "per-neuron model"],
    [(r, *v) for r, v in frozen.items()],
    caption="Resting alignment with the second layer frozen: networks (seed "
    "mean) against the finite-batch model and the per-neuron correction "
    "alone.",
    name="tab-fb-frozen",
    fmt=[".3g", ".3f", ".3f", ".3f"],
)

# %% [markdown]
# The coherent model is at least as close as the per-neuron one at every batch size (to
# within $0.003$), and the noise lowers the resting alignment more at the smallest
# $B/d$ than at the largest:

# %%
lo, hi = min(P.frozen_ratios), max(P.frozen_ratios)
for ratio, (net, coh, inc) in frozen.items():
    assert abs(coh - net) <= abs(inc - net) + 0.003, ratio
assert frozen[lo][0] < frozen[hi][0]  # more noise, lower rest
net, coh, inc = frozen[lo]
where = ("above" if min(coh, inc) > net else
         "below" if max(coh, inc) < net else "on either side of")
report(
    ("fb-fz-where", where, "at the smallest B/d the models rest"),
    ("fb-fz-lo", lo, "smallest B/d", ".3g"),
    ("fb-fz-beta", P.lr / lo, "beta = eta d / B there", ".2f"),
    ("fb-fz-net", frozen[lo][0], "network rests at", ".3f"),
    ("fb-fz-coh", frozen[lo][1], "coherent model", ".3f"),
    ("fb-fz-inc", frozen[lo][2], "per-neuron model", ".3f"),
)

# %% [markdown]
# At $B/d =$ {glue:text}`fb-fz-lo:.3g` the network rests at
# {glue:text}`fb-fz-net:.3f`, the coherent model at {glue:text}`fb-fz-coh:.3f` and the
# per-neuron model at {glue:text}`fb-fz-inc:.3f`. With $a$ frozen the two models differ
# little, and at this batch ($\beta = \eta d/B =$ {glue:text}`fb-fz-beta:.1f`) they
# rest {glue:text}`fb-fz-where` the network. The coherence matters most once $a$
# moves.

# %% [markdown]
# ## The full dynamics across batch sizes
#
# Now the whole run, from $a_0$, for each $B/d$: networks, the finite-batch model and
# the noiseless ODE (the same model at $B/d = \infty$; its $\rho$ only decays from the
# initial $1/N$). The models start at $\kappa_0$, $\rho_0 = 1/N$.

# %%
runs = {ratio: network(ratio) for ratio in P.ratios}
t_run = runs[P.ratios[0]].t  # the same record times for every ratio
noiseless = model(np.inf)
ode = noiseless.integrate(P.kappa0, P.a0, t_run, rho0=1 / P.width)
fits, errs = {}, {}
for ratio, run in runs.items():
    fits[ratio] = model(ratio).integrate(
        P.kappa0, P.a0, t_run, rho0=1 / P.width
    )
    per = model(ratio, coherent=False).integrate(P.kappa0, P.a0, t_run)
    errs[ratio] = [tracking_errors(run, m) for m in (ode, fits[ratio], per)]
lo = min(P.ratios)
report(
    ("fb-lo", lo, "smallest B/d", ".3g"),
    ("fb-beta", P.lr / lo, "beta there", ".2f"),
)

# %% [markdown]
# {numref}`fig-fb-validation` shows three batch sizes.

# %% tags=["remove-output"]
shown = sorted({P.ratios[0], P.ratios[1 % len(P.ratios)], P.ratios[-1]})
fig, axes = plt.subplots(3, 1, figsize=(6.6, 8.4), sharex=True)
for ratio, col in zip(shown, ordered_colors(len(shown))):
    run, fit = runs[ratio], fits[ratio]
    nets = (run.kappa_mean, run.a_mean, run.rho)
    for ax, net, mod in zip(axes, nets, (fit.kappa, fit.a, fit.rho)):
        ax.plot(run.t, net.mean(0), color=col, lw=3, alpha=0.55,
                label=f"network, $B/d = {ratio:g}$")
        ax.plot(run.t, mod, color=col, ls="--",
                label=f"model, $B/d = {ratio:g}$")
for ax, o in zip(axes, (ode.kappa, ode.a, ode.rho)):
    ax.plot(ode.t, o, color=THEORY, ls=":", label="noiseless ODE")
names = (r"alignment $\kappa$", "second-layer weight $a$",
         r"coherence $\rho$")
for ax, name in zip(axes, names):
    ax.set(ylabel=name)
axes[2].set(yscale="log", ylim=(1e-4, 1), xlabel="time $t$")
axes[0].legend(ncol=2, loc="lower right")
show_figure(fig, "fig-fb-validation")

# %% [markdown]
# ```{glue:figure} fig-fb-validation
# :name: fig-fb-validation
#
# Networks (thick, seed mean) against the finite-batch model (dashed, same colour) and
# the noiseless ODE (dotted) at three ratios $B/d$ (darker: smaller). Top: alignment;
# middle: second-layer weight; bottom: coherence
# $\rho = |\frac1N\sum_j(w_j - \kappa_j\thetastar)|^2$ (log scale).
# ```
#
# {numref}`tab-fb-errors` lists the mean absolute gap between networks and each model
# over the run, for $\kappa$, $a$ and $\rho$.

# %%
rows = []
for r, e in errs.items():
    for k, name in (("kappa", "$\\kappa$"), ("a", "$a$"),
                    ("rho", "$\\rho$")):
        rows.append((r, name, e[0][k], e[1][k], e[2][k]))
table(
    ["$B/d$", "order parameter", "noiseless ODE", "model", "per-neuron"],
    rows,
    caption="Mean absolute gap between the networks (seed mean) and the "
    "noiseless ODE, the finite-batch model and the per-neuron correction "
    "alone.",
    name="tab-fb-errors",
    fmt=[".3g", "s", ".4f", ".4f", ".4f"],
)

# %% [markdown]
# The claim of this chapter, checked: at $B/d \le 1$ the finite-batch model is closer to
# the networks than the noiseless ODE in all three order parameters; and at every $B/d$
# the per-neuron correction alone is farther from them than the full model in $\kappa$
# and $a$, and farther than the noiseless ODE in $\kappa$. Where the noise is weak
# ($B/d \ge 4$) the model is the ODE.

# %%
for ratio in P.ratios:
    ode_err, fit_err, per_err = errs[ratio]
    if ratio <= 1:  # strong noise: the model beats the ODE
        for k in ("kappa", "a", "rho"):
            assert fit_err[k] < ode_err[k], (ratio, k)
    assert fit_err["kappa"] < per_err["kappa"]
    assert fit_err["a"] < per_err["a"]
    assert ode_err["kappa"] < per_err["kappa"]  # worse than no correction
    if ratio >= 4:  # little noise: the model is the ODE
        assert np.mean(np.abs(fits[ratio].kappa - ode.kappa)) < 0.005
e = errs[lo]
report(
    *[
        (f"fb-e-{w}-{k}", e[i][k], f"gap in {k}, {w}", ".4f")
        for i, w in enumerate(("ode", "fit", "per"))
        for k in ("kappa", "a", "rho")
    ]
)

# %% [markdown]
# At $B/d =$ {glue:text}`fb-lo:.3g` the mean gap in $\kappa$ is
# {glue:text}`fb-e-fit-kappa:.3f` for the model against {glue:text}`fb-e-ode-kappa:.3f`
# for the noiseless ODE and {glue:text}`fb-e-per-kappa:.3f` for the per-neuron
# correction; in $a$, {glue:text}`fb-e-fit-a:.3f` against {glue:text}`fb-e-ode-a:.3f`; in
# $\rho$, {glue:text}`fb-e-fit-rho:.3f` against {glue:text}`fb-e-ode-rho:.3f`. The
# per-neuron correction is the worst of the three even at large $B/d$, where it is tiny:
# it puts a floor of order $\beta$ under $1-\kappa$, which erases the exponentially small
# distance to $\kappa = 1$ on which the delayed exit rests ({doc}`dichotomy`), so the
# per-neuron model leaves $\kappa \approx 1$ too early (the last section shows where the
# floor of a real network comes from). At $B/d \ge 4$ the full model and the ODE agree
# with each other and the gaps that remain are finite-$N$, finite-$d$ effects (the
# networks' $\kappa$ rests a little below 1 even without noise; see {doc}`beyond`).
#
# Late in the run at the smallest ratio, where the noise has acted longest, we compare
# averages over the last third of the run. The networks' coherence is
# {glue:text}`fb-late-rho-net:.3f` against the model's {glue:text}`fb-late-rho-fit:.3f`
# (gap {glue:text}`fb-late-rho-gap:.3f`), and their $a$ is
# {glue:text}`fb-late-a-net:.3f` against the model's {glue:text}`fb-late-a-fit:.3f`
# (gap {glue:text}`fb-late-a-gap:.3f`) and the noiseless ODE's
# {glue:text}`fb-late-a-ode:.3f` (gap {glue:text}`fb-late-a-gap-ode:.3f`). Checked:
# where the ODE's $a$ is off by more than $0.05$, the model's is more than four times
# closer to the networks' than the ODE's. How close depends on $N$ and $d$; where a gap
# remains we have not traced it to one cause: the model drops the terms of
# order $\eta\beta$ of the step, evaluates $D$ and $D_\times$ at the mean state, and
# ignores the spread of $\kappa_j$ and $a_j$ across neurons and the finite $N$ and $d$
# (the last section shows what the spread of the $a_j$ does near $\kappa = 1$).

# %%
late = slice(-len(runs[lo].t) // 3, None)
rho_net = float(runs[lo].rho.mean(0)[late].mean())
rho_fit = float(fits[lo].rho[late].mean())
a_net = float(runs[lo].a_mean.mean(0)[late].mean())
a_fit = float(fits[lo].a[late].mean())
report(
    ("fb-late-rho-net", rho_net, "late coherence, networks", ".3f"),
    ("fb-late-rho-fit", rho_fit, "late coherence, model", ".3f"),
    ("fb-late-a-net", a_net, "late a, networks", ".3f"),
    ("fb-late-a-fit", a_fit, "late a, model", ".3f"),
    ("fb-late-a-ode", ode.a[late].mean(), "late a, noiseless ODE", ".3f"),
)
a_ode = float(ode.a[late].mean())
report(
    ("fb-late-rho-gap", abs(rho_net - rho_fit), "gap in rho, model", ".3f"),
    ("fb-late-a-gap", abs(a_net - a_fit), "gap in a, model", ".3f"),
    ("fb-late-a-gap-ode", abs(a_net - a_ode), "gap in a, noiseless ODE",
     ".3f"),
)
if abs(a_net - a_ode) > 0.05:  # the noiseless ODE is clearly off
    assert abs(a_net - a_fit) < 0.25 * abs(a_net - a_ode)  # far closer

# %% [markdown]
# ## How the batch moves the dichotomy
#
# A noise-robust marker of unlearning: the time at which $\kappa$, after its peak, falls
# below $0.9$. {numref}`tab-fb-delay` lists its delay with respect to the noiseless ODE,
# for networks and model.

# %%
t_ode = crossing_time(ode.t, ode.kappa)
delay = {}
for r in P.ratios:
    t_net = crossing_time(runs[r].t, runs[r].kappa_mean.mean(0))
    t_fit = crossing_time(fits[r].t, fits[r].kappa)
    delay[r] = (t_net - t_ode, t_fit - t_ode)
report(
    ("fb-t-ode", t_ode, "noiseless ODE falls below 0.9 at t", ".1f"),
    ("fb-delay-net", delay[lo][0], f"delay at B/d = {lo:g}, networks",
     ".1f"),
    ("fb-delay-fit", delay[lo][1], f"delay at B/d = {lo:g}, model", ".1f"),
)
table(
    ["$B/d$", "delay, network", "delay, model"],
    [(r, n, m) for r, (n, m) in delay.items()],
    caption="Delay of the time at which the alignment falls below 0.9 after "
    "its peak, with respect to the noiseless ODE (a dash: it does "
    "not fall within the run).",
    name="tab-fb-delay",
    fmt=[".3g", ".1f", ".1f"],
)

# %% [markdown]
# Where the noise is strong ($\beta = \eta d/B \ge 0.4$, i.e. $B/d \le 1/4$ at
# $\eta = 0.1$) both the networks and the model fall below $0.9$ more than 5 time units
# later than the noiseless ODE, and within 10 time units of each other. The model is a
# model of large networks: the claims that compare it with networks here and below are
# checked for $d \ge 64$ (at smaller $d$ the spread of the second-layer weights across
# neurons moves the exit by itself; see the last section).

# %%
large = P.dim >= 64
print("networks large enough for the model:", large)
for ratio, (d_net, d_fit) in delay.items():
    strong = P.lr / ratio >= 0.4
    if large and strong and np.isfinite(d_fit):  # the model crosses
        assert d_net > 5 and d_fit > 5 and abs(d_net - d_fit) < 10, ratio

# %% [markdown]
# The noiseless ODE crosses at $t =$ {glue:text}`fb-t-ode:.0f`; at
# $B/d =$ {glue:text}`fb-lo:.3g` the networks cross {glue:text}`fb-delay-net:.0f` time
# units later and the model {glue:text}`fb-delay-fit:.0f` later. The noise *delays*
# unlearning, and {eq}`eq-fb-model` says why, twice. The coherence raises $h(q)$ above
# $H(\kappa)$, so $a$ grows more slowly. And the term that destabilises $\kappa = 1$ once
# $a$ passes $A(1)$, the neurons' mutual repulsion $-a^2\kappa(1-q)h'(q)$, carries the
# factor $(1-q)/(1-\kappa^2) = 1 - \chi$: coherent neurons act like one neuron, which
# does not repel itself, and the noise makes them coherent exactly near $\kappa = 1$
# {eq}`eq-fb-frac`.
#
# How far can this go? The model is cheap, so we scan $B/d$ over three decades; then we
# check its most striking prediction, at $B/d =$ {glue:text}`fb-kept:.3f`, on networks.

# %%
scan = np.geomspace(*P.scan)
t_long = np.linspace(0, P.long_time, 301)
rho0 = 1 / P.width
ends = [model(r).integrate(P.kappa0, P.a0, t_long, rho0=rho0) for r in scan]
cross = np.array([crossing_time(t_long, tr.kappa) for tr in ends])
final = np.array([tr.kappa[-1] for tr in ends])
peak = np.array([tr.kappa.max() for tr in ends])
kept_run = network(P.kept_ratio, time=P.long_time)
t_kept = kept_run.t
kept_fit = model(P.kept_ratio).integrate(P.kappa0, P.a0, t_kept, rho0=rho0)
kept_ode = noiseless.integrate(P.kappa0, P.a0, t_kept, rho0=rho0)
T_safe = polynomial(0, 1, P.safe_c)
safe_run = network(P.kept_ratio, teacher=T_safe, time=P.long_time)
safe_fit = model(P.kept_ratio, teacher=T_safe).integrate(
    P.kappa0, P.a0, safe_run.t, rho0=rho0)
report(
    ("fb-kept", P.kept_ratio, "B/d of the long runs", ".3f"),
    ("fb-kept-beta", P.lr / P.kept_ratio, "beta there", ".2f"),
    ("fb-scan-lowest", scan[0], "smallest B/d of the scan", ".2f"),
    ("fb-scan-lowest-final", final[0], "its final alignment (model)", ".3f"),
    ("fb-scan-best-final", final.max(), "best final alignment (model)",
     ".3f"),
    ("fb-scan-best-ratio", scan[np.argmax(final)], "... at B/d", ".2f"),
    ("fb-long", P.long_time, "horizon of the scan", ".0f"),
)
best, lowest = final.max(), final[0]
scanned = ("the model's alignment at the end of the run, "
           f"$t = {P.long_time:.0f}$,")
if np.argmax(final) > 0:  # it falls again at the smallest ratios
    scan_text = (
        f"Not indefinitely: in the scan of $B/d$ {scanned} is highest, "
        f"{best:.3f}, at $B/d = {scan[np.argmax(final)]:.2f}$ and lower "
        "below it, "
        f"{lowest:.3f} at the smallest ratio $B/d = {scan[0]:.2f}$, as the "
        "noise floor takes over")
else:  # no drop within this horizon
    scan_text = (
        f"Within this horizon we see no limit: {scanned} is highest, "
        f"{best:.3f}, at the smallest ratio of the scan, "
        f"$B/d = {scan[0]:.2f}$")
report(("fb-scan-text", Md(scan_text), "in words"))

# %% [markdown]
# The smaller $B/d$, the later the model falls below $0.9$ (where it does), and, from
# $B/d =$ {glue:text}`fb-kept:.3f` up, the higher its final alignment:

# %%
ok = np.isfinite(cross)
assert np.all(np.diff(cross[ok]) <= 0)  # smaller B/d: later crossing
above = scan >= P.kept_ratio
assert np.all(
    np.diff(final[above]) <= 1e-3
)  # smaller B/d: higher final alignment

# %% [markdown]
# {numref}`fig-fb-dichotomy` shows the scan and the long runs.

# %% tags=["remove-output"]
fig, (ax1, ax2, ax3) = plt.subplots(3, 1, figsize=(6.6, 7.5))
ax1.semilogx(scan, final, "o-", color=KAPPA,
             label=rf"$\kappa$ at $t = {P.long_time:.0f}$")
ax1.semilogx(scan, peak, "s--", color=KAPPA, alpha=0.6,
             label=r"peak $\kappa$")
ax1.set(xlabel="batch ratio $B/d$", ylabel="alignment (model)")
ax1b = ax1.twinx()
ax1b.semilogx(scan, cross, "^:", color="0.3", mfc="none", ms=7,
              label=r"time $\kappa$ falls below 0.9")
ax1b.set_ylabel("time $t$")
# alignments in the upper part of the panel, times in the lower part
k_lo, k_hi = min(final.min(), peak.min()), max(final.max(), peak.max())
ax1.set_ylim(k_lo - 1.1 * (k_hi - k_lo) - 0.01, k_hi + 0.05 * (k_hi - k_lo))
if np.isfinite(cross).any():
    c_lo, c_hi = np.nanmin(cross), np.nanmax(cross)
    span = max(c_hi - c_lo, 1.0)
    ax1b.set_ylim(c_lo - 0.05 * span, c_hi + 1.1 * span)
(h1, l1), (h2, l2) = (ax.get_legend_handles_labels() for ax in (ax1, ax1b))
ax1.legend(h1 + h2, l1 + l2, loc="lower center", bbox_to_anchor=(0.5, 1.0),
           ncols=3, fontsize=9.5, handlelength=1.6, columnspacing=1.0)
for ax, run, fit, name in (
    (ax2, kept_run, kept_fit, "running example"),
    (ax3, safe_run, safe_fit, f"teacher $c = {P.safe_c:g}$"),
):
    ax.plot(run.t, run.kappa_mean.mean(0), color=NETWORK, lw=3, alpha=0.7,
            label=f"network, $B/d = {P.kept_ratio:g}$")
    ax.plot(run.t, fit.kappa, color=THEORY, ls="--",
            label="finite-batch model")
    ax.set(ylabel=r"alignment $\kappa$", title=name)
ax2.plot(t_kept, kept_ode.kappa, color="0.45", ls=":", label="noiseless ODE")
ax3.set(xlabel="time $t$")
ax2.legend(loc="lower right")
show_figure(fig, "fig-fb-dichotomy")

# %% [markdown]
# ```{glue:figure} fig-fb-dichotomy
# :name: fig-fb-dichotomy
#
# Top: the finite-batch model of the running example over three decades of $B/d$: the
# peak alignment, the alignment at the end of the run, and the time at which $\kappa$
# falls below 0.9 (right axis; missing where it never does). Middle: networks at
# $B/d =$ {glue:text}`fb-kept:.3f` against the model and the noiseless ODE: the networks
# fluctuate around a plateau and do not unlearn. Bottom: a teacher with $c > s$, which
# never unlearns in the limit: the networks peak below 1 and then lose alignment.
# ```
#
# The claims of this figure, checked where the model makes them (and $d \ge 64$): where
# the model keeps its second layer below the exit value $a_{\rm exit}$ of the slow
# passage ({doc}`dichotomy`), the networks keep their feature too: their late alignment
# lies within $0.05$ of the model's, and, where the noiseless ODE has unlearned by then
# (by more than $0.15$), more than $0.1$ above it. Where the model predicts that the safe
# teacher loses more than $0.05$ of alignment after its peak, the networks lose more
# than $0.03$.

# %%
late = slice(-len(kept_run.t) // 3, None)
k_net, k_fit, k_ode = (
    float(np.mean(k[late]))
    for k in (kept_run.kappa_mean.mean(0), kept_fit.kappa, kept_ode.kappa))
a_exit = CriticalManifold(ReducedDynamics(T, S, P.eps)).exit_a(P.a0)
a_late = float(np.mean(kept_fit.a[late]))
safe_net = safe_run.kappa_mean.mean(0)
safe_peak = float(np.convolve(safe_net, np.ones(10) / 10, "valid").max())
safe_drop = unlearned_amount(safe_net, 10)
safe_drop_fit = unlearned_amount(safe_fit.kappa)
report(
    ("fb-kept-net", k_net, "late alignment, networks", ".3f"),
    ("fb-kept-fit", k_fit, "late alignment, model", ".3f"),
    ("fb-kept-ode", k_ode, "late alignment, noiseless ODE", ".3f"),
    ("fb-kept-a", a_late, "late a, model", ".3f"),
    ("fb-a-exit", a_exit, "entry-exit value a_exit", ".3f"),
    ("fb-safe-peak", safe_peak, "safe teacher: peak, networks", ".3f"),
    ("fb-safe-drop", safe_drop, "safe teacher: drop, networks", ".3f"),
    ("fb-safe-drop-fit", safe_drop_fit, "safe teacher: drop, model",
     ".3f"),
)
kept = a_late < a_exit and np.mean(kept_run.a_mean.mean(0)[late]) < a_exit
print("the model keeps the feature:", kept)
ode_unlearned = kept_ode.kappa.max() - k_ode > 0.15
print("the noiseless ODE has unlearned:", ode_unlearned)
if large and kept:
    assert abs(k_fit - k_net) < 0.05
    if ode_unlearned:
        assert k_net > k_ode + 0.1
print("the model unlearns the safe teacher:", safe_drop_fit > 0.05)
if large and P.safe_c > P.s and safe_drop_fit > 0.05:
    assert safe_drop > 0.03

# %% [markdown]
# Over the last third of the run the networks at $B/d =$ {glue:text}`fb-kept:.3f` sit at
# $\kappa \approx$ {glue:text}`fb-kept-net:.2f`, the model at
# {glue:text}`fb-kept-fit:.2f`, while the noiseless ODE has unlearned down to
# {glue:text}`fb-kept-ode:.2f`. This run keeps its feature *only because of the noise*:
# the coherence keeps $h(q)$ high, $a$ stalls near {glue:text}`fb-kept-a:.2f`, below the
# exit value $a_{\rm exit} =$ {glue:text}`fb-a-exit:.3f` of the slow passage
# ({doc}`dichotomy`), and the slow flow never carries the network off
# $\kappa \approx 1$. The price is a lower plateau: the noise floor.
#
# The converse happens too. For the teacher $\He_1 + 0.7\He_2$, which the criterion of
# the limit declares safe ($c > s$), the networks at the same batch peak at
# {glue:text}`fb-safe-peak:.2f` and then lose {glue:text}`fb-safe-drop:.2f` of alignment
# (model: {glue:text}`fb-safe-drop-fit:.2f`): unlearning caused by the noise alone. As
# $a$ grows, the per-neuron loss $\tfrac\beta2 a^2 D\kappa$ grows with $a^2$ and the
# coherence with it. The dichotomy of the large-batch limit thus has a third outcome at
# small batches, and the batch size is a knob on it: decreasing $B/d$ first delays
# unlearning, then reduces how much is unlearned by a given time, then suppresses it.
# {glue:md}`fb-scan-text:myst` ({numref}`fig-fb-dichotomy`, top).

# %% [markdown]
# (sec-fb-exit)=
# ## The exit in a finite network
#
# In the noiseless ODE, $1-\kappa$ falls to about $e^{-I/\eps}$ on $\kappa = 1$, and the
# trajectory leaves only when the repulsion after $A(1)$ has climbed all the way back: the
# delayed exit of {doc}`dichotomy`, {eq}`eq-dich-entry-exit`. A finite network cannot
# get that close to $\kappa = 1$. This section finds what stops it, predicts where it
# leaves, and checks the prediction on networks. We take $\eps =$
# {glue:text}`fb-x-eps:.2f` (parameter `exit_eps`): the dip of the ODE is then
# $e^{-I/\eps} \approx$ {glue:md}`fb-x-dip:myst`, far below anything a network holds, and
# the fast phase is well separated from the slow one.
#
# **Two parts of the distance to $\kappa = 1$.** Write $w_j^\perp = w_j - \kappa_j\thetastar$,
# so that $|w_j^\perp|^2 = 1-\kappa_j^2$, and split it into the common part
# $\bar w^\perp = \frac1N\sum_j w_j^\perp$ and private parts $w_j^{\rm p} = w_j^\perp - \bar w^\perp$:
#
# $$
# \frac1N\sum_j (1-\kappa_j^2) = \rho + \delta_{\rm p}, \qquad
# \delta_{\rm p} = \frac1N\sum_j |w_j^{\rm p}|^2 = 1 - \overline{\kappa^2} - \rho .
# $$ (eq-fb-split)
#
# We call $\delta_{\rm p}$ the private deficit. The simulator records $\bar\kappa$, the
# spread of the $\kappa_j$ and $\rho$, hence $\delta_{\rm p}$
# (`lib.finite_batch.private_deficit`).
#
# **Linearisation at $\kappa = 1$.** Linearise the mean-field flow of the proof above at
# $w_j = \thetastar$, with second-layer weights $a_j = a + \alpha_j$, $\alpha_j$ small
# (the spread across neurons). Since $P_j w_i \approx w_i^\perp - w_j^\perp$ and
# $h'(1) = H'(1)/2$,
#
# $$
# \dot{\bar w}{}^\perp = -a\phi'(1)\,\bar w^\perp, \qquad
# \dot w_j^{\rm p} = -a\,g(1, a)\,w_j^{\rm p} - \alpha_j\phi'(1)\,\bar w^\perp,
# $$ (eq-fb-lin)
#
# with $g(1, a) = \phi'(1) - \tfrac12 a H'(1)$ as in {doc}`dichotomy`. The common part
# is always attracted: coherent neurons act as one neuron, which does not repel itself.
# Only the private part can leave $\kappa = 1$; it is attracted while $a < A(1)$ and
# repelled after, at the rate of the ODE ($\delta_{\rm p} \approx 2(1-\kappa)$ when
# $\rho = 0$).
#
# **Identical neurons receive identical kicks.** The SGD step of neuron $j$,
#
# $$
# \eta\,a_j\,\frac1B\sum_b e_b\,\sigma'(\langle w_j, x_b\rangle)\,P_jx_b ,
# $$
#
# depends on $j$ only through $w_j$ and $a_j$: if two neurons have the same $w$ and the
# same $a$, they stay equal after every step, whatever the batch. So the noise alone
# cannot keep the private parts away from zero: to first order the private noise is
# proportional to $w_j^{\rm p}$, and it only adds to the growth rate of $\delta_{\rm p}$ the
# amount
#
# $$
# \Gamma = \beta a^2 \lim_{q\to1}\frac{D-D_\times}{1-q} .
# $$
#
# This is exact, and we check it below on a network whose $a_j$ are frozen equal.
#
# **What breaks the symmetry: the spread of the $a_j$.** During the fast phase the
# neurons align at different times (their initial $\kappa_j$ are spread by $d^{-1/2}$),
# so their $a_j$, which grow with $\phi(\kappa_j)$, spread too; on $\kappa = 1$ every
# neuron sees the same field and the spread $\sigma_a$ stays. Neuron $j$'s minibatch
# noise is $a_j$ times a vector shared by all neurons, so its private part receives
# $\alpha_j/a$ times the common noise. Write $\omega_{\rm c} = a\phi'(1)$ and
# $\omega_{\rm p} = a\,g(1, a)$ for the two rates of {eq}`eq-fb-lin`, and $d\Xi$ for the
# shared noise, of intensity $\E|d\Xi|^2 = \beta D\,dt$ ($D$ at $\kappa = 1$, as in
# {eq}`eq-fb-step`). Then {eq}`eq-fb-lin` becomes
#
# $$
# d\bar w^\perp = -\omega_{\rm c}\,\bar w^\perp\,dt + a\,d\Xi, \qquad
# dw_j^{\rm p} = -\omega_{\rm p}\,w_j^{\rm p}\,dt + \frac{\alpha_j}{a}\,d\bar w^\perp .
# $$ (eq-fb-sde)
#
# Its second moments are $\rho = \E|\bar w^\perp|^2$,
# $\E\langle w_j^{\rm p},\bar w^\perp\rangle = (\alpha_j/a)\,X$ and
# $\E|w_j^{\rm p}|^2 = (\alpha_j/a)^2\,Y$, with (Itô)
#
# $$
# \begin{aligned}
# \dot \rho &= -2\omega_{\rm c}\,\rho + a^2\beta D,\\
# \dot X &= -(\omega_{\rm c}+\omega_{\rm p})\,X - \omega_{\rm c}\,\rho + a^2\beta D,\\
# \dot Y &= -(2\omega_{\rm p}-\Gamma)\,Y - 2\omega_{\rm c} X + a^2\beta D,
# \end{aligned}
# $$ (eq-fb-moments)
#
# and $\delta_{\rm p} = (\sigma_a/a)^2\, Y$. At rest, for a frozen $a < A(1)$ and
# $\Gamma$ neglected,
#
# $$
# \rho_{\rm f} = \frac{a\,\beta D}{2\phi'(1)}, \qquad
# \delta_{\rm f} = \frac{\sigma_a^2\,\beta D}{2a\,\big[\phi'(1) + g(1, a)\big]} .
# $$ (eq-fb-floors)
#
# The private part is driven by the *increments* of the common part, not by the common
# part itself, so it feels only the fast share of the noise: the denominator of
# $\delta_{\rm f}$ stays positive at $A(1)$, where $g = 0$, and the floor holds through the
# transcritical point.
#
# **The exit from the floor.** After $A(1)$, $\omega_{\rm p} < 0$ and $\delta_{\rm p}$
# grows from
# what the floor left it. Its logarithm then grows like the entry-exit integral
# {eq}`eq-dich-entry-exit`, started at the floor instead of at $e^{-I/\eps}$: to leading
# order the network leaves when
#
# $$
# \frac1\eps\int_{A(1)}^{a_{\rm exit}} \frac{2a\,|g(1, a)|}{\phi(1)-aH(1)}\,da
#   \approx \log\frac{1-\kappa_{\rm e}^2}{\delta_{\rm f}},
# $$ (eq-fb-floor-exit)
#
# with $\kappa_{\rm e}$ the level of the exit ($\delta_{\rm p} = 1 - \kappa_{\rm e}^2$
# is $\kappa = \kappa_{\rm e}$ for a single $\kappa$; parameter `level`). The floor is of order $\beta\,\sigma_a^2 \propto \eta/(B/d)\cdot 1/d$: it
# rises as $B/d$ falls and as $d$ falls, and so the exit comes earlier. The noiseless
# ODE's delay is an artefact of the limit wherever $\delta_{\rm f} > e^{-I/\eps}$: for
# any
# finite network once $\eps$ is small enough.
#
# `lib.finite_batch.floor_exit` integrates {eq}`eq-fb-moments` along the second-layer
# weight $a(t)$ of the finite-batch model (which also accounts for the slower growth of
# $a$ at small $B/d$), adds the deterministic part (the ODE's $1-\kappa^2$, carried by the
# same rates, with the mean of $e^{-2\alpha_j\int g\,dt}$ over Gaussian $\alpha_j$), and
# returns the time and the $a$ at which $\delta_{\rm p}$ reaches $1-\kappa_{\rm e}^2$.
# What is exact and what is assumed:
#
# - exact: the invariance of identical neurons under SGD; the linearisation
#   {eq}`eq-fb-lin` and the moment equations {eq}`eq-fb-moments` of the linear model
#   {eq}`eq-fb-sde`;
# - assumed: the noise is white with the intensity of the second-order step, evaluated
#   at $\kappa = 1$; the $\alpha_j$ are Gaussian, frozen after the fast phase (from the
#   time the ODE's $\kappa$ reaches $0.9$) and independent of the private parts; $a(t)$
#   is the finite-batch model's; the linearisation holds up to the level
#   $\kappa_{\rm e}$;
# - measured, not derived: the spread $\sigma_a$, taken from each network at its dip.
#
# First the control: identical second-layer weights (frozen, equal, below $A(1)$) at the
# strongest noise. The private part must then fall to the float32 resolution of the
# simulator (about $10^{-7}$) while the common part rests at $\rho_{\rm f}$.

# %%
Tx = ReducedDynamics(T, S, eps=P.exit_eps)
Mx = CriticalManifold(Tx)
A1 = Mx.transcritical_a()
phi1, H1, dphi1, dH1 = (float(f(1.0)) for f in
                        (Tx.phi, Tx.H, Tx.phi.deriv(), Tx.H.deriv()))


def attraction(x):  # the integrand of the entry-exit integral at kappa = 1
    return 2 * x * (dphi1 - 0.5 * x * dH1) / (phi1 - x * H1)


I_att = quad(attraction, P.a0, A1)[0]  # gathered from a0 to A(1)
d_lo, r_lo = min(P.exit_dims), min(P.exit_ratios)
a_same = 0.5 * A1
same = simulate_network(
    T, S, width=P.exit_width, dim=d_lo, batch=int(round(r_lo * d_lo)),
    lr=P.lr, eps=P.exit_eps, a0=a_same, time=P.exit_frozen_time,
    seeds=P.exit_seeds, record_every=P.exit_record, freeze_a=True,
)
fbx_lo = FiniteBatchDynamics(T, S, eps=P.exit_eps, batch_ratio=r_lo, lr=P.lr)
D_same = fbx_lo.noise_terms(1.0, a_same)[0]
rho_rest = a_same * fbx_lo.beta * D_same / (2 * dphi1)  # rho_f
tail = slice(-len(same.t) // 4, None)
delta_same = float(np.abs(private_deficit(same).mean(0)[tail]).max())
rho_same = float(same.rho.mean(0)[tail].mean())
report(
    ("fb-x-eps", P.exit_eps, "eps of this section", ".2f"),
    ("fb-x-dip", np.exp(-I_att / P.exit_eps), "exp(-I/eps)", ".1e"),
    ("fb-x-dip-eps", np.exp(-I_att / P.eps), "the same at the chapter's eps",
     ".1e"),
    ("fb-x-same-a", a_same, "identical a_j, frozen at", ".3f"),
    ("fb-x-same-delta", delta_same, "private deficit, last quarter",
     ".1e"),
    ("fb-x-same-rho", rho_same, "coherence, last quarter", ".4f"),
    ("fb-x-same-rhof", rho_rest, "rho_f predicted", ".4f"),
)

# %% [markdown]
# With identical $a_j$ the private deficit has fallen to
# {glue:md}`fb-x-same-delta:myst`, the float32 resolution, and the coherence rests at
# {glue:text}`fb-x-same-rho:.4f` against $\rho_{\rm f} =$
# {glue:text}`fb-x-same-rhof:.4f` from {eq}`eq-fb-floors`. Checked: the private part
# vanishes (below $10^{-5}$), the common part rests within a factor 2 of
# $\rho_{\rm f}$.

# %%
assert delta_same < 1e-5  # no floor without a spread of the a_j
assert 0.5 < rho_same / rho_rest < 2

# %% [markdown]
# Now the full runs, at $\eps =$ {glue:text}`fb-x-eps:.2f`, for every $d$ and $B/d$ of
# the parameters cell, with the prediction for each. The spread $\sigma_a$ is the
# network's standard deviation of the $a_j$ (median over the records between the end of
# the fast phase and the ODE's exit); the floor, predicted and measured, is the median of
# $\delta_{\rm p}$ over the records where the predicted deficit is within a factor 2 of
# its minimum.

# %%
t_x = np.arange(0.0, 1.2 * Mx.exit_tau(P.a0) / P.exit_eps, 0.5)
ode_x = Tx.integrate(P.kappa0, P.a0, t_x)
t_fast = t_x[np.argmax(ode_x.kappa >= 0.9)]  # end of the fast phase
t_slow = exit_time(t_x, 1 - ode_x.kappa**2, P.level)  # the ODE's exit


def exit_run(d, ratio):
    """One network, its private deficit and exit, and the prediction."""
    run = simulate_network(
        T, S, width=P.exit_width, dim=d, batch=int(round(ratio * d)),
        lr=P.lr, eps=P.exit_eps, a0=P.a0, time=P.exit_time,
        seeds=P.exit_seeds, record_every=P.exit_record,
    )
    delta_net = private_deficit(run).mean(0)
    plateau = (run.t >= t_fast) & (run.t <= t_slow)
    spread = float(np.median(run.a_std.mean(0)[plateau]))
    fbx = FiniteBatchDynamics(T, S, eps=P.exit_eps, batch_ratio=ratio,
                              lr=P.lr)
    pred = floor_exit(fbx, P.kappa0, P.a0, spread, t_x,
                      rho0=1 / P.exit_width, level=P.level)
    i = int(np.argmin(pred.private))
    delta_pred = np.interp(run.t, t_x, pred.private)
    near = delta_pred < 2 * pred.private[i]  # around the predicted minimum
    t_net = exit_time(run.t, delta_net, P.level)
    return dict(
        run=run, delta=delta_net, pred=pred, spread=spread,
        noise=float(pred.floor[i]),
        det=float(pred.private[i] - pred.floor[i]),
        floor=float(np.median(delta_pred[near])),
        floor_net=float(np.median(delta_net[near])),
        t_net=t_net,
        a_net=float(np.interp(t_net, run.t, run.a_mean.mean(0))),
    )


exits = {(d, r): exit_run(d, r) for d in P.exit_dims for r in P.exit_ratios}
pred = exits[P.exit_dims[0], P.exit_ratios[0]]["pred"]
t_ode, a_ode = pred.t_ode, pred.a_ode
report(
    ("fb-x-t-ode", t_ode, "noiseless ODE: exit time", ".1f"),
    ("fb-x-a-ode", a_ode, "noiseless ODE: exit a", ".4f"),
    ("fb-x-a-ee", Mx.exit_a(P.a0), "entry-exit limit: a_exit", ".4f"),
    ("fb-x-A1", A1, "naive exit A(1)", ".4f"),
)
table(
    ["$d$", "$B/d$", "$\\sigma_a$", "floor, predicted", "floor, network"],
    [(d, r, x["spread"], x["floor"], x["floor_net"])
     for (d, r), x in exits.items()],
    caption="The floor of the private deficit $\\delta_{\\rm p}$ at the "
    "section's $\\eps$: "
    "the spread of the second-layer weights measured on each network, the "
    "floor predicted from it and the floor measured (seed means).",
    name="tab-fb-floor",
    fmt=["d", ".3g", ".3f", ".1e", ".1e"],
)

# %% [markdown]
# {numref}`tab-fb-floor` compares the floors. {numref}`tab-fb-exit` puts the exits of
# the networks side by side with the predictions from the floor; the noiseless ODE
# leaves at $t =$ {glue:text}`fb-x-t-ode:.1f`, at $a =$ {glue:text}`fb-x-a-ode:.4f`
# (entry-exit limit $\eps \to 0$: {glue:text}`fb-x-a-ee:.4f`; naive exit
# $A(1) =$ {glue:text}`fb-x-A1:.3f`), whatever $d$ and $B/d$.

# %%
table(
    ["$d$", "$B/d$", "$t_{\\rm exit}$ predicted", "$t_{\\rm exit}$ network",
     "$a_{\\rm exit}$ predicted", "$a_{\\rm exit}$ network"],
    [(d, r, x["pred"].t_exit, x["t_net"], x["pred"].a_exit, x["a_net"])
     for (d, r), x in exits.items()],
    caption="The exit from $\\kappa = 1$ at the section's $\\eps$ (time and "
    "second-layer weight), predicted from the floor and measured on "
    "networks (seed means). The noiseless ODE leaves later, at the time and "
    "$a$ printed above.",
    name="tab-fb-exit",
    fmt=["d", ".3g", ".1f", ".1f", ".4f", ".4f"],
)

# %% [markdown]
# {numref}`fig-fb-exit` shows the private deficit of the networks of the largest $d$
# over time, and all the exit times.

# %% tags=["remove-output"]
d_hi = max(P.exit_dims)
cols = ordered_colors(len(P.exit_ratios))
fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(6.6, 7.6))
for ratio, col in zip(P.exit_ratios, cols):
    x = exits[d_hi, ratio]
    ax1.semilogy(x["run"].t, np.clip(x["delta"], 1e-8, None), color=col,
                 lw=3,
                 alpha=0.55, label=f"network, $B/d = {ratio:g}$")
    stop = x["pred"].t <= x["pred"].t_exit + 5  # linear: up to the exit
    ax1.semilogy(x["pred"].t[stop], x["pred"].private[stop], color=col,
                 ls="--")
ax1.semilogy(pred.t, pred.noiseless, color=THEORY, ls=":",
             label=r"noiseless ODE, $1-\kappa^2$")
ax1.axhline(1 - P.level**2, color="0.5", lw=1)
ax1.set(xlabel="time $t$", ylabel=r"private deficit $\delta_{\rm p}$",
        ylim=(1e-10, 1),
        title=f"$d = {d_hi}$ (dashed: predicted from the floor)")
ax1.legend(loc="lower right")
ds = np.array(P.exit_dims)
for ratio, col, mark in zip(P.exit_ratios, cols, "os^D"):
    ax2.plot(ds, [exits[d, ratio]["t_net"] for d in ds], mark, color=col,
             ms=8, label=f"network, $B/d = {ratio:g}$")
    ax2.plot(ds, [exits[d, ratio]["pred"].t_exit for d in ds], "--",
             color=col)
ax2.axhline(t_ode, color=THEORY, ls=":", label="noiseless ODE")
low = np.nanmin([x["t_net"] for x in exits.values()] + [t_ode - 30])
ax2.set(xscale="log", xlabel="input dimension $d$", ylabel="exit time",
        ylim=(low - 0.8 * (t_ode - low), t_ode + 0.1 * (t_ode - low)),
        title="markers: networks; dashed: predicted from the floor")
ax2.minorticks_off()
ax2.set_xticks(P.exit_dims, [str(d) for d in P.exit_dims])
ax2.legend(loc="lower right", ncol=2)
show_figure(fig, "fig-fb-exit")

# %% [markdown]
# ```{glue:figure} fig-fb-exit
# :name: fig-fb-exit
#
# The exit from $\kappa = 1$ at $\eps =$ {glue:text}`fb-x-eps:.2f`. Top: the private
# deficit $\delta_{\rm p}$ of {eq}`eq-fb-split` of networks (thick, seed mean) at the
# largest $d$,
# against the prediction of {eq}`eq-fb-moments` (dashed, up to its exit), and the
# noiseless ODE (dotted), which dips far lower; the grey line is the exit level
# $1-\kappa_{\rm e}^2$. Bottom: exit times over $d$, networks (markers) against the prediction
# (dashed, same colour), and the noiseless ODE's exit (dotted).
# ```
#
# The claims, checked for every run in which the noise floor dominates the predicted
# deficit at its minimum (more than 10 times the deterministic part): the network leaves
# before the noiseless ODE, and, when the exit level is close enough to 1 for the
# linearisation to hold up to it ($1 - \kappa_{\rm e}^2 \le 0.05$; farther down the
# escape slows and the linear prediction comes early), its exit time lies closer to the
# prediction than to the ODE's exit; where the floor is above the float32 resolution
# ($10^{-6}$), the measured floor lies within a factor 3 of the prediction; and the
# spread $\sigma_a$ falls with $d$.

# %%
# the linearisation holds up to the exit level
linear_level = 1 - P.level**2 <= 0.05
print(f"exit level {P.level}: within the linear range: {linear_level}")
checked = 0
for (d, ratio), x in exits.items():
    dominated = x["noise"] > 10 * x["det"]
    print(f"d = {d}, B/d = {ratio:g}: the floor dominates: {dominated}")
    if dominated and np.isfinite(x["t_net"]):
        checked += 1
        assert x["t_net"] < t_ode  # the network leaves first ...
        if linear_level:  # ... close to the prediction from the floor
            assert abs(x["t_net"] - x["pred"].t_exit) < t_ode - x["t_net"]
        if x["floor"] > 1e-6:  # resolved in float32
            assert 1 / 3 < x["floor_net"] / x["floor"] < 3, (d, ratio)
for ratio in P.exit_ratios:
    sig = [exits[d, ratio]["spread"] for d in sorted(P.exit_dims)]
    assert np.all(np.diff(sig) < 0), (ratio, sig)  # larger d, smaller spread
mean_spread = [np.mean([exits[d, r]["spread"] for r in P.exit_ratios])
               for d in P.exit_dims]
slope = np.polyfit(np.log(P.exit_dims), np.log(mean_spread), 1)[0]
print(f"checked {plural(checked, 'run')} of {len(exits)}")
gain = [t_ode - x["t_net"] for x in exits.values()]
left = np.isfinite(gain)
print(f"{plural(left.sum(), 'network')} of {len(exits)} left kappa = 1 "
      "within the horizon")  # raise exit_time for the others
report(
    ("fb-x-slope", slope, "log-log slope of sigma_a against d", ".2f"),
    ("fb-x-gain-min", np.nanmin(gain),
     "networks leave before the ODE by at least", ".1f"),
    ("fb-x-gain-max", np.nanmax(gain), "... and at most", ".1f"),
)
report(("fb-x-slope-md", Md(f"$x = {slope:.2f}$"), "the same, as math"))

# %% [markdown]
# The networks leave $\kappa = 1$ earlier than the noiseless ODE, by
# {glue:text}`fb-x-gain-min:.0f` to {glue:text}`fb-x-gain-max:.0f` time units, and at a
# smaller $a$; the prediction from the floor follows them across $d$ and $B/d$.
# The spread of the second-layer weights falls like $d^{x}$ with
# {glue:md}`fb-x-slope-md:myst` (the initial spread of the $\kappa_j$ falls like
# $d^{-1/2}$), so the floor falls like $\beta/d$ and the exit moves back toward the ODE's
# as $d$ grows, but only logarithmically, through $\log(1/\delta_{\rm f})$ in
# {eq}`eq-fb-floor-exit`. The delay that the noiseless ODE predicts beyond that is an
# artefact of the limit: in a network it would need a private deficit of
# $e^{-I/\eps}$, which the spread of the $a_j$ and the shared noise never let it reach.
# At the chapter's $\eps$ the ODE's dip is only about {glue:md}`fb-x-dip-eps:myst`,
# the floor and the dip can be of the same order, and both the spread of the $a_j$ and
# its correlation with the entry into $\kappa = 1$ matter; there the prediction of
# `floor_exit` is rougher (try it: `exit_eps=0.05`).

# %% [markdown]
# ## Summary
#
# - One minibatch drives every neuron, so SGD noise at finite $B/d$ is shared; it makes
#   the neurons' orthogonal parts coherent, measured by $\rho$.
# - The finite-batch model {eq}`eq-fb-model` (order parameters $\kappa$, $a$, $\rho$;
#   noise strength $\beta = \eta d/B$; noise terms $D$, $D_\times$ by Gauss-Hermite
#   quadrature) tracks networks better than the noiseless ODE at $B/d \le 1$; the
#   per-neuron correction alone does worse than no correction.
# - Coherence slows the growth of $a$ and weakens the repulsion that destabilises
#   $\kappa = 1$: unlearning is delayed, and at small enough $B/d$ it does not happen at
#   all; there, a teacher that is safe in the limit loses alignment instead. The
#   dichotomy of the limit is a statement about large batches.
# - A finite network leaves $\kappa = 1$ earlier than the noiseless ODE. Identical
#   neurons receive identical SGD kicks, so the noise alone sets no floor under the
#   private part of $1-\kappa$; the spread of the second-layer weights left by the fast
#   phase (of order $d^{-1/2}$) lets the shared noise in, with a floor of order
#   $\beta\sigma_a^2$ {eq}`eq-fb-floors`. The exit follows the entry-exit integral
#   started at that floor {eq}`eq-fb-floor-exit`.
# - Limits, as measured: with $a$ frozen at the smallest $B/d$ the networks lose more
#   alignment to the noise than the models give, and late in the full dynamics their
#   coherence and $a$ differ from the model's by amounts that depend on $N$ and $d$. The
#   model keeps the noise to the order of the second-order step {eq}`eq-fb-step`,
#   evaluated at the mean state; we have not traced these misses to one of its
#   approximations.

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-fb-frac
#
# With $a$ frozen at `frozen_a`, integrate the model to rest at the two ratios
# `frac_ratios` ($B/d = 1/4$ and $4$) and report the coherent fraction
# $\chi = \rho/(1-\kappa^2)$. Which term of {eq}`eq-fb-frac` sets it?
# ```
#
# ```{solution-start} ex-fb-frac
# :class: dropdown
# ```
#
# A long frozen run; at rest the two terms of {eq}`eq-fb-frac` balance.

# %%
chi = {}
for ratio in P.frac_ratios:
    tr = model(ratio).integrate(
        P.kappa0, P.frozen_a, P.frac_time, freeze_a=True
    )
    chi[ratio] = float(tr.chi[-1])
    report(
        (None, tr.kappa[-1], f"B/d = {ratio:g}: kappa at rest", ".3f"),
        (None, chi[ratio], f"B/d = {ratio:g}: chi at rest", ".3f"),
    )
    assert 0 < chi[ratio] < 1
lo_r, hi_r = min(P.frac_ratios), max(P.frac_ratios)
assert chi[lo_r] > chi[hi_r]  # more noise, more coherence

# %% [markdown]
# The noise injection $\beta a^2 D_\times/(1-\kappa^2)$ grows as $B/d$ shrinks, the
# decoherence rate $2(1-\chi)a^2h'(q)$ does not depend on it; the fraction grows with the
# noise.
#
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ex-fb-noisefloor
#
# Take the teacher with $c =$ `safe_c` $> s$, which never unlearns in the limit. Use the
# model to follow the peak and the final alignment as $B/d$ decreases, from 4 down to
# `kept_ratio`. Does any run lose alignment after its peak? Which term of
# {eq}`eq-fb-model` is responsible?
# ```
#
# ```{solution-start} ex-fb-noisefloor
# :class: dropdown
# ```
#
# A scan with the model, measuring the drop from the peak to the end of the run.

# %%
drop = {}
for ratio in (
    P.kept_ratio,
    2 * P.kept_ratio,
    8 * P.kept_ratio,
    32 * P.kept_ratio,
):
    tr = model(ratio, teacher=T_safe).integrate(
        P.kappa0, P.a0, P.long_time, rho0=1 / P.width
    )
    drop[ratio] = tr.kappa.max() - tr.kappa[-1]
    report(
        (None, tr.kappa.max(), f"B/d = {ratio:g}: peak kappa", ".3f"),
        (None, tr.kappa[-1], f"B/d = {ratio:g}: final kappa", ".3f"),
    )
rs = sorted(drop)
if P.safe_c > P.s:  # safe in the limit: little drop with little noise
    assert drop[rs[-1]] < 0.05 and drop[rs[0]] > drop[rs[-1]]

# %% [markdown]
# At large $B/d$ the alignment stays at its peak (slightly below 1: the noise floor). At
# the smallest ratio it peaks early and then *falls*: unlearning caused by the noise
# alone, for a pair that the criterion of the limit declares safe. As $a$ grows toward
# $\abar$ the per-neuron loss $\tfrac\beta2 a^2 D\kappa$ grows with $a^2$ and the
# coherence grows with it: the networks of {numref}`fig-fb-dichotomy` show it.
#
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ex-fb-floor
#
# Evaluate the resting floors {eq}`eq-fb-floors` at the transcritical point
# $a = A(1)$ (where $g = 0$) for the smallest ratio of `exit_ratios` and
# $\sigma_a = 0.05$. Compare the private floor with the noise part of the prediction of
# `floor_exit` (same spread) at the moment $a$ crosses $A(1)$. Why is the private floor
# so much smaller than $\rho_{\rm f}$, and why is it finite at $A(1)$?
# ```
#
# ```{solution-start} ex-fb-floor
# :class: dropdown
# ```
#
# The two formulas of {eq}`eq-fb-floors` at $g = 0$, with $D$ at $\kappa = 1$, and the
# prediction along the run:

# %%
sig = 0.05
D1 = fbx_lo.noise_terms(1.0, A1)[0]
rho_f = A1 * fbx_lo.beta * D1 / (2 * dphi1)
delta_f = sig**2 * fbx_lo.beta * D1 / (2 * A1 * dphi1)
along = floor_exit(fbx_lo, P.kappa0, P.a0, sig, t_x, rho0=1 / P.exit_width,
                   level=P.level)
at_A1 = float(np.interp(A1, along.a, along.floor))  # a grows along the run
report(
    (None, rho_f, "rho_f at A(1)", ".2e"),
    (None, delta_f, "delta_f at A(1)", ".2e"),
    (None, at_A1, "noise part of the prediction when a = A(1)", ".2e"),
)
assert 1 / 3 < at_A1 / delta_f < 3  # the resting value is the right order

# %% [markdown]
# $\delta_{\rm f}/\rho_{\rm f} = (\sigma_a/a)^2\,\phi'(1)/(\phi'(1) + g)$: the private
# part
# carries the factor $(\sigma_a/a)^2$ (only the part of the noise that differs between
# neurons reaches it). The private part is driven by the increments of the common part,
# whose slow share the common part's own relaxation (at the rate $a\phi'(1)$, which stays
# positive) removes; so even where the private part has no restoring force of its own
# ($g = 0$) its variance stays finite, and along the run the floor passes $A(1)$ at about
# its resting value.
#
# ```{solution-end}
# ```

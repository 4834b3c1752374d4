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
# # The infinite-width limit
#
# Everything else in this book is about two numbers, the alignment $\kappa$ and the
# second-layer weight $a$, obeying the reduced ODE of the setting chapter. A real network has
# $N$ neurons, each with its own $d$-dimensional weight vector, trained by stochastic
# gradient descent on random minibatches. This chapter asks when, and how fast, the first
# becomes the second.
#
# **What you will learn.**
#
# - Which parametrization makes the limit non-trivial: the *maximal-update* (muP) scaling of
#   Tensor Programs {cite}`yang2021tensor`, which for one hidden layer is the *mean-field*
#   scaling {cite}`mei2018mean,chizat2018global,rotskoff2022trainability`.
# - How the reduced ODE follows from three limits: a law of large numbers across neurons
#   ($N\to\infty$), Mehler's formula across the hidden direction ($d\to\infty$), and a
#   vanishing SGD noise ($B/d\to\infty$).
# - Which of these limits is a theorem and which is a heuristic that we check by simulation.
# - How large the deviations are for finite $N$, $d$ and $B$, and at which rates they shrink,
#   measured with the JAX simulator `lib.simulate`.
#
# **Where this sits.** The fast-slow analysis of the later chapters is carried out on the
# reduced ODE. This chapter is the bridge that says why that ODE describes the networks of
# the paper we reconstruct {cite}`imai2026dichotomy`, in our own model: the numbers below are
# measured here, not taken from that paper.

# %% [markdown]
# ## Parameters
#
# One cell holds every size. Under continuous integration (`CI` in the environment) the runs
# are shortened and the sweeps thinned so that the chapter executes in well under a minute on
# two CPU cores; the full sizes produce the published figures and take a few minutes.

# %%
import os
import time
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from myst_nb import glue

from lib.hermite import polynomial
from lib.plotting import glue_figure
from lib.reduced import ReducedDynamics
from lib.simulate import simulate_network

CI = "CI" in os.environ


@dataclass(frozen=True)
class Params:
    s: float = 0.5                    # student sigma = He1 + s He2
    c: float = 0.2                    # teacher sigma* = He1 + c He2
    eps: float = 0.05                 # second-layer / first-layer learning-rate ratio
    a0: float = 0.1                   # initial second-layer weight
    width: int = 256                  # headline network: N
    dim: int = 128                    # d
    batch: int = 2048                 # B
    lr: float = 0.1                   # eta (time t = eta * step)
    horizon: float = 150.0            # headline run length
    seeds: int = 4                    # independent networks (vmapped)
    dims: tuple = (16, 32, 64, 128)   # d-sweep (N = 128, B = 16 d)
    widths: tuple = (16, 32, 64, 128, 256, 512)  # N-sweep (d = 16, B = 2048)
    ratios: tuple = (0.5, 1.0, 2.0, 4.0)         # B/d-sweep (d = 64, N = 128)
    sweep_seeds: int = 8              # seeds per sweep point
    n_batch: int = 2048               # batch of the N-sweep (d = 16)


P = Params()
if CI:  # same shapes for the headline run, shorter; thinner sweeps
    P = Params(horizon=30.0, seeds=2, dims=(16, 32, 64), widths=(16, 64, 256),
               ratios=(0.5, 2.0), sweep_seeds=4, n_batch=1024)
teacher, student = polynomial(0, 1, P.c), polynomial(0, 1, P.s)
ode = ReducedDynamics(teacher, student, P.eps)
T_START = time.perf_counter()

# %% [markdown]
# ## The parametrization: abc, muP and mean field
#
# The network is the one of the setting chapter,
#
# $$
# f(x) = \frac1N \sum_{j=1}^N a_j\, \sigma(\langle w_j, x\rangle), \qquad |w_j| = 1,
# $$ (eq-iw-net)
#
# trained on the loss $\tfrac12 (f(x)-y)^2$ with learning rates $\eta N$ for the $w_j$ and
# $\eps\eta N$ for the $a_j$, one fresh minibatch of $B$ Gaussian inputs per step, and time
# $t = \eta\cdot\text{step}$.
#
# Why $1/N$ in front and $N$ in the learning rate? Yang and Hu {cite}`yang2021tensor`
# organise all choices in an *abc-parametrization*: each weight matrix is written
# $W^l = N^{-a_l} w^l$, its trainable part is initialised with entries of size $N^{-b_l}$, and
# SGD uses the learning rate $\eta N^{-c}$. Rescaling $(a_l, b_l, c) \to (a_l+\theta, b_l-\theta,
# c-2\theta)$ changes neither the function nor its SGD trajectory, so only equivalence
# classes matter. Among the stable choices, they show that exactly one lets every layer's
# features move by an amount of order one as $N\to\infty$: the maximal-update
# parametrization (muP). The standard and NTK parametrizations instead freeze the hidden
# features in the limit (the lazy or kernel regime), which would make feature learning, and
# therefore feature *unlearning*, invisible.
#
# For one hidden layer and a fixed input dimension, muP is the mean-field parametrization.
# Write the network as an average over particles $(a_j, w_j)$, i.e. as an integral against
# the empirical measure $\mu_N = \frac1N \sum_j \delta_{(a_j, w_j)}$:
# $f(x) = \int a\,\sigma(\langle w, x\rangle)\, \mu_N(da, dw)$ (the output multiplier $N^{-1}$,
# weights of order one). The gradient of the loss with respect to one particle is $O(1/N)$,
# so a learning rate $\eta N$ moves each particle by $O(\eta)$ per step: in time $t$ every
# neuron travels an $O(1)$ distance, in any width. As $N\to\infty$ the particles become
# independent copies of one process driven by their common law (a McKean-Vlasov dynamics,
# or a Wasserstein gradient flow of the loss over measures)
# {cite}`mei2018mean,chizat2018global,rotskoff2022trainability`. Here the particles live on
# the sphere, so the velocity is the Riemannian gradient: projected on the tangent space.

# %% [markdown]
# ## From particles to two numbers
#
# **Law of large numbers across neurons.** The population loss of {eq}`eq-iw-net` depends on
# the weights only through overlaps. For Gaussian inputs and unit vectors, Mehler's formula
# gives $\E[\sigma_*(z)\,\sigma(\langle w_j,x\rangle)] = \phi(\kappa_j)$ with
# $\kappa_j = \langle w_j, \thetastar\rangle$ and
# $\E[\sigma(\langle w_i,x\rangle)\sigma(\langle w_j,x\rangle)] = \sum_k k!\, s_k^2\, q_{ij}^k$
# with $q_{ij} = \langle w_i, w_j\rangle$. So
#
# $$
# L = \tfrac12\|\sigma_*\|^2 - \frac1N\sum_j a_j\,\phi(\kappa_j)
#     + \frac1{2N^2}\sum_{i,j} a_i a_j \sum_k k!\, s_k^2\, q_{ij}^k ,
# $$ (eq-iw-loss)
#
# exactly, at any $N$ and $d$. (`lib.simulate` evaluates this formula for its loss curves:
# no test set is needed.) As $N\to\infty$ the averages $\frac1N\sum_j$ become expectations
# over the limiting law of the neurons (the law of large numbers of the previous section), and
# the diagonal $i=j$, a fraction $1/N$ of the double sum, drops out.
#
# **Mehler across the hidden direction.** Split $w_j = \kappa_j \thetastar + w_j^\perp$. Two
# independent random unit vectors in $d$ dimensions have overlap of order $d^{-1/2}$; if the
# orthogonal parts stay incoherent, $q_{ij} = \kappa_i\kappa_j + O(d^{-1/2})$ with mean zero
# correction. As $d\to\infty$ the initial alignments, spread by $d^{-1/2}$ around zero, all
# tend to $\kappa = 0$; neurons that start together and feel the same field stay together. If
# then all $\kappa_j$ equal $\kappa$ and all $a_j$ equal $a$, {eq}`eq-iw-loss` becomes
# $L(\kappa,a) = \tfrac12\|\sigma_*\|^2 - a\phi(\kappa) + \tfrac12 a^2 H(\kappa)$ with
# $H(\kappa) = \sum_k k!\,s_k^2\kappa^{2k}$. Equivalently: the network output becomes
# $f(x) = a\sum_k s_k \kappa^k \He_k(z)$, the Mehler smoothing of $\sigma$ over the part of
# $x$ orthogonal to $\thetastar$.
#
# **The flow.** With learning rate $\eta N$, neuron $j$ follows $\dot w_j = -N\,(I - w_j
# w_j^\top)\nabla_{w_j} L$. Since $L$ depends on $w_j$ through $\kappa_j$ (at this order),
# $\nabla_{w_j} L = \partial_{\kappa_j} L\; \thetastar$ and $\dot\kappa_j = \langle \thetastar, \dot w_j\rangle
# = -N (1-\kappa_j^2)\,\partial_{\kappa_j} L$; likewise $\dot a_j = -\eps N\,\partial_{a_j} L$.
# Write $h(q) = \sum_k k!\,s_k^2 q^k$, so that $H(\kappa) = h(\kappa^2)$ and
# $H'(\kappa) = 2\kappa\, h'(\kappa^2)$. Differentiating {eq}`eq-iw-loss` with $q_{ij}$
# replaced by $\kappa_i\kappa_j$ gives one equation per neuron,
#
# $$
# \dot\kappa_j = (1-\kappa_j^2)\,a_j\Big[\phi'(\kappa_j) - \frac1N\sum_i a_i\kappa_i\,h'(\kappa_i\kappa_j)\Big],
# \qquad
# \dot a_j = \eps\Big[\phi(\kappa_j) - \frac1N\sum_i a_i\, h(\kappa_i\kappa_j)\Big],
# $$ (eq-iw-particles)
#
# and setting $\kappa_i = \kappa$, $a_i = a$ in it:
#
# $$
# \dot\kappa = a(1-\kappa^2)\,\big[\phi'(\kappa) - \tfrac12 a H'(\kappa)\big], \qquad
# \dot a = \eps\,\big[\phi(\kappa) - a H(\kappa)\big],
# $$ (eq-iw-ode)
#
# the reduced ODE (`lib.reduced.ReducedDynamics`).
#
# **Large batch.** A minibatch of $B$ samples estimates the gradient with an error of
# relative size $B^{-1/2}$ in each of the $d$ directions. Per step each $w_j$ is kicked by a
# random vector of norm about $\eta\sqrt{d/B}$; over a unit of time ($1/\eta$ steps) the kicks
# add up to a displacement of order $\sqrt{\eta d/B}$. Renormalising onto the sphere turns
# the squared kicks into a systematic pull of order $\eta d/B$ away from $\thetastar$. The
# noiseless ODE is the limit $\eta d/B\to 0$, the online-SGD picture of
# {cite}`saad1995online,benarous2022high,arnaboldi2023high`. Note that one minibatch drives
# *all* neurons: the noise is shared, which can make the orthogonal parts coherent (the
# quantity `rho` that `lib.simulate` records; the finite-batch chapter is about it).

# %% [markdown]
# ## What is proved and what is not
#
# ```{prf:proposition} The width limit (informal)
# :label: prop-iw-width
#
# Fix the input dimension $d$, the batch size $B$, the learning rate $\eta$ and a number of
# steps $T/\eta$. Under muP (mean-field) scaling, the empirical law of the neurons
# $(a_j, w_j)$ converges as $N\to\infty$ to a limit law, whose evolution is a
# McKean-Vlasov (mean-field) dynamics driven by the sequence of minibatches, and order
# parameters such as $\frac1N\sum_j\kappa_j$ converge to limits that are deterministic given
# that sequence.
# ```
#
# The limit does not average out the minibatches: one batch drives all $N$ neurons, so at
# finite $B$ the SGD noise survives $N\to\infty$ (it is removed only by the large-batch limit
# below).
#
# This is what the Tensor Programs master theorem {cite}`yang2021tensor` delivers for SGD
# in muP (any fixed number of steps; polynomial activations are covered), and what the
# mean-field theory proves for gradient flows {cite}`mei2018mean,chizat2018global`; that
# the fluctuations around the limit are of order $N^{-1/2}$ is the central-limit picture of
# {cite}`rotskoff2022trainability`, which we check below rather than prove. We have not
# verified their hypotheses for the spherical projection and renormalisation; these act
# neuron by neuron on a vector of fixed dimension $d$, so we expect no new difficulty, but
# this is an expectation, not a proof.
#
# What is **heuristic** in this book:
#
# 1. *The limit $d\to\infty$ taken after $N\to\infty$.* At fixed $d$, the alignments
#    $\kappa_j$ start spread with standard deviation $d^{-1/2}$ and never become exactly
#    equal; the orthogonal overlaps are $O(d^{-1/2})$. Collapsing the law of the neurons to
#    one $\kappa$ is the Mehler step above, and it is an interchange of limits we do not prove.
# 2. *The large-batch limit $\eta d/B\to0$*, argued above from the size of the noise, together
#    with $\eta\to0$, which turns the discrete steps into an ODE (the proposition holds at
#    fixed $\eta$ and $B$).
# 3. *Long times.* The limits hold on finite time windows. The fast-slow analysis uses times
#    of order $1/\eps$ and longer (the delayed loss of stability happens at
#    $\exp(-O(1/\eps))$ distances from $\kappa=1$, far below any finite-$d$ noise floor).
#
# So the reduced ODE has to earn its credibility by measurement. The rest of the chapter
# measures.

# %% [markdown]
# ## A network of width 256 against the ODE
#
# We train networks with $N$, $d$, $B$, $\eta$ from the parameter cell on the running example
# (student $\He_1 + s\He_2$, teacher $\He_1 + c\He_2$), several seeds at once, and compare the
# mean alignment $\bar\kappa = \frac1N\sum_j \kappa_j$ with the ODE started at $\kappa=0$ (the
# limit of the random start) and $a = a_0$. The hidden direction is $\thetastar = e_1$ without loss
# of generality: the input law is rotation invariant.

# %%
run = simulate_network(teacher, student, width=P.width, dim=P.dim, batch=P.batch, lr=P.lr,
                       eps=P.eps, a0=P.a0, time=P.horizon, seeds=P.seeds, record_every=0.5)
ref = ode.integrate(0.0, P.a0, run.t)
dev = np.abs(run.kappa_mean - ref.kappa)            # (seeds, times)
dev_mean = np.abs(run.kappa_mean.mean(0) - ref.kappa)
late = run.t >= 20
glue("iw_dev_seed", float(dev.max()), display=False)
glue("iw_dev_mean", float(dev_mean.max()), display=False)
glue("iw_dev_t", float(run.t[np.argmax(dev_mean)]), display=False)
glue("iw_dev_late", float(dev[:, late].max()), display=False)
glue("iw_horizon", float(P.horizon), display=False)

# %% [markdown]
# The figure shows alignment, second-layer weight and loss of each network against the ODE.

# %%
fig, ax = plt.subplots(1, 3, figsize=(12, 3.4))
for k, (y, yo, name) in enumerate([(run.kappa_mean, ref.kappa, r"alignment $\bar\kappa$"),
                                   (run.a_mean, ref.a, r"second layer $\bar a$"),
                                   (run.loss, ref.loss, "population loss")]):
    ax[k].plot(run.t, y.T, color="C0", lw=0.8, alpha=0.7)
    ax[k].plot(run.t, yo, "k--", lw=1.2, label="reduced ODE")
    ax[k].set(xlabel="time $t$", ylabel=name)
ax[0].plot([], [], color="C0", label=f"networks ({P.seeds} seeds)")
ax[0].legend()
fig.tight_layout()
glue_figure("iw_fig_headline", fig)

# %% [markdown]
# ```{glue:figure} iw_fig_headline
# :name: fig-iw-headline
#
# Networks with $N=256$, $d=128$, $B=2048$, $\eta=0.1$ (blue, one line per seed) against the
# reduced ODE (dashed), running example $s=0.5$, $c=0.2$, $\eps=0.05$, $a_0=0.1$. Left: mean
# alignment; middle: mean second-layer weight; right: exact population loss
# {eq}`eq-iw-loss`.
# ```
#
# Up to $t =$ {glue:text}`iw_horizon:.0f`, every network stays within
# {glue:text}`iw_dev_seed:.3f` of the ODE in $\bar\kappa$, and the average over seeds within
# {glue:text}`iw_dev_mean:.3f`. The largest gap occurs during the fast alignment, near
# $t=$ {glue:text}`iw_dev_t:.1f`, where the networks lag slightly behind the ODE; after $t=20$
# the gap stays below {glue:text}`iw_dev_late:.3f`.
# The lag is systematic: it survives the average over seeds. So at these sizes a network
# follows the ODE to about {glue:text}`iw_dev_mean:.2f` in $\kappa$, not better. The working
# notes this book started from state that such a network follows the ODE
# "to within 0.02"; our runs do not reproduce that figure. The checks (with a margin over
# the measured values, which vary by a few thousandths with the seeds):

# %%
# the seed average of 4 networks (2 under CI, whose average is noisier)
assert dev_mean.max() < (0.035 if CI else 0.03), dev_mean.max()
assert dev.max() < 0.04, dev.max()                  # every single network
assert dev[:, late].max() < 0.015, dev[:, late].max()
assert np.abs(run.loss - ref.loss).max() < 0.02
assert run.kappa_mean.mean(0)[np.argmax(dev_mean)] < ref.kappa[np.argmax(dev_mean)]  # a lag

# %% [markdown]
# The CI run has the same shapes and the first two of the same seeds, only a shorter horizon
# ($t\le30$); since the largest gap is reached during the fast alignment (near
# $t=$ {glue:text}`iw_dev_t:.1f`), it checks the same worst case.
#
# **How much of the lag is the initial spread?** The particle equations
# {eq}`eq-iw-particles` keep one thing that separates a network from the reduced ODE, the
# spread of the initial alignments $\kappa_j$ (and, through them, of the $a_j$), and drop the
# others: the orthogonal overlaps, the SGD noise and the finite learning rate. We integrate
# them for $N$ particles whose initial $\kappa_j$ are drawn from the same law as the
# network's (the first coordinates of $N$ uniform unit vectors in $d$ dimensions; independent
# draws, as many as seeds) over the window $t\le30$ that contains the largest gap.

# %%
from scipy.integrate import solve_ivp

h = np.polynomial.Polynomial(ode.v)                # h(q) = sum_k k! s_k^2 q^k
dphi, dh = ode.phi.deriv(), h.deriv()


def particles(t, y, shared):                        # eq-iw-particles, y = (kappa_j, a_j)
    k, a = np.split(y, 2)
    a = np.full_like(a, a.mean()) if shared else a  # shared: one a for all neurons
    q = np.outer(k, k)
    dk = (1 - k**2) * a * (dphi(k) - (dh(q) * (a * k)[:, None]).mean(0))
    return np.concatenate([dk, P.eps * (ode.phi(k) - (h(q) * a[:, None]).mean(0))])


g = np.random.default_rng(1).standard_normal((P.seeds, P.width, P.dim))
t_w = run.t[run.t <= 30]
diff_p, diff_shared = (np.mean([solve_ivp(particles, (0, t_w[-1]), np.r_[k0, np.full(P.width, P.a0)],
                                          t_eval=t_w, args=(sh,), rtol=1e-8, atol=1e-10).y[:P.width].mean(0)
                                for k0 in g[..., 0] / np.linalg.norm(g, axis=2)], axis=0)
                       - ref.kappa[: t_w.size] for sh in (False, True))  # particle mean minus ODE
gap_p, gap_shared = np.abs(diff_p), np.abs(diff_shared)
glue("iw_particle_gap", float(gap_p.max()), display=False)
glue("iw_particle_t", float(t_w[np.argmax(gap_p)]), display=False)
glue("iw_particle_rest", float(dev_mean.max() - gap_p.max()), display=False)
glue("iw_particle_shared", float(gap_shared.max()), display=False)

# %% [markdown]
# Averaged over the draws, the particles lag the one-$\kappa$ ODE by up to
# {glue:text}`iw_particle_gap:.3f` (near $t=$ {glue:text}`iw_particle_t:.0f`), against
# {glue:text}`iw_dev_mean:.3f` for the networks: the initial spread alone accounts for most
# of the lag. The particles need their own $a_j$ for this: with one shared $a$ (the mean of
# the $a_j$) the same computation gives a gap of only {glue:text}`iw_particle_shared:.3f`.
# The rest of the networks' lag, about {glue:text}`iw_particle_rest:.3f`, comes from what the
# particles leave out (orthogonal overlaps, SGD noise, finite $\eta$); we have not separated
# those.

# %%
assert diff_p[np.argmax(gap_p)] < 0                  # the particles lag too
assert 0.5 * dev_mean.max() < gap_p.max() < dev_mean.max(), (gap_p.max(), dev_mean.max())
assert gap_shared.max() < 0.5 * gap_p.max(), (gap_shared.max(), gap_p.max())

# %% [markdown]
# ## The spread of the alignments across neurons
#
# The ODE has one $\kappa$; a network has $N$ of them. At initialisation the $\kappa_j$ are
# the first coordinates of uniform unit vectors: mean zero, standard deviation $d^{-1/2}$.
# The next figure follows their spread and shows all of them at the final time.

# %%
fig, ax = plt.subplots(1, 2, figsize=(10, 3.4))
ax[0].plot(run.t, run.kappa_std.T, color="C1", lw=0.8)
ax[0].axhline(P.dim ** -0.5, color="k", ls=":", label=r"$d^{-1/2}$")
ax[0].set(xlabel="time $t$", ylabel=r"std of $\kappa_j$ across neurons", yscale="log")
ax[0].legend()
ax[1].hist(run.kappa_final.ravel(), bins=40, color="C1")
ax[1].axvline(ref.kappa[-1], color="k", ls="--", label="ODE")
ax[1].set(xlabel=rf"$\kappa_j$ at $t={P.horizon:.0f}$", ylabel="neurons (all seeds)", yscale="log")
ax[1].legend()
fig.tight_layout()
glue_figure("iw_fig_spread", fig)
glue("iw_std0", float(run.kappa_std[:, 0].mean()), display=False)
glue("iw_dinv", float(P.dim ** -0.5), display=False)
glue("iw_std_end", float(run.kappa_std[:, -1].mean()), display=False)
glue("iw_std_max", float(run.kappa_std.max(1).mean()), display=False)

# %% [markdown]
# ```{glue:figure} iw_fig_spread
# :name: fig-iw-spread
#
# Left: standard deviation of the alignments $\kappa_j$ across the $N$ neurons of each
# network (dotted: $d^{-1/2}$, the spread at initialisation). Right: histogram (log counts)
# of all $\kappa_j$ at the final time, with the ODE's $\kappa$ (dashed).
# ```
#
# The spread starts at {glue:text}`iw_std0:.3f` ($d^{-1/2}$ = {glue:text}`iw_dinv:.3f`),
# grows (to {glue:text}`iw_std_max:.3f` at its peak, seed average) while the neurons race
# towards $\thetastar$ (those that started with
# $\kappa_j<0$ arrive later), and then contracts: in the aligned phase every neuron is pulled
# to the same place and the spread falls to {glue:text}`iw_std_end:.3f`. The log-scale
# histogram shows what the standard deviation hides: almost all neurons sit together, and a
# few stragglers trail behind. The reduced
# ODE describes the bulk of this cloud.

# %%
assert abs(run.kappa_std[:, 0].mean() * np.sqrt(P.dim) - 1) < 0.15
assert np.all(run.kappa_std.max(1) > run.kappa_std[:, 0])   # grows during the race ...
assert run.kappa_std[:, -1].mean() < run.kappa_std[:, 0].mean()  # ... then contracts

# %% [markdown]
# ## How fast the deviations shrink
#
# Three sources separate a network from the ODE, and each has its own rate:
#
# - **finite $d$**: a systematic bias of the mean (the lag above), and a spread of the
#   $\kappa_j$ of order $d^{-1/2}$;
# - **finite $N$**: the network's own random sample of neurons. Its mean alignment starts at
#   a random value of size $(Nd)^{-1/2}$ and the output carries $O(N^{-1/2})$ sampling noise:
#   fluctuations from seed to seed of order $N^{-1/2}$;
# - **finite $B$**: the SGD noise, whose systematic pull is of order $\eta d/B$.
#
# To isolate each, we vary one size while the others are chosen to make the remaining two
# effects small, and we measure over the fast phase ($t\le 12$), where the gap is largest.
# A small helper runs a sweep and returns the seed-averaged bias $\max_t|\E\bar\kappa -
# \kappa_{\rm ODE}|$, the seed-to-seed fluctuation $\max_t \mathrm{std}(\bar\kappa)$ and the
# largest spread across neurons.

# %%
def measure(width, dim, batch, lr, horizon=12.0, seeds=P.sweep_seeds):
    r = simulate_network(teacher, student, width=width, dim=dim, batch=batch, lr=lr,
                         eps=P.eps, a0=P.a0, time=horizon, seeds=seeds, record_every=0.5)
    o = ode.integrate(0.0, P.a0, r.t)
    return dict(bias=np.abs(r.kappa_mean.mean(0) - o.kappa).max(),
                fluct=r.kappa_mean.std(0, ddof=1).max(),
                spread=r.kappa_std.mean(0).max(), run=r, ode=o)


def slope(x, y):
    """Least-squares slope of log y against log x."""
    return np.polyfit(np.log(x), np.log(y), 1)[0]

# %% [markdown]
# **Dimension.** $N = 128$, $B = 16d$ and a small learning rate $\eta=0.025$, for
# $d$ in the parameter cell.

# %%
by_d = [measure(128, d, 16 * d, 0.025) for d in P.dims]
bias_d = np.array([m["bias"] for m in by_d])
spread_d = np.array([m["spread"] for m in by_d])
slope_bias_d, slope_spread_d = slope(P.dims, bias_d), slope(P.dims, spread_d)
glue("iw_slope_bias_d", float(slope_bias_d), display=False)
glue("iw_slope_spread_d", float(slope_spread_d), display=False)

# %% [markdown]
# **Width.** $d = 16$, $B = 2048$ (1024 under CI), $\eta = 0.05$: the finite-$d$ bias is large here but it is
# the same for every $N$; what changes with $N$ is the fluctuation from seed to seed.

# %%
by_n = [measure(n, 16, P.n_batch, 0.05, seeds=2 * P.sweep_seeds) for n in P.widths]
fluct_n = np.array([m["fluct"] for m in by_n])
slope_fluct_n = slope(P.widths, fluct_n)
glue("iw_slope_fluct_n", float(slope_fluct_n), display=False)

# %% [markdown]
# **Batch.** The SGD noise pulls the neurons away from $\thetastar$ and sets a floor under
# $1-\bar\kappa$ once the network has aligned (the ODE's own $1-\kappa$ is far smaller). We
# measure that floor at $t = 25$, the end of the fast phase, for $d = 64$, $N=128$,
# $\eta = 0.1$, and subtract the floor of a reference network with the same seeds and
# $B/d = 64$, which removes the finite-$d$ part.

# %%
runs_b = {q: measure(128, 64, int(q * 64), 0.1, horizon=25.0, seeds=P.sweep_seeds // 2)["run"]
          for q in (*P.ratios, 64.0)}
gap = {q: 1 - r.kappa_mean[:, -1].mean() for q, r in runs_b.items()}
gap_ref = gap[64.0]
excess_b = np.array([gap[q] for q in P.ratios]) - gap_ref
slope_gap_b = slope(P.ratios, excess_b)
glue("iw_slope_gap_b", float(slope_gap_b), display=False)
glue("iw_gap_ref", float(gap_ref), display=False)

# %% [markdown]
# The three sweeps on log-log axes, with the fitted lines:

# %%
fig, ax = plt.subplots(1, 3, figsize=(12, 3.4))
panels = [(P.dims, [bias_d, spread_d], ["bias of $\\bar\\kappa$", "spread of $\\kappa_j$"],
           "dimension $d$"),
          (P.widths, [fluct_n], ["seed-to-seed std of $\\bar\\kappa$"], "width $N$"),
          (P.ratios, [excess_b], ["excess floor $1-\\bar\\kappa$ at $t=25$"], "batch ratio $B/d$")]
for axk, (x, ys, names, xl) in zip(ax, panels):
    for k, (y, name) in enumerate(zip(ys, names)):
        p = np.polyfit(np.log(x), np.log(y), 1)
        axk.loglog(x, y, "o", color=f"C{k}", label=f"{name}: slope {p[0]:.2f}")
        axk.loglog(x, np.exp(np.polyval(p, np.log(x))), "-", color=f"C{k}", lw=0.8)
    axk.set(xlabel=xl, ylabel="deviation")
    axk.set_xticks(x, [f"{v:g}" for v in x], minor=False)
    axk.xaxis.set_minor_formatter(plt.NullFormatter())
    axk.legend(fontsize=8)
fig.tight_layout()
glue_figure("iw_fig_rates", fig)

# %% [markdown]
# ```{glue:figure} iw_fig_rates
# :name: fig-iw-rates
#
# Deviations of finite networks from the reduced ODE (running example), with least-squares
# lines in log-log. Left: growing $d$ ($N=128$, $B=16d$, $\eta=0.025$): bias of the
# seed-averaged alignment and spread across neurons, maxima over $t\le12$. Middle: growing
# $N$ ($d=16$, $B=2048$, 1024 under CI, $\eta=0.05$): standard deviation of $\bar\kappa$
# across seeds.
# Right: growing $B/d$ ($d=64$, $N=128$, $\eta=0.1$): floor of $1-\bar\kappa$ at $t=25$ in
# excess of a $B/d=64$ network (whose own floor is {glue:text}`iw_gap_ref:.4f`).
# ```
#
# The fitted exponents:
#
# - the spread across neurons falls with exponent {glue:text}`iw_slope_spread_d:.2f` in $d$:
#   the predicted $d^{-1/2}$;
# - the bias of the mean falls with exponent {glue:text}`iw_slope_bias_d:.2f` in $d$. The
#   prediction is $1/d$: the bias comes from averaging a nonlinear flow over initial
#   alignments of variance $1/d$ (the part the particle equations measured above), and from
#   orthogonal overlaps of mean square $1/d$; it is
#   not $d^{-1/2}$, because both effects are even in the random signs. The full-size run
#   (8 seeds, $d$ up to 128) and the CI run (4 seeds, $d\le64$) both measure an exponent
#   close to $-1$, but not to better than a tenth or two: the statistical error of a mean over
#   a few seeds and a discretisation error of order $\eta$ do not decrease with $d$ and move
#   the fit. The assertion below asks for an exponent between $-1.3$ and $-0.6$;
# - the seed-to-seed fluctuation falls with exponent {glue:text}`iw_slope_fluct_n:.2f` in $N$, close
#   to the law-of-large-numbers rate $N^{-1/2}$ (the part of the fluctuation that comes from
#   the SGD noise is shared by all neurons and does not average out over $N$, so the curve
#   must flatten at larger widths than these);
# - the excess noise floor falls with exponent {glue:text}`iw_slope_gap_b:.2f` in $B/d$:
#   the predicted $\eta d/B$.
#
# The assertions, with tolerances that hold at both CI and full sizes:

# %%
assert np.all(np.diff(bias_d) < 0) and -1.3 < slope_bias_d < -0.6, (bias_d, slope_bias_d)
assert abs(slope_spread_d + 0.5) < 0.1, slope_spread_d
assert -0.8 < slope_fluct_n < -0.3, (fluct_n, slope_fluct_n)
assert np.all(excess_b > 0) and abs(slope_gap_b + 1) < 0.3, (excess_b, slope_gap_b)
glue("iw_runtime", float(time.perf_counter() - T_START), display=False)

# %% [markdown]
# ## Summary
#
# - Under muP (mean-field) scaling, output $\frac1N\sum_j$ and learning rates $\eta N$, every
#   neuron moves by $O(1)$ in unit time and the network has a non-trivial limit as
#   $N\to\infty$: a theorem at fixed $d$, $B$, $\eta$ and finite time, given the sequence of
#   minibatches {cite}`yang2021tensor,mei2018mean`.
# - The reduced ODE needs two more, heuristic, limits: $d\to\infty$ (Mehler smoothing over
#   the orthogonal part, all $\kappa_j$ equal) and $\eta d/B\to0$ (no SGD noise).
# - Measured: networks with $N=256$, $d=128$, $B=2048$, $\eta=0.1$ follow the ODE to within
#   {glue:text}`iw_dev_mean:.3f` in $\bar\kappa$ on average over seeds
#   ({glue:text}`iw_dev_seed:.3f` for the worst seed), not the 0.02 stated in the working notes. The
#   largest gap is a lag during the fast alignment, most of which the initial spread of the
#   $\kappa_j$ already produces in the particle equations {eq}`eq-iw-particles`.
# - The spread of the $\kappa_j$ scales as $d^{-1/2}$, the seed-to-seed fluctuations as
#   $N^{-1/2}$, the SGD noise floor as $\eta d/B$, and the bias of the mean about as $d^{-1}$.
# - The population loss of a finite network is available in closed form
#   ({eq}`eq-iw-loss`): no test set is needed.
#
# This chapter ran in {glue:text}`iw_runtime:.0f` s.
#
# ## Exercises
#
# ```{exercise}
# :label: ex-iw-freeze
#
# Freeze the second layer (`freeze_a=True`, $a = 1.2$) and train a network from its random
# start. Compare the alignment it settles at with the fixed point of the fast system,
# the root of $\phi'(\kappa) = \frac12 a H'(\kappa)$.
# ```
#
# ```{solution-start} ex-iw-freeze
# :class: dropdown
# ```
#
# For the running example $\phi(\kappa) = \kappa + 2sc\,\kappa^2$ and
# $H(\kappa) = \kappa^2 + 2s^2\kappa^4$, so the fixed point solves
# $1 + 4sc\,\kappa = a(\kappa + 4s^2\kappa^3)$; `ReducedDynamics` holds $\phi$ and $H$ as
# numpy polynomials, whose roots we take.

# %%
fz = simulate_network(teacher, student, width=128, dim=32, batch=1024, lr=0.1, eps=P.eps,
                      a0=1.2, time=20.0, freeze_a=True, record_every=1.0)
roots = (ode.phi.deriv() - 0.5 * 1.2 * ode.H.deriv()).roots()
k_star = roots[(abs(roots.imag) < 1e-12) & (roots.real > 0) & (roots.real < 1)].real.min()
print(f"network: {fz.kappa_mean[0, -1]:.3f}, fast fixed point: {k_star:.3f}")
assert abs(fz.kappa_mean[0, -1] - k_star) < 0.05

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ex-iw-coherence
#
# `simulate_network` also records `rho`, the squared norm of the mean orthogonal part
# $\frac1N\sum_j (w_j - \kappa_j\thetastar)$. For incoherent neurons it is about $1/N$ of the
# typical $1-\kappa_j^2$. Compare it with that level at $t=25$ in the runs of the batch sweep
# (`runs_b`), for the smallest $B/d$ and for $B/d=64$, and explain the difference.
# ```
#
# ```{solution-start} ex-iw-coherence
# :class: dropdown
# ```
#
# One minibatch drives every neuron, so at small batches the noise kicks all orthogonal
# parts in the same direction: they become coherent and `rho` rises far above the
# incoherent level $\overline{1-\kappa_j^2}/N$.

# %%
excess_rho = {}
for q in (min(P.ratios), 64.0):
    r = runs_b[q]
    incoherent = np.mean(1 - r.kappa_final ** 2) / r.kappa_final.shape[1]
    excess_rho[q] = r.rho[:, -1].mean() / incoherent
    print(f"B/d = {q}: rho = {r.rho[:, -1].mean():.2e}, incoherent level {incoherent:.2e}")
glue("iw_rho_small", float(excess_rho[min(P.ratios)]), display=False)
glue("iw_rho_bd", float(min(P.ratios)), display=False)
glue("iw_rho_large", float(excess_rho[64.0]), display=False)
assert excess_rho[min(P.ratios)] > 10 * excess_rho[64.0], excess_rho

# %% [markdown]
# At $B/d =$ {glue:text}`iw_rho_bd:g`, `rho` is {glue:text}`iw_rho_small:.0f` times the
# incoherent level; at $B/d = 64$ only {glue:text}`iw_rho_large:.1f` times: the larger batch
# averages the shared kicks away, though not completely.
#
# ```{solution-end}
# ```

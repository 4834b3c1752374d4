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
# second-layer weight $a$, obeying the reduced ODE of {doc}`setting`. A real network has
# $N$ neurons, each with its own $d$-dimensional weight vector, trained by stochastic
# gradient descent on random minibatches. This chapter asks when, and how fast, the first
# becomes the second.
#
# **What you will learn**
#
# - Which parametrization makes the limit non-trivial: the *maximal-update* (muP) scaling
#   of Tensor Programs {cite}`yang2021tensor`, which for one hidden layer is the
#   *mean-field* scaling {cite}`mei2018mean,chizat2018global,rotskoff2022trainability`.
# - The exact equation of one neuron, and the assumption (incoherent neurons) under which
#   it reduces to the alignment alone.
# - How the reduced ODE follows from limits taken one after the other: infinite width at a
#   fixed input dimension (a theorem, whose limit we compute and compare with networks),
#   then infinite dimension, then a vanishing SGD noise.
# - At which rates finite networks approach each limit, measured with the simulator
#   `lib.simulate`, written in JAX {cite}`jax2018github`.
# - Whether the one-$\kappa$ reduction is stable: what becomes of the spread between
#   neurons during the fast alignment, the slow passage near $\kappa = 1$ and the slide
#   along the interior branch, and where the neurons refuse to share one alignment.
#
# **Where this sits.** The fast-slow analysis of the later chapters is carried out on the
# reduced ODE. This chapter is the bridge that says why that ODE describes the networks of
# the paper we reconstruct {cite}`imai2026dichotomy`, in our own model: the numbers below
# are measured here, not taken from that paper.

# %% [markdown]
# ## Parameters
#
# One cell holds every size. Under continuous integration (`CI` in the environment) the
# networks are smaller and the sweeps thinner, so that the chapter executes in well under
# a minute on two CPU cores; the full sizes produce the published figures and take a few
# minutes.

# %%
import os
from typing import NamedTuple

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
from scipy.integrate import solve_ivp
from scipy.special import roots_gegenbauer
from scipy.stats import beta as beta_law

from lib.display import plural, report, show_figure, show_params, table
from lib.hermite import polynomial
from lib.manifold import CriticalManifold
from lib.plotting import (A, KAPPA, NETWORK, THEORY, ordered_colors,
                          use_book_style)
from lib.reduced import ReducedDynamics
from lib.simulate import simulate_network

use_book_style()


class Params(NamedTuple):
    s: float = 0.5  # student: sigma = He_1 + s He_2
    c: float = 0.2  # teacher: sigma* = He_1 + c He_2
    eps: float = 0.05  # second-layer / first-layer learning-rate ratio
    a0: float = 0.1  # initial second-layer weight
    width: int = 256  # N of the headline networks
    dim: int = 128  # d of the headline networks
    batch: int = 2048  # B of the headline networks
    lr: float = 0.1  # eta of every network; time t = eta * steps
    seeds: int = 4  # headline networks (independent seeds)
    horizon: float = 150.0  # length of the headline runs
    record_every: float = 0.5  # spacing of the recorded times
    fast_time: float = 12.0  # window of the fast alignment
    late_time: float = 20.0  # from here on: the aligned phase
    particles: int = 200  # M: particles of the limits N = infinity
    fixed_dim: int = 16  # d of the width sweep
    widths: tuple = (32, 128, 512, 2048)  # N of the width sweep
    sweep_batch: int = 512  # B of the width sweep
    sweep_seeds: int = 16  # networks per width
    dims: tuple = (16, 32, 64, 128, 256)  # d of the limits N = infinity
    ratios: tuple = (0.5, 1.0, 2.0, 4.0)  # B/d of the batch sweep
    floor_time: float = 25.0  # when the batch sweep reads 1 - kappa
    eps_list: tuple = (0.05, 0.025, 0.0125, 0.00625)  # eps of the spreads
    a0_large: float = 3.75  # an a0 above s/c: the unstable case
    a0_small: float = 0.02  # an a0 below sqrt(eps/d): trapped neurons
    trap_time: float = 60.0  # length of the runs at a0_small
    frozen_a: float = 1.2  # a of the exercise's frozen second layer


P = Params()
if "CI" in os.environ:  # continuous integration: small sizes, same claims
    P = P._replace(width=128, dim=64, batch=1024, seeds=2, horizon=100.0,
                   widths=(32, 128, 512), sweep_seeds=8,
                   dims=(16, 32, 64, 128), ratios=(0.5, 2.0))
show_params(P)

# %% [markdown]
# The running example, its reduced dynamics and critical manifold, and a small helper for
# the logarithmic axes of the figures.

# %%
teacher, student = polynomial(0, 1, P.c), polynomial(0, 1, P.s)
ode = ReducedDynamics(teacher, student, P.eps)
manifold = CriticalManifold(ode)


def log_ticks(axis):
    """Label a log axis at 1, 2, 5 times powers of ten, in plain numbers."""
    axis.set_major_locator(LogLocator(subs=(1, 2, 5)))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())

# %% [markdown]
# ## The parametrization: abc, muP and mean field
#
# The network is the one of {doc}`setting`,
#
# $$
# f(x) = \frac1N \sum_{j=1}^N a_j\, \sigma(\langle w_j, x\rangle), \qquad |w_j| = 1,
# $$ (eq-iw-net)
#
# trained on the loss $\tfrac12 (f(x)-y)^2$ with learning rates $\eta N$ for the $w_j$ and
# $\eps\eta N$ for the $a_j$, one fresh minibatch of $B$ Gaussian inputs per step, and
# time $t = \eta\cdot\text{step}$.
#
# Why $1/N$ in front and $N$ in the learning rate? Yang and Hu {cite}`yang2021tensor`
# organise all choices in an *abc-parametrization*: each weight matrix is written
# $W^l = N^{-a_l} w^l$, its trainable part is initialised with entries of size
# $N^{-b_l}$, and SGD uses the learning rate $\eta N^{-c}$. Rescaling
# $(a_l, b_l, c) \to (a_l+\theta, b_l-\theta, c-2\theta)$ changes neither the function
# nor its SGD trajectory, so only equivalence classes matter. Among the stable choices,
# they show that exactly one lets every layer's features move by an amount of order one
# as $N\to\infty$: the maximal-update parametrization (muP). The standard and NTK
# parametrizations instead freeze the hidden features in the limit (the lazy or kernel
# regime), which would make feature learning, and therefore feature *unlearning*,
# invisible.
#
# For one hidden layer and a fixed input dimension, muP is the mean-field
# parametrization. Write the network as an average over particles $(a_j, w_j)$, i.e. as
# an integral against the empirical measure
# $\mu_N = \frac1N \sum_j \delta_{(a_j, w_j)}$:
# $f(x) = \int a\,\sigma(\langle w, x\rangle)\, \mu_N(da, dw)$ (the output multiplier
# $N^{-1}$, weights of order one). The gradient of the loss with respect to one particle
# is $O(1/N)$, so a learning rate $\eta N$ moves each particle by $O(\eta)$ per step: in
# time $t$ every neuron travels an $O(1)$ distance, in any width. As $N\to\infty$ the
# particles become independent copies of one process driven by their common law (a
# McKean-Vlasov dynamics, or a Wasserstein gradient flow of the loss over measures)
# {cite}`mei2018mean,chizat2018global,rotskoff2022trainability,sznitman1991topics`. Here
# the particles live on the sphere, so the velocity is the Riemannian gradient: projected
# on the tangent space.

# %% [markdown]
# ## From particles to two numbers
#
# **The loss.** The population loss of {eq}`eq-iw-net` depends on the weights only
# through overlaps. For Gaussian inputs and unit vectors, Mehler's formula gives
# $\E[\sigma_*(z)\,\sigma(\langle w_j,x\rangle)] = \phi(\kappa_j)$ with
# $\kappa_j = \langle w_j, \thetastar\rangle$, and
# $\E[\sigma(\langle w_i,x\rangle)\sigma(\langle w_j,x\rangle)] = h(q_{ij})$ with
# $q_{ij} = \langle w_i, w_j\rangle$ and $h(q) = \sum_k k!\,s_k^2 q^k$. So
#
# $$
# L = \tfrac12\|\sigma_*\|^2 - \frac1N\sum_j a_j\,\phi(\kappa_j)
#     + \frac1{2N^2}\sum_{i,j} a_i a_j\, h(q_{ij}),
# $$ (eq-iw-loss)
#
# exactly, at any $N$ and $d$. (`lib.simulate` evaluates this formula for its loss
# curves: no test set is needed.)
#
# **The flow of one neuron, exactly.** Take the gradient flow of {eq}`eq-iw-loss` (the
# limit $\eta \to 0$ with the population gradient; the SGD noise comes last). With
# learning rate $\eta N$, neuron $j$ follows $\dot w_j = -N P_j \nabla_{w_j} L$ with
# $P_j = I - w_j w_j^\top$, and
#
# $$
# \begin{aligned}
# \dot w_j &= a_j P_j\Big[\phi'(\kappa_j)\,\thetastar
#   - \frac1N\sum_i a_i\, h'(q_{ij})\, w_i\Big],\\
# \dot a_j &= \eps\Big[\phi(\kappa_j) - \frac1N\sum_i a_i\, h(q_{ij})\Big].
# \end{aligned}
# $$
#
# Project on $\thetastar$: $\langle \thetastar, P_j\thetastar\rangle = 1-\kappa_j^2$ and
# $\langle \thetastar, P_j w_i\rangle = \kappa_i - \kappa_j q_{ij}$. Split every neuron
# into $w_i = \kappa_i\thetastar + w_i^\perp$, so that
# $q_{ij} = \kappa_i\kappa_j + \langle w_i^\perp, w_j^\perp\rangle$ and
#
# $$
# \kappa_i - \kappa_j q_{ij}
#   = \kappa_i(1-\kappa_j^2) - \kappa_j\langle w_i^\perp, w_j^\perp\rangle
# $$
#
# (the term $i = j$ is zero, so the sums run over $i \neq j$). This gives, at any $N$
# and $d$,
#
# $$
# \begin{aligned}
# \dot\kappa_j &= a_j(1-\kappa_j^2)\Big[\phi'(\kappa_j)
#   - \frac1N\sum_{i\neq j} a_i\kappa_i\, h'(q_{ij})\Big]\\
# &\quad + a_j\kappa_j\,\big\langle w_j^\perp,\, \bar w_{-j}^\perp\big\rangle,
# \qquad
# \bar w_{-j}^\perp = \frac1N\sum_{i\neq j} a_i\, h'(q_{ij})\, w_i^\perp .
# \end{aligned}
# $$ (eq-iw-exact)
#
# The vector $\bar w_{-j}^\perp$ is a weighted mean of the *other* neurons' orthogonal
# parts. Where it vanishes, the force on neuron $j$ (after the projection $P_j$, which
# removes its radial part) lies along $\thetastar$, and the alignments obey a closed
# system. That is the one assumption of the reduction, and it has a name:
#
# ```{admonition} Assumption: incoherent neurons
# :class: important
# The orthogonal parts $w_i^\perp$ of the neurons are *incoherent*: their weighted means
# $\bar w_{-j}^\perp$ vanish, and so do the orthogonal overlaps
# $\langle w_i^\perp, w_j^\perp\rangle$ inside $h'(q_{ij})$.
# ```
#
# At initialisation both are small: independent uniform directions in $d$ dimensions have
# overlaps of order $d^{-1/2}$, and a mean of $N$ of them has norm of order
# $N^{-1/2}$. Along the population gradient flow the law of the neurons stays invariant
# under rotations that fix $\thetastar$ (the initial law is, and the flow commutes with
# them), so nothing creates a preferred orthogonal direction. One minibatch shared by all
# neurons does create one: its noise kicks every $w_j^\perp$ the same way, the coherence
# $\rho = |\frac1N\sum_j w_j^\perp|^2$ that `lib.simulate` records grows, and
# {doc}`finite_batch` keeps the term $\bar w_{-j}^\perp$ that we drop here.
#
# **Infinite width at fixed dimension.** Let $N\to\infty$ at fixed $d$. The sums become
# expectations over the law of the neurons, and by the rotation invariance just
# described, the orthogonal parts of two independent neurons with alignments $\kappa$
# and $\kappa'$ are independent uniform directions: their cosine $\gamma$ has the law of
# one coordinate of a uniform unit vector in $d-1$ dimensions, independent of
# $(\kappa, a, \kappa', a')$, with $\E\gamma = 0$ and $\E\gamma^2 = 1/(d-1)$. The
# overlap is $q = \kappa\kappa' + \sqrt{(1-\kappa^2)(1-\kappa'^2)}\,\gamma$, and
# {eq}`eq-iw-exact` closes on the law of $(\kappa, a)$ alone:
#
# $$
# \begin{aligned}
# \dot\kappa &= a(1-\kappa^2)\,\phi'(\kappa)
#   - a\,\E'\big[a'\, h'(q)\,(\kappa' - \kappa q)\big],\\
# \dot a &= \eps\,\big[\phi(\kappa) - \E'\big[a'\, h(q)\big]\big],
# \end{aligned}
# $$ (eq-iw-mv)
#
# where $\E'$ averages over an independent neuron $(\kappa', a')$ of the current law and
# over $\gamma$. This is the **limit $N = \infty$ at fixed $d$**, a McKean-Vlasov
# equation for the law of the pairs $(\kappa_j, a_j)$, started from $a_j = a_0$ and
# $\kappa_j$ distributed as one coordinate of a uniform unit vector in $d$ dimensions
# (mean zero, variance $1/d$). The mean of the orthogonal parts vanishes in it, but the
# overlaps do not: $\gamma$ is of order $d^{-1/2}$.
#
# **Infinite dimension.** As $d \to \infty$, $\gamma \to 0$ and $q \to \kappa\kappa'$;
# on $N$ particles {eq}`eq-iw-mv` becomes
#
# $$
# \begin{aligned}
# \dot\kappa_j &= (1-\kappa_j^2)\,a_j\Big[\phi'(\kappa_j)
#   - \frac1N\sum_i a_i\kappa_i\,h'(\kappa_i\kappa_j)\Big],\\
# \dot a_j &= \eps\Big[\phi(\kappa_j) - \frac1N\sum_i a_i\, h(\kappa_i\kappa_j)\Big],
# \end{aligned}
# $$ (eq-iw-particles)
#
# the *particle equations*. The initial alignments, spread by $d^{-1/2}$ around zero, all
# tend to $\kappa = 0$; neurons that start together and feel the same field stay
# together. With $h(\kappa^2) = H(\kappa)$ and $2\kappa h'(\kappa^2) = H'(\kappa)$,
# setting $\kappa_i = \kappa$, $a_i = a$ gives
#
# $$
# \dot\kappa = a(1-\kappa^2)\,\big[\phi'(\kappa) - \tfrac12 a H'(\kappa)\big], \qquad
# \dot a = \eps\,\big[\phi(\kappa) - a H(\kappa)\big],
# $$ (eq-iw-ode)
#
# the reduced ODE (`lib.reduced.ReducedDynamics`). Equivalently: the network output
# becomes $f(x) = a\sum_k s_k \kappa^k \He_k(z)$, the Mehler smoothing of $\sigma$ over
# the part of $x$ orthogonal to $\thetastar$.
#
# **Large batch.** A minibatch of $B$ samples estimates the gradient with an error of
# relative size $B^{-1/2}$ in each of the $d$ directions. Per step each $w_j$ is kicked by
# a random vector of norm about $\eta\sqrt{d/B}$; over a unit of time ($1/\eta$ steps) the
# kicks add up to a displacement of order $\sqrt{\eta d/B}$. Renormalising onto the
# sphere turns the squared kicks into a systematic pull of order $\beta = \eta d/B$ away
# from $\thetastar$: $\beta$ is the strength of the minibatch noise. The noiseless
# equations above are the limit $\beta\to 0$, the online-SGD picture of
# {cite}`saad1995online,benarous2022high,arnaboldi2023high`.

# %% [markdown]
# ## What is proved and what is not
#
# ```{prf:proposition} The width limit (informal)
# :label: prop-iw-width
#
# Fix the input dimension $d$, the batch size $B$, the learning rate $\eta$ and a number
# of steps $T/\eta$. Under muP (mean-field) scaling, the empirical law of the neurons
# $(a_j, w_j)$ converges as $N\to\infty$ to a limit law, whose evolution is a
# McKean-Vlasov (mean-field) dynamics driven by the sequence of minibatches, and order
# parameters such as $\frac1N\sum_j\kappa_j$ converge to limits that are deterministic
# given that sequence.
# ```
#
# This is what the Tensor Programs master theorem {cite}`yang2021tensor` delivers for
# SGD in muP (any fixed number of steps; polynomial activations are covered), and what
# the mean-field theory proves for gradient flows {cite}`mei2018mean,chizat2018global`.
# That the fluctuations around the limit are of order $N^{-1/2}$ is the central-limit
# theorem of mean-field networks {cite}`rotskoff2022trainability,sirignano2020clt`. We
# have not verified their hypotheses for the spherical projection and renormalisation;
# these act neuron by neuron on a vector of fixed dimension $d$, so we expect no new
# difficulty, but this is an expectation, not a proof. The limit does not average out
# the minibatches: one batch drives all $N$ neurons, so at finite $B$ the SGD noise
# survives $N\to\infty$. With the population gradient ($\eta \to 0$ at fixed $B$, or
# $B \to \infty$) the limit law is the solution of {eq}`eq-iw-mv`; that step is exact
# algebra plus the rotation invariance of the law.
#
# What is **heuristic** in this book:
#
# 1. *The limit $d\to\infty$, taken after $N\to\infty$.* At finite times it is a question
#    of continuous dependence of {eq}`eq-iw-mv` on its coefficients (the moments of
#    $\gamma$, which vanish like $1/d$) and on its initial law (whose spread vanishes like
#    $d^{-1/2}$). Stability estimates of this kind are standard for smooth McKean-Vlasov
#    equations {cite}`sznitman1991topics`, but we have not written one out, and their
#    constants grow exponentially with time.
# 2. *The large-batch limit $\eta d/B\to0$*, argued above from the size of the noise,
#    together with $\eta\to0$, which turns the discrete steps into an ODE (the
#    proposition holds at fixed $\eta$ and $B$).
# 3. *Long times.* The limits hold on finite time windows. The fast-slow analysis uses
#    times of order $1/\eps$ and longer (the delayed loss of stability happens at
#    $\exp(-O(1/\eps))$ distances from $\kappa=1$, far below any finite-$d$ noise floor),
#    where an exponentially growing constant says nothing. Whether the one-$\kappa$
#    reduction survives such times is the question of the last section.
#
# So the reduced ODE has to earn its credibility by measurement. The rest of the chapter
# measures, and it computes the intermediate limit {eq}`eq-iw-mv` too, so that each limit
# is checked on its own.
#
# **Computing the limit $N = \infty$ at fixed $d$.** We represent the law of the
# $\kappa_j$ by $M$ particles placed at its quantiles ($M$ is `particles` in the
# parameter cell; $(\kappa + 1)/2$ has a Beta law with both parameters $(d-1)/2$), all
# with $a_j = a_0$, and integrate {eq}`eq-iw-mv` for them. The average over $\gamma$ is
# exact: $h$ is a polynomial, and a Gauss-Gegenbauer rule for the law of $\gamma$ (density
# proportional to $(1-\gamma^2)^{(d-4)/2}$) integrates polynomials of its degree
# exactly. The particles move in $\vartheta = \operatorname{artanh}\kappa$, in which the
# factor $1-\kappa^2$ cancels (so that alignments close to 1 keep their digits). The only
# approximation is the quantile rule for the law, which doubling $M$ changes in the fourth
# digit. The switch `overlaps=False` drops $\gamma$ (the particle equations
# {eq}`eq-iw-particles` with the initial law of dimension $d$); `shared_a=True` gives all
# particles the mean $a$.

# %%
h = np.polynomial.Polynomial(ode.v)  # h(q) = sum_k k! s_k^2 q^k
dphi, dh = ode.phi.deriv(), h.deriv()


def mean_field(d, t, a0=P.a0, eps=P.eps, overlaps=True, shared_a=False):
    """The limit N = infinity at dimension d (the McKean-Vlasov equation
    above), for M particles at the quantiles of the initial law.
    Returns kappa and a, (M, times)."""
    m = P.particles
    law = beta_law((d - 1) / 2, (d - 1) / 2)
    kappa0 = 2 * law.ppf((np.arange(m) + 0.5) / m) - 1
    gam, w = roots_gegenbauer(h.degree() // 2 + 1, (d - 3) / 2)
    gam, w = (gam, w / w.sum()) if overlaps else (np.zeros(1), np.ones(1))

    def rhs(_, y):
        th, a = np.split(y, 2)  # theta = artanh kappa
        k, r = np.tanh(th), 1 / np.cosh(th)  # kappa, sqrt(1 - kappa^2)
        a = np.full_like(a, a.mean()) if shared_a else a
        kk, rr, sr = np.outer(k, k), np.outer(r, r), np.outer(np.sinh(th), r)
        pull = field = 0.0  # rows: neuron j; columns: the other neuron
        for g, wg in zip(gam, w):  # q = kappa kappa' + r r' gamma, and
            q = kk + g * rr  # (kappa' - kappa q) / (1 - kappa^2) below
            pull = pull + wg * (dh(q) * (k[None, :] - g * sr)) @ a / m
            field = field + wg * h(q) @ a / m
        return np.r_[a * (dphi(k) - pull), eps * (ode.phi(k) - field)]

    y0 = np.r_[np.arctanh(kappa0), np.full(m, a0)]
    sol = solve_ivp(rhs, (0, t[-1]), y0, t_eval=t, rtol=1e-6, atol=1e-9)
    th, a = np.split(sol.y, 2)
    return np.tanh(th), a


def trapped_fraction(a0, d=P.dim):
    """Mass of the initial law of kappa_j below -a0 / sqrt(eps): the
    fraction of trapped neurons (the law of the last section)."""
    x = max(-a0 / np.sqrt(P.eps), -1.0)
    return beta_law((d - 1) / 2, (d - 1) / 2).cdf((1 + x) / 2)


# %% [markdown]
# ## A network against the ODE
#
# We train networks with $N$, $d$, $B$, $\eta$ from the parameter cell on the running
# example (student $\He_1 + s\He_2$, teacher $\He_1 + c\He_2$), several seeds at once, and
# compare the mean alignment $\bar\kappa = \frac1N\sum_j \kappa_j$ with two predictions:
# the reduced ODE started at $\kappa=0$ (the limit of the random start) and $a = a_0$,
# and the limit $N = \infty$ at the networks' own $d$. The hidden direction is
# $\thetastar = e_1$ without loss of generality: the input law is rotation invariant.

# %%
run = simulate_network(teacher, student, width=P.width, dim=P.dim,
                       batch=P.batch, lr=P.lr, eps=P.eps, a0=P.a0,
                       time=P.horizon, seeds=P.seeds,
                       record_every=P.record_every)
ref = ode.integrate(0.0, P.a0, run.t)
mf_k, mf_a = mean_field(P.dim, run.t)  # N = infinity at the networks' d
k_net = run.kappa_mean.mean(0)
dev = np.abs(run.kappa_mean - ref.kappa)  # (seeds, times)
dev_mean = np.abs(k_net - ref.kappa)
dev_mf = np.abs(k_net - mf_k.mean(0))
mf_gap = np.abs(mf_k.mean(0) - ref.kappa)
worst = int(np.argmax(dev_mean))
late = run.t >= P.late_time
report(
    ("iw-dev-seed", dev.max(), "largest gap, one network vs ODE", ".3f"),
    ("iw-dev-mean", dev_mean.max(), "largest gap, seed mean vs ODE", ".3f"),
    ("iw-dev-t", run.t[worst], "  reached at t", ".1f"),
    ("iw-dev-late", dev[:, late].max(), "largest gap, t > late_time", ".3f"),
    ("iw-mf-gap", mf_gap.max(), "largest gap, N = inf limit vs ODE", ".3f"),
    ("iw-dev-mf", dev_mf.max(), "largest gap, seed mean vs N = inf", ".3f"),
    ("iw-loss-gap", np.abs(run.loss - ref.loss).max(),
     "largest loss gap, network vs ODE", ".3f"),
    ("iw-late-time", P.late_time, "late_time", ".0f"),
    ("iw-horizon", P.horizon, "horizon", ".0f"),
    ("iw-width", P.width, "N"),
    ("iw-dim", P.dim, "d"),
    ("iw-batch", P.batch, "B"),
    ("iw-lr", P.lr, "eta", "g"),
)

# %% [markdown]
# {numref}`fig-iw-headline` shows the alignment, its gap to the ODE, the second-layer
# weight and the loss of each network against both predictions.

# %% tags=["remove-output"]
fig, axes = plt.subplots(2, 2, figsize=(6.6, 5.8))
panels = [(run.kappa_mean, ref.kappa, mf_k.mean(0),
           r"alignment $\bar\kappa$"),
          (run.kappa_mean - ref.kappa, 0 * run.t, mf_k.mean(0) - ref.kappa,
           r"$\bar\kappa - \kappa_{\rm ODE}$"),
          (run.a_mean, ref.a, mf_a.mean(0), r"second layer $\bar a$"),
          (run.loss, ref.loss, None, "population loss")]
for ax, (net, ode_y, mf_y, label) in zip(axes.flat, panels):
    ax.plot(run.t, net.T, color=NETWORK, lw=1.0, alpha=0.8)
    ax.plot(run.t, ode_y, "--", color=THEORY, lw=1.4)
    if mf_y is not None:
        ax.plot(run.t, mf_y, "-.", color="0.45", lw=1.4)
    ax.set(ylabel=label)
for ax in axes.flat:
    ax.set(xlabel="time $t$")
axes[1, 1].set(yscale="log")
log_ticks(axes[1, 1].yaxis)
axes[0, 1].set_xlim(0, 3 * P.late_time)
handles = [plt.Line2D([], [], color=NETWORK, lw=1.0),
           plt.Line2D([], [], ls="--", color=THEORY),
           plt.Line2D([], [], ls="-.", color="0.45")]
fig.legend(handles, [f"networks ({plural(P.seeds, 'seed')})", "reduced ODE",
                     f"$N = \\infty$ at $d = {P.dim}$"],
           loc="outside upper center", ncols=3)
show_figure(fig, "fig-iw-headline")

# %% [markdown]
# ```{glue:figure} fig-iw-headline
# :name: fig-iw-headline
#
# Networks with $N =$ {glue:text}`iw-width`, $d =$ {glue:text}`iw-dim`,
# $B =$ {glue:text}`iw-batch`, $\eta =$ {glue:text}`iw-lr:g` (one line per seed)
# against the reduced ODE (dashed) and the limit $N = \infty$ at the same $d$
# (dash-dotted), on the running example of the parameter cell. Top left: mean alignment;
# top right: its gap to the ODE during the fast alignment; bottom left: mean
# second-layer weight; bottom right: exact population loss {eq}`eq-iw-loss`.
# ```
#
# Up to $t =$ {glue:text}`iw-horizon:.0f`, every network stays within
# {glue:text}`iw-dev-seed:.3f` of the ODE in $\bar\kappa$, and the average over seeds
# within {glue:text}`iw-dev-mean:.3f`. The largest gap occurs during the fast alignment,
# near $t=$ {glue:text}`iw-dev-t:.1f`, where the networks lag behind the ODE; after
# $t=$ {glue:text}`iw-late-time:.0f` the gap stays below {glue:text}`iw-dev-late:.3f`.
# The lag is systematic, and the limit $N = \infty$ at the same $d$ has it too: it lags
# the ODE by up to {glue:text}`iw-mf-gap:.3f`, and the seed-averaged networks stay within
# {glue:text}`iw-dev-mf:.3f` of it. Most of the gap between a network and the ODE is
# therefore a finite-$d$ effect, which no width removes.
#
# The checks below need four conditions, which the cell tests first. The fast phase must
# be the race to $\kappa = 1$ during which the lag builds up ($a_0 < A(1)$; from a
# larger $a_0$ the network lands on the interior branch, the finite-$d$ lag is small and
# the bias of the finite time step $\eta$ takes over). The lag of the limit must stand out
# of the seed-to-seed noise of the mean (four standard errors). The SGD noise must be
# weak, with $\eta d/B \le 0.01$, or the networks lag for a reason the limit does not
# contain. And no neuron may be expected to be *trapped* (a tail effect of small $a_0$,
# explained at the end of the chapter), or the gap keeps growing after the fast phase.

# %%
se = (run.kappa_mean.std(0, ddof=1) / np.sqrt(P.seeds) if P.seeds > 1
      else np.full(run.t.size, np.inf))
no_trap = trapped_fraction(P.a0) * P.width * P.seeds < 0.1  # expected number
race = ref.kappa.max() > 0.99  # the fast phase is a race to kappa = 1
resolved = (mf_gap.max() > 4 * se[worst] and P.lr * P.dim / P.batch <= 0.01
            and no_trap and race)
print("lag resolved, SGD noise weak, no trapped neuron expected, race to 1:",
      resolved)
if resolved:
    assert k_net[worst] < ref.kappa[worst]  # a lag, not a lead
    assert dev_mf.max() < 0.5 * dev_mean.max()  # the limit at d explains it
    assert dev[:, late].max() < dev_mean.max()  # largest in the fast phase

# %% [markdown]
# **What makes the lag?** The limit $N = \infty$ at fixed $d$ differs from the ODE in two
# ways: the initial alignments are spread (variance $1/d$), and the orthogonal overlaps
# $\gamma$ do not vanish. Dropping the overlaps (`overlaps=False`) keeps only the spread;
# giving all particles one shared $a$ (`shared_a=True`) removes the differences between
# the $a_j$ that the spread creates. We compute the lag of each variant over the fast
# window.

# %%
t_w = run.t[run.t <= P.late_time]
lag = {"both": mf_gap[: t_w.size].max()}
variants = {"spread": dict(overlaps=False), "shared": dict(shared_a=True)}
for name, kw in variants.items():
    k_var, _ = mean_field(P.dim, t_w, **kw)
    lag[name] = np.abs(k_var.mean(0) - ref.kappa[: t_w.size]).max()
report(
    ("iw-lag-both", lag["both"], "lag of the limit N = inf", ".4f"),
    ("iw-lag-spread", lag["spread"], "  without the overlaps", ".4f"),
    ("iw-lag-shared", lag["shared"], "  with one shared a", ".4f"),
    ("iw-lag-overlap-pct",
     100 * abs(lag["both"] - lag["spread"]) / lag["both"],
     "  share of the overlaps, %", ".1f"),
)
assert lag["shared"] < lag["both"]  # the a_j spread adds to the lag

# %% [markdown]
# The initial spread alone produces a lag of {glue:text}`iw-lag-spread:.4f`, against
# {glue:text}`iw-lag-both:.4f` with the overlaps: at this $d$ the overlaps contribute
# {glue:text}`iw-lag-overlap-pct:.1f` % of it. The particles need their own $a_j$: with
# one shared $a$ the lag falls to {glue:text}`iw-lag-shared:.4f`. A neuron that starts
# behind also gains less second-layer weight while it catches up, and then moves more
# slowly (its speed is proportional to its $a_j$). The rest of the networks' gap, the
# {glue:text}`iw-dev-mf:.3f` between them and the limit, is finite width, SGD noise
# and the finite learning rate; the next section measures the first.

# %% [markdown]
# ## Tensor Programs, used rather than cited
#
# The proposition says what happens as $N \to \infty$ at fixed $d$, and
# {eq}`eq-iw-mv` says what the limit is. Both can be seen at once: train networks of
# growing width at one small dimension (`fixed_dim`, 16 by default, where the limit is
# far from the ODE), with a small noise $\eta d/B$, and measure their distance to the
# computed limit. The distance has two parts. The fluctuations of $\bar\kappa$ from seed
# to seed should shrink like $N^{-1/2}$: the initial $\kappa_j$ are $N$ independent
# draws, so their mean, and every average over neurons that drives the flow, misses its
# limit by $O(N^{-1/2})$. The bias of the seed mean has no rate of its own to fit: it
# is an average over a few seeds, so it cannot be resolved below the standard error of
# that average (the fluctuation divided by the square root of the number of seeds), nor
# below what the finite time step $\eta$ and the residual SGD noise leave, which does
# not depend on $N$. We measure both, as their largest values over the fast window, fit
# the exponent of the fluctuations in $N$, and compare the bias with that standard error.
#
# Rigorous here: the form of the limit, given the proposition. Assumed: the proposition
# for the sphere, and the central-limit rate, which we check rather than prove. The
# claim that the networks tend to the limit at their $d$ rather than to the ODE can only
# be checked where the two differ by more than the networks' distance to the limit (four
# times the fluctuation plus the bias of the widest networks), which the cell tests
# first.

# %%
by_n = [simulate_network(teacher, student, width=n, dim=P.fixed_dim,
                         batch=P.sweep_batch, lr=P.lr, eps=P.eps, a0=P.a0,
                         time=P.fast_time, seeds=P.sweep_seeds,
                         record_every=P.record_every) for n in P.widths]
t_n = by_n[0].t
lim_n = mean_field(P.fixed_dim, t_n)[0].mean(0)
ode_n = ode.integrate(0.0, P.a0, t_n).kappa
# fluctuation: seed-to-seed std of the mean alignment; bias: seed mean minus
# the limit; both the largest over the fast window
fluct_n = np.array([r.kappa_mean.std(0, ddof=1).max() for r in by_n])
bias_n = np.array([np.abs(r.kappa_mean.mean(0) - lim_n).max() for r in by_n])
gap_n = np.abs(by_n[-1].kappa_mean.mean(0) - ode_n).max()
lag_fixed = np.abs(lim_n - ode_n).max()
slope_n = np.polyfit(np.log(P.widths), np.log(fluct_n), 1)[0]
se_n = fluct_n / np.sqrt(P.sweep_seeds)  # standard error of the seed mean
n_within = int((bias_n <= 2 * se_n).sum())
report(("iw-bias-within", "every width" if n_within == len(P.widths)
        else f"{n_within} of the {plural(len(P.widths), 'width')}",
        "bias within 2 standard errors at"))
report(
    ("iw-slope-n", slope_n, "exponent of the fluctuation in N", ".2f"),
    ("iw-fluct-last", fluct_n[-1], "fluctuation at the largest N", ".4f"),
    ("iw-bias-last", bias_n[-1], "  seed mean vs N = inf", ".4f"),
    ("iw-gap-ode-last", gap_n, "  seed mean vs ODE", ".3f"),
    ("iw-lag-fixed", lag_fixed, "N = inf vs ODE", ".3f"),
    ("iw-fixed-dim", P.fixed_dim, "d of the sweep"),
    ("iw-width-max", P.widths[-1], "largest N"),
)
assert -0.75 < slope_n < -0.25  # the central-limit rate N^(-1/2)
distinct = lag_fixed > 4 * (fluct_n[-1] + bias_n[-1])  # limit vs ODE seen
print("the limit at this d stands out of the networks' distance to it:",
      distinct)
if distinct:
    assert bias_n[-1] < 0.5 * gap_n  # the networks tend to the limit

# %% tags=["remove-output"]
fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(6.6, 6.4))
small, large = ordered_colors(3)[1::-1]  # grey, then dark blue
for r, n, col, ls in [(by_n[0], P.widths[0], small, ":"),
                     (by_n[-1], P.widths[-1], large, "-")]:
    ax1.plot(t_n, (r.kappa_mean - ode_n).T, color=col, ls=ls, lw=1.0)
    ax1.plot([], [], color=col, ls=ls, label=f"$N = {n}$")
ax1.plot(t_n, lim_n - ode_n, "--", color=A, lw=2.6, zorder=5,
         label=r"$N = \infty$")  # on top of the widest networks
ax1.axhline(0, color="0.6", lw=0.8)
ax1.set(xlabel="time $t$", ylabel=r"$\bar\kappa - \kappa_{\rm ODE}$",
        title=f"networks at $d = {P.fixed_dim}$, "
              f"{plural(P.sweep_seeds, 'seed')} each")
ax1.legend()
fit = np.polyfit(np.log(P.widths), np.log(fluct_n), 1)
ax2.loglog(P.widths, fluct_n, "o", color=NETWORK,
           label="fluctuation (std over seeds)")
ax2.loglog(P.widths, np.exp(np.polyval(fit, np.log(P.widths))), "--",
           color=THEORY, label=f"fit: slope {fit[0]:.2f}")
ax2.loglog(P.widths, bias_n, "^", color=NETWORK, mfc="white",
           label=r"bias: seed mean $-$ $N = \infty$")
ax2.axhline(lag_fixed, color="0.45", ls=":",
            label=r"gap of $N = \infty$ to the ODE")
ax2.set(xlabel="width $N$", ylabel=r"largest over the fast window")
ax2.set_xticks(P.widths, [str(n) for n in P.widths])
ax2.xaxis.set_minor_formatter(NullFormatter())
ax2.set_ylim(bias_n.min() / 10, 2 * max(lag_fixed, fluct_n.max()))
log_ticks(ax2.yaxis)
ax2.legend(loc="lower left", ncols=2)
show_figure(fig, "fig-iw-width")

# %% [markdown]
# ```{glue:figure} fig-iw-width
# :name: fig-iw-width
#
# Width at fixed dimension. Top: the mean alignment of the narrowest and the widest
# networks of the sweep minus the ODE (one line per seed), against the limit
# $N = \infty$ at the same $d$ (dashed): the seeds scatter less around the limit as $N$
# grows, and the limit lags the ODE. Bottom: the standard deviation of $\bar\kappa$ over
# seeds (largest over the fast window) with a least-squares line, the bias of the seed
# mean with respect to the limit, and the gap between the limit and the ODE, which no
# width closes.
# ```
#
# The fluctuations fall with exponent {glue:text}`iw-slope-n:.2f` in $N$, close to the
# central-limit rate $N^{-1/2}$; the curve must flatten at large widths, since the part
# of the fluctuation that comes from the SGD noise is shared by all neurons and does not
# average out over $N$. At $N =$ {glue:text}`iw-width-max` they are
# {glue:text}`iw-fluct-last:.4f`, and the seed mean is within
# {glue:text}`iw-bias-last:.4f` of the limit at $d =$ {glue:text}`iw-fixed-dim`, while it
# remains {glue:text}`iw-gap-ode-last:.3f` away from the ODE: the limit $N \to \infty$ is
# taken, and it is not the reduced ODE. The bias is within two standard errors of the
# seed mean at {glue:text}`iw-bias-within`; where it is, it measures the seed noise of
# the mean, not a rate in $N$. That is the second limit's business.

# %% [markdown]
# ## Dimension and batch: the other two limits
#
# **Dimension.** The limit $N = \infty$ approaches the ODE as $d$ grows. Two things
# shrink: the spread of the $\kappa_j$, like $d^{-1/2}$ (the initial one, transported by
# the flow), and the lag of the mean, like $1/d$. The lag is not of order $d^{-1/2}$
# because it is even in the random signs: it comes from averaging a nonlinear flow over
# initial alignments of variance $1/d$ and from overlaps of mean square $1/(d-1)$, both
# second-order effects. Both rates are properties of the deterministic equation
# {eq}`eq-iw-mv`, so we compute them without networks, for the dimensions of the
# parameter cell, and place on the same axes the networks already run: the headline
# networks at $d =$ `dim` and the widest networks at $d =$ `fixed_dim`. The rates are
# asymptotic: the fit uses the dimensions (at least 16) at which fewer than one neuron in
# a thousand is trapped (a tail effect, exponentially small in $d$, described at the end
# of the chapter), and the corrections of higher order in $1/d$ show in the fitted
# exponents at the level of a few hundredths.

# %%
t_d = np.arange(0.0, P.fast_time + P.record_every / 2, P.record_every)
ode_d = ode.integrate(0.0, P.a0, t_d).kappa
lag_d, spread_d = [], []
for d in P.dims:
    k_d, _ = mean_field(d, t_d)
    lag_d.append(np.abs(k_d.mean(0) - ode_d).max())
    spread_d.append(k_d.std(0).max())
lag_d, spread_d = np.array(lag_d), np.array(spread_d)
big = np.array([d >= 16 and trapped_fraction(P.a0, d) < 1e-3
                for d in P.dims])
slope_lag = slope_spread = np.nan
if big.sum() >= 2:
    log_d = np.log(np.array(P.dims)[big])
    slope_lag = np.polyfit(log_d, np.log(lag_d[big]), 1)[0]
    slope_spread = np.polyfit(log_d, np.log(spread_d[big]), 1)[0]
report(
    ("iw-slope-lag-d", slope_lag, "exponent of the lag in d", ".3f"),
    ("iw-slope-spread-d", slope_spread, "exponent of the spread", ".3f"),
    ("iw-lag-times-d", lag_d[-1] * P.dims[-1], "lag x d, largest d", ".2f"),
    ("iw-spread-times-sqrt-d", spread_d[-1] * np.sqrt(P.dims[-1]),
     "spread x sqrt(d) at the largest d", ".2f"),
)
print("dimensions in the fit:", [d for d, b in zip(P.dims, big) if b])
if big.sum() >= 2:
    assert abs(slope_lag + 1) < 0.15 and abs(slope_spread + 0.5) < 0.1

# %% [markdown]
# **Batch.** The SGD noise pulls the neurons away from $\thetastar$ and sets a floor under
# $1-\bar\kappa$ once the network has aligned (the ODE's own $1-\kappa$ is far smaller).
# We measure that floor at $t =$ `floor_time` for networks with the headline $N$, $d$,
# $\eta$ and seeds at the batch ratios $B/d$ of the parameter cell. The headline networks
# themselves, at $B/d = 16$ by default, serve as the reference: subtracting their floor
# removes the parts that do not depend on $B$. If the pull is of order $\eta d/B$, the
# excess floor is proportional to $1/q - 1/q_{\rm ref}$, with $q = B/d$: a line of
# slope one in log-log. Seeds with a trapped neuron (see the end of the chapter) are left
# out: one such neuron moves $1 - \bar\kappa$ by about $2/N$, more than the floors. The
# law is a weak-noise law. The measurement needs $\beta \le 0.2$ at the smallest batch
# (beyond, the shared part of the noise takes over, {doc}`finite_batch`), two seeds or
# more, and excess floors larger than four standard errors of their seed average (the
# floors are compared seed by seed: the same seed starts from the same neurons at every
# batch). The linear law itself needs $\beta a^2 \le 0.1$ as well: the pull grows with
# the error it creates, so at stronger noise the floor grows faster than linearly, and
# only that (an exponent above $0.7$) is checked.

# %%
q_ref = P.batch / P.dim
t_floor = min(P.floor_time, P.horizon)
runs_b = {q: simulate_network(teacher, student, width=P.width, dim=P.dim,
                              batch=int(round(q * P.dim)), lr=P.lr,
                              eps=P.eps, a0=P.a0, time=t_floor,
                              seeds=P.seeds, record_every=P.record_every)
          for q in P.ratios}
i_floor = int(np.argmin(np.abs(run.t - t_floor)))
# seeds without a trapped neuron (see the last section) in every run
ok = (run.kappa_final > 0).all(1)
for r in runs_b.values():
    ok &= (r.kappa_final > 0).all(1)
print("seeds without a trapped neuron in any run:", plural(ok.sum(), "seed"))
n_ok = int(ok.sum())
gap_ref = 1 - run.kappa_mean[ok, i_floor].mean() if n_ok else np.nan
# per seed, floor minus the floor of the same seed at the reference batch
paired = np.array([run.kappa_mean[ok, i_floor] - r.kappa_mean[ok, -1]
                   for r in runs_b.values()])  # (ratios, seeds)
excess = paired.mean(1) if n_ok else np.full(len(P.ratios), np.nan)
se_b = (paired.std(1, ddof=1) / np.sqrt(n_ok) if n_ok > 1
        else np.full(len(P.ratios), np.inf))
x_b = 1 / np.array(P.ratios) - 1 / q_ref
usable = (x_b > 0) & np.isfinite(excess)
slope_b = (np.polyfit(np.log(x_b[usable]), np.log(excess[usable]), 1)[0]
           if usable.sum() >= 2 and np.all(excess[usable] > 0) else np.nan)
n_fit_b = int(usable.sum()) if np.isfinite(slope_b) else 0
report(("iw-slope-b-fit", "no points" if n_fit_b == 0 else
        "two points, joined exactly" if n_fit_b == 2 else
        f"{n_fit_b} points, least squares", "fit of the excess floor"))
report(
    *[(None, e, f"excess floor at B/d = {q:g}", ".4f")
      for q, e in zip(P.ratios, excess)],
    ("iw-slope-b", slope_b, "exponent of the excess floor", ".2f"),
    ("iw-gap-ref", gap_ref, "floor of the reference networks", ".4f"),
    ("iw-q-ref", q_ref, "their B/d", ".0f"),
    ("iw-beta-max", P.lr / min(P.ratios), "largest beta = eta d / B", ".2f"),
)
measurable = (usable.sum() >= 2 and P.lr / min(P.ratios) <= 0.2
              and np.all(excess[usable] > 4 * se_b[usable]))
weak_b = P.lr / min(P.ratios) * ref.a[i_floor] ** 2 <= 0.1  # beta a^2
print("measurable (two ratios, beta <= 0.2, excess > 4 s.e.):", measurable)
print("weak noise (beta a^2 <= 0.1):", weak_b)
if measurable:
    assert slope_b > 0.7  # at least linear in beta ...
    if weak_b:
        assert abs(slope_b - 1) < 0.3  # ... and linear at weak noise

# %% tags=["remove-output"]
fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(6.6, 6.4))
for y, name, mark, col in [(lag_d, r"lag of $\bar\kappa$", "o", KAPPA),
                           (spread_d, r"spread of the $\kappa_j$", "s", A)]:
    label = f"{name} ($N=\\infty$)"
    if big.sum() >= 2:
        fit = np.polyfit(np.log(np.array(P.dims)[big]), np.log(y[big]), 1)
        label += f": slope {fit[0]:.2f}"
        ax1.loglog(P.dims, np.exp(np.polyval(fit, np.log(P.dims))), "--",
                   color=THEORY, lw=1.0)
    ax1.loglog(P.dims, y, mark, color=col, label=label)
net_d = [P.fixed_dim, P.dim]
net_lag = [gap_n, dev_mean[run.t <= P.fast_time].max()]
ax1.loglog(net_d, net_lag, "*", color=NETWORK, ms=13, mec="black",
           label="lag of networks")
ax1.set(xlabel="dimension $d$", ylabel="largest over the fast window")
ax1.set_xticks(P.dims, [str(d) for d in P.dims])
ax1.xaxis.set_minor_formatter(NullFormatter())
log_ticks(ax1.yaxis)
ax1.legend()
ax2.loglog(x_b[usable], excess[usable], "o", color=NETWORK, label="networks")
if usable.sum() >= 2:
    c_fit = np.exp(np.mean(np.log(excess[usable] / x_b[usable])))
    ax2.loglog(x_b[usable], c_fit * x_b[usable], "--", color=THEORY,
               label=rf"$\propto \eta d/B$; fitted slope {slope_b:.2f}")
for x, q, y in zip(x_b[usable], np.array(P.ratios)[usable], excess[usable]):
    left = x == x_b[usable].min()  # off the rising line: below right of
    ax2.annotate(f"$B/d = {q:g}$", (x, y), textcoords="offset points",
                 xytext=(8, -8) if left else (-8, 8),  # it, or above left
                 va="top" if left else "bottom",
                 ha="left" if left else "right")
if usable.any():  # room for the labels
    ax2.set_ylim(excess[usable].min() / 1.6, excess[usable].max() * 1.6)
ax2.set_xticks(x_b[usable], [f"{x:.2g}" for x in x_b[usable]])
ax2.xaxis.set_minor_formatter(NullFormatter())
log_ticks(ax2.yaxis)
ax2.set(xlabel=r"$d/B - d/B_{\rm ref}$",
        ylabel=f"excess of $1-\\bar\\kappa$ at $t={t_floor:g}$")
ax2.legend(loc="upper left")
show_figure(fig, "fig-iw-rates")

# %% [markdown]
# ```{glue:figure} fig-iw-rates
# :name: fig-iw-rates
#
# The limits of large dimension and large batch. Top: the limit $N = \infty$ against the
# ODE as $d$ grows (maxima over the fast window): lag of the mean alignment and spread of
# the $\kappa_j$, with least-squares lines fitted where trapped neurons are negligible;
# stars: the seed-averaged lag of the networks run above. Bottom: floor of $1-\bar\kappa$ of networks at small $B/d$ in excess of the
# headline networks' floor (headline $N$, $d$, $\eta$), against $d/B - d/B_{\rm ref}$.
# ```
#
# The fitted exponents:
#
# - the lag of the mean falls with exponent {glue:text}`iw-slope-lag-d:.3f` in $d$, the
#   predicted $1/d$: at the largest $d$, the lag times $d$ is
#   {glue:text}`iw-lag-times-d:.2f`. The networks sit on the same curve: the lag they
#   share with the ODE is the lag of their $N = \infty$ limit;
# - the spread across neurons falls with exponent {glue:text}`iw-slope-spread-d:.3f`, the
#   predicted $d^{-1/2}$ (spread times $\sqrt d$: {glue:text}`iw-spread-times-sqrt-d:.2f`);
# - the excess noise floor grows with exponent {glue:text}`iw-slope-b:.2f` in
#   $d/B - d/B_{\rm ref}$, fitted through {glue:text}`iw-slope-b-fit`: the predicted
#   $\eta d/B$ (the reference networks' own floor is {glue:text}`iw-gap-ref:.4f`).
#
# So a network is off the ODE by about {glue:text}`iw-lag-times-d:.1f` divided by $d$ in
# its mean alignment during the fast phase, whatever its width: to follow the ODE to within a
# given accuracy, a network needs the dimension, not the width.

# %% [markdown]
# ## Stability of the one-$\kappa$ reduction across neurons
#
# The reduced ODE has one $\kappa$ and one $a$; a network has $N$ of each. At
# initialisation the $\kappa_j$ are the first coordinates of uniform unit vectors (mean
# zero, standard deviation close to $d^{-1/2}$) and the $a_j$ are all equal. Is the
# *symmetric solution*, all neurons equal, stable? The question has to be asked over the
# whole trajectory: the fast alignment, the slow passage near $\kappa = 1$, which lasts a
# time of order $1/\eps$, the exit, and the slide along the interior branch.
#
# ```{prf:proposition} The spread modes
# :label: prop-iw-spread
#
# Let $(\kappa(t), a(t))$ solve the reduced ODE {eq}`eq-iw-ode`, and perturb the
# particles of {eq}`eq-iw-particles` to $\kappa_j = \kappa + \delta\kappa_j$,
# $a_j = a + \delta a_j$ with $\sum_j \delta\kappa_j = \sum_j \delta a_j = 0$. In
# $\vartheta = \operatorname{artanh}\kappa$, to first order in the perturbation and up to
# terms of order $1/N$, every neuron's $(\delta\vartheta_j, \delta a_j)$ obeys
#
# $$
# \begin{aligned}
# \dot{\delta\vartheta} &= \Lambda\,\delta\vartheta + g\,\delta a, &
# \Lambda &= a(1-\kappa^2)\big[\phi''(\kappa) - a\kappa^2 h''(\kappa^2)\big],\\
# \dot{\delta a} &= \eps\,(1-\kappa^2)\, g\,\delta\vartheta, &
# g &= \phi'(\kappa) - \tfrac12 a H'(\kappa).
# \end{aligned}
# $$ (eq-iw-spread)
# ```
#
# ```{prf:proof}
# In $\vartheta_j$ the particle equations read
#
# $$
# \begin{aligned}
# \dot\vartheta_j &= a_j\Big[\phi'(\kappa_j)
#   - \frac1N\sum_i a_i\kappa_i\, h'(\kappa_i\kappa_j)\Big],\\
# \dot a_j &= \eps\Big[\phi(\kappa_j) - \frac1N\sum_i a_i\, h(\kappa_i\kappa_j)\Big].
# \end{aligned}
# $$
#
# Neuron $j$ feels the others only through averages over $i$; a perturbation with zero sum changes
# an average $\frac1N\sum_i F(\kappa_i, a_i)$ by $\frac1N\sum_i \nabla F\cdot(\delta\kappa_i,
# \delta a_i) = 0$ at first order, apart from the term $i = j$, of weight $1/N$. So only
# the dependence on neuron $j$'s own $(\kappa_j, a_j)$ is differentiated, at the
# symmetric point: $\partial_{\kappa_j}$ of the first bracket is
# $\phi'' - a\kappa^2 h''(\kappa^2)$, and $d\kappa_j = (1-\kappa^2)\,d\vartheta_j$; the
# bracket itself is $\phi' - a\kappa h'(\kappa^2) = g$, and it multiplies $\delta a_j$;
# the second equation does not contain $a_j$ at all, and its $\kappa_j$-derivative is
# $\eps g$.
# ```
#
# What is rigorous: the algebra, for the particle equations. What is assumed: the
# particle equations themselves (the limit $d \to \infty$), and that the spreads stay
# small enough for the linearisation, over times of order $1/\eps$. The networks and the
# limit $N = \infty$ at fixed $d$ (which contains everything nonlinear) check both.
#
# Four consequences, read off {eq}`eq-iw-spread`:
#
# 1. **Nothing restores the spread of the $a_j$.** $\dot a_j$ does not depend on $a_j$
#    (apart from the $1/N$ diagonal), so $\delta a$ is a neutral direction. It changes
#    only through $\delta\vartheta$, at the rate $\eps(1-\kappa^2)g = \eps\dot\kappa/a$:
#    only while the alignment moves. The fast phase creates it, of order
#    $\eps\,d^{-1/2}$, and then it stays frozen.
# 2. **The spread of the $\kappa_j$ collapses in the fast phase.** $\delta\kappa =
#    (1-\kappa^2)\,\delta\vartheta$, and $1-\kappa^2$ falls to nearly zero as the
#    neurons align: the neurons pile up at $\kappa = 1$.
# 3. **The slow passage is neutral.** On $\kappa = 1$, $\Lambda = 0$ and $g = g(a)$, the
#    function of {doc}`dichotomy` whose sign change makes the delayed exit:
#    $\dot{\delta\vartheta} = g(a)\,\delta a$. The log-gaps $\log(1-\kappa_j)$ keep their
#    differences and drift apart linearly in time, by $\delta a\int g\,dt$. The passage
#    lasts a time of order $1/\eps$ and $\delta a$ is of order $\eps$: the drift is of
#    order one in $\delta\vartheta$, with no exponential growth. At the exit the neurons
#    leave $\kappa = 1$ one after the other, in the order of their $\vartheta_j$, and the
#    spread of the $\kappa_j$ reappears, of order $d^{-1/2}$ *whatever* $\eps$.
# 4. **On the interior branch the sign of $\Lambda$ decides.** There $g = 0$, the two
#    equations decouple, $\delta a$ is frozen and $\delta\vartheta$ grows or decays at the
#    rate $\Lambda$. The fast eigenvalue of the reduced ODE on the branch is
#    $\lambda = a(1-\kappa^2)[\phi'' - \tfrac12 aH'']$, and since
#    $\tfrac12 H''(\kappa) = h'(\kappa^2) + 2\kappa^2 h''(\kappa^2)$,
#
#    $$
#    \Lambda - \lambda = a^2(1-\kappa^2)\big[h'(\kappa^2) + \kappa^2 h''(\kappa^2)\big]
#    \ \ge\ 0 :
#    $$
#
#    the spread between neurons is always *less* stable than the mean. For the running
#    example, with $a = A(\kappa)$ on the branch,
#
#    $$
#    \Lambda = \frac{4s\,a\,(1-\kappa^2)\,(c - s\kappa)}{1 + 4s^2\kappa^2},
#    $$ (eq-iw-lambda-example)
#
#    negative above $\kcirc$ and positive below it. Unlearning slides down the branch
#    from $\kappa = 1$ towards $\kcirc = c/s$ from above: the spread decays all the way,
#    more and more slowly near $\kcirc$, where $\Lambda$ vanishes.
#
# We integrate {eq}`eq-iw-spread` along the reduced ODE from
# $(\delta\vartheta, \delta a) = (1, 0)$, scale it by the networks' initial spread, and
# compare with the spreads `kappa_std` and `a_std` that `lib.simulate` records, and with
# the limit $N = \infty$ at the networks' $d$ (which is nonlinear, and has no SGD noise).
# The cell also checks the closed form {eq}`eq-iw-lambda-example` against the general
# $\Lambda$ on the branch.

# %%
d2phi, d2h = ode.phi.deriv(2), h.deriv(2)


def spread_theory(t, eps=P.eps, a0=P.a0):
    """The reduced ODE in (theta, a) with the fundamental matrix U of the
    spread modes (the linear equations above) along it:
    kappa, a, U (times, 2, 2)."""
    def rhs(_, y):
        th, a, U = y[0], y[1], y[2:].reshape(2, 2)
        k = np.tanh(th)
        g = dphi(k) - a * k * dh(k * k)  # = phi' - a H'/2
        lam = a * (1 - k * k) * (d2phi(k) - a * k * k * d2h(k * k))
        J = np.array([[lam, g], [eps * (1 - k * k) * g, 0.0]])
        slow = eps * (ode.phi(k) - a * h(k * k))
        return np.r_[a * g, slow, (J @ U).ravel()]

    y0 = np.r_[0.0, a0, 1.0, 0.0, 0.0, 1.0]
    sol = solve_ivp(rhs, (0, t[-1]), y0, t_eval=t, method="LSODA",
                    rtol=1e-9, atol=1e-12)
    return np.tanh(sol.y[0]), sol.y[1], sol.y[2:].T.reshape(-1, 2, 2)


k_br = np.linspace(0.05, 0.95, 19)
a_br = manifold.A(k_br)
lam_br = a_br * (1 - k_br**2) * (d2phi(k_br) - a_br * k_br**2 * d2h(k_br**2))
closed = (4 * P.s * a_br * (1 - k_br**2) * (P.c - P.s * k_br)
          / (1 + 4 * P.s**2 * k_br**2))
assert np.allclose(lam_br, closed)  # the closed form above

sig0 = run.kappa_std[:, 0].mean()  # the networks' initial spread
k_lin, a_lin, U = spread_theory(run.t)
pred_k = (1 - k_lin**2) * np.abs(U[:, 0, 0]) * sig0
pred_a = np.abs(U[:, 1, 0]) * sig0
bulk = mf_k[:, -1] > 0  # particles of N = inf that are not trapped (below)
mf_k_std, mf_a_std = mf_k[bulk].std(0), mf_a[bulk].std(0)
i_f = int(np.argmax(k_lin > 0.99))  # end of the fast phase (0 if never)
aligned = bool(k_lin.max() > 0.99)
i_x = i_f + int(np.argmax(k_lin[i_f:] < 0.99)) if aligned else 0
exits = bool(aligned and k_lin[i_f:].min() < 0.99
             and run.t[i_x] < 0.8 * P.horizon)
print("fast phase ends near kappa = 1:", aligned)
print("exit from kappa = 1 before the horizon:", exits)

# %% [markdown]
# The phases are read off the ODE: the fast phase ends when $\kappa$ first exceeds
# $0.99$, and the exit starts when it falls below $0.99$ again (which happens only if
# the network unlearns within the horizon). {numref}`fig-iw-spread` shows the spreads,
# with the two moments marked.

# %% tags=["remove-output"]
fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(6.6, 6.4), sharex=True)
for ax, net, mf, lin, label in [
        (ax1, run.kappa_std, mf_k_std, pred_k, r"spread of the $\kappa_j$"),
        (ax2, run.a_std, mf_a_std, pred_a, r"spread of the $a_j$")]:
    ax.plot(run.t, net.T, color=NETWORK, lw=1.0)
    ax.plot(run.t, mf, "-.", color="0.45", lw=1.4)
    ax.plot(run.t, lin, "--", color=THEORY, lw=1.4)
    for i in [i_f] * int(aligned) + [i_x] * int(exits):
        ax.axvline(run.t[i], color="0.6", ls=":", lw=1.0)
    ax.set(ylabel=label)
lowest = min(run.kappa_std.min(), np.nanmin(np.where(pred_k > 0, pred_k,
                                                   np.nan)))
ax1.set(yscale="log", ylim=(max(1e-6, 0.5 * lowest), None))  # all curves
if ax1.get_ylim()[1] / ax1.get_ylim()[0] < 1e4:  # few decades: 1, 2, 5
    log_ticks(ax1.yaxis)
ax2.set(xlabel="time $t$", ylim=(0, None))
handles = [plt.Line2D([], [], color=NETWORK),
           plt.Line2D([], [], ls="-.", color="0.45"),
           plt.Line2D([], [], ls="--", color=THEORY)]
fig.legend(handles, ["networks", f"$N = \\infty$ at $d = {P.dim}$",
                     "linear theory"],
           loc="outside upper center", ncols=3)
show_figure(fig, "fig-iw-spread")

# %% [markdown]
# ```{glue:figure} fig-iw-spread
# :name: fig-iw-spread
#
# Standard deviations across the neurons of each headline network (one line per seed),
# against the limit $N = \infty$ at the same $d$ and the linear theory
# {eq}`eq-iw-spread` scaled by the networks' initial spread. Top: alignments (log
# scale); bottom: second-layer weights. Dotted: the end of the fast phase and the start
# of the exit from $\kappa = 1$.
# ```
#
# The numbers, and the checks. A single *trapped* neuron, one that turns away from
# $\thetastar$ and ends near $\kappa_j = -1$ (the last part of this section says when
# that happens), dominates a standard deviation across neurons by itself; the checks use
# the seeds whose neurons all end with $\kappa_j > 0$. The networks are compared with
# the limit $N = \infty$ at their $d$, which keeps every nonlinearity; the linear theory is compared with that
# limit when the initial spread is small (below $0.15$). Each claim needs its phase to
# happen: the fast phase must end at $\kappa \approx 1$ (small $a_0$), and the exit must
# come before the horizon (unlearning, $0 < c < s$ in the running example). The collapse
# of the $\kappa_j$ is limited by a floor that the SGD noise sets, and it takes the time
# the stragglers need to arrive, so that check also needs $\beta = \eta d/B \le 0.01$
# and an aligned phase at least twice as long as the fast phase.

# %%
clean = (run.kappa_final > 0).all(1)  # seeds without a trapped neuron
print("seeds without a trapped neuron:", plural(clean.sum(), "seed"))
none = np.full(run.t.size, np.nan)
k_std = run.kappa_std[clean].mean(0) if clean.any() else none
a_std = run.a_std[clean].mean(0) if clean.any() else none
# the stragglers of the bulk arrive a little after the ODE: read the frozen
# a spread from late_time on (or from the end of the fast phase, if later)
i_l = max(i_f, int(np.argmin(np.abs(run.t - P.late_time))))
a_f, a_end = a_std[i_l], a_std[-1]
report(
    ("iw-sig0", sig0, "initial spread of the kappa_j", ".4f"),
    ("iw-dinv", P.dim**-0.5, "d^(-1/2)", ".4f"),
    ("iw-std-max", k_std.max(), "largest kappa spread", ".3f"),
    ("iw-t-fast", run.t[i_f], "end of the fast phase, t", ".1f"),
    ("iw-t-late", run.t[i_l], "a spread read at t", ".0f"),
    ("iw-astd-f", a_f, "  networks", ".4f"),
    ("iw-astd-f-lin", pred_a[i_l], "  linear theory", ".4f"),
    ("iw-astd-f-mf", mf_a_std[i_l], "  N = inf", ".4f"),
    ("iw-astd-ratio", a_end / a_f, "a spread, horizon / then", ".3f"),
    ("iw-astd-ratio-lin", pred_a[-1] / pred_a[i_l], "  linear", ".3f"),
)
tol0 = 4 / np.sqrt(2 * P.width * P.seeds) + 0.02  # a sample std, d^(-1/2)
assert abs(sig0 * np.sqrt(P.dim) - 1) < tol0
linear = sig0 < 0.15  # spreads small enough for the linear theory
stop = i_x if exits else run.t.size - 1
long_phase = run.t[stop] - run.t[i_f] >= 2 * run.t[i_f]  # long aligned
if aligned and clean.any():
    assert 0.8 < a_end / a_f  # nothing restores the a spread ...
    assert abs(a_end / a_f - pred_a[-1] / pred_a[i_l]) < 0.1  # as predicted
    assert abs(a_f / mf_a_std[i_l] - 1) < 0.2  # of the size of N = inf
    if linear:
        assert abs(pred_a[i_l] / mf_a_std[i_l] - 1) < 0.3
    print("beta <= 0.01 and an aligned phase twice as long as the fast one:",
          P.lr * P.dim / P.batch <= 0.01 and long_phase)
    if P.lr * P.dim / P.batch <= 0.01 and long_phase:
        low = k_std[i_f:stop].min()
        report(("iw-kstd-min", low, "smallest kappa spread, aligned", ".4f"))
        assert low < 0.25 * sig0  # the kappa spread collapses

# %% [markdown]
# The initial spread is {glue:text}`iw-sig0:.4f` ($d^{-1/2}$ =
# {glue:text}`iw-dinv:.4f`). It grows to {glue:text}`iw-std-max:.3f` while the neurons
# race towards $\thetastar$ (those that start with $\kappa_j < 0$ arrive later), then
# collapses as they pile up at $\kappa = 1$. Meanwhile the second layers acquire a
# spread during the fast phase (which ends at $t \approx$ {glue:text}`iw-t-fast:.0f`);
# at $t =$ {glue:text}`iw-t-late:.0f` it is {glue:text}`iw-astd-f:.4f` in the networks,
# {glue:text}`iw-astd-f-lin:.4f` in the linear theory and {glue:text}`iw-astd-f-mf:.4f`
# in the limit $N = \infty$. From then on nothing restores it: by the horizon it has changed by the factor
# {glue:text}`iw-astd-ratio:.3f` (linear theory: {glue:text}`iw-astd-ratio-lin:.3f`);
# the small decrease happens at the exit, where $\kappa$ moves again. A restoring force
# of the size of the slow rates ($\eps H$) would have removed most of it.
#
# **The exit.** When the slow passage ends, the spread of the alignments comes back, of
# the size the linear theory predicts from the initial spread alone: the log-gaps have
# carried the neurons' differences through the passage. On the interior branch it then
# decays, since there $\kappa > \kcirc$ and $\Lambda < 0$.

# %%
if exits and clean.any():
    after = slice(i_x, None)
    peak_net = k_std[after].max()
    peak_lin = pred_k[after].max()
    report(
        ("iw-exit-t", run.t[i_x], "exit from kappa = 1 starts, t", ".0f"),
        ("iw-exit-net", peak_net, "largest kappa spread after", ".4f"),
        ("iw-exit-lin", peak_lin, "  linear theory", ".4f"),
        ("iw-exit-mf", mf_k_std[after].max(), "  N = inf", ".4f"),
        ("iw-end-net", k_std[-1], "at the horizon", ".4f"),
    )
    peak_mf = mf_k_std[after].max()
    assert abs(peak_net / peak_mf - 1) < 0.25  # the spread comes back
    if linear:
        assert abs(peak_lin / peak_mf - 1) < 0.3  # as the linear theory says
    on_branch = k_lin[-1] > P.c / P.s if 0 < P.c < P.s else True
    if on_branch and pred_k[-1] < 0.25 * peak_lin:  # a decay is predicted
        assert k_std[-1] < 0.5 * peak_net  # ... and measured
else:
    print("no exit within the horizon, or no seed without a trapped neuron")
    report(*[(name, np.nan, name, ".4f") for name in
             ("iw-exit-t", "iw-exit-net", "iw-exit-lin", "iw-exit-mf",
              "iw-end-net")])

# %% [markdown]
# From $t \approx$ {glue:text}`iw-exit-t:.0f` on, the networks' spread climbs back to
# {glue:text}`iw-exit-net:.4f`, against {glue:text}`iw-exit-lin:.4f` in the linear
# theory and {glue:text}`iw-exit-mf:.4f` in the limit $N = \infty$, and it then decays
# along the branch (to {glue:text}`iw-end-net:.4f` at the horizon) down to the floor of
# the SGD noise. The symmetric solution survives the slow passage: neutral in the
# log-gaps, neutral in the $a_j$, stable on the branch above $\kcirc$.
#
# **Why the exit spread does not depend on $\eps$.** By consequence 3, the spread of
# the log-gaps at the exit is the product of the $a$-spread, proportional to $\eps$, and
# the length of the passage, proportional to $1/\eps$. The linear theory shows it for the
# values of $\eps$ in the parameter cell ({numref}`tab-iw-eps`), and networks at the
# second of them check the first factor: their $a$-spread at the end of the fast phase
# should be smaller in the ratio of the two $\eps$.

# %%
unlearns = manifold.verdict().unlearns and P.a0 < manifold.transcritical_a()
print("the ODE aligns, then unlearns (small a0, R'(1) < 0):", unlearns)
rows, a_per_eps, exit_spread = [], [], []
for e in P.eps_list:
    t_e = np.linspace(0, 10 / e, 4001)
    k_e, _, U_e = spread_theory(t_e, eps=e)
    j_f = int(np.argmax(k_e > 0.99))
    a_sp = abs(U_e[j_f, 1, 0]) if k_e.max() > 0.99 else np.nan
    a_per_eps.append(a_sp / e)
    th_sp = k_sp = np.nan  # without an exit
    if unlearns and k_e.max() > 0.99 and k_e[j_f:].min() < 0.99:
        j_x = j_f + int(np.argmax(k_e[j_f:] < 0.99))
        th_sp = abs(U_e[j_x, 0, 0])
        k_sp = ((1 - k_e**2) * np.abs(U_e[:, 0, 0]))[j_x:].max()
    exit_spread.append(k_sp)
    rows.append([e, a_sp, a_sp / e, th_sp, k_sp])
table([r"$\eps$", r"$\delta a$", r"$\delta a/\eps$",
       r"$\delta\vartheta_{\rm exit}$", r"$\max\delta\kappa$"],
      rows,
      caption=(r"Linear theory of the spread modes {eq}`eq-iw-spread`, per "
               r"unit initial spread: the spread $\delta a$ of the $a_j$ at "
               r"the end of the fast phase, the same divided by $\eps$, the "
               r"spread $\delta\vartheta_{\rm exit}$ of the $\vartheta_j$ "
               r"at the exit, and the largest spread $\max\delta\kappa$ of "
               r"the $\kappa_j$ after it."),
      name="tab-iw-eps", fmt=["g", ".4f", ".2f", ".2f", ".3f"])

# %%
e2 = P.eps_list[1]
run_e2 = simulate_network(teacher, student, width=P.width, dim=P.dim,
                          batch=P.batch, lr=P.lr, eps=e2, a0=P.a0,
                          time=P.late_time, seeds=P.seeds,
                          record_every=P.record_every)
j = int(np.argmin(np.abs(run_e2.t - run.t[i_l])))
both = clean & (run_e2.kappa_final > 0).all(1)  # no trapped neuron in either
ratio_a = (run.a_std[both, i_l].mean() / run_e2.a_std[both, j].mean()
           if both.any() else np.nan)
a_per_eps = np.array(a_per_eps)[np.isfinite(a_per_eps)]
exit_spread = np.array(exit_spread)[np.isfinite(exit_spread)]
lo, hi = ((exit_spread.min(), exit_spread.max()) if exit_spread.size
          else (np.nan, np.nan))
report(
    ("iw-a-ratio-net", ratio_a, f"a spread, eps {P.eps:g} / {e2:g}", ".2f"),
    ("iw-a-ratio-eps", P.eps / e2, "ratio of the eps", ".2f"),
    ("iw-eps-spread-min", lo, "smallest exit spread", ".3f"),
    ("iw-eps-spread-max", hi, "largest exit spread", ".3f"),
)
if a_per_eps.size >= 2:
    assert np.ptp(a_per_eps) < 0.1 * np.mean(a_per_eps)  # a spread ~ eps
if exit_spread.size >= 2:
    assert max(exit_spread) < 1.5 * min(exit_spread)  # exit spread ~ eps^0
if both.any():
    assert abs(ratio_a / (P.eps / e2) - 1) < 0.2  # networks: a spread ~ eps

# %% [markdown]
# The networks' $a$-spread shrinks by the factor {glue:text}`iw-a-ratio-net:.2f` when
# $\eps$ shrinks by {glue:text}`iw-a-ratio-eps:.2f`, and in the linear theory the spread
# of the alignments after the exit stays between {glue:text}`iw-eps-spread-min:.3f` and
# {glue:text}`iw-eps-spread-max:.3f` times the initial spread over the values of $\eps$
# in the table. The two limits $d \to \infty$ and $\eps \to 0$ commute here: the
# one-$\kappa$ reduction holds to order $d^{-1/2}$ uniformly over the slow times, at
# every $\eps$.
#
# **Below $\kcirc$ the neurons do not share one alignment.** By
# {eq}`eq-iw-lambda-example`, $\Lambda > 0$ on the interior branch below $\kcirc = c/s$.
# A trajectory reaches that part of the branch when it starts with $a_0 > s/c$: the fast
# phase then lands directly on the branch below $\kcirc$ ({doc}`insights`). There the
# symmetric solution is unstable, and the neurons spread. Where to? In the running
# example, with $a$ frozen at $a_0$ during the fast phase, incoherent neurons and
# $N, d = \infty$, the network's output is
# $a_0\,\E[\kappa_j]\He_1 + s\,a_0\,\E[\kappa_j^2]\He_2$ (Mehler, neuron by neuron,
# averaged over the neurons), so the loss vanishes, without any change of $a$, as soon
# as
#
# $$
# \E[\kappa_j] = \frac{1}{a_0}, \qquad
# \operatorname{Var}[\kappa_j] = \frac{c}{s\,a_0} - \frac{1}{a_0^2}.
# $$ (eq-iw-spread-landing)
#
# The variance is positive exactly when $a_0 > s/c$. A zero loss is a global minimum,
# where every velocity vanishes: instead of creeping along the branch towards
# $(\kcirc, \acirc)$ as the one-$\kappa$ ODE does, the limit network stops there, its
# neurons spread (a finite network keeps a drift of the order of its finite-size
# corrections). What is derived: the zero-loss set and its first two moments. What is
# assumed: that the fast flow, a gradient flow of the loss, reaches it rather than
# another critical point; the limit $N = \infty$ and the networks check that, with
# `a0_large` in the parameter cell, and the limit at the largest $d$ of `dims` shows the
# approach to {eq}`eq-iw-spread-landing`. The set of zero loss is a continuum, along
# which minibatch noise (of strength about $\beta a^2$) makes the neurons drift, so the
# network check needs $\beta a_0^2 \le 0.1$.

# %%
spread_case = 0 < P.c < P.s and P.a0_large > P.s / P.c
quiet = P.lr * P.dim / P.batch * P.a0_large**2 <= 0.1  # noise ~ beta a^2
print("0 < c < s and a0_large > s/c:", spread_case)
print("weak noise, beta a0_large^2 <= 0.1:", quiet)
if spread_case:
    big_a = simulate_network(teacher, student, width=P.width, dim=P.dim,
                             batch=P.batch, lr=P.lr, eps=P.eps,
                             a0=P.a0_large, time=P.fast_time,
                             seeds=P.seeds, record_every=P.record_every)
    mf_big = mean_field(P.dim, big_a.t, a0=P.a0_large)[0]
    mf_big_d = mean_field(max(P.dims), big_a.t, a0=P.a0_large)[0]
    land = ode.integrate(0.0, P.a0_large, big_a.t)
    lam_land = (P.a0_large * (1 - land.kappa[-1] ** 2)
                * (d2phi(land.kappa[-1]) - P.a0_large * land.kappa[-1] ** 2
                   * d2h(land.kappa[-1] ** 2)))
    var0 = P.c / (P.s * P.a0_large) - P.a0_large**-2
    report(
        ("iw-big-a0", P.a0_large, "a0", ".2f"),
        ("iw-big-lam", lam_land, "Lambda at the ODE's landing point", ".3f"),
        ("iw-big-mean-pred", 1 / P.a0_large, "mean kappa: 1/a0", ".4f"),
        ("iw-big-mean-net", big_a.kappa_mean[:, -1].mean(), "  networks",
         ".4f"),
        ("iw-big-mean-ode", land.kappa[-1], "  one-kappa ODE", ".4f"),
        ("iw-big-sd-pred", np.sqrt(var0), "kappa spread, d = inf", ".4f"),
        ("iw-big-sd-net", big_a.kappa_std[:, -1].mean(), "  networks",
         ".4f"),
        ("iw-big-sd-mf", mf_big.std(0)[-1], "  N = inf at this d", ".4f"),
        ("iw-big-sd-mf-d", mf_big_d.std(0)[-1], "  N = inf, top d", ".4f"),
        ("iw-big-d", max(P.dims), "  that d"),
    )
    assert lam_land > 0  # the symmetric solution is unstable there
    if quiet:  # the networks land where N = inf and the moments above say
        sd_ratio = big_a.kappa_std[:, -1].mean() / mf_big.std(0)[-1]
        assert abs(sd_ratio - 1) < 0.15
        assert abs(big_a.kappa_mean[:, -1].mean() * P.a0_large - 1) < 0.1
    if max(P.dims) > P.dim:  # the limit approaches the zero-loss moments
        assert (abs(mf_big_d.std(0)[-1] - np.sqrt(var0))
                < abs(mf_big.std(0)[-1] - np.sqrt(var0)))
else:
    report(*[(f"iw-big-{name}", np.nan, name, ".4f") for name in
             ("a0", "lam", "mean-pred", "mean-net", "mean-ode", "sd-pred",
              "sd-mf", "sd-mf-d", "d")])

# %% [markdown]
# With $a_0 =$ {glue:text}`iw-big-a0:.2f`, the ODE lands at a point of the branch where
# $\Lambda =$ {glue:text}`iw-big-lam:.3f` $> 0$. The networks' mean alignment is
# {glue:text}`iw-big-mean-net:.4f` (prediction $1/a_0 =$
# {glue:text}`iw-big-mean-pred:.4f`; the one-$\kappa$ ODE: {glue:text}`iw-big-mean-ode:.4f`)
# and their alignments are spread by {glue:text}`iw-big-sd-net:.4f`, as in the limit
# $N = \infty$ at the same $d$ ({glue:text}`iw-big-sd-mf:.4f`); at
# $d =$ {glue:text}`iw-big-d` the limit's spread is {glue:text}`iw-big-sd-mf-d:.4f`,
# closer to the value {glue:text}`iw-big-sd-pred:.4f` of {eq}`eq-iw-spread-landing` for
# $d = \infty$. Here the one-$\kappa$ reduction fails: the second insight of the book (a
# large $a_0$ prevents unlearning) holds for the mean alignment of a spread population,
# not for a single $\kappa$.

# %% [markdown]
# **Trapped neurons: the tail of the initial law.** The spread modes describe neurons
# close to the symmetric solution; the tail of the initial law is another matter. Early
# on, while the alignments and the second-layer weights are still small, a neuron that
# starts with $\kappa_j < 0$ runs a race. Its alignment grows at the rate
# $\dot\kappa_j \approx u_1 a_j$, while its second-layer weight falls at the rate
# $\dot a_j \approx \eps u_1 \kappa_j$ (near $\kappa = 0$, $\phi(\kappa) \approx
# u_1\kappa$ with $u_1 = s_1 c_1 > 0$, and the field of the other neurons, of order
# $a\bar\kappa$, is still negligible). These two equations conserve
#
# $$
# a_j^2 - \eps\,\kappa_j^2 ,
# $$ (eq-iw-trap)
#
# whose derivative is $2a_j\,\eps u_1\kappa_j - 2\eps\kappa_j\,u_1 a_j = 0$. A neuron
# with $\kappa_j(0) < -a_0/\sqrt\eps$ starts with a negative invariant. Then $\kappa_j$
# can never reach $0$ (there the invariant would be $a_j^2 \ge 0$); $a_j$ keeps falling,
# changes sign, and the neuron is *trapped*: it turns away from $\thetastar$ and ends
# near $\kappa_j = -1$ with a negative $a_j$. In the limit $N = \infty$ at dimension $d$
# the trapped fraction is the mass of the initial law below the threshold,
#
# $$
# p_{\rm trap} = \Pr\big[\kappa_j(0) < -a_0/\sqrt\eps\big]
#   \approx \Pr\big[Z < -a_0\sqrt{d/\eps}\big]
# $$ (eq-iw-trap-fraction)
#
# for a standard Gaussian $Z$ (the cell uses the exact Beta law of $\kappa_j(0)$). It is
# negligible when $a_0^2 d/\eps$ is large, and it is not small otherwise: the one-$\kappa$ reduction needs $a_0 \gg \sqrt{\eps/d}$, so the limits of a
# small $a_0$ and of a large $d$ must be taken in that order. Rigorous: the invariant of
# the two linearised equations. Assumed: that the linearisation holds until the race is
# decided ($a_0$ and $a_0/\sqrt\eps$ small), and that the field of the aligned bulk does
# not rescue a trapped neuron later. The limit $N = \infty$ and networks started at
# `a0_small` check both, by the fraction of neurons with $\kappa_j < 0$ at
# $t =$ `trap_time`; the cell also gives the expected number of trapped neurons in the
# headline networks, and the number found.

# %%
small = simulate_network(teacher, student, width=P.width, dim=P.dim,
                         batch=P.batch, lr=P.lr, eps=P.eps, a0=P.a0_small,
                         time=P.trap_time, seeds=P.seeds,
                         record_every=P.record_every)
mf_small, mf_small_a = mean_field(P.dim, small.t, a0=P.a0_small)
p_small = trapped_fraction(P.a0_small)
frac_net = (small.kappa_final < 0).mean()
frac_mf = (mf_small[:, -1] < 0).mean()
n_all = P.width * P.seeds
report(
    ("iw-trap-a0", P.a0_small, "a0_small", "g"),
    ("iw-trap-x", -P.a0_small / np.sqrt(P.eps), "threshold", ".3f"),
    ("iw-trap-p", p_small, "trapped fraction, predicted", ".3f"),
    ("iw-trap-mf", frac_mf, "  N = inf: particles with kappa < 0", ".3f"),
    ("iw-trap-net", frac_net, "  networks: neurons with kappa < 0", ".3f"),
    ("iw-trap-a", mf_small_a[mf_small[:, -1] < 0, -1].mean()
     if frac_mf > 0 else np.nan, "  a of the trapped particles", ".2f"),
    ("iw-trap-kbar", small.kappa_mean[:, -1].mean(), "mean kappa, networks",
     ".3f"),
    ("iw-trap-kode", ode.integrate(0.0, P.a0_small, small.t).kappa[-1],
     "  one-kappa ODE", ".3f"),
    ("iw-trap-default", n_all * trapped_fraction(P.a0),
     "expected trapped neurons, headline", ".1e"),
    ("iw-trap-found", int((run.kappa_final < 0).sum()), "  found"),
)
sd_net = np.sqrt(p_small * (1 - p_small) / n_all)  # binomial
assert abs(frac_net - p_small) < 3 * sd_net + 0.03
assert abs(frac_mf - p_small) < 1 / P.particles + 0.03

# %% [markdown]
# With $a_0 =$ {glue:text}`iw-trap-a0:g` the threshold is {glue:text}`iw-trap-x:.3f`, and
# {eq}`eq-iw-trap-fraction` predicts a trapped fraction of {glue:text}`iw-trap-p:.3f`.
# The limit $N = \infty$ has {glue:text}`iw-trap-mf:.3f` of its particles at
# $\kappa_j < 0$ (with a mean $a_j$ of {glue:text}`iw-trap-a:.2f`), the networks
# {glue:text}`iw-trap-net:.3f` of their neurons. Their mean alignment is
# {glue:text}`iw-trap-kbar:.3f`, where the one-$\kappa$ ODE says
# {glue:text}`iw-trap-kode:.3f`: a trapped population is not a small correction. At the
# headline $a_0$ the expected number of trapped neurons in all the headline networks is
# {glue:md}`iw-trap-default:myst`, and {glue:text}`iw-trap-found` were found.

# %% [markdown]
# ## Summary
#
# - Under muP (mean-field) scaling, output
#   $f(x) = \frac1N\sum_j a_j\,\sigma(\langle w_j, x\rangle)$ and learning rates $\eta N$,
#   every neuron moves by $O(1)$ in unit time and the network has a non-trivial limit as
#   $N\to\infty$: a theorem at fixed $d$, $B$, $\eta$ and finite time
#   {cite}`yang2021tensor,mei2018mean`. With the population gradient, the limit is the
#   McKean-Vlasov equation {eq}`eq-iw-mv` for the pairs $(\kappa_j, a_j)$, which the
#   chapter computes; networks approach it at the rate $N^{-1/2}$.
# - The exact equation of a neuron {eq}`eq-iw-exact` reduces to its alignment when the
#   neurons are incoherent, the one assumption of the reduction; shared minibatch noise
#   breaks it ({doc}`finite_batch`).
# - The reduced ODE needs two more, heuristic, limits: $d\to\infty$ (the limit
#   $N = \infty$ lags the ODE by about {glue:text}`iw-lag-times-d:.1f` divided by $d$ in
#   the fast phase, and its spread shrinks like $d^{-1/2}$) and $\eta d/B\to0$ (the SGD
#   noise floor grows like $\eta d/B$).
# - Measured: the headline networks follow the ODE to within
#   {glue:text}`iw-dev-mean:.3f` in $\bar\kappa$ on average over seeds
#   ({glue:text}`iw-dev-seed:.3f` for the worst seed); the gap is a lag during the fast
#   alignment, and the limit $N = \infty$ at their $d$ accounts for most of it.
# - The one-$\kappa$ reduction is stable along the unlearning path: the spread of the
#   $\kappa_j$ collapses in the fast phase, the spread of the $a_j$ is created there and
#   then frozen (a neutral direction), the slow passage carries the differences of the
#   log-gaps with no exponential growth, and the interior branch above $\kcirc$ damps
#   them.
#   Below $\kcirc$ (start with $a_0 > s/c$) the symmetric solution is unstable and the
#   network stops on a spread zero-loss configuration. At the other end, the neurons
#   that start with $\kappa_j < -a_0/\sqrt\eps$ are trapped and turn away from
#   $\thetastar$ {eq}`eq-iw-trap-fraction`: the reduction needs
#   $a_0 \gg \sqrt{\eps/d}$.
#
# ## Exercises
#
# ```{exercise}
# :label: ex-iw-freeze
#
# Freeze the second layer (`freeze_a=True`, $a$ = `frozen_a` $= 1.2$) and train a network
# from its random start. Compare the alignment it settles at with the fixed point of the
# fast system, the root of $\phi'(\kappa) = \frac12 a H'(\kappa)$.
# ```
#
# ```{solution-start} ex-iw-freeze
# :class: dropdown
# ```
#
# For the running example $\phi(\kappa) = \kappa + 2sc\,\kappa^2$ and
# $H(\kappa) = \kappa^2 + 2s^2\kappa^4$, so the fixed point solves
# $1 + 4sc\,\kappa = a(\kappa + 4s^2\kappa^3)$; `ReducedDynamics` holds $\phi$ and $H$ as
# numpy polynomials, whose roots we take. The network rests a little below it: finite
# $d$ and the SGD noise, as above.

# %%
fz = simulate_network(teacher, student, width=P.width, dim=P.dim,
                      batch=P.batch, lr=P.lr, eps=P.eps, a0=P.frozen_a,
                      time=P.late_time, freeze_a=True, seeds=P.seeds,
                      record_every=P.record_every)
roots = (ode.phi.deriv() - 0.5 * P.frozen_a * ode.H.deriv()).roots()
real = roots[(abs(roots.imag) < 1e-12) & (roots.real > 0) & (roots.real < 1)]
k_star = real.real.min() if real.size else 1.0
report((None, fz.kappa_mean[:, -1].mean(), "network", ".3f"),
       (None, k_star, "fast fixed point", ".3f"))
assert abs(fz.kappa_mean[:, -1].mean() - k_star) < 0.05

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ex-iw-coherence
#
# `simulate_network` also records `rho`, the squared norm $\rho$ of the mean orthogonal
# part $\frac1N\sum_j (w_j - \kappa_j\thetastar)$. For incoherent neurons it is about
# $1/N$ of the typical $1-\kappa_j^2$. Compare it with that level at $t =$ `floor_time`
# in the runs of the batch sweep (`runs_b`), for the smallest $B/d$, and in the headline
# networks, and explain the difference.
# ```
#
# ```{solution-start} ex-iw-coherence
# :class: dropdown
# ```
#
# One minibatch drives every neuron, so at small batches the noise kicks all orthogonal
# parts in the same direction: they become coherent and $\rho$ rises far above the
# incoherent level $\overline{1-\kappa_j^2}/N$ (the mean of $\kappa_j^2$ is
# $\bar\kappa^2$ plus the recorded variance). The larger batch is less coherent when
# its own noise is weak, $\beta = \eta d/B \le 0.01$; how much less depends on how close
# to $\kappa = 1$ the neurons are: near it their orthogonal parts are small, and even a
# weak shared noise makes them coherent ({doc}`finite_batch`).


# %%
def excess_rho(r, i):
    mean_sq = r.kappa_mean[:, i] ** 2 + r.kappa_std[:, i] ** 2  # of kappa_j
    incoherent = (1 - mean_sq) / P.width
    return (r.rho[:, i] / incoherent).mean()


q_min = min(P.ratios)
rho_small = excess_rho(runs_b[q_min], -1)
rho_ref = excess_rho(run, i_floor)
report(
    ("iw-rho-bd", q_min, "smallest B/d", "g"),
    ("iw-rho-small", rho_small, "  rho / incoherent level", ".0f"),
    ("iw-rho-qref", q_ref, "headline B/d", "g"),
    ("iw-rho-large", rho_ref, "  rho / incoherent level", ".1f"),
    ("iw-rho-n", P.width, "N: the level of identical orthogonal parts"),
)
weak = P.lr * P.dim / P.batch <= 0.01  # headline noise strength beta
print("headline beta = eta d / B <= 0.01:", weak)
if weak:
    assert rho_small > rho_ref

# %% [markdown]
# At $B/d =$ {glue:text}`iw-rho-bd:g`, $\rho$ is {glue:text}`iw-rho-small:.0f` times the
# incoherent level, not far from the ratio $N =$ {glue:text}`iw-rho-n` that identical
# orthogonal parts would give: the neurons have become nearly coherent. At
# $B/d =$ {glue:text}`iw-rho-qref:g` the ratio is {glue:text}`iw-rho-large:.1f`: the larger
# batch averages much of the shared kicks away, though not all.
#
# ```{solution-end}
# ```

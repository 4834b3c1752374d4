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
# # The setting: teacher, student and Hermite algebra
#
# This chapter fixes the model that the whole book studies and the one piece of algebra
# that makes it solvable: the expansion of activations in Hermite polynomials and Mehler's
# identity. At its end the population loss of a network whose neurons all share one
# alignment is an explicit function of two numbers, and the reduced dynamics
# {eq}`eq-intro-reduced` of the introduction is its (projected) gradient flow.
#
# **What you will learn**
#
# - the data model (a single-index teacher) and the student (a two-layer network on the
#   sphere) trained by SGD with mean-field learning rates;
# - Hermite expansions of activations, and how to compute them;
# - Mehler's identity, proved in three lines and checked by Monte Carlo;
# - the population loss $L(\kappa, a)$, the functions $\phi$ and $H$, and the book's running
#   example.

# %% [markdown]
# ## Teacher and student
#
# Inputs are standard Gaussian vectors $x \sim \Normal(0, I_d)$. A fixed unit vector
# $\theta_*$, the **hidden direction**, defines the scalar
# $z = \langle \theta_*, x\rangle \sim \Normal(0,1)$, and the label depends on $x$ through
# $z$ only:
#
# $$
# y = \sigma_*(z) + \zeta, \qquad \zeta \sim \Normal(0, \text{noise}),
# $$ (eq-set-teacher)
#
# a *single-index* model with link function $\sigma_*$
# {cite}`benarous2021online,bietti2022learning`. The student is a two-layer network of
# width $N$ in the mean-field scaling,
#
# $$
# f(x) = \frac{1}{N}\sum_{j=1}^{N} a_j\, \sigma(\langle w_j, x\rangle), \qquad |w_j| = 1,
# $$ (eq-set-student)
#
# with activation $\sigma$, first-layer weights $w_j$ on the unit sphere, and second-layer
# weights $a_j$. At initialisation the $w_j$ are independent and uniform on the sphere and
# all $a_j = a_0$.
#
# Training minimises the squared loss $\tfrac12 (f(x) - y)^2$ by minibatch SGD with batch
# size $B$: each step draws a fresh batch, moves $w_j$ against the gradient projected on
# the tangent space of the sphere with learning rate $\eta N$ and renormalises it to unit
# length, and moves $a_j$ against its gradient with learning rate $\eps\,\eta N$. The
# factor $N$ compensates the $1/N$ in {eq}`eq-set-student` (the *mean-field* or
# maximal-update scaling, see {doc}`infinite_width`), and the time of the book is
# $t = \eta \times \text{steps}$. The number $\eps$, the ratio of the two learning rates,
# is the small parameter of the fast-slow analysis.
#
# The quantity to follow is the **alignment** of neuron $j$ with the hidden direction,
# $\kappa_j = \langle w_j, \theta_*\rangle \in [-1, 1]$. A random start has
# $\kappa_j \approx \pm 1/\sqrt d$; a neuron that has learned the feature has $\kappa_j = 1$.

# %% [markdown]
# ## Hermite expansions
#
# Any function with $\E[g(z)^2] < \infty$ for $z \sim \Normal(0,1)$ expands in the
# probabilists' Hermite polynomials $\He_0 = 1$, $\He_1 = z$, $\He_2 = z^2 - 1$,
# $\He_3 = z^3 - 3z$, ..., which satisfy $\He_{k+1}(z) = z\He_k(z) - k\He_{k-1}(z)$ and
# are orthogonal under the Gaussian measure
# {cite}`szego1939orthogonal,odonnell2014analysis`:
#
# $$
# \begin{aligned}
# \E[\He_j(z)\He_k(z)] &= k!\,\delta_{jk}, \qquad
# g = \sum_k g_k \He_k, \quad g_k = \frac{\E[g(z)\He_k(z)]}{k!},\\
# \E[g(z)^2] &= \sum_k k!\, g_k^2.
# \end{aligned}
# $$ (eq-set-hermite)
#
# We write the teacher as $\sigma_* = \sum_k c_k \He_k$ and the student's activation as
# $\sigma = \sum_k s_k \He_k$. The library's `HermiteSeries` holds such coefficients;
# `HermiteSeries.from_function` computes them by Gauss-Hermite quadrature, and presets
# give the common activations (ReLU from closed forms, since its kink makes quadrature
# converge slowly).
#
# The parameters of this chapter are the running example, the sizes of the Monte Carlo
# checks and of a finite network, and a few grid sizes; under `CI` the samples and the
# network shrink.

# %%
import os
from typing import NamedTuple

import matplotlib.patheffects as pe
import matplotlib.pyplot as plt
import numpy as np
from numpy.polynomial.hermite_e import hermegauss
from scipy import special
from scipy.integrate import quad

from lib import hermite
from lib.display import report, show_figure, show_params, table
from lib.hermite import HermiteSeries, polynomial
from lib.plotting import A, PALETTE, ordered_colors, use_book_style
from lib.reduced import ReducedDynamics

use_book_style()


class Params(NamedTuple):
    s: float = 0.5  # running example: student sigma = He_1 + s He_2
    c: float = 0.2  # teacher sigma* = He_1 + c He_2
    degree: int = 31  # Hermite truncation of ReLU, tanh, erf, GELU
    mc_samples: int = 2_000_000  # Monte Carlo draws of z and of xi
    quad_nodes: int = 100  # Gauss-Hermite nodes of the exact averages
    mehler_kappas: tuple = (0.3, 0.7, 0.95)  # alignments of the Mehler check
    n_z: int = 13  # points z in [-3, 3] of the Mehler check
    kappa: float = 0.6  # shared alignment of the finite network
    a: float = 1.3  # its second-layer weight
    width: int = 400  # N of the finite network
    dim: int = 4_000  # d of the finite network
    loss_inputs: int = 100_000  # Monte Carlo inputs x of its loss
    n_check: int = 50  # random points of the gradient check
    n_grid: int = 200  # points per axis of the loss landscape
    seed: int = 0  # random seed


P = Params()
if "CI" in os.environ:  # continuous integration: small sizes, same claims
    P = P._replace(mc_samples=200_000, width=200, dim=1_000,
                   loss_inputs=10_000)
show_params(P)

# %% [markdown]
# Here are the first coefficients of four activations, and a check of Parseval's
# identity {eq}`eq-set-hermite`: the sum $\sum_k k!\,s_k^2$ of each truncated series
# against a Monte Carlo estimate of $\E[\sigma(z)^2]$. The two differ by the Monte Carlo
# error and by the energy beyond the truncation degree, which we measure against an
# accurate numerical integral; the assert allows five standard errors plus that
# truncation error.

# %%
rng = np.random.default_rng(P.seed)
acts = {
    "ReLU": (hermite.relu(P.degree), lambda u: np.maximum(u, 0)),
    "tanh": (hermite.tanh(P.degree), np.tanh),
    "erf": (hermite.erf(P.degree), special.erf),
    "GELU": (hermite.gelu(P.degree), lambda u: u * special.ndtr(u)),
}
z = rng.standard_normal(P.mc_samples)
gauss = lambda u: np.exp(-u * u / 2) / np.sqrt(2 * np.pi)  # noqa: E731
rows = []
for name, (series, fn) in acts.items():
    sq = fn(z) ** 2
    mc, se = sq.mean(), sq.std() / np.sqrt(z.size)
    exact = quad(lambda u: fn(u) ** 2 * gauss(u), -40, 40, limit=200)[0]
    trunc = exact - series.norm2()  # energy beyond the truncation degree
    assert abs(series.norm2() - mc) < 5 * se + abs(trunc), name
    rows.append([name, series.norm2(), mc, se, trunc])
table(["", r"$\sum_k k!\,s_k^2$", "Monte Carlo", "std. error", "truncation"],
      rows, caption="Parseval's identity for four activations.",
      name="tab-set-moments", fmt=[None, ".4f", ".4f", ".1e", ".1e"])

# %% [markdown]
# The first Hermite coefficients of the four activations:

# %%
table(["", "$s_0$", "$s_1$", "$s_2$", "$s_3$"],
      [[name, *series.coeffs[:4]] for name, (series, _) in acts.items()],
      caption="The first Hermite coefficients of four activations.",
      name="tab-set-activations", fmt=[None] + [".4f"] * 4)

# %% [markdown]
# {numref}`tab-set-moments` checks Parseval's identity and
# {numref}`tab-set-activations` lists the coefficients. {numref}`fig-set-energy` shows
# where each activation puts its energy $k!\,s_k^2$. Odd activations (tanh, erf) have
# only odd degrees; ReLU and GELU {cite}`hendrycks2016gaussian` have a constant mode $s_0 \neq 0$ and a strong second degree,
# and ReLU's coefficients decay slowly because of its kink (its truncation error is the
# largest of the four).

# %% tags=["remove-output"]
fig, ax = plt.subplots()
hatches = ["", "//", "..", "xx"]
k_max = min(12, P.degree)
for i, (name, (series, _)) in enumerate(acts.items()):
    energy = series.weighted() * series.coeffs
    k = np.nonzero(energy > 1e-12)[0]
    k = k[k <= k_max]
    ax.bar(k + 0.2 * (i - 1.5), energy[k], width=0.2, label=name,
           color=PALETTE[i], hatch=hatches[i], edgecolor="white", lw=0)
ax.set(yscale="log", xlabel="Hermite degree $k$",
       ylabel=r"energy $k!\,s_k^2$",
       title="Hermite energy spectrum of common activations")
ax.legend(ncols=2)
show_figure(fig, "fig-set-energy")

# %% [markdown]
# ```{glue:figure} fig-set-energy
# :name: fig-set-energy
#
# Energy $k!\,s_k^2$ of the Hermite coefficients of four activations, degrees up to 12.
# Their sum is $\E[\sigma(z)^2]$.
# ```

# %% [markdown]
# ## Mehler's identity
#
# A neuron with alignment $\kappa$ sees
# $\langle w, x\rangle = \kappa z + \sqrt{1-\kappa^2}\,\xi$ with $\xi \sim \Normal(0,1)$
# independent of $z$. Averaging over $\xi$ smooths each Hermite mode by a power of
# $\kappa$:
#
# $$
# \begin{aligned}
# \E_\xi\big[\He_k(\kappa z + \sqrt{1-\kappa^2}\,\xi)\big] &= \kappa^k \He_k(z),
# \quad\text{hence}\\
# \E_\xi\big[\sigma(\kappa z + \sqrt{1-\kappa^2}\,\xi)\big]
# &= \sum_k s_k \kappa^k \He_k(z).
# \end{aligned}
# $$ (eq-set-mehler)
#
# ```{prf:proof}
# The generating function of the Hermite polynomials is
# $e^{\lambda u - \lambda^2/2} = \sum_k \He_k(u)\lambda^k/k!$. Put
# $u = \kappa z + \sqrt{1-\kappa^2}\,\xi$ and average over $\xi$, using
# $\E[e^{\mu\xi}] = e^{\mu^2/2}$ with $\mu = \lambda\sqrt{1-\kappa^2}$:
#
# $$
# \E_\xi\big[e^{\lambda u - \lambda^2/2}\big] = e^{\lambda\kappa z - \lambda^2\kappa^2/2}
# = \sum_k \He_k(z)\,\frac{(\lambda\kappa)^k}{k!}.
# $$
#
# Comparing the coefficients of $\lambda^k$ on both sides gives {eq}`eq-set-mehler`.
# ```
#
# Taking one more expectation over $z$ against $\He_j(z)$ gives the form used below: two
# standard Gaussians $u, z$ with correlation $\kappa$ satisfy
# $\E[\He_j(u)\He_k(z)] = k!\,\kappa^k\delta_{jk}$. `HermiteSeries.mehler(kappa)` returns
# the smoothed series. We check it for tanh on a grid of $z$ at a few alignments, against
# two independent computations of the average over $\xi$: a Monte Carlo estimate and
# Gauss-Hermite quadrature (exact up to rounding for a function as smooth as tanh). The
# series may differ from the quadrature only by its truncation, and from Monte Carlo by
# that plus the Monte Carlo error.

# %%
tanh_series = acts["tanh"][0]
z_grid = np.linspace(-3, 3, P.n_z)
xi = rng.standard_normal(P.mc_samples)
nodes, weights = hermegauss(P.quad_nodes)
weights = weights / weights.sum()
mehler_mc, rows, worst = {}, [], 0.0
for kappa in P.mehler_kappas:
    r = np.sqrt(1 - kappa**2)
    draws = [np.tanh(kappa * zz + r * xi) for zz in z_grid]
    mc = np.array([v.mean() for v in draws])
    se = np.array([v.std() for v in draws]) / np.sqrt(xi.size)
    exact = np.tanh(kappa * z_grid[:, None] + r * nodes) @ weights
    series = tanh_series.mehler(kappa)(z_grid)
    trunc = np.abs(series - exact).max()
    assert np.all(np.abs(mc - exact) < 5 * se)  # Monte Carlo error only
    assert np.all(np.abs(mc - series) < 5 * se + trunc)
    mehler_mc[kappa] = mc
    worst = max(worst, np.abs(mc - series).max())
    rows.append([kappa, np.abs(mc - series).max(), se.max(), trunc])
report(
    ("set-mehler-err", worst, "largest |Monte Carlo - series|", ".1e"),
    ("set-mehler-n", P.mc_samples, "draws of xi"),
)
table(["$\\kappa$", "largest MC error", "std. error", "truncation"], rows,
      caption="Mehler's identity for tanh: Monte Carlo against the series.",
      name="tab-set-mehler", fmt=[".2f", ".1e", ".1e", ".1e"])

# %% [markdown]
# The largest discrepancy over the grid is {glue:md}`set-mehler-err:myst` with
# {glue:text}`set-mehler-n` draws of $\xi$ ({numref}`tab-set-mehler`): the Monte Carlo
# error, plus a truncation error of the series that only shows at alignments close to
# one, where the damping $\kappa^k$ of the high degrees is weak. {numref}`fig-set-mehler`
# shows the smoothing: the lower the alignment, the flatter the neuron's average response
# to $z$.

# %% tags=["remove-output"]
fig, ax = plt.subplots()
zz = np.linspace(-3, 3, 200)
kappas = (1.0, *sorted(P.mehler_kappas, reverse=True))
styles, markers = ["-", "--", "-.", ":"], ["o", "s", "^", "D"]
for i, (kappa, col) in enumerate(zip(kappas, ordered_colors(len(kappas)))):
    ax.plot(zz, tanh_series.mehler(kappa)(zz), color=col, ls=styles[i % 4],
            label=rf"$\kappa = {kappa:g}$")
    if kappa in mehler_mc:
        ax.plot(z_grid, mehler_mc[kappa], markers[i % 4], color=col, ms=5)
ax.set(xlabel="$z$",
       ylabel=r"$\mathbb{E}_\xi\,\tanh(\kappa z + \sqrt{1-\kappa^2}\,\xi)$")
ax.legend()
show_figure(fig, "fig-set-mehler")

# %% [markdown]
# ```{glue:figure} fig-set-mehler
# :name: fig-set-mehler
#
# Mehler smoothing of tanh: lines are the series $\sum_k s_k\kappa^k\He_k(z)$, markers
# are Monte Carlo averages over $\xi$.
# ```

# %% [markdown]
# ## The population loss at a shared alignment
#
# Suppose every neuron has the same alignment $\kappa$ and the same weight $a$, and the
# components of the $w_j$ orthogonal to $\theta_*$ point in unrelated directions, as
# random directions in high dimension do. Then two distinct neurons see pre-activations
# with correlation $q = \langle w_i, w_j\rangle \approx \kappa^2$, and by
# {eq}`eq-set-mehler`
#
# $$
# \begin{aligned}
# \E[f\,y] &= a\sum_k k!\, s_k c_k\,\kappa^k =: a\,\phi(\kappa),\\
# \E[f^2] &\approx a^2 \sum_k k!\, s_k^2\,\kappa^{2k} =: a^2 H(\kappa),
# \end{aligned}
# $$ (eq-set-phiH)
#
# so that the population loss depends on two numbers only:
#
# $$
# \begin{aligned}
# L(\kappa, a) &= \tfrac12\,\E\big[(f - y)^2\big]\\
# &= \tfrac12\|\sigma_*\|^2 - a\,\phi(\kappa) + \tfrac12 a^2 H(\kappa)
# + \tfrac12\,\text{noise}.
# \end{aligned}
# $$ (eq-set-loss)
#
# The approximation in $\E[f^2]$ has two parts, both vanishing in the limit of
# {doc}`infinite_width`: the $N$ diagonal terms $i = j$ (weight $1/N$) contribute
# $\E[\sigma^2]$ instead of $H(\kappa)$, and the overlaps of the orthogonal parts are of
# order $1/\sqrt d$ rather than zero. A finite network makes both visible. For Gaussian
# inputs its population loss is exact in terms of the overlaps
# $q_{ij} = \langle w_i, w_j\rangle$, because two pre-activations with correlation $q$
# satisfy $\E[\sigma(u)\sigma(u')] = h(q)$ with $h(q) = \sum_k k!\,s_k^2 q^k$ (so that
# $H(\kappa) = h(\kappa^2)$):
#
# $$
# L_N = \tfrac12\|\sigma_*\|^2 - \frac{a}{N}\sum_j \phi(\kappa_j)
#       + \frac{a^2}{2N^2}\sum_{i,j} h(q_{ij}) + \tfrac12\,\text{noise}.
# $$ (eq-set-finite-loss)
#
# **How large are the two corrections?** Let all $N$ neurons have alignment $\kappa$ and
# independent uniformly random orthogonal parts $\sqrt{1-\kappa^2}\,o_j$ in dimension $d$.
# The diagonal terms give $L_N - L$ the correction
#
# $$
# L_{\rm diag} = \frac{a^2}{2N}\,\big(h(1) - H(\kappa)\big),
# $$
#
# of order $1/N$. For $i \neq j$, $q_{ij} = \kappa^2 + (1-\kappa^2)\,\gamma_{ij}$ with
# $\gamma_{ij} = \langle o_i, o_j\rangle$ of mean zero and variance $1/(d-1)$. What the
# diagonal correction leaves over is
#
# $$
# L_N - L - L_{\rm diag}
# = \frac{a^2}{2N^2}\sum_{i\neq j}\big[h(q_{ij}) - h(\kappa^2)\big];
# $$
#
# expanding $h$ to second order around $\kappa^2$, it has
#
# $$
# \begin{aligned}
# \text{mean} &\approx \frac{a^2}{4}\, h''(\kappa^2)\,
#   \frac{(1-\kappa^2)^2}{d-1},\\
# \text{standard deviation} &\approx \frac{a^2}{2}\, h'(\kappa^2)\,(1-\kappa^2)\,
#   \frac{\sqrt 2}{N\sqrt{d-1}},
# \end{aligned}
# $$ (eq-set-residual)
#
# the first from $\E[\gamma_{ij}^2] = 1/(d-1)$, the second from the variance $2N(N-1)/(d-1)$ of
# $\sum_{i\neq j} \gamma_{ij} = |\sum_j o_j|^2 - N$. So the residual is of order
# $1/d + 1/(N\sqrt d)$, and the diagonal correction is the leading finite-size effect when
# $N$ is well below $d$. (For the running example below $h$ is a quadratic, and the
# expansion is exact.)
#
# We build such a network, evaluate {eq}`eq-set-finite-loss`, compare it with
# {eq}`eq-set-loss` plus the diagonal correction, and check the residual against
# {eq}`eq-set-residual` with a margin of five standard deviations. That check fails if
# the diagonal correction is left out whenever $L_{\rm diag}$ exceeds the margin,
# which the cell prints. Last, a Monte Carlo estimate of $\tfrac12\E[(f-y)^2]$ over
# random inputs checks the exact formula itself.

# %%
teacher, student = polynomial(0, 1, P.c), polynomial(0, 1, P.s)
dyn = ReducedDynamics(teacher, student, eps=0.05)
h = np.polynomial.Polynomial(dyn.v)  # h(q) = sum_k k! s_k^2 q^k
d, n, kappa, a = P.dim, P.width, P.kappa, P.a
ortho = rng.standard_normal((n, d - 1))
ortho /= np.linalg.norm(ortho, axis=1, keepdims=True)
W = np.hstack([np.full((n, 1), kappa), np.sqrt(1 - kappa**2) * ortho])  # e_1
limit = dyn.loss(kappa, a)
exact = (0.5 * teacher.norm2() - a * dyn.phi(kappa)
         + 0.5 * a**2 * h(W @ W.T).mean())  # eq-set-finite-loss
diag = 0.5 * a**2 * (h(1.0) - dyn.H(kappa)) / n  # the i = j terms
residual = exact - limit - diag
res_mean = 0.25 * a**2 * h.deriv(2)(kappa**2) * (1 - kappa**2) ** 2 / (d - 1)
res_sd = (0.5 * a**2 * h.deriv()(kappa**2) * (1 - kappa**2)
          * np.sqrt(2) / (n * np.sqrt(d - 1)))
margin = 5 * res_sd
report(
    ("set-loss-limit", limit, "L(kappa, a), the limit", ".5f"),
    ("set-loss-diag", diag, "diagonal correction", ".1e"),
    ("set-loss-exact", exact, "L_N, the finite network", ".5f"),
    ("set-loss-res", residual, "residual L_N - L - diagonal", ".1e"),
    ("set-loss-res-mean", res_mean, "predicted residual: mean", ".1e"),
    ("set-loss-res-sd", res_sd, "predicted residual: std", ".1e"),
)
print("diagonal correction larger than the margin:", diag > margin)
assert abs(residual - res_mean) < margin

# %% [markdown]
# The limit formula {eq}`eq-set-loss` gives {glue:text}`set-loss-limit:.4f`. The finite
# network's exact loss is {glue:text}`set-loss-exact:.4f`: the $1/N$ diagonal correction,
# {glue:md}`set-loss-diag:myst`, accounts for the difference, and leaves a residual of
# {glue:md}`set-loss-res:myst`, against a predicted mean of
# {glue:md}`set-loss-res-mean:myst` and standard deviation
# {glue:md}`set-loss-res-sd:myst` from {eq}`eq-set-residual`. A Monte Carlo average
# over random inputs checks the exact formula {eq}`eq-set-finite-loss` within a few
# of its standard errors; the assert allows five, and the inputs are drawn in chunks
# to bound the memory:

# %%
sq, chunk = [], max(100, 20_000_000 // d)  # at most 2e7 numbers at once
for start in range(0, P.loss_inputs, chunk):
    X = rng.standard_normal((min(chunk, P.loss_inputs - start), d))
    f = a * student(X @ W.T).mean(axis=1)
    sq.append(0.5 * (f - teacher(X[:, 0])) ** 2)
sq = np.concatenate(sq)
mc, mc_se = sq.mean(), sq.std() / np.sqrt(sq.size)
report(
    ("set-loss-mc", mc, "Monte Carlo loss", ".4f"),
    (None, mc_se, "its standard error", ".1e"),
    ("set-loss-mc-z", abs(mc - exact) / mc_se,
     "|Monte Carlo - exact| / standard error", ".1f"),
)
assert abs(mc - exact) < 5 * mc_se

# %% [markdown]
# Monte Carlo and the exact formula differ by {glue:text}`set-loss-mc-z:.1f`
# standard errors.

# %% [markdown]
# ## The reduced dynamics
#
# Training moves each $w_j$ on the sphere along the projected negative gradient and $a$
# along its negative gradient, $\eps$ times slower. With all neurons at alignment
# $\kappa$, the alignment moves on $[-1, 1]$ with the metric of the sphere: the tangent
# component of $\theta_*$ at $w$ has squared length $1 - \kappa^2$. Hence, in the limit
# made precise in {doc}`infinite_width`,
#
# $$
# \begin{aligned}
# \dot\kappa &= -(1-\kappa^2)\,\partial_\kappa L
#   = a(1-\kappa^2)\big[\phi'(\kappa) - \tfrac12 aH'(\kappa)\big],\\
# \dot a &= -\eps\,\partial_a L = \eps\big[\phi(\kappa) - aH(\kappa)\big],
# \end{aligned}
# $$ (eq-set-reduced)
#
# which is {eq}`eq-intro-reduced`. It is a gradient flow, so $L$ never increases along
# it. The library's vector field is checked here against central finite differences of
# the loss at random points (their error is of the order of the rounding error divided
# by the step, about $10^{-10}$).

# %%
k_pts = rng.uniform(-0.95, 0.95, P.n_check)
a_pts = rng.uniform(-2, 2, P.n_check)
step = 1e-6
dk, da = dyn.vector_field(k_pts, a_pts)
L = dyn.loss
dL_dk = (L(k_pts + step, a_pts) - L(k_pts - step, a_pts)) / (2 * step)
dL_da = (L(k_pts, a_pts + step) - L(k_pts, a_pts - step)) / (2 * step)
err = max(np.abs(dk + (1 - k_pts**2) * dL_dk).max(),
          np.abs(da + dyn.eps * dL_da).max())
report((None, err, "largest difference from finite differences", ".1e"))
assert err < 1e-7

# %% [markdown]
# ## The running example
#
# Throughout the book the first example is the simplest pair with a nonlinear part:
#
# $$
# \sigma = \He_1 + s\,\He_2, \qquad \sigma_* = \He_1 + c\,\He_2, \qquad s > 0,
# $$ (eq-set-example)
#
# for which $\phi(\kappa) = \kappa + 2sc\,\kappa^2$ and
# $H(\kappa) = \kappa^2 + 2s^2\kappa^4$. The library reproduces these closed forms from
# the coefficients. At fixed $\kappa$ the best second layer is $a = \phi/H$, where the
# loss equals $\tfrac12\|\sigma_*\|^2 - \tfrac12 R(\kappa)$ with $R = \phi^2/H$; that is
# checked too.

# %%
k = np.linspace(-1, 1, P.n_check)
assert np.allclose(dyn.phi(k), k + 2 * P.s * P.c * k**2)
assert np.allclose(dyn.H(k), k**2 + 2 * P.s**2 * k**4)
kp = k[k > 0]
best_a = dyn.phi(kp) / dyn.H(kp)  # the best second layer at fixed kappa
R = dyn.phi(kp) ** 2 / dyn.H(kp)
assert np.allclose(dyn.loss(kp, best_a), 0.5 * teacher.norm2() - 0.5 * R)

# %% [markdown]
# {numref}`fig-set-landscape` draws the loss landscape of the running example with the
# valley of best second layers. When $0 < c < s$, its lowest point is not at $\kappa = 1$
# but at $\kappa = c/s$, $a = s/c$, where the loss vanishes (the last exercise of
# this chapter): already here one can guess that a network which first aligns
# perfectly may later find it profitable to turn away. The chapters that follow make that
# guess precise. The cell checks, when $0 < c < s$, that no point of the grid lies below
# the loss at $(c/s, s/c)$.

# %% tags=["remove-output"]
inside = 0 < P.c < P.s
a_top = max(4.0, 1.6 * P.s / P.c) if inside else 4.0
kk, aa = np.meshgrid(np.linspace(0.02, 1, P.n_grid),
                     np.linspace(0, a_top, P.n_grid))
LL = dyn.loss(kk, aa)
fig, ax = plt.subplots()
cs = ax.contourf(kk, aa, np.log10(LL - LL.min() + 1e-3), 30, cmap="viridis")
fig.colorbar(cs, label=r"$\log_{10}(L - \min L + 10^{-3})$")
outline = [pe.Stroke(linewidth=4, foreground="black"), pe.Normal()]
ax.plot(kk[0], dyn.phi(kk[0]) / dyn.H(kk[0]), "--", color="white", lw=2,
        path_effects=outline, label=r"best $a = \phi/H$")
if inside:
    ax.plot(P.c / P.s, P.s / P.c, "*", color=A, mec="black", ms=16,
            label=r"minimum $(c/s,\ s/c)$")
ax.set(xlabel=r"alignment $\kappa$", ylabel="second-layer weight $a$",
       ylim=(0, a_top))
ax.legend(loc="upper right")
show_figure(fig, "fig-set-landscape")
print("0 < c < s:", inside)
if inside:
    assert dyn.loss(P.c / P.s, P.s / P.c) <= LL.min() + 1e-12

# %% [markdown]
# ```{glue:figure} fig-set-landscape
# :name: fig-set-landscape
#
# Loss landscape $L(\kappa, a)$ of the running example. The valley of best second layers
# $a = \phi/H$ (dashed) descends toward the global minimum at $\kappa = c/s$, $a = s/c$
# (star), not toward perfect alignment.
# ```

# %% [markdown]
# ## Summary
#
# - Teacher: $y = \sigma_*(\langle\theta_*, x\rangle)$ plus noise, with Gaussian inputs.
#   Student: a two-layer mean-field network on the sphere, trained by SGD with first- and
#   second-layer learning rates $\eta N$ and $\eps\,\eta N$.
# - Hermite expansions turn Gaussian expectations into sums of coefficients; Mehler's
#   identity {eq}`eq-set-mehler` says that a neuron at alignment $\kappa$ damps degree $k$
#   by $\kappa^k$.
# - With a shared alignment the loss is $L(\kappa, a)$ of {eq}`eq-set-loss`; a finite
#   network adds a diagonal correction of order $1/N$ and a residual of order
#   $1/d + 1/(N\sqrt d)$ {eq}`eq-set-residual`. Training is the gradient flow
#   {eq}`eq-set-reduced` of $L$, fast in $\kappa$ and slow in $a$.
# - In the running example the best fit sits at $\kappa = c/s < 1$ when $0 < c < s$.
#
# ## Exercises
#
# ```{exercise}
# :label: ex-set-softplus
#
# Compute the first six Hermite coefficients of the softplus activation
# $\log(1 + e^z)$ with `HermiteSeries.from_function`, and check Parseval's identity
# $\E[\sigma(z)^2] = \sum_k k!\,s_k^2$ by Monte Carlo.
# ```
#
# ```{solution-start} ex-set-softplus
# :class: dropdown
# ```

# %%
softplus_fn = lambda u: np.logaddexp(0, u)  # noqa: E731
softplus = HermiteSeries.from_function(softplus_fn, P.degree)
report(*[(None, softplus.coeffs[j], f"s_{j}", ".5f") for j in range(6)])
sq = softplus_fn(z) ** 2
mc, se = sq.mean(), sq.std() / np.sqrt(z.size)
exact = quad(lambda u: softplus_fn(u) ** 2 * gauss(u), -40, 40, limit=200)[0]
report(
    (None, softplus.norm2(), "sum_k k! s_k^2", ".5f"),
    (None, mc, "Monte Carlo E[sigma^2]", ".5f"),
    (None, se, "its standard error", ".1e"),
)
assert abs(softplus.norm2() - mc) < 5 * se + abs(exact - softplus.norm2())

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ex-set-relu-mehler
#
# Verify Mehler's identity for ReLU at $\kappa = 0.5$ and $z = 1$ by Monte Carlo. Why
# does a truncation of the series suffice here although ReLU's series converges slowly?
# ```
#
# ```{solution-start} ex-set-relu-mehler
# :class: dropdown
# ```

# %%
relu = acts["ReLU"][0]
draws = np.maximum(0.5 + np.sqrt(0.75) * xi, 0)
mc, se = draws.mean(), draws.std() / np.sqrt(xi.size)
tail = hermite.relu(4 * P.degree).mehler(0.5)(1.0) - relu.mehler(0.5)(1.0)
report(
    (None, relu.mehler(0.5)(1.0), "series", ".5f"),
    (None, mc, "Monte Carlo", ".5f"),
    (None, se, "its standard error", ".1e"),
    (None, tail, "change with four times the degree", ".1e"),
)
assert abs(relu.mehler(0.5)(1.0) - mc) < 5 * se + abs(tail)

# %% [markdown]
# The smoothing multiplies degree $k$ by $0.5^k$, so the slowly decaying tail of the
# ReLU coefficients is damped geometrically: quadrupling the truncation degree changes the
# value only at the level printed above. At $\kappa < 1$ every smooth or kinked activation
# becomes an analytic function of $z$.
#
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ex-set-minimum
#
# For the running example, show that $L$ has its global minimum at $\kappa = c/s$,
# $a = s/c$ when $0 < c < s$, and that the minimum loss is then zero. What does a zero
# loss mean for the network?
# ```
#
# ```{solution-start} ex-set-minimum
# :class: dropdown
# ```

# %% [markdown]
# At $\kappa = c/s$, $a = s/c$ the network's output is
#
# $$
# a\sum_k s_k\kappa^k\He_k(z)
# = \frac{s}{c}\Big(\frac{c}{s}\He_1 + s\,\frac{c^2}{s^2}\He_2\Big)
# = \He_1 + c\He_2 = \sigma_*(z):
# $$
#
# the misaligned, rescaled network reproduces the teacher exactly. Numerically (when
# $0 < c < s$, so that $c/s$ is an alignment):

# %%
if 0 < P.c < P.s:
    at_min = dyn.loss(P.c / P.s, P.s / P.c)
    report((None, at_min, "L(c/s, s/c)", ".1e"))
    assert abs(at_min) < 1e-12
else:
    print("c/s is not an alignment in (0, 1): no interior minimum")

# %% [markdown]
# A zero population loss with $\kappa < 1$ means that the teacher's quadratic part is
# produced by the damping $\kappa^2$ of the student's larger quadratic part, at the price
# of a misaligned first layer: a perfect fit does not need the feature.
#
# ```{solution-end}
# ```

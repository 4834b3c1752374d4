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
# Inputs are standard Gaussian vectors $x \sim \Normal(0, I_d)$. A fixed unit vector $\theta_*$, the
# **hidden direction**, defines the scalar $z = \langle \theta_*, x\rangle \sim \Normal(0,1)$, and the
# label depends on $x$ through $z$ only:
#
# $$
# y = \sigma_*(z) + \zeta, \qquad \zeta \sim \Normal(0, \text{noise}),
# $$ (eq-set-teacher)
#
# a *single-index* model with link function $\sigma_*$ {cite}`benarous2021online,bietti2022learning`.
# The student is a two-layer network of width $N$ in the mean-field scaling,
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
# size $B$: each step draws a fresh batch, moves $w_j$ against the gradient projected on the
# tangent space of the sphere with learning rate $\eta N$ and renormalises it to unit length,
# and moves $a_j$ against its gradient with learning rate $\eps\,\eta N$. The factor $N$
# compensates the $1/N$ in {eq}`eq-set-student` (the *mean-field* or maximal-update scaling, see
# {doc}`infinite_width`), and the time of the book is $t = \eta \times \text{steps}$. The
# number $\eps$, the ratio of the two learning rates, is the small parameter of the
# fast-slow analysis.
#
# The quantity to follow is the **alignment** of neuron $j$ with the hidden direction,
# $\kappa_j = \langle w_j, \theta_*\rangle \in [-1, 1]$. A random start has
# $\kappa_j \approx \pm 1/\sqrt d$; a neuron that has learned the feature has $\kappa_j = 1$.

# %% [markdown]
# ## Hermite expansions
#
# Any function with $\E[g(z)^2] < \infty$ for $z \sim \Normal(0,1)$ expands in the probabilists'
# Hermite polynomials $\He_0 = 1$, $\He_1 = z$, $\He_2 = z^2 - 1$, $\He_3 = z^3 - 3z$, ...,
# which satisfy $\He_{k+1}(z) = z\He_k(z) - k\He_{k-1}(z)$ and are orthogonal under the
# Gaussian measure {cite}`szego1939orthogonal,odonnell2014analysis`:
#
# $$
# \E[\He_j(z)\He_k(z)] = k!\,\delta_{jk}, \qquad
# g = \sum_k g_k \He_k, \quad g_k = \frac{\E[g(z)\He_k(z)]}{k!}, \quad
# \E[g(z)^2] = \sum_k k!\, g_k^2.
# $$ (eq-set-hermite)
#
# We write the teacher as $\sigma_* = \sum_k c_k \He_k$ and the student's activation as
# $\sigma = \sum_k s_k \He_k$. The library's `HermiteSeries` holds such coefficients;
# `HermiteSeries.from_function` computes them by Gauss-Hermite quadrature, and presets
# give the common activations (ReLU from closed forms, since its kink makes quadrature
# converge slowly).
#
# The parameters of this chapter are the Monte Carlo sample sizes; under `CI` they shrink.

# %%
import os
from typing import NamedTuple

import matplotlib.pyplot as plt
import numpy as np
from myst_nb import glue

from lib import hermite
from lib.hermite import HermiteSeries, polynomial
from lib.plotting import glue_figure
from lib.reduced import ReducedDynamics

CI = "CI" in os.environ


class Params(NamedTuple):
    mc_samples: int = 200_000 if CI else 2_000_000  # Monte Carlo draws for the checks
    width: int = 200 if CI else 400                  # neurons of the finite-network check
    dim: int = 1_000 if CI else 4_000                # input dimension of that check
    seed: int = 0


P = Params()
rng = np.random.default_rng(P.seed)

# %% [markdown]
# Here are the first coefficients of four activations, and a check that each expansion
# reproduces the activation's Gaussian second moment {eq}`eq-set-hermite`, estimated by
# Monte Carlo.

# %%
acts = {"ReLU": (hermite.relu(30), lambda z: np.maximum(z, 0)),
        "tanh": (hermite.tanh(31), np.tanh),
        "erf": (hermite.erf(31), __import__("scipy.special").special.erf),
        "GELU": (hermite.gelu(30), lambda z: z * __import__("scipy.special").special.ndtr(z))}
z = rng.standard_normal(P.mc_samples)
for name, (series, fn) in acts.items():
    mc = np.mean(fn(z) ** 2)
    assert abs(series.norm2() - mc) < 6 * np.std(fn(z) ** 2) / np.sqrt(z.size) + 1e-3, name
    print(f"{name:5s} E[sigma^2]: series {series.norm2():.4f}, Monte Carlo {mc:.4f};",
          "c_0..c_3 =", np.round(series.coeffs[:4], 4))

# %% [markdown]
# {numref}`fig-set-energy` shows where each activation puts its energy $k!\,s_k^2$. Odd
# activations (tanh, erf) have only odd degrees; ReLU and GELU have a constant mode
# $s_0 \neq 0$ and a strong second degree, and ReLU's coefficients decay slowly because of
# its kink.

# %%
fig, ax = plt.subplots(figsize=(7, 3.4))
for i, (name, (series, _)) in enumerate(acts.items()):
    energy = series.weighted() * series.coeffs
    k = np.nonzero(energy > 1e-12)[0]
    k = k[k <= 12]
    ax.bar(k + 0.2 * (i - 1.5), energy[k], width=0.2, label=name)
ax.set(yscale="log", xlabel="Hermite degree $k$", ylabel=r"energy $k!\,s_k^2$",
       title="Hermite energy spectrum of common activations")
ax.legend()
glue_figure("fig-set-energy", fig)

# %% [markdown]
# ```{glue:figure} fig-set-energy
# :name: fig-set-energy
#
# Energy $k!\,s_k^2$ of the Hermite coefficients of four activations, degrees up to 12. Their
# sum is $\E[\sigma(z)^2]$.
# ```

# %% [markdown]
# ## Mehler's identity
#
# A neuron with alignment $\kappa$ sees $\langle w, x\rangle = \kappa z + \sqrt{1-\kappa^2}\,\xi$
# with $\xi \sim \Normal(0,1)$ independent of $z$. Averaging over $\xi$ smooths each Hermite mode by
# a power of $\kappa$:
#
# $$
# \E_\xi\big[\He_k(\kappa z + \sqrt{1-\kappa^2}\,\xi)\big] = \kappa^k \He_k(z),
# \qquad\text{hence}\qquad
# \E_\xi\big[\sigma(\kappa z + \sqrt{1-\kappa^2}\,\xi)\big] = \sum_k s_k \kappa^k \He_k(z).
# $$ (eq-set-mehler)
#
# ```{prf:proof}
# The generating function of the Hermite polynomials is
# $e^{\lambda u - \lambda^2/2} = \sum_k \He_k(u)\lambda^k/k!$. Put
# $u = \kappa z + \sqrt{1-\kappa^2}\,\xi$ and average over $\xi$, using
# $\E[e^{\mu\xi}] = e^{\mu^2/2}$ with $\mu = \lambda\sqrt{1-\kappa^2}$:
# $\E_\xi[e^{\lambda u - \lambda^2/2}] = e^{\lambda\kappa z - \lambda^2\kappa^2/2}
# = \sum_k \He_k(z)(\lambda\kappa)^k/k!$. Comparing the coefficients of $\lambda^k$ on both
# sides gives {eq}`eq-set-mehler`.
# ```
#
# Taking one more expectation over $z$ against $\He_j(z)$ gives the form used below: two
# standard Gaussians $u, z$ with correlation $\kappa$ satisfy
# $\E[\He_j(u)\He_k(z)] = k!\,\kappa^k\delta_{jk}$. `HermiteSeries.mehler(kappa)` returns
# the smoothed series. We check it by Monte Carlo for tanh at three alignments.

# %%
tanh_series = acts["tanh"][0]
z_grid = np.linspace(-3, 3, 13)
xi = rng.standard_normal(P.mc_samples // 10)
mehler_err = {}
for kappa in (0.3, 0.7, 0.95):
    mc = np.tanh(kappa * z_grid[:, None] + np.sqrt(1 - kappa**2) * xi).mean(axis=1)
    mehler_err[kappa] = np.max(np.abs(mc - tanh_series.mehler(kappa)(z_grid)))
worst = max(mehler_err.values())
glue("set-mehler-err", float(worst), display=False)
glue("set-mehler-n", xi.size, display=False)
assert worst < 5 / np.sqrt(xi.size), mehler_err  # Monte Carlo accuracy, with margin
print(mehler_err)

# %% [markdown]
# The largest discrepancy over the grid is {glue:text}`set-mehler-err:.1e` with
# {glue:text}`set-mehler-n` draws of $\xi$: Monte Carlo error, nothing else.
# {numref}`fig-set-mehler` shows the smoothing: the lower the alignment, the flatter the
# neuron's average response to $z$.

# %%
fig, ax = plt.subplots(figsize=(6, 3.4))
zz = np.linspace(-3, 3, 200)
for i, kappa in enumerate((1.0, 0.95, 0.7, 0.3)):
    ax.plot(zz, tanh_series.mehler(kappa)(zz), c=f"C{i}", label=rf"$\kappa = {kappa}$")
    if kappa < 1:
        mc = np.tanh(kappa * z_grid[:, None] + np.sqrt(1 - kappa**2) * xi).mean(axis=1)
        ax.plot(z_grid, mc, "o", c=f"C{i}", ms=4)
ax.set(xlabel="$z$", ylabel=r"$\mathbb{E}_\xi\,\tanh(\kappa z + \sqrt{1-\kappa^2}\,\xi)$")
ax.legend()
glue_figure("fig-set-mehler", fig)

# %% [markdown]
# ```{glue:figure} fig-set-mehler
# :name: fig-set-mehler
#
# Mehler smoothing of tanh: lines are the series $\sum_k s_k\kappa^k\He_k(z)$, dots are Monte
# Carlo averages over $\xi$.
# ```

# %% [markdown]
# ## The population loss at a shared alignment
#
# Suppose every neuron has the same alignment $\kappa$ and the same weight $a$, and the
# components of the $w_j$ orthogonal to $\theta_*$ point in unrelated directions, as random
# directions in high dimension do. Then two distinct neurons see pre-activations with
# correlation $q = \langle w_i, w_j\rangle \approx \kappa^2$, and by {eq}`eq-set-mehler`
#
# $$
# \E[f\,y] = a\sum_k k!\, s_k c_k\,\kappa^k =: a\,\phi(\kappa), \qquad
# \E[f^2] \approx a^2 \sum_k k!\, s_k^2\,\kappa^{2k} =: a^2 H(\kappa),
# $$ (eq-set-phiH)
#
# so that the population loss depends on two numbers only:
#
# $$
# L(\kappa, a) = \tfrac12\,\E\big[(f - y)^2\big]
# = \tfrac12\|\sigma_*\|^2 - a\,\phi(\kappa) + \tfrac12 a^2 H(\kappa) + \tfrac12\,\text{noise}.
# $$ (eq-set-loss)
#
# The approximation in $\E[f^2]$ has two parts, both vanishing in the limit of
# {doc}`infinite_width`: the $N$ diagonal terms $i = j$ (weight $1/N$) contribute
# $\E[\sigma^2]$ instead of $H(\kappa)$, and the overlaps of the orthogonal parts are of
# order $1/\sqrt d$ rather than zero (so $q_{ij} = \kappa^2 + O(1/\sqrt d)$). A finite network
# makes both visible. For Gaussian inputs its population loss is exact in terms of the
# overlaps $q_{ij} = \langle w_i, w_j\rangle$, because two pre-activations with correlation $q$ satisfy
# $\E[\sigma(u)\sigma(u')] = \sum_k k!\,s_k^2 q^k$:
#
# $$
# L_N = \tfrac12\|\sigma_*\|^2 - \frac{a}{N}\sum_j \phi(\kappa_j)
#       + \frac{a^2}{2N^2}\sum_{i,j}\sum_k k!\,s_k^2\, q_{ij}^k + \tfrac12\,\text{noise}.
# $$ (eq-set-finite-loss)
#
# We build a network whose $N$ neurons all have alignment $\kappa = 0.6$ and random
# orthogonal parts in dimension $d$, evaluate {eq}`eq-set-finite-loss`, compare it with
# {eq}`eq-set-loss` plus the diagonal correction, and check it against a Monte Carlo
# estimate of $\tfrac12\E[(f-y)^2]$.

# %%
s_ex, c_ex, kappa, a = 0.5, 0.2, 0.6, 1.3
teacher, student = polynomial(0, 1, c_ex), polynomial(0, 1, s_ex)
dyn = ReducedDynamics(teacher, student, eps=0.05)
d, n = P.dim, P.width
ortho = rng.standard_normal((n, d - 1))
ortho /= np.linalg.norm(ortho, axis=1, keepdims=True)
W = np.hstack([np.full((n, 1), kappa), np.sqrt(1 - kappa**2) * ortho])  # theta* = e_1
q = W @ W.T
exact = 0.5 * teacher.norm2() - a * dyn.phi(kappa) + 0.5 * a**2 * np.polynomial.Polynomial(dyn.v)(q).mean()
diag = 0.5 * a**2 * (student.norm2() - dyn.H(kappa)) / n  # the i = j terms
X = rng.standard_normal((P.mc_samples // 20, d))
sq = 0.5 * (a * student(X @ W.T).mean(axis=1) - teacher(X[:, 0])) ** 2
print(f"L (limit) {dyn.loss(kappa, a):.5f}; + diagonal {dyn.loss(kappa, a) + diag:.5f}; "
      f"finite network exact {exact:.5f}; Monte Carlo {sq.mean():.5f} +- {sq.std() / np.sqrt(sq.size):.5f}")
assert abs(exact - (dyn.loss(kappa, a) + diag)) < 10 / (n * np.sqrt(d)) + 5 / d
assert abs(sq.mean() - exact) < 5 * sq.std() / np.sqrt(sq.size)
for name, value in [("limit", dyn.loss(kappa, a)), ("diag", diag), ("exact", exact), ("mc", sq.mean())]:
    glue(f"set-loss-{name}", float(value), display=False)

# %% [markdown]
# The limit formula {eq}`eq-set-loss` gives {glue:text}`set-loss-limit:.4f`. The finite
# network's exact loss is {glue:text}`set-loss-exact:.4f`: the $1/N$ diagonal correction
# ({glue:text}`set-loss-diag:.4f`) accounts for the difference up to terms of order
# $1/(N\sqrt d)$ and $1/d$, and Monte Carlo over inputs ({glue:text}`set-loss-mc:.4f`) agrees
# within its standard error.
#
# ## The reduced dynamics
#
# Training moves each $w_j$ on the sphere along the projected negative gradient and $a$
# along its negative gradient, $\eps$ times slower. With all neurons at alignment $\kappa$,
# the alignment moves on $[-1, 1]$ with the metric of the sphere: the tangent
# component of $\theta_*$ at $w$ has squared length $1 - \kappa^2$. Hence, in the limit made
# precise in {doc}`infinite_width`,
#
# $$
# \dot\kappa = -(1-\kappa^2)\,\partial_\kappa L = a(1-\kappa^2)\big[\phi'(\kappa) - \tfrac12 aH'(\kappa)\big],
# \qquad
# \dot a = -\eps\,\partial_a L = \eps\big[\phi(\kappa) - aH(\kappa)\big],
# $$ (eq-set-reduced)
#
# which is {eq}`eq-intro-reduced`. It is a gradient flow, so $L$ never increases along it.
# The library's vector field is checked here against finite differences of the loss.

# %%
k_pts, a_pts, h = rng.uniform(-0.95, 0.95, 50), rng.uniform(-2, 2, 50), 1e-6
dk, da = dyn.vector_field(k_pts, a_pts)
dL_dk = (dyn.loss(k_pts + h, a_pts) - dyn.loss(k_pts - h, a_pts)) / (2 * h)
dL_da = (dyn.loss(k_pts, a_pts + h) - dyn.loss(k_pts, a_pts - h)) / (2 * h)
assert np.allclose(dk, -(1 - k_pts**2) * dL_dk, atol=1e-7)
assert np.allclose(da, -dyn.eps * dL_da, atol=1e-7)

# %% [markdown]
# ## The running example
#
# Throughout the book the first example is the simplest pair with a nonlinear part:
#
# $$
# \sigma = \He_1 + s\,\He_2, \qquad \sigma_* = \He_1 + c\,\He_2, \qquad s > 0,
# $$ (eq-set-example)
#
# for which $\phi(\kappa) = \kappa + 2sc\,\kappa^2$ and $H(\kappa) = \kappa^2 + 2s^2\kappa^4$.
# The library reproduces these closed forms from the coefficients.

# %%
k = np.linspace(-1, 1, 11)
assert np.allclose(dyn.phi(k), k + 2 * s_ex * c_ex * k**2)
assert np.allclose(dyn.H(k), k**2 + 2 * s_ex**2 * k**4)
kp = k[k > 0]
best_a = dyn.phi(kp) / dyn.H(kp)  # the best second layer at fixed kappa
assert np.allclose(dyn.loss(kp, best_a), 0.5 * teacher.norm2() - 0.5 * dyn.phi(kp) ** 2 / dyn.H(kp))

# %% [markdown]
# The last check is worth a sentence: at fixed $\kappa$ the best second layer is
# $a = \phi/H$, where the loss equals $\tfrac12\|\sigma_*\|^2 - \tfrac12 R(\kappa)$ with
# $R = \phi^2/H$. {numref}`fig-set-landscape` draws the loss landscape of the running example
# with this valley. Its lowest point is not at $\kappa = 1$: already here one can guess that
# a network which first aligns perfectly may later find it profitable to turn away. The
# chapters that follow make that guess precise.

# %%
kk, aa = np.meshgrid(np.linspace(0.02, 1, 200), np.linspace(0, 4, 200))
fig, ax = plt.subplots(figsize=(6, 3.8))
cs = ax.contourf(kk, aa, np.log10(dyn.loss(kk, aa) - dyn.loss(kk, aa).min() + 1e-3), 30, cmap="viridis")
fig.colorbar(cs, label=r"$\log_{10}(L - \min L + 10^{-3})$")
ax.plot(kk[0], dyn.phi(kk[0]) / dyn.H(kk[0]), "w--", label=r"best $a = \phi/H$")
ax.plot(c_ex / s_ex, s_ex / c_ex, "r*", ms=12, label=r"minimum $(c/s,\ s/c)$")
ax.set(xlabel=r"alignment $\kappa$", ylabel="second-layer weight $a$", ylim=(0, 4))
ax.legend(loc="upper right")
glue_figure("fig-set-landscape", fig)
assert abs(dyn.loss(c_ex / s_ex, s_ex / c_ex) - dyn.loss(kk, aa).min()) < 1e-3

# %% [markdown]
# ```{glue:figure} fig-set-landscape
# :name: fig-set-landscape
#
# Loss landscape $L(\kappa, a)$ of the running example ($s = 0.5$, $c = 0.2$). The valley of
# best second layers $a = \phi/H$ (dashed) descends toward the global minimum at
# $\kappa = c/s$, $a = s/c$, not toward perfect alignment.
# ```

# %% [markdown]
# ## Summary
#
# - Teacher: $y = \sigma_*(\langle\theta_*, x\rangle)$ plus noise, with Gaussian inputs.
#   Student: a two-layer mean-field network on the sphere, trained by SGD with first- and
#   second-layer learning rates $\eta N$ and $\eps\,\eta N$.
# - Hermite expansions turn Gaussian expectations into sums of coefficients; Mehler's
#   identity {eq}`eq-set-mehler` says that a neuron at alignment $\kappa$ damps degree $k$ by
#   $\kappa^k$.
# - With a shared alignment the loss is $L(\kappa, a)$ of {eq}`eq-set-loss` and training is
#   its gradient flow {eq}`eq-set-reduced`, fast in $\kappa$ and slow in $a$.
# - In the running example the best fit sits at $\kappa = c/s < 1$ when $c < s$.
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
softplus = HermiteSeries.from_function(lambda u: np.logaddexp(0, u), 40)
print(np.round(softplus.coeffs[:6], 5))
mc = np.mean(np.logaddexp(0, z) ** 2)
print(f"series {softplus.norm2():.5f}  Monte Carlo {mc:.5f}")
assert abs(softplus.norm2() - mc) < 0.01

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ex-set-relu-mehler
#
# Verify Mehler's identity for ReLU at $\kappa = 0.5$ and $z = 1$ by Monte Carlo. Why does a
# truncation at degree 30 suffice here although ReLU's series converges slowly?
# ```
#
# ```{solution-start} ex-set-relu-mehler
# :class: dropdown
# ```

# %%
relu = acts["ReLU"][0]
mc = np.mean(np.maximum(0.5 + np.sqrt(0.75) * xi, 0))
print(f"series {relu.mehler(0.5)(1.0):.5f}  Monte Carlo {mc:.5f}")
assert abs(relu.mehler(0.5)(1.0) - mc) < 5 / np.sqrt(xi.size)

# %% [markdown]
# The smoothing multiplies degree $k$ by $0.5^k$, so the slowly decaying tail of the ReLU
# coefficients is damped geometrically: at $\kappa < 1$ every smooth or kinked activation
# becomes an analytic function of $z$.
#
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ex-set-minimum
#
# For the running example, show that $L$ has its global minimum at $\kappa = c/s$,
# $a = s/c$ when $0 < c < s$, and that the minimum loss is then zero. What does a zero loss
# mean for the network?
# ```
#
# ```{solution-start} ex-set-minimum
# :class: dropdown
# ```

# %% [markdown]
# At $\kappa = c/s$, $a = s/c$ the network's output is $a\sum_k s_k\kappa^k\He_k(z)
# = \tfrac{s}{c}(\tfrac{c}{s}\He_1 + s\tfrac{c^2}{s^2}\He_2) = \He_1 + c\He_2 = \sigma_*(z)$:
# the misaligned, rescaled network reproduces the teacher exactly. Numerically:

# %%
print(f"L(c/s, s/c) = {dyn.loss(c_ex / s_ex, s_ex / c_ex):.2e}")
assert abs(dyn.loss(c_ex / s_ex, s_ex / c_ex)) < 1e-12

# %% [markdown]
# A zero population loss with $\kappa < 1$ means that the teacher's quadratic part is
# produced by the damping $\kappa^2$ of the student's larger quadratic part, at the price of
# a misaligned first layer: a perfect fit does not need the feature.
#
# ```{solution-end}
# ```

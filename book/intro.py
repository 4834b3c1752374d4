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
# # Feature learning and unlearning, fast and slow
#
# A two-layer network is trained on data that depend on the input only through one hidden
# direction. Stochastic gradient descent first turns the neurons toward that direction: the
# network *learns a feature*. Then, while the loss keeps going down, the neurons can slowly
# turn away again and settle at a worse alignment: the network *unlearns* the feature it had.
# This book explains when that happens, why, and how fast, by separating the training
# dynamics into a fast part (the first-layer alignment) and a slow part (the second-layer
# weight).
#
# :::{admonition} What this book is, and what it is not
# :class: important
# The analysis reconstructed here is that of Imai, Nishiyama and Imaizumi,
# *Dichotomy of Feature Learning and Unlearning: Fast-Slow Analysis on Neural Networks with
# Stochastic Gradient Descent* {cite}`imai2026dichotomy`. Only the abstract of that paper is
# available to us. Its headline claims (an infinite-width limit of large-batch SGD, two time
# scales, a critical manifold whose slow flow decides unlearning, scaling laws, and two
# insights about the data's nonlinearity and the initial second-layer scale) are rebuilt here
# **in a model of our own**, stated in {doc}`setting`. Every statement is derived in the
# book and checked by the code that produces its figures. None of our figures is a
# reproduction of a figure of the paper, which we have not seen.
#
# The book was written from *working notes*: a statement of the model, of the results to
# derive, and of a few numbers measured in earlier prototypes. The chapters quote those
# numbers where they test them, and say so plainly where a computation disagrees with the
# notes (for instance on how closely a finite network follows the limit, or on the horizon
# behind a quoted amount of unlearning).
# :::
#
# **What you will learn in this chapter**
#
# - the one-paragraph story of the book, and a first picture of learning followed by
#   unlearning;
# - how the book is organised and how to run and change its chapters.

# %% [markdown]
# ## The story in one figure
#
# The network of this book has one hidden layer of $N$ neurons with unit-norm first-layer
# weights $w_j$ and second-layer weights $a_j$. In the limit of infinitely many neurons, a
# large input dimension and large batches, all neurons share one **alignment**
# $\kappa = \langle w_j, \theta_* \rangle$ with the hidden direction $\theta_*$ and one
# second-layer weight $a$, and training reduces to two ordinary differential equations
# (derived in {doc}`setting`):
#
# $$
# \dot\kappa = a\,(1-\kappa^2)\Big[\phi'(\kappa) - \tfrac12\, a\, H'(\kappa)\Big],
# \qquad
# \dot a = \eps\,\big[\phi(\kappa) - a\, H(\kappa)\big].
# $$ (eq-intro-reduced)
#
# Here $\phi$ measures how much of the target a neuron at alignment $\kappa$ explains, $H$ the
# energy of the network's own output, and $\eps$ the ratio of the second-layer to the
# first-layer learning rate. A small $\eps$ makes $\kappa$ fast and $a$ slow.
#
# We start from the setup: the book's running example, whose parameters live in one cell.
# Under continuous integration (`CI` set) the chapters shrink their sizes; this chapter is
# cheap enough to run in full everywhere.

# %%
from typing import NamedTuple

import matplotlib.pyplot as plt
import numpy as np
from myst_nb import glue

from lib.hermite import polynomial
from lib.manifold import CriticalManifold
from lib.plotting import glue_figure
from lib.reduced import ReducedDynamics


class Params(NamedTuple):
    s: float = 0.5        # student: sigma = He_1 + s He_2
    c: float = 0.2        # teacher: sigma* = He_1 + c He_2
    eps: float = 0.05     # second-layer / first-layer learning-rate ratio
    a0: float = 0.1       # initial second-layer weight
    kappa0: float = 0.01  # initial alignment (about 1/sqrt(d) for a random start)
    t_end: float = 400.0  # time horizon


P = Params()

# %% [markdown]
# The library builds the reduced dynamics from the Hermite coefficients of the teacher and
# of the student, and integrates it.

# %%
teacher, student = polynomial(0, 1, P.c), polynomial(0, 1, P.s)
dyn = ReducedDynamics(teacher, student, eps=P.eps)
manifold = CriticalManifold(dyn)
traj = dyn.integrate(P.kappa0, P.a0, np.linspace(0, P.t_end, 4001))

peak = int(np.argmax(traj.kappa))
kappa_rest = manifold.rest_points()[0]  # where the slow flow comes to rest
glue("intro-peak-kappa", float(traj.kappa[peak]), display=False)
glue("intro-peak-t", float(traj.t[peak]), display=False)
glue("intro-final-kappa", float(traj.kappa[-1]), display=False)
glue("intro-t-end", P.t_end, display=False)
glue("intro-kappa-rest", float(kappa_rest), display=False)

# %% [markdown]
# The claims of the story are checked right here: the alignment gets within $10^{-3}$ of
# perfect, then falls back toward the rest point $\kappa^\circ = c/s$ of the slow flow, while
# the loss never increases.

# %%
assert traj.kappa[peak] > 0.999                       # the feature is learned ...
assert traj.kappa[-1] < traj.kappa[peak] - 0.3         # ... and largely unlearned
assert abs(kappa_rest - P.c / P.s) < 1e-10             # the slow flow rests at c/s
assert traj.kappa[-1] > kappa_rest                     # still on its way there
assert np.all(np.diff(traj.loss) <= 1e-12)             # while the loss keeps decreasing

# %% [markdown]
# The figure below plots the trajectory.

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
ax1.plot(traj.t, traj.kappa, label=r"alignment $\kappa$")
ax1.plot(traj.t, traj.a, label=r"second-layer weight $a$")
ax1.axhline(kappa_rest, ls=":", c="gray", label=r"$\kappa^\circ = c/s$")
ax1.set(xlabel="training time $t$ (learning rate x steps)", ylabel="value",
        title="learning, then unlearning")
ax1.legend(loc="center right")
ax2.plot(traj.t, traj.loss - traj.loss.min(), c="C2")
ax2.set(yscale="log", xlabel="training time $t$", ylabel="loss minus its final value",
        title="the loss decreases throughout")
fig.tight_layout()
glue_figure("fig-intro-story", fig)

# %% [markdown]
# ```{glue:figure} fig-intro-story
# :name: fig-intro-story
#
# The running example of the book ($\sigma = \He_1 + 0.5\,\He_2$,
# $\sigma_* = \He_1 + 0.2\,\He_2$, $\eps = 0.05$, $a_0 = 0.1$), integrated from
# {eq}`eq-intro-reduced`. Left: the alignment rises to
# {glue:text}`intro-peak-kappa:.4f` at $t \approx$ {glue:text}`intro-peak-t:.0f` (feature
# learning) and then decays toward $\kappa^\circ =$ {glue:text}`intro-kappa-rest:.2f`, reaching
# {glue:text}`intro-final-kappa:.3f` at $t =$ {glue:text}`intro-t-end:.0f` (feature
# unlearning). Right: the loss decreases all along: unlearning is not a failure of the
# optimiser but the way it finds a better fit.
# ```
#
# {numref}`fig-intro-story` is the whole phenomenon. The rest of the book explains it:
#
# 1. **Why two equations?** {doc}`setting` states the model and the Hermite algebra;
#    {doc}`infinite_width` derives the limit and measures how finite networks trained by
#    real SGD approach it.
# 2. **Why "fast" and "slow"?** For small $\eps$ the alignment relaxes quickly for a frozen
#    $a$; the rest points of that fast motion form the *critical manifold*, and the slow
#    motion of $a$ drags the system along it ({doc}`fast_slow`).
# 3. **Why unlearning?** The fit that is best at perfect alignment is not the best fit
#    overall when the student's activation has more high-degree energy than the teacher
#    uses; the slow flow then leaves $\kappa = 1$, later than a naive argument predicts.
#    This is the *dichotomy*: whether unlearning happens is decided by the direction of the
#    slow flow at $\kappa = 1$ ({doc}`dichotomy`).
# 4. **How fast?** When unlearning is complete, $a$ grows and $\kappa$ decays as powers of
#    time whose exponents are set by the lowest Hermite degrees of teacher and student
#    ({doc}`scaling_laws`).
# 5. **What helps?** The strength of the data's primary nonlinear term drives unlearning;
#    a larger initial second-layer scale prevents it ({doc}`insights`).
# 6. **Beyond the limit:** finite batches make the neurons move together
#    ({doc}`finite_batch`); finite widths and dimensions, real activations and a two-index
#    teacher are measured in {doc}`beyond`.
#
# The symbols are collected in {doc}`notation`, and {doc}`course` suggests how to teach
# from the book.

# %% [markdown]
# ## How to read and run this book
#
# Every chapter is a notebook stored as a plain Python file (the *percent* format of
# jupytext), so it can be read, diffed and edited as text, or opened in Jupyter as a
# notebook. The computations live in a small library, `lib/`, with one module per idea:
# Hermite algebra (`lib.hermite`), the reduced dynamics (`lib.reduced`), the critical
# manifold (`lib.manifold`), and the network simulation, sweeps and scaling laws of later
# chapters. The library has its own unit tests.
#
# - `make book` sets up a virtual environment and builds this website, executing every
#   chapter at full size.
# - `make test` runs the library's tests and every cell of every chapter; with the
#   environment variable `CI` set, chapters shrink their sizes to run in seconds.
# - Each chapter has one parameters cell near its top. Change it and rerun: every number
#   quoted in the text is computed (glued) from the run, and every claim is an `assert`
#   that fails loudly if your change breaks it.

# %% [markdown]
# ## Summary
#
# - In the limit studied here, training reduces to an alignment $\kappa$ (fast) and a
#   second-layer weight $a$ (slow), equation {eq}`eq-intro-reduced`.
# - In the running example the network first learns the hidden direction and then slowly
#   unlearns part of it while its loss keeps decreasing ({numref}`fig-intro-story`).
# - The book reconstructs, in its own model, the analysis announced in the abstract of
#   {cite}`imai2026dichotomy`; every claim is derived, computed and checked.
#
# ## Exercises
#
# ```{exercise}
# :label: ex-intro-teacher
#
# Raise the teacher's second coefficient from $c = 0.2$ to $c = 0.6$ (above $s = 0.5$) and
# integrate again. Does the network still unlearn? Compare $\kappa$ at the end with its peak.
# ```
#
# ```{solution-start} ex-intro-teacher
# :class: dropdown
# ```

# %%
strong = ReducedDynamics(polynomial(0, 1, 0.6), student, eps=P.eps)
tr = strong.integrate(P.kappa0, P.a0, np.linspace(0, P.t_end, 2001))
print(f"peak {tr.kappa.max():.4f}, final {tr.kappa[-1]:.4f}")
assert tr.kappa[-1] > 0.999  # with c > s the feature is kept

# %% [markdown]
# With $c > s$ the alignment stays at 1: no unlearning. The dividing line $c = s$ is derived
# in the chapter on the dichotomy.
#
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ex-intro-scale
#
# Back to $c = 0.2$, start the second layer at $a_0 = 3$ instead of $0.1$. What happens to
# the alignment? (Hint: compare $a_0$ with $s/c$.)
# ```
#
# ```{solution-start} ex-intro-scale
# :class: dropdown
# ```

# %%
tr = dyn.integrate(P.kappa0, 3.0, np.linspace(0, P.t_end, 2001))
landed = tr.kappa[np.searchsorted(tr.t, 10.0)]  # after the fast phase
print(f"at t = 10: {landed:.4f}, max {tr.kappa.max():.4f}, final {tr.kappa[-1]:.4f}, c/s = {P.c / P.s}")
glue("intro-ex-landed", float(landed), display=False)
glue("intro-ex-final", float(tr.kappa[-1]), display=False)
assert tr.kappa.max() - tr.kappa[-1] < 1e-3   # nothing is unlearned
assert np.all(np.diff(tr.kappa) > -1e-12)      # the alignment never decreases
assert landed < tr.kappa[-1] < P.c / P.s       # it creeps up toward c/s from below

# %% [markdown]
# The fast phase lands the alignment at about {glue:text}`intro-ex-landed:.2f`, below
# $c/s = 0.4$; from there it only creeps up toward $c/s$ (it is at
# {glue:text}`intro-ex-final:.3f` at $t = 400$). A large initial second layer never visits
# $\kappa = 1$, so it has nothing to unlearn. This is the second insight of the book.
#
# ```{solution-end}
# ```

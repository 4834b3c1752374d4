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
# *Dichotomy of Feature Learning and Unlearning: Fast-Slow Analysis on Neural Networks
# with Stochastic Gradient Descent* {cite}`imai2026dichotomy`. Only the abstract of that
# paper is available to us. Its headline claims (an infinite-width limit of large-batch
# SGD, two time scales, a critical manifold whose slow flow decides unlearning, scaling
# laws, and two insights about the data's nonlinearity and the initial second-layer
# scale) are rebuilt here **in a model of our own**, stated in {doc}`setting`. None of
# our figures is a reproduction of a figure of the paper, which we have not seen.
#
# Every claim of the book is checked by the code that produces its figures, but not
# every claim is a theorem. Three steps are of a different kind, and the chapters say so
# where they use them:
#
# - the limit of infinite input dimension, taken after the limit of infinite width, is
#   a **heuristic** (every neuron's orthogonal part is averaged out), checked against
#   finite networks in {doc}`infinite_width`;
# - the delayed loss of stability at $\kappa = 1$ rests on the **entry-exit theorem**
#   of geometric singular perturbation theory, which the book imports from the
#   literature and checks numerically ({doc}`dichotomy`);
# - the finite-batch equations of {doc}`finite_batch` are a **heuristic model** (a
#   closure of the SGD noise by three order parameters), tested against networks.
#
# Everything else (the reduced equations in the limit, the critical manifold, the
# dichotomy criterion, the scaling laws) is derived in the book.
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
# We start from the setup: the book's running example, whose parameters live in one
# cell. Every chapter has such a cell, a `Params` named tuple with commented defaults;
# under continuous integration (`CI` set) the chapters shrink their sizes, and this
# chapter is cheap enough to run in full everywhere.

# %%
import os
from typing import NamedTuple

import matplotlib.pyplot as plt
import numpy as np

from lib.display import report, show_figure, show_params
from lib.hermite import polynomial
from lib.manifold import CriticalManifold
from lib.plotting import A, KAPPA, LOSS, use_book_style
from lib.reduced import ReducedDynamics

use_book_style()


class Params(NamedTuple):
    s: float = 0.5  # student: sigma = He_1 + s He_2
    c: float = 0.2  # teacher: sigma* = He_1 + c He_2
    eps: float = 0.05  # second-layer / first-layer learning-rate ratio
    a0: float = 0.1  # initial second-layer weight
    kappa0: float = 0.01  # initial alignment (about 1/sqrt(d) at random)
    t_end: float = 400.0  # time horizon
    n_t: int = 4001  # reported times


P = Params()
if "CI" in os.environ:  # continuous integration: same sizes,
    P = P._replace()  # the defaults are already cheap (two ODEs)
show_params(P)

# %% [markdown]
# The library builds the reduced dynamics from the Hermite coefficients of the teacher
# and of the student, and integrates it.

# %%
teacher, student = polynomial(0, 1, P.c), polynomial(0, 1, P.s)
dyn = ReducedDynamics(teacher, student, eps=P.eps)
manifold = CriticalManifold(dyn)
traj = dyn.integrate(P.kappa0, P.a0, np.linspace(0, P.t_end, P.n_t))
peak = int(np.argmax(traj.kappa))
rest = manifold.rest_points()  # where the slow flow can rest (maybe nowhere)
kappa_rest = rest[0] if rest.size else np.nan
# the loss the slow flow approaches: at the rest point (kappa, A(kappa)),
# or, without one, the lowest loss of any shared alignment in (0, 1]
k_grid = np.linspace(1e-3, 1, 2001)
loss_limit = (dyn.loss(kappa_rest, manifold.A(kappa_rest)) if rest.size
              else dyn.loss(k_grid, dyn.phi(k_grid) / dyn.H(k_grid)).min())
report(
    ("intro-peak-kappa", traj.kappa[peak], "peak alignment", ".4f"),
    ("intro-peak-t", traj.t[peak], "reached at time t", ".0f"),
    ("intro-final-kappa", traj.kappa[-1], "alignment at the horizon", ".3f"),
    ("intro-t-end", P.t_end, "horizon", ".0f"),
    ("intro-kappa-rest", kappa_rest, "rest point of the slow flow", ".2f"),
)

# %% [markdown]
# The story has two conditions, both derived later in the book: the teacher's $\He_2$
# coefficient lies between $0$ and the student's ($0 < c < s$), so that the best fit
# is reached below perfect alignment, at the rest point $\kappa^\circ = c/s$ of the slow
# flow; and the second layer starts small, below the value $A(1)$ at which perfect
# alignment stops attracting (for the running example $A(1) = (1+4sc)/(1+4s^2)$), so
# that the fast phase first aligns the neurons. Under these conditions the alignment
# climbs close to 1 (above $0.9$, and the closer the smaller $a_0$ and $\eps$) and then
# falls back toward $c/s$. Whatever
# the parameters, the loss never increases: the reduced dynamics is a gradient flow of
# the loss (in a metric of its own, see {doc}`setting`). The claims are checked right
# here.

# %%
story = 0 < P.c < P.s and P.a0 < manifold.transcritical_a()
print("conditions of the story hold:", story)
assert np.all(np.diff(traj.loss) <= 1e-12)  # the loss never increases
if story:
    assert abs(kappa_rest - P.c / P.s) < 1e-10  # the slow flow rests at c/s
    assert traj.kappa[peak] > 0.9  # the feature is learned ...
    assert traj.kappa[-1] < traj.kappa[peak] - 1e-3  # ... then unlearned
    assert traj.kappa[-1] > kappa_rest  # still on its way down to c/s
    assert np.all(traj.loss > loss_limit)  # ... and its loss to the limit

# %% [markdown]
# The figure below plots the trajectory.

# %% tags=["remove-output"]
fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(6.6, 5.6), sharex=True)
ax1.plot(traj.t, traj.kappa, color=KAPPA, label=r"alignment $\kappa$")
ax1.plot(traj.t, traj.a, color=A, label=r"second-layer weight $a$")
if rest.size:
    ax1.axhline(kappa_rest, ls=":", c="0.4", label=r"$\kappa^\circ$")
ax1.set(ylabel="value", title="learning, then unlearning")
top = max(traj.kappa.max(), traj.a.max())
ax1.set_ylim(top=1.35 * top)  # room for the legend above the curves
ax1.legend(loc="upper left", ncols=3)
gap = traj.loss - loss_limit
ax2.plot(traj.t[gap > 0], gap[gap > 0], color=LOSS)
ax2.set(yscale="log", xlabel=r"training time $t$ ($\eta \times$ steps)",
        ylabel=r"$L - L(\kappa^\circ, a^\circ)$",
        title="the loss decreases throughout")
show_figure(fig, "fig-intro-story")

# %% [markdown]
# ```{glue:figure} fig-intro-story
# :name: fig-intro-story
#
# The running example of the book ($\sigma = \He_1 + 0.5\,\He_2$,
# $\sigma_* = \He_1 + 0.2\,\He_2$, $\eps = 0.05$, $a_0 = 0.1$), integrated from
# {eq}`eq-intro-reduced`. Top: the alignment rises to
# {glue:text}`intro-peak-kappa:.4f` at $t \approx$ {glue:text}`intro-peak-t:.0f` (feature
# learning) and then decays toward $\kappa^\circ =$ {glue:text}`intro-kappa-rest:.2f`, reaching
# {glue:text}`intro-final-kappa:.3f` at $t =$ {glue:text}`intro-t-end:.0f` (feature
# unlearning). Bottom: the loss minus its value at the rest point
# $(\kappa^\circ, a^\circ) = (c/s, s/c)$ that the slow flow approaches; it decreases all
# along: unlearning is not a failure of the optimiser but the way it finds a better fit.
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
# 5. **What drives it, and what helps?** Unlearning is driven by the *signed* mismatch
#    between the data's primary nonlinear term and the student's (in the running
#    example, $c < s$): a strong $\He_2$ term of the same sign as the student's prevents
#    it, and for $c \le 0$ nothing prevents it. When $c > 0$, a larger initial
#    second-layer scale ($a_0 \ge s/c$) skips the learning-then-unlearning detour
#    altogether ({doc}`insights`).
# 6. **No linear part?** A teacher whose lowest Hermite degree is two or more makes the
#    network search before it learns, and can split its neurons into two populations
#    that no single alignment describes ({doc}`no_linear_part`).
# 7. **Beyond the limit:** finite batches make the neurons move together
#    ({doc}`finite_batch`); finite widths and dimensions, real activations and a two-index
#    teacher are measured in {doc}`beyond`.
#
# The symbols are collected in {doc}`notation`, and {doc}`course` suggests how to teach
# from the book.

# %% [markdown]
# ## Where this book sits
#
# The words *feature unlearning* were coined by Montanari and Urbani
# {cite}`montanari2025dynamical` in a different setting: gradient flow on a finite
# training set whose size grows with the dimension, analysed by dynamical mean-field
# theory. There the network first learns features and later, as it starts to overfit,
# drifts back toward a kernel-like regime. The unlearning of this book has another
# origin: the training data are fresh at every step (online SGD), nothing is overfitted,
# and the population loss keeps decreasing while the alignment falls. It is the best
# fit of a mismatched student, found slowly.
#
# Separating the time scales of the two layers is an old idea with a recent literature.
# Berthier, Montanari and Zhou {cite}`berthier2023learning` study the gradient flow of
# two-layer networks on single-index targets as a singularly perturbed system and derive
# the time scales of learning from it. Marion and Berthier
# {cite}`marion2023leveraging` and Barboni, Peyré and Vialard {cite}`barboni2025ultrafast`
# use the opposite regime, an output layer much *faster* than the first one, to prove
# convergence: the output layer is then always at its optimum for the current
# features. Here the output layer is the *slow* one, and its slow drift is what moves
# the features after they have been learned.
#
# The reduction of SGD to a few summary statistics (here the alignment $\kappa$ and
# the weight $a$) that follow an ordinary differential equation in high dimension is
# the program of Ben Arous, Gheissari and Jagannath
# {cite}`benarous2021online,benarous2022high`, who also showed that the lowest Hermite
# degree of the target that a neuron can see (the *information exponent*) sets how long
# the search for the hidden direction takes. Most of the book's teachers have degree
# one, where there is no search phase; {doc}`no_linear_part` takes up teachers without
# a linear part, their search phase, and what it does to learning and unlearning. For
# targets of several directions, Abbe, Boix-Adserà and Misiakiewicz {cite}`abbe2023sgd`
# describe SGD as a sequence of plateaus and escapes (saddle-to-saddle dynamics); Ba et
# al. {cite}`ba2022high` show how much a single large gradient step already aligns the
# first layer; and Veiga et al. {cite}`veiga2022phase` map the regimes of online SGD in
# two-layer networks by learning rate and width, among them regimes where the SGD noise
# cannot be neglected (the noise that {doc}`finite_batch` models). Finally, the $1/N$
# output scaling with learning rates proportional to $N$ is the maximal-update parametrisation of Yang and Hu
# {cite}`yang2021tensor`, which coincides with the mean-field limit of two-layer
# networks {cite}`mei2018mean,chizat2018global,rotskoff2022trainability`; it is what
# makes the limit of infinite width a theorem ({doc}`infinite_width`).

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
# - `make lab` opens the chapters as notebooks in JupyterLab, in the book's own virtual
#   environment: run them, change them, save them (the `.py` file is written back).
# - `make book` builds the book as a website, executing every chapter at full size;
#   `make pdf` builds it as a PDF, and `make students` an edition without solutions.
# - `make test` runs the library's tests and every cell of every chapter; with the
#   environment variable `CI` set, chapters shrink their sizes to run in seconds.
# - Each chapter has one parameters cell near its top. Change a default and rerun: the
#   figures, the numbers printed under the cells and quoted in the text, and the
#   `assert`s that check the chapter's claims all follow. An assert checks a claim in
#   the form in which it holds for every parameter the claim covers; where a claim needs
#   a condition (such as $c < s$), the text says so and the cell checks the condition
#   first.

# %% [markdown]
# ## Summary
#
# - In the limit studied here, training reduces to an alignment $\kappa$ (fast) and a
#   second-layer weight $a$ (slow), equation {eq}`eq-intro-reduced`.
# - In the running example the network first learns the hidden direction and then slowly
#   unlearns part of it while its loss keeps decreasing ({numref}`fig-intro-story`).
# - The book reconstructs, in its own model, the analysis announced in the abstract of
#   {cite}`imai2026dichotomy`. Every claim is computed and checked; all are derived
#   except three steps named in the first box of this introduction (the
#   large-dimension limit, the entry-exit theorem, the finite-batch closure).
#
# ## Exercises
#
# ```{exercise}
# :label: ex-intro-teacher
#
# Raise the teacher's second coefficient above the student's, to $c = s + 0.1$, that
# is $c = 0.6$ for the running example, and integrate again. Does the network still
# unlearn? Compare $\kappa$ at the end with its peak.
# ```
#
# ```{solution-start} ex-intro-teacher
# :class: dropdown
# ```

# %%
strong = ReducedDynamics(polynomial(0, 1, P.s + 0.1), student, eps=P.eps)
tr = strong.integrate(P.kappa0, P.a0, np.linspace(0, P.t_end, P.n_t))
report((None, tr.kappa.max(), "peak alignment", ".4f"),
       (None, tr.kappa[-1], "final alignment", ".4f"))
# the claim holds when the fast phase aligns fully, a0 < A(1)
if P.a0 < CriticalManifold(strong).transcritical_a():
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
# Back to the running example, start the second layer at $a_0 = 1.5\,s/c$ ($3.75$)
# instead of $0.1$. What happens to the alignment? (Hint: $s/c$ is the second-layer
# weight at the rest point of the slow flow.)
# ```
#
# ```{solution-start} ex-intro-scale
# :class: dropdown
# ```

# %%
# above s/c, the second-layer weight at the rest point of the slow flow
a0_big = 1.5 * P.s / P.c if 0 < P.c < P.s else 3.0
tr = dyn.integrate(P.kappa0, a0_big, np.linspace(0, P.t_end, P.n_t))
landed = tr.kappa[np.searchsorted(tr.t, 10.0)]  # after the fast phase
report(
    ("intro-ex-landed", landed, "alignment at t = 10", ".4f"),
    (None, tr.kappa.max(), "largest alignment", ".4f"),
    ("intro-ex-final", tr.kappa[-1], "final alignment", ".4f"),
    (None, P.c / P.s, "c/s", ".4f"),
)
if 0 < P.c < P.s:  # the claim concerns a rest point c/s inside (0, 1)
    assert tr.kappa.max() - tr.kappa[-1] < 1e-3  # nothing is unlearned
    assert np.all(np.diff(tr.kappa) > -1e-12)  # it never decreases
    assert landed < tr.kappa[-1] < P.c / P.s  # it creeps up toward c/s

# %% [markdown]
# The fast phase lands the alignment at about {glue:text}`intro-ex-landed:.2f`, below
# $c/s$; from there it only creeps up toward $c/s$ (it is at
# {glue:text}`intro-ex-final:.3f` at the horizon). A large initial second layer never
# visits $\kappa = 1$, so it has nothing to unlearn. This is the second insight of the
# book.
#
# ```{solution-end}
# ```

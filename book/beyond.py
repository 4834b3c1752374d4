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
# # Finite width, real activations and beyond two layers
#
# The dichotomy was derived for $N, d \to \infty$, polynomial activations and a
# single-index teacher. This chapter measures what happens when each of these is relaxed,
# one at a time, with the tools of the earlier chapters: the reduced ODE
# (`lib.reduced`), its critical manifold (`lib.manifold`) and finite networks
# (`lib.simulate`). The previous chapter did the same for the batch size.
#
# **What you will learn.**
# - How far the alignments of individual neurons spread at finite $N$ and $d$, how that
#   spread scales, and when a finite network leaves the limit (late, on the interior branch).
# - For ReLU, tanh, erf and GELU students and teachers: the criterion's verdict, the
#   integrated ODE's verdict and the network's verdict side by side, computed.
# - Why the constant Hermite mode of ReLU arrests unlearning, and why the odd pairs of these
#   activations do not fall in the slow $t^{1/4}$ class.
# - That unlearning also appears with a two-index teacher, after the neurons first align
#   with the teacher's linear direction and then spread inside its subspace.

# %% [markdown]
# ## Parameters
#
# Small networks throughout; under CI, fewer and smaller ones.

# %%
import os
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML, display
from myst_nb import glue

from lib import hermite
from lib.beyond import html_table, simulate_multi_index, unlearned_amount
from lib.manifold import CriticalManifold
from lib.plotting import glue_figure
from lib.reduced import ReducedDynamics
from lib.scaling import scaling_law
from lib.simulate import simulate_network


@dataclass(frozen=True)
class Params:
    s: float = 0.5                        # running example: student He_2 coefficient
    c: float = 0.2                        # running example: teacher He_2 coefficient
    eps: float = 0.05                     # learning-rate ratio of the running example
    a0: float = 0.1                       # initial second-layer weight
    lr: float = 0.1                       # SGD learning rate
    ratio: int = 4                        # B/d (little SGD noise, see the previous chapter)
    dims: tuple = (32, 64, 128)           # d at fixed width
    widths: tuple = (32, 128, 512)        # N at fixed d = 64
    width: int = 128                      # N at varying d
    seeds: int = 4                        # seeds for the finite-size statistics
    time: float = 100.0                   # horizon of the finite-size runs
    act_eps: float = 0.1                  # eps of the activation runs (faster slow phase)
    act_time: float = 200.0               # horizon of the activation runs
    act_net: tuple = (128, 64)            # (N, d) of the activation runs
    act_pairs: tuple = None               # None: all 16 pairs
    threshold: float = 0.02               # "unlearns": the alignment drops by more than this
    multi_net: tuple = (128, 64)          # (N, d) of the two-index runs
    multi_time: float = 200.0


CI = "CI" in os.environ
CI_PAIRS = (("tanh", "relu"), ("erf", "relu"), ("erf", "tanh"), ("tanh", "erf"), ("relu", "tanh"), ("gelu", "gelu"))
P = (Params(dims=(32, 64), widths=(32, 128), seeds=2, act_net=(64, 32), act_pairs=CI_PAIRS,
            multi_net=(64, 32), multi_time=150.0) if CI else Params())
T0, S0 = hermite.polynomial(0, 1, P.c), hermite.polynomial(0, 1, P.s)

# %% [markdown]
# ## Finite width and dimension
#
# We train the running example at $B/d =$ {glue:text}`bw-ratio` (little SGD noise) for
# several $d$ at fixed $N$ and several $N$ at fixed $d$, and record three things: the spread
# of $\kappa_j$ across the neurons of one network, the spread of the mean alignment across
# seeds, and the gap between the seed-mean alignment and the reduced ODE.

# %%
glue("bw-ratio", P.ratio, display=False)
ode = ReducedDynamics(T0, S0, eps=P.eps)


def finite(n, d):
    run = simulate_network(T0, S0, width=n, dim=d, batch=P.ratio * d, lr=P.lr, eps=P.eps, a0=P.a0,
                           time=P.time, seeds=P.seeds, record_every=2.0)
    return run, ode.integrate(0.01, P.a0, run.t)


sizes = [(P.width, d) for d in P.dims] + [(n, 64) for n in P.widths if n != P.width]
fin = {nd: finite(*nd) for nd in sizes}

# %% [markdown]
# On the plateau ($t = 40$, after the alignment, before unlearning) and at the end of the
# run:

# %%
i40 = int(np.searchsorted(fin[sizes[0]][0].t, 40.0))
stats = {}
for (n, d), (run, o) in fin.items():
    stats[n, d] = dict(deficit=1 - run.kappa_mean[:, i40].mean(), neuron=run.kappa_std[:, i40].mean(),
                       seed=run.kappa_mean[:, i40].std(), neuron_end=run.kappa_std[:, -1].mean(),
                       gap_end=abs(run.kappa_mean[:, -1].mean() - o.kappa[-1]),
                       flipped=np.sum(run.kappa_final < 0) / run.kappa_final.shape[0])
cols = ("deficit", "neuron", "seed", "neuron_end", "gap_end", "flipped")
display(HTML(html_table(
    ["N", "d", "1-κ at t=40", "std_j κ_j, t=40", "std over seeds, t=40", "std_j κ_j, end", "gap to ODE, end",
     "neurons with κ_j<0 at the end, per network"],
    [[n, d] + [f"{stats[n, d][c]:.2e}" for c in cols[:-1]] + [f"{stats[n, d]['flipped']:.2f}"] for n, d in sizes])))

# %% [markdown]
# The dependence on $d$ at fixed $N$, as log-log slopes:

# %%
ds = np.array(P.dims, dtype=float)
slope = {c: np.polyfit(np.log(ds), np.log([stats[P.width, d][c] for d in P.dims]), 1)[0]
         for c in ("deficit", "neuron", "gap_end")}
for c, v in slope.items():
    glue(f"bw-slope-{c}", float(v), display=False)
print({c: round(v, 2) for c, v in slope.items()})
assert slope["deficit"] < -0.5 and slope["neuron"] < slope["deficit"]  # the spread falls faster

# %% [markdown]
# On the plateau the finite network sits below $\kappa = 1$ by an amount that falls with $d$
# (slope {glue:text}`bw-slope-deficit:.2f` in log-log), and the spread of the neurons'
# alignments falls faster (slope {glue:text}`bw-slope-neuron:.2f`): each neuron keeps an
# orthogonal part of squared size of order $1/d$, a fluctuation that the $d \to \infty$
# limit drops. It is not the SGD noise of the previous chapter: $B/d$, hence
# $\lambda = \eta d/B$, is the same at every $d$ here. At fixed $d$
# the width barely changes the deficit; the spread, however, can grow with $N$ through rare
# neurons that end on the wrong side, $\kappa_j < 0$ (last column, per network): a
# configuration outside the one-$\kappa$ limit, which we only record here. A floor of this kind cuts off the exponentially small
# distance to $\kappa = 1$ on which the delayed exit of {doc}`dichotomy` rests (the
# per-neuron noise floor of the previous chapter does exactly that); we have not measured
# the delay against $d$ here. Late in the run, on the
# interior branch, the neurons spread more (last columns) and the gap to the ODE grows: it
# falls with $d$ with slope {glue:text}`bw-slope-gap_end:.2f`. {numref}`fig-bw-finite` shows
# the gap over time.

# %%
fig, ax = plt.subplots(figsize=(6.5, 3.6))
for (n, d) in sizes:
    run, o = fin[n, d]
    ax.semilogy(run.t, np.abs(run.kappa_mean.mean(0) - o.kappa) + 1e-5, label=f"N={n}, d={d}")
ax.set(xlabel="time $t$", ylabel=r"$|\kappa_{net} - \kappa_{ODE}|$")
ax.legend(fontsize=8)
glue_figure("fig-bw-finite", fig)

# %% [markdown]
# ```{glue:figure} fig-bw-finite
# :name: fig-bw-finite
#
# Gap between the seed-mean alignment of finite networks and the reduced ODE (running
# example, $B/d = 4$). It is largest during the fast alignment (the networks start from
# random $\kappa_j$ of size $d^{-1/2}$), small on the plateau, and grows again once the
# network unlearns, where $a$ is large and the neurons spread.
# ```

# %% [markdown]
# ## Real activations
#
# ReLU, tanh, erf and GELU through their Hermite coefficients (`lib.hermite`), each as
# student and as teacher. For every pair the table gives
#
# - the **criterion**: unlearning iff $R'(1) < 0$, i.e. the teacher-weighted mean Hermite
#   degree $\sum_k k u_k/\sum_k u_k$ is below the student's $\sum_k k v_k/\sum_k v_k$;
# - the **integrated** verdict: the reduced ODE at $\eps =$ {glue:text}`bw-act-eps` from
#   $a_0 = 0.1$; it unlearns if $\max_t\kappa - \kappa(\text{end})$ exceeds
#   {glue:text}`bw-thr`, at the network's horizon and at a horizon 15 times longer;
# - the **network** verdict: the same statistic (`lib.beyond.unlearned_amount`, which
#   smooths over 5 records) for finite networks at the network's horizon.

# %%
glue("bw-act-eps", P.act_eps, display=False)
glue("bw-thr", P.threshold, display=False)
acts = {"relu": hermite.relu(20), "tanh": hermite.tanh(15), "erf": hermite.erf(15), "gelu": hermite.gelu(15)}
pairs = P.act_pairs or tuple((s, t) for s in acts for t in acts)
t_net = np.arange(0, P.act_time + 1, 2.0)
t_long = np.linspace(0, 15 * P.act_time, 1501)


def verdicts(sname, tname):
    dyn = ReducedDynamics(acts[tname], acts[sname], eps=P.act_eps)
    v = CriticalManifold(dyn).verdict()
    short, long = (dyn.integrate(0.01, P.a0, t).kappa for t in (t_net, t_long))
    n, d = P.act_net
    run = simulate_network(acts[tname], acts[sname], width=n, dim=d, batch=P.ratio * d, lr=P.lr,
                           eps=P.act_eps, a0=P.a0, time=P.act_time, seeds=2, record_every=2.0)
    return dict(v=v, ode=unlearned_amount(short), ode_long=unlearned_amount(long),
                net=unlearned_amount(run.kappa_mean.mean(0)))


table = {p: verdicts(*p) for p in pairs}

# %% [markdown]
# The table is built from the dictionary above, not typed; drops in parentheses:

# %%
yes = lambda x: "unlearns" if x else "keeps"
verdict = lambda x, amount: f"{yes(x)} ({amount:.3f})"
rows = [[s, t, f"{r['v'].teacher_degree:.3f}", f"{r['v'].student_degree:.3f}", yes(r["v"].unlearns),
         verdict(r["ode_long"] > P.threshold, r["ode_long"]), verdict(r["ode"] > P.threshold, r["ode"]),
         verdict(r["net"] > P.threshold, r["net"])] for (s, t), r in table.items()]
display(HTML(html_table(["student", "teacher", "teacher degree", "student degree", "criterion",
                         "ODE, long", "ODE, network horizon", "network"], rows)))

# %% [markdown]
# Checked: the criterion agrees with the long integration for every pair, and the network
# agrees with the ODE at its own horizon wherever the ODE's drop is clearly away from the
# threshold (more than twice it, or less than half of it).

# %%
agree_net, clear = 0, 0
for (s, t), r in table.items():
    assert r["v"].unlearns == (r["ode_long"] > P.threshold), (s, t)
    if r["ode"] > 2 * P.threshold or r["ode"] < P.threshold / 2:
        clear += 1
        assert (r["net"] > P.threshold) == (r["ode"] > P.threshold), (s, t, r)
glue("bw-n-pairs", len(table), display=False)
glue("bw-n-agree", int(sum((r["net"] > P.threshold) == (r["ode"] > P.threshold) for r in table.values())), display=False)
glue("bw-n-clear", clear, display=False)

# %% [markdown]
# Behind the table, for all 16 pairs: the criterion, the rest points of the slow flow, and the
# class of the slow field near $\kappa = 0$ from its expansion (`lib.scaling`, as in
# {doc}`scaling_laws`).

# %%
crit = {(s, t): CriticalManifold(ReducedDynamics(acts[t], acts[s])) for s in acts for t in acts}
laws = {p: scaling_law(m.dyn) for p, m in crit.items()}
odd = ("tanh", "erf")
assert not any(crit["relu", t].verdict().unlearns for t in acts)  # ReLU student: never
assert all(crit["relu", t].verdict().student_degree < crit["relu", t].verdict().teacher_degree
           for t in ("tanh", "erf", "gelu"))
for (s, t), law in laws.items():
    if s in odd and t in odd:  # C = -12 s_3 c_3 < 0: pushed back, no t^(1/4) law
        assert law.kind == "bounded" and law.order == 3 and law.coefficient < 0, (s, t)
    if s in odd and t in ("relu", "gelu"):  # complete, kappa ~ t^(-1/6)
        assert crit[s, t].verdict().unlearns and crit[s, t].rest_points().size == 0
        assert law.kind == "complete" and law.p == 6, (s, t)
    if s == "gelu" and t != "gelu":  # partial: an interior rest point
        assert crit[s, t].verdict().unlearns and crit[s, t].rest_points().size == 1, t
rest_et = crit["erf", "tanh"].rest_points()
assert crit["erf", "tanh"].verdict().unlearns and rest_et.size == 1
assert not crit["tanh", "erf"].verdict().unlearns
glue("bw-relu-deg", float(crit["relu", "tanh"].verdict().student_degree), display=False)
glue("bw-erf-tanh-rest", float(rest_et[0]), display=False)
print({p: (law.kind, law.p) for p, law in laws.items()})

# %% [markdown]
# Of the {glue:text}`bw-n-pairs` pairs, {glue:text}`bw-n-clear` are clear-cut at the network
# horizon, and networks and ODE agree on all of them; over all pairs they agree on
# {glue:text}`bw-n-agree`. What the table shows:
#
# - **A ReLU student never unlearns against these teachers.** Its Hermite series has a
#   constant term $s_0 = 1/\sqrt{2\pi}$ and no odd terms beyond $\He_1$, so its mean
#   degree $\sum_k k v_k/\sum_k v_k$ is pulled down by $v_0 = s_0^2$ to
#   {glue:text}`bw-relu-deg:.3f`, below the teacher degree of the tanh, erf and GELU
#   teachers (and equal to ReLU's own).
# - **Odd pairs** (tanh, erf) have $u_2 = 0$, and since both activations have a negative
#   $\He_3$ coefficient, the next coefficient of the slow field near $\kappa = 0$,
#   $C = u_1v_2/v_1 - 2u_3 = -12\,s_3c_3$, is negative too: $a$ is pushed back there
#   ({doc}`scaling_laws`), so none of these pairs unlearns completely and none is in the
#   $t^{1/4}$ class. The one that unlearns, an erf student against a tanh teacher, does so
#   *partially*, to the interior rest point $\kappa^\circ =$ {glue:text}`bw-erf-tanh-rest:.3f`
#   of its slow flow: a drop below the threshold at the network's horizon that only appears
#   in the long integration. A tanh student against an erf teacher keeps its feature.
# - **A student against its own activation** has $R'(1) = 0$: the boundary case, no
#   unlearning.
# - **Odd students against ReLU or GELU teachers** unlearn strongly: the teacher's weight
#   sits in degree 1 (its even part is invisible to an odd student), the student's does not.
#   The unlearning is complete ($\phi = u_1\kappa$, so $R = u_1^2/(v_1 + v_3\kappa^4 +
#   \dots)$ decreases on all of $(0, 1]$), and slower than $t^{-1/4}$: $u_2 = C = 0$, the
#   slow field starts at $\kappa^5$, and the power law of {prf:ref}`prop-sl-law` has
#   $p = 6$, $\kappa \sim t^{-1/6}$.
# - **A GELU student** (mean degree above 1, but a constant mode like ReLU's) unlearns
#   against the ReLU, tanh and erf teachers, partially: the slow flow stops at an interior
#   rest point, as in the next section.

# %% [markdown]
# ## The constant mode of ReLU arrests unlearning
#
# A constant term in the student changes the slow equation. With $s_0 \ne 0$ and $c_0 = 0$,
# $H(\kappa) = v_0 + v_1\kappa^2 + \dots$ with $v_0 = s_0^2 > 0$, and
#
# $$
# \dot a = \eps\left[\phi(\kappa) - a\,v_0 - a\sum_{k\ge1} v_k\kappa^{2k}\right]:
# $$ (eq-bw-decay)
#
# the constant acts as a weight decay of strength $\eps v_0$ on $a$. Complete unlearning needs
# $a \to \infty$ as $\kappa \to 0$ (the network goes lazy), which the decay forbids: $R =
# \phi^2/H$ now has $R(0) = 0$ and an interior maximum, where the slow flow stops. To see
# it, take a teacher whose quadratic term opposes ReLU's, $\sstar = \He_1 - 0.3\He_2$, and
# compare ReLU with its centred version ($s_0$ removed).

# %%
relu = acts["relu"]
centred = hermite.HermiteSeries(np.r_[0.0, relu.coeffs[1:]])
teacher = hermite.polynomial(0, 1, -0.3)
t_log = np.geomspace(1, 1e5 if not CI else 3e4, 200)
arrest = {name: ReducedDynamics(teacher, s, eps=P.eps) for name, s in (("ReLU", relu), ("centred ReLU", centred))}
curves = {name: dyn.integrate(0.01, P.a0, t_log) for name, dyn in arrest.items()}
rest = CriticalManifold(arrest["ReLU"]).rest_points()
tail = slice(-50, None)
decay = np.polyfit(np.log(t_log[tail]), np.log(curves["centred ReLU"].kappa[tail]), 1)[0]

# %% [markdown]
# {numref}`fig-bw-relu` shows both.

# %%
fig, ax = plt.subplots(figsize=(6.5, 3.6))
for name, tr in curves.items():
    ax.loglog(t_log, tr.kappa, label=name)
ax.axhline(rest[-1], color="gray", ls=":", label="rest point of the slow flow (ReLU)")
ax.set(xlabel="time $t$", ylabel=r"alignment $\kappa$", ylim=(0.05, 1.2))
ax.legend(fontsize=8)
glue_figure("fig-bw-relu", fig)
glue("bw-relu-rest", float(rest[-1]), display=False)
glue("bw-relu-slope", float(decay), display=False)
assert abs(curves["ReLU"].kappa[-1] - rest[-1]) < 1e-3
assert abs(decay + 1 / 3) < 0.03

# %% [markdown]
# ```{glue:figure} fig-bw-relu
# :name: fig-bw-relu
#
# Reduced ODE, teacher $\He_1 - 0.3\He_2$, $\eps = 0.05$. The centred ReLU unlearns
# completely, $\kappa \sim t^{-1/3}$; ReLU's constant mode stops the slide at the interior
# maximum of $R$.
# ```
#
# Both students unlearn (both criteria say so), but ReLU stops at $\kappa =$
# {glue:text}`bw-relu-rest:.3f`, the rest point of its slow flow, while the centred ReLU
# keeps going with slope {glue:text}`bw-relu-slope:.3f` in log-log: the $-1/3$ law of a
# primary nonlinear term opposing the student's.

# %% [markdown]
# ## Beyond a single index: a two-index teacher
#
# We pick one extension and keep it modest: the same two-layer student, with the teacher
# $y = \frac1{\sqrt2}[\sstar(\langle\theta_1, x\rangle) + \sstar(\langle\theta_2,
# x\rangle)]$, $\sstar = \He_1 + c\He_2$ of the running example. There is no reduced ODE
# for it in this book; we only measure, with the numpy simulator
# `lib.beyond.simulate_multi_index` (the same spherical SGD), the alignment of each
# neuron with the teacher subspace, $|P_\Theta w_j|$, and with the direction of the
# teacher's linear part, $\bar\theta = (\theta_1 + \theta_2)/\sqrt2$. One index ($m = 1$) is
# the running example and serves as a reference.

# %%
n, d = P.multi_net
multi = {m: simulate_multi_index(T0, S0, n_index=m, width=n, dim=d, batch=P.ratio * d, lr=P.lr,
                                 eps=P.eps, a0=P.a0, time=P.multi_time, record_every=2.0)
         for m in (1, 2)}

# %% [markdown]
# {numref}`fig-bw-multi` shows the two runs.

# %%
fig, ax = plt.subplots(figsize=(6.5, 3.6))
ax.plot(multi[1].t, multi[1].subspace, "k", lw=1, label="one index: $\\kappa$")
ax.plot(multi[2].t, multi[2].subspace, "C0", label=r"two indices: $|P_\Theta w_j|$")
ax.plot(multi[2].t, multi[2].linear, "C1--", label=r"two indices: $\langle w_j, \bar\theta\rangle$")
ax.set(xlabel="time $t$", ylabel="mean alignment")
ax.legend(fontsize=8)
glue_figure("fig-bw-multi", fig)

# %% [markdown]
# ```{glue:figure} fig-bw-multi
# :name: fig-bw-multi
#
# Spherical SGD on a two-index teacher (running-example link in each direction,
# $B/d = 4$): the neurons first align with the linear direction $\bar\theta$, then spread
# inside the teacher subspace (the subspace alignment stays near 1 while the alignment with
# $\bar\theta$ falls), and then leave the subspace: unlearning.
# ```

# %%
peak2, drop2 = float(np.max(multi[2].subspace)), unlearned_amount(multi[2].subspace)
i_peak = int(np.argmax(multi[2].subspace))
glue("bw-m-peak", peak2, display=False)
glue("bw-m-drop", drop2, display=False)
glue("bw-m-drop1", unlearned_amount(multi[1].subspace), display=False)
glue("bw-m-lin", float(multi[2].linear[i_peak]), display=False)
assert peak2 > 0.95 and drop2 > 0.1
assert multi[2].linear[i_peak] < peak2 - 0.03  # at the peak the neurons are already spread in the plane

# %% [markdown]
# Unlearning appears with two indices as well: the subspace alignment peaks at
# {glue:text}`bw-m-peak:.3f` and then drops by {glue:text}`bw-m-drop:.2f` by the end of
# the run (one index: {glue:text}`bw-m-drop1:.2f`). It comes later than with one index, after
# an intermediate phase in which the neurons rotate inside the subspace (at the peak their
# alignment with $\bar\theta$ is down to {glue:text}`bw-m-lin:.2f`). A two-index version
# of the fast-slow analysis would need the overlaps with both directions as fast
# variables; we leave it open.

# %% [markdown]
# ## Summary
#
# - Finite $d$ puts a floor of order $1/d$ under $1 - \kappa$ and a spread under the
#   neurons' alignments; the width matters less. Networks depart most from the limit during
#   the fast alignment and late, on the interior branch.
# - For the four common activations the criterion, the long integration and the networks
#   agree wherever the verdict is clear-cut at the networks' horizon. A ReLU student never
#   unlearns against these teachers; its constant mode acts as a weight decay on $a$ and
#   stops unlearning that does happen (against $\He_1 - 0.3\He_2$) at an interior rest
#   point.
# - The odd pairs of tanh and erf have $u_2 = 0$ but a negative cubic coefficient of the
#   slow field near $\kappa = 0$: they unlearn at most partially (erf student, tanh
#   teacher). Odd students against ReLU or GELU teachers unlearn completely, in the slower
#   $t^{-1/6}$ class.
# - A two-index teacher also produces unlearning, after a phase of rotation inside the
#   teacher subspace.

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-bw-ortho
#
# Estimate the plateau deficit $1 - \kappa$ of a network with $d = 64$ from the table and
# compare with $1/d$. What would make the orthogonal part of a neuron smaller than $1/d$?
# ```
#
# ```{solution-start} ex-bw-ortho
# :class: dropdown
# ```
#
# The ratio of the measured deficit to $1/d$:

# %%
prefactor = [stats[n_, d_]["deficit"] * d_ for n_, d_ in sizes]
for (n_, d_), p_ in zip(sizes, prefactor):
    print(f"N={n_}, d={d_}: (1 - kappa) * d = {p_:.2f}")
glue("bw-prefactor", float(np.median(prefactor)), display=False)
assert max(prefactor) < 3 * min(prefactor)

# %% [markdown]
# It is roughly the same at every size: the deficit is a $1/d$ effect with a prefactor of
# about {glue:text}`bw-prefactor:.2f`. Only a drive that does not vanish at
# $\kappa = 1$ (or a longer plateau, which lets the $1-\kappa^2$ drive act longer) would shrink it.
#
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ex-bw-gelu
#
# Use the criterion to decide whether a GELU student unlearns against the teacher
# $\He_1 + 0.3\He_3$, and confirm with the reduced ODE.
# ```
#
# ```{solution-start} ex-bw-gelu
# :class: dropdown
# ```

# %%
dyn = ReducedDynamics(hermite.polynomial(0, 1, 0, 0.3), acts["gelu"], eps=P.act_eps)
v = CriticalManifold(dyn).verdict()
drop = unlearned_amount(dyn.integrate(0.01, P.a0, t_long).kappa)
print(v, f"drop = {drop:.3f}")
assert v.unlearns == (drop > P.threshold)

# %% [markdown]
# ```{solution-end}
# ```

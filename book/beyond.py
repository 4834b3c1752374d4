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
# **What you will learn in this chapter**
#
# - How far a finite network stays from $\kappa = 1$ on the plateau, split into a part
#   common to all neurons (set by the batch) and a private part (set by the dimension,
#   through the spread of the second-layer weights), and when a finite network leaves
#   the limit (late, on the interior branch).
# - For ReLU, tanh, erf and GELU students and teachers: the criterion's verdict, the
#   integrated ODE's verdict and the network's verdict side by side, computed.
# - Why the constant Hermite mode of ReLU arrests unlearning, and why the odd pairs of
#   these activations do not fall in the slow $t^{1/4}$ class.
# - That unlearning also appears with a two-index teacher, after the neurons first align
#   with the teacher's linear direction and then spread inside its subspace.

# %% [markdown]
# ## Parameters
#
# Small networks throughout; under CI, fewer and smaller ones, and six of the sixteen
# activation pairs.

# %%
import os
from typing import NamedTuple

import matplotlib.pyplot as plt
import numpy as np

from lib import hermite
from lib.beyond import simulate_multi_index, unlearned_amount
from lib.display import Md, plural, report, show_figure, show_params, table
from lib.finite_batch import private_deficit
from lib.manifold import CriticalManifold
from lib.plotting import (
    KAPPA, NETWORK, THEORY, ordered_colors, use_book_style)
from lib.reduced import ReducedDynamics
from lib.scaling import scaling_law
from lib.simulate import simulate_network

use_book_style()


def as_math(value, fmt=".2f"):
    """A number as math, so that a negative one gets a real minus."""
    return Md(f"${value:{fmt}}$")


class Params(NamedTuple):
    s: float = 0.5  # running example: student sigma = He_1 + s He_2
    c: float = 0.2  # running example: teacher sigma* = He_1 + c He_2
    eps: float = 0.05  # learning-rate ratio of the running example
    a0: float = 0.1  # initial second-layer weight
    kappa0: float = 0.01  # initial alignment of the ODEs
    lr: float = 0.1  # SGD learning rate
    ratio: int = 4  # B/d (little SGD noise, see the previous chapter)
    dims: tuple = (32, 64, 128, 256)  # d at fixed width
    widths: tuple = (32, 128, 512)  # N at fixed d = width_dim
    width: int = 128  # N at varying d
    width_dim: int = 64  # d at varying N
    seeds: int = 4  # seeds for the finite-size statistics
    time: float = 100.0  # horizon of the finite-size runs
    record_every: float = 2.0  # time between two records of a network
    window: float = 5.0  # half-width of the time window around the dip
    act_eps: float = 0.1  # eps of the activation runs (faster slow phase)
    act_time: float = 200.0  # horizon of the activation runs
    act_long: float = 15.0  # horizon of the long ODE runs, in act_time
    act_net: tuple = (128, 64)  # (N, d) of the activation runs
    act_seeds: int = 2  # seeds of the activation runs
    act_degree: int = 15  # Hermite degree of tanh, erf, GELU (ReLU: + 5)
    act_pairs: tuple = ()  # (student, teacher) pairs; empty: all 16
    threshold: float = 0.02  # a network unlearns: its alignment drops more
    ode_tol: float = 1e-3  # an ODE unlearns: its alignment drops more
    relu_c: float = -0.3  # the ReLU section's teacher: He_1 + relu_c He_2
    relu_t_end: float = 1e5  # its horizon
    relu_points: int = 200  # its record times (log-spaced)
    relu_fit: int = 50  # last records used for the log-log slope
    multi_net: tuple = (128, 64)  # (N, d) of the two-index runs
    multi_time: float = 200.0  # their horizon


P = Params()
if "CI" in os.environ:  # continuous integration: small sizes, same claims
    P = P._replace(
        dims=(32, 64, 128),
        widths=(32, 128),
        seeds=2,
        act_net=(64, 32),
        act_pairs=(("tanh", "relu"), ("erf", "relu"), ("erf", "tanh"),
                   ("tanh", "erf"), ("relu", "tanh"), ("gelu", "gelu")),
        relu_t_end=3e4,
        multi_net=(64, 32),
        multi_time=150.0,
    )
show_params(P)

# %% [markdown]
# ## Finite width and dimension
#
# We train the running example at $B/d =$ {glue:text}`bw-ratio` (little SGD noise) for
# several $d$ at fixed $N$ and several $N$ at fixed $d$. The reduced ODE comes closest to
# $\kappa = 1$ near the transcritical point $a = A(1)$, where its $1-\kappa$ reaches its
# dip (at the time {glue:text}`bw-t-dip:.0f`); we compare the networks with it there and
# at the end of the run.

# %%
T0, S0 = hermite.polynomial(0, 1, P.c), hermite.polynomial(0, 1, P.s)
ode = ReducedDynamics(T0, S0, eps=P.eps)


def finite(n, d):
    return simulate_network(
        T0, S0, width=n, dim=d, batch=P.ratio * d, lr=P.lr, eps=P.eps,
        a0=P.a0, time=P.time, seeds=P.seeds, record_every=P.record_every,
    )


sizes = [(P.width, d) for d in P.dims]
sizes += [(n, P.width_dim) for n in P.widths
          if (n, P.width_dim) not in sizes]
fin = {nd: finite(*nd) for nd in sizes}
t_rec = fin[sizes[0]].t
ref = ode.integrate(P.kappa0, P.a0, t_rec)
i_dip = int(np.argmin(ref.log_gap))
dip = np.abs(t_rec - t_rec[i_dip]) <= P.window  # records around the dip
report(
    ("bw-ratio", P.ratio, "B/d"),
    ("bw-t-dip", t_rec[i_dip], "the ODE's closest approach to 1, at t",
     ".1f"),
    ("bw-ode-dip", ref.gap[i_dip], "its 1 - kappa there", ".1e"),
)

# %% [markdown]
# A network's distance to $\kappa = 1$ has two parts, split as in {eq}`eq-fb-split` of
# {doc}`finite_batch`: the orthogonal part common to all neurons, whose squared norm is
# the coherence $\rho$, and the private parts $w_j^{\rm p}$ of the neurons, with
# $\delta_{\rm p} = \frac1N\sum_j|w_j^{\rm p}|^2$; to leading order
# $1-\bar\kappa \approx (\rho + \delta_{\rm p})/2$. We
# record both around the dip, the spread $\sigma_a$ of the second-layer weights across
# neurons, and the gap to the ODE at the end of the run ({numref}`tab-bw-finite`); and
# the share of neurons that end on the wrong side, $\kappa_j < 0$.

# %%
stats = {}
for (n, d), run in fin.items():
    stats[n, d] = dict(
        deficit=float(np.mean(1 - run.kappa_mean[:, dip])),
        common=float(np.mean(run.rho[:, dip])) / 2,
        private=float(np.mean(private_deficit(run)[:, dip])) / 2,
        spread=float(np.mean(run.a_std[:, dip])),
        gap_end=abs(float(run.kappa_mean[:, -1].mean()) - ref.kappa[-1]),
        flipped=float(np.mean(run.kappa_final < 0)),
    )
cols = ("deficit", "common", "private", "spread", "gap_end")
flipped = max(x["flipped"] for x in stats.values())
report(("bw-flipped", flipped, "largest share ending at kappa_j < 0", ".3f"))
report(("bw-flipped-text", Md("none here" if flipped == 0 else
         f"at most a share {flipped:.3f} of a network here"), "in words"))
table(
    ["$N$", "$d$", "$1-\\bar\\kappa$", "$\\rho/2$", "$\\delta_{\\rm p}/2$",
     "$\\sigma_a$",
     "gap to ODE, end"],
    [(n, d, *(stats[n, d][c] for c in cols)) for n, d in sizes],
    caption="Finite networks of the running example (seed means): distance "
    "to $\\kappa = 1$ around the dip of the ODE, split into its common and "
    "private parts, the spread of the second-layer weights there, and the "
    "end of the run.",
    name="tab-bw-finite",
    fmt=["d", "d", ".1e", ".1e", ".1e", ".3f", ".1e"],
)

# %% [markdown]
# The dependence on $d$ at fixed $N$, as log-log slopes:

# %%
ds = np.array(P.dims, dtype=float)
by_d = {c: np.array([stats[P.width, d][c] for d in P.dims]) for c in cols}


def loglog_slope(y):
    return float(np.polyfit(np.log(ds), np.log(y), 1)[0])


slope = {c: loglog_slope(by_d[c])
         for c in ("deficit", "common", "private", "gap_end")}
slope["spread2"] = loglog_slope(by_d["spread"] ** 2)
report(
    ("bw-slope-deficit", slope["deficit"], "slope of 1 - kappa", ".2f"),
    ("bw-slope-common", slope["common"], "slope of rho/2", ".2f"),
    ("bw-slope-private", slope["private"], "slope of delta_p/2", ".2f"),
    ("bw-slope-spread2", slope["spread2"], "slope of sigma_a^2", ".2f"),
    ("bw-slope-gap_end", slope["gap_end"], "slope of the end gap", ".2f"),
    ("bw-common-ratio", by_d["common"].max() / by_d["common"].min(),
     "largest over smallest rho/2", ".2f"),
)
local = np.diff(np.log(by_d["deficit"])) / np.diff(np.log(ds))
report(*[(f"bw-slope-{key}-md", as_math(slope[key]), f"{key}, as math")
         for key in ("private", "spread2", "gap_end")])
print("local slopes of 1 - kappa:")
report(("bw-local-md", Md(
    f"${local[0]:.2f}$ between $d = {P.dims[0]}$ and ${P.dims[1]}$"
    + (f" and ${local[-1]:.2f}$ between $d = {P.dims[-2]}$ and "
       f"${P.dims[-1]}$" if local.size > 1 else "")),
    "in words"))

# %% [markdown]
# Checked, over the values of $d$ at fixed $N$ (at least three, spanning a factor 4, all
# at least 32, for the slope): the common part changes by less than a factor 2 with $d$;
# the private part falls with $d$ and stays above the ODE's own $1-\kappa$; the squared
# spread of the second-layer weights falls like $d^{-1}$, with a slope within $0.25$ of
# $-1$ (a $d^{-1/2}$ law would give $-1/2$).

# %%
assert by_d["common"].max() < 2 * by_d["common"].min()  # set by B/d
assert np.all(np.diff(by_d["private"]) < 0)  # falls with d ...
assert np.all(by_d["private"] > ref.gap[i_dip])  # ... toward the ODE's dip
wide = len(P.dims) >= 3 and max(P.dims) >= 4 * min(P.dims) >= 128
print("d range wide enough for the exponent:", wide)
if wide:
    assert abs(slope["spread2"] + 1) < 0.25, slope["spread2"]

# %% [markdown]
# Around the dip the finite network sits below $\kappa = 1$ by more than the ODE (whose
# $1-\kappa$ is {glue:md}`bw-ode-dip:myst` there), and the two parts of that distance
# behave differently:
#
# - The **common part** $\rho/2$ does not fall with $d$ (the largest value is
#   {glue:text}`bw-common-ratio:.2f` times the smallest): it is fed by the SGD noise,
#   whose strength $\beta = \eta d/B$ is the same at every $d$ here since $B/d$ is fixed
#   ({doc}`finite_batch`). It is always attracted back, and plays no part in the exit.
# - The **private part** $\delta_{\rm p}/2$ falls with $d$ (log-log slope
#   {glue:md}`bw-slope-private-md:myst` over this range), toward the ODE's own dip. What
#   holds it up is the spread of the second-layer weights: the neurons align at slightly
#   different times in the fast phase, their $a_j$ spread by $\sigma_a$, whose square
#   falls like $d^{x}$ with $x =$ {glue:md}`bw-slope-spread2-md:myst`, as the initial
#   spread $d^{-1/2}$ of the $\kappa_j$ suggests. A neuron with a smaller $a_j$ is
#   attracted to $\kappa = 1$ more weakly, and the shared noise reaches the neurons in
#   proportion to their $a_j$.
#
# So $1-\bar\kappa$ is *not* a power of $d$: its local log-log slope is
# {glue:md}`bw-local-md:myst`, where a power law would have one slope. It tends to a floor set by the batch, $\rho/2$, plus the ODE's own dip, while its excess
# falls with $d$. The floor of the private part is what cuts the delayed exit of
# {doc}`dichotomy` short; {ref}`sec-fb-exit` derives it and predicts the exit from it. At
# fixed $d$ the width barely changes the two parts $\rho/2$ and $\delta_{\rm p}/2$. It
# can change
# $1-\bar\kappa$ through the rare neurons that end on the wrong side, $\kappa_j < 0$
# ({glue:md}`bw-flipped-text:myst`; each adds about $2/N$ to
# $1-\bar\kappa$), a configuration outside the one-$\kappa$ limit. Late in the run, on the interior branch, the neurons spread more
# and the gap to the ODE grows; it falls with $d$ with slope
# {glue:md}`bw-slope-gap_end-md:myst`. {numref}`fig-bw-finite` shows the gap over time.

# %% tags=["remove-output"]
fig, ax = plt.subplots()
col_d = ordered_colors(len(P.dims))
col_n = ordered_colors(len(P.widths), "viridis")
gaps = {}
for (n, d), run in fin.items():
    by_dim = n == P.width and d in P.dims
    col = col_d[P.dims.index(d)] if by_dim else col_n[P.widths.index(n)]
    gaps[n, d] = np.abs(run.kappa_mean.mean(0) - ref.kappa) + 1e-5
    ax.semilogy(run.t, gaps[n, d], color=col, ls="-" if by_dim else "--",
                label=f"$N={n}$, $d={d}$")
low = min(g.min() for g in gaps.values())
ax.set(xlabel="time $t$", ylim=(low / 30, None),
       ylabel=r"$|\bar\kappa_{\rm net} - \kappa_{\rm ODE}|$")
ax.legend(ncol=2, loc="lower center")
show_figure(fig, "fig-bw-finite")

# %% [markdown]
# ```{glue:figure} fig-bw-finite
# :name: fig-bw-finite
#
# Gap between the seed-mean alignment of finite networks and the reduced ODE (running
# example, $B/d = 4$); solid: $d$ varies at fixed $N$ (darker: smaller $d$); dashed: $N$
# varies at fixed $d$. The gap is largest during the fast alignment (the networks start
# from random $\kappa_j$ of size $d^{-1/2}$), small on the plateau, and grows again once
# the network unlearns, where $a$ is large and the neurons spread.
# ```

# %% [markdown]
# ## Real activations
#
# ReLU, tanh, erf and GELU through their Hermite coefficients (`lib.hermite`), each as
# student and as teacher. For every pair {numref}`tab-bw-acts` gives
#
# - the **criterion**: unlearning iff $R'(1) < 0$, i.e. the teacher-weighted mean Hermite
#   degree $\sum_k k u_k/\sum_k u_k$ is below the student's $\sum_k k v_k/\sum_k v_k$
#   (both degrees are listed, teacher first);
# - the **integrated** verdict: the drop $\max_t\kappa - \kappa(\text{end})$ of the
#   reduced ODE at $\eps =$ {glue:text}`bw-act-eps` from $a_0$, at a horizon
#   {glue:text}`bw-act-long:.0f` times the network's and at the network's horizon; the
#   ODE has no noise, so at the long horizon it unlearns if the drop exceeds
#   {glue:md}`bw-ode-tol:myst`;
# - the **network** verdict: the same drop (`lib.beyond.unlearned_amount`, which smooths
#   over 5 records) for finite networks at their horizon; they unlearn if it exceeds
#   {glue:text}`bw-thr`, and the ODE at the same horizon is judged by the same
#   threshold.

# %%
deg = P.act_degree
acts = {"relu": hermite.relu(deg + 5), "tanh": hermite.tanh(deg),
        "erf": hermite.erf(deg), "gelu": hermite.gelu(deg)}
pairs = P.act_pairs or tuple((s, t) for s in acts for t in acts)
t_net = np.arange(0, P.act_time + P.record_every / 2, P.record_every)
t_long = np.linspace(0, P.act_long * P.act_time, 1501)


def verdicts(sname, tname):
    dyn = ReducedDynamics(acts[tname], acts[sname], eps=P.act_eps)
    v = CriticalManifold(dyn).verdict()
    short, long = (dyn.integrate(P.kappa0, P.a0, t).kappa
                   for t in (t_net, t_long))
    n, d = P.act_net
    run = simulate_network(
        acts[tname], acts[sname], width=n, dim=d, batch=P.ratio * d,
        lr=P.lr, eps=P.act_eps, a0=P.a0, time=P.act_time,
        seeds=P.act_seeds, record_every=P.record_every,
    )
    return dict(v=v, ode=unlearned_amount(short),
                ode_long=unlearned_amount(long),
                net=unlearned_amount(run.kappa_mean.mean(0)))


results = {p: verdicts(*p) for p in pairs}
report(
    ("bw-act-eps", P.act_eps, "eps of the activation runs", ".2f"),
    ("bw-act-long", P.act_long, "long horizon, in network horizons", ".0f"),
    ("bw-thr", P.threshold, "threshold of the networks", ".3f"),
    ("bw-ode-tol", P.ode_tol, "threshold of the ODE", ".0e"),
)

# %% [markdown]
# The verdicts of every pair, side by side:


# %%
def degrees(v):
    return f"{v.teacher_degree:.3f} / {v.student_degree:.3f}"


table(
    ["student", "teacher", "mean degrees", "criterion", "ODE, long",
     "ODE", "network"],
    [(s, t, degrees(r["v"]), "unlearns" if r["v"].unlearns else "keeps",
      max(r["ode_long"], 0.0), max(r["ode"], 0.0), max(r["net"], 0.0))
     for (s, t), r in results.items()],
    caption="Real activations: the mean Hermite degrees of teacher and "
    "student, the criterion $R'(1) < 0$, and the drop of the alignment "
    "after its peak: reduced ODE at a long horizon and at the networks' "
    "horizon, finite networks (seed mean).",
    name="tab-bw-acts",
    fmt=["s", "s", "s", "s", ".3f", ".3f", ".3f"],
)

# %% [markdown]
# Checked: the criterion agrees with the long integration for every pair, and the
# network agrees with the ODE at its own horizon wherever the ODE's drop is clearly away
# from the threshold (more than twice it, or less than half of it).

# %%
clear = agree = 0
for (s, t), r in results.items():
    assert r["v"].unlearns == (r["ode_long"] > P.ode_tol), (s, t)
    same = (r["net"] > P.threshold) == (r["ode"] > P.threshold)
    agree += same
    if r["ode"] > 2 * P.threshold or r["ode"] < P.threshold / 2:
        clear += 1
        assert same, (s, t)
n_pairs = len(results)
if clear == n_pairs:
    clear_text = "all are" if n_pairs > 1 else "it is"
elif clear == 0:
    clear_text = "none is"
else:
    clear_text = f"{clear} {'is' if clear == 1 else 'are'}"
report(
    ("bw-pairs", plural(n_pairs, "pair"), "pairs"),
    ("bw-clear", clear_text, "clear-cut at the network horizon"),
    ("bw-agree", agree, "pairs on which networks and ODE agree"),
)

# %% [markdown]
# Behind the table, for all 16 pairs: the criterion, the rest points of the slow flow,
# and the class of the slow field near $\kappa = 0$ from its expansion (`lib.scaling`,
# as in {doc}`scaling_laws`), in {numref}`tab-bw-classes`.

# %%
crit = {(s, t): CriticalManifold(ReducedDynamics(acts[t], acts[s]))
        for s in acts for t in acts}
laws = {p: scaling_law(m.dyn) for p, m in crit.items()}
table(
    ["student", "teacher", "criterion", "rest points",
     "class near $\\kappa=0$", "$\\ell$"],
    [(s, t, "unlearns" if m.verdict().unlearns else "keeps",
      ", ".join(f"{k:.3f}" for k in m.rest_points()) or "none",
      laws[s, t].kind,
      str(laws[s, t].order) if laws[s, t].kind == "complete" else "\u2013")
     for (s, t), m in crit.items()],
    caption="All 16 pairs: the criterion, the rest points of the slow flow "
    "on the interior branch, and the class of the slow field near "
    "$\\kappa = 0$ (complete: $a$ grows like $t^{1/(\\ell+1)}$, $\\ell$ the "
    "order of the lowest non-zero term of the slow field; bounded: $a$ is "
    "pushed back; arrested: a constant mode acts as a weight decay).",
    name="tab-bw-classes",
    fmt="s",
)

# %% [markdown]
# The facts the text below relies on, checked on these computed classes:

# %%
odd = ("tanh", "erf")
verdict = {p: m.verdict() for p, m in crit.items()}
assert not any(verdict["relu", t].unlearns for t in acts)  # ReLU: never
assert all(verdict["relu", t].student_degree
           < verdict["relu", t].teacher_degree
           for t in ("tanh", "erf", "gelu"))
for (s, t), law in laws.items():
    if s in odd and t in odd:  # b_3 = -12 s_3 c_3 < 0: pushed back
        assert law.kind == "bounded" and law.order == 3
        assert law.coefficient < 0
    if s in odd and t in ("relu", "gelu"):  # complete, kappa ~ t^(-1/6)
        assert verdict[s, t].unlearns
        assert crit[s, t].rest_points().size == 0
        assert law.kind == "complete" and law.order == 5, (s, t)
    if s == "gelu" and t != "gelu":  # partial: an interior rest point
        assert verdict[s, t].unlearns
        assert crit[s, t].rest_points().size == 1, t
rest_et = crit["erf", "tanh"].rest_points()
assert verdict["erf", "tanh"].unlearns and rest_et.size == 1
assert not verdict["tanh", "erf"].unlearns
report(
    ("bw-relu-deg", verdict["relu", "tanh"].student_degree,
     "mean degree of the ReLU student", ".3f"),
    ("bw-erf-tanh-rest", rest_et[0],
     "rest point, erf student, tanh teacher", ".3f"),
)

# %% [markdown]
# Of the {glue:text}`bw-pairs`, {glue:text}`bw-clear` clear-cut at the network horizon,
# and networks and ODE agree on every clear-cut pair; over all pairs they agree on
# {glue:text}`bw-agree`. What the tables show:
#
# - **A ReLU student never unlearns against these teachers.** Its Hermite series has a
#   constant term $s_0 = 1/\sqrt{2\pi}$ and no odd terms beyond $\He_1$, so its mean
#   degree $\sum_k k v_k/\sum_k v_k$ is pulled down by $v_0 = s_0^2$ to
#   {glue:text}`bw-relu-deg:.3f`, below the teacher degree of the tanh, erf and GELU
#   teachers (and equal to ReLU's own).
# - **Odd pairs** (tanh, erf) have $u_2 = 0$, and since both activations have a negative
#   $\He_3$ coefficient, the next coefficient of the slow field near $\kappa = 0$,
#
#   $$
#   b_3 = \frac{u_1v_2}{v_1} - 2u_3 = -12\,s_3c_3 ,
#   $$
#
#   is negative too: $a$ is pushed back there ({doc}`scaling_laws`), so none of these
#   pairs unlearns completely and none is in the $t^{1/4}$ class. The one that unlearns,
#   an erf student against a tanh teacher, does so *partially*, to the interior rest
#   point $\kappa^\circ =$ {glue:text}`bw-erf-tanh-rest:.3f` of its slow flow: a drop
#   below the threshold at the network's horizon that only appears in the long
#   integration. A tanh student against an erf teacher keeps its feature.
# - **A student against its own activation** has $R'(1) = 0$: the boundary case, no
#   unlearning.
# - **Odd students against ReLU or GELU teachers** unlearn strongly: the teacher's weight
#   sits in degree 1 (its even part is invisible to an odd student), the student's does
#   not. The unlearning is complete: $\phi = u_1\kappa$, so
#
#   $$
#   R(\kappa) = \frac{u_1^2}{v_1 + v_3\kappa^4 + \dots}
#   $$
#
#   decreases on all of $(0, 1]$; and it is slower than $t^{-1/4}$: $u_2 = b_3 = 0$, the
#   slow field starts at $\kappa^5$, and the power law of {prf:ref}`prop-sl-law` has
#   $\ell = 5$, $\kappa \sim t^{-1/6}$.
# - **A GELU student** (mean degree above 1, but a constant mode like ReLU's) unlearns
#   against the ReLU, tanh and erf teachers, partially: the slow flow stops at an
#   interior rest point, as in the next section.

# %% [markdown]
# ## The constant mode of ReLU arrests unlearning
#
# A constant term in the student changes the slow equation. With $s_0 \ne 0$ and
# $c_0 = 0$, $H(\kappa) = v_0 + v_1\kappa^2 + \dots$ with $v_0 = s_0^2 > 0$, and
#
# $$
# \dot a = \eps\Big[\phi(\kappa) - a\,v_0 - a\sum_{k\ge1} v_k\kappa^{2k}\Big]:
# $$ (eq-bw-decay)
#
# the constant acts as a weight decay of strength $\eps v_0$ on $a$. Complete unlearning
# needs $a \to \infty$ as $\kappa \to 0$ (the network goes lazy), which the decay
# forbids: $R = \phi^2/H$ now has $R(0) = 0$ and an interior maximum, where the slow flow
# stops. To see it, take a teacher whose quadratic term opposes ReLU's,
# $\sstar = \He_1 + c\He_2$ with $c =$ {glue:md}`bw-relu-c-md:myst`, and compare ReLU with
# its centred version ($s_0$ removed).

# %%
relu = acts["relu"]
centred = hermite.HermiteSeries(np.r_[0.0, relu.coeffs[1:]])
teacher = hermite.polynomial(0, 1, P.relu_c)
t_log = np.geomspace(1, P.relu_t_end, P.relu_points)
students = (("ReLU", relu), ("centred ReLU", centred))
arrest = {name: ReducedDynamics(teacher, s, eps=P.eps)
          for name, s in students}
curves = {name: dyn.integrate(P.kappa0, P.a0, t_log)
          for name, dyn in arrest.items()}
rest = CriticalManifold(arrest["ReLU"]).rest_points()
tail = slice(-P.relu_fit, None)
late_kappa = curves["centred ReLU"].kappa[tail]
decay = np.polyfit(np.log(t_log[tail]), np.log(late_kappa), 1)[0]
report(
    ("bw-relu-c", P.relu_c, "teacher He_2 coefficient", ".2f"),
    ("bw-eps", P.eps, "eps", ".2f"),
    ("bw-relu-rest", rest[-1] if rest.size else np.nan,
     "rest point of the slow flow (ReLU)", ".3f"),
    ("bw-relu-end", curves["ReLU"].kappa[-1], "ReLU: alignment at the end",
     ".3f"),
    ("bw-relu-slope", decay, "centred ReLU: late log-log slope", ".3f"),
)
report(("bw-relu-slope-md", as_math(decay, ".3f"), "the slope, as math"),
       ("bw-relu-c-md", as_math(P.relu_c, ".1f"), "c, as math"))

# %% [markdown]
# With an opposing quadratic term ($c < 0$) both students unlearn. Checked: ReLU comes to
# rest at the interior rest point of its slow flow (within $10^{-3}$ at the horizon),
# while the centred ReLU keeps going with the slope $-1/3$ of {doc}`scaling_laws`
# (within $0.03$).

# %%
if P.relu_c < 0:
    assert rest.size and abs(curves["ReLU"].kappa[-1] - rest[-1]) < 1e-3
    assert abs(decay + 1 / 3) < 0.03

# %% [markdown]
# {numref}`fig-bw-relu` shows both.

# %% tags=["remove-output"]
fig, ax = plt.subplots()
for (name, tr), ls in zip(curves.items(), ("-", "--")):
    ax.loglog(t_log, tr.kappa, color=KAPPA, ls=ls, label=name)
if rest.size:
    ax.axhline(rest[-1], color="0.45", ls=":",
               label="rest point of the slow flow (ReLU)")
ax.set(xlabel="time $t$", ylabel=r"alignment $\kappa$", ylim=(0.05, 1.2))
ax.legend()
show_figure(fig, "fig-bw-relu")

# %% [markdown]
# ```{glue:figure} fig-bw-relu
# :name: fig-bw-relu
#
# Reduced ODE, teacher $\He_1 + c\He_2$ with $c =$ {glue:md}`bw-relu-c-md:myst`,
# $\eps =$ {glue:text}`bw-eps:.2f`. The centred ReLU (dashed) unlearns completely,
# $\kappa \sim t^{-1/3}$; ReLU's constant mode stops the slide at the interior maximum
# of $R$ (dotted).
# ```
#
# Both students unlearn (both criteria say so), but ReLU stops at $\kappa =$
# {glue:text}`bw-relu-rest:.3f`, the rest point of its slow flow, while the centred ReLU
# keeps going with slope {glue:md}`bw-relu-slope-md:myst` in log-log: the $-1/3$ law of a
# primary nonlinear term opposing the student's.

# %% [markdown]
# ## Beyond a single index: a two-index teacher
#
# We pick one extension and keep it modest: the same two-layer student, with the teacher
#
# $$
# y = \tfrac1{\sqrt2}\big[\sstar(\langle\theta_1, x\rangle)
#   + \sstar(\langle\theta_2, x\rangle)\big],
# $$
#
# $\sstar = \He_1 + c\He_2$ of the running example. There is no reduced ODE for it in
# this book; we only measure, with the numpy simulator `lib.beyond.simulate_multi_index`
# (the same spherical SGD), the alignment of each neuron with the teacher subspace,
# $|P_\Theta w_j|$, and with the direction of the teacher's linear part,
# $\bar\theta = (\theta_1 + \theta_2)/\sqrt2$. One index ($m = 1$) is the running example
# and serves as a reference.

# %%
n, d = P.multi_net
multi = {
    m: simulate_multi_index(
        T0, S0, n_index=m, width=n, dim=d, batch=P.ratio * d, lr=P.lr,
        eps=P.eps, a0=P.a0, time=P.multi_time, record_every=P.record_every)
    for m in (1, 2)
}

# %% [markdown]
# {numref}`fig-bw-multi` shows the two runs.

# %% tags=["remove-output"]
fig, ax = plt.subplots()
ax.plot(multi[1].t, multi[1].subspace, color=THEORY, lw=1.2, ls=":",
        label=r"one index: $\kappa$")
ax.plot(multi[2].t, multi[2].subspace, color=NETWORK,
        label=r"two indices: $|P_\Theta w_j|$")
ax.plot(multi[2].t, multi[2].linear, color=KAPPA, ls="--",
        label=r"two indices: $\langle w_j, \bar\theta\rangle$")
ax.set(xlabel="time $t$", ylabel="mean alignment")
ax.legend()
show_figure(fig, "fig-bw-multi")

# %% [markdown]
# ```{glue:figure} fig-bw-multi
# :name: fig-bw-multi
#
# Spherical SGD on a two-index teacher (running-example link in each direction,
# $B/d = 4$): the neurons first align with the linear direction $\bar\theta$, then spread
# inside the teacher subspace (the subspace alignment stays near 1 while the alignment
# with $\bar\theta$ falls), and then leave the subspace: unlearning.
# ```
#
# Checked, for a link that unlearns with one index ($0 < c < s$): the subspace alignment
# peaks above $0.95$ and has fallen by the end of the run (by more than $0.01$, well
# above the fluctuations of a run that stays put; how far it has fallen depends on the
# horizon, since the two-index run unlearns later), and at its peak the neurons are
# already spread in the plane (their alignment with $\bar\theta$ is more than $0.03$
# lower).

# %%
peak2 = float(np.max(multi[2].subspace))
drop2 = unlearned_amount(multi[2].subspace)
i_peak = int(np.argmax(multi[2].subspace))
report(
    ("bw-m-peak", peak2, "two indices: peak subspace alignment", ".3f"),
    ("bw-m-drop", drop2, "two indices: drop", ".3f"),
    ("bw-m-drop1", unlearned_amount(multi[1].subspace), "one index: drop",
     ".3f"),
    ("bw-m-lin", multi[2].linear[i_peak],
     "two indices: linear alignment at peak", ".3f"),
)
if 0 < P.c < P.s:
    assert peak2 > 0.95 and drop2 > 0.01
    assert multi[2].linear[i_peak] < peak2 - 0.03  # spread in the plane

# %% [markdown]
# Unlearning appears with two indices as well: the subspace alignment peaks at
# {glue:text}`bw-m-peak:.3f` and then drops by {glue:text}`bw-m-drop:.2f` by the end of
# the run (one index: {glue:text}`bw-m-drop1:.2f`). It comes later than with one index,
# after an intermediate phase in which the neurons rotate inside the subspace (at the
# peak their alignment with $\bar\theta$ is down to {glue:text}`bw-m-lin:.2f`). A
# two-index version of the fast-slow analysis would need the overlaps with both
# directions as fast variables; we leave it open.

# %% [markdown]
# ## Summary
#
# - A finite network stays farther from $\kappa = 1$ than the ODE. The part common to all
#   neurons is set by the batch ($\beta = \eta d/B$), not by $d$; the private part falls
#   with $d$, held up by the spread of the second-layer weights, whose square falls like
#   $d^{-1}$. The private floor shortens the delayed exit ({ref}`sec-fb-exit`). The
#   width matters less. Networks depart most from the limit during the fast alignment
#   and late, on the interior branch.
# - For the four common activations the criterion, the long integration and the
#   networks agree wherever the verdict is clear-cut at the networks' horizon. A ReLU
#   student never unlearns against these teachers; its constant mode acts as a weight
#   decay on $a$ and stops unlearning that does happen (against $\He_1 - 0.3\He_2$) at
#   an interior rest point.
# - The odd pairs of tanh and erf have $u_2 = 0$ but a negative cubic coefficient $b_3$
#   of the slow field near $\kappa = 0$: they unlearn at most partially (erf student,
#   tanh teacher). Odd students against ReLU or GELU teachers unlearn completely, in the
#   slower $t^{-1/6}$ class.
# - A two-index teacher also produces unlearning, after a phase of rotation inside the
#   teacher subspace.

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-bw-ortho
#
# Is the distance $1-\bar\kappa$ of {numref}`tab-bw-finite` a power of $d$? Compute its
# local log-log slope between the two smallest and between the two largest $d$, and
# explain the difference with the two parts $\rho/2$ and $\delta_{\rm p}/2$.
# ```
#
# ```{solution-start} ex-bw-ortho
# :class: dropdown
# ```
#
# The local slopes of the distance, of its private part, and the common part:

# %%
local = np.diff(np.log(by_d["deficit"])) / np.diff(np.log(ds))
d0, d1, d2, d3 = P.dims[0], P.dims[1], P.dims[-2], P.dims[-1]
report(
    (None, local[0], f"slope of 1 - kappa, d = {d0} to {d1}", ".2f"),
    (None, local[-1], f"slope of 1 - kappa, d = {d2} to {d3}", ".2f"),
    (None, by_d["common"].mean(), "rho/2, mean over d", ".1e"),
    (None, ref.gap[i_dip], "the ODE's 1 - kappa at its dip", ".1e"),
)
if len(P.dims) >= 3:
    assert abs(local[-1]) < abs(local[0])  # it flattens: not a power law

# %% [markdown]
# The slope flattens as $d$ grows: $1-\bar\kappa \approx \rho/2 + \delta_{\rm p}/2$, and
# while $\delta_{\rm p}/2$ falls toward the ODE's own dip, $\rho/2$ stays where the batch puts it. A power law
# would have one slope. Only a larger $B/d$ (a smaller $\beta$) lowers the common part;
# only a larger $d$ (a smaller spread of the $a_j$) lowers the private part.
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
cubic = hermite.polynomial(0, 1, 0, 0.3)  # He_1 + 0.3 He_3
dyn = ReducedDynamics(cubic, acts["gelu"], eps=P.act_eps)
v = CriticalManifold(dyn).verdict()
drop = unlearned_amount(dyn.integrate(P.kappa0, P.a0, t_long).kappa)
report(
    (None, v.teacher_degree, "teacher degree", ".3f"),
    (None, v.student_degree, "student degree", ".3f"),
    (None, "unlearns" if v.unlearns else "keeps", "criterion"),
    (None, drop, "drop of the long ODE run", ".3f"),
)
assert v.unlearns == (drop > P.ode_tol)

# %% [markdown]
# ```{solution-end}
# ```

"""Draw docs/story.png, the README's figure, from the library (the introduction's running example).

Run from the repository root: ``.venv/bin/python docs/make_figure.py``.
"""
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from lib.hermite import polynomial
from lib.reduced import ReducedDynamics

dyn = ReducedDynamics(polynomial(0, 1, 0.2), polynomial(0, 1, 0.5), eps=0.05)
traj = dyn.integrate(0.01, 0.1, np.linspace(0, 400, 2001))
fig, ax = plt.subplots(figsize=(6.4, 3.2), dpi=110)
ax.plot(traj.t, traj.kappa, label=r"alignment $\kappa$ (fast)")
ax.plot(traj.t, traj.a, label=r"second-layer weight $a$ (slow)")
ax.axhline(0.4, ls=":", c="gray", label=r"rest point $\kappa^\circ = c/s$")
ax.set(xlabel="training time $t$", title="Feature learning, then unlearning (reduced ODE)")
ax.legend(loc="lower right", framealpha=0.95)
fig.tight_layout()
fig.savefig(Path(__file__).with_name("story.png"))

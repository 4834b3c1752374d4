"""Draw docs/story.png (the README's figure) and docs/favicon.png (the site's icon) from the
library: the introduction's running example.

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

# the favicon: the alignment curve alone, 64 x 64 pixels
icon = plt.figure(figsize=(0.64, 0.64), dpi=100)
axi = icon.add_axes([0, 0, 1, 1])
axi.axis("off")
axi.plot(traj.t, traj.kappa, lw=3, color="tab:blue")
axi.set_ylim(-0.05, 1.1)
icon.savefig(Path(__file__).with_name("favicon.png"), transparent=True)

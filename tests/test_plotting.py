"""lib.plotting draws the critical manifold with the right colours where it should."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from lib.hermite import polynomial
from lib.manifold import CriticalManifold
from lib.plotting import ATTRACTING, REPELLING, draw_manifold
from lib.reduced import ReducedDynamics


def lines_by_colour(ax):
    out = {}
    for line in ax.get_lines():
        out.setdefault(matplotlib.colors.to_hex(line.get_color()), []).append(line)
    return out


def test_running_example_branches_and_stability():
    M = CriticalManifold(ReducedDynamics(polynomial(0, 1, 0.2), polynomial(0, 1, 0.5)))
    fig, ax = plt.subplots()
    draw_manifold(ax, M, a_max=3.0)
    lines = lines_by_colour(ax)
    blue, red = matplotlib.colors.to_hex(ATTRACTING), matplotlib.colors.to_hex(REPELLING)
    # kappa = 1 repels exactly above A(1) = 0.7, and nothing else repels in this example
    red_pts = np.vstack([np.c_[l.get_xdata(), l.get_ydata()] for l in lines[red]])
    assert np.all(red_pts[:, 0] == 1) and red_pts[:, 1].min() == pytest.approx(0.7, abs=0.01)
    # the interior branch is drawn, attracting, and passes through the rest point (c/s, s/c)
    blue_pts = np.vstack([np.c_[l.get_xdata(), l.get_ydata()] for l in lines[blue]])
    interior = blue_pts[blue_pts[:, 0] < 1]
    assert np.min(np.hypot(interior[:, 0] - 0.4, interior[:, 1] - 2.5)) < 0.01
    labels = ax.get_legend_handles_labels()[1]
    assert sorted(labels) == ["$a=0$, not hyperbolic", "attracting", "repelling"]  # each once
    plt.close(fig)


def test_bad_window_raises():
    M = CriticalManifold(ReducedDynamics(polynomial(0, 1, 0.2), polynomial(0, 1, 0.5)))
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="a_max"):
        draw_manifold(ax, M, a_max=0.0)
    with pytest.raises(ValueError, match="kappa_min"):
        draw_manifold(ax, M, a_max=1.0, kappa_min=1.5)
    plt.close(fig)

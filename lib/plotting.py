"""Figure helpers shared by the chapters.

Kept small on purpose: the chapters own their figures; this module holds what more than
one chapter draws the same way.

- :func:`draw_manifold` draws the critical manifold :math:`M_0` of a
  :class:`~lib.manifold.CriticalManifold` on axes :math:`(\\kappa, a)`, coloured by the
  sign of the fast eigenvalue (attracting, repelling, not hyperbolic);
- :func:`glue_figure` hands a figure to myst-nb's ``glue`` and closes it, so that it is
  shown once, where the text places it.
"""
from __future__ import annotations

import numpy as np

from lib._checks import positive, positive_int

__all__ = ["ATTRACTING", "REPELLING", "draw_manifold", "glue_figure"]

ATTRACTING, REPELLING, NEUTRAL = "tab:blue", "tab:red", "0.4"


def _stability_segments(ax, x, y, eig, lw, used):
    """Plot ``(x, y)`` in pieces coloured by the sign of ``eig``, labelling each colour once."""
    sign = np.sign(eig)
    start = 0
    for i in range(1, len(x) + 1):
        if i == len(x) or sign[i] != sign[start]:
            colour = ATTRACTING if sign[start] < 0 else REPELLING
            label = None
            if colour not in used:
                label = "attracting" if colour == ATTRACTING else "repelling"
            ax.plot(x[start:i + 1], y[start:i + 1], color=colour, lw=lw, label=label,
                    solid_capstyle="butt")
            used.add(colour)
            start = i


def draw_manifold(ax, manifold, *, a_max: float, kappa_min: float = 0.02, n: int = 400,
                  lw: float = 2.5):
    """Draw :math:`M_0 = \\{\\kappa = 1\\} \\cup \\{a = 0\\} \\cup \\{a = A(\\kappa)\\}` for
    :math:`\\kappa \\in [` ``kappa_min`` :math:`, 1]`, :math:`0 \\le a \\le` ``a_max``.

    Each piece is coloured by the sign of :meth:`CriticalManifold.eigenvalue` along it:
    blue where the fast flow attracts, red where it repels; the line :math:`a = 0`, where the
    eigenvalue vanishes identically, is dotted grey. Each kind is labelled once, for
    ``ax.legend()``. Returns the axes.
    """
    a_max = positive("a_max", a_max)
    n = positive_int("n", n)
    if not 0 < kappa_min < 1:
        raise ValueError(f"kappa_min must lie in (0, 1), got {kappa_min!r}")
    used: set = set()
    k = np.linspace(kappa_min, 1.0, n)
    A = manifold.A(k)
    inside = np.isfinite(A) & (A >= 0) & (A <= a_max)
    # the interior branch, in its connected pieces inside the window
    edges = np.flatnonzero(np.diff(np.r_[0, inside.astype(int), 0]))
    for lo, hi in zip(edges[::2], edges[1::2]):
        kk = k[lo:hi]
        _stability_segments(ax, kk, A[lo:hi], manifold.eigenvalue(kk, A[lo:hi]), lw, used)
    # the boundary branch kappa = 1 (its eigenvalue is -2 a g(a))
    a = np.linspace(0.0, a_max, n)[1:]
    _stability_segments(ax, np.ones_like(a), a, manifold.eigenvalue(np.ones_like(a), a), lw, used)
    ax.plot([kappa_min, 1], [0, 0], color=NEUTRAL, lw=lw, ls=":", label="$a=0$, not hyperbolic")
    return ax


def glue_figure(name: str, fig) -> None:
    """``glue`` the figure under ``name`` (for ``{glue:figure}``) and close it."""
    import matplotlib.pyplot as plt
    from myst_nb import glue

    glue(name, fig, display=False)
    plt.close(fig)

"""The book's figures: one style, one colour per quantity, and shared drawings.

Kept small on purpose: the chapters own their figures; this module holds what every
chapter draws the same way.

- :func:`use_book_style` sets matplotlib's parameters once per chapter: figures as wide
  as the text column of the website (660 px at 100 dpi, shown at their natural size),
  lettering as large as the caption text, a palette that colour-blind readers can tell
  apart, and PNG (Jupyter, website) plus PDF (print) output;
- fixed colours for the quantities the book plots everywhere (:data:`KAPPA`,
  :data:`A`, :data:`LOSS`, ...), and :func:`eps_color`, :func:`a0_color`,
  :func:`ordered_colors` for ordered families (sequential colour maps, readable in
  greyscale): the same ``eps`` has the same colour in every chapter;
- :func:`draw_manifold` draws the critical manifold :math:`M_0` of a
  :class:`~lib.manifold.CriticalManifold` on axes :math:`(\\kappa, a)`, coloured by the
  sign of the fast eigenvalue (attracting, repelling, not hyperbolic).

Figures are shown by :func:`lib.display.show_figure`.
"""
from __future__ import annotations

import numpy as np

from lib._checks import positive, positive_int

__all__ = ["use_book_style", "KAPPA", "A", "LOSS", "NETWORK", "THEORY", "PALETTE",
           "ATTRACTING", "REPELLING", "eps_color", "a0_color", "ordered_colors",
           "draw_manifold", "WIDTH", "HEIGHT"]

# Okabe & Ito's palette: distinguishable with every common colour-vision deficiency.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
           "#F0E442"]
KAPPA = "#0072B2"     # the alignment kappa (blue)
A = "#D55E00"         # the second-layer weight a (vermillion)
LOSS = "#009E73"      # the loss (green)
NETWORK = "#CC79A7"   # finite networks trained by SGD (reddish purple), against ...
THEORY = "#000000"    # ... a prediction (black, dashed)
ATTRACTING, REPELLING, NEUTRAL = "#56B4E9", "#E69F00", "0.45"  # branches of M_0

WIDTH, HEIGHT = 6.6, 3.8  # inches: 660 x 380 px at 100 dpi, the website's text column

BOOK_STYLE = {
    "figure.figsize": (WIDTH, HEIGHT),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.constrained_layout.use": True,
    "savefig.bbox": "standard",
    "font.size": 11,
    "axes.titlesize": 11,
    "axes.labelsize": 11,
    "xtick.labelsize": 10.5,
    "ytick.labelsize": 10.5,
    "legend.fontsize": 10.5,
    "legend.framealpha": 0.92,
    "legend.edgecolor": "0.8",
    "lines.linewidth": 1.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "image.cmap": "viridis",
    "pdf.fonttype": 42,
}


def use_book_style() -> None:
    """Set the book's matplotlib style (call once, in a chapter's first code cell).

    At 100 dpi a figure of the default width is drawn 660 px wide, the width of the
    website's text column at 1280 px, so it is shown at its natural size; 11 pt
    lettering is then 15 px on screen, as large as the caption text. Multi-panel
    figures keep this width and stack panels instead of shrinking them. In a Jupyter
    kernel, figures are sent as PNG (screen) and PDF (the book's print edition).
    """
    import logging

    import matplotlib as mpl
    from cycler import cycler

    # fontTools (matplotlib's PDF output) warns about font timestamps: not ours to fix
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    mpl.rcParams.update(BOOK_STYLE)
    mpl.rcParams["axes.prop_cycle"] = cycler(color=PALETTE[:7])
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # pragma: no cover - plain Python
        return
    if get_ipython() is not None:
        set_matplotlib_formats("png", "pdf")


def _sequential(value, lo, hi, cmap, log):
    import matplotlib as mpl

    x = float(value)
    if log:
        x, lo, hi = np.log10(positive("value", x)), np.log10(lo), np.log10(hi)
    frac = float(np.clip((x - lo) / (hi - lo), 0.0, 1.0))
    return mpl.colormaps[cmap](0.88 * frac)  # stop before the palest end


def eps_color(eps: float):
    """The colour of a learning-rate ratio ``eps``, the same in every chapter.

    ``viridis`` on a log scale from ``eps = 5e-4`` (dark) to ``eps = 0.2`` (light).
    """
    return _sequential(eps, 5e-4, 0.2, "viridis", log=True)


def a0_color(a0: float):
    """The colour of an initial second-layer weight ``a0`` (``plasma``, 0 to 3)."""
    return _sequential(a0, 0.0, 3.0, "plasma", log=False)


def ordered_colors(n: int, cmap: str = "cividis"):
    """``n`` colours for an ordered family (batch ratios, widths, ...), dark to light."""
    import matplotlib as mpl

    n = positive_int("n", n)
    return [mpl.colormaps[cmap](x) for x in np.linspace(0.0, 0.85, n)]


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
                  lw: float = 4.0):
    """Draw :math:`M_0 = \\{\\kappa = 1\\} \\cup \\{a = 0\\} \\cup \\{a = A(\\kappa)\\}` for
    :math:`\\kappa \\in [` ``kappa_min`` :math:`, 1]`, :math:`0 \\le a \\le` ``a_max``.

    Each piece is coloured by the sign of :meth:`CriticalManifold.eigenvalue` along it:
    light blue where the fast flow attracts, orange where it repels; the line :math:`a = 0`, where the
    eigenvalue vanishes identically, is dotted grey. The branches are drawn thick and
    light, so that trajectories drawn over them in a dark colour stay visible. Each
    kind is labelled once, for ``ax.legend()``. Returns the axes.
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

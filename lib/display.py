"""What a chapter shows its reader: figures, numbers, tables and parameters.

A chapter is read in two places, and this module makes both work:

- **in Jupyter** (JupyterLab, Binder, a downloaded ``.ipynb``, Colab), where the
  reader sees a cell's outputs and nothing else;
- **on the website and in the PDF**, where the prose places each figure with
  ``{glue:figure}``, quotes numbers with ``{glue:text}`` and numbers the tables.

So every helper here does both at once:

- :func:`show_figure` glues a figure for the prose *and* displays it in the cell; the
  cell carries the tag ``remove-output``, which hides that copy on the website (the
  glued one is placed where the text puts it);
- :func:`report` glues each number and prints it, rounded and labelled;
- :func:`table` builds a table that Jupyter shows as HTML and the book as a numbered
  MyST table with a caption (``nb_render_markdown_format: myst`` in ``_config.yml``);
- :func:`show_params` prints a chapter's parameters one per line.

Outside a Jupyter kernel, or where myst-nb is not installed (Colab), the gluing is
skipped and everything is still shown.
"""
from __future__ import annotations

import html
import numbers
import re
import textwrap

import numpy as np

__all__ = ["glue", "show_figure", "report", "table", "Table", "Sci", "Md",
           "show_params", "plural"]


def glue(name: str, value, display: bool = False) -> None:
    """``myst_nb.glue(name, value, display)``; without myst-nb (Colab) nothing is glued,
    and ``value`` is still shown if ``display``."""
    try:
        from myst_nb import glue as _glue
    except ImportError:  # pragma: no cover - Colab and other bare kernels
        if display:
            _display(value)
        return
    _glue(name, value, display=display)


def _display(obj) -> None:
    try:
        from IPython.display import display
    except ImportError:  # pragma: no cover
        print(obj)
        return
    display(obj)


def show_figure(fig, name: str) -> None:
    """Glue ``fig`` under ``name`` for ``{glue:figure}``, show it in the cell, close it.

    The figure is drawn once, into one output that is both the glued figure and the
    cell's display. The cell that calls this carries ``tags=["remove-output"]``: on the
    website the figure then appears once, where the prose places it, and in Jupyter it
    appears in the cell that drew it.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty string, got {name!r}")
    import matplotlib.pyplot as plt

    glue(name, fig, display=True)
    plt.close(fig)


def _format(value, fmt: str | None) -> str:
    """``value`` as text: strings as they are, integers in full, floats with ``fmt``;
    a NaN (a quantity not measured at these sizes) as a dash."""
    if isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral) and fmt is None:
        return str(int(value))
    if value != value:
        return "\u2013"
    return format(value, fmt or ".4g")


class Sci(float):
    """A float that the book prints in scientific notation as math.

    ``{glue:md}`name:myst``` shows it as :math:`9.4 \\times 10^{-5}` (or :math:`10^{12}`);
    its text form is the float's, so ``{glue:text}`name:.1e``` and arithmetic still work.
    ``fmt`` is the precision, e.g. ``".1e"``; :func:`report` glues a ``Sci`` for every
    number whose format ends in ``e``.
    """

    def __new__(cls, value, fmt: str = ".1e"):
        obj = super().__new__(cls, value)
        obj.fmt = fmt
        return obj

    def _repr_markdown_(self) -> str:
        if not np.isfinite(self):
            return "\u2013" if self != self else f"${'-' if self < 0 else ''}\\infty$"
        mantissa, exponent = format(float(self), self.fmt).split("e")
        exponent = int(exponent)
        if exponent == 0:
            return f"${mantissa}$"
        power = f"10^{{{exponent}}}"
        if float(mantissa) in (1.0, -1.0):
            return f"${'-' if float(mantissa) < 0 else ''}{power}$"
        return f"${mantissa} \\times {power}$"

    def __repr__(self) -> str:
        return repr(float(self))


class Md(str):
    """A generated sentence that may hold math, for ``{glue:md}`name:myst```.

    :func:`report` glues it as it is (Markdown, parsed as MyST where the role says
    ``:myst``) and prints it as plain text (:meth:`plain`), wrapped to the output box.
    Build it so that it is true for any outcome (a count of zero included):
    ``Md(f"all {n} agree" if bad == 0 else f"{bad} of {n} disagree")``.
    """

    def _repr_markdown_(self) -> str:
        return str(self)

    def plain(self) -> str:
        """The sentence as printed text: the math without ``$`` and the common TeX
        commands as characters (``$\\acirc = 2.5$`` prints as ``a° = 2.5``)."""
        return re.sub(r"\$([^$]*)\$", lambda m: _plain_tex(m.group(1)), str(self))


_TEX_CHARS = {"\\acirc": "a°", "\\kcirc": "κ°", "\\eps": "ε", "\\kappa": "κ",
              "\\lambda": "λ", "\\times": "×", "\\le": "≤", "\\ge": "≥",
              "\\bar a": "ā", "\\abar": "ā", "\\,": " ", "\\infty": "∞", "\\He": "He"}


def _plain_tex(tex: str) -> str:
    for command, char in _TEX_CHARS.items():
        tex = re.sub(re.escape(command) + r"(?![A-Za-z])", char, tex)
    tex = re.sub(r"\\(?:mathrm|operatorname|text)\{([^}]*)\}", r"\1", tex)
    tex = re.sub(r"\\([A-Za-z]+)", r"\1", tex)  # any other command: its name
    return tex.replace("{", "").replace("}", "")


def report(*rows, title: str | None = None) -> None:
    """Glue and print the numbers that the prose quotes.

    Each row is ``(name, value, label)`` or ``(name, value, label, fmt)``: the value is
    glued under ``name`` (for ``{glue:text}`name:fmt```) and printed as ``label  value``
    with the format ``fmt`` (default: integers in full, floats ``".4g"``). ``name`` may
    be ``None`` for a number that is printed but not quoted. A number whose format ends
    in ``e`` is glued as a :class:`Sci`: ``{glue:md}`name:myst``` typesets it as
    :math:`9.4 \\times 10^{-5}` (a NaN, a quantity not measured, prints as a dash).
    """
    lines = []
    for row in rows:
        if len(row) not in (3, 4):
            raise ValueError(f"each row is (name, value, label[, fmt]), got {row!r}")
        name, value, label = row[:3]
        fmt = row[3] if len(row) == 4 else None
        if not isinstance(value, str):
            value = float(value) if not isinstance(value, numbers.Integral) else int(value)
        if name is not None:
            sci = fmt and fmt.endswith("e") and not isinstance(value, (str, int))
            glue(name, Sci(value, fmt) if sci else value)
        lines.append((str(label), value, fmt))
    width = max((len(label) for label, _, _ in lines), default=0)
    if title:
        print(title)
    for label, value, fmt in lines:
        if isinstance(value, Md):  # a sentence: wrapped to the output box
            text = textwrap.fill(value.plain(), max(30, 74 - width))
        else:
            text = _format(value, fmt)
        print(f"  {label:<{width}}  " + text.replace("\n", "\n" + " " * (width + 4)))


class Table:
    """A computed table: HTML in Jupyter, a numbered MyST ``{table}`` in the book.

    Built by :func:`table`. ``_repr_html_`` is what JupyterLab shows;
    ``_repr_markdown_`` is what the book renders (``_config.yml`` puts ``text/markdown``
    first for the html and latex builders and parses it as MyST), so the table gets the
    theme's table style, its caption and a number that ``{numref}`` can cite.
    """

    def __init__(self, header, rows, caption: str, name: str):
        self.header, self.rows, self.caption, self.name = header, rows, caption, name

    def _repr_markdown_(self) -> str:
        def cell(text):
            return text.replace("|", "\\|")

        head = "| " + " | ".join(cell(h) for h in self.header) + " |"
        rule = "|" + "|".join(":---" if i == 0 else "---:" for i in range(len(self.header))) + "|"
        body = ["| " + " | ".join(cell(c) for c in row) + " |" for row in self.rows]
        return "\n".join([f":::{{table}} {self.caption}", f":name: {self.name}", "",
                          head, rule, *body, ":::", ""])

    def _repr_html_(self) -> str:
        esc = html.escape
        head = "".join(f"<th>{esc(h)}</th>" for h in self.header)
        body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>"
                       for row in self.rows)
        return (f"<table><caption>{esc(self.caption)}</caption><thead><tr>{head}</tr></thead>"
                f"<tbody>{body}</tbody></table>")

    def __repr__(self) -> str:  # plain text: aligned columns
        cols = list(zip(self.header, *self.rows))
        widths = [max(len(c) for c in col) for col in cols]
        lines = [self.caption] + ["  ".join(c.rjust(w) for c, w in zip(row, widths))
                                  for row in [self.header, *self.rows]]
        return "\n".join(lines)


def _cell(value, fmt) -> str:
    """A table cell: :func:`_format`, with a format ending in ``e`` set as math
    (:class:`Sci`) and a real minus sign for negative numbers."""
    if isinstance(value, (str, numbers.Integral)):
        return _format(value, fmt)
    if fmt and fmt.endswith("e"):
        return Sci(value, fmt)._repr_markdown_()
    text = _format(value, fmt)
    return "\u2212" + text[1:] if text.startswith("-") else text  # not an exponent's


def table(header, rows, *, caption: str, name: str, fmt=None) -> Table:
    """A table of computed values for the chapter to display.

    ``header`` is a list of column titles (MyST: ``$\\kappa$`` is typeset), ``rows`` a
    list of rows of values; numbers are formatted with ``fmt``, a format spec or one
    spec per column (default: integers in full, floats ``".4g"``; strings are kept;
    a format ending in ``e`` gives :math:`1.2 \\times 10^{-4}`, a negative number a
    real minus sign, a NaN a dash). ``caption`` and ``name`` give the
    table its caption and its label for ``{numref}``. The returned :class:`Table` is
    the last expression of its cell (or passed to ``display``).
    """
    header = [str(h) for h in header]
    if not header:
        raise ValueError("a table needs at least one column")
    fmts = [fmt] * len(header) if fmt is None or isinstance(fmt, str) else list(fmt)
    if len(fmts) != len(header):
        raise ValueError(f"fmt must be one spec or one per column ({len(header)}), got {fmt!r}")
    out = []
    for row in rows:
        row = list(row)
        if len(row) != len(header):
            raise ValueError(f"every row must have {len(header)} cells, got {row!r}")
        out.append([_cell(v, f) for v, f in zip(row, fmts)])
    if not name or any(ch.isspace() for ch in name):
        raise ValueError(f"name must be a label without spaces, got {name!r}")
    return Table(header, out, str(caption), name)


def show_params(params) -> None:
    """Print a chapter's parameters (a ``NamedTuple``), one ``name = value`` per line."""
    fields = getattr(params, "_fields", None)
    if fields is None:
        raise ValueError(f"params must be a NamedTuple, got {type(params).__name__}")
    width = max(len(f) for f in fields)
    print(f"{type(params).__name__}:")
    for f in fields:
        lead = f"  {f:<{width}} = "
        text = textwrap.wrap(repr(getattr(params, f)), 76 - len(lead)) or [""]
        print(lead + ("\n" + " " * len(lead)).join(text))


def plural(n: int, word: str, words: str | None = None) -> str:
    """``"1 seed"``, ``"3 seeds"``: a count with its noun in the right number."""
    n = int(n)
    return f"{n} {word if n == 1 else (words or word + 's')}"

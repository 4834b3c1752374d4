"""lib.display: what a chapter prints, glues and tabulates."""
from __future__ import annotations

import math
from typing import NamedTuple

import pytest

from lib.display import Md, Sci, plural, report, show_params, table


@pytest.mark.parametrize("value, fmt, math_text", [
    (9.4e-5, ".1e", r"$9.4 \times 10^{-5}$"),
    (1e12, ".0e", "$10^{12}$"),
    (-2.3e-7, ".1e", r"$-2.3 \times 10^{-7}$"),
    (2e4, ".0e", r"$2 \times 10^{4}$"),
    (1.5, ".1e", "$1.5$"),
    (float("nan"), ".1e", "\u2013"),
])
def test_sci_typesets_as_math_and_stays_a_float(value, fmt, math_text):
    x = Sci(value, fmt)
    assert x._repr_markdown_() == math_text
    if not math.isnan(value):
        assert float(repr(x)) == value  # {glue:text}`name:.1e` parses the text form
        assert x * 2 == 2 * value


def test_report_prints_rounded_labelled_numbers(capsys):
    report(("a", 9.4e-5, "tiny", ".1e"), (None, 3, "count"), ("c", float("nan"), "none", ".2f"))
    out = capsys.readouterr().out.splitlines()
    assert out == ["  tiny   9.4e-05", "  count  3", "  none   \u2013"]
    with pytest.raises(ValueError, match="each row"):
        report(("a", 1.0))


def test_table_formats_cells_and_checks_its_shape():
    t = table(["$d$", "slope"], [[32, 0.51234], [64, float("nan")]], caption="Slopes.",
              name="tab-x", fmt=[None, ".2f"])
    md = t._repr_markdown_()
    assert ":::{table} Slopes." in md and ":name: tab-x" in md
    assert "| 32 | 0.51 |" in md and "| 64 | \u2013 |" in md
    assert "<caption>Slopes.</caption>" in t._repr_html_()
    cells = table(["x", "y"], [[-0.5, 1.2e-4]], caption="c", name="tab-z",
                  fmt=[".2f", ".1e"]).rows[0]
    assert cells == ["\u22120.50", r"$1.2 \times 10^{-4}$"]  # real minus, math
    cells = table(["x", "y"], [[1e-5, -2.5e-5]], caption="c", name="tab-w").rows[0]
    assert cells == ["1e-05", "\u22122.5e-05"]  # the sign, not the exponent's minus
    with pytest.raises(ValueError, match="every row"):
        table(["a", "b"], [[1]], caption="x", name="tab-y")
    with pytest.raises(ValueError, match="without spaces"):
        table(["a"], [[1]], caption="x", name="tab y")


def test_show_params_and_plural(capsys):
    class P(NamedTuple):
        width: int = 64
        eps: float = 0.02

    show_params(P())
    assert capsys.readouterr().out.splitlines() == ["P:", "  width = 64", "  eps   = 0.02"]
    with pytest.raises(ValueError, match="NamedTuple"):
        show_params({"width": 64})
    assert plural(1, "seed") == "1 seed" and plural(3, "seed") == "3 seeds"
    assert plural(2, "axis", "axes") == "2 axes"


def test_md_sentences_are_markdown_and_print_as_plain_text(capsys):
    m = Md(r"all 3 agree, with $\acirc = 2.50$ and $x = -1.44 \times 10^{-3}$")
    assert m._repr_markdown_() == str(m)  # glued as it is, math and all
    assert m.plain() == "all 3 agree, with a° = 2.50 and x = -1.44 × 10^-3"
    report(("s", m, "in words"))
    out = capsys.readouterr().out
    assert "$" not in out and out.startswith("  in words  all 3 agree")

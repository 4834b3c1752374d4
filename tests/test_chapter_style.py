"""The chapters keep the book's idiom (static checks: no kernel needed).

What a reader, a student and a teacher rely on in every chapter (see
``book/course.md`` and ``lib/display.py``):

- one parameters cell: a ``Params`` named tuple, the one CI idiom
  (``if "CI" in os.environ:`` replacing sizes), and ``show_params(P)``;
- every figure drawn in a cell tagged ``remove-output`` and handed to
  ``show_figure`` (shown in Jupyter, placed once by ``{glue:figure}`` on the website),
  and every ``{glue:figure}`` of the prose drawn by such a call;
- numbers glued through ``report`` (which prints them too), never a bare ``glue``;
- code lines no wider than the website's code box (77 characters);
- the book speaks for itself: no mention of the authors' private notes.
"""
from __future__ import annotations

import re
from pathlib import Path

import jupytext
import pytest

REPO = Path(__file__).resolve().parents[1]
CHAPTERS = sorted(p for p in (REPO / "book").glob("*.py")
                  if "format_name: percent" in p.read_text()[:2000])
MAX_LINE = 77  # characters that fit the code box at 1280 px (tests/site checks it)
SHOW = re.compile(r"show_figure\(\s*\w+\s*,\s*[\"']([^\"']+)[\"']")
GLUE_FIGURE = re.compile(r"```\{glue:figure\}\s+(\S+)")


def code_cells(path):
    return [c for c in jupytext.read(path).cells if c.cell_type == "code"]


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_one_parameters_cell_and_one_ci_idiom(path):
    sources = [c.source for c in code_cells(path)]
    params = [s for s in sources if re.search(r"^class Params\(NamedTuple\):", s, re.M)]
    assert len(params) == 1, f"{path.name}: {len(params)} Params cells (one expected)"
    cell = params[0]
    assert cell.count('if "CI" in os.environ:') == 1 and "P = Params()" in cell, \
        f"{path.name}: the parameters cell lacks the CI idiom (P = Params(); if \"CI\" in os.environ: ...)"
    assert "show_params(P)" in cell, f"{path.name}: the parameters cell does not show_params(P)"
    others = [s for s in sources if s is not cell and "os.environ" in s]
    assert not others, f"{path.name}: CI or environment checks outside the parameters cell"


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_figures_are_shown_in_jupyter_and_placed_once(path):
    nb = jupytext.read(path)
    shown = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        names = SHOW.findall(cell.source)
        tags = cell.metadata.get("tags", [])
        if names:
            assert "remove-output" in tags, (f"{path.name}: the cell drawing {names} needs "
                                             "the tag remove-output (else it shows twice)")
        shown.update(names)
        assert not re.search(r"(?<![\w.])glue\(", cell.source), \
            f"{path.name}: a bare glue(...) call: use report(...) or show_figure(...)"
        assert "html_table" not in cell.source, f"{path.name}: use lib.display.table"
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    placed = set(GLUE_FIGURE.findall(prose))
    assert placed <= shown, f"{path.name}: figures placed but not drawn: {placed - shown}"
    assert shown <= placed, f"{path.name}: figures drawn but never placed: {shown - placed}"


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_code_fits_the_box(path):
    long = [f"{len(line)}: {line}" for cell in code_cells(path)
            for line in cell.source.splitlines() if len(line) > MAX_LINE]
    assert not long, f"{path.name}: code lines over {MAX_LINE} characters:\n" + "\n".join(long)


def test_the_book_speaks_for_itself():
    pattern = re.compile("working" + r"\s+notes|\bthe" + r"\s+notes\b|THEORY\.md", re.I)
    found = [f"{p.relative_to(REPO)}:{i}: {line.strip()[:80]}"
             for folder in ("book", "lib", "tests", "tools")
             for p in sorted((REPO / folder).rglob("*")) if p.suffix in (".py", ".md")
             for i, line in enumerate(p.read_text(errors="replace").splitlines(), 1)
             if pattern.search(line)]
    assert not found, "\n".join(found)


def _params_fields(path) -> set[str]:
    cell = next(c.source for c in code_cells(path) if "class Params(NamedTuple)" in c.source)
    body = cell.split("class Params(NamedTuple):", 1)[1]
    return set(re.findall(r"^    (\w+)\s*:", body, re.M))


def test_the_course_homework_names_real_knobs():
    """Every knob that book/course.md's homework table names exists in that chapter's
    Params (a teacher's handout must not send students after a parameter that is gone)."""
    text = (REPO / "book" / "course.md").read_text()
    table = text.split("| Chapter | Knobs |", 1)[1].split("\n\n", 1)[0]
    rows = [line for line in table.splitlines()[2:] if line.startswith("|")]
    named = {re.search(r"\{doc\}`(\w+)`", row).group(1):
             re.findall(r"`(\w+)`", row.split("|")[2]) for row in rows}
    chapters = {p.stem for p in CHAPTERS}
    assert set(named) == chapters, f"homework rows for {sorted(set(named))}, chapters {sorted(chapters)}"
    missing = {name: sorted(set(knobs) - _params_fields(REPO / "book" / f"{name}.py"))
               for name, knobs in named.items()}
    missing = {k: v for k, v in missing.items() if v}
    assert not missing, f"knobs in book/course.md that the chapters' Params lack: {missing}"

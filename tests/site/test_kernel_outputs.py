"""What a reader who runs a chapter in Jupyter sees: the outputs of a real kernel.

The nbval run of ``make test`` executes every chapter in a Jupyter kernel and keeps the
executed notebook (``tests/nbval_jupytext.py``). A reader who opens the chapter in
JupyterLab, Binder or Colab sees exactly these outputs, and none of the website's
``{glue}`` placements. So, for every chapter:

- every glued figure is also *displayed*, as an ``image/png`` output of the cell that
  drew it (a figure glued with ``display=False`` exists in the notebook only as an
  ``application/papermill.record/image/png`` record, which no Jupyter front end shows;
  :func:`lib.display.show_figure` glues with ``display=True``, one output that is both);
- no cell's outputs are glue records only (a number glued for the prose and not
  printed is invisible in Jupyter);
- every ``{glue:figure}`` of the prose names a figure the chapter glues.

:func:`test_checker_catches_a_broken_chapter` executes a small chapter broken on purpose
through a kernel and expects the checker to report it.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from tests.site.conftest import wait_for_chapters
from tools import browser, editions

RECORD = "application/papermill.record/"
GLUE_FIGURE = re.compile(r"```\{glue:figure\}\s+(\S+)")


def kernel_output_problems(nb) -> list[str]:
    """What a Jupyter reader of the executed notebook ``nb`` would miss."""
    problems, glued_figures = [], set()
    code = [c for c in nb.cells if c.cell_type == "code"]
    for number, cell in enumerate(code, start=1):
        outputs = cell.get("outputs", [])
        records = [o for o in outputs if o.get("output_type") == "display_data"
                   and o.get("data") and all(k.startswith(RECORD) for k in o["data"])]
        shown_png = [o for o in outputs if o.get("output_type") in ("display_data", "execute_result")
                     and "image/png" in o.get("data", {})]
        glued_png = [o for o in records if RECORD + "image/png" in o["data"]]
        for output in outputs:  # glued figures: hidden records, or glued and shown at once
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name and {RECORD + "image/png", "image/png"} & set(output.get("data", {})):
                glued_figures.add(name)
        if outputs and len(records) == len(outputs):
            problems.append(f"code cell {number}: its only outputs are glue records "
                            f"(nothing shows in Jupyter): {cell.source.splitlines()[0][:60]!r}")
        if len(shown_png) < len(glued_png):
            problems.append(f"code cell {number}: {len(glued_png)} figure(s) glued but "
                            f"{len(shown_png)} displayed as image/png (use lib.display.show_figure)")
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for name in GLUE_FIGURE.findall(prose):
        if name not in glued_figures:
            problems.append(f"the prose places figure {name!r}, which no cell glues as an image")
    return problems


def _executed(source: Path) -> Path:
    return editions.EXECUTED / source.relative_to(editions.REPO).with_suffix(".ipynb")


CHAPTERS = [s for s in browser.toc_sources() if browser.is_chapter(s)]


@pytest.mark.parametrize("source", CHAPTERS, ids=[s.stem for s in CHAPTERS])
def test_chapter_shows_its_figures_and_numbers_in_jupyter(source):
    wait_for_chapters()
    path = _executed(source)
    assert path.is_file(), (f"{source.name} was not executed by the nbval run "
                            f"(run the chapters first: make test, or pytest book/{source.name})")
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.get("executed_by_tests", {}).get("complete"), \
        f"{source.name}: a cell failed in the nbval run"
    problems = kernel_output_problems(nb)
    assert not problems, f"{source.name}:\n" + "\n".join(problems)


BROKEN = '''# %%
import matplotlib.pyplot as plt
from myst_nb import glue
fig, ax = plt.subplots()
ax.plot([0, 1], [1, 0])
glue("fig-broken", fig, display=False)  # glued only: invisible in Jupyter
plt.close(fig)
glue("a-number", 0.5, display=False)    # glued, never printed

# %% [markdown]
# ```{glue:figure} fig-broken
# :name: fig-broken
#
# Caption.
# ```
#
# ```{glue:figure} fig-never-glued
# ```
'''

SOUND = '''# %%
import matplotlib.pyplot as plt
from lib.display import report, show_figure
fig, ax = plt.subplots()
ax.plot([0, 1], [1, 0])
show_figure(fig, "fig-sound")
report(("a-number", 0.5, "a number", ".2f"))

# %% [markdown]
# ```{glue:figure} fig-sound
# :name: fig-sound
#
# Caption.
# ```
'''


def _execute(text: str, tmp_path: Path):
    import jupytext
    from nbclient import NotebookClient

    nb = jupytext.reads(text, fmt="py:percent")
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(editions.REPO)}}).execute()
    return nb


def test_checker_catches_a_broken_chapter(tmp_path):
    """The test of the test: a chapter that only glues is reported, a sound one is not."""
    problems = kernel_output_problems(_execute(BROKEN, tmp_path))
    text = "\n".join(problems)
    assert "only outputs are glue records" in text, text
    assert "1 figure(s) glued but 0 displayed" in text, text
    assert "'fig-never-glued'" in text, text
    assert kernel_output_problems(_execute(SOUND, tmp_path)) == []

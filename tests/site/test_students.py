"""The students' edition (``make students``): the book with its exercises and without
their solutions, on the page and in the notebooks offered for download.

Built from the same executions as the website (``tools/editions.py``;
``tools/ipynb_download.py`` takes the solutions out of the sources before the pages
are made, and out of the downloadable notebooks). Checked: every chapter page keeps all
the website's exercise boxes and has no solution box and none of the solutions' code
or text, and every chapter's downloadable ``.ipynb`` holds its exercises and no
solution. The pages are otherwise the website's, so the browser checks of
``test_website.py`` cover how they render. The teachers' website keeps its solutions (so that a build
that drops them everywhere does not pass).
"""
from __future__ import annotations

import html as htmllib
import re

import jupytext
import nbformat
import pytest

from tests.site.conftest import edition
from tools import browser, editions
from tools.ipynb_download import START

CHAPTERS = [s for s in browser.toc_sources() if browser.is_chapter(s)]


def solution_snippets(source) -> list[str]:
    """Distinctive lines of a chapter's solutions: their code and their prose."""
    nb = jupytext.read(source)
    snippets, inside, elsewhere = [], False, set()
    for cell in nb.cells:
        text = cell.source
        if cell.cell_type == "code":
            code = [l.split("  #")[0].strip() for l in text.splitlines()]
            lines = [l for l in code if len(l) > 25 and not l.startswith("#")]
            if inside:
                snippets += lines[:2]
            else:
                elsewhere.update(lines)
            continue
        for part in re.split(r"(```\{solution-(?:start|end)\}[^\n]*)", text):
            if part.startswith("```{solution-start}"):
                inside = True
            elif part.startswith("```{solution-end}"):
                inside = False
            elif inside:
                words = [l.strip() for l in part.splitlines()
                         if len(l.strip()) > 40 and not re.search(r"[{}$`\\]", l)]
                snippets += words[:1]
    return [s for s in snippets if s not in elsewhere]  # lines only a solution has


def page_text(path) -> str:
    """The text of an HTML page as a reader sees it (tags removed, entities decoded)."""
    return htmllib.unescape(re.sub(r"<[^>]+>", "", path.read_text()))


@pytest.fixture(scope="module")
def students():
    return edition("students")


@pytest.mark.parametrize("source", CHAPTERS, ids=[s.stem for s in CHAPTERS])
def test_no_solution_on_the_page_or_in_the_notebook(students, source):
    rel = source.relative_to(editions.REPO).with_suffix(".html")
    html = page_text(students.html / rel)
    snippets = solution_snippets(source)
    assert snippets, f"{source.name}: no solution found in the source to look for"
    shown = [s for s in snippets if s in html]
    assert not shown, f"{rel}: solution text in the students' edition: {shown[:3]}"
    assert "exercise" in html.lower(), f"{rel}: the exercises are gone too"
    download = students.html / "_sources" / rel.with_suffix(".ipynb")
    assert download.is_file(), f"no notebook to download for {rel}"
    nb = nbformat.read(download, as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    assert not START.search(text) and "solution-end" not in text, \
        f"{download.name}: solution markers in the students' notebook"
    assert "{exercise}" in text, f"{download.name}: the exercises are gone from the notebook"
    left = [s for s in snippets if s in text]
    assert not left, f"{download.name}: solution code or text left: {left[:3]}"


ADMONITION = re.compile(r'class="(exercise|solution)[^"]*\badmonition\b')


def test_students_pages_keep_every_exercise_and_no_solution_box(students):
    """Every exercise box of the website is on the students' page, and no solution box.
    The pages are otherwise the website's, whose rendering the browser checks cover."""
    site = edition("html").html
    for source in CHAPTERS:
        rel = source.relative_to(editions.REPO).with_suffix(".html")
        boxes = {where: [m.group(1) for m in ADMONITION.finditer((root / rel).read_text())]
                 for where, root in (("website", site), ("students", students.html))}
        assert boxes["website"].count("solution") > 0, f"{rel}: no solution on the website"
        assert boxes["students"].count("solution") == 0, f"{rel}: a solution box left"
        assert boxes["students"].count("exercise") == boxes["website"].count("exercise") > 0, \
            f"{rel}: exercises {boxes['students'].count('exercise')} in the students' edition, " \
            f"{boxes['website'].count('exercise')} on the website"


def test_the_teachers_edition_keeps_its_solutions():
    site = edition("html").html
    for source in CHAPTERS:
        rel = source.relative_to(editions.REPO).with_suffix(".html")
        html = page_text(site / rel)
        assert any(s in html for s in solution_snippets(source)), \
            f"{rel}: the teachers' edition lost its solutions"

"""The PDF edition (``make pdf``), built at CI sizes from the executed chapters and read
back with ``pdftotext``, as a reader of the printed book would read it.

Checked (:func:`pdf_problems`): the title page (title, authors, version) and a table of
contents; every chapter title of the table of contents; no ``??`` (a reference LaTeX
could not resolve); no raw ``{glue`` or ``$`` left from the sources (numbers pasted,
math typeset); as many numbered figure captions as the website has figures; a page
count in a sane range. The figures are vector graphics (PDF), not bitmaps.
:func:`test_checker_catches_breakage` feeds the checker texts broken on purpose.
Needs TeX Live (``make test`` installs it where it can; skipped with a message
elsewhere, a failure under CI).
"""
from __future__ import annotations

import re
import subprocess

import pytest

from tests.site.conftest import edition, have_tex, need
from tools import browser, editions

PAGES = (40, 600)  # a sane page count for the whole book at CI sizes
# a Python string literal of a code cell (r"...", "...", or '...' after ( = [ ,)
CODE_STRINGS = re.compile(r"""r?"[^"\n]*"|(?<=[(=\[,])\s*r?'[^'\n]*'""")


def chapter_titles() -> list[str]:
    """The ``# `` title of every page of the table of contents."""
    titles = []
    for source in browser.toc_sources():
        text = source.read_text(encoding="utf-8")
        pattern = r"^# # (.+)$" if source.suffix == ".py" else r"^# (.+)$"
        match = re.search(pattern, text, re.M)
        if match:
            titles.append(match.group(1).strip())
    return titles


def normalise(text: str) -> str:
    """Whitespace collapsed, ligatures and hyphenation undone (pdftotext output)."""
    text = text.replace("ﬁ", "fi").replace("ﬂ", "fl").replace("ﬀ", "ff").replace("ﬃ", "ffi")
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"-\n(?=[a-z])", "", text)
    return re.sub(r"\s+", " ", text)


def pdf_problems(text: str, titles: list[str], n_figures: int, pages: int) -> list[str]:
    """What a reader of the PDF would find wrong, from its text (``pdftotext``)."""
    flat = normalise(text)
    problems = []
    for title in titles:
        plain = re.sub(r"[$`*]", "", title)
        if plain.lower() not in flat.lower():
            problems.append(f"chapter title missing: {title!r}")
    if re.search(r"\?\?", flat):
        at = flat.index("??")
        problems.append(f"unresolved reference '??': ...{flat[max(0, at - 60):at + 20]}...")
    prose = CODE_STRINGS.sub(" ", flat)  # Python strings in code cells hold MyST too
    for raw in ("{glue", "{numref", "{eq}", "{cite}", "{doc}"):
        if raw in prose:
            at = prose.index(raw)
            problems.append(f"raw {raw} left in the text: ...{prose[max(0, at - 40):at + 40]}...")
    dollars = [m.start() for m in re.finditer(r"(?<![\w\\])\$(?=\S)", prose)]
    if dollars:
        at = dollars[0]
        problems.append(f"raw $ left in the text ({len(dollars)}x): ...{prose[max(0, at - 40):at + 40]}...")
    # chapters number their figures "Fig. 3.2"; the introduction, front matter, "Fig. 1"
    captions = set(re.findall(r"\bFig(?:ure|\.)\s*(\d+(?:\.\d+)?)\s*:", flat))
    if len(captions) != n_figures:
        problems.append(f"{len(captions)} numbered figure captions in the PDF, "
                        f"{n_figures} figures on the website")
    if not PAGES[0] <= pages <= PAGES[1]:
        problems.append(f"{pages} pages: outside the sane range {PAGES}")
    if "Contents" not in flat[:5000] and "CONTENTS" not in flat[:5000]:
        problems.append("no table of contents at the front")
    return problems


def website_figures(html_root) -> int:
    """Figures with an image on the website's chapter pages."""
    count = 0
    for source in browser.toc_sources():
        page = html_root / source.relative_to(editions.REPO).with_suffix(".html")
        html = page.read_text() if page.is_file() else ""
        count += len(re.findall(r"<figure[^>]*>\s*(?:<a[^>]*>)?\s*<img", html))
    return count


@pytest.fixture(scope="module")
def pdf():
    need("TeX Live", have_tex(), "texlive-latex-extra, texlive-xetex and latexmk")
    need("pdftotext", subprocess.run(["which", "pdftotext"], capture_output=True).returncode == 0,
         "poppler-utils")
    build = edition("pdf")
    assert build.pdf is not None, f"no PDF in {build.out / '_build' / 'latex'}"
    return build


def test_the_pdf_reads_like_the_book(pdf):
    text = subprocess.run(["pdftotext", "-layout", str(pdf.pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    info = subprocess.run(["pdfinfo", str(pdf.pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    need("Chromium", browser.find_chromium() is not None, "chromium")
    n_figures = website_figures(edition("html").html)
    assert n_figures > 0
    problems = pdf_problems(text, chapter_titles(), n_figures, pages)
    assert not problems, f"{pdf.pdf} ({pages} pages):\n" + "\n".join(problems)
    flat = normalise(text[:3000])
    assert "fastslow-book authors" in flat and "0.1.0" in flat, "title page: authors, version"
    print(f"PDF: {pages} pages, {n_figures} figures, built in {pdf.seconds:.0f} s")


def test_figures_are_vector_graphics(pdf):
    images = subprocess.run(["pdfimages", "-list", str(pdf.pdf)], capture_output=True,
                            text=True).stdout.splitlines()[2:]
    big = [line for line in images if line.split() and int(line.split()[3]) > 400]
    assert not big, f"{len(big)} bitmap figures in the PDF (expected vector PDF figures):\n" \
                    + "\n".join(big[:5])


def test_checker_catches_breakage():
    good = "Contents ... The story  Fig. 1.1: a caption. Fig. 1.2: another."
    assert pdf_problems(good, ["The story"], 2, 100) == []
    broken = {
        "unresolved reference": good + " see Section ??.",
        "chapter title missing": good.replace("The story", "The stor y"),
        "raw {glue": good + " a number {glue:text}`x:.2f` here",
        "raw $ left": good + " the value $\\kappa$ here",
        "1 numbered figure captions": good.replace("Fig. 1.2: another.", ""),
    }
    for expected, text in broken.items():
        problems = pdf_problems(text, ["The story"], 2, 100)
        assert any(expected in p for p in problems), (expected, problems)
    assert any("outside the sane range" in p for p in pdf_problems(good, [], 2, 5))

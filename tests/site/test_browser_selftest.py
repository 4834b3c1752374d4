"""The test of the browser test: pages broken on purpose must be reported, a sound page not.

A tiny site fabricated in a temporary folder, served with the MathJax copy from
node_modules/ and the macros of ``_config.yml``: each broken page carries one fault a
reader would see (raw ``$$`` math, a figure that does not load, a broken link and a
broken anchor, a macro that is not defined, a figure rendered as text, a chapter
without its Summary). The sound page, with the book's own macros, must pass:
otherwise a checker that fails everything would look as good as one that works.
The legibility checks are tested on a real page of the built book
(``test_legibility_selftest.py``).
"""
from __future__ import annotations

import json
import os
import struct
import zlib
from pathlib import Path

import pytest
import yaml

from tools import browser as site

from tests.site.conftest import need

MATHJAX = site.REPO / "node_modules" / "mathjax"


def _png(width: int = 40, height: int = 30) -> bytes:
    """A small grey PNG, written by hand (no imaging library needed)."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(b"\0" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _page(title: str, body: str, mathjax: bool = True) -> str:
    config = yaml.safe_load((site.REPO / "_config.yml").read_text())
    mathjax_config = config["sphinx"]["config"]["mathjax3_config"]
    script = (f"<script>window.MathJax = {json.dumps(mathjax_config)}</script>\n"
              '<script defer src="_static/es5/tex-chtml.js"></script>') if mathjax else ""
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>{script}"
            f"</head><body><main><article class='bd-article'><section id='top'>"
            f"<h1>{title}</h1>{body}</section></article></main></body></html>")


SUMMARY = ("<section id='summary'><h2>Summary</h2><p>What we saw.</p></section>"
           "<section id='exercises'><h2>Exercises</h2>"
           "<div class='exercise admonition'><p>Do it.</p></div>"
           "<div class='solution dropdown admonition'><p>Done.</p></div></section>")
MATH = ("<p>Inline <span class='math notranslate nohighlight'>\\(\\E[\\He_2(z)] = 0\\)</span>"
        " and a display:</p><div class='math notranslate nohighlight'>"
        "\\[ \\dot\\kappa = a(1-\\kappa^2)\\,\\phi'(\\kappa), \\quad \\sstar, \\eps, \\abar,"
        " \\thetastar, \\Mzero, \\kcirc, \\acirc \\]</div>")
PAGES = {
    "good.html": _page("Sound chapter", MATH + "<img src='fig.png' alt='figure'>"
                       "<p><a href='other.html#target'>a link</a></p>" + SUMMARY),
    "other.html": _page("Other page", "<p id='target'>the target</p>"),
    "raw_math.html": _page("Raw math", "<p>$$ x^2 $$</p>" + MATH + SUMMARY, mathjax=False),
    "missing_image.html": _page("Missing figure", "<img src='_images/gone.png'>" + SUMMARY),
    "broken_link.html": _page("Broken link", "<a href='nowhere.html'>x</a>"
                              "<a href='other.html#no-such-anchor'>y</a>" + SUMMARY),
    "undefined_macro.html": _page("Undefined macro", "<span class='math'>\\(\\notamacro x\\)"
                                  "</span>" + SUMMARY),
    "figure_as_text.html": _page("Figure as text", "<figure id='fig-x'><div class='output'>"
                                 "<pre>&lt;Figure size 1000x360 with 2 Axes&gt;</pre></div>"
                                 "<figcaption>The caption</figcaption></figure>" + SUMMARY),
    "not_raw.html": _page("Not a raw string", "<span class='math'>\\(\tfrac12 \x08ar a\\)"
                          "</span>" + SUMMARY),
    "no_summary.html": _page("No summary", "<h2>Introduction</h2><p>text</p>"),
}


@pytest.fixture(scope="module")
def tiny_site(tmp_path_factory) -> Path:
    if not (MATHJAX / "es5" / "tex-chtml.js").is_file():
        message = "MathJax is not installed in node_modules/: run `make mathjax`"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    root = tmp_path_factory.mktemp("tiny_site")
    (root / "_static").mkdir()
    (root / "_static" / "es5").symlink_to(MATHJAX / "es5")
    (root / "fig.png").write_bytes(_png())
    for name, html in PAGES.items():
        (root / name).write_text(html)
    return root


@pytest.fixture(scope="module")
def reports(tiny_site) -> dict[str, site.PageReport]:
    need("Chromium", site.find_chromium() is not None, "chromium")
    found = site.check_pages(tiny_site, [dict(rel=name, chapter=name != "other.html")
                                         for name in PAGES])
    return dict(zip(PAGES, found))


def test_sound_page_passes(reports):
    good = reports["good.html"]
    assert good.problems == [], good.problems
    assert good.probe["mjx"] == 2


def test_raw_math_is_reported(reports):
    text = "\n".join(reports["raw_math.html"].problems)
    assert "MathJax did not load" in text
    assert "raw TeX in the text: '$$ x^2 $$'" in text
    assert "math not typeset" in text


def test_missing_image_is_reported(reports):
    problems = reports["missing_image.html"].problems
    assert "image does not load: _images/gone.png" in problems
    assert any("HTTP 404" in p and "gone.png" in p for p in problems)


def test_figure_shown_as_text_is_reported(reports):
    problems = reports["figure_as_text.html"].problems
    assert "figure without an image: #fig-x The caption" in problems, problems
    assert any("shown as text" in p for p in problems), problems


def test_undefined_macro_is_reported(reports):
    assert any("MathJax error" in p and "notamacro" in p
               for p in reports["undefined_macro.html"].problems), reports["undefined_macro.html"].problems


def test_tex_from_a_string_that_is_not_raw_is_reported(reports):
    """'\\tfrac' and '\\bar' typed without r'' reach the page as a tab and a backspace."""
    problems = reports["not_raw.html"].problems
    assert any("control character in TeX" in p and "<U+0009>frac12 <U+0008>ar a" in p
               for p in problems), problems


def test_missing_summary_and_exercises_are_reported(reports):
    problems = reports["no_summary.html"].problems
    assert any("no 'Summary' section" in p for p in problems), problems
    assert any("no exercises" in p for p in problems), problems


def test_broken_links_are_reported(tiny_site):
    problems = sorted(site.check_links(tiny_site, [tiny_site / name for name in PAGES]))
    assert problems == ["broken_link.html: nowhere.html (no such file)",
                        "broken_link.html: other.html#no-such-anchor (no anchor #no-such-anchor)",
                        "missing_image.html: _images/gone.png (no such file)"], problems


def test_a_page_without_a_title_is_reported(tiny_site):
    (tiny_site / "untitled.html").write_text(
        _page("x", SUMMARY).replace("<h1>x</h1>", ""))
    with site.chromium() as browser, site.serve(tiny_site) as base:
        report = site.check_page(browser, f"{base}/untitled.html", chapter=True)
    assert any("expected one <h1> title" in p for p in report.problems), report.problems

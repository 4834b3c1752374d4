"""The test of the browser test: pages broken on purpose must be reported, a sound page not.

Two kinds of breakage. First, a tiny site fabricated in a temporary folder, served with
the MathJax copy from node_modules/ and the macros of ``_config.yml``: each broken page
carries one fault a reader would see (raw ``$$`` math, a figure that does not load, a
broken link and a broken anchor, a macro that is not defined, a figure rendered as
text, a chapter without its Summary). The sound page, with the book's own macros, must
pass: otherwise a checker that fails everything would look as good as one that works.

Second, the legibility checks, on a real chapter page of the built site (the theme's
own styles decide what fits): the page is opened as it is (it must pass) and then once
per fault, broken in the browser by a few lines of JavaScript: a figure shrunk, a code
line and an output line too long, a table with cramped cells and one too wide, a
display equation too wide, an inline formula too long for a phone, a page wider than
the window, a second search field, a figure shown twice.
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

from tests.site.conftest import edition, need

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


# -- legibility, on a real page of the built book ------------------------------------------
TYPESET = "await MathJax.typesetPromise([el]);"
BREAKAGES = {  # name: (window width, JavaScript that breaks the page, expected problem)
    "figure shrunk": (
        site.WIDE, "(() => { const i = document.querySelector('article figure img');"
                   " i.style.width = (0.6 * i.naturalWidth) + 'px'; })()",
        "figure shown at 0.60 of its size"),
    "code line too long": (
        site.WIDE, "(() => { const p = document.querySelector('div.cell_input pre');"
                   " p.textContent += '\\nx = 1  # ' + 'a comment that runs on and on '.repeat(4); })()",
        "code line wider than its box"),
    "output too wide": (
        site.WIDE, "(() => { const p = document.querySelector('div.cell_output pre');"
                   " p.textContent += '\\n' + '0.123456789 '.repeat(20); })()",
        "output wider than its box"),
    "cramped table": (
        site.WIDE, "(() => { const d = document.createElement('div');"
                   " d.innerHTML = '<table><tr><td style=\"padding:1px\">0.3333</td>"
                   "<td style=\"padding:1px\">0.3329</td></tr></table>';"
                   " document.querySelector('article section').appendChild(d); })()",
        "table cells padded 1 px"),
    "table too wide": (
        site.WIDE, "(() => { const d = document.createElement('div');"
                   " d.innerHTML = '<table class=\"table\"><tr>' + '<td>a wide cell</td>'.repeat(30)"
                   " + '</tr></table>'; document.querySelector('article section').appendChild(d); })()",
        "table wider than the column"),
    "equation too wide": (
        site.WIDE, "(async () => { const el = document.createElement('div'); el.className = 'math';"
                   " el.textContent = '\\\\[' + 'a_1 + b_2 + c_3 + '.repeat(25) + 'z \\\\]';"
                   " document.querySelector('article section').appendChild(el); " + TYPESET + " })()",
        "display equation wider than the column at 1280 px"),
    "inline formula too long on a phone": (
        site.PHONE, "(async () => { const el = document.createElement('p');"
                    " el.innerHTML = 'so <span class=\"math\">\\\\(' + 'a_1 + b_2 + '.repeat(12)"
                    " + 'z\\\\)</span> holds';"
                    " document.querySelector('article section').appendChild(el); " + TYPESET + " })()",
        "inline formula runs past its line at 390 px"),
    "page wider than the window": (
        site.PHONE, "(() => { const d = document.createElement('div');"
                    " d.style.cssText = 'position:absolute;left:0;top:0;width:900px;height:5px';"
                    " document.body.appendChild(d); })()",
        "page wider than the window at 390 px"),
    "second search field": (
        site.WIDE, "(() => { document.querySelector('#pst-header').style.setProperty("
                   "'display', 'block', 'important'); })()",
        "search fields at 1280 px"),
    "figure shown twice": (
        site.WIDE, "(() => { const i = document.querySelector('article figure img');"
                   " const c = document.createElement('div'); c.className = 'cell_output';"
                   " c.appendChild(i.cloneNode()); i.closest('figure').before(c); })()",
        "image shown twice on the page"),
}


@pytest.fixture(scope="module")
def real_page():
    """A built chapter page with a figure, code cells, outputs and display math."""
    need("Chromium", site.find_chromium() is not None, "chromium")
    root = edition("html").html
    for source in site.toc_sources():
        if not site.is_chapter(source):
            continue
        rel = source.relative_to(site.REPO).with_suffix(".html").as_posix()
        html = (root / rel).read_text()
        if all(k in html for k in ("_images/", "cell_output", 'class="math')):
            return root, rel
    pytest.fail("no chapter page with a figure, outputs and math")


def test_the_real_page_passes_and_each_breakage_is_reported(real_page):
    root, rel = real_page
    sound = site.check_pages(root, [dict(rel=rel, chapter=True, width=width)
                                    for width in (site.WIDE, site.PHONE)])
    for report in sound:
        assert report.problems == [], f"{rel} at {report.width} px: {report.problems}"
    names = list(BREAKAGES)
    broken = site.check_pages(root, [dict(rel=rel, chapter=True, width=BREAKAGES[n][0],
                                          mutate=BREAKAGES[n][1]) for n in names])
    missed = [f"{name}: expected {BREAKAGES[name][2]!r}, got {report.problems}"
              for name, report in zip(names, broken)
              if not any(BREAKAGES[name][2] in p for p in report.problems)]
    assert not missed, "breakages the checker did not report:\n" + "\n".join(missed)

"""The test of the legibility checks, on a real chapter page of the built site (the
theme's own styles decide what fits).

The page is opened as it is (it must pass) and then with faults put in by a few lines
of JavaScript, all those of one window width at once: a figure shrunk, a code line and
an output line too long, a table with cramped cells and one too wide, a display
equation too wide, an inline formula too long for a phone, a page wider than the
window, a second search field, a figure shown twice. Each fault has its own message,
and each must be reported.
"""
from __future__ import annotations

import pytest

from tests.site.conftest import edition, need
from tools import browser as site

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
    """The page as it is passes at both widths; then, per width, the page with all that
    width's breakages at once (each has its own message, so each must be reported):
    four page loads instead of one per breakage."""
    root, rel = real_page
    widths = (site.WIDE, site.PHONE)
    by_width = {w: [n for n in BREAKAGES if BREAKAGES[n][0] == w] for w in widths}
    mutate = {w: "(async () => {" + "".join(f" await {BREAKAGES[n][1]};" for n in names) + " })()"
              for w, names in by_width.items()}
    reports = site.check_pages(root, [dict(rel=rel, chapter=True, width=w) for w in widths]
                               + [dict(rel=rel, chapter=True, width=w, mutate=mutate[w])
                                  for w in widths])
    for report in reports[:2]:
        assert report.problems == [], f"{rel} at {report.width} px: {report.problems}"
    missed = [f"{name} at {w} px: expected {BREAKAGES[name][2]!r}, got {report.problems}"
              for w, report in zip(widths, reports[2:]) for name in by_width[w]
              if not any(BREAKAGES[name][2] in p for p in report.problems)]
    assert not missed, "breakages the checker did not report:\n" + "\n".join(missed)

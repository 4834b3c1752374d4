"""The website as readers meet it: the built book opened in headless Chromium.

The site is built from the chapters the nbval run executed (``tests/site/conftest.py``,
``tools/editions.py``), served on 127.0.0.1, and every page of the table of contents is
opened at two window widths, a laptop's (1280 px) and a phone's (390 px), and checked
(``tools/browser.py``): math typeset by the MathJax copy inside the site (offline),
every image loaded and shown once, no request failed or left the machine, a title on
every page and a Summary and exercises on every chapter, and legibility: figures at
>= 0.85 of their drawn size on the laptop, no code line, output, table or equation
wider than its box, table cells padded, no page wider than the window, one search
field. Internal links and anchors are checked on every page. Screenshots of each page
at both widths are kept in ``test-artifacts/screenshots/``, for the person who runs
the tests to look at; under CI, where nobody can, they are not taken (a third of the
browser time) unless ``BROWSER_SCREENSHOTS=1``.

``BROWSER_TEST_HTML=_build/html pytest tests/site/test_website.py`` checks an existing
build instead (e.g. the full-size ``make book``).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.site.conftest import edition, need
from tools import browser, editions

SCREENSHOTS = editions.ARTIFACTS / "screenshots"
TAKE_SCREENSHOTS = os.environ.get("BROWSER_SCREENSHOTS",
                                  "0" if os.environ.get("CI") else "1") != "0"
MATHJAX = editions.REPO / "node_modules" / "mathjax" / "es5" / "tex-chtml.js"


@pytest.fixture(scope="session")
def html_root() -> Path:
    """The built site: ``$BROWSER_TEST_HTML``, or this session's build (which must pass)."""
    need("Chromium", browser.find_chromium() is not None, "chromium")
    given = os.environ.get("BROWSER_TEST_HTML")
    if given:
        root = Path(given).resolve()
        assert (root / "index.html").is_file(), f"BROWSER_TEST_HTML={given}: no index.html"
        return root
    assert MATHJAX.is_file(), ("MathJax is not installed in node_modules/: run `make mathjax` "
                               "(npm ci), the site serves its own copy")
    return edition("html").html


def test_site_builds_without_executing_again():
    """The site build succeeds, and finds every chapter already executed (nbval's run)."""
    if os.environ.get("BROWSER_TEST_HTML"):
        pytest.skip("BROWSER_TEST_HTML names a site built elsewhere")
    need("Chromium", browser.find_chromium() is not None, "chromium")
    build = edition("html")
    missing = [p.name for p in build.missing]
    assert not missing, (f"chapters without a complete nbval execution, executed again by "
                         f"the build: {missing} (run the chapters first: make test)")
    print(f"site built in {build.seconds:.0f} s from the executed chapters")


@pytest.fixture(scope="session")
def toc_pages(html_root) -> list[tuple[Path, str, bool]]:
    """(source, html path relative to the site, is_chapter) for every page in the toc."""
    pages = []
    for source in browser.toc_sources():
        rel = source.relative_to(editions.REPO).with_suffix(".html").as_posix()
        pages.append((source, rel, browser.is_chapter(source)))
    return pages


@pytest.fixture(scope="session")
def reports(html_root, toc_pages) -> dict[tuple[str, int], browser.PageReport]:
    """Every page of the book opened once per width in Chromium (screenshots kept)."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    jobs = [dict(rel=rel, chapter=chapter, width=width,
                 screenshot=SCREENSHOTS / f"{rel.replace('/', '__').removesuffix('.html')}"
                                          f"-{width}.png" if TAKE_SCREENSHOTS else None)
            for _, rel, chapter in toc_pages if (html_root / rel).is_file()
            # a missing page is reported by test_every_page_is_built
            for width in (browser.WIDE, browser.PHONE)]
    found = browser.check_pages(html_root, jobs)
    return {(job["rel"], job["width"]): report for job, report in zip(jobs, found)}


def test_every_page_is_built(html_root, toc_pages):
    missing = [rel for _, rel, _ in toc_pages if not (html_root / rel).is_file()]
    assert not missing, f"pages in _toc.yml with no HTML page: {missing}"
    assert any(chapter for *_, chapter in toc_pages), "no chapter (.py notebook) in _toc.yml"


def test_no_broken_internal_links(html_root):
    problems = browser.check_links(html_root)
    assert not problems, "broken internal links:\n" + "\n".join(problems[:50])


@pytest.mark.parametrize("width", [browser.WIDE, browser.PHONE])
def test_pages_render_and_read_well(reports, width):
    problems = [f"{rel}: {problem}" for (rel, w), report in reports.items() if w == width
                for problem in report.problems]
    assert not problems, f"pages broken in the browser at {width} px:\n" + "\n".join(problems)
    assert sum(r.probe["mjx"] for (_, w), r in reports.items() if w == width) > 0, \
        "no math typeset anywhere in the book"


def test_every_figure_is_shown_near_its_drawn_size(reports):
    """Reported per page above; here the book-wide figures, for the record."""
    ratios = [fig["shown"] / fig["natural"] for (_, w), r in reports.items()
              if w == browser.WIDE for fig in r.layout["figures"]]
    assert ratios, "no figure found in the book"
    print(f"{len(ratios)} figures at 1280 px: shown at {min(ratios):.2f} to "
          f"{max(ratios):.2f} of their drawn size")
    assert min(ratios) >= 0.85


def test_screenshots_are_kept(reports):
    if not TAKE_SCREENSHOTS:
        pytest.skip("no screenshots under CI (BROWSER_SCREENSHOTS=1 takes them)")
    for key, report in reports.items():
        assert report.screenshot and report.screenshot.stat().st_size > 10_000, key


def test_chapters_have_title_and_summary(reports, toc_pages):
    for source, rel, chapter in toc_pages:
        if chapter:
            probe = reports[rel, browser.WIDE].probe
            assert probe["h1"] and probe["h1"][0], f"{rel}: no title"
            assert any(h.lower().startswith("summary") for h in probe["h2"]), \
                f"{rel}: no Summary section"


def test_chapters_offer_launch_buttons_and_ipynb_download(html_root, toc_pages):
    """Reader features of _config.yml reach every chapter: Binder and JupyterHub launch
    links to the chapter's source, and the executed notebook in the download menu
    (tools/ipynb_download.py; the file itself is checked by test_no_broken_internal_links).
    No Colab button: Colab opens only ``.ipynb`` files from GitHub, which the repository
    does not hold (``book/course.md`` says how to use Colab)."""
    for source, rel, chapter in toc_pages:
        if not chapter:
            continue
        html = (html_root / rel).read_text()
        name = Path(rel).stem
        assert f"_sources/{Path(rel).with_suffix('.ipynb').as_posix()}" in html, \
            f"{rel}: no .ipynb in the download menu"
        for service in ("mybinder.org/v2/gh/", "hub/user-redirect/git-pull"):
            assert service in html and f"{name}.py" in html, f"{rel}: no launch link to {service}"
        assert "colab.research.google.com" not in html, f"{rel}: a Colab button (it would 404)"

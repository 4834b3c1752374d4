"""The website as readers meet it: the built book opened in headless Chromium.

Builds the whole book once (``jupyter-book build -W -n --keep-going``, CI sizes, into
``test-artifacts/site``; see ``tests/browser.py``), serves it on 127.0.0.1 and checks
every page of the table of contents: math typeset by the MathJax copy inside the site
(offline), every image loaded, no request failed or left the machine, a title on every
page and a Summary on every chapter. Internal links and anchors are checked on every
page. A screenshot of each page is kept in ``test-artifacts/screenshots/``.

``BROWSER_TEST_HTML=_build/html pytest tests/test_browser.py`` checks an existing build
instead (e.g. the full-size ``make book``). Without Chromium the tests are skipped with
a message, except under CI, where .ci/run installs it and its absence is a failure.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests import browser as site

SCREENSHOTS = site.ARTIFACTS / "screenshots"
MATHJAX = site.REPO / "node_modules" / "mathjax" / "es5" / "tex-chtml.js"


def _need_chromium() -> str:
    chromium = site.find_chromium()
    if chromium is None:
        message = ("no Chromium: install Debian's `chromium` (apt-get install chromium) "
                   "to run the browser tests")
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must have it: see .ci/run)")
        pytest.skip(message)
    return chromium


@pytest.fixture(scope="session")
def html_root() -> Path:
    """The built site: ``$BROWSER_TEST_HTML``, or this session's build (which must pass)."""
    _need_chromium()
    given = os.environ.get("BROWSER_TEST_HTML")
    if given:
        root = Path(given).resolve()
        assert (root / "index.html").is_file(), f"BROWSER_TEST_HTML={given}: no index.html"
        return root
    assert MATHJAX.is_file(), ("MathJax is not installed in node_modules/: run `make mathjax` "
                               "(npm ci), the site serves its own copy")
    build = site.site_build()
    code = build.wait()
    if code != 0:
        pytest.fail(f"jupyter-book build failed (exit {code}): see test_site_builds and "
                    f"{build.log_path}", pytrace=False)
    return build.html


def test_site_builds():
    """``jupyter-book build -W -n --keep-going`` of the whole book succeeds (its warnings
    and errors are shown here once; the other tests then only say that it failed)."""
    if os.environ.get("BROWSER_TEST_HTML"):
        pytest.skip("BROWSER_TEST_HTML names a site built elsewhere")
    _need_chromium()
    assert MATHJAX.is_file(), ("MathJax is not installed in node_modules/: run `make mathjax` "
                               "(npm ci), the site serves its own copy")
    build = site.site_build()
    code = build.wait()
    assert code == 0, (f"jupyter-book build failed (exit {code}); log in {build.log_path}:\n"
                       + build.log_tail())
    print(f"site built in {build.seconds:.0f} s")


@pytest.fixture(scope="session")
def toc_pages(html_root) -> list[tuple[Path, str, bool]]:
    """(source, html path relative to the site, is_chapter) for every page in _toc.yml."""
    pages = []
    for source in site.toc_sources():
        rel = source.relative_to(site.REPO).with_suffix(".html").as_posix()
        pages.append((source, rel, site.is_chapter(source)))
    return pages


@pytest.fixture(scope="session")
def reports(html_root, toc_pages) -> dict[str, site.PageReport]:
    """Every page of the book opened once in Chromium (screenshots kept)."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    found = {}
    with site.Chromium(_need_chromium()) as chromium, site.serve(html_root) as base:
        for _, rel, chapter in toc_pages:
            if not (html_root / rel).is_file():
                continue  # reported by test_every_page_is_built
            shot = SCREENSHOTS / (rel.replace("/", "__").removesuffix(".html") + ".png")
            found[rel] = site.check_page(chromium, f"{base}/{rel}", chapter=chapter,
                                         screenshot=shot)
    return found


def test_every_page_is_built(html_root, toc_pages):
    missing = [rel for _, rel, _ in toc_pages if not (html_root / rel).is_file()]
    assert not missing, f"pages in _toc.yml with no HTML page: {missing}"
    assert any(chapter for *_, chapter in toc_pages), "no chapter (.py notebook) in _toc.yml"


def test_no_broken_internal_links(html_root):
    problems = site.check_links(html_root)
    assert not problems, "broken internal links:\n" + "\n".join(problems[:50])


def test_pages_render_in_chromium(reports):
    problems = [f"{rel}: {problem}" for rel, report in reports.items()
                for problem in report.problems]
    assert not problems, "pages broken in the browser:\n" + "\n".join(problems)
    typeset = sum(report.probe["mjx"] for report in reports.values())
    assert typeset > 0, "no math typeset anywhere in the book"


def test_screenshots_are_kept(reports):
    for rel, report in reports.items():
        assert report.screenshot and report.screenshot.stat().st_size > 10_000, rel


def test_chapters_have_title_and_summary(reports, toc_pages):
    for source, rel, chapter in toc_pages:
        if chapter:
            probe = reports[rel].probe
            assert probe["h1"] and probe["h1"][0], f"{rel}: no title"
            assert any(h.lower().startswith("summary") for h in probe["h2"]), \
                f"{rel}: no Summary section"


def test_checker_catches_breakage_on_a_real_page(html_root, toc_pages, tmp_path):
    """The test of the test on the book itself: take a built chapter page with math and
    a figure, serve it without MathJax and without that figure, and expect both reported."""
    page = next((rel for _, rel, chapter in toc_pages if chapter
                 and "_images/" in (html_root / rel).read_text()
                 and 'class="math' in (html_root / rel).read_text()), None)
    assert page is not None, "no chapter page has both math and a figure image"
    html = (html_root / page).read_text()
    broken = tmp_path / "site"
    (broken / page).parent.mkdir(parents=True)
    (broken / page).write_text(html)
    (broken / "_static").mkdir()
    for entry in (html_root / "_static").iterdir():
        if entry.name != "es5":  # MathJax gone
            (broken / "_static" / entry.name).symlink_to(entry)
    (broken / "_images").mkdir()
    images = sorted((html_root / "_images").iterdir())
    removed = next(img.name for img in images if img.name in html)
    for image in images:
        if image.name != removed:  # one figure gone
            (broken / "_images" / image.name).symlink_to(image)
    with site.Chromium(_need_chromium()) as chromium, site.serve(broken) as base:
        report = site.check_page(chromium, f"{base}/{page}", chapter=True)
    text = "\n".join(report.problems)
    assert "math not typeset: MathJax did not load" in text, text
    assert f"image does not load: ../_images/{removed}" in text, text
    assert any("HTTP 404" in p and "tex-chtml.js" in p for p in report.problems), text
    links = site.check_links(broken, [broken / page])
    assert any(removed in p and "no such file" in p for p in links), links


def test_chapters_offer_launch_buttons_and_ipynb_download(html_root, toc_pages):
    """Reader features of _config.yml reach every chapter: Binder, JupyterHub and Colab
    launch links, and the executed notebook in the download menu (tools/ipynb_download.py;
    the file itself is checked by test_no_broken_internal_links)."""
    for source, rel, chapter in toc_pages:
        if not chapter:
            continue
        html = (html_root / rel).read_text()
        name = Path(rel).stem
        assert f"_sources/{Path(rel).with_suffix('.ipynb').as_posix()}" in html, \
            f"{rel}: no .ipynb in the download menu"
        for service in ("mybinder.org/v2/gh/", "hub/user-redirect/git-pull",
                        "colab.research.google.com/github/"):
            assert service in html and name in html, f"{rel}: no launch link to {service}"

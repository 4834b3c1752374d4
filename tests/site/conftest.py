"""The book's editions, built once per test session from the chapters nbval executed.

``make test`` runs every chapter cell (nbval, which keeps each executed chapter in
``test-artifacts/executed/``), the unit tests and the tests of this folder, which build
the website, the students' edition and the PDF from those executions
(``tools/editions.py``: nothing is executed again) and check them, in one session on
two workers: the edition tests wait for the chapters (:func:`wait_for_chapters`).

The three builds start together, when the first test asks for an edition, in
background processes; each test waits for the edition it checks. Without Chromium the
browser tests are skipped with a message, without TeX Live the PDF test; under CI
(``CI`` set), where ``.ci/run`` installs both, their absence is a failure.
``BROWSER_TEST_HTML=_build/html pytest tests/site/test_website.py`` checks an existing
site (e.g. the full-size ``make book``) instead of building one.
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from tools import browser, editions

BUILDS: dict[str, editions.Build] = {}
WANTED: set[str] = set()
CHAPTERS_RUN: list[Path] = []  # chapters of this session not yet seen executed
SESSION_START = time.time()  # this process's start: notebooks written after are fresh
OUT = {"html": editions.ARTIFACTS / "site", "students": editions.ARTIFACTS / "students",
       "pdf": editions.ARTIFACTS / "pdf"}
NEEDS = {"html": ("test_website", "test_students", "test_pdf"), "students": ("test_students",),
         "pdf": ("test_pdf",)}


def have_tex() -> bool:
    return all(shutil.which(tool) for tool in ("latexmk", "pdflatex"))


def need(what: str, found: bool, install: str) -> None:
    """Skip (or, under CI, fail) a test whose system tool is missing."""
    if found:
        return
    message = f"no {what}: install Debian's {install} to run this test"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI must have it: see .ci/run)", pytrace=False)
    pytest.skip(message)


def wait_for_chapters(timeout: float = 1200) -> None:
    """Wait until every chapter this session runs has written its executed notebook.

    ``make test`` runs the chapters and these tests in one session on two workers: the
    edition tests start on one worker while the other still runs its last chapter. A
    chapter that fails still writes its notebook (marked incomplete); one that never
    does is left to the build to report, after ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while CHAPTERS_RUN and time.monotonic() < deadline:
        CHAPTERS_RUN[:] = [source for source in CHAPTERS_RUN
                           if not _written_since(source, SESSION_START)]
        if CHAPTERS_RUN:
            time.sleep(0.5)
    CHAPTERS_RUN.clear()


def _written_since(source: Path, start: float) -> bool:
    done = editions.EXECUTED / source.relative_to(editions.REPO).with_suffix(".ipynb")
    return done.is_file() and done.stat().st_mtime >= start


def edition(kind: str) -> editions.Build:
    """The build of one edition, waited for. The first call starts every build the
    session's tests need, at once, in the background (under xdist, only the worker
    that runs the edition tests gets here: ``tests/conftest.py``), once the chapters
    of the session have run."""
    wait_for_chapters()
    for start in [kind] + (sorted(WANTED - {kind}) if not BUILDS else []):
        if start not in BUILDS:
            BUILDS[start] = editions.Build(start, OUT[start], toc=browser.toc_path()).start()
    build = BUILDS[kind]
    if build.wait() != 0:
        pytest.fail(f"jupyter-book build of the {kind} edition failed (exit "
                    f"{build.returncode}); log {build.log_path}:\n{build.log_tail()}",
                    pytrace=False)
    return build


def pytest_collection_modifyitems(session, config, items):
    """Note the builds the selected tests will need (started by :func:`edition`)."""
    names = {item.module.__name__.rsplit(".", 1)[-1] for item in items
             if item.nodeid.startswith("tests/site/")}
    for kind, modules in NEEDS.items():
        if not names.intersection(modules):
            continue
        if kind == "html" and os.environ.get("BROWSER_TEST_HTML"):
            continue
        if kind == "pdf" and not have_tex():
            continue
        WANTED.add(kind)


def pytest_collection_finish(session):
    """Note the chapters the session runs (after any deselection)."""
    CHAPTERS_RUN[:] = sorted({Path(item.path).resolve() for item in session.items
                              if item.nodeid.startswith("book/")})


def pytest_sessionfinish(session, exitstatus):
    """Never leave a build running after pytest exits (e.g. with -x)."""
    for build in BUILDS.values():
        build.stop()

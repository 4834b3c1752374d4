"""Start the website build for tests/test_browser.py as soon as collection ends.

Building the book executes every chapter again (the nbval tests execute them too). The
build runs in a background process, beside the unit and chapter tests, and the
browser tests, moved to the end of the run, wait for it: on two cores this hides most
of the build's time. Nothing starts when no browser test is selected, or when
``BROWSER_TEST_HTML`` names an already built site.
"""
import os

BROWSER_TESTS = "tests/test_browser.py"


def pytest_collection_modifyitems(session, config, items):
    browser = [item for item in items if item.nodeid.startswith(BROWSER_TESTS)]
    if not browser:
        return
    items[:] = [item for item in items if not item.nodeid.startswith(BROWSER_TESTS)] + browser
    if config.option.collectonly or os.environ.get("BROWSER_TEST_HTML"):
        return
    from tests import browser as site

    if site.find_chromium() or os.environ.get("CI"):
        try:
            site.site_build().start()
        except Exception:  # the browser test's fixture starts it again and reports why
            pass


def pytest_sessionfinish(session, exitstatus):
    """Never leave the background build running after pytest exits (e.g. with -x)."""
    from tests import browser as site

    build = site._BUILD
    if build is not None and build._proc is not None and build._proc.poll() is None:
        build._proc.terminate()
        build._proc.wait(timeout=30)

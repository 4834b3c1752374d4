"""Test order: the book's editions are checked after its chapters have run.

``make test`` runs one pytest session on two workers (``-n 2 --dist loadfile
--no-loadscope-reorder``), in this order: every chapter (nbval, one chapter per worker
at a time), then the tests of the built editions (``tests/site/``, all on one worker:
they wait for the chapters still running on the other worker, then build the website,
the students' edition and the PDF from the executed chapters), and, on the other worker
meanwhile, the unit tests. Each test file stays on one worker.
"""


import pytest


@pytest.fixture(scope="session")
def running():
    """The book's running example: sigma = He_1 + 0.5 He_2, sigma* = He_1 + 0.2 He_2,
    eps = 0.05, as ``(ReducedDynamics, CriticalManifold)``."""
    from lib.hermite import polynomial
    from lib.manifold import CriticalManifold
    from lib.reduced import ReducedDynamics

    dyn = ReducedDynamics(polynomial(0, 1, 0.2), polynomial(0, 1, 0.5), eps=0.05)
    return dyn, CriticalManifold(dyn)


# The tests that check the built editions, in the order they run: they share the builds
# of one process (tests/site/conftest.py), so xdist keeps them on one worker, and the
# PDF, the slowest build, is checked last.
EDITION_TESTS = ("tests/site/test_website.py", "tests/site/test_legibility_selftest.py",
                 "tests/site/test_students.py", "tests/site/test_kernel_outputs.py",
                 "tests/site/test_pdf.py")


def _file(nodeid: str) -> str:
    return nodeid.split("::")[0]


def pytest_collection_modifyitems(session, config, items):
    editions = sorted((item for item in items if _file(item.nodeid) in EDITION_TESTS),
                      key=lambda item: EDITION_TESTS.index(_file(item.nodeid)))
    site = [item for item in items
            if item.nodeid.startswith("tests/site/") and _file(item.nodeid) not in EDITION_TESTS]
    chapters = [item for item in items if item.nodeid.startswith("book/")]
    rest = [item for item in items
            if not item.nodeid.startswith(("tests/site/", "book/"))]
    items[:] = chapters + editions + site + rest


def pytest_xdist_make_scheduler(config, log):
    """``--dist loadfile``, with the edition tests counted as one file."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class EditionsAsOneFile(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = _file(nodeid)
            return "editions" if path in EDITION_TESTS else path

    return EditionsAsOneFile(config, log)

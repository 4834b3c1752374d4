"""Test order: the book's editions are checked after its chapters have run.

``make test`` runs two pytest sessions: the unit tests and every chapter cell first
(in parallel, ``-n 2``), then ``tests/site/``, which builds the website, the students'
edition and the PDF from the chapters that run executed. A single session (plain
``pytest``) works too: the tests of ``tests/site/`` are moved to its end.
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


def pytest_collection_modifyitems(session, config, items):
    site = [item for item in items if item.nodeid.startswith("tests/site/")]
    if site:
        items[:] = [item for item in items if not item.nodeid.startswith("tests/site/")] + site

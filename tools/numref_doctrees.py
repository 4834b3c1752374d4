"""Sphinx extension: for ``{numref}``, each page's doctree is unpickled once per build.

Sphinx 7.4 (the version jupyter-book 1.x allows) resolves a ``{numref}`` by unpickling
the whole doctree of the page its target is on, once per reference. The book has 77
such references and its doctrees are 200-500 kB of nodes: measured, they took 3 s of
the 11 s of a website build (each build of ``make test`` and ``make book``). Here the
standard domain resolves them with an environment whose ``get_doctree`` keeps what it
unpickled. That is safe because the resolution only reads the target node (its type
and ids), and the doctrees do not change while the pages are written.

Enabled from ``_config.yml`` (``sphinx.local_extensions``).
"""
from __future__ import annotations

from sphinx.domains.std import StandardDomain


class _ReadOnlyDoctrees:
    """The build environment, with ``get_doctree`` answered from a cache."""

    def __init__(self, env):
        self._env, self._doctrees = env, {}

    def get_doctree(self, docname: str):
        if docname not in self._doctrees:
            self._doctrees[docname] = self._env.get_doctree(docname)
        return self._doctrees[docname]

    def __getattr__(self, name):
        return getattr(self._env, name)


_resolve_numref = StandardDomain._resolve_numref_xref


def _resolve_numref_xref(self, env, *args, **kwargs):
    cached = env.__dict__.setdefault("_numref_doctrees", _ReadOnlyDoctrees(env))
    return _resolve_numref(self, cached, *args, **kwargs)


def _forget(app, env, *args):
    env.__dict__.pop("_numref_doctrees", None)  # doctrees may change in the next build


def setup(app):
    StandardDomain._resolve_numref_xref = _resolve_numref_xref
    app.connect("env-updated", _forget)
    app.connect("build-finished", lambda app, exc: _forget(app, app.env))
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

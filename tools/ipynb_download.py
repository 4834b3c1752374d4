"""Sphinx extension: offer each executed chapter as ``.ipynb`` in the download menu.

The chapters are jupytext ``.py`` files. sphinx-book-theme puts an ``.ipynb`` entry in
a page's download menu only for MyST-markdown notebooks (``.md``); for our ``.py``
chapters it offers the ``.py`` source and a PDF. MyST-NB already writes every executed
chapter to ``<build>/jupyter_execute/<page>.ipynb`` (with its outputs); this extension
copies that notebook next to the page's source under ``_sources/`` and tells the theme
about it, before the theme builds its header buttons (priority 500 < 501).

Enabled from ``_config.yml`` (``sphinx.local_extensions: {ipynb_download: tools/}``).
"""
from __future__ import annotations

from pathlib import Path
from shutil import copy2


def add_ipynb_download(app, pagename, templatename, context, doctree):
    """Copy ``jupyter_execute/<pagename>.ipynb`` to ``_sources/`` for ``.py`` notebooks."""
    if doctree is None or pagename not in app.env.metadata:
        return
    if "kernelspec" not in app.env.metadata[pagename]:
        return
    if Path(app.env.doc2path(pagename)).suffix != ".py":
        return
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not executed.is_file():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    copy2(executed, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app):
    app.connect("html-page-context", add_ipynb_download, priority=500)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

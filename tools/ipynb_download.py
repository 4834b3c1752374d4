"""Sphinx extension: offer each executed chapter as ``.ipynb`` in the download menu.

The chapters are jupytext ``.py`` files. sphinx-book-theme puts an ``.ipynb`` entry in
a page's download menu only for MyST-markdown notebooks (``.md``); for our ``.py``
chapters it offers the ``.py`` source and a PDF. MyST-NB already writes every executed
chapter to ``<build>/jupyter_execute/<page>.ipynb`` (with its outputs); this extension
copies that notebook next to the page's source under ``_sources/`` and tells the theme
about it, before the theme builds its header buttons (priority 500 < 501).

In the students' edition (sphinx-exercise's ``hide_solutions = True``) the notebook is
copied without its solutions (:func:`strip_solutions`): a student downloads the
chapter with its exercises and none of their answers.

Enabled from ``_config.yml`` (``sphinx.local_extensions: {ipynb_download: tools/}``).
"""
from __future__ import annotations

import re
from pathlib import Path

START = re.compile(r"^```\{solution-start\}.*?^```[ \t]*$\n?", re.M | re.S)
END = re.compile(r"^```\{solution-end\}[ \t]*\n```[ \t]*$\n?", re.M)


def strip_solutions(nb):
    """Remove every gated solution (``solution-start`` ... ``solution-end``) from ``nb``.

    The markers sit inside markdown cells, possibly with other text around them (the
    end of one solution and the next exercise share a cell); code cells between them
    go, markdown text between them goes, the rest stays. Returns ``nb`` (changed in
    place). Raises ``ValueError`` on an unclosed solution.
    """
    cells, inside = [], False
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            if not inside:
                cells.append(cell)
            continue
        text, kept = cell.source, []
        while text:
            marker = (END if inside else START).search(text)
            if marker is None:
                if not inside:
                    kept.append(text)
                break
            if not inside:
                kept.append(text[:marker.start()])
            text = text[marker.end():]
            inside = not inside
        source = "".join(kept).strip("\n")
        if source.strip():
            cell.source = source
            cells.append(cell)
    if inside:
        raise ValueError("a solution-start without its solution-end")
    nb.cells = cells
    return nb


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
    text = executed.read_text(encoding="utf-8")
    if getattr(app.config, "hide_solutions", False):
        import nbformat

        nb = strip_solutions(nbformat.reads(text, as_version=4))
        text = nbformat.writes(nb)
    target.write_text(text, encoding="utf-8")
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app):
    app.connect("html-page-context", add_ipynb_download, priority=500)
    return {"version": "1.1", "parallel_read_safe": True, "parallel_write_safe": True}

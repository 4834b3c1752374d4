"""Sphinx extension: offer each executed chapter as ``.ipynb`` in the download menu.

The chapters are jupytext ``.py`` files. sphinx-book-theme puts an ``.ipynb`` entry in
a page's download menu only for MyST-markdown notebooks (``.md``); for our ``.py``
chapters it offers the ``.py`` source and a PDF. MyST-NB already writes every executed
chapter to ``<build>/jupyter_execute/<page>.ipynb`` (with its outputs); this extension
copies that notebook next to the page's source under ``_sources/`` and tells the theme
about it, before the theme builds its header buttons (priority 500 < 501).

**The students' edition** (config value ``book_students_edition = True``, set by
``tools/editions.py``): a transform takes every gated solution
(``solution-start`` ... ``solution-end``, code cells and outputs included) out of the
page before sphinx-exercise assembles it (sphinx-exercise's own ``hide_solutions``
breaks on gated solutions), and the notebook offered for download is copied without
them (:func:`strip_solutions`): a student gets the chapter with its exercises and none
of their answers.

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


def _remove_solutions_transform():
    from sphinx.transforms import SphinxTransform
    from sphinx_exercise.nodes import solution_end_node, solution_start_node

    class RemoveSolutions(SphinxTransform):
        """Remove each ``solution-start`` node, what follows it, and its ``solution-end``."""

        default_priority = 5  # before sphinx-exercise merges gated solutions (10)

        def apply(self):
            if not self.config.book_students_edition:
                return
            for start in list(self.document.findall(solution_start_node)):
                parent = start.parent
                if parent is None:
                    continue
                i = parent.index(start)
                j = next((k for k in range(i + 1, len(parent.children))
                          if isinstance(parent.children[k], solution_end_node)), None)
                if j is None:
                    raise ValueError(f"solution-start {start.get('label')!r} without "
                                     "its solution-end in the same section")
                for child in parent.children[i:j + 1]:
                    parent.remove(child)

    return RemoveSolutions


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
    if app.config.book_students_edition:
        import nbformat

        nb = strip_solutions(nbformat.reads(text, as_version=4))
        text = nbformat.writes(nb)
    target.write_text(text, encoding="utf-8")
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app):
    app.add_config_value("book_students_edition", False, "env")
    app.add_transform(_remove_solutions_transform())
    app.connect("html-page-context", add_ipynb_download, priority=500)
    return {"version": "1.1", "parallel_read_safe": True, "parallel_write_safe": True}

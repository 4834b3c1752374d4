"""A small pytest plugin: run the book's jupytext chapters with nbval.

nbval collects ``.ipynb`` files only. The chapters are percent-format ``.py`` files, so
this plugin reads each ``book/*.py`` with jupytext and hands the notebook to nbval's
own collector, which runs every code cell in a fresh kernel as one test item.
Enabled from ``pyproject.toml`` (``-p tests.nbval_jupytext``); active with ``--nbval``
or ``--nbval-lax``.
"""
from __future__ import annotations

from types import SimpleNamespace
from unittest import mock

import jupytext
import nbval.plugin


class JupytextNotebook(nbval.plugin.IPyNbFile):
    """nbval's notebook collector, reading a jupytext ``.py`` file instead of JSON."""

    def collect(self):
        notebook = jupytext.read(self.path)
        reader = SimpleNamespace(read=lambda *args, **kwargs: notebook)
        with mock.patch.object(nbval.plugin, "nbformat", reader):
            yield from super().collect()


def is_chapter(file_path) -> bool:
    """A chapter is a ``.py`` file in ``book/`` that jupytext marks as percent format."""
    if file_path.suffix != ".py" or file_path.parent.name != "book":
        return False
    with open(file_path, encoding="utf-8") as handle:
        head = handle.read(2000)
    return "format_name: percent" in head


def pytest_collect_file(file_path, parent):
    option = parent.config.option
    if (option.nbval or option.nbval_lax) and is_chapter(file_path):
        return JupytextNotebook.from_parent(parent, path=file_path)
    return None

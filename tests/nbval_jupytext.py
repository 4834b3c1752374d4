"""A small pytest plugin: run the book's jupytext chapters with nbval, and keep them.

nbval collects ``.ipynb`` files only. The chapters are percent-format ``.py`` files, so
this plugin reads each ``book/*.py`` with jupytext and hands the notebook to nbval's
own collector, which runs every code cell in a fresh Jupyter kernel as one test item.

Each chapter is executed once per test run, here. When its last cell has run, the
notebook, with every cell's outputs as the kernel sent them, is written to
``test-artifacts/executed/book/<chapter>.ipynb`` (with ``"complete": true`` in its
metadata when every cell passed). The website, the students' edition and the PDF are
then built from these notebooks without executing anything again
(``tools/editions.py``), and ``tests/site/test_kernel_outputs.py`` checks what a reader
running the chapter in Jupyter sees.

Enabled from ``pyproject.toml`` (``-p tests.nbval_jupytext``); active with ``--nbval``
or ``--nbval-lax``.
"""
from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import jupytext
import nbformat
import nbval.plugin
import pytest

REPO = Path(__file__).resolve().parents[1]
EXECUTED = Path(os.environ.get("BOOK_EXECUTED_DIR", REPO / "test-artifacts" / "executed"))


class JupytextNotebook(nbval.plugin.IPyNbFile):
    """nbval's notebook collector, reading a jupytext ``.py`` file instead of JSON."""

    def collect(self):
        notebook = jupytext.read(self.path)
        self.executed_notebook = notebook
        reader = SimpleNamespace(read=lambda *args, **kwargs: notebook)
        with mock.patch.object(nbval.plugin, "nbformat", reader):
            items = list(super().collect())
        self.cell_items = [item for item in items if hasattr(item, "cell")]
        self.failed = False
        out = EXECUTED / Path(self.path).resolve().relative_to(REPO).with_suffix(".ipynb")
        out.unlink(missing_ok=True)  # never leave a stale execution behind
        yield from items


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


class _NotAModule(pytest.Module):
    """A chapter named on the command line is not a Python test module (pytest would
    import, i.e. run, it once more before nbval runs it cell by cell)."""

    def collect(self):
        return []


def pytest_pycollect_makemodule(module_path, parent):
    if is_chapter(module_path):
        return _NotAModule.from_parent(parent, path=module_path)
    return None


def pytest_runtest_logreport(report):
    """Remember a failed cell, so that its chapter is not marked complete."""
    if report.failed and report.when == "call":
        _failed_paths.add(report.nodeid.split("::")[0])


_failed_paths: set[str] = set()


def pytest_runtest_teardown(item, nextitem):
    """Store the cell's outputs in its notebook; after the last cell, write it out."""
    parent = getattr(item, "parent", None)
    if not isinstance(parent, JupytextNotebook) or not hasattr(item, "cell"):
        return
    outputs = getattr(item, "test_outputs", None)
    item.cell.outputs = [nbformat.from_dict(_clean(o)) for o in (outputs or [])]
    item.cell.execution_count = parent.cell_items.index(item) + 1
    if item is parent.cell_items[-1]:
        nb = parent.executed_notebook
        complete = (outputs is not None
                    and item.nodeid.split("::")[0] not in _failed_paths
                    and all(getattr(i, "test_outputs", None) is not None
                            for i in parent.cell_items))
        nb.metadata["executed_by_tests"] = {"complete": complete}
        out = EXECUTED / Path(parent.path).resolve().relative_to(REPO).with_suffix(".ipynb")
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_suffix(".ipynb.partial")  # readers never see half a notebook
        nbformat.write(nb, partial)
        os.replace(partial, out)


def _clean(output) -> dict:
    """An nbval output (a NotebookNode built from a kernel message) as nbformat output."""
    out = dict(output)
    kind = out.get("output_type")
    if kind == "stream":
        return {"output_type": "stream", "name": out["name"], "text": out["text"]}
    if kind == "error":
        return {"output_type": "error", "ename": out["ename"], "evalue": out["evalue"],
                "traceback": list(out["traceback"])}
    result = {"output_type": kind, "data": dict(out.get("data", {})),
              "metadata": dict(out.get("metadata", {}))}
    if kind == "execute_result":
        result["execution_count"] = out.get("execution_count")
    return result

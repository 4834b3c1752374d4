"""tools/editions.py: the configuration and command lines of the book's three editions."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml

from tools import editions


def test_students_config_as_make_students_calls_it(tmp_path):
    """`make students` passes plain strings (from a shell line), as here."""
    out = editions.students_config(out=str(tmp_path / "students.yml"),
                                   cache=str(tmp_path / "cache"))
    config = yaml.safe_load(Path(out).read_text())
    assert config["sphinx"]["config"]["book_students_edition"] is True
    assert config["execute"]["cache"] == str((tmp_path / "cache").resolve())
    assert config["title"].endswith("(students' edition)")
    for name, path in config["sphinx"]["local_extensions"].items():
        assert Path(path).is_absolute() and (Path(path) / f"{name}.py").is_file(), name


def test_commands_of_the_editions(tmp_path):
    pdf = editions.command("pdf", tmp_path)
    assert pdf[-2:] == ["--builder", "pdflatex"] and "-W" in pdf
    students = editions.command("students", tmp_path)
    assert "--config" in students and (tmp_path / "students-config.yml").is_file()
    with pytest.raises(ValueError, match="kind must be one of"):
        editions.command("epub", tmp_path)


def test_numref_unpickles_a_page_once(tmp_path, monkeypatch):
    """tools/numref_doctrees.py: five {numref}s to a table on another page give the same
    text as Sphinx's own, and unpickle that page's doctree once, not five times."""
    from sphinx.application import Sphinx
    from sphinx.domains.std import StandardDomain
    from sphinx.environment import BuildEnvironment

    monkeypatch.syspath_prepend(str(editions.REPO / "tools"))
    monkeypatch.setattr(StandardDomain, "_resolve_numref_xref",
                        StandardDomain._resolve_numref_xref)  # restored after the test
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text("numfig = True\n")
    (src / "index.rst").write_text("Index\n=====\n\n.. toctree::\n\n   other\n\n"
                                   + "See :numref:`tab-x`.\n\n" * 5)
    (src / "other.rst").write_text("Other\n=====\n\n.. table:: A table\n   :name: tab-x\n\n"
                                   "   = =\n   a b\n   = =\n")
    loads = []
    unpickle = BuildEnvironment.get_doctree
    monkeypatch.setattr(BuildEnvironment, "get_doctree",
                        lambda env, name: loads.append(name) or unpickle(env, name))
    pages = {}
    for ext in ([], ["numref_doctrees"]):
        loads.clear()
        out = tmp_path / f"out{len(ext)}"
        warnings = io.StringIO()  # (a second app in one process re-registers nodes)
        app = Sphinx(str(src), str(src), str(out), str(out / ".doctrees"), "html",
                     confoverrides={"extensions": ext}, status=None, warning=warnings)
        app.build()
        assert "index.rst" not in warnings.getvalue(), warnings.getvalue()
        pages[len(ext)] = (out / "index.html").read_text(), loads.count("other")
    (plain, plain_loads), (cached, cached_loads) = pages[0], pages[1]
    assert plain.count("Table 1") == cached.count("Table 1") == 5
    assert plain_loads >= 6 and cached_loads == 2  # once for numref, once to write it

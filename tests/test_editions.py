"""tools/editions.py: the configuration and command lines of the book's three editions."""
from __future__ import annotations

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

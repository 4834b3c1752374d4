"""Run a chapter with changed parameters, as a student doing homework would.

    python tools/homework.py book/dichotomy.py a0=0.3 [name=value ...] [--full]

Reads the jupytext chapter, inserts ``P = P._replace(name=value, ...)`` right after its
parameters cell, and executes every cell in a Jupyter kernel (at CI sizes unless
``--full``), going on after a failing cell. Prints one line per cell that raised,
with the exception (an ``AssertionError`` names the line of the assert), and exits
with 1 if any did. Values are Python literals (``a0=0.3``, ``eps_list=(0.05,0.01)``).
"""
from __future__ import annotations

import argparse
import ast
import os
import re
import sys
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

ANSI = re.compile(r"\x1b\[[0-9;]*m")
PARAMS = re.compile(r"^class Params\(NamedTuple\):", re.M)


def with_changes(path: Path, changes: dict) -> nbformat.NotebookNode:
    """The chapter as a notebook, with ``P = P._replace(**changes)`` after ``Params``."""
    nb = jupytext.read(path)
    where = next((i for i, c in enumerate(nb.cells)
                  if c.cell_type == "code" and PARAMS.search(c.source)), None)
    if where is None:
        raise SystemExit(f"{path}: no parameters cell (class Params(NamedTuple))")
    args = ", ".join(f"{k}={v!r}" for k, v in changes.items())
    cell = nbformat.v4.new_code_cell(f"P = P._replace({args})\nprint('homework:', P)")
    nb.cells.insert(where + 1, cell)
    return nb


def run(path: Path, changes: dict, full: bool = False, timeout: int = 1800) -> list[str]:
    """Execute; return ``'cell N: Error: message'`` for every cell that raised."""
    nb = with_changes(path, changes)
    env_ci = os.environ.pop("CI", None)
    if not full:
        os.environ["CI"] = "1"
    try:
        NotebookClient(nb, timeout=timeout, allow_errors=True, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        os.environ.pop("CI", None)
        if env_ci is not None:
            os.environ["CI"] = env_ci
    errors = []
    for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                trace = ANSI.sub("", "\n".join(out.get("traceback", [])))
                lines = [l.split("---->", 1)[1].strip() for l in trace.splitlines()
                         if "---->" in l]
                where = f" at `{lines[-1]}`" if lines else ""
                errors.append(f"cell {i}: {out['ename']}: {out['evalue'][:200]}{where}")
    return errors


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapter", type=Path)
    parser.add_argument("changes", nargs="*", help="name=value (a Python literal)")
    parser.add_argument("--full", action="store_true", help="full sizes (CI unset)")
    args = parser.parse_args(argv)
    changes = {}
    for item in args.changes:
        name, _, value = item.partition("=")
        if not name.isidentifier() or not value:
            parser.error(f"expected name=value, got {item!r}")
        changes[name] = ast.literal_eval(value)
    errors = run(args.chapter, changes, full=args.full)
    label = " ".join(args.changes) or "defaults"
    if not errors:
        print(f"{args.chapter} with {label}: every cell ran")
        return 0
    print(f"{args.chapter} with {label}: {len(errors)} cell(s) raised")
    for err in errors:
        print("  " + err)
    return 1


if __name__ == "__main__":
    sys.exit(main())

"""Build the book's website, students' edition and PDF from chapters already executed.

    python -m tools.editions html|students|pdf [--out DIR] [--executed DIR] [--toc TOC]

Every chapter is executed once per test run, by the nbval run of ``make test``, which
keeps each executed notebook in ``test-artifacts/executed/`` (``tests/nbval_jupytext.py``).
A build here first puts those notebooks into the build's execution cache
(jupyter-cache, the store behind ``execute_notebooks: cache``), keyed by the chapter's
source, so that ``jupyter-book build`` finds every chapter already executed and runs
none of them again. A chapter that has no complete execution is left out of the cache
(jupyter-book then executes it and reports what fails).

Three editions, from the same sources and the same executions:

- ``html``: the website (``jupyter-book build -W -n --keep-going``);
- ``students``: the website with the exercises' solutions removed and, in each
  chapter's download menu, a notebook without the solution cells
  (``tools/ipynb_download.py``);
- ``pdf``: the whole book as one PDF through LaTeX (``--builder pdflatex``).

``make book``, ``make students`` and ``make pdf`` build the full-size editions through
the cache of ``_build/``, where ``make book`` keeps its executions, so they too execute
each chapter at most once.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
EXECUTED = ARTIFACTS / "executed"
KINDS = ("html", "students", "pdf")


def chapter_sources(repo: Path = REPO) -> list[Path]:
    """The jupytext chapters: ``book/*.py`` files in percent format."""
    return sorted(p for p in (repo / "book").glob("*.py")
                  if "format_name: percent" in p.read_text(encoding="utf-8")[:2000])


def cache_executed(cache_path: Path, executed: Path = EXECUTED, repo: Path = REPO):
    """Put every complete executed chapter into the jupyter-cache at ``cache_path``.

    Returns ``(cached, missing)``: the chapter sources that are cached, and those with
    no complete execution in ``executed`` (a failed or absent nbval run).
    """
    import jupytext
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(str(cache_path))
    cached, missing = [], []
    for source in chapter_sources(repo):
        done = executed / source.relative_to(repo).with_suffix(".ipynb")
        if not done.is_file():
            missing.append(source)
            continue
        nb = nbformat.read(done, as_version=4)
        if not nb.metadata.get("executed_by_tests", {}).get("complete"):
            missing.append(source)
            continue
        # The executed notebook must be the current source: the cache keys on the code.
        current = jupytext.read(source)
        if [c.source for c in current.cells if c.cell_type == "code"] != \
                [c.source for c in nb.cells if c.cell_type == "code"]:
            missing.append(source)
            continue
        nb.metadata.pop("executed_by_tests", None)
        cache.cache_notebook_bundle(CacheBundleIn(nb, str(source), data={}),
                                    check_validity=False, overwrite=True)
        cached.append(source)
    return cached, missing


def students_config(repo: Path = REPO, out: Path | None = None,
                    cache: Path | None = None) -> Path:
    """``_config.yml`` of the students' edition (``book_students_edition: true``, read by
    ``tools/ipynb_download.py``), written to ``out``.

    ``cache``: the execution cache to use (``make students`` reuses the one of
    ``make book``, ``_build/.jupyter_cache``); default: the build's own.
    """
    import yaml

    config = yaml.safe_load((repo / "_config.yml").read_text())
    config.setdefault("sphinx", {}).setdefault("config", {})["book_students_edition"] = True
    # local extensions are found relative to the config file: make their paths absolute
    local = config["sphinx"].get("local_extensions") or {}
    config["sphinx"]["local_extensions"] = {name: str((repo / path).resolve())
                                            for name, path in local.items()}
    if cache is not None:
        config.setdefault("execute", {})["cache"] = str(Path(cache).resolve())
    config["title"] = config.get("title", "") + " (students' edition)"
    out = Path(out) if out else ARTIFACTS / "students-config.yml"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(config, sort_keys=False))
    return out


def command(kind: str, out: Path, toc: Path | None = None, repo: Path = REPO) -> list[str]:
    """The ``jupyter-book build`` command line of an edition."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    exe = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(exe if exe.exists() else "jupyter-book"), "build", str(repo),
           "--path-output", str(out), "-W", "-n", "--keep-going"]
    if toc is not None:
        cmd += ["--toc", str(toc)]
    if kind == "students":
        cmd += ["--config", str(students_config(repo, Path(out) / "students-config.yml"))]
    if kind == "pdf":
        cmd += ["--builder", "pdflatex"]
    return cmd


class Build:
    """One edition built in a background process from the executed chapters.

    ``start()`` fills the build's execution cache and starts ``jupyter-book``;
    ``wait()`` returns its exit code. The log is ``<out>/build.log``.
    """

    def __init__(self, kind: str, out: Path, executed: Path = EXECUTED,
                 toc: Path | None = None, repo: Path = REPO):
        self.kind, self.out, self.executed, self.toc, self.repo = kind, Path(out), executed, toc, repo
        self.log_path = self.out / "build.log"
        self.missing: list[Path] = []
        self._proc: subprocess.Popen | None = None
        self._log = None
        self.returncode: int | None = None
        self.seconds: float | None = None

    @property
    def html(self) -> Path:
        return self.out / "_build" / "html"

    @property
    def pdf(self) -> Path | None:
        book = self.out / "_build" / "latex" / "book.pdf"
        return book if book.is_file() else None

    def start(self) -> "Build":
        if self._proc is not None:
            return self
        shutil.rmtree(self.out, ignore_errors=True)
        (self.out / "_build").mkdir(parents=True)
        _, self.missing = cache_executed(self.out / "_build" / ".jupyter_cache",
                                         self.executed, self.repo)
        # No MPLBACKEND: with MPLBACKEND=Agg a kernel that does run shows figures as text.
        env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
        env["CI"] = os.environ.get("CI") or "1"
        self._log = open(self.log_path, "w")
        self._started = time.monotonic()
        self._proc = subprocess.Popen(command(self.kind, self.out, self.toc, self.repo),
                                      cwd=self.repo, env=env, stdout=self._log,
                                      stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        return self

    def wait(self, timeout: float = 1800) -> int:
        self.start()
        if self.returncode is None:
            try:
                self.returncode = self._proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self.returncode = self._proc.wait()
            self.seconds = time.monotonic() - self._started
            self._log.close()
        return self.returncode

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            self._proc.wait(timeout=30)

    def executed_again(self) -> list[str]:
        """Chapters that jupyter-book executed itself (not found in the cache)."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return sorted(set(re.findall(r"Executing notebook using \S+ CWD.*?\n", text)))

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        text = re.sub(r"\x1b\[[0-9;]*m", "", text)
        interesting = [l for l in text.splitlines() if "IPKernelApp" not in l
                       and re.search(r"WARNING|ERROR|Error|Traceback|exit code|!", l)]
        return "\n".join(interesting[-lines:] + ["...", *text.splitlines()[-lines // 2:]])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.editions", description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("--out", type=Path, help="output folder (default test-artifacts/<kind>)")
    parser.add_argument("--executed", type=Path, default=EXECUTED)
    parser.add_argument("--toc", type=Path)
    args = parser.parse_args(argv)
    build = Build(args.kind, args.out or ARTIFACTS / args.kind, args.executed, args.toc)
    build.start()
    if build.missing:
        print("not executed by the tests (jupyter-book executes them):",
              ", ".join(p.name for p in build.missing))
    code = build.wait()
    print(f"{args.kind}: exit {code} in {build.seconds:.0f} s; log {build.log_path}")
    return code


if __name__ == "__main__":
    sys.exit(main())

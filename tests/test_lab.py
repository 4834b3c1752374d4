"""``make lab``: JupyterLab opens a chapter (a jupytext ``.py`` file) as a notebook, and
saving the notebook writes the ``.py`` back.

A real JupyterLab server of this virtual environment is started on a copy of two
chapters and driven through its REST API, as the JupyterLab front end does:

- the contents API serves ``book/intro.py`` as a notebook (jupytext's contents manager,
  a server extension installed with jupytext);
- a notebook saved through the same API is written back to the ``.py`` file, in
  jupytext's percent format, with the edit;
- the settings that ``make setup`` installs into the venv
  (``tools/jupyterlab-overrides.json``) make "Jupytext Notebook" the default viewer of
  Python files, so a double click on a chapter opens it as a notebook.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import jupytext
import pytest

REPO = Path(__file__).resolve().parents[1]
OVERRIDES = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
TOKEN = "book-test-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if shutil.which("jupyter-lab", path=str(Path(sys.executable).parent)) is None:
        pytest.fail("JupyterLab is not installed in this environment: run `make setup`")
    root = tmp_path_factory.mktemp("lab")
    (root / "book").mkdir()
    for name in ("intro.py", "setting.py"):
        shutil.copy(REPO / "book" / name, root / "book" / name)
    port = _free_port()
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "jupyter-lab"), "--no-browser",
         f"--ServerApp.port={port}", "--ServerApp.ip=127.0.0.1",
         f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}",
         *(["--allow-root"] if os.geteuid() == 0 else [])],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            _get(base, "/api/status")
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("JupyterLab did not start:\n" + proc.stderr.read().decode()[-2000:])
            time.sleep(0.5)
    yield base, root
    proc.terminate()
    proc.wait(timeout=30)


def _request(base, path, method="GET", body=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": f"token {TOKEN}",
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as reply:
        return json.loads(reply.read())


def _get(base, path):
    return _request(base, path)


def test_a_chapter_opens_as_a_notebook(lab):
    base, root = lab
    model = _get(base, "/api/contents/book/intro.py?type=notebook&content=1")
    assert model["type"] == "notebook"
    cells = model["content"]["cells"]
    expected = jupytext.read(root / "book" / "intro.py").cells
    assert [c["cell_type"] for c in cells] == [c.cell_type for c in expected]
    assert cells[0]["source"].startswith("# Feature learning"), cells[0]["source"][:60]


def test_saving_the_notebook_writes_the_py_file_back(lab):
    base, root = lab
    model = _get(base, "/api/contents/book/setting.py?type=notebook&content=1")
    nb = model["content"]
    nb["cells"].append({"cell_type": "markdown", "metadata": {},
                        "source": "A note added in JupyterLab."})
    _request(base, "/api/contents/book/setting.py", "PUT",
             {"type": "notebook", "format": "json", "content": nb})
    text = (root / "book" / "setting.py").read_text()
    assert text.rstrip().endswith("# A note added in JupyterLab."), text[-200:]
    assert "format_name: percent" in text[:400]
    assert not (root / "book" / "setting.ipynb").exists(), "saving created a paired .ipynb"


def test_python_files_open_with_the_notebook_editor(lab):
    base, _ = lab
    assert OVERRIDES.is_file(), f"{OVERRIDES} is missing: run `make setup`"
    settings = _get(base, "/lab/api/settings/@jupyterlab/docmanager-extension:plugin")
    # the venv's overrides.json becomes the schema's default (a user setting may still
    # change it; none is made here)
    viewers = settings["schema"]["properties"]["defaultViewers"]["default"]
    assert viewers.get("python") == "Jupytext Notebook", viewers

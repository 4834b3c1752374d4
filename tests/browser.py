"""Check the built website the way a reader meets it: in a real (headless) browser.

Used by ``tests/test_browser.py`` (the built book) and ``tests/test_browser_selftest.py``
(pages broken on purpose). No dependency beyond the standard library and Debian's
``chromium``: the browser is driven through the Chrome DevTools protocol over a pipe
(``--remote-debugging-pipe``: JSON messages on file descriptors 3 and 4, each ended by
a NUL byte), so neither selenium nor a websocket client is needed.

What is checked, per page (:func:`check_page`):

- math is typeset: MathJax loaded, every Sphinx math element (``span.math``,
  ``div.math``) holds an ``mjx-container``, MathJax reported no error (an undefined macro
  is an error: ``_config.yml`` switches off ``noundefined``), and no raw TeX
  (``$$``, ``\\(``, ``\\[``, ``$...\\macro...$``) is left in the text outside code;
- every image loads (``naturalWidth > 0`` once loading finished), every ``<figure>``
  holds an image, and no matplotlib figure was rendered as ``<Figure size ...>`` text;
- no request failed and none left the machine (the site must work offline);
- the page has one non-empty ``<h1>``; a chapter page also has a "Summary" section and
  exercises (sphinx-exercise), each with its solution.

Across the site (:func:`check_links`): every internal ``href``/``src`` points at a file
that exists in the build, and every ``#fragment`` at an ``id`` in its target page.
"""
from __future__ import annotations

import base64
import contextlib
import functools
import http.server
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-pipe",
)


def find_chromium() -> str | None:
    """Path of a Chromium executable (``$CHROMIUM`` first), or None."""
    explicit = os.environ.get("CHROMIUM")
    if explicit:
        return explicit if shutil.which(explicit) else None
    for name in CHROMIUM_CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


class BrowserError(RuntimeError):
    """The browser died, timed out, or answered a command with an error."""


class Chromium:
    """A headless Chromium driven through the DevTools protocol over a pipe."""

    def __init__(self, executable: str | None = None, width: int = 1280, height: int = 900):
        executable = executable or find_chromium()
        if executable is None:
            raise BrowserError("no Chromium found (Debian: apt-get install chromium)")
        self.width, self.height = width, height
        self._profile = tempfile.mkdtemp(prefix="chromium-profile-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        # Start the browser before any thread of ours (serve() runs one): preexec_fn is
        # only safe in a single-threaded parent.
        def wire_pipes():  # in the child: our pipes become its fds 3 (in) and 4 (out)
            read_end, write_end = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        self._proc = subprocess.Popen(
            [executable, *CHROMIUM_FLAGS, f"--user-data-dir={self._profile}",
             f"--window-size={width},{height}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(3, 4), preexec_fn=wire_pipes,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []

    # -- protocol ---------------------------------------------------------------------
    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("timed out waiting for the browser")
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    raise BrowserError(f"the browser exited (code {self._proc.poll()})")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 60.0) -> dict:
        """Send one command and return its result; events that arrive meanwhile are kept."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method: str, session: str, timeout: float = 60.0) -> dict:
        """Wait for (and consume) the first event ``method`` of ``session``."""
        deadline = time.monotonic() + timeout
        while True:
            for i, event in enumerate(self.events):
                if event.get("method") == method and event.get("sessionId") == session:
                    return self.events.pop(i)
            self.events.append(self._read_message(deadline))

    # -- pages ------------------------------------------------------------------------
    def open(self, url: str, timeout: float = 60.0) -> "Tab":
        """Open ``url`` in a new tab and wait for its load event."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget",
                            {"targetId": target, "flatten": True})["sessionId"]
        tab = Tab(self, target, session)
        for domain in ("Page", "Network", "Runtime"):
            self.send(f"{domain}.enable", session=session)
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": self.width, "height": self.height, "deviceScaleFactor": 1,
                   "mobile": False}, session=session)
        self.events.clear()
        self.send("Page.navigate", {"url": url}, session=session)
        self.wait_event("Page.loadEventFired", session, timeout)
        return tab

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.send("Browser.close", timeout=5)
        with contextlib.suppress(Exception):
            self._proc.wait(timeout=10)
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        for fd in (self._to_browser, self._from_browser):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@dataclass
class Tab:
    browser: Chromium
    target: str
    session: str

    def evaluate(self, expression: str, timeout: float = 60.0):
        """Evaluate JavaScript (promises awaited) and return its value as JSON."""
        result = self.browser.send(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            session=self.session, timeout=timeout)
        if "exceptionDetails" in result:
            raise BrowserError(f"script failed: {result['exceptionDetails'].get('text')}: "
                               f"{result['exceptionDetails'].get('exception', {}).get('description')}")
        return result["result"].get("value")

    def network_problems(self, allowed_host: str) -> list[str]:
        """Requests that failed, returned >= 400, or went to another host than ours."""
        urls, problems = {}, []
        for event in self.browser.events:
            if event.get("sessionId") != self.session:
                continue
            params = event.get("params", {})
            method = event.get("method")
            if method == "Network.requestWillBeSent":
                url = params["request"]["url"]
                urls[params["requestId"]] = url
                host = urlsplit(url).netloc
                if urlsplit(url).scheme in ("http", "https", "ws", "wss") and host != allowed_host:
                    problems.append(f"request to another host (the site must work offline): {url}")
            elif method == "Network.responseReceived" and params["response"]["status"] >= 400:
                problems.append(f"HTTP {params['response']['status']}: {params['response']['url']}")
            elif method == "Network.loadingFailed" and not params.get("canceled"):
                url = urls.get(params["requestId"], params["requestId"])
                if urlsplit(str(url)).netloc == allowed_host:
                    problems.append(f"failed to load {url}: {params.get('errorText')}")
        return problems

    def screenshot(self, path: Path, top: int = 0, height: int | None = None,
                   max_height: int = 6000) -> Path:
        """Save a PNG of the page from ``top`` (document pixels): ``height`` pixels, or
        down to the end of the page (at most ``max_height``)."""
        if height is None:
            page = int(self.evaluate("Math.ceil(document.documentElement.scrollHeight)") or 0)
            height = max(1, min(max_height, page - top))
        data = self.browser.send(
            "Page.captureScreenshot",
            {"format": "png", "captureBeyondViewport": True,
             "clip": {"x": 0, "y": top, "width": self.browser.width, "height": height,
                      "scale": 1}},
            session=self.session)["data"]
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        with contextlib.suppress(BrowserError):
            self.browser.send("Target.closeTarget", {"targetId": self.target})


# What the page itself reports, once MathJax (if the page loads it) has finished.
PAGE_PROBE_JS = r"""
(async () => {
  const out = {};
  const mj = window.MathJax;
  out.mathjax_loaded = !!(mj && mj.startup && mj.startup.promise);
  if (out.mathjax_loaded) {
    await mj.startup.promise;
    out.mathjax_version = mj.version;
  }
  const imgs = [...document.images];
  for (const img of imgs) img.loading = 'eager';
  await Promise.all(imgs.map(img => img.complete ? null : new Promise(done => {
    img.addEventListener('load', done); img.addEventListener('error', done);
    setTimeout(done, 10000);
  })));
  out.images = imgs.map(img => ({src: img.getAttribute('src') || '',
                                 ok: img.complete && img.naturalWidth > 0}));
  out.empty_figures = [...document.querySelectorAll('figure')]
      .filter(f => ![...f.querySelectorAll('img, svg, object, canvas, video')]
                    .some(e => !e.closest('mjx-container, figcaption, button, .copybtn')))
      .map(f => (f.id ? '#' + f.id + ' ' : '')
                + ((f.querySelector('figcaption') || {}).textContent || '').trim().slice(0, 60));
  out.figure_reprs = [...document.querySelectorAll('pre')]
      .filter(p => /^<Figure size \d+x\d+ with \d+ Axes>$/.test(p.textContent.trim())).length;
  out.math_elements = document.querySelectorAll('span.math, div.math').length;
  out.untypeset = [...document.querySelectorAll('span.math, div.math')]
      .filter(e => !e.querySelector('mjx-container'))
      .map(e => e.textContent.trim().slice(0, 80));
  out.mjx = document.querySelectorAll('mjx-container').length;
  const describe = e => (e.getAttribute('data-mjx-error') || e.textContent).trim().slice(0, 80);
  const visible = tex => String(tex).slice(0, 80).replace(/[\x00-\x1f]/g,
      c => '<U+' + c.charCodeAt(0).toString(16).padStart(4, '0') + '>');
  // A control character in TeX is almost always a Python string that was not raw:
  // "\bar" holds a backspace, "\frac" a form feed, "\theta" a tab (the book indents with
  // spaces). ("\nabla" becomes a newline, which cannot be told from a line break.)
  const control = /[\x00-\x08\x0b\x0c\x0e-\x1f]|\t[A-Za-z]/;
  out.math_errors = [];
  out.math_control = [];
  if (out.mathjax_loaded) {  // name the TeX source of each expression MathJax failed on
    for (const item of mj.startup.document.math) {
      const bad = item.typesetRoot && item.typesetRoot.querySelector('mjx-merror, [data-mjx-error]');
      if (bad) out.math_errors.push(`${describe(bad)} in "${visible(item.math)}"`);
      if (control.test(String(item.math))) out.math_control.push(visible(item.math));
    }
  }
  if (!out.math_errors.length) {
    out.math_errors = [...document.querySelectorAll('mjx-merror, [data-mjx-error]')].map(describe);
  }
  const skip = 'pre, code, script, style, textarea, mjx-container, .highlight, .output';
  const rawTex = /\$\$|\\\(|\\\)|\\\[|\\\]|\$[^$\s][^$]*\\[A-Za-z]+[^$]*\$/;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  out.raw_tex = [];
  for (let node; (node = walker.nextNode());) {
    if (node.parentElement && node.parentElement.closest(skip)) continue;
    if (rawTex.test(node.nodeValue)) out.raw_tex.push(node.nodeValue.trim().slice(0, 100));
  }
  const text = h => [...h.childNodes]
      .filter(n => !(n.classList && (n.classList.contains('headerlink')
                                     || n.classList.contains('section-number'))))
      .map(n => n.textContent).join('').trim();
  const main = document.querySelector('article.bd-article') || document.querySelector('article')
      || document.querySelector('main') || document.body;
  out.h1 = [...main.querySelectorAll('h1')].map(text);
  out.h2 = [...main.querySelectorAll('h2')].map(text);
  out.exercises = document.querySelectorAll('.exercise.admonition').length;
  out.solutions = document.querySelectorAll('.solution.admonition').length;
  out.title = document.title;
  return out;
})()
"""


@dataclass
class PageReport:
    """What one page showed in the browser, and what is wrong with it."""
    url: str
    probe: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    screenshot: Path | None = None


def check_page(browser: Chromium, url: str, *, chapter: bool = False,
               screenshot: Path | None = None, timeout: float = 90.0) -> PageReport:
    """Open ``url`` and list what a reader would see broken (see the module docstring)."""
    report = PageReport(url)
    tab = browser.open(url, timeout=timeout)
    try:
        probe = report.probe = tab.evaluate(PAGE_PROBE_JS, timeout=timeout)
        problems = report.problems
        if probe["math_elements"] and not probe["mathjax_loaded"]:
            problems.append(f"math not typeset: MathJax did not load "
                            f"({probe['math_elements']} math elements)")
        for tex in probe["untypeset"][:5]:
            problems.append(f"math not typeset: {tex!r}")
        for error in probe["math_errors"][:5]:
            problems.append(f"MathJax error: {error}")
        for tex in probe["math_control"][:5]:
            problems.append(f"control character in TeX (a Python string that is not raw, "
                            f"r'...'?): \"{tex}\"")
        for text in probe["raw_tex"][:5]:
            problems.append(f"raw TeX in the text: {text!r}")
        for image in probe["images"]:
            if not image["ok"]:
                problems.append(f"image does not load: {image['src']}")
        for figure in probe["empty_figures"]:
            problems.append(f"figure without an image: {figure}")
        if probe["figure_reprs"]:
            problems.append(f"{probe['figure_reprs']} matplotlib figure(s) shown as text "
                            "('<Figure size ...>'), not as images: was MPLBACKEND set?")
        problems.extend(tab.network_problems(urlsplit(url).netloc))
        titles = [t for t in probe["h1"] if t]
        if len(titles) != 1:
            problems.append(f"expected one <h1> title, found {probe['h1']!r}")
        if chapter and not any(re.match(r"summary\b", h, re.I) for h in probe["h2"]):
            problems.append(f"chapter has no 'Summary' section (sections: {probe['h2']!r})")
        if chapter and not probe["exercises"]:
            problems.append("chapter has no exercises (sphinx-exercise `{exercise}`)")
        if chapter and probe["solutions"] < probe["exercises"]:
            problems.append(f"chapter has {probe['exercises']} exercises but only "
                            f"{probe['solutions']} solutions")
        if screenshot is not None:
            report.screenshot = tab.screenshot(screenshot)
    finally:
        tab.close()
    return report


# -- serving the site -----------------------------------------------------------------
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output readable
        pass


@contextlib.contextmanager
def serve(root: Path):
    """Serve ``root`` on 127.0.0.1 (a free port) for the duration of the block.

    A web server, not ``file://`` URLs: Chromium refuses MathJax's web fonts from
    ``file://`` pages, which a reader on a real site never sees.
    """
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# -- links ----------------------------------------------------------------------------
class _LinkParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key):
                self.ids.add(attrs[key])
        if tag == "a" and attrs.get("href") is not None:
            self.refs.append(("href", attrs["href"]))
        elif tag in ("img", "script") and attrs.get("src"):
            self.refs.append(("src", attrs["src"]))
        elif tag == "link" and attrs.get("href") and "stylesheet" in (attrs.get("rel") or ""):
            self.refs.append(("href", attrs["href"]))


@functools.lru_cache(maxsize=None)
def _parse(path: Path) -> _LinkParser:
    parser = _LinkParser()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


def html_pages(root: Path) -> list[Path]:
    """The site's pages: every ``.html`` outside ``_static``, ``_sources``, ``_images``."""
    skip = {"_static", "_sources", "_images"}
    return sorted(p for p in Path(root).rglob("*.html")
                  if not skip.intersection(p.relative_to(root).parts))


def check_links(root: Path, pages: list[Path] | None = None) -> list[str]:
    """Broken internal links and sources, as ``'page: link (why)'`` strings."""
    root = Path(root).resolve()
    _parse.cache_clear()
    problems = []
    for page in pages if pages is not None else html_pages(root):
        page = Path(page).resolve()
        relpage = page.relative_to(root).as_posix()
        base = "file://" + page.as_posix()
        for kind, ref in _parse(page).refs:
            parts = urlsplit(ref)
            if parts.scheme and parts.scheme != "file" or ref.startswith("//"):
                continue  # external (http, https, mailto, javascript, data): not ours
            target = urlsplit(urljoin(base, ref))
            path = Path(unquote(target.path))
            if path.is_dir():
                path = path / "index.html"
            try:
                path.relative_to(root)
            except ValueError:
                problems.append(f"{relpage}: {ref} (points outside the site)")
                continue
            if not path.is_file():
                problems.append(f"{relpage}: {ref} (no such file)")
                continue
            fragment = unquote(target.fragment)
            if kind == "href" and fragment and path.suffix == ".html":
                if fragment not in _parse(path).ids:
                    problems.append(f"{relpage}: {ref} (no anchor #{fragment})")
    return problems


# -- building the book ------------------------------------------------------------------
REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"


def toc_path() -> Path:
    """``_toc.yml``, or ``$BROWSER_TEST_TOC`` (a smaller toc, to check a few pages)."""
    return REPO / os.environ.get("BROWSER_TEST_TOC", "_toc.yml")


def toc_sources(repo: Path = REPO, toc: Path | None = None) -> list[Path]:
    """The source files the table of contents lists (root first), in reading order."""
    import yaml  # pyyaml comes with jupyter-book

    toc = toc or toc_path()
    data = yaml.safe_load((repo / toc).read_text())
    names = [data["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                names.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk({k: v for k, v in data.items() if k != "root"})
    sources = []
    for name in names:
        matches = [repo / f"{name}{suffix}" for suffix in (".py", ".md", ".ipynb")
                   if (repo / f"{name}{suffix}").is_file()]
        sources.append(matches[0] if matches else repo / name)
    return sources


def is_chapter(source: Path) -> bool:
    """A chapter is a jupytext percent-format ``.py`` notebook (it ends with a Summary)."""
    if source.suffix != ".py" or not source.is_file():
        return False
    return "format_name: percent" in source.read_text(encoding="utf-8")[:2000]


def _lib_fingerprint(repo: Path) -> str:
    """Changes whenever lib/, the pinned requirements, the configuration or this build
    procedure change: the execution cache is blind to them (the chapters import lib/),
    so a changed fingerprint clears it."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted([*repo.glob("lib/**/*.py"), repo / "requirements.txt",
                        repo / "_config.yml", toc_path(), Path(__file__)]):
        if path.is_file():
            digest.update(path.as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


class SiteBuild:
    """``jupyter-book build -W -n --keep-going`` of the whole book into ``test-artifacts/site``.

    Built at CI sizes (``CI`` set): the browser checks rendering, not the published
    numbers. Under CI the output folder starts empty, so every chapter is executed
    (``execute_notebooks: cache`` with an empty cache is ``force``); locally the
    execution cache is kept between runs and cleared when lib/ changes.
    The build can be started early (tests/conftest.py does, right after collection) so
    that it runs beside the chapters' nbval tests on the second core.
    """

    def __init__(self, repo: Path = REPO, out: Path = ARTIFACTS / "site"):
        self.repo, self.out = Path(repo), Path(out)
        self.html = self.out / "_build" / "html"
        self.log_path = ARTIFACTS / "site-build.log"
        self._proc: subprocess.Popen | None = None
        self._log = None
        self.returncode: int | None = None
        self.seconds: float | None = None

    def start(self) -> "SiteBuild":
        if self._proc is not None:
            return self
        fingerprint = _lib_fingerprint(self.repo)
        stamp = self.out / ".lib-fingerprint"
        if os.environ.get("CI") or not stamp.is_file() or stamp.read_text() != fingerprint:
            shutil.rmtree(self.out, ignore_errors=True)
        shutil.rmtree(self.html, ignore_errors=True)  # never check a stale site
        self.out.mkdir(parents=True, exist_ok=True)
        stamp.write_text(fingerprint)
        jupyter_book = Path(sys.executable).with_name("jupyter-book")
        command = [str(jupyter_book if jupyter_book.exists() else "jupyter-book"), "build",
                   str(self.repo), "--path-output", str(self.out), "--toc", str(toc_path()),
                   "-W", "-n", "--keep-going"]
        # No MPLBACKEND: with MPLBACKEND=Agg (as .ci/run used to export) the kernels
        # show figures as '<Figure size ...>' text instead of images.
        env = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}
        env["CI"] = os.environ.get("CI") or "1"
        self._log = open(self.log_path, "w")
        self._started = time.monotonic()
        self._proc = subprocess.Popen(command, cwd=self.repo, env=env, stdout=self._log,
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

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        text = re.sub(r"\x1b\[[0-9;]*m", "", text)  # colour codes
        interesting = [l for l in text.splitlines() if "IPKernelApp" not in l
                       and re.search(r"WARNING|ERROR|Error|Traceback|exit code", l)]
        return "\n".join(interesting[-lines:] + ["...", *text.splitlines()[-lines // 2:]])


_BUILD: SiteBuild | None = None


def site_build() -> SiteBuild:
    """The one build of this test session (started on first use)."""
    global _BUILD
    if _BUILD is None:
        _BUILD = SiteBuild()
    return _BUILD

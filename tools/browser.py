"""Check the built website the way a reader meets it: in a real (headless) browser.

Used by the tests of ``tests/site/`` (the built book, its students' edition) and by
their self-tests (``tests/site/test_*_selftest.py``: pages broken on purpose), and by
``tools/readme_screenshot.py``. Debian's ``chromium`` is driven by Playwright (the
``playwright`` package from PyPI, with ``executable_path``: nothing is downloaded).

What is checked, per page and per window width (:func:`check_page`):

- math is typeset: MathJax loaded, every Sphinx math element holds an
  ``mjx-container``, MathJax reported no error (an undefined macro is an error:
  ``_config.yml`` switches off ``noundefined``), and no raw TeX is left in the text;
- every image loads, every ``<figure>`` holds an image, no matplotlib figure was
  rendered as ``<Figure size ...>`` text, and no image is shown twice on a page (a
  figure cell without its ``remove-output`` tag shows its figure a second time);
- no request failed and none left the machine (the site must work offline);
- one non-empty ``<h1>``; a chapter page also has a Summary and exercises with
  solutions;
- **legibility** (:data:`LAYOUT_PROBE_JS`): every figure shown at no less than
  ``min_figure_ratio`` of its natural size; no code line wider than its box; no output
  wider than its box; no table whose cells have less than 4 px of padding; no table or
  display equation wider than the text column unless it scrolls inside its own box
  (on a wide window: wider than the column at all); no inline formula running past
  its line; no page wider than the window; one search field.

:func:`check_pages` checks many pages with several browsers at once (one per core).

Across the site (:func:`check_links`): every internal ``href``/``src`` points at a file
that exists in the build, and every ``#fragment`` at an ``id`` in its target page.
"""
from __future__ import annotations

import contextlib
import functools
import http.server
import os
import queue
import re
import shutil
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

REPO = Path(__file__).resolve().parents[1]
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")
CHROMIUM_ARGS = [
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
]
WIDE, PHONE = 1280, 390  # window widths a reader uses: a laptop, a phone


def find_chromium() -> str | None:
    """Path of a Chromium executable (``$CHROMIUM`` first), or None."""
    explicit = os.environ.get("CHROMIUM")
    if explicit:
        return shutil.which(explicit)
    for name in CHROMIUM_CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


@contextlib.contextmanager
def chromium(executable: str | None = None):
    """A headless Chromium (Playwright ``Browser``) for the duration of the block."""
    from playwright.sync_api import sync_playwright

    executable = executable or find_chromium()
    if executable is None:
        raise RuntimeError("no Chromium found (Debian: apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS,
                                    headless=True)
        try:
            yield browser
        finally:
            browser.close()


class Page:
    """A browser tab at one window width, with the network events of the page it shows.

    ``open(url)`` loads a page (and waits for MathJax); one tab can open many pages in
    turn, which lets the browser's cache keep the scripts and fonts every page of the
    site shares (half the time of a fresh tab per page).
    """

    def __init__(self, browser, url: str | None = None, width: int = WIDE,
                 height: int = 900, timeout: float = 90.0):
        self.url, self.width = url, width
        self.context = browser.new_context(viewport={"width": width, "height": height},
                                           device_scale_factor=1)
        self.page = self.context.new_page()
        self.page.set_default_timeout(timeout * 1000)
        self.requests: list[str] = []
        self.bad_responses: list[tuple[int, str]] = []
        self.failed: list[tuple[str, str]] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("response", lambda r: r.status >= 400
                     and self.bad_responses.append((r.status, r.url)))
        self.page.on("requestfailed", lambda r: self.failed.append((r.url, r.failure or "")))
        if url is not None:
            self.open(url)

    def open(self, url: str) -> "Page":
        """Load ``url`` in this tab (forgetting the network events of the last page)."""
        self.url = url
        self.requests.clear()
        self.bad_responses.clear()
        self.failed.clear()
        self.page.goto(url, wait_until="load")
        self.evaluate("window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
        return self

    def evaluate(self, expression: str):
        return self.page.evaluate(expression)

    def network_problems(self) -> list[str]:
        """Requests that failed, returned >= 400, or went to another host than ours."""
        host = urlsplit(self.url).netloc
        problems = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != host:
                problems.append(f"request to another host (the site must work offline): {url}")
        problems += [f"HTTP {status}: {url}" for status, url in self.bad_responses]
        problems += [f"failed to load {url}: {why}" for url, why in self.failed
                     if urlsplit(url).netloc == host and "ERR_ABORTED" not in why]
        return problems

    def screenshot(self, path: Path, full_page: bool = True) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.context.close()


# What the page itself reports, once MathJax (if the page loads it) has finished.
PAGE_PROBE_JS = r"""
(async () => {
  const out = {};
  const mj = window.MathJax;
  out.mathjax_loaded = !!(mj && mj.startup && mj.startup.promise);
  if (out.mathjax_loaded) await mj.startup.promise;
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
  // "\bar" holds a backspace, "\frac" a form feed, "\theta" a tab.
  const control = /[\x00-\x08\x0b\x0c\x0e-\x1f]|\t[A-Za-z]/;
  out.math_errors = [];
  out.math_control = [];
  if (out.mathjax_loaded) {
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

# How the page is laid out at the current window width (after MathJax and images).
LAYOUT_PROBE_JS = r"""
(() => {
  const main = document.querySelector('article.bd-article') || document.querySelector('article')
      || document.querySelector('main') || document.body;
  const col = main.getBoundingClientRect();
  const style = e => getComputedStyle(e);
  const shown = e => { const r = e.getBoundingClientRect(), s = style(e);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const scrollsInBox = e => {  // an ancestor inside the column that scrolls sideways
    for (let p = e.parentElement; p && p !== main.parentElement; p = p.parentElement) {
      const o = style(p).overflowX;
      if ((o === 'auto' || o === 'scroll') && p.getBoundingClientRect().width <= col.width + 1) return true;
    }
    return false;
  };
  const label = (e, n) => (e.textContent || '').replace(/\s+/g, ' ').trim().slice(0, n || 60);
  const out = {viewport: window.innerWidth, page_width: document.documentElement.scrollWidth,
               column: Math.round(col.width)};
  out.figures = [...main.querySelectorAll('img')]
      .filter(i => shown(i) && i.naturalWidth > 0 && !i.closest('button, .header-article'))
      .map(i => ({src: i.getAttribute('src'), natural: i.naturalWidth,
                  shown: Math.round(i.getBoundingClientRect().width * 10) / 10}));
  const pres = [...new Set([...main.querySelectorAll('div.cell_input pre, div.highlight pre')])];
  out.code = pres.filter(shown).filter(p => !p.closest('.cell_output, .output'))
      .filter(p => p.scrollWidth > p.clientWidth + 1)
      .map(p => ({over: p.scrollWidth - p.clientWidth,
                  line: p.textContent.split('\n').reduce((a, b) => b.length > a.length ? b : a, '').slice(0, 90)}));
  out.outputs = [...main.querySelectorAll('.cell_output pre, .output pre')].filter(shown)
      .filter(p => p.scrollWidth > p.clientWidth + 1)
      .map(p => ({over: p.scrollWidth - p.clientWidth, text: label(p, 80)}));
  out.tables = [...main.querySelectorAll('table')].filter(shown).map(t => {
    const cells = [...t.querySelectorAll('td, th')];
    const pad = cells.length ? Math.min(...cells.map(c => Math.min(parseFloat(style(c).paddingLeft),
                                                                  parseFloat(style(c).paddingRight)))) : 99;
    const r = t.getBoundingClientRect();
    return {text: label(t, 50), pad, wide: r.width > col.width + 1, scrolls: scrollsInBox(t),
            caption: !!t.querySelector('caption')};
  });
  out.display_math = [...main.querySelectorAll('mjx-container[display="true"]')].filter(shown).map(m => {
    const math = m.querySelector('mjx-math') || m.firstElementChild;
    const eqno = (m.closest('div.math') || m).querySelector('.eqno');
    const need = math.getBoundingClientRect().width + (eqno ? eqno.getBoundingClientRect().width : 0);
    return {need: Math.round(need), text: label(m.closest('div.math') || m, 50),
            scrolls: scrollsInBox(math)};
  }).filter(e => e.need > col.width + 1);
  out.inline_math = [...main.querySelectorAll('mjx-container:not([display="true"])')].filter(shown)
      .filter(m => !m.closest('table') || !scrollsInBox(m.closest('table')))  // scrolls with its table
      .filter(m => { const r = m.getBoundingClientRect(); return r.right > col.right + 1 || r.width > col.width; })
      .map(m => label(m.closest('p, li, td, dd') || m, 70));
  out.search_fields = [...document.querySelectorAll(
      'input[type="search"], .search-button-field, button.search-button, form.bd-search')]
      .filter(shown).filter(e => !e.parentElement.closest('.search-button-field, form.bd-search')).length;
  const srcs = [...main.querySelectorAll('img')].filter(shown).map(i => i.getAttribute('src'))
      .filter(s => s && s.includes('_images/'));
  out.duplicate_images = [...new Set(srcs.filter((s, i) => srcs.indexOf(s) !== i))];
  return out;
})()
"""


@dataclass
class PageReport:
    """What one page showed in the browser at one width, and what is wrong with it."""
    url: str
    width: int
    probe: dict = field(default_factory=dict)
    layout: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    screenshot: Path | None = None


def content_problems(probe: dict, *, chapter: bool) -> list[str]:
    """What :data:`PAGE_PROBE_JS` found wrong (math, images, structure)."""
    problems = []
    if probe["math_elements"] and not probe["mathjax_loaded"]:
        problems.append(f"math not typeset: MathJax did not load "
                        f"({probe['math_elements']} math elements)")
    problems += [f"math not typeset: {tex!r}" for tex in probe["untypeset"][:5]]
    problems += [f"MathJax error: {error}" for error in probe["math_errors"][:5]]
    problems += [f"control character in TeX (a Python string that is not raw, r'...'?): "
                 f"\"{tex}\"" for tex in probe["math_control"][:5]]
    problems += [f"raw TeX in the text: {text!r}" for text in probe["raw_tex"][:5]]
    problems += [f"image does not load: {image['src']}" for image in probe["images"]
                 if not image["ok"]]
    problems += [f"figure without an image: {figure}" for figure in probe["empty_figures"]]
    if probe["figure_reprs"]:
        problems.append(f"{probe['figure_reprs']} matplotlib figure(s) shown as text "
                        "('<Figure size ...>'), not as images: was MPLBACKEND set?")
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
    return problems


def layout_problems(layout: dict, *, width: int, min_figure_ratio: float = 0.85) -> list[str]:
    """What :data:`LAYOUT_PROBE_JS` found too small, too wide or cut, at ``width``.

    On a wide window (``width >= 1000``) a figure must be shown at ``min_figure_ratio``
    of its natural size at least, and a display equation or table must fit the column;
    on a phone both may scroll inside their own box. Everywhere: code and outputs
    within their box, inline math within its line, tables padded, the page no wider than
    the window, one search field.
    """
    wide = width >= 1000
    at = f"at {width} px"
    problems = []
    if layout["page_width"] > layout["viewport"] + 1:
        problems.append(f"page wider than the window {at}: {layout['page_width']} px "
                        f"(the reader scrolls sideways)")
    if wide:
        for fig in layout["figures"]:
            ratio = fig["shown"] / fig["natural"]
            if ratio < min_figure_ratio:
                problems.append(f"figure shown at {ratio:.2f} of its size {at} "
                                f"({fig['natural']} px drawn, {fig['shown']:.0f} px shown): "
                                f"{fig['src']}")
    for code in layout["code"][:5]:
        problems.append(f"code line wider than its box by {code['over']} px {at}: "
                        f"{code['line']!r}")
    for output in layout["outputs"][:5]:
        problems.append(f"output wider than its box by {output['over']} px {at}: "
                        f"{output['text']!r}")
    for table in layout["tables"]:
        if table["pad"] < 4:
            problems.append(f"table cells padded {table['pad']:.0f} px (< 4 px) {at}: "
                            f"{table['text']!r}")
        if table["wide"] and (wide or not table["scrolls"]):
            problems.append(f"table wider than the column {at}: {table['text']!r}")
    for eq in layout["display_math"]:
        if wide or not eq["scrolls"]:
            problems.append(f"display equation wider than the column {at} "
                            f"({eq['need']} px > {layout['column']} px): {eq['text']!r}")
    for text in layout["inline_math"][:5]:
        problems.append(f"inline formula runs past its line {at}: {text!r}")
    if layout["search_fields"] > 1:
        problems.append(f"{layout['search_fields']} search fields {at} (one is enough)")
    for src in layout["duplicate_images"]:
        problems.append(f"image shown twice on the page (a figure cell without the "
                        f"'remove-output' tag?): {src}")
    return problems


def check_page(browser, url: str, *, chapter: bool = False, width: int = WIDE,
               screenshot: Path | None = None, min_figure_ratio: float = 0.85,
               mutate: str | None = None, tab: Page | None = None) -> PageReport:
    """Open ``url`` at ``width`` and list what a reader would see broken.

    ``mutate`` is JavaScript run on the page before the checks (the self-test breaks
    real pages with it). ``tab``: an open :class:`Page` of this width to load the page
    in (kept open), instead of a new one.
    """
    report = PageReport(url, width)
    page = tab.open(url) if tab is not None else Page(browser, url, width=width)
    try:
        if mutate:
            page.evaluate(mutate)
        report.probe = page.evaluate(PAGE_PROBE_JS)
        report.layout = page.evaluate(LAYOUT_PROBE_JS)
        report.problems = (content_problems(report.probe, chapter=chapter)
                           + layout_problems(report.layout, width=width,
                                             min_figure_ratio=min_figure_ratio)
                           + page.network_problems())
        if screenshot is not None:
            report.screenshot = page.screenshot(screenshot)
    finally:
        if tab is None:
            page.close()
    return report


def check_pages(root: Path, jobs: list[dict], workers: int | None = None
                ) -> list[PageReport]:
    """:func:`check_page` for every job, ``workers`` browsers at once (one per core).

    Each job holds the keyword arguments of :func:`check_page` and ``rel``, the page's
    path in the site ``root`` (served for the duration). Reports come in the order of
    the jobs. Each browser opens its pages in one tab per window width. One Playwright
    instance per thread: its sync API is not thread-safe.
    """
    workers = max(1, min(workers or os.cpu_count() or 1, 4, len(jobs)))
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for i in range(len(jobs)):
        todo.put(i)
    reports: list[PageReport | None] = [None] * len(jobs)

    def work(base: str) -> None:
        with chromium() as browser:
            tabs: dict[int, Page] = {}
            while True:
                try:
                    i = todo.get_nowait()
                except queue.Empty:
                    return
                job = dict(jobs[i])
                width = job.get("width", WIDE)
                if width not in tabs:
                    tabs[width] = Page(browser, width=width)
                reports[i] = check_page(browser, f"{base}/{job.pop('rel')}",
                                        tab=tabs[width], **job)

    with serve(root) as base, ThreadPoolExecutor(workers) as pool:
        for future in [pool.submit(work, base) for _ in range(workers)]:
            future.result()
    return reports


# -- serving the site -----------------------------------------------------------------
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output readable
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A tab that moves on to the next page drops the transfers of the last one."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serve(root: Path):
    """Serve ``root`` on 127.0.0.1 (a free port) for the duration of the block.

    A web server, not ``file://`` URLs: Chromium refuses MathJax's web fonts from
    ``file://`` pages, which a reader on a real site never sees.
    """
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = _QuietServer(("127.0.0.1", 0), handler)
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


# -- the table of contents ---------------------------------------------------------------
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

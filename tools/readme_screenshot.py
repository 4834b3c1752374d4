"""Take the README's screenshot of the built website: ``docs/screenshot.png``.

    python tools/readme_screenshot.py [SITE]     # SITE: a built site, default _build/html

Opens the introduction in headless Chromium (1280 x 800, as a reader on a laptop sees
it), waits for MathJax, centres the opening figure and saves the window as a PNG.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tools.browser import Page, chromium, serve  # noqa: E402

PAGE, ANCHOR = "book/intro.html", "fig-intro-story"


def main(site: Path, out: Path = REPO / "docs" / "screenshot.png") -> Path:
    if not (site / PAGE).is_file():
        raise SystemExit(f"{site / PAGE} does not exist: build the book first (make book)")
    with chromium() as browser, serve(site) as base:
        page = Page(browser, f"{base}/{PAGE}", width=1280, height=800)
        page.evaluate(f"document.getElementById('{ANCHOR}').scrollIntoView({{block: 'center'}})")
        time.sleep(0.5)  # let the theme's scroll-spy settle
        page.screenshot(out, full_page=False)
        page.close()
    print(f"wrote {out} ({out.stat().st_size // 1024} KB)")
    return out


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "_build" / "html")

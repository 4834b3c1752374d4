# One entry point for readers, authors and CI. Everything runs inside ./.venv.
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin

.PHONY: setup mathjax book test bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

## MathJax 3, served from the built site so that math renders offline (no CDN):
## the npm package pinned in package.json / package-lock.json, into node_modules/.
mathjax: node_modules/mathjax/es5/tex-chtml.js

node_modules/mathjax/es5/tex-chtml.js: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

## Build the website with every chapter executed (fails on any error or warning).
## Chapters run through jupyter-cache (`execute_notebooks: cache`): after an edit only the
## changed chapters run again. The cache cannot see lib/, so it is cleared whenever lib/
## or requirements.txt changed since the last build, and always under CI (= force).
book: setup mathjax
	@mkdir -p _build
	@if [ -n "$${CI:-}" ] || [ ! -f _build/.lib-stamp ] || \
	    [ -n "$$(find lib requirements.txt -newer _build/.lib-stamp -print -quit)" ]; then \
	  echo "make book: clearing the execution cache (lib/ changed, first build, or CI)"; \
	  rm -rf _build/.jupyter_cache; fi
	@touch _build/.lib-stamp.new
	$(BIN)/jupyter-book build -W -n --keep-going .
	@mv _build/.lib-stamp.new _build/.lib-stamp

## Unit tests of lib/, every cell of every chapter (nbval), and the website in headless
## Chromium (tests/test_browser.py: builds the book at CI sizes into test-artifacts/site,
## screenshots in test-artifacts/screenshots/).
test: setup mathjax
	$(BIN)/pytest

## Benchmarks: ratios measured side by side in one run.
bench: setup
	$(BIN)/python -m lib.bench

clean:
	rm -rf _build test-artifacts

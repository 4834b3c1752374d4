# One entry point for readers, authors and CI. Everything runs inside ./.venv.
# System tools (npm for MathJax, Chromium for the browser tests, TeX Live for the PDF)
# are installed from Debian's packages when missing and possible (as root with
# apt-get); otherwise the target stops at once naming the package (tools/require.sh).
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin
REQUIRE = sh tools/require.sh
TEX     = texlive-latex-extra texlive-fonts-recommended texlive-xetex latexmk tex-gyre fonts-freefont-otf texlive-plain-generic
LAB_SETTINGS = $(VENV)/share/jupyter/lab/settings/overrides.json

.PHONY: setup mathjax book students pdf tex lab test test-chapters test-editions bench gpu-check clean

setup: $(VENV)/.installed $(LAB_SETTINGS)

$(VENV)/.installed: requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || \
	  { echo "make setup needs Python 3.10 or newer ($(PYTHON) is older)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

## JupyterLab opens the chapters (.py) as notebooks (jupytext), in this venv only.
$(LAB_SETTINGS): tools/jupyterlab-overrides.json
	@mkdir -p $(dir $@)
	cp tools/jupyterlab-overrides.json $@

## MathJax 3, served from the built site so that math renders offline (no CDN):
## the npm package pinned in package.json / package-lock.json, into node_modules/.
mathjax: node_modules/mathjax/es5/tex-chtml.js

node_modules/mathjax/es5/tex-chtml.js: package.json package-lock.json
	@$(REQUIRE) npm "nodejs npm" "make mathjax (the website's MathJax)"
	npm ci --no-audit --no-fund
	touch $@

## The execution cache (_build/.jupyter_cache, shared by book, students and pdf) cannot
## see lib/: clear it when lib/ or requirements.txt changed since the last build, and
## always under CI.
define fresh_cache
	@mkdir -p _build
	@if [ -n "$${CI:-}" ] || [ ! -f _build/.lib-stamp ] || \
	    [ -n "$$(find lib requirements.txt -newer _build/.lib-stamp -print -quit)" ]; then \
	  echo "clearing the execution cache (lib/ changed, first build, or CI)"; \
	  rm -rf _build/.jupyter_cache; fi
	@touch _build/.lib-stamp.new
endef

## The website, every chapter executed at full size (fails on any error or warning).
## After an edit, only the changed chapters run again.
book: mathjax setup
	$(fresh_cache)
	$(BIN)/jupyter-book build -W -n --keep-going .
	@mv _build/.lib-stamp.new _build/.lib-stamp

## The students' edition: the website without the exercises' solutions, and
## notebooks without solution cells in the download menus (_build/students/html).
students: book
	$(BIN)/python -c "from tools.editions import students_config as c; \
	  c(out='_build/students-config.yml', cache='_build/.jupyter_cache')"
	$(BIN)/jupyter-book build -W -n --keep-going . --config _build/students-config.yml \
	  --path-output _build/students
	@echo "students' edition: _build/students/_build/html/index.html"

## The whole book as one PDF (_build/latex/book.pdf), from the executions of `make book`.
pdf: tex book
	$(BIN)/jupyter-book build -W -n --keep-going . --builder pdflatex
	@# the website's introduction now links to the PDF (only that page is rebuilt)
	$(BIN)/jupyter-book build -W -n --keep-going .
	@echo "PDF: _build/latex/book.pdf (also _build/html/book.pdf, linked from the introduction)"

## TeX Live, checked (or installed) before the book is built for the PDF.
tex:
	@$(REQUIRE) latexmk "$(TEX)" "make pdf (TeX Live)"

## JupyterLab on the chapters: open book/<chapter>.py, it opens as a notebook.
lab: setup
	$(BIN)/jupyter lab --ServerApp.root_dir=. $$([ "$$(id -u)" = 0 ] && echo --allow-root)

## One pytest session on two workers: every cell of every chapter (nbval), then the
## website, the students' edition and the PDF built from those executions and checked
## in headless Chromium and pdftotext (tests/site/), and the unit tests of lib/ beside
## them (tests/conftest.py). On two cores (CI), one thread per process: the two workers
## already share them. See README.md.
ONE_THREAD = $(if $(filter 1 2,$(shell $(PYTHON) -c "import os; print(os.cpu_count() or 1)")),\
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 XLA_FLAGS=--xla_cpu_multi_thread_eigen=false)
test: mathjax setup
	@$(REQUIRE) --optional chromium chromium "make test (the browser tests)"
	@$(REQUIRE) --optional latexmk "$(TEX)" "make test (the PDF test)"
	@$(REQUIRE) --optional pdftotext poppler-utils "make test (the PDF test)"
	env $(ONE_THREAD) $(BIN)/pytest -n 2 --dist loadfile --no-loadscope-reorder tests book

## Benchmarks: ratios measured side by side in one run.
bench: setup
	$(BIN)/python -m lib.bench

## The simulation tests and the benchmarks on a GPU (needs a CUDA build of JAX).
gpu-check: setup
	$(BIN)/python tools/gpu_check.py

clean:
	rm -rf _build test-artifacts

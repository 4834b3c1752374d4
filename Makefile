# One entry point for readers, authors and CI. Everything runs inside ./.venv.
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin

.PHONY: setup book test bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

## Build the website with every chapter executed (fails on any error or warning).
book: setup
	$(BIN)/jupyter-book build -W -n --keep-going .

## Unit tests of lib/ and every cell of every chapter (nbval).
test: setup
	$(BIN)/pytest

## Benchmarks: ratios measured side by side in one run.
bench: setup
	$(BIN)/python -m lib.bench

clean:
	rm -rf _build

# Two commands for a newcomer: `make demo` and `make test`. Both create .venv and install what they need;
# a second run skips the install unless pyproject.toml changed.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP_QUIET := 2>&1 | grep -v -e '^WARNING: Location' -e 'does not provide the extra' || true

.PHONY: demo test lint bench chromium clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e . $(PIP_QUIET)
	$(BIN)/python -c "import flows.cli, spacy, scrapy, prefect"
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]' $(PIP_QUIET)
	$(BIN)/python -c "import flows.cli, spacy, scrapy, prefect, pytest, hypothesis"
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/fundwatch demo

# Headless Chromium renders the HTML digest in the tests; Debian's package, installed when missing.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is not installed: the digest rendering test will be skipped"; fi; }

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

test: $(VENV)/.installed-dev chromium lint
	$(BIN)/pytest

bench: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) fundwatch.db fundwatch.db-* digests

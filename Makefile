# Two targets set up a fresh Debian/Ubuntu machine (see README.md):
#   make demo   installs everything, then generates, archives and searches the shipped samples
#   make test   installs everything, then runs ruff and the test suite
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := libreoffice-writer-nogui fonts-crosextra-carlito fonts-dejavu-core hunspell hunspell-sv poppler-utils qpdf \
	ocrmypdf tesseract-ocr-swe ghostscript chromium postgresql wrk
DEMO_DIR ?= demo-out

.PHONY: system venv install demo test bench clean

system:
	@if command -v apt-get >/dev/null; then \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(APT_PACKAGES) >/dev/null; \
	else echo "no apt-get: install LibreOffice, hunspell-sv and poppler-utils by hand" >&2; fi

venv:
	rm -rf $(VENV)
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,bench,ocr,web]'

install: system venv

demo: install
	bash scripts/demo.sh $(DEMO_DIR)

test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest -q -p no:cacheprovider
	bash .ci/postgres-tests

bench:
	$(PY) -m tests.benchmarks.bench_ingest
	$(PY) -m tests.benchmarks.bench_generate
	$(PY) -m tests.benchmarks.bench_search
	$(PY) -m tests.benchmarks.bench_ocr

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .ruff_cache

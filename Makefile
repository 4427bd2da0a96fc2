# The two commands of the README, and the checks CI runs. Everything installs into .venv from the
# package registries; nothing is downloaded at run time.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

# What apt must provide: WeasyPrint (the letters' PDF copies) loads Pango and HarfBuzz at run time.
APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core

.PHONY: run test lint chromium system-packages bench bench-workflows bench-verify bench-audit bench-scale bench-pages demo drill screenshots

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Concordat needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,test]"
	touch $(INSTALLED)

# What apt provides (the letters' PDF libraries); installs nothing when every package is there.
system-packages:
	@dpkg-query --show $(APT_PACKAGES) >/dev/null 2>&1 || { \
	    if [ "$$(id -u)" = 0 ]; then \
	        apt-get update -qq && apt-get install --yes -qq --no-install-recommends $(APT_PACKAGES); \
	    else \
	        echo "Concordat needs: sudo apt-get install $(APT_PACKAGES)" >&2; \
	        exit 1; \
	    fi; }

run: $(INSTALLED) system-packages
	$(BIN)/concordat-dev

demo: $(INSTALLED)
	$(BIN)/python -m deploy.demo

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy domain workflows activities eventstore concordat audit deploy worker.py bench tests
	$(BIN)/lint-imports

# The browser tests (tests/web/browser) drive Debian's Chromium, never a downloaded build.
chromium:
	@command -v chromium >/dev/null || { \
	    if [ "$$(id -u)" = 0 ]; then \
	        apt-get update && apt-get install -y --no-install-recommends chromium; \
	    else \
	        echo "make test needs Debian's chromium: run as root, or: sudo apt-get install chromium" >&2; \
	        exit 1; \
	    fi; }

test: lint system-packages chromium
	$(BIN)/pytest

bench: $(INSTALLED)
	$(BIN)/pip install --quiet -e ".[dev,test,bench]"
	$(BIN)/python -m bench.event_store

bench-workflows: $(INSTALLED)
	$(BIN)/python -m bench.workflows

bench-verify: $(INSTALLED)
	$(BIN)/python -m bench.verify

# The production shape on this machine under faults (bench/drill.py): a benchmark, not a test.
drill: $(INSTALLED)
	$(BIN)/python -m bench.drill

bench-audit: $(INSTALLED)
	$(BIN)/python -m bench.audit

bench-scale: $(INSTALLED)
	$(BIN)/python -m bench.scale

bench-pages: $(INSTALLED)
	$(BIN)/python -m bench.pages

# The README's pictures of the pages, taken by the browser tests (tests/web/browser).
screenshots: $(INSTALLED) chromium
	CONCORDAT_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/pytest -q tests/web/browser

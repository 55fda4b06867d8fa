# Two commands set everything up on a machine with python3 and make: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check --quiet
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# pytest-xdist workers per half of `make test` (auto: one per core; 0 runs in one process, for -s or --pdb).
PYTEST_WORKERS ?= auto

.PHONY: demo test test-sqlite test-postgresql test-lxml5 audit fuzz browser bench bench-demo bench-scale serve lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Exactly the locked set, every file checked against its hash (pip refuses a dependency the lock
# lacks), then the project itself without dependencies. `pip check` fails when pyproject.toml asks
# for something the lock does not hold: run `make lock`. The Python's own pip installs; setuptools
# and wheel, which build the project, come from the lock too.
$(VENV)/.installed: pyproject.toml requirements/test.txt | $(BIN)/python
	$(PIP) install --require-hashes -r requirements/test.txt
	$(PIP) install --no-deps --no-build-isolation -e .
	$(PIP) check
	touch $@

demo: $(VENV)/.installed
	$(BIN)/crosscanal demo
	$(BIN)/crosscanal publish --all
	@echo "Feeds (pull URLs with their tokens):"
	@$(BIN)/crosscanal feeds
	@echo "Serving on http://$(HOST):$(PORT)/ (API docs at /api/docs). Stop with Ctrl-C."
	$(BIN)/crosscanal serve --host $(HOST) --port $(PORT)

serve: $(VENV)/.installed
	$(BIN)/crosscanal serve --host $(HOST) --port $(PORT)

# The whole suite, once on SQLite and once on PostgreSQL (started if it is down, or the server
# in CROSSCANAL_TEST_POSTGRES_URL); each run creates and drops its own database. Then the tests
# that read or write XML once more with lxml 5 in place of the locked lxml 6.
test: audit test-sqlite test-postgresql test-lxml5

# The locked dependencies against the known vulnerabilities (pip-audit, OSV then PyPI): fails on one
# that has a fixed release. Where no vulnerability service answers it says NOT AUDITED and passes,
# unless CROSSCANAL_AUDIT_REQUIRED=1 (README, "Dependencies").
audit: $(VENV)/.installed
	$(BIN)/python -m tests.support.dependency_audit --requirement requirements/test.txt

# The API fuzzed longer than `make test` does (tests/fuzz): every phase and check, on SQLite then
# PostgreSQL, FUZZ_EXAMPLES cases per operation and phase, from FUZZ_SEED (a finding replays with
# the same seed); the figures go to bench/results/fuzz.json.
FUZZ_SEED ?= 1
FUZZ_EXAMPLES ?= 100
fuzz: $(VENV)/.installed
	for db in sqlite postgresql; do \
	  CROSSCANAL_FUZZ_SEED=$(FUZZ_SEED) CROSSCANAL_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) CROSSCANAL_FUZZ_RESULTS=bench/results/fuzz.json \
	    $(BIN)/python -m pytest --db $$db tests/fuzz $(PYTEST_ARGS) || exit 1; done

# The browser tests (tests/ui) drive Debian's Chromium, never a browser Playwright downloads:
# install the package when it is missing (as root, as CI runs, or through password-less sudo).
CHROMIUM ?= /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo -n"; fi; \
	  echo "installing Debian's chromium for the browser tests"; \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation \
	    </dev/null >/dev/null; }

test-sqlite: $(VENV)/.installed browser
	$(BIN)/python -m pytest --db sqlite -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test-postgresql: $(VENV)/.installed browser
	$(BIN)/python -m pytest --db postgresql -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# lxml 5 (libxml2 2.13) lies in its own folder, put before the venv's lxml 6 on the path: a refusal
# of hostile XML, an XSD check or a feed must not depend on which of the two a user has.
LXML5 := $(VENV)/lxml5
LXML_TESTS := tests/unit/test_import_readers.py tests/unit/test_xml_prolog.py tests/integration/test_imports_safety.py \
	tests/ui/test_imports.py tests/adapters
$(VENV)/.lxml5-installed: requirements/lxml5.txt | $(VENV)/.installed
	rm -rf $(LXML5)
	$(PIP) install --require-hashes --no-deps --target $(LXML5) -r requirements/lxml5.txt
	touch $@

test-lxml5: $(VENV)/.lxml5-installed browser
	PYTHONPATH=$(LXML5) $(BIN)/python -c 'import lxml.etree as e; assert e.LXML_VERSION[0] == 5, e.LXML_VERSION'
	PYTHONPATH=$(LXML5) $(BIN)/python -m pytest --db sqlite $(LXML_TESTS) $(PYTEST_ARGS)

# Refreshes the locks on purpose, to the newest releases within pyproject.toml's ranges: a reviewed
# change, committed with `make test` green (README, "Dependencies"). `make lock LOCK_UPGRADE=` keeps
# the locked releases and only follows what pyproject.toml now asks for. The runtime lock
# (Dockerfile) takes the test lock's versions as constraints, so both hold the same releases.
LOCK_UPGRADE ?= --upgrade
UV_VERSION := 0.13.8
UV_COMPILE := $(BIN)/uv pip compile --universal --python-version 3.11 --generate-hashes --custom-compile-command 'make lock'
BUILD_REQUIRES := $(BIN)/python -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")'
lock: | $(BIN)/python
	$(PIP) install uv==$(UV_VERSION)
	$(BUILD_REQUIRES) | $(UV_COMPILE) $(LOCK_UPGRADE) pyproject.toml - --extra test -o requirements/test.txt
	$(BUILD_REQUIRES) | $(UV_COMPILE) pyproject.toml - -c requirements/test.txt -o requirements/runtime.txt
	echo 'lxml>=5,<6' | $(UV_COMPILE) $(LOCK_UPGRADE) - -o requirements/lxml5.txt

bench: $(VENV)/.installed
	$(BIN)/python -m bench.foundation
	$(BIN)/python -m bench.publishing
	$(BIN)/python -m bench.imports
	$(BIN)/python -m bench.readers

# Issues 14 and 15's figures: 10,000, 100,000 and 1,000,000-product catalogs (generated once, kept
# under var/bench; the millions take 8 and 11 minutes), published with one and two workers,
# republished after a 1 % change and a brand-guide change, exported, given a stock file, on SQLite
# and PostgreSQL; then the UI pages timed on the 100,000 and 1,000,000-product catalogs.
SCALE_ARGS ?=
# The demo generated afresh at 10,000, 100,000 and 1,000,000 products on both databases, the
# million also with one worker (about 30 minutes); the catalogs are kept for bench-scale.
bench-demo: $(VENV)/.installed
	$(BIN)/python -m bench.demo_generation $(DEMO_ARGS)

bench-scale: $(VENV)/.installed
	$(BIN)/python -m bench.scale $(SCALE_ARGS)
	$(BIN)/python -m bench.ui_pages

clean:
	rm -rf $(VENV) var .pytest_cache

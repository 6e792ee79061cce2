# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
CHROMIUM ?= /usr/bin/chromium
HEADLESS_SHELL ?= /usr/bin/chromium-headless-shell
NGINX ?= /usr/sbin/nginx
N ?= 2

.PHONY: run serve test test-full lint demo build bench bench-browser scale-test fuzz load attack mutation screenshots chromium pdf-browser nginx clean i18n i18n-check

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Translations (Babel): the .po files are the source; the .mo files are compiled from them (and committed,
# so a plain `pytest` works too; tests/test_i18n.py checks that they match the .po files).
LANGS := fr es
CATALOGUES := $(foreach lang,$(LANGS),locales/$(lang)/LC_MESSAGES/score.mo)
I18N_KEYWORDS := --no-default-keywords -k _ -k ngettext:1,2 -k N_

locales/%/LC_MESSAGES/score.mo: locales/%/LC_MESSAGES/score.po | $(VENV)/.installed
	$(PY) -m score.i18n_check --compile $*

## Extract every _()/ngettext()/N_() string into locales/score.pot, merge it into fr and es, compile
i18n: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg $(I18N_KEYWORDS) --sort-by-file --add-location=file \
		--project=SCORE --version=dashboard --copyright-holder="International Labour Organization" -w 120 -o locales/score.pot .
	for lang in $(LANGS); do \
		$(VENV)/bin/pybabel update -i locales/score.pot -d locales -D score -l $$lang \
			--no-fuzzy-matching --ignore-obsolete -w 120 --init-missing; \
	done
	$(PY) -m score.i18n_check --compile
	-$(PY) -m score.i18n_check | tail -40

## List the msgids that still lack a French or Spanish translation (exit 1 when any)
i18n-check: $(VENV)/.installed
	$(PY) -m score.i18n_check

data/score.duckdb: | $(VENV)/.installed
	$(PY) -m score build

## Build the database if missing and start the app on http://localhost:$(PORT)
run: $(VENV)/.installed pdf-browser $(CATALOGUES)
	@test -e data/score.duckdb || $(PY) -m score build
	@# Demo accounts only while the demo data set is loaded (the command refuses otherwise).
	@test -e data/users.json || $(PY) -m score users demo || true
	$(PY) -m score.web.start --server.port $(PORT)

## Debian's chromium (the benches and screenshots: a visitor's browser) and its headless shell (the tests, PDFs and
## chart images: the same Blink for less CPU), installed when missing (never `playwright install`)
chromium:
	@test -x $(CHROMIUM) -a -x $(HEADLESS_SHELL) || (echo "Installing Debian's chromium and chromium-headless-shell" && \
		(command -v sudo >/dev/null && SUDO=sudo || SUDO=""; \
		 $$SUDO apt-get update -qq && \
		 DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-headless-shell >/dev/null))

## The browser the app prints PDF reports and draws the deck's map with (Debian's chromium-headless-shell),
## installed when missing (without it, no root or no package mirror, the app runs but cannot make PDFs)
pdf-browser:
	@test -x $(HEADLESS_SHELL) -o -x $(CHROMIUM) || (echo "Installing Debian's chromium-headless-shell (PDF reports)" && \
		(command -v sudo >/dev/null && SUDO=sudo || SUDO=""; \
		 $$SUDO apt-get update -qq && \
		 DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium-headless-shell >/dev/null) || \
		echo "Could not install chromium-headless-shell: PDF reports and the deck's map need it (or CHROMIUM_PATH)")

## Debian's nginx for `make serve`, `make test` and `make scale-test`, installed when missing (as chromium is)
nginx:
	@test -x $(NGINX) || (echo "Installing Debian's nginx for make serve" && \
		(command -v sudo >/dev/null && SUDO=sudo || SUDO=""; \
		 $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx >/dev/null))

## N Streamlit processes behind nginx on http://localhost:$(PORT) (sticky sessions, one shared data dir)
serve: $(VENV)/.installed nginx pdf-browser $(CATALOGUES)
	@test -e data/score.duckdb || $(PY) -m score build
	@test -e data/users.json || $(PY) -m score users demo || true
	$(PY) -m score serve --processes $(N) --port $(PORT)

## Install test dependencies (and Debian's chromium and nginx when missing), then run the whole suite
test: $(VENV)/.installed-dev chromium nginx $(CATALOGUES)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/vulture
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy
	rm -rf test-results
	$(PY) -m pytest -q -n 3 --dist worksteal --timeout 600 -m "not scale and not exhaustive" --durations=25

## What `make test` leaves out for its time: the long part of a check whose cheap part make test runs (every page in
## every language and size, marked `exhaustive`), then the scale-out tests. Run it before resolving a journey's issue.
test-full: $(VENV)/.installed-dev chromium nginx $(CATALOGUES)
	rm -rf test-results
	$(PY) -m pytest -q -n 3 --dist worksteal --timeout 900 -m "exhaustive and not scale" --durations=25
	$(MAKE) scale-test

## Two Streamlit processes behind nginx: stickiness, publish seen by both, audit (tests/e2e/test_scale_out.py),
## then fresh page loads per second of 2 processes against 1, with p95 at 20 sessions (RELIABILITY.md)
scale-test: $(VENV)/.installed-dev chromium nginx
	$(PY) -m pytest -q -p no:cacheprovider --timeout 600 -m scale tests/e2e/test_scale_out.py
	$(PY) bench/scale_out.py --write RELIABILITY.md

## ruff, vulture for dead code, import-linter for the layers, mypy for types (settings: pyproject.toml)
lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/vulture
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy

demo: $(VENV)/.installed
	$(PY) -m score demo

build: $(VENV)/.installed
	$(PY) -m score build

## Every performance target at 1x, 10x and 200x, written into BENCHMARKS.md (~20 min; needs nginx for capacity),
## then what a visitor waits for in the browser beside the floor app (bench/browser.py, 1x and 200x)
bench: $(VENV)/.installed-dev nginx chromium
	$(PY) bench/targets.py --write BENCHMARKS.md
	$(PY) bench/new_session.py --write BENCHMARKS.md
	$(PY) bench/browser.py --write BENCHMARKS.md

## The browser figures alone, quicker: the overview and the country profile, 4 visitors (~5 min)
bench-browser: $(VENV)/.installed-dev chromium
	$(PY) bench/browser.py --pages overview,country --visitors 4 --write BENCHMARKS.md

## Long fuzz of the upload validator: >= 10,000 cases (not part of make test; see RELIABILITY.md)
fuzz: $(VENV)/.installed-dev
	$(PY) bench/fuzz_ingest.py

## 20 browser sessions for 60 s while COL is published 5 times (not part of make test; see RELIABILITY.md)
load: $(VENV)/.installed-dev chromium
	$(PY) bench/load_test.py

## The differencing attack over 20 secrets (installations); tests/test_disclosure.py runs one (see RELIABILITY.md)
attack: $(VENV)/.installed-dev
	$(PY) bench/disclosure_attack.py 5

## Plant known bugs one at a time in a temp copy and check the tests catch each (not part of make test; RELIABILITY.md)
mutation: $(VENV)/.installed-dev
	$(PY) scripts/mutation.py

## docs/screenshots/<page>.png of every page at 1600x1000, for the README
screenshots: $(VENV)/.installed-dev chromium
	$(PY) scripts/screenshots.py

clean:
	rm -rf $(VENV) data/versions data/score.duckdb

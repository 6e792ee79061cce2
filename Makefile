# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
CHROMIUM ?= /usr/bin/chromium
NGINX ?= /usr/sbin/nginx
N ?= 2

.PHONY: run serve test lint demo build bench scale-test fuzz load screenshots chromium nginx clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

data/score.duckdb: | $(VENV)/.installed
	$(PY) -m score build

## Build the database if missing and start the app on http://localhost:$(PORT)
run: $(VENV)/.installed
	@test -e data/score.duckdb || $(PY) -m score build
	@# Demo accounts only while the demo data set is loaded (the command refuses otherwise).
	@test -e data/users.json || $(PY) -m score users demo || true
	$(PY) -m streamlit run app.py --server.port $(PORT)

## Debian's chromium for the browser tests, installed when missing (never `playwright install`)
chromium:
	@test -x $(CHROMIUM) || (echo "Installing Debian chromium for the browser tests" && \
		(command -v sudo >/dev/null && SUDO=sudo || SUDO=""; \
		 $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null))

## Debian's nginx for `make serve` and `make scale-test`, installed when missing (as chromium is)
nginx:
	@test -x $(NGINX) || (echo "Installing Debian's nginx for make serve" && \
		(command -v sudo >/dev/null && SUDO=sudo || SUDO=""; \
		 $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx >/dev/null))

## N Streamlit processes behind nginx on http://localhost:$(PORT) (sticky sessions, one shared data dir)
serve: $(VENV)/.installed nginx
	@test -e data/score.duckdb || $(PY) -m score build
	@test -e data/users.json || $(PY) -m score users demo || true
	$(PY) -m score serve --processes $(N) --port $(PORT)

## Install test dependencies (and Debian's chromium when missing), then run the whole suite
test: $(VENV)/.installed-dev chromium
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	rm -rf test-results
	$(PY) -m pytest -q -n 2 --timeout 600 -m "not scale"

## Two Streamlit processes behind nginx: stickiness, publish seen by both, audit (tests/e2e/test_scale_out.py),
## then fresh page loads per second of 2 processes against 1, with p95 at 20 sessions (RELIABILITY.md)
scale-test: $(VENV)/.installed-dev chromium nginx
	$(PY) -m pytest -q -p no:cacheprovider --timeout 600 -m scale tests/e2e/test_scale_out.py
	$(PY) bench/scale_out.py --write RELIABILITY.md

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

demo: $(VENV)/.installed
	$(PY) -m score demo

build: $(VENV)/.installed
	$(PY) -m score build

bench: $(VENV)/.installed-dev
	$(PY) bench/bench_queries.py

## Long fuzz of the upload validator: >= 10,000 cases (not part of make test; see RELIABILITY.md)
fuzz: $(VENV)/.installed-dev
	$(PY) bench/fuzz_ingest.py

## 20 browser sessions for 60 s while COL is published 5 times (not part of make test; see RELIABILITY.md)
load: $(VENV)/.installed-dev chromium
	$(PY) bench/load_test.py

## docs/screenshots/<page>.png of every page at 1600x1000, for the README
screenshots: $(VENV)/.installed-dev chromium
	$(PY) scripts/screenshots.py

clean:
	rm -rf $(VENV) data/versions data/score.duckdb

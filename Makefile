# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test lint demo build bench fuzz screenshots clean

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

## Install test dependencies (and Debian's chromium when missing), then run the whole suite
test: $(VENV)/.installed-dev
	@test -x $(CHROMIUM) || (echo "Installing Debian chromium for the browser tests" && \
		(command -v sudo >/dev/null && SUDO=sudo || SUDO=""; \
		 $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null))
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -q -n 2 --timeout 600

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

demo: $(VENV)/.installed
	$(PY) -m score demo

build: $(VENV)/.installed
	$(PY) -m score build

bench: $(VENV)/.installed-dev
	$(PY) bench/bench_queries.py

clean:
	rm -rf $(VENV) data/versions data/score.duckdb

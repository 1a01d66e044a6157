# Run `make help` for the list of targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYTHONHASHSEED := 0
SIZES ?= 1000,10000

.DEFAULT_GOAL := help
.PHONY: help setup build report notebooks test lint docs lab bench lock clean

help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

setup: $(STAMP) ## Create .venv and install the pinned dependencies (requirements.lock)

build: setup ## Build warehouse.duckdb from corpus/ (incremental; FULL=1 forces a full rebuild)
	$(BIN)/analysis build $(if $(FULL),--full,)

report: build ## The main job: set up, build the warehouse, run the notebooks, export charts to reports/
	$(BIN)/analysis report

test: setup ## Run the whole test suite (what .ci/run calls)
	$(BIN)/python -m pytest -q

lint: setup ## Check the code with ruff
	$(BIN)/ruff check analysis tests bench

docs: setup ## Regenerate docs/schema.md (the data dictionary) from analysis/schema/
	$(BIN)/analysis schema > docs/schema.md

LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json

$(LAB_SETTINGS): $(STAMP)
	mkdir -p $(dir $@)
	printf '{"@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"python": "Jupytext Notebook"}}}\n' > $@

lab: build $(LAB_SETTINGS) ## Open JupyterLab on the notebooks (the .py notebooks open as notebooks with one click)
	$(BIN)/jupyter lab notebooks/

bench: setup ## Scale benchmarks (slow; SIZES=1000,10000,50000; writes bench/results.json, docs/benchmarks.md)
	BENCH_SIZES=$(SIZES) $(BIN)/python -m bench.run

lock: ## Re-resolve requirements.in into requirements.lock (needs the registry)
	rm -rf .lockenv && $(PYTHON) -m venv .lockenv && .lockenv/bin/pip install --quiet -r requirements.in \
	  && .lockenv/bin/pip freeze --exclude-editable > requirements.lock && rm -rf .lockenv

clean: ## Remove the built warehouse and reports (the corpus is never touched)
	rm -rf warehouse.duckdb warehouse.duckdb.* reports/

# Two entry points for a fresh machine with Python 3.11 and pip:
#   make demo   set up .venv, run the demo DAG end to end (offline, CPU, minutes) and write its HTML report
#   make test   set up .venv and run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CORES ?= all
# The tests run on every core, one pytest worker per core, each test module on one worker (its fixtures built once).
TEST_WORKERS ?= auto

.PHONY: setup demo test test-fast lint config-docs report gallery clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --constraint constraints.txt --editable '.[test]'
	touch $@

demo: setup
	$(BIN)/snakemake --cores $(CORES) --configfile config/demo.yaml
	$(BIN)/snakemake --configfile config/demo.yaml --report results/report.html
	$(BIN)/python -m robopt.summary results

test: setup
	$(BIN)/python -m pytest --numprocesses $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

test-fast: setup  # the quick loop while developing: everything but the slow tests (DAG runs, fidelity)
	$(BIN)/python -m pytest --numprocesses $(TEST_WORKERS) --dist loadfile -m "not slow"

lint: setup
	$(BIN)/ruff check src tests workflow/scripts benchmarks
	$(BIN)/snakefmt --check Snakefile workflow/rules
	$(BIN)/snakemake --lint --configfile config/demo.yaml
	$(BIN)/snakemake --lint

config-docs: setup  # regenerate config/README.md's key tables from the schema
	$(BIN)/python -m robopt.schema_docs workflow/schemas/config.schema.yaml config/README.md

report: setup
	$(BIN)/snakemake --configfile config/demo.yaml --report results/report.html

gallery: demo
	$(BIN)/python -m robopt.plots.gallery results/figures docs/gallery

clean:
	rm -rf results .snakemake

# Two commands do all set-up on a fresh Debian machine with Python 3.11:
#   make demo   - create .venv, install, start the server with built-in bots
#   make test   - install with test extras and run ruff, mypy and pytest
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: test lint typecheck pytest demo schema clean system-deps bench bench-quick

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The bench's own extra, and kaggle-environments without its heavy dependencies
# (figure 7's reference; see bench/README.md).
BENCH_STAMP := $(VENV)/.bench-stamp
KAGGLE_ENVIRONMENTS := kaggle-environments==1.24.5

$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m pip install --quiet --no-deps '$(KAGGLE_ENVIRONMENTS)'
	touch $(BENCH_STAMP)

PY_DIRS := $(wildcard src tests bench examples)

lint: $(STAMP)
	$(BIN)/ruff check $(PY_DIRS)
	$(BIN)/ruff format --check $(PY_DIRS)

typecheck: $(STAMP)
	$(BIN)/mypy

system-deps:
	bash scripts/system-deps.sh

pytest: $(STAMP) system-deps
	$(BIN)/pytest

test: lint typecheck pytest

demo: $(STAMP)
	$(BIN)/ringside demo

# Benchmarks against the stack's own physical limit, on loopback (bench/README.md).
bench: $(BENCH_STAMP)
	$(BIN)/python -m bench.run

bench-quick: $(BENCH_STAMP)
	$(BIN)/python -m bench.run --quick

schema: $(STAMP)
	$(BIN)/python -m ringside.protocol.schema docs/schema

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache

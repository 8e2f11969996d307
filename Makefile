# Two commands do all set-up on a fresh Debian machine with Python 3.11:
#   make demo   - create .venv, install, start the server with built-in bots
#   make test   - install with test extras and run ruff, mypy and pytest
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: test lint typecheck pytest demo schema clean system-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

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

schema: $(STAMP)
	$(BIN)/python -m ringside.protocol.schema docs/schema

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache

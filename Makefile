# Two commands do all set-up on a fresh Debian machine with Python 3.11:
#   make demo   - create .venv, install the runtime from the lock, start the server with built-in bots
#   make test   - install the test set from the lock and run ruff, mypy and pytest
# Every install takes exactly what requirements/*.txt say (pinned, with hashes);
# `make lock` refreshes them on purpose (README, "Development").
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# uv, itself pinned with hashes in requirements/uv.txt, in a venv of its own so that
# syncing the project's venv never removes it.
TOOLS := .tools
UV := $(TOOLS)/bin/uv
LOCK_DIR := requirements
# Which lock the project venv holds: runtime, test or bench. The stamp names it, so
# switching from `make demo` to `make test` syncs again.
STAMP = $(VENV)/.synced-$(1)
# uv uses the Python given, never one it downloads.
export UV_PYTHON_DOWNLOADS := never
PORT ?= 8000
TCP_PORT ?= 8001

.PHONY: test lint typecheck pytest demo schema clean system-deps bench bench-quick \
	lock lock-upgrade check-lock test-latest

$(UV): $(LOCK_DIR)/uv.txt
	test -x $(TOOLS)/bin/python || $(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --isolated --quiet --disable-pip-version-check \
		--require-hashes --no-deps -r $(LOCK_DIR)/uv.txt
	touch $(UV)

# Sync the venv to one lock exactly (removing what it does not list), then install
# the project itself with the locked setuptools and no dependency resolution.
define sync_venv
	test -x $(BIN)/python || $(UV) venv --quiet --python $(PYTHON) $(VENV)
	$(UV) pip sync --quiet --python $(BIN)/python --require-hashes $(2)
	$(UV) pip install --quiet --python $(BIN)/python --no-deps --no-build-isolation -e .
	$(UV) pip check --quiet --python $(BIN)/python
	rm -f $(VENV)/.synced-*
	touch $(call STAMP,$(1))
endef

$(call STAMP,runtime): $(UV) $(LOCK_DIR)/runtime.txt pyproject.toml
	$(call sync_venv,runtime,$(LOCK_DIR)/runtime.txt)

$(call STAMP,test): $(UV) $(LOCK_DIR)/test.txt pyproject.toml
	$(call sync_venv,test,$(LOCK_DIR)/test.txt)

# The bench's own extra, and kaggle-environments without its heavy dependencies
# (figure 7's reference; see bench/README.md).
$(call STAMP,bench): $(UV) $(LOCK_DIR)/bench.txt $(LOCK_DIR)/kaggle.txt pyproject.toml
	$(call sync_venv,bench,$(LOCK_DIR)/bench.txt $(LOCK_DIR)/kaggle.txt)

# The bench lock is a superset of the test lock: its venv runs the tests too.
TEST_VENV = $(if $(wildcard $(call STAMP,bench)),$(call STAMP,bench),$(call STAMP,test))

PY_DIRS := $(wildcard src tests bench examples scripts)

lint: $(TEST_VENV)
	$(BIN)/ruff check $(PY_DIRS)
	$(BIN)/ruff format --check $(PY_DIRS)

typecheck: $(TEST_VENV)
	$(BIN)/mypy

system-deps:
	bash scripts/system-deps.sh

# The venv holds exactly what the lock says (a drifted venv fails here, not later).
check-lock: $(TEST_VENV)
	$(BIN)/python scripts/check_lock.py $(if $(wildcard $(call STAMP,bench)),$(LOCK_DIR)/bench.txt $(LOCK_DIR)/kaggle.txt,$(LOCK_DIR)/test.txt)

pytest: $(TEST_VENV) system-deps
	$(BIN)/pytest

test: lint typecheck check-lock pytest

demo: $(call STAMP,runtime)
	$(BIN)/ringside demo --port $(PORT) --tcp-port $(TCP_PORT)

# Benchmarks against the stack's own physical limit, on loopback (bench/README.md).
bench: $(call STAMP,bench)
	$(BIN)/python -m bench.run

bench-quick: $(call STAMP,bench)
	$(BIN)/python -m bench.run --quick

schema: $(TEST_VENV)
	$(BIN)/python -m ringside.protocol.schema docs/schema

# Refresh the locks on purpose: `make lock` keeps every pin that still satisfies
# pyproject.toml (adds and removes what changed); `make lock-upgrade` takes the newest.
# bench.txt holds every extra; the others are resolved within it, so all agree.
LOCK_FLAGS := --universal --generate-hashes --python-version 3.11 --quiet
define compile_locks
	$(UV) pip compile $(LOCK_FLAGS) $(1) pyproject.toml $(LOCK_DIR)/build.in --all-extras \
		-o $(LOCK_DIR)/bench.txt
	$(UV) pip compile $(LOCK_FLAGS) $(1) pyproject.toml $(LOCK_DIR)/build.in --extra test \
		-c $(LOCK_DIR)/bench.txt -o $(LOCK_DIR)/test.txt
	$(UV) pip compile $(LOCK_FLAGS) $(1) pyproject.toml $(LOCK_DIR)/build.in \
		-c $(LOCK_DIR)/bench.txt -o $(LOCK_DIR)/runtime.txt
	$(UV) pip compile $(LOCK_FLAGS) $(1) --no-deps $(LOCK_DIR)/kaggle.in -o $(LOCK_DIR)/kaggle.txt
	$(UV) pip compile $(LOCK_FLAGS) $(1) $(LOCK_DIR)/uv.in -o $(LOCK_DIR)/uv.txt
endef

lock: $(UV)
	$(call compile_locks,)

lock-upgrade: $(UV)
	$(call compile_locks,--upgrade)

# The suite against the newest release of every dependency, in a venv of its own:
# the next upstream change is found here, not by a user. The lock is not touched.
LATEST := .venv-latest
test-latest: $(UV) system-deps
	rm -rf $(LATEST)
	$(UV) venv --quiet --python $(PYTHON) $(LATEST)
	$(UV) pip install --quiet --python $(LATEST)/bin/python --upgrade --refresh -e '.[test]'
	$(LATEST)/bin/python scripts/check_lock.py --report $(LOCK_DIR)/test.txt
	RINGSIDE_UNLOCKED=1 $(LATEST)/bin/pytest

clean:
	rm -rf $(VENV) $(LATEST) $(TOOLS) .mypy_cache .pytest_cache .ruff_cache

# Two commands do all set-up on a fresh Debian machine with Python 3.11:
#   make demo   - create .venv, install the runtime from the lock, start the server with built-in bots
#   make test   - install the test set from the lock and run ruff, mypy and pytest
# Every install takes exactly what requirements/*.txt say (pinned, with hashes);
# `make lock` refreshes them on purpose (README, "Development").
PYTHON ?= python3
# One venv per lock, so that `make demo` and `make test` never take packages from under
# each other: .venv holds the runtime (the `ringside` command), .venv-test the test set.
VENV := .venv
BIN := $(VENV)/bin
TEST_VENV := .venv-test
TEST_BIN := $(TEST_VENV)/bin
BENCH_VENV := .venv-bench
BENCH_BIN := $(BENCH_VENV)/bin
# uv, itself pinned with hashes in requirements/uv.txt, in a venv of its own.
TOOLS := .tools
UV := $(TOOLS)/bin/uv
LOCK_DIR := requirements
# uv uses the Python given, never one it downloads.
export UV_PYTHON_DOWNLOADS := never
PORT ?= 8000
TCP_PORT ?= 8001

.PHONY: test lint typecheck pytest demo schema clean system-deps bench bench-quick bench-check \
	bench-baseline soak attack \
	lock lock-upgrade check-lock test-latest

$(UV): $(LOCK_DIR)/uv.txt
	test -x $(TOOLS)/bin/python || $(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --isolated --quiet --disable-pip-version-check \
		--require-hashes --no-deps -r $(LOCK_DIR)/uv.txt
	touch $(UV)

# Sync a venv to lock files exactly (removing what they do not list), then install
# the project itself with the locked setuptools and no dependency resolution.
# $(1): the venv, $(2): the lock files, $(3): "nocheck" where a package is installed
# without its declared dependencies on purpose (the bench's kaggle-environments).
# --compile-bytecode: every `ringside` process (each test starts dozens) would otherwise
# compile SQLAlchemy, alembic, aiohttp... again: uv writes no .pyc by default, and where
# PYTHONDONTWRITEBYTECODE is set Python never does (3.3 s of CPU per start, 1.1 s with them).
define sync_venv
	test -x $(1)/bin/python || $(UV) venv --quiet --python $(PYTHON) $(1)
	$(UV) pip sync --quiet --compile-bytecode --python $(1)/bin/python --require-hashes $(2)
	$(UV) pip install --quiet --python $(1)/bin/python --no-deps --no-build-isolation -e .
	$(if $(3),,$(UV) pip check --quiet --python $(1)/bin/python)
	touch $(1)/.synced
endef

$(VENV)/.synced: $(UV) $(LOCK_DIR)/runtime.txt pyproject.toml
	$(call sync_venv,$(VENV),$(LOCK_DIR)/runtime.txt)

$(TEST_VENV)/.synced: $(UV) $(LOCK_DIR)/test.txt pyproject.toml
	$(call sync_venv,$(TEST_VENV),$(LOCK_DIR)/test.txt)

# The bench's own extra, and kaggle-environments without its heavy dependencies
# (figure 7's reference; see bench/README.md).
$(BENCH_VENV)/.synced: $(UV) $(LOCK_DIR)/bench.txt $(LOCK_DIR)/kaggle.txt pyproject.toml
	$(call sync_venv,$(BENCH_VENV),$(LOCK_DIR)/bench.txt $(LOCK_DIR)/kaggle.txt,nocheck)

PY_DIRS := $(wildcard src tests bench examples scripts)

lint: $(TEST_VENV)/.synced
	$(TEST_BIN)/ruff check $(PY_DIRS)
	$(TEST_BIN)/ruff format --check $(PY_DIRS)

typecheck: $(TEST_VENV)/.synced
	$(TEST_BIN)/mypy

system-deps:
	bash scripts/system-deps.sh

# Each venv holds exactly what its lock says (a drifted venv fails here, not later).
check-lock: $(VENV)/.synced $(TEST_VENV)/.synced
	$(TEST_BIN)/python scripts/check_lock.py --venv $(VENV) $(LOCK_DIR)/runtime.txt
	$(TEST_BIN)/python scripts/check_lock.py $(LOCK_DIR)/test.txt

# Two workers (pytest-xdist), one test file at a time each (module fixtures stay shared):
# most of the suite waits on server processes, engines and the browser.
PYTEST_WORKERS ?= 2
pytest: $(TEST_VENV)/.synced system-deps
	$(TEST_BIN)/python -m compileall -q src
	$(TEST_BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile

test: lint typecheck check-lock pytest

demo: $(VENV)/.synced
	$(BIN)/ringside demo --port $(PORT) --tcp-port $(TCP_PORT)

# Benchmarks against the stack's own physical limit, on loopback (bench/README.md).
bench: $(BENCH_VENV)/.synced
	$(BENCH_BIN)/python scripts/check_lock.py $(LOCK_DIR)/bench.txt $(LOCK_DIR)/kaggle.txt
	$(BENCH_BIN)/python -m bench.run
	$(BENCH_BIN)/python -m bench.redis_client
	$(BENCH_BIN)/python -m bench.cluster
	$(BENCH_BIN)/python -m bench.spiel

bench-quick: $(BENCH_VENV)/.synced
	$(BENCH_BIN)/python -m bench.run --quick

# The quick bench, failing when a ratio falls more than 15 % below bench/results/baseline.json.
bench-check: $(BENCH_VENV)/.synced
	$(BENCH_BIN)/python -m bench.run --quick --label check
	$(BENCH_BIN)/python -m bench.check bench/results/check.json

# A new baseline for bench-check, from a quick run (on a quiet machine).
bench-baseline: $(BENCH_VENV)/.synced
	$(BENCH_BIN)/python -m bench.run --quick --label baseline

# A bounded soak (bench/soak.py): SOAK_SECONDS of ladder matches between SOAK_BOTS raw bots,
# half TCP, half WebSocket; prints matches announced vs stored, RSS, fds, API latency.
SOAK_SECONDS ?= 600
SOAK_BOTS ?= 400
soak: $(BENCH_VENV)/.synced
	$(BENCH_BIN)/python -m bench.soak --seconds $(SOAK_SECONDS) --bots $(SOAK_BOTS)

# The attack suite (bench/attack.py): a real server on loopback, attacked case by case
# (spectator amplification, non-reading flooders, 5,000 idle connections, deadlines,
# slowloris, nested bodies, a Hypothesis protocol fuzzer); about five minutes. It prints
# a table (answer, peak RSS/fds, GET /api/games latency, memory after) and fails if a case
# finds the server wanting. The test venv: it has Hypothesis. ATTACK_ARGS="--fuzz 1000".
ATTACK_ARGS ?=
attack: $(TEST_VENV)/.synced
	$(TEST_BIN)/python -m bench.attack $(ATTACK_ARGS)

schema: $(TEST_VENV)/.synced
	$(TEST_BIN)/python -m ringside.schema docs/schema
	$(TEST_BIN)/python -m ringside.gamedocs docs/games
	$(TEST_BIN)/python -m ringside.games.spiel.table docs/openspiel.md

# Refresh the locks on purpose: `make lock` keeps every pin that still satisfies
# pyproject.toml (adds and removes what changed); `make lock-upgrade` takes the newest.
# bench.txt holds every extra; the others are resolved within it, so all agree.
LOCK_FLAGS := --universal --generate-hashes --python-version 3.11 --quiet
define compile_locks
	$(UV) pip compile $(LOCK_FLAGS) $(1) pyproject.toml $(LOCK_DIR)/build.in --all-extras \
		-o $(LOCK_DIR)/bench.txt
	$(UV) pip compile $(LOCK_FLAGS) $(1) pyproject.toml $(LOCK_DIR)/build.in --extra test \
		--extra openspiel -c $(LOCK_DIR)/bench.txt -o $(LOCK_DIR)/test.txt
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
	rm -rf $(VENV) $(TEST_VENV) $(BENCH_VENV) $(LATEST) $(TOOLS) .mypy_cache .pytest_cache .ruff_cache

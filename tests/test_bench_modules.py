"""The bench's modules import against today's server: CI does not run the bench, so a
renamed server internal the bench reaches for (the echo server writes frames as the
server does) would otherwise be found only at the next ``make bench``."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

BENCH_MODULES = ("common", "clients", "echo_server", "stream", "profile", "check", "run")


@pytest.mark.parametrize("name", BENCH_MODULES)
def test_a_bench_module_imports(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # The bench runs as ``python -m bench.run`` from the checkout, which puts the
    # checkout on the path; pytest does not (it runs from any directory).
    monkeypatch.syspath_prepend(str(ROOT))
    importlib.import_module(f"bench.{name}")

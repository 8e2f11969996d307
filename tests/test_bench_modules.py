"""The bench's modules import against today's server: CI does not run the bench, so a
renamed server internal the bench reaches for (the echo server writes frames as the
server does) would otherwise be found only at the next ``make bench``."""

from __future__ import annotations

import importlib

import pytest

BENCH_MODULES = ("common", "clients", "echo_server", "stream", "profile", "check", "run")


@pytest.mark.parametrize("name", BENCH_MODULES)
def test_a_bench_module_imports(name: str) -> None:
    importlib.import_module(f"bench.{name}")

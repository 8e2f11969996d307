"""``make bench-check``'s logic: ratios compared with the baseline's, by figure key."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def check() -> ModuleType:
    """``bench/check.py``, loaded by path (the bench is no package of the product)."""
    spec = importlib.util.spec_from_file_location("bench_check", ROOT / "bench" / "check.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_check"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def run(**ratios: float | None) -> dict[str, Any]:
    figures = [
        {"key": key, "what": f"figure {key}", "ratio": ratio, "value": 1.0}
        for key, ratio in ratios.items()
    ]
    figures.append({"key": "echo_1_tcp", "what": "no reference", "ratio": None, "value": 9.0})
    return {"figures": figures}


def failed(check: ModuleType, baseline: dict[str, Any], current: dict[str, Any]) -> list[str]:
    return [v.key for v in check.compare(baseline, current) if v.failed]


def test_within_the_tolerance_passes(check: ModuleType) -> None:
    baseline = run(relay_tcp=0.80, tictactoe=20.0)
    assert failed(check, baseline, run(relay_tcp=0.69, tictactoe=30.0)) == []


def test_more_than_15_percent_below_fails(check: ModuleType) -> None:
    baseline = run(relay_tcp=0.80, tictactoe=20.0)
    assert failed(check, baseline, run(relay_tcp=0.67, tictactoe=20.0)) == ["relay_tcp"]
    assert failed(check, baseline, run(relay_tcp=0.80, tictactoe=16.9)) == ["tictactoe"]


def test_a_figure_missing_from_the_run_fails_and_a_new_one_does_not(check: ModuleType) -> None:
    verdicts = check.compare(run(relay_tcp=0.8, gone=1.0), run(relay_tcp=0.8, new=2.0))
    assert {v.key: v.failed for v in verdicts} == {"relay_tcp": False, "gone": True, "new": False}


def test_figures_without_a_ratio_are_not_compared(check: ModuleType) -> None:
    assert [v.key for v in check.compare(run(), run())] == []


def test_the_command_exits_non_zero_on_a_regression(check: ModuleType, tmp_path: Path) -> None:
    base, good, bad = (tmp_path / f"{n}.json" for n in ("base", "good", "bad"))
    base.write_text(json.dumps(run(relay_ws=0.5)))
    good.write_text(json.dumps(run(relay_ws=0.45)))
    bad.write_text(json.dumps(run(relay_ws=0.4)))
    assert check.main([str(good), "--baseline", str(base)]) == 0
    assert check.main([str(bad), "--baseline", str(base)]) == 1

"""``make bench-check``: fail when a ratio fell more than 15 % below the committed baseline.

    python -m bench.check CURRENT.json [--baseline bench/results/baseline.json] [--tolerance 0.15]

Compares the ``ratio`` of every figure that has one (each figure measured
against its reference in the same run, so the comparison holds on a machine
of another speed) in the current run's JSON with the baseline's, by the
figure's ``key``. Every ratio of the bench is "higher is better" (a cost is
given as recorded / unrecorded). A figure of the baseline missing from the
current run fails too: a check that silently lost a figure would hide a
regression. Exits 1 on any failure, 0 otherwise.

Self-contained (standard library only), so that its test loads it by path.
The baseline is written by ``make bench-baseline`` (a quick run); refresh it
on a quiet machine when a change moves a ratio on purpose.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TOLERANCE = 0.15
BASELINE = Path(__file__).resolve().parent / "results" / "baseline.json"


@dataclass(frozen=True)
class Verdict:
    key: str
    what: str
    baseline: float | None
    current: float | None
    failed: bool

    @property
    def change(self) -> float | None:
        if self.baseline is None or self.current is None or self.baseline == 0:
            return None
        return self.current / self.baseline - 1

    def line(self) -> str:
        def ratio(value: float | None) -> str:
            return "missing" if value is None else f"{value:.3f}"

        change = self.change
        moved = "" if change is None else f" ({change:+.1%})"
        mark = "FAIL" if self.failed else "ok  "
        return f"{mark} {self.key:<18} {ratio(self.baseline)} -> {ratio(self.current)}{moved}  {self.what}"


def ratios(document: dict[str, Any]) -> dict[str, tuple[float, str]]:
    """Each figure's ratio and description by key, for the figures that have both."""
    found: dict[str, tuple[float, str]] = {}
    for figure in document.get("figures", []):
        key, ratio = figure.get("key"), figure.get("ratio")
        if key and isinstance(ratio, int | float):
            found[str(key)] = (float(ratio), str(figure.get("what", "")))
    return found


def compare(
    baseline: dict[str, Any], current: dict[str, Any], tolerance: float = TOLERANCE
) -> list[Verdict]:
    """A verdict per ratio of the baseline: failed when the current one is missing or more
    than ``tolerance`` (a fraction) below it. Ratios only in the current run are reported,
    never failed."""
    before, after = ratios(baseline), ratios(current)
    verdicts = []
    for key, (was, what) in before.items():
        now = after.get(key)
        if now is None:
            verdicts.append(Verdict(key, what, was, None, True))
            continue
        verdicts.append(Verdict(key, what, was, now[0], now[0] < was * (1 - tolerance)))
    for key, (now_ratio, what) in after.items():
        if key not in before:
            verdicts.append(Verdict(key, what, None, now_ratio, False))
    return verdicts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.check", description=__doc__)
    parser.add_argument("current", type=Path, help="the JSON of the run to check")
    parser.add_argument("--baseline", type=Path, default=BASELINE)
    parser.add_argument("--tolerance", type=float, default=TOLERANCE)
    args = parser.parse_args(argv)
    verdicts = compare(
        json.loads(args.baseline.read_text()), json.loads(args.current.read_text()), args.tolerance
    )
    for verdict in verdicts:
        print(verdict.line())
    failed = [v for v in verdicts if v.failed]
    print(
        f"{len(failed)} of {len(verdicts)} ratios fell more than {args.tolerance:.0%} below "
        f"{args.baseline}"
        if failed
        else f"every ratio within {args.tolerance:.0%} of the baseline"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

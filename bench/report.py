"""The bench's table, its JSON and markdown files, and the relay-latency plot."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.common import NOISY, median, percentile, spread

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Row:
    """One figure: the median of its repetitions, their min-max, and a flag when they spread.

    ``samples`` and ``reference_samples`` are the repetitions (one value per
    repetition); ``value`` and ``reference`` are their medians and ``ratio``,
    when there is a reference, is the ratio of the medians."""

    figure: str
    what: str
    value: float
    unit: str
    reference: float | None = None
    reference_unit: str | None = None
    ratio: float | None = None
    target: str = "report"
    passed: bool | None = None
    key: str = ""
    """A stable name for the figure (``bench.check`` compares ratios by it)."""
    low: float | None = None
    high: float | None = None
    spread: float = 0.0
    """(max - min) / median of the repetitions; of the reference's too, whichever is larger."""
    noisy: bool = False
    """``spread`` is over ``NOISY``: the figure is flagged in the table."""
    samples: list[float] | None = None
    reference_samples: list[float] | None = None

    @classmethod
    def of(
        cls,
        figure: str,
        key: str,
        what: str,
        samples: list[float],
        unit: str,
        *,
        reference: list[float] | None = None,
        reference_unit: str | None = None,
        target: str = "report",
        check: Any = None,
        invert: bool = False,
    ) -> Row:
        """A row from repetitions: ``check(value, ratio)`` says whether the target is met;
        ``invert`` makes the ratio reference/value (for costs measured in time)."""
        value = median(samples)
        ref = None if reference is None else median(reference)
        ratio = None
        if ref is not None and value and ref:
            ratio = ref / value if invert else value / ref
        wide = max(spread(samples), spread(reference) if reference else 0.0)
        return cls(
            figure, what, value, unit, ref, reference_unit, ratio, target,
            None if check is None else bool(check(value, ratio)),
            key=key, low=min(samples), high=max(samples), spread=wide, noisy=wide > NOISY,
            samples=list(samples), reference_samples=None if reference is None else list(reference),
        )  # fmt: skip


@dataclass
class Written:
    table: str
    paths: list[Path]


def _number(value: float | None, unit: str | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit in ("ms", "%", "KiB") and abs(value) < 1000:
        text = f"{value:.1f}"
    elif abs(value) >= 100:
        text = f"{value:,.0f}"
    else:
        text = f"{value:.1f}"
    return f"{text} {unit}" if unit else text


def _range(row: Row) -> str:
    if row.low is None or row.high is None or row.low == row.high:
        return "—"
    text = f"{_number(row.low, None)}–{_number(row.high, None)}"
    return text + (f" ⚠ {row.spread:.0%}" if row.noisy else "")


def _cells(row: Row) -> list[str]:
    verdict = "" if row.passed is None else ("✓" if row.passed else "✗ missed")
    return [
        row.figure,
        row.what,
        _number(row.value, row.unit),
        _range(row),
        _number(row.reference, row.reference_unit or row.unit),
        "—" if row.ratio is None else f"{row.ratio:.2f}",
        row.target,
        verdict,
    ]


HEADER = ["#", "figure", "median", "min–max (⚠ spread > 20 %)", "reference (same run)", "ratio",
          "target", ""]  # fmt: skip


def text_table(rows: list[Row]) -> str:
    lines = [HEADER, *(_cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]
    out = []
    for n, line in enumerate(lines):
        out.append("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def markdown_table(rows: list[Row]) -> str:
    out = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    out += ["| " + " | ".join(_cells(r)) + " |" for r in rows]
    return "\n".join(out)


def write_results(
    mode: str,
    rows: list[Row],
    machine: dict[str, Any],
    data: dict[str, Any],
    latency: dict[str, list[float]],
) -> Written:
    RESULTS.mkdir(exist_ok=True)
    paths = []
    summary = {
        label: {
            "count": len(samples),
            **{f"p{q}_ms": percentile(samples, q) * 1e3 for q in (50, 90, 99, 99.9)},
        }
        for label, samples in latency.items()
    }
    document = {
        "mode": mode,
        "machine": machine,
        "figures": [asdict(r) for r in rows],
        "relay_latency": summary,
        "raw": data,
    }
    path = RESULTS / f"{mode}.json"
    path.write_text(json.dumps(document, indent=1, default=_nan_safe) + "\n")
    paths.append(path)
    md = [
        f"# Ringside bench ({mode})",
        "",
        f"{machine['date']} · {machine['cores']} cores · {machine['implementation']} "
        f"{machine['python']} · {machine['platform']}",
        "",
        markdown_table(rows),
        "",
    ]
    if summary:
        md += ["Relay latency samples of the last repetition:", ""]
        md += ["| samples | count | p50 | p90 | p99 | p99.9 |", "|---|---|---|---|---|---|"]
        for label, s in summary.items():
            md.append(
                f"| {label} | {s['count']:,} | {s['p50_ms']:.2f} ms | {s['p90_ms']:.2f} ms"
                f" | {s['p99_ms']:.2f} ms | {s['p99.9_ms']:.2f} ms |"
            )
        md.append("")
    path = RESULTS / f"{mode}.md"
    path.write_text("\n".join(md))
    paths.append(path)
    if latency:
        plotted = plot(latency, RESULTS / f"{mode}-relay-latency.png", machine)
        if plotted is not None:
            paths.append(plotted)
    return Written(text_table(rows), paths)


def _nan_safe(value: Any) -> Any:
    return str(value)


def plot(latency: dict[str, list[float]], path: Path, machine: dict[str, Any]) -> Path | None:
    """Distribution of relay latency: a histogram on a log scale, one line per sample set."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is missing (pip install '.[bench]'): no plot")
        return None
    fig, (hist, cdf) = plt.subplots(1, 2, figsize=(12, 4.5))
    for label, samples in latency.items():
        if not samples:
            continue
        ms = sorted(s * 1e3 for s in samples)
        lo, hi = max(min(ms), 1e-3), max(ms)
        edges = [lo * (hi / lo) ** (i / 80) for i in range(81)] if hi > lo else [lo, lo * 1.01]
        n = len(ms)
        hist.hist(ms, bins=edges, histtype="step", label=label, weights=[1 / n] * n)
        cdf.plot(ms, [(i + 1) / n for i in range(n)], label=label)
        p99 = percentile(ms, 99)
        cdf.axvline(p99, linestyle=":", linewidth=0.8, color=cdf.lines[-1].get_color())
    for ax in (hist, cdf):
        ax.set_xscale("log")
        ax.set_xlabel("relay latency (ms): request handed to the bot → its answer applied")
        ax.grid(True, which="both", alpha=0.3)
    hist.set_ylabel("fraction of moves per bin")
    hist.set_title("distribution")
    cdf.set_ylabel("fraction of moves")
    cdf.set_title("cumulative (dotted: p99)")
    cdf.axvline(50, color="red", linewidth=1, label="target p99 50 ms")
    cdf.legend(fontsize=8, loc="lower right")
    fig.suptitle(
        f"Ringside relay latency · {machine['cores']} cores · Python {machine['python']}",
        fontsize=11,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path

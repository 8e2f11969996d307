"""The attack suite as a command (``make attack``): every case of ``ringside.testing.attack``
against a real server on loopback, and a table of what it answered.

    python -m bench.attack [--only NAME ...] [--fuzz MESSAGES] [--flooders N] ...

About five minutes with the defaults; exit status 1 when a case finds the server wanting.
"""

from __future__ import annotations

import asyncio
import statistics
import sys

from ringside.testing.attack import Row, attack, options

WIDTHS = (44, 70, 22, 30, 10, 6)


def print_row(row: Row) -> None:
    for cells in _wrapped(row.cells()):
        print(" | ".join(c.ljust(w) for c, w in zip(cells, WIDTHS, strict=True)), flush=True)


def _wrapped(cells: list[str]) -> list[list[str]]:
    columns = [
        [c[i : i + w] for i in range(0, max(len(c), 1), w)]
        for c, w in zip(cells, WIDTHS, strict=True)
    ]
    height = max(len(c) for c in columns)
    return [[c[i] if i < len(c) else "" for c in columns] for i in range(height)]


def main() -> None:
    opts = options(sys.argv[1:])
    header = [
        "attack",
        "answer",
        "RSS before → peak / fds",
        "GET /api/games p50/p99/max",
        "RSS after",
        "time",
    ]
    print(" | ".join(h.ljust(w) for h, w in zip(header, WIDTHS, strict=True)))
    print("-+-".join("-" * w for w in WIDTHS), flush=True)
    rows = asyncio.run(attack(opts, opts.only, print_row))
    failed = [r.attack for r in rows if not r.ok]
    if failed:
        print(f"\n{len(failed)} case(s) failed: {'; '.join(failed)}")
        sys.exit(1)
    print(
        f"\nall {len(rows)} cases held; median API latency over all: "
        f"{statistics.median([x for r in rows for x in r.latencies] or [0]) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()

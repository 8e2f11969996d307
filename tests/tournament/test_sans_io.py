"""Ratings and tournaments are pure: no sockets, no database, no event loop, no wall clock."""

import pathlib
import subprocess
import sys

import ringside

FORBIDDEN = ["asyncio", "socket", "ssl", "selectors", "sqlite3", "sqlalchemy", "aiohttp"]


def test_rating_and_tournament_import_no_io_modules() -> None:
    code = (
        "import sys\n"
        "import ringside.rating, ringside.rating.sprt, ringside.tournament\n"
        "import ringside.tournament.ladder\n"
        f"print(sorted(m for m in {FORBIDDEN!r} if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]", f"pulled in {out}"


def test_rating_and_tournament_never_read_the_wall_clock() -> None:
    root = pathlib.Path(ringside.__file__).parent
    for package in ("rating", "tournament"):
        for path in (root / package).rglob("*.py"):
            text = path.read_text()
            for call in ("time.time(", "time.monotonic(", "perf_counter(", "datetime.now("):
                assert call not in text, f"{path} reads the wall clock ({call})"

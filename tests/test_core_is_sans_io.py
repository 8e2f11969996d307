"""The core (games, referee, protocol) imports no I/O machinery."""

import subprocess
import sys

CORE = ["ringside.games", "ringside.referee", "ringside.protocol", "ringside.local"]
FORBIDDEN = ["asyncio", "socket", "ssl", "selectors", "sqlite3", "sqlalchemy", "aiohttp"]


def test_core_imports_no_io_modules() -> None:
    code = (
        "import sys\n"
        f"for name in {CORE!r}: __import__(name)\n"
        "from ringside.games import catalogue\n"
        "catalogue()\n"
        "import ringside.protocol.messages, ringside.referee.match\n"
        f"print(sorted(m for m in {FORBIDDEN!r} if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]", f"the core pulled in {out}"


def test_core_never_reads_the_wall_clock() -> None:
    import pathlib

    import ringside

    root = pathlib.Path(ringside.__file__).parent
    for package in ("games", "referee", "protocol"):
        for path in (root / package).rglob("*.py"):
            text = path.read_text()
            for call in ("time.time(", "time.monotonic(", "perf_counter(", "datetime.now("):
                assert call not in text, f"{path} reads the wall clock ({call})"

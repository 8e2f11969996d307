"""The sans-I/O parts import no I/O machinery and never read the wall clock."""

import pathlib
import subprocess
import sys

import ringside

CORE = [
    "ringside.games",
    "ringside.referee",
    "ringside.protocol",
    "ringside.local",
    "ringside.rating",
    "ringside.rating.sprt",
    "ringside.tournament",
    "ringside.tournament.ladder",
    "ringside.export",
]
CORE_PACKAGES = ("games", "referee", "protocol", "rating", "tournament")
FORBIDDEN = ["asyncio", "socket", "ssl", "selectors", "sqlite3", "sqlalchemy", "aiohttp"]


# Finding plugin games reads installed metadata with importlib.metadata, whose email
# parser imports socket (email.utils): the one I/O step of the catalogue, done on first use.
METADATA_READER = ["socket", "selectors"]


def test_core_imports_no_io_modules() -> None:
    code = (
        "import sys\n"
        f"for name in {CORE!r}: __import__(name)\n"
        f"print(sorted(m for m in {FORBIDDEN!r} if m in sys.modules))\n"
        "from ringside.games import catalogue\n"
        "catalogue()\n"
        f"print(sorted(m for m in {FORBIDDEN!r} if m in sys.modules and m not in {METADATA_READER!r}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["[]", "[]"], f"the core pulled in {out}"


def test_core_never_reads_the_wall_clock() -> None:
    root = pathlib.Path(ringside.__file__).parent
    files = [p for package in CORE_PACKAGES for p in (root / package).rglob("*.py")]
    files.append(root / "export.py")
    for path in files:
        text = path.read_text()
        for call in ("time.time(", "time.monotonic(", "perf_counter(", "datetime.now("):
            assert call not in text, f"{path} reads the wall clock ({call})"


def test_the_protocol_imports_nothing_above_it() -> None:
    """The referee builds on the protocol, never the other way round."""
    code = (
        "import sys\n"
        "import ringside.protocol, ringside.protocol.codec, ringside.protocol.messages\n"
        "print(sorted(m for m in sys.modules if m.startswith('ringside.')"
        " and not m.startswith('ringside.protocol')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]", f"the protocol pulled in {out}"

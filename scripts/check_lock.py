"""Compare a venv's installed distributions with lock files.

`make check-lock` runs it for each venv: exit 1 (and the differences) when the venv
holds anything other than exactly what the lock pins for this platform. It reads the
running interpreter's packages, or with ``--venv`` another venv's (the runtime venv has
no ``packaging`` to run it). With ``--report`` it only prints the differences (`make
test-latest`, to show what is newer than the lock).
"""

from __future__ import annotations

import argparse
import re
import sys
from importlib import metadata
from pathlib import Path

from packaging.markers import Marker
from packaging.utils import canonicalize_name

# "name==version" or "name==version ; marker", then the line continuation of the hashes.
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")
# The project itself is installed from the work tree, not from the lock.
_PROJECT = "ringside"


def locked_versions(lock_files: list[Path]) -> dict[str, str]:
    pins: dict[str, str] = {}
    for lock_file in lock_files:
        for line in lock_file.read_text(encoding="utf-8").splitlines():
            match = _PIN.match(line)
            if match is None:
                continue
            name, version, marker = match.groups()
            if marker and not Marker(marker).evaluate():
                continue
            pins[canonicalize_name(name)] = version
    return pins


def installed_versions(venv: Path | None) -> dict[str, str]:
    if venv is None:
        distributions = metadata.distributions()
    else:
        paths = [str(path) for path in venv.glob("lib/python3*/site-packages")]
        if not paths:
            raise SystemExit(f"check-lock: {venv} has no site-packages")
        distributions = metadata.distributions(path=paths)
    installed: dict[str, str] = {}
    for distribution in distributions:
        name = canonicalize_name(distribution.metadata["Name"])
        if name != _PROJECT:
            installed[name] = distribution.version
    return installed


def differences(locked: dict[str, str], installed: dict[str, str]) -> list[str]:
    lines = []
    for name in sorted(locked.keys() | installed.keys()):
        want, have = locked.get(name), installed.get(name)
        if want == have:
            continue
        if have is None:
            lines.append(f"missing    {name}=={want}")
        elif want is None:
            lines.append(f"not locked {name}=={have}")
        else:
            lines.append(f"differs    {name}: locked {want}, installed {have}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lock_files", nargs="+", type=Path)
    parser.add_argument("--report", action="store_true", help="print, never fail")
    parser.add_argument("--venv", type=Path, help="the venv to check (default: this one)")
    args = parser.parse_args()
    locked = locked_versions(args.lock_files)
    found = differences(locked, installed_versions(args.venv))
    names = ", ".join(str(path) for path in args.lock_files)
    venv = args.venv or Path(sys.prefix).name
    if not found:
        print(f"check-lock: {venv} holds exactly the {len(locked)} pins of {names}")
        return 0
    print(f"check-lock: {venv} differs from {names}:")
    for line in found:
        print(f"  {line}")
    return 0 if args.report else 1


if __name__ == "__main__":
    sys.exit(main())

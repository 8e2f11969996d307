"""JSON Schemas (draft 2020-12) of the wire protocol, generated from the models.

It sits above ``protocol`` and ``referee`` because one document, the match
configuration, is the referee's: the protocol imports neither.

``python -m ringside.schema docs/schema`` writes one file per
direction, plus the match configuration; ``--check`` only compares and fails
when a committed file is stale. The output is deterministic (sorted keys, two
spaces, a final newline) so the files can be kept under version control.
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec

from ringside.protocol.codec import SpectatorStream
from ringside.protocol.messages import (
    PROTOCOL_VERSION,
    BotMessage,
    ServerMessage,
    SpectatorMessage,
)
from ringside.referee.config import MatchConfig

DIALECT = "https://json-schema.org/draft/2020-12/schema"

_DOCUMENTS: tuple[tuple[str, str, str], ...] = (
    (
        "bot-to-server.schema.json",
        f"Ringside protocol v{PROTOCOL_VERSION}: messages a bot sends the server",
        "One JSON object per WebSocket text frame or per TCP line; the type field names it.",
    ),
    (
        "server-to-bot.schema.json",
        f"Ringside protocol v{PROTOCOL_VERSION}: messages the server sends a bot",
        "One JSON object per WebSocket text frame or per TCP line; the type field names it. "
        "Fields equal to their default may be absent.",
    ),
    (
        "spectator-events.schema.json",
        f"Ringside protocol v{PROTOCOL_VERSION}: messages the server sends a spectator",
        "Lobby events, match snapshots and match events (a match's stored event log holds "
        "the match events), one JSON object per WebSocket text frame. "
        "Fields equal to their default may be absent.",
    ),
    (
        "spectator-to-server.schema.json",
        f"Ringside protocol v{PROTOCOL_VERSION}: messages a spectator sends the server",
        "One JSON object per WebSocket text frame; the type field names it.",
    ),
    (
        "match-config.schema.json",
        "Ringside match configuration",
        "What a match is asked to be: game, bots, rounds, clock and rules of conduct.",
    ),
)


def _root_type(filename: str) -> Any:
    if filename == "bot-to-server.schema.json":
        return BotMessage
    if filename == "server-to-bot.schema.json":
        return ServerMessage
    if filename == "spectator-events.schema.json":
        return SpectatorStream
    if filename == "spectator-to-server.schema.json":
        return SpectatorMessage
    return MatchConfig


def build(root: Any, title: str, description: str) -> dict[str, Any]:
    """One self-contained schema document for ``root`` (a message union or a Struct)."""
    (schema,), components = msgspec.json.schema_components((root,), ref_template="#/$defs/{name}")
    for component in components.values():
        if "description" in component:  # docstrings, as written in the source
            component["description"] = inspect.cleandoc(component["description"])
    return {
        "$schema": DIALECT,
        "title": title,
        "description": description,
        **schema,
        "$defs": components,
    }


def schemas() -> dict[str, dict[str, Any]]:
    """Every schema document, by file name."""
    return {
        name: build(_root_type(name), title, description) for name, title, description in _DOCUMENTS
    }


def render(document: dict[str, Any]) -> str:
    """The exact text written to disk."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(directory: Path) -> list[Path]:
    """Write every schema into ``directory`` (created if needed); returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, document in schemas().items():
        path = directory / name
        path.write_text(render(document), encoding="utf-8", newline="\n")
        written.append(path)
    return written


def stale(directory: Path) -> list[Path]:
    """The schema files in ``directory`` that are missing or differ from the models."""
    found = []
    for name, document in schemas().items():
        path = directory / name
        if not path.is_file() or path.read_text(encoding="utf-8") != render(document):
            found.append(path)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ringside.schema",
        description="Write the JSON Schemas of the Ringside protocol.",
    )
    parser.add_argument("directory", type=Path, help="where the .schema.json files go")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; fail if a file is missing or stale"
    )
    args = parser.parse_args(argv)
    if args.check:
        outdated = stale(args.directory)
        for path in outdated:
            print(f"stale: {path} (run: make schema)", file=sys.stderr)
        return 1 if outdated else 0
    for path in write(args.directory):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

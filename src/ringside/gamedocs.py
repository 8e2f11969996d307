"""``python -m ringside.gamedocs DIR``: the per-game protocol pages, gathered from the games.

Each game documents its observation, action and view formats in a
``README.md`` in its own folder, next to its rules, so a game stays one
self-contained unit (a plugin game ships its page the same way). This
copies every page of the catalogue into one directory (``docs/games/``)
where readers of the protocol find them; ``make schema`` runs it, and a test
keeps the copies equal to their sources.
"""

from __future__ import annotations

import importlib.resources
import sys
from pathlib import Path

from ringside.games.base import Game
from ringside.games.registry import catalogue

HEADER = "<!-- Copied from {source} by `make schema`: edit that file, not this one. -->\n\n"


def own_page(game: Game) -> bool:
    """Whether a game has its own page here: a family adapted from another library
    (``spiel.kuhn_poker``) is documented as a whole (docs/openspiel.md), not per game."""
    return "." not in game.name


def source_of(game: Game) -> str | None:
    """The text of a game's own page, or None when its folder has none."""
    package = game.game_type.package
    if package is None:
        return None
    page = importlib.resources.files(package) / "README.md"
    return page.read_text(encoding="utf-8") if page.is_file() else None


def rendered(game: Game) -> str | None:
    """What ``docs/games/NAME.md`` holds for ``game``."""
    text = source_of(game)
    if text is None:
        return None
    package = game.game_type.package or ""
    source = f"src/{package.replace('.', '/')}/README.md"
    return HEADER.format(source=source) + text


def write(directory: Path) -> list[Path]:
    """Write every game's page into ``directory``; the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for game in catalogue():
        text = rendered(game) if own_page(game) else None
        if text is not None:
            path = directory / f"{game.name}.md"
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def main(argv: list[str]) -> int:
    directory = Path(argv[0] if argv else "docs/games")
    for path in write(directory):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Go opening suites: the main lines of an SGF collection as the ``openings`` option.

Each game tree of the collection gives one opening: the moves of its main line
(the first variation at every branch), at most ``plies`` of them, in GTP
vertices. Handicap and setup stones (``AB``/``AW``) are not openings here: use
the game's ``handicap`` option.
"""

from __future__ import annotations

import random
from typing import Literal

LETTERS = "ABCDEFGHJKLMNOPQRST"
MAX_OPENINGS = 100_000


class SgfError(ValueError):
    """An SGF text that cannot be read; the message says why."""


def _trees(text: str) -> list[list[tuple[str, str]]]:
    """The main line of each game tree: its (property, value) pairs in order."""
    games: list[list[tuple[str, str]]] = []
    i, n = 0, len(text)
    depth = 0
    line: list[tuple[str, str]] = []
    done_below: int | None = None
    """The depth whose first variation ended: the rest of its variations are skipped."""
    name = ""
    while i < n:
        char = text[i]
        if char == "[":
            end = i + 1
            value = []
            while end < n and text[end] != "]":
                if text[end] == "\\" and end + 1 < n:
                    end += 1
                value.append(text[end])
                end += 1
            if end >= n:
                raise SgfError("an SGF value is not closed with ]")
            if done_below is None and depth >= 1:
                line.append((name, "".join(value)))
            i = end + 1
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise SgfError("an SGF text closes more trees than it opens")
            if depth == 0:
                games.append(line)
                line, done_below = [], None
            elif done_below is None:
                done_below = depth
        elif char.isupper():
            start = i
            while i < n and text[i].isupper():
                i += 1
            name = text[start:i]
            continue
        i += 1
    if depth != 0:
        raise SgfError("an SGF tree is not closed with )")
    return games


def vertex(point: str, size: int) -> str:
    """An SGF point (``dd``; empty or ``tt`` for a pass) as a GTP vertex (``D16``)."""
    if point == "" or (point == "tt" and size <= 19):
        return "pass"
    if len(point) != 2 or not all("a" <= c < chr(ord("a") + size) for c in point):
        raise SgfError(f"no point {point!r} on a {size}x{size} board")
    column, row = ord(point[0]) - ord("a"), ord(point[1]) - ord("a")
    return f"{LETTERS[column]}{size - row}"


def read_sgf(text: str, plies: int | None = None) -> list[str]:
    """One opening per game tree: its main line's moves, space-separated GTP vertices."""
    found = []
    for properties in _trees(text):
        size = 19
        moves = []
        for name, value in properties:
            if name == "SZ":
                try:
                    size = int(value.split(":")[0])
                except ValueError:
                    raise SgfError(f"bad board size SZ[{value}]") from None
            elif name in ("B", "W"):
                moves.append(vertex(value.strip(), size))
        if plies is not None:
            moves = moves[:plies]
        found.append(" ".join(moves))
        if len(found) > MAX_OPENINGS:
            raise SgfError(f"more than {MAX_OPENINGS} openings")
    return found


def suite(
    text: str,
    *,
    order: Literal["sequential", "random"] = "sequential",
    seed: int = 0,
    plies: int | None = None,
    start: int = 1,
    count: int | None = None,
) -> list[str]:
    """The openings of an SGF collection in play order (as the chess suites)."""
    openings = read_sgf(text, plies)
    if not openings:
        raise SgfError("the SGF suite holds no game")
    if not 1 <= start <= len(openings):
        raise SgfError(f"start must be from 1 to {len(openings)} (the suite's size)")
    openings = openings[start - 1 :]
    if order == "random":
        random.Random(seed).shuffle(openings)
    return openings if count is None else openings[: max(1, count)]

"""The per-game protocol docs stay true: every game has one, and its examples are real.

A JSON example in a game's doc is a fenced block whose info string starts
``json example=KIND`` and says how to reach it from the start of a round::

    ```json example=observation seat=1 moves=["d3"] options={} players=2 round=1 seed=0
    {...}
    ```

KIND is ``observation``, ``legal_actions`` (both for ``seat``, default 0) or
``view``. ``moves`` are played in order from the start: each one is the action
of the seat to act, or, when several seats act at once, a list of their actions
by seat. The other settings default as shown (``players``: 2, or the smallest
number the game allows). An observation or a list of legal actions must be
exactly what the game gives, as JSON on the wire; a view is checked key by key
for the keys the doc shows, so the game may add keys before the doc does.
"""

from __future__ import annotations

import importlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import pytest

from ringside import gamedocs
from ringside.games.base import Game
from ringside.games.registry import catalogue, get_game

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "games"
KINDS = ("observation", "view", "legal_actions")
FENCE = re.compile(
    r"^```json example=(?P<info>[^\n]*)\n(?P<body>.*?)^```$", re.DOTALL | re.MULTILINE
)


@dataclass
class Example:
    kind: str
    body: str
    settings: dict[str, Any] = field(default_factory=dict)
    line: int = 0

    def __str__(self) -> str:
        return f"line {self.line}: {self.kind} {self.settings}"


def doc_path(game: Game) -> Path:
    """``README.md`` in the game's own folder (``docs/games/NAME.md`` is its copy)."""
    module = importlib.import_module(type(game).__module__)
    folder = Path(module.__file__ or "").parent
    candidates = [folder / "README.md", DOCS / f"{game.name}.md"]
    if folder.name != game.name:
        candidates = candidates[:1]  # the games package itself: its README is not this game's
    for path in candidates:
        if path.is_file():
            return path
    return candidates[0]


def parse_settings(text: str) -> tuple[str, dict[str, Any]]:
    """``observation seat=1 moves=["a b"]`` -> ("observation", {"seat": 1, "moves": ["a b"]})."""
    kind, _, rest = text.partition(" ")
    decoder = json.JSONDecoder()
    settings: dict[str, Any] = {}
    rest = rest.strip()
    while rest:
        key, equals, rest = rest.partition("=")
        assert equals, f"expected key=value in {text!r}"
        value, end = decoder.raw_decode(rest)
        settings[key.strip()] = value
        rest = rest[end:].strip()
    return kind, settings


def examples(path: Path) -> list[Example]:
    text = path.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        kind, settings = parse_settings(match["info"].strip())
        line = text.count("\n", 0, match.start()) + 1
        found.append(Example(kind, match["body"], settings, line))
    return found


def reach(game: Game, settings: dict[str, Any]) -> Any:
    """The state an example describes: a round started as it says, its moves played."""
    known = {"seat", "moves", "options", "players", "round", "seed"}
    assert not set(settings) - known, f"unknown settings {set(settings) - known}"
    players = settings.get("players", 2 if 2 in game.players else game.players.start)
    state = game.start(
        players, settings.get("seed", 0), settings.get("options", {}), settings.get("round", 1)
    )
    for number, move in enumerate(settings.get("moves", []), 1):
        seats = list(game.to_act(state))
        assert seats, f"move {number} ({move!r}) comes after the end of the game"
        if len(seats) == 1:
            actions = {seats[0]: move}
        else:
            assert isinstance(move, list) and len(move) == len(seats), f"move {number}: {seats}"
            actions = dict(zip(seats, move, strict=True))
        state = game.apply(state, actions)
    return state


def on_the_wire(value: Any) -> Any:
    """What a bot reads: the value encoded as the server encodes it, then decoded."""
    return json.loads(msgspec.json.encode(value))


OWN_PAGES = [game for game in catalogue() if gamedocs.own_page(game)]
"""Games with a page of their own; a family is documented as a whole (tests/games/spiel)."""
GAMES = sorted(game.name for game in OWN_PAGES)


def test_every_game_has_a_doc_and_the_index_lists_it() -> None:
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    for name in GAMES:
        path = doc_path(get_game(name))
        assert path.is_file(), f"{name} has no protocol doc ({path})"
        if path.parent == DOCS:
            assert f"]({name}.md)" in index, f"docs/games/README.md does not link {name}.md"
    protocol = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
    assert "](games/README.md)" in protocol, "protocol.md links the game docs"


@pytest.mark.parametrize("name", GAMES)
def test_each_doc_shows_a_real_observation_view_and_legal_actions(name: str) -> None:
    game = get_game(name)
    found = examples(doc_path(game))
    kinds = {example.kind for example in found}
    assert kinds == set(KINDS), f"{name}: examples of {sorted(kinds)}; want each of {KINDS}"
    for example in found:
        state = reach(game, example.settings)
        shown = json.loads(example.body)
        seat = example.settings.get("seat", 0)
        if example.kind == "observation":
            assert shown == on_the_wire(game.observation(state, seat)), str(example)
        elif example.kind == "legal_actions":
            assert shown == on_the_wire(game.legal_actions(state, seat)), str(example)
        else:
            real = on_the_wire(game.view(state))
            assert isinstance(shown, dict), str(example)
            for key, value in shown.items():
                assert key in real, f"{example}: the view has no key {key!r}"
                assert value == real[key], f"{example}: view[{key!r}]"


@pytest.mark.parametrize("name", GAMES)
def test_each_doc_names_every_observation_key_and_option(name: str) -> None:
    """A key a bot receives, or an option a match may set, is explained in the doc."""
    game = get_game(name)
    text = doc_path(game).read_text(encoding="utf-8")
    observation = on_the_wire(game.observation(reach(game, {}), 0))
    keys = observation.keys() if isinstance(observation, dict) else ()
    schema = game.options_schema()
    options = next(iter(schema.get("$defs", {}).values()), {}).get("properties", {})
    for key in [*keys, *options]:
        assert f"| `{key}` |" in text, f"{name}: `{key}` has no row in a table of the doc"


def test_the_example_parser_reads_values_with_spaces() -> None:
    kind, settings = parse_settings('observation seat=1 options={"openings": ["e2e4 e7e5"]}')
    assert kind == "observation"
    assert settings == {"seat": 1, "options": {"openings": ["e2e4 e7e5"]}}


@pytest.mark.parametrize("game", OWN_PAGES, ids=lambda g: g.name)
def test_docs_games_holds_each_games_own_page(game: Game) -> None:
    """``docs/games/NAME.md`` is what ``make schema`` copies from the game's folder."""
    expected = gamedocs.rendered(game)
    assert expected is not None, f"{game.name} has no README.md in its folder"
    copy = DOCS / f"{game.name}.md"
    assert copy.is_file() and copy.read_text(encoding="utf-8") == expected, (
        f"{copy} is out of date: run `make schema`"
    )

"""The adapter's rules: options, observations, actions by number or name, chance, boards."""

from __future__ import annotations

from hashlib import blake2b
from typing import Any

import msgspec
import pytest

pytest.importorskip("pyspiel")

from ringside.games.base import IllegalAction, InvalidOptions
from ringside.games.registry import get_game
from ringside.games.spiel.game import SpielGame, SpielState


def spiel(name: str) -> SpielGame:
    game = get_game(f"spiel.{name}")
    assert isinstance(game, SpielGame)
    return game


def referee_seed(match_seed: int, round_number: int) -> int:
    return (match_seed * 1_000_003 + round_number) % 2**63


def play(game: SpielGame, state: SpielState, *actions: Any) -> SpielState:
    for action in actions:
        (seat,) = game.to_act(state)
        state = game.apply(state, {seat: action})
    return state


def test_game_type_follows_openspiel() -> None:
    kuhn = spiel("kuhn_poker").game_type
    assert kuhn.title == "Kuhn Poker" and kuhn.information == "imperfect" and kuhn.chance
    assert kuhn.players == range(2, 11) and not kuhn.simultaneous
    assert ("utility", "zero_sum") in kuhn.facts
    assert kuhn.package == "ringside.games.spiel" and kuhn.board == "board.js"
    assert spiel("matrix_rps").game_type.simultaneous
    assert spiel("matrix_rps").game_type.information == "imperfect"  # ONE_SHOT
    assert spiel("chess").game_type.seats == ("Black", "White")
    assert spiel("pathfinding").game_type.players == range(1, 2)


def test_options_are_the_parameters_and_bad_values_are_readable() -> None:
    hex_game = spiel("hex")
    fields = {f.encode_name for f in msgspec.structs.fields(hex_game.game_type.options)}
    assert {"board_size", "num_rows", "duplicate", "tensor"} <= fields
    assert "players" not in spiel("kuhn_poker").options_schema()["$defs"].popitem()[1]["properties"]
    with pytest.raises(InvalidOptions, match="board_size"):
        hex_game.start(2, 0, {"board_size": "big"})
    with pytest.raises(InvalidOptions, match="unknown field"):
        hex_game.start(2, 0, {"colour": 1})
    with pytest.raises(InvalidOptions, match="goofspiel: Unrecognized points_order"):
        spiel("goofspiel").start(2, 0, {"points_order": "sideways"})
    with pytest.raises(InvalidOptions, match=r"liars_dice: num_dice_rolled"):
        spiel("liars_dice").start(2, 0, {"numdice": 0})  # loads, fails at the deal
    # a parameter that is no Python name keeps its JSON name
    kriegspiel = spiel("kriegspiel")
    assert "50_move_rule" in str(kriegspiel.options_schema())
    kriegspiel.start(2, 0, {"50_move_rule": False})


def test_observation_has_the_contract_keys() -> None:
    game = spiel("kuhn_poker")
    state = game.start(2, referee_seed(1, 1), {})
    seen = game.observation(state, 0)
    assert set(seen) == {
        "game", "game_string", "seat", "observation", "information_state", "legal_names",
    }  # fmt: skip
    assert seen["game"] == "spiel.kuhn_poker" and seen["game_string"] == "kuhn_poker(players=2)"
    assert seen["legal_names"] == ["Pass", "Bet"] and game.legal_actions(state, 0) == [0, 1]
    assert game.legal_actions(state, 1) == []
    tensor = game.observation(game.start(2, 0, {"tensor": True}), 0)
    assert isinstance(tensor["tensor"], list) and tensor["tensor"]
    ttt = spiel("tic_tac_toe")
    state = play(ttt, ttt.start(2, 0, {}), 4, 0)
    assert ttt.observation(state, 0)["history"] == [4, 0]


def test_actions_by_number_or_exact_name_and_readable_refusals() -> None:
    game = spiel("kuhn_poker")
    state = game.start(2, 0, {})
    assert game.to_act(play(game, state, "Bet")) == (1,)
    assert game.to_act(play(game, state, 1)) == (1,)
    for bad in ("bet", 2, True, 1.0, None, [1]):
        with pytest.raises(IllegalAction, match=r"0 \(Pass\), 1 \(Bet\)"):
            game.apply(state, {0: bad})


def test_chance_follows_the_contract_formula() -> None:
    game = spiel("kuhn_poker")
    seed = referee_seed(42, 1)
    state = game.start(2, seed, {})
    cards = [s["action"] for s in state.steps if s.get("chance")]
    expected = []
    deck = [0, 1, 2]
    for k in range(2):
        u = int.from_bytes(blake2b(f"{seed}:{k}".encode(), digest_size=8).digest(), "big")
        u /= 2**64
        expected.append(deck[min(int(u * len(deck)), len(deck) - 1)])
        deck.remove(expected[-1])
    assert cards == expected


def deal(game: SpielGame, match_seed: int, round_number: int, options: dict[str, Any]) -> list:
    state = game.start(2, referee_seed(match_seed, round_number), options, round_number)
    return [s["action"] for s in state.steps if s.get("chance")]


def test_duplicate_pairs_rounds_on_the_same_deal() -> None:
    game = spiel("leduc_poker")
    dup = {"duplicate": True}
    for match_seed in range(5):
        assert deal(game, match_seed, 1, dup) == deal(game, match_seed, 2, dup)
        assert deal(game, match_seed, 3, dup) == deal(game, match_seed, 4, dup)
    assert any(deal(game, s, 1, dup) != deal(game, s, 3, dup) for s in range(5))
    assert any(deal(game, s, 1, {}) != deal(game, s, 2, {}) for s in range(5))


def test_scores_are_returns_normalised() -> None:
    game = spiel("kuhn_poker")
    state = play(game, game.start(2, 0, {}), "Bet", "Pass")
    assert game.is_over(state) and game.to_act(state) == ()
    assert game.scores(state) == [0.75, 0.25]  # returns 1, -1 within the bounds -2..2
    assert game.view(state)["returns"] == [1.0, -1.0]


def test_simultaneous_seats_are_asked_together() -> None:
    game = spiel("matrix_rps")
    state = game.start(2, 0, {})
    assert game.to_act(state) == (0, 1)
    over = game.apply(state, {0: "Rock", 1: 2})
    assert game.is_over(over) and game.scores(over) == [1.0, 0.0]  # rock blunts scissors
    assert [s["name"] for s in game.revealed_view(over)["history"]] == ["Rock", "Scissors"]


def test_public_view_hides_actions_until_the_end() -> None:
    game = spiel("kuhn_poker")
    state = play(game, game.start(2, 0, {}), "Bet")
    view = game.view(state)
    assert view["public"] is True
    assert all(s["action"] is None and s["name"] is None for s in view["history"])
    assert game.public_action(state, 0, 1) is None
    revealed = game.revealed_view(state)
    assert revealed["public"] is False and revealed["history"][-1]["name"] == "Bet"
    ttt = spiel("tic_tac_toe")
    assert ttt.public_action(ttt.start(2, 0, {}), 0, 4) == 4


def test_hex_board_is_row_major_with_x_top_bottom() -> None:
    game = spiel("hex")
    state = play(game, game.start(2, 0, {"board_size": 5}), 0, 7)
    board = game.view(state)["board"]
    assert board["kind"] == "hex" and (board["rows"], board["cols"]) == (5, 5)
    assert board["cells"][0] == "x" and board["cells"][7] == "o"
    assert board["cells"].count("") == 23
    assert board["goals"] == ["top-bottom", "left-right"]


def test_breakthrough_board_has_black_on_top() -> None:
    game = spiel("breakthrough")
    board = game.view(game.start(2, 0, {}))["board"]
    assert board["rows"] == board["cols"] == 8
    assert board["cells"][:16] == ["b"] * 16 and board["cells"][-16:] == ["w"] * 16
    assert board["labels"] == {"b": "Black", "w": "White"}


def test_backgammon_board_from_seat_zero() -> None:
    game = spiel("backgammon")
    state = game.start(2, 0, {})
    board = game.view(state)["board"]
    points = board["points"]
    assert len(points) == 24 and board["bar"] == [0, 0] and board["off"] == [0, 0]
    # the standard start, seat 0's points counted from its home: 6, 8, 13, 24
    assert (points[5], points[7], points[12], points[23]) == (5, 3, 5, 2)
    assert (points[18], points[16], points[11], points[0]) == (-5, -3, -5, -2)
    assert len(board["dice"]) == 2 and all(1 <= d <= 6 for d in board["dice"])


def test_a_wrong_player_count_is_refused() -> None:
    with pytest.raises(InvalidOptions, match="played by 2"):
        spiel("hex").start(3, 0, {})

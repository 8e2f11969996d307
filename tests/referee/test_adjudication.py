"""Adjudication on simulated time: scripted bots report scores in their actions' info and
the referee ends the round by cutechess's resign and draw rules, or at ``max_plies``."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_match import Scripted, of_type, play

from ringside.export import export
from ringside.local import Reply, Simulation
from ringside.protocol.codec import encode
from ringside.protocol.messages import (
    Action,
    Error,
    Forfeit,
    MatchEvent,
    Move,
    MoveInfo,
    PerMove,
    Request,
    RoundResult,
)
from ringside.referee.adjudication import Adjudication, Adjudicator, DrawRule, ResignRule
from ringside.referee.config import MatchConfig
from ringside.referee.match import Match, MatchConfigError
from ringside.referee.restore import rebuild

Scores = Callable[[int], dict[str, Any] | None]
"""The info a bot gives with its n-th move of a round (0 first)."""


def scoring(said: Scores) -> Scripted:
    """Plays a legal action and reports ``said(n)`` with its n-th move of the round."""
    made: dict[tuple[int, int], int] = {}

    def script(request: Request) -> Reply:
        n = made.get((request.round, request.seat), 0)
        made[(request.round, request.seat)] = n + 1
        legal = request.legal_actions or [None]
        action = legal[(2 * n + request.seat) * 7 % len(legal)]  # a long chess game
        return Reply(Action(request.match, request.id, action, said(n)), 0.1)

    return Scripted(script)


def always(score: float | None = None, **more: Any) -> Scripted:
    info = {"score": score, **more} if score is not None else (more or None)
    return scoring(lambda n: info)


def adjudicated(rules: Adjudication, white: Scripted, black: Scripted, **more: Any) -> Any:
    return play([white, black], game=more.pop("game", "chess"), adjudication=rules, **more)


RESIGN = Adjudication(resign=ResignRule(movecount=3, score=600))
TWO_SIDED = Adjudication(resign=ResignRule(movecount=3, score=600, twosided=True))


def test_resign_adjudication_names_the_rule_and_figures() -> None:
    result, sim = adjudicated(RESIGN, always(20), always(-700))
    (forfeit,) = of_type(sim, Forfeit)
    verdict = forfeit.verdict
    assert verdict.code == "adjudicated"
    assert (verdict.player, verdict.bot, verdict.seat) == (1, "bot1", 1)
    assert verdict.message == "resign adjudication: bot1 (black) scored ≤ -600 cp for 3 moves"
    assert len(of_type(sim, Move)) == 6  # black's third move ends it
    assert result.scores == [1.0, 0.0] and result.winner == "bot0"
    assert result.verdict is None  # no one broke a rule: not the match's verdict
    assert result.rounds[0].verdicts == [verdict]
    assert [m for _, m in sim.sent if isinstance(m, Error)] == []  # no error to anyone


def test_two_sided_needs_the_winner_to_agree() -> None:
    capped = Adjudication(resign=TWO_SIDED.resign, max_plies=20)
    _, sim = adjudicated(capped, always(100), always(-700))
    (forfeit,) = of_type(sim, Forfeit)
    assert forfeit.verdict.message.startswith("max_plies adjudication")
    result, sim = adjudicated(TWO_SIDED, always(650), always(-700))
    (forfeit,) = of_type(sim, Forfeit)
    assert forfeit.verdict.message == (
        "resign adjudication: bot1 (black) scored ≤ -600 cp for 3 moves"
        " and bot0 (white) ≥ +600 cp (two-sided)"
    )
    assert result.scores == [1.0, 0.0]


def test_white_resigns_too() -> None:
    result, sim = adjudicated(RESIGN, always(-601), always(0))
    assert of_type(sim, Forfeit)[0].verdict.bot == "bot0"
    assert len(of_type(sim, Move)) == 5  # white's third move
    assert result.scores == [0.0, 1.0]


def test_a_move_without_a_score_breaks_the_run() -> None:
    gaps = scoring(lambda n: None if n == 2 else {"score": -900})
    _, sim = adjudicated(RESIGN, always(0), gaps)
    assert len(of_type(sim, Move)) == 12  # moves 1, 2; none; 4, 5, 6


def test_a_mate_score_is_beyond_any_threshold() -> None:
    rules = Adjudication(resign=ResignRule(movecount=2, score=100_000))
    result, sim = adjudicated(rules, always(mate=5), always(mate=-4))
    assert len(of_type(sim, Move)) == 4
    assert result.scores == [1.0, 0.0]


def test_draw_adjudication_after_move_m() -> None:
    rules = Adjudication(draw=DrawRule(movenumber=10, movecount=3, score=10))
    result, sim = adjudicated(rules, always(5), always(-10))
    (forfeit,) = of_type(sim, Forfeit)
    verdict = forfeit.verdict
    assert (verdict.code, verdict.player, verdict.bot, verdict.seat) == (
        "adjudicated",
        None,
        None,
        None,
    )
    assert verdict.message == (
        "draw adjudication: both scored within ±10 cp for 3 moves each, after move 10"
    )
    assert len(of_type(sim, Move)) == 20
    assert result.scores == [0.5, 0.5] and result.winner is None


def test_one_score_out_of_the_window_restarts_the_draw_count() -> None:
    rules = Adjudication(draw=DrawRule(movenumber=0, movecount=3, score=10))
    _, sim = adjudicated(rules, always(0), scoring(lambda n: {"score": 50 if n == 1 else 0}))
    assert len(of_type(sim, Move)) == 4 + 6  # the run restarts after black's second move


def test_max_plies_in_chess_is_a_draw() -> None:
    result, sim = adjudicated(Adjudication(max_plies=7), always(), always())
    assert len(of_type(sim, Move)) == 7
    assert result.scores == [0.5, 0.5]
    assert of_type(sim, Forfeit)[0].verdict.message == (
        "max_plies adjudication: 7 plies played; a draw (the game has no score before its end)"
    )


def test_max_plies_in_go_is_the_area_score() -> None:
    def first_point(request: Request) -> Reply:
        point = next(a for a in request.legal_actions or [] if a != "pass")
        return Reply(Action(request.match, request.id, point), 0.1)

    def passing(request: Request) -> Reply:
        return Reply(Action(request.match, request.id, "pass"), 0.1)

    rules = Adjudication(max_plies=3)
    result, sim = play(
        [Scripted(first_point), Scripted(passing)], game="go", adjudication=rules, rounds=1
    )
    verdict = of_type(sim, Forfeit)[0].verdict
    assert verdict.message == (
        "max_plies adjudication: 3 plies played; scored by the game as it stands: 1–0"
    )
    assert (verdict.bot, verdict.seat) == ("bot1", 1)
    assert result.scores == [1.0, 0.0]


def test_the_game_ending_on_the_capped_ply_keeps_its_own_result() -> None:
    # tic-tac-toe by first legal cells: X wins on the 7th ply (0, 1, 2 ... the diagonal 2-4-6)
    _, plain = play([always(), always()])
    plies = len(of_type(plain, Move))
    _, sim = play([always(), always()], adjudication=Adjudication(max_plies=plies))
    assert of_type(sim, Forfeit) == []
    assert of_type(sim, RoundResult)[0].scores == of_type(plain, RoundResult)[0].scores


def test_the_match_goes_on_and_both_bots_say_ok() -> None:
    white, black = always(0), always(-700)
    result, _ = adjudicated(RESIGN, white, black, rounds=2)
    assert result.status == "finished" and len(result.rounds) == 2
    # Round 2 swaps the seats: bot1 is white and still reports -700, so it resigns again.
    assert [r.scores for r in result.rounds] == [[1.0, 0.0], [0.0, 1.0]]
    assert result.scores == [2.0, 0.0] and result.verdict is None
    oks = [m for m in white.received + black.received if type(m).__name__ == "RoundEnd"]
    assert len(oks) == 4


def test_the_page_and_the_store_read_an_adjudicated_draw() -> None:
    rules = Adjudication(draw=DrawRule(movecount=1, score=10))
    _, sim = adjudicated(rules, always(0), always(0))
    wire = [msgspec.json.decode(encode(e)) for e in sim.events]
    forfeit = next(e for e in wire if e["type"] == "forfeit")
    assert forfeit["verdict"]["player"] is None and forfeit["verdict"]["bot"] is None


def pgn_of(events: Sequence[MatchEvent]) -> str:
    wire = [msgspec.json.decode(encode(e)) for e in events]
    return export("pgn", wire)


def test_pgn_says_adjudication_with_the_reason() -> None:
    _, sim = adjudicated(RESIGN, always(20), always(-700))
    pgn = pgn_of(sim.events)
    assert '[Termination "adjudication"]' in pgn and '[Result "1-0"]' in pgn
    assert "resign adjudication: bot1 (black) scored ≤ -600 cp for 3 moves" in pgn
    assert "forfeits" not in pgn
    rules = Adjudication(draw=DrawRule(movecount=2, score=10))
    _, sim = adjudicated(rules, always(0), always(0))
    pgn = pgn_of(sim.events)
    assert '[Termination "adjudication"]' in pgn and '[Result "1/2-1/2"]' in pgn


def test_sgf_names_the_adjudication() -> None:
    rules = Adjudication(max_plies=2)
    _, sim = play([always(), always()], game="go", adjudication=rules)
    wire = [msgspec.json.decode(encode(e)) for e in sim.events]
    sgf = export("sgf", wire)
    assert "max_plies adjudication: 2 plies played" in sgf
    assert "GC[Rules: " in sgf  # the rules first, then the adjudication


@pytest.mark.parametrize(
    ("rules", "players", "message"),
    [
        (
            {"resign": {"movecount": 0}},
            2,
            "Expected `int` >= 1 - at `$.adjudication.resign.movecount`",
        ),
        ({"draw": {"score": -1}}, 2, "Expected `float` >= 0.0 - at `$.adjudication.draw.score`"),
        ({"max_plies": 0}, 2, "Expected `int` >= 1 - at `$.adjudication.max_plies`"),
        ({"resign": {"movecnt": 3}}, 2, "Object contains unknown field `movecnt`"),
        ({"resign": {}}, 3, "resign and draw adjudication are for games of two players"),
    ],
)
def test_bad_rules_are_refused_clearly(rules: dict[str, Any], players: int, message: str) -> None:
    body = {"game": "counting", "bots": [f"b{i}" for i in range(players)], "adjudication": rules}
    with pytest.raises((msgspec.ValidationError, MatchConfigError)) as caught:
        Match("m", msgspec.convert(body, MatchConfig))
    assert message in str(caught.value)


def test_max_plies_alone_suits_any_number_of_players() -> None:
    result, sim = play(
        [always(), always(), always()], game="counting", adjudication=Adjudication(max_plies=4)
    )
    assert len(of_type(sim, Move)) == 4 and result.scores == [0.5, 0.5, 0.5]
    assert of_type(sim, Forfeit)[0].verdict.player is None


def test_a_match_with_an_adjudicated_round_is_rebuilt() -> None:
    config = MatchConfig(
        game="chess",
        bots=["bot0", "bot1"],
        rounds=2,
        time_control=PerMove(seconds=5.0),
        adjudication=RESIGN,
    )
    sim = Simulation(Match("m", config), [always(0), always(-700)])
    sim.run()
    wire = [msgspec.json.decode(encode(e)) for e in sim.events]
    cut = [i for i, e in enumerate(wire) if e["type"] == "move" and e["round"] == 2][1]
    match = rebuild("m", config, wire[: cut + 1], now=100.0)
    assert match.round == 2 and match.ply == 2
    assert [v.code for v in match.round_scores[0].verdicts] == ["adjudicated"]


# --- the rules against a model of cutechess's -------------------------------------------


def model(scores: Sequence[float | None], rules: Adjudication) -> int | None:
    """The ply (1-based) at which cutechess's rules stop a game, seats alternating."""
    resign, draw = rules.resign, rules.draw
    for ply in range(1, len(scores) + 1):
        seen = scores[:ply]
        if resign is not None:
            for seat in (0, 1):
                own = [s for i, s in enumerate(seen) if i % 2 == seat][-resign.movecount :]
                other = [s for i, s in enumerate(seen) if i % 2 != seat][-resign.movecount :]
                lost = len(own) == resign.movecount and all(
                    s is not None and s <= -resign.score for s in own
                )
                agreed = len(other) == resign.movecount and all(
                    s is not None and s >= resign.score for s in other
                )
                if lost and (agreed or not resign.twosided):
                    return ply
        if draw is not None and ply // 2 >= draw.movenumber:
            window = seen[-2 * draw.movecount :]
            if len(window) == 2 * draw.movecount and all(
                s is not None and abs(s) <= draw.score for s in window
            ):
                return ply
    return None


figures = st.one_of(st.none(), st.sampled_from([-math.inf, math.inf]), st.integers(-900, 900))


@settings(max_examples=300, deadline=None)
@given(
    scores=st.lists(figures.map(lambda x: None if x is None else float(x)), max_size=40),
    movecount=st.integers(1, 4),
    threshold=st.sampled_from([0, 10, 300, 600]),
    twosided=st.booleans(),
    movenumber=st.integers(0, 10),
    which=st.sampled_from(["resign", "draw", "both"]),
)
def test_the_adjudicator_follows_the_model(
    scores: list[float | None],
    movecount: int,
    threshold: int,
    twosided: bool,
    movenumber: int,
    which: str,
) -> None:
    resign = ResignRule(movecount=movecount, score=threshold, twosided=twosided)
    draw = DrawRule(movenumber=movenumber, movecount=movecount, score=threshold)
    rules = Adjudication(
        resign=resign if which != "draw" else None, draw=draw if which != "resign" else None
    )
    judge = Adjudicator(rules)
    stopped = None
    for ply, score in enumerate(scores, start=1):
        if score is None:
            info = None
        elif math.isinf(score):
            info = {"mate": 3 if score > 0 else -3}
        else:
            info = {"score": score}
        judge.note((ply - 1) % 2, None if info is None else msgspec.convert(info, MoveInfo))
        if judge.decide(ply, "wb".__getitem__) is not None:
            stopped = ply
            break
    assert stopped == model(scores, rules)

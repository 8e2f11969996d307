"""A bot's ``concede``: ``crashed`` loses the round at once, ``leaving`` the rest of the match."""

from __future__ import annotations

from ringside.protocol.messages import (
    Action,
    Concede,
    Error,
    Forfeit,
    MatchResult,
    Ok,
    PerMove,
    Prepare,
    Ready,
    Request,
    RoundEnd,
)
from ringside.referee import Match, MatchConfig
from ringside.referee.match import Output, Publish, Send


def sent(outputs: list[Output], player: int, kind: type) -> list:  # type: ignore[type-arg]
    return [o.message for o in outputs if isinstance(o, Send) and o.player == player
            and isinstance(o.message, kind)]  # fmt: skip


def published(outputs: list[Output], kind: type) -> list:  # type: ignore[type-arg]
    return [o.event for o in outputs if isinstance(o, Publish) and isinstance(o.event, kind)]


def finish(match: Match, out: list[Output], player: int) -> list[Output]:
    """``player`` answers the round's end: the result follows."""
    (end,) = sent(out, player, RoundEnd)
    return out + match.receive(player, Ok("m", end.id), 1.0)


def started(rounds: int = 1, forfeit: str = "match") -> tuple[Match, list[Output]]:
    """A tic-tac-toe match in play: bot0 is asked for the first move."""
    config = MatchConfig(
        game="tictactoe",
        bots=["bot0", "bot1"],
        rounds=rounds,
        time_control=PerMove(seconds=5.0),
        forfeit=forfeit,  # type: ignore[arg-type]
    )
    match = Match("m", config)
    first = match.start(0.0)
    prepares = [sent(first, player, Prepare)[0] for player in (0, 1)]
    out: list[Output] = []
    for player, prepare in enumerate(prepares):
        out += match.receive(player, Ready("m", prepare.id), 0.1)
    return match, out


def test_a_crash_during_its_own_move_is_a_crashed_verdict_with_the_reason() -> None:
    match, _ = started()
    out = finish(match, match.receive(0, Concede("m", "engine killed by SIGKILL"), 0.2), 1)
    (forfeit,) = published(out, Forfeit)
    verdict = forfeit.verdict
    assert (verdict.code, verdict.bot) == ("crashed", "bot0")
    assert verdict.message == "engine killed by SIGKILL"
    (result,) = published(out, MatchResult)
    assert result.winner == "bot1" and result.verdict == verdict
    assert [e.code for e in sent(out, 0, Error)] == ["crashed"]


def test_a_crash_on_the_opponents_turn_loses_at_once() -> None:
    match, out = started()
    (request,) = sent(out, 0, Request)
    out = match.receive(0, Action("m", request.id, 4), 0.2)
    assert sent(out, 1, Request), "bot1 is to move"
    out = match.receive(0, Concede("m", "engine exited with code 3", round=1), 0.3)
    out = finish(match, out, 1)
    (result,) = published(out, MatchResult)
    assert result.winner == "bot1" and result.verdict is not None
    assert result.verdict.code == "crashed"


def test_a_crash_costs_only_the_round_with_forfeit_round() -> None:
    match, _ = started(rounds=2, forfeit="round")
    out = match.receive(0, Concede("m", "garbage"), 0.2)
    assert not published(out, MatchResult)
    assert match.round == 1 and match.phase == "ending"
    assert 0 not in match.gone, "a fresh engine plays the next round"


def test_leaving_is_a_disconnected_verdict_without_waiting_for_the_grace() -> None:
    match, _ = started(rounds=3, forfeit="round")
    out = match.receive(1, Concede("m", "the bridge was stopped (SIGTERM)", "leaving"), 0.2)
    (forfeit,) = published(out, Forfeit)
    assert forfeit.verdict.code == "disconnected"
    assert forfeit.verdict.message == "the bridge was stopped (SIGTERM)"
    assert 1 in match.gone


def test_a_concession_for_an_earlier_round_is_ignored() -> None:
    match, _ = started(rounds=2, forfeit="round")
    match.receive(0, Concede("m", "first crash"), 0.2)
    # round 1 ends; the late concession of round 1 must not cost round 2
    out = match.receive(0, Concede("m", "first crash", round=1), 0.3)
    assert not published(out, Forfeit)


def test_the_reason_is_one_clean_line() -> None:
    match, _ = started()
    out = match.receive(0, Concede("m", "  killed\nby   SIGKILL  " + "x" * 500), 0.2)
    (forfeit,) = published(out, Forfeit)
    text = forfeit.verdict.message
    assert "\n" not in text and text.startswith("killed by SIGKILL x")
    assert len(text) == 200

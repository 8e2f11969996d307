"""The referee state machine, driven on simulated time by ringside.local."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ringside.local import PolitePlayer, Reply, Simulation
from ringside.protocol.messages import (
    Action,
    ByoYomi,
    Error,
    Fischer,
    Forfeit,
    MatchResult,
    Move,
    Ok,
    PerMove,
    Prepare,
    Ready,
    Request,
    RoundEnd,
    RoundResult,
    SeatBack,
    SeatDropped,
    ServerMessage,
    TimeControl,
)
from ringside.referee import Match, MatchConfig, MatchConfigError
from ringside.referee.match import Publish, Send


def first_legal(delay: float = 0.0) -> PolitePlayer:
    return PolitePlayer(lambda request: (request.legal_actions[0], delay))  # type: ignore[index]


class Scripted:
    """A polite player whose answer to a request is decided by ``script``."""

    def __init__(self, script: Callable[[Request], Reply | None]) -> None:
        self.script = script
        self.requests: list[Request] = []
        self.received: list[ServerMessage] = []

    def on_message(self, message: ServerMessage) -> Reply | None:
        self.received.append(message)
        if isinstance(message, Prepare):
            return Reply(Ready(message.match, message.id))
        if isinstance(message, RoundEnd):
            return Reply(Ok(message.match, message.id))
        if isinstance(message, Request):
            self.requests.append(message)
            return self.script(message)
        return None


def answer(request: Request, action: Any, after: float = 0.0) -> Reply:
    return Reply(Action(request.match, request.id, action), after)


def play(
    bots: list[Any],
    game: str = "tictactoe",
    rounds: int = 1,
    time_control: TimeControl | None = None,
    **settings: Any,
) -> tuple[MatchResult, Simulation]:
    names = [f"bot{i}" for i in range(len(bots))]
    config = MatchConfig(
        game=game,
        bots=names,
        rounds=rounds,
        time_control=time_control or PerMove(seconds=5.0),
        **settings,
    )
    simulation = Simulation(Match("m", config), bots)
    return simulation.run(), simulation


def of_type(simulation: Simulation, kind: type) -> list[Any]:
    return [e for e in simulation.events if isinstance(e, kind)]


def test_two_round_match_rotates_seats_and_totals_scores() -> None:
    result, sim = play([first_legal(), first_legal()], rounds=2)
    assert result.status == "finished"
    assert [r.players for r in result.rounds] == [[0, 1], [1, 0]]
    # First-legal play: X wins on the 2-4-6 diagonal at ply 7; X is bot0 then bot1.
    assert [r.scores for r in result.rounds] == [[1.0, 0.0], [1.0, 0.0]]
    assert result.scores == [1.0, 1.0]
    assert result.winner is None
    kinds = [type(e).__name__ for e in sim.events]
    assert kinds[0] == "MatchStarted" and kinds[-1] == "MatchResult"
    assert kinds.count("RoundResult") == 2 and kinds.count("RoundStarted") == 2
    moves = of_type(sim, Move)
    assert [m.ply for m in moves if m.round == 1] == [1, 2, 3, 4, 5, 6, 7]
    ids = [m.id for _, m in sim.sent if hasattr(m, "id") and not isinstance(m, Error)]
    assert ids == sorted(set(ids)), "every request id is new"


def test_every_request_carries_the_clock() -> None:
    bots = [Scripted(lambda r: answer(r, r.legal_actions[0], 1.0)) for _ in range(2)]  # type: ignore[index]
    play(bots, time_control=PerMove(seconds=5.0))
    first = bots[0].requests[0]
    assert first.clock.move_time == 5.0 and first.clock.remaining == 5.0
    assert first.clock.seats == [5.0, 5.0]


def test_timeout_forfeits_the_match_by_default() -> None:
    slow = Scripted(lambda r: answer(r, r.legal_actions[0], 6.0))  # type: ignore[index]
    result, sim = play([first_legal(), slow], rounds=3, time_control=PerMove(seconds=5.0))
    assert result.verdict is not None
    assert (result.verdict.code, result.verdict.bot, result.verdict.seat) == ("timeout", "bot1", 1)
    assert result.winner == "bot0"
    assert len(result.rounds) == 1
    assert result.rounds[0].scores == [1.0, 0.0]
    assert any(isinstance(m, Error) and m.code == "timeout" for m in slow.received)
    # The timer found the timeout at deadline + margin, before the late answer arrived.
    forfeit = of_type(sim, Forfeit)[0]
    assert forfeit.verdict.code == "timeout"
    assert forfeit.verdict.message == "bot1 ran out of time (per_move clock)", "named, not a seat"


def test_time_margin_forgives_a_small_overrun() -> None:
    bots = [Scripted(lambda r: answer(r, r.legal_actions[0], 5.05)) for _ in range(2)]  # type: ignore[index]
    result, _ = play(bots, time_control=PerMove(seconds=5.0), time_margin=0.1)
    assert result.verdict is None and result.status == "finished"


def test_late_answer_is_ignored_and_never_applied_twice() -> None:
    slow = Scripted(lambda r: answer(r, r.legal_actions[0], 6.0))  # type: ignore[index]
    result, sim = play(
        [first_legal(), slow], rounds=2, time_control=PerMove(seconds=5.0), forfeit="round"
    )
    late = [m for m in slow.received if isinstance(m, Error) and m.code == "late_answer"]
    assert late, "the late action is answered with a late_answer error"
    assert len(result.rounds) == 2
    # bot1 flagged in both rounds; its late actions never became moves.
    assert all(m.bot == "bot0" for m in of_type(sim, Move))
    assert result.scores == [2.0, 0.0] and result.winner == "bot0"


def test_forfeit_round_lets_the_match_go_on() -> None:
    calls = {"n": 0}

    def sometimes_illegal(request: Request) -> Reply:
        calls["n"] += 1
        return answer(request, 99 if calls["n"] == 1 else request.legal_actions[0])  # type: ignore[index]

    result, _ = play([first_legal(), Scripted(sometimes_illegal)], rounds=2, forfeit="round")
    assert result.verdict is None
    assert result.rounds[0].verdicts[0].code == "illegal_action"
    assert result.rounds[1].verdicts == []
    assert result.rounds[1].scores == [1.0, 0.0]  # bot1 sat first in round 2 and won
    assert result.scores == [1.0, 1.0]


def test_illegal_action_carries_the_games_reason() -> None:
    def take_cell_zero(request: Request) -> Reply:
        return answer(request, 0)

    result, _ = play([first_legal(), Scripted(take_cell_zero)])
    assert result.verdict is not None
    assert result.verdict.code == "illegal_action"
    assert "cell 0 is taken by X" in result.verdict.message
    assert result.winner == "bot0"


def test_not_ready() -> None:
    class Silent:
        def on_message(self, message: ServerMessage) -> Reply | None:
            return None

    result, sim = play([first_legal(), Silent()], ready_timeout=3.0)
    assert result.verdict is not None and result.verdict.code == "not_ready"
    assert result.winner == "bot0"
    assert sim.now == pytest.approx(3.0), "the silent loser's ok is not waited for"


class Hung(Scripted):
    """Answers nothing once asked to move: a bot whose program hangs mid-game."""

    def __init__(self) -> None:
        super().__init__(lambda request: None)


def test_a_hung_loser_is_not_waited_for() -> None:
    """The verdict and the result come at the deadline, not ok_timeout after it."""
    hung, winner = Hung(), Scripted(lambda r: answer(r, r.legal_actions[0], 1.0))  # type: ignore[index]
    result, sim = play([winner, hung], time_control=PerMove(seconds=5.0), ok_timeout=5.0)
    assert result.verdict is not None and result.verdict.code == "timeout"
    assert result.winner == "bot0"
    # bot0 moved at 1.0; bot1's 5 s ran out at 6.0 (+ the default 0.1 s margin).
    assert sim.now == pytest.approx(6.1)
    assert any(isinstance(m, RoundEnd) for m in winner.received), "the winner still says ok"
    assert not any(isinstance(m, RoundEnd) for m in hung.received)
    assert [type(m).__name__ for m in hung.received[-3:]] == ["Error", "RoundResult", "MatchResult"]


@pytest.mark.parametrize("code", ["timeout", "illegal_action"])
def test_an_offender_plays_the_next_round_unasked_for_ok(code: str) -> None:
    """With forfeit "round", a round lost to a verdict ends without the offender's ok."""
    offences = {"n": 0}

    def offend_once(request: Request) -> Reply:
        offences["n"] += 1
        if offences["n"] > 1:
            return answer(request, request.legal_actions[0])  # type: ignore[index]
        return (
            answer(request, request.legal_actions[0], 9.0)
            if code == "timeout"
            else answer(request, 99)
        )

    offender = Scripted(offend_once)
    result, sim = play(
        [first_legal(), offender], rounds=2, forfeit="round", ok_timeout=30.0, ready_timeout=30.0
    )
    assert [v.code for v in result.rounds[0].verdicts] == [code]
    assert result.rounds[1].verdicts == [] and result.verdict is None
    round_ends = [m.round for m in offender.received if isinstance(m, RoundEnd)]
    assert round_ends == [2], "asked for ok after the round it played, not the one it lost"
    assert sim.now < 30.0, "nobody waited out ok_timeout"


def test_missing_ok_does_not_cost_the_round() -> None:
    class NoOk(Scripted):
        def on_message(self, message: ServerMessage) -> Reply | None:
            return None if isinstance(message, RoundEnd) else super().on_message(message)

    result, _ = play([NoOk(lambda r: answer(r, r.legal_actions[0])), first_legal()], ok_timeout=2.0)  # type: ignore[index]
    assert result.verdict is None and result.scores == [1.0, 0.0]


def test_protocol_error_is_a_verdict() -> None:
    bots = [first_legal(1.0), first_legal(1.0)]
    sim = Simulation(Match("m", MatchConfig(game="tictactoe", bots=["a", "b"])), bots)
    sim.at(2.5, lambda now: sim.match.protocol_error(1, "malformed_json: line 1", now))
    result = sim.run()
    assert result.verdict is not None
    assert (result.verdict.code, result.verdict.bot) == ("protocol_error", "b")
    assert "malformed_json" in result.verdict.message


def test_disconnect_without_return_is_a_verdict_after_the_grace() -> None:
    bots = [first_legal(1.0), first_legal(1.0)]
    config = MatchConfig(game="tictactoe", bots=["a", "b"], reconnect_grace=3.0)
    sim = Simulation(Match("m", config), bots)
    sim.disconnect(1, when=1.5)
    result = sim.run()
    assert result.verdict is not None
    assert (result.verdict.code, result.verdict.bot) == ("disconnected", "b")
    assert sim.now == pytest.approx(4.5)
    assert result.winner == "a"


def test_clock_keeps_running_during_the_grace() -> None:
    bots = [first_legal(1.0), first_legal(1.0)]
    config = MatchConfig(
        game="tictactoe",
        bots=["a", "b"],
        reconnect_grace=30.0,
        time_control=PerMove(seconds=5.0),
        time_margin=0.0,
    )
    sim = Simulation(Match("m", config), bots)
    sim.disconnect(1, when=0.5)  # bot b's first request goes out at t=1 while it is away
    result = sim.run()
    assert result.verdict is not None and result.verdict.code == "timeout"
    assert sim.now == pytest.approx(6.0)


def test_reconnect_within_grace_resumes_with_the_same_request() -> None:
    bot_b = Scripted(lambda r: answer(r, r.legal_actions[0], 1.0))  # type: ignore[index]
    config = MatchConfig(game="tictactoe", bots=["a", "b"], reconnect_grace=5.0, rounds=2)
    sim = Simulation(Match("m", config), [first_legal(1.0), bot_b])
    sim.disconnect(1, when=0.5, back_at=2.0)
    result = sim.run()
    assert result.status == "finished" and result.verdict is None
    assert len(result.rounds) == 2
    first = bot_b.requests[0]
    assert first.clock.move_time == pytest.approx(9.0), "the clock ran while b was away"
    assert not [m for m in bot_b.received if isinstance(m, Error)]


def test_spectators_see_a_bot_drop_and_come_back() -> None:
    bot_b = Scripted(lambda r: answer(r, r.legal_actions[0], 1.0))  # type: ignore[index]
    config = MatchConfig(
        game="tictactoe", bots=["a", "b"], reconnect_grace=5.0, time_control=PerMove(seconds=10.0)
    )
    sim = Simulation(Match("m", config), [first_legal(1.0), bot_b])
    sim.disconnect(1, when=1.5, back_at=2.0)  # b's first request went out at t=1
    result = sim.run()
    assert result.verdict is None
    (dropped,) = of_type(sim, SeatDropped)
    assert (dropped.round, dropped.player, dropped.bot, dropped.seat) == (1, 1, "b", 1)
    assert dropped.grace_seconds == 5.0
    assert dropped.clocks == [pytest.approx(10.0), pytest.approx(9.5)], "b's clock was running"
    (back,) = of_type(sim, SeatBack)
    assert (back.round, back.player, back.bot, back.seat) == (1, 1, "b", 1)
    kinds = [type(e).__name__ for e in sim.events]
    assert kinds.index("SeatDropped") < kinds.index("SeatBack")


def test_a_bot_that_does_not_come_back_is_seen_dropping_then_forfeiting() -> None:
    config = MatchConfig(game="tictactoe", bots=["a", "b"], reconnect_grace=1.0)
    sim = Simulation(Match("m", config), [first_legal(0.2), first_legal(0.2)])
    sim.disconnect(0, when=0.1)
    result = sim.run()
    assert result.verdict is not None and result.verdict.code == "disconnected"
    kinds = [type(e).__name__ for e in sim.events]
    assert "SeatBack" not in kinds
    assert kinds.index("SeatDropped") < kinds.index("Forfeit")


def test_late_reconnect_is_refused() -> None:
    config = MatchConfig(game="tictactoe", bots=["a", "b"], reconnect_grace=1.0)
    sim = Simulation(Match("m", config), [first_legal(0.2), first_legal(0.2)])
    sim.disconnect(0, when=0.1)
    sim.at(5.0, lambda now: sim.match.reconnected(0, now))
    result = sim.run()
    assert result.verdict is not None and result.verdict.code == "disconnected"


def test_a_bot_gone_for_good_forfeits_the_remaining_rounds() -> None:
    config = MatchConfig(
        game="tictactoe", bots=["a", "b"], reconnect_grace=1.0, rounds=3, forfeit="round"
    )
    sim = Simulation(Match("m", config), [first_legal(0.2), first_legal(0.2)])
    sim.disconnect(1, when=0.3)
    result = sim.run()
    assert [r.verdicts[0].code for r in result.rounds] == ["disconnected"] * 3
    assert result.scores == [3.0, 0.0] and result.winner == "a"


def test_fischer_increment_shows_in_the_next_request() -> None:
    bots = [Scripted(lambda r: answer(r, r.legal_actions[0], 2.0)) for _ in range(2)]  # type: ignore[index]
    play(bots, time_control=Fischer(base=10.0, increment=3.0))
    readings = [r.clock for r in bots[0].requests]
    assert readings[0].remaining == pytest.approx(10.0)
    assert readings[1].remaining == pytest.approx(11.0)
    assert readings[1].increment == 3.0


def test_byoyomi_periods_are_used_then_the_bot_flags() -> None:
    bots = [
        first_legal(0.1),
        Scripted(lambda r: answer(r, r.legal_actions[0], 7.0)),  # type: ignore[index]
    ]
    result, _ = play(bots, time_control=ByoYomi(base=5.0, periods=2, period=4.0), time_margin=0.0)
    periods = [r.clock.periods for r in bots[1].requests]
    # 7 s: 5 s main + 2 s in period one (kept); 7 s: 4 s overrun of one period, one lost...
    assert periods[0] == 2 and periods[1] == 2 and periods[2] == 1
    assert result.verdict is not None and result.verdict.code == "timeout"
    assert result.verdict.bot == "bot1"


def test_unexpected_and_unknown_ids_get_errors_but_change_nothing() -> None:
    bots = [first_legal(1.0), first_legal(1.0)]
    sim = Simulation(Match("m", MatchConfig(game="tictactoe", bots=["a", "b"])), bots)
    got: list[Any] = []
    sim.at(0.5, lambda now: got.extend(sim.match.receive(1, Action("m", 999, 4), now)) or [])
    sim.at(0.6, lambda now: got.extend(sim.match.receive(0, Ok("m", 1), now)) or [])
    result = sim.run()
    errors = [o.message for o in got if hasattr(o, "message") and isinstance(o.message, Error)]
    assert [e.code for e in errors] == ["unexpected_message", "late_answer"]
    assert result.verdict is None and result.status == "finished"


def test_abort_ends_without_a_winner() -> None:
    sim = Simulation(
        Match("m", MatchConfig(game="tictactoe", bots=["a", "b"])),
        [first_legal(1.0), first_legal(1.0)],
    )
    sim.at(2.2, lambda now: sim.match.abort("server shutting down", now))
    result = sim.run()
    assert result.status == "aborted" and result.winner is None
    assert result.reason == "server shutting down"


def test_three_player_counting_rotates_all_seats() -> None:
    bots = [first_legal(), first_legal(), first_legal()]
    result, _ = play(bots, game="counting", rounds=3, options={"plies": 5})
    assert [r.players for r in result.rounds] == [[0, 1, 2], [1, 2, 0], [2, 0, 1]]
    # The fifth call is made by seat 1 every round.
    assert result.scores == [1.0, 1.0, 1.0]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"game": "chesss"}, "unknown game"),
        ({"bots": ["a"]}, "played by 2 players"),
        ({"bots": ["a", "a"]}, "against itself"),
        ({"rounds": 0}, "rounds"),
        ({"time_control": PerMove(seconds=-1)}, "seconds must be"),
        ({"options": {"plies": "x"}, "game": "counting"}, "plies"),
        ({"ready_timeout": float("inf")}, "ready_timeout"),
    ],
)
def test_bad_configs_are_refused_with_a_reason(settings: dict[str, Any], message: str) -> None:
    values: dict[str, Any] = {"game": "tictactoe", "bots": ["a", "b"], **settings}
    with pytest.raises(MatchConfigError, match=message):
        Match("m", MatchConfig(**values))


def test_round_result_goes_to_bots_and_spectators() -> None:
    bot = Scripted(lambda r: answer(r, r.legal_actions[0]))  # type: ignore[index]
    _, sim = play([bot, first_legal()])
    sent = [m for m in bot.received if isinstance(m, RoundResult)]
    assert sent == of_type(sim, RoundResult)
    assert sent[0].bots == ["bot0", "bot1"]


def test_moves_record_each_seats_thinking_time() -> None:
    _, sim = play([first_legal(0.25), first_legal(0.5)])
    moves = of_type(sim, Move)
    assert [m.elapsed for m in moves[:2]] == [0.25, 0.5]


def test_simultaneous_moves_wait_for_every_seat_and_keep_both_times() -> None:
    throws = iter(["rock", "paper", "scissors"] * 10)
    a = Scripted(lambda r: answer(r, "rock", 0.1))
    b = Scripted(lambda r: answer(r, next(throws), 0.3))
    result, sim = play([a, b], game="rps", options={"throws": 3})
    moves = of_type(sim, Move)
    assert len(moves) == 6
    assert [(m.seat, m.elapsed) for m in moves[:2]] == [(0, 0.1), (1, 0.3)]
    # Both seats got each request at the same time: a simultaneous move.
    assert [r.id for r in a.requests] != [r.id for r in b.requests]
    assert len(a.requests) == len(b.requests) == 3
    # rock vs rock, paper, scissors: one win each and a tie.
    assert result.scores == [0.5, 0.5]


def test_simultaneous_illegal_throw_blames_the_right_seat() -> None:
    a = Scripted(lambda r: answer(r, "rock", 0.1))
    b = Scripted(lambda r: answer(r, "lizard", 0.1))
    result, _ = play([a, b], game="rps")
    assert result.verdict is not None
    assert (result.verdict.code, result.verdict.bot) == ("illegal_action", "bot1")


def test_three_player_baskin_match() -> None:
    bots = [first_legal(0.1) for _ in range(3)]
    result, _ = play(bots, game="baskin31", rounds=3)
    assert result.status == "finished" and result.verdict is None
    for round_score in result.rounds:
        assert sorted(round_score.scores) == [0.0, 1.0, 1.0]
    assert [r.players for r in result.rounds] == [[0, 1, 2], [1, 2, 0], [2, 0, 1]]
    assert sum(result.scores) == 6.0


def test_the_innocent_bots_prompt_ready_is_not_late_after_the_other_left_at_round_end() -> None:
    """Bot b drops on round 1's round_end and is back after the grace: bot a's
    ready for round 2, sent 2 ms after its prepare, is awaited, not late."""
    config = MatchConfig(
        game="tictactoe", bots=["a", "b"], rounds=3, reconnect_grace=1.0, forfeit="round"
    )
    match = Match("m", config)

    def sent_to(outputs: list[Any], player: int) -> list[ServerMessage]:
        return [o.message for o in outputs if isinstance(o, Send) and o.player == player]

    out = match.start(0.0)
    prepares = {p: sent_to(out, p)[0] for p in (0, 1)}
    out = [o for p in (0, 1) for o in match.receive(p, Ready("m", prepares[p].id), 0.001)]
    now = 0.0
    while not any(isinstance(m, RoundEnd) for m in sent_to(out, 0)):
        now += 0.1
        (request,) = [m for m in sent_to(out, 0) + sent_to(out, 1) if isinstance(m, Request)]
        mover = match.player_at(request.seat)
        out = match.receive(mover, Action("m", request.id, request.legal_actions[0]), now)  # type: ignore[index]
    round_end = next(m for m in sent_to(out, 0) if isinstance(m, RoundEnd))
    match.disconnected(1, now)  # b drops instead of answering its round_end
    match.receive(0, Ok("m", round_end.id), now + 0.001)
    out = match.timer(1, now + 1.0)  # the grace is over: b is gone for good
    (prepare,) = [m for m in sent_to(out, 0) if isinstance(m, Prepare)]
    assert prepare.round == 2
    assert not any(isinstance(m, RoundEnd) for m in sent_to(out, 0)), "a must be asked first"
    assert match.reconnected(1, now + 1.5) == [], "too late to come back"

    out = match.receive(0, Ready("m", prepare.id), now + 1.002)
    errors = [m for m in sent_to(out, 0) if isinstance(m, Error)]
    assert errors == [], f"the prompt ready was refused: {errors}"
    (forfeit,) = [o.event for o in out if isinstance(o, Publish)]
    assert isinstance(forfeit, Forfeit) and forfeit.verdict.code == "disconnected"
    assert forfeit.verdict.bot == "b" and forfeit.round == 2


def test_gone_bots_also_lose_a_round_whose_other_bot_is_not_ready() -> None:
    config = MatchConfig(
        game="tictactoe",
        bots=["a", "b"],
        rounds=2,
        reconnect_grace=1.0,
        ready_timeout=3.0,
        forfeit="round",
    )

    class ReadyOnce(PolitePlayer):
        def on_message(self, message: ServerMessage) -> Reply | None:
            if isinstance(message, Prepare) and message.round == 2:
                return None  # never ready for round 2
            return super().on_message(message)

    sim = Simulation(
        Match("m", config),
        [ReadyOnce(lambda r: (r.legal_actions[0], 0.2)), first_legal(0.2)],  # type: ignore[index]
    )
    sim.disconnect(1, when=0.3)
    result = sim.run()
    assert [sorted(v.code for v in r.verdicts) for r in result.rounds] == [
        ["disconnected"],
        ["disconnected", "not_ready"],
    ]
    assert result.rounds[1].scores == [0.0, 0.0]


def test_harmless_surprises_get_unexpected_message_and_cost_nothing() -> None:
    config = MatchConfig(game="tictactoe", bots=["a", "b"])
    match = Match("m", config)
    out = match.start(0.0)
    prepare = next(o.message for o in out if isinstance(o, Send) and o.player == 0)
    assert isinstance(prepare, Prepare)
    replies = [
        *match.receive(0, Ok("m", prepare.id), 0.1),  # the wrong kind of answer
        *match.receive(0, Action("m", prepare.id + 50, 4), 0.2),  # an id never issued
    ]
    errors = [o.message for o in replies if isinstance(o, Send)]
    assert [(e.code, e.match) for e in errors if isinstance(e, Error)] == [
        ("unexpected_message", "m"),
        ("unexpected_message", "m"),
    ]
    assert "expects 'ready', not 'ok'" in errors[0].message  # type: ignore[union-attr]
    assert not [o for o in replies if isinstance(o, Publish)], "no verdict, no event"
    assert match.pending[0].id == prepare.id, "the prepare is still open"
    match.abort("done", 0.3)
    (after,) = match.receive(0, Ready("m", prepare.id), 0.4)
    assert isinstance(after, Send) and isinstance(after.message, Error)
    assert after.message.code == "unexpected_message"


def test_a_long_illegal_action_is_quoted_whole_in_the_verdict() -> None:
    move = "definitely-not-a-move-" * 5
    result, _ = play([Scripted(lambda r: answer(r, move)), first_legal()])
    assert result.verdict is not None and result.verdict.code == "illegal_action"
    shown = result.verdict.message.split(": ", 1)[0]
    assert shown.startswith("'definitely-not-a-move-") and shown.endswith("…'")
    assert len(shown) == 62

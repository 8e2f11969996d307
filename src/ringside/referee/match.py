"""The referee: one match as a state machine, inputs in, outputs out.

It never touches a socket, a timer or the wall clock. Each input method takes
the current time and returns the outputs the runner must carry out, in order:
send a message to a player, publish an event (spectators, store, replay), arm
or cancel a player's timer. Players are the match's participants (indexes
into ``config.bots``); seats are their places in the current round's game,
rotated every round.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import msgspec

from ringside.games.base import Game, IllegalAction, InvalidOptions
from ringside.games.registry import get_game
from ringside.protocol.codec import ProtocolError, check_info
from ringside.protocol.messages import (
    Action,
    BotMessage,
    Concede,
    Error,
    Forfeit,
    IgnoredCode,
    Info,
    MatchEvent,
    MatchResult,
    MatchStarted,
    Move,
    Ok,
    Prepare,
    Ready,
    Request,
    RoundEnd,
    RoundResult,
    RoundScore,
    RoundStarted,
    SealedMove,
    SeatBack,
    SeatDropped,
    ServerMessage,
    Verdict,
    VerdictCode,
    type_of,
)
from ringside.referee.adjudication import Adjudicator, Decision, at_cap
from ringside.referee.clock import Clock, check_time_control
from ringside.referee.config import MatchConfig
from ringside.text import quoted


class MatchConfigError(ValueError):
    """A match that cannot be played as asked; the message says why."""

    code = "invalid_match"


class UnknownGameError(MatchConfigError):
    """The match names a game this server does not have."""

    code = "unknown_game"


# The outputs are msgspec structs rather than dataclasses: a few are built for
# every move relayed, and a struct is built in C. Without reference cycles they
# need no tracking by the garbage collector (gc=False).


class Send(msgspec.Struct, frozen=True, gc=False):
    player: int
    message: ServerMessage


class Publish(msgspec.Struct, frozen=True, gc=False):
    event: MatchEvent | SealedMove
    """A ``SealedMove`` is for the store alone: the runner shows it to no one."""


class ArmTimer(msgspec.Struct, frozen=True, gc=False):
    """Call ``Match.timer(player, now)`` at ``at``; replaces the player's previous timer."""

    player: int
    at: float


class CancelTimer(msgspec.Struct, frozen=True, gc=False):
    player: int


Output = Send | Publish | ArmTimer | CancelTimer
"""What the referee asks of its runner, in order."""
Phase = Literal["created", "preparing", "playing", "ending", "finished"]
PendingKind = Literal["ready", "action", "ok"]
_ANSWERS: dict[str, type[Ready | Action | Ok]] = {"ready": Ready, "action": Action, "ok": Ok}
"""The message that answers each kind of request."""


_ABSENT = "the bot left the match earlier"
"""The verdict's message for a bot that is gone for good, in every round it misses."""


class Pending(msgspec.Struct, frozen=True, gc=False):
    """What the referee waits for from one player."""

    kind: PendingKind
    id: int
    deadline: float
    seat: int | None = None


class Match:
    """A match of ``config.rounds`` rounds between ``config.bots``."""

    # Slots: a move touches many of these, and a server holds a thousand matches.
    __slots__ = (
        "_out",
        "armed",
        "buffered",
        "clocks",
        "config",
        "engines",
        "game",
        "gone",
        "grace_until",
        "hidden",
        "id",
        "judge",
        "margin",
        "match_verdict",
        "next_id",
        "online",
        "pending",
        "phase",
        "players",
        "ply",
        "result",
        "round",
        "round_scores",
        "round_verdicts",
        "seat_players",
        "state",
    )

    def __init__(self, match_id: str, config: MatchConfig, game: Game | None = None) -> None:
        self.id = match_id
        self.config = config
        try:
            self.game = game or get_game(config.game)
        except LookupError as exc:
            raise UnknownGameError(str(exc.args[0])) from None
        self.players = len(config.bots)
        self.hidden = self.game.game_type.information == "imperfect"
        """Watchers see public actions and views only, until the round ends."""
        validate_config(self.game, config)
        self.margin = config.time_margin
        """``config.time_margin``, read on every move without a trip to the config."""
        self.judge: Adjudicator | None = None
        """The round's adjudication counters, when the match asks for resign or draw rules."""
        self.phase: Phase = "created"
        self.round = 0
        self.ply = 0
        self.state: Any = None
        self.seat_players: list[int] = []
        self.clocks: list[Clock] = []
        self.pending: dict[int, Pending] = {}
        self.buffered: dict[int, tuple[Any, float, Info | None]] = {}
        """Actions (with thinking time and info) of a simultaneous move, until every seat
        has acted."""
        self.online = [True] * self.players
        self.grace_until: dict[int, float] = {}
        self.gone: set[int] = set()
        self.armed: dict[int, float] = {}
        self.next_id = 1
        self.round_verdicts: list[Verdict] = []
        self.round_scores: list[RoundScore] = []
        self.match_verdict: Verdict | None = None
        self.result: MatchResult | None = None
        self.engines: list[str | None] = []
        """The program behind each bot (its hello's ``engine``), set by the runner."""
        self._out: list[Output] = []

    # --- inputs ---------------------------------------------------------------

    def start(self, now: float) -> list[Output]:
        if self.phase != "created":
            return []
        c = self.config
        engines = list(self.engines) if any(self.engines) else []
        controls = list(c.time_controls or []) if c.uneven() else []
        self._publish(
            MatchStarted(
                self.id,
                c.game,
                list(c.bots),
                c.rounds,
                c.time_control,
                dict(c.options),
                engines,
                controls,
            )
        )
        self._begin_round(now)
        return self._flush()

    def receive(self, player: int, message: BotMessage, now: float) -> list[Output]:
        """A parsed message from a player; ``hello`` and ``pong`` belong to the session."""
        pending = self.pending.get(player)
        if (
            type(message) is Action
            and pending is not None
            and pending.id == message.id
            and pending.kind == "action"
        ):  # the hot path: the move asked for (nothing is pending once finished)
            self._on_action(player, pending, message.action, message.info, now)
            if self.phase != "playing":
                self._sync_timers()  # a verdict or the round's end; in play, moves arm their own
            return self._flush()
        if self.phase == "finished":
            self._ignore(player, "unexpected_message", "the match is over")
            return self._flush()
        if type(message) is Concede:
            self._on_concede(player, message, now)
        elif isinstance(message, (Ready, Action, Ok)):
            if pending is None or pending.id != message.id:
                self._refuse_unexpected(player, message, pending)
            elif not isinstance(message, _ANSWERS[pending.kind]):
                self._ignore(
                    player,
                    "unexpected_message",
                    f"request {message.id} expects {pending.kind!r}, not {type_of(message)!r}",
                )
            elif isinstance(message, Ready):
                self._on_ready(player, now)
            else:  # an awaited action took the path at the top
                self._on_ok(player, now)
        else:
            self._ignore(
                player, "unexpected_message", "only ready, action and ok belong to a match"
            )
        self._sync_timers()
        return self._flush()

    def _on_concede(self, player: int, message: Concede, now: float) -> None:
        """The bot gives up: ``crashed`` loses the round, ``leaving`` the rest of the match."""
        if player in self.gone or message.round not in (0, self.round):
            self._ignore(player, "late_answer", f"round {message.round} is over; not conceded")
            return
        if self.phase == "created" or (self.phase == "ending" and message.cause == "crashed"):
            return  # nothing to lose yet, or the round is decided (a fresh engine plays on)
        code: VerdictCode = "crashed" if message.cause == "crashed" else "disconnected"
        reason = " ".join(message.reason.split())[:200] or "no reason given"
        self._give_verdicts([(player, code, reason)], now)

    def timer(self, player: int, now: float) -> list[Output]:
        """A timer armed for ``player`` went off; stale timers are harmless."""
        self.armed.pop(player, None)
        if self.phase != "finished":
            self._check_deadlines(now)
            self._sync_timers()
        return self._flush()

    def disconnected(self, player: int, now: float) -> list[Output]:
        if self.phase == "finished" or player in self.gone or not self.online[player]:
            return []
        self.online[player] = False
        grace = max(0.0, self.config.reconnect_grace)
        self.grace_until[player] = now + grace
        if self.phase != "created":  # spectators have a match to see it in
            self._publish(
                SeatDropped(
                    self.id,
                    self.round,
                    player,
                    self.config.bots[player],
                    grace,
                    self._seat_or_none(player),
                    self._clock_figures(now),
                )
            )
        self._check_deadlines(now)
        self._sync_timers()
        return self._flush()

    def reconnected(self, player: int, now: float) -> list[Output]:
        """The player is back within its grace period: re-send what it owes an answer to."""
        if self.phase == "finished" or player in self.gone or self.online[player]:
            return []
        self._check_deadlines(now)  # a grace that ran out already cannot be resumed
        if not self.finished and player not in self.gone:
            self.online[player] = True
            self.grace_until.pop(player, None)
            if self.phase != "created":
                bot = self.config.bots[player]
                seat = self._seat_or_none(player)
                self._publish(SeatBack(self.id, self.round, player, bot, seat))
            pending = self.pending.get(player)
            if pending is not None:
                self._send(player, self._message_for(player, pending, now))
        self._sync_timers()
        return self._flush()

    def protocol_error(self, player: int, detail: str, now: float) -> list[Output]:
        """The player sent bytes that are no valid message while in this match."""
        if self.phase != "finished" and player not in self.gone:
            self._give_verdicts([(player, "protocol_error", detail)], now)
            self._sync_timers()
        return self._flush()

    def abort(self, reason: str, now: float) -> list[Output]:
        """End the match without a result (server shutdown, operator)."""
        if self.phase != "finished":
            self.pending.clear()
            self._finish("aborted", reason)
            self._sync_timers()
        return self._flush()

    # --- queries --------------------------------------------------------------

    @property
    def finished(self) -> bool:
        return self.phase == "finished"

    def player_at(self, seat: int) -> int:
        return self.seat_players[seat]

    def seat_of(self, player: int) -> int:
        return self.seat_players.index(player)

    def _seat_or_none(self, player: int) -> int | None:
        return self.seat_players.index(player) if player in self.seat_players else None

    # --- round flow -------------------------------------------------------------

    def _begin_round(self, now: float) -> None:
        self.round += 1
        self.ply = 0
        self.state = None
        self.buffered.clear()
        self.round_verdicts = []
        self.judge = None
        n = self.players
        self.seat_players = [(seat + self.round - 1) % n for seat in range(n)]
        control_of = self.config.control_of
        self.clocks = [Clock(control_of(player)) for player in self.seat_players]
        self.phase = "preparing"
        deadline = now + self.config.ready_timeout
        for player in range(n):
            if player in self.gone:
                continue
            pending = Pending("ready", self._new_id(), deadline, self.seat_of(player))
            self.pending[player] = pending
            if self.online[player]:
                self._send(player, self._message_for(player, pending, now))
        if not self.pending:
            self._all_ready(now)

    def _on_ready(self, player: int, now: float) -> None:
        del self.pending[player]
        if self.phase == "preparing" and not self.pending:
            self._all_ready(now)

    def _all_ready(self, now: float) -> None:
        """Every bot still in the match is ready: play, or score the round lost by the absent.

        The absent lose only now, not when the round is prepared: a verdict then
        would close the round under the bots just asked for ``ready``, and their
        prompt answers would come back as ``late_answer``.
        """
        if self.gone:
            self._give_verdicts([], now)
        else:
            self._start_play(now)

    def _start_play(self, now: float) -> None:
        seed = ((self.config.seed or 0) * 1_000_003 + self.round) % (2**63)
        try:
            self.state = self.game.start(self.players, seed, self.config.options, self.round)
        except InvalidOptions as exc:  # validated up front; kept as a guard
            self.pending.clear()
            self._finish("aborted", str(exc))
            return
        self.phase = "playing"
        rules = self.config.adjudication
        if rules is not None and (rules.resign is not None or rules.draw is not None):
            self.judge = Adjudicator(rules, " cp" if self.game.name == "chess" else "")
        bots = [self.config.bots[p] for p in self.seat_players]
        figures = self._clock_figures(now)
        self._publish(
            RoundStarted(
                self.id,
                self.round,
                list(self.seat_players),
                bots,
                self.game.view(self.state),
                figures,
            )
        )
        self._request_moves(now, figures)

    def _request_moves(self, now: float, figures: list[float]) -> None:
        """Ask the seats to act; ``figures`` are the clocks at ``now`` (a clock
        started at ``now`` reads the same as before it started)."""
        game, state = self.game, self.state
        seats = game.to_act(state)
        if not seats and game.is_over(state):
            self._end_round(list(game.scores(state)), now)
            return
        margin = self.margin
        for seat in seats:
            if seat in self.buffered:
                continue
            player = self.seat_players[seat]
            deadline = self.clocks[seat].start(now) + margin
            request_id = self.next_id
            self.next_id += 1
            pending = Pending("action", request_id, deadline, seat)
            self.pending[player] = pending
            if player in self.gone:
                continue
            self._sync_timer(player)  # so that a move need not sync every player's timer
            if self.online[player]:
                self._out.append(Send(player, self._request(pending, seat, now, figures)))

    def _on_action(self, player: int, pending: Pending, action: Any, info: Any, now: float) -> None:
        seat = pending.seat
        assert seat is not None
        del self.pending[player]
        elapsed = self.clocks[seat].stop_move(now, self.margin)
        if elapsed < 0.0:
            self._give_verdicts([(player, "timeout", self._timeout_text(seat))], now)
            return
        if info is not None:
            info = self._checked_info(player, info)
        for other in self.pending.values():
            if other.kind == "action":  # a simultaneous move: wait for the other seats
                self.buffered[seat] = (action, elapsed, info)
                return
        timed: dict[int, tuple[Any, float, Info | None]] | None = None
        if self.buffered:  # the last of a simultaneous move
            timed = self.buffered
            timed[seat] = (action, elapsed, info)
            self.buffered = {}
            actions = {s: a for s, (a, _, _) in timed.items()}
            moved: Sequence[int] = sorted(actions)
        else:  # one seat moved: the usual case, spared the bookkeeping above
            actions = {seat: action}
            moved = (seat,)
        before = self.state
        try:
            self.state = self.game.apply(before, actions)
        except IllegalAction as exc:
            culprit = exc.seat if exc.seat is not None and exc.seat in actions else seat
            quote = quoted(actions[culprit], 60)
            self._give_verdicts(
                [(self.seat_players[culprit], "illegal_action", f"{quote}: {exc.reason}")], now
            )
            return
        view = self.game.view(self.state)
        clocks = self._clock_figures(now)
        bots, seat_players, out = self.config.bots, self.seat_players, self._out
        for moved_seat in moved:
            self.ply += 1
            if timed is not None:
                _, elapsed, info = timed[moved_seat]
            thought = int(elapsed * 10_000.0 + 0.5) / 10_000.0  # round(x, 4), faster
            played = actions[moved_seat]
            shown, said = played, info
            if self.hidden:  # the info may tell what the move hides: it is sealed with it
                shown = self.game.public_action(before, moved_seat, played)  # type: ignore[attr-defined]
                said = None
            out.append(
                Publish(
                    Move(
                        self.id,
                        self.round,
                        self.ply,
                        moved_seat,
                        bots[seat_players[moved_seat]],
                        shown,
                        thought,
                        view,
                        clocks,
                        said,
                    )
                )
            )
            if shown != played or said is not info:
                sealed = SealedMove(self.id, self.round, self.ply, moved_seat, played, info)
                out.append(Publish(sealed))
            if self.judge is not None:
                self.judge.note(moved_seat, info)
        if self.config.adjudication is not None and self._adjudicate(now):
            return
        self._request_moves(now, clocks)

    def _adjudicate(self, now: float) -> bool:
        """End the round early if an adjudication rule says so (never once the game is over)."""
        game, state = self.game, self.state
        if not game.to_act(state) and game.is_over(state):
            return False
        decision: Decision | None = None
        if self.judge is not None:
            decision = self.judge.decide(self.ply, self._seat_name)
        cap = self.config.adjudication.max_plies if self.config.adjudication else None
        if decision is None and cap is not None and self.ply >= cap:
            hook = getattr(game, "scores_now", None)
            scored = hook(state) if hook is not None else None
            scores = None if scored is None else [float(x) for x in scored]
            shown = "" if scores is None else "–".join(f"{x:g}" for x in scores)
            decision = at_cap(cap, scores, self.players, shown)
        if decision is None:
            return False
        seat = decision.loser
        player = None if seat is None else self.seat_players[seat]
        bot = None if player is None else self.config.bots[player]
        verdict = Verdict("adjudicated", player, bot, seat, decision.reason)
        self.round_verdicts.append(verdict)  # never the match's verdict: no one broke a rule
        self._publish(Forfeit(self.id, self.round, verdict))
        self._end_round(decision.scores, now)
        return True

    def _seat_name(self, seat: int) -> str:
        """A seat in an adjudication's reason: ``"alice (white)"``."""
        label = self.game.game_type.seat_label(seat).lower()
        return f"{self.config.bots[self.seat_players[seat]]} ({label})"

    def _checked_info(self, player: int, info: Any) -> Info | None:
        """The info as the move carries it; a bad one is dropped and the bot told why."""
        checked = check_info(info)
        if isinstance(checked, ProtocolError):
            self._send(player, checked.to_error(self.id))  # never fatal, never a verdict
            return None
        return checked

    def _end_round(self, scores: list[float], now: float) -> None:
        self.phase = "ending"
        self.pending.clear()
        self.buffered.clear()
        self.round_scores.append(
            RoundScore(self.round, list(self.seat_players), scores, list(self.round_verdicts))
        )
        deadline = now + self.config.ok_timeout
        # Neither an absent bot nor one just given a verdict is asked for ok: a
        # bot that lost on time may well be hung, and its opponent would wait
        # ok_timeout for the result. The offender has its error already.
        offenders = {v.player for v in self.round_verdicts if v.code != "adjudicated"}
        for player in range(self.players):
            if player in self.gone or not self.online[player] or player in offenders:
                continue
            pending = Pending("ok", self._new_id(), deadline)
            self.pending[player] = pending
            self._send(player, self._message_for(player, pending, now))
        if not self.pending:
            self._after_round(now)

    def _on_ok(self, player: int, now: float) -> None:
        del self.pending[player]
        if self.phase == "ending" and not self.pending:
            self._after_round(now)

    def _after_round(self, now: float) -> None:
        last = self.round_scores[-1]
        result = RoundResult(
            self.id,
            last.round,
            last.players,
            [self.config.bots[p] for p in last.players],
            last.scores,
            last.verdicts,
            self._final_view(),
        )
        self._publish(result)
        self._send_all(result)
        if self.match_verdict is not None or self.round >= self.config.rounds:
            self._finish("finished", None)
        else:
            self._begin_round(now)

    def _final_view(self) -> Any:
        """The round's last position, whole: a game with hidden information reveals it now."""
        if self.state is None:
            return None
        if self.hidden:
            return self.game.revealed_view(self.state)  # type: ignore[attr-defined]
        return self.game.view(self.state)

    def _finish(self, status: Literal["finished", "aborted"], reason: str | None) -> None:
        self.phase = "finished"
        totals = [0.0] * self.players
        for rs in self.round_scores:
            for seat, score in enumerate(rs.scores):
                totals[rs.players[seat]] += score
        self.result = MatchResult(
            self.id,
            self.config.game,
            status,
            list(self.config.bots),
            list(self.round_scores),
            totals,
            self._winner(totals) if status == "finished" else None,
            self.match_verdict,
            reason,
        )
        self._publish(self.result)
        self._send_all(self.result)

    def _winner(self, totals: list[float]) -> str | None:
        candidates = range(self.players)
        if self.match_verdict is not None:
            offenders = {
                v.player for v in self.round_scores[-1].verdicts if v.code != "adjudicated"
            }
            candidates = [p for p in candidates if p not in offenders]  # type: ignore[assignment]
        if not candidates:
            return None
        best = max(totals[p] for p in candidates)
        leaders = [p for p in candidates if totals[p] == best]
        return self.config.bots[leaders[0]] if len(leaders) == 1 else None

    # --- verdicts and deadlines -----------------------------------------------

    def _check_deadlines(self, now: float) -> None:
        offences: list[tuple[int, VerdictCode, str]] = []
        late_oks: list[int] = []
        for player in range(self.players):
            if player in self.gone:
                continue
            pending = self.pending.get(player)
            grace = self.grace_until.get(player)
            if pending is not None and now >= pending.deadline:
                if pending.kind == "action":
                    assert pending.seat is not None
                    self.clocks[pending.seat].flag()
                    offences.append((player, "timeout", self._timeout_text(pending.seat)))
                    continue
                if pending.kind == "ready":
                    wait = self.config.ready_timeout
                    offences.append((player, "not_ready", f"no ready within {wait:g} s"))
                    continue
                late_oks.append(player)  # a missing ok costs nothing: the round is decided
            if grace is not None and now >= grace:
                wait = self.config.reconnect_grace
                offences.append((player, "disconnected", f"did not reconnect within {wait:g} s"))
        if offences:
            self._give_verdicts(offences, now)
        elif late_oks and self.phase == "ending":
            for player in late_oks:
                del self.pending[player]
            if not self.pending:
                self._after_round(now)

    def _give_verdicts(self, offences: Sequence[tuple[int, VerdictCode, str]], now: float) -> None:
        """Score the round as lost for the offenders and end it (and the match, by default)."""
        if self.phase == "ending":
            # The round is decided; a bot that leaves now forfeits the next round, not this one.
            for player, code, _ in offences:
                if code == "disconnected":
                    self._mark_gone(player)
            if not self.pending:
                self._after_round(now)
            return
        if self.phase == "preparing":  # the bots gone for good lose every round they miss
            named = {player for player, _, _ in offences}
            absent: list[tuple[int, VerdictCode, str]] = [
                (p, "disconnected", _ABSENT) for p in sorted(self.gone) if p not in named
            ]
            offences = [*offences, *absent]
        offender_seats: set[int] = set()
        for player, code, text in offences:
            seat = self.seat_of(player)
            offender_seats.add(seat)
            verdict = Verdict(code, player, self.config.bots[player], seat, text)
            self.round_verdicts.append(verdict)
            if self.match_verdict is None and self.config.forfeit == "match":
                self.match_verdict = verdict
            self._publish(Forfeit(self.id, self.round, verdict))
            if code == "disconnected":
                self._mark_gone(player)
            else:
                self._send(player, Error(code, text, self.id))
        scores = [0.0 if seat in offender_seats else 1.0 for seat in range(self.players)]
        self._end_round(scores, now)

    def _mark_gone(self, player: int) -> None:
        self.gone.add(player)
        self.online[player] = False
        self.grace_until.pop(player, None)
        self.pending.pop(player, None)

    def _timeout_text(self, seat: int) -> str:
        bot = self.config.bots[self.seat_players[seat]]
        return f"{bot} ran out of time ({type_of(self.clocks[seat].control)} clock)"

    def _sync_timers(self) -> None:
        """Keep a timer armed for each player no later than its next deadline.

        A timer due later than needed is replaced. One due earlier is kept:
        when it goes off, ``timer`` arms the deadline due then. One no longer
        needed is left to go off harmlessly. So a match relaying a move every
        few milliseconds asks for a timer about once per clock budget rather
        than twice per move. A finished match cancels them all.
        """
        armed = self.armed
        if self.phase == "finished":
            for player in sorted(armed):
                self._out.append(CancelTimer(player))
            armed.clear()
            return
        for player in range(self.players):
            if player not in self.gone:
                self._sync_timer(player)

    def _sync_timer(self, player: int) -> None:
        """``_sync_timers`` for one player still in the match."""
        wanted = self.grace_until.get(player) if self.grace_until else None
        pending = self.pending.get(player)
        if pending is not None and (wanted is None or pending.deadline < wanted):
            wanted = pending.deadline
        if wanted is None:
            return
        current = self.armed.get(player)
        if current is None or current > wanted:
            self.armed[player] = wanted
            self._out.append(ArmTimer(player, wanted))

    # --- messages -----------------------------------------------------------------

    def _message_for(
        self, player: int, pending: Pending, now: float, figures: list[float] | None = None
    ) -> ServerMessage:
        c = self.config
        if pending.kind == "ready":
            return Prepare(
                self.id,
                pending.id,
                c.game,
                self.seat_of(player),
                self.players,
                self.round,
                c.rounds,
                c.control_of(player),
                dict(c.options),
                [c.control_of(p) for p in self.seat_players] if c.uneven() else [],
            )
        if pending.kind == "ok":
            return RoundEnd(self.id, pending.id, self.round)
        seat = pending.seat
        assert seat is not None
        return self._request(
            pending, seat, now, self._clock_figures(now) if figures is None else figures
        )

    def _request(self, pending: Pending, seat: int, now: float, figures: list[float]) -> Request:
        legal = self.game.legal_actions(self.state, seat)
        return Request(
            self.id,
            pending.id,
            self.round,
            seat,
            self.game.observation(self.state, seat),
            None if legal is None else list(legal),
            self.clocks[seat].reading(now, figures),
        )

    def _refuse_unexpected(
        self, player: int, message: Ready | Action | Ok, pending: Pending | None
    ) -> None:
        if 0 < message.id < self.next_id:
            text = f"{type_of(message)} for request {message.id} came too late and was ignored"
            self._ignore(player, "late_answer", text)
        else:
            waiting = f"request {pending.id}" if pending else "nothing from you"
            text = f"no request {message.id} is open (waiting for {waiting})"
            self._ignore(player, "unexpected_message", text)

    def _ignore(self, player: int, code: IgnoredCode, text: str) -> None:
        """Tell the player its message was read and ignored; this never costs a verdict."""
        self._send(player, Error(code, text, self.id))

    def _clock_figures(self, now: float) -> list[float]:
        """Every seat's main time left, rounded as shown to bots and spectators."""
        return [c.shown if c.started_at is None else c.figure(now) for c in self.clocks]

    def _new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def _send(self, player: int, message: ServerMessage) -> None:
        if self.online[player] and player not in self.gone:
            self._out.append(Send(player, message))

    def _send_all(self, message: ServerMessage) -> None:
        for player in range(self.players):
            self._send(player, message)

    def _publish(self, event: MatchEvent) -> None:
        self._out.append(Publish(event))

    def _flush(self) -> list[Output]:
        out, self._out = self._out, []
        return out


def validate_config(game: Game, config: MatchConfig) -> None:
    """Refuse a match that cannot be played, before any bot is asked."""
    n = len(config.bots)
    if n not in game.players:
        lo, hi = game.players.start, game.players.stop - 1
        wanted = str(lo) if lo == hi else f"{lo} to {hi}"
        raise MatchConfigError(f"{game.name} is played by {wanted} players, not {n}")
    if len(set(config.bots)) != n:
        raise MatchConfigError("a bot cannot play against itself")
    if not 1 <= config.rounds <= 1000:
        raise MatchConfigError("rounds must be from 1 to 1000")
    for name in ("ready_timeout", "ok_timeout", "reconnect_grace", "time_margin"):
        value = getattr(config, name)
        if not math.isfinite(value) or not 0 <= value <= 3600:
            raise MatchConfigError(f"{name} must be from 0 to 3600 seconds")
    rules = config.adjudication
    if rules is not None and (rules.resign or rules.draw) and n != 2:
        raise MatchConfigError("resign and draw adjudication are for games of two players")
    controls = config.time_controls
    if controls is not None and len(controls) != n:
        raise MatchConfigError(
            f"time_controls has {len(controls)} entries for {n} bots: give one per bot"
        )
    try:
        check_time_control(config.time_control)
        for control in controls or ():
            check_time_control(control)
        game.start(n, 0, config.options)
    except (ValueError, IllegalAction) as exc:
        raise MatchConfigError(str(exc)) from None

"""Tournaments inside the server: the asyncio side of ``ringside.tournament``.

Each running tournament has one task that asks its plain ``Tournament`` which
games are due, starts each as a one-round match through ``Matches.create``
(the match row carries the tournament id), and writes every game to the store
as it changes. The task sleeps until the bus says something it waits for
happened (a result stored, a match ended, a bot joined or became free) or
an absent bot's time is up. Choices, and why:

- **One match per game, one round each**, seats set by the schedule: each
  game is stored, replayed and rated on its own, an SPRT can stop after any
  game, a restart loses at most the games that were running, and colour
  balance is the schedule's job (seats alternate within every pairing).
- **Concurrency**: at most ``concurrency`` games of a tournament run at once,
  and a game starts only when both bots are connected, play the game and have
  a free match slot (bots busy elsewhere are waited for, never refused).
- **Absent bots**: a bot missing for ``absent_timeout`` seconds forfeits its due
  games (a loss, noted in the game list, no match stored). A bot that drops
  during a game gets the referee's reconnect grace, then loses that game by the
  ``disconnected`` verdict, which is a stored, rated match like any other.
- **Restarts**: the store holds the request, every game and the SPRT decision.
  At start-up each running tournament is rebuilt from its rows; a game left
  ``running`` points at its match: finished, it is counted from the stored
  result; aborted by the crash, it is played again ("re-queued", said in the
  game's note). A match is only ever counted through its own game, so every
  game counts once.
- **Owned by one node**: a tournament row is leased to the node running it
  (``ringside.store.leases``); ``resume`` takes only this node's own
  tournaments or those whose owner's lease lapsed, at start-up and after each
  lease renewal, and a run whose tournament another node has claimed stops at
  its next write (``TournamentLost``), so two servers never both run one.
- **SPRT**: after each counted game the test is checked; once decided, games
  not started are cancelled and running ones are aborted, so the verdict and
  the game count are those at the crossing.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import secrets
import zlib
from collections import Counter, deque
from collections.abc import Sequence
from typing import Any, Literal, cast

import msgspec

from ringside.games.registry import UnknownGame, get_game
from ringside.protocol.messages import (
    BotJoined,
    BotStatus,
    MatchResult,
    PerMove,
    TimeControl,
    TournamentUpdate,
)
from ringside.rating.sprt import SprtParams
from ringside.referee.adjudication import Adjudication
from ringside.referee.clock import check_time_control
from ringside.referee.config import MatchConfig
from ringside.referee.match import MatchConfigError, validate_config
from ringside.server.bus import EventBus, MatchEnded, ResultStored
from ringside.server.errors import (
    BotUnavailable,
    GameNotFound,
    InvalidRequest,
    Refused,
    ShuttingDown,
    Unavailable,
)
from ringside.server.matches import Matches, MatchHandle
from ringside.server.session import Roster
from ringside.store.errors import DatabaseUnavailable
from ringside.store.records import TournamentRecord
from ringside.store.repository import Store
from ringside.store.tournaments import TournamentLost
from ringside.text import quoted
from ringside.tournament import (
    Decision,
    Game,
    GameStatus,
    Tournament,
    TournamentError,
    TournamentSpec,
)
from ringside.tournament.report import sprt_info, standing_rows
from ringside.tournament.schedule import opening_options

log = logging.getLogger("ringside.server")

MAX_ATTEMPTS = 10
"""A game whose match has been aborted this many times is given up, not replayed forever."""
RETRY = 2.0
"""Seconds before a tournament step that failed is first retried (doubled at each new failure)."""
MAX_FAILURES = 5
"""Steps failing in a row before a tournament is given up as ``failed``: a fault that
persists (a write the database refuses) would otherwise be retried forever, after every
restart too. An unreachable database is not counted (``DatabaseUnavailable``): it is
not the tournament's fault, and it is retried every ``RETRY`` seconds."""
MAX_CONCURRENCY = 64


class SprtRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    elo0: float = 0.0
    elo1: float = 5.0
    alpha: float = 0.05
    beta: float = 0.05
    model: Literal["trinomial", "pentanomial"] = "trinomial"
    """Pentanomial: count seat-swapped game pairs, as fishtest (games_per_pair even)."""
    elo_model: Literal["logistic", "normalized"] = "logistic"
    """What elo0 and elo1 mean: logistic Elo, or fishtest's normalized Elo."""


class TournamentRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """What ``POST /api/tournaments`` takes."""

    game: str
    bots: list[str]
    """Seeding order; in a gauntlet the first bot plays all the others."""
    format: Literal["round-robin", "gauntlet", "swiss"] = "round-robin"
    games_per_pair: int = 2
    """Games each pairing plays, seats alternating; with sprt, the most games it may take."""
    rounds: int | None = None
    """Swiss only: rounds to pair (default ceil(log2(bots)))."""
    concurrency: int = 1
    """Games of this tournament running at once."""
    time_control: TimeControl = PerMove()
    time_controls: dict[str, TimeControl] = {}
    """Time odds: a bot's own time control by its name, in place of ``time_control``."""
    options: dict[str, Any] = {}
    adjudication: Adjudication | None = None
    """The adjudication rules of every game (as a match's; cutechess's -resign, -draw)."""
    sprt: SprtRequest | None = None
    """Stop a two-bot gauntlet as soon as the SPRT decides."""
    absent_timeout: float = 60.0
    """Seconds a bot may be missing before its due games are forfeited."""
    name: str | None = None


def spec_of(request: TournamentRequest) -> TournamentSpec:
    sprt = None
    if request.sprt is not None:
        s = request.sprt
        try:
            sprt = SprtParams(s.elo0, s.elo1, s.alpha, s.beta, s.model, s.elo_model)
        except ValueError as exc:
            raise TournamentError(str(exc)) from None
    return TournamentSpec(
        request.format,
        tuple(request.bots),
        request.games_per_pair,
        request.rounds,
        sprt,
    )


def time_controls_of(request: TournamentRequest, bots: Sequence[str]) -> list[TimeControl] | None:
    """The clocks of a game's bots (by seat) under time odds; None without odds."""
    if not request.time_controls:
        return None
    return [request.time_controls.get(bot, request.time_control) for bot in bots]


def game_dict(game: Game) -> dict[str, Any]:
    return {
        "no": game.no,
        "round": game.round,
        "bots": list(game.bots),
        "status": game.status,
        "points": None if game.points is None else list(game.points),
        "match_id": game.match_id,
        "attempts": game.attempts,
        "note": game.note,
    }


def _plan(request: TournamentRequest) -> tuple[Tournament, list[dict[str, Any]]]:
    """A new tournament's state and its games as the store takes them."""
    state = Tournament(spec_of(request))
    state.advance()
    return state, [game_dict(g) for g in state.games]


def decision_dict(decision: Decision) -> dict[str, Any]:
    return dataclasses.asdict(decision)


def restore(record: TournamentRecord) -> tuple[TournamentRequest, Tournament]:
    """The request and the plain tournament a stored record describes."""
    request = msgspec.convert(record.config, TournamentRequest)
    games = [
        Game(
            g.no,
            g.round,
            g.bots,
            cast(GameStatus, g.status),
            g.points,
            g.match_id,
            g.attempts,
            g.note,
        )
        for g in record.games
    ]
    decision = None
    if record.result is not None and record.result.get("verdict") in ("H0", "H1"):
        result = dict(record.result)
        if result.get("pentanomial") is not None:
            result["pentanomial"] = tuple(result["pentanomial"])
        decision = Decision(**result)
    return request, Tournament(spec_of(request), games, decision)


# --- the runner of one tournament ---------------------------------------------------------


class TournamentRun:
    def __init__(
        self, manager: TournamentManager, tid: str, request: TournamentRequest, state: Tournament
    ) -> None:
        self.manager = manager
        self.store = manager.store
        self.roster = manager.roster
        self.matches = manager.matches
        self.id = tid
        self.request = request
        self.state = state
        self.status: Literal["running", "finished", "cancelled", "failed"] = "running"
        self.failures = 0
        """Steps that failed in a row (``MAX_FAILURES``)."""
        self.cancelling = False
        self.cancel_note = "cancelled by an operator"
        self.runners: dict[int, MatchHandle] = {}
        self.absent_since: dict[str, float] = {}
        self.wake = asyncio.Event()
        self.stored: deque[tuple[int, str, MatchResult]] = deque()
        """Results of this tournament's matches, committed and not yet counted."""
        self._saving = asyncio.Lock()
        self._decided: dict[str, Any] | None = None
        """An SPRT decision not yet written to the store."""
        self._dirty: dict[int, Game] = {}
        """Games changed but not yet written (a failed write is retried with the next)."""
        self.task: asyncio.Task[None] | None = None
        self._waiting: dict[int, str] = {}
        """Why each game that could not start last waits (logged when it changes)."""

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(
            self._main(), name=f"tournament {self.id}"
        )

    def bots_in_play(self) -> set[str]:
        return {b for g in self.state.pending() + self.state.running() for b in g.bots}

    def update(self) -> TournamentUpdate:
        sprt = sprt_info(self.state)
        return TournamentUpdate(
            self.id,
            self.request.name,
            self.request.game,
            self.request.format,
            self.status,
            self.state.played,
            self.state.total,
            msgspec.to_builtins(standing_rows(self.state)),
            None if sprt is None else msgspec.to_builtins(sprt),
        )

    def publish(self) -> None:
        self.manager.bus.publish(self.update())

    async def _main(self) -> None:
        """Count results, start what is due, wait for a change; errors are logged and retried."""
        while not self.manager.closing:
            timeout: float | None = None
            try:
                self.wake.clear()
                while self.stored:
                    no, match_id, result = self.stored[0]
                    await self.match_stored(no, match_id, result)
                    self.stored.popleft()
                if self._dirty:
                    await self._save([])
                if self.cancelling:
                    await self._save(self.state.cancel_pending(self.cancel_note))
                if self.state.finished:
                    await self._close("cancelled" if self.cancelling else "finished")
                    return
                timeout = await self._step()
            except asyncio.CancelledError:
                raise
            except TournamentLost as exc:
                self._lost(exc)
                return
            except DatabaseUnavailable as exc:
                log.warning("tournament %s: %s; retrying in %g s", self.id, exc, RETRY)
                timeout = RETRY
            except Exception as exc:
                self.failures += 1
                if self.failures >= MAX_FAILURES:
                    log.exception(
                        "tournament %s: step failed %d times; failed", self.id, MAX_FAILURES
                    )
                    await self._fail(f"{type(exc).__name__}: {exc}")
                    return
                timeout = RETRY * 2 ** (self.failures - 1)
                log.exception("tournament %s: step failed; retrying in %g s", self.id, timeout)
            else:
                self.failures = 0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout)

    async def _step(self) -> float | None:
        """Start the games that can start; how long until an absent bot forfeits (None: no one is)."""
        added = self.state.advance()
        if added:
            await self._save(added)
            self.publish()
        loop = asyncio.get_running_loop()
        now = loop.time()
        missing: set[str] = set()
        running = len(self.state.running())
        # Each bot's availability, asked once per bot between two awaits: a tournament
        # of 100,000 games waiting for an absent bot is scanned without 200,000 lookups.
        available: dict[str, bool] = {}
        for game in self.state.pending():
            if running >= self.request.concurrency:
                break
            if self.manager.closing or self.matches.closing or self.cancelling:
                return None
            if game.status != "pending":
                continue  # decided or cancelled while a previous start was awaited
            for b in game.bots:
                if b not in available:
                    available[b] = self._available(b)
            absent = [b for b in game.bots if not available[b]]
            if absent:
                missing.update(absent)
                continue
            if not all(self.roster.has_room(b) for b in game.bots):
                continue
            available.clear()  # the await below lets bots come and go
            try:
                runner = await self.matches.create(self._config(game), tournament_id=self.id)
            except (BotUnavailable, ShuttingDown, Unavailable) as exc:
                self._waits(game.no, exc.message)
                continue  # tried again when a bot, the server or the cluster is back
            except Refused as exc:
                log.error("tournament %s: game %d cannot start: %s", self.id, game.no, exc)
                self.cancel(f"cancelled: game {game.no} cannot start ({exc.message})")
                return None
            if game.status != "pending" or self.cancelling:
                # The SPRT decided, or an operator cancelled, while the match was being set up.
                runner.abort(f"tournament {self.id} no longer needs this game")
                continue
            self.state.start(game.no, runner.id)
            self._waiting.pop(game.no, None)
            self.runners[game.no] = runner
            self.manager.by_match[runner.id] = (self, game.no)
            running += 1
            await self._save([game])
        return await self._forfeit_absent(missing, now)

    def _waits(self, no: int, why: str) -> None:
        """Log why game ``no`` cannot start, once for each new reason (steps run often)."""
        if self._waiting.get(no) != why:
            self._waiting[no] = why
            log.info("tournament %s: game %d waits: %s", self.id, no, why)

    def unstored(self, no: int, match_id: str) -> None:
        """The match of game ``no`` ended but its result never reached the store: replay it."""
        runner = self.runners.get(no)
        if runner is not None and runner.id == match_id:
            del self.runners[no]
            note = f"the result of match {match_id} could not be stored; replayed"
            game = self.state.requeue(no, note)
            self._dirty[game.no] = game

    def _available(self, bot: str) -> bool:
        return self.roster.playable(bot, self.request.game)

    async def _forfeit_absent(self, missing: set[str], now: float) -> float | None:
        for bot in list(self.absent_since):
            if self._available(bot):
                del self.absent_since[bot]
        for bot in missing:
            self.absent_since.setdefault(bot, now)
        timeout = self.request.absent_timeout
        gone = {b for b, since in self.absent_since.items() if now - since >= timeout}
        changed = []
        forfeiting: set[str] = set()
        for game in self.state.pending():
            absent = gone.intersection(game.bots)
            if absent:
                forfeiting |= absent
                note = f"forfeit: {', '.join(sorted(absent))} absent for {timeout:g} s"
                changed.append(self.state.forfeit(game.no, absent, note))
        if changed:
            log.warning(
                "tournament %s: %d game(s) forfeited: %s absent for %g s",
                self.id,
                len(changed),
                ", ".join(sorted(forfeiting)),
                timeout,
            )
            changed += self._check_sprt()
            await self._save(changed)
            self.publish()
            return 0.0  # the tournament moved on: look again at once
        waiting = [since + timeout - now for b, since in self.absent_since.items() if b not in gone]
        return max(0.0, min(waiting)) if waiting else None

    def seed_of(self, no: int, attempts: int) -> int:
        """The seed of game ``no``'s match after ``attempts`` earlier attempts: it names
        the game, so a node taking the tournament over can tell whose match it is."""
        return zlib.crc32(f"{self.id}:{no}:{attempts}".encode())

    def _config(self, game: Game) -> MatchConfig:
        seed = self.seed_of(game.no, game.attempts)
        return MatchConfig(
            game=self.request.game,
            bots=list(game.bots),
            rounds=1,
            time_control=self.request.time_control,
            time_controls=time_controls_of(self.request, game.bots),
            options=opening_options(self.request.options, self.state.games, game.no),
            adjudication=self.request.adjudication,
            seed=seed,
        )

    async def match_stored(self, no: int, match_id: str, result: MatchResult) -> None:
        """The match of game ``no`` is committed: count it, or play the game again."""
        self.runners.pop(no, None)
        if result.status == "finished":
            note = None
            if result.verdict is not None:
                v = result.verdict
                note = f"{v.code}: {v.bot} — {v.message}"
            changed = [self.state.record(no, result.scores, note)]
        else:
            reason = result.reason or "aborted"
            game = self.state.requeue(no, f"match {match_id} aborted ({reason}); replayed")
            changed = [game]
            if game.status == "pending" and game.attempts >= MAX_ATTEMPTS:
                note = f"given up after {game.attempts} aborted attempts ({reason})"
                changed.append(self.state.cancel(no, note))
            if self.cancelling:
                changed += self.state.cancel_pending(self.cancel_note)
        changed += self._check_sprt()
        await self._save(changed)
        self.publish()

    def _check_sprt(self) -> list[Game]:
        before = self.state.decision
        cancelled = self.state.check_sprt()
        decision = self.state.decision
        if decision is not None and before is None:
            log.info(
                "tournament %s: SPRT accepts %s after %d games",
                self.id,
                decision.verdict,
                decision.games,
            )
            for runner in list(self.runners.values()):
                runner.abort(f"the SPRT of tournament {self.id} is decided")
            self._decided = decision_dict(decision)
        return cancelled

    async def _save(self, games: list[Game]) -> None:
        """Write these games (and any whose write failed before) and a new SPRT decision.

        Games that were stored as they are but for being cancelled now (an
        operator's cancel, an SPRT decision: thousands at once) are written as
        one ``UPDATE`` of their status and note per chunk rather than row by row."""
        async with self._saving:
            # A game listed twice changed otherwise too (re-queued, then cancelled): by row.
            seen = Counter(game.no for game in games)
            cancelled: dict[str, list[int]] = {}
            for game in games:
                if game.status == "cancelled" and seen[game.no] == 1 and game.no not in self._dirty:
                    cancelled.setdefault(game.note or "", []).append(game.no)
                else:
                    self._dirty[game.no] = game
            try:
                for note, nos in cancelled.items():
                    await self.store.tournaments.cancel_games(self.id, nos, note)
            except BaseException:  # written with the next save, row by row
                for game in games:
                    self._dirty[game.no] = game
                raise
            if self._decided is not None:
                await self.store.tournaments.set_result(self.id, self._decided)
                self._decided = None
            if self._dirty:
                rows = [game_dict(g) for g in self._dirty.values()]
                await self.store.tournaments.save_games(self.id, rows)
                self._dirty.clear()

    async def _close(self, status: Literal["finished", "cancelled"]) -> None:
        await self._save([])
        await self.store.tournaments.finish(self.id, status)
        self.status = status
        self.manager.runs.pop(self.id, None)
        self.publish()
        log.info("tournament %s %s after %d games", self.id, status, self.state.played)

    async def _fail(self, reason: str) -> None:
        """Give the tournament up: abort its matches, store it as ``failed`` with the reason."""
        self.status = "failed"
        self.manager.runs.pop(self.id, None)
        for runner in list(self.runners.values()):
            runner.abort(f"tournament {self.id} failed")
        reason = f"given up after {MAX_FAILURES} failed steps: {reason}"
        try:
            await self.store.tournaments.finish(self.id, "failed", reason)
        except Exception:  # left running in the store: the next start tries it again
            log.exception("tournament %s: could not be stored as failed", self.id)
        self.publish()

    def _lost(self, exc: TournamentLost) -> None:
        """Another node took the tournament over (this one's lease lapsed): stop running it here."""
        log.warning("tournament %s: %s; stopped here", self.id, exc)
        self.manager.runs.pop(self.id, None)
        for runner in list(self.runners.values()):
            runner.abort(f"tournament {self.id} is now run by server node {exc.owner!r}")

    def cancel(self, note: str = "cancelled by an operator") -> None:
        """Drop the games not started, abort the running ones; the task then closes it."""
        self.cancelling = True
        self.cancel_note = note
        for runner in list(self.runners.values()):
            runner.abort(f"tournament {self.id} was cancelled")
        self.wake.set()


@dataclasses.dataclass(eq=False)
class Elsewhere:
    """A match of a taken-over tournament that another node is playing: waited for."""

    id: str
    tournament_id: str | None
    finished: bool = False

    def abort(self, reason: str) -> None:
        """Left to finish on its node; its result is then not needed."""


# --- all tournaments of the server ----------------------------------------------------------


class TournamentManager:
    def __init__(self, store: Store, bus: EventBus, roster: Roster, matches: Matches) -> None:
        self.store = store
        self.bus = bus
        self.roster = roster
        self.matches = matches
        self.runs: dict[str, TournamentRun] = {}
        self.by_match: dict[str, tuple[TournamentRun, int]] = {}
        """The running match of each tournament game started here."""
        self.closing = False
        bus.subscribe(ResultStored, self._result_stored)
        bus.subscribe(MatchEnded, self._match_ended)
        bus.subscribe(BotJoined, self._bot_changed)
        bus.subscribe(BotStatus, self._bot_changed)

    async def create(self, request: TournamentRequest) -> TournamentRun:
        """Check the request, store the tournament with its schedule and start it."""
        if self.matches.closing:
            raise ShuttingDown()
        await self._check(request)
        try:
            # Up to the cap of games, planned off the event loop (other requests go on).
            state, games = await asyncio.to_thread(_plan, request)
        except TournamentError as exc:
            raise InvalidRequest("invalid_tournament", str(exc)) from None
        tid = secrets.token_hex(6)
        await self.store.tournaments.create(
            tid,
            name=request.name,
            game=request.game,
            format=request.format,
            config=msgspec.to_builtins(request),
            games=games,
        )
        run = TournamentRun(self, tid, request, state)
        self.runs[tid] = run
        run.start()
        run.publish()
        log.info(
            "tournament %s: %s of %s, %d bots", tid, request.format, request.game, len(request.bots)
        )
        return run

    async def _check(self, request: TournamentRequest) -> None:
        try:
            game = get_game(request.game)
        except UnknownGame as exc:
            raise GameNotFound("unknown_game", str(exc.args[0])) from None
        if 2 not in game.players:
            raise InvalidRequest("invalid_tournament", f"{game.name} is not a two-player game")
        cap = self.roster.settings.max_tournament_games
        try:
            planned = spec_of(request).planned_games
        except TournamentError as exc:
            raise InvalidRequest("invalid_tournament", str(exc)) from None
        if planned > cap:
            raise InvalidRequest(
                "too_many_games",
                f"this tournament would play {planned:,} games; this server allows at most "
                f"{cap:,} per tournament (--max-tournament-games)",
            )
        if not 1 <= request.concurrency <= MAX_CONCURRENCY:
            raise InvalidRequest(
                "invalid_field", f"concurrency must be from 1 to {MAX_CONCURRENCY}"
            )
        if not 0 <= request.absent_timeout <= 86_400:
            raise InvalidRequest("invalid_field", "absent_timeout must be from 0 to 86400 seconds")
        if request.name is not None and len(request.name) > 128:
            raise InvalidRequest("invalid_field", "name must be at most 128 characters")
        strangers = sorted(set(request.time_controls) - set(request.bots))
        if strangers:
            raise InvalidRequest(
                "invalid_field", f"time_controls names {quoted(strangers[0], 70)}, not in bots"
            )
        for control in request.time_controls.values():
            try:
                check_time_control(control)
            except ValueError as exc:
                raise InvalidRequest("invalid_field", f"time_controls: {exc}") from None
        if len(request.bots) >= 2:
            probe = MatchConfig(
                game=request.game,
                bots=request.bots[:2],
                time_control=request.time_control,
                time_controls=time_controls_of(request, request.bots[:2]),
                options=request.options,
                adjudication=request.adjudication,
            )
            try:
                validate_config(game, probe)
            except MatchConfigError as exc:
                raise InvalidRequest("invalid_tournament", str(exc)) from None
        for bot in dict.fromkeys(request.bots):
            info = self.roster.info(bot)
            if info is None and await self.store.get_bot(bot) is None:
                raise BotUnavailable(
                    "unknown_bot", f"bot {quoted(bot, 70)} is neither connected nor registered"
                )
            if info is not None and info.games is not None and request.game not in info.games:
                raise BotUnavailable(
                    "bot_wrong_game", f"bot {quoted(bot, 70)} does not play {game.name}"
                )

    async def resume(self) -> None:
        """Run the tournaments left running by a previous run of this node or by a lost node.

        Called at start-up and after each renewal of this node's leases: it
        claims (``TournamentStore.claim``) only this node's own tournaments and
        those whose owner's lease has lapsed, so a live node's are left alone.
        Lapsed matches are aborted and this node's interrupted ones rebuilt
        before this runs: a game whose match plays on is waited for, one whose
        match was lost is played again.
        """
        if self.closing:
            return
        for record in await self.store.tournaments.claim(running=set(self.runs)):
            if record.id in self.runs or self.closing:
                continue  # running here already: the claim only renewed its lease
            request, state = restore(record)
            run = TournamentRun(self, record.id, request, state)
            changed = []
            for game in state.running():
                resumed = None if game.match_id is None else self.matches.get(game.match_id)
                if resumed is not None:  # rebuilt after the restart: it plays on
                    run.runners[game.no] = resumed
                    self.by_match[resumed.id] = (run, game.no)
                    continue
                match = None if game.match_id is None else await self.store.get_match(game.match_id)
                if (
                    match is not None
                    and match.status in ("pending", "running")
                    and self.matches.placement is not None
                ):
                    # Still played by another node of the cluster: its result (or, if that
                    # node is lost too, its abort) comes over the bus like any other.
                    run.runners[game.no] = Elsewhere(match.id, record.id)
                    self.by_match[match.id] = (run, game.no)
                    continue
                if match is not None and match.status == "finished" and match.result is not None:
                    scores = [s.score or 0.0 for s in match.seats]
                    changed.append(state.record(game.no, scores, "counted after a restart"))
                else:
                    why = "interrupted by a server restart"
                    if match is not None and match.result is not None:
                        why = str(match.result.get("reason") or why)
                    note = f"match {game.match_id} {why}; replayed"
                    changed.append(state.requeue(game.no, note))
            changed += await self._adopt(run)
            changed += run._check_sprt()
            await run._save(changed)
            self.runs[record.id] = run
            run.start()
            log.info(
                "tournament %s resumed: %d of %d games played", record.id, state.played, state.total
            )
        self._abort_orphans()

    async def _adopt(self, run: TournamentRun) -> list[Game]:
        """Matches of the tournament that no game knows of: the lost owner started them
        and died before writing their games down. In a cluster another node plays them
        on, so their games wait for them, or count them when they have finished since
        (their result was announced while no node ran the tournament), rather than being
        played twice. A match is known by its seed, which names its game and attempt
        (``TournamentRun._config``)."""
        if self.matches.placement is None:
            return []  # a single server: its orphans were rebuilt here (``_abort_orphans``)
        known = {g.match_id for g in run.state.games if g.match_id is not None}
        adopted = []
        found = await self.store.matches.unended_or_finished_in_tournament(run.id)
        for match_id, (status, config) in sorted(found.items()):
            if match_id in known or config is None:
                continue
            seed, bots = config.get("seed"), config.get("bots")
            for game in run.state.pending():
                if bots != list(game.bots):
                    continue
                attempts = range(game.attempts, game.attempts + 2)
                if seed not in {run.seed_of(game.no, a) for a in attempts}:
                    continue
                if status == "finished":
                    match = await self.store.get_match(match_id)
                    if match is None or match.result is None:
                        break  # not readable as a result: the game is played again
                    run.state.start(game.no, match_id)
                    scores = [s.score or 0.0 for s in match.seats]
                    adopted.append(run.state.record(game.no, scores, "counted after a takeover"))
                    break
                adopted.append(run.state.start(game.no, match_id))
                run.runners[game.no] = self._local_or_elsewhere(match_id, run.id)
                self.by_match[match_id] = (run, game.no)
                break
        return adopted

    def _local_or_elsewhere(self, match_id: str, tid: str) -> MatchHandle:
        runner = self.matches.get(match_id)
        return runner if runner is not None else Elsewhere(match_id, tid)

    def _abort_orphans(self) -> None:
        """A rebuilt match of a running tournament that no game waits for is aborted.

        The server was killed after the match was stored and before its game
        was: the tournament plays that game again, so the match must not count."""
        for match_id in sorted(self.matches.resumed):
            runner = self.matches.get(match_id)
            if runner is None or runner.tournament_id not in self.runs:
                continue
            self.matches.resumed.discard(match_id)
            if match_id not in self.by_match and not runner.finished:
                runner.abort(f"tournament {runner.tournament_id} no longer needs this game")

    async def stop(self) -> None:
        """Stop every runner without ending its tournament (the next start resumes it)."""
        self.closing = True
        tasks = [run.task for run in self.runs.values() if run.task is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # --- what the bus says ------------------------------------------------------------

    def _result_stored(self, event: ResultStored) -> None:
        entry = self.by_match.pop(event.match_id, None)
        if entry is None or self.closing:
            return
        run, no = entry
        run.stored.append((no, event.match_id, event.result))
        run.wake.set()

    def _match_ended(self, event: MatchEnded) -> None:
        """Bots are free again; a match whose result was not stored is played again."""
        entry = self.by_match.pop(event.match_id, None)
        if entry is not None and not self.closing:
            run, no = entry
            run.unstored(no, event.match_id)
        self._wake_all()

    def _bot_changed(self, event: BotJoined | BotStatus) -> None:
        if event.bot.status == "idle" or len(event.bot.matches) < event.bot.max_matches:
            self._wake_all()

    def _wake_all(self) -> None:
        for run in self.runs.values():
            run.wake.set()

    def bots_in_play(self) -> set[str]:
        """Bots with games running or still to play in some tournament."""
        return {bot for run in self.runs.values() for bot in run.bots_in_play()}

    def cancel(self, tid: str) -> bool:
        run = self.runs.get(tid)
        if run is None:
            return False
        run.cancel()
        return True

"""``ringside serve --ladder``: the server keeps pairing idle bots so ratings always move.

When the bus says a bot joined or became idle, the ladder looks at the bots
connected here (at most once per ``interval``): bots that have a free match
slot and are not booked by a tournament nor held by a person's waiting request
(``match_queue``) are grouped by the games
they play (a bot that plays any game joins every group), and each group is
paired by rating (``ringside.tournament.ladder``). Each pairing is a
two-round match, seats swapped, so neither bot gets the first move twice;
time controls rotate through per-move, Fischer and byo-yomi so all three are
exercised. Results are rated like any match.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import random
from collections.abc import Callable

from ringside.games.registry import UnknownGame, get_game
from ringside.protocol.messages import (
    BotJoined,
    BotStatus,
    ByoYomi,
    Fischer,
    PerMove,
    TimeControl,
    TournamentUpdate,
)
from ringside.referee.config import MatchConfig
from ringside.server.bus import EventBus
from ringside.server.errors import BotUnavailable, Refused
from ringside.server.matches import Matches, MatchHandle
from ringside.server.session import Roster
from ringside.server.tournaments import TournamentManager
from ringside.store.repository import Store
from ringside.tournament.ladder import pair_by_rating

log = logging.getLogger("ringside.server")

TIME_CONTROLS: tuple[TimeControl, ...] = (
    PerMove(5.0),
    Fischer(30.0, 0.5),
    ByoYomi(10.0, 3, 2.0),
)
ROUNDS = 2
INTERVAL = 1.0


class Ladder:
    def __init__(
        self,
        store: Store,
        bus: EventBus,
        roster: Roster,
        matches: Matches,
        tournaments: TournamentManager | None = None,
        *,
        interval: float = INTERVAL,
        seed: int | None = None,
    ) -> None:
        self.store = store
        self.roster = roster
        self.matches = matches
        self.tournaments = tournaments
        self.interval = interval
        """The shortest time between two looks: bots idle at once are paired together."""
        self.wake = asyncio.Event()
        bus.subscribe(BotJoined, self._bot_changed)
        bus.subscribe(BotStatus, self._bot_changed)
        bus.subscribe(TournamentUpdate, self._tournament_changed)
        self.rng = random.Random(seed)
        self.last_opponent: dict[str, str] = {}
        self._clocks = itertools.cycle(TIME_CONTROLS)
        self._task: asyncio.Task[None] | None = None
        self.may_run: Callable[[], bool] = lambda: True
        """In a cluster: whether this node holds the ladder's lease (one node pairs)."""
        self.held: Callable[[], set[str]] = set
        """The bots a person's request waits for or holds (``MatchQueue.held``): not paired."""

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._main(), name="ladder")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _bot_changed(self, event: BotJoined | BotStatus) -> None:
        if len(event.bot.matches) < event.bot.max_matches:
            self.wake.set()

    def _tournament_changed(self, event: TournamentUpdate) -> None:
        if event.status != "running":
            self.wake.set()  # its bots are no longer booked

    async def _main(self) -> None:
        while not self.matches.closing:
            await self.wake.wait()
            self.wake.clear()
            if not self.may_run():
                self.wake.set()  # another node pairs; look again when this one may
                await asyncio.sleep(self.interval)
                continue
            try:
                await self.pair_idle_bots()
            except Exception:
                log.exception("ladder: pairing failed; trying again")
                self.wake.set()
            await asyncio.sleep(self.interval)

    def _groups(self) -> dict[str, list[str]]:
        """Idle bots free for the ladder, by game (only games two can play)."""
        booked: set[str] = set()
        if self.tournaments is not None:
            booked = self.tournaments.bots_in_play()
        booked = booked | self.held()
        idle: list[tuple[str, list[str] | None]] = [
            (s.name, s.games)
            for s in self.roster.bots.values()
            if s.state == "ready" and s.free_slots() > 0 and s.name not in booked
        ]
        # In a cluster, the bots of the other nodes too (only one node pairs).
        idle += [
            (info.name, info.games)
            for info in self.roster.others()
            if len(info.matches) < info.max_matches and info.name not in booked
        ]
        groups: dict[str, list[str]] = {}
        for name, games in idle:
            for game in games or []:
                groups.setdefault(game, []).append(name)
        for name, games in idle:
            if games is None:
                for members in groups.values():
                    members.append(name)
        playable = {}
        for game, members in groups.items():
            with contextlib.suppress(UnknownGame):
                if 2 in get_game(game).players and len(members) >= 2:
                    playable[game] = members
        return playable

    async def pair_idle_bots(self) -> list[MatchHandle]:
        """Start one round of ladder matches; the matches started."""
        started: list[MatchHandle] = []
        taken: set[str] = set()
        groups = list(self._groups().items())
        self.rng.shuffle(groups)
        for game, members in groups:
            free = [m for m in members if m not in taken]
            if len(free) < 2:
                continue
            skill = {r.bot_name: r.mu for r in await self.store.leaderboard(game)}
            for a, b in pair_by_rating(free, skill, self.last_opponent, self.rng):
                runner = await self._start(game, a, b)
                if runner is not None:
                    started.append(runner)
                    taken.update((a, b))
                    self.last_opponent[a], self.last_opponent[b] = b, a
        return started

    async def _start(self, game: str, a: str, b: str) -> MatchHandle | None:
        config = MatchConfig(
            game=game,
            bots=[a, b],
            rounds=ROUNDS,
            time_control=next(self._clocks),
            seed=self.rng.randrange(2**31),
        )
        try:
            return await self.matches.create(config)
        except Refused as exc:
            # A bot left or got busy between the look and the start: next time.
            level = logging.DEBUG if isinstance(exc, BotUnavailable) else logging.WARNING
            log.log(level, "ladder: %s v %s in %s not started: %s", a, b, game, exc.message)
            return None

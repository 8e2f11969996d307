"""``ringside serve --ladder``: the server keeps pairing idle bots so ratings always move.

Every second the ladder looks at the lobby: bots that are connected, have a
free match slot and are not booked by a tournament are grouped by the games
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
from typing import TYPE_CHECKING

from ringside.games.registry import UnknownGame, get_game
from ringside.protocol.messages import ByoYomi, Fischer, PerMove, TimeControl
from ringside.referee.config import MatchConfig
from ringside.server.errors import BotUnavailable, Refused
from ringside.tournament.ladder import pair_by_rating

if TYPE_CHECKING:
    from ringside.server.app import Server
    from ringside.server.runner import MatchRunner

log = logging.getLogger("ringside.server")

TIME_CONTROLS: tuple[TimeControl, ...] = (
    PerMove(5.0),
    Fischer(30.0, 0.5),
    ByoYomi(10.0, 3, 2.0),
)
ROUNDS = 2
INTERVAL = 1.0


class Ladder:
    def __init__(self, server: Server, interval: float = INTERVAL, seed: int | None = None) -> None:
        self.server = server
        self.interval = interval
        self.rng = random.Random(seed)
        self.last_opponent: dict[str, str] = {}
        self._clocks = itertools.cycle(TIME_CONTROLS)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._main(), name="ladder")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _main(self) -> None:
        while not self.server.closing:
            try:
                await self.pair_idle_bots()
            except Exception:
                log.exception("ladder: pairing failed; trying again")
            await asyncio.sleep(self.interval)

    def _groups(self) -> dict[str, list[str]]:
        """Idle bots free for the ladder, by game (only games two can play)."""
        booked = set()
        if self.server.tournaments is not None:
            booked = self.server.tournaments.bots_in_play()
        idle = [
            s
            for s in self.server.lobby.bots.values()
            if s.state == "ready" and s.free_slots() > 0 and s.name not in booked
        ]
        groups: dict[str, list[str]] = {}
        for session in idle:
            for game in session.games or []:
                groups.setdefault(game, []).append(session.name)
        for session in idle:
            if session.games is None:
                for members in groups.values():
                    members.append(session.name)
        playable = {}
        for game, members in groups.items():
            with contextlib.suppress(UnknownGame):
                if 2 in get_game(game).players and len(members) >= 2:
                    playable[game] = members
        return playable

    async def pair_idle_bots(self) -> list[MatchRunner]:
        """Start one round of ladder matches; the matches started."""
        started: list[MatchRunner] = []
        taken: set[str] = set()
        groups = list(self._groups().items())
        self.rng.shuffle(groups)
        for game, members in groups:
            free = [m for m in members if m not in taken]
            if len(free) < 2:
                continue
            skill = {r.bot_name: r.mu for r in await self.server.store.leaderboard(game)}
            for a, b in pair_by_rating(free, skill, self.last_opponent, self.rng):
                runner = await self._start(game, a, b)
                if runner is not None:
                    started.append(runner)
                    taken.update((a, b))
                    self.last_opponent[a], self.last_opponent[b] = b, a
        return started

    async def _start(self, game: str, a: str, b: str) -> MatchRunner | None:
        config = MatchConfig(
            game=game,
            bots=[a, b],
            rounds=ROUNDS,
            time_control=next(self._clocks),
            seed=self.rng.randrange(2**31),
        )
        try:
            return await self.server.create_match(config)
        except Refused as exc:
            # A bot left or got busy between the look and the start: next time.
            level = logging.DEBUG if isinstance(exc, BotUnavailable) else logging.WARNING
            log.log(level, "ladder: %s v %s in %s not started: %s", a, b, game, exc.message)
            return None

"""``--concurrency N``: one bot name, N engines, N games at once (one rating, not N).

cutechess-cli and fastchess run several games of one engine at once with a copy
of the engine per game; a Ringside bot plays several matches at once when its
``hello`` says ``max_matches``. A pool is that bot: it holds the connection and
N bridges of one kind (each with its own engine process, crash handling and
recovery), gives each new match a free bridge and sends every request of that
match to it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from ringside.bridges.engine import EngineBridge, logger
from ringside.client import Bot, MatchResult, Prepare, Request, RoundResult

MAX_CONCURRENCY = 64


class BridgePool(Bot):
    """N bridges under one name; a match plays on one of them from start to end."""

    def __init__(self, members: Sequence[EngineBridge], **kwargs: Any) -> None:
        if not 1 <= len(members) <= MAX_CONCURRENCY:
            raise ValueError(f"concurrency must be from 1 to {MAX_CONCURRENCY}")
        first = members[0]
        kwargs.setdefault("name", first.name)
        kwargs.setdefault("games", first.games)
        kwargs["max_matches"] = len(members)
        super().__init__(**kwargs)
        self.members = list(members)
        self.label = first.label
        self.assigned: dict[str, EngineBridge] = {}
        """The bridge of each match being played."""
        self.peak = 0
        """The most matches played at once so far."""
        self.stop_event = asyncio.Event()
        for member in self.members:
            member.owner = self

    def _member(self, match: str) -> EngineBridge:
        member = self.assigned.get(match)
        if member is None:
            busy = list(self.assigned.values())
            member = min(self.members, key=busy.count)  # a free one, as the server allows N
            self.assigned[match] = member
            self.peak = max(self.peak, len(self.assigned))
        return member

    async def serve(self, url: str, stop: asyncio.Event | None = None) -> None:
        """Start every engine (failing fast on a bad command), then play until stopped."""
        stop = stop or self.stop_event
        self.stop_event = stop
        try:
            for member in self.members:
                member.stop_event = stop  # an engine that gives up stops the whole bot
                await member.open_engine()
            self.engine_name = self.members[0].engine_name
            logger.info("%d %ss play as %s", len(self.members), self.label, self.name)
            await self.run_async(url, stop=stop)
        finally:
            await asyncio.gather(*(m.shut_down() for m in self.members))
        for member in self.members:
            if member.fatal is not None:
                raise member.fatal

    async def leave(self, why: str) -> list[str]:
        """The bridge is stopping: concede every running match at once, then stop."""
        conceded = await self.leave_matches(why)
        if conceded:
            logger.warning("conceded %s: %s", ", ".join(conceded), why)
        self.stop_event.set()
        return conceded

    async def decide(self, request: Request) -> Any:
        return await self._member(request.match).decide(request)

    def on_prepare(self, prepare: Prepare) -> None:
        self._member(prepare.match).on_prepare(prepare)

    def on_round_result(self, result: RoundResult) -> None:
        member = self.assigned.get(result.match)
        if member is not None:
            member.on_round_result(result)

    def on_match_result(self, result: MatchResult) -> None:
        member = self.assigned.pop(result.match, None)
        if member is not None:
            member.on_match_result(result)

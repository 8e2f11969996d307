"""A tournament's opening suite and time odds reach its games: each pair of games plays
one opening from both sides, and each bot keeps its own clock in either seat."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from ringside.protocol.messages import Fischer
from ringside.referee.adjudication import Adjudication
from ringside.server.tournaments import TournamentRequest
from ringside.testing.memory import MemoryBot, in_memory

pytest.importorskip("chess", reason="chess needs python-chess")

FENS = [
    "4k3/8/8/8/8/8/4P3/4K3 w - - 0 1",
    "4k3/4p3/8/8/8/8/8/4K3 w - - 0 1",
    "r3k3/8/8/8/8/8/8/4K2R w Kq - 0 1",
]


async def play(bot: MemoryBot, count: int, seen: list[dict[str, Any]]) -> None:
    """Play ``count`` matches politely, keeping each match's prepare and first request."""
    finished = 0
    firsts: set[str] = set()
    while finished < count:
        message = await bot.next()
        kind = message.get("type")
        if kind == "match_result":
            finished += 1
        elif kind in ("prepare", "request"):
            if kind == "prepare" or message["match"] not in firsts:
                seen.append(message)
            if kind == "request":
                firsts.add(message["match"])
        await bot.answer(message)


async def test_pairs_share_an_opening_and_bots_keep_their_clocks(tmp_path: Path) -> None:
    rich, poor = Fischer(30.0, 1.0), Fischer(20.0, 0.5)
    async with in_memory(tmp_path) as memory:
        ann, ben = await memory.bots("ann", "ben")
        request = TournamentRequest(
            game="chess",
            bots=["ann", "ben"],
            format="gauntlet",
            games_per_pair=6,
            time_controls={"ann": rich, "ben": poor},
            options={"openings": FENS},
            adjudication=Adjudication(max_plies=4),
        )
        run = await memory.server.tournaments.create(request)
        seen: dict[str, list[dict[str, Any]]] = {"ann": [], "ben": []}
        async with asyncio.timeout(60):
            await asyncio.gather(play(ann, 6, seen["ann"]), play(ben, 6, seen["ben"]))
        starts: dict[str, str] = {}
        for bot, messages in seen.items():
            own = {"ann": rich, "ben": poor}[bot]
            for message in messages:
                if message["type"] == "prepare":
                    assert message["time_control"]["base"] == own.base
                    assert len(message["time_controls"]) == 2
                else:
                    assert message["clock"]["remaining"] == own.base
                    starts[message["match"]] = message["observation"]["start_fen"]
        by_opening: dict[str, list[str]] = defaultdict(list)
        for game in sorted(run.state.games, key=lambda g: g.no):
            assert game.match_id is not None
            by_opening[starts[game.match_id]].append(" ".join(game.bots))
        assert by_opening == {fen: ["ann ben", "ben ann"] for fen in FENS}

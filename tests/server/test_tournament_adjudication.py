"""A tournament's adjudication rules reach every game it plays, and its games count the
adjudicated results like any other."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from ringside.referee.adjudication import Adjudication
from ringside.server.tournaments import TournamentRequest
from ringside.testing.memory import MemoryBot, in_memory


async def results(bot: MemoryBot, count: int) -> list[dict[str, Any]]:
    return [await bot.play() for _ in range(count)]


async def test_every_game_of_a_tournament_is_capped(tmp_path: Path) -> None:
    async with in_memory(tmp_path) as memory:
        ann, ben = await memory.bots("ann", "ben")
        request = TournamentRequest(
            game="tictactoe",
            bots=["ann", "ben"],
            games_per_pair=2,
            adjudication=Adjudication(max_plies=3),
        )
        run = await memory.server.tournaments.create(request)
        async with asyncio.timeout(20):
            seen, _ = await asyncio.gather(results(ann, 2), results(ben, 2))
        for result in seen:
            assert result["status"] == "finished" and result.get("verdict") is None
            (round_score,) = result["rounds"]
            (verdict,) = round_score["verdicts"]
            assert verdict["code"] == "adjudicated" and verdict["player"] is None
            assert verdict["message"].startswith("max_plies adjudication: 3 plies played")
            assert result["scores"] == [0.5, 0.5]
        async with asyncio.timeout(20):
            while not all(g.counted for g in run.state.games):
                await asyncio.sleep(0.01)  # the store's writes run in a thread of their own
        assert [(g.status, g.points) for g in run.state.games] == [("done", (0.5, 0.5))] * 2

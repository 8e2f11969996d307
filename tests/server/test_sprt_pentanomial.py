"""A pentanomial SPRT tournament in the whole server, through the in-memory harness.

Both bots play the first legal move, so in tic-tac-toe the first seat always
wins: every seat-swapped pair ends 1–1 and the pentanomial test accepts H0
after 9 pairs, where the trinomial one would need 74 games.
"""

from __future__ import annotations

import asyncio

import msgspec
import pytest

from ringside.server.errors import InvalidRequest
from ringside.server.tournaments import SprtRequest, TournamentRequest, restore
from ringside.testing.memory import InMemory


async def test_pentanomial_sprt_stops_on_pairs_and_survives_a_restore(memory: InMemory) -> None:
    await memory.server.start()
    ann, ben = await memory.bots("ann", "ben")
    request = TournamentRequest(
        game="tictactoe",
        bots=["ann", "ben"],
        format="gauntlet",
        games_per_pair=40,
        sprt=SprtRequest(elo0=0, elo1=100, model="pentanomial"),
    )
    run = await memory.server.tournaments.create(request)
    async with asyncio.timeout(60):
        while run.state.decision is None:
            played = run.state.played
            results = await asyncio.gather(ann.play(), ben.play())
            assert results[0]["scores"] in ([1.0, 0.0], [1, 0])
            while run.state.played == played:
                await asyncio.sleep(0.01)  # the result is stored, then counted
        while run.status == "running":
            await asyncio.sleep(0.01)
    decision = run.state.decision
    assert decision.verdict == "H0" and decision.games == 18
    assert decision.pentanomial == (0, 0, 9, 0, 0) and (decision.wins, decision.losses) == (9, 9)

    update = msgspec.to_builtins(run.update())
    sprt = update["sprt"]
    assert sprt["model"] == "pentanomial" and sprt["elo_model"] == "logistic"
    assert sprt["pentanomial"] == [0, 0, 9, 0, 0] and sprt["pairs"] == 9
    assert sprt["verdict"] == "H0" and sprt["llr"] <= sprt["lower"]

    async with asyncio.timeout(10):
        while True:
            record = await memory.server.store.tournaments.get(run.id)
            assert record is not None
            if record.result is not None and record.status != "running":
                break
            await asyncio.sleep(0.01)
    again_request, again = restore(record)
    assert again_request.sprt is not None and again_request.sprt.model == "pentanomial"
    assert again.decision == decision
    assert again.pairs_of("ann", "ben") == (0, 0, 9, 0, 0)


async def test_bad_sprt_settings_are_refused(memory: InMemory) -> None:
    await memory.bots("ann", "ben")
    base = {"game": "tictactoe", "bots": ["ann", "ben"], "format": "gauntlet"}
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({**base, "sprt": {"model": "heptanomial"}}, TournamentRequest)
    odd = TournamentRequest(
        **base,  # type: ignore[arg-type]
        games_per_pair=41,
        sprt=SprtRequest(model="pentanomial"),
    )
    wide = TournamentRequest(
        **base,  # type: ignore[arg-type]
        sprt=SprtRequest(elo1=300, model="pentanomial", elo_model="normalized"),
    )
    for request, why in ((odd, "even"), (wide, "200")):
        with pytest.raises(InvalidRequest, match=why):
            await memory.server.tournaments.create(request)

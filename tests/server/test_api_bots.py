"""``GET /api/bots/{name}``, a bot's page, against a real server process and real bots."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest

from ringside.testing.wire import ServerProcess, SpectatorClient, WireBot, post_match, start_bot

# Both bots play the first legal square: at tic-tac-toe the first player wins every round,
# so one round is a win for seat 0 and two rounds (seats swapped) a 1-1 draw.


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("bots"), ["--open"]).start()
    yield process
    process.stop()


@asynccontextmanager
async def connected(server: ServerProcess, *names: str) -> AsyncIterator[SpectatorClient]:
    """The bots online (first legal action), and a spectator watching the lobby."""
    async with aiohttp.ClientSession() as http:
        watcher = SpectatorClient(await http.ws_connect(f"{server.http}/ws/watch"))
        bots = [WireBot(name, server.ws_bot, games=["tictactoe"]) for name in names]
        tasks = [await start_bot(bot) for bot in bots]
        try:
            yield watcher
        finally:
            for task in tasks:
                task.cancel()
            for bot in bots:
                await bot.close()
            await watcher.close()


async def play(
    http: aiohttp.ClientSession,
    server: ServerProcess,
    watcher: SpectatorClient,
    bots: list[str],
    rounds: int = 1,
) -> str:
    """A tic-tac-toe match to its end: its id once its result (and rating) is stored."""
    status, created = await post_match(
        http, server, {"game": "tictactoe", "bots": bots, "rounds": rounds}
    )
    assert status == 201, created
    await watcher.wait_for(
        lambda e: (
            e.get("type") == "match_listed"
            and e["match"]["id"] == created["id"]
            and e["match"]["status"] == "finished"
        )
    )
    return str(created["id"])


async def get(http: aiohttp.ClientSession, url: str) -> tuple[int, Any]:
    async with http.get(url) as response:
        return response.status, await response.json()


async def bot_page(http: aiohttp.ClientSession, server: ServerProcess, name: str) -> Any:
    status, page = await get(http, f"{server.http}/api/bots/{quote(name, safe='')}")
    assert status == 200, page
    return page


def tally(matches: list[dict[str, Any]], name: str) -> tuple[int, int, int]:
    """Wins, draws and losses of ``name`` from the stored seats' scores."""
    wins = draws = losses = 0
    for m in matches:
        mine = next(s["score"] for s in m["seats"] if s["bot"] == name)
        others = [s["score"] for s in m["seats"] if s["bot"] != name]
        if max(others) > mine:
            losses += 1
        elif max(others) == mine:
            draws += 1
        else:
            wins += 1
    return wins, draws, losses


async def test_a_bot_page_adds_up_its_stored_matches(server: ServerProcess) -> None:
    async with (
        aiohttp.ClientSession() as http,
        connected(server, "pg-ann", "pg-bob", "pg-cid") as w,
    ):
        played = [
            await play(http, server, w, ["pg-ann", "pg-bob"]),  # ann wins
            await play(http, server, w, ["pg-bob", "pg-ann"]),  # bob wins
            await play(http, server, w, ["pg-ann", "pg-bob"], rounds=2),  # a draw
            await play(http, server, w, ["pg-ann", "pg-cid"]),  # ann wins
        ]
        page = await bot_page(http, server, "pg-ann")
        _, stored = await get(http, f"{server.http}/api/matches?bot=pg-ann&status=finished")

    assert page["name"] == "pg-ann" and page["registered"] is False
    assert page["online"]["name"] == "pg-ann" and page["online"]["status"] == "idle"
    assert (page["played"], page["wins"], page["draws"], page["losses"]) == (4, 2, 1, 1)
    assert (page["wins"], page["draws"], page["losses"]) == tally(stored["items"], "pg-ann")
    assert (page["aborted"], page["live"]) == (0, 0)

    [game] = page["games"]
    assert game["game"] == "tictactoe"
    assert (game["played"], game["wins"], game["draws"], game["losses"]) == (4, 2, 1, 1)
    # One point per rated match, oldest first, ending at the rating the leaderboard shows.
    assert [p["match_id"] for p in game["history"]] == played
    assert game["history_total"] == 4
    times = [p["at"] for p in game["history"]]
    assert times == sorted(times)
    rating = game["rating"]
    assert game["history"][-1]["elo"] == pytest.approx(rating["elo"])
    assert game["history"][-1]["mu"] == rating["mu"]
    async with aiohttp.ClientSession() as http:
        _, board = await get(http, f"{server.http}/api/leaderboard?game=tictactoe")
    [row] = [r for r in board["rows"] if r["bot"] == "pg-ann"]
    assert rating["rank"] == row["rank"] and rating["rated"] == len(board["rows"])
    assert (rating["elo"], rating["elo_low"], rating["elo_high"]) == (
        row["elo"],
        row["elo_low"],
        row["elo_high"],
    )
    assert (rating["games"], rating["wins"], rating["draws"], rating["losses"]) == (4, 2, 1, 1)

    h2h = {(h["game"], h["opponent"]): h for h in page["head_to_head"]}
    bob, cid = h2h["tictactoe", "pg-bob"], h2h["tictactoe", "pg-cid"]
    assert (bob["games"], bob["wins"], bob["draws"], bob["losses"], bob["points"]) == (
        3,
        1,
        1,
        1,
        1.5,
    )
    assert (cid["games"], cid["wins"], cid["losses"], cid["points"]) == (1, 1, 0, 1.0)
    assert [m["id"] for m in page["recent"]] == played[::-1]  # newest first
    assert page["recent"][0]["seats"][1]["bot"] == "pg-cid"
    assert page["tournaments"] == []


async def test_a_bot_online_that_never_played_has_an_empty_page(server: ServerProcess) -> None:
    async with aiohttp.ClientSession() as http, connected(server, "pg-new"):
        page = await bot_page(http, server, "pg-new")
    assert page["online"]["name"] == "pg-new"
    assert (page["played"], page["games"], page["recent"], page["head_to_head"]) == (0, [], [], [])


async def test_its_tournaments_with_its_standing(server: ServerProcess) -> None:
    async with aiohttp.ClientSession() as http, connected(server, "pg-tom", "pg-tia") as watcher:
        body = {"game": "tictactoe", "bots": ["pg-tom", "pg-tia"], "games_per_pair": 1}
        async with http.post(f"{server.http}/api/tournaments", json=body | {"name": "Cup"}) as r:
            assert r.status == 201
            tid = (await r.json())["id"]
        await watcher.wait_for(
            lambda e: (
                e.get("type") == "tournament"
                and e.get("tournament") == tid
                and e.get("status") == "finished"
            )
        )
        tom = await bot_page(http, server, "pg-tom")
        tia = await bot_page(http, server, "pg-tia")
    [cup] = tom["tournaments"]
    assert (cup["id"], cup["name"], cup["status"], cup["bots"]) == (tid, "Cup", "finished", 2)
    assert (cup["rank"], cup["points"], cup["games"]) == (1, 1.0, 1)
    assert (tia["tournaments"][0]["rank"], tia["tournaments"][0]["points"]) == (2, 0.0)
    assert tom["recent"][0]["tournament_id"] == tid


@pytest.mark.parametrize(
    ("name", "status", "code"),
    [
        ("nobody-here", 404, "unknown_bot"),
        ("x" * 65, 422, "invalid_field"),
        ("bad\u0001name", 422, "invalid_field"),
    ],
)
async def test_unknown_and_impossible_names(
    server: ServerProcess, name: str, status: int, code: str
) -> None:
    async with aiohttp.ClientSession() as http:
        got, body = await get(http, f"{server.http}/api/bots/{quote(name, safe='')}")
    assert (got, body["error"]["code"]) == (status, code)
    if status == 404:
        assert (
            body["error"]["message"] == "no bot named 'nobody-here' has registered or played here"
        )


async def test_the_openapi_document_describes_it(server: ServerProcess) -> None:
    async with aiohttp.ClientSession() as http:
        _, document = await get(http, f"{server.http}/api/openapi.json")
    op = document["paths"]["/api/bots/{name}"]["get"]
    assert op["parameters"] == [
        {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}
    ]
    assert op["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/BotPage"
    }
    assert {"404", "422"} <= set(op["responses"])
    page = document["components"]["schemas"]["BotPage"]
    assert {"games", "head_to_head", "recent", "tournaments", "online"} <= set(page["properties"])
    # Every other route with an id in its path still names it.
    assert document["paths"]["/api/matches/{id}"]["get"]["parameters"][0]["name"] == "id"

"""The whole loop of the seed over real loopback sockets and a real server process."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import aiohttp

from ringside.testing.wire import (
    ServerProcess,
    SpectatorClient,
    WireBot,
    get_json,
    post_match,
    start_bot,
)


async def test_websocket_bot_and_tcp_bot_play_a_recorded_match(
    open_server: ServerProcess, http: aiohttp.ClientSession
) -> None:
    spectator = SpectatorClient(await http.ws_connect(f"{open_server.http}/ws/watch"))
    await spectator.wait_for(lambda e: e["type"] == "lobby")
    alice = WireBot("alice-ws", open_server.ws_bot)
    bob = WireBot("bob-tcp", open_server.tcp_bot)
    tasks = [await start_bot(alice), await start_bot(bob)]
    for name in ("alice-ws", "bob-tcp"):
        await spectator.wait_for(
            lambda e, n=name: e["type"] == "bot_joined" and e["bot"]["name"] == n
        )
    bots = await get_json(http, f"{open_server.http}/api/bots")
    assert {"alice-ws", "bob-tcp"} <= {b["name"] for b in bots["bots"]}

    status, created = await post_match(
        http,
        open_server,
        {"game": "connect4", "bots": ["alice-ws", "bob-tcp"], "rounds": 2},
    )
    assert status == 201, created
    match_id = created["id"]
    await spectator.ws.send_json({"type": "watch", "match": match_id})
    result = await spectator.wait_for(lambda e: e["type"] == "match_result")
    async with asyncio.timeout(10):
        await alice.result_seen.wait()
        await bob.result_seen.wait()

    # The spectator saw a snapshot and then every event, in order, with nothing lost.
    snapshot = next(e for e in spectator.events if e["type"] == "snapshot")
    live = spectator.events[spectator.events.index(snapshot) + 1 :]
    seen = snapshot["events"] + [e for e in live if e.get("match") == match_id]
    kinds = [e["type"] for e in seen]
    assert kinds[0] == "match_started" and kinds[-1] == "match_result"
    assert kinds.count("round_result") == 2
    moves = [e for e in seen if e["type"] == "move"]
    for round_number in (1, 2):
        plies = [m["ply"] for m in moves if m["round"] == round_number]
        assert plies == list(range(1, len(plies) + 1))
    assert result["status"] == "finished"

    # The replay from the API is exactly the event stream.
    stored = await get_json(http, f"{open_server.http}/api/matches/{match_id}")
    assert stored["status"] == "finished"
    assert [e["type"] for e in stored["events"]] == kinds
    assert [e["ply"] for e in stored["events"] if e["type"] == "move"] == [m["ply"] for m in moves]
    assert len(stored["round_results"]) == 2
    assert stored["winner"] == result["winner"]

    # And the database file itself holds the match, its rounds and every move.
    db = sqlite3.connect(open_server.data_dir / "ringside.db")
    try:
        (status_row,) = db.execute("select status from matches where id = ?", (match_id,))
        assert status_row[0] == "finished"
        (n_rounds,) = db.execute("select count(*) from rounds where match_id = ?", (match_id,))
        assert n_rounds[0] == 2
        (n_moves,) = db.execute(
            # A run of moves is one row, a JSON array of them (store/event_rows.py).
            "select sum(case when type = 'moves' then json_array_length(data) else 1 end)"
            " from events where match_id = ? and type in ('move', 'moves')",
            (match_id,),
        )
        assert n_moves[0] == len(moves)
    finally:
        db.close()

    listed = await get_json(http, f"{open_server.http}/api/matches?bot=alice-ws&game=connect4")
    assert match_id in [m["id"] for m in listed["items"]]

    await alice.close()
    await bob.close()
    await spectator.wait_for(lambda e: e["type"] == "bot_left" and e["name"] == "alice-ws")
    await spectator.close()
    for task in tasks:
        task.cancel()


async def test_bad_requests_get_clear_errors(
    open_server: ServerProcess, http: aiohttp.ClientSession
) -> None:
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"game": "chesss", "bots": ["a", "b"]}, 404, "unknown_game"),
        ({"game": "connect4", "bots": ["nobody-1", "nobody-2"]}, 409, "bot_offline"),
        ({"game": "connect4", "bots": ["x"]}, 422, "invalid_match"),
        ({"game": "connect4", "bots": ["a", "b"], "rounds": "two"}, 422, "invalid_field"),
        (
            {"game": "connect4", "bots": ["a", "b"], "time_control": {"type": "hourglass"}},
            422,
            "invalid_field",
        ),
    ]
    for body, status, code in cases:
        got_status, got = await post_match(http, open_server, body)
        assert (got_status, got["error"]["code"]) == (status, code), got
        assert got["error"]["message"]
    async with http.post(f"{open_server.http}/api/matches", data=b"{nope") as response:
        assert response.status == 400
        assert (await response.json())["error"]["code"] == "malformed_json"
    async with http.get(f"{open_server.http}/api/matches/does-not-exist") as response:
        assert response.status == 404
    async with http.get(f"{open_server.http}/api/matches?limit=0") as response:
        assert response.status == 422


async def test_busy_bot_is_refused(open_server: ServerProcess, http: aiohttp.ClientSession) -> None:
    async def slow(bot: WireBot, message: dict[str, Any]) -> None:
        from ringside.testing.wire import polite_first_legal

        if message.get("type") == "request":
            await asyncio.sleep(0.05)
        await polite_first_legal(bot, message)

    bots = [WireBot(f"busy-{i}", open_server.ws_bot, behave=slow) for i in range(3)]
    tasks = [await start_bot(b) for b in bots]
    status, _ = await post_match(
        http, open_server, {"game": "connect4", "bots": ["busy-0", "busy-1"]}
    )
    assert status == 201
    status, body = await post_match(
        http, open_server, {"game": "connect4", "bots": ["busy-1", "busy-2"]}
    )
    assert (status, body["error"]["code"]) == (409, "bot_busy")
    for bot in bots:
        await bot.close()
    for task in tasks:
        task.cancel()


async def test_openapi_document_describes_the_routes(
    open_server: ServerProcess, http: aiohttp.ClientSession
) -> None:
    doc = await get_json(http, f"{open_server.http}/api/openapi.json")
    assert doc["openapi"].startswith("3.")
    assert {"/api/matches", "/api/matches/{id}", "/api/bots", "/api/games"} <= set(doc["paths"])
    body = doc["paths"]["/api/matches"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"].endswith("/MatchConfig")
    assert "MatchConfig" in doc["components"]["schemas"]
    async with http.get(f"{open_server.http}/api/docs") as response:
        assert response.status == 200 and "openapi.json" in await response.text()
    games = await get_json(http, f"{open_server.http}/api/games")
    assert "connect4" in [g["name"] for g in games["games"]]

"""OpenSpiel games over the real server: bots on TCP and WebSocket (and one in Node.js,
written from the docs) play them to the end, results are stored and rated, and nothing a
bot or a spectator receives before a round ends holds another seat's private information.
"""

from __future__ import annotations

import asyncio
import random
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from ringside.testing.wire import (
    ServerProcess,
    SpectatorClient,
    WireBot,
    answer_session,
    get_json,
    post_match,
    start_bot,
)

pyspiel = pytest.importorskip("pyspiel")

pytestmark = pytest.mark.timeout(180)

ROOT = Path(__file__).resolve().parents[2]
NODE_BOT = ROOT / "examples" / "spiel_bot.js"
PLAYED = [
    "spiel.kuhn_poker",
    "spiel.leduc_poker",
    "spiel.liars_dice",
    "spiel.goofspiel",
    "spiel.backgammon",
    "spiel.hex",
    "spiel.breakthrough",
]
HIDDEN = ["spiel.kuhn_poker", "spiel.leduc_poker", "spiel.phantom_ttt", "spiel.liars_dice"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("spiel"), ["--open"])
    process.start()
    yield process
    process.stop()


def random_legal(seed: int) -> Any:
    """A bot's behaviour: a seeded random legal action, answering everything else politely."""
    rng = random.Random(seed)

    async def behave(bot: WireBot, message: dict[str, Any]) -> None:
        if await answer_session(bot, message):
            return
        if message.get("type") == "request":
            action = rng.choice(message["legal_actions"])
            reply = {"type": "action", "match": message["match"], "id": message["id"]}
            await bot.send({**reply, "action": action})

    return behave


@pytest.fixture
async def pair(server: ServerProcess) -> AsyncIterator[tuple[WireBot, WireBot]]:
    """Two random bots of this test, one on TCP and one on WebSocket."""
    suffix = random.randrange(10**6)
    tcp = WireBot(f"tcp-{suffix}", server.tcp_bot, behave=random_legal(1))
    ws = WireBot(f"ws-{suffix}", server.ws_bot, behave=random_legal(2))
    tasks = [await start_bot(tcp), await start_bot(ws)]
    yield tcp, ws
    for task in tasks:
        task.cancel()
    for bot in (tcp, ws):
        await bot.close()


async def play(
    http: aiohttp.ClientSession, server: ServerProcess, body: dict[str, Any]
) -> dict[str, Any]:
    """Start a match and return it as stored, once its result is announced."""
    status, created = await post_match(http, server, body)
    assert status == 201, created
    url = f"{server.http}/api/matches/{created['id']}"
    async with asyncio.timeout(120):
        while True:
            stored = await get_json(http, url)
            if stored["status"] in ("finished", "aborted"):
                return dict(stored)
            await asyncio.sleep(0.05)


@pytest.mark.parametrize("game", PLAYED)
async def test_bots_on_both_transports_play_to_the_end(
    game: str,
    server: ServerProcess,
    http: aiohttp.ClientSession,
    pair: tuple[WireBot, WireBot],
) -> None:
    tcp, ws = pair
    body = {"game": game, "bots": [tcp.name, ws.name], "rounds": 2}
    stored = await play(http, server, body)
    assert stored["status"] == "finished", stored
    assert len(stored["round_results"]) == 2
    assert all(0.0 <= s <= 1.0 for r in stored["round_results"] for s in r["scores"])
    assert not [m for m in tcp.errors() + ws.errors()], tcp.errors() + ws.errors()
    board = await get_json(http, f"{server.http}/api/leaderboard?game={game}")
    assert {tcp.name, ws.name} <= {row["bot"] for row in board["rows"]}, board


async def test_a_node_bot_written_from_the_docs_plays_kuhn_poker(
    server: ServerProcess, http: aiohttp.ClientSession, pair: tuple[WireBot, WireBot]
) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("no node here")
    tcp, _ = pair
    host, port = server.tcp_bot.removeprefix("tcp://").rsplit(":", 1)
    name = f"node-{random.randrange(10**6)}"
    process = subprocess.Popen(
        [node, str(NODE_BOT), host, port, name, "spiel.kuhn_poker"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        async with asyncio.timeout(30):
            while name not in {
                b["name"] for b in (await get_json(http, f"{server.http}/api/bots"))["bots"]
            }:
                await asyncio.sleep(0.05)
        body = {"game": "spiel.kuhn_poker", "bots": [name, tcp.name], "rounds": 4}
        stored = await play(http, server, body)
        assert stored["status"] == "finished", stored
        assert stored["verdict"] is None, stored
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=10)
    assert "error" not in errors, errors


# --- hidden information ------------------------------------------------------------------


def decision_points(game_string: str, history: list[dict[str, Any]]) -> list[tuple[int, str, str]]:
    """(player, information state, observation) at each decision of a revealed round."""
    game = pyspiel.load_game(game_string)
    facts = game.get_type()
    state = game.new_initial_state()
    points = []
    for step in history:
        if not state.is_chance_node():
            player = state.current_player()
            info = (
                state.information_state_string(player)
                if facts.provides_information_state_string
                else None
            )
            seen = state.observation_string(player) if facts.provides_observation_string else None
            points.append((player, info, seen))
        state.apply_action(step["action"])
    return points


@pytest.mark.parametrize("game", HIDDEN)
async def test_no_one_learns_another_seats_secret_before_the_round_ends(
    game: str,
    server: ServerProcess,
    http: aiohttp.ClientSession,
    pair: tuple[WireBot, WireBot],
) -> None:
    tcp, ws = pair
    spectator = SpectatorClient(await http.ws_connect(f"{server.http}/ws/watch"))
    try:
        await spectator.wait_for(lambda e: e["type"] == "lobby")
        status, created = await post_match(
            http, server, {"game": game, "bots": [tcp.name, ws.name], "rounds": 2}
        )
        assert status == 201, created
        match_id = created["id"]
        await spectator.ws.send_json({"type": "watch", "match": match_id})
        await spectator.wait_for(
            lambda e: e.get("type") == "match_result" and e.get("match") == match_id
        )
    finally:
        await spectator.ws.close()
    snapshot = next(e for e in spectator.events if e["type"] == "snapshot")
    later = spectator.events[spectator.events.index(snapshot) + 1 :]
    seen = [*snapshot["events"], *[e for e in later if e.get("match") == match_id]]
    results = {e["round"]: e for e in seen if e["type"] == "round_result"}
    assert sorted(results) == [1, 2]

    # Spectators: public actions and views only, until the round is over (the view of the
    # position after its last move, where no one is to act, is the round's end: revealed).
    for event in seen:
        if event["type"] in ("move", "round_started"):
            view = event["view"]
            if event["type"] == "move":
                assert event["action"] is None, event
            if not view["to_act"]:
                continue
            assert view["public"] is True, event
            assert all(s["action"] is None and s["name"] is None for s in view["history"]), event
    for result in results.values():
        assert result["view"]["public"] is False

    # Bots: each request holds exactly OpenSpiel's own view of that seat, nothing more.
    game_string = None
    for bot in (tcp, ws):
        requests = [
            m for m in bot.received if m.get("type") == "request" and m["match"] == match_id
        ]
        assert requests
        for request in requests:
            observation = request["observation"]
            game_string = observation["game_string"]
            assert "history" not in observation and "text" not in observation, observation
        for round_number, result in results.items():
            mine = [r for r in requests if r["round"] == round_number]
            seat = mine[0]["seat"]
            points = [
                p for p in decision_points(game_string, result["view"]["history"]) if p[0] == seat
            ]
            assert len(points) == len(mine)
            for (_, info, seen_by_seat), request in zip(points, mine, strict=True):
                assert request["observation"]["information_state"] == info
                assert request["observation"]["observation"] == seen_by_seat

    # The stored log is the public one; the sealed real actions are never shown.
    stored = await get_json(http, f"{server.http}/api/matches/{match_id}")
    kinds = {e["type"] for e in stored["events"]}
    assert "sealed_move" not in kinds
    assert all(e["action"] is None for e in stored["events"] if e["type"] == "move")
    revealed = [e for e in stored["events"] if e.get("view") and not e["view"]["public"]]
    assert all(not e["view"]["to_act"] for e in revealed), revealed


async def test_the_catalogue_says_what_each_game_is_and_why_some_cannot_be_played(
    server: ServerProcess, http: aiohttp.ClientSession
) -> None:
    catalogue = await get_json(http, f"{server.http}/api/games")
    games = {g["name"]: g for g in catalogue["games"]}
    kuhn = games["spiel.kuhn_poker"]
    assert (kuhn["information"], kuhn["chance"]) == ("imperfect", True)
    assert dict(kuhn["facts"])["utility"] == "zero_sum"
    assert kuhn["board"] == "/games/spiel.kuhn_poker/board.js"
    assert games["spiel.hex"]["information"] == "perfect"
    assert games["tictactoe"]["information"] == "perfect"
    unavailable = {u["name"]: u["reason"] for u in catalogue["unavailable"]}
    assert "mean-field" in unavailable["spiel.mfg_garnet"]
    assert "default parameters" in unavailable["spiel.repeated_game"]
    assert not set(unavailable) & set(games)
    async with http.get(f"{server.http}{kuhn['board']}") as response:
        assert response.status == 200
        assert "export" in await response.text()

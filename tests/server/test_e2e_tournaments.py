"""Tournaments, SPRT, ratings and the ladder against real server processes and real bots."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from ringside.testing.wire import (
    ServerProcess,
    SpectatorClient,
    WireBot,
    get_json,
    polite_first_legal,
    start_bot,
)
from ringside.tournament import seat_points

ADMIN = "tournament-admin-token"


# --- helpers -------------------------------------------------------------------------------


class BotProcesses:
    """Built-in bots (``python -m ringside bot``) as child processes."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.processes: list[subprocess.Popen[bytes]] = []
        self.logs: list[Any] = []

    def spawn(self, name: str, game: str, strategy: str, *extra: str) -> None:
        argv = [sys.executable, "-m", "ringside", "bot", "--name", name, "--game", game]
        argv += ["--strategy", strategy, "--server", self.server.ws_bot, *extra]
        log = open(self.server.data_dir / f"bot-{name}.log", "ab")  # noqa: SIM115
        self.logs.append(log)
        self.processes.append(subprocess.Popen(argv, stdout=log, stderr=log))

    async def online(self, http: aiohttp.ClientSession, names: set[str]) -> None:
        async with asyncio.timeout(30):
            while True:
                bots = await get_json(http, f"{self.server.http}/api/bots")
                if names <= {b["name"] for b in bots["bots"]}:
                    return
                await asyncio.sleep(0.1)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in self.logs:
            log.close()


@contextlib.asynccontextmanager
async def built_in_bots(server: ServerProcess) -> AsyncIterator[BotProcesses]:
    bots = BotProcesses(server)
    try:
        yield bots
    finally:
        bots.stop()


async def cli(*args: str, timeout: float = 90) -> tuple[int, str, str]:
    """Run ``python -m ringside.cli.tournament ARGS`` without blocking the event loop."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ringside.cli.tournament",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "COLUMNS": "160"},
    )
    async with asyncio.timeout(timeout):
        out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def stored_matches(data_dir: Path, tournament_id: str) -> dict[str, dict[str, Any]]:
    """Every match stored with this tournament id: status and the scores of its seats."""
    db = sqlite3.connect(data_dir / "ringside.db")
    try:
        matches: dict[str, dict[str, Any]] = {}
        rows = db.execute(
            "SELECT m.id, m.status, s.player, s.bot_name, s.score FROM matches m"
            " JOIN match_seats s ON s.match_id = m.id WHERE m.tournament_id = ?"
            " ORDER BY m.id, s.player",
            (tournament_id,),
        )
        for match_id, status, _player, bot, score in rows:
            entry = matches.setdefault(match_id, {"status": status, "bots": [], "scores": []})
            entry["bots"].append(bot)
            entry["scores"].append(score)
        return matches
    finally:
        db.close()


def assert_cross_table_equals_stored(detail: dict[str, Any], data_dir: Path) -> None:
    """Totals of the cross table are exactly the points of the finished stored matches.

    (Plus games forfeited for absence, which have no match; the tests that need
    the strict equality have none.)
    """
    matches = stored_matches(data_dir, detail["id"])
    finished = {m: v for m, v in matches.items() if v["status"] == "finished"}
    points: Counter[str] = Counter()
    games: Counter[str] = Counter()
    pair_points: Counter[tuple[str, str]] = Counter()
    for match in finished.values():
        for seat, (bot, p) in enumerate(
            zip(match["bots"], seat_points(match["scores"]), strict=True)
        ):
            points[bot] += p
            games[bot] += 1
            pair_points[bot, match["bots"][1 - seat]] += p
    for game in detail["games"]:  # forfeits for absence sit in the table too, with no match
        if game["status"] == "forfeit":
            for seat, bot in enumerate(game["bots"]):
                points[bot] += game["points"][seat]
                games[bot] += 1
                pair_points[bot, game["bots"][1 - seat]] += game["points"][seat]
    for row in detail["cross_table"]:
        assert row["points"] == points[row["bot"]], row
        assert row["games"] == games[row["bot"]], row
        for other, cell in row["cells"].items():
            assert cell["points"] == pair_points[row["bot"], other]
    counted = [g for g in detail["games"] if g["status"] == "done"]
    assert len(counted) == len(finished), "one counted game per finished match"
    assert sorted(g["match_id"] for g in counted) == sorted(finished), "each match counted once"
    assert detail["played"] == len(finished) + sum(
        1 for g in detail["games"] if g["status"] == "forfeit"
    )


async def wait_finished(http: aiohttp.ClientSession, server: ServerProcess, tid: str) -> Any:
    async with asyncio.timeout(90):
        while True:
            detail = await get_json(http, f"{server.http}/api/tournaments/{tid}")
            if detail["status"] != "running":
                return detail
            await asyncio.sleep(0.2)


async def post(
    http: aiohttp.ClientSession,
    server: ServerProcess,
    path: str,
    body: Any,
    token: str | None = None,
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with http.post(f"{server.http}{path}", json=body, headers=headers) as response:
        return response.status, await response.json()


def started_id(output: str) -> str:
    found = re.search(r"Tournament (\w+) started", output)
    assert found, output
    return found.group(1)


# --- round-robin of built-in bots ------------------------------------------------------------


async def test_round_robin_of_built_in_bots(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path, ["--open"]).start()
    try:
        async with aiohttp.ClientSession() as http, built_in_bots(server) as bots:
            spectator = SpectatorClient(await http.ws_connect(f"{server.http}/ws/watch"))
            for name, strategy in (
                ("ab1", "alphabeta"),
                ("ab2", "alphabeta"),
                ("rnd1", "random"),
                ("rnd2", "random"),
            ):
                bots.spawn(name, "tictactoe", strategy)
            await bots.online(http, {"ab1", "ab2", "rnd1", "rnd2"})
            code, out, err = await cli(
                "tournament",
                "--game", "tictactoe",
                "--format", "round-robin",
                "--bots", "ab1,ab2,rnd1,rnd2",
                "--games-per-pair", "4",
                "--concurrency", "4",
                "--time-control", "per_move:2",
                "--server", server.http,
                "--poll", "0.2",
            )  # fmt: skip
            assert code == 0, err
            assert "Standings" in out and "Cross table" in out
            tid = started_id(out)
            detail = await get_json(http, f"{server.http}/api/tournaments/{tid}")
            assert detail["status"] == "finished"
            assert detail["played"] == detail["total"] == 24 and detail["left"] == 0
            assert_cross_table_equals_stored(detail, tmp_path)
            rows = {r["bot"]: r for r in detail["standings"]}
            assert all(r["games"] == 12 for r in rows.values())
            assert sum(r["points"] for r in rows.values()) == 24
            # alpha-beta never loses tic-tac-toe
            assert rows["ab1"]["losses"] == rows["ab2"]["losses"] == 0
            assert {detail["standings"][0]["bot"], detail["standings"][1]["bot"]} == {"ab1", "ab2"}
            # seats balanced: every bot had the first seat in half of its games
            firsts = Counter(g["bots"][0] for g in detail["games"])
            assert set(firsts.values()) == {6}
            update = await spectator.wait_for(
                lambda e: e["type"] == "tournament" and e["status"] == "finished"
            )
            assert update["tournament"] == tid and update["played"] == 24
            assert update["standings"][0]["bot"] in ("ab1", "ab2")
            await spectator.close()

            # every match was rated as it was stored
            board = await get_json(http, f"{server.http}/api/leaderboard?game=tictactoe")
            assert [r["games"] for r in board["rows"]] == [12, 12, 12, 12]
            assert {r["bot"] for r in board["rows"][:2]} == {"ab1", "ab2"}
            top = board["rows"][0]
            assert top["elo_low"] < top["elo"] < top["elo_high"]
            code, out, _ = await cli("leaderboard", "tictactoe", "--server", server.http)
            assert code == 0 and "tictactoe leaderboard" in out and "rnd2" in out
    finally:
        server.stop()
    # Rebuilding from the stored matches gives the very same ratings.
    db = sqlite3.connect(tmp_path / "ringside.db")
    before = db.execute("SELECT * FROM ratings ORDER BY game, bot_name").fetchall()
    db.close()
    code, out, err = await cli("ratings", "rebuild", "--data-dir", str(tmp_path))
    assert code == 0, err
    assert "from 24 finished match(es)" in out
    db = sqlite3.connect(tmp_path / "ringside.db")
    assert db.execute("SELECT * FROM ratings ORDER BY game, bot_name").fetchall() == before
    db.close()


# --- SPRT -------------------------------------------------------------------------------------


async def test_sprt_strong_against_random_stops_early_with_h1(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path, ["--open"]).start()
    try:
        async with aiohttp.ClientSession() as http, built_in_bots(server) as bots:
            bots.spawn("deep", "connect4", "alphabeta", "--depth", "4")
            bots.spawn("lucky", "connect4", "random")
            await bots.online(http, {"deep", "lucky"})
            code, out, err = await cli(
                "tournament",
                "-g", "connect4",
                "-f", "gauntlet",
                "--bots", "deep,lucky",
                "--games-per-pair", "200",
                "--time-control", "per_move:3",
                "--sprt", "elo0=0", "elo1=100", "alpha=0.05", "beta=0.05",
                "--server", server.http,
                "--poll", "0.2",
            )  # fmt: skip
            assert code == 0, err
            assert "H1 accepted: deep is stronger than lucky" in out, out
            assert "Elo difference" in out and "LLR" in out
            detail = await get_json(http, f"{server.http}/api/tournaments/{started_id(out)}")
    finally:
        server.stop()
    sprt = detail["sprt"]
    assert sprt["verdict"] == "H1" and sprt["llr"] >= sprt["upper"]
    assert 12 <= sprt["games"] <= 40, "all but certain wins need about a dozen games"
    assert sprt["wins"] > 3 * sprt["losses"]
    assert sprt["elo_low"] is not None and sprt["elo_low"] > 0
    assert f"games {sprt['games']}: +{sprt['wins']}" in out
    statuses = Counter(g["status"] for g in detail["games"])
    assert statuses["pending"] == statuses["running"] == 0
    assert statuses["cancelled"] >= 200 - 40
    assert_cross_table_equals_stored(detail, tmp_path)


async def test_sprt_between_identical_bots_claims_no_difference(tmp_path: Path) -> None:
    """Two perfect tic-tac-toe players draw every game: the test must not find a difference."""
    server = ServerProcess(tmp_path, ["--admin-token", ADMIN, "--open"]).start()
    try:
        async with aiohttp.ClientSession() as http, built_in_bots(server) as bots:
            bots.spawn("twin-a", "tictactoe", "alphabeta")
            bots.spawn("twin-b", "tictactoe", "alphabeta")
            await bots.online(http, {"twin-a", "twin-b"})
            body = {
                "game": "tictactoe",
                "format": "gauntlet",
                "bots": ["twin-a", "twin-b"],
                "games_per_pair": 30,
                "time_control": {"type": "per_move", "seconds": 2},
                "sprt": {"elo0": 0, "elo1": 50, "alpha": 0.05, "beta": 0.05},
            }
            status, created = await post(http, server, "/api/tournaments", body, ADMIN)
            assert status == 201, created
            detail = await wait_finished(http, server, created["id"])
    finally:
        server.stop()
    sprt = detail["sprt"]
    assert sprt["verdict"] != "H1"
    assert sprt["games"] <= 30 and sprt["draws"] == sprt["games"]
    assert sprt["elo"] == 0.0 and sprt["elo_low"] < 0 < sprt["elo_high"]
    assert_cross_table_equals_stored(detail, tmp_path)


# --- crash and restart --------------------------------------------------------------------------


async def slow_first_legal(bot: WireBot, message: dict[str, Any]) -> None:
    if message.get("type") == "request":
        await asyncio.sleep(0.05)
    await polite_first_legal(bot, message)


async def connect(
    server: ServerProcess, names: list[str]
) -> tuple[list[WireBot], list[asyncio.Task[None]]]:
    bots = [WireBot(n, server.ws_bot, behave=slow_first_legal) for n in names]
    tasks = [await start_bot(b) for b in bots]
    return bots, tasks


async def disconnect(bots: list[WireBot], tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    for bot in bots:
        await bot.close()


async def test_tournament_resumes_after_sigkill_and_counts_every_game_once(tmp_path: Path) -> None:
    names = ["ann", "ben", "cat", "dan"]
    server = ServerProcess(tmp_path, ["--open"]).start()
    async with aiohttp.ClientSession() as http:
        try:
            bots, tasks = await connect(server, names)
            body = {"game": "tictactoe", "bots": names, "games_per_pair": 2, "concurrency": 2}
            status, created = await post(http, server, "/api/tournaments", body)
            assert status == 201, created
            tid = created["id"]
            async with asyncio.timeout(30):
                while True:
                    detail = await get_json(http, f"{server.http}/api/tournaments/{tid}")
                    if detail["played"] >= 4 and detail["running"] >= 1:
                        break
                    await asyncio.sleep(0.02)
            server.kill()
            await disconnect(bots, tasks)
        finally:
            server.kill()
        restarted = ServerProcess(tmp_path, ["--open"]).start()
        try:
            resumed = await get_json(http, f"{restarted.http}/api/tournaments/{tid}")
            assert resumed["status"] == "running"
            interrupted = {
                g["no"]: g["match_id"] for g in resumed["games"] if g["status"] == "running"
            }
            assert interrupted, "the games running at the kill play on: their matches are rebuilt"
            bots, tasks = await connect(restarted, names)
            detail = await wait_finished(http, restarted, tid)
            await disconnect(bots, tasks)
        finally:
            restarted.stop()
    assert detail["status"] == "finished" and detail["played"] == 12
    assert all(g["status"] == "done" for g in detail["games"])
    games = {g["no"]: g for g in detail["games"]}
    for no, match_id in interrupted.items():
        assert games[no]["match_id"] == match_id and games[no]["attempts"] == 1, games[no]
    matches = stored_matches(tmp_path, tid)
    assert all(matches[m]["status"] == "finished" for m in interrupted.values())
    assert_cross_table_equals_stored(detail, tmp_path)
    assert sum(row["games"] for row in detail["standings"]) == 24


# --- absent bots, validation, admin token -------------------------------------------------------


def register(data_dir: Path, name: str) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "ringside", "bots", "add", name, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.strip().rsplit(" ", 1)[-1]


async def test_absent_bot_forfeits_and_requests_are_checked(tmp_path: Path) -> None:
    tokens = {name: register(tmp_path, name) for name in ("ann", "ben", "ghost")}
    server = ServerProcess(tmp_path, ["--admin-token", ADMIN]).start()
    try:
        async with aiohttp.ClientSession() as http:
            bots = [WireBot(n, server.tcp_bot, tokens[n]) for n in ("ann", "ben")]
            tasks = [await start_bot(b) for b in bots]
            body: dict[str, Any] = {
                "game": "tictactoe",
                "bots": ["ann", "ben", "ghost"],
                "games_per_pair": 2,
                "absent_timeout": 0.5,
                "name": "with a ghost",
            }
            status, refused = await post(http, server, "/api/tournaments", body)
            assert (status, refused["error"]["code"]) == (401, "unauthorized")
            for bad, code in (
                ({**body, "format": "knockout"}, 422),
                ({**body, "game": "chesss"}, 404),
                ({**body, "bots": ["ann", "nobody"]}, 409),
                ({**body, "sprt": {"elo0": 0, "elo1": 5}}, 422),
                ({**body, "concurrency": 0}, 422),
                ({**body, "games_per_pair": 0}, 422),
            ):
                status, refused = await post(http, server, "/api/tournaments", bad, ADMIN)
                assert status == code, (bad, refused)
            status, created = await post(http, server, "/api/tournaments", body, ADMIN)
            assert status == 201, created
            detail = await wait_finished(http, server, created["id"])
            listed = await get_json(http, f"{server.http}/api/tournaments?status=finished")
            assert [t["id"] for t in listed["items"]] == [created["id"]]
            assert listed["items"][0]["name"] == "with a ghost"
            status, _ = await post(
                http, server, f"/api/tournaments/{created['id']}/cancel", {}, ADMIN
            )
            assert status == 409
            async with http.get(f"{server.http}/api/tournaments/nope") as response:
                assert response.status == 404
            async with http.get(f"{server.http}/api/leaderboard") as response:
                assert response.status == 422
            paths = (await get_json(http, f"{server.http}/api/openapi.json"))["paths"]
            assert paths["/api/tournaments"]["post"]["security"] == [{"adminToken": []}]
            assert {
                "/api/leaderboard",
                "/api/tournaments/{id}",
                "/api/tournaments/{id}/cancel",
            } <= set(paths)
            for task in tasks:
                task.cancel()
            for bot in bots:
                await bot.close()
    finally:
        server.stop()
    rows = {r["bot"]: r for r in detail["standings"]}
    assert rows["ghost"]["forfeits"] == 4 and rows["ghost"]["points"] == 0
    assert rows["ann"]["games"] == rows["ben"]["games"] == 4
    forfeits = [g for g in detail["games"] if g["status"] == "forfeit"]
    assert len(forfeits) == 4 and all("ghost absent" in g["note"] for g in forfeits)
    assert_cross_table_equals_stored(detail, tmp_path)


# --- ladder ------------------------------------------------------------------------------------


async def test_ladder_keeps_pairing_idle_bots(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path, ["--open", "--ladder"]).start()
    try:
        async with aiohttp.ClientSession() as http:
            bots = [WireBot(n, server.ws_bot, games=["tictactoe"]) for n in ("x", "y", "z")]
            loner = WireBot("loner", server.tcp_bot, games=["connect4"])
            tasks = [await start_bot(b) for b in [*bots, loner]]
            async with asyncio.timeout(30):
                while True:
                    board = await get_json(http, f"{server.http}/api/leaderboard?game=tictactoe")
                    if len(board["rows"]) == 3 and min(r["games"] for r in board["rows"]) >= 2:
                        break
                    await asyncio.sleep(0.2)
            page = await get_json(http, f"{server.http}/api/matches?bot=loner")
            assert page["total"] == 0, "nobody else plays connect4"
            body = {"game": "tictactoe", "bots": ["x", "loner"]}
            status, refused = await post(http, server, "/api/tournaments", body)
            assert (status, refused["error"]["code"]) == (409, "bot_wrong_game")
            matches = await get_json(http, f"{server.http}/api/matches?game=tictactoe")
            assert all(m["rounds"] == 2 for m in matches["items"])
            pairs = {frozenset(m["bots"]) for m in matches["items"]}
            assert len(pairs) >= 2, "the ladder varies the pairings"
            for task in tasks:
                task.cancel()
            for bot in [*bots, loner]:
                await bot.close()
    finally:
        server.stop()


@pytest.mark.parametrize("tokens", [["elo0=0", "elo1=5"], ["elo0=0 elo1=5, alpha=0.01"]])
def test_sprt_words_parse(tokens: list[str]) -> None:
    from ringside.cli.tournament import parse_sprt

    parsed = parse_sprt(tokens)
    assert parsed["elo0"] == 0 and parsed["elo1"] == 5


def test_sprt_model_words_parse() -> None:
    import typer

    from ringside.cli.tournament import parse_sprt

    parsed = parse_sprt(["elo0=0 elo1=2 model=pentanomial", "elo_model=normalized"])
    assert parsed == {"elo0": 0, "elo1": 2, "model": "pentanomial", "elo_model": "normalized"}
    with pytest.raises(typer.Exit):
        parse_sprt(["model=heptanomial"])

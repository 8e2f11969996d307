"""A round-robin tournament across three nodes while one of them is killed (SIGKILL).

Ten bots spread over nodes a, b and c play a single round-robin of tic-tac-toe
(45 games), created through node c. Mid-tournament a node running matches of
the tournament is killed; its bots, disconnected, come back through another
node; the node is started again under the same id. Every game must then be
counted exactly once, from exactly one finished stored match, and the matches
the dead node was running are aborted (``node_lost``) and their games played
again. Waits are on states (games stored, a request held, a task ended);
timeouts only bound a test that would otherwise hang.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg  # type: ignore[import-untyped]
import pytest

from ringside.testing.cluster import Cluster, running_cluster, until
from ringside.testing.postgres import PostgresServer
from ringside.testing.redis import RedisUnavailable, find_binary
from ringside.testing.wire import ServerProcess, WireBot, get_json, polite_first_legal
from ringside.tournament import seat_points

pytestmark = pytest.mark.timeout(240)

GAME = "tictactoe"
HOMES = {
    "a": ["ann", "abe", "amy", "art"],
    "b": ["bea", "bob", "bud"],
    "c": ["cal", "cat", "cid"],
}
NAMES = [name for names in HOMES.values() for name in names]
GAMES = len(NAMES) * (len(NAMES) - 1) // 2


@pytest.fixture
def cluster(tmp_path: Path, postgres_server: PostgresServer) -> Iterator[Cluster]:
    try:
        find_binary()
    except RedisUnavailable as exc:
        pytest.skip(str(exc))
    with running_cluster(tmp_path, postgres_server=postgres_server) as running:
        yield running


class Fleet:
    """The bots of the test: each plays its first legal move, a little slowly, except in
    a frozen match, where it answers nothing (the match waits on it until its node dies)."""

    def __init__(self) -> None:
        self.bots: dict[str, WireBot] = {}
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self.frozen: set[str] = set()
        self.held: set[str] = set()
        """Frozen matches that a bot has a request of, left unanswered."""
        self.unanswered: list[tuple[WireBot, dict[str, Any]]] = []

    async def thaw(self, match_id: str) -> None:
        """Play on in a frozen match: answer its held request."""
        self.frozen.discard(match_id)
        for bot, message in [u for u in self.unanswered if u[1]["match"] == match_id]:
            self.unanswered.remove((bot, message))
            await polite_first_legal(bot, message)

    async def behave(self, bot: WireBot, message: dict[str, Any]) -> None:
        if message.get("type") == "request":
            if message.get("match") in self.frozen:
                self.held.add(message["match"])
                self.unanswered.append((bot, message))
                return
            await asyncio.sleep(0.02)
        await polite_first_legal(bot, message)

    async def join(self, name: str, url: str) -> None:
        """Connect ``name`` through ``url``; its name may still be held by a node just
        killed (until that node counts as lost): then try again."""
        async with asyncio.timeout(30):
            while True:
                bot = WireBot(name, url, behave=self.behave, games=[GAME])
                await bot.connect()
                first = await bot.receive()
                if first is not None and first.get("type") == "welcome":
                    bot.received.append(first)
                    bot.welcomed.set()
                    self.bots[name] = bot
                    self.tasks[name] = asyncio.get_running_loop().create_task(bot.run())
                    return
                await bot.close()
                assert first is None or first.get("code") == "name_taken", first
                await asyncio.sleep(0.1)

    async def cut_off(self, names: list[str]) -> None:
        """Wait until these bots' connections are closed (their node was killed)."""
        async with asyncio.timeout(30):
            for name in names:
                await asyncio.wait([self.tasks[name]])
        for name in names:
            await self.bots[name].close()

    async def close(self) -> None:
        for task in self.tasks.values():
            task.cancel()
        for bot in self.bots.values():
            await bot.close()


def url_of(node: ServerProcess, index: int) -> str:
    return node.ws_bot if index % 2 == 0 else node.tcp_bot


class Db:
    """Reads of the cluster's PostgreSQL database."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection

    async def owner_of_tournament(self, tid: str) -> str:
        owner = await self.connection.fetchval("SELECT owner FROM tournaments WHERE id = $1", tid)
        return str(owner)

    async def running_matches(self, tid: str) -> list[tuple[str, str]]:
        rows = await self.connection.fetch(
            "SELECT id, owner FROM matches WHERE tournament_id = $1 AND status = 'running'", tid
        )
        return [(r["id"], r["owner"]) for r in rows]

    async def status_of(self, match_id: str) -> str:
        status = await self.connection.fetchval(
            "SELECT status FROM matches WHERE id = $1", match_id
        )
        return str(status)

    async def matches(self, tid: str) -> dict[str, dict[str, Any]]:
        """Every match stored with this tournament id: status, reason, bots and scores."""
        rows = await self.connection.fetch(
            "SELECT m.id, m.status, m.result::text AS result, s.bot_name, s.score"
            " FROM matches m JOIN match_seats s ON s.match_id = m.id"
            " WHERE m.tournament_id = $1 ORDER BY m.id, s.player",
            tid,
        )
        matches: dict[str, dict[str, Any]] = {}
        for row in rows:
            result = json.loads(row["result"]) if row["result"] else {}
            entry = matches.setdefault(
                row["id"],
                {"status": row["status"], "reason": result.get("reason"), "bots": [], "scores": []},
            )
            entry["bots"].append(row["bot_name"])
            entry["scores"].append(row["score"])
        return matches


async def connect_db(cluster: Cluster) -> Db:
    url = cluster.database_url.replace("postgresql+asyncpg://", "postgresql://")
    return Db(await asyncpg.connect(url))


async def start_tournament(http: aiohttp.ClientSession, node: ServerProcess) -> str:
    body = {
        "game": GAME,
        "bots": NAMES,
        "games_per_pair": 1,
        "concurrency": 5,
        "time_control": {"type": "per_move", "seconds": 30},
    }
    async with http.post(f"{node.http}/api/tournaments", json=body) as response:
        created = await response.json()
        assert response.status == 201, created
    return str(created["id"])


async def freeze_a_match_of(fleet: Fleet, db: Db, tid: str, nodes: set[str]) -> str:
    """A running match of the tournament run by one of ``nodes``, frozen: its bots hold its
    next request, so it is still running until the test thaws it or its node dies."""

    async def frozen_match() -> str | None:
        for match_id, owner in await db.running_matches(tid):
            if owner not in nodes or match_id in fleet.frozen:
                continue
            fleet.frozen.add(match_id)

            async def settled(match_id: str = match_id) -> bool:
                return match_id in fleet.held or await db.status_of(match_id) != "running"

            await until(settled, 30)
            if match_id in fleet.held:
                return match_id
        return None

    return str(await until(frozen_match, 60))


async def wait_finished(
    http: aiohttp.ClientSession, node: ServerProcess, tid: str, cluster: Cluster
) -> Any:
    url = f"{node.http}/api/tournaments/{tid}"

    async def finished() -> Any:
        detail = await get_json(http, url)
        return detail if detail["status"] != "running" else None

    try:
        return await until(finished, 150)
    except AssertionError:
        detail = await get_json(http, url)
        stuck = [g for g in detail["games"] if g["status"] != "done"]
        raise AssertionError(f"not finished: {stuck}\n{cluster.logs(60)}") from None


def assert_each_game_counted_once(detail: dict[str, Any], matches: dict[str, Any]) -> None:
    """One finished stored match per game, counted by that game; aborted ones replayed."""
    assert detail["status"] == "finished", detail
    assert detail["played"] == detail["total"] == GAMES, detail
    games = detail["games"]
    assert len(games) == GAMES, games
    assert all(g["status"] == "done" for g in games), [g for g in games if g["status"] != "done"]
    finished = {m: v for m, v in matches.items() if v["status"] == "finished"}
    by_pair: dict[frozenset[str], list[str]] = {}
    for match_id, match in matches.items():
        by_pair.setdefault(frozenset(match["bots"]), []).append(match_id)
    assert len(by_pair) == GAMES
    for game in games:
        played = by_pair[frozenset(game["bots"])]
        counted = [m for m in played if m in finished]
        assert counted == [game["match_id"]], (game, {m: matches[m] for m in played})
        # A node killed between starting a game's match and writing the game down leaves
        # a match (aborted, node_lost) its game does not count as an attempt: at most one.
        uncounted = len(played) - game["attempts"]
        assert uncounted in (0, 1), (game, {m: matches[m] for m in played})
        for match_id in played:
            if match_id != game["match_id"]:
                assert matches[match_id]["status"] == "aborted", matches[match_id]
    # The table is exactly the points of the finished matches.
    points: defaultdict[str, float] = defaultdict(float)
    played_games: Counter[str] = Counter()
    pair_points: defaultdict[tuple[str, str], float] = defaultdict(float)
    for match in finished.values():
        for seat, (bot, p) in enumerate(
            zip(match["bots"], seat_points(match["scores"]), strict=True)
        ):
            points[bot] += p
            played_games[bot] += 1
            pair_points[bot, match["bots"][1 - seat]] += p
    for row in detail["cross_table"]:
        assert row["points"] == points[row["bot"]], row
        assert row["games"] == played_games[row["bot"]] == len(NAMES) - 1, row
        for other, cell in row["cells"].items():
            assert cell["points"] == pair_points[row["bot"], other], (row["bot"], other)
    rows = {r["bot"]: r for r in detail["standings"]}
    assert sum(r["points"] for r in rows.values()) == GAMES
    assert all(r["games"] == len(NAMES) - 1 for r in rows.values()), rows


async def play_and_kill(
    cluster: Cluster, http: aiohttp.ClientSession, pick_victim: str
) -> tuple[str, dict[str, Any], dict[str, Any], str]:
    """Run the tournament through node c, kill a node mid-way, bring everything back.

    ``pick_victim``: ``"other"`` kills a node (not c) running a match of the tournament;
    ``"owner"`` kills the tournament's own node. Returns the tournament id, its final
    detail, its stored matches and the killed node's name."""
    fleet = Fleet()
    db = await connect_db(cluster)
    try:
        for name, bots in HOMES.items():
            for i, bot in enumerate(bots):
                await fleet.join(bot, url_of(cluster[name], i))

        async def all_online() -> bool:
            online = await get_json(http, f"{cluster['c'].http}/api/bots")
            return {x["name"] for x in online["bots"]} >= set(NAMES)

        await until(all_online, 60)
        tid = await start_tournament(http, cluster["c"])
        owner = await db.owner_of_tournament(tid)
        assert owner == "node-c"

        async def some_stored() -> bool:
            detail = await get_json(http, f"{cluster['c'].http}/api/tournaments/{tid}")
            return bool(detail["played"] >= 8)

        await until(some_stored, 60)
        if pick_victim == "owner":
            victim = owner
        else:
            # The node (other than the owner) running the most matches of the tournament.
            async def runs_some() -> str | None:
                owners = Counter(o for _, o in await db.running_matches(tid) if o != owner)
                return owners.most_common(1)[0][0] if owners else None

            victim = str(await until(runs_some, 60))
        name = victim.removeprefix("node-")
        survivors = [n for n in HOMES if n != name]
        playing_on = None
        if victim == owner:
            # A game playing on a survivor while the tournament changes hands: the new
            # owner must wait for its result, not play the game again.
            others = {f"node-{n}" for n in survivors}
            playing_on = await freeze_a_match_of(fleet, db, tid, others)
        frozen = await freeze_a_match_of(fleet, db, tid, {victim})
        cluster.kill(name)
        await fleet.cut_off(HOMES[name])
        for i, bot in enumerate(HOMES[name]):
            await fleet.join(bot, url_of(cluster[survivors[i % 2]], i))
        if playing_on is not None:

            async def taken_over() -> bool:
                return await db.owner_of_tournament(tid) != owner

            await until(taken_over, 60)
            await fleet.thaw(playing_on)

        async def frozen_aborted() -> bool:
            return await db.status_of(frozen) == "aborted"

        await until(frozen_aborted, 60)
        cluster.add_node(name)
        detail = await wait_finished(http, cluster[survivors[0]], tid, cluster)
        matches = await db.matches(tid)
        assert matches[frozen]["status"] == "aborted"
        if playing_on is not None:
            assert matches[playing_on]["status"] == "finished"
        return tid, detail, matches, name
    finally:
        await fleet.close()
        await db.connection.close()


async def test_a_node_running_games_is_killed(
    cluster: Cluster, http: aiohttp.ClientSession
) -> None:
    _tid, detail, matches, killed = await play_and_kill(cluster, http, "other")
    assert killed != "c"
    assert_each_game_counted_once(detail, matches)
    lost = {m: v for m, v in matches.items() if v["status"] == "aborted"}
    assert lost, "the killed node's running matches are recorded aborted"
    assert all(str(v["reason"]).startswith("node_lost") for v in lost.values()), lost


async def test_the_tournaments_own_node_is_killed(
    cluster: Cluster, http: aiohttp.ClientSession
) -> None:
    _tid, detail, matches, killed = await play_and_kill(cluster, http, "owner")
    assert killed == "c"
    try:
        assert_each_game_counted_once(detail, matches)
    except AssertionError as exc:
        notes = [(g["no"], g["bots"], g["status"], g.get("note")) for g in detail["games"]]
        raise AssertionError(f"{exc}\n{notes}\n{cluster.logs(300)}") from None
    lost = {m: v for m, v in matches.items() if v["status"] == "aborted"}
    assert lost, "the killed node's running matches are recorded aborted"
    assert all(str(v["reason"]).startswith("node_lost") for v in lost.values()), lost

"""``GET /api/matches`` on a real SQLite database of many matches: first and later pages.

    python -m bench.listing                 # 30,000 matches, 25 a page (the web page's size)
    python -m bench.listing --matches 700

Fills a fresh database (in a temporary folder) with finished matches of two
seats each, in one transaction, then times the real HTTP application
(in-process aiohttp server, real client over loopback): the first page,
with and without filters, and a page about half-way down. A later page is
reached the way a client reaches it: with ``offset`` where the API pages by
offset, or by following ``next`` cursors where it pages by keyset. Prints
the median and p90 of each, in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer
from sqlalchemy import insert

from ringside.server.app import Settings, build_server
from ringside.server.main import build_app
from ringside.store import Store, open_store, sqlite_url
from ringside.store.models import Match, MatchSeat

BOTS = [f"bot-{i}" for i in range(20)]
GAMES = ["tictactoe", "connect4", "counting"]


async def fill(store: Store, count: int) -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    matches, seats = [], []
    for n in range(count):
        at = start + timedelta(seconds=7 * n)
        match_id = f"m{n:07d}"
        a, b = BOTS[n % len(BOTS)], BOTS[(n * 7 + 3) % len(BOTS)]
        matches.append(
            {
                "id": match_id,
                "game": GAMES[n % len(GAMES)],
                "status": "aborted" if n % 50 == 0 else "finished",
                "rounds": 1,
                "options": {},
                "time_control": {"type": "per_move", "seconds": 1.0},
                "created_at": at,
                "started_at": at,
                "finished_at": at + timedelta(seconds=5),
                "winner": a,
            }
        )
        seats += [
            {"match_id": match_id, "player": 0, "bot_name": a, "score": 1.0},
            {"match_id": match_id, "player": 1, "bot_name": b, "score": 0.0},
        ]
    async with store.db.transaction(write=True) as session:
        for i in range(0, count, 5000):
            await session.execute(insert(Match), matches[i : i + 5000])
        for i in range(0, len(seats), 10000):
            await session.execute(insert(MatchSeat), seats[i : i + 10000])


async def timed(http: aiohttp.ClientSession, url: str, repeat: int) -> tuple[list[float], Any]:
    times, body = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        async with http.get(url) as response:
            body = await response.json()
            assert response.status == 200, body
        times.append((time.perf_counter() - started) * 1000)
    return times, body


async def later_page(
    http: aiohttp.ClientSession, base: str, query: str, depth: int, repeat: int
) -> list[float]:
    """The page that starts ``depth`` rows down, as a client of this API reaches it."""
    first = await (await http.get(f"{base}/api/matches?{query}")).json()
    if "next" not in first:  # paged by offset
        times, _ = await timed(http, f"{base}/api/matches?{query}&offset={depth}", repeat)
        return times
    cursor, seen = first["next"], len(first["items"])
    while seen < depth and cursor is not None:  # walk there 200 at a time
        page = await (await http.get(f"{base}/api/matches?limit=200&before={cursor}")).json()
        cursor, seen = page["next"], seen + len(page["items"])
    times, _ = await timed(http, f"{base}/api/matches?{query}&before={cursor}", repeat)
    return times


def show(name: str, times: list[float]) -> None:
    ordered = sorted(times)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    print(f"  {name:<44} median {statistics.median(times):7.2f} ms   p90 {p90:7.2f} ms")


async def main(count: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory(prefix="ringside-listing-") as folder:
        async with await open_store(sqlite_url(Path(folder))) as store:
            started = time.perf_counter()
            await fill(store, count)
            print(f"{count:,} matches stored in {time.perf_counter() - started:.1f} s")
            app = build_app(build_server(Settings(open=True, data_dir=Path(folder)), store))
            async with TestServer(app, host="127.0.0.1") as server, aiohttp.ClientSession() as http:
                base = str(server.make_url("")).rstrip("/")
                await timed(http, f"{base}/api/matches", 3)  # warm the caches
                page = "limit=25"
                for name, query in [
                    ("first page", page),
                    ("first page, status=finished (the web page)", f"{page}&status=finished"),
                    ("first page, bot=bot-3", f"{page}&bot=bot-3"),
                ]:
                    times, body = await timed(http, f"{base}/api/matches?{query}", repeat)
                    show(name, times)
                show(
                    f"page {count // 2:,} rows down",
                    await later_page(http, base, page, count // 2, repeat),
                )
                print(f"  the first page's total: {body.get('total')!r}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--matches", type=int, default=30_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    asyncio.run(main(args.matches, args.repeat))

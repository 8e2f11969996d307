"""The fast subset of the attack suite (``make attack``), against a real server process.

One server for the module, registered bots and an admin token, its limits
lowered so that each case ends in seconds: a 256 KiB output budget, a 2 s
hello deadline, a 3 s header deadline, 8 spectators per address. The cases are those of ``ringside.testing.attack`` with smaller
counts; each is bounded by its own timeout.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest

from ringside.testing.attack import (
    ATTACKER,
    CASES,
    Row,
    Target,
    UpgradeRefused,
    closed_within,
    open_tcp,
    open_ws,
    options,
    play_big_match,
    run_case,
    start_server,
)
from ringside.testing.wire import ServerProcess

pytestmark = pytest.mark.timeout(240)

OPTIONS = options(
    [
        "--fuzz",
        "1500",
        "--fuzz-pool",
        "200",
        "--flooders",
        "20",
        "--flood-lines",
        "6000",
        "--flood-seconds",
        "3",
        "--idle",
        "300",
        "--slowloris",
        "20",
        "--spectators",
        "8",
        "--hello-timeout",
        "2",
        "--header-timeout",
        "3",
        "--case-timeout",
        "150",
    ]
)
LIMITS = {
    "RINGSIDE_OUTPUT_BUDGET": str(256 * 1024),
    "RINGSIDE_MAX_SPECTATORS_PER_ADDRESS": "8",
    "RINGSIDE_HTTP_BODY_TIMEOUT": "2",
}


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    data_dir = tmp_path_factory.mktemp("attack")
    server, tokens = start_server(data_dir, OPTIONS, env=LIMITS)
    try:
        yield server, tokens
    finally:
        server.stop()


@pytest.fixture
async def target(served: tuple[ServerProcess, dict[str, str]]) -> AsyncIterator[Target]:
    server, tokens = served
    async with aiohttp.ClientSession() as http:
        yield Target(server, tokens, http, OPTIONS)


async def case(target: Target, prefix: str) -> Row:
    (attack,) = [c for c in CASES if c.name.startswith(prefix)]
    row = await run_case(target, attack)
    assert row.ok, row.answer
    assert row.latencies, "the API was never measured"
    return row


async def test_a_spectator_repeating_watch_gets_one_snapshot_and_is_closed(
    target: Target,
) -> None:
    """Issue 22's amplification: one snapshot for 500 ``watch``, streamed (nothing of it
    copied per spectator), then a fatal ``too_many_commands``, or ``slow_consumer`` if
    what waited went past the budget first; the server's memory stays put."""
    row = await case(target, "spectator amplification")
    assert "1 snapshot(s) sent" in row.answer
    assert "too_many_commands" in row.answer or "slow_consumer" in row.answer, row.answer
    assert row.rss_peak < 2 * row.rss_before, row.cells()
    assert row.rss_after < 1.1 * row.rss_before + 10, row.cells()


async def test_a_long_snapshot_arrives_whole_to_a_websocket_library(target: Target) -> None:
    """A snapshot past 256 KiB goes out as a fragmented message; a client reads one."""
    match = await play_big_match(target)
    url = f"ws://{target.server.host}:{target.server.port}/ws/watch?match={match}"
    async with target.http.ws_connect(url, max_msg_size=0) as ws:
        async with asyncio.timeout(30):
            async for msg in ws:
                message = json.loads(msg.data)
                if message["type"] == "snapshot":
                    break
    assert message["match"] == match
    moves = [e for e in message["events"] if e.get("type") == "move"]
    assert len(moves) >= 5 * OPTIONS.big_rounds
    assert len(msg.data) > 1024 * 1024


async def test_spectators_from_one_address_are_capped(target: Target) -> None:
    row = await case(target, "200 spectators")  # 8 here: the cap itself
    assert row.rss_peak < 2 * row.rss_before, row.cells()
    opened = []
    refusals = []
    for _ in range(9):
        try:
            opened.append(await open_ws(target, "/ws/watch"))
        except UpgradeRefused as exc:
            refusals.append(json.loads(exc.body))
    for _, writer in opened:
        writer.transport.abort()
    assert refusals, "nine spectators from one address, none refused"
    assert len(opened) <= 8
    for refusal in refusals:
        assert (refusal["code"], refusal["fatal"]) == ("too_many_connections", True)


async def test_flooders_that_never_read_are_closed_and_the_api_answers(target: Target) -> None:
    row = await case(target, "100 non-reading flooders")
    assert row.p99() < 5.0, row.cells()  # generous: a loaded 2-core machine
    assert row.rss_after < 1.1 * row.rss_before, row.cells()  # given back (malloc_trim)


async def test_idle_connections_from_one_address_leave_room_for_registered_bots(
    target: Target,
) -> None:
    row = await case(target, "5,000 idle pre-hello")
    assert "were welcomed meanwhile" in row.answer
    assert "WebSocket upgrades refused (429 too_many_connections)" in row.answer


async def test_every_pre_hello_connection_is_closed_by_its_deadline(target: Target) -> None:
    row = await case(target, "pre-hello deadline")
    for part in row.answer.split("; "):
        seconds = float(part.rsplit(" after ", 1)[1].removesuffix(" s"))
        assert seconds < 2 + 3, part  # the 2 s deadline, the close grace and some slack


async def test_a_slow_http_request_is_closed_by_the_header_deadline(target: Target) -> None:
    await case(target, "HTTP slowloris")


async def test_nested_bodies_and_messages_are_refused_with_invalid_field(target: Target) -> None:
    row = await case(target, "nested JSON")
    assert row.answer.count("422 invalid_field") == 2
    assert "tcp hello: invalid_field" in row.answer


async def test_a_trickled_body_gets_408_within_the_body_deadline(target: Target) -> None:
    reader, writer = await asyncio.open_connection(target.server.host, target.server.port)
    writer.write(
        b"POST /api/matches HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Authorization: Bearer attack-admin-token\r\nContent-Length: 100\r\n\r\n{"
    )
    async with asyncio.timeout(20):
        head = await reader.readuntil(b"\r\n\r\n")
        body = await reader.read(4096)
    writer.transport.abort()
    assert head.startswith(b"HTTP/1.1 408"), head
    assert json.loads(body)["error"]["code"] == "body_timeout"


async def test_the_api_keeps_answering_json_for_a_missing_page(target: Target) -> None:
    async with target.http.get(f"{target.server.http}/api/nothing-here") as response:
        assert response.status == 404
        assert (await response.json())["error"]["code"] == "not_found"


async def test_too_large_reaches_the_tcp_client_before_the_close(target: Target) -> None:
    """The error is read, then a clean end of file: no reset even with input unread."""
    reader, writer = await open_tcp(target, "127.0.0.1")
    writer.write(b'{"type":"hello","name":"' + b"x" * 200_000 + b'"}\n' + b"more\n" * 1000)
    async with asyncio.timeout(20):
        line = await reader.readline()
        rest = await reader.read()  # EOF, not ConnectionResetError
    error = json.loads(line)
    assert (error["code"], error["fatal"]) == ("too_large", True)
    assert rest == b""
    writer.close()


async def test_a_spectator_that_neither_watches_nor_reads_is_closed(tmp_path: Path) -> None:
    """The WebSocket heartbeat (1 s here): a ping not answered within half a period
    closes the connection, whatever the spectator sends or not."""
    server = ServerProcess(tmp_path, args=["--open", "--heartbeat", "1"]).start()
    try:
        async with aiohttp.ClientSession() as http:
            target = Target(server, {}, http, OPTIONS)
            reader, writer = await open_ws(target, "/ws/watch", ATTACKER)
            # Bytes are read but no ping is answered (a WebSocket library would answer).
            took = await closed_within(reader, 15)
            writer.transport.abort()
            assert took is not None
    finally:
        server.stop()


async def test_the_server_logs_its_open_files_limit(target: Target) -> None:
    assert "open files: limit" in target.server.log_tail(2000)


@pytest.fixture
def fuzz_dir(tmp_path: Path) -> Path:
    return tmp_path


async def test_the_protocol_fuzzer_crashes_nothing(fuzz_dir: Path) -> None:
    server, tokens = start_server(fuzz_dir, OPTIONS, fuzz=True)
    try:
        async with aiohttp.ClientSession() as http:
            target = Target(server, tokens, http, OPTIONS)
            row = await case(target, "Hypothesis protocol fuzzer")
            assert "tcp: 1500 sent" in row.answer and "ws: 1500 sent" in row.answer
    finally:
        server.stop()

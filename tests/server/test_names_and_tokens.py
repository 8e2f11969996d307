"""Issue 22, names and tokens: the name policy at hello, look-alikes kept out of the lobby,
admin-token guesses limited, ``X-Forwarded-For`` read only from trusted proxies."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import aiohttp

from ringside.server.app import Settings
from ringside.testing.memory import InMemory, in_memory
from ringside.testing.wire import ServerProcess

ADMIN = "names-admin-token"


async def test_hello_refuses_what_bots_add_refuses(memory: InMemory) -> None:
    for name, rule in (
        ("\u3164", "HANGUL FILLER"),
        ("\u2800", "BRAILLE PATTERN BLANK"),
        ("ev\u202eil", "text-direction override"),
        ("ａｌｉｃｅ", "use 'alice'"),
        ("  ", "only blanks"),
    ):
        refused = await memory.bot().hello(name)
        assert (refused["code"], refused["fatal"]) == ("invalid_field", True), name
        assert rule in refused["message"]


async def test_a_guest_cannot_pass_for_a_registered_or_connected_bot(memory: InMemory) -> None:
    await memory.server.store.add_bot("alice")
    refused = await memory.bot().hello("\u0430lice")  # Cyrillic а
    assert refused["code"] == "name_taken"
    assert "looks like the registered bot 'alice'" in refused["message"]
    await memory.bots("bob")
    refused = await memory.bot().hello("BOB")
    assert refused["code"] == "name_taken"
    assert "looks like the connected bot 'bob'" in refused["message"]
    lobby = set(memory.server.roster.bots)
    assert lobby == {"bob"}


async def test_an_unknown_name_and_a_wrong_token_read_the_same(tmp_path: Path) -> None:
    async with in_memory(tmp_path, Settings(open=False, data_dir=tmp_path)) as memory:
        await memory.server.store.add_bot("alice")
        unknown = await memory.bot().hello("mallory", token="guess")
        wrong = await memory.bot().hello("mallory", token="guess")  # same again: same answer
        registered = await memory.bot().hello("alice", token="guess")
        missing = await memory.bot().hello("alice")
        assert unknown == wrong
        for reply in (registered, missing):
            assert reply["code"] == unknown["code"] == "bad_token"
            assert reply["message"] == unknown["message"].replace("mallory", "alice")


async def _cancel(
    http: aiohttp.ClientSession, server: ServerProcess, token: str, **headers: str
) -> int:
    headers = {"Authorization": f"Bearer {token}", **headers}
    async with http.post(f"{server.http}/api/tournaments/nope/cancel", headers=headers) as r:
        return r.status


async def test_admin_token_guesses_are_limited_per_client(tmp_path: Path) -> None:
    """Behind a trusted proxy, each forwarded client is counted on its own; a client
    that is not a trusted proxy cannot choose its address with the header."""
    server = ServerProcess(
        tmp_path, ["--admin-token", ADMIN, "--trusted-proxy", "127.0.0.1/32"]
    ).start()
    try:
        async with aiohttp.ClientSession() as http:
            attacker = {"X-Forwarded-For": "198.51.100.66"}
            statuses = [await _cancel(http, server, "guess", **attacker) for _ in range(12)]
            assert statuses == [401] * 10 + [429] * 2
            assert await _cancel(http, server, ADMIN, **attacker) == 429  # locked, even right
            # Another client behind the same proxy: its right token works.
            assert await _cancel(http, server, ADMIN, **{"X-Forwarded-For": "198.51.100.7"}) == 404
            # A forged entry left of the proxy's own is not believed.
            forged = {"X-Forwarded-For": "198.51.100.7, 198.51.100.66"}
            assert await _cancel(http, server, ADMIN, **forged) == 429
    finally:
        server.stop()


async def test_without_a_trusted_proxy_the_header_is_ignored(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path, ["--admin-token", ADMIN]).start()
    try:
        async with aiohttp.ClientSession() as http:
            for i in range(10):
                spoof = {"X-Forwarded-For": f"198.51.100.{i}"}
                assert await _cancel(http, server, "guess", **spoof) == 401
            async with http.post(
                f"{server.http}/api/tournaments/nope/cancel",
                headers={"Authorization": "Bearer guess", "X-Forwarded-For": "198.51.100.99"},
            ) as r:
                assert r.status == 429
                body = await r.json()
            assert body["error"]["code"] == "too_many_attempts"
            assert "127.0.0.1" in body["error"]["message"]
    finally:
        server.stop()


def _bots_add(data_dir: Path, name: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ringside", "bots", "add", name, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_bots_add_refuses_with_the_rule_and_echoes_nothing_invisible(tmp_path: Path) -> None:
    assert _bots_add(tmp_path, "alice").returncode == 0
    for name, rule in (
        ("ev\u202eil", "text-direction override): U+202E at position 3"),
        ("\u3164", "U+3164 (HANGUL FILLER)"),
        (" ", "only blanks"),
        ("\u0430lice", "looks like the registered bot 'alice'"),
    ):
        done = _bots_add(tmp_path, name)
        assert done.returncode == 2, done
        assert rule in done.stderr
        assert "\u202e" not in done.stderr + done.stdout


async def test_requests_without_a_token_are_not_counted_as_guesses(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path, ["--admin-token", ADMIN]).start()
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(15):
                async with http.post(f"{server.http}/api/tournaments/nope/cancel") as r:
                    assert r.status == 401
            assert await _cancel(http, server, ADMIN) == 404
    finally:
        server.stop()


async def test_bots_saying_hello_at_once_are_all_welcomed(memory: InMemory) -> None:
    """Each hello's look-alike check reads the lobby after its own awaits: the bots welcomed
    meanwhile change it (a generator made before them raised "dictionary changed size")."""
    names = [f"crowd{i:03d}" for i in range(30)]
    answers = await asyncio.gather(*(memory.bot().hello(name) for name in names))
    assert [a["type"] for a in answers] == ["welcome"] * len(names), answers
    assert set(memory.server.roster.bots) >= set(names)

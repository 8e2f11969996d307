"""The SDK against the real server (a ``ringside serve --open`` child process)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
from scripted_peer import running

from ringside.client import Bot, MatchResult, Request, Welcome
from ringside.testing.wire import ServerProcess

TIMEOUT = 20.0


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("client"), ["--open"])
    process.start()
    try:
        yield process
    finally:
        process.stop()


class Player(Bot):
    """Plays the first legal action; signals its welcome and every match result."""

    def __init__(self, name: str, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.welcomed = asyncio.Event()
        self.results: asyncio.Queue[MatchResult] = asyncio.Queue()
        self.requests: list[tuple[str, int]] = []

    def decide(self, request: Request) -> Any:
        self.requests.append((request.match, request.id))
        assert request.legal_actions
        return request.legal_actions[0]

    def on_welcome(self, welcome: Welcome) -> None:
        self.welcomed.set()

    def on_match_result(self, result: MatchResult) -> None:
        self.results.put_nowait(result)


async def start_match(server: ServerProcess, bots: list[str], rounds: int = 2) -> str:
    async with aiohttp.ClientSession() as http:
        body = {"game": "tictactoe", "bots": bots, "rounds": rounds}
        async with http.post(f"{server.http}/api/matches", json=body) as response:
            assert response.status == 201, await response.text()
            return str((await response.json())["id"])


async def test_two_bots_play_two_matches_at_once(live_server: ServerProcess) -> None:
    alice = Player("sdk-alice", max_matches=2, games=["tictactoe"])
    bob = Player("sdk-bob", max_matches=2)
    async with running(alice, live_server.ws_bot), running(bob, live_server.tcp_bot):
        async with asyncio.timeout(TIMEOUT):
            await alice.welcomed.wait()
            await bob.welcomed.wait()
            matches = {
                await start_match(live_server, ["sdk-alice", "sdk-bob"]),
                await start_match(live_server, ["sdk-bob", "sdk-alice"]),
            }
            results = [await alice.results.get(), await alice.results.get()]
    assert {r.match for r in results} == matches
    for result in results:
        assert result.status == "finished"
        assert result.verdict is None
        assert len(result.rounds) == 2
    assert {match for match, _ in alice.requests} == matches


class Proxy:
    """A TCP relay on a free port whose connections the test can cut."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.writers: list[asyncio.StreamWriter] = []
        self.tasks: set[asyncio.Task[None]] = set()
        self.listener: asyncio.Server | None = None
        self.url = ""

    async def __aenter__(self) -> Proxy:
        self.listener = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.url = f"tcp://127.0.0.1:{self.listener.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self.listener is not None
        self.listener.close()
        self.cut()
        async with asyncio.timeout(TIMEOUT):
            if self.tasks:
                await asyncio.wait(self.tasks)
            await self.listener.wait_closed()

    def cut(self) -> None:
        """Drop every relayed connection at once, as a network failure would."""
        for writer in self.writers:
            writer.transport.abort()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.writers += [writer, up_writer]

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.transport.abort()

        try:
            await asyncio.gather(pump(reader, up_writer), pump(up_reader, writer))
        finally:
            for w in (writer, up_writer):
                w.transport.abort()
                with contextlib.suppress(ConnectionError):
                    await w.wait_closed()
            self.tasks.discard(task)


class Dropper(Player):
    """Loses its connection while answering its second request."""

    def __init__(self, name: str, proxy: Proxy) -> None:
        super().__init__(name)
        self.proxy = proxy

    def decide(self, request: Request) -> Any:
        action = super().decide(request)
        if len(self.requests) == 2:
            self.proxy.cut()
        return action


async def test_a_dropped_bot_comes_back_and_answers_the_request_again(
    live_server: ServerProcess,
) -> None:
    host, port = live_server.host, live_server.tcp_port
    async with Proxy(host, port) as proxy:
        carol = Dropper("sdk-carol", proxy)
        dave = Player("sdk-dave")
        async with running(carol, proxy.url), running(dave, live_server.ws_bot):
            async with asyncio.timeout(TIMEOUT):
                await carol.welcomed.wait()
                await dave.welcomed.wait()
                carol.welcomed.clear()
                match = await start_match(live_server, ["sdk-carol", "sdk-dave"], rounds=1)
                result = await carol.results.get()
                assert carol.welcomed.is_set()  # welcomed again after the drop
    assert result.match == match
    assert result.status == "finished"
    assert result.verdict is None
    # The pending request came again with the same id, and was answered.
    assert carol.requests[1] == carol.requests[2]

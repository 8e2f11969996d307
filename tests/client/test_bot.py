"""The Bot SDK against a scripted peer, over real WebSocket and TCP loopback connections."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from scripted_peer import TIMEOUT, ScriptedServer, prepare, request, running, welcome

from ringside.client import (
    Backoff,
    Bot,
    BotRefused,
    ClockReading,
    Error,
    MatchResult,
    Prepare,
    Request,
    RoundResult,
    Welcome,
)


class RecordingBot(Bot):
    """Plays the largest legal action and records what it was told."""

    name = "alice"
    token = "s3cret"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seen: list[str] = []
        self.clocks: list[ClockReading] = []

    def act(self, observation: Any, legal_actions: list[Any] | None, clock: ClockReading) -> Any:
        self.clocks.append(clock)
        assert legal_actions is not None
        return max(legal_actions)

    def on_welcome(self, welcome: Welcome) -> None:
        self.seen.append(f"welcome {welcome.name}")

    def on_prepare(self, prepare: Prepare) -> None:
        self.seen.append(f"prepare {prepare.match} {prepare.game}")

    async def on_round_result(self, result: RoundResult) -> None:  # async hooks work too
        self.seen.append(f"round_result {result.match} {result.scores}")

    def on_match_result(self, result: MatchResult) -> None:
        self.seen.append(f"match_result {result.match} {result.winner}")

    def on_error(self, error: Error) -> None:
        self.seen.append(f"error {error.code}")


class RecordingBackoff(Backoff):
    """Tiny delays, no jitter; remembers every attempt it was asked about."""

    def __init__(self, initial: float = 0.01) -> None:
        super().__init__(initial=initial, maximum=0.04, jitter=0.0)
        self.attempts: list[int] = []
        self.asked = asyncio.Event()

    def delay(self, attempt: int) -> float:
        self.attempts.append(attempt)
        self.asked.set()
        return super().delay(attempt)


async def test_scripted_conversation(server: ScriptedServer, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.WARNING, "ringside.client")
    bot = RecordingBot(max_matches=2, games=["counting"])
    async with running(bot, server.url):
        peer = await server.accept()
        hello = await peer.expect("hello")
        assert hello["name"] == "alice"
        assert hello["token"] == "s3cret"
        assert hello["games"] == ["counting"]
        assert hello["max_matches"] == 2
        assert hello.get("protocol", 1) == 1
        await peer.send(welcome("alice"))

        await peer.send(prepare("m1", 1))
        assert await peer.recv() == {"type": "ready", "match": "m1", "id": 1}
        await peer.send(request("m1", 2, [1, 3, 2]))
        assert await peer.recv() == {"type": "action", "match": "m1", "id": 2, "action": 3}
        assert bot.clocks[0].move_time == 5.0

        await peer.send_raw("this is not JSON")
        await peer.send({"type": "teleport", "match": "m1"})
        await peer.send({"type": "error", "code": "illegal_action", "message": "no", "match": "m1"})
        await peer.send({"type": "round_end", "match": "m1", "id": 3, "round": 0})
        assert await peer.recv() == {"type": "ok", "match": "m1", "id": 3}
        await peer.send(
            {
                "type": "round_result",
                "match": "m1",
                "round": 0,
                "players": [0, 1],
                "bots": ["alice", "bob"],
                "scores": [1.0, 0.0],
            }
        )
        await peer.send(
            {
                "type": "match_result",
                "match": "m1",
                "game": "counting",
                "status": "finished",
                "bots": ["alice", "bob"],
                "rounds": [{"round": 0, "players": [0, 1], "scores": [1.0, 0.0]}],
                "scores": [1.0, 0.0],
                "winner": "alice",
            }
        )
        await peer.send({"type": "ping", "id": 7})
        assert await peer.recv() == {"type": "pong", "id": 7}
        # Messages are handled in order, so every hook has run by the time of the pong.
        assert bot.seen == [
            "welcome alice",
            "prepare m1 counting",
            "error illegal_action",
            "round_result m1 [1.0, 0.0]",
            "match_result m1 alice",
        ]
    await peer.wait_closed()  # stopping the bot closes its connection
    skipped = [r.getMessage() for r in caplog.records if "skipped a message" in r.getMessage()]
    assert len(skipped) == 2
    assert "malformed_json" in skipped[0]
    assert "teleport" in skipped[1]


class AsyncBot(Bot):
    name = "thinker"

    def __init__(self) -> None:
        super().__init__()
        self.thinking = asyncio.Event()
        self.go = asyncio.Event()

    async def act(self, observation: Any, legal_actions: list[Any] | None, clock: Any) -> Any:
        self.thinking.set()
        await self.go.wait()
        assert legal_actions is not None
        return legal_actions[0]


async def test_async_act_does_not_block_the_connection(server: ScriptedServer) -> None:
    bot = AsyncBot()
    async with running(bot, server.url):
        peer = await server.accept()
        await peer.expect("hello")
        await peer.send(welcome("thinker"))
        await peer.send(prepare("m1", 1))
        await peer.expect("ready")
        await peer.send(request("m1", 2, ["left", "right"]))
        async with asyncio.timeout(TIMEOUT):
            await bot.thinking.wait()
        # While act is still thinking, the bot answers pings and prepares.
        await peer.send({"type": "ping", "id": 5})
        assert await peer.recv() == {"type": "pong", "id": 5}
        await peer.send(prepare("m2", 1))
        assert await peer.recv() == {"type": "ready", "match": "m2", "id": 1}
        bot.go.set()
        assert await peer.recv() == {"type": "action", "match": "m1", "id": 2, "action": "left"}


class TwoMatchBot(Bot):
    """Holds its answer in match A until the test lets it go."""

    name = "juggler"
    max_matches = 2

    def __init__(self) -> None:
        super().__init__()
        self.release_a = asyncio.Event()

    async def decide(self, request: Request) -> Any:
        if request.match == "A":
            await self.release_a.wait()
        return f"{request.match}:{request.id}:{request.seat}"


async def test_interleaved_matches_get_their_own_answers(server: ScriptedServer) -> None:
    bot = TwoMatchBot()
    async with running(bot, server.url):
        peer = await server.accept()
        assert (await peer.expect("hello"))["max_matches"] == 2
        await peer.send(welcome("juggler"))
        await peer.send(prepare("A", 1))
        await peer.send(prepare("B", 1, seat=1))
        assert await peer.recv() == {"type": "ready", "match": "A", "id": 1}
        assert await peer.recv() == {"type": "ready", "match": "B", "id": 1}
        # The same id in two matches: answers are told apart by match.
        await peer.send(request("A", 2, ["a"]))
        await peer.send(request("B", 2, ["b"]))
        assert await peer.recv() == {"type": "action", "match": "B", "id": 2, "action": "B:2:0"}
        bot.release_a.set()
        assert await peer.recv() == {"type": "action", "match": "A", "id": 2, "action": "A:2:0"}


async def test_reconnects_with_backoff_and_the_same_credentials(server: ScriptedServer) -> None:
    backoff = RecordingBackoff()
    bot = RecordingBot(backoff=backoff)
    async with running(bot, server.url):
        hellos = []
        for _ in range(2):  # dropped before welcome: the delay grows
            peer = await server.accept()
            hellos.append(await peer.expect("hello"))
            await peer.close()
        peer = await server.accept()
        hellos.append(await peer.expect("hello"))
        await peer.send(welcome("alice"))
        await peer.send({"type": "ping", "id": 1})
        await peer.expect("pong")
        await peer.close()  # dropped after welcome: the delay starts over

        peer = await server.accept()
        hellos.append(await peer.expect("hello"))
        await peer.send(welcome("alice"))
        # The server resumes the match and sends the pending request again.
        await peer.send(request("m1", 4, [0, 1]))
        assert await peer.recv() == {"type": "action", "match": "m1", "id": 4, "action": 1}

    assert [(h["name"], h["token"]) for h in hellos] == [("alice", "s3cret")] * 4
    assert backoff.attempts == [0, 1, 0]
    assert [backoff.delay(a) for a in range(5)] == [0.01, 0.02, 0.04, 0.04, 0.04]
    assert server.accepted == 4


async def test_fatal_error_on_hello_raises_bot_refused(server: ScriptedServer) -> None:
    bot = RecordingBot(backoff=RecordingBackoff())
    task = asyncio.create_task(bot.run_async(server.url))
    peer = await server.accept()
    await peer.expect("hello")
    await peer.send(
        {"type": "error", "code": "name_taken", "message": "alice is connected", "fatal": True}
    )
    await peer.close()
    with pytest.raises(BotRefused) as refused:
        async with asyncio.timeout(TIMEOUT):
            await task
    assert refused.value.code == "name_taken"
    assert str(refused.value) == "the server refused the bot: name_taken: alice is connected"
    assert server.accepted == 1  # no retry


async def test_stop_interrupts_the_backoff(server: ScriptedServer) -> None:
    backoff = RecordingBackoff(initial=60.0)
    backoff.maximum = 60.0
    bot = RecordingBot(backoff=backoff)
    async with running(bot, server.url) as task:
        peer = await server.accept()
        await peer.expect("hello")
        await peer.close()
        async with asyncio.timeout(TIMEOUT):
            await backoff.asked.wait()
    assert task.done()
    assert server.accepted == 1


async def test_act_failures_are_logged_and_the_bot_plays_on(
    server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    class Fragile(Bot):
        name = "fragile"

        def act(self, observation: Any, legal_actions: Any, clock: Any) -> Any:
            if observation["total"] == 13:
                raise RuntimeError("unlucky")
            if observation["total"] == 14:
                return object()  # not JSON
            return observation["total"]

    async with running(Fragile(), server.url):
        peer = await server.accept()
        await peer.expect("hello")
        await peer.send(welcome("fragile"))
        await peer.send(request("m1", 1, None, {"total": 13}))
        await peer.send(request("m1", 2, None, {"total": 14}))
        await peer.send(request("m1", 3, None, {"total": 15}))
        assert await peer.recv() == {"type": "action", "match": "m1", "id": 3, "action": 15}
    messages = "\n".join(r.getMessage() for r in caplog.records)
    assert "no action for request 1 of match m1" in messages
    assert "not JSON" in messages


async def test_bad_settings_fail_before_connecting() -> None:
    with pytest.raises(ValueError, match="needs a name"):
        await Bot().run_async("tcp://127.0.0.1:1")
    with pytest.raises(ValueError, match="max_matches"):
        await Bot("x", max_matches=0).run_async("tcp://127.0.0.1:1")
    with pytest.raises(ValueError, match="unsupported server URL"):
        await Bot("x").run_async("http://127.0.0.1:1/ws/bot")


def test_backoff_jitter_stays_below_the_nominal_delay() -> None:
    backoff = Backoff()
    for attempt in range(8):
        nominal = min(10.0, 0.5 * 2**attempt)
        for _ in range(20):
            assert 0.8 * nominal <= backoff.delay(attempt) <= nominal
    assert backoff.delay(10_000) <= 10.0


async def test_name_taken_just_after_a_drop_is_retried(server: ScriptedServer) -> None:
    backoff = RecordingBackoff()
    bot = RecordingBot(backoff=backoff)
    taken = {"type": "error", "code": "name_taken", "message": "alice is here", "fatal": True}
    with pytest.raises(BotRefused, match="name_taken"):
        async with running(bot, server.url) as task:
            peer = await server.accept()
            await peer.expect("hello")
            await peer.send(welcome("alice"))
            await peer.close()
            # The server has not noticed yet that the old connection is gone.
            peer = await server.accept()
            await peer.expect("hello")
            await peer.send(taken)
            await peer.close()
            peer = await server.accept()
            await peer.expect("hello")
            await peer.send(welcome("alice"))
            await peer.send({"type": "ping", "id": 2})
            assert await peer.recv() == {"type": "pong", "id": 2}
            # Past the window, the refusal is final: run_async raises.
            bot.rejoin_window = 0.0
            await peer.close()
            peer = await server.accept()
            await peer.expect("hello")
            await peer.send(taken)
            await peer.close()
            async with asyncio.timeout(TIMEOUT):
                await asyncio.wait({task})
    assert backoff.attempts == [0, 1, 0]
    assert server.accepted == 4


# --- a thinking bot stops at once -------------------------------------------------------


def test_a_search_in_progress_does_not_hold_up_the_loops_close() -> None:
    """A stopped bot exits while its worker thread is still thinking (Ctrl-C in a search)."""
    import threading

    from ringside.client.bot import _in_daemon_thread

    started, release = threading.Event(), threading.Event()

    def search(_: None) -> str:
        started.set()
        release.wait()  # a search that would run on for a long time
        return "too late"

    async def stopped_while_thinking() -> None:
        thinking = asyncio.ensure_future(_in_daemon_thread(search, None))
        await asyncio.to_thread(started.wait)
        thinking.cancel()
        with pytest.raises(asyncio.CancelledError):
            await thinking

    asyncio.run(stopped_while_thinking())  # closing the loop joins no thinking thread
    assert not release.is_set(), "the search was still running when the loop closed"
    release.set()


async def test_the_worker_threads_answer_and_error_come_back() -> None:
    from ringside.client.bot import _in_daemon_thread

    assert await _in_daemon_thread(lambda n: n * 2, 21) == 42

    def fail(_: None) -> None:
        raise ValueError("no move")

    with pytest.raises(ValueError, match="no move"):
        await _in_daemon_thread(fail, None)

"""Write a networked bot in a few lines: subclass :class:`Bot`, implement ``act``, call ``run``.

::

    class MyBot(Bot):
        name = "my-bot"

        def act(self, observation, legal_actions, clock):
            return legal_actions[0]

    MyBot(token=os.environ.get("RINGSIDE_TOKEN")).run("ws://127.0.0.1:8000/ws/bot")

The SDK does the protocol: it says hello, answers ``prepare`` with ``ready``,
``round_end`` with ``ok`` and ``ping`` with ``pong`` at once, and sends what
``act`` returns as the ``action`` of each request, with the request's match and
id. To say something of a move (a log line, an engine's score, depth and pv,
shown beside the move and kept with it), return ``Answer(action, info)`` or the
pair ``(action, info)``. Every request runs as its own task, so the matches of a
bot with ``max_matches > 1`` interleave. When the connection drops, it reconnects with
exponential back-off under the same name and token; the server resumes the
match within its grace period and sends the pending request again.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import random
import signal
import threading
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import msgspec

from ringside import __version__
from ringside.client.transport import Channel, ConnectFailed, ConnectionClosed, connect
from ringside.protocol.messages import (
    Action,
    ClockReading,
    Concede,
    Error,
    Hello,
    MatchResult,
    MoveInfo,
    Ok,
    Ping,
    Pong,
    Prepare,
    Ready,
    Request,
    RoundEnd,
    RoundResult,
    ServerMessage,
    Welcome,
    type_of,
)

__all__ = [
    "REJOIN_WINDOW",
    "WELCOME_TIMEOUT",
    "Answer",
    "Backoff",
    "Bot",
    "BotRefused",
    "Crashed",
    "split_answer",
]

logger = logging.getLogger("ringside.client")

JSON = Any
T = TypeVar("T")
M = TypeVar("M")

WELCOME_TIMEOUT = 30.0
"""Seconds to wait for ``welcome`` after ``hello`` before dropping the connection."""
REJOIN_WINDOW = 90.0
"""Seconds after losing a connection during which ``name_taken`` is retried, not final:
the server may not yet have noticed that the old connection died (its dead-peer
detection takes up to three heartbeats)."""


@dataclass(frozen=True, slots=True)
class Answer:
    """An action and what the bot says of it, for ``act`` to return.

    ``info`` is free text (a line of the bot's log) or search figures: a ``MoveInfo``
    or a dict of its fields (``score``, ``mate``, ``depth``, ``seldepth``, ``nodes``,
    ``nps``, ``time``, ``pv``, ``log``). At most 4 KiB encoded; a bad info is dropped
    by the server with a non-fatal ``error`` (see ``on_error``), the action played.
    """

    action: JSON
    info: str | MoveInfo | dict[str, Any] | None = None


def split_answer(result: Any) -> tuple[JSON, Any]:
    """``act``'s result as (action, info): an ``Answer``, a 2-tuple, or a bare action.

    A tuple is never an action: JSON arrays arrive as lists, and an action that is an
    array is returned as a list.
    """
    if type(result) is Answer:
        return result.action, result.info
    if type(result) is tuple and len(result) == 2:
        return result[0], result[1]
    return result, None


class Crashed(Exception):
    """Raised by ``act``/``decide``: the bot's program failed and cannot answer this
    request, so the SDK concedes the game at once (``concede`` with cause ``crashed``;
    the verdict is ``crashed`` with ``str(exc)`` as its reason) rather than let the
    clock run out. Any other exception sends nothing, and the clock decides.
    """


class BotRefused(Exception):
    """The server refused the bot's hello with a fatal error (bad token, name taken...).

    The bot does not retry: the same hello would be refused again.
    """

    def __init__(self, error: Error) -> None:
        super().__init__(f"the server refused the bot: {error.code}: {error.message}")
        self.code = error.code
        self.error = error


@dataclass
class Backoff:
    """Delays between reconnection attempts: ``initial`` doubling up to ``maximum``.

    Each delay is shortened by a random fraction of up to ``jitter`` so that
    bots dropped together do not all come back in the same instant.
    """

    initial: float = 0.5
    maximum: float = 10.0
    factor: float = 2.0
    jitter: float = 0.2
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def delay(self, attempt: int) -> float:
        """Seconds to wait before reconnection ``attempt`` (0 after the first failure)."""
        base = min(self.maximum, self.initial * self.factor ** min(attempt, 64))
        return base * (1.0 - self.jitter * self.rng.random())


_R = TypeVar("_R")
_A = TypeVar("_A")


async def _in_daemon_thread(function: Callable[[_A], _R], argument: _A) -> _R:
    """``function(argument)`` in a thread of its own that never holds up the exit.

    ``asyncio.to_thread`` uses the default executor, which the event loop joins on
    close: a bot stopped (Ctrl-C, SIGTERM) in the middle of a long search would
    wait for the search to end before exiting. The answer of a stopped bot is
    not wanted, so its thread is left to die with the process.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[_R] = loop.create_future()

    def settle(result: _R | None, error: BaseException | None) -> None:
        if future.done():  # the waiting task was cancelled
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]

    def work() -> None:
        result: _R | None = None
        error: BaseException | None = None
        try:
            result = function(argument)
        except BaseException as exc:
            error = exc
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=work, name="ringside-decide", daemon=True).start()
    return await future


class Bot:
    """A bot that plays over the network; subclass it and implement :meth:`act`.

    ``name``, ``token``, ``games`` and ``max_matches`` may be set as class
    attributes or passed to the constructor. ``games`` lists the games the bot
    plays (None: any). With ``threaded = True`` a synchronous ``act`` runs in a
    worker thread, keeping the connection responsive while it thinks; otherwise
    it runs on the event loop (fine for moves that take milliseconds).
    """

    name: str = ""
    token: str | None = None
    games: Sequence[str] | None = None
    max_matches: int = 1
    threaded: bool = False
    welcome_timeout: float = WELCOME_TIMEOUT
    rejoin_window: float = REJOIN_WINDOW
    engine_name: str | None = None
    """The program behind the bot as it names itself (a bridge's engine), sent in hello."""

    def __init__(
        self,
        name: str | None = None,
        *,
        token: str | None = None,
        games: Sequence[str] | None = None,
        max_matches: int | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        if name is not None:
            self.name = name
        if token is not None:
            self.token = token
        if games is not None:
            self.games = games
        if max_matches is not None:
            self.max_matches = max_matches
        self.backoff = backoff if backoff is not None else Backoff()
        self.welcome: Welcome | None = None
        """The server's welcome on the current connection (None while not connected)."""
        self._tasks: dict[tuple[str, int], asyncio.Task[None]] = {}
        self._channel: Channel | None = None
        self.rounds: dict[str, int] = {}
        """The matches being played, with the round last prepared in each."""

    # --- what a bot's author writes -----------------------------------------------

    def act(self, observation: JSON, legal_actions: list[JSON] | None, clock: ClockReading) -> Any:
        """Return the action to play (or, from ``async def act``, an awaitable of it).

        ``legal_actions`` is None in games that do not list them; ``clock``
        says how long this move may take (``clock.move_time`` seconds). Return
        ``Answer(action, info)`` or ``(action, info)`` to send an ``info`` with it.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement act()")

    def decide(self, request: Request) -> Any:
        """The action for a whole request; override it to see ``match``, ``round`` and ``seat``."""
        return self.act(request.observation, request.legal_actions, request.clock)

    def on_welcome(self, welcome: Welcome) -> Awaitable[None] | None:
        """Connected and accepted (again, after a reconnection)."""
        return None

    def on_prepare(self, prepare: Prepare) -> Awaitable[None] | None:
        """A round of a match is about to start (``ready`` is already sent)."""
        return None

    def on_round_result(self, result: RoundResult) -> Awaitable[None] | None:
        return None

    def on_match_result(self, result: MatchResult) -> Awaitable[None] | None:
        return None

    def on_error(self, error: Error) -> Awaitable[None] | None:
        """The server reports a problem (an illegal action, a protocol error...)."""
        return None

    # --- running ------------------------------------------------------------------

    def run(self, url: str) -> None:
        """Play until interrupted (Ctrl-C or SIGTERM); uses uvloop when it is installed.

        Raises BotRefused when the server refuses the hello.
        """
        try:
            with asyncio.Runner(loop_factory=_loop_factory()) as runner:
                runner.run(self._run_until_terminated(url))
        except KeyboardInterrupt:
            logger.info("bot %s interrupted", self.name)

    async def _run_until_terminated(self, url: str) -> None:
        """``run_async`` with SIGTERM as a clean stop (where the platform allows it)."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        try:
            loop.add_signal_handler(signal.SIGTERM, stop.set)
        except (NotImplementedError, RuntimeError, ValueError):  # Windows, not the main thread
            await self.run_async(url, stop=stop)
            return
        try:
            await self.run_async(url, stop=stop)
        finally:
            loop.remove_signal_handler(signal.SIGTERM)

    async def run_async(self, url: str, *, stop: asyncio.Event | None = None) -> None:
        """Connect to ``url`` and play, reconnecting after losses, until ``stop`` is set.

        Raises BotRefused when the server refuses the hello; ValueError for a
        bad URL or bot settings.
        """
        hello = self._hello()
        stop = stop if stop is not None else asyncio.Event()
        loop = asyncio.get_running_loop()
        attempt = 0
        lost_at: float | None = None
        """When a connection that had been welcomed was lost."""
        while not stop.is_set():
            self.welcome = None
            try:
                await self._session(url, hello, stop)
                continue  # returns only when stopped
            except BotRefused as exc:
                # Back too soon after a silent drop, the old connection may still hold the name.
                since = None if lost_at is None else loop.time() - lost_at
                if exc.code != "name_taken" or since is None or since > self.rejoin_window:
                    raise
                reason = f"{exc} (the old connection may not be closed yet)"
            except (ConnectFailed, ConnectionClosed) as exc:
                if self.welcome is not None:
                    attempt, lost_at = 0, loop.time()
                reason = str(exc)
            finally:
                self.welcome = None
            if stop.is_set():
                break
            delay = self.backoff.delay(attempt)
            attempt += 1
            logger.warning("%s; reconnecting in %.3g s", reason, delay)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await stop.wait()
        logger.info("bot %s stopped", self.name)

    def _hello(self) -> Hello:
        if not self.name:
            raise ValueError("a bot needs a name: set Bot.name or pass name=...")
        if self.max_matches < 1:
            raise ValueError(f"max_matches must be at least 1, not {self.max_matches}")
        games = None if self.games is None else list(self.games)
        return Hello(self.name, self.token, games, self.max_matches, engine=self.engine_name)

    async def _session(self, url: str, hello: Hello, stop: asyncio.Event) -> None:
        """One connection: returns when ``stop`` is set, raises when the connection is lost."""
        channel = await _unless_stopped(
            stop, connect(url, headers={"User-Agent": f"ringside-client/{__version__}"})
        )
        if channel is None:
            return
        async with channel:
            await channel.send(hello)
            welcome = await _unless_stopped(stop, self._await_welcome(channel))
            if welcome is None:
                return
            self.welcome, self._channel = welcome, channel
            logger.info("playing on %s as %s", url, welcome.name)
            await self._hook(self.on_welcome, welcome)
            try:
                while (message := await _unless_stopped(stop, channel.receive())) is not None:
                    await self._dispatch(channel, message)
            finally:
                self._channel = None
                await self._cancel_requests()

    async def concede(
        self, match: str, reason: str, cause: Literal["crashed", "leaving"] = "crashed"
    ) -> bool:
        """Give up ``match`` now (see ``Concede``); False when not connected to send it.

        ``crashed`` loses the round being played; ``leaving`` the rest of the match.
        """
        channel = self._channel
        if channel is None:
            return False
        try:
            await channel.send(Concede(match, reason, cause, self.rounds.get(match, 0)))
        except ConnectionClosed:
            return False
        logger.warning("match %s conceded (%s): %s", match, cause, reason)
        return True

    async def leave_matches(self, reason: str) -> list[str]:
        """Concede every match being played as ``leaving`` (a bot about to stop).

        The server has them once the connection is closed cleanly (set ``stop``):
        the close comes after them on the same ordered stream."""
        return [m for m in list(self.rounds) if await self.concede(m, reason, "leaving")]

    async def _await_welcome(self, channel: Channel) -> Welcome:
        try:
            async with asyncio.timeout(self.welcome_timeout):
                while True:
                    message = await channel.receive()
                    if isinstance(message, Welcome):
                        return message
                    if isinstance(message, Error):
                        if message.fatal:
                            raise BotRefused(message)
                        await self._hook(self.on_error, message)
                    elif isinstance(message, Ping):
                        await channel.send(Pong(message.id))
                    else:
                        logger.warning("ignored %s received before welcome", type_of(message))
        except TimeoutError:
            raise ConnectionClosed(
                f"{channel.url} sent no welcome within {self.welcome_timeout:g} s"
            ) from None

    async def _dispatch(self, channel: Channel, message: ServerMessage) -> None:
        logger.debug("received %s", type_of(message))
        if isinstance(message, Request):
            self._start_request(channel, message)
        elif isinstance(message, Prepare):
            self.rounds[message.match] = message.round
            await channel.send(Ready(message.match, message.id))
            logger.info(
                "match %s: %s, round %d of %d, seat %d",
                message.match,
                message.game,
                message.round,
                message.rounds,
                message.seat,
            )
            await self._hook(self.on_prepare, message)
        elif isinstance(message, RoundEnd):
            await channel.send(Ok(message.match, message.id))
        elif isinstance(message, Ping):
            await channel.send(Pong(message.id))
        elif isinstance(message, RoundResult):
            await self._hook(self.on_round_result, message)
        elif isinstance(message, MatchResult):
            self.rounds.pop(message.match, None)
            winner = message.winner or ("none" if message.status == "finished" else "-")
            logger.info("match %s %s, winner: %s", message.match, message.status, winner)
            for (match, _), task in list(self._tasks.items()):
                if match == message.match:
                    task.cancel()
            await self._hook(self.on_match_result, message)
        elif isinstance(message, Error):
            await self._hook(self.on_error, message)
            if message.fatal:
                raise ConnectionClosed(f"fatal server error: {message.code}: {message.message}")
            where = f" (match {message.match})" if message.match else ""
            logger.warning("server error%s: %s: %s", where, message.code, message.message)
        else:  # a second welcome
            logger.debug("ignored %s", type_of(message))

    def _start_request(self, channel: Channel, request: Request) -> None:
        key = (request.match, request.id)
        if key in self._tasks:
            logger.debug("already answering request %d of match %s", request.id, request.match)
            return
        task = asyncio.create_task(
            self._answer(channel, request), name=f"ringside-act-{request.match}-{request.id}"
        )
        self._tasks[key] = task
        task.add_done_callback(lambda _: self._tasks.pop(key, None))

    async def _answer(self, channel: Channel, request: Request) -> None:
        try:
            if self.threaded:
                action = await _in_daemon_thread(self.decide, request)
            else:
                action = self.decide(request)
            if inspect.isawaitable(action):
                action = await action
        except Crashed as exc:
            with contextlib.suppress(ConnectionClosed):
                await channel.send(Concede(request.match, str(exc), "crashed", request.round))
            logger.error("match %s conceded: %s", request.match, exc)
            return
        except Exception:
            logger.exception(
                "no action for request %d of match %s: the bot raised", request.id, request.match
            )
            return
        action, info = split_answer(action)
        if info is not None:
            try:
                msgspec.json.encode(info)
            except (TypeError, ValueError, msgspec.EncodeError) as exc:
                logger.warning(
                    "the info for match %s is not JSON, not sent: %s", request.match, exc
                )
                info = None
        try:
            await channel.send(Action(request.match, request.id, action, info))
        except ConnectionClosed as exc:
            logger.info("the action for match %s was not sent: %s", request.match, exc)
        except (TypeError, ValueError, msgspec.EncodeError) as exc:
            logger.error(
                "the bot chose %.80r for match %s, not JSON: %s", action, request.match, exc
            )

    async def _cancel_requests(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)

    async def _hook(self, hook: Callable[[M], Awaitable[None] | None], message: M) -> None:
        try:
            result = hook(message)
            if result is not None:
                await result
        except Exception:
            logger.exception("%s raised", getattr(hook, "__name__", "a hook"))


async def _unless_stopped(stop: asyncio.Event, work: Coroutine[Any, Any, T]) -> T | None:
    """The result of ``work``, or None if ``stop`` is set first (``work`` is then cancelled)."""
    task = asyncio.ensure_future(work)
    waiter = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
        task.cancel()
        await asyncio.wait({task, waiter})
    return None if task.cancelled() else task.result()


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop

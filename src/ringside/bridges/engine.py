"""A program as a bot: the child process, its line I/O, and what happens when it fails.

:class:`EngineProcess` runs the program (Stockfish, GNU Go, any script) with
pipes and reads its answers a line at a time under deadlines.
:class:`EngineBridge` is a client-SDK ``Bot`` that sends each request to the
engine through a protocol the subclasses implement (UCI, GTP, JSON lines).

Failures, the same for every bridge (documented in docs/protocol.md):

- The engine **crashes** (exits, closes its pipes, writes garbage) during a
  game: the bot concedes that game at once (the ``concede`` message, cause
  ``crashed``: the referee's verdict is ``crashed``, with a short reason such as
  ``engine killed by SIGKILL``), whether it was thinking or waiting for the
  opponent's move. The bridge logs the exit status and the engine's last lines
  of stderr, starts a fresh engine and plays on with the same connection.
  With ``recover=True`` (``--recover``, cutechess's ``-recover``) the game is
  not lost: the fresh engine is given the position (the bridge holds every
  move) and answers within what is left of the clock; only a second failure
  in the same request concedes.
- The engine **hangs** (no move when its time is up): the server's clock
  gives the ``timeout`` verdict; the bridge kills the engine (its whole
  process group) and starts a fresh one for the next game.
- The engine cannot be started, or fails three times running without making
  a move: the bridge stops with an error rather than concede every game.
- The bridge is **stopped** (SIGTERM, Ctrl-C): it concedes every running match
  at once (cause ``leaving``) and exits non-zero if it did. The engine dies with the
  bridge even when the bridge is SIGKILLed (on Linux, ``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import ctypes
import logging
import os
import shlex
import signal
import sys
from collections.abc import AsyncGenerator, Callable, Sequence
from typing import Any

import msgspec

from ringside.client import Bot, Crashed, MatchResult, Prepare, Request, RoundResult

logger = logging.getLogger("ringside.bridge")

LINE_LIMIT = 1 << 20
"""Longest line read from an engine (UCI ``info ... pv`` lines can be long)."""
STDERR_TAIL = 20
MAX_FAILURES = 3
"""Engine failures in a row (without a move in between) before the bridge gives up."""
PR_SET_PDEATHSIG = 1


def _death_signal() -> Callable[[], None] | None:
    """A ``preexec_fn`` that has the kernel SIGKILL the engine when the bridge dies
    (even by SIGKILL, when no handler runs); None where there is no ``prctl``."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before the fork
    except (OSError, AttributeError):
        return None

    def set_death_signal() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)

    return set_death_signal


_PREEXEC = _death_signal()


class EngineError(Exception):
    """The engine cannot go on.

    ``str()`` is short enough for a verdict's message (the referee keeps about
    60 characters of an action); ``detail`` is the whole story, for the log.
    """

    def __init__(self, message: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.detail = detail or message


class EngineCrashed(EngineError):
    """The engine exited, closed its pipes, or answered what its protocol does not allow."""


class EngineTimeout(EngineError):
    """The engine did not answer in time."""


class NoMove(Exception):
    """Nothing to send for this request (the engine hung; the server's clock decides)."""


class EngineProcess:
    """One run of the engine program, spoken to in lines over its stdin and stdout."""

    def __init__(self, argv: Sequence[str], label: str) -> None:
        if not argv:
            raise EngineError("no engine command given (put it after --)")
        self.argv = list(argv)
        self.label = label
        self.process: asyncio.subprocess.Process | None = None
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=STDERR_TAIL)
        self.stderr_lines = 0
        """Lines read from stderr so far (the tail keeps the last few)."""
        self.stopping = False
        self._stderr_task: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def start(self) -> None:
        try:
            self.process = await asyncio.create_subprocess_exec(
                *self.argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                limit=LINE_LIMIT,
                start_new_session=True,  # Ctrl-C reaches the bridge, which stops the engine
                preexec_fn=_PREEXEC,
            )
        except FileNotFoundError:
            hint = " (Debian installs engines in /usr/games)" if "/" not in self.argv[0] else ""
            raise EngineError(f"no such program: {self.argv[0]}{hint}") from None
        except OSError as exc:
            raise EngineError(f"cannot start {shlex.join(self.argv)}: {exc}") from None
        self._stderr_task = asyncio.create_task(self._read_stderr())
        logger.info("%s started: %s (pid %d)", self.label, shlex.join(self.argv), self.pid)

    async def _read_stderr(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        with contextlib.suppress(ValueError, ConnectionError):
            async for raw in self.process.stderr:
                line = raw.decode("utf-8", "replace").rstrip()
                self.stderr_tail.append(line)
                self.stderr_lines += 1
                logger.debug("%s stderr: %s", self.label, line)

    async def send(self, line: str) -> None:
        if self.process is None or self.process.stdin is None or not self.running:
            raise EngineCrashed(await self.describe_exit())
        logger.debug("%s <- %s", self.label, line)
        try:
            self.process.stdin.write(line.encode() + b"\n")
            await self.process.stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            raise EngineCrashed(await self.describe_exit()) from None

    async def read_line(self, deadline: float | None) -> str:
        """The next line (without its end), by ``deadline`` (loop time) or EngineTimeout."""
        assert self.process is not None and self.process.stdout is not None
        try:
            async with asyncio.timeout_at(deadline):
                raw = await self.process.stdout.readline()
        except TimeoutError:
            raise EngineTimeout(f"{self.label} did not answer in time") from None
        except ValueError:  # a line over LINE_LIMIT
            raise EngineCrashed(f"wrote a line over {LINE_LIMIT} bytes") from None
        if not raw:
            raise EngineCrashed(await self.describe_exit())
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        logger.debug("%s -> %s", self.label, line)
        return line

    def stderr_since(self, count: int) -> list[str]:
        """The lines of stderr after the first ``count`` (as many as the tail still has)."""
        new = min(self.stderr_lines - count, len(self.stderr_tail))
        return list(self.stderr_tail)[-new:] if new > 0 else []

    async def describe_exit(self) -> str:
        """How the process ended: ``exited with code 1`` or ``killed by SIGKILL``."""
        if self.process is None:
            return "not started"
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(1.0):
                await self.process.wait()
        code = self.process.returncode
        if code is None:
            return "closed its output"
        if code < 0:
            with contextlib.suppress(ValueError):
                return f"killed by {signal.Signals(-code).name}"
        return f"exited with code {code}"

    async def stop(self, grace: float = 1.0, quit_line: str | None = None) -> None:
        """Ask the engine to quit (``quit_line``, then end of input), then terminate, then kill."""
        self.stopping = True
        process = self.process
        if process is not None and process.returncode is None:
            if quit_line is not None:
                with contextlib.suppress(EngineError):
                    await self.send(quit_line)
            if process.stdin is not None:
                process.stdin.close()
            for sig in (None, signal.SIGTERM, signal.SIGKILL):
                if sig is not None:
                    self._signal(sig)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(grace):
                        await process.wait()
                    break
        if self._stderr_task is not None:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                async with asyncio.timeout(grace):
                    await self._stderr_task
            self._stderr_task.cancel()

    def kill(self) -> None:
        """For a hung engine: no questions asked, its children included."""
        self.stopping = True
        self._signal(signal.SIGKILL)

    def _signal(self, sig: signal.Signals) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, sig)  # the engine leads its own session (start_new_session)


def _later(request: Request, spent: float) -> Request:
    """``request`` as it stands ``spent`` seconds later: its clock the less."""
    clock = request.clock
    seats = list(clock.seats)
    if 0 <= request.seat < len(seats):
        seats[request.seat] = max(0.0, seats[request.seat] - spent)
    later = msgspec.structs.replace(
        clock,
        remaining=max(0.0, clock.remaining - spent),
        move_time=max(0.0, clock.move_time - spent),
        seats=seats,
    )
    return msgspec.structs.replace(request, clock=later)


class EngineBridge(Bot):
    """A ``Bot`` that asks an engine process for every move; subclasses speak the protocol.

    One engine plays one game at a time, so the bot plays one match at a
    time. Requests are served under a lock; a request cancelled while the
    engine was busy (the match ended, the connection dropped) leaves the
    engine "dirty", and it is brought back in step (``recover``) or restarted
    before the next one.
    """

    label = "engine"
    noun = "engine"
    """What the verdict calls the program: ``sf crashed: engine killed by SIGKILL``."""
    slack = 0.5
    """Seconds past a move's time before the engine counts as hung."""
    quit_line: str | None = None
    init_timeout: float = 15.0

    def __init__(self, command: Sequence[str], *, recover: bool = False, **kwargs: Any) -> None:
        kwargs["max_matches"] = 1
        super().__init__(**kwargs)
        self.command = list(command)
        self.recover_games = recover
        """Restart a crashed engine on the game's position instead of conceding."""
        self.engine: EngineProcess | None = None
        self.prepares: dict[str, Prepare] = {}
        self.game: tuple[str, int] | None = None
        """(match, round) the engine is set up for."""
        self.lost_game: tuple[str, int] | None = None
        """A game in which the engine crashed: every request of it is conceded."""
        self.lost_why = ""
        self.failures = 0
        self.fatal: EngineError | None = None
        self.stop_event = asyncio.Event()
        self._lock = asyncio.Lock()
        self._dirty = False
        self._closing = False
        self._background: set[asyncio.Task[None]] = set()
        self.owner: Bot | None = None
        """The bot that holds the connection, when this bridge is one engine of a
        ``BridgePool`` (``--concurrency``); it concedes this bridge's games."""

    # --- what a protocol implements ------------------------------------------------------

    async def handshake(self, engine: EngineProcess) -> None:
        """Right after start: the protocol's greeting and settings."""

    async def new_game(
        self, engine: EngineProcess, prepare: Prepare | None, request: Request
    ) -> None:
        """A new round begins (or the engine is fresh): reset the engine's game."""

    async def think(self, engine: EngineProcess, request: Request, prepare: Prepare | None) -> Any:
        """The engine's action for ``request``."""
        raise NotImplementedError

    async def recover(self, engine: EngineProcess) -> bool:
        """Bring an engine interrupted mid-answer back in step; False: restart it."""
        return False

    async def search_lines(
        self,
        engine: EngineProcess,
        started: float,
        move_time: float,
        move_overhead: float,
        stop_line: str,
    ) -> AsyncGenerator[tuple[str, bool], None]:
        """The engine's lines while it searches, each with whether ``stop_line`` was sent.

        Every protocol has a "move now" (UCI ``stop``, XBoard ``?``): it is sent half
        the move overhead before the move's time is up, and an engine that has not
        moved ``slack`` seconds after the time is hung (``EngineTimeout``)."""
        stop_at = started + max(0.0, move_time - move_overhead / 2)
        give_up = started + move_time + self.slack
        stopped = False
        while True:
            try:
                line = await engine.read_line(give_up if stopped else stop_at)
            except EngineTimeout:
                if stopped:
                    raise
                stopped = True
                await engine.send(stop_line)
                continue
            yield line, stopped

    # --- running -------------------------------------------------------------------------

    async def serve(self, url: str, stop: asyncio.Event | None = None) -> None:
        """Start the engine (failing fast on a bad command), then play until stopped."""
        stop = stop or self.stop_event
        self.stop_event = stop
        await self.open_engine()
        try:
            await self.run_async(url, stop=stop)
        finally:
            await self.shut_down()
        if self.fatal is not None:
            raise self.fatal

    async def shut_down(self) -> None:
        """Stop the engine and wait for the reapers and watchers (a second or two)."""
        self._closing = True
        await self.close_engine()
        if self._background:
            _, late = await asyncio.wait(list(self._background), timeout=3.0)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late)

    async def open_engine(self) -> EngineProcess:
        engine = EngineProcess(self.command, self.label)
        await engine.start()
        try:
            await self.handshake(engine)
        except BaseException:
            await engine.stop(0.5)
            raise
        self.engine, self._dirty, self.game = engine, False, None
        watcher = asyncio.create_task(self._watch(engine))
        self._background.add(watcher)
        watcher.add_done_callback(self._background.discard)
        return engine

    async def close_engine(self) -> None:
        engine, self.engine = self.engine, None
        if engine is not None:
            await engine.stop(quit_line=self.quit_line)

    async def _watch(self, engine: EngineProcess) -> None:
        """Notice an engine that dies between requests, and replace it at once."""
        assert engine.process is not None
        await engine.process.wait()
        if engine.stopping or engine is not self.engine:
            return
        why = await engine.describe_exit()
        self._crashed(engine, why, why, "")

    def _crashed(self, engine: EngineProcess, why: str, detail: str, during: str) -> None:
        """Retire a failed engine and start another; between requests, concede its game
        (unless recovering: the fresh engine gets the position at the next request)."""
        if engine is not self.engine:
            return
        self.lost_why = why
        self.engine = None
        self._retire(engine)
        tail = " | ".join(list(engine.stderr_tail)[-5:])
        # A request being served (the lock held) concedes by itself, or recovers.
        lost = None if during or self.recover_games or self._lock.locked() else self.game
        if lost is not None:
            self.lost_game = lost
            self._in_background(self._concede(lost[0], f"{self.noun} {why}"))
        self.game = None
        logger.error(
            "%s failed%s: %s%s; %sstarting a fresh engine",
            self.label,
            during,
            detail,
            f" (stderr: {tail})" if tail else "",
            f"conceding match {lost[0]} round {lost[1]}, " if lost else "",
        )
        self._fail_once()
        self._in_background(self._restart())

    async def _concede(self, match: str, reason: str) -> None:
        if not await (self.owner or self).concede(match, reason):
            logger.warning("match %s: not connected to concede; the clock will decide", match)

    async def leave(self, why: str) -> list[str]:
        """The bridge is stopping: concede every running match at once, then stop.

        Returns the matches conceded."""
        conceded = await self.leave_matches(why)
        if conceded:
            logger.warning("conceded %s: %s", ", ".join(conceded), why)
        self.stop_event.set()
        return conceded

    def _fail_once(self) -> None:
        self.failures += 1
        if self.failures >= MAX_FAILURES and self.fatal is None:
            self.fatal = EngineError(
                f"{self.label} failed {self.failures} times in a row; giving up"
            )
            logger.error("%s", self.fatal)
            self.stop_event.set()

    def _retire(self, engine: EngineProcess) -> None:
        """Kill an engine that failed and reap it (its process, pipes and stderr reader)."""
        engine.kill()
        self._in_background(engine.stop(0.5))

    def _in_background(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _restart(self) -> None:
        async with self._lock:
            if not self._closing and (self.engine is None or not self.engine.running):
                with contextlib.suppress(EngineError):  # logged and counted; retried when asked
                    await self._fresh_engine()

    async def _fresh_engine(self) -> EngineProcess:
        """Replace the engine; raises EngineError (and counts a failure) when that fails."""
        old, self.engine = self.engine, None
        if old is not None:
            old.kill()
            await old.stop(0.5)
        try:
            return await self.open_engine()
        except EngineError as exc:
            logger.error("cannot start a fresh %s: %s", self.label, exc)
            self._fail_once()
            raise

    async def _ready_engine(self) -> EngineProcess:
        engine = self.engine
        if engine is not None and engine.running and self._dirty:
            logger.warning("%s was interrupted mid-answer; bringing it back in step", self.label)
            if await self.recover(engine):
                self._dirty = False
            else:
                logger.error("%s did not come back in step; starting a fresh one", self.label)
                engine = None
        if engine is None or not engine.running:
            engine = await self._fresh_engine()
        return engine

    # --- the SDK's side ------------------------------------------------------------------------

    async def decide(self, request: Request) -> Any:
        key = (request.match, request.round)
        async with self._lock:
            if key == self.lost_game:
                raise Crashed(f"{self.noun} {self.lost_why or 'failed earlier in this game'}")
            started = asyncio.get_running_loop().time()
            retry = False
            while True:
                try:
                    return await self._decide_once(key, request, started if retry else None)
                except EngineError as exc:
                    if retry or not self.recover_games or self.fatal is not None:
                        self.lost_game = key
                        raise Crashed(f"{self.noun} {exc}") from None
                    retry = True
                    logger.warning("%s failed; a fresh one answers (--recover)", self.label)

    async def _decide_once(
        self, key: tuple[str, int], request: Request, started: float | None
    ) -> Any:
        """One engine's answer; EngineError when it failed (it is retired, another started).

        ``started``: when the request came, for a second try: the engine thinks in
        what is left once it is started and has the position."""
        try:
            engine = await self._ready_engine()
        except EngineError as exc:
            raise EngineError("could not be started again") from exc
        prepare = self.prepares.get(request.match)
        try:
            self._dirty = True
            if key != self.game:
                self.game = None
                await self.new_game(engine, prepare, request)
                self.game = key
            if started is not None:
                request = _later(request, asyncio.get_running_loop().time() - started)
                logger.warning("%s has %.2f s left", self.label, request.clock.move_time)
            action = await self.think(engine, request, prepare)
            self._dirty = False
        except EngineTimeout as exc:
            logger.error("%s hung (%s); killing it, a fresh one plays on", self.label, exc)
            self.engine, self.game = None, None
            self._retire(engine)
            self._fail_once()
            self._in_background(self._restart())
            raise NoMove(str(exc)) from None
        except EngineError as exc:
            self._crashed(engine, str(exc), exc.detail, " while thinking")
            raise
        except asyncio.CancelledError:
            if self._dirty:  # the answer never came: recover before the next request
                self._in_background(self._tidy_after_cancel())
            raise
        self.failures = 0
        return action

    async def _tidy_after_cancel(self) -> None:
        async with self._lock:
            if self._dirty and self.engine is not None and not self._closing:
                with contextlib.suppress(EngineError):
                    await self._ready_engine()

    def on_prepare(self, prepare: Prepare) -> None:
        self.prepares[prepare.match] = prepare

    def on_round_result(self, result: RoundResult) -> None:
        if self.game == (result.match, result.round):
            self.game = None
        if self.lost_game == (result.match, result.round):
            self.lost_game = None

    def on_match_result(self, result: MatchResult) -> None:
        self.prepares.pop(result.match, None)
        if self.lost_game is not None and self.lost_game[0] == result.match:
            self.lost_game = None

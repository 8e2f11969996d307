"""``ringside bridge gtp``: a GTP Go engine (GNU Go, KataGo, Leela Zero...) as a Ringside bot.

What the bridge says to the engine:

- at start: ``protocol_version``, ``name``, ``version``, ``list_commands``;
- at each new round: ``boardsize N``, ``clear_board``, ``komi K`` and the
  clock as GTP knows it: ``time_settings 0 S 1`` for S seconds per move (one
  stone per period), ``time_settings B 0 0`` (absolute time) for Fischer,
  ``kgs-time_settings byoyomi B P N`` for byo-yomi where the engine has it,
  else ``time_settings B P 1``;
- at each move: ``play B D4`` / ``play W pass`` for the moves it has not
  seen (``clear_board`` and a full replay when the game does not continue
  the one it knows), ``time_left`` for both colours, then ``genmove B|W``.
  Its answer is written the way the game wants it (``D4``, ``pass``,
  ``resign``).

Every command carries a number and only the answer with that number counts,
so a late answer to an interrupted command cannot be mistaken for the next
one. GTP has no way to interrupt ``genmove``: an engine that does not move in
time is killed and restarted (see :mod:`ringside.bridges.engine`).

GTP has no analysis output: what the engine writes to stderr during ``genmove``
(KataGo and Leela Zero write their search there) goes with the move as its
``info``, a log line, when there is any.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from ringside.bridges.engine import EngineBridge, EngineCrashed, EngineError, EngineProcess
from ringside.client import Answer, Prepare, Request
from ringside.protocol.messages import ByoYomi, Fischer, PerMove, TimeControl

COLOURS = ("B", "W")
MAX_LOG = 512
"""Characters of the engine's stderr sent with a move."""


class GtpError(EngineError):
    """The engine answered a command with ``? message``."""


def normalise_move(text: str) -> str:
    """An engine's vertex in the game's spelling: ``d4`` → ``D4``, ``PASS`` → ``pass``."""
    word = text.strip()
    lower = word.lower()
    return lower if lower in ("pass", "resign") else word.upper()


def time_settings(time_control: TimeControl | None, commands: set[str]) -> str | None:
    if isinstance(time_control, PerMove):
        return f"time_settings 0 {round(time_control.seconds)} 1"
    if isinstance(time_control, Fischer):
        return f"time_settings {round(time_control.base)} 0 0"
    if isinstance(time_control, ByoYomi):
        base, period, periods = (
            round(time_control.base),
            round(time_control.period),
            time_control.periods,
        )
        if "kgs-time_settings" in commands:
            return f"kgs-time_settings byoyomi {base} {period} {periods}"
        return f"time_settings {base} {period} 1"
    return None


class GtpBridge(EngineBridge):
    label = "GTP engine"
    quit_line = "quit"

    def __init__(self, command: Sequence[str], **kwargs: Any) -> None:
        kwargs.setdefault("games", ["go"])
        super().__init__(command, **kwargs)
        self.commands: set[str] = set()
        self.engine_name: str | None = None
        self.played: list[str] = []
        """The moves the engine's board has, in order."""
        self.size = 0
        self._next_id = 1

    async def gtp(self, engine: EngineProcess, text: str, timeout: float | None = None) -> str:
        """Send a command and return its answer (``=`` stripped); GtpError for ``?``."""
        number = self._next_id
        self._next_id += 1
        await engine.send(f"{number} {text}")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.init_timeout if timeout is None else timeout)
        while True:
            line = await engine.read_line(deadline)
            if not line.strip() or line[:1] not in "=?":
                continue  # blank lines between answers, or noise
            status, _, rest = line.partition(" ")
            body = [rest]
            while (more := await engine.read_line(deadline)).strip():
                body.append(more)
            if status[1:] != str(number):
                continue  # the answer to an earlier, interrupted command
            answer = "\n".join(body).strip()
            if status[0] == "?":
                word = text.split(maxsplit=1)[0]
                raise GtpError(f"refused {word}", f"{self.label} refused {text!r}: {answer}")
            return answer

    async def handshake(self, engine: EngineProcess) -> None:
        version = await self.gtp(engine, "protocol_version")
        if version.strip() != "2":
            raise EngineCrashed("does not speak GTP 2", f"{self.label} speaks GTP {version!r}")
        name = await self.gtp(engine, "name")
        with_version = f"{name} {await self.gtp(engine, 'version')}".strip()
        self.engine_name = with_version or None
        self.commands = set((await self.gtp(engine, "list_commands")).split())
        self.played = []

    async def new_game(
        self, engine: EngineProcess, prepare: Prepare | None, request: Request
    ) -> None:
        observation = request.observation
        self.size = int(observation.get("size", 19))
        await self.gtp(engine, f"boardsize {self.size}")
        await self.gtp(engine, "clear_board")
        self.played = []
        await self.gtp(engine, f"komi {observation.get('komi', 7.5):g}")
        settings = time_settings(prepare.time_control if prepare else None, self.commands)
        if settings is not None and settings.split()[0] in self.commands:
            await self.gtp(engine, settings)

    async def _replay(self, engine: EngineProcess, moves: list[str]) -> None:
        if moves[: len(self.played)] != self.played:
            await self.gtp(engine, "clear_board")
            self.played = []
        for index in range(len(self.played), len(moves)):
            await self.gtp(engine, f"play {COLOURS[index % 2]} {moves[index]}")
            self.played.append(moves[index])

    async def think(self, engine: EngineProcess, request: Request, prepare: Prepare | None) -> Any:
        moves = [str(move) for move in request.observation.get("moves", [])]
        await self._replay(engine, moves)
        colour = COLOURS[request.seat]
        clock = request.clock
        if "time_left" in self.commands:
            for seat, main in enumerate(clock.seats or [clock.remaining] * 2):
                if main > 0 or not clock.periods:
                    await self.gtp(engine, f"time_left {COLOURS[seat]} {int(main)} 0")
                else:
                    await self.gtp(engine, f"time_left {COLOURS[seat]} {int(clock.period)} 1")
        before = engine.stderr_lines
        answer = await self.gtp(engine, f"genmove {colour}", clock.move_time + self.slack)
        move = normalise_move(answer)
        if move != "resign":
            self.played.append(move)
        said = " | ".join(line for line in engine.stderr_since(before) if line.strip())
        if not said:
            return move
        return Answer(move, said if len(said) <= MAX_LOG else said[: MAX_LOG - 3] + "...")

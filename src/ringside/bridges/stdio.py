"""``ringside bridge stdio``: any program that reads JSON lines as a Ringside bot.

The program needs no network code and no knowledge of the wire protocol. For
every move the bridge writes **one line** of JSON on its standard input::

    {"type":"request","game":"tictactoe","match":"m1","round":1,"seat":0,"players":2,
     "options":{},"observation":{...},"legal_actions":[0,1,2],"clock":{...}}

and reads **one line** from its standard output: the action itself, as JSON
(``4``, ``"e2e4"``, ``"D4"``). Nothing else may go to standard output; write
logs to standard error (the bridge shows them with ``--verbose``). The
program is started once and keeps running between moves, rounds and
matches, so it may keep state (key it by ``match`` and ``round``).

A line that is not JSON, or a program that exits, concedes the game; a
program that does not answer within the move's time is killed and started
again (see :mod:`ringside.bridges.engine`).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

import msgspec

from ringside.bridges.engine import EngineBridge, EngineCrashed, EngineProcess
from ringside.client import Prepare, Request
from ringside.text import quoted


def request_line(request: Request, prepare: Prepare | None) -> str:
    """The JSON line a stdio program reads for ``request``."""
    message: dict[str, Any] = {
        "type": "request",
        "game": prepare.game if prepare else None,
        "match": request.match,
        "round": request.round,
        "seat": request.seat,
        "players": prepare.players if prepare else None,
        "options": prepare.options if prepare else {},
        "observation": request.observation,
        "legal_actions": request.legal_actions,
        "clock": msgspec.to_builtins(request.clock),
    }
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


class StdioBridge(EngineBridge):
    label = "stdio program"
    noun = "program"

    def __init__(self, command: Sequence[str], **kwargs: Any) -> None:
        super().__init__(command, **kwargs)

    async def think(self, engine: EngineProcess, request: Request, prepare: Prepare | None) -> Any:
        await engine.send(request_line(request, prepare))
        deadline = asyncio.get_running_loop().time() + request.clock.move_time + self.slack
        while not (line := await engine.read_line(deadline)).strip():
            pass  # blank lines are forgiven
        try:
            return json.loads(line)
        except ValueError:
            raise EngineCrashed(
                "wrote a line that is not JSON", f"{self.label} wrote {quoted(line, 200)}: not JSON"
            ) from None

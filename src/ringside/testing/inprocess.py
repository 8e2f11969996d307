"""A server in the test's own process: a real SQLite store and TCP listener on loopback.

For tests that need to reach inside the server (its runners, connections or
store) while real bots talk to it over a socket.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from ringside.server.app import Server, Settings, build_server
from ringside.server.transports import TcpBots
from ringside.store import open_store, sqlite_url


@dataclass
class Listening:
    server: Server
    tcp: TcpBots
    port: int

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"


@contextlib.asynccontextmanager
async def listening(data_dir: Path) -> AsyncIterator[Listening]:
    """Guests welcome (``open``); the listener is stopped, and the store closed, after."""
    async with await open_store(sqlite_url(data_dir)) as store:
        server = build_server(Settings(open=True, data_dir=data_dir), store)
        tcp = TcpBots(server)
        port = await tcp.start("127.0.0.1", 0)
        try:
            yield Listening(server, tcp, port)
        finally:
            await tcp.stop()

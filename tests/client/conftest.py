from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from scripted_peer import ScriptedServer


@pytest.fixture(params=["websocket", "tcp"])
async def server(request: pytest.FixtureRequest) -> AsyncIterator[ScriptedServer]:
    """A scripted peer listening on a free loopback port, over each transport in turn."""
    scripted = ScriptedServer(request.param)
    await scripted.start()
    try:
        yield scripted
    finally:
        await scripted.stop()

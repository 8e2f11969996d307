"""The bridge tests play against the shared real server of each module."""

from __future__ import annotations

import pytest

from ringside.testing.wire import ServerProcess


@pytest.fixture(scope="module")
def server(open_server: ServerProcess) -> ServerProcess:
    return open_server

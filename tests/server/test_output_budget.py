"""The output budget on real sockets: a bot that reads nothing is closed with
``slow_consumer``, and what waited for it is dropped, not kept."""

from __future__ import annotations

import asyncio
import json
import socket

from ringside.server.limits import Limits
from ringside.testing.inprocess import Listening


async def test_a_bot_that_reads_nothing_is_closed_with_slow_consumer(
    listening: Listening,
) -> None:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a reader far away
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", listening.port))
    reader, writer = await asyncio.open_connection(sock=sock, limit=1 << 20)
    writer.write(b'{"type":"hello","name":"sloth","protocol":1}\n')
    async with asyncio.timeout(10):
        assert json.loads(await reader.readline())["type"] == "welcome"
    (server_side,) = [c for c in listening.tcp.connections if c.session.name == "sloth"]
    writer.transport.pause_reading()  # reads nothing for now
    budget = Limits().output_budget
    payload = b'{"type":"info","pad":"' + b"x" * 40_000 + b'"}'
    sent = 0
    while not server_side.peer.closed and sent < 2_000:  # 80 MB at most
        server_side.peer.send(payload)
        sent += 1
        await asyncio.sleep(0)  # the transport writes what the kernel takes
    assert server_side.peer.slow, f"still open after {sent} messages"
    assert sent * len(payload) < 4 * budget + 16 * 1024 * 1024  # kernel buffers and the budget
    queue = server_side.peer._queue
    assert queue is not None and queue.qsize() <= 2  # the error and the close, nothing else
    writer.transport.resume_reading()
    last = b""
    async with asyncio.timeout(20):
        while line := await reader.readline():
            last = line
    error = json.loads(last)
    assert (error["code"], error["fatal"]) == ("slow_consumer", True)
    writer.close()

"""What aiohttp keeps of a WebSocket's upgrade request, released once the upgrade is done.

A WebSocket is a request handler that never returns, so aiohttp keeps the
request it parsed for as long as the connection lives: its headers twice
(the request's ``CIMultiDict`` and the raw header tuple) and the connection's
HTTP parser, whose lists still hold that request's headers. That was about
4 KiB of the ~22 KiB per idle WebSocket bot of bench figure 4. Once upgraded,
nothing reads them: frames go to the WebSocket reader aiohttp installed on
the protocol, and the handler has read what it needed (address, token) before.

This reaches inside aiohttp (pinned in the lock): ``RequestHandler._parser``,
``_upgraded``, ``_payload_parser`` and ``BaseRequest._message``/``_headers``/``_cache``.
``tests/server/test_upgraded.py`` fails loudly when those names change.
"""

from __future__ import annotations

from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

UPGRADED_HEADERS: CIMultiDictProxy[str] = CIMultiDictProxy(
    CIMultiDict({"Upgrade": "websocket", "Connection": "upgrade"})
)
"""The headers an upgraded request keeps, shared by all: what says "a WebSocket" (the
``json_failures`` middleware re-raises for those instead of answering JSON)."""


def release_upgrade_request(request: web.BaseRequest) -> bool:
    """Drop the parsed headers and the HTTP parser of a request aiohttp upgraded.

    aiohttp itself drops the parser at ``connection_lost``; with a payload
    parser set and ``_upgraded`` true it never reads it before then (every
    branch that would is guarded by those two). Returns False, releasing
    nothing, for a request that was not upgraded."""
    protocol = request.protocol
    if not protocol._upgraded or protocol._payload_parser is None:
        return False
    protocol._parser = None
    request._message = request._message._replace(headers=UPGRADED_HEADERS, raw_headers=())
    request._headers = UPGRADED_HEADERS
    request._cache.pop("headers", None)  # ``headers`` is a property cached there
    return True


__all__ = ["UPGRADED_HEADERS", "release_upgrade_request"]

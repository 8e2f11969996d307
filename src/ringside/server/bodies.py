"""Reading an HTTP request's JSON body: one reader for every route, with every bound.

A body is read within ``http_body_timeout`` (a client that trickles it gets
408), refused when it nests deeper than ``max_json_depth`` (422
``invalid_field``: the decoder and what walks the value later recurse once per
level), then decoded into the route's model (422 naming the field, 400 when
it is not JSON). Its size is bounded before this by the application's
``client_max_size`` (413). Every refusal is an ``ApiError``: JSON with a code
and a sentence, never a 500.
"""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from aiohttp import web

from ringside.protocol.depth import nests_deeper
from ringside.server.errors import Refused
from ringside.server.keys import SERVER_KEY

__all__ = ["ApiError", "read_body"]


class ApiError(Refused):
    """A request the HTTP layer itself refuses, with the HTTP status it answers."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(code, message)
        self.status = status


async def read_body(request: web.Request, model: type[Any]) -> Any:
    """The body decoded as ``model``, or an ``ApiError`` saying what is wrong with it."""
    limits = request.app[SERVER_KEY].settings.limits
    try:
        raw = await asyncio.wait_for(request.read(), limits.http_body_timeout)
    except TimeoutError:
        text = f"the body did not arrive within {limits.http_body_timeout:g} s"
        raise ApiError(408, "body_timeout", text) from None
    if nests_deeper(raw, limits.max_json_depth):
        text = f"the body nests arrays and objects more than {limits.max_json_depth} deep"
        raise ApiError(422, "invalid_field", text)
    try:
        return msgspec.json.decode(raw, type=model)
    except msgspec.ValidationError as exc:
        raise ApiError(422, "invalid_field", str(exc)) from None
    except msgspec.DecodeError as exc:
        raise ApiError(400, "malformed_json", f"the body is not JSON: {exc}") from None
    except RecursionError:  # msgspec's own depth limit: valid JSON, but no request nests so
        raise ApiError(422, "invalid_field", "the body nests values too deeply") from None

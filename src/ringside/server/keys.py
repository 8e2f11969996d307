"""The aiohttp application's keys, shared by the HTTP routes and the WebSocket handlers.

A module of its own so that the routes need not import the transports for it.
"""

from __future__ import annotations

from aiohttp import web

from ringside.server.services import Server

SERVER_KEY = web.AppKey("server", Server)
"""The running ``Server``, for every request handler."""

__all__ = ["SERVER_KEY"]

"""HTTP routes that export a stored match as PGN (chess) or SGF (Go).

They sit beside ``api.py`` and register through the same ``route`` decorator,
so they appear in the OpenAPI document; ``main.build_app`` imports this module
before adding the routes. The record is whatever the store holds: the rounds
written so far for a running match, everything for a finished one.
"""

from __future__ import annotations

from aiohttp import web

from ringside.export import ExportError, Format, export
from ringside.server.api import ApiError, route
from ringside.server.keys import SERVER_KEY
from ringside.text import quoted

MEDIA_TYPES = {"pgn": "application/x-chess-pgn", "sgf": "application/x-go-sgf"}
EXPORT_STATUS = {"wrong_game": 409, "no_round": 404, "unavailable": 501}
ROUND_QUERY = (("round", "only this round (default: every round, one game each)"),)


async def _export(request: web.Request, fmt: Format) -> web.StreamResponse:
    match_id = request.match_info["id"]
    raw_round = request.query.get("round")
    try:
        round_number = None if raw_round is None else int(raw_round)
    except ValueError:
        raise ApiError(422, "invalid_field", "round must be an integer") from None
    record = await request.app[SERVER_KEY].store.get_match(match_id)
    if record is None:
        raise ApiError(404, "unknown_match", f"no match {quoted(match_id, 40)}")
    try:
        text = export(
            fmt,
            record.events,
            started_at=record.started_at or record.created_at,
            round=round_number,
        )
    except ExportError as exc:
        raise ApiError(EXPORT_STATUS.get(exc.code, 422), exc.code, exc.message) from None
    return web.Response(
        text=text,
        content_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'inline; filename="{match_id}.{fmt}"'},
    )


@route(
    "GET",
    "/api/matches/{id}/pgn",
    "A chess match as PGN, one game per round (application/x-chess-pgn)",
    str,
    query=ROUND_QUERY,
    errors=(404, 409, 422, 501),
)
async def match_pgn(request: web.Request) -> web.StreamResponse:
    return await _export(request, "pgn")


@route(
    "GET",
    "/api/matches/{id}/sgf",
    "A Go match as SGF, one game tree per round (application/x-go-sgf)",
    str,
    query=ROUND_QUERY,
    errors=(404, 409, 422),
)
async def match_sgf(request: web.Request) -> web.StreamResponse:
    return await _export(request, "sgf")

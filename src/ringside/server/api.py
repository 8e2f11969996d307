"""The HTTP API. Each route names the models that validate its input and shape
its output, and the OpenAPI document is generated from those same models."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import math
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

import msgspec
from aiohttp import web

from ringside.games.registry import catalogue, unavailable_games
from ringside.protocol.messages import BotInfo, MatchInfo
from ringside.referee.config import MatchConfig
from ringside.server.bodies import ApiError as ApiError  # re-exported: one body reader
from ringside.server.bodies import read_body as read_body
from ringside.server.errors import (
    BotUnavailable,
    GameNotFound,
    InvalidRequest,
    Refused,
    ShuttingDown,
    Unavailable,
)
from ringside.server.hello_limit import ADMIN, client_address, trusted_networks
from ringside.server.keys import SERVER_KEY
from ringside.server.match_queue import MAX_WAIT, MatchQueue, MatchRequest
from ringside.server.matches import MatchHandle
from ringside.store.errors import RETRY_AFTER, DatabaseUnavailable
from ringside.store.matches import InvalidCursor
from ringside.text import quoted
from ringside.views import MatchDetail, MatchPage, match_detail, match_page

log = logging.getLogger("ringside.server")


REFUSAL_STATUS: tuple[tuple[type[Refused], int], ...] = (
    (ShuttingDown, 503),
    (Unavailable, 503),
    (GameNotFound, 404),
    (InvalidRequest, 422),
    (BotUnavailable, 409),
)
"""The HTTP status of each kind of domain error; the services know none."""


def status_of(refused: Refused) -> int:
    if isinstance(refused, ApiError):
        return refused.status
    for kind, status in REFUSAL_STATUS:
        if isinstance(refused, kind):
            return status
    return 422


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ErrorDetail(msgspec.Struct):
    code: str
    message: str


class ErrorBody(msgspec.Struct):
    error: ErrorDetail


class GameInfo(msgspec.Struct):
    name: str
    title: str
    rules: str
    min_players: int
    max_players: int
    simultaneous: bool
    options_schema: dict[str, Any]
    seats: list[str]
    """What each seat is called; seats past the end are "Seat n"."""
    board: str | None
    """The URL of the game's board module for the page, if it has one."""
    information: Literal["perfect", "imperfect"] = "perfect"
    """``imperfect``: seats hold private information, shown to watchers at the round's end."""
    chance: bool = False
    """Whether the rules draw at random (from the match's seed)."""
    facts: dict[str, str] = {}
    """Further facts (e.g. an OpenSpiel game's dynamics and utility)."""


class UnavailableGame(msgspec.Struct):
    name: str
    reason: str
    """Why this server cannot offer it (a parameter it needs, a kind of game not supported)."""


class GameList(msgspec.Struct):
    games: list[GameInfo]
    unavailable: list[UnavailableGame] = []
    """Games a family (OpenSpiel) knows that cannot be played here, with the reason."""


class BotList(msgspec.Struct):
    bots: list[BotInfo]
    matches: list[MatchInfo]


class MatchCreated(msgspec.Struct):
    id: str
    url: str
    watch: str


class BusyBot(msgspec.Struct):
    name: str
    matches: list[str]
    """The matches it is playing now, that the request waits for."""


class MatchRequestInfo(msgspec.Struct):
    """A match asked for with ``wait`` while a bot was busy: waiting for it, or how it ended."""

    id: str
    status: Literal["waiting", "started", "expired", "cancelled", "failed"]
    game: str
    bots: list[str]
    waiting_for: list[BusyBot]
    """The bots still playing another match (empty once it has ended)."""
    seconds_left: float
    """How much longer it waits (0 once it has ended)."""
    url: str
    """Where to ask after it (``?wait=SECONDS`` answers as soon as it changes)."""
    match: MatchCreated | None = None
    """The match it started."""
    error: ErrorDetail | None = None
    """Why it expired or failed."""


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Handler
    summary: str
    response: type | None
    body: type | None = None
    query: tuple[tuple[str, str], ...] = ()
    admin: bool = False
    errors: tuple[int, ...] = ()
    also: tuple[tuple[int, type], ...] = ()
    """Other successful answers: (status, model)."""


ROUTES: list[Route] = []


def route(
    method: str,
    path: str,
    summary: str,
    response: type | None,
    *,
    body: type | None = None,
    query: tuple[tuple[str, str], ...] = (),
    admin: bool = False,
    errors: tuple[int, ...] = (),
    also: tuple[tuple[int, type], ...] = (),
) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        ROUTES.append(
            Route(method, path, handler, summary, response, body, query, admin, errors, also)
        )
        return handler

    return register


_encoder = msgspec.json.Encoder()


def json_response(value: Any, status: int = 200) -> web.Response:
    return web.Response(body=_encoder.encode(value), status=status, content_type="application/json")


def error_response(status: int, code: str, message: str) -> web.Response:
    return json_response(ErrorBody(ErrorDetail(code, message)), status)


def client_of(request: web.Request) -> str:
    """The client's address: the socket's peer, or what ``X-Forwarded-For`` says when
    the peer is one of ``--trusted-proxy`` (``hello_limit.client_address``)."""
    remote = str(request.remote)
    proxies = request.app[SERVER_KEY].settings.trusted_proxies
    if not proxies:
        return remote
    forwarded = request.headers.getall("X-Forwarded-For", [])
    return client_address(remote, forwarded, trusted_networks(tuple(proxies)))


def require_admin(request: web.Request) -> None:
    """Refuse a request without the admin token (401). Guesses are limited per address
    as bot tokens are (``hello_limit``): 429 once an address has given too many wrong
    tokens; a request with no token guesses nothing and is not counted."""
    server = request.app[SERVER_KEY]
    settings = server.settings
    if settings.open:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip() if scheme.lower() == "bearer" else ""
    expected = settings.admin_token
    unauthorized = ApiError(
        401, "unauthorized", "this server needs an admin token: Authorization: Bearer TOKEN"
    )
    if not token:
        raise unauthorized
    limits, address, started = server.roster.failed_hellos, client_of(request), server.clock.time()
    wait = limits.start_check(address, ADMIN, started)
    if wait > 0.0:
        raise ApiError(
            429,
            "too_many_attempts",
            f"too many wrong admin tokens from {address}; try again in {math.ceil(wait)} s",
        )
    if expected is None or not hmac.compare_digest(token.encode(), expected.encode()):
        raise unauthorized
    limits.passed(address, ADMIN, started)


def int_query(request: web.Request, name: str, default: int, lo: int, hi: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(422, "invalid_field", f"{name} must be an integer") from None
    if not lo <= value <= hi:
        raise ApiError(422, "invalid_field", f"{name} must be from {lo} to {hi}")
    return value


def float_query(request: web.Request, name: str, default: float, lo: float, hi: float) -> float:
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ApiError(422, "invalid_field", f"{name} must be a number") from None
    if not lo <= value <= hi:  # NaN fails too
        raise ApiError(422, "invalid_field", f"{name} must be from {lo:g} to {hi:g}")
    return value


def status_query(request: web.Request, statuses: tuple[str, ...]) -> str | None:
    """The ``status`` filter of a listing, checked."""
    status = request.query.get("status")
    if status is not None and status not in statuses:
        allowed = ", ".join(statuses[:-1]) + f" or {statuses[-1]}"
        raise ApiError(422, "invalid_field", f"status must be {allowed}")
    return status


def page_query(request: web.Request, statuses: tuple[str, ...]) -> tuple[str | None, int, int]:
    """The ``status``, ``limit`` and ``offset`` of a paginated listing, checked."""
    status = status_query(request, statuses)
    limit = int_query(request, "limit", 50, 1, 200)
    offset = int_query(request, "offset", 0, 0, 10**9)
    return status, limit, offset


# --- routes ---------------------------------------------------------------------------


@route("GET", "/api/games", "The catalogue of games", GameList)
async def list_games(request: web.Request) -> web.StreamResponse:
    games = [
        GameInfo(
            g.name,
            g.title,
            g.rules,
            g.players.start,
            g.players.stop - 1,
            g.simultaneous,
            g.options_schema(),
            list(g.game_type.seats),
            f"/games/{g.name}/{g.game_type.board}" if g.game_type.board_file() else None,
            g.game_type.information,
            g.game_type.chance,
            dict(g.game_type.facts),
        )
        for g in catalogue()
    ]
    unavailable = [UnavailableGame(n, why) for n, why in sorted(unavailable_games().items())]
    return json_response(GameList(games, unavailable))


async def game_board(request: web.Request) -> web.StreamResponse:
    """A game's board module, from the game's own folder (the catalogue gives its URL)."""
    name = request.match_info["name"]
    game = next((g for g in catalogue() if g.name == name), None)
    path = game.game_type.board_file() if game is not None else None
    if game is None or path is None or request.match_info["file"] != game.game_type.board:
        raise web.HTTPNotFound()
    return web.FileResponse(path, headers={"Content-Type": "text/javascript; charset=utf-8"})


@route(
    "GET",
    "/api/bots",
    "Bots online now, with their status, and the running matches",
    BotList,
    query=(("game", "only bots that play this game"),),
)
async def list_bots(request: web.Request) -> web.StreamResponse:
    lobby = request.app[SERVER_KEY].lobby
    return json_response(BotList(lobby.online(request.query.get("game")), lobby.running()))


def created(handle: MatchHandle) -> MatchCreated:
    return MatchCreated(handle.id, f"/api/matches/{handle.id}", f"/ws/watch?match={handle.id}")


@route(
    "POST",
    "/api/matches",
    "Start a match between connected bots; with ?wait=SECONDS a bot busy in another match "
    "(the ladder's) is waited for: 202 and a waiting request, its bots held from the ladder",
    MatchCreated,
    body=MatchConfig,
    query=(("wait", "seconds to wait for busy bots, 0 to 600 (default 0: refuse, 409)"),),
    admin=True,
    errors=(400, 401, 404, 409, 422),
    also=((202, MatchRequestInfo),),
)
async def create_match(request: web.Request) -> web.StreamResponse:
    require_admin(request)
    wait = float_query(request, "wait", 0.0, 0.0, MAX_WAIT)
    config = await read_body(request, MatchConfig)
    server = request.app[SERVER_KEY]
    if wait == 0 or server.queue is None:
        return json_response(created(await server.matches.create(config)), 201)
    outcome = await server.queue.submit(config, wait)
    if isinstance(outcome, MatchRequest):
        return json_response(request_info(server.queue, outcome), 202)
    return json_response(created(outcome), 201)


def request_info(queue: MatchQueue, request: MatchRequest) -> MatchRequestInfo:
    waiting_for = (
        [BusyBot(name, queue.playing(name)) for name in queue.busy(request.config)]
        if request.waiting
        else []
    )
    error = request.error
    return MatchRequestInfo(
        request.id,
        request.status,
        request.config.game,
        list(request.config.bots),
        waiting_for,
        round(queue.seconds_left(request), 1),
        f"/api/match-requests/{request.id}",
        created(request.match) if request.match is not None else None,
        ErrorDetail(error.code, error.message) if error is not None else None,
    )


def find_request(request: web.Request) -> tuple[MatchQueue, MatchRequest]:
    queue = request.app[SERVER_KEY].queue
    request_id = request.match_info["id"]
    found = queue.get(request_id) if queue is not None else None
    if queue is None or found is None:
        raise ApiError(404, "unknown_request", f"no match request {quoted(request_id, 40)}")
    return queue, found


@route(
    "GET",
    "/api/match-requests/{id}",
    "A match request waiting for its bots, or how it ended (started: the match)",
    MatchRequestInfo,
    query=(("wait", "seconds to wait for it to end, 0 to 60: the answer comes at the change"),),
    errors=(404, 422),
)
async def get_match_request(request: web.Request) -> web.StreamResponse:
    queue, found = find_request(request)
    wait = float_query(request, "wait", 0.0, 0.0, 60.0)
    if wait > 0 and found.waiting:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                await found.changed.wait()
    return json_response(request_info(queue, found))


@route(
    "DELETE",
    "/api/match-requests/{id}",
    "Stop waiting: the request is cancelled (one already started or ended is left as it is)",
    MatchRequestInfo,
    admin=True,
    errors=(401, 404),
)
async def cancel_match_request(request: web.Request) -> web.StreamResponse:
    require_admin(request)
    queue, found = find_request(request)
    queue.cancel(found.id)
    return json_response(request_info(queue, found))


@route(
    "GET",
    "/api/matches",
    "Stored matches, newest first",
    MatchPage,
    query=(
        ("bot", "only matches this bot played"),
        ("game", "only this game"),
        ("status", "pending, running, finished or aborted"),
        ("limit", "page size, 1 to 200 (default 50)"),
        ("before", "a page's next: the matches older than that page"),
        ("after", "a page's previous: the matches newer than that page"),
    ),
    errors=(422,),
)
async def list_matches(request: web.Request) -> web.StreamResponse:
    status = status_query(request, ("pending", "running", "finished", "aborted"))
    limit = int_query(request, "limit", 50, 1, 200)
    if request.query.get("offset", "0") != "0":
        text = "offset is gone: follow the page's next (?before=) and previous (?after=)"
        raise ApiError(422, "invalid_field", text)
    try:
        listing = await request.app[SERVER_KEY].store.list_matches(
            bot=request.query.get("bot"),
            game=request.query.get("game"),
            status=status,  # type: ignore[arg-type]
            limit=limit,
            before=request.query.get("before"),
            after=request.query.get("after"),
        )
    except InvalidCursor as exc:
        raise ApiError(422, "invalid_field", str(exc)) from None
    return json_response(match_page(listing, limit))


@route(
    "GET",
    "/api/matches/{id}",
    "One match with its rounds and full event log (the replay)",
    MatchDetail,
    errors=(404,),
)
async def get_match(request: web.Request) -> web.StreamResponse:
    match_id = request.match_info["id"]
    server = request.app[SERVER_KEY]
    record = await server.store.get_match(match_id)
    if record is None:
        raise ApiError(404, "unknown_match", f"no match {quoted(match_id, 40)}")
    detail = match_detail(record)
    if server.journal.holds(match_id):
        detail.status = "storing"  # announced from the journal; the database has it soon
    return json_response(detail)


# --- health -----------------------------------------------------------------------------

READINESS_TIMEOUT = 3.0
"""Seconds one readiness check may take before it counts as failed."""


class Alive(msgspec.Struct):
    status: Literal["alive"] = "alive"


class CheckResult(msgspec.Struct):
    name: str
    """What was checked: ``database``, or a check a service added."""
    ok: bool
    seconds: float
    message: str | None = None
    """Why it is not ready."""


class Readiness(msgspec.Struct):
    """Whether this server can serve now; on 503 ``error`` is the first failed check."""

    ready: bool
    checks: list[CheckResult]
    error: ErrorDetail | None = None


@route("GET", "/healthz", "Liveness: 200 as long as the server's event loop runs", Alive)
async def healthz(request: web.Request) -> web.StreamResponse:
    return json_response(Alive())


async def _run_check(name: str, check: Callable[[], Awaitable[None]]) -> tuple[CheckResult, str]:
    """The check's result and, when it failed, its error code."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    code, message = "", None
    try:
        async with asyncio.timeout(READINESS_TIMEOUT):
            await check()
    except DatabaseUnavailable as exc:
        code, message = "database_unavailable", exc.reason
    except Refused as exc:
        code, message = exc.code, exc.message
    except TimeoutError:
        code, message = "not_ready", f"no answer within {READINESS_TIMEOUT:g} s"
    except Exception as exc:
        log.warning("readiness check %s failed", name, exc_info=True)
        code, message = "not_ready", str(exc) or type(exc).__name__
    result = CheckResult(name, not code, round(loop.time() - started, 6), message)
    return result, code


@route(
    "GET",
    "/readyz",
    "Readiness: 200 when every check passes (the database answers a trivial query "
    "within 2 s, and whatever else the server checks), else 503 naming the failed check",
    Readiness,
    errors=(503,),
)
async def readyz(request: web.Request) -> web.StreamResponse:
    server = request.app[SERVER_KEY]
    done = await asyncio.gather(*(_run_check(n, c) for n, c in server.readiness.items()))
    checks = [result for result, _ in done]
    failed = [(result, code) for result, code in done if code]
    if not failed:
        return json_response(Readiness(True, checks))
    first, code = failed[0]
    error = ErrorDetail(code, f"{first.name}: {first.message}")
    response = json_response(Readiness(False, checks, error), 503)
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


# --- OpenAPI ----------------------------------------------------------------------------


def openapi_document() -> dict[str, Any]:
    models: list[Any] = [ErrorBody]
    for r in ROUTES:
        models += [m for m in (r.response, r.body) if m is not None]
        models += [model for _, model in r.also]
    schemas, components = msgspec.json.schema_components(
        models, ref_template="#/components/schemas/{name}"
    )
    refs = dict(zip(models, schemas, strict=True))
    paths: dict[str, dict[str, Any]] = {}
    for r in ROUTES:
        op: dict[str, Any] = {"summary": r.summary, "operationId": r.handler.__name__}
        params = [
            {"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
            for n in re.findall(r"{(\w+)}", r.path)
        ]
        params += [
            {
                "name": n,
                "in": "query",
                "required": False,
                "description": d,
                "schema": {"type": "string"},
            }
            for n, d in r.query
        ]
        if params:
            op["parameters"] = params
        if r.body is not None:
            op["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": refs[r.body]}},
            }
        ok = "201" if r.method == "POST" else "200"
        op["responses"] = {
            ok: {"description": "OK", "content": {"application/json": {"schema": refs[r.response]}}}
        }
        for status, model in r.also:
            op["responses"][str(status)] = {
                "description": model.__doc__.strip().splitlines()[0] if model.__doc__ else "OK",
                "content": {"application/json": {"schema": refs[model]}},
            }
        # Every admin route may refuse with 429: too many wrong admin tokens (``require_admin``).
        for status in (*r.errors, *((429,) if r.admin and 429 not in r.errors else ())):
            op["responses"][str(status)] = {
                "description": "refused; the body says why",
                "content": {"application/json": {"schema": refs[ErrorBody]}},
            }
        if r.admin:
            op["security"] = [{"adminToken": []}]
        paths.setdefault(r.path, {})[r.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Ringside",
            "version": "1",
            "description": "A match server for AI programs. Bots connect over WebSocket "
            "(/ws/bot) or TCP; spectators over WebSocket (/ws/watch).",
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"adminToken": {"type": "http", "scheme": "bearer"}},
        },
    }


async def openapi_json(request: web.Request) -> web.StreamResponse:
    return json_response(request.app[OPENAPI_KEY])


OPENAPI_KEY = web.AppKey("openapi", dict)


def unavailable_response(exc: DatabaseUnavailable) -> web.Response:
    """503 with ``Retry-After``: the request was fine, the database is away."""
    text = f"the database is unavailable ({exc.reason}); try again in {exc.retry_after} s"
    response = error_response(503, "database_unavailable", text)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every refusal and every failure is JSON with a code and a sentence; no traceback
    reaches a client (the log has it)."""
    try:
        return await handler(request)
    except Refused as exc:
        return error_response(status_of(exc), exc.code, exc.message)
    except web.HTTPException as exc:
        if not request.path.startswith("/api/") or exc.status < 400:
            raise
        return error_response(exc.status, exc.reason.lower().replace(" ", "_"), exc.reason)
    except DatabaseUnavailable as exc:
        log.warning("%s %s: %s", request.method, request.path, exc)
        return unavailable_response(exc)
    except Exception:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            raise  # the socket is the response: there is no other to send
        log.exception("%s %s failed", request.method, request.path)
        text = "the server failed to answer this request; its log says why"
        return error_response(500, "internal_error", text)


def add_routes(app: web.Application) -> None:
    for r in ROUTES:
        app.router.add_route(r.method, r.path, r.handler)
    app[OPENAPI_KEY] = openapi_document()
    app.router.add_get("/api/openapi.json", openapi_json)

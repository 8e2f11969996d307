"""HTTP routes for ratings and tournaments: leaderboard, create, list, detail, cancel.

They register through ``api.route`` like every other route, so the OpenAPI
document describes them; ``main.build_app`` imports this module before adding
the routes. Tournament detail is computed from the store's rows by the same
plain ``Tournament`` the runner uses, so a finished tournament, one running
and one waiting for a restart all read the same way.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from aiohttp import web

from ringside.rating.model import BETA, ELO_PER_MU, MODEL_NAME, MU, SIGMA, TAU, Skill
from ringside.server.api import (
    ApiError,
    int_query,
    json_response,
    page_query,
    read_body,
    require_admin,
    route,
)
from ringside.server.keys import SERVER_KEY
from ringside.server.tournaments import TournamentManager, TournamentRequest, restore
from ringside.store.records import TournamentRecord
from ringside.text import quoted
from ringside.tournament import Tournament
from ringside.tournament.report import SprtInfo, StandingRow, sprt_info, standing_rows

TournamentStatus = Literal["running", "finished", "cancelled", "failed"]


class RatingModel(msgspec.Struct):
    name: str
    mu: float
    sigma: float
    beta: float
    tau: float
    elo: str
    """How Elo is derived from mu and sigma."""
    order: str


class LeaderboardRow(msgspec.Struct):
    rank: int
    bot: str
    elo: float
    """Elo-scale rating: 1500 + 29.48 (mu − 25) (see the model's ``elo``)."""
    elo_low: float
    """95 % interval of the Elo figure: elo ± 1.96 · 29.48 · sigma."""
    elo_high: float
    mu: float
    sigma: float
    skill: float
    """Conservative skill mu − 3 sigma: the order of the table."""
    games: int
    wins: int
    draws: int
    losses: int
    updated_at: str


class Leaderboard(msgspec.Struct):
    game: str
    model: RatingModel
    rows: list[LeaderboardRow]
    rated_games: list[str]
    """Every game that has ratings, for a page that offers a choice."""


class TournamentRef(msgspec.Struct):
    id: str
    url: str
    """Where its detail is: ``GET`` it for progress, standings and the cross table."""


class CrossCell(msgspec.Struct):
    points: float
    games: int


class CrossRow(msgspec.Struct):
    bot: str
    cells: dict[str, CrossCell]
    """Points and games against each opponent met, by opponent."""
    points: float
    games: int


class TournamentGameRow(msgspec.Struct):
    no: int
    round: int
    bots: list[str]
    """Bot at each seat (one bot: a Swiss bye)."""
    status: str
    """pending, running, done, forfeit, cancelled or bye."""
    points: list[float] | None
    match_id: str | None
    attempts: int
    note: str | None


class TournamentSummary(msgspec.Struct):
    id: str
    name: str | None
    game: str
    format: str
    status: TournamentStatus
    bots: list[str]
    played: int
    total: int
    created_at: str
    finished_at: str | None
    leader: str | None
    failure: str | None
    """Why a ``failed`` tournament was given up (a step kept failing)."""


class TournamentDetail(TournamentSummary):
    games_per_pair: int
    rounds: int | None
    round: int
    concurrency: int
    time_control: dict[str, Any]
    options: dict[str, Any]
    running: int
    left: int
    """Games still to play (Swiss: including rounds not paired yet)."""
    standings: list[StandingRow]
    cross_table: list[CrossRow]
    games: list[TournamentGameRow]
    sprt: SprtInfo | None


class TournamentPage(msgspec.Struct):
    items: list[TournamentSummary]
    total: int
    limit: int
    offset: int


MODEL = RatingModel(
    MODEL_NAME,
    MU,
    SIGMA,
    BETA,
    TAU,
    f"1500 + {ELO_PER_MU:.2f} (mu − {MU:g}), 95 % interval ± 1.96 · {ELO_PER_MU:.2f} sigma;"
    f" {ELO_PER_MU:.2f} = 400 / (ln 10 · sqrt 2 · beta): the model's own win probability in Elo's form",
    "mu − 3 sigma, best first",
)


def _manager(request: web.Request) -> TournamentManager:
    manager = request.app[SERVER_KEY].tournaments
    if manager is None:
        raise ApiError(503, "unavailable", "this server runs no tournaments")
    return manager


def _iso(value: object) -> str | None:
    return None if value is None else value.isoformat()  # type: ignore[attr-defined]


@route(
    "GET",
    "/api/leaderboard",
    "Ratings of one game, best conservative skill first, with Elo-scale figures",
    Leaderboard,
    query=(("game", "the game (required)"), ("limit", "rows, 1 to 1000 (default 100)")),
    errors=(422,),
)
async def leaderboard(request: web.Request) -> web.StreamResponse:
    game = request.query.get("game")
    if not game:
        raise ApiError(422, "invalid_field", "game is required: /api/leaderboard?game=connect4")
    limit = int_query(request, "limit", 100, 1, 1000)
    store = request.app[SERVER_KEY].store
    rows = []
    for rank, r in enumerate((await store.leaderboard(game))[:limit], start=1):
        skill = Skill(r.mu, r.sigma)
        rows.append(
            LeaderboardRow(
                rank,
                r.bot_name,
                skill.elo,
                skill.elo - skill.elo_margin,
                skill.elo + skill.elo_margin,
                r.mu,
                r.sigma,
                skill.conservative,
                r.games,
                r.wins,
                r.draws,
                r.losses,
                r.updated_at.isoformat(),
            )
        )
    return json_response(Leaderboard(game, MODEL, rows, await store.rated_games()))


@route(
    "POST",
    "/api/tournaments",
    "Start a tournament: round-robin, gauntlet or Swiss, optionally an SPRT",
    TournamentRef,
    body=TournamentRequest,
    admin=True,
    errors=(400, 401, 404, 409, 422, 503),
)
async def create_tournament(request: web.Request) -> web.StreamResponse:
    require_admin(request)
    body = await read_body(request, TournamentRequest)
    run = await _manager(request).create(body)
    return json_response(TournamentRef(run.id, f"/api/tournaments/{run.id}"), 201)


@route(
    "GET",
    "/api/tournaments",
    "Tournaments, newest first",
    TournamentPage,
    query=(
        ("status", "running, finished, cancelled or failed"),
        ("limit", "page size, 1 to 200 (default 50)"),
        ("offset", "items to skip"),
    ),
    errors=(422,),
)
async def list_tournaments(request: web.Request) -> web.StreamResponse:
    status, limit, offset = page_query(request, ("running", "finished", "cancelled", "failed"))
    store = request.app[SERVER_KEY].store.tournaments
    records, total = await store.page(
        status,  # type: ignore[arg-type]
        limit,
        offset,
        games=False,
    )
    items = [await _summary_of(request, record) for record in records]
    return json_response(TournamentPage(items, total, limit, offset))


_ENDED: dict[str, TournamentSummary] = {}
"""Summaries of ended tournaments (they never change), so that listing them does not read
every game of each again (a tournament may have 100,000); the oldest goes past ``ENDED``."""
ENDED = 1024


async def _summary_of(request: web.Request, record: TournamentRecord) -> TournamentSummary:
    """The summary of a tournament listed without its games: from the live state of a
    tournament run here, from the cache for an ended one, else from its stored games."""
    server = request.app[SERVER_KEY]
    run = server.tournaments.runs.get(record.id) if server.tournaments is not None else None
    if record.status == "running" and run is not None:
        return _summary(record, run.state)
    key = f"{record.id}:{record.status}"
    cached = _ENDED.get(key)
    if cached is not None:
        return cached
    full = await server.store.tournaments.get(record.id)
    summary = _summary(full or record, restore(full or record)[1])
    if summary.status != "running":
        while len(_ENDED) >= ENDED:
            del _ENDED[next(iter(_ENDED))]
        _ENDED[key] = summary
    return summary


@route(
    "GET",
    "/api/tournaments/{id}",
    "One tournament: standings, cross table, games played and left, SPRT state",
    TournamentDetail,
    errors=(404,),
)
async def get_tournament(request: web.Request) -> web.StreamResponse:
    record = await _record(request)
    return json_response(detail(record))


@route(
    "POST",
    "/api/tournaments/{id}/cancel",
    "Cancel a running tournament: games not started are dropped, running ones aborted",
    TournamentRef,
    admin=True,
    errors=(401, 404, 409),
)
async def cancel_tournament(request: web.Request) -> web.StreamResponse:
    require_admin(request)
    record = await _record(request, games=False)
    if record.status != "running" or not _manager(request).cancel(record.id):
        raise ApiError(409, "not_running", f"tournament {record.id} is {record.status}")
    return json_response(TournamentRef(record.id, f"/api/tournaments/{record.id}"), 201)


async def _record(request: web.Request, games: bool = True) -> TournamentRecord:
    tid = request.match_info["id"]
    record = await request.app[SERVER_KEY].store.tournaments.get(tid, games)
    if record is None:
        raise ApiError(404, "unknown_tournament", f"no tournament {quoted(tid, 40)}")
    return record


def _summary(record: TournamentRecord, state: Tournament) -> TournamentSummary:
    standings = state.standings()
    leader = standings[0].bot if standings and state.played else None
    return TournamentSummary(
        record.id,
        record.name,
        record.game,
        record.format,
        record.status,  # type: ignore[arg-type]
        list(state.spec.bots),
        state.played,
        state.total,
        _iso(record.created_at) or "",
        _iso(record.finished_at),
        leader,
        record.failure,
    )


def detail(record: TournamentRecord) -> TournamentDetail:
    """Everything about a tournament, computed from its stored rows."""
    request, state = restore(record)
    summary = msgspec.structs.asdict(_summary(record, state))
    table = state.cross_table()
    rows = standing_rows(state)
    cross = [
        CrossRow(
            row.bot,
            {o: CrossCell(c.points, c.games) for o, c in table[row.bot].items()},
            sum(c.points for c in table[row.bot].values()),
            sum(c.games for c in table[row.bot].values()),
        )
        for row in rows
    ]
    games = [
        TournamentGameRow(
            g.no,
            g.round,
            list(g.bots),
            g.status,
            None if g.points is None else list(g.points),
            g.match_id,
            g.attempts,
            g.note,
        )
        for g in state.games
    ]
    running = len(state.running())
    return TournamentDetail(
        **summary,
        games_per_pair=request.games_per_pair,
        rounds=state.spec.swiss_rounds if request.format == "swiss" else None,
        round=state.round,
        concurrency=request.concurrency,
        time_control=msgspec.to_builtins(request.time_control),
        options=dict(request.options),
        running=running,
        left=0 if record.status != "running" else max(0, state.total - state.played),
        standings=rows,
        cross_table=cross,
        games=games,
        sprt=sprt_info(state),
    )

"""HTTP route of a bot's page: ``GET /api/bots/{name}``.

Everything the store keeps about one bot (``store.profiles``: results by game,
the rating after each rated match, head-to-head, tournaments), its latest
matches, its standing in each tournament and whether it is online now (the
lobby). It registers through ``api.route`` like every other route, so the
OpenAPI document describes it; ``main.build_app`` imports this module before
adding the routes.
"""

from __future__ import annotations

import unicodedata
from typing import Literal

import msgspec
from aiohttp import web

from ringside.protocol.messages import BotInfo
from ringside.rating.model import Skill
from ringside.server.api import ApiError, json_response, route
from ringside.server.connection import MAX_NAME
from ringside.server.keys import SERVER_KEY
from ringside.server.services import Server
from ringside.server.tournaments import restore
from ringside.store.profiles import BotProfile, GameResults, RatingHistory
from ringside.store.records import RatingRecord, TournamentRecord
from ringside.text import quoted
from ringside.views import MatchSummary, match_summary

RECENT = 10
"""Matches listed on the page, newest first (History has the rest: ``/api/matches?bot=``)."""


class RatingPoint(msgspec.Struct):
    """The bot's rating just after one rated match."""

    match_id: str
    at: str
    """When the match finished."""
    elo: float
    mu: float
    sigma: float


class BotRating(msgspec.Struct):
    """The bot's rating in one game now, as the leaderboard shows it."""

    rank: int
    """Its row in the game's leaderboard (1 = top)."""
    rated: int
    """Bots rated in that game."""
    elo: float
    elo_low: float
    """95 % interval of the Elo figure."""
    elo_high: float
    mu: float
    sigma: float
    skill: float
    """Conservative skill mu − 3 sigma: the leaderboard's order."""
    games: int
    """Rated matches."""
    wins: int
    draws: int
    losses: int
    updated_at: str


class BotGame(msgspec.Struct):
    """The bot's matches of one game: results, rating and rating history."""

    game: str
    played: int
    """Finished matches (one-player ones count as played, not as won or lost)."""
    wins: int
    draws: int
    losses: int
    aborted: int
    live: int
    """Pending or running now."""
    rating: BotRating | None
    """None if no match of it was rated in this game."""
    history: list[RatingPoint]
    """One point per rated match, oldest first (the newest 1000 at most)."""
    history_total: int
    """Rated matches in the history, all of them."""


class HeadToHeadRow(msgspec.Struct):
    """Finished matches of one game against one opponent: the bot's score against theirs."""

    game: str
    opponent: str
    games: int
    wins: int
    draws: int
    losses: int
    points: float
    """Wins plus half the draws."""


class BotTournament(msgspec.Struct):
    id: str
    name: str | None
    game: str
    format: str
    status: Literal["running", "finished", "cancelled"]
    created_at: str
    finished_at: str | None
    rank: int | None
    """The bot's place in the standings (None if it is not in them)."""
    bots: int
    points: float
    games: int


class BotPage(msgspec.Struct):
    name: str
    registered: bool
    """Whether the bot has a token here (``ringside bots add``); guests have none."""
    created_at: str | None
    """When it was registered."""
    online: BotInfo | None
    """Its lobby entry if it is connected now."""
    played: int
    """Finished matches, every game."""
    wins: int
    draws: int
    losses: int
    aborted: int
    live: int
    games: list[BotGame]
    """By game name."""
    head_to_head: list[HeadToHeadRow]
    """Most games first."""
    recent: list[MatchSummary]
    """The newest matches, any status."""
    tournaments: list[BotTournament]
    """Newest first."""


def check_name(name: str) -> None:
    """A name a bot could have: 1 to 64 characters, no control characters (as ``hello``)."""
    if not 1 <= len(name) <= MAX_NAME:
        raise ApiError(422, "invalid_field", f"a bot name has 1 to {MAX_NAME} characters")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise ApiError(422, "invalid_field", "a bot name has no control characters")


def _rating(record: RatingRecord, rank: int, rated: int) -> BotRating:
    skill = Skill(record.mu, record.sigma)
    return BotRating(
        rank,
        rated,
        skill.elo,
        skill.elo - skill.elo_margin,
        skill.elo + skill.elo_margin,
        record.mu,
        record.sigma,
        skill.conservative,
        record.games,
        record.wins,
        record.draws,
        record.losses,
        record.updated_at.isoformat(),
    )


async def _games(server: Server, profile: BotProfile) -> list[BotGame]:
    results = {r.game: r for r in profile.results}
    ratings = {r.game: r for r in profile.ratings}
    histories = {h.game: h for h in profile.history}
    games = []
    for game in sorted(results.keys() | ratings.keys() | histories.keys()):
        rating = None
        if game in ratings:
            board = [r.bot_name for r in await server.store.leaderboard(game)]
            rank = board.index(profile.name) + 1 if profile.name in board else len(board)
            rating = _rating(ratings[game], rank, len(board))
        r = results.get(game) or GameResults(game, 0, 0, 0, 0, 0, 0)
        history = histories.get(game) or RatingHistory(game, 0, ())
        points = [
            RatingPoint(p.match_id, p.at.isoformat(), p.elo, p.mu, p.sigma) for p in history.points
        ]
        games.append(
            BotGame(
                game,
                r.played,
                r.wins,
                r.draws,
                r.losses,
                r.aborted,
                r.live,
                rating,
                points,
                history.total,
            )
        )
    return games


def _tournament(record: TournamentRecord, name: str) -> BotTournament:
    _, state = restore(record)
    rows = state.standings()
    mine = next((r for r in rows if r.bot == name), None)
    return BotTournament(
        record.id,
        record.name,
        record.game,
        record.format,
        record.status,  # type: ignore[arg-type]
        record.created_at.isoformat(),
        None if record.finished_at is None else record.finished_at.isoformat(),
        None if mine is None else mine.rank,
        len(state.spec.bots),
        0.0 if mine is None else mine.points,
        0 if mine is None else mine.games,
    )


@route(
    "GET",
    "/api/bots/{name}",
    "One bot's page: results and rating history by game, head-to-head, recent matches, "
    "tournaments, and whether it is online now",
    BotPage,
    errors=(404, 422),
)
async def get_bot(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    check_name(name)
    server = request.app[SERVER_KEY]
    online = server.lobby.bots.get(name)
    profile = await server.store.profiles.profile(name)
    if profile is None:
        if online is None:
            text = f"no bot named {quoted(name, 40)} has registered or played here"
            raise ApiError(404, "unknown_bot", text)
        profile = BotProfile(name, None, (), (), (), (), ())
    listing = await server.store.list_matches(bot=name, limit=RECENT)
    tournaments = []
    for tid in profile.tournament_ids:
        record = await server.store.tournaments.get(tid)
        if record is not None:
            tournaments.append(_tournament(record, name))
    games = await _games(server, profile)
    page = BotPage(
        name=name,
        registered=profile.bot is not None and not profile.bot.guest,
        created_at=None if profile.bot is None else profile.bot.created_at.isoformat(),
        online=online,
        played=sum(g.played for g in games),
        wins=sum(g.wins for g in games),
        draws=sum(g.draws for g in games),
        losses=sum(g.losses for g in games),
        aborted=sum(g.aborted for g in games),
        live=sum(g.live for g in games),
        games=games,
        head_to_head=[
            HeadToHeadRow(
                h.game, h.opponent, h.games, h.wins, h.draws, h.losses, h.wins + h.draws / 2
            )
            for h in profile.head_to_head
        ],
        recent=[match_summary(m) for m in listing.items],
        tournaments=tournaments,
    )
    return json_response(page)

"""One bot as its page shows it: results by game, rating history, head-to-head, tournaments.

Read-only queries over the other stores' tables, in one transaction, handed out
as frozen records. The results are counted from the stored seats' scores the
way ratings count them (``rating.outcomes``): a bot alone on the top score won,
sharing it drew, below it lost; a match of one player counts as played only.
Head-to-head compares the bot's score with each opponent's in the same match,
so a three-player match is one game against each of the other two.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from ringside.store.engine import Database
from ringside.store.models import Bot, Match, MatchSeat, Rating, RatingUpdate, Tournament
from ringside.store.records import BotRecord, RatingRecord

HISTORY_LIMIT = 1000
"""Rating updates handed out per game at most (the newest); ``RatingHistory.total`` has all."""
TOURNAMENT_LIMIT = 50
"""Tournaments listed at most, newest first."""


@dataclass(frozen=True, slots=True)
class RatingPoint:
    """A bot's rating just after one rated match."""

    match_id: str
    at: datetime
    """When the match finished (and was rated)."""
    mu: float
    sigma: float
    elo: float


@dataclass(frozen=True, slots=True)
class RatingHistory:
    game: str
    total: int
    """Rated matches of the bot in this game; ``points`` holds the newest ``HISTORY_LIMIT``."""
    points: tuple[RatingPoint, ...]
    """Oldest first."""


@dataclass(frozen=True, slots=True)
class GameResults:
    """How a bot's matches of one game went."""

    game: str
    played: int
    """Finished matches (the single-player ones too)."""
    wins: int
    draws: int
    losses: int
    aborted: int
    live: int
    """Pending or running now."""


@dataclass(frozen=True, slots=True)
class HeadToHead:
    """The bot's finished matches of one game against one opponent, from its side."""

    game: str
    opponent: str
    games: int
    wins: int
    draws: int
    losses: int


@dataclass(frozen=True, slots=True)
class BotProfile:
    name: str
    bot: BotRecord | None
    """The registration, if the bot is registered (a guest that played has none)."""
    results: tuple[GameResults, ...]
    """By game name."""
    ratings: tuple[RatingRecord, ...]
    """By game name."""
    history: tuple[RatingHistory, ...]
    """By game name."""
    head_to_head: tuple[HeadToHead, ...]
    """Most games first, then by game and opponent."""
    tournament_ids: tuple[str, ...]
    """Tournaments it plays or played in, newest first (at most ``TOURNAMENT_LIMIT``)."""


class ProfileStore:
    """Bot pages; each method is one read transaction."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def profile(self, name: str, history_limit: int = HISTORY_LIMIT) -> BotProfile | None:
        """Everything stored about bot ``name``; None if it is not registered and never played."""
        async with self._db.transaction() as session:
            bot = await session.scalar(select(Bot).where(Bot.name == name))
            results = await _results(session, name)
            if bot is None and not results:
                return None
            ratings = await session.scalars(
                select(Rating).where(Rating.bot_name == name).order_by(Rating.game)
            )
            return BotProfile(
                name=name,
                bot=None if bot is None else BotRecord(bot.id, bot.name, bot.created_at, bot.guest),
                results=results,
                ratings=tuple(
                    RatingRecord(
                        r.game,
                        r.bot_name,
                        r.mu,
                        r.sigma,
                        r.games,
                        r.wins,
                        r.draws,
                        r.losses,
                        r.updated_at,
                    )
                    for r in ratings
                ),
                history=await _history(session, name, history_limit),
                head_to_head=await _head_to_head(session, name),
                tournament_ids=await _tournaments(session, name),
            )


async def _results(session: AsyncSession, name: str) -> tuple[GameResults, ...]:
    me = aliased(MatchSeat)
    them = aliased(MatchSeat)
    counts = await session.execute(
        select(Match.game, Match.status, func.count(func.distinct(Match.id)))
        .join(me, me.match_id == Match.id)
        .where(me.bot_name == name)
        .group_by(Match.game, Match.status)
    )
    by_game: dict[str, dict[str, int]] = {}
    for game, status, count in counts:
        by_game.setdefault(game, {})[status] = count
    if not by_game:
        return ()
    # One row per finished match the bot scored in: how many others scored more, the same.
    per_match = (
        select(
            Match.game.label("game"),
            func.count(them.player).label("others"),
            func.sum(case((them.score > me.score, 1), else_=0)).label("higher"),
            func.sum(case((them.score == me.score, 1), else_=0)).label("equal"),
        )
        .select_from(Match)
        .join(me, me.match_id == Match.id)
        .outerjoin(them, and_(them.match_id == Match.id, them.player != me.player))
        .where(me.bot_name == name, Match.status == "finished", me.score.is_not(None))
        .group_by(Match.game, me.match_id, me.player)
        .subquery()
    )
    played_against = per_match.c.others > 0
    top = and_(played_against, per_match.c.higher == 0)
    tallies = await session.execute(
        select(
            per_match.c.game,
            func.sum(case((and_(top, per_match.c.equal == 0), 1), else_=0)),
            func.sum(case((and_(top, per_match.c.equal > 0), 1), else_=0)),
            func.sum(case((per_match.c.higher > 0, 1), else_=0)),
        ).group_by(per_match.c.game)
    )
    wdl = {game: (int(w or 0), int(d or 0), int(lost or 0)) for game, w, d, lost in tallies}
    return tuple(
        GameResults(
            game,
            statuses.get("finished", 0),
            *wdl.get(game, (0, 0, 0)),
            aborted=statuses.get("aborted", 0),
            live=statuses.get("pending", 0) + statuses.get("running", 0),
        )
        for game, statuses in sorted(by_game.items())
    )


async def _history(session: AsyncSession, name: str, limit: int) -> tuple[RatingHistory, ...]:
    totals = await session.execute(
        select(RatingUpdate.game, func.count())
        .where(RatingUpdate.bot_name == name)
        .group_by(RatingUpdate.game)
        .order_by(RatingUpdate.game)
    )
    histories = []
    for game, total in totals.all():
        rows = await session.execute(
            select(
                RatingUpdate.match_id,
                RatingUpdate.rated_at,
                RatingUpdate.mu,
                RatingUpdate.sigma,
                RatingUpdate.elo,
            )
            .where(RatingUpdate.bot_name == name, RatingUpdate.game == game)
            .order_by(RatingUpdate.rated_at.desc(), RatingUpdate.match_id.desc())
            .limit(limit)
        )
        points = [RatingPoint(*row) for row in rows]
        points.reverse()
        histories.append(RatingHistory(game, total, tuple(points)))
    return tuple(histories)


async def _head_to_head(session: AsyncSession, name: str) -> tuple[HeadToHead, ...]:
    me = aliased(MatchSeat)
    them = aliased(MatchSeat)
    rows = await session.execute(
        select(
            Match.game,
            them.bot_name,
            func.count(),
            func.sum(case((me.score > them.score, 1), else_=0)),
            func.sum(case((me.score == them.score, 1), else_=0)),
            func.sum(case((me.score < them.score, 1), else_=0)),
        )
        .select_from(Match)
        .join(me, me.match_id == Match.id)
        .join(them, and_(them.match_id == Match.id, them.player != me.player))
        .where(
            me.bot_name == name,
            them.bot_name != name,
            Match.status == "finished",
            me.score.is_not(None),
            them.score.is_not(None),
        )
        .group_by(Match.game, them.bot_name)
    )
    found = [HeadToHead(g, o, int(n), int(w), int(d), int(lost)) for g, o, n, w, d, lost in rows]
    return tuple(sorted(found, key=lambda h: (-h.games, h.game, h.opponent)))


async def _tournaments(session: AsyncSession, name: str) -> tuple[str, ...]:
    """Tournaments with a match of the bot, and running ones that list it (no game yet)."""
    seat = aliased(MatchSeat)
    played = select(Match.tournament_id).join(seat, seat.match_id == Match.id)
    played = played.where(seat.bot_name == name, Match.tournament_id.is_not(None)).distinct()
    ids = set(await session.scalars(played))
    running = await session.execute(
        select(Tournament.id, Tournament.config).where(Tournament.status == "running")
    )
    ids |= {tid for tid, config in running if name in (config or {}).get("bots", ())}
    if not ids:
        return ()
    newest = await session.scalars(
        select(Tournament.id)
        .where(Tournament.id.in_(sorted(ids)))
        .order_by(Tournament.created_at.desc(), Tournament.id.desc())
        .limit(TOURNAMENT_LIMIT)
    )
    return tuple(newest)

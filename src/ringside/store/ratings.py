"""Ratings in the store: updated inside the transaction that finishes a match, or rebuilt.

The arithmetic is ``ringside.rating.rate``; this module reads and writes the
rows around it. Two promises are kept here:

- **Same transaction**: ``MatchStore.finish_match(..., rate=True)`` calls
  :func:`rate_match` in its own session, so a match result is never stored
  without its rating change, nor the other way round.
- **History**: each rating update also writes one ``rating_updates`` row per
  player (the rating just after that match), in the same transaction; a rebuild
  erases and writes them again, so the history always ends at the rating.
- **Rebuild equals incremental**: matches of one game are rated one at a time
  (PostgreSQL: a per-game advisory lock; SQLite: the write lock) and each gets a
  ``finished_at`` strictly later than the game's last rated match, so the order
  ``(finished_at, id)`` that :func:`rebuild` replays is exactly the order in
  which the ratings were updated.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from ringside.rating.model import Outcome, Skill, outcomes, rate
from ringside.store.engine import Database
from ringside.store.models import TICK, Match, MatchSeat, Rating, RatingUpdate
from ringside.store.records import RatingRecord


def _lock_key(game: str) -> int:
    return zlib.crc32(f"ringside.ratings:{game}".encode())


async def lock_game(session: AsyncSession, game: str) -> None:
    """Serialise rating updates of one game (PostgreSQL; SQLite's write lock already does)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _lock_key(game)})


def _history(
    match_id: str, game: str, bots: Sequence[str], skills: Sequence[Skill], at: datetime
) -> list[dict[str, object]]:
    """The ``rating_updates`` rows of one rated match: each player's rating after it."""
    return [
        {
            "match_id": match_id,
            "player": player,
            "game": game,
            "bot_name": bot,
            "rated_at": at,
            "mu": skill.mu,
            "sigma": skill.sigma,
            "elo": skill.elo,
        }
        for player, (bot, skill) in enumerate(zip(bots, skills, strict=True))
    ]


async def rate_match(
    session: AsyncSession,
    game: str,
    bots: Sequence[str],
    scores: Sequence[float],
    now: datetime,
    match_id: str,
) -> datetime:
    """Update the ratings of ``bots`` (by player) from ``scores``; returns the match's finish time.

    Each player's new rating is also written to the history (``rating_updates``).
    Matches of fewer than two players are not rated (the time is still returned).
    """
    await lock_game(session, game)
    last = await session.scalar(select(func.max(Rating.updated_at)).where(Rating.game == game))
    finished_at = now if last is None or now > last else last + TICK
    if len(bots) < 2:
        return finished_at
    rows = {
        row.bot_name: row
        for row in await session.scalars(
            select(Rating).where(Rating.game == game, Rating.bot_name.in_(list(bots)))
        )
    }
    before = [Skill(rows[b].mu, rows[b].sigma) if b in rows else Skill() for b in bots]
    after = rate(before, scores)
    await session.execute(insert(RatingUpdate), _history(match_id, game, bots, after, finished_at))
    for bot, skill, outcome in zip(bots, after, outcomes(scores), strict=True):
        row = rows.get(bot)
        if row is None:
            session.add(_new_row(game, bot, skill, outcome, finished_at))
            continue
        await session.execute(
            update(Rating)
            .where(Rating.game == game, Rating.bot_name == bot)
            .values(
                mu=skill.mu,
                sigma=skill.sigma,
                games=row.games + 1,
                wins=row.wins + outcome.wins,
                draws=row.draws + outcome.draws,
                losses=row.losses + outcome.losses,
                updated_at=finished_at,
            )
        )
    return finished_at


def _new_row(game: str, bot: str, skill: Skill, outcome: Outcome, at: datetime) -> Rating:
    return Rating(
        game=game,
        bot_name=bot,
        mu=skill.mu,
        sigma=skill.sigma,
        games=1,
        wins=outcome.wins,
        draws=outcome.draws,
        losses=outcome.losses,
        updated_at=at,
    )


async def rebuild(session: AsyncSession, game: str | None = None) -> int:
    """Recompute ratings (of one game, or all) from every finished match; returns how many."""
    games_query = select(Match.game).where(Match.status == "finished").distinct()
    if game is not None:
        games_query = games_query.where(Match.game == game)
    games = sorted(set(await session.scalars(games_query)) | ({game} if game else set()))
    for name in games:
        await lock_game(session, name)
    erase = delete(Rating) if game is None else delete(Rating).where(Rating.game == game)
    await session.execute(erase)
    forget = delete(RatingUpdate)
    await session.execute(forget if game is None else forget.where(RatingUpdate.game == game))
    query = (
        select(Match.id, Match.game, Match.finished_at, MatchSeat.bot_name, MatchSeat.score)
        .join(MatchSeat, MatchSeat.match_id == Match.id)
        .where(Match.status == "finished")
        .order_by(Match.finished_at, Match.id, MatchSeat.player)
    )
    if game is not None:
        query = query.where(Match.game == game)
    table: dict[tuple[str, str], Rating] = {}
    rated = 0
    current: tuple[str, str, datetime | None] | None = None
    seats: list[tuple[str, float | None]] = []
    history: list[dict[str, object]] = []

    def flush() -> None:
        nonlocal rated
        if current is None or len(seats) < 2 or any(s is None for _, s in seats):
            return
        match_game, match_id, finished_at = current
        if finished_at is None:  # pragma: no cover - a finished match always has its time
            return
        bots = [b for b, _ in seats]
        scores = [float(s) for _, s in seats if s is not None]
        keys = [(match_game, b) for b in bots]
        before = [Skill(table[k].mu, table[k].sigma) if k in table else Skill() for k in keys]
        after = rate(before, scores)
        history.extend(_history(match_id, match_game, bots, after, finished_at))
        for key, skill, outcome in zip(keys, after, outcomes(scores), strict=True):
            row = table.get(key)
            if row is None:
                table[key] = _new_row(key[0], key[1], skill, outcome, finished_at)
                continue
            row.mu, row.sigma, row.updated_at = skill.mu, skill.sigma, finished_at
            row.games += 1
            row.wins += outcome.wins
            row.draws += outcome.draws
            row.losses += outcome.losses
        rated += 1

    for match_id, match_game, finished_at, bot, score in await session.execute(query):
        if current is None or current[1] != match_id:
            flush()
            current, seats = (match_game, match_id, finished_at), []
        seats.append((bot, score))
    flush()
    session.add_all(table.values())
    if history:
        await session.execute(insert(RatingUpdate), history)
    return rated


async def leaderboard(session: AsyncSession, game: str) -> list[RatingRecord]:
    """Every rated bot of ``game``, by conservative skill (mu − 3 sigma), best first."""
    rows = await session.scalars(select(Rating).where(Rating.game == game))
    records = [
        RatingRecord(
            r.game, r.bot_name, r.mu, r.sigma, r.games, r.wins, r.draws, r.losses, r.updated_at
        )
        for r in rows
    ]
    return sorted(records, key=lambda r: (-(r.mu - 3 * r.sigma), -r.games, r.bot_name))


async def rated_games(session: AsyncSession) -> list[str]:
    """Games with at least one rating row."""
    return sorted(set(await session.scalars(select(Rating.game).distinct())))


class RatingStore:
    """The leaderboard and the rebuild; ratings change with results in ``MatchStore``."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def leaderboard(self, game: str) -> list[RatingRecord]:
        """The ratings of ``game``, best conservative skill (mu − 3 sigma) first."""
        async with self._db.transaction() as session:
            return await leaderboard(session, game)

    async def rated_games(self) -> list[str]:
        async with self._db.transaction() as session:
            return await rated_games(session)

    async def rebuild_ratings(self, game: str | None = None) -> int:
        """Recompute ratings from every finished match, in one transaction; returns how many."""
        async with self._db.transaction(write=True) as session:
            return await rebuild(session, game)

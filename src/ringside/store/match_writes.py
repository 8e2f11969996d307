"""A match's writes as plain SQL on a ``sqlite3`` connection, for group commit (``grouped``).

The same rows, in the same formats, as ``MatchStore``'s SQLAlchemy path
writes (``UTCDateTime`` as SQLAlchemy's SQLite text, JSON columns through
``json_text``), so that everything else reads them through SQLAlchemy
unchanged: creating a match, appending events, and finishing it with its
rounds, scores, result document and rating update in the same job. The
checks are the same too: a row that changed hands is ``MatchFenced``, a
closed one ``MatchClosed``, and finishing twice with the same status does
nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import msgspec

from ringside.protocol.messages import MatchResult
from ringside.rating.model import Skill, outcomes, rate
from ringside.store.event_rows import event_rows
from ringside.store.models import LIVE_STATUSES, TICK, json_text
from ringside.store.records import (
    EncodedEvent,
    MatchClosed,
    MatchExists,
    MatchFenced,
    MatchNotFound,
    MatchOutcome,
)


def sql_time(value: datetime | None) -> str | None:
    """An aware datetime as SQLAlchemy stores ``UTCDateTime`` on SQLite (naive UTC text)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: the store keeps UTC times only")
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _json(value: Any) -> str | None:
    return None if value is None else json_text(value)


def create(connection: sqlite3.Connection, row: dict[str, Any], bots: Sequence[str]) -> None:
    """Insert a live match and its seats; ``MatchExists`` if its id is taken."""
    try:
        connection.execute(
            "INSERT INTO matches (id, game, status, rounds, options, time_control, created_at,"
            " started_at, tournament_id, config, owner, lease_until, epoch)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
            (
                row["id"], row["game"], row["status"], row["rounds"], _json(row["options"]),
                _json(row["time_control"]), sql_time(row["created_at"]),
                sql_time(row["started_at"]), row["tournament_id"], _json(row["config"]),
                row["owner"], sql_time(row["lease_until"]),
            ),
        )  # fmt: skip
    except sqlite3.IntegrityError:
        exists = connection.execute("SELECT 1 FROM matches WHERE id = ?", (row["id"],)).fetchone()
        if exists is not None:
            raise MatchExists(row["id"]) from None
        raise
    connection.executemany(
        "INSERT INTO match_seats (match_id, player, bot_name) VALUES (?, ?, ?)",
        [(row["id"], player, name) for player, name in enumerate(bots)],
    )


def _lock(connection: sqlite3.Connection, match_id: str, epoch: int | None) -> str:
    """The match's status; ``MatchNotFound``, or ``MatchFenced`` when its epoch changed."""
    found = connection.execute(
        "SELECT status, epoch FROM matches WHERE id = ?", (match_id,)
    ).fetchone()
    if found is None:
        raise MatchNotFound(match_id)
    status = str(found[0])
    if epoch is not None and found[1] != epoch:
        raise MatchFenced(match_id, status)
    return status


def _append(connection: sqlite3.Connection, match_id: str, events: Sequence[EncodedEvent]) -> int:
    """Insert ``events``, numbered after the last stored one; the new event count.

    A run of moves is one row (``event_rows``). The rows are made one at a
    time as the driver binds them, here on the writer's thread, and each is
    freed at once: a tuple per event made on the event loop and kept until
    the write set off a young collection every 10,000 (figure 3 of the
    bench: ten a window, of 5-12 ms each, in the recorded server only).
    """
    last = connection.execute(
        "SELECT max(seq) FROM events WHERE match_id = ?", (match_id,)
    ).fetchone()[0]
    start = 0 if last is None else last + 1
    if events:
        connection.executemany(
            "INSERT INTO events (match_id, seq, type, data) VALUES (?, ?, ?, ?)",
            event_rows(match_id, start, events),
        )
    return start + len(events)


def renew_leases(
    connection: sqlite3.Connection, node: str, until: datetime
) -> tuple[int, frozenset[str]]:
    """``NodeLease.renew``'s transaction: the live matches renewed, the running tournaments."""
    live = ", ".join("?" * len(LIVE_STATUSES))
    renewed = connection.execute(
        f"UPDATE matches SET lease_until = ? WHERE owner = ? AND status IN ({live})",
        (sql_time(until), node, *LIVE_STATUSES),
    ).rowcount
    held = connection.execute(
        "UPDATE tournaments SET lease_until = ? WHERE owner = ? AND status = 'running'"
        " RETURNING id",
        (sql_time(until), node),
    ).fetchall()
    return renewed, frozenset(str(row[0]) for row in held)


def append(
    connection: sqlite3.Connection,
    match_id: str,
    epoch: int | None,
    events: Sequence[EncodedEvent],
) -> int:
    """Append events to a live match; returns its event count."""
    status = _lock(connection, match_id, epoch)
    if status not in LIVE_STATUSES:
        raise MatchClosed(match_id, status)
    return _append(connection, match_id, events)


def finish(
    connection: sqlite3.Connection,
    outcome: MatchOutcome,
    epoch: int | None,
    events: Sequence[EncodedEvent],
    rate_it: bool,
    now: datetime,
) -> None:
    """``MatchStore.finish_match``'s transaction (see there)."""
    match_id = outcome.match_id
    status = _lock(connection, match_id, epoch)
    if status == outcome.status:
        return
    if status not in LIVE_STATUSES:
        raise MatchClosed(match_id, status)
    _append(connection, match_id, events)
    if outcome.rounds:
        connection.executemany(
            "INSERT INTO rounds (match_id, seats, round, scores, verdict) VALUES (?, ?, ?, ?, ?)",
            [
                (
                    match_id,
                    json_text(list(r.players)),
                    r.round,
                    json_text(list(r.scores)),
                    json_text([msgspec.to_builtins(v) for v in r.verdicts]),
                )
                for r in outcome.rounds
            ],
        )
    finished_at = now
    result: str | None = None
    if outcome.scores is not None:
        game = connection.execute("SELECT game FROM matches WHERE id = ?", (match_id,)).fetchone()
        bots = [
            str(name)
            for (name,) in connection.execute(
                "SELECT bot_name FROM match_seats WHERE match_id = ? ORDER BY player", (match_id,)
            )
        ]
        scores = _scores(outcome.scores, len(bots))
        connection.executemany(
            "UPDATE match_seats SET score = ? WHERE match_id = ? AND player = ?",
            [(score, match_id, player) for player, score in enumerate(scores)],
        )
        document = MatchResult(
            match=match_id, game=str(game[0]), status=outcome.status, bots=bots,
            rounds=list(outcome.rounds), scores=list(outcome.scores), winner=outcome.winner,
            verdict=outcome.verdict, reason=outcome.reason,
        )  # fmt: skip
        result = json_text(msgspec.to_builtins(document))
        if rate_it and outcome.status == "finished":
            finished_at = rate_match(connection, str(game[0]), bots, scores, now, match_id)
    connection.execute(
        "UPDATE matches SET status = ?, finished_at = ?, winner = ?, verdict = ?,"
        " result = coalesce(?, result) WHERE id = ?",
        (
            outcome.status,
            sql_time(finished_at),
            outcome.winner,
            None if outcome.verdict is None else outcome.verdict.code,
            result,
            match_id,
        ),
    )


def _scores(scores: Sequence[float], players: int) -> list[float]:
    if len(scores) != players:
        raise ValueError(f"result has {len(scores)} scores for {players} players")
    if not all(isinstance(s, int | float) and not isinstance(s, bool) for s in scores):
        raise ValueError(f"result scores must be numbers: {scores!r}")
    return [float(s) for s in scores]


def rate_match(
    connection: sqlite3.Connection,
    game: str,
    bots: Sequence[str],
    scores: Sequence[float],
    now: datetime,
    match_id: str,
) -> datetime:
    """``ratings.rate_match`` in plain SQL (SQLite's write lock serialises it)."""
    last = connection.execute(
        "SELECT max(updated_at) FROM ratings WHERE game = ?", (game,)
    ).fetchone()[0]
    finished_at = now if last is None or now > _time(last) else _time(last) + TICK
    if len(bots) < 2:
        return finished_at
    marks = ", ".join("?" * len(bots))
    rows = {
        str(r[0]): r
        for r in connection.execute(
            "SELECT bot_name, mu, sigma, games, wins, draws, losses FROM ratings"
            f" WHERE game = ? AND bot_name IN ({marks})",
            (game, *bots),
        )
    }
    before = [Skill(rows[b][1], rows[b][2]) if b in rows else Skill() for b in bots]
    after = rate(before, scores)
    at = sql_time(finished_at)
    connection.executemany(
        "INSERT INTO rating_updates (match_id, player, game, bot_name, rated_at, mu, sigma, elo)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (match_id, player, game, bot, at, skill.mu, skill.sigma, skill.elo)
            for player, (bot, skill) in enumerate(zip(bots, after, strict=True))
        ],
    )
    for bot, skill, outcome in zip(bots, after, outcomes(scores), strict=True):
        row = rows.get(bot)
        if row is None:
            connection.execute(
                "INSERT INTO ratings (game, bot_name, mu, sigma, games, wins, draws, losses,"
                " updated_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)",
                (game, bot, skill.mu, skill.sigma, outcome.wins, outcome.draws, outcome.losses,
                 at),
            )  # fmt: skip
            continue
        connection.execute(
            "UPDATE ratings SET mu = ?, sigma = ?, games = ?, wins = ?, draws = ?, losses = ?,"
            " updated_at = ? WHERE game = ? AND bot_name = ?",
            (
                skill.mu, skill.sigma, row[3] + 1, row[4] + outcome.wins,
                row[5] + outcome.draws, row[6] + outcome.losses, at, game, bot,
            ),
        )  # fmt: skip
    return finished_at

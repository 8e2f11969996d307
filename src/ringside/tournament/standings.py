"""Standings and the cross table, computed from the counted games only.

Points are chess points per game (win 1, draw ½, loss 0) whatever the game's
own scoring, so tables of different games read alike. The cross table holds
played games only: a Swiss bye adds to a bot's points but sits in no cell, and
a forfeit for absence counts as a game lost (it is in the cell, with a note in
the game list). Ties in points are broken by Buchholz in a Swiss (the
strength of the opponents met), then Sonneborn-Berger (points taken from
strong opponents weigh more), then wins, then name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ringside.tournament.model import Format, Game, Standing


def seat_points(scores: Sequence[float]) -> tuple[float, ...]:
    """Chess points by seat from a two-seat game's own scores: higher wins, equal draws."""
    if len(scores) != 2:
        raise ValueError(f"a tournament game has two seats, not {len(scores)}")
    a, b = scores
    if a > b:
        return (1.0, 0.0)
    if a < b:
        return (0.0, 1.0)
    return (0.5, 0.5)


def standings(bots: Sequence[str], games: Sequence[Game], format: Format) -> list[Standing]:
    """One row per bot, best first, ``rank`` shared by bots equal on every criterion."""
    rows = {bot: Standing(bot) for bot in bots}
    for game in games:
        if not game.counted or game.points is None:
            continue
        if game.status == "bye":
            row = rows[game.bots[0]]
            row.points += game.points[0]
            row.byes += 1
            continue
        for seat, bot in enumerate(game.bots):
            row = rows[bot]
            mine, theirs = game.points[seat], game.points[1 - seat]
            row.points += mine
            row.games += 1
            row.opponents.append(game.bots[1 - seat])
            if mine > theirs:
                row.wins += 1
            elif mine < theirs:
                row.losses += 1
            elif mine > 0:
                row.draws += 1
            else:
                row.losses += 1  # a double forfeit: nobody scores
            if game.status == "forfeit" and mine == 0:
                row.forfeits += 1
    totals = {bot: row.points for bot, row in rows.items()}
    for game in games:
        if not game.counted or game.points is None or game.status == "bye":
            continue
        for seat, bot in enumerate(game.bots):
            opponent = game.bots[1 - seat]
            rows[bot].sonneborn_berger += game.points[seat] * totals[opponent]
    for row in rows.values():
        row.buchholz = sum(totals[o] for o in dict.fromkeys(row.opponents))

    def key(row: Standing) -> tuple[float, ...]:
        swiss = row.buchholz if format == "swiss" else 0.0
        return (-row.points, -swiss, -row.sonneborn_berger, -row.wins)

    ordered = sorted(rows.values(), key=lambda row: (key(row), row.bot))
    for i, row in enumerate(ordered):
        same = i > 0 and key(ordered[i - 1]) == key(row)
        row.rank = ordered[i - 1].rank if same else i + 1
    return ordered


@dataclass(frozen=True, slots=True)
class Cell:
    """What the row bot scored against the column bot."""

    points: float
    games: int


def cross_table(bots: Sequence[str], games: Sequence[Game]) -> dict[str, dict[str, Cell]]:
    """``table[a][b]``: a's points and games against b (only pairs that played)."""
    sums: dict[str, dict[str, list[float]]] = {bot: {} for bot in bots}
    for game in games:
        if not game.counted or game.points is None or game.status == "bye":
            continue
        for seat, bot in enumerate(game.bots):
            cell = sums[bot].setdefault(game.bots[1 - seat], [0.0, 0.0])
            cell[0] += game.points[seat]
            cell[1] += 1
    return {
        bot: {other: Cell(p, int(n)) for other, (p, n) in cells.items()}
        for bot, cells in sums.items()
    }

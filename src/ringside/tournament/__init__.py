"""Tournaments without I/O: schedules, Swiss pairing, standings, cross tables, SPRT stops.

The server's runner (``ringside.server.tournaments``) moves these objects'
decisions to real matches; everything here is tested without a network.
"""

from ringside.tournament.model import (
    FORMATS,
    Decision,
    Format,
    Game,
    GameStatus,
    Standing,
    TournamentError,
    TournamentSpec,
)
from ringside.tournament.schedule import berger_rounds, pair_swiss
from ringside.tournament.standings import Cell, cross_table, seat_points, standings
from ringside.tournament.state import Tournament

__all__ = [
    "FORMATS",
    "Cell",
    "Decision",
    "Format",
    "Game",
    "GameStatus",
    "Standing",
    "Tournament",
    "TournamentError",
    "TournamentSpec",
    "berger_rounds",
    "cross_table",
    "pair_swiss",
    "seat_points",
    "standings",
]

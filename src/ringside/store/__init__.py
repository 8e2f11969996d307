"""Storage: SQLAlchemy models, the stores, Alembic migrations (docs/architecture.md, "Storage")."""

from ringside.store.bots import BotStore
from ringside.store.engine import (
    Database,
    alembic_config,
    create_engine,
    migrate,
    open_database,
    sqlite_url,
    upgrade,
    utcnow,
)
from ringside.store.matches import MatchStore
from ringside.store.models import MatchStatus
from ringside.store.ports import ResultStore
from ringside.store.ratings import RatingStore
from ringside.store.records import (
    BotExists,
    BotRecord,
    EncodedEvent,
    MatchClosed,
    MatchExists,
    MatchFenced,
    MatchNotFound,
    MatchOutcome,
    MatchRecord,
    MatchSummary,
    RoundRecord,
    SeatRecord,
    StoreError,
)
from ringside.store.repository import Store, open_store
from ringside.store.tournaments import TournamentStore

__all__ = [
    "BotExists",
    "BotRecord",
    "BotStore",
    "Database",
    "EncodedEvent",
    "MatchClosed",
    "MatchExists",
    "MatchFenced",
    "MatchNotFound",
    "MatchOutcome",
    "MatchRecord",
    "MatchStatus",
    "MatchStore",
    "MatchSummary",
    "RatingStore",
    "ResultStore",
    "RoundRecord",
    "SeatRecord",
    "Store",
    "StoreError",
    "TournamentStore",
    "alembic_config",
    "create_engine",
    "migrate",
    "open_database",
    "open_store",
    "sqlite_url",
    "upgrade",
    "utcnow",
]

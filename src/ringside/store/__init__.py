"""Storage: SQLAlchemy models, the repository, Alembic migrations (docs/architecture.md, "Storage")."""

from ringside.store.database import (
    alembic_config,
    create_engine,
    migrate,
    open_store,
    sqlite_url,
    upgrade,
)
from ringside.store.models import MatchStatus
from ringside.store.records import (
    BotExists,
    BotRecord,
    EncodedEvent,
    MatchClosed,
    MatchExists,
    MatchNotFound,
    MatchRecord,
    MatchSummary,
    RoundRecord,
    SeatRecord,
    StoreError,
)
from ringside.store.repository import Store, utcnow

__all__ = [
    "BotExists",
    "BotRecord",
    "EncodedEvent",
    "MatchClosed",
    "MatchExists",
    "MatchNotFound",
    "MatchRecord",
    "MatchStatus",
    "MatchSummary",
    "RoundRecord",
    "SeatRecord",
    "Store",
    "StoreError",
    "alembic_config",
    "create_engine",
    "migrate",
    "open_store",
    "sqlite_url",
    "upgrade",
    "utcnow",
]

"""Where a ready store comes from: ``open_store`` and the engine helpers, in one import.

The engines, SQLite tuning, migrations and the shared ``Database`` live in
``ringside.store.engine``; the ``Store`` facade in ``ringside.store.repository``.
This module only gathers what opening a store takes, for the server and the CLI.
"""

from __future__ import annotations

from ringside.store.engine import (
    SQLITE_AUTOCHECKPOINT_PAGES,
    Database,
    alembic_config,
    create_engine,
    migrate,
    open_database,
    sqlite_url,
    upgrade,
    utcnow,
)
from ringside.store.repository import Store, open_store

__all__ = [
    "SQLITE_AUTOCHECKPOINT_PAGES",
    "Database",
    "Store",
    "alembic_config",
    "create_engine",
    "migrate",
    "open_database",
    "open_store",
    "sqlite_url",
    "upgrade",
    "utcnow",
]

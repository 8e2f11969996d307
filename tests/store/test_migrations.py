"""The migrations build exactly the models' schema, and upgrade/downgrade cleanly."""

from __future__ import annotations

import io
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from ringside.store import alembic_config, create_engine, migrate, open_store
from ringside.store.models import Base

TABLES = {
    "bots",
    "matches",
    "match_seats",
    "rounds",
    "events",
    "ratings",
    "rating_updates",
    "tournaments",
    "tournament_games",
}
HEAD = "0007"


def schema_diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def run_command(connection: Connection, name: str, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    getattr(command, name)(config, revision)


def test_single_head() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [HEAD]


async def test_migrated_schema_equals_models(database_url: str) -> None:
    await migrate(database_url)
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(schema_diff) == []
            assert await conn.run_sync(current_revision) == HEAD
            assert await conn.run_sync(table_names) == TABLES | {"alembic_version"}
    finally:
        await engine.dispose()


async def test_open_store_migrates_and_is_idempotent(database_url: str) -> None:
    for _ in range(2):
        async with await open_store(database_url) as store, store.engine.connect() as conn:
            assert await conn.run_sync(current_revision) == HEAD
            assert await conn.run_sync(schema_diff) == []


async def test_downgrade_and_upgrade_again(database_url: str) -> None:
    await migrate(database_url)
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(run_command, "downgrade", "base")
        async with engine.connect() as conn:
            assert await conn.run_sync(table_names) == {"alembic_version"}
            assert await conn.run_sync(current_revision) is None
        async with engine.begin() as conn:
            await conn.run_sync(run_command, "upgrade", "head")
        async with engine.connect() as conn:
            assert await conn.run_sync(schema_diff) == []
    finally:
        await engine.dispose()


def test_alembic_command_line_path(database_url: str) -> None:
    """Without a handed-in connection env.py makes its own engine (as Alembic's CLI would)."""
    config = alembic_config(database_url)
    config.output_buffer = sql = io.StringIO()
    config.stdout = out = io.StringIO()
    command.upgrade(config, "head", sql=True)
    assert "CREATE TABLE events" in sql.getvalue()
    command.upgrade(config, "head")
    command.current(config)
    assert f"{HEAD} (head)" in out.getvalue()


async def test_upgrade_from_0001_keeps_ratings(database_url: str) -> None:
    """A database made by 0001 with ratings in it upgrades; the new counts start at 0."""
    await migrate(database_url, "0001")
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO ratings (game, bot_name, mu, sigma, games, updated_at)"
                    " VALUES ('connect4', 'old', 30.0, 2.0, 12, CURRENT_TIMESTAMP)"
                )
            )
        await migrate(database_url)
        async with engine.connect() as conn:
            assert await conn.run_sync(schema_diff) == []
            row = (
                await conn.execute(text("SELECT mu, games, wins, draws, losses FROM ratings"))
            ).one()
            assert tuple(row) == (30.0, 12, 0, 0, 0)
        async with engine.begin() as conn:
            await conn.run_sync(run_command, "downgrade", "0001")
        async with engine.connect() as conn:
            assert await conn.run_sync(table_names) == TABLES - {
                "tournaments",
                "tournament_games",
                "rating_updates",
            } | {"alembic_version"}
    finally:
        await engine.dispose()

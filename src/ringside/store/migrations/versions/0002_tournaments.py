"""Tournaments and their games; wins, draws and losses beside each rating.

Written by hand from ``ringside.store.models`` like 0001 (a test checks the
migrated schema equals the models). The new rating columns have a server
default of 0 so that existing rows stay valid; ``ringside ratings rebuild``
recomputes them, and the ratings, from the stored matches.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ratings") as batch:
        for column in ("wins", "draws", "losses"):
            batch.add_column(sa.Column(column, sa.Integer(), nullable=False, server_default="0"))

    op.create_table(
        "tournaments",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=True),
        sa.Column("game", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'finished', 'cancelled')", name="ck_tournaments_status"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_tournaments"),
    )
    op.create_index("ix_tournaments_created_at", "tournaments", ["created_at"])
    op.create_index("ix_tournaments_status", "tournaments", ["status"])

    op.create_table(
        "tournament_games",
        sa.Column("tournament_id", sa.String(length=64), nullable=False),
        sa.Column("no", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("bots", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("points", sa.JSON(), nullable=True),
        sa.Column("match_id", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["tournament_id"],
            ["tournaments.id"],
            name="fk_tournament_games_tournament_id_tournaments",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tournament_id", "no", name="pk_tournament_games"),
    )


def downgrade() -> None:
    op.drop_table("tournament_games")
    op.drop_index("ix_tournaments_status", table_name="tournaments")
    op.drop_index("ix_tournaments_created_at", table_name="tournaments")
    op.drop_table("tournaments")
    with op.batch_alter_table("ratings") as batch:
        for column in ("losses", "draws", "wins"):
            batch.drop_column(column)

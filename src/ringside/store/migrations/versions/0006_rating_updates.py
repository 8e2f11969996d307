"""Rating history: each bot's rating after each rated match, for the bot's page.

Written by hand from ``ringside.store.models`` (a test checks the migrated
schema equals the models). Matches rated before this revision have no rows
here: ``ringside ratings rebuild`` replays every finished match and writes
the whole history (the ratings it computes are the same).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rating_updates",
        sa.Column("match_id", sa.String(length=64), nullable=False),
        sa.Column("player", sa.Integer(), nullable=False),
        sa.Column("game", sa.String(length=64), nullable=False),
        sa.Column("bot_name", sa.String(length=64), nullable=False),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mu", sa.Float(), nullable=False),
        sa.Column("sigma", sa.Float(), nullable=False),
        sa.Column("elo", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["match_id"],
            ["matches.id"],
            name="fk_rating_updates_match_id_matches",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("match_id", "player", name="pk_rating_updates"),
    )
    op.create_index(
        "ix_rating_updates_bot_name_game_rated_at",
        "rating_updates",
        ["bot_name", "game", "rated_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_rating_updates_bot_name_game_rated_at", table_name="rating_updates")
    op.drop_table("rating_updates")

"""Fencing: each match row's epoch, changed whenever the row changes hands.

Written by hand from ``ringside.store.models`` (a test checks the migrated
schema equals the models). Existing rows start at epoch 0, which no running
node holds yet: a node holds an epoch only for rows it created or claimed
since, so nothing already stored is refused.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-17
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("matches") as batch:
        batch.add_column(sa.Column("epoch", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("matches") as batch:
        batch.drop_column("epoch")

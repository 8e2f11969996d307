"""A tournament may be given up as failed, with the reason (``tournaments.failure``).

Written by hand from ``ringside.store.models`` (a test checks the migrated
schema equals the models). A tournament whose step keeps failing (say, a
write the database refuses) is no longer retried forever, on every restart:
after a bounded number of tries it is closed and the reason kept. It is stored
as ``cancelled`` with a ``failure`` (read back as status ``failed``) rather
than as a new status: a new value in the status check would make SQLite
rebuild ``tournaments``, and dropping the old table would cascade-delete every
tournament's games. Adding a nullable column is a plain ``ALTER TABLE``.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tournaments") as batch:
        batch.add_column(sa.Column("failure", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tournaments") as batch:
        batch.drop_column("failure")

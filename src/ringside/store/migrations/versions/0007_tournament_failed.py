"""A tournament may end ``failed``, with the reason (``failure``).

Written by hand from ``ringside.store.models`` (a test checks the migrated
schema equals the models). A tournament whose step keeps failing (say, a
write the database refuses) is no longer retried forever, on every restart:
after a bounded number of tries it is closed as ``failed`` and the reason kept.

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
        batch.drop_constraint("ck_tournaments_status", type_="check")
        batch.create_check_constraint(
            "ck_tournaments_status", "status IN ('running', 'finished', 'cancelled', 'failed')"
        )


def downgrade() -> None:
    op.execute("UPDATE tournaments SET status = 'cancelled' WHERE status = 'failed'")
    with op.batch_alter_table("tournaments") as batch:
        batch.drop_constraint("ck_tournaments_status", type_="check")
        batch.create_check_constraint(
            "ck_tournaments_status", "status IN ('running', 'finished', 'cancelled')"
        )
        batch.drop_column("failure")

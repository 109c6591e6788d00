"""Audit rows name the database login and transaction that wrote them.

Revision ID: 3b1e0c9a7d21
Revises: 728da8f8572e
Create Date: 2026-12-05 14:00:00

On a secured server (``stationcrm db security``) a trigger fills both columns, so the log
shows which database principal made a change, and a change made outside StationCRM (a SQL
tool, with no audit entry of its own in that transaction) can be recorded as such. On the
embedded SQLite file they stay empty.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3b1e0c9a7d21"
down_revision: str | Sequence[str] | None = "728da8f8572e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("db_principal", sa.Unicode(length=128), nullable=True))
        batch.add_column(sa.Column("tx_id", sa.BigInteger(), nullable=True))
        batch.create_index("ix_audit_log_tx_id", ["tx_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_index("ix_audit_log_tx_id")
        batch.drop_column("tx_id")
        batch.drop_column("db_principal")

"""Customer base protection alerts kept for the general manager's to-do list.

Revision ID: a7c3e9d1f246
Revises: e4f6a2b8c913
Create Date: 2026-12-20 09:00:00

A station of someone with the customer-guard module checks the read trail's last days every
few minutes (app.services.guard_watch); each flagged person-day it finds is kept once in
``guard_alerts`` (unique per person and day), announced on the change feed to everyone with
the module, and listed on their to-do lists until someone marks it handled.

Additive: an older program neither writes nor reads the table.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7c3e9d1f246"
down_revision: str | Sequence[str] | None = "e4f6a2b8c913"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guard_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reasons", sa.UnicodeText(), nullable=False),
        sa.Column("cards", sa.Integer(), nullable=False),
        sa.Column("usual_cards", sa.Integer(), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_guard_alerts_user_id_users")),
        sa.ForeignKeyConstraint(["handled_by_id"], ["users.id"],
                                name=op.f("fk_guard_alerts_handled_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guard_alerts")),
        sa.UniqueConstraint("user_id", "day", name="uq_guard_alerts_user_day"),
    )
    op.create_index("ix_guard_alerts_handled_day", "guard_alerts", ["handled_at", "day"])
    op.create_index(op.f("ix_guard_alerts_handled_by_id"), "guard_alerts", ["handled_by_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_guard_alerts_handled_by_id"), table_name="guard_alerts")
    op.drop_index("ix_guard_alerts_handled_day", table_name="guard_alerts")
    op.drop_table("guard_alerts")

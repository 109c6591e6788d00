"""The change feed: stations hear of each other's changes that concern them.

Revision ID: b4f7e2a9c1d3
Revises: a5c3e8f1d2b6
Create Date: 2026-12-10 09:00:00

Management gives an opportunity to a salesperson, returns a record, routes a ticket: the
service writes a notice for the person (or department) it concerns, in the change's own
transaction. Every station reads the notices after the last id it saw every few seconds
(``app.services.feed.read_feed``), through the two recipient-then-id indexes. Additive:
a program that does not know the table keeps working.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b4f7e2a9c1d3"
down_revision: str | Sequence[str] | None = "a5c3e8f1d2b6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "change_feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("by_user_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Unicode(length=40), nullable=True),
        sa.Column("event", sa.String(length=20), nullable=False),
        sa.Column("params", sa.UnicodeText(), nullable=True),
        sa.CheckConstraint("user_id IS NOT NULL OR department_id IS NOT NULL",
                           name=op.f("ck_change_feed_recipient")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_change_feed_user_id_users")),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"],
                                name=op.f("fk_change_feed_department_id_departments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_feed")),
    )
    op.create_index("ix_change_feed_user_id_id", "change_feed", ["user_id", "id"])
    op.create_index("ix_change_feed_department_id_id", "change_feed", ["department_id", "id"])
    op.create_index("ix_change_feed_created_at", "change_feed", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_change_feed_created_at", table_name="change_feed")
    op.drop_index("ix_change_feed_department_id_id", table_name="change_feed")
    op.drop_index("ix_change_feed_user_id_id", table_name="change_feed")
    op.drop_table("change_feed")

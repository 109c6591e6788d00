"""Request keys: a retried save finds the record its first attempt saved.

Revision ID: e3a9c5b17d42
Revises: c4f8a2d6e1b9
Create Date: 2026-12-05 17:55:00

A create or payment form takes a key when it opens and sends it with every attempt to
save (``app.services.requests``). When the reply to COMMIT is lost, the station cannot
tell whether the change was saved; the retry carries the same key, finds it here and
returns the record saved the first time instead of saving it again. The unique key
decides between two attempts that race. Rows older than 30 days serve no retry and may
be deleted by housekeeping.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e3a9c5b17d42"
down_revision: str | Sequence[str] | None = "c4f8a2d6e1b9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "request_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_request_keys_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_keys")),
        sa.UniqueConstraint("key", name=op.f("uq_request_keys_key")),
    )
    op.create_index("ix_request_keys_created_at", "request_keys", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_request_keys_created_at", table_name="request_keys")
    op.drop_table("request_keys")

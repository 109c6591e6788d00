"""Customer aliases: the numbers of customer cards merged into another one.

Revision ID: c7d2a4e8f016
Revises: b5e1c9a7f304
Create Date: 2026-12-17 09:00:00

Merging two cards of one customer (app.services.merging) deletes the absorbed card; its
number goes into ``customer_aliases`` with the kept card's id, so the number printed on old
slips still finds the customer. Additive: an older program ignores the table (a card it
deletes has no aliases, as only the merge writes them).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c7d2a4e8f016"
down_revision: str | Sequence[str] | None = "b5e1c9a7f304"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customer_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("merged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("merged_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"],
                                name=op.f("fk_customer_aliases_customer_id_customers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_aliases")),
        sa.UniqueConstraint("code", name=op.f("uq_customer_aliases_code")),
    )
    op.create_index("ix_customer_aliases_customer_id", "customer_aliases", ["customer_id"])


def downgrade() -> None:
    op.drop_index("ix_customer_aliases_customer_id", table_name="customer_aliases")
    op.drop_table("customer_aliases")

"""The customer list sorted by phone reads an index.

Revision ID: e6b2c9d4f180
Revises: d3e9b7c4a1f5
Create Date: 2026-12-13 09:00:00

Sorted by phone, every page of the list sorted the whole table (40 ms a page at 100 000
customers on PostgreSQL, about a second at a million). For someone who sees every
customer, a page is now two ranges of ``ix_customers_phone`` (phone, id): the next
numbers, then the customers without one. Additive.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "e6b2c9d4f180"
down_revision: str | Sequence[str] | None = "d3e9b7c4a1f5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_customers_phone", "customers", ["phone", "id"])


def downgrade() -> None:
    op.drop_index("ix_customers_phone", table_name="customers")

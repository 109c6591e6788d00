"""Opening balances: orders that carry what a customer owed before the program was used.

Revision ID: d9e3b5f1a027
Revises: c7d2a4e8f016
Create Date: 2026-12-18 09:00:00

The opening receivables import (app.services.importing.receivables) writes each open
balance of the old books as an order marked ``opening``: the receivables, the aging and the
payments see it like any debt, while the sales figures and the sales plans leave it out (it
was sold before the program, and counting it again would double that month). ``old_number``
is the number the debt had in the books it came from (原单号), by which a second import of
the same sheet finds it.

``ix_orders_stats`` gains the flag so the statistics still read that index alone.
Additive: an older program writes orders with the server default (not opening) and
ignores the columns.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d9e3b5f1a027"
down_revision: str | Sequence[str] | None = "c7d2a4e8f016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATS = ["ordered_on", "status", "owner_id", "customer_id", "customer_source",
          "total_amount", "total_cost", "total_points", "paid_amount", "due_on"]


def upgrade() -> None:
    # Plain ALTER TABLE … ADD COLUMN on every engine (SQLite too: a batch rebuild of the
    # table would trip the order lines' triggers, which name it).
    op.add_column("orders", sa.Column("opening", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.add_column("orders", sa.Column("old_number", sa.Unicode(length=40), nullable=True))
    op.drop_index("ix_orders_stats", table_name="orders")
    op.create_index("ix_orders_stats", "orders", [*_STATS, "opening"])
    op.create_index("ix_orders_customer_old_number", "orders", ["customer_id", "old_number"])


def downgrade() -> None:
    op.drop_index("ix_orders_customer_old_number", table_name="orders")
    op.drop_index("ix_orders_stats", table_name="orders")
    op.create_index("ix_orders_stats", "orders", _STATS)
    op.drop_column("orders", "old_number")
    op.drop_column("orders", "opening", mssql_drop_default=True)

"""One customer-less sales plan per owner and period, by a unique index.

Revision ID: 9a4c1f27d8e3
Revises: 5d7a2e913c4b
Create Date: 2026-12-05 16:45:00

The unique constraint on (owner, customer, year, period kind, period) treats NULL
customers as distinct, so two stations could each add an owner's plan without customer.
Setting a plan used to lock the owner's users row first, which needs UPDATE on users — a
right no station login has on a secured server. A filtered unique index says it in the
database instead; the service retries as an update when its insert loses.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9a4c1f27d8e3"
down_revision: str | Sequence[str] | None = "5d7a2e913c4b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "uq_sales_plans_owner_no_customer"
WHERE = sa.text("customer_id IS NULL")


def upgrade() -> None:
    op.create_index(NAME, "sales_plans", ["owner_id", "year", "period_kind", "period"],
                    unique=True, postgresql_where=WHERE, sqlite_where=WHERE,
                    mssql_where=WHERE)


def downgrade() -> None:
    op.drop_index(NAME, table_name="sales_plans")

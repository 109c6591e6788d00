"""The customer list sorted by phone reads its index alone on a server.

Revision ID: b5d8e2f4a613
Revises: a7c3e9d1f246
Create Date: 2026-12-21 09:00:00

``ix_customers_phone`` (phone, id) now carries the list's other columns (INCLUDE) on
PostgreSQL and SQL Server, as ``ix_customers_sort_key`` does for the list's own order: a
page of 500 customers sorted by phone read 500 scattered table rows (4.8 ms a page at a
million customers on PostgreSQL, 3.0 ms with the columns in the index). SQLite has no
INCLUDE: its index stays as it was. Additive.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "b5d8e2f4a613"
down_revision: str | Sequence[str] | None = "a7c3e9d1f246"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What a page of the list reads besides the phone and the id (app.models.customers).
COVERED = ["code", "name", "short_name", "customer_class", "source", "status", "owner_id",
           "sort_key"]


def _recreate(include: list[str]) -> None:
    if op.get_context().dialect.name == "sqlite":
        return  # no INCLUDE: the same index either way
    op.drop_index("ix_customers_phone", table_name="customers")
    op.create_index("ix_customers_phone", "customers", ["phone", "id"],
                    postgresql_include=include, mssql_include=include)


def upgrade() -> None:
    _recreate(COVERED)


def downgrade() -> None:
    _recreate([])

"""The customer list's pages come from its sort index alone (PostgreSQL, SQL Server).

Revision ID: a8d3f1c7e592
Revises: f2a7c6e9b351
Create Date: 2026-12-15 09:00:00

A page of the list in its own order is a range of ``ix_customers_sort_key``; each of its
500 rows was then read from the table, and the table is in the order customers were
added, not the list's: one table page per row. At a million customers those pages are no
longer in PostgreSQL's buffers, and a page of the list read about 430 of them (18 ms;
scrolling to the end 12.4 s). The index now also carries the list's other columns
(INCLUDE: they are stored in the index's leaf rows, not part of its key, so the key stays
within SQL Server's 1 700 bytes): the page is an index-only scan, 0.4 ms. SQLite has no
INCLUDE and keeps the index as it was. Additive.

(The list sorted by phone picks a page's ids from ``ix_customers_phone`` and then reads
those rows by id, so carrying the columns there would not spare it the table.)
"""

from collections.abc import Sequence

from alembic import op

revision: str = "a8d3f1c7e592"
down_revision: str | Sequence[str] | None = "f2a7c6e9b351"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NAME = "ix_customers_sort_key"
_KEY = ["sort_key", "id", "name", "short_name", "phone_digits"]
_CARRIED = ["code", "customer_class", "source", "status", "owner_id", "phone"]


def upgrade() -> None:
    _remake(carry=True)


def downgrade() -> None:
    _remake(carry=False)


def _remake(*, carry: bool) -> None:
    dialect = op.get_context().dialect.name
    if dialect not in ("postgresql", "mssql"):
        return
    op.drop_index(_NAME, table_name="customers")
    op.create_index(_NAME, "customers", _KEY,
                    **({f"{dialect}_include": _CARRIED} if carry else {}))

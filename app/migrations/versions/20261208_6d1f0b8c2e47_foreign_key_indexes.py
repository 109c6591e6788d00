"""An index on every foreign key; one sales plan per owner, customer and period the same way
on every database.

Revision ID: 6d1f0b8c2e47
Revises: e3a9c5b17d42
Create Date: 2026-12-08 10:30:00

Foreign keys. Deleting or re-keying a referenced row (a user, product, contact, ticket) makes
the database look for rows that still point at it; with no index on the referencing column
that is a scan of the whole table, which on SQL Server also takes locks on it while
stations save. Joins from a record to what refers to it need the same index. Every
foreign-key column that did not lead an index gets one, named by the models' naming
convention (``ix_<table>_<column>``).

Sales plans. The unique constraint over (owner, customer, year, period kind, period)
included the nullable customer: PostgreSQL and SQLite treat NULLs as distinct in it, SQL
Server as equal, so the one constraint meant two things (revision 9a4c1f27d8e3 added a
filtered unique index for customer-less plans). It becomes a unique index filtered to
plans with a customer; with the customer-less one that gives the same rule on every
engine, each case enforced by exactly one index.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6d1f0b8c2e47"
down_revision: str | Sequence[str] | None = "e3a9c5b17d42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOREIGN_KEYS = [
    ("users", "role_id"),
    ("knowledge_entries", "author_id"),
    ("knowledge_entries", "approved_by_id"),
    ("request_keys", "user_id"),
    ("devices", "product_id"),
    ("payments", "received_by_id"),
    ("sales_plans", "owner_id"),
    ("sales_plans", "customer_id"),
    ("service_contracts", "owner_id"),
    ("service_contracts", "renewed_from_id"),
    ("tasks", "assigned_by_id"),
    ("tasks", "confirmed_by_id"),
    ("care_items", "contact_id"),
    ("care_items", "product_id"),
    ("service_tickets", "contact_id"),
    ("service_tickets", "contract_id"),
    ("service_tickets", "intake_by_id"),
    ("visits", "contact_id"),
    ("visits", "confirmed_by_id"),
    ("meter_readings", "service_ticket_id"),
    ("meter_readings", "recorded_by_id"),
    ("opportunities", "credited_user_id"),
    ("opportunities", "service_ticket_id"),
    ("repair_records", "knowledge_entry_id"),
    ("repair_records", "confirmed_by_id"),
    ("ticket_events", "by_id"),
    ("quotations", "contact_id"),
    ("quotations", "opportunity_id"),
    ("repair_parts", "product_id"),
    ("orders", "contact_id"),
    ("orders", "quotation_id"),
    ("orders", "opportunity_id"),
    ("orders", "confirmed_by_id"),
    ("quotation_lines", "product_id"),
]

PLAN_COLUMNS = ["owner_id", "customer_id", "year", "period_kind", "period"]
OLD_PLAN_UNIQUE = "uq_sales_plans_owner_id_customer_id_year_period_kind_period"
PLAN_UNIQUE = "uq_sales_plans_owner_customer"
WITH_CUSTOMER = sa.text("customer_id IS NOT NULL")
# Revision 9a4c1f27d8e3's index. SQLite drops the constraint by copying the table; the
# index is taken off before and made again after, so that it keeps its filter.
NO_CUSTOMER = "uq_sales_plans_owner_no_customer"
NO_CUSTOMER_COLUMNS = ["owner_id", "year", "period_kind", "period"]
WITHOUT_CUSTOMER = sa.text("customer_id IS NULL")


def _index_name(table: str, column: str) -> str:
    return f"ix_{table}_{column}"


def _filtered(name: str, columns: list[str], where: sa.TextClause) -> None:
    op.create_index(name, "sales_plans", columns, unique=True,
                    postgresql_where=where, sqlite_where=where, mssql_where=where)


def _on_sqlite() -> bool:
    return op.get_context().dialect.name == "sqlite"


def _plan_constraint(change: str) -> None:
    """Drop or add the old constraint; SQLite copies the table to do it, the others alter it."""
    sqlite = _on_sqlite()
    if sqlite:
        op.drop_index(NO_CUSTOMER, table_name="sales_plans")
    with op.batch_alter_table("sales_plans") as batch:
        if change == "drop":
            batch.drop_constraint(OLD_PLAN_UNIQUE, type_="unique")
        else:
            batch.create_unique_constraint(OLD_PLAN_UNIQUE, PLAN_COLUMNS)
    if sqlite:
        _filtered(NO_CUSTOMER, NO_CUSTOMER_COLUMNS, WITHOUT_CUSTOMER)


def upgrade() -> None:
    _plan_constraint("drop")
    _filtered(PLAN_UNIQUE, PLAN_COLUMNS, WITH_CUSTOMER)
    for table, column in FOREIGN_KEYS:
        op.create_index(op.f(_index_name(table, column)), table, [column])


def downgrade() -> None:
    for table, column in reversed(FOREIGN_KEYS):
        op.drop_index(op.f(_index_name(table, column)), table_name=table)
    op.drop_index(PLAN_UNIQUE, table_name="sales_plans")
    _plan_constraint("add")

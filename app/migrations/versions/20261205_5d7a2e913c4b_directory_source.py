"""The customer directory also says where a customer came from.

Revision ID: 5d7a2e913c4b
Revises: 8c2f4d1e6a90
Create Date: 2026-12-05 16:30:00

A lead (opportunity) queued for someone else's customer takes that customer's source when
none is given; on a secured server the person queuing it reads the customer only through
the directory. The source (walk-in, referral, ...) says nothing about how to reach the
customer, so it joins the name and owner there.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5d7a2e913c4b"
down_revision: str | Sequence[str] | None = "8c2f4d1e6a90"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = ("id", "code", "name", "short_name", "owner_id", "name_key", "pinyin_full",
          "pinyin_initials", "core_initials", "short_initials", "sort_key", "status")
# Kept in step with app.security.catalog.DIRECTORY_COLUMNS (a test compares them).
COLUMNS = (*BEFORE, "source")


def _create(columns: Sequence[str]) -> None:
    dialect = op.get_context().dialect.name
    body = f"customer_directory AS SELECT {', '.join(columns)} FROM customers"
    if dialect == "postgresql":
        # Columns may only be added at the end; grants on the view are kept.
        op.execute(f"CREATE OR REPLACE VIEW {body}")
    elif dialect == "mssql":
        op.execute(f"CREATE OR ALTER VIEW {body}")
    else:
        op.execute("DROP VIEW IF EXISTS customer_directory")
        op.execute(f"CREATE VIEW {body}")


def upgrade() -> None:
    _create(COLUMNS)


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP VIEW customer_directory")  # a column cannot be dropped by REPLACE
        op.execute(f"CREATE VIEW customer_directory AS SELECT {', '.join(BEFORE)}"
                   " FROM customers")
        return
    _create(BEFORE)

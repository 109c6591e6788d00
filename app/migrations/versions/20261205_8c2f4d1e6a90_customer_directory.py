"""The customer directory: every customer's name and owner, and the keys the search uses.

Revision ID: 8c2f4d1e6a90
Revises: 3b1e0c9a7d21
Create Date: 2026-12-05 15:00:00

A view on every engine, so services read "whose customer is this" the same way
everywhere. On a secured server (``stationcrm db security``) it is what a person may see
of customers outside their data scope — no phone, no address — while row security hides
the rest of those rows; the security set-up redefines it with the server's own options
(a security barrier on PostgreSQL) and grants it.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "8c2f4d1e6a90"
down_revision: str | Sequence[str] | None = "3b1e0c9a7d21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept in step with app.security.catalog.DIRECTORY_COLUMNS (a test compares them).
COLUMNS = ("id", "code", "name", "short_name", "owner_id", "name_key", "pinyin_full",
           "pinyin_initials", "core_initials", "short_initials", "sort_key", "status")


def upgrade() -> None:
    # A server secured by an earlier `db security` may have made the view already.
    create = {"postgresql": "CREATE OR REPLACE VIEW", "sqlite": "CREATE VIEW IF NOT EXISTS"}
    verb = create.get(op.get_context().dialect.name, "CREATE VIEW")
    op.execute(f"{verb} customer_directory AS SELECT {', '.join(COLUMNS)} FROM customers")


def downgrade() -> None:
    op.execute("DROP VIEW customer_directory")

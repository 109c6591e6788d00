"""The phone numbers of customers and contacts as two views, with the customer's owner.

Revision ID: c4f8a2d6e1b9
Revises: b71e3d5a0c62
Create Date: 2026-12-05 17:10:00

A role with the "phone numbers of others' customers" field hidden sees only its own
customers' numbers. On a secured server its login may not read the phone columns at all,
so the program reads its own customers' numbers through these views; on every engine the
same statements run (the program filters by owner). The security set-up
(`stationcrm db security`) redefines them on a secured server to show only the login's own
customers. Made only where missing, so an upgrade never widens a secured server's views.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c4f8a2d6e1b9"
down_revision: str | Sequence[str] | None = "b71e3d5a0c62"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept in step with app.security.catalog (CUSTOMER_PHONES_COLUMNS, CONTACT_PHONES_COLUMNS).
VIEWS = {
    "customer_phones": "SELECT id, owner_id, phone, phone_digits FROM customers",
    "contact_phones": (
        "SELECT k.id, k.customer_id, c.owner_id, k.phone, k.mobile, k.phone_digits,"
        " k.mobile_digits FROM contacts k JOIN customers c ON c.id = k.customer_id"),
}


def upgrade() -> None:
    dialect = op.get_context().dialect.name
    for name, body in VIEWS.items():
        if dialect == "postgresql":
            op.execute(f"DO $$ BEGIN IF to_regclass('public.{name}') IS NULL THEN"
                       f" EXECUTE 'CREATE VIEW {name} AS {body}'; END IF; END $$")
        elif dialect == "mssql":
            quoted = body.replace("'", "''")
            op.execute(f"IF OBJECT_ID(N'dbo.{name}', N'V') IS NULL"
                       f" EXEC(N'CREATE VIEW {name} AS {quoted}')")
        else:
            op.execute(f"CREATE VIEW IF NOT EXISTS {name} AS {body}")


def downgrade() -> None:
    for name in VIEWS:
        op.execute(f"DROP VIEW {name}")

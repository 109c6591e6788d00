"""A serial number belongs to one machine of a model: a unique index, not a look-up first.

Revision ID: b71e3d5a0c62
Revises: 9841e823c8fe
Create Date: 2026-12-05 17:10:00

The customer service looked for the number first and named the customer holding it. On a
secured server a person's login does not see the devices of customers outside their scope,
so that look-up found nothing and the same number could be saved twice; two stations could
also both pass it at once. The index decides; the look-up stays for the friendly message
naming the customer who has the machine, where the person may see it. Blank numbers
("not known yet") may repeat.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b71e3d5a0c62"
down_revision: str | Sequence[str] | None = "9841e823c8fe"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "uq_devices_serial_number"
WHERE = sa.text("serial_number <> ''")


def upgrade() -> None:
    op.create_index(NAME, "devices", ["model", "serial_number"], unique=True,
                    postgresql_where=WHERE, sqlite_where=WHERE, mssql_where=WHERE)


def downgrade() -> None:
    op.drop_index(NAME, table_name="devices")

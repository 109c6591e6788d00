"""Import batches: what each import from an Excel or CSV sheet created or updated.

Revision ID: b5e1c9a7f304
Revises: a8d3f1c7e592
Create Date: 2026-12-16 09:00:00

``import_batches`` is one import (who, which file, how it ended); ``import_items`` names
every record it created or updated, with the values an update replaced, so that "undo this
import" can remove and restore exactly that. Additive: an older program ignores both.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b5e1c9a7f304"
down_revision: str | Sequence[str] | None = "a8d3f1c7e592"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _stamp() -> sa.types.TypeEngine[object]:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("file_name", sa.Unicode(length=260), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("layout", sa.String(length=40), nullable=True),
        sa.Column("mapping", sa.UnicodeText(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", _stamp(), nullable=False),
        sa.Column("updated_at", _stamp(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batches")),
    )
    op.create_index("ix_import_batches_created_at", "import_batches", ["created_at"])
    op.create_index("ix_import_batches_layout", "import_batches", ["kind", "layout"])
    op.create_table(
        "import_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("after_version", sa.Integer(), nullable=True),
        sa.Column("before", sa.UnicodeText(), nullable=True),
        sa.Column("undone_at", _stamp(), nullable=True),
        sa.Column("kept_reason", sa.Unicode(length=400), nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["import_batches.id"],
                                name=op.f("fk_import_items_batch_id_import_batches")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_items")),
    )
    op.create_index("ix_import_items_batch", "import_items", ["batch_id", "entity", "record_id"])
    op.create_index("ix_import_items_record", "import_items", ["entity", "record_id"])


def downgrade() -> None:
    op.drop_index("ix_import_items_record", table_name="import_items")
    op.drop_index("ix_import_items_batch", table_name="import_items")
    op.drop_table("import_items")
    op.drop_index("ix_import_batches_layout", table_name="import_batches")
    op.drop_index("ix_import_batches_created_at", table_name="import_batches")
    op.drop_table("import_batches")

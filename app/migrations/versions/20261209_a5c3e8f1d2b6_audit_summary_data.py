"""Audit rows keep their summary as a template and values, to be read in any language.

Revision ID: a5c3e8f1d2b6
Revises: 6d1f0b8c2e47
Create Date: 2026-12-09 09:00:00

``summary`` holds the text in the language of the station that wrote it; a reader whose
program runs in the other language saw it untranslated. ``summary_data`` (JSON: the English
template, which is the translation key, and its values) lets the log be rendered in the
reader's language. Nullable: rows written before, and by a program that does not know the
column, keep only their text and are shown as it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a5c3e8f1d2b6"
down_revision: str | Sequence[str] | None = "6d1f0b8c2e47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("summary_data", sa.UnicodeText(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("summary_data")

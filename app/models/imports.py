"""Imports from Excel and CSV sheets (导入批次): what each import wrote, so it can be undone."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, Unicode, UnicodeText
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Code20, Tracked, UTCDateTime


class ImportBatch(Tracked, Base):
    """One import of a sheet: who brought which file in, when, and how it ended.

    ``status`` is ``running`` while its chunks are committed, then ``done``, ``cancelled``
    (stopped by the person: what the committed chunks wrote stays, and can be undone),
    ``undone`` or ``partly_undone`` (records used since the import are kept).
    """

    __tablename__ = "import_batches"
    __table_args__ = (
        Index("ix_import_batches_created_at", "created_at"),
        Index("ix_import_batches_layout", "kind", "layout"),
    )

    kind: Mapped[Code20]  # customers, devices, products, receivables
    file_name: Mapped[str] = mapped_column(Unicode(260))
    status: Mapped[Code20]
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)
    # The sheet's columns (app.services.importing.customers.layout_key) and how they were
    # mapped (JSON column → field): the next sheet of the same layout starts from it.
    layout: Mapped[str | None] = mapped_column(String(40), nullable=True)
    mapping: Mapped[str | None] = mapped_column(UnicodeText(), nullable=True)


class ImportItem(Base):
    """A record an import created or updated (导入记录), in the import's own transaction.

    Every record an import wrote carries its batch here rather than in a column of every
    table. ``before`` holds, for an update, the values the import replaced (JSON of field →
    value): undo writes them back. ``after_version`` is the record's version once the import
    wrote it: a record changed since is not undone blindly.
    """

    __tablename__ = "import_items"
    __table_args__ = (
        Index("ix_import_items_batch", "batch_id", "entity", "record_id"),
        Index("ix_import_items_record", "entity", "record_id"),
    )

    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"))
    entity: Mapped[Code20]  # customer, contact, address
    record_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[Code20]  # created, updated
    row_number: Mapped[int] = mapped_column(Integer)
    after_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    before: Mapped[str | None] = mapped_column(UnicodeText(), nullable=True)
    undone_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Why undo left the record as it is (a translation key with its values, as JSON).
    kept_reason: Mapped[str | None] = mapped_column(Unicode(400), nullable=True)

"""The change feed (提醒): what happened that someone else at another station must hear of."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Unicode
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Code20, LongText, Timestamp


class FeedEntry(Base):
    """One notice for a person or for everyone of a department, never changed afterwards.

    Written by the services in the same transaction as the change it tells of (an
    opportunity given to a salesperson, a record returned), so a rolled-back change leaves
    no notice. Every station reads the rows after the last id it saw
    (``app.services.feed.read_feed``) every few seconds: the two indexes lead with the
    recipient and end with the id, so that read is two short index range scans.
    """

    __tablename__ = "change_feed"
    __table_args__ = (
        Index("ix_change_feed_user_id_id", "user_id", "id"),
        Index("ix_change_feed_department_id_id", "department_id", "id"),
        Index("ix_change_feed_created_at", "created_at"),
        CheckConstraint("user_id IS NOT NULL OR department_id IS NOT NULL", name="recipient"),
        # No RETURNING on insert: a station writes notices for others and may not read them.
        {"implicit_returning": False},
    )

    created_at: Mapped[Timestamp]
    # Who it is for: one person, or everyone of a department (or both).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    # Who made the change (a plain id, like Tracked.created_by_id): their own station does
    # not tell them what they just did.
    by_user_id: Mapped[int | None] = mapped_column(Integer)
    # The record: its kind (a code of labels.RECORD_KINDS), id and number as shown.
    kind: Mapped[Code20]
    record_id: Mapped[int] = mapped_column(Integer)
    number: Mapped[str | None] = mapped_column(Unicode(40))
    # What happened (a code of labels.FEED_EVENTS), rendered in the reader's language, and
    # its values as JSON.
    event: Mapped[str] = mapped_column(String(20))
    params: Mapped[LongText | None]

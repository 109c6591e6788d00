"""Work tasks assigned by management (工作任务) and customer care items (客户关怀)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Day, LongText, Text40, Text200, Text500, Timestamp, Tracked
from app.models.enums import CareKind, CareStatus, Priority, TaskStatus


class Task(Tracked, Base):
    """Work assigned to a person or a department, acknowledged, reported done and confirmed."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_assignee_status_due", "assignee_id", "status", "due_on"),
        Index("ix_tasks_department_status", "assignee_department_id", "status"),
        Index("ix_tasks_customer", "customer_id"),
        # Created for someone else (a re-need for the customer's salesperson, a task for a
        # colleague): no RETURNING, which row security would check against the creator's
        # scope; the id comes from the sequence first.
        {"implicit_returning": False},
    )

    title: Mapped[Text200]
    description: Mapped[LongText | None]
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assignee_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    # The record a task is about, e.g. ("visit", 12) for a returned visit record.
    related_entity: Mapped[str | None] = mapped_column(String(40))
    related_id: Mapped[int | None] = mapped_column(Integer)
    priority: Mapped[Priority]
    status: Mapped[TaskStatus]
    due_on: Mapped[Day | None]
    acknowledged_at: Mapped[Timestamp | None]
    reported_at: Mapped[Timestamp | None]
    report: Mapped[Text500 | None]
    confirmed_at: Mapped[Timestamp | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)


class CareItem(Tracked, Base):
    """A reminder to look after a customer: follow-up call, expiry, reorder, greeting."""

    __tablename__ = "care_items"
    __table_args__ = (
        Index("ix_care_items_owner_status_due", "owner_id", "status", "due_on"),
        Index("ix_care_items_customer", "customer_id"),
        Index("ix_care_items_rule_source", "rule_code", "source_entity", "source_id"),
        # Created for someone else (a re-need for the customer's salesperson, a task for a
        # colleague): no RETURNING, which row security would check against the creator's
        # scope; the id comes from the sequence first.
        {"implicit_returning": False},
    )

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[CareKind]
    title: Mapped[Text200]
    due_on: Mapped[Day]
    status: Mapped[CareStatus]
    # Which rule made it and from what, so a rule run never creates the same item twice.
    rule_code: Mapped[str | None] = mapped_column(String(40))
    source_entity: Mapped[str | None] = mapped_column(String(40))
    source_id: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[Text500 | None]
    done_at: Mapped[Timestamp | None]
    channel: Mapped[Text40 | None]

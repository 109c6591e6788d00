"""Repair department records: contracts, service tickets, repair records and the knowledge base."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import (
    Base,
    Confirmable,
    Day,
    Flag,
    LongText,
    Money,
    Points,
    Quantity,
    Text100,
    Text200,
    Text500,
    Timestamp,
    Tracked,
)
from app.models.enums import (
    ContractKind,
    ContractStatus,
    KnowledgeStatus,
    Priority,
    ServiceMode,
    TicketChannel,
    TicketStatus,
)


class ServiceContract(Tracked, Base):
    """A service contract (服务合同) covering some of a customer's devices."""

    __tablename__ = "service_contracts"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="period_order"),
        Index("ix_service_contracts_customer", "customer_id"),
        Index("ix_service_contracts_ends_status", "ends_on", "status"),
    )

    number: Mapped[str] = mapped_column(String(40), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[ContractKind]
    status: Mapped[ContractStatus]
    starts_on: Mapped[Day]
    ends_on: Mapped[Day]
    included_visits: Mapped[int | None] = mapped_column(Integer)
    fee: Mapped[Money]
    sla_response_hours: Mapped[int] = mapped_column(Integer, default=24)
    renewed_from_id: Mapped[int | None] = mapped_column(ForeignKey("service_contracts.id"),
                                                        index=True)
    notes: Mapped[Text500 | None]

    devices: Mapped[list[ContractDevice]] = relationship(
        back_populates="contract", cascade="all, delete-orphan"
    )


class ContractDevice(Base):
    """A device covered by a contract."""

    __tablename__ = "contract_devices"
    __table_args__ = (
        UniqueConstraint("contract_id", "device_id"),
        Index("ix_contract_devices_device", "device_id"),
    )

    contract_id: Mapped[int] = mapped_column(
        ForeignKey("service_contracts.id", ondelete="CASCADE")
    )
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))

    contract: Mapped[ServiceContract] = relationship(back_populates="devices")


class ServiceTicket(Tracked, Base):
    """One repair job from intake (服务接待) through dispatch and repair to pickup (取机)."""

    __tablename__ = "service_tickets"
    __table_args__ = (
        Index("ix_service_tickets_customer_received", "customer_id", "received_at"),
        Index("ix_service_tickets_device", "device_id"),
        Index("ix_service_tickets_technician_status", "technician_id", "status"),
        Index("ix_service_tickets_status_due", "status", "due_at"),
        Index("ix_service_tickets_received_at", "received_at"),
    )

    number: Mapped[str] = mapped_column(String(40), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("service_contracts.id"), index=True)
    channel: Mapped[TicketChannel]
    mode: Mapped[ServiceMode]
    priority: Mapped[Priority]
    status: Mapped[TicketStatus]
    symptoms: Mapped[LongText]
    accessories: Mapped[Text500 | None]
    condition: Mapped[Text500 | None]
    chargeable: Mapped[Flag] = mapped_column(default=True)
    received_at: Mapped[Timestamp]
    due_at: Mapped[Timestamp | None]
    expected_on: Mapped[Day | None]
    intake_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    technician_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    scheduled_at: Mapped[Timestamp | None]
    site_address: Mapped[Text200 | None]
    dispatched_at: Mapped[Timestamp | None]
    started_at: Mapped[Timestamp | None]
    completed_at: Mapped[Timestamp | None]
    picked_up_at: Mapped[Timestamp | None]
    closed_at: Mapped[Timestamp | None]
    total_charge: Mapped[Money] = mapped_column(default=Decimal("0.00"))
    paid_amount: Mapped[Money] = mapped_column(default=Decimal("0.00"))

    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", cascade="all, delete-orphan", order_by="TicketEvent.at"
    )
    repair_records: Mapped[list[RepairRecord]] = relationship(
        back_populates="ticket", order_by="RepairRecord.id"
    )


class TicketEvent(Base):
    """A status change of a ticket: when, by whom, from what to what."""

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_ticket_at", "ticket_id", "at"),)

    ticket_id: Mapped[int] = mapped_column(ForeignKey("service_tickets.id", ondelete="CASCADE"))
    at: Mapped[Timestamp]
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    from_status: Mapped[TicketStatus | None]
    to_status: Mapped[TicketStatus]
    note: Mapped[Text500 | None]

    ticket: Mapped[ServiceTicket] = relationship(back_populates="events")


class RepairRecord(Tracked, Confirmable, Base):
    """What a technician did on a ticket (客户维修服务记录), with its service score (服务分值)."""

    __tablename__ = "repair_records"
    __table_args__ = (
        CheckConstraint(
            "customer_rating IS NULL OR (customer_rating >= 1 AND customer_rating <= 5)",
            name="rating_range",
        ),
        Index("ix_repair_records_ticket", "ticket_id"),
        Index("ix_repair_records_technician_done", "technician_id", "completed_at"),
    )

    ticket_id: Mapped[int] = mapped_column(ForeignKey("service_tickets.id"))
    technician_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    work_done: Mapped[LongText]
    cause: Mapped[Text500 | None]
    result: Mapped[Text200 | None]
    job_type: Mapped[str] = mapped_column(String(40))
    difficulty: Mapped[int] = mapped_column(Integer, default=1)
    labour_minutes: Mapped[int] = mapped_column(Integer, default=0)
    labour_amount: Mapped[Money] = mapped_column(default=Decimal("0.00"))
    parts_amount: Mapped[Money] = mapped_column(default=Decimal("0.00"))
    # The sum of the parts' cost, kept by the database (see RepairPart).
    parts_cost: Mapped[Money] = mapped_column(default=Decimal("0.00"), deferred=True)
    customer_rating: Mapped[int | None] = mapped_column(Integer)
    on_time: Mapped[bool | None]
    service_score: Mapped[Points] = mapped_column(default=Decimal("0.00"))
    knowledge_entry_id: Mapped[int | None] = mapped_column(ForeignKey("knowledge_entries.id"),
                                                           index=True)
    meter_reading: Mapped[int | None] = mapped_column(Integer)
    completed_at: Mapped[Timestamp | None]

    ticket: Mapped[ServiceTicket] = relationship(back_populates="repair_records")
    parts: Mapped[list[RepairPart]] = relationship(
        back_populates="repair_record", cascade="all, delete-orphan"
    )


class RepairPart(Base):
    """A part used in a repair, with cost and price as they were then.

    Like an order line's, the cost is copied by the database: a part written without
    ``unit_cost`` takes the product's, and the record's ``parts_cost`` is the sum of
    ``round(quantity × unit_cost, 2)`` (migration 9841e823c8fe).
    """

    __tablename__ = "repair_parts"
    __table_args__ = (
        Index("ix_repair_parts_record", "repair_record_id"),
        # SQL Server refuses OUTPUT inserted.id on a table with triggers.
        {"implicit_returning": False},
    )

    repair_record_id: Mapped[int] = mapped_column(
        ForeignKey("repair_records.id", ondelete="CASCADE")
    )
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    description: Mapped[Text200]
    quantity: Mapped[Quantity]
    unit_cost: Mapped[Money | None] = mapped_column(deferred=True)
    unit_price: Mapped[Money]

    repair_record: Mapped[RepairRecord] = relationship(back_populates="parts")


class KnowledgeEntry(Tracked, Base):
    """A known fault and its fix (维修技术问题记录单), suggested once the repair lead approves."""

    __tablename__ = "knowledge_entries"
    __table_args__ = (
        Index("ix_knowledge_entries_model_status", "device_model", "status"),
        Index("ix_knowledge_entries_status", "status"),
    )

    number: Mapped[str] = mapped_column(String(40), unique=True)
    device_model: Mapped[Text100]
    symptom: Mapped[Text500]
    cause: Mapped[Text500]
    solution: Mapped[LongText]
    parts: Mapped[Text500 | None]
    keywords: Mapped[Text200 | None]
    status: Mapped[KnowledgeStatus]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    approved_at: Mapped[Timestamp | None]
    times_used: Mapped[int] = mapped_column(Integer, default=0)
    # Why the repair lead last returned the entry (退回原因), shown to the author.
    return_reason: Mapped[Text500 | None]

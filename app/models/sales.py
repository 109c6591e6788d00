"""Sales records: visits, sales plans, opportunities, quotations, orders and payments."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Unicode,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import (
    Base,
    Confirmable,
    Day,
    Flag,
    LongText,
    Money,
    Percent,
    Points,
    Quantity,
    Text100,
    Text200,
    Text500,
    Timestamp,
    Tracked,
)
from app.models.enums import (
    CustomerSource,
    OpportunityStage,
    OrderStatus,
    PaymentMethod,
    PlanPeriod,
    QuotationStatus,
    VisitKind,
)


class Visit(Tracked, Confirmable, Base):
    """A walk-in, phone call or visit to a customer (客户接待单 / 访客记录)."""

    __tablename__ = "visits"
    __table_args__ = (
        Index("ix_visits_customer_occurred", "customer_id", "occurred_at"),
        Index("ix_visits_owner_occurred", "owner_id", "occurred_at"),
        Index("ix_visits_follow_up", "owner_id", "follow_up_on"),
        Index("ix_visits_confirm_status", "confirm_status"),
    )

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[VisitKind]
    occurred_at: Mapped[Timestamp]
    purpose: Mapped[Text200]
    products_of_interest: Mapped[Text500 | None]
    outcome: Mapped[Text500 | None]
    next_step: Mapped[Text500 | None]
    follow_up_on: Mapped[Day | None]
    follow_up_done: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[LongText | None]


class SalesPlan(Tracked, Base):
    """A planned sales amount per salesperson (and optionally customer) for a month or quarter."""

    __tablename__ = "sales_plans"
    __table_args__ = (
        CheckConstraint("period >= 1 AND period <= 12", name="period_range"),
        Index("ix_sales_plans_year_period", "year", "period_kind", "period"),
        # One plan per owner, customer and period, and one per owner and period without a
        # customer: two filtered unique indexes, because a unique constraint over the
        # nullable customer_id means different things (SQL Server counts NULLs as equal,
        # PostgreSQL and SQLite as distinct). Filtered, both mean the same everywhere.
        Index("uq_sales_plans_owner_customer", "owner_id", "customer_id", "year",
              "period_kind", "period", unique=True,
              postgresql_where=text("customer_id IS NOT NULL"),
              sqlite_where=text("customer_id IS NOT NULL"),
              mssql_where=text("customer_id IS NOT NULL")),
        Index("uq_sales_plans_owner_no_customer", "owner_id", "year", "period_kind",
              "period", unique=True, postgresql_where=text("customer_id IS NULL"),
              sqlite_where=text("customer_id IS NULL"),
              mssql_where=text("customer_id IS NULL")),
    )

    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    period_kind: Mapped[PlanPeriod]
    period: Mapped[int] = mapped_column(Integer)
    planned_amount: Mapped[Money]
    planned_margin: Mapped[Money] = mapped_column(default=Decimal("0.00"))
    notes: Mapped[Text500 | None]


class Opportunity(Tracked, Base):
    """A possible sale (商机), from any source, including a need noticed during a repair."""

    __tablename__ = "opportunities"
    __table_args__ = (
        CheckConstraint("probability >= 0 AND probability <= 100", name="probability_range"),
        Index("ix_opportunities_owner_stage", "owner_id", "stage"),
        Index("ix_opportunities_customer", "customer_id"),
        Index("ix_opportunities_expected_close", "expected_close_on"),
        # Created for someone else (a re-need for the customer's salesperson, a task for a
        # colleague): no RETURNING, which row security would check against the creator's
        # scope; the id comes from the sequence first.
        {"implicit_returning": False},
    )

    number: Mapped[str] = mapped_column(String(40), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    title: Mapped[Text200]
    source: Mapped[CustomerSource]
    stage: Mapped[OpportunityStage]
    expected_amount: Mapped[Money]
    probability: Mapped[int] = mapped_column(Integer)
    expected_close_on: Mapped[Day | None]
    # None while it waits in management's routing queue.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    credited_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    service_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("service_tickets.id"),
                                                          index=True)
    description: Mapped[LongText | None]
    closed_at: Mapped[Timestamp | None]
    lost_reason: Mapped[Text500 | None]


class Quotation(Tracked, Base):
    """A price offer to a customer (客户报价记录单)."""

    __tablename__ = "quotations"
    __table_args__ = (
        Index("ix_quotations_customer_date", "customer_id", "quoted_on"),
        Index("ix_quotations_owner_status", "owner_id", "status"),
    )

    number: Mapped[str] = mapped_column(String(40), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunities.id"), index=True)
    status: Mapped[QuotationStatus]
    quoted_on: Mapped[Day]
    valid_until: Mapped[Day]
    total_amount: Mapped[Money] = mapped_column(default=Decimal("0.00"))
    terms: Mapped[LongText | None]
    notes: Mapped[Text500 | None]

    lines: Mapped[list[QuotationLine]] = relationship(
        back_populates="quotation", cascade="all, delete-orphan", order_by="QuotationLine.position"
    )


class QuotationLine(Base):
    """One product line of a quotation."""

    __tablename__ = "quotation_lines"
    __table_args__ = (UniqueConstraint("quotation_id", "position"),)

    quotation_id: Mapped[int] = mapped_column(ForeignKey("quotations.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    description: Mapped[Text200]
    quantity: Mapped[Quantity]
    unit_price: Mapped[Money]
    discount_percent: Mapped[Percent] = mapped_column(default=Decimal("0.00"))
    line_total: Mapped[Money]

    quotation: Mapped[Quotation] = relationship(back_populates="lines")


class Order(Tracked, Confirmable, Base):
    """A sale (客户订单记录表; printed as 销售单).

    ``customer_source`` is copied from the customer when the order is made so storefront
    sales split by source stay as they were even if the customer record changes.
    """

    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_customer_date", "customer_id", "ordered_on"),
        Index("ix_orders_owner_date", "owner_id", "ordered_on"),
        Index("ix_orders_date_source", "ordered_on", "customer_source"),
        Index("ix_orders_status", "status"),
        # Covers the statistics (经理办统计): every sales figure and the receivables aging
        # read this index alone, not the wide order rows.
        Index("ix_orders_stats", "ordered_on", "status", "owner_id", "customer_id",
              "customer_source", "total_amount", "total_cost", "total_points", "paid_amount",
              "due_on", "opening"),
        # A second import of the same opening balances finds them (importing.receivables).
        Index("ix_orders_customer_old_number", "customer_id", "old_number"),
    )

    number: Mapped[str] = mapped_column(String(40), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    quotation_id: Mapped[int | None] = mapped_column(ForeignKey("quotations.id"), index=True)
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunities.id"), index=True)
    status: Mapped[OrderStatus]
    ordered_on: Mapped[Day]
    due_on: Mapped[Day | None]
    customer_source: Mapped[CustomerSource]
    total_amount: Mapped[Money] = mapped_column(default=Decimal("0.00"))
    # The sum of the lines' cost, kept by the database (see OrderLine); deferred like them.
    total_cost: Mapped[Money] = mapped_column(default=Decimal("0.00"), deferred=True)
    total_points: Mapped[Points] = mapped_column(default=Decimal("0.00"))
    paid_amount: Mapped[Money] = mapped_column(default=Decimal("0.00"))
    delivery_address: Mapped[Text200 | None]
    notes: Mapped[Text500 | None]
    # An opening balance (期初应收): a debt from before the program, brought in by the
    # receivables import. Owed and paid like any order; left out of the sales figures and
    # plans, which would count that sale a second time.
    opening: Mapped[Flag] = mapped_column(server_default=false())
    # The number the debt had in the books it was brought in from (原单号).
    old_number: Mapped[str | None] = mapped_column(Unicode(40))

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.position"
    )


class OrderLine(Base):
    """One line of an order, with the cost and points as they were when sold.

    The cost is copied by the database, not the station (most roles may not read the
    catalogue's cost): a line written without ``unit_cost``, or moved to another product,
    takes the product's cost, ``line_cost`` is always ``round(quantity × unit_cost, 2)``
    and the order's ``total_cost`` their sum (migration 9841e823c8fe). Until the row is
    read back the columns may hold None; they are deferred, so loading a line never
    selects what the actor may not see.
    """

    __tablename__ = "order_lines"
    __table_args__ = (
        UniqueConstraint("order_id", "position"),
        Index("ix_order_lines_product", "product_id"),
        # Covers product sales by category per order (statistics).
        Index("ix_order_lines_stats", "order_id", "product_id", "quantity", "line_total",
              "line_cost"),
        # SQL Server refuses OUTPUT inserted.id (without INTO) on a table with triggers,
        # and this table has the cost trigger. The flag is per table, not per database, so
        # PostgreSQL takes the lines' ids first, all in one statement sent ahead with an
        # earlier one (UnitOfWork.reserve_ids, app.db.ids_statement).
        {"implicit_returning": False},
    )

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    description: Mapped[Text200]
    quantity: Mapped[Quantity]
    unit_price: Mapped[Money]
    discount_percent: Mapped[Percent] = mapped_column(default=Decimal("0.00"))
    line_total: Mapped[Money]
    unit_cost: Mapped[Money | None] = mapped_column(deferred=True)
    line_cost: Mapped[Money | None] = mapped_column(deferred=True)
    sales_points: Mapped[Points] = mapped_column(default=Decimal("0.00"))

    order: Mapped[Order] = relationship(back_populates="lines")


class Payment(Tracked, Base):
    """Money received from a customer (客户回款记录单), allocated to orders or service charges."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_payments_customer_date", "customer_id", "received_on"),
        Index("ix_payments_date", "received_on"),
    )

    number: Mapped[str] = mapped_column(String(40), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    received_on: Mapped[Day]
    amount: Mapped[Money]
    method: Mapped[PaymentMethod]
    reference: Mapped[Text100 | None]
    received_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    notes: Mapped[Text500 | None]

    allocations: Mapped[list[PaymentAllocation]] = relationship(
        back_populates="payment", cascade="all, delete-orphan"
    )


class PaymentAllocation(Base):
    """The part of a payment that settles one order or one service ticket's charge."""

    __tablename__ = "payment_allocations"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(
            "(order_id IS NOT NULL AND service_ticket_id IS NULL)"
            " OR (order_id IS NULL AND service_ticket_id IS NOT NULL)",
            name="one_target",
        ),
        Index("ix_payment_allocations_order", "order_id"),
        Index("ix_payment_allocations_ticket", "service_ticket_id"),
        # With the order and amount: collections per period read the index only.
        Index("ix_payment_allocations_payment", "payment_id", "order_id", "amount"),
    )

    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    service_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("service_tickets.id"))
    amount: Mapped[Money]

    payment: Mapped[Payment] = relationship(back_populates="allocations")


__all__ = [
    "Opportunity",
    "Order",
    "OrderLine",
    "Payment",
    "PaymentAllocation",
    "Quotation",
    "QuotationLine",
    "SalesPlan",
    "Visit",
]

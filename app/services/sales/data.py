"""What the sales use cases take in (drafts) and hand out (frozen views, rows, pages)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from app.models.enums import (
    ConfirmStatus,
    CustomerSource,
    OrderStatus,
    PaymentMethod,
    QuotationStatus,
)
from app.services.paging import Cursor

# --- data in -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuotationLineDraft:
    """A line from the catalog (``product_id``; description and price default from it) or
    free text (``description`` and ``unit_price`` required)."""

    product_id: int | None = None
    description: str | None = None
    quantity: Decimal | str | int = Decimal(1)
    unit_price: Decimal | str | None = None
    discount_percent: Decimal | str | int = Decimal(0)


@dataclass(frozen=True)
class QuotationDraft:
    customer_id: int
    lines: tuple[QuotationLineDraft, ...]
    quoted_on: dt.date | None = None  # today
    valid_until: dt.date | None = None  # quoted_on + 15 days
    contact_id: int | None = None
    opportunity_id: int | None = None
    owner_id: int | None = None  # the actor
    terms: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class OrderLineDraft:
    """An order line. Catalog lines take their cost (copied by the database) and points
    from the product when the line is made. ``unit_cost`` is for free-text lines only, and
    only for roles that may set costs; None keeps the cost the line had (``id`` names that
    line) or 0.00."""

    product_id: int | None = None
    description: str | None = None
    quantity: Decimal | str | int = Decimal(1)
    unit_price: Decimal | str | None = None
    discount_percent: Decimal | str | int = Decimal(0)
    unit_cost: Decimal | str | None = None
    id: int | None = None


@dataclass(frozen=True)
class OrderDraft:
    customer_id: int
    lines: tuple[OrderLineDraft, ...]
    ordered_on: dt.date | None = None  # today
    due_on: dt.date | None = None
    contact_id: int | None = None
    opportunity_id: int | None = None
    owner_id: int | None = None  # the actor
    delivery_address: str | None = None
    notes: str | None = None
    # Custom field values by code (app/services/custom_fields.py); left out: kept.
    custom: Mapping[str, object] = field(default_factory=dict)



# --- data out ------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuotationLineView:
    id: int
    position: int
    product_id: int | None
    sku: str | None
    unit: str | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    line_total: Decimal


@dataclass(frozen=True)
class QuotationView:
    id: int
    number: str
    version: int
    status: QuotationStatus
    allowed_transitions: tuple[QuotationStatus, ...]
    customer_id: int
    customer_name: str
    contact_id: int | None
    opportunity_id: int | None
    owner_id: int
    owner_name: str | None
    quoted_on: dt.date
    valid_until: dt.date
    total_amount: Decimal
    terms: str | None
    notes: str | None
    lines: tuple[QuotationLineView, ...]
    order_id: int | None  # the order it was converted to
    created_at: dt.datetime
    updated_at: dt.datetime
    updated_by_name: str | None

    def to_draft(self) -> QuotationDraft:
        return QuotationDraft(
            customer_id=self.customer_id, quoted_on=self.quoted_on,
            valid_until=self.valid_until, contact_id=self.contact_id,
            opportunity_id=self.opportunity_id, owner_id=self.owner_id, terms=self.terms,
            notes=self.notes,
            lines=tuple(QuotationLineDraft(
                product_id=ln.product_id, description=ln.description, quantity=ln.quantity,
                unit_price=ln.unit_price, discount_percent=ln.discount_percent)
                for ln in self.lines),
        )


@dataclass(frozen=True)
class OrderLineView:
    """``unit_cost`` and ``line_cost`` are None for roles that may not see costs."""

    id: int
    position: int
    product_id: int | None
    sku: str | None
    unit: str | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    line_total: Decimal
    unit_cost: Decimal | None
    line_cost: Decimal | None
    sales_points: Decimal


@dataclass(frozen=True)
class OrderView:
    """An order as the actor may see it: ``total_cost`` and ``gross_margin`` are None for
    roles that may not see them."""

    id: int
    number: str
    version: int
    status: OrderStatus
    allowed_transitions: tuple[OrderStatus, ...]
    customer_id: int
    customer_name: str
    customer_source: CustomerSource
    contact_id: int | None
    opportunity_id: int | None
    quotation_id: int | None
    owner_id: int
    owner_name: str | None
    ordered_on: dt.date
    due_on: dt.date | None
    total_amount: Decimal
    total_cost: Decimal | None
    gross_margin: Decimal | None
    total_points: Decimal
    paid_amount: Decimal
    open_amount: Decimal
    delivery_address: str | None
    notes: str | None
    lines: tuple[OrderLineView, ...]
    created_at: dt.datetime
    updated_at: dt.datetime
    updated_by_name: str | None
    # Values of the active custom fields by code.
    custom: Mapping[str, object] = field(default_factory=dict)
    # Management's confirmation (确认 / 退回): the state, the return comment while
    # returned, and who confirmed or returned the order, and when.
    confirm_status: ConfirmStatus = ConfirmStatus.SUBMITTED
    return_comment: str | None = None
    decided_by_name: str | None = None
    decided_at: dt.datetime | None = None

    def to_draft(self) -> OrderDraft:
        return OrderDraft(
            customer_id=self.customer_id, ordered_on=self.ordered_on, due_on=self.due_on,
            contact_id=self.contact_id, opportunity_id=self.opportunity_id,
            owner_id=self.owner_id, delivery_address=self.delivery_address, notes=self.notes,
            custom=dict(self.custom),
            lines=tuple(OrderLineDraft(
                id=ln.id, product_id=ln.product_id, description=ln.description,
                quantity=ln.quantity, unit_price=ln.unit_price,
                discount_percent=ln.discount_percent,
                unit_cost=ln.unit_cost if ln.product_id is None else None)
                for ln in self.lines),
        )


@dataclass(frozen=True, slots=True)
class QuotationRow:
    id: int
    number: str
    status: QuotationStatus
    customer_id: int
    customer_name: str
    owner_name: str | None
    quoted_on: dt.date
    valid_until: dt.date
    total_amount: Decimal


@dataclass(frozen=True, slots=True)
class OrderRow:
    id: int
    number: str
    status: OrderStatus
    customer_id: int
    customer_name: str
    owner_name: str | None
    ordered_on: dt.date
    due_on: dt.date | None
    total_amount: Decimal
    paid_amount: Decimal
    open_amount: Decimal
    gross_margin: Decimal | None


@dataclass(frozen=True)
class QuotationPage:
    rows: tuple[QuotationRow, ...]
    # Pass back as ``after`` for the next page; None at the end.
    next_after: Cursor | None = None
    # Every quotation matching the filters in the actor's scope (with ``with_total``).
    total: int | None = None


@dataclass(frozen=True)
class OrderPage:
    rows: tuple[OrderRow, ...]
    # Pass back as ``after`` for the next page; None at the end.
    next_after: Cursor | None = None
    # Custom field values of the page's rows asked for as columns: {order id: {code: value}}.
    custom: Mapping[int, Mapping[str, object]] = field(default_factory=dict)
    # Every order matching the filters in the actor's scope (with ``with_total``).
    total: int | None = None


@dataclass(frozen=True)
class AllocationView:
    """A payment's share for one order. ``order_number`` is None for an order outside the
    reader's scope: the line shows as locked (amount only), its number is not read."""

    order_id: int
    order_number: str | None
    amount: Decimal


@dataclass(frozen=True)
class PaymentView:
    id: int
    number: str
    customer_id: int
    customer_name: str
    received_on: dt.date
    amount: Decimal
    method: PaymentMethod
    reference: str | None
    notes: str | None
    received_by_id: int
    received_by_name: str | None
    allocations: tuple[AllocationView, ...]
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class PaymentRow:
    """A payment in the payments list. ``applies_to``: the numbers of the orders and
    service tickets it settles that the reader may see (others are left out)."""

    id: int
    number: str
    received_on: dt.date
    customer_id: int
    customer_name: str
    applies_to: tuple[str, ...]
    amount: Decimal
    method: PaymentMethod
    reference: str | None
    received_by_name: str | None


@dataclass(frozen=True)
class PaymentPage:
    rows: tuple[PaymentRow, ...]
    # Pass back as ``after`` for the next page; None at the end.
    next_after: Cursor | None = None
    # Every payment matching the filters in the actor's scope (with ``with_total``).
    total: int | None = None
    # The sum of their amounts (with ``with_total``).
    total_amount: Decimal | None = None


@dataclass(frozen=True)
class OpenOrder:
    """An order the customer still owes money on."""

    order_id: int
    number: str
    owner_id: int
    ordered_on: dt.date
    due_on: dt.date | None
    total_amount: Decimal
    paid_amount: Decimal
    open_amount: Decimal


@dataclass(frozen=True)
class ReceivableView:
    """What a customer owes on the orders in the actor's data scope."""

    customer_id: int
    customer_name: str
    open_amount: Decimal
    orders: tuple[OpenOrder, ...]


@dataclass(frozen=True)
class AgingRow:
    """One customer's open amounts by age (days since the due date, else the order date)."""

    customer_id: int
    customer_code: str
    customer_name: str
    days_0_30: Decimal
    days_31_60: Decimal
    days_61_90: Decimal
    days_over_90: Decimal
    total: Decimal


@dataclass(frozen=True)
class AgingReport:
    as_of: dt.date
    rows: tuple[AgingRow, ...]
    days_0_30: Decimal
    days_31_60: Decimal
    days_61_90: Decimal
    days_over_90: Decimal
    total: Decimal


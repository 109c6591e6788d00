"""The money flow: quotations (报价单), orders (订单), payments (回款) and receivables (应收款).

Amounts are :class:`~decimal.Decimal` yuan exact to the fen. A line's total is
``round(quantity × unit price × (1 − discount / 100), 2)`` rounding halves up; document
totals are sums of the rounded lines. An order line keeps the product's cost and sales
points as they were when the line was made (``unit_cost``, ``line_cost``,
``sales_points``), and the order keeps the customer's source, so margins and statistics
do not move when the catalog or the customer card changes later.

The cost is copied by the database, not here: most roles may not read the catalogue's
cost, so a new line (or a line moved to another product) is written without one and the
database fills it in, keeps ``line_cost`` at ``round(quantity × unit_cost, 2)`` and the
order's ``total_cost`` at the sum of its lines (migration 9841e823c8fe). A use case reads
the cost columns back only for a role that may see them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from sqlalchemy import and_, case, func, null, or_, select, update
from sqlalchemy.orm import object_mapper, selectinload, undefer
from sqlalchemy.orm.attributes import instance_state, set_committed_value

from app.i18n import tr
from app.models import (
    Contact,
    Customer,
    Opportunity,
    Order,
    OrderLine,
    Payment,
    PaymentAllocation,
    Product,
    Quotation,
    QuotationLine,
    User,
    utcnow,
)
from app.models.customers import customer_directory
from app.models.enums import (
    AuditAction,
    ConfirmStatus,
    CustomerSource,
    CustomFieldEntity,
    Module,
    Operation,
    OrderStatus,
    PaymentMethod,
    QuotationStatus,
)
from app.services import audit, custom_fields, requests
from app.services.catalog import POINTS_LIMIT
from app.services.directory import customer_entry
from app.services.errors import InvalidTransition, NotFound, PermissionDenied
from app.services.lifecycle import S, TransitionTable
from app.services.locking import check_version
from app.services.numbering import next_number
from app.services.permissions import (
    Actor,
    hidden_fields,
    owns_in_scope,
    read_only_fields,
    require,
    require_in_scope,
    scope_filter,
    sees_margin,
)
from app.services.uow import UnitOfWork
from app.services.validation import MONEY_LIMIT, Checker, business_dates

CENT = Decimal("0.01")
QUANTITY_LIMIT = Decimal("999999999.999")  # Numeric(12, 3)
DEFAULT_VALIDITY_DAYS = 15
MAX_LINES = 500

# --- lifecycles ----------------------------------------------------------------------------

QS, OS = QuotationStatus, OrderStatus

QUOTATION_LIFECYCLE: TransitionTable[QuotationStatus] = TransitionTable(
    entity="quotation",
    states=QuotationStatus,
    initial=QS.DRAFT,
    edges=frozenset({
        (QS.DRAFT, QS.SENT),
        (QS.SENT, QS.ACCEPTED),
        (QS.SENT, QS.REJECTED),
        (QS.SENT, QS.EXPIRED),
        # Only through convert_quotation_to_order, which makes the order in the same step.
        (QS.ACCEPTED, QS.CONVERTED),
    }),
    labels={QS.DRAFT: "Draft", QS.SENT: "Sent", QS.ACCEPTED: "Accepted",
            QS.REJECTED: "Rejected", QS.EXPIRED: "Expired", QS.CONVERTED: "Converted to order"},
)

ORDER_LIFECYCLE: TransitionTable[OrderStatus] = TransitionTable(
    entity="order",
    states=OrderStatus,
    initial=OS.DRAFT,
    edges=frozenset({
        (OS.DRAFT, OS.CONFIRMED),
        (OS.CONFIRMED, OS.DELIVERED),
        (OS.DELIVERED, OS.COMPLETED),
        (OS.DRAFT, OS.CANCELLED),
        (OS.CONFIRMED, OS.CANCELLED),
    }),
    labels={OS.DRAFT: "Draft", OS.CONFIRMED: "Confirmed", OS.DELIVERED: "Delivered",
            OS.COMPLETED: "Completed", OS.CANCELLED: "Cancelled"},
)

LIFECYCLES: tuple[TransitionTable[Any], ...] = (QUOTATION_LIFECYCLE, ORDER_LIFECYCLE)

# Orders the customer owes money on: agreed, not cancelled. A draft is not yet a debt.
RECEIVABLE_STATUSES: tuple[OrderStatus, ...] = (OS.CONFIRMED, OS.DELIVERED, OS.COMPLETED)

# --- money ---------------------------------------------------------------------------------


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def line_total(quantity: Decimal, unit_price: Decimal, discount_percent: Decimal) -> Decimal:
    """``round(quantity × unit_price × (1 − discount_percent / 100), 2)``, halves up."""
    with localcontext() as ctx:
        ctx.prec = 60  # exact for every value the columns can hold
        return _cents(quantity * unit_price * (100 - discount_percent) / 100)


def line_cost(quantity: Decimal, unit_cost: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 60
        return _cents(quantity * unit_cost)


def yuan(amount: Decimal) -> str:
    """``¥1,234.50`` as messages show amounts."""
    return f"¥{amount:,.2f}"


def _money(value: Any) -> Decimal:
    # SQLite returns aggregates of Numeric columns as floats; go through text, then fen.
    if value is None:
        return Decimal("0.00")
    return _cents(value if isinstance(value, Decimal) else Decimal(str(value)))


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
    next_after: tuple[dt.date, int] | None = None


@dataclass(frozen=True)
class OrderPage:
    rows: tuple[OrderRow, ...]
    next_after: tuple[dt.date, int] | None = None
    # Custom field values of the page's rows asked for as columns: {order id: {code: value}}.
    custom: Mapping[int, Mapping[str, object]] = field(default_factory=dict)


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


# --- quotations ----------------------------------------------------------------------------


def create_quotation(*, uow: UnitOfWork, actor: Actor, draft: QuotationDraft,
                     request_key: str | None = None) -> QuotationView:
    """Make a draft quotation; the actor owns it unless another owner is given.

    A retry with the ``request_key`` of a quotation already saved returns that quotation."""
    with uow:
        require(uow, actor, Module.QUOTATIONS, Operation.CREATE)
        if (saved := requests.replayed(uow, actor, request_key, "quotation")) is not None:
            return _quotation_view(uow, _load_quotation(uow, saved))
        check = Checker()
        owner_id = _owner(uow, actor, check, Module.QUOTATIONS, draft.owner_id, None)
        header = _quotation_header(uow, actor, check, draft)
        lines = _clean_lines(uow, actor, check, draft.lines, for_order=False)
        check.done()
        quotation = Quotation(
            number=next_number(uow, "quotation", header["quoted_on"]),
            status=QUOTATION_LIFECYCLE.initial, owner_id=owner_id,
            created_by_id=actor.user_id, updated_by_id=actor.user_id, **header,
        )
        _write_lines(quotation.lines, lines, QuotationLine)
        quotation.total_amount = _sum(ln["line_total"] for ln in lines)
        uow.session.add(quotation)
        uow.flush()
        audit.record(uow, actor, AuditAction.CREATE, "quotation", quotation.id,
                     _summary(quotation.number, header["customer_id"], uow),
                     {"after": _snapshot(quotation)})
        requests.remember(uow, actor, request_key, "quotation", quotation.id)
        uow.commit()
        return _quotation_view(uow, quotation)


def update_quotation(
    *, uow: UnitOfWork, actor: Actor, quotation_id: int, expected_version: int,
    draft: QuotationDraft,
) -> QuotationView:
    """Save an edited quotation; only a draft may be edited."""
    with uow:
        require(uow, actor, Module.QUOTATIONS, Operation.EDIT)
        quotation = _load_quotation(uow, quotation_id)
        require_in_scope(uow, actor, Module.QUOTATIONS, Operation.EDIT, quotation.owner_id)
        check_version(uow, quotation, expected_version, entity="quotation",
                      label=_record_label("Quotation", quotation.number))
        _require_draft(quotation.status is QS.DRAFT, "Quotation", quotation.number)
        check = Checker()
        owner_id = _owner(uow, actor, check, Module.QUOTATIONS, draft.owner_id,
                          quotation.owner_id)
        header = _quotation_header(uow, actor, check, draft)
        lines = _clean_lines(uow, actor, check, draft.lines, for_order=False,
                             kept_products={ln.product_id for ln in quotation.lines})
        check.done()
        before = _snapshot(quotation)
        for key, value in header.items():
            setattr(quotation, key, value)
        quotation.owner_id = owner_id
        _write_lines(quotation.lines, lines, QuotationLine)
        quotation.total_amount = _sum(ln["line_total"] for ln in lines)
        changes = audit.diff(before, _snapshot(quotation))
        if changes:
            quotation.updated_by_id = actor.user_id
            quotation.updated_at = utcnow()  # moves the version for line edits
            uow.flush()
            audit.record(uow, actor, AuditAction.UPDATE, "quotation", quotation.id,
                         _summary(quotation.number, quotation.customer_id, uow), changes)
        uow.commit()
        return _quotation_view(uow, quotation)


def get_quotation(*, uow: UnitOfWork, actor: Actor, quotation_id: int) -> QuotationView:
    with uow:
        require(uow, actor, Module.QUOTATIONS, Operation.VIEW)
        quotation = _load_quotation(uow, quotation_id)
        require_in_scope(uow, actor, Module.QUOTATIONS, Operation.VIEW, quotation.owner_id)
        return _quotation_view(uow, quotation)


def list_quotations(
    *, uow: UnitOfWork, actor: Actor, customer_id: int | None = None,
    status: QuotationStatus | None = None, after: tuple[dt.date, int] | None = None,
    limit: int = 100,
) -> QuotationPage:
    """The quotations in the actor's data scope, newest first, one page at a time."""
    limit = max(1, min(limit, 500))
    with uow:
        require(uow, actor, Module.QUOTATIONS, Operation.VIEW)
        conditions = [scope_filter(uow, actor, Module.QUOTATIONS, Quotation.owner_id)]
        if customer_id is not None:
            conditions.append(Quotation.customer_id == customer_id)
        if status is not None:
            conditions.append(Quotation.status == status)
        if after is not None:
            conditions.append(_before(Quotation.quoted_on, Quotation.id, after))
        rows = uow.session.execute(
            select(Quotation.id, Quotation.number, Quotation.status, Quotation.customer_id,
                   customer_directory.c.name, User.display_name, Quotation.quoted_on,
                   Quotation.valid_until, Quotation.total_amount)
            # Named from the directory: a quotation in scope for another's customer too.
            .join(customer_directory, customer_directory.c.id == Quotation.customer_id)
            .outerjoin(User, User.id == Quotation.owner_id)
            .where(*conditions)
            .order_by(Quotation.quoted_on.desc(), Quotation.id.desc())
            .limit(limit + 1)
        ).all()
        page = tuple(QuotationRow(
            id=r[0], number=r[1], status=r[2], customer_id=r[3], customer_name=r[4],
            owner_name=r[5], quoted_on=r[6], valid_until=r[7], total_amount=r[8])
            for r in rows[:limit])
        more = len(rows) > limit
        return QuotationPage(rows=page, next_after=(page[-1].quoted_on, page[-1].id)
                             if more and page else None)


def transition_quotation(
    *, uow: UnitOfWork, actor: Actor, quotation_id: int, expected_version: int,
    to: QuotationStatus,
) -> QuotationView:
    """Move a quotation along its lifecycle (sent, accepted, rejected, expired).

    Raises:
        InvalidTransition: the move is not an edge of :data:`QUOTATION_LIFECYCLE`, or it
            is the move to "converted", which only :func:`convert_quotation_to_order` makes.
    """
    with uow:
        require(uow, actor, Module.QUOTATIONS, Operation.EDIT)
        quotation = _load_quotation(uow, quotation_id)
        require_in_scope(uow, actor, Module.QUOTATIONS, Operation.EDIT, quotation.owner_id)
        label = _record_label("Quotation", quotation.number)
        check_version(uow, quotation, expected_version, entity="quotation", label=label)
        target = _target(QuotationStatus, to)
        if target is QS.CONVERTED:
            raise InvalidTransition(tr("A quotation becomes “Converted to order” only by "
                                       "converting it to an order."))
        _move(uow, actor, QUOTATION_LIFECYCLE, quotation, target, label)
        uow.commit()
        return _quotation_view(uow, quotation)


def convert_quotation_to_order(
    *, uow: UnitOfWork, actor: Actor, quotation_id: int, expected_version: int,
    ordered_on: dt.date | None = None,
) -> OrderView:
    """Make a draft order with the lines of an accepted quotation, in one step.

    Each catalog line takes the product's cost and sales points as they are now; the
    order keeps the customer's source and the quotation's owner (who is credited), and
    the quotation becomes "converted". Both changes are audited.
    """
    with uow:
        require(uow, actor, Module.QUOTATIONS, Operation.EDIT)
        require(uow, actor, Module.ORDERS, Operation.CREATE)
        quotation = _load_quotation(uow, quotation_id)
        require_in_scope(uow, actor, Module.QUOTATIONS, Operation.EDIT, quotation.owner_id)
        label = _record_label("Quotation", quotation.number)
        check_version(uow, quotation, expected_version, entity="quotation", label=label)
        QUOTATION_LIFECYCLE.check(QuotationStatus(quotation.status), QS.CONVERTED,
                                  record=label)
        check = Checker()
        day = check.date("ordered_on", ordered_on) or dt.date.today()
        check.done()
        customer = _customer(uow, quotation.customer_id)
        products = _products(uow, {ln.product_id for ln in quotation.lines})
        lines = []
        for ln in quotation.lines:
            product = products.get(ln.product_id) if ln.product_id is not None else None
            points = _cents(ln.quantity * product.sales_points) if product else Decimal("0.00")
            lines.append({
                "product_id": ln.product_id, "description": ln.description,
                "quantity": ln.quantity, "unit_price": ln.unit_price,
                "discount_percent": ln.discount_percent,
                "line_total": line_total(ln.quantity, ln.unit_price, ln.discount_percent),
                # The database copies the product's cost (0.00 for a free-text line).
                "unit_cost": None, "line_cost": None, "sales_points": points,
            })
        order = Order(
            number=next_number(uow, "order", day), customer_id=quotation.customer_id,
            contact_id=quotation.contact_id, owner_id=quotation.owner_id,
            quotation_id=quotation.id, opportunity_id=quotation.opportunity_id,
            status=ORDER_LIFECYCLE.initial, ordered_on=day, customer_source=customer.source,
            confirm_status=ConfirmStatus.SUBMITTED.value,
            created_by_id=actor.user_id, updated_by_id=actor.user_id,
        )
        uow.session.add(order)
        _write_order_lines(uow, order, lines)
        _order_totals(order, lines)
        _move(uow, actor, QUOTATION_LIFECYCLE, quotation, QS.CONVERTED, label,
              extra={"order": order.number})
        uow.flush()
        _read_costs(uow, actor, order)
        audit.record(uow, actor, AuditAction.CREATE, "order", order.id,
                     _summary(order.number, order.customer_id, uow),
                     {"after": _snapshot(order), "from_quotation": quotation.number})
        uow.commit()
        return _order_view(uow, actor, order)


# --- orders --------------------------------------------------------------------------------


def create_order(*, uow: UnitOfWork, actor: Actor, draft: OrderDraft,
                 request_key: str | None = None) -> OrderView:
    """Make a draft order directly (a counter sale, a phone order).

    A retry with the ``request_key`` of an order already saved returns that order."""
    with uow:
        require(uow, actor, Module.ORDERS, Operation.CREATE)
        if (saved := requests.replayed(uow, actor, request_key, "order")) is not None:
            return _order_view(uow, actor, _load_order(uow, saved, actor))
        check = Checker()
        owner_id = _owner(uow, actor, check, Module.ORDERS, draft.owner_id, None)
        header = _order_header(uow, actor, check, draft)
        lines = _clean_lines(uow, actor, check, draft.lines, for_order=True)
        custom_fields.done_with(check, uow=uow, entity=CustomFieldEntity.ORDER, record_id=None,
                                values=draft.custom)
        customer = _customer(uow, header["customer_id"])
        order = Order(
            number=next_number(uow, "order", header["ordered_on"]),
            status=ORDER_LIFECYCLE.initial, owner_id=owner_id,
            # An order goes to management's confirmation queue as it is written.
            confirm_status=ConfirmStatus.SUBMITTED.value,
            customer_source=customer.source, created_by_id=actor.user_id,
            updated_by_id=actor.user_id, **header,
        )
        uow.session.add(order)
        _write_order_lines(uow, order, lines)
        _order_totals(order, lines)
        uow.flush()
        _read_costs(uow, actor, order)
        custom = custom_fields.save_values(uow=uow, actor=actor, entity=CustomFieldEntity.ORDER,
                                           record_id=order.id, values=draft.custom,
                                           creating=True)
        audit.record(uow, actor, AuditAction.CREATE, "order", order.id,
                     _summary(order.number, order.customer_id, uow),
                     {"after": {**_snapshot(order), **{k: v[1] for k, v in custom.items()}}})
        requests.remember(uow, actor, request_key, "order", order.id)
        uow.commit()
        return _order_view(uow, actor, order)


def update_order(
    *, uow: UnitOfWork, actor: Actor, order_id: int, expected_version: int, draft: OrderDraft,
) -> OrderView:
    """Save an edited order; only a draft may be edited.

    A line that names its ``id`` and keeps its product keeps its cost snapshot (the
    database re-prices its ``line_cost`` when the quantity changes); new lines and lines
    whose product changed take the catalog's cost now.
    """
    with uow:
        require(uow, actor, Module.ORDERS, Operation.EDIT)
        order = _load_order(uow, order_id, actor)
        require_in_scope(uow, actor, Module.ORDERS, Operation.EDIT, order.owner_id)
        check_version(uow, order, expected_version, entity="order",
                      label=_record_label("Order", order.number))
        _require_draft(order.status is OS.DRAFT, "Order", order.number)
        check = Checker()
        owner_id = _owner(uow, actor, check, Module.ORDERS, draft.owner_id, order.owner_id)
        header = _order_header(uow, actor, check, draft)
        lines = _clean_lines(uow, actor, check, draft.lines, for_order=True,
                             kept_products={ln.product_id for ln in order.lines},
                             existing={ln.id: ln for ln in order.lines})
        custom_fields.done_with(check, uow=uow, entity=CustomFieldEntity.ORDER,
                                record_id=order.id, values=draft.custom)
        # Before the order's own changes, whose flush would move the version twice.
        custom = custom_fields.save_values(uow=uow, actor=actor, entity=CustomFieldEntity.ORDER,
                                           record_id=order.id, values=draft.custom)
        before = _snapshot(order)
        customer_source = (_customer(uow, header["customer_id"]).source
                           if header["customer_id"] != order.customer_id else None)
        # The lines first: moving lines may take a flush of their own, which must not
        # carry the order's changes (its version would move twice).
        _write_order_lines(uow, order, lines)
        if customer_source is not None:
            order.customer_source = customer_source
        for key, value in header.items():
            setattr(order, key, value)
        order.owner_id = owner_id
        _order_totals(order, lines)
        # Whether anything changed shows before the flush (a cost changes only with a
        # line's product or quantity); what the costs became, only after it.
        changes = audit.diff(before, _snapshot(order))
        changes.update(custom)
        if changes and order.confirm_status == ConfirmStatus.CONFIRMED.value:
            # A change after management confirmed the order needs confirming again.
            order.confirm_status = ConfirmStatus.SUBMITTED.value
        if changes:
            order.updated_by_id = actor.user_id
            order.updated_at = utcnow()
            uow.flush()
            _read_costs(uow, actor, order)
            changes = {**audit.diff(before, _snapshot(order)), **custom}
            audit.record(uow, actor, AuditAction.UPDATE, "order", order.id,
                         _summary(order.number, order.customer_id, uow), changes)
        uow.commit()
        return _order_view(uow, actor, order)


def get_order(*, uow: UnitOfWork, actor: Actor, order_id: int) -> OrderView:
    with uow:
        require(uow, actor, Module.ORDERS, Operation.VIEW)
        order = _load_order(uow, order_id, actor)
        require_in_scope(uow, actor, Module.ORDERS, Operation.VIEW, order.owner_id)
        return _order_view(uow, actor, order)


def list_orders(
    *, uow: UnitOfWork, actor: Actor, customer_id: int | None = None,
    status: OrderStatus | None = None, after: tuple[dt.date, int] | None = None,
    limit: int = 100, custom_columns: Sequence[str] = (),
) -> OrderPage:
    """The orders in the actor's data scope, newest first, one page at a time.

    ``custom_columns``: codes of custom fields shown as list columns; their values for the
    page's rows come in ``OrderPage.custom`` (one more query per page)."""
    limit = max(1, min(limit, 500))
    with uow:
        require(uow, actor, Module.ORDERS, Operation.VIEW)
        margin_hidden = _margin_hidden(uow, actor)
        conditions = [scope_filter(uow, actor, Module.ORDERS, Order.owner_id)]
        if customer_id is not None:
            conditions.append(Order.customer_id == customer_id)
        if status is not None:
            conditions.append(Order.status == status)
        if after is not None:
            conditions.append(_before(Order.ordered_on, Order.id, after))
        rows = uow.session.execute(
            select(Order.id, Order.number, Order.status, Order.customer_id,
                   customer_directory.c.name, User.display_name, Order.ordered_on,
                   Order.due_on, Order.total_amount, Order.paid_amount,
                   null() if margin_hidden else Order.total_cost)
            # Named from the directory: an order in scope for another's customer too.
            .join(customer_directory, customer_directory.c.id == Order.customer_id)
            .outerjoin(User, User.id == Order.owner_id)
            .where(*conditions)
            .order_by(Order.ordered_on.desc(), Order.id.desc())
            .limit(limit + 1)
        ).all()
        page = tuple(OrderRow(
            id=r[0], number=r[1], status=r[2], customer_id=r[3], customer_name=r[4],
            owner_name=r[5], ordered_on=r[6], due_on=r[7], total_amount=r[8],
            paid_amount=r[9], open_amount=_open(r[2], r[8], r[9]),
            gross_margin=None if margin_hidden else r[8] - r[10])
            for r in rows[:limit])
        more = len(rows) > limit
        custom: dict[int, dict[str, Any]] = {}
        if custom_columns and page:
            wanted = set(custom_columns)
            custom = {rid: {c: v for c, v in values.items() if c in wanted}
                      for rid, values in custom_fields.values_for(
                          uow=uow, entity=CustomFieldEntity.ORDER,
                          record_ids=[r.id for r in page]).items()}
        return OrderPage(rows=page, next_after=(page[-1].ordered_on, page[-1].id)
                         if more and page else None, custom=custom)


def transition_order(
    *, uow: UnitOfWork, actor: Actor, order_id: int, expected_version: int, to: OrderStatus,
) -> OrderView:
    """Move an order along :data:`ORDER_LIFECYCLE` (confirm, deliver, complete, cancel).

    An order with payments allocated to it cannot be cancelled.
    """
    with uow:
        require(uow, actor, Module.ORDERS, Operation.EDIT)
        order = _load_order(uow, order_id, actor)
        require_in_scope(uow, actor, Module.ORDERS, Operation.EDIT, order.owner_id)
        label = _record_label("Order", order.number)
        check_version(uow, order, expected_version, entity="order", label=label)
        target = _target(OrderStatus, to)
        if target is OS.CANCELLED and order.paid_amount > 0:
            raise InvalidTransition(tr(
                "{record} has {amount} of payments allocated to it and cannot be cancelled.",
                record=label, amount=yuan(order.paid_amount)))
        _move(uow, actor, ORDER_LIFECYCLE, order, target, label)
        uow.commit()
        return _order_view(uow, actor, order)


# --- payments ------------------------------------------------------------------------------


def record_payment(
    *, uow: UnitOfWork, actor: Actor, customer_id: int, received_on: dt.date,
    amount: Decimal | str, method: PaymentMethod | str,
    allocations: Sequence[tuple[int, Decimal | str]], reference: str | None = None,
    notes: str | None = None, request_key: str | None = None,
) -> PaymentView:
    """Record money received from a customer and settle orders with it.

    ``allocations`` are ``(order_id, amount)`` pairs over confirmed, delivered or
    completed orders of this customer, each at most the order's open amount, together
    exactly the payment: money no open order can take is refused, not kept as credit.
    Each order's ``paid_amount`` moves in the same transaction.

    Two stations paying the same order at once cannot overpay it: the order rows are
    locked before anything is read (an UPDATE, which locks the rows on PostgreSQL and SQL
    Server and takes the write lock on SQLite), so the second payment waits and then sees
    the first one's effect.

    With a ``request_key`` (taken when the form opened) a retry of a payment already saved
    returns that payment and moves no money again (``app.services.requests``).
    """
    order_ids = sorted({oid for oid, _ in allocations if _is_id(oid)})
    with uow:
        # The lock must be the transaction's first statement: SQLite makes a transaction
        # that has already read fail rather than wait when it then writes.
        for oid in order_ids:  # one at a time, in id order: no deadlock between payments
            uow.session.execute(
                update(Order).where(Order.id == oid).values(paid_amount=Order.paid_amount)
                .execution_options(synchronize_session=False)
            )
        require(uow, actor, Module.PAYMENTS, Operation.CREATE)
        if (saved := requests.replayed(uow, actor, request_key, "payment")) is not None:
            return _payment_view(uow, actor, _load_payment(uow, saved))
        check = Checker()
        business_dates(check, received_on=received_on)
        total = check.money("amount", amount)
        if total is not None and total <= 0:
            check.fail("amount", tr("must be greater than zero"))
            total = None
        day = check.date("received_on", received_on, required=True)
        if day is not None and day > dt.date.today():
            check.fail("received_on", tr("must not be in the future"))
        how = check.choice("method", method, PaymentMethod)
        ref = check.text("reference", reference, max_len=100)
        note = check.text("notes", notes, max_len=500, multiline=True)
        customer = customer_entry(uow, customer_id)
        if customer is None:
            check.fail("customer_id", tr("does not exist"))
        orders = {o.id: o for o in uow.session.scalars(
            select(Order).where(Order.id.in_(order_ids))
            .execution_options(populate_existing=True))}
        taken = _clean_allocations(uow, actor, check, customer_id, allocations, orders)
        if not allocations:
            check.fail("allocations", tr("allocate the payment to at least one order"))
        elif total is not None and taken is not None:
            _check_fully_allocated(uow, actor, check, customer_id, total, taken)
        check.done()
        assert customer is not None and total is not None and day is not None
        assert taken is not None
        payment = Payment(
            number=next_number(uow, "payment", day), customer_id=customer_id,
            received_on=day, amount=total, method=how, reference=ref, notes=note,
            received_by_id=actor.user_id, created_by_id=actor.user_id,
            updated_by_id=actor.user_id,
            allocations=[PaymentAllocation(order_id=oid, amount=part) for oid, part in taken],
        )
        uow.session.add(payment)
        paid_changes: dict[str, list[str]] = {}
        for oid, part in taken:
            order = orders[oid]
            before = order.paid_amount
            order.paid_amount = before + part
            order.updated_by_id = actor.user_id
            paid_changes[order.number] = [str(before), str(order.paid_amount)]
        uow.flush()
        audit.record(uow, actor, AuditAction.CREATE, "payment", payment.id,
                     f"{payment.number} {customer.name} {yuan(total)}",
                     {"after": audit.snapshot(payment),
                      "allocations": {orders[o].number: str(a) for o, a in taken}})
        for oid, _part in taken:
            order = orders[oid]
            audit.record(uow, actor, AuditAction.UPDATE, "order", oid,
                         _summary(order.number, customer_id, uow),
                         {"paid_amount": paid_changes[order.number],
                          "payment": payment.number})
        requests.remember(uow, actor, request_key, "payment", payment.id)
        uow.commit()
        return _payment_view(uow, actor, payment)


def get_payment(*, uow: UnitOfWork, actor: Actor, payment_id: int) -> PaymentView:
    """A payment, if the actor received it or may see one of the orders it settles."""
    with uow:
        require(uow, actor, Module.PAYMENTS, Operation.VIEW)
        payment = _load_payment(uow, payment_id)
        order_ids = [a.order_id for a in payment.allocations if a.order_id is not None]
        visible = owns_in_scope(uow, actor, Module.PAYMENTS, payment.received_by_id) or any(
            owns_in_scope(uow, actor, Module.ORDERS, owner) for owner in uow.session.scalars(
                select(Order.owner_id).where(Order.id.in_(order_ids))))
        if not visible:
            raise PermissionDenied(
                tr("This record belongs to someone else; you may not {operation} it.",
                   operation=tr(Operation.VIEW.value)),
                module=Module.PAYMENTS, operation=Operation.VIEW)
        return _payment_view(uow, actor, payment)


# --- receivables ---------------------------------------------------------------------------


def customer_receivable(*, uow: UnitOfWork, actor: Actor, customer_id: int) -> ReceivableView:
    """The customer's open balance over the orders in the actor's data scope, with the
    open orders oldest first (what a payment can be allocated to)."""
    with uow:
        require(uow, actor, Module.PAYMENTS, Operation.VIEW)
        # The name from the directory (what everyone may read of any customer); the
        # amounts only from the orders in the actor's scope.
        customer = customer_entry(uow, customer_id)
        if customer is None:
            raise _not_found("Customer", customer_id)
        orders = _open_orders(uow, actor, customer_id)
        return ReceivableView(customer_id=customer.id, customer_name=customer.name,
                              open_amount=_sum(o.open_amount for o in orders), orders=orders)


def receivables_aging(
    *, uow: UnitOfWork, actor: Actor, as_of: dt.date, customer_id: int | None = None,
) -> AgingReport:
    """Open amounts per customer as they stood on ``as_of``, by age: 0–30, 31–60, 61–90
    and over 90 days past the due date (the order date where no due date is set).

    Counts the confirmed, delivered and completed orders made by ``as_of`` in the actor's
    data scope, less the payments received by ``as_of``. One grouped query; the bucket
    boundaries are dates computed here and bound as parameters, the same on every database.
    """
    with uow:
        require(uow, actor, Module.PAYMENTS, Operation.VIEW)
        paid = (
            select(PaymentAllocation.order_id.label("order_id"),
                   func.sum(PaymentAllocation.amount).label("paid"))
            .join(Payment, Payment.id == PaymentAllocation.payment_id)
            .where(PaymentAllocation.order_id.is_not(None), Payment.received_on <= as_of)
            .group_by(PaymentAllocation.order_id)
            .subquery()
        )
        open_amount = Order.total_amount - func.coalesce(paid.c.paid, 0)
        basis = func.coalesce(Order.due_on, Order.ordered_on)
        d30, d60, d90 = (as_of - dt.timedelta(days=n) for n in (30, 60, 90))

        def bucket(condition: Any) -> Any:
            return func.sum(case((condition, open_amount), else_=0))

        conditions = [
            Order.status.in_(RECEIVABLE_STATUSES),
            Order.ordered_on <= as_of,
            scope_filter(uow, actor, Module.ORDERS, Order.owner_id),
        ]
        if customer_id is not None:
            conditions.append(Order.customer_id == customer_id)
        # The customer's code and name from the directory (what everyone may read): the
        # orders in scope count even where the customer is someone else's.
        d = customer_directory.c
        stmt = (
            select(
                Order.customer_id, d.code, d.name,
                bucket(basis >= d30),
                bucket(and_(basis < d30, basis >= d60)),
                bucket(and_(basis < d60, basis >= d90)),
                bucket(basis < d90),
                func.sum(open_amount),
            )
            .join(customer_directory, d.id == Order.customer_id)
            .outerjoin(paid, paid.c.order_id == Order.id)
            .where(*conditions)
            .group_by(Order.customer_id, d.code, d.name, d.sort_key)
            .order_by(d.sort_key, Order.customer_id)
        )
        rows = []
        for r in uow.session.execute(stmt).all():
            row = AgingRow(customer_id=r[0], customer_code=r[1], customer_name=r[2],
                           days_0_30=_money(r[3]), days_31_60=_money(r[4]),
                           days_61_90=_money(r[5]), days_over_90=_money(r[6]),
                           total=_money(r[7]))
            if row.total != 0:  # customers whose orders are all paid
                rows.append(row)
        return AgingReport(
            as_of=as_of, rows=tuple(rows),
            days_0_30=_sum(r.days_0_30 for r in rows),
            days_31_60=_sum(r.days_31_60 for r in rows),
            days_61_90=_sum(r.days_61_90 for r in rows),
            days_over_90=_sum(r.days_over_90 for r in rows),
            total=_sum(r.total for r in rows),
        )


# --- validation helpers --------------------------------------------------------------------


def _target(states: type[S], value: S | str) -> S:
    check = Checker()
    target = check.choice("to", value, states)
    check.done()
    assert target is not None
    return target


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _owner(uow: UnitOfWork, actor: Actor, check: Checker, module: Module,
           owner_id: int | None, current: int | None) -> int:
    """The record's owner: the actor by default; anyone else needs the wider scope."""
    if owner_id is None:
        return current if current is not None else actor.user_id
    if owner_id not in (actor.user_id, current):
        require_in_scope(uow, actor, module, Operation.CREATE if current is None
                         else Operation.EDIT, owner_id)
        active = uow.session.execute(
            select(User.active).where(User.id == owner_id)).scalar_one_or_none()
        if not active:
            check.fail("owner_id", tr("must be an active user"))
    return owner_id


def _customer_refs(uow: UnitOfWork, actor: Actor, check: Checker, customer_id: int,
                   contact_id: int | None, opportunity_id: int | None) -> None:
    """The customer exists and is in the actor's scope; contact and opportunity are its.

    Asked of the directory: on a secured server someone else's customer is hidden from
    the person's login, and the answer is still "you may not", not "does not exist".
    """
    customer = customer_entry(uow, customer_id)
    if customer is None:
        check.fail("customer_id", tr("does not exist"))
        return
    require_in_scope(uow, actor, Module.CUSTOMERS, Operation.VIEW, customer.owner_id)
    if contact_id is not None:
        owner = uow.session.execute(
            select(Contact.customer_id).where(Contact.id == contact_id)).scalar_one_or_none()
        if owner != customer_id:
            check.fail("contact_id", tr("is not a contact of this customer"))
    if opportunity_id is not None:
        owner = uow.session.execute(
            select(Opportunity.customer_id).where(Opportunity.id == opportunity_id)
        ).scalar_one_or_none()
        if owner != customer_id:
            check.fail("opportunity_id", tr("is not an opportunity of this customer"))


def _quotation_header(uow: UnitOfWork, actor: Actor, check: Checker,
                      draft: QuotationDraft) -> dict[str, Any]:
    _customer_refs(uow, actor, check, draft.customer_id, draft.contact_id,
                   draft.opportunity_id)
    quoted_on = check.date("quoted_on", draft.quoted_on) or dt.date.today()
    valid_until = check.date("valid_until", draft.valid_until)
    if draft.valid_until is None:
        valid_until = quoted_on + dt.timedelta(days=DEFAULT_VALIDITY_DAYS)
    elif valid_until is not None and valid_until < quoted_on:
        check.fail("valid_until", tr("must not be before the quotation date"))
    return {
        "customer_id": draft.customer_id, "contact_id": draft.contact_id,
        "opportunity_id": draft.opportunity_id, "quoted_on": quoted_on,
        "valid_until": valid_until,
        "terms": check.text("terms", draft.terms, max_len=20000, multiline=True),
        "notes": check.text("notes", draft.notes, max_len=500, multiline=True),
    }


def _order_header(uow: UnitOfWork, actor: Actor, check: Checker,
                  draft: OrderDraft) -> dict[str, Any]:
    _customer_refs(uow, actor, check, draft.customer_id, draft.contact_id,
                   draft.opportunity_id)
    ordered_on = check.date("ordered_on", draft.ordered_on) or dt.date.today()
    due_on = check.date("due_on", draft.due_on)
    if due_on is not None and due_on < ordered_on:
        check.fail("due_on", tr("must not be before the order date"))
    return {
        "customer_id": draft.customer_id, "contact_id": draft.contact_id,
        "opportunity_id": draft.opportunity_id, "ordered_on": ordered_on, "due_on": due_on,
        "delivery_address": check.text("delivery_address", draft.delivery_address,
                                       max_len=200),
        "notes": check.text("notes", draft.notes, max_len=500, multiline=True),
    }


def _products(uow: UnitOfWork, ids: Iterable[int | None]) -> dict[int, Product]:
    wanted = [i for i in ids if _is_id(i)]
    if not wanted:
        return {}
    return {p.id: p for p in uow.session.scalars(select(Product).where(Product.id.in_(wanted)))}


def _clean_lines(
    uow: UnitOfWork, actor: Actor, check: Checker,
    drafts: Sequence[QuotationLineDraft | OrderLineDraft], *, for_order: bool,
    kept_products: Iterable[int | None] = (), existing: Mapping[int, OrderLine] | None = None,
) -> list[dict[str, Any]]:
    """Validated line values with totals (and, for orders, the cost and points snapshot)."""
    if not drafts:
        check.fail("lines", tr("add at least one line"))
        return []
    if len(drafts) > MAX_LINES:
        check.fail("lines", tr("has too many lines (at most {max})", max=MAX_LINES))
        return []
    products = _products(uow, (d.product_id for d in drafts))
    kept = set(kept_products)
    existing = existing or {}
    may_set_cost = for_order and "unit_cost" not in read_only_fields(uow, actor, Module.ORDERS)
    lines: list[dict[str, Any]] = []
    named: set[object] = set()
    for i, d in enumerate(drafts):
        f = f"lines[{i}]"
        line_id = getattr(d, "id", None)
        if line_id is not None and line_id in named:
            check.fail(f"{f}.id", tr("is listed twice"))
            continue
        named.add(line_id)
        product = None
        if d.product_id is not None:
            product = products.get(d.product_id)
            if product is None:
                check.fail(f"{f}.product_id", tr("does not exist"))
            elif not product.active and d.product_id not in kept:
                check.fail(f"{f}.product_id", tr("is no longer sold"))
        description = check.text(f"{f}.description", d.description, max_len=200,
                                 required=product is None and d.product_id is None)
        if description is None and product is not None:
            description = product.name
        quantity = check.decimal(f"{f}.quantity", d.quantity, places=3, limit=QUANTITY_LIMIT)
        if quantity is not None and quantity == 0:
            check.fail(f"{f}.quantity", tr("must be greater than zero"))
            quantity = None
        price = check.money(f"{f}.unit_price", d.unit_price,
                            required=product is None and d.product_id is None)
        if price is None and product is not None and f"{f}.unit_price" not in check.errors:
            price = product.list_price
        discount = check.decimal(f"{f}.discount_percent", d.discount_percent, places=2,
                                 limit=Decimal("1e9"))
        if discount is not None and discount > 100:
            check.fail(f"{f}.discount_percent", tr("must be between {low} and {high}",
                                                   low=0, high=100))
            discount = None
        if quantity is None or price is None or discount is None or description is None:
            continue
        total = line_total(quantity, price, discount)
        if total > MONEY_LIMIT:
            check.fail(f"{f}.quantity", tr("is too large"))
            continue
        line: dict[str, Any] = {
            "product_id": d.product_id, "description": description, "quantity": quantity,
            "unit_price": price, "discount_percent": discount, "line_total": total,
        }
        if for_order:
            assert isinstance(d, OrderLineDraft)
            snapshot = _line_snapshot(check, f, d, product, quantity, existing, may_set_cost)
            if snapshot is None:
                continue
            cost, points = snapshot
            own = existing.get(d.id) if d.id is not None else None
            # "keep": the row of a line kept with its product (see _write_order_lines).
            line.update(cost, sales_points=points,
                        keep=own.id if own is not None and own.product_id == d.product_id
                        else None)
            # The service knows the cost only of a line whose cost it was given.
            known = cost.get("line_cost")
            if (known is not None and known > MONEY_LIMIT) or points > POINTS_LIMIT:
                check.fail(f"{f}.quantity", tr("is too large"))
                continue
        lines.append(line)
    if lines and _sum(ln["line_total"] for ln in lines) > MONEY_LIMIT:
        check.fail("lines", tr("the total is too large"))
    if for_order and lines and _sum(ln["sales_points"] for ln in lines) > POINTS_LIMIT:
        check.fail("lines", tr("the total is too large"))
    return lines


def _line_snapshot(
    check: Checker, f: str, d: OrderLineDraft, product: Product | None, quantity: Decimal,
    existing: Mapping[int, OrderLine], may_set_cost: bool,
) -> tuple[dict[str, Decimal | None], Decimal] | None:
    """(the cost columns to write, sales points) of an order line, or None when refused.

    A line kept from the saved order (same ``id``, same product) keeps its cost (nothing
    to write: the database re-prices ``line_cost`` if the quantity changed), and its
    points while the quantity is unchanged. A free-text line costed by a role that may
    set costs writes that cost. Anything else is a new row written without a cost, which
    the database takes from the catalog now (0.00 without a product).
    """
    previous = None
    if d.id is not None:
        previous = existing.get(d.id)
        if previous is None:
            check.fail(f"{f}.id", tr("is not a line of this order"))
            return None
        if previous.product_id != d.product_id:
            previous = None  # another product: a new line, a new snapshot
    if d.unit_cost is not None:
        if not may_set_cost:
            raise PermissionDenied(tr("You may not set the cost price."),
                                   module=Module.ORDERS, operation=Operation.EDIT)
        if d.product_id is not None:
            check.fail(f"{f}.unit_cost", tr("comes from the product catalog"))
            return None
        unit_cost = check.money(f"{f}.unit_cost", d.unit_cost)
        if unit_cost is None:
            return None
        cost: dict[str, Decimal | None] = {
            "unit_cost": unit_cost, "line_cost": line_cost(quantity, unit_cost)}
    elif previous is not None:
        cost = {}
    else:
        cost = {"unit_cost": None, "line_cost": None}
    if previous is not None and previous.quantity == quantity:
        points = previous.sales_points
    elif product is not None:
        points = _cents(quantity * product.sales_points)
    else:
        points = Decimal("0.00")
    return cost, points


def _clean_allocations(
    uow: UnitOfWork, actor: Actor, check: Checker, customer_id: int,
    allocations: Sequence[tuple[int, Decimal | str]], orders: Mapping[int, Order],
) -> list[tuple[int, Decimal]] | None:
    """Checked ``(order id, amount)`` pairs, or None if any is refused."""
    taken: list[tuple[int, Decimal]] = []
    seen: set[int] = set()
    for i, (order_id, part) in enumerate(allocations):
        f = f"allocations[{i}]"
        amount = check.money(f"{f}.amount", part)
        if amount is not None and amount <= 0:
            check.fail(f"{f}.amount", tr("must be greater than zero"))
            amount = None
        order = orders.get(order_id) if _is_id(order_id) else None
        if order is None:
            check.fail(f"{f}.order_id", tr("does not exist"))
            continue
        require_in_scope(uow, actor, Module.ORDERS, Operation.VIEW, order.owner_id)
        label = _record_label("Order", order.number)
        still_open = order.total_amount - order.paid_amount
        if order.id in seen:
            check.fail(f"{f}.order_id", tr("{record} is listed twice", record=label))
        elif order.customer_id != customer_id:
            check.fail(f"{f}.order_id", tr("{record} is an order of another customer",
                                           record=label))
        elif order.status is OS.CANCELLED:
            check.fail(f"{f}.order_id", tr("{record} is cancelled", record=label))
        elif order.status not in RECEIVABLE_STATUSES:
            check.fail(f"{f}.order_id", tr("{record} is not confirmed yet", record=label))
        elif amount is not None and amount > still_open:
            check.fail(f"{f}.amount", tr("is more than the {open} still open on {record}",
                                         open=yuan(still_open), record=label))
        elif amount is not None:
            taken.append((order.id, amount))
        seen.add(order.id)
    return taken if len(taken) == len(allocations) else None


def _check_fully_allocated(uow: UnitOfWork, actor: Actor, check: Checker, customer_id: int,
                           amount: Decimal, taken: Sequence[tuple[int, Decimal]]) -> None:
    allocated = _sum(a for _, a in taken)
    if allocated > amount:
        check.fail("allocations", tr(
            "The allocations add up to {allocated}, more than the payment of {amount}.",
            allocated=yuan(allocated), amount=yuan(amount)))
    elif allocated < amount:
        still_open = _sum(o.open_amount for o in _open_orders(uow, actor, customer_id))
        if amount > still_open:
            check.fail("amount", tr(
                "The payment is {excess} more than the customer's open orders ({open}). "
                "Record only what settles orders.",
                excess=yuan(amount - still_open), open=yuan(still_open)))
        else:
            check.fail("allocations", tr(
                "{rest} of the payment is not allocated to an order.",
                rest=yuan(amount - allocated)))


# --- reading and writing helpers -----------------------------------------------------------


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, Decimal("0.00"))


def _open(status: OrderStatus, total: Decimal, paid: Decimal) -> Decimal:
    return total - paid if status in RECEIVABLE_STATUSES else Decimal("0.00")


def _margin_hidden(uow: UnitOfWork, actor: Actor) -> bool:
    return not sees_margin(uow, actor)


def _cost_columns(uow: UnitOfWork, actor: Actor) -> tuple[bool, bool]:
    """Whether the actor may read (unit costs, line costs and the order's total cost).

    Hiding the cost hides all three; hiding the margin hides the line and total costs
    it is computed from (``app.security.catalog.PROTECTED_COLUMNS``).
    """
    unit = "unit_cost" not in hidden_fields(uow, actor, Module.ORDERS)
    return unit, sees_margin(uow, actor)


def _before(date_column: Any, id_column: Any, after: tuple[dt.date, int]) -> Any:
    # Spelled out rather than a row-value comparison, which SQL Server lacks.
    return or_(date_column < after[0], and_(date_column == after[0], id_column < after[1]))


def _open_orders(uow: UnitOfWork, actor: Actor, customer_id: int) -> tuple[OpenOrder, ...]:
    rows = uow.session.execute(
        select(Order.id, Order.number, Order.owner_id, Order.ordered_on, Order.due_on,
               Order.total_amount, Order.paid_amount)
        .where(Order.customer_id == customer_id, Order.status.in_(RECEIVABLE_STATUSES),
               Order.paid_amount < Order.total_amount,
               scope_filter(uow, actor, Module.ORDERS, Order.owner_id))
        .order_by(Order.ordered_on, Order.id)
    ).all()
    return tuple(OpenOrder(order_id=r[0], number=r[1], owner_id=r[2], ordered_on=r[3],
                           due_on=r[4], total_amount=r[5], paid_amount=r[6],
                           open_amount=r[5] - r[6]) for r in rows)


def _write_order_lines(uow: UnitOfWork, order: Order,
                       values: Sequence[Mapping[str, Any]]) -> None:
    """Make ``order.lines`` the ``values``: kept lines on their own rows, others new rows.

    A kept line (``keep`` names its row) stays on its row: its cost is there, and the
    actor may not be allowed to read it to copy it elsewhere, nor to write the cost
    columns at all. Every other line is a new row the database costs as it is inserted;
    rows no line keeps are deleted. When rows go or a kept row changes position, the moved
    rows step aside to free positions and the removed rows are deleted in a flush of
    their own first, so no moment holds two rows at one position, which the unique
    constraint refuses. Otherwise one flush does everything.
    """
    by_id = {row.id: row for row in order.lines}
    placed = [by_id.get(v["keep"]) if v.get("keep") is not None else None for v in values]
    kept = {id(row) for row in placed if row is not None}
    gone = [row for row in order.lines if id(row) not in kept]
    moved = [row for i, row in enumerate(placed)
             if row is not None and row.position != i + 1]
    if gone or moved:
        for stepping in moved:
            stepping.position = -stepping.id
        for removed in gone:
            order.lines.remove(removed)
        uow.flush()
    final: list[OrderLine] = []
    for own, line in zip(placed, values, strict=True):
        target = own if own is not None else OrderLine()
        target.position = len(final) + 1
        for key, value in line.items():
            if key != "keep":
                setattr(target, key, value)
        final.append(target)
    order.lines = final


def _read_costs(uow: UnitOfWork, actor: Actor, order: Order) -> None:
    """After a flush: the cost columns as the database made them, for a role that may
    read them (one query); for any other role they are forgotten, never read."""
    unit, totals = _cost_columns(uow, actor)
    line_keys = [k for k, ok in (("unit_cost", unit), ("line_cost", totals)) if ok]
    if line_keys:
        found = {r[0]: r for r in uow.session.execute(
            select(OrderLine.id, OrderLine.unit_cost,
                   OrderLine.line_cost if totals else null(),
                   Order.total_cost if totals else null())
            .join(Order, Order.id == OrderLine.order_id)
            .where(OrderLine.order_id == order.id)).all()}
        for ln in order.lines:
            row = found[ln.id]
            set_committed_value(ln, "unit_cost", row[1])
            if totals:
                set_committed_value(ln, "line_cost", row[2])
        if totals:
            total = next(iter(found.values()))[3] if found else uow.session.execute(
                select(Order.total_cost).where(Order.id == order.id)).scalar_one()
            set_committed_value(order, "total_cost", total)
    hidden_line = [k for k in ("unit_cost", "line_cost") if k not in line_keys]
    for ln in order.lines:
        if hidden_line:
            uow.session.expire(ln, hidden_line)
    if not totals:
        uow.session.expire(order, ["total_cost"])


def _write_lines(rows: list[Any], values: Sequence[Mapping[str, Any]], cls: type[Any]) -> None:
    """Put ``values`` into the document's line rows by position.

    Rows are reused in place (position ``n`` stays on the same row) so replacing lines
    never briefly holds two rows at one position, which the unique constraint refuses.
    """
    for i, line in enumerate(values):
        if i < len(rows):
            row = rows[i]
        else:
            row = cls()
            rows.append(row)
        row.position = i + 1
        for key, value in line.items():
            setattr(row, key, value)
    del rows[len(values):]


def _order_totals(order: Order, lines: Sequence[Mapping[str, Any]]) -> None:
    # total_cost is the database's: the sum of the lines' cost, which it copies.
    order.total_amount = _sum(ln["line_total"] for ln in lines)
    order.total_points = _sum(ln["sales_points"] for ln in lines)


def _require_draft(is_draft: bool, kind: str, number: str) -> None:
    if not is_draft:
        raise InvalidTransition(tr("{record} is no longer a draft and cannot be edited.",
                                   record=_record_label(kind, number)))


def _move(uow: UnitOfWork, actor: Actor, table: TransitionTable[Any], row: Quotation | Order,
          target: Any, label: str, extra: Mapping[str, Any] | None = None) -> None:
    current = table.states(row.status)
    table.check(current, target, record=label)
    row.status = target
    row.updated_by_id = actor.user_id
    uow.flush()
    audit.record(uow, actor, AuditAction.TRANSITION, table.entity, row.id, label,
                 {"status": [current.value, target.value], **(extra or {})})


def _record_label(kind: str, number: str) -> str:
    return f"{tr(kind)} {number}"


def _summary(number: str, customer_id: int, uow: UnitOfWork) -> str:
    name = uow.session.execute(
        select(Customer.name).where(Customer.id == customer_id)).scalar_one_or_none()
    return f"{number} {name or ''}".strip()


def _snapshot(doc: Quotation | Order) -> dict[str, Any]:
    data = _loaded(doc)
    data["lines"] = [{k: v for k, v in _loaded(ln).items()
                      if k not in ("id", "quotation_id", "order_id")} for ln in doc.lines]
    return data


def _loaded(obj: Quotation | Order | QuotationLine | OrderLine) -> dict[str, Any]:
    # What is loaded: a cost the actor may not see was never read and is not logged.
    unloaded = instance_state(obj).unloaded
    return audit.snapshot(obj, [c.key for c in object_mapper(obj).column_attrs
                                if c.key not in unloaded])


def _not_found(kind: str, record_id: int) -> NotFound:
    return NotFound(tr("{entity} {id} does not exist or you may not see it.",
                       entity=tr(kind), id=record_id))


def _customer(uow: UnitOfWork, customer_id: int) -> Customer:
    customer = uow.session.get(Customer, customer_id)
    if customer is None:
        raise _not_found("Customer", customer_id)
    return customer


def _load_payment(uow: UnitOfWork, payment_id: int) -> Payment:
    payment = uow.session.execute(
        select(Payment).where(Payment.id == payment_id)
        .options(selectinload(Payment.allocations))
    ).scalar_one_or_none()
    if payment is None:
        raise _not_found("Payment", payment_id)
    return payment


def _load_quotation(uow: UnitOfWork, quotation_id: int) -> Quotation:
    quotation = uow.session.execute(
        select(Quotation).where(Quotation.id == quotation_id)
        .options(selectinload(Quotation.lines))
    ).scalar_one_or_none()
    if quotation is None:
        raise _not_found("Quotation", quotation_id)
    return quotation


def _load_order(uow: UnitOfWork, order_id: int, actor: Actor) -> Order:
    """The order and its lines, with the cost columns the actor may read."""
    unit, totals = _cost_columns(uow, actor)
    lines = selectinload(Order.lines)
    options = [lines.undefer(OrderLine.unit_cost)] if unit else [lines]
    if totals:
        options += [lines.undefer(OrderLine.line_cost), undefer(Order.total_cost)]
    order = uow.session.execute(
        select(Order).where(Order.id == order_id).options(*options)
    ).scalar_one_or_none()
    if order is None:
        raise _not_found("Order", order_id)
    return order


def _names(uow: UnitOfWork, *user_ids: int | None) -> dict[int, str]:
    ids = [i for i in user_ids if i is not None]
    if not ids:
        return {}
    return {uid: name for uid, name in uow.session.execute(
        select(User.id, User.display_name).where(User.id.in_(ids))).all()}


def _product_keys(uow: UnitOfWork, lines: Iterable[Any]) -> dict[int, tuple[str, str]]:
    ids = {ln.product_id for ln in lines if ln.product_id is not None}
    if not ids:
        return {}
    return {pid: (sku, unit) for pid, sku, unit in uow.session.execute(
        select(Product.id, Product.sku, Product.unit).where(Product.id.in_(ids))).all()}


def _quotation_view(uow: UnitOfWork, q: Quotation) -> QuotationView:
    names = _names(uow, q.owner_id, q.updated_by_id)
    keys = _product_keys(uow, q.lines)
    order_id = uow.session.execute(
        select(Order.id).where(Order.quotation_id == q.id).order_by(Order.id).limit(1)
    ).scalar_one_or_none()
    status = QuotationStatus(q.status)
    return QuotationView(
        id=q.id, number=q.number, version=q.version, status=status,
        allowed_transitions=QUOTATION_LIFECYCLE.targets(status),
        customer_id=q.customer_id, customer_name=_customer(uow, q.customer_id).name,
        contact_id=q.contact_id, opportunity_id=q.opportunity_id, owner_id=q.owner_id,
        owner_name=names.get(q.owner_id), quoted_on=q.quoted_on, valid_until=q.valid_until,
        total_amount=q.total_amount, terms=q.terms, notes=q.notes,
        lines=tuple(QuotationLineView(
            id=ln.id, position=ln.position, product_id=ln.product_id,
            sku=keys[ln.product_id][0] if ln.product_id in keys else None,
            unit=keys[ln.product_id][1] if ln.product_id in keys else None,
            description=ln.description, quantity=ln.quantity, unit_price=ln.unit_price,
            discount_percent=ln.discount_percent, line_total=ln.line_total)
            for ln in q.lines),
        order_id=order_id, created_at=q.created_at, updated_at=q.updated_at,
        updated_by_name=names.get(q.updated_by_id or 0),
    )


def _order_view(uow: UnitOfWork, actor: Actor, o: Order) -> OrderView:
    """The order as the actor may see it; the cost columns were loaded (``_load_order``)
    or read back after the write (``_read_costs``) for a role that may see them."""
    unit, totals = _cost_columns(uow, actor)
    names = _names(uow, o.owner_id, o.updated_by_id, o.confirmed_by_id)
    keys = _product_keys(uow, o.lines)
    status = OrderStatus(o.status)
    return OrderView(
        id=o.id, number=o.number, version=o.version, status=status,
        allowed_transitions=ORDER_LIFECYCLE.targets(status),
        customer_id=o.customer_id, customer_name=_customer(uow, o.customer_id).name,
        customer_source=o.customer_source, contact_id=o.contact_id,
        opportunity_id=o.opportunity_id, quotation_id=o.quotation_id, owner_id=o.owner_id,
        owner_name=names.get(o.owner_id), ordered_on=o.ordered_on, due_on=o.due_on,
        total_amount=o.total_amount, total_cost=o.total_cost if totals else None,
        gross_margin=o.total_amount - o.total_cost if totals else None,
        total_points=o.total_points, paid_amount=o.paid_amount,
        open_amount=_open(status, o.total_amount, o.paid_amount),
        delivery_address=o.delivery_address, notes=o.notes,
        lines=tuple(OrderLineView(
            id=ln.id, position=ln.position, product_id=ln.product_id,
            sku=keys[ln.product_id][0] if ln.product_id in keys else None,
            unit=keys[ln.product_id][1] if ln.product_id in keys else None,
            description=ln.description, quantity=ln.quantity, unit_price=ln.unit_price,
            discount_percent=ln.discount_percent, line_total=ln.line_total,
            unit_cost=ln.unit_cost if unit else None,
            line_cost=ln.line_cost if totals else None, sales_points=ln.sales_points)
            for ln in o.lines),
        created_at=o.created_at, updated_at=o.updated_at,
        updated_by_name=names.get(o.updated_by_id or 0),
        custom=custom_fields.values_for(uow=uow, entity=CustomFieldEntity.ORDER,
                                        record_ids=[o.id]).get(o.id, {}),
        confirm_status=ConfirmStatus(o.confirm_status), return_comment=o.return_comment,
        decided_by_name=names.get(o.confirmed_by_id or 0), decided_at=o.confirmed_at,
    )


def _directory_name(uow: UnitOfWork, customer_id: int) -> str:
    """The customer's name from the directory everyone may read (a payment's payer may be
    a customer the reader's row rule hides)."""
    entry = customer_entry(uow, customer_id)
    if entry is None:
        raise _not_found("Customer", customer_id)
    return entry.name


def _payment_view(uow: UnitOfWork, actor: Actor, p: Payment) -> PaymentView:
    # Only the orders in the reader's scope are named (a payment may settle a colleague's
    # order too; on a secured server its row is not even readable).
    numbers: dict[int, str] = {oid: number for oid, number in uow.session.execute(
        select(Order.id, Order.number).where(
            Order.id.in_([a.order_id for a in p.allocations if a.order_id is not None]),
            scope_filter(uow, actor, Module.ORDERS, Order.owner_id))
    ).all()}
    return PaymentView(
        id=p.id, number=p.number, customer_id=p.customer_id,
        customer_name=_directory_name(uow, p.customer_id), received_on=p.received_on,
        amount=p.amount, method=p.method, reference=p.reference, notes=p.notes,
        received_by_id=p.received_by_id,
        received_by_name=_names(uow, p.received_by_id).get(p.received_by_id),
        allocations=tuple(AllocationView(order_id=a.order_id,
                                         order_number=numbers.get(a.order_id),
                                         amount=a.amount)
                          for a in p.allocations if a.order_id is not None),
        created_at=p.created_at,
    )


__all__ = [
    "LIFECYCLES",
    "ORDER_LIFECYCLE",
    "QUOTATION_LIFECYCLE",
    "RECEIVABLE_STATUSES",
    "AgingReport",
    "AgingRow",
    "AllocationView",
    "OpenOrder",
    "OrderDraft",
    "OrderLineDraft",
    "OrderLineView",
    "OrderPage",
    "OrderRow",
    "OrderView",
    "PaymentView",
    "QuotationDraft",
    "QuotationLineDraft",
    "QuotationLineView",
    "QuotationPage",
    "QuotationRow",
    "QuotationView",
    "ReceivableView",
    "convert_quotation_to_order",
    "create_order",
    "create_quotation",
    "customer_receivable",
    "get_order",
    "get_payment",
    "get_quotation",
    "line_cost",
    "line_total",
    "list_orders",
    "list_quotations",
    "receivables_aging",
    "record_payment",
    "transition_order",
    "transition_quotation",
    "update_order",
    "update_quotation",
]

"""Quotations (报价单): drafts, edits, the lifecycle, and converting an accepted one to an order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.i18n import tr
from app.models import Order, Quotation, QuotationLine, User, utcnow
from app.models.customers import customer_directory
from app.models.enums import AuditAction, ConfirmStatus, Module, Operation, QuotationStatus
from app.services import audit, requests
from app.services.errors import InvalidTransition
from app.services.locking import check_version
from app.services.numbering import next_number
from app.services.paging import Cursor, Sort, SortExpr, count_rows, next_after, ordered_page, ranked
from app.services.permissions import Actor, require, require_in_scope, scope_filter
from app.services.sales._common import (
    DEFAULT_VALIDITY_DAYS,
    ORDER_LIFECYCLE,
    QS,
    QUOTATION_LIFECYCLE,
    _cents,
    _clean_lines,
    _customer,
    _customer_refs,
    _move,
    _names,
    _not_found,
    _order_totals,
    _order_view,
    _owner,
    _product_keys,
    _products,
    _read_costs,
    _record_label,
    _require_draft,
    _snapshot,
    _sum,
    _summary,
    _target,
    _write_order_lines,
    line_total,
)
from app.services.sales.data import (
    OrderView,
    QuotationDraft,
    QuotationLineView,
    QuotationPage,
    QuotationRow,
    QuotationView,
)
from app.services.uow import UnitOfWork
from app.services.validation import Checker

# --- quotations ----------------------------------------------------------------------------

# The quotation list's columns, as sort keys for :func:`list_quotations`.
QUOTATION_SORT_KEYS: tuple[str, ...] = ("number", "status", "customer", "owner", "date",
                                        "valid_until", "total")
# What each sorts by; all of it is on every row the actor may list. The status in its
# lifecycle's order, the customer by pinyin, as in the customer list.
_SORT_COLUMNS: dict[str, SortExpr] = {
    "number": Quotation.number,
    "status": ranked(Quotation.status, list(QuotationStatus)),
    "customer": customer_directory.c.sort_key,
    "owner": User.display_name,
    "date": Quotation.quoted_on,
    "valid_until": Quotation.valid_until,
    "total": Quotation.total_amount,
}
_NOT_NULL = ("number", "status", "date", "valid_until", "total")


def create_quotation(*, uow: UnitOfWork, actor: Actor, draft: QuotationDraft,
                     request_key: str | None = None) -> QuotationView:
    """Make a draft quotation; the actor owns it unless another owner is given.

    A retry with the ``request_key`` of a quotation already saved returns that quotation."""
    with uow:
        require(uow, actor, Module.QUOTATIONS, Operation.CREATE)
        if (saved := requests.replayed(uow, actor, request_key, "quotation")) is not None:
            return _quotation_view(uow, actor, _load_quotation(uow, saved))
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
        view = _quotation_view(uow, actor, quotation)
        uow.commit()
        return view


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
        view = _quotation_view(uow, actor, quotation)
        uow.commit()
        return view


def get_quotation(*, uow: UnitOfWork, actor: Actor, quotation_id: int) -> QuotationView:
    with uow.reading():
        require(uow, actor, Module.QUOTATIONS, Operation.VIEW)
        quotation = _load_quotation(uow, quotation_id)
        require_in_scope(uow, actor, Module.QUOTATIONS, Operation.VIEW, quotation.owner_id)
        return _quotation_view(uow, actor, quotation)


def list_quotations(
    *, uow: UnitOfWork, actor: Actor, customer_id: int | None = None,
    status: QuotationStatus | None = None, after: Cursor | None = None,
    limit: int = 100, sort: Sort | None = None, with_total: bool = False,
) -> QuotationPage:
    """The quotations in the actor's data scope, newest first (or by ``sort``, one of
    :data:`QUOTATION_SORT_KEYS`), one page at a time; ``with_total`` also counts them."""
    limit = max(1, min(limit, 500))
    with uow:
        require(uow, actor, Module.QUOTATIONS, Operation.VIEW)
        conditions = [scope_filter(uow, actor, Module.QUOTATIONS, Quotation.owner_id)]
        if customer_id is not None:
            conditions.append(Quotation.customer_id == customer_id)
        if status is not None:
            conditions.append(Quotation.status == status)
        base = (
            select(Quotation.id, Quotation.number, Quotation.status, Quotation.customer_id,
                   customer_directory.c.name, User.display_name, Quotation.quoted_on,
                   Quotation.valid_until, Quotation.total_amount)
            # Named from the directory: a quotation in scope for another's customer too.
            .join(customer_directory, customer_directory.c.id == Quotation.customer_id)
            .outerjoin(User, User.id == Quotation.owner_id)
            .where(*conditions)
        )
        rows = uow.session.execute(ordered_page(
            base, columns=_SORT_COLUMNS, sort=sort or Sort("date", descending=True),
            id_column=Quotation.id, after=after, limit=limit, not_null=_NOT_NULL)).all()
        page = tuple(QuotationRow(
            id=r[0], number=r[1], status=r[2], customer_id=r[3], customer_name=r[4],
            owner_name=r[5], quoted_on=r[6], valid_until=r[7], total_amount=r[8])
            for r in rows[:limit])
        return QuotationPage(rows=page, next_after=next_after(rows, limit),
                             total=count_rows(uow.session, base) if with_total else None)


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
        view = _quotation_view(uow, actor, quotation)
        uow.commit()
        return view


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
        # A new order holds no custom values yet.
        view = _order_view(uow, actor, order, custom={})
        uow.commit()
        return view



# --- quotations helpers --------------------------------------------------------------------


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


def _load_quotation(uow: UnitOfWork, quotation_id: int) -> Quotation:
    quotation = uow.session.execute(
        select(Quotation).where(Quotation.id == quotation_id)
        .options(selectinload(Quotation.lines))
    ).scalar_one_or_none()
    if quotation is None:
        raise _not_found("Quotation", quotation_id)
    return quotation


def _quotation_view(uow: UnitOfWork, actor: Actor, q: Quotation) -> QuotationView:
    names = _names(uow, q.owner_id, q.updated_by_id, actor=actor)
    keys = _product_keys(uow, q.lines)
    # Only a converted quotation has an order.
    order_id = uow.session.execute(
        select(Order.id).where(Order.quotation_id == q.id).order_by(Order.id).limit(1)
    ).scalar_one_or_none() if QuotationStatus(q.status) is QS.CONVERTED else None
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


"""Orders (订单): drafts, edits, listing and the lifecycle."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, literal, literal_column, null, select
from sqlalchemy.orm import selectinload, undefer

from app.i18n import tr
from app.models import Order, OrderLine, User, utcnow
from app.models.customers import customer_directory
from app.models.enums import (
    AuditAction,
    ConfirmStatus,
    CustomFieldEntity,
    Module,
    Operation,
    OrderStatus,
)
from app.services import audit, custom_fields, requests
from app.services.directory import read_entry_ahead
from app.services.errors import InvalidTransition
from app.services.locking import check_version
from app.services.numbering import next_number, take_number_ahead
from app.services.paging import Cursor, Sort, SortExpr, count_rows, next_after, ordered_page, ranked
from app.services.permissions import Actor, require, require_in_scope, scope_filter, sees_margin
from app.services.sales._common import (
    ORDER_LIFECYCLE,
    OS,
    _clean_lines,
    _cost_columns,
    _customer,
    _customer_refs,
    _move,
    _not_found,
    _open,
    _order_totals,
    _order_view,
    _owner,
    _read_costs,
    _read_costs_ahead,
    _record_label,
    _require_draft,
    _snapshot,
    _summary,
    _target,
    _write_order_lines,
    customer_text_match,
    read_products_ahead,
    yuan,
)
from app.services.sales.data import OrderDraft, OrderPage, OrderRow, OrderView
from app.services.uow import UnitOfWork
from app.services.validation import Checker, search_text

# --- orders --------------------------------------------------------------------------------


def create_order(*, uow: UnitOfWork, actor: Actor, draft: OrderDraft,
                 request_key: str | None = None) -> OrderView:
    """Make a draft order directly (a counter sale, a phone order).

    A retry with the ``request_key`` of an order already saved returns that order."""
    if draft.ordered_on is None:
        # Today, decided once: the number taken ahead is for the day the order gets.
        draft = replace(draft, ordered_on=dt.date.today())
    with uow:
        # With the permission query (PostgreSQL): the customer's entry, the number and
        # the lines' products.
        read_entry_ahead(uow, draft.customer_id)
        take_number_ahead(uow, "order", draft.ordered_on)
        read_products_ahead(uow, draft.lines)
        require(uow, actor, Module.ORDERS, Operation.CREATE)
        if (saved := requests.replayed(uow, actor, request_key, "order")) is not None:
            return _order_view(uow, actor, load_order(uow, saved, actor))
        check = Checker()
        values = checked_order(uow, actor, check, draft)
        custom_fields.done_with(check, uow=uow, entity=CustomFieldEntity.ORDER, record_id=None,
                                values=draft.custom)
        order, custom = insert_order(uow, actor, values, draft)
        requests.remember(uow, actor, request_key, "order", order.id)
        # From what was written, in this transaction: no second one to read it back.
        view = _order_view(uow, actor, order, custom=custom)
        uow.commit()
        return view


def checked_order(uow: UnitOfWork, actor: Actor, check: Checker,
                  draft: OrderDraft) -> dict[str, Any]:
    """A new order's owner, header and lines as checked (errors on ``check``, not raised),
    for :func:`insert_order` once the caller's checks are done too."""
    owner_id = _owner(uow, actor, check, Module.ORDERS, draft.owner_id, None)
    header = _order_header(uow, actor, check, draft)
    lines = _clean_lines(uow, actor, check, draft.lines, for_order=True)
    return {"owner_id": owner_id, "header": header, "lines": lines}


def insert_order(uow: UnitOfWork, actor: Actor, values: dict[str, Any],
                 draft: OrderDraft) -> tuple[Order, dict[str, Any]]:
    """Write a new draft order from :func:`checked_order`'s values, audited (not committed).

    Returns the order and its custom values as written."""
    header, lines = values["header"], values["lines"]
    customer = _customer(uow, header["customer_id"])
    order = Order(
        number=next_number(uow, "order", header["ordered_on"]),
        status=ORDER_LIFECYCLE.initial, owner_id=values["owner_id"],
        # An order goes to management's confirmation queue as it is written.
        confirm_status=ConfirmStatus.SUBMITTED.value,
        customer_source=customer.source, created_by_id=actor.user_id,
        updated_by_id=actor.user_id, lines=[], **header,
    )
    uow.session.add(order)
    _order_totals(order, lines)
    # The order, then its lines (the order's id is the lines' and the cost query's): on
    # PostgreSQL the lines' ids go with the order's INSERT, and the costs the trigger
    # wrote are read in the round trip of the lines' INSERT.
    uow.reserve_ids(OrderLine, len(lines))
    uow.flush()
    _write_order_lines(uow, order, lines)
    _read_costs_ahead(uow, actor, order)
    uow.flush()
    _read_costs(uow, actor, order)
    custom, now = custom_fields.store_values(
        uow=uow, actor=actor, entity=CustomFieldEntity.ORDER, record_id=order.id,
        values=draft.custom, creating=True)
    audit.record(uow, actor, AuditAction.CREATE, "order", order.id,
                 _summary(order.number, order.customer_id, uow),
                 {"after": {**_snapshot(order), **{k: v[1] for k, v in custom.items()}}})
    return order, now


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
        order = load_order(uow, order_id, actor)
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
        custom, now = custom_fields.store_values(
            uow=uow, actor=actor, entity=CustomFieldEntity.ORDER, record_id=order.id,
            values=draft.custom)
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
        view = _order_view(uow, actor, order, custom=now)
        uow.commit()
        return view


def get_order(*, uow: UnitOfWork, actor: Actor, order_id: int) -> OrderView:
    with uow.reading():
        require(uow, actor, Module.ORDERS, Operation.VIEW)
        order = load_order(uow, order_id, actor)
        require_in_scope(uow, actor, Module.ORDERS, Operation.VIEW, order.owner_id)
        return _order_view(uow, actor, order)


def list_orders(
    *, uow: UnitOfWork, actor: Actor, customer_id: int | None = None,
    status: OrderStatus | None = None, after: Cursor | None = None,
    limit: int = 100, custom_columns: Sequence[str] = (), sort: Sort | None = None,
    with_total: bool = False, text: str = "",
) -> OrderPage:
    """The orders in the actor's data scope, newest first (or by ``sort``, one of
    :data:`ORDER_SORT_KEYS`), one page at a time; ``with_total`` also counts them.

    ``text`` finds orders by number or by customer: name, pinyin or phone as the customer
    list searches, or the customer's code.

    ``custom_columns``: codes of custom fields shown as list columns; their values for the
    page's rows come in ``OrderPage.custom`` (one more query per page)."""
    limit = max(1, min(limit, 500))
    text = search_text("text", text)
    with uow:
        require(uow, actor, Module.ORDERS, Operation.VIEW)
        margin_hidden = _margin_hidden(uow, actor)
        conditions = [scope_filter(uow, actor, Module.ORDERS, Order.owner_id)]
        if customer_id is not None:
            conditions.append(Order.customer_id == customer_id)
        if status is not None:
            conditions.append(Order.status == status)
        params: dict[str, Any] = {}
        if text:
            matching, params = order_text_match(uow, actor, text)
            conditions.append(matching)
        base = (
            select(Order.id, Order.number, Order.status, Order.customer_id,
                   customer_directory.c.name, User.display_name, Order.ordered_on,
                   Order.due_on, Order.total_amount, Order.paid_amount,
                   null() if margin_hidden else Order.total_cost)
            # Named from the directory: an order in scope for another's customer too.
            .join(customer_directory, customer_directory.c.id == Order.customer_id)
            .outerjoin(User, User.id == Order.owner_id)
            .where(*conditions)
        )
        rows = uow.session.execute(ordered_page(
            base, columns=_sort_columns(margin_hidden),
            sort=sort or Sort("date", descending=True), id_column=Order.id, after=after,
            limit=limit, not_null=_NOT_NULL), params).all()
        page = tuple(OrderRow(
            id=r[0], number=r[1], status=r[2], customer_id=r[3], customer_name=r[4],
            owner_name=r[5], ordered_on=r[6], due_on=r[7], total_amount=r[8],
            paid_amount=r[9], open_amount=_open(r[2], r[8], r[9]),
            gross_margin=None if margin_hidden else r[8] - r[10])
            for r in rows[:limit])
        custom: dict[int, dict[str, Any]] = {}
        if custom_columns and page:
            wanted = set(custom_columns)
            custom = {rid: {c: v for c, v in values.items() if c in wanted}
                      for rid, values in custom_fields.values_for(
                          uow=uow, entity=CustomFieldEntity.ORDER,
                          record_ids=[r.id for r in page]).items()}
        return OrderPage(rows=page, next_after=next_after(rows, limit), custom=custom,
                         total=count_rows(uow.session, base, params) if with_total
                         else None)


def order_text_match(uow: UnitOfWork, actor: Actor, text: str
                     ) -> tuple[Any, dict[str, Any]]:
    """The orders ``text`` finds, as the order list searches: by number, or by customer
    (name, pinyin or phone as the customer list searches, or the customer's code); with
    the values of the condition's parameters (pass them when executing). ``text`` is
    checked and stripped by the caller (``search_text``) and not empty."""
    return customer_text_match(uow, actor, text, Order.customer_id, Order.number)


# The order list's columns, as sort keys for :func:`list_orders`.
ORDER_SORT_KEYS: tuple[str, ...] = ("number", "status", "customer", "owner", "date", "total",
                                    "paid", "open", "gross_margin")
_NOT_NULL = ("number", "status", "date", "total", "paid", "open", "gross_margin")


def _to_the_fen(amount: Any) -> Any:
    # WORKAROUND: SQLite subtracts money as binary floats (100.10 - 50.05 is not 50.05);
    # rounded to the fen, the value a cursor carries back equals the one computed again.
    return func.round(amount, literal_column("2"), type_=Order.total_amount.type)


def _sort_columns(margin_hidden: bool) -> dict[str, SortExpr]:
    """What each order column sorts by: the status in its lifecycle's order, the customer
    by pinyin, the open amount as the list computes it. A role the margin is hidden from
    may not sort by it (refused as an unknown key): the order alone would rank the hidden
    margins, and its database login may not read the cost at all."""
    columns: dict[str, SortExpr] = {
        "number": Order.number,
        "status": ranked(Order.status, list(OrderStatus)),
        "customer": customer_directory.c.sort_key,
        "owner": User.display_name,
        "date": Order.ordered_on,
        "total": Order.total_amount,
        "paid": Order.paid_amount,
        "open": case((Order.status == OS.CANCELLED,
                      literal(Decimal("0.00"), Order.total_amount.type)),
                     else_=_to_the_fen(Order.total_amount - Order.paid_amount)),
    }
    if not margin_hidden:
        columns["gross_margin"] = _to_the_fen(Order.total_amount - Order.total_cost)
    return columns


def transition_order(
    *, uow: UnitOfWork, actor: Actor, order_id: int, expected_version: int, to: OrderStatus,
) -> OrderView:
    """Move an order along :data:`ORDER_LIFECYCLE` (confirm, deliver, complete, cancel).

    An order with payments allocated to it cannot be cancelled.
    """
    with uow:
        require(uow, actor, Module.ORDERS, Operation.EDIT)
        order = load_order(uow, order_id, actor)
        require_in_scope(uow, actor, Module.ORDERS, Operation.EDIT, order.owner_id)
        label = _record_label("Order", order.number)
        check_version(uow, order, expected_version, entity="order", label=label)
        target = _target(OrderStatus, to)
        if target is OS.CANCELLED and order.paid_amount > 0:
            raise InvalidTransition(tr(
                "{record} has {amount} of payments allocated to it and cannot be cancelled.",
                record=label, amount=yuan(order.paid_amount)))
        _move(uow, actor, ORDER_LIFECYCLE, order, target, label)
        view = _order_view(uow, actor, order)
        uow.commit()
        return view



# --- orders helpers ------------------------------------------------------------------------


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


def _margin_hidden(uow: UnitOfWork, actor: Actor) -> bool:
    return not sees_margin(uow, actor)


def load_order(uow: UnitOfWork, order_id: int, actor: Actor) -> Order:
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


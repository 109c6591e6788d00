"""Payments (回款): money received, allocated to the customer's open orders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app import labels
from app.i18n import tr
from app.models import Order, Payment, PaymentAllocation, User
from app.models.customers import customer_directory
from app.models.enums import AuditAction, Module, Operation, PaymentMethod
from app.models.service import ServiceTicket
from app.reports.tabular import Cell
from app.services import audit, requests
from app.services.customers import LIKE_ESCAPE
from app.services.directory import read_entry_ahead
from app.services.errors import PermissionDenied
from app.services.exports import ExportResult, _format_of, _write_audited
from app.services.numbering import next_number, take_number_ahead
from app.services.paging import Cursor, Sort, SortExpr, in_chunks, next_after, ordered_page
from app.services.permissions import (
    Actor,
    grants_for,
    owns_in_scope,
    require,
    require_in_scope,
    scope_filter,
)
from app.services.sales._common import (
    OS,
    RECEIVABLE_STATUSES,
    _is_id,
    _money,
    _names,
    _not_found,
    _open_orders,
    _record_label,
    _sum,
    _summary,
    customer_text_match,
    entry,
    like_anywhere,
    yuan,
)
from app.services.sales.data import AllocationView, PaymentPage, PaymentRow, PaymentView
from app.services.uow import UnitOfWork
from app.services.validation import Checker, business_dates, search_text

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
        # Each order read as it is locked, one at a time in id order (no deadlock between
        # payments): the row lock on PostgreSQL and SQL Server; a transaction that may
        # write holds SQLite's write lock from its BEGIN (app.db) anyway. On PostgreSQL
        # the locks, the customer's entry and the number go with the permission query
        # (a refused payment rolls them back).
        locks = [select(Order).where(Order.id == oid).with_for_update()
                 .with_hint(Order, "WITH (UPDLOCK, ROWLOCK)", "mssql")
                 .execution_options(populate_existing=True) for oid in order_ids]
        for lock in locks:
            uow.read_ahead(lock)
        read_entry_ahead(uow, customer_id)
        take_number_ahead(uow, "payment", received_on)
        require(uow, actor, Module.PAYMENTS, Operation.CREATE)
        orders: dict[int, Order] = {}
        for lock in locks:
            locked = uow.session.scalars(lock).one_or_none()
            if locked is not None:
                orders[locked.id] = locked
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
        customer = entry(uow, customer_id)
        if customer is None:
            check.fail("customer_id", tr("does not exist"))
        taken = _clean_allocations(uow, actor, check, customer_id, allocations, orders)
        if not allocations:
            check.fail("allocations", tr("allocate the payment to at least one order"))
        elif total is not None and taken is not None:
            _check_fully_allocated(uow, actor, check, customer_id, total, taken)
        check.done()
        assert customer is not None and total is not None and day is not None
        assert taken is not None
        payment = write_payment(uow, actor, customer_id=customer_id,
                                customer_name=customer.name, day=day, amount=total,
                                method=how, reference=ref, notes=note, orders=orders,
                                taken=taken)
        requests.remember(uow, actor, request_key, "payment", payment.id)
        # From what was written, in this transaction: every order it settles was checked
        # to be in the actor's scope above.
        view = _payment_view(uow, actor, payment,
                             numbers={oid: orders[oid].number for oid, _ in taken})
        uow.commit()
        return view


def get_payment(*, uow: UnitOfWork, actor: Actor, payment_id: int) -> PaymentView:
    """A payment, if the actor received it or may see one of the orders it settles."""
    with uow.reading():
        require(uow, actor, Module.PAYMENTS, Operation.VIEW)
        payment = _load_payment(uow, payment_id)
        order_ids = [a.order_id for a in payment.allocations if a.order_id is not None]
        visible = owns_in_scope(uow, actor, Module.PAYMENTS, payment.received_by_id) or any(
            owns_in_scope(uow, actor, Module.ORDERS, owner) for owner in uow.session.scalars(
                select(Order.owner_id).where(Order.id.in_(order_ids))))
        if not visible:
            raise PermissionDenied(
                tr("This record belongs to someone else; you may not {operation} it.",
                   operation=labels.verb(Operation.VIEW)),
                module=Module.PAYMENTS, operation=Operation.VIEW)
        return _payment_view(uow, actor, payment)



def write_payment(
    uow: UnitOfWork, actor: Actor, *, customer_id: int, customer_name: str, day: dt.date,
    amount: Decimal, method: PaymentMethod | None, reference: str | None, notes: str | None,
    orders: Mapping[int, Order], taken: Sequence[tuple[int, Decimal]],
) -> Payment:
    """Write a checked payment and its allocations, move each order's paid amount and
    audit both (not committed): the money part of :func:`record_payment` and of a sale
    at the counter."""
    payment = Payment(
        number=next_number(uow, "payment", day), customer_id=customer_id,
        received_on=day, amount=amount, method=method, reference=reference, notes=notes,
        received_by_id=actor.user_id, created_by_id=actor.user_id,
        updated_by_id=actor.user_id,
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
    # The allocations: nothing in the transaction reads them back, so they are inserted
    # at the commit, in its round trip; the payment holds them as written.
    for oid, part in taken:
        uow.insert_at_commit(PaymentAllocation, {
            "payment_id": payment.id, "order_id": oid, "service_ticket_id": None,
            "amount": part})
    set_committed_value(payment, "allocations", [
        PaymentAllocation(payment_id=payment.id, order_id=oid, amount=part)
        for oid, part in taken])
    audit.record(uow, actor, AuditAction.CREATE, "payment", payment.id,
                 f"{payment.number} {customer_name} {yuan(amount)}",
                 {"after": audit.snapshot(payment),
                  "allocations": {orders[o].number: str(a) for o, a in taken}})
    for oid, _part in taken:
        order = orders[oid]
        audit.record(uow, actor, AuditAction.UPDATE, "order", oid,
                     _summary(order.number, customer_id, uow),
                     {"paid_amount": paid_changes[order.number],
                      "payment": payment.number})
    return payment


# The payments list's columns, as sort keys for :func:`list_payments`.
PAYMENT_SORT_KEYS: tuple[str, ...] = ("number", "date", "customer", "amount", "method",
                                      "received_by")


@dataclass(frozen=True)
class PaymentFilters:
    """What the payments list asks for: a search text (the payment's or an order's number,
    the customer's name, code or pinyin, as in the customer list) and a date range."""

    text: str = ""
    received_from: dt.date | None = None
    received_to: dt.date | None = None


def list_payments(
    *, uow: UnitOfWork, actor: Actor, filters: PaymentFilters = PaymentFilters(),
    after: Cursor | None = None, limit: int = 100, sort: Sort | None = None,
    with_total: bool = False,
) -> PaymentPage:
    """The payments the actor may see (received by someone in their payments scope, or
    settling an order in their orders scope: the database's row rule), newest first or
    by ``sort`` (one of :data:`PAYMENT_SORT_KEYS`), one page at a time; ``with_total``
    also counts them and adds up their amounts."""
    limit = max(1, min(limit, 500))
    with uow:
        require(uow, actor, Module.PAYMENTS, Operation.VIEW)
        conditions, params = _payment_conditions(uow, actor, filters)
        base = (
            select(Payment.id, Payment.number, Payment.received_on, Payment.customer_id,
                   customer_directory.c.name, Payment.amount, Payment.method,
                   Payment.reference, User.display_name)
            .join(customer_directory, customer_directory.c.id == Payment.customer_id)
            .outerjoin(User, User.id == Payment.received_by_id)
            .where(*conditions)
        )
        rows = uow.session.execute(ordered_page(
            base, columns=_PAYMENT_SORT_COLUMNS, sort=sort or Sort("date", descending=True),
            id_column=Payment.id, after=after, limit=limit,
            not_null=("number", "date", "customer", "amount", "method")), params).all()
        targets = _applies_to(uow, actor, [r[0] for r in rows[:limit]])
        page = tuple(PaymentRow(
            id=r[0], number=r[1], received_on=r[2], customer_id=r[3], customer_name=r[4],
            applies_to=targets.get(r[0], ()), amount=r[5], method=PaymentMethod(r[6]),
            reference=r[7], received_by_name=r[8]) for r in rows[:limit])
        total = total_amount = None
        if with_total:
            inner = base.order_by(None).subquery()
            count, amount = uow.session.execute(
                select(func.count(), func.sum(inner.c.amount)), params).one()
            total, total_amount = int(count), _money(amount)
        return PaymentPage(rows=page, next_after=next_after(rows, limit), total=total,
                           total_amount=total_amount)


def export_payments(
    *, uow: UnitOfWork, actor: Actor, path: str | Path, fmt: str | None = None,
    filters: PaymentFilters = PaymentFilters(),
) -> ExportResult:
    """Write the payments of :func:`list_payments` (its filters, newest first) to an Excel
    or CSV file. Needs ``payments.export``; audited with the row count."""
    target = Path(path)
    with uow:
        require(uow, actor, Module.PAYMENTS, Operation.EXPORT)
        kind = _format_of(target, fmt)
        conditions, params = _payment_conditions(uow, actor, filters)
        # Newest first, a chunk at a time with what each chunk's payments settle.
        chunks = in_chunks(
            uow.session,
            select(Payment.id, Payment.number, Payment.received_on, customer_directory.c.name,
                   Payment.amount, Payment.method, Payment.reference, User.display_name)
            .join(customer_directory, customer_directory.c.id == Payment.customer_id)
            .outerjoin(User, User.id == Payment.received_by_id)
            .where(*conditions),
            value=Payment.received_on, id_column=Payment.id, descending=True, params=params)
        headers = [tr("Number"), tr("Date"), tr("Customer"), tr("Order / ticket"),
                   tr("Amount"), tr("Method"), tr("Reference"), tr("Received by")]
        kinds = ["text", "date", "text", "text", "money", "text", "text", "text"]

        def lines() -> Iterator[Sequence[Cell]]:
            for rows in chunks:
                targets = _applies_to(uow, actor, [r[0] for r in rows])
                for r in rows:
                    yield [r[1], r[2], r[3], ", ".join(targets.get(r[0], ())), r[4],
                           labels.label(PaymentMethod(r[5])), r[6], r[7]]

        return _write_audited(
            uow, actor, target, kind, entity="payment", what="Payments",
            title=tr("Payments"), headers=headers, kinds=kinds, lines=lines(), details={
                "text": filters.text or None,
                "from": filters.received_from.isoformat() if filters.received_from else None,
                "to": filters.received_to.isoformat() if filters.received_to else None})


_PAYMENT_SORT_COLUMNS: dict[str, SortExpr] = {
    "number": Payment.number,
    "date": Payment.received_on,
    "customer": customer_directory.c.sort_key,
    "amount": Payment.amount,
    "method": Payment.method,
    "received_by": User.display_name,
}


def _payment_conditions(uow: UnitOfWork, actor: Actor, filters: PaymentFilters
                        ) -> tuple[list[Any], dict[str, Any]]:
    """The WHERE terms of the payments list (scope, dates, text) and their parameters."""
    text = search_text("text", filters.text)
    check = Checker()
    start = check.date("received_from", filters.received_from, required=False)
    end = check.date("received_to", filters.received_to, required=False)
    if start is not None and end is not None and end < start:
        check.fail("received_to", tr("must not be before the start date"))
    check.done()
    settles_visible = Payment.id.in_(
        select(PaymentAllocation.payment_id)
        .join(Order, Order.id == PaymentAllocation.order_id)
        .where(scope_filter(uow, actor, Module.ORDERS, Order.owner_id)))
    conditions: list[Any] = [
        or_(scope_filter(uow, actor, Module.PAYMENTS, Payment.received_by_id),
            settles_visible)]
    if start is not None:
        conditions.append(Payment.received_on >= start)
    if end is not None:
        conditions.append(Payment.received_on <= end)
    params: dict[str, Any] = {}
    if text:
        settles_number = Payment.id.in_(
            select(PaymentAllocation.payment_id)
            .join(Order, Order.id == PaymentAllocation.order_id)
            .where(Order.number.like(like_anywhere(text.upper()), escape=LIKE_ESCAPE)))
        matching, params = customer_text_match(uow, actor, text, Payment.customer_id,
                                               Payment.number)
        conditions.append(or_(matching, settles_number))
    return conditions, params


def _applies_to(uow: UnitOfWork, actor: Actor, payment_ids: Sequence[int]
                ) -> dict[int, tuple[str, ...]]:
    """The numbers of the orders and tickets each payment settles, those the actor may see
    (one query each; tickets only for a role that may see service tickets at all)."""
    if not payment_ids:
        return {}
    found: dict[int, list[str]] = {}
    for pid, number in uow.session.execute(
            select(PaymentAllocation.payment_id, Order.number)
            .join(Order, Order.id == PaymentAllocation.order_id)
            .where(PaymentAllocation.payment_id.in_(payment_ids),
                   scope_filter(uow, actor, Module.ORDERS, Order.owner_id))
            .order_by(PaymentAllocation.payment_id, Order.number)).all():
        found.setdefault(pid, []).append(number)
    if grants_for(uow, actor).allows(Module.SERVICE_TICKETS, Operation.VIEW):
        for pid, number in uow.session.execute(
                select(PaymentAllocation.payment_id, ServiceTicket.number)
                .join(ServiceTicket, ServiceTicket.id == PaymentAllocation.service_ticket_id)
                .where(PaymentAllocation.payment_id.in_(payment_ids),
                       or_(scope_filter(uow, actor, Module.SERVICE_TICKETS,
                                        ServiceTicket.technician_id),
                           scope_filter(uow, actor, Module.SERVICE_TICKETS,
                                        ServiceTicket.intake_by_id)))
                .order_by(PaymentAllocation.payment_id, ServiceTicket.number)).all():
            found.setdefault(pid, []).append(number)
    return {pid: tuple(numbers) for pid, numbers in found.items()}


# --- payments helpers ----------------------------------------------------------------------


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


def _load_payment(uow: UnitOfWork, payment_id: int) -> Payment:
    payment = uow.session.execute(
        select(Payment).where(Payment.id == payment_id)
        .options(selectinload(Payment.allocations))
    ).scalar_one_or_none()
    if payment is None:
        raise _not_found("Payment", payment_id)
    return payment


def _directory_name(uow: UnitOfWork, customer_id: int) -> str:
    """The customer's name from the directory everyone may read (a payment's payer may be
    a customer the reader's row rule hides)."""
    found = entry(uow, customer_id)
    if found is None:
        raise _not_found("Customer", customer_id)
    return found.name


def _payment_view(uow: UnitOfWork, actor: Actor, p: Payment, *,
                  numbers: Mapping[int, str] | None = None) -> PaymentView:
    """The payment as the actor may see it. ``numbers``: the numbers of the orders it
    settles, when the caller has checked them all in the actor's scope."""
    if numbers is None:
        # Only the orders in the reader's scope are named (a payment may settle a
        # colleague's order too; on a secured server its row is not even readable).
        numbers = {oid: number for oid, number in uow.session.execute(
            select(Order.id, Order.number).where(
                Order.id.in_([a.order_id for a in p.allocations if a.order_id is not None]),
                scope_filter(uow, actor, Module.ORDERS, Order.owner_id))
        ).all()}
    return PaymentView(
        id=p.id, number=p.number, customer_id=p.customer_id,
        customer_name=_directory_name(uow, p.customer_id), received_on=p.received_on,
        amount=p.amount, method=p.method, reference=p.reference, notes=p.notes,
        received_by_id=p.received_by_id,
        received_by_name=_names(uow, p.received_by_id, actor=actor).get(p.received_by_id),
        allocations=tuple(AllocationView(order_id=a.order_id,
                                         order_number=numbers.get(a.order_id),
                                         amount=a.amount)
                          for a in p.allocations if a.order_id is not None),
        created_at=p.created_at,
    )


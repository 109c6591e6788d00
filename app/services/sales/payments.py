"""Payments (回款): money received, allocated to the customer's open orders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from app import labels
from app.i18n import tr
from app.models import Order, Payment, PaymentAllocation
from app.models.enums import AuditAction, Module, Operation, PaymentMethod
from app.services import audit, requests
from app.services.directory import customer_entry
from app.services.errors import PermissionDenied
from app.services.numbering import next_number
from app.services.permissions import Actor, owns_in_scope, require, require_in_scope, scope_filter
from app.services.sales._common import (
    OS,
    RECEIVABLE_STATUSES,
    _is_id,
    _names,
    _not_found,
    _open_orders,
    _record_label,
    _sum,
    _summary,
    yuan,
)
from app.services.sales.data import AllocationView, PaymentView
from app.services.uow import UnitOfWork
from app.services.validation import Checker, business_dates

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
                   operation=labels.verb(Operation.VIEW)),
                module=Module.PAYMENTS, operation=Operation.VIEW)
        return _payment_view(uow, actor, payment)



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


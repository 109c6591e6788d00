"""A sale at the counter (门市) in one step: the order, agreed at once, and the money taken."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from app.i18n import tr
from app.models import Payment, PaymentAllocation
from app.models.enums import CustomFieldEntity, Module, Operation, PaymentMethod
from app.services import custom_fields, requests
from app.services.permissions import Actor, require
from app.services.sales._common import (
    ORDER_LIFECYCLE,
    OS,
    _customer,
    _move,
    _order_view,
    _record_label,
    _sum,
    yuan,
)
from app.services.sales.data import OrderDraft, OrderView, PaymentView
from app.services.sales.orders import checked_order, insert_order, load_order
from app.services.sales.payments import _load_payment, _payment_view, write_payment
from app.services.uow import UnitOfWork
from app.services.validation import Checker, business_dates


@dataclass(frozen=True)
class CounterPayment:
    """The money the customer hands over with the order. ``amount`` None, empty or 0: the
    sale is on credit and the whole total stays open."""

    amount: Decimal | str | None
    method: PaymentMethod | str = PaymentMethod.CASH
    reference: str | None = None


@dataclass(frozen=True)
class CounterSale:
    order: OrderView
    payment: PaymentView | None  # None: nothing was paid at the counter


def sell_at_counter(*, uow: UnitOfWork, actor: Actor, draft: OrderDraft,
                    payment: CounterPayment | None, request_key: str | None = None,
                    ) -> CounterSale:
    """Make an order, confirm it (the customer at the counter has agreed) and take the
    payment for it, in one transaction: either all of it is stored or nothing.

    The order goes to management's confirmation queue like any new order; its audit
    trail is the same as the three steps done one by one (created, confirmed, paid). The
    payment is at most the order's total and is received today. Needs orders create and
    edit (the confirmation is a status move), and payments create when money is taken.

    A retry with the ``request_key`` of a sale already saved returns that sale.
    """
    with uow:
        require(uow, actor, Module.ORDERS, Operation.CREATE)
        require(uow, actor, Module.ORDERS, Operation.EDIT)
        paying = payment is not None and not _nothing(payment.amount)
        if paying:
            require(uow, actor, Module.PAYMENTS, Operation.CREATE)
        if (saved := requests.replayed(uow, actor, request_key, "order")) is not None:
            return _replayed(uow, actor, saved)
        check = Checker()
        values = checked_order(uow, actor, check, draft)
        today = dt.date.today()
        amount: Decimal | None = None
        method: PaymentMethod | None = None
        reference: str | None = None
        if paying:
            assert payment is not None
            amount = check.money("payment_amount", payment.amount)
            method = check.choice("payment_method", payment.method, PaymentMethod)
            reference = check.text("payment_reference", payment.reference, max_len=100)
            business_dates(check, payment_date=today)
            total = _sum(ln["line_total"] for ln in values["lines"])
            if amount is not None and values["lines"] and amount > total:
                check.fail("payment_amount", tr("is more than the order's total of {total}",
                                                total=yuan(total)))
        custom_fields.done_with(check, uow=uow, entity=CustomFieldEntity.ORDER, record_id=None,
                                values=draft.custom)
        order, custom = insert_order(uow, actor, values, draft)
        _move(uow, actor, ORDER_LIFECYCLE, order, OS.CONFIRMED,
              _record_label("Order", order.number))
        taken = None
        if amount is not None and amount > 0:
            taken = write_payment(
                uow, actor, customer_id=order.customer_id,
                customer_name=_customer(uow, order.customer_id).name,
                day=today, amount=amount, method=method, reference=reference, notes=None,
                orders={order.id: order}, taken=[(order.id, amount)])
        requests.remember(uow, actor, request_key, "order", order.id)
        # From what was written, in this transaction: no second one to read it back.
        sale = CounterSale(order=_order_view(uow, actor, order, custom=custom),
                           payment=(_payment_view(uow, actor, taken,
                                                  numbers={order.id: order.number})
                                    if taken else None))
        uow.commit()
        return sale


def _nothing(amount: Decimal | str | None) -> bool:
    """No money taken: nothing typed, or zero (a negative amount is refused, not ignored)."""
    if amount is None or (isinstance(amount, str) and not amount.strip()):
        return True
    try:
        return Decimal(str(amount).strip()) == 0
    except ArithmeticError:
        return False


def _replayed(uow: UnitOfWork, actor: Actor, order_id: int) -> CounterSale:
    """The sale saved under a request key: its order and the payment taken with it."""
    order = load_order(uow, order_id, actor)
    payment_id = uow.session.execute(
        select(Payment.id).join(PaymentAllocation, PaymentAllocation.payment_id == Payment.id)
        .where(PaymentAllocation.order_id == order_id,
               Payment.received_by_id == actor.user_id)
        .order_by(Payment.id).limit(1)).scalar_one_or_none()
    return CounterSale(
        order=_order_view(uow, actor, order),
        payment=(_payment_view(uow, actor, _load_payment(uow, payment_id))
                 if payment_id is not None else None))


__all__ = ["CounterPayment", "CounterSale", "sell_at_counter"]

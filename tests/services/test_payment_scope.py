"""A payment that settles orders of two salespeople: each sees it, with the other's order
as a locked line (amount only, no number) — on every engine, secured server included."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Engine, update

from app.models import Order
from app.models.enums import OrderStatus, PaymentMethod
from app.services.customers import CustomerDraft, create_customer
from app.services.permissions import Actor
from app.services.sales import (
    OrderDraft,
    OrderLineDraft,
    create_order,
    get_payment,
    record_payment,
    transition_order,
)
from app.services.uow import UnitOfWork

D = Decimal
TODAY = dt.date.today()


def _confirmed_order(uow: UnitOfWork, engine: Engine, manager: Actor, owner: Actor,
                     customer_id: int, price: str) -> int:
    """An order of ``owner`` (made by the manager, then handed to the salesperson)."""
    made = create_order(uow=uow, actor=manager, draft=OrderDraft(
        customer_id=customer_id, ordered_on=TODAY,
        lines=(OrderLineDraft(description="打印机维修", unit_price=D(price)),)))
    transition_order(uow=uow, actor=manager, order_id=made.id, expected_version=made.version,
                     to=OrderStatus.CONFIRMED)
    with engine.begin() as conn:
        conn.execute(update(Order).where(Order.id == made.id).values(owner_id=owner.user_id))
    return made.id


def test_an_allocation_to_an_order_outside_scope_is_a_locked_line(
        uow: UnitOfWork, engine: Engine, sales_user: Actor, other_sales_user: Actor,
        manager: Actor) -> None:
    customer = create_customer(uow=uow, actor=manager,
                               draft=CustomerDraft(name="北京鑫锐科技有限公司")).id
    mine = _confirmed_order(uow, engine, manager, sales_user, customer, "400.00")
    theirs = _confirmed_order(uow, engine, manager, other_sales_user, customer, "250.00")
    payment = record_payment(
        uow=uow, actor=manager, customer_id=customer, received_on=TODAY,
        amount=D("650.00"), method=PaymentMethod.BANK_TRANSFER,
        allocations=((mine, D("400.00")), (theirs, D("250.00"))))
    assert all(a.order_number for a in payment.allocations)  # the manager's scope

    seen = get_payment(uow=uow, actor=sales_user, payment_id=payment.id)
    by_order = {a.order_id: a for a in seen.allocations}
    assert by_order[mine].order_number is not None
    assert by_order[theirs].order_number is None  # locked: not named
    assert by_order[theirs].amount == D("250.00")
    other = get_payment(uow=uow, actor=other_sales_user, payment_id=payment.id)
    assert {a.order_id: a.order_number is None for a in other.allocations} == {
        mine: True, theirs: False}
    # The manager sees every order's number.
    assert all(a.order_number for a in get_payment(
        uow=uow, actor=manager, payment_id=payment.id).allocations)

"""The customer 360 view: everything about a customer, newest first, in a fixed few queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import event, update

from app.models import (
    ContractDevice,
    Device,
    Order,
    Payment,
    PaymentAllocation,
    ServiceContract,
    ServiceTicket,
    Visit,
)
from app.models.enums import (
    ContractKind,
    ContractStatus,
    OrderStatus,
    PaymentMethod,
    Priority,
    ServiceMode,
    TicketChannel,
    TicketStatus,
    VisitKind,
)
from app.services.customer360 import customer_overview
from app.services.customers import CustomerDraft, create_customer
from tests import people

TODAY = dt.date(2026, 11, 26)


def _history(uow, customer_id: int, owner_id: int, *, visits: int = 3, orders: int = 2) -> None:
    """Add visits, orders (one part paid), a contract covering a device and a ticket."""
    base = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)
    with uow:
        s = uow.session
        for i in range(visits):
            s.add(Visit(customer_id=customer_id, owner_id=owner_id, kind=VisitKind.WALK_IN,
                        occurred_at=base + dt.timedelta(days=i), purpose=f"来访 {i}"))
        for i in range(orders):
            s.add(Order(number=f"XS-T-{customer_id}-{i}", customer_id=customer_id,
                        owner_id=owner_id, status=OrderStatus.CONFIRMED,
                        ordered_on=dt.date(2026, 2, 1) + dt.timedelta(days=i),
                        customer_source="walk_in", total_amount=Decimal("1000.50"),
                        total_cost=Decimal("800.00")))
        s.flush()
        first_order = s.query(Order).filter_by(customer_id=customer_id).order_by(Order.id).first()
        pay = Payment(number=f"HK-T-{customer_id}", customer_id=customer_id,
                      received_on=dt.date(2026, 3, 1), amount=Decimal("400.25"),
                      method=PaymentMethod.CASH, received_by_id=owner_id)
        pay.allocations = [PaymentAllocation(order_id=first_order.id, amount=Decimal("400.25"))]
        first_order.paid_amount = Decimal("400.25")
        s.add(pay)
        device = Device(customer_id=customer_id, brand="HP", model="LaserJet Pro M404dn",
                        serial_number=f"VNB3K{customer_id:05d}")
        s.add(device)
        s.flush()
        contract = ServiceContract(number=f"HT-T-{customer_id}", customer_id=customer_id,
                                   kind=ContractKind.FULL_SERVICE, status=ContractStatus.ACTIVE,
                                   starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31),
                                   fee=Decimal("3600.00"))
        contract.devices = [ContractDevice(device_id=device.id)]
        s.add(contract)
        s.add(ServiceTicket(number=f"WX-T-{customer_id}", customer_id=customer_id,
                            device_id=device.id, channel=TicketChannel.WALK_IN,
                            mode=ServiceMode.BRING_IN, priority=Priority.NORMAL,
                            status=TicketStatus.DONE, symptoms="卡纸，打印有黑线",
                            received_at=dt.datetime(2026, 4, 1, 10, tzinfo=dt.UTC),
                            intake_by_id=owner_id, total_charge=Decimal("150.00")))
        uow.commit()


def test_overview_shows_history_newest_first_with_receivable_devices_contracts(
        uow, sales_user):
    c = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="北京鑫锐科技"))
    _history(uow, c.id, sales_user.user_id)
    view = customer_overview(uow=uow, actor=sales_user, customer_id=c.id, today=TODAY)
    kinds = [e.kind for e in view.timeline]
    # The creation in the audit log happened "now", the ticket in April, payment in March...
    assert kinds == ["change", "payment", "order", "order", "visit", "visit", "visit"]
    assert [e.at for e in view.timeline] == sorted((e.at for e in view.timeline), reverse=True)
    assert view.timeline[1].amount == Decimal("400.25")
    # 2 × 1000.50 − 400.25 + the unpaid repair charge of 150.00: what the customer owes
    assert view.receivable == Decimal("1750.75")
    [device] = view.devices
    assert device.contract_number == f"HT-T-{c.id}"
    assert [k.number for k in view.contracts] == [f"HT-T-{c.id}"]


def test_manager_sees_service_tickets_and_their_charge_in_the_receivable(
        uow, sales_user, manager):
    c = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="北京鑫锐科技"))
    _history(uow, c.id, sales_user.user_id)
    view = customer_overview(uow=uow, actor=manager, customer_id=c.id, today=TODAY)
    assert "service_ticket" in [e.kind for e in view.timeline]
    assert view.receivable == Decimal("1750.75")
    ticket = next(e for e in view.timeline if e.kind == "service_ticket")
    assert ticket.text == "卡纸，打印有黑线" and ticket.state == "done"


def test_technician_timeline_has_no_orders_or_payments(uow, sales_user, technician):
    c = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="北京鑫锐科技"))
    _history(uow, c.id, sales_user.user_id)
    with uow:  # the technician repaired it
        uow.session.execute(update(ServiceTicket).where(ServiceTicket.customer_id == c.id)
                            .values(technician_id=technician.user_id))
        uow.commit()
    view = customer_overview(uow=uow, actor=technician, customer_id=c.id, today=TODAY)
    kinds = {e.kind for e in view.timeline}
    assert "order" not in kinds and "payment" not in kinds and "service_ticket" in kinds
    assert view.receivable == Decimal("0.00")


def test_each_kind_of_record_keeps_its_own_data_scope(
        uow, sales_user, other_sales_user, technician, manager):
    """The card does not widen a module's data scope: a salesperson sees their customer's
    orders and visits of their own, not a colleague's (as in the order list, and as row
    security on a secured server); a technician sees the repairs that were theirs."""
    c = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="北京鑫锐科技"))
    _history(uow, c.id, sales_user.user_id, visits=1, orders=1)
    with uow:
        uow.session.add(Visit(customer_id=c.id, owner_id=other_sales_user.user_id,
                              kind=VisitKind.PHONE, purpose="同事的回访",
                              occurred_at=dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC)))
        uow.session.add(Order(number=f"XS-O-{c.id}", customer_id=c.id,
                              owner_id=other_sales_user.user_id, status=OrderStatus.CONFIRMED,
                              ordered_on=dt.date(2026, 5, 2), customer_source="walk_in",
                              total_amount=Decimal("99.00"), total_cost=Decimal("50.00")))
        uow.commit()

    def texts(actor, kind):
        view = customer_overview(uow=uow, actor=actor, customer_id=c.id, today=TODAY)
        return sorted(e.reference if kind == "order" else e.text
                      for e in view.timeline if e.kind == kind)

    assert texts(sales_user, "visit") == ["来访 0"]
    assert texts(sales_user, "order") == [f"XS-T-{c.id}-0"]
    assert texts(manager, "visit") == ["同事的回访", "来访 0"]
    assert texts(manager, "order") == [f"XS-O-{c.id}", f"XS-T-{c.id}-0"]
    # The ticket was taken in by the salesperson and nobody repaired it yet.
    assert texts(technician, "service_ticket") == []
    assert texts(manager, "service_ticket") == ["卡纸，打印有黑线"]


def test_out_of_scope_customer_is_refused(uow, sales_user, other_sales_user):
    c = create_customer(uow=uow, actor=other_sales_user, draft=CustomerDraft(name="天津海河"))
    with pytest.raises(people.REFUSED):
        customer_overview(uow=uow, actor=sales_user, customer_id=c.id)


@pytest.mark.parametrize("visits,orders", [(1, 1), (60, 40)])
def test_query_count_does_not_grow_with_history(uow, engine, manager, visits, orders):
    c = create_customer(uow=uow, actor=manager, draft=CustomerDraft(name="北京鑫锐科技"))
    _history(uow, c.id, manager.user_id, visits=visits, orders=orders)
    customer_overview(uow=uow, actor=manager, customer_id=c.id)  # warm the role cache
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        view = customer_overview(uow=uow, actor=manager, customer_id=c.id)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(view.timeline) == visits + orders + 3  # + payment, ticket, audit entry
    # permissions, customer + receivable, devices + contracts (one UNION ALL), timeline:
    # the same four for one visit and one order as for sixty visits and forty orders
    assert len(statements) == 4, "\n".join(statements)

"""A technician's to-do list holds their own open service tickets, overdue first."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event

from app.models.enums import TicketStatus
from app.services.customers import CustomerDraft, create_customer
from app.services.tickets import IntakeDraft, NewDevice, dispatch_ticket, intake_ticket, move_ticket
from app.services.todo import TodoKind, todo_list


@pytest.fixture
def lead(make_user):
    return make_user("lead1", "repair_lead", "repair", display_name="维修主管")


@pytest.fixture
def other_technician(make_user):
    return make_user("tech2", "technician", "repair", display_name="李工")


def open_ticket(uow, clerk, lead, technician, customer_id, *, days_ago, serial,
                to=TicketStatus.DISPATCHED, symptoms="卡纸，打印有黑线"):
    """A ticket taken in ``days_ago`` days ago and dispatched to ``technician``."""
    received = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
    t = intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(
        customer_id=customer_id, symptoms=symptoms, received_at=received,
        new_device=NewDevice("HP", "LaserJet M404dn", serial)))
    t = dispatch_ticket(uow=uow, actor=lead, ticket_id=t.id, expected_version=t.version,
                        technician_id=technician.user_id)
    if to is not TicketStatus.DISPATCHED:
        t = move_ticket(uow=uow, actor=technician, ticket_id=t.id,
                        expected_version=t.version, to=TicketStatus.IN_REPAIR)
    if to is TicketStatus.WAITING_PARTS:
        t = move_ticket(uow=uow, actor=technician, ticket_id=t.id,
                        expected_version=t.version, to=TicketStatus.WAITING_PARTS)
    return t


def test_a_technician_sees_their_open_tickets_overdue_first(
        uow, engine, clerk, lead, technician, other_technician, sales_user):
    customer = create_customer(uow=uow, actor=clerk,
                               draft=CustomerDraft(name="朝阳快印店")).id
    overdue = [open_ticket(uow, clerk, lead, technician, customer, days_ago=d,
                           serial=f"CNB00{d}", to=to)
               for d, to in ((9, TicketStatus.DISPATCHED), (7, TicketStatus.IN_REPAIR),
                             (6, TicketStatus.WAITING_PARTS), (5, TicketStatus.IN_REPAIR))]
    fresh = open_ticket(uow, clerk, lead, technician, customer, days_ago=0,
                        serial="CNB0100", symptoms="开机报错 E1\n无法打印")
    # Someone else's ticket stays off the list.
    open_ticket(uow, clerk, lead, other_technician, customer, days_ago=8, serial="CNB0200")

    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        items = todo_list(uow=uow, actor=technician)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert sum("FROM service_tickets" in s for s in statements) == 1  # one query for them

    tickets = [i for i in items if i.kind is TodoKind.TICKET]
    assert [i.id for i in tickets] == [t.id for t in overdue] + [fresh.id]  # most overdue first
    assert [i.overdue for i in tickets] == [True] * 4 + [False]
    assert sum(i.overdue for i in items) == 4
    first = tickets[0]
    assert (first.title, first.customer_name, first.record_kind, first.status) == (
        overdue[0].number, "朝阳快印店", "service_ticket", "dispatched")
    assert first.detail == "HP LaserJet M404dn · 卡纸，打印有黑线"
    assert first.due == overdue[0].due_at.astimezone().date()
    assert tickets[-1].detail == "HP LaserJet M404dn · 开机报错 E1 无法打印"  # on one line
    assert {i.status for i in tickets} == {"dispatched", "in_repair", "waiting_parts"}
    # Only the kinds asked for.
    assert [i.kind for i in todo_list(uow=uow, actor=technician, kinds=[TodoKind.TICKET])
            ] == [TodoKind.TICKET] * 5
    assert todo_list(uow=uow, actor=technician, kinds=[TodoKind.TASK]) == ()


def test_finished_tickets_leave_the_list_and_others_see_none_of_them(
        uow, clerk, lead, technician, sales_user):
    customer = create_customer(uow=uow, actor=clerk,
                               draft=CustomerDraft(name="朝阳快印店")).id
    ticket = open_ticket(uow, clerk, lead, technician, customer, days_ago=1, serial="CNB0300")
    assert [i.id for i in todo_list(uow=uow, actor=technician)] == [ticket.id]
    # The intake clerk and the lead who dispatched it are not its technician; a
    # salesperson has no ticket module at all — nobody is refused.
    for actor in (clerk, lead, sales_user):
        assert not any(i.kind is TodoKind.TICKET for i in todo_list(uow=uow, actor=actor))
    move_ticket(uow=uow, actor=lead, ticket_id=ticket.id,
                expected_version=ticket.version, to=TicketStatus.CANCELLED)
    assert todo_list(uow=uow, actor=technician) == ()

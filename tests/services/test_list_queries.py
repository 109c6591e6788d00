"""List screens read their rows in a fixed number of statements, whatever the row count.

Each list is filled with 3 and with 30 rows of mixed shape (with and without device,
technician, owner, contract, covered devices, used visits); the statements one call
issues are counted (after a first call has warmed the role cache) and must be the same
small number for both sizes. Every row must equal what the detail call returns for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event

from app.models import Device, utcnow
from app.models.enums import (
    ContractKind,
    ContractStatus,
    KnowledgeStatus,
    Priority,
    ServiceMode,
    TicketChannel,
    TicketStatus,
)
from app.models.service import ContractDevice, KnowledgeEntry, ServiceContract, ServiceTicket
from app.services.contracts import contracts_expiring, get_contract, list_contracts
from app.services.customers import CustomerDraft, create_customer
from app.services.knowledge import (
    get_knowledge,
    list_knowledge,
    list_my_knowledge,
    list_pending_knowledge,
    suggest_solutions,
)
from app.services.tickets import (
    TicketFilters,
    device_history,
    get_ticket,
    list_tickets,
    overdue_tickets,
)

SIZES = [3, 30]
TODAY = dt.date.today()


@contextmanager
def counting(engine: Any) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def measure(engine: Any, call: Callable[[], Any]) -> tuple[Any, int]:
    """The call's result and its statements; each call makes one permission check (is
    the user still active, has the role changed) before reading the list."""
    call()  # warm the role cache
    with counting(engine) as statements:
        result = call()
    return result, len(statements)


@pytest.fixture
def lead(make_user):
    return make_user("lead1", "repair_lead", "repair", display_name="维修主管")


# --- tickets ---------------------------------------------------------------------------------


def _tickets(uow, n, *, intake, technician, other):
    """``n`` tickets taken in by ``intake`` of mixed shape, plus one taken in by ``other``
    and assigned to nobody (outside a storefront clerk's scope). Returns the device ids."""
    now = utcnow()
    customer = create_customer(uow=uow, actor=intake, draft=CustomerDraft(name="朝阳快印店"))
    with uow:
        devices = [Device(customer_id=customer.id, brand="HP", model=f"M40{i}",
                          serial_number=f"CNB{i:05d}") for i in range(3)]
        uow.session.add_all(devices)
        uow.flush()
        full = ServiceContract(number="HT-1", customer_id=customer.id,
                               kind=ContractKind.FULL_SERVICE, status=ContractStatus.ACTIVE,
                               starts_on=TODAY, ends_on=TODAY, fee=Decimal("1.00"),
                               created_by_id=intake.user_id, updated_by_id=intake.user_id)
        labour = ServiceContract(number="HT-2", customer_id=customer.id,
                                 kind=ContractKind.LABOUR_ONLY, status=ContractStatus.ACTIVE,
                                 starts_on=TODAY, ends_on=TODAY, fee=Decimal("1.00"),
                                 created_by_id=intake.user_id, updated_by_id=intake.user_id)
        uow.session.add_all([full, labour])
        uow.flush()
        statuses = [TicketStatus.RECEIVED, TicketStatus.DISPATCHED, TicketStatus.IN_REPAIR,
                    TicketStatus.DONE]
        for i in range(n + 1):
            contract = (full, labour, None)[i % 3]
            uow.session.add(ServiceTicket(
                number=f"WX-{i:04d}", customer_id=customer.id,
                device_id=devices[i % 3].id if i % 4 else None,
                contract_id=contract.id if contract else None,
                channel=TicketChannel.WALK_IN, mode=ServiceMode.BRING_IN,
                priority=Priority.NORMAL, status=statuses[i % 4], symptoms=f"卡纸 {i}",
                chargeable=contract is not full,
                received_at=now - dt.timedelta(hours=i),
                # every other ticket is long overdue, the others due far ahead
                due_at=now + dt.timedelta(days=-10 if i % 2 else 10),
                intake_by_id=other.user_id if i == n else intake.user_id,
                technician_id=technician.user_id if i % 4 in (1, 2) and i != n else None,
                created_by_id=intake.user_id, updated_by_id=intake.user_id))
        uow.commit()
        return [d.id for d in devices]


def _same_as_detail(uow, actor, rows):
    for row in rows:
        detail = get_ticket(uow=uow, actor=actor, ticket_id=row.id)
        assert replace(detail, events=(), repair=None) == row


@pytest.mark.parametrize("n", SIZES)
def test_ticket_lists_take_a_fixed_number_of_statements(uow, engine, clerk, technician, lead,
                                                        n):
    device_ids = _tickets(uow, n, intake=clerk, technician=technician, other=lead)

    page, count = measure(engine, lambda: list_tickets(uow=uow, actor=clerk))
    # the clerk (storefront scope) sees the n tickets the storefront took in, not the lead's
    assert len(page.rows) == n and {r.intake_by_id for r in page.rows} == {clerk.user_id}
    assert count == 2  # permissions; the page with customer, device, technician, contract
    assert {r.technician_name for r in page.rows if r.technician_id} == {"王强"}
    assert {r.coverage_kind for r in page.rows} == {ContractKind.FULL_SERVICE,
                                                    ContractKind.LABOUR_ONLY, None}
    _same_as_detail(uow, clerk, page.rows)

    page, count = measure(engine, lambda: list_tickets(
        uow=uow, actor=lead, filters=TicketFilters(open_only=True), limit=5))
    assert count == 2 and len(page.rows) == min(5, len(
        [i for i in range(n + 1) if i % 4 != 3]))

    overdue, count = measure(engine, lambda: overdue_tickets(uow=uow, actor=lead))
    assert count == 2
    assert overdue and all(t.overdue for t in overdue)
    assert [t.due_at for t in overdue] == sorted(t.due_at for t in overdue)
    _same_as_detail(uow, lead, overdue)

    history, count = measure(engine, lambda: device_history(
        uow=uow, actor=lead, device_id=device_ids[1]))
    assert count == 2 and history and {t.device_id for t in history} == {device_ids[1]}
    _same_as_detail(uow, lead, history)


# --- contracts -------------------------------------------------------------------------------


def _contracts(uow, n, *, owner):
    customer = create_customer(uow=uow, actor=owner, draft=CustomerDraft(name="北京星辰科技"))
    with uow:
        devices = [Device(customer_id=customer.id, brand="HP", model="M404",
                          serial_number=f"SN{i:05d}") for i in range(4)]
        uow.session.add_all(devices)
        uow.flush()
        for i in range(n):
            contract = ServiceContract(
                number=f"HT-{i:04d}", customer_id=customer.id,
                owner_id=owner.user_id if i % 2 else None,
                kind=ContractKind.PER_VISIT if i % 3 == 0 else ContractKind.FULL_SERVICE,
                included_visits=5 if i % 3 == 0 else None, status=ContractStatus.ACTIVE,
                starts_on=TODAY - dt.timedelta(days=300),
                ends_on=TODAY + dt.timedelta(days=i), fee=Decimal("1200.00"),
                created_by_id=owner.user_id, updated_by_id=owner.user_id,
                devices=[ContractDevice(device_id=devices[(i + k) % 4].id)
                         for k in range(i % 3)])
            uow.session.add(contract)
            uow.flush()
            for k in range(i % 4):  # k tickets used, the first of them cancelled
                uow.session.add(ServiceTicket(
                    number=f"WX-{i:04d}-{k}", customer_id=customer.id,
                    contract_id=contract.id, channel=TicketChannel.WALK_IN,
                    mode=ServiceMode.BRING_IN, priority=Priority.NORMAL,
                    status=TicketStatus.CANCELLED if k == 0 else TicketStatus.RECEIVED,
                    symptoms="卡纸", chargeable=False, received_at=utcnow(),
                    intake_by_id=owner.user_id, created_by_id=owner.user_id,
                    updated_by_id=owner.user_id))
        uow.commit()


@pytest.mark.parametrize("n", SIZES)
def test_contract_lists_take_a_fixed_number_of_statements(uow, engine, sales_user, n):
    _contracts(uow, n, owner=sales_user)

    rows, count = measure(engine, lambda: list_contracts(uow=uow, actor=sales_user))
    assert len(rows) == n
    assert count == 4  # permissions; contracts with names, their devices, their used visits
    for r in rows:  # HT-0007: 7 % 3 devices, 7 % 4 tickets of which one cancelled
        i = int(r.number[3:])
        assert len(r.device_ids) == len(r.device_serials) == i % 3
        assert r.visits_used == max(0, i % 4 - 1)
        assert r.owner_name == ("张伟" if i % 2 else None)
    assert [r.ends_on for r in rows] == sorted((r.ends_on for r in rows), reverse=True)
    for row in rows:
        assert get_contract(uow=uow, actor=sales_user, contract_id=row.id) == row

    rows, count = measure(engine, lambda: list_contracts(uow=uow, actor=sales_user, limit=2))
    assert count == 4 and len(rows) == 2

    soon, count = measure(engine, lambda: contracts_expiring(
        uow=uow, actor=sales_user, within_days=30))
    assert count == 4 and len(soon) == n
    assert [r.ends_on for r in soon] == sorted(r.ends_on for r in soon)
    for row in soon:
        assert get_contract(uow=uow, actor=sales_user, contract_id=row.id) == row


def test_contract_list_in_scope_by_customer_owner(uow, engine, sales_user, other_sales_user):
    """A contract owned by nobody is visible through its customer's owner; another sales
    person's customers stay hidden (the joined customer does not leak into the scope)."""
    _contracts(uow, 3, owner=sales_user)
    assert list_contracts(uow=uow, actor=other_sales_user) == ()
    rows = list_contracts(uow=uow, actor=sales_user)
    assert len(rows) == 3 and any(r.owner_id is None for r in rows)


# --- knowledge -------------------------------------------------------------------------------


def _entries(uow, n, *, authors, lead):
    statuses = [KnowledgeStatus.APPROVED, KnowledgeStatus.PENDING, KnowledgeStatus.REJECTED]
    with uow:
        for i in range(n):
            status = statuses[i % 3]
            uow.session.add(KnowledgeEntry(
                number=f"ZS-{i:04d}", device_model="LaserJet M404", symptom=f"卡纸 进纸异响 {i}",
                cause="搓纸轮磨损", solution="更换搓纸轮", keywords="卡纸", status=status,
                author_id=authors[i % len(authors)].user_id, times_used=i % 5,
                approved_by_id=lead.user_id if status is KnowledgeStatus.APPROVED else None,
                approved_at=utcnow() if status is KnowledgeStatus.APPROVED else None,
                return_reason="请补充配件" if status is KnowledgeStatus.REJECTED else None,
                created_by_id=lead.user_id, updated_by_id=lead.user_id))
        uow.commit()


@pytest.mark.parametrize("n", SIZES)
def test_knowledge_lists_take_a_fixed_number_of_statements(uow, engine, technician, lead, n):
    _entries(uow, n, authors=[technician, lead], lead=lead)
    approved = len(range(0, n, 3))

    def check(rows, actor):
        for row in rows:
            assert get_knowledge(uow=uow, actor=actor, entry_id=row.id) == row

    rows, count = measure(engine, lambda: list_knowledge(uow=uow, actor=technician))
    assert count == 2 and len(rows) == approved
    assert {r.status for r in rows} == {KnowledgeStatus.APPROVED}
    assert {r.author_name for r in rows} <= {"王强", "维修主管"}
    check(rows, technician)

    rows, count = measure(engine, lambda: list_knowledge(uow=uow, actor=technician,
                                                         text="M404 卡纸"))
    assert count == 2 and len(rows) == approved

    rows, count = measure(engine, lambda: list_pending_knowledge(uow=uow, actor=lead))
    assert count == 2 and len(rows) == len(range(1, n, 3))
    check(rows, lead)

    rows, count = measure(engine, lambda: list_my_knowledge(uow=uow, actor=technician))
    assert count == 2 and len(rows) == len(range(0, n, 2))
    assert {r.author_name for r in rows} == {"王强"}
    assert rows[0].status is KnowledgeStatus.REJECTED
    check(rows, technician)

    found, count = measure(engine, lambda: suggest_solutions(
        uow=uow, actor=technician, device_model="LaserJet M404", symptoms="卡纸", limit=20))
    # permissions, candidates by model, candidates by symptom (with their authors' names)
    assert count == 3 and len(found) == min(approved, 20)
    check([s.entry for s in found], technician)

"""Service tickets: intake, SLA clock, coverage, dispatch, repair record and score, pickup."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from app.models import AppSetting, Device, Payment, PaymentAllocation, Product, utcnow
from app.models.enums import (
    ContractKind,
    ContractStatus,
    Priority,
    ProductCategory,
    ServiceMode,
    TicketStatus,
)
from app.models.service import (
    ContractDevice,
    RepairRecord,
    ServiceContract,
    ServiceTicket,
    TicketEvent,
)
from app.services.customers import CustomerDraft, create_customer
from app.services.errors import (
    ConflictError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from app.services.tickets import (
    TICKET_LIFECYCLE,
    IntakeDraft,
    NewDevice,
    PartLine,
    RepairDraft,
    TicketFilters,
    coverage_for,
    device_history,
    dispatch_ticket,
    get_ticket,
    get_ticket_by_number,
    intake_ticket,
    list_tickets,
    move_ticket,
    overdue_tickets,
    pickup_ticket,
    record_repair,
    service_score,
    technician_workload,
    ticket_id_for_repair,
)
from tests import people


@pytest.fixture
def lead(make_user):
    return make_user("lead1", "repair_lead", "repair", display_name="维修主管")


@pytest.fixture
def customer(uow, clerk):
    return create_customer(uow=uow, actor=clerk, draft=CustomerDraft(name="朝阳快印店"))


@pytest.fixture
def toner(uow, manager):
    with uow:
        p = Product(sku="HP-CF226A", name="HP 26A 硒鼓", category=ProductCategory.CONSUMABLE,
                    cost_price=Decimal("300.00"), list_price=Decimal("450.00"),
                    created_by_id=manager.user_id, updated_by_id=manager.user_id)
        uow.session.add(p)
        uow.commit()
        return p.id


def _intake(uow, actor, customer_id, **changes):
    base = dict(customer_id=customer_id, symptoms="卡纸，打印有黑线", accessories="电源线",
                new_device=NewDevice("HP", "LaserJet M404dn", "cnb1234567"))
    base.update(changes)
    return intake_ticket(uow=uow, actor=actor, draft=IntakeDraft(**base))


def _counts(uow):
    with uow:
        return tuple(uow.session.execute(select(func.count()).select_from(m)).scalar_one()
                     for m in (ServiceTicket, TicketEvent, Device, RepairRecord, Payment))


def _contract(uow, actor, customer_id, device_id, *, starts, ends,
              status=ContractStatus.ACTIVE):
    with uow:
        c = ServiceContract(number=f"HT-{starts:%Y%m%d}-{device_id}", customer_id=customer_id,
                            kind=ContractKind.FULL_SERVICE, status=status, starts_on=starts,
                            ends_on=ends, fee=Decimal("1200.00"),
                            created_by_id=actor.user_id, updated_by_id=actor.user_id,
                            devices=[ContractDevice(device_id=device_id)])
        uow.session.add(c)
        uow.commit()
        return c.id


# --- the whole life --------------------------------------------------------------------------


def test_whole_life_intake_dispatch_repair_pickup(uow, clerk, technician, lead, customer,
                                                  toner):
    t = _intake(uow, clerk, customer.id, priority=Priority.HIGH)
    assert t.number.startswith("WX-") and t.status is TicketStatus.RECEIVED
    assert t.serial_number == "CNB1234567" and t.chargeable and t.contract_id is None
    assert t.due_at == t.received_at + dt.timedelta(hours=8)

    load = {w.technician_id: w.open_tickets for w in technician_workload(uow=uow, actor=lead)}
    assert load == {technician.user_id: 0}
    t = dispatch_ticket(uow=uow, actor=lead, ticket_id=t.id, expected_version=t.version,
                        technician_id=technician.user_id)
    assert t.status is TicketStatus.DISPATCHED and t.technician_name == "王强"
    load = {w.technician_id: w.open_tickets for w in technician_workload(uow=uow, actor=lead)}
    assert load == {technician.user_id: 1}

    t = move_ticket(uow=uow, actor=technician, ticket_id=t.id, expected_version=t.version,
                    to=TicketStatus.IN_REPAIR)
    t = move_ticket(uow=uow, actor=technician, ticket_id=t.id, expected_version=t.version,
                    to=TicketStatus.WAITING_PARTS, note="等硒鼓")
    t = move_ticket(uow=uow, actor=technician, ticket_id=t.id, expected_version=t.version,
                    to=TicketStatus.IN_REPAIR)
    t = record_repair(uow=uow, actor=technician, ticket_id=t.id, expected_version=t.version,
                      draft=RepairDraft(work_done="更换硒鼓，清洁定影", job_type="bench_repair",
                                        difficulty=2, labour_minutes=45,
                                        labour_amount=Decimal("80.00"), customer_rating=5,
                                        parts=(PartLine(toner, 1),)))
    assert t.status is TicketStatus.DONE and t.total_charge == Decimal("530.00")
    with uow:
        rec = uow.session.execute(select(RepairRecord)).scalar_one()
        assert rec.on_time and rec.service_score == Decimal("6.00")  # 2×2 + 1 + 1
        assert rec.parts_cost == Decimal("300.00") and rec.parts_amount == Decimal("450.00")

    t = pickup_ticket(uow=uow, actor=clerk, ticket_id=t.id, expected_version=t.version,
                      payment_amount=Decimal("530.00"), method="wechat")
    assert t.status is TicketStatus.PICKED_UP and t.paid_amount == Decimal("530.00")
    assert t.picked_up_at is not None and t.open_charge == 0
    with uow:
        alloc = uow.session.execute(select(PaymentAllocation)).scalar_one()
        assert alloc.service_ticket_id == t.id and alloc.amount == Decimal("530.00")
        events = uow.session.execute(
            select(TicketEvent.from_status, TicketEvent.to_status)
            .order_by(TicketEvent.at, TicketEvent.id)).all()
    assert [e[1] for e in events] == [
        TicketStatus.RECEIVED, TicketStatus.DISPATCHED, TicketStatus.IN_REPAIR,
        TicketStatus.WAITING_PARTS, TicketStatus.IN_REPAIR, TicketStatus.DONE,
        TicketStatus.PICKED_UP]
    history = device_history(uow=uow, actor=lead, device_id=t.device_id)
    assert [h.id for h in history] == [t.id]
    t = move_ticket(uow=uow, actor=lead, ticket_id=t.id, expected_version=t.version,
                    to=TicketStatus.CLOSED)
    assert t.status is TicketStatus.CLOSED


def test_the_dispatch_is_logged_with_the_technician_and_the_appointment(
        uow, clerk, technician, lead, customer):
    from app.models import AuditEntry

    t = _intake(uow, clerk, customer.id, mode="on_site", site_address="海淀区中关村大街1号")
    visit = dt.datetime(2026, 12, 8, 9, 30, tzinfo=dt.UTC)
    dispatch_ticket(uow=uow, actor=lead, ticket_id=t.id, expected_version=t.version,
                    technician_id=technician.user_id, scheduled_at=visit)
    with uow:
        changes = uow.session.execute(
            select(AuditEntry.changes).where(AuditEntry.entity == "service_ticket",
                                             AuditEntry.entity_id == t.id)
            .order_by(AuditEntry.id.desc()).limit(1)).scalar_one()
    logged = json.loads(changes)
    assert logged["status"] == ["received", "dispatched"]
    assert logged["technician_id"] == [None, technician.user_id]
    assert logged["scheduled_at"] == [None, visit.isoformat()]


def test_device_history_newest_first(uow, clerk, customer):
    first = _intake(uow, clerk, customer.id, received_at=utcnow() - dt.timedelta(days=30))
    second = _intake(uow, clerk, customer.id, new_device=None, device_id=first.device_id)
    history = device_history(uow=uow, actor=clerk, device_id=first.device_id)
    assert [h.id for h in history] == [second.id, first.id]


def test_device_history_keeps_the_readers_ticket_scope(
        uow, clerk, technician, make_user, lead, customer):
    """A technician with "own" scope sees the repairs of a machine that were theirs, not a
    colleague's (its symptoms and charges): issue 12's read-path hole."""
    other = make_user("tech2", "technician", "repair")
    mine = _intake(uow, clerk, customer.id, received_at=utcnow() - dt.timedelta(days=30))
    theirs = _intake(uow, clerk, customer.id, new_device=None, device_id=mine.device_id)
    for ticket, who in ((mine, technician), (theirs, other)):
        dispatch_ticket(uow=uow, actor=lead, ticket_id=ticket.id,
                        expected_version=ticket.version, technician_id=who.user_id)
    assert [h.id for h in device_history(uow=uow, actor=technician,
                                         device_id=mine.device_id)] == [mine.id]
    assert [h.id for h in device_history(uow=uow, actor=lead,
                                         device_id=mine.device_id)] == [theirs.id, mine.id]


# --- SLA -------------------------------------------------------------------------------------


@pytest.mark.parametrize("priority,hours", [("urgent", 4), ("high", 8), ("normal", 24),
                                            ("low", 72)])
def test_sla_due_time_per_priority(uow, clerk, customer, priority, hours):
    t = _intake(uow, clerk, customer.id, priority=priority, new_device=None)
    assert t.due_at - t.received_at == dt.timedelta(hours=hours)


def test_sla_hours_come_from_settings(uow, clerk, customer, manager):
    with uow:
        uow.session.add(AppSetting(key="service_rules",
                                   value=json.dumps({"sla_hours": {"urgent": 2}}),
                                   created_by_id=manager.user_id, updated_by_id=manager.user_id))
        uow.commit()
    t = _intake(uow, clerk, customer.id, priority="urgent", new_device=None)
    assert t.due_at - t.received_at == dt.timedelta(hours=2)


def test_overdue_tickets_and_flag(uow, clerk, lead, customer):
    now = utcnow()
    late = _intake(uow, clerk, customer.id, priority="urgent", new_device=None,
                   received_at=now - dt.timedelta(hours=5))
    fresh = _intake(uow, clerk, customer.id, priority="urgent", new_device=None)
    assert [t.id for t in overdue_tickets(uow=uow, actor=lead, now=now)] == [late.id]
    page = list_tickets(uow=uow, actor=lead)
    flags = {t.id: t.overdue for t in page.rows}
    assert flags == {late.id: True, fresh.id: False}
    only = list_tickets(uow=uow, actor=lead, filters=TicketFilters(overdue_only=True))
    assert [t.id for t in only.rows] == [late.id]
    # A cancelled ticket is no longer overdue.
    move_ticket(uow=uow, actor=lead, ticket_id=late.id, expected_version=late.version,
                to=TicketStatus.CANCELLED)
    assert overdue_tickets(uow=uow, actor=lead, now=now) == ()


def test_list_tickets_keyset_paging(uow, clerk, lead, customer):
    base = utcnow() - dt.timedelta(hours=10)
    made = [_intake(uow, clerk, customer.id, new_device=None,
                    received_at=base + dt.timedelta(hours=i)).id for i in range(5)]
    page = list_tickets(uow=uow, actor=lead, limit=2)
    seen = [t.id for t in page.rows]
    while page.next_after:
        page = list_tickets(uow=uow, actor=lead, limit=2, after=page.next_after)
        seen += [t.id for t in page.rows]
    assert seen == list(reversed(made))


# --- contract coverage -----------------------------------------------------------------------


def test_contract_coverage_free_vs_charged(uow, clerk, technician, lead, customer):
    covered = _intake(uow, clerk, customer.id)
    today = dt.date.today()
    _contract(uow, lead, customer.id, covered.device_id, starts=today - dt.timedelta(days=10),
              ends=today + dt.timedelta(days=300))
    assert coverage_for(uow=uow, actor=lead, device_id=covered.device_id, on=today) is not None
    assert coverage_for(uow=uow, actor=lead, device_id=covered.device_id,
                        on=today + dt.timedelta(days=400)) is None
    free = _intake(uow, clerk, customer.id, new_device=None, device_id=covered.device_id)
    assert not free.chargeable and free.contract_id is not None

    other = _intake(uow, clerk, customer.id,
                    new_device=NewDevice("Canon", "iR2525", "CN-EXPIRED"))
    _contract(uow, lead, customer.id, other.device_id, starts=today - dt.timedelta(days=400),
              ends=today - dt.timedelta(days=35))
    charged = _intake(uow, clerk, customer.id, new_device=None, device_id=other.device_id)
    assert charged.chargeable and charged.contract_id is None

    for ticket in (free, charged):
        t = dispatch_ticket(uow=uow, actor=lead, ticket_id=ticket.id,
                            expected_version=ticket.version, technician_id=technician.user_id)
        t = move_ticket(uow=uow, actor=technician, ticket_id=t.id,
                        expected_version=t.version, to="in_repair")
        t = record_repair(uow=uow, actor=technician, ticket_id=t.id,
                          expected_version=t.version,
                          draft=RepairDraft(work_done="清洁", job_type="maintenance",
                                            labour_amount="120.00"))
        expected = Decimal("0.00") if t.id == free.id else Decimal("120.00")
        assert t.total_charge == expected


# --- score -----------------------------------------------------------------------------------


@pytest.mark.parametrize("job_type,difficulty,rating,on_time,expected", [
    ("bench_repair", 1, 5, True, "4.00"),     # 2×1 + (5−3)×0.5 + 1
    ("on_site_repair", 2, 3, False, "5.00"),  # 3×2 + 0 − 1
    ("maintenance", 1, 1, False, "0.50"),     # 1.5 − 1 − 1 = −0.5 → minimum 0.5
    ("installation", 3, None, True, "7.00"),  # 2×3 + no rating + 1
])
def test_score_worked_table(job_type, difficulty, rating, on_time, expected):
    assert service_score(job_type, difficulty, rating, on_time) == Decimal(expected)


def test_late_repair_is_scored_late(uow, clerk, technician, lead, customer):
    t = _intake(uow, clerk, customer.id, priority="urgent", new_device=None,
                received_at=utcnow() - dt.timedelta(hours=6))
    t = dispatch_ticket(uow=uow, actor=lead, ticket_id=t.id, expected_version=t.version,
                        technician_id=technician.user_id)
    t = move_ticket(uow=uow, actor=technician, ticket_id=t.id, expected_version=t.version,
                    to="in_repair")
    record_repair(uow=uow, actor=technician, ticket_id=t.id, expected_version=t.version,
                  draft=RepairDraft(work_done="x", job_type="on_site_repair", difficulty=2,
                                    customer_rating=3))
    with uow:
        rec = uow.session.execute(select(RepairRecord)).scalar_one()
        assert rec.on_time is False and rec.service_score == Decimal("5.00")


# --- permissions -----------------------------------------------------------------------------


def test_technician_cannot_dispatch_and_sales_cannot_intake(uow, clerk, technician,
                                                            sales_user, customer):
    t = _intake(uow, clerk, customer.id)
    with pytest.raises(PermissionDenied):
        dispatch_ticket(uow=uow, actor=technician, ticket_id=t.id, expected_version=t.version,
                        technician_id=technician.user_id)
    with pytest.raises(PermissionDenied):
        _intake(uow, sales_user, customer.id, new_device=None)
    with pytest.raises(PermissionDenied):
        _intake(uow, technician, customer.id, new_device=None)


def test_technician_sees_only_their_tickets(uow, make_user, clerk, technician, lead, customer):
    other = make_user("tech2", "technician", "repair")
    mine = _intake(uow, clerk, customer.id, new_device=None)
    theirs = _intake(uow, clerk, customer.id, new_device=None)
    dispatch_ticket(uow=uow, actor=lead, ticket_id=mine.id, expected_version=mine.version,
                    technician_id=technician.user_id)
    dispatch_ticket(uow=uow, actor=lead, ticket_id=theirs.id, expected_version=theirs.version,
                    technician_id=other.user_id)
    assert [t.id for t in list_tickets(uow=uow, actor=technician).rows] == [mine.id]
    assert len(list_tickets(uow=uow, actor=lead).rows) == 2
    with pytest.raises(people.REFUSED):
        get_ticket(uow=uow, actor=technician, ticket_id=theirs.id)
    theirs = get_ticket(uow=uow, actor=lead, ticket_id=theirs.id)
    with pytest.raises(people.REFUSED):
        move_ticket(uow=uow, actor=technician, ticket_id=theirs.id,
                    expected_version=theirs.version, to="in_repair")


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("changes,field", [
    ({"symptoms": "   "}, "symptoms"),
    ({"mode": ServiceMode.ON_SITE}, "site_address"),
    ({"priority": "whenever"}, "priority"),
])
def test_bad_intake_is_refused_and_writes_nothing(uow, clerk, customer, changes, field):
    before = _counts(uow)
    with pytest.raises(ValidationError) as err:
        _intake(uow, clerk, customer.id, **changes)
    assert field in err.value.errors
    assert _counts(uow) == before


def test_duplicate_serial_is_refused(uow, clerk, customer):
    _intake(uow, clerk, customer.id)
    before = _counts(uow)
    with pytest.raises(ValidationError) as err:
        _intake(uow, clerk, customer.id)
    assert "new_device.serial_number" in err.value.errors
    assert _counts(uow) == before


def test_eight_desks_taking_in_the_same_new_machine_at_once_make_one_device(
        uow, engine, make_user, customer):
    """The unique index decides, not the look-up each desk does first: one device, and
    every other desk a clear refusal on the serial number field."""
    import threading

    from app.models import Device
    from app.services.uow import UnitOfWork

    desks = [make_user(f"desk{i}", "counter_clerk", "storefront") for i in range(8)]
    barrier = threading.Barrier(len(desks))
    outcomes: list[object] = []

    def desk(i: int) -> None:
        unit = UnitOfWork.for_engine(engine)
        try:
            barrier.wait()
            outcomes.append(_intake(unit, desks[i], customer.id,
                                    new_device=NewDevice("Canon", "iR 2625", "QLK-RACE-01")))
        except BaseException as exc:  # noqa: BLE001 - inspected below
            outcomes.append(exc)

    threads = [threading.Thread(target=desk, args=(i,)) for i in range(len(desks))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    with uow:
        devices = uow.session.execute(select(func.count()).select_from(Device).where(
            Device.serial_number == "QLK-RACE-01")).scalar_one()
    assert devices == 1
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(outcomes) == 8 and len(refused) <= 7
    for error in refused:
        # SQLite's single writer may also turn a desk away as busy (ConflictError).
        assert isinstance(error, (ValidationError, ConflictError)), repr(error)
        if isinstance(error, ValidationError):
            assert set(error.errors) == {"new_device.serial_number"}


@pytest.fixture
def in_repair(uow, clerk, technician, lead, customer):
    t = _intake(uow, clerk, customer.id)
    t = dispatch_ticket(uow=uow, actor=lead, ticket_id=t.id, expected_version=t.version,
                        technician_id=technician.user_id)
    return move_ticket(uow=uow, actor=technician, ticket_id=t.id, expected_version=t.version,
                       to="in_repair")


@pytest.mark.parametrize("changes,field", [
    ({"customer_rating": 7}, "customer_rating"),
    ({"labour_amount": "-5"}, "labour_amount"),
    ({"difficulty": 4}, "difficulty"),
    ({"job_type": "magic"}, "job_type"),
    ({"work_done": ""}, "work_done"),
])
def test_bad_repair_record_is_refused(uow, technician, in_repair, changes, field):
    before = _counts(uow)
    draft = RepairDraft(**{"work_done": "x", "job_type": "bench_repair", **changes})
    with pytest.raises(ValidationError) as err:
        record_repair(uow=uow, actor=technician, ticket_id=in_repair.id,
                      expected_version=in_repair.version, draft=draft)
    assert field in err.value.errors
    assert _counts(uow) == before
    assert get_ticket(uow=uow, actor=technician, ticket_id=in_repair.id).status \
        is TicketStatus.IN_REPAIR


def test_overpayment_at_pickup_is_refused(uow, clerk, technician, in_repair):
    t = record_repair(uow=uow, actor=technician, ticket_id=in_repair.id,
                      expected_version=in_repair.version,
                      draft=RepairDraft(work_done="x", job_type="bench_repair",
                                        labour_amount="100.00"))
    before = _counts(uow)
    with pytest.raises(ValidationError) as err:
        pickup_ticket(uow=uow, actor=clerk, ticket_id=t.id, expected_version=t.version,
                      payment_amount="100.01", method="cash")
    assert "payment_amount" in err.value.errors
    assert _counts(uow) == before
    t = get_ticket(uow=uow, actor=clerk, ticket_id=t.id)
    assert t.status is TicketStatus.DONE and t.paid_amount == 0


def test_stale_version_conflicts(uow, clerk, technician, lead, customer):
    t = _intake(uow, clerk, customer.id)
    dispatch_ticket(uow=uow, actor=lead, ticket_id=t.id, expected_version=t.version,
                    technician_id=technician.user_id)
    with pytest.raises(ConflictError):
        move_ticket(uow=uow, actor=lead, ticket_id=t.id, expected_version=t.version,
                    to=TicketStatus.CANCELLED)


def test_illegal_moves_are_refused(uow, clerk, technician, lead, in_repair):
    with pytest.raises(InvalidTransition):
        move_ticket(uow=uow, actor=lead, ticket_id=in_repair.id,
                    expected_version=in_repair.version, to=TicketStatus.CANCELLED)
    with pytest.raises(InvalidTransition):
        move_ticket(uow=uow, actor=lead, ticket_id=in_repair.id,
                    expected_version=in_repair.version, to=TicketStatus.CLOSED)
    with pytest.raises(InvalidTransition):
        pickup_ticket(uow=uow, actor=clerk, ticket_id=in_repair.id,
                      expected_version=in_repair.version)


def test_every_lifecycle_edge_names_a_real_state():
    states = set(TicketStatus)
    for a, b in TICKET_LIFECYCLE.edges:
        assert a in states and b in states and a != b
    reachable = {TICKET_LIFECYCLE.initial}
    frontier = [TICKET_LIFECYCLE.initial]
    while frontier:
        for nxt in TICKET_LIFECYCLE.targets(frontier.pop()):
            if nxt not in reachable:
                reachable.add(nxt)
                frontier.append(nxt)
    assert reachable == states
    assert all(TICKET_LIFECYCLE.label(s).strip() for s in states)  # every state has a name


def test_contact_of_another_customer_is_refused(uow, clerk, customer):
    from app.services.customers import ContactDraft
    other = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(
        name="海淀文印社", contacts=(ContactDraft(name="赵老板"),)))
    before = _counts(uow)
    with pytest.raises(ValidationError) as err:
        _intake(uow, clerk, customer.id, contact_id=other.contacts[0].id)
    assert "contact_id" in err.value.errors
    assert _counts(uow) == before


# --- lookup by number, history, repair summary ----------------------------------------------


def test_get_ticket_by_number_any_status(uow, clerk, technician, in_repair):
    t = get_ticket_by_number(uow=uow, actor=clerk, number=f"  {in_repair.number.lower()} ")
    assert t.id == in_repair.id and t.status is TicketStatus.IN_REPAIR and t.repair is None
    with pytest.raises(NotFound, match="WX-NOPE"):
        get_ticket_by_number(uow=uow, actor=clerk, number="WX-NOPE")
    with pytest.raises(NotFound):
        get_ticket_by_number(uow=uow, actor=clerk, number="  ")


def test_get_ticket_by_number_checks_scope(uow, make_user, clerk, lead, customer):
    other = make_user("tech2", "technician", "repair")
    t = _intake(uow, clerk, customer.id, new_device=None)
    with pytest.raises(people.REFUSED):
        get_ticket_by_number(uow=uow, actor=other, number=t.number)
    dispatch_ticket(uow=uow, actor=lead, ticket_id=t.id, expected_version=t.version,
                    technician_id=other.user_id)
    assert get_ticket_by_number(uow=uow, actor=other, number=t.number).id == t.id


def test_events_and_repair_summary(uow, clerk, technician, lead, in_repair):
    t = move_ticket(uow=uow, actor=technician, ticket_id=in_repair.id,
                    expected_version=in_repair.version, to="waiting_parts", note="等硒鼓")
    t = move_ticket(uow=uow, actor=technician, ticket_id=t.id, expected_version=t.version,
                    to="in_repair")
    t = record_repair(uow=uow, actor=technician, ticket_id=t.id, expected_version=t.version,
                      draft=RepairDraft(work_done="更换定影组件", cause="定影膜破损",
                                        result="正常", job_type="bench_repair",
                                        labour_amount="80.00"))
    view = get_ticket(uow=uow, actor=clerk, ticket_id=t.id)
    steps = [(e.from_status, e.to_status) for e in view.events]
    assert steps == [
        (None, TicketStatus.RECEIVED), (TicketStatus.RECEIVED, TicketStatus.DISPATCHED),
        (TicketStatus.DISPATCHED, TicketStatus.IN_REPAIR),
        (TicketStatus.IN_REPAIR, TicketStatus.WAITING_PARTS),
        (TicketStatus.WAITING_PARTS, TicketStatus.IN_REPAIR),
        (TicketStatus.IN_REPAIR, TicketStatus.DONE)]
    assert [e.by_name for e in view.events][:3] == ["门市小王", "维修主管", "王强"]
    assert view.events[3].note == "等硒鼓"
    assert [e.at for e in view.events] == sorted(e.at for e in view.events)
    r = view.repair
    assert r is not None and r.work_done == "更换定影组件" and r.cause == "定影膜破损"
    assert r.result == "正常" and r.labour_amount == Decimal("80.00")
    assert r.parts_amount == 0 and r.service_score > 0 and r.technician_name == "王强"
    assert get_ticket_by_number(uow=uow, actor=clerk, number=t.number).repair == r
    # list pages stay cheap: no history there
    assert list_tickets(uow=uow, actor=lead).rows[0].events == ()


@pytest.mark.parametrize("waits", [0, 15])
def test_ticket_query_count_does_not_grow_with_history(uow, engine, technician, in_repair,
                                                       waits):
    t = in_repair
    for _ in range(waits):
        t = move_ticket(uow=uow, actor=technician, ticket_id=t.id, expected_version=t.version,
                        to="waiting_parts")
        t = move_ticket(uow=uow, actor=technician, ticket_id=t.id, expected_version=t.version,
                        to="in_repair")
    get_ticket(uow=uow, actor=technician, ticket_id=t.id)  # warm the role cache
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        view = get_ticket(uow=uow, actor=technician, ticket_id=t.id)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(view.events) == 3 + 2 * waits
    assert len(statements) <= 9, statements


def test_ticket_id_for_repair(uow, make_user, technician, in_repair):
    t = record_repair(uow=uow, actor=technician, ticket_id=in_repair.id,
                      expected_version=in_repair.version,
                      draft=RepairDraft(work_done="x", job_type="bench_repair"))
    assert t.repair is not None
    assert ticket_id_for_repair(uow=uow, actor=technician, repair_id=t.repair.id) == t.id
    with pytest.raises(NotFound):
        ticket_id_for_repair(uow=uow, actor=technician, repair_id=t.repair.id + 999)
    other = make_user("tech2", "technician", "repair")
    with pytest.raises(people.REFUSED):
        ticket_id_for_repair(uow=uow, actor=other, repair_id=t.repair.id)


def test_intake_devices_lists_a_key_accounts_machines_for_the_desk_only(
        uow, clerk, sales_user, technician):
    from app.services.customers import CustomerDraft, DeviceDraft, create_customer
    from app.services.errors import PermissionDenied
    from app.services.tickets import intake_devices

    customer = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="朝阳快印店", devices=(DeviceDraft(brand="HP", model="LaserJet M404dn",
                                              serial_number="CNB4040"),)))
    [device] = intake_devices(uow=uow, actor=clerk, customer_id=customer.id)
    assert (device.model, device.serial_number) == ("LaserJet M404dn", "CNB4040")
    for refused in (sales_user, technician):  # neither takes devices in
        with pytest.raises(PermissionDenied):
            intake_devices(uow=uow, actor=refused, customer_id=customer.id)

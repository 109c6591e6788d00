"""Request keys on visits, walk-ins, repair records, pickups and tasks: one save per key."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.models import (
    AuditEntry,
    Contact,
    Customer,
    Device,
    Payment,
    PaymentAllocation,
    RequestKey,
    Task,
    Visit,
)
from app.models.enums import AuditAction, PaymentMethod, Priority, TicketStatus, VisitKind
from app.models.service import RepairRecord, ServiceTicket, TicketEvent
from app.services.customers import ContactDraft, CustomerDraft, create_customer
from app.services.errors import ValidationError
from app.services.requests import was_saved
from app.services.tasks import TaskDraft, create_task
from app.services.tickets import (
    IntakeDraft,
    NewDevice,
    RepairDraft,
    dispatch_ticket,
    get_ticket,
    intake_ticket,
    move_ticket,
    pickup_ticket,
    record_repair,
)
from app.services.visits import VisitDraft, record_visit, record_walk_in

D = Decimal
KEY = "form-0b6d2e91c4a7"
BAD_KEYS = ["short", "has space!", "x" * 65, "a;b'c--d", ""]
COUNTED = (Customer, Contact, Visit, Task, ServiceTicket, TicketEvent, Device, RepairRecord,
           Payment, PaymentAllocation, RequestKey)


def _counts(engine) -> dict[str, int]:
    """Rows per table, read with the owner's rights (a secured server's row rules aside).

    Audit entries of changes only: a secured server also audits the duplicate check's
    phone lookups, which are reads."""
    with engine.connect() as conn:
        counts = {m.__name__: conn.execute(select(func.count()).select_from(m)).scalar_one()
                  for m in COUNTED}
        counts["AuditEntry"] = conn.execute(
            select(func.count()).select_from(AuditEntry)
            .where(AuditEntry.action != AuditAction.PHONE_LOOKUP)).scalar_one()
        return counts


def _grew(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: after[k] - before[k] for k in before if after[k] != before[k]}


@pytest.fixture
def lead(make_user):
    return make_user("lead1", "repair_lead", "repair", display_name="维修主管")


@pytest.fixture
def office(make_user):
    return make_user("office1", "management_clerk", "management", display_name="管理部小陈")


@pytest.fixture
def customer(uow, clerk) -> int:
    return create_customer(uow=uow, actor=clerk, draft=CustomerDraft(name="朝阳快印店")).id


# --- visits --------------------------------------------------------------------------------


def _visit_draft(customer_id: int | None = None) -> VisitDraft:
    return VisitDraft(purpose="询问打印机报价", customer_id=customer_id, kind=VisitKind.VISIT,
                      occurred_at=dt.datetime.now().astimezone() - dt.timedelta(hours=1))


def test_a_visit_sent_twice_with_one_key_is_recorded_once(uow, engine, clerk, customer):
    draft = _visit_draft(customer)
    first = record_visit(uow=uow, actor=clerk, draft=draft, request_key=KEY)
    before = _counts(engine)
    assert record_visit(uow=uow, actor=clerk, draft=draft, request_key=KEY) == first
    assert _counts(engine) == before
    assert before["Visit"] == 1 and before["RequestKey"] == 1
    assert was_saved(uow=uow, actor=clerk, key=KEY) == ("visit", first.id)


def test_a_visit_key_of_another_person_is_refused_and_nothing_written(
        uow, engine, clerk, clerk2, customer):
    record_visit(uow=uow, actor=clerk, draft=_visit_draft(customer), request_key=KEY)
    before = _counts(engine)
    with pytest.raises(ValidationError) as caught:
        record_visit(uow=uow, actor=clerk2, draft=_visit_draft(customer), request_key=KEY)
    assert set(caught.value.errors) == {"request_key"}
    assert _counts(engine) == before


@pytest.mark.parametrize("bad", BAD_KEYS)
def test_a_visit_with_a_malformed_key_is_refused(uow, engine, clerk, customer, bad):
    before = _counts(engine)
    with pytest.raises(ValidationError) as caught:
        record_visit(uow=uow, actor=clerk, draft=_visit_draft(customer), request_key=bad)
    assert set(caught.value.errors) == {"request_key"}
    assert _counts(engine) == before


# --- walk-ins ------------------------------------------------------------------------------


def _card(name: str = "双井图文", phone: str = "010-85551234",
          mobile: str = "13600002222") -> CustomerDraft:
    return CustomerDraft(name=name, phone=phone,
                         contacts=(ContactDraft(name="陈老板", mobile=mobile),))


def _walk_in_visit() -> VisitDraft:
    return VisitDraft(purpose="买硒鼓", kind=VisitKind.WALK_IN,
                      products_of_interest="HP 88A 硒鼓")


def test_a_walk_in_with_a_new_card_sent_twice_saves_one_customer_and_one_visit(
        uow, engine, clerk):
    first = record_walk_in(uow=uow, actor=clerk, customer=_card(), visit=_walk_in_visit(),
                           request_key=KEY)
    assert first.customer_created and first.customer is not None
    before = _counts(engine)
    # No duplicate warning about the customer the first attempt created: it is the same call.
    again = record_walk_in(uow=uow, actor=clerk, customer=_card(), visit=_walk_in_visit(),
                           request_key=KEY)
    assert again == first
    assert _counts(engine) == before
    assert before["Customer"] == 1 and before["Visit"] == 1 and before["RequestKey"] == 1
    assert was_saved(uow=uow, actor=clerk, key=KEY) == ("visit", first.visit.id)


def test_a_walk_in_for_an_existing_customer_sent_twice_saves_one_visit(
        uow, engine, clerk, customer):
    first = record_walk_in(uow=uow, actor=clerk, customer_id=customer,
                           visit=_walk_in_visit(), request_key=KEY)
    before = _counts(engine)
    again = record_walk_in(uow=uow, actor=clerk, customer_id=customer,
                           visit=_walk_in_visit(), request_key=KEY)
    assert again == first and not again.customer_created and again.customer is None
    assert _counts(engine) == before and before["Visit"] == 1


def test_a_walk_in_key_of_another_person_is_refused_and_nothing_written(
        uow, engine, clerk, clerk2):
    record_walk_in(uow=uow, actor=clerk, customer=_card(), visit=_walk_in_visit(),
                   request_key=KEY)
    before = _counts(engine)
    # Another customer (on a secured server clerk2 cannot read clerk's key, so the
    # refusal comes only when the key is written, after the duplicate check).
    with pytest.raises(ValidationError) as caught:
        record_walk_in(uow=uow, actor=clerk2,
                       customer=_card("团结湖复印", "010-65559876", "13800003333"),
                       visit=_walk_in_visit(), request_key=KEY)
    assert set(caught.value.errors) == {"request_key"}
    assert _counts(engine) == before


@pytest.mark.parametrize("bad", BAD_KEYS)
def test_a_walk_in_with_a_malformed_key_is_refused(uow, engine, clerk, customer, bad):
    before = _counts(engine)
    with pytest.raises(ValidationError) as caught:
        record_walk_in(uow=uow, actor=clerk, customer=_card(), visit=_walk_in_visit(),
                       request_key=bad)
    assert set(caught.value.errors) == {"request_key"}
    with pytest.raises(ValidationError) as caught:
        record_walk_in(uow=uow, actor=clerk, customer_id=customer, visit=_walk_in_visit(),
                       request_key=bad)
    assert set(caught.value.errors) == {"request_key"}
    assert _counts(engine) == before


# --- repair records and pickups --------------------------------------------------------------


def _in_repair(uow, clerk, lead, technician, customer_id, serial):
    t = intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(
        customer_id=customer_id, symptoms="卡纸，打印有黑线",
        new_device=NewDevice("HP", "LaserJet M404dn", serial)))
    t = dispatch_ticket(uow=uow, actor=lead, ticket_id=t.id, expected_version=t.version,
                        technician_id=technician.user_id)
    return move_ticket(uow=uow, actor=technician, ticket_id=t.id, expected_version=t.version,
                       to=TicketStatus.IN_REPAIR)


def _repair_draft() -> RepairDraft:
    return RepairDraft(work_done="更换搓纸轮，清洁定影", job_type="bench_repair", difficulty=2,
                       labour_minutes=45, labour_amount=D("120.00"))


def _repair(uow, actor, ticket, *, key=None):
    return record_repair(uow=uow, actor=actor, ticket_id=ticket.id,
                         expected_version=ticket.version, draft=_repair_draft(),
                         request_key=key)


@pytest.fixture
def in_repair(uow, clerk, lead, technician, customer):
    return _in_repair(uow, clerk, lead, technician, customer, "cnb1000001")


@pytest.fixture
def done(uow, technician, in_repair):
    return _repair(uow, technician, in_repair)


def test_a_repair_record_sent_twice_with_one_key_is_saved_once(
        uow, engine, technician, in_repair):
    first = _repair(uow, technician, in_repair, key=KEY)
    assert first.status is TicketStatus.DONE
    before = _counts(engine)
    # The retry still carries the version the form loaded: no conflict, the same ticket.
    assert _repair(uow, technician, in_repair, key=KEY) == first
    assert _counts(engine) == before
    assert before["RepairRecord"] == 1 and before["RequestKey"] == 1
    with engine.connect() as conn:
        record_id = conn.execute(select(RepairRecord.id)).scalar_one()
    assert was_saved(uow=uow, actor=technician, key=KEY) == ("repair_record", record_id)


def test_a_repair_key_of_another_person_or_ticket_is_refused_and_nothing_written(
        uow, engine, clerk, lead, technician, customer, in_repair):
    other = _in_repair(uow, clerk, lead, technician, customer, "cnb1000002")
    _repair(uow, technician, in_repair, key=KEY)
    before = _counts(engine)
    with pytest.raises(ValidationError) as caught:  # the lead, who may record it too
        _repair(uow, lead, other, key=KEY)
    assert set(caught.value.errors) == {"request_key"}
    with pytest.raises(ValidationError) as caught:  # the same person, another ticket
        _repair(uow, technician, other, key=KEY)
    assert set(caught.value.errors) == {"request_key"}
    assert _counts(engine) == before
    assert get_ticket(uow=uow, actor=lead, ticket_id=other.id).status \
        is TicketStatus.IN_REPAIR


@pytest.mark.parametrize("bad", BAD_KEYS)
def test_a_repair_record_with_a_malformed_key_is_refused(uow, engine, technician, in_repair,
                                                         bad):
    before = _counts(engine)
    with pytest.raises(ValidationError) as caught:
        _repair(uow, technician, in_repair, key=bad)
    assert set(caught.value.errors) == {"request_key"}
    assert _counts(engine) == before
    assert get_ticket(uow=uow, actor=technician, ticket_id=in_repair.id) == in_repair


def _pickup(uow, actor, ticket, amount="120.00", *, key=None):
    return pickup_ticket(uow=uow, actor=actor, ticket_id=ticket.id,
                         expected_version=ticket.version, payment_amount=amount,
                         method=PaymentMethod.WECHAT, request_key=key)


def _paid(engine, ticket_id: int) -> Decimal:
    with engine.connect() as conn:
        return conn.execute(select(ServiceTicket.paid_amount)
                            .where(ServiceTicket.id == ticket_id)).scalar_one()


def test_a_pickup_sent_twice_with_one_key_takes_the_money_once(uow, engine, clerk, done):
    first = _pickup(uow, clerk, done, key=KEY)
    assert first.status is TicketStatus.PICKED_UP and first.paid_amount == D("120.00")
    before = _counts(engine)
    # The ticket is picked up and its version moved on: the retry returns it all the same,
    # neither a version conflict nor "not ready for pickup".
    assert _pickup(uow, clerk, done, key=KEY) == first
    assert _counts(engine) == before
    assert before["Payment"] == 1 and before["PaymentAllocation"] == 1
    assert before["RequestKey"] == 1 and _paid(engine, done.id) == D("120.00")
    assert was_saved(uow=uow, actor=clerk, key=KEY) == ("pickup", done.id)


def test_a_pickup_without_payment_sent_twice_is_saved_once(uow, engine, clerk, done):
    first = pickup_ticket(uow=uow, actor=clerk, ticket_id=done.id,
                          expected_version=done.version, request_key=KEY)
    before = _counts(engine)
    assert pickup_ticket(uow=uow, actor=clerk, ticket_id=done.id,
                         expected_version=done.version, request_key=KEY) == first
    assert _counts(engine) == before and first.open_charge == D("120.00")


def test_a_pickup_key_of_another_person_or_ticket_is_refused_and_nothing_written(
        uow, engine, clerk, clerk2, lead, technician, customer, done):
    other = _repair(uow, technician,
                    _in_repair(uow, clerk, lead, technician, customer, "cnb1000003"))
    _pickup(uow, clerk, done, key=KEY)
    before = _counts(engine)
    with pytest.raises(ValidationError) as caught:  # another clerk at the counter
        _pickup(uow, clerk2, other, key=KEY)
    assert set(caught.value.errors) == {"request_key"}
    with pytest.raises(ValidationError) as caught:  # the same clerk, another ticket
        _pickup(uow, clerk, other, key=KEY)
    assert set(caught.value.errors) == {"request_key"}
    assert _counts(engine) == before and _paid(engine, other.id) == D("0.00")
    assert get_ticket(uow=uow, actor=clerk, ticket_id=other.id) == other


@pytest.mark.parametrize("bad", BAD_KEYS)
def test_a_pickup_with_a_malformed_key_is_refused(uow, engine, clerk, done, bad):
    before = _counts(engine)
    with pytest.raises(ValidationError) as caught:
        _pickup(uow, clerk, done, key=bad)
    assert set(caught.value.errors) == {"request_key"}
    assert _counts(engine) == before and _paid(engine, done.id) == D("0.00")
    assert get_ticket(uow=uow, actor=clerk, ticket_id=done.id) == done


# --- tasks ---------------------------------------------------------------------------------


def _task_draft(assignee_id: int) -> TaskDraft:
    return TaskDraft(title="回访朝阳快印店", assignee_id=assignee_id,
                     due_on=dt.date.today() + dt.timedelta(days=3), priority=Priority.HIGH)


def test_a_task_sent_twice_with_one_key_is_assigned_once(uow, engine, office, sales_user):
    first = create_task(uow=uow, actor=office, draft=_task_draft(sales_user.user_id),
                        request_key=KEY)
    before = _counts(engine)
    assert create_task(uow=uow, actor=office, draft=_task_draft(sales_user.user_id),
                       request_key=KEY) == first
    assert _counts(engine) == before
    assert before["Task"] == 1 and before["RequestKey"] == 1
    assert was_saved(uow=uow, actor=office, key=KEY) == ("task", first.id)


def test_a_task_key_of_another_person_or_kind_is_refused_and_nothing_written(
        uow, engine, office, lead, technician, sales_user, in_repair):
    create_task(uow=uow, actor=lead, draft=_task_draft(technician.user_id), request_key=KEY)
    before = _counts(engine)
    with pytest.raises(ValidationError) as caught:  # another person's task
        create_task(uow=uow, actor=office, draft=_task_draft(sales_user.user_id),
                    request_key=KEY)
    assert set(caught.value.errors) == {"request_key"}
    with pytest.raises(ValidationError) as caught:  # the lead's task key, for a repair
        _repair(uow, lead, in_repair, key=KEY)
    assert set(caught.value.errors) == {"request_key"}
    assert _counts(engine) == before


@pytest.mark.parametrize("bad", BAD_KEYS)
def test_a_task_with_a_malformed_key_is_refused(uow, engine, office, sales_user, bad):
    before = _counts(engine)
    with pytest.raises(ValidationError) as caught:
        create_task(uow=uow, actor=office, draft=_task_draft(sales_user.user_id),
                    request_key=bad)
    assert set(caught.value.errors) == {"request_key"}
    assert _counts(engine) == before

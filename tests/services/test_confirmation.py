"""Management's confirmation queue: visits, orders and repair records are confirmed or returned."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.models import AuditEntry, Order, RepairRecord, Visit
from app.models.enums import ConfirmStatus, TicketStatus, VisitKind
from app.services.confirmation import (
    RecordKind,
    confirm_record,
    confirmation_queue,
    correct_repair_record,
    get_repair_correction,
    return_record,
    returned_to_me,
    submit_record,
)
from app.services.customers import CustomerDraft, create_customer
from app.services.errors import (
    ConflictError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from app.services.sales import OrderDraft, OrderLineDraft, create_order, update_order
from app.services.tickets import (
    IntakeDraft,
    NewDevice,
    RepairDraft,
    dispatch_ticket,
    intake_ticket,
    move_ticket,
    record_repair,
)
from app.services.visits import VisitDraft, record_visit, submit_visit, update_visit
from tests import people, run_day

# --- helpers shared with the to-do and UI tests ------------------------------------------


def make_visit(uow, actor, customer_id, purpose="询问打印机报价", *, submit=True,
               follow_up_on=None):
    visit = record_visit(uow=uow, actor=actor, draft=VisitDraft(
        purpose=purpose, customer_id=customer_id, kind=VisitKind.VISIT,
        occurred_at=run_day.now() - dt.timedelta(hours=2),  # the follow-up: by the run's day
        follow_up_on=follow_up_on, next_step="打电话确认" if follow_up_on else None))
    if submit:
        visit = submit_visit(uow=uow, actor=actor, visit_id=visit.id)
    return visit


def make_order(uow, actor, customer_id, price="1200.00"):
    return create_order(uow=uow, actor=actor, draft=OrderDraft(
        customer_id=customer_id, lines=(OrderLineDraft(description="HP 26A 硒鼓",
                                                       quantity=2, unit_price=price),)))


def make_repair(uow, clerk, lead, technician, customer_id, serial="CNB7654321"):
    """A ticket taken in, dispatched and repaired; returns the repair record's id."""
    t = intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(
        customer_id=customer_id, symptoms="卡纸，打印有黑线",
        new_device=NewDevice("HP", "LaserJet M404dn", serial)))
    t = dispatch_ticket(uow=uow, actor=lead, ticket_id=t.id, expected_version=t.version,
                        technician_id=technician.user_id)
    t = move_ticket(uow=uow, actor=technician, ticket_id=t.id, expected_version=t.version,
                    to=TicketStatus.IN_REPAIR)
    t = record_repair(uow=uow, actor=technician, ticket_id=t.id, expected_version=t.version,
                      draft=RepairDraft(work_done="更换搓纸轮", job_type="bench_repair",
                                        labour_amount=Decimal("80.00")))
    assert t.repair is not None
    return t.repair.id


@pytest.fixture
def office(make_user):
    return make_user("office1", "management_clerk", "management", display_name="管理部小陈")


@pytest.fixture
def lead(make_user):
    return make_user("lead1", "repair_lead", "repair", display_name="维修主管")


@pytest.fixture
def customer(uow, sales_user):
    return create_customer(uow=uow, actor=sales_user,
                           draft=CustomerDraft(name="北京鑫锐科技有限公司"))


def _audits(uow, action):
    with uow:
        return uow.session.execute(
            select(AuditEntry.entity, AuditEntry.entity_id, AuditEntry.user_id,
                   AuditEntry.changes).where(AuditEntry.action == action)
            .order_by(AuditEntry.id)).all()


def _version(uow, model, record_id):
    with uow:
        return uow.session.get(model, record_id).version


# --- the queue ---------------------------------------------------------------------------


def test_the_queue_lists_the_three_kinds_with_author_and_amount(
        uow, office, sales_user, clerk, technician, lead, customer):
    visit = make_visit(uow, sales_user, customer.id)
    draft_visit = make_visit(uow, sales_user, customer.id, "未提交", submit=False)
    order = make_order(uow, sales_user, customer.id)
    repair_id = make_repair(uow, clerk, lead, technician, customer.id)

    queue = confirmation_queue(uow=uow, actor=office)
    by_kind = {(i.kind, i.id): i for i in queue}
    assert set(by_kind) == {(RecordKind.VISIT, visit.id), (RecordKind.ORDER, order.id),
                            (RecordKind.REPAIR, repair_id)}
    assert (RecordKind.VISIT, draft_visit.id) not in by_kind
    o = by_kind[(RecordKind.ORDER, order.id)]
    assert (o.reference, o.author_name, o.customer_name, o.amount) == (
        order.number, "张伟", "北京鑫锐科技有限公司", Decimal("2400.00"))
    r = by_kind[(RecordKind.REPAIR, repair_id)]
    assert r.author_name == "王强" and r.amount == Decimal("80.00")
    assert r.summary == "更换搓纸轮"
    assert r.reference.startswith("WX-")
    assert by_kind[(RecordKind.VISIT, visit.id)].amount is None
    assert [i.submitted_at for i in queue] == sorted(i.submitted_at for i in queue)

    # Only the kinds asked for; the limit holds.
    assert {i.kind for i in confirmation_queue(uow=uow, actor=office,
                                               kinds=(RecordKind.ORDER,))} == {RecordKind.ORDER}
    assert len(confirmation_queue(uow=uow, actor=office, limit=1)) == 1


def test_the_queue_respects_module_and_scope(uow, office, sales_user, clerk, technician, lead,
                                             customer):
    make_visit(uow, sales_user, customer.id)
    make_order(uow, sales_user, customer.id)
    repair_id = make_repair(uow, clerk, lead, technician, customer.id)
    # The repair lead confirms repair records only (no CONFIRM on visits or orders).
    assert [(i.kind, i.id) for i in confirmation_queue(uow=uow, actor=lead)] == [
        (RecordKind.REPAIR, repair_id)]
    for actor in (sales_user, clerk, technician):
        with pytest.raises(PermissionDenied):
            confirmation_queue(uow=uow, actor=actor)


# --- confirm and return ------------------------------------------------------------------


def test_confirm_keeps_who_and_when_and_is_audited(uow, office, sales_user, customer):
    order = make_order(uow, sales_user, customer.id)
    version = _version(uow, Order, order.id)
    done = confirm_record(uow=uow, actor=office, kind="order", record_id=order.id,
                          expected_version=version)
    assert done.status is ConfirmStatus.CONFIRMED and done.decided_by_id == office.user_id
    with uow:
        row = uow.session.get(Order, order.id)
        assert row.confirm_status == "confirmed" and row.confirmed_by_id == office.user_id
        assert row.confirmed_at is not None
        assert abs(row.confirmed_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    entity, entity_id, user_id, changes = _audits(uow, "confirm")[-1]
    assert (entity, entity_id, user_id) == ("order", order.id, office.user_id)
    assert json.loads(changes)["confirm_status"] == ["submitted", "confirmed"]
    assert confirmation_queue(uow=uow, actor=office) == ()
    # Once confirmed it is not confirmed or returned again.
    with pytest.raises(InvalidTransition):
        return_record(uow=uow, actor=office, kind="order", record_id=order.id,
                      expected_version=done.version, comment="再看看")


def test_return_needs_a_comment_and_reaches_the_author(uow, office, sales_user,
                                                       other_sales_user, customer):
    visit = make_visit(uow, sales_user, customer.id)
    version = _version(uow, Visit, visit.id)
    for blank in ("", "   ", None):
        with pytest.raises(ValidationError) as error:
            return_record(uow=uow, actor=office, kind=RecordKind.VISIT, record_id=visit.id,
                          expected_version=version, comment=blank)
        assert "comment" in error.value.errors
    with pytest.raises(ValidationError):
        return_record(uow=uow, actor=office, kind=RecordKind.VISIT, record_id=visit.id,
                      expected_version=version, comment="长" * 501)
    with uow:
        assert uow.session.get(Visit, visit.id).confirm_status == "submitted"
    assert _audits(uow, "return") == []

    done = return_record(uow=uow, actor=office, kind=RecordKind.VISIT, record_id=visit.id,
                         expected_version=version, comment="请补充客户需求")
    assert done.status is ConfirmStatus.RETURNED and done.return_comment == "请补充客户需求"
    mine = returned_to_me(uow=uow, actor=sales_user)
    assert [(i.kind, i.id, i.comment, i.returned_by_name) for i in mine] == [
        (RecordKind.VISIT, visit.id, "请补充客户需求", "管理部小陈")]
    assert returned_to_me(uow=uow, actor=other_sales_user) == ()
    assert json.loads(_audits(uow, "return")[-1][3])["return_comment"] == "请补充客户需求"


def test_the_author_corrects_and_resubmits_a_returned_record(uow, office, sales_user,
                                                              customer):
    visit = make_visit(uow, sales_user, customer.id)
    returned = return_record(uow=uow, actor=office, kind="visit", record_id=visit.id,
                             expected_version=_version(uow, Visit, visit.id),
                             comment="请补充结果")
    edited = update_visit(uow=uow, actor=sales_user, visit_id=visit.id,
                          expected_version=returned.version,
                          draft=replace(visit.to_draft(), outcome="客户要两台"))
    again = submit_record(uow=uow, actor=sales_user, kind="visit", record_id=visit.id,
                          expected_version=edited.version)
    assert again.status is ConfirmStatus.SUBMITTED and again.return_comment is None
    assert returned_to_me(uow=uow, actor=sales_user) == ()
    assert [i.id for i in confirmation_queue(uow=uow, actor=office)] == [visit.id]

    # A returned order: the author edits the draft order and submits it again.
    order = make_order(uow, sales_user, customer.id)
    r = return_record(uow=uow, actor=office, kind="order", record_id=order.id,
                      expected_version=_version(uow, Order, order.id), comment="请核对单价")
    fixed = update_order(uow=uow, actor=sales_user, order_id=order.id,
                         expected_version=r.version, draft=OrderDraft(
                             customer_id=customer.id, lines=(OrderLineDraft(
                                 description="HP 26A 硒鼓", quantity=2, unit_price="1100.00"),)))
    assert fixed.total_amount == Decimal("2200.00")
    again = submit_record(uow=uow, actor=sales_user, kind="order", record_id=order.id,
                          expected_version=fixed.version)
    assert again.status is ConfirmStatus.SUBMITTED


def test_an_order_changed_after_confirmation_goes_back_to_the_queue(uow, office, sales_user,
                                                                    customer):
    order = make_order(uow, sales_user, customer.id)
    done = confirm_record(uow=uow, actor=office, kind="order", record_id=order.id,
                          expected_version=_version(uow, Order, order.id))
    update_order(uow=uow, actor=sales_user, order_id=order.id, expected_version=done.version,
                 draft=OrderDraft(customer_id=customer.id, lines=(OrderLineDraft(
                     description="HP 26A 硒鼓", quantity=3, unit_price="1200.00"),)))
    assert [(i.kind, i.id) for i in confirmation_queue(uow=uow, actor=office)] == [
        (RecordKind.ORDER, order.id)]


def test_refusals(uow, office, manager, sales_user, other_sales_user, clerk, technician, lead,
                  customer, make_user):
    order = make_order(uow, sales_user, customer.id)
    repair_id = make_repair(uow, clerk, lead, technician, customer.id)
    order_version = _version(uow, Order, order.id)
    # No CONFIRM on orders: salespeople, the repair lead.
    for actor in (sales_user, other_sales_user, lead):
        with pytest.raises(PermissionDenied):
            confirm_record(uow=uow, actor=actor, kind="order", record_id=order.id,
                           expected_version=order_version)
    # The technician may not confirm their own repair record, nor may the author anything.
    with pytest.raises(PermissionDenied):
        confirm_record(uow=uow, actor=technician, kind="repair", record_id=repair_id,
                       expected_version=_version(uow, RepairRecord, repair_id))
    own = make_order(uow, office, customer.id)
    with pytest.raises(PermissionDenied):
        confirm_record(uow=uow, actor=office, kind="order", record_id=own.id,
                       expected_version=_version(uow, Order, own.id))
    # Another salesperson may not submit someone else's record.
    r = return_record(uow=uow, actor=office, kind="order", record_id=order.id,
                      expected_version=order_version, comment="请核对")
    with pytest.raises(people.REFUSED):
        submit_record(uow=uow, actor=other_sales_user, kind="order", record_id=order.id,
                      expected_version=r.version)
    # Unknown record and kind.
    with pytest.raises(NotFound):
        confirm_record(uow=uow, actor=office, kind="order", record_id=999999,
                       expected_version=1)
    with pytest.raises(ValueError):
        confirm_record(uow=uow, actor=office, kind="invoice", record_id=order.id,
                       expected_version=1)
    with uow:
        assert uow.session.get(Order, order.id).confirm_status == "returned"
    # The repair lead may confirm the technician's repair record.
    done = confirm_record(uow=uow, actor=lead, kind="repair", record_id=repair_id,
                          expected_version=_version(uow, RepairRecord, repair_id))
    assert done.status is ConfirmStatus.CONFIRMED and done.decided_by_id == lead.user_id
    # A manager may confirm nothing that is not submitted.
    with pytest.raises(InvalidTransition):
        confirm_record(uow=uow, actor=manager, kind="order", record_id=order.id,
                       expected_version=r.version)


def test_a_stale_version_is_a_conflict_and_changes_nothing(uow, office, manager, sales_user,
                                                          customer):
    order = make_order(uow, sales_user, customer.id)
    loaded = _version(uow, Order, order.id)
    confirm_record(uow=uow, actor=manager, kind="order", record_id=order.id,
                   expected_version=loaded)
    with pytest.raises(ConflictError) as error:
        return_record(uow=uow, actor=office, kind="order", record_id=order.id,
                      expected_version=loaded, comment="单价不对")
    assert "总经理" in str(error.value)
    with uow:
        row = uow.session.get(Order, order.id)
        assert row.confirm_status == "confirmed" and row.return_comment is None
        assert row.confirmed_by_id == manager.user_id
        assert uow.session.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "return")).scalar_one() == 0


def test_the_technician_corrects_a_returned_repair_record(uow, office, lead, clerk, technician,
                                                          make_user, customer):
    repair_id = make_repair(uow, clerk, lead, technician, customer.id)
    r = return_record(uow=uow, actor=lead, kind="repair", record_id=repair_id,
                      expected_version=_version(uow, RepairRecord, repair_id),
                      comment="请补充故障原因")
    loaded = get_repair_correction(uow=uow, actor=technician, record_id=repair_id)
    assert (loaded.work_done, loaded.return_comment) == ("更换搓纸轮", "请补充故障原因")
    other = make_user("tech2", "technician", "repair", display_name="赵磊")
    with pytest.raises(people.REFUSED):
        correct_repair_record(uow=uow, actor=other, record_id=repair_id,
                              expected_version=r.version, work_done="x", cause=None,
                              result=None)
    with pytest.raises(ValidationError) as error:
        correct_repair_record(uow=uow, actor=technician, record_id=repair_id,
                              expected_version=r.version, work_done=" ", cause="搓纸轮磨损",
                              result=None)
    assert "work_done" in error.value.errors
    fixed = correct_repair_record(uow=uow, actor=technician, record_id=repair_id,
                                  expected_version=r.version, work_done="更换搓纸轮",
                                  cause="搓纸轮磨损", result="测试正常")
    assert fixed.status is ConfirmStatus.SUBMITTED and fixed.cause == "搓纸轮磨损"
    with pytest.raises(ConflictError):
        correct_repair_record(uow=uow, actor=technician, record_id=repair_id,
                              expected_version=r.version, work_done="y", cause=None,
                              result=None)
    with uow:
        row = uow.session.get(RepairRecord, repair_id)
        assert (row.cause, row.labour_amount, row.return_comment) == (
            "搓纸轮磨损", Decimal("80.00"), None)
    assert [(i.kind, i.id) for i in confirmation_queue(uow=uow, actor=lead)] == [
        (RecordKind.REPAIR, repair_id)]
    done = confirm_record(uow=uow, actor=lead, kind="repair", record_id=repair_id,
                          expected_version=fixed.version)
    with pytest.raises(InvalidTransition):
        correct_repair_record(uow=uow, actor=technician, record_id=repair_id,
                              expected_version=done.version, work_done="z", cause=None,
                              result=None)


# --- reading a repair record before confirming it ------------------------------------------


def _repair_with_parts(uow, clerk, lead, technician, manager, customer_id):
    from app.models import Product
    from app.models.enums import ProductCategory
    from app.services.tickets import PartLine
    with uow:
        p = Product(sku="HP-CF226A", name="HP 26A 硒鼓", category=ProductCategory.CONSUMABLE,
                    cost_price=Decimal("300.00"), list_price=Decimal("450.00"),
                    created_by_id=manager.user_id, updated_by_id=manager.user_id)
        uow.session.add(p)
        uow.commit()
        toner = p.id
    t = intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(
        customer_id=customer_id, symptoms="卡纸，打印有黑线",
        new_device=NewDevice("HP", "LaserJet M404dn", "CNB1112223")))
    t = dispatch_ticket(uow=uow, actor=lead, ticket_id=t.id, expected_version=t.version,
                        technician_id=technician.user_id)
    t = move_ticket(uow=uow, actor=technician, ticket_id=t.id, expected_version=t.version,
                    to=TicketStatus.IN_REPAIR)
    t = record_repair(uow=uow, actor=technician, ticket_id=t.id, expected_version=t.version,
                      draft=RepairDraft(work_done="更换硒鼓，清洁定影", job_type="bench_repair",
                                        cause="硒鼓老化", result="打印正常", difficulty=2,
                                        labour_minutes=95, labour_amount=Decimal("80.00"),
                                        customer_rating=5, parts=(PartLine(toner, 2),)))
    assert t.repair is not None
    return t


def test_management_reads_the_whole_repair_record_with_costs(
        uow, office, lead, clerk, technician, manager, customer):
    from app.services.confirmation import get_repair_record
    ticket = _repair_with_parts(uow, clerk, lead, technician, manager, customer.id)
    assert ticket.repair is not None
    d = get_repair_record(uow=uow, actor=office, record_id=ticket.repair.id)
    assert (d.ticket_number, d.customer_name, d.technician_name) == (
        ticket.number, "北京鑫锐科技有限公司", "王强")
    assert d.device_label == "HP LaserJet M404dn" and d.symptoms == "卡纸，打印有黑线"
    assert (d.work_done, d.cause, d.result) == ("更换硒鼓，清洁定影", "硒鼓老化", "打印正常")
    assert (d.job_type, d.difficulty, d.labour_minutes, d.customer_rating) == (
        "bench_repair", 2, 95, 5)
    assert d.labour_amount == Decimal("80.00") and d.parts_amount == Decimal("900.00")
    assert d.charge == Decimal("980.00") and d.parts_cost == Decimal("600.00")
    with uow:
        stored = uow.session.get(RepairRecord, d.id)
        assert d.service_score == stored.service_score and d.version == stored.version
    assert [(p.description, p.quantity, p.unit_price, p.amount, p.unit_cost)
            for p in d.parts] == [("HP 26A 硒鼓", Decimal("2"), Decimal("450.00"),
                                   Decimal("900.00"), Decimal("300.00"))]
    assert d.status is ConfirmStatus.SUBMITTED and d.return_comment is None
    assert not d.cost_hidden
    # After a return, the record says who returned it, when and why.
    return_record(uow=uow, actor=lead, kind="repair", record_id=d.id,
                  expected_version=d.version, comment="请写明定影组件的状况")
    again = get_repair_record(uow=uow, actor=office, record_id=d.id)
    assert again.status is ConfirmStatus.RETURNED
    assert again.return_comment == "请写明定影组件的状况"
    assert again.decided_by_name == "维修主管" and again.decided_at is not None


def test_the_technician_reads_the_record_without_the_parts_cost(
        uow, office, lead, clerk, technician, manager, customer):
    from app.services.confirmation import get_repair_record
    ticket = _repair_with_parts(uow, clerk, lead, technician, manager, customer.id)
    assert ticket.repair is not None
    d = get_repair_record(uow=uow, actor=technician, record_id=ticket.repair.id)
    assert d.cost_hidden and d.parts_cost is None
    assert [p.unit_cost for p in d.parts] == [None]
    # The prices the customer pays stay visible.
    assert d.parts_amount == Decimal("900.00") and d.parts[0].unit_price == Decimal("450.00")


def test_reading_a_repair_record_is_refused_outside_module_and_scope(
        uow, lead, clerk, technician, manager, sales_user, make_user, customer):
    from app.services.confirmation import get_repair_record
    ticket = _repair_with_parts(uow, clerk, lead, technician, manager, customer.id)
    assert ticket.repair is not None
    other_tech = make_user("tech2", "technician", "repair", display_name="赵磊")
    with pytest.raises(PermissionDenied):  # no service tickets module at all
        get_repair_record(uow=uow, actor=sales_user, record_id=ticket.repair.id)
    with pytest.raises(people.REFUSED):  # another technician's record
        get_repair_record(uow=uow, actor=other_tech, record_id=ticket.repair.id)
    with pytest.raises(NotFound):
        get_repair_record(uow=uow, actor=lead, record_id=ticket.repair.id + 999)
    # The clerk who took the ticket in (department scope) may read it.
    assert get_repair_record(uow=uow, actor=clerk, record_id=ticket.repair.id).cost_hidden


# --- counter visits go to the queue as they are recorded ----------------------------------


def test_a_walk_in_visit_lands_submitted_in_the_queue(uow, office, clerk, customer):
    from app.services.visits import record_walk_in
    new = record_walk_in(uow=uow, actor=clerk, customer=CustomerDraft(name="朝阳快印店"),
                         visit=VisitDraft(purpose="买硒鼓", kind=VisitKind.WALK_IN))
    existing = record_walk_in(uow=uow, actor=clerk, customer_id=new.customer_id,
                              visit=VisitDraft(purpose="取发票", kind=VisitKind.WALK_IN))
    kept = record_walk_in(uow=uow, actor=clerk, customer_id=new.customer_id, submit=False,
                          visit=VisitDraft(purpose="草稿", kind=VisitKind.WALK_IN))
    assert new.visit.confirm_status is ConfirmStatus.SUBMITTED
    assert existing.visit.confirm_status is ConfirmStatus.SUBMITTED
    assert kept.visit.confirm_status is ConfirmStatus.DRAFT
    with uow:
        assert uow.session.get(Visit, new.visit.id).confirm_status == "submitted"
    queued = {(i.kind, i.id) for i in confirmation_queue(uow=uow, actor=office)}
    assert queued == {(RecordKind.VISIT, new.visit.id), (RecordKind.VISIT, existing.visit.id)}
    # Management confirms it like any submitted visit.
    done = confirm_record(uow=uow, actor=office, kind="visit", record_id=new.visit.id,
                          expected_version=_version(uow, Visit, new.visit.id))
    assert done.status is ConfirmStatus.CONFIRMED


def test_a_returned_visit_view_carries_the_comment_and_who_returned_it(
        uow, office, sales_user, customer):
    from app.services.visits import get_visit
    visit = make_visit(uow, sales_user, customer.id)
    assert visit.return_comment is None and visit.decided_by_name is None
    return_record(uow=uow, actor=office, kind="visit", record_id=visit.id,
                  expected_version=_version(uow, Visit, visit.id), comment="请补充联系人")
    seen = get_visit(uow=uow, actor=sales_user, visit_id=visit.id)
    assert seen.confirm_status is ConfirmStatus.RETURNED
    assert seen.return_comment == "请补充联系人" and seen.decided_by_name == "管理部小陈"
    assert seen.decided_at is not None
    again = submit_visit(uow=uow, actor=sales_user, visit_id=visit.id)
    assert again.return_comment is None and again.decided_at is None


def test_an_order_view_carries_the_confirmation_state_and_return_comment(
        uow, office, sales_user, customer):
    from app.services.sales import get_order
    order = make_order(uow, sales_user, customer.id)
    seen = get_order(uow=uow, actor=sales_user, order_id=order.id)
    assert seen.confirm_status is ConfirmStatus.SUBMITTED and seen.return_comment is None
    return_record(uow=uow, actor=office, kind="order", record_id=order.id,
                  expected_version=_version(uow, Order, order.id), comment="单价请核对")
    seen = get_order(uow=uow, actor=sales_user, order_id=order.id)
    assert seen.confirm_status is ConfirmStatus.RETURNED
    assert (seen.return_comment, seen.decided_by_name) == ("单价请核对", "管理部小陈")
    assert seen.decided_at is not None

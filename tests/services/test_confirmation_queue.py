"""The whole confirmation queue, page by page, with its counts; confirming a selection."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, event, func, select

from app import i18n
from app.demo import generate_demo_data
from app.models import AuditEntry, Order, RepairRecord, Role, User, Visit
from app.services.auth import actor_for
from app.services.confirmation import (
    MAX_BATCH,
    QUEUE_SORT_KEYS,
    RecordKind,
    RecordRef,
    confirm_record,
    confirm_records,
    confirmation_counts,
    page_confirmation_queue,
    return_record,
    waiting_record_keys,
)
from app.services.customers import CustomerDraft, create_customer
from app.services.errors import PermissionDenied, ValidationError
from app.services.paging import Sort
from app.services.permissions import Actor
from app.services.uow import UnitOfWork
from tests import people
from tests.services.test_confirmation import _version, make_order, make_repair, make_visit

# The walk-through's demo database: 1 500 customers, seed 1 (a few hundred records wait).
DEMO_DAY = dt.date(2026, 12, 5)


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


def _all_pages(uow: UnitOfWork, actor: Actor, *, limit: int, sort: Sort | None = None,
               kinds: tuple[RecordKind, ...] = ()) -> list[tuple[RecordKind, int]]:
    seen: list[tuple[RecordKind, int]] = []
    after = None
    while True:
        page = page_confirmation_queue(uow=uow, actor=actor, after=after, limit=limit,
                                       sort=sort, kinds=kinds)
        seen.extend((i.kind, i.id) for i in page.rows)
        if page.next_after is None:
            return seen
        after = page.next_after


def _confirm_audits(uow: UnitOfWork) -> list[tuple[str, int, str]]:
    with uow:
        return [(e, i, json.loads(c)["confirm_status"][1]) for e, i, c in uow.session.execute(
            select(AuditEntry.entity, AuditEntry.entity_id, AuditEntry.changes)
            .where(AuditEntry.action == "confirm").order_by(AuditEntry.id)).all()]


# --- the queue on the demo data --------------------------------------------------------------


@pytest.fixture
def demo_queue(engine: Engine, uow: UnitOfWork) -> Iterator[Actor]:
    """The demo database of the walk-through; yields the management clerk (office1)."""
    generate_demo_data(engine, customers=1500, seed=1, today=DEMO_DAY)
    with uow:
        user, role = uow.session.execute(
            select(User, Role.code).join(Role, Role.id == User.role_id)
            .where(User.username == "office1")).one()
        yield actor_for(user, role, "management")


def _waiting(uow: UnitOfWork) -> set[tuple[RecordKind, int]]:
    """Every record waiting for confirmation, read straight from the tables."""
    with uow:
        waiting = {(RecordKind.VISIT, i) for i in uow.session.scalars(
            select(Visit.id).where(Visit.confirm_status == "submitted"))}
        waiting |= {(RecordKind.ORDER, i) for i in uow.session.scalars(
            select(Order.id).where(Order.confirm_status == "submitted",
                                   Order.status != "cancelled"))}
        waiting |= {(RecordKind.REPAIR, i) for i in uow.session.scalars(
            select(RepairRecord.id).where(RepairRecord.confirm_status == "submitted"))}
    return waiting


@pytest.mark.slow
def test_the_queue_reaches_every_waiting_demo_record(uow: UnitOfWork,
                                                     demo_queue: Actor) -> None:
    waiting = _waiting(uow)
    expected = {k: sum(1 for kind, _ in waiting if kind is k) for k in RecordKind}
    # The demo has records of every kind waiting, more than a few pages of them.
    assert len(waiting) > 200 and all(expected.values()), expected
    first = page_confirmation_queue(uow=uow, actor=demo_queue, limit=100, with_total=True)
    assert first.total == len(waiting)
    assert first.counts == expected
    assert confirmation_counts(uow=uow, actor=demo_queue) == expected
    # Paging to the end, oldest first: every record once, orders and repair records too.
    seen = _all_pages(uow, demo_queue, limit=100)
    assert len(seen) == len(set(seen)) == len(waiting)
    assert set(seen) == waiting
    # Select all's keys: the same records in one read, oldest first as the queue lists them.
    keys = waiting_record_keys(uow=uow, actor=demo_queue)
    assert [(k.kind, k.id) for k in keys] == seen
    # The same records in every order a column sorts by, both ways.
    for key in QUEUE_SORT_KEYS:
        for descending in (False, True):
            again = _all_pages(uow, demo_queue, limit=64, sort=Sort(key, descending))
            assert sorted(again) == sorted(seen), (key, descending)
    # One kind asked for: its records and its total; the counts still name every kind.
    repairs = page_confirmation_queue(uow=uow, actor=demo_queue, kinds=("repair",),
                                      limit=10, with_total=True)
    assert repairs.total == expected[RecordKind.REPAIR] and repairs.counts == expected
    assert len(_all_pages(uow, demo_queue, limit=10, kinds=(RecordKind.REPAIR,))) \
        == expected[RecordKind.REPAIR]


# --- paging and counts -----------------------------------------------------------------------


def test_pages_follow_the_order_asked_for_and_count_per_kind(
        uow, office, sales_user, clerk, technician, lead, customer):
    visits = [make_visit(uow, sales_user, customer.id, f"拜访 {n}") for n in range(3)]
    orders = [make_order(uow, sales_user, customer.id, price=p) for p in ("450.00", "600.00")]
    repair_id = make_repair(uow, clerk, lead, technician, customer.id)

    page = page_confirmation_queue(uow=uow, actor=office, limit=2, with_total=True)
    assert page.total == 6 and len(page.rows) == 2 and page.next_after is not None
    assert page.counts == {RecordKind.VISIT: 3, RecordKind.ORDER: 2, RecordKind.REPAIR: 1}
    oldest = _all_pages(uow, office, limit=2)
    assert oldest[:3] == [(RecordKind.VISIT, v.id) for v in visits]
    assert oldest[3:] == [*((RecordKind.ORDER, o.id) for o in orders),
                          (RecordKind.REPAIR, repair_id)]
    # By amount, largest first; a visit has none and comes last.
    by_amount = _all_pages(uow, office, limit=2, sort=Sort("amount", descending=True))
    assert by_amount[:3] == [(RecordKind.ORDER, orders[1].id), (RecordKind.ORDER, orders[0].id),
                             (RecordKind.REPAIR, repair_id)]
    assert {k for k, _ in by_amount[3:]} == {RecordKind.VISIT}
    # The repair lead confirms repair records only: its counts name that kind alone.
    mine = page_confirmation_queue(uow=uow, actor=lead, with_total=True)
    assert [(i.kind, i.id) for i in mine.rows] == [(RecordKind.REPAIR, repair_id)]
    assert mine.counts == {RecordKind.REPAIR: 1} and mine.total == 1


def test_the_queue_refuses_who_may_confirm_nothing_and_bad_asks(uow, office, sales_user,
                                                               technician, lead):
    for actor in (sales_user, technician):
        with pytest.raises(PermissionDenied):
            page_confirmation_queue(uow=uow, actor=actor)
    with pytest.raises(PermissionDenied):  # the lead asks for orders only
        page_confirmation_queue(uow=uow, actor=lead, kinds=("order",))
    with pytest.raises(ValidationError) as error:
        page_confirmation_queue(uow=uow, actor=office, kinds=("invoice",))
    assert "kinds" in error.value.errors
    with pytest.raises(ValidationError) as error:
        page_confirmation_queue(uow=uow, actor=office, sort=Sort("symptoms"))
    assert "sort" in error.value.errors
    with pytest.raises(ValidationError):
        page_confirmation_queue(uow=uow, actor=office, after=("x", "y"))


# --- confirming a selection ------------------------------------------------------------------


def test_a_mixed_selection_is_confirmed_one_audit_row_each(
        uow, office, sales_user, clerk, technician, lead, customer):
    visit = make_visit(uow, sales_user, customer.id)
    order = make_order(uow, sales_user, customer.id)
    repair_id = make_repair(uow, clerk, lead, technician, customer.id)
    selection = [(i.kind, i.id, i.version)
                 for i in page_confirmation_queue(uow=uow, actor=office).rows]
    assert len(selection) == 3

    result = confirm_records(uow=uow, actor=office, records=selection)
    assert result.refused == ()
    assert {(r.kind, r.id) for r in result.confirmed} == {
        (RecordKind.VISIT, visit.id), (RecordKind.ORDER, order.id),
        (RecordKind.REPAIR, repair_id)}
    with uow:
        for model, record_id in ((Visit, visit.id), (Order, order.id),
                                 (RepairRecord, repair_id)):
            row = uow.session.get(model, record_id)
            assert row.confirm_status == "confirmed"
            assert row.confirmed_by_id == office.user_id
    assert sorted(_confirm_audits(uow)) == sorted([
        ("visit", visit.id, "confirmed"), ("order", order.id, "confirmed"),
        ("repair_record", repair_id, "confirmed")])
    assert page_confirmation_queue(uow=uow, actor=office, with_total=True).total == 0


def test_records_changed_or_decided_meanwhile_are_reported_and_the_rest_confirmed(
        uow, office, manager, sales_user, customer):
    orders = [make_order(uow, sales_user, customer.id) for _ in range(4)]
    listed = {i.id: i for i in page_confirmation_queue(uow=uow, actor=office).rows}
    # Meanwhile: the manager confirms the first; the second is returned; the third is
    # changed by its author (a new version, still waiting).
    confirm_record(uow=uow, actor=manager, kind="order", record_id=orders[0].id,
                   expected_version=listed[orders[0].id].version)
    from app.services.confirmation import return_record
    return_record(uow=uow, actor=manager, kind="order", record_id=orders[1].id,
                  expected_version=listed[orders[1].id].version, comment="请核对单价")
    with uow:
        uow.session.get(Order, orders[2].id).notes = "客户改了送货时间"
        uow.commit()
    own = make_order(uow, office, customer.id)  # the clerk's own: never self-confirmed

    selection = [RecordRef(RecordKind.ORDER, o.id, listed[o.id].version) for o in orders]
    selection.append(RecordRef(RecordKind.ORDER, own.id, _version(uow, Order, own.id)))
    selection.append(RecordRef(RecordKind.ORDER, 999_999, 1))  # deleted meanwhile
    i18n.set_language("zh")
    try:
        result = confirm_records(uow=uow, actor=office, records=selection)
    finally:
        i18n.set_language("en")
    assert [r.id for r in result.confirmed] == [orders[3].id]
    refused = {r.id: r for r in result.refused}
    assert set(refused) == {orders[0].id, orders[1].id, orders[2].id, own.id, 999_999}
    assert all(refused[o.id].conflict for o in orders[:3])
    assert not refused[own.id].conflict and not refused[999_999].conflict
    assert "总经理" in refused[orders[0].id].reason  # who changed it, in Chinese
    assert "不能确认" in refused[own.id].reason
    with uow:
        states = {o.id: (uow.session.get(Order, o.id).confirm_status,
                         uow.session.get(Order, o.id).confirmed_by_id) for o in orders}
    assert states[orders[0].id] == ("confirmed", manager.user_id)
    assert states[orders[1].id] == ("returned", manager.user_id)
    assert states[orders[2].id] == ("submitted", None)  # not overwritten
    assert states[orders[3].id] == ("confirmed", office.user_id)
    assert [a for a in _confirm_audits(uow) if a[1] != orders[0].id] == [
        ("order", orders[3].id, "confirmed")]


def test_who_may_not_confirm_a_kind_changes_nothing(uow, office, sales_user, clerk,
                                                   technician, lead, customer):
    order = make_order(uow, sales_user, customer.id)
    repair_id = make_repair(uow, clerk, lead, technician, customer.id)
    selection = [("repair", repair_id, _version(uow, RepairRecord, repair_id)),
                 ("order", order.id, _version(uow, Order, order.id))]
    # The repair lead may confirm repair records but not orders: nothing is confirmed.
    for actor in (lead, sales_user, technician):
        with pytest.raises(people.REFUSED):
            confirm_records(uow=uow, actor=actor, records=selection)
    assert _confirm_audits(uow) == []
    # The lead's own kind alone is allowed.
    done = confirm_records(uow=uow, actor=lead, records=selection[:1])
    assert [r.id for r in done.confirmed] == [repair_id] and done.refused == ()


@pytest.mark.parametrize("records", [
    [], (), None, "order", [("order",)], [("invoice", 1, 1)], [("order", "7", 1)],
    [("order", 7, None)], [("order", 7, 1), ("order", 7, 1)], [("order", True, 1)],
    [("order", -3, 1)],
])
def test_a_bad_selection_is_refused_in_the_users_language_and_changes_nothing(
        uow, office, sales_user, customer, records):
    order = make_order(uow, sales_user, customer.id)
    i18n.set_language("zh")
    try:
        with pytest.raises(ValidationError) as error:
            confirm_records(uow=uow, actor=office, records=records)
    finally:
        i18n.set_language("en")
    assert "records" in error.value.errors
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(error.value))
    assert ":" not in str(error.value)  # a sentence, not "records: …"
    with uow:
        assert uow.session.get(Order, order.id).confirm_status == "submitted"
        assert uow.session.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "confirm")).scalar_one() == 0


def test_a_selection_longer_than_the_limit_is_refused(uow, office):
    too_many = [("order", n, 1) for n in range(1, MAX_BATCH + 2)]
    with pytest.raises(ValidationError) as error:
        confirm_records(uow=uow, actor=office, records=too_many)
    assert str(MAX_BATCH) in str(error.value)


# --- select all: the keys of every waiting record ------------------------------------------


def test_the_keys_of_every_waiting_record_of_the_filter_are_read_in_one_query(
        uow, office, sales_user, clerk, technician, lead, customer):
    visits = [make_visit(uow, sales_user, customer.id, f"拜访 {n}") for n in range(3)]
    orders = [make_order(uow, sales_user, customer.id, price=p) for p in ("450.00", "600.00")]
    repair_id = make_repair(uow, clerk, lead, technician, customer.id)
    # Decided records are no longer waiting: one confirmed, one returned.
    confirm_record(uow=uow, actor=office, kind="visit", record_id=visits[0].id,
                   expected_version=_version(uow, Visit, visits[0].id))
    return_record(uow=uow, actor=office, kind="order", record_id=orders[0].id,
                  expected_version=_version(uow, Order, orders[0].id), comment="单价不对")

    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(uow.engine, "before_cursor_execute", note)
    try:
        keys = waiting_record_keys(uow=uow, actor=office)
    finally:
        event.remove(uow.engine, "before_cursor_execute", note)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")
                and "confirm_status" in s]) == 1
    # Oldest waiting first, the version each record has now.
    assert keys == (
        RecordRef(RecordKind.VISIT, visits[1].id, _version(uow, Visit, visits[1].id)),
        RecordRef(RecordKind.VISIT, visits[2].id, _version(uow, Visit, visits[2].id)),
        RecordRef(RecordKind.ORDER, orders[1].id, _version(uow, Order, orders[1].id)),
        RecordRef(RecordKind.REPAIR, repair_id, _version(uow, RepairRecord, repair_id)))
    # The kind filter, and the repair lead's scope: repair records only.
    assert [(k.kind, k.id) for k in waiting_record_keys(
        uow=uow, actor=office, kinds=("order",))] == [(RecordKind.ORDER, orders[1].id)]
    assert [(k.kind, k.id) for k in waiting_record_keys(uow=uow, actor=lead)] == [
        (RecordKind.REPAIR, repair_id)]
    for actor, kinds in ((sales_user, ()), (technician, ()), (lead, ("visit",))):
        with pytest.raises(PermissionDenied):
            waiting_record_keys(uow=uow, actor=actor, kinds=kinds)
    # What they name is what confirm_records confirms.
    done = confirm_records(uow=uow, actor=office, records=keys)
    assert done.refused == () and len(done.confirmed) == 4
    assert waiting_record_keys(uow=uow, actor=office) == ()

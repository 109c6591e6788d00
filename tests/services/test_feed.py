"""The change feed: notices written with the change, read by their person or department only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from app import i18n
from app.models import Department, FeedEntry, Opportunity
from app.models.enums import CustomerSource
from app.services import feed
from app.services.customers import CustomerDraft, create_customer
from app.services.errors import ConflictError, ValidationError
from app.services.feed import read_feed
from app.services.opportunities import OpportunityDraft, create_opportunity
from app.services.routing import assign_opportunity
from app.services.tasks import TaskDraft, create_task, reopen_task, report_task_done


@pytest.fixture
def chinese() -> Iterator[None]:
    i18n.set_language("zh")
    try:
        yield
    finally:
        i18n.set_language("en")


@pytest.fixture
def office(make_user):
    return make_user("office1", "management_clerk", "management", display_name="管理部小陈")


@pytest.fixture
def lead_in_queue(uow, clerk):
    customer = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(
        name="朝阳快印店", phone="010-65881234", source=CustomerSource.WALK_IN)).id
    return create_opportunity(uow=uow, actor=clerk, owner_id=None, draft=OpportunityDraft(
        customer_id=customer, title="想买一台激光打印机", expected_amount="3500"))


def _rows(uow):
    with uow:
        return uow.session.execute(
            select(FeedEntry.user_id, FeedEntry.department_id, FeedEntry.kind,
                   FeedEntry.record_id, FeedEntry.event).order_by(FeedEntry.id)).all()


def _count(uow):
    with uow:
        return uow.session.execute(select(func.count()).select_from(FeedEntry)).scalar_one()


def _department(uow, code):
    with uow:
        return uow.session.execute(select(Department.id).where(Department.code == code)
                                   ).scalar_one()


def test_an_assigned_opportunity_reaches_the_salesperson_in_their_language(
        uow, lead_in_queue, office, sales_user, other_sales_user, chinese):
    start = read_feed(uow=uow, actor=sales_user, after_id=None)
    assert start.items == ()
    assign_opportunity(uow=uow, actor=office, opportunity_id=lead_in_queue.id,
                       expected_version=lead_in_queue.version, user_id=sales_user.user_id)
    batch = read_feed(uow=uow, actor=sales_user, after_id=start.last_id,
                      seen_id=start.last_id)
    [item] = [i for i in batch.items if i.id > start.last_id]
    assert (item.kind, item.record_id, item.event) == ("opportunity", lead_in_queue.id,
                                                       "assigned")
    assert item.text == f"商机 {lead_in_queue.number} 已分派给您"
    assert not item.for_department
    assert batch.unread == 1 and batch.last_id == item.id and not batch.more
    # Nobody else reads it; the one who assigned is not told of their own change.
    for actor in (other_sales_user, office):
        assert all(i.id != item.id for i in read_feed(uow=uow, actor=actor, after_id=0).items)


def test_a_rolled_back_change_leaves_no_notice(uow, lead_in_queue, office, sales_user):
    before = _count(uow)
    with uow:
        assign_opportunity(uow=uow, actor=office, opportunity_id=lead_in_queue.id,
                           expected_version=lead_in_queue.version,
                           user_id=sales_user.user_id)
        # The outer unit of work ends without committing: the whole use case rolls back.
    assert _count(uow) == before
    with uow:
        assert uow.session.get(Opportunity, lead_in_queue.id).owner_id is None
    # A change the service refuses writes none either.
    with pytest.raises(ConflictError):
        assign_opportunity(uow=uow, actor=office, opportunity_id=lead_in_queue.id,
                           expected_version=lead_in_queue.version + 5,
                           user_id=sales_user.user_id)
    assert _count(uow) == before


def test_a_lead_for_the_queue_tells_management(uow, lead_in_queue, office, clerk, sales_user):
    management = _department(uow, "management")
    assert ("opportunity", lead_in_queue.id, "routed") in {
        (r.kind, r.record_id, r.event) for r in _rows(uow) if r.department_id == management}
    [item] = read_feed(uow=uow, actor=office, after_id=0).items
    assert item.for_department and item.event == "routed"
    assert read_feed(uow=uow, actor=sales_user, after_id=0).items == ()


def test_a_department_task_reaches_every_member_and_the_report_its_author(
        uow, office, technician, make_user, sales_user):
    tech2 = make_user("tech2", "technician", "repair", display_name="赵磊")
    repair = _department(uow, "repair")
    task = create_task(uow=uow, actor=office, draft=TaskDraft(
        title="盘点备件库存", due_on=dt.date.today(), assignee_department_id=repair))
    for member in (technician, tech2):
        [item] = read_feed(uow=uow, actor=member, after_id=0).items
        assert (item.kind, item.record_id, item.event) == ("task", task.id, "dept_assigned")
        assert item.text == "Task 盘点备件库存 was assigned to your department"
    assert read_feed(uow=uow, actor=sales_user, after_id=0).items == ()
    done = report_task_done(uow=uow, actor=tech2, task_id=task.id,
                            expected_version=task.version, report="已盘点")
    [told] = read_feed(uow=uow, actor=office, after_id=0).items
    assert (told.event, told.record_id) == ("reported_done", task.id)
    reopen_task(uow=uow, actor=office, task_id=task.id, expected_version=done.version,
                comment="数量不对")
    # tech2 reported it, so tech2 hears of the return only through the department.
    returned = [i for i in read_feed(uow=uow, actor=technician, after_id=0).items
                if i.event == "returned"]
    assert [i.record_id for i in returned] == [task.id]


def test_the_unread_count_and_the_lookback(uow, office, sales_user):
    for n in range(3):
        create_task(uow=uow, actor=office, draft=TaskDraft(
            title=f"回访客户 {n}", due_on=dt.date.today(), assignee_id=sales_user.user_id))
    everything = read_feed(uow=uow, actor=sales_user, after_id=0, seen_id=0)
    assert len(everything.items) == 3 and everything.unread == 3
    ids = [i.id for i in everything.items]
    assert ids == sorted(ids)
    seen = read_feed(uow=uow, actor=sales_user, after_id=ids[-1], seen_id=ids[1])
    assert seen.unread == 1 and seen.last_id == ids[-1]
    # Read again within the look-back: the station drops what it already has by id.
    assert [i.id for i in seen.items] == ids
    first = read_feed(uow=uow, actor=sales_user, after_id=None, seen_id=None)
    assert first.items == () and first.last_id == ids[-1] and first.unread == 0


def test_the_poll_is_one_statement(uow, office, sales_user):
    from sqlalchemy import event

    create_task(uow=uow, actor=office, draft=TaskDraft(
        title="回访", due_on=dt.date.today(), assignee_id=sales_user.user_id))
    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(uow.engine, "before_cursor_execute", note)
    try:
        read_feed(uow=uow, actor=sales_user, after_id=0, seen_id=0)
    finally:
        event.remove(uow.engine, "before_cursor_execute", note)
    assert len([s for s in statements if "change_feed" in s]) == 1, statements


@pytest.mark.parametrize("bad", [-1, "12", 1.5, True])
def test_a_bad_position_is_refused_in_the_readers_language(uow, sales_user, bad, chinese):
    before = _count(uow)
    with pytest.raises(ValidationError) as refused:
        read_feed(uow=uow, actor=sales_user, after_id=bad)
    assert "after_id" in refused.value.errors
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(refused.value.errors["after_id"]))
    assert _count(uow) == before


def test_a_notice_for_an_unknown_kind_is_a_programming_error(uow, office):
    with uow, pytest.raises(ValueError):
        feed.notify(uow, to_user=office.user_id, kind="spaceship", record_id=1,
                    event="assigned")


def test_a_notice_of_a_newer_program_reads_as_its_record(chinese):
    assert feed.render_notice("order", "XS-1", 1, "teleported") == "订单 XS-1"
    assert feed.render_notice("contract", "HT-1", 3, "expiring", {"day": "2026-12-31"}) == (
        "服务合同 HT-1 将于 2026-12-31 到期")

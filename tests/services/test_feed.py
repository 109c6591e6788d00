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


# --- the notices of returns, tickets and hand-overs --------------------------------------


def _texts(uow, actor, kind, record_id, event):
    """The notices of ``event`` on the record that ``actor`` reads, in English and in
    Chinese: [(kind, record_id, for_department, English, Chinese)]."""
    found = []
    for language in ("en", "zh"):
        i18n.set_language(language)
        try:
            found.append([(i.kind, i.record_id, i.for_department, i.text)
                          for i in read_feed(uow=uow, actor=actor, after_id=0).items
                          if (i.kind, i.record_id, i.event) == (kind, record_id, event)])
        finally:
            i18n.set_language("en")
    english, chinese = found
    return [(*e, c[3]) for e, c in zip(english, chinese, strict=True)]


def test_a_returned_record_reaches_its_author(uow, office, sales_user, other_sales_user):
    from app.services.confirmation import return_record
    from tests.services.test_confirmation import make_order, make_visit

    customer = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京鑫锐科技有限公司", phone="010-62345678")).id
    visit = make_visit(uow, sales_user, customer, "询问复印机租赁")
    order = make_order(uow, sales_user, customer)
    return_record(uow=uow, actor=office, kind="visit", record_id=visit.id,
                  expected_version=visit.version, comment="请补充客户需求")
    return_record(uow=uow, actor=office, kind="order", record_id=order.id,
                  expected_version=order.version, comment="单价不对")
    # A visit record has no number: its id stands for it.
    assert _texts(uow, sales_user, "visit", visit.id, "returned") == [
        ("visit", visit.id, False, f"Visit #{visit.id} was returned to you",
         f"接待/拜访记录 #{visit.id} 已退回给您")]
    assert _texts(uow, sales_user, "order", order.id, "returned") == [
        ("order", order.id, False, f"Order {order.number} was returned to you",
         f"订单 {order.number} 已退回给您")]
    # Nobody else: not another salesperson, not management who returned them.
    for actor in (other_sales_user, office):
        for kind, record_id in (("visit", visit.id), ("order", order.id)):
            assert _texts(uow, actor, kind, record_id, "returned") == []


def test_a_ticket_taken_in_waits_for_dispatch_at_the_repair_department_and_a_dispatched_one_reaches_its_technician(  # noqa: E501
        uow, clerk, technician, make_user, sales_user):
    from app.services.tickets import IntakeDraft, NewDevice, dispatch_ticket, intake_ticket

    lead = make_user("lead1", "repair_lead", "repair", display_name="维修主管")
    tech2 = make_user("tech2", "technician", "repair", display_name="赵磊")
    customer = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(
        name="朝阳快印店", phone="010-65881234", source=CustomerSource.WALK_IN)).id
    ticket = intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(
        customer_id=customer, symptoms="卡纸，打印有黑线",
        new_device=NewDevice("HP", "LaserJet M404dn", "CNB7654321")))
    waiting = [("service_ticket", ticket.id, True, f"Service ticket {ticket.number} waits "
                "to be dispatched", f"服务单 {ticket.number} 等待派工")]
    # Everyone of the repair department reads it, addressed to the department.
    for member in (lead, technician, tech2):
        assert _texts(uow, member, "service_ticket", ticket.id, "to_dispatch") == waiting
    # The counter that took it in and a salesperson do not.
    for actor in (clerk, sales_user):
        assert _texts(uow, actor, "service_ticket", ticket.id, "to_dispatch") == []

    dispatch_ticket(uow=uow, actor=lead, ticket_id=ticket.id,
                    expected_version=ticket.version, technician_id=technician.user_id)
    assert _texts(uow, technician, "service_ticket", ticket.id, "dispatched") == [
        ("service_ticket", ticket.id, False,
         f"Service ticket {ticket.number} was dispatched to you",
         f"服务单 {ticket.number} 已派工给您")]
    # Not the other technician, nor the lead who dispatched it, nor the counter.
    for actor in (tech2, lead, clerk):
        assert _texts(uow, actor, "service_ticket", ticket.id, "dispatched") == []


def test_a_hand_over_reaches_the_new_holder(uow, manager, sales_user, other_sales_user,
                                            make_user):
    from app.services.reassignment import AllToOne, hand_over

    third = make_user("sales3", "sales", "key_accounts", display_name="赵敏")
    customer = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="海淀图文快印", phone="010-62345679"))
    hand_over(uow=uow, actor=manager, from_user_id=sales_user.user_id,
              plan=AllToOne(other_sales_user.user_id))
    # The customer is named by its name, as the hand-over's audit row names it.
    assert _texts(uow, other_sales_user, "customer", customer.id, "handed_over") == [
        ("customer", customer.id, False, "Customer 海淀图文快印 was handed over to you",
         "客户 海淀图文快印 已移交给您")]
    # Not the one who left it, nor another salesperson, nor the manager who did it.
    for actor in (sales_user, third, manager):
        assert _texts(uow, actor, "customer", customer.id, "handed_over") == []


# --- keeping the feed short: `stationcrm db tidy` ------------------------------------------


def _age(engine, ages_days, now):
    """Make the notices of the given ids that many days old."""
    with engine.begin() as conn:
        for notice_id, days in ages_days.items():
            conn.execute(FeedEntry.__table__.update().where(FeedEntry.id == notice_id)
                         .values(created_at=now - dt.timedelta(days=days)))


@pytest.fixture
def aged_notices(uow, engine, office, sales_user):
    """Four notices for the salesperson, 0.1, 59.5, 61 and 400 days old (as of now)."""
    for title in ("回访客户", "整理报价", "核对回款", "更新客户资料"):
        create_task(uow=uow, actor=office, draft=TaskDraft(
            title=title, due_on=dt.date.today(), assignee_id=sales_user.user_id))
    ids = [i.id for i in read_feed(uow=uow, actor=sales_user, after_id=0).items]
    assert len(ids) == 4
    _age(engine, dict(zip(ids, (0.1, 59.5, 61, 400), strict=True)), dt.datetime.now(dt.UTC))
    return ids


def test_notices_older_than_sixty_days_go_and_newer_ones_stay(uow, engine, sales_user,
                                                              aged_notices):
    assert feed.forget_old_notices(engine) == 2
    assert [i.id for i in read_feed(uow=uow, actor=sales_user, after_id=0).items] == (
        aged_notices[:2])
    assert feed.forget_old_notices(engine) == 0
    assert feed.forget_old_notices(engine, days=1) == 1
    assert [i.id for i in read_feed(uow=uow, actor=sales_user, after_id=0).items] == (
        aged_notices[:1])
    for bad in (0, -5, True):
        with pytest.raises(ValidationError):
            feed.forget_old_notices(engine, days=bad)
    assert _count(uow) == 1


@pytest.mark.parametrize(("language", "keys_line", "feed_line"), [
    ("en", "0 request keys older than 30 days removed.",
     "2 change-feed notices older than 60 days removed."),
    ("zh", "已删除 0 个超过 30 天的请求键。", "已删除 2 条超过 60 天的提醒。"),
])
def test_db_tidy_removes_old_notices_and_says_how_many(
        uow, db_url, sales_user, aged_notices, capsys, language, keys_line, feed_line):
    from app import cli

    assert cli.main(["db", "tidy", "--db", db_url, "--lang", language]) == 0
    keys, notices = capsys.readouterr().out.splitlines()
    assert keys.endswith(keys_line) and notices.endswith(feed_line)
    assert [i.id for i in read_feed(uow=uow, actor=sales_user, after_id=0).items] == (
        aged_notices[:2])
    # --feed-days: a shorter keep.
    assert cli.main(["db", "tidy", "--db", db_url, "--feed-days", "1", "--lang", "en"]) == 0
    assert capsys.readouterr().out.splitlines()[1].endswith(
        "1 change-feed notices older than 1 days removed.")
    assert [i.id for i in read_feed(uow=uow, actor=sales_user, after_id=0).items] == (
        aged_notices[:1])
    # A keep of no days is refused, in the reader's language, before anything goes.
    assert cli.main(["db", "tidy", "--db", db_url, "--feed-days", "0", "--lang", "zh"]) == (
        cli.EXIT_ERROR)
    assert "--feed-days: 至少为 1" in capsys.readouterr().err
    assert _count(uow) == 1

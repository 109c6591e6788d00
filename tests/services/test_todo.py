"""Each user's one to-do list: tasks, follow-ups, returned records, contracts, plugged-in items."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import event

from app.models import CareItem, Order, RepairRecord, Visit
from app.models.enums import CareKind, CareStatus, ContractKind, Priority
from app.services.confirmation import return_record
from app.services.contracts import ContractDraft, activate_contract, create_contract
from app.services.customers import CustomerDraft, DeviceDraft, create_customer
from app.services.tasks import TaskDraft, create_task
from app.services.todo import TodoKind, todo_list
from tests.services.test_confirmation import make_order, make_repair, make_visit

TODAY = dt.date.today()


@pytest.fixture
def office(make_user):
    return make_user("office1", "management_clerk", "management", display_name="管理部小陈")


@pytest.fixture
def lead(make_user):
    return make_user("lead1", "repair_lead", "repair", display_name="维修主管")


def _version(uow, model, record_id):
    with uow:
        return uow.session.get(model, record_id).version


def _contract(uow, manager, owner, customer_id, device_id, ends_in):
    view = create_contract(uow=uow, actor=manager, draft=ContractDraft(
        customer_id=customer_id, kind=ContractKind.FULL_SERVICE,
        starts_on=TODAY - dt.timedelta(days=300), ends_on=TODAY + dt.timedelta(days=ends_in),
        fee=Decimal("6000.00"), device_ids=(device_id,), owner_id=owner.user_id))
    activate_contract(uow=uow, actor=manager, contract_id=view.id,
                      expected_version=view.version)
    return view.id


def test_the_list_holds_every_kind_overdue_first(uow, engine, office, manager, sales_user,
                                                 other_sales_user):
    customer = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京鑫锐科技有限公司", devices=(
            DeviceDraft(brand="理光", model="MP 2014", serial_number="RC2014-0001"),)))
    late_task = create_task(uow=uow, actor=office, today=TODAY - dt.timedelta(days=9),
                            draft=TaskDraft(title="催收货款", assignee_id=sales_user.user_id,
                                            due_on=TODAY - dt.timedelta(days=3),
                                            customer_id=customer.id, priority=Priority.HIGH))
    key_accounts = create_task(uow=uow, actor=office, draft=TaskDraft(
        title="整理大客户名单", due_on=TODAY + dt.timedelta(days=5),
        assignee_department_id=sales_user.department_id))
    follow_up = make_visit(uow, sales_user, customer.id, "报价跟进", submit=False,
                           follow_up_on=TODAY)
    order = make_order(uow, sales_user, customer.id)
    return_record(uow=uow, actor=office, kind="order", record_id=order.id,
                  expected_version=_version(uow, Order, order.id), comment="请核对单价")
    contract_id = _contract(uow, manager, sales_user, customer.id, customer.devices[0].id, 20)
    # Someone else's things stay off the list.
    create_task(uow=uow, actor=office, draft=TaskDraft(
        title="别人的", assignee_id=other_sales_user.user_id, due_on=TODAY))

    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        items = todo_list(uow=uow, actor=sales_user)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len(statements) <= 9  # a fixed number, whatever the list's length

    assert [(i.kind, i.id) for i in items] == [
        (TodoKind.TASK, late_task.id),  # overdue first
        (TodoKind.FOLLOW_UP, follow_up.id),  # due today
        (TodoKind.RETURNED, order.id),  # returned today (same day: tasks, follow-ups, returns)
        (TodoKind.TASK, key_accounts.id),  # in 5 days, to the whole department
        (TodoKind.CONTRACT, contract_id),  # ends in 20 days
    ]
    late, visit, returned, _dept, contract = items
    assert late.overdue and late.customer_name == "北京鑫锐科技有限公司"
    assert late.status == "open" and late.priority == "high"
    assert (returned.record_kind, returned.title, returned.detail) == (
        "order", order.number, "请核对单价")
    assert visit.detail == "打电话确认" and visit.record_kind == "visit"
    assert contract.due == TODAY + dt.timedelta(days=20)
    assert not any(i.title == "别人的" for i in items)
    assert [i.id for i in todo_list(uow=uow, actor=sales_user, kinds=[TodoKind.TASK])] == [
        late_task.id, key_accounts.id]


def test_a_technician_sees_tasks_and_returned_repair_records(uow, office, lead, clerk,
                                                             technician):
    customer = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(name="朝阳快印店"))
    repair_id = make_repair(uow, clerk, lead, technician, customer.id)
    return_record(uow=uow, actor=lead, kind="repair", record_id=repair_id,
                  expected_version=_version(uow, RepairRecord, repair_id),
                  comment="请补充故障原因")
    task = create_task(uow=uow, actor=lead, draft=TaskDraft(
        title="整理工具间", assignee_id=technician.user_id, due_on=TODAY))
    items = todo_list(uow=uow, actor=technician)  # no visits or contracts module: no refusal
    assert [(i.kind, i.id, i.detail) for i in items] == [
        (TodoKind.TASK, task.id, None), (TodoKind.RETURNED, repair_id, "请补充故障原因")]
    assert items[1].record_kind == "repair" and items[1].title.startswith("WX-")


def test_care_items_join_the_list_and_returned_visits_show_the_comment(
        uow, office, sales_user, other_sales_user):
    customer = create_customer(uow=uow, actor=sales_user,
                               draft=CustomerDraft(name="海淀文印社"))
    visit = make_visit(uow, sales_user, customer.id)
    return_record(uow=uow, actor=office, kind="visit", record_id=visit.id,
                  expected_version=_version(uow, Visit, visit.id), comment="请补充客户需求")
    with uow:
        def care(title, owner_id, due, status=CareStatus.OPEN):
            item = CareItem(customer_id=customer.id, owner_id=owner_id, kind=CareKind.REORDER,
                            title=title, due_on=due, status=status)
            uow.session.add(item)
            return item
        due = care("回访：硒鼓使用情况", sales_user.user_id, TODAY - dt.timedelta(days=1))
        care("下周的提醒", sales_user.user_id, TODAY + dt.timedelta(days=7))
        care("已办完的", sales_user.user_id, TODAY, CareStatus.DONE)
        care("别人的", other_sales_user.user_id, TODAY)
        uow.commit()

    items = todo_list(uow=uow, actor=sales_user)
    assert [(i.kind, i.id) for i in items] == [(TodoKind.CARE, due.id),
                                               (TodoKind.RETURNED, visit.id)]
    assert items[0].overdue and items[0].title == "回访：硒鼓使用情况"
    assert items[0].customer_name == "海淀文印社" and items[0].record_kind == "reorder"
    assert items[1].detail == "请补充客户需求"
    assert [i.title for i in todo_list(uow=uow, actor=other_sales_user)] == ["别人的"]
    assert todo_list(uow=uow, actor=sales_user, kinds=[TodoKind.RETURNED])[0].id == visit.id


def test_management_sees_tasks_reported_done_waiting_for_its_confirmation(
        uow, engine, office, lead, manager, sales_user, technician):
    from app.services.tasks import confirm_task, report_task_done

    customer = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京鑫锐科技有限公司"))
    reported = create_task(uow=uow, actor=manager, draft=TaskDraft(
        title="催收货款", assignee_id=sales_user.user_id, due_on=TODAY,
        customer_id=customer.id, priority=Priority.HIGH))
    reported = report_task_done(uow=uow, actor=sales_user, task_id=reported.id,
                                expected_version=reported.version, report="已收回 3000 元")
    still_open = create_task(uow=uow, actor=manager, draft=TaskDraft(
        title="整理大客户名单", assignee_id=sales_user.user_id, due_on=TODAY))
    tools = create_task(uow=uow, actor=lead, draft=TaskDraft(
        title="整理工具间", assignee_id=technician.user_id, due_on=TODAY))
    tools = report_task_done(uow=uow, actor=technician, task_id=tools.id,
                             expected_version=tools.version, report="已整理")
    own = create_task(uow=uow, actor=manager, draft=TaskDraft(
        title="自己的", assignee_id=office.user_id, due_on=TODAY))
    report_task_done(uow=uow, actor=office, task_id=own.id, expected_version=own.version,
                     report="做完了")

    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        items = todo_list(uow=uow, actor=office)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    # One query per source as for everybody (the tickets assigned to the actor too), plus
    # one for the tasks to confirm.
    assert len(statements) <= 11, statements

    waiting = [i for i in items if i.awaits_confirmation]
    # Management's scope is everybody: both reports wait; its own report does not.
    assert {i.id for i in waiting} == {reported.id, tools.id}
    line = next(i for i in waiting if i.id == reported.id)
    assert (line.kind, line.detail, line.status) == (
        TodoKind.TASK, "Awaiting confirmation", "reported_done")
    assert line.assignee_name == "张伟" and line.report == "已收回 3000 元"
    assert line.customer_name == "北京鑫锐科技有限公司" and line.version == reported.version
    assert still_open.id not in {i.id for i in items}  # not reported yet: not management's

    # The repair lead confirms its department's work only; the salesperson nothing.
    assert [i.id for i in todo_list(uow=uow, actor=lead) if i.awaits_confirmation] == [
        tools.id]
    assert not any(i.awaits_confirmation for i in todo_list(uow=uow, actor=sales_user))
    assert not any(i.awaits_confirmation for i in todo_list(uow=uow, actor=technician))

    # Once confirmed it leaves the list.
    confirm_task(uow=uow, actor=office, task_id=reported.id,
                 expected_version=reported.version)
    assert {i.id for i in todo_list(uow=uow, actor=office) if i.awaits_confirmation} == {
        tools.id}


def test_the_confirmation_line_is_chinese_in_a_chinese_session(uow, office, sales_user):
    from app import i18n
    from app.services.tasks import report_task_done

    task = create_task(uow=uow, actor=office, draft=TaskDraft(
        title="催收货款", assignee_id=sales_user.user_id, due_on=TODAY))
    report_task_done(uow=uow, actor=sales_user, task_id=task.id,
                     expected_version=task.version, report="已收回")
    i18n.set_language("zh")
    try:
        items = todo_list(uow=uow, actor=office)
    finally:
        i18n.set_language("en")
    assert [(i.id, i.detail) for i in items] == [(task.id, "待确认")]

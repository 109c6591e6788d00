"""Work tasks (工作任务): assign, acknowledge, report, confirm or reopen; permissions, input."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from app.models import AuditEntry, Department, Task, User
from app.models.enums import Priority, TaskStatus
from app.services.customers import CustomerDraft, create_customer
from app.services.errors import (
    ConflictError,
    InvalidTransition,
    NotFound,
    ValidationError,
)
from app.services.tasks import (
    TASK_LIFECYCLE,
    TaskDraft,
    TaskListView,
    acknowledge_task,
    assignable_departments,
    assignable_users,
    cancel_task,
    confirm_task,
    create_task,
    get_task,
    list_tasks,
    reopen_task,
    report_task_done,
    todo_tasks,
    update_task,
)
from tests import people

TODAY = dt.date.today()


@pytest.fixture
def office(make_user):
    return make_user("office1", "management_clerk", "management", display_name="管理部小陈")


@pytest.fixture
def lead(make_user):
    return make_user("lead1", "repair_lead", "repair", display_name="维修主管")


def _department(uow, code):
    with uow:
        return uow.session.execute(select(Department.id).where(Department.code == code)
                                   ).scalar_one()


def _count(uow, model=Task):
    with uow:
        return uow.session.execute(select(func.count()).select_from(model)).scalar_one()


def _draft(**changes):
    base = TaskDraft(title="回访鑫锐科技", due_on=TODAY + dt.timedelta(days=3),
                     priority=Priority.HIGH)
    return replace(base, **changes)


def test_the_whole_life_of_a_personal_task(uow, office, sales_user):
    customer = create_customer(uow=uow, actor=sales_user,
                               draft=CustomerDraft(name="北京鑫锐科技有限公司"))
    task = create_task(uow=uow, actor=office, draft=_draft(
        assignee_id=sales_user.user_id, customer_id=customer.id, description="问清续约意向",
        related_entity="order", related_id=7))
    assert task.status is TaskStatus.OPEN and task.assignee_name == "张伟"
    assert task.assigned_by_name == "管理部小陈" and task.customer_name == "北京鑫锐科技有限公司"
    assert not task.overdue

    assert [t.id for t in todo_tasks(uow=uow, actor=sales_user)] == [task.id]
    task = acknowledge_task(uow=uow, actor=sales_user, task_id=task.id,
                            expected_version=task.version)
    assert task.status is TaskStatus.ACKNOWLEDGED and task.acknowledged_at is not None
    task = report_task_done(uow=uow, actor=sales_user, task_id=task.id,
                            expected_version=task.version, report="客户同意续约，下周签")
    assert task.status is TaskStatus.REPORTED_DONE and task.report == "客户同意续约，下周签"
    assert todo_tasks(uow=uow, actor=sales_user) == ()  # off the assignee's list

    task = reopen_task(uow=uow, actor=office, task_id=task.id, expected_version=task.version,
                       comment="请附上合同草稿")
    assert task.status is TaskStatus.RETURNED and "请附上合同草稿" in (task.description or "")
    assert "问清续约意向" in (task.description or "")
    assert [t.id for t in todo_tasks(uow=uow, actor=sales_user)] == [task.id]
    task = report_task_done(uow=uow, actor=sales_user, task_id=task.id,
                            expected_version=task.version, report="草稿已发")
    task = confirm_task(uow=uow, actor=office, task_id=task.id, expected_version=task.version)
    assert task.status is TaskStatus.CONFIRMED and task.confirmed_by_name == "管理部小陈"
    with uow:
        row = uow.session.get(Task, task.id)
        assert row.confirmed_by_id == office.user_id and row.confirmed_at is not None
        actions = uow.session.execute(select(AuditEntry.action).where(
            AuditEntry.entity == "task", AuditEntry.entity_id == task.id)
            .order_by(AuditEntry.id)).scalars().all()
    assert [a.value for a in actions] == ["create", "transition", "transition", "return",
                                          "transition", "confirm"]
    # Closed: not on the default list, on the list with closed ones.
    assert list_tasks(uow=uow, actor=office, view="all") == ()
    assert [t.id for t in list_tasks(uow=uow, actor=office, view="all",
                                     include_closed=True)] == [task.id]


def test_a_department_task_is_on_every_members_list(uow, office, technician, make_user,
                                                    sales_user):
    tech2 = make_user("tech2", "technician", "repair", display_name="赵磊")
    repair = _department(uow, "repair")
    task = create_task(uow=uow, actor=office, draft=_draft(
        title="盘点备件库存", assignee_department_id=repair))
    assert task.department_name_zh == "维修部" and task.assignee_id is None
    for member in (technician, tech2):
        assert [t.id for t in todo_tasks(uow=uow, actor=member)] == [task.id]
        assert [t.id for t in list_tasks(uow=uow, actor=member)] == [task.id]
    assert todo_tasks(uow=uow, actor=sales_user) == ()
    with pytest.raises(people.REFUSED):
        acknowledge_task(uow=uow, actor=sales_user, task_id=task.id,
                         expected_version=task.version)
    done = report_task_done(uow=uow, actor=tech2, task_id=task.id,
                            expected_version=task.version, report="已盘点")
    assert done.status is TaskStatus.REPORTED_DONE
    assert todo_tasks(uow=uow, actor=technician) == ()


def test_overdue_tasks_come_first_and_are_flagged(uow, office, sales_user):
    late = create_task(uow=uow, actor=office, today=TODAY - dt.timedelta(days=10),
                       draft=_draft(title="早该做的", assignee_id=sales_user.user_id,
                                    due_on=TODAY - dt.timedelta(days=2)))
    soon = create_task(uow=uow, actor=office, draft=_draft(
        title="明天的", assignee_id=sales_user.user_id, due_on=TODAY + dt.timedelta(days=1)))
    today = create_task(uow=uow, actor=office, draft=_draft(
        title="今天的", assignee_id=sales_user.user_id, due_on=TODAY,
        priority=Priority.URGENT))
    mine = list_tasks(uow=uow, actor=sales_user, view=TaskListView.MINE)
    assert [(t.id, t.overdue) for t in mine] == [(late.id, True), (today.id, False),
                                                  (soon.id, False)]
    assert [t.id for t in list_tasks(uow=uow, actor=office, view="all",
                                     overdue_only=True)] == [late.id]
    # Reported done is no longer overdue.
    reported = report_task_done(uow=uow, actor=sales_user, task_id=late.id,
                                expected_version=late.version, report="做了")
    assert not reported.overdue


def test_bad_input_is_refused_and_nothing_is_written(uow, office, sales_user, make_user):
    gone = make_user("gone", "sales", "key_accounts", display_name="已离职")
    with uow:
        uow.session.get(User, gone.user_id).active = False
        uow.commit()
    repair = _department(uow, "repair")
    cases = {
        "title": _draft(title="  ", assignee_id=sales_user.user_id),
        "due_on": _draft(assignee_id=sales_user.user_id, due_on=TODAY - dt.timedelta(days=1)),
        "assignee": _draft(),
        "priority": _draft(assignee_id=sales_user.user_id, priority="whenever"),
        "customer_id": _draft(assignee_id=sales_user.user_id, customer_id=999999),
        "related_entity": _draft(assignee_id=sales_user.user_id, related_entity="order"),
    }
    for field, draft in cases.items():
        with pytest.raises(ValidationError) as error:
            create_task(uow=uow, actor=office, draft=draft)
        assert field in error.value.errors, field
    for draft in (_draft(assignee_id=gone.user_id), _draft(assignee_id=999999),
                  _draft(assignee_id=sales_user.user_id, assignee_department_id=repair),
                  _draft(due_on=None, assignee_id=sales_user.user_id)):
        with pytest.raises(ValidationError):
            create_task(uow=uow, actor=office, draft=draft)
    task = create_task(uow=uow, actor=office, draft=_draft(assignee_id=sales_user.user_id))
    with pytest.raises(ValidationError) as error:
        report_task_done(uow=uow, actor=sales_user, task_id=task.id,
                         expected_version=task.version, report=" ")
    assert "report" in error.value.errors
    with pytest.raises(ValidationError):
        reopen_task(uow=uow, actor=office, task_id=task.id, expected_version=task.version,
                    comment="")
    assert _count(uow) == 1 and get_task(uow=uow, actor=office,
                                         task_id=task.id).status is TaskStatus.OPEN
    assert _count(uow, AuditEntry) == 1


def test_permissions(uow, office, sales_user, other_sales_user, technician, lead, clerk):
    # Salespeople and technicians may not assign tasks.
    for actor in (sales_user, technician, clerk):
        with pytest.raises(people.REFUSED):
            create_task(uow=uow, actor=actor, draft=_draft(assignee_id=actor.user_id))
    # The repair lead assigns within the repair department only.
    ok = create_task(uow=uow, actor=lead, draft=_draft(assignee_id=technician.user_id))
    with pytest.raises(ValidationError) as error:
        create_task(uow=uow, actor=lead, draft=_draft(assignee_id=sales_user.user_id))
    assert "assignee" in error.value.errors
    assert {u for u, _ in assignable_users(uow=uow, actor=lead)} == {
        lead.user_id, technician.user_id}
    assert [d[1] for d in assignable_departments(uow=uow, actor=lead)] == ["维修部"]
    assert len(assignable_departments(uow=uow, actor=office)) >= 5

    task = create_task(uow=uow, actor=office, draft=_draft(assignee_id=sales_user.user_id))
    # Only the assignee acknowledges and reports.
    for actor in (other_sales_user, office):
        with pytest.raises(people.REFUSED):
            acknowledge_task(uow=uow, actor=actor, task_id=task.id,
                             expected_version=task.version)
    done = report_task_done(uow=uow, actor=sales_user, task_id=task.id,
                            expected_version=task.version, report="已回访")
    # Only management confirms; the repair lead's scope does not reach key accounts.
    for actor in (sales_user, other_sales_user, lead):
        with pytest.raises(people.REFUSED):
            confirm_task(uow=uow, actor=actor, task_id=task.id, expected_version=done.version)
    # Only the creator edits or cancels.
    with pytest.raises(people.REFUSED):
        cancel_task(uow=uow, actor=lead, task_id=task.id, expected_version=done.version)
    with pytest.raises(people.REFUSED):
        update_task(uow=uow, actor=office, task_id=ok.id, expected_version=ok.version,
                    draft=_draft(assignee_id=technician.user_id, title="x"))
    # Who sees what.
    assert list_tasks(uow=uow, actor=other_sales_user) == ()
    with pytest.raises(people.REFUSED):
        list_tasks(uow=uow, actor=other_sales_user, view="department")
    with pytest.raises(NotFound):
        get_task(uow=uow, actor=other_sales_user, task_id=task.id)
    assert [t.id for t in list_tasks(uow=uow, actor=lead, view="department")] == [ok.id]
    assert {t.id for t in list_tasks(uow=uow, actor=office, view="all")} == {ok.id, task.id}
    with pytest.raises(InvalidTransition):
        acknowledge_task(uow=uow, actor=sales_user, task_id=task.id,
                         expected_version=done.version)


def test_the_creator_edits_and_cancels_with_a_version_check(uow, office, sales_user,
                                                            other_sales_user):
    task = create_task(uow=uow, actor=office, draft=_draft(assignee_id=sales_user.user_id))
    moved = update_task(uow=uow, actor=office, task_id=task.id, expected_version=task.version,
                        draft=_draft(assignee_id=other_sales_user.user_id, title="改派李娜"))
    assert (moved.assignee_name, moved.title) == ("李娜", "改派李娜")
    with pytest.raises(ConflictError):
        update_task(uow=uow, actor=office, task_id=task.id, expected_version=task.version,
                    draft=_draft(assignee_id=sales_user.user_id, title="又改回"))
    with pytest.raises(ConflictError):
        acknowledge_task(uow=uow, actor=other_sales_user, task_id=task.id,
                         expected_version=task.version)
    cancelled = cancel_task(uow=uow, actor=office, task_id=task.id,
                            expected_version=moved.version)
    assert cancelled.status is TaskStatus.CANCELLED
    with pytest.raises(InvalidTransition):
        update_task(uow=uow, actor=office, task_id=task.id,
                    expected_version=cancelled.version,
                    draft=_draft(assignee_id=sales_user.user_id))
    assert todo_tasks(uow=uow, actor=other_sales_user) == ()
    with uow:
        changes = uow.session.execute(select(AuditEntry.changes).where(
            AuditEntry.entity == "task", AuditEntry.action == "update")).scalar_one()
    assert json.loads(changes)["title"] == ["回访鑫锐科技", "改派李娜"]


def test_every_edge_names_a_real_state():
    assert TASK_LIFECYCLE.initial is TaskStatus.OPEN
    for source, target in TASK_LIFECYCLE.edges:
        assert isinstance(source, TaskStatus) and isinstance(target, TaskStatus)
    assert TASK_LIFECYCLE.targets(TaskStatus.CONFIRMED) == ()
    assert TASK_LIFECYCLE.targets(TaskStatus.CANCELLED) == ()

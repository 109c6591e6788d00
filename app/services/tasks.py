"""Work tasks (工作任务): assigned by management, acknowledged and reported, then confirmed.

A task goes to one person or to a whole department, with a due date and a priority, and
may name a customer and a record it is about. Its lifecycle (:data:`TASK_LIFECYCLE`)::

    open → acknowledged → reported_done → confirmed
      ↘______________________↗       ↘ returned (reopened) → acknowledged / reported_done
    open / acknowledged / returned / reported_done → cancelled (by its creator)

Who may do what (module ``TASKS``):

* create: ``CREATE``; the assignee must be an active user in the actor's data scope, or an
  active department (a department-scoped actor: only their own);
* acknowledge and report done: ``EDIT``, and the actor is the assignee or, for a department
  task, a member of that department;
* confirm or reopen: ``CONFIRM``, with the task's assignee in the actor's data scope; nobody
  confirms a task they reported themselves;
* edit and cancel: the task's creator, with ``CREATE``, until it is confirmed.

A task is *overdue* when its due date has passed and it is not reported done, confirmed
or cancelled.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, case, false, or_, select, true
from sqlalchemy.orm import aliased

from app import labels
from app.i18n import tr
from app.models import Department, Task, User, utcnow
from app.models.customers import customer_directory
from app.models.enums import AuditAction, DataScope, Module, Operation, Priority, TaskStatus
from app.services import audit, feed, requests
from app.services.directory import customer_entry
from app.services.errors import InvalidTransition, NotFound, PermissionDenied
from app.services.lifecycle import TransitionTable
from app.services.locking import check_version
from app.services.paging import Cursor, Sort, SortExpr, count_rows, next_after, ordered_page, ranked
from app.services.permissions import Actor, grants_for, owns_in_scope, require, scope_filter
from app.services.uow import UnitOfWork
from app.services.validation import Checker

# Customer names come from the directory: a record may be in the actor's scope while
# its customer is not (row security hides that customer's own row on a secured server).
_DIR = customer_directory.c

TS = TaskStatus
TASK_LIFECYCLE: TransitionTable[TaskStatus] = TransitionTable(
    entity="task",
    states=TaskStatus,
    initial=TS.OPEN,
    edges=frozenset({
        (TS.OPEN, TS.ACKNOWLEDGED),
        (TS.OPEN, TS.REPORTED_DONE),
        (TS.ACKNOWLEDGED, TS.REPORTED_DONE),
        (TS.REPORTED_DONE, TS.CONFIRMED),
        (TS.REPORTED_DONE, TS.RETURNED),
        (TS.RETURNED, TS.ACKNOWLEDGED),
        (TS.RETURNED, TS.REPORTED_DONE),
        (TS.OPEN, TS.CANCELLED),
        (TS.ACKNOWLEDGED, TS.CANCELLED),
        (TS.RETURNED, TS.CANCELLED),
        (TS.REPORTED_DONE, TS.CANCELLED),
    }),
)

# Still the assignee's to do.
OPEN_STATUSES: tuple[TaskStatus, ...] = (TS.OPEN, TS.ACKNOWLEDGED, TS.RETURNED)
# Finished from the assignee's side: a due date passing no longer makes these overdue.
DONE_STATUSES: tuple[TaskStatus, ...] = (TS.REPORTED_DONE, TS.CONFIRMED, TS.CANCELLED)
CLOSED_STATUSES: tuple[TaskStatus, ...] = (TS.CONFIRMED, TS.CANCELLED)
# What a task may be about (kinds as on the customer timeline).
RELATED_KINDS = frozenset({"visit", "order", "repair", "quotation", "opportunity",
                           "service_ticket", "contract", "payment"})
DUE_HORIZON = dt.timedelta(days=3 * 366)
MAX_LIST = 500


class TaskListView(StrEnum):
    """Which tasks a list shows."""

    MINE = "mine"  # assigned to me, or to my department
    DEPARTMENT = "department"  # assigned to my department or to anybody in it
    ALL = "all"  # everything my data scope covers, and what I assigned


@dataclass(frozen=True)
class TaskDraft:
    """What management types on the new-task form: exactly one of the two assignees."""

    title: str
    due_on: dt.date | None
    assignee_id: int | None = None
    assignee_department_id: int | None = None
    priority: Priority | str = Priority.NORMAL
    description: str | None = None
    customer_id: int | None = None
    related_entity: str | None = None
    related_id: int | None = None


@dataclass(frozen=True)
class TaskView:
    id: int
    version: int
    title: str
    description: str | None
    assignee_id: int | None
    assignee_name: str | None
    assignee_department_id: int | None
    department_name_zh: str | None
    department_name_en: str | None
    assigned_by_id: int
    assigned_by_name: str
    customer_id: int | None
    customer_name: str | None
    related_entity: str | None
    related_id: int | None
    priority: Priority
    status: TaskStatus
    due_on: dt.date | None
    overdue: bool
    acknowledged_at: dt.datetime | None
    reported_at: dt.datetime | None
    report: str | None
    confirmed_at: dt.datetime | None
    confirmed_by_name: str | None
    created_at: dt.datetime


# --- use cases -----------------------------------------------------------------------------


def create_task(*, uow: UnitOfWork, actor: Actor, draft: TaskDraft,
                today: dt.date | None = None, request_key: str | None = None) -> TaskView:
    """Assign a task to a person or a department (see the module docstring for who may).

    A retry with the ``request_key`` of a task already saved returns that task
    (``app.services.requests``)."""
    day = today or dt.date.today()
    with uow:
        require(uow, actor, Module.TASKS, Operation.CREATE)
        if (saved := requests.replayed(uow, actor, request_key, "task")) is not None:
            return _view(uow, saved, day)
        values = _clean(uow, actor, draft, day, current=None)
        task = Task(assigned_by_id=actor.user_id, status=TASK_LIFECYCLE.initial,
                    created_by_id=actor.user_id, updated_by_id=actor.user_id, **values)
        uow.session.add(task)
        uow.flush()
        audit.record(uow, actor, AuditAction.CREATE, "task", task.id, task.title,
                     {"after": audit.snapshot(task)})
        requests.remember(uow, actor, request_key, "task", task.id)
        _notify_assignee(uow, actor, task, "assigned")
        uow.commit()
        return _view(uow, task.id, day)


def update_task(*, uow: UnitOfWork, actor: Actor, task_id: int, expected_version: int,
                draft: TaskDraft, today: dt.date | None = None) -> TaskView:
    """The creator changes a task that is not confirmed or cancelled yet.

    A due date already in the past may stay as it was; a new one may not be in the past.
    """
    day = today or dt.date.today()
    with uow:
        require(uow, actor, Module.TASKS, Operation.CREATE)
        task = _load(uow, task_id)
        _require_creator(task, actor)
        check_version(uow, task, expected_version, entity="task", label=_label(task))
        if TaskStatus(task.status) in CLOSED_STATUSES:
            raise InvalidTransition(tr("{record} is “{status}” and can no longer be changed.",
                                       record=_label(task),
                                       status=TASK_LIFECYCLE.label(TaskStatus(task.status))))
        values = _clean(uow, actor, draft, day, current=task)
        before = audit.snapshot(task)
        for key, value in values.items():
            setattr(task, key, value)
        changes = audit.diff(before, audit.snapshot(task))
        if changes:
            task.updated_by_id = actor.user_id
            uow.flush()
            audit.record(uow, actor, AuditAction.UPDATE, "task", task.id, task.title, changes)
            if {"assignee_id", "assignee_department_id"} & set(changes):
                _notify_assignee(uow, actor, task, "assigned")
        uow.commit()
        return _view(uow, task.id, day)


def cancel_task(*, uow: UnitOfWork, actor: Actor, task_id: int,
                expected_version: int) -> TaskView:
    """The creator withdraws a task that is not confirmed yet."""
    with uow:
        require(uow, actor, Module.TASKS, Operation.CREATE)
        task = _load(uow, task_id)
        _require_creator(task, actor)
        _move(uow, actor, task, expected_version, TS.CANCELLED)
        uow.commit()
        return _view(uow, task.id, dt.date.today())


def acknowledge_task(*, uow: UnitOfWork, actor: Actor, task_id: int,
                     expected_version: int) -> TaskView:
    """The assignee (or a member of the assignee department) says they have taken it on."""
    with uow:
        require(uow, actor, Module.TASKS, Operation.EDIT)
        task = _load(uow, task_id)
        _require_assignee(uow, actor, task)
        _move(uow, actor, task, expected_version, TS.ACKNOWLEDGED)
        task.acknowledged_at = utcnow()
        uow.commit()
        return _view(uow, task.id, dt.date.today())


def report_task_done(*, uow: UnitOfWork, actor: Actor, task_id: int, expected_version: int,
                     report: str | None) -> TaskView:
    """The assignee reports the task done, saying what was done; management confirms next."""
    check = Checker()
    text = check.text("report", report, max_len=500, required=True, multiline=True)
    check.done()
    with uow:
        require(uow, actor, Module.TASKS, Operation.EDIT)
        task = _load(uow, task_id)
        _require_assignee(uow, actor, task)
        _move(uow, actor, task, expected_version, TS.REPORTED_DONE, {"report": text})
        task.report = text
        task.reported_at = utcnow()
        feed.notify(uow, to_user=task.assigned_by_id, kind="task", record_id=task.id,
                    number=task.title, event="reported_done", by=actor)
        uow.commit()
        return _view(uow, task.id, dt.date.today())


def confirm_task(*, uow: UnitOfWork, actor: Actor, task_id: int,
                 expected_version: int) -> TaskView:
    """Management accepts the reported work; who and when are kept."""
    with uow:
        task = _load_for_decision(uow, actor, task_id)
        _move(uow, actor, task, expected_version, TS.CONFIRMED)
        task.confirmed_at = utcnow()
        task.confirmed_by_id = actor.user_id
        uow.commit()
        return _view(uow, task.id, dt.date.today())


def reopen_task(*, uow: UnitOfWork, actor: Actor, task_id: int, expected_version: int,
                comment: str | None) -> TaskView:
    """Management sends reported work back (重办) with a comment, kept in the description."""
    check = Checker()
    text = check.text("comment", comment, max_len=500, required=True, multiline=True)
    check.done()
    assert text is not None
    with uow:
        task = _load_for_decision(uow, actor, task_id)
        _move(uow, actor, task, expected_version, TS.RETURNED, {"comment": text})
        note = tr("Reopened {date}: {comment}",
                  date=dt.date.today().isoformat(), comment=text)
        task.description = f"{task.description}\n{note}" if task.description else note
        _notify_assignee(uow, actor, task, "returned")
        uow.commit()
        return _view(uow, task.id, dt.date.today())


def get_task(*, uow: UnitOfWork, actor: Actor, task_id: int,
             today: dt.date | None = None) -> TaskView:
    with uow:
        require(uow, actor, Module.TASKS, Operation.VIEW)
        task = _load(uow, task_id)
        if not uow.session.execute(
                select(Task.id).where(Task.id == task_id, _visible(uow, actor))).first():
            raise _not_found(task_id)
        return _view(uow, task.id, today or dt.date.today())


def list_tasks(*, uow: UnitOfWork, actor: Actor, view: TaskListView | str = TaskListView.MINE,
               include_closed: bool = False, overdue_only: bool = False,
               today: dt.date | None = None, limit: int = 200) -> tuple[TaskView, ...]:
    """Tasks for the task screen: one query, overdue and soonest due first.

    ``department`` needs a department or wider data scope on ``TASKS``; ``all`` is what
    the actor's data scope covers plus the tasks they assigned. At most ``limit`` tasks:
    with ``include_closed`` they grow without bound over the years, which
    :func:`page_tasks` pages through.
    """
    day = today or dt.date.today()
    limit = max(1, min(int(limit), MAX_LIST))
    with uow:
        conditions = _list_conditions(uow, actor, TaskListView(view), include_closed,
                                      overdue_only, day)
        return _views(uow, conditions, day, limit)


@dataclass(frozen=True)
class TaskPage:
    rows: tuple[TaskView, ...]
    # Pass back as ``after`` for the next page; None at the end.
    next_after: Cursor | None = None
    # Every task of the view that the filters let through (with ``with_total``).
    total: int | None = None


# The task list's columns, as sort keys for :func:`page_tasks`.
TASK_SORT_KEYS: tuple[str, ...] = ("task", "assignee", "customer", "priority", "status",
                                   "due_on", "assigned_by")


def page_tasks(*, uow: UnitOfWork, actor: Actor, view: TaskListView | str = TaskListView.MINE,
               include_closed: bool = False, overdue_only: bool = False,
               today: dt.date | None = None, after: Cursor | None = None, limit: int = 100,
               sort: Sort | None = None, with_total: bool = False) -> TaskPage:
    """:func:`list_tasks` one page at a time, soonest due first (no due date last) unless
    ``sort`` names one of :data:`TASK_SORT_KEYS`; ``with_total`` also counts them."""
    day = today or dt.date.today()
    limit = max(1, min(int(limit), MAX_LIST))
    with uow:
        conditions = _list_conditions(uow, actor, TaskListView(view), include_closed,
                                      overdue_only, day)
        base = _query().where(*conditions)
        rows = uow.session.execute(ordered_page(
            base, columns=_sort_columns(), sort=sort or Sort("due_on"), id_column=Task.id,
            after=after, limit=limit, not_null=("task", "priority", "status"))).all()
        return TaskPage(rows=tuple(_row_view(r, day) for r in rows[:limit]),
                        next_after=next_after(rows, limit),
                        total=count_rows(uow.session, base) if with_total else None)


def _list_conditions(uow: UnitOfWork, actor: Actor, which: TaskListView,
                     include_closed: bool, overdue_only: bool, day: dt.date) -> list[Any]:
    """Permission check and filters of the task list."""
    grants = require(uow, actor, Module.TASKS, Operation.VIEW)
    department = grants.department_id
    if which is TaskListView.MINE:
        where: Any = _mine(actor, department)
    elif which is TaskListView.DEPARTMENT:
        if grants.scope(Module.TASKS) is DataScope.OWN or department is None:
            raise PermissionDenied(
                tr("You may see only your own tasks."),
                module=Module.TASKS, operation=Operation.VIEW)
        where = _of_department(department)
    else:
        where = _visible(uow, actor)
    conditions = [where]
    if not include_closed:
        conditions.append(Task.status.notin_(CLOSED_STATUSES))
    if overdue_only:
        conditions.append(_overdue_clause(day))
    return conditions


def todo_tasks(*, uow: UnitOfWork, actor: Actor, today: dt.date | None = None,
               limit: int = 200) -> tuple[TaskView, ...]:
    """The actor's tasks still to be done (theirs and their department's), for the to-do list.

    Empty, not refused, for a role without ``TASKS/VIEW``.
    """
    day = today or dt.date.today()
    with uow:
        grants = grants_for(uow, actor)
        if not grants.allows(Module.TASKS, Operation.VIEW):
            return ()
        return _views(uow, [_mine(actor, grants.department_id),
                            Task.status.in_(OPEN_STATUSES)], day, limit)


def tasks_to_confirm(*, uow: UnitOfWork, actor: Actor, today: dt.date | None = None,
                     limit: int = 200) -> tuple[TaskView, ...]:
    """Tasks reported done that the actor may confirm (or reopen), for the to-do list.

    The same rule as :func:`confirm_task`, in one query: the assignee is in the actor's
    ``TASKS`` data scope (a department task: scope all, or the actor's own department) or
    the actor assigned it; never the actor's own work. Empty, not refused, for a role
    without ``TASKS/CONFIRM``.
    """
    day = today or dt.date.today()
    with uow:
        grants = grants_for(uow, actor)
        if not grants.allows(Module.TASKS, Operation.CONFIRM):
            return ()
        scope = grants.scope(Module.TASKS)
        if scope is DataScope.ALL:
            department_task: Any = true()
        elif scope is DataScope.DEPARTMENT and grants.department_id is not None:
            department_task = Task.assignee_department_id == grants.department_id
        else:
            department_task = false()
        in_scope = or_(
            and_(Task.assignee_id.is_not(None),
                 scope_filter(uow, actor, Module.TASKS, Task.assignee_id)),
            and_(Task.assignee_id.is_(None), department_task),
            Task.assigned_by_id == actor.user_id)
        not_own_work = and_(
            or_(Task.assignee_id.is_(None), Task.assignee_id != actor.user_id),
            or_(Task.updated_by_id.is_(None), Task.updated_by_id != actor.user_id))
        return _views(uow, [Task.status == TS.REPORTED_DONE, in_scope, not_own_work],
                      day, limit)


def assignable_users(*, uow: UnitOfWork, actor: Actor) -> tuple[tuple[int, str], ...]:
    """Active users the actor may assign a task to (their TASKS data scope), by name."""
    with uow:
        grants = require(uow, actor, Module.TASKS, Operation.CREATE)
        stmt = select(User.id, User.display_name).where(User.active == true())
        scope = grants.scope(Module.TASKS)
        if scope is DataScope.DEPARTMENT and grants.department_id is not None:
            stmt = stmt.where(User.department_id == grants.department_id)
        elif scope is not DataScope.ALL:
            stmt = stmt.where(User.id == actor.user_id)
        rows = uow.session.execute(stmt.order_by(User.display_name, User.id).limit(1000))
        return tuple((r[0], r[1]) for r in rows.all())


def assignable_departments(*, uow: UnitOfWork, actor: Actor
                           ) -> tuple[tuple[int, str, str], ...]:
    """Active departments the actor may assign a task to: ``(id, name_zh, name_en)``."""
    with uow:
        grants = require(uow, actor, Module.TASKS, Operation.CREATE)
        stmt = select(Department.id, Department.name_zh, Department.name_en).where(
            Department.active == true())
        if grants.scope(Module.TASKS) is not DataScope.ALL:
            stmt = stmt.where(Department.id == (grants.department_id or 0))
        return tuple((r[0], r[1], r[2]) for r in uow.session.execute(
            stmt.order_by(Department.id)).all())


# --- helpers -------------------------------------------------------------------------------


def _mine(actor: Actor, department_id: int | None) -> Any:
    if department_id is None:
        return Task.assignee_id == actor.user_id
    return or_(Task.assignee_id == actor.user_id,
               and_(Task.assignee_id.is_(None), Task.assignee_department_id == department_id))


def _of_department(department_id: int) -> Any:
    members = select(User.id).where(User.department_id == department_id).scalar_subquery()
    return or_(Task.assignee_department_id == department_id, Task.assignee_id.in_(members))


def _visible(uow: UnitOfWork, actor: Actor) -> Any:
    """The tasks the actor may see: theirs, their department's, what they assigned, and
    what their data scope covers."""
    grants = grants_for(uow, actor)
    scope = grants.scope(Module.TASKS)
    if scope is DataScope.ALL:
        return true()
    mine = or_(_mine(actor, grants.department_id), Task.assigned_by_id == actor.user_id)
    if scope is DataScope.DEPARTMENT and grants.department_id is not None:
        return or_(mine, _of_department(grants.department_id))
    return mine


def _overdue_clause(day: dt.date) -> Any:
    return and_(Task.due_on.is_not(None), Task.due_on < day,
                Task.status.notin_(DONE_STATUSES))


def _is_overdue(status: TaskStatus, due_on: dt.date | None, day: dt.date) -> bool:
    return due_on is not None and due_on < day and status not in DONE_STATUSES


def _require_creator(task: Task, actor: Actor) -> None:
    if task.assigned_by_id != actor.user_id:
        raise PermissionDenied(tr("Only the person who assigned this task may change it."),
                               module=Module.TASKS, operation=Operation.EDIT)


def _require_assignee(uow: UnitOfWork, actor: Actor, task: Task) -> None:
    if task.assignee_id is not None:
        if task.assignee_id == actor.user_id:
            return
    elif task.assignee_department_id is not None:
        department = grants_for(uow, actor).department_id
        if department is not None and department == task.assignee_department_id:
            return
    raise PermissionDenied(tr("This task is assigned to someone else."),
                           module=Module.TASKS, operation=Operation.EDIT)


def _load_for_decision(uow: UnitOfWork, actor: Actor, task_id: int) -> Task:
    grants = require(uow, actor, Module.TASKS, Operation.CONFIRM)
    task = _load(uow, task_id)
    if task.assignee_id is not None:
        in_scope = owns_in_scope(uow, actor, Module.TASKS, task.assignee_id)
    else:
        scope = grants.scope(Module.TASKS)
        in_scope = scope is DataScope.ALL or (
            scope is DataScope.DEPARTMENT
            and task.assignee_department_id == grants.department_id)
    if not in_scope and task.assigned_by_id != actor.user_id:
        raise PermissionDenied(
            tr("This record belongs to someone else; you may not {operation} it.",
               operation=labels.verb(Operation.CONFIRM)),
            module=Module.TASKS, operation=Operation.CONFIRM)
    if task.assignee_id == actor.user_id or (
            task.updated_by_id == actor.user_id
            and TaskStatus(task.status) is TS.REPORTED_DONE):
        raise PermissionDenied(tr("Nobody confirms their own work."),
                               module=Module.TASKS, operation=Operation.CONFIRM)
    return task


def _move(uow: UnitOfWork, actor: Actor, task: Task, expected_version: int,
          target: TaskStatus, extra: dict[str, Any] | None = None) -> None:
    label = _label(task)
    check_version(uow, task, expected_version, entity="task", label=label)
    current = TaskStatus(task.status)
    TASK_LIFECYCLE.check(current, target, record=label)
    task.status = target
    task.updated_by_id = actor.user_id
    uow.flush()
    action = {TS.CONFIRMED: AuditAction.CONFIRM,
              TS.RETURNED: AuditAction.RETURN}.get(target, AuditAction.TRANSITION)
    audit.record(uow, actor, action, "task", task.id,
                 audit.named("task", f"{task.id} {task.title}"),
                 {"status": [current.value, target.value], **(extra or {})})


def _clean(uow: UnitOfWork, actor: Actor, draft: TaskDraft, day: dt.date, *,
           current: Task | None) -> dict[str, Any]:
    check = Checker()
    values: dict[str, Any] = {
        "title": check.text("title", draft.title, max_len=200, required=True),
        "description": check.text("description", draft.description, max_len=20000,
                                  multiline=True),
        "priority": check.choice("priority", draft.priority, Priority),
    }
    due = check.date("due_on", draft.due_on, required=True, earliest=dt.date(1990, 1, 1),
                     latest=day + DUE_HORIZON)
    if due is not None and due < day and (current is None or due != current.due_on):
        check.fail("due_on", tr("must not be in the past"))
    values["due_on"] = due
    grants = grants_for(uow, actor)
    user_id, department_id = draft.assignee_id, draft.assignee_department_id
    if (user_id is None) == (department_id is None):
        check.fail("assignee", tr("choose either a person or a department"))
    elif user_id is not None:
        row = uow.session.execute(select(User.active).where(User.id == user_id)).first()
        if row is None:
            check.fail("assignee", tr("does not exist"))
        elif not row[0]:
            check.fail("assignee", tr("is deactivated"))
        elif not owns_in_scope(uow, actor, Module.TASKS, user_id):
            check.fail("assignee", tr("is outside the people you may assign tasks to"))
    else:
        row = uow.session.execute(
            select(Department.active).where(Department.id == department_id)).first()
        if row is None:
            check.fail("assignee", tr("does not exist"))
        elif not row[0]:
            check.fail("assignee", tr("is deactivated"))
        elif (grants.scope(Module.TASKS) is not DataScope.ALL
              and department_id != grants.department_id):
            check.fail("assignee", tr("is outside the people you may assign tasks to"))
    values["assignee_id"] = user_id
    values["assignee_department_id"] = department_id
    if draft.customer_id is not None and customer_entry(uow, draft.customer_id) is None:
        check.fail("customer_id", tr("does not exist"))
    values["customer_id"] = draft.customer_id
    if (draft.related_entity is None) != (draft.related_id is None):
        check.fail("related_entity", tr("give both the kind and the record"))
    elif draft.related_entity is not None and draft.related_entity not in RELATED_KINDS:
        check.fail("related_entity", tr("is not a valid choice"))
    values["related_entity"] = draft.related_entity
    values["related_id"] = draft.related_id
    check.done()
    return values


def _notify_assignee(uow: UnitOfWork, actor: Actor, task: Task, event: str) -> None:
    """Tell the assignee (a person, or everyone of a department) at their station."""
    if task.assignee_id is None and task.assignee_department_id is not None \
            and event == "assigned":
        event = "dept_assigned"
    feed.notify(uow, to_user=task.assignee_id, to_department=task.assignee_department_id,
                kind="task", record_id=task.id, number=task.title, event=event, by=actor)


def _label(task: Task) -> str:
    return f"{tr('Task')} {task.id} {task.title}"


def _not_found(task_id: int) -> NotFound:
    return NotFound(tr("{entity} {id} does not exist or you may not see it.",
                       entity=tr("Task"), id=task_id))


def _load(uow: UnitOfWork, task_id: int) -> Task:
    task = uow.session.get(Task, task_id)
    if task is None:
        raise _not_found(task_id)
    return task


_Assignee = aliased(User)
_Creator = aliased(User)
_Confirmer = aliased(User)


def _query() -> Any:
    return (
        select(Task, _Assignee.display_name, Department.name_zh, Department.name_en,
               _Creator.display_name, _DIR.name, _Confirmer.display_name)
        .outerjoin(_Assignee, _Assignee.id == Task.assignee_id)
        .outerjoin(Department, Department.id == Task.assignee_department_id)
        .join(_Creator, _Creator.id == Task.assigned_by_id)
        .outerjoin(customer_directory, _DIR.id == Task.customer_id)
        .outerjoin(_Confirmer, _Confirmer.id == Task.confirmed_by_id)
    )


def _sort_columns() -> dict[str, SortExpr]:
    """What each task column sorts by; all of it is on every row the actor may list.
    The assignee is the person: tasks given to a whole department come after (by id).
    The customer by pinyin, priority and status in their declared order."""
    return {
        "task": Task.title,
        "assignee": _Assignee.display_name,
        "customer": _DIR.sort_key,
        "priority": ranked(Task.priority, list(Priority)),
        "status": ranked(Task.status, list(TaskStatus)),
        "due_on": Task.due_on,
        "assigned_by": _Creator.display_name,
    }


def _views(uow: UnitOfWork, conditions: list[Any], day: dt.date,
           limit: int) -> tuple[TaskView, ...]:
    overdue_first = case((_overdue_clause(day), 0), else_=1)
    no_due_last = case((Task.due_on.is_(None), 1), else_=0)
    urgency = case((Task.priority == Priority.URGENT, 0), (Task.priority == Priority.HIGH, 1),
                   (Task.priority == Priority.NORMAL, 2), else_=3)
    stmt = (_query().where(*conditions)
            .order_by(overdue_first, no_due_last, Task.due_on, urgency, Task.id)
            .limit(limit))
    return tuple(_row_view(r, day) for r in uow.session.execute(stmt).all())


def _view(uow: UnitOfWork, task_id: int, day: dt.date) -> TaskView:
    return _row_view(uow.session.execute(_query().where(Task.id == task_id)).one(), day)


def _row_view(r: Any, day: dt.date) -> TaskView:
    t: Task = r[0]
    status = TaskStatus(t.status)
    return TaskView(
        id=t.id, version=t.version, title=t.title, description=t.description,
        assignee_id=t.assignee_id, assignee_name=r[1],
        assignee_department_id=t.assignee_department_id, department_name_zh=r[2],
        department_name_en=r[3], assigned_by_id=t.assigned_by_id, assigned_by_name=r[4],
        customer_id=t.customer_id, customer_name=r[5], related_entity=t.related_entity,
        related_id=t.related_id, priority=Priority(t.priority), status=status,
        due_on=t.due_on, overdue=_is_overdue(status, t.due_on, day),
        acknowledged_at=t.acknowledged_at, reported_at=t.reported_at, report=t.report,
        confirmed_at=t.confirmed_at, confirmed_by_name=r[6], created_at=t.created_at,
    )


__all__ = [
    "CLOSED_STATUSES",
    "OPEN_STATUSES",
    "TASK_LIFECYCLE",
    "TASK_SORT_KEYS",
    "TaskDraft",
    "TaskListView",
    "TaskPage",
    "TaskView",
    "acknowledge_task",
    "assignable_departments",
    "assignable_users",
    "cancel_task",
    "confirm_task",
    "create_task",
    "get_task",
    "list_tasks",
    "page_tasks",
    "reopen_task",
    "report_task_done",
    "tasks_to_confirm",
    "todo_tasks",
    "update_task",
]

"""Each user's one to-do list (待办事项): tasks, follow-ups, returned records, contracts, care.

:func:`todo_list` gathers, for the acting user,

* their open tasks, including tasks given to their whole department (:mod:`app.services.tasks`);
* for management (``tasks/confirm``): tasks others reported done that wait for the actor's
  confirmation, as task lines with the detail "Awaiting confirmation" (待确认)
  (:func:`app.services.tasks.tasks_to_confirm`);
* visit follow-ups due today or earlier (:func:`app.services.visits.todo_follow_ups`);
* their records management returned, with the return comment
  (:func:`app.services.confirmation.returned_to_me`);
* service contracts in their scope ending within 30 days;
* their open customer care items (客户关怀) due today or earlier
  (:func:`app.services.care.open_care_items_for_todo`);
* for a technician (维修工程师): the open service tickets assigned to them — received,
  dispatched, in repair or waiting for parts — due by their SLA due time (服务时限), those
  past it overdue;
* for the customer guard (客户资源安全, the general manager by default): the flagged days of
  the read trail nobody marked handled yet (:func:`app.services.guard_watch.open_alerts`),
  the person's name as the title and why as the detail.

Each source the user's role may not view is left out (a technician has no visits), so the
list never refuses. Items are sorted overdue first, then by due date (undated last); the
customer guard's flagged days come before everything. The
list costs a fixed number of queries: one per source (three for returned records); the
tasks to confirm are one more query, only for roles that may confirm tasks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select

from app.i18n import current_language, tr
from app.models import Device, ServiceContract, ServiceTicket, utcnow
from app.models.customers import customer_directory
from app.models.enums import ContractStatus, Module, Operation, TaskStatus, TicketStatus
from app.services.care import open_care_items_for_todo
from app.services.confirmation import returned_to_me
from app.services.contracts import _scope_clause as _contract_scope
from app.services.guard_watch import open_alerts
from app.services.permissions import Actor, grants_for
from app.services.tasks import tasks_to_confirm, todo_tasks
from app.services.tickets import OPEN_STATUSES
from app.services.uow import UnitOfWork
from app.services.visits import todo_follow_ups

# Customer names come from the directory: a record may be in the actor's scope while
# its customer is not (row security hides that customer's own row on a secured server).
_DIR = customer_directory.c

EXPIRING_WITHIN_DAYS = 30
MAX_PER_SOURCE = 200


class TodoKind(StrEnum):
    TASK = "task"
    FOLLOW_UP = "follow_up"
    RETURNED = "returned"
    CONTRACT = "contract"
    CARE = "care"
    TICKET = "ticket"
    GUARD = "guard"


@dataclass(frozen=True)
class TodoItem:
    """One line of the to-do list.

    ``id``/``version`` are those of the task, visit, returned record, contract, care
    item or service ticket. ``record_kind`` says which record a returned item is
    (``visit``, ``order``, ``repair``); ``status`` is a task's or a ticket's status.
    ``detail`` is the line's second text: the next step of a follow-up, the return
    comment, a task's priority and giver, a ticket's device and symptoms.
    """

    kind: TodoKind
    id: int
    version: int
    title: str
    customer_id: int | None
    customer_name: str | None
    due: dt.date | None
    overdue: bool
    detail: str | None = None
    record_kind: str | None = None
    status: str | None = None
    priority: str | None = None
    # What a task is about: a record kind ("visit", "order", ...) and its id.
    related_kind: str | None = None
    related_id: int | None = None
    # A task waiting for the actor's confirmation: who reported it done, and the report.
    assignee_name: str | None = None
    report: str | None = None

    @property
    def awaits_confirmation(self) -> bool:
        return self.kind is TodoKind.TASK and self.status == TaskStatus.REPORTED_DONE.value


def todo_list(*, uow: UnitOfWork, actor: Actor, today: dt.date | None = None,
              kinds: Iterable[TodoKind] | None = None) -> tuple[TodoItem, ...]:
    """The acting user's to-do list, overdue first, then by due date."""
    day = today or dt.date.today()
    wanted = set(kinds) if kinds is not None else set(TodoKind)
    items: list[TodoItem] = []
    with uow:
        grants = grants_for(uow, actor)
        if TodoKind.TASK in wanted:
            for t in todo_tasks(uow=uow, actor=actor, today=day, limit=MAX_PER_SOURCE):
                items.append(TodoItem(
                    kind=TodoKind.TASK, id=t.id, version=t.version, title=t.title,
                    customer_id=t.customer_id, customer_name=t.customer_name, due=t.due_on,
                    overdue=t.overdue, detail=t.description, status=t.status.value,
                    priority=t.priority.value, related_kind=t.related_entity,
                    related_id=t.related_id))
            # Work others reported done, for management to confirm (待确认).
            for t in tasks_to_confirm(uow=uow, actor=actor, today=day, limit=MAX_PER_SOURCE):
                items.append(TodoItem(
                    kind=TodoKind.TASK, id=t.id, version=t.version, title=t.title,
                    customer_id=t.customer_id, customer_name=t.customer_name, due=t.due_on,
                    overdue=t.overdue, detail=tr("Awaiting confirmation"),
                    status=t.status.value,
                    priority=t.priority.value, related_kind=t.related_entity,
                    related_id=t.related_id,
                    assignee_name=t.assignee_name or (
                        t.department_name_zh if current_language() == "zh"
                        else t.department_name_en),
                    report=t.report))
        if TodoKind.FOLLOW_UP in wanted and grants.allows(Module.VISITS, Operation.VIEW):
            for f in todo_follow_ups(uow=uow, actor=actor, on=day, limit=MAX_PER_SOURCE):
                items.append(TodoItem(
                    kind=TodoKind.FOLLOW_UP, id=f.visit_id, version=f.visit_version,
                    title=f.purpose, customer_id=f.customer_id,
                    customer_name=(f.customer_name + (f" — {f.contact_name}"
                                                      if f.contact_name else "")),
                    due=f.follow_up_on, overdue=f.overdue, detail=f.next_step,
                    record_kind="visit"))
        if TodoKind.RETURNED in wanted:
            for r in returned_to_me(uow=uow, actor=actor, limit=MAX_PER_SOURCE):
                returned_on = r.returned_at.astimezone().date() if r.returned_at else None
                items.append(TodoItem(
                    kind=TodoKind.RETURNED, id=r.id, version=r.version, title=r.reference,
                    customer_id=r.customer_id, customer_name=r.customer_name,
                    due=returned_on, overdue=False, detail=r.comment,
                    record_kind=r.kind.value))
        if TodoKind.CONTRACT in wanted and grants.allows(Module.CONTRACTS, Operation.VIEW):
            items.extend(_expiring_contracts(uow, actor, day))
        if TodoKind.CARE in wanted and grants.allows(Module.CARE, Operation.VIEW):
            for c in open_care_items_for_todo(uow=uow, actor=actor, on=day,
                                              limit=MAX_PER_SOURCE):
                items.append(TodoItem(
                    kind=TodoKind.CARE, id=c.id, version=c.version, title=c.title,
                    customer_id=c.customer_id, customer_name=c.customer_name, due=c.due_on,
                    overdue=c.overdue, record_kind=c.kind.value))
        if TodoKind.TICKET in wanted and grants.allows(Module.SERVICE_TICKETS, Operation.VIEW):
            items.extend(_open_tickets(uow, actor))
        if TodoKind.GUARD in wanted and grants.allows(Module.CUSTOMER_GUARD, Operation.VIEW):
            for a in open_alerts(uow, actor, day, limit=MAX_PER_SOURCE):
                items.append(TodoItem(
                    kind=TodoKind.GUARD, id=a.id, version=a.version, title=a.user_name,
                    customer_id=None, customer_name=None, due=a.day, overdue=False,
                    detail=a.text, record_kind="guard_alert", related_kind="user",
                    related_id=a.user_id))
    return tuple(sorted(items, key=_order))


def _order(item: TodoItem) -> tuple[int, int, int, dt.date, int, int]:
    kinds = list(TodoKind)
    # A flagged day of the read trail comes first: someone may be leaving with the
    # customers now, which no task due last month outweighs.
    return (0 if item.kind is TodoKind.GUARD else 1, 0 if item.overdue else 1,
            1 if item.due is None else 0, item.due or dt.date.max, kinds.index(item.kind),
            item.id)


def _expiring_contracts(uow: UnitOfWork, actor: Actor, day: dt.date) -> list[TodoItem]:
    """Active contracts in scope ending within 30 days — one query (the contract service's
    list builds a full view per contract)."""
    rows = uow.session.execute(
        select(ServiceContract.id, ServiceContract.version, ServiceContract.number,
               ServiceContract.customer_id, _DIR.name, ServiceContract.ends_on)
        .join(customer_directory, _DIR.id == ServiceContract.customer_id)
        .where(_contract_scope(uow, actor), ServiceContract.status == ContractStatus.ACTIVE,
               ServiceContract.ends_on >= day,
               ServiceContract.ends_on <= day + dt.timedelta(days=EXPIRING_WITHIN_DAYS))
        .order_by(ServiceContract.ends_on, ServiceContract.id).limit(MAX_PER_SOURCE)).all()
    return [TodoItem(kind=TodoKind.CONTRACT, id=r[0], version=r[1], title=r[2],
                     customer_id=r[3], customer_name=r[4], due=r[5], overdue=False,
                     detail=None) for r in rows]


def _open_tickets(uow: UnitOfWork, actor: Actor) -> list[TodoItem]:
    """The open tickets assigned to the actor, soonest due first — one query (on the
    technician-and-status index). The title is the ticket number, the detail the device
    and the symptoms; the due day is the SLA due time's, in the station's time zone."""
    now = utcnow()
    rows = uow.session.execute(
        select(ServiceTicket.id, ServiceTicket.version, ServiceTicket.number,
               ServiceTicket.customer_id, _DIR.name, ServiceTicket.due_at,
               ServiceTicket.status, ServiceTicket.symptoms, Device.brand, Device.model)
        .join(customer_directory, _DIR.id == ServiceTicket.customer_id)
        .outerjoin(Device, Device.id == ServiceTicket.device_id)
        .where(ServiceTicket.technician_id == actor.user_id,
               ServiceTicket.status.in_(OPEN_STATUSES))
        .order_by(ServiceTicket.due_at, ServiceTicket.id).limit(MAX_PER_SOURCE)).all()
    items: list[TodoItem] = []
    for r in rows:
        device = f"{r[8]} {r[9]}" if r[8] is not None else None
        symptoms = " ".join(str(r[7]).split())
        items.append(TodoItem(
            kind=TodoKind.TICKET, id=r[0], version=r[1], title=r[2], customer_id=r[3],
            customer_name=r[4], due=r[5].astimezone().date() if r[5] is not None else None,
            overdue=r[5] is not None and r[5] < now,
            detail=f"{device} · {symptoms}" if device else symptoms,
            record_kind="service_ticket", status=TicketStatus(r[6]).value))
    return items


__all__ = [
    "EXPIRING_WITHIN_DAYS",
    "TodoItem",
    "TodoKind",
    "todo_list",
]

"""Opportunity routing (商机分派): management gives ownerless leads to salespeople.

An opportunity without an owner waits in management's routing queue: a re-need a
technician passed on from a repair, or a walk-in or phone lead the counter left without
an owner (see :mod:`app.services.opportunities`). Management assigns each one by hand or
spreads a selection round-robin among the active salespeople (role ``sales``); the
rotation remembers the last salesperson given (the ``routing.round_robin`` setting), so
it continues across calls and days, and deactivated salespeople simply drop out of it.

Every assignment is audited and puts a task "New opportunity: …" (新商机：…) on the
assignee's to-do list, in the same transaction.

Permission: :attr:`Module.OPPORTUNITIES` + :attr:`Operation.CONFIRM` (management's
confirming right over opportunities; the management clerk and the general manager have
it, salespeople and counter clerks do not).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select, true
from sqlalchemy.orm import aliased

from app.i18n import tr
from app.models import (
    AppSetting,
    Opportunity,
    Role,
    RolePermission,
    ServiceTicket,
    Task,
    User,
)
from app.models.customers import customer_directory
from app.models.enums import (
    AuditAction,
    CustomerSource,
    Module,
    Operation,
    Priority,
    TaskStatus,
)
from app.services import audit, feed
from app.services.errors import ConflictError, InvalidTransition, NotFound
from app.services.locking import check_version
from app.services.opportunities import OPEN_STAGES
from app.services.permissions import Actor, require
from app.services.uow import UnitOfWork
from app.services.validation import Checker

# Customer names come from the directory: a record may be in the actor's scope while
# its customer is not (row security hides that customer's own row on a secured server).
_DIR = customer_directory.c

SALES_ROLE = "sales"
ROUND_ROBIN_KEY = "routing.round_robin"
MAX_QUEUE_ROWS = 500
MAX_BATCH = 500


@dataclass(frozen=True)
class QueuedOpportunity:
    """One line of the routing queue."""

    id: int
    number: str
    version: int
    customer_id: int
    customer_name: str
    source: CustomerSource
    title: str
    expected_amount: Decimal
    credited_user_id: int | None
    credited_user_name: str | None
    service_ticket_number: str | None
    created_at: dt.datetime


@dataclass(frozen=True)
class Salesperson:
    id: int
    display_name: str


@dataclass(frozen=True)
class Assignment:
    """One routed opportunity: who got it and the to-do task made for them."""

    opportunity_id: int
    opportunity_number: str
    owner_id: int
    owner_name: str
    task_id: int


def list_routing_queue(
    *, uow: UnitOfWork, actor: Actor, limit: int = MAX_QUEUE_ROWS,
) -> tuple[QueuedOpportunity, ...]:
    """Open opportunities without an owner, oldest first (the first waiting is served first)."""
    limit = max(1, min(limit, MAX_QUEUE_ROWS))
    credited = aliased(User)
    with uow:
        require(uow, actor, Module.OPPORTUNITIES, Operation.CONFIRM)
        stmt = (
            select(Opportunity.id, Opportunity.number, Opportunity.version,
                   Opportunity.customer_id, _DIR.name, Opportunity.source,
                   Opportunity.title, Opportunity.expected_amount,
                   Opportunity.credited_user_id, credited.display_name,
                   ServiceTicket.number, Opportunity.created_at)
            .join(customer_directory, _DIR.id == Opportunity.customer_id)
            .outerjoin(credited, credited.id == Opportunity.credited_user_id)
            .outerjoin(ServiceTicket, ServiceTicket.id == Opportunity.service_ticket_id)
            .where(Opportunity.owner_id.is_(None), Opportunity.stage.in_(OPEN_STAGES))
            .order_by(Opportunity.id)
            .limit(limit)
        )
        return tuple(
            QueuedOpportunity(
                id=r[0], number=r[1], version=r[2], customer_id=r[3], customer_name=r[4],
                source=r[5], title=r[6], expected_amount=r[7], credited_user_id=r[8],
                credited_user_name=r[9], service_ticket_number=r[10], created_at=r[11])
            for r in uow.session.execute(stmt).all())


def list_salespeople(*, uow: UnitOfWork, actor: Actor) -> tuple[Salesperson, ...]:
    """The active salespeople, in the round-robin order (by user id)."""
    with uow:
        require(uow, actor, Module.OPPORTUNITIES, Operation.CONFIRM)
        return tuple(Salesperson(id=i, display_name=n) for i, n in _salespeople(uow))


def assign_opportunity(
    *, uow: UnitOfWork, actor: Actor, opportunity_id: int, expected_version: int,
    user_id: int,
) -> Assignment:
    """Give one queued opportunity to a salesperson, by hand.

    The opportunity must still be open; ``expected_version`` is the version the queue
    showed, so an opportunity someone else routed or changed meanwhile raises
    :class:`ConflictError`. The assignee must be an active user whose role works on
    opportunities.
    """
    with uow:
        require(uow, actor, Module.OPPORTUNITIES, Operation.CONFIRM)
        opportunity = uow.session.get(Opportunity, opportunity_id)
        if opportunity is None:
            raise NotFound(tr("{entity} {id} does not exist or you may not see it.",
                              entity=tr("Opportunity"), id=opportunity_id))
        if opportunity.stage not in OPEN_STAGES:
            raise InvalidTransition(tr("A closed opportunity can no longer be changed."))
        check_version(uow, opportunity, expected_version, entity="opportunity",
                      label=opportunity.number)
        check = Checker()
        name = _check_assignee(uow, check, "user_id", user_id)
        check.done()
        assert name is not None
        result = _assign(uow, actor, opportunity, user_id, name)
        uow.commit()
        return result


def assign_round_robin(
    *, uow: UnitOfWork, actor: Actor, opportunity_ids: Sequence[int],
) -> tuple[Assignment, ...]:
    """Spread queued opportunities among the active salespeople in turn.

    The rotation starts after the salesperson who got the previous round-robin lead
    (remembered in the ``routing.round_robin`` setting) and skips deactivated users.
    All or nothing: if any of the opportunities is no longer waiting in the queue
    (someone routed or closed it meanwhile), :class:`ConflictError` names it and nothing
    is assigned.
    """
    ids = list(dict.fromkeys(opportunity_ids))
    check = Checker()
    if not ids:
        check.fail("opportunity_ids", tr("choose at least one opportunity"))
    elif len(ids) > MAX_BATCH:
        check.fail("opportunity_ids", tr("at most {n} at a time", n=MAX_BATCH))
    check.done()
    with uow:
        require(uow, actor, Module.OPPORTUNITIES, Operation.CONFIRM)
        people = _salespeople(uow)
        if not people:
            check.fail("user_id", tr("there is no active salesperson"))
            check.done()
        found = {o.id: o for o in uow.session.execute(
            select(Opportunity).where(Opportunity.id.in_(ids)).order_by(Opportunity.id)
        ).scalars()}
        missing = [i for i in ids if i not in found]
        if missing:
            raise NotFound(tr("{entity} {id} does not exist or you may not see it.",
                              entity=tr("Opportunity"), id=missing[0]))
        taken = [o.number for o in found.values()
                 if o.owner_id is not None or o.stage not in OPEN_STAGES]
        if taken:
            raise ConflictError(
                tr("No longer waiting in the routing queue: {numbers}. Refresh and try "
                   "again.", numbers="、".join(taken)), entity="opportunity")
        setting = uow.session.execute(
            select(AppSetting).where(AppSetting.key == ROUND_ROBIN_KEY)).scalar_one_or_none()
        last = _last_given(setting)
        turn = _next_index(people, last)
        results = []
        for opportunity_id in ids:  # in the order management chose them
            user_id, name = people[turn]
            results.append(_assign(uow, actor, found[opportunity_id], user_id, name))
            last = user_id
            turn = (turn + 1) % len(people)
        value = json.dumps({"last_user_id": last})
        if setting is None:
            uow.session.add(AppSetting(
                key=ROUND_ROBIN_KEY, value=value,
                description="The salesperson who got the last round-robin opportunity",
                created_by_id=actor.user_id, updated_by_id=actor.user_id))
        else:
            setting.value = value
            setting.updated_by_id = actor.user_id
        uow.commit()
        return tuple(results)


# --- helpers -------------------------------------------------------------------------------


def _salespeople(uow: UnitOfWork) -> list[tuple[int, str]]:
    rows = uow.session.execute(
        select(User.id, User.display_name)
        .join(Role, Role.id == User.role_id)
        .where(Role.code == SALES_ROLE, User.active == true())
        .order_by(User.id)
    ).all()
    return [(r[0], r[1]) for r in rows]


def _last_given(setting: AppSetting | None) -> int | None:
    if setting is None:
        return None
    try:
        value = json.loads(setting.value).get("last_user_id")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) else None


def _next_index(people: Sequence[tuple[int, str]], last: int | None) -> int:
    """The first salesperson after ``last`` in id order (``last`` may be gone by now)."""
    if last is None:
        return 0
    for index, (user_id, _name) in enumerate(people):
        if user_id > last:
            return index
    return 0


def _check_assignee(uow: UnitOfWork, check: Checker, field: str, user_id: int) -> str | None:
    """The assignee's display name, or a failure on ``field``."""
    row = uow.session.execute(
        select(User.display_name, User.active, User.role_id).where(User.id == user_id)
    ).one_or_none()
    if row is None or not row.active:
        check.fail(field, tr("must be an active user"))
        return None
    if not _role_allows(uow, row.role_id, Module.OPPORTUNITIES, (Operation.EDIT,)):
        check.fail(field, tr("may not work on opportunities"))
        return None
    return str(row.display_name)


def _role_allows(uow: UnitOfWork, role_id: int, module: Module,
                 operations: Iterable[Operation]) -> bool:
    return uow.session.execute(
        select(RolePermission.id).where(RolePermission.role_id == role_id,
                                        RolePermission.module == module,
                                        RolePermission.operation.in_(list(operations)))
        .limit(1).order_by(RolePermission.id)
    ).first() is not None


def _assign(uow: UnitOfWork, actor: Actor, opportunity: Opportunity, user_id: int,
            name: str) -> Assignment:
    before = opportunity.owner_id
    opportunity.owner_id = user_id
    opportunity.updated_by_id = actor.user_id
    task = Task(
        title=tr("New opportunity: {title}", title=opportunity.title)[:200],
        description=f"{opportunity.number} {opportunity.title}",
        assignee_id=user_id, assigned_by_id=actor.user_id,
        customer_id=opportunity.customer_id, related_entity="opportunity",
        related_id=opportunity.id, priority=Priority.NORMAL, status=TaskStatus.OPEN,
        created_by_id=actor.user_id, updated_by_id=actor.user_id,
    )
    uow.session.add(task)
    uow.flush()
    audit.record(uow, actor, AuditAction.REASSIGN, "opportunity", opportunity.id,
                 f"{opportunity.number} → {name}", {"owner_id": [before, user_id]})
    audit.record(uow, actor, AuditAction.CREATE, "task", task.id, task.title,
                 {"after": audit.snapshot(task)})
    feed.notify(uow, to_user=user_id, kind="opportunity", record_id=opportunity.id,
                number=opportunity.number, event="assigned", by=actor)
    return Assignment(opportunity_id=opportunity.id, opportunity_number=opportunity.number,
                      owner_id=user_id, owner_name=name, task_id=task.id)


__all__ = [
    "ROUND_ROBIN_KEY",
    "Assignment",
    "QueuedOpportunity",
    "Salesperson",
    "assign_opportunity",
    "assign_round_robin",
    "list_routing_queue",
    "list_salespeople",
]

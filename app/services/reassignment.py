"""Customer reassignment (客户移交) when staff leave: preview, hand over, deactivate.

Customers belong to the company; when a salesperson (or anyone else) leaves, management
hands everything the person is responsible for over to active colleagues in one
transaction, then deactivates the account. What "everything" means is the table
:data:`HOLDINGS`: each owner column of the data model, limited to the records still in
play (open opportunities, quotations and orders; open tasks and care items; contracts;
visits whose follow-up is still pending; service tickets being repaired). Closed records
keep the person who did the work (completed orders stay theirs for the sales
assessment); so do sales plans, which are targets set for that person
(:data:`KEPT_AS_HISTORY`).

Three plans (:class:`AllToOne`, :class:`Evenly`, :class:`ByClass`):

* all to one user;
* evenly among several users: the customers are split in turn (by id); each customer's
  open records follow the customer to its new owner; tasks, service tickets and records
  whose customer is not one of the person's are split in turn;
* by customer class: each class goes to one user; records follow their customer's class,
  and records without a customer are split in turn among the users of the plan.

Each moved record gets an audit entry (``reassign``) with the owner before and after, in
the same transaction; customers' entries appear on their timelines (customer 360).

Permission: :attr:`Module.CUSTOMERS` + :attr:`Operation.CONFIRM` for all three use cases
— management's right over the customer base (the management clerk and the general
manager have it; salespeople, counter clerks and the repair department do not).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    and_,
    case,
    exists,
    false,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import InstrumentedAttribute

from app import labels
from app.i18n import tr
from app.models import (
    CareItem,
    Customer,
    Opportunity,
    Order,
    Quotation,
    Role,
    RolePermission,
    ServiceContract,
    ServiceTicket,
    Task,
    User,
    Visit,
    utcnow,
)
from app.models.enums import (
    AuditAction,
    CareStatus,
    CustomerClass,
    Module,
    Operation,
    OrderStatus,
    QuotationStatus,
    TaskStatus,
    TicketStatus,
)
from app.services import audit, feed
from app.services.errors import ConflictError, NotFound
from app.services.locking import check_version
from app.services.opportunities import OPEN_STAGES
from app.services.permissions import Actor, require
from app.services.uow import UnitOfWork
from app.services.validation import Checker

MAX_ITEMS = 200  # records listed per kind in a preview (the counts are always complete)
CHUNK = 500  # ids per UPDATE (SQL Server takes at most 2100 parameters)


@dataclass(frozen=True)
class HoldingKind:
    """One owner column and the records under it that a leaving person must hand over."""

    code: str
    label: str  # English; shown through tr()
    entity: str  # the audit log's entity name
    model: Any
    owner: InstrumentedAttribute[Any]
    customer: InstrumentedAttribute[Any]  # the record's customer (may hold NULL)
    reference: InstrumentedAttribute[Any]  # what people read: number, name or title
    still_open: Callable[[], ColumnElement[bool]] | None
    # The receiving user's role must allow this on the module (else they could not work it).
    module: Module
    operation: Operation
    follows_customer: bool = True


def _opportunities_open() -> ColumnElement[bool]:
    return Opportunity.stage.in_(OPEN_STAGES)


def _quotations_open() -> ColumnElement[bool]:
    return Quotation.status.in_((QuotationStatus.DRAFT, QuotationStatus.SENT,
                                 QuotationStatus.ACCEPTED))


def _orders_open() -> ColumnElement[bool]:
    return Order.status.not_in((OrderStatus.COMPLETED, OrderStatus.CANCELLED))


def _tasks_open() -> ColumnElement[bool]:
    return Task.status.in_((TaskStatus.OPEN, TaskStatus.ACKNOWLEDGED,
                            TaskStatus.REPORTED_DONE, TaskStatus.RETURNED))


def _care_open() -> ColumnElement[bool]:
    return CareItem.status == CareStatus.OPEN


def _follow_up_pending() -> ColumnElement[bool]:
    return Visit.follow_up_on.is_not(None) & (Visit.follow_up_done == false())


def _tickets_open() -> ColumnElement[bool]:
    return ServiceTicket.status.in_((TicketStatus.RECEIVED, TicketStatus.DISPATCHED,
                                     TicketStatus.IN_REPAIR, TicketStatus.WAITING_PARTS))


CUSTOMERS = "customers"
HOLDINGS: tuple[HoldingKind, ...] = (
    HoldingKind(CUSTOMERS, "Customers", "customer", Customer, Customer.owner_id, Customer.id,
                Customer.name, None, Module.CUSTOMERS, Operation.EDIT),
    HoldingKind("opportunities", "Open opportunities", "opportunity", Opportunity,
                Opportunity.owner_id, Opportunity.customer_id, Opportunity.number,
                _opportunities_open, Module.OPPORTUNITIES, Operation.EDIT),
    HoldingKind("quotations", "Open quotations", "quotation", Quotation, Quotation.owner_id,
                Quotation.customer_id, Quotation.number, _quotations_open,
                Module.QUOTATIONS, Operation.EDIT),
    HoldingKind("orders", "Open orders", "order", Order, Order.owner_id, Order.customer_id,
                Order.number, _orders_open, Module.ORDERS, Operation.EDIT),
    HoldingKind("contracts", "Service contracts", "contract", ServiceContract,
                ServiceContract.owner_id, ServiceContract.customer_id,
                ServiceContract.number, None, Module.CONTRACTS, Operation.VIEW),
    HoldingKind("follow_ups", "Pending follow-ups", "visit", Visit, Visit.owner_id,
                Visit.customer_id, Visit.purpose, _follow_up_pending, Module.VISITS,
                Operation.EDIT),
    HoldingKind("care_items", "Open care items", "care_item", CareItem, CareItem.owner_id,
                CareItem.customer_id, CareItem.title, _care_open, Module.CARE,
                Operation.VIEW),
    HoldingKind("tasks", "Open tasks", "task", Task, Task.assignee_id, Task.customer_id,
                Task.title, _tasks_open, Module.TASKS, Operation.VIEW,
                follows_customer=False),
    HoldingKind("service_tickets", "Service tickets in repair", "service_ticket",
                ServiceTicket, ServiceTicket.technician_id, ServiceTicket.customer_id,
                ServiceTicket.number, _tickets_open, Module.SERVICE_TICKETS, Operation.EDIT,
                follows_customer=False),
)
KINDS = {k.code: k for k in HOLDINGS}

# Person columns deliberately left alone: they say who did or was set the work, not who
# looks after something now. (Closed records under the columns above stay too.)
KEPT_AS_HISTORY: Mapping[str, str] = {
    "sales_plans.owner_id": "a sales target set for that person",
    "repair_records.technician_id": "who did the repair (the service score counts it)",
}


# --- plans -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AllToOne:
    """Everything to one user."""

    user_id: int


@dataclass(frozen=True)
class Evenly:
    """Customers split in turn among ``user_ids``; their open records follow them."""

    user_ids: tuple[int, ...]


@dataclass(frozen=True)
class ByClass:
    """Each customer class to one user; records follow their customer's class."""

    users: Mapping[CustomerClass, int] = field(default_factory=dict)


Plan = AllToOne | Evenly | ByClass


# --- data out --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HoldingItem:
    id: int
    reference: str
    customer_id: int | None
    customer_name: str | None


@dataclass(frozen=True)
class HoldingGroup:
    kind: str
    label: str
    count: int
    items: tuple[HoldingItem, ...]  # the first MAX_ITEMS


@dataclass(frozen=True)
class Holdings:
    """Everything a user is responsible for now."""

    user_id: int
    display_name: str
    role_code: str
    active: bool
    version: int
    groups: tuple[HoldingGroup, ...]
    # Customer classes a by-class plan must cover, with the customers of each.
    classes: tuple[tuple[CustomerClass, int], ...]

    @property
    def total(self) -> int:
        return sum(g.count for g in self.groups)

    def count(self, kind: str) -> int:
        return next((g.count for g in self.groups if g.kind == kind), 0)


@dataclass(frozen=True)
class Receiver:
    user_id: int
    display_name: str
    counts: Mapping[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class HandOverResult:
    from_user_id: int
    moved: Mapping[str, int]  # kind → records moved
    receivers: tuple[Receiver, ...]
    deactivated: bool

    @property
    def total(self) -> int:
        return sum(self.moved.values())


@dataclass(frozen=True)
class Person:
    """A user as offered in the reassignment wizard (inactive ones too: they may still own)."""

    id: int
    display_name: str
    username: str
    role_code: str
    role_name_zh: str
    role_name_en: str
    active: bool
    # Whether the role may work on any kind of record a hand-over moves (the administrator's
    # may not): only such users are offered as receivers.
    can_receive: bool = True


# --- use cases -------------------------------------------------------------------------------


def list_people(*, uow: UnitOfWork, actor: Actor) -> tuple[Person, ...]:
    """Every user, active ones first, by name: who may leave and who may receive."""
    with uow:
        require(uow, actor, Module.CUSTOMERS, Operation.CONFIRM)
        works_on_holdings = exists().where(
            RolePermission.role_id == User.role_id,
            or_(*(and_(RolePermission.module == k.module, RolePermission.operation == k.operation)
                  for k in HOLDINGS)))
        rows = uow.session.execute(
            select(User.id, User.display_name, User.username, Role.code, Role.name_zh,
                   Role.name_en, User.active,
                   case((works_on_holdings, True), else_=False))
            .join(Role, Role.id == User.role_id)
            .order_by(User.active.desc(), User.display_name, User.id)
        ).all()
        return tuple(Person(id=r[0], display_name=r[1], username=r[2], role_code=r[3],
                            role_name_zh=r[4], role_name_en=r[5], active=bool(r[6]),
                            can_receive=bool(r[7]))
                     for r in rows)


def preview_holdings(*, uow: UnitOfWork, actor: Actor, user_id: int) -> Holdings:
    """Counts and the first records of everything ``user_id`` owns or is assigned."""
    with uow:
        require(uow, actor, Module.CUSTOMERS, Operation.CONFIRM)
        user = _load_user(uow, user_id)
        groups = []
        for kind in HOLDINGS:
            condition = _held(kind, user_id)
            count = uow.session.execute(
                select(func.count()).select_from(kind.model).where(condition)).scalar_one()
            items: tuple[HoldingItem, ...] = ()
            if count:
                items = tuple(_items(uow, kind, condition))
            groups.append(HoldingGroup(kind=kind.code, label=tr(kind.label), count=count,
                                       items=items))
        classes = uow.session.execute(
            select(Customer.customer_class, func.count())
            .where(_customers_involved(user_id))
            .group_by(Customer.customer_class)
            .order_by(Customer.customer_class)
        ).all()
        return Holdings(user_id=user.id, display_name=user.display_name,
                        role_code=user.role.code, active=user.active, version=user.version,
                        groups=tuple(groups),
                        classes=tuple((CustomerClass(c), int(n)) for c, n in classes))


def hand_over(
    *, uow: UnitOfWork, actor: Actor, from_user_id: int, plan: Plan,
    deactivate: bool = False, expected_version: int | None = None,
) -> HandOverResult:
    """Move everything ``from_user_id`` is responsible for, following ``plan``.

    One transaction: every record moves, with an audit entry each, or none does. With
    ``deactivate`` the account is also deactivated in the same transaction;
    ``expected_version`` is then the user's version the preview showed
    (:class:`ConflictError` if the account changed since).

    Raises:
        ValidationError: a receiving user is inactive, unknown, the leaving user
            themselves, or not allowed to work on what they would receive; an even
            plan names nobody or someone twice; a by-class plan misses a class present.
        ConflictError: a record changed hands while this ran.
    """
    with uow:
        require(uow, actor, Module.CUSTOMERS, Operation.CONFIRM)
        user = _load_user(uow, from_user_id)
        check = Checker()
        if deactivate:
            if expected_version is None:
                check.fail("expected_version", tr("is required"))
            if from_user_id == actor.user_id:
                check.fail("from_user_id", tr("you cannot deactivate yourself"))
        targets = _plan_users(check, plan)
        names = _check_receivers(uow, check, from_user_id, targets)
        check.done()

        customers = uow.session.execute(
            select(Customer.id, Customer.customer_class)
            .where(_held(KINDS[CUSTOMERS], from_user_id)).order_by(Customer.id)
        ).all()
        records = {kind.code: uow.session.execute(
            select(kind.model.id, kind.customer).where(_held(kind, from_user_id))
            .order_by(kind.model.id)).all()
            for kind in HOLDINGS if kind.code != CUSTOMERS}
        classes = _classes_of(uow, {cid for rows in records.values()
                                    for _id, cid in rows if cid is not None})
        classes.update({cid: CustomerClass(k) for cid, k in customers})

        plan_for = _Planner(plan, targets, classes)
        moves: dict[str, dict[int, list[int]]] = {}
        new_owner_of_customer: dict[int, int] = {}
        moves[CUSTOMERS] = defaultdict(list)
        for cid, _k in customers:
            to = plan_for.customer(cid)
            new_owner_of_customer[cid] = to
            moves[CUSTOMERS][to].append(cid)
        for code, rows in records.items():
            kind = KINDS[code]
            moves[code] = defaultdict(list)
            for record_id, cid in rows:
                if kind.follows_customer and cid in new_owner_of_customer:
                    to = new_owner_of_customer[cid]
                else:
                    to = plan_for.record(code, cid)
                moves[code][to].append(record_id)
        if plan_for.missing_classes:
            check.fail("plan", tr("no user chosen for the customer classes: {classes}",
                                  classes=", ".join(labels.label(k) for k in CustomerClass
                                                    if k in plan_for.missing_classes)))
        _check_rights(uow, check, moves, names)
        check.done()

        from_name = user.display_name
        moved: Counter[str] = Counter()
        per_user: dict[int, Counter[str]] = {uid: Counter() for uid in targets}
        for kind in HOLDINGS:
            for to, ids in moves[kind.code].items():
                _move(uow, actor, kind, ids, from_user_id, from_name, to, names[to])
                moved[kind.code] += len(ids)
                per_user[to][kind.code] += len(ids)
        if deactivate:
            assert expected_version is not None
            _deactivate(uow, actor, user, expected_version)
        audit.record(uow, actor, AuditAction.REASSIGN, "user", from_user_id,
                     audit.say("Handed over from {user}: {count} records",
                               user=from_name, count=sum(moved.values())),
                     {"moved": dict(moved),
                      "to": {str(uid): dict(c) for uid, c in per_user.items()},
                      "deactivated": deactivate})
        uow.commit()
        return HandOverResult(
            from_user_id=from_user_id,
            moved={k.code: moved[k.code] for k in HOLDINGS},
            receivers=tuple(Receiver(user_id=uid, display_name=names[uid],
                                     counts=dict(per_user[uid])) for uid in targets),
            deactivated=deactivate)


def deactivate_user(
    *, uow: UnitOfWork, actor: Actor, user_id: int, expected_version: int,
) -> None:
    """Deactivate an account that owns nothing any more (it can no longer log in).

    Raises:
        ValidationError: the user still owns something (the message lists what), or is
            the actor themselves.
        ConflictError: the account changed since ``expected_version`` was read.
    """
    with uow:
        require(uow, actor, Module.CUSTOMERS, Operation.CONFIRM)
        user = _load_user(uow, user_id)
        check = Checker()
        if user_id == actor.user_id:
            check.fail("user_id", tr("you cannot deactivate yourself"))
        still = still_held(uow, user_id)
        if still:
            check.fail("user_id", tr("still owns {what}; hand it over first",
                                     what=", ".join(still)))
        check.done()
        _deactivate(uow, actor, user, expected_version)
        uow.commit()


def still_held(uow: UnitOfWork, user_id: int) -> list[str]:
    """What the user is still responsible for, as ``["Customers 3", …]`` (empty: nothing).

    For use inside a caller's unit of work (no permission check of its own), e.g. by
    administration before it deactivates an account.
    """
    still = []
    for kind in HOLDINGS:
        count = uow.session.execute(
            select(func.count()).select_from(kind.model).where(_held(kind, user_id))
        ).scalar_one()
        if count:
            still.append(f"{tr(kind.label)} {count}")
    return still


# --- helpers -------------------------------------------------------------------------------


def _held(kind: HoldingKind, user_id: int) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = kind.owner == user_id
    if kind.still_open is not None:
        condition = condition & kind.still_open()
    return condition


def _customers_involved(user_id: int) -> ColumnElement[bool]:
    """Customers the user owns, and those of any record the user holds."""
    parts = [Customer.owner_id == user_id]
    for kind in HOLDINGS:
        if kind.code != CUSTOMERS:
            parts.append(Customer.id.in_(
                select(kind.customer).where(_held(kind, user_id), kind.customer.is_not(None))))
    return or_(*parts)


def _items(uow: UnitOfWork, kind: HoldingKind, condition: ColumnElement[bool]
           ) -> Iterator[HoldingItem]:
    if kind.code == CUSTOMERS:
        stmt = (select(Customer.id, Customer.code, Customer.id, Customer.name)
                .where(condition).order_by(Customer.id).limit(MAX_ITEMS))
        for rid, code, cid, name in uow.session.execute(stmt).all():
            yield HoldingItem(id=rid, reference=code, customer_id=cid, customer_name=name)
        return
    stmt = (select(kind.model.id, kind.reference, kind.customer, Customer.name)
            .select_from(kind.model)
            .outerjoin(Customer, Customer.id == kind.customer)
            .where(condition).order_by(kind.model.id).limit(MAX_ITEMS))
    for rid, reference, cid, name in uow.session.execute(stmt).all():
        yield HoldingItem(id=rid, reference=str(reference), customer_id=cid,
                          customer_name=name)


def _load_user(uow: UnitOfWork, user_id: int) -> User:
    user = uow.session.get(User, user_id)
    if user is None:
        raise NotFound(tr("{entity} {id} does not exist or you may not see it.",
                          entity=tr("User"), id=user_id))
    return user


def _plan_users(check: Checker, plan: Plan) -> list[int]:
    """The receiving users in plan order, without repeats; failures on ``plan``."""
    if isinstance(plan, AllToOne):
        return [plan.user_id]
    if isinstance(plan, Evenly):
        if not plan.user_ids:
            check.fail("plan", tr("choose at least one user"))
        elif len(set(plan.user_ids)) != len(plan.user_ids):
            check.fail("plan", tr("names the same user twice"))
        return list(dict.fromkeys(plan.user_ids))
    if isinstance(plan, ByClass):
        if not plan.users:
            check.fail("plan", tr("choose a user for each customer class"))
        for k in plan.users:
            if not isinstance(k, CustomerClass):
                try:
                    CustomerClass(k)
                except ValueError:
                    check.fail("plan", tr("is not a valid choice"))
        return list(dict.fromkeys(plan.users.values()))
    check.fail("plan", tr("is not a valid choice"))
    return []


def _check_receivers(uow: UnitOfWork, check: Checker, from_user_id: int,
                     targets: Sequence[int]) -> dict[int, str]:
    names: dict[int, str] = {}
    if not targets:
        return names
    rows = {r.id: r for r in uow.session.execute(
        select(User.id, User.display_name, User.active).where(User.id.in_(list(targets)))
    ).all()}
    for uid in targets:
        row = rows.get(uid)
        if uid == from_user_id:
            check.fail("plan", tr("cannot hand over to the leaving user"))
        elif row is None or not row.active:
            check.fail("plan", tr("must be an active user"))
        else:
            names[uid] = row.display_name
    return names


def _classes_of(uow: UnitOfWork, customer_ids: set[int]) -> dict[int, CustomerClass]:
    found: dict[int, CustomerClass] = {}
    ids = sorted(customer_ids)
    for start in range(0, len(ids), CHUNK):
        for cid, k in uow.session.execute(
                select(Customer.id, Customer.customer_class)
                .where(Customer.id.in_(ids[start:start + CHUNK]))).all():
            found[cid] = CustomerClass(k)
    return found


class _Planner:
    """Who receives each customer and each record that does not follow a moved customer."""

    def __init__(self, plan: Plan, targets: Sequence[int],
                 classes: Mapping[int, CustomerClass]) -> None:
        self._plan = plan
        self._targets = list(targets)
        self._classes = classes
        self._turns: Counter[str] = Counter()
        self.missing_classes: set[CustomerClass] = set()

    def _in_turn(self, code: str) -> int:
        to = self._targets[self._turns[code] % len(self._targets)]
        self._turns[code] += 1
        return to

    def _by_class(self, customer_id: int) -> int:
        assert isinstance(self._plan, ByClass)
        k = self._classes[customer_id]
        to = self._plan.users.get(k)
        if to is None:
            self.missing_classes.add(k)
            return self._targets[0]
        return to

    def customer(self, customer_id: int) -> int:
        if isinstance(self._plan, ByClass):
            return self._by_class(customer_id)
        return self._in_turn(CUSTOMERS)

    def record(self, code: str, customer_id: int | None) -> int:
        if isinstance(self._plan, ByClass) and customer_id is not None:
            return self._by_class(customer_id)
        return self._in_turn(code)


def _check_rights(uow: UnitOfWork, check: Checker, moves: Mapping[str, Mapping[int, list[int]]],
                  names: Mapping[int, str]) -> None:
    """Each receiver's role must allow working on what they receive."""
    needed = {(uid, KINDS[code].module, KINDS[code].operation)
              for code, by_user in moves.items() for uid, ids in by_user.items() if ids}
    if not needed:
        return
    users = sorted({uid for uid, _m, _o in needed})
    granted = {(r[0], r[1], r[2]) for r in uow.session.execute(
        select(User.id, RolePermission.module, RolePermission.operation)
        .join(RolePermission, RolePermission.role_id == User.role_id)
        .where(User.id.in_(users))).all()}
    refused = sorted({(names.get(uid, str(uid)), labels.label(module))
                      for uid, module, op in needed if (uid, module, op) not in granted})
    for name, module in refused:
        check.fail("plan", tr("{user} may not work on {module}", user=name, module=module))


def _move(uow: UnitOfWork, actor: Actor, kind: HoldingKind, ids: list[int], from_id: int,
          from_name: str, to_id: int, to_name: str) -> None:
    model = kind.model
    refs: dict[int, Any] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        refs.update(dict(uow.session.execute(
            select(model.id, kind.reference).where(model.id.in_(chunk))).all()))
        done = cast(CursorResult[Any], uow.session.execute(
            update(model)
            .where(model.id.in_(chunk), kind.owner == from_id)
            .values({kind.owner.key: to_id, "version": model.version + 1,
                     "updated_by_id": actor.user_id, "updated_at": utcnow()})
            .execution_options(synchronize_session=False)
        )).rowcount
        if done != len(chunk):
            raise ConflictError(
                tr("Someone else changed these records at the same time. Reload and try "
                   "again."), entity=kind.entity)
    for record_id in ids:
        audit.record(uow, actor, AuditAction.REASSIGN, kind.entity, record_id,
                     audit.say("{what} {ref} handed over from {old} to {new}",
                               what=audit.Words(kind.label), ref=refs.get(record_id, record_id),
                               old=from_name, new=to_name),
                     {kind.owner.key: [from_id, to_id]})
        feed.notify(uow, to_user=to_id, kind=kind.entity, record_id=record_id,
                    number=str(refs.get(record_id, record_id)), event="handed_over", by=actor)


def _deactivate(uow: UnitOfWork, actor: Actor, user: User, expected_version: int) -> None:
    check_version(uow, user, expected_version, entity="user", label=user.display_name)
    if not user.active:
        return
    user.active = False
    user.updated_by_id = actor.user_id
    uow.flush()
    audit.record(uow, actor, AuditAction.UPDATE, "user", user.id,
                 audit.say("{name} deactivated", name=user.username),
                 {"active": [True, False]})


__all__ = [
    "CUSTOMERS",
    "HOLDINGS",
    "KEPT_AS_HISTORY",
    "AllToOne",
    "ByClass",
    "Evenly",
    "HandOverResult",
    "HoldingGroup",
    "HoldingItem",
    "HoldingKind",
    "Holdings",
    "Person",
    "Plan",
    "Receiver",
    "deactivate_user",
    "hand_over",
    "list_people",
    "preview_holdings",
    "still_held",
]

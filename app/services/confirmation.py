"""Management's confirmation queue (确认 / 退回): visits, orders and repair records.

A record the departments write — a visit record (接待记录), an order (订单) or a repair
record (维修记录) — is *submitted* to management; management *confirms* it or *returns* it
to its author with a comment. Who decided and when is kept on the record
(``confirmed_by_id`` / ``confirmed_at``, for a return too) and in the audit log. The author
corrects a returned record and submits it again (:func:`submit_record`); the return comment
is on the author's to-do list until then.

Who may do what:

* confirming or returning needs ``CONFIRM`` on the record's module (``VISITS``, ``ORDERS``,
  ``SERVICE_TICKETS``) and the record's author within the actor's data scope of that module;
  nobody confirms their own record;
* submitting needs ``EDIT`` on the module, and is the author's move (or management's, with
  ``CONFIRM`` and the record in scope).

Orders and repair records are submitted when they are written (see
:func:`app.services.sales.create_order` and :func:`app.services.tickets.record_repair`);
a visit recorded at the counter is submitted when it is recorded
(:func:`app.services.visits.record_walk_in`); another visit record is submitted with
:func:`app.services.visits.submit_visit`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import func, null, select
from sqlalchemy.orm import aliased, undefer
from sqlalchemy.orm.attributes import instance_state

from app.i18n import tr
from app.models import (
    Customer,
    Device,
    Order,
    RepairPart,
    RepairRecord,
    ServiceTicket,
    User,
    Visit,
    utcnow,
)
from app.models.customers import customer_directory
from app.models.enums import AuditAction, ConfirmStatus, Module, Operation, OrderStatus
from app.services import audit
from app.services.errors import InvalidTransition, NotFound, PermissionDenied
from app.services.lifecycle import TransitionTable
from app.services.locking import check_version
from app.services.permissions import (
    Actor,
    grants_for,
    hidden_fields,
    owns_in_scope,
    require,
    require_in_scope,
    scope_filter,
)
from app.services.uow import UnitOfWork
from app.services.validation import Checker

CS = ConfirmStatus
MAX_QUEUE = 500
RETURN_COMMENT_MAX = 500


class RecordKind(StrEnum):
    """The kinds of record management confirms (the same words as the timeline's kinds)."""

    VISIT = "visit"
    ORDER = "order"
    REPAIR = "repair"


MODULE_OF: dict[RecordKind, Module] = {
    RecordKind.VISIT: Module.VISITS,
    RecordKind.ORDER: Module.ORDERS,
    RecordKind.REPAIR: Module.SERVICE_TICKETS,
}

_LABELS: dict[RecordKind, str] = {
    RecordKind.VISIT: "Visit record",
    RecordKind.ORDER: "Order",
    RecordKind.REPAIR: "Repair record",
}

# One table for the three kinds: the same moves as a visit's (visits.VISIT_CONFIRMATION).
CONFIRMATION: TransitionTable[ConfirmStatus] = TransitionTable(
    entity="confirmation",
    states=ConfirmStatus,
    initial=CS.DRAFT,
    edges=frozenset({
        (CS.DRAFT, CS.SUBMITTED),
        (CS.SUBMITTED, CS.CONFIRMED),
        (CS.SUBMITTED, CS.RETURNED),
        (CS.RETURNED, CS.SUBMITTED),
    }),
)


@dataclass(frozen=True)
class QueueItem:
    """One submitted record waiting for management.

    ``reference`` is the order number, the ticket number of a repair record, or the
    purpose of a visit. ``submitted_at`` is the record's last change, which for a
    submitted record is its submission or a later correction. ``amount`` is the order
    total or the repair charge (labour + parts); None for a visit.
    """

    kind: RecordKind
    id: int
    version: int
    reference: str
    customer_id: int
    customer_name: str
    author_id: int
    author_name: str
    submitted_at: dt.datetime
    amount: Decimal | None
    summary: str | None


@dataclass(frozen=True)
class ConfirmationResult:
    """The record after confirm / return / submit."""

    kind: RecordKind
    id: int
    version: int
    status: ConfirmStatus
    decided_at: dt.datetime | None
    decided_by_id: int | None
    return_comment: str | None


@dataclass(frozen=True)
class ReturnedItem:
    """A record management returned to its author, for the author's to-do list."""

    kind: RecordKind
    id: int
    version: int
    reference: str
    customer_id: int
    customer_name: str
    returned_at: dt.datetime | None
    returned_by_name: str | None
    comment: str | None


# --- the queue ---------------------------------------------------------------------------


def confirmation_queue(*, uow: UnitOfWork, actor: Actor, kinds: tuple[RecordKind, ...] = (),
                       limit: int = 200) -> tuple[QueueItem, ...]:
    """The submitted records the actor may confirm, oldest waiting first.

    One query per kind the actor may confirm (at most three), each limited; a kind
    whose module the actor may not confirm is left out, and an actor who may confirm
    none is refused.
    """
    limit = max(1, min(int(limit), MAX_QUEUE))
    wanted = tuple(RecordKind(k) for k in kinds) or tuple(RecordKind)
    with uow:
        grants = grants_for(uow, actor)
        allowed = [k for k in wanted if grants.allows(MODULE_OF[k], Operation.CONFIRM)]
        if not allowed:
            # Raises with the message naming the first module asked for.
            require(uow, actor, MODULE_OF[wanted[0]], Operation.CONFIRM)
        items: list[QueueItem] = []
        for kind in allowed:
            items.extend(_queue_rows(uow, actor, kind, limit))
        items.sort(key=lambda i: (i.submitted_at, i.kind.value, i.id))
        return tuple(items[:limit])


def _queue_rows(uow: UnitOfWork, actor: Actor, kind: RecordKind,
                limit: int) -> list[QueueItem]:
    author = aliased(User)
    stmt: Any
    if kind is RecordKind.VISIT:
        stmt = (select(Visit.id, Visit.version, Visit.purpose, Visit.customer_id,
                       Customer.name, Visit.owner_id, author.display_name, Visit.updated_at,
                       func.coalesce(Visit.outcome, Visit.products_of_interest,
                                     Visit.next_step))
                .join(Customer, Customer.id == Visit.customer_id)
                .join(author, author.id == Visit.owner_id)
                .where(Visit.confirm_status == CS.SUBMITTED.value,
                       scope_filter(uow, actor, Module.VISITS, Visit.owner_id))
                .order_by(Visit.updated_at, Visit.id).limit(limit))
        return [QueueItem(kind=kind, id=r[0], version=r[1], reference=r[2], customer_id=r[3],
                          customer_name=r[4], author_id=r[5], author_name=r[6],
                          submitted_at=r[7], amount=None, summary=r[8])
                for r in uow.session.execute(stmt).all()]
    if kind is RecordKind.ORDER:
        stmt = (select(Order.id, Order.version, Order.number, Order.customer_id,
                       Customer.name, Order.owner_id, author.display_name, Order.updated_at,
                       Order.total_amount, func.coalesce(Order.notes, Order.delivery_address))
                .join(Customer, Customer.id == Order.customer_id)
                .join(author, author.id == Order.owner_id)
                .where(Order.confirm_status == CS.SUBMITTED.value,
                       Order.status != OrderStatus.CANCELLED,
                       scope_filter(uow, actor, Module.ORDERS, Order.owner_id))
                .order_by(Order.updated_at, Order.id).limit(limit))
        return [QueueItem(kind=kind, id=r[0], version=r[1], reference=r[2], customer_id=r[3],
                          customer_name=r[4], author_id=r[5], author_name=r[6],
                          submitted_at=r[7], amount=r[8], summary=r[9])
                for r in uow.session.execute(stmt).all()]
    stmt = (select(RepairRecord.id, RepairRecord.version, ServiceTicket.number,
                   ServiceTicket.customer_id, Customer.name, RepairRecord.technician_id,
                   author.display_name, RepairRecord.updated_at, RepairRecord.labour_amount,
                   RepairRecord.parts_amount, RepairRecord.work_done)
            .join(ServiceTicket, ServiceTicket.id == RepairRecord.ticket_id)
            .join(Customer, Customer.id == ServiceTicket.customer_id)
            .join(author, author.id == RepairRecord.technician_id)
            .where(RepairRecord.confirm_status == CS.SUBMITTED.value,
                   scope_filter(uow, actor, Module.SERVICE_TICKETS,
                                RepairRecord.technician_id))
            .order_by(RepairRecord.updated_at, RepairRecord.id).limit(limit))
    return [QueueItem(kind=kind, id=r[0], version=r[1], reference=r[2], customer_id=r[3],
                      customer_name=r[4], author_id=r[5], author_name=r[6],
                      submitted_at=r[7], amount=r[8] + r[9], summary=r[10])
            for r in uow.session.execute(stmt).all()]


def returned_to_me(*, uow: UnitOfWork, actor: Actor,
                   limit: int = 200) -> tuple[ReturnedItem, ...]:
    """The actor's own records that management returned, with the comment; oldest first.

    Three small queries (one per kind); a kind whose module the actor may not view is
    skipped, so this never refuses.
    """
    limit = max(1, min(int(limit), MAX_QUEUE))
    with uow:
        grants = grants_for(uow, actor)
        decider = aliased(User)
        items: list[ReturnedItem] = []
        if grants.allows(Module.VISITS, Operation.VIEW):
            rows = uow.session.execute(
                select(Visit.id, Visit.version, Visit.purpose, Visit.customer_id,
                       Customer.name, Visit.confirmed_at, decider.display_name,
                       Visit.return_comment)
                .join(Customer, Customer.id == Visit.customer_id)
                .outerjoin(decider, decider.id == Visit.confirmed_by_id)
                .where(Visit.owner_id == actor.user_id,
                       Visit.confirm_status == CS.RETURNED.value)
                .order_by(Visit.updated_at, Visit.id).limit(limit)).all()
            items.extend(ReturnedItem(RecordKind.VISIT, *r) for r in rows)
        if grants.allows(Module.ORDERS, Operation.VIEW):
            rows = uow.session.execute(
                select(Order.id, Order.version, Order.number, Order.customer_id,
                       Customer.name, Order.confirmed_at, decider.display_name,
                       Order.return_comment)
                .join(Customer, Customer.id == Order.customer_id)
                .outerjoin(decider, decider.id == Order.confirmed_by_id)
                .where(Order.owner_id == actor.user_id,
                       Order.confirm_status == CS.RETURNED.value,
                       Order.status != OrderStatus.CANCELLED)
                .order_by(Order.updated_at, Order.id).limit(limit)).all()
            items.extend(ReturnedItem(RecordKind.ORDER, *r) for r in rows)
        if grants.allows(Module.SERVICE_TICKETS, Operation.VIEW):
            rows = uow.session.execute(
                select(RepairRecord.id, RepairRecord.version, ServiceTicket.number,
                       ServiceTicket.customer_id, Customer.name, RepairRecord.confirmed_at,
                       decider.display_name, RepairRecord.return_comment)
                .join(ServiceTicket, ServiceTicket.id == RepairRecord.ticket_id)
                .join(Customer, Customer.id == ServiceTicket.customer_id)
                .outerjoin(decider, decider.id == RepairRecord.confirmed_by_id)
                .where(RepairRecord.technician_id == actor.user_id,
                       RepairRecord.confirm_status == CS.RETURNED.value)
                .order_by(RepairRecord.updated_at, RepairRecord.id).limit(limit)).all()
            items.extend(ReturnedItem(RecordKind.REPAIR, *r) for r in rows)
        return tuple(items)


# --- decisions ---------------------------------------------------------------------------


def confirm_record(*, uow: UnitOfWork, actor: Actor, kind: RecordKind | str, record_id: int,
                   expected_version: int) -> ConfirmationResult:
    """Confirm a submitted record (确认): who and when are kept on it and audited."""
    return _decide(uow, actor, RecordKind(kind), record_id, expected_version,
                   CS.CONFIRMED, None)


def return_record(*, uow: UnitOfWork, actor: Actor, kind: RecordKind | str, record_id: int,
                  expected_version: int, comment: str | None) -> ConfirmationResult:
    """Return a submitted record to its author (退回) with a comment saying what to correct."""
    check = Checker()
    text = check.text("comment", comment, max_len=RETURN_COMMENT_MAX, required=True,
                      multiline=True)
    check.done()
    return _decide(uow, actor, RecordKind(kind), record_id, expected_version,
                   CS.RETURNED, text)


def submit_record(*, uow: UnitOfWork, actor: Actor, kind: RecordKind | str, record_id: int,
                  expected_version: int) -> ConfirmationResult:
    """Submit a draft, or a corrected returned record, to management (提交确认).

    The author's move (management with ``CONFIRM`` may do it for a record in scope);
    the return comment is cleared, the audit log keeps it.
    """
    kind = RecordKind(kind)
    module = MODULE_OF[kind]
    with uow:
        require(uow, actor, module, Operation.EDIT)
        row, author_id = _load(uow, kind, record_id)
        if author_id != actor.user_id:
            require_in_scope(uow, actor, module, Operation.EDIT, author_id)
            if not grants_for(uow, actor).allows(module, Operation.CONFIRM):
                raise PermissionDenied(
                    tr("Only the author or management may submit this record."),
                    module=module, operation=Operation.EDIT)
        label = _label(kind, row)
        check_version(uow, row, expected_version, entity=kind.value, label=label)
        current = CS(row.confirm_status)
        CONFIRMATION.check(current, CS.SUBMITTED, record=label)
        row.confirm_status = CS.SUBMITTED.value
        row.return_comment = None
        row.confirmed_at = None
        row.confirmed_by_id = None
        row.updated_by_id = actor.user_id
        uow.flush()
        audit.record(uow, actor, AuditAction.TRANSITION, _entity(kind), row.id,
                     _summary(kind, row),
                     {"confirm_status": [current.value, CS.SUBMITTED.value]})
        uow.commit()
        return _result(kind, row)


@dataclass(frozen=True)
class RepairCorrection:
    """The texts of a repair record its technician may correct after a return."""

    id: int
    version: int
    ticket_number: str
    work_done: str
    cause: str | None
    result: str | None
    status: ConfirmStatus
    return_comment: str | None


def get_repair_correction(*, uow: UnitOfWork, actor: Actor,
                          record_id: int) -> RepairCorrection:
    """A repair record's texts, for its technician (or management) to correct."""
    with uow:
        require(uow, actor, Module.SERVICE_TICKETS, Operation.VIEW)
        row, author_id = _load(uow, RecordKind.REPAIR, record_id)
        require_in_scope(uow, actor, Module.SERVICE_TICKETS, Operation.VIEW, author_id)
        return _correction(row)


def correct_repair_record(*, uow: UnitOfWork, actor: Actor, record_id: int,
                          expected_version: int, work_done: str, cause: str | None,
                          result: str | None, submit: bool = True) -> RepairCorrection:
    """The technician corrects what a repair record says (work done, cause, result).

    Amounts and the service score stay as recorded (the customer may have paid them).
    Not once management has confirmed the record. With ``submit`` a returned record goes
    back to the confirmation queue in the same transaction.
    """
    with uow:
        require(uow, actor, Module.SERVICE_TICKETS, Operation.EDIT)
        row, author_id = _load(uow, RecordKind.REPAIR, record_id)
        if author_id != actor.user_id:
            require_in_scope(uow, actor, Module.SERVICE_TICKETS, Operation.EDIT, author_id)
            if not grants_for(uow, actor).allows(Module.SERVICE_TICKETS, Operation.CONFIRM):
                raise PermissionDenied(
                    tr("Only the author or management may change this record."),
                    module=Module.SERVICE_TICKETS, operation=Operation.EDIT)
        label = _label(RecordKind.REPAIR, row)
        check_version(uow, row, expected_version, entity="repair", label=label)
        current = CS(row.confirm_status)
        if current is CS.CONFIRMED:
            raise InvalidTransition(tr("{record} is confirmed and can no longer be changed.",
                                       record=label))
        check = Checker()
        values = {
            "work_done": check.text("work_done", work_done, max_len=4000, required=True,
                                    multiline=True),
            "cause": check.text("cause", cause, max_len=500),
            "result": check.text("result", result, max_len=200),
        }
        check.done()
        # What is loaded: the parts cost is not (the technician may not read it).
        fields = [c.key for c in RepairRecord.__mapper__.column_attrs
                  if c.key not in instance_state(row).unloaded]
        before = audit.snapshot(row, fields)
        for key, value in values.items():
            setattr(row, key, value)
        if submit and current is CS.RETURNED:
            row.confirm_status = CS.SUBMITTED.value
            row.return_comment = None
            row.confirmed_at = None
            row.confirmed_by_id = None
        changes = audit.diff(before, audit.snapshot(row, fields))
        if changes:
            row.updated_by_id = actor.user_id
            uow.flush()
            audit.record(uow, actor, AuditAction.UPDATE, "repair_record", row.id,
                         _summary(RecordKind.REPAIR, row), changes)
        uow.commit()
        return _correction(row)


@dataclass(frozen=True)
class RepairPartView:
    """A part used in a repair; ``unit_cost`` is None for roles that may not see costs."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    unit_cost: Decimal | None


@dataclass(frozen=True)
class RepairRecordDetail:
    """A repair record as the person confirming it reads it (维修记录).

    ``parts_cost`` and each part's ``unit_cost`` are None for roles that may not see
    ``service_tickets.parts_cost``; ``charge`` is labour + parts as recorded (what the
    ticket bills may be less when a contract covers the job). ``decided_*`` name who
    confirmed or returned the record and when.
    """

    id: int
    version: int
    ticket_id: int
    ticket_number: str
    customer_id: int
    customer_name: str
    device_label: str | None
    symptoms: str
    technician_id: int
    technician_name: str
    job_type: str
    difficulty: int
    work_done: str
    cause: str | None
    result: str | None
    labour_minutes: int
    labour_amount: Decimal
    parts_amount: Decimal
    parts_cost: Decimal | None
    charge: Decimal
    customer_rating: int | None
    on_time: bool | None
    service_score: Decimal
    completed_at: dt.datetime | None
    status: ConfirmStatus
    decided_at: dt.datetime | None
    decided_by_name: str | None
    return_comment: str | None
    parts: tuple[RepairPartView, ...]

    @property
    def cost_hidden(self) -> bool:
        return self.parts_cost is None


def get_repair_record(*, uow: UnitOfWork, actor: Actor, record_id: int) -> RepairRecordDetail:
    """One repair record with its parts, for reading (and confirming) it.

    Needs ``SERVICE_TICKETS/VIEW`` and the record's technician, or its ticket's intake
    clerk or technician, within the actor's data scope. Three queries.
    """
    with uow:
        require(uow, actor, Module.SERVICE_TICKETS, Operation.VIEW)
        # The costs are read only by a role that may see them.
        cost_hidden = "parts_cost" in hidden_fields(uow, actor, Module.SERVICE_TICKETS)
        technician = aliased(User)
        decider = aliased(User)
        # The customer's name from the directory: the desk that took the ticket in reads
        # the record of a customer outside its sales scope (hidden on a secured server).
        directory = customer_directory.c
        row = uow.session.execute(
            select(RepairRecord, ServiceTicket.number, ServiceTicket.customer_id,
                   directory.name, ServiceTicket.symptoms, ServiceTicket.technician_id,
                   ServiceTicket.intake_by_id, technician.display_name,
                   decider.display_name, Device.brand, Device.model)
            .join(ServiceTicket, ServiceTicket.id == RepairRecord.ticket_id)
            .join(customer_directory, directory.id == ServiceTicket.customer_id)
            .join(technician, technician.id == RepairRecord.technician_id)
            .outerjoin(decider, decider.id == RepairRecord.confirmed_by_id)
            .outerjoin(Device, Device.id == ServiceTicket.device_id)
            .where(RepairRecord.id == record_id)
            .options(*(() if cost_hidden else (undefer(RepairRecord.parts_cost),)))
        ).one_or_none() if isinstance(record_id, int) else None
        if row is None:
            raise NotFound(tr("{entity} {id} does not exist or you may not see it.",
                              entity=tr("Repair record"), id=record_id))
        record: RepairRecord = row[0]
        if not any(owns_in_scope(uow, actor, Module.SERVICE_TICKETS, user_id)
                   for user_id in (record.technician_id, row[5], row[6])
                   if user_id is not None):
            require_in_scope(uow, actor, Module.SERVICE_TICKETS, Operation.VIEW,
                             record.technician_id)
        parts = uow.session.execute(
            select(RepairPart.description, RepairPart.quantity, RepairPart.unit_price,
                   null() if cost_hidden else RepairPart.unit_cost)
            .where(RepairPart.repair_record_id == record.id)
            .order_by(RepairPart.id)).all()
        return RepairRecordDetail(
            id=record.id, version=record.version, ticket_id=record.ticket_id,
            ticket_number=row[1], customer_id=row[2], customer_name=row[3],
            device_label=f"{row[9]} {row[10]}" if row[9] is not None else None,
            symptoms=row[4], technician_id=record.technician_id, technician_name=row[7],
            job_type=record.job_type, difficulty=record.difficulty,
            work_done=record.work_done, cause=record.cause, result=record.result,
            labour_minutes=record.labour_minutes, labour_amount=record.labour_amount,
            parts_amount=record.parts_amount,
            parts_cost=None if cost_hidden else record.parts_cost,
            charge=record.labour_amount + record.parts_amount,
            customer_rating=record.customer_rating, on_time=record.on_time,
            service_score=record.service_score, completed_at=record.completed_at,
            status=CS(record.confirm_status), decided_at=record.confirmed_at,
            decided_by_name=row[8], return_comment=record.return_comment,
            parts=tuple(RepairPartView(
                description=p[0], quantity=p[1], unit_price=p[2],
                amount=(p[1] * p[2]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
                unit_cost=None if cost_hidden else p[3]) for p in parts))


def _correction(row: Any) -> RepairCorrection:
    return RepairCorrection(id=row.id, version=row.version, ticket_number=row.ticket.number,
                            work_done=row.work_done, cause=row.cause, result=row.result,
                            status=CS(row.confirm_status), return_comment=row.return_comment)


def _decide(uow: UnitOfWork, actor: Actor, kind: RecordKind, record_id: int,
            expected_version: int, target: ConfirmStatus,
            comment: str | None) -> ConfirmationResult:
    module = MODULE_OF[kind]
    with uow:
        require(uow, actor, module, Operation.CONFIRM)
        row, author_id = _load(uow, kind, record_id)
        require_in_scope(uow, actor, module, Operation.CONFIRM, author_id)
        if author_id == actor.user_id:
            raise PermissionDenied(tr("Nobody confirms or returns their own record."),
                                   module=module, operation=Operation.CONFIRM)
        label = _label(kind, row)
        check_version(uow, row, expected_version, entity=kind.value, label=label)
        current = CS(row.confirm_status)
        if current is not CS.SUBMITTED:
            raise InvalidTransition(tr(
                "{record} is “{current}”: only submitted records are confirmed or returned.",
                record=label, current=CONFIRMATION.label(current)))
        row.confirm_status = target.value
        row.confirmed_at = utcnow()
        row.confirmed_by_id = actor.user_id
        row.return_comment = comment
        row.updated_by_id = actor.user_id
        uow.flush()
        changes: dict[str, Any] = {"confirm_status": [current.value, target.value]}
        if comment is not None:
            changes["return_comment"] = comment
        action = AuditAction.CONFIRM if target is CS.CONFIRMED else AuditAction.RETURN
        audit.record(uow, actor, action, _entity(kind), row.id, _summary(kind, row), changes)
        uow.commit()
        return _result(kind, row)


# --- helpers -----------------------------------------------------------------------------


def _entity(kind: RecordKind) -> str:
    # The audit log's entity names, as the services that write these records use them.
    return "repair_record" if kind is RecordKind.REPAIR else kind.value


def _load(uow: UnitOfWork, kind: RecordKind, record_id: int) -> tuple[Any, int]:
    row: Any
    if kind is RecordKind.VISIT:
        row = uow.session.get(Visit, record_id)
        author = row.owner_id if row is not None else 0
    elif kind is RecordKind.ORDER:
        row = uow.session.get(Order, record_id)
        author = row.owner_id if row is not None else 0
    else:
        row = uow.session.get(RepairRecord, record_id)
        author = row.technician_id if row is not None else 0
    if row is None:
        raise NotFound(tr("{entity} {id} does not exist or you may not see it.",
                          entity=tr(_LABELS[kind]), id=record_id))
    return row, author


def _label(kind: RecordKind, row: Any) -> str:
    if kind is RecordKind.ORDER:
        return f"{tr('Order')} {row.number}"
    if kind is RecordKind.REPAIR:
        return f"{tr('Repair record')} {row.ticket.number}"
    return f"{tr('Visit record')} {row.id}"


def _summary(kind: RecordKind, row: Any) -> audit.Summary:
    """What :func:`_label` says, kept as a template: the log reads in each reader's language."""
    if kind is RecordKind.ORDER:
        return audit.named(_entity(kind), row.number)
    if kind is RecordKind.REPAIR:
        return audit.named(_entity(kind), row.ticket.number)
    return audit.named(_entity(kind), row.id)


def _result(kind: RecordKind, row: Any) -> ConfirmationResult:
    return ConfirmationResult(kind=kind, id=row.id, version=row.version,
                              status=CS(row.confirm_status), decided_at=row.confirmed_at,
                              decided_by_id=row.confirmed_by_id,
                              return_comment=row.return_comment)


__all__ = [
    "CONFIRMATION",
    "MODULE_OF",
    "ConfirmationResult",
    "QueueItem",
    "RecordKind",
    "RepairCorrection",
    "RepairPartView",
    "RepairRecordDetail",
    "ReturnedItem",
    "confirm_record",
    "confirmation_queue",
    "correct_repair_record",
    "get_repair_correction",
    "get_repair_record",
    "return_record",
    "returned_to_me",
    "submit_record",
]

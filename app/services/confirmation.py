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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import String, cast, func, literal_column, null, select, union_all
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
from app.services import audit, feed
from app.services.errors import (
    ConflictError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from app.services.lifecycle import TransitionTable
from app.services.locking import check_version
from app.services.paging import Cursor, Sort, SortExpr, next_after, ordered_page, ranked
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

# The queue's columns, as sort keys for :func:`page_confirmation_queue`.
QUEUE_SORT_KEYS: tuple[str, ...] = ("kind", "reference", "customer", "author", "submitted",
                                    "amount")
_QUEUE_NOT_NULL = ("kind", "reference", "submitted")
# Oldest waiting first: what has waited longest is decided first.
_OLDEST = Sort("submitted")


@dataclass(frozen=True)
class QueuePage:
    """One page of the confirmation queue.

    ``counts``: every waiting record the actor may confirm, per kind, whatever the kinds
    asked for (the filter shows them) — on the first page and with ``with_total``.
    ``total``: every record of the kinds asked for (with ``with_total``).
    """

    rows: tuple[QueueItem, ...]
    # Pass back as ``after`` for the next page; None at the end.
    next_after: Cursor | None = None
    total: int | None = None
    counts: Mapping[RecordKind, int] | None = None


def page_confirmation_queue(*, uow: UnitOfWork, actor: Actor,
                            kinds: Iterable[RecordKind | str] = (),
                            after: Cursor | None = None, limit: int = 100,
                            sort: Sort | None = None,
                            with_total: bool = False) -> QueuePage:
    """The submitted records the actor may confirm, oldest waiting first (or by ``sort``,
    one of :data:`QUEUE_SORT_KEYS`), one page at a time, every kind in one keyset-paged
    statement (a UNION ALL of one select per kind).

    A kind whose module the actor may not confirm is left out, and an actor who may
    confirm none of the kinds asked for is refused.
    """
    limit = max(1, min(int(limit), MAX_QUEUE))
    wanted = _kinds(kinds)
    with uow:
        grants = grants_for(uow, actor)
        may = [k for k in RecordKind if grants.allows(MODULE_OF[k], Operation.CONFIRM)]
        allowed = [k for k in wanted if k in may]
        if not allowed:
            # Raises with the message naming the first module asked for.
            require(uow, actor, MODULE_OF[wanted[0]], Operation.CONFIRM)
        queue = _queue_union(uow, actor, allowed)
        columns: dict[str, SortExpr] = {
            "kind": ranked(queue.c.kind, [k.value for k in RecordKind]),
            "reference": queue.c.reference,
            "customer": queue.c.customer_sort,
            "author": queue.c.author_name,
            "submitted": queue.c.submitted_at,
            "amount": queue.c.amount,
        }
        base = select(*(queue.c[name] for name in _QUEUE_COLUMNS))
        rows = uow.session.execute(ordered_page(
            base, columns=columns, sort=sort or _OLDEST, id_column=queue.c.row_key,
            after=after, limit=limit, not_null=_QUEUE_NOT_NULL)).all()
        items = tuple(QueueItem(
            kind=RecordKind(r.kind), id=r.id, version=r.version, reference=r.reference,
            customer_id=r.customer_id, customer_name=r.customer_name, author_id=r.author_id,
            author_name=r.author_name, submitted_at=r.submitted_at, amount=r.amount,
            summary=r.summary) for r in rows[:limit])
        counts: dict[RecordKind, int] | None = None
        if with_total or after is None:
            every = _queue_union(uow, actor, may)
            found: dict[str, int] = dict(uow.session.execute(
                select(every.c.kind, func.count()).group_by(every.c.kind)).all())
            counts = {k: int(found.get(k.value, 0)) for k in may}
        return QueuePage(
            rows=items, next_after=next_after(rows, limit), counts=counts,
            total=sum(counts[k] for k in allowed) if with_total and counts is not None
            else None)


def confirmation_queue(*, uow: UnitOfWork, actor: Actor,
                       kinds: Iterable[RecordKind | str] = (),
                       limit: int = 200) -> tuple[QueueItem, ...]:
    """The first ``limit`` records of the queue, oldest waiting first (see
    :func:`page_confirmation_queue` for every one of them, page by page)."""
    return page_confirmation_queue(uow=uow, actor=actor, kinds=kinds, limit=limit).rows


def confirmation_counts(*, uow: UnitOfWork, actor: Actor) -> dict[RecordKind, int]:
    """How many records of each kind the actor may confirm wait for it (one query)."""
    page = page_confirmation_queue(uow=uow, actor=actor, limit=1)
    assert page.counts is not None
    return dict(page.counts)


def waiting_record_keys(*, uow: UnitOfWork, actor: Actor,
                        kinds: Iterable[RecordKind | str] = ()) -> tuple[RecordRef, ...]:
    """The key (kind, id, version) of every waiting record of ``kinds`` the actor may
    confirm, however many, oldest waiting first — one query, the same records in the same
    scope as :func:`page_confirmation_queue`.

    What "select all" of the queue confirms: a list holds only a window of its rows, the
    keys are few bytes each. The version is the record's as read now, so a record changed
    after this read is refused by :func:`confirm_records`, as one changed after it was
    listed is.
    """
    wanted = _kinds(kinds)
    with uow:
        grants = grants_for(uow, actor)
        allowed = [k for k in wanted
                   if grants.allows(MODULE_OF[k], Operation.CONFIRM)]
        if not allowed:
            require(uow, actor, MODULE_OF[wanted[0]], Operation.CONFIRM)
        queue = _queue_union(uow, actor, allowed)
        rows = uow.session.execute(
            select(queue.c.kind, queue.c.id, queue.c.version)
            .order_by(queue.c.submitted_at, queue.c.row_key)).all()
        return tuple(RecordRef(RecordKind(r.kind), r.id, r.version) for r in rows)


def _kinds(kinds: Iterable[RecordKind | str]) -> tuple[RecordKind, ...]:
    """The kinds asked for (none: all of them); a word that names no kind is refused."""
    if isinstance(kinds, str):
        kinds = (kinds,)
    wanted: list[RecordKind] = []
    for kind in kinds:
        try:
            wanted.append(RecordKind(kind))
        except ValueError:
            raise ValidationError({"kinds": tr("is not a valid choice")}) from None
    return tuple(dict.fromkeys(wanted)) or tuple(RecordKind)


# The columns of one queue row, as every branch of the union names them.
_QUEUE_COLUMNS = ("kind", "row_key", "id", "version", "reference", "customer_id",
                  "customer_name", "customer_sort", "author_id", "author_name",
                  "submitted_at", "amount", "summary")


def _queue_union(uow: UnitOfWork, actor: Actor, kinds: Sequence[RecordKind]) -> Any:
    """The waiting records of ``kinds`` as one subquery: one select per kind, each in the
    actor's data scope of its module. ``row_key`` is unique over the kinds (the record's
    id times three plus the kind's place) for keyset paging; ``customer_sort`` is the
    customer's pinyin sort key."""
    author = aliased(User)
    directory = customer_directory.c
    selects: list[Any] = []
    for place, kind in enumerate(RecordKind):
        if kind not in kinds:
            continue
        code = literal_column(f"'{kind.value}'", String(10))
        shift: Any = literal_column(str(place))

        def key_of(id_column: Any, shift: Any = shift) -> Any:
            return id_column * literal_column("3") + shift

        if kind is RecordKind.VISIT:
            selects.append(
                select(code.label("kind"), key_of(Visit.id).label("row_key"),
                       Visit.id.label("id"), Visit.version.label("version"),
                       Visit.purpose.label("reference"),
                       Visit.customer_id.label("customer_id"),
                       directory.name.label("customer_name"),
                       directory.sort_key.label("customer_sort"),
                       Visit.owner_id.label("author_id"),
                       author.display_name.label("author_name"),
                       Visit.updated_at.label("submitted_at"),
                       cast(null(), Order.total_amount.type).label("amount"),
                       func.coalesce(Visit.outcome, Visit.products_of_interest,
                                     Visit.next_step).label("summary"))
                .join(customer_directory, directory.id == Visit.customer_id)
                .join(author, author.id == Visit.owner_id)
                .where(Visit.confirm_status == CS.SUBMITTED.value,
                       scope_filter(uow, actor, Module.VISITS, Visit.owner_id)))
        elif kind is RecordKind.ORDER:
            selects.append(
                select(code.label("kind"), key_of(Order.id).label("row_key"),
                       Order.id.label("id"), Order.version.label("version"),
                       Order.number.label("reference"),
                       Order.customer_id.label("customer_id"),
                       directory.name.label("customer_name"),
                       directory.sort_key.label("customer_sort"),
                       Order.owner_id.label("author_id"),
                       author.display_name.label("author_name"),
                       Order.updated_at.label("submitted_at"),
                       Order.total_amount.label("amount"),
                       func.coalesce(Order.notes, Order.delivery_address).label("summary"))
                .join(customer_directory, directory.id == Order.customer_id)
                .join(author, author.id == Order.owner_id)
                .where(Order.confirm_status == CS.SUBMITTED.value,
                       Order.status != OrderStatus.CANCELLED,
                       scope_filter(uow, actor, Module.ORDERS, Order.owner_id)))
        else:
            selects.append(
                select(code.label("kind"), key_of(RepairRecord.id).label("row_key"),
                       RepairRecord.id.label("id"), RepairRecord.version.label("version"),
                       ServiceTicket.number.label("reference"),
                       ServiceTicket.customer_id.label("customer_id"),
                       directory.name.label("customer_name"),
                       directory.sort_key.label("customer_sort"),
                       RepairRecord.technician_id.label("author_id"),
                       author.display_name.label("author_name"),
                       RepairRecord.updated_at.label("submitted_at"),
                       # WORKAROUND: SQLite adds money as binary floats; rounded to the
                       # fen, the amount a cursor carries back equals the one computed again.
                       func.round(RepairRecord.labour_amount + RepairRecord.parts_amount,
                                  literal_column("2"), type_=Order.total_amount.type)
                       .label("amount"),
                       RepairRecord.work_done.label("summary"))
                .join(ServiceTicket, ServiceTicket.id == RepairRecord.ticket_id)
                .join(customer_directory, directory.id == ServiceTicket.customer_id)
                .join(author, author.id == RepairRecord.technician_id)
                .where(RepairRecord.confirm_status == CS.SUBMITTED.value,
                       scope_filter(uow, actor, Module.SERVICE_TICKETS,
                                    RepairRecord.technician_id)))
    if len(selects) == 1:
        return selects[0].subquery("queue")
    return union_all(*selects).subquery("queue")


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


# --- confirming a selection --------------------------------------------------------------

MAX_BATCH = 500


@dataclass(frozen=True)
class RecordRef:
    """A record of the queue as the person saw it: its kind, id and the version shown."""

    kind: RecordKind
    id: int
    version: int


@dataclass(frozen=True)
class BatchRefusal:
    """A record of the selection left as it was, and why (in the reader's language)."""

    kind: RecordKind
    id: int
    reason: str
    conflict: bool  # changed or decided by someone else since it was listed


@dataclass(frozen=True)
class BatchResult:
    """What :func:`confirm_records` did: the records confirmed, and those it left."""

    confirmed: tuple[ConfirmationResult, ...]
    refused: tuple[BatchRefusal, ...]


def confirm_records(*, uow: UnitOfWork, actor: Actor,
                    records: Sequence[RecordRef | tuple[Any, Any, Any]]) -> BatchResult:
    """Confirm a selection of the queue (确认所选): each record as :func:`confirm_record`
    does — its own transaction, its own audit row, the version the person saw.

    The selection is checked first, and nothing is written when it is bad: empty, longer
    than :data:`MAX_BATCH`, an entry that is not (kind, id, version), or a record twice
    (:class:`ValidationError`); a kind whose module the actor may not confirm
    (:class:`PermissionDenied`). Then a record someone changed, confirmed or returned
    since it was listed, one that no longer exists, the actor's own or one outside the
    actor's scope is left as it is and reported in ``refused``; the others are confirmed.
    """
    refs = _batch_refs(records)
    with uow:
        for kind in dict.fromkeys(ref.kind for ref in refs):
            require(uow, actor, MODULE_OF[kind], Operation.CONFIRM)
    confirmed: list[ConfirmationResult] = []
    refused: list[BatchRefusal] = []
    for ref in refs:
        try:
            confirmed.append(_decide(uow, actor, ref.kind, ref.id, ref.version,
                                     CS.CONFIRMED, None))
        except (ConflictError, InvalidTransition) as error:
            refused.append(BatchRefusal(ref.kind, ref.id, str(error), conflict=True))
        except (NotFound, PermissionDenied) as error:
            refused.append(BatchRefusal(ref.kind, ref.id, str(error), conflict=False))
    return BatchResult(confirmed=tuple(confirmed), refused=tuple(refused))


def _batch_refs(records: Any) -> tuple[RecordRef, ...]:
    def bad(message: str) -> ValidationError:
        return ValidationError({"records": message}, message)

    if isinstance(records, str | bytes) or not isinstance(records, Sequence) or not records:
        raise bad(tr("Select the records to confirm."))
    if len(records) > MAX_BATCH:
        raise bad(tr("Confirm at most {count} records at a time.", count=MAX_BATCH))
    refs: list[RecordRef] = []
    for entry in records:
        parts = ((entry.kind, entry.id, entry.version) if isinstance(entry, RecordRef)
                 else entry)
        try:
            kind, record_id, version = parts
            kind = RecordKind(kind)
        except (TypeError, ValueError):
            raise bad(tr("The selection names a record that is not in the queue.")) from None
        if not all(isinstance(v, int) and not isinstance(v, bool) and v > 0
                   for v in (record_id, version)):
            raise bad(tr("The selection names a record that is not in the queue."))
        refs.append(RecordRef(kind, record_id, version))
    if len({(r.kind, r.id) for r in refs}) != len(refs):
        raise bad(tr("The selection names a record twice."))
    return tuple(refs)


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
        feed.notify(uow, to_department=feed.department_id(uow, "management"), kind=kind.value,
                    record_id=row.id, number=_number(kind, row), event="to_confirm", by=actor)
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
        if target is CS.RETURNED:
            feed.notify(uow, to_user=author_id, kind=kind.value, record_id=row.id,
                        number=_number(kind, row), event="returned", by=actor)
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


def _number(kind: RecordKind, row: Any) -> str | None:
    """The number a notice of the change feed shows for the record (a visit has none)."""
    if kind is RecordKind.ORDER:
        return str(row.number)
    return str(row.ticket.number) if kind is RecordKind.REPAIR else None


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
    "MAX_BATCH",
    "MODULE_OF",
    "QUEUE_SORT_KEYS",
    "BatchRefusal",
    "BatchResult",
    "ConfirmationResult",
    "QueueItem",
    "QueuePage",
    "RecordKind",
    "RecordRef",
    "RepairCorrection",
    "RepairPartView",
    "RepairRecordDetail",
    "ReturnedItem",
    "confirm_record",
    "confirm_records",
    "confirmation_counts",
    "confirmation_queue",
    "correct_repair_record",
    "get_repair_correction",
    "get_repair_record",
    "page_confirmation_queue",
    "return_record",
    "returned_to_me",
    "submit_record",
    "waiting_record_keys",
]

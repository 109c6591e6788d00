"""Reception and visit records (客户接待单 / 访客记录): walk-ins, phone calls, customer visits.

Who may record a visit against which customer
-------------------------------------------
Recording a visit needs ``VISITS/CREATE`` and ``CUSTOMERS/VIEW``, and the customer must be
either in the actor's *customers* data scope or unowned. A counter clerk therefore records
walk-ins for the storefront's customers and for nobody's customers (new prospects, or
customers whose salesperson left and who are waiting for reassignment), but not for a
key-account salesperson's customer: a visit adds to that customer's history and to its
owner's to-do list, and what the owner's customers do is the owner's business. The
duplicate check at the counter still shows such a customer (name and owner only), so the
clerk hands the visitor over to the owner, or management reassigns the customer.

The visit's owner is always the person who records it; its follow-up date puts it on that
person's to-do list (:func:`todo_follow_ups`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import false, select
from sqlalchemy.orm import aliased

from app.i18n import tr
from app.models import Contact, User, Visit, utcnow
from app.models.customers import customer_directory
from app.models.enums import (
    AuditAction,
    ConfirmStatus,
    CustomFieldEntity,
    Module,
    Operation,
    VisitKind,
)
from app.services import audit, custom_fields, requests
from app.services.customers import (
    CustomerDetail,
    CustomerDraft,
    DuplicateHit,
    create_customer,
    find_duplicates,
    get_customer,
)
from app.services.directory import customer_entry
from app.services.errors import InvalidTransition, NotFound, PermissionDenied, ServiceError
from app.services.lifecycle import TransitionTable
from app.services.locking import check_version
from app.services.paging import Cursor, Sort, SortExpr, count_rows, next_after, ordered_page, ranked
from app.services.permissions import (
    Actor,
    grants_for,
    owns_in_scope,
    require,
    require_in_scope,
    scope_filter,
)
from app.services.uow import UnitOfWork
from app.services.validation import Checker

# Customer names come from the directory: a record may be in the actor's scope while
# its customer is not (row security hides that customer's own row on a secured server).
_DIR = customer_directory.c

# A station's clock may run a little ahead of the server's or the other stations'.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
EARLIEST_VISIT = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
# A follow-up further away than this is a typing mistake, not a plan.
FOLLOW_UP_HORIZON = dt.timedelta(days=3 * 366)

# Management confirmation of a visit record (确认 / 退回). Submitting is the author's move;
# confirming and returning belong to the management confirmation screen.
CS = ConfirmStatus
VISIT_CONFIRMATION: TransitionTable[ConfirmStatus] = TransitionTable(
    entity="visit",
    states=ConfirmStatus,
    initial=CS.DRAFT,
    edges=frozenset({
        (CS.DRAFT, CS.SUBMITTED),
        (CS.SUBMITTED, CS.CONFIRMED),
        (CS.SUBMITTED, CS.RETURNED),
        (CS.RETURNED, CS.SUBMITTED),
    }),
)

# The strongest duplicate evidence: the counter must not create a second card on these.
STRONG_DUPLICATE_REASONS = frozenset({"same_phone", "same_name"})


# --- data in and out -----------------------------------------------------------------------


@dataclass(frozen=True)
class VisitDraft:
    """What a person types on the reception / visit form.

    ``occurred_at`` must be timezone-aware; None means now. ``customer_id`` may be left
    out when :func:`record_walk_in` creates the customer.
    """

    purpose: str
    customer_id: int | None = None
    kind: VisitKind | str = VisitKind.WALK_IN
    occurred_at: dt.datetime | None = None
    contact_id: int | None = None
    products_of_interest: str | None = None
    outcome: str | None = None
    next_step: str | None = None
    follow_up_on: dt.date | None = None
    notes: str | None = None
    # Custom field values by code (app/services/custom_fields.py); left out: kept.
    custom: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class VisitView:
    """A visit record as shown on the form and in lists."""

    id: int
    version: int
    customer_id: int
    customer_name: str
    contact_id: int | None
    contact_name: str | None
    owner_id: int
    owner_name: str | None
    kind: VisitKind
    occurred_at: dt.datetime
    purpose: str
    products_of_interest: str | None
    outcome: str | None
    next_step: str | None
    follow_up_on: dt.date | None
    follow_up_done: bool
    notes: str | None
    confirm_status: ConfirmStatus
    created_at: dt.datetime
    updated_at: dt.datetime
    # Values of the active custom fields by code (filled for one visit, not in lists).
    custom: Mapping[str, object] = field(default_factory=dict)
    # Management's decision: the return comment (退回意见, while returned) and who
    # confirmed or returned the visit, and when.
    return_comment: str | None = None
    decided_by_name: str | None = None
    decided_at: dt.datetime | None = None

    def to_draft(self) -> VisitDraft:
        return VisitDraft(
            purpose=self.purpose, customer_id=self.customer_id, kind=self.kind,
            occurred_at=self.occurred_at, contact_id=self.contact_id,
            products_of_interest=self.products_of_interest, outcome=self.outcome,
            next_step=self.next_step, follow_up_on=self.follow_up_on, notes=self.notes,
        )


@dataclass(frozen=True)
class VisitFilters:
    """``date_from``/``date_to`` are local calendar days, both inclusive."""

    customer_id: int | None = None
    owner_id: int | None = None
    kind: VisitKind | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass(frozen=True)
class VisitPage:
    rows: tuple[VisitView, ...]
    # Pass back as ``after`` for the next page; None at the end. Newest visits first.
    next_after: Cursor | None = None
    # Every visit matching the filters in the actor's scope (with ``with_total``).
    total: int | None = None


# The visit list's columns (and its owner, for lists of several people's visits), as sort
# keys for :func:`list_visits`.
VISIT_SORT_KEYS: tuple[str, ...] = ("when", "kind", "customer", "purpose", "follow_up",
                                    "owner")


@dataclass(frozen=True)
class FollowUpItem:
    """One line of the owner's to-do list: a visit whose follow-up is due."""

    visit_id: int
    visit_version: int
    customer_id: int
    customer_name: str
    contact_name: str | None
    follow_up_on: dt.date
    overdue: bool
    kind: VisitKind
    occurred_at: dt.datetime
    purpose: str
    next_step: str | None


@dataclass(frozen=True)
class WalkInResult:
    """What the counter's one-call flow did: the customer used or created, and the visit."""

    customer_id: int
    customer_created: bool
    visit: VisitView
    customer: CustomerDetail | None = None


class DuplicateCustomer(ServiceError):
    """The new customer typed at the counter looks like one that exists (same phone or name).

    ``hits`` are the existing customers, strongest first; hits outside the user's data
    scope carry only name and owner. Repeat the call with ``confirm_new=True`` to create
    the customer anyway, or with ``customer_id`` of a hit to use it.
    """

    def __init__(self, message: str, *, hits: tuple[DuplicateHit, ...]) -> None:
        super().__init__(message)
        self.hits = hits


# --- use cases -----------------------------------------------------------------------------


def record_visit(*, uow: UnitOfWork, actor: Actor, draft: VisitDraft,
                 submit: bool = False, request_key: str | None = None) -> VisitView:
    """Record a walk-in, phone call or visit; the actor becomes its owner.

    See the module docstring for which customers the actor may record against. The visit
    is a draft, or with ``submit`` goes straight to management's confirmation queue.
    A retry with the ``request_key`` of a visit already saved returns that visit
    (``app.services.requests``).
    """
    with uow:
        require(uow, actor, Module.VISITS, Operation.CREATE)
        require(uow, actor, Module.CUSTOMERS, Operation.VIEW)
        if (saved := requests.replayed(uow, actor, request_key, "visit")) is not None:
            return _view(uow, saved)
        values = custom_fields.check_together(
            lambda: _clean(uow, actor, draft, Operation.CREATE), uow=uow,
            entity=CustomFieldEntity.VISIT, record_id=None, values=draft.custom)
        visit = Visit(owner_id=actor.user_id, follow_up_done=False,
                      confirm_status=(ConfirmStatus.SUBMITTED if submit
                                      else ConfirmStatus.DRAFT).value,
                      created_by_id=actor.user_id, updated_by_id=actor.user_id, **values)
        uow.session.add(visit)
        uow.flush()
        custom = custom_fields.save_values(uow=uow, actor=actor, entity=CustomFieldEntity.VISIT,
                                           record_id=visit.id, values=draft.custom,
                                           creating=True)
        audit.record(uow, actor, AuditAction.CREATE, "visit", visit.id, _summary(visit),
                     {"after": {**audit.snapshot(visit),
                                **{k: v[1] for k, v in custom.items()}}})
        requests.remember(uow, actor, request_key, "visit", visit.id)
        uow.commit()
        return _view(uow, visit.id)


def get_visit(*, uow: UnitOfWork, actor: Actor, visit_id: int) -> VisitView:
    """One visit, if it is in the actor's visits data scope."""
    with uow:
        require(uow, actor, Module.VISITS, Operation.VIEW)
        visit = _load(uow, visit_id)
        require_in_scope(uow, actor, Module.VISITS, Operation.VIEW, visit.owner_id)
        return _view(uow, visit.id)


def update_visit(*, uow: UnitOfWork, actor: Actor, visit_id: int, expected_version: int,
                 draft: VisitDraft) -> VisitView:
    """Save an edited visit.

    Only its author, or management (``VISITS/CONFIRM``) with the visit in their data scope,
    may edit it, and only until management has confirmed it. ``expected_version`` is the
    version the user loaded: a :class:`ConflictError` names who saved in between.
    """
    with uow:
        require(uow, actor, Module.VISITS, Operation.EDIT)
        visit = _load(uow, visit_id)
        _require_author_or_management(uow, actor, visit, Operation.EDIT)
        if ConfirmStatus(visit.confirm_status) is ConfirmStatus.CONFIRMED:
            raise InvalidTransition(tr("A confirmed visit record can no longer be changed."))
        check_version(uow, visit, expected_version, entity="visit", label=tr("Visit record"))
        if draft.customer_id is None:
            draft = replace(draft, customer_id=visit.customer_id)
        checked = draft
        values = custom_fields.check_together(
            lambda: _clean(uow, actor, checked, Operation.EDIT, current=visit), uow=uow,
            entity=CustomFieldEntity.VISIT, record_id=visit.id, values=draft.custom)
        # Before the visit's own changes, whose flush would move the version twice.
        custom = custom_fields.save_values(uow=uow, actor=actor, entity=CustomFieldEntity.VISIT,
                                           record_id=visit.id, values=draft.custom)
        before = audit.snapshot(visit)
        for key, value in values.items():
            setattr(visit, key, value)
        changes = audit.diff(before, audit.snapshot(visit))
        changes.update(custom)
        if changes:
            visit.updated_by_id = actor.user_id
            visit.updated_at = utcnow()
            uow.flush()
            audit.record(uow, actor, AuditAction.UPDATE, "visit", visit.id, _summary(visit),
                         changes)
        uow.commit()
        return _view(uow, visit.id)


def submit_visit(*, uow: UnitOfWork, actor: Actor, visit_id: int,
                 expected_version: int | None = None) -> VisitView:
    """Hand a draft (or returned) visit to management for confirmation (提交确认)."""
    with uow:
        require(uow, actor, Module.VISITS, Operation.EDIT)
        visit = _load(uow, visit_id)
        _require_author_or_management(uow, actor, visit, Operation.EDIT)
        if expected_version is not None:
            check_version(uow, visit, expected_version, entity="visit",
                          label=tr("Visit record"))
        before = visit.confirm_status
        _move(visit, ConfirmStatus.SUBMITTED)
        visit.return_comment = None
        visit.confirmed_at = None
        visit.confirmed_by_id = None
        visit.updated_by_id = actor.user_id
        uow.flush()
        audit.record(uow, actor, AuditAction.TRANSITION, "visit", visit.id, _summary(visit),
                     {"confirm_status": [before, visit.confirm_status]})
        uow.commit()
        return _view(uow, visit.id)


def mark_follow_up_done(*, uow: UnitOfWork, actor: Actor, visit_id: int,
                        done: bool = True) -> VisitView:
    """Tick off (or reopen) a visit's follow-up; allowed after confirmation too.

    Its author or in-scope management may do it. No version check: the flag is the only
    thing changed, and ticking it twice means the same.
    """
    with uow:
        require(uow, actor, Module.VISITS, Operation.EDIT)
        visit = _load(uow, visit_id)
        _require_author_or_management(uow, actor, visit, Operation.EDIT)
        if visit.follow_up_on is None:
            raise InvalidTransition(tr("This visit record has no follow-up date."))
        if visit.follow_up_done != done:
            visit.follow_up_done = done
            visit.updated_by_id = actor.user_id
            uow.flush()
            audit.record(uow, actor, AuditAction.UPDATE, "visit", visit.id, _summary(visit),
                         {"follow_up_done": [not done, done]})
        uow.commit()
        return _view(uow, visit.id)


def list_visits(*, uow: UnitOfWork, actor: Actor, filters: VisitFilters = VisitFilters(),
                after: Cursor | None = None, limit: int = 100, sort: Sort | None = None,
                with_total: bool = False) -> VisitPage:
    """One page of visits in the actor's data scope, newest first (keyset paging) unless
    ``sort`` names one of :data:`VISIT_SORT_KEYS`; ``with_total`` also counts them all."""
    limit = max(1, min(limit, 500))
    with uow:
        require(uow, actor, Module.VISITS, Operation.VIEW)
        conditions: list[Any] = [scope_filter(uow, actor, Module.VISITS, Visit.owner_id)]
        if filters.customer_id is not None:
            conditions.append(Visit.customer_id == filters.customer_id)
        if filters.owner_id is not None:
            conditions.append(Visit.owner_id == filters.owner_id)
        if filters.kind is not None:
            conditions.append(Visit.kind == filters.kind)
        if filters.date_from is not None:
            conditions.append(Visit.occurred_at >= _local_midnight(filters.date_from))
        if filters.date_to is not None:
            conditions.append(Visit.occurred_at
                              < _local_midnight(filters.date_to + dt.timedelta(days=1)))
        base = _view_query().where(*conditions)
        stmt = ordered_page(base, columns=_SORT_COLUMNS,
                            sort=sort or Sort("when", descending=True), id_column=Visit.id,
                            after=after, limit=limit, not_null=_NOT_NULL)
        rows = uow.session.execute(stmt).all()
        return VisitPage(rows=tuple(_row_view(r) for r in rows[:limit]),
                         next_after=next_after(rows, limit),
                         total=count_rows(uow.session, base) if with_total else None)


def todo_follow_ups(*, uow: UnitOfWork, actor: Actor, on: dt.date,
                    limit: int = 200) -> tuple[FollowUpItem, ...]:
    """The actor's own visits whose follow-up falls on ``on`` or earlier and is not done.

    Overdue ones come first (oldest follow-up date first): this is the owner's to-do list.
    """
    limit = max(1, min(limit, 1000))
    with uow:
        require(uow, actor, Module.VISITS, Operation.VIEW)
        stmt = (
            select(Visit.id, Visit.version, Visit.customer_id, _DIR.name, Contact.name,
                   Visit.follow_up_on, Visit.kind, Visit.occurred_at, Visit.purpose,
                   Visit.next_step)
            .join(customer_directory, _DIR.id == Visit.customer_id)
            .outerjoin(Contact, Contact.id == Visit.contact_id)
            .where(Visit.owner_id == actor.user_id, Visit.follow_up_on <= on,
                   Visit.follow_up_done == false())
            .order_by(Visit.follow_up_on, Visit.occurred_at, Visit.id)
            .limit(limit)
        )
        items = []
        for vid, version, cid, cname, contact, due, kind, at, purpose, next_step in (
                uow.session.execute(stmt).all()):
            assert due is not None  # the WHERE clause guarantees it
            items.append(FollowUpItem(
                visit_id=vid, visit_version=version, customer_id=cid, customer_name=cname,
                contact_name=contact, follow_up_on=due, overdue=due < on, kind=kind,
                occurred_at=at, purpose=purpose, next_step=next_step))
        return tuple(items)


def record_walk_in(
    *, uow: UnitOfWork, actor: Actor, visit: VisitDraft, customer: CustomerDraft | None = None,
    customer_id: int | None = None, confirm_new: bool = False, submit: bool = True,
    request_key: str | None = None,
) -> WalkInResult:
    """The counter's one-call flow: find or create the customer, then record the visit.

    Give either ``customer_id`` (an existing customer, found in the search) or
    ``customer`` (a new customer card). A new card is first checked for duplicates: if a
    customer with the same phone or the same name exists, :class:`DuplicateCustomer` is
    raised with those customers and nothing is written, unless ``confirm_new``. The
    customer and the visit are saved in one transaction: if the visit is refused, the
    new customer is not kept either.

    When the new card has contacts and the visit names none, the visit is linked to the
    card's primary (else first) contact: the person standing at the counter.

    The visit is submitted to management for confirmation as it is recorded (like an order
    or a repair record), unless ``submit`` is False.

    The ``request_key`` names the visit. A retry with the key of a walk-in already saved
    writes nothing (no duplicate warning about the customer it created either) and
    returns what the first call did: the visit, and for a new card the customer, built
    from the saved visit (``app.services.requests``).
    """
    if (customer is None) == (customer_id is None):
        check = Checker()
        check.fail("customer", tr("give either an existing customer or a new customer card"))
        check.done()
    with uow:
        require(uow, actor, Module.VISITS, Operation.CREATE)
        if customer is not None:
            require(uow, actor, Module.CUSTOMERS, Operation.CREATE)
        if (saved := requests.replayed(uow, actor, request_key, "visit")) is not None:
            return _walk_in_again(uow, actor, saved, customer_created=customer is not None)
        if customer_id is not None:
            made = record_visit(uow=uow, actor=actor,
                                draft=replace(visit, customer_id=customer_id), submit=submit,
                                request_key=request_key)
            uow.commit()
            return WalkInResult(customer_id=customer_id, customer_created=False, visit=made)
        assert customer is not None
        if not confirm_new:
            phones = tuple(p for c in customer.contacts for p in (c.phone, c.mobile) if p)
            hits = find_duplicates(uow=uow, actor=actor, name=customer.name,
                                   phone=customer.phone, contact_phones=phones)
            strong = tuple(h for h in hits if STRONG_DUPLICATE_REASONS.intersection(h.reasons))
            if strong:
                raise DuplicateCustomer(
                    tr("This customer may already exist: {names}. Choose the existing "
                       "customer, or confirm that this is a new one.",
                       names="、".join(h.name for h in strong)),
                    hits=strong,
                )
        created = create_customer(uow=uow, actor=actor, draft=customer)
        contact_id = visit.contact_id
        if contact_id is None and created.contacts:
            primary = [c for c in created.contacts if c.is_primary]
            contact_id = (primary or list(created.contacts))[0].id
        # The visit remembers the key: it is saved with the customer or not at all.
        made = record_visit(uow=uow, actor=actor, draft=replace(
            visit, customer_id=created.id, contact_id=contact_id), submit=submit,
            request_key=request_key)
        uow.commit()
        return WalkInResult(customer_id=created.id, customer_created=True, visit=made,
                            customer=created)


def _walk_in_again(uow: UnitOfWork, actor: Actor, visit_id: int, *,
                   customer_created: bool) -> WalkInResult:
    """What a walk-in saved under a request key returned, from its visit.

    A call with a new card created the visit's customer in the same transaction (that is
    the only way it saves), so its retry returns that customer's card too."""
    made = _view(uow, visit_id)
    card = (get_customer(uow=uow, actor=actor, customer_id=made.customer_id)
            if customer_created else None)
    return WalkInResult(customer_id=made.customer_id, customer_created=customer_created,
                        visit=made, customer=card)


# --- helpers -------------------------------------------------------------------------------


def _move(visit: Visit, target: ConfirmStatus) -> None:
    VISIT_CONFIRMATION.check(ConfirmStatus(visit.confirm_status), target,
                             record=f"{tr('Visit record')} {visit.id}")
    visit.confirm_status = target.value


def _require_author_or_management(uow: UnitOfWork, actor: Actor, visit: Visit,
                                  operation: Operation) -> None:
    """The author may change their own visit; otherwise only management in whose data
    scope it lies (a colleague of the same department may read it, not rewrite it)."""
    if visit.owner_id == actor.user_id:
        return
    require_in_scope(uow, actor, Module.VISITS, operation, visit.owner_id)
    if not grants_for(uow, actor).allows(Module.VISITS, Operation.CONFIRM):
        raise PermissionDenied(
            tr("Only the author or management may change this visit record."),
            module=Module.VISITS, operation=operation)


def _local_midnight(day: dt.date) -> dt.datetime:
    """The start of a calendar day at the station (its local time zone), as an aware time."""
    return dt.datetime.combine(day, dt.time()).astimezone()


def _clean(uow: UnitOfWork, actor: Actor, draft: VisitDraft, operation: Operation, *,
           current: Visit | None = None) -> dict[str, Any]:
    check = Checker()
    now = utcnow()
    occurred_at = draft.occurred_at if draft.occurred_at is not None else now
    if current is not None and draft.occurred_at is None:
        occurred_at = current.occurred_at
    if not isinstance(occurred_at, dt.datetime):
        check.fail("occurred_at", tr("is not a valid date"))
    elif occurred_at.tzinfo is None or occurred_at.utcoffset() is None:
        check.fail("occurred_at", tr("must include a time zone"))
    elif occurred_at > now + FUTURE_TOLERANCE:
        check.fail("occurred_at", tr("must not be in the future"))
    elif occurred_at < EARLIEST_VISIT:
        check.fail("occurred_at", tr("is not a valid date"))
    valid_time = "occurred_at" not in check.errors
    # The visit's day as the station's calendar shows it.
    visit_day = occurred_at.astimezone().date() if valid_time else None
    values: dict[str, Any] = {
        "kind": check.choice("kind", draft.kind, VisitKind),
        "occurred_at": occurred_at if valid_time else None,
        "purpose": check.text("purpose", draft.purpose, max_len=200, required=True),
        "products_of_interest": check.text("products_of_interest", draft.products_of_interest,
                                           max_len=500, multiline=True),
        "outcome": check.text("outcome", draft.outcome, max_len=500, multiline=True),
        "next_step": check.text("next_step", draft.next_step, max_len=500, multiline=True),
        "notes": check.text("notes", draft.notes, max_len=20000, multiline=True),
    }
    if visit_day is not None:
        values["follow_up_on"] = check.date(
            "follow_up_on", draft.follow_up_on, earliest=dt.date(1990, 1, 1),
            latest=visit_day + FOLLOW_UP_HORIZON)
        if values["follow_up_on"] is not None and values["follow_up_on"] < visit_day:
            check.fail("follow_up_on", tr("must not be before the day of the visit"))
    else:
        values["follow_up_on"] = check.date("follow_up_on", draft.follow_up_on)
    if current is not None and values["follow_up_on"] != current.follow_up_on:
        # A new follow-up date is a new task for the owner.
        values["follow_up_done"] = False
    customer_owner = _check_customer(uow, check, draft)
    values["customer_id"] = draft.customer_id
    values["contact_id"] = draft.contact_id
    check.done()
    # Permission after validation of the ids: a missing customer is a typing mistake, a
    # customer out of scope is a refusal. An edit that keeps the customer is not refused
    # because the customer has been reassigned since the visit was recorded.
    moved = current is None or current.customer_id != draft.customer_id
    if moved and customer_owner is not None and not owns_in_scope(
            uow, actor, Module.CUSTOMERS, customer_owner):
        raise PermissionDenied(
            tr("This customer belongs to someone else; you may not record visits for it."),
            module=Module.VISITS, operation=operation)
    return values


def _check_customer(uow: UnitOfWork, check: Checker, draft: VisitDraft) -> int | None:
    """Check the customer and contact ids; return the customer's owner id."""
    if draft.customer_id is None:
        check.fail("customer_id", tr("is required"))
        return None
    found = customer_entry(uow, draft.customer_id)
    if found is None:
        check.fail("customer_id", tr("does not exist"))
        return None
    if draft.contact_id is not None:
        contact_customer = uow.session.execute(
            select(Contact.customer_id).where(Contact.id == draft.contact_id)
        ).scalar_one_or_none()
        if contact_customer != draft.customer_id:
            check.fail("contact_id", tr("is not a contact of this customer"))
    owner_id: int | None = found.owner_id
    return owner_id


def _load(uow: UnitOfWork, visit_id: int) -> Visit:
    visit = uow.session.get(Visit, visit_id)
    if visit is None:
        raise NotFound(tr("{entity} {id} does not exist or you may not see it.",
                          entity=tr("Visit record"), id=visit_id))
    return visit


def _summary(visit: Visit) -> audit.Summary:
    return audit.say("{kind} {day} {purpose}", kind=visit.kind,
                     day=f"{visit.occurred_at:%Y-%m-%d}", purpose=visit.purpose)


_Owner = aliased(User)
_Decider = aliased(User)


# What each column sorts by; all of it is on every row the actor may list. The customer
# by its pinyin key, as in the customer list.
_SORT_COLUMNS: dict[str, SortExpr] = {
    "when": Visit.occurred_at,
    "kind": ranked(Visit.kind, list(VisitKind)),
    "customer": _DIR.sort_key,
    "purpose": Visit.purpose,
    "follow_up": Visit.follow_up_on,
    "owner": _Owner.display_name,
}
_NOT_NULL = ("when", "kind", "purpose")


def _view_query() -> Any:
    return (
        select(Visit, _DIR.name.label("customer_name"),
               Contact.name.label("contact_name"), _Owner.display_name.label("owner_name"),
               _Decider.display_name.label("decided_by_name"))
        .join(customer_directory, _DIR.id == Visit.customer_id)
        .outerjoin(Contact, Contact.id == Visit.contact_id)
        .outerjoin(_Owner, _Owner.id == Visit.owner_id)
        .outerjoin(_Decider, _Decider.id == Visit.confirmed_by_id)
    )


def _row_view(r: Any) -> VisitView:
    v: Visit = r[0]
    return VisitView(
        id=v.id, version=v.version, customer_id=v.customer_id, customer_name=r.customer_name,
        contact_id=v.contact_id, contact_name=r.contact_name, owner_id=v.owner_id,
        owner_name=r.owner_name, kind=v.kind, occurred_at=v.occurred_at, purpose=v.purpose,
        products_of_interest=v.products_of_interest, outcome=v.outcome,
        next_step=v.next_step, follow_up_on=v.follow_up_on,
        follow_up_done=bool(v.follow_up_done), notes=v.notes,
        confirm_status=ConfirmStatus(v.confirm_status), created_at=v.created_at,
        updated_at=v.updated_at, return_comment=v.return_comment,
        decided_by_name=r.decided_by_name, decided_at=v.confirmed_at,
    )


def _view(uow: UnitOfWork, visit_id: int) -> VisitView:
    view = _row_view(uow.session.execute(_view_query().where(Visit.id == visit_id)).one())
    custom = custom_fields.values_for(uow=uow, entity=CustomFieldEntity.VISIT,
                                      record_ids=[visit_id]).get(visit_id, {})
    return replace(view, custom=custom)


__all__ = [
    "VISIT_CONFIRMATION",
    "VISIT_SORT_KEYS",
    "DuplicateCustomer",
    "FollowUpItem",
    "VisitDraft",
    "VisitFilters",
    "VisitPage",
    "VisitView",
    "WalkInResult",
    "get_visit",
    "list_visits",
    "mark_follow_up_done",
    "record_visit",
    "record_walk_in",
    "submit_visit",
    "todo_follow_ups",
    "update_visit",
]

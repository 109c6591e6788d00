"""Opportunities (商机): creation from any source, stages, routing queue, board and forecast.

An opportunity moves only along :data:`OPPORTUNITY_LIFECYCLE` (new → qualified → proposal →
negotiation → won; any open stage → lost); won and lost are final. Each stage has a
default probability (:data:`DEFAULT_PROBABILITY`) that a salesperson may override on an
open opportunity.

An opportunity without an owner waits in management's routing queue. Only the repair and
counter paths put one there (sources :data:`ROUTABLE_SOURCES`): a technician who hears of
a new need during a repair, or a clerk who hears of one at the counter, need not know who
should follow it up. A lead from a repair credits the person who passed it on
(``credited_user_id``) for their assessment.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.i18n import tr
from app.models import Opportunity, ServiceTicket, User, utcnow
from app.models.customers import customer_directory
from app.models.enums import AuditAction, CustomerSource, Module, Operation, OpportunityStage
from app.services import audit, feed, requests
from app.services.directory import customer_entry
from app.services.errors import InvalidTransition, NotFound, PermissionDenied
from app.services.lifecycle import TransitionTable
from app.services.locking import check_version
from app.services.numbering import next_number
from app.services.paging import Cursor, Sort, SortExpr, count_rows, next_after, ordered_page, ranked
from app.services.periods import bucket, month_periods
from app.services.permissions import (
    Actor,
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

Stage = OpportunityStage

# The lifecycle (the stages each stage may move to); won and lost have no way out.
OPPORTUNITY_LIFECYCLE: TransitionTable[OpportunityStage] = TransitionTable(
    entity="opportunity",
    states=OpportunityStage,
    initial=Stage.NEW,
    edges=frozenset({
        (Stage.NEW, Stage.QUALIFIED),
        (Stage.QUALIFIED, Stage.PROPOSAL),
        (Stage.PROPOSAL, Stage.NEGOTIATION),
        (Stage.NEGOTIATION, Stage.WON),
        # Any open stage may be lost.
        (Stage.NEW, Stage.LOST),
        (Stage.QUALIFIED, Stage.LOST),
        (Stage.PROPOSAL, Stage.LOST),
        (Stage.NEGOTIATION, Stage.LOST),
    }),
)
OPEN_STAGES = frozenset(s for s in OpportunityStage if OPPORTUNITY_LIFECYCLE.targets(s))
FINAL_STAGES = frozenset(OpportunityStage) - OPEN_STAGES

DEFAULT_PROBABILITY: dict[OpportunityStage, int] = {
    Stage.NEW: 10,
    Stage.QUALIFIED: 25,
    Stage.PROPOSAL: 50,
    Stage.NEGOTIATION: 75,
    Stage.WON: 100,
    Stage.LOST: 0,
}

# Sources whose opportunities may be left without an owner, for management to route.
ROUTABLE_SOURCES = frozenset({CustomerSource.SERVICE_RENEED, CustomerSource.WALK_IN,
                              CustomerSource.PHONE})

MAX_FORECAST_MONTHS = 36
ZERO = Decimal("0.00")
CENT = Decimal("0.01")


class Owner(enum.Enum):
    """``create_opportunity(owner_id=Owner.ACTOR)``: the acting user owns it (the default)."""

    ACTOR = "actor"


# --- data in and out -----------------------------------------------------------------------


@dataclass(frozen=True)
class OpportunityDraft:
    """What a person types on the opportunity form.

    ``source`` None takes the customer's source; ``probability`` None takes the stage's
    default.
    """

    customer_id: int
    title: str
    expected_amount: Decimal | str
    source: CustomerSource | str | None = None
    probability: int | None = None
    expected_close_on: dt.date | None = None
    description: str | None = None
    service_ticket_id: int | None = None


@dataclass(frozen=True)
class OpportunityView:
    id: int
    number: str
    version: int
    customer_id: int
    customer_name: str
    title: str
    source: CustomerSource
    stage: OpportunityStage
    expected_amount: Decimal
    probability: int
    expected_close_on: dt.date | None
    owner_id: int | None
    owner_name: str | None
    credited_user_id: int | None
    credited_user_name: str | None
    service_ticket_id: int | None
    description: str | None
    closed_at: dt.datetime | None
    lost_reason: str | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def in_routing_queue(self) -> bool:
        return self.owner_id is None

    @property
    def weighted_amount(self) -> Decimal:
        return _weighted(self.expected_amount * self.probability)

    def to_draft(self) -> OpportunityDraft:
        return OpportunityDraft(
            customer_id=self.customer_id, title=self.title,
            expected_amount=self.expected_amount, source=self.source,
            probability=self.probability, expected_close_on=self.expected_close_on,
            description=self.description, service_ticket_id=self.service_ticket_id,
        )


@dataclass(frozen=True)
class OpportunityFilters:
    stage: OpportunityStage | None = None
    open_only: bool = False
    owner_id: int | None = None
    customer_id: int | None = None
    routing_queue: bool = False  # only those waiting for an owner


@dataclass(frozen=True)
class OpportunityPage:
    rows: tuple[OpportunityView, ...]
    # Pass back as ``after`` for the next page; None at the end. Newest first.
    next_after: Cursor | None = None
    # Every opportunity matching the filters in the actor's scope (with ``with_total``).
    total: int | None = None


# The opportunity list's columns, as sort keys for :func:`list_opportunities`.
OPPORTUNITY_SORT_KEYS: tuple[str, ...] = (
    "number", "customer", "title", "source", "stage", "expected_amount", "probability",
    "expected_close", "owner")


@dataclass(frozen=True)
class StageSummary:
    """One column of the opportunity board."""

    stage: OpportunityStage
    count: int
    amount: Decimal
    weighted_amount: Decimal


@dataclass(frozen=True)
class OpportunityBoard:
    stages: tuple[StageSummary, ...]
    open_count: int
    open_amount: Decimal
    open_weighted_amount: Decimal


@dataclass(frozen=True)
class ForecastMonth:
    """Open opportunities expected to close in one month (销售预计表)."""

    month: dt.date  # the first day of the month
    count: int
    amount: Decimal
    weighted_amount: Decimal


# --- use cases -----------------------------------------------------------------------------


def create_opportunity(
    *, uow: UnitOfWork, actor: Actor, draft: OpportunityDraft,
    owner_id: int | Owner | None = Owner.ACTOR,
) -> OpportunityView:
    """Record a new opportunity in stage *new*.

    Args:
        owner_id: who follows it up: the actor by default; another user (needs that user
            in the actor's opportunities data scope: management assigning); or None for
            management's routing queue, allowed for the sources in
            :data:`ROUTABLE_SOURCES` only.

    The customer must be in the actor's customers data scope or unowned, except for a
    lead put in the routing queue: passing on a need heard about any customer the actor
    can find is exactly what the queue is for. A ``service_reneed`` lead credits the actor.
    """
    with uow:
        require(uow, actor, Module.OPPORTUNITIES, Operation.CREATE)
        require(uow, actor, Module.CUSTOMERS, Operation.VIEW)
        owner = actor.user_id if owner_id is Owner.ACTOR else owner_id
        assert not isinstance(owner, Owner)
        check = Checker()
        values = _clean(uow, check, draft)
        stage = Stage.NEW
        values["probability"] = _probability(check, draft.probability, stage)
        if owner is None and values["source"] is not None \
                and values["source"] not in ROUTABLE_SOURCES:
            check.fail("owner_id", tr("is required"))
        if owner is not None and owner != actor.user_id:
            _check_active_user(uow, check, "owner_id", owner)
        check.done()
        if owner is not None:
            if owner != actor.user_id:
                require_in_scope(uow, actor, Module.OPPORTUNITIES, Operation.CREATE, owner)
            _require_customer_in_scope(uow, actor, values["customer_id"])
        opportunity = Opportunity(
            number=next_number(uow, "opportunity", dt.date.today()),  # the local business day
            stage=stage, owner_id=owner,
            credited_user_id=(actor.user_id if values["source"] is CustomerSource.SERVICE_RENEED
                              else None),
            created_by_id=actor.user_id, updated_by_id=actor.user_id, **values,
        )
        uow.session.add(opportunity)
        uow.flush()
        audit.record(uow, actor, AuditAction.CREATE, "opportunity", opportunity.id,
                     _summary(opportunity), {"after": audit.snapshot(opportunity)})
        feed.notify(uow, to_user=owner, to_department=None if owner is not None
                    else feed.department_id(uow, "management"), kind="opportunity",
                    record_id=opportunity.id, number=opportunity.number,
                    event="assigned" if owner is not None else "routed", by=actor)
        uow.commit()
        return _view(uow, opportunity.id)


def pass_on_reneed(
    *, uow: UnitOfWork, actor: Actor, ticket_id: int, title: str,
    expected_amount: Decimal | str = Decimal("0.00"), description: str | None = None,
    request_key: str | None = None,
) -> OpportunityView:
    """"The customer also needs…", noted at intake or in the repair record (客户再需求).

    Creates an opportunity with source *service re-need* for the ticket's customer,
    crediting the actor. It waits without an owner in management's routing queue, where
    management gives it to a salesperson (:mod:`app.services.routing`): passing a need on
    is the rule here, so the actor need not be able to see or own sales records — only
    the ticket. A retry with the ``request_key`` of a need already passed on returns that
    opportunity.
    """
    with uow:
        require(uow, actor, Module.OPPORTUNITIES, Operation.CREATE)
        require(uow, actor, Module.SERVICE_TICKETS, Operation.VIEW)
        if (saved := requests.replayed(uow, actor, request_key, "opportunity")) is not None:
            return _view(uow, saved)
        ticket = uow.session.execute(
            select(ServiceTicket.customer_id, ServiceTicket.intake_by_id,
                   ServiceTicket.technician_id)
            .where(ServiceTicket.id == ticket_id)
        ).one_or_none()
        if ticket is None or not any(
                owns_in_scope(uow, actor, Module.SERVICE_TICKETS, who)
                for who in (ticket.intake_by_id, ticket.technician_id)):
            raise NotFound(tr("{entity} {id} does not exist or you may not see it.",
                              entity=tr("Service ticket"), id=ticket_id))
        check = Checker()
        values = _clean(uow, check, OpportunityDraft(
            customer_id=ticket.customer_id, title=title, expected_amount=expected_amount,
            source=CustomerSource.SERVICE_RENEED, description=description,
            service_ticket_id=ticket_id))
        values["probability"] = _probability(check, None, Stage.NEW)
        check.done()
        opportunity = Opportunity(
            number=next_number(uow, "opportunity", dt.date.today()),
            stage=Stage.NEW, owner_id=None, credited_user_id=actor.user_id,
            created_by_id=actor.user_id, updated_by_id=actor.user_id, **values,
        )
        uow.session.add(opportunity)
        uow.flush()
        audit.record(uow, actor, AuditAction.CREATE, "opportunity", opportunity.id,
                     _summary(opportunity), {"after": audit.snapshot(opportunity)})
        requests.remember(uow, actor, request_key, "opportunity", opportunity.id)
        feed.notify(uow, to_department=feed.department_id(uow, "management"),
                    kind="opportunity", record_id=opportunity.id, number=opportunity.number,
                    event="routed", by=actor)
        uow.commit()
        return _view(uow, opportunity.id)


def get_opportunity(*, uow: UnitOfWork, actor: Actor, opportunity_id: int) -> OpportunityView:
    with uow:
        require(uow, actor, Module.OPPORTUNITIES, Operation.VIEW)
        opportunity = _load(uow, opportunity_id)
        require_in_scope(uow, actor, Module.OPPORTUNITIES, Operation.VIEW, opportunity.owner_id)
        return _view(uow, opportunity.id)


def update_opportunity(
    *, uow: UnitOfWork, actor: Actor, opportunity_id: int, expected_version: int,
    draft: OpportunityDraft,
) -> OpportunityView:
    """Save the edited form of an open opportunity (stage and owner change elsewhere)."""
    with uow:
        require(uow, actor, Module.OPPORTUNITIES, Operation.EDIT)
        opportunity = _load(uow, opportunity_id)
        require_in_scope(uow, actor, Module.OPPORTUNITIES, Operation.EDIT, opportunity.owner_id)
        if opportunity.stage in FINAL_STAGES:
            raise InvalidTransition(tr("A closed opportunity can no longer be changed."))
        check_version(uow, opportunity, expected_version, entity="opportunity",
                      label=opportunity.number)
        check = Checker()
        values = _clean(uow, check, draft)
        values["probability"] = _probability(check, draft.probability, opportunity.stage)
        check.done()
        if values["customer_id"] != opportunity.customer_id:
            _require_customer_in_scope(uow, actor, values["customer_id"])
        before = audit.snapshot(opportunity)
        for key, value in values.items():
            setattr(opportunity, key, value)
        changes = audit.diff(before, audit.snapshot(opportunity))
        if changes:
            opportunity.updated_by_id = actor.user_id
            uow.flush()
            audit.record(uow, actor, AuditAction.UPDATE, "opportunity", opportunity.id,
                         _summary(opportunity), changes)
        uow.commit()
        return _view(uow, opportunity.id)


def move_opportunity(
    *, uow: UnitOfWork, actor: Actor, opportunity_id: int, expected_version: int,
    stage: OpportunityStage | str, probability: int | None = None,
    lost_reason: str | None = None,
) -> OpportunityView:
    """Move an opportunity to another stage along :data:`OPPORTUNITY_LIFECYCLE`.

    The probability becomes ``probability`` or the new stage's default; won and lost
    always have their fixed 100 and 0. Closing (won or lost) stamps ``closed_at``;
    *lost* needs a ``lost_reason``. An edge the table lacks raises
    :class:`InvalidTransition`.
    """
    with uow:
        require(uow, actor, Module.OPPORTUNITIES, Operation.EDIT)
        opportunity = _load(uow, opportunity_id)
        require_in_scope(uow, actor, Module.OPPORTUNITIES, Operation.EDIT, opportunity.owner_id)
        check = Checker()
        target = check.choice("stage", stage, OpportunityStage)
        check.done()
        assert target is not None
        OPPORTUNITY_LIFECYCLE.check(opportunity.stage, target,
                                    record=f"{tr('Opportunity')} {opportunity.number}")
        check_version(uow, opportunity, expected_version, entity="opportunity",
                      label=opportunity.number)
        if target in FINAL_STAGES:
            new_probability: int | None = DEFAULT_PROBABILITY[target]
        else:
            new_probability = _probability(check, probability, target)
        reason = check.text("lost_reason", lost_reason, max_len=500, multiline=True,
                            required=target is Stage.LOST)
        check.done()
        assert new_probability is not None
        before = audit.snapshot(opportunity)
        opportunity.stage = target
        opportunity.probability = new_probability
        if target is Stage.LOST:
            opportunity.lost_reason = reason
        if target in FINAL_STAGES:
            opportunity.closed_at = utcnow()
        opportunity.updated_by_id = actor.user_id
        uow.flush()
        audit.record(uow, actor, AuditAction.TRANSITION, "opportunity", opportunity.id,
                     _summary(opportunity), audit.diff(before, audit.snapshot(opportunity)))
        uow.commit()
        return _view(uow, opportunity.id)


def assign_opportunity(
    *, uow: UnitOfWork, actor: Actor, opportunity_id: int, expected_version: int,
    owner_id: int,
) -> OpportunityView:
    """Give an opportunity (typically one from the routing queue) to a salesperson.

    Needs both the current owner (the queue counts as nobody's: only an *all* scope
    reaches it) and the new owner in the actor's opportunities data scope.
    """
    with uow:
        require(uow, actor, Module.OPPORTUNITIES, Operation.EDIT)
        opportunity = _load(uow, opportunity_id)
        require_in_scope(uow, actor, Module.OPPORTUNITIES, Operation.EDIT, opportunity.owner_id)
        if opportunity.stage in FINAL_STAGES:
            raise InvalidTransition(tr("A closed opportunity can no longer be changed."))
        check_version(uow, opportunity, expected_version, entity="opportunity",
                      label=opportunity.number)
        check = Checker()
        _check_active_user(uow, check, "owner_id", owner_id)
        check.done()
        require_in_scope(uow, actor, Module.OPPORTUNITIES, Operation.EDIT, owner_id)
        if opportunity.owner_id != owner_id:
            before = opportunity.owner_id
            opportunity.owner_id = owner_id
            opportunity.updated_by_id = actor.user_id
            uow.flush()
            audit.record(uow, actor, AuditAction.REASSIGN, "opportunity", opportunity.id,
                         _summary(opportunity), {"owner_id": [before, owner_id]})
            feed.notify(uow, to_user=owner_id, kind="opportunity", record_id=opportunity.id,
                        number=opportunity.number, event="assigned", by=actor)
        uow.commit()
        return _view(uow, opportunity.id)


def list_opportunities(
    *, uow: UnitOfWork, actor: Actor, filters: OpportunityFilters = OpportunityFilters(),
    after: Cursor | None = None, limit: int = 100, sort: Sort | None = None,
    with_total: bool = False,
) -> OpportunityPage:
    """One page of opportunities in the actor's data scope, newest first (keyset), or
    sorted by one of :data:`OPPORTUNITY_SORT_KEYS`; ``with_total`` also counts them all."""
    limit = max(1, min(limit, 500))
    with uow:
        require(uow, actor, Module.OPPORTUNITIES, Operation.VIEW)
        base = _view_query().where(*_filters(uow, actor, filters))
        columns = _SORT_COLUMNS
        if sort is None:
            # Newest first, as before sorting existed: by id, which no column shows.
            columns, sort = {**columns, "id": Opportunity.id}, Sort("id", descending=True)
        stmt = ordered_page(base, columns=columns, sort=sort, id_column=Opportunity.id,
                            after=after, limit=limit, not_null=_NOT_NULL)
        rows = uow.session.execute(stmt).all()
        return OpportunityPage(
            rows=tuple(_row_view(r) for r in rows[:limit]), next_after=next_after(rows, limit),
            total=count_rows(uow.session, base) if with_total else None)


def opportunity_board(
    *, uow: UnitOfWork, actor: Actor, owner_id: int | None = None,
    closed_from: dt.date | None = None,
) -> OpportunityBoard:
    """Count, expected amount and weighted amount per stage, in the actor's data scope.

    ``closed_from`` limits the won and lost columns to those closed on or after that
    (local) day; open stages always show everything open.
    """
    with uow:
        require(uow, actor, Module.OPPORTUNITIES, Operation.VIEW)
        conditions = _filters(uow, actor, OpportunityFilters(owner_id=owner_id))
        if closed_from is not None:
            since = dt.datetime.combine(closed_from, dt.time()).astimezone()
            conditions.append(Opportunity.stage.in_(OPEN_STAGES)
                              | (Opportunity.closed_at >= since))
        stmt = (
            select(Opportunity.stage, func.count().label("n"),
                   func.sum(Opportunity.expected_amount).label("amount"),
                   func.sum(Opportunity.expected_amount * Opportunity.probability)
                   .label("weighted"))
            .where(*conditions)
            .group_by(Opportunity.stage)
        )
        found = {r.stage: r for r in uow.session.execute(stmt).all()}
        stages = []
        for stage in OpportunityStage:
            r = found.get(stage)
            stages.append(StageSummary(
                stage=stage, count=int(r.n) if r else 0,
                amount=_money(r.amount if r else None),
                weighted_amount=_weighted(r.weighted if r else None)))
        open_ = [s for s in stages if s.stage in OPEN_STAGES]
        return OpportunityBoard(
            stages=tuple(stages), open_count=sum(s.count for s in open_),
            open_amount=sum((s.amount for s in open_), ZERO),
            open_weighted_amount=sum((s.weighted_amount for s in open_), ZERO),
        )


def sales_forecast(
    *, uow: UnitOfWork, actor: Actor, from_month: dt.date, months: int,
    owner_id: int | None = None,
) -> tuple[ForecastMonth, ...]:
    """Open opportunities by expected-close month (销售预计表), every month listed.

    For each of ``months`` months from the month of ``from_month``: how many open
    opportunities are expected to close, their expected amount, and the amount weighted
    by probability (Σ amount × probability / 100). In the actor's data scope.
    """
    check = Checker()
    start = check.date("from_month", from_month, required=True)
    count = check.integer("months", months, low=1, high=MAX_FORECAST_MONTHS)
    check.done()
    assert start is not None and count is not None
    periods = month_periods(start, count)
    with uow:
        require(uow, actor, Module.OPPORTUNITIES, Operation.VIEW)
        conditions = _filters(uow, actor, OpportunityFilters(owner_id=owner_id, open_only=True))
        conditions += [Opportunity.expected_close_on >= periods[0].starts_on,
                       Opportunity.expected_close_on < periods[-1].ends_before]
        dated = (
            select(bucket(Opportunity.expected_close_on, periods).label("period"),
                   Opportunity.expected_amount,
                   (Opportunity.expected_amount * Opportunity.probability).label("weight"))
            .where(*conditions)
            .subquery("dated")
        )
        # Grouped through the subquery: see periods.bucket.
        stmt = (
            select(dated.c.period, func.count().label("n"),
                   func.sum(dated.c.expected_amount).label("amount"),
                   func.sum(dated.c.weight).label("weighted"))
            .group_by(dated.c.period)
        )
        found = {r.period: r for r in uow.session.execute(stmt).all()}
        result = []
        for p in periods:
            r = found.get(p.number)
            result.append(ForecastMonth(
                month=p.starts_on, count=int(r.n) if r else 0,
                amount=_money(r.amount if r else None),
                weighted_amount=_weighted(r.weighted if r else None)))
        return tuple(result)


# --- helpers -------------------------------------------------------------------------------


def _money(value: Any) -> Decimal:
    return Decimal(value if value is not None else 0).quantize(CENT)


def _weighted(amount_times_percent: Any) -> Decimal:
    """Σ(amount × probability) / 100, to the fen."""
    if amount_times_percent is None:
        return ZERO
    return (Decimal(amount_times_percent) / 100).quantize(CENT, ROUND_HALF_UP)


def _filters(uow: UnitOfWork, actor: Actor, filters: OpportunityFilters) -> list[Any]:
    conditions: list[Any] = [scope_filter(uow, actor, Module.OPPORTUNITIES,
                                          Opportunity.owner_id)]
    if filters.stage is not None:
        conditions.append(Opportunity.stage == filters.stage)
    if filters.open_only:
        conditions.append(Opportunity.stage.in_(OPEN_STAGES))
    if filters.owner_id is not None:
        conditions.append(Opportunity.owner_id == filters.owner_id)
    if filters.routing_queue:
        conditions.append(Opportunity.owner_id.is_(None))
    if filters.customer_id is not None:
        conditions.append(Opportunity.customer_id == filters.customer_id)
    return conditions


def _probability(check: Checker, value: int | None, stage: OpportunityStage) -> int | None:
    if value is None:
        return DEFAULT_PROBABILITY[stage]
    return check.integer("probability", value, low=0, high=100)


def _check_active_user(uow: UnitOfWork, check: Checker, field: str, user_id: int) -> None:
    active = uow.session.execute(
        select(User.active).where(User.id == user_id)).scalar_one_or_none()
    if not active:
        check.fail(field, tr("must be an active user"))


def _require_customer_in_scope(uow: UnitOfWork, actor: Actor, customer_id: int) -> None:
    # From the directory: a customer whose row the actor's login may not read is still
    # someone's, not "unowned".
    entry = customer_entry(uow, customer_id)
    owner_id = entry.owner_id if entry is not None else None
    if owner_id is not None and not owns_in_scope(uow, actor, Module.CUSTOMERS, owner_id):
        raise PermissionDenied(
            tr("This customer belongs to someone else; you may not record opportunities "
               "for it."), module=Module.OPPORTUNITIES, operation=Operation.CREATE)


def _clean(uow: UnitOfWork, check: Checker, draft: OpportunityDraft) -> dict[str, Any]:
    """The draft's fields except probability; ids checked against the database."""
    values: dict[str, Any] = {
        "customer_id": draft.customer_id,
        "title": check.text("title", draft.title, max_len=200, required=True),
        "expected_amount": check.money("expected_amount", draft.expected_amount),
        "expected_close_on": check.date("expected_close_on", draft.expected_close_on,
                                        earliest=dt.date(2000, 1, 1),
                                        latest=dt.date(2100, 12, 31)),
        "description": check.text("description", draft.description, max_len=20000,
                                  multiline=True),
        "service_ticket_id": draft.service_ticket_id,
        "source": None,
    }
    customer_source = None
    if draft.customer_id is None:
        check.fail("customer_id", tr("is required"))
    else:
        found = customer_entry(uow, draft.customer_id)
        if found is None:
            check.fail("customer_id", tr("does not exist"))
        else:
            customer_source = found.source
    if draft.source is None or draft.source == "":
        values["source"] = customer_source
    else:
        values["source"] = check.choice("source", draft.source, CustomerSource)
    if draft.service_ticket_id is not None:
        ticket_customer = uow.session.execute(
            select(ServiceTicket.customer_id).where(ServiceTicket.id == draft.service_ticket_id)
        ).scalar_one_or_none()
        if ticket_customer is None:
            check.fail("service_ticket_id", tr("does not exist"))
        elif ticket_customer != draft.customer_id:
            check.fail("service_ticket_id", tr("must belong to the same customer"))
    return values


def _load(uow: UnitOfWork, opportunity_id: int) -> Opportunity:
    opportunity = uow.session.get(Opportunity, opportunity_id)
    if opportunity is None:
        raise NotFound(tr("{entity} {id} does not exist or you may not see it.",
                          entity=tr("Opportunity"), id=opportunity_id))
    return opportunity


def _summary(o: Opportunity) -> audit.Summary:
    return audit.say("{number} {stage} {title}", number=o.number, stage=o.stage, title=o.title)


_Owner = aliased(User)
_Credited = aliased(User)


# What each column sorts by: all of it is on every row the actor may list. The customer
# by its pinyin key, as in the customer list.
_SORT_COLUMNS: dict[str, SortExpr] = {
    "number": Opportunity.number,
    "customer": _DIR.sort_key,
    "title": Opportunity.title,
    "source": ranked(Opportunity.source, list(CustomerSource)),
    "stage": ranked(Opportunity.stage, list(OpportunityStage)),
    "expected_amount": Opportunity.expected_amount,
    "probability": Opportunity.probability,
    "expected_close": Opportunity.expected_close_on,
    "owner": _Owner.display_name,
}
_NOT_NULL = ("id", "number", "title", "source", "stage", "expected_amount", "probability")


def _view_query() -> Any:
    return (
        select(Opportunity, _DIR.name.label("customer_name"),
               _Owner.display_name.label("owner_name"),
               _Credited.display_name.label("credited_name"))
        .join(customer_directory, _DIR.id == Opportunity.customer_id)
        .outerjoin(_Owner, _Owner.id == Opportunity.owner_id)
        .outerjoin(_Credited, _Credited.id == Opportunity.credited_user_id)
    )


def _row_view(r: Any) -> OpportunityView:
    o: Opportunity = r[0]
    return OpportunityView(
        id=o.id, number=o.number, version=o.version, customer_id=o.customer_id,
        customer_name=r.customer_name, title=o.title, source=o.source, stage=o.stage,
        expected_amount=o.expected_amount, probability=o.probability,
        expected_close_on=o.expected_close_on, owner_id=o.owner_id, owner_name=r.owner_name,
        credited_user_id=o.credited_user_id, credited_user_name=r.credited_name,
        service_ticket_id=o.service_ticket_id, description=o.description,
        closed_at=o.closed_at, lost_reason=o.lost_reason, created_at=o.created_at,
        updated_at=o.updated_at,
    )


def _view(uow: UnitOfWork, opportunity_id: int) -> OpportunityView:
    return _row_view(uow.session.execute(
        _view_query().where(Opportunity.id == opportunity_id)).one())


__all__ = [
    "DEFAULT_PROBABILITY",
    "OPPORTUNITY_SORT_KEYS",
    "FINAL_STAGES",
    "OPEN_STAGES",
    "OPPORTUNITY_LIFECYCLE",
    "ROUTABLE_SOURCES",
    "ForecastMonth",
    "OpportunityBoard",
    "OpportunityDraft",
    "OpportunityFilters",
    "OpportunityPage",
    "OpportunityView",
    "Owner",
    "StageSummary",
    "assign_opportunity",
    "create_opportunity",
    "get_opportunity",
    "list_opportunities",
    "move_opportunity",
    "opportunity_board",
    "sales_forecast",
]

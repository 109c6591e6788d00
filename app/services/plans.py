"""Sales plans (客户销售计划表) per salesperson and period, and plan against actual sales.

One plan per owner, customer (or none), year, month or quarter. The table's unique
constraint covers plans for a customer on every database, but the *customer-less* plan
(the owner's overall target) is unique only on SQL Server, which treats NULLs as equal
in a unique constraint; PostgreSQL and SQLite would accept two. So :func:`set_sales_plan`
enforces "one plan per owner and period" itself, under a row lock on the owner's user
row, and behaves the same on all three.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Numeric, case, false, func, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from app.i18n import tr
from app.models import Order, SalesPlan, User
from app.models.customers import customer_directory
from app.models.enums import AuditAction, Module, Operation, OrderStatus, PlanPeriod
from app.services import audit
from app.services.directory import customer_entry
from app.services.errors import NotFound
from app.services.locking import check_version
from app.services.periods import Period, bucket, periods_per_year, year_periods
from app.services.permissions import (
    Actor,
    require,
    require_in_scope,
    scope_filter,
    sees_margin,
)
from app.services.uow import UnitOfWork
from app.services.validation import Checker

# Customer names come from the directory: a record may be in the actor's scope while
# its customer is not (row security hides that customer's own row on a secured server).
_DIR = customer_directory.c

FIRST_YEAR, LAST_YEAR = 2000, 2100
ZERO = Decimal("0.00")
CENT = Decimal("0.01")
# Orders that count as sold in "actual": everything not cancelled.
NOT_COUNTED = (OrderStatus.CANCELLED,)


# --- data in and out -----------------------------------------------------------------------


@dataclass(frozen=True)
class SalesPlanDraft:
    """One cell of the plan form. ``owner_id`` None means the actor; ``customer_id`` None
    is the owner's overall target for the period."""

    year: int
    period: int
    planned_amount: Decimal | str
    period_kind: PlanPeriod | str = PlanPeriod.MONTH
    owner_id: int | None = None
    customer_id: int | None = None
    planned_margin: Decimal | str = ZERO
    notes: str | None = None


@dataclass(frozen=True)
class SalesPlanView:
    id: int
    version: int
    owner_id: int
    owner_name: str | None
    customer_id: int | None
    customer_name: str | None
    year: int
    period_kind: PlanPeriod
    period: int
    planned_amount: Decimal
    planned_margin: Decimal
    notes: str | None
    updated_at: dt.datetime


@dataclass(frozen=True)
class PeriodFigures:
    """Plan and actual of one month or quarter.

    ``actual_margin`` is None when the actor may not see costs (``orders.margin`` hidden).
    """

    period: int
    starts_on: dt.date
    ends_on: dt.date
    planned_amount: Decimal
    planned_margin: Decimal
    actual_amount: Decimal
    actual_margin: Decimal | None
    order_count: int

    @property
    def achieved_percent(self) -> Decimal | None:
        """Actual as a percentage of plan (one decimal), None without a plan."""
        if not self.planned_amount:
            return None
        return (self.actual_amount * 100 / self.planned_amount).quantize(
            Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class PlanVsActual:
    owner_id: int | None
    year: int
    period_kind: PlanPeriod
    margin_visible: bool
    periods: tuple[PeriodFigures, ...]
    total_planned: Decimal
    total_actual: Decimal
    total_actual_margin: Decimal | None


# --- use cases -----------------------------------------------------------------------------


def set_sales_plan(*, uow: UnitOfWork, actor: Actor, draft: SalesPlanDraft,
                   expected_version: int | None = None) -> SalesPlanView:
    """Create or replace the plan for the draft's owner, customer and period.

    ``expected_version`` None overwrites whatever plan is there (the plan grid's "set");
    a version makes the save fail with :class:`ConflictError` if the plan changed since.
    """
    with uow:
        require(uow, actor, Module.SALES_PLANS, Operation.VIEW)
        owner_id = draft.owner_id if draft.owner_id is not None else actor.user_id
        values = _clean(uow, actor, draft)
        active = uow.session.execute(
            select(User.active).where(User.id == owner_id)).scalar_one_or_none()
        if not active:
            check = Checker()
            check.fail("owner_id", tr("must be an active user"))
            check.done()
        # Two stations may set the same plan at once. The database lets only one plan per
        # owner, customer (or none) and period exist (two filtered unique indexes, with and
        # without a customer); the one that loses the insert finds the winner's plan and
        # updates it, as if it had come second.
        for attempt in (1, 2):
            plan = _find_plan(uow, owner_id, values)
            operation = Operation.CREATE if plan is None else Operation.EDIT
            require(uow, actor, Module.SALES_PLANS, operation)
            require_in_scope(uow, actor, Module.SALES_PLANS, operation, owner_id)
            if plan is not None:
                break
            plan = SalesPlan(owner_id=owner_id, created_by_id=actor.user_id,
                             updated_by_id=actor.user_id, **values)
            try:
                with uow.session.begin_nested():
                    uow.session.add(plan)
            except IntegrityError:
                if attempt == 2:
                    raise
                continue
            audit.record(uow, actor, AuditAction.CREATE, "sales_plan", plan.id,
                         _summary(plan), {"after": audit.snapshot(plan)})
            uow.commit()
            return _view(uow, plan.id)
        assert plan is not None
        if expected_version is not None:
            check_version(uow, plan, expected_version, entity="sales_plan",
                          label=tr("Sales plan"))
        before = audit.snapshot(plan)
        for key, value in values.items():
            setattr(plan, key, value)
        changes = audit.diff(before, audit.snapshot(plan))
        if changes:
            plan.updated_by_id = actor.user_id
            uow.flush()
            audit.record(uow, actor, AuditAction.UPDATE, "sales_plan", plan.id,
                         _summary(plan), changes)
        uow.commit()
        return _view(uow, plan.id)


def _find_plan(uow: UnitOfWork, owner_id: int, values: dict[str, Any]) -> SalesPlan | None:
    return uow.session.execute(
        select(SalesPlan).where(
            SalesPlan.owner_id == owner_id,
            # IS NULL when there is no customer: the equality the constraint lacks.
            SalesPlan.customer_id.is_(None) if values["customer_id"] is None
            else SalesPlan.customer_id == values["customer_id"],
            SalesPlan.year == values["year"],
            SalesPlan.period_kind == values["period_kind"],
            SalesPlan.period == values["period"],
        )
    ).scalar_one_or_none()


def get_sales_plan(*, uow: UnitOfWork, actor: Actor, plan_id: int) -> SalesPlanView:
    with uow:
        require(uow, actor, Module.SALES_PLANS, Operation.VIEW)
        owner_id = uow.session.execute(
            select(SalesPlan.owner_id).where(SalesPlan.id == plan_id)).scalar_one_or_none()
        if owner_id is None:
            raise NotFound(tr("{entity} {id} does not exist or you may not see it.",
                              entity=tr("Sales plan"), id=plan_id))
        require_in_scope(uow, actor, Module.SALES_PLANS, Operation.VIEW, owner_id)
        return _view(uow, plan_id)


def list_sales_plans(*, uow: UnitOfWork, actor: Actor, year: int,
                     period_kind: PlanPeriod | str | None = None,
                     owner_id: int | None = None) -> tuple[SalesPlanView, ...]:
    """The plans of ``year`` in the actor's data scope, by owner, customer and period."""
    with uow:
        require(uow, actor, Module.SALES_PLANS, Operation.VIEW)
        conditions: list[Any] = [scope_filter(uow, actor, Module.SALES_PLANS,
                                              SalesPlan.owner_id),
                                 SalesPlan.year == year]
        if period_kind is not None:
            conditions.append(SalesPlan.period_kind == PlanPeriod(period_kind))
        if owner_id is not None:
            conditions.append(SalesPlan.owner_id == owner_id)
        stmt = (_view_query().where(*conditions)
                .order_by(SalesPlan.owner_id, SalesPlan.period_kind, SalesPlan.period,
                          SalesPlan.customer_id, SalesPlan.id))
        return tuple(_row_view(r) for r in uow.session.execute(stmt).all())


def plan_vs_actual(*, uow: UnitOfWork, actor: Actor, owner_id: int | None, year: int,
                   period_kind: PlanPeriod | str = PlanPeriod.MONTH) -> PlanVsActual:
    """Plan against actual sales per month or quarter of ``year``.

    ``owner_id`` None adds up everyone in the actor's data scope (a salesperson: only
    themself; management: the whole company). An owner's target for a period is their
    customer-less plan when they have one, otherwise the sum of their per-customer plans.
    Actual is the total of the owner's orders not cancelled, by order date.
    """
    check = Checker()
    year_ok = check.integer("year", year, low=FIRST_YEAR, high=LAST_YEAR)
    kind = check.choice("period_kind", period_kind, PlanPeriod)
    check.done()
    assert year_ok is not None and kind is not None
    periods = year_periods(year_ok, kind)
    with uow:
        require(uow, actor, Module.SALES_PLANS, Operation.VIEW)
        if owner_id is not None:
            require_in_scope(uow, actor, Module.SALES_PLANS, Operation.VIEW, owner_id)
        # Its database login may not read orders.total_cost otherwise.
        margin_visible = sees_margin(uow, actor)
        planned = _planned(uow, actor, owner_id, year_ok, kind)
        actual = _actual(uow, actor, owner_id, periods, with_cost=margin_visible)
        figures = []
        for p in periods:
            amount, margin = planned.get(p.number, (ZERO, ZERO))
            sold, cost, count = actual.get(p.number, (ZERO, ZERO, 0))
            figures.append(PeriodFigures(
                period=p.number, starts_on=p.starts_on, ends_on=p.ends_on,
                planned_amount=amount, planned_margin=margin, actual_amount=sold,
                actual_margin=(sold - cost) if margin_visible else None, order_count=count))
        total_margin = sum((f.actual_margin or ZERO for f in figures), ZERO)
        return PlanVsActual(
            owner_id=owner_id, year=year_ok, period_kind=kind, margin_visible=margin_visible,
            periods=tuple(figures),
            total_planned=sum((f.planned_amount for f in figures), ZERO),
            total_actual=sum((f.actual_amount for f in figures), ZERO),
            total_actual_margin=total_margin if margin_visible else None,
        )


# --- helpers -------------------------------------------------------------------------------


def _money(value: Any) -> Decimal:
    return Decimal(value if value is not None else 0).quantize(CENT)


def _planned(uow: UnitOfWork, actor: Actor, owner_id: int | None, year: int,
             kind: PlanPeriod) -> dict[int, tuple[Decimal, Decimal]]:
    """Planned amount and margin per period number, summed over the owners in view."""
    overall = SalesPlan.customer_id.is_(None)
    conditions: list[Any] = [
        scope_filter(uow, actor, Module.SALES_PLANS, SalesPlan.owner_id),
        SalesPlan.year == year, SalesPlan.period_kind == kind,
    ]
    if owner_id is not None:
        conditions.append(SalesPlan.owner_id == owner_id)
    # Aggregates over CASE without parameters: the grouping stays plain columns.
    stmt = (
        select(
            SalesPlan.owner_id, SalesPlan.period,
            func.count(case((overall, SalesPlan.id))).label("overall_count"),
            func.sum(case((overall, SalesPlan.planned_amount))).label("overall_amount"),
            func.sum(case((overall, SalesPlan.planned_margin))).label("overall_margin"),
            func.sum(SalesPlan.planned_amount).label("all_amount"),
            func.sum(SalesPlan.planned_margin).label("all_margin"),
        )
        .where(*conditions)
        .group_by(SalesPlan.owner_id, SalesPlan.period)
    )
    result: dict[int, tuple[Decimal, Decimal]] = {}
    for r in uow.session.execute(stmt).all():
        if r.overall_count:
            amount, margin = _money(r.overall_amount), _money(r.overall_margin)
        else:
            amount, margin = _money(r.all_amount), _money(r.all_margin)
        before = result.get(r.period, (ZERO, ZERO))
        result[r.period] = (before[0] + amount, before[1] + margin)
    return result


def _actual(uow: UnitOfWork, actor: Actor, owner_id: int | None,
            periods: tuple[Period, ...], *, with_cost: bool,
            ) -> dict[int, tuple[Decimal, Decimal, int]]:
    """Sold amount, cost (0 unless ``with_cost``) and order count per period number."""
    conditions: list[Any] = [
        scope_filter(uow, actor, Module.SALES_PLANS, Order.owner_id),
        Order.status.not_in(NOT_COUNTED),
        Order.opening == false(),  # sold before the program: not this plan's sale
        Order.ordered_on >= periods[0].starts_on,
        Order.ordered_on < periods[-1].ends_before,
    ]
    if owner_id is not None:
        conditions.append(Order.owner_id == owner_id)
    dated = (
        select(bucket(Order.ordered_on, periods).label("period"), Order.total_amount,
               (Order.total_cost if with_cost else literal(Decimal("0.00"), Numeric(14, 2)))
               .label("total_cost"))
        .where(*conditions)
        .subquery("dated")
    )
    stmt = (
        select(dated.c.period, func.sum(dated.c.total_amount).label("amount"),
               func.sum(dated.c.total_cost).label("cost"), func.count().label("orders"))
        .group_by(dated.c.period)
    )
    return {
        r.period: (_money(r.amount), _money(r.cost), int(r.orders))
        for r in uow.session.execute(stmt).all()
        if r.period is not None
    }


def _clean(uow: UnitOfWork, actor: Actor, draft: SalesPlanDraft) -> dict[str, Any]:
    check = Checker()
    kind = check.choice("period_kind", draft.period_kind, PlanPeriod)
    values: dict[str, Any] = {
        "year": check.integer("year", draft.year, low=FIRST_YEAR, high=LAST_YEAR),
        "period_kind": kind,
        "period": None,
        "planned_amount": check.money("planned_amount", draft.planned_amount),
        "planned_margin": check.money("planned_margin", draft.planned_margin,
                                      allow_negative=True),
        "notes": check.text("notes", draft.notes, max_len=500, multiline=True),
        "customer_id": draft.customer_id,
    }
    if kind is not None:
        values["period"] = check.integer("period", draft.period, low=1,
                                         high=periods_per_year(kind))
    customer_owner: int | None = None
    if draft.customer_id is not None:
        found = customer_entry(uow, draft.customer_id)
        if found is None:
            check.fail("customer_id", tr("does not exist"))
        else:
            customer_owner = found.owner_id
    check.done()
    if draft.customer_id is not None:
        # Planning a customer's purchases needs sight of the customer: one in the actor's
        # customers data scope, or nobody's.
        require(uow, actor, Module.CUSTOMERS, Operation.VIEW)
        if customer_owner is not None:
            require_in_scope(uow, actor, Module.CUSTOMERS, Operation.VIEW, customer_owner)
    return values


def _summary(plan: SalesPlan) -> audit.Summary:
    return audit.say("{period} {amount} (customer {customer})",
                     period=f"{plan.year}-{plan.period_kind.value}-{plan.period}",
                     amount=plan.planned_amount, customer=plan.customer_id or "-")


_Owner = aliased(User)


def _view_query() -> Any:
    return (
        select(SalesPlan, _Owner.display_name.label("owner_name"),
               _DIR.name.label("customer_name"))
        .outerjoin(_Owner, _Owner.id == SalesPlan.owner_id)
        .outerjoin(customer_directory, _DIR.id == SalesPlan.customer_id)
    )


def _row_view(r: Any) -> SalesPlanView:
    p: SalesPlan = r[0]
    return SalesPlanView(
        id=p.id, version=p.version, owner_id=p.owner_id, owner_name=r.owner_name,
        customer_id=p.customer_id, customer_name=r.customer_name, year=p.year,
        period_kind=p.period_kind, period=p.period, planned_amount=p.planned_amount,
        planned_margin=p.planned_margin, notes=p.notes, updated_at=p.updated_at,
    )


def _view(uow: UnitOfWork, plan_id: int) -> SalesPlanView:
    return _row_view(uow.session.execute(_view_query().where(SalesPlan.id == plan_id)).one())


__all__ = [
    "PeriodFigures",
    "PlanVsActual",
    "SalesPlanDraft",
    "SalesPlanView",
    "get_sales_plan",
    "list_sales_plans",
    "plan_vs_actual",
    "set_sales_plan",
]

"""Shared pieces of the statistics: filters as WHERE clauses, periods, words, drill specs.

Used by :mod:`app.services.stats_sales` and :mod:`app.services.stats_service`; the public
API and the data shapes are in :mod:`app.services.statistics`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Date, Integer, Select, bindparam, case, false, or_, select
from sqlalchemy.sql import visitors

from app import labels
from app.models import Customer, Order, ServiceTicket, User
from app.models.enums import (
    CustomerClass,
    CustomerSource,
    CustomerStatus,
    Module,
    OrderStatus,
    ProductCategory,
)
from app.services.periods import Period, add_months, month_start
from app.services.permissions import Actor, scope_clause, scope_params
from app.services.statistics import (
    ChartKind,
    ChartSpec,
    ColumnKind,
    DrillKey,
    StatColumn,
    StatFilters,
    StatRow,
    StatTable,
    words,
)
from app.services.uow import UnitOfWork

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
NONE_KEY = "-"          # the selector value of "no category" (a NULL in the data)
TOTAL_KEY = "*"         # the selector value of a total row


# --- words: category names in the table's language ----------------------------------------

# The code families a statistic groups by, and the enum (the label family) of each.
_FAMILIES: Mapping[str, type[StrEnum]] = {
    "class": CustomerClass,
    "source": CustomerSource,
    "status": CustomerStatus,
    "category": ProductCategory,
}
# What a group without a code (NULL in the data) is called, per family.
_NONE_LABELS: Mapping[str, str] = {
    "category": "Not in catalog",
    "technician": "Unassigned",
    "device_model": "No device",
    "salesperson": "No owner",
}


def enum_members(family: str) -> list[str]:
    return [str(code) for code in _FAMILIES[family]]


def label(family: str, code: str | None, lang: str) -> str:
    """The display name of a category code in ``lang`` (the words of app.labels)."""
    if code is None or code == NONE_KEY:
        return words(_NONE_LABELS.get(family, "(none)"), language=lang)
    kind = _FAMILIES.get(family)
    return labels.label_of(kind, code, language=lang) if kind is not None else code


# --- the context of one computation --------------------------------------------------------


@dataclass
class Ctx:
    """One statistic's computation: who, which filters, which language.

    ``unvalued``: the conditions name their filters' values, dates and the actor's data
    scope as parameters instead of holding them, so that a statement built from them once
    serves every computation of the same :meth:`shape`, executed with :meth:`values`
    (:func:`built_once`)."""

    uow: UnitOfWork
    actor: Actor
    filters: StatFilters
    lang: str
    unvalued: bool = False

    @property
    def session(self) -> Any:
        return self.uow.session

    # the table's words, in its language
    def words(self, text: str, **values: object) -> str:
        """One of the statistics' words (app.services.statistics.WORDS), filled in."""
        return words(text, language=self.lang, **values)

    def col(self, key: str, heading: str, kind: ColumnKind) -> StatColumn:
        """A column headed ``heading`` (English, the catalog's key) in the table's language."""
        return StatColumn(key=key, label=self.words(heading), kind=kind)

    def chart(self, kind: ChartKind, category: str, values: tuple[str, ...],
              title: str) -> ChartSpec:
        return ChartSpec(kind, category, values, self.words(title))

    def total(self) -> str:
        """What a total row is called."""
        return self.words("Total")

    def table(self, name: str, title: str, columns: tuple[StatColumn, ...],
              rows: Sequence[StatRow], chart: ChartSpec | None,
              sections: tuple[StatTable, ...] = (), *,
              values: Mapping[str, object] | None = None) -> StatTable:
        """A table titled ``title`` (English, the catalog's key, filled in with ``values``)
        in the table's language."""
        return StatTable(name=name, title=self.words(title, **(values or {})),
                         columns=columns, rows=tuple(rows), chart=chart,
                         filters=self.filters, sections=sections, language=self.lang)

    # time boundaries: calendar days in the station's local time
    @property
    def start_ts(self) -> dt.datetime:
        return local_midnight(self.filters.date_from)

    @property
    def end_ts(self) -> dt.datetime:
        return local_midnight(self.filters.date_to + dt.timedelta(days=1))

    def months(self) -> tuple[Period, ...]:
        """The months touching the date range, clipped to it, numbered from 1."""
        f = self.filters
        result = []
        first = month_start(f.date_from)
        n = 0
        while first <= f.date_to:
            nxt = add_months(first, 1)
            result.append(Period(number=n + 1, starts_on=max(first, f.date_from),
                                 ends_before=min(nxt, f.date_to + dt.timedelta(days=1))))
            first, n = nxt, n + 1
        return tuple(result)

    # statements built once per shape of the filters
    def given(self, key: str, value: Any, type_: Any) -> Any:
        """``value`` for a condition; unvalued, the parameter ``key`` (:meth:`values`)."""
        return bindparam(key, type_=type_) if self.unvalued else value

    def shape(self, *modules: Module) -> tuple[Any, ...]:
        """What a statement built from an unvalued context depends on, besides the
        statistic's own choices: which filters are set, and the actor's data scope of
        each of ``modules`` (those the statement's scope conditions read)."""
        f = self.filters
        return (f.department_id is not None, f.user_id is not None,
                f.customer_class is not None, f.customer_source is not None,
                *(scope_params(self.uow, self.actor, m)[0] for m in modules))

    def values(self, periods: Sequence[Period] = ()) -> dict[str, Any]:
        """The parameters of a statement built from an unvalued context, ``periods`` those
        of its :func:`period_case` (a parameter the statement lacks is left unused)."""
        f = self.filters
        _scope, actor = scope_params(self.uow, self.actor, Module.ORDERS)  # any module's
        return {**actor, "stat_date_from": f.date_from, "stat_date_to": f.date_to,
                "stat_month_from": f.date_from.year * 100 + f.date_from.month,
                "stat_month_to": f.date_to.year * 100 + f.date_to.month,
                "stat_department_id": f.department_id, "stat_user_id": f.user_id,
                "stat_class": f.customer_class, "stat_source": f.customer_source,
                **{_period_end(p): p.ends_before for p in periods}}

    # data scope and the person/department filters, per kind of record
    def scope_filter(self, module: Module, column: Any) -> ColumnElement[bool]:
        """The actor's data scope of ``module`` on the owner ``column``."""
        scope, actor = scope_params(self.uow, self.actor, module)
        return scope_clause(scope, column, None if self.unvalued else actor)

    def in_department(self, column: Any) -> ColumnElement[bool]:
        department = self.given("stat_department_id", self.filters.department_id, Integer)
        members = select(User.id).where(User.department_id == department)
        condition: ColumnElement[bool] = column.in_(members.scalar_subquery())
        return condition

    def person_filters(self, column: Any) -> list[Any]:
        f = self.filters
        conditions: list[Any] = []
        if f.department_id is not None:
            conditions.append(self.in_department(column))
        if f.user_id is not None:
            conditions.append(column == self.given("stat_user_id", f.user_id, Integer))
        return conditions

    def customer_filters(self, *, customer_id: Any = None,
                         source_column: Any = None) -> list[Any]:
        """Class and source filters.

        With ``customer_id`` (the record's customer column) the class is matched through
        a subquery, so the statement needs no join to ``customers``; without it, on the
        joined ``Customer``. ``source_column`` is the record's own copy of the source
        (an order's snapshot), used instead of the customer's current source.
        """
        f = self.filters
        conditions: list[Any] = []

        def of_customers(condition: Any) -> Any:
            if customer_id is None:
                return condition
            return customer_id.in_(select(Customer.id).where(condition).scalar_subquery())

        def source_of(column: Any) -> Any:
            return column == self.given("stat_source", f.customer_source, column.type)

        if f.customer_class is not None:
            customer_class = Customer.customer_class
            conditions.append(of_customers(customer_class == self.given(
                "stat_class", f.customer_class, customer_class.type)))
        if f.customer_source is not None:
            if source_column is not None:
                conditions.append(source_of(source_column))
            else:
                conditions.append(of_customers(source_of(Customer.source)))
        return conditions

    def order_conditions(self, *, dated: bool = True, sold: bool = True) -> list[Any]:
        """Orders that count as sold (not cancelled, not an opening balance from before the
        program), in scope, matching the filters; with ``sold=False`` any order in scope
        (money collected on it counts whatever became of it)."""
        conditions: list[Any] = [
            Order.status != OrderStatus.CANCELLED,
            Order.opening == false(),
        ] if sold else []
        conditions += [
            self.scope_filter(Module.ORDERS, Order.owner_id),
            *self.person_filters(Order.owner_id),
            *self.customer_filters(customer_id=Order.customer_id,
                                   source_column=Order.customer_source),
        ]
        if dated:
            conditions += self.within_dates(Order.ordered_on)
        return conditions

    def within_dates(self, column: Any) -> list[Any]:
        """A date ``column`` within the filters' days."""
        f = self.filters
        return [column >= self.given("stat_date_from", f.date_from, Date),
                column <= self.given("stat_date_to", f.date_to, Date)]

    def ticket_scope(self) -> ColumnElement[bool]:
        return or_(self.scope_filter(Module.SERVICE_TICKETS, ServiceTicket.technician_id),
                   self.scope_filter(Module.SERVICE_TICKETS, ServiceTicket.intake_by_id))

    def user_names(self, ids: Iterable[int | None]) -> dict[int, str]:
        wanted = sorted({i for i in ids if i is not None})
        if not wanted:
            return {}
        return dict(self.session.execute(
            select(User.id, User.display_name).where(User.id.in_(wanted))).all())


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of a calendar day in the station's local time, as an aware timestamp."""
    return dt.datetime.combine(day, dt.time()).astimezone()


def month_label(period: Period) -> str:
    return period.starts_on.strftime("%Y-%m")


def month_range(ctx: Ctx, key: str) -> tuple[dt.date, dt.date]:
    """The clipped date range [first, last] of month ``YYYY-MM`` within the filters."""
    year, month = (int(p) for p in key.split("-"))
    first = dt.date(year, month, 1)
    start = max(first, ctx.filters.date_from)
    end = min(add_months(first, 1) - dt.timedelta(days=1), ctx.filters.date_to)
    return start, end


def period_case(column: Any, periods: Sequence[Period], *, unvalued: bool = False) -> Any:
    """The number of the period ``column`` falls in; group by it through a subquery.

    Only for rows the WHERE clause already keeps within the periods: then one comparison
    per period decides (the first period whose end lies after the value), half the work of
    testing both bounds, which counts on 100 000 rows. ``unvalued``: the ends are
    parameters (:meth:`Ctx.values` of the periods).
    """
    return case(*((column < (bindparam(_period_end(p), type_=column.type) if unvalued
                             else p.ends_before), p.number) for p in periods))


def _period_end(period: Period) -> str:
    return f"stat_period_end_{period.number}"


# Statements built from an unvalued context, by statistic and shape (:func:`built_once`).
_BUILT: dict[tuple[Any, ...], Any] = {}
_BUILT_MAX = 256


def built_once(key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    """The statement ``build`` makes for ``key``, made on the first call only: building a
    statement of a few dozen conditions costs more than a small statistic's SQL takes
    (the forecast's four months: 4 of its 7 ms). ``key`` names the statistic, its own
    choices and :meth:`Ctx.shape`; ``build`` builds from an unvalued context."""
    stmt = _BUILT.get(key)
    if stmt is None:
        if len(_BUILT) >= _BUILT_MAX:
            _BUILT.clear()
        stmt = _BUILT[key] = build()
    return stmt


def refers_to(conditions: Iterable[Any], table: Any) -> bool:
    """Whether any of ``conditions`` reads a column of ``table`` (else a join to it that
    cannot drop a row, such as to a record's required parent, can go)."""
    return any(getattr(element, "table", None) is table
               for condition in conditions for element in visitors.iterate(condition))


# --- numbers ---------------------------------------------------------------------------------


def money(value: Any) -> Decimal:
    return Decimal(value if value is not None else 0).quantize(CENT, ROUND_HALF_UP)


def dec(value: Any, places: str = "0.01") -> Decimal:
    if value is None:
        return Decimal(0).quantize(Decimal(places))
    if isinstance(value, float):
        value = repr(value)
    return Decimal(value).quantize(Decimal(places), ROUND_HALF_UP)


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


# --- drill keys ------------------------------------------------------------------------------


def key(statistic: str, **selector: str | None) -> DrillKey:
    return DrillKey(statistic=statistic, selector=tuple(
        (k, v if v is not None else NONE_KEY) for k, v in selector.items()))


def row(cells: Sequence[Any], drill: Sequence[DrillKey | None], *, total: bool = False,
        category: str = "") -> StatRow:
    return StatRow(cells=tuple(cells), drill=tuple(drill), is_total=total, key=category)


@dataclass(frozen=True)
class DrillSpec:
    """What a drill key selects: a statement of the record columns, and how to read it.

    ``stmt`` selects, labelled: ``id``, ``number``, ``day``, ``customer``, ``person``,
    ``amount`` (may be NULL for counted records) and ``detail``. ``divisor`` scales the
    amounts (e.g. 100 for probability-weighted amounts kept exact as integers × percent).
    """

    entity: str
    title: str                  # English, one of the statistics' words
    stmt: Select[Any]
    counted: bool = False       # the cell is a count of records, not a sum of amounts
    divisor: int = 1


def selector_dict(pairs: Sequence[tuple[str, str]]) -> Mapping[str, str]:
    return dict(pairs)


__all__ = [
    "CENT", "NONE_KEY", "TOTAL_KEY", "ZERO", "Ctx", "DrillSpec", "dec", "enum_members", "key",
    "label", "local_midnight", "money", "month_label", "month_range", "percent",
    "built_once", "period_case", "refers_to", "row", "selector_dict",
]

"""Running, drilling into and exporting the statistics (see :mod:`app.services.statistics`).

Checks permission and input, counts the statements each statistic issues, dispatches to
:mod:`app.services.stats_sales` and :mod:`app.services.stats_service`, and writes the
audited export.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, event, func, select

from app import labels
from app.i18n import tr, translate
from app.models import Department, User
from app.models.enums import (
    AuditAction,
    CustomerClass,
    CustomerSource,
    Module,
    Operation,
    ProductCategory,
)
from app.services import audit, stats_sales, stats_service
from app.services.errors import PermissionDenied, ValidationError
from app.services.permissions import Actor, can, require, sees_margin
from app.services.statistics import (
    MAX_DAYS,
    RECORD_WORDS,
    STATISTICS,
    VIEWS,
    DrillKey,
    DrillRecord,
    DrillResult,
    ExportResult,
    StatFilters,
    StatTable,
    view_label,
    words,
)
from app.services.stats_common import Ctx, DrillSpec, label
from app.services.uow import UnitOfWork

Compute = Callable[[Ctx], StatTable]
Drill = Callable[[Ctx, Mapping[str, str]], DrillSpec]

_REGISTRY: dict[str, tuple[Compute, Drill]] = {
    "customer-classes": (stats_sales.customer_classes, stats_sales.drill_customer_classes),
    "product-sales": (stats_sales.product_sales, stats_sales.drill_product_sales),
    "sales-collections": (stats_sales.sales_collections, stats_sales.drill_sales_collections),
    "service": (stats_service.service, stats_service.drill_service),
    "forecast": (stats_sales.forecast, stats_sales.drill_forecast),
    "assessment": (stats_sales.assessment, stats_sales.drill_assessment),
}
assert set(_REGISTRY) == set(STATISTICS)


def _check(name: str, filters: StatFilters) -> StatFilters:
    """Refuse unknown names, reversed or huge ranges and unknown codes; default the view."""
    errors: dict[str, str] = {}
    if name not in _REGISTRY:
        errors["name"] = tr("unknown statistic {name}", name=name)
    if not isinstance(filters.date_from, dt.date) or not isinstance(filters.date_to, dt.date):
        errors["date_from"] = tr("is required")
    elif filters.date_to < filters.date_from:
        errors["date_to"] = tr("must not be before the start date")
    elif (filters.date_to - filters.date_from).days > MAX_DAYS:
        errors["date_to"] = tr("the period may be at most ten years")
    for field, enum in (("customer_class", CustomerClass), ("customer_source", CustomerSource),
                        ("product_category", ProductCategory)):
        value = getattr(filters, field)
        if value is not None and value not in {m.value for m in enum}:
            errors[field] = tr("is not a valid choice")
    if name in VIEWS and filters.group_by is not None and filters.group_by not in VIEWS[name]:
        errors["group_by"] = tr("is not a valid choice")
    if errors:
        raise ValidationError(errors)
    if filters.group_by is None:
        filters = replace(filters, group_by=VIEWS[name][0])
    return filters


@contextmanager
def _counting(conn: Connection) -> Iterator[list[int]]:
    seen = [0]

    def listener(*_args: Any) -> None:
        seen[0] += 1

    event.listen(conn, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(conn, "before_cursor_execute", listener)


def run(name: str, filters: StatFilters, *, uow: UnitOfWork, actor: Actor,
        lang: str) -> StatTable:
    filters = _check(name, filters)
    # Only reads: on SQLite it never holds the write lock a station's save waits for.
    with uow.reading():
        with _counting(uow.session.connection()) as seen:
            require(uow, actor, Module.STATISTICS, Operation.VIEW)
            table = _REGISTRY[name][0](Ctx(uow, actor, filters, lang))
            lines = _filter_lines(uow, filters, lang)
        if not sees_margin(uow, actor):
            # A role that may not see costs sees the sales figures without them.
            table = _without_costs(table)
        hidden = _hidden_figures(uow, actor, name, filters.group_by)
        if hidden:
            # A repair lead may count the customers but not see the sales: "no permission"
            # in those cells and above the table, never a ¥0.00 from an empty scope.
            table = _without_figures(table, hidden, words("No permission to view",
                                                          language=lang))
            lines = (*lines, *_hidden_lines(table, hidden, lang))
        return replace(table, queries=seen[0], filter_lines=lines)


# The modules whose records make each figure of a statistic (column key → modules), for
# every table of it (sections too). A role that may not view one of them gets "no
# permission" for the figure: its data scope of that module would count nothing.
_O, _P, _OP = (Module.ORDERS,), (Module.PAYMENTS,), (Module.ORDERS, Module.PAYMENTS)
_C, _T = (Module.CUSTOMERS,), (Module.SERVICE_TICKETS,)
FIGURE_MODULES: Mapping[str, Mapping[str, tuple[Module, ...]]] = {
    "customer-classes": {"customers": _C, "new": _C, "lost": _C, "buyers": _O,
                         "orders": _O, "revenue": _O, "share": _O},
    "product-sales": {k: _O for k in ("orders", "quantity", "revenue", "cost", "margin",
                                      "margin_pct")},
    "sales-collections": {"orders": _O, "ordered": _O, "payments": _P, "collected": _P,
                          "rate": _OP, "open": _O},
    "service": {k: _T for k in ("received", "completed", "sla", "on_time", "sla_rate",
                                "turnaround", "repeats")},
    "forecast": {"opportunities": (Module.OPPORTUNITIES,),
                 "expected": (Module.OPPORTUNITIES,), "weighted": (Module.OPPORTUNITIES,),
                 "actual": _O, "plan": (Module.SALES_PLANS,),
                 "coverage": (Module.ORDERS, Module.OPPORTUNITIES, Module.SALES_PLANS)},
    "assessment": {**{k: _O for k in ("count", "revenue", "cost", "margin", "margin_pct",
                                      "points")},
                   **{k: _T for k in ("jobs", "score", "average")}},
}
# Assessed by payments collected, the sales figures come from the payments.
_BY_PAYMENTS: Mapping[str, tuple[Module, ...]] = {
    k: _OP for k in ("count", "revenue", "cost", "margin", "margin_pct", "points")}


def _figure_modules(name: str, group_by: str | None) -> Mapping[str, tuple[Module, ...]]:
    figures = dict(FIGURE_MODULES.get(name, {}))
    if name == "assessment" and group_by == "payments":
        figures.update(_BY_PAYMENTS)
    return figures


def _hidden_figures(uow: UnitOfWork, actor: Actor, name: str,
                    group_by: str | None) -> frozenset[str]:
    """The column keys of figures the actor may not see (a module they may not view)."""
    figures = _figure_modules(name, group_by)
    refused = {m for modules in figures.values() for m in modules
               if not can(uow, actor, m, Operation.VIEW)}
    return frozenset(k for k, modules in figures.items() if refused.intersection(modules))


def _without_figures(table: StatTable, hidden: frozenset[str], note: str) -> StatTable:
    """``note`` in every cell of the ``hidden`` columns, nothing to drill or chart there."""
    blank = [c.key in hidden for c in table.columns]
    sections = tuple(_without_figures(s, hidden, note) for s in table.sections)
    if not any(blank):
        return replace(table, sections=sections)
    rows = tuple(replace(r, cells=tuple(note if b else v for v, b in zip(r.cells, blank,
                                                                         strict=True)),
                         drill=tuple(None if b else k for k, b in zip(r.drill, blank,
                                                                      strict=True)))
                 for r in table.rows)
    chart = table.chart
    if chart is not None:
        kept = tuple(k for k in chart.value_columns if k not in hidden)
        chart = replace(chart, value_columns=kept) if kept else None
    return replace(table, rows=rows, chart=chart, sections=sections)


def _without_notes(table: StatTable, note: str) -> StatTable:
    """The table with ``note`` cells (see :func:`_without_figures`) left empty."""
    return replace(table, rows=tuple(
        replace(r, cells=tuple(None if v == note else v for v in r.cells))
        for r in table.rows), sections=tuple(_without_notes(s, note) for s in table.sections))


def _hidden_lines(table: StatTable, hidden: frozenset[str], lang: str) -> tuple[str, ...]:
    """"Revenue: no permission to view", once per hidden heading (sections too)."""
    seen: list[str] = []
    for part in (table, *table.sections):
        for column in part.columns:
            if column.key in hidden and column.label not in seen:
                seen.append(column.label)
    return tuple(words("{figure}: no permission to view", language=lang, figure=heading)
                 for heading in seen)


COST_COLUMNS = frozenset({"cost", "margin", "margin_pct"})


def _without_costs(table: StatTable) -> StatTable:
    blank = [c.key in COST_COLUMNS for c in table.columns]
    if not any(blank):
        return replace(table, sections=tuple(_without_costs(s) for s in table.sections))
    rows = tuple(replace(r, cells=tuple(None if b else v for v, b in zip(r.cells, blank,
                                                                         strict=True)),
                         drill=tuple(None if b else k for k, b in zip(r.drill, blank,
                                                                      strict=True)))
                 for r in table.rows)
    chart = table.chart
    if chart is not None and any(k in COST_COLUMNS for k in chart.value_columns):
        kept = tuple(k for k in chart.value_columns if k not in COST_COLUMNS)
        chart = replace(chart, value_columns=kept) if kept else None
    return replace(table, rows=rows, chart=chart,
                   sections=tuple(_without_costs(s) for s in table.sections))


def _filter_lines(uow: UnitOfWork, f: StatFilters, lang: str) -> tuple[str, ...]:
    """The filters in words, in ``lang``; names looked up only when filtered."""
    lines = [words("Period: {start} – {end}", language=lang, start=f.date_from.isoformat(),
                   end=f.date_to.isoformat())]
    if f.department_id is not None:
        dep = uow.session.get(Department, f.department_id)
        shown = (dep.name_zh if lang == "zh" else dep.name_en) if dep else f.department_id
        lines.append(words("Department: {name}", language=lang, name=shown))
    if f.user_id is not None:
        person = uow.session.get(User, f.user_id)
        lines.append(words("Person: {name}", language=lang,
                           name=person.display_name if person else f.user_id))
    for field, family, line in (("customer_class", "class", "Customer class: {name}"),
                                ("customer_source", "source", "Customer source: {name}"),
                                ("product_category", "category", "Product category: {name}")):
        value = getattr(f, field)
        if value is not None:
            lines.append(words(line, language=lang, name=label(family, value, lang)))
    if f.group_by is not None:
        lines.append(words("View: {name}", language=lang,
                           name=view_label(f.group_by, language=lang)))
    return tuple(lines)


def drill(key: DrillKey, filters: StatFilters, *, uow: UnitOfWork, actor: Actor,
          limit: int = 1000, lang: str) -> DrillResult:
    filters = _check(key.statistic, filters)
    selector = dict(key.selector)
    with uow.reading():
        require(uow, actor, Module.STATISTICS, Operation.VIEW)
        ctx = Ctx(uow, actor, filters, lang)
        if selector.get("measure") in COST_COLUMNS and not sees_margin(uow, actor):
            raise PermissionDenied(tr("You may not see costs and margins."),
                                   module=Module.ORDERS, operation=Operation.VIEW)
        measure = selector.get("measure", "")
        if measure in _hidden_figures(uow, actor, key.statistic, filters.group_by):
            module = _figure_modules(key.statistic, filters.group_by)[measure][0]
            raise PermissionDenied(tr("You may not see these figures."),
                                   module=module, operation=Operation.VIEW)
        try:
            spec = _REGISTRY[key.statistic][1](ctx, selector)
        except (KeyError, ValueError) as exc:
            raise ValidationError({"key": tr("does not name a figure of this statistic")}
                                  ) from exc
        sub = spec.stmt.subquery("records")
        if spec.counted:  # the records' amounts are NULL: count them only
            count = uow.session.execute(select(func.count()).select_from(sub)).scalar_one()
            total = None
        else:
            count, total = uow.session.execute(
                select(func.count(), func.sum(sub.c.amount))).one()
        rows = uow.session.execute(
            select(sub).order_by(sub.c.day, sub.c.id).limit(limit + 1)).all()
        records = tuple(_record(spec, r) for r in rows[:limit])
        amount_total = None
        if not spec.counted:
            amount_total = _scaled(total if total is not None else Decimal("0.00"), spec)
        return DrillResult(title=translate(spec.title, context=RECORD_WORDS, language=lang),
                           records=records, total=amount_total, truncated=len(rows) > limit,
                           count=int(count))


def _scaled(value: Any, spec: DrillSpec) -> Decimal:
    amount = Decimal(value)
    return amount / spec.divisor if spec.divisor != 1 else amount


def _record(spec: DrillSpec, r: Any) -> DrillRecord:
    day = r.day
    if isinstance(day, dt.datetime):
        day = day.astimezone().date()
    return DrillRecord(entity=spec.entity, record_id=int(r.id), number=str(r.number or ""),
                       day=day, customer_name=r.customer or "", person=r.person or "",
                       amount=None if r.amount is None else _scaled(r.amount, spec),
                       detail=str(r.detail or ""))


def export(name: str, filters: StatFilters, path: Path, *, uow: UnitOfWork, actor: Actor,
           lang: str) -> ExportResult:
    # Here, not at the top: showing a statistic on screen need not load reportlab.
    from app.reports.statistics_export import export_statistic_pdf, export_statistic_xlsx

    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".pdf"):
        raise ValidationError({"path": tr("must end in .xlsx or .pdf")})
    with uow.reading():
        require(uow, actor, Module.STATISTICS, Operation.EXPORT)
        # Computed in the file's language: the renderers print the words they are handed.
        table = run(name, filters, uow=uow, actor=actor, lang=lang)
    # The file is written outside any transaction (a PDF takes seconds; on SQLite a
    # transaction that writes would hold every other station's save meanwhile).
    # A figure the reader may not see is an empty cell in a file (its column stays
    # numeric); the lines above the table say "<figure>: no permission to view".
    rendered = _without_notes(table, words("No permission to view", language=lang))
    if suffix == ".xlsx":
        rows = export_statistic_xlsx(rendered, path)
    else:
        rows = export_statistic_pdf(rendered, path)
    with uow:
        require(uow, actor, Module.STATISTICS, Operation.EXPORT)
        f = table.filters
        audit.record(uow, actor, AuditAction.EXPORT, "statistic", None,
                     audit.say("export {statistic} {start}–{end}: {rows} rows to {file}",
                               statistic=audit.Code(labels.STATISTIC, name),
                               start=f.date_from.isoformat(), end=f.date_to.isoformat(),
                               rows=rows, file=path.name),
                     {"statistic": name, "rows": rows, "format": suffix[1:],
                      "filters": {k: v for k, v in vars(f).items() if v is not None}})
        uow.commit()
    return ExportResult(path=path, rows=rows, table=table)

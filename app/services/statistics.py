"""The manager's statistics (经理办统计) and the staff assessment board, as one shape.

Every statistic answers with a :class:`StatTable`: typed columns, rows computed by SQL
aggregation in the database (GROUP BY, never rows loaded into Python to be summed), a chart
description, and per cell an optional :class:`DrillKey` that :func:`drill_down` turns into
the records behind that number. The statistics window, the Excel/PDF export and the
``stationcrm report`` command all read this one shape, so a figure is the same everywhere.

Names (``STATISTICS``): ``customer-classes``, ``product-sales``, ``sales-collections``,
``service``, ``forecast`` and ``assessment``.

Data scope: each statistic applies the actor's data scope of the module it reads (orders
for sales figures, service tickets for service, opportunities for the forecast); a
department head sees their department, the general manager everything. Running any
statistic needs ``statistics/view``; exporting needs ``statistics/export``. A role that may
not see order costs (``orders.margin`` or ``orders.unit_cost`` hidden) gets the cost, margin
and margin % cells empty, and may not drill into them.

Text cells (category names, months, people) are in the current language of
:mod:`app.i18n`; column and table titles come in both. ``StatRow.key`` carries the row's
category code. The work is done in :mod:`app.services.stats_impl` (checks, counting,
export), :mod:`app.services.stats_sales` and :mod:`app.services.stats_service`.

The table shape (:class:`StatTable` and its parts) is defined in :mod:`app.reports.data`,
which the export renders without importing this module, and re-exported here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from app.i18n import current_language
from app.reports.data import (
    ChartKind,
    ChartSpec,
    ColumnKind,
    DrillKey,
    StatColumn,
    StatFilters,
    StatRow,
    StatTable,
)
from app.services.permissions import Actor
from app.services.uow import UnitOfWork


@dataclass(frozen=True)
class DrillRecord:
    """One record behind a number; ``entity`` + ``record_id`` open it in the UI."""

    entity: str               # "order", "payment", "customer", "ticket", "opportunity", ...
    record_id: int
    number: str               # document number, or the customer's name for customers
    day: dt.date | None
    customer_name: str
    person: str               # salesperson / technician / owner display name
    amount: Decimal | None
    detail: str = ""


@dataclass(frozen=True)
class DrillResult:
    title_en: str
    title_zh: str
    records: tuple[DrillRecord, ...]
    total: Decimal | None
    truncated: bool           # more than the limit matched
    count: int = 0            # how many records matched (also beyond the limit)


STATISTICS: tuple[str, ...] = (
    "customer-classes",
    "product-sales",
    "sales-collections",
    "service",
    "forecast",
    "assessment",
)

# Breakdown choices per statistic (StatFilters.group_by); the first is the default.
VIEWS: dict[str, tuple[str, ...]] = {
    "customer-classes": ("class", "source", "status"),
    "product-sales": ("category", "source"),
    "sales-collections": ("month", "salesperson"),
    "service": ("technician", "device_model"),
    "forecast": ("month", "salesperson"),
    "assessment": ("orders", "payments"),
}

# Names of the breakdown choices, (English, Chinese), for the window and the exports.
VIEW_LABELS: dict[str, tuple[str, str]] = {
    "class": ("By customer class", "按客户分类"),
    "source": ("By customer source", "按客户来源"),
    "status": ("By customer status", "按客户状态"),
    "category": ("By product category", "按产品类别"),
    "month": ("By month", "按月"),
    "salesperson": ("By salesperson", "按业务员"),
    "technician": ("By technician", "按维修工程师"),
    "device_model": ("By device model", "按设备型号"),
    "orders": ("Margin by order date", "按订单日期计毛利"),
    "payments": ("Margin by payments collected", "按回款计毛利"),
}

# The StatFilters fields each statistic honours (the window may grey out the others).
APPLIES: dict[str, tuple[str, ...]] = {
    "customer-classes": ("department_id", "user_id", "customer_class", "customer_source"),
    "product-sales": ("department_id", "user_id", "customer_class", "customer_source",
                      "product_category"),
    "sales-collections": ("department_id", "user_id", "customer_class", "customer_source"),
    "service": ("department_id", "user_id", "customer_class", "customer_source"),
    "forecast": ("department_id", "user_id", "customer_class", "customer_source"),
    "assessment": ("department_id", "user_id", "customer_class", "customer_source"),
}

MAX_DAYS = 3700  # about ten years: a longer range is a typing mistake


def run_statistic(name: str, filters: StatFilters, *, uow: UnitOfWork,
                  actor: Actor) -> StatTable:
    """Compute one statistic for ``filters`` within the actor's data scope."""
    from app.services import stats_impl

    return stats_impl.run(name, filters, uow=uow, actor=actor, lang=current_language())


def drill_down(key: DrillKey, filters: StatFilters, *, uow: UnitOfWork, actor: Actor,
               limit: int = 1000) -> DrillResult:
    """The records behind one number; their amounts add up to that number exactly."""
    from app.services import stats_impl

    return stats_impl.drill(key, filters, uow=uow, actor=actor, limit=limit)


def export_statistic(name: str, filters: StatFilters, path: str | Path, *, uow: UnitOfWork,
                     actor: Actor, language: str = "zh") -> ExportResult:
    """Compute a statistic and write it to ``path`` (.xlsx or .pdf); audited.

    Needs ``statistics/export`` besides ``statistics/view``. The file is written only
    after the statistic was computed, and the audit entry records the row count.
    """
    from app.services import stats_impl

    return stats_impl.export(name, filters, Path(path), uow=uow, actor=actor,
                             language=language)


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int
    table: StatTable


__all__ = [
    "APPLIES",
    "MAX_DAYS",
    "STATISTICS",
    "VIEWS",
    "VIEW_LABELS",
    "ChartKind",
    "ChartSpec",
    "ColumnKind",
    "DrillKey",
    "DrillRecord",
    "DrillResult",
    "ExportResult",
    "StatColumn",
    "StatFilters",
    "StatRow",
    "StatTable",
    "drill_down",
    "export_statistic",
    "run_statistic",
]

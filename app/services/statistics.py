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

Every word of a table (title, column headings, chart title, filter lines, category names)
is in one language: the one asked for, else the current one of :mod:`app.i18n`. The
statistics' words are English keys translated in their own context (:data:`WORDS`, Chinese
in ``app.i18n_zh``), because a heading can read differently from the same word elsewhere
("Orders": 订单数, not 订单). ``StatRow.key`` carries the row's category code. The work is
done in :mod:`app.services.stats_impl` (checks, counting, export),
:mod:`app.services.stats_sales` and :mod:`app.services.stats_service`.

The table shape (:class:`StatTable` and its parts) is defined in :mod:`app.reports.data`,
which the export renders without importing this module, and re-exported here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from app.i18n import current_language, normalise, translate
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
    title: str                # in the language asked for
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

# The translation contexts of the statistics' words (app.i18n_zh.LABELS_ZH): the tables'
# (titles, headings, filters) and the names of the records behind a number, apart because
# a heading counts what a drill-down lists ("Orders": 订单数 over a column, 订单 above a list).
WORDS = "StatisticWords"
RECORD_WORDS = "StatisticRecords"

# Names of the breakdown choices (words of WORDS), for the window and the exports.
VIEW_LABELS: dict[str, str] = {
    "class": "By customer class",
    "source": "By customer source",
    "status": "By customer status",
    "category": "By product category",
    "month": "By month",
    "salesperson": "By salesperson",
    "technician": "By technician",
    "device_model": "By device model",
    "orders": "Margin by order date",
    "payments": "Margin by payments collected",
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


def words(text: str, *, language: str | None = None, **values: object) -> str:
    """One of the statistics' words in ``language`` (default: the current one), filled in."""
    said = translate(text, context=WORDS, language=_language(language))
    return said.format(**values) if values else said


def view_label(view: str, *, language: str | None = None) -> str:
    """The name of a breakdown choice; an unknown one reads as its key."""
    text = VIEW_LABELS.get(view)
    return words(text, language=language) if text else view


def _language(language: str | None) -> str:
    return normalise(language) if language else current_language()


def run_statistic(name: str, filters: StatFilters, *, uow: UnitOfWork, actor: Actor,
                  language: str | None = None) -> StatTable:
    """Compute one statistic for ``filters`` within the actor's data scope, its words in
    ``language`` (default: the current one)."""
    from app.services import stats_impl

    return stats_impl.run(name, filters, uow=uow, actor=actor, lang=_language(language))


def drill_down(key: DrillKey, filters: StatFilters, *, uow: UnitOfWork, actor: Actor,
               limit: int = 1000, language: str | None = None) -> DrillResult:
    """The records behind one number; their amounts add up to that number exactly."""
    from app.services import stats_impl

    return stats_impl.drill(key, filters, uow=uow, actor=actor, limit=limit,
                            lang=_language(language))


def export_statistic(name: str, filters: StatFilters, path: str | Path, *, uow: UnitOfWork,
                     actor: Actor, language: str = "zh") -> ExportResult:
    """Compute a statistic and write it to ``path`` (.xlsx or .pdf); audited.

    Needs ``statistics/export`` besides ``statistics/view``. The file is written only
    after the statistic was computed, and the audit entry records the row count.
    """
    from app.services import stats_impl

    return stats_impl.export(name, filters, Path(path), uow=uow, actor=actor,
                             lang=normalise(language))


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
    "RECORD_WORDS",
    "VIEW_LABELS",
    "WORDS",
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
    "view_label",
    "words",
]

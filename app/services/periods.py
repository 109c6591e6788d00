"""Calendar periods (months, quarters) as date ranges, and SQL buckets over them.

Period boundaries are computed here in Python and handed to the database as plain date
ranges, so the same statement groups by month on SQLite, PostgreSQL and SQL Server
without any dialect's date functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case

from app.models.enums import PlanPeriod


@dataclass(frozen=True)
class Period:
    """One calendar period: ``starts_on`` inclusive, ``ends_before`` exclusive."""

    number: int
    starts_on: dt.date
    ends_before: dt.date

    @property
    def ends_on(self) -> dt.date:
        """The last day of the period (inclusive), as printed on reports."""
        return self.ends_before - dt.timedelta(days=1)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after the month of ``day``."""
    index = day.year * 12 + (day.month - 1) + months
    return dt.date(index // 12, index % 12 + 1, 1)


def periods_per_year(kind: PlanPeriod) -> int:
    return 12 if kind is PlanPeriod.MONTH else 4


def year_periods(year: int, kind: PlanPeriod) -> tuple[Period, ...]:
    """The months (1–12) or quarters (1–4) of ``year``."""
    step = 1 if kind is PlanPeriod.MONTH else 3
    first = dt.date(year, 1, 1)
    return tuple(
        Period(number=n + 1, starts_on=add_months(first, n * step),
               ends_before=add_months(first, (n + 1) * step))
        for n in range(periods_per_year(kind))
    )


def month_periods(first_month: dt.date, months: int) -> tuple[Period, ...]:
    """``months`` consecutive months from the month of ``first_month``, numbered from 1."""
    start = month_start(first_month)
    return tuple(
        Period(number=n + 1, starts_on=add_months(start, n), ends_before=add_months(start, n + 1))
        for n in range(months)
    )


def bucket(column: Any, periods: Sequence[Period]) -> Any:
    """A CASE expression giving the number of the period ``column`` falls in (else NULL).

    Group by it through a subquery, never directly: SQL Server cannot match a GROUP BY
    expression holding bound parameters to the same expression in the select list.
    """
    return case(
        *((and_(column >= p.starts_on, column < p.ends_before), p.number) for p in periods)
    )


__all__ = ["Period", "add_months", "bucket", "month_periods", "month_start",
           "periods_per_year", "year_periods"]

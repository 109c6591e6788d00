"""One business day for a whole test run.

Tests and services both ask ``datetime.date.today()``: a test module that takes TODAY when
it is imported, and a service that takes it while the test runs, disagree once a run
crosses midnight (CI runs the suite three times; the last one often does). Here the day
the run began stays "today" for the whole run, in every module that reads the date
through ``datetime.date`` (``import datetime as dt`` … ``dt.date.today()``) — as freezegun
would, for the date only: clocks, timestamps and the database's time go on as they are.

Installed by tests/conftest.py before any test module is imported.
"""

from __future__ import annotations

import copyreg
import datetime
from typing import Any

_REAL_DATE = datetime.date


class _DateType(type):
    # A real date (from the database, from datetime.datetime) is still a date.
    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, _REAL_DATE)

    def __subclasscheck__(cls, subclass: type) -> bool:
        return issubclass(subclass, _REAL_DATE)


class RunDate(_REAL_DATE, metaclass=_DateType):
    """``datetime.date`` whose today() is the day the run began.

    Every date it makes is a real ``datetime.date`` (Qt's QDate and the database drivers
    take only those): it stands in for the class, never for a value."""

    run_day: _REAL_DATE = _REAL_DATE.today()

    def __new__(cls, *args: Any, **kwargs: Any) -> RunDate:
        return _REAL_DATE(*args, **kwargs)  # type: ignore[return-value]

    @classmethod
    def today(cls) -> RunDate:
        return cls.run_day  # type: ignore[return-value]


def install() -> None:
    """Make ``datetime.date`` the run's date (once; idempotent)."""
    if datetime.date is RunDate:
        return
    # Libraries that look the date class up once (PySide's converters, the compiled
    # PostgreSQL adapters, sqlite3's adapters, openpyxl's cell formats) find the real one.
    import importlib

    from PySide6.QtCore import QDate, QDateTime

    QDate(_REAL_DATE(2000, 1, 1))
    QDateTime(datetime.datetime(2000, 1, 1))
    for name in ("sqlite3", "psycopg", "psycopg.types.datetime", "openpyxl", "openpyxl.cell.cell",
                 "openpyxl.styles.numbers", "reportlab.lib.utils"):
        importlib.import_module(name)
    datetime.date = RunDate  # type: ignore[misc]
    # pickle finds a date's class by its name, datetime.date, which is now RunDate: a date
    # sent to another process (the demo generator's lanes) goes by its numbers instead.
    copyreg.pickle(_REAL_DATE, _reduce_date)


def real_date(year: int, month: int, day: int) -> _REAL_DATE:
    """A real ``datetime.date``, as a pickled date comes back (in a process that may not
    have installed RunDate)."""
    return _REAL_DATE(year, month, day)


def _reduce_date(day: _REAL_DATE) -> tuple[Any, tuple[int, int, int]]:
    return real_date, (day.year, day.month, day.day)

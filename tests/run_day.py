"""One business day for a whole test run.

Tests and services both ask ``datetime.date.today()``: a test module that takes TODAY when
it is imported, and a service that takes it while the test runs, disagree once a run
crosses midnight (CI runs the suite three times; the last one often does). Here the day
the run began stays "today" for the whole run, in every module that reads the date
through ``datetime.date`` (``import datetime as dt`` … ``dt.date.today()``) — as freezegun
would, for the date only: clocks, timestamps and the database's time go on as they are.

Installed by tests/conftest.py before any test module is imported.

``STATIONCRM_TEST_RUN_DAY=YYYY-MM-DD`` (or ``yesterday``) starts the run on that day, as
if it had begun before midnight: the clock has crossed into the next day from the first
test on, so whatever still mixes the clock's day with the run's day fails every time, not
only on the night CI happens to cross midnight.
"""

from __future__ import annotations

import copyreg
import datetime
import os
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

    run_day: _REAL_DATE = _REAL_DATE.today()  # set again by install()

    def __new__(cls, *args: Any, **kwargs: Any) -> RunDate:
        return _REAL_DATE(*args, **kwargs)  # type: ignore[return-value]

    @classmethod
    def today(cls) -> RunDate:
        return cls.run_day  # type: ignore[return-value]


def install() -> None:
    """Make ``datetime.date`` the run's date (once; idempotent)."""
    if datetime.date is RunDate:
        return
    RunDate.run_day = _first_day(os.environ.get("STATIONCRM_TEST_RUN_DAY", ""))
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


def _first_day(setting: str) -> _REAL_DATE:
    today = _REAL_DATE.today()
    if not setting.strip():
        return today
    if setting.strip() == "yesterday":
        return today - datetime.timedelta(days=1)
    return _REAL_DATE.fromisoformat(setting.strip())


def now() -> datetime.datetime:
    """The clock's time (aware, UTC) moved back by the whole days the run has crossed: a
    moment on the run's day, never in the future — for a test that makes a record which
    happened "now" and dates other things by the run's today."""
    crossed = _REAL_DATE.today() - RunDate.run_day
    return datetime.datetime.now(datetime.UTC) - crossed

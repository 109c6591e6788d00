"""The test run keeps one business day (tests/run_day.py), so a run crossing midnight
passes: what a test takes as today and what a service takes as today agree."""

from __future__ import annotations

import datetime as dt

import pytest

from app.services.errors import ValidationError
from app.services.tasks import TaskDraft, create_task
from tests.run_day import RunDate


def test_services_and_tests_share_the_runs_day(
        monkeypatch: pytest.MonkeyPatch, uow: object, make_user: object, clerk: object) -> None:
    office = make_user("office1", "management_clerk", "management")  # type: ignore[operator]
    # As if the run had begun on another day: a task due that day is not "in the past",
    # and one due the day before is — whatever the machine's clock says.
    day = dt.date(2031, 3, 14)
    monkeypatch.setattr(RunDate, "run_day", day)
    assert dt.date.today() == day
    made = create_task(uow=uow, actor=office, draft=TaskDraft(  # type: ignore[arg-type]
        title="检查复印机", assignee_id=clerk.user_id, due_on=day))  # type: ignore[attr-defined]
    assert made.due_on == day
    with pytest.raises(ValidationError) as refused:
        create_task(uow=uow, actor=office, draft=TaskDraft(  # type: ignore[arg-type]
            title="检查复印机", assignee_id=clerk.user_id,  # type: ignore[attr-defined]
            due_on=day - dt.timedelta(days=1)))
    assert "due_on" in refused.value.errors


def test_real_dates_are_still_dates() -> None:
    assert isinstance(dt.datetime.now().date(), dt.date)
    assert isinstance(dt.date(2026, 1, 1), dt.date)
    assert dt.date.fromisoformat("2026-12-05") == dt.date(2026, 12, 5)


def test_a_run_may_begin_on_another_day_as_if_midnight_had_passed() -> None:
    from tests import run_day

    real_today = dt.datetime.now().date()
    assert run_day._first_day("") == real_today
    assert run_day._first_day("yesterday") == real_today - dt.timedelta(days=1)
    assert run_day._first_day(" 2031-03-14 ") == dt.date(2031, 3, 14)
    with pytest.raises(ValueError):
        run_day._first_day("tomorrow-ish")


def test_now_is_a_moment_of_the_runs_day_never_later_than_the_clock(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from tests import run_day

    monkeypatch.setattr(RunDate, "run_day", dt.datetime.now().date() - dt.timedelta(days=1))
    moment = run_day.now()
    assert moment.astimezone().date() == dt.date.today()
    assert moment < dt.datetime.now(dt.UTC) - dt.timedelta(hours=23)

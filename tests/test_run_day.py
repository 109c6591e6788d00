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

"""Customer base protection alerts on the to-do list, through the change feed.

A guard's station checks the last week of the read trail (app.services.guard_watch.watch):
each flagged person-day is kept once, every person with the customer-guard module but the
one flagged is told on the change feed, and the day stays on their to-do lists until
someone marks it handled. A reason found later opens it again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from app.models import AuditEntry, FeedEntry, GuardAlertRecord, ReadEntry
from app.models.enums import AuditAction, ReadAction
from app.services import guard_watch
from app.services.errors import ConflictError, NotFound, PermissionDenied
from app.services.feed import read_feed
from app.services.permissions import Actor
from app.services.todo import TodoKind, todo_list
from app.services.uow import UnitOfWork

TODAY = dt.date(2026, 11, 27)  # a Friday


def _reads(user_id: int, day: dt.date, cards: int, *, first: int = 1,
           minute: int = 9 * 60, action: ReadAction = ReadAction.CARD,
           customers: int = 1) -> list[dict[str, Any]]:
    rows = []
    for n in range(cards):
        at = minute + n // 4
        rows.append({"at": dt.datetime.combine(day, dt.time(at // 60, at % 60),
                                               tzinfo=dt.UTC),
                     "day": day, "minute": at, "user_id": user_id, "action": action,
                     "customer_id": first + n if customers == 1 else None,
                     "customers": customers, "detail": None})
    return rows


def _write(uow: UnitOfWork, rows: list[dict[str, Any]]) -> None:
    with uow:
        uow.session.execute(insert(ReadEntry), rows)
        uow.commit()


def _history(user_id: int, weeks: int = 8, cards: int = 10) -> list[dict[str, Any]]:
    """``weeks`` weeks of ordinary working days before TODAY: ``cards`` cards a day."""
    rows: list[dict[str, Any]] = []
    for back in range(1, weeks * 7 + 1):
        day = TODAY - dt.timedelta(days=back)
        if day.weekday() < 5:
            rows += _reads(user_id, day, cards, first=back * 100)
    return rows


def _count(uow: UnitOfWork, model: Any, *where: Any) -> int:
    with uow:
        return int(uow.session.scalar(select(func.count()).select_from(model).where(*where))
                   or 0)


def _notices(uow: UnitOfWork, actor: Actor) -> list[str]:
    batch = read_feed(uow=uow, actor=actor, after_id=0, seen_id=0)
    return [item.text for item in batch.items if item.kind == guard_watch.KIND]


@pytest.fixture
def deputy(make_user: Callable[..., Actor]) -> Actor:
    """A second person with the general manager's role: told as well."""
    return make_user("gm2", "general_manager", "manager_office", display_name="副总经理")


@pytest.fixture
def busy_day(uow: UnitOfWork, sales_user: Actor) -> None:
    """Eight ordinary weeks of ten cards a day, then 200 cards today."""
    _write(uow, _history(sales_user.user_id) + _reads(sales_user.user_id, TODAY, 200))


def test_a_flagged_day_is_kept_once_told_to_every_guard_and_listed_to_do(
        uow: UnitOfWork, manager: Actor, deputy: Actor, sales_user: Actor,
        busy_day: None) -> None:
    result = guard_watch.watch(uow=uow, actor=manager, today=TODAY)
    assert [(a.user_id, a.day) for a in result.raised] == [(sales_user.user_id, TODAY)]
    assert result.flagged == 1
    assert _count(uow, GuardAlertRecord) == 1

    # Both guards hear of it on the change feed; the person flagged does not.
    for guard in (manager, deputy):
        assert _notices(uow, guard) == [
            f"Customer base protection alert: what 张伟 read on {TODAY.isoformat()} "
            "needs a look"]
    assert _notices(uow, sales_user) == []

    # It is on the guards' to-do lists, with why; not on the salesperson's.
    items = [i for i in todo_list(uow=uow, actor=deputy, today=TODAY)
             if i.kind is TodoKind.GUARD]
    assert [(i.title, i.due, i.related_id) for i in items] == [
        ("张伟", TODAY, sales_user.user_id)]
    assert items[0].detail == "Opened 200 customer cards; usually 10"
    assert not [i for i in todo_list(uow=uow, actor=sales_user, today=TODAY)
                if i.kind is TodoKind.GUARD]

    # The next check finds the same day: nothing new is kept or told.
    again = guard_watch.watch(uow=uow, actor=deputy, today=TODAY)
    assert again.raised == () and again.flagged == 1
    assert _count(uow, GuardAlertRecord) == 1
    assert _count(uow, FeedEntry, FeedEntry.kind == guard_watch.KIND) == 2

    # Kept and audited as such; a check is not a look at the trail.
    assert _count(uow, AuditEntry, AuditEntry.entity == guard_watch.KIND,
                  AuditEntry.action == AuditAction.CREATE) == 1
    assert _count(uow, AuditEntry, AuditEntry.action == AuditAction.READ_TRAIL) == 0


def test_an_ordinary_week_keeps_nothing_and_writes_nothing(
        uow: UnitOfWork, manager: Actor, sales_user: Actor) -> None:
    _write(uow, _history(sales_user.user_id) + _reads(sales_user.user_id, TODAY, 12))
    result = guard_watch.watch(uow=uow, actor=manager, today=TODAY)
    assert result.raised == () and result.flagged == 0
    assert _count(uow, GuardAlertRecord) == 0
    assert _count(uow, FeedEntry) == 0
    assert _count(uow, AuditEntry) == 0


def test_handled_leaves_the_list_and_a_new_reason_opens_it_again(
        uow: UnitOfWork, manager: Actor, deputy: Actor, sales_user: Actor,
        busy_day: None) -> None:
    guard_watch.watch(uow=uow, actor=manager, today=TODAY)
    item = next(i for i in todo_list(uow=uow, actor=manager, today=TODAY)
                if i.kind is TodoKind.GUARD)
    guard_watch.mark_handled(uow=uow, actor=manager, alert_id=item.id,
                             expected_version=item.version)
    assert not [i for i in todo_list(uow=uow, actor=deputy, today=TODAY)
                if i.kind is TodoKind.GUARD]
    with uow:
        row = uow.session.scalars(select(GuardAlertRecord)).one()
        assert row.handled_by_id == manager.user_id and row.handled_at is not None

    # The same checks again: handled stays handled.
    assert guard_watch.watch(uow=uow, actor=deputy, today=TODAY).raised == ()

    # That evening the salesperson exports the customer list at 21:15: a new reason.
    _write(uow, _reads(sales_user.user_id, TODAY, 1, minute=21 * 60 + 15,
                       action=ReadAction.EXPORT, customers=420))
    raised = guard_watch.watch(uow=uow, actor=deputy, today=TODAY).raised
    assert [sorted(r.code for r in a.reasons) for a in raised] == [
        ["above_usual", "after_hours"]]
    items = [i for i in todo_list(uow=uow, actor=manager, today=TODAY)
             if i.kind is TodoKind.GUARD]
    assert len(items) == 1 and "21:15" in (items[0].detail or "")
    with uow:
        row = uow.session.scalars(select(GuardAlertRecord)).one()
        assert row.handled_at is None and row.handled_by_id is None
    # Told again: the deputy's own check tells the manager (and not the deputy twice).
    assert len(_notices(uow, manager)) == 2
    assert len(_notices(uow, deputy)) == 2


def test_a_day_another_station_kept_first_is_not_kept_or_told_twice(
        uow: UnitOfWork, manager: Actor, deputy: Actor, sales_user: Actor,
        busy_day: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # Two stations checked at the same moment: both read "nothing kept yet".
    monkeypatch.setattr(guard_watch, "_kept_codes", lambda *_a: {})
    first = guard_watch.watch(uow=uow, actor=manager, today=TODAY)
    second = guard_watch.watch(uow=uow, actor=deputy, today=TODAY)
    assert len(first.raised) == 1 and second.raised == ()
    assert _count(uow, GuardAlertRecord) == 1
    assert _count(uow, FeedEntry, FeedEntry.kind == guard_watch.KIND) == 2

    # And when the second station's own re-read misses it too, the unique pair refuses
    # the second row: the savepoint drops it and the rest of the check goes on.
    with uow:
        alert = first.raised[0]
        assert guard_watch._store(uow, deputy, alert, None) is None
        uow.commit()
    assert _count(uow, GuardAlertRecord) == 1
    assert _count(uow, AuditEntry, AuditEntry.entity == guard_watch.KIND) == 1


def test_only_the_customer_guard_checks_and_only_edit_marks_handled(
        uow: UnitOfWork, manager: Actor, sales_user: Actor, clerk: Actor,
        busy_day: None) -> None:
    for someone in (sales_user, clerk):
        with pytest.raises(PermissionDenied):
            guard_watch.watch(uow=uow, actor=someone, today=TODAY)
    assert _count(uow, GuardAlertRecord) == 0
    guard_watch.watch(uow=uow, actor=manager, today=TODAY)
    with uow:
        row = uow.session.scalars(select(GuardAlertRecord)).one()
        alert_id, version = row.id, row.version
    with pytest.raises(PermissionDenied):
        guard_watch.mark_handled(uow=uow, actor=sales_user, alert_id=alert_id,
                                 expected_version=version)
    with pytest.raises(PermissionDenied):
        guard_watch.alert_of(uow=uow, actor=sales_user, alert_id=alert_id)
    found = guard_watch.alert_of(uow=uow, actor=manager, alert_id=alert_id)
    assert (found.user_id, found.user_name, found.day, found.handled) == (
        sales_user.user_id, "张伟", TODAY, False)
    assert found.text == "Opened 200 customer cards; usually 10"
    with uow:
        assert uow.session.get(GuardAlertRecord, alert_id).handled_at is None  # type: ignore[union-attr]


def test_marking_handled_a_changed_or_missing_alert_is_refused_and_changes_nothing(
        uow: UnitOfWork, manager: Actor, deputy: Actor, busy_day: None) -> None:
    guard_watch.watch(uow=uow, actor=manager, today=TODAY)
    with uow:
        row = uow.session.scalars(select(GuardAlertRecord)).one()
        alert_id, version = row.id, row.version
    guard_watch.mark_handled(uow=uow, actor=deputy, alert_id=alert_id,
                             expected_version=version)
    with pytest.raises(ConflictError):
        guard_watch.mark_handled(uow=uow, actor=manager, alert_id=alert_id,
                                 expected_version=version)
    with uow:
        row = uow.session.get(GuardAlertRecord, alert_id)
        assert row is not None and row.handled_by_id == deputy.user_id
        assert row.version == version + 1
    with pytest.raises(NotFound):
        guard_watch.mark_handled(uow=uow, actor=manager, alert_id=alert_id + 99,
                                 expected_version=1)
    with pytest.raises(NotFound):
        guard_watch.alert_of(uow=uow, actor=manager, alert_id=alert_id + 99)
    assert guard_watch.alert_of(uow=uow, actor=manager, alert_id=alert_id).handled
    assert _count(uow, AuditEntry, AuditEntry.entity == guard_watch.KIND,
                  AuditEntry.action == AuditAction.UPDATE) == 1


def test_a_day_older_than_the_week_checked_is_left_to_the_statistics_window(
        uow: UnitOfWork, manager: Actor, sales_user: Actor) -> None:
    old = TODAY - dt.timedelta(days=guard_watch.WATCH_DAYS)
    rows = [r for r in _history(sales_user.user_id, weeks=10) if r["day"] != old]
    _write(uow, rows + _reads(sales_user.user_id, old, 200))
    assert guard_watch.watch(uow=uow, actor=manager, today=TODAY).raised == ()
    assert [a.day for a in guard_watch.watch(uow=uow, actor=manager, today=old).raised] == [
        old]


def test_the_chinese_to_do_line_and_notice(uow: UnitOfWork, manager: Actor,
                                           sales_user: Actor, busy_day: None) -> None:
    from app import i18n

    guard_watch.watch(uow=uow, actor=manager, today=TODAY)
    i18n.set_language("zh")
    try:
        item = next(i for i in todo_list(uow=uow, actor=manager, today=TODAY)
                    if i.kind is TodoKind.GUARD)
        notice = read_feed(uow=uow, actor=manager, after_id=0, seen_id=0).items[0].text
    finally:
        i18n.set_language("en")
    assert "200" in (item.detail or "") and "Opened" not in (item.detail or "")
    assert notice == f"客户资源安全提醒：张伟 {TODAY.isoformat()} 的客户查阅情况需要留意"


def test_a_guard_flagged_is_not_told_does_not_list_and_cannot_handle_their_own_day(
        uow: UnitOfWork, manager: Actor, deputy: Actor) -> None:
    _write(uow, _history(deputy.user_id) + _reads(deputy.user_id, TODAY, 200))
    guard_watch.watch(uow=uow, actor=deputy, today=TODAY)
    assert _notices(uow, deputy) == [] and len(_notices(uow, manager)) == 1
    assert not [i for i in todo_list(uow=uow, actor=deputy, today=TODAY)
                if i.kind is TodoKind.GUARD]
    mine = next(i for i in todo_list(uow=uow, actor=manager, today=TODAY)
                if i.kind is TodoKind.GUARD)
    with pytest.raises(PermissionDenied, match="your own reads"):
        guard_watch.mark_handled(uow=uow, actor=deputy, alert_id=mine.id,
                                 expected_version=mine.version)
    with uow:
        assert uow.session.get(GuardAlertRecord, mine.id).handled_at is None  # type: ignore[union-attr]
    guard_watch.mark_handled(uow=uow, actor=manager, alert_id=mine.id,
                             expected_version=mine.version)


def test_a_flagged_day_heads_the_to_do_list_before_overdue_work(
        uow: UnitOfWork, manager: Actor, deputy: Actor, busy_day: None) -> None:
    from app.services.tasks import TaskDraft, create_task

    create_task(uow=uow, actor=manager, today=TODAY - dt.timedelta(days=9),
                draft=TaskDraft(title="催收货款", assignee_id=deputy.user_id,
                                due_on=TODAY - dt.timedelta(days=3)))
    guard_watch.watch(uow=uow, actor=manager, today=TODAY)
    items = todo_list(uow=uow, actor=deputy, today=TODAY)
    assert [(i.kind, i.title, i.overdue) for i in items] == [
        (TodoKind.GUARD, "张伟", False), (TodoKind.TASK, "催收货款", True)]

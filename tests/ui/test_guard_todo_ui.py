"""Customer base protection on the to-do list (客户资源安全 → 待办事项).

A guard's station checks the read trail every few minutes (app.ui.shell.guard.GuardWatch);
a flagged day becomes a line on the guards' to-do lists and a notice on their live feed.
The line and the notice both open the statistics module's customer base protection tab
with what the person read that day; someone with edit rights marks the line handled.

The data: eight weeks of ten cards a day for the salesperson 张伟, then 200 cards today
(the run's day, tests/run_day.py: a run crossing midnight keeps it).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select, text

from app.db import DatabaseUnavailable
from app.models import GuardAlertRecord, Role, RoleDataScope, RolePermission
from app.models.enums import DataScope, Module, Operation, StationCode
from app.services import guard_watch
from app.services.guard_watch import WatchResult
from app.services.permissions import Actor
from app.services.todo import TodoKind
from app.services.uow import UnitOfWork
from app.settings import Settings
from app.ui.context import AppContext, Database
from app.ui.shell.app import GuiSession
from app.ui.shell.guard import CHECK_MS, GuardWatch, start_guard_watch
from app.ui.shell.live import FEED_KIND, LiveFeed
from app.ui.shell.main_window import MainWindow
from app.ui.statistics.guard_page import CustomerGuardPanel, ReadTrailDialog
from app.ui.statistics.page import StatisticsPage
from app.ui.tasks import TaskManager
from app.ui.todo.page import GUARD_KINDS, TodoPage
from tests import people
from tests.services.test_guard_watch import _reads, _write
from tests.ui.conftest import SHOTS_DIR, clipped_texts
from tests.ui.test_login import _log_in

MakeContext = Callable[..., AppContext]
TODAY = dt.date.today()  # the run's day (tests/run_day.py)
CARDS = 200
SHOTS = SHOTS_DIR / "guard"


# --- data ----------------------------------------------------------------------------------


@pytest.fixture
def busy_day(uow: UnitOfWork, sales_user: Actor) -> None:
    """Eight weeks of ten cards every day (whatever weekday today is, its usual is 10),
    then 200 cards today."""
    rows: list[dict[str, Any]] = []
    for back in range(1, 8 * 7 + 1):
        rows += _reads(sales_user.user_id, TODAY - dt.timedelta(days=back), 10,
                       first=back * 100)
    _write(uow, rows + _reads(sales_user.user_id, TODAY, CARDS))


@pytest.fixture
def alert(uow: UnitOfWork, manager: Actor, busy_day: None) -> int:
    """The general manager's station checked: today's flagged day is kept (its row id)."""
    raised = guard_watch.watch(uow=uow, actor=manager, today=TODAY).raised
    assert len(raised) == 1
    return _rows(uow)[0].id


@pytest.fixture
def guard_viewer(uow: UnitOfWork, make_user: Callable[..., Actor]) -> Iterator[Actor]:
    """Someone whose role sees customer base protection but may not change anything."""
    with uow:
        role = Role(code="guard_viewer", name_zh="安全查看员", name_en="Guard viewer")
        role.permissions = [RolePermission(module=module, operation=Operation.VIEW)
                            for module in (Module.CUSTOMER_GUARD, Module.TASKS,
                                           Module.STATISTICS)]
        role.data_scopes = [RoleDataScope(module=Module.TASKS, scope=DataScope.OWN)]
        uow.session.add(role)
        uow.commit()
        role_id = role.id
    if people.enabled():  # on a secured server: the role's grants follow its matrix
        with uow.engine.begin() as conn:
            conn.execute(text("SELECT crmsec.apply_role(:id)"), {"id": role_id})
    yield make_user("viewer1", "guard_viewer", "management", display_name="安全查看员")


def _rows(uow: UnitOfWork) -> list[GuardAlertRecord]:
    with uow:
        rows = list(uow.session.scalars(select(GuardAlertRecord).order_by(GuardAlertRecord.id)))
        uow.session.expunge_all()
        return rows


def _count(uow: UnitOfWork) -> int:
    with uow:
        return int(uow.session.scalar(select(func.count()).select_from(GuardAlertRecord))
                   or 0)


def _reason(language: str) -> str:
    return (f"打开客户档案 {CARDS} 个，平时 10 个" if language == "zh"
            else f"Opened {CARDS} customer cards; usually 10")


# --- widgets -------------------------------------------------------------------------------


def _todo(qtbot: QtBot, ctx: AppContext) -> TodoPage:
    page = TodoPage(ctx, today=TODAY)
    qtbot.addWidget(page)
    page.resize(1000, 420)
    page.show()
    qtbot.waitUntil(lambda: page.loaded and not page.model.is_loading)
    return page


def _window(qtbot: QtBot, ctx: AppContext) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


def _guard_rows(page: TodoPage) -> list[int]:
    return [row for row, item in enumerate(page.items) if item.kind is TodoKind.GUARD]


def _line(page: TodoPage, row: int) -> dict[str, str]:
    model = page.model
    keys = ("due", "kind", "title", "customer", "detail")
    return {key: model.index(row, model.column_index(key) or 0).data() for key in keys}


def _save(widget: QWidget, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    image = widget.grab().toImage()
    assert not image.isNull() and image.width() > 300
    path = SHOTS / name
    assert image.save(str(path))
    return path


def _settled_reads(qtbot: QtBot, ctx: AppContext, dialog: ReadTrailDialog) -> None:
    ctx.tasks.wait_until_idle()
    qtbot.waitUntil(lambda: not dialog.is_loading, timeout=20_000)


def _statistics(window: MainWindow) -> StatisticsPage:
    page = window.stack.currentWidget()
    assert isinstance(page, StatisticsPage)
    return page


def _assert_reads_of_today(qtbot: QtBot, ctx: AppContext, window: MainWindow,
                           dialog: object, sales_user: Actor, language: str) -> None:
    """The statistics module is on show at its customer base protection tab, and over it
    the drill-down of 张伟's day with every read of it."""
    assert window.current_module() is Module.STATISTICS
    statistics = _statistics(window)
    assert statistics.guard_shown and statistics.guard_panel is not None
    assert statistics.guard_panel.isVisible()
    assert isinstance(dialog, ReadTrailDialog) and dialog is statistics.guard_panel.read_dialog
    assert dialog.isVisible()
    assert (dialog.user_id, dialog.day) == (sales_user.user_id, TODAY)
    _settled_reads(qtbot, ctx, dialog)
    assert dialog.model.rowCount() == CARDS
    assert dialog.title_label.text() == f"张伟 · {TODAY.isoformat()}"
    assert dialog.why_label.text() == _reason(language)
    assert dialog.summary_label.text() == (
        f"共 {CARDS} 条记录，打开客户 {CARDS} 个" if language == "zh"
        else f"{CARDS} reads, {CARDS} customers opened")


# --- the to-do line ------------------------------------------------------------------------


def test_the_guard_line_shows_why_and_mark_handled_takes_it_off_the_list(
    qtbot: QtBot, qtmodeltester: Any, language: str, make_context: MakeContext,
    uow: UnitOfWork, manager: Actor, alert: int,
) -> None:
    ctx = make_context(manager, "manager_office", language=language)
    page = _todo(qtbot, ctx)
    qtmodeltester.check(page.model)
    rows = _guard_rows(page)
    assert len(rows) == 1
    row = rows[0]
    item = page.items[row]
    assert (item.id, item.record_kind) == (alert, "guard_alert")
    assert _line(page, row) == {
        "due": TODAY.isoformat(),
        "kind": "客户资源安全" if language == "zh" else "Customer base protection",
        "title": "张伟", "customer": "", "detail": _reason(language)}
    kind_column = page.model.column_index("kind") or 0
    icon = page.model.index(row, kind_column).data(Qt.ItemDataRole.DecorationRole)
    assert icon is not None and not icon.isNull()
    # Not overdue: the day is today, in the ordinary colour.
    assert page.model.index(row, 0).data(Qt.ItemDataRole.ForegroundRole) is None

    # On the line: Show reads and Mark handled, both offered to the general manager.
    page.table.setFocus()
    page.table.selectRow(row)
    assert page.handled_button.isVisible() and page.handled_button.isEnabled()
    assert page.handled_button.text() == ("标记已处理" if language == "zh" else "Mark handled")
    assert page.open_button.isEnabled()
    assert page.open_button.text() == ("查看查阅记录" if language == "zh" else "Show reads")
    assert page.detail_label.text() == _reason(language)
    qtbot.wait(30)
    assert clipped_texts(page) == []
    _save(page, f"todo_{language}.png")

    requests = page.model.requests_made
    page.handled_button.click()
    qtbot.waitUntil(lambda: page.model.requests_made > requests
                    and not page.model.is_loading and not _guard_rows(page), timeout=10_000)
    (row_after,) = _rows(uow)
    assert row_after.handled_at is not None and row_after.handled_by_id == manager.user_id
    assert ("guard_alert", alert) in ctx.changes.published
    assert page.items == ()
    assert not page.handled_button.isEnabled()


def test_ctrl_h_marks_the_line_handled(
    qtbot: QtBot, make_context: MakeContext, uow: UnitOfWork, manager: Actor, alert: int,
) -> None:
    page = _todo(qtbot, make_context(manager, "manager_office"))
    page.table.setFocus()
    page.table.selectRow(_guard_rows(page)[0])
    qtbot.keyClick(page.table, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not _guard_rows(page) and not page.model.is_loading,
                    timeout=10_000)
    assert _rows(uow)[0].handled_at is not None


def test_without_edit_rights_mark_handled_is_disabled_and_without_the_module_absent(
    qtbot: QtBot, make_context: MakeContext, uow: UnitOfWork, guard_viewer: Actor,
    sales_user: Actor, alert: int,
) -> None:
    # Sees the line (the module's VIEW), may not mark it handled.
    ctx = make_context(guard_viewer, "manager_office")
    page = _todo(qtbot, ctx)
    rows = _guard_rows(page)
    assert len(rows) == 1
    page.table.setFocus()
    page.table.selectRow(rows[0])
    assert page.handled_button.isVisible() and not page.handled_button.isEnabled()
    assert "may not" in page.handled_button.toolTip()
    assert page.open_button.isEnabled()
    page.mark_handled()
    qtbot.keyClick(page.table, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    ctx.tasks.wait_until_idle()
    assert _rows(uow)[0].handled_at is None

    # The person flagged has no such line, and no such button.
    mine = _todo(qtbot, make_context(sales_user, "key_accounts"))
    assert _guard_rows(mine) == []
    assert not mine.handled_button.isVisibleTo(mine)


def test_opening_the_line_shows_the_guard_tab_with_that_days_reads(
    qtbot: QtBot, language: str, make_context: MakeContext, manager: Actor,
    sales_user: Actor, alert: int,
) -> None:
    ctx = make_context(manager, "manager_office", language=language)
    window = _window(qtbot, ctx)
    page = window.open_todo()
    assert isinstance(page, TodoPage)
    qtbot.waitUntil(lambda: page.loaded and not page.model.is_loading and bool(_guard_rows(page)))
    page.table.setFocus()
    page.table.selectRow(_guard_rows(page)[0])
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    dialog = page.dialog
    _assert_reads_of_today(qtbot, ctx, window, dialog, sales_user, language)
    assert isinstance(dialog, ReadTrailDialog)
    qtbot.wait(30)
    assert clipped_texts(dialog) == []
    _save(dialog, f"drill_from_todo_{language}.png")
    _save(window, f"drill_window_{language}.png")
    dialog.close()

    # The Show reads button opens the same (from the to-do list again).
    window.open_todo()
    qtbot.waitUntil(lambda: page.loaded and not page.model.is_loading and bool(_guard_rows(page)))
    page.table.selectRow(_guard_rows(page)[0])
    page.open_button.click()
    again = page.dialog
    assert isinstance(again, ReadTrailDialog) and again is not dialog
    assert window.current_module() is Module.STATISTICS and again.isVisible()
    again.close()


# --- the periodic check --------------------------------------------------------------------


class _Counted:
    """Stands in for guard_watch.watch: counts the calls, then asks the real one (or
    raises ``fail``)."""

    def __init__(self) -> None:
        self.calls = 0
        self.fail: BaseException | None = None
        self.real = guard_watch.watch

    def __call__(self, **kwargs: Any) -> WatchResult:
        self.calls += 1
        if self.fail is not None:
            raise self.fail
        return self.real(**kwargs)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> _Counted:
    stand_in = _Counted()
    monkeypatch.setattr(guard_watch, "watch", stand_in)
    return stand_in


def test_the_watch_checks_at_start_and_again_when_its_timer_fires(
    qtbot: QtBot, make_context: MakeContext, uow: UnitOfWork, manager: Actor,
    sales_user: Actor, busy_day: None, counted: _Counted,
) -> None:
    ctx = make_context(manager, "manager_office")
    window = _window(qtbot, ctx)
    page = window.open_todo()
    assert isinstance(page, TodoPage)
    qtbot.waitUntil(lambda: page.loaded and not page.model.is_loading)
    assert _guard_rows(page) == [] and _count(uow) == 0
    assert GUARD_KINDS == ("guard_alert",)

    watch = GuardWatch(ctx, window, interval_ms=400, today=lambda: TODAY)
    assert GuardWatch(ctx, window).interval_ms == CHECK_MS == 5 * 60_000
    with qtbot.waitSignal(watch.checked, timeout=20_000) as first:
        watch.start()
        watch.check()   # never two at once: asked while the first is on its way
        assert watch.checking and counted.calls <= 1
    result = first.args[0]
    assert isinstance(result, WatchResult)
    assert [(a.user_id, a.day) for a in result.raised] == [(sales_user.user_id, TODAY)]
    assert counted.calls == 1 and watch.checks == 1
    (row,) = _rows(uow)
    assert (row.user_id, row.day, row.handled_at) == (sales_user.user_id, TODAY, None)
    # It kept something: the to-do list hears it on the change bus and reads again.
    assert ("guard_alert", None) in ctx.changes.published
    qtbot.waitUntil(lambda: bool(_guard_rows(page)) and not page.model.is_loading,
                    timeout=10_000)
    assert page.items[_guard_rows(page)[0]].id == row.id
    assert watch._timer.isActive()

    # The timer fires: checked again, nothing new kept.
    with qtbot.waitSignal(watch.checked, timeout=20_000) as second:
        pass
    assert counted.calls == 2 and watch.checks == 2
    assert second.args[0].raised == () and second.args[0].flagged == 1
    assert _count(uow) == 1
    watch.stop()
    assert not watch.running and not watch._timer.isActive()


def test_the_watch_starts_after_login_for_a_guard_only_and_stops_with_the_window(
    qtbot: QtBot, make_context: MakeContext, uow: UnitOfWork, manager: Actor,
    sales_user: Actor, busy_day: None, counted: _Counted,
) -> None:
    sales_window = _window(qtbot, make_context(sales_user, "key_accounts"))
    assert start_guard_watch(sales_window.ctx, sales_window) is None
    assert getattr(sales_window, "guard_watch", None) is None
    sales_window.ctx.tasks.wait_until_idle()
    assert counted.calls == 0 and _count(uow) == 0

    window = _window(qtbot, make_context(manager, "manager_office"))
    watch = start_guard_watch(window.ctx, window)
    assert isinstance(watch, GuardWatch) and window.guard_watch is watch  # type: ignore[attr-defined]
    assert watch.interval_ms == CHECK_MS and watch.running
    qtbot.waitUntil(lambda: _count(uow) == 1 and not watch.checking, timeout=20_000)
    assert counted.calls == 1 and watch._timer.isActive()
    window.close()
    assert not watch.running and not watch._timer.isActive()


def test_a_guards_login_starts_the_watch_and_logging_out_stops_it(
    qtbot: QtBot, station_settings: Settings, tasks: TaskManager, database: Database,
    uow: UnitOfWork, manager: Actor, sales_user: Actor, busy_day: None, counted: _Counted,
) -> None:
    # The salesperson's station checks nothing.
    session = GuiSession(station_settings, tasks=tasks, database=database)
    _log_in(session, qtbot, "sales1", StationCode.KEY_ACCOUNTS)
    assert session.main_window is not None
    assert getattr(session.main_window, "guard_watch", None) is None
    session.main_window.logout_requested.emit()
    tasks.wait_until_idle()
    assert counted.calls == 0 and _count(uow) == 0

    # The general manager's does, at once after the login.
    session = GuiSession(station_settings, tasks=tasks, database=database)
    _log_in(session, qtbot, "gm", StationCode.MANAGER_OFFICE)
    window = session.main_window
    assert window is not None
    watch = getattr(window, "guard_watch", None)
    assert isinstance(watch, GuardWatch) and watch.running
    qtbot.waitUntil(lambda: _count(uow) == 1 and not watch.checking, timeout=20_000)
    assert counted.calls == 1
    window.logout_requested.emit()
    assert not watch.running and not watch._timer.isActive()
    if session.login_dialog is not None:
        qtbot.addWidget(session.login_dialog)


def test_the_watch_pauses_while_the_connection_is_lost_and_resumes(
    qtbot: QtBot, make_context: MakeContext, manager: Actor, busy_day: None,
    counted: _Counted,
) -> None:
    ctx = make_context(manager, "manager_office")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    watch = GuardWatch(ctx, window, interval_ms=200, today=lambda: TODAY)
    with qtbot.waitSignal(watch.checked, timeout=20_000):
        watch.start()
    window.monitor.connection_lost.emit(DatabaseUnavailable(topic="unreachable",
                                                            server="test"))
    assert watch.paused and not watch._timer.isActive()
    qtbot.wait(700)
    assert counted.calls == 1 and not watch._timer.isActive()
    watch.check()   # nothing is asked while the connection is lost
    assert counted.calls == 1 and not watch.checking
    # The server answers again: the check that fell due meanwhile runs at once.
    with qtbot.waitSignal(watch.checked, timeout=5_000):
        window.monitor.connection_restored.emit()
    assert counted.calls == 2 and not watch.paused
    watch.stop()


def test_a_failed_check_is_logged_not_shown_and_tried_again(
    qtbot: QtBot, make_context: MakeContext, uow: UnitOfWork, manager: Actor,
    busy_day: None, counted: _Counted, caplog: pytest.LogCaptureFixture,
) -> None:
    ctx = make_context(manager, "manager_office")
    window = _window(qtbot, ctx)
    watch = GuardWatch(ctx, window, interval_ms=300, today=lambda: TODAY)
    counted.fail = RuntimeError("the trail could not be read")
    with caplog.at_level(logging.WARNING, logger="app.ui.shell.guard"), \
            qtbot.waitSignal(watch.failed, timeout=20_000):
        watch.start()
    assert "the trail could not be read" in caplog.text
    assert not [box for box in window.findChildren(QMessageBox) if box.isVisible()]
    assert watch._timer.isActive() and _count(uow) == 0
    # At the next interval it is tried again, and this time it works.
    counted.fail = None
    with qtbot.waitSignal(watch.checked, timeout=20_000):
        pass
    assert counted.calls == 2 and _count(uow) == 1
    watch.stop()


# --- the notice ----------------------------------------------------------------------------


def test_a_notice_of_a_flagged_day_opens_its_reads(
    qtbot: QtBot, language: str, make_context: MakeContext, manager: Actor,
    sales_user: Actor, busy_day: None,
) -> None:
    ctx = make_context(manager, "manager_office", language=language)
    window = _window(qtbot, ctx)
    live = LiveFeed(ctx, window, interval_ms=200)
    live.start()
    qtbot.waitUntil(lambda: live._after is not None)  # where the feed stood at login
    watch = GuardWatch(ctx, window, interval_ms=60_000, today=lambda: TODAY)
    with qtbot.waitSignal(watch.checked, timeout=20_000):
        watch.start()

    # Within the polling interval the notice is in the corner, in the reader's language.
    qtbot.waitUntil(live.notice.isVisible, timeout=5_000)
    assert [(i.kind, i.event) for i in live.last_items] == [("guard_alert", "guard_flagged")]
    assert live.notice.text() == (
        f"客户资源安全提醒：张伟 {TODAY.isoformat()} 的客户查阅情况需要留意"
        if language == "zh"
        else f"Customer base protection alert: what 张伟 read on {TODAY.isoformat()} "
             "needs a look")
    assert ("guard_alert", live.last_items[0].record_id) in ctx.changes.published
    assert (FEED_KIND, None) in ctx.changes.published

    # A click: the statistics module's guard tab, with that day's reads over it.
    live.notice.button.click()
    qtbot.waitUntil(lambda: window.current_module() is Module.STATISTICS
                    and _statistics(window).guard_panel is not None
                    and _statistics(window).guard_panel.read_dialog is not None,  # type: ignore[union-attr]
                    timeout=10_000)
    panel = _statistics(window).guard_panel
    assert panel is not None
    _assert_reads_of_today(qtbot, ctx, window, panel.read_dialog, sales_user, language)
    live.stop()
    watch.stop()



# --- the navigator ---------------------------------------------------------------------------


@pytest.fixture
def guard_only(uow: UnitOfWork, make_user: Callable[..., Actor]) -> Actor:
    """Someone whose role has customer base protection (and tasks) but no statistics."""
    with uow:
        role = Role(code="guard_only", name_zh="客户安全专员", name_en="Guard only")
        role.permissions = [RolePermission(module=module, operation=operation)
                            for module, operation in (
                                (Module.CUSTOMER_GUARD, Operation.VIEW),
                                (Module.CUSTOMER_GUARD, Operation.EDIT),
                                (Module.TASKS, Operation.VIEW))]
        role.data_scopes = [RoleDataScope(module=Module.TASKS, scope=DataScope.OWN)]
        uow.session.add(role)
        uow.commit()
        role_id = role.id
    if people.enabled():
        with uow.engine.begin() as conn:
            conn.execute(text("SELECT crmsec.apply_role(:id)"), {"id": role_id})
    return make_user("guard1", "guard_only", "management", display_name="客户安全专员")


def test_the_navigator_lists_the_guard_as_a_page_only_without_the_statistics(
    qtbot: QtBot, make_context: MakeContext, manager: Actor, guard_only: Actor,
    sales_user: Actor, alert: int,
) -> None:
    # The general manager has it as a tab of the statistics: no second entry.
    gm = _window(qtbot, make_context(manager, "manager_office"))
    names = [gm.navigator.item(row).text() for row in range(gm.navigator.count())]
    assert "Statistics" in names and "Customer base protection" not in names
    assert gm.open_module(Module.CUSTOMER_GUARD) is None
    statistics = gm.open_module(Module.STATISTICS)
    assert statistics is not None
    hint = statistics.findChild(QLabel, "statistic_hint")
    assert "Ctrl+1…6 switch the statistic, Ctrl+7 shows customer base protection" in hint.text()

    # A role with the guard alone: the panel is its own page, never a placeholder, and a
    # flagged day on the to-do list opens its reads over it.
    ctx = make_context(guard_only, "management")
    window = _window(qtbot, ctx)
    names = [window.navigator.item(row).text() for row in range(window.navigator.count())]
    assert "Customer base protection" in names and "Statistics" not in names
    page = window.open_module(Module.CUSTOMER_GUARD)
    assert isinstance(page, CustomerGuardPanel)
    todo = window.open_todo()
    assert isinstance(todo, TodoPage)
    qtbot.waitUntil(lambda: todo.loaded and not todo.model.is_loading and bool(_guard_rows(todo)))
    todo.table.selectRow(_guard_rows(todo)[0])
    todo.open_button.click()
    dialog = todo.dialog
    assert window.stack.currentWidget() is page
    assert isinstance(dialog, ReadTrailDialog) and dialog is page.read_dialog
    assert (dialog.user_id, dialog.day) == (sales_user.user_id, TODAY)
    _settled_reads(qtbot, ctx, dialog)
    assert dialog.model.rowCount() == CARDS
    dialog.close()

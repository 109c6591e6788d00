"""Customer base protection in the statistics window: people, chart, alerts, drill-down,
rules, and who sees it at all.

The data is the service tests' scenario (tests/services/test_customer_guard.py): three
months of everyone's ordinary reads, then a salesperson who sweeps the customer base on
their last three days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QTimeEdit, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.models import Customer, User
from app.models import GuardRules as RulesRow
from app.services import customer_guard
from app.services import statistics as stats
from app.services.permissions import Actor
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.kit.table import PagedTableModel
from app.ui.statistics.guard_page import CustomerGuardPanel, GuardRulesDialog, NoticeDialog
from app.ui.statistics.page import StatisticsPage
from tests.services import test_customer_guard as scenario
from tests.services.test_customer_guard import clock, company, office  # noqa: F401 (fixtures)
from tests.ui.conftest import SHOTS_DIR, clipped_texts
from tests.ui.test_statistics_ui import FakeService

MakeContext = Callable[..., AppContext]
LAST_DAY = scenario.SWEEP_DAYS[-1]
SHOTS = SHOTS_DIR / "guard"
CTRL = Qt.KeyboardModifier.ControlModifier


def _settle(qtbot: QtBot, ctx: AppContext, busy: Callable[[], bool]) -> None:
    ctx.tasks.wait_until_idle()
    qtbot.waitUntil(lambda: not busy(), timeout=20_000)


def _panel(qtbot: QtBot, ctx: AppContext) -> CustomerGuardPanel:
    panel = CustomerGuardPanel(ctx, today=lambda: LAST_DAY)
    qtbot.addWidget(panel)
    panel.resize(1280, 800)
    with qtbot.waitSignal(panel.overview_shown, timeout=60_000):
        panel.show()   # reading the trail starts when it is first shown
    return panel


def _column(model: PagedTableModel, key: str) -> int:
    found = model.column_index(key)
    assert found is not None
    return found


def _cells(model: PagedTableModel, key: str) -> list[str]:
    column = _column(model, key)
    return [model.index(row, column).data() for row in range(model.rowCount())]


def _save(widget: QWidget, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    image = widget.grab().toImage()
    assert not image.isNull() and image.width() > 300
    path = SHOTS / name
    assert image.save(str(path))
    return path


@pytest.fixture
def swept(request: pytest.FixtureRequest, uow: UnitOfWork, sales_user: Actor,
          tmp_path: Path) -> dict[dt.date, list[int]]:
    """The scenario's company, and the salesperson's three days of sweeping: the
    customers they opened on each of those days."""
    company_data = request.getfixturevalue("company")
    the_clock = request.getfixturevalue("clock")
    return scenario._sweep(uow, sales_user, the_clock, company_data["sweeper_own"], tmp_path)


def test_the_sweeper_stands_out_and_an_alert_lists_the_customers_read(
    qtbot: QtBot, qtmodeltester: Any, language: str, make_context: MakeContext,
    uow: UnitOfWork, manager: Actor, sales_user: Actor, swept: dict[dt.date, list[int]],
) -> None:
    ctx = make_context(manager, "manager_office", language=language)
    panel = _panel(qtbot, ctx)
    assert panel.error is None, panel.message_label.text()
    assert panel.period() == (LAST_DAY - dt.timedelta(days=89), LAST_DAY)
    overview = panel.overview
    assert overview is not None
    qtmodeltester.check(panel.people_model)
    qtmodeltester.check(panel.alerts_model)

    # The salesperson's row: the last day's cards against their usual, and three days flagged.
    people = panel.people_model
    row = _cells(people, "person").index("张伟")
    me = next(p for p in overview.people if p.user_id == sales_user.user_id)
    assert len(swept[LAST_DAY]) == 100 and me.today.cards >= 100
    shown = {key: people.index(row, _column(people, key)).data()
             for key in ("cards", "listed", "alerts", "department")}
    assert shown["cards"] == f"{me.today.cards:,} / {me.usual_cards:,}" and me.usual_cards < 20
    assert shown["listed"] == f"{me.today.listed:,} / {me.usual_listed:,}"
    assert shown["alerts"] == "3"
    assert shown["department"] == ("大客户部" if language == "zh" else "Key accounts")

    # The alerts: exactly the days the service flags, the sweeper's three among them.
    expected = customer_guard.guard_alerts(uow=uow, actor=manager, date_from=overview.date_from,
                                           date_to=LAST_DAY)
    alerts = panel.alerts_model
    listed = list(zip(_cells(alerts, "day"), _cells(alerts, "person"), strict=True))
    assert sorted(listed) == sorted((a.day.isoformat(), a.user_name) for a in expected)
    assert sorted(d for d, person in listed if person == "张伟") == [
        d.isoformat() for d in scenario.SWEEP_DAYS]
    why = _cells(alerts, "why")[listed.index((scenario.SWEEP_DAYS[0].isoformat(), "张伟"))]
    cards_first = len(swept[scenario.SWEEP_DAYS[0]])
    first = next(a for a in expected
                 if a.day == scenario.SWEEP_DAYS[0] and a.user_id == sales_user.user_id)
    assert first.figures.cards >= cards_first
    assert why == ("；" if language == "zh" else "; ").join(r.text for r in first.reasons)
    assert (f"打开客户档案 {first.figures.cards} 个" if language == "zh"
            else f"Opened {first.figures.cards} customer cards") in why
    assert panel.chart_view.point_count() == 90
    assert panel.chart_view.flagged_count() == len({a.day for a in expected})

    # Enter on the first day's alert: every customer opened that day, by name.
    day = scenario.SWEEP_DAYS[0]
    panel.alerts_view.setFocus()
    panel.alerts_view.setCurrentIndex(alerts.index(listed.index((day.isoformat(), "张伟")), 0))
    qtbot.keyClick(panel.alerts_view, Qt.Key.Key_Return)
    dialog = panel.read_dialog
    assert dialog is not None and dialog.isVisible() and dialog.day == day
    _settle(qtbot, ctx, lambda: dialog.is_loading)
    qtmodeltester.check(dialog.model)
    with uow:
        names = set(uow.session.scalars(select(Customer.name).where(
            Customer.id.in_(swept[day]))))
    read = set(_cells(dialog.model, "customer"))
    assert len(names) == cards_first and names <= read
    opened = "打开档案" if language == "zh" else "Opened card"
    assert opened in _cells(dialog.model, "action")
    assert dialog.summary_label.text().startswith(
        f"{dialog.model.rowCount():,} " if language == "en" else "共")
    qtbot.wait(30)
    assert clipped_texts(dialog) == []
    _save(dialog, f"drill_{language}.png")
    dialog.close()

    qtbot.wait(30)
    assert clipped_texts(panel) == []
    _save(panel, f"panel_{language}.png")

    # In the statistics window, as the manager's tab.
    page = StatisticsPage(ctx, today=lambda: LAST_DAY)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    _settle(qtbot, ctx, lambda: page.is_loading)
    guard = page.select_guard()
    assert guard is not None and guard.isVisible()
    _settle(qtbot, ctx, lambda: guard.is_loading)
    qtbot.wait(30)
    assert guard.overview is not None and clipped_texts(page) == []
    _save(page, f"page_{language}.png")


def test_a_role_without_the_module_has_no_such_tab(
    qtbot: QtBot, make_context: MakeContext, manager: Actor, office: Actor,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeService()
    monkeypatch.setattr(stats, "run_statistic", fake.run_statistic)
    calls: list[Actor] = []
    real = customer_guard.guard_overview

    def counted(**kwargs: Any) -> Any:
        calls.append(kwargs["actor"])
        return real(**kwargs)

    monkeypatch.setattr(customer_guard, "guard_overview", counted)
    for actor, sees in ((office, False), (manager, True)):
        ctx = make_context(actor, "manager_office")
        page = StatisticsPage(ctx, today=lambda: LAST_DAY)
        qtbot.addWidget(page)
        page.show()
        _settle(qtbot, ctx, lambda p=page: p.is_loading)
        titles = [page.tabs.tabText(i) for i in range(page.tabs.count())]
        assert ("Customer base protection" in titles) is sees
        assert bool(page.findChildren(CustomerGuardPanel)) is sees
        assert calls == []   # nothing is read before the tab is opened
        if sees:
            page.table_view.setFocus()
            qtbot.keyClick(page.table_view, "7", CTRL)
            assert page.guard_shown and page.statistic == stats.STATISTICS[0]
            panel = page.guard_panel
            assert panel is not None
            _settle(qtbot, ctx, lambda p=panel: p.is_loading)
            assert [a.user_id for a in calls] == [manager.user_id] and panel.error is None
            # Ctrl+1 goes back to the statistic as it was.
            runs = len(fake.runs)
            qtbot.keyClick(panel.alerts_view, "1", CTRL)
            assert not page.guard_shown and page.table_view.isVisible()
            assert len(fake.runs) == runs
        else:
            page.table_view.setFocus()
            qtbot.keyClick(page.table_view, "7", CTRL)
            assert page.statistic == stats.STATISTICS[0] and page.table_view.isVisible()


def test_the_rules_dialog_refuses_a_bad_value_and_saves_nothing(
    qtbot: QtBot, language: str, make_context: MakeContext, uow: UnitOfWork, manager: Actor,
) -> None:
    ctx = make_context(manager, "manager_office", language=language)
    panel = _panel(qtbot, ctx)
    assert panel.rules_button.isVisible() and panel.export_button.isVisible()
    panel.rules_button.click()
    _settle(qtbot, ctx, lambda: panel.form_dialog is None)
    dialog = panel.form_dialog
    assert isinstance(dialog, GuardRulesDialog) and dialog.isVisible()
    factor = dialog.inputs["factor"]
    office_to = dialog.inputs["office_to"]
    assert isinstance(factor, QLineEdit) and isinstance(office_to, QTimeEdit)
    assert factor.text() == "3"

    def saved_rows() -> int:
        with uow:
            return int(uow.session.scalar(select(func.count()).select_from(RulesRow)) or 0)

    # Not a number: refused before asking the service.
    factor.setText("drei")
    dialog.save_button.click()
    assert dialog.field_errors["factor"].isVisibleTo(dialog)
    assert dialog.field_errors["factor"].text() == (
        "请输入数字，例如 3 或 1.5。" if language == "zh" else "Enter a number, such as 3 or 1.5.")
    # The service's refusals, at their fields.
    for field, value, message in (
            ("factor", "0.5", ("请输入 1 到 100 之间的倍数。", "Enter a factor from 1 to 100.")),
            ("office_to", "07:00", ("下班时间必须晚于上班时间。",
                                    "Office hours must end after they start."))):
        if field == "factor":
            factor.setText(value)
        else:
            factor.setText("3")
            office_to.setTime(QTime.fromString(value, "HH:mm"))
        dialog.save_button.click()
        _settle(qtbot, ctx, lambda: not dialog.save_button.isEnabled())
        label = dialog.field_errors[field]
        assert label.isVisibleTo(dialog), field
        assert label.text() == message[0 if language == "zh" else 1]
        assert dialog.isVisible() and saved_rows() == 0
    assert customer_guard.load_rules(uow=uow, actor=manager).version == 0
    qtbot.wait(30)
    assert clipped_texts(dialog) == []
    _save(dialog, f"rules_{language}.png")

    # Put right, it is saved and the panel computes again with it.
    office_to.setTime(QTime(20, 0))
    dialog.inputs["min_reads"].setValue(25)  # type: ignore[attr-defined]
    with qtbot.waitSignal(panel.overview_shown, timeout=20_000):
        dialog.save_button.click()
        ctx.tasks.wait_until_idle()
    assert customer_guard.load_rules(uow=uow, actor=manager).rules.min_reads == 25
    for box in panel.findChildren(QMessageBox):
        box.close()
    QApplication.processEvents()


def test_the_notice_date_is_entered_for_the_chosen_person(
    qtbot: QtBot, make_context: MakeContext, uow: UnitOfWork, manager: Actor,
    sales_user: Actor,
) -> None:
    ctx = make_context(manager, "manager_office")
    panel = _panel(qtbot, ctx)
    row = _cells(panel.people_model, "person").index("张伟")
    panel.people_view.selectRow(row)
    assert panel.notice_button.isEnabled()
    panel.notice_button.click()
    dialog = panel.form_dialog
    assert isinstance(dialog, NoticeDialog) and dialog.isVisible()
    assert dialog.date_edit.date() == QDate(2026, 11, 27)
    dialog.date_edit.setDate(QDate(2026, 11, 20))
    with qtbot.waitSignal(panel.overview_shown, timeout=20_000):
        dialog.save_button.click()
        ctx.tasks.wait_until_idle()
    notice = _cells(panel.people_model, "notice")[_cells(panel.people_model, "person")
                                                  .index("张伟")]
    assert notice == "2026-11-20"
    with uow:
        assert uow.session.scalar(select(User.notice_on).where(
            User.id == sales_user.user_id)) == dt.date(2026, 11, 20)

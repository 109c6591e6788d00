"""Customer care screens: the care page generates and lists, outcomes are recorded from the page
and from the to-do list, the rules dialog saves; rendered to PNG in English and Chinese."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.models import AppSetting, CareItem
from app.models.enums import CareKind, CareStatus, CustomerClass
from app.services.care import generate_care_items, list_care_items
from app.services.customers import ContactDraft
from app.services.permissions import Actor
from app.services.todo import TodoKind
from app.services.uow import UnitOfWork
from app.ui.care.outcome_dialog import CareOutcomeDialog
from app.ui.care.page import CarePage
from app.ui.care.rules_dialog import CareRulesDialog
from app.ui.context import AppContext
from app.ui.todo.page import TodoPage
from tests.services.test_care import ON, _contract, _customer, _order, _product, _ticket
from tests.ui.conftest import SHOTS_DIR, clipped_texts

MakeContext = Callable[..., AppContext]
SHOTS = SHOTS_DIR / "care"


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


@pytest.fixture
def world(uow: UnitOfWork, sales_user: Actor, technician: Actor) -> dict[str, int]:
    """Customers of the salesperson that the rules pick up on ON; one follow-up overdue."""
    w: dict[str, int] = {}
    w["pickup"] = c = _customer(uow, sales_user, "北京鑫锐科技有限公司")
    _ticket(uow, c, technician, "WX-20270307-0001", ON - _days(3))
    _ticket(uow, c, technician, "WX-20270305-0002", ON - _days(5))  # due 2 days ago
    w["contract"] = c = _customer(uow, sales_user, "上海华东印务有限公司")
    _contract(uow, c, "HT-20260410-0001", ON + _days(30))
    w["reorder"] = c = _customer(uow, sales_user, "天津滨海办公设备有限公司")
    toner = _product(uow, "T-CF226A", "HP 26A 硒鼓")
    for day in (ON - _days(130), ON - _days(85), ON - _days(40)):
        _order(uow, c, sales_user, [toner], day)
    w["birthday"] = _customer(uow, sales_user, "广州南方数码有限公司", contacts=[
        ContactDraft(name="王芳", birthday=dt.date(1985, 3, 12), is_primary=True)])
    _customer(uow, sales_user, "海淀区实验中学", customer_class=CustomerClass.A)
    return w


def _show(qtbot: QtBot, widget: QWidget, size: tuple[int, int] = (1100, 460)) -> None:
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()


def _items(uow: UnitOfWork) -> list[tuple[CareKind, CareStatus, str | None, str | None]]:
    with uow:
        return [tuple(r) for r in uow.session.execute(  # type: ignore[misc]
            select(CareItem.kind, CareItem.status, CareItem.outcome, CareItem.channel)
            .order_by(CareItem.id)).all()]


def _colour(page: CarePage, row: int) -> str:
    """The colour a row's text is drawn in ("" for the table's own)."""
    brush = page.model.index(row, 0).data(Qt.ItemDataRole.ForegroundRole)
    return brush.color().name() if brush is not None else ""


def _open_dialog(qtbot: QtBot, dialog: QWidget | None) -> CareOutcomeDialog:
    assert isinstance(dialog, CareOutcomeDialog)
    qtbot.waitUntil(lambda: dialog.view is not None and not dialog.is_busy)
    return dialog


def test_management_page_generates_once_a_day_and_highlights_overdue(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, manager: Actor,
    world: dict[str, int],
) -> None:
    ctx = make_context(manager, "management")
    page = CarePage(ctx, today=ON)
    _show(qtbot, page)
    qtbot.waitUntil(lambda: len(page.items) == 5)
    assert page.generate_button.isVisible() and page.rules_button.isVisible()
    assert "5 new care items" in page.generation_label.text()
    # Soonest first: the follow-up due two days ago, in red.
    first = page.items[0]
    assert first.kind is CareKind.FOLLOW_UP and first.overdue
    assert "overdue" in page.model.index(0, 0).data()
    assert _colour(page, 0) == "#b00020"
    assert _colour(page, 1) != "#b00020"
    assert page.model.index(0, 1).data() == "北京鑫锐科技有限公司"
    assert "1 of them overdue" in page.message_label.text()

    # Opening the page again the same day generates nothing; "Generate now" neither.
    again = CarePage(ctx, today=ON)
    _show(qtbot, again)
    qtbot.waitUntil(lambda: "Last generated" in again.generation_label.text())
    again.generate_button.click()
    qtbot.waitUntil(lambda: "0 new care items" in again.generation_label.text())
    assert len(_items(uow)) == 5

    # Filters: kind, then done items only.
    page.kind_combo.setCurrentIndex(page.kind_combo.findData(CareKind.BIRTHDAY.value))
    qtbot.waitUntil(lambda: len(page.items) == 1)
    assert page.items[0].contact_name == "王芳"
    page.status_combo.setCurrentIndex(page.status_combo.findData("done"))
    qtbot.waitUntil(lambda: page.items == () and "No care items" in page.message_label.text())


def test_record_outcome_from_the_page(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, manager: Actor,
    sales_user: Actor, world: dict[str, int],
) -> None:
    generate_care_items(uow=uow, actor=manager, on=ON)
    page = CarePage(make_context(sales_user, "key_accounts"), today=ON)
    _show(qtbot, page)
    qtbot.waitUntil(lambda: len(page.items) == 5)
    assert not page.generate_button.isVisible() and not page.rules_button.isVisible()
    assert page.scope_combo.currentData() is True  # a salesperson starts with their own

    page.table.setFocus()
    page.table.selectRow(1)
    chosen = page.items[1]
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    dialog = _open_dialog(qtbot, page.dialog)
    assert dialog.title_label.text() == chosen.title
    assert chosen.customer_name in dialog.details_label.text()
    # Nothing typed: the service refuses and the field says why.
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.field_error("outcome") != "")
    assert dialog.field_error("outcome") == "is required"
    dialog.outcome_edit.setPlainText("客户同意续签，下周上门签合同")
    dialog.channel_combo.setCurrentIndex(dialog.channel_combo.findData("visit"))
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        dialog.save_button.click()
    qtbot.waitUntil(lambda: len(page.items) == 4)
    with uow:
        row = uow.session.get(CareItem, chosen.id)
        assert row is not None
        assert (row.status, row.outcome, row.channel) == (
            CareStatus.DONE, "客户同意续签，下周上门签合同", "visit")
        assert row.done_at is not None

    # Postpone another one from the dialog.
    page.table.selectRow(0)
    target = page.items[0]
    dialog = _open_dialog(qtbot, page.record_outcome())
    dialog.postpone_edit.setDate(dialog.postpone_edit.date().addDays(3))
    assert dialog.postpone_radio.isChecked()
    dialog.outcome_edit.setPlainText("没人接，周末再打")
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        dialog.save_button.click()
    with uow:
        row = uow.session.get(CareItem, target.id)
        assert row is not None
        assert row.status is CareStatus.OPEN and row.due_on == ON + _days(10)
        assert row.outcome == "没人接，周末再打"

    # Open customer (once the list is read again after the save).
    qtbot.waitUntil(lambda: not page.model.is_loading and page.open_button.isEnabled())
    with qtbot.waitSignal(page.customer_activated) as signal:
        page.open_button.click()
    assert signal.args == [page.current_item().customer_id]  # type: ignore[union-attr]


def test_care_items_on_the_todo_list_record_an_outcome(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, manager: Actor,
    sales_user: Actor, other_sales_user: Actor, world: dict[str, int],
) -> None:
    generate_care_items(uow=uow, actor=manager, on=ON)
    page = TodoPage(make_context(sales_user, "key_accounts"), today=ON)
    _show(qtbot, page, (1000, 380))
    qtbot.waitUntil(lambda: page.loaded)
    care = [i for i in page.items if i.kind is TodoKind.CARE]
    # Due today or earlier: the overdue follow-up first, then today's four.
    assert [i.due for i in care] == [ON - _days(2)] + [ON] * 4
    assert care[0].overdue and page.items[0] == care[0]
    assert "overdue" in page.model.index(0, 0).data()
    assert page.model.index(0, 1).data() == "Customer care"

    first = care[0]
    page.table.setFocus()
    page.table.selectRow(0)
    assert page.open_button.text() == "Record outcome…"
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    dialog = _open_dialog(qtbot, page.dialog)
    dialog.outcome_edit.setPlainText("已回访，打印机使用正常")
    dialog.channel_combo.setCurrentIndex(dialog.channel_combo.findData("phone"))
    dialog.save_button.click()
    qtbot.waitUntil(lambda: not page.model.is_loading and first.id not in {
        i.id for i in page.items if i.kind is TodoKind.CARE}, timeout=5000)
    assert len([i for i in page.items if i.kind is TodoKind.CARE]) == 4
    done = list_care_items(uow=uow, actor=sales_user, on=ON, statuses=(CareStatus.DONE,))
    assert [(d.id, d.outcome, d.channel) for d in done] == [
        (first.id, "已回访，打印机使用正常", "phone")]

    other = TodoPage(make_context(other_sales_user, "key_accounts"), today=ON)
    _show(qtbot, other, (900, 320))
    qtbot.waitUntil(lambda: other.loaded)
    assert [i for i in other.items if i.kind is TodoKind.CARE] == []


def _setting_count(uow: UnitOfWork) -> int:
    with uow:
        return uow.session.execute(select(func.count()).select_from(AppSetting).where(
            AppSetting.key == "care_rules")).scalar_one()


def test_rules_dialog_saves_and_refuses_bad_dates(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, manager: Actor,
) -> None:
    page = CarePage(make_context(manager, "management"), today=ON, auto_generate=False)
    _show(qtbot, page)
    page.rules_button.click()
    dialog = page.dialog
    assert isinstance(dialog, CareRulesDialog)
    qtbot.waitUntil(lambda: dialog.rules is not None and not dialog.is_busy)
    assert dialog.spins["follow_up_days"].value() == 3
    assert dialog.class_checks[CustomerClass.A].isChecked()
    assert dialog.holiday_table.rowCount() == 8

    dialog.checks["follow_up"].setChecked(False)
    assert not dialog.spins["follow_up_days"].isEnabled()
    dialog.spins["contract_days"].setValue(45)
    dialog.class_checks[CustomerClass.B].setChecked(True)
    dialog.add_holiday()
    row = dialog.holiday_table.rowCount() - 1
    dialog.holiday_table.item(row, 0).setText("公司周年庆")
    dialog.holiday_table.item(row, 1).setText("2027-13-08")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: not dialog.is_busy)
    assert "Holiday line 9" in dialog.field_error("holidays")
    assert dialog.holiday_table.item(row, 1).toolTip() != ""
    assert _setting_count(uow) == 0

    dialog.holiday_table.item(row, 1).setText("06-08")
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        dialog.save_button.click()
    with uow:
        stored = json.loads(uow.session.execute(select(AppSetting.value).where(
            AppSetting.key == "care_rules")).scalar_one())
    assert stored["follow_up"] == {"enabled": False, "days": 3}
    assert stored["contract_expiry"]["days"] == 45
    assert stored["holiday"]["classes"] == ["a", "b", "key_account"]
    assert {"name": "公司周年庆", "date": "06-08"} in stored["holiday"]["holidays"]
    assert dialog.rules is not None and dialog.rules.version == 1


# --- screenshots ---------------------------------------------------------------------------


def _save(widget: QWidget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(SHOTS / name))


def test_screenshots(
    qtbot: QtBot, language: str, uow: UnitOfWork, make_context: MakeContext, manager: Actor,
    sales_user: Actor, world: dict[str, int],
) -> None:
    generate_care_items(uow=uow, actor=manager, on=ON)
    item = list_care_items(uow=uow, actor=manager, on=ON, kind=CareKind.CONTRACT_EXPIRY)[0]
    from app.services.care import record_outcome
    record_outcome(uow=uow, actor=sales_user, care_item_id=item.id,
                   expected_version=item.version, outcome="客户同意续签", channel="visit",
                   done=False, on=ON)
    ctx = make_context(manager, "management", language=language)
    page = CarePage(ctx, today=ON, auto_generate=False)
    _show(qtbot, page, (1200, 420))
    qtbot.waitUntil(lambda: len(page.items) == 5)
    qtbot.waitUntil(lambda: page.generation_label.text() != "")
    page.table.selectRow(1)  # the overdue first row shows its red, unselected
    qtbot.wait(20)
    assert clipped_texts(page) == []
    _save(page, f"care_page_{language}.png")

    dialog = _open_dialog(qtbot, page.record_outcome())
    qtbot.wait(20)
    assert clipped_texts(dialog) == []
    _save(dialog, f"care_outcome_dialog_{language}.png")
    dialog.close()

    page.open_rules()
    rules = page.dialog
    assert isinstance(rules, CareRulesDialog)
    qtbot.waitUntil(lambda: rules.rules is not None and not rules.is_busy)
    qtbot.wait(20)
    assert clipped_texts(rules) == []
    _save(rules, f"care_rules_dialog_{language}.png")
    rules.close()

    todo = TodoPage(make_context(sales_user, "key_accounts", language=language), today=ON)
    _show(qtbot, todo, (1000, 320))
    qtbot.waitUntil(lambda: todo.loaded)
    qtbot.wait(20)
    assert clipped_texts(todo) == []
    _save(todo, f"care_todo_{language}.png")

"""The counter screen: find-or-create the customer and record the walk-in by keyboard;
the follow-up date puts the visit on the owner's to-do list."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.models import Visit
from app.models.enums import ConfirmStatus, VisitKind
from app.services.customers import CustomerDetail, search_customers
from app.services.permissions import Actor
from app.services.uow import UnitOfWork
from app.services.visits import VisitDraft, list_visits, record_visit, update_visit
from app.ui.context import AppContext
from app.ui.customers.overview import CustomerOverviewPage
from app.ui.customers.timeline_model import KIND_ROLE
from app.ui.shell.main_window import MainWindow
from app.ui.todo.page import TodoPage
from app.ui.visits.common import follow_up_value
from app.ui.visits.visit_dialog import VisitDialog
from app.ui.visits.walk_in_page import WalkInPage
from tests import run_day
from tests.ui.conftest import SHOTS_DIR, clipped_texts

MakeContext = Callable[..., AppContext]
AddCustomer = Callable[..., CustomerDetail]

XINRUI = "北京鑫锐科技有限公司"
PHONE = "010-6253 8888"
CTRL = Qt.KeyboardModifier.ControlModifier


def _page(qtbot: QtBot, ctx: AppContext) -> WalkInPage:
    page = WalkInPage(ctx, debounce_ms=50)
    qtbot.addWidget(page)
    page.resize(1100, 620)
    with qtbot.waitActive(page):  # Ctrl+S reaches the active window only
        page.show()
        page.activateWindow()
    qtbot.waitUntil(page.search_edit.hasFocus)
    return page


def _focus() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def _type(qtbot: QtBot, text: str) -> None:
    """Type ``text``; Chinese arrives as an input method commits it (QTest types ASCII only)."""
    if text.isascii():
        qtbot.keyClicks(_focus(), text)
        return
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(_focus(), event)


def _key(qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
         ) -> None:
    qtbot.keyClick(_focus(), key, modifier)


def _visits(uow: UnitOfWork, actor: Actor) -> list[tuple[str, str, dt.date | None]]:
    return [(v.customer_name, v.purpose, v.follow_up_on)
            for v in list_visits(uow=uow, actor=actor).rows]


def _customers(uow: UnitOfWork, actor: Actor) -> list[str]:
    return sorted(r.name for r in search_customers(uow=uow, actor=actor).rows)


def test_follow_up_shorthand() -> None:
    today = dt.date(2026, 4, 1)
    assert follow_up_value("", today) is None
    assert follow_up_value("3", today) == dt.date(2026, 4, 4)
    assert follow_up_value("2026/5/1", today) == dt.date(2026, 5, 1)
    assert follow_up_value("3-2", today) == dt.date(2027, 3, 2)  # already past: next year
    assert follow_up_value("next week", today) == "next week"  # the service says why


def test_a_routine_walk_in_is_recorded_by_keyboard_only(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, uow: UnitOfWork,
    add_customer: AddCustomer,
) -> None:
    xinrui = add_customer(clerk, XINRUI, phone=PHONE)
    page = _page(qtbot, make_context(clerk, "storefront"))

    _type(qtbot, "bjxr")
    _key(qtbot, Qt.Key.Key_Return)  # before the search has even answered: picks the first
    qtbot.waitUntil(lambda: page.customer is not None)
    assert page.customer == (xinrui.id, XINRUI)
    assert _focus() is page.purpose_edit
    _type(qtbot, "买硒鼓")
    _key(qtbot, Qt.Key.Key_Return)
    assert _focus() is page.products_edit
    _type(qtbot, "HP 88A")
    _key(qtbot, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: page.last_result is not None and not page.is_busy)

    assert _visits(uow, clerk) == [(XINRUI, "买硒鼓", None)]
    # Registered at the counter = submitted to management's confirmation queue.
    assert page.last_result is not None
    assert page.last_result.visit.confirm_status is ConfirmStatus.SUBMITTED
    with uow:
        assert uow.session.get(Visit, page.last_result.visit.id).confirm_status == "submitted"
    assert "Recorded for" in page.status_label.text()
    assert f'href="customer:{xinrui.id}"' in page.status_label.text()
    # Ready for the next customer.
    assert page.search_edit.text() == "" and page.purpose_edit.text() == ""
    assert _focus() is page.search_edit
    qtbot.waitUntil(lambda: page.recent_model.rowCount() == 1)
    with qtbot.waitSignal(page.customer_activated) as opened:
        page.status_label.linkActivated.emit(f"customer:{xinrui.id}")
    assert opened.args == [xinrui.id]


def test_a_new_customer_walk_in_creates_customer_and_visit(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, uow: UnitOfWork,
) -> None:
    page = _page(qtbot, make_context(clerk, "storefront"))
    page.kind_combo.setCurrentIndex(page.kind_combo.findData(VisitKind.PHONE.value))
    _type(qtbot, "海淀打印店")
    _key(qtbot, Qt.Key.Key_Return)  # nobody matches: a new customer with this name
    qtbot.waitUntil(lambda: page.new_customer_name == "海淀打印店")
    assert _focus() is page.phone_edit
    _type(qtbot, "13910012345")
    _key(qtbot, Qt.Key.Key_Return)
    assert _focus() is page.purpose_edit
    _type(qtbot, "询问复印机租赁")
    for expected in (page.products_edit, page.outcome_edit, page.next_step_edit,
                     page.follow_up_edit):
        _key(qtbot, Qt.Key.Key_Return)
        assert _focus() is expected
    _type(qtbot, "3")
    assert "in 3 days" in page.follow_up_hint.text()
    _key(qtbot, Qt.Key.Key_Return)
    assert _focus() is page.record_button
    _key(qtbot, Qt.Key.Key_Return)  # Enter on the button records too
    qtbot.waitUntil(lambda: page.last_result is not None and not page.is_busy)

    assert page.last_result.customer_created
    assert _customers(uow, clerk) == ["海淀打印店"]
    [visit] = list_visits(uow=uow, actor=clerk).rows
    assert visit.kind is VisitKind.PHONE
    assert visit.follow_up_on == dt.date.today() + dt.timedelta(days=3)
    assert "created" in page.status_label.text()


def test_a_missing_purpose_is_shown_at_its_field(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, uow: UnitOfWork,
    add_customer: AddCustomer,
) -> None:
    add_customer(clerk, XINRUI, phone=PHONE)
    page = _page(qtbot, make_context(clerk, "storefront"))
    _key(qtbot, Qt.Key.Key_S, CTRL)  # no customer yet
    assert page.search_box.error
    _type(qtbot, "6253")
    _key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.customer is not None)
    _key(qtbot, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: bool(page.boxes["purpose"].error))
    assert _focus() is page.purpose_edit
    assert _visits(uow, clerk) == []


def test_a_duplicate_phone_shows_the_hits_and_nothing_is_written_until_confirmed(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, sales_user: Actor,
    uow: UnitOfWork, add_customer: AddCustomer,
) -> None:
    mine = add_customer(clerk, XINRUI, phone=PHONE)
    theirs = add_customer(sales_user, "王先生", phone=PHONE)
    page = _page(qtbot, make_context(clerk, "storefront"))
    page.search_edit.setText("王先生（打印）")
    page.apply_search()
    qtbot.waitUntil(page.results.isVisible)
    page.pick_item(page.results.item(page.results.count() - 1))  # "+ New customer: …"
    assert page.new_customer_name == "王先生（打印）"
    page.phone_edit.setText(PHONE)
    page.purpose_edit.setText("修打印机")
    page.record()
    qtbot.waitUntil(page.duplicates.isVisible)

    hits = {h.id: h for h in page.duplicates.hits}
    assert set(hits) == {mine.id, theirs.id}
    assert mine.id in page.duplicates.use_buttons  # in scope: "Use this customer"
    assert theirs.id not in page.duplicates.use_buttons  # restricted: ask the owner
    assert "ask 张伟" in page.duplicates.describe(hits[theirs.id])
    assert _focus() is page.duplicates.use_buttons[mine.id]
    assert _visits(uow, clerk) == []
    assert _customers(uow, clerk) == [XINRUI, "王先生"]  # nothing new

    page.duplicates.create_button.click()
    qtbot.waitUntil(lambda: page.last_result is not None and not page.is_busy)
    assert page.last_result.customer_created
    assert _customers(uow, clerk) == [XINRUI, "王先生", "王先生（打印）"]
    assert _visits(uow, clerk) == [("王先生（打印）", "修打印机", None)]
    assert not page.duplicates.isVisible()


def test_use_this_customer_records_the_visit_for_the_existing_one(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, uow: UnitOfWork,
    add_customer: AddCustomer,
) -> None:
    mine = add_customer(clerk, XINRUI, phone=PHONE)
    page = _page(qtbot, make_context(clerk, "storefront"))
    page.start_new_customer("鑫锐打印")
    page.phone_edit.setText("01062538888")
    page.purpose_edit.setText("买纸")
    page.record()
    qtbot.waitUntil(lambda: mine.id in page.duplicates.use_buttons)
    qtbot.keyClick(page.duplicates.use_buttons[mine.id], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.last_result is not None and not page.is_busy)
    assert not page.last_result.customer_created
    assert _customers(uow, clerk) == [XINRUI]
    assert _visits(uow, clerk) == [(XINRUI, "买纸", None)]


def _visit(uow: UnitOfWork, actor: Actor, customer_id: int, purpose: str,
           follow_up_on: dt.date | None, days_ago: int = 0) -> int:
    return record_visit(uow=uow, actor=actor, draft=VisitDraft(
        purpose=purpose, customer_id=customer_id, follow_up_on=follow_up_on,
        occurred_at=run_day.now() - dt.timedelta(days=days_ago),  # on the run's day
        next_step="打电话确认")).id


def _todo(qtbot: QtBot, ctx: AppContext) -> TodoPage:
    page = TodoPage(ctx)
    qtbot.addWidget(page)
    page.resize(900, 400)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_a_follow_up_due_today_is_on_the_todo_page_until_done(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, clerk2: Actor,
    uow: UnitOfWork, add_customer: AddCustomer,
) -> None:
    today = dt.date.today()
    customer = add_customer(clerk, XINRUI, phone=PHONE)
    due = _visit(uow, clerk, customer.id, "报价跟进", today)
    late = _visit(uow, clerk, customer.id, "送样品", today - dt.timedelta(days=1), days_ago=3)
    _visit(uow, clerk, customer.id, "下周再说", today + dt.timedelta(days=7))
    other = add_customer(clerk2, "海淀打印店")
    _visit(uow, clerk2, other.id, "别人的", today)  # on clerk2's list, not ours

    page = _todo(qtbot, make_context(clerk, "storefront"))
    qtbot.waitUntil(lambda: len(page.items) == 2)
    assert [i.id for i in page.items] == [late, due]  # overdue first
    assert "overdue" in page.model.index(0, 0).data()
    assert "overdue" not in page.model.index(1, 0).data()
    assert "1 of them overdue" in page.status_label.text()

    page.table.setFocus()
    page.table.selectRow(1)
    with qtbot.waitSignal(page.customer_activated) as opened:
        page.open_button.click()
    assert opened.args == [customer.id]
    page.done_button.click()
    qtbot.waitUntil(lambda: [i.id for i in page.items] == [late])
    qtbot.keyClick(page.table, Qt.Key.Key_Space)  # Space ticks off the current one
    qtbot.waitUntil(lambda: page.items == () and not page.model.is_loading)
    assert "Nothing to do" in page.status_label.text()


def test_ctrl_t_opens_the_todo_page_from_the_main_window(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor,
) -> None:
    window = MainWindow(make_context(clerk, "storefront"))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.todo_action.shortcut().toString() == "Ctrl+T"
    window.todo_action.trigger()
    assert isinstance(window.stack.currentWidget(), TodoPage)
    page = window.open_module(window.visible_modules[window.visible_modules.index(
        next(m for m in window.visible_modules if m.value == "visits"))])
    assert isinstance(page, WalkInPage)


def _visit_dialogs() -> list[VisitDialog]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, VisitDialog) and w.isVisible()]


def test_the_360_view_opens_a_visit_in_its_dialog_which_saves_and_reports_conflicts(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, uow: UnitOfWork,
    add_customer: AddCustomer,
) -> None:
    customer = add_customer(clerk, XINRUI, phone=PHONE)
    visit_id = _visit(uow, clerk, customer.id, "报价跟进", None)
    ctx = make_context(clerk, "storefront")
    overview = CustomerOverviewPage(ctx, customer.id)
    qtbot.addWidget(overview)
    overview.show()
    qtbot.waitUntil(lambda: overview.overview is not None and overview.model.rowCount() > 0)
    kinds = [overview.model.index(r, 0).data(KIND_ROLE)
             for r in range(overview.model.rowCount())]
    overview.open_entry(overview.model.entry(kinds.index("visit")))
    qtbot.waitUntil(lambda: len(_visit_dialogs()) == 1)
    [dialog] = _visit_dialogs()
    qtbot.waitUntil(lambda: dialog.visit is not None and not dialog.is_busy)
    assert dialog.purpose_edit.text() == "报价跟进"
    assert dialog.editable

    dialog.outcome_edit.setText("客户同意")
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.is_busy and dialog.visit.outcome == "客户同意")

    # Someone else saves meanwhile: the dialog says who, and Reload shows their version.
    loaded = dialog.visit
    update_visit(uow=uow, actor=clerk, visit_id=visit_id, expected_version=loaded.version,
                 draft=VisitDraft(purpose="报价跟进（改）", customer_id=customer.id))
    dialog.next_step_edit.setText("周五送货")
    dialog.save()
    qtbot.waitUntil(lambda: getattr(dialog, "conflict_box", None) is not None)
    assert "门市小王" in dialog.status_label.text()
    dialog.conflict_box.buttons()[0].click()
    qtbot.waitUntil(lambda: dialog.purpose_edit.text() == "报价跟进（改）")
    dialog.reject()


# --- screenshots ---------------------------------------------------------------------------


def _save(widget: QWidget, name: str) -> None:
    folder = Path(os.environ.get("STATIONCRM_SHOTS_DIR") or SHOTS_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(folder / name))


def test_walk_in_and_todo_screenshots(
    qtbot: QtBot, language: str, make_context: MakeContext, clerk: Actor, sales_user: Actor,
    uow: UnitOfWork, add_customer: AddCustomer,
) -> None:
    mine = add_customer(clerk, XINRUI, phone=PHONE)
    add_customer(sales_user, "王先生", phone=PHONE)
    _visit(uow, clerk, mine.id, "买硒鼓", dt.date.today())
    _visit(uow, clerk, mine.id, "送样品", dt.date.today() - dt.timedelta(days=1), days_ago=2)
    ctx = make_context(clerk, "storefront", language=language)
    page = _page(qtbot, ctx)
    qtbot.waitUntil(lambda: page.recent_model.rowCount() == 2)
    assert clipped_texts(page) == []
    _save(page, f"walk_in_{language}.png")

    page.search_edit.setText("王先生")
    page.apply_search()
    qtbot.waitUntil(lambda: page.results.count() == 2)
    _save(page, f"walk_in_search_{language}.png")
    page.start_new_customer("王先生")
    page.phone_edit.setText(PHONE)
    page.purpose_edit.setText("修打印机")
    page.follow_up_edit.setText("3")
    page.record()
    qtbot.waitUntil(page.duplicates.isVisible)
    qtbot.wait(20)
    assert clipped_texts(page) == []
    _save(page, f"walk_in_duplicates_{language}.png")

    todo = _todo(qtbot, ctx)
    qtbot.waitUntil(lambda: len(todo.items) == 2)
    assert clipped_texts(todo) == []
    _save(todo, f"todo_{language}.png")


def test_key_accounts_station_starts_on_a_visit_not_a_walk_in(
    qtbot: QtBot, make_context: MakeContext, sales_user: Actor, clerk: Actor,
) -> None:
    page = _page(qtbot, make_context(sales_user, "key_accounts"))
    assert page.kind_combo.currentData() == "visit"
    counter = _page(qtbot, make_context(clerk, "storefront"))
    assert counter.kind_combo.currentData() == "walk_in"

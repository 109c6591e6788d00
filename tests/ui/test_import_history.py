"""The past imports dialog (导入记录) driven as a person would: the list, undo with its
question, what was kept and why, marking a cut-off import as interrupted — and the customer
list's "Past imports…" button."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, select, update

from app.models import Customer, ImportBatch, ImportItem, utcnow
from app.services.importing.customers import plan_customer_import, run_customer_import
from app.services.importing.history import STALE
from app.services.permissions import Actor
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.customers.import_history import (
    COLUMN_CREATED,
    COLUMN_FILE,
    COLUMN_KEPT,
    COLUMN_KIND,
    COLUMN_ROWS,
    ImportHistoryDialog,
)
from tests.services.importing.test_import_history import _cut_off, _sheet
from tests.services.test_confirmation import make_visit
from tests.ui.conftest import SHOTS_DIR, clipped_texts

MakeContext = Callable[..., AppContext]


def _import(uow: UnitOfWork, actor: Actor, path: Path) -> int:
    plan = plan_customer_import(uow=uow, actor=actor, path=path)
    return run_customer_import(uow=uow, actor=actor, plan=plan).batch_id


def _dialog(qtbot: QtBot, ctx: AppContext) -> ImportHistoryDialog:
    dialog = ImportHistoryDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.loaded, timeout=10_000)
    return dialog


def _answer(qtbot: QtBot, dialog: ImportHistoryDialog, *, yes: bool) -> QMessageBox:
    qtbot.waitUntil(lambda: dialog.confirm_box is not None and dialog.confirm_box.isVisible())
    box = dialog.confirm_box
    assert box is not None
    box.button(QMessageBox.StandardButton.Yes if yes
               else QMessageBox.StandardButton.Cancel).click()
    return box


def _names(uow: UnitOfWork) -> list[str]:
    with uow:
        return list(uow.session.execute(select(Customer.name).order_by(Customer.id)).scalars())


def test_undo_from_the_list_keeps_what_was_used_and_says_why(
    qtbot: QtBot, tmp_path: Path, uow: UnitOfWork, make_context: MakeContext, manager: Actor,
) -> None:
    _import(uow, manager, _sheet(tmp_path, "一月.csv", "北京华信打印耗材有限公司"))
    batch_id = _import(uow, manager, _sheet(tmp_path, "二月.csv", "北京博普装饰有限公司",
                                            "北京天成文具有限公司"))
    with uow:
        used = uow.session.execute(select(Customer.id).where(
            Customer.name == "北京天成文具有限公司")).scalar_one()
    make_visit(uow, manager, used, "上门拜访")
    dialog = _dialog(qtbot, make_context(manager, "management"))
    table = dialog.table
    assert table.rowCount() == 2
    # Newest first, selected.
    assert [table.item(r, COLUMN_FILE).text() for r in range(2)] == ["二月.csv", "一月.csv"]
    assert (table.item(0, COLUMN_KIND).text(), dialog.status_text(0),
            table.item(0, COLUMN_ROWS).text(), table.item(0, COLUMN_CREATED).text()) == \
        ("Customers", "Done", "2", "2")
    assert dialog.selected() is not None and dialog.selected().id == batch_id  # type: ignore[union-attr]
    assert dialog.undo_button.isEnabled()
    assert not dialog.close_import_button.isEnabled()
    # Asked first; Cancel changes nothing.
    dialog.undo_button.click()
    box = _answer(qtbot, dialog, yes=False)
    assert "二月.csv" in box.text() and "It created 2 and updated 0" in box.informativeText()
    assert len(_names(uow)) == 3
    # Delete asks the same; this time yes.
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    _answer(qtbot, dialog, yes=True)
    qtbot.waitUntil(lambda: not dialog.busy and dialog.status_text(0) == "Partly undone"
                    and dialog.kept_table.isVisible(), timeout=10_000)
    assert dialog.status.text() == ("The import of 二月.csv is undone: 1 records removed or put "
                                    "back, 1 kept (listed below with the reason).")
    assert table.item(0, COLUMN_KEPT).text() == "1"
    assert dialog.kept_table.rowCount() == 1
    assert dialog.kept_table.item(0, 0).text().endswith(" 北京天成文具有限公司")
    assert dialog.kept_table.item(0, 1).text() == "3"
    assert dialog.kept_table.item(0, 2).text() == "used since the import (a visit record)"
    assert _names(uow) == ["北京华信打印耗材有限公司", "北京天成文具有限公司"]
    assert ("customer", None) in dialog.ctx.changes.published
    # The other, older import: undone whole, the table reads 已撤销/Undone.
    table.selectRow(1)
    assert not dialog.kept_table.isVisible()
    dialog.ask_undo()
    _answer(qtbot, dialog, yes=True)
    qtbot.waitUntil(lambda: not dialog.busy and dialog.status_text(1) == "Undone",
                    timeout=10_000)
    assert not dialog.undo_button.isEnabled()
    assert _names(uow) == ["北京天成文具有限公司"]
    with uow:
        left = uow.session.execute(select(ImportItem.record_id).where(
            ImportItem.undone_at.is_(None))).scalars().all()
    assert left == [used]


def test_a_cut_off_import_is_marked_interrupted_then_undone(
    qtbot: QtBot, tmp_path: Path, uow: UnitOfWork, engine: Engine,
    make_context: MakeContext, manager: Actor,
) -> None:
    batch_id = _cut_off(uow, manager, _sheet(tmp_path, "断网.csv", "北京华信打印耗材有限公司",
                                             "北京博普装饰有限公司"))
    stale = utcnow() - STALE - dt.timedelta(minutes=1)
    with engine.begin() as conn:
        conn.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(
            created_at=stale, updated_at=stale))
        conn.execute(update(Customer).values(created_at=stale, updated_at=stale))
    dialog = _dialog(qtbot, make_context(manager, "management"))
    assert dialog.status_text(0) == "Running"
    assert not dialog.undo_button.isEnabled() and dialog.close_import_button.isEnabled()
    # Enter on the row offers what the row can do: here, marking it interrupted.
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    box = _answer(qtbot, dialog, yes=True)
    assert box.objectName() == "import_close_confirm" and "断网.csv" in box.text()
    qtbot.waitUntil(lambda: not dialog.busy and dialog.status_text(0) == "Interrupted",
                    timeout=10_000)
    assert dialog.status.text().startswith("The import of 断网.csv is marked as interrupted: "
                                           "1 created")
    assert dialog.undo_button.isEnabled() and not dialog.close_import_button.isEnabled()
    dialog.undo_button.click()
    _answer(qtbot, dialog, yes=True)
    qtbot.waitUntil(lambda: not dialog.busy and dialog.status_text(0) == "Undone",
                    timeout=10_000)
    assert _names(uow) == []


def test_the_dialog_in_both_languages_nothing_clipped(
    qtbot: QtBot, tmp_path: Path, uow: UnitOfWork, make_context: MakeContext, manager: Actor,
    language: str,
) -> None:
    _import(uow, manager, _sheet(tmp_path, "2024年客户资料（门市部）.csv",
                                 "北京华信打印耗材有限公司", "北京博普装饰有限公司"))
    batch_id = _import(uow, manager, _sheet(tmp_path, "大客户.csv", "北京天成文具有限公司"))
    with uow:
        used = uow.session.execute(select(Customer.id).where(
            Customer.name == "北京天成文具有限公司")).scalar_one()
    make_visit(uow, manager, used, "上门拜访")
    dialog = _dialog(qtbot, make_context(manager, "management", language=language))
    dialog.undo(dialog.summaries[0])
    qtbot.waitUntil(lambda: not dialog.busy and dialog.kept_table.isVisible(), timeout=10_000)
    assert dialog.selected() is not None and dialog.selected().id == batch_id  # type: ignore[union-attr]
    assert dialog.status_text(0) == {"en": "Partly undone", "zh": "部分撤销"}[language]
    assert dialog.status_text(1) == {"en": "Done", "zh": "已完成"}[language]
    if language == "zh":
        assert dialog.windowTitle() == "导入记录"
        assert dialog.table.item(0, COLUMN_KIND).text() == "客户"
        assert dialog.undo_button.text() == "撤销这次导入…"
    assert clipped_texts(dialog) == []
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    assert dialog.grab().save(str(SHOTS_DIR / f"import_history_{language}.png"))


def test_the_list_offers_past_imports_to_those_who_may_import(
    qtbot: QtBot, make_context: MakeContext, manager: Actor, sales_user: Actor,
) -> None:
    from app.ui.customers.list_page import CustomerListPage

    for actor, shown in ((manager, True), (sales_user, False)):
        page = CustomerListPage(make_context(actor, "management"))
        qtbot.addWidget(page)
        assert page.import_history_button.isVisibleTo(page) is shown
    page = CustomerListPage(make_context(manager, "management"))
    qtbot.addWidget(page)
    page.import_history_button.click()
    dialog = page.import_history
    assert isinstance(dialog, ImportHistoryDialog)
    qtbot.waitUntil(lambda: dialog.loaded, timeout=10_000)
    assert dialog.status.text() == "No imports yet."
    assert not dialog.undo_button.isEnabled()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Escape)
    # Closed (and deleted, as every dialog opened from a page).
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible())

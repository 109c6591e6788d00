"""The knowledge page's "New entry" (button, and the main window's Ctrl+N on this page): the
form opens empty and saves."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import shiboken6
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.models import AuditEntry
from app.models.service import KnowledgeEntry
from app.services.permissions import Actor
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.knowledge.page import KnowledgePage

MakeContext = Callable[..., AppContext]


@pytest.fixture
def lead(make_user: Callable[..., Actor]) -> Actor:
    return make_user("lead1", "repair_lead", "repair", display_name="维修主管")


def _page(qtbot: QtBot, ctx: AppContext) -> KnowledgePage:
    page = KnowledgePage(ctx)
    qtbot.addWidget(page)
    page.resize(1000, 600)
    page.show()
    qtbot.waitUntil(lambda: page.browse_loaded)
    return page


def _fill(dialog: object, **values: str) -> None:
    for field, text in values.items():
        widget = dialog.edits[field]  # type: ignore[attr-defined]
        if hasattr(widget, "setPlainText"):
            widget.setPlainText(text)
        else:
            widget.setText(text)


def test_a_technician_starts_an_entry_from_the_page_and_finds_it_in_my_entries(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, technician: Actor,
) -> None:
    page = _page(qtbot, make_context(technician, "repair"))
    assert page.new_button.isVisible() and page.new_button.text() == "New entry…"
    dialog = page.new_entry()
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "New knowledge entry"
    assert all(dialog.text(f) == "" for f in dialog.edits)  # empty: no repair behind it
    qtbot.waitUntil(dialog.edits["device_model"].hasFocus)

    # Nothing typed but the model: refused at the fields, nothing written.
    _fill(dialog, device_model="Brother HL-2260D")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: not dialog._busy and bool(dialog.status_label.text()))
    assert dialog.isVisible()
    assert {f for f in ("symptom", "cause", "solution") if dialog.field_error(f)} == {
        "symptom", "cause", "solution"}
    with uow:
        assert uow.session.scalars(select(KnowledgeEntry.id)).all() == []

    _fill(dialog, symptom="打印件底灰、碳粉蹭脏", cause="定影膜老化",
          solution="更换定影膜并清洁压力辊", keywords="底灰 定影")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible())
    with uow:
        entry = uow.session.execute(select(KnowledgeEntry)).scalar_one()
        assert (entry.device_model, entry.status, entry.author_id) == (
            "Brother HL-2260D", "pending", technician.user_id)
        assert uow.session.execute(select(AuditEntry.action).where(
            AuditEntry.entity == "knowledge")).scalars().all() == ["create"]
        entry_id, number = entry.id, entry.number
    # The page shows it in My entries, selected, with what happens next.
    qtbot.waitUntil(lambda: page.selected_mine() is not None
                    and page.selected_mine().id == entry_id)
    assert page.tabs.currentWidget() is page.mine_panel
    assert page.mine_message.text() == f"{number} submitted for approval."


def test_ctrl_n_opens_the_form_from_any_tab(
    qtbot: QtBot, make_context: MakeContext, lead: Actor,
) -> None:
    from app.models.enums import Module
    from app.ui.shell.main_window import MainWindow

    window = MainWindow(make_context(lead, "repair"))
    qtbot.addWidget(window)
    window.show()
    page = window.open_module(Module.KNOWLEDGE)
    assert isinstance(page, KnowledgePage)
    qtbot.waitUntil(lambda: page.browse_loaded)
    page.tabs.setCurrentWidget(page.browse_panel)
    window.activateWindow()
    page.search_edit.setFocus()
    qtbot.waitUntil(page.search_edit.hasFocus)
    qtbot.keyClick(page.search_edit, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = page.new_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "New knowledge entry"
    assert page.search_edit.text() == ""  # the key went to the page, not the search box
    dialog.close()


def test_who_may_not_write_entries_has_no_new_entry(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor,
) -> None:
    page = _page(qtbot, make_context(clerk, "storefront"))
    assert not page.new_button.isVisible()
    assert page.new_button.isHidden()  # so the main window's New makes a customer here
    assert page.new_entry() is None and page.new_dialog is None

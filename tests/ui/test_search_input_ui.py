"""Text no search can use, typed or pasted into the customer list's search box: the status
line says so in the user's language, no dialog, no traceback, and the list recovers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.services.customers import CustomerDetail
from app.services.permissions import Actor
from app.ui.context import AppContext
from app.ui.customers.list_page import CustomerListPage

XINRUI = "北京鑫锐科技有限公司"
SENTENCE = {
    "en": "The search text contains characters that cannot be searched for (control "
          "characters or invalid Unicode).",
    "zh": "搜索内容包含无法用于搜索的字符（控制字符或无效的 Unicode 字符）。",
}


# (A lone surrogate never reaches the box: Qt drops it when the text becomes a QString.)
@pytest.mark.parametrize("bad", ["鑫锐\x00", "鑫锐\U0010ffff", "鑫锐\uffff"],
                         ids=["nul", "u10ffff", "uffff"])
def test_unsearchable_text_shows_the_message_on_the_status_line(
    qtbot: QtBot, make_context: Callable[..., AppContext], clerk: Actor,
    add_customer: Callable[..., CustomerDetail], language: str, bad: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    boxes: list[object] = []
    monkeypatch.setattr(QMessageBox, "open", lambda self, *a: boxes.append(self))
    monkeypatch.setattr(QMessageBox, "exec", lambda self, *a: boxes.append(self))
    add_customer(clerk, XINRUI)
    page = CustomerListPage(make_context(clerk, "storefront"), debounce_ms=20)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)

    page.search_edit.setText(bad)  # pasted: typing cannot produce every one of these
    qtbot.waitUntil(lambda: page.status_label.text() == SENTENCE[language])
    assert page.status_label.property("error") is True
    assert page.model.rowCount() == 0
    assert boxes == []

    page.search_edit.setText("鑫锐")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.status_label.property("error") is False

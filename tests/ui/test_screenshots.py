"""Render the login dialog and the main window to PNG in English and Chinese, for people to look at.

The images go to /tmp/shots/ (or $STATIONCRM_SHOTS_DIR). The test also checks what a person
would: every label and button fits its text, and the CJK font covers the Chinese shown.
Set $STATIONCRM_QM_DIR to render with a locally built stationcrm_zh_CN.qm.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.db import DatabaseUnavailable
from app.models.enums import CustomerClass, CustomerSource, CustomerStatus
from app.services.customers import CustomerDetail
from app.services.permissions import Actor
from app.settings import Settings
from app.ui.context import AppContext
from app.ui.shell.login import LoginDialog
from app.ui.shell.main_window import MainWindow
from app.ui.tasks import TaskManager
from tests.ui.conftest import OFFSCREEN_NOISE, SHOTS_DIR, clipped_texts

CJK_FAMILY = "WenQuanYi Micro Hei"

CUSTOMERS = [
    ("北京鑫锐科技有限公司", "010-6253 8888", CustomerClass.KEY_ACCOUNT, CustomerSource.VISIT),
    ("海淀区实验中学", "010-8261 1234", CustomerClass.A, CustomerSource.REFERRAL),
    ("中关村打印耗材经销部", "13910012345", CustomerClass.DEALER, CustomerSource.DEALER),
    ("朝阳区税务所", "010-6590 2222", CustomerClass.B, CustomerSource.PHONE),
    ("王先生", "13601234567", CustomerClass.RETAIL, CustomerSource.WALK_IN),
    ("北京华远律师事务所", "010-8447 3300", CustomerClass.A, CustomerSource.WEB),
    ("丰台区第二医院设备科", "010-6381 7000", CustomerClass.KEY_ACCOUNT,
     CustomerSource.SERVICE_RENEED),
]


def _shots_dir() -> Path:
    folder = Path(os.environ.get("STATIONCRM_SHOTS_DIR") or SHOTS_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _save(widget: QWidget, name: str) -> Path:
    path = _shots_dir() / name
    image = widget.grab().toImage()
    assert not image.isNull() and image.width() > 300 and image.height() > 200
    # Not a blank canvas: a rendered window has many colours.
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7)
               for y in range(0, image.height(), 7)}
    assert len(colours) > 4
    assert image.save(str(path))
    return path


def _assert_cjk_renders(text: str) -> None:
    assert CJK_FAMILY in QApplication.font().families()
    metrics = QFontMetrics(QFont(CJK_FAMILY))
    missing = [ch for ch in text if ord(ch) > 0x2E80 and not metrics.inFontUcs4(ord(ch))]
    assert missing == []


def test_login_dialog(
    qtbot: QtBot, language: str, station_settings: Settings, tasks: TaskManager,
) -> None:
    settings = dataclasses.replace(station_settings, station="key_accounts",
                                   last_username="sales1")
    dialog = LoginDialog(settings, tasks)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert clipped_texts(dialog) == []
    _save(dialog, f"login_{language}.png")

    # The same dialog after the server did not answer: the message and the way out.
    dialog.set_server("postgresql://crm:secret@127.0.0.1:1/stationcrm")
    dialog.password_edit.setText("whatever")
    dialog.attempt_login()
    qtbot.waitUntil(dialog.retry_button.isVisible, timeout=15_000)
    dialog.adjustSize()
    if language == "zh":
        assert dialog.message_label.text().startswith("无法连接数据库服务器 127.0.0.1:1")
        _assert_cjk_renders(dialog.message_label.text())
    assert clipped_texts(dialog) == []
    _save(dialog, f"login_unreachable_{language}.png")


# WORKAROUND: the offscreen platform can neither raise a window nor grab the keyboard, which
# an open combo box popup asks for; the popup is opened here only to be photographed.
@pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, r"^This plugin does not support raise\(\)$",
                           r"^This plugin does not support grabbing the keyboard$")
def test_main_window_with_customer_list(
    qtbot: QtBot, language: str, make_context: Callable[..., AppContext], clerk: Actor,
    sales_user: Actor, add_customer: Callable[..., CustomerDetail],
) -> None:
    for i, (name, phone, klass, source) in enumerate(CUSTOMERS):
        owner = sales_user if i % 3 == 0 else clerk  # every third is another's: restricted
        add_customer(owner, name, phone=phone, customer_class=klass, source=source,
                     status=CustomerStatus.ACTIVE if i % 2 else CustomerStatus.PROSPECT)
    window = MainWindow(make_context(clerk, "storefront", language=language))
    qtbot.addWidget(window)
    window.resize(1180, 560)
    window.show()
    qtbot.waitExposed(window)
    page = window.stack.currentWidget()
    qtbot.waitUntil(lambda: page.model.rowCount() == len(CUSTOMERS) and not page.model.is_loading)
    qtbot.waitUntil(lambda: page.owner_filter.count() == 3)  # all, mine, 张伟
    assert not page.model.canFetchMore(QModelIndex())
    assert clipped_texts(window) == []
    _assert_cjk_renders("".join(name for name, *_ in CUSTOMERS) + "门市小王张伟")
    _save(window, f"main_customers_{language}.png")

    # One owner's customers, and the owner filter's choices.
    page.owner_filter.setCurrentIndex(page.owner_filter.findText("张伟"))
    qtbot.waitUntil(lambda: page.model.rowCount() == 3 and not page.model.is_loading)
    qtbot.wait(20)
    assert clipped_texts(window) == []
    _save(window, f"main_customers_owner_{language}.png")
    page.owner_filter.showPopup()
    qtbot.waitUntil(page.owner_filter.view().isVisible)
    popup = page.owner_filter.view().window()
    _assert_cjk_renders("".join(page.owner_filter.itemText(i)
                                for i in range(page.owner_filter.count())))
    assert popup.grab().save(str(_shots_dir() / f"main_owner_filter_{language}.png"))
    page.owner_filter.hidePopup()
    page.owner_filter.setCurrentIndex(0)
    qtbot.waitUntil(lambda: page.model.rowCount() == len(CUSTOMERS))

    # The server drops: the banner says so, the list and the typed search stay.
    page.search_edit.setText("bjxr")
    window.monitor.stop()
    window.monitor.report_failure(DatabaseUnavailable(
        topic="unreachable", server="db-server:5432", detail="connection refused"))
    assert window.banner.isVisible()
    qtbot.wait(20)  # let the layouts settle around the new texts
    assert clipped_texts(window) == []
    _save(window, f"main_disconnected_{language}.png")

    # A black hole: the server stops answering a call; the person may stop waiting.
    window.banner.hide()
    window.monitor._connected = True  # noqa: SLF001 - a second, different failure
    window.monitor.report_failure(DatabaseUnavailable(
        topic="no_answer", server="db-server:5432", detail="no answer within 2.5 s"))
    window._on_stall_changed(True)  # noqa: SLF001 - as when a call hangs meanwhile
    assert window.stop_waiting_button.isVisible()
    qtbot.wait(20)
    assert clipped_texts(window) == []
    _save(window, f"main_no_answer_{language}.png")


def test_main_window_of_the_repair_station(
    qtbot: QtBot, language: str, make_context: Callable[..., AppContext], technician: Actor,
) -> None:
    window = MainWindow(make_context(technician, "repair", language=language))
    qtbot.addWidget(window)
    window.resize(900, 500)
    window.show()
    qtbot.waitExposed(window)
    assert clipped_texts(window) == []
    _save(window, f"main_repair_{language}.png")


def test_a_save_whose_answer_was_lost_is_checked_then_confirmed(
    qtbot: QtBot, language: str, make_context: Callable[..., AppContext], clerk: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from app.ui import saving as ui_saving
    from app.ui.customers import card as card_module
    from app.ui.customers.card import CustomerCardDialog
    from tests.ui.test_lost_answers import CutConnection

    monkeypatch.setattr(ui_saving, "CHECK_EVERY_MS", 50)
    monkeypatch.setattr(card_module, "create_customer",
                        CutConnection(card_module.create_customer, after_commit=True))
    real_check = ui_saving.was_saved
    checks: list[int] = []

    def slow_server(**kwargs: object) -> object:
        checks.append(1)
        if len(checks) < 4:
            raise DatabaseUnavailable(topic="unreachable", server="db-server:5432")
        return real_check(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ui_saving, "was_saved", slow_server)
    window = MainWindow(make_context(clerk, "storefront", language=language),
                        retry_interval_ms=100)
    qtbot.addWidget(window)
    window.show()
    card = CustomerCardDialog(window.ctx, None, window, duplicate_debounce_ms=10)
    qtbot.addWidget(card)
    card.show()
    card.name_edit.setText("海淀科技打印服务部")
    card.save()

    def box(name: str) -> QMessageBox | None:
        found = [w for w in QApplication.topLevelWidgets()
                 + window.findChildren(QMessageBox) + card.findChildren(QMessageBox)
                 if isinstance(w, QMessageBox) and w.objectName() == name and w.isVisible()]
        return found[0] if found else None

    qtbot.waitUntil(lambda: box("save_check_notice") is not None, timeout=3000)
    notice = box("save_check_notice")
    assert notice is not None
    if language == "zh":
        _assert_cjk_renders(notice.text())
    assert notice.grab().save(str(_shots_dir() / f"save_checking_{language}.png"))
    qtbot.waitUntil(lambda: box("save_confirmed_box") is not None, timeout=5000)
    confirmed = box("save_confirmed_box")
    assert confirmed is not None
    assert confirmed.text().startswith("已保存" if language == "zh" else "Saved.")
    assert confirmed.grab().save(str(_shots_dir() / f"save_confirmed_{language}.png"))

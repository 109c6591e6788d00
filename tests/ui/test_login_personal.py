"""The login dialog on a server where each person has their own database login."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from app import i18n
from app.models.enums import StationCode
from app.settings import Settings, read_station_config
from app.ui.shell.app import GuiSession
from app.ui.shell.login import LoginDialog
from app.ui.tasks import TaskManager
from tests.secured_server import secured_station
from tests.ui.conftest import SHOTS_DIR

PASSWORDS = {"clerk1": "clerk-pass-1", "sales1": "sales-pass-1", "admin": "admin-pass-1"}


@pytest.fixture(scope="module")
def station_url() -> Iterator[str]:
    with secured_station(PASSWORDS, name="gui") as url:
        yield url


def _dialog(qtbot: QtBot, settings: Settings, tasks: TaskManager, user: str,
            password: str) -> LoginDialog:
    dialog = LoginDialog(settings, tasks)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.user_edit.clear()
    qtbot.keyClicks(dialog.user_edit, user)
    qtbot.keyClicks(dialog.password_edit, password)
    return dialog


def test_the_server_refuses_a_wrong_password_in_the_persons_language(
        qtbot: QtBot, station_settings: Settings, tasks: TaskManager, station_url: str) -> None:
    i18n.set_language("zh")
    try:
        settings = dataclasses.replace(station_settings, db_url=station_url, language="zh")
        dialog = _dialog(qtbot, settings, tasks, "clerk1", "not-the-password")
        with qtbot.assertNotEmitted(dialog.logged_in):
            qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(dialog.login_button.isEnabled, timeout=15_000)
        text = dialog.message_label.text()
        assert text.startswith("用户名或密码错误。") and "stationcrm db security" in text
        assert dialog.password_edit.text() == ""
        SHOTS_DIR.mkdir(parents=True, exist_ok=True)
        dialog.grab().save(str(SHOTS_DIR / "login_personal_refused_zh.png"))
    finally:
        i18n.set_language("en")


def test_a_person_logs_in_with_their_own_database_login_and_no_password_is_kept(
        qtbot: QtBot, station_settings: Settings, tasks: TaskManager, station_url: str) -> None:
    settings = dataclasses.replace(station_settings, db_url=station_url)
    session = GuiSession(settings, tasks=tasks)
    session.start()
    dialog = session.login_dialog
    assert dialog is not None
    qtbot.addWidget(dialog)
    dialog.user_edit.clear()
    qtbot.keyClicks(dialog.user_edit, "sales1")
    qtbot.keyClicks(dialog.password_edit, PASSWORDS["sales1"])
    dialog.station_combo.setCurrentIndex(
        dialog.station_combo.findData(StationCode.KEY_ACCOUNTS.value))
    qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: session.main_window is not None
                    and session.main_window.isVisible(), timeout=15_000)
    qtbot.addWidget(session.main_window)
    database = session.main_window.ctx.database  # type: ignore[union-attr]
    with database.engine.connect() as conn:
        assert conn.execute(text("SELECT current_user")).scalar_one().endswith("_sales1")
    config = read_station_config(settings.config_dir / "station.toml")
    assert config.get("last_username") == "sales1"
    assert PASSWORDS["sales1"] not in (settings.config_dir / "station.toml").read_text(
        encoding="utf-8")

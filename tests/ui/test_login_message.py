"""The login dialog shows one message for unknown user, wrong password and deactivated account."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from app.models import User
from app.services.auth import refused
from app.services.uow import UnitOfWork
from app.settings import Settings
from app.ui.context import Database
from app.ui.shell.login import LoginDialog
from app.ui.tasks import TaskManager
from tests.conftest import TEST_PASSWORD
from tests.ui.test_login import _fill


@pytest.mark.parametrize(("username", "password"), [
    ("nobody", TEST_PASSWORD),       # no such user
    ("clerk1", "not-the-password"),  # wrong password
    ("clerk2", TEST_PASSWORD),       # deactivated, with the right password
])
def test_every_refusal_shows_the_same_message(
    qtbot: QtBot, station_settings: Settings, tasks: TaskManager, database: Database,
    uow: UnitOfWork, clerk: object, clerk2: object, username: str, password: str,
) -> None:
    with uow:
        uow.session.execute(update(User).where(User.username == "clerk2").values(active=False))
        uow.commit()
    dialog = LoginDialog(station_settings, tasks, database=database)
    qtbot.addWidget(dialog)
    dialog.show()
    _fill(dialog, qtbot, username, password)
    with qtbot.assertNotEmitted(dialog.logged_in):
        dialog.attempt_login()
        qtbot.waitUntil(dialog.login_button.isEnabled, timeout=10_000)
    assert dialog.message_label.text() == str(refused())
    assert dialog.user_edit.text() == username and dialog.password_edit.text() == ""
    assert not dialog.retry_button.isVisible()

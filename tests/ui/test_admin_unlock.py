"""Administration → Users: unlocking a login that repeated wrong passwords made wait."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from app import i18n
from app.models.enums import DataScope, Module, Operation
from app.services import administration as adm
from app.services.auth import FREE_FAILURES, login
from app.services.errors import AuthenticationFailed, ConflictError, PermissionDenied
from app.ui.admin.page import AdminPage
from app.ui.i18n import install_translator
from tests.conftest import TEST_PASSWORD
from tests.ui.conftest import SHOTS_DIR, clipped_texts

SHOTS = Path(os.environ.get("STATIONCRM_SHOTS_DIR") or SHOTS_DIR) / "admin"
STATION = "storefront"
WRONG = "wrong-pass-9"


def _lock_out(uow, username="clerk1", station=STATION):
    """Wrong passwords from one station until it must wait; the right one is refused then."""
    for _ in range(FREE_FAILURES):
        with pytest.raises(AuthenticationFailed):
            login(uow=uow, username=username, password=WRONG, station=station)
    with pytest.raises(AuthenticationFailed):
        login(uow=uow, username=username, password=TEST_PASSWORD, station=station)


def _page(qtbot, make_context, actor, language="en"):
    page = AdminPage(make_context(actor, "management", language=language))
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    return page


def _select(users, username):
    row = next(i for i in range(users.table.rowCount())
               if users.table.item(i, 0).text() == username)
    users.table.selectRow(row)
    return row


def test_unlock_lets_the_user_log_in_again_from_that_station(
        qtbot, uow, make_context, admin, clerk):
    _lock_out(uow)
    page = _page(qtbot, make_context, admin)
    users = page.users
    qtbot.waitUntil(lambda: users.table.rowCount() == 2)
    button = users.unlock_button
    assert button.isVisible()
    assert button.shortcut() == QKeySequence("Alt+U")

    _select(users, "admin")
    assert not button.isEnabled()  # nobody waits for the administrator
    row = _select(users, "clerk1")
    assert users.table.item(row, 6).text().startswith("Locked until")
    assert button.isEnabled() and users.password_button.isEnabled()

    qtbot.waitActive(page)
    qtbot.keyClick(users.table, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: "unlocked" in users.message.text())
    assert users.message.text() == "门市小王 is unlocked and can log in again."
    assert users.table.item(row, 6).text() == "Enabled"
    assert not button.isEnabled()
    assert users.selected() is not None and users.selected().locked_until is None

    # The real outcome: the clerk logs in again from the station that had to wait.
    actor = login(uow=uow, username="clerk1", password=TEST_PASSWORD, station=STATION)
    assert actor.user_id == clerk.user_id
    # A fresh list agrees with the row updated in place.
    users.refresh()
    qtbot.waitUntil(lambda: "users" in users.message.text())
    row = _select(users, "clerk1")
    assert users.table.item(row, 6).text() == "Enabled"
    assert not button.isEnabled()


@pytest.mark.parametrize("error", [
    PermissionDenied("You may not edit in administration."),
    ConflictError("User 2 was changed by someone else after you opened it."),
])
def test_a_refused_unlock_is_shown_like_the_other_actions(
        qtbot, uow, make_context, admin, clerk, monkeypatch, error):
    _lock_out(uow)
    shown = []
    monkeypatch.setattr("app.ui.admin.users_tab.show_error", lambda parent, e: shown.append(e))

    def refuse(**_kw):
        raise error

    monkeypatch.setattr(adm, "unlock_user", refuse)
    page = _page(qtbot, make_context, admin)
    users = page.users
    qtbot.waitUntil(lambda: users.table.rowCount() == 2)
    row = _select(users, "clerk1")
    users.unlock_button.click()
    assert not users.unlock_button.isEnabled()  # no second call while one runs
    qtbot.waitUntil(lambda: bool(shown))
    assert shown == [error]
    assert users.unlock_button.isEnabled()  # still waiting: it may be tried again
    assert users.table.item(row, 6).text().startswith("Locked until")


def test_no_unlock_without_administration_edit(qtbot, uow, make_context, admin, make_user,
                                               manager):
    viewer_role = adm.create_role(uow=uow, actor=admin, code="admin_viewer",
                                  name_zh="日志查看", name_en="Audit viewer")
    adm.save_role_matrix(uow=uow, actor=admin, role_id=viewer_role.role.id,
                         expected_version=viewer_role.role.version,
                         operations=[(Module.ADMINISTRATION, Operation.VIEW)],
                         scopes={Module.ADMINISTRATION: DataScope.ALL}, field_rules={})
    viewer = make_user("viewer1", "admin_viewer", "management")
    make_user("clerk1", "counter_clerk", "storefront")
    _lock_out(uow)

    page = _page(qtbot, make_context, viewer)
    users = page.users
    qtbot.waitUntil(lambda: users.table.rowCount() == 4)
    _select(users, "clerk1")
    # Hidden, the way reset password is; the service refuses anyway.
    assert not users.unlock_button.isVisible()
    assert not users.password_button.isVisible()
    users.unlock_selected()
    qtbot.wait(50)
    assert "unlocked" not in users.message.text()
    clerk_id = users.selected().id
    with pytest.raises(PermissionDenied):
        adm.unlock_user(uow=uow, actor=viewer, user_id=clerk_id)

    # The general manager has no administration at all.
    page = _page(qtbot, make_context, manager)
    assert not page.users.unlock_button.isVisible()


def test_render_users_with_a_locked_user_in_chinese(qtbot, uow, make_context, admin, clerk,
                                                   qapp):
    qm_dir = os.environ.get("STATIONCRM_QM_DIR")
    resolved = install_translator(qapp, "zh", directory=Path(qm_dir) if qm_dir else None)
    i18n.set_language(resolved)
    try:
        _lock_out(uow)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page = _page(qtbot, make_context, admin, language=resolved)
        page.resize(1366, 820)
        users = page.users
        qtbot.waitUntil(lambda: users.table.rowCount() == 2)
        row = _select(users, "clerk1")
        assert users.unlock_button.text() == "解锁(&U)"
        assert users.table.item(row, 6).text().startswith("锁定至 ")
        qtbot.wait(50)
        assert clipped_texts(page) == []
        assert page.grab().save(str(SHOTS / "users_unlock_zh.png"))
        users.unlock_button.click()
        qtbot.waitUntil(lambda: "已解锁" in users.message.text())
        assert users.message.text() == "门市小王 已解锁，可以重新登录。"
        qtbot.wait(50)
        assert clipped_texts(page) == []
        assert page.grab().save(str(SHOTS / "users_unlocked_zh.png"))
    finally:
        install_translator(qapp, "en")
        i18n.set_language("en")

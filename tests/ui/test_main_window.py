"""The main window: status bar, module navigation, menus, and living through a server drop."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.db import DatabaseUnavailable
from app.models.enums import Module
from app.services.permissions import Actor
from app.ui.context import AppContext
from app.ui.customers import list_page
from app.ui.customers.list_page import CustomerListPage
from app.ui.shell.main_window import MainWindow
from app.ui.shell.pages import PLANNED_IN_ISSUE, PlaceholderPage, page_factories

MakeContext = Callable[..., AppContext]


class FlakyServer:
    """A ping that fails while ``down`` is set, like a server being restarted."""

    def __init__(self) -> None:
        self.down = False
        self.pings = 0

    def __call__(self) -> None:
        self.pings += 1
        if self.down:
            raise DatabaseUnavailable(topic="unreachable", server="db-server:5432",
                                      detail="connection refused")


def _window(qtbot: QtBot, ctx: AppContext, **kwargs: object) -> MainWindow:
    window = MainWindow(ctx, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    return window


def test_status_bar_shows_user_station_server_and_connection(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor,
) -> None:
    ctx = make_context(clerk, "storefront")
    window = _window(qtbot, ctx)

    def text(name: str) -> str:
        label = window.statusBar().findChild(QLabel, name)
        assert label is not None and label.isVisible()
        return label.text()

    assert text("status_user") == "User: 门市小王 (clerk1)"
    assert text("status_station") == "Station: Storefront / dealers"
    # The test database's address, whichever database the suite runs on.
    scheme = ctx.database.url.split("://", 1)[0]
    assert text("status_server").startswith(f"Server: {scheme}://")
    assert text("status_connection") == "● Connected"
    assert isinstance(window.stack.currentWidget(), CustomerListPage)


def test_server_password_never_shows_in_the_status_bar(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, engine: object,
) -> None:
    from app.ui.context import Database

    ctx = make_context(clerk, "storefront")
    secret = Database("postgresql://crm:pa55word@db-server/stationcrm", engine,
                      owns_engine=False)
    window = _window(qtbot, AppContext(
        settings=ctx.settings, database=secret, actor=ctx.actor,
        permissions=ctx.permissions, tasks=ctx.tasks), factories={})
    label = window.statusBar().findChild(QLabel, "status_server")
    assert label.text() == "Server: postgresql://crm:***@db-server/stationcrm"
    assert "pa55word" not in label.toolTip()


def test_modules_open_from_the_navigator_and_the_go_menu(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor,
) -> None:
    window = _window(qtbot, make_context(clerk, "storefront"))
    assert Module.STATISTICS not in window.visible_modules  # a clerk has no statistics
    assert window.module_actions[Module.CUSTOMERS].shortcut().toString() == "Ctrl+1"

    window.module_actions[Module.PAYMENTS].trigger()
    assert type(window.stack.currentWidget()).__name__ == "PaymentsPage"  # payments and aging
    assert window.navigator.currentItem().text() == "Payments received"
    window.module_actions[Module.SERVICE_TICKETS].trigger()
    assert type(window.stack.currentWidget()).__name__ == "TicketListPage"
    # A module without a screen yet shows a placeholder (once every module a clerk sees
    # has its screen, none is left to show).
    placeholder = next((m for m in window.visible_modules
                        if m in PLANNED_IN_ISSUE and m not in page_factories()), None)
    if placeholder is not None:
        window.module_actions[placeholder].trigger()
        page = window.stack.currentWidget()
        assert isinstance(page, PlaceholderPage) and page.module is placeholder
        assert "coming with issue" in page.findChild(QLabel, "placeholder_text").text()
    else:
        page = PlaceholderPage(Module.STATISTICS)
        qtbot.addWidget(page)
        assert "coming with issue 6" in page.findChild(QLabel, "placeholder_text").text()

    window.navigator.setCurrentRow(0)
    assert isinstance(window.stack.currentWidget(), CustomerListPage)
    assert window.open_module(Module.ADMINISTRATION) is None


def test_server_drop_is_shown_typed_text_kept_and_reconnection_automatic(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor,
) -> None:
    server = FlakyServer()
    window = _window(qtbot, make_context(clerk, "storefront"), ping=server,
                     check_interval_ms=30, retry_interval_ms=30)
    page = window.stack.currentWidget()
    assert isinstance(page, CustomerListPage)
    connection = window.statusBar().findChild(QLabel, "status_connection")
    qtbot.waitUntil(lambda: server.pings >= 1)
    assert not window.banner.isVisible()

    server.down = True
    qtbot.waitUntil(window.banner.isVisible)
    assert "connection to the database server was lost" in window.banner_label.text()
    assert "Cannot reach the database server db-server:5432" in window.banner_label.text()
    assert connection.text() == "● Reconnecting…"
    page.search_edit.setText("北京鑫")  # the user keeps working meanwhile

    pings_while_down = server.pings
    qtbot.waitUntil(lambda: server.pings >= pings_while_down + 2)  # it keeps trying
    server.down = False
    qtbot.waitUntil(lambda: not window.banner.isVisible())
    assert connection.text() == "● Connected"
    assert page.search_edit.text() == "北京鑫"


def test_a_failed_page_read_marks_the_connection_lost_and_retries_when_back(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, add_customer: Callable[..., object],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add_customer(clerk, "北京鑫锐科技有限公司")
    server = FlakyServer()
    real_search = list_page.search_customers

    def search_on_flaky_server(**kwargs: object) -> object:
        server()
        return real_search(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(list_page, "search_customers", search_on_flaky_server)
    window = _window(qtbot, make_context(clerk, "storefront"), ping=server,
                     check_interval_ms=60_000, retry_interval_ms=30)
    page = window.stack.currentWidget()
    assert isinstance(page, CustomerListPage)
    qtbot.waitUntil(lambda: page.status_label.text() == "Customers: 1")

    server.down = True
    page.search_edit.setText("bjxr")
    page.apply_search()
    # The failed read alone tells the window: no need to wait for the minute's ping.
    qtbot.waitUntil(window.banner.isVisible)
    assert page.status_label.text().startswith(
        "Could not load customers: Cannot reach the database server db-server:5432.")
    assert page.search_edit.text() == "bjxr"

    server.down = False
    qtbot.waitUntil(lambda: not window.banner.isVisible())
    qtbot.waitUntil(lambda: page.status_label.text() == "Customers: 1")
    assert page.model.index(0, 1).data() == "北京鑫锐科技有限公司"


def test_the_embedded_database_shows_where_todays_backup_went(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor,
) -> None:
    from app import backups
    from app.db import sqlite_file

    ctx = make_context(clerk, "storefront")
    path = sqlite_file(ctx.database.url)
    if path is None:
        pytest.skip("a server keeps its own backups")
    made = backups.backup_file(path, backups.default_target(path, "daily"), kind="daily")
    try:
        window = _window(qtbot, ctx)
        note = window.statusBar().currentMessage()
        kept = len(backups.backup_files(path, "daily"))
        assert note == f"Backed up today ({kept} kept)."
        # The status bar shows the note whole beside the permanent labels.
        bar = window.statusBar()
        assert bar.fontMetrics().horizontalAdvance(note) < bar.width() - sum(
            w.width() for w in (window.user_label, window.station_label,
                                window.server_label, window.connection_label))
        box = window.show_about()
        assert f"Daily backups: {backups.backups_dir(path)}" in box.text()
        box.close()
    finally:
        made.path.unlink()


def test_about_names_the_version_schema_server_and_log_file(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, tmp_path: Path,
) -> None:
    from app import __version__, logs
    from app.schema import head_revision

    ctx = make_context(clerk, "storefront")
    window = _window(qtbot, ctx)
    log_file = logs.start_logging({logs.ENV_LOG_DIR: str(tmp_path / "logs")})
    try:
        box = window.show_about()
        text = box.text()
    finally:
        logs.stop_logging()
    assert f"Version {__version__}" in text
    assert f"Database schema {head_revision()}" in text
    assert f"Server: {ctx.server_display}" in text
    assert f"Log file: {log_file}" in text
    box.close()

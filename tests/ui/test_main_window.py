"""The main window: status bar, module navigation, menus, and living through a server drop."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget
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


# --- New (Ctrl+N): the page's kind of record, else a customer --------------------------------

def _ctrl_n(qtbot: QtBot, window: MainWindow) -> list[QWidget]:
    """Press Ctrl+N where the focus is in ``window``; the windows it opened (then closed)."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    before = {w for w in QApplication.topLevelWidgets() if w.isVisible()}
    target = QApplication.focusWidget() or window.stack.currentWidget()
    qtbot.keyClick(target, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    opened = [w for w in QApplication.topLevelWidgets()
              if w.isVisible() and w not in before]
    for dialog in opened:
        dialog.close()
    return opened


def _file_entry_with_ctrl_n(window: MainWindow) -> str:
    file_menu = window.menuBar().actions()[0].menu()
    keyed = [a.text() for a in file_menu.actions()
             if a.isVisible() and a.shortcut().toString() == "Ctrl+N"]
    assert len(keyed) == 1, keyed  # two would make the key ambiguous
    return keyed[0]


def test_ctrl_n_makes_a_record_of_the_page_on_show_else_a_customer(
    qtbot: QtBot, make_context: MakeContext, manager: Actor,
) -> None:
    from app.ui.catalog.product_dialog import ProductDialog
    from app.ui.contracts.contract_dialog import ContractDialog
    from app.ui.customers.card import CustomerCardDialog
    from app.ui.management.dialogs import NewTaskDialog
    from app.ui.opportunities.opportunity_dialog import OpportunityDialog
    from app.ui.sales.counter_dialog import CounterSaleDialog
    from app.ui.sales.quotation_dialog import QuotationDialog
    from app.ui.service.desk import IntakeDialog
    from app.ui.service.repair_dialog import KnowledgeFormDialog

    window = _window(qtbot, make_context(manager, "manager_office"))
    expected = {
        Module.CUSTOMERS: (CustomerCardDialog, "&New customer…"),
        Module.QUOTATIONS: (QuotationDialog, "New &quotation…"),
        Module.ORDERS: (CounterSaleDialog, "New &order…"),
        Module.OPPORTUNITIES: (OpportunityDialog, "New opportunity…"),
        Module.CONTRACTS: (ContractDialog, "New contract…"),
        Module.PRODUCTS: (ProductDialog, "New product…"),
        Module.SERVICE_TICKETS: (IntakeDialog, "New service &ticket…"),
        Module.KNOWLEDGE: (KnowledgeFormDialog, "New entry…"),
        Module.TASKS: (NewTaskDialog, "New task…"),           # the tasks tab on show
        # No New of their own: a new customer.
        Module.STATISTICS: (CustomerCardDialog, "&New customer…"),
        Module.PAYMENTS: (CustomerCardDialog, "&New customer…"),
    }
    for module, (kind, entry) in expected.items():
        page = window.open_module(module)
        assert page is not None
        if module is Module.TASKS:
            page.tabs.setCurrentWidget(page.task_tab)
        assert _file_entry_with_ctrl_n(window) == entry, module
        opened = _ctrl_n(qtbot, window)
        assert [type(w) for w in opened] == [kind], module
    # The key was the page's: the knowledge search box did not get an "n".
    assert window.open_module(Module.KNOWLEDGE).search_edit.text() == ""

    # The toolbar names the key on the entry that has it.
    window.open_module(Module.ORDERS)
    assert window.new_order_action.toolTip() == "New order (Ctrl+N)"
    assert window.new_customer_action.toolTip() == "New customer"


def test_ctrl_n_where_the_page_offers_no_new_to_this_user_makes_a_customer(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, technician: Actor,
) -> None:
    from app.ui.customers.card import CustomerCardDialog

    window = _window(qtbot, make_context(clerk, "storefront"))
    page = window.open_module(Module.KNOWLEDGE)  # a clerk reads entries, writes none
    assert page.new_button.isHidden()
    assert _file_entry_with_ctrl_n(window) == "&New customer…"
    assert [type(w) for w in _ctrl_n(qtbot, window)] == [CustomerCardDialog]
    assert page.new_dialog is None

    # A technician may create neither customers nor tickets: Ctrl+N does nothing.
    tech = _window(qtbot, make_context(technician, "repair"))
    assert tech.open_module(Module.SERVICE_TICKETS).new_button.isHidden()
    assert _ctrl_n(qtbot, tech) == []
    assert tech.new_record() is None


# --- Export on the customer list: management only ------------------------------------------

def test_export_on_the_customer_list_is_managements_and_writes_the_listed_customers(
    qtbot: QtBot, make_context: MakeContext, make_user: Callable[..., Actor], clerk: Actor,
    add_customer: Callable[..., object], tmp_path: Path,
) -> None:
    from openpyxl import load_workbook
    from PySide6.QtWidgets import QFileDialog

    office = make_user("office1", "management_clerk", "management", display_name="管理部文员")
    for name in ("北京鑫锐科技有限公司", "天津海河电子", "海淀零售客户"):
        add_customer(clerk, name)

    window = _window(qtbot, make_context(office, "management"))
    page = window.open_module(Module.CUSTOMERS)
    assert isinstance(page, CustomerListPage)
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)
    assert window.export_action.isEnabled() and page.export_button.isVisible()
    assert not window.print_action.isEnabled()  # no customer document to print
    window.export_action.trigger()  # the toolbar's and File menu's Export
    dialog = page.export_dialog
    assert isinstance(dialog, QFileDialog) and dialog.isVisible()
    assert dialog.acceptMode() is QFileDialog.AcceptMode.AcceptSave
    assert dialog.selectedFiles()[0].endswith("customers.xlsx")
    dialog.reject()

    page.search_edit.setText("bjxr")  # the search applies, as on screen
    page.apply_search()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    out = tmp_path / "customers.xlsx"
    page.export_to(str(out))
    qtbot.waitUntil(lambda: "exported" in page.status_label.text(), timeout=10_000)
    assert page.status_label.text() == "1 customers exported to customers.xlsx."
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == ["北京鑫锐科技有限公司"]
    assert page.export_button.isEnabled()

    # A counter clerk may not bulk-export customers: no button, Export greyed out.
    counter = _window(qtbot, make_context(clerk, "storefront"))
    own = counter.open_module(Module.CUSTOMERS)
    assert isinstance(own, CustomerListPage)
    assert own.export_button.isHidden() and not own.can_export()
    assert not counter.export_action.isEnabled()
    assert counter.export_current() is None
    own.choose_export_file()
    assert own.export_dialog is None


def test_ctrl_n_on_the_administration_tabs_makes_what_the_tab_on_show_lists(
    qtbot: QtBot, make_context: MakeContext, admin: Actor,
) -> None:
    from app.ui.admin.custom_fields import CustomFieldDialog
    from app.ui.admin.departments_tab import DepartmentDialog
    from app.ui.admin.roles_tab import RoleNameDialog
    from app.ui.admin.users_tab import UserDialog

    window = _window(qtbot, make_context(admin, "management"))
    page = window.open_module(Module.ADMINISTRATION)
    assert page is not None
    for tab, kind, entry in ((page.users, UserDialog, "New user…"),
                             (page.departments, DepartmentDialog, "New department…"),
                             (page.roles, RoleNameDialog, "New role…"),
                             (page.custom_fields, CustomFieldDialog, "Add field…")):
        page.tabs.setCurrentWidget(tab)
        assert _file_entry_with_ctrl_n(window) == entry
        assert [type(w) for w in _ctrl_n(qtbot, window)] == [kind], entry
    # Nothing to create on the audit log, and no customer for an administrator.
    page.tabs.setCurrentWidget(page.audit)
    assert not window.new_record_action.isVisible()
    assert not window.new_customer_action.isEnabled()
    assert _ctrl_n(qtbot, window) == []

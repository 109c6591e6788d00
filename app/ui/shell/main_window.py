"""The station's main window: module navigator, module pages, menus and the status bar."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import metadata

import shiboken6
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QStyle,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import __version__, backups
from app.db import DatabaseUnavailable, sqlite_file
from app.logs import current_log_file
from app.models.enums import Module, Operation
from app.schema import head_revision
from app.ui import labels
from app.ui.context import AppContext
from app.ui.errors import describe_error
from app.ui.shell.connection import CHECK_INTERVAL_MS, RETRY_INTERVAL_MS, ConnectionMonitor
from app.ui.shell.pages import (
    PageFactory,
    PlaceholderPage,
    home_module,
    navigator_modules,
    page_factories,
)

MODULE_ROLE = Qt.ItemDataRole.UserRole + 1
APPLICATION_NAME = "StationCRM"  # as app.ui.shell.app names the application


class MainWindow(QMainWindow):
    """Shows the modules the user's role may see; the station decides which opens first.

    New (Ctrl+N) makes a record of the page on show's kind when the page offers one (its
    ``new_record()``, while its ``new_button`` is not hidden; on a page with tabs, the tab
    on show's), else a new customer; the File menu shows Ctrl+N beside the entry it runs.

    Closing it (window close, Ctrl+Q) or logging out first asks every open window that
    holds unsaved work (``can_close()`` / ``confirm_close(on_done)``, as the customer card
    has) and goes on only when all of them agreed.

    Signals:
        logout_requested(): File → Log out, after the open cards agreed; the application
            shows the login dialog again.
    """

    logout_requested = Signal()

    # The customer 360 view on show (see open_customer), and where Back returns to.
    overview_page: QWidget | None = None
    _overview_return: tuple[QWidget | None, QWidget | None] = (None, None)

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        factories: Mapping[Module, PageFactory] | None = None,
        ping: Callable[[], None] | None = None,
        check_interval_ms: int = CHECK_INTERVAL_MS,
        retry_interval_ms: int = RETRY_INTERVAL_MS,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("main_window")
        self.ctx = ctx
        self._factories = dict(page_factories() if factories is None else factories)
        self._pages: dict[Module, QWidget] = {}
        self._windows_agreed = False  # the open cards agreed to close: close at once
        self._asking = False  # the open cards are being asked (see ask_to_close_windows)
        self.visible_modules = navigator_modules(ctx.permissions.visible_modules)

        self.navigator = QListWidget(self)
        self.navigator.setObjectName("module_navigator")
        self.navigator.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for module in self.visible_modules:
            item = QListWidgetItem(labels.module_label(module))
            item.setData(MODULE_ROLE, module.value)
            self.navigator.addItem(item)
        self.navigator.setStyleSheet("#module_navigator::item { padding: 5px 8px; }")
        width = max((self.navigator.fontMetrics().horizontalAdvance(
            labels.module_label(m)) for m in self.visible_modules), default=100)
        self.navigator.setFixedWidth(max(width + 48, 150))
        self.stack = QStackedWidget(self)
        self.stack.setObjectName("module_stack")

        self.monitor = ConnectionMonitor(
            ctx.tasks, ping or ctx.database.ping, interval_ms=check_interval_ms,
            retry_ms=retry_interval_ms, no_answer_error=ctx.database.no_answer, parent=self)
        self.monitor.connection_lost.connect(self._on_connection_lost)
        self.monitor.connection_restored.connect(self._on_connection_restored)
        self.monitor.stall_changed.connect(self._on_stall_changed)
        ctx.tasks.abandoned.connect(ctx.database.forget_uow)
        self.banner = self._make_banner()
        body = QHBoxLayout()
        body.addWidget(self.navigator)
        body.addWidget(self.stack, 1)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.banner)
        layout.addLayout(body, 1)
        self.setCentralWidget(central)

        self._make_status_bar()
        self._make_menus()
        self._make_toolbar()
        self.stack.currentChanged.connect(lambda _i: self._on_page_changed())
        self._note_daily_backup()

        self.navigator.currentRowChanged.connect(self._on_navigator_row)
        # A click on the current module too: it leaves a customer's 360 view for the list.
        self.navigator.itemClicked.connect(
            lambda item: self._on_navigator_row(self.navigator.row(item)))
        first = home_module(ctx.station, self.visible_modules)
        if first is not None:
            self.open_module(first)
        else:
            self.stack.addWidget(self._no_modules_page())
        self._on_page_changed()
        self.resize(1100, 700)
        self.monitor.start()

    # --- modules --------------------------------------------------------------------------

    def open_module(self, module: Module) -> QWidget | None:
        """Show ``module``'s page (built on first use); None if the role may not see it."""
        if module not in self.visible_modules:
            return None
        page = self.page_for(module)
        self.stack.setCurrentWidget(page)
        row = self.visible_modules.index(module)
        if self.navigator.currentRow() != row:
            self.navigator.setCurrentRow(row)
        return page

    def page_for(self, module: Module) -> QWidget:
        page = self._pages.get(module)
        if page is None:
            factory = self._factories.get(module)
            page = factory(self.ctx, self.stack) if factory else PlaceholderPage(module, self.stack)
            self._connect_page(page)
            self._pages[module] = page
            self.stack.addWidget(page)
        return page

    def _has_todo(self) -> bool:
        # A technician has no visits but has tasks and returned repair records.
        return any(m in self.visible_modules for m in (Module.VISITS, Module.TASKS))

    def open_todo(self) -> QWidget | None:
        """Go → To-do today (Ctrl+T): the user's tasks, follow-ups and returned records."""
        if not self._has_todo():
            return None
        from app.ui.todo.page import TodoPage

        page = getattr(self, "todo_page", None)
        if page is None:
            page = TodoPage(self.ctx, self.stack)
            self._connect_page(page)
            self.todo_page = page
            self.stack.addWidget(page)
        else:
            page.refresh()
        self.stack.setCurrentWidget(page)
        self.navigator.clearSelection()
        page.setFocus(Qt.FocusReason.OtherFocusReason)
        return page

    def current_module(self) -> Module | None:
        for module, page in self._pages.items():
            if page is self.stack.currentWidget():
                return module
        return None

    def page_title(self) -> str:
        """What the window shows: the module's name, or the page's own title."""
        page = self.stack.currentWidget()
        module = self.current_module()
        if module is not None:
            return labels.module_label(module)
        if page is not None and page is getattr(self, "todo_page", None):
            return self.tr("To-do today")
        if page is not None and page is self.overview_page:
            return self.tr("Customer")
        return ""

    def _update_title(self) -> None:
        # The program's name once, at the end: Windows and Linux add the application's
        # display name to every title that does not end with it already.
        parts = [self.page_title(), labels.station_label(self.ctx.station),
                 self.ctx.actor.display_name, APPLICATION_NAME]
        self.setWindowTitle(" — ".join(p for p in parts if p))

    def _on_page_changed(self) -> None:
        self._update_title()
        self.update_page_actions()

    def _connect_page(self, page: QWidget) -> None:
        for tabs in page.findChildren(QTabWidget):  # Print and Export follow the tab
            tabs.currentChanged.connect(lambda _i: self.update_page_actions())
        activated = getattr(page, "customer_activated", None)
        if activated is not None:
            activated.connect(self.open_customer)
        requested = getattr(page, "new_customer_requested", None)
        if requested is not None:
            requested.connect(self.new_customer)

    def _on_navigator_row(self, row: int) -> None:
        if 0 <= row < len(self.visible_modules):
            self.open_module(self.visible_modules[row])

    # --- customer 360 view and customer card ---------------------------------------------

    def open_customer(self, customer_id: int) -> QWidget:
        """Show the 360 view of ``customer_id`` in place of the current page.

        Back (Alt+Left, Esc) returns to the page it was opened from; opening another
        customer replaces it.
        """
        from app.ui.customers.overview import CustomerOverviewPage

        previous = self.overview_page
        if previous is None or self.stack.currentWidget() is not previous:
            self._overview_return = (self.stack.currentWidget(), QApplication.focusWidget())
        page = CustomerOverviewPage(self.ctx, customer_id, self.stack)
        page.back_requested.connect(self.close_customer)
        edit = getattr(self, "edit_customer", None)
        if edit is not None:
            page.edit_requested.connect(edit)
        self.overview_page = page
        self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)
        page.setFocus(Qt.FocusReason.OtherFocusReason)
        if previous is not None:
            self.stack.removeWidget(previous)
            previous.deleteLater()
        return page

    def close_customer(self) -> None:
        """Leave the 360 view for the page (and the field) it was opened from."""
        page = self.overview_page
        if page is None:
            return
        back, focus = self._overview_return
        self.overview_page = None
        self._overview_return = (None, None)
        if back is not None and self.stack.indexOf(back) >= 0:
            self.stack.setCurrentWidget(back)
        else:
            self.open_module(Module.CUSTOMERS)
        self.stack.removeWidget(page)
        page.deleteLater()
        if focus is not None and shiboken6.isValid(focus) and focus.isVisible():
            focus.setFocus(Qt.FocusReason.OtherFocusReason)

    def new_customer(self) -> QWidget:
        """Open an empty customer card (it warns about possible duplicates while typing)."""
        return self._show_customer_card(None)

    def edit_customer(self, customer_id: int) -> None:
        """Open the customer card of ``customer_id`` for editing (or raise it if open)."""
        self._show_customer_card(customer_id)

    def _show_customer_card(self, customer_id: int | None) -> QWidget:
        from app.ui.customers.card import CustomerCardDialog

        if customer_id is not None:
            for open_card in self.findChildren(CustomerCardDialog):
                if open_card.customer_id == customer_id and open_card.isVisible():
                    open_card.raise_()
                    open_card.activateWindow()
                    return open_card
        card = CustomerCardDialog(self.ctx, customer_id, self)
        card.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        card.saved.connect(self._on_customer_saved)
        card.open_existing.connect(self.open_customer)
        card.show()
        return card

    def _on_customer_saved(self, detail: object) -> None:
        """A card saved: the list (and the 360 view of that customer) show it anew."""
        pages = [self._pages.get(Module.CUSTOMERS)]
        overview = getattr(self, "overview_page", None)
        if overview is not None and getattr(overview, "customer_id", None) == getattr(
                detail, "id", None):
            pages.append(overview)
        for page in pages:
            refresh = getattr(page, "refresh", None)
            if refresh is not None:
                refresh()

    # --- connection -----------------------------------------------------------------------

    def _make_banner(self) -> QFrame:
        banner = QFrame(self)
        banner.setObjectName("connection_banner")
        banner.setStyleSheet(
            "#connection_banner { background: #fff4ce; border: 1px solid #d9b300;"
            " border-radius: 4px; }")
        self.banner_label = QLabel(banner)
        self.banner_label.setObjectName("connection_banner_text")
        self.banner_label.setWordWrap(True)
        self.reconnect_button = QPushButton(self.tr("Reconnect now"), banner)
        self.reconnect_button.setObjectName("reconnect_button")
        self.reconnect_button.clicked.connect(self.monitor.check_now)
        # A call waiting on a server that does not answer: the person may stop waiting
        # (a save is then checked by its request key once the server answers).
        self.stop_waiting_button = QPushButton(self.tr("Stop waiting"), banner)
        self.stop_waiting_button.setObjectName("stop_waiting_button")
        self.stop_waiting_button.setShortcut(QKeySequence("Ctrl+Break"))
        self.stop_waiting_button.setToolTip(self.tr(
            "Stop waiting for the server's answer (Ctrl+Break). A save is checked once the "
            "server answers again: you will be told whether it was saved."))
        self.stop_waiting_button.clicked.connect(self.stop_waiting)
        self.stop_waiting_button.hide()
        row = QHBoxLayout(banner)
        row.addWidget(self.banner_label, 1)
        row.addWidget(self.stop_waiting_button)
        row.addWidget(self.reconnect_button)
        banner.hide()
        return banner

    def _on_connection_lost(self, error: BaseException) -> None:
        reason = (error.message_for(self.ctx.language) if isinstance(error, DatabaseUnavailable)
                  else describe_error(error).text)
        self.banner_label.setText(self.tr(
            "The connection to the database server was lost. What you typed stays on screen; "
            "StationCRM reconnects by itself.") + "\n" + reason)
        self.banner.show()
        self._set_connection_state(False)

    def _on_stall_changed(self, stalled: bool) -> None:
        self.stop_waiting_button.setVisible(stalled)

    def stop_waiting(self) -> None:
        """Give up on the call stuck on the server; the window works again at once."""
        if self.ctx.tasks.abandon_running():
            self.statusBar().showMessage(self.tr(
                "Stopped waiting for the server. Nothing more is sent until it answers."),
                8000)
        self.stop_waiting_button.hide()

    def _on_connection_restored(self) -> None:
        self.banner.hide()
        self._set_connection_state(True)
        self.statusBar().showMessage(self.tr("Connected to the server again."), 5000)
        for page in [*self._pages.values(), self.overview_page]:
            restored = getattr(page, "on_connection_restored", None)
            if restored is not None:
                restored()

    def _set_connection_state(self, connected: bool) -> None:
        if connected:
            self.connection_label.setText(self.tr("● Connected"))
            self.connection_label.setStyleSheet("color: #1b7f3b;")
        else:
            self.connection_label.setText(self.tr("● Reconnecting…"))
            self.connection_label.setStyleSheet("color: #b00020;")

    # --- chrome ---------------------------------------------------------------------------

    def _make_status_bar(self) -> None:
        actor = self.ctx.actor
        bar = self.statusBar()
        self.user_label = QLabel(self.tr("User: {name} ({username})").format(
            name=actor.display_name, username=actor.username), bar)
        self.user_label.setObjectName("status_user")
        self.station_label = QLabel(self.tr("Station: {station}").format(
            station=labels.station_label(self.ctx.station)), bar)
        self.station_label.setObjectName("status_station")
        server = self.ctx.server_display
        self.server_label = QLabel(self.tr("Server: {server}").format(
            server=_elide_middle(server, 60)), bar)
        self.server_label.setObjectName("status_server")
        self.server_label.setToolTip(server)
        self.connection_label = QLabel(bar)
        self.connection_label.setObjectName("status_connection")
        self._set_connection_state(True)
        for label in (self.user_label, self.station_label, self.server_label,
                      self.connection_label):
            bar.addPermanentWidget(label)

    def _note_daily_backup(self) -> None:
        """On the embedded database: say where today's automatic backup went."""
        path = sqlite_file(self.ctx.database.url)
        if path is None:
            return
        if not backups.backed_up_today(path):
            return
        daily = backups.backup_files(path, "daily")
        # Short: the status bar shares its width with the user, station and server (the
        # folder is in Help → About).
        self.backup_note = self.tr("Backed up today ({count} kept).").format(count=len(daily))
        self.statusBar().showMessage(self.backup_note, 20_000)

    def _make_menus(self) -> None:
        menus = self.menuBar()
        file_menu = menus.addMenu(self.tr("&File"))
        # New on a page whose kind has no entry of its own below (products, contracts,
        # tasks…): shown only there, named as the page's New button.
        self.new_record_action = self._action(self.tr("&New…"), self.new_record)
        self.new_record_action.setObjectName("new_record_action")
        self.new_record_action.setVisible(False)
        self.addAction(self.new_record_action)  # its key works with the menu bar hidden too
        file_menu.addAction(self.new_record_action)
        self.new_customer_action = self._action(
            self.tr("&New customer…"), self.new_customer, QKeySequence.StandardKey.New)
        self.new_customer_action.setEnabled(
            self.ctx.can(Module.CUSTOMERS, Operation.CREATE)
            and Module.CUSTOMERS in self.visible_modules)
        file_menu.addAction(self.new_customer_action)
        self.new_quotation_action = self._action(self.tr("New &quotation…"),
                                                 self.new_quotation)
        self.new_order_action = self._action(self.tr("New &order…"), self.new_order)
        self.new_ticket_action = self._action(self.tr("New service &ticket…"),
                                              self.new_ticket)
        for action in (self.new_quotation_action, self.new_order_action,
                       self.new_ticket_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        # Print and export act on the page on show (its selection, its filters).
        self.print_action = self._action(self.tr("&Print…"), self.print_current,
                                         QKeySequence.StandardKey.Print)
        self.export_action = self._action(self.tr("&Export…"), self.export_current)
        file_menu.addAction(self.print_action)
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        file_menu.addAction(self._action(self.tr("&Check the connection"),
                                         self.monitor.check_now))
        self.logout_action = self._action(self.tr("&Log out"), self.request_logout,
                                          QKeySequence("Ctrl+Shift+L"))
        # Not StandardKey.Quit: Windows binds no key to it.
        self.quit_action = self._action(self.tr("&Quit"), self.close, QKeySequence("Ctrl+Q"))
        for action in (self.logout_action, self.quit_action):
            # From an open customer card too: it asks about its unsaved changes first.
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        file_menu.addAction(self.logout_action)
        file_menu.addAction(self.quit_action)

        edit_menu = menus.addMenu(self.tr("&Edit"))
        self.find_action = self._action(self.tr("&Find"), self.focus_search,
                                        QKeySequence.StandardKey.Find)
        edit_menu.addAction(self.find_action)
        view_menu = menus.addMenu(self.tr("&View"))
        self.refresh_action = self._action(self.tr("&Refresh"), self.refresh_current,
                                           QKeySequence.StandardKey.Refresh)
        view_menu.addAction(self.refresh_action)
        self.toolbar_action = view_menu.addAction(self.tr("&Toolbar"))
        self.toolbar_action.setCheckable(True)
        self.toolbar_action.setChecked(True)

        go_menu = menus.addMenu(self.tr("&Go"))
        self.module_actions: dict[Module, QAction] = {}
        for number, module in enumerate(self.visible_modules, start=1):
            shortcut = QKeySequence(f"Ctrl+{number % 10}") if number <= 10 else None
            action = self._action(labels.module_label(module),
                                  lambda _=False, m=module: self.open_module(m), shortcut)
            go_menu.addAction(action)
            self.module_actions[module] = action
        go_menu.addSeparator()
        self.todo_action = self._action(self.tr("&To-do today"), self.open_todo,
                                        QKeySequence("Ctrl+T"))
        self.todo_action.setEnabled(self._has_todo())
        go_menu.addAction(self.todo_action)
        self._todo_action_text = self.todo_action.text()

        help_menu = menus.addMenu(self.tr("&Help"))
        help_menu.addAction(self._action(self.tr("&About StationCRM"), self.show_about))

    def set_todo_count(self, count: str) -> None:
        """The number of new notices on the to-do entry ("今日待办(&T) (3)"); "" for none."""
        self.todo_action.setText(f"{self._todo_action_text} ({count})" if count
                                 else self._todo_action_text)

    def _action(self, text: str, slot: Callable[[], object],
                shortcut: QKeySequence | QKeySequence.StandardKey | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    # --- toolbar and the page's commands -------------------------------------------------

    def _make_toolbar(self) -> None:
        """The station's common actions, as users of 用友 / 金蝶 / 管家婆 look for them."""
        bar = QToolBar(self.tr("Toolbar"), self)
        bar.setObjectName("main_toolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.setIconSize(QSize(18, 18))
        style = self.style()
        icons = {
            self.new_customer_action: ("contact-new", QStyle.StandardPixmap.SP_FileIcon),
            self.new_quotation_action: ("document-new", QStyle.StandardPixmap.SP_FileIcon),
            self.new_order_action: ("document-new", QStyle.StandardPixmap.SP_FileIcon),
            self.new_ticket_action: ("document-new", QStyle.StandardPixmap.SP_FileIcon),
            self.find_action: ("edit-find",
                               QStyle.StandardPixmap.SP_FileDialogContentsView),
            self.print_action: ("document-print",
                                QStyle.StandardPixmap.SP_FileDialogDetailedView),
            self.export_action: ("document-save-as",
                                 QStyle.StandardPixmap.SP_DialogSaveButton),
            self.refresh_action: ("view-refresh", QStyle.StandardPixmap.SP_BrowserReload),
        }
        short = {
            self.new_customer_action: self.tr("New customer"),
            self.new_quotation_action: self.tr("New quotation"),
            self.new_order_action: self.tr("New order"),
            self.new_ticket_action: self.tr("New ticket"),
            self.find_action: self.tr("Find"),
            self.print_action: self.tr("Print"),
            self.export_action: self.tr("Export"),
            self.refresh_action: self.tr("Refresh"),
        }
        groups = ((self.new_customer_action, self.new_quotation_action, self.new_order_action,
                   self.new_ticket_action),
                  (self.find_action, self.print_action, self.export_action,
                   self.refresh_action))
        self._short = short
        self.toolbar_buttons: dict[QAction, QToolButton] = {}
        for number, group in enumerate(groups):
            if number:
                bar.addSeparator()
            for action in group:
                theme, fallback = icons[action]
                action.setIcon(QIcon.fromTheme(theme, style.standardIcon(fallback)))
                action.setIconText(short[action])
                self._set_tool_tip(action)
                bar.addAction(action)
                button = bar.widgetForAction(action)
                if isinstance(button, QToolButton):
                    self.toolbar_buttons[action] = button
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.toolbar = bar
        self.toolbar_action.toggled.connect(bar.setVisible)
        self._allowed_new = {
            self.new_quotation_action: self._may_create(Module.QUOTATIONS),
            self.new_order_action: self._may_create(Module.ORDERS),
            self.new_ticket_action: self._may_create(Module.SERVICE_TICKETS),
        }
        for action, allowed in self._allowed_new.items():
            action.setEnabled(allowed)
            action.setVisible(allowed)  # a repair desk sees no "new quotation"
        self.new_customer_action.setVisible(self.new_customer_action.isEnabled())
        self.update_page_actions()

    def _set_tool_tip(self, action: QAction) -> None:
        """The toolbar's tip: the action's short name and its key, if it has one now."""
        short = self._short[action]
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{short} ({keys})" if keys else short)

    def _may_create(self, module: Module) -> bool:
        return module in self.visible_modules and self.ctx.can(module, Operation.CREATE)

    def page_command(self, name: str) -> Callable[[], object] | None:
        """What Print (``"print"``) or Export (``"export"``) does on the page on show, or
        None when that page offers none (or the user may not)."""
        page = self._command_page()
        if page is None:
            return None
        if name == "print":
            button = getattr(page, "print_button", None)
            printing = getattr(page, "print_selected", None)
            if printing is not None and isinstance(button, QWidget) and not button.isHidden():
                return printing  # type: ignore[no-any-return]
            return None
        can_export = getattr(page, "can_export", None)
        if callable(can_export) and hasattr(page, "choose_export_file"):
            return page.choose_export_file if can_export() else None  # type: ignore[no-any-return]
        if getattr(page, "may_export", False) and hasattr(page, "ask_export"):
            return lambda: page.ask_export("xlsx")  # type: ignore[attr-defined]
        return None

    def _command_page(self) -> QWidget | None:
        """The page on show, or the list on show in its tabs (回款记录 | 应收款账龄)."""
        page = self.stack.currentWidget()
        if page is None or any(hasattr(page, n) for n in ("print_selected",
                                                           "choose_export_file",
                                                           "ask_export")):
            return page
        tabs = page.findChild(QTabWidget)
        return tabs.currentWidget() if tabs is not None else page

    def update_page_actions(self) -> None:
        """Print, Export, Find and Refresh as the page on show offers them."""
        page = self.stack.currentWidget()
        self.print_action.setEnabled(self.page_command("print") is not None)
        self.export_action.setEnabled(self.page_command("export") is not None)
        self.find_action.setEnabled(hasattr(page, "focus_search"))
        self.refresh_action.setEnabled(hasattr(page, "refresh"))
        self._route_new_key()

    def new_page(self) -> QWidget | None:
        """The page on show (or the tab on show in it) whose New the user may use: it has
        ``new_record()`` and its ``new_button``, if any, is not hidden."""
        page = self.stack.currentWidget()
        if page is None:
            return None
        tabs = page.findChild(QTabWidget)
        for candidate in (page, tabs.currentWidget() if tabs is not None else None):
            if candidate is None or not callable(getattr(candidate, "new_record", None)):
                continue
            button = getattr(candidate, "new_button", None)
            if not isinstance(button, QWidget) or not button.isHidden():
                return candidate
        return None

    def _route_new_key(self) -> None:
        """Ctrl+N on the one action that does what New does on this page: the File menu's
        own entry for the page's kind (quotation, order, ticket), else the entry named as
        the page's New button, else New customer. One action holds the key at a time (two
        would make it ambiguous, and neither would run)."""
        page = self.new_page()
        owner: QAction = self.new_customer_action
        if page is not None:
            own = {Module.QUOTATIONS: self.new_quotation_action,
                   Module.ORDERS: self.new_order_action,
                   Module.SERVICE_TICKETS: self.new_ticket_action}.get(
                self.current_module()) if page is self.stack.currentWidget() else None
            owner = own if own is not None and own.isEnabled() else self.new_record_action
        if owner is self.new_record_action and page is not None:
            button = getattr(page, "new_button", None)
            label = button.text() if isinstance(button, QPushButton) else ""
            label = label.replace("&", "").rstrip("…").rstrip(".").strip()
            self.new_record_action.setText(f"{label}…" if label else self.tr("&New…"))
        self.new_record_action.setVisible(owner is self.new_record_action)
        key = QKeySequence(QKeySequence.StandardKey.New)
        for action in (self.new_record_action, self.new_customer_action,
                       self.new_quotation_action, self.new_order_action,
                       self.new_ticket_action):
            action.setShortcut(key if action is owner else QKeySequence())
            if action in self._short:
                self._set_tool_tip(action)

    def new_record(self) -> object:
        """New (Ctrl+N): a record of the page on show's kind when it offers one, else a new
        customer (when the user may create customers)."""
        page = self.new_page()
        if page is not None:
            return page.new_record()  # type: ignore[attr-defined]
        return self.new_customer() if self.new_customer_action.isEnabled() else None

    def print_current(self) -> object:
        """File → Print (Ctrl+P): the page's documents chosen in its list."""
        command = self.page_command("print")
        return command() if command is not None else None

    def export_current(self) -> object:
        """File → Export: the page's list (or statistic) to an Excel file."""
        command = self.page_command("export")
        return command() if command is not None else None

    def new_quotation(self) -> object:
        if not self._allowed_new.get(self.new_quotation_action):
            return None
        from app.ui.sales.quotation_dialog import new_quotation
        return new_quotation(self.ctx, None, self)

    def new_order(self) -> object:
        """What the orders page offers for New (the counter's one-step order), else a
        quotation to convert."""
        if not self._allowed_new.get(self.new_order_action):
            return None
        page = self.open_module(Module.ORDERS)
        for name in ("new_order", "new_sale"):
            new = getattr(page, name, None)
            if callable(new):
                return new()
        return self.new_quotation()

    def new_ticket(self) -> object:
        if not self._allowed_new.get(self.new_ticket_action):
            return None
        from app.ui.service.desk import open_intake
        return open_intake(self.ctx, self)

    def focus_search(self) -> None:
        focus = getattr(self.stack.currentWidget(), "focus_search", None)
        if focus is not None:
            focus()

    def refresh_current(self) -> None:
        refresh = getattr(self.stack.currentWidget(), "refresh", None)
        if refresh is not None:
            refresh()

    def show_about(self) -> QMessageBox:
        log_file = current_log_file()
        facts = [
            self.tr("Version {version}").format(version=program_version()),
            self.tr("Database schema {revision}").format(revision=head_revision()),
            self.tr("Server: {server}").format(server=self.ctx.server_display),
            self.tr("Log file: {path}").format(path=log_file) if log_file is not None
            else self.tr("Log file: none (messages go to the console)"),
        ]
        database_file = sqlite_file(self.ctx.database.url)
        if database_file is not None:
            facts.append(self.tr("Daily backups: {folder}").format(
                folder=backups.backups_dir(database_file)))
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("About StationCRM"),
                          f"StationCRM {program_version()}\n"
                          + self.tr("StationCRM — customers, sales and repair for the whole "
                                    "office, on one shared database.") + "\n\n"
                          + "\n".join(facts),
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("about_box")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def _no_modules_page(self) -> QWidget:
        label = QLabel(self.tr("Your role may not see any part of StationCRM. "
                               "Ask the administrator to give your role access."), self)
        label.setObjectName("no_modules")
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return label

    # --- closing --------------------------------------------------------------------------

    def open_windows(self) -> list[QWidget]:
        """The open windows of this one that may hold unsaved work (customer cards...)."""
        return [w for w in self.findChildren(QWidget)
                if w.isWindow() and w.isVisible() and hasattr(w, "confirm_close")]

    def request_logout(self) -> None:
        """File → Log out: emits logout_requested once the open cards agreed."""
        self.ask_to_close_windows(self._logout_agreed)

    def ask_to_close_windows(self, proceed: Callable[[], None]) -> None:
        """Ask each open card with unsaved changes, one after the other; call ``proceed``
        when all agreed (saved or discarded), nothing when one says Cancel."""
        if self._asking:
            return  # already asking: the question on screen answers this too
        if self._agree_at_once():
            proceed()
            return
        pending = [w for w in self.open_windows() if not w.can_close()]  # type: ignore[attr-defined]
        self._asking = True

        asked: list[QWidget] = []

        def ask_next(agreed: bool = True) -> None:
            if not agreed:
                self._asking = False
                self.statusBar().showMessage(
                    self.tr("Cancelled: the customer card stays open."), 5000)
                return
            if asked and shiboken6.isValid(asked[-1]):
                # Saved or discarded: it closes now, so that a Cancel on a later card
                # leaves no card open that has already been told to throw its changes away.
                asked[-1].close()
            while pending:
                window = pending.pop(0)
                if shiboken6.isValid(window) and window.isVisible():
                    asked.append(window)
                    window.confirm_close(ask_next)  # type: ignore[attr-defined]
                    return
            self._asking = False
            self._close_windows()
            proceed()

        ask_next()

    def _agree_at_once(self) -> bool:
        """Close the open cards now if none holds unsaved changes."""
        if self._asking or any(not w.can_close()  # type: ignore[attr-defined]
                               for w in self.open_windows()):
            return False
        self._close_windows()
        return True

    def _close_windows(self) -> None:
        self._windows_agreed = True
        for window in self.open_windows():
            window.close()  # each agreed (or had nothing unsaved): it closes without asking

    def _logout_agreed(self) -> None:
        self.logout_requested.emit()
        self._windows_agreed = False  # still open when nobody listens (tests)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self._windows_agreed and not self._agree_at_once():
            event.ignore()
            self.ask_to_close_windows(self.close)  # close() again once every card agreed
            return
        self.monitor.stop()
        guard_watch = getattr(self, "guard_watch", None)  # app.ui.shell.guard
        if guard_watch is not None:
            guard_watch.stop()
        super().closeEvent(event)


def program_version() -> str:
    """The installed package's version, else the source tree's (``app.__version__``)."""
    try:
        return metadata.version("stationcrm")
    except metadata.PackageNotFoundError:
        return __version__


def _elide_middle(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    keep = (limit - 1) // 2
    return text[:keep] + "…" + text[-(limit - 1 - keep):]

"""The set-up wizard: where this PC's database is, a checked connection, the station.

Shown at the first start (no station.toml, no --db, no STATIONCRM_DB_URL) and from the login
dialog's "Change server…". Pages: this PC only or the company server → the server (kind,
host, port, database, authentication) → the connection test and the schema's state, with
"Create the database" when it is empty and the login may → the station. Finish writes
station.toml; the address saved never holds a user or a password (people log in with their
own database login, app.db.personal_logins).

Everything that touches a database runs on the worker (app.ui.tasks) through app.setup
(`probe_database`, `create_database`), which has no Qt in it.
"""

from __future__ import annotations

import logging
import os
from typing import Literal

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFontDatabase
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app import i18n, update
from app.db import (
    DEFAULT_MSSQL_DRIVER,
    DatabaseUnavailable,
    redact_url,
    server_of,
)
from app.models.enums import StationCode
from app.services.errors import ValidationError
from app.services.passwords import password_problem
from app.settings import (
    ENV_CONFIG_DIR,
    ConfigFileError,
    Settings,
    default_db_url,
    save_station_config,
)
from app.setup import (
    CREATE_STEPS,
    DEFAULT_DATABASE,
    DEFAULT_PORTS,
    USERNAME_PATTERN,
    AdminDraft,
    CannotCreate,
    Kind,
    Probe,
    ServerFields,
    admin_commands,
    create_database,
    database_name,
    installed_odbc_drivers,
    keep_password,
    probe_database,
    server_address,
    server_fields,
    with_login,
)
from app.ui import labels
from app.ui.shell.messages import MESSAGE_STYLES, style_message
from app.ui.shell.startup import needs_setup
from app.ui.tasks import TaskManager

log = logging.getLogger(__name__)

Choice = Literal["embedded", "server", "advanced"]


# --------------------------------------------------------------------------- Qt helpers


def open_installer(location: str, *, is_url: bool) -> bool:
    """Hand the newer installer (a file or a web address) to the desktop to run or open."""
    url = QUrl(location) if is_url else QUrl.fromLocalFile(location)
    return QDesktopServices.openUrl(url)


def _message_label(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def _hint(parent: QWidget, text_: str) -> QLabel:
    label = QLabel(text_, parent)
    label.setWordWrap(True)
    label.setStyleSheet("color: #555555;")
    return label


class _ProgressRelay(QObject):
    """Carries the worker's progress to the GUI thread (a queued signal)."""

    step = Signal(int, str)


# --------------------------------------------------------------------------- the wizard


class SetupWizard(QWizard):
    """Connect this PC to its database, check it, and choose the station.

    Open with ``open()``/``show()``. On Finish station.toml is written (``db_url`` removed
    for this PC's own file, the server's address otherwise; ``station``), ``finished_setup``
    is emitted with (address, station) and the wizard closes.

    Signals:
        finished_setup(str, str): the address chosen and the station code.
    """

    PAGE_WHERE, PAGE_SERVER, PAGE_CHECK, PAGE_CREATE, PAGE_STATION = range(5)

    finished_setup = Signal(str, str)

    def __init__(self, settings: Settings, tasks: TaskManager, *,
                 current_url: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("setup_wizard")
        self.setWindowTitle(self.tr("Set up this PC — StationCRM"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.settings = settings
        self.tasks = tasks
        self.current_url = current_url
        self.embedded_url = default_db_url(settings.data_dir)
        self.busy = False
        self.probe: Probe | None = None
        self.created = False
        self.saved_url: str | None = None
        self.where_page = WherePage(self)
        self.server_page = ServerPage(self)
        self.check_page = CheckPage(self)
        self.create_page = CreatePage(self)
        self.station_page = StationPage(self)
        for number, page in ((self.PAGE_WHERE, self.where_page),
                             (self.PAGE_SERVER, self.server_page),
                             (self.PAGE_CHECK, self.check_page),
                             (self.PAGE_CREATE, self.create_page),
                             (self.PAGE_STATION, self.station_page)):
            self.setPage(number, page)
        self.setStartId(self.PAGE_WHERE)
        self.next_text = self.buttonText(QWizard.WizardButton.NextButton)
        self.setMinimumSize(700, 560)
        self._prefill(current_url)

    # --- what was chosen ----------------------------------------------------------------------

    @property
    def choice(self) -> Choice:
        return self.where_page.choice()

    def station_address(self) -> str:
        """The address station.toml gets (no user, no password)."""
        if self.choice == "embedded":
            return self.embedded_url
        if self.choice == "advanced":
            return self.advanced_address()
        return server_address(self.server_page.fields())

    def advanced_address(self) -> str:
        typed = self.where_page.address_edit.text().strip()
        if self.current_url and typed == redact_url(self.current_url):
            return self.current_url
        return keep_password(typed, self.current_url or "")

    def check_address(self) -> str:
        """The address the connection test and the creation use: with the login typed."""
        if self.choice == "advanced":
            return self.advanced_address()
        user, password = self.server_page.login()
        return with_login(self.station_address(), user, password)

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        for which in (QWizard.WizardButton.BackButton, QWizard.WizardButton.CancelButton):
            button = self.button(which)
            if button is not None:
                button.setEnabled(not busy)
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    # --- finishing ------------------------------------------------------------------------------

    def accept(self) -> None:
        address = self.station_address()
        station = self.station_page.station()
        env = {**os.environ, ENV_CONFIG_DIR: str(self.settings.config_dir)}
        try:
            save_station_config(
                db_url=None if address == self.embedded_url else address,
                station=station, env=env)
        except (OSError, ConfigFileError) as error:
            # The login still works on this address; station.toml is written at login.
            log.warning("Could not save the station settings: %s", error)
        self.saved_url = address
        self.finished_setup.emit(address, station)
        super().accept()

    def done(self, result: int) -> None:
        if self.busy:
            return  # the check or the creation finishes first (it has time limits)
        super().done(result)

    # --- helpers ----------------------------------------------------------------------------

    def _prefill(self, url: str | None) -> None:
        if self.settings.station:
            self.station_page.select(self.settings.station)
        if not url or url == self.embedded_url:
            self.where_page.select("embedded" if url else "server")
            return
        fields = server_fields(url)
        if fields is None:
            self.where_page.select("advanced")
            self.where_page.address_edit.setText(redact_url(url))
            return
        self.where_page.select("server")
        self.server_page.fill(fields)


class _Page(QWizardPage):
    def wiz(self) -> SetupWizard:
        wizard = self.wizard()
        assert isinstance(wizard, SetupWizard)
        return wizard


class WherePage(_Page):
    """This PC only, or the company server (or, under Advanced, a typed address)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("where_page")
        self.setTitle(self.tr("Where is the customer database?"))
        self.setSubTitle(self.tr(
            "StationCRM keeps every customer, order and service record in one database. "
            "Choose where this PC finds it."))
        self.this_pc_radio = QRadioButton(self.tr("&This PC only"), self)
        self.this_pc_radio.setObjectName("this_pc_radio")
        self.server_radio = QRadioButton(self.tr("&Company server"), self)
        self.server_radio.setObjectName("server_radio")
        self.advanced_radio = QRadioButton(
            self.tr("&Advanced: type the database address"), self)
        self.advanced_radio.setObjectName("advanced_radio")
        self.group = QButtonGroup(self)
        for radio in (self.this_pc_radio, self.server_radio, self.advanced_radio):
            self.group.addButton(radio)
            radio.toggled.connect(self._changed)
        self.address_edit = QLineEdit(self)
        self.address_edit.setObjectName("address_edit")
        self.address_edit.setPlaceholderText(
            self.tr("e.g. postgresql://server/stationcrm"))
        self.address_edit.setToolTip(self.tr(
            "The database address: postgresql://…, mssql+pyodbc://… (SQL Server over ODBC) "
            "or sqlite:///path/to/file."))
        self.address_edit.textChanged.connect(self.completeChanged)

        layout = QVBoxLayout(self)
        layout.addWidget(self.this_pc_radio)
        layout.addWidget(self._indented(_hint(self, self.tr(
            "A database file on this PC: for a single PC, a trial or a demo. The first "
            "start fills it with demo data to try every screen."))))
        layout.addSpacing(6)
        layout.addWidget(self.server_radio)
        layout.addWidget(self._indented(_hint(self, self.tr(
            "The company's SQL Server or PostgreSQL server, shared by every station. "
            "Each person logs in with their own database login."))))
        layout.addSpacing(6)
        layout.addWidget(self.advanced_radio)
        layout.addWidget(self._indented(self.address_edit))
        layout.addStretch(1)
        self.server_radio.setChecked(True)  # the usual choice in an office (see _prefill)

    def _indented(self, widget: QWidget) -> QWidget:
        holder = QWidget(self)
        row = QHBoxLayout(holder)
        row.setContentsMargins(24, 0, 0, 0)
        row.addWidget(widget)
        return holder

    def choice(self) -> Choice:
        if self.this_pc_radio.isChecked():
            return "embedded"
        return "advanced" if self.advanced_radio.isChecked() else "server"

    def select(self, choice: Choice) -> None:
        {"embedded": self.this_pc_radio, "server": self.server_radio,
         "advanced": self.advanced_radio}[choice].setChecked(True)

    def _changed(self) -> None:
        self.address_edit.setEnabled(self.advanced_radio.isChecked())
        if self.advanced_radio.isChecked():
            self.address_edit.setFocus()
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        return self.choice() != "advanced" or bool(self.address_edit.text().strip())

    def nextId(self) -> int:  # noqa: N802
        return {"embedded": SetupWizard.PAGE_STATION, "server": SetupWizard.PAGE_SERVER,
                "advanced": SetupWizard.PAGE_CHECK}[self.choice()]


class ServerPage(_Page):
    """The server: kind, host, port, database, and how to log in for the check."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("server_page")
        self.setTitle(self.tr("The company server"))
        self.setSubTitle(self.tr(
            "Ask the administrator for these. The user name and password are used only "
            "to test the connection here and are not saved."))
        self.kind_combo = QComboBox(self)
        self.kind_combo.setObjectName("kind_combo")
        self.kind_combo.addItem("SQL Server", "mssql")
        self.kind_combo.addItem("PostgreSQL", "postgresql")
        self.host_edit = QLineEdit(self)
        self.host_edit.setObjectName("host_edit")
        self.host_edit.setPlaceholderText(self.tr("e.g. crm-server or 192.168.1.10"))
        self.port_spin = QSpinBox(self)
        self.port_spin.setObjectName("port_spin")
        self.port_spin.setRange(1, 65535)
        self.port_spin.setValue(DEFAULT_PORTS["mssql"])
        self.port_spin.setGroupSeparatorShown(False)
        self.port_spin.setMaximumWidth(self.port_spin.fontMetrics().horizontalAdvance("0") * 8 + 48)
        self.database_edit = QLineEdit(DEFAULT_DATABASE, self)
        self.database_edit.setObjectName("database_edit")

        self.windows_radio = QRadioButton(self.tr("&Windows login (integrated)"), self)
        self.windows_radio.setObjectName("windows_radio")
        self.sql_login_radio = QRadioButton(self.tr("SQL Server &login"), self)
        self.sql_login_radio.setObjectName("sql_login_radio")
        self.auth_group = QButtonGroup(self)
        self.auth_group.addButton(self.windows_radio)
        self.auth_group.addButton(self.sql_login_radio)
        self.windows_radio.setChecked(True)
        self.auth_row = auth_row = QHBoxLayout()
        auth_row.addWidget(self.windows_radio)
        auth_row.addWidget(self.sql_login_radio)
        auth_row.addStretch(1)
        self.driver_combo = QComboBox(self)
        self.driver_combo.setObjectName("driver_combo")
        self.driver_combo.setEditable(True)
        drivers = installed_odbc_drivers()
        for name in [DEFAULT_MSSQL_DRIVER, *[d for d in drivers if d != DEFAULT_MSSQL_DRIVER]]:
            self.driver_combo.addItem(name)
        self.driver_combo.setCurrentText(DEFAULT_MSSQL_DRIVER)
        self.drivers_installed = drivers

        self.user_edit = QLineEdit(self)
        self.user_edit.setObjectName("check_user_edit")
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("check_password_edit")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)

        self.form = QFormLayout()
        self.form.addRow(self.tr("&Server type:"), self.kind_combo)
        self.form.addRow(self.tr("&Host:"), self.host_edit)
        self.form.addRow(self.tr("&Port:"), self.port_spin)
        self.form.addRow(self.tr("&Database:"), self.database_edit)
        self.form.addRow(self.tr("Authentication:"), auth_row)
        self.form.addRow(self.tr("ODBC &driver:"), self.driver_combo)
        self.form.addRow(self.tr("&User name:"), self.user_edit)
        self.form.addRow(self.tr("Pass&word:"), self.password_edit)
        self.login_hint = _hint(self, "")
        self.form.addRow("", self.login_hint)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addStretch(1)

        self._last_kind = "mssql"
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.windows_radio.toggled.connect(self._update_rows)
        for edit in (self.host_edit, self.database_edit, self.user_edit):
            edit.textChanged.connect(self.completeChanged)
        self.driver_combo.currentTextChanged.connect(self.completeChanged)
        self._update_rows()

    def kind(self) -> Kind:
        return "postgresql" if self.kind_combo.currentData() == "postgresql" else "mssql"

    def fields(self) -> ServerFields:
        return ServerFields(kind=self.kind(), host=self.host_edit.text().strip(),
                            port=self.port_spin.value(),
                            database=self.database_edit.text().strip(),
                            windows_login=self.windows_radio.isChecked(),
                            driver=self.driver_combo.currentText().strip())

    def fill(self, fields: ServerFields) -> None:
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(fields.kind))
        self.host_edit.setText(fields.host)
        self.port_spin.setValue(fields.port)
        self.database_edit.setText(fields.database)
        (self.windows_radio if fields.windows_login else self.sql_login_radio).setChecked(True)
        self.driver_combo.setCurrentText(fields.driver)
        self._update_rows()

    def uses_login(self) -> bool:
        return self.kind() == "postgresql" or self.sql_login_radio.isChecked()

    def login(self) -> tuple[str | None, str | None]:
        if not self.uses_login():
            return None, None
        return self.user_edit.text().strip() or None, self.password_edit.text()

    def _kind_changed(self) -> None:
        kind = self.kind()
        # The default port follows the kind unless someone typed another.
        if self.port_spin.value() == DEFAULT_PORTS[self._last_kind]:
            self.port_spin.setValue(DEFAULT_PORTS[kind])
        self._last_kind = kind
        self._update_rows()
        self.completeChanged.emit()

    def _update_rows(self) -> None:
        mssql = self.kind() == "mssql"
        self.form.setRowVisible(self.auth_row, mssql)
        self.form.setRowVisible(self.driver_combo, mssql)
        login = self.uses_login()
        self.form.setRowVisible(self.user_edit, login)
        self.form.setRowVisible(self.password_edit, login)
        if mssql and not login:
            self.login_hint.setText(self.tr(
                "Windows says who you are: nothing to type. Each person logs in to SQL "
                "Server with their own Windows account."))
        elif mssql:
            self.login_hint.setText(self.tr(
                "A SQL Server login to test the connection with (yours, or the "
                "administrator's to create the database). People log in with their own."))
        else:
            self.login_hint.setText(self.tr(
                "A PostgreSQL login to test the connection with (yours, or the database "
                "owner's to create the database). People log in with their own."))
        self.completeChanged.emit()

    def initializePage(self) -> None:  # noqa: N802
        (self.host_edit if not self.host_edit.text() else self.database_edit).setFocus()

    def isComplete(self) -> bool:  # noqa: N802
        fields = self.fields()
        if not fields.host or not fields.database:
            return False
        if fields.kind == "mssql" and not fields.driver:
            return False
        return not self.uses_login() or bool(self.user_edit.text().strip())

    def nextId(self) -> int:  # noqa: N802
        return SetupWizard.PAGE_CHECK


class CheckPage(_Page):
    """The connection test on the worker, and what the database's state means."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("check_page")
        self.setTitle(self.tr("Test the connection"))
        self.setSubTitle(self.tr(
            "StationCRM connects to the server and looks at the database."))
        self.server_label = QLabel(self)
        self.server_label.setObjectName("check_server")
        self.server_label.setWordWrap(True)
        self.server_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        self.test_button = QPushButton(self.tr("&Test connection"), self)
        self.test_button.setObjectName("test_button")
        self.test_button.setAutoDefault(False)
        self.test_button.clicked.connect(self.start_test)
        self.message_label = _message_label(self, "check_message")
        self.commands_edit = QPlainTextEdit(self)
        self.commands_edit.setObjectName("admin_commands")
        self.commands_edit.setReadOnly(True)
        self.commands_edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.commands_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.commands_edit.setMaximumHeight(110)
        self.commands_edit.hide()
        self.create_button = QPushButton(self.tr("&Create the database…"), self)
        self.create_button.setObjectName("create_button")
        self.create_button.setAutoDefault(False)
        self.create_button.clicked.connect(lambda: self.wiz().next())
        self.create_button.hide()
        self.install_button = QPushButton(self.tr("&Install the new version"), self)
        self.install_button.setObjectName("install_button")
        self.install_button.setAutoDefault(False)
        self.install_button.clicked.connect(self._install)
        self.install_button.hide()

        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.create_button)
        buttons.addWidget(self.install_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.server_label)
        layout.addLayout(buttons)
        layout.addWidget(self.message_label)
        layout.addWidget(self.commands_edit)
        layout.addStretch(1)
        self._request = 0
        self._testing = False

    def initializePage(self) -> None:  # noqa: N802
        wizard = self.wiz()
        self.server_label.setText(self.tr("Server: {server}\nAddress: {address}").format(
            server=server_of(wizard.station_address()),
            address=redact_url(wizard.station_address())))
        self.start_test()

    def cleanupPage(self) -> None:  # noqa: N802
        self._request += 1  # a test still running answers nobody now
        self._reset()

    def _reset(self) -> None:
        self.wiz().probe = None
        self.message_label.hide()
        self.commands_edit.hide()
        self.create_button.hide()
        self.install_button.hide()
        self.completeChanged.emit()

    def start_test(self) -> None:
        if self._testing:
            return
        wizard = self.wiz()
        self._reset()
        self._request += 1
        request = self._request
        address = wizard.check_address()
        self._testing = True
        self.test_button.setEnabled(False)
        wizard.set_busy(True)
        style_message(self.message_label, self.tr("Connecting to {server}…").format(
            server=server_of(address)), "info")
        wizard.tasks.run_in_background(
            lambda: probe_database(address),
            on_done=lambda probe: self._tested(request, probe),
            on_error=lambda error: self._failed(request, error),
            owner=self)

    def _finish_test(self) -> None:
        self._testing = False
        self.test_button.setEnabled(True)
        self.wiz().set_busy(False)

    def _tested(self, request: int, probe: Probe) -> None:
        self._finish_test()
        if request != self._request:
            return
        wizard = self.wiz()
        wizard.probe = probe
        address = wizard.station_address()
        if probe.state == "ready":
            style_message(self.message_label, self.tr(
                "Connected. The database is ready (schema {revision}). Click Next to "
                "choose this PC's station.").format(revision=probe.revision), "ok")
        elif probe.state == "newer_ok":
            style_message(self.message_label, self.tr(
                "Connected. The database was upgraded by StationCRM {version}; this "
                "version still works with it. Click Next to choose this PC's "
                "station.").format(version=probe.message or "?"), "ok")
        elif probe.state in ("empty", "unfinished") and probe.can_create:
            what = (self.tr("The database is empty.") if probe.state == "empty" else self.tr(
                "StationCRM's tables are there, but nobody may administer them yet."))
            style_message(self.message_label, update.join_sentences(what, self.tr(
                "Your login may create StationCRM in it: click “Create the database…” to "
                "give the company name and the first administrator.")), "info")
            self.create_button.show()
            self.create_button.setFocus()
        elif probe.state == "empty":
            self.show_ask_administrator(self.tr(
                "The database {database} on {server} is empty, and this login may not "
                "create StationCRM in it.").format(
                    database=database_name(address), server=server_of(address)),
                probe.dialect)
        else:
            style_message(self.message_label, probe.message, "error")
            if probe.installer:
                self.install_button.show()
                self.install_button.setFocus()
        self.completeChanged.emit()

    def show_ask_administrator(self, why: str, dialect: str) -> None:
        """Say the administrator must create the database, naming the commands."""
        style_message(self.message_label, update.join_sentences(why, self.tr(
            "Ask the database administrator to create it with these commands (see the "
            "administrator's guide, docs/dba.md), then test again:")), "error")
        self.commands_edit.setPlainText(admin_commands(
            self.wiz().station_address(), dialect,
            self.wiz().create_page.username_edit.text().strip() or "admin"))
        self.commands_edit.show()

    def _failed(self, request: int, error: BaseException) -> None:
        self._finish_test()
        if request != self._request:
            return
        if isinstance(error, DatabaseUnavailable):
            text_ = error.message_for(i18n.current_language())
            hint = self.tr("Go back to correct what you typed, then test again.")
            style_message(self.message_label, f"{text_}\n{hint}", "error")
        else:
            style_message(self.message_label, str(error) or type(error).__name__, "error")
        self.test_button.setFocus()
        self.completeChanged.emit()

    def _install(self) -> None:
        probe = self.wiz().probe
        if probe is not None and probe.installer:
            open_installer(probe.installer, is_url=probe.installer_is_url)

    def isComplete(self) -> bool:  # noqa: N802
        probe = self.wiz().probe
        if probe is None or self._testing:
            return False
        return probe.state in ("ready", "newer_ok") or (
            probe.state in ("empty", "unfinished") and probe.can_create)

    def nextId(self) -> int:  # noqa: N802
        probe = self.wiz().probe
        if probe is not None and probe.state in ("empty", "unfinished") and probe.can_create:
            return SetupWizard.PAGE_CREATE
        return SetupWizard.PAGE_STATION


class CreatePage(_Page):
    """The company name and the first administrator; then the database is made."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("create_page")
        self.setTitle(self.tr("Create the database"))
        self.setSubTitle(self.tr(
            "StationCRM creates its tables, each person's database login and the first "
            "administrator, who then adds everyone else in Administration."))
        self.setCommitPage(True)
        self.company_edit = QLineEdit(self)
        self.company_edit.setObjectName("company_edit")
        self.company_edit.setPlaceholderText(self.tr("as printed on every slip"))
        self.username_edit = QLineEdit("admin", self)
        self.username_edit.setObjectName("admin_username_edit")
        self.display_edit = QLineEdit(self)
        self.display_edit.setObjectName("admin_display_edit")
        self.display_edit.setPlaceholderText(self.tr("e.g. 系统管理员"))
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("admin_password_edit")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat_edit = QLineEdit(self)
        self.repeat_edit.setObjectName("admin_repeat_edit")
        self.repeat_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow(self.tr("&Company name:"), self.company_edit)
        form.addRow(self.tr("Administrator's &user name:"), self.username_edit)
        form.addRow(self.tr("&Display name:"), self.display_edit)
        form.addRow(self.tr("&Password:"), self.password_edit)
        form.addRow(self.tr("&Repeat password:"), self.repeat_edit)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setObjectName("create_progress")
        self.progress_bar.setRange(0, CREATE_STEPS)
        self.progress_bar.setTextVisible(False)
        self.progress_bar.hide()
        self.message_label = _message_label(self, "create_message")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.message_label)
        layout.addStretch(1)
        self.relay = _ProgressRelay(self)
        self.relay.step.connect(self._progress)
        self._creating = False
        for edit in (self.company_edit, self.username_edit, self.password_edit,
                     self.repeat_edit):
            edit.textChanged.connect(self.completeChanged)

    def initializePage(self) -> None:  # noqa: N802
        wizard = self.wiz()
        wizard.setButtonText(QWizard.WizardButton.CommitButton,
                             self.tr("Create the database"))
        self.company_edit.setFocus()

    def isComplete(self) -> bool:  # noqa: N802
        return not self._creating and all(edit.text().strip() for edit in (
            self.company_edit, self.username_edit, self.password_edit, self.repeat_edit))

    def problem(self) -> tuple[QLineEdit, str] | None:
        """The first thing wrong with what was typed, and where."""
        username = self.username_edit.text().strip()
        if not self.company_edit.text().strip():
            return self.company_edit, self.tr("Enter the company name.")
        if not USERNAME_PATTERN.match(username):
            return self.username_edit, self.tr(
                "The user name may hold only letters, digits, “.” and “_” (at most 40).")
        password = self.password_edit.text()
        trouble = password_problem(password, username=username)
        if trouble is not None:
            return self.password_edit, self.tr("The password {problem}.").format(
                problem=trouble)
        if self.repeat_edit.text() != password:
            return self.repeat_edit, self.tr("The two passwords differ.")
        return None

    def validatePage(self) -> bool:  # noqa: N802
        wizard = self.wiz()
        if wizard.created:
            return True
        if self._creating:
            return False
        found = self.problem()
        if found is not None:
            edit, message = found
            style_message(self.message_label, message, "error")
            edit.setFocus()
            edit.selectAll()
            return False
        self._start()
        return False  # the worker finishes, then the wizard moves on

    def _start(self) -> None:
        wizard = self.wiz()
        address = wizard.check_address()
        company = self.company_edit.text().strip()
        admin = AdminDraft(username=self.username_edit.text().strip(),
                           display_name=self.display_edit.text().strip(),
                           password=self.password_edit.text())
        relay = self.relay
        self._creating = True
        self.completeChanged.emit()
        wizard.set_busy(True)
        self.progress_bar.setValue(0)
        self.progress_bar.show()
        style_message(self.message_label, self.tr("Creating the tables…"), "info")
        wizard.tasks.run_in_background(
            lambda: create_database(address, company=company, admin=admin,
                                    progress=relay.step.emit),
            on_done=lambda _none: self._created(),
            on_error=self._failed,
            owner=self)

    def _progress(self, number: int, what: str) -> None:
        self.progress_bar.setValue(number - 1)
        texts = {
            "schema": self.tr("Creating the tables…"),
            "reference": self.tr("Adding departments and roles…"),
            "company": self.tr("Saving the company name…"),
            "security": self.tr("Setting up each person's database login…"),
            "administrator": self.tr("Adding the first administrator…"),
        }
        style_message(self.message_label, texts.get(what, what), "info")

    def _created(self) -> None:
        wizard = self.wiz()
        self._creating = False
        wizard.set_busy(False)
        wizard.created = True
        self.progress_bar.setValue(CREATE_STEPS)
        style_message(self.message_label, self.tr(
            "The database is ready. {user} logs in with the password just given.").format(
                user=self.username_edit.text().strip()), "ok")
        for edit in (self.password_edit, self.repeat_edit):
            edit.clear()
        wizard.next()

    def _failed(self, error: BaseException) -> None:
        wizard = self.wiz()
        self._creating = False
        wizard.set_busy(False)
        self.progress_bar.hide()
        if isinstance(error, CannotCreate):
            probe = wizard.probe
            style_message(self.message_label, self.tr(
                "This login may not create the database ({reason}). Ask the database "
                "administrator: the commands are on the previous page.").format(
                    reason=str(error)), "error")
            wizard.check_page.show_ask_administrator(
                self.tr("This login may not create the database."),
                probe.dialect if probe else "postgresql")
        elif isinstance(error, ValidationError):
            style_message(self.message_label, str(error), "error")
            self.username_edit.setFocus()
        elif isinstance(error, DatabaseUnavailable):
            style_message(self.message_label, error.message_for(i18n.current_language()),
                          "error")
        else:
            style_message(self.message_label, str(error) or type(error).__name__, "error")
        self.completeChanged.emit()

    def nextId(self) -> int:  # noqa: N802
        return SetupWizard.PAGE_STATION


class StationPage(_Page):
    """Which department's station this PC is."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("station_page")
        self.setTitle(self.tr("This PC's station"))
        self.setSubTitle(self.tr(
            "The station opens on its department's modules. What each person may do "
            "comes from their role."))
        self.station_combo = QComboBox(self)
        self.station_combo.setObjectName("station_combo")
        for code in StationCode:
            self.station_combo.addItem(labels.station_label(code), code.value)
        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("station_summary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout()
        form.addRow(self.tr("&Station:"), self.station_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addSpacing(8)
        layout.addWidget(self.summary_label)
        layout.addStretch(1)
        self.setFinalPage(True)

    def station(self) -> str:
        return str(self.station_combo.currentData())

    def select(self, station: str) -> None:
        index = self.station_combo.findData(station)
        if index >= 0:
            self.station_combo.setCurrentIndex(index)

    def initializePage(self) -> None:  # noqa: N802
        wizard = self.wiz()
        if wizard.choice == "embedded":
            where = self.tr("This PC only: {file}").format(
                file=server_of(wizard.embedded_url))
        else:
            where = self.tr("Server: {address}").format(
                address=redact_url(wizard.station_address()))
        self.summary_label.setText(where + "\n" + self.tr(
            "Finish saves this and opens the login, where each person logs in with their "
            "own user name and password."))
        self.station_combo.setFocus()

    def nextId(self) -> int:  # noqa: N802
        return -1


__all__ = ["MESSAGE_STYLES", "SetupWizard", "needs_setup", "open_installer", "style_message"]

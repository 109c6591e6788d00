"""The login dialog: user, password, station and the server this PC talks to.

It is the first window of a normal start, so it is built from Qt and light modules only;
checking the password, the set-up wizard and what follows the login come from
``startup.later()`` once :class:`~app.ui.shell.startup.DeferredModules` has loaded them.
"""

from __future__ import annotations

import functools
import logging
import os
from types import ModuleType
from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import i18n
from app.db_errors import DatabaseUnavailable
from app.dburl import redact_url
from app.enums import StationCode
from app.services.errors import AuthenticationFailed, ServiceError
from app.settings import (
    ENV_CONFIG_DIR,
    KEEP,
    ConfigFileError,
    Settings,
    default_db_url,
    save_station_config,
)
from app.ui import labels
from app.ui.elided import ElidedLabel
from app.ui.shell.messages import MESSAGE_STYLES
from app.ui.shell.startup import DeferredModules, later
from app.ui.tasks import TaskManager

if TYPE_CHECKING:
    from app.bootstrap import ClientTooOld
    from app.ui.context import Database, LoginResult
    from app.ui.shell.setup_wizard import SetupWizard

log = logging.getLogger(__name__)

MessageKind = Literal["info", "error"]


class LoginDialog(QDialog):
    """Ask who is working at which station, check it on the worker thread, then hand over.

    Open it with ``show()``/``open()``. On success it saves the station (and the last user
    name, and the server if it was changed) to station.toml, emits ``logged_in`` with a
    :class:`LoginResult` and closes. Wrong password, locked account and unreachable server
    each leave the dialog open with a message and the way out.

    ``deferred``: the session's loader of the rest of the client, which "Log in" and
    "Change server…" wait for if it is still at work; without one the dialog imports what
    they need when they are first used.

    Signals:
        logged_in(LoginResult)
    """

    logged_in = Signal(object)

    def __init__(
        self,
        settings: Settings,
        tasks: TaskManager,
        *,
        database: Database | None = None,
        deferred: DeferredModules | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("login_dialog")
        self.setWindowTitle(self.tr("Log in — StationCRM"))
        self._settings = settings
        self._tasks = tasks
        self._url = settings.db_url
        self._database = database  # reused while the URL stays the same
        self._deferred = deferred if deferred is not None else DeferredModules(tasks, self)
        self._busy = False
        self.last_error: BaseException | None = None
        self.setup_wizard: SetupWizard | None = None
        self._installer: tuple[str, bool] | None = None  # (path or URL, is a URL)

        title = QLabel(self.tr("StationCRM"), self)
        title.setObjectName("login_title")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        subtitle = QLabel(self.tr("Log in to this station"), self)
        subtitle.setObjectName("login_subtitle")
        subtitle.setStyleSheet("color: #666666;")

        self.user_edit = QLineEdit(settings.last_username or "", self)
        self.user_edit.setObjectName("username")
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.station_combo = QComboBox(self)
        self.station_combo.setObjectName("station")
        for code in StationCode:
            self.station_combo.addItem(labels.station_label(code), code.value)
        self._select_station(settings.station)

        # A long address is shortened in the middle to the room the dialog has (the
        # tooltip holds all of it).
        self.server_label = ElidedLabel(self, mode=Qt.TextElideMode.ElideMiddle)
        self.server_label.setObjectName("server_display")
        self.change_server_button = QPushButton(self.tr("Change server…"), self)
        self.change_server_button.setObjectName("change_server_button")
        self.change_server_button.setAutoDefault(False)
        self.change_server_button.setToolTip(self.tr(
            "Set up the connection again: this PC only, or the company server."))
        self.change_server_button.clicked.connect(self._change_server)
        self._show_server()

        server_row = QHBoxLayout()
        server_row.addWidget(self.server_label, 1)
        server_row.addWidget(self.change_server_button)
        form = QFormLayout()
        form.addRow(self.tr("&User name:"), self.user_edit)
        form.addRow(self.tr("&Password:"), self.password_edit)
        form.addRow(self.tr("&Station:"), self.station_combo)
        form.addRow(self.tr("Server:"), server_row)

        self.message_label = QLabel(self)
        self.message_label.setObjectName("login_message")
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()
        self.retry_button = QPushButton(self.tr("Try again"), self)
        self.retry_button.setObjectName("retry_button")
        self.retry_button.setAutoDefault(False)
        self.retry_button.clicked.connect(self.attempt_login)
        self.retry_button.hide()
        self.install_button = QPushButton(self.tr("Install the new version"), self)
        self.install_button.setObjectName("install_button")
        self.install_button.setAutoDefault(False)
        self.install_button.clicked.connect(self.install_update)
        self.install_button.hide()
        message_buttons = QVBoxLayout()
        message_buttons.addWidget(self.retry_button)
        message_buttons.addWidget(self.install_button)
        message_buttons.addStretch(1)
        message_row = QHBoxLayout()
        message_row.addWidget(self.message_label, 1)
        message_row.addLayout(message_buttons)

        self.buttons = QDialogButtonBox(self)
        self.login_button = self.buttons.addButton(
            self.tr("Log in"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.login_button.setObjectName("login_button")
        self.login_button.setDefault(True)
        self.quit_button = self.buttons.addButton(
            self.tr("Quit"), QDialogButtonBox.ButtonRole.RejectRole)
        self.quit_button.setObjectName("quit_button")
        self.buttons.accepted.connect(self.attempt_login)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addLayout(message_row)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)

        (self.password_edit if self.user_edit.text() else self.user_edit).setFocus()

    # --- public ---------------------------------------------------------------------------

    @property
    def server_url(self) -> str:
        """The URL the next attempt uses (the one the set-up wizard chose, if it ran)."""
        return self._url

    @property
    def server_changed(self) -> bool:
        return self.server_url != self._settings.db_url

    def show_setup_wizard(self) -> SetupWizard:
        """"Change server…": the set-up wizard over this dialog; Finish comes back here."""
        wizard: SetupWizard = later().SetupWizard(
            self._settings, self._tasks, current_url=self._url, parent=self)
        wizard.setWindowModality(Qt.WindowModality.WindowModal)
        wizard.finished_setup.connect(self.set_server)
        wizard.finished.connect(lambda _result: self._wizard_closed(wizard))
        self.setup_wizard = wizard
        wizard.open()
        return wizard

    def _change_server(self) -> None:
        self._deferred.when_loaded(self.show_setup_wizard, owner=self,
                                   on_error=lambda error: self._on_failed(error, None))

    def _wizard_closed(self, wizard: SetupWizard) -> None:
        if self.setup_wizard is wizard:
            self.setup_wizard = None
        wizard.deleteLater()

    def set_server(self, url: str, station: str | None = None) -> None:
        """Use ``url`` for the next login (and ``station``, if given)."""
        if url != self._url and self._database is not None:
            self._database.close()
            self._database = None
        self._url = url
        self._show_server()
        if station:
            self._select_station(station)
        self.message_label.hide()
        self.retry_button.hide()
        self.install_button.hide()
        (self.password_edit if self.user_edit.text() else self.user_edit).setFocus()

    def install_update(self) -> None:
        """Open the newer installer the administrator put at the update location."""
        if self._installer is None:
            return
        location, is_url = self._installer
        if not later().open_installer(location, is_url=is_url):
            self.show_message(self.tr(
                "The installer {installer} could not be opened from here. Open it in the "
                "file explorer, or ask the administrator.").format(installer=location),
                "error")

    def attempt_login(self) -> None:
        """Check the user name and password against the chosen server, off the GUI thread."""
        if self._busy:
            return
        username = self.user_edit.text().strip()
        if not username:
            self.show_message(self.tr("Enter your user name."), "error")
            self.user_edit.setFocus()
            return
        password = self.password_edit.text()
        url = self.server_url
        station = self.station_combo.currentData()
        # The station's own SQLite file is prepared (and filled with demo data) on first use.
        embedded = url == default_db_url(self._settings.data_dir)
        opened: dict[str, Database] = {}

        def work(modules: ModuleType, personal: bool, reuse: Database | None) -> LoginResult:
            database = reuse or modules.open_database(
                url, embedded=embedded, person=(username, password) if personal else None,
                settings=self._settings)
            opened["database"] = database
            if reuse is not None:
                database.ping()
            try:
                actor = modules.log_in(database.uow(), url, username, password, station)
                permissions = modules.load_ui_permissions(database.uow(), actor)
            except Exception as error:
                translated = database.user_error(error)
                if translated is error:
                    raise
                raise translated from error
            result: LoginResult = modules.LoginResult(
                database=database, actor=actor, permissions=permissions)
            return result

        def check() -> None:
            # On a server with personal logins the connection itself is the person's: the
            # server checks the password, and nothing is reused from another person's
            # attempt. (Asked here, where the database layer is loaded.)
            personal = _personal(url)
            reuse = (self._database if self._database and self._database.url == url
                     and not personal else None)
            # Loaded by now: the worker thread gets the module, it does not import it.
            self._tasks.run_in_background(
                functools.partial(work, later(), personal, reuse),
                on_done=self._on_logged_in,
                on_error=lambda error: self._on_failed(error, opened.get("database")),
                owner=self,
            )

        self._set_busy(True)
        self.show_message(self.tr("Connecting to {server}…").format(
            server=_display(url)), "info")
        # Right after the start the rest of the client may still be loading: the check
        # follows it, and the dialog says it is connecting meanwhile.
        self._deferred.when_loaded(check, owner=self,
                                   on_error=lambda error: self._on_failed(error, None))

    def show_message(self, text: str, kind: MessageKind) -> None:
        self.message_label.setText(text)
        self.message_label.setProperty("kind", kind)
        self.message_label.setStyleSheet(MESSAGE_STYLES[kind])
        self.message_label.show()
        self.retry_button.setVisible(False)
        self.install_button.setVisible(False)
        # A long message (a path, the steps to take) wraps onto more lines than the dialog
        # had room for: grow, once the layout has taken the new text.
        QTimer.singleShot(0, self, self._grow_to_fit)

    def _grow_to_fit(self) -> None:
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        needed = (layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth()
                  else layout.totalSizeHint().height())
        if needed > self.height():
            self.resize(self.width(), needed)

    # --- results --------------------------------------------------------------------------

    def _on_logged_in(self, result: LoginResult) -> None:
        self._set_busy(False)
        self._database = None  # the main window owns it now
        self._url = result.database.url
        self._save_config(result)
        self.message_label.hide()
        self.logged_in.emit(result)
        self.accept()

    def _on_failed(self, error: BaseException, database: Database | None) -> None:
        self._set_busy(False)
        self.last_error = error
        if database is not None and database is not self._database:
            if self._database is not None:
                self._database.close()
            self._database = database
        if isinstance(error, AuthenticationFailed):
            self.show_message(str(error), "error")
            self.password_edit.clear()
            self.password_edit.setFocus()
        elif isinstance(error, DatabaseUnavailable):
            self.show_message(error.message_for(i18n.current_language()) + "\n" + self.tr(
                "Try again, or choose another server with “Change server…”."), "error")
            self.retry_button.show()
            self.retry_button.setFocus()
        elif isinstance(error, ServiceError):
            self.show_message(str(error), "error")
            # A service error comes from the check, so later() is loaded by now.
            too_old: type[ClientTooOld] = later().ClientTooOld
            if isinstance(error, too_old) and error.installer:
                # This program is too old for the database: the way on is the newer one.
                self._installer = (error.installer, error.installer_is_url)
                self.install_button.show()
                self.install_button.setFocus()
        else:
            # Imported when needed: app.ui.errors brings the services' models (through
            # app.saving), which the login's start does without.
            from app.ui.errors import describe_error, show_error

            self.show_message(describe_error(error).text, "error")
            show_error(self, error)

    def _save_config(self, result: LoginResult) -> None:
        env = {**os.environ, ENV_CONFIG_DIR: str(self._settings.config_dir)}
        try:
            save_station_config(
                station=result.actor.station,
                last_username=result.actor.username,
                db_url=result.database.url if self.server_changed else KEEP,
                env=env,
            )
        except (OSError, ConfigFileError) as error:
            # Not worth stopping the login for: the station is asked again next time.
            log.warning("Could not save the station settings: %s", error)

    # --- helpers --------------------------------------------------------------------------

    def _select_station(self, station: str | None) -> None:
        index = self.station_combo.findData(station) if station else -1
        self.station_combo.setCurrentIndex(max(index, 0))

    def _show_server(self) -> None:
        shown = _display(self._url)
        self.server_label.setText(shown)
        self.server_label.setToolTip(shown)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self.user_edit, self.password_edit, self.station_combo,
                       self.change_server_button, self.login_button, self.retry_button,
                       self.install_button):
            widget.setEnabled(not busy)
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    def done(self, result: int) -> None:
        if result == QDialog.DialogCode.Rejected and self._database is not None:
            self._database.close()
            self._database = None
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self._busy:
            event.ignore()  # the check finishes within the connect timeout
            return
        super().closeEvent(event)


def _personal(url: str) -> bool:
    # Only once the rest of the client is loaded: it reads the URL with SQLAlchemy.
    from app.db import personal_logins

    try:
        return personal_logins(url)
    except Exception:  # a bad address is reported when connecting, not here
        return False


def _display(url: str) -> str:
    return redact_url(url)


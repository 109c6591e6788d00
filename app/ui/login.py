"""The login dialog: user, password, station and the server this PC talks to."""

from __future__ import annotations

import logging
import os
from typing import Literal
from urllib.parse import urlsplit

from PySide6.QtCore import Qt, Signal
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
from app.connect import log_in
from app.db import DatabaseUnavailable, personal_logins, redact_url
from app.models.enums import StationCode
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
from app.ui.context import Database, LoginResult, load_ui_permissions, open_database
from app.ui.elided import ElidedLabel
from app.ui.errors import describe_error, show_error
from app.ui.tasks import TaskManager

log = logging.getLogger(__name__)

MessageKind = Literal["info", "error"]
REDACTED = "***"  # how app.db.redact_url shows a password


class LoginDialog(QDialog):
    """Ask who is working at which station, check it on the worker thread, then hand over.

    Open it with ``show()``/``open()``. On success it saves the station (and the last user
    name, and the server if it was changed) to station.toml, emits ``logged_in`` with a
    :class:`LoginResult` and closes. Wrong password, locked account and unreachable server
    each leave the dialog open with a message and the way out.

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
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("login_dialog")
        self.setWindowTitle(self.tr("StationCRM — Log in"))
        self._settings = settings
        self._tasks = tasks
        self._url = settings.db_url
        self._database = database  # reused while the URL stays the same
        self._busy = False
        self.last_error: BaseException | None = None

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
        self.change_server_button.clicked.connect(self.show_server_editor)
        self.server_edit = QLineEdit(self)
        self.server_edit.setObjectName("server_url")
        self.server_edit.setPlaceholderText(
            self.tr("e.g. postgresql://user:password@server/stationcrm"))
        self.server_edit.setToolTip(self.tr(
            "The database address: postgresql://…, mssql://… (SQL Server over ODBC) or "
            "sqlite:///path/to/file for one PC."))
        self.server_edit.hide()
        self._show_server()

        server_row = QHBoxLayout()
        server_row.addWidget(self.server_label, 1)
        server_row.addWidget(self.change_server_button)
        form = QFormLayout()
        form.addRow(self.tr("&User name:"), self.user_edit)
        form.addRow(self.tr("&Password:"), self.password_edit)
        form.addRow(self.tr("&Station:"), self.station_combo)
        form.addRow(self.tr("Server:"), server_row)
        form.addRow("", self.server_edit)

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
        message_row = QHBoxLayout()
        message_row.addWidget(self.message_label, 1)
        message_row.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignTop)

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
        """The URL the next attempt uses (the edited one if the user changed the server)."""
        if self.server_edit.isVisible() or self.server_edit.text():
            typed = self.server_edit.text().strip()
            # The editor starts with the redacted URL; unchanged, it means the current one.
            if typed and typed != _display(self._url):
                return _keep_password(typed, self._url)
        return self._url

    @property
    def server_changed(self) -> bool:
        return self.server_url != self._settings.db_url

    def show_server_editor(self) -> None:
        if not self.server_edit.text():
            self.server_edit.setText(_display(self._url))
        self.server_edit.show()
        self.server_edit.setFocus()
        self.server_edit.selectAll()

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
        # On a server with personal logins the connection itself is the person's: the
        # server checks the password, and nothing is reused from another person's attempt.
        personal = _personal(url)
        reuse = (self._database if self._database and self._database.url == url
                 and not personal else None)
        # The station's own SQLite file is prepared (and filled with demo data) on first use.
        embedded = url == default_db_url(self._settings.data_dir)
        opened: dict[str, Database] = {}

        def work() -> LoginResult:
            database = reuse or open_database(
                url, embedded=embedded, person=(username, password) if personal else None,
                settings=self._settings)
            opened["database"] = database
            if reuse is not None:
                database.ping()
            try:
                actor = log_in(database.uow(), url, username, password, station)
                permissions = load_ui_permissions(database.uow(), actor)
            except Exception as error:
                translated = database.user_error(error)
                if translated is error:
                    raise
                raise translated from error
            return LoginResult(database=database, actor=actor, permissions=permissions)

        self._set_busy(True)
        self.show_message(self.tr("Connecting to {server}…").format(
            server=_display(url)), "info")
        self._tasks.run_in_background(
            work,
            on_done=self._on_logged_in,
            on_error=lambda error: self._on_failed(error, opened.get("database")),
            owner=self,
        )

    def show_message(self, text: str, kind: MessageKind) -> None:
        self.message_label.setText(text)
        self.message_label.setProperty("kind", kind)
        self.message_label.setStyleSheet(
            "QLabel { color: #8a1020; background: #fdecee; border: 1px solid #e3a0a8;"
            " border-radius: 4px; padding: 6px; }" if kind == "error"
            else "QLabel { color: palette(text); padding: 6px; }")
        self.message_label.show()
        self.retry_button.setVisible(False)

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
        else:
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
                       self.server_edit, self.change_server_button, self.login_button,
                       self.retry_button):
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
    try:
        return personal_logins(url)
    except Exception:  # a bad address is reported when connecting, not here
        return False


def _display(url: str) -> str:
    return redact_url(url)


def _keep_password(typed: str, current: str) -> str:
    """An edited URL that still shows the mask *** keeps the current URL's password."""
    password = urlsplit(current).password if "://" in current else None
    mask = f":{REDACTED}@"
    if password and mask in typed:
        return typed.replace(mask, f":{password}@", 1)
    return typed

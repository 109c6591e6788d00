"""Starting the desktop client: QApplication, font, translation, login, then the main window.

The login comes first and fast: this module and the login import only Qt and light
modules, and the rest of the client loads while the login is on screen
(app.ui.shell.startup).
"""

from __future__ import annotations

import dataclasses
import logging
import sys
import traceback
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from app import i18n
from app.settings import ConfigFileError, Settings
from app.ui.fonts import register_cjk_font
from app.ui.gcguard import GuiThreadCollector
from app.ui.i18n import install_translator
from app.ui.shell.login import LoginDialog
from app.ui.shell.startup import DeferredModules, later, needs_setup
from app.ui.tasks import TaskManager

if TYPE_CHECKING:
    from app.ui.context import AppContext, Database, LoginResult
    from app.ui.shell.main_window import MainWindow
    from app.ui.shell.setup_wizard import SetupWizard

log = logging.getLogger(__name__)

APPLICATION_NAME = "StationCRM"


def prepare_application(
    language: str | None = None, argv: list[str] | None = None
) -> tuple[QApplication, str]:
    """Create (or reuse) the QApplication, register the CJK font, install the translation.

    Returns the application and the language in use (``"zh"`` or ``"en"``), which is also
    given to :mod:`app.i18n` so service messages match the interface.
    """
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv)
    app.setApplicationName(APPLICATION_NAME)
    app.setOrganizationName(APPLICATION_NAME)
    app.setApplicationDisplayName(APPLICATION_NAME)
    register_cjk_font(app)
    if not hasattr(app, "_stationcrm_collector"):
        collector = GuiThreadCollector(app)
        collector.start()
        app._stationcrm_collector = collector  # type: ignore[attr-defined]
    resolved = install_translator(app, language)
    i18n.set_language(resolved)
    return app, resolved


class GuiSession(QObject):
    """Login → main window → (log out → login …) for one running program.

    The rest of the client loads once the first login is on screen (``deferred``).

    Signals:
        finished(int): the user quit from the login dialog; the exit code.
    """

    finished = Signal(int)

    def __init__(
        self,
        settings: Settings,
        *,
        language: str = "en",
        tasks: TaskManager | None = None,
        database: Database | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.language = language
        self.tasks = tasks or TaskManager(self)
        self.deferred = DeferredModules(self.tasks, self)
        self._database = database
        self.login_dialog: LoginDialog | None = None
        self.setup_wizard: SetupWizard | None = None
        self.main_window: MainWindow | None = None
        self.context: AppContext | None = None

    def start(self) -> None:
        """The set-up wizard at the very first start, else (and after it) the login."""
        if needs_setup(self.settings):
            self.show_setup()
        else:
            self.show_login()

    def show_setup(self) -> None:
        # The very first start: nothing is on screen yet, so the wizard's modules load now.
        wizard = later().SetupWizard(self.settings, self.tasks)
        wizard.finished_setup.connect(self._on_setup_done)
        wizard.rejected.connect(self._on_setup_cancelled)
        # Kept after it closes: it emits from inside its own accept() and reject(), and
        # dropping its last reference there would delete it under Qt's feet.
        self.setup_wizard = wizard
        wizard.show()

    def _on_setup_done(self, url: str, station: str) -> None:
        self.settings = dataclasses.replace(
            self.settings, db_url=url, station=station or self.settings.station,
            db_url_source="config" if url != self.settings.db_url
            else self.settings.db_url_source)
        self.show_login()  # before the wizard closes, so the application does not quit

    def _on_setup_cancelled(self) -> None:
        if self.main_window is None and self.login_dialog is None:
            self.finished.emit(0)

    def show_login(self) -> None:
        dialog = LoginDialog(self.settings, self.tasks, database=self._database,
                             deferred=self.deferred)
        dialog.logged_in.connect(self._on_logged_in)
        dialog.rejected.connect(self._on_login_cancelled)
        self.login_dialog = dialog
        dialog.show()
        self.deferred.start_after_paint(dialog)

    def _on_logged_in(self, result: LoginResult) -> None:
        if self._database is not None and self._database is not result.database:
            self._database.close()  # the user logged in to another server this time
        self._database = result.database
        # What the login dialog just saved to station.toml, for the next login (after log out).
        changed_server = result.database.url != self.settings.db_url
        self.settings = dataclasses.replace(
            self.settings, station=result.actor.station, last_username=result.actor.username,
            db_url=result.database.url,
            db_url_source="config" if changed_server else self.settings.db_url_source,
        )
        modules = later()  # loaded before the login could be checked
        self.context = modules.AppContext(
            settings=self.settings, database=result.database, actor=result.actor,
            permissions=result.permissions, tasks=self.tasks, language=self.language,
        )
        window = modules.MainWindow(self.context)
        window.logout_requested.connect(self._on_logout)
        self.main_window = window
        window.show()  # before the dialog closes, so the application does not quit
        # Hears what other stations did for this person (app.ui.shell.live).
        modules.start_live_feed(self.context, window)
        # A guard's station checks the read trail every few minutes (app.ui.shell.guard).
        modules.start_guard_watch(self.context, window)
        result.database.start_read_trail()

    def _on_login_cancelled(self) -> None:
        self.login_dialog = None
        if self.main_window is None:
            self.finished.emit(0)

    def _on_logout(self) -> None:
        window = self.main_window
        self.main_window = None
        later().stop_guard_watch(window)
        if self.context is not None:
            self.context.database.stop_read_trail()
        self.context = None
        self.show_login()
        if window is not None:
            window.close()
            window.deleteLater()

    def shutdown(self) -> None:
        """Stop the worker and close the database (the application is quitting)."""
        self.tasks.shutdown()
        if self._database is not None:
            self._database.close()
            self._database = None


def _install_excepthook() -> None:
    """An error nobody caught is logged and shown as a message, not as a traceback."""

    def hook(kind: type[BaseException], error: BaseException,
             tb: TracebackType | None) -> None:
        log.error("Unhandled error:\n%s", "".join(traceback.format_exception(kind, error, tb)))
        if QApplication.instance() is not None:
            # Imported when needed: app.ui.errors brings the services' models (through
            # app.saving), which the login's start does without.
            from app.ui.errors import show_error

            show_error(QApplication.activeWindow(), error)

    sys.excepthook = hook


def run_gui(settings: Settings, *, language: str | None = None) -> int:
    """Run the desktop client until the user quits; returns the exit code.

    ``language`` ("zh", "en" or None) overrides ``settings.language``; with neither, the
    system locale decides.
    """
    app, resolved = prepare_application(language or settings.language)
    _install_excepthook()
    session = GuiSession(settings, language=resolved)
    session.finished.connect(app.exit)
    app.aboutToQuit.connect(session.shutdown)
    session.start()
    return app.exec()


def startup_error_box(error: ConfigFileError, language: str) -> QMessageBox:
    """The message box for a station.toml the program cannot use (not shown yet)."""
    box = QMessageBox(QMessageBox.Icon.Critical,
                      QCoreApplication.translate("App", "StationCRM cannot start"),
                      error.message_for(language), QMessageBox.StandardButton.Close)
    box.setObjectName("startup_error")
    return box


def show_startup_error(error: ConfigFileError, *, language: str | None = None) -> int:
    """Show why the program cannot start (station.toml unusable) until it is closed.

    The windowed program has no console, so without this a damaged settings file looked
    like a program that does not start at all. Returns the exit code (2).
    """
    _app, resolved = prepare_application(language)
    log.error("Cannot start: %s", error.message)
    box = startup_error_box(error, resolved)
    loop = QEventLoop()
    box.finished.connect(loop.quit)
    box.open()
    loop.exec()
    box.deleteLater()
    return 2

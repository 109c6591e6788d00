"""What the shell uses only once the login window is up, imported in one place.

The login and the session reach these names through ``app.ui.shell.startup.later()``,
after :class:`~app.ui.shell.startup.DeferredModules` has imported this module while the
login was on screen. Importing any of them at the top of the login or of app.ui.shell.app
would load the database layer, Alembic, the services and the main window before the login
could appear.
"""

from __future__ import annotations

from app.bootstrap import ClientTooOld
from app.connect import log_in
from app.ui.context import AppContext, LoginResult, load_ui_permissions, open_database
from app.ui.shell.guard import start_guard_watch, stop_guard_watch
from app.ui.shell.live import start_live_feed
from app.ui.shell.main_window import MainWindow
from app.ui.shell.setup_wizard import SetupWizard, open_installer

__all__ = ["AppContext", "ClientTooOld", "LoginResult", "MainWindow", "SetupWizard",
           "load_ui_permissions", "log_in", "open_database", "open_installer",
           "start_guard_watch", "start_live_feed", "stop_guard_watch"]

"""The desktop client's start: the login window first, the rest while it is on screen.

The login needs PySide6 and a few light modules (the settings, the translation, the
labels). The rest — the database layer with Alembic, the services, the main window and its
pages — takes several times longer to import than the login takes to appear, so
:class:`DeferredModules` imports it once the login has been painted:

1. on the worker thread, what has no Qt in it: the bootstrap, the services and what they
   import never import Qt (STYLE.md; tests/test_import_direction.py), so they may load
   there while the GUI thread waits for keys;
2. on the GUI thread, what defines Qt classes: one module per turn of the event loop, so
   typing into the login stays smooth.

Each module's objects are then frozen out of the garbage collector's generations
(``gc.freeze``): they live as long as the program, and without that the collector, which
runs on the GUI thread (app.ui.gcguard), would walk the hundreds of thousands of objects
just imported while the login is on screen — pauses of a tenth of a second and more.

Whatever needs those modules waits with :meth:`DeferredModules.when_loaded` and reaches them
through :func:`later` (the module app.ui.shell.later, which imports them). At program
start nothing else imports them: tests/ui/test_startup_imports.py checks that in a fresh
interpreter, and tools/startup_time.py measures the start.
"""

from __future__ import annotations

import gc
import importlib
import logging
import pkgutil
import sys
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Final, Literal

import shiboken6
from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from app.ui.shell.pages import PAGE_MODULES

if TYPE_CHECKING:
    from app.settings import Settings
    from app.ui.tasks import TaskManager

log = logging.getLogger(__name__)

LATER: Final = "app.ui.shell.later"
# Step 1, on the worker thread. A package brings every module in it: the pages use most of
# the services, and the few they leave for later are small. The pinyin tables come first:
# loading them holds the interpreter's lock for a tenth of a second in one piece, which the
# GUI thread waits out too — best right after the login appears, before anyone types.
ON_WORKER: Final = ("app.textkeys", "app.bootstrap", "app.connect", "app.setup",
                    "app.update", "app.services")
# Step 2, on the GUI thread: each brings what it imports that step 1 did not.
ON_GUI_THREAD: Final = ("app.ui.context", "app.ui.shell.setup_wizard", "app.ui.shell.live",
                        "app.ui.shell.main_window", *PAGE_MODULES, LATER)

State = Literal["idle", "loading", "loaded"]


def needs_setup(settings: Settings) -> bool:
    """The first start: no station.toml and no address from --db or STATIONCRM_DB_URL."""
    return settings.db_url_source == "default" and not settings.config_file.exists()


def later() -> ModuleType:
    """app.ui.shell.later: the classes and functions the shell needs once the login is up.

    Imported here and now if the deferred loading has not done it yet.
    """
    return importlib.import_module(LATER)


def import_qt_free() -> None:
    """Step 1 (on the worker thread): ON_WORKER, and every module of a package among them."""
    for name in ON_WORKER:
        module = _import(name)
        if hasattr(module, "__path__"):
            for found in pkgutil.walk_packages(module.__path__, name + "."):
                _import(found.name)


def _import(name: str) -> ModuleType:
    module = importlib.import_module(name)
    # Out of the collector's sight (see the module docstring). Nothing is destroyed here,
    # so this is safe on the worker thread too.
    gc.freeze()
    return module


class DeferredModules(QObject):
    """Imports the rest of the client after the login is painted (see the module docstring).

    Nothing is lost if it never starts — a login that is never painted, a dialog made
    without a session: :meth:`when_loaded` then imports what is needed there and then,
    as the program did before it had this class.

    Signals:
        loaded: everything is imported.
    """

    loaded = Signal()

    def __init__(self, tasks: TaskManager, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._state: State = "loaded" if LATER in sys.modules else "idle"
        self._steps: list[str] = []
        self._waiting: list[tuple[Callable[[], object], Callable[[BaseException], object],
                                  QObject | None]] = []

    @property
    def is_loaded(self) -> bool:
        return self._state == "loaded"

    def start_after_paint(self, window: QWidget) -> None:
        """Start loading once ``window`` (the login) has been painted."""
        if self._state == "idle":
            window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            # On the next turn of the event loop, once this paint has reached the screen.
            QTimer.singleShot(0, self, self.start)
        return False

    def start(self) -> None:
        """Begin loading, if it has not begun: step 1 on the worker, then step 2 here."""
        if self._state != "idle":
            return
        self._state = "loading"
        self._tasks.run_in_background(import_qt_free, on_done=self._import_on_gui_thread,
                                      on_error=self._failed, owner=self)

    def when_loaded(self, callback: Callable[[], object], *,
                    on_error: Callable[[BaseException], object],
                    owner: QObject | None = None) -> None:
        """Call ``callback()`` once everything is loaded: now if it is, later if loading is
        under way (unless ``owner`` is deleted by then). If loading has not started, what
        the callback needs is imported here and now. A module that cannot be imported (a
        damaged installation) goes to ``on_error``."""
        if self._state == "idle":
            try:
                later()
            except Exception as error:  # noqa: BLE001 - told to the caller, like step 1's
                log.exception("Could not load the client's modules")
                on_error(error)
                return
            self._state = "loaded"
        if self._state == "loaded":
            callback()
        else:
            self._waiting.append((callback, on_error, owner))

    def _import_on_gui_thread(self, _nothing: object = None) -> None:
        self._steps = list(ON_GUI_THREAD)
        self._next_step()

    def _next_step(self) -> None:
        try:
            _import(self._steps.pop(0))
        except Exception as error:  # noqa: BLE001 - told to whoever waits
            self._failed(error)
            return
        if self._steps:
            QTimer.singleShot(0, self, self._next_step)
            return
        self._state = "loaded"
        self._call_waiting(None)
        self.loaded.emit()

    def _failed(self, error: BaseException) -> None:
        log.error("Could not load the client's modules", exc_info=error)
        # Idle again: the next when_loaded() tries once more, on this thread.
        self._state = "idle"
        self._steps = []
        self._call_waiting(error)

    def _call_waiting(self, error: BaseException | None) -> None:
        waiting, self._waiting = self._waiting, []
        for callback, on_error, owner in waiting:
            if owner is not None and not shiboken6.isValid(owner):
                continue
            if error is None:
                callback()
            else:
                on_error(error)


__all__ = ["DeferredModules", "later", "needs_setup"]

"""One background worker for database calls; results come back on the GUI thread.

Like Anki's ``taskman``: a function runs on the worker, and its result (or error) is handed
to a callback in the GUI thread. One worker thread means database calls never overlap, so
a unit of work is only ever used by one thread, and a LAN round trip never freezes a window.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QWidget

from app.db import DatabaseUnavailable
from app.services.errors import ServiceError

log = logging.getLogger(__name__)

T = TypeVar("T")
ErrorHandler = Callable[[BaseException, QObject | None], None]


def _show_error_default(error: BaseException, owner: QObject | None) -> None:
    from app.ui.errors import show_error  # errors imports widgets; keep this module light

    parent = owner if isinstance(owner, QWidget) else None
    show_error(parent, error)


class TaskManager(QObject):
    """Runs functions on one worker thread and delivers results on the GUI thread.

    Signals:
        database_unavailable: a task failed because the database is out of reach
            (a :class:`DatabaseUnavailable`); the connection monitor listens to it.
        busy_changed: True when the first task starts, False when the last one ends.
    """

    database_unavailable = Signal(object)
    busy_changed = Signal(bool)
    _results_pending = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        # Keep the worker thread: SQLite connections and their pool live with it.
        self._pool.setExpiryTimeout(-1)
        self._lock = threading.Lock()
        self._pending: list[tuple[int, list[Any]]] = []
        self._callbacks: dict[int, tuple[Any, Any, QObject | None]] = {}
        self._task_ids = itertools.count(1)
        self._running = 0
        self._closed = False
        self.error_handler: ErrorHandler = _show_error_default
        self._results_pending.connect(self._deliver_pending)

    # --- public ---------------------------------------------------------------------------

    def run_in_background(
        self,
        fn: Callable[[], T],
        *,
        on_done: Callable[[T], Any] | None = None,
        on_error: Callable[[BaseException], Any] | None = None,
        owner: QObject | None = None,
    ) -> None:
        """Run ``fn()`` on the worker; call ``on_done(result)`` or ``on_error(error)`` here.

        Without ``on_error`` the error is shown to the user (see :mod:`app.ui.errors`).
        When ``owner`` (usually the widget that asked) has been deleted by the time the
        result arrives, neither callback runs.
        """
        if self._closed:
            log.debug("Task manager is shut down; dropping %r", fn)
            return
        task_id = next(self._task_ids)
        # The callbacks and their owner stay on this (GUI) thread; the worker never holds
        # them. Releasing the last reference to a Qt object on the worker thread would
        # destroy it there, which crashes.
        self._callbacks[task_id] = (on_done, on_error, owner)
        parcel: list[Any] = [fn]

        def work() -> None:
            # ``fn`` and whatever it returned travel back in ``parcel`` and are let go on
            # the GUI thread, for the same reason: nothing the caller made dies here.
            call = parcel.pop()
            try:
                parcel.append((True, call()))
            except Exception as error:  # noqa: BLE001 - every failure goes back to the GUI
                parcel.append((False, error))
            parcel.append(call)
            del call
            self._post(task_id, parcel)

        self._running += 1
        if self._running == 1:
            self.busy_changed.emit(True)
        self._pool.start(work)

    @property
    def is_busy(self) -> bool:
        return self._running > 0

    def wait_until_idle(self, timeout_ms: int = 30_000) -> bool:
        """Block until the worker has finished, then deliver the results (tests, shutdown)."""
        done = self._pool.waitForDone(timeout_ms)
        self._deliver_pending()
        return done

    def shutdown(self, timeout_ms: int = 10_000) -> None:
        """Drop queued work, wait for the running call, and deliver nothing more."""
        self._closed = True
        self._pool.clear()
        self._pool.waitForDone(timeout_ms)
        with self._lock:
            self._pending.clear()
        self._callbacks.clear()
        self._running = 0

    # --- internals ------------------------------------------------------------------------

    def _post(self, task_id: int, parcel: list[Any]) -> None:
        """Called on the worker: queue the outcome and wake the GUI thread."""
        with self._lock:
            self._pending.append((task_id, parcel))
        # The manager lives in the GUI thread, so this emission is queued there.
        self._results_pending.emit()

    @Slot()
    def _deliver_pending(self) -> None:
        with self._lock:
            arrived, self._pending = self._pending, []
        for task_id, parcel in arrived:
            self._running = max(0, self._running - 1)
            on_done, on_error, owner = self._callbacks.pop(task_id, (None, None, None))
            (succeeded, value), _call = parcel[0], parcel[1]
            parcel.clear()
            try:
                if succeeded:
                    self._finish_done(value, on_done, owner)
                else:
                    self._finish_error(value, on_error, owner)
            finally:
                if self._running == 0:
                    self.busy_changed.emit(False)

    @staticmethod
    def _owner_gone(owner: QObject | None) -> bool:
        return owner is not None and not shiboken6.isValid(owner)

    def _finish_done(
        self, result: Any, on_done: Callable[[Any], Any] | None, owner: QObject | None
    ) -> None:
        if self._owner_gone(owner) or on_done is None:
            return
        on_done(result)

    def _finish_error(
        self,
        error: BaseException,
        on_error: Callable[[BaseException], Any] | None,
        owner: QObject | None,
    ) -> None:
        if isinstance(error, DatabaseUnavailable):
            log.info("Database unavailable: %s (%s)", error.reason, error.detail)
            self.database_unavailable.emit(error)
        elif not isinstance(error, ServiceError):
            log.error("Background task failed", exc_info=error)
        if self._owner_gone(owner):
            return
        if on_error is not None:
            on_error(error)
        else:
            self.error_handler(error, owner)

"""One background worker for database calls; results come back on the GUI thread.

Like Anki's ``taskman``: a function runs on the worker, and its result (or error) is handed
to a callback in the GUI thread. One worker thread means database calls never overlap, so
a unit of work is only ever used by one thread, and a LAN round trip never freezes a window.
A call the server does not answer can be abandoned: a new worker takes over the queue.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from app.db_errors import DatabaseUnavailable
from app.services.errors import ServiceError

log = logging.getLogger(__name__)

T = TypeVar("T")
ErrorHandler = Callable[[BaseException, QObject | None], None]


def _show_error_default(error: BaseException, owner: QObject | None) -> None:
    from app.ui.errors import show_error  # errors imports widgets; keep this module light

    parent = owner if isinstance(owner, QWidget) else None
    show_error(parent, error)


class Worker(threading.Thread):
    """The thread that runs the calls, one after another, from the manager's queue.

    A worker the person abandoned (a call the server does not answer) is *retired*: it
    finishes its call in the background, drops the outcome, and takes nothing more; a new
    worker serves the queue meanwhile.
    """

    def __init__(self, manager: TaskManager, number: int) -> None:
        super().__init__(name=f"stationcrm-db-{number}", daemon=True)
        self._manager = manager
        self.retired = False
        self.current: tuple[int, float] | None = None  # (task id, monotonic start)

    def run(self) -> None:
        manager = self._manager
        while not self.retired:
            item = manager._queue.get()
            if item is None or self.retired:
                manager._queue.task_done()
                if self.retired and item is not None:
                    manager._queue.put(item)  # not ours any more: the new worker takes it
                return
            task_id, parcel = item
            with manager._lock:
                self.current = (task_id, time.monotonic())
            call = parcel.pop()
            try:
                parcel.append((True, call()))
            except Exception as error:  # noqa: BLE001 - every failure goes back to the GUI
                parcel.append((False, error))
            parcel.append(call)
            del call
            with manager._lock:
                self.current = None
                late = self.retired
            manager._queue.task_done()
            if late:
                # Abandoned: the GUI already told the caller. The parcel still goes back
                # so that what the call made is released on the GUI thread.
                manager._post(-task_id, parcel)
                return
            manager._post(task_id, parcel)


class TaskManager(QObject):
    """Runs functions on one worker thread and delivers results on the GUI thread.

    Signals:
        database_unavailable: a task failed because the database is out of reach
            (a :class:`DatabaseUnavailable`); the connection monitor listens to it.
        busy_changed: True when the first task starts, False when the last one ends.
        abandoned: the running call was given up (:meth:`abandon_running`); whatever it
            used (its unit of work) must not be used again.
    """

    database_unavailable = Signal(object)
    busy_changed = Signal(bool)
    abandoned = Signal()
    _results_pending = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._queue: queue.Queue[tuple[int, list[Any]] | None] = queue.Queue()
        self._lock = threading.Lock()
        self._pending: list[tuple[int, list[Any]]] = []
        self._callbacks: dict[int, tuple[Any, Any, QObject | None]] = {}
        self._task_ids = itertools.count(1)
        self._workers = itertools.count(1)
        self._running = 0
        self._closed = False
        # True while the connection monitor hears the server (app.ui.shell.connection sets it).
        self.server_answers = True
        self._deadlines: dict[int, float] = {}
        self._deadline_timer = QTimer(self)
        self._deadline_timer.setInterval(200)
        self._deadline_timer.timeout.connect(self._give_up_overdue)  # runs only while needed
        self._worker = self._start_worker()
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
        give_up_after_ms: int | None = None,
    ) -> None:
        """Run ``fn()`` on the worker; call ``on_done(result)`` or ``on_error(error)`` here.

        Without ``on_error`` the error is shown to the user (see :mod:`app.ui.errors`).
        When ``owner`` (usually the widget that asked) has been deleted by the time the
        result arrives, neither callback runs. ``give_up_after_ms``: for reads only — a call
        still running that long after it started is abandoned (``on_error`` gets
        :class:`app.saving.Abandoned`).
        """
        if self._closed:
            log.debug("Task manager is shut down; dropping %r", fn)
            return
        task_id = next(self._task_ids)
        # The callbacks and their owner stay on this (GUI) thread; the worker never holds
        # them. Releasing the last reference to a Qt object on the worker thread would
        # destroy it there, which crashes. ``fn`` and whatever it returned travel back in
        # the parcel and are let go on the GUI thread, for the same reason.
        self._callbacks[task_id] = (on_done, on_error, owner)
        self._running += 1
        if self._running == 1:
            self.busy_changed.emit(True)
        if give_up_after_ms is not None:
            self._deadlines[task_id] = give_up_after_ms / 1000
            self._deadline_timer.start()
        self._queue.put((task_id, [fn]))

    @property
    def is_busy(self) -> bool:
        return self._running > 0

    def running_for(self) -> float:
        """Seconds the call on the worker has been running (0 when it is idle)."""
        with self._lock:
            current = self._worker.current
        return 0.0 if current is None else time.monotonic() - current[1]

    def abandon_running(self, task_id: int | None = None) -> bool:
        """Stop waiting for the call on the worker (a server that does not answer).

        Its caller gets :class:`app.saving.Abandoned` at once; the queued calls go on, on
        a new worker thread, and the old one drops its call's outcome whenever it ends.
        Returns False when nothing was running (or not the call ``task_id``).
        """
        from app.saving import Abandoned

        with self._lock:
            current = self._worker.current
            if current is None or (task_id is not None and current[0] != task_id):
                return False
            self._worker.retired = True
        stuck = self._worker
        log.warning("Abandoned a call that ran %.1f s on %s", time.monotonic() - current[1],
                    stuck.name)
        self._worker = self._start_worker()
        self.abandoned.emit()
        self._deliver(current[0], (False, Abandoned(
            "Stopped waiting for the server.")))
        return True

    def wait_until_idle(self, timeout_ms: int = 30_000) -> bool:
        """Block until the worker has finished, then deliver the results (tests, shutdown)."""
        deadline = time.monotonic() + timeout_ms / 1000
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.005)
        done = not self._queue.unfinished_tasks
        self._deliver_pending()
        return done

    def shutdown(self, timeout_ms: int = 10_000) -> None:
        """Drop queued work, wait for the running call, and deliver nothing more."""
        self._closed = True
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
            self._queue.task_done()
        self._queue.put(None)
        self._worker.join(timeout_ms / 1000)
        with self._lock:
            self._pending.clear()
        self._callbacks.clear()
        self._running = 0

    # --- internals ------------------------------------------------------------------------

    def _give_up_overdue(self) -> None:
        with self._lock:
            current = self._worker.current
        for task_id in [t for t in self._deadlines if t not in self._callbacks]:
            del self._deadlines[task_id]
        if not self._deadlines:
            self._deadline_timer.stop()
            return
        if current is None or current[0] not in self._deadlines:
            return
        if time.monotonic() - current[1] >= self._deadlines[current[0]]:
            del self._deadlines[current[0]]
            self.abandon_running(current[0])

    def _start_worker(self) -> Worker:
        worker = Worker(self, next(self._workers))
        worker.start()
        return worker

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
            outcome = parcel[0]
            parcel.clear()  # the call and its result are let go here, on the GUI thread
            if task_id > 0:
                self._deliver(task_id, outcome)

    def _deliver(self, task_id: int, outcome: tuple[bool, Any]) -> None:
        if task_id not in self._callbacks:
            return
        self._running = max(0, self._running - 1)
        on_done, on_error, owner = self._callbacks.pop(task_id)
        succeeded, value = outcome
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
        from app.saving import Abandoned

        if isinstance(error, DatabaseUnavailable):
            log.info("Database unavailable: %s (%s)", error.reason, error.detail)
            self.database_unavailable.emit(error)
        elif not isinstance(error, ServiceError | Abandoned):
            log.error("Background task failed", exc_info=error)
        if self._owner_gone(owner):
            return
        if on_error is not None:
            on_error(error)
        else:
            self.error_handler(error, owner)

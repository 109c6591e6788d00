"""Watches the database connection: a cheap ping on its own thread, faster while down.

The ping never waits behind the worker: a call stuck on a server that stopped answering (a
network black hole) must not hide the problem. While a call has run longer than
``STALL_AFTER_MS`` the monitor pings at once, on its own thread and its own connection; a
ping without an answer within ``PING_TIMEOUT_MS`` counts as a lost connection. The banner
therefore shows within about four seconds of a black hole, and the person can stop waiting
for the stuck call (``TaskManager.abandon_running``).
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from app.db import DatabaseUnavailable
from app.ui.tasks import TaskManager

log = logging.getLogger(__name__)

CHECK_INTERVAL_MS = 15_000
RETRY_INTERVAL_MS = 3_000
STALL_AFTER_MS = 1_000
PING_TIMEOUT_MS = 2_500
_WATCH_MS = 250
_MAX_PINGS_IN_FLIGHT = 3


class ConnectionMonitor(QObject):
    """Knows whether the server answers; reconnects by itself.

    Every ``interval_ms`` a ping runs on a thread of its own (``SELECT 1`` through the
    engine, whose pool pre-ping replaces dead connections). A failed or unanswered ping,
    or any task failing with :class:`DatabaseUnavailable`, marks the connection lost; while
    lost the ping repeats every ``retry_ms`` until the server answers again.
    ``no_answer_error(timeout_ms)`` makes the error for a ping left unanswered (it names the
    server: ``Database.no_answer``).

    Signals:
        connection_lost(DatabaseUnavailable | Exception): the server stopped answering.
        connection_restored(): it answers again.
        state_changed(bool): connected or not, after either of the above.
        stall_changed(bool): a worker call has been waiting on a server that does not
            answer (True), or no longer is (False) — the moment to offer "stop waiting".
    """

    connection_lost = Signal(object)
    connection_restored = Signal()
    state_changed = Signal(bool)
    stall_changed = Signal(bool)
    _answered = Signal(int, object)

    def __init__(
        self,
        tasks: TaskManager,
        ping: Callable[[], None],
        *,
        no_answer_error: Callable[[int], BaseException],
        interval_ms: int = CHECK_INTERVAL_MS,
        retry_ms: int = RETRY_INTERVAL_MS,
        ping_timeout_ms: int = PING_TIMEOUT_MS,
        stall_after_ms: int = STALL_AFTER_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._ping = ping
        self._interval_ms = interval_ms
        self._retry_ms = retry_ms
        self._ping_timeout_ms = ping_timeout_ms
        self._stall_after_s = stall_after_ms / 1000
        self._no_answer_error = no_answer_error
        self._connected = True
        self._stalled = False
        self._ping_ids = itertools.count(1)
        self._waiting: int | None = None  # the ping whose answer counts
        self._in_flight = 0
        self._checked_stall = False
        self.last_error: BaseException | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.check_now)
        self._deadline = QTimer(self)
        self._deadline.setSingleShot(True)
        self._deadline.timeout.connect(self._on_no_answer)
        self._watch = QTimer(self)
        self._watch.setInterval(_WATCH_MS)
        self._watch.timeout.connect(self._watch_worker)
        self._answered.connect(self._on_answer)
        tasks.database_unavailable.connect(self.report_failure)
        tasks.busy_changed.connect(self._on_busy)

    @property
    def is_connected(self) -> bool:
        return self._connected

    @property
    def stalled(self) -> bool:
        return self._stalled

    def start(self) -> None:
        self._schedule()
        if self._tasks.is_busy:
            self._watch.start()

    def stop(self) -> None:
        self._timer.stop()
        self._deadline.stop()
        self._watch.stop()
        self._waiting = None

    def check_now(self) -> None:
        """Ping the server now, on the monitor's own thread (unless a ping is on its way)."""
        if self._waiting is not None:
            return
        if self._in_flight >= _MAX_PINGS_IN_FLIGHT:
            # Earlier pings hang in the black hole; their answers still count when they come.
            self._schedule()
            return
        self._timer.stop()
        ping_id = next(self._ping_ids)
        self._waiting = ping_id
        self._in_flight += 1
        self._deadline.start(self._ping_timeout_ms)
        threading.Thread(target=self._run_ping, args=(ping_id,), daemon=True,
                         name=f"stationcrm-ping-{ping_id}").start()

    def report_failure(self, error: BaseException) -> None:
        """Something else found the database unreachable: go into reconnect mode."""
        self.last_error = error
        self._tasks.server_answers = False
        if self._connected:
            self._connected = False
            log.warning("Lost the database connection: %s", error)
            self.connection_lost.emit(error)
            self.state_changed.emit(False)
        self._update_stall()
        if self._waiting is None:
            self._schedule()

    # --- internals ------------------------------------------------------------------------

    def _run_ping(self, ping_id: int) -> None:
        try:
            self._ping()
        except Exception as error:  # noqa: BLE001 - handed to the GUI thread
            self._answered.emit(ping_id, error)
        else:
            self._answered.emit(ping_id, None)

    def _on_answer(self, ping_id: int, error: BaseException | None) -> None:
        self._in_flight = max(0, self._in_flight - 1)
        if error is None:
            # The server answers, even if this ping came late: connected.
            if self._waiting == ping_id:
                self._waiting = None
                self._deadline.stop()
            self._on_ping_ok()
            return
        if self._waiting != ping_id:
            return  # a ping already counted as unanswered
        self._waiting = None
        self._deadline.stop()
        if not isinstance(error, DatabaseUnavailable):
            log.error("Connection check failed unexpectedly", exc_info=error)
        self.report_failure(error)

    def _on_no_answer(self) -> None:
        if self._waiting is None:
            return
        self._waiting = None
        self.report_failure(self._no_answer_error(self._ping_timeout_ms))

    def _on_ping_ok(self) -> None:
        self._tasks.server_answers = True
        if not self._connected:
            self._connected = True
            self.last_error = None
            log.info("Database connection restored")
            self.connection_restored.emit()
            self.state_changed.emit(True)
        self._update_stall()
        self._schedule()

    def _on_busy(self, busy: bool) -> None:
        if busy:
            self._checked_stall = False
            self._watch.start()
        else:
            self._watch.stop()
            self._update_stall()

    def _watch_worker(self) -> None:
        running = self._tasks.running_for()
        if running < self._stall_after_s:
            self._checked_stall = False
            self._update_stall()
            return
        if not self._checked_stall:
            # A call is taking long: is the server still there? (Once per slow call.)
            self._checked_stall = True
            self.check_now()
        self._update_stall()

    def _update_stall(self) -> None:
        stalled = (not self._connected and self._tasks.is_busy
                   and self._tasks.running_for() >= self._stall_after_s)
        if stalled != self._stalled:
            self._stalled = stalled
            self.stall_changed.emit(stalled)

    def _schedule(self) -> None:
        self._timer.start(self._interval_ms if self._connected else self._retry_ms)

"""Watches the database connection: a cheap periodic ping on the worker, faster while down."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from app.db import DatabaseUnavailable
from app.ui.tasks import TaskManager

log = logging.getLogger(__name__)

CHECK_INTERVAL_MS = 15_000
RETRY_INTERVAL_MS = 3_000


class ConnectionMonitor(QObject):
    """Knows whether the server answers; reconnects by itself.

    Every ``interval_ms`` a ping runs on the worker thread (``SELECT 1`` through the
    engine, whose pool pre-ping replaces dead connections). A failed ping, or any task
    failing with :class:`DatabaseUnavailable`, marks the connection lost; while lost the
    ping repeats every ``retry_ms`` until the server answers again.

    Signals:
        connection_lost(DatabaseUnavailable | Exception): the server stopped answering.
        connection_restored(): it answers again.
        state_changed(bool): connected or not, after either of the above.
    """

    connection_lost = Signal(object)
    connection_restored = Signal()
    state_changed = Signal(bool)

    def __init__(
        self,
        tasks: TaskManager,
        ping: Callable[[], None],
        *,
        interval_ms: int = CHECK_INTERVAL_MS,
        retry_ms: int = RETRY_INTERVAL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._ping = ping
        self._interval_ms = interval_ms
        self._retry_ms = retry_ms
        self._connected = True
        self._checking = False
        self.last_error: BaseException | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.check_now)
        tasks.database_unavailable.connect(self.report_failure)

    @property
    def is_connected(self) -> bool:
        return self._connected

    def start(self) -> None:
        self._schedule()

    def stop(self) -> None:
        self._timer.stop()

    def check_now(self) -> None:
        """Ping the server now (unless a ping is already on its way)."""
        if self._checking:
            return
        self._checking = True
        self._timer.stop()
        self._tasks.run_in_background(
            self._ping, on_done=self._on_ping_ok, on_error=self._on_ping_failed, owner=self
        )

    def report_failure(self, error: BaseException) -> None:
        """Something else found the database unreachable: go into reconnect mode."""
        self.last_error = error
        if self._connected:
            self._connected = False
            log.warning("Lost the database connection: %s", error)
            self.connection_lost.emit(error)
            self.state_changed.emit(False)
        if not self._checking:
            self._schedule()

    def _on_ping_ok(self, _result: object) -> None:
        self._checking = False
        if not self._connected:
            self._connected = True
            self.last_error = None
            log.info("Database connection restored")
            self.connection_restored.emit()
            self.state_changed.emit(True)
        self._schedule()

    def _on_ping_failed(self, error: BaseException) -> None:
        self._checking = False
        if not isinstance(error, DatabaseUnavailable):
            log.error("Connection check failed unexpectedly", exc_info=error)
        self.report_failure(error)

    def _schedule(self) -> None:
        self._timer.start(self._interval_ms if self._connected else self._retry_ms)

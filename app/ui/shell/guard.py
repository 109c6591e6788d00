"""Customer base protection at a guard's station: the read trail checked every few minutes.

After login, the station of a person whose role has the customer-guard module (客户资源安全,
the general manager by default) runs :func:`app.services.guard_watch.watch` on the
database worker at once, then :data:`~app.services.guard_watch.CHECK_MINUTES` minutes after
each check ended: a flagged day found is kept and every guard is told on the change feed
(their live feed shows the notice; a click opens the day's reads). When a check kept
something, the change bus hears ``"guard_alert"`` so this station's to-do list reads again
at once.

A check runs in the background and never two at once. While the connection is lost (the
banner of :mod:`app.ui.shell.connection`) it asks nothing; when the server answers again, a
check that fell due meanwhile runs at once. A check that failed is logged, never shown, and
the next one comes at the next interval. Stopped at logout and when the window closes.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from app.models.enums import Module, Operation
from app.services import guard_watch
from app.services.guard_watch import WatchResult
from app.ui.context import AppContext

log = logging.getLogger(__name__)

CHECK_MS = guard_watch.CHECK_MINUTES * 60_000


class GuardWatch(QObject):
    """Checks the read trail for one logged-in guard, every ``interval_ms`` (default
    :data:`CHECK_MS`).

    ``window`` is the main window (its ``monitor`` is followed when it has one); ``today``
    stands in for the date the check looks back from (tests).

    Signals:
        checked(object): a check answered (its :class:`WatchResult`).
        failed(object): a check failed (the error; it was logged).
    """

    checked = Signal(object)
    failed = Signal(object)

    def __init__(self, ctx: AppContext, window: QWidget, *, interval_ms: int | None = None,
                 today: Callable[[], dt.date] | None = None) -> None:
        super().__init__(window)
        self.setObjectName("guard_watch")
        self._ctx = ctx
        self.interval_ms = interval_ms if interval_ms is not None else CHECK_MS
        self._today = today
        self._checking = False
        self._paused = False
        self._stopped = True
        self._started_at: float | None = None
        self.checks = 0  # checks asked for since the start
        self.last_result: WatchResult | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.check)
        monitor = getattr(window, "monitor", None)
        if monitor is not None:
            monitor.connection_lost.connect(self.pause)
            monitor.connection_restored.connect(self.resume)

    # --- public ---------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return not self._stopped

    @property
    def checking(self) -> bool:
        """A check is on the worker now."""
        return self._checking

    @property
    def paused(self) -> bool:
        return self._paused

    def start(self) -> None:
        """Check now, then every interval."""
        self._stopped = False
        self.check()

    def stop(self) -> None:
        """No more checks (logout, the window closes); an answer still on its way is
        taken but schedules nothing."""
        self._stopped = True
        self._timer.stop()

    def pause(self, *_args: Any) -> None:
        """The connection is lost: ask nothing until it is back."""
        self._paused = True
        self._timer.stop()

    def resume(self) -> None:
        """The server answers again: check now if a check fell due meanwhile."""
        if not self._paused:
            return
        self._paused = False
        if self._stopped or self._checking:
            return
        if self._started_at is None:
            self._schedule(0)
            return
        elapsed_ms = int((time.monotonic() - self._started_at) * 1000)
        self._schedule(max(0, self.interval_ms - elapsed_ms))

    def check(self) -> None:
        """Check the read trail now (one at a time; never while paused or stopped)."""
        if self._checking or self._paused or self._stopped:
            return
        self._timer.stop()
        self._checking = True
        self._started_at = time.monotonic()
        self.checks += 1
        actor = self._ctx.actor
        today = self._today() if self._today is not None else None
        # The service is looked up when the check runs (tests stand in for it).
        self._ctx.run(lambda uow: guard_watch.watch(uow=uow, actor=actor, today=today),
                      on_done=self._on_result, on_error=self._on_error, owner=self)

    # --- answers --------------------------------------------------------------------------

    def _on_result(self, result: WatchResult) -> None:
        self._checking = False
        self.last_result = result
        if result.raised:
            # This station's to-do list reads again now; the notices come with the feed.
            self._ctx.changes.publish(guard_watch.KIND, None)
        self.checked.emit(result)
        self._schedule(self.interval_ms)

    def _on_error(self, error: BaseException) -> None:
        self._checking = False
        # A lost connection also pauses the checks through the monitor, which says when
        # the server is back; any other failure waits for the next interval.
        log.warning("Checking the customer base protection alerts failed: %s", error)
        self.failed.emit(error)
        self._schedule(self.interval_ms)

    def _schedule(self, ms: int) -> None:
        if not (self._paused or self._stopped):
            self._timer.start(ms)


def start_guard_watch(ctx: AppContext, window: QWidget) -> GuardWatch | None:
    """Start checking for ``window``'s person (called after login), if their role has the
    customer-guard module; None otherwise."""
    if not ctx.can(Module.CUSTOMER_GUARD, Operation.VIEW):
        return None
    watch = GuardWatch(ctx, window)
    window.guard_watch = watch  # type: ignore[attr-defined]
    watch.start()
    return watch


def stop_guard_watch(window: QWidget | None) -> None:
    """Stop ``window``'s checks, if it has any (logout, close)."""
    watch = getattr(window, "guard_watch", None)
    if isinstance(watch, GuardWatch):
        watch.stop()


__all__ = ["CHECK_MS", "GuardWatch", "start_guard_watch", "stop_guard_watch"]

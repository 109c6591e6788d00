"""Live between stations: the station reads the change feed every few seconds and says so.

After login a :class:`LiveFeed` asks the database worker for the notices after the last one
it saw (``app.services.feed.read_feed``, one indexed query) every ``feed_poll_seconds``.
What arrives:

* is published on the change bus as its record kind (and as ``"feed"``), so the open lists
  and the to-do page of that kind read again without a key pressed;
* counts on the to-do entry (Go → To-do today) and on a button in the status bar;
* shows as a brief notice in the window's top-right corner, in the reader's language ("商机
  SJ-… 已分派给您"); a click opens the record.

While the connection is lost (the banner of :mod:`app.ui.shell.connection`) it asks
nothing, and starts again when the server answers; a failed read never shows a message.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QMainWindow,
    QPushButton,
    QToolButton,
    QWidget,
)

from app.db import DatabaseUnavailable
from app.services.feed import FeedBatch, FeedItem, read_feed
from app.ui.context import AppContext

log = logging.getLogger(__name__)

# A notice stays this long in the corner unless the mouse is on it.
NOTICE_MS = 8_000
# After a read failed for another reason than the connection: wait longer before the next.
BACKOFF_MS = 30_000
# More new notices than this at once (a hand-over) make one summary notice.
MAX_SINGLE_NOTICES = 3
# The ids already seen that are remembered (the look-back of read_feed brings them again).
KNOWN_IDS = 2_000

# The change-bus kind of each record kind of the feed (app.ui.kit.changes).
BUS_KINDS: dict[str, str] = {"service_ticket": "ticket", "repair": "ticket",
                             "care_item": "care"}
# Published with a kind: an opportunity given to a salesperson comes with a to-do task
# for them (app.services.routing), which the to-do page lists.
ALSO_PUBLISHED: dict[str, tuple[str, ...]] = {"opportunity": ("task",)}
# Always published as well: the to-do page follows it (whatever kinds it lists).
FEED_KIND = "feed"
# The notice of a flagged day of customer base protection (app.services.guard_watch.KIND):
# published as it is, which the to-do page follows; a click opens the day's reads.
GUARD_KIND = "guard_alert"


class LiveFeed(QObject):
    """Polls the change feed for one logged-in person and tells their main window.

    ``window`` is the main window (its ``statusBar()``, ``monitor``, ``set_todo_count``,
    ``open_todo()`` and ``open_customer()`` are used when they exist). ``opener(item)``
    replaces what a click on a notice does (tests).
    """

    def __init__(self, ctx: AppContext, window: QMainWindow, *,
                 interval_ms: int | None = None,
                 opener: Callable[[FeedItem], object] | None = None) -> None:
        super().__init__(window)
        self.setObjectName("live_feed")
        self._ctx = ctx
        self._window = window
        seconds = getattr(ctx.settings, "feed_poll_seconds", 5) or 5
        self.interval_ms = interval_ms if interval_ms is not None else max(1, seconds) * 1000
        self._opener = opener
        self._after: int | None = None
        self._seen: int | None = self._stored_seen()
        self._known: dict[int, None] = {}
        self._asking = False
        self._paused = False
        self._stopped = False
        self.unread = 0
        self.more = False
        self.last_items: tuple[FeedItem, ...] = ()  # the last new notices, for tests
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.poll)
        self.count_button = self._make_count_button()
        self.notice = _Notice(window, self._open_item)
        monitor = getattr(window, "monitor", None)
        if monitor is not None:
            monitor.connection_lost.connect(self.pause)
            monitor.connection_restored.connect(self.resume)
        stack = getattr(window, "stack", None)
        if stack is not None:
            stack.currentChanged.connect(lambda _i: self._note_page_shown())

    # --- public ---------------------------------------------------------------------------

    def start(self) -> None:
        """Read where the feed stands now, then every interval."""
        self._stopped = False
        self.poll()

    def stop(self) -> None:
        self._stopped = True
        self._timer.stop()

    def pause(self, *_args: Any) -> None:
        """The connection is lost: ask nothing until it is back."""
        self._paused = True
        self._timer.stop()

    def resume(self) -> None:
        if not self._paused:
            return
        self._paused = False
        if not self._stopped:
            self.poll()

    def poll(self) -> None:
        """Ask for the new notices now (one at a time; never behind a call of its own)."""
        if self._asking or self._paused or self._stopped:
            return
        self._asking = True
        actor, after, seen = self._ctx.actor, self._after, self._seen
        self._ctx.run(lambda uow: read_feed(uow=uow, actor=actor, after_id=after,
                                            seen_id=seen),
                      on_done=self._on_batch, on_error=self._on_error, owner=self,
                      give_up_after_ms=max(self.interval_ms, 10_000))

    def mark_seen(self) -> None:
        """The person looked at their to-do list: nothing is unread any more."""
        if self._after is None:
            return
        self._seen = self._after
        self._ctx.ui_settings().setValue(self._seen_key(), self._seen)
        self._show_count(0, False)

    # --- answers --------------------------------------------------------------------------

    def _on_batch(self, batch: FeedBatch) -> None:
        self._asking = False
        first = self._after is None
        self._after = batch.last_id
        if first and self._seen is None:
            # A person's first login on this PC: what came before is not "new".
            self._seen = batch.last_id
        fresh = [item for item in batch.items if item.id not in self._known]
        for item in fresh:
            self._known[item.id] = None
        while len(self._known) > KNOWN_IDS:
            del self._known[next(iter(self._known))]
        self._show_count(batch.unread, batch.more)
        if fresh and not first:
            self.last_items = tuple(fresh)
            self._announce(fresh)
        self._schedule(self.interval_ms)

    def _on_error(self, error: BaseException) -> None:
        self._asking = False
        if isinstance(error, DatabaseUnavailable):
            # The connection monitor shows the banner and says when it is back.
            self.pause()
            return
        log.warning("Reading the change feed failed: %s", error)
        self._schedule(BACKOFF_MS)

    def _schedule(self, ms: int) -> None:
        if not (self._paused or self._stopped):
            self._timer.start(ms)

    def _announce(self, items: list[FeedItem]) -> None:
        bus = self._ctx.changes
        for item in items:
            bus.publish(BUS_KINDS.get(item.kind, item.kind), item.record_id)
        for kind in dict.fromkeys(k for item in items for k in ALSO_PUBLISHED.get(item.kind, ())):
            bus.publish(kind, None)
        bus.publish(FEED_KIND, None)
        if len(items) > MAX_SINGLE_NOTICES:
            text = self.tr("{count} new notices — open the to-do list").format(
                count=len(items))
            self.notice.show_text(text, None)
        else:
            self.notice.show_text(items[-1].text, items[-1])

    # --- the count ------------------------------------------------------------------------

    def _make_count_button(self) -> QToolButton:
        button = QToolButton(self._window.statusBar())
        button.setObjectName("status_feed")
        button.setAutoRaise(True)
        button.setToolTip(self.tr("New notices from other stations; click for the to-do list"))
        button.clicked.connect(self._open_todo)
        button.hide()
        self._window.statusBar().addPermanentWidget(button)
        return button

    def _show_count(self, unread: int, more: bool) -> None:
        self.unread, self.more = unread, more
        shown = f"{unread}+" if more else str(unread)
        self.count_button.setText(self.tr("Notices: {count}").format(count=shown))
        self.count_button.setVisible(unread > 0)
        set_todo_count = getattr(self._window, "set_todo_count", None)
        if set_todo_count is not None:
            set_todo_count(shown if unread else "")

    def _note_page_shown(self) -> None:
        stack = getattr(self._window, "stack", None)
        page = getattr(self._window, "todo_page", None)
        if stack is not None and page is not None and stack.currentWidget() is page:
            self.mark_seen()

    def _open_todo(self) -> None:
        open_todo = getattr(self._window, "open_todo", None)
        if open_todo is not None:
            open_todo()
        self.mark_seen()

    # --- opening a record -----------------------------------------------------------------

    def _open_item(self, item: FeedItem | None) -> None:
        if item is None:
            self._open_todo()
            return
        if self._opener is not None:
            self._opener(item)
            return
        open_record(self._ctx, self._window, item, fallback=self._open_todo)

    # --- where the count stands between logins --------------------------------------------

    def _seen_key(self) -> str:
        server = hashlib.sha1(self._ctx.database.url.encode("utf-8")).hexdigest()[:12]
        return self._ctx.user_settings_key(f"feed_seen/{server}")

    def _stored_seen(self) -> int | None:
        value = self._ctx.ui_settings().value(self._seen_key())
        try:
            return int(value) if value is not None else None
        except (TypeError, ValueError):
            return None


def open_record(ctx: AppContext, window: QWidget, item: FeedItem,
                fallback: Callable[[], None]) -> None:
    """Open the record a notice is about with its own screen; the to-do list otherwise."""
    from app.ui.shell.record_openers import record_openers

    if item.kind == "customer":
        open_customer = getattr(window, "open_customer", None)
        if open_customer is not None:
            open_customer(item.record_id)
            return
    if item.kind == "contract":
        from app.ui.management.dialogs import open_related

        open_related(ctx, "contract", item.record_id, window)
        return
    if item.kind == GUARD_KIND:
        # A flagged day of customer base protection: the person's reads that day, in the
        # statistics module (not a record of the timeline's kinds).
        from app.ui.statistics.guard_open import open_guard_alert

        open_guard_alert(ctx, item.record_id, window)
        return
    opener = record_openers().opener_for(item.kind)
    if opener is None:
        fallback()
        return
    opener(ctx, item.record_id, window)


class _Notice(QFrame):
    """The brief notice in the main window's top-right corner; a click opens it."""

    def __init__(self, window: QMainWindow, on_click: Callable[[FeedItem | None], None]
                 ) -> None:
        super().__init__(window)
        self.setObjectName("live_notice")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#live_notice { background: #fffbe6; border: 1px solid #e0b84c;"
                           " border-radius: 4px; }")
        self._window = window
        self._on_click = on_click
        self._item: FeedItem | None = None
        self.button = QPushButton(self)
        self.button.setObjectName("live_notice_text")
        self.button.setFlat(True)
        self.button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.button.clicked.connect(self._clicked)
        close = QToolButton(self)
        close.setObjectName("live_notice_close")
        close.setText("×")
        close.setAutoRaise(True)
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.button, 1)
        layout.addWidget(close)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(NOTICE_MS)
        self._timer.timeout.connect(self._expire)
        window.installEventFilter(self)
        self.hide()

    def show_text(self, text: str, item: FeedItem | None) -> None:
        self._item = item
        self.button.setText(text)
        self.button.setToolTip(text)
        self.adjustSize()
        self._place()
        self.show()
        self.raise_()
        self._timer.start()

    def text(self) -> str:
        return str(self.button.text())

    def _clicked(self) -> None:
        item = self._item
        self.hide()
        self._on_click(item)

    def _expire(self) -> None:
        if self.underMouse():
            self._timer.start()
        else:
            self.hide()

    def _place(self) -> None:
        # Top right, under the menus: beside a page's title, where no button sits.
        window = self._window
        width = min(self.sizeHint().width(), max(200, window.width() - 40))
        self.resize(width, self.sizeHint().height())
        self.move(max(0, window.width() - width - 16), window.menuBar().height() + 4)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self._window and event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False


def start_live_feed(ctx: AppContext, window: QMainWindow) -> LiveFeed:
    """Start polling for ``window``'s person (called after login)."""
    live = LiveFeed(ctx, window)
    window.live_feed = live  # type: ignore[attr-defined]
    live.start()
    return live


__all__ = ["BUS_KINDS", "FEED_KIND", "GUARD_KIND", "LiveFeed", "open_record", "start_live_feed"]

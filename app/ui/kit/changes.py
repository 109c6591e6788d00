"""The change bus: after every successful write the UI says what changed, once.

A save publishes ``(kind, id)`` — "order", 42 — and every open list or card that shows
that kind of record decides for itself whether to read again (Anki's ``OpChanges`` after
an operation). Nobody wires a dialog's ``saved`` signal to the lists that happen to be
open; a screen opened later, or a second window, follows along without being told.

Kinds are the record kinds the timeline and the record openers use ("customer",
"quotation", "order", "payment", "ticket", "task", …).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot


class ChangeBus(QObject):
    """One per application (held by the :class:`~app.ui.context.AppContext`).

    Signals:
        changed(str, object): a record of that kind (id, or None for many) was written.
    """

    changed = Signal(str, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.published: list[tuple[str, object]] = []  # the last few, for tests and logs

    def publish(self, kind: str, record_id: object = None) -> None:
        self.published = [*self.published[-49:], (kind, record_id)]
        self.changed.emit(kind, record_id)

    def follow(self, owner: QObject, kinds: Iterable[str],
               react: Callable[[str, object], None], *, batch_ms: int = 0) -> None:
        """Call ``react(kind, id)`` while ``owner`` lives, for changes of ``kinds``.

        ``batch_ms`` > 0: several changes close together (a save that writes an order and
        its payment) make one call, with the last change, after that many milliseconds.
        """
        _Follower(owner, frozenset(kinds), react, batch_ms, self)


class _Follower(QObject):
    """A child of the owner: a slot of a QObject, so Qt drops the connection with it."""

    def __init__(self, owner: QObject, kinds: frozenset[str],
                 react: Callable[[str, object], None], batch_ms: int, bus: ChangeBus) -> None:
        super().__init__(owner)
        self.setObjectName("change_bus_follower")
        self._kinds = kinds
        self._react = react
        self._last: tuple[str, object] | None = None
        self._timer: QTimer | None = None
        if batch_ms > 0:
            self._timer = QTimer(self)
            self._timer.setSingleShot(True)
            self._timer.setInterval(batch_ms)
            self._timer.timeout.connect(self._fire)
        bus.changed.connect(self.on_changed)

    @Slot(str, object)
    def on_changed(self, kind: str, record_id: object) -> None:
        if kind not in self._kinds:
            return
        self._last = (kind, record_id)
        if self._timer is None:
            self._fire()
        else:
            self._timer.start()

    def _fire(self) -> None:
        if self._last is not None:
            self._react(*self._last)


def announce(bus: ChangeBus, signal: Any, kind: str) -> None:
    """Publish ``(kind, result.id)`` whenever ``signal(result)`` fires — for a form not
    built on the record dialog (which announces its ``saved`` by itself)."""
    signal.connect(lambda result: bus.publish(kind, getattr(result, "id", None)))

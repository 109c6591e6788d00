"""Choosing a record in a form: a search box, the matches in a drop-down, or the record's
name once it is fixed — one widget for every "which customer?" (Anki reuses one chooser
for every "pick a deck").

:class:`RecordChooser` is given a search function (run on the worker, a short while after
the last key) that returns ``(id, text)`` pairs; :class:`CustomerChooser` searches
customers by name, pinyin or phone the way the customer list does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from app.services.customers import get_customer, search_customers
from app.services.uow import UnitOfWork
from app.ui.context import AppContext

SEARCH_DELAY_MS = 250
CHOICES = 30

Search = Callable[[UnitOfWork, str], Sequence[tuple[Any, str]]]


class RecordChooser(QWidget):
    """Search box + matches, or a fixed record's name.

    ``optional``: the drop-down starts with a "none" entry (``none_text``).
    Signals: chosen(object) — the chosen id (None when nothing is chosen).
    """

    chosen = Signal(object)

    def __init__(self, ctx: AppContext, search: Search, *, name: str,
                 placeholder: str = "", none_text: str = "", optional: bool = False,
                 nothing_found: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name}_chooser")
        self._ctx = ctx
        self._search = search
        self._optional = optional
        self._none_text = none_text
        self._nothing_found = nothing_found or self.tr("Nothing found")
        self._serial = 0
        self.fixed_label = QLabel(self)
        self.fixed_label.setObjectName(f"{name}_label")
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName(f"{name}_search")
        self.search_edit.setPlaceholderText(placeholder)
        self.search_edit.setClearButtonEnabled(True)
        self.combo = QComboBox(self)
        self.combo.setObjectName(f"{name}_combo")
        self.combo.setMinimumContentsLength(20)
        self.combo.currentIndexChanged.connect(lambda _i: self.chosen.emit(self.current_id()))
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search)
        self.search_edit.textEdited.connect(lambda _t: self._timer.start())
        # Enter in the box searches at once, without waiting for the pause.
        self.search_edit.returnPressed.connect(self.search)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.fixed_label)
        layout.addWidget(self.search_edit, 1)
        layout.addWidget(self.combo, 1)
        self.setFocusProxy(self.search_edit)
        self._reset_choices()
        self.set_searching(True)

    # --- state --------------------------------------------------------------------------------

    def current_id(self) -> Any:
        return self.combo.currentData()

    def set_searching(self, searching: bool) -> None:
        """Show the search box and drop-down (True) or only the fixed name (False)."""
        self.fixed_label.setVisible(not searching)
        self.search_edit.setVisible(searching)
        self.combo.setVisible(searching)

    def fix(self, record_id: Any, text: str) -> None:
        """The record is decided (a saved document's customer): show its name only."""
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem(text, record_id)
        self.combo.blockSignals(False)
        self.fixed_label.setText(text)
        self.set_searching(False)

    def offer(self, record_id: Any, text: str) -> None:
        """Put one record in the drop-down, chosen, while the search stays open."""
        self.combo.clear()
        self.combo.addItem(text, record_id)
        if self._optional:
            self.combo.addItem(self._none_text, None)
        self.combo.setCurrentIndex(0)

    def _reset_choices(self) -> None:
        self.combo.clear()
        if self._optional:
            self.combo.addItem(self._none_text, None)

    # --- searching ----------------------------------------------------------------------------

    def search(self) -> None:
        """Look up what is typed (on the worker); the newest answer wins."""
        self._timer.stop()
        text = self.search_edit.text().strip()
        if not text and self._optional:
            self._reset_choices()
            return
        self._serial += 1
        serial, search = self._serial, self._search
        self._ctx.run(lambda uow: search(uow, text),
                      on_done=lambda found: self._found(serial, found),
                      on_error=lambda _error: self._found(serial, ()), owner=self)

    def _found(self, serial: int, found: Sequence[tuple[Any, str]]) -> None:
        if serial != self._serial:
            return
        # The matches first, so the first is chosen (what one typed a name for); "none"
        # stays offered after them.
        self.combo.clear()
        for record_id, text in found:
            self.combo.addItem(text, record_id)
        if self._optional:
            self.combo.addItem(self._none_text, None)
        elif not found:
            self.combo.addItem(self._nothing_found, None)
        self.combo.setCurrentIndex(0)


class CustomerChooser(RecordChooser):
    """Choose a customer by name, pinyin initials or phone digits."""

    def __init__(self, ctx: AppContext, *, name: str = "customer", optional: bool = False,
                 placeholder: str = "", parent: QWidget | None = None) -> None:
        actor = ctx.actor

        def find(uow: UnitOfWork, text: str) -> list[tuple[int, str]]:
            page = search_customers(uow=uow, actor=actor, text=text, limit=CHOICES)
            return [(row.id, f"{row.name}  ({row.code})") for row in page.rows]

        super().__init__(
            ctx, find, name=name, optional=optional, parent=parent,
            placeholder=placeholder or self.tr("Find a customer by name, pinyin or phone"),
            none_text=self.tr("No customer"), nothing_found=self.tr("No customer found"))

    def fix_customer(self, customer_id: int, name: str | None = None) -> None:
        """Show a decided customer; its name is read (on the worker) when not given."""
        if name is not None:
            self.fix(customer_id, name)
            return
        self.fix(customer_id, self.tr("Loading…"))
        actor = self._ctx.actor
        self._ctx.run(lambda uow: get_customer(uow=uow, actor=actor,
                                               customer_id=customer_id).name,
                      on_done=lambda found: self.fix(customer_id, found),
                      on_error=lambda _e: self.fix(customer_id, f"#{customer_id}"),
                      owner=self)

"""Rows of a kit table on a screen that acts on "the current row" (a queue, a to-do list, a
tab with a detail pane): the rows held, where a record is, and the current row kept while
the list is read again.

A reload (a filter, a header click, a write heard on the change bus) resets the model,
which clears the view's current row; :class:`CurrentRowKeeper` puts it back on the same
record once the rows are in — or on the row at the same place when that record has left
the list, the first row on the first read — so the buttons under the list keep working
with the keyboard alone.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QTableView

from app.ui.kit.table import PagedTableModel


def held_rows(model: PagedTableModel) -> tuple[Any, ...]:
    """The rows the model holds, in the order shown (rows not read yet are left out)."""
    return tuple(row for r in range(model.rowCount()) if (row := model.row_at(r)) is not None)


def row_of(model: PagedTableModel, row_id: Hashable) -> int:
    """The row showing the record ``row_id`` (-1: not in the list)."""
    return next((r for r in range(model.rowCount()) if model.row_id(r) == row_id), -1)


class CurrentRowKeeper(QObject):
    """Keeps ``table``'s current row across the reloads of its kit model.

    Signals:
        current_changed(): the reset took the current row away, or the rows of the
            reload are in and it is set again — the moments to update what depends on it
            (the buttons under the list are off while it reads).
    """

    current_changed = Signal()

    def __init__(self, table: QTableView, model: PagedTableModel) -> None:
        super().__init__(table)
        self._table = table
        self._model = model
        self._pending: tuple[Hashable, int] | None = None  # (record, row) before the reset
        self._wanted: Hashable = None
        model.modelAboutToBeReset.connect(self._remember)
        model.modelReset.connect(self._restore)
        model.page_loaded.connect(self._restore)

    def prefer(self, row_id: Hashable) -> None:
        """After the next reload, make the record ``row_id`` current if it is listed
        (a record just saved)."""
        self._wanted = row_id

    def _remember(self) -> None:
        if self._pending is not None:
            return  # a second reset before the rows came: the first place still counts
        index = self._table.currentIndex()
        row = index.row() if index.isValid() else 0
        self._pending = (self._model.row_id(row) if index.isValid() else None, row)

    def _restore(self) -> None:
        if self._pending is None:
            return
        count = self._model.rowCount()
        if count == 0:
            if not self._model.is_loading:
                self._pending = None  # the list came back empty
            # else: the reset that starts a read — the rows are on their way
            self.current_changed.emit()
            return
        previous, at = self._pending
        self._pending = None
        wanted, self._wanted = self._wanted, None
        row = row_of(self._model, wanted) if wanted is not None else -1
        if row < 0 and previous is not None:
            row = row_of(self._model, previous)
        if row < 0:
            row = min(at, count - 1)
        self._table.selectRow(row)
        self.current_changed.emit()


__all__ = ["CurrentRowKeeper", "held_rows", "row_of"]

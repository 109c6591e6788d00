"""A small spreadsheet-like table for the customer card's contacts, addresses and devices."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

VALUE_ROLE = Qt.ItemDataRole.UserRole + 1  # the stored value of a choice cell
META_ROLE = Qt.ItemDataRole.UserRole + 2  # a row's hidden data (id, notes...), on its first cell
# A locked cell showing a placeholder (e.g. "(no permission)") instead of a value.
PLACEHOLDER_ROLE = Qt.ItemDataRole.UserRole + 3
ERROR_BACKGROUND = QColor("#fbd5d5")
READ_ONLY_FOREGROUND = QColor("#5f6368")
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)

ModelIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class EntryColumn:
    """One column: ``kind`` is text, date, int, bool, choice or readonly.

    ``choices`` are (value, label) pairs of a choice column, ``default`` its value in a new
    row; ``exclusive`` bool columns allow one checked row (the primary contact).
    """

    key: str
    title: str
    kind: str = "text"
    width: int = 100
    choices: tuple[tuple[str, str], ...] = ()
    default: str | None = None
    exclusive: bool = False
    max_length: int = 0


class EntryTable(QTableWidget):
    """Rows typed in place; the table always ends with one blank row for a new entry.

    Enter in a cell moves to the next cell and on into the next row; Enter on the first
    cell of the empty last row leaves the table (``leave_forward``), so a counter clerk can
    enter a whole card without the mouse. Tab leaves the table when no cell is being edited.

    Signals:
        leave_forward(): Enter on the empty new row; the card moves to its next field.
        edited(): a cell changed because the user typed or ticked it.
        details_requested(): F4 on a row (the card opens the row's custom fields).
    """

    leave_forward = Signal()
    edited = Signal()
    details_requested = Signal()

    def __init__(self, columns: Sequence[EntryColumn], parent: QWidget | None = None) -> None:
        super().__init__(0, len(columns), parent)
        self.columns = tuple(columns)
        self._keys = {c.key: i for i, c in enumerate(self.columns)}
        self._editable = [i for i, c in enumerate(self.columns) if c.kind != "readonly"]
        self._filling = False
        self._marked: set[tuple[int, int]] = set()
        self.setHorizontalHeaderLabels([c.title for c in self.columns])
        self.setItemDelegate(EntryDelegate(self))
        self.setTabKeyNavigation(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed
                             | QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.setWordWrap(False)
        rows = self.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 12)
        header = self.horizontalHeader()
        header.setStretchLastSection(True)
        metrics = header.fontMetrics()
        for i, column in enumerate(self.columns):
            self.setColumnWidth(i, max(column.width,
                                       metrics.horizontalAdvance(column.title) + 28))
        self.itemChanged.connect(self._on_item_changed)
        self._append_row({}, {})

    # --- contents -------------------------------------------------------------------------

    def column_of(self, key: str) -> int | None:
        return self._keys.get(key)

    def column_title(self, key: str) -> str:
        index = self._keys.get(key)
        return self.columns[index].title if index is not None else key

    def lock_saved_cells(self, keys: Sequence[str], placeholder: str | None = None,
                         tooltip: str = "") -> None:
        """Make the ``keys`` cells of the rows already saved (those with an id) read-only.

        With ``placeholder`` the cells show it (greyed) instead of a value and read as
        empty; without, they keep their value. New rows stay editable.
        """
        self._filling = True
        try:
            for row in range(self.rowCount()):
                if self.row_meta(row).get("id") is None:
                    continue
                for key in keys:
                    col = self._keys.get(key)
                    item = self.item(row, col) if col is not None else None
                    if item is None:
                        continue
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                    item.setForeground(READ_ONLY_FOREGROUND)
                    item.setToolTip(tooltip)
                    if placeholder is not None:
                        item.setData(PLACEHOLDER_ROLE, True)
                        item.setText(placeholder)
        finally:
            self._filling = False

    def set_rows(self, rows: Sequence[tuple[Mapping[str, Any], Mapping[str, Any]]]) -> None:
        """Replace the contents by ``(values, meta)`` pairs; a blank row follows them."""
        self._filling = True
        try:
            self.setRowCount(0)
            self._marked.clear()
        finally:
            self._filling = False
        for values, meta in rows:
            self._append_row(values, meta)
        self._append_row({}, {})

    def entries(self) -> list[tuple[int, dict[str, Any]]]:
        """``(row, values)`` of every row that is not blank; ``values["_meta"]`` is hidden data."""
        result = []
        for row in range(self.rowCount()):
            if self.row_is_blank(row):
                continue
            values: dict[str, Any] = {"_meta": dict(self.row_meta(row))}
            for col, column in enumerate(self.columns):
                values[column.key] = self._cell_value(row, col)
            result.append((row, values))
        return result

    def entries_row(self, row: int) -> dict[str, Any]:
        """The values of one row by column key."""
        return {column.key: self._cell_value(row, col) for col, column in enumerate(self.columns)}

    def set_row_meta(self, row: int, meta: Mapping[str, Any]) -> None:
        """Replace a row's hidden data (e.g. its custom field values); counts as an edit."""
        item = self.item(row, 0)
        if item is None:
            return
        self._filling = True
        try:
            item.setData(META_ROLE, dict(meta))
        finally:
            self._filling = False
        self.edited.emit()

    def unmark(self, row: int, key: str) -> None:
        """Clear the error mark of one cell."""
        col = self._keys.get(key)
        if col is not None:
            self._unmark(row, col)

    def row_meta(self, row: int) -> Mapping[str, Any]:
        item = self.item(row, 0)
        meta = item.data(META_ROLE) if item is not None else None
        return meta if isinstance(meta, dict) else {}

    def row_is_blank(self, row: int) -> bool:
        if self.row_meta(row).get("id") is not None:
            return False
        for col, column in enumerate(self.columns):
            if column.kind in ("text", "date", "int") and self._cell_value(row, col):
                return False
        return True

    def remove_current_row(self) -> bool:
        """Remove the selected row unless it is the blank one or a kept (``keep``) row."""
        row = self.currentRow()
        if row < 0 or row == self.rowCount() - 1 or self.row_meta(row).get("keep"):
            return False
        self._filling = True
        try:
            self.removeRow(row)
            self._marked = {(r - (r > row), c) for r, c in self._marked if r != row}
        finally:
            self._filling = False
        self.edited.emit()
        return True

    def can_remove_current_row(self) -> bool:
        row = self.currentRow()
        return 0 <= row < self.rowCount() - 1 and not self.row_meta(row).get("keep")

    # --- errors ---------------------------------------------------------------------------

    def mark_error(self, row: int, key: str, message: str) -> bool:
        col = self._keys.get(key)
        if col is None or not 0 <= row < self.rowCount():
            return False
        item = self.item(row, col)
        if item is None:
            return False
        self._filling = True
        try:
            item.setBackground(ERROR_BACKGROUND)
            item.setToolTip(message)
        finally:
            self._filling = False
        self._marked.add((row, col))
        return True

    def clear_marks(self) -> None:
        for row, col in list(self._marked):
            self._unmark(row, col)
        self._marked.clear()

    def first_mark(self) -> tuple[int, int] | None:
        return min(self._marked) if self._marked else None

    def _unmark(self, row: int, col: int) -> None:
        item = self.item(row, col)
        self._marked.discard((row, col))
        if item is None:
            return
        self._filling = True
        try:
            item.setData(Qt.ItemDataRole.BackgroundRole, None)
            item.setToolTip("")
        finally:
            self._filling = False

    # --- keyboard -------------------------------------------------------------------------

    def start_entry(self) -> None:
        """Focus the table at the first cell of the blank row, ready to type."""
        self.setFocus(Qt.FocusReason.TabFocusReason)
        row = self.rowCount() - 1
        col = self._editable[0]
        self.setCurrentCell(row, col)
        self._edit(row, col)

    def advance(self) -> None:
        """Enter: the next editable cell, or out of the table from the empty new row."""
        row = max(self.currentRow(), 0)
        col = self.currentColumn()
        last = self.rowCount() - 1
        if row == last and self.row_is_blank(row) and col <= self._editable[0]:
            self.leave_forward.emit()
            return
        later = [c for c in self._editable if c > col]
        if later:
            target = later[0]
        else:
            row += 1
            target = self._editable[0]
        if row > self.rowCount() - 1:
            self.leave_forward.emit()
            return
        self.setCurrentCell(row, target)
        self._edit(row, target)

    def commit_editor(self) -> None:
        """Put the text of an open cell editor into the table (before saving)."""
        if self.state() != QAbstractItemView.State.EditingState:
            return
        editor = self.indexWidget(self.currentIndex())
        if editor is not None:
            self.commitData(editor)
            self.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        editing = self.state() == QAbstractItemView.State.EditingState
        if event.key() in _ENTER_KEYS and not editing:
            self.advance()
            event.accept()
            return
        if event.key() == Qt.Key.Key_F4 and not editing:
            self.details_requested.emit()
            event.accept()
            return
        if event.key() == Qt.Key.Key_Delete and not editing:
            item = self.currentItem()
            column = self.columns[self.currentColumn()] if self.currentColumn() >= 0 else None
            if (item is not None and column is not None
                    and column.kind in ("text", "date", "int")
                    and item.flags() & Qt.ItemFlag.ItemIsEditable):
                item.setText("")
            event.accept()
            return
        super().keyPressEvent(event)

    def _edit(self, row: int, col: int) -> None:
        if self.columns[col].kind in ("text", "date", "int", "choice"):
            item = self.item(row, col)
            if item is not None:
                self.editItem(item)

    # --- internals ------------------------------------------------------------------------

    def _append_row(self, values: Mapping[str, Any], meta: Mapping[str, Any]) -> None:
        self._filling = True
        try:
            row = self.rowCount()
            self.insertRow(row)
            for col, column in enumerate(self.columns):
                self.setItem(row, col, self._make_item(column, values.get(column.key)))
            first = self.item(row, 0)
            if first is not None:
                first.setData(META_ROLE, dict(meta))
        finally:
            self._filling = False

    def _make_item(self, column: EntryColumn, value: Any) -> QTableWidgetItem:
        item = QTableWidgetItem()
        if column.kind == "bool":
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                          | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if value else Qt.CheckState.Unchecked)
        elif column.kind == "choice":
            chosen = value or column.default
            labels = dict(column.choices)
            item.setData(VALUE_ROLE, chosen)
            item.setText(labels.get(chosen, "") if chosen else "")
        elif column.kind == "readonly":
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            item.setText("" if value is None else str(value))
            item.setForeground(READ_ONLY_FOREGROUND)
        else:
            item.setText("" if value is None else str(value))
        return item

    def _cell_value(self, row: int, col: int) -> Any:
        item = self.item(row, col)
        column = self.columns[col]
        if item is None or item.data(PLACEHOLDER_ROLE):
            return None
        if column.kind == "bool":
            return item.checkState() == Qt.CheckState.Checked
        if column.kind == "choice":
            return item.data(VALUE_ROLE) or None
        text = item.text().strip()
        return text or None

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        row, col = item.row(), item.column()
        if (row, col) in self._marked:
            self._unmark(row, col)
        column = self.columns[col]
        checked = item.checkState() == Qt.CheckState.Checked
        if column.kind == "bool" and column.exclusive and checked:
            self._filling = True
            try:
                for other in range(self.rowCount()):
                    cell = self.item(other, col)
                    if other != row and cell is not None:
                        cell.setCheckState(Qt.CheckState.Unchecked)
            finally:
                self._filling = False
        if row == self.rowCount() - 1 and not self.row_is_blank(row):
            self._append_row({}, {})
        self.edited.emit()


class EntryDelegate(QStyledItemDelegate):
    """Line editors (a combo box for choices); Enter commits and moves to the next cell."""

    def __init__(self, table: EntryTable) -> None:
        super().__init__(table)
        self._table = table

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,  # noqa: N802
                     index: ModelIndex) -> QWidget:
        column = self._table.columns[index.column()]
        if column.kind == "choice":
            combo = QComboBox(parent)
            for value, label in column.choices:
                combo.addItem(label, value)
            return combo
        editor = QLineEdit(parent)
        editor.setFrame(False)
        if column.max_length:
            editor.setMaxLength(column.max_length)
        if column.kind == "date":
            editor.setPlaceholderText("2024-05-01")
        return editor

    def setEditorData(self, editor: QWidget, index: ModelIndex) -> None:  # noqa: N802
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(editor.findData(index.data(VALUE_ROLE)), 0))
        elif isinstance(editor, QLineEdit):
            editor.setText(index.data(Qt.ItemDataRole.EditRole) or "")
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel,  # noqa: N802
                     index: ModelIndex) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), VALUE_ROLE)
            model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)
        elif isinstance(editor, QLineEdit):
            model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)
        else:
            super().setModelData(editor, model, index)

    def eventFilter(self, editor: QObject, event: QEvent) -> bool:  # noqa: N802
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in _ENTER_KEYS and isinstance(editor, QWidget)):
            self.commitData.emit(editor)
            self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            self._table.advance()
            return True
        return super().eventFilter(editor, event)

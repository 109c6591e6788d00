"""Shared pieces of the administration tabs: labels of operations and scopes, tables, forms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from app import labels
from app.models.enums import AuditAction, DataScope, FieldAccess, Operation

ID_ROLE = Qt.ItemDataRole.UserRole + 1


# Labels come from the one catalog (app.labels); these names are what the tabs call.
def action_label(action: AuditAction) -> str:
    return labels.label_of(AuditAction, action)


def entity_label(entity: str) -> str:
    return labels.record_kind_label(entity)


def operation_label(operation: Operation) -> str:
    return labels.label(operation)


def scope_label(scope: DataScope) -> str:
    return labels.label(scope)


def access_label(access: FieldAccess | None) -> str:
    return labels.field_access_label(access)


def make_table(parent: QWidget, name: str, headers: Sequence[str], *,
               stretch: int | None = None) -> QTableWidget:
    """A read-only, single-row-selection table that sorts by a clicked column (the rows
    are few and all loaded: sorted here, in memory)."""
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(headers))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.setAlternatingRowColors(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    table.setSortingEnabled(True)
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the service's order first
    return table


def fill_table(table: QTableWidget, rows: Sequence[tuple[int, Sequence[str], bool]]) -> None:
    """Put ``(record id, cells, dimmed)`` rows in the table, in the order the user sorted
    it by (the table must not re-sort while rows go in: they would move under our feet)."""
    table.setSortingEnabled(False)
    table.setRowCount(len(rows))
    for i, (record_id, cells, dimmed) in enumerate(rows):
        fill_row(table, i, record_id, cells, dimmed=dimmed)
    table.setSortingEnabled(True)


def fill_row(table: QTableWidget, row: int, record_id: int, cells: Sequence[str],
             *, dimmed: bool = False) -> None:
    for col, text in enumerate(cells):
        item = QTableWidgetItem(text)
        item.setData(ID_ROLE, record_id)
        if dimmed:
            item.setForeground(Qt.GlobalColor.gray)
        table.setItem(row, col, item)


def selected_id(table: QTableWidget) -> int | None:
    rows = table.selectionModel().selectedRows()
    if not rows:
        return None
    item = table.item(rows[0].row(), 0)
    return int(item.data(ID_ROLE)) if item is not None else None


def select_id(table: QTableWidget, record_id: int) -> bool:
    for row in range(table.rowCount()):
        item = table.item(row, 0)
        if item is not None and item.data(ID_ROLE) == record_id:
            table.selectRow(row)
            return True
    return False


def local_time(when: dt.datetime | None) -> str:
    if when is None:
        return ""
    return when.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def error_label(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet("color: #c62828;")
    return label

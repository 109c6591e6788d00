"""Shared pieces of the administration tabs: labels of operations and scopes, tables, forms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from app.models.enums import AuditAction, DataScope, FieldAccess, Operation

ID_ROLE = Qt.ItemDataRole.UserRole + 1

_OPERATIONS: Mapping[Operation, str] = {
    Operation.VIEW: QT_TRANSLATE_NOOP("AdminLabels", "View"),
    Operation.CREATE: QT_TRANSLATE_NOOP("AdminLabels", "Create"),
    Operation.EDIT: QT_TRANSLATE_NOOP("AdminLabels", "Edit"),
    Operation.DELETE: QT_TRANSLATE_NOOP("AdminLabels", "Delete"),
    Operation.CONFIRM: QT_TRANSLATE_NOOP("AdminLabels", "Confirm"),
    Operation.PRINT: QT_TRANSLATE_NOOP("AdminLabels", "Print"),
    Operation.EXPORT: QT_TRANSLATE_NOOP("AdminLabels", "Export"),
}

_SCOPES: Mapping[DataScope, str] = {
    DataScope.OWN: QT_TRANSLATE_NOOP("AdminLabels", "Own"),
    DataScope.DEPARTMENT: QT_TRANSLATE_NOOP("AdminLabels", "Own department"),
    DataScope.ALL: QT_TRANSLATE_NOOP("AdminLabels", "All"),
}

_ACCESS: Mapping[FieldAccess | None, str] = {
    None: QT_TRANSLATE_NOOP("AdminLabels", "Visible"),
    FieldAccess.READ_ONLY: QT_TRANSLATE_NOOP("AdminLabels", "Read-only"),
    FieldAccess.HIDDEN: QT_TRANSLATE_NOOP("AdminLabels", "Hidden"),
}


_ACTIONS: Mapping[AuditAction, str] = {
    AuditAction.CREATE: QT_TRANSLATE_NOOP("AdminLabels", "Created"),
    AuditAction.UPDATE: QT_TRANSLATE_NOOP("AdminLabels", "Changed"),
    AuditAction.DELETE: QT_TRANSLATE_NOOP("AdminLabels", "Deleted"),
    AuditAction.LOGIN: QT_TRANSLATE_NOOP("AdminLabels", "Logged in"),
    AuditAction.LOGIN_FAILED: QT_TRANSLATE_NOOP("AdminLabels", "Failed login"),
    AuditAction.LOCKED: QT_TRANSLATE_NOOP("AdminLabels", "Account locked"),
    AuditAction.EXPORT: QT_TRANSLATE_NOOP("AdminLabels", "Exported"),
    AuditAction.REASSIGN: QT_TRANSLATE_NOOP("AdminLabels", "Handed over"),
    AuditAction.CONFIRM: QT_TRANSLATE_NOOP("AdminLabels", "Confirmed"),
    AuditAction.RETURN: QT_TRANSLATE_NOOP("AdminLabels", "Returned"),
    AuditAction.TRANSITION: QT_TRANSLATE_NOOP("AdminLabels", "Status changed"),
    AuditAction.PRINT: QT_TRANSLATE_NOOP("AdminLabels", "Printed"),
    AuditAction.DB_CHANGE: QT_TRANSLATE_NOOP("AdminLabels", "Changed outside StationCRM"),
    AuditAction.PHONE_LOOKUP: QT_TRANSLATE_NOOP("AdminLabels", "Phone number looked up"),
}

# The entity names written to the audit log, as people read them.
_ENTITIES: Mapping[str, str] = {
    "customer": QT_TRANSLATE_NOOP("AdminLabels", "Customer"),
    "device": QT_TRANSLATE_NOOP("AdminLabels", "Device"),
    "visit": QT_TRANSLATE_NOOP("AdminLabels", "Visit"),
    "opportunity": QT_TRANSLATE_NOOP("AdminLabels", "Opportunity"),
    "product": QT_TRANSLATE_NOOP("AdminLabels", "Product"),
    "quotation": QT_TRANSLATE_NOOP("AdminLabels", "Quotation"),
    "order": QT_TRANSLATE_NOOP("AdminLabels", "Order"),
    "payment": QT_TRANSLATE_NOOP("AdminLabels", "Payment"),
    "contract": QT_TRANSLATE_NOOP("AdminLabels", "Service contract"),
    "service_ticket": QT_TRANSLATE_NOOP("AdminLabels", "Service ticket"),
    "repair_record": QT_TRANSLATE_NOOP("AdminLabels", "Repair record"),
    "knowledge": QT_TRANSLATE_NOOP("AdminLabels", "Knowledge entry"),
    "sales_plan": QT_TRANSLATE_NOOP("AdminLabels", "Sales plan"),
    "task": QT_TRANSLATE_NOOP("AdminLabels", "Task"),
    "user": QT_TRANSLATE_NOOP("AdminLabels", "User account"),
    "role": QT_TRANSLATE_NOOP("AdminLabels", "Role"),
    "department": QT_TRANSLATE_NOOP("AdminLabels", "Department unit"),
    "custom_field": QT_TRANSLATE_NOOP("AdminLabels", "Custom field"),
    "app_setting": QT_TRANSLATE_NOOP("AdminLabels", "Setting"),
    "care_item": QT_TRANSLATE_NOOP("AdminLabels", "Care item"),
    "statistic": QT_TRANSLATE_NOOP("AdminLabels", "Statistic"),
}


def action_label(action: AuditAction) -> str:
    return QCoreApplication.translate("AdminLabels", _ACTIONS.get(action, action.value))


def entity_label(entity: str) -> str:
    text = _ENTITIES.get(entity)
    return QCoreApplication.translate("AdminLabels", text) if text else entity


def operation_label(operation: Operation) -> str:
    return QCoreApplication.translate("AdminLabels", _OPERATIONS[operation])


def scope_label(scope: DataScope) -> str:
    return QCoreApplication.translate("AdminLabels", _SCOPES[scope])


def access_label(access: FieldAccess | None) -> str:
    return QCoreApplication.translate("AdminLabels", _ACCESS[access])


def make_table(parent: QWidget, name: str, headers: Sequence[str], *,
               stretch: int | None = None) -> QTableWidget:
    """A read-only, single-row-selection table."""
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
    return table


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

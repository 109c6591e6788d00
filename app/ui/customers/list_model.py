"""The customer list's columns on the kit's paged table model.

Paging, the bounded cache, sorting on the server and the total come from
:class:`app.ui.kit.table.PagedTableModel`; this module says what the columns are, how a
customer the user may only see by name and owner is drawn (dimmed, a lock, only those two
columns), and which custom fields follow the fixed columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Qt

from app.services.custom_fields import FieldDefinition, display_value
from app.services.customers import CustomerFilters, CustomerRow
from app.ui import labels
from app.ui.icons import lock_icon
from app.ui.kit.table import ID_ROLE, Col, Loader, PagedTableModel, dim_brush

CUSTOMER_ID_ROLE = ID_ROLE
RESTRICTED_ROLE = Qt.ItemDataRole.UserRole + 2

DEFAULT_PAGE_SIZE = 100
DEFAULT_CACHED_ROWS = 2000


class Column(IntEnum):
    CODE = 0
    NAME = 1
    SHORT_NAME = 2
    CUSTOMER_CLASS = 3
    SOURCE = 4
    STATUS = 5
    OWNER = 6
    PHONE = 7

    @property
    def key(self) -> str:
        """Stable name for settings (column choice is stored by name, not position)."""
        return self.name.lower()


@dataclass(frozen=True)
class CustomerQuery:
    """What the list shows: the search text and the filters."""

    text: str = ""
    filters: CustomerFilters = field(default_factory=CustomerFilters)
    # Codes of the custom fields shown as columns: their values come with each page.
    custom_columns: tuple[str, ...] = ()


# The service's sort key of each fixed column.
SORT_KEYS = {
    Column.CODE: "code", Column.NAME: "name", Column.SHORT_NAME: "short_name",
    Column.CUSTOMER_CLASS: "customer_class", Column.SOURCE: "source",
    Column.STATUS: "status", Column.OWNER: "owner", Column.PHONE: "phone",
}


_TITLES = {
    Column.CODE: QT_TRANSLATE_NOOP("CustomerListModel", "Code"),
    Column.NAME: QT_TRANSLATE_NOOP("CustomerListModel", "Name"),
    Column.SHORT_NAME: QT_TRANSLATE_NOOP("CustomerListModel", "Short name"),
    Column.CUSTOMER_CLASS: QT_TRANSLATE_NOOP("CustomerListModel", "Class"),
    Column.SOURCE: QT_TRANSLATE_NOOP("CustomerListModel", "Source"),
    Column.STATUS: QT_TRANSLATE_NOOP("CustomerListModel", "Status"),
    Column.OWNER: QT_TRANSLATE_NOOP("CustomerListModel", "Owner"),
    Column.PHONE: QT_TRANSLATE_NOOP("CustomerListModel", "Phone"),
}


def column_title(column: Column) -> str:
    return QCoreApplication.translate("CustomerListModel", _TITLES[column])


def _shown(customer: CustomerRow, column: Column) -> str | None:
    if column == Column.CODE:
        return customer.code
    if column == Column.NAME:
        return customer.name
    if column == Column.OWNER:
        return customer.owner_name or ("" if customer.restricted else QCoreApplication.translate(
            "CustomerListModel", "(nobody)"))
    if customer.restricted:
        return None  # everything else is not for this user's eyes
    if column == Column.SHORT_NAME:
        return customer.short_name or ""
    if column == Column.CUSTOMER_CLASS:
        return labels.customer_class_label(customer.customer_class)
    if column == Column.SOURCE:
        return labels.customer_source_label(customer.source)
    if column == Column.STATUS:
        return labels.customer_status_label(customer.status)
    return customer.phone or ""


def _roles(column: Column) -> Any:
    def role(customer: CustomerRow, role: int) -> Any:
        if role == RESTRICTED_ROLE:
            return customer.restricted
        if not customer.restricted:
            if role == Qt.ItemDataRole.ToolTipRole and column == Column.NAME \
                    and customer.short_name:
                return f"{customer.name} ({customer.short_name})"
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return dim_brush()
        if role == Qt.ItemDataRole.DecorationRole and column == Column.NAME:
            return lock_icon()
        if role == Qt.ItemDataRole.ToolTipRole:
            return QCoreApplication.translate(
                "CustomerListModel",
                "This customer belongs to {owner}. You may see only its name and owner.",
            ).format(owner=customer.owner_name or QCoreApplication.translate(
                "CustomerListModel", "(nobody)"))
        return None
    return role


class CustomerListModel(PagedTableModel):
    """Customers in pinyin order (or by a clicked column), read page by page."""

    def __init__(self, load: Loader, *, page_size: int = DEFAULT_PAGE_SIZE,
                 max_cached_rows: int = DEFAULT_CACHED_ROWS,
                 parent: QObject | None = None) -> None:
        self._custom_fields: tuple[FieldDefinition, ...] = ()
        self._language: str | None = None
        super().__init__(self._build_columns(), load, page_size=page_size,
                         max_cached_rows=max_cached_rows, main_column=Column.NAME,
                         parent=parent)

    def _build_columns(self) -> list[Col[Any]]:
        fixed: list[Col[Any]] = [
            Col(column.key, column_title(column), lambda r, c=column: _shown(r, c),
                sort=SORT_KEYS[column], role=_roles(column))
            for column in Column]
        custom: list[Col[Any]] = [
            Col(f"custom:{f.code}", f.label(self._language),
                lambda r, f=f: self._custom_text(r, f),
                tooltip=QCoreApplication.translate("CustomerListModel", "Custom field"),
                role=_dim_if_restricted)
            for f in self._custom_fields]
        return fixed + custom

    def _custom_text(self, customer: CustomerRow, definition: FieldDefinition) -> str | None:
        if customer.restricted:
            return None
        return display_value(definition, self.custom_of(customer.id, definition.code),
                             self._language)

    @property
    def custom_fields(self) -> tuple[FieldDefinition, ...]:
        return self._custom_fields

    def set_custom_fields(self, fields: Sequence[FieldDefinition],
                          language: str | None = None) -> None:
        """The custom fields that may be shown as columns (after the fixed ones)."""
        fields = tuple(fields)
        if fields == self._custom_fields:
            return
        self._custom_fields = fields
        self._language = language
        self.set_columns(self._build_columns())

    def custom_column(self, code: str) -> int | None:
        """The column index of the custom field ``code``."""
        return self.column_index(f"custom:{code}")

    def customer_id(self, row: int) -> int | None:
        found = self.row_id(row)
        return int(found) if found is not None else None

    def customer_row(self, row: int) -> CustomerRow | None:
        """The row's data if it is held (does not start a read)."""
        found = self.row_at(row)
        return found if isinstance(found, CustomerRow) else None

    def column_title(self, column: Column) -> str:
        return column_title(column)


def _dim_if_restricted(customer: CustomerRow, role: int) -> Any:
    if customer.restricted and role == Qt.ItemDataRole.ForegroundRole:
        return dim_brush()
    return None

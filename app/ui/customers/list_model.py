"""The customer list as a lazy Qt table model: keyset pages on demand, a bounded row cache.

Like Anki's browser model, the model holds for every row only its key (pinyin sort key and
customer id) and keeps the full rows of the most recently used pages. Scrolling down asks
for the next page (``canFetchMore``/``fetchMore`` with the ``next_after`` cursor of
:func:`app.services.customers.search_customers`); a page pushed out of the cache is read
again, in the background, when it comes back into view. Memory stays bounded by the
cache however far the user scrolls (the keys of 100 000 customers are a few megabytes).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import QApplication

from app.services.custom_fields import FieldDefinition, display_value
from app.services.customers import CustomerFilters, CustomerPage, CustomerRow
from app.ui import labels
from app.ui.icons import lock_icon

CUSTOMER_ID_ROLE = Qt.ItemDataRole.UserRole + 1
RESTRICTED_ROLE = Qt.ItemDataRole.UserRole + 2

DEFAULT_PAGE_SIZE = 100
DEFAULT_CACHED_PAGES = 20
DEFAULT_MAX_FETCH_PAGES = 5
MAX_PAGE_SIZE = 500  # search_customers caps its limit here

Key = tuple[str, int]
AnyIndex = QModelIndex | QPersistentModelIndex


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


# load_page(query, after, limit, on_done, on_error): read one page in the background.
PageLoader = Callable[
    [CustomerQuery, Key | None, int, Callable[[CustomerPage], None],
     Callable[[BaseException], None]],
    None,
]


class _Gone:
    """Stands for a row that was in the list but is no longer returned (deleted or moved)."""


_GONE = _Gone()


class CustomerListModel(QAbstractTableModel):
    """Customers in pinyin order, fetched page by page.

    Signals:
        loading_changed(bool): a page request started or the last one finished.
        page_loaded(): new rows were appended (or the list turned out empty).
        load_failed(Exception): a page could not be read; :meth:`retry` tries again.
    """

    loading_changed = Signal(bool)
    page_loaded = Signal()
    load_failed = Signal(object)

    def __init__(
        self,
        load_page: PageLoader,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_cached_pages: int = DEFAULT_CACHED_PAGES,
        max_fetch_pages: int = DEFAULT_MAX_FETCH_PAGES,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._load_page = load_page
        self._page_size = max(1, min(page_size, MAX_PAGE_SIZE))
        # The first read is one page (shown at once); each further read doubles, up to
        # this many pages, so that scrolling to the end of 100 000 rows takes few trips.
        self._max_fetch_pages = max(1, min(max_fetch_pages, MAX_PAGE_SIZE // self._page_size,
                                           max_cached_pages))
        self._fetch_pages = 1
        self._max_cached_pages = max(2, max_cached_pages)
        self._query: CustomerQuery | None = None
        self._keys: list[Key] = []
        self._pages: OrderedDict[int, dict[int, CustomerRow | _Gone]] = OrderedDict()
        self._refilling: set[int] = set()
        self._fetching = False
        self._at_end = True
        self._error: BaseException | None = None
        self._next_page_failed = False
        self._generation = 0
        self._was_loading = False
        self.requests_made = 0
        # Custom fields shown after the fixed columns, and their values per customer id
        # (kept for the cached pages only).
        self._custom_fields: tuple[FieldDefinition, ...] = ()
        self._custom_values: dict[int, Mapping[str, object]] = {}
        self._language: str | None = None

    # --- what the rest of the UI asks -----------------------------------------------------

    @property
    def query(self) -> CustomerQuery | None:
        return self._query

    @property
    def page_size(self) -> int:
        return self._page_size

    @property
    def at_end(self) -> bool:
        return self._at_end

    @property
    def is_loading(self) -> bool:
        return self._fetching or bool(self._refilling)

    @property
    def error(self) -> BaseException | None:
        return self._error

    @property
    def cached_row_count(self) -> int:
        """How many full rows are held in memory (bounded by the page cache)."""
        return sum(len(page) for page in self._pages.values())

    @property
    def custom_fields(self) -> tuple[FieldDefinition, ...]:
        return self._custom_fields

    def set_custom_fields(self, fields: Sequence[FieldDefinition],
                          language: str | None = None) -> None:
        """The custom fields that may be shown as columns (after the fixed ones)."""
        fields = tuple(fields)
        if fields == self._custom_fields:
            return
        self.beginResetModel()
        self._custom_fields = fields
        self._language = language
        self.endResetModel()

    def custom_column(self, code: str) -> int | None:
        """The column index of the custom field ``code``."""
        for offset, f in enumerate(self._custom_fields):
            if f.code == code:
                return len(Column) + offset
        return None

    def custom_value(self, row: int, code: str) -> object:
        customer_id = self.customer_id(row)
        if customer_id is None:
            return None
        return self._custom_values.get(customer_id, {}).get(code)

    def customer_id(self, row: int) -> int | None:
        return self._keys[row][1] if 0 <= row < len(self._keys) else None

    def customer_row(self, row: int) -> CustomerRow | None:
        """The row's data if it is in the cache (does not trigger a read)."""
        if not 0 <= row < len(self._keys):
            return None
        page = self._pages.get(row // self._page_size)
        found = page.get(self._keys[row][1]) if page is not None else None
        return found if isinstance(found, CustomerRow) else None

    def set_query(self, query: CustomerQuery, *, force: bool = False) -> None:
        """Show the customers matching ``query`` from the top (no-op if already shown)."""
        if query == self._query and not force and self._error is None:
            return
        self.beginResetModel()
        self._generation += 1
        self._query = query
        self._keys = []
        self._pages.clear()
        self._refilling.clear()
        self._fetching = False
        self._at_end = False
        self._error = None
        self._next_page_failed = False
        self._fetch_pages = 1
        self._custom_values.clear()
        self.endResetModel()
        self._fetch_next()

    def refresh(self) -> None:
        """Read the current query again from the start."""
        if self._query is not None:
            self.set_query(self._query, force=True)

    def retry(self) -> None:
        """After a failure: fetch the page that failed and re-read rows that are shown."""
        if self._error is None:
            return
        self._error = None
        if self._next_page_failed:
            self._next_page_failed = False
            self._fetch_next()
        if self._keys:
            # The view asks again for what it shows; missing pages are read on demand.
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._keys) - 1, self.columnCount() - 1))

    # --- Qt model interface ---------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._keys)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(Column) + len(self._custom_fields)

    def canFetchMore(self, parent: AnyIndex) -> bool:  # noqa: N802
        if parent.isValid():
            return False
        return self._query is not None and not self._at_end and self._error is None

    def fetchMore(self, parent: AnyIndex) -> None:  # noqa: N802
        if not parent.isValid():
            self._fetch_next()

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemNeverHasChildren)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        if section >= len(Column):
            custom = self._custom_fields[section - len(Column)]
            if role == Qt.ItemDataRole.DisplayRole:
                return custom.label(self._language)
            if role == Qt.ItemDataRole.ToolTipRole:
                return self.tr("Custom field")
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.column_title(Column(section))
        return None

    def column_title(self, column: Column) -> str:
        titles = {
            Column.CODE: self.tr("Code"),
            Column.NAME: self.tr("Name"),
            Column.SHORT_NAME: self.tr("Short name"),
            Column.CUSTOMER_CLASS: self.tr("Class"),
            Column.SOURCE: self.tr("Source"),
            Column.STATUS: self.tr("Status"),
            Column.OWNER: self.tr("Owner"),
            Column.PHONE: self.tr("Phone"),
        }
        return titles[column]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._keys):
            return None
        if index.column() >= len(Column):
            return self._custom_data(index.row(), index.column() - len(Column), role)
        row, column = index.row(), Column(index.column())
        if role == CUSTOMER_ID_ROLE:
            return self._keys[row][1]
        customer = self._cached(row)
        if customer is None or isinstance(customer, _Gone):
            if role == Qt.ItemDataRole.DisplayRole and column == Column.NAME:
                return (self.tr("Loading…") if customer is None
                        else self.tr("(no longer in this list)"))
            if role == Qt.ItemDataRole.ForegroundRole:
                return _dim_brush()
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(customer, column)
        if role == RESTRICTED_ROLE:
            return customer.restricted
        if customer.restricted:
            return self._restricted_role(customer, column, role)
        if role == Qt.ItemDataRole.ToolTipRole and column == Column.NAME and customer.short_name:
            return f"{customer.name} ({customer.short_name})"
        return None

    # --- rows -----------------------------------------------------------------------------

    def _custom_data(self, row: int, offset: int, role: int) -> Any:
        if role == CUSTOMER_ID_ROLE:
            return self._keys[row][1]
        customer = self._cached(row)
        if not isinstance(customer, CustomerRow) or customer.restricted:
            if role == Qt.ItemDataRole.ForegroundRole:
                return _dim_brush()
            return None
        if role != Qt.ItemDataRole.DisplayRole or not 0 <= offset < len(self._custom_fields):
            return None
        definition = self._custom_fields[offset]
        value = self._custom_values.get(customer.id, {}).get(definition.code)
        return display_value(definition, value, self._language)

    def _display(self, customer: CustomerRow, column: Column) -> str | None:
        if column == Column.CODE:
            return customer.code
        if column == Column.NAME:
            return customer.name
        if column == Column.OWNER:
            return customer.owner_name or (self.tr("(nobody)") if not customer.restricted
                                           else "")
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
        if column == Column.PHONE:
            return customer.phone or ""
        return None

    def _restricted_role(self, customer: CustomerRow, column: Column, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole:
            return _dim_brush()
        if role == Qt.ItemDataRole.DecorationRole and column == Column.NAME:
            return lock_icon()
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tr(
                "This customer belongs to {owner}. You may see only its name and owner."
            ).format(owner=customer.owner_name or self.tr("(nobody)"))
        return None

    def _cached(self, row: int) -> CustomerRow | _Gone | None:
        page_index = row // self._page_size
        page = self._pages.get(page_index)
        if page is None:
            self._refill(page_index)
            return None
        self._pages.move_to_end(page_index)
        return page.get(self._keys[row][1], _GONE)

    def _store(self, page_index: int, rows: dict[int, CustomerRow | _Gone]) -> None:
        self._pages[page_index] = rows
        self._pages.move_to_end(page_index)
        while len(self._pages) > self._max_cached_pages:
            _index, evicted = self._pages.popitem(last=False)
            for customer_id in evicted:
                self._custom_values.pop(customer_id, None)

    # --- loading --------------------------------------------------------------------------

    def _fetch_next(self) -> None:
        if self._query is None or self._fetching or self._at_end or self._error is not None:
            return
        self._fetching = True
        generation = self._generation
        after = self._keys[-1] if self._keys else None
        limit = self._page_size * self._fetch_pages
        self._fetch_pages = min(self._fetch_pages * 2, self._max_fetch_pages)
        self._request(after, limit,
                      lambda page: self._on_next_page(generation, page),
                      lambda error: self._on_failed(generation, error))
        self._emit_loading()

    def _on_next_page(self, generation: int, page: CustomerPage) -> None:
        if generation != self._generation:
            return
        start = len(self._keys)
        rows = page.rows
        self._custom_values.update(page.custom)
        if rows:
            # Still "fetching" while rows go in: a view (or the model tester) reacting to
            # the insert signals may call fetchMore, which must not ask for this page again.
            self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
            self._keys.extend((r.sort_key, r.id) for r in rows)
            # Reads are whole pages, so row ``start`` always begins a cache page.
            size = self._page_size
            for offset in range(0, len(rows), size):
                self._store((start + offset) // size,
                            {r.id: r for r in rows[offset:offset + size]})
            self._at_end = page.next_after is None
            self.endInsertRows()
        else:
            self._at_end = True
        self._fetching = False
        self._emit_loading()
        self.page_loaded.emit()

    def _refill(self, page_index: int) -> None:
        """Read an evicted page again: the rows after the key just before it."""
        if page_index in self._refilling or self._error is not None or self._query is None:
            return
        start = page_index * self._page_size
        end = min(start + self._page_size, len(self._keys))
        if start >= end:
            return
        self._refilling.add(page_index)
        generation = self._generation
        after = self._keys[start - 1] if start > 0 else None
        wanted = [key[1] for key in self._keys[start:end]]
        # A little slack, in case customers were added in between since the first read.
        limit = min(MAX_PAGE_SIZE, (end - start) + self._page_size // 2)
        self._request(after, limit,
                      lambda page: self._on_refilled(generation, page_index, wanted, page),
                      lambda error: self._on_failed(generation, error, page_index))
        self._emit_loading()

    def _on_refilled(
        self, generation: int, page_index: int, wanted: list[int], page: CustomerPage
    ) -> None:
        if generation != self._generation:
            return
        self._refilling.discard(page_index)
        self._custom_values.update(page.custom)
        found = {r.id: r for r in page.rows}
        self._store(page_index, {cid: found.get(cid, _GONE) for cid in wanted})
        start = page_index * self._page_size
        self.dataChanged.emit(self.index(start, 0),
                              self.index(start + len(wanted) - 1, self.columnCount() - 1))
        self._emit_loading()

    def _on_failed(
        self, generation: int, error: BaseException, page_index: int | None = None
    ) -> None:
        if generation != self._generation:
            return
        if page_index is None:
            self._fetching = False
            self._next_page_failed = True
        else:
            self._refilling.discard(page_index)
        self._error = error
        self._emit_loading()
        self.load_failed.emit(error)

    def _request(
        self, after: Key | None, limit: int, on_done: Callable[[CustomerPage], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        assert self._query is not None
        self.requests_made += 1
        self._load_page(self._query, after, limit, on_done, on_error)

    def _emit_loading(self) -> None:
        loading = self.is_loading
        if loading != self._was_loading:
            self._was_loading = loading
            self.loading_changed.emit(loading)


def _dim_brush() -> QBrush:
    palette = QApplication.palette()
    color: QColor = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
    return QBrush(color)

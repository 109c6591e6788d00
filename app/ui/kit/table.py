"""One lazy table model for every list: columns declared, pages read on demand, sorted by
the server, with the total count.

A list declares its columns (:class:`Col`) and a loader; the model does the rest. Like
Anki's browser model it holds, for every row, only its id, and keeps the full rows of the
most recently read chunks: scrolling down asks for the next chunk (``fetchMore`` with the
``next_after`` cursor the service returned), a chunk pushed out of the cache is read again
from the cursor it began at when it comes back into view. Clicking a header asks the
server again with that column's sort key (keyset paging goes on working in that order); a
list whose service returns all of its rows at once (``local=True``) sorts them in memory.

A list longer than its first page is then counted (``with_total``, in a read of its own
right after the first page, so the rows show as fast as without it), and the page can say
"100 shown of 1 532"; a list that fits its first page needs no count.

Every page object a loader hands back needs ``rows`` and may have ``next_after`` (absent
or None: nothing more), ``total`` and ``custom`` (custom field values by row id).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

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

from app.services.errors import ValidationError
from app.services.paging import Sort

R = TypeVar("R")
AnyIndex = QModelIndex | QPersistentModelIndex

ID_ROLE = Qt.ItemDataRole.UserRole + 1

DEFAULT_PAGE_SIZE = 100
DEFAULT_CACHED_ROWS = 2000
MAX_CHUNK = 500  # services cap their limit here
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True)
class Col(Generic[R]):
    """One column: a stable key (settings), its title, how a row shows in it.

    ``sort``: the service's sort key for this column (None: the column does not sort).
    ``sort_value``: what a ``local`` list sorts by (default: the shown text).
    ``role``: other roles of a cell (colour, icon, tool tip), or None.
    """

    key: str
    title: str
    value: Callable[[R], object]
    sort: str | None = None
    sort_value: Callable[[R], Any] | None = None
    align: Qt.AlignmentFlag | None = None
    width: int | None = None
    tooltip: str = ""
    role: Callable[[R, int], Any] | None = None

    def money(self) -> Col[R]:
        """The same column aligned right, as amounts are."""
        return Col(self.key, self.title, self.value, self.sort, self.sort_value, RIGHT,
                   self.width, self.tooltip, self.role)


@dataclass(frozen=True)
class PageRequest:
    """What the model asks a loader for: rows after ``after`` in ``sort`` order."""

    after: Any
    limit: int
    sort: Sort | None
    with_total: bool


# load(query, request, on_done, on_error): read one page in the background.
Loader = Callable[[Any, PageRequest, Callable[[Any], None], Callable[[BaseException], None]],
                  None]


class _Gone:
    """A row that was in the list but was not there when its chunk was read again."""


_GONE = _Gone()


@dataclass
class _Chunk:
    first: int          # the row it begins at
    after: Any          # the cursor it was read from
    count: int          # how many rows it holds
    rows: dict[Hashable, Any] | None  # None: pushed out of the cache


class PagedTableModel(QAbstractTableModel):
    """Rows of one list, read chunk by chunk; see the module docstring.

    Signals:
        loading_changed(bool): a read started or the last one finished.
        page_loaded(): rows were appended (or the list turned out empty).
        load_failed(Exception): a read failed; :meth:`retry` tries again.
        sort_changed(): the order changed (the list is read again from the top).
    """

    loading_changed = Signal(bool)
    page_loaded = Signal()
    load_failed = Signal(object)
    sort_changed = Signal()

    def __init__(
        self,
        columns: Sequence[Col[Any]],
        load: Loader,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_cached_rows: int = DEFAULT_CACHED_ROWS,
        local: bool = False,
        row_id: Callable[[Any], Hashable] = lambda row: row.id,
        main_column: int = 0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._columns: list[Col[Any]] = list(columns)
        self._load = load
        self._page_size = max(1, min(page_size, MAX_CHUNK))
        self._max_cached_rows = max(2 * self._page_size, max_cached_rows)
        # Reads double while scrolling, up to a whole number of pages that fits both the
        # services' cap and half the cache: a screen can straddle two neighbouring reads,
        # and if both did not fit together, painting one would push out the other, again
        # and again.
        fits = min(MAX_CHUNK, self._max_cached_rows // 2)
        self._max_chunk = max(self._page_size, fits - fits % self._page_size)
        self._chunk_size = self._page_size
        self._local = local
        self._row_id = row_id
        self.main_column = main_column
        self._query: Any = None
        self._has_query = False
        self._sort: Sort | None = None
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._ids: list[Hashable] = []
        self._chunks: list[_Chunk] = []
        self._lru: OrderedDict[int, None] = OrderedDict()  # chunk numbers with rows
        self._next_after: Any = None
        self._at_end = True
        self._fetching = False
        self._refilling: set[int] = set()
        self._error: BaseException | None = None
        self._next_failed = False
        self._replace_failed = False
        self._counting = False
        self._generation = 0
        self._was_loading = False
        self._total: int | None = None
        self._custom: dict[Hashable, Mapping[str, object]] = {}
        self._as_read: list[Any] = []  # a local list's rows in the service's order
        self.requests_made = 0

    # --- what the page asks -----------------------------------------------------------------

    @property
    def query(self) -> Any:
        return self._query

    @property
    def columns(self) -> tuple[Col[Any], ...]:
        return tuple(self._columns)

    @property
    def total(self) -> int | None:
        """How many rows the list has in all (None until the first read answered)."""
        return self._total

    @property
    def at_end(self) -> bool:
        return self._at_end

    @property
    def is_loading(self) -> bool:
        return self._fetching or self._counting or bool(self._refilling)

    @property
    def error(self) -> BaseException | None:
        return self._error

    @property
    def current_sort(self) -> Sort | None:
        return self._sort

    @property
    def cached_row_count(self) -> int:
        return sum(len(c.rows) for c in self._chunks if c.rows is not None)

    def column_index(self, key: str) -> int | None:
        return next((i for i, c in enumerate(self._columns) if c.key == key), None)

    def row_id(self, row: int) -> Any:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_at(self, row: int) -> Any:
        """The row's data if it is held (never starts a read); None otherwise."""
        found = self._held(row)
        return None if found is None or isinstance(found, _Gone) else found

    def custom_of(self, row_id: Hashable, code: str) -> object:
        """A custom field's value for a row whose chunk is held."""
        return self._custom.get(row_id, {}).get(code)

    def set_columns(self, columns: Sequence[Col[Any]]) -> None:
        """Other columns (custom fields added, a column hidden by permission)."""
        self.beginResetModel()
        self._columns = list(columns)
        self.endResetModel()

    def set_query(self, query: Any, *, force: bool = False) -> None:
        """Show the rows of ``query`` from the top (nothing happens if already shown)."""
        if self._has_query and query == self._query and not force and self._error is None:
            return
        self._query, self._has_query = query, True
        self._restart()

    def refresh(self) -> None:
        """Read the current query again from the top (keeping the order). The rows shown
        stay until the new first page is in, so a list read again after a save does not
        blink empty."""
        if not self._has_query:
            return
        if not self._ids or self._error is not None:
            self._restart()
            return
        self._generation += 1
        generation = self._generation
        self._refilling.clear()
        self._fetching = True
        request = PageRequest(after=None, limit=self._page_size,
                              sort=None if self._local else self._sort, with_total=False)
        self._chunk_size = min(self._page_size * 2, self._max_chunk)
        self._request(request, lambda page: self._on_replaced(generation, page),
                      lambda error: self._on_replace_failed(generation, error))
        self._emit_loading()

    def _on_replaced(self, generation: int, page: Any) -> None:
        if generation != self._generation:
            return
        self.beginResetModel()
        self._ids, self._chunks, self._as_read = [], [], []
        self._lru.clear()
        self._refilling.clear()  # a refill asked for since refresh() was of the old rows
        self._custom.clear()
        # The total shown stays until the list is counted again (right after this page).
        self._next_after, self._at_end, self._counting = None, False, False
        self.endResetModel()  # still "fetching": a view's fetchMore waits for these rows
        self._on_next(generation, None, page)

    def _on_replace_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        # The rows shown are the old ones: a retry reads the list from the top.
        self._fetching = False
        self._error = error
        self._next_failed = False
        self._replace_failed = True
        self._emit_loading()
        self.load_failed.emit(error)

    def retry(self) -> None:
        """After a failure: read what failed again."""
        if self._error is None:
            return
        if self._replace_failed:
            self._replace_failed = False
            self._restart()
            return
        self._error = None
        if self._next_failed:
            self._next_failed = False
            self._fetch_next()
        if self._ids:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._ids) - 1, self.columnCount() - 1))

    # --- Qt model interface -------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._columns)

    def canFetchMore(self, parent: AnyIndex) -> bool:  # noqa: N802
        return (not parent.isValid() and self._has_query and not self._at_end
                and self._error is None)

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
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        column = self._columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == Qt.ItemDataRole.ToolTipRole:
            if column.tooltip:
                return column.tooltip
            return None if self.sortable(section) else self.tr("This column does not sort")
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align is not None:
            return column.align
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._ids) \
                or index.column() >= len(self._columns):
            return None
        if role == ID_ROLE:
            return self._ids[index.row()]
        row = self._held(index.row(), read=True)
        column = self._columns[index.column()]
        if row is None or isinstance(row, _Gone):
            if role == Qt.ItemDataRole.DisplayRole and index.column() == self.main_column:
                return (self.tr("Loading…") if row is None
                        else self.tr("(no longer in this list)"))
            if role == Qt.ItemDataRole.ForegroundRole:
                return dim_brush()
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            shown = column.value(row)
            return None if shown is None else str(shown)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align is not None:
            return column.align
        if column.role is not None:
            return column.role(row, role)
        return None

    def sortable(self, section: int) -> bool:
        if not 0 <= section < len(self._columns):
            return False
        return self._local or self._columns[section].sort is not None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Order by ``column`` (−1: the list's own order); a column without a sort key is
        ignored."""
        if column >= 0 and not self.sortable(column):
            return
        if (column, order) == (self._sort_column, self._sort_order):
            return
        self._sort_column, self._sort_order = column, order
        descending = order == Qt.SortOrder.DescendingOrder
        if column < 0:
            self._sort = None
        else:
            key = self._columns[column].sort or self._columns[column].key
            self._sort = Sort(key, descending)
        if self._local and self._chunks and self._at_end and not self.is_loading:
            self._sort_in_memory()
        elif self._has_query:
            self._restart()
        self.sort_changed.emit()

    @property
    def sort_column(self) -> int:
        return self._sort_column

    @property
    def sort_order(self) -> Qt.SortOrder:
        return self._sort_order

    # --- rows ---------------------------------------------------------------------------------

    def _chunk_of(self, row: int) -> int:
        low, high = 0, len(self._chunks) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if self._chunks[middle].first <= row:
                low = middle
            else:
                high = middle - 1
        return low

    def _held(self, row: int, *, read: bool = False) -> Any:
        if not 0 <= row < len(self._ids) or not self._chunks:
            return None
        number = self._chunk_of(row)
        chunk = self._chunks[number]
        if chunk.rows is None:
            if read:
                self._refill(number)
            return None
        self._lru.move_to_end(number)
        return chunk.rows.get(self._ids[row], _GONE)

    def _keep(self, number: int, rows: dict[Hashable, Any]) -> None:
        self._chunks[number].rows = rows
        self._lru[number] = None
        self._lru.move_to_end(number)
        while self.cached_row_count > self._max_cached_rows and len(self._lru) > 1:
            evicted, _ = self._lru.popitem(last=False)
            old = self._chunks[evicted].rows or {}
            self._chunks[evicted].rows = None
            for row_id in old:
                self._custom.pop(row_id, None)

    def _sort_in_memory(self) -> None:
        rows = list(self._as_read)
        if self._sort is not None and 0 <= self._sort_column < len(self._columns):
            column = self._columns[self._sort_column]
            key = column.sort_value or column.value
            empty = [r for r in rows if key(r) in (None, "")]
            rows = sorted((r for r in rows if key(r) not in (None, "")), key=key,
                          reverse=self._sort.descending) + empty  # empty ones last
        self.beginResetModel()
        self._ids = [self._row_id(r) for r in rows]
        self._chunks = [_Chunk(0, None, len(rows), {self._row_id(r): r for r in rows})]
        self._lru = OrderedDict({0: None})
        self.endResetModel()

    # --- reading ------------------------------------------------------------------------------

    def _restart(self) -> None:
        self.beginResetModel()
        self._generation += 1
        self._ids = []
        self._chunks = []
        self._lru.clear()
        self._refilling.clear()
        self._custom.clear()
        self._as_read = []
        self._next_after = None
        self._at_end = False
        self._error = None
        self._next_failed = False
        self._replace_failed = False
        self._counting = False
        self._total = None
        self._chunk_size = self._page_size
        # A view reacting to the reset may call fetchMore: the first read is ours, below.
        self._fetching = True
        self.endResetModel()
        self._fetching = False
        self._fetch_next()

    def _fetch_next(self) -> None:
        if not self._has_query or self._fetching or self._at_end or self._error is not None:
            return
        self._fetching = True
        generation, after = self._generation, self._next_after
        request = PageRequest(after=after, limit=self._chunk_size,
                              sort=None if self._local else self._sort, with_total=False)
        # The first read is one page (shown at once); each further read doubles, so that
        # scrolling to the end of a long list takes few round trips.
        self._chunk_size = min(self._chunk_size * 2, self._max_chunk)
        self._request(request, lambda page: self._on_next(generation, after, page),
                      lambda error: self._on_failed(generation, error, limit=request.limit))
        self._emit_loading()

    def _on_next(self, generation: int, after: Any, page: Any) -> None:
        if generation != self._generation:
            return
        rows, next_after, total, custom = _unpack(page)
        if total is not None:
            self._total = total
        self._custom.update(custom)
        self._fetching = False
        if rows:
            start = len(self._ids)
            # Still counted as reading while rows go in: a view reacting to the insert may
            # call fetchMore, which must not ask for this chunk again.
            self._fetching = True
            self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
            self._ids.extend(self._row_id(r) for r in rows)
            if self._local:
                self._as_read.extend(rows)
            self._chunks.append(_Chunk(start, after, len(rows), None))
            self._keep(len(self._chunks) - 1, {self._row_id(r): r for r in rows})
            self._next_after = next_after
            self._at_end = next_after is None
            self.endInsertRows()
            self._fetching = False
        else:
            self._at_end = True
        if self._at_end:
            self._total = len(self._ids)
        elif after is None:
            self._count(generation)
        if self._local and self._at_end and self._sort is not None:
            self._sort_in_memory()
        self._emit_loading()
        self.page_loaded.emit()

    def _count(self, generation: int) -> None:
        """Ask for the total of a list longer than its first page (one row and the count)."""
        self._counting = True

        def counted(page: Any) -> None:
            if generation != self._generation:
                return
            self._counting = False
            total = _unpack(page)[2]
            if total is not None and not self._at_end:
                self._total = total
            self._emit_loading()
            self.page_loaded.emit()  # what the status line waits for

        def not_counted(_error: BaseException) -> None:
            # The list works without its total; the status line says what it shows.
            if generation == self._generation:
                self._counting = False
                self._emit_loading()

        self._request(PageRequest(after=None, limit=1, sort=None, with_total=True),
                      counted, not_counted)

    def _refill(self, number: int) -> None:
        if number in self._refilling or self._error is not None or not self._has_query:
            return
        chunk = self._chunks[number]
        self._refilling.add(number)
        generation = self._generation
        wanted = self._ids[chunk.first:chunk.first + chunk.count]
        # A little slack, in case rows were added in between since the first read.
        limit = min(MAX_CHUNK, chunk.count + max(1, self._page_size // 2))
        request = PageRequest(after=chunk.after, limit=limit, sort=self._sort,
                              with_total=False)
        self._request(request,
                      lambda page: self._on_refilled(generation, chunk, number, wanted, page),
                      lambda error: self._on_failed(generation, error, number)
                      if self._still(chunk, number) else None)
        self._emit_loading()

    def _on_refilled(self, generation: int, chunk: _Chunk, number: int,
                     wanted: list[Hashable], page: Any) -> None:
        if generation != self._generation or not self._still(chunk, number):
            return
        self._refilling.discard(number)
        rows, _next, _total, custom = _unpack(page)
        self._custom.update(custom)
        found = {self._row_id(r): r for r in rows}
        self._keep(number, {row_id: found.get(row_id, _GONE) for row_id in wanted})
        first = self._chunks[number].first
        self.dataChanged.emit(self.index(first, 0),
                              self.index(first + len(wanted) - 1, self.columnCount() - 1))
        self._emit_loading()

    def _still(self, chunk: _Chunk, number: int) -> bool:
        """Whether ``chunk`` is still the list's chunk ``number``: a refresh's new rows
        replace the chunks within one generation, so a refill asked for while the refresh
        was on its way is of rows no longer shown."""
        return number < len(self._chunks) and self._chunks[number] is chunk

    def _on_failed(self, generation: int, error: BaseException,
                   number: int | None = None, *, limit: int = 0) -> None:
        if generation != self._generation:
            return
        if self._sort is not None and isinstance(error, ValidationError) \
                and "sort" in error.errors:
            # The order is no longer allowed (its column was hidden from this role since):
            # back to the list's own order rather than a list that cannot be read.
            self._sort, self._sort_column = None, -1
            self._sort_order = Qt.SortOrder.AscendingOrder
            self.sort_changed.emit()
            self._restart()
            return
        if number is None:
            self._fetching = False
            self._next_failed = True
            self._chunk_size = limit or self._chunk_size  # the retry asks for the same
        else:
            self._refilling.discard(number)
        self._error = error
        self._emit_loading()
        self.load_failed.emit(error)

    def _request(self, request: PageRequest, on_done: Callable[[Any], None],
                 on_error: Callable[[BaseException], None]) -> None:
        self.requests_made += 1
        self._load(self._query, request, on_done, on_error)

    def _emit_loading(self) -> None:
        loading = self.is_loading
        if loading != self._was_loading:
            self._was_loading = loading
            self.loading_changed.emit(loading)


def _unpack(page: Any) -> tuple[Sequence[Any], Any, int | None, Mapping[Hashable, Any]]:
    """(rows, next_after, total, custom) of whatever a loader returned."""
    if isinstance(page, Sequence):
        return page, None, len(page), {}
    return (page.rows, getattr(page, "next_after", None), getattr(page, "total", None),
            getattr(page, "custom", None) or {})


def dim_brush() -> QBrush:
    """The colour of text that stands for a row not (or no longer) there."""
    palette = QApplication.palette()
    color: QColor = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
    return QBrush(color)

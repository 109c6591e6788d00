"""The customer timeline as a Qt table model: newest first, filtered by kind of record."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from app.services.customer360 import TimelineEntry
from app.ui.formatting import format_local_datetime, format_yuan
from app.ui.record_labels import (
    DATE_ONLY_KINDS,
    kind_colour,
    kind_icon,
    kind_label,
    reference_label,
    state_label,
)

RECORD_ID_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_ROLE = Qt.ItemDataRole.UserRole + 2
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 3

AnyIndex = QModelIndex | QPersistentModelIndex

_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class Column(IntEnum):
    WHEN = 0
    KIND = 1
    REFERENCE = 2
    STATE = 3
    AMOUNT = 4
    USER = 5
    TEXT = 6  # last, so that a narrow window shortens the text, not the amounts


def entry_when(entry: TimelineEntry) -> str:
    """Local date and time; only the date for records kept by day (orders, payments...)."""
    if entry.kind in DATE_ONLY_KINDS:
        # A day comes as midnight UTC: its UTC date is the day, whatever the PC's zone.
        return entry.at.date().isoformat()
    return format_local_datetime(entry.at)


class TimelineModel(QAbstractTableModel):
    """The entries of :func:`app.services.customer360.customer_overview`, in the service's
    order (newest first). The timeline is bounded by the service, so all of it is held;
    hiding a kind only changes which of them are rows.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._entries: tuple[TimelineEntry, ...] = ()
        self._rows: list[TimelineEntry] = []
        self._hidden: frozenset[str] = frozenset()
        # A clicked column and its order; (-1, …): the service's order, newest first.
        self._sort: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)

    # --- public ---------------------------------------------------------------------------

    def set_entries(self, entries: Sequence[TimelineEntry]) -> None:
        self.beginResetModel()
        self._entries = tuple(entries)
        self._rows = self._filtered()
        self.endResetModel()

    def set_hidden_kinds(self, kinds: Iterable[str]) -> None:
        hidden = frozenset(kinds)
        if hidden == self._hidden:
            return
        self.beginResetModel()
        self._hidden = hidden
        self._rows = self._filtered()
        self.endResetModel()

    @property
    def hidden_kinds(self) -> frozenset[str]:
        return self._hidden

    def kind_counts(self) -> Counter[str]:
        """How many entries of each kind there are, shown or not."""
        return Counter(e.kind for e in self._entries)

    @property
    def total_count(self) -> int:
        return len(self._entries)

    def entry(self, row: int) -> TimelineEntry | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def column_title(self, column: Column) -> str:
        return {
            Column.WHEN: self.tr("Date"),
            Column.KIND: self.tr("Kind"),
            Column.REFERENCE: self.tr("Reference"),
            Column.STATE: self.tr("State"),
            Column.TEXT: self.tr("Details"),
            Column.AMOUNT: self.tr("Amount"),
            Column.USER: self.tr("By"),
        }[column]

    # --- Qt model -------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(Column)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.column_title(Column(section))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if section == Column.AMOUNT else _LEFT
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemNeverHasChildren)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        entry = self.entry(index.row())
        if entry is None or not 0 <= index.column() < len(Column):
            return None
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(entry, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == Column.TEXT and entry.text:
                return entry.text
            if column == Column.WHEN and entry.kind not in DATE_ONLY_KINDS:
                return self.tr("Local time")
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if column == Column.AMOUNT else _LEFT
        if role == Qt.ItemDataRole.DecorationRole and column == Column.KIND:
            return kind_icon(entry.kind)
        if role == Qt.ItemDataRole.ForegroundRole and column == Column.KIND:
            return kind_colour(entry.kind).darker(130)
        if role == RECORD_ID_ROLE:
            return entry.record_id
        if role == KIND_ROLE:
            return entry.kind
        if role == ENTRY_ROLE:
            return entry
        return None

    # --- helpers --------------------------------------------------------------------------

    def _display(self, entry: TimelineEntry, column: Column) -> str:
        if column == Column.WHEN:
            return entry_when(entry)
        if column == Column.KIND:
            return kind_label(entry.kind)
        if column == Column.REFERENCE:
            return reference_label(entry.kind, entry.reference)
        if column == Column.STATE:
            return state_label(entry.kind, entry.state)
        if column == Column.TEXT:
            return " ".join(entry.text.split())  # one line: newlines would hide the rest
        if column == Column.AMOUNT:
            return format_yuan(entry.amount)
        return entry.user_name or ""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Order by a column, in memory (the timeline is held whole); −1: newest first.
        Empty values (no amount, no state) come last either way."""
        if (column, order) == self._sort:
            return
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        entries = [self.entry(i.row()) for i in before]
        self._sort = (column, order)
        self._rows = self._filtered()
        where = {id(e): r for r, e in enumerate(self._rows)}
        self.changePersistentIndexList(before, [
            self.index(where[id(e)], i.column()) if e is not None and id(e) in where
            else QModelIndex() for i, e in zip(before, entries, strict=True)])
        self.layoutChanged.emit()

    def _filtered(self) -> list[TimelineEntry]:
        rows = [e for e in self._entries if e.kind not in self._hidden]
        column, order = self._sort
        if column < 0:
            return rows

        def key(entry: TimelineEntry) -> Any:
            if column == Column.WHEN:
                return entry.at
            if column == Column.AMOUNT:
                return entry.amount
            return self._display(entry, Column(column)) or None

        present = [e for e in rows if key(e) is not None]
        empty = [e for e in rows if key(e) is None]
        present.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        return present + empty

"""Item model of one statistic's table: typed cells formatted for people, totals in bold.

The table comes with its words in the language the page asked the service for, so the
model shows its headings as they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from app.services.statistics import ColumnKind, DrillKey, StatColumn, StatRow, StatTable
from app.ui.formatting import format_date, format_yuan

Index = QModelIndex | QPersistentModelIndex
DRILL_ROLE = Qt.ItemDataRole.UserRole + 1   # the cell's DrillKey, or None
VALUE_ROLE = Qt.ItemDataRole.UserRole + 2   # the raw cell value (Decimal, int, str, date)

NUMERIC_KINDS = frozenset({ColumnKind.INTEGER, ColumnKind.MONEY, ColumnKind.PERCENT,
                           ColumnKind.DECIMAL})
LINK_COLOUR = QColor("#1a56a8")


def _plain_decimal(value: Decimal, places: int) -> str:
    quantum = Decimal(1).scaleb(-places)
    return f"{Decimal(value).quantize(quantum):,.{places}f}"


def decimal_places(values: Iterable[object]) -> int:
    """The decimals a DECIMAL column needs: the most any of its values has, at most 2.

    Quantities (8.000) then read 8, hours 27.6 and 35.0, points 136.10 and 162.05.
    """
    places = 0
    for value in values:
        if isinstance(value, Decimal) and value.is_finite():
            exponent = value.normalize().as_tuple().exponent
            if isinstance(exponent, int):
                places = max(places, -exponent)
    return min(places, 2)


def format_cell(value: object, kind: ColumnKind, places: int = 2) -> str:
    """How a cell reads: money in yuan with separators, integers with separators, 12.5 %."""
    if value is None:
        return ""
    if kind is ColumnKind.MONEY and isinstance(value, Decimal | int):
        return format_yuan(Decimal(value))
    if kind is ColumnKind.INTEGER and isinstance(value, int | Decimal):
        return f"{int(value):,}"
    if kind is ColumnKind.PERCENT and isinstance(value, Decimal | int | float):
        return f"{_plain_decimal(Decimal(value), 1)} %"
    if kind is ColumnKind.DECIMAL and isinstance(value, Decimal | int | float):
        return _plain_decimal(Decimal(value), places)
    if isinstance(value, dt.date):
        return format_date(value)
    return str(value)


class StatTableModel(QAbstractTableModel):
    """The rows of one :class:`StatTable`, read-only; the drill key of each cell in DRILL_ROLE."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.table: StatTable | None = None
        self._columns: tuple[StatColumn, ...] = ()
        self._rows: tuple[StatRow, ...] = ()
        self._places: tuple[int, ...] = ()

    def set_table(self, table: StatTable | None) -> None:
        self.beginResetModel()
        self.table = table
        self._columns = table.columns if table is not None else ()
        self._rows = table.rows if table is not None else ()
        self._places = tuple(
            decimal_places(row.cells[n] for row in self._rows if n < len(row.cells))
            if column.kind is ColumnKind.DECIMAL else 2
            for n, column in enumerate(self._columns))
        self.endResetModel()

    # --- Qt -------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not self.hasIndex(index.row(), index.column()):
            return None
        row = self._rows[index.row()]
        column = self._columns[index.column()]
        value = row.cells[index.column()] if index.column() < len(row.cells) else None
        if role == Qt.ItemDataRole.DisplayRole:
            return format_cell(value, column.kind, self._places[index.column()])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = (Qt.AlignmentFlag.AlignRight if column.kind in NUMERIC_KINDS
                          else Qt.AlignmentFlag.AlignLeft)
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and row.is_total:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and self.drill_key(index) is not None:
            return QBrush(LINK_COLOUR)
        if role == Qt.ItemDataRole.ToolTipRole and self.drill_key(index) is not None:
            return self.tr("Double-click or Enter: the records behind this number")
        if role == DRILL_ROLE:
            return self.drill_key(index)
        if role == VALUE_ROLE:
            return value
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        column = self._columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.label
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = (Qt.AlignmentFlag.AlignRight if column.kind in NUMERIC_KINDS
                          else Qt.AlignmentFlag.AlignLeft)
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        return None

    # --- ours -----------------------------------------------------------------------------

    def drill_key(self, index: Index) -> DrillKey | None:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        drill = self._rows[index.row()].drill
        return drill[index.column()] if index.column() < len(drill) else None

    def row(self, number: int) -> StatRow | None:
        return self._rows[number] if 0 <= number < len(self._rows) else None

    def column_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self._columns)

    def cell_text(self, row: int, key: str) -> str:
        """What the table shows in column ``key`` of ``row`` (for tests and the status line)."""
        column = self.column_keys().index(key)
        return str(self.data(self.index(row, column)))

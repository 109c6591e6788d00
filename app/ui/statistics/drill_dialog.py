"""The records behind one number of a statistic (drill-down), each openable with Enter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services import statistics as stats
from app.services.statistics import DrillKey, DrillRecord, DrillResult, StatFilters
from app.ui.context import AppContext
from app.ui.errors import describe_error
from app.ui.formatting import format_date, format_yuan

Index = QModelIndex | QPersistentModelIndex
ERROR_STYLE = "color: #b00020;"
CAPTION_STYLE = "color: #666666;"
DETAIL_COLUMN = 4
AMOUNT_COLUMN = 5


class DrillModel(QAbstractTableModel):
    """One row per record behind the number."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.records: tuple[DrillRecord, ...] = ()

    def headers(self) -> list[str]:
        return [self.tr("Number"), self.tr("Date"), self.tr("Customer"), self.tr("Person"),
                self.tr("Details"), self.tr("Amount")]

    def set_records(self, records: tuple[DrillRecord, ...]) -> None:
        self.beginResetModel()
        self.records = records
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.records)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else 6

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not self.hasIndex(index.row(), index.column()):
            return None
        record = self.records[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (record.number, format_date(record.day), record.customer_name,
                    record.person, record.detail, format_yuan(record.amount))[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column == AMOUNT_COLUMN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column in (2, 4):
            return (record.customer_name, record.detail)[column // 2 - 1] or None
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < 6):
            return self.headers()[section]
        return None

    def record(self, row: int) -> DrillRecord | None:
        return self.records[row] if 0 <= row < len(self.records) else None


class DrillDownDialog(QDialog):
    """Lists :func:`drill_down`'s records; Enter or double-click opens one.

    ``open_record(record, dialog)`` is called for the chosen record (the statistics page
    opens it through the record openers).
    """

    def __init__(self, ctx: AppContext, key: DrillKey, filters: StatFilters, *,
                 caption: str, open_record: Callable[[DrillRecord, QWidget], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("drill_down_dialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._ctx = ctx
        self.key = key
        self.filters = filters
        self._open_record = open_record
        self.drill_result: DrillResult | None = None
        self.setWindowTitle(self.tr("Records behind the number"))

        self.title_label = QLabel(caption, self)
        self.title_label.setObjectName("drill_title")
        self.title_label.setWordWrap(True)
        font = self.title_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title_label.setFont(font)
        self.period_label = QLabel(self.tr("{start} to {end}").format(
            start=format_date(filters.date_from), end=format_date(filters.date_to)), self)
        self.period_label.setObjectName("drill_period")
        self.period_label.setStyleSheet(CAPTION_STYLE)
        self.busy = QProgressBar(self)
        self.busy.setObjectName("drill_busy")
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.setTextVisible(False)

        self.model = DrillModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("drill_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        for column, width in enumerate((150, 100, 220, 90, 170, 120)):
            self.table.setColumnWidth(column, width)
        self.table.activated.connect(lambda index: self.open_row(index.row()))

        self.total_label = QLabel(self)
        self.total_label.setObjectName("drill_total")
        bold = self.total_label.font()
        bold.setBold(True)
        self.total_label.setFont(bold)
        self.note_label = QLabel(self)
        self.note_label.setObjectName("drill_note")
        self.note_label.setWordWrap(True)
        self.note_label.setStyleSheet(CAPTION_STYLE)
        self.hint_label = QLabel(self.tr("Enter or double-click opens a record."), self)
        self.hint_label.setObjectName("drill_hint")
        self.hint_label.setStyleSheet(CAPTION_STYLE)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        # Enter belongs to the table (open the record), not to the Close button.
        close.setAutoDefault(False)
        close.setDefault(False)
        buttons.rejected.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(self.title_label, 1)
        top.addWidget(self.busy)
        bottom = QHBoxLayout()
        bottom.addWidget(self.hint_label, 1)
        bottom.addWidget(self.total_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.period_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        layout.addWidget(self.note_label)
        layout.addWidget(buttons)
        self.resize(900, 480)
        self.note_label.hide()
        self.load()

    def load(self) -> None:
        key, filters, actor = self.key, self.filters, self._ctx.actor
        self.busy.show()
        self._ctx.run(lambda uow: stats.drill_down(key, filters, uow=uow, actor=actor),
                      on_done=self._loaded, on_error=self._failed, owner=self)

    def _loaded(self, result: DrillResult) -> None:
        self.busy.hide()
        self.drill_result = result
        language = self._ctx.language
        title = result.title_zh if language == "zh" else result.title_en
        if title:
            self.setWindowTitle(title)
        self.model.set_records(result.records)
        # Most records have no details line: no empty column then.
        self.table.setColumnHidden(DETAIL_COLUMN, not any(r.detail for r in result.records))
        shown = len(result.records)
        # ``count`` and ``total`` cover every matching record, also beyond the limit.
        count = max(result.count, shown)
        if result.total is not None:
            self.total_label.setText(self.tr("{count} records, total {amount}").format(
                count=f"{count:,}", amount=format_yuan(result.total)))
        else:
            self.total_label.setText(self.tr("{count} records").format(count=f"{count:,}"))
        if result.truncated:
            self.note_label.setText(self.tr(
                "More than {shown} records match; the first {shown} are shown. "
                "Narrow the filters to see the others.").format(shown=shown))
            self.note_label.show()
        if shown:
            self.table.selectRow(0)
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _failed(self, error: BaseException) -> None:
        self.busy.hide()
        self.note_label.setText(describe_error(error).text)
        self.note_label.setStyleSheet(ERROR_STYLE)
        self.note_label.show()

    def open_row(self, row: int) -> None:
        record = self.model.record(row)
        if record is not None:
            self._open_record(record, self)

"""The payments module page (回款): receivables aging (应收账龄) per customer on a date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services.sales import AgingReport, AgingRow, receivables_aging
from app.ui.context import AppContext
from app.ui.errors import describe_error
from app.ui.formatting import format_yuan

Index = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole + 1
AMOUNTS = ("days_0_30", "days_31_60", "days_61_90", "days_over_90", "total")


class AgingModel(QAbstractTableModel):
    """One row per customer, then the totals row."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.report: AgingReport | None = None
        self._rows: Sequence[AgingRow] = ()

    def headers(self) -> list[str]:
        return [self.tr("Code"), self.tr("Customer"), self.tr("0–30 days"),
                self.tr("31–60 days"), self.tr("61–90 days"), self.tr("Over 90 days"),
                self.tr("Total")]

    def set_report(self, report: AgingReport) -> None:
        self.beginResetModel()
        self.report = report
        self._rows = report.rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        if parent.isValid() or self.report is None:
            return 0
        return len(self._rows) + 1

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else 7

    def is_total_row(self, row: int) -> bool:
        return row == len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.report is None:
            return None
        row, column = index.row(), index.column()
        total = self.is_total_row(row)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return "" if total else self._rows[row].customer_code
            if column == 1:
                return self.tr("Total") if total else self._rows[row].customer_name
            source: Any = self.report if total else self._rows[row]
            return format_yuan(getattr(source, AMOUNTS[column - 2]))
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and (total or column == 6):
            font = QFont()
            font.setBold(True)
            return font
        if role == ID_ROLE and not total:
            return self._rows[row].customer_id
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        return None

    def customer_at(self, row: int) -> int | None:
        return self._rows[row].customer_id if 0 <= row < len(self._rows) else None


class ReceivablesAgingPage(QWidget):
    """What each customer owes, by how long it is overdue (from the due or order date).

    Signals:
        customer_activated(int): Enter or double click on a customer row.
    """

    customer_activated = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("receivables_aging_page")
        self._ctx = ctx
        self._generation = 0
        title = QLabel(self.tr("Receivables aging"), self)
        title.setObjectName("aging_title")
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        title.setFont(font)
        self.date_edit = QDateEdit(QDate.currentDate(), self)
        self.date_edit.setObjectName("as_of_edit")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.dateChanged.connect(lambda _d: self.refresh())
        self.today_button = QPushButton(self.tr("Today"), self)
        self.today_button.setObjectName("aging_today")
        self.today_button.clicked.connect(
            lambda: self.date_edit.setDate(QDate.currentDate()))
        self.message_label = QLabel(self)
        self.message_label.setObjectName("list_message")
        self.model = AgingModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("aging_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(0, 110)
        self.table.setColumnWidth(1, 260)
        for column in range(2, 7):
            self.table.setColumnWidth(column, 120)
        self.table.activated.connect(lambda index: self.open_row(index.row()))

        bar = QHBoxLayout()
        bar.addWidget(title)
        bar.addSpacing(16)
        bar.addWidget(QLabel(self.tr("As of:"), self))
        bar.addWidget(self.date_edit)
        bar.addWidget(self.today_button)
        bar.addWidget(self.message_label, 1)
        hint = QLabel(self.tr("Days past the due date (the order date where none is set). "
                              "Enter opens the customer."), self)
        hint.setObjectName("aging_hint")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #666666;")
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(hint)
        self.setFocusProxy(self.table)
        self.refresh()

    @property
    def as_of(self) -> dt.date:
        qd = self.date_edit.date()
        return dt.date(qd.year(), qd.month(), qd.day())

    def refresh(self) -> None:
        self._generation += 1
        generation, actor, as_of = self._generation, self._ctx.actor, self.as_of
        self.message_label.setText(self.tr("Loading…"))
        self._ctx.run(lambda uow: receivables_aging(uow=uow, actor=actor, as_of=as_of),
                      on_done=lambda report: self._loaded(generation, report),
                      on_error=self._failed, owner=self)

    def _loaded(self, generation: int, report: AgingReport) -> None:
        if generation != self._generation:
            return
        self.model.set_report(report)
        count = len(report.rows)
        self.message_label.setText(
            self.tr("{count} customers owe {amount}").format(
                count=count, amount=format_yuan(report.total)) if count
            else self.tr("Nothing is owed."))

    def _failed(self, error: BaseException) -> None:
        self.message_label.setText(describe_error(error).text)

    def on_connection_restored(self) -> None:
        self.refresh()

    def focus_search(self) -> None:
        self.date_edit.setFocus()

    def open_row(self, row: int) -> None:
        customer_id = self.model.customer_at(row)
        if customer_id is not None:
            self.customer_activated.emit(customer_id)

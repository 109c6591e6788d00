"""The payments module page (回款): receivables aging (应收账龄) per customer on a date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QConcatenateTablesProxyModel,
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
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import Module, Operation
from app.services.sales import AgingRow, receivables_aging
from app.services.uow import UnitOfWork
from app.textkeys import sort_key
from app.ui.context import AppContext
from app.ui.customers.import_access import may_import
from app.ui.formatting import format_yuan
from app.ui.kit.list_page import ListPage
from app.ui.kit.table import RIGHT, Col, PageRequest

Index = QModelIndex | QPersistentModelIndex
AMOUNTS = ("days_0_30", "days_31_60", "days_61_90", "days_over_90", "total")
FIRST_AMOUNT = 2  # code and customer come first


def _bold() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


class AgingTotals(QAbstractTableModel):
    """The totals row under the customers: what the listed rows add up to.

    The report's totals are the sums of its rows (``receivables_aging``), and a ``local``
    list holds all of them, so the row adds up what the list shows. It sits in a second
    model after the list's, so sorting the customers never moves it.
    """

    def __init__(self, columns: int, parent: Any = None) -> None:
        super().__init__(parent)
        self._columns = columns
        self.sums: tuple[Decimal, ...] | None = None  # None until the list is read

    def set_rows(self, rows: Sequence[AgingRow]) -> None:
        sums = tuple(sum((getattr(r, name) for r in rows), Decimal("0.00"))
                     for name in AMOUNTS)
        if self.sums is None:
            self.beginInsertRows(QModelIndex(), 0, 0)
            self.sums = sums
            self.endInsertRows()
        elif sums != self.sums:
            self.sums = sums
            self.dataChanged.emit(self.index(0, 0), self.index(0, self._columns - 1))

    @property
    def total(self) -> Decimal:
        return self.sums[-1] if self.sums is not None else Decimal("0.00")

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() or self.sums is None else 1

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self._columns

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemNeverHasChildren)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.sums is None or index.row() != 0:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 1:
                return self.tr("Total")
            if column >= FIRST_AMOUNT:
                return format_yuan(self.sums[column - FIRST_AMOUNT])
            return ""
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= FIRST_AMOUNT:
            return RIGHT
        if role == Qt.ItemDataRole.FontRole:
            return _bold()
        return None


MAX_NAME_WIDTH = 360   # a very long customer name is elided rather than pushing the sums away
COLUMN_PADDING = 12


class ReceivablesAgingPage(ListPage):
    """What each customer owes, by how long it is overdue (from the due or order date).

    The service returns every customer at once, so the list is ``local``: any column
    sorts in memory, and the totals row stays last.

    Signals:
        customer_activated(int): Enter or double click on a customer row.
    """

    customer_activated = Signal(int)

    module = Module.PAYMENTS
    kind = "payment"
    watch = ("order",)  # a confirmed, cancelled or edited order changes what is owed
    table_name = "aging_table"
    local = True

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("receivables_aging_page")
        title = QLabel(self.tr("Receivables aging"), self)
        title.setObjectName("aging_title")
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        title.setFont(font)
        self.date_edit = QDateEdit(QDate(dt.date.today()), self)
        self.date_edit.setObjectName("as_of_edit")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.dateChanged.connect(lambda _d: self.refresh())
        self.today_button = QPushButton(self.tr("Today"), self)
        self.today_button.setObjectName("aging_today")
        self.today_button.clicked.connect(
            lambda: self.date_edit.setDate(QDate(dt.date.today())))
        self.add_filter(title)
        self.bar.addSpacing(16)
        self.add_filter(self.date_edit, self.tr("As of:"))
        self.add_filter(self.today_button)
        # The import wizard with "opening receivables" chosen (期初应收): what customers
        # owed before the program, so this report starts complete.
        self.import_button = self.add_button(
            self.tr("Import opening balances…"), "import_receivables_button",
            self.open_import, visible=may_import(ctx) and ctx.can(Module.ORDERS,
                                                                  Operation.CREATE),
            first=False)
        self.import_wizard: QWidget | None = None

        # The table shows the customers (the kit's model) and then the totals row.
        self.totals = AgingTotals(len(self.model.columns), self)
        self.model.page_loaded.connect(self._add_up)
        self.view_model = QConcatenateTablesProxyModel(self)
        self.view_model.addSourceModel(self.model)
        self.view_model.addSourceModel(self.totals)
        self.table.setModel(self.view_model)
        for i, column in enumerate(self.model.columns):
            if column.width:
                self.table.setColumnWidth(i, column.width)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)

        hint = QLabel(self.tr("Days past the due date (the order date where none is set). "
                              "Enter opens the customer."), self)
        hint.setObjectName("aging_hint")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #666666;")
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.addWidget(hint)
        self.setFocusProxy(self.table)
        self.start()

    def columns(self) -> list[Col[Any]]:
        def amount(name: str, title: str, *, bold: bool = False) -> Col[Any]:
            return Col(name, title, lambda r: format_yuan(getattr(r, name)),
                       sort_value=lambda r: getattr(r, name), width=120,
                       role=(lambda _r, role: _bold() if role == Qt.ItemDataRole.FontRole
                             else None) if bold else None).money()

        return [
            Col("code", self.tr("Code"), lambda r: r.customer_code, width=110),
            Col("customer", self.tr("Customer"), lambda r: r.customer_name, width=260,
                sort_value=lambda r: sort_key(r.customer_name)),
            amount("days_0_30", self.tr("0–30 days")),
            amount("days_31_60", self.tr("31–60 days")),
            amount("days_61_90", self.tr("61–90 days")),
            amount("days_over_90", self.tr("Over 90 days")),
            amount("total", self.tr("Total"), bold=True),
        ]

    @staticmethod
    def row_id(row: AgingRow) -> int:
        return row.customer_id

    @property
    def as_of(self) -> dt.date:
        qd = self.date_edit.date()
        return dt.date(qd.year(), qd.month(), qd.day())

    # --- loading ---------------------------------------------------------------------------

    def current_query(self) -> dt.date:
        return self.as_of

    def fetch(self, uow: UnitOfWork, query: dt.date,
              request: PageRequest) -> tuple[AgingRow, ...]:
        return receivables_aging(uow=uow, actor=self._ctx.actor, as_of=query).rows

    def _add_up(self) -> None:
        rows = [self.model.row_at(i) for i in range(self.model.rowCount())]
        self.totals.set_rows([r for r in rows if r is not None])
        self.show_count()  # the sum it names is the totals row's
        self.fit_columns()

    def fit_columns(self) -> None:
        """Every column as wide as its widest entry (codes are never cut), a long name at
        most ``MAX_NAME_WIDTH``; the last column takes what is left of the width."""
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        last = self.view_model.columnCount() - 1
        for column in range(last):
            self.table.resizeColumnToContents(column)
            width = max(self.table.columnWidth(column), header.sectionSizeHint(column))
            if self.model.columns[column].key == "customer":
                width = min(width, MAX_NAME_WIDTH)
            self.table.setColumnWidth(column, width + COLUMN_PADDING)

    def show_count(self) -> None:
        count = self.model.rowCount()
        self.message_label.setText(
            self.tr("{count} customers owe {amount}").format(
                count=count, amount=format_yuan(self.totals.total)) if count
            else self.tr("Nothing is owed."))

    def focus_search(self) -> None:
        self.date_edit.setFocus()

    # --- actions ---------------------------------------------------------------------------

    def open_import(self) -> QWidget:
        """The import wizard for opening balances; the report is read again once it ends."""
        from app.ui.customers.import_wizard import open_import_wizard

        wizard = open_import_wizard(self._ctx, self, kind="receivables", then=self.refresh)
        self.import_wizard = wizard
        return wizard

    def open_record(self, record_id: int) -> None:
        """Enter on a customer asks for its 360 view (the totals row has no id)."""
        self.customer_activated.emit(record_id)

"""今日待办: the user's follow-ups due today, overdue ones first, to tick off one by one;
below them the service contracts in the user's scope ending within 30 days (到期服务合同)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import Module, Operation
from app.services.contracts import ContractView, contracts_expiring
from app.services.visits import FollowUpItem, VisitView, mark_follow_up_done, todo_follow_ups
from app.ui.context import AppContext
from app.ui.contracts.contract_dialog import open_contract as open_contract_dialog
from app.ui.errors import describe_error
from app.ui.formatting import format_date
from app.ui.visits.common import kind_label

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
OVERDUE_COLOUR = "#b00020"
EXPIRING_WITHIN_DAYS = 30


class TodoPage(QWidget):
    """The to-do list of the logged-in user: visits whose follow-up falls due.

    Keys: Enter opens the customer, Space or Ctrl+D marks the follow-up done. Users who
    may view contracts also see the contracts expiring within 30 days; Enter opens one.

    Signals:
        customer_activated(int): "Open customer".
    """

    customer_activated = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None,
                 *, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("todo_page")
        self._ctx = ctx
        self._today = today
        self.items: tuple[FollowUpItem, ...] = ()
        self.contracts: tuple[ContractView, ...] = ()
        self.contracts_loaded = False
        self.contract_dialog: QWidget | None = None
        self.shows_contracts = ctx.can(Module.CONTRACTS, Operation.VIEW)
        title = QLabel(self.tr("To-do today"), self)
        title.setObjectName("todo_title")
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        title.setFont(font)
        self.date_label = QLabel(self)
        self.date_label.setObjectName("todo_date")
        self.table = QTableWidget(0, 5, self)
        self.table.setObjectName("todo_table")
        self.table.setHorizontalHeaderLabels([
            self.tr("Follow-up on"), self.tr("Customer"), self.tr("Kind"),
            self.tr("Purpose"), self.tr("Next step")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.activated.connect(lambda _index: self.open_customer())
        self.table.installEventFilter(self)
        self.done_button = QPushButton(self.tr("Done"), self)
        self.done_button.setObjectName("todo_done")
        self.done_button.setToolTip(self.tr("Mark the follow-up done (Space)"))
        self.done_button.clicked.connect(self.mark_done)
        self.open_button = QPushButton(self.tr("Open customer"), self)
        self.open_button.setObjectName("todo_open_customer")
        self.open_button.clicked.connect(self.open_customer)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("todo_status")
        self.status_label.setWordWrap(True)

        self.contracts_title = QLabel(self.tr("Contracts expiring within 30 days"), self)
        self.contracts_title.setObjectName("todo_contracts_title")
        bold = self.contracts_title.font()
        bold.setBold(True)
        self.contracts_title.setFont(bold)
        self.contracts_table = QTableWidget(0, 4, self)
        self.contracts_table.setObjectName("todo_contracts_table")
        self.contracts_table.setHorizontalHeaderLabels([
            self.tr("Contract"), self.tr("Customer"), self.tr("Ends on"), self.tr("Days left")])
        self.contracts_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.contracts_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.contracts_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.contracts_table.verticalHeader().setVisible(False)
        self.contracts_table.setWordWrap(False)
        self.contracts_table.activated.connect(lambda _index: self.open_contract())
        self.contracts_status = QLabel(self)
        self.contracts_status.setObjectName("todo_contracts_status")
        self.contracts_status.setWordWrap(True)
        for widget in (self.contracts_title, self.contracts_table, self.contracts_status):
            widget.setVisible(self.shows_contracts)

        header = QHBoxLayout()
        header.addWidget(title)
        header.addWidget(self.date_label, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.done_button)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.contracts_title)
        layout.addWidget(self.contracts_table, 1)
        layout.addWidget(self.contracts_status)
        self.setFocusProxy(self.table)
        self._update_buttons()
        self.refresh()

    @property
    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def refresh(self) -> None:
        actor, today = self._ctx.actor, self.today
        self.date_label.setText(format_date(today))
        self._set_status(self.tr("Loading…"))
        self._ctx.run(lambda uow: todo_follow_ups(uow=uow, actor=actor, on=today),
                      on_done=self._fill, on_error=self._on_failed, owner=self)
        if self.shows_contracts:
            self.contracts_status.setText(self.tr("Loading…"))
            self._ctx.run(
                lambda uow: contracts_expiring(uow=uow, actor=actor,
                                               within_days=EXPIRING_WITHIN_DAYS, on=today),
                on_done=self._fill_contracts, on_error=self._on_contracts_failed, owner=self)

    def on_connection_restored(self) -> None:
        self.refresh()

    def current_item(self) -> FollowUpItem | None:
        row = self.table.currentRow()
        return self.items[row] if 0 <= row < len(self.items) else None

    def mark_done(self) -> None:
        item = self.current_item()
        if item is None:
            return
        actor = self._ctx.actor
        self.done_button.setEnabled(False)
        self._ctx.run(
            lambda uow: mark_follow_up_done(uow=uow, actor=actor, visit_id=item.visit_id),
            on_done=self._on_done, on_error=self._on_failed, owner=self)

    def open_customer(self) -> None:
        item = self.current_item()
        if item is not None:
            self.customer_activated.emit(item.customer_id)

    def current_contract(self) -> ContractView | None:
        row = self.contracts_table.currentRow()
        return self.contracts[row] if 0 <= row < len(self.contracts) else None

    def open_contract(self) -> None:
        contract = self.current_contract()
        if contract is None:
            return
        dialog = open_contract_dialog(self._ctx, contract.id, parent=self)
        self.contract_dialog = dialog
        dialog.show()

    # --- results --------------------------------------------------------------------------

    def _fill(self, items: tuple[FollowUpItem, ...]) -> None:
        row_before = max(self.table.currentRow(), 0)
        self.items = tuple(items)
        table = self.table
        table.setRowCount(len(self.items))
        overdue_brush = QBrush(QColor(OVERDUE_COLOUR))
        for row, item in enumerate(self.items):
            due = format_date(item.follow_up_on)
            if item.overdue:
                due = self.tr("{date} (overdue)").format(date=due)
            customer = item.customer_name + (f" — {item.contact_name}"
                                             if item.contact_name else "")
            cells = [due, customer, kind_label(item.kind), item.purpose, item.next_step or ""]
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setData(ITEM_ROLE, item.visit_id)
                if item.overdue:
                    cell.setForeground(overdue_brush)
                table.setItem(row, column, cell)
        table.resizeColumnsToContents()
        table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        if self.items:
            table.setCurrentCell(min(row_before, len(self.items) - 1), 0)
        overdue = sum(1 for i in self.items if i.overdue)
        if not self.items:
            self._set_status(self.tr("Nothing to follow up today."))
        elif overdue:
            self._set_status(self.tr("{count} follow-ups, {overdue} of them overdue.").format(
                count=len(self.items), overdue=overdue))
        else:
            self._set_status(self.tr("{count} follow-ups today.").format(count=len(self.items)))
        self._update_buttons()

    def _fill_contracts(self, contracts: tuple[ContractView, ...]) -> None:
        self.contracts = tuple(contracts)
        table, today = self.contracts_table, self.today
        table.setRowCount(len(self.contracts))
        for row, c in enumerate(self.contracts):
            days = (c.ends_on - today).days
            cells = [c.number, c.customer_name, format_date(c.ends_on),
                     self.tr("{days} days").format(days=days)]
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setData(ITEM_ROLE, c.id)
                table.setItem(row, column, cell)
        table.resizeColumnsToContents()
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        if self.contracts:
            table.setCurrentCell(0, 0)
            self.contracts_status.setText(
                self.tr("{count} contracts end within 30 days.").format(
                    count=len(self.contracts)))
        else:
            self.contracts_status.setText(self.tr("No contract ends within 30 days."))
        self.contracts_status.setStyleSheet("")
        self.contracts_loaded = True

    def _on_contracts_failed(self, error: BaseException) -> None:
        self.contracts_status.setText(describe_error(error).text)
        self.contracts_status.setStyleSheet(f"color: {OVERDUE_COLOUR};")
        self.contracts_loaded = True

    def _on_done(self, _visit: VisitView) -> None:
        self.refresh()

    def _on_failed(self, error: BaseException) -> None:
        self._set_status(describe_error(error).text, error=True)
        self._update_buttons()

    def _update_buttons(self) -> None:
        has = bool(self.items)
        self.done_button.setEnabled(has)
        self.open_button.setEnabled(has)

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet(f"color: {OVERDUE_COLOUR};" if error else "")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (watched is self.table and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Space):
            self.mark_done()
            return True
        return super().eventFilter(watched, event)

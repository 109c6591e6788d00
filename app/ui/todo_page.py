"""今日待办: the user's follow-ups due today, overdue ones first, to tick off one by one."""

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

from app.services.visits import FollowUpItem, VisitView, mark_follow_up_done, todo_follow_ups
from app.ui.context import AppContext
from app.ui.errors import describe_error
from app.ui.formatting import format_date
from app.ui.visits.common import kind_label

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
OVERDUE_COLOUR = "#b00020"


class TodoPage(QWidget):
    """The to-do list of the logged-in user: visits whose follow-up falls due.

    Keys: Enter opens the customer, Space or Ctrl+D marks the follow-up done.

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

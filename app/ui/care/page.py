"""The customer care (客户关怀) module page: items to call, greet and remind, and their outcome.

Management (who may generate) sees every item and the care rules; the page runs the
generation for today when it opens, once a day. Everyone else sees their own items.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import CareKind, CareStatus, Module, Operation
from app.services.care import (
    CareItemView,
    GenerationResult,
    generate_care_items,
    last_generation,
    list_care_items,
)
from app.ui.care.common import OVERDUE_COLOUR, care_kind_label, care_status_label, channel_label
from app.ui.context import AppContext
from app.ui.errors import describe_error
from app.ui.formatting import format_date

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
LIST_LIMIT = 500

# Status filter: (key, statuses passed to the service).
_STATUS_FILTERS: dict[str, tuple[CareStatus, ...] | None] = {
    "open": (CareStatus.OPEN,),
    "done": (CareStatus.DONE,),
    "skipped": (CareStatus.SKIPPED,),
    "all": None,
}


class CarePage(QWidget):
    """Care items in the user's scope, soonest first; overdue ones in red.

    Keys: Enter records the outcome of the chosen item, F5 reloads.

    Signals:
        customer_activated(int): "Open customer".
    """

    customer_activated = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *,
                 today: dt.date | None = None, auto_generate: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("care_page")
        self._ctx = ctx
        self._today = today
        self._generation = 0
        self.items: tuple[CareItemView, ...] = ()
        self.dialog: QWidget | None = None
        self.may_generate = ctx.can(Module.CARE, Operation.CREATE)
        self.may_edit = ctx.can(Module.CARE, Operation.EDIT)
        self.may_edit_rules = ctx.can(Module.CARE, Operation.CONFIRM)

        self.scope_combo = QComboBox(self)
        self.scope_combo.setObjectName("scope_filter")
        self.scope_combo.addItem(self.tr("My care items"), True)
        self.scope_combo.addItem(self.tr("All I may see"), False)
        self.scope_combo.setCurrentIndex(1 if self.may_generate else 0)
        self.status_combo = QComboBox(self)
        self.status_combo.setObjectName("status_filter")
        for key, text in (("open", self.tr("Open")), ("done", self.tr("Done")),
                          ("skipped", self.tr("Skipped")), ("all", self.tr("All statuses"))):
            self.status_combo.addItem(text, key)
        self.kind_combo = QComboBox(self)
        self.kind_combo.setObjectName("kind_filter")
        self.kind_combo.addItem(self.tr("All kinds"), None)
        for kind in CareKind:
            self.kind_combo.addItem(care_kind_label(kind), kind.value)
        for combo in (self.scope_combo, self.status_combo, self.kind_combo):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.generate_button = QPushButton(self.tr("Generate now"), self)
        self.generate_button.setObjectName("generate_button")
        self.generate_button.setToolTip(self.tr(
            "Create the care items the rules call for (follow-up calls, contract expiry, "
            "consumables reorder, birthdays, holidays); nothing is created twice"))
        self.generate_button.clicked.connect(self.generate)
        self.generate_button.setVisible(self.may_generate)
        self.rules_button = QPushButton(self.tr("Care rules…"), self)
        self.rules_button.setObjectName("rules_button")
        self.rules_button.clicked.connect(self.open_rules)
        self.rules_button.setVisible(self.may_edit_rules)

        self.table = QTableWidget(0, 7, self)
        self.table.setObjectName("care_table")
        self.table.setHorizontalHeaderLabels([
            self.tr("Due on"), self.tr("Customer"), self.tr("Kind"), self.tr("Reason"),
            self.tr("Owner"), self.tr("Status"), self.tr("Outcome")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.doubleClicked.connect(lambda _index: self.record_outcome())
        self.table.installEventFilter(self)
        self.table.itemSelectionChanged.connect(self._update_buttons)

        self.message_label = QLabel(self)
        self.message_label.setObjectName("care_message")
        self.message_label.setWordWrap(True)
        self.generation_label = QLabel(self)
        self.generation_label.setObjectName("generation_label")
        self.generation_label.setWordWrap(True)
        self.generation_label.setStyleSheet("color: #616161;")
        self.outcome_button = QPushButton(self.tr("Record outcome…"), self)
        self.outcome_button.setObjectName("record_outcome_button")
        self.outcome_button.setToolTip(self.tr("Enter"))
        self.outcome_button.clicked.connect(self.record_outcome)
        self.outcome_button.setVisible(self.may_edit)
        self.open_button = QPushButton(self.tr("Open customer"), self)
        self.open_button.setObjectName("open_customer_button")
        self.open_button.clicked.connect(self.open_customer)

        bar = QHBoxLayout()
        bar.addWidget(self.scope_combo)
        bar.addWidget(QLabel(self.tr("Status:"), self))
        bar.addWidget(self.status_combo)
        bar.addWidget(QLabel(self.tr("Kind:"), self))
        bar.addWidget(self.kind_combo)
        bar.addStretch(1)
        bar.addWidget(self.generate_button)
        bar.addWidget(self.rules_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message_label, 1)
        bottom.addWidget(self.open_button)
        bottom.addWidget(self.outcome_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        layout.addWidget(self.generation_label)
        self.setFocusProxy(self.table)
        self._update_buttons()
        if auto_generate and self.may_generate:
            self._generate(only_if_not_run_today=True)
        else:
            self.refresh()
            self._load_last_generation()

    @property
    def today(self) -> dt.date:
        return self._today or dt.date.today()

    # --- loading -----------------------------------------------------------------------------

    def refresh(self) -> None:
        self._generation += 1
        generation, actor, today = self._generation, self._ctx.actor, self.today
        mine = bool(self.scope_combo.currentData())
        statuses = _STATUS_FILTERS[str(self.status_combo.currentData())]
        kind_value = self.kind_combo.currentData()
        kind = CareKind(kind_value) if kind_value else None
        self.message_label.setText(self.tr("Loading…"))
        self.message_label.setStyleSheet("")
        self._ctx.run(
            lambda uow: list_care_items(uow=uow, actor=actor, on=today, mine=mine,
                                        statuses=statuses, kind=kind, limit=LIST_LIMIT),
            on_done=lambda rows: self._fill(generation, rows), on_error=self._failed,
            owner=self)

    def on_connection_restored(self) -> None:
        self.refresh()

    def focus_search(self) -> None:
        self.kind_combo.setFocus()

    def _fill(self, generation: int, rows: tuple[CareItemView, ...]) -> None:
        if generation != self._generation:
            return
        previous = self.current_item()
        self.items = tuple(rows)
        table = self.table
        table.setRowCount(len(self.items))
        overdue_brush = QBrush(QColor(OVERDUE_COLOUR))
        select_row = 0
        for row, item in enumerate(self.items):
            due = format_date(item.due_on)
            if item.overdue:
                due = self.tr("{date} (overdue)").format(date=due)
            customer = item.customer_name + (f" — {item.contact_name}"
                                             if item.contact_name else "")
            outcome = item.outcome or ""
            if item.channel and outcome:
                outcome = f"[{channel_label(item.channel)}] {outcome}"
            cells = [due, customer, care_kind_label(item.kind), item.title,
                     item.owner_name or self.tr("(management)"),
                     care_status_label(item.status), outcome]
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setData(ITEM_ROLE, item.id)
                if item.overdue:
                    cell.setForeground(overdue_brush)
                table.setItem(row, column, cell)
            if previous is not None and item.id == previous.id:
                select_row = row
        table.resizeColumnsToContents()
        for column, cap in ((1, 240), (3, 360)):
            table.setColumnWidth(column, min(table.columnWidth(column), cap))
        table.horizontalHeader().setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        if self.items:
            table.setCurrentCell(select_row, 0)
        overdue = sum(1 for i in self.items if i.overdue)
        if not self.items:
            text = self.tr("No care items here.")
        elif overdue:
            text = self.tr("{count} care items, {overdue} of them overdue.").format(
                count=len(self.items), overdue=overdue)
        else:
            text = self.tr("{count} care items.").format(count=len(self.items))
        if len(self.items) >= LIST_LIMIT:
            text += " " + self.tr("Only the first {limit} are shown.").format(limit=LIST_LIMIT)
        self.message_label.setText(text)
        self._update_buttons()

    def _failed(self, error: BaseException) -> None:
        self.message_label.setText(describe_error(error).text)
        self.message_label.setStyleSheet(f"color: {OVERDUE_COLOUR};")
        self._update_buttons()

    def _load_last_generation(self) -> None:
        actor = self._ctx.actor
        self._ctx.run(lambda uow: last_generation(uow=uow, actor=actor),
                      on_done=self._show_last_generation, on_error=lambda _e: None,
                      owner=self)

    def _show_last_generation(self, last: Any) -> None:
        if last.on is None:
            self.generation_label.setText(self.tr("Care items have not been generated yet."))
        else:
            self.generation_label.setText(
                self.tr("Last generated for {date}.").format(date=format_date(last.on)))

    # --- generation --------------------------------------------------------------------------

    def generate(self) -> None:
        """"Generate now": create today's care items (idempotent), then reload."""
        self._generate(only_if_not_run_today=False)

    def _generate(self, *, only_if_not_run_today: bool) -> None:
        actor, today = self._ctx.actor, self.today
        self.generate_button.setEnabled(False)
        self.generation_label.setText(self.tr("Generating care items…"))

        def work(uow: Any) -> GenerationResult | None:
            if only_if_not_run_today:
                last = last_generation(uow=uow, actor=actor)
                if last.on is not None and last.on >= today:
                    return None
            return generate_care_items(uow=uow, actor=actor, on=today)

        self._ctx.run(work, on_done=self._generated, on_error=self._generation_failed,
                      owner=self)

    def _generated(self, result: GenerationResult | None) -> None:
        self.generate_button.setEnabled(True)
        if result is None:
            self._load_last_generation()
        else:
            self.generation_label.setText(
                self.tr("Generated for {date}: {count} new care items.").format(
                    date=format_date(result.on), count=result.total))
        self.refresh()

    def _generation_failed(self, error: BaseException) -> None:
        self.generate_button.setEnabled(True)
        self.generation_label.setText(describe_error(error).text)
        self.generation_label.setStyleSheet(f"color: {OVERDUE_COLOUR};")
        self.refresh()

    # --- actions -----------------------------------------------------------------------------

    def current_item(self) -> CareItemView | None:
        row = self.table.currentRow()
        return self.items[row] if 0 <= row < len(self.items) else None

    def record_outcome(self) -> QWidget | None:
        item = self.current_item()
        if item is None or not self.may_edit:
            return None
        from app.ui.care.outcome_dialog import open_care_item

        dialog = open_care_item(self._ctx, item.id, self, today=self.today)
        dialog.saved.connect(lambda _v: self.refresh())
        self.dialog = dialog
        return dialog

    def open_customer(self) -> None:
        item = self.current_item()
        if item is not None:
            self.customer_activated.emit(item.customer_id)

    def open_rules(self) -> QWidget:
        from app.ui.care.rules_dialog import open_care_rules

        dialog = open_care_rules(self._ctx, self)
        self.dialog = dialog
        return dialog

    def _update_buttons(self) -> None:
        has = self.current_item() is not None
        self.outcome_button.setEnabled(has)
        self.open_button.setEnabled(has)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (watched is self.table and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            self.record_outcome()
            return True
        return super().eventFilter(watched, event)

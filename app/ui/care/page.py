"""The customer care (客户关怀) module page: items to call, greet and remind, and their outcome.

Management (who may generate) sees every item and the care rules; the page runs the
generation for today when it opens, once a day. Everyone else sees their own items.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from app.models.enums import CareKind, CareStatus, Module, Operation
from app.services.care import (
    CareItemView,
    GenerationResult,
    generate_care_items,
    last_generation,
    page_care_items,
)
from app.services.uow import UnitOfWork
from app.ui.care.common import OVERDUE_COLOUR, care_kind_label, care_status_label, channel_label
from app.ui.context import AppContext
from app.ui.errors import describe_error
from app.ui.formatting import format_date, group_digits
from app.ui.kit.list_page import ListPage
from app.ui.kit.rows import CurrentRowKeeper, held_rows, row_of
from app.ui.kit.table import Col, PageRequest

# Status filter: (key, statuses passed to the service).
_STATUS_FILTERS: dict[str, tuple[CareStatus, ...] | None] = {
    "open": (CareStatus.OPEN,),
    "done": (CareStatus.DONE,),
    "skipped": (CareStatus.SKIPPED,),
    "all": None,
}


@dataclass(frozen=True)
class CareQuery:
    """What the filters ask for; ``today`` decides what is overdue."""

    mine: bool
    statuses: tuple[CareStatus, ...] | None
    kind: CareKind | None
    today: dt.date


def _overdue_colour(item: CareItemView, role: int) -> Any:
    if role == Qt.ItemDataRole.ForegroundRole and item.overdue:
        return QBrush(QColor(OVERDUE_COLOUR))
    return None


class CarePage(ListPage):
    """Care items in the user's scope, soonest first (any column sorts them, on the
    server); overdue ones in red. An outcome recorded anywhere (here, on the to-do list)
    and a generation are heard on the change bus and the list reads again.

    Keys: Enter records the outcome of the chosen item, F5 reloads.

    Signals:
        customer_activated(int): "Open customer".
    """

    customer_activated = Signal(int)

    module = Module.CARE
    kind = "care"
    table_name = "care_table"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *,
                 today: dt.date | None = None, auto_generate: bool = True) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("care_page")
        self._today = today
        self.dialog: QWidget | None = None
        self.may_generate = ctx.can(Module.CARE, Operation.CREATE)
        self.may_edit = ctx.can(Module.CARE, Operation.EDIT)
        self.may_edit_rules = ctx.can(Module.CARE, Operation.CONFIRM)
        self.message_label.setObjectName("care_message")

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
        self.add_filter(self.scope_combo)
        self.add_filter(self.status_combo, self.tr("Status:"))
        self.add_filter(self.kind_combo, self.tr("Kind:"))
        self.generate_button = self.add_button(
            self.tr("Generate now"), "generate_button", self.generate,
            visible=self.may_generate, first=False)
        self.generate_button.setToolTip(self.tr(
            "Create the care items the rules call for (follow-up calls, contract expiry, "
            "consumables reorder, birthdays, holidays); nothing is created twice"))
        self.rules_button = self.add_button(self.tr("Care rules…"), "rules_button",
                                            self.open_rules, visible=self.may_edit_rules,
                                            first=False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)

        self._last_generated: dt.date | None = None
        self._shows_last_generation = False
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
        bottom = QHBoxLayout()
        bottom.addWidget(self.generation_label, 1)
        bottom.addWidget(self.open_button)
        bottom.addWidget(self.outcome_button)
        self.add_footer(bottom)
        self.keeper = CurrentRowKeeper(self.table, self.model)
        self.keeper.current_changed.connect(self._update_buttons)
        self.table.selectionModel().currentRowChanged.connect(
            lambda _c, _p: self._update_buttons())
        self.model.load_failed.connect(self._failed_style)
        self.setFocusProxy(self.table)
        self._update_buttons()
        if auto_generate and self.may_generate:
            # The list is read once today's items are there (see _generated).
            self._generate(only_if_not_run_today=True)
        else:
            self.start()
            self._load_last_generation()

    @property
    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def columns(self) -> list[Col[Any]]:
        def due(item: CareItemView) -> str:
            text = format_date(item.due_on)
            return self.tr("{date} (overdue)").format(date=text) if item.overdue else text

        def customer(item: CareItemView) -> str:
            return item.customer_name + (f" — {item.contact_name}" if item.contact_name
                                         else "")

        def outcome(item: CareItemView) -> str:
            text = item.outcome or ""
            return f"[{channel_label(item.channel)}] {text}" if item.channel and text else text

        # The keys are the service's sort keys (CARE_SORT_KEYS).
        return [Col(key, title, value, sort=key, width=width, role=_overdue_colour)
                for key, title, value, width in (
            ("due_on", self.tr("Due on"), due, 150),
            ("customer", self.tr("Customer"), customer, 240),
            ("kind", self.tr("Kind"), lambda i: care_kind_label(i.kind), 110),
            ("reason", self.tr("Reason"), lambda i: i.title, 300),
            ("owner", self.tr("Owner"), lambda i: i.owner_name or self.tr("(management)"),
             110),
            ("status", self.tr("Status"), lambda i: care_status_label(i.status), 80),
            ("outcome", self.tr("Outcome"), outcome, None),
        )]

    # --- loading -----------------------------------------------------------------------------

    def current_query(self) -> CareQuery:
        kind_value = self.kind_combo.currentData()
        return CareQuery(mine=bool(self.scope_combo.currentData()),
                         statuses=_STATUS_FILTERS[str(self.status_combo.currentData())],
                         kind=CareKind(kind_value) if kind_value else None, today=self.today)

    def fetch(self, uow: UnitOfWork, query: CareQuery, request: PageRequest) -> Any:
        return page_care_items(uow=uow, actor=self._ctx.actor, on=query.today,
                               mine=query.mine, statuses=query.statuses, kind=query.kind,
                               after=request.after, limit=request.limit, sort=request.sort,
                               with_total=request.with_total)

    @property
    def items(self) -> tuple[CareItemView, ...]:
        """The care items listed, in the order shown."""
        return held_rows(self.model)

    def focus_search(self) -> None:
        self.kind_combo.setFocus()

    def show_count(self) -> None:
        """How many care items, and how many of those shown are overdue."""
        self.message_label.setStyleSheet("")
        shown, total = self.model.rowCount(), self.model.total
        overdue = sum(1 for i in self.items if i.overdue)
        partial = total is not None and total > shown
        if not shown:
            text = self.tr("No care items here.")
        elif partial and overdue:
            text = self.tr("{shown} of {total} care items shown, {overdue} of them "
                           "overdue.").format(shown=shown, total=group_digits(total or 0),
                                              overdue=overdue)
        elif partial:
            text = self.tr("{shown} of {total} care items shown.").format(
                shown=shown, total=group_digits(total or 0))
        elif overdue:
            text = self.tr("{count} care items, {overdue} of them overdue.").format(
                count=shown, overdue=overdue)
        else:
            text = self.tr("{count} care items.").format(count=shown)
        self.message_label.setText(text)
        self._update_generation_label()

    def _failed_style(self, _error: BaseException) -> None:
        self.message_label.setStyleSheet(f"color: {OVERDUE_COLOUR};")
        self._update_buttons()

    def _load_last_generation(self) -> None:
        actor = self._ctx.actor
        self._ctx.run(lambda uow: last_generation(uow=uow, actor=actor),
                      on_done=self._show_last_generation, on_error=lambda _e: None,
                      owner=self)

    def _show_last_generation(self, last: Any) -> None:
        self._last_generated = last.on
        self._shows_last_generation = True
        self._update_generation_label()

    def _update_generation_label(self) -> None:
        """When the rules last ran; "not generated yet" only while no care item is listed
        (items also come from elsewhere — the demo, a customer's follow-up — and a note
        saying there are none above a full list reads as a fault)."""
        if not self._shows_last_generation:
            return  # the label tells of a generation under way or just finished
        if self._last_generated is not None:
            self.generation_label.setText(self.tr("Last generated for {date}.").format(
                date=format_date(self._last_generated)))
        elif self.model.rowCount() == 0:
            self.generation_label.setText(self.tr("Care items have not been generated yet."))
        else:
            self.generation_label.clear()

    # --- generation --------------------------------------------------------------------------

    def generate(self) -> None:
        """"Generate now": create today's care items (idempotent), then reload."""
        self._generate(only_if_not_run_today=False)

    def _generate(self, *, only_if_not_run_today: bool) -> None:
        actor, today = self._ctx.actor, self.today
        self.generate_button.setEnabled(False)
        self._shows_last_generation = False
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
            self.refresh()
            return
        self.generation_label.setText(
            self.tr("Generated for {date}: {count} new care items.").format(
                date=format_date(result.on), count=result.total))
        # This list and the owners' to-do lists read again.
        self._ctx.changes.publish("care", None)

    def _generation_failed(self, error: BaseException) -> None:
        self.generate_button.setEnabled(True)
        self.generation_label.setText(describe_error(error).text)
        self.generation_label.setStyleSheet(f"color: {OVERDUE_COLOUR};")
        self.refresh()

    # --- actions -----------------------------------------------------------------------------

    def current_item(self) -> CareItemView | None:
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def select_item(self, item_id: int) -> bool:
        row = row_of(self.model, item_id)
        if row >= 0:
            self.table.selectRow(row)
        return row >= 0

    def open_record(self, record_id: int) -> object:
        """Enter or a double click: the outcome of that item."""
        return self.record_outcome() if self.select_item(record_id) else None

    def record_outcome(self) -> QWidget | None:
        item = self.current_item()
        if item is None or not self.may_edit:
            return None
        from app.ui.care.outcome_dialog import open_care_item

        dialog = open_care_item(self._ctx, item.id, self, today=self.today)
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

"""The sales plans (销售计划) page: plan against actual per month or quarter, edited in place.

The grid is an editor, not a record list: its rows are the periods of one year in calendar
order with the year's total under them, so it does not sort by its columns (an order by
amount would scatter the months and lift the total row among them) and stays a plain
editable table rather than a kit list. It follows the change bus all the same: a plan set
here or at another window, and an order saved anywhere (the actual sales), read it again.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import labels
from app.models.enums import Module, Operation, PlanPeriod
from app.services.errors import ValidationError
from app.services.plans import PlanVsActual, SalesPlanDraft, plan_vs_actual, set_sales_plan
from app.services.users import UserChoice, list_active_users
from app.ui.context import AppContext
from app.ui.customers.owners import REASSIGNING_ROLES, owner_texts
from app.ui.errors import describe_error
from app.ui.formatting import format_yuan
from app.ui.kit.fields import ERROR_COLOUR, parse_decimal

# Whose plans management picks from.
PLANNED_ROLES = ("sales",)
# Writes that change the figures: a plan, or an order (the actual sales).
FOLLOWED_KINDS = ("sales_plan", "order")
PERIOD_COL, PLANNED_COL, ACTUAL_COL, ACHIEVED_COL, ORDERS_COL, MARGIN_COL = range(6)
ERROR_BACKGROUND = QColor("#fff5f5")
EDITABLE_BACKGROUND = QColor("#fffde7")


def _right(item: QTableWidgetItem) -> QTableWidgetItem:
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class SalesPlanPage(QWidget):
    """One owner's (or everyone's) plan and actual sales for a year."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sales_plan_page")
        self._ctx = ctx
        self._filling = False
        self._stale = False  # a change was heard while a cell was being edited
        self.figures: PlanVsActual | None = None
        self.management = ctx.actor.role_code in REASSIGNING_ROLES

        self.year_spin = QSpinBox(self)
        self.year_spin.setObjectName("year_spin")
        self.year_spin.setRange(2000, 2100)
        self.year_spin.setValue(dt.date.today().year)
        self.period_combo = QComboBox(self)
        self.period_combo.setObjectName("period_kind")
        for period, text in labels.choices(PlanPeriod):
            self.period_combo.addItem(text, period)
        self.owner_combo = QComboBox(self)
        self.owner_combo.setObjectName("owner_picker")
        self.owner_combo.setMinimumContentsLength(10)
        if self.management:
            self.owner_combo.addItem(self.tr("Everyone"), None)
        else:
            self.owner_combo.addItem(ctx.actor.display_name, ctx.actor.user_id)
            self.owner_combo.setEnabled(False)
        self.message_label = QLabel(self)
        self.message_label.setObjectName("plan_message")
        self.message_label.setWordWrap(True)

        self.table = QTableWidget(0, 6, self)
        self.table.setObjectName("plan_table")
        self.table.setHorizontalHeaderLabels([
            self.tr("Period"), self.tr("Planned"), self.tr("Actual"), self.tr("Achieved"),
            self.tr("Orders"), self.tr("Gross margin")])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.table.itemChanged.connect(self._item_changed)
        # A change heard while a planned amount is typed waits for the editor to close.
        self.table.itemDelegate().closeEditor.connect(lambda *_a: self._refresh_if_stale())

        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("Year:"), self))
        bar.addWidget(self.year_spin)
        bar.addWidget(self.period_combo)
        bar.addWidget(QLabel(self.tr("Salesperson:"), self))
        bar.addWidget(self.owner_combo)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message_label)

        self.year_spin.valueChanged.connect(lambda _v: self.refresh())
        self.period_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.owner_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        if self.management:
            actor = ctx.actor
            ctx.run(lambda uow: list_active_users(uow=uow, actor=actor,
                                                  role_codes=PLANNED_ROLES),
                    on_done=self._owners_loaded, on_error=self._failed, owner=self)
        ctx.changes.follow(self, FOLLOWED_KINDS, lambda _kind, _id: self._changed())
        self.refresh()

    def _owners_loaded(self, users: tuple[UserChoice, ...]) -> None:
        for user_id, text in owner_texts(users):
            self.owner_combo.addItem(text, user_id)

    @property
    def owner_id(self) -> int | None:
        return self.owner_combo.currentData()

    @property
    def editable(self) -> bool:
        """Plans are set per person: not on the everyone view."""
        return self.owner_id is not None and (
            self._ctx.can(Module.SALES_PLANS, Operation.EDIT)
            or self._ctx.can(Module.SALES_PLANS, Operation.CREATE))

    # --- loading ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the figures again (the worker answers in order: the last read shows)."""
        self._stale = False
        actor = self._ctx.actor
        owner_id, year = self.owner_id, self.year_spin.value()
        kind = self.period_combo.currentData()
        self.message_label.setText(self.tr("Loading…"))
        self.message_label.setStyleSheet("")
        self._ctx.run(lambda uow: plan_vs_actual(uow=uow, actor=actor, owner_id=owner_id,
                                                 year=year, period_kind=kind),
                      on_done=self._loaded, on_error=self._failed, owner=self)

    def _changed(self) -> None:
        """A plan or an order was written: read again, unless a cell is being typed in."""
        if self.table.state() == QAbstractItemView.State.EditingState:
            self._stale = True
        else:
            self.refresh()

    def _refresh_if_stale(self) -> None:
        if self._stale:
            self.refresh()

    def on_connection_restored(self) -> None:
        self.refresh()

    def focus_search(self) -> None:
        self.owner_combo.setFocus()

    def _loaded(self, figures: PlanVsActual) -> None:
        self.figures = figures
        self._filling = True
        try:
            table = self.table
            table.setRowCount(len(figures.periods) + 1)
            quarter = figures.period_kind is PlanPeriod.QUARTER
            for row, f in enumerate(figures.periods):
                name = (self.tr("Q{n}").format(n=f.period) if quarter
                        else f"{figures.year}-{f.period:02d}")
                self._set_row(row, name, f.planned_amount, f.actual_amount,
                              f.achieved_percent, f.order_count, f.actual_margin,
                              editable=self.editable)
            total_percent = (
                (figures.total_actual * 100 / figures.total_planned).quantize(Decimal("0.1"))
                if figures.total_planned else None)
            self._set_row(len(figures.periods), self.tr("Total"), figures.total_planned,
                          figures.total_actual, total_percent,
                          sum(f.order_count for f in figures.periods),
                          figures.total_actual_margin, editable=False, bold=True)
            table.setColumnHidden(MARGIN_COL, not figures.margin_visible)
        finally:
            self._filling = False
        self.message_label.setText(
            self.tr("Double-click a planned amount to change it.") if self.editable else "")

    def _set_row(self, row: int, name: str, planned: Decimal, actual: Decimal,
                 percent: Decimal | None, orders: int, margin: Decimal | None, *,
                 editable: bool, bold: bool = False) -> None:
        texts = (name, format_yuan(planned), format_yuan(actual),
                 "" if percent is None else f"{percent}%", str(orders), format_yuan(margin))
        for col, text in enumerate(texts):
            item = QTableWidgetItem(text) if col == PERIOD_COL else _right(QTableWidgetItem(text))
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if col == PLANNED_COL and editable:
                flags |= Qt.ItemFlag.ItemIsEditable
                item.setBackground(QBrush(EDITABLE_BACKGROUND))
            item.setFlags(flags)
            if bold:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.table.setItem(row, col, item)

    def _failed(self, error: BaseException) -> None:
        self.message_label.setText(describe_error(error).text)
        self.message_label.setStyleSheet(f"color: {ERROR_COLOUR};")

    # --- editing ---------------------------------------------------------------------------

    def set_planned(self, row: int, text: str) -> None:
        """What typing ``text`` in the planned cell of ``row`` does."""
        item = self.table.item(row, PLANNED_COL)
        assert item is not None
        item.setText(text)

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != PLANNED_COL or self.figures is None:
            return
        row = item.row()
        if row >= len(self.figures.periods) or self.owner_id is None:
            return
        figures, text = self.figures, item.text()
        parsed = parse_decimal(text)
        draft = SalesPlanDraft(
            year=figures.year, period=figures.periods[row].period,
            planned_amount=parsed if parsed is not None else text,
            period_kind=figures.period_kind, owner_id=self.owner_id,
            planned_margin=figures.periods[row].planned_margin)
        actor = self._ctx.actor
        self.message_label.setText(self.tr("Saving…"))
        self.message_label.setStyleSheet("")
        # Saved, the plan is announced: this grid and any other open on it read again.
        self._ctx.run(lambda uow: set_sales_plan(uow=uow, actor=actor, draft=draft),
                      on_done=lambda view: self._ctx.changes.publish("sales_plan", view.id),
                      on_error=lambda e: self._save_failed(row, e), owner=self)

    def _save_failed(self, row: int, error: BaseException) -> None:
        if isinstance(error, ValidationError):
            text = "; ".join(error.errors.values()) or describe_error(error).text
        else:
            text = describe_error(error).text
        item = self.table.item(row, PLANNED_COL)
        if item is not None:
            self._filling = True
            item.setBackground(QBrush(ERROR_BACKGROUND))
            item.setForeground(QBrush(QColor(ERROR_COLOUR)))
            item.setToolTip(text)
            self._filling = False
        self.message_label.setText(self.tr("Plan not saved: {message}").format(message=text))
        self.message_label.setStyleSheet(f"color: {ERROR_COLOUR};")

    def cell_error(self, row: int) -> str:
        item = self.table.item(row, PLANNED_COL)
        return item.toolTip() if item is not None else ""

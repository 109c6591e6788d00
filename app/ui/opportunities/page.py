"""The opportunities (商机) module page: list, board per stage and the sales forecast."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import Module, Operation, OpportunityStage
from app.services.opportunities import (
    OPPORTUNITY_LIFECYCLE,
    ForecastMonth,
    OpportunityBoard,
    OpportunityFilters,
    list_opportunities,
    opportunity_board,
    sales_forecast,
)
from app.ui import labels
from app.ui.context import AppContext
from app.ui.customers.owners import load_owner_choices, may_reassign, owner_texts
from app.ui.errors import describe_error
from app.ui.formatting import format_date, format_yuan
from app.ui.opportunities.common import stage_label
from app.ui.sales.list_pages import PAGE_SIZE, SalesRowsModel

OPEN_STAGES = tuple(s for s in OpportunityStage if OPPORTUNITY_LIFECYCLE.targets(s))
FORECAST_MONTHS = 6
BOARD_LIMIT = 500
ID_ROLE = Qt.ItemDataRole.UserRole + 1
OPEN_ONLY = "open"


class BoardColumn(QFrame):
    """One open stage: its totals and a card per opportunity."""

    def __init__(self, stage: OpportunityStage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stage = stage
        self.setObjectName(f"board_column_{stage.value}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        title = QLabel(stage_label(stage), self)
        title.setObjectName("board_title")
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        self.totals_label = QLabel(self)
        self.totals_label.setObjectName(f"board_totals_{stage.value}")
        self.totals_label.setWordWrap(True)
        self.cards = QListWidget(self)
        self.cards.setObjectName(f"board_cards_{stage.value}")
        self.cards.setWordWrap(True)
        self.cards.setAlternatingRowColors(True)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.totals_label)
        layout.addWidget(self.cards, 1)

    def set_totals(self, count: int, amount: Decimal, weighted: Decimal) -> None:
        self.totals_label.setText(self.tr("{count} · {amount}\nweighted {weighted}").format(
            count=count, amount=format_yuan(amount), weighted=format_yuan(weighted)))

    def set_cards(self, rows: list[Any]) -> None:
        self.cards.clear()
        for r in rows:
            item = QListWidgetItem(f"{r.title}\n{r.customer_name}\n"
                                   f"{format_yuan(r.expected_amount)} · {r.probability}%")
            item.setData(ID_ROLE, r.id)
            self.cards.addItem(item)


class OpportunityListPage(QWidget):
    """Opportunities in the user's data scope: a list, a board per stage, the forecast."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("opportunity_list_page")
        self._ctx = ctx
        self._generation = 0
        self.board: OpportunityBoard | None = None
        self.forecast: tuple[ForecastMonth, ...] = ()

        self.new_button = QPushButton(self.tr("New opportunity"), self)
        self.new_button.setObjectName("new_opportunity_button")
        self.new_button.clicked.connect(self.new_opportunity)
        self.new_button.setVisible(ctx.can(Module.OPPORTUNITIES, Operation.CREATE))
        self.stage_combo = QComboBox(self)
        self.stage_combo.setObjectName("stage_filter")
        self.stage_combo.addItem(self.tr("All stages"), None)
        self.stage_combo.addItem(self.tr("Open"), OPEN_ONLY)
        for stage in OpportunityStage:
            self.stage_combo.addItem(stage_label(stage), stage)
        self.owner_combo = QComboBox(self)
        self.owner_combo.setObjectName("owner_filter")
        self.owner_combo.addItem(self.tr("All owners"), None)
        self.owner_combo.addItem(self.tr("Mine"), ctx.actor.user_id)
        self.routing_check = QCheckBox(self.tr("Waiting for routing"), self)
        self.routing_check.setObjectName("routing_filter")
        self.message_label = QLabel(self)
        self.message_label.setObjectName("list_message")
        for combo in (self.stage_combo, self.owner_combo):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.routing_check.toggled.connect(lambda _c: self.refresh())

        # The list.
        self.model = SalesRowsModel(self.columns(), self._load_more, self)
        self.table = QTableView(self)
        self.table.setObjectName("opportunity_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 150)
        self.table.setColumnWidth(1, 200)
        self.table.setColumnWidth(2, 200)
        self.table.activated.connect(lambda index: self.open_row(index.row()))

        # The board.
        self.board_widget = QWidget(self)
        self.board_widget.setObjectName("opportunity_board")
        self.columns_by_stage: dict[OpportunityStage, BoardColumn] = {}
        board_row = QHBoxLayout()
        for stage in OPEN_STAGES:
            column = BoardColumn(stage, self.board_widget)
            column.cards.itemActivated.connect(
                lambda item: self.open_record(int(item.data(ID_ROLE))))
            self.columns_by_stage[stage] = column
            board_row.addWidget(column, 1)
        self.board_total_label = QLabel(self.board_widget)
        self.board_total_label.setObjectName("board_total")
        board_layout = QVBoxLayout(self.board_widget)
        board_layout.addLayout(board_row, 1)
        board_layout.addWidget(self.board_total_label)

        # The forecast.
        self.forecast_table = QTableWidget(0, 4, self)
        self.forecast_table.setObjectName("forecast_table")
        self.forecast_table.setHorizontalHeaderLabels([
            self.tr("Month"), self.tr("Opportunities"), self.tr("Expected amount"),
            self.tr("Weighted amount")])
        self.forecast_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.forecast_table.verticalHeader().hide()
        self.forecast_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Stretch)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("opportunity_tabs")
        self.tabs.addTab(self.table, self.tr("List"))
        self.tabs.addTab(self.board_widget, self.tr("Board"))
        self.tabs.addTab(self.forecast_table, self.tr("Sales forecast"))

        bar = QHBoxLayout()
        bar.addWidget(self.new_button)
        bar.addWidget(QLabel(self.tr("Stage:"), self))
        bar.addWidget(self.stage_combo)
        bar.addWidget(QLabel(self.tr("Owner:"), self))
        bar.addWidget(self.owner_combo)
        bar.addWidget(self.routing_check)
        bar.addWidget(self.message_label, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.tabs, 1)
        if may_reassign(ctx):
            load_owner_choices(ctx, on_done=self._owners_loaded, on_error=lambda _e: None,
                               owner=self)
        self.refresh()

    def columns(self) -> list[tuple[str, Callable[[Any], str]]]:
        return [
            (self.tr("Number"), lambda r: r.number),
            (self.tr("Customer"), lambda r: r.customer_name),
            (self.tr("Title"), lambda r: r.title),
            (self.tr("Source"), lambda r: labels.customer_source_label(r.source)),
            (self.tr("Stage"), lambda r: stage_label(r.stage)),
            (self.tr("Expected amount"), lambda r: format_yuan(r.expected_amount)),
            (self.tr("Probability"), lambda r: f"{r.probability}%"),
            (self.tr("Expected close"), lambda r: format_date(r.expected_close_on)),
            (self.tr("Owner"), lambda r: r.owner_name or self.tr("Waiting for routing")),
        ]

    def _owners_loaded(self, users: Any) -> None:
        for user_id, text in owner_texts(users):
            if user_id != self._ctx.actor.user_id:
                self.owner_combo.addItem(text, user_id)

    # --- loading ---------------------------------------------------------------------------

    def filters(self) -> OpportunityFilters:
        stage = self.stage_combo.currentData()  # Qt may hand the enum back as its str
        return OpportunityFilters(
            stage=OpportunityStage(stage) if stage and stage != OPEN_ONLY else None,
            open_only=stage == OPEN_ONLY,
            owner_id=self.owner_combo.currentData(),
            routing_queue=self.routing_check.isChecked())

    def refresh(self) -> None:
        self._generation += 1
        generation, filters, actor = self._generation, self.filters(), self._ctx.actor
        owner_id = filters.owner_id
        self.message_label.setText(self.tr("Loading…"))
        self._ctx.run(lambda uow: list_opportunities(uow=uow, actor=actor, filters=filters,
                                                     limit=PAGE_SIZE),
                      on_done=lambda page: self._loaded(generation, page, reset=True),
                      on_error=self._failed, owner=self)
        board_filters = OpportunityFilters(open_only=True, owner_id=owner_id)

        def board(uow: Any) -> tuple[OpportunityBoard, Any]:
            totals = opportunity_board(uow=uow, actor=actor, owner_id=owner_id)
            cards = list_opportunities(uow=uow, actor=actor, filters=board_filters,
                                       limit=BOARD_LIMIT)
            return totals, cards

        self._ctx.run(board, on_done=lambda r: self._board_loaded(generation, *r),
                      on_error=self._failed, owner=self)
        first = dt.date.today().replace(day=1)
        self._ctx.run(lambda uow: sales_forecast(uow=uow, actor=actor, from_month=first,
                                                 months=FORECAST_MONTHS, owner_id=owner_id),
                      on_done=lambda rows: self._forecast_loaded(generation, rows),
                      on_error=self._failed, owner=self)

    def on_connection_restored(self) -> None:
        self.refresh()

    def focus_search(self) -> None:
        self.stage_combo.setFocus()

    def _load_more(self, after: Any) -> None:
        generation, filters, actor = self._generation, self.filters(), self._ctx.actor
        self._ctx.run(lambda uow: list_opportunities(uow=uow, actor=actor, filters=filters,
                                                     after=after, limit=PAGE_SIZE),
                      on_done=lambda page: self._loaded(generation, page, reset=False),
                      on_error=self._failed, owner=self)

    def _loaded(self, generation: int, page: Any, *, reset: bool) -> None:
        if generation != self._generation:
            return
        if reset:
            self.model.reset_rows(page.rows, page.next_after)
        else:
            self.model.append_rows(page.rows, page.next_after)
        count = self.model.rowCount()
        self.message_label.setText(self.tr("{count} shown").format(count=count) if count
                                   else self.tr("Nothing found."))

    def _board_loaded(self, generation: int, board: OpportunityBoard, cards: Any) -> None:
        if generation != self._generation:
            return
        self.board = board
        for summary in board.stages:
            column = self.columns_by_stage.get(summary.stage)
            if column is not None:
                column.set_totals(summary.count, summary.amount, summary.weighted_amount)
                column.set_cards([r for r in cards.rows if r.stage is summary.stage])
        self.board_total_label.setText(
            self.tr("Open: {count} opportunities, {amount}, weighted {weighted}").format(
                count=board.open_count, amount=format_yuan(board.open_amount),
                weighted=format_yuan(board.open_weighted_amount)))

    def _forecast_loaded(self, generation: int, rows: tuple[ForecastMonth, ...]) -> None:
        if generation != self._generation:
            return
        self.forecast = rows
        table = self.forecast_table
        table.setRowCount(len(rows) + 1)
        for i, m in enumerate(rows):
            self._set_forecast_row(i, m.month.strftime("%Y-%m"), m.count, m.amount,
                                   m.weighted_amount)
        self._set_forecast_row(
            len(rows), self.tr("Total"), sum(m.count for m in rows),
            sum((m.amount for m in rows), Decimal("0.00")),
            sum((m.weighted_amount for m in rows), Decimal("0.00")), bold=True)

    def _set_forecast_row(self, row: int, month: str, count: int, amount: Decimal,
                          weighted: Decimal, *, bold: bool = False) -> None:
        for col, text in enumerate((month, str(count), format_yuan(amount),
                                    format_yuan(weighted))):
            item = QTableWidgetItem(text)
            if col:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                      | Qt.AlignmentFlag.AlignVCenter)
            if bold:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.forecast_table.setItem(row, col, item)

    def _failed(self, error: BaseException) -> None:
        self.message_label.setText(describe_error(error).text)

    # --- actions ---------------------------------------------------------------------------

    def open_row(self, row: int) -> object:
        record_id = self.model.id_at(row)
        return self.open_record(record_id) if record_id is not None else None

    def open_record(self, record_id: int) -> object:
        from app.ui.opportunities.opportunity_dialog import open_opportunity
        dialog = open_opportunity(self._ctx, record_id, self)
        dialog.saved.connect(lambda _v: self.refresh())
        return dialog

    def new_opportunity(self) -> object:
        from app.ui.opportunities.opportunity_dialog import new_opportunity
        dialog = new_opportunity(self._ctx, None, self)
        dialog.saved.connect(lambda _v: self.refresh())
        return dialog

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and self.tabs.currentWidget() is self.table:
            # Enter in the table itself already opened the row (``activated``) before the
            # key came up here; open it only for an Enter typed elsewhere on the page.
            if not self.table.hasFocus():
                self.open_row(self.table.currentIndex().row())
            return
        super().keyPressEvent(event)

"""The opportunities (商机) module page: list, board per stage and the sales forecast."""

from __future__ import annotations

import datetime as dt
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
    OpportunityPage,
    list_opportunities,
    opportunity_board,
    sales_forecast,
)
from app.services.uow import UnitOfWork
from app.ui import labels
from app.ui.context import AppContext
from app.ui.customers.owners import load_owner_choices, may_reassign, owner_texts
from app.ui.errors import describe_error
from app.ui.formatting import format_date, format_yuan
from app.ui.kit.list_page import ListPage
from app.ui.kit.table import ID_ROLE, Col, PageRequest
from app.ui.opportunities.common import stage_label

OPEN_STAGES = tuple(s for s in OpportunityStage if OPPORTUNITY_LIFECYCLE.targets(s))
FORECAST_MONTHS = 6
BOARD_LIMIT = 500
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


class OpportunityListPage(ListPage):
    """Opportunities in the user's data scope: a list, a board per stage, the forecast.

    The list is the kit's (sorted by any column on the server, counted); the board and the
    forecast are read again whenever the list is (a filter, F5, a saved opportunity).
    """

    module = Module.OPPORTUNITIES
    kind = "opportunity"
    table_name = "opportunity_table"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("opportunity_list_page")
        self.board: OpportunityBoard | None = None
        self.forecast: tuple[ForecastMonth, ...] = ()

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
        for combo in (self.stage_combo, self.owner_combo):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.routing_check.toggled.connect(lambda _c: self.refresh())
        self.add_filter(self.stage_combo, self.tr("Stage:"))
        self.add_filter(self.owner_combo, self.tr("Owner:"))
        self.add_filter(self.routing_check)
        self.new_button = self.add_button(
            self.tr("New opportunity"), "new_opportunity_button", self.new_opportunity,
            visible=ctx.can(Module.OPPORTUNITIES, Operation.CREATE))

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

        # The kit's list table becomes the first of three tabs.
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.removeWidget(self.table)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("opportunity_tabs")
        self.tabs.addTab(self.table, self.tr("List"))
        self.tabs.addTab(self.board_widget, self.tr("Board"))
        self.tabs.addTab(self.forecast_table, self.tr("Sales forecast"))
        layout.addWidget(self.tabs, 1)
        if may_reassign(ctx):
            load_owner_choices(ctx, on_done=self._owners_loaded, on_error=lambda _e: None,
                               owner=self)
        self.start()
        self._load_board_and_forecast()

    def columns(self) -> list[Col[Any]]:
        return [
            Col("number", self.tr("Number"), lambda r: r.number, sort="number", width=150),
            Col("customer", self.tr("Customer"), lambda r: r.customer_name, sort="customer",
                width=200),
            Col("title", self.tr("Title"), lambda r: r.title, sort="title", width=200),
            Col("source", self.tr("Source"), lambda r: labels.customer_source_label(r.source),
                sort="source"),
            Col("stage", self.tr("Stage"), lambda r: stage_label(r.stage), sort="stage"),
            Col("expected_amount", self.tr("Expected amount"),
                lambda r: format_yuan(r.expected_amount), sort="expected_amount").money(),
            Col("probability", self.tr("Probability"), lambda r: f"{r.probability}%",
                sort="probability").money(),
            Col("expected_close", self.tr("Expected close"),
                lambda r: format_date(r.expected_close_on), sort="expected_close"),
            Col("owner", self.tr("Owner"),
                lambda r: r.owner_name or self.tr("Waiting for routing"), sort="owner"),
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

    def current_query(self) -> OpportunityFilters:
        return self.filters()

    def fetch(self, uow: UnitOfWork, query: OpportunityFilters,
              request: PageRequest) -> OpportunityPage:
        return list_opportunities(uow=uow, actor=self._ctx.actor, filters=query,
                                  after=request.after, limit=request.limit, sort=request.sort,
                                  with_total=request.with_total)

    def refresh(self) -> None:
        """The list (the kit's), then the board and the forecast of the same owner."""
        super().refresh()
        self._load_board_and_forecast()

    def _load_board_and_forecast(self) -> None:
        # One worker runs the reads in order, so the newest answers arrive last.
        actor, owner_id = self._ctx.actor, self.owner_combo.currentData()
        board_filters = OpportunityFilters(open_only=True, owner_id=owner_id)

        def board(uow: UnitOfWork) -> tuple[OpportunityBoard, OpportunityPage]:
            totals = opportunity_board(uow=uow, actor=actor, owner_id=owner_id)
            cards = list_opportunities(uow=uow, actor=actor, filters=board_filters,
                                       limit=BOARD_LIMIT)
            return totals, cards

        self._ctx.run(board, on_done=lambda r: self._board_loaded(*r),
                      on_error=self._show_failure, owner=self)
        first = dt.date.today().replace(day=1)
        self._ctx.run(lambda uow: sales_forecast(uow=uow, actor=actor, from_month=first,
                                                 months=FORECAST_MONTHS, owner_id=owner_id),
                      on_done=self._forecast_loaded, on_error=self._show_failure, owner=self)

    def _board_loaded(self, board: OpportunityBoard, cards: OpportunityPage) -> None:
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

    def _forecast_loaded(self, rows: tuple[ForecastMonth, ...]) -> None:
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

    def _show_failure(self, error: BaseException) -> None:
        self.message_label.setText(describe_error(error).text)

    # --- actions ---------------------------------------------------------------------------

    def open_record(self, record_id: int) -> object:
        from app.ui.opportunities.opportunity_dialog import open_opportunity
        return open_opportunity(self._ctx, record_id, self)

    def new_opportunity(self) -> object:
        from app.ui.opportunities.opportunity_dialog import new_opportunity
        return new_opportunity(self._ctx, None, self)

    # The main window's New (Ctrl+N) on this page.
    new_record = new_opportunity

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        # Enter on the board opened its card already; the list's Enter is the kit's.
        if self.tabs.currentWidget() is not self.table:
            QWidget.keyPressEvent(self, event)
            return
        super().keyPressEvent(event)

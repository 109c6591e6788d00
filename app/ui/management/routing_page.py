"""商机分派: management's routing queue of opportunities waiting for a salesperson.

The table lists the open opportunities without an owner (repair re-needs, walk-in and
phone leads), oldest first. Select one or more rows, then either pick a salesperson and
"Assign", or "Round-robin" to spread them among the active salespeople in turn. The
assignee finds the opportunity in their list and a task on their to-do list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from app.models.enums import Module
from app.services.errors import ServiceError
from app.services.routing import (
    Assignment,
    QueuedOpportunity,
    Salesperson,
    assign_opportunity,
    assign_round_robin,
    list_routing_queue,
    list_salespeople,
)
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.errors import describe_error
from app.ui.formatting import format_local_datetime, format_yuan
from app.ui.kit.list_page import ListPage
from app.ui.kit.rows import held_rows
from app.ui.kit.table import Col, PageRequest
from app.ui.labels import customer_source_label


@dataclass(frozen=True)
class _Outcome:
    done: tuple[Assignment, ...]
    errors: tuple[str, ...]


class RoutingPage(ListPage):
    """The routing queue with "Assign" and "Round-robin" for the selected rows; any column
    sorts it (in memory: the queue comes whole).

    Keys: F5 refreshes; Ctrl+Enter assigns the selection to the chosen salesperson. An
    opportunity written anywhere (a new lead, a need passed on from a repair, another
    manager's assignment) is heard on the change bus and the queue reads again.

    Signals:
        assigned(int): how many opportunities were just routed.
    """

    assigned = Signal(int)

    module = Module.OPPORTUNITIES
    kind = "opportunity"
    watch = ("ticket",)  # a technician passes a repair's new need on
    table_name = "routing_table"
    local = True

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("routing_page")
        self._busy = False
        self.salespeople: tuple[Salesperson, ...] = ()
        self.loaded = False
        self.last_outcome: _Outcome | None = None
        self._after_refresh = ""  # the outcome message, shown once the queue is reloaded
        self._waiting: set[str] = set()  # the queue and the salespeople, while they load

        title = QLabel(self.tr("Opportunities waiting for a salesperson"), self)
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        title.setFont(font)
        self.add_filter(title)
        self.count_label = self.message_label
        self.count_label.setObjectName("routing_count")
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setWordWrap(False)
        self.table.selectionModel().selectionChanged.connect(
            lambda _s, _d: self._update_buttons())

        assign_label = QLabel(self.tr("Assign to:"), self)
        self.salesperson_combo = QComboBox(self)
        self.salesperson_combo.setObjectName("routing_salesperson")
        self.salesperson_combo.setMinimumContentsLength(8)
        assign_label.setBuddy(self.salesperson_combo)
        self.assign_button = QPushButton(self.tr("Assign"), self)
        self.assign_button.setObjectName("routing_assign")
        self.assign_button.setToolTip(self.tr("Give the selected opportunities to this "
                                              "salesperson (Ctrl+Enter)"))
        self.assign_button.clicked.connect(self.assign_selected)
        self.round_robin_button = QPushButton(self.tr("Round-robin"), self)
        self.round_robin_button.setObjectName("routing_round_robin")
        self.round_robin_button.setToolTip(self.tr(
            "Spread the selected opportunities among the active salespeople in turn"))
        self.round_robin_button.clicked.connect(self.round_robin_selected)
        self.refresh_button = self.add_button(self.tr("Refresh"), "routing_refresh",
                                              self.refresh, first=False)
        self.refresh_button.setToolTip(self.tr("Reload the queue (F5)"))
        self.status_label = QLabel(self)
        self.status_label.setObjectName("routing_status")
        self.status_label.setWordWrap(True)

        actions = QHBoxLayout()
        actions.addWidget(assign_label)
        actions.addWidget(self.salesperson_combo)
        actions.addWidget(self.assign_button)
        actions.addSpacing(16)
        actions.addWidget(self.round_robin_button)
        actions.addStretch(1)
        self.add_footer(actions)
        status = QHBoxLayout()
        status.addWidget(self.status_label)
        self.add_footer(status)

        for keys, slot in (("F5", self.refresh), ("Ctrl+Return", self.assign_selected),
                           ("Ctrl+Enter", self.assign_selected)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self.model.page_loaded.connect(lambda: self._part_loaded("queue"))
        self.model.load_failed.connect(self._on_failed)
        self.setFocusProxy(self.table)
        self._update_buttons()
        self.refresh()

    def columns(self) -> list[Col[Any]]:
        return [
            Col("number", self.tr("Number"), lambda q: q.number, width=140),
            Col("customer", self.tr("Customer"), lambda q: q.customer_name, width=180),
            Col("source", self.tr("Source"), lambda q: customer_source_label(q.source),
                width=90),
            Col("need", self.tr("Need"), lambda q: q.title, width=220),
            Col("expected_amount", self.tr("Expected amount"),
                lambda q: format_yuan(q.expected_amount),
                sort_value=lambda q: q.expected_amount, width=120).money(),
            Col("credited", self.tr("Credited technician"),
                lambda q: q.credited_user_name or "", width=120),
            Col("created", self.tr("Created"), lambda q: format_local_datetime(q.created_at),
                sort_value=lambda q: q.created_at),
        ]

    @property
    def queue(self) -> tuple[QueuedOpportunity, ...]:
        """The opportunities listed, in the order shown."""
        return held_rows(self.model)

    # --- actions ----------------------------------------------------------------------------

    def fetch(self, uow: UnitOfWork, query: Any, request: PageRequest) -> Any:
        return list_routing_queue(uow=uow, actor=self._ctx.actor)

    def refresh(self) -> None:
        """Read the queue and the salespeople to choose from again."""
        actor = self._ctx.actor
        self._waiting = {"queue", "salespeople"}
        self._set_busy(True, self.tr("Loading…"))
        self._ctx.run(lambda uow: list_salespeople(uow=uow, actor=actor),
                      on_done=self._salespeople_loaded, on_error=self._on_failed, owner=self)
        super().refresh()

    def show_count(self) -> None:
        self.count_label.setText(self.tr("{count} waiting").format(
            count=self.model.rowCount()))

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.row_id(r) for r in rows if self.model.row_id(r) is not None]

    def select_ids(self, ids: Sequence[int]) -> None:
        """Select the rows of these opportunities (and nothing else)."""
        self.table.clearSelection()
        wanted = set(ids)
        mode = self.table.selectionMode()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        for row in range(self.model.rowCount()):
            if self.model.row_id(row) in wanted:
                self.table.selectRow(row)
        self.table.setSelectionMode(mode)

    def choose_salesperson(self, user_id: int) -> bool:
        index = self.salesperson_combo.findData(user_id)
        if index >= 0:
            self.salesperson_combo.setCurrentIndex(index)
        return index >= 0

    def assign_selected(self) -> None:
        ids = self.selected_ids()
        user_id = self.salesperson_combo.currentData()
        if self._busy or not ids or user_id is None:
            return
        versions = {q.id: q.version for q in self.queue}
        actor = self._ctx.actor

        def work(uow: object) -> _Outcome:
            done, errors = [], []
            for opportunity_id in ids:  # each its own transaction: one stale row stops no other
                try:
                    done.append(assign_opportunity(
                        uow=uow, actor=actor, opportunity_id=opportunity_id,  # type: ignore[arg-type]
                        expected_version=versions[opportunity_id], user_id=user_id))
                except ServiceError as error:
                    errors.append(str(error))
            return _Outcome(tuple(done), tuple(errors))

        self._set_busy(True, self.tr("Assigning…"))
        self._ctx.run(work, on_done=self._on_assigned, on_error=self._on_failed, owner=self)

    def round_robin_selected(self) -> None:
        ids = self.selected_ids()
        if self._busy or not ids:
            return
        actor = self._ctx.actor

        def work(uow: object) -> _Outcome:
            return _Outcome(assign_round_robin(uow=uow, actor=actor,  # type: ignore[arg-type]
                                               opportunity_ids=ids), ())

        self._set_busy(True, self.tr("Assigning…"))
        self._ctx.run(work, on_done=self._on_assigned, on_error=self._on_failed, owner=self)

    # --- results ----------------------------------------------------------------------------

    def _salespeople_loaded(self, salespeople: tuple[Salesperson, ...]) -> None:
        current = self.salesperson_combo.currentData()
        self.salespeople = salespeople
        self.salesperson_combo.clear()
        for person in self.salespeople:
            self.salesperson_combo.addItem(person.display_name, person.id)
        if current is not None:
            self.choose_salesperson(current)
        self._part_loaded("salespeople")

    def _part_loaded(self, part: str) -> None:
        if part == "queue":
            self.loaded = True
        self._waiting.discard(part)
        if self._waiting:
            return
        message, self._after_refresh = self._after_refresh, ""
        if not message and not self.model.rowCount():
            message = self.tr("No opportunity is waiting to be routed.")
        elif not message and not self.salespeople:
            message = self.tr("There is no active salesperson to assign to.")
        self._set_busy(False, message)

    def _on_assigned(self, outcome: _Outcome) -> None:
        self.last_outcome = outcome
        parts = []
        if outcome.done:
            names = sorted({a.owner_name for a in outcome.done})
            parts.append(self.tr("{count} assigned to {names}.").format(
                count=len(outcome.done), names="、".join(names)))
        parts.extend(outcome.errors)
        self._after_refresh = " ".join(parts)
        if outcome.done:
            self.assigned.emit(len(outcome.done))
        self._busy = False
        # The owners' lists and this queue (and another manager's) read again.
        self._ctx.changes.publish("opportunity", None)

    def _on_failed(self, error: BaseException) -> None:
        self._waiting.clear()
        self.loaded = True
        self._set_busy(False, describe_error(error).text)

    def _set_busy(self, busy: bool, message: str) -> None:
        self._busy = busy
        self.status_label.setText(message)
        self._update_buttons()

    def _update_buttons(self) -> None:
        selected = bool(self.selected_ids())
        self.assign_button.setEnabled(not self._busy and selected
                                      and self.salesperson_combo.count() > 0)
        self.round_robin_button.setEnabled(not self._busy and selected
                                           and bool(self.salespeople))
        self.refresh_button.setEnabled(not self._busy)

    @property
    def is_busy(self) -> bool:
        return self._busy

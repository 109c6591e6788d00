"""确认队列: the submitted visits, orders and repair records waiting for management."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QPushButton,
    QWidget,
)

from app.models.enums import Module
from app.services.confirmation import (
    ConfirmationResult,
    QueueItem,
    RecordKind,
    confirm_record,
    confirmation_queue,
    return_record,
)
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.errors import describe_error, show_error
from app.ui.formatting import format_local_datetime, format_yuan
from app.ui.kit.list_page import ListPage
from app.ui.kit.rows import CurrentRowKeeper, row_of
from app.ui.kit.table import Col, PageRequest
from app.ui.management.dialogs import TextPromptDialog, changed_kind, open_text_prompt
from app.ui.record_labels import kind_icon, kind_label
from app.ui.shell.record_openers import record_openers


def record_kind_label(kind: RecordKind | str) -> str:
    """Visit / Order / Repair in the timeline's words."""
    return kind_label(RecordKind(kind).value)


def _kind_icon(item: QueueItem, role: int) -> Any:
    return kind_icon(item.kind.value) if role == Qt.ItemDataRole.DecorationRole else None


class ConfirmationQueueTab(ListPage):
    """The queue, oldest waiting first (any column sorts it); Enter opens the record,
    Ctrl+Enter confirms it, Ctrl+R returns it with a comment. A visit or repair record opens
    read-only with its own Confirm / Return… buttons, so the record is read before it is
    decided. A decision taken anywhere (here, in the record, at another station's queue
    of this program) is heard on the change bus and the queue reads again."""

    module = Module.TASKS
    watch = ("visit", "order", "ticket")  # what a submission or a decision changes
    table_name = "queue_table"
    local = True  # the queue comes whole: sorted in memory

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("confirmation_queue_tab")
        self.loaded = False
        self.dialog: QWidget | None = None
        self.kind_combo = QComboBox(self)
        self.kind_combo.setObjectName("queue_kind_filter")
        self.kind_combo.addItem(self.tr("All kinds"), None)
        for kind in RecordKind:
            self.kind_combo.addItem(kind_icon(kind.value), record_kind_label(kind), kind)
        self.kind_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.add_filter(self.kind_combo, self.tr("Kind:"))
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.open_button = QPushButton(self.tr("Open"), self)
        self.open_button.setObjectName("queue_open")
        self.open_button.clicked.connect(lambda: self.open_row(self.current_row()))
        self.confirm_button = QPushButton(self.tr("Confirm"), self)
        self.confirm_button.setObjectName("queue_confirm")
        self.confirm_button.setToolTip("Ctrl+Enter")
        self.confirm_button.clicked.connect(self.confirm_current)
        self.return_button = QPushButton(self.tr("Return…"), self)
        self.return_button.setObjectName("queue_return")
        self.return_button.setToolTip("Ctrl+R")
        self.return_button.clicked.connect(self.return_current)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self.table, activated=self.confirm_current)
        QShortcut(QKeySequence("Ctrl+R"), self, activated=self.return_current)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.return_button)
        buttons.addWidget(self.confirm_button)
        self.add_footer(buttons)
        self.keeper = CurrentRowKeeper(self.table, self.model)
        self.keeper.current_changed.connect(self._update_buttons)
        self.table.selectionModel().currentRowChanged.connect(
            lambda _c, _p: self._update_buttons())
        self.model.page_loaded.connect(self._loaded)
        self.model.load_failed.connect(lambda _e: self._loaded())
        self.setFocusProxy(self.table)
        self._update_buttons()
        self.start()

    def columns(self) -> list[Col[Any]]:
        return [
            Col("kind", self.tr("Kind"), lambda r: record_kind_label(r.kind), width=110,
                role=_kind_icon),
            Col("reference", self.tr("Reference"), lambda r: r.reference, width=190),
            Col("customer", self.tr("Customer"), lambda r: r.customer_name, width=220),
            Col("author", self.tr("Author"), lambda r: r.author_name, width=100),
            Col("submitted", self.tr("Submitted"),
                lambda r: format_local_datetime(r.submitted_at),
                sort_value=lambda r: r.submitted_at, width=140),
            Col("amount", self.tr("Amount"),
                lambda r: format_yuan(r.amount) if r.amount is not None else "",
                sort_value=lambda r: r.amount, width=110).money(),
            Col("summary", self.tr("Summary"), lambda r: (r.summary or "").replace("\n", " ")),
        ]

    @staticmethod
    def row_id(row: QueueItem) -> Any:
        return (row.kind, row.id)  # a visit and an order may share a number

    # --- loading ---------------------------------------------------------------------------

    def current_query(self) -> tuple[RecordKind, ...]:
        kind = self.kind_combo.currentData()
        return (kind,) if kind is not None else ()

    def fetch(self, uow: UnitOfWork, query: tuple[RecordKind, ...],
              request: PageRequest) -> Any:
        return confirmation_queue(uow=uow, actor=self._ctx.actor, kinds=query)

    def _loaded(self) -> None:
        self.loaded = True
        self._update_buttons()

    def show_count(self) -> None:
        count = self.model.rowCount()
        self.message_label.setText(
            self.tr("{count} records wait for confirmation.").format(count=count)
            if count else self.tr("Nothing waits for confirmation."))

    # --- actions ---------------------------------------------------------------------------

    def current_row(self) -> int:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else -1

    def current_item(self) -> QueueItem | None:
        return self.model.row_at(self.current_row())

    def select(self, kind: RecordKind | str, record_id: int) -> bool:
        row = row_of(self.model, (RecordKind(kind), record_id))
        if row >= 0:
            self.table.selectRow(row)
        return row >= 0

    def open_record(self, record_id: tuple[RecordKind, int]) -> object:
        kind, item_id = record_id
        if kind is RecordKind.REPAIR:
            # The repair record itself (work, parts, charges, score), with Confirm / Return….
            from app.ui.service.repair_record_dialog import open_repair_record
            self.dialog = open_repair_record(self._ctx, item_id, self, confirming=True)
        elif kind is RecordKind.VISIT:
            # Read-only for the confirmer, with Confirm / Return….
            from app.ui.visits.visit_dialog import open_visit
            self.dialog = open_visit(self._ctx, item_id, self, confirming=True)
        else:
            opener = record_openers().opener_for(kind.value)
            if opener is None:
                return None
            self.dialog = opener(self._ctx, item_id, self)  # type: ignore[assignment]
        return self.dialog

    def confirm_current(self) -> None:
        item = self.current_item()
        if item is None:
            return
        actor = self._ctx.actor
        self.confirm_button.setEnabled(False)
        self.message_label.setText(self.tr("Saving…"))
        self._ctx.run(lambda uow: confirm_record(
            uow=uow, actor=actor, kind=item.kind, record_id=item.id,
            expected_version=item.version),
            on_done=self._confirmed, on_error=self._action_failed, owner=self)

    def _confirmed(self, result: ConfirmationResult) -> None:
        self._ctx.changes.publish(changed_kind(result.kind), result.id)

    def return_current(self) -> TextPromptDialog | None:
        item = self.current_item()
        if item is None:
            return None
        actor = self._ctx.actor

        def action(uow: Any, text: str) -> ConfirmationResult:
            return return_record(uow=uow, actor=actor, kind=item.kind, record_id=item.id,
                                 expected_version=item.version, comment=text)

        dialog = open_text_prompt(
            self._ctx, self, title=self.tr("Return to the author"),
            prompt=self.tr("What should {author} correct?").format(author=item.author_name),
            context=f"{record_kind_label(item.kind)} {item.reference} · {item.customer_name}",
            field="comment", button=self.tr("Return"), action=action,
            record_kind=changed_kind(item.kind))
        self.dialog = dialog
        return dialog

    def _action_failed(self, error: BaseException) -> None:
        self.message_label.setText(describe_error(error).text)
        show_error(self, error)
        self.refresh()

    def _update_buttons(self) -> None:
        has = self.current_item() is not None
        for button in (self.open_button, self.confirm_button, self.return_button):
            button.setEnabled(has)


__all__ = ["ConfirmationQueueTab", "record_kind_label"]

"""确认队列: the submitted visits, orders and repair records waiting for management."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services.confirmation import (
    ConfirmationResult,
    QueueItem,
    RecordKind,
    confirm_record,
    confirmation_queue,
    return_record,
)
from app.ui.context import AppContext
from app.ui.errors import describe_error, show_error
from app.ui.formatting import format_local_datetime, format_yuan
from app.ui.management.dialogs import TextPromptDialog, open_text_prompt
from app.ui.record_labels import kind_icon, kind_label
from app.ui.record_openers import record_openers
from app.ui.sales.list_pages import SalesRowsModel


def record_kind_label(kind: RecordKind | str) -> str:
    """Visit / Order / Repair in the timeline's words."""
    return kind_label(RecordKind(kind).value)


class QueueModel(SalesRowsModel):
    """Queue rows, each with its kind's coloured icon in the first column."""

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.DecorationRole and index.isValid() and index.column() == 0
                and index.row() < len(self._rows)):
            return kind_icon(self._rows[index.row()].kind.value)
        return super().data(index, role)

    def row_at(self, row: int) -> QueueItem | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None


class ConfirmationQueueTab(QWidget):
    """The queue, oldest waiting first; Enter opens the record, Ctrl+Enter confirms it,
    Ctrl+R returns it with a comment. A visit or repair record opens read-only with its own
    Confirm / Return… buttons, so the record is read before it is decided."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("confirmation_queue_tab")
        self._ctx = ctx
        self._generation = 0
        self.loaded = False
        self.dialog: QWidget | None = None
        self.kind_combo = QComboBox(self)
        self.kind_combo.setObjectName("queue_kind_filter")
        self.kind_combo.addItem(self.tr("All kinds"), None)
        for kind in RecordKind:
            self.kind_combo.addItem(kind_icon(kind.value), record_kind_label(kind), kind)
        self.kind_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.message_label = QLabel(self)
        self.message_label.setObjectName("queue_message")
        self.model = QueueModel(self.columns(), lambda _after: None, self)
        self.table = QTableView(self)
        self.table.setObjectName("queue_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((110, 190, 220, 100, 140, 110)):
            self.table.setColumnWidth(column, width)
        self.table.activated.connect(lambda index: self.open_record(index.row()))
        self.open_button = QPushButton(self.tr("Open"), self)
        self.open_button.setObjectName("queue_open")
        self.open_button.clicked.connect(lambda: self.open_record(self.current_row()))
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
        self.table.selectionModel().currentRowChanged.connect(
            lambda _c, _p: self._update_buttons())
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("Kind:"), self))
        bar.addWidget(self.kind_combo)
        bar.addWidget(self.message_label, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.return_button)
        buttons.addWidget(self.confirm_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.setFocusProxy(self.table)
        self._update_buttons()
        self.refresh()

    def columns(self) -> list[tuple[str, Callable[[Any], str]]]:
        return [
            (self.tr("Kind"), lambda r: record_kind_label(r.kind)),
            (self.tr("Reference"), lambda r: r.reference),
            (self.tr("Customer"), lambda r: r.customer_name),
            (self.tr("Author"), lambda r: r.author_name),
            (self.tr("Submitted"), lambda r: format_local_datetime(r.submitted_at)),
            (self.tr("Amount"), lambda r: format_yuan(r.amount) if r.amount is not None
             else ""),
            (self.tr("Summary"), lambda r: (r.summary or "").replace("\n", " ")),
        ]

    # --- loading ---------------------------------------------------------------------------

    def refresh(self) -> None:
        self._generation += 1
        generation, actor = self._generation, self._ctx.actor
        kind = self.kind_combo.currentData()
        kinds = (kind,) if kind is not None else ()
        self.message_label.setText(self.tr("Loading…"))
        self._ctx.run(lambda uow: confirmation_queue(uow=uow, actor=actor, kinds=kinds),
                      on_done=lambda rows: self._loaded(generation, rows),
                      on_error=self._failed, owner=self)

    def _loaded(self, generation: int, rows: tuple[QueueItem, ...]) -> None:
        if generation != self._generation:
            return
        before = self.current_row()
        self.model.reset_rows(rows, None)
        self.loaded = True
        if rows:
            self.table.selectRow(min(max(before, 0), len(rows) - 1))
        self.message_label.setText(
            self.tr("{count} records wait for confirmation.").format(count=len(rows))
            if rows else self.tr("Nothing waits for confirmation."))
        self._update_buttons()

    def _failed(self, error: BaseException) -> None:
        self.loaded = True
        self.message_label.setText(describe_error(error).text)
        self._update_buttons()

    # --- actions ---------------------------------------------------------------------------

    def current_row(self) -> int:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else -1

    def current_item(self) -> QueueItem | None:
        return self.model.row_at(self.current_row())

    def select(self, kind: RecordKind | str, record_id: int) -> bool:
        for row in range(self.model.rowCount()):
            item = self.model.row_at(row)
            if item is not None and item.kind == RecordKind(kind) and item.id == record_id:
                self.table.selectRow(row)
                return True
        return False

    def open_record(self, row: int) -> object:
        item = self.model.row_at(row)
        if item is None:
            return None
        if item.kind is RecordKind.REPAIR:
            # The repair record itself (work, parts, charges, score), with Confirm / Return….
            from app.ui.service.repair_record_dialog import open_repair_record
            self.dialog = open_repair_record(self._ctx, item.id, self, confirming=True)
        elif item.kind is RecordKind.VISIT:
            # Read-only for the confirmer, with Confirm / Return….
            from app.ui.visits.visit_dialog import open_visit
            self.dialog = open_visit(self._ctx, item.id, self, confirming=True)
        else:
            opener = record_openers().opener_for(item.kind.value)
            if opener is None:
                return None
            self.dialog = opener(self._ctx, item.id, self)  # type: ignore[assignment]
        for name in ("saved", "decided"):
            signal = getattr(self.dialog, name, None)
            if signal is not None:
                signal.connect(lambda *_a: self.refresh())
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
            on_done=self._decided, on_error=self._action_failed, owner=self)

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
            field="comment", button=self.tr("Return"), action=action)
        dialog.saved.connect(self._decided)
        self.dialog = dialog
        return dialog

    def _decided(self, _result: ConfirmationResult) -> None:
        self.refresh()

    def _action_failed(self, error: BaseException) -> None:
        self.message_label.setText(describe_error(error).text)
        show_error(self, error)
        self.refresh()

    def _update_buttons(self) -> None:
        has = self.current_item() is not None
        for button in (self.open_button, self.confirm_button, self.return_button):
            button.setEnabled(has)


__all__ = ["ConfirmationQueueTab", "record_kind_label"]

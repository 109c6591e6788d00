"""The knowledge base (知识库) module page: the repair lead approves submitted entries.

There is no list of approved entries yet in the services; approved entries reach the
technicians as suggestions at intake and in the repair record. Roles without the
approval right see a note saying so.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import Module, Operation
from app.services.knowledge import (
    KnowledgeView,
    approve_knowledge,
    list_pending_knowledge,
    reject_knowledge,
)
from app.ui.context import AppContext
from app.ui.errors import describe_error, show_error

ID_ROLE = Qt.ItemDataRole.UserRole + 1


class KnowledgePage(QWidget):
    """Pending entries with Approve / Reject for the repair lead; a note for others."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("knowledge_page")
        self._ctx = ctx
        self._generation = 0
        self._busy = False
        self.entries: tuple[KnowledgeView, ...] = ()
        self.may_review = ctx.can(Module.KNOWLEDGE, Operation.CONFIRM)

        title = QLabel(self.tr("Pending approval"), self)
        title.setObjectName("pending_title")
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        self.message_label = QLabel(self)
        self.message_label.setObjectName("list_message")
        self.message_label.setWordWrap(True)
        self.note_label = QLabel(self.tr(
            "Approved entries are suggested to the technicians at intake and in the repair "
            "record. New entries are approved by the repair lead."), self)
        self.note_label.setObjectName("knowledge_note")
        self.note_label.setWordWrap(True)

        self.table = QTableWidget(0, 5, self)
        self.table.setObjectName("pending_table")
        self.table.setHorizontalHeaderLabels([
            self.tr("Number"), self.tr("Model"), self.tr("Symptom"), self.tr("Author"),
            self.tr("Used")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 140)
        self.table.setColumnWidth(1, 160)
        self.table.itemSelectionChanged.connect(self._show_selected)

        self.detail = QPlainTextEdit(self)
        self.detail.setObjectName("entry_detail")
        self.detail.setReadOnly(True)

        self.approve_button = QPushButton(self.tr("Approve"), self)
        self.approve_button.setObjectName("approve_button")
        self.approve_button.clicked.connect(self.approve_selected)
        self.reject_button = QPushButton(self.tr("Return for rework…"), self)
        self.reject_button.setObjectName("reject_button")
        self.reject_button.clicked.connect(self.ask_reject)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.review_panel = QWidget(self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.approve_button)
        buttons.addWidget(self.reject_button)
        buttons.addStretch(1)
        panel = QVBoxLayout(self.review_panel)
        panel.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addWidget(self.message_label, 1)
        panel.addLayout(top)
        panel.addWidget(splitter, 1)
        panel.addLayout(buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(self.note_label)
        layout.addWidget(self.review_panel, 1)
        if not self.may_review:
            self.review_panel.hide()
            for button in (self.approve_button, self.reject_button):
                button.setVisible(False)
            layout.addStretch(1)
        self.refresh()

    # --- loading ---------------------------------------------------------------------------

    def refresh(self) -> None:
        if not self.may_review:
            return
        self._generation += 1
        generation, actor = self._generation, self._ctx.actor
        self.message_label.setText(self.tr("Loading…"))
        self._ctx.run(lambda uow: list_pending_knowledge(uow=uow, actor=actor),
                      on_done=lambda rows: self._loaded(generation, rows),
                      on_error=self._failed, owner=self)

    def on_connection_restored(self) -> None:
        self.refresh()

    def focus_search(self) -> None:
        self.table.setFocus()

    def _loaded(self, generation: int, rows: tuple[KnowledgeView, ...]) -> None:
        if generation != self._generation:
            return
        self.entries = rows
        self.table.setRowCount(len(rows))
        for i, e in enumerate(rows):
            for col, text in enumerate((e.number, e.device_model, e.symptom,
                                        e.author_name or "", str(e.times_used))):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, e.id)
                self.table.setItem(i, col, item)
        self.message_label.setText(
            self.tr("{count} waiting").format(count=len(rows)) if rows
            else self.tr("Nothing waiting for approval."))
        if rows:
            self.table.selectRow(0)
        else:
            self.detail.clear()
        self._update_buttons()

    def _failed(self, error: BaseException) -> None:
        self.message_label.setText(describe_error(error).text)
        self._busy = False
        self._update_buttons()

    def selected_entry(self) -> KnowledgeView | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row = rows[0].row()
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def select_entry(self, entry_id: int) -> bool:
        for i, e in enumerate(self.entries):
            if e.id == entry_id:
                self.table.selectRow(i)
                return True
        return False

    def _show_selected(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            self.detail.clear()
        else:
            parts = [f"{entry.number}  {entry.device_model}",
                     self.tr("Symptom: {text}").format(text=entry.symptom),
                     self.tr("Cause: {text}").format(text=entry.cause),
                     self.tr("Solution:"), entry.solution]
            if entry.parts:
                parts.append(self.tr("Parts: {text}").format(text=entry.parts))
            if entry.keywords:
                parts.append(self.tr("Keywords: {text}").format(text=entry.keywords))
            self.detail.setPlainText("\n".join(parts))
        self._update_buttons()

    def _update_buttons(self) -> None:
        enabled = self.selected_entry() is not None and not self._busy
        self.approve_button.setEnabled(enabled)
        self.reject_button.setEnabled(enabled)

    # --- actions ---------------------------------------------------------------------------

    def approve_selected(self) -> None:
        self._review(approve_knowledge, self.tr("Approved: {number}"))

    def ask_reject(self) -> QMessageBox | None:
        """Ask before returning the entry to its author for rework."""
        entry = self.selected_entry()
        if entry is None or self._busy:
            return None
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Return for rework"),
                          self.tr("Return {number} to {author} for rework? It will not be "
                                  "suggested until it is submitted and approved again.")
                          .format(number=entry.number, author=entry.author_name or ""),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                          self)
        box.setObjectName("reject_confirm_box")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.accepted.connect(self.reject_selected)
        box.open()
        return box

    def reject_selected(self) -> None:
        self._review(reject_knowledge, self.tr("Returned for rework: {number}"))

    def _review(self, fn: Any, done_text: str) -> None:
        entry = self.selected_entry()
        if entry is None or self._busy:
            return
        entry_id, actor = entry.id, self._ctx.actor
        self._busy = True
        self._update_buttons()
        self.message_label.setText(self.tr("Saving…"))

        def done(view: KnowledgeView) -> None:
            self._busy = False
            self.refresh()
            self.message_label.setText(done_text.format(number=view.number))

        def failed(error: BaseException) -> None:
            self._failed(error)
            show_error(self, error)
            self.refresh()

        self._ctx.run(lambda uow: fn(uow=uow, actor=actor, entry_id=entry_id),
                      on_done=done, on_error=failed, owner=self)

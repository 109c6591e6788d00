"""The knowledge base (知识库 / 维修技术问题记录单) module page.

Three tabs, each shown to whoever may use it:

- *Pending approval* (the repair lead, ``KNOWLEDGE/CONFIRM``): approve, or return for
  rework with a reason the author sees.
- *Browse* (everyone with ``KNOWLEDGE/VIEW``): the approved entries, searched by model and
  symptom words.
- *My entries* (whoever writes entries, ``KNOWLEDGE/CREATE``): the user's own entries with
  their status and the return reason; a returned or draft entry is edited and resubmitted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import labels
from app.models.enums import KnowledgeStatus, Module, Operation
from app.services.knowledge import (
    EDITABLE,
    KnowledgeView,
    approve_knowledge,
    list_knowledge,
    list_my_knowledge,
    list_pending_knowledge,
    reject_knowledge,
)
from app.ui.context import AppContext
from app.ui.errors import describe_error, show_error
from app.ui.kit.record_dialog import keep_open

ID_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_DEBOUNCE_MS = 300
RETURNED_COLOUR = "#c62828"

def knowledge_status_label(status: KnowledgeStatus) -> str:
    return labels.label(status)


def _table(parent: QWidget, name: str, headers: list[str], stretch: int) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(False)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    table.setColumnWidth(0, 140)
    table.setColumnWidth(1, 160)
    return table


def _fill(table: QTableWidget, rows: tuple[KnowledgeView, ...],
          cells: Callable[[KnowledgeView], tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for i, e in enumerate(rows):
        for col, text in enumerate(cells(e)):
            item = QTableWidgetItem(text)
            item.setData(ID_ROLE, e.id)
            if e.status is KnowledgeStatus.REJECTED:
                item.setForeground(QColor(RETURNED_COLOUR))
            table.setItem(i, col, item)


def _selected(table: QTableWidget, rows: tuple[KnowledgeView, ...]) -> KnowledgeView | None:
    chosen = table.selectionModel().selectedRows()
    if not chosen:
        return None
    row = chosen[0].row()
    return rows[row] if 0 <= row < len(rows) else None


def _detail(split_parent: QWidget, name: str) -> QPlainTextEdit:
    detail = QPlainTextEdit(split_parent)
    detail.setObjectName(name)
    detail.setReadOnly(True)
    return detail


class ReturnDialog(QDialog):
    """Ask the repair lead why an entry goes back to its author (the reason is required).

    Signals:
        reason_given(str): the lead confirmed with this reason.
    """

    reason_given = Signal(str)

    def __init__(self, entry: KnowledgeView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("return_reason_dialog")
        self.setWindowTitle(self.tr("Return for rework"))
        intro = QLabel(self.tr("Return {number} to {author} for rework. It is not suggested "
                               "until it is submitted and approved again.").format(
            number=entry.number, author=entry.author_name or ""), self)
        intro.setWordWrap(True)
        self.reason_edit = QPlainTextEdit(self)
        self.reason_edit.setObjectName("return_reason_edit")
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setPlaceholderText(self.tr("What should the author change? "
                                                    "(required)"))
        self.reason_edit.textChanged.connect(self._update)
        self.return_button = QPushButton(self.tr("Return"), self)
        self.return_button.setObjectName("return_button")
        self.return_button.setToolTip("Ctrl+Enter")
        self.return_button.clicked.connect(self.confirm)
        cancel = QPushButton(self.tr("Cancel"), self)
        cancel.setObjectName("cancel_button")
        cancel.clicked.connect(self.reject)
        for button in (self.return_button, cancel):
            button.setAutoDefault(False)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.confirm)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.return_button)
        row.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(QLabel(self.tr("Reason for returning:"), self))
        layout.addWidget(self.reason_edit, 1)
        layout.addLayout(row)
        self.resize(460, 260)
        self._update()
        self.setFocusProxy(self.reason_edit)

    def reason(self) -> str:
        return self.reason_edit.toPlainText().strip()

    def _update(self) -> None:
        self.return_button.setEnabled(bool(self.reason()))

    def confirm(self) -> None:
        if not self.reason():
            return
        self.reason_given.emit(self.reason())
        self.accept()


class KnowledgePage(QWidget):
    """Browse approved entries; review the pending ones (lead); follow up one's own."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *,
                 search_debounce_ms: int = SEARCH_DEBOUNCE_MS) -> None:
        super().__init__(parent)
        self.setObjectName("knowledge_page")
        self._ctx = ctx
        self._generation = 0
        self._browse_generation = 0
        self._mine_generation = 0
        self._busy = False
        self.entries: tuple[KnowledgeView, ...] = ()  # the pending queue
        self.browse_entries: tuple[KnowledgeView, ...] = ()
        self.my_entries: tuple[KnowledgeView, ...] = ()
        self.browse_loaded = False
        self.mine_loaded = False
        self.return_dialog: ReturnDialog | None = None
        self.edit_dialog: QDialog | None = None
        self.may_review = ctx.can(Module.KNOWLEDGE, Operation.CONFIRM)
        self.may_write = ctx.can(Module.KNOWLEDGE, Operation.CREATE)
        self.may_edit = ctx.can(Module.KNOWLEDGE, Operation.EDIT)

        self.note_label = QLabel(self.tr(
            "Approved entries are suggested to the technicians at intake and in the repair "
            "record. New entries are approved by the repair lead."), self)
        self.note_label.setObjectName("knowledge_note")
        self.note_label.setWordWrap(True)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("knowledge_tabs")

        self._build_pending()
        self._build_browse(search_debounce_ms)
        self._build_mine()
        if self.may_review:
            self.tabs.addTab(self.review_panel, self.tr("Pending approval"))
        else:
            self.review_panel.hide()
            for button in (self.approve_button, self.reject_button):
                button.setVisible(False)
        self.tabs.addTab(self.browse_panel, self.tr("Browse"))
        if self.may_write:
            self.tabs.addTab(self.mine_panel, self.tr("My entries"))
        else:
            self.mine_panel.hide()

        layout = QVBoxLayout(self)
        layout.addWidget(self.note_label)
        layout.addWidget(self.tabs, 1)
        self.refresh()  # F5 (the main window's Refresh) calls refresh() too

    # --- building --------------------------------------------------------------------------

    def _build_pending(self) -> None:
        self.review_panel = QWidget(self)
        self.review_panel.setObjectName("pending_panel")
        self.message_label = QLabel(self.review_panel)
        self.message_label.setObjectName("list_message")
        self.message_label.setWordWrap(True)
        self.table = _table(self.review_panel, "pending_table", [
            self.tr("Number"), self.tr("Model"), self.tr("Symptom"), self.tr("Author"),
            self.tr("Used")], 2)
        self.table.itemSelectionChanged.connect(self._show_selected)
        self.detail = _detail(self.review_panel, "entry_detail")
        self.approve_button = QPushButton(self.tr("Approve"), self.review_panel)
        self.approve_button.setObjectName("approve_button")
        self.approve_button.clicked.connect(self.approve_selected)
        self.reject_button = QPushButton(self.tr("Return for rework…"), self.review_panel)
        self.reject_button.setObjectName("reject_button")
        self.reject_button.clicked.connect(self.ask_reject)
        splitter = QSplitter(Qt.Orientation.Vertical, self.review_panel)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        buttons = QHBoxLayout()
        buttons.addWidget(self.approve_button)
        buttons.addWidget(self.reject_button)
        buttons.addWidget(self.message_label, 1)
        panel = QVBoxLayout(self.review_panel)
        panel.addWidget(splitter, 1)
        panel.addLayout(buttons)

    def _build_browse(self, debounce_ms: int) -> None:
        self.browse_panel = QWidget(self)
        self.browse_panel.setObjectName("browse_panel")
        self.search_edit = QLineEdit(self.browse_panel)
        self.search_edit.setObjectName("knowledge_search")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setPlaceholderText(self.tr("Model or symptom words, e.g. M404 卡纸"))
        self.browse_message = QLabel(self.browse_panel)
        self.browse_message.setObjectName("browse_message")
        self.browse_table = _table(self.browse_panel, "browse_table", [
            self.tr("Number"), self.tr("Model"), self.tr("Symptom"), self.tr("Cause"),
            self.tr("Used")], 2)
        self.browse_table.setColumnWidth(3, 200)
        self.browse_table.itemSelectionChanged.connect(self._show_browse_selected)
        self.browse_detail = _detail(self.browse_panel, "browse_detail")
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(debounce_ms)
        self._search_timer.timeout.connect(self.refresh_browse)
        self.search_edit.textChanged.connect(lambda _t: self._search_timer.start())
        self.search_edit.returnPressed.connect(self.refresh_browse)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Search:"), self.browse_panel))
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.browse_message)
        splitter = QSplitter(Qt.Orientation.Vertical, self.browse_panel)
        splitter.addWidget(self.browse_table)
        splitter.addWidget(self.browse_detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        panel = QVBoxLayout(self.browse_panel)
        panel.addLayout(top)
        panel.addWidget(splitter, 1)

    def _build_mine(self) -> None:
        self.mine_panel = QWidget(self)
        self.mine_panel.setObjectName("mine_panel")
        self.mine_message = QLabel(self.mine_panel)
        self.mine_message.setObjectName("mine_message")
        self.mine_message.setWordWrap(True)
        self.mine_table = _table(self.mine_panel, "mine_table", [
            self.tr("Number"), self.tr("Model"), self.tr("Symptom"), self.tr("Status"),
            self.tr("Return reason")], 4)
        self.mine_table.setColumnWidth(2, 220)
        self.mine_table.setColumnWidth(3, 90)
        self.mine_table.itemSelectionChanged.connect(self._show_mine_selected)
        self.mine_table.itemActivated.connect(lambda _i: self.edit_selected())
        self.mine_detail = _detail(self.mine_panel, "mine_detail")
        self.edit_button = QPushButton(self.tr("Edit and resubmit…"), self.mine_panel)
        self.edit_button.setObjectName("edit_entry_button")
        self.edit_button.clicked.connect(self.edit_selected)
        self.edit_button.setVisible(self.may_edit)
        splitter = QSplitter(Qt.Orientation.Vertical, self.mine_panel)
        splitter.addWidget(self.mine_table)
        splitter.addWidget(self.mine_detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        buttons = QHBoxLayout()
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.mine_message, 1)
        panel = QVBoxLayout(self.mine_panel)
        panel.addWidget(splitter, 1)
        panel.addLayout(buttons)

    # --- loading ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload every tab."""
        self.refresh_pending()
        self.refresh_browse()
        self.refresh_mine()

    def refresh_pending(self) -> None:
        """Reload the pending queue (the lead's)."""
        if not self.may_review:
            return
        self._generation += 1
        generation, actor = self._generation, self._ctx.actor
        self.message_label.setText(self.tr("Loading…"))
        self._ctx.run(lambda uow: list_pending_knowledge(uow=uow, actor=actor),
                      on_done=lambda rows: self._loaded(generation, rows),
                      on_error=self._failed, owner=self)

    def refresh_browse(self) -> None:
        self._search_timer.stop()
        self._browse_generation += 1
        generation, actor = self._browse_generation, self._ctx.actor
        text = self.search_edit.text().strip()
        self.browse_message.setText(self.tr("Loading…"))
        self._ctx.run(lambda uow: list_knowledge(uow=uow, actor=actor, text=text),
                      on_done=lambda rows: self._browse_loaded(generation, rows),
                      on_error=lambda e: self.browse_message.setText(describe_error(e).text),
                      owner=self)

    def refresh_mine(self) -> None:
        if not self.may_write:
            return
        self._mine_generation += 1
        generation, actor = self._mine_generation, self._ctx.actor
        self._ctx.run(lambda uow: list_my_knowledge(uow=uow, actor=actor),
                      on_done=lambda rows: self._mine_loaded(generation, rows),
                      on_error=lambda e: self.mine_message.setText(describe_error(e).text),
                      owner=self)

    def on_connection_restored(self) -> None:
        self.refresh()

    def focus_search(self) -> None:
        if self.tabs.currentWidget() is self.browse_panel:
            self.search_edit.setFocus()
        else:
            self.tabs.currentWidget().setFocus()

    def _loaded(self, generation: int, rows: tuple[KnowledgeView, ...]) -> None:
        if generation != self._generation:
            return
        self.entries = rows
        _fill(self.table, rows, lambda e: (e.number, e.device_model, e.symptom,
                                           e.author_name or "", str(e.times_used)))
        self.message_label.setText(
            self.tr("{count} waiting").format(count=len(rows)) if rows
            else self.tr("Nothing waiting for approval."))
        if rows:
            self.table.selectRow(0)
        self._show_selected()  # also when row 0 stays selected with new content

    def _browse_loaded(self, generation: int, rows: tuple[KnowledgeView, ...]) -> None:
        if generation != self._browse_generation:
            return
        self.browse_entries = rows
        _fill(self.browse_table, rows, lambda e: (e.number, e.device_model, e.symptom,
                                                  e.cause, str(e.times_used)))
        self.browse_message.setText(self.tr("{count} found").format(count=len(rows)) if rows
                                    else self.tr("Nothing found."))
        if rows:
            self.browse_table.selectRow(0)
        self._show_browse_selected()
        self.browse_loaded = True

    def _mine_loaded(self, generation: int, rows: tuple[KnowledgeView, ...]) -> None:
        if generation != self._mine_generation:
            return
        self.my_entries = rows
        _fill(self.mine_table, rows, lambda e: (
            e.number, e.device_model, e.symptom, knowledge_status_label(e.status),
            (e.return_reason or "") if e.status is KnowledgeStatus.REJECTED else ""))
        returned = sum(1 for e in rows if e.status is KnowledgeStatus.REJECTED)
        self.mine_message.setText(
            self.tr("{count} returned to you for rework.").format(count=returned) if returned
            else self.tr("{count} entries.").format(count=len(rows)))
        if rows:
            self.mine_table.selectRow(0)
        self._show_mine_selected()
        self.mine_loaded = True

    def _failed(self, error: BaseException) -> None:
        self.message_label.setText(describe_error(error).text)
        self._busy = False
        self._update_buttons()

    # --- selection and details -------------------------------------------------------------

    def selected_entry(self) -> KnowledgeView | None:
        return _selected(self.table, self.entries)

    def selected_mine(self) -> KnowledgeView | None:
        return _selected(self.mine_table, self.my_entries)

    def select_entry(self, entry_id: int) -> bool:
        for i, e in enumerate(self.entries):
            if e.id == entry_id:
                self.table.selectRow(i)
                return True
        return False

    def select_mine(self, entry_id: int) -> bool:
        for i, e in enumerate(self.my_entries):
            if e.id == entry_id:
                self.tabs.setCurrentWidget(self.mine_panel)
                self.mine_table.selectRow(i)
                return True
        return False

    def describe(self, entry: KnowledgeView, *, with_status: bool = False) -> str:
        parts = [f"{entry.number}  {entry.device_model}"]
        if with_status:
            parts.append(self.tr("Status: {status}").format(
                status=knowledge_status_label(entry.status)))
            if entry.status is KnowledgeStatus.REJECTED and entry.return_reason:
                parts.append(self.tr("Returned by the repair lead: {reason}").format(
                    reason=entry.return_reason))
        elif entry.return_reason:
            parts.append(self.tr("Returned before: {reason}").format(
                reason=entry.return_reason))
        parts += [self.tr("Symptom: {text}").format(text=entry.symptom),
                  self.tr("Cause: {text}").format(text=entry.cause),
                  self.tr("Solution:"), entry.solution]
        if entry.parts:
            parts.append(self.tr("Parts: {text}").format(text=entry.parts))
        if entry.keywords:
            parts.append(self.tr("Keywords: {text}").format(text=entry.keywords))
        return "\n".join(parts)

    def _show_selected(self) -> None:
        entry = self.selected_entry()
        self.detail.setPlainText(self.describe(entry) if entry is not None else "")
        self._update_buttons()

    def _show_browse_selected(self) -> None:
        entry = _selected(self.browse_table, self.browse_entries)
        self.browse_detail.setPlainText(self.describe(entry) if entry is not None else "")

    def _show_mine_selected(self) -> None:
        entry = self.selected_mine()
        self.mine_detail.setPlainText(self.describe(entry, with_status=True)
                                      if entry is not None else "")
        self._update_buttons()

    def _update_buttons(self) -> None:
        enabled = self.selected_entry() is not None and not self._busy
        self.approve_button.setEnabled(enabled)
        self.reject_button.setEnabled(enabled)
        mine = self.selected_mine()
        self.edit_button.setEnabled(mine is not None and mine.status in EDITABLE
                                    and not self._busy)

    # --- actions ---------------------------------------------------------------------------

    def approve_selected(self) -> None:
        self._review(approve_knowledge, self.tr("Approved: {number}"), {})

    def ask_reject(self) -> ReturnDialog | None:
        """Ask the lead for the reason before returning the entry to its author."""
        entry = self.selected_entry()
        if entry is None or self._busy:
            return None
        dialog = ReturnDialog(entry, self)
        dialog.reason_given.connect(self.reject_selected)
        self.return_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: setattr(self, "return_dialog", None))
        dialog.open()
        return dialog

    def reject_selected(self, reason: str) -> None:
        self._review(reject_knowledge, self.tr("Returned for rework: {number}"),
                     {"reason": reason})

    def _review(self, fn: Any, done_text: str, extra: dict[str, Any]) -> None:
        entry = self.selected_entry()
        if entry is None or self._busy:
            return
        entry_id, version, actor = entry.id, entry.version, self._ctx.actor
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
            self.refresh_pending()

        self._ctx.run(lambda uow: fn(uow=uow, actor=actor, entry_id=entry_id,
                                     expected_version=version, **extra),
                      on_done=done, on_error=failed, owner=self)

    def edit_selected(self) -> QDialog | None:
        """Open the selected own entry (draft, pending or returned) to edit and resubmit."""
        entry = self.selected_mine()
        if entry is None or entry.status not in EDITABLE or not self.may_edit:
            return None
        from app.ui.service.repair_dialog import KnowledgeFormDialog
        dialog = KnowledgeFormDialog(self._ctx, entry.device_model, entry.symptom, self,
                                     entry=entry)
        dialog.created.connect(self._edited)
        self.edit_dialog = dialog
        keep_open(dialog)
        return dialog

    def _edited(self, view: KnowledgeView) -> None:
        self.mine_message.setText(
            self.tr("{number} submitted for approval.").format(number=view.number)
            if view.status is KnowledgeStatus.PENDING
            else self.tr("{number} saved.").format(number=view.number))
        self.refresh()


__all__ = ["KnowledgePage", "ReturnDialog", "knowledge_status_label"]

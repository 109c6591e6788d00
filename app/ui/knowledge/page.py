"""The knowledge base (知识库 / 维修技术问题记录单) module page.

Three tabs, each shown to whoever may use it:

- *Pending approval* (the repair lead, ``KNOWLEDGE/CONFIRM``): approve, or return for
  rework with a reason the author sees.
- *Browse* (everyone with ``KNOWLEDGE/VIEW``): the approved entries, searched by model and
  symptom words.
- *My entries* (whoever writes entries, ``KNOWLEDGE/CREATE``): the user's own entries with
  their status and the return reason; a returned or draft entry is edited and resubmitted.

Whoever writes entries starts one here too, with "New entry" (Ctrl+N): the entry form opens
empty (an entry also starts from an open repair record, with its model and symptoms).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
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
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import labels
from app.models.enums import KnowledgeStatus, Module, Operation
from app.services.knowledge import (
    EDITABLE,
    KnowledgeListView,
    KnowledgeView,
    approve_knowledge,
    page_knowledge,
    reject_knowledge,
)
from app.ui.context import AppContext
from app.ui.errors import describe_error, show_error
from app.ui.formatting import group_digits
from app.ui.kit.list_page import prepare_table
from app.ui.kit.record_dialog import keep_open
from app.ui.kit.rows import CurrentRowKeeper, held_rows, row_of
from app.ui.kit.table import DEFAULT_PAGE_SIZE, Col, PagedTableModel, PageRequest

SEARCH_DEBOUNCE_MS = 300
RETURNED_COLOUR = "#c62828"

def knowledge_status_label(status: KnowledgeStatus) -> str:
    return labels.label(status)


def _returned_colour(entry: KnowledgeView, role: int) -> Any:
    if role == Qt.ItemDataRole.ForegroundRole and entry.status is KnowledgeStatus.REJECTED:
        return QBrush(QColor(RETURNED_COLOUR))
    return None


def _detail(split_parent: QWidget, name: str) -> QPlainTextEdit:
    detail = QPlainTextEdit(split_parent)
    detail.setObjectName(name)
    detail.setReadOnly(True)
    return detail


class _EntryList:
    """One tab's list: the entries of one :class:`KnowledgeListView`, read a page at a
    time (on the worker) and sorted by the server; the first (or the same) entry chosen
    after every read. The query is the search text (browsing) or None."""

    def __init__(self, ctx: AppContext, page: QWidget, name: str,
                 columns: list[Col[KnowledgeView]], view: KnowledgeListView,
                 stretch: int, page_size: int) -> None:
        self._ctx = ctx
        self._page = page
        self._view = view
        self.model = PagedTableModel(columns, self._load, page_size=page_size, parent=page)
        self.table = QTableView(page)
        self.table.setObjectName(name)
        prepare_table(self.table, self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        self.keeper = CurrentRowKeeper(self.table, self.model)

    def _load(self, query: str | None, request: PageRequest,
              on_done: Callable[[Any], None],
              on_error: Callable[[BaseException], None]) -> None:
        actor, view = self._ctx.actor, self._view
        self._ctx.run(lambda uow: page_knowledge(
            uow=uow, actor=actor, view=view, text=query, after=request.after,
            limit=request.limit, sort=request.sort, with_total=request.with_total),
            on_done=on_done, on_error=on_error, owner=self._page)

    def counts(self) -> tuple[int, int]:
        """(rows shown, entries in the list): the list's total once it is known."""
        shown, total = self.model.rowCount(), self.model.total
        return shown, shown if total is None else max(total, shown)

    @property
    def entries(self) -> tuple[KnowledgeView, ...]:
        return held_rows(self.model)

    def selected(self) -> KnowledgeView | None:
        chosen = self.table.selectionModel().selectedRows()
        return self.model.row_at(chosen[0].row()) if chosen else None

    def select(self, entry_id: int) -> bool:
        row = row_of(self.model, entry_id)
        if row >= 0:
            self.table.selectRow(row)
        return row >= 0


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
    """Browse approved entries; review the pending ones (lead); follow up one's own.

    Each tab's list is read a page at a time and sorts by any column on the server. An entry
    written anywhere (a technician's new entry from a repair, an edit here, the lead's
    decision) is heard on the change bus and the three lists read again.
    """

    page_size = DEFAULT_PAGE_SIZE

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *,
                 search_debounce_ms: int = SEARCH_DEBOUNCE_MS) -> None:
        super().__init__(parent)
        self.setObjectName("knowledge_page")
        self._ctx = ctx
        self._busy = False
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
        self.new_button = QPushButton(self.tr("New entry…"), self)
        self.new_button.setObjectName("new_entry_button")
        self.new_button.setToolTip(self.tr("Write a new knowledge entry ({key})").format(
            key=QKeySequence(QKeySequence.StandardKey.New).toString(
                QKeySequence.SequenceFormat.NativeText)))
        self.new_button.clicked.connect(self.new_entry)
        self.new_button.setVisible(self.may_write)
        self.new_dialog: QDialog | None = None
        self._mine_note = ""  # what was just saved: said again once the list reads again
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

        top = QHBoxLayout()
        top.addWidget(self.note_label, 1)
        top.addWidget(self.new_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        ctx.changes.follow(self, ("knowledge",), lambda _kind, _id: self.refresh())
        self.refresh()  # F5 (the main window's Refresh) calls refresh() too

    # --- building --------------------------------------------------------------------------

    def _column(self, key: str) -> Col[KnowledgeView]:
        """The column ``key`` (also its sort key), in red on an entry returned for rework."""
        columns: dict[str, Col[KnowledgeView]] = {
            c.key: c for c in (
                Col("number", self.tr("Number"), lambda e: e.number, width=140),
                Col("model", self.tr("Model"), lambda e: e.device_model, width=160),
                Col("symptom", self.tr("Symptom"), lambda e: e.symptom, width=220),
                Col("cause", self.tr("Cause"), lambda e: e.cause, width=200),
                Col("author", self.tr("Author"), lambda e: e.author_name or "", width=100),
                Col("used", self.tr("Used"), lambda e: str(e.times_used), width=60),
                Col("status", self.tr("Status"), lambda e: knowledge_status_label(e.status),
                    width=90),
                Col("return_reason", self.tr("Return reason"),
                    lambda e: (e.return_reason or "")
                    if e.status is KnowledgeStatus.REJECTED else ""),
            )}
        return dataclasses.replace(columns[key], sort=key, role=_returned_colour)

    def _build_pending(self) -> None:
        self.review_panel = QWidget(self)
        self.review_panel.setObjectName("pending_panel")
        self.message_label = QLabel(self.review_panel)
        self.message_label.setObjectName("list_message")
        self.message_label.setWordWrap(True)
        self.pending = _EntryList(
            self._ctx, self, "pending_table",
            [self._column(k) for k in ("number", "model", "symptom", "author", "used")],
            KnowledgeListView.PENDING, 2, self.page_size)
        self.model, self.table = self.pending.model, self.pending.table
        self.table.setParent(self.review_panel)
        self.table.selectionModel().selectionChanged.connect(
            lambda _s, _d: self._show_selected())
        self.pending.keeper.current_changed.connect(self._show_selected)
        self.model.page_loaded.connect(self._loaded)
        self.model.load_failed.connect(self._failed)
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
        self.browse = _EntryList(
            self._ctx, self, "browse_table",
            [self._column(k) for k in ("number", "model", "symptom", "cause", "used")],
            KnowledgeListView.BROWSE, 2, self.page_size)
        self.browse_model, self.browse_table = self.browse.model, self.browse.table
        self.browse_table.setParent(self.browse_panel)
        self.browse_table.selectionModel().selectionChanged.connect(
            lambda _s, _d: self._show_browse_selected())
        self.browse.keeper.current_changed.connect(self._show_browse_selected)
        self.browse_model.page_loaded.connect(self._browse_loaded)
        self.browse_model.load_failed.connect(
            lambda e: self.browse_message.setText(describe_error(e).text))
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
        self.mine = _EntryList(
            self._ctx, self, "mine_table",
            [self._column(k) for k in ("number", "model", "symptom", "status",
                                       "return_reason")],
            KnowledgeListView.MINE, 4, self.page_size)
        self.mine_model, self.mine_table = self.mine.model, self.mine.table
        self.mine_table.setParent(self.mine_panel)
        self.mine_table.selectionModel().selectionChanged.connect(
            lambda _s, _d: self._show_mine_selected())
        self.mine.keeper.current_changed.connect(self._show_mine_selected)
        self.mine_table.activated.connect(lambda _i: self.edit_selected())
        self.mine_model.page_loaded.connect(self._mine_loaded)
        self.mine_model.load_failed.connect(
            lambda e: self.mine_message.setText(describe_error(e).text))
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
        self.message_label.setText(self.tr("Loading…"))
        self.model.set_query(None, force=True)

    def refresh_browse(self) -> None:
        self._search_timer.stop()
        self.browse_message.setText(self.tr("Loading…"))
        self.browse_model.set_query(self.search_edit.text().strip(), force=True)

    def refresh_mine(self) -> None:
        if not self.may_write:
            return
        self.mine_model.set_query(None, force=True)

    def on_connection_restored(self) -> None:
        self.refresh()

    def focus_search(self) -> None:
        if self.tabs.currentWidget() is self.browse_panel:
            self.search_edit.setFocus()
        else:
            self.tabs.currentWidget().setFocus()

    @property
    def entries(self) -> tuple[KnowledgeView, ...]:
        """The pending queue, in the order shown."""
        return self.pending.entries

    @property
    def browse_entries(self) -> tuple[KnowledgeView, ...]:
        return self.browse.entries

    @property
    def my_entries(self) -> tuple[KnowledgeView, ...]:
        return self.mine.entries

    def _loaded(self) -> None:
        _shown, waiting = self.pending.counts()
        self.message_label.setText(
            self.tr("{count} waiting").format(count=group_digits(waiting)) if waiting
            else self.tr("Nothing waiting for approval."))
        self._show_selected()

    def _browse_loaded(self) -> None:
        shown, found = self.browse.counts()
        if not shown:
            text = self.tr("Nothing found.")
        elif found > shown:
            text = self.tr("{shown} shown of {total} found").format(
                shown=shown, total=group_digits(found))
        else:
            text = self.tr("{count} found").format(count=shown)
        self.browse_message.setText(text)
        self.browse_loaded = True

    def _mine_loaded(self) -> None:
        shown, total = self.mine.counts()
        # Counted among the entries shown; unsorted they come first.
        returned = sum(1 for e in self.my_entries if e.status is KnowledgeStatus.REJECTED)
        if total > shown:
            text = (self.tr("{shown} of {total} entries shown, {returned} of them returned "
                            "to you for rework.") if returned
                    else self.tr("{shown} of {total} entries shown.")).format(
                shown=shown, total=group_digits(total), returned=returned)
        elif returned:
            text = self.tr("{count} returned to you for rework.").format(count=returned)
        else:
            text = self.tr("{count} entries.").format(count=shown)
        note, self._mine_note = self._mine_note, ""
        self.mine_message.setText(note or text)
        self.mine_loaded = True

    def _failed(self, error: BaseException) -> None:
        self.message_label.setText(describe_error(error).text)
        self._busy = False
        self._update_buttons()

    # --- selection and details -------------------------------------------------------------

    def selected_entry(self) -> KnowledgeView | None:
        return self.pending.selected()

    def selected_mine(self) -> KnowledgeView | None:
        return self.mine.selected()

    def select_entry(self, entry_id: int) -> bool:
        return self.pending.select(entry_id)

    def select_mine(self, entry_id: int) -> bool:
        if not self.mine.select(entry_id):
            return False
        self.tabs.setCurrentWidget(self.mine_panel)
        return True

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
        entry = self.browse.selected()
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
            # The three lists here (and the technician's, at his station's page) read again.
            self._ctx.changes.publish("knowledge", view.id)
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

    def new_entry(self) -> QDialog | None:
        """Open the knowledge entry form empty; the saved entry is selected in My entries."""
        if not self.may_write:
            return None
        from app.ui.service.repair_dialog import KnowledgeFormDialog
        dialog = KnowledgeFormDialog(self._ctx, "", "", self)
        dialog.setObjectName("new_knowledge_dialog")
        dialog.created.connect(self._created)
        self.new_dialog = dialog
        keep_open(dialog)
        dialog.edits["device_model"].setFocus()
        return dialog

    # The main window's New (Ctrl+N) on this page.
    new_record = new_entry

    def _created(self, view: KnowledgeView) -> None:
        self.mine.keeper.prefer(view.id)
        self.tabs.setCurrentWidget(self.mine_panel)
        self._edited(view)

    def _edited(self, view: KnowledgeView) -> None:
        # The list reads again after the save (the change bus): the note outlives that.
        self._mine_note = (
            self.tr("{number} submitted for approval.").format(number=view.number)
            if view.status is KnowledgeStatus.PENDING
            else self.tr("{number} saved.").format(number=view.number))
        self.mine_message.setText(self._mine_note)


__all__ = ["KnowledgePage", "ReturnDialog", "knowledge_status_label"]

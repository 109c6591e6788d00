"""确认队列: the submitted visits, orders and repair records waiting for management."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QWidget,
)

from app.models.enums import Module
from app.services.confirmation import (
    BatchRefusal,
    BatchResult,
    ConfirmationResult,
    QueueItem,
    RecordKind,
    RecordRef,
    confirm_records,
    page_confirmation_queue,
    return_record,
    waiting_record_keys,
)
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.errors import describe_error, show_error
from app.ui.formatting import format_local_datetime, format_yuan, group_digits
from app.ui.kit.list_page import ListPage
from app.ui.kit.rows import CurrentRowKeeper, held_rows, row_of
from app.ui.kit.table import Col, PageRequest
from app.ui.management.dialogs import TextPromptDialog, changed_kind, open_text_prompt
from app.ui.record_labels import kind_icon, kind_label
from app.ui.shell.record_openers import record_openers

# Records confirmed per call of the service while a selection is confirmed: small enough
# for the progress to move and for a stop to take effect soon, large enough to be quick.
BATCH_CHUNK = 20


def record_kind_label(kind: RecordKind | str) -> str:
    """Visit / Order / Repair in the timeline's words."""
    return kind_label(RecordKind(kind).value)


def _kind_icon(item: QueueItem, role: int) -> Any:
    return kind_icon(item.kind.value) if role == Qt.ItemDataRole.DecorationRole else None


class ConfirmationQueueTab(ListPage):
    """The whole queue, read page by page from the server, oldest waiting first (any column
    sorts it); the status line gives the true total and a count per kind, the kind filter
    shows one kind. Several rows are selected with Shift/Ctrl and confirmed in one action,
    "Confirm selected (N)" (Ctrl+Enter). Select all (Ctrl+A) means every waiting record of
    the kind filter, however many: the list holds a window of its rows only, so the keys
    of all of them are read from the server in one query and those are confirmed (the
    rest of the list is read too while it fits the model's cache, to show them). Each record
    through the service with its own audit row; a record someone changed or decided
    meanwhile is reported and left as it is. Enter opens the current record, Ctrl+R returns
    it with a comment. A visit or repair record opens read-only with its own Confirm /
    Return… buttons, so the record is read before it is decided. A decision taken anywhere
    (here, in the record, at another station's queue of this program) is heard on the
    change bus and the queue reads again."""

    module = Module.TASKS
    watch = ("visit", "order", "ticket")  # what a submission or a decision changes
    table_name = "queue_table"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("confirmation_queue_tab")
        self.loaded = False
        self.dialog: QWidget | None = None
        self.report_box: QMessageBox | None = None
        self.counts: dict[RecordKind, int] = {}
        self.last_batch: BatchResult | None = None
        self._batch: _BatchRun | None = None
        self._select_all_pending = False
        # Select all beyond the rows held: the keys of every waiting record of the filter
        # (None while they are read), and which select-all they belong to.
        self._all_selected = False
        # What the last confirm run did ("45 confirmed."): it stays before the count when
        # the list is read again after it, until the person asks for something else.
        self._result_note = ""
        self._all_keys: tuple[RecordRef, ...] | None = None
        self._all_token = 0
        self._selecting = False
        self._confirm_when_read = False
        self.kind_combo = QComboBox(self)
        self.kind_combo.setObjectName("queue_kind_filter")
        self.kind_combo.addItem(self.tr("All kinds"), None)
        for kind in RecordKind:
            self.kind_combo.addItem(kind_icon(kind.value), record_kind_label(kind), kind)
        self.kind_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.kind_combo.currentIndexChanged.connect(lambda _i: self._on_kind_changed())
        self.add_filter(self.kind_combo, self.tr("Kind:"))
        self.counts_label = QLabel(self)
        self.counts_label.setObjectName("queue_counts")
        self.bar.insertWidget(self.bar.indexOf(self.message_label) + 1, self.counts_label)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.open_button = QPushButton(self.tr("Open"), self)
        self.open_button.setObjectName("queue_open")
        self.open_button.clicked.connect(lambda: self.open_row(self.current_row()))
        self.select_all_button = QPushButton(self.tr("Select all"), self)
        self.select_all_button.setObjectName("queue_select_all")
        self.select_all_button.setToolTip(self.tr("Every record of the list, also those "
                                                  "not shown yet (Ctrl+A)"))
        self.select_all_button.clicked.connect(self.select_all)
        self.confirm_button = QPushButton(self.tr("Confirm"), self)
        self.confirm_button.setObjectName("queue_confirm")
        self.confirm_button.setToolTip("Ctrl+Enter")
        self.confirm_button.clicked.connect(self.confirm_selected)
        self.return_button = QPushButton(self.tr("Return…"), self)
        self.return_button.setObjectName("queue_return")
        self.return_button.setToolTip("Ctrl+R")
        self.return_button.clicked.connect(self.return_current)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("queue_progress")
        self.progress.setFormat(self.tr("%v of %m confirmed"))
        self.progress.hide()
        self.stop_button = QPushButton(self.tr("Stop"), self)
        self.stop_button.setObjectName("queue_stop")
        self.stop_button.setToolTip(self.tr("Stop after the records being confirmed now"))
        self.stop_button.clicked.connect(self.stop_batch)
        self.stop_button.hide()
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self.table, activated=self.confirm_selected)
        QShortcut(QKeySequence("Ctrl+R"), self, activated=self.return_current)
        QShortcut(QKeySequence(QKeySequence.StandardKey.SelectAll), self.table).activated.connect(
            self.select_all)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 1)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.select_all_button)
        buttons.addWidget(self.return_button)
        buttons.addWidget(self.confirm_button)
        self.add_footer(buttons)
        self.keeper = CurrentRowKeeper(self.table, self.model)
        self.keeper.current_changed.connect(self._update_buttons)
        self.table.selectionModel().currentRowChanged.connect(
            lambda _c, _p: self._update_buttons())
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        # A list read again (another filter, order, a change heard) is a new list: what
        # "all" meant is gone with the selection.
        self.model.modelReset.connect(self._drop_select_all)
        self.model.page_loaded.connect(self._loaded)
        self.model.load_failed.connect(lambda _e: self._loaded())
        self.setFocusProxy(self.table)
        self._update_buttons()
        self.start()

    def columns(self) -> list[Col[Any]]:
        return [
            Col("kind", self.tr("Kind"), lambda r: record_kind_label(r.kind), sort="kind",
                width=110, role=_kind_icon),
            Col("reference", self.tr("Reference"), lambda r: r.reference, sort="reference",
                width=190),
            Col("customer", self.tr("Customer"), lambda r: r.customer_name, sort="customer",
                width=220),
            Col("author", self.tr("Author"), lambda r: r.author_name, sort="author",
                width=100),
            Col("submitted", self.tr("Submitted"),
                lambda r: format_local_datetime(r.submitted_at), sort="submitted", width=140),
            Col("amount", self.tr("Amount"),
                lambda r: format_yuan(r.amount) if r.amount is not None else "",
                sort="amount", width=110).money(),
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
        return page_confirmation_queue(uow=uow, actor=self._ctx.actor, kinds=query,
                                       after=request.after, limit=request.limit,
                                       sort=request.sort, with_total=request.with_total)

    def _load(self, query: Any, request: PageRequest, on_done: Callable[[Any], None],
              on_error: Callable[[BaseException], None]) -> None:
        # The counts per kind ride along with the first page and the total.
        def done(page: Any) -> None:
            if getattr(page, "counts", None) is not None:
                self._show_counts(page.counts)
            on_done(page)

        super()._load(query, request, done, on_error)

    def _show_counts(self, counts: Mapping[RecordKind, int]) -> None:
        self.counts = dict(counts)
        self.counts_label.setText(" · ".join(
            f"{record_kind_label(kind)} {group_digits(counts[kind])}"
            for kind in RecordKind if kind in counts))
        self.kind_combo.setItemText(0, "{} ({})".format(
            self.tr("All kinds"), group_digits(sum(counts.values()))))
        for index in range(1, self.kind_combo.count()):
            kind = self.kind_combo.itemData(index)
            label = record_kind_label(kind)
            self.kind_combo.setItemText(
                index, f"{label} ({group_digits(counts[kind])})" if kind in counts else label)

    def _loaded(self) -> None:
        self.loaded = True
        if self._select_all_pending:
            self._continue_select_all()
        elif self._all_selected:
            self._select_shown()  # rows read by scrolling are in "all" too
        self._update_buttons()

    def _on_kind_changed(self) -> None:
        self._result_note = ""
        self.refresh()

    def show_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total
        count = total if total is not None else shown
        if self._all_selected and self._all_keys is not None and not self._wholly_held():
            self.message_label.setText(
                self.tr("All {count} waiting records are selected ({shown} shown).").format(
                    count=group_digits(len(self._all_keys)), shown=group_digits(shown)))
            return
        if not count:
            text = self.tr("Nothing waits for confirmation.")
        elif count > shown:
            text = self.tr("{count} records wait for confirmation ({shown} shown).").format(
                count=group_digits(count), shown=group_digits(shown))
        else:
            text = self.tr("{count} records wait for confirmation.").format(
                count=group_digits(count))
        self.message_label.setText(f"{self._result_note} {text}" if self._result_note
                                   else text)

    # --- selection -------------------------------------------------------------------------

    def current_row(self) -> int:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else -1

    def current_item(self) -> QueueItem | None:
        item: QueueItem | None = self.model.row_at(self.current_row())
        return item

    def selected_items(self) -> list[QueueItem]:
        """The selected records whose rows are held, in the order shown."""
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [item for r in rows if (item := self.model.row_at(r)) is not None]

    @property
    def all_selected(self) -> bool:
        """Select all is on: Confirm acts on every waiting record of the kind filter."""
        return self._all_selected

    def selected_count(self) -> int:
        """How many records Confirm would confirm."""
        if self._all_selected and self._all_keys is not None:
            return len(self._all_keys)
        count = len(self.selected_items())
        if self._all_selected:
            count = max(count, self.model.total or 0)
        return count

    def select(self, kind: RecordKind | str, record_id: int) -> bool:
        row = row_of(self.model, (RecordKind(kind), record_id))
        if row >= 0:
            self.table.selectRow(row)
        return row >= 0

    def select_all(self) -> None:
        """Select every waiting record of the kind filter, also those never listed.

        A list that is read to its end with every row held needs nothing more. Otherwise
        the keys of all the waiting records are read in one query (what Confirm then
        confirms), and the rest of the list is read while it stays in the cache, to show.
        """
        if self._batch is not None:
            return
        self._all_token += 1
        self._all_selected = True
        self._result_note = ""
        self._all_keys = None
        self._confirm_when_read = False
        self._select_shown()
        if self._wholly_held():
            return
        token, actor, kinds = self._all_token, self._ctx.actor, self.current_query()
        self._ctx.run(lambda uow: waiting_record_keys(uow=uow, actor=actor, kinds=kinds),
                      on_done=lambda keys: self._keys_read(token, keys),
                      on_error=lambda error: self._keys_failed(token, error), owner=self)
        self._select_all_pending = True
        self.message_label.setText(self.tr("Reading every waiting record…"))
        self._continue_select_all()
        self._update_buttons()

    def _wholly_held(self) -> bool:
        return self.model.at_end and self.model.cached_row_count >= self.model.rowCount()

    def _select_shown(self) -> None:
        self._selecting = True
        try:
            self.table.selectAll()
        finally:
            self._selecting = False

    def _continue_select_all(self) -> None:
        if self.model.error is not None:
            self._select_all_pending = False
            return
        self._select_shown()
        # Reading on would push rows out of the cache again: the keys stand for them.
        if not self.model.at_end and self.model.cached_row_count >= self.model.rowCount():
            if not self.model.is_loading:
                self.model.fetchMore(self.model.index(-1, -1).parent())
            return
        self._select_all_pending = False
        self.show_count()

    def _keys_read(self, token: int, keys: tuple[RecordRef, ...]) -> None:
        if token != self._all_token or not self._all_selected:
            return
        self._all_keys = keys
        if not self._select_all_pending:
            self.show_count()
        self._update_buttons()
        if self._confirm_when_read:
            self._confirm_when_read = False
            self.confirm_selected()

    def _keys_failed(self, token: int, error: BaseException) -> None:
        if token != self._all_token:
            return
        self._drop_select_all()
        self.message_label.setText(describe_error(error).text)
        show_error(self, error)

    def _selection_changed(self, *_args: Any) -> None:
        if not self._selecting and self._all_selected:
            # The person chose rows themselves: the selection is what is shown selected.
            self._drop_select_all()
        self._update_buttons()

    def _drop_select_all(self) -> None:
        self._all_token += 1
        self._all_selected = False
        self._all_keys = None
        self._select_all_pending = False
        self._confirm_when_read = False
        self._update_buttons()

    # --- actions ---------------------------------------------------------------------------

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
        """Confirm the selection (the current record when nothing else is selected)."""
        self.confirm_selected()

    def confirm_selected(self) -> None:
        """Confirm every selected record, a few at a time on the worker, with progress."""
        if self._batch is not None:
            return
        self._result_note = ""
        shown = {(i.kind, i.id): i for i in self.selected_items()}
        if self._all_selected and not self._wholly_held():
            if self._all_keys is None:
                # The keys of every waiting record are on their way: confirm them then.
                self._confirm_when_read = True
                self.message_label.setText(self.tr("Reading every waiting record…"))
                return
            held = {(i.kind, i.id): i for i in held_rows(self.model)}
            # The version shown where the row is held: a record changed since is refused.
            refs = [RecordRef(k.kind, k.id, held[(k.kind, k.id)].version)
                    if (k.kind, k.id) in held else k for k in self._all_keys]
            shown = held
        else:
            if not shown and (current := self.current_item()) is not None:
                shown = {(current.kind, current.id): current}
            refs = [RecordRef(i.kind, i.id, i.version) for i in shown.values()]
        if not refs:
            return
        names = {key: f"{record_kind_label(i.kind)} {i.reference}"
                 for key, i in shown.items()}
        self._batch = _BatchRun(refs, names)
        self.progress.setRange(0, len(refs))
        self.progress.setValue(0)
        large = len(refs) > BATCH_CHUNK
        self.progress.setVisible(large)
        self.stop_button.setVisible(large)
        self.stop_button.setEnabled(True)
        self.message_label.setText(self.tr("Saving…"))
        self._update_buttons()
        self._next_chunk()

    def stop_batch(self) -> None:
        """Stop confirming after the records being confirmed now."""
        if self._batch is not None:
            self._batch.stopped = True
            self.stop_button.setEnabled(False)

    def _next_chunk(self) -> None:
        batch = self._batch
        assert batch is not None
        chunk = batch.next_chunk()
        if not chunk:
            self._batch_done()
            return
        actor = self._ctx.actor
        self._ctx.run(lambda uow: confirm_records(uow=uow, actor=actor, records=chunk),
                      on_done=self._chunk_done, on_error=self._batch_failed, owner=self)

    def _chunk_done(self, result: BatchResult) -> None:
        batch = self._batch
        if batch is None:
            return
        batch.add(result)
        self.progress.setValue(batch.done)
        self._next_chunk()

    def _batch_failed(self, error: BaseException) -> None:
        batch = self._batch
        if batch is not None:
            batch.stopped = True
            batch.error = error
        self._batch_done()

    def _batch_done(self) -> None:
        batch, self._batch = self._batch, None
        assert batch is not None
        self._drop_select_all()
        self.progress.hide()
        self.stop_button.hide()
        result = batch.result()
        self.last_batch = result
        # One announcement per kind: the queue, the to-do lists and the records' own lists
        # read again once, not once per record.
        for kind in dict.fromkeys(r.kind for r in result.confirmed):
            self._ctx.changes.publish(changed_kind(kind), None)
        summary = self.tr("{count} confirmed.").format(count=len(result.confirmed))
        left = len(batch.items) - len(result.confirmed) - len(result.refused)
        if result.refused:
            summary += " " + self.tr("{count} left as they were.").format(
                count=len(result.refused))
        if left and batch.error is None:
            summary += " " + self.tr("{count} not confirmed (stopped).").format(count=left)
        if batch.error is not None:
            summary += " " + describe_error(batch.error).text
        self._result_note = summary
        if not result.confirmed:
            self.refresh()  # nothing announced: read again anyway (a conflict changed rows)
        self.message_label.setText(summary)
        self._update_buttons()
        if result.refused:
            self.report_box = self._report(batch, result.refused)
        elif batch.error is not None:
            show_error(self, batch.error)

    def _report(self, batch: _BatchRun, refused: tuple[BatchRefusal, ...]) -> QMessageBox:
        """Which records were left, and why (someone changed or decided them meanwhile)."""
        lines = [f"{batch.name_of(r.kind, r.id)}: {r.reason}" for r in refused]
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Some records were not confirmed"),
                          self.tr("{confirmed} confirmed; these {count} were left as they "
                                  "are, read them again before deciding:").format(
                              confirmed=len(batch.confirmed), count=len(refused)),
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("batch_report_box")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText("\n".join(lines[:10]) + (
            "\n…" if len(lines) > 10 else ""))
        if len(lines) > 10:
            box.setDetailedText("\n".join(lines))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _r: setattr(self, "report_box", None))
        box.open()
        return box

    def return_current(self) -> TextPromptDialog | None:
        item = self.current_item()
        if item is None or self._batch is not None:
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

    def _update_buttons(self) -> None:
        busy = self._batch is not None
        has = self.current_item() is not None
        selected = self.selected_count() or (1 if has else 0)
        self.open_button.setEnabled(has and not busy)
        self.return_button.setEnabled(has and not busy)
        self.select_all_button.setEnabled(self.model.rowCount() > 0 and not busy)
        self.confirm_button.setEnabled(selected > 0 and not busy)
        self.confirm_button.setText(
            self.tr("Confirm selected ({count})").format(count=selected) if selected > 1
            else self.tr("Confirm"))


class _BatchRun:
    """A selection being confirmed: what is left, what was confirmed or refused."""

    def __init__(self, items: list[RecordRef], names: Mapping[tuple[RecordKind, int], str],
                 ) -> None:
        self.items = items
        self._names = names
        self._at = 0
        self.confirmed: list[ConfirmationResult] = []
        self.refused: list[BatchRefusal] = []
        self.stopped = False
        self.error: BaseException | None = None

    @property
    def done(self) -> int:
        return len(self.confirmed) + len(self.refused)

    def name_of(self, kind: RecordKind, record_id: int) -> str:
        """The record as the list named it (kind and reference), or its kind and id."""
        return self._names.get((kind, record_id)) or f"{record_kind_label(kind)} {record_id}"

    def next_chunk(self) -> list[RecordRef]:
        if self.stopped:
            return []
        chunk = self.items[self._at:self._at + BATCH_CHUNK]
        self._at += len(chunk)
        return chunk

    def add(self, result: BatchResult) -> None:
        self.confirmed.extend(result.confirmed)
        self.refused.extend(result.refused)

    def result(self) -> BatchResult:
        return BatchResult(confirmed=tuple(self.confirmed), refused=tuple(self.refused))


__all__ = ["BATCH_CHUNK", "ConfirmationQueueTab", "record_kind_label"]

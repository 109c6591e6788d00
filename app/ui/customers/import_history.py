"""导入记录: the imports a person made (every import, for the administrator), newest first.

From here an import is undone (asked first, naming the file and what it wrote; the records
kept because they were used or changed since are listed with why), and an import whose
station stopped mid-way — it stays "running" — is marked as interrupted once it has written
nothing for a while, so that it can be undone too. Every call runs on the database worker;
the rules live in :mod:`app.services.importing.history` and ``undo_import``.

Keys: Delete asks to undo the selected import, Enter does what the selected row offers
(undo, or mark as interrupted), Esc closes.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.errors import ConflictError, NotFound, ValidationError
from app.services.importing.customers import UndoResult, undo_import
from app.services.importing.history import (
    STALE,
    ImportedRecord,
    ImportSummary,
    close_interrupted_import,
    import_details,
    kind_label,
    list_imports,
    status_label,
)
from app.ui.context import AppContext
from app.ui.errors import describe_error
from app.ui.formatting import format_local_datetime, group_digits
from app.ui.kit.busy import BusyDialog
from app.ui.kit.fields import fixed_table, show_as_error
from app.ui.kit.record_dialog import keep_open

(COLUMN_STARTED, COLUMN_BY, COLUMN_KIND, COLUMN_FILE, COLUMN_STATUS, COLUMN_ROWS,
 COLUMN_CREATED, COLUMN_UPDATED, COLUMN_SKIPPED, COLUMN_REFUSED, COLUMN_KEPT) = range(11)
NUMBER_COLUMNS = (COLUMN_ROWS, COLUMN_CREATED, COLUMN_UPDATED, COLUMN_SKIPPED,
                  COLUMN_REFUSED, COLUMN_KEPT)
# What an undo of each kind of import changed, for the lists open elsewhere.
CHANGED_KINDS = {"customers": "customer", "devices": "device", "products": "product",
                 "receivables": "order"}
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class ImportHistoryDialog(BusyDialog):
    """The past imports, with undo and marking an import as interrupted.

    Non-modal: open it with :func:`open_import_history`.

    Signals:
        undone(object): the :class:`UndoResult`, once an import is undone.
        interrupted(object): the :class:`ImportSummary` of an import marked interrupted.
    """

    undone = Signal(object)
    interrupted = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("import_history_dialog")
        self.setWindowTitle(self.tr("Past imports"))
        self.ctx = ctx
        self.summaries: list[ImportSummary] = []
        self.kept: tuple[ImportedRecord, ...] = ()
        self.loaded = False  # the list was read at least once
        self.busy = False  # an undo or a close runs on the worker
        self.confirm_box: QMessageBox | None = None
        self._serial = 0
        self._details_serial = 0

        intro = QLabel(self.tr(
            "Newest first. Undoing an import removes what it created and puts back what it "
            "changed; a record used or changed since is kept, with the reason."), self)
        intro.setWordWrap(True)
        self.table = fixed_table(self, [
            self.tr("Started"), self.tr("By"), self.tr("Kind"), self.tr("File"),
            self.tr("Status"), self.tr("Rows"), self.tr("Created"), self.tr("Updated"),
            self.tr("Skipped"), self.tr("Not imported"), self.tr("Kept")],
            "import_history_table", selectable=True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMN_FILE, QHeaderView.ResizeMode.Stretch)
        for column, tip in (
                (COLUMN_REFUSED, self.tr("Rows of the sheet that were not imported (errors)")),
                (COLUMN_KEPT, self.tr("Records the last undo kept, because they were used or "
                                      "changed since"))):
            header_item = self.table.horizontalHeaderItem(column)
            if header_item is not None:
                header_item.setToolTip(tip)
        self.table.itemSelectionChanged.connect(self._on_selected)
        self.table.installEventFilter(self)

        self.status = QLabel(self)
        self.status.setObjectName("import_history_status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.kept_title = QLabel(self.tr("Kept by the last undo, and why:"), self)
        self.kept_table = fixed_table(self, [self.tr("Record"), self.tr("Sheet row"),
                                             self.tr("Why it was kept")],
                                      "import_history_kept")
        kept_header = self.kept_table.horizontalHeader()
        kept_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        kept_header.setStretchLastSection(True)
        self.kept_title.hide()
        self.kept_table.hide()

        self.undo_button = QPushButton(self.tr("Undo this import…"), self)
        self.undo_button.setObjectName("import_history_undo")
        self.undo_button.setToolTip(self.tr("Remove what the selected import created and put "
                                            "back what it changed (Delete)"))
        self.undo_button.clicked.connect(self.ask_undo)
        self.close_import_button = QPushButton(self.tr("Mark as interrupted…"), self)
        self.close_import_button.setObjectName("import_history_mark_interrupted")
        self.close_import_button.setToolTip(self.tr(
            "For an import still shown as running whose station stopped mid-way: once "
            "marked, it can be undone"))
        self.close_import_button.clicked.connect(self.ask_close)
        self.close_button = QPushButton(self.tr("Close"), self)
        self.close_button.setObjectName("import_history_close")
        self.close_button.clicked.connect(self.reject)
        for button in (self.undo_button, self.close_import_button, self.close_button):
            button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.undo_button)
        buttons.addWidget(self.close_import_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.status)
        layout.addWidget(self.kept_title)
        layout.addWidget(self.kept_table, 2)
        layout.addLayout(buttons)
        self.resize(1040, 560)
        self.setFocusProxy(self.table)
        self._update_buttons()
        self.reload()

    # --- the list -----------------------------------------------------------------------------

    def reload(self, *, select_id: int | None = None, message: str = "",
               error: bool = False) -> None:
        """Read the list again (on the worker), then select ``select_id`` (or the row
        selected now); ``message`` stays shown."""
        self._serial += 1
        serial = self._serial
        chosen = select_id if select_id is not None else self._selected_id()
        self._show_status(message or self.tr("Loading…"), error=error)
        actor = self.ctx.actor
        self.ctx.run(lambda uow: list_imports(uow=uow, actor=actor),
                     on_done=lambda rows: self._fill(serial, rows, chosen, message, error),
                     on_error=lambda e: self._load_failed(serial, e), owner=self)

    def _fill(self, serial: int, rows: tuple[ImportSummary, ...], chosen: int | None,
              message: str, error: bool) -> None:
        if serial != self._serial:
            return
        self.loaded = True
        self.summaries = list(rows)
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        self.table.setRowCount(len(rows))
        for row, summary in enumerate(rows):
            for column, text in enumerate(self._texts(summary)):
                item = QTableWidgetItem(text)
                if column in NUMBER_COLUMNS:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                if column == COLUMN_FILE:
                    item.setToolTip(summary.file_name)
                self.table.setItem(row, column, item)
        ids = [s.id for s in rows]
        if rows:
            self.table.selectRow(ids.index(chosen) if chosen in ids else 0)
        self.table.blockSignals(False)
        if message:
            self._show_status(message, error=error)
        elif not rows:
            self._show_status(self.tr("No imports yet."))
        else:
            self._show_status("")
        self._on_selected()

    def _texts(self, summary: ImportSummary) -> list[str]:
        counts = (summary.rows_read, summary.created, summary.updated, summary.skipped,
                  summary.refused)
        return [format_local_datetime(summary.started_at), summary.by,
                kind_label(summary.kind), summary.file_name, status_label(summary.status),
                *(group_digits(n) for n in counts),
                group_digits(summary.kept) if summary.kept else ""]

    def _load_failed(self, serial: int, error: BaseException) -> None:
        if serial == self._serial:
            self._show_status(describe_error(error).text, error=True)

    def _selected_id(self) -> int | None:
        summary = self.selected()
        return summary.id if summary is not None else None

    def selected(self) -> ImportSummary | None:
        """The import of the selected row."""
        rows = self.table.selectionModel().selectedRows()
        if not rows or not 0 <= rows[0].row() < len(self.summaries):
            return None
        return self.summaries[rows[0].row()]

    def select_import(self, batch_id: int) -> None:
        ids = [s.id for s in self.summaries]
        if batch_id in ids:
            self.table.selectRow(ids.index(batch_id))

    def status_text(self, row: int) -> str:
        item = self.table.item(row, COLUMN_STATUS)
        return item.text() if item is not None else ""

    # --- what the last undo kept ------------------------------------------------------------

    def _on_selected(self) -> None:
        self._update_buttons()
        summary = self.selected()
        self._details_serial += 1
        serial = self._details_serial
        if summary is None or not summary.kept:
            self._show_kept(serial, ())
            return
        actor, batch_id = self.ctx.actor, summary.id
        self.ctx.run(lambda uow: import_details(uow=uow, actor=actor, batch_id=batch_id),
                     on_done=lambda records: self._show_kept(serial, records),
                     on_error=lambda e: self._kept_failed(serial, e), owner=self)

    def _show_kept(self, serial: int, records: tuple[ImportedRecord, ...]) -> None:
        if serial != self._details_serial:
            return
        self.kept = records
        self.kept_table.setRowCount(0)
        self.kept_table.setRowCount(len(records))
        for row, record in enumerate(records):
            shown = f"{record.what} {record.label or f'#{record.record_id}'}"
            row_item = QTableWidgetItem(str(record.row_number))
            row_item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                      | Qt.AlignmentFlag.AlignVCenter)
            reason = QTableWidgetItem(record.kept_reason)
            reason.setToolTip(record.kept_reason)
            self.kept_table.setItem(row, 0, QTableWidgetItem(shown))
            self.kept_table.setItem(row, 1, row_item)
            self.kept_table.setItem(row, 2, reason)
        self.kept_title.setVisible(bool(records))
        self.kept_table.setVisible(bool(records))

    def _kept_failed(self, serial: int, error: BaseException) -> None:
        if serial == self._details_serial:
            self._show_kept(serial, ())
            self._show_status(describe_error(error).text, error=True)

    # --- undo -------------------------------------------------------------------------------

    def _update_buttons(self) -> None:
        summary = self.selected()
        self.undo_button.setEnabled(not self.busy and summary is not None and summary.can_undo)
        self.close_import_button.setEnabled(not self.busy and summary is not None
                                            and summary.can_close)
        self.close_button.setEnabled(not self.busy)

    def _confirm(self, name: str, title: str, text: str, details: str, yes: str,
                 on_yes: Callable[[], None]) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Question, title, text,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                          self)
        box.setObjectName(name)
        box.setInformativeText(details)
        box.button(QMessageBox.StandardButton.Yes).setText(yes)
        box.button(QMessageBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        # Enter twice must not undo an import: the safe answer is the default.
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.button(QMessageBox.StandardButton.Yes).clicked.connect(on_yes)
        box.finished.connect(lambda _r: setattr(self, "confirm_box", None))
        self.confirm_box = box
        box.open()
        return box

    def ask_undo(self) -> None:
        """Ask, naming the file and what it wrote, then undo the selected import."""
        summary = self.selected()
        if summary is None or not summary.can_undo or self.busy:
            return
        self._confirm(
            "import_undo_confirm", self.tr("Undo import"),
            self.tr("Undo the import of {file} ({started}, {by})?").format(
                file=summary.file_name, started=format_local_datetime(summary.started_at),
                by=summary.by),
            self.tr("It created {created} and updated {updated} records ({kind}). What it "
                    "created is removed and what it changed is put back; records used or "
                    "changed since are kept and listed with the reason.").format(
                created=group_digits(summary.created), updated=group_digits(summary.updated),
                kind=kind_label(summary.kind)),
            self.tr("Undo import"), lambda: self.undo(summary))

    def undo(self, summary: ImportSummary) -> None:
        """Undo ``summary``'s import on the worker (asked already)."""
        self._set_busy(True, self.tr("Undoing the import of {file}…").format(
            file=summary.file_name))
        actor, batch_id = self.ctx.actor, summary.id
        self.ctx.run(lambda uow: undo_import(uow=uow, actor=actor, batch_id=batch_id),
                     on_done=lambda result: self._undone(summary, result),
                     on_error=lambda e: self._failed(summary, e), owner=self)

    def _undone(self, summary: ImportSummary, result: UndoResult) -> None:
        self._set_busy(False)
        undone, kept = group_digits(result.undone), group_digits(len(result.kept))
        if result.kept:
            text = self.tr("The import of {file} is undone: {undone} records removed or put "
                           "back, {kept} kept (listed below with the reason).").format(
                file=summary.file_name, undone=undone, kept=kept)
        else:
            text = self.tr("The import of {file} is undone: {undone} records removed or put "
                           "back.").format(file=summary.file_name, undone=undone)
        self.ctx.changes.publish(CHANGED_KINDS.get(summary.kind, "customer"))
        self.undone.emit(result)
        self.reload(select_id=summary.id, message=text)

    # --- interrupted imports ----------------------------------------------------------------

    def ask_close(self) -> None:
        """Ask, then mark the selected running import as interrupted."""
        summary = self.selected()
        if summary is None or not summary.can_close or self.busy:
            return
        minutes = int(STALE.total_seconds() // 60)
        self._confirm(
            "import_close_confirm", self.tr("Mark as interrupted"),
            self.tr("Mark the import of {file} ({started}, {by}) as interrupted?").format(
                file=summary.file_name, started=format_local_datetime(summary.started_at),
                by=summary.by),
            self.tr("It is still shown as running but has written nothing for more than "
                    "{minutes} minutes: its station probably lost the connection. What it "
                    "wrote stays, and can then be undone.").format(minutes=minutes),
            self.tr("Mark as interrupted"), lambda: self.close_import(summary))

    def close_import(self, summary: ImportSummary) -> None:
        """Mark ``summary``'s import as interrupted on the worker (asked already)."""
        self._set_busy(True, self.tr("Saving…"))
        actor = self.ctx.actor
        self.ctx.run(lambda uow: close_interrupted_import(
            uow=uow, actor=actor, batch_id=summary.id, expected_version=summary.version),
            on_done=self._closed, on_error=lambda e: self._failed(summary, e), owner=self)

    def _closed(self, summary: ImportSummary) -> None:
        self._set_busy(False)
        self.interrupted.emit(summary)
        self.reload(select_id=summary.id, message=self.tr(
            "The import of {file} is marked as interrupted: {created} created, {updated} "
            "updated. It can be undone now.").format(
            file=summary.file_name, created=group_digits(summary.created),
            updated=group_digits(summary.updated)))

    # --- both -------------------------------------------------------------------------------

    def _failed(self, summary: ImportSummary, error: BaseException) -> None:
        self._set_busy(False)
        text = describe_error(error).text
        if isinstance(error, ConflictError | ValidationError | NotFound):
            # Changed meanwhile (undone or closed at another station): show it as it is.
            self.reload(select_id=summary.id, message=text, error=True)
        else:
            self._show_status(text, error=True)

    def _set_busy(self, busy: bool, message: str = "") -> None:
        self.busy = busy
        self.table.setEnabled(not busy)
        if message:
            self._show_status(message)
        self._update_buttons()

    def _show_status(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        show_as_error(self.status, error)
        self.status.setVisible(bool(text))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Delete asks to undo the selected import; Enter does what its row offers."""
        if (watched is self.table and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)):
            if event.key() == Qt.Key.Key_Delete:
                self.ask_undo()
                return True
            if event.key() in _ENTER_KEYS:
                summary = self.selected()
                if summary is not None and summary.can_close:
                    self.ask_close()
                else:
                    self.ask_undo()
                return True
        return super().eventFilter(watched, event)



def open_import_history(ctx: AppContext, parent: QWidget | None = None
                        ) -> ImportHistoryDialog:
    """Create and show the dialog (non-modal, as every dialog of the program)."""
    return keep_open(ImportHistoryDialog(ctx, parent))


__all__ = ["ImportHistoryDialog", "open_import_history"]

"""The list page every module list is built on: filter bar, table, status line, Enter,
export, print, refresh, and following the change bus.

A list declares ``module`` and ``kind``, its :meth:`ListPage.columns`, its
:meth:`ListPage.fetch` (one page of the service, on the worker) and what its filters ask
for (:meth:`ListPage.current_query`); it may add filter widgets to ``bar`` with
:meth:`ListPage.add_filter`. Clicking a header sorts by that column on the server; the
status line says "100 shown of 1 532"; Enter or a double click opens the row once;
``Export…`` and ``Print selected…`` appear when the user may; F5 (the main window's
refresh) reads the list again, and so does any write of a watched kind published on the
change bus.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import Module, Operation
from app.services.permissions import Actor
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.errors import describe_error
from app.ui.formatting import group_digits
from app.ui.kit.table import Col, PagedTableModel, PageRequest


def open_export_dialog(parent: QWidget, title: str, name_filter: str, stem: str,
                       chosen: Callable[[str], None]) -> QFileDialog:
    """The save dialog of a list's "Export…": .xlsx (default) or .csv, opened with open()."""
    dialog = QFileDialog(parent, title)
    dialog.setObjectName("export_file_dialog")
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setNameFilter(name_filter)
    dialog.setDefaultSuffix("xlsx")
    dialog.selectFile(f"{stem}.xlsx")
    dialog.fileSelected.connect(chosen)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def prepare_table(table: QTableView, model: PagedTableModel, *, sortable: bool = True) -> None:
    """A list's table: whole rows selected, no editing, headers that sort on the server."""
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    for i, column in enumerate(model.columns):
        if column.width:
            table.setColumnWidth(i, column.width)
    if sortable:
        sort_by_header(table, model)


def sort_by_header(table: QTableView, model: PagedTableModel) -> None:
    """Clicking a header sorts by that column (on the server); again, the other way."""
    header = table.horizontalHeader()
    # No indicator at first: the list comes in its own order until a header is clicked.
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    header.setSortIndicatorShown(True)
    header.setSectionsClickable(True)

    def on_indicator(section: int, order: Qt.SortOrder) -> None:
        if section >= 0 and not model.sortable(section):
            # A column the service cannot order by: keep the indicator where it was.
            header.blockSignals(True)
            header.setSortIndicator(model.sort_column, model.sort_order)
            header.blockSignals(False)
            return
        model.sort(section, order)

    def follow_model() -> None:
        # The model may change its order itself (a refused key): show what it does.
        if (header.sortIndicatorSection(), header.sortIndicatorOrder()) != (
                model.sort_column, model.sort_order):
            header.blockSignals(True)
            header.setSortIndicator(model.sort_column, model.sort_order)
            header.blockSignals(False)

    header.sortIndicatorChanged.connect(on_indicator)
    model.sort_changed.connect(follow_model)


class ListPage(QWidget):
    """Base of the module lists; see the module docstring for what a list declares."""

    module: Module
    kind = ""                     # change-bus kind, export file stem, print kind
    watch: tuple[str, ...] = ()   # further kinds whose writes change this list
    table_name = "list_table"
    print_kind: str | None = None  # slips printed from the selection (None: no button)
    local = False                 # the service returns every row: sort them in memory
    page_size = 100
    main_column = 0

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._started = False
        self.message_label = QLabel(self)
        self.message_label.setObjectName("list_message")
        self.model = PagedTableModel(self.columns(), self._load, page_size=self.page_size,
                                     local=self.local, row_id=self.row_id,
                                     main_column=self.main_column, parent=self)
        self.model.page_loaded.connect(self.show_count)
        self.model.load_failed.connect(self._failed)
        self.model.loading_changed.connect(self._loading)
        self.table = QTableView(self)
        self.table.setObjectName(self.table_name)
        prepare_table(self.table, self.model)
        self.table.activated.connect(self._on_table_activated)
        self.print_button = QPushButton(self.tr("Print selected…"), self)
        self.print_button.setObjectName("print_selected_button")
        self.print_button.clicked.connect(self.print_selected)
        self.print_button.setVisible(self.print_kind is not None
                                     and ctx.can(self.module, Operation.PRINT))
        # Export (导出) is its own permission, as on the customer list.
        self.export_button = QPushButton(self.tr("Export…"), self)
        self.export_button.setObjectName("export_button")
        self.export_button.setToolTip(self.tr("Write the listed records (the filters apply) "
                                              "to an Excel or CSV file"))
        self.export_button.clicked.connect(self.choose_export_file)
        self.export_button.setVisible(self.can_export())
        self.export_dialog: QFileDialog | None = None
        self.bar = QHBoxLayout()
        self.bar.addWidget(self.message_label, 1)
        self.bar.addWidget(self.export_button)
        self.bar.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addLayout(self.bar)
        layout.addWidget(self.table, 1)
        ctx.changes.follow(self, (self.kind, *self.watch) if self.kind else self.watch,
                           lambda _kind, _id: self.refresh())

    # --- what a list declares ------------------------------------------------------------------

    def columns(self) -> list[Col[Any]]:
        raise NotImplementedError

    def fetch(self, uow: UnitOfWork, query: Any, request: PageRequest) -> Any:
        """One page of the list (runs on the worker)."""
        raise NotImplementedError

    def current_query(self) -> Any:
        """What the filters ask for (compared to tell whether the list must be read again)."""
        return None

    def open_record(self, record_id: Any) -> object:
        return None

    def export(self, uow: UnitOfWork, actor: Actor, path: str, fmt: str, query: Any) -> Any:
        raise NotImplementedError

    def export_title(self) -> str:
        return self.tr("Export")

    def can_export(self) -> bool:
        return type(self).export is not ListPage.export and self._ctx.can(
            self.module, Operation.EXPORT)

    @staticmethod
    def row_id(row: Any) -> Any:
        return row.id

    # --- building helpers ------------------------------------------------------------------------

    def add_filter(self, widget: QWidget, label: str = "") -> None:
        """A filter widget at the left of the bar (after those added before)."""
        at = self.bar.indexOf(self.message_label)
        if label:
            caption = QLabel(label, self)
            caption.setBuddy(widget)
            self.bar.insertWidget(at, caption)
            at += 1
        self.bar.insertWidget(at, widget)

    def add_button(self, text: str, name: str, slot: Callable[[], object], *,
                   visible: bool = True, first: bool = True) -> QPushButton:
        """A button in the bar: first in it (a "New …" button) or at its right end."""
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(lambda _checked=False: slot())
        button.setVisible(visible)
        if first:
            self.bar.insertWidget(0, button)
        else:
            self.bar.addWidget(button)
        return button

    def add_footer(self, row: QLayout) -> None:
        """A row under the table (buttons acting on the current row)."""
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.addLayout(row)

    def start(self) -> None:
        """Read the first page (call at the end of the subclass's constructor)."""
        self._started = True
        self.model.set_query(self.current_query(), force=True)

    # --- loading -------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the list again with the filters as they are now."""
        if not self._started:
            self.start()
            return
        query = self.current_query()
        if query != self.model.query:
            self.model.set_query(query)
        else:
            self.model.refresh()

    def on_connection_restored(self) -> None:
        self.refresh()

    def focus_search(self) -> None:
        """Ctrl+F: the first filter of the bar, or the table when there is none."""
        widgets = (self.bar.itemAt(i).widget() for i in range(self.bar.count()))
        first = next((w for w in widgets if w is not None
                      and not isinstance(w, QLabel | QPushButton)
                      and w.focusPolicy() != Qt.FocusPolicy.NoFocus), self.table)
        first.setFocus()

    def _load(self, query: Any, request: PageRequest, on_done: Callable[[Any], None],
              on_error: Callable[[BaseException], None]) -> None:
        self._ctx.run(lambda uow: self.fetch(uow, query, request), on_done=on_done,
                      on_error=on_error, owner=self)

    def _loading(self, loading: bool) -> None:
        if loading and self.model.rowCount() == 0:
            self.message_label.setText(self.tr("Loading…"))

    def show_count(self) -> None:
        """The status line: how many rows are shown, of how many."""
        shown, total = self.model.rowCount(), self.model.total
        if not shown:
            self.message_label.setText(self.tr("Nothing found."))
        elif total is None or total == shown and self.model.at_end:
            self.message_label.setText(self.tr("{count} shown").format(count=shown))
        else:
            self.message_label.setText(self.tr("{shown} shown of {total}").format(
                shown=shown, total=group_digits(total)))

    def _failed(self, error: BaseException) -> None:
        self.message_label.setText(describe_error(error).text)

    # --- actions -------------------------------------------------------------------------------

    def choose_export_file(self) -> None:
        """Ask where to write the listed records; the export runs on the worker."""
        if not self.can_export():
            return
        self.export_dialog = open_export_dialog(
            self, self.export_title(),
            self.tr("Excel workbook (*.xlsx);;CSV, UTF-8 (*.csv)"), f"{self.kind}s",
            self.export_to)

    def export_to(self, path: str) -> None:
        query, actor = self.current_query(), self._ctx.actor
        fmt = "csv" if path.lower().endswith(".csv") else "xlsx"
        self.export_button.setEnabled(False)
        self.message_label.setText(self.tr("Exporting…"))
        self._ctx.run(lambda uow: self.export(uow, actor, path, fmt, query),
                      on_done=self._exported, on_error=self._export_failed, owner=self)

    def _exported(self, result: Any) -> None:
        self.export_button.setEnabled(True)
        self.message_label.setText(self.tr("{count} rows exported to {path}").format(
            count=result.row_count, path=str(result.path)))

    def _export_failed(self, error: BaseException) -> None:
        self.export_button.setEnabled(True)
        self.message_label.setText(describe_error(error).text)

    def selected_ids(self) -> list[Any]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [rid for r in rows if (rid := self.model.row_id(r)) is not None]

    def open_row(self, row: int) -> object:
        record_id = self.model.row_id(row)
        return self.open_record(record_id) if record_id is not None else None

    def print_selected(self) -> object:
        ids = self.selected_ids()
        if not ids:
            self.message_label.setText(self.tr("Select the documents to print first."))
            return None
        from app.ui.print_preview import open_print_preview
        return open_print_preview(self._ctx, self.print_kind, ids, self)  # type: ignore[arg-type]

    _table_just_activated = False

    def _on_table_activated(self, index: QModelIndex) -> None:
        self._table_just_activated = True
        QTimer.singleShot(0, self._forget_activation)  # a double click passes no key up
        self.open_row(index.row())

    def _forget_activation(self) -> None:
        self._table_just_activated = False

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            # The table handles its own Enter (``activated``) and then passes the key up
            # to us: open the row once, not twice.
            if not self._table_just_activated and self.table.currentIndex().isValid():
                self.open_row(self.table.currentIndex().row())
            self._table_just_activated = False
            return
        super().keyPressEvent(event)


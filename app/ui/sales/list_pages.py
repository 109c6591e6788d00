"""Module pages listing quotations and orders, newest first, with a status filter."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import CustomFieldEntity, Module, Operation, OrderStatus, QuotationStatus
from app.services.permissions import Actor
from app.services.sales import list_orders, list_quotations
from app.ui.context import AppContext
from app.ui.custom_fields.columns import CustomColumns
from app.ui.errors import describe_error
from app.ui.formatting import format_date, format_yuan
from app.ui.sales.common import order_status_label, quotation_status_label

ID_ROLE = Qt.ItemDataRole.UserRole + 1
PAGE_SIZE = 100
ORDER_CUSTOM_COLUMNS_KEY = "order_list/custom_columns"  # codes of the custom fields shown
Index = QModelIndex | QPersistentModelIndex


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


class SalesRowsModel(QAbstractTableModel):
    """Rows of one list; ``fetchMore`` asks the worker for the next page (keyset)."""

    def __init__(self, columns: Sequence[tuple[str, Callable[[Any], str]]],
                 fetch: Callable[[Any], None], parent: Any = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._fetch = fetch
        self._rows: list[Any] = []
        self._next: Any = None
        self._loading = False

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._columns[index.column()][1](row)
        if role == ID_ROLE:
            return row.id
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self._columns)):
            return self._columns[section][0]
        return None

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and self._next is not None and not self._loading

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008, N802
        if self.canFetchMore(parent):
            self._loading = True
            self._fetch(self._next)

    def reset_rows(self, rows: Sequence[Any], next_after: Any) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._next = next_after
        self._loading = False
        self.endResetModel()

    def append_rows(self, rows: Sequence[Any], next_after: Any) -> None:
        if rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        self._next = next_after
        self._loading = False

    def id_at(self, row: int) -> int | None:
        return self._rows[row].id if 0 <= row < len(self._rows) else None

    def set_columns(self, columns: Sequence[tuple[str, Callable[[Any], str]]]) -> None:
        """Change the columns (custom field columns added or taken away)."""
        self.beginResetModel()
        self._columns = list(columns)
        self.endResetModel()


class _SalesListPage(QWidget):
    module: Module
    statuses: Sequence[Any]

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._generation = 0
        self.status_combo = QComboBox(self)
        self.status_combo.setObjectName("status_filter")
        self.status_combo.addItem(self.tr("All statuses"), None)
        for status in self.statuses:
            self.status_combo.addItem(self.status_label(status), status)
        self.status_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.message_label = QLabel(self)
        self.message_label.setObjectName("list_message")
        self.model = SalesRowsModel(self.columns(), self._load_more, self)
        self.table = QTableView(self)
        self.table.setObjectName("sales_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 150)
        self.table.setColumnWidth(2, 240)
        self.table.activated.connect(self._on_table_activated)
        self.print_button = QPushButton(self.tr("Print selected…"), self)
        self.print_button.setObjectName("print_selected_button")
        self.print_button.clicked.connect(self.print_selected)
        self.print_button.setVisible(ctx.can(self.module, Operation.PRINT))
        # Export (导出) is its own permission, as on the customer list.
        self.export_button = QPushButton(self.tr("Export…"), self)
        self.export_button.setObjectName("export_button")
        self.export_button.setToolTip(self.tr("Write the listed records (the status filter "
                                              "applies) to an Excel or CSV file"))
        self.export_button.clicked.connect(self.choose_export_file)
        self.export_button.setVisible(ctx.can(self.module, Operation.EXPORT))
        self.export_dialog: QFileDialog | None = None
        self.bar = QHBoxLayout()
        self.bar.addWidget(QLabel(self.tr("Status:"), self))
        self.bar.addWidget(self.status_combo)
        self.bar.addWidget(self.message_label, 1)
        self.bar.addWidget(self.export_button)
        self.bar.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addLayout(self.bar)
        layout.addWidget(self.table, 1)
        self.refresh()

    # overridden
    def columns(self) -> list[tuple[str, Callable[[Any], str]]]:
        raise NotImplementedError

    def status_label(self, status: Any) -> str:
        raise NotImplementedError

    def query(self, uow: Any, status: Any, after: Any) -> Any:
        raise NotImplementedError

    def open_record(self, record_id: int) -> object:
        raise NotImplementedError

    def export(self, uow: Any, actor: Actor, path: str, fmt: str, status: Any) -> Any:
        raise NotImplementedError

    def export_title(self) -> str:
        raise NotImplementedError

    kind = ""

    # --- loading ---------------------------------------------------------------------------

    def refresh(self) -> None:
        self._generation += 1
        generation, status = self._generation, self.status_combo.currentData()
        self.message_label.setText(self.tr("Loading…"))
        self._ctx.run(lambda uow: self.query(uow, status, None),
                      on_done=lambda page: self._loaded(generation, page, reset=True),
                      on_error=self._failed, owner=self)

    def on_connection_restored(self) -> None:
        self.refresh()

    def focus_search(self) -> None:
        self.status_combo.setFocus()

    def _load_more(self, after: Any) -> None:
        generation, status = self._generation, self.status_combo.currentData()
        self._ctx.run(lambda uow: self.query(uow, status, after),
                      on_done=lambda page: self._loaded(generation, page, reset=False),
                      on_error=self._failed, owner=self)

    def _loaded(self, generation: int, page: Any, *, reset: bool) -> None:
        if generation != self._generation:
            return
        if reset:
            self.model.reset_rows(page.rows, page.next_after)
        else:
            self.model.append_rows(page.rows, page.next_after)
        count = self.model.rowCount()
        self.message_label.setText(self.tr("{count} shown").format(count=count) if count
                                   else self.tr("Nothing found."))

    def _failed(self, error: BaseException) -> None:
        self.message_label.setText(describe_error(error).text)

    # --- actions ---------------------------------------------------------------------------

    def choose_export_file(self) -> None:
        """Ask where to write the listed records; the export runs on the worker."""
        if not self._ctx.can(self.module, Operation.EXPORT):
            return
        self.export_dialog = open_export_dialog(
            self, self.export_title(),
            self.tr("Excel workbook (*.xlsx);;CSV, UTF-8 (*.csv)"), f"{self.kind}s",
            self.export_to)

    def export_to(self, path: str) -> None:
        status, actor = self.status_combo.currentData(), self._ctx.actor
        fmt = "csv" if path.lower().endswith(".csv") else "xlsx"
        self.export_button.setEnabled(False)
        self.message_label.setText(self.tr("Exporting…"))
        self._ctx.run(lambda uow: self.export(uow, actor, path, fmt, status),
                      on_done=self._exported, on_error=self._export_failed, owner=self)

    def _exported(self, result: Any) -> None:
        self.export_button.setEnabled(True)
        self.message_label.setText(self.tr("{count} rows exported to {path}").format(
            count=result.row_count, path=str(result.path)))

    def _export_failed(self, error: BaseException) -> None:
        self.export_button.setEnabled(True)
        self.message_label.setText(describe_error(error).text)

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [rid for r in rows if (rid := self.model.id_at(r)) is not None]

    def open_row(self, row: int) -> object:
        record_id = self.model.id_at(row)
        return self.open_record(record_id) if record_id is not None else None

    def print_selected(self) -> object:
        ids = self.selected_ids()
        if not ids:
            self.message_label.setText(self.tr("Select the documents to print first."))
            return None
        from app.ui.print_preview import open_print_preview
        return open_print_preview(self._ctx, self.kind, ids, self)  # type: ignore[arg-type]

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
            if not self._table_just_activated:
                self.open_row(self.table.currentIndex().row())
            self._table_just_activated = False
            return
        super().keyPressEvent(event)


class QuotationListPage(_SalesListPage):
    """The quotations in the user's data scope."""

    module = Module.QUOTATIONS
    statuses = tuple(QuotationStatus)
    kind = "quotation"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("quotation_list_page")
        self.new_button = QPushButton(self.tr("New quotation"), self)
        self.new_button.setObjectName("new_quotation_button")
        self.new_button.clicked.connect(self.new_quotation)
        self.new_button.setVisible(ctx.can(Module.QUOTATIONS, Operation.CREATE))
        self.bar.insertWidget(0, self.new_button)

    def columns(self) -> list[tuple[str, Callable[[Any], str]]]:
        return [
            (self.tr("Number"), lambda r: r.number),
            (self.tr("Status"), lambda r: quotation_status_label(r.status)),
            (self.tr("Customer"), lambda r: r.customer_name),
            (self.tr("Owner"), lambda r: r.owner_name or ""),
            (self.tr("Date"), lambda r: format_date(r.quoted_on)),
            (self.tr("Valid until"), lambda r: format_date(r.valid_until)),
            (self.tr("Total"), lambda r: format_yuan(r.total_amount)),
        ]

    def status_label(self, status: Any) -> str:
        return quotation_status_label(status)

    def query(self, uow: Any, status: Any, after: Any) -> Any:
        return list_quotations(uow=uow, actor=self._ctx.actor, status=status, after=after,
                               limit=PAGE_SIZE)

    def export(self, uow: Any, actor: Actor, path: str, fmt: str, status: Any) -> Any:
        from app.services.exports import export_quotations
        return export_quotations(uow=uow, actor=actor, path=path, fmt=fmt,
                                 status=QuotationStatus(status) if status else None)

    def export_title(self) -> str:
        return self.tr("Export quotations")

    def open_record(self, record_id: int) -> object:
        from app.ui.sales.quotation_dialog import open_quotation
        dialog = open_quotation(self._ctx, record_id, self)
        dialog.saved.connect(lambda _v: self.refresh())
        return dialog

    def new_quotation(self) -> object:
        from app.ui.sales.quotation_dialog import new_quotation
        dialog = new_quotation(self._ctx, None, self)
        dialog.saved.connect(lambda _v: self.refresh())
        return dialog


class OrderListPage(_SalesListPage):
    """The orders in the user's data scope; the margin column only when it is given."""

    module = Module.ORDERS
    statuses = tuple(OrderStatus)
    kind = "order"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("order_list_page")
        # Custom fields of orders as optional columns (right-click the header).
        self.custom_columns = CustomColumns(
            ctx, CustomFieldEntity.ORDER, ORDER_CUSTOM_COLUMNS_KEY, self.table, self.columns,
            self.model.set_columns)
        self.custom_columns.changed.connect(self.refresh)
        self.custom_columns.load()

    def columns(self) -> list[tuple[str, Callable[[Any], str]]]:
        return [
            (self.tr("Number"), lambda r: r.number),
            (self.tr("Status"), lambda r: order_status_label(r.status)),
            (self.tr("Customer"), lambda r: r.customer_name),
            (self.tr("Owner"), lambda r: r.owner_name or ""),
            (self.tr("Date"), lambda r: format_date(r.ordered_on)),
            (self.tr("Total"), lambda r: format_yuan(r.total_amount)),
            (self.tr("Paid"), lambda r: format_yuan(r.paid_amount)),
            (self.tr("Open"), lambda r: format_yuan(r.open_amount)),
            (self.tr("Gross margin"), lambda r: format_yuan(r.gross_margin)),
        ]

    def _loaded(self, generation: int, page: Any, *, reset: bool) -> None:
        custom_columns = getattr(self, "custom_columns", None)
        if custom_columns is not None and generation == self._generation:
            custom_columns.take_page(page, reset=reset)
        super()._loaded(generation, page, reset=reset)
        hidden = all(r.gross_margin is None for r in page.rows) if page.rows else True
        self.table.setColumnHidden(len(self.columns()) - 1, hidden)  # margin: the last fixed

    def status_label(self, status: Any) -> str:
        return order_status_label(status)

    def query(self, uow: Any, status: Any, after: Any) -> Any:
        custom_columns = getattr(self, "custom_columns", None)
        return list_orders(uow=uow, actor=self._ctx.actor, status=status, after=after,
                           limit=PAGE_SIZE,
                           custom_columns=custom_columns.shown if custom_columns else ())

    def export(self, uow: Any, actor: Actor, path: str, fmt: str, status: Any) -> Any:
        from app.services.exports import export_orders
        return export_orders(uow=uow, actor=actor, path=path, fmt=fmt,
                             status=OrderStatus(status) if status else None)

    def export_title(self) -> str:
        return self.tr("Export orders")

    def open_record(self, record_id: int) -> object:
        from app.ui.sales.order_dialog import open_order
        dialog = open_order(self._ctx, record_id, self)
        dialog.saved.connect(lambda _v: self.refresh())
        return dialog

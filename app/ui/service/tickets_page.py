"""The service tickets page (服务单): newest first, status / mine / overdue filters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QModelIndex, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
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

from app import labels
from app.models.enums import (
    CustomFieldEntity,
    DataScope,
    Module,
    Operation,
    Priority,
    TicketStatus,
)
from app.services.tickets import TicketFilters, TicketView, list_tickets
from app.ui.context import AppContext
from app.ui.custom_fields.columns import CustomColumns
from app.ui.errors import describe_error
from app.ui.formatting import format_local_datetime
from app.ui.record_labels import state_label
from app.ui.sales.list_pages import PAGE_SIZE, Index, SalesRowsModel, open_export_dialog

OVERDUE_COLOUR = "#c62828"
OPEN = "open"  # the status filter's "Still open": received up to waiting for parts
TICKET_CUSTOM_COLUMNS_KEY = "ticket_list/custom_columns"  # codes of the custom fields shown

def ticket_status_label(status: TicketStatus | str) -> str:
    return state_label("service_ticket", TicketStatus(status).value)


def priority_label(priority: Priority | str) -> str:
    return labels.label(Priority(priority))


def overdue_text() -> str:
    return QCoreApplication.translate("TicketListPage", "Overdue")


class TicketRowsModel(SalesRowsModel):
    """Ticket rows; overdue ones are drawn in red."""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid() \
                and index.row() < len(self._rows) and self._rows[index.row()].overdue:
            return QBrush(QColor(OVERDUE_COLOUR))
        return super().data(index, role)

    def row_at(self, row: int) -> TicketView | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None


class TicketListPage(QWidget):
    """The tickets in the user's data scope; Enter opens one."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("service_ticket_list_page")
        self._ctx = ctx
        self._generation = 0
        self.status_combo = QComboBox(self)
        self.status_combo.setObjectName("status_filter")
        self.status_combo.addItem(self.tr("All statuses"), None)
        self.status_combo.addItem(self.tr("Still open"), OPEN)
        for status in TicketStatus:
            self.status_combo.addItem(ticket_status_label(status), status)
        # Opens on the work still to do; a technician (own data scope) on his own tickets,
        # a repair lead on everybody's.
        self.status_combo.setCurrentIndex(1)
        self.status_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.mine_check = QCheckBox(self.tr("Mine only"), self)
        self.mine_check.setObjectName("mine_filter")
        self.mine_check.setChecked(ctx.permissions.scope(Module.SERVICE_TICKETS) is DataScope.OWN)
        self.mine_check.toggled.connect(lambda _c: self.refresh())
        self.overdue_check = QCheckBox(self.tr("Overdue only"), self)
        self.overdue_check.setObjectName("overdue_filter")
        self.overdue_check.toggled.connect(lambda _c: self.refresh())
        self.message_label = QLabel(self)
        self.message_label.setObjectName("list_message")
        self.new_button = QPushButton(self.tr("New intake…"), self)
        self.new_button.setObjectName("new_intake_button")
        self.new_button.setToolTip("Ctrl+N")
        self.new_button.clicked.connect(self.new_intake)
        self.new_button.setVisible(ctx.can(Module.SERVICE_TICKETS, Operation.CREATE))
        QShortcut(QKeySequence.StandardKey.New, self, activated=self._new_shortcut)
        self.pickup_button = QPushButton(self.tr("Pickup…"), self)
        self.pickup_button.setObjectName("pickup_button")
        self.pickup_button.clicked.connect(self.pickup)
        self.pickup_button.setVisible(ctx.can(Module.SERVICE_TICKETS, Operation.EDIT)
                                      or ctx.can(Module.PAYMENTS, Operation.CREATE))
        # The score and SLA rules are the lead's (the same right as dispatching).
        self.rules_button = QPushButton(self.tr("Score and SLA rules…"), self)
        self.rules_button.setObjectName("rules_button")
        self.rules_button.clicked.connect(self.open_rules)
        self.rules_button.setVisible(ctx.can(Module.SERVICE_TICKETS, Operation.CONFIRM))
        # Export (导出) is its own permission, as on the customer list.
        self.export_button = QPushButton(self.tr("Export…"), self)
        self.export_button.setObjectName("export_button")
        self.export_button.setToolTip(self.tr("Write the listed tickets (the filters apply) "
                                              "to an Excel or CSV file"))
        self.export_button.clicked.connect(self.choose_export_file)
        self.export_button.setVisible(ctx.can(Module.SERVICE_TICKETS, Operation.EXPORT))
        self.export_dialog: QFileDialog | None = None
        self.model = TicketRowsModel(self.columns(), self._load_more, self)
        self.table = QTableView(self)
        self.table.setObjectName("ticket_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 150)
        self.table.setColumnWidth(1, 200)
        self.table.setColumnWidth(2, 180)
        self.table.setColumnWidth(4, 130)
        self.table.setColumnWidth(6, 130)
        self.table.activated.connect(self._on_table_activated)
        # Custom fields of tickets as optional columns (right-click the header).
        self.custom_columns = CustomColumns(
            ctx, CustomFieldEntity.SERVICE_TICKET, TICKET_CUSTOM_COLUMNS_KEY, self.table,
            self.columns, self.model.set_columns)
        self.custom_columns.changed.connect(self.refresh)
        bar = QHBoxLayout()
        bar.addWidget(self.new_button)
        bar.addWidget(self.pickup_button)
        bar.addWidget(QLabel(self.tr("Status:"), self))
        bar.addWidget(self.status_combo)
        bar.addWidget(self.mine_check)
        bar.addWidget(self.overdue_check)
        bar.addWidget(self.message_label, 1)
        bar.addWidget(self.export_button)
        bar.addWidget(self.rules_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        self.refresh()
        self.custom_columns.load()

    def columns(self) -> list[tuple[str, Callable[[Any], str]]]:
        def status(r: TicketView) -> str:
            text = ticket_status_label(r.status)
            return f"{text} · {overdue_text()}" if r.overdue else text

        return [
            (self.tr("Number"), lambda r: r.number),
            (self.tr("Customer"), lambda r: r.customer_name),
            (self.tr("Device"), lambda r: r.device_label or ""),
            (self.tr("Priority"), lambda r: priority_label(r.priority)),
            (self.tr("Status"), status),
            (self.tr("Technician"), lambda r: r.technician_name or ""),
            (self.tr("Received"), lambda r: format_local_datetime(r.received_at)),
            (self.tr("Due"), lambda r: format_local_datetime(r.due_at) if r.due_at else ""),
        ]

    # --- loading ---------------------------------------------------------------------------

    def filters(self) -> TicketFilters:
        status = self.status_combo.currentData()
        return TicketFilters(
            status=None if status == OPEN else status, open_only=status == OPEN,
            technician_id=self._ctx.actor.user_id if self.mine_check.isChecked() else None,
            overdue_only=self.overdue_check.isChecked())

    def query(self, uow: Any, filters: TicketFilters, after: Any) -> Any:
        return list_tickets(uow=uow, actor=self._ctx.actor, filters=filters, after=after,
                            limit=PAGE_SIZE, custom_columns=self.custom_columns.shown)

    def refresh(self) -> None:
        self._generation += 1
        generation, filters = self._generation, self.filters()
        self.message_label.setText(self.tr("Loading…"))
        self._ctx.run(lambda uow: self.query(uow, filters, None),
                      on_done=lambda page: self._loaded(generation, page, reset=True),
                      on_error=self._failed, owner=self)

    def on_connection_restored(self) -> None:
        self.refresh()

    def focus_search(self) -> None:
        self.status_combo.setFocus()

    def _load_more(self, after: Any) -> None:
        generation, filters = self._generation, self.filters()
        self._ctx.run(lambda uow: self.query(uow, filters, after),
                      on_done=lambda page: self._loaded(generation, page, reset=False),
                      on_error=self._failed, owner=self)

    def _loaded(self, generation: int, page: Any, *, reset: bool) -> None:
        if generation != self._generation:
            return
        self.custom_columns.take_page(page, reset=reset)
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
        """Ask where to write the listed tickets; the export runs on the worker."""
        if not self._ctx.can(Module.SERVICE_TICKETS, Operation.EXPORT):
            return
        self.export_dialog = open_export_dialog(
            self, self.tr("Export service tickets"),
            self.tr("Excel workbook (*.xlsx);;CSV, UTF-8 (*.csv)"), "service_tickets",
            self.export_to)

    def export_to(self, path: str) -> None:
        from app.services.exports import export_tickets

        filters, actor = self.filters(), self._ctx.actor
        fmt = "csv" if path.lower().endswith(".csv") else "xlsx"
        self.export_button.setEnabled(False)
        self.message_label.setText(self.tr("Exporting…"))
        self._ctx.run(
            lambda uow: export_tickets(
                uow=uow, actor=actor, path=path, fmt=fmt,
                status=TicketStatus(filters.status) if filters.status else None,
                technician_id=filters.technician_id, overdue_only=filters.overdue_only,
                open_only=filters.open_only),
            on_done=self._exported, on_error=self._export_failed, owner=self)

    def _exported(self, result: Any) -> None:
        self.export_button.setEnabled(True)
        self.message_label.setText(self.tr("{count} rows exported to {path}").format(
            count=result.row_count, path=str(result.path)))

    def _export_failed(self, error: BaseException) -> None:
        self.export_button.setEnabled(True)
        self.message_label.setText(describe_error(error).text)

    def open_row(self, row: int) -> object:
        ticket_id = self.model.id_at(row)
        if ticket_id is None:
            return None
        from app.ui.service.ticket_dialog import open_ticket
        dialog = open_ticket(self._ctx, ticket_id, self)
        dialog.saved.connect(lambda _v: self.refresh())
        return dialog

    def _new_shortcut(self) -> None:
        if self.new_button.isVisible():
            self.new_intake()

    def new_intake(self) -> object:
        from app.ui.service.desk import open_intake
        return open_intake(self._ctx, self)

    def open_rules(self) -> object:
        from app.ui.service.rules_dialog import open_rules
        return open_rules(self._ctx, self)

    def pickup(self) -> object:
        from app.ui.service.desk import open_pickup
        row = self.model.row_at(self.table.currentIndex().row())
        return open_pickup(self._ctx, self, row.number if row is not None else None)

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

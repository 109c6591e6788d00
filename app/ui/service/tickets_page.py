"""The service tickets page (服务单): newest first, status / mine / overdue filters."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QCheckBox, QComboBox, QWidget

from app import labels
from app.models.enums import (
    CustomFieldEntity,
    DataScope,
    Module,
    Operation,
    Priority,
    TicketStatus,
)
from app.services.permissions import Actor
from app.services.tickets import TicketFilters, TicketView, list_tickets
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.custom_fields.columns import CustomColumns
from app.ui.formatting import format_local_datetime
from app.ui.kit.list_page import ListPage
from app.ui.kit.table import Col, PageRequest
from app.ui.record_labels import state_label

OVERDUE_COLOUR = "#c62828"
OPEN = "open"  # the status filter's "Still open": received up to waiting for parts
TICKET_CUSTOM_COLUMNS_KEY = "ticket_list/custom_columns"  # codes of the custom fields shown

def ticket_status_label(status: TicketStatus | str) -> str:
    return state_label("service_ticket", TicketStatus(status).value)


def priority_label(priority: Priority | str) -> str:
    return labels.label(Priority(priority))


def overdue_text() -> str:
    return QCoreApplication.translate("TicketListPage", "Overdue")


def _overdue_colour(row: TicketView, role: int) -> Any:
    if role == Qt.ItemDataRole.ForegroundRole and row.overdue:
        return QBrush(QColor(OVERDUE_COLOUR))
    return None


class TicketListPage(ListPage):
    """The tickets in the user's data scope (overdue ones in red); Enter opens one."""

    module = Module.SERVICE_TICKETS
    kind = "ticket"
    watch = ("payment",)  # a pickup's payment closes the ticket
    table_name = "ticket_table"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("service_ticket_list_page")
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
        self.add_filter(self.status_combo, self.tr("Status:"))
        self.add_filter(self.mine_check)
        self.add_filter(self.overdue_check)
        self.pickup_button = self.add_button(
            self.tr("Pickup…"), "pickup_button", self.pickup,
            visible=ctx.can(Module.SERVICE_TICKETS, Operation.EDIT)
            or ctx.can(Module.PAYMENTS, Operation.CREATE))
        self.new_button = self.add_button(
            self.tr("New intake…"), "new_intake_button", self.new_intake,
            visible=ctx.can(Module.SERVICE_TICKETS, Operation.CREATE))
        self.new_button.setToolTip("Ctrl+N")
        # The score and SLA rules are the lead's (the same right as dispatching).
        self.rules_button = self.add_button(
            self.tr("Score and SLA rules…"), "rules_button", self.open_rules,
            visible=ctx.can(Module.SERVICE_TICKETS, Operation.CONFIRM), first=False)
        # Custom fields of tickets as optional columns (right-click the header).
        self.custom_columns = CustomColumns(
            ctx, CustomFieldEntity.SERVICE_TICKET, TICKET_CUSTOM_COLUMNS_KEY, self.table,
            self.columns, self.model.set_columns, self.model.custom_of)
        self.custom_columns.changed.connect(self.refresh)
        self.start()
        self.custom_columns.load()

    def columns(self) -> list[Col[Any]]:
        def status(r: TicketView) -> str:
            text = ticket_status_label(r.status)
            return f"{text} · {overdue_text()}" if r.overdue else text

        return [Col(key, title, value, sort=key, width=width, role=_overdue_colour)
                for key, title, value, width in (
            ("number", self.tr("Number"), lambda r: r.number, 150),
            ("customer", self.tr("Customer"), lambda r: r.customer_name, 200),
            ("device", self.tr("Device"), lambda r: r.device_label or "", 180),
            ("priority", self.tr("Priority"), lambda r: priority_label(r.priority), None),
            ("status", self.tr("Status"), status, 130),
            ("technician", self.tr("Technician"), lambda r: r.technician_name or "", None),
            ("received", self.tr("Received"),
             lambda r: format_local_datetime(r.received_at), 130),
            ("due", self.tr("Due"),
             lambda r: format_local_datetime(r.due_at) if r.due_at else "", None),
        )]

    # --- loading ---------------------------------------------------------------------------

    def current_query(self) -> TicketFilters:
        status = self.status_combo.currentData()
        return TicketFilters(
            status=None if status == OPEN else status, open_only=status == OPEN,
            technician_id=self._ctx.actor.user_id if self.mine_check.isChecked() else None,
            overdue_only=self.overdue_check.isChecked())

    def fetch(self, uow: UnitOfWork, query: TicketFilters, request: PageRequest) -> Any:
        custom_columns = getattr(self, "custom_columns", None)
        return list_tickets(uow=uow, actor=self._ctx.actor, filters=query,
                            after=request.after, limit=request.limit, sort=request.sort,
                            with_total=request.with_total,
                            custom_columns=custom_columns.shown if custom_columns else ())

    # --- actions ---------------------------------------------------------------------------

    def export_title(self) -> str:
        return self.tr("Export service tickets")

    def export(self, uow: UnitOfWork, actor: Actor, path: str, fmt: str,
               filters: TicketFilters) -> Any:
        from app.services.exports import export_tickets

        return export_tickets(
            uow=uow, actor=actor, path=path, fmt=fmt,
            status=TicketStatus(filters.status) if filters.status else None,
            technician_id=filters.technician_id, overdue_only=filters.overdue_only,
            open_only=filters.open_only)

    def open_record(self, record_id: int) -> object:
        from app.ui.service.ticket_dialog import open_ticket
        return open_ticket(self._ctx, record_id, self)

    def new_intake(self) -> object:
        from app.ui.service.desk import open_intake
        return open_intake(self._ctx, self)

    # The main window's New (Ctrl+N) on this page.
    new_record = new_intake

    def open_rules(self) -> object:
        from app.ui.service.rules_dialog import open_rules
        return open_rules(self._ctx, self)

    def pickup(self) -> object:
        from app.ui.service.desk import open_pickup
        row = self.model.row_at(self.table.currentIndex().row())
        return open_pickup(self._ctx, self, row.number if row is not None else None)

"""Dispatch (派工): the repair lead picks a technician by open workload, and a visit time."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import ServiceMode
from app.services.errors import ConflictError, ValidationError
from app.services.tickets import TicketView, Workload, dispatch_ticket, technician_workload
from app.ui.context import AppContext
from app.ui.errors import show_error
from app.ui.kit.fields import error_label
from app.ui.kit.record_dialog import RecordDialog

TECH_ROLE = Qt.ItemDataRole.UserRole + 1


class DispatchDialog(RecordDialog):
    """Signals: saved(TicketView) once the ticket is dispatched."""

    record_kind = "ticket"

    def __init__(self, ctx: AppContext, ticket: TicketView,
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("dispatch_dialog")
        self._ticket = ticket
        self.view: TicketView | None = None
        self.loaded = False
        self.setWindowTitle(self.tr("Dispatch {number}").format(number=ticket.number))
        self.print_button.hide()
        self.technicians = QListWidget(self)
        self.technicians.setObjectName("technician_list")
        self.technicians.itemDoubleClicked.connect(lambda _i: self.dispatch())
        self.on_site = ticket.mode is ServiceMode.ON_SITE
        self.scheduled_edit = QDateTimeEdit(self)
        self.scheduled_edit.setObjectName("scheduled_edit")
        self.scheduled_edit.setCalendarPopup(True)
        self.scheduled_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        start = QDateTime.currentDateTime().addSecs(3600)
        start.setTime(start.time().addSecs(-start.time().minute() * 60))
        self.scheduled_edit.setDateTime(start)
        self.note_edit = QLineEdit(self)
        self.note_edit.setObjectName("note_edit")
        self.note_edit.setMaxLength(500)
        form = QFormLayout()
        info = QLabel(f"{ticket.customer_name} · {ticket.device_label or ''}\n{ticket.symptoms}",
                      self)
        info.setWordWrap(True)
        form.addRow(self.tr("Ticket"), info)
        tech_error = error_label("technician_id", self)
        box = QVBoxLayout()
        box.addWidget(self.technicians)
        box.addWidget(tech_error)
        form.addRow(self.tr("Technician"), box)
        self.register_field("technician_id", tech_error, self.technicians)
        for field, title, widget in (
            ("scheduled_at", self.tr("Scheduled visit"), self.scheduled_edit),
            ("note", self.tr("Note"), self.note_edit),
        ):
            label = error_label(field, self)
            row = QVBoxLayout()
            row.addWidget(widget)
            row.addWidget(label)
            form.addRow(title, row)
            self.register_field(field, label, widget)
        self.scheduled_edit.setEnabled(self.on_site)
        self.dispatch_button = QPushButton(self.tr("Dispatch"), self)
        self.dispatch_button.setObjectName("dispatch_button")
        self.dispatch_button.setDefault(True)
        self.dispatch_button.clicked.connect(self.dispatch)
        self.close_button.setText(self.tr("Cancel"))
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.dispatch_button)
        actions.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form, 1)
        layout.addWidget(self.status_label)
        layout.addLayout(actions)
        self.resize(520, 440)
        self.set_busy(True, self.tr("Loading…"))
        actor = ctx.actor
        self._ctx.run(lambda uow: technician_workload(uow=uow, actor=actor),
                      on_done=self._fill, on_error=self._on_failed, owner=self)

    def _fill(self, rows: tuple[Workload, ...]) -> None:
        self.technicians.clear()
        for w in rows:
            item = QListWidgetItem(self.tr("{name} — {count} open tickets").format(
                name=w.technician_name, count=w.open_tickets))
            item.setData(TECH_ROLE, w.technician_id)
            self.technicians.addItem(item)
        if rows:
            self.technicians.setCurrentRow(0)
        self.loaded = True
        self.set_busy(False, "" if rows else self.tr("No active technicians."))

    def select_technician(self, user_id: int) -> bool:
        for i in range(self.technicians.count()):
            if self.technicians.item(i).data(TECH_ROLE) == user_id:
                self.technicians.setCurrentRow(i)
                return True
        return False

    def update_actions(self) -> None:
        self.dispatch_button.setEnabled(not self._busy)

    def dispatch(self) -> None:
        item = self.technicians.currentItem()
        if self._busy:
            return
        self.clear_errors()
        if item is None:
            self.place_errors({"technician_id": self.tr("Choose a technician.")})
            return
        tech_id = item.data(TECH_ROLE)
        scheduled: dt.datetime | None = None
        if self.on_site:
            scheduled = self.scheduled_edit.dateTime().toPython().astimezone()
        note = self.note_edit.text().strip() or None
        tid, version, actor = self._ticket.id, self._ticket.version, self._ctx.actor
        self.set_busy(True, self.tr("Saving…"))
        self._ctx.run(lambda uow: dispatch_ticket(
            uow=uow, actor=actor, ticket_id=tid, expected_version=version,
            technician_id=tech_id, scheduled_at=scheduled, note=note),
            on_done=self._on_saved, on_error=self._on_save_failed, owner=self)

    def _on_saved(self, view: TicketView) -> None:
        self.view = view
        self.set_busy(False)
        self.saved.emit(view)
        self.accept()

    def _on_failed(self, error: BaseException) -> None:
        self.set_busy(False, self.tr("Could not load the technicians."), error=True)
        show_error(self, error)

    def _on_save_failed(self, error: BaseException) -> None:
        if isinstance(error, ValidationError):
            self.set_busy(False)
            unplaced = self.place_errors(error.errors)
            text = self.tr("Not saved: please correct the marked fields.")
            if unplaced:
                text += " " + "; ".join(unplaced)
            self.set_status(text, error=True)
            return
        self.set_busy(False, self.tr("Not saved."), error=True)
        show_error(self, error)
        if isinstance(error, ConflictError):
            self.reject()

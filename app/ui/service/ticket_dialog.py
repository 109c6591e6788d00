"""The service ticket (服务单) dialog: details, what happened when, the allowed next steps."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import labels
from app.models.enums import Module, Operation, ServiceMode, TicketStatus
from app.services.errors import ConflictError, ValidationError
from app.services.tickets import (
    TICKET_LIFECYCLE,
    TicketCustom,
    TicketView,
    get_ticket,
    move_ticket,
    save_ticket_custom,
    ticket_custom_values,
    ticket_id_for_repair,
)
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.custom_fields.form import CustomFieldsForm
from app.ui.errors import show_error
from app.ui.formatting import format_local_datetime, format_yuan
from app.ui.kit.record_dialog import RecordDialog, header_label, keep_open
from app.ui.service.tickets_page import (
    OVERDUE_COLOUR,
    overdue_text,
    priority_label,
    ticket_status_label,
)

# Steps move_ticket takes; dispatch, the repair record and pickup have their own screens.
_MOVES = (TicketStatus.IN_REPAIR, TicketStatus.WAITING_PARTS, TicketStatus.CLOSED,
          TicketStatus.CANCELLED)


def ticket_action_label(target: TicketStatus) -> str:
    return labels.move_label(target)


class TicketDialog(RecordDialog):
    """One ticket. Signals: saved(TicketView) after a move, a dispatch or a repair record.

    Give ``ticket_id``, or ``repair_id`` (and ``ticket_id=None``) to open the ticket a repair
    record belongs to; the lookup runs with the first load, off the UI thread.
    """

    record_kind = "ticket"

    def __init__(self, ctx: AppContext, ticket_id: int | None, parent: QWidget | None = None,
                 *, repair_id: int | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("ticket_dialog")
        if ticket_id is None and repair_id is None:
            raise ValueError("give ticket_id or repair_id")
        self._ticket_id = ticket_id
        self._repair_id = repair_id
        self._view: TicketView | None = None
        self.child_dialog: QWidget | None = None
        self._build()
        self.resize(760, 560)
        self.setWindowTitle(self.tr("Service ticket"))
        self.reload()

    @property
    def view(self) -> TicketView | None:
        return self._view

    def reload(self) -> None:
        tid, rid, actor = self._ticket_id, self._repair_id, self._ctx.actor

        def load(uow: UnitOfWork) -> tuple[TicketView, TicketCustom]:
            ticket_id = tid
            if ticket_id is None:
                assert rid is not None
                ticket_id = ticket_id_for_repair(uow=uow, actor=actor, repair_id=rid)
            view = get_ticket(uow=uow, actor=actor, ticket_id=ticket_id)
            return view, ticket_custom_values(uow=uow, actor=actor, ticket_id=ticket_id)

        self.set_busy(True, self.tr("Loading…"))
        self._ctx.run(load, on_done=self._on_loaded, on_error=self._on_failed, owner=self)

    def _on_loaded(self, loaded: tuple[TicketView, TicketCustom]) -> None:
        view, custom = loaded
        self.custom_form.set_definitions(custom.fields)
        self.custom_form.set_values(custom.values)
        self.custom_box.setVisible(bool(self.custom_form.definitions))
        self._fill(view)

    def save_custom(self) -> None:
        """Ctrl+S: save the changed custom field values of the ticket."""
        view = self._view
        if (view is None or self._busy or not self.custom_form.definitions
                or not self.may_edit_custom()):
            return
        if not self.custom_form.check():
            self.set_status(self.tr("Not saved: please correct the marked fields."),
                            error=True)
            self.custom_form.focus_first_error()
            return
        tid, version, actor = view.id, view.version, self._ctx.actor
        values = self.custom_form.values()
        self.set_busy(True, self.tr("Saving…"))
        self._ctx.run(lambda uow: save_ticket_custom(uow=uow, actor=actor, ticket_id=tid,
                                                     expected_version=version, custom=values),
                      on_done=self._on_custom_saved, on_error=self._on_custom_failed,
                      owner=self)

    def _on_custom_saved(self, view: TicketView) -> None:
        self._fill(view)
        self.set_status(self.tr("Saved."))
        self.saved.emit(view)

    def _on_custom_failed(self, error: BaseException) -> None:
        if isinstance(error, ValidationError):
            self.set_busy(False)
            others = self.custom_form.show_errors(error.errors)
            text = self.tr("Not saved: please correct the marked fields.")
            if others:
                text += " " + "; ".join(others.values())
            self.set_status(text, error=True)
            self.custom_form.focus_first_error()
            return
        self._on_action_failed(error)

    def move_to(self, target: TicketStatus) -> None:
        if self._view is None:
            return
        tid, version, actor = self._view.id, self._view.version, self._ctx.actor
        self.write(lambda uow: move_ticket(uow=uow, actor=actor, ticket_id=tid,
                                           expected_version=version, to=target),
                   self._on_saved, refused=self._on_action_failed)

    def open_dispatch(self) -> QWidget | None:
        if self._view is None:
            return None
        from app.ui.service.dispatch_dialog import DispatchDialog
        dialog = DispatchDialog(self._ctx, self._view, self)
        dialog.saved.connect(self._on_saved)
        self.child_dialog = dialog
        keep_open(dialog)
        return dialog

    def open_repair(self) -> QWidget | None:
        if self._view is None:
            return None
        from app.ui.service.repair_dialog import RepairDialog
        dialog = RepairDialog(self._ctx, self._view, self)
        dialog.saved.connect(self._on_saved)
        self.child_dialog = dialog
        keep_open(dialog)
        return dialog

    # --- building --------------------------------------------------------------------------

    def _build(self) -> None:
        self.number_label = header_label(self)
        self.state_label = QLabel(self)
        self.state_label.setObjectName("state_label")
        self.overdue_label = QLabel(self)
        self.overdue_label.setObjectName("overdue_label")
        self.overdue_label.setStyleSheet(f"color: {OVERDUE_COLOUR}; font-weight: bold;")
        self.values: dict[str, QLabel] = {}
        form = QFormLayout()
        for key, title in (
            ("customer", self.tr("Customer")), ("device", self.tr("Device")),
            ("priority", self.tr("Priority")), ("mode", self.tr("Service mode")),
            ("symptoms", self.tr("Symptoms")), ("accessories", self.tr("Accessories")),
            ("technician", self.tr("Technician")), ("scheduled", self.tr("Scheduled")),
            ("site", self.tr("Site address")), ("due", self.tr("Due")),
            ("charge", self.tr("Charge")),
        ):
            label = QLabel(self)
            label.setObjectName(f"{key}_value")
            label.setWordWrap(True)
            self.values[key] = label
            form.addRow(title, label)
        # The administrator's custom fields of service tickets (自定义字段), when any exist.
        self.custom_box = QGroupBox(self.tr("Custom fields"), self)
        self.custom_box.setObjectName("custom_box")
        self.custom_form = CustomFieldsForm((), self.custom_box, language=self._ctx.language)
        self.custom_form.leave_forward.connect(self.save_custom)
        self.custom_save_button = QPushButton(self.tr("Save fields"), self.custom_box)
        self.custom_save_button.setObjectName("custom_save_button")
        self.custom_save_button.setToolTip(self.tr("Save the custom fields (Ctrl+S)"))
        self.custom_save_button.setAutoDefault(False)
        self.custom_save_button.clicked.connect(self.save_custom)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save_custom)
        custom_row = QHBoxLayout()
        custom_row.addStretch(1)
        custom_row.addWidget(self.custom_save_button)
        custom_layout = QVBoxLayout(self.custom_box)
        custom_layout.addWidget(self.custom_form)
        custom_layout.addLayout(custom_row)
        self.custom_box.hide()
        self.history = QListWidget(self)
        self.history.setObjectName("history_list")
        self.dispatch_button = QPushButton(self.tr("Dispatch…"), self)
        self.dispatch_button.setObjectName("dispatch_button")
        self.dispatch_button.clicked.connect(self.open_dispatch)
        self.repair_button = QPushButton(self.tr("Record repair…"), self)
        self.repair_button.setObjectName("repair_button")
        self.repair_button.clicked.connect(self.open_repair)
        self.move_buttons = self.lifecycle_buttons(_MOVES, ticket_action_label)
        self.print_button.hide()
        top = self.header_row(self.number_label, self.state_label, self.overdue_label)
        self.place_actions((self.dispatch_button, self.repair_button,
                            *self.move_buttons.values()))
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(form)
        layout.addWidget(self.custom_box)
        layout.addWidget(QLabel(self.tr("Status history"), self))
        layout.addWidget(self.history, 1)
        layout.addWidget(self.status_label)
        layout.addLayout(self.actions_row)

    # --- state -----------------------------------------------------------------------------

    def may_dispatch(self) -> bool:
        return (self._view is not None and self._view.status is TicketStatus.RECEIVED
                and self._ctx.can(Module.SERVICE_TICKETS, Operation.CONFIRM))

    def may_record_repair(self) -> bool:
        view = self._view
        return (view is not None and view.status is TicketStatus.IN_REPAIR
                and self._ctx.can(Module.SERVICE_TICKETS, Operation.EDIT)
                and (view.technician_id == self._ctx.actor.user_id
                     or self._ctx.can(Module.SERVICE_TICKETS, Operation.CONFIRM)))

    def may_edit_custom(self) -> bool:
        return self._view is not None and self._ctx.can(Module.SERVICE_TICKETS, Operation.EDIT)

    def update_actions(self) -> None:
        may_edit_custom = self.may_edit_custom()
        self.custom_form.setEnabled(may_edit_custom and not self._busy)
        self.custom_save_button.setVisible(may_edit_custom)
        self.custom_save_button.setEnabled(not self._busy)
        view = self._view
        allowed = TICKET_LIFECYCLE.targets(view.status) if view is not None else ()
        may_move = self._ctx.can(Module.SERVICE_TICKETS, Operation.EDIT)
        for target, button in self.move_buttons.items():
            button.setVisible(may_move and target in allowed)
            button.setEnabled(not self._busy)
        self.dispatch_button.setVisible(self.may_dispatch())
        self.repair_button.setVisible(self.may_record_repair())
        for button in (self.dispatch_button, self.repair_button):
            button.setEnabled(not self._busy)

    def _fill(self, view: TicketView) -> None:
        self._view = view
        self._ticket_id = view.id
        self.setWindowTitle(self.tr("Service ticket {number}").format(number=view.number))
        self.number_label.setText(view.number)
        self.state_label.setText(ticket_status_label(view.status))
        self.overdue_label.setText(overdue_text() if view.overdue else "")
        device = view.device_label or ""
        if view.serial_number:
            device = f"{device} ({view.serial_number})"
        mode = (self.tr("On site") if view.mode is ServiceMode.ON_SITE
                else self.tr("Brought in"))
        charge = (self.tr("Covered by contract") if not view.chargeable
                  else self.tr("{amount} (labour free under contract, parts charged)").format(
                      amount=format_yuan(view.total_charge)) if view.labour_free
                  else format_yuan(view.total_charge))
        if view.chargeable and view.total_charge > 0:
            # What was paid (at pickup or later) and what is still open on the ticket.
            charge += "　" + self.tr("Paid {paid}  Open {open}").format(
                paid=format_yuan(view.paid_amount), open=format_yuan(view.open_charge))
        texts = {
            "customer": view.customer_name, "device": device,
            "priority": priority_label(view.priority), "mode": mode,
            "symptoms": view.symptoms, "accessories": view.accessories or "",
            "technician": view.technician_name or "",
            "scheduled": format_local_datetime(view.scheduled_at) if view.scheduled_at else "",
            "site": view.site_address or "",
            "due": format_local_datetime(view.due_at) if view.due_at else "",
            "charge": charge,
        }
        for key, text in texts.items():
            self.values[key].setText(text)
        self.history.clear()
        for ev in view.events:
            step = (self.tr("{from_status} → {to_status}").format(
                from_status=ticket_status_label(ev.from_status),
                to_status=ticket_status_label(ev.to_status))
                if ev.from_status is not None
                else ticket_status_label(ev.to_status))
            line = self.tr("{at}  {step}  by {name}").format(
                at=format_local_datetime(ev.at), step=step, name=ev.by_name)
            if ev.note:
                line = f"{line}: {ev.note}"
            self.history.addItem(line)
        if view.scheduled_at is not None:
            self.history.addItem(self.tr("{at}  Scheduled visit").format(
                at=format_local_datetime(view.scheduled_at)))
        self.set_busy(False)

    def _on_failed(self, error: BaseException) -> None:
        self.set_busy(False, self.tr("Could not load the ticket."), error=True)
        show_error(self, error)

    def _on_saved(self, view: TicketView) -> None:
        self._fill(view)
        self.saved.emit(view)

    def _on_action_failed(self, error: BaseException) -> None:
        self.set_busy(False, self.tr("Not saved."), error=True)
        show_error(self, error)
        if isinstance(error, ConflictError):
            self.reload()


def open_ticket(ctx: AppContext, ticket_id: int, parent: QWidget | None = None) -> TicketDialog:
    """Open a ticket (the timeline opener for kind "service_ticket")."""
    return keep_open(TicketDialog(ctx, ticket_id, parent))


def open_repair_ticket(ctx: AppContext, repair_id: int,
                       parent: QWidget | None = None) -> TicketDialog:
    """Open the ticket of a repair record (the timeline opener for kind "repair")."""
    return keep_open(TicketDialog(ctx, None, parent, repair_id=repair_id))

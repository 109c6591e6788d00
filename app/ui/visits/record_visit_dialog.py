"""Record an on-site visit (拜访记录) to a key account, from its 360 view."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import CustomFieldEntity, VisitKind
from app.saving import new_request_key
from app.services.custom_fields import FieldDefinition
from app.services.custom_fields import definitions as custom_field_definitions
from app.services.customers import CustomerDetail, get_customer
from app.services.errors import ValidationError
from app.services.visits import VisitDraft, VisitView, record_visit
from app.ui.context import AppContext
from app.ui.custom_fields.form import CustomFieldsForm
from app.ui.errors import show_error
from app.ui.kit.changes import announce
from app.ui.kit.fields import ERROR_COLOUR
from app.ui.kit.record_dialog import keep_open
from app.ui.saving import save_keyed
from app.ui.visits.common import FieldBox, follow_up_value


class RecordVisitDialog(QDialog):
    """Who was met, what about, the outcome, the next step and when to follow up.

    Signals:
        recorded(VisitView): the visit was saved.
    """

    recorded = Signal(object)

    def __init__(self, ctx: AppContext, customer_id: int, customer_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("record_visit_dialog")
        self.setWindowTitle(self.tr("Record visit"))
        self._ctx = ctx
        self.customer_id = customer_id
        self.visit: VisitView | None = None
        self.is_busy = False
        # Taken when the form opens: saving again after a lost answer records it once.
        self.request_key = new_request_key()
        # The customer's 360 view, the visit lists and the to-do list hear of it.
        announce(ctx.changes, self.recorded, "visit")

        self.contact_combo = QComboBox(self)
        self.contact_combo.setObjectName("visit_contact")
        self.contact_combo.addItem(self.tr("(nobody in particular)"), None)
        self.purpose_edit = QLineEdit(self)
        self.purpose_edit.setObjectName("visit_purpose")
        self.purpose_edit.setMaxLength(200)
        self.outcome_edit = QLineEdit(self)
        self.outcome_edit.setObjectName("visit_outcome")
        self.next_step_edit = QLineEdit(self)
        self.next_step_edit.setObjectName("visit_next_step")
        self.follow_up_edit = QLineEdit(self)
        self.follow_up_edit.setObjectName("visit_follow_up")
        self.follow_up_edit.setPlaceholderText(self.tr("YYYY-MM-DD, or 3 = in 3 days"))
        self.boxes = {
            "contact_id": FieldBox(self.contact_combo, self),
            "purpose": FieldBox(self.purpose_edit, self),
            "outcome": FieldBox(self.outcome_edit, self),
            "next_step": FieldBox(self.next_step_edit, self),
            "follow_up_on": FieldBox(self.follow_up_edit, self),
        }
        form = QFormLayout()
        name_label = QLabel(customer_name, self)
        name_label.setObjectName("visit_customer")
        form.addRow(self.tr("Customer:"), name_label)
        form.addRow(self.tr("Contact met:"), self.boxes["contact_id"])
        form.addRow(self.tr("Topic:"), self.boxes["purpose"])
        form.addRow(self.tr("Outcome:"), self.boxes["outcome"])
        form.addRow(self.tr("Next step:"), self.boxes["next_step"])
        form.addRow(self.tr("Follow-up on:"), self.boxes["follow_up_on"])

        self.status_label = QLabel(self)
        self.status_label.setObjectName("visit_status")
        self.status_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("visit_save")
        self.save_button.setText(self.tr("Record"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        # The administrator's custom fields of visits (shown when there are any).
        self.custom_form = CustomFieldsForm((), self, language=ctx.language)
        self.custom_form.setVisible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.custom_form)
        layout.addWidget(self.status_label)
        layout.addWidget(self.buttons)
        self.resize(480, self.sizeHint().height())
        self.purpose_edit.setFocus()

        # The contacts are a convenience: without them the visit is still recorded.
        actor = ctx.actor
        ctx.run(lambda uow: get_customer(uow=uow, actor=actor, customer_id=customer_id),
                on_done=self._fill_contacts, on_error=lambda _e: None, owner=self)
        ctx.run(lambda uow: custom_field_definitions(uow=uow, actor=actor,
                                                     entity=CustomFieldEntity.VISIT),
                on_done=self._on_custom_fields, on_error=lambda _e: None, owner=self)

    def _on_custom_fields(self, fields: tuple[FieldDefinition, ...]) -> None:
        self.custom_form.set_definitions(fields)
        self.custom_form.set_values({}, defaults=True)
        self.custom_form.setVisible(bool(self.custom_form.definitions))
        self.resize(self.width(), self.sizeHint().height())

    def _fill_contacts(self, customer: CustomerDetail) -> None:
        for contact in sorted(customer.contacts, key=lambda c: not c.is_primary):
            text = contact.name + (f" ({contact.title})" if contact.title else "")
            self.contact_combo.addItem(text, contact.id)

    def draft(self) -> VisitDraft:
        return VisitDraft(
            customer_id=self.customer_id, kind=VisitKind.VISIT,
            contact_id=self.contact_combo.currentData(),
            purpose=self.purpose_edit.text().strip(),
            outcome=self.outcome_edit.text().strip() or None,
            next_step=self.next_step_edit.text().strip() or None,
            follow_up_on=follow_up_value(self.follow_up_edit.text(),  # type: ignore[arg-type]
                                         dt.date.today()),
            custom=self.custom_form.values(),
        )

    def save(self) -> None:
        if self.is_busy:
            return
        draft, actor = self.draft(), self._ctx.actor
        for box in self.boxes.values():
            box.set_error("")
        self.custom_form.clear_errors()
        self._busy(True, self.tr("Saving…"))
        save_keyed(self._ctx, lambda uow, key: record_visit(
            uow=uow, actor=actor, draft=draft, request_key=key), self.request_key,
            on_done=self._on_saved, on_error=self._on_failed, owner=self)

    def _busy(self, busy: bool, message: str, *, error: bool = False) -> None:
        self.is_busy = busy
        self.save_button.setEnabled(not busy)
        self.status_label.setText(message)
        self.status_label.setStyleSheet(f"color: {ERROR_COLOUR};" if error else "")

    def _on_saved(self, visit: VisitView) -> None:
        self.visit = visit
        self._busy(False, "")
        self.recorded.emit(visit)
        self.accept()

    def _on_failed(self, error: BaseException) -> None:
        if isinstance(error, ValidationError):
            unplaced = []
            for field, message in self.custom_form.show_errors(error.errors).items():
                box = self.boxes.get(field)
                if box is not None:
                    box.set_error(message)
                else:
                    unplaced.append(message)
            self._busy(False, self.tr("Not saved: please correct the marked fields.")
                       + (" " + "; ".join(unplaced) if unplaced else ""), error=True)
            return
        self._busy(False, self.tr("Not saved."), error=True)
        show_error(self, error)


def open_record_visit(ctx: AppContext, customer_id: int, customer_name: str,
                      parent: QWidget | None = None) -> RecordVisitDialog:
    return keep_open(RecordVisitDialog(ctx, customer_id, customer_name, parent))

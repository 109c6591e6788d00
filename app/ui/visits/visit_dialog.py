"""One visit record, opened from the recent visits list or a customer's timeline."""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import ConfirmStatus, CustomFieldEntity, Module, Operation
from app.services.confirmation import RecordKind
from app.services.custom_fields import FieldDefinition
from app.services.custom_fields import definitions as custom_field_definitions
from app.services.errors import ConflictError, ValidationError
from app.services.uow import UnitOfWork
from app.services.visits import VisitDraft, VisitView, get_visit, submit_visit, update_visit
from app.ui import record_labels
from app.ui.context import AppContext
from app.ui.custom_fields.form import CustomFieldsForm
from app.ui.errors import describe_error, show_error
from app.ui.formatting import format_date, format_local_datetime
from app.ui.kit.changes import announce
from app.ui.management.confirm_bar import ConfirmBar
from app.ui.visits.common import FieldBox, follow_up_value, kind_combo

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
RETURNED_STYLE = ("background: #fdecea; color: #8a1c12; border: 1px solid #e0a39c;"
                  " border-radius: 3px; padding: 6px;")


class VisitDialog(QDialog):
    """Shows a visit record; its author (or management) may edit it until it is confirmed.

    Signals:
        saved(object): the VisitView after a successful save.
        decided(object): the ConfirmationResult after Confirm / Return… (from the queue).
        customer_requested(int): "Open customer".
    """

    saved = Signal(object)
    decided = Signal(object)
    customer_requested = Signal(int)

    def __init__(self, ctx: AppContext, visit_id: int, parent: QWidget | None = None,
                 *, confirming: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("visit_dialog")
        self._ctx = ctx
        self.visit_id = visit_id
        # Opened from the confirmation queue: read-only, with Confirm / Return….
        self.confirming = confirming
        self.visit: VisitView | None = None
        self.is_busy = False
        self.setWindowTitle(self.tr("Visit record"))
        # A save or a submission reaches the open lists through the change bus (a decision
        # taken in the Confirm bar is announced by the bar).
        announce(ctx.changes, self.saved, "visit")

        # Management's return comment (退回意见), while the visit is returned.
        self.banner = QLabel(self)
        self.banner.setObjectName("visit_return_banner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(RETURNED_STYLE)
        self.banner.hide()
        self.customer_label = QLabel(self)
        self.customer_label.setObjectName("visit_customer")
        self.customer_label.setTextFormat(Qt.TextFormat.RichText)
        self.customer_label.linkActivated.connect(self._open_customer)
        self.when_label = QLabel(self)
        self.when_label.setObjectName("visit_when")
        self.kind_combo = kind_combo(self)
        self.kind_combo.setObjectName("visit_kind")
        self.purpose_edit = QLineEdit(self)
        self.purpose_edit.setMaxLength(200)
        self.products_edit = QLineEdit(self)
        self.outcome_edit = QLineEdit(self)
        self.next_step_edit = QLineEdit(self)
        self.follow_up_edit = QLineEdit(self)
        self.follow_up_edit.setPlaceholderText(self.tr("YYYY-MM-DD, or 3 = in 3 days"))
        self.notes_edit = QPlainTextEdit(self)
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setFixedHeight(70)
        self.boxes = {
            "kind": FieldBox(self.kind_combo, self),
            "purpose": FieldBox(self.purpose_edit, self),
            "products_of_interest": FieldBox(self.products_edit, self),
            "outcome": FieldBox(self.outcome_edit, self),
            "next_step": FieldBox(self.next_step_edit, self),
            "follow_up_on": FieldBox(self.follow_up_edit, self),
            "notes": FieldBox(self.notes_edit, self),
        }
        for name, widget in (("purpose", self.purpose_edit), ("products", self.products_edit),
                             ("outcome", self.outcome_edit), ("next_step", self.next_step_edit),
                             ("follow_up", self.follow_up_edit), ("notes", self.notes_edit)):
            widget.setObjectName(f"visit_{name}")
        self._chain: list[QWidget] = [self.kind_combo, self.purpose_edit, self.products_edit,
                                      self.outcome_edit, self.next_step_edit,
                                      self.follow_up_edit, self.notes_edit]
        for widget in self._chain[:-1]:
            widget.installEventFilter(self)

        form = QFormLayout()
        form.addRow(self.tr("Customer:"), self.customer_label)
        form.addRow(self.tr("When:"), self.when_label)
        form.addRow(self.tr("Kind:"), self.boxes["kind"])
        form.addRow(self.tr("Purpose:"), self.boxes["purpose"])
        form.addRow(self.tr("Products of interest:"), self.boxes["products_of_interest"])
        form.addRow(self.tr("Outcome:"), self.boxes["outcome"])
        form.addRow(self.tr("Next step:"), self.boxes["next_step"])
        form.addRow(self.tr("Follow-up on:"), self.boxes["follow_up_on"])
        form.addRow(self.tr("Notes:"), self.boxes["notes"])

        self.status_label = QLabel(self)
        self.status_label.setObjectName("visit_status")
        self.status_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(self)
        self.save_button = QPushButton(self.tr("Save (Ctrl+S)"), self)
        self.save_button.setObjectName("visit_save")
        self.save_button.clicked.connect(self.save)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        # A draft or returned visit goes to management's confirmation queue (提交确认).
        self.submit_button = QPushButton(self.tr("Save and submit"), self)
        self.submit_button.setObjectName("visit_submit")
        self.submit_button.setToolTip(self.tr("Submit the record to management for confirmation"))
        self.submit_button.setAutoDefault(False)
        self.submit_button.clicked.connect(self.submit)
        self.submit_button.setVisible(False)
        self.buttons.addButton(self.submit_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setAutoDefault(False)
        self.buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)

        # The administrator's custom fields of visits (shown when there are any).
        self.custom_form = CustomFieldsForm((), self, language=ctx.language)
        self.custom_form.setVisible(False)
        self.confirm_bar = ConfirmBar(ctx, RecordKind.VISIT, self)
        self.confirm_bar.decided.connect(self._on_decided)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(self.custom_form)
        layout.addWidget(self.status_label)
        layout.addWidget(self.confirm_bar)
        layout.addWidget(self.buttons)
        self.resize(520, self.sizeHint().height())
        self._set_editable(False)
        actor = ctx.actor
        ctx.run(lambda uow: custom_field_definitions(uow=uow, actor=actor,
                                                     entity=CustomFieldEntity.VISIT),
                on_done=self._on_custom_fields, on_error=lambda _e: None, owner=self)
        self.reload()

    def _on_custom_fields(self, fields: tuple[FieldDefinition, ...]) -> None:
        self.custom_form.set_definitions(fields)
        self.custom_form.setVisible(bool(self.custom_form.definitions))
        if self.visit is not None:
            self.custom_form.set_values(self.visit.custom)
        self.custom_form.setEnabled(self.editable)

    # --- public ---------------------------------------------------------------------------

    @property
    def editable(self) -> bool:
        return not self.purpose_edit.isReadOnly()

    def reload(self) -> None:
        self._busy(True, self.tr("Loading…"))
        actor = self._ctx.actor
        self._ctx.run(lambda uow: get_visit(uow=uow, actor=actor, visit_id=self.visit_id),
                      on_done=self._fill, on_error=self._on_load_failed, owner=self)

    def current_draft(self) -> VisitDraft:
        return VisitDraft(
            purpose=self.purpose_edit.text().strip(),
            kind=self.kind_combo.currentData(),
            products_of_interest=self.products_edit.text().strip() or None,
            outcome=self.outcome_edit.text().strip() or None,
            next_step=self.next_step_edit.text().strip() or None,
            follow_up_on=follow_up_value(self.follow_up_edit.text(), dt.date.today()),  # type: ignore[arg-type]
            notes=self.notes_edit.toPlainText().strip() or None,
            custom=self.custom_form.values(),
        )

    def submit(self) -> None:
        """Save what is typed, then submit the visit to management (draft or returned)."""
        if self.visit is None or self.is_busy or not self.submit_button.isVisible():
            return
        actor, visit_id, version = self._ctx.actor, self.visit.id, self.visit.version
        draft = self.current_draft()
        self._clear_errors()
        self._busy(True, self.tr("Saving…"))

        def work(uow: UnitOfWork) -> VisitView:
            saved = update_visit(uow=uow, actor=actor, visit_id=visit_id,
                                 expected_version=version, draft=draft)
            return submit_visit(uow=uow, actor=actor, visit_id=visit_id,
                                expected_version=saved.version)

        self._ctx.run(work, on_done=self._on_saved, on_error=self._on_save_failed, owner=self)

    def save(self) -> None:
        if self.visit is None or self.is_busy or not self.editable:
            return
        actor = self._ctx.actor
        visit_id, version = self.visit.id, self.visit.version
        draft = self.current_draft()
        self._clear_errors()
        self._busy(True, self.tr("Saving…"))
        self._ctx.run(
            lambda uow: update_visit(uow=uow, actor=actor, visit_id=visit_id,
                                     expected_version=version, draft=draft),
            on_done=self._on_saved, on_error=self._on_save_failed, owner=self)

    # --- results --------------------------------------------------------------------------

    def _fill(self, visit: VisitView) -> None:
        self.visit = visit
        self.customer_label.setText(f'<a href="customer">{_escape(visit.customer_name)}</a>'
                                    + (f" — {_escape(visit.contact_name)}"
                                       if visit.contact_name else ""))
        self.when_label.setText(self.tr("{when} by {owner} — {state}").format(
            when=format_local_datetime(visit.occurred_at), owner=visit.owner_name or "",
            state=record_labels.state_label("visit", visit.confirm_status.value)))
        index = self.kind_combo.findData(visit.kind.value)
        self.kind_combo.setCurrentIndex(max(index, 0))
        self.purpose_edit.setText(visit.purpose)
        self.products_edit.setText(visit.products_of_interest or "")
        self.outcome_edit.setText(visit.outcome or "")
        self.next_step_edit.setText(visit.next_step or "")
        self.follow_up_edit.setText(format_date(visit.follow_up_on))
        self.notes_edit.setPlainText(visit.notes or "")
        self.custom_form.set_values(visit.custom)
        self._show_decision(visit)
        may_decide = (self.confirming and visit.confirm_status is ConfirmStatus.SUBMITTED
                      and visit.owner_id != self._ctx.actor.user_id
                      and self._ctx.can(Module.VISITS, Operation.CONFIRM))
        self.confirm_bar.set_record(
            visit.id if may_decide else None, visit.version, author=visit.owner_name or "",
            context=f"{visit.customer_name} · {visit.purpose}")
        may_edit = (not self.confirming and self._ctx.can(Module.VISITS, Operation.EDIT)
                    and visit.confirm_status is not ConfirmStatus.CONFIRMED
                    and (visit.owner_id == self._ctx.actor.user_id
                         or self._ctx.can(Module.VISITS, Operation.CONFIRM)))
        self._set_editable(may_edit)
        self.submit_button.setVisible(may_edit and visit.confirm_status in (
            ConfirmStatus.DRAFT, ConfirmStatus.RETURNED))
        self._busy(False, "" if may_edit else self.tr("Read only."))
        if may_edit:
            self.purpose_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        elif may_decide:
            self.confirm_bar.confirm_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_decision(self, visit: VisitView) -> None:
        """A returned visit says prominently who returned it, when, and why."""
        if visit.confirm_status is ConfirmStatus.RETURNED:
            when = format_local_datetime(visit.decided_at) if visit.decided_at else "?"
            self.banner.setText(self.tr("Returned by {who} on {when}: {comment}").format(
                who=visit.decided_by_name or "?", when=when,
                comment=visit.return_comment or ""))
            self.banner.show()
        else:
            self.banner.hide()
        if (visit.confirm_status is ConfirmStatus.CONFIRMED and visit.decided_at
                and visit.decided_by_name):
            self.when_label.setText(self.when_label.text() + self.tr(
                " ({who}, {when})").format(who=visit.decided_by_name,
                                           when=format_local_datetime(visit.decided_at)))

    def _on_decided(self, result: object) -> None:
        self.decided.emit(result)
        self.reload()

    def _on_load_failed(self, error: BaseException) -> None:
        self._busy(False, describe_error(error).text, error=True)

    def _on_saved(self, visit: VisitView) -> None:
        self._fill(visit)
        self._busy(False, self.tr("Saved."))
        self.saved.emit(visit)

    def _on_save_failed(self, error: BaseException) -> None:
        self._busy(False, "")
        if isinstance(error, ValidationError):
            self.show_validation(error.errors)
        elif isinstance(error, ConflictError):
            self._show_conflict(error)
        else:
            self._busy(False, describe_error(error).text, error=True)
            show_error(self, error)

    def show_validation(self, errors: dict[str, str]) -> None:
        self._clear_errors()
        first: QWidget | None = None
        other = []
        for field, message in self.custom_form.show_errors(errors).items():
            box = self.boxes.get(field)
            if box is None:
                other.append(message)
                continue
            box.set_error(message)
            first = first or box.field
        self._busy(False, "\n".join(other) or self.tr("Please correct the marked fields."),
                   error=True)
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_conflict(self, error: ConflictError) -> None:
        when = format_local_datetime(error.changed_at) if error.changed_at else "?"
        text = self.tr("{who} saved this visit record at {when}, after you opened it. "
                       "Reload it to see their changes (yours are lost), or keep "
                       "editing.").format(who=error.changed_by or self.tr("someone"),
                                          when=when)
        self._busy(False, text, error=True)
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Changed meanwhile"), text,
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("visit_conflict_box")
        reload_button = box.addButton(self.tr("Reload"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("Keep editing"), QMessageBox.ButtonRole.RejectRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        reload_button.clicked.connect(self.reload)
        self.conflict_box = box
        box.open()

    # --- helpers --------------------------------------------------------------------------

    def _open_customer(self, _link: str) -> None:
        if self.visit is not None:
            self.customer_requested.emit(self.visit.customer_id)

    def _set_editable(self, editable: bool) -> None:
        # Read-only texts stay enabled, so they are as easy to read as the editable ones.
        for widget in self._chain:
            if isinstance(widget, QLineEdit | QPlainTextEdit):
                widget.setReadOnly(not editable)
            else:
                widget.setEnabled(editable)
        self.follow_up_edit.setPlaceholderText(
            self.tr("YYYY-MM-DD, or 3 = in 3 days") if editable else "")
        self.custom_form.setEnabled(editable)
        self.save_button.setVisible(editable)

    def _busy(self, busy: bool, message: str, *, error: bool = False) -> None:
        self.is_busy = busy
        self.save_button.setEnabled(not busy)
        self.submit_button.setEnabled(not busy)
        self.status_label.setText(message)
        self.status_label.setStyleSheet("color: #b00020;" if error else "")

    def _clear_errors(self) -> None:
        for box in self.boxes.values():
            box.set_error("")
        self.custom_form.clear_errors()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Enter moves to the next field; it never closes the dialog."""
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in _ENTER_KEYS and watched in self._chain):
            index = self._chain.index(watched)  # type: ignore[arg-type]
            self._chain[index + 1].setFocus(Qt.FocusReason.TabFocusReason)
            return True
        return super().eventFilter(watched, event)


def _escape(text: str) -> str:
    return html.escape(text)


def open_visit(ctx: AppContext, visit_id: int, parent: QWidget | None = None,
               *, confirming: bool = False) -> VisitDialog:
    """The record opener of kind "visit" (see :mod:`app.ui.shell.record_openers`); with
    ``confirming`` (from the confirmation queue) read-only with Confirm / Return…."""
    dialog = VisitDialog(ctx, visit_id, parent, confirming=confirming)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    opened = getattr(parent, "customer_activated", None) if parent is not None else None
    if opened is not None:
        dialog.customer_requested.connect(opened)
    dialog.open()
    return dialog

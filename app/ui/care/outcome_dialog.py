"""Record the outcome of a care item: what was said, how, and done / postponed / skipped."""

from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import CareStatus
from app.services.care import (
    CareItemView,
    dismiss_care_item,
    get_care_item,
    postpone_care_item,
    record_outcome,
)
from app.services.uow import UnitOfWork
from app.ui.care.common import (
    OVERDUE_COLOUR,
    care_kind_label,
    care_status_label,
    channel_label,
    channels,
    pydate,
    qdate,
)
from app.ui.context import AppContext
from app.ui.custom_fields.form import CustomFieldsForm
from app.ui.errors import describe_error
from app.ui.formatting import format_date
from app.ui.kit.record_dialog import RecordDialog, keep_open

ACTION_DONE = "done"
ACTION_POSTPONE = "postpone"
ACTION_DISMISS = "dismiss"


class CareOutcomeDialog(RecordDialog):
    """One care item: its customer and reason, the outcome to write down, and what next.

    Keys: Ctrl+S or Ctrl+Enter saves, Esc closes.

    Signals:
        saved(object): the :class:`CareItemView` after saving.
    """

    record_kind = "care"

    def __init__(self, ctx: AppContext, care_item_id: int, parent: QWidget | None = None,
                 *, today: dt.date | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("care_outcome_dialog")
        self.setWindowTitle(self.tr("Customer care outcome"))
        self._item_id = care_item_id
        self._today = today or dt.date.today()
        self._view: CareItemView | None = None
        self._build()
        self.resize(560, 380)
        self.reload()

    @property
    def view(self) -> CareItemView | None:
        return self._view

    def _build(self) -> None:
        self.title_label = QLabel(self)
        self.title_label.setObjectName("care_title_label")
        self.title_label.setWordWrap(True)
        font = self.title_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title_label.setFont(font)
        self.details_label = QLabel(self)
        self.details_label.setObjectName("care_details_label")
        self.details_label.setWordWrap(True)

        self.outcome_edit = QPlainTextEdit(self)
        self.outcome_edit.setObjectName("outcome_edit")
        self.outcome_edit.setPlaceholderText(
            self.tr("What was said, what the customer needs next"))
        self.outcome_edit.setTabChangesFocus(True)
        self.outcome_edit.setMaximumHeight(150)
        self.channel_combo = QComboBox(self)
        self.channel_combo.setObjectName("channel_combo")
        for code, text in channels():
            self.channel_combo.addItem(text, code)

        self.done_radio = QRadioButton(self.tr("Done"), self)
        self.done_radio.setObjectName("done_radio")
        self.postpone_radio = QRadioButton(self.tr("Postpone to"), self)
        self.postpone_radio.setObjectName("postpone_radio")
        self.dismiss_radio = QRadioButton(self.tr("Skip (no action needed)"), self)
        self.dismiss_radio.setObjectName("dismiss_radio")
        self.action_group = QButtonGroup(self)
        for radio in (self.done_radio, self.postpone_radio, self.dismiss_radio):
            self.action_group.addButton(radio)
        self.done_radio.setChecked(True)
        self.postpone_edit = QDateEdit(self)
        self.postpone_edit.setObjectName("postpone_edit")
        self.postpone_edit.setCalendarPopup(True)
        self.postpone_edit.setDisplayFormat("yyyy-MM-dd")
        self.postpone_edit.setMinimumDate(qdate(self._today))
        self.postpone_edit.setDate(qdate(self._today + dt.timedelta(days=7)))
        self.postpone_edit.dateChanged.connect(lambda _d: self.postpone_radio.setChecked(True))
        self.action_group.buttonToggled.connect(lambda _b, _c: self.update_actions())
        postpone_row = QHBoxLayout()
        postpone_row.addWidget(self.postpone_radio)
        postpone_row.addWidget(self.postpone_edit)
        postpone_row.addStretch(1)
        action_box = QVBoxLayout()
        action_box.setSpacing(4)
        action_box.addWidget(self.done_radio)
        action_box.addLayout(postpone_row)
        action_box.addWidget(self.dismiss_radio)

        # The administrator's custom fields of care items (自定义字段), when any exist.
        self.custom_form = CustomFieldsForm((), self, language=self._ctx.language)
        self.custom_form.hide()

        form = QFormLayout()
        self.add_field_row(form, "outcome", self.tr("Outcome"), self.outcome_edit)
        self.add_field_row(form, "channel", self.tr("Channel"), self.channel_combo)
        self.add_field_row(form, "due_on", self.tr("Next"), action_box, self.postpone_edit)
        form.addRow(self.custom_form)

        self.save_button = QPushButton(self.tr("Save"), self)
        self.save_button.setObjectName("save_button")
        self.save_button.setToolTip("Ctrl+S")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.save)
        QShortcut(QKeySequence("Ctrl+Enter"), self, self.save)
        self.close_button.setText(self.tr("Cancel"))
        self.print_button.hide()
        self.actions_row.addWidget(self.status_label, 1)
        self.actions_row.addWidget(self.save_button)
        self.actions_row.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.details_label)
        layout.addLayout(form, 1)
        layout.addLayout(self.actions_row)
        self.outcome_edit.setFocus()

    # --- loading -----------------------------------------------------------------------------

    def reload(self) -> None:
        actor, item_id, today = self._ctx.actor, self._item_id, self._today
        self.set_busy(True, self.tr("Loading…"))
        self._ctx.run(lambda uow: get_care_item(uow=uow, actor=actor, care_item_id=item_id,
                                                on=today),
                      on_done=self._fill, on_error=self._on_load_failed, owner=self)

    def _fill(self, view: CareItemView) -> None:
        self._view = view
        self.title_label.setText(view.title)
        parts = [view.customer_name, care_kind_label(view.kind)]
        if view.contact_name:
            parts.append(self.tr("Contact: {name}").format(name=view.contact_name))
        due = self.tr("Due {date}").format(date=format_date(view.due_on))
        if view.overdue:
            due = self.tr("{date} (overdue)").format(date=due)
        parts.append(due)
        parts.append(care_status_label(view.status))
        if view.owner_name:
            parts.append(self.tr("Owner: {name}").format(name=view.owner_name))
        self.details_label.setText(" · ".join(parts))
        self.details_label.setStyleSheet(f"color: {OVERDUE_COLOUR};" if view.overdue else "")
        if view.outcome and not self.outcome_edit.toPlainText().strip():
            self.outcome_edit.setPlainText(view.outcome)
        if view.channel:
            index = self.channel_combo.findData(view.channel)
            if index < 0:
                self.channel_combo.addItem(channel_label(view.channel), view.channel)
                index = self.channel_combo.count() - 1
            self.channel_combo.setCurrentIndex(index)
        if view.status is CareStatus.SKIPPED:
            self.postpone_radio.setChecked(True)
        self.custom_form.set_definitions(view.custom_fields)
        self.custom_form.set_values(view.custom)
        self.custom_form.setVisible(bool(self.custom_form.definitions))
        if self.custom_form.definitions:
            self.resize(self.width(), max(self.height(), self.sizeHint().height()))
        self.set_busy(False)

    def _on_load_failed(self, error: BaseException) -> None:
        self.set_busy(False, describe_error(error).text, error=True)

    def update_actions(self) -> None:
        loaded = self._view is not None
        done = loaded and self._view is not None and self._view.status is CareStatus.DONE
        skipped = loaded and self._view is not None and self._view.status is CareStatus.SKIPPED
        self.save_button.setEnabled(loaded and not self._busy)
        # A done item may have its outcome corrected; a skipped one can only be reopened.
        self.postpone_radio.setEnabled(not done)
        self.dismiss_radio.setEnabled(not done and not skipped)
        self.done_radio.setEnabled(not skipped)
        self.postpone_edit.setEnabled(not done)

    # --- saving ------------------------------------------------------------------------------

    def chosen_action(self) -> str:
        if self.postpone_radio.isChecked():
            return ACTION_POSTPONE
        if self.dismiss_radio.isChecked():
            return ACTION_DISMISS
        return ACTION_DONE

    def save(self) -> None:
        view = self._view
        if view is None or self._busy:
            return
        actor, today = self._ctx.actor, self._today
        item_id, version = view.id, view.version
        text = self.outcome_edit.toPlainText()
        channel = self.channel_combo.currentData() or ""
        action = self.chosen_action()
        when = pydate(self.postpone_edit.date())
        custom = self.custom_form.values() if self.custom_form.definitions else {}
        self.clear_errors()
        self.custom_form.clear_errors()
        if action != ACTION_DISMISS and custom and not self.custom_form.check():
            self.set_status(self.tr("Not saved: please correct the marked fields."),
                            error=True)
            self.custom_form.focus_first_error()
            return
        self.set_busy(True, self.tr("Saving…"))

        def work(uow: UnitOfWork) -> CareItemView:
            if action == ACTION_POSTPONE:
                return postpone_care_item(uow=uow, actor=actor, care_item_id=item_id,
                                          expected_version=version, to=when,
                                          outcome=text, channel=channel or None, on=today,
                                          custom=custom)
            if action == ACTION_DISMISS:
                return dismiss_care_item(uow=uow, actor=actor, care_item_id=item_id,
                                         expected_version=version, reason=text, on=today)
            return record_outcome(uow=uow, actor=actor, care_item_id=item_id,
                                  expected_version=version, outcome=text, channel=channel,
                                  done=True, on=today, custom=custom)

        self._ctx.run(work, on_done=self._on_saved,
                      on_error=self._on_save_failed, owner=self)

    def _place_line_errors(self, errors: dict[str, str]) -> list[str]:
        """The custom fields' errors go to their fields in the form."""
        others = self.custom_form.show_errors(errors)
        if self.custom_form.has_errors():
            self.custom_form.focus_first_error()
        return [key for key in errors if key not in others]

    def _on_saved(self, view: CareItemView) -> None:
        self._view = view
        self.set_busy(False, self.tr("Saved."))
        self.saved.emit(view)
        self.accept()


def open_care_item(ctx: AppContext, care_item_id: int, parent: QWidget | None = None,
                   *, today: dt.date | None = None) -> CareOutcomeDialog:
    """Open the outcome dialog of one care item (shown, not exec'd)."""
    return keep_open(CareOutcomeDialog(ctx, care_item_id, parent, today=today))

"""The opportunity (商机) dialog: the form, and the stage buttons of the lifecycle."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import Module, Operation, OpportunityStage
from app.services.opportunities import (
    DEFAULT_PROBABILITY,
    OPPORTUNITY_LIFECYCLE,
    OpportunityDraft,
    OpportunityView,
    create_opportunity,
    get_opportunity,
    move_opportunity,
    update_opportunity,
)
from app.ui import labels
from app.ui.context import AppContext
from app.ui.errors import show_error
from app.ui.formatting import format_yuan
from app.ui.kit.chooser import CustomerChooser
from app.ui.kit.fields import error_label, parse_decimal
from app.ui.kit.record_dialog import RecordDialog, header_label, keep_open
from app.ui.opportunities.common import stage_action_label, stage_label

NO_DATE = QDate(2000, 1, 1)


class OpportunityDialog(RecordDialog):
    """A new opportunity (``opportunity_id`` None) or a saved one.

    Signals:
        saved(OpportunityView): after a save or a stage move.
    """

    record_kind = "opportunity"

    def __init__(self, ctx: AppContext, opportunity_id: int | None = None, *,
                 customer_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("opportunity_dialog")
        self._opportunity_id = opportunity_id
        self._customer_id = customer_id
        self._view: OpportunityView | None = None
        self.stage_buttons: dict[OpportunityStage, QPushButton] = {}
        self._build()
        self.resize(640, 560)
        if opportunity_id is None:
            self.setWindowTitle(self.tr("New opportunity"))
            self._show_stage(OpportunityStage.NEW)
            if customer_id is not None:
                self.customer.fix_customer(customer_id)
            self.update_actions()
        else:
            self.setWindowTitle(self.tr("Opportunity"))
            self.reload()

    @property
    def view(self) -> OpportunityView | None:
        return self._view

    @property
    def opportunity_id(self) -> int | None:
        return self._view.id if self._view is not None else self._opportunity_id

    # --- building --------------------------------------------------------------------------

    def _build(self) -> None:
        self.number_label = header_label(self)
        self.stage_label = QLabel(self)
        self.stage_label.setObjectName("stage_label")
        self.owner_label = QLabel(self)
        self.owner_label.setObjectName("owner_label")

        self.customer = CustomerChooser(self._ctx, parent=self)
        # The chooser's parts, by the names the form used before it had one.
        self.customer_label = self.customer.fixed_label
        self.customer_search = self.customer.search_edit
        self.customer_combo = self.customer.combo
        chooser = self._customer_id is None and self._opportunity_id is None
        self.customer.set_searching(chooser)
        customer_box = QHBoxLayout()
        customer_box.addWidget(self.customer)

        self.title_edit = QLineEdit(self)
        self.title_edit.setObjectName("title_edit")
        self.title_edit.setMaxLength(200)
        self.source_combo = QComboBox(self)
        self.source_combo.setObjectName("source_combo")
        self.source_combo.addItem(self.tr("The customer's source"), None)
        for source, text in labels.customer_sources():
            self.source_combo.addItem(text, source)
        self.amount_edit = QLineEdit(self)
        self.amount_edit.setObjectName("amount_edit")
        self.probability_spin = QSpinBox(self)
        self.probability_spin.setObjectName("probability_spin")
        self.probability_spin.setRange(0, 100)
        self.probability_spin.setSuffix("%")
        self.close_on_edit = QDateEdit(self)
        self.close_on_edit.setObjectName("close_on_edit")
        self.close_on_edit.setCalendarPopup(True)
        self.close_on_edit.setDisplayFormat("yyyy-MM-dd")
        self.close_on_edit.setMinimumDate(NO_DATE)
        self.close_on_edit.setSpecialValueText(self.tr("not set"))
        self.close_on_edit.setDate(NO_DATE)
        self.description_edit = QPlainTextEdit(self)
        self.description_edit.setObjectName("description_edit")
        self.description_edit.setFixedHeight(80)

        form = QFormLayout()
        self.add_field_row(form, "customer_id", self.tr("Customer"), customer_box,
                           self.customer_combo if chooser else None)
        for field, title, widget in (
            ("title", self.tr("Title"), self.title_edit),
            ("source", self.tr("Source"), self.source_combo),
            ("expected_amount", self.tr("Expected amount"), self.amount_edit),
            ("probability", self.tr("Probability"), self.probability_spin),
            ("expected_close_on", self.tr("Expected close date"), self.close_on_edit),
            ("description", self.tr("Description"), self.description_edit),
        ):
            self.add_field_row(form, field, title, widget)

        # The stage buttons: the lifecycle's targets of the current stage.
        self.stage_row = QHBoxLayout()
        self.stage_row.addWidget(QLabel(self.tr("Move to:"), self))
        for stage in OpportunityStage:
            if stage is OpportunityStage.NEW:
                continue
            button = QPushButton(stage_action_label(stage), self)
            button.setObjectName(f"stage_{stage.value}_button")
            button.clicked.connect(lambda _c=False, s=stage: self.move_to(s))
            self.stage_buttons[stage] = button
            self.stage_row.addWidget(button)
        self.stage_row.addStretch(1)

        # Asked when the opportunity is lost.
        self.lost_panel = QWidget(self)
        self.lost_panel.setObjectName("lost_panel")
        self.lost_reason_edit = QLineEdit(self.lost_panel)
        self.lost_reason_edit.setObjectName("lost_reason_edit")
        self.lost_reason_edit.setPlaceholderText(self.tr("Why was it lost?"))
        self.lost_confirm_button = QPushButton(self.tr("Mark as lost"), self.lost_panel)
        self.lost_confirm_button.setObjectName("lost_confirm_button")
        self.lost_confirm_button.clicked.connect(self.confirm_lost)
        self.lost_cancel_button = QPushButton(self.tr("Cancel"), self.lost_panel)
        self.lost_cancel_button.setObjectName("lost_cancel_button")
        self.lost_cancel_button.clicked.connect(self.lost_panel.hide)
        self.lost_error = error_label("lost_reason", self.lost_panel)
        lost_layout = QVBoxLayout(self.lost_panel)
        lost_layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Lost reason:"), self.lost_panel))
        row.addWidget(self.lost_reason_edit, 1)
        row.addWidget(self.lost_confirm_button)
        row.addWidget(self.lost_cancel_button)
        lost_layout.addLayout(row)
        lost_layout.addWidget(self.lost_error)
        self.register_field("lost_reason", self.lost_error, self.lost_reason_edit)
        self.lost_panel.hide()

        self.save_button = QPushButton(self.tr("Save"), self)
        self.save_button.setObjectName("save_button")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.print_button.hide()
        self.actions_row.addStretch(1)
        self.actions_row.addWidget(self.save_button)
        self.actions_row.addWidget(self.close_button)

        header = QHBoxLayout()
        header.addWidget(self.number_label)
        header.addWidget(self.stage_label)
        header.addStretch(1)
        header.addWidget(self.owner_label)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(form)
        layout.addLayout(self.stage_row)
        layout.addWidget(self.lost_panel)
        layout.addStretch(1)
        layout.addWidget(self.status_label)
        layout.addLayout(self.actions_row)

    # --- state -----------------------------------------------------------------------------

    def _stage(self) -> OpportunityStage:
        return self._view.stage if self._view is not None else OpportunityStage.NEW

    def _may_edit(self) -> bool:
        if self._view is None:
            return self._ctx.can(Module.OPPORTUNITIES, Operation.CREATE)
        return (self._view.stage in {s for s in OpportunityStage
                                     if OPPORTUNITY_LIFECYCLE.targets(s)}
                and self._ctx.can(Module.OPPORTUNITIES, Operation.EDIT))

    def update_actions(self) -> None:
        editable = self._may_edit() and not self._busy
        self.save_button.setEnabled(editable)
        self.save_button.setVisible(self._may_edit())
        for widget in (self.title_edit, self.source_combo, self.amount_edit,
                       self.probability_spin, self.close_on_edit, self.description_edit):
            widget.setEnabled(self._may_edit())
        targets = (set(OPPORTUNITY_LIFECYCLE.targets(self._stage()))
                   if self._view is not None and self._ctx.can(Module.OPPORTUNITIES,
                                                                Operation.EDIT) else set())
        for stage, button in self.stage_buttons.items():
            button.setVisible(stage in targets)
            button.setEnabled(not self._busy)
        self.lost_confirm_button.setEnabled(not self._busy)

    def _show_stage(self, stage: OpportunityStage) -> None:
        self.stage_label.setText(self.tr("Stage: {stage}").format(stage=stage_label(stage)))
        if self._view is None:
            self.probability_spin.setValue(DEFAULT_PROBABILITY[stage])

    # --- loading ---------------------------------------------------------------------------

    def reload(self) -> None:
        oid, actor = self.opportunity_id, self._ctx.actor
        if oid is None:
            return
        self.set_busy(True, self.tr("Loading…"))
        self._ctx.run(lambda uow: get_opportunity(uow=uow, actor=actor, opportunity_id=oid),
                      on_done=self._fill, on_error=self._on_load_failed, owner=self)

    def _fill(self, view: OpportunityView) -> None:
        self._view = view
        self._customer_id = view.customer_id
        self.setWindowTitle(self.tr("Opportunity {number}").format(number=view.number))
        self.number_label.setText(view.number)
        self._show_stage(view.stage)
        self.owner_label.setText(
            self.tr("Owner: {name}").format(name=view.owner_name) if view.owner_name
            else self.tr("Waiting for routing"))
        self.customer.fix(view.customer_id, view.customer_name)
        self.title_edit.setText(view.title)
        self.source_combo.setCurrentIndex(max(0, self.source_combo.findData(view.source)))
        self.amount_edit.setText(f"{view.expected_amount:.2f}")
        self.probability_spin.setValue(view.probability)
        day = view.expected_close_on
        self.close_on_edit.setDate(QDate(day.year, day.month, day.day) if day else NO_DATE)
        self.description_edit.setPlainText(view.description or "")
        if view.lost_reason:
            self.lost_reason_edit.setText(view.lost_reason)
        self.lost_panel.hide()
        self.set_busy(False)

    def _on_load_failed(self, error: BaseException) -> None:
        self.set_busy(False, self.tr("Could not load the opportunity."), error=True)
        show_error(self, error)

    def search_customers(self) -> None:
        """Look up what is typed in the customer box now (without the typing pause)."""
        self.customer.search()

    # --- saving ----------------------------------------------------------------------------

    def current_draft(self) -> OpportunityDraft:
        customer_id = self._customer_id
        if customer_id is None:
            data = self.customer.current_id()
            customer_id = int(data) if data is not None else 0
        text = self.amount_edit.text()
        parsed = parse_decimal(text)
        amount: Decimal | str = parsed if parsed is not None else text
        qd = self.close_on_edit.date()
        close_on = (dt.date(qd.year(), qd.month(), qd.day())
                    if qd.isValid() and qd != NO_DATE else None)
        return OpportunityDraft(
            customer_id=customer_id, title=self.title_edit.text().strip(),
            expected_amount=amount, source=self.source_combo.currentData(),
            probability=self.probability_spin.value(), expected_close_on=close_on,
            description=self.description_edit.toPlainText().strip() or None,
            service_ticket_id=self._view.service_ticket_id if self._view else None)

    def save(self) -> None:
        if self._busy or not self._may_edit():
            return
        draft, actor = self.current_draft(), self._ctx.actor
        if self._view is None:
            self.write(lambda uow: create_opportunity(uow=uow, actor=actor, draft=draft),
                       self._on_saved)
        else:
            oid, version = self._view.id, self._view.version
            self.write(lambda uow: update_opportunity(
                uow=uow, actor=actor, opportunity_id=oid, expected_version=version,
                draft=draft), self._on_saved)

    def move_to(self, target: OpportunityStage, lost_reason: str | None = None) -> None:
        """Move along the lifecycle; *lost* first asks for the reason."""
        if self._view is None or self._busy:
            return
        if target is OpportunityStage.LOST and lost_reason is None:
            self.lost_panel.show()
            self.lost_reason_edit.setFocus()
            return
        oid, version, actor = self._view.id, self._view.version, self._ctx.actor
        self.write(lambda uow: move_opportunity(
            uow=uow, actor=actor, opportunity_id=oid, expected_version=version,
            stage=target, lost_reason=lost_reason), self._on_saved)

    def confirm_lost(self) -> None:
        self.move_to(OpportunityStage.LOST, self.lost_reason_edit.text())

    def _on_saved(self, view: OpportunityView) -> None:
        self._fill(view)
        self.set_status(self.tr("Saved: {number}, {amount}").format(
            number=view.number, amount=format_yuan(view.expected_amount)))
        self.saved.emit(view)


def open_opportunity(ctx: AppContext, opportunity_id: int, parent: QWidget | None = None
                     ) -> OpportunityDialog:
    """Open a saved opportunity (the timeline opener for kind "opportunity")."""
    return keep_open(OpportunityDialog(ctx, opportunity_id, parent=parent))


def new_opportunity(ctx: AppContext, customer_id: int | None = None,
                    parent: QWidget | None = None) -> OpportunityDialog:
    return keep_open(OpportunityDialog(ctx, customer_id=customer_id, parent=parent))

"""The quotation editor (报价单): customer, lines with live totals, status moves, conversion."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import Module, Operation, QuotationStatus
from app.saving import new_request_key
from app.services.sales import (
    OrderView,
    QuotationDraft,
    QuotationLineDraft,
    QuotationView,
    convert_quotation_to_order,
    create_quotation,
    get_quotation,
    transition_quotation,
    update_quotation,
)
from app.ui.context import AppContext
from app.ui.errors import show_error
from app.ui.formatting import format_yuan
from app.ui.kit.chooser import CustomerChooser
from app.ui.kit.record_dialog import RecordDialog, header_label, keep_open
from app.ui.sales.common import quotation_action_label, quotation_status_label
from app.ui.sales.lines import LinesEditor
from app.ui.saving import save_keyed

DEFAULT_VALIDITY_DAYS = 15


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class QuotationDialog(RecordDialog):
    """A new quotation (``quotation_id`` None; for ``customer_id`` if given) or a saved one.

    Signals:
        saved(QuotationView): after every save or status move.
        converted(OrderView): the quotation became an order.
    """

    record_kind = "quotation"
    converted = Signal(object)

    def __init__(self, ctx: AppContext, quotation_id: int | None = None, *,
                 customer_id: int | None = None, parent: QWidget | None = None,
                 open_order: Callable[[AppContext, int, QWidget | None], object] | None = None,
                 ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("quotation_dialog")
        self._quotation_id = quotation_id
        self._customer_id = customer_id
        self._view: QuotationView | None = None
        # Taken when the form opens: creating it again after a lost answer saves it once.
        self.request_key = new_request_key()
        self._open_order = open_order
        self.opened_order: object = None
        self._build()
        self.resize(900, 600)
        if quotation_id is not None:
            self.reload()
        else:
            self.setWindowTitle(self.tr("New quotation"))
            if customer_id is not None:
                self.customer.fix_customer(customer_id)
            self.update_actions()
            # The clerk starts with the customer: the cursor waits in its search box (or,
            # the customer given, in the first line).
            start = self.customer if customer_id is None else self.lines
            start.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- public ----------------------------------------------------------------------------

    @property
    def view(self) -> QuotationView | None:
        return self._view

    @property
    def quotation_id(self) -> int | None:
        return self._quotation_id

    def _place_line_errors(self, errors: dict[str, str]) -> Collection[str]:
        return self.lines.show_errors(errors)

    def reload(self) -> None:
        assert self._quotation_id is not None
        quotation_id, actor = self._quotation_id, self._ctx.actor
        self.set_busy(True, self.tr("Loading…"))
        self._ctx.run(lambda uow: get_quotation(uow=uow, actor=actor,
                                                quotation_id=quotation_id),
                      on_done=self._fill, on_error=self._on_failed, owner=self)

    def current_draft(self) -> QuotationDraft:
        customer_id = self._customer_id
        if customer_id is None:
            data = self.customer_combo.currentData()
            customer_id = int(data) if data is not None else 0
        base: dict[str, Any] = {}
        if self._view is not None:
            base = {"contact_id": self._view.contact_id,
                    "opportunity_id": self._view.opportunity_id,
                    "owner_id": self._view.owner_id, "notes": self._view.notes}
        lines = tuple(QuotationLineDraft(
            product_id=v["product_id"], description=v["description"], quantity=v["quantity"],
            unit_price=v["unit_price"], discount_percent=v["discount_percent"])
            for v in self.lines.line_values())
        return QuotationDraft(
            customer_id=customer_id, lines=lines,
            quoted_on=_pydate(self.quoted_on_edit.date()),
            valid_until=_pydate(self.valid_until_edit.date()),
            terms=self.terms_edit.text().strip() or None, **base)

    def save(self) -> None:
        if self._busy or not self._may_edit():
            return
        draft = self.current_draft()
        actor = self._ctx.actor
        self.clear_errors()
        self.lines.clear_errors()
        self.set_busy(True, self.tr("Saving…"))
        if self._view is None:
            save_keyed(self._ctx, lambda uow, key: create_quotation(
                uow=uow, actor=actor, draft=draft, request_key=key), self.request_key,
                on_done=self._on_saved, on_error=self._on_save_failed, owner=self)
            return
        qid, version = self._view.id, self._view.version
        self._ctx.run(lambda uow: update_quotation(
            uow=uow, actor=actor, quotation_id=qid, expected_version=version, draft=draft),
            on_done=self._on_saved, on_error=self._on_save_failed, owner=self)

    def move_to(self, target: QuotationStatus) -> None:
        if self._view is None:
            return
        qid, version, actor = self._view.id, self._view.version, self._ctx.actor
        self.write(lambda uow: transition_quotation(
            uow=uow, actor=actor, quotation_id=qid, expected_version=version, to=target),
            self._on_saved, refused=self._on_action_failed)

    def convert_to_order(self) -> None:
        if self._view is None:
            return
        qid, version, actor = self._view.id, self._view.version, self._ctx.actor
        self.write(lambda uow: convert_quotation_to_order(
            uow=uow, actor=actor, quotation_id=qid, expected_version=version),
            self._on_converted, busy_text=self.tr("Converting to an order…"),
            refused=self._on_action_failed)

    def open_print_preview(self) -> None:
        if self._view is None:
            return
        from app.ui.print_preview import open_print_preview
        open_print_preview(self._ctx, "quotation", [self._view.id], self)

    # --- building --------------------------------------------------------------------------

    def _build(self) -> None:
        self.number_label = header_label(self)
        self.state_label = QLabel(self)
        self.state_label.setObjectName("state_label")

        self.customer = CustomerChooser(self._ctx, parent=self)
        # The chooser's parts, by the names the form used before it had one.
        self.customer_label = self.customer.fixed_label
        self.customer_search = self.customer.search_edit
        self.customer_combo = self.customer.combo
        chooser = self._customer_id is None and self._quotation_id is None
        self.customer.set_searching(chooser)
        customer_box = QHBoxLayout()
        customer_box.addWidget(self.customer)

        today = dt.date.today()
        self.quoted_on_edit = QDateEdit(_qdate(today), self)
        self.quoted_on_edit.setObjectName("quoted_on_edit")
        self.valid_until_edit = QDateEdit(
            _qdate(today + dt.timedelta(days=DEFAULT_VALIDITY_DAYS)), self)
        self.valid_until_edit.setObjectName("valid_until_edit")
        for edit in (self.quoted_on_edit, self.valid_until_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.terms_edit = QLineEdit(self)
        self.terms_edit.setObjectName("terms_edit")
        self.terms_edit.setMaxLength(500)
        self.terms_edit.setPlaceholderText(self.tr("e.g. prices include VAT, delivery included"))

        form = QFormLayout()
        self.add_field_row(form, "customer_id", self.tr("Customer"), customer_box,
                           self.customer_combo if chooser else None)
        for field, title, widget in (
            ("quoted_on", self.tr("Quotation date"), self.quoted_on_edit),
            ("valid_until", self.tr("Valid until"), self.valid_until_edit),
            ("terms", self.tr("Terms"), self.terms_edit),
        ):
            self.add_field_row(form, field, title, widget)

        self.lines = LinesEditor(self._ctx, self)
        self.lines.changed.connect(lambda: self.set_status(""))

        self.save_button = self.make_save_button()
        self.convert_button = QPushButton(self.tr("Convert to order"), self)
        self.convert_button.setObjectName("convert_button")
        self.convert_button.clicked.connect(self.convert_to_order)
        self.print_button.clicked.connect(self.open_print_preview)
        self.status_buttons = self.lifecycle_buttons(
            (QuotationStatus.SENT, QuotationStatus.ACCEPTED, QuotationStatus.REJECTED,
             QuotationStatus.EXPIRED), quotation_action_label)
        top = self.header_row(self.number_label, self.state_label)
        self.place_actions((self.save_button, *self.status_buttons.values(),
                            self.convert_button), end=(self.print_button,))
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(form)
        layout.addWidget(self.lines, 1)
        layout.addWidget(self.status_label)
        layout.addLayout(self.actions_row)

    # --- state -----------------------------------------------------------------------------

    def _may_edit(self) -> bool:
        if self._view is None:
            return self._ctx.can(Module.QUOTATIONS, Operation.CREATE)
        return (self._view.status is QuotationStatus.DRAFT
                and self._ctx.can(Module.QUOTATIONS, Operation.EDIT))

    def update_actions(self) -> None:
        editable = self._may_edit()
        view = self._view
        self.lines.set_editable(editable)
        for edit in (self.quoted_on_edit, self.valid_until_edit, self.terms_edit):
            edit.setEnabled(editable)
        self.save_button.setVisible(editable)
        self.save_button.setEnabled(not self._busy)
        allowed = view.allowed_transitions if view is not None else ()
        may_move = self._ctx.can(Module.QUOTATIONS, Operation.EDIT)
        for target, button in self.status_buttons.items():
            button.setVisible(may_move and target in allowed)
            button.setEnabled(not self._busy)
        self.convert_button.setVisible(
            QuotationStatus.CONVERTED in allowed and may_move
            and self._ctx.can(Module.ORDERS, Operation.CREATE))
        self.convert_button.setEnabled(not self._busy)
        self.print_button.setVisible(view is not None
                                     and self._ctx.can(Module.QUOTATIONS, Operation.PRINT))
        self.print_button.setEnabled(not self._busy)

    def _fill(self, view: QuotationView) -> None:
        self._view = view
        self._quotation_id = view.id
        self._customer_id = view.customer_id
        self.setWindowTitle(self.tr("Quotation {number}").format(number=view.number))
        self.number_label.setText(view.number)
        self.state_label.setText(quotation_status_label(view.status))
        self.customer.fix(view.customer_id, view.customer_name)
        self._fields["customer_id"] = (self._fields["customer_id"][0], None)
        self.quoted_on_edit.setDate(_qdate(view.quoted_on))
        self.valid_until_edit.setDate(_qdate(view.valid_until))
        self.terms_edit.setText(view.terms or "")
        self.lines.set_lines(view.lines)
        self.set_busy(False)

    def _on_failed(self, error: BaseException) -> None:
        self.set_busy(False, self.tr("Could not load the quotation."), error=True)
        show_error(self, error)

    def _on_saved(self, view: QuotationView) -> None:
        self._fill(view)
        self.set_status(self.tr("Saved at {time}.").format(
            time=dt.datetime.now().strftime("%H:%M")))
        self.saved.emit(view)

    def _on_converted(self, order: OrderView) -> None:
        self.set_status(self.tr("Order {number} was made from this quotation.").format(
            number=order.number))
        self.converted.emit(order)
        opener = self._open_order
        if opener is None:
            from app.ui.sales.order_dialog import open_order as opener
        self.opened_order = opener(self._ctx, order.id, self.parentWidget())
        self.reload()

    def search_customers(self) -> None:
        self.customer.search()


def open_quotation(ctx: AppContext, quotation_id: int, parent: QWidget | None = None
                   ) -> QuotationDialog:
    """Open a saved quotation (the timeline opener for kind "quotation")."""
    return keep_open(QuotationDialog(ctx, quotation_id, parent=parent))


def new_quotation(ctx: AppContext, customer_id: int | None = None,
                  parent: QWidget | None = None) -> QuotationDialog:
    return keep_open(QuotationDialog(ctx, customer_id=customer_id, parent=parent))


def format_total(view: QuotationView) -> str:
    return format_yuan(view.total_amount)

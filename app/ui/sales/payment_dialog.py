"""Record a payment (回款) for an order: amount, method, date, allocated to that order."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.saving import new_request_key
from app.services.errors import ValidationError
from app.services.sales import PaymentView, get_order, get_payment, record_payment
from app.ui.context import AppContext
from app.ui.errors import show_error
from app.ui.formatting import format_yuan
from app.ui.kit.changes import announce
from app.ui.kit.fields import (
    ERROR_COLOUR,
    clear_field_error,
    error_label,
    parse_decimal,
    show_field_error,
)
from app.ui.kit.record_dialog import keep_open
from app.ui.sales.common import payment_method_label, payment_methods
from app.ui.saving import save_keyed


class PaymentDialog(QDialog):
    """Money received for one order; the whole amount is allocated to that order.

    The amount starts at what is open on the order: as given, then as the service reads
    it when the dialog opens (another station may have taken money meanwhile), unless
    the person has typed an amount already.

    Signals:
        recorded(PaymentView): the payment was saved (announced on the change bus as
            "payment": the aging and the order lists read again).
    """

    recorded = Signal(object)

    def __init__(self, ctx: AppContext, *, customer_id: int, customer_name: str,
                 order_id: int, order_number: str, open_amount: Decimal | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("payment_dialog")
        self.setWindowTitle(self.tr("Record payment"))
        self._ctx = ctx
        self._customer_id = customer_id
        self._order_id = order_id
        self._busy = False
        self.payment: PaymentView | None = None
        # Taken when the form opens: a save retried after a lost answer is saved once.
        self.request_key = new_request_key()
        announce(ctx.changes, self.recorded, "payment")

        self._order_number = order_number
        self._amount_typed = False
        self.amount_edit = QLineEdit(self)
        self.amount_edit.setObjectName("amount_edit")
        self.amount_edit.textEdited.connect(self._typed)
        self.method_combo = QComboBox(self)
        self.method_combo.setObjectName("method_combo")
        for method, text in payment_methods():
            self.method_combo.addItem(text, method)
        self.date_edit = QDateEdit(QDate(dt.date.today()), self)
        self.date_edit.setObjectName("date_edit")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.reference_edit = QLineEdit(self)
        self.reference_edit.setObjectName("reference_edit")
        self.reference_edit.setMaxLength(100)
        self.allocation_label = QLabel(self)
        self.allocation_label.setObjectName("allocation_label")
        self.open_amount: Decimal | None = None
        if open_amount is not None:
            self._show_open(open_amount)

        self._fields: dict[str, tuple[QLabel, QWidget | None]] = {}
        form = QFormLayout()
        form.addRow(self.tr("Customer"), QLabel(customer_name, self))
        for field, title, widget in (
            ("amount", self.tr("Amount"), self.amount_edit),
            ("method", self.tr("Method"), self.method_combo),
            ("received_on", self.tr("Received on"), self.date_edit),
            ("reference", self.tr("Reference"), self.reference_edit),
            ("allocations", self.tr("Allocated to"), self.allocation_label),
        ):
            label = error_label(field, self)
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(widget)
            box.addWidget(label)
            form.addRow(title, box)
            self._fields[field] = (label, None if isinstance(widget, QLabel) else widget)
        # The order's share is the amount typed above: its errors belong there.
        self._fields["allocations[0].amount"] = self._fields["amount"]
        self._fields["allocations[0].order_id"] = self._fields["allocations"]
        self._fields["customer_id"] = self._fields["allocations"]

        self.status_label = QLabel(self)
        self.status_label.setObjectName("status_message")
        self.status_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("Record"))
        self.save_button.setObjectName("save_button")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status_label)
        layout.addWidget(self.buttons)
        actor = ctx.actor
        ctx.run(lambda uow: get_order(uow=uow, actor=actor, order_id=order_id).open_amount,
                on_done=self._show_open, on_error=lambda _error: None, owner=self)

    @property
    def is_busy(self) -> bool:
        return self._busy

    def _typed(self, _text: str) -> None:
        self._amount_typed = True

    def _show_open(self, open_amount: Decimal) -> None:
        """The order's open amount: in the label, and as the amount until one is typed."""
        self.open_amount = open_amount
        self.allocation_label.setText(self.tr("{order} (open {amount})").format(
            order=self._order_number, amount=format_yuan(open_amount)))
        if not self._amount_typed:
            self.amount_edit.setText(f"{open_amount:.2f}")

    def field_error(self, field: str) -> str:
        label = self._fields[field][0]
        return label.text() if label.isVisible() else ""

    def submit(self) -> None:
        if self._busy:
            return
        text = self.amount_edit.text()
        parsed = parse_decimal(text)
        amount: Decimal | str = parsed if parsed is not None else text
        qd = self.date_edit.date()
        day = dt.date(qd.year(), qd.month(), qd.day())
        method = self.method_combo.currentData()
        reference = self.reference_edit.text().strip() or None
        customer_id, order_id, actor = self._customer_id, self._order_id, self._ctx.actor
        for label, widget in self._fields.values():
            clear_field_error(label, widget)
        self._set_busy(True, self.tr("Saving…"))
        save_keyed(self._ctx, lambda uow, key: record_payment(
            uow=uow, actor=actor, customer_id=customer_id, received_on=day, amount=amount,
            method=method, reference=reference, allocations=[(order_id, amount)],
            request_key=key), self.request_key,
            on_done=self._on_recorded, on_error=self._on_failed, owner=self)

    def _set_busy(self, busy: bool, text: str = "", *, error: bool = False) -> None:
        self._busy = busy
        self.save_button.setEnabled(not busy)
        self.status_label.setText(text)
        self.status_label.setStyleSheet(f"color: {ERROR_COLOUR};" if error else "")

    def _on_recorded(self, payment: PaymentView) -> None:
        self.payment = payment
        self._set_busy(False)
        self.recorded.emit(payment)
        self.accept()

    def _on_failed(self, error: BaseException) -> None:
        if isinstance(error, ValidationError):
            unplaced = []
            for field, message in error.errors.items():
                if field in self._fields:
                    label, widget = self._fields[field]
                    show_field_error(label, widget, message)
                else:
                    unplaced.append(message)
            self._set_busy(False, self.tr("Not saved: please correct the marked fields.")
                           + (" " + "; ".join(unplaced) if unplaced else ""), error=True)
        else:
            self._set_busy(False, self.tr("Not saved."), error=True)
            show_error(self, error)


class PaymentSummaryDialog(QDialog):
    """A read-only view of a recorded payment (the timeline opener for "payment")."""

    def __init__(self, ctx: AppContext, payment_id: int, parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.setObjectName("payment_summary")
        self.setWindowTitle(self.tr("Payment"))
        self.payment: PaymentView | None = None
        self.body = QLabel(self.tr("Loading…"), self)
        self.body.setObjectName("payment_body")
        self.body.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.body)
        layout.addWidget(buttons)
        self.resize(420, 240)
        actor = ctx.actor
        ctx.run(lambda uow: get_payment(uow=uow, actor=actor, payment_id=payment_id),
                on_done=self._fill, on_error=self._failed, owner=self)

    def _fill(self, p: PaymentView) -> None:
        self.payment = p
        self.setWindowTitle(self.tr("Payment {number}").format(number=p.number))
        lines = [
            self.tr("Customer: {name}").format(name=p.customer_name),
            self.tr("Received on: {day}").format(day=p.received_on.isoformat()),
            self.tr("Amount: {amount}").format(amount=format_yuan(p.amount)),
            self.tr("Method: {method}").format(method=payment_method_label(p.method)),
        ]
        if p.reference:
            lines.append(self.tr("Reference: {text}").format(text=p.reference))
        if p.received_by_name:
            lines.append(self.tr("Received by: {name}").format(name=p.received_by_name))
        for a in p.allocations:
            if a.order_number is None:  # an order outside the reader's scope
                lines.append(self.tr("Allocated to an order you may not open: {amount}").format(
                    amount=format_yuan(a.amount)))
                continue
            lines.append(self.tr("Allocated to {order}: {amount}").format(
                order=a.order_number, amount=format_yuan(a.amount)))
        self.body.setText("\n".join(lines))

    def _failed(self, error: BaseException) -> None:
        self.body.setText(self.tr("Could not load the payment."))
        show_error(self, error)


def open_payment(ctx: AppContext, payment_id: int, parent: QWidget | None = None
                 ) -> PaymentSummaryDialog:
    return keep_open(PaymentSummaryDialog(ctx, payment_id, parent))

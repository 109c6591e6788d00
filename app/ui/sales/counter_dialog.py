"""A new order at the counter (新建订单) in one dialog: customer, catalog lines with their
discount, the money taken now, saved in one step, then the sales slip printed."""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import Module, Operation
from app.saving import new_request_key
from app.services.sales import CounterPayment, CounterSale, OrderDraft, OrderLineDraft
from app.services.sales import sell_at_counter as sell
from app.ui.context import AppContext
from app.ui.formatting import format_yuan
from app.ui.kit.chooser import CustomerChooser
from app.ui.kit.fields import parse_decimal
from app.ui.kit.record_dialog import RecordDialog, keep_open
from app.ui.sales.common import payment_methods
from app.ui.sales.lines import LinesEditor
from app.ui.saving import save_keyed


class CounterSaleDialog(RecordDialog):
    """The counter's new order: saved with its payment by ``sell_at_counter``.

    The amount received follows the order's total until it is typed over; an empty or
    zero amount sells on credit. After the save the sales slip's print preview opens (when
    "print" is ticked and the user may print) and the dialog closes.

    Attributes:
        sale: the saved sale (None until saved).
        print_preview: the print preview opened after the save, if any.
    """

    record_kind = "order"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *,
                 customer_id: int | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("counter_sale_dialog")
        self.setWindowTitle(self.tr("New order"))
        self.sale: CounterSale | None = None
        self.print_preview: QWidget | None = None
        # Taken when the form opens: a save retried after a lost answer is saved once.
        self.request_key = new_request_key()
        self._amount_typed = False
        self._focused_once = False
        self._build()
        if customer_id is not None:
            self.customer.fix_customer(customer_id)
        self.resize(920, 640)
        self.update_actions()
        self._follow_total()

    # --- building --------------------------------------------------------------------------

    def _build(self) -> None:
        ctx = self._ctx
        self.customer = CustomerChooser(ctx, parent=self)
        self.lines = LinesEditor(ctx, self)
        self.lines.changed.connect(self._follow_total)

        self.total_value = QLabel(self)
        self.total_value.setObjectName("total_value")
        self.amount_edit = QLineEdit(self)
        self.amount_edit.setObjectName("amount_edit")
        self.amount_edit.setPlaceholderText(self.tr("0.00 = on credit"))
        self.amount_edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.amount_edit.textEdited.connect(self._amount_edited)
        self.method_combo = QComboBox(self)
        self.method_combo.setObjectName("method_combo")
        for method, text in payment_methods():
            self.method_combo.addItem(text, method)
        self.reference_edit = QLineEdit(self)
        self.reference_edit.setObjectName("reference_edit")
        self.reference_edit.setMaxLength(100)
        self.reference_edit.setPlaceholderText(self.tr("Transfer or receipt number, if any"))
        self.open_value = QLabel(self)
        self.open_value.setObjectName("open_value")

        form = QFormLayout()
        self.add_field_row(form, "customer_id", self.tr("Customer"), self.customer,
                      self.customer.combo)
        payment = QGroupBox(self.tr("Payment taken now"), self)
        payment.setObjectName("payment_box")
        money = QFormLayout(payment)
        money.addRow(self.tr("Order total"), self.total_value)
        self.add_field_row(money, "payment_amount", self.tr("Amount received"), self.amount_edit)
        self.add_field_row(money, "payment_method", self.tr("Method"), self.method_combo)
        self.add_field_row(money, "payment_reference", self.tr("Reference"), self.reference_edit)
        money.addRow(self.tr("Still open"), self.open_value)
        self.payment_box = payment
        self.takes_payment = ctx.can(Module.PAYMENTS, Operation.CREATE)
        self.payment_box.setVisible(self.takes_payment)

        self.print_check = QCheckBox(self.tr("Print the sales slip after saving"), self)
        self.print_check.setObjectName("print_check")
        self.print_check.setChecked(True)
        self.print_check.setVisible(ctx.can(Module.ORDERS, Operation.PRINT))

        # Nothing to print before the save; the slip opens after it (print_check).
        self.print_button.hide()
        self.save_button = self.make_save_button(self.tr("Save order"))
        self.place_actions((self.save_button,), end=())
        self.actions_row.insertWidget(1, self.print_check)

        body = QHBoxLayout()
        body.addWidget(self.lines, 3)
        side = QVBoxLayout()
        side.addWidget(self.payment_box)
        side.addStretch(1)
        body.addLayout(side, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(body, 1)
        layout.addWidget(self.status_label)
        layout.addLayout(self.actions_row)


    # --- state -----------------------------------------------------------------------------

    @property
    def view(self) -> CounterSale | None:
        return self.sale

    def update_actions(self) -> None:
        may = self._ctx.can(Module.ORDERS, Operation.CREATE) and self._ctx.can(
            Module.ORDERS, Operation.EDIT)
        self.save_button.setEnabled(may and not self._busy and self.sale is None)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._focused_once:
            # The counter starts with the customer; with one given, with the products.
            self._focused_once = True
            target = (self.customer.search_edit if self.customer.search_edit.isVisible()
                      else self.lines.product_search)
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """Enter moves on to the next field (the product search adds the product and
        stays; the lines table keeps Enter for its cells)."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focus = self.focusWidget()
            if focus is not self.lines.product_search and focus is not self.lines.table:
                self.focusNextChild()
            return
        super().keyPressEvent(event)

    def total(self) -> Decimal | None:
        return self.lines.total()

    def _amount_edited(self, _text: str) -> None:
        self._amount_typed = True
        self._show_open()

    def _follow_total(self) -> None:
        """The amount received is the order's total until the person types another."""
        total = self.lines.total()
        self.total_value.setText(format_yuan(total) if total is not None else "—")
        if not self._amount_typed and total is not None:
            self.amount_edit.setText(f"{total:.2f}")
        self._show_open()
        self.set_status("")

    def _show_open(self) -> None:
        total = self.lines.total()
        paid = parse_decimal(self.amount_edit.text()) or Decimal(0)
        self.open_value.setText(format_yuan(total - paid) if total is not None else "—")

    # --- saving ----------------------------------------------------------------------------

    def _place_line_errors(self, errors: dict[str, str]) -> Collection[str]:
        return self.lines.show_errors(errors)

    def current_draft(self) -> OrderDraft:
        data = self.customer.current_id()
        lines = tuple(OrderLineDraft(
            product_id=v["product_id"], description=v["description"], quantity=v["quantity"],
            unit_price=v["unit_price"], discount_percent=v["discount_percent"])
            for v in self.lines.line_values())
        # No customer chosen: 0, which the service answers with "please choose a customer".
        return OrderDraft(customer_id=int(data) if data is not None else 0, lines=lines)

    def current_payment(self) -> CounterPayment | None:
        if not self.takes_payment:
            return None
        text = self.amount_edit.text()
        parsed = parse_decimal(text)
        return CounterPayment(amount=parsed if parsed is not None else text,
                              method=self.method_combo.currentData(),
                              reference=self.reference_edit.text().strip() or None)

    def save(self) -> None:
        if self._busy or self.sale is not None:
            return
        draft, payment, actor = self.current_draft(), self.current_payment(), self._ctx.actor
        self.clear_errors()
        self.lines.clear_errors()
        self.set_busy(True, self.tr("Saving…"))
        save_keyed(self._ctx, lambda uow, key: sell(
            uow=uow, actor=actor, draft=draft, payment=payment, request_key=key),
            self.request_key, on_done=self._on_sold, on_error=self._on_save_failed,
            owner=self)

    def _on_sold(self, sale: CounterSale) -> None:
        self.sale = sale
        self.set_busy(False, self.tr("Order {number} saved.").format(number=sale.order.number))
        self.saved.emit(sale.order)
        if sale.payment is not None:
            self._ctx.changes.publish("payment", sale.payment.id)
        if self.print_check.isVisible() and self.print_check.isChecked():
            from app.ui.print_preview import open_print_preview
            self.print_preview = open_print_preview(self._ctx, "order", [sale.order.id],
                                                    self.parentWidget())
        self.accept()


def new_order(ctx: AppContext, parent: QWidget | None = None, *,
              customer_id: int | None = None) -> CounterSaleDialog:
    """Open the counter's new order dialog (the order list's New, Ctrl+N)."""
    return keep_open(CounterSaleDialog(ctx, parent, customer_id=customer_id))

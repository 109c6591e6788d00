"""The order (销售单) dialog: lines (editable while draft), status moves, margin, payments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from PySide6.QtCore import QDate
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

from app.models.enums import ConfirmStatus, CustomFieldEntity, Module, Operation, OrderStatus
from app.services.custom_fields import FieldDefinition
from app.services.custom_fields import definitions as custom_field_definitions
from app.services.sales import (
    RECEIVABLE_STATUSES,
    OrderDraft,
    OrderLineDraft,
    OrderView,
    get_order,
    transition_order,
    update_order,
)
from app.ui.context import AppContext
from app.ui.custom_fields.form import CustomFieldsForm
from app.ui.errors import show_error
from app.ui.formatting import format_local_datetime, format_yuan
from app.ui.kit.record_dialog import RecordDialog, header_label, keep_open
from app.ui.sales.common import order_action_label, order_status_label
from app.ui.sales.lines import LinesEditor


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class OrderDialog(RecordDialog):
    """A saved order. Cost and margin appear only when the service gave them (not None).

    Signals:
        saved(OrderView): after a save, a status move or a payment.
    """

    record_kind = "order"

    def __init__(self, ctx: AppContext, order_id: int, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("order_dialog")
        self._order_id = order_id
        self._view: OrderView | None = None
        self.payment_dialog: QWidget | None = None
        self._build()
        self.resize(900, 620)
        self.setWindowTitle(self.tr("Order"))
        self.reload()

    @property
    def view(self) -> OrderView | None:
        return self._view

    def _place_line_errors(self, errors: dict[str, str]) -> Collection[str]:
        placed = set(self.lines.show_errors(errors))
        others = self.custom_form.show_errors(errors)
        return placed | {key for key in errors if key not in others}

    def reload(self) -> None:
        order_id, actor = self._order_id, self._ctx.actor
        self.set_busy(True, self.tr("Loading…"))
        self._ctx.run(lambda uow: get_order(uow=uow, actor=actor, order_id=order_id),
                      on_done=self._fill, on_error=self._on_failed, owner=self)

    def current_draft(self) -> OrderDraft:
        assert self._view is not None
        view = self._view
        lines = tuple(OrderLineDraft(
            id=v["id"], product_id=v["product_id"], description=v["description"],
            quantity=v["quantity"], unit_price=v["unit_price"],
            discount_percent=v["discount_percent"],
            unit_cost=v["unit_cost"] if self.lines.cost_visible() else None)
            for v in self.lines.line_values())
        return OrderDraft(
            customer_id=view.customer_id, lines=lines, ordered_on=view.ordered_on,
            due_on=_pydate(self.due_on_edit.date()) if self.due_on_edit.date().isValid()
            and self.due_on_edit.date() != self.due_on_edit.minimumDate() else None,
            contact_id=view.contact_id, opportunity_id=view.opportunity_id,
            owner_id=view.owner_id,
            delivery_address=self.address_edit.text().strip() or None, notes=view.notes,
            custom=self.custom_form.values())

    def save(self) -> None:
        if self._busy or self._view is None or not self._may_edit():
            return
        draft = self.current_draft()
        oid, version, actor = self._view.id, self._view.version, self._ctx.actor
        self.lines.clear_errors()
        self.custom_form.clear_errors()
        self.write(lambda uow: update_order(uow=uow, actor=actor, order_id=oid,
                                            expected_version=version, draft=draft),
                   self._on_saved)

    def move_to(self, target: OrderStatus) -> None:
        if self._view is None:
            return
        oid, version, actor = self._view.id, self._view.version, self._ctx.actor
        self.write(lambda uow: transition_order(uow=uow, actor=actor, order_id=oid,
                                                expected_version=version, to=target),
                   self._on_saved, refused=self._on_action_failed)

    def record_payment(self) -> QWidget | None:
        """Open the payment dialog for this order (allocated to it, its open amount)."""
        if self._view is None:
            return None
        from app.ui.sales.payment_dialog import PaymentDialog
        dialog = PaymentDialog(self._ctx, customer_id=self._view.customer_id,
                               customer_name=self._view.customer_name,
                               order_id=self._view.id, order_number=self._view.number,
                               open_amount=self._view.open_amount, parent=self)
        dialog.recorded.connect(lambda _p: self.reload())
        self.payment_dialog = dialog
        keep_open(dialog)
        return dialog

    def open_print_preview(self) -> None:
        if self._view is None:
            return
        from app.ui.print_preview import open_print_preview
        open_print_preview(self._ctx, "order", [self._view.id], self)

    # --- building --------------------------------------------------------------------------

    def _build(self) -> None:
        self.number_label = header_label(self)
        self.state_label = QLabel(self)
        self.state_label.setObjectName("state_label")
        self.customer_label = QLabel(self)
        self.customer_label.setObjectName("customer_label")
        self.ordered_on_label = QLabel(self)
        self.ordered_on_label.setObjectName("ordered_on_label")
        self.due_on_edit = QDateEdit(self)
        self.due_on_edit.setObjectName("due_on_edit")
        self.due_on_edit.setCalendarPopup(True)
        self.due_on_edit.setDisplayFormat("yyyy-MM-dd")
        self.due_on_edit.setMinimumDate(QDate(2000, 1, 1))
        self.due_on_edit.setSpecialValueText(self.tr("none"))
        self.address_edit = QLineEdit(self)
        self.address_edit.setObjectName("address_edit")
        self.address_edit.setMaxLength(300)

        form = QFormLayout()
        form.addRow(self.tr("Customer"), self.customer_label)
        form.addRow(self.tr("Order date"), self.ordered_on_label)
        for field, title, widget in (
            ("due_on", self.tr("Payment due"), self.due_on_edit),
            ("delivery_address", self.tr("Delivery address"), self.address_edit),
        ):
            self.add_field_row(form, field, title, widget)

        # The administrator's custom fields of orders (shown when there are any).
        self.custom_form = CustomFieldsForm((), self, language=self._ctx.language)
        self.custom_form.setVisible(False)
        actor = self._ctx.actor
        self._ctx.run(lambda uow: custom_field_definitions(
            uow=uow, actor=actor, entity=CustomFieldEntity.ORDER),
            on_done=self._on_custom_fields, on_error=lambda _error: None, owner=self)

        self.lines = LinesEditor(self._ctx, self)

        # Money summary: margin and cost only when the service gave them.
        self.total_value = QLabel(self)
        self.total_value.setObjectName("total_value")
        self.paid_value = QLabel(self)
        self.paid_value.setObjectName("paid_value")
        self.open_value = QLabel(self)
        self.open_value.setObjectName("open_value")
        self.cost_title = QLabel(self.tr("Cost:"), self)
        self.cost_title.setObjectName("cost_title")
        self.cost_value = QLabel(self)
        self.cost_value.setObjectName("cost_value")
        self.margin_title = QLabel(self.tr("Gross margin:"), self)
        self.margin_title.setObjectName("margin_title")
        self.margin_value = QLabel(self)
        self.margin_value.setObjectName("margin_value")
        money = QHBoxLayout()
        for title, value in ((QLabel(self.tr("Total:"), self), self.total_value),
                             (QLabel(self.tr("Paid:"), self), self.paid_value),
                             (QLabel(self.tr("Open:"), self), self.open_value),
                             (self.cost_title, self.cost_value),
                             (self.margin_title, self.margin_value)):
            money.addWidget(title)
            money.addWidget(value)
            money.addSpacing(16)
        money.addStretch(1)

        self.save_button = self.make_save_button()
        self.payment_button = QPushButton(self.tr("Record payment…"), self)
        self.payment_button.setObjectName("payment_button")
        self.payment_button.clicked.connect(self.record_payment)
        self.print_button.clicked.connect(self.open_print_preview)
        self.status_buttons = self.lifecycle_buttons(
            (OrderStatus.CONFIRMED, OrderStatus.DELIVERED, OrderStatus.COMPLETED,
             OrderStatus.CANCELLED), order_action_label)
        top = self.header_row(self.number_label, self.state_label)
        self.place_actions((self.save_button, *self.status_buttons.values(),
                            self.payment_button), end=(self.print_button,))
        # Management's return comment (退回意见), while the order is returned.
        self.return_banner = QLabel(self)
        self.return_banner.setObjectName("order_return_banner")
        self.return_banner.setWordWrap(True)
        self.return_banner.setStyleSheet(
            "background: #fdecea; color: #8a1c12; border: 1px solid #e0a39c;"
            " border-radius: 3px; padding: 6px;")
        self.return_banner.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.return_banner)
        layout.addLayout(top)
        layout.addLayout(form)
        layout.addWidget(self.custom_form)
        layout.addWidget(self.lines, 1)
        layout.addLayout(money)
        layout.addWidget(self.status_label)
        layout.addLayout(self.actions_row)
        self._show_cost(False)

    def _show_cost(self, visible: bool) -> None:
        for widget in (self.cost_title, self.cost_value, self.margin_title, self.margin_value):
            widget.setVisible(visible)
        self.lines.set_cost_visible(visible)

    # --- state -----------------------------------------------------------------------------

    def _may_edit(self) -> bool:
        return (self._view is not None and self._view.status is OrderStatus.DRAFT
                and self._ctx.can(Module.ORDERS, Operation.EDIT))

    def update_actions(self) -> None:
        view = self._view
        editable = self._may_edit()
        self.lines.set_editable(editable)
        self.due_on_edit.setEnabled(editable)
        self.address_edit.setEnabled(editable)
        self.custom_form.setEnabled(editable)
        self.save_button.setVisible(editable)
        allowed = view.allowed_transitions if view is not None else ()
        may_move = self._ctx.can(Module.ORDERS, Operation.EDIT)
        for target, button in self.status_buttons.items():
            button.setVisible(may_move and target in allowed)
        self.payment_button.setVisible(
            view is not None and view.status in RECEIVABLE_STATUSES and view.open_amount > 0
            and self._ctx.can(Module.PAYMENTS, Operation.CREATE))
        self.print_button.setVisible(view is not None
                                     and self._ctx.can(Module.ORDERS, Operation.PRINT))
        for button in (self.save_button, self.payment_button, self.print_button,
                       *self.status_buttons.values()):
            button.setEnabled(not self._busy)

    def _fill(self, view: OrderView) -> None:
        self._view = view
        self.setWindowTitle(self.tr("Order {number}").format(number=view.number))
        self.number_label.setText(view.number)
        self.state_label.setText(order_status_label(view.status))
        self.customer_label.setText(view.customer_name)
        self.ordered_on_label.setText(view.ordered_on.isoformat())
        self.due_on_edit.setDate(_qdate(view.due_on) if view.due_on is not None
                                 else self.due_on_edit.minimumDate())
        self.address_edit.setText(view.delivery_address or "")
        self.custom_form.set_values(view.custom)
        self._show_cost(view.gross_margin is not None)
        self.lines.set_lines(view.lines)
        self.total_value.setText(format_yuan(view.total_amount))
        self.paid_value.setText(format_yuan(view.paid_amount))
        self.open_value.setText(format_yuan(view.open_amount))
        self.cost_value.setText(format_yuan(view.total_cost))
        self.margin_value.setText(format_yuan(view.gross_margin))
        if view.confirm_status is ConfirmStatus.RETURNED:
            self.return_banner.setText(
                self.tr("Returned by {who} on {when}: {comment}").format(
                    who=view.decided_by_name or "?",
                    when=format_local_datetime(view.decided_at) if view.decided_at else "?",
                    comment=view.return_comment or ""))
            self.return_banner.show()
        else:
            self.return_banner.hide()
        self.set_busy(False)

    def _on_custom_fields(self, fields: tuple[FieldDefinition, ...]) -> None:
        self.custom_form.set_definitions(fields)
        self.custom_form.setVisible(bool(self.custom_form.definitions))
        if self._view is not None:
            self.custom_form.set_values(self._view.custom)

    def _on_failed(self, error: BaseException) -> None:
        self.set_busy(False, self.tr("Could not load the order."), error=True)
        show_error(self, error)

    def _on_saved(self, view: OrderView) -> None:
        self._fill(view)
        self.set_status(self.tr("Saved at {time}.").format(
            time=dt.datetime.now().strftime("%H:%M")))
        self.saved.emit(view)


def open_order(ctx: AppContext, order_id: int, parent: QWidget | None = None) -> OrderDialog:
    """Open an order (the timeline opener for kind "order")."""
    return keep_open(OrderDialog(ctx, order_id, parent))

"""Shared pieces of the sales screens: status and method labels, money parsing, error labels."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import QLabel, QWidget

from app.models.enums import OrderStatus, PaymentMethod, QuotationStatus

FIELD_ERROR_STYLE = "border: 1px solid #c62828; background: #fff5f5;"
ERROR_COLOUR = "#b00020"

_QUOTATION_STATUSES: Mapping[QuotationStatus, str] = {
    QuotationStatus.DRAFT: QT_TRANSLATE_NOOP("QuotationStatus", "Draft"),
    QuotationStatus.SENT: QT_TRANSLATE_NOOP("QuotationStatus", "Sent"),
    QuotationStatus.ACCEPTED: QT_TRANSLATE_NOOP("QuotationStatus", "Accepted"),
    QuotationStatus.REJECTED: QT_TRANSLATE_NOOP("QuotationStatus", "Rejected"),
    QuotationStatus.EXPIRED: QT_TRANSLATE_NOOP("QuotationStatus", "Expired"),
    QuotationStatus.CONVERTED: QT_TRANSLATE_NOOP("QuotationStatus", "Converted to order"),
}

# What the button that moves a quotation to each state says.
_QUOTATION_ACTIONS: Mapping[QuotationStatus, str] = {
    QuotationStatus.SENT: QT_TRANSLATE_NOOP("QuotationAction", "Mark as sent"),
    QuotationStatus.ACCEPTED: QT_TRANSLATE_NOOP("QuotationAction", "Accepted by customer"),
    QuotationStatus.REJECTED: QT_TRANSLATE_NOOP("QuotationAction", "Rejected by customer"),
    QuotationStatus.EXPIRED: QT_TRANSLATE_NOOP("QuotationAction", "Mark as expired"),
}

_ORDER_STATUSES: Mapping[OrderStatus, str] = {
    OrderStatus.DRAFT: QT_TRANSLATE_NOOP("OrderStatus", "Draft"),
    OrderStatus.CONFIRMED: QT_TRANSLATE_NOOP("OrderStatus", "Confirmed"),
    OrderStatus.DELIVERED: QT_TRANSLATE_NOOP("OrderStatus", "Delivered"),
    OrderStatus.COMPLETED: QT_TRANSLATE_NOOP("OrderStatus", "Completed"),
    OrderStatus.CANCELLED: QT_TRANSLATE_NOOP("OrderStatus", "Cancelled"),
}

_ORDER_ACTIONS: Mapping[OrderStatus, str] = {
    OrderStatus.CONFIRMED: QT_TRANSLATE_NOOP("OrderAction", "Confirm order"),
    OrderStatus.DELIVERED: QT_TRANSLATE_NOOP("OrderAction", "Mark as delivered"),
    OrderStatus.COMPLETED: QT_TRANSLATE_NOOP("OrderAction", "Mark as completed"),
    OrderStatus.CANCELLED: QT_TRANSLATE_NOOP("OrderAction", "Cancel order"),
}

_PAYMENT_METHODS: Mapping[PaymentMethod, str] = {
    PaymentMethod.CASH: QT_TRANSLATE_NOOP("PaymentMethod", "Cash"),
    PaymentMethod.BANK_TRANSFER: QT_TRANSLATE_NOOP("PaymentMethod", "Bank transfer"),
    PaymentMethod.WECHAT: QT_TRANSLATE_NOOP("PaymentMethod", "WeChat Pay"),
    PaymentMethod.ALIPAY: QT_TRANSLATE_NOOP("PaymentMethod", "Alipay"),
    PaymentMethod.CHEQUE: QT_TRANSLATE_NOOP("PaymentMethod", "Cheque"),
}


def quotation_status_label(value: QuotationStatus | str) -> str:
    return QCoreApplication.translate("QuotationStatus",
                                      _QUOTATION_STATUSES[QuotationStatus(value)])


def quotation_action_label(value: QuotationStatus) -> str:
    return QCoreApplication.translate("QuotationAction", _QUOTATION_ACTIONS[value])


def order_status_label(value: OrderStatus | str) -> str:
    return QCoreApplication.translate("OrderStatus", _ORDER_STATUSES[OrderStatus(value)])


def order_action_label(value: OrderStatus) -> str:
    return QCoreApplication.translate("OrderAction", _ORDER_ACTIONS[value])


def payment_method_label(value: PaymentMethod | str) -> str:
    return QCoreApplication.translate("PaymentMethod", _PAYMENT_METHODS[PaymentMethod(value)])


def payment_methods() -> list[tuple[PaymentMethod, str]]:
    return [(m, payment_method_label(m)) for m in PaymentMethod]


def parse_decimal(text: str) -> Decimal | None:
    """``"1,234.5"`` or ``"¥12"`` → Decimal; None when it is not a number."""
    cleaned = text.strip().replace(",", "").replace("，", "").replace("¥", "").replace("%", "")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def error_label(name: str, parent: QWidget) -> QLabel:
    """A hidden red label under a field, shown with the service's message."""
    label = QLabel(parent)
    label.setObjectName(f"{name}_error")
    label.setStyleSheet(f"color: {ERROR_COLOUR};")
    label.setWordWrap(True)
    label.hide()
    return label


def show_field_error(label: QLabel, widget: QWidget | None, message: str) -> None:
    label.setText(message)
    label.show()
    if widget is not None:
        widget.setStyleSheet(f"{type(widget).__name__} {{ {FIELD_ERROR_STYLE} }}")
        widget.setToolTip(message)


def clear_field_error(label: QLabel, widget: QWidget | None) -> None:
    label.clear()
    label.hide()
    if widget is not None:
        widget.setStyleSheet("")
        widget.setToolTip("")

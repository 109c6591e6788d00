"""Shared pieces of the sales screens: status and method labels, money parsing, error labels."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from PySide6.QtWidgets import QLabel, QWidget

from app import labels
from app.models.enums import OrderStatus, PaymentMethod, QuotationStatus

FIELD_ERROR_STYLE = "border: 1px solid #c62828; background: #fff5f5;"
ERROR_COLOUR = "#b00020"


# Labels come from the one catalog (app.labels); these names are what the screens call.
def quotation_status_label(value: QuotationStatus | str) -> str:
    return labels.label(QuotationStatus(value))


def quotation_action_label(value: QuotationStatus) -> str:
    return labels.move_label(value)


def order_status_label(value: OrderStatus | str) -> str:
    return labels.label(OrderStatus(value))


def order_action_label(value: OrderStatus) -> str:
    return labels.move_label(value)


def payment_method_label(value: PaymentMethod | str) -> str:
    return labels.label(PaymentMethod(value))


def payment_methods() -> list[tuple[PaymentMethod, str]]:
    return labels.choices(PaymentMethod)


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

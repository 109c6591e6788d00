"""The sales screens' label functions (from the one catalog, app.labels)."""

from __future__ import annotations

from app import labels
from app.models.enums import OrderStatus, PaymentMethod, QuotationStatus


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

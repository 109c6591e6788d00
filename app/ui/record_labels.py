"""Record kinds of the customer timeline: their names, colours, icons, modules and states."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from functools import cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from app import labels
from app.models.enums import (
    AuditAction,
    CareKind,
    CareStatus,
    ConfirmStatus,
    ContractKind,
    ContractStatus,
    Module,
    OpportunityStage,
    OrderStatus,
    PaymentMethod,
    Priority,
    QuotationStatus,
    TaskStatus,
    TicketStatus,
    VisitKind,
)

# The kinds app.services.customer360 returns, in the order the filters list them.
KINDS: tuple[str, ...] = (
    "visit", "opportunity", "quotation", "order", "payment", "service_ticket", "repair",
    "care", "task", "change",
)

# The module whose screens show a kind of record (and whose VIEW permission lists it).
KIND_MODULES: Mapping[str, Module | None] = {
    "visit": Module.VISITS,
    "opportunity": Module.OPPORTUNITIES,
    "quotation": Module.QUOTATIONS,
    "order": Module.ORDERS,
    "payment": Module.PAYMENTS,
    "service_ticket": Module.SERVICE_TICKETS,
    "repair": Module.SERVICE_TICKETS,
    "care": Module.CARE,
    "task": Module.TASKS,
    "change": None,  # the customer's own audit entries: whoever sees the customer
}

_KIND_COLOURS: Mapping[str, str] = {
    "visit": "#2e7d32",
    "opportunity": "#f9a825",
    "quotation": "#6a1b9a",
    "order": "#1565c0",
    "payment": "#00897b",
    "service_ticket": "#e65100",
    "repair": "#8d6e63",
    "care": "#d81b60",
    "task": "#546e7a",
    "change": "#9e9e9e",
}

# Records dated by a day, not a moment: the service gives them as midnight UTC.
DATE_ONLY_KINDS = frozenset({"quotation", "order", "payment", "care"})

# The "state" column of each kind of timeline entry: the enum its value comes from.
_STATE_ENUMS: Mapping[str, type[StrEnum]] = {
    "visit": ConfirmStatus,
    "opportunity": OpportunityStage,
    "quotation": QuotationStatus,
    "order": OrderStatus,
    "payment": PaymentMethod,
    "service_ticket": TicketStatus,
    "repair": ConfirmStatus,
    "care": CareStatus,
    "task": TaskStatus,
}

# Kinds whose "reference" is a code word rather than a document number.
_REFERENCE_ENUMS: Mapping[str, type[StrEnum]] = {
    "visit": VisitKind,
    "care": CareKind,
    "task": Priority,
    "change": AuditAction,
}


def kind_label(kind: str) -> str:
    """``"order"`` → "Order" / 订单; an unknown kind is shown as it is."""
    return labels.record_kind_label(kind)


def kind_colour(kind: str) -> QColor:
    return QColor(_KIND_COLOURS.get(kind, "#9e9e9e"))


@cache
def kind_icon(kind: str) -> QIcon:
    """A rounded square in the kind's colour, so a kind is recognised at a glance."""
    icon = QIcon()
    colour = kind_colour(kind)
    for size in (16, 24, 32):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        inset = size * 0.19
        painter.drawRoundedRect(QRectF(inset, inset, size - 2 * inset, size - 2 * inset),
                                size * 0.15, size * 0.15)
        painter.end()
        icon.addPixmap(pixmap)
    return icon


def state_label(kind: str, state: str) -> str:
    """The state of a timeline entry in words (a payment's "state" is how it was paid)."""
    if kind == "change":
        return ""  # the action is already in the reference column
    return _lookup(_STATE_ENUMS.get(kind), state)


def reference_label(kind: str, reference: str) -> str:
    """The reference column: the document number, or a code word in words."""
    return _lookup(_REFERENCE_ENUMS.get(kind), reference)


def contract_kind_label(value: str) -> str:
    return labels.label_of(ContractKind, value)


def contract_status_label(value: str) -> str:
    return labels.label_of(ContractStatus, value)


def _lookup(kind: type[StrEnum] | None, value: str) -> str:
    return value if kind is None or not value else labels.label_of(kind, value)

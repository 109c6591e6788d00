"""Record kinds of the customer timeline: their names, colours, icons, modules and states."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

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

# Words follow /work/shared/GLOSSARY.md; the zh_CN catalog translates them per context.
_KIND_LABELS: Mapping[str, str] = {
    "visit": QT_TRANSLATE_NOOP("RecordKind", "Visit"),
    "opportunity": QT_TRANSLATE_NOOP("RecordKind", "Opportunity"),
    "quotation": QT_TRANSLATE_NOOP("RecordKind", "Quotation"),
    "order": QT_TRANSLATE_NOOP("RecordKind", "Order"),
    "payment": QT_TRANSLATE_NOOP("RecordKind", "Payment"),
    "service_ticket": QT_TRANSLATE_NOOP("RecordKind", "Service ticket"),
    "repair": QT_TRANSLATE_NOOP("RecordKind", "Repair"),
    "care": QT_TRANSLATE_NOOP("RecordKind", "Customer care"),
    "task": QT_TRANSLATE_NOOP("RecordKind", "Task"),
    "change": QT_TRANSLATE_NOOP("RecordKind", "Change"),
}

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

_VISIT_KINDS = {
    VisitKind.WALK_IN: QT_TRANSLATE_NOOP("VisitKind", "Walk-in"),
    VisitKind.PHONE: QT_TRANSLATE_NOOP("VisitKind", "Phone call"),
    VisitKind.VISIT: QT_TRANSLATE_NOOP("VisitKind", "Visit"),
}
_CONFIRM = {
    ConfirmStatus.DRAFT: QT_TRANSLATE_NOOP("ConfirmStatus", "Draft"),
    ConfirmStatus.SUBMITTED: QT_TRANSLATE_NOOP("ConfirmStatus", "Submitted"),
    ConfirmStatus.CONFIRMED: QT_TRANSLATE_NOOP("ConfirmStatus", "Confirmed"),
    ConfirmStatus.RETURNED: QT_TRANSLATE_NOOP("ConfirmStatus", "Returned"),
}
_STAGES = {
    OpportunityStage.NEW: QT_TRANSLATE_NOOP("OpportunityStage", "New"),
    OpportunityStage.QUALIFIED: QT_TRANSLATE_NOOP("OpportunityStage", "Qualified"),
    OpportunityStage.PROPOSAL: QT_TRANSLATE_NOOP("OpportunityStage", "Proposal"),
    OpportunityStage.NEGOTIATION: QT_TRANSLATE_NOOP("OpportunityStage", "Negotiation"),
    OpportunityStage.WON: QT_TRANSLATE_NOOP("OpportunityStage", "Won"),
    OpportunityStage.LOST: QT_TRANSLATE_NOOP("OpportunityStage", "Lost"),
}
_QUOTATIONS = {
    QuotationStatus.DRAFT: QT_TRANSLATE_NOOP("QuotationStatus", "Draft"),
    QuotationStatus.SENT: QT_TRANSLATE_NOOP("QuotationStatus", "Sent"),
    QuotationStatus.ACCEPTED: QT_TRANSLATE_NOOP("QuotationStatus", "Accepted"),
    QuotationStatus.REJECTED: QT_TRANSLATE_NOOP("QuotationStatus", "Rejected"),
    QuotationStatus.EXPIRED: QT_TRANSLATE_NOOP("QuotationStatus", "Expired"),
    QuotationStatus.CONVERTED: QT_TRANSLATE_NOOP("QuotationStatus", "Converted to order"),
}
_ORDERS = {
    OrderStatus.DRAFT: QT_TRANSLATE_NOOP("OrderStatus", "Draft"),
    OrderStatus.CONFIRMED: QT_TRANSLATE_NOOP("OrderStatus", "Confirmed"),
    OrderStatus.DELIVERED: QT_TRANSLATE_NOOP("OrderStatus", "Delivered"),
    OrderStatus.COMPLETED: QT_TRANSLATE_NOOP("OrderStatus", "Completed"),
    OrderStatus.CANCELLED: QT_TRANSLATE_NOOP("OrderStatus", "Cancelled"),
}
_METHODS = {
    PaymentMethod.CASH: QT_TRANSLATE_NOOP("PaymentMethod", "Cash"),
    PaymentMethod.BANK_TRANSFER: QT_TRANSLATE_NOOP("PaymentMethod", "Bank transfer"),
    PaymentMethod.WECHAT: QT_TRANSLATE_NOOP("PaymentMethod", "WeChat Pay"),
    PaymentMethod.ALIPAY: QT_TRANSLATE_NOOP("PaymentMethod", "Alipay"),
    PaymentMethod.CHEQUE: QT_TRANSLATE_NOOP("PaymentMethod", "Cheque"),
}
_TICKETS = {
    TicketStatus.RECEIVED: QT_TRANSLATE_NOOP("TicketStatus", "Received"),
    TicketStatus.DISPATCHED: QT_TRANSLATE_NOOP("TicketStatus", "Dispatched"),
    TicketStatus.IN_REPAIR: QT_TRANSLATE_NOOP("TicketStatus", "In repair"),
    TicketStatus.WAITING_PARTS: QT_TRANSLATE_NOOP("TicketStatus", "Waiting for parts"),
    TicketStatus.DONE: QT_TRANSLATE_NOOP("TicketStatus", "Repaired"),
    TicketStatus.PICKED_UP: QT_TRANSLATE_NOOP("TicketStatus", "Picked up"),
    TicketStatus.CLOSED: QT_TRANSLATE_NOOP("TicketStatus", "Closed"),
    TicketStatus.CANCELLED: QT_TRANSLATE_NOOP("TicketStatus", "Cancelled"),
}
_CARE_KINDS = {
    CareKind.FOLLOW_UP: QT_TRANSLATE_NOOP("CareKind", "Follow-up"),
    CareKind.CONTRACT_EXPIRY: QT_TRANSLATE_NOOP("CareKind", "Contract expiry"),
    CareKind.REORDER: QT_TRANSLATE_NOOP("CareKind", "Reorder"),
    CareKind.BIRTHDAY: QT_TRANSLATE_NOOP("CareKind", "Birthday"),
    CareKind.HOLIDAY: QT_TRANSLATE_NOOP("CareKind", "Holiday"),
    CareKind.OTHER: QT_TRANSLATE_NOOP("CareKind", "Other"),
}
_CARE_STATUSES = {
    CareStatus.OPEN: QT_TRANSLATE_NOOP("CareStatus", "Open"),
    CareStatus.DONE: QT_TRANSLATE_NOOP("CareStatus", "Done"),
    CareStatus.SKIPPED: QT_TRANSLATE_NOOP("CareStatus", "Skipped"),
}
_PRIORITIES = {
    Priority.LOW: QT_TRANSLATE_NOOP("Priority", "Low priority"),
    Priority.NORMAL: QT_TRANSLATE_NOOP("Priority", "Normal priority"),
    Priority.HIGH: QT_TRANSLATE_NOOP("Priority", "High priority"),
    Priority.URGENT: QT_TRANSLATE_NOOP("Priority", "Urgent"),
}
_TASKS = {
    TaskStatus.OPEN: QT_TRANSLATE_NOOP("TaskStatus", "Open"),
    TaskStatus.ACKNOWLEDGED: QT_TRANSLATE_NOOP("TaskStatus", "Acknowledged"),
    TaskStatus.REPORTED_DONE: QT_TRANSLATE_NOOP("TaskStatus", "Reported done"),
    TaskStatus.CONFIRMED: QT_TRANSLATE_NOOP("TaskStatus", "Confirmed"),
    TaskStatus.RETURNED: QT_TRANSLATE_NOOP("TaskStatus", "Returned"),
    TaskStatus.CANCELLED: QT_TRANSLATE_NOOP("TaskStatus", "Cancelled"),
}
_ACTIONS = {
    AuditAction.CREATE: QT_TRANSLATE_NOOP("AuditAction", "Created"),
    AuditAction.UPDATE: QT_TRANSLATE_NOOP("AuditAction", "Changed"),
    AuditAction.DELETE: QT_TRANSLATE_NOOP("AuditAction", "Deleted"),
    AuditAction.LOGIN: QT_TRANSLATE_NOOP("AuditAction", "Logged in"),
    AuditAction.LOGIN_FAILED: QT_TRANSLATE_NOOP("AuditAction", "Login failed"),
    AuditAction.LOCKED: QT_TRANSLATE_NOOP("AuditAction", "Locked"),
    AuditAction.EXPORT: QT_TRANSLATE_NOOP("AuditAction", "Exported"),
    AuditAction.REASSIGN: QT_TRANSLATE_NOOP("AuditAction", "Reassigned"),
    AuditAction.CONFIRM: QT_TRANSLATE_NOOP("AuditAction", "Confirmed"),
    AuditAction.RETURN: QT_TRANSLATE_NOOP("AuditAction", "Returned"),
    AuditAction.TRANSITION: QT_TRANSLATE_NOOP("AuditAction", "Status changed"),
    AuditAction.PRINT: QT_TRANSLATE_NOOP("AuditAction", "Printed"),
    AuditAction.DB_CHANGE: QT_TRANSLATE_NOOP("AuditAction", "Changed outside StationCRM"),
    AuditAction.PHONE_LOOKUP: QT_TRANSLATE_NOOP("AuditAction", "Phone number looked up"),
}
_CONTRACT_KINDS = {
    ContractKind.FULL_SERVICE: QT_TRANSLATE_NOOP("ContractKind", "Full service"),
    ContractKind.LABOUR_ONLY: QT_TRANSLATE_NOOP("ContractKind", "Labour only"),
    ContractKind.PER_VISIT: QT_TRANSLATE_NOOP("ContractKind", "Per visit"),
}
_CONTRACT_STATUSES = {
    ContractStatus.DRAFT: QT_TRANSLATE_NOOP("ContractStatus", "Draft"),
    ContractStatus.ACTIVE: QT_TRANSLATE_NOOP("ContractStatus", "Active"),
    ContractStatus.EXPIRED: QT_TRANSLATE_NOOP("ContractStatus", "Expired"),
    ContractStatus.TERMINATED: QT_TRANSLATE_NOOP("ContractStatus", "Terminated"),
    ContractStatus.RENEWED: QT_TRANSLATE_NOOP("ContractStatus", "Renewed"),
}

# The "state" column of each kind of timeline entry, and the enum its value comes from.
_STATE_TABLES: Mapping[str, tuple[str, Mapping]] = {  # type: ignore[type-arg]
    "visit": ("ConfirmStatus", _CONFIRM),
    "opportunity": ("OpportunityStage", _STAGES),
    "quotation": ("QuotationStatus", _QUOTATIONS),
    "order": ("OrderStatus", _ORDERS),
    "payment": ("PaymentMethod", _METHODS),
    "service_ticket": ("TicketStatus", _TICKETS),
    "repair": ("ConfirmStatus", _CONFIRM),
    "care": ("CareStatus", _CARE_STATUSES),
    "task": ("TaskStatus", _TASKS),
}

# Kinds whose "reference" is a code word rather than a document number.
_REFERENCE_TABLES: Mapping[str, tuple[str, Mapping]] = {  # type: ignore[type-arg]
    "visit": ("VisitKind", _VISIT_KINDS),
    "care": ("CareKind", _CARE_KINDS),
    "task": ("Priority", _PRIORITIES),
    "change": ("AuditAction", _ACTIONS),
}


def kind_label(kind: str) -> str:
    """``"order"`` → "Order" / 订单; an unknown kind is shown as it is."""
    source = _KIND_LABELS.get(kind)
    return QCoreApplication.translate("RecordKind", source) if source else kind


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
    return _lookup(_STATE_TABLES.get(kind), state)


def reference_label(kind: str, reference: str) -> str:
    """The reference column: the document number, or a code word in words."""
    return _lookup(_REFERENCE_TABLES.get(kind), reference)


def contract_kind_label(value: str) -> str:
    return _lookup(("ContractKind", _CONTRACT_KINDS), value)


def contract_status_label(value: str) -> str:
    return _lookup(("ContractStatus", _CONTRACT_STATUSES), value)


def _lookup(table: tuple[str, Mapping] | None, value: str) -> str:  # type: ignore[type-arg]
    if table is None or not value:
        return value
    context, labels = table
    source = labels.get(value)
    return QCoreApplication.translate(context, source) if source else value

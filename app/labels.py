"""Display names of every status, kind and action code: the one catalog, with no Qt in it.

Each code maps to its English text here; that text is the key :mod:`app.i18n` translates
(Chinese in ``app.i18n_zh.LABELS_ZH``), within a family named after the enum, because the
same English word can need two Chinese ones ("Lost": 流失 for a customer, 已丢单 for an
opportunity). Services, exports, statistics, the command line and the UI all read labels
here; the words follow the project glossary.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from app.enums import (
    AddressKind,
    AuditAction,
    CareKind,
    CareStatus,
    ConfirmStatus,
    ContractKind,
    ContractStatus,
    CustomerClass,
    CustomerKind,
    CustomerSource,
    CustomerStatus,
    CustomFieldEntity,
    CustomFieldKind,
    DataScope,
    DeviceStatus,
    FieldAccess,
    KnowledgeStatus,
    Module,
    Operation,
    OpportunityStage,
    OrderStatus,
    PaymentMethod,
    PlanPeriod,
    Priority,
    ProductCategory,
    QuotationStatus,
    ReadAction,
    ServiceMode,
    StationCode,
    TaskStatus,
    TicketChannel,
    TicketStatus,
    VisitKind,
)
from app.i18n import translate

E = TypeVar("E", bound=StrEnum)

# The English name of every value of every enum, one table per enum (its family).
ENUM_LABELS: Mapping[type[StrEnum], Mapping[str, str]] = {
    Module: {
        Module.CUSTOMERS: "Customers",
        Module.VISITS: "Visits",
        Module.SALES_PLANS: "Sales plans",
        Module.OPPORTUNITIES: "Opportunities",
        Module.PRODUCTS: "Product catalog",
        Module.QUOTATIONS: "Quotations",
        Module.ORDERS: "Orders",
        Module.PAYMENTS: "Payments received",
        Module.CONTRACTS: "Service contracts",
        Module.SERVICE_TICKETS: "Service tickets",
        Module.KNOWLEDGE: "Knowledge base",
        Module.TASKS: "Tasks",
        Module.CARE: "Customer care",
        Module.STATISTICS: "Statistics",
        Module.ADMINISTRATION: "Administration",
        Module.CUSTOMER_GUARD: "Customer base protection",
    },
    Operation: {
        Operation.VIEW: "View",
        Operation.CREATE: "Create",
        Operation.EDIT: "Edit",
        Operation.DELETE: "Delete",
        Operation.CONFIRM: "Confirm",
        Operation.PRINT: "Print",
        Operation.EXPORT: "Export",
    },
    DataScope: {
        DataScope.OWN: "Own",
        DataScope.DEPARTMENT: "Own department",
        DataScope.ALL: "All",
    },
    FieldAccess: {
        FieldAccess.HIDDEN: "Hidden",
        FieldAccess.READ_ONLY: "Read-only",
    },
    StationCode: {
        StationCode.STOREFRONT: "Storefront / dealers",
        StationCode.KEY_ACCOUNTS: "Key accounts",
        StationCode.REPAIR: "Repair department",
        StationCode.MANAGEMENT: "Management department",
        StationCode.MANAGER_OFFICE: "Manager's office",
    },
    CustomerKind: {
        CustomerKind.COMPANY: "Company",
        CustomerKind.PERSON: "Person",
    },
    CustomerSource: {
        CustomerSource.WALK_IN: "Walk-in",
        CustomerSource.PHONE: "Phone",
        CustomerSource.REFERRAL: "Referral",
        CustomerSource.VISIT: "Visit",
        CustomerSource.WEB: "Web",
        CustomerSource.DEALER: "Dealer",
        CustomerSource.SERVICE_RENEED: "Service re-need",
    },
    CustomerClass: {
        CustomerClass.A: "Class A",
        CustomerClass.B: "Class B",
        CustomerClass.C: "Class C",
        CustomerClass.KEY_ACCOUNT: "Key account",
        CustomerClass.DEALER: "Dealer",
        CustomerClass.RETAIL: "Retail",
    },
    CustomerStatus: {
        CustomerStatus.PROSPECT: "Prospect",
        CustomerStatus.ACTIVE: "Active",
        CustomerStatus.DORMANT: "Dormant",
        CustomerStatus.LOST: "Lost",
    },
    AddressKind: {
        AddressKind.OFFICE: "Office",
        AddressKind.BILLING: "Billing",
        AddressKind.DELIVERY: "Delivery",
        AddressKind.SITE: "Site",
    },
    DeviceStatus: {
        DeviceStatus.IN_USE: "In use",
        DeviceStatus.IN_REPAIR: "In repair",
        DeviceStatus.RETIRED: "Retired",
    },
    ProductCategory: {
        ProductCategory.PRINTER: "Printer",
        ProductCategory.CONSUMABLE: "Consumable",
        ProductCategory.PC: "Computer",
        ProductCategory.PART: "Part",
        ProductCategory.SERVICE: "Service",
    },
    VisitKind: {
        VisitKind.WALK_IN: "Walk-in",
        VisitKind.PHONE: "Phone call",
        VisitKind.VISIT: "Visit",
    },
    ConfirmStatus: {
        ConfirmStatus.DRAFT: "Draft",
        ConfirmStatus.SUBMITTED: "Submitted",
        ConfirmStatus.CONFIRMED: "Confirmed",
        ConfirmStatus.RETURNED: "Returned",
    },
    PlanPeriod: {
        PlanPeriod.MONTH: "By month",
        PlanPeriod.QUARTER: "By quarter",
    },
    OpportunityStage: {
        OpportunityStage.NEW: "New",
        OpportunityStage.QUALIFIED: "Qualified",
        OpportunityStage.PROPOSAL: "Proposal",
        OpportunityStage.NEGOTIATION: "Negotiation",
        OpportunityStage.WON: "Won",
        OpportunityStage.LOST: "Lost",
    },
    QuotationStatus: {
        QuotationStatus.DRAFT: "Draft",
        QuotationStatus.SENT: "Sent",
        QuotationStatus.ACCEPTED: "Accepted",
        QuotationStatus.REJECTED: "Rejected",
        QuotationStatus.EXPIRED: "Expired",
        QuotationStatus.CONVERTED: "Converted to order",
    },
    OrderStatus: {
        OrderStatus.DRAFT: "Draft",
        OrderStatus.CONFIRMED: "Confirmed",
        OrderStatus.DELIVERED: "Delivered",
        OrderStatus.COMPLETED: "Completed",
        OrderStatus.CANCELLED: "Cancelled",
    },
    PaymentMethod: {
        PaymentMethod.CASH: "Cash",
        PaymentMethod.BANK_TRANSFER: "Bank transfer",
        PaymentMethod.WECHAT: "WeChat Pay",
        PaymentMethod.ALIPAY: "Alipay",
        PaymentMethod.CHEQUE: "Cheque",
    },
    ContractKind: {
        ContractKind.FULL_SERVICE: "Full service",
        ContractKind.LABOUR_ONLY: "Labour only",
        ContractKind.PER_VISIT: "Per visit",
    },
    ContractStatus: {
        ContractStatus.DRAFT: "Draft",
        ContractStatus.ACTIVE: "Active",
        ContractStatus.EXPIRED: "Expired",
        ContractStatus.TERMINATED: "Terminated",
        ContractStatus.RENEWED: "Renewed",
    },
    TicketChannel: {
        TicketChannel.WALK_IN: "Walk-in",
        TicketChannel.PHONE: "Phone call",
        TicketChannel.ON_SITE_REQUEST: "On-site request",
    },
    ServiceMode: {
        ServiceMode.BRING_IN: "Bring-in",
        ServiceMode.ON_SITE: "On-site",
    },
    Priority: {
        Priority.LOW: "Low priority",
        Priority.NORMAL: "Normal priority",
        Priority.HIGH: "High priority",
        Priority.URGENT: "Urgent",
    },
    TicketStatus: {
        TicketStatus.RECEIVED: "Received",
        TicketStatus.DISPATCHED: "Dispatched",
        TicketStatus.IN_REPAIR: "In repair",
        TicketStatus.WAITING_PARTS: "Waiting for parts",
        TicketStatus.DONE: "Repaired",
        TicketStatus.PICKED_UP: "Picked up",
        TicketStatus.CLOSED: "Closed",
        TicketStatus.CANCELLED: "Cancelled",
    },
    KnowledgeStatus: {
        KnowledgeStatus.DRAFT: "Draft",
        KnowledgeStatus.PENDING: "Pending approval",
        KnowledgeStatus.APPROVED: "Approved",
        KnowledgeStatus.REJECTED: "Returned",
    },
    TaskStatus: {
        TaskStatus.OPEN: "Open",
        TaskStatus.ACKNOWLEDGED: "Acknowledged",
        TaskStatus.REPORTED_DONE: "Reported done",
        TaskStatus.CONFIRMED: "Confirmed",
        TaskStatus.RETURNED: "Returned",
        TaskStatus.CANCELLED: "Cancelled",
    },
    CareKind: {
        CareKind.FOLLOW_UP: "Follow-up",
        CareKind.CONTRACT_EXPIRY: "Contract expiry",
        CareKind.REORDER: "Reorder",
        CareKind.BIRTHDAY: "Birthday",
        CareKind.HOLIDAY: "Holiday",
        CareKind.OTHER: "Other",
    },
    CareStatus: {
        CareStatus.OPEN: "Open",
        CareStatus.DONE: "Done",
        CareStatus.SKIPPED: "Skipped",
    },
    CustomFieldEntity: {
        CustomFieldEntity.CUSTOMER: "Customers",
        CustomFieldEntity.CONTACT: "Contacts",
        CustomFieldEntity.DEVICE: "Devices",
        CustomFieldEntity.VISIT: "Visits",
        CustomFieldEntity.ORDER: "Orders",
        CustomFieldEntity.SERVICE_TICKET: "Service tickets",
        CustomFieldEntity.CARE_ITEM: "Customer care",
    },
    CustomFieldKind: {
        CustomFieldKind.TEXT: "Text",
        CustomFieldKind.MULTILINE: "Multi-line text",
        CustomFieldKind.NUMBER: "Number",
        CustomFieldKind.MONEY: "Money",
        CustomFieldKind.DATE: "Date",
        CustomFieldKind.CHOICE: "Choice list (one)",
        CustomFieldKind.MULTI_CHOICE: "Choice list (several)",
        CustomFieldKind.BOOLEAN: "Yes/no",
    },
    AuditAction: {
        AuditAction.CREATE: "Created",
        AuditAction.UPDATE: "Changed",
        AuditAction.DELETE: "Deleted",
        AuditAction.LOGIN: "Logged in",
        AuditAction.LOGIN_FAILED: "Failed login",
        AuditAction.LOCKED: "Account locked",
        AuditAction.EXPORT: "Exported",
        AuditAction.REASSIGN: "Handed over",
        AuditAction.CONFIRM: "Confirmed",
        AuditAction.RETURN: "Returned",
        AuditAction.TRANSITION: "Status changed",
        AuditAction.PRINT: "Printed",
        AuditAction.DB_CHANGE: "Changed outside StationCRM",
        AuditAction.PHONE_LOOKUP: "Phone number looked up",
        AuditAction.IMPORT: "Imported",
        AuditAction.READ_TRAIL: "Read trail viewed",
    },
    ReadAction: {
        ReadAction.CARD: "Opened card",
        ReadAction.OVERVIEW: "Opened 360 view",
        ReadAction.SEARCH: "Listed customers",
        ReadAction.EXPORT: "Exported customers",
        ReadAction.PRINT: "Printed",
    },
}

# What the button that moves a record to a state says, per lifecycle (the action verbs).
MOVE_LABELS: Mapping[type[StrEnum], tuple[str, Mapping[str, str]]] = {
    QuotationStatus: ("QuotationAction", {
        QuotationStatus.SENT: "Mark as sent",
        QuotationStatus.ACCEPTED: "Accepted by customer",
        QuotationStatus.REJECTED: "Rejected by customer",
        QuotationStatus.EXPIRED: "Mark as expired",
    }),
    OrderStatus: ("OrderAction", {
        OrderStatus.CONFIRMED: "Confirm order",
        OrderStatus.DELIVERED: "Mark as delivered",
        OrderStatus.COMPLETED: "Mark as completed",
        OrderStatus.CANCELLED: "Cancel order",
    }),
    OpportunityStage: ("OpportunityAction", {
        OpportunityStage.QUALIFIED: "Qualified",
        OpportunityStage.PROPOSAL: "Proposal sent",
        OpportunityStage.NEGOTIATION: "In negotiation",
        OpportunityStage.WON: "Won",
        OpportunityStage.LOST: "Lost…",
    }),
    TicketStatus: ("TicketAction", {
        TicketStatus.IN_REPAIR: "Start repair",
        TicketStatus.WAITING_PARTS: "Waiting for parts",
        TicketStatus.CLOSED: "Close ticket",
        TicketStatus.CANCELLED: "Cancel ticket",
    }),
}

# Kinds of record by the names code gives them: the entities of the audit log and the
# kinds of the customer timeline ("repair", "care", "change").
RECORD_KIND = "RecordKind"
RECORD_KINDS: Mapping[str, str] = {
    "customer": "Customer",
    "device": "Device",
    "visit": "Visit",
    "opportunity": "Opportunity",
    "product": "Product",
    "quotation": "Quotation",
    "order": "Order",
    "payment": "Payment",
    "contract": "Service contract",
    "service_ticket": "Service ticket",
    "repair_record": "Repair record",
    "repair": "Repair",
    "knowledge": "Knowledge entry",
    "sales_plan": "Sales plan",
    "task": "Task",
    "care": "Customer care",
    "care_item": "Care item",
    "change": "Change",
    "user": "User account",
    "role": "Role",
    "department": "Department",
    "custom_field": "Custom field",
    "app_setting": "Setting",
    "statistic": "Statistic",
    "import_batch": "Import",
    "guard_alert": "Customer base protection alert",
}

# How a care item was carried out (app.services.care.CHANNELS).
CARE_CHANNEL = "CareChannel"
CARE_CHANNELS: Mapping[str, str] = {
    "phone": "Phone",
    "visit": "Visit",
    "wechat": "WeChat",
    "sms": "SMS",
    "email": "E-mail",
}

# The kind of job a repair record is (app.services.tickets.JOB_TYPES).
JOB_TYPE = "JobType"
JOB_TYPES: Mapping[str, str] = {
    "bench_repair": "Bench repair",
    "on_site_repair": "On-site repair",
    "maintenance": "Maintenance",
    "installation": "Installation",
}

# The manager's statistics by name (app.services.statistics.STATISTICS).
STATISTIC = "Statistic"
STATISTIC_NAMES: Mapping[str, str] = {
    "customer-classes": "Customer classes",
    "product-sales": "Product sales",
    "sales-collections": "Sales and collections",
    "service": "Customer service",
    "forecast": "Sales forecast",
    "assessment": "Staff assessment",
}

# Why a customer being typed in looks like one already there
# (app.services.customers.find_duplicates).
DUPLICATE_REASON = "DuplicateReason"
DUPLICATE_REASONS: Mapping[str, str] = {
    "same_phone": "same phone",
    "same_name": "same name",
    "same_pinyin": "sounds the same",
    "similar_name": "similar name",
}

# The papers a document prints on, by the codes of app.reports.page.PAGE_SIZES; the
# continuous ones are dot-matrix forms 241 mm wide, cut in thirds or halves (三等分/二等分).
PAPER_SIZE = "PaperSize"
PAPER_SIZES: Mapping[str, str] = {
    "A4": "A4 (210 × 297 mm)",
    "A5": "A5 (148 × 210 mm)",
    "C241x93": "Continuous 241 × 93 mm (thirds)",
    "C241x140": "Continuous 241 × 140 mm (halves)",
}

# What a notice of the change feed tells its reader (app.services.feed), as templates of
# the record kind ``what`` and its ``number``.
FEED_EVENT = "FeedEvent"
FEED_EVENTS: Mapping[str, str] = {
    "assigned": "{what} {number} was assigned to you",
    "dept_assigned": "{what} {number} was assigned to your department",
    "returned": "{what} {number} was returned to you",
    "to_confirm": "{what} {number} waits for confirmation",
    "reported_done": "{what} {number} was reported done",
    "dispatched": "{what} {number} was dispatched to you",
    "to_dispatch": "{what} {number} waits to be dispatched",
    "routed": "{what} {number} waits to be passed to a salesperson",
    "handed_over": "{what} {number} was handed over to you",
    "merged": "{what} {absorbed} was merged into {number}: its records are there now",
    "care_due": "{what} {number} is due on {day}",
    "expiring": "{what} {number} expires on {day}",
    "guard_flagged": "{what}: what {person} read on {day} needs a look",
}

# Code families that are plain strings rather than enums, by their context name.
CODE_FAMILIES: Mapping[str, Mapping[str, str]] = {
    RECORD_KIND: RECORD_KINDS,
    CARE_CHANNEL: CARE_CHANNELS,
    JOB_TYPE: JOB_TYPES,
    STATISTIC: STATISTIC_NAMES,
    DUPLICATE_REASON: DUPLICATE_REASONS,
    PAPER_SIZE: PAPER_SIZES,
    FEED_EVENT: FEED_EVENTS,
}

# What "no value" reads as where the UI shows one.
NO_STATION = "No station"
ALL_FIELDS_VISIBLE = "Visible"


def context_of(kind: type[StrEnum]) -> str:
    """The family (translation context) of an enum's labels: its class name."""
    return kind.__name__


_ENUMS_BY_CONTEXT: Mapping[str, type[StrEnum]] = {context_of(kind): kind for kind in ENUM_LABELS}


def label(value: StrEnum, *, language: str | None = None) -> str:
    """The display name of an enum value in ``language`` (default: the current one)."""
    kind = type(value)
    return translate(ENUM_LABELS[kind][value], context=context_of(kind), language=language)


def label_of(kind: type[E], value: object, *, language: str | None = None) -> str:
    """Like :func:`label` for a value that may be a stored code, empty or unknown.

    ``None`` and ``""`` read as ``""``; a code the enum does not know (written by a newer
    version, or before a rename) is shown as it is rather than hidden.
    """
    if value is None or value == "":
        return ""
    try:
        member = kind(str(value))
    except ValueError:
        return str(value)
    return label(member, language=language)


def choices(kind: type[E], *, language: str | None = None) -> list[tuple[E, str]]:
    """Every value of ``kind`` with its label, in declaration order (for combo boxes)."""
    return [(member, label(member, language=language)) for member in kind]


def move_label(target: StrEnum, *, language: str | None = None) -> str:
    """What the button that moves a record to ``target`` says ("Mark as sent")."""
    context, table = MOVE_LABELS[type(target)]
    return translate(table[target], context=context, language=language)


def code_label(family: str, code: str | None, *, language: str | None = None) -> str:
    """The display name of a plain-string code of ``family``; unknown codes as they are."""
    if not code:
        return ""
    text = CODE_FAMILIES[family].get(code)
    return translate(text, context=family, language=language) if text else code


def family_label(family: str, code: str, *, language: str | None = None) -> str:
    """A code of the family named ``family`` (an enum's name or a code family) in words.

    For text that names its codes by family, such as an audit summary's stored values.
    """
    kind = _ENUMS_BY_CONTEXT.get(family)
    if kind is not None:
        return label_of(kind, code, language=language)
    if family in CODE_FAMILIES:
        return code_label(family, code, language=language)
    return code


def record_kind_label(kind: str, *, language: str | None = None) -> str:
    """``"order"`` → "Order" / 订单: an audit entity or a timeline kind."""
    return code_label(RECORD_KIND, kind, language=language)


def paper_label(code: str, *, language: str | None = None) -> str:
    """A paper code of ``app.reports.page.PAGE_SIZES`` in words ("连续纸 241×93 毫米（三等分）")."""
    return code_label(PAPER_SIZE, code, language=language)


def station_label(station: object, *, language: str | None = None) -> str:
    """A station code in words; none at all reads "No station"."""
    if not station:
        return translate(NO_STATION, context=context_of(StationCode), language=language)
    return label_of(StationCode, station, language=language)


def verb(operation: Operation, *, language: str | None = None) -> str:
    """An operation inside a sentence ("you may not view it"); lower case changes nothing
    in Chinese."""
    return label(operation, language=language).lower()


def field_access_label(access: FieldAccess | None, *, language: str | None = None) -> str:
    """How a field appears to a role; no rule means it is visible."""
    if access is None:
        return translate(ALL_FIELDS_VISIBLE, context=context_of(FieldAccess),
                         language=language)
    return label(access, language=language)


__all__ = [
    "CODE_FAMILIES", "ENUM_LABELS", "MOVE_LABELS", "PAPER_SIZES", "RECORD_KINDS",
    "STATISTIC_NAMES",
    "choices", "code_label",
    "context_of", "family_label", "field_access_label", "label", "label_of", "move_label",
    "paper_label",
    "record_kind_label", "station_label", "verb",
]

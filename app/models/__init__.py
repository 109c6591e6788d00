"""SQLAlchemy entities of the whole StationCRM domain; importing this registers every table."""

from app.models.base import Base, UTCDateTime, utcnow
from app.models.catalog import Product
from app.models.customers import Address, Contact, Customer, Device, MeterReading
from app.models.feed import FeedEntry
from app.models.identity import Department, Role, RoleDataScope, RoleFieldRule, RolePermission, User
from app.models.imports import ImportBatch, ImportItem
from app.models.sales import (
    Opportunity,
    Order,
    OrderLine,
    Payment,
    PaymentAllocation,
    Quotation,
    QuotationLine,
    SalesPlan,
    Visit,
)
from app.models.service import (
    ContractDevice,
    KnowledgeEntry,
    RepairPart,
    RepairRecord,
    ServiceContract,
    ServiceTicket,
    TicketEvent,
)
from app.models.system import (
    AppSetting,
    AuditEntry,
    CustomFieldDefinition,
    CustomFieldValue,
    DocumentSequence,
    GuardAlertRecord,
    GuardRules,
    ReadEntry,
    RequestKey,
)
from app.models.work import CareItem, Task

__all__ = [
    "Address",
    "AppSetting",
    "AuditEntry",
    "ReadEntry",
    "Base",
    "CareItem",
    "Contact",
    "ContractDevice",
    "CustomFieldDefinition",
    "CustomFieldValue",
    "Customer",
    "Department",
    "Device",
    "DocumentSequence",
    "GuardAlertRecord",
    "GuardRules",
    "FeedEntry",
    "ImportBatch",
    "ImportItem",
    "KnowledgeEntry",
    "MeterReading",
    "Opportunity",
    "Order",
    "OrderLine",
    "Payment",
    "PaymentAllocation",
    "Product",
    "Quotation",
    "QuotationLine",
    "RepairPart",
    "RepairRecord",
    "RequestKey",
    "Role",
    "RoleDataScope",
    "RoleFieldRule",
    "RolePermission",
    "SalesPlan",
    "ServiceContract",
    "ServiceTicket",
    "Task",
    "TicketEvent",
    "UTCDateTime",
    "User",
    "Visit",
    "utcnow",
]

"""Enumerations shared by models, services and the UI; values are stored as short ASCII codes.

No SQLAlchemy here: the login window and the labels use them before the database layer is
loaded. app.models.enums re-exports the same classes for the models and services, but
importing it runs app/models/__init__.py, which loads every entity.
"""

from __future__ import annotations

from enum import StrEnum


class Module(StrEnum):
    """Parts of the program a role may see (模块)."""

    CUSTOMERS = "customers"
    VISITS = "visits"
    SALES_PLANS = "sales_plans"
    OPPORTUNITIES = "opportunities"
    PRODUCTS = "products"
    QUOTATIONS = "quotations"
    ORDERS = "orders"
    PAYMENTS = "payments"
    CONTRACTS = "contracts"
    SERVICE_TICKETS = "service_tickets"
    KNOWLEDGE = "knowledge"
    TASKS = "tasks"
    CARE = "care"
    STATISTICS = "statistics"
    ADMINISTRATION = "administration"
    # The read trail and its alerts (客户资源安全): who read which customers. By default the
    # general manager only; the people it watches must not read it.
    CUSTOMER_GUARD = "customer_guard"


class Operation(StrEnum):
    """What a role may do inside a module (操作)."""

    VIEW = "view"
    CREATE = "create"
    EDIT = "edit"
    DELETE = "delete"
    CONFIRM = "confirm"
    PRINT = "print"
    EXPORT = "export"


class DataScope(StrEnum):
    """Which records of a module a role sees: own (本人), own department (本部门), all (全部)."""

    OWN = "own"
    DEPARTMENT = "department"
    ALL = "all"


class FieldAccess(StrEnum):
    """How a protected field appears to a role."""

    HIDDEN = "hidden"
    READ_ONLY = "read_only"


class StationCode(StrEnum):
    """The five department stations (站点)."""

    STOREFRONT = "storefront"
    KEY_ACCOUNTS = "key_accounts"
    REPAIR = "repair"
    MANAGEMENT = "management"
    MANAGER_OFFICE = "manager_office"


class CustomerKind(StrEnum):
    COMPANY = "company"
    PERSON = "person"


class CustomerSource(StrEnum):
    """客户来源."""

    WALK_IN = "walk_in"
    PHONE = "phone"
    REFERRAL = "referral"
    VISIT = "visit"
    WEB = "web"
    DEALER = "dealer"
    SERVICE_RENEED = "service_reneed"


class CustomerClass(StrEnum):
    """客户分类."""

    A = "a"
    B = "b"
    C = "c"
    KEY_ACCOUNT = "key_account"
    DEALER = "dealer"
    RETAIL = "retail"


class CustomerStatus(StrEnum):
    PROSPECT = "prospect"
    ACTIVE = "active"
    DORMANT = "dormant"
    LOST = "lost"


class AddressKind(StrEnum):
    OFFICE = "office"
    BILLING = "billing"
    DELIVERY = "delivery"
    SITE = "site"


class DeviceStatus(StrEnum):
    IN_USE = "in_use"
    IN_REPAIR = "in_repair"
    RETIRED = "retired"


class ProductCategory(StrEnum):
    """产品类别."""

    PRINTER = "printer"
    CONSUMABLE = "consumable"
    PC = "pc"
    PART = "part"
    SERVICE = "service"


class VisitKind(StrEnum):
    WALK_IN = "walk_in"
    PHONE = "phone"
    VISIT = "visit"


class ConfirmStatus(StrEnum):
    """Management confirmation of a submitted record (确认 / 退回)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    CONFIRMED = "confirmed"
    RETURNED = "returned"


class PlanPeriod(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"


class OpportunityStage(StrEnum):
    NEW = "new"
    QUALIFIED = "qualified"
    PROPOSAL = "proposal"
    NEGOTIATION = "negotiation"
    WON = "won"
    LOST = "lost"


class QuotationStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EXPIRED = "expired"
    CONVERTED = "converted"


class OrderStatus(StrEnum):
    DRAFT = "draft"
    CONFIRMED = "confirmed"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class PaymentMethod(StrEnum):
    CASH = "cash"
    BANK_TRANSFER = "bank_transfer"
    WECHAT = "wechat"
    ALIPAY = "alipay"
    CHEQUE = "cheque"


class ContractKind(StrEnum):
    FULL_SERVICE = "full_service"
    LABOUR_ONLY = "labour_only"
    PER_VISIT = "per_visit"


class ContractStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    EXPIRED = "expired"
    TERMINATED = "terminated"
    RENEWED = "renewed"


class TicketChannel(StrEnum):
    WALK_IN = "walk_in"
    PHONE = "phone"
    ON_SITE_REQUEST = "on_site_request"


class ServiceMode(StrEnum):
    BRING_IN = "bring_in"
    ON_SITE = "on_site"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class TicketStatus(StrEnum):
    RECEIVED = "received"
    DISPATCHED = "dispatched"
    IN_REPAIR = "in_repair"
    WAITING_PARTS = "waiting_parts"
    DONE = "done"
    PICKED_UP = "picked_up"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class KnowledgeStatus(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class TaskStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    REPORTED_DONE = "reported_done"
    CONFIRMED = "confirmed"
    RETURNED = "returned"
    CANCELLED = "cancelled"


class CareKind(StrEnum):
    FOLLOW_UP = "follow_up"
    CONTRACT_EXPIRY = "contract_expiry"
    REORDER = "reorder"
    BIRTHDAY = "birthday"
    HOLIDAY = "holiday"
    OTHER = "other"


class CareStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    SKIPPED = "skipped"


class CustomFieldEntity(StrEnum):
    """Records an administrator may add fields to."""

    CUSTOMER = "customer"
    CONTACT = "contact"
    DEVICE = "device"
    VISIT = "visit"
    ORDER = "order"
    SERVICE_TICKET = "service_ticket"
    CARE_ITEM = "care_item"


class CustomFieldKind(StrEnum):
    TEXT = "text"
    MULTILINE = "multiline"
    NUMBER = "number"
    MONEY = "money"
    DATE = "date"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    BOOLEAN = "boolean"


class AuditAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOCKED = "locked"
    EXPORT = "export"
    REASSIGN = "reassign"
    CONFIRM = "confirm"
    RETURN = "return"
    TRANSITION = "transition"
    PRINT = "print"
    # A change the database saw without a StationCRM audit entry: made with a SQL tool.
    DB_CHANGE = "db_change"
    # The duplicate check asked the database whose customer a whole phone number is.
    PHONE_LOOKUP = "phone_lookup"
    # A sheet brought in, or an import undone (app.services.importing).
    IMPORT = "import"
    # Someone read the read trail (app.services.customer_guard): watching is watched too.
    READ_TRAIL = "read_trail"


class ReadAction(StrEnum):
    """What a person did that showed them customers (the read trail, app.services.read_trail)."""

    CARD = "card"  # opened a customer card
    OVERVIEW = "overview"  # opened a customer's 360 view
    SEARCH = "search"  # read a page of the customer list (a search, or the list itself)
    EXPORT = "export"  # exported customers
    PRINT = "print"  # printed a document of a customer

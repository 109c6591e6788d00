"""What the renderers are handed: frozen data gathered by the services, no database behind it.

The services read, check and audit (``app.services.slips``, ``app.services.company``,
``app.services.statistics``) and pass these to ``render_*`` / ``export_*``. They live here,
not in the services, so that ``app.reports`` imports no service or model and the services
can call the renderers without an import cycle. Codes (ticket channel, priority ...) travel
already put into words by the services, so the renderers look up no labels.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

# --- the company header --------------------------------------------------------------------

# Shown until an administrator fills in the setting: unmistakable on paper, never wrong.
DEFAULT_COMPANY_NAME = "（未设置公司名称）"
# The text fields of the header, in the order they print.
TEXT_FIELDS = ("name", "address", "phone", "fax", "bank", "bank_account", "tax_number")


@dataclass(frozen=True)
class CompanyInfo:
    """Name, address and the payment details a customer needs, as printed in the header.

    Empty fields print nothing; the name falls back to :data:`DEFAULT_COMPANY_NAME`.
    ``logo`` is PNG or JPEG bytes, ``version`` the version of the stored settings (0 while
    nothing was saved), which a save must name (``app.services.company``).
    """

    name: str = DEFAULT_COMPANY_NAME
    address: str = ""
    phone: str = ""
    fax: str = ""
    bank: str = ""
    bank_account: str = ""
    tax_number: str = ""
    logo: bytes | None = field(default=None, repr=False)
    version: int = 0

    @property
    def named(self) -> bool:
        """Whether an actual name was saved (not the placeholder)."""
        return self.name != DEFAULT_COMPANY_NAME


# --- slips: quotations, sales slips, service tickets ---------------------------------------


@dataclass(frozen=True)
class SlipCustomer:
    """The customer block as printed: who, whom to call, where."""

    name: str
    contact_name: str | None
    phone: str | None
    address: str | None


@dataclass(frozen=True)
class SlipLine:
    """One printed line; prices only, never cost."""

    position: int
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    discount_percent: Decimal
    line_total: Decimal


@dataclass(frozen=True)
class QuotationSlipData:
    company: CompanyInfo
    number: str
    quoted_on: dt.date
    valid_until: dt.date
    customer: SlipCustomer
    owner_name: str
    lines: tuple[SlipLine, ...]
    total_amount: Decimal
    total_in_words: str
    terms: str | None
    notes: str | None
    printed_at: dt.datetime
    printed_by: str


@dataclass(frozen=True)
class OrderSlipData:
    company: CompanyInfo
    number: str
    ordered_on: dt.date
    due_on: dt.date | None
    customer: SlipCustomer
    # The order's own delivery address when it has one; else the customer's address.
    delivery_address: str | None
    owner_name: str
    lines: tuple[SlipLine, ...]
    total_amount: Decimal
    total_in_words: str
    notes: str | None
    printed_at: dt.datetime
    printed_by: str
    # The order's custom fields with a value: (label zh, label en, value).
    custom: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class TicketSlipData:
    """What the intake slip and the dispatch order show (never costs or margins).

    ``channel_label``, ``mode_label`` and ``priority_label`` are the catalog's words for the
    ticket's codes (app.labels) in the slip's language, printed as they are.
    """

    company: CompanyInfo
    number: str
    customer: SlipCustomer
    device_brand: str | None
    device_model: str | None
    serial_number: str | None
    channel_label: str
    mode_label: str
    priority_label: str
    symptoms: str
    accessories: str | None
    condition: str | None
    received_at: dt.datetime
    expected_on: dt.date | None
    under_contract: bool
    intake_by: str
    technician: str | None
    scheduled_at: dt.datetime | None
    site_address: str | None
    terms: str
    printed_at: dt.datetime
    printed_by: str
    # The ticket's custom fields with a value: (label zh, label en, value).
    custom: tuple[tuple[str, str, str], ...] = ()
    # Linked to a labour-only contract: labour free, parts charged (see app.services.tickets).
    labour_free: bool = False


@dataclass(frozen=True)
class ChargeLine:
    """One charge of a repair as printed: the labour or a part, and what the customer pays
    for it (nothing where the contract covers it, ``covered``)."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    covered: bool = False


@dataclass(frozen=True)
class PaymentLine:
    """A payment as a slip lists it; ``method_label`` is already in the slip's words."""

    number: str
    received_on: dt.date
    method_label: str
    amount: Decimal
    received_by: str


@dataclass(frozen=True)
class PickupSlipData:
    """What the pickup receipt (取机单) shows: the job, its charges and the money taken.

    ``payments`` are the payments on the ticket the printing person may see (none for a
    role without payments); ``paid_amount`` is the ticket's own total, always shown.
    """

    company: CompanyInfo
    number: str
    customer: SlipCustomer
    device_brand: str | None
    device_model: str | None
    serial_number: str | None
    symptoms: str
    received_at: dt.datetime
    completed_at: dt.datetime | None
    picked_up_at: dt.datetime | None
    technician: str | None
    work_done: str | None
    result: str | None
    charges: tuple[ChargeLine, ...]
    under_contract: bool
    labour_free: bool
    total_charge: Decimal
    total_in_words: str
    payments: tuple[PaymentLine, ...]
    paid_amount: Decimal
    open_amount: Decimal
    handed_over_by: str | None
    printed_at: dt.datetime
    printed_by: str


@dataclass(frozen=True)
class ReceiptPurpose:
    """What part of a payment settles: ``document`` in words (销售单 / 服务单) and number."""

    document: str
    number: str
    amount: Decimal


@dataclass(frozen=True)
class ReceiptData:
    """What the payment receipt (收款收据) shows."""

    company: CompanyInfo
    number: str
    received_on: dt.date
    payer: str
    amount: Decimal
    amount_in_words: str
    method_label: str
    reference: str | None
    purposes: tuple[ReceiptPurpose, ...]
    received_by: str
    notes: str | None
    printed_at: dt.datetime
    printed_by: str


# --- statistics: the one table shape every statistic answers with --------------------------


class ColumnKind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    MONEY = "money"          # Decimal, 2 places
    PERCENT = "percent"      # Decimal, e.g. Decimal("12.5") means 12.5 %
    DECIMAL = "decimal"      # Decimal, other measures (days, points)
    DATE = "date"


class ChartKind(StrEnum):
    BAR = "bar"              # grouped bars: one set per value column
    STACKED_BAR = "stacked_bar"
    LINE = "line"            # one line per value column, categories in row order
    PIE = "pie"              # first value column only


@dataclass(frozen=True)
class StatFilters:
    """The filters every statistic accepts; a statistic ignores those that do not apply.

    ``date_from``/``date_to`` are inclusive calendar days. None means "no filter".
    """

    date_from: dt.date
    date_to: dt.date
    department_id: int | None = None
    user_id: int | None = None             # salesperson / technician / owner
    customer_class: str | None = None      # CustomerClass value
    customer_source: str | None = None     # CustomerSource value
    product_category: str | None = None    # ProductCategory value
    group_by: str | None = None            # a statistic's own breakdown choice, see VIEWS


@dataclass(frozen=True)
class StatColumn:
    key: str
    label: str               # the heading, in the table's language
    kind: ColumnKind


@dataclass(frozen=True)
class DrillKey:
    """What lies behind one number: a statistic-specific selector, opaque to the UI."""

    statistic: str
    selector: tuple[tuple[str, str], ...]   # e.g. (("source", "walk_in"), ("month", "2026-10"))


@dataclass(frozen=True)
class StatRow:
    cells: tuple[str | int | Decimal | dt.date | None, ...]
    # One entry per cell; None where the number has nothing to drill into (labels, ratios).
    drill: tuple[DrillKey | None, ...]
    is_total: bool = False
    key: str = ""             # the row's category code (class, source, month, user id ...)


@dataclass(frozen=True)
class ChartSpec:
    kind: ChartKind
    category_column: str                  # key of the column naming each category
    value_columns: tuple[str, ...]        # keys of the plotted columns
    title: str = ""                       # in the table's language


@dataclass(frozen=True)
class StatTable:
    """One statistic's table, its words (title, headings, filters, category names) already
    in one language: ``language``, which the service chose; the exports print them as
    they are."""

    name: str
    title: str
    columns: tuple[StatColumn, ...]
    rows: tuple[StatRow, ...]
    chart: ChartSpec | None
    filters: StatFilters
    # Further tables shown under the main one (e.g. aging buckets, top debtors).
    sections: tuple[StatTable, ...] = field(default=())
    queries: int = 0                      # statements issued, for the benchmark
    # The filters in words, one line each ("期间：2026-10-01 至 2026-12-31"); the exports
    # write them above the table.
    filter_lines: tuple[str, ...] = field(default=())
    language: str = "en"                  # "zh" or "en": the language of the words above


__all__ = [
    "DEFAULT_COMPANY_NAME",
    "TEXT_FIELDS",
    "ChargeLine",
    "ChartKind",
    "ChartSpec",
    "ColumnKind",
    "CompanyInfo",
    "DrillKey",
    "OrderSlipData",
    "PaymentLine",
    "PickupSlipData",
    "QuotationSlipData",
    "ReceiptData",
    "ReceiptPurpose",
    "SlipCustomer",
    "SlipLine",
    "StatColumn",
    "StatFilters",
    "StatRow",
    "StatTable",
    "TicketSlipData",
]

"""The money flow: quotations (报价单), orders (订单), payments (回款) and receivables (应收款).

Amounts are :class:`~decimal.Decimal` yuan exact to the fen. A line's total is
``round(quantity × unit price × (1 − discount / 100), 2)`` rounding halves up; document
totals are sums of the rounded lines. An order line keeps the product's cost and sales
points as they were when the line was made (``unit_cost``, ``line_cost``,
``sales_points``), and the order keeps the customer's source, so margins and statistics
do not move when the catalog or the customer card changes later.

The cost is copied by the database, not here: most roles may not read the catalogue's
cost, so a new line (or a line moved to another product) is written without one and the
database fills it in, keeps ``line_cost`` at ``round(quantity × unit_cost, 2)`` and the
order's ``total_cost`` at the sum of its lines (migration 9841e823c8fe). A use case reads
the cost columns back only for a role that may see them.

The package follows the sections the module once had: ``data`` (drafts in, views out),
``quotations``, ``orders``, ``payments``, ``receivables`` and ``_common`` (lifecycles, money,
checking and the readers and writers the sections share). Callers import from here.
"""

from __future__ import annotations

from app.services.sales._common import (
    CENT,
    DEFAULT_VALIDITY_DAYS,
    LIFECYCLES,
    MAX_LINES,
    ORDER_LIFECYCLE,
    QUANTITY_LIMIT,
    QUOTATION_LIFECYCLE,
    RECEIVABLE_STATUSES,
    line_cost,
    line_total,
    yuan,
)
from app.services.sales.counter import CounterPayment, CounterSale, sell_at_counter
from app.services.sales.data import (
    AgingReport,
    AgingRow,
    AllocationView,
    OpenOrder,
    OrderDraft,
    OrderLineDraft,
    OrderLineView,
    OrderPage,
    OrderRow,
    OrderView,
    PaymentPage,
    PaymentRow,
    PaymentView,
    QuotationDraft,
    QuotationLineDraft,
    QuotationLineView,
    QuotationPage,
    QuotationRow,
    QuotationView,
    ReceivableView,
)
from app.services.sales.orders import (
    ORDER_SORT_KEYS,
    create_order,
    get_order,
    list_orders,
    order_text_match,
    transition_order,
    update_order,
)
from app.services.sales.payments import (
    PAYMENT_SORT_KEYS,
    PaymentFilters,
    export_payments,
    get_payment,
    list_payments,
    record_payment,
)
from app.services.sales.quotations import (
    QUOTATION_SORT_KEYS,
    convert_quotation_to_order,
    create_quotation,
    get_quotation,
    list_quotations,
    transition_quotation,
    update_quotation,
)
from app.services.sales.receivables import customer_receivable, receivables_aging

__all__ = [
    "CENT",
    "DEFAULT_VALIDITY_DAYS",
    "LIFECYCLES",
    "MAX_LINES",
    "ORDER_LIFECYCLE",
    "ORDER_SORT_KEYS",
    "PAYMENT_SORT_KEYS",
    "QUANTITY_LIMIT",
    "QUOTATION_LIFECYCLE",
    "QUOTATION_SORT_KEYS",
    "RECEIVABLE_STATUSES",
    "AgingReport",
    "AgingRow",
    "AllocationView",
    "CounterPayment",
    "CounterSale",
    "OpenOrder",
    "OrderDraft",
    "OrderLineDraft",
    "OrderLineView",
    "OrderPage",
    "OrderRow",
    "OrderView",
    "PaymentFilters",
    "PaymentPage",
    "PaymentRow",
    "PaymentView",
    "QuotationDraft",
    "QuotationLineDraft",
    "QuotationLineView",
    "QuotationPage",
    "QuotationRow",
    "QuotationView",
    "ReceivableView",
    "convert_quotation_to_order",
    "create_order",
    "create_quotation",
    "customer_receivable",
    "export_payments",
    "get_order",
    "get_payment",
    "get_quotation",
    "line_cost",
    "line_total",
    "list_orders",
    "order_text_match",
    "list_payments",
    "list_quotations",
    "receivables_aging",
    "record_payment",
    "sell_at_counter",
    "transition_order",
    "transition_quotation",
    "update_order",
    "update_quotation",
    "yuan",
]

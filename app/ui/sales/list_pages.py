"""Module pages listing quotations and orders, newest first, with a status filter; the
order list also searches and sells at the counter (New; Ctrl+N is the main window's New,
which calls the page's ``new_record``)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from app.models.enums import CustomFieldEntity, Module, Operation, OrderStatus, QuotationStatus
from app.services.permissions import Actor
from app.services.sales import list_orders, list_quotations
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.custom_fields.columns import CustomColumns
from app.ui.formatting import format_date, format_yuan
from app.ui.kit.list_page import ListPage
from app.ui.kit.table import Col, PageRequest
from app.ui.sales.common import order_status_label, quotation_status_label

ORDER_CUSTOM_COLUMNS_KEY = "order_list/custom_columns"  # codes of the custom fields shown
SEARCH_DELAY_MS = 300


class _SalesListPage(ListPage):
    """A sales document list: a status filter, print and export of what is listed."""

    statuses: tuple[Any, ...]
    table_name = "sales_table"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.status_combo = QComboBox(self)
        self.status_combo.setObjectName("status_filter")
        self.status_combo.addItem(self.tr("All statuses"), None)
        for status in self.statuses:
            self.status_combo.addItem(self.status_label(status), status)
        self.status_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.add_filter(self.status_combo, self.tr("Status:"))

    def status_label(self, status: Any) -> str:
        raise NotImplementedError

    def current_query(self) -> Any:
        return self.status_combo.currentData()


class QuotationListPage(_SalesListPage):
    """The quotations in the user's data scope."""

    module = Module.QUOTATIONS
    statuses = tuple(QuotationStatus)
    kind = "quotation"
    print_kind = "quotation"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("quotation_list_page")
        self.new_button = self.add_button(
            self.tr("New quotation"), "new_quotation_button", self.new_quotation,
            visible=ctx.can(Module.QUOTATIONS, Operation.CREATE))
        self.start()

    def columns(self) -> list[Col[Any]]:
        return [
            Col("number", self.tr("Number"), lambda r: r.number, sort="number", width=150),
            Col("status", self.tr("Status"), lambda r: quotation_status_label(r.status),
                sort="status"),
            Col("customer", self.tr("Customer"), lambda r: r.customer_name, sort="customer",
                width=240),
            Col("owner", self.tr("Owner"), lambda r: r.owner_name or "", sort="owner"),
            Col("date", self.tr("Date"), lambda r: format_date(r.quoted_on), sort="date"),
            Col("valid_until", self.tr("Valid until"), lambda r: format_date(r.valid_until),
                sort="valid_until"),
            Col("total", self.tr("Total"), lambda r: format_yuan(r.total_amount),
                sort="total").money(),
        ]

    def status_label(self, status: Any) -> str:
        return quotation_status_label(status)

    def fetch(self, uow: UnitOfWork, query: Any, request: PageRequest) -> Any:
        return list_quotations(uow=uow, actor=self._ctx.actor, status=query,
                               after=request.after, limit=request.limit, sort=request.sort,
                               with_total=request.with_total)

    def export(self, uow: UnitOfWork, actor: Actor, path: str, fmt: str, status: Any) -> Any:
        from app.services.exports import export_quotations
        return export_quotations(uow=uow, actor=actor, path=path, fmt=fmt,
                                 status=QuotationStatus(status) if status else None)

    def export_title(self) -> str:
        return self.tr("Export quotations")

    def open_record(self, record_id: int) -> object:
        from app.ui.sales.quotation_dialog import open_quotation
        return open_quotation(self._ctx, record_id, self)

    def new_quotation(self) -> object:
        from app.ui.sales.quotation_dialog import new_quotation
        return new_quotation(self._ctx, None, self)

    # The main window's New (Ctrl+N) on this page.
    new_record = new_quotation


class OrderListPage(_SalesListPage):
    """The orders in the user's data scope; the margin column only when it is given.

    The search box finds orders by number or customer (name, pinyin, phone, code); New
    order (the button, or the main window's New, Ctrl+N) sells at the counter in one dialog.
    """

    module = Module.ORDERS
    statuses = tuple(OrderStatus)
    kind = "order"
    watch = ("payment",)  # a payment changes what is paid and open
    print_kind = "order"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("order_list_page")
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("order_search")
        self.search_edit.setPlaceholderText(self.tr("Number, customer, pinyin or code"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(220)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self.search_edit.textEdited.connect(lambda _t: self._search_timer.start())
        self.search_edit.returnPressed.connect(self.refresh)
        self.bar.insertWidget(0, self.search_edit)
        self.new_button = self.add_button(
            self.tr("New order"), "new_order_button", self.new_order,
            visible=ctx.can(Module.ORDERS, Operation.CREATE)
            and ctx.can(Module.ORDERS, Operation.EDIT))
        self.new_button.setToolTip(QKeySequence(QKeySequence.StandardKey.New).toString(
            QKeySequence.SequenceFormat.NativeText))
        self.new_dialog: QWidget | None = None
        # Custom fields of orders as optional columns (right-click the header).
        self.custom_columns = CustomColumns(
            ctx, CustomFieldEntity.ORDER, ORDER_CUSTOM_COLUMNS_KEY, self.table, self.columns,
            self.model.set_columns, self.model.custom_of)
        self.custom_columns.changed.connect(self.refresh)
        self.model.page_loaded.connect(self._show_margin)
        self.start()
        self.custom_columns.load()

    def current_query(self) -> Any:
        search = getattr(self, "search_edit", None)
        return (self.status_combo.currentData(),
                search.text().strip() if search is not None else "")

    def focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def new_order(self) -> object:
        """The counter's new order: customer, lines, payment, then the slip."""
        from app.ui.sales.counter_dialog import new_order
        self.new_dialog = new_order(self._ctx, self)
        return self.new_dialog

    # The main window's New (Ctrl+N) on this page.
    new_record = new_order

    def columns(self) -> list[Col[Any]]:
        return [
            Col("number", self.tr("Number"), lambda r: r.number, sort="number", width=150),
            Col("status", self.tr("Status"), lambda r: order_status_label(r.status),
                sort="status"),
            Col("customer", self.tr("Customer"), lambda r: r.customer_name, sort="customer",
                width=240),
            Col("owner", self.tr("Owner"), lambda r: r.owner_name or "", sort="owner"),
            Col("date", self.tr("Date"), lambda r: format_date(r.ordered_on), sort="date"),
            Col("total", self.tr("Total"), lambda r: format_yuan(r.total_amount),
                sort="total").money(),
            Col("paid", self.tr("Paid"), lambda r: format_yuan(r.paid_amount),
                sort="paid").money(),
            Col("open", self.tr("Open"), lambda r: format_yuan(r.open_amount),
                sort="open").money(),
            # Hidden (and so never clicked) for a role the margin is hidden from.
            Col("gross_margin", self.tr("Gross margin"), lambda r: format_yuan(r.gross_margin),
                sort="gross_margin").money(),
        ]

    def _show_margin(self) -> None:
        """The margin column only for those the service gives it to (the last fixed one)."""
        first = self.model.row_at(0)
        hidden = first is None or first.gross_margin is None
        self.table.setColumnHidden(len(self.columns()) - 1, hidden)

    def status_label(self, status: Any) -> str:
        return order_status_label(status)

    def fetch(self, uow: UnitOfWork, query: Any, request: PageRequest) -> Any:
        custom_columns = getattr(self, "custom_columns", None)
        status, text = query
        return list_orders(uow=uow, actor=self._ctx.actor, status=status, text=text,
                           after=request.after, limit=request.limit, sort=request.sort,
                           with_total=request.with_total,
                           custom_columns=custom_columns.shown if custom_columns else ())

    def export(self, uow: UnitOfWork, actor: Actor, path: str, fmt: str, query: Any) -> Any:
        # The status filter and the search text: the file holds the rows listed.
        from app.services.exports import export_orders
        status, text = query
        return export_orders(uow=uow, actor=actor, path=path, fmt=fmt,
                             status=OrderStatus(status) if status else None, text=text)

    def export_title(self) -> str:
        return self.tr("Export orders")

    def open_record(self, record_id: int) -> object:
        from app.ui.sales.order_dialog import open_order
        return open_order(self._ctx, record_id, self)

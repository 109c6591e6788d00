"""The payments module page (回款): the payments received (回款记录), searched, dated,
sorted on the server and exported, each with its receipt (收据); and the receivables aging
(应收账龄) beside them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QComboBox, QLineEdit, QTabWidget, QVBoxLayout, QWidget

from app.models.enums import Module, Operation
from app.services.permissions import Actor
from app.services.sales import PaymentFilters, export_payments, list_payments
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.formatting import format_date, format_yuan
from app.ui.kit.list_page import ListPage
from app.ui.kit.table import Col, PageRequest
from app.ui.sales.common import payment_method_label

SEARCH_DELAY_MS = 300
# The slip printed for a payment (app.services.slips.SlipKind).
RECEIPT_KIND = "receipt"
PERIODS = ("all", "today", "last_7_days", "this_month", "last_month", "this_year")


def period_dates(period: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day of a period of the date filter (None: open)."""
    if period == "today":
        return today, today
    if period == "last_7_days":
        return today - dt.timedelta(days=6), today
    if period == "this_month":
        return today.replace(day=1), today
    if period == "last_month":
        end = today.replace(day=1) - dt.timedelta(days=1)
        return end.replace(day=1), end
    if period == "this_year":
        return today.replace(month=1, day=1), today
    return None, None


class PaymentListPage(ListPage):
    """The payments the user may see, newest first: number, date, customer, the orders or
    tickets settled, amount, method and who took the money."""

    module = Module.PAYMENTS
    kind = "payment"
    watch = ("order",)
    table_name = "payments_table"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("payment_list_page")
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("payment_search")
        self.search_edit.setPlaceholderText(self.tr("Number, order, customer or pinyin"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(220)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self.search_edit.textEdited.connect(lambda _t: self._timer.start())
        self.search_edit.returnPressed.connect(self.refresh)
        self.add_filter(self.search_edit)
        self.period_combo = QComboBox(self)
        self.period_combo.setObjectName("period_filter")
        names = {"all": self.tr("All dates"), "today": self.tr("Today"),
                 "last_7_days": self.tr("Last 7 days"), "this_month": self.tr("This month"),
                 "last_month": self.tr("Last month"), "this_year": self.tr("This year")}
        for period in PERIODS:
            self.period_combo.addItem(names[period], period)
        self.period_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.add_filter(self.period_combo, self.tr("Received:"))
        self.receipt_button = self.add_button(
            self.tr("Print receipt…"), "print_receipt_button", self.print_receipt,
            visible=ctx.can(Module.PAYMENTS, Operation.PRINT), first=False)
        self.start()

    def columns(self) -> list[Col[Any]]:
        return [
            Col("number", self.tr("Number"), lambda r: r.number, sort="number", width=150),
            Col("date", self.tr("Date"), lambda r: format_date(r.received_on), sort="date",
                width=100),
            Col("customer", self.tr("Customer"), lambda r: r.customer_name, sort="customer",
                width=240),
            Col("applies_to", self.tr("Order / ticket"), lambda r: ", ".join(r.applies_to),
                width=170),
            Col("amount", self.tr("Amount"), lambda r: format_yuan(r.amount),
                sort="amount", width=110).money(),
            Col("method", self.tr("Method"), lambda r: payment_method_label(r.method),
                sort="method", width=90),
            Col("received_by", self.tr("Received by"), lambda r: r.received_by_name or "",
                sort="received_by"),
        ]

    def current_query(self) -> Any:
        search = getattr(self, "search_edit", None)
        combo = getattr(self, "period_combo", None)
        start, end = period_dates(combo.currentData() if combo is not None else "all",
                                  dt.date.today())
        return PaymentFilters(text=search.text().strip() if search is not None else "",
                              received_from=start, received_to=end)

    def focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def fetch(self, uow: UnitOfWork, query: Any, request: PageRequest) -> Any:
        return list_payments(uow=uow, actor=self._ctx.actor, filters=query,
                             after=request.after, limit=request.limit, sort=request.sort,
                             with_total=request.with_total)

    def export(self, uow: UnitOfWork, actor: Actor, path: str, fmt: str, query: Any) -> Any:
        return export_payments(uow=uow, actor=actor, path=path, fmt=fmt, filters=query)

    def export_title(self) -> str:
        return self.tr("Export payments")

    def open_record(self, record_id: int) -> object:
        from app.ui.sales.payment_dialog import open_payment
        return open_payment(self._ctx, record_id, self)

    def print_receipt(self) -> object:
        """The receipt (收据) of each selected payment, in the print preview."""
        ids = self.selected_ids()
        if not ids:
            self.message_label.setText(self.tr("Select the payments to print first."))
            return None
        from app.ui.print_preview import open_print_preview
        return open_print_preview(self._ctx, RECEIPT_KIND, ids, self)


class PaymentsPage(QWidget):
    """The payments module: the payments received, and the receivables aging."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from app.ui.sales.aging_page import ReceivablesAgingPage
        self.setObjectName("payments_page")
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("payments_tabs")
        self.payments = PaymentListPage(ctx, self.tabs)
        self.aging = ReceivablesAgingPage(ctx, self.tabs)
        self.tabs.addTab(self.payments, self.tr("Payments received"))
        self.tabs.addTab(self.aging, self.tr("Receivables aging"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

    def _current(self) -> QWidget:
        return self.tabs.currentWidget()

    def focus_search(self) -> None:
        focus = getattr(self._current(), "focus_search", None)
        if focus is not None:
            focus()

    def refresh(self) -> None:
        refresh = getattr(self._current(), "refresh", None)
        if refresh is not None:
            refresh()

    def on_connection_restored(self) -> None:
        for page in (self.payments, self.aging):
            restored = getattr(page, "on_connection_restored", None)
            if restored is not None:
                restored()

"""The counter sells in one step: New order on the order list (its button; Ctrl+N is the
main window's New, see tests/ui/test_main_window.py), customer, catalog
lines, the payment and the slip from one dialog; the payments list; the payment dialog's
amount. In English and Chinese, with what is stored checked in the database."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal as D
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.models import AuditEntry, Order, OrderLine, Payment, PaymentAllocation
from app.models.enums import CustomerSource, OrderStatus, PaymentMethod, ProductCategory
from app.services.catalog import ProductDraft, create_product
from app.services.customers import CustomerDraft, create_customer
from app.services.permissions import Actor
from app.services.sales import (
    CounterPayment,
    OrderDraft,
    OrderLineDraft,
    create_order,
    get_order,
    sell_at_counter,
)
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.print_preview import PrintPreviewDialog
from app.ui.sales.counter_dialog import CounterSaleDialog
from app.ui.sales.list_pages import OrderListPage
from app.ui.sales.order_dialog import OrderDialog
from app.ui.sales.payment_dialog import PaymentDialog
from app.ui.sales.payments_page import PaymentListPage, PaymentsPage
from tests.ui.conftest import SHOTS_DIR, clipped_texts

MakeContext = Callable[..., AppContext]


@pytest.fixture
def toner(uow: UnitOfWork, manager: Actor) -> int:
    return create_product(uow=uow, actor=manager, draft=ProductDraft(
        sku="HP-CF226A", name="惠普硒鼓 CF226A", category=ProductCategory.CONSUMABLE,
        unit="支", cost_price=D("450.00"), list_price=D("699.00"),
        sales_points=D("1.00"))).id


@pytest.fixture
def walk_in(uow: UnitOfWork, clerk: Actor) -> int:
    return create_customer(uow=uow, actor=clerk, draft=CustomerDraft(
        name="北京鑫锐科技有限公司", source=CustomerSource.WALK_IN)).id


def _counts(uow: UnitOfWork) -> tuple[int, int, int, int]:
    with uow:
        s = uow.session
        return tuple(s.scalar(select(func.count()).select_from(t)) or 0  # type: ignore[return-value]
                     for t in (Order, OrderLine, Payment, PaymentAllocation))


def _open_from_list(qtbot: QtBot, ctx: AppContext) -> tuple[OrderListPage, CounterSaleDialog]:
    page = OrderListPage(ctx)
    qtbot.addWidget(page)
    page.show()
    assert page.new_button.isVisible() and page.search_edit.isVisible()
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    dialog = page.new_dialog
    assert isinstance(dialog, CounterSaleDialog)
    qtbot.addWidget(dialog)
    return page, dialog


def _choose_customer(qtbot: QtBot, dialog: CounterSaleDialog, text: str) -> None:
    dialog.customer.search_edit.setText(text)
    dialog.customer.search()
    qtbot.waitUntil(lambda: dialog.customer.current_id() is not None)


def _add_toner(qtbot: QtBot, dialog: CounterSaleDialog, quantity: str = "1") -> None:
    lines = dialog.lines
    lines.product_search.setText("CF226")
    lines.search_products()
    qtbot.waitUntil(lambda: lines.product_results.itemData(0) is not None)
    lines.add_selected_product()
    lines.set_cell(lines.line_count() - 1, "quantity", quantity)


def test_the_counter_sells_takes_the_money_and_prints_from_one_dialog(
        qtbot: QtBot, make_context: MakeContext, clerk: Actor, uow: UnitOfWork,
        walk_in: int, toner: int, language: str) -> None:
    ctx = make_context(clerk, "storefront", language)
    page, dialog = _open_from_list(qtbot, ctx)
    # The cursor starts in the customer field.
    assert dialog.focusWidget() is dialog.customer.search_edit
    if language == "zh":
        assert dialog.windowTitle() == "新建订单"
    _choose_customer(qtbot, dialog, "bjxr")
    # Enter moves on from the customer to the next field.
    dialog.customer.search_edit.setFocus()
    qtbot.keyClick(dialog.customer.search_edit, Qt.Key.Key_Return)
    assert dialog.focusWidget() is not dialog.customer.search_edit
    _add_toner(qtbot, dialog, "2")
    dialog.lines.set_cell(0, "discount_percent", "10")
    # The amount received follows the total: 699 × 2 × 90 % = 1258.20.
    assert dialog.amount_edit.text() == "1258.20"
    assert dialog.open_value.text() == "¥0.00"
    dialog.method_combo.setCurrentIndex(dialog.method_combo.findData(PaymentMethod.WECHAT))
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # Ctrl+S
    qtbot.waitUntil(lambda: dialog.sale is not None, timeout=10_000)
    sale = dialog.sale
    assert sale is not None and sale.payment is not None
    preview = dialog.print_preview
    assert isinstance(preview, PrintPreviewDialog)
    qtbot.addWidget(preview)
    # The preview opened with the save and loads on its own: by the time the save is seen
    # it may have loaded already (its signal gone), so wait for the document, not the signal.
    qtbot.waitUntil(lambda: preview.document.pageCount() >= 1, timeout=20_000)

    assert _counts(uow) == (1, 1, 1, 1)
    stored = get_order(uow=uow, actor=clerk, order_id=sale.order.id)
    assert stored.status is OrderStatus.CONFIRMED
    assert stored.total_amount == D("1258.20") and stored.open_amount == 0
    assert sale.payment.method is PaymentMethod.WECHAT
    with uow:
        audited = {(e.entity, e.action.value) for e in uow.session.scalars(select(AuditEntry))}
    assert {("order", "create"), ("order", "transition"), ("payment", "create")} <= audited
    # The list hears of the new order.
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)


def test_a_partial_payment_leaves_the_rest_open(
        qtbot: QtBot, make_context: MakeContext, clerk: Actor, uow: UnitOfWork,
        walk_in: int, toner: int) -> None:
    dialog = CounterSaleDialog(make_context(clerk, "storefront"))
    qtbot.addWidget(dialog)
    dialog.show()
    _choose_customer(qtbot, dialog, "鑫锐")
    _add_toner(qtbot, dialog)
    dialog.amount_edit.setText("200")
    dialog.amount_edit.textEdited.emit("200")
    assert dialog.open_value.text() == "¥499.00"
    _add_toner(qtbot, dialog)  # the typed amount stays when the total moves
    assert dialog.amount_edit.text() == "200"
    dialog.print_check.setChecked(False)
    dialog.save()
    qtbot.waitUntil(lambda: dialog.sale is not None, timeout=10_000)
    assert dialog.print_preview is None
    assert dialog.sale is not None
    order = get_order(uow=uow, actor=clerk, order_id=dialog.sale.order.id)
    assert order.paid_amount == D("200.00") and order.open_amount == D("1198.00")


def test_bad_input_is_marked_and_nothing_is_stored(
        qtbot: QtBot, make_context: MakeContext, clerk: Actor, uow: UnitOfWork,
        walk_in: int, toner: int, language: str) -> None:
    dialog = CounterSaleDialog(make_context(clerk, "storefront", language))
    qtbot.addWidget(dialog)
    dialog.show()

    def refused() -> None:
        dialog.save()
        qtbot.waitUntil(lambda: not dialog.is_busy)
        assert dialog.sale is None

    _add_toner(qtbot, dialog)
    refused()  # no customer
    assert dialog.field_error("customer_id") == (
        "请选择客户" if language == "zh" else "Please choose a customer")
    _choose_customer(qtbot, dialog, "鑫锐")
    dialog.amount_edit.setText("5000")
    dialog.amount_edit.textEdited.emit("5000")
    refused()  # more than the total
    assert "699.00" in dialog.field_error("payment_amount")
    dialog.amount_edit.setText("-5")
    refused()  # negative
    assert dialog.field_error("payment_amount")
    dialog.amount_edit.setText("699")
    dialog.lines.remove_current_line()
    assert dialog.lines.line_count() == 0
    refused()  # no lines
    assert dialog.lines.errors_label.isVisible()
    assert _counts(uow) == (0, 0, 0, 0)


def test_a_role_that_may_not_sell_stores_nothing(
        qtbot: QtBot, make_context: MakeContext, technician: Actor, uow: UnitOfWork,
        walk_in: int, toner: int, monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[BaseException] = []
    monkeypatch.setattr("app.ui.kit.record_dialog.show_error",
                        lambda _parent, error: shown.append(error))
    dialog = CounterSaleDialog(make_context(technician, "repair"))
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.save_button.isEnabled()  # the form says so before asking
    dialog.lines.add_line("上门安装", D("100"))
    dialog.customer.offer(walk_in, "北京鑫锐科技有限公司")
    dialog.save()  # Ctrl+S still reaches the service, which refuses
    qtbot.waitUntil(lambda: not dialog.is_busy and bool(shown))
    assert type(shown[0]).__name__ == "PermissionDenied"
    assert _counts(uow) == (0, 0, 0, 0)


# --- the bugs: the open amount and the payment dialog's amount ----------------------------


def test_a_new_order_shows_its_total_open_and_the_payment_starts_there(
        qtbot: QtBot, make_context: MakeContext, clerk: Actor, uow: UnitOfWork,
        walk_in: int, toner: int) -> None:
    ctx = make_context(clerk, "storefront", "zh")
    draft = create_order(uow=uow, actor=clerk, draft=OrderDraft(
        customer_id=walk_in, lines=(OrderLineDraft(product_id=toner),)))
    shown = OrderDialog(ctx, draft.id)
    qtbot.addWidget(shown)
    qtbot.waitUntil(lambda: shown.view is not None)
    assert shown.open_value.text() == "¥699.00"  # was ¥0.00

    credit = sell_at_counter(uow=uow, actor=clerk, payment=None, draft=OrderDraft(
        customer_id=walk_in, lines=(OrderLineDraft(product_id=toner),))).order
    # Given nothing (or an old amount), the dialog reads what is open now.
    payment = PaymentDialog(ctx, customer_id=walk_in, customer_name="北京鑫锐科技有限公司",
                            order_id=credit.id, order_number=credit.number)
    qtbot.addWidget(payment)
    qtbot.waitUntil(lambda: payment.amount_edit.text() == "699.00")
    assert "699.00" in payment.allocation_label.text()
    order = OrderDialog(ctx, credit.id)
    qtbot.addWidget(order)
    qtbot.waitUntil(lambda: order.view is not None)
    dialog = order.record_payment()
    assert isinstance(dialog, PaymentDialog)
    qtbot.addWidget(dialog)
    assert dialog.amount_edit.text() == "699.00"


# --- the payments list ---------------------------------------------------------------------


def _sales(uow: UnitOfWork, clerk: Actor, walk_in: int, toner: int) -> list[Any]:
    other = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(
        name="海淀区实验小学", source=CustomerSource.PHONE)).id
    made = []
    for customer, amount in ((walk_in, "100"), (other, "699"), (walk_in, "350.50")):
        made.append(sell_at_counter(uow=uow, actor=clerk, draft=OrderDraft(
            customer_id=customer, lines=(OrderLineDraft(product_id=toner),)),
            payment=CounterPayment(amount=amount)).payment)
    return made


def test_the_payments_list_shows_sorts_searches_and_prints_receipts(
        qtbot: QtBot, qtmodeltester: Any, make_context: MakeContext, clerk: Actor,
        uow: UnitOfWork, walk_in: int, toner: int, monkeypatch: pytest.MonkeyPatch) -> None:
    paid = _sales(uow, clerk, walk_in, toner)
    from app.models.enums import Module
    from app.ui.shell.pages import page_factories
    ctx = make_context(clerk, "storefront", "zh")
    holder = page_factories()[Module.PAYMENTS](ctx, None)
    assert isinstance(holder, PaymentsPage)
    qtbot.addWidget(holder)
    holder.show()
    page = holder.payments
    assert isinstance(page, PaymentListPage)
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)
    qtmodeltester.check(page.model)  # type: ignore[attr-defined]
    amount = [c.key for c in page.model.columns].index("amount")
    customer = [c.key for c in page.model.columns].index("customer")

    def shown(column: int) -> list[str]:
        return [page.model.index(r, column).data() for r in range(page.model.rowCount())]

    assert shown(amount) == ["¥350.50", "¥699.00", "¥100.00"]  # newest first
    assert set(shown(customer)) == {"北京鑫锐科技有限公司", "海淀区实验小学"}
    page.model.sort(amount, Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: shown(amount) == ["¥100.00", "¥350.50", "¥699.00"])
    page.search_edit.setText("hdq")
    page.refresh()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert shown(customer) == ["海淀区实验小学"]
    page.search_edit.setText(paid[0].number)
    page.refresh()
    qtbot.waitUntil(lambda: shown(amount) == ["¥100.00"])
    page.search_edit.clear()
    page.period_combo.setCurrentIndex(page.period_combo.findData("last_month"))
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)
    page.period_combo.setCurrentIndex(page.period_combo.findData("today"))
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)

    printed: list[tuple[str, list[int]]] = []
    monkeypatch.setattr("app.ui.print_preview.open_print_preview",
                        lambda _ctx, kind, ids, _parent=None: printed.append((kind, ids)))
    assert page.receipt_button.isVisible()
    page.print_receipt()
    assert printed == []  # nothing selected: it says so
    page.table.selectRow(0)
    page.receipt_button.click()
    assert printed == [("receipt", [page.model.row_id(0)])]


# --- how they look -------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(1280, 800), (1440, 900)])
def test_counter_screens_render_in_chinese(
        qtbot: QtBot, make_context: MakeContext, clerk: Actor, uow: UnitOfWork,
        walk_in: int, toner: int, size: tuple[int, int]) -> None:
    from app.ui.i18n import install_translator
    install_translator(QApplication.instance(), "zh")  # type: ignore[arg-type]
    from app import i18n
    i18n.set_language("zh")
    try:
        _sales(uow, clerk, walk_in, toner)
        ctx = make_context(clerk, "storefront", "zh")
        width, height = size
        SHOTS_DIR.mkdir(parents=True, exist_ok=True)
        dialog = CounterSaleDialog(ctx)
        qtbot.addWidget(dialog)
        dialog.resize(min(width - 80, 1100), min(height - 80, 700))
        dialog.show()
        _choose_customer(qtbot, dialog, "鑫锐")
        _add_toner(qtbot, dialog, "2")
        dialog.lines.set_cell(0, "discount_percent", "5")
        qtbot.wait(50)
        assert clipped_texts(dialog) == []
        dialog.grab().save(str(SHOTS_DIR / f"counter_sale_zh_{width}.png"))

        pages: list[tuple[QWidget, str]] = []
        orders = OrderListPage(ctx)
        payments = PaymentsPage(ctx)
        for widget, name in ((orders, "orders"), (payments, "payments")):
            qtbot.addWidget(widget)
            widget.resize(width - 200, height - 80)  # beside the navigator
            widget.show()
            pages.append((widget, name))
        qtbot.waitUntil(lambda: orders.model.rowCount() == 3
                        and payments.payments.model.rowCount() == 3)
        for widget, name in pages:
            assert clipped_texts(widget) == []
            widget.grab().save(str(SHOTS_DIR / f"counter_{name}_zh_{width}.png"))
    finally:
        install_translator(QApplication.instance(), "en")  # type: ignore[arg-type]
        i18n.set_language("en")

"""Quotation → order → payment through the dialogs, cost hiding, print preview, openers."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal as D
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.models.enums import (
    CustomerSource,
    Module,
    OrderStatus,
    ProductCategory,
    QuotationStatus,
)
from app.services.catalog import ProductDraft, create_product
from app.services.customers import CustomerDraft, create_customer
from app.services.permissions import Actor
from app.services.sales import (
    OrderDraft,
    OrderLineDraft,
    create_order,
    get_order,
    get_quotation,
    transition_order,
)
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.formatting import format_yuan
from app.ui.print_preview import PrintPreviewDialog
from app.ui.sales.order_dialog import OrderDialog
from app.ui.sales.payment_dialog import PaymentDialog, PaymentSummaryDialog
from app.ui.sales.quotation_dialog import QuotationDialog
from app.ui.shell.record_openers import record_openers
from tests.ui.conftest import SHOTS_DIR, clipped_texts

MakeContext = Callable[..., AppContext]


@pytest.fixture
def catalog(uow: UnitOfWork, manager: Actor) -> dict[str, int]:
    def make(sku: str, name: str, cost: str, price: str, unit: str = "台") -> int:
        return create_product(uow=uow, actor=manager, draft=ProductDraft(
            sku=sku, name=name, category=ProductCategory.PRINTER, unit=unit,
            cost_price=D(cost), list_price=D(price), sales_points=D("1.00"))).id

    return {"printer": make("HP-M404DN", "惠普激光打印机 M404dn", "1000.00", "1234.56"),
            "toner": make("HP-CF226A", "惠普硒鼓 CF226A", "80.00", "199.00", "支")}


@pytest.fixture
def customer(uow: UnitOfWork, sales_user: Actor) -> int:
    return create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京鑫锐科技有限公司", source=CustomerSource.REFERRAL)).id


def _show(qtbot: QtBot, dialog: object) -> None:
    qtbot.addWidget(dialog)  # type: ignore[arg-type]
    dialog.show()  # type: ignore[attr-defined]


def _idle(qtbot: QtBot, dialog: object) -> None:
    qtbot.waitUntil(lambda: dialog.view is not None and not dialog.is_busy)  # type: ignore[attr-defined]


def _pick(qtbot: QtBot, dialog: QuotationDialog | OrderDialog, text: str) -> None:
    lines = dialog.lines
    lines.product_search.setText(text)
    lines.search_products()
    qtbot.waitUntil(lambda: lines.product_results.count() > 0
                    and lines.product_results.itemData(0) is not None)
    lines.add_selected_product()


def make_quotation(qtbot: QtBot, ctx: AppContext, customer: int) -> QuotationDialog:
    dialog = QuotationDialog(ctx, customer_id=customer)
    _show(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.customer_label.text() == "北京鑫锐科技有限公司")
    _pick(qtbot, dialog, "HP-M404")
    row = dialog.lines.line_count() - 1
    dialog.lines.set_cell(row, "quantity", "3")
    dialog.lines.set_cell(row, "discount_percent", "7.5")
    # 1234.56 × 3 × 92.5 % = 3425.904 → 3425.90, live before saving
    assert dialog.lines.cell_text(row, "line_total") == "¥3,425.90"
    dialog.lines.add_line("上门安装调试", D("150"))
    assert dialog.lines.total() == D("3575.90")
    dialog.terms_edit.setText("含税价，送货上门")
    dialog.save()
    _idle(qtbot, dialog)
    return dialog


def test_quotation_is_made_converted_and_paid_through_the_dialogs(
    qtbot: QtBot, make_context: MakeContext, sales_user: Actor, uow: UnitOfWork,
    catalog: dict[str, int], customer: int,
) -> None:
    ctx = make_context(sales_user, "key_accounts")
    dialog = make_quotation(qtbot, ctx, customer)
    assert dialog.view is not None
    saved = get_quotation(uow=uow, actor=sales_user, quotation_id=dialog.view.id)
    assert saved.total_amount == D("3575.90") and len(saved.lines) == 2
    assert dialog.lines.total_label.text().endswith(format_yuan(saved.total_amount))
    assert dialog.lines.total() == saved.total_amount
    assert saved.terms == "含税价，送货上门"
    assert not dialog.convert_button.isVisible()

    dialog.status_buttons[QuotationStatus.SENT].click()
    qtbot.waitUntil(lambda: dialog.view.status is QuotationStatus.SENT and not dialog.is_busy)
    assert not dialog.save_button.isVisible()  # only a draft is edited
    dialog.status_buttons[QuotationStatus.ACCEPTED].click()
    qtbot.waitUntil(lambda: dialog.view.status is QuotationStatus.ACCEPTED
                    and not dialog.is_busy)
    assert dialog.convert_button.isVisible()
    dialog.convert_button.click()
    qtbot.waitUntil(lambda: isinstance(dialog.opened_order, OrderDialog))
    order_dialog = dialog.opened_order
    assert isinstance(order_dialog, OrderDialog)
    qtbot.addWidget(order_dialog)
    _idle(qtbot, order_dialog)
    qtbot.waitUntil(lambda: dialog.view.status is QuotationStatus.CONVERTED)
    order = get_order(uow=uow, actor=sales_user, order_id=order_dialog.view.id)
    assert order.quotation_id == saved.id and order.total_amount == D("3575.90")
    assert order_dialog.total_value.text() == "¥3,575.90"

    # Confirm, then a partial payment allocated to this order.
    order_dialog.status_buttons[OrderStatus.CONFIRMED].click()
    qtbot.waitUntil(lambda: order_dialog.view.status is OrderStatus.CONFIRMED
                    and not order_dialog.is_busy)
    assert order_dialog.payment_button.isVisible()
    payment = order_dialog.record_payment()
    assert isinstance(payment, PaymentDialog)
    assert payment.amount_edit.text() == "3575.90"
    payment.amount_edit.setText("5000")  # more than is open: refused at the field
    payment.submit()
    qtbot.waitUntil(lambda: not payment.is_busy)
    assert "3,575.90" in payment.field_error("amount")
    assert get_order(uow=uow, actor=sales_user, order_id=order.id).paid_amount == 0
    payment.amount_edit.setText("1000.50")
    payment.submit()
    qtbot.waitUntil(lambda: payment.payment is not None)
    assert get_order(uow=uow, actor=sales_user, order_id=order.id).paid_amount == D("1000.50")
    qtbot.waitUntil(lambda: order_dialog.open_value.text() == "¥2,575.40")
    assert order_dialog.paid_value.text() == "¥1,000.50"


def test_bad_lines_are_marked_in_place(
    qtbot: QtBot, make_context: MakeContext, sales_user: Actor, customer: int,
) -> None:
    dialog = QuotationDialog(make_context(sales_user), customer_id=customer)
    _show(qtbot, dialog)
    dialog.lines.add_line("", None)
    dialog.save()
    qtbot.waitUntil(dialog.lines.errors_label.isVisible)
    assert dialog.view is None
    assert "Row 1" in dialog.lines.errors_label.text()


def _order_for(uow: UnitOfWork, actor: Actor, catalog: dict[str, int]) -> int:
    customer = create_customer(uow=uow, actor=actor, draft=CustomerDraft(
        name="海淀零售客户", source=CustomerSource.WALK_IN)).id
    return create_order(uow=uow, actor=actor, draft=OrderDraft(customer_id=customer, lines=(
        OrderLineDraft(product_id=catalog["toner"], quantity=2),))).id


def test_clerk_sees_no_cost_or_margin_while_the_manager_does(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, manager: Actor,
    uow: UnitOfWork, catalog: dict[str, int],
) -> None:
    order_id = _order_for(uow, clerk, catalog)
    seen = OrderDialog(make_context(clerk, "storefront"), order_id)
    _show(qtbot, seen)
    _idle(qtbot, seen)
    assert seen.view.gross_margin is None
    assert not seen.margin_value.isVisible() and not seen.cost_value.isVisible()
    assert not seen.lines.cost_visible()
    assert "80" not in seen.lines.cell_text(0, "unit_cost") or not seen.lines.cost_visible()

    full = OrderDialog(make_context(manager, "manager_office"), order_id)
    _show(qtbot, full)
    _idle(qtbot, full)
    assert full.margin_value.isVisible() and full.margin_value.text() == "¥238.00"
    assert full.lines.cost_visible()


def test_print_preview_loads_the_slip_and_prints_it(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, uow: UnitOfWork,
    catalog: dict[str, int], tmp_path: Path,
) -> None:
    order_id = _order_for(uow, clerk, catalog)
    second = _order_for(uow, clerk, catalog)
    preview = PrintPreviewDialog(make_context(clerk), "order", [order_id, second])
    _show(qtbot, preview)
    # It starts loading as it is made: it may be loaded by the time it is shown.
    qtbot.waitUntil(lambda: preview.document.pageCount() >= 1, timeout=20_000)
    assert preview.document_combo.count() == 2
    with qtbot.waitSignal(preview.loaded, timeout=20_000):
        preview.set_page_size("A5")
    assert preview.document.pageCount() >= 1 and "A5" in preview.files[0].name
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert preview.print_to(printer) >= 2  # both documents
    assert (tmp_path / "printed.pdf").stat().st_size > 1000
    preview.save_pdf(str(tmp_path / "saved.pdf"))
    assert (tmp_path / "saved.pdf").read_bytes()[:4] == b"%PDF"


def test_timeline_openers_open_the_sales_dialogs(
    qtbot: QtBot, make_context: MakeContext, sales_user: Actor, uow: UnitOfWork,
    catalog: dict[str, int],
) -> None:
    order_id = _order_for(uow, sales_user, catalog)
    ctx = make_context(sales_user)
    openers = record_openers()
    for kind in ("quotation", "order", "payment"):
        assert kind in openers
    opener = openers.opener_for("order")
    assert opener is not None
    dialog = opener(ctx, order_id, None)
    assert isinstance(dialog, OrderDialog)
    qtbot.addWidget(dialog)
    _idle(qtbot, dialog)
    assert dialog.number_label.text() == dialog.view.number

    made = get_order(uow=uow, actor=sales_user, order_id=order_id)
    transition_order(uow=uow, actor=sales_user, order_id=order_id,
                     expected_version=made.version, to=OrderStatus.CONFIRMED)
    from app.services.sales import record_payment
    paid = record_payment(uow=uow, actor=sales_user, customer_id=made.customer_id,
                          received_on=made.ordered_on, amount="100", method="cash",
                          allocations=[(order_id, "100")])
    pay_opener = openers.opener_for("payment")
    assert pay_opener is not None
    summary = pay_opener(ctx, paid.id, None)
    assert isinstance(summary, PaymentSummaryDialog)
    qtbot.addWidget(summary)
    qtbot.waitUntil(lambda: summary.payment is not None)
    assert "¥100.00" in summary.body.text()


# --- module pages ----------------------------------------------------------------------------


def test_quotation_and_order_pages_list_filter_and_open(
    qtbot: QtBot, qtmodeltester: object, make_context: MakeContext, sales_user: Actor,
    uow: UnitOfWork, catalog: dict[str, int],
) -> None:
    from app.ui.sales.list_pages import OrderListPage, QuotationListPage
    from app.ui.shell.pages import page_factories

    order_id = _order_for(uow, sales_user, catalog)
    ctx = make_context(sales_user)
    factories = page_factories()
    page = factories[Module.ORDERS](ctx, None)
    assert isinstance(page, OrderListPage)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    qtmodeltester.check(page.model)  # type: ignore[attr-defined]
    page.status_combo.setCurrentIndex(page.status_combo.findData(OrderStatus.CONFIRMED))
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)
    page.status_combo.setCurrentIndex(0)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    page.table.setCurrentIndex(page.model.index(0, 0))
    qtbot.keyClick(page, Qt.Key.Key_Return)
    dialogs = page.findChildren(OrderDialog)
    assert len(dialogs) == 1
    qtbot.waitUntil(lambda: dialogs[0].view is not None and dialogs[0].view.id == order_id)

    quotes = factories[Module.QUOTATIONS](ctx, None)
    assert isinstance(quotes, QuotationListPage)
    qtbot.addWidget(quotes)
    assert quotes.new_button.isVisibleTo(quotes)
    new = quotes.new_quotation()
    assert isinstance(new, QuotationDialog) and new.customer_search.isVisibleTo(new)
    new.customer_search.setText("海淀")
    new.search_customers()
    qtbot.waitUntil(lambda: new.customer_combo.currentData() is not None)


# --- screenshots -----------------------------------------------------------------------------


def _shot(widget: QWidget, name: str) -> None:
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    image = widget.grab().toImage()
    assert image.width() > 300 and image.height() > 200
    assert image.save(str(SHOTS_DIR / name))


def test_sales_screens_render(
    qtbot: QtBot, language: str, make_context: MakeContext, manager: Actor,
    sales_user: Actor, uow: UnitOfWork, catalog: dict[str, int], customer: int,
) -> None:
    dialog = make_quotation(qtbot, make_context(sales_user, "key_accounts", language),
                            customer)
    if language == "zh":
        assert dialog.windowTitle().startswith("报价单")
    assert clipped_texts(dialog) == []
    _shot(dialog, f"sales_quotation_{language}.png")

    order_id = _order_for(uow, sales_user, catalog)
    order = OrderDialog(make_context(manager, "manager_office", language), order_id)
    _show(qtbot, order)
    _idle(qtbot, order)
    assert clipped_texts(order) == []
    _shot(order, f"sales_order_{language}.png")

    preview = PrintPreviewDialog(make_context(sales_user, None, language), "order", [order_id])
    _show(qtbot, preview)
    qtbot.waitUntil(lambda: preview.document.pageCount() >= 1, timeout=20_000)
    qtbot.wait(200)
    _shot(preview, f"sales_print_preview_{language}.png")

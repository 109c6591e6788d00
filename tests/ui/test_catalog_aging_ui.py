"""Product catalog page and dialog, receivables aging page, a visit recorded from the 360 view."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from decimal import Decimal as D
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.models.enums import CustomerClass, CustomerSource, OrderStatus, ProductCategory
from app.services.catalog import ProductDraft, create_product, get_product
from app.services.customers import CustomerDetail
from app.services.permissions import Actor
from app.services.sales import (
    OrderDraft,
    OrderLineDraft,
    create_order,
    transition_order,
)
from app.services.uow import UnitOfWork
from app.ui.catalog.product_dialog import ProductDialog
from app.ui.catalog.products_page import ProductListPage
from app.ui.context import AppContext
from app.ui.customers.overview import CustomerOverviewPage
from app.ui.formatting import format_yuan
from app.ui.sales.aging_page import ReceivablesAgingPage
from app.ui.visits.record_visit_dialog import RecordVisitDialog
from tests.ui.conftest import SHOTS_DIR, clipped_texts

MakeContext = Callable[..., AppContext]


@pytest.fixture
def products(uow: UnitOfWork, manager: Actor) -> list[int]:
    made = []
    for sku, name, category, cost, price, unit in (
        ("HP-M404DN", "惠普激光打印机 M404dn", ProductCategory.PRINTER, "1000.00", "1899.00",
         "台"),
        ("HP-CF226A", "惠普硒鼓 CF226A", ProductCategory.CONSUMABLE, "80.00", "199.00", "支"),
        ("LN-M4000", "联想台式电脑 启天 M4000", ProductCategory.PC, "3200.00", "3999.00", "台"),
        ("SVC-ONSITE", "上门维修服务", ProductCategory.SERVICE, "0.00", "150.00", "次"),
    ):
        made.append(create_product(uow=uow, actor=manager, draft=ProductDraft(
            sku=sku, name=name, category=category, brand=name[:2], model=sku.split("-")[1],
            unit=unit, cost_price=D(cost), list_price=D(price), sales_points=D("2.50"))).id)
    return made


def _show(qtbot: QtBot, widget: QWidget, size: tuple[int, int] | None = None) -> None:
    qtbot.addWidget(widget)
    if size:
        widget.resize(*size)
    widget.show()


def _dialogs(kind: type) -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


# --- products ---------------------------------------------------------------------------------


def test_manager_creates_a_product_with_its_cost(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, manager: Actor,
    products: list[int],
) -> None:
    page = ProductListPage(make_context(manager))
    _show(qtbot, page, (1100, 500))
    qtbot.waitUntil(lambda: page.model.rowCount() == 4)
    assert page.cost_column_shown and page.new_button.isVisible()

    dialog = page.new_product()
    assert isinstance(dialog, ProductDialog)
    qtbot.waitUntil(lambda: dialog.loaded)
    assert dialog.cost_edit is not None
    dialog.sku_edit.setText("bad sku!")
    dialog.name_edit.setText("佳能硒鼓 CRG-337")
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.is_busy)
    assert dialog.field_error("sku")  # shown at the field, the dialog stays open
    dialog.sku_edit.setText("cn-crg337")
    dialog.category_combo.setCurrentIndex(
        dialog.category_combo.findData(ProductCategory.CONSUMABLE))
    dialog.unit_edit.setText("支")
    dialog.cost_edit.setText("120")
    dialog.list_price_edit.setText("¥268.00")
    dialog.points_edit.setText("3")
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.submit()
    assert saved.args is not None
    view = get_product(uow=uow, actor=manager, product_id=saved.args[0].id)
    assert (view.sku, view.cost_price, view.list_price, view.sales_points) == (
        "CN-CRG337", D("120.00"), D("268.00"), D("3.00"))
    qtbot.waitUntil(lambda: page.model.rowCount() == 5)

    # Enter on the row opens it; the field edited and saved.
    page.table.setFocus()
    sku_column = page.model.column_index("sku")
    assert sku_column is not None
    row = next(r for r in range(page.model.rowCount())  # products list by name's pinyin
               if page.model.index(r, sku_column).data() == "CN-CRG337")
    page.table.setCurrentIndex(page.model.index(row, 0))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(_dialogs(ProductDialog)) == 1)
    opened = _dialogs(ProductDialog)[0]
    assert isinstance(opened, ProductDialog)
    qtbot.waitUntil(lambda: opened.view is not None and not opened.is_busy)
    assert opened.sku_edit.text() == "CN-CRG337"
    opened.close()


def test_clerk_sees_no_cost_anywhere(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, products: list[int],
) -> None:
    page = ProductListPage(make_context(clerk))
    _show(qtbot, page, (1100, 500))
    qtbot.waitUntil(lambda: page.model.rowCount() == 4)
    assert not page.cost_column_shown
    assert not page.new_button.isVisible()
    page.search_edit.setText("hpxg")  # pinyin initials of 惠普硒鼓
    page.refresh()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)

    dialog = page.open_row(0)
    assert isinstance(dialog, ProductDialog)
    qtbot.waitUntil(lambda: dialog.view is not None and not dialog.is_busy)
    assert dialog.cost_edit is None
    assert dialog.findChild(QWidget, "cost_price_edit") is None
    assert not dialog.save_button.isVisible()
    assert dialog.draft().cost_price is None
    dialog.close()


# --- receivables aging ------------------------------------------------------------------------


@pytest.fixture
def open_order(uow: UnitOfWork, manager: Actor, sales_user: Actor, products: list[int],
               add_customer: Callable[..., CustomerDetail]) -> CustomerDetail:
    """A confirmed order dated 45 days ago, nothing paid."""
    customer = add_customer(sales_user, "北京鑫锐科技有限公司",
                            customer_class=CustomerClass.KEY_ACCOUNT,
                            source=CustomerSource.VISIT, contact="刘经理")
    order = create_order(uow=uow, actor=sales_user, draft=OrderDraft(
        customer_id=customer.id, ordered_on=dt.date.today() - dt.timedelta(days=45),
        lines=(OrderLineDraft(product_id=products[0], quantity=2),)))
    transition_order(uow=uow, actor=sales_user, order_id=order.id,
                     expected_version=order.version, to=OrderStatus.CONFIRMED)
    return customer


def test_aging_puts_the_open_amount_in_its_bucket(
    qtbot: QtBot, make_context: MakeContext, manager: Actor, open_order: CustomerDetail,
) -> None:
    page = ReceivablesAgingPage(make_context(manager))
    opened: list[int] = []
    page.customer_activated.connect(opened.append)
    _show(qtbot, page, (1000, 400))
    model = page.table.model()  # the customers, then the totals row
    qtbot.waitUntil(lambda: model.rowCount() == 2)  # the customer and the totals

    def cell(row: int, column: int) -> str:
        return str(model.index(row, column).data())

    amount = format_yuan(D("3798.00"))
    assert cell(0, 1) == "北京鑫锐科技有限公司"
    assert [cell(0, c) for c in range(2, 7)] == ["¥0.00", amount, "¥0.00", "¥0.00", amount]
    assert cell(1, 1) == "Total" and cell(1, 6) == amount

    # Enter on the customer asks for its 360 view; the totals row does nothing.
    page.table.setFocus()
    page.table.setCurrentIndex(model.index(0, 1))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert opened == [open_order.id]
    page.open_row(1)
    assert opened == [open_order.id]

    # As of 20 days ago the order was 25 days old.
    page.date_edit.setDate(page.date_edit.date().addDays(-20))
    qtbot.waitUntil(lambda: cell(0, 2) == amount)

    # Before the order there was nothing.
    page.date_edit.setDate(page.date_edit.date().addDays(-60))
    qtbot.waitUntil(lambda: model.rowCount() == 1 and page.message_label.text() != "Loading…")
    assert cell(0, 6) == "¥0.00"


# --- a visit from the 360 view ----------------------------------------------------------------


def test_recording_a_visit_from_the_overview_puts_it_in_the_timeline(
    qtbot: QtBot, make_context: MakeContext, sales_user: Actor, open_order: CustomerDetail,
) -> None:
    page = CustomerOverviewPage(make_context(sales_user), open_order.id)
    _show(qtbot, page, (1000, 640))
    qtbot.waitUntil(lambda: page.overview is not None)
    assert page.visit_button.isVisible()
    before = [e for e in page.overview.timeline if e.kind == "visit"]

    page.setFocus()
    qtbot.keyClick(page, Qt.Key.Key_V,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: len(_dialogs(RecordVisitDialog)) == 1)
    dialog = _dialogs(RecordVisitDialog)[0]
    assert isinstance(dialog, RecordVisitDialog)
    qtbot.waitUntil(lambda: dialog.contact_combo.count() == 2)
    dialog.save()  # no topic
    qtbot.waitUntil(lambda: not dialog.is_busy)
    assert dialog.boxes["purpose"].error
    dialog.contact_combo.setCurrentIndex(1)
    dialog.purpose_edit.setText("年度打印机集中采购")
    dialog.outcome_edit.setText("客户有意向，需要报价")
    dialog.next_step_edit.setText("下周发报价单")
    dialog.follow_up_edit.setText("7")
    with qtbot.waitSignal(page.loaded):
        dialog.save()
    assert dialog.visit is not None
    assert dialog.visit.follow_up_on == dt.date.today() + dt.timedelta(days=7)
    visits = [e for e in page.overview.timeline if e.kind == "visit"]
    assert len(visits) == len(before) + 1
    assert "年度打印机集中采购" in visits[0].text


def test_who_may_not_record_visits_has_no_button(
    qtbot: QtBot, make_context: MakeContext, technician: Actor, open_order: CustomerDetail,
) -> None:
    page = CustomerOverviewPage(make_context(technician), open_order.id)
    _show(qtbot, page)
    qtbot.waitUntil(lambda: not page.is_loading)
    assert not page.visit_button.isVisible()
    assert page.record_visit() is None


# --- screenshots ------------------------------------------------------------------------------


def _save(widget: QWidget, name: str) -> None:
    folder = Path(os.environ.get("STATIONCRM_SHOTS_DIR") or SHOTS_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    assert clipped_texts(widget) == []
    assert widget.grab().save(str(folder / name))


def test_screenshots(
    qtbot: QtBot, language: str, make_context: MakeContext, manager: Actor, clerk: Actor,
    open_order: CustomerDetail,
) -> None:
    page = ProductListPage(make_context(manager, language=language))
    _show(qtbot, page, (1180, 420))
    qtbot.waitUntil(lambda: page.model.rowCount() == 4)
    qtbot.wait(20)
    _save(page, f"products_{language}.png")

    for who, actor in (("manager", manager), ("clerk", clerk)):
        dialog = ProductDialog(make_context(actor, language=language), page.model.row_id(0))
        _show(qtbot, dialog)
        qtbot.waitUntil(lambda d=dialog: d.view is not None and not d.is_busy)
        dialog.adjustSize()
        qtbot.wait(20)
        _save(dialog, f"product_dialog_{who}_{language}.png")
        dialog.close()

    aging = ReceivablesAgingPage(make_context(manager, language=language))
    _show(qtbot, aging, (1000, 360))
    qtbot.waitUntil(lambda: aging.table.model().rowCount() == 2)
    qtbot.wait(20)
    _save(aging, f"aging_{language}.png")

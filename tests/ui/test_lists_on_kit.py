"""The product, opportunity, contract and receivables aging lists on the kit: a click on a
header reads them again in that order (or sorts them in memory, for the lists a service
returns whole), the status line gives the total, and a save in a form refreshes the open
list through the change bus, with nothing wired between them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal as D
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from pytestqt.qtbot import QtBot

from app.models.enums import (
    ContractKind,
    CustomerSource,
    OpportunityStage,
    OrderStatus,
    ProductCategory,
)
from app.services.catalog import ProductDraft, create_product
from app.services.contracts import ContractDraft, activate_contract, create_contract
from app.services.customers import CustomerDraft, DeviceDraft, create_customer
from app.services.opportunities import OpportunityDraft, create_opportunity
from app.services.paging import Sort
from app.services.permissions import Actor
from app.services.sales import (
    OrderDraft,
    OrderLineDraft,
    OrderView,
    create_order,
    transition_order,
)
from app.services.uow import UnitOfWork
from app.ui.catalog.product_dialog import ProductDialog
from app.ui.catalog.products_page import ProductListPage
from app.ui.context import AppContext
from app.ui.contracts.contract_dialog import ContractDialog
from app.ui.contracts.page import ContractListPage
from app.ui.kit.list_page import ListPage
from app.ui.kit.table import ID_ROLE
from app.ui.opportunities.opportunity_dialog import OpportunityDialog
from app.ui.opportunities.page import OpportunityListPage
from app.ui.sales.aging_page import ReceivablesAgingPage
from app.ui.sales.payment_dialog import PaymentDialog

MakeContext = Callable[..., AppContext]


def _loaded(qtbot: QtBot, page: ListPage, rows: int) -> None:
    """Wait until the list holds ``rows`` rows and reads nothing more."""
    qtbot.waitUntil(lambda: page.model.rowCount() == rows and not page.model.is_loading)


def _read_all(qtbot: QtBot, page: ListPage) -> None:
    model = page.model
    while model.canFetchMore(QModelIndex()):
        before = model.rowCount()
        model.fetchMore(QModelIndex())
        qtbot.waitUntil(lambda b=before: model.rowCount() > b or model.at_end)
    qtbot.waitUntil(lambda: not model.is_loading)


def _column(page: ListPage, key: str) -> list[Any]:
    model = page.model
    column = model.column_index(key)
    assert column is not None
    return [model.index(row, column).data() for row in range(model.rowCount())]


def _click_header(qtbot: QtBot, page: ListPage, key: str) -> None:
    """A real mouse click on the column's header (the page must be shown)."""
    column = page.model.column_index(key)
    assert column is not None
    header = page.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(x, header.height() // 2))


def _sort_by(page: ListPage, key: str, order: Qt.SortOrder) -> None:
    column = page.model.column_index(key)
    assert column is not None
    page.table.horizontalHeader().setSortIndicator(column, order)


# --- products ------------------------------------------------------------------------------

PRODUCTS = (  # sku, name, list price
    ("B-200", "乙打印机", "300.00"),
    ("A-100", "甲硒鼓", "1200.00"),
    ("D-400", "丁电脑", "50.00"),
    ("C-300", "丙服务", "800.00"),
)


@pytest.fixture
def products(uow: UnitOfWork, manager: Actor) -> dict[str, int]:
    return {sku: create_product(uow=uow, actor=manager, draft=ProductDraft(
        sku=sku, name=name, category=ProductCategory.CONSUMABLE, unit="台",
        cost_price=D("10.00"), list_price=D(price), sales_points=D("1"))).id
        for sku, name, price in PRODUCTS}


class _TwoProductsAPage(ProductListPage):
    page_size = 2


def test_products_sort_by_a_clicked_column_and_count_them(
    qtbot: QtBot, qtmodeltester: Any, make_context: MakeContext, manager: Actor,
    products: dict[str, int],
) -> None:
    page = _TwoProductsAPage(make_context(manager))
    qtbot.addWidget(page)
    _loaded(qtbot, page, 2)
    qtmodeltester.check(page.model)  # stays attached: checks every later signal too
    assert page.model.total == 4
    assert page.message_label.text() == "2 shown of 4"
    # The names' pinyin order at first: 丙 bing, 丁 ding (then 甲 jia, 乙 yi).
    assert _column(page, "sku") == ["C-300", "D-400"]

    _sort_by(page, "list_price", Qt.SortOrder.DescendingOrder)
    _loaded(qtbot, page, 2)
    assert page.model.current_sort == Sort("list_price", descending=True)
    assert page.message_label.text() == "2 shown of 4"
    _read_all(qtbot, page)
    assert _column(page, "sku") == ["A-100", "C-300", "B-200", "D-400"]
    assert page.message_label.text() == "4 shown"

    _sort_by(page, "name", Qt.SortOrder.AscendingOrder)
    _loaded(qtbot, page, 2)
    _read_all(qtbot, page)
    assert _column(page, "name") == ["丙服务", "丁电脑", "甲硒鼓", "乙打印机"]  # by pinyin


def test_a_header_click_sorts_the_products_and_a_second_click_turns_the_order(
    qtbot: QtBot, make_context: MakeContext, manager: Actor, products: dict[str, int],
) -> None:
    page = ProductListPage(make_context(manager))
    qtbot.addWidget(page)
    page.resize(1100, 400)
    page.show()
    _loaded(qtbot, page, 4)
    _click_header(qtbot, page, "list_price")
    qtbot.waitUntil(lambda: page.model.current_sort == Sort("list_price"))
    _loaded(qtbot, page, 4)
    assert _column(page, "sku") == ["D-400", "B-200", "C-300", "A-100"]
    _click_header(qtbot, page, "list_price")
    qtbot.waitUntil(lambda: page.model.current_sort == Sort("list_price", descending=True))
    _loaded(qtbot, page, 4)
    assert _column(page, "sku") == ["A-100", "C-300", "B-200", "D-400"]


def test_a_saved_product_refreshes_the_open_list_through_the_change_bus(
    qtbot: QtBot, make_context: MakeContext, manager: Actor, products: dict[str, int],
) -> None:
    ctx = make_context(manager)
    page = ProductListPage(ctx)
    qtbot.addWidget(page)
    _loaded(qtbot, page, 4)
    # A card opened elsewhere (the timeline, a second window): nothing connects it to the
    # list but the context's change bus.
    dialog = ProductDialog(ctx, products["C-300"])
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.view is not None and not dialog.is_busy)
    dialog.name_edit.setText("丙上门服务")
    dialog.submit()
    qtbot.waitUntil(lambda: "丙上门服务" in _column(page, "name"))
    assert ctx.changes.published[-1] == ("product", products["C-300"])


# --- opportunities -------------------------------------------------------------------------

OPPORTUNITIES = (  # title, expected amount, probability
    ("机房UPS更换", "58000.00", 30),
    ("复印机租赁", "12000.00", 50),
    ("网络布线改造", "36000.00", 10),
    ("激光打印机更新", "24000.00", 70),
)


@pytest.fixture
def opportunities(uow: UnitOfWork, sales_user: Actor) -> dict[str, int]:
    customer = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京鑫锐科技有限公司", source=CustomerSource.REFERRAL)).id
    return {title: create_opportunity(uow=uow, actor=sales_user, draft=OpportunityDraft(
        customer_id=customer, title=title, expected_amount=D(amount),
        probability=probability)).id
        for title, amount, probability in OPPORTUNITIES}


class _TwoOpportunitiesAPage(OpportunityListPage):
    page_size = 2


def test_opportunities_sort_by_a_clicked_column_and_count_them(
    qtbot: QtBot, qtmodeltester: Any, make_context: MakeContext, sales_user: Actor,
    opportunities: dict[str, int],
) -> None:
    page = _TwoOpportunitiesAPage(make_context(sales_user, "key_accounts"))
    qtbot.addWidget(page)
    _loaded(qtbot, page, 2)
    qtmodeltester.check(page.model)
    assert page.message_label.text() == "2 shown of 4"
    assert _column(page, "title") == ["激光打印机更新", "网络布线改造"]  # newest first

    _sort_by(page, "expected_amount", Qt.SortOrder.AscendingOrder)
    _loaded(qtbot, page, 2)
    assert page.model.current_sort == Sort("expected_amount")
    assert page.message_label.text() == "2 shown of 4"
    _read_all(qtbot, page)
    assert _column(page, "title") == ["复印机租赁", "激光打印机更新", "网络布线改造",
                                      "机房UPS更换"]

    _sort_by(page, "probability", Qt.SortOrder.DescendingOrder)
    _loaded(qtbot, page, 2)
    _read_all(qtbot, page)
    assert _column(page, "probability") == ["70%", "50%", "30%", "10%"]


def test_a_saved_opportunity_refreshes_the_list_and_the_board_through_the_change_bus(
    qtbot: QtBot, make_context: MakeContext, sales_user: Actor,
    opportunities: dict[str, int],
) -> None:
    ctx = make_context(sales_user, "key_accounts")
    page = OpportunityListPage(ctx)
    qtbot.addWidget(page)
    _loaded(qtbot, page, 4)
    qtbot.waitUntil(lambda: page.board is not None and page.board.open_count == 4)
    dialog = OpportunityDialog(ctx, opportunities["复印机租赁"])
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.view is not None and not dialog.is_busy)
    dialog.amount_edit.setText("99000")
    dialog.save()
    qtbot.waitUntil(lambda: "¥99,000.00" in _column(page, "expected_amount"))
    qtbot.waitUntil(lambda: page.board is not None
                    and page.board.open_amount == D("217000.00"))
    assert ctx.changes.published[-1] == ("opportunity", opportunities["复印机租赁"])


def test_enter_on_the_board_opens_the_card_not_the_lists_current_row(
    qtbot: QtBot, make_context: MakeContext, sales_user: Actor,
    opportunities: dict[str, int], monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = OpportunityListPage(make_context(sales_user, "key_accounts"))
    qtbot.addWidget(page)
    page.show()
    _loaded(qtbot, page, 4)
    opened: list[int] = []
    monkeypatch.setattr(page, "open_record", opened.append)
    page.table.setCurrentIndex(page.model.index(0, 0))
    page.tabs.setCurrentWidget(page.board_widget)
    cards = page.columns_by_stage[OpportunityStage.NEW].cards
    qtbot.waitUntil(lambda: cards.count() == 4)
    cards.setFocus()
    cards.setCurrentRow(1)
    qtbot.keyClick(cards, Qt.Key.Key_Return)
    qtbot.wait(50)
    assert opened == [cards.item(1).data(ID_ROLE)]


# --- contracts -----------------------------------------------------------------------------


@pytest.fixture
def lead(make_user: Callable[..., Actor]) -> Actor:
    return make_user("lead1", "repair_lead", "repair")


@pytest.fixture
def contracts(uow: UnitOfWork, lead: Actor) -> dict[str, int]:
    """Three contracts of one customer: fee, days until their end, active or not."""
    customer = create_customer(uow=uow, actor=lead, draft=CustomerDraft(
        name="北京鑫锐科技有限公司", devices=(DeviceDraft(
            brand="理光", model="MP 2014", serial_number="RC2014-0001"),)))
    today = dt.date.today()
    made = {}
    for name, fee, ends_in, active in (("soon", "6000.00", 20, True),
                                        ("late", "900.00", 200, True),
                                        ("draft", "12000.00", 90, False)):
        view = create_contract(uow=uow, actor=lead, draft=ContractDraft(
            customer_id=customer.id, kind=ContractKind.FULL_SERVICE,
            starts_on=today - dt.timedelta(days=300),
            ends_on=today + dt.timedelta(days=ends_in), fee=D(fee),
            device_ids=(customer.devices[0].id,)))
        if active:
            activate_contract(uow=uow, actor=lead, contract_id=view.id,
                              expected_version=view.version)
        made[name] = view.id
    return made


class _TwoContractsAPage(ContractListPage):
    page_size = 2


def test_contracts_sort_on_the_server_by_any_column_and_count_them(
    qtbot: QtBot, qtmodeltester: Any, make_context: MakeContext, lead: Actor,
    contracts: dict[str, int],
) -> None:
    page = _TwoContractsAPage(make_context(lead, "repair"))
    qtbot.addWidget(page)
    _loaded(qtbot, page, 2)
    qtmodeltester.check(page.model)
    # More than a page: the total is counted, and the note counts the contracts shown.
    assert page.model.total == 3
    assert page.message_label.text() == "2 shown of 3"
    assert [page.model.row_id(row) for row in range(2)] == [
        contracts["late"], contracts["draft"]]  # latest end first
    _read_all(qtbot, page)
    assert page.model.row_id(2) == contracts["soon"]
    assert page.message_label.text() == "3 shown · 1 expiring soon"

    _sort_by(page, "fee", Qt.SortOrder.AscendingOrder)  # as amounts, not as texts
    _loaded(qtbot, page, 2)
    assert page.model.current_sort == Sort("fee")
    assert page.message_label.text() == "2 shown of 3 · 1 of them expiring soon"
    _read_all(qtbot, page)
    assert _column(page, "fee") == ["¥900.00", "¥6,000.00", "¥12,000.00"]
    _sort_by(page, "fee", Qt.SortOrder.DescendingOrder)
    _loaded(qtbot, page, 2)
    _read_all(qtbot, page)
    assert _column(page, "fee") == ["¥12,000.00", "¥6,000.00", "¥900.00"]
    _sort_by(page, "status", Qt.SortOrder.AscendingOrder)  # in the lifecycle's order
    _loaded(qtbot, page, 2)
    _read_all(qtbot, page)
    assert _column(page, "status") == ["Draft", "Active", "Active"]
    assert page.message_label.text() == "3 shown · 1 expiring soon"

    page.expiring_check.setChecked(True)  # read again, still in the order chosen
    _loaded(qtbot, page, 1)
    assert page.model.current_sort == Sort("status")
    assert page.model.row_id(0) == contracts["soon"]
    assert page.message_label.text() == "1 shown · 1 expiring soon"


def test_a_saved_or_renewed_contract_refreshes_the_list_through_the_change_bus(
    qtbot: QtBot, make_context: MakeContext, lead: Actor, contracts: dict[str, int],
) -> None:
    ctx = make_context(lead, "repair")
    page = ContractListPage(ctx)
    qtbot.addWidget(page)
    _loaded(qtbot, page, 3)
    dialog = ContractDialog(ctx, contracts["draft"])
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.view is not None and not dialog.is_busy)
    dialog.fee_edit.setText("15000")
    dialog.save()
    qtbot.waitUntil(lambda: "¥15,000.00" in _column(page, "fee"))

    renewing = ContractDialog(ctx, contracts["soon"])
    qtbot.addWidget(renewing)
    qtbot.waitUntil(lambda: renewing.view is not None and not renewing.is_busy)
    renewing.renew()
    qtbot.waitUntil(lambda: renewing.renewed_dialog is not None
                    and renewing.renewed_dialog.view is not None)
    renewed = renewing.renewed_dialog
    assert renewed is not None and renewed.view is not None
    qtbot.addWidget(renewed)
    _loaded(qtbot, page, 4)
    assert renewed.view.id in [page.model.row_id(row) for row in range(4)]
    assert ("contract", renewed.view.id) in ctx.changes.published


# --- receivables aging ---------------------------------------------------------------------


@pytest.fixture
def owing(uow: UnitOfWork, manager: Actor, sales_user: Actor) -> dict[str, OrderView]:
    """Two customers with a confirmed, unpaid order each: 甲 owes 100.00 (10 days old),
    乙 owes 3 000.00 (50 days old)."""
    product = create_product(uow=uow, actor=manager, draft=ProductDraft(
        sku="SVC-1", name="上门服务", category=ProductCategory.SERVICE, unit="次",
        cost_price=D("0.00"), list_price=D("100.00"), sales_points=D("0")))
    made = {}
    for name, quantity, age in (("甲公司", 1, 10), ("乙公司", 30, 50)):
        customer = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name=name))
        order = create_order(uow=uow, actor=sales_user, draft=OrderDraft(
            customer_id=customer.id, ordered_on=dt.date.today() - dt.timedelta(days=age),
            lines=(OrderLineDraft(product_id=product.id, quantity=quantity),)))
        made[name] = transition_order(uow=uow, actor=sales_user, order_id=order.id,
                                      expected_version=order.version,
                                      to=OrderStatus.CONFIRMED)
    return made


class _OneCustomerAPage(ReceivablesAgingPage):
    page_size = 1  # the service returns every customer at once all the same


def _shown(page: ReceivablesAgingPage, column: int) -> list[str]:
    model = page.table.model()
    return [model.index(row, column).data() for row in range(model.rowCount())]


def test_aging_sorts_by_any_column_and_keeps_the_totals_row_last(
    qtbot: QtBot, qtmodeltester: Any, make_context: MakeContext, manager: Actor,
    owing: dict[str, OrderView],
) -> None:
    page = _OneCustomerAPage(make_context(manager))
    qtbot.addWidget(page)
    _loaded(qtbot, page, 2)
    qtmodeltester.check(page.model)
    qtmodeltester.check(page.table.model())  # the customers and the totals row
    assert page.message_label.text() == "2 customers owe ¥3,100.00"
    assert _shown(page, 1) == ["甲公司", "乙公司", "Total"]  # pinyin: jia, yi

    _sort_by(page, "total", Qt.SortOrder.DescendingOrder)  # as amounts, not as texts
    assert _shown(page, 1) == ["乙公司", "甲公司", "Total"]
    assert _shown(page, 6) == ["¥3,000.00", "¥100.00", "¥3,100.00"]
    _sort_by(page, "days_0_30", Qt.SortOrder.DescendingOrder)
    assert _shown(page, 1) == ["甲公司", "乙公司", "Total"]
    _sort_by(page, "customer", Qt.SortOrder.DescendingOrder)
    assert _shown(page, 1) == ["乙公司", "甲公司", "Total"]
    assert page.message_label.text() == "2 customers owe ¥3,100.00"

    # Enter on a sorted row opens that customer.
    opened: list[int] = []
    page.customer_activated.connect(opened.append)
    page.open_row(0)
    page.open_row(2)  # the totals row: nothing
    assert opened == [owing["乙公司"].customer_id]


def test_a_recorded_payment_refreshes_the_aging_through_the_change_bus(
    qtbot: QtBot, make_context: MakeContext, manager: Actor, owing: dict[str, OrderView],
) -> None:
    ctx = make_context(manager)
    page = ReceivablesAgingPage(ctx)
    qtbot.addWidget(page)
    _loaded(qtbot, page, 2)
    order = owing["乙公司"]
    dialog = PaymentDialog(ctx, customer_id=order.customer_id,
                           customer_name=order.customer_name, order_id=order.id,
                           order_number=order.number, open_amount=order.open_amount)
    qtbot.addWidget(dialog)
    dialog.amount_edit.setText("1000")
    dialog.submit()
    qtbot.waitUntil(lambda: page.message_label.text() == "2 customers owe ¥2,100.00")
    assert _shown(page, 6) == ["¥100.00", "¥2,000.00", "¥2,100.00"]
    assert dialog.payment is not None
    assert ctx.changes.published[-1] == ("payment", dialog.payment.id)

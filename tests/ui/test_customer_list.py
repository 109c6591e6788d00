"""The customer list: lazy keyset paging, debounced search, data scope, remembered columns."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QIcon
from pytestqt.qtbot import QtBot

from app.models import User
from app.models.enums import CustomerClass
from app.services.customers import CustomerDetail
from app.services.permissions import Actor
from app.ui.context import AppContext
from app.ui.customers import list_page
from app.ui.customers.list_model import (
    CUSTOMER_ID_ROLE,
    RESTRICTED_ROLE,
    Column,
    CustomerListModel,
    CustomerQuery,
)
from app.ui.customers.list_page import CustomerListPage
from tests.ui.conftest import SHOTS_DIR, clipped_texts

AddCustomer = Callable[..., CustomerDetail]
MakeContext = Callable[..., AppContext]

# Pinyin sorting puts 北京… (b) before 上海… (s) and the numbered 客户… (k) in between.
XINRUI = "北京鑫锐科技有限公司"


def _fill(add_customer: AddCustomer, actor: Actor, count: int) -> None:
    for i in range(count):
        add_customer(actor, f"客户{i:03d}号贸易公司", phone=f"139{i:08d}")


def _page(qtbot: QtBot, ctx: AppContext, **kwargs: Any) -> CustomerListPage:
    page = CustomerListPage(ctx, **kwargs)
    qtbot.addWidget(page)
    page.resize(1000, 400)
    return page


def _names(model: CustomerListModel) -> list[str]:
    return [model.index(r, Column.NAME).data() for r in range(model.rowCount())]


@pytest.fixture
def counted_searches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The text of every search_customers call the list page makes."""
    calls: list[str] = []
    real = list_page.search_customers

    def counting(**kwargs: Any) -> Any:
        calls.append(kwargs["text"])
        return real(**kwargs)

    monkeypatch.setattr(list_page, "search_customers", counting)
    return calls


def test_the_list_grows_page_by_page_as_the_view_asks(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, add_customer: AddCustomer,
    counted_searches: list[str],
) -> None:
    _fill(add_customer, clerk, 250)
    page = _page(qtbot, make_context(clerk, "storefront"), page_size=50)
    model = page.model

    qtbot.waitUntil(lambda: model.rowCount() == 50)  # one page first: shown at once
    assert model.canFetchMore(QModelIndex())
    # …then counted apart (one row and the count), and the status line gives the total.
    qtbot.waitUntil(lambda: model.total == 250)
    assert page.status_label.text() == "Customers shown: 50 of 250 (scroll down for more)"

    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())  # a second call while the page is on its way is ignored
    qtbot.waitUntil(lambda: model.rowCount() == 150)  # then two pages, then four...
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    qtbot.waitUntil(lambda: model.rowCount() == 250)
    qtbot.waitUntil(lambda: not model.is_loading)
    assert not model.canFetchMore(QModelIndex())
    assert len(counted_searches) == 4  # three reads and the count
    assert page.status_label.text() == "Customers: 250"
    # Pinyin order, as the service sorts.
    names = _names(model)
    assert names[0] == "客户000号贸易公司" and names[-1] == "客户249号贸易公司"
    assert model.index(5, Column.PHONE).data() == "13900000005"


def test_scrolling_to_the_end_keeps_only_a_bounded_number_of_rows(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, add_customer: AddCustomer,
) -> None:
    _fill(add_customer, clerk, 250)
    ctx = make_context(clerk, "storefront")
    page = _page(qtbot, ctx, page_size=20)
    # A small cache makes the eviction visible: 120 rows, 6 pages of 20.
    model = CustomerListModel(page._load_page, page_size=20, max_cached_rows=120)
    page.table.setModel(model)
    model.set_query(CustomerQuery())
    while model.canFetchMore(QModelIndex()) or model.is_loading:
        model.fetchMore(QModelIndex())
        qtbot.wait(5)
    assert model.rowCount() == 250
    # Reads of 20, 40, then 60 rows (half the cache: two neighbouring reads both fit) at a
    # time: 6 round trips, not 13, and the count.
    assert model.requests_made == 7
    assert model.cached_row_count <= 120
    # Row 0 was evicted; reading it shows a placeholder and reads its page back.
    assert model.index(0, Column.NAME).data() == "Loading…"
    assert model.index(0, Column.NAME).data(CUSTOMER_ID_ROLE) is not None
    qtbot.waitUntil(lambda: model.index(0, Column.NAME).data() == "客户000号贸易公司")
    assert model.cached_row_count <= 120

    # The view scrolls to the very end and shows real rows there.
    page.show()
    page.table.scrollToBottom()
    last = model.index(249, Column.NAME)
    qtbot.waitUntil(lambda: last.data() == "客户249号贸易公司")
    assert page.table.visualRect(last).isValid()
    assert model.cached_row_count <= 120


def test_pinyin_initials_search_runs_once_after_the_typing_pause(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, add_customer: AddCustomer,
    counted_searches: list[str],
) -> None:
    _fill(add_customer, clerk, 30)
    add_customer(clerk, XINRUI, phone="010-6253 8888")
    add_customer(clerk, "上海鑫锐办公设备", phone="021-5555 1234")
    page = _page(qtbot, make_context(clerk, "storefront"), page_size=100)
    model = page.model
    qtbot.waitUntil(lambda: model.rowCount() == 32)
    counted_searches.clear()

    qtbot.keyClicks(page.search_edit, "bjxr")
    assert counted_searches == []  # nothing yet: the user may still be typing
    qtbot.waitUntil(lambda: _names(model) == [XINRUI])
    assert counted_searches == ["bjxr"]


def test_phone_digits_find_the_customer(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, add_customer: AddCustomer,
) -> None:
    _fill(add_customer, clerk, 10)
    add_customer(clerk, XINRUI, phone="010-6253 8888")
    page = _page(qtbot, make_context(clerk, "storefront"), debounce_ms=50)
    model = page.model
    qtbot.waitUntil(lambda: model.rowCount() == 11)

    qtbot.keyClicks(page.search_edit, "6253")
    qtbot.waitUntil(lambda: _names(model) == [XINRUI])
    assert model.index(0, Column.PHONE).data() == "010-6253 8888"
    assert page.status_label.text() == "Customers: 1"

    page.search_edit.clear()
    qtbot.keyClicks(page.search_edit, "99998888")
    qtbot.waitUntil(lambda: page.status_label.text() == "No customer matches this search.")
    assert model.rowCount() == 0


def test_filters_narrow_the_list(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, add_customer: AddCustomer,
) -> None:
    _fill(add_customer, clerk, 5)
    add_customer(clerk, XINRUI, customer_class=CustomerClass.KEY_ACCOUNT)
    page = _page(qtbot, make_context(clerk, "storefront"))
    qtbot.waitUntil(lambda: page.model.rowCount() == 6)

    page.class_filter.setCurrentIndex(page.class_filter.findText("Key account"))
    qtbot.waitUntil(lambda: _names(page.model) == [XINRUI])
    assert page.model.index(0, Column.CUSTOMER_CLASS).data() == "Key account"


def test_another_salespersons_customer_shows_only_name_and_owner(
    qtbot: QtBot, make_context: MakeContext, sales_user: Actor, other_sales_user: Actor,
    add_customer: AddCustomer,
) -> None:
    add_customer(sales_user, XINRUI, phone="010-6253 8888", contact="刘经理")
    mine = add_customer(other_sales_user, "海淀区打印服务部", phone="010-8888 1234")
    page = _page(qtbot, make_context(other_sales_user, "key_accounts"))
    page.choose_owner(None)  # a salesperson starts on his own customers
    model = page.model
    qtbot.waitUntil(lambda: model.rowCount() == 2)

    row = _names(model).index(XINRUI)
    assert model.index(row, Column.NAME).data(RESTRICTED_ROLE) is True
    assert model.index(row, Column.OWNER).data() == "张伟"
    assert model.index(row, Column.PHONE).data() is None
    assert model.index(row, Column.CUSTOMER_CLASS).data() is None
    assert isinstance(model.index(row, Column.NAME).data(Qt.ItemDataRole.DecorationRole), QIcon)
    assert "belongs to 张伟" in model.index(row, Column.NAME).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(row, Column.NAME).data(Qt.ItemDataRole.ForegroundRole) is not None

    own = _names(model).index("海淀区打印服务部")
    assert model.index(own, Column.NAME).data(RESTRICTED_ROLE) is False
    assert model.index(own, Column.PHONE).data() == "010-8888 1234"
    assert model.index(own, Column.NAME).data(CUSTOMER_ID_ROLE) == mine.id


def test_model_passes_the_model_tester_while_pages_arrive(
    qtbot: QtBot, qtmodeltester: Any, make_context: MakeContext, clerk: Actor,
    sales_user: Actor, add_customer: AddCustomer,
) -> None:
    _fill(add_customer, clerk, 45)
    add_customer(sales_user, XINRUI, phone="010-6253 8888")
    page = _page(qtbot, make_context(clerk, "storefront"), page_size=20)
    model = page.model
    qtbot.waitUntil(lambda: model.rowCount() == 20)

    qtmodeltester.check(model)  # stays attached: it checks every later signal too
    while model.canFetchMore(QModelIndex()) or model.is_loading:
        model.fetchMore(QModelIndex())
        qtbot.wait(5)
    assert model.rowCount() == 46
    model.set_query(CustomerQuery(text="bjxr"))
    qtbot.waitUntil(lambda: model.rowCount() == 1)


def test_enter_on_a_row_opens_that_customer(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, add_customer: AddCustomer,
) -> None:
    customer = add_customer(clerk, XINRUI)
    page = _page(qtbot, make_context(clerk, "storefront"))
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    page.search_edit.setFocus()
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Down)
    assert page.table.hasFocus()
    with qtbot.waitSignal(page.customer_activated) as activated:
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert activated.args == [customer.id]


def test_enter_on_a_colleagues_customer_says_whom_to_ask_instead_of_opening(
    qtbot: QtBot, make_context: MakeContext, sales_user: Actor, other_sales_user: Actor,
    add_customer: AddCustomer,
) -> None:
    add_customer(sales_user, XINRUI, phone="010-6253 8888")
    page = _page(qtbot, make_context(other_sales_user, "key_accounts"))
    page.choose_owner(None)
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    opened: list[int] = []
    page.customer_activated.connect(opened.append)
    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(0, Column.NAME))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.restricted_notice is not None
                    and page.restricted_notice.isVisible())
    notice = page.restricted_notice
    assert notice is not None
    assert notice.text() == ("“北京鑫锐科技有限公司” is 张伟's customer; you may not view it. "
                             "Please contact 张伟.")
    assert opened == []  # no 360 view of a customer that cannot be shown
    notice.accept()


def test_a_salesperson_starts_on_his_own_customers_and_can_switch_to_all(
    qtbot: QtBot, make_context: MakeContext, sales_user: Actor, other_sales_user: Actor,
    clerk: Actor, add_customer: AddCustomer,
) -> None:
    add_customer(sales_user, XINRUI)
    add_customer(other_sales_user, "海淀区打印服务部")
    page = _page(qtbot, make_context(other_sales_user, "key_accounts"))
    assert page.owner_filter.currentText() == "Only mine"
    qtbot.waitUntil(lambda: _names(page.model) == ["海淀区打印服务部"])
    page.owner_filter.setCurrentIndex(0)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    # The choice is his from now on.
    again = _page(qtbot, make_context(other_sales_user, "key_accounts"))
    assert again.owner_filter.currentText() == "All owners"
    qtbot.waitUntil(lambda: again.model.rowCount() == 2)
    # The counter clerk (all customers in scope) starts with everybody's.
    counter = _page(qtbot, make_context(clerk, "storefront"))
    assert counter.owner_filter.currentText() == "All owners"


def test_column_choice_is_remembered_per_user(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, clerk2: Actor,
) -> None:
    first = _page(qtbot, make_context(clerk, "storefront"))
    assert not first.table.isColumnHidden(Column.PHONE)
    first.set_column_visible(Column.PHONE, False)
    first.set_column_visible(Column.SHORT_NAME, True)
    first.set_column_visible(Column.NAME, False)  # refused: the name identifies the row

    again = _page(qtbot, make_context(clerk, "storefront"))
    assert again.hidden_columns() == {Column.PHONE}
    other_user = _page(qtbot, make_context(clerk2, "storefront"))
    assert other_user.hidden_columns() == {Column.SHORT_NAME}  # the default


def _owner_texts(page: CustomerListPage) -> list[str]:
    combo = page.owner_filter
    return [combo.itemText(i) for i in range(combo.count())]


def test_owner_filter_lists_one_owners_customers_and_is_remembered_per_user(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, clerk2: Actor, sales_user: Actor,
    other_sales_user: Actor, technician: Actor, add_customer: AddCustomer,
) -> None:
    add_customer(clerk, "门市散客王先生")
    add_customer(clerk2, "海淀区实验中学")
    add_customer(sales_user, XINRUI)
    add_customer(other_sales_user, "海淀区打印服务部")
    page = _page(qtbot, make_context(clerk, "storefront"))
    qtbot.waitUntil(lambda: page.owner_filter.count() > 2 and page.model.rowCount() == 4)
    texts = _owner_texts(page)
    assert texts[:2] == ["All owners", "Only mine"]
    # The other people who look after customers (not the clerk: that is "Only mine"; not the
    # technician: technicians own no customers).
    assert sorted(texts[2:]) == sorted(["门市小李", "张伟", "李娜"])

    page.owner_filter.setCurrentIndex(texts.index("张伟"))
    qtbot.waitUntil(lambda: _names(page.model) == [XINRUI])
    assert page.model.query is not None
    assert page.model.query.filters.owner_id == sales_user.user_id
    assert page.model.index(0, Column.NAME).data(RESTRICTED_ROLE) is True  # still restricted

    page.owner_filter.setCurrentIndex(texts.index("Only mine"))
    qtbot.waitUntil(lambda: _names(page.model) == ["门市散客王先生"])
    page.owner_filter.setCurrentIndex(texts.index("门市小李"))
    qtbot.waitUntil(lambda: _names(page.model) == ["海淀区实验中学"])

    # The same user opens the list again: the same owner, from the first search on.
    again = _page(qtbot, make_context(clerk, "storefront"))
    assert again.model.query is not None
    assert again.model.query.filters.owner_id == clerk2.user_id
    qtbot.waitUntil(lambda: again.owner_filter.currentText() == "门市小李")
    qtbot.waitUntil(lambda: _names(again.model) == ["海淀区实验中学"])
    # Another user starts with everybody's customers.
    other = _page(qtbot, make_context(clerk2, "storefront"))
    assert other.owner_filter.currentText() == "All owners"
    qtbot.waitUntil(lambda: other.model.rowCount() == 4)

    # "Only mine" is remembered too.
    other.owner_filter.setCurrentIndex(1)
    qtbot.waitUntil(lambda: _names(other.model) == ["海淀区实验中学"])
    third = _page(qtbot, make_context(clerk2, "storefront"))
    assert third.owner_filter.currentText() == "Only mine"
    qtbot.waitUntil(lambda: _names(third.model) == ["海淀区实验中学"])


def test_a_remembered_owner_who_left_falls_back_to_all_owners(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, sales_user: Actor,
    add_customer: AddCustomer, uow: Any,
) -> None:
    add_customer(clerk, "门市散客王先生")
    add_customer(sales_user, XINRUI)
    page = _page(qtbot, make_context(clerk, "storefront"))
    qtbot.waitUntil(lambda: page.owner_filter.findText("张伟") >= 0)
    assert page.choose_owner(sales_user.user_id)
    qtbot.waitUntil(lambda: _names(page.model) == [XINRUI])

    with uow:
        uow.session.get(User, sales_user.user_id).active = False
        uow.commit()
    again = _page(qtbot, make_context(clerk, "storefront"))
    qtbot.waitUntil(lambda: again.owner_filter.currentText() == "All owners"
                    and again.model.rowCount() == 2)
    assert again.owner_filter.findText("张伟") < 0


# --- screenshots ----------------------------------------------------------------------------


def test_restricted_notice_and_own_list_screenshots(
    qtbot: QtBot, language: str, make_context: MakeContext, sales_user: Actor,
    other_sales_user: Actor, add_customer: AddCustomer,
) -> None:
    add_customer(sales_user, XINRUI, phone="010-6253 8888")
    add_customer(other_sales_user, "海淀区打印服务部", phone="010-8888 1234")
    page = _page(qtbot, make_context(other_sales_user, "key_accounts", language))
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    qtbot.wait(20)
    assert clipped_texts(page) == []
    shots = SHOTS_DIR / "custlist"
    shots.mkdir(parents=True, exist_ok=True)
    assert page.grab().save(str(shots / f"customer_list_mine_{language}.png"))
    box = page.show_restricted_notice(XINRUI, "张伟")
    qtbot.waitUntil(box.isVisible)
    qtbot.wait(20)
    assert box.grab().save(str(shots / f"restricted_notice_{language}.png"))
    box.accept()

"""A sale at the counter in one step (sell_at_counter) and the payments list (list_payments,
export_payments): what is stored, what is refused and stores nothing, who may."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app import i18n
from app.models import AuditEntry, Order, OrderLine, Payment, PaymentAllocation
from app.models.enums import (
    ConfirmStatus,
    CustomerSource,
    OrderStatus,
    PaymentMethod,
    ProductCategory,
)
from app.services.catalog import ProductDraft, create_product
from app.services.customers import CustomerDraft, create_customer
from app.services.errors import PermissionDenied, ValidationError
from app.services.paging import Sort
from app.services.permissions import Actor
from app.services.sales import (
    PAYMENT_SORT_KEYS,
    CounterPayment,
    OrderDraft,
    OrderLineDraft,
    PaymentFilters,
    create_order,
    export_payments,
    get_order,
    list_orders,
    list_payments,
    sell_at_counter,
)
from app.services.uow import UnitOfWork

TODAY = dt.date.today()


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


def _draft(customer: int, toner: int, *, quantity: int = 1, discount: str = "0"
           ) -> OrderDraft:
    return OrderDraft(customer_id=customer, lines=(
        OrderLineDraft(product_id=toner, quantity=quantity, discount_percent=discount),))


def _counts(uow: UnitOfWork) -> tuple[int, int, int, int]:
    with uow:
        s = uow.session
        return (s.scalar(select(func.count()).select_from(Order)) or 0,
                s.scalar(select(func.count()).select_from(OrderLine)) or 0,
                s.scalar(select(func.count()).select_from(Payment)) or 0,
                s.scalar(select(func.count()).select_from(PaymentAllocation)) or 0)


def test_a_counter_sale_stores_the_confirmed_order_and_its_payment_at_once(
        uow: UnitOfWork, clerk: Actor, walk_in: int, toner: int) -> None:
    sale = sell_at_counter(uow=uow, actor=clerk, draft=_draft(walk_in, toner, quantity=2,
                                                              discount="10"),
                           payment=CounterPayment(amount="1258.20",
                                                  method=PaymentMethod.WECHAT))
    order = sale.order
    # 699 × 2 × 90 % = 1258.20, all paid: nothing open.
    assert order.total_amount == D("1258.20") and order.paid_amount == D("1258.20")
    assert order.open_amount == D("0.00")
    assert order.status is OrderStatus.CONFIRMED
    assert order.confirm_status is ConfirmStatus.SUBMITTED  # management still confirms
    assert sale.payment is not None
    assert sale.payment.amount == D("1258.20") and sale.payment.method is PaymentMethod.WECHAT
    assert sale.payment.received_on == TODAY
    assert [(a.order_id, a.amount) for a in sale.payment.allocations] == [
        (order.id, D("1258.20"))]
    assert _counts(uow) == (1, 1, 1, 1)
    stored = get_order(uow=uow, actor=clerk, order_id=order.id)
    assert stored.paid_amount == D("1258.20") and stored.open_amount == 0
    with uow:
        audited = {(e.entity, e.action.value, e.entity_id) for e in uow.session.scalars(
            select(AuditEntry))}
    assert {("order", "create", order.id), ("order", "transition", order.id),
            ("payment", "create", sale.payment.id), ("order", "update", order.id)} <= audited


def test_a_partial_payment_leaves_the_rest_open(
        uow: UnitOfWork, clerk: Actor, walk_in: int, toner: int) -> None:
    sale = sell_at_counter(uow=uow, actor=clerk, draft=_draft(walk_in, toner),
                           payment=CounterPayment(amount=D("200")))
    assert sale.order.paid_amount == D("200.00") and sale.order.open_amount == D("499.00")
    row = list_orders(uow=uow, actor=clerk).rows[0]
    assert row.open_amount == D("499.00")


def test_a_sale_on_credit_stores_no_payment_and_leaves_the_total_open(
        uow: UnitOfWork, clerk: Actor, walk_in: int, toner: int) -> None:
    for nothing in (None, CounterPayment(amount=""), CounterPayment(amount="0")):
        sale = sell_at_counter(uow=uow, actor=clerk, draft=_draft(walk_in, toner),
                               payment=nothing)
        assert sale.payment is None and sale.order.open_amount == D("699.00")
    assert _counts(uow)[2] == 0


def test_a_new_draft_order_shows_its_whole_total_open(
        uow: UnitOfWork, clerk: Actor, walk_in: int, toner: int) -> None:
    """The bug: a new ¥699 order showed 未回款 ¥0.00."""
    order = create_order(uow=uow, actor=clerk, draft=_draft(walk_in, toner))
    assert order.status is OrderStatus.DRAFT and order.open_amount == D("699.00")
    assert list_orders(uow=uow, actor=clerk).rows[0].open_amount == D("699.00")
    by_open = list_orders(uow=uow, actor=clerk, sort=Sort("open", descending=True))
    assert by_open.rows[0].id == order.id


@pytest.mark.parametrize(("language", "expected"), [("en", "Please choose a customer"),
                                                    ("zh", "请选择客户")])
def test_no_customer_says_choose_one_and_stores_nothing(
        uow: UnitOfWork, clerk: Actor, toner: int, language: str, expected: str) -> None:
    i18n.set_language(language)
    try:
        with pytest.raises(ValidationError) as refused:
            sell_at_counter(uow=uow, actor=clerk, draft=_draft(0, toner),
                            payment=CounterPayment(amount="699"))
    finally:
        i18n.set_language("en")
    assert refused.value.errors["customer_id"] == expected
    assert _counts(uow) == (0, 0, 0, 0)


def test_bad_input_is_refused_at_its_field_and_stores_nothing(
        uow: UnitOfWork, clerk: Actor, walk_in: int, toner: int) -> None:
    cases = [
        (OrderDraft(customer_id=walk_in, lines=()), CounterPayment(amount="10"), "lines"),
        (_draft(walk_in, toner), CounterPayment(amount="700"), "payment_amount"),
        (_draft(walk_in, toner), CounterPayment(amount="-5"), "payment_amount"),
        (_draft(walk_in, toner), CounterPayment(amount="12,x"), "payment_amount"),
        (_draft(walk_in, toner), CounterPayment(amount="10", method="ious"),
         "payment_method"),
    ]
    for draft, payment, field in cases:
        with pytest.raises(ValidationError) as refused:
            sell_at_counter(uow=uow, actor=clerk, draft=draft, payment=payment)
        assert field in refused.value.errors, (payment, refused.value.errors)
    assert _counts(uow) == (0, 0, 0, 0)


def test_more_than_the_total_names_the_total_in_chinese(
        uow: UnitOfWork, clerk: Actor, walk_in: int, toner: int) -> None:
    i18n.set_language("zh")
    try:
        with pytest.raises(ValidationError) as refused:
            sell_at_counter(uow=uow, actor=clerk, draft=_draft(walk_in, toner),
                            payment=CounterPayment(amount="700"))
    finally:
        i18n.set_language("en")
    assert refused.value.errors["payment_amount"] == "超过了订单总额 ¥699.00"


def test_a_role_that_may_not_sell_is_refused(
        uow: UnitOfWork, technician: Actor, walk_in: int, toner: int) -> None:
    with pytest.raises(PermissionDenied):
        sell_at_counter(uow=uow, actor=technician, draft=_draft(walk_in, toner),
                        payment=CounterPayment(amount="699"))
    assert _counts(uow) == (0, 0, 0, 0)


def test_a_retry_with_the_same_key_saves_the_sale_once(
        uow: UnitOfWork, clerk: Actor, walk_in: int, toner: int) -> None:
    key = "0f3c5a0e-7b8e-4c1a-9a57-1d2b3c4d5e6f"
    first = sell_at_counter(uow=uow, actor=clerk, draft=_draft(walk_in, toner),
                            payment=CounterPayment(amount="699"), request_key=key)
    again = sell_at_counter(uow=uow, actor=clerk, draft=_draft(walk_in, toner),
                            payment=CounterPayment(amount="699"), request_key=key)
    assert again.order.id == first.order.id
    assert again.payment is not None and first.payment is not None
    assert again.payment.id == first.payment.id
    assert _counts(uow) == (1, 1, 1, 1)


# --- the payments list ---------------------------------------------------------------------


def _three_sales(uow: UnitOfWork, clerk: Actor, manager: Actor, walk_in: int,
                 toner: int) -> list[int]:
    other = create_customer(uow=uow, actor=manager, draft=CustomerDraft(
        name="海淀区实验小学", source=CustomerSource.PHONE)).id
    ids = []
    for actor, customer, amount in ((clerk, walk_in, "100"), (clerk, walk_in, "699"),
                                    (manager, other, "350.50")):
        sale = sell_at_counter(uow=uow, actor=actor, draft=_draft(customer, toner),
                               payment=CounterPayment(amount=amount,
                                                      method=PaymentMethod.CASH))
        assert sale.payment is not None
        ids.append(sale.payment.id)
    return ids


def test_the_payments_list_shows_sorts_searches_and_scopes(
        uow: UnitOfWork, clerk: Actor, manager: Actor, sales_user: Actor, walk_in: int,
        toner: int) -> None:
    ids = _three_sales(uow, clerk, manager, walk_in, toner)
    everything = list_payments(uow=uow, actor=manager, with_total=True)
    assert everything.total == 3 and everything.total_amount == D("1149.50")
    assert [r.id for r in everything.rows] == ids[::-1]  # newest first
    first = everything.rows[-1]
    assert first.customer_name == "北京鑫锐科技有限公司" and first.amount == D("100.00")
    assert first.received_by_name == "门市小王" and first.method is PaymentMethod.CASH
    assert len(first.applies_to) == 1 and first.applies_to[0].startswith("XS")

    by_amount = list_payments(uow=uow, actor=manager, sort=Sort("amount"))
    assert [r.amount for r in by_amount.rows] == [D("100.00"), D("350.50"), D("699.00")]
    down = list_payments(uow=uow, actor=manager, sort=Sort("amount", descending=True),
                         limit=2)
    assert [r.amount for r in down.rows] == [D("699.00"), D("350.50")]
    rest = list_payments(uow=uow, actor=manager, sort=Sort("amount", descending=True),
                         limit=2, after=down.next_after)
    assert [r.amount for r in rest.rows] == [D("100.00")] and rest.next_after is None
    for key in PAYMENT_SORT_KEYS:
        assert len(list_payments(uow=uow, actor=manager, sort=Sort(key)).rows) == 3
    with pytest.raises(ValidationError):
        list_payments(uow=uow, actor=manager, sort=Sort("cost"))

    def found(text: str) -> set[int]:
        return {r.id for r in list_payments(uow=uow, actor=manager,
                                            filters=PaymentFilters(text=text)).rows}

    assert found("鑫锐") == set(ids[:2])
    assert found("bjxr") == set(ids[:2])          # pinyin initials, as the customer list
    assert found("海淀") == {ids[2]}
    assert found(first.number) == {first.id}       # the payment's number
    assert found(first.number.lower()) == {first.id}
    assert found(first.applies_to[0]) == {first.id}  # the order's number
    assert found("不存在的客户") == set()
    day = list_payments(uow=uow, actor=manager, filters=PaymentFilters(
        received_from=TODAY, received_to=TODAY))
    assert len(day.rows) == 3
    assert list_payments(uow=uow, actor=manager, filters=PaymentFilters(
        received_from=TODAY + dt.timedelta(days=1))).rows == ()
    with pytest.raises(ValidationError):
        list_payments(uow=uow, actor=manager, filters=PaymentFilters(
            received_from=TODAY, received_to=TODAY - dt.timedelta(days=1)))

    # The counter sees its department's payments, not the manager's; a salesperson none.
    assert {r.id for r in list_payments(uow=uow, actor=clerk).rows} == set(ids[:2])
    assert list_payments(uow=uow, actor=sales_user).rows == ()


def test_the_payments_list_is_refused_without_the_module(
        uow: UnitOfWork, technician: Actor) -> None:
    with pytest.raises(PermissionDenied):
        list_payments(uow=uow, actor=technician)


def test_payments_export_writes_the_listed_payments(
        uow: UnitOfWork, clerk: Actor, manager: Actor, walk_in: int, toner: int,
        tmp_path: Path) -> None:
    _three_sales(uow, clerk, manager, walk_in, toner)
    result = export_payments(uow=uow, actor=manager, path=tmp_path / "payments.xlsx",
                             filters=PaymentFilters(text="鑫锐"))
    assert result.row_count == 2
    sheet = load_workbook(tmp_path / "payments.xlsx").active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert "北京鑫锐科技有限公司" in {v for row in values for v in row}
    with pytest.raises(PermissionDenied):  # the counter may not export payments
        export_payments(uow=uow, actor=clerk, path=tmp_path / "mine.xlsx")


def test_the_order_list_finds_orders_by_number_customer_and_pinyin(
        uow: UnitOfWork, clerk: Actor, manager: Actor, walk_in: int, toner: int) -> None:
    mine = sell_at_counter(uow=uow, actor=clerk, draft=_draft(walk_in, toner),
                           payment=None).order
    other = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(
        name="海淀区实验小学", source=CustomerSource.PHONE))
    theirs = sell_at_counter(uow=uow, actor=clerk, draft=_draft(other.id, toner),
                             payment=None).order

    def found(text: str) -> set[int]:
        page = list_orders(uow=uow, actor=clerk, text=text, with_total=True)
        assert page.total == len(page.rows)
        return {r.id for r in page.rows}

    assert found("") == {mine.id, theirs.id}
    assert found("鑫锐") == {mine.id}
    assert found("bjxr") == {mine.id}
    assert found("hdq") == {theirs.id}
    assert found(mine.number) == {mine.id}
    assert found(mine.number.lower()[-6:]) == {mine.id}
    assert found(other.code) == {theirs.id}
    assert found("50%_") == set()  # wildcards are text, not patterns
    with pytest.raises(ValidationError):
        list_orders(uow=uow, actor=clerk, text="x" * 500)

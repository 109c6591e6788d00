"""Importing opening receivables (期初应收): each open debt of the old books an opening
balance of its customer — owed, aged and paid like an order, left out of the sales figures —
found again by its old number so a second import does not double it; bad rows reported;
undo keeps a balance paid since."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from app.models import Order, OrderLine
from app.models.enums import OrderStatus, PaymentMethod
from app.services.customers import CustomerDraft, create_customer
from app.services.errors import PermissionDenied, ValidationError
from app.services.importing.customers import undo_import
from app.services.importing.receivables import plan_receivable_import, run_receivable_import
from app.services.permissions import Actor
from app.services.sales import customer_receivable, receivables_aging, record_payment
from app.services.statistics import StatFilters, run_statistic
from app.services.uow import UnitOfWork
from tests.services.importing.test_customer_import import _tables

HEADER = "客户名称,单号,日期,到期日,应收金额,业务员,备注"
AS_OF = dt.date(2026, 12, 6)


def _sheet(tmp_path: Path, *lines: str, name: str = "期初应收.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join((HEADER, *lines)) + "\n").encode("gbk"))
    return path


def _balances(uow: UnitOfWork) -> list[tuple[object, ...]]:
    with uow:
        return [tuple(r) for r in uow.session.execute(
            select(Order.customer_id, Order.old_number, Order.ordered_on, Order.due_on,
                   Order.total_amount, Order.owner_id, Order.status, Order.confirm_status,
                   Order.opening, OrderLine.description)
            .join(OrderLine, OrderLine.order_id == Order.id).order_by(Order.id)).all()]


@pytest.fixture
def two_customers(uow: UnitOfWork, sales_user: Actor) -> tuple[int, str, int, str]:
    xr = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京鑫锐科技有限公司"))
    hx = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京华信打印耗材有限公司"))
    return xr.id, xr.code, hx.id, hx.code


def test_open_balances_are_owed_aged_and_not_counted_as_sales(
    tmp_path: Path, uow: UnitOfWork, engine: Engine, manager: Actor, sales_user: Actor,
    other_sales_user: Actor, two_customers: tuple[int, str, int, str],
) -> None:
    xr, xr_code, hx, hx_code = two_customers
    path = _sheet(
        tmp_path,
        "北京鑫锐科技有限公司,XS-0901,2026/9/1,2026-10-01,\"￥12,345.60\",李娜,九月打印机",
        f"{hx_code},,2026-11-20,,１２００.５０,,",        # by number, full-width digits
        "北京鑫锐科技有限公司,XS-0902,2026-09-15,,0,,",     # nothing owed: skipped
        "北京星辰文具店,XS-0903,2026-09-15,,500,,",         # no such customer
        f"{xr_code},XS-0901,2026-09-01,,800,,",            # the same number as row 2
        f"{hx_code},XS-0904,2026-10-10,2026-10-01,300,,",  # due before its date
        f"{hx_code},XS-0905,十月,,300,,",                   # not a date
        f"{hx_code},XS-0906,2026-10-10,,-300,,",           # a credit
        f"{hx_code},XS-0907,2026-10-10,,三百元,,",          # not an amount
        f"{hx_code},XS-0908,2026-10-10,,300,王五,",          # no such user
    )
    before = _tables(engine)
    plan = plan_receivable_import(uow=uow, actor=manager, path=path)
    assert _tables(engine) == before, "the dry run writes nothing"
    said = plan.outcome_of_row()
    assert said[2] == f"will add ¥12,345.60 owed by {xr_code} 北京鑫锐科技有限公司"
    assert said[3] == f"will add ¥1,200.50 owed by {hx_code} 北京华信打印耗材有限公司"
    assert said[4] == "nothing owed: skipped"
    assert said[5] == "error: Customer: no customer 北京星辰文具店: import the customers first"
    assert said[6] == "error: Old number: the same debt as row 2"
    assert said[7] == "error: Due date: must not be before the order date"
    assert said[8] == "error: Date: is not a date: 十月 (write it as 2024-03-05)"
    assert said[9].startswith("error: Amount owed: is negative")
    assert said[10].startswith("error: Amount owed: ")
    assert said[11] == "error: Salesperson: no active user is called 王五"
    assert plan.counts() == {"create": 2, "update": 0, "skip": 1, "error": 7}
    assert plan.total() == Decimal("13546.10")

    result = run_receivable_import(uow=uow, actor=manager, plan=plan)
    assert (result.created, result.updated, result.skipped) == (2, 0, 1)
    assert len({i.row for i in result.refused}) == 7
    assert _balances(uow) == [
        (xr, "XS-0901", dt.date(2026, 9, 1), dt.date(2026, 10, 1), Decimal("12345.60"),
         other_sales_user.user_id, OrderStatus.DELIVERED, "confirmed", True,
         "Opening balance XS-0901"),
        # No salesperson in the sheet: the customer's owner.
        (hx, None, dt.date(2026, 11, 20), None, Decimal("1200.50"), sales_user.user_id,
         OrderStatus.DELIVERED, "confirmed", True, "Opening balance"),
    ]
    # Owed and aged like any debt…
    assert customer_receivable(uow=uow, actor=manager, customer_id=xr).open_amount == \
        Decimal("12345.60")
    aging = receivables_aging(uow=uow, actor=manager, as_of=AS_OF)
    assert aging.total == Decimal("13546.10")
    assert aging.days_over_90 == Decimal("0.00")
    assert aging.days_61_90 == Decimal("12345.60")   # due 1 October
    assert aging.days_0_30 == Decimal("1200.50")      # dated 20 November
    # …but not sold in September or November: the sales figures leave them out.
    sold = run_statistic("customer-classes", StatFilters(dt.date(2026, 9, 1), AS_OF),
                         uow=uow, actor=manager)
    total = next(r for r in sold.rows if r.key == "*")
    keys = [c.key for c in sold.columns]
    assert total.cells[keys.index("revenue")] == Decimal("0.00")
    assert total.cells[keys.index("orders")] == 0

    undone = undo_import(uow=uow, actor=manager, batch_id=result.batch_id)
    assert (undone.undone, undone.kept) == (2, ())
    assert _tables(engine) == before


def test_a_second_import_finds_the_balances_and_undo_keeps_one_paid_since(
    tmp_path: Path, uow: UnitOfWork, engine: Engine, manager: Actor,
    two_customers: tuple[int, str, int, str],
) -> None:
    xr, xr_code, hx, hx_code = two_customers
    first = _sheet(tmp_path, f"{xr_code},XS-1,2026-09-01,,1000,,",
                   f"{hx_code},,2026-09-02,,2000,,")
    done = run_receivable_import(uow=uow, actor=manager, plan=plan_receivable_import(
        uow=uow, actor=manager, path=first))
    assert done.created == 2
    # The corrected sheet again: by default the stored ones get their empty fields only.
    again = _sheet(tmp_path, f"{xr_code},xs-1,2026-09-01,2026-10-01,1500,,对账后",
                   f"{hx_code},,2026-09-02,,2000,,", name="again.csv")
    plan = plan_receivable_import(uow=uow, actor=manager, path=again)
    assert [b.outcome for b in plan.balances] == ["update", "update"]
    filled = run_receivable_import(uow=uow, actor=manager, plan=plan)
    assert (filled.created, filled.updated) == (0, 1)  # the second had nothing to fill
    with uow:
        order = uow.session.execute(select(Order).where(Order.old_number == "XS-1")).scalar_one()
        assert (order.total_amount, order.due_on, order.notes) == (
            Decimal("1000.00"), dt.date(2026, 10, 1), "对账后")
    # Overwrite takes the new amount, line and total.
    over = run_receivable_import(uow=uow, actor=manager, plan=plan_receivable_import(
        uow=uow, actor=manager, path=again, on_match="overwrite"))
    assert over.updated == 1
    with uow:
        order = uow.session.execute(select(Order).where(Order.old_number == "XS-1")).scalar_one()
        assert order.total_amount == Decimal("1500.00")
        assert [line.line_total for line in order.lines] == [Decimal("1500.00")]
    # Undo of the overwrite puts 1 000 back.
    undo_import(uow=uow, actor=manager, batch_id=over.batch_id)
    with uow:
        order = uow.session.execute(select(Order).where(Order.old_number == "XS-1")).scalar_one()
        assert (order.total_amount, order.lines[0].unit_price) == (Decimal("1000.00"),
                                                                   Decimal("1000.00"))
        paid_id = order.id
    # Paid in part: the first import's undo keeps that balance, with the reason.
    record_payment(uow=uow, actor=manager, customer_id=xr, received_on=AS_OF,
                   amount="400", method=PaymentMethod.BANK_TRANSFER, allocations=[(paid_id, "400")])
    assert plan_receivable_import(uow=uow, actor=manager, path=again, on_match="overwrite"
                                  ).outcome_of_row()[2].startswith("error: Amount owed: ")
    undone = undo_import(uow=uow, actor=manager, batch_id=done.batch_id)
    assert [(k.entity, k.record_id) for k in undone.kept] == [("order", paid_id)]
    assert "payment" in undone.kept[0].reason
    with uow:
        assert uow.session.execute(select(Order.id).where(Order.opening)).scalars().all() == \
            [paid_id]


def test_refused_for_a_salesperson_and_a_missing_amount_column_writes_nothing(
    tmp_path: Path, uow: UnitOfWork, engine: Engine, manager: Actor, sales_user: Actor,
    two_customers: tuple[int, str, int, str],
) -> None:
    _xr, xr_code, _hx, _hx_code = two_customers
    path = _sheet(tmp_path, f"{xr_code},XS-1,2026-09-01,,1000,,")
    before = _tables(engine)
    with pytest.raises(PermissionDenied):
        plan_receivable_import(uow=uow, actor=sales_user, path=path)
    plan = plan_receivable_import(uow=uow, actor=manager, path=path)
    with pytest.raises(PermissionDenied):
        run_receivable_import(uow=uow, actor=sales_user, plan=plan)
    no_amount = tmp_path / "no_amount.csv"
    no_amount.write_text("客户名称,单号\n北京鑫锐科技有限公司,XS-1\n", encoding="utf-8")
    with pytest.raises(ValidationError) as refused:
        plan_receivable_import(uow=uow, actor=manager, path=no_amount)
    assert "Amount owed" in str(refused.value)
    with pytest.raises(ValidationError):
        plan_receivable_import(uow=uow, actor=manager, path=path, on_match="merge")
    assert _tables(engine) == before

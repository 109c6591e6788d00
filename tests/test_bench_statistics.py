"""The bench's hand-written SQL for each statistic computes the same figures as the service.

`stationcrm bench` compares the service's time with the hand-written SQL's; the ratio says
something only while both compute the same. Here both run on a small demo set over the
ranges the bench times, and every figure the service returns is checked against the rows
of the hand-written statements (not just how many there are).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from app import demo, i18n
from app.bench import _RAW_STATISTICS, _manager, _statistic_range, raw_statistic
from app.models import Order
from app.services.reference import ensure_reference_data
from app.services.statistics import STATISTICS, StatFilters, StatTable, run_statistic
from app.services.uow import UnitOfWork
from tests.conftest import _empty_all_tables

TODAY = dt.date(2026, 11, 26)
CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def data(engine: Engine) -> Iterator[Engine]:
    i18n.set_language("en")
    _empty_all_tables(engine)
    ensure_reference_data(UnitOfWork.for_engine(engine))
    demo.generate_demo_data(engine, customers=150, seed=23, today=TODAY)
    yield engine
    _empty_all_tables(engine)


def _both(engine: Engine, name: str) -> tuple[StatTable, list[list[Any]]]:
    """The service's table and the hand-written rows of ``name`` over the bench's range."""
    i18n.set_language("en")
    with engine.connect() as conn:
        last = conn.execute(select(func.max(Order.ordered_on))).scalar_one()
    date_from, date_to = _statistic_range(name, last)
    table = run_statistic(name, StatFilters(date_from, date_to),
                          uow=UnitOfWork.for_engine(engine), actor=_manager(engine))
    return table, raw_statistic(engine, name, date_from, date_to)


def _m(value: Any) -> Decimal:
    """A sum from raw SQL (a float on SQLite, a Decimal elsewhere) to the cent."""
    return Decimal(str(value if value is not None else 0)).quantize(CENT, ROUND_HALF_UP)


def _cells(table: StatTable) -> dict[str, dict[str, Any]]:
    """Row key → column key → cell, the total row left out."""
    keys = [c.key for c in table.columns]
    return {r.key: dict(zip(keys, r.cells, strict=True)) for r in table.rows if not r.is_total}


def _figures(table: StatTable, *columns: str) -> dict[str, tuple[Any, ...]]:
    """The rows with any figure other than zero, as tuples of ``columns``."""
    return {k: tuple(v[c] for c in columns) for k, v in _cells(table).items()
            if any(v[c] for c in columns)}


def _key(code: Any) -> str:
    return "-" if code is None else str(code)


def test_every_statistic_has_hand_written_sql() -> None:
    assert list(_RAW_STATISTICS) == list(STATISTICS)


def test_customer_classes(data: Engine) -> None:
    table, (sold, counts, new, lost) = _both(data, "customer-classes")
    assert sold and new
    columns = ("customers", "new", "buyers", "orders", "revenue")
    expected = {_key(c): [n, 0, 0, 0, _m(0)] for c, n in counts}
    months = {m: [0, 0] for m in _cells(table.sections[0])}
    for c, month, n in new:
        expected[_key(c)][1] += n
        months[month][0] += n
    for month, n in lost:
        months[month][1] = n
    for c, buyers, orders, revenue in sold:
        expected.setdefault(_key(c), [0, 0, 0, 0, _m(0)])[2:] = [buyers, orders, _m(revenue)]
    assert _figures(table, *columns) == {k: tuple(v) for k, v in expected.items()}
    assert {m: (v["new"], v["lost"]) for m, v in _cells(table.sections[0]).items()} == {
        m: tuple(v) for m, v in months.items()}


def test_product_sales(data: Engine) -> None:
    table, (lines, (whole,)) = _both(data, "product-sales")
    assert len(lines) >= 3
    expected = {_key(c): (n, Decimal(str(q)).quantize(Decimal("0.001")), _m(t), _m(c_),
                          _m(t) - _m(c_)) for c, n, q, t, c_ in lines}
    assert _figures(table, "orders", "quantity", "revenue", "cost", "margin") == expected
    total = next(r for r in table.rows if r.is_total)
    assert total.cells[1] == whole[0] > 0


def test_sales_collections(data: Engine) -> None:
    table, (ordered, paid, aging, debtors) = _both(data, "sales-collections")
    assert ordered and paid and aging and debtors
    expected = {m: [0, _m(0), 0, _m(0)] for m in _cells(table)}
    for month, n, amount in ordered:
        expected[month][:2] = [n, _m(amount)]
    for month, n, amount in paid:
        expected[month][2:] = [n, _m(amount)]
    assert _figures(table, "orders", "ordered", "payments", "collected") == {
        m: tuple(v) for m, v in expected.items() if any(v)}
    assert _figures(table.sections[0], "orders", "open") == {
        bucket: (n, _m(amount)) for bucket, n, amount in aging}
    assert [(r.key, *r.cells) for r in table.sections[1].rows] == [
        (str(c), name, n, _m(due)) for c, name, n, due in debtors]


def test_service(data: Engine) -> None:
    table, (technicians, repeats) = _both(data, "service")
    assert technicians and repeats
    expected = {}
    for tech, name, n, done, hours, sla, hits in technicians:
        turnaround = (Decimal(str(hours)) / done).quantize(Decimal("0.1"), ROUND_HALF_UP) \
            if done else None
        expected[_key(tech)] = (name if tech is not None else "Unassigned", n, done,
                                turnaround, sla, hits)
    found = _figures(table, "group", "received", "completed", "turnaround", "sla", "on_time")
    assert found.keys() == expected.keys()
    for k, (name, n, done, turnaround, sla, hits) in expected.items():
        assert found[k][:3] == (name, n, done) and found[k][4:] == (sla, hits)
        # Hours summed as floats (SQLite) land on a tenth's edge only by chance.
        assert turnaround is None or abs(found[k][3] - turnaround) <= Decimal("0.1")
    assert [(r.key, *r.cells) for r in table.sections[0].rows if not r.is_total] == [
        (model, model, n) for model, n in repeats]


def test_forecast(data: Engine) -> None:
    table, (opportunities, sold, plans) = _both(data, "forecast")
    assert opportunities and plans
    expected = {m: [0, _m(0), _m(0), _m(0), _m(0)] for m in _cells(table)}
    for month, n, amount, weighted in opportunities:
        expected[month][:3] = [n, _m(amount), _m(weighted) / 100]  # as the service divides
    for month, amount in sold:
        expected[month][3] = _m(amount)
    for ym, amount in plans:
        expected[f"{ym // 100}-{ym % 100:02d}"][4] = _m(amount)
    assert _figures(table, "opportunities", "expected", "weighted", "actual", "plan") == {
        m: tuple(v) for m, v in expected.items() if any(v)}


def test_assessment(data: Engine) -> None:
    table, (sales, technicians) = _both(data, "assessment")
    assert sales and technicians
    assert _figures(table, "person", "count", "revenue", "cost", "margin", "points") == {
        _key(o): (name if o is not None else "No owner", n, _m(r), _m(c), _m(r) - _m(c),
                  _m(p)) for o, name, n, r, c, p in sales}
    assert _figures(table.sections[0], "person", "jobs", "score") == {
        _key(t): (name, n, _m(s)) for t, name, n, s in technicians}

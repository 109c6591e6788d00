"""`stationcrm bench` times each search against hand-written SQL of the same meaning: the
two find the same customers in the same order, or the bench says it compared nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from app import bench
from app.bench import bench_search
from app.demo import generate_demo_data
from app.services.uow import UnitOfWork


def test_each_search_is_compared_with_sql_that_finds_the_same_customers(
        engine: Engine, uow: UnitOfWork) -> None:
    generate_demo_data(engine, customers=400, seed=6, today=dt.date(2026, 11, 20))
    results = bench_search(engine, repeat=1)
    by_name = {r.operation: r for r in results}
    assert list(by_name) == [
        "search pinyin initials", "search pinyin inside", "search pinyin full",
        "search code", "search name", "search phone", "search contact", "search serial"]
    for r in results:
        assert r.rows > 0, r  # a text taken from the data finds something
        assert r.service_ms > 0 and r.raw_ms > 0
    assert by_name["search code"].rows == 1  # a whole code: that customer only


def test_sql_that_finds_other_customers_stops_the_bench(
        engine: Engine, uow: UnitOfWork, monkeypatch: pytest.MonkeyPatch) -> None:
    generate_demo_data(engine, customers=120, seed=6, today=dt.date(2026, 11, 20))
    # Another search's SQL (the phone digits') in place of the code's.
    narrower = {**bench._RAW_SEARCH, "customer code": bench._RAW_SEARCH["phone digits"]}
    monkeypatch.setattr(bench, "_RAW_SEARCH", narrower)
    with pytest.raises(RuntimeError, match="search by customer code"):
        bench_search(engine, repeat=1)

"""`stationcrm bench` scrolls the whole customer list as the list's model reads it, and the
hand-written SQL it is compared with reads the same rows."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, func, select

from app.bench import bench_scroll, format_results
from app.demo import generate_demo_data
from app.models import Customer
from app.services.uow import UnitOfWork


def test_the_scroll_benchmark_reads_every_customer_once_in_both_orders(
        engine: Engine, uow: UnitOfWork) -> None:
    generate_demo_data(engine, customers=650, seed=4, today=dt.date(2026, 11, 20))
    with engine.connect() as conn:
        customers = conn.execute(select(func.count()).select_from(Customer)).scalar_one()
    results = bench_scroll(engine, repeat=1)
    assert [r.name for r in results] == ["scroll, pinyin order", "scroll, phone, descending"]
    for r in results:
        assert r.rows == customers, r
        assert r.service_ms > 0 and r.raw_ms > 0
        # Reads of 100, 200, 400, then 500 rows: few round trips for the whole list.
        reads = 0
        left, limit = customers, 100
        while left > 0:
            reads, left, limit = reads + 1, left - limit, min(limit * 2, 500)
        # The reads and the count, each with the permission stamp; the grants once;
        # by phone, the page where the numbers end reads the customers without one.
        nulls = 1 if r.name.endswith("descending") else 0
        assert r.statements <= 2 * (reads + 1) + 1 + nulls, r
    assert "scroll, pinyin order" in format_results(results)

"""`stationcrm bench --as NAME` on a secured server: each measured call, and the hand-written
SQL it is compared with, runs on the person's own login and finds what the person sees."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from app.bench import bench_row_security, format_row_security
from app.services.customer360 import customer_overview
from app.services.customers import search_customers
from app.services.uow import UnitOfWork
from tests.security.test_postgres_security import actor


@pytest.mark.parametrize("username", ["sales1", "clerk1"])
def test_the_row_security_benchmark_measures_what_the_person_sees(
        username: str, owner_engine: Engine, person_engine: Callable[[str], Engine]) -> None:
    person = person_engine(username)
    results = bench_row_security(owner_engine, person, username, repeat=1)
    assert [r.name for r in results] == ["search by pinyin initials", "search by name",
                                         "search by phone digits", "customer 360 view"]
    assert all(r.rls_ms > 0 and r.unrestricted_ms > 0 and r.raw_ms > 0 for r in results)
    me = actor(owner_engine, username)
    mine = UnitOfWork.for_engine(person)
    for r in results[:3]:
        # The search text comes from the person's own customers: the person finds them.
        found = search_customers(uow=mine, actor=me, text=r.query).rows
        assert r.rows == len(found) > 0, r
        assert any(not row.restricted and row.owner_id == me.user_id for row in found), r
    overview = results[3]
    customer_id = int(overview.query.split()[-1])
    timeline = customer_overview(uow=mine, actor=me, customer_id=customer_id).timeline
    assert overview.rows == len(timeline) > 0
    table = format_row_security(results)
    assert table.count("\n") == 4 and "customer 360 view" in table

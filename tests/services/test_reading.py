"""Units of work that only read: the customer search never waits for a station saving."""

from __future__ import annotations

import time

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from app.services.customers import CustomerDraft, create_customer, search_customers
from app.services.uow import UnitOfWork


def test_search_runs_while_another_station_holds_a_write_transaction(
        uow, engine, clerk):
    create_customer(uow=uow, actor=clerk, draft=CustomerDraft(name="北京鑫锐科技有限公司"))
    other = UnitOfWork.for_engine(engine)
    with other:
        # Another station is in the middle of saving: on SQLite it holds the write lock.
        create_customer(uow=other, actor=clerk, draft=CustomerDraft(name="北京新锐打印"))
        started = time.perf_counter()
        page = search_customers(uow=uow, actor=clerk, text="bjxr")
        waited = time.perf_counter() - started
        # The committed customer is found, the other station's unsaved one is not, and
        # the search did not sit out the 10-second busy timeout behind the writer.
        assert [r.name for r in page.rows] == ["北京鑫锐科技有限公司"]
        assert waited < 5
    assert [r.name for r in search_customers(uow=uow, actor=clerk, text="bjxr").rows] == [
        "北京鑫锐科技有限公司"]


def test_a_search_inside_a_use_case_shares_its_transaction(uow, clerk):
    with uow:
        create_customer(uow=uow, actor=clerk, draft=CustomerDraft(name="朝阳快印店"))
        # Not committed yet: only the same transaction can see it.
        assert [r.name for r in search_customers(uow=uow, actor=clerk, text="快印").rows] \
            == ["朝阳快印店"]
        uow.rollback()
    assert search_customers(uow=uow, actor=clerk, text="快印").rows == ()


def test_a_reading_unit_of_work_leaves_no_transaction_behind(uow, engine, clerk):
    if engine.dialect.name == "sqlite":
        pytest.skip("the embedded file reads in a deferred transaction instead")
    with uow.reading():
        connection = uow.session.connection()
        assert connection.get_execution_options()["isolation_level"] == "AUTOCOMMIT"
        assert connection.connection.dbapi_connection.autocommit  # type: ignore[union-attr]
        connection.execute(text("SELECT 1"))
    with uow:
        # The pooled connection is back to real transactions for the next use case: its
        # first statement opens one (psycopg's own autocommit flag stays on, app.db sends
        # the BEGIN with that statement).
        connection = uow.session.connection()
        assert "isolation_level" not in connection.get_execution_options()
        connection.execute(text("SELECT 1"))
        status = connection.connection.dbapi_connection.info.transaction_status  # type: ignore[union-attr]
        assert status == TransactionStatus.INTRANS


def test_the_customer_search_is_planned_for_each_text_on_postgresql(uow, engine, clerk):
    """psycopg prepares a statement on the server after its fifth run, and PostgreSQL then
    plans it once for any values; the list's search (ranges, LIKE, a LIMIT) must instead
    be planned for each text, while other statements keep their prepared plans."""
    if engine.dialect.name != "postgresql":
        pytest.skip("server-side prepared statements are PostgreSQL's")
    from app.db import make_engine

    create_customer(uow=uow, actor=clerk, draft=CustomerDraft(name="北京鑫锐科技"))
    # A station's own engine: one connection, used by every search in turn.
    station = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        unit = UnitOfWork(sessionmaker(bind=station, expire_on_commit=False))
        for text_ in ("bjxr", "bjx", "bj", "b", "xr") * 3:
            assert len(search_customers(uow=unit, actor=clerk, text=text_).rows) <= 1
        with unit:
            prepared = unit.session.connection().execute(text(
                "SELECT statement FROM pg_prepared_statements")).scalars().all()
    finally:
        station.dispose()
    assert prepared, "psycopg prepares the statements run often (the grants query)"
    assert not [s for s in prepared if "customer_directory" in s]

"""Time limits on a station's server connection (issue 12, item 2): a lock wait ends with
a clear message, a vanished station's locks are released by the server, a statement that
runs too long is stopped with a message, and administration runs without the limits."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest
from sqlalchemy import Engine, make_url, select, text
from sqlalchemy.orm import sessionmaker

from app import timeouts
from app.db import DatabaseUnavailable, make_engine
from app.models import Customer
from app.services.customers import CustomerDraft, create_customer, update_customer
from app.services.errors import ConflictError, ServiceError
from app.services.uow import UnitOfWork


@pytest.fixture
def server(engine: Engine, db_url: str) -> str:
    if engine.dialect.name != "postgresql":
        pytest.skip("the time limits are a server's (the embedded file has its busy timeout)")
    return db_url


def _station(url: str, **limits: float) -> Engine:
    query = "&".join(f"{k}={v}" for k, v in limits.items())
    return make_engine(f"{url}{'&' if '?' in url else '?'}{query}" if query else url,
                       station=True)


def _unit(engine: Engine) -> UnitOfWork:
    return UnitOfWork(sessionmaker(bind=engine, expire_on_commit=False))


def test_a_station_waiting_for_anothers_lock_stops_at_the_lock_timeout(
        server, uow, sales_user, engine):
    card = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="北京鑫锐科技"))
    station = _station(server, lock_timeout=1)
    try:
        with engine.connect() as other:  # another station, in the middle of a save
            other.execute(select(Customer.id).where(Customer.id == card.id)
                          .with_for_update())
            started = time.monotonic()
            with pytest.raises(ConflictError) as refused:
                update_customer(uow=_unit(station), actor=sales_user, customer_id=card.id,
                                expected_version=card.version,
                                draft=replace(card.to_draft(), notes="来电"))
            waited = time.monotonic() - started
            other.rollback()
    finally:
        station.dispose()
    assert 0.9 <= waited < 5
    assert "try again in a moment" in str(refused.value)
    with uow:
        assert uow.session.get(Customer, card.id).notes is None


def test_the_server_ends_a_vanished_stations_transaction_and_its_locks(
        server, uow, sales_user):
    card = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="天津海河电子"))
    vanished = _station(server, idle_timeout=1)
    waiting = _station(server, lock_timeout=10)
    try:
        gone = vanished.connect()
        gone.execute(select(Customer.id).where(Customer.id == card.id).with_for_update())
        # ... and the station is cut off: it never commits, never rolls back.
        started = time.monotonic()
        saved = update_customer(uow=_unit(waiting), actor=sales_user, customer_id=card.id,
                                expected_version=card.version,
                                draft=replace(card.to_draft(), notes="已联系"))
        waited = time.monotonic() - started
        assert saved.notes == "已联系"
        assert waited < 5  # the idle limit (1 s), not the 10 s lock limit
        with pytest.raises(Exception):  # noqa: B017,PT011 - the server closed it
            gone.execute(text("SELECT 1"))
    finally:
        gone.invalidate()
        vanished.dispose()
        waiting.dispose()


@pytest.mark.parametrize("last", ["statement", "batch"])
def test_a_vanished_stations_first_or_batched_statement_starts_the_idle_timer(
        server, uow, sales_user, last):
    """On psycopg the BEGIN goes in one round trip with a transaction's first statement,
    and a batch goes in a pipeline: the server must start its idle-in-transaction timer
    after either (app.db._pipeline_class: no Flush after the Sync)."""
    card = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="唐山某公司"))
    vanished = _station(server, idle_timeout=1)
    waiting = _station(server, lock_timeout=10)
    gone = vanished.connect()
    try:
        touch = text("UPDATE customers SET notes = notes WHERE id = :id")
        if last == "statement":
            gone.execute(touch, {"id": card.id})
        else:
            gone.execute(text("SELECT 1"))
            gone.execute(touch, [{"id": card.id}, {"id": card.id}])
        started = time.monotonic()
        update_customer(uow=_unit(waiting), actor=sales_user, customer_id=card.id,
                        expected_version=card.version,
                        draft=replace(card.to_draft(), notes="已联系"))
        assert time.monotonic() - started < 5
    finally:
        gone.invalidate()
        vanished.dispose()
        waiting.dispose()


def test_a_statement_past_the_statement_timeout_is_stopped_with_a_message(server):
    station = _station(server, statement_timeout=0.5)
    unit = _unit(station)
    try:
        started = time.monotonic()
        with pytest.raises(ServiceError) as stopped, unit:
            unit.session.execute(text("SELECT pg_sleep(3)"))
        assert time.monotonic() - started < 2.5
    finally:
        station.dispose()
    assert "took too long" in str(stopped.value)


def test_a_station_gets_the_limits_and_administration_does_not(server):
    station, admin = _station(server), make_engine(server)
    try:
        with station.connect() as conn:
            shown = {name: conn.execute(text(f"SHOW {name}")).scalar_one() for name in (
                "statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout")}
        with admin.connect() as conn:
            unlimited = conn.execute(text("SHOW statement_timeout")).scalar_one()
    finally:
        station.dispose()
        admin.dispose()
    assert shown == {"statement_timeout": "1min", "lock_timeout": "10s",
                     "idle_in_transaction_session_timeout": "1min"}
    assert unlimited == "0"


def test_limits_from_the_address_and_a_bad_one_refused():
    url = make_url("postgresql+psycopg://server/stationcrm?lock_timeout=5&statement_timeout=90")
    limits = timeouts.from_url(url)
    assert (limits.lock_s, limits.statement_s, limits.idle_s) == (5, 90, 60)
    with pytest.raises(DatabaseUnavailable) as refused:
        make_engine("postgresql+psycopg://server/stationcrm?lock_timeout=soon", station=True)
    assert "lock_timeout" in refused.value.message


def test_one_station_waits_while_another_saves_and_then_saves_too(server, uow, sales_user):
    """Below the limit nothing changes: the second save waits for the first and succeeds
    (or is told someone else saved, by the version check)."""
    card = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="河北某公司"))
    station = _station(server, lock_timeout=5)
    outcome: list[object] = []
    try:
        holder = station.connect()
        holder.execute(select(Customer.id).where(Customer.id == card.id).with_for_update())

        def second() -> None:
            try:
                outcome.append(update_customer(
                    uow=_unit(station), actor=sales_user, customer_id=card.id,
                    expected_version=card.version, draft=replace(card.to_draft(), notes="乙")))
            except BaseException as exc:  # noqa: BLE001 - inspected below
                outcome.append(exc)

        worker = threading.Thread(target=second)
        worker.start()
        time.sleep(0.5)
        holder.rollback()
        holder.close()
        worker.join(timeout=10)
    finally:
        station.dispose()
    assert len(outcome) == 1 and not isinstance(outcome[0], BaseException), outcome

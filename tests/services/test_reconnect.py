"""A station survives a server restart without pinging before every action (issue 16).

The pooled connection's backend is ended as a restart ends it; the next action finds the
connection dead at its first statement and runs on a new one. A write that loses its
connection halfway is not run again: it reports the lost connection.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker

from app.db import DatabaseUnavailable, make_engine
from app.models import Customer
from app.services.customers import CustomerDraft, create_customer, get_customer
from app.services.permissions import Actor
from app.services.uow import UnitOfWork
from tests.services.roundtrips import counting


@pytest.fixture
def station(engine: Engine, db_url: str) -> Iterator[Engine]:
    if engine.dialect.name != "postgresql":
        pytest.skip("ends PostgreSQL backends")
    station = make_engine(db_url, station=True)
    yield station
    station.dispose()


def _unit(engine: Engine) -> UnitOfWork:
    return UnitOfWork(sessionmaker(bind=engine, expire_on_commit=False))


def _backends(station: Engine) -> list[int]:
    """The backend ids of the station's idle pooled connections."""
    return [record.dbapi_connection.info.backend_pid
            for record in list(station.pool._pool.queue)]  # type: ignore[attr-defined]


def _end(admin: Engine, pids: list[int]) -> None:
    """End the backends as a server restart (or an administrator) ends them."""
    with admin.connect() as conn:
        for pid in pids:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        deadline = time.monotonic() + 5
        while conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(:p)"),
                           {"p": pids}).scalar_one() and time.monotonic() < deadline:
            time.sleep(0.01)
        conn.rollback()


def test_station_engine_does_not_ping_before_each_use(station: Engine) -> None:
    assert station.pool._pre_ping is False  # type: ignore[attr-defined]
    with station.connect() as conn:
        conn.execute(text("SELECT 1"))
    with counting(station) as trips, station.connect() as conn:
        conn.execute(text("SELECT 1"))
        conn.rollback()
    # No ping; the BEGIN goes with the transaction's first statement.
    first, last = trips.texts()
    assert first.startswith("BEGIN") and first.endswith("; SELECT 1")
    assert last == "ROLLBACK"


def test_a_read_after_a_restart_runs_on_a_new_connection(
        station: Engine, engine: Engine, uow: UnitOfWork, sales_user: Actor) -> None:
    made = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="北京鑫锐科技"))
    unit = _unit(station)
    get_customer(uow=unit, actor=sales_user, customer_id=made.id)
    old = _backends(station)
    assert old
    _end(engine, old)

    card = get_customer(uow=unit, actor=sales_user, customer_id=made.id)

    assert card.name == "北京鑫锐科技"
    assert not set(_backends(station)) & set(old)


def test_a_write_after_a_restart_runs_on_a_new_connection(
        station: Engine, engine: Engine, uow: UnitOfWork, sales_user: Actor) -> None:
    unit = _unit(station)
    create_customer(uow=unit, actor=sales_user, draft=CustomerDraft(name="天津海河电子"))
    _end(engine, _backends(station))

    create_customer(uow=unit, actor=sales_user, draft=CustomerDraft(name="河北保定印务"))

    with uow:
        names = uow.session.scalars(select(Customer.name).order_by(Customer.id)).all()
    assert names == ["天津海河电子", "河北保定印务"]


def test_a_write_that_loses_its_connection_halfway_is_not_run_again(
        station: Engine, engine: Engine, uow: UnitOfWork, sales_user: Actor) -> None:
    unit = _unit(station)
    create_customer(uow=unit, actor=sales_user, draft=CustomerDraft(name="天津海河电子"))
    with pytest.raises((DatabaseUnavailable, DBAPIError)) as raised, unit:
        unit.session.execute(select(func.count()).select_from(Customer))  # the write began
        pid = unit.session.connection().connection.dbapi_connection.info.backend_pid
        _end(engine, [pid])
        unit.session.add(Customer(code="KH-X", name="河北保定印务", name_key="河北保定印务",
                                  pinyin_full="", pinyin_initials="", sort_key="",
                                  owner_id=sales_user.user_id))
        unit.commit()
    error = raised.value
    assert (error.reason == "unreachable" if isinstance(error, DatabaseUnavailable)
            else error.connection_invalidated)
    with uow:
        count = uow.session.execute(select(func.count()).select_from(Customer)).scalar_one()
    assert count == 1
    # The station goes on on a new connection.
    create_customer(uow=unit, actor=sales_user, draft=CustomerDraft(name="河北保定印务"))


def test_a_server_still_down_reports_the_lost_connection(
        station: Engine, engine: Engine, uow: UnitOfWork, sales_user: Actor,
        monkeypatch: pytest.MonkeyPatch) -> None:
    made = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="北京鑫锐科技"))
    unit = _unit(station)
    get_customer(uow=unit, actor=sales_user, customer_id=made.id)
    _end(engine, _backends(station))
    # The server refuses new connections too (still starting up).
    record_type = type(station.pool._pool.queue[0])  # type: ignore[attr-defined]

    def refuse(self: object) -> None:
        raise station.dialect.loaded_dbapi.OperationalError(
            "connection refused: the database system is starting up")

    monkeypatch.setattr(record_type, "_ConnectionRecord__connect", refuse)
    with pytest.raises(DBAPIError) as raised:
        get_customer(uow=unit, actor=sales_user, customer_id=made.id)
    assert raised.value.connection_invalidated
    monkeypatch.undo()
    assert get_customer(uow=unit, actor=sales_user, customer_id=made.id).id == made.id

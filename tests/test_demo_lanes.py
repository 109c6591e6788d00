"""The demo generator's lanes: the customers made in two processes side by side give the
same rows as made one lane after the other, and a lane that fails or dies stops the load
with nothing kept."""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, delete, func, select

from app import demo
from app.models import Base, Customer, Device
from app.services.uow import UnitOfWork
from tests.test_demo import DEMO_TABLES, NUMBERED

TODAY = dt.date(2026, 11, 26)


def _rows(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every demo table's rows without the ids the database chooses, sorted."""
    serial = {"document_sequences", "search_keys", "name_suffixes", "phone_suffixes"}
    with engine.connect() as conn:
        read = {name: [tuple(r) for r in conn.execute(select(Base.metadata.tables[name]))]
                for name in DEMO_TABLES}
    return {name: sorted((r[1:] for r in found), key=repr) if name in serial
            else sorted(found, key=lambda r: r[0]) for name, found in read.items()}


def _empty(engine: Engine) -> None:
    with engine.begin() as conn:  # the demo users (and their ids) stay
        for table in reversed(Base.metadata.sorted_tables):
            if table.name in DEMO_TABLES:
                conn.execute(delete(table))


def _customers(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Customer)).scalar_one())


def test_lanes_in_processes_store_the_rows_they_store_in_turn(
    engine: Engine, uow: UnitOfWork, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the suite's database (PostgreSQL's COPY in CI): the lanes' processes encode the
    rows with a dialect of their own, which has never connected."""
    seen: list[tuple[str, int, int]] = []
    monkeypatch.setattr(demo, "PARALLEL_FROM", 10**9)
    in_turn = demo.generate_demo_data(engine, customers=61, seed=4, today=TODAY)
    first = _rows(engine)
    _empty(engine)
    monkeypatch.setattr(demo, "PARALLEL_FROM", 1)
    in_processes = demo.generate_demo_data(engine, customers=61, seed=4, today=TODAY,
                                           progress=lambda s, d, t: seen.append((s, d, t)))
    second = _rows(engine)
    assert in_processes.customers == 61
    assert in_processes.as_dict() | {"users": 0, "read_trail": 0} == (
        in_turn.as_dict() | {"users": 0, "read_trail": 0})
    assert [n for n in DEMO_TABLES if second[n] != first[n]] == []
    # Each lane's 30 or 31 customers came as one chunk, in whichever order they finished.
    assert sorted(d for s, d, _t in seen if s == "customers")[-1] == 61
    assert {t for s, _d, t in seen if s == "customers"} == {61}


def test_the_lanes_share_out_ids_numbers_names_and_serials(
    engine: Engine, uow: UnitOfWork
) -> None:
    demo.generate_demo_data(engine, customers=41, seed=8, today=TODAY)
    with engine.connect() as conn:
        ids = conn.execute(select(Customer.id).order_by(Customer.id)).scalars().all()
        names = conn.execute(select(Customer.name_key).where(Customer.kind == "company")
                             ).scalars().all()
        serials = conn.execute(select(Device.serial_number)).scalars().all()
        codes = conn.execute(select(Customer.code)).scalars().all()
        numbers = {
            table: conn.execute(select(Base.metadata.tables[table].c[column])).scalars().all()
            for table, column in NUMBERED.items()}
    # 21 customers of the first lane and 20 of the second, their ids taken in turn.
    assert len(ids) == 41 and ids[-1] - ids[0] <= 41
    assert len(set(names)) == len(names) and len(set(serials)) == len(serials)
    assert len(set(codes)) == 41
    assert all(len(set(found)) == len(found) for found in numbers.values())


def _broken_lane(monkeypatch: pytest.MonkeyPatch, make: Callable[[], object]) -> None:
    """The first lane's customers made by ``make`` (a picklable callable), in its process."""
    original = demo._Builder.lanes

    def lanes(self: demo._Builder, count: int, seed: int) -> list[demo._Builder]:
        made = original(self, count, seed)
        made[0].make_customer = make  # type: ignore[method-assign,assignment]
        return made

    monkeypatch.setattr(demo._Builder, "lanes", lanes)
    monkeypatch.setattr(demo, "PARALLEL_FROM", 1)


def test_a_lane_that_fails_stops_the_load_with_its_error_and_nothing_kept(
    engine: Engine, uow: UnitOfWork, monkeypatch: pytest.MonkeyPatch
) -> None:
    _broken_lane(monkeypatch, functools.partial(int, "no customer"))
    with pytest.raises(RuntimeError, match=r"lane 0 failed:(.|\n)*invalid literal for int"):
        demo.generate_demo_data(engine, customers=20, seed=2, today=TODAY)
    assert _customers(engine) == 0


def test_a_lane_that_dies_without_a_word_stops_the_load(
    engine: Engine, uow: UnitOfWork, monkeypatch: pytest.MonkeyPatch
) -> None:
    _broken_lane(monkeypatch, functools.partial(os._exit, 3))
    with pytest.raises(RuntimeError, match=r"lane 0 stopped \(exit code 3\)"):
        demo.generate_demo_data(engine, customers=20, seed=2, today=TODAY)
    assert _customers(engine) == 0

"""`stationcrm bench --guard-people N`: bench readers are added to a demo database until N
people read in the trail's last 90 days (only as many as are missing, once), and the
customer base protection is timed against the hand-written GROUP BY."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from app import demo, i18n
from app.bench_guard import ROLES, bench_guard, ensure_guard_readers, guard_trail
from app.cli import main
from app.models import Department, ReadEntry, Role, User
from app.services.reference import ensure_reference_data
from app.services.uow import UnitOfWork
from tests.conftest import _empty_all_tables

TODAY = dt.date(2026, 11, 20)
OPERATIONS = ["customer guard 90 days", "customer guard alerts 90 days",
              "customer guard raw sql 90 days"]
KEYS = {"operation", "engine", "customers", "service_ms", "service_min_ms", "sql_ms", "ratio",
        "statements"}


def test_a_database_without_the_demo_users_is_refused(engine: Engine, uow: UnitOfWork) -> None:
    with pytest.raises(ValueError, match="no demo users"):
        ensure_guard_readers(engine, 15, note=lambda _said: None)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(User)).scalar_one() == 0


@pytest.fixture(scope="module")
def data(engine: Engine) -> Iterator[Engine]:
    i18n.set_language("en")
    _empty_all_tables(engine)
    ensure_reference_data(UnitOfWork.for_engine(engine))
    demo.generate_demo_data(engine, customers=150, seed=7, today=TODAY)
    yield engine
    _empty_all_tables(engine)


def _bench_readers(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(User.id, User.username, User.display_name, Role.code, Department.code,
                   User.active)
            .join(Role, Role.id == User.role_id)
            .join(Department, Department.id == User.department_id)
            .where(User.username.startswith("bench_reader_", autoescape=True))
            .order_by(User.username)).all()]


def test_readers_are_added_until_n_people_read_and_only_once(data: Engine) -> None:
    before = guard_trail(data)
    assert before.last == TODAY - dt.timedelta(days=1)
    assert before.start == TODAY - dt.timedelta(days=90)
    assert 5 <= before.people < 15  # the demo's dozen readers
    notes: list[str] = []
    trail = ensure_guard_readers(data, 15, note=notes.append)
    assert trail.added_people == 15 - before.people
    assert trail.people == 15 and (trail.start, trail.last) == (before.start, before.last)
    assert trail.rows == before.rows + trail.added_rows
    assert len(notes) == 1 and "bench_reader_01" in notes[0]

    readers = _bench_readers(data)
    assert [r[1] for r in readers] == [f"bench_reader_{n:02d}"
                                      for n in range(1, trail.added_people + 1)]
    for _id, _username, name, role, department, active in readers:
        assert (role, department) in ROLES and active
        assert 2 <= len(name) <= 3 and all("\u4e00" <= ch <= "\u9fff" for ch in name)
    assert len({r[2] for r in readers}) == len(readers)
    ids = [r[0] for r in readers]
    with data.connect() as conn:
        people = conn.execute(select(func.count(func.distinct(ReadEntry.user_id))).where(
            ReadEntry.day >= trail.start, ReadEntry.day <= trail.last)).scalar_one()
        first, last, rows, per_person = conn.execute(
            select(func.min(ReadEntry.day), func.max(ReadEntry.day), func.count(),
                   func.count(func.distinct(ReadEntry.user_id)))
            .where(ReadEntry.user_id.in_(ids))).one()
    assert people == 15
    assert rows == trail.added_rows > 0 and per_person == len(ids)
    assert trail.start <= first and last <= trail.last  # within the last 90 days

    # A second call finds them there and adds nothing.
    notes.clear()
    again = ensure_guard_readers(data, 15, note=notes.append)
    assert (again.added_people, again.added_rows) == (0, 0)
    assert again.people == 15 and again.rows == trail.rows
    assert _bench_readers(data) == readers
    assert len(notes) == 1 and "no bench readers added" in notes[0]


def test_the_protection_is_timed_against_the_group_by(data: Engine) -> None:
    ensure_guard_readers(data, 15, note=lambda _said: None)
    results = bench_guard(data, repeat=1)
    assert [r.operation for r in results] == OPERATIONS
    for r in results:
        assert r.service_min_ms is not None and 0 < r.service_min_ms <= r.service_ms, r
        assert r.raw_ms > 0 and r.statements >= 1, r
    overview, alerts, raw = results
    assert raw.statements == 1 and raw.rows > 0
    assert overview.raw_ms == alerts.raw_ms == raw.service_ms


def test_the_cli_option_runs_only_the_guard_operations(
        data: Engine, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["bench", "--db", db_url, "--guard-people", "15", "--repeat", "1", "--json"])
    assert code == 0
    said = capsys.readouterr()
    records = json.loads(said.out)
    assert [r["operation"] for r in records] == OPERATIONS
    for r in records:
        assert set(r) == KEYS, r
        assert r["customers"] == 150 and r["service_ms"] > 0 and r["sql_ms"] > 0
    assert "no bench readers added" in said.err or "bench readers added" in said.err
    assert "timing the customer base protection: 15 people" in said.err

    assert main(["bench", "--db", db_url, "--guard-people", "0"]) == 2
    assert "--guard-people needs a number of people above 0" in capsys.readouterr().err

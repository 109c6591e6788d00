"""`stationcrm bench --json` prints one record per operation with the same keys every run,
and the actions `--lan-ms` times leave the database as they found it."""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, make_url, select, text

from app import bench
from app.bench import bench_actions, bench_lan, format_actions, result_records
from app.cli import main
from app.demo import generate_demo_data
from app.models import Base, Customer, DocumentSequence, User
from app.services import read_trail
from app.services.uow import UnitOfWork

KEYS = {"operation", "engine", "customers", "service_ms", "service_min_ms", "sql_ms", "ratio",
        "statements"}
OPERATIONS = [
    "search pinyin initials", "search pinyin inside", "search pinyin full", "search code",
    "search name", "search phone", "search contact", "search serial", "scroll to end",
    "scroll to end, phone descending",
    "open 360", "statistic customer-classes", "statistic product-sales",
    "statistic sales-collections", "statistic service", "statistic forecast",
    "statistic assessment", "change feed poll", "note a read", "customer guard 90 days",
    "export customers xlsx"]
ACTIONS = ["open card", "open 360", "save customer", "create order", "record payment",
           "login"]


@pytest.fixture
def small_feed(monkeypatch: pytest.MonkeyPatch) -> None:
    # The feed's poll on 3 000 notices, not a busy year's 200 000: the same statement.
    monkeypatch.setattr(bench, "bench_feed",
                        functools.partial(bench.bench_feed, notices=3000))


def test_the_json_has_one_record_per_operation_with_every_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], small_feed: None) -> None:
    database = tmp_path / "bench.sqlite3"
    out = tmp_path / "results.json"
    code = main(["bench", "--db", f"sqlite:///{database}", "--customers", "300",
                 "--repeat", "2", "--json", "--out", str(out)])
    assert code == 0
    said = capsys.readouterr()
    records = json.loads(said.out)  # stdout holds the JSON and nothing else
    assert json.loads(out.read_text(encoding="utf-8")) == records
    assert "building 300 customers" in said.err and "timing search" in said.err
    assert [r["operation"] for r in records] == OPERATIONS
    for r in records:
        assert set(r) == KEYS, r
        assert r["engine"] == "sqlite" and r["customers"] == 300
        assert 0 < r["service_min_ms"] <= r["service_ms"] < 60_000, r
        assert 0 < r["sql_ms"] < 60_000, r
        assert r["ratio"] == pytest.approx(r["service_ms"] / r["sql_ms"], rel=0.01, abs=0.01)
        # Noting a read sends nothing: the station writes the trail later, in batches.
        low = 0 if r["operation"] == "note a read" else 1
        assert isinstance(r["statements"], int) and low <= r["statements"] <= 50, r
    by_name = {r["operation"]: r for r in records}
    assert by_name["change feed poll"]["statements"] == 1
    # The export reads its 300 customers in one chunk: the rows, their custom values'
    # definitions, the permission check, the audit row.
    assert by_name["export customers xlsx"]["statements"] <= 10

    # Without --json the table is printed as before.
    assert main(["bench", "--db", f"sqlite:///{database}", "--repeat", "1"]) == 0
    table = capsys.readouterr().out
    assert table.startswith("database: sqlite")
    assert "search by pinyin initials" in table and "customer 360 view" in table


def test_lan_ms_is_refused_on_sqlite_before_anything_is_made(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = tmp_path / "none.sqlite3"
    assert main(["bench", "--db", f"sqlite:///{database}", "--lan-ms", "1"]) == 2
    said = capsys.readouterr()
    assert said.out == ""
    assert "--lan-ms needs a server database" in said.err
    assert not database.exists()


# --- the actions, and what they leave behind ------------------------------------------------


def _state(engine: Engine, customer_id: int) -> dict[str, Any]:
    """Every table's row count, the card the actions save, the manager who logs in and the
    document counters."""
    with engine.connect() as conn:
        counts = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                  for t in Base.metadata.sorted_tables}
        card = conn.execute(select(Customer.__table__).where(Customer.id == customer_id)).one()
        manager = conn.execute(select(User.__table__).where(User.username == "manager")).one()
        counters = conn.execute(select(DocumentSequence.__table__)
                                .order_by(DocumentSequence.id)).all()
    return {"counts": counts, "card": card, "manager": manager, "counters": counters}


def _busiest(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(
            "SELECT customer_id FROM visits GROUP BY customer_id"
            " ORDER BY COUNT(*) DESC, customer_id")).scalars().first())


def test_the_actions_are_timed_and_leave_the_database_as_it_was(
        engine: Engine, uow: UnitOfWork) -> None:
    generate_demo_data(engine, customers=200, seed=5, today=dt.date(2026, 11, 20))
    customer_id = _busiest(engine)
    before = _state(engine, customer_id)
    notes: list[str] = []
    results = bench_actions(engine, engine, repeat=3, note=notes.append)
    assert notes == []  # nothing was left behind
    # Nor are the cards it opened held to be written as a person's reads.
    assert read_trail.trail_for(engine).pending == 0
    assert [r.operation for r in results] == ACTIONS
    for r in results:
        assert 0 < r.service_min_ms <= r.service_ms, r
        assert r.statements >= 1, r
        assert r.round_trips is None and r.lan_ms is None  # no relay
    assert _state(engine, customer_id) == before

    records = result_records(results, engine=engine.dialect.name, customers=200)
    assert all(set(r) == KEYS | {"round_trips", "lan_ms"} for r in records)
    assert all(r["sql_ms"] is None and r["ratio"] is None for r in records)
    assert "save customer" in format_actions(results)


# --- through the relay, on PostgreSQL ----------------------------------------------------------


@pytest.fixture
def pg_bench_url() -> Iterator[str]:
    """A database of its own on the local PostgreSQL server with 150 demo customers."""
    from app import schema
    from app.db import DatabaseUnavailable, check_connection, make_engine

    suite = os.environ.get("STATIONCRM_TEST_DB_URL", "")
    base = make_url(suite if suite.startswith("postgres")
                    else "postgresql://postgres@127.0.0.1:5432/postgres"
                    ).set(drivername="postgresql+psycopg")
    admin = make_engine(base)
    try:
        check_connection(admin)
    except DatabaseUnavailable as exc:
        admin.dispose()
        pytest.skip(f"no PostgreSQL server: {exc.message}")
    name = f"bench_lan_test_{os.getpid()}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    owner = make_engine(url)
    try:
        schema.upgrade(owner)
        generate_demo_data(owner, customers=150, seed=6, today=dt.date(2026, 11, 20))
        owner.dispose()
        yield url
    finally:
        owner.dispose()
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_through_the_relay_each_action_counts_its_round_trips(pg_bench_url: str) -> None:
    from app.db import make_engine

    owner = make_engine(pg_bench_url)
    try:
        customer_id = _busiest(owner)
        before = _state(owner, customer_id)
        results = bench_lan(pg_bench_url, owner, lan_ms=2, repeat=2)
        assert [r.operation for r in results] == ACTIONS
        for r in results:
            assert r.lan_ms == 2 and r.round_trips is not None
            # Each round trip costs at least twice the delay, the fastest run too.
            assert r.round_trips >= 1 and r.statements >= 1, r
            assert r.service_min_ms >= r.round_trips * 2 * 2, r
        assert _state(owner, customer_id) == before
    finally:
        owner.dispose()

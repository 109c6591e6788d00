"""Document numbers: one sequence per prefix and day, never the same number twice."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.dialects import mssql
from sqlalchemy.orm import ORMExecuteState

from app.models import DocumentSequence
from app.services.numbering import next_number
from app.services.uow import UnitOfWork

DAY = dt.date(2026, 11, 26)


def test_numbers_count_up_per_prefix_and_day(uow):
    with uow:
        got = [next_number(uow, "service_ticket", DAY) for _ in range(3)]
        other_day = next_number(uow, "service_ticket", DAY + dt.timedelta(days=1))
        order = next_number(uow, "order", DAY)
        uow.commit()
    assert got == ["WX-20261126-0001", "WX-20261126-0002", "WX-20261126-0003"]
    assert other_day == "WX-20261127-0001"
    assert order == "XS-20261126-0001"


def test_rolled_back_number_is_not_issued_twice_to_the_same_transaction(uow):
    with uow:
        first = next_number(uow, "order", DAY)
    with uow:
        again = next_number(uow, "order", DAY)
        uow.commit()
    assert first == again == "XS-20261126-0001"  # rolled back: the number was never used


def test_stations_saving_at_once_never_share_a_number(uow, engine):
    per_thread, threads = 15, 4
    barrier = threading.Barrier(threads)
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def station() -> None:
        unit = UnitOfWork.for_engine(engine)
        try:
            barrier.wait()
            for _ in range(per_thread):
                with unit:
                    number = next_number(unit, "payment", DAY)
                    unit.commit()
                with lock:
                    results.append(number)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    workers = [threading.Thread(target=station) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert errors == []
    assert len(results) == len(set(results)) == per_thread * threads
    with uow:
        last = uow.session.execute(select(DocumentSequence.last_value).where(
            DocumentSequence.prefix == "HK")).scalar_one()
    assert last == per_thread * threads
    assert max(results) == f"HK-20261126-{per_thread * threads:04d}"


def _statements(uow: UnitOfWork, engine: Any, take: Any) -> tuple[Any, list[str], list[Any]]:
    """Run ``take()`` in ``uow``'s open transaction: what it returned, the SQL sent, and
    the ORM statements the session executed."""
    sent: list[str] = []
    executed: list[Any] = []

    def on_sql(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement)

    def on_orm(state: ORMExecuteState) -> None:
        executed.append(state.statement)

    event.listen(engine, "before_cursor_execute", on_sql)
    event.listen(uow.session, "do_orm_execute", on_orm)
    try:
        got = take()
    finally:
        event.remove(engine, "before_cursor_execute", on_sql)
        event.remove(uow.session, "do_orm_execute", on_orm)
    return got, sent, executed


def test_a_number_is_taken_in_one_statement_that_returns_it(uow, engine):
    """UPDATE ... RETURNING (OUTPUT on SQL Server): no SELECT after the UPDATE."""
    with uow:
        first = next_number(uow, "order", DAY)
        second, sent, executed = _statements(uow, engine,
                                             lambda: next_number(uow, "order", DAY))
        uow.commit()
    assert (first, second) == ("XS-20261126-0001", "XS-20261126-0002")
    assert len(sent) == 1, sent
    assert sent[0].lstrip().upper().startswith("UPDATE")
    assert "RETURNING" in sent[0].upper()
    # SQL Server gets the value from the same UPDATE (document_sequences has no trigger,
    # which would make SQL Server refuse an OUTPUT without INTO).
    as_mssql = str(executed[0].compile(dialect=mssql.dialect()))
    assert "OUTPUT inserted.last_value" in as_mssql, as_mssql


def test_without_returning_the_number_is_read_back_after_the_update(uow, engine, monkeypatch):
    """A SQLite older than 3.35 has no RETURNING: the same numbers, read back."""
    monkeypatch.setattr(engine.dialect, "update_returning", False)
    with uow:
        got = [next_number(uow, "quotation", DAY) for _ in range(2)]
        third, sent, _ = _statements(uow, engine, lambda: next_number(uow, "quotation", DAY))
        uow.commit()
    assert [*got, third] == ["BJ-20261126-0001", "BJ-20261126-0002", "BJ-20261126-0003"]
    assert [s.lstrip().split()[0].upper() for s in sent] == ["UPDATE", "SELECT"]
    assert "RETURNING" not in sent[0].upper()

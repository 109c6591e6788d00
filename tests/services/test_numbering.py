"""Document numbers: one sequence per prefix and day, never the same number twice."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import select

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

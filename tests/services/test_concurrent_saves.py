"""Stations saving at the same moment each succeed or get a ConflictError, never a raw error."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from app.models import Customer
from app.services.customers import CustomerDraft, create_customer
from app.services.uow import UnitOfWork


def test_six_stations_creating_customers_at_once_all_succeed(uow, engine, make_user):
    actors = [make_user(f"clerk{i}", "counter_clerk", "storefront") for i in range(6)]
    barrier = threading.Barrier(len(actors))
    errors: list[BaseException] = []

    def station(i: int) -> None:
        unit = UnitOfWork.for_engine(engine)
        try:
            barrier.wait()
            create_customer(uow=unit, actor=actors[i], draft=CustomerDraft(name=f"同时客户{i}"))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=station, args=(i,)) for i in range(len(actors))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    with uow:
        assert uow.session.execute(select(func.count()).select_from(Customer)).scalar_one() == 6

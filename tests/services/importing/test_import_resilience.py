"""An import under trouble: a chunk refused together is written row by row with nothing of
the refused attempt left behind (rows or audit entries); a batch marked interrupted from
another station takes no more chunks and keeps its status."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, update

from app.models import Customer, ImportBatch
from app.models.system import AuditEntry
from app.services.errors import ValidationError
from app.services.importing import customers as importing
from app.services.permissions import Actor
from app.services.uow import UnitOfWork
from tests.services.importing.test_customer_import import _csv


def _audited_customers(uow: UnitOfWork) -> int:
    with uow:
        return int(uow.session.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.entity == "customer")).scalar_one())


def test_a_chunk_refused_together_is_written_row_by_row_without_leftovers(
    tmp_path: Path, uow: UnitOfWork, manager: Actor, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = _csv(tmp_path, "北京鑫锐科技有限公司,,,,,,,,,", "北京华信打印耗材有限公司,,,,,,,,,",
                "北京博文培训学校,,,,,,,,,")
    plan = importing.plan_customer_import(uow=uow, actor=manager, path=path)
    real = importing.add_customers

    def clash(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)  # writes, queues audit entries — then a number is taken
        raise ValidationError({"code": "already exists"})

    monkeypatch.setattr(importing, "add_customers", clash)
    result = importing.run_customer_import(uow=uow, actor=manager, plan=plan)
    assert (result.created, result.refused) == (3, ())
    with uow:
        assert uow.session.execute(select(func.count()).select_from(Customer)).scalar() == 3
    assert _audited_customers(uow) == 3, "the refused attempt's audit entries are dropped"


def test_a_batch_marked_interrupted_meanwhile_takes_no_more_chunks(
    tmp_path: Path, uow: UnitOfWork, engine: Engine, manager: Actor,
) -> None:
    path = _csv(tmp_path, *(f"北京第{n}号客户有限公司,,,,,,,,," for n in range(1, 6)))
    plan = importing.plan_customer_import(uow=uow, actor=manager, path=path)

    def another_station_closes_it(done: int, _total: int) -> None:
        with engine.begin() as conn:
            conn.execute(update(ImportBatch).values(status="interrupted"))

    with pytest.raises(ValidationError) as refused:
        importing.run_customer_import(uow=uow, actor=manager, plan=plan, chunk=2,
                                      progress=another_station_closes_it)
    assert "interrupted" in str(refused.value)
    with uow:
        assert uow.session.execute(select(func.count()).select_from(Customer)).scalar() == 2
        assert uow.session.execute(select(ImportBatch.status)).scalar_one() == "interrupted"

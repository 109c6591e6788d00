"""Past imports (导入记录): whose imports a person sees, the counts after an undo that kept a
used record, and closing an import its station never finished."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update

from app.models import AuditEntry, Customer, ImportBatch, Role, utcnow
from app.models.enums import DataScope, Module, Operation
from app.services import administration as adm
from app.services.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.services.importing.customers import (
    plan_customer_import,
    run_customer_import,
    undo_import,
)
from app.services.importing.history import (
    STALE,
    close_interrupted_import,
    import_details,
    list_imports,
)
from app.services.permissions import Actor
from app.services.uow import UnitOfWork
from tests.services.importing.test_customer_import import HEADER
from tests.services.test_confirmation import make_visit


def _sheet(tmp_path: Path, name: str, *companies: str) -> Path:
    """A sheet of ``companies``, each with a phone of its own (a phone found again
    would make the row an update of the customer that has it)."""
    path = tmp_path / name
    lines = [HEADER, *(f"{c},,B,010-65{sum(map(ord, c)) % 1000000:06d},,,,,,"
                       for c in companies)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _import(uow: UnitOfWork, actor: Actor, path: Path) -> int:
    plan = plan_customer_import(uow=uow, actor=actor, path=path)
    return run_customer_import(uow=uow, actor=actor, plan=plan).batch_id


class _LostConnection(Exception):
    pass


def _cut_off(uow: UnitOfWork, actor: Actor, path: Path) -> int:
    """An import whose station went away after its first chunk: the batch stays
    "running", what the chunk wrote is committed."""
    plan = plan_customer_import(uow=uow, actor=actor, path=path)

    def lost(_done: int, _total: int) -> None:
        raise _LostConnection

    with pytest.raises(_LostConnection):
        run_customer_import(uow=uow, actor=actor, plan=plan, chunk=1, progress=lost)
    with uow:
        batch_id: int = uow.session.execute(select(ImportBatch.id).where(
            ImportBatch.file_name == path.name)).scalar_one()
    return batch_id


def _age(engine: Engine, batch_id: int, by: dt.timedelta, *, records: bool = True) -> None:
    """Move the batch (and, with ``records``, every customer) back in time."""
    with engine.begin() as conn:
        conn.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(
            created_at=utcnow() - by, updated_at=utcnow() - by))
        if records:
            conn.execute(update(Customer).values(created_at=utcnow() - by,
                                                 updated_at=utcnow() - by))


def _customer_ids(uow: UnitOfWork) -> dict[str, int]:
    with uow:
        return dict(uow.session.execute(select(Customer.name, Customer.id)).all())  # type: ignore[arg-type]


@pytest.fixture
def importing_admin(uow: UnitOfWork, admin: Actor) -> Actor:
    """The administrator, whose role was also given every customer operation over every
    customer (the default administrator may not import)."""
    with uow:
        role_id = uow.session.execute(select(Role.id).where(Role.code == "administrator")
                                      ).scalar_one()
    matrix = adm.get_role_matrix(uow=uow, actor=admin, role_id=role_id)
    adm.save_role_matrix(
        uow=uow, actor=admin, role_id=role_id, expected_version=matrix.role.version,
        operations={*matrix.operations, *((Module.CUSTOMERS, op) for op in Operation)},
        scopes={**matrix.scopes, Module.CUSTOMERS: DataScope.ALL},
        field_rules=matrix.field_rules)
    return admin


def test_a_person_sees_their_own_imports_and_the_administrator_all(
    tmp_path: Path, uow: UnitOfWork, manager: Actor, make_user: Callable[..., Actor],
    importing_admin: Actor,
) -> None:
    clerk = make_user("mgmt1", "management_clerk", "management", display_name="管理部小赵")
    first = _import(uow, manager, _sheet(tmp_path, "一月.csv", "北京华信打印耗材有限公司"))
    second = _import(uow, clerk, _sheet(tmp_path, "二月.csv", "北京博普装饰有限公司",
                                        "北京天成文具有限公司"))
    mine = list_imports(uow=uow, actor=manager)
    assert [(s.id, s.file_name, s.by, s.kind, s.status) for s in mine] == [
        (first, "一月.csv", "总经理", "customers", "done")]
    assert [s.id for s in list_imports(uow=uow, actor=clerk)] == [second]
    everything = list_imports(uow=uow, actor=importing_admin)
    assert [s.id for s in everything] == [second, first]  # newest first
    assert (everything[0].by, everything[0].rows_read, everything[0].created) == \
        ("管理部小赵", 2, 2)
    # Not someone else's: as if there were no such import.
    with pytest.raises(NotFound):
        import_details(uow=uow, actor=manager, batch_id=second)
    assert import_details(uow=uow, actor=importing_admin, batch_id=second) == ()
    assert len(list_imports(uow=uow, actor=importing_admin, limit=1)) == 1


def test_after_an_undo_that_keeps_a_used_record_the_list_counts_it_and_says_why(
    tmp_path: Path, uow: UnitOfWork, manager: Actor,
) -> None:
    batch_id = _import(uow, manager, _sheet(tmp_path, "客户.csv", "北京华信打印耗材有限公司",
                                            "北京博普装饰有限公司", "北京天成文具有限公司"))
    [fresh] = list_imports(uow=uow, actor=manager)
    assert (fresh.rows_read, fresh.created, fresh.updated, fresh.skipped, fresh.refused,
            fresh.kept) == (3, 3, 0, 0, 0, 0)
    assert (fresh.can_undo, fresh.can_close) == (True, False)
    ids = _customer_ids(uow)
    make_visit(uow, manager, ids["北京博普装饰有限公司"], "上门拜访")
    undone = undo_import(uow=uow, actor=manager, batch_id=batch_id)
    assert (undone.undone, len(undone.kept)) == (2, 1)
    [after] = list_imports(uow=uow, actor=manager)
    assert (after.status, after.created, after.kept) == ("partly_undone", 3, 1)
    assert after.can_undo  # once the visit is gone, the rest can be undone
    [kept] = import_details(uow=uow, actor=manager, batch_id=batch_id)
    assert (kept.entity, kept.what, kept.record_id, kept.row_number) == \
        ("customer", "Customer", ids["北京博普装饰有限公司"], 3)
    assert kept.label.endswith(" 北京博普装饰有限公司")
    assert kept.kept_reason == "used since the import (a visit record)"


def test_an_import_cut_off_is_closed_once_stale_then_undone(
    tmp_path: Path, uow: UnitOfWork, engine: Engine, manager: Actor,
) -> None:
    path = _sheet(tmp_path, "断网.csv", "北京华信打印耗材有限公司", "北京博普装饰有限公司",
                  "北京天成文具有限公司")
    batch_id = _cut_off(uow, manager, path)
    [running] = list_imports(uow=uow, actor=manager)
    assert (running.status, running.created, running.can_undo, running.can_close) == \
        ("running", 0, False, False)
    with pytest.raises(ValidationError, match="still running"):
        undo_import(uow=uow, actor=manager, batch_id=batch_id)
    # Just written: it may still be going on.
    with pytest.raises(ValidationError, match="may still be running") as fresh:
        close_interrupted_import(uow=uow, actor=manager, batch_id=batch_id,
                                 expected_version=running.version)
    assert str(fresh.value).startswith("This import last wrote at ")
    # The batch is old, but its newest record was written a minute ago: not yet.
    _age(engine, batch_id, dt.timedelta(minutes=30), records=False)
    with pytest.raises(ValidationError, match="may still be running"):
        close_interrupted_import(uow=uow, actor=manager, batch_id=batch_id,
                                 expected_version=running.version,
                                 now=utcnow() + dt.timedelta(minutes=1))
    # Eleven minutes on, nothing written since.
    closed = close_interrupted_import(uow=uow, actor=manager, batch_id=batch_id,
                                      expected_version=running.version,
                                      now=utcnow() + STALE + dt.timedelta(minutes=1))
    assert (closed.status, closed.created, closed.updated, closed.can_undo) == \
        ("interrupted", 1, 0, True)
    assert closed.version > running.version
    with uow:
        summaries = uow.session.execute(select(AuditEntry.summary).where(
            AuditEntry.entity == "import_batch", AuditEntry.entity_id == batch_id)).scalars().all()
    assert any("as interrupted" in s for s in summaries)
    # Closed: not again.
    with pytest.raises(ValidationError, match="Only an import still marked as running"):
        close_interrupted_import(uow=uow, actor=manager, batch_id=batch_id,
                                 expected_version=closed.version,
                                 now=utcnow() + dt.timedelta(hours=1))
    undone = undo_import(uow=uow, actor=manager, batch_id=batch_id)
    assert (undone.undone, undone.kept) == (1, ())
    assert _customer_ids(uow) == {}
    [after] = list_imports(uow=uow, actor=manager)
    assert (after.status, after.can_undo, after.can_close) == ("undone", False, False)


def test_the_list_offers_closing_only_an_import_silent_for_long_enough(
    tmp_path: Path, uow: UnitOfWork, engine: Engine, manager: Actor,
) -> None:
    batch_id = _cut_off(uow, manager, _sheet(tmp_path, "断网.csv", "北京华信打印耗材有限公司",
                                             "北京博普装饰有限公司"))
    assert not list_imports(uow=uow, actor=manager)[0].can_close
    _age(engine, batch_id, STALE + dt.timedelta(minutes=1))
    assert list_imports(uow=uow, actor=manager)[0].can_close


def test_closing_with_what_another_station_saw_before_is_a_conflict(
    tmp_path: Path, uow: UnitOfWork, manager: Actor, make_user: Callable[..., Actor],
) -> None:
    batch_id = _cut_off(uow, manager, _sheet(tmp_path, "断网.csv", "北京华信打印耗材有限公司",
                                             "北京博普装饰有限公司"))
    [seen] = list_imports(uow=uow, actor=manager)
    later = utcnow() + STALE + dt.timedelta(minutes=1)
    close_interrupted_import(uow=uow, actor=manager, batch_id=batch_id,
                             expected_version=seen.version, now=later)
    with pytest.raises(ConflictError, match="was changed by 总经理"):
        close_interrupted_import(uow=uow, actor=manager, batch_id=batch_id,
                                 expected_version=seen.version, now=later)


def test_a_salesperson_may_not_see_close_or_inspect_imports(
    tmp_path: Path, uow: UnitOfWork, manager: Actor, sales_user: Actor,
) -> None:
    batch_id = _cut_off(uow, manager, _sheet(tmp_path, "断网.csv", "北京华信打印耗材有限公司",
                                             "北京博普装饰有限公司"))
    with pytest.raises(PermissionDenied):
        list_imports(uow=uow, actor=sales_user)
    with pytest.raises(PermissionDenied):
        import_details(uow=uow, actor=sales_user, batch_id=batch_id)
    with pytest.raises(PermissionDenied):
        close_interrupted_import(uow=uow, actor=sales_user, batch_id=batch_id,
                                 expected_version=1,
                                 now=utcnow() + dt.timedelta(hours=1))
    [still] = list_imports(uow=uow, actor=manager)
    assert still.status == "running"

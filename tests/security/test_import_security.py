"""Imports on a secured PostgreSQL server: only a login that may delete customers (the
importers, management) writes import batches and items; a salesperson's own login can
neither plant a batch for an undo to follow nor read anyone's; the import itself works
through the manager's own login."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, func, select

from app.models import AuditEntry, Customer
from app.services.importing.customers import (
    plan_customer_import,
    run_customer_import,
    undo_import,
)
from app.services.uow import UnitOfWork
from tests.security.test_postgres_security import actor, refused, rows

pytestmark = pytest.mark.pg_only

Psql = Callable[[str], psycopg.Connection[Any]]


def test_a_salesperson_login_cannot_write_or_read_imports(psql: Psql) -> None:
    sales = psql("sales1")
    assert "permission denied" in refused(
        sales, "INSERT INTO import_batches (kind, file_name, status, rows_read, created,"
               " updated, skipped, refused, version, created_at, updated_at, created_by_id)"
               " VALUES ('customers', 'x.csv', 'done', 0, 0, 0, 0, 0, 1, now(), now(), 1)")
    assert "permission denied" in refused(sales, "SELECT count(*) FROM import_items")
    assert "permission denied" in refused(sales, "UPDATE import_batches SET status = 'done'")


def test_the_manager_imports_and_undoes_through_their_own_login(
        owner_engine: Engine, person_engine: Callable[[str], Engine], tmp_path: Path,
        psql: Psql) -> None:
    manager = actor(owner_engine, "manager")
    sheet = tmp_path / "customers.csv"
    sheet.write_text("客户名称,联系电话,联系人,手机\n北京云帆办公设备有限公司,010-66667777,"
                     "周云,13912340000\n", encoding="utf-8")
    with UnitOfWork.for_engine(owner_engine) as owner:
        last = owner.session.execute(
            select(func.coalesce(func.max(AuditEntry.id), 0))).scalar_one()
    uow = UnitOfWork.for_engine(person_engine("manager"))
    plan = plan_customer_import(uow=uow, actor=manager, path=sheet)
    result = run_customer_import(uow=uow, actor=manager, plan=plan)
    assert result.created == 1
    with UnitOfWork.for_engine(owner_engine) as owner:
        made = owner.session.execute(select(Customer.name).where(
            Customer.name == "北京云帆办公设备有限公司")).scalars().all()
    assert made == ["北京云帆办公设备有限公司"]
    # The manager's login reads its own batch; nobody else's login can.
    assert rows(psql("manager"), "SELECT status FROM import_batches") == [("done",)]
    undone = undo_import(uow=uow, actor=manager, batch_id=result.batch_id)
    assert (undone.undone, undone.kept) == (1, ())
    with UnitOfWork.for_engine(owner_engine) as owner:
        assert owner.session.execute(select(Customer.id).where(
            Customer.name == "北京云帆办公设备有限公司")).first() is None
        # Every transaction of it was StationCRM's own: nothing reads as changed outside.
        written = owner.session.execute(select(AuditEntry.action, AuditEntry.entity).where(
            AuditEntry.id > last)).all()
    assert ("import", "import_batch") in written
    assert [w for w in written if w.action == "db_change"] == []

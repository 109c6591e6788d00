"""The pinyin search keys on a secured PostgreSQL server: every login reads them (ids and
the pinyin of names the directory shows everyone anyway), only those who save customers or
products write them, and a search through a person's own login lists a colleague's
customer restricted, as everywhere."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, select, text

from app.models import Customer
from app.services.customers import search_customers
from app.services.uow import UnitOfWork
from tests.security.test_postgres_security import actor, refused, rows

pytestmark = pytest.mark.pg_only

Psql = Callable[[str], psycopg.Connection[Any]]


def test_every_login_reads_the_keys_and_only_name_writers_write_them(psql: Psql) -> None:
    tech = psql("tech1")
    assert rows(tech, "SELECT count(*) FROM search_keys WHERE owner_kind = 'c'")[0][0] > 0
    assert "permission denied" in refused(
        tech, "INSERT INTO search_keys (owner_kind, owner_id, term, pos) VALUES ('c', 1, 'x', 0)")
    assert "permission denied" in refused(tech, "DELETE FROM search_keys")
    assert "permission denied" in refused(tech, "UPDATE search_keys SET term = 'x'")
    # The table says nothing the directory does not: ids and ASCII pinyin, and the sort
    # key every login reads in the directory.
    columns = rows(tech, "SELECT column_name FROM information_schema.columns"
                         " WHERE table_name = 'search_keys' ORDER BY ordinal_position")
    assert [c for (c,) in columns] == ["id", "owner_kind", "owner_id", "term", "pos",
                                       "sort_key"]
    assert rows(tech, "SELECT count(*) FROM search_keys k JOIN customer_directory d"
                      " ON d.id = k.owner_id WHERE k.owner_kind = 'c'"
                      " AND k.sort_key <> d.sort_key")[0][0] == 0


def test_every_login_reads_the_name_suffixes_and_only_customer_writers_write_them(
        psql: Psql) -> None:
    tech = psql("tech1")
    assert rows(tech, "SELECT count(*) FROM name_suffixes WHERE owner_kind = 'c'")[0][0] > 0
    assert "permission denied" in refused(
        tech, "INSERT INTO name_suffixes (owner_kind, owner_id, suffix, pos)"
              " VALUES ('c', 1, 'x', 0)")
    assert "permission denied" in refused(tech, "DELETE FROM name_suffixes")
    sales = psql("sales1")
    assert "permission denied" in refused(sales, "UPDATE name_suffixes SET suffix = 'x'")
    columns = rows(tech, "SELECT column_name FROM information_schema.columns"
                         " WHERE table_name = 'name_suffixes' ORDER BY ordinal_position")
    assert [c for (c,) in columns] == ["id", "owner_kind", "owner_id", "suffix", "pos",
                                       "sort_key"]


def test_a_person_finds_a_colleagues_customer_by_a_piece_of_its_name_restricted(
        owner_engine: Engine, person_engine: Callable[[str], Engine]) -> None:
    sales1 = actor(owner_engine, "sales1")
    with UnitOfWork.for_engine(owner_engine) as uow:
        name = uow.session.execute(
            select(Customer.name)
            .where(Customer.owner_id != sales1.user_id, Customer.kind == "company")
            .order_by(Customer.id).limit(1)).scalar_one()
    piece = name[2:5]
    mine = UnitOfWork.for_engine(person_engine("sales1"))
    found = {r.name: r for r in search_customers(uow=mine, actor=sales1, text=piece,
                                                 limit=500).rows}
    assert name in found
    assert found[name].restricted and found[name].phone is None


def test_a_person_finds_a_colleagues_customer_by_pinyin_restricted(
        owner_engine: Engine, person_engine: Callable[[str], Engine]) -> None:
    sales1 = actor(owner_engine, "sales1")
    with UnitOfWork.for_engine(owner_engine) as uow:
        name, initials = uow.session.execute(
            select(Customer.name, Customer.core_initials)
            .where(Customer.owner_id != sales1.user_id, Customer.kind == "company")
            .order_by(Customer.id).limit(1)).one()
    mine = UnitOfWork.for_engine(person_engine("sales1"))
    found = {r.name: r for r in search_customers(uow=mine, actor=sales1, text=initials,
                                                 limit=500).rows}
    assert name in found
    assert found[name].restricted and found[name].phone is None


# --- the outside-change audit of the search tables, taken per statement ------------------------


def _since(owner_engine: Engine) -> int:
    with owner_engine.begin() as conn:
        return int(conn.execute(text("SELECT COALESCE(max(id), 0) FROM audit_log")).scalar_one())


def _outside_since(owner_engine: Engine, last: int) -> list[Any]:
    with owner_engine.begin() as conn:
        return list(conn.execute(text(
            "SELECT entity, entity_id, user_id, db_principal, summary, changes FROM audit_log"
            " WHERE id > :last AND action = 'db_change' ORDER BY id"), {"last": last}))


def _pending(owner_engine: Engine) -> int:
    with owner_engine.begin() as conn:
        return int(conn.execute(text("SELECT count(*) FROM crmsec.outside_pending"))
                   .scalar_one())


def _own_customer(owner_engine: Engine, username: str) -> tuple[int, int]:
    person = actor(owner_engine, username)
    with owner_engine.begin() as conn:
        cid = conn.execute(select(Customer.id).where(Customer.owner_id == person.user_id)
                           .order_by(Customer.id).limit(1)).scalar_one()
    return person.user_id, cid


def test_search_rows_changed_with_psql_are_audited_row_by_row(
        psql: Psql, owner_engine: Engine, login_of: Callable[[str], str]) -> None:
    # The search tables are checked once per statement (an import's chunk writes tens of
    # thousands of their rows), but what a SQL tool changes there is recorded row by row,
    # with the values, as on every other table.
    user_id, cid = _own_customer(owner_engine, "sales1")
    last = _since(owner_engine)
    sales = psql("sales1")
    ids = [i for (i,) in rows(sales, "INSERT INTO phone_suffixes (customer_id, suffix)"
                                     " VALUES (%s, '90001'), (%s, '90002') RETURNING id",
                              cid, cid)]
    sales.execute("UPDATE phone_suffixes SET suffix = '90003' WHERE id = %s", (ids[0],))
    sales.execute("DELETE FROM phone_suffixes WHERE id = ANY(%s)", (ids,))
    entries = _outside_since(owner_engine, last)
    assert sorted((e.summary.split(" #")[0], e.entity_id) for e in entries) == sorted([
        ("INSERT phone_suffixes", ids[0]), ("INSERT phone_suffixes", ids[1]),
        ("UPDATE phone_suffixes", ids[0]),
        ("DELETE phone_suffixes", ids[0]), ("DELETE phone_suffixes", ids[1])])
    assert {(e.entity, e.user_id, e.db_principal) for e in entries} == {
        ("phone_suffixes", user_id, login_of("sales1"))}
    [updated] = [e for e in entries if e.summary.startswith("UPDATE")]
    assert '"suffix": ["90001", "90003"]' in updated.changes
    assert _pending(owner_engine) == 0
    # What is kept until COMMIT is out of every login's reach.
    assert "permission denied" in refused(sales, "SELECT * FROM crmsec.outside_pending")
    assert "permission denied" in refused(sales, "DELETE FROM crmsec.outside_pending")


@pytest.mark.parametrize("audit_first", [True, False], ids=["audit first", "audit last"])
def test_search_rows_written_with_an_audit_row_are_not_outside_changes(
        psql: Psql, owner_engine: Engine, audit_first: bool) -> None:
    # StationCRM writes its audit row before an import chunk's search rows, and after a
    # card's few: either way the transaction is its own, and nothing is reported.
    user_id, cid = _own_customer(owner_engine, "sales1")
    last = _since(owner_engine)
    sales = psql("sales1")
    audit_row = ("INSERT INTO audit_log (at, user_id, action, entity, entity_id, summary)"
                 " VALUES (now(), %s, 'update', 'customer', %s, 'search keys test')")
    with sales.transaction():
        if audit_first:
            sales.execute(audit_row, (user_id, cid))
        sales.execute("INSERT INTO search_keys (owner_kind, owner_id, term, pos)"
                      " VALUES ('c', %s, 'zzneibu', 0), ('c', %s, 'zzneibu', 1)", (cid, cid))
        sales.execute("DELETE FROM search_keys WHERE term = 'zzneibu'")
        if not audit_first:
            sales.execute(audit_row, (user_id, cid))
    assert _outside_since(owner_engine, last) == []
    assert _pending(owner_engine) == 0

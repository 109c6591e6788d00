"""The pinyin search keys on a secured PostgreSQL server: every login reads them (ids and
the pinyin of names the directory shows everyone anyway), only those who save customers or
products write them, and a search through a person's own login lists a colleague's
customer restricted, as everywhere."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, select

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
    # The table says nothing the directory does not: ids and ASCII pinyin.
    columns = rows(tech, "SELECT column_name FROM information_schema.columns"
                         " WHERE table_name = 'search_keys' ORDER BY ordinal_position")
    assert [c for (c,) in columns] == ["id", "owner_kind", "owner_id", "term", "pos"]


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
    assert [c for (c,) in columns] == ["id", "owner_kind", "owner_id", "suffix", "pos"]


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

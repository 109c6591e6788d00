"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import (
    Column,
    Index,
    MetaData,
    Unicode,
    UniqueConstraint,
    create_engine,
    event,
    inspect,
    pool,
    text,
)
from sqlalchemy.exc import OperationalError

from app import schema
from app.migrations import SCRIPT_LOCATION
from app.models.base import Base

PG_SERVER = "127.0.0.1:5432"
PG_ADMIN_URL = f"postgresql+psycopg://postgres@{PG_SERVER}/postgres"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'station.sqlite3'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    import psycopg

    name = f"alembic_h_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=pool.NullPool)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        if isinstance(exc.orig, psycopg.OperationalError):
            pytest.skip(f"PostgreSQL at {PG_SERVER} is unreachable: {exc.orig}")
        raise
    try:
        yield f"postgresql+psycopg://postgres@{PG_SERVER}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg_only)])
def empty_db_url(request: pytest.FixtureRequest) -> str:
    """An empty database of each supported kind we can run here."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(fixture)
    return url


def _tables(url: str) -> set[str]:
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _copy_of_models() -> MetaData:
    copy = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(copy)
    return copy


def test_upgrade_creates_every_model_table_and_check_finds_nothing(empty_db_url: str) -> None:
    schema.upgrade(empty_db_url)

    assert _tables(empty_db_url) == set(Base.metadata.tables) | {"alembic_version"}
    assert schema.check(empty_db_url) == []
    engine = create_engine(empty_db_url, poolclass=pool.NullPool)
    try:
        assert schema.current_revision(engine) == schema.head_revision()
    finally:
        engine.dispose()


def test_indexes_and_unique_constraints_get_the_model_names(empty_db_url: str) -> None:
    schema.upgrade(empty_db_url)

    engine = create_engine(empty_db_url, poolclass=pool.NullPool)
    try:
        inspector = inspect(engine)
        for table in Base.metadata.sorted_tables:
            indexes = {index["name"] for index in inspector.get_indexes(table.name)}
            assert {index.name for index in table.indexes} <= indexes, table.name
            uniques = {uq["name"] for uq in inspector.get_unique_constraints(table.name)}
            expected = {c.name for c in table.constraints if isinstance(c, UniqueConstraint)}
            assert expected <= uniques, table.name
    finally:
        engine.dispose()


def test_downgrade_to_base_then_upgrade_again(empty_db_url: str) -> None:
    schema.upgrade(empty_db_url)

    schema.downgrade(empty_db_url, "base")
    assert _tables(empty_db_url) == {"alembic_version"}
    engine = create_engine(empty_db_url, poolclass=pool.NullPool)
    try:
        assert schema.current_revision(engine) is None
    finally:
        engine.dispose()

    schema.upgrade(empty_db_url)
    assert _tables(empty_db_url) == set(Base.metadata.tables) | {"alembic_version"}
    assert schema.check(empty_db_url) == []


def test_check_reports_a_column_added_to_a_model_without_a_migration(empty_db_url: str) -> None:
    schema.upgrade(empty_db_url)
    models = _copy_of_models()
    models.tables["customers"].append_column(Column("fax", Unicode(40), nullable=True))

    problems = schema.check(empty_db_url, metadata=models)

    assert len(problems) == 1, problems
    assert problems[0].startswith("column customers.fax (")
    assert problems[0].endswith("is missing from the database")


def test_check_reports_changed_types_nullability_and_removed_indexes(empty_db_url: str) -> None:
    schema.upgrade(empty_db_url)
    models = _copy_of_models()
    customers = models.tables["customers"]
    customers.c.name.type = Unicode(300)
    customers.c.industry.nullable = False
    index = next(i for i in customers.indexes if i.name == "ix_customers_phone_digits")
    customers.indexes.remove(index)
    Index("ix_customers_email", customers.c.email)

    problems = schema.check(empty_db_url, metadata=models)

    assert len(problems) == 4, problems
    assert any(
        p.startswith("column customers.name: type is VARCHAR(200) in the database")
        and p.endswith("VARCHAR(300) in the models")
        for p in problems
    ), problems
    assert (
        "column customers.industry: nullable is NULL in the database, NOT NULL in the models"
        in problems
    )
    assert (
        "index ix_customers_phone_digits on customers(phone_digits)"
        " is in the database but not in the models" in problems
    )
    assert "index ix_customers_email on customers(email) is missing from the database" in problems


def test_check_reports_an_unmigrated_database(sqlite_url: str) -> None:
    problems = schema.check(sqlite_url)

    assert problems[0] == (
        "the database is at revision (none: never migrated),"
        f" the newest migration is {schema.head_revision()}"
    )
    # Each missing table once; its indexes are not listed separately.
    assert sorted(problems[1:]) == sorted(
        f"table {name} is missing from the database" for name in Base.metadata.tables
    )


def test_ensure_schema_migrates_an_empty_database_once(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url, poolclass=pool.NullPool)
    try:
        assert schema.ensure_schema(engine) is True
        assert schema.current_revision(engine) == schema.head_revision()
        assert schema.ensure_schema(engine) is False
    finally:
        engine.dispose()
    assert schema.check(sqlite_url) == []


def test_upgrade_refuses_a_database_migrated_by_a_newer_program(sqlite_url: str) -> None:
    schema.upgrade(sqlite_url)
    engine = create_engine(sqlite_url, poolclass=pool.NullPool)
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = 'f00dfeedbeef'"))
        with pytest.raises(schema.SchemaError, match="f00dfeedbeef.*newer StationCRM"):
            schema.ensure_schema(engine)
    finally:
        engine.dispose()


def test_upgrade_refuses_tables_made_without_alembic(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url, poolclass=pool.NullPool)
    try:
        Base.metadata.create_all(engine)
        with pytest.raises(schema.SchemaError, match="no schema revision"):
            schema.upgrade(engine)
        assert schema.current_revision(engine) is None
    finally:
        engine.dispose()


def test_revisions_form_one_line_and_never_import_app_code() -> None:
    script = ScriptDirectory.from_config(schema.alembic_config())
    revision_files = [
        path for path in (SCRIPT_LOCATION / "versions").glob("*.py") if path.name != "__init__.py"
    ]

    assert script.get_heads() == [schema.head_revision()]
    assert len(script.get_bases()) == 1
    # Walking down from the head reaches every revision file: no orphans, no branches.
    assert len(list(script.walk_revisions())) == len(revision_files) >= 1
    for path in revision_files:
        # A revision must keep working after the models change, so it may not import them.
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import)\s+app\b", source, re.MULTILINE), path.name


def test_a_failed_upgrade_leaves_no_half_built_schema(empty_db_url: str) -> None:
    # The last statement of the initial migration creates this index; make it collide.
    engine = create_engine(empty_db_url, poolclass=pool.NullPool)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE squatter (x INTEGER)"))
            connection.execute(text("CREATE INDEX ix_payment_allocations_ticket ON squatter (x)"))

        with pytest.raises(Exception, match="ix_payment_allocations_ticket"):
            schema.upgrade(engine)

        assert _tables(empty_db_url) == {"squatter"}
        assert schema.current_revision(engine) is None
    finally:
        engine.dispose()


def test_sqlite_foreign_keys_stay_enforced_after_migrating(sqlite_url: str) -> None:
    # Migrations switch SQLite foreign keys off (batch table rebuilds); the station's
    # connection must get them back.
    engine = create_engine(sqlite_url, poolclass=pool.StaticPool)

    @event.listens_for(engine, "connect")
    def _enforce(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

    try:
        schema.upgrade(engine)
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()

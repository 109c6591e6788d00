"""The offline DDL a DBA runs on SQL Server (and PostgreSQL) builds the whole schema correctly.

No SQL Server runs here; these tests read the DDL Alembic prints for it and look for what
SQL Server needs (NVARCHAR for human text, IDENTITY, ``GO``) and what it rejects.
"""

from __future__ import annotations

import io
import re
import sys
from collections import defaultdict

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKeyConstraint,
    Numeric,
    String,
    Unicode,
    UnicodeText,
)

from app import schema
from app.models.base import Base, UTCDateTime

MSSQL_URL = "mssql+pyodbc://user:pw@dbhost/stationcrm?driver=ODBC+Driver+18+for+SQL+Server"
PG_URL = "postgresql+psycopg://user:pw@dbhost/stationcrm"
MONEY_COLUMNS = [
    "products.cost_price",
    "products.list_price",
    "orders.total_amount",
    "order_lines.unit_price",
    "order_lines.line_cost",
    "payments.amount",
    "payment_allocations.amount",
    "service_tickets.total_charge",
    "service_contracts.fee",
]
CREATE_TABLE = re.compile(r"^CREATE TABLE (\w+) \((.*?)\n\);$", re.MULTILINE | re.DOTALL)
COLUMN_LINE = re.compile(r"^\s+\[?(\w+)\]? (.+?)(?:,\s*)?$")
ADD_COLUMN = re.compile(r"^ALTER TABLE (\w+) ADD (?:COLUMN )?\[?(\w+)\]? (.+?);$", re.MULTILINE)


def _offline_ddl(url: str) -> str:
    out = io.StringIO()
    schema.upgrade_sql(url, out)
    return out.getvalue()


@pytest.fixture(scope="module")
def mssql_ddl() -> str:
    return _offline_ddl(MSSQL_URL)


@pytest.fixture(scope="module")
def pg_ddl() -> str:
    return _offline_ddl(PG_URL)


def _column_types(ddl: str) -> dict[str, dict[str, str]]:
    """{table: {column: rendered type and modifiers}} from the CREATE TABLE statements."""
    tables: dict[str, dict[str, str]] = defaultdict(dict)
    for name, body in CREATE_TABLE.findall(ddl):
        for line in body.splitlines():
            match = COLUMN_LINE.match(line)
            if match and not line.strip().startswith("CONSTRAINT"):
                tables[name][match.group(1)] = match.group(2)
    # Columns later revisions add to an existing table.
    for name, column, rendered in ADD_COLUMN.findall(ddl):
        tables[name][column] = rendered
    return tables


def _model_columns() -> list[tuple[str, Column[object]]]:
    return [
        (table.name, column) for table in Base.metadata.sorted_tables for column in table.columns
    ]


def test_every_table_is_created(mssql_ddl: str, pg_ddl: str) -> None:
    expected = set(Base.metadata.tables) | {"alembic_version"}
    assert {name for name, _ in CREATE_TABLE.findall(mssql_ddl)} == expected
    assert {name for name, _ in CREATE_TABLE.findall(pg_ddl)} == expected


def test_every_model_column_is_created(mssql_ddl: str) -> None:
    columns = _column_types(mssql_ddl)
    for table in Base.metadata.sorted_tables:
        assert set(columns[table.name]) == {c.name for c in table.columns}, table.name


def test_human_text_is_nvarchar(mssql_ddl: str) -> None:
    columns = _column_types(mssql_ddl)
    unicode_columns = [
        (table, column)
        for table, column in _model_columns()
        if isinstance(column.type, Unicode | UnicodeText)
    ]
    assert len(unicode_columns) > 50  # the models are read, not an empty list

    for table, column in unicode_columns:
        rendered = columns[table][column.name]
        if isinstance(column.type, UnicodeText):
            assert rendered.startswith("NVARCHAR(max) "), f"{table}.{column.name}: {rendered}"
        else:
            assert isinstance(column.type, Unicode)
            expected = f"NVARCHAR({column.type.length}) "
            assert rendered.startswith(expected), f"{table}.{column.name}: {rendered}"


def test_codes_and_enums_are_plain_varchar(mssql_ddl: str) -> None:
    columns = _column_types(mssql_ddl)
    for table, column in _model_columns():
        if isinstance(column.type, String) and not isinstance(column.type, Unicode | UnicodeText):
            rendered = columns[table][column.name]
            assert rendered.startswith(f"VARCHAR({column.type.length}) "), (
                f"{table}.{column.name}: {rendered}"
            )
            if isinstance(column.type, Enum):
                assert column.type.length == 20


def test_money_is_numeric_14_2(mssql_ddl: str, pg_ddl: str) -> None:
    for ddl in (mssql_ddl, pg_ddl):
        rendered = _column_types(ddl)
        for qualified in MONEY_COLUMNS:
            table_name, column_name = qualified.split(".")
            assert rendered[table_name][column_name].startswith("NUMERIC(14, 2) "), qualified
    columns = _column_types(mssql_ddl)
    for table, column in _model_columns():
        if isinstance(column.type, Numeric):
            expected = f"NUMERIC({column.type.precision}, {column.type.scale}) "
            assert columns[table][column.name].startswith(expected), f"{table}.{column.name}"


def test_dates_timestamps_and_flags_use_sql_server_types(mssql_ddl: str) -> None:
    columns = _column_types(mssql_ddl)
    expected_prefix = {Date: "DATE ", UTCDateTime: "DATETIMEOFFSET ", Boolean: "BIT "}
    seen = set()
    for table, column in _model_columns():
        for model_type, prefix in expected_prefix.items():
            if isinstance(column.type, model_type):
                rendered = columns[table][column.name]
                assert rendered.startswith(prefix), f"{table}.{column.name}: {rendered}"
                seen.add(model_type)
    assert seen == set(expected_prefix)
    naive = [
        f"{table}.{column.name}"
        for table, column in _model_columns()
        if isinstance(column.type, DateTime) and not column.type.timezone
    ]
    assert not naive, "a naive DateTime is DATETIME on SQL Server and loses the offset"


def test_ids_are_identity_primary_keys(mssql_ddl: str) -> None:
    columns = _column_types(mssql_ddl)
    for table in Base.metadata.sorted_tables:
        assert columns[table.name]["id"] == "INTEGER NOT NULL IDENTITY", table.name
        assert f"CONSTRAINT pk_{table.name} PRIMARY KEY (id)" in mssql_ddl


@pytest.mark.parametrize(
    ("construct", "pattern"),
    [
        ("TEXT / NTEXT (deprecated large types)", r"\bN?TEXT\b"),
        ("BOOLEAN", r"\bBOOLEAN\b"),
        ("TIMESTAMP WITH TIME ZONE", r"\bTIMESTAMP\b"),
        ("SERIAL", r"\b(BIG)?SERIAL\b"),
        ("native enum type", r"\bCREATE TYPE\b|\bENUM\s*\("),
        ("DATETIME (offline SQL Server 2000 fallback)", r"\bDATETIME\b"),
    ],
)
def test_no_construct_sql_server_rejects(mssql_ddl: str, construct: str, pattern: str) -> None:
    found = re.findall(pattern, mssql_ddl)
    assert not found, f"{construct} in the SQL Server DDL: {found[:3]}"


def test_statements_are_separated_by_go(mssql_ddl: str) -> None:
    statements = [s.strip() for s in re.split(r"^GO$", mssql_ddl, flags=re.MULTILINE)]
    statements = [s for s in statements if s]
    creates = [s for s in statements if "CREATE " in s]
    # One CREATE per batch: every table and every index of the models and alembic_version,
    # plus the views and triggers the migrations make (CREATE VIEW / TRIGGER must open
    # their batch on SQL Server).
    tables_and_indexes = [s for s in creates if re.search(r"\bCREATE (TABLE|(UNIQUE )?INDEX)\b", s)]
    expected = (
        len(Base.metadata.tables) + 1 + sum(len(t.indexes) for t in Base.metadata.tables.values())
    )
    # An index a later revision drops (to alter a column it covers) and makes again.
    remade = re.findall(r"^DROP INDEX (\w+) ON \w+;$", mssql_ddl, re.MULTILINE)
    assert len(tables_and_indexes) == expected + len(remade)
    others = [s for s in creates if s not in tables_and_indexes]
    assert others and all(
        re.search(r"^(CREATE (OR ALTER )?(VIEW|TRIGGER)\b"
                  r"|IF OBJECT_ID\(N'dbo\.\w+', N'V'\) IS NULL EXEC\(N'CREATE VIEW )",
                  s, re.MULTILINE)
        for s in others), [s[:60] for s in others]
    assert any("\nCREATE VIEW customer_directory AS SELECT id, code, name," in f"\n{s}"
               for s in creates)
    assert all(s.count("CREATE ") == 1 for s in creates)
    # One transaction, then NOEXEC off again (app.sqlserver.ddl_script; test_sqlserver_kit).
    assert statements[-2:] == ["COMMIT;", "SET NOEXEC OFF;"]
    assert mssql_ddl.rstrip().endswith("\nGO")


def test_every_index_is_created(mssql_ddl: str) -> None:
    for table in Base.metadata.sorted_tables:
        for index in table.indexes:
            columns = ", ".join(c.name for c in index.columns)
            unique = "UNIQUE " if index.unique else ""
            where = index.dialect_options["mssql"]["where"]
            filtered = f" WHERE {where}" if where is not None else ""
            assert (f"CREATE {unique}INDEX {index.name} ON {table.name} ({columns}){filtered};"
                    in mssql_ddl)


def test_offline_ddl_loads_no_database_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    # Any attempt to import pyodbc (to connect) would now fail.
    monkeypatch.setitem(sys.modules, "pyodbc", None)
    ddl = _offline_ddl(MSSQL_URL)
    assert "NVARCHAR(max)" in ddl


def test_postgresql_ddl_is_produced(pg_ddl: str) -> None:
    columns = _column_types(pg_ddl)
    assert columns["customers"]["name"] == "VARCHAR(200) NOT NULL"
    assert columns["customers"]["notes"] == "TEXT"
    assert columns["service_tickets"]["received_at"] == "TIMESTAMP WITH TIME ZONE NOT NULL"
    assert columns["orders"]["id"] == "SERIAL NOT NULL"
    assert "NVARCHAR" not in pg_ddl
    assert "\nGO\n" not in pg_ddl
    assert pg_ddl.lstrip().startswith("BEGIN;")
    assert pg_ddl.rstrip().endswith("COMMIT;")
    # The last revision of the chain leaves the database stamped at head.
    assert f"SET version_num='{schema.head_revision()}'" in pg_ddl or (
        f"INSERT INTO alembic_version (version_num) VALUES ('{schema.head_revision()}')" in pg_ddl)


# --- portability rules SQL Server enforces on the models themselves ----------------------


def test_constraint_and_index_names_fit_every_database() -> None:
    # PostgreSQL truncates names over 63 characters, so they would differ between databases.
    tables = Base.metadata.tables.values()
    names = [str(c.name) for table in tables for c in table.constraints]
    names += [str(index.name) for table in tables for index in table.indexes]
    assert len(names) == len(set(names)), "constraint and index names must be unique"
    assert max(len(name) for name in names) <= 63


def test_no_table_is_reached_by_two_cascading_paths() -> None:
    # SQL Server refuses a foreign key with ON DELETE CASCADE/SET NULL that creates a
    # cycle or a second cascading path to a table (error 1785).
    cascading: dict[str, set[str]] = defaultdict(set)  # parent -> children
    for table in Base.metadata.tables.values():
        for constraint in table.constraints:
            if isinstance(constraint, ForeignKeyConstraint) and constraint.ondelete not in (
                None,
                "NO ACTION",
            ):
                parent = constraint.referred_table.name
                assert parent != table.name, f"self-referencing cascade on {table.name}"
                cascading[parent].add(table.name)

    def paths_to(start: str) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        stack = [start]
        while stack:
            for child in cascading.get(stack.pop(), ()):
                counts[child] += 1
                assert counts[child] < 100, f"cascade cycle through {child}"
                stack.append(child)
        return counts

    assert cascading, "the models do use ON DELETE CASCADE"
    for parent in list(cascading):
        twice = {table: n for table, n in paths_to(parent).items() if n > 1}
        assert not twice, f"{parent} cascades to {twice} by more than one path"


def test_the_list_sort_index_ends_carrying_the_list_columns_on_both_servers(
        mssql_ddl: str, pg_ddl: str) -> None:
    """A page of the customer list is an index-only scan on a server: the last definition
    of its sort index carries every column the page shows (migration a8d3f1c7e592)."""
    for ddl in (mssql_ddl, pg_ddl):
        created = re.findall(r"^CREATE INDEX ix_customers_sort_key ON customers (.*);$", ddl,
                             re.MULTILINE)
        assert created[-1] == ("(sort_key, id, name, short_name, phone_digits) INCLUDE "
                               "(code, customer_class, source, status, owner_id, phone)")


def test_the_phone_order_index_ends_carrying_the_list_columns_on_both_servers(
        mssql_ddl: str, pg_ddl: str) -> None:
    """A page of the customer list sorted by phone reads its index alone on a server: the
    last definition of ix_customers_phone carries every other column the page shows
    (migration b5d8e2f4a613)."""
    for ddl in (mssql_ddl, pg_ddl):
        created = re.findall(r"^CREATE INDEX ix_customers_phone ON customers (.*);$", ddl,
                             re.MULTILINE)
        assert created[-1] == ("(phone, id) INCLUDE (code, name, short_name, customer_class, "
                               "source, status, owner_id, sort_key)")


def test_the_search_rows_carry_the_sort_key_at_the_end_of_their_lookup_indexes(
        mssql_ddl: str, pg_ddl: str) -> None:
    """A text found in thousands of customers picks its first page in pinyin order from
    the lookup index alone: each search table gets its record's sort key, filled before
    the index is made again ending with it (migration c9e4a7f2b318)."""
    lookups = {"search_keys": "(owner_kind, term, pos, owner_id, sort_key)",
               "name_suffixes": "(owner_kind, suffix, pos, owner_id, sort_key)",
               "phone_suffixes": "(suffix, customer_id, sort_key)"}
    for ddl in (mssql_ddl, pg_ddl):
        for table, columns in lookups.items():
            created = re.findall(rf"^CREATE INDEX ix_{table}_lookup ON {table} (.*);$", ddl,
                                 re.MULTILINE)
            assert created[-1] == columns
            added = ddl.index(f"ALTER TABLE {table} ADD")
            filled = ddl.index(f"UPDATE {table} SET sort_key = (SELECT")
            assert added < filled < ddl.rindex(f"CREATE INDEX ix_{table}_lookup")
    assert "ALTER TABLE phone_suffixes ADD sort_key VARCHAR(400) NOT NULL DEFAULT ''" in mssql_ddl

"""The SQL Server kit (issue 13, item 6), without a SQL Server.

- the DDL script is all or nothing: ``SET XACT_ABORT ON`` first, and after each statement
  a check that stops the rest once an error has rolled the transaction back; the security
  script starts with ``SET XACT_ABORT ON`` too;
- ``db check`` states and checks the server version, the collation and
  READ_COMMITTED_SNAPSHOT: the checks read the query's answer (fakes here), the query
  compiles for SQL Server; on other engines nothing new is said;
- every foreign-key column leads an index;
- one sales plan per owner, customer and period means the same on every engine;
- every index key fits SQL Server's 1 700 bytes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
import sqlglot
from sqlalchemy import (
    Boolean,
    Date,
    Engine,
    Enum,
    Integer,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Unicode,
    UnicodeText,
    UniqueConstraint,
    create_engine,
    insert,
)
from sqlalchemy.exc import IntegrityError
from sqlglot.errors import ErrorLevel

from app import cli, schema, sqlserver
from app.models.base import Base, UTCDateTime, utcnow
from app.models.enums import PlanPeriod
from app.models.sales import SalesPlan
from app.security import mssql
from app.services.customers import CustomerDraft, create_customer
from app.services.permissions import DEFAULT_ROLES
from app.sqlserver import DDL_GUARD, Finding, ServerFacts
from tests.mssql_guard import compile_for_mssql

MSSQL_URL = "mssql+pyodbc://user:pw@dbhost/stationcrm?driver=ODBC+Driver+18+for+SQL+Server"
PG_URL = "postgresql+psycopg://user:pw@dbhost/stationcrm"


@pytest.fixture(scope="module")
def mssql_ddl() -> str:
    out = io.StringIO()
    schema.upgrade_sql(MSSQL_URL, out)
    return out.getvalue()


def _batches(sql: str) -> list[str]:
    return [b.strip() for b in re.split(r"^GO$", sql, flags=re.MULTILINE) if b.strip()]


def _code(batch: str) -> str:
    """The batch without its comment lines."""
    return "\n".join(line for line in batch.splitlines()
                     if not line.lstrip().startswith("--")).strip()


def _tsql(statement: str) -> None:
    sqlglot.parse(statement, read="tsql", error_level=ErrorLevel.RAISE)


# --- item 2: SET XACT_ABORT ON and all or nothing --------------------------------------


def test_the_ddl_script_starts_with_xact_abort_and_the_options_filtered_indexes_need(
        mssql_ddl: str) -> None:
    first = _code(_batches(mssql_ddl)[0])
    statements = [s.strip() for s in first.split(";") if s.strip()]
    assert statements[0] == "SET XACT_ABORT ON"
    # sqlcmd connects with QUOTED_IDENTIFIER OFF: CREATE INDEX ... WHERE would fail.
    for option in ("ANSI_NULLS ON", "QUOTED_IDENTIFIER ON", "ANSI_PADDING ON",
                   "ANSI_WARNINGS ON", "CONCAT_NULL_YIELDS_NULL ON", "ARITHABORT ON",
                   "NUMERIC_ROUNDABORT OFF"):
        assert f"SET {option}" in statements, option
    assert "CREATE UNIQUE INDEX" in mssql_ddl and " WHERE " in mssql_ddl
    _tsql(first)


def test_after_every_statement_a_failed_transaction_stops_the_rest(mssql_ddl: str) -> None:
    batches = _batches(mssql_ddl)
    assert _code(batches[1]).startswith("BEGIN TRANSACTION;")
    assert batches[-2:] == ["COMMIT;", "SET NOEXEC OFF;"]
    work = batches[1:-2]
    # Statement, guard, statement, guard, ... and the COMMIT without a guard after it.
    statements, guards = work[0::2], work[1::2]
    assert len(statements) == len(guards) > 100
    assert set(guards) == {DDL_GUARD}
    assert all(DDL_GUARD not in s for s in statements)
    _tsql(DDL_GUARD)
    _tsql("SET NOEXEC OFF;")


def test_ddl_script_wraps_a_small_script_exactly() -> None:
    alembic = "BEGIN TRANSACTION;\n\nCREATE TABLE t (id INTEGER);\n\nGO\n\nCOMMIT;\n\nGO\n"
    batches = _batches(sqlserver.ddl_script(alembic))
    assert [_code(b).splitlines()[0] for b in batches] == [
        "SET XACT_ABORT ON;", "BEGIN TRANSACTION;", DDL_GUARD, "COMMIT;", "SET NOEXEC OFF;"]


def test_the_postgresql_ddl_is_not_wrapped() -> None:
    out = io.StringIO()
    schema.upgrade_sql(PG_URL, out)
    assert out.getvalue().lstrip().startswith("BEGIN;")
    assert "XACT_ABORT" not in out.getvalue() and "NOEXEC" not in out.getvalue()


def test_the_security_script_sets_xact_abort_before_anything_else() -> None:
    script = mssql.script(mssql.MssqlNames(database="stationcrm", role_prefix="crm_"),
                          [t.name for t in Base.metadata.sorted_tables],
                          [r.code for r in DEFAULT_ROLES], ["admin"])
    code = [line for line in script.splitlines()
            if line.strip() and not line.lstrip().startswith("--")]
    assert code[0] == "SET XACT_ABORT ON;"
    assert code[1] == "USE [stationcrm];"


# --- item 3: db check on SQL Server -------------------------------------------------------

GOOD = ServerFacts(product_version="15.0.2000.5", engine_edition=4,
                   edition="Express Edition (64-bit)", database="stationcrm",
                   collation="Chinese_PRC_CI_AS", read_committed_snapshot=True,
                   compatibility_level=150)


def _levels(findings: list[Finding]) -> dict[str, str]:
    return {f.subject: f.level for f in findings}


def test_a_suitable_server_passes_and_each_fact_is_stated() -> None:
    findings = sqlserver.evaluate(GOOD)
    assert _levels(findings) == {"server version": "ok", "database collation": "ok",
                                 "READ_COMMITTED_SNAPSHOT": "ok"}
    lines = [f.line() for f in findings]
    assert "15.0.2000.5 (Express Edition (64-bit))" in lines[0]
    assert "SQL Server 2016 SP1 (13.0.4001) or later" in lines[0]
    assert "Chinese_PRC_CI_AS" in lines[1]
    assert "do not block writers" in lines[2]


@pytest.mark.parametrize(("version", "edition", "level"), [
    ("11.0.7001.0", 3, "problem"),   # 2012
    ("12.0.6024.0", 3, "problem"),   # 2014
    ("13.0.1601.5", 4, "problem"),   # 2016 RTM: no CREATE OR ALTER
    ("13.0.4001.0", 4, "ok"),        # 2016 SP1
    ("14.0.3465.1", 2, "ok"),
    ("16.0.1000.6", 4, "ok"),
    ("12.0.2000.8", 5, "ok"),        # Azure SQL Database reports 12.0
    ("12.0.2000.8", 8, "ok"),        # Azure SQL Managed Instance
    (None, None, "warning"),
    ("garbage", 4, "warning"),
])
def test_the_minimum_version_is_sql_server_2016_sp1(version: str | None,
                                                    edition: int | None, level: str) -> None:
    finding = sqlserver.check_version(version, edition)
    assert finding.level == level, finding.text
    if level == "problem":
        assert "DATEDIFF_BIG" in finding.text and "1 700-byte" in finding.text


@pytest.mark.parametrize(("collation", "level"), [
    ("Chinese_PRC_CI_AS", "ok"),
    ("Chinese_PRC_90_CI_AS", "ok"),
    ("Chinese_PRC_100_CI_AS_SC", "ok"),
    ("Chinese_Simplified_Pinyin_100_CI_AS", "ok"),
    ("Chinese_Simplified_Stroke_Order_100_CI_AI", "ok"),
    ("Chinese_PRC_100_CI_AS_SC_UTF8", "ok"),
    ("SQL_Latin1_General_CP1_CI_AS", "warning"),
    ("Latin1_General_100_CI_AS", "warning"),
    ("Chinese_Taiwan_Stroke_CI_AS", "warning"),
    ("Chinese_PRC_CS_AS", "warning"),
    ("Chinese_PRC_BIN2", "warning"),
    (None, "warning"),
])
def test_the_collation_warns_unless_a_case_insensitive_chinese_one(
        collation: str | None, level: str) -> None:
    finding = sqlserver.check_collation(collation)
    assert finding.level == level, finding.text
    if level == "warning" and collation:
        assert collation in finding.text and "COLLATE Chinese_PRC_CI_AS" in finding.text


def test_read_committed_snapshot_off_warns_and_says_why_and_how() -> None:
    finding = sqlserver.check_read_committed_snapshot(False, "crm")
    assert finding.level == "warning"
    assert "readers do not block writers" in finding.text
    assert ("ALTER DATABASE [crm] SET READ_COMMITTED_SNAPSHOT ON WITH ROLLBACK IMMEDIATE;"
            in finding.text)
    assert sqlserver.check_read_committed_snapshot(None).level == "warning"


def test_the_server_query_compiles_for_sql_server_and_needs_no_parameters() -> None:
    sql = compile_for_mssql(sqlserver.SERVER_QUERY)
    for part in ("CAST(SERVERPROPERTY(N'ProductVersion') AS NVARCHAR(128))",
                 "CAST(SERVERPROPERTY(N'EngineEdition') AS INTEGER)",
                 "FROM sys.databases", "database_id = DB_ID()",
                 "is_read_committed_snapshot_on", "collation_name", "compatibility_level"):
        assert part in sql, part
    assert not sqlserver.SERVER_QUERY.compile().params
    _tsql(sql)


class _FakeResult:
    def __init__(self, row: dict[str, Any] | None) -> None:
        self.row = row

    def mappings(self) -> _FakeResult:
        return self

    def first(self) -> dict[str, Any] | None:
        return self.row


class _FakeConnection:
    """A SQL Server connection as far as :func:`app.sqlserver.check_server` sees one."""

    def __init__(self, row: dict[str, Any] | None, dialect: str = "mssql") -> None:
        self.row = row
        self.dialect = type("Dialect", (), {"name": dialect})()
        self.executed: list[Any] = []

    def execute(self, statement: Any) -> _FakeResult:
        self.executed.append(statement)
        return _FakeResult(self.row)


OLD_SERVER_ROW = {"product_version": "12.0.6024.0", "engine_edition": 3,
                  "edition": "Enterprise Edition", "database": "crm",
                  "collation": "SQL_Latin1_General_CP1_CI_AS",
                  "read_committed_snapshot": 0, "compatibility_level": 120}


def test_check_server_runs_the_query_and_reads_its_answer() -> None:
    connection = _FakeConnection(OLD_SERVER_ROW)
    findings = sqlserver.check_server(connection)  # type: ignore[arg-type]
    assert connection.executed == [sqlserver.SERVER_QUERY]
    assert _levels(findings) == {"server version": "problem", "database collation": "warning",
                                 "READ_COMMITTED_SNAPSHOT": "warning"}
    assert "ALTER DATABASE [crm]" in findings[2].text
    empty = sqlserver.check_server(_FakeConnection(None))  # type: ignore[arg-type]
    assert {f.level for f in empty} == {"warning"}


def test_check_server_says_nothing_on_other_engines(engine: Engine) -> None:
    other = _FakeConnection(OLD_SERVER_ROW, dialect="postgresql")
    assert sqlserver.check_server(other) == []  # type: ignore[arg-type]
    assert other.executed == []
    with engine.connect() as connection:  # the suite's SQLite file or PostgreSQL
        assert sqlserver.check_server(connection) == []


@contextmanager
def _fake_engine_connect(row: dict[str, Any]) -> Iterator[_FakeConnection]:
    yield _FakeConnection(row)


def test_db_check_on_sql_server_prints_the_findings_and_fails_on_an_old_server(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    rows = {"row": OLD_SERVER_ROW}
    fake_engine = type("FakeEngine", (), {
        "connect": lambda self: _fake_engine_connect(rows["row"]),
        "dispose": lambda self: None})()
    monkeypatch.setattr(cli, "_engine", lambda url: fake_engine)
    monkeypatch.setattr(schema, "check", lambda url: [])
    url = "mssql+pyodbc://server/crm?driver=ODBC+Driver+18+for+SQL+Server"

    assert cli.main(["db", "check", "--db", url]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("PROBLEM: server version: SQL Server 12.0.6024.0")
    assert out[1].startswith("WARNING: database collation: SQL_Latin1_General_CP1_CI_AS")
    assert out[2].startswith("WARNING: READ_COMMITTED_SNAPSHOT: OFF")
    assert out[3] == "Schema matches the models"

    rows["row"] = {**OLD_SERVER_ROW, "product_version": "16.0.1000.6"}
    assert cli.main(["db", "check", "--db", url]) == 0  # warnings alone do not fail
    assert capsys.readouterr().out.startswith("ok: server version: SQL Server 16.0.1000.6")


# --- item 4: an index on every foreign key -----------------------------------------------


def _leading_columns(table: Any) -> set[str]:
    """Columns that lead an index usable for every row: not a filtered (partial) one."""
    leading: set[str] = set()
    for index in table.indexes:
        filtered = any(index.dialect_options[d]["where"] is not None
                       for d in ("postgresql", "sqlite", "mssql"))
        if not filtered and index.expressions:
            leading.add(getattr(index.expressions[0], "name", ""))
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint | PrimaryKeyConstraint) and \
                constraint.columns:
            leading.add(next(iter(constraint.columns)).name)
    return leading


def test_every_foreign_key_column_leads_an_index() -> None:
    missing = [
        f"{table.name}.{fk.column_keys[0]} -> {fk.referred_table.name}"
        for table in Base.metadata.sorted_tables
        for fk in table.foreign_key_constraints
        if fk.column_keys[0] not in _leading_columns(table)
    ]
    assert not missing, ("foreign keys without an index (add index=True to the column and"
                         f" a migration): {missing}")


def test_the_foreign_key_indexes_follow_the_naming_convention(mssql_ddl: str) -> None:
    for table, column in [("users", "role_id"), ("orders", "quotation_id"),
                          ("visits", "confirmed_by_id"), ("ticket_events", "by_id")]:
        assert f"CREATE INDEX ix_{table}_{column} ON {table} ({column});" in mssql_ddl
        assert f"ix_{table}_{column}" in {i.name for i in Base.metadata.tables[table].indexes}


# --- item 5: one sales plan per owner, customer and period on every engine ---------------


def test_no_unique_key_over_a_nullable_column_is_unfiltered() -> None:
    # SQL Server counts NULLs as equal in a unique key, PostgreSQL and SQLite as distinct.
    for table in Base.metadata.sorted_tables:
        for constraint in table.constraints:
            if isinstance(constraint, UniqueConstraint):
                nullable = [c.name for c in constraint.columns if c.nullable]
                assert not nullable, f"{constraint.name}: {nullable} (use filtered indexes)"
        for index in table.indexes:
            if index.unique and any(c.nullable for c in index.columns):
                wheres = {str(index.dialect_options[d]["where"])
                          for d in ("postgresql", "sqlite", "mssql")}
                assert len(wheres) == 1 and "None" not in wheres, index.name


def test_the_plan_indexes_in_the_sql_server_ddl(mssql_ddl: str) -> None:
    assert ("ALTER TABLE sales_plans DROP CONSTRAINT"
            " uq_sales_plans_owner_id_customer_id_year_period_kind_period;") in mssql_ddl
    assert ("CREATE UNIQUE INDEX uq_sales_plans_owner_customer ON sales_plans (owner_id,"
            " customer_id, year, period_kind, period) WHERE customer_id IS NOT NULL;"
            ) in mssql_ddl
    assert ("CREATE UNIQUE INDEX uq_sales_plans_owner_no_customer ON sales_plans (owner_id,"
            " year, period_kind, period) WHERE customer_id IS NULL;") in mssql_ddl
    # The DDL is the upgrade of an existing database too: the constraint is gone after it.
    drop = mssql_ddl.index("DROP CONSTRAINT uq_sales_plans_owner_id_customer_id")
    assert mssql_ddl.count("uq_sales_plans_owner_id_customer_id_year_period_kind_period") == 2
    assert mssql_ddl.index("uq_sales_plans_owner_id_customer_id_year_period_kind_period") < drop


def _plan(owner_id: int, customer_id: int | None, period: int = 3) -> dict[str, Any]:
    now = utcnow()
    return {"owner_id": owner_id, "customer_id": customer_id, "year": 2026,
            "period_kind": PlanPeriod.MONTH, "period": period,
            "planned_amount": Decimal("1000.00"), "planned_margin": Decimal("0.00"),
            "version": 1, "created_at": now, "updated_at": now}


def test_plan_uniqueness_on_this_engine(uow, engine: Engine, sales_user, other_sales_user
                                        ) -> None:
    first = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="北京鑫锐科技"))
    second = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="上海华联商贸"))
    me, other = sales_user.user_id, other_sales_user.user_id
    allowed = [_plan(me, first.id), _plan(me, second.id), _plan(me, None),
               _plan(other, first.id), _plan(other, None), _plan(me, first.id, period=4),
               _plan(me, None, period=4)]
    with engine.begin() as conn:
        conn.execute(insert(SalesPlan), allowed)
    for duplicate in (_plan(me, first.id), _plan(me, None), _plan(other, None)):
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(insert(SalesPlan), [duplicate])


# --- the version's other reason: index keys up to 1 700 bytes ----------------------------


def _key_bytes(column: Any) -> int:
    type_ = column.type
    while hasattr(type_, "impl_instance"):
        type_ = type_.impl_instance
    if isinstance(type_, UnicodeText):
        raise AssertionError(f"{column} is NVARCHAR(max), which cannot be an index key")
    if isinstance(type_, Unicode):
        return 2 * int(type_.length)
    if isinstance(type_, String | Enum):
        return int(type_.length)
    if isinstance(type_, Numeric):
        return 5 if type_.precision <= 9 else 9 if type_.precision <= 19 else 13
    sizes = {Integer: 4, Boolean: 1, Date: 3, UTCDateTime: 10}
    return next(size for kind, size in sizes.items() if isinstance(column.type, kind)
                or isinstance(type_, kind))


def test_every_index_key_fits_sql_server_2016s_1700_bytes() -> None:
    widths = {}
    for table in Base.metadata.sorted_tables:
        keys: list[Any] = [*table.indexes, *(c for c in table.constraints
                                             if isinstance(c, UniqueConstraint))]
        for key in keys:
            widths[f"{table.name}.{key.name}"] = sum(_key_bytes(c) for c in key.columns)
    widest = max(widths, key=widths.__getitem__)
    assert widths[widest] <= 1700, (widest, widths[widest])
    # Wider than the 900 bytes of SQL Server 2012/2014: one reason for the minimum.
    assert widths["customers.ix_customers_sort_key"] > 900


def test_an_embedded_engine_is_not_asked_about_sql_server(tmp_path: Any) -> None:
    sqlite = create_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    try:
        with sqlite.connect() as connection:
            assert sqlserver.check_server(connection) == []
    finally:
        sqlite.dispose()

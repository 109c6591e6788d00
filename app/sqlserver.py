"""What StationCRM needs of a SQL Server, and the DDL script a DBA runs there.

No Qt, no services. ``stationcrm db check`` states and checks the server version, the
database collation and READ_COMMITTED_SNAPSHOT through :func:`check_server`; the checks
themselves (:func:`evaluate`) take the query's answer, so they are tested without a server.
``stationcrm db upgrade --sql`` wraps Alembic's offline DDL with :func:`ddl_script`.
docs/sqlserver.md is the DBA's side of all this.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from sqlalchemy import Boolean, Connection, Integer, Unicode, cast, column, func, select, table
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import literal_column

# SQL Server 2016 SP1 (13.0.4001). 2016 brought DATEDIFF_BIG (the durations in the
# statistics), nonclustered index keys up to 1 700 bytes (the customers' sort index is
# 1 044; 2012/2014 allow 900), DROP ... IF EXISTS, CURRENT_TRANSACTION_ID(), row-level
# security and SESSION_CONTEXT; Service Pack 1 brought CREATE OR ALTER (the schema's views
# and triggers, the security script) and database audit specifications in every edition.
MINIMUM_VERSION: Final = (13, 0, 4001)
MINIMUM_NAME: Final = "SQL Server 2016 SP1 (13.0.4001)"
# Azure SQL Database and Azure SQL Managed Instance (SERVERPROPERTY('EngineEdition') 5 and
# 8) report 12.0 but run the newest engine.
_AZURE_EDITIONS: Final = frozenset({5, 8})
RECOMMENDED_COLLATION: Final = "Chinese_PRC_CI_AS"

Level = Literal["ok", "warning", "problem"]


@dataclass(frozen=True)
class Finding:
    """One line of ``db check``: ``problem`` fails the check, ``warning`` is advice."""

    level: Level
    subject: str
    text: str

    def line(self) -> str:
        mark = {"ok": "ok", "warning": "WARNING", "problem": "PROBLEM"}[self.level]
        return f"{mark}: {self.subject}: {self.text}"


@dataclass(frozen=True)
class ServerFacts:
    """The answer of :data:`SERVER_QUERY` (None: the server did not say)."""

    product_version: str | None
    engine_edition: int | None
    edition: str | None
    database: str | None
    collation: str | None
    read_committed_snapshot: bool | None
    compatibility_level: int | None


# --- the query ----------------------------------------------------------------------------

_DATABASES = table(
    "databases",
    column("database_id", Integer),
    column("name", Unicode(128)),
    column("collation_name", Unicode(128)),
    column("is_read_committed_snapshot_on", Boolean),
    column("compatibility_level", Integer),
    schema="sys",
)


def _server_property(name: str, type_: Any) -> Any:
    # A constant name, not a parameter: the catalogue query carries no bind parameters.
    return cast(func.SERVERPROPERTY(literal_column(f"N'{name}'")), type_)


# Any login may run it: SERVERPROPERTY needs no permission, and sys.databases always shows
# the database one is connected to.
SERVER_QUERY: Final[Select[Any]] = select(
    _server_property("ProductVersion", Unicode(128)).label("product_version"),
    _server_property("EngineEdition", Integer).label("engine_edition"),
    _server_property("Edition", Unicode(128)).label("edition"),
    _DATABASES.c.name.label("database"),
    _DATABASES.c.collation_name.label("collation"),
    _DATABASES.c.is_read_committed_snapshot_on.label("read_committed_snapshot"),
    _DATABASES.c.compatibility_level,
).where(_DATABASES.c.database_id == func.DB_ID())


def read_facts(connection: Connection) -> ServerFacts:
    """Run :data:`SERVER_QUERY` on a SQL Server connection."""
    row = connection.execute(SERVER_QUERY).mappings().first()
    return facts_from_row(row or {})


def facts_from_row(row: Mapping[Any, Any]) -> ServerFacts:
    """The facts from one row of :data:`SERVER_QUERY` (a missing key: not known)."""

    def number(value: Any) -> int | None:
        return None if value is None else int(value)

    snapshot = row.get("read_committed_snapshot")
    return ServerFacts(
        product_version=row.get("product_version"),
        engine_edition=number(row.get("engine_edition")),
        edition=row.get("edition"),
        database=row.get("database"),
        collation=row.get("collation"),
        read_committed_snapshot=None if snapshot is None else bool(snapshot),
        compatibility_level=number(row.get("compatibility_level")),
    )


def check_server(connection: Connection) -> list[Finding]:
    """What ``db check`` says about the server: nothing on other engines than SQL Server."""
    if connection.dialect.name != "mssql":
        return []
    return evaluate(read_facts(connection))


# --- the checks ---------------------------------------------------------------------------


def evaluate(facts: ServerFacts) -> list[Finding]:
    """Version, collation and READ_COMMITTED_SNAPSHOT, one finding each."""
    database = facts.database or "stationcrm"
    return [
        check_version(facts.product_version, facts.engine_edition, facts.edition,
                      facts.compatibility_level),
        check_collation(facts.collation, database),
        check_read_committed_snapshot(facts.read_committed_snapshot, database),
    ]


def parse_version(product_version: str | None) -> tuple[int, ...] | None:
    """``'13.0.4001.0'`` → ``(13, 0, 4001, 0)``; None if it is not a version number."""
    if not product_version or not re.fullmatch(r"\d+(\.\d+)*", product_version.strip()):
        return None
    return tuple(int(part) for part in product_version.strip().split("."))


def check_version(product_version: str | None, engine_edition: int | None = None,
                  edition: str | None = None,
                  compatibility_level: int | None = None) -> Finding:
    """The server must be :data:`MINIMUM_NAME` or later (Azure SQL always is)."""
    subject = "server version"
    what = f"SQL Server {product_version or '(unknown)'}"
    if edition:
        what += f" ({edition})"
    if compatibility_level is not None:
        what += f", database compatibility level {compatibility_level}"
    if engine_edition in _AZURE_EDITIONS:
        return Finding("ok", subject, f"{what}: Azure SQL, newer than {MINIMUM_NAME}")
    version = parse_version(product_version)
    if version is None:
        return Finding("warning", subject, f"{what}: the version could not be read;"
                       f" StationCRM needs {MINIMUM_NAME} or later")
    if version < MINIMUM_VERSION:
        return Finding("problem", subject, (
            f"{what} is too old: StationCRM needs {MINIMUM_NAME} or later (DATEDIFF_BIG,"
            " 1 700-byte index keys, CREATE OR ALTER, row-level security); install the"
            " latest service pack or a newer SQL Server"))
    return Finding("ok", subject, f"{what}; StationCRM needs {MINIMUM_NAME} or later")


def is_chinese_collation(collation: str) -> bool:
    """A Simplified Chinese collation: Chinese_PRC_*, Chinese_PRC_90/_100_*,
    Chinese_Simplified_Pinyin_100_* or Chinese_Simplified_Stroke_Order_100_*."""
    return collation.startswith(("Chinese_PRC_", "Chinese_Simplified_"))


def _collation_flags(collation: str) -> set[str]:
    return set(collation.upper().split("_"))


def check_collation(collation: str | None, database: str = "stationcrm") -> Finding:
    """Warn unless the database has a case-insensitive Simplified Chinese collation."""
    subject = "database collation"
    fix = (f"create the database with COLLATE {RECOMMENDED_COLLATION} (docs/sqlserver.md);"
           " ALTER DATABASE ... COLLATE does not change the columns that exist")
    if not collation:
        return Finding("warning", subject, f"could not be read; StationCRM expects a Chinese"
                       f" collation such as {RECOMMENDED_COLLATION}")
    flags = _collation_flags(collation)
    if "BIN" in flags or "BIN2" in flags or "CS" in flags:
        return Finding("warning", subject, (
            f"{collation} is case-sensitive: searches for Latin names and pinyin, user names"
            f" and codes would have to match case; {fix}"))
    if is_chinese_collation(collation):
        return Finding("ok", subject, f"{collation} (Chinese: names sort and compare as"
                       " Chinese, code page 936)")
    if collation.startswith("Chinese_"):
        return Finding("warning", subject, (
            f"{collation} is a Traditional Chinese collation (code page 950, stroke order);"
            f" StationCRM expects Simplified Chinese such as {RECOMMENDED_COLLATION}; {fix}"))
    return Finding("warning", subject, (
        f"{collation} is not a Chinese collation: Chinese names sort in character-code"
        " order, not by pinyin, and any text that reaches the database as VARCHAR (a"
        " script or report query written without N'...') loses its Chinese characters as"
        f" '?'; {fix}"))


def check_read_committed_snapshot(on: bool | None, database: str = "stationcrm") -> Finding:
    """Warn when READ_COMMITTED_SNAPSHOT is off (SQL Server's default; PostgreSQL's way)."""
    subject = "READ_COMMITTED_SNAPSHOT"
    if on is None:
        return Finding("warning", subject, "could not be read; it should be ON")
    if on:
        return Finding("ok", subject, "ON: readers see the last committed version and do"
                       " not block writers")
    return Finding("warning", subject, (
        "OFF: readers and writers block each other. A station reading a list waits for"
        " every row another station is saving, a save waits for long reads, and with the"
        " 10 s lock time limit such waits become 'another station is saving' errors. Turn"
        " it on so that readers do not block writers (no station may be connected):"
        f" ALTER DATABASE [{database}] SET READ_COMMITTED_SNAPSHOT ON"
        " WITH ROLLBACK IMMEDIATE;"))


# --- the DDL script -----------------------------------------------------------------------

# Session options of the whole script. XACT_ABORT: the first error rolls back the one
# transaction Alembic's script runs in. The rest are what filtered indexes need when they
# are created (sqlcmd connects with QUOTED_IDENTIFIER OFF unless given -I), and what views
# and triggers keep from the session that created them.
_DDL_SESSION: Final = """SET XACT_ABORT ON;
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
SET ANSI_PADDING ON;
SET ANSI_WARNINGS ON;
SET CONCAT_NULL_YIELDS_NULL ON;
SET ARITHABORT ON;
SET NUMERIC_ROUNDABORT OFF;
SET NOCOUNT ON;"""

# Between the statements: once an error has rolled the transaction back, nothing after it
# may run, or the rest of the schema would be made outside any transaction (and kept).
# NOEXEC compiles the remaining batches without running them.
DDL_GUARD: Final = ("IF @@TRANCOUNT = 0 BEGIN RAISERROR(N'StationCRM schema script: stopped"
                    " after the error above; everything was rolled back.', 16, 1);"
                    " SET NOEXEC ON; END;")
_DDL_END: Final = "SET NOEXEC OFF;"

_DDL_HEADER: Final = f"""-- StationCRM schema for {MINIMUM_NAME} or later,
-- written by stationcrm db upgrade --sql. Run it on the empty database as its owner, e.g.
--   sqlcmd -S server -d stationcrm -E -b -i schema.sql
-- It is one transaction. With XACT_ABORT ON the first error rolls all of it back, and the
-- check between the statements stops the rest from running: a failed run leaves the
-- database as empty as it was. Correct the cause and run the whole script again."""


def ddl_script(alembic_sql: str) -> str:
    """Alembic's offline SQL Server DDL as a script that is all or nothing.

    ``alembic_sql`` is one transaction (``BEGIN TRANSACTION;`` … ``COMMIT;``) in batches
    that end with lines reading ``GO``. Before it go the session options (``SET XACT_ABORT
    ON`` first); after each batch but the last, :data:`DDL_GUARD`; at the end, NOEXEC off.
    """
    out = [_DDL_HEADER, _DDL_SESSION, "GO", ""]
    batch: list[str] = []
    for line in alembic_sql.splitlines():
        out.append(line)
        if line != "GO":
            batch.append(line)
            continue
        statement = "\n".join(batch).strip()
        batch = []
        if statement != "COMMIT;":
            out += ["", DDL_GUARD, "GO"]
    out += ["", _DDL_END, "GO", ""]
    return "\n".join(out)

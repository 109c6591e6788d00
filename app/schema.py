"""Create, upgrade and check the database schema; Alembic is the only way the schema changes.

No Qt here: the command line (``stationcrm db ...``), the first launch of an embedded SQLite
station and the tests all go through these functions. The Alembic configuration is built in
code from the ``app.migrations`` package directory, so no ``alembic.ini`` is needed.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    Column,
    Connection,
    Engine,
    ForeignKeyConstraint,
    Index,
    MetaData,
    UniqueConstraint,
    create_engine,
    inspect,
    make_url,
    pool,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeEngine

import app.models  # noqa: F401 - importing the models registers every table
from app import sqlserver
from app.migrations import SCRIPT_LOCATION
from app.models.base import Base

__all__ = [
    "SchemaError",
    "alembic_config",
    "check",
    "current_revision",
    "downgrade",
    "ensure_schema",
    "head_revision",
    "upgrade",
    "upgrade_sql",
]


class SchemaError(Exception):
    """The database schema cannot be brought to, or compared with, this program's models."""


def alembic_config(*, output: TextIO | None = None) -> Config:
    """An Alembic configuration for the migrations shipped in ``app.migrations``.

    Callers put ``connection`` (online) or ``url`` (offline) into ``config.attributes``;
    ``env.py`` reads them there.

    Args:
        output: where offline (``--sql``) mode writes its DDL.
    """
    config = Config(output_buffer=output)
    # Values go through configparser interpolation, hence the doubled percent signs.
    config.set_main_option("script_location", str(SCRIPT_LOCATION).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    config.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    return config


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


@contextmanager
def _engine_for(url_or_engine: Engine | str) -> Iterator[Engine]:
    """The given engine, or a short-lived one for a URL (disposed afterwards)."""
    if isinstance(url_or_engine, Engine):
        yield url_or_engine
        return
    engine = create_engine(url_or_engine, poolclass=pool.NullPool)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction to run migrations on; on SQLite, foreign keys off.

    SQLite batch migrations rebuild a table by copy, drop and rename. With foreign keys
    enforced (as ``app.db`` sets them) the drop would cascade-delete or refuse, so they are
    switched off for the migration and checked before the commit. The pragma is ignored
    inside a transaction, so it goes straight to the driver before one begins.
    """
    with engine.connect() as connection:
        if connection.dialect.name != "sqlite":
            with connection.begin():
                yield connection
            return
        driver = connection.connection.driver_connection
        assert driver is not None
        enforced = bool(driver.execute("PRAGMA foreign_keys").fetchone()[0])
        driver.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                if not driver.in_transaction:
                    # WORKAROUND: pysqlite's legacy mode runs DDL outside any transaction;
                    # begin one so a failed migration leaves no half-built schema.
                    connection.exec_driver_sql("BEGIN")
                yield connection
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise SchemaError(
                        f"the migration left {len(broken)} rows with broken foreign keys"
                        f" (first in table {broken[0][0]}); nothing was committed"
                    )
        finally:
            if enforced:
                driver.execute("PRAGMA foreign_keys=ON")


def _revision_of(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _require_known(current: str | None) -> None:
    known = {script.revision for script in _script().walk_revisions()}
    if current is not None and current not in known:
        raise SchemaError(
            f"the database is at schema revision {current}, which this version of StationCRM"
            " does not know (a newer StationCRM upgraded it); install the newer version"
        )


def _require_unmanaged_empty(connection: Connection, metadata: MetaData) -> None:
    """Refuse to migrate a database that has our tables but no Alembic revision."""
    present = set(inspect(connection).get_table_names()) & set(metadata.tables)
    if present:
        raise SchemaError(
            f"the database already has {len(present)} StationCRM tables (e.g."
            f" {sorted(present)[0]}) but no schema revision; it was not created by"
            " 'stationcrm db upgrade' and cannot be migrated"
        )


def upgrade(url_or_engine: Engine | str, revision: str = "head") -> None:
    """Migrate the database up to ``revision`` in one transaction where the database allows."""
    with _engine_for(url_or_engine) as engine, _migrating(engine) as connection:
        current = _revision_of(connection)
        _require_known(current)
        if current is None:
            _require_unmanaged_empty(connection, Base.metadata)
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(url_or_engine: Engine | str, revision: str) -> None:
    """Migrate the database down to ``revision`` (``"base"`` drops every table)."""
    with _engine_for(url_or_engine) as engine, _migrating(engine) as connection:
        _require_known(_revision_of(connection))
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def upgrade_sql(url: str, out: TextIO, revision: str = "head") -> None:
    """Write the DDL that upgrades an empty database to ``revision`` for a DBA to run.

    Offline: nothing connects, no database driver is loaded. The dialect comes from the
    URL, e.g. ``mssql+pyodbc://...`` gives SQL Server DDL with ``GO`` batch separators,
    wrapped by :func:`app.sqlserver.ddl_script` so that it is all or nothing
    (``SET XACT_ABORT ON`` first).
    """
    if make_url(url).get_backend_name() != "mssql":
        config = alembic_config(output=out)
        config.attributes["url"] = url
        command.upgrade(config, revision, sql=True)
        return
    ddl = io.StringIO()
    config = alembic_config(output=ddl)
    config.attributes["url"] = url
    command.upgrade(config, revision, sql=True)
    out.write(sqlserver.ddl_script(ddl.getvalue()))


def current_revision(engine: Engine) -> str | None:
    """The database's Alembic revision, or None if it was never migrated."""
    with engine.connect() as connection:
        return _revision_of(connection)


def head_revision() -> str:
    """The newest revision shipped with this program."""
    head = _script().get_current_head()
    if head is None:
        raise SchemaError("no migrations are shipped in app/migrations/versions")
    return head


def ensure_schema(engine: Engine) -> bool:
    """Upgrade the database to the newest revision if it is behind (embedded first launch).

    Returns:
        True if anything was migrated, False if the schema was already current.
    """
    if current_revision(engine) == head_revision():
        return False
    upgrade(engine, "head")
    return True


def check(url_or_engine: Engine | str, *, metadata: MetaData | None = None) -> list[str]:
    """Differences between the migrated database and the models, one sentence each.

    An empty list means the database is at the newest revision and its tables, columns,
    types, nullability, indexes and constraints match ``metadata`` (default: the models).
    """
    target = Base.metadata if metadata is None else metadata
    with _engine_for(url_or_engine) as engine, engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        problems: list[str] = []
        current = context.get_current_revision()
        head = head_revision()
        if current != head:
            problems.append(
                f"the database is at revision {current or '(none: never migrated)'},"
                f" the newest migration is {head}"
            )
        diffs = list(_flatten(compare_metadata(context, target)))
        missing_tables = {diff[1].name for diff in diffs if diff[0] == "add_table"}
        for diff in diffs:
            # A missing table's indexes are reported by alembic too; say it once.
            if diff[0] == "add_index" and diff[1].table.name in missing_tables:
                continue
            problems.append(_describe(diff, connection.dialect))
        return problems


def _flatten(diffs: Sequence[Any]) -> Iterator[tuple[Any, ...]]:
    # Column modifications come grouped in a list per column; everything else is a tuple.
    for diff in diffs:
        if isinstance(diff, list):
            yield from diff
        else:
            yield diff


def _type_name(type_: Any, dialect: Dialect) -> str:
    if not isinstance(type_, TypeEngine):
        return repr(type_)
    try:
        return str(type_.compile(dialect=dialect))
    except Exception:  # noqa: BLE001 - a type the dialect cannot render still gets a name
        return repr(type_)


def _columns(names: Sequence[Any]) -> str:
    return ", ".join(getattr(name, "name", str(name)) for name in names)


def _where(added: bool) -> str:
    return "missing from the database" if added else "in the database but not in the models"


def _describe(diff: tuple[Any, ...], dialect: Dialect) -> str:
    """One readable sentence for one ``compare_metadata`` difference."""
    kind = diff[0]
    added = kind.startswith("add_")
    if kind in ("add_table", "remove_table"):
        return f"table {diff[1].name} is {_where(added)}"
    if kind in ("add_column", "remove_column"):
        _, _schema, table, column = diff
        assert isinstance(column, Column)
        return (
            f"column {table}.{column.name} ({_type_name(column.type, dialect)}) is {_where(added)}"
        )
    if kind in ("add_index", "remove_index"):
        index = diff[1]
        assert isinstance(index, Index)
        table = index.table.name if index.table is not None else "?"
        unique = "unique index" if index.unique else "index"
        return (
            f"{unique} {index.name} on {table}({_columns(list(index.expressions))})"
            f" is {_where(added)}"
        )
    if kind in ("add_constraint", "remove_constraint"):
        constraint = diff[1]
        what = "unique constraint" if isinstance(constraint, UniqueConstraint) else "constraint"
        return (
            f"{what} {constraint.name} on {constraint.table.name}"
            f"({_columns(list(constraint.columns))}) is {_where(added)}"
        )
    if kind in ("add_fk", "remove_fk"):
        fk = diff[1]
        assert isinstance(fk, ForeignKeyConstraint)
        return (
            f"foreign key {fk.name} {fk.table.name}({_columns(list(fk.columns))})"
            f" -> {fk.referred_table.name} is {_where(added)}"
        )
    if kind.startswith("modify_"):
        _, _schema, table, column, _existing, before, after = diff
        what = kind.removeprefix("modify_")
        if what == "type":
            before, after = _type_name(before, dialect), _type_name(after, dialect)
        elif what == "nullable":
            before = "NULL" if before else "NOT NULL"
            after = "NULL" if after else "NOT NULL"
        return f"column {table}.{column}: {what} is {before} in the database, {after} in the models"
    return f"{kind.replace('_', ' ')}: {', '.join(map(str, diff[1:]))}"

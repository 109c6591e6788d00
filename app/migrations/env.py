"""Alembic environment: migrates a live connection, or prints the DDL for a DBA (offline).

Driven by ``app.schema``, which puts ``connection`` (online) or ``url`` (offline) and
optionally ``target_metadata`` into ``config.attributes``. Run by hand through the
developer ``alembic.ini`` next to this file, the URL comes from ``-x db=URL`` or
``STATIONCRM_DB_URL``.
"""

from __future__ import annotations

import os
from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Enum, MetaData, TypeDecorator, create_engine, make_url, pool
from sqlalchemy.engine import Connection, Dialect

import app.models  # noqa: F401 - importing the models registers every table
from app.models.base import Base

# Offline there is no server to ask its version; SQLAlchemy then assumes SQL Server 2000
# (DATE as DATETIME, NVARCHAR(max) as NTEXT). The DDL we hand a DBA targets SQL Server 2016
# SP1 or later (app.sqlserver.MINIMUM_VERSION).
SQLSERVER_OFFLINE_VERSION = (13, 0)

config = context.config
if config.config_file_name is not None and config.file_config.has_section("loggers"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render our own column types as the plain SQLAlchemy types they store.

    A revision must not import ``app.models``: the models change, old revisions must not.
    Enums are stored as plain VARCHARs (no native enum, no CHECK), so a revision holds the
    length only, not a member list that would go stale.
    """
    if type_ != "type":
        return False
    if isinstance(obj, Enum) and not obj.native_enum:
        return f"sa.String(length={obj.length})"
    if isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl_instance!r}"
    return False


def _target_metadata() -> MetaData:
    metadata = config.attributes.get("target_metadata")
    return metadata if isinstance(metadata, MetaData) else Base.metadata


def _options(dialect_name: str) -> dict[str, Any]:
    return {
        "target_metadata": _target_metadata(),
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        "render_as_batch": dialect_name == "sqlite",
        "compare_type": True,
        "render_item": render_item,
    }


def _url() -> str:
    url = (
        config.attributes.get("url")
        or config.get_main_option("sqlalchemy.url")
        or context.get_x_argument(as_dictionary=True).get("db")
        or os.environ.get("STATIONCRM_DB_URL")
    )
    if not url:
        raise RuntimeError("no database URL: pass -x db=URL or set STATIONCRM_DB_URL")
    return str(url)


def _prepare_offline_dialect(dialect: Dialect) -> None:
    if dialect.name == "mssql" and not dialect.server_version_info:
        # WORKAROUND: see SQLSERVER_OFFLINE_VERSION.
        dialect.server_version_info = SQLSERVER_OFFLINE_VERSION


def run_migrations_offline() -> None:
    """Write the migration DDL to the output buffer without connecting."""
    url = make_url(_url())
    dialect_opts: dict[str, Any] = {"paramstyle": "named"}
    if url.get_backend_name() == "mssql":
        dialect_opts["deprecate_large_types"] = True
    context.configure(
        url=url,
        literal_binds=True,
        dialect_opts=dialect_opts,
        **_options(url.get_backend_name()),
    )
    _prepare_offline_dialect(context.get_context().dialect)
    with context.begin_transaction():
        context.run_migrations()


def _run_on(connection: Connection) -> None:
    context.configure(connection=connection, **_options(connection.dialect.name))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate the connection ``app.schema`` passed in, or one opened from the URL."""
    connection = config.attributes.get("connection")
    if isinstance(connection, Connection):
        _run_on(connection)
        return
    engine = create_engine(_url(), poolclass=pool.NullPool)
    try:
        with engine.connect() as opened:
            _run_on(opened)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

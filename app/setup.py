"""Setting a station up, without Qt: the server address from what the set-up wizard asks,
the connection test and the schema's state (`probe_database`), and making an empty
database ready (`create_database`) as `db upgrade`, `db security` and the first `user add`
would. The wizard (app.ui.shell.setup_wizard) runs these on its worker.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal
from urllib.parse import urlsplit

from sqlalchemy import URL, Engine, make_url, text
from sqlalchemy import exc as sa_exc

from app import schema, update
from app.bootstrap import ClientTooOld, SchemaNotCurrent, require_current_schema
from app.db import (
    DEFAULT_MSSQL_DRIVER,
    DatabaseUnavailable,
    check_connection,
    lost_connection,
    make_engine,
    normalize_url,
)
from app.services.errors import ServiceError

Kind = Literal["mssql", "postgresql"]

DEFAULT_PORTS: Final[dict[str, int]] = {"mssql": 1433, "postgresql": 5432}
DEFAULT_DATABASE: Final = "stationcrm"
ADMIN_ROLE: Final = "administrator"
ADMIN_DEPARTMENT: Final = "management"
REDACTED: Final = "***"  # how app.db.redact_url shows a password
USERNAME_PATTERN: Final = re.compile(r"^[A-Za-z0-9_.]{1,40}$")


# --------------------------------------------------------------------------- addresses (no Qt)


@dataclass(frozen=True)
class ServerFields:
    """What the server page asks for."""

    kind: Kind = "mssql"
    host: str = ""
    port: int = DEFAULT_PORTS["mssql"]
    database: str = DEFAULT_DATABASE
    windows_login: bool = True
    driver: str = DEFAULT_MSSQL_DRIVER


def server_address(fields: ServerFields) -> str:
    """The station's address for the fields: no user, no password.

    SQL Server gets the ODBC driver, ``TrustServerCertificate=yes`` (office servers rarely
    have a certificate a CA signed) and, for Windows authentication, ``Trusted_Connection``.
    A default port, and any port of a named instance (``HOST\\SQLEXPRESS``, found through
    SQL Browser), is left out.
    """
    host = fields.host.strip()
    port = None if fields.port == DEFAULT_PORTS[fields.kind] or "\\" in host else fields.port
    database = fields.database.strip()
    if fields.kind == "postgresql":
        url = URL.create("postgresql", host=host, port=port, database=database)
    else:
        query = {"driver": fields.driver.strip() or DEFAULT_MSSQL_DRIVER}
        if fields.windows_login:
            query["Trusted_Connection"] = "yes"
        query["TrustServerCertificate"] = "yes"
        url = URL.create("mssql+pyodbc", host=host, port=port, database=database,
                         query=query)
    return url.render_as_string(hide_password=False)


def server_fields(address: str) -> ServerFields | None:
    """The fields of a station address the server page can show; None for another kind."""
    try:
        url = normalize_url(address)
    except (sa_exc.ArgumentError, ValueError):
        return None
    backend = url.get_backend_name()
    if backend not in DEFAULT_PORTS or not url.host or not url.database:
        return None
    kind: Kind = "postgresql" if backend == "postgresql" else "mssql"
    query = {key.lower(): str(value) for key, value in url.query.items()}
    if url.username or "odbc_connect" in query or "dsn" in query:
        return None  # a shared login or a hand-made connection string: the Advanced field
    return ServerFields(kind=kind, host=url.host, port=url.port or DEFAULT_PORTS[kind],
                        database=url.database,
                        windows_login=query.get("trusted_connection", "").lower() == "yes",
                        driver=query.get("driver", DEFAULT_MSSQL_DRIVER))


def database_name(address: str) -> str:
    """The database an address names ("" when it names none or does not read)."""
    try:
        return make_url(address).database or ""
    except (sa_exc.ArgumentError, ValueError):
        return ""


def with_login(address: str, user: str | None, password: str | None) -> str:
    """The address with the login the wizard checks with (never saved)."""
    if not user:
        return address
    url = make_url(address).set(username=user.strip(), password=password or "")
    return url.render_as_string(hide_password=False)


def keep_password(typed: str, current: str) -> str:
    """A typed address that still shows the mask *** keeps the current address's password."""
    password = urlsplit(current).password if "://" in current else None
    mask = f":{REDACTED}@"
    if password and mask in typed:
        return typed.replace(mask, f":{password}@", 1)
    return typed


def installed_odbc_drivers() -> list[str]:
    """The ODBC drivers installed on this PC (empty when pyodbc is not available)."""
    try:
        import pyodbc
    except ImportError:
        return []
    try:
        return [str(name) for name in pyodbc.drivers()]
    except Exception:  # noqa: BLE001 - a broken ODBC set-up still lets people type a name
        return []


# --------------------------------------------------------------------------- the worker side


ProbeState = Literal["ready", "newer_ok", "empty", "unfinished", "refused"]


@dataclass(frozen=True)
class Probe:
    """What the connection test found.

    ``state``: ``ready`` (schema current), ``newer_ok`` (a newer program's schema this one
    still works with), ``empty`` (no schema), ``unfinished`` (schema but no administrator
    yet), ``refused`` (behind, or too new for this program: ``message`` says who acts).
    ``can_create``: the login may create the schema, the security set-up and logins.
    """

    state: ProbeState
    dialect: str
    can_create: bool = False
    revision: str | None = None
    message: str = ""
    installer: str | None = None
    installer_is_url: bool = False


class CannotCreate(ServiceError):
    """The login may not create the database here: the administrator must."""


def _may_create(engine: Engine) -> bool:
    """Whether this login may create the schema and the people's logins (PostgreSQL)."""
    dialect = engine.dialect.name
    if dialect == "sqlite":
        return True
    if dialect != "postgresql":
        return False  # SQL Server: the DBA runs the scripts (docs/dba.md)
    with engine.connect() as connection:
        return bool(connection.execute(text(
            "SELECT coalesce(has_schema_privilege(current_schema(), 'CREATE'), false)"
            " AND has_database_privilege(current_database(), 'CREATE')"
            " AND (SELECT rolsuper OR rolcreaterole FROM pg_roles"
            "      WHERE rolname = current_user)")).scalar())


def _has_administrator(engine: Engine) -> bool:
    from app.services.uow import UnitOfWork
    from app.services.users import has_administrator

    return has_administrator(UnitOfWork.for_engine(engine))


def probe_database(address: str) -> Probe:
    """Connect with ``address`` (the login included) and judge its schema. No Qt.

    Raises:
        DatabaseUnavailable: the server cannot be reached or refused the login.
    """
    engine = make_engine(address)
    try:
        check_connection(engine)
        dialect = engine.dialect.name
        verdict = update.check_schema(engine)
        if verdict.state == "empty":
            return Probe("empty", dialect, can_create=_may_create(engine))
        if verdict.state == "current":
            can_create = _may_create(engine)
            if can_create and not _has_administrator(engine):
                return Probe("unfinished", dialect, can_create=True,
                             revision=verdict.revision)
            return Probe("ready", dialect, can_create=can_create, revision=verdict.revision)
        if verdict.state == "newer_compatible":
            return Probe("newer_ok", dialect, revision=verdict.revision,
                         message=verdict.made_by or "")
        try:
            require_current_schema(engine, newer_ok=True)
        except ClientTooOld as error:
            return Probe("refused", dialect, revision=verdict.revision, message=str(error),
                         installer=error.installer, installer_is_url=error.installer_is_url)
        except SchemaNotCurrent as error:
            return Probe("refused", dialect, revision=verdict.revision, message=str(error))
        return Probe("ready", dialect, revision=verdict.revision)
    except DatabaseUnavailable:
        raise
    except Exception as error:
        raise lost_connection(error, address) or error from error
    finally:
        engine.dispose()


@dataclass(frozen=True)
class AdminDraft:
    """The first administrator, as typed."""

    username: str
    display_name: str
    password: str


CREATE_STEPS: Final = 5


def _store_company_name(engine: Engine, name: str) -> None:
    """The company name every slip prints (the first administrator edits the rest)."""
    from app.services.company import set_company_name
    from app.services.uow import UnitOfWork

    set_company_name(uow=UnitOfWork.for_engine(engine), actor=None, name=name)


def create_database(address: str, *, company: str, admin: AdminDraft,
                    progress: Callable[[int, str], None] | None = None) -> None:
    """Make an empty database ready, as `stationcrm db upgrade`, `db security` and the first
    `user add` would: the schema, the reference data, the company name, each person's
    database login (PostgreSQL), the first administrator. No Qt; ``progress(step, what)``
    is told each step.

    Raises:
        CannotCreate: the login lacks the rights (the administrator must do it).
        DatabaseUnavailable: the server went away.
        ValidationError: the administrator's name or password is refused.
    """
    from app.security.principals import SecurityError, secure_database
    from app.services.reference import ensure_reference_data
    from app.services.uow import UnitOfWork
    from app.services.users import add_user

    def step(number: int, what: str) -> None:
        if progress is not None:
            progress(number, what)

    engine = make_engine(address)
    try:
        step(1, "schema")
        schema.upgrade(engine)
        update.record_schema(engine)
        step(2, "reference")
        ensure_reference_data(UnitOfWork.for_engine(engine))
        step(3, "company")
        _store_company_name(engine, company)
        step(4, "security")
        if engine.dialect.name == "postgresql":
            secure_database(engine)
        step(5, "administrator")
        add_user(uow=UnitOfWork.for_engine(engine), actor=None, username=admin.username,
                 password=admin.password, role_code=ADMIN_ROLE,
                 display_name=admin.display_name or admin.username,
                 department_code=ADMIN_DEPARTMENT)
    except SecurityError as error:
        raise CannotCreate(str(error)) from error
    except (DatabaseUnavailable, ServiceError):
        raise
    except Exception as error:
        if _permission_denied(error):
            raise CannotCreate(str(getattr(error, "orig", None) or error)) from error
        raise lost_connection(error, address) or error from error
    finally:
        engine.dispose()


def _permission_denied(error: BaseException) -> bool:
    current: BaseException | None = error
    while current is not None:
        for candidate in (current, getattr(current, "orig", None)):
            if getattr(candidate, "sqlstate", None) == "42501" or (
                    candidate is not None and "permission denied" in str(candidate).lower()):
                return True
        current = current.__cause__ or current.__context__
    return False


def admin_commands(address: str, dialect: str, admin: str = "admin") -> str:
    """The commands an administrator runs to make an empty database ready (docs/dba.md).

    OWNER and PASSWORD stand for the login that owns the database (PostgreSQL) or a
    sysadmin's SQL login (SQL Server); the administrator fills them in.
    """
    url = make_url(address)
    owner = url.set(username="OWNER", password="PASSWORD").difference_update_query(
        [key for key in url.query if key.lower() == "trusted_connection"])
    owned = owner.render_as_string(hide_password=False)
    add = (f"stationcrm user add {admin} --role {ADMIN_ROLE} --department {ADMIN_DEPARTMENT}"
           f' --db "{owned}"')
    if dialect == "mssql":
        shown = url.render_as_string(hide_password=True)
        return "\n".join((
            f'stationcrm db upgrade --sql --db "{shown}" > schema.sql',
            f'stationcrm db security --sql --user {admin} --db "{shown}" > security.sql',
            f"sqlcmd -S {url.host} -d {url.database} -E -b -i schema.sql",
            f"sqlcmd -S {url.host} -d {url.database} -E -b -i security.sql",
            add,
        ))
    return "\n".join((
        f'stationcrm db upgrade --db "{owned}"',
        f'stationcrm db security --db "{owned}"',
        add,
    ))


__all__ = [
    "AdminDraft",
    "CannotCreate",
    "Probe",
    "ServerFields",
    "admin_commands",
    "create_database",
    "keep_password",
    "probe_database",
    "server_address",
    "server_fields",
    "with_login",
]

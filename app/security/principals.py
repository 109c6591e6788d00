"""Database logins kept in step with StationCRM: set up a server, re-grant a changed role,
give a new or changed user their login. Services call the ``on_*`` hooks; on the embedded
SQLite file and on a server not (yet) secured by ``stationcrm db security`` they do nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from sqlalchemy import Connection, Engine, or_, select, text
from sqlalchemy.orm import Session

from app.models import Base, Role, User
from app.security import postgres

SCRAM_ITERATIONS: Final = 4096


class SecurityError(Exception):
    """The database security cannot be set up or kept in step; ``str()`` says why."""


def scram_verifier(password: str, *, salt: bytes | None = None,
                   iterations: int = SCRAM_ITERATIONS) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for ``password`` (RFC 5802/7677).

    The server is given this, never the password: it cannot appear in a statement log.
    NFKC stands in for SASLprep, which is the identity for the passwords people type.
    """
    salt = salt if salt is not None else os.urandom(16)
    normalized = unicodedata.normalize("NFKC", password).encode("utf-8")
    salted = hashlib.pbkdf2_hmac("sha256", normalized, salt, iterations)
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", "sha256").digest()

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode("ascii")

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


# --- is this database secured? ---------------------------------------------------------------


def is_secured(connection: Connection) -> bool:
    """Whether ``stationcrm db security`` (or its SQL Server script) set this database up."""
    name = connection.dialect.name
    if name == "postgresql":
        probe = "SELECT to_regprocedure('crmsec.apply_role(integer)') IS NOT NULL"
    elif name == "mssql":
        probe = "SELECT CASE WHEN OBJECT_ID(N'crmsec.apply_role', N'P') IS NULL THEN 0 ELSE 1 END"
    else:
        return False
    return bool(connection.execute(text(probe)).scalar())


# Per engine, how the hooks call the database's own procedures.
_SAVE_PRINCIPAL = {
    "postgresql": "SELECT crmsec.save_principal(:name, :secret)",
    "mssql": "EXEC crmsec.save_principal @username = :name, @password = :secret",
}
_APPLY_ROLE = {
    "postgresql": "SELECT crmsec.apply_role(:role_id)",
    "mssql": "EXEC crmsec.apply_role @role_id = :role_id",
}
_DROP_GROUP = {
    "postgresql": "SELECT crmsec.drop_group(:code)",
    "mssql": "EXEC crmsec.drop_group @code = :code",
}


# --- hooks for the administration service ----------------------------------------------------


def on_user_saved(session: Session, username: str, password: str | None = None) -> None:
    """Create or bring up to date the user's login: group, enabled flag, new password.

    Runs in the administrator's transaction, with the administrator's own login (which
    alone may call the procedure behind it), so the login changes with the users row or
    not at all. PostgreSQL is given a SCRAM verifier, never the password; SQL Server
    (SQL logins only) takes the password over the encrypted connection, and ignores it
    for Windows logins.
    """
    connection = session.connection()
    if not is_secured(connection):
        return
    name = connection.dialect.name
    secret = password
    if password and name == "postgresql":
        secret = scram_verifier(password)
    connection.execute(text(_SAVE_PRINCIPAL[name]), {"name": username, "secret": secret})


def on_role_saved(session: Session, role_id: int) -> None:
    """Re-grant a role's group from its matrix, in the same transaction as the matrix."""
    connection = session.connection()
    if is_secured(connection):
        session.flush()
        connection.execute(text(_APPLY_ROLE[connection.dialect.name]), {"role_id": role_id})


def on_role_deleted(session: Session, role_code: str) -> None:
    connection = session.connection()
    if is_secured(connection):
        session.flush()
        connection.execute(text(_DROP_GROUP[connection.dialect.name]), {"code": role_code})


# --- the duplicate check's phone lookup -----------------------------------------------------

_PHONE_LOOKUP = {
    "postgresql": "SELECT id FROM crmsec.customers_with_phone(:digits)",
    "mssql": "EXEC crmsec.customers_with_phone @digits = :digits",
}


def customers_with_phone(session: Session, digits: Iterable[str]) -> set[int]:
    """Ids of the customers (any owner) with one of these whole phone numbers.

    On a secured server through the database's own audited lookup, which answers only for
    a whole number and only with ids, names and owners — row security hides other
    people's customers' phones from every plain query. Elsewhere a plain query.
    """
    wanted = sorted({d for d in digits if d})
    if not wanted:
        return set()
    connection = session.connection()
    if is_secured(connection):
        lookup = text(_PHONE_LOOKUP[connection.dialect.name])
        return {int(row[0]) for d in wanted for row in connection.execute(lookup, {"digits": d})}
    from app.models import Contact, Customer

    found = connection.execute(
        select(Customer.id).where(Customer.phone_digits.in_(wanted))
        .union(select(Contact.customer_id).where(
            or_(Contact.phone_digits.in_(wanted), Contact.mobile_digits.in_(wanted)))))
    return {int(row[0]) for row in found}


# --- setting a database up -------------------------------------------------------------------


@dataclass
class SecurityReport:
    """What ``secure_database`` did."""

    statements: int = 0
    groups: list[str] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    disabled: list[str] = field(default_factory=list)
    with_password: list[str] = field(default_factory=list)


def names_for(connection: Connection, principal_prefix: str | None = None) -> postgres.Names:
    """The names this database uses; a prefix given once is kept for later runs."""
    database, owner = connection.execute(text("SELECT current_database(), current_user")).one()
    kept = None
    if connection.execute(text("SELECT to_regclass('crmsec.config')")).scalar() is not None:
        kept = connection.execute(
            text("SELECT value FROM crmsec.config WHERE key = 'principal_prefix'")).scalar()
    prefix = principal_prefix if principal_prefix is not None else (kept or "")
    return postgres.Names(database=str(database), owner=str(owner),
                          group_prefix=f"{database}_", principal_prefix=prefix)


def secure_database(engine: Engine, *, principal_prefix: str | None = None,
                    passwords: Mapping[str, str] | None = None) -> SecurityReport:
    """Create or bring up to date the whole security set-up of a PostgreSQL database.

    Run as the schema owner (who needs CREATEROLE). ``passwords``: logins to give a
    password (``stationcrm demo-data`` gives the demo users theirs); other new logins get
    none until the administrator resets the person's password.

    Raises:
        SecurityError: not PostgreSQL, or the login lacks the rights.
    """
    if engine.dialect.name != "postgresql":
        raise SecurityError(
            f"`db security` sets up PostgreSQL databases; for {engine.dialect.name} print "
            "the script with --sql and run it as the DBA." if engine.dialect.name == "mssql"
            else "The embedded SQLite file is protected by the file permissions of its "
            "folder; there is no database security to set up.")
    passwords = passwords or {}
    report = SecurityReport()
    with engine.begin() as connection:
        rights = connection.execute(text(
            "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
        )).scalar()
        if not rights:
            raise SecurityError(
                "The login running `db security` must own the schema and have CREATEROLE "
                "(it creates the group roles and people's logins).")
        names = names_for(connection, principal_prefix)
        too_long = [name for name in (
            *(names.group(code) for code in connection.execute(select(Role.code)).scalars()),
            *(names.principal(u) for u in connection.execute(select(User.username)).scalars()))
            if len(name.encode("utf-8")) > postgres.MAX_NAME]
        if too_long:
            raise SecurityError(
                f"These database role names would be longer than PostgreSQL's"
                f" {postgres.MAX_NAME} bytes: {', '.join(too_long)}. Use a shorter login"
                " prefix, role code or user name.")
        tables = [t.name for t in Base.metadata.sorted_tables]
        for statement in postgres.setup_statements(names, tables):
            # The driver reads "%" as a parameter marker even with no parameters.
            connection.exec_driver_sql(statement.replace("%", "%%"))
            report.statements += 1
        for role_id, code in connection.execute(select(Role.id, Role.code).order_by(Role.id)):
            connection.execute(text(_APPLY_ROLE["postgresql"]), {"role_id": role_id})
            report.groups.append(names.group(code))
        for username, active in connection.execute(
                select(User.username, User.active).order_by(User.username)):
            password = passwords.get(username)
            connection.execute(text(_SAVE_PRINCIPAL["postgresql"]), {
                "name": username, "secret": scram_verifier(password) if password else None})
            (report.logins if active else report.disabled).append(names.principal(username))
            if password:
                report.with_password.append(names.principal(username))
    return report

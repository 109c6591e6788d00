"""The SQL Server security script: database roles, grants, row-level security, audit guards.

The same model as ``app.security.postgres``, rendered as one T-SQL script (SQL Server 2016
or later) that a DBA runs as sysadmin, e.g. ``sqlcmd -b -i stationcrm-security.sql``. It is
idempotent: a second run brings the database up to date with the role matrix and the users.

What lives in the database, schema ``crmsec`` (owned by ``dbo``):

* ``access``, ``protected``, ``config``: the catalogue (app.security.catalog), so that
  ``crmsec.apply_role @role_id`` can re-grant a database role from the role matrix inside
  the administrator's own transaction when the matrix is saved;
* ``login_name()``, ``uid()``, ``dept()``, ``scope(@module)``, ``allows(@module,
  @operation)``, ``user_of(@login)``, ``whoami()``: who the current database user is in
  StationCRM terms;
* ``save_principal @username, @password``: create, re-password, enable or disable a
  person's login and put its database user in exactly its role's database role;
* row security: one predicate function per table of ``catalog.ROW_RULES`` and the security
  policy ``crmsec.row_scope``; the customer directory and the phone lookup, which look past
  it on purpose;
* the audit guards: each audit row carries the login and transaction that wrote it, and
  nobody but the owner changes or deletes one;
* the read trail's guards: every role adds rows, each naming the login's own user (a
  trigger refuses another's), only roles with the customer guard read them, and nobody
  but the owner changes or deletes one;
* the phone views (``customer_phones``, ``contact_phones``), redefined to show only the
  login's own customers' numbers, and the phone guards: AFTER UPDATE triggers on customers
  and contacts that refuse a change of another's customer's numbers to a role with an
  owner-exempt field protected (which keeps UPDATE of those columns).

Where SQL Server differs from PostgreSQL, and what was chosen:

* Row security applies to everyone, ``dbo`` included, and through views whoever owns them.
  Every predicate lets ``db_owner`` through (migrations, the DBA, and modules that run
  ``WITH EXECUTE AS OWNER``), which is how the directory and the phone lookup see all rows.
* A module ``WITH EXECUTE AS OWNER`` impersonates a database user, which SQL Server confines
  to the database: CREATE LOGIN and ALTER LOGIN fail there unless the database is
  TRUSTWORTHY, which would hand the server to every db_owner. So ``save_principal`` runs as
  its caller and is signed with a certificate whose user may manage users and role members
  and whose login in master may ALTER ANY LOGIN — nothing more (module signing).
* Changes made with a SQL tool are recorded by SQL Server Audit, not by triggers on the
  business tables: a trigger makes SQL Server refuse the ``OUTPUT inserted.id`` SQLAlchemy
  puts on every insert. The audit needs a folder the DBA picks, so its statements are
  printed as comments at the end. (The phone guards fire on UPDATE only, which the
  program sends without OUTPUT.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Final

from sqlalchemy.dialects import mssql
from sqlalchemy.engine import Dialect

from app.models import Base
from app.models.enums import AuditAction, DataScope, FieldAccess, Module, Operation
from app.security import catalog
from app.security.catalog import (
    Allowed,
    Condition,
    CustomerScoped,
    Equals,
    Follows,
    Linked,
    Mine,
    RowRule,
    Scoped,
)

SCHEMA: Final = "crmsec"
POLICY: Final = "row_scope"
DIRECTORY_ROWS: Final = "directory_rows"
MAX_NAME: Final = 128  # sysname
CODE_LENGTH: Final = 40  # roles.code and users.username
MAX_VALUES: Final = 1000  # rows one INSERT ... VALUES may carry
# The procedures only administration may run; apply_role grants them from the matrix.
PRINCIPAL_PROCEDURES: Final = ("save_principal", "apply_role", "drop_group")
# What every role may call: identity (scalar functions), whoami (inline function), the
# phone lookup of the duplicate check.
PUBLIC_FUNCTIONS: Final = ("login_name", "uid", "dept", "scope", "allows", "user_of")
PUBLIC_PROCEDURES: Final = ("customers_with_phone",)
PUBLIC_TABLE_FUNCTIONS: Final = ("whoami",)
# Tables the identity functions and predicates read besides the ones they protect.
IDENTITY_TABLES: Final = ("users", "roles", "role_permissions", "role_data_scopes")
GO: Final = "GO"
BACKSLASH: Final = "\\"


@dataclass(frozen=True)
class MssqlNames:
    """How this database names its roles, users and logins."""

    database: str
    role_prefix: str = "crm_"
    user_prefix: str = ""
    windows_domain: str | None = None

    def role(self, code: str) -> str:
        return f"{self.role_prefix}{code}"

    def user(self, username: str) -> str:
        return f"{self.user_prefix}{username}"

    def login(self, username: str) -> str:
        """Windows logins are the person's own account; SQL logins are named like users."""
        if self.windows_domain is not None:
            return f"{self.windows_domain}\\{username}"
        return self.user(username)

    @property
    def certificate(self) -> str:
        # One per database: two StationCRM databases on one server each sign their own.
        return f"crmsec_{self.database}_principals"


# --- literals and identifiers ----------------------------------------------------------------


def bracket(name: str) -> str:
    """A delimited identifier: ``[name]`` with ``]`` doubled, as QUOTENAME does."""
    return "[" + name.replace("]", "]]") + "]"


def qualified(schema: str, name: str) -> str:
    return f"{bracket(schema)}.{bracket(name)}"


def literal(value: str) -> str:
    """A Unicode string literal: without the N, SQL Server reads it in the database's code
    page and turns what the code page lacks (Chinese names, often) into question marks."""
    return "N'" + value.replace("'", "''") + "'"


def code(value: str) -> str:
    """A non-Unicode literal for a code compared with a VARCHAR column.

    A Unicode literal would convert the column instead, which costs the index seek inside
    the row predicates; the codes are ASCII, so nothing is lost.
    """
    if not value.isascii():
        raise ValueError(f"codes compared with VARCHAR columns are ASCII: {value!r}")
    return "'" + value.replace("'", "''") + "'"


def embedded(sql: str) -> str:
    """``sql`` ready to sit inside a string literal of dynamic SQL (quotes doubled)."""
    return sql.replace("'", "''")


def _table(name: str) -> str:
    return qualified("dbo", name)


def _crmsec(name: str) -> str:
    return qualified(SCHEMA, name)


def _column(alias: str, name: str) -> str:
    return f"{alias}.{bracket(name)}"


@cache
def _dialect() -> Dialect:
    # NVARCHAR(max) rather than NTEXT, as the migrations render it.
    dialect: Dialect = mssql.dialect(deprecate_large_types=True)  # type: ignore[no-untyped-call]
    return dialect


def column_type(table: str, column: str) -> str:
    """The SQL Server type of a model column, so predicate parameters need no conversion."""
    sql_type = Base.metadata.tables[table].c[column].type
    return str(sql_type.compile(dialect=_dialect()))


def _validate(names: MssqlNames, role_codes: Sequence[str], usernames: Sequence[str]) -> None:
    longest = "x" * CODE_LENGTH
    if not names.database:
        raise ValueError("the database name is empty")
    if not names.role_prefix:
        # Without one, every role of the database (db_datareader ...) would count as ours.
        raise ValueError("role_prefix is empty")
    for name in (names.database, names.role(longest), names.user(longest),
                 names.login(longest), names.certificate):
        if len(name) > MAX_NAME:
            raise ValueError(f"a role, user or login name would exceed {MAX_NAME} "
                             f"characters: {name}")
        if any(ord(ch) < 32 for ch in name):
            raise ValueError(f"control character in a database name: {name!r}")
    if names.windows_domain is not None and (
            not names.windows_domain or "\\" in names.windows_domain):
        raise ValueError("windows_domain is a domain name such as CORP, without a backslash")
    for value in (*role_codes, *usernames):
        if not value or len(value) > CODE_LENGTH:
            raise ValueError(f"role codes and user names have 1 to {CODE_LENGTH} characters: "
                             f"{value!r}")


# --- who is asking ---------------------------------------------------------------------------


def login_name_sql(names: MssqlNames) -> str:
    """The StationCRM user name of the current database user (NULL for anyone else)."""
    prefix = names.user_prefix
    if not prefix:
        return "USER_NAME()"
    return (f"CASE WHEN LEFT(USER_NAME(), {len(prefix)}) = {literal(prefix)}"
            f" THEN SUBSTRING(USER_NAME(), {len(prefix) + 1}, {MAX_NAME}) END")


def _prefixed(prefix: str, expression: str) -> str:
    return f"{literal(prefix)} + {expression}" if prefix else expression


def _login_of_sql(names: MssqlNames, username: str) -> str:
    """The login name of a users row (``username`` is an SQL expression)."""
    if names.windows_domain is not None:
        return _prefixed(names.windows_domain + BACKSLASH, username)
    return _prefixed(names.user_prefix, username)


def _me(names: MssqlNames, alias: str) -> str:
    """``alias`` (a row of dbo.users) is the current person, and active."""
    return (f"{_column(alias, 'username')} = {login_name_sql(names)}"
            f" AND {_column(alias, 'active')} = 1")


# --- row conditions --------------------------------------------------------------------------
# Written out inline rather than through crmsec.scope() and friends: SQL Server 2016 and
# 2017 run a scalar function once per row, and a predicate runs for every row read.


def in_scope_sql(names: MssqlNames, value: str, module: str) -> str:
    """``value`` (a user id) lies in the current person's data scope of ``module``.

    No scope row means "own"; "department" without a department finds no colleague, so
    it is "own" too — as crmsec.scope() and the program say.
    """
    users, scopes = _table("users"), _table("role_data_scopes")
    return (
        f"EXISTS (SELECT 1 FROM {users} AS me"
        f" LEFT JOIN {scopes} AS s ON {_column('s', 'role_id')} = {_column('me', 'role_id')}"
        f" AND {_column('s', 'module')} = {code(module)}"
        f" WHERE {_me(names, 'me')} AND ({value} = {_column('me', 'id')}"
        f" OR {_column('s', 'scope')} = {code(DataScope.ALL)}"
        f" OR ({_column('s', 'scope')} = {code(DataScope.DEPARTMENT)} AND {value} IN"
        f" (SELECT {_column('o', 'id')} FROM {users} AS o"
        f" WHERE {_column('o', 'department_id')} = {_column('me', 'department_id')}))))"
    )


def _param(column: str) -> str:
    return f"@{column}"


def _visible(column_sql: str, parent: str) -> str:
    # The parent's own predicate applies inside this one: row security holds for every
    # read of a protected table, predicate functions included.
    return f"{column_sql} IN (SELECT {_column('p', 'id')} FROM {_table(parent)} AS p)"


def condition_sql(names: MssqlNames, condition: Condition) -> str:
    """One condition of a row rule over the predicate function's parameters."""
    match condition:
        case Scoped(column, module):
            return in_scope_sql(names, _param(column), module.value)
        case Follows(column, parent, only_if):
            sql = _visible(_param(column), parent)
            if only_if is not None:
                sql = f"({_param(only_if[0])} = {literal(only_if[1])} AND {sql})"
            return sql
        case Linked(link, link_column, link_parent, parent):
            return (f"{_param('id')} IN (SELECT {_column('l', link_column)}"
                    f" FROM {_table(link)} AS l"
                    f" WHERE {_visible(_column('l', link_parent), parent)})")
        case CustomerScoped(column, module):
            # Through the directory: the customer need not be visible itself, only its
            # owner in the scope of ``module``.
            return (f"{_param(column)} IN (SELECT {_column('d', 'id')}"
                    f" FROM {_crmsec(DIRECTORY_ROWS)}() AS d"
                    f" WHERE {in_scope_sql(names, _column('d', 'owner_id'), module.value)})")
        case Allowed(module, operation):
            return (f"EXISTS (SELECT 1 FROM {_table('users')} AS me"
                    f" JOIN {_table('role_permissions')} AS rp"
                    f" ON {_column('rp', 'role_id')} = {_column('me', 'role_id')}"
                    f" WHERE {_column('rp', 'module')} = {code(module.value)}"
                    f" AND {_column('rp', 'operation')} = {code(operation.value)}"
                    f" AND {_me(names, 'me')})")
        case Equals(column, value):
            return f"{_param(column)} = {literal(value)}"
        case Mine(column, of):
            which = "id" if of == "user" else "department_id"
            return (f"{_param(column)} = (SELECT {_column('me', which)}"
                    f" FROM {_table('users')} AS me WHERE {_me(names, 'me')})")
    raise AssertionError(condition)


def rule_columns(rule: RowRule) -> list[str]:
    """The columns of ``rule.table`` its conditions read: the predicate's parameters."""
    columns: list[str] = []

    def add(column: str) -> None:
        if column not in columns:
            columns.append(column)

    for condition in rule.any_of:
        match condition:
            case Scoped(column) | CustomerScoped(column) | Equals(column) | Mine(column):
                add(column)
            case Follows(column, _, only_if):
                if only_if is not None:
                    add(only_if[0])
                add(column)
            case Linked():
                add("id")
            case Allowed():
                pass
    return columns or ["id"]


def predicate_name(table: str) -> str:
    return f"rows_{table}"


def predicate_function(names: MssqlNames, rule: RowRule) -> str:
    """The inline predicate of ``rule.table``: a row when the person may see the row."""
    params = ", ".join(f"{_param(c)} {column_type(rule.table, c)}" for c in rule_columns(rule))
    conditions = "\n    OR ".join(f"({condition_sql(names, c)})" for c in rule.any_of)
    return f"""CREATE OR ALTER FUNCTION {_crmsec(predicate_name(rule.table))}({params})
RETURNS TABLE
WITH SCHEMABINDING
AS
RETURN SELECT 1 AS visible
WHERE IS_MEMBER(N'db_owner') = 1
    OR {conditions}"""


def policy_statement(rules: Iterable[RowRule]) -> str:
    """Read, change and delete rows in scope; insert any row (as PostgreSQL's policies).

    With the filter on, rows out of scope are already invisible to UPDATE and DELETE; the
    BEFORE block predicates state the rule for writes on their own, so a filter predicate
    dropped by hand does not open writes. No AFTER UPDATE: a change may move a row out of
    the person's scope (reassigning a customer), and inserts are not limited.
    """
    lines = []
    for rule in rules:
        args = ", ".join(bracket(c) for c in rule_columns(rule))
        function = f"{_crmsec(predicate_name(rule.table))}({args})"
        target = _table(rule.table)
        lines += [f"    ADD FILTER PREDICATE {function} ON {target}",
                  f"    ADD BLOCK PREDICATE {function} ON {target} BEFORE UPDATE",
                  f"    ADD BLOCK PREDICATE {function} ON {target} BEFORE DELETE"]
    return (f"CREATE SECURITY POLICY {_crmsec(POLICY)}\n" + ",\n".join(lines)
            + "\nWITH (STATE = ON, SCHEMABINDING = ON);")


# --- the script, section by section ----------------------------------------------------------


def needed_tables() -> set[str]:
    """The tables the script names: protected ones, the ones predicates read, the log."""
    needed = {r.table for r in catalog.ROW_RULES} | set(IDENTITY_TABLES)
    needed |= {"role_field_rules", "customers", "contacts", *catalog.APPEND_ONLY}
    needed |= set(catalog.GUARDED_PHONE_COLUMNS)
    for rule in catalog.ROW_RULES:
        for condition in rule.any_of:
            match condition:
                case Follows(_, parent):
                    needed.add(parent)
                case Linked(link, _, _, parent):
                    needed |= {link, parent}
    return needed


def _header(names: MssqlNames) -> str:
    functions = [predicate_name(r.table) for r in catalog.ROW_RULES] + [DIRECTORY_ROWS]
    drops = "\n".join(f"--   DROP FUNCTION IF EXISTS {_crmsec(f)};" for f in functions)
    return f"""-- StationCRM database security for SQL Server 2016 SP1 or later
-- (app.security.mssql).
-- Run as a sysadmin, with sqlcmd -b so that the first error stops the script. Running it
-- again brings roles, grants, row security and logins up to date. XACT_ABORT (the first
-- statement) makes an error roll back the transaction it happens in, not carry on in it.
--
-- Row security binds the columns its predicates read (SCHEMABINDING). Before a schema
-- upgrade that changes one of them, remove it, then run this script again afterwards:
--   DROP SECURITY POLICY IF EXISTS {_crmsec(POLICY)};
{drops}
SET XACT_ABORT ON;
USE {bracket(names.database)};"""


def _session() -> str:
    # Functions and procedures keep the ANSI_NULLS and QUOTED_IDENTIFIER they were created
    # with; XACT_ABORT makes the first error roll back the open transaction.
    return ("SET ANSI_NULLS ON;\nSET QUOTED_IDENTIFIER ON;\nSET XACT_ABORT ON;\n"
            "SET NOCOUNT ON;")


def _values(rows: Iterable[Sequence[str]]) -> Iterator[str]:
    rendered = ["(" + ", ".join(literal(v) for v in row) + ")" for row in rows]
    for start in range(0, len(rendered), MAX_VALUES):
        yield ",\n".join(rendered[start:start + MAX_VALUES])


def _catalog_batches(names: MssqlNames) -> list[str]:
    schema = (f"IF SCHEMA_ID({literal(SCHEMA)}) IS NULL\n"
              # CREATE SCHEMA must be alone in its batch; EXEC gives it one.
              f"    EXEC (N'CREATE SCHEMA {bracket(SCHEMA)} AUTHORIZATION [dbo]');")
    protected = sorted({(p.module.value, p.field, p.table, p.column)
                        for p in catalog.PROTECTED_COLUMNS})
    config = [("database", names.database), ("role_prefix", names.role_prefix),
              ("user_prefix", names.user_prefix),
              ("windows_domain", names.windows_domain or "")]
    tables: list[tuple[str, str, Sequence[Sequence[str]]]] = [
        ("access", "[table_name] NVARCHAR(128) NOT NULL, [privilege] NVARCHAR(10) NOT NULL,"
                   " [module] NVARCHAR(20) NOT NULL, [operation] NVARCHAR(20) NOT NULL,"
                   " [column_name] NVARCHAR(128) NOT NULL", list(catalog.access_rows())),
        ("protected", "[module] NVARCHAR(20) NOT NULL, [field] NVARCHAR(40) NOT NULL,"
                      " [table_name] NVARCHAR(128) NOT NULL,"
                      " [column_name] NVARCHAR(128) NOT NULL", protected),
        ("config", "[key] NVARCHAR(40) NOT NULL PRIMARY KEY, [value] NVARCHAR(128) NOT NULL",
         config),
    ]
    statements = []
    for name, columns, rows in tables:
        statements.append(f"IF OBJECT_ID({literal(f'{SCHEMA}.{name}')}, N'U') IS NULL\n"
                          f"    CREATE TABLE {_crmsec(name)} ({columns});")
        statements.append(f"TRUNCATE TABLE {_crmsec(name)};")
        statements += [f"INSERT INTO {_crmsec(name)} VALUES\n{chunk};" for chunk in _values(rows)]
    return [schema, "\n".join(statements)]


def _identity_batches(names: MssqlNames) -> list[str]:
    """Who the current database user is in StationCRM, as crmsec's PostgreSQL functions."""
    users, me = _table("users"), _me(names, "u")
    own, dept = code(DataScope.OWN), code(DataScope.DEPARTMENT)
    return [
        f"""CREATE OR ALTER FUNCTION {_crmsec('login_name')}() RETURNS NVARCHAR(128)
AS
BEGIN
    RETURN {login_name_sql(names)};
END""",
        # The login that authenticated, for modules that run as the owner (ORIGINAL_LOGIN()).
        f"""CREATE OR ALTER FUNCTION {_crmsec('user_of')}(@login NVARCHAR(128)) RETURNS INT
AS
BEGIN
    RETURN (SELECT u.[id] FROM {users} AS u
            WHERE {_login_of_sql(names, 'u.[username]')} = @login);
END""",
        f"""CREATE OR ALTER FUNCTION {_crmsec('uid')}() RETURNS INT
AS
BEGIN
    RETURN (SELECT u.[id] FROM {users} AS u WHERE {me});
END""",
        f"""CREATE OR ALTER FUNCTION {_crmsec('dept')}() RETURNS INT
AS
BEGIN
    RETURN (SELECT u.[department_id] FROM {users} AS u WHERE {me});
END""",
        # A module without a scope row is "own"; "department" without a department too.
        f"""CREATE OR ALTER FUNCTION {_crmsec('scope')}(@module NVARCHAR(20)) RETURNS NVARCHAR(20)
AS
BEGIN
    RETURN (SELECT CASE WHEN s.[scope] IS NULL THEN {own}
                        WHEN s.[scope] = {dept} AND u.[department_id] IS NULL THEN {own}
                        ELSE s.[scope] END
            FROM {users} AS u
            LEFT JOIN {_table('role_data_scopes')} AS s
              ON s.[role_id] = u.[role_id] AND s.[module] = @module
            WHERE {me});
END""",
        f"""CREATE OR ALTER FUNCTION {_crmsec('allows')}(@module NVARCHAR(20),
    @operation NVARCHAR(20))
RETURNS BIT
AS
BEGIN
    RETURN CASE WHEN EXISTS (
        SELECT 1 FROM {users} AS u
        JOIN {_table('role_permissions')} AS p ON p.[role_id] = u.[role_id]
        WHERE p.[module] = @module AND p.[operation] = @operation AND {me})
    THEN 1 ELSE 0 END;
END""",
        # The login's StationCRM user, and whether it sits in its role's database role.
        f"""CREATE OR ALTER FUNCTION {_crmsec('whoami')}()
RETURNS TABLE
AS
RETURN SELECT u.[id] AS user_id, u.[active],
              CAST(CASE WHEN IS_ROLEMEMBER({literal(names.role_prefix)} + r.[code]) = 1
                        THEN 1 ELSE 0 END AS BIT) AS in_step
       FROM {users} AS u
       JOIN {_table('roles')} AS r ON r.[id] = u.[role_id]
       WHERE u.[username] = {login_name_sql(names)}""",
    ]


def _directory_batches(names: MssqlNames) -> list[str]:
    """The customer directory and one's own customers' phone numbers.

    Row security holds through views in SQL Server, whoever owns the view, so a plain view
    over dbo.customers would show the directory filtered by the customers scope. A caller
    cannot be told apart inside a predicate without something it could fake
    (SESSION_CONTEXT, APP_NAME()). What cannot be faked is the execution context of a
    module ``WITH EXECUTE AS OWNER``: there the predicate sees db_owner and lets every row
    through. Inline functions cannot switch context, so the rows come from a
    multi-statement function, and the view on top keeps the name and columns the program
    and the grants know. The price is that the function copies the directory's few
    columns of every customer per query, before any WHERE applies: fine for the thousands
    of customers of one company. Indexed views are out (not allowed over a table with a
    security policy), and a copy kept by triggers on customers would break the OUTPUT
    clause of every insert into customers.
    """
    columns = catalog.DIRECTORY_COLUMNS
    declared = ",\n    ".join(
        f"{bracket(c)} {column_type('customers', c)}"
        + (" NOT NULL PRIMARY KEY" if c == "id" else " NULL") for c in columns)
    plain = ", ".join(bracket(c) for c in columns)
    from_c = ", ".join(_column("c", c) for c in columns)
    from_d = ", ".join(_column("d", c) for c in columns)
    return [
        f"""CREATE OR ALTER FUNCTION {_crmsec(DIRECTORY_ROWS)}()
RETURNS @rows TABLE (
    {declared})
WITH SCHEMABINDING, EXECUTE AS OWNER
AS
BEGIN
    INSERT INTO @rows ({plain})
    SELECT {from_c} FROM {_table('customers')} AS c;
    RETURN;
END""",
        # Same owner (dbo) as the function: callers need SELECT on the view only.
        f"""CREATE OR ALTER VIEW {_table(catalog.DIRECTORY_VIEW)}
AS
SELECT {from_d} FROM {_crmsec(DIRECTORY_ROWS)}() AS d""",
        *_phone_view_batches(names),
    ]


def _own_customer_sql(names: MssqlNames, owner: str) -> str:
    """``owner`` (a users id) is the current person: the customer is their own."""
    return (f"{owner} = (SELECT {_column('u', 'id')} FROM {_table('users')} AS u"
            f" WHERE {_me(names, 'u')})")


def _phone_view_batches(names: MssqlNames) -> list[str]:
    """The phone views, redefined to show only the login's own customers' numbers.

    The migration makes them unfiltered (the program filters by owner); here they keep
    their names and columns and show only rows whose customer the current person owns.
    Row security of customers and contacts applies too (one's own customers are always in
    scope); the ownership chain from the dbo-owned view lets the phone columns through,
    which roles with the phone field hidden are not granted on the tables themselves. The
    view an earlier set-up made is dropped.
    """
    retired = "\n".join(f"DROP VIEW IF EXISTS {_table(view)};" for view in catalog.RETIRED_VIEWS)
    customer_columns = ", ".join(_column("c", c) for c in catalog.CUSTOMER_PHONES_COLUMNS)
    contacts = Base.metadata.tables["contacts"].c
    # Everything from the contact but the owner, which is its customer's.
    contact_columns = ", ".join(_column("k" if c in contacts else "c", c)
                                for c in catalog.CONTACT_PHONES_COLUMNS)
    return [
        *([retired] if retired else []),
        f"""CREATE OR ALTER VIEW {_table(catalog.CUSTOMER_PHONES_VIEW)}
AS
SELECT {customer_columns} FROM {_table('customers')} AS c
WHERE {_own_customer_sql(names, _column('c', 'owner_id'))}""",
        f"""CREATE OR ALTER VIEW {_table(catalog.CONTACT_PHONES_VIEW)}
AS
SELECT {contact_columns} FROM {_table('contacts')} AS k
JOIN {_table('customers')} AS c ON c.[id] = k.[customer_id]
WHERE {_own_customer_sql(names, _column('c', 'owner_id'))}""",
    ]


def _row_security_batches(names: MssqlNames) -> list[str]:
    """Policy, predicates and the directory they use, swapped inside one transaction.

    A schema-bound policy pins its functions, so it is dropped and created again. Should a
    batch in between fail, XACT_ABORT rolls back to the previous policy; the batches after
    it then fail on what still exists instead of leaving tables unprotected.
    """
    batches = [
        "BEGIN TRANSACTION;",
        f"DROP SECURITY POLICY IF EXISTS {_crmsec(POLICY)};",
        "\n".join(f"DROP FUNCTION IF EXISTS {_crmsec(predicate_name(r.table))};"
                  for r in catalog.ROW_RULES),
        *_directory_batches(names),
        *(predicate_function(names, rule) for rule in catalog.ROW_RULES),
        policy_statement(catalog.ROW_RULES),
        "COMMIT TRANSACTION;",
    ]
    return batches


def _revoke_all_cursor(role: str) -> str:
    """T-SQL revoking every object and column permission (grants and denies) of ``role``."""
    return f"""    DECLARE revoke_cursor CURSOR LOCAL STATIC READ_ONLY FOR
        SELECT N'REVOKE ' + p.permission_name + N' ON ' + QUOTENAME(s.name) + N'.'
               + QUOTENAME(o.name)
               + CASE WHEN p.minor_id > 0 THEN N' (' + QUOTENAME(c.name) + N')' ELSE N'' END
               + N' FROM ' + QUOTENAME({role})
        FROM sys.database_permissions AS p
        JOIN sys.objects AS o ON o.object_id = p.major_id
        JOIN sys.schemas AS s ON s.schema_id = o.schema_id
        LEFT JOIN sys.columns AS c ON c.object_id = p.major_id AND c.column_id = p.minor_id
        WHERE p.class = 1 AND p.grantee_principal_id = DATABASE_PRINCIPAL_ID({role});
    OPEN revoke_cursor;
    FETCH NEXT FROM revoke_cursor INTO @sql;
    WHILE @@FETCH_STATUS = 0
    BEGIN
        EXEC sys.sp_executesql @sql;
        FETCH NEXT FROM revoke_cursor INTO @sql;
    END;
    CLOSE revoke_cursor;
    DEALLOCATE revoke_cursor;"""


def _in_list(values: Iterable[str]) -> str:
    return ", ".join(literal(v) for v in values)


def owner_exempt_sql(alias: str, quote: Callable[[str], str] = code) -> str:
    """The row ``alias`` (with ``module`` and ``field`` columns) names an owner-exempt field.

    ``quote`` renders the values: ``code`` for role_field_rules' VARCHAR columns,
    ``literal`` for crmsec.protected's NVARCHAR ones.
    """
    pairs = sorted((module.value, field) for module, field in catalog.OWNER_EXEMPT_FIELDS)
    if not pairs:
        return "(1 = 0)"
    return "(" + " OR ".join(
        f"({_column(alias, 'module')} = {quote(module)}"
        f" AND {_column(alias, 'field')} = {quote(field)})" for module, field in pairs) + ")"


def _apply_role_procedure(names: MssqlNames) -> str:
    """``apply_role @role_id``: the database role and its grants, straight from the matrix.

    Same rules as PostgreSQL's apply_role: SELECT and UPDATE column by column, minus the
    columns of protected fields (hidden: no SELECT or UPDATE; read-only: no UPDATE; an
    owner-exempt field keeps UPDATE either way, the phone guard checks whose row), never
    users.password_hash, the login-lock columns only with administration view; the
    append-only logs (audit_log, read_trail) never updated or deleted; the principal
    procedures only with administration create/edit. Runs as the owner: granting is a
    database-level right dbo holds.
    """
    admin, view = code(Module.ADMINISTRATION), code(Operation.VIEW)
    manage = ", ".join(code(op) for op in (Operation.CREATE, Operation.EDIT))
    grant_public = "\n".join(
        [f"    SET @sql = N'GRANT EXECUTE ON {_crmsec(f)} TO ' + QUOTENAME(@role);\n"
         "    EXEC sys.sp_executesql @sql;" for f in (*PUBLIC_FUNCTIONS, *PUBLIC_PROCEDURES)]
        + [f"    SET @sql = N'GRANT SELECT ON {_crmsec(f)} TO ' + QUOTENAME(@role);\n"
           "    EXEC sys.sp_executesql @sql;" for f in PUBLIC_TABLE_FUNCTIONS])
    deny_append_only = "\n".join(
        f"    SET @sql = N'DENY UPDATE, DELETE ON {_table(t)} TO ' + QUOTENAME(@role);\n"
        "    EXEC sys.sp_executesql @sql;" for t in sorted(catalog.APPEND_ONLY))
    grant_admin = "\n".join(
        f"        SET @sql = N'GRANT EXECUTE ON {_crmsec(p)} TO ' + QUOTENAME(@role);\n"
        "        EXEC sys.sp_executesql @sql;" for p in PRINCIPAL_PROCEDURES)
    return f"""CREATE OR ALTER PROCEDURE {_crmsec('apply_role')} @role_id INT
WITH EXECUTE AS OWNER
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    DECLARE @code VARCHAR(40), @role SYSNAME, @sql NVARCHAR(MAX), @msg NVARCHAR(2048);
    SELECT @code = r.[code] FROM {_table('roles')} AS r WHERE r.[id] = @role_id;
    IF @code IS NULL
    BEGIN
        SET @msg = CONCAT(N'StationCRM role ', @role_id, N' does not exist.');
        THROW 50002, @msg, 1;
    END;
    SET @role = {literal(names.role_prefix)} + CONVERT(NVARCHAR(40), @code);
    BEGIN TRANSACTION;
    IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = @role AND type = 'R')
    BEGIN
        SET @sql = N'CREATE ROLE ' + QUOTENAME(@role) + N' AUTHORIZATION [dbo]';
        EXEC sys.sp_executesql @sql;
    END;
    -- Start from nothing, column permissions and denies included.
{_revoke_all_cursor('@role')}
    -- What the matrix allows, expanded to the columns the table has now.
    -- Temporary tables take tempdb's collation unless told; compared with crmsec's below.
    CREATE TABLE #grant (table_name SYSNAME COLLATE DATABASE_DEFAULT NOT NULL,
                         privilege NVARCHAR(10) COLLATE DATABASE_DEFAULT NOT NULL,
                         column_name SYSNAME COLLATE DATABASE_DEFAULT NOT NULL);
    INSERT INTO #grant (table_name, privilege, column_name)
    SELECT DISTINCT a.[table_name], a.[privilege],
           CASE WHEN a.[privilege] IN (N'SELECT', N'UPDATE') THEN c.name ELSE N'' END
    FROM {_crmsec('access')} AS a
    JOIN sys.columns AS c
      ON c.object_id = OBJECT_ID(N'[dbo].' + QUOTENAME(a.[table_name]))
    WHERE (a.[module] = N'' OR EXISTS (
              SELECT 1 FROM {_table('role_permissions')} AS p
              WHERE p.[role_id] = @role_id AND p.[module] = a.[module]
                AND p.[operation] = a.[operation]))
      AND (a.[column_name] = N'' OR c.name COLLATE DATABASE_DEFAULT = a.[column_name]);
    -- The server checks passwords itself; nobody reads the program's hashes.
    DELETE FROM #grant WHERE table_name = N'users' AND privilege = N'SELECT'
        AND column_name IN ({_in_list(catalog.USER_SECRET_COLUMNS)});
    IF NOT EXISTS (SELECT 1 FROM {_table('role_permissions')} AS p
                   WHERE p.[role_id] = @role_id AND p.[module] = {admin}
                     AND p.[operation] = {view})
        DELETE FROM #grant WHERE table_name = N'users' AND privilege = N'SELECT'
            AND column_name IN ({_in_list(catalog.USER_ADMIN_COLUMNS)});
    DELETE g FROM #grant AS g
    WHERE g.privilege IN (N'SELECT', N'UPDATE') AND EXISTS (
        SELECT 1 FROM {_crmsec('protected')} AS pc
        JOIN {_table('role_field_rules')} AS fr
          ON fr.[module] = pc.[module] AND fr.[field] = pc.[field]
        WHERE fr.[role_id] = @role_id AND pc.[table_name] = g.table_name
          AND pc.[column_name] = g.column_name
          AND ((g.privilege = N'SELECT' AND fr.[access] = {code(FieldAccess.HIDDEN)})
               OR (g.privilege = N'UPDATE' AND NOT {owner_exempt_sql('pc', literal)})));
    DECLARE grant_cursor CURSOR LOCAL STATIC READ_ONLY FOR
        SELECT N'GRANT ' + g.privilege + N' ON [dbo].' + QUOTENAME(g.table_name)
               + CASE WHEN g.column_name = N'' THEN N''
                      ELSE N' (' + QUOTENAME(g.column_name) + N')' END
               + N' TO ' + QUOTENAME(@role)
        FROM #grant AS g ORDER BY g.table_name, g.privilege, g.column_name;
    OPEN grant_cursor;
    FETCH NEXT FROM grant_cursor INTO @sql;
    WHILE @@FETCH_STATUS = 0
    BEGIN
        EXEC sys.sp_executesql @sql;
        FETCH NEXT FROM grant_cursor INTO @sql;
    END;
    CLOSE grant_cursor;
    DEALLOCATE grant_cursor;
    DROP TABLE #grant;
    -- Everyone writes audit and read trail rows; nobody rewrites them (the triggers are
    -- the second wall).
{deny_append_only}
{grant_public}
    IF EXISTS (SELECT 1 FROM {_table('role_permissions')} AS p
               WHERE p.[role_id] = @role_id AND p.[module] = {admin}
                 AND p.[operation] IN ({manage}))
    BEGIN
{grant_admin}
    END;
    COMMIT TRANSACTION;
END"""


def _drop_group_procedure(names: MssqlNames) -> str:
    return f"""CREATE OR ALTER PROCEDURE {_crmsec('drop_group')} @code NVARCHAR(40)
WITH EXECUTE AS OWNER
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    DECLARE @role SYSNAME = {literal(names.role_prefix)} + @code, @member SYSNAME,
            @sql NVARCHAR(MAX), @msg NVARCHAR(2048);
    IF EXISTS (SELECT 1 FROM {_table('roles')} AS r WHERE r.[code] = @code)
    BEGIN
        SET @msg = CONCAT(N'The role ', @code, N' is still in use.');
        THROW 50005, @msg, 1;
    END;
    IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = @role AND type = 'R')
        RETURN;
    BEGIN TRANSACTION;
    -- A role with members cannot be dropped; its permissions go with it.
    DECLARE member_cursor CURSOR LOCAL STATIC READ_ONLY FOR
        SELECT m.name FROM sys.database_role_members AS rm
        JOIN sys.database_principals AS m ON m.principal_id = rm.member_principal_id
        WHERE rm.role_principal_id = DATABASE_PRINCIPAL_ID(@role);
    OPEN member_cursor;
    FETCH NEXT FROM member_cursor INTO @member;
    WHILE @@FETCH_STATUS = 0
    BEGIN
        SET @sql = N'ALTER ROLE ' + QUOTENAME(@role) + N' DROP MEMBER ' + QUOTENAME(@member);
        EXEC sys.sp_executesql @sql;
        FETCH NEXT FROM member_cursor INTO @member;
    END;
    CLOSE member_cursor;
    DEALLOCATE member_cursor;
    SET @sql = N'DROP ROLE ' + QUOTENAME(@role);
    EXEC sys.sp_executesql @sql;
    COMMIT TRANSACTION;
END"""


def _save_principal_procedure(names: MssqlNames) -> str:
    """``save_principal @username, @password``: the person's login, user and role.

    Runs as its caller (an administrator) plus its signature (see _signing_batch): the
    login statements need a server permission EXECUTE AS OWNER cannot carry. The password
    arrives as a parameter and leaves only inside the dynamic CREATE/ALTER LOGIN, which
    SQL Server keeps out of its traces.
    """
    prefix = names.role_prefix
    ours = f"LEFT(g.name, {len(prefix)}) = {literal(prefix)}" if prefix else "1 = 1"
    database = embedded(bracket(names.database))
    if names.windows_domain is not None:
        # Windows checks the password; a password given here is not the server's business.
        create_login = f"""SET @sql = N'CREATE LOGIN ' + QUOTENAME(@login)
                   + N' FROM WINDOWS WITH DEFAULT_DATABASE = {database}';"""
        change_password = ""
    else:
        # No password yet: a random one nobody knows, until the administrator sets one.
        create_login = f"""SET @initial = COALESCE(@password, CONVERT(NVARCHAR(36), NEWID())
                                          + N'aA1!' + CONVERT(NVARCHAR(36), NEWID()));
        SET @sql = N'CREATE LOGIN ' + QUOTENAME(@login) + N' WITH PASSWORD = N'
                   + QUOTENAME(@initial, N'''') + N', DEFAULT_DATABASE = {database},'
                   + N' CHECK_POLICY = ON, CHECK_EXPIRATION = OFF';"""
        change_password = """
    IF @password IS NOT NULL AND @created = 0
    BEGIN
        -- Windows password policy applies (CHECK_POLICY); a reset also lifts a lockout.
        SET @sql = N'ALTER LOGIN ' + QUOTENAME(@login) + N' WITH PASSWORD = N'
                   + QUOTENAME(@password, N'''') + N' UNLOCK';
        EXEC sys.sp_executesql @sql;
    END;"""
    return f"""CREATE OR ALTER PROCEDURE {_crmsec('save_principal')}
    @username NVARCHAR(40), @password NVARCHAR(128) = NULL
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    DECLARE @active BIT, @code VARCHAR(40), @role_id INT, @login SYSNAME, @user SYSNAME,
            @role SYSNAME, @other SYSNAME, @sid VARBINARY(85), @created BIT = 0,
            @initial NVARCHAR(128), @sql NVARCHAR(MAX), @msg NVARCHAR(2048);
    SELECT @active = u.[active], @code = r.[code], @role_id = r.[id]
    FROM {_table('users')} AS u JOIN {_table('roles')} AS r ON r.[id] = u.[role_id]
    WHERE u.[username] = @username;
    IF @code IS NULL
    BEGIN
        SET @msg = CONCAT(N'StationCRM has no user ', @username, N'.');
        THROW 50003, @msg, 1;
    END;
    SET @login = {_login_of_sql(names, '@username')};
    SET @user = {_prefixed(names.user_prefix, '@username')};
    SET @role = {literal(prefix)} + CONVERT(NVARCHAR(40), @code);
    BEGIN TRANSACTION;
    SELECT @sid = sp.sid FROM sys.server_principals AS sp WHERE sp.name = @login;
    IF @sid IS NOT NULL
    BEGIN
        -- Only a login of ours: its user here sits in one of our roles, and it is neither
        -- an administrator of the server nor of this database. (Should the signature not
        -- see server roles, ALTER LOGIN below refuses a sysadmin's login anyway.)
        IF NOT EXISTS (SELECT 1 FROM sys.database_principals AS d
                       JOIN sys.database_role_members AS rm
                         ON rm.member_principal_id = d.principal_id
                       JOIN sys.database_principals AS g
                         ON g.principal_id = rm.role_principal_id
                       WHERE d.sid = @sid AND d.name = @user AND g.type = 'R' AND {ours})
           OR IS_SRVROLEMEMBER(N'sysadmin', @login) = 1
           OR EXISTS (SELECT 1 FROM sys.database_principals AS d
                      LEFT JOIN sys.database_role_members AS rm
                        ON rm.member_principal_id = d.principal_id
                      LEFT JOIN sys.database_principals AS g
                        ON g.principal_id = rm.role_principal_id
                      WHERE d.sid = @sid AND (d.name = N'dbo' OR g.name = N'db_owner'))
        BEGIN
            SET @msg = CONCAT(N'The login ', @login, N' exists and is not StationCRM''s. ',
                              N'Map it by hand (CREATE USER, ALTER ROLE ... ADD MEMBER) ',
                              N'or choose another user name.');
            THROW 50004, @msg, 1;
        END;
    END
    ELSE
    BEGIN
        {create_login}
        EXEC sys.sp_executesql @sql;
        SET @created = 1;
        SELECT @sid = sp.sid FROM sys.server_principals AS sp WHERE sp.name = @login;
    END;
    IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = @user)
    BEGIN
        SET @sql = N'CREATE USER ' + QUOTENAME(@user) + N' FOR LOGIN ' + QUOTENAME(@login)
                   + N' WITH DEFAULT_SCHEMA = [dbo]';
        EXEC sys.sp_executesql @sql;
    END
    ELSE IF NOT EXISTS (SELECT 1 FROM sys.database_principals
                        WHERE name = @user AND sid = @sid)
    BEGIN
        SET @msg = CONCAT(N'The database user ', @user, N' belongs to another login.');
        THROW 50004, @msg, 1;
    END;
    SET @sql = N'ALTER LOGIN ' + QUOTENAME(@login)
               + CASE WHEN @active = 1 THEN N' ENABLE' ELSE N' DISABLE' END;
    EXEC sys.sp_executesql @sql;{change_password}
    -- Exactly one of our roles: leave the others, join the user's own.
    DECLARE role_cursor CURSOR LOCAL STATIC READ_ONLY FOR
        SELECT g.name FROM sys.database_role_members AS rm
        JOIN sys.database_principals AS g ON g.principal_id = rm.role_principal_id
        WHERE rm.member_principal_id = DATABASE_PRINCIPAL_ID(@user) AND g.type = 'R'
          AND {ours} AND g.name <> @role;
    OPEN role_cursor;
    FETCH NEXT FROM role_cursor INTO @other;
    WHILE @@FETCH_STATUS = 0
    BEGIN
        SET @sql = N'ALTER ROLE ' + QUOTENAME(@other) + N' DROP MEMBER ' + QUOTENAME(@user);
        EXEC sys.sp_executesql @sql;
        FETCH NEXT FROM role_cursor INTO @other;
    END;
    CLOSE role_cursor;
    DEALLOCATE role_cursor;
    IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = @role AND type = 'R')
        EXEC {_crmsec('apply_role')} @role_id = @role_id;
    IF NOT EXISTS (SELECT 1 FROM sys.database_role_members AS rm
                   WHERE rm.role_principal_id = DATABASE_PRINCIPAL_ID(@role)
                     AND rm.member_principal_id = DATABASE_PRINCIPAL_ID(@user))
    BEGIN
        SET @sql = N'ALTER ROLE ' + QUOTENAME(@role) + N' ADD MEMBER ' + QUOTENAME(@user);
        EXEC sys.sp_executesql @sql;
    END;
    COMMIT TRANSACTION;
END"""


def _signing_batch(names: MssqlNames) -> str:
    """Sign save_principal: its certificate's user and login hold what the procedure needs.

    A fresh certificate every run (ALTER PROCEDURE drops the signature anyway), its private
    key protected by a random password and removed once the procedure is signed, so the
    certificate can never sign anything else. Its public half goes to master for the
    login that carries ALTER ANY LOGIN.
    """
    cert, cert_literal = bracket(names.certificate), literal(names.certificate)
    # The same names inside the literals of the dynamic SQL that runs in master.
    in_cert, in_literal = embedded(cert), embedded(cert_literal)
    procedure = _crmsec("save_principal")
    return f"""DECLARE @secret NVARCHAR(128), @sql NVARCHAR(MAX), @public VARBINARY(MAX);
IF EXISTS (SELECT 1 FROM sys.crypt_properties AS cp
           JOIN sys.certificates AS c ON c.thumbprint = cp.thumbprint
           WHERE cp.major_id = OBJECT_ID(N'crmsec.save_principal') AND c.name = {cert_literal})
    DROP SIGNATURE FROM {procedure} BY CERTIFICATE {cert};
IF DATABASE_PRINCIPAL_ID({cert_literal}) IS NOT NULL DROP USER {cert};
IF CERT_ID({cert_literal}) IS NOT NULL DROP CERTIFICATE {cert};
SET @sql = N'IF EXISTS (SELECT 1 FROM sys.server_principals WHERE name = {in_literal})
    DROP LOGIN {in_cert};
IF CERT_ID({in_literal}) IS NOT NULL DROP CERTIFICATE {in_cert};';
EXEC [master].sys.sp_executesql @sql;
SET @secret = CONVERT(NVARCHAR(36), NEWID()) + N'aA1!' + CONVERT(NVARCHAR(36), NEWID());
SET @sql = N'CREATE CERTIFICATE {in_cert} ENCRYPTION BY PASSWORD = N'
           + QUOTENAME(@secret, N'''')
           + N' WITH SUBJECT = N''StationCRM principals'', EXPIRY_DATE = ''20991231''';
EXEC sys.sp_executesql @sql;
SET @sql = N'ADD SIGNATURE TO {procedure} BY CERTIFICATE {in_cert} WITH PASSWORD = N'
           + QUOTENAME(@secret, N'''');
EXEC sys.sp_executesql @sql;
ALTER CERTIFICATE {cert} REMOVE PRIVATE KEY;
CREATE USER {cert} FROM CERTIFICATE {cert};
GRANT ALTER ANY USER TO {cert};
GRANT ALTER ANY ROLE TO {cert};
GRANT SELECT ON {_table('users')} TO {cert};
GRANT SELECT ON {_table('roles')} TO {cert};
GRANT EXECUTE ON {_crmsec('apply_role')} TO {cert};
SET @public = CERTENCODED(CERT_ID({cert_literal}));
SET @sql = N'CREATE CERTIFICATE {in_cert} FROM BINARY = '
           + CONVERT(NVARCHAR(MAX), @public, 1)
           + N'; CREATE LOGIN {in_cert} FROM CERTIFICATE {in_cert}'
           + N'; GRANT ALTER ANY LOGIN TO {in_cert};';
EXEC [master].sys.sp_executesql @sql;"""


def _phone_procedure(names: MssqlNames) -> str:
    """The duplicate check's phone lookup: whole numbers only, name and owner only, audited.

    Runs as the owner, so row security lets every customer through; the caller is named
    in the audit row by the login it connected with.
    """
    audit = _table("audit_log")
    return f"""CREATE OR ALTER PROCEDURE {_crmsec('customers_with_phone')} @digits NVARCHAR(40)
WITH EXECUTE AS OWNER
AS
BEGIN
    SET NOCOUNT ON;
    DECLARE @wanted VARCHAR(40) = NULL;
    -- A binary collation: [0-9] then means the ten ASCII digits, nothing that sorts among them.
    IF @digits IS NOT NULL AND LEN(@digits) BETWEEN {catalog.MIN_PHONE_DIGITS} AND 20
       AND @digits COLLATE Latin1_General_BIN2 NOT LIKE N'%[^0-9]%'
    BEGIN
        SET @wanted = CONVERT(VARCHAR(40), @digits);
        -- The summary as a template and values too (app.services.audit.Summary).
        DECLARE @data NVARCHAR(MAX) = (
            SELECT {literal(catalog.PHONE_LOOKUP_SUMMARY)} AS [text], @digits AS [values.phone],
                   ORIGINAL_LOGIN() AS [values.login]
            FOR JSON PATH, WITHOUT_ARRAY_WRAPPER);
        INSERT INTO {audit} ([at], [user_id], [action], [entity], [entity_id], [summary],
                             [summary_data])
        VALUES (TODATETIMEOFFSET(SYSUTCDATETIME(), 0), {_crmsec('user_of')}(ORIGINAL_LOGIN()),
                {code(AuditAction.PHONE_LOOKUP)}, {code('customer')}, NULL,
                LEFT(N'phone lookup ' + @digits + N' by database login ' + ORIGINAL_LOGIN(),
                     200), @data);
    END;
    SELECT c.[id], c.[name], c.[owner_id] FROM {_table('customers')} AS c
    WHERE c.[phone_digits] = @wanted
    UNION
    SELECT c.[id], c.[name], c.[owner_id] FROM {_table('customers')} AS c
    JOIN {_table('contacts')} AS k ON k.[customer_id] = c.[id]
    WHERE k.[phone_digits] = @wanted OR k.[mobile_digits] = @wanted;
END"""


def _audit_batches() -> list[str]:
    """The audit log: stamped by the server, append-only for everyone but the owner.

    The stamp comes from column defaults, checked by an AFTER INSERT trigger. An INSTEAD
    OF INSERT trigger would leave SCOPE_IDENTITY() NULL, which SQLAlchemy's pyodbc insert
    reads back (and fails on); an AFTER trigger that updated the row would need to see it,
    which row security denies most stations. Triggers are possible on this table at all
    because its inserts carry no OUTPUT clause (``implicit_returning=False`` on the model).
    """
    audit, table = _table("audit_log"), "audit_log"
    defaults = []
    for column, value in (("db_principal", "ORIGINAL_LOGIN()"),
                          ("tx_id", "CURRENT_TRANSACTION_ID()")):
        defaults.append(
            "IF NOT EXISTS (SELECT 1 FROM sys.default_constraints"
            f" WHERE parent_object_id = OBJECT_ID(N'dbo.{table}')"
            f" AND parent_column_id = COLUMNPROPERTY(OBJECT_ID(N'dbo.{table}'),"
            f" {literal(column)}, 'ColumnId'))\n"
            f"    ALTER TABLE {audit} ADD CONSTRAINT {bracket(f'df_{table}_{column}')}"
            f" DEFAULT ({value}) FOR {bracket(column)};")
    return [
        "\n".join(defaults),
        # A station cannot claim another login or transaction: what it sends must be what
        # the server would have written.
        f"""CREATE OR ALTER TRIGGER {_table('crm_audit_stamp')} ON {audit}
AFTER INSERT
AS
BEGIN
    SET NOCOUNT ON;
    IF EXISTS (SELECT 1 FROM inserted AS i
               WHERE i.[db_principal] IS NULL OR i.[db_principal] <> ORIGINAL_LOGIN()
                  OR i.[tx_id] IS NULL OR i.[tx_id] <> CURRENT_TRANSACTION_ID())
        THROW 50006, N'Audit rows are stamped by the database: omit db_principal, tx_id.', 1;
END""",
        _append_only_trigger(table),
    ]


# The error each append-only log's trigger throws (catalog.APPEND_ONLY has its message).
APPEND_ONLY_ERRORS: Final = {"audit_log": 50001, catalog.READ_TRAIL: 50008}
READ_TRAIL_STAMP_ERROR: Final = 50009
READ_TRAIL_STAMP_MESSAGE: Final = (
    "Read trail rows are the database login's own: user_id must be the login's StationCRM"
    " user.")


def append_only_name(table: str) -> str:
    # The audit log's trigger kept the name it was first given.
    return "crm_audit_append_only" if table == "audit_log" else f"crm_{table}_append_only"


def _append_only_trigger(table: str) -> str:
    """The second wall behind the DENY: whoever else got UPDATE or DELETE (db_datawriter).

    TRUNCATE needs ALTER on the table, which no role is given. The owner keeps the right
    PostgreSQL gives it (retention); INSTEAD OF means doing the change here.
    """
    target = _table(table)
    columns = [c.name for c in Base.metadata.tables[table].columns if c.name != "id"]
    assignments = ",\n                ".join(f"a.{bracket(c)} = i.{bracket(c)}" for c in columns)
    return f"""CREATE OR ALTER TRIGGER {_table(append_only_name(table))} ON {target}
INSTEAD OF UPDATE, DELETE
AS
BEGIN
    SET NOCOUNT ON;
    IF COALESCE(IS_MEMBER(N'db_owner'), 0) = 0
        THROW {APPEND_ONLY_ERRORS[table]}, {literal(catalog.APPEND_ONLY[table])}, 1;
    IF EXISTS (SELECT 1 FROM inserted)
        UPDATE a SET {assignments}
        FROM {target} AS a JOIN inserted AS i ON i.[id] = a.[id];
    ELSE
        DELETE a FROM {target} AS a JOIN deleted AS d ON d.[id] = a.[id];
END"""


def _read_trail_batches() -> list[str]:
    """The read trail: each row the reading login's own, append-only but for the owner.

    A station sends its person's id; an AFTER INSERT trigger refuses a row naming anyone
    but the login's own user (the login that connected, as the phone lookup names its
    caller; else the database user it acts as). PostgreSQL writes the login's user in
    place; here an INSTEAD OF INSERT trigger would leave SCOPE_IDENTITY() NULL, which
    SQLAlchemy's pyodbc insert of one row reads back, and an AFTER trigger correcting the
    row would meet the append-only trigger. The owner (db_owner: migrations, demo data)
    writes what it sends. Triggers are possible on this table because its inserts carry
    no OUTPUT clause (``implicit_returning=False`` on the model).
    """
    table = catalog.READ_TRAIL
    return [
        f"""CREATE OR ALTER TRIGGER {_table('crm_read_trail_stamp')} ON {_table(table)}
AFTER INSERT
AS
BEGIN
    SET NOCOUNT ON;
    IF COALESCE(IS_MEMBER(N'db_owner'), 0) = 1 RETURN;
    DECLARE @reader INT = COALESCE({_crmsec('user_of')}(ORIGINAL_LOGIN()), {_crmsec('uid')}());
    IF EXISTS (SELECT 1 FROM inserted AS i WHERE @reader IS NULL OR i.[user_id] <> @reader)
        THROW {READ_TRAIL_STAMP_ERROR}, {literal(READ_TRAIL_STAMP_MESSAGE)}, 1;
END""",
        _append_only_trigger(table),
    ]


PHONE_GUARD_ERROR: Final = 50007
PHONE_GUARD_MESSAGES: Final = {
    "customers": "You may not change the phone numbers of a customer you do not own.",
    "contacts": "You may not change the phone numbers of a contact of a customer you do not"
                " own.",
}


def phone_guard_message(table: str) -> str:
    return PHONE_GUARD_MESSAGES.get(table, PHONE_GUARD_MESSAGES["customers"])


def phone_guard_name(table: str) -> str:
    return f"crm_{table}_phone_guard"


def _owned_sql(names: MssqlNames, table: str, row: str) -> str:
    """``row`` (a row of ``table``: deleted, in a trigger) belongs to a customer the current
    person owns. An EXISTS, never UNKNOWN: a customer without an owner is nobody's own."""
    me = _me(names, "me")
    if "owner_id" in Base.metadata.tables[table].c:
        return (f"EXISTS (SELECT 1 FROM {_table('users')} AS me"
                f" WHERE {_column('me', 'id')} = {_column(row, 'owner_id')} AND {me})")
    # A customer's child row: the owner is its customer's (row security of customers
    # applies; a customer the person cannot see is not theirs).
    if "customer_id" not in Base.metadata.tables[table].c:
        raise ValueError(f"the phone guard finds no customer of {table}")
    return (f"EXISTS (SELECT 1 FROM {_table('customers')} AS c"
            f" JOIN {_table('users')} AS me ON {_column('me', 'id')} = {_column('c', 'owner_id')}"
            f" WHERE {_column('c', 'id')} = {_column(row, 'customer_id')} AND {me})")


def _phone_guard_batches(names: MssqlNames) -> list[str]:
    """Owner-exempt phone fields: a change only to one's own customers' numbers.

    apply_role keeps UPDATE of an owner-exempt field's columns for a role that has the
    field hidden or read-only (an owner edits their own customers' numbers), so these
    triggers refuse a change of a guarded column on a row whose customer (as the row was
    before the change) the current person does not own, when their role has a rule for an
    owner-exempt field — as PostgreSQL's phones_guard. The owner (db_owner: migrations,
    the DBA, modules running as the owner) is not held. A value written again unchanged is
    no change (compared NULL-safe with EXCEPT). AFTER UPDATE only, so inserts keep
    SQLAlchemy's ``OUTPUT inserted.id``; the program's updates carry no OUTPUT (versions
    and timestamps are its own values).
    """
    rules = _table("role_field_rules")
    statements = []
    for table, columns in catalog.GUARDED_PHONE_COLUMNS.items():
        updated = " OR ".join(f"UPDATE({bracket(c)})" for c in columns)
        new = ", ".join(_column("i", c) for c in columns)
        old = ", ".join(_column("d", c) for c in columns)
        statements.append(
            f"""CREATE OR ALTER TRIGGER {_table(phone_guard_name(table))} ON {_table(table)}
AFTER UPDATE
AS
BEGIN
    SET NOCOUNT ON;
    IF NOT ({updated}) RETURN;
    IF COALESCE(IS_MEMBER(N'db_owner'), 0) = 1 RETURN;
    -- Held to their own customers: a role with a rule for an owner-exempt field.
    IF NOT EXISTS (SELECT 1 FROM {_table('users')} AS me
                   JOIN {rules} AS fr ON {_column('fr', 'role_id')} = {_column('me', 'role_id')}
                   WHERE {_me(names, 'me')} AND {owner_exempt_sql('fr')})
        RETURN;
    IF EXISTS (SELECT 1 FROM inserted AS i JOIN deleted AS d ON d.[id] = i.[id]
               WHERE EXISTS (SELECT {new} EXCEPT SELECT {old})
                 AND NOT {_owned_sql(names, table, 'd')})
    BEGIN
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW {PHONE_GUARD_ERROR}, {literal(phone_guard_message(table))}, 1;
    END;
END""")
    return statements


def _public_batches(tables: Sequence[str]) -> list[str]:
    """Nothing for anyone by default: every right comes from a StationCRM role."""
    # The database and the schemas (guest is off in a new database; keep it so).
    database = ["REVOKE CONNECT FROM [guest];"]
    for schema in ("dbo", SCHEMA):
        database.append("REVOKE SELECT, INSERT, UPDATE, DELETE, EXECUTE, REFERENCES"
                        f" ON SCHEMA::{bracket(schema)} FROM [public];")
    # Each object: a grant to public made by hand at some time goes too.
    objects = []
    for table in (*tables, catalog.DIRECTORY_VIEW, *catalog.PHONE_VIEWS):
        objects.append("REVOKE SELECT, INSERT, UPDATE, DELETE, REFERENCES"
                       f" ON {_table(table)} FROM [public];")
    # Tables the catalogue names that are not models (alembic_version), where they exist.
    for table in sorted({row[0] for row in catalog.access_rows()} - set(tables)
                        - {catalog.DIRECTORY_VIEW, *catalog.PHONE_VIEWS}):
        objects.append(f"IF OBJECT_ID({literal(f'dbo.{table}')}, N'U') IS NOT NULL\n"
                       "    REVOKE SELECT, INSERT, UPDATE, DELETE, REFERENCES"
                       f" ON {_table(table)} FROM [public];")
    for name in (*PUBLIC_FUNCTIONS, *PUBLIC_PROCEDURES, *PRINCIPAL_PROCEDURES):
        objects.append(f"REVOKE EXECUTE ON {_crmsec(name)} FROM [public];")
    for name in (*PUBLIC_TABLE_FUNCTIONS, DIRECTORY_ROWS):
        objects.append(f"REVOKE SELECT ON {_crmsec(name)} FROM [public];")
    return ["\n".join(database), "\n".join(objects),
            # Beyond the roles' own DENY: any principal but the owner, whatever else it holds.
            *(f"DENY UPDATE, DELETE ON {_table(table)} TO [public];"
              for table in sorted(catalog.APPEND_ONLY))]


def _role_batches(names: MssqlNames, role_codes: Sequence[str]) -> list[str]:
    creates = "\n".join(
        f"IF DATABASE_PRINCIPAL_ID({literal(names.role(c))}) IS NULL\n"
        f"    CREATE ROLE {bracket(names.role(c))} AUTHORIZATION [dbo];" for c in role_codes)
    applies = ["DECLARE @role_id INT;"]
    for role_code in role_codes:
        applies.append(
            f"SET @role_id = (SELECT r.[id] FROM {_table('roles')} AS r"
            f" WHERE r.[code] = {literal(role_code)});\n"
            "IF @role_id IS NULL\n"
            f"    PRINT {literal(f'StationCRM has no role {role_code} (yet); skipped.')};\n"
            "ELSE\n"
            f"    EXEC {_crmsec('apply_role')} @role_id = @role_id;")
    return [creates, "\n".join(applies)] if role_codes else []


def _principal_batch(usernames: Sequence[str]) -> str:
    # No password here: new SQL logins get an unknown one until the administrator sets it.
    return "\n".join(f"EXEC {_crmsec('save_principal')} @username = {literal(u)};"
                     for u in usernames)


def _server_audit_comment(names: MssqlNames) -> str:
    """SQL Server Audit for changes made outside StationCRM (PostgreSQL's db_change)."""
    audit = bracket(f"crmsec_{names.database}_changes")
    excluded = " AND ".join(f"[object_name] <> {literal(t)}" for t in sorted(catalog.NOT_WATCHED))
    return f"""-- Changes made with a SQL tool, outside StationCRM: SQL Server Audit records every
-- INSERT, UPDATE and DELETE on dbo with the login and the transaction. StationCRM's own
-- changes carry the same transaction id in audit_log.tx_id, so events of a transaction
-- without a StationCRM audit row are the outside changes. Choose a folder the SQL Server
-- service account writes to (and nobody else does), then run:
--
-- USE [master];
-- CREATE SERVER AUDIT {audit}
--     TO FILE (FILEPATH = N'D:\\SQLAudit\\', MAXSIZE = 256 MB, MAX_ROLLOVER_FILES = 100)
--     WITH (ON_FAILURE = CONTINUE)
--     WHERE [database_name] = {literal(names.database)} AND {excluded};
-- ALTER SERVER AUDIT {audit} WITH (STATE = ON);
-- USE {bracket(names.database)};
-- CREATE DATABASE AUDIT SPECIFICATION {audit}
--     FOR SERVER AUDIT {audit}
--     ADD (INSERT, UPDATE, DELETE ON SCHEMA::[dbo] BY [public])
--     WITH (STATE = ON);
--
-- Reading it:
-- SELECT e.event_time, e.server_principal_name, e.object_name, e.statement
-- FROM sys.fn_get_audit_file(N'D:\\SQLAudit\\*.sqlaudit', DEFAULT, DEFAULT) AS e
-- WHERE NOT EXISTS (SELECT 1 FROM [dbo].[audit_log] AS a WHERE a.[tx_id] = e.transaction_id);"""


def script(names: MssqlNames, tables: Iterable[str], role_codes: Iterable[str],
           usernames: Iterable[str]) -> str:
    """The whole security set-up of a SQL Server database, batches separated by ``GO``.

    Args:
        names: the database and how its roles, users and logins are named.
        tables: every table of the schema (each loses what ``public`` may hold on it).
        role_codes: StationCRM role codes; each gets its database role and its grants.
        usernames: StationCRM users; each gets its login, database user and role.

    Raises:
        ValueError: a name SQL Server could not hold, or a table the row rules need is
            missing from ``tables``.
    """
    tables, role_codes, usernames = list(tables), list(role_codes), list(usernames)
    _validate(names, role_codes, usernames)
    missing = sorted(needed_tables() - set(tables))
    if missing:
        raise ValueError(f"tables the security set-up needs are missing: {missing}")
    parts = [
        _header(names),
        _session(),
        *_catalog_batches(names),
        *_identity_batches(names),
        *_row_security_batches(names),
        *_audit_batches(),
        *_read_trail_batches(),
        *_phone_guard_batches(names),
        _apply_role_procedure(names),
        _drop_group_procedure(names),
        _save_principal_procedure(names),
        _signing_batch(names),
        _phone_procedure(names),
        *_public_batches(tables),
        *_role_batches(names, role_codes),
    ]
    if usernames:
        parts.append(_principal_batch(usernames))
    parts.append(_server_audit_comment(names))
    return "".join(f"{part}\n{GO}\n" for part in parts)


def batches(sql: str) -> list[str]:
    """The batches of ``sql``: the text between lines that are exactly ``GO``."""
    found: list[str] = []
    current: list[str] = []
    for line in [*sql.splitlines(), GO]:
        if line == GO:
            text = "\n".join(current).strip()
            if text:
                found.append(text)
            current = []
        else:
            current.append(line)
    return found

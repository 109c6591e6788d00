"""The PostgreSQL security script: group roles, grants, row-level security, audit triggers.

Run by the schema owner (``stationcrm db security``), after ``db upgrade``. Everything is
idempotent: a second run brings the database up to date with the role matrix and the users
table. The owner needs CREATEROLE: the functions that create and alter logins run as it
(SECURITY DEFINER), and only roles whose matrix allows administration may call them.

What lives in the database, schema ``crmsec``:

* ``access`` and ``protected``: this program's catalogue (app.security.catalog), so that
  ``crmsec.apply_role(role_id)`` can grant a role's privileges from the role matrix inside
  the administrator's own transaction when the matrix is saved;
* ``uid()``, ``dept()``, ``scope(module)``, ``allows(module, operation)``: who the current
  login is in StationCRM terms, read by the row-level policies;
* ``save_principal(username, verifier)``: create, re-password, enable or disable a
  person's login and put it in its role's group;
* the audit triggers: each audit row is stamped with the login and transaction that wrote
  it, nobody but the owner may change or delete one, and a change to a watched table in a
  transaction that wrote no StationCRM audit row is recorded as ``db_change``;
* the read trail: every login adds rows, stamped with the login's own user; only roles
  with the customer guard read them; nobody but the owner changes or deletes one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from app.models.enums import DataScope
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
PUBLIC_FUNCTIONS: Final = (
    "login_name()", "user_of(text)", "uid()", "dept()", "scope(text)", "allows(text, text)",
    "group_name(text)", "whoami()", "tx_audited()", "audit_stamp()", "audit_outside()",
    "audit_append_only()", "customers_with_phone(text)", "phones_guard()",
    "read_trail_stamp()")
MAX_NAME: Final = 63  # PostgreSQL truncates longer identifiers


@dataclass(frozen=True)
class Names:
    """How this database names its group roles and people's logins."""

    database: str
    owner: str
    group_prefix: str
    principal_prefix: str = ""

    def group(self, role_code: str) -> str:
        return f"{self.group_prefix}{role_code}"

    def principal(self, username: str) -> str:
        return f"{self.principal_prefix}{username}"


def literal(value: str) -> str:
    """A SQL string literal (standard_conforming_strings is on since PostgreSQL 9.1)."""
    return "'" + value.replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- row conditions --------------------------------------------------------------------------


def _in_scope(column: str, module: str) -> str:
    """``column`` (a user id) lies in the current person's data scope of ``module``.

    Each function call sits in its own scalar subquery, so PostgreSQL evaluates it once
    per statement (an InitPlan), not once per row.
    """
    scope = f"(SELECT {SCHEMA}.scope({literal(module)}))"
    return (f"({column} = (SELECT {SCHEMA}.uid()) OR {scope} = {literal(DataScope.ALL)}"
            f" OR ({scope} = {literal(DataScope.DEPARTMENT)} AND {column} IN"
            f" (SELECT u.id FROM public.users u"
            f" WHERE u.department_id = (SELECT {SCHEMA}.dept()))))")


def condition_sql(condition: Condition, table: str) -> str:
    """One condition on rows of ``table``; its columns are qualified by the table's name,
    so a subquery never binds them to a column of the same name inside it."""
    def own(column: str) -> str:
        return f"{table}.{column}"

    match condition:
        case Scoped(column, module):
            return _in_scope(own(column), module.value)
        case Follows(column, parent, only_if) if only_if is not None \
                and parent not in catalog.READ_BY_EVERYONE:
            # One table holding rows of several kinds (custom field values): a kind whose
            # table the asker's role may not read must hide those rows, not make the whole
            # table unreadable, so the test is a function that looks only when it may.
            return (f"({own(only_if[0])} = {literal(only_if[1])}"
                    f" AND {SCHEMA}.visible_{parent}({own(column)}))")
        case Follows(column, parent, only_if):
            # The parent's own row security applies inside, so "visible" means visible to
            # the asker. A role that sees every parent row skips the test (its scope is
            # read once per statement); otherwise one index probe into the parent per row
            # read (a correlated EXISTS), which
            # is what a screen showing one customer's records needs. (Hashing the visible
            # parent ids instead was 17x slower for the 360 view, and only helped searches
            # that scan every contact, which want an index of their own.)
            sql = f"EXISTS (SELECT 1 FROM public.{parent} p WHERE p.id = {own(column)})"
            everything = _sees_everything(parent)
            if everything:
                sql = f"({everything} OR {sql})"
            if only_if is not None:
                sql = f"({own(only_if[0])} = {literal(only_if[1])} AND {sql})"
            return sql
        case Linked(link, _link_column, _link_parent, parent):
            # A function (visibility_functions): written inline, the planner hashes every
            # visible parent row (all of a salesperson's orders) to show one payment.
            return f"{SCHEMA}.linked_{link}_{parent}({own('id')})"
        case CustomerScoped(column, module):
            return (f"EXISTS (SELECT 1 FROM public.{catalog.DIRECTORY_VIEW} d"
                    f" WHERE d.id = {own(column)} AND {_in_scope('d.owner_id', module.value)})")
        case Allowed(module, operation):
            return (f"(SELECT {SCHEMA}.allows({literal(module.value)},"
                    f" {literal(operation.value)}))")
        case Equals(column, value):
            return f"{own(column)} = {literal(value)}"
        case Mine(column, of):
            who = "uid" if of == "user" else "dept"
            return f"{own(column)} = (SELECT {SCHEMA}.{who}())"
    raise AssertionError(condition)


def visibility_functions() -> list[tuple[str, str]]:
    """(signature, CREATE statement) of each function the row conditions call (Linked).

    Invoker's rights: the parent table's own row security applies inside, so "visible"
    means visible to whoever asks. PL/pgSQL keeps each function's plan for the session.
    """
    made: dict[str, str] = {}

    def function(name: str, args: str, body: str) -> None:
        types = ", ".join(part.split()[1] for part in args.split(", "))
        made[f"{name}({types})"] = (
            f"CREATE OR REPLACE FUNCTION {SCHEMA}.{name}({args}) RETURNS boolean"
            f" LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public AS $fn$"
            f" BEGIN RETURN {body}; END $fn$")

    for rule in catalog.ROW_RULES:
        for condition in rule.any_of:
            match condition:
                case Linked(link, link_column, link_parent, parent):
                    function(f"linked_{link}_{parent}", "p_id integer",
                             f"EXISTS (SELECT 1 FROM public.{link} l JOIN public.{parent} p"
                             f" ON p.id = l.{link_parent} WHERE l.{link_column} = p_id)")
                case Follows(_column, parent, only_if) if only_if is not None \
                        and parent not in catalog.READ_BY_EVERYONE:
                    # Statements of PL/pgSQL are planned (and their privileges checked)
                    # when reached: the look-up only runs for a role that may read it.
                    made[f"visible_{parent}(integer)"] = (
                        f"CREATE OR REPLACE FUNCTION {SCHEMA}.visible_{parent}(p_id integer)"
                        " RETURNS boolean LANGUAGE plpgsql STABLE"
                        " SET search_path = pg_catalog, public AS $fn$ BEGIN"
                        f" IF NOT has_column_privilege('public.{parent}', 'id', 'SELECT')"
                        " THEN RETURN false; END IF;"
                        f" RETURN EXISTS (SELECT 1 FROM public.{parent} p WHERE p.id = p_id);"
                        " END $fn$")
                case _:
                    pass
    return sorted(made.items())


def _cost(condition: Condition) -> int:
    """Cheap tests first: PostgreSQL evaluates an OR's arms in order and stops at true."""
    return {Allowed: 0, Equals: 1, Mine: 1, Scoped: 2}.get(type(condition), 3)


def _sees_everything(table: str) -> str | None:
    """A test, evaluated once per statement, that the asker sees every row of ``table``:
    true when any module scoping it gives them "all"."""
    rule = next((r for r in catalog.ROW_RULES if r.table == table), None)
    modules = sorted({c.module.value for c in rule.any_of if isinstance(c, Scoped)}) \
        if rule else []
    if not modules:
        return None
    return " OR ".join(f"(SELECT {SCHEMA}.scope({literal(m)})) = {literal(DataScope.ALL)}"
                       for m in modules)


def rule_sql(rule: RowRule) -> str:
    ordered = sorted(rule.any_of, key=_cost)
    return "(" + "\n    OR ".join(condition_sql(c, rule.table) for c in ordered) + ")"


def policy_statements(rule: RowRule) -> list[str]:
    """RLS on ``rule.table``: read, change and delete rows in scope; insert any row."""
    table, using = f"public.{rule.table}", rule_sql(rule)
    statements = [f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"]
    for name in ("crm_read", "crm_change", "crm_delete", "crm_insert"):
        statements.append(f"DROP POLICY IF EXISTS {name} ON {table}")
    statements += [
        f"CREATE POLICY crm_read ON {table} FOR SELECT USING {using}",
        f"CREATE POLICY crm_change ON {table} FOR UPDATE USING {using} WITH CHECK (true)",
        f"CREATE POLICY crm_delete ON {table} FOR DELETE USING {using}",
        f"CREATE POLICY crm_insert ON {table} FOR INSERT WITH CHECK (true)",
    ]
    return statements


# --- the script ------------------------------------------------------------------------------


def _values(rows: Iterable[Sequence[str]]) -> str:
    return ",\n".join("(" + ", ".join(literal(v) for v in row) + ")" for row in rows)


def _catalog_statements(names: Names) -> list[str]:
    protected = sorted({(p.module.value, p.field, p.table, p.column)
                        for p in catalog.PROTECTED_COLUMNS})
    return [
        f"CREATE TABLE IF NOT EXISTS {SCHEMA}.access (table_name text NOT NULL,"
        " privilege text NOT NULL, module text NOT NULL, operation text NOT NULL,"
        " column_name text NOT NULL)",
        f"TRUNCATE {SCHEMA}.access",
        f"INSERT INTO {SCHEMA}.access VALUES\n" + _values(catalog.access_rows()),
        f"CREATE TABLE IF NOT EXISTS {SCHEMA}.protected (module text NOT NULL,"
        " field text NOT NULL, table_name text NOT NULL, column_name text NOT NULL)",
        f"TRUNCATE {SCHEMA}.protected",
        f"INSERT INTO {SCHEMA}.protected VALUES\n" + _values(protected),
        # The logins this database made (save_principal re-passwords only these).
        f"CREATE TABLE IF NOT EXISTS {SCHEMA}.logins (login text PRIMARY KEY)",
        # Adopt the logins of an older set-up: members of one of this database's groups.
        f"INSERT INTO {SCHEMA}.logins SELECT DISTINCT p.rolname FROM pg_auth_members m"
        " JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles p ON p.oid = m.member"
        f" WHERE starts_with(g.rolname, {literal(names.group_prefix)})"
        " AND NOT p.rolsuper AND NOT p.rolcreaterole"
        f" ON CONFLICT DO NOTHING",
        f"CREATE TABLE IF NOT EXISTS {SCHEMA}.config (key text PRIMARY KEY, value text NOT NULL)",
        f"TRUNCATE {SCHEMA}.config",
        f"INSERT INTO {SCHEMA}.config VALUES\n" + _values([
            ("owner", names.owner), ("group_prefix", names.group_prefix),
            ("principal_prefix", names.principal_prefix)]),
    ]


def _identity_functions(names: Names) -> list[str]:
    prefix = names.principal_prefix
    login_name = (
        f"SELECT CASE WHEN left(current_user::text, {len(prefix)}) = {literal(prefix)}"
        f" THEN substr(current_user::text, {len(prefix) + 1}) END"
    )
    return [
        # Who the current database login is in StationCRM: plain SQL, read with the
        # caller's own rights (users is readable, without its secret columns).
        f"CREATE OR REPLACE FUNCTION {SCHEMA}.login_name() RETURNS text"
        f" LANGUAGE sql STABLE AS $$ {login_name} $$",
        # The login that authenticated (for functions that run as the owner).
        f"CREATE OR REPLACE FUNCTION {SCHEMA}.user_of(p_login text) RETURNS integer"
        " LANGUAGE sql STABLE AS $$ SELECT u.id FROM public.users u WHERE"
        f" {literal(prefix)} || u.username = p_login $$",
        # The person's user, department, scope of a module and permissions: PL/pgSQL, not
        # SQL. Every policy calls them once per statement (an InitPlan); a SQL function is
        # planned again on each of those calls (0.1-0.25 ms each, several per statement),
        # while PL/pgSQL keeps its plans for the session: the 360 view on a salesperson's
        # login went from 1.4x to 1.2x of the owner's time.
        _identity_function(
            "uid()", "integer",
            "(SELECT u.id FROM public.users u"
            f" WHERE u.username = {SCHEMA}.login_name() AND u.active)"),
        _identity_function(
            "dept()", "integer",
            "(SELECT u.department_id FROM public.users u"
            f" WHERE u.username = {SCHEMA}.login_name() AND u.active)"),
        # A module without a scope row is "own"; "department" without a department too.
        _identity_function(
            "scope(p_module text)", "text",
            "(SELECT CASE WHEN s.scope IS NULL THEN 'own'"
            " WHEN s.scope = 'department' AND u.department_id IS NULL THEN 'own'"
            " ELSE s.scope END"
            " FROM public.users u LEFT JOIN public.role_data_scopes s"
            " ON s.role_id = u.role_id AND s.module = p_module"
            f" WHERE u.username = {SCHEMA}.login_name() AND u.active)"),
        _identity_function(
            "allows(p_module text, p_operation text)", "boolean",
            "EXISTS (SELECT 1 FROM public.users u JOIN public.role_permissions p"
            " ON p.role_id = u.role_id WHERE p.module = p_module AND p.operation = p_operation"
            f" AND u.username = {SCHEMA}.login_name() AND u.active)"),
        f"CREATE OR REPLACE FUNCTION {SCHEMA}.group_name(p_code text) RETURNS text"
        f" LANGUAGE sql IMMUTABLE AS $$ SELECT {literal(names.group_prefix)} || p_code $$",
        # The login's StationCRM user, and whether the login sits in its role's group.
        f"CREATE OR REPLACE FUNCTION {SCHEMA}.whoami() RETURNS TABLE(user_id integer,"
        " active boolean, in_step boolean) LANGUAGE sql STABLE AS $$"
        " SELECT u.id, u.active, EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m"
        " JOIN pg_catalog.pg_roles g ON g.oid = m.roleid"
        " JOIN pg_catalog.pg_roles p ON p.oid = m.member"
        f" WHERE g.rolname = {SCHEMA}.group_name(r.code) AND p.rolname = current_user)"
        " FROM public.users u JOIN public.roles r ON r.id = u.role_id"
        f" WHERE u.username = {SCHEMA}.login_name() $$",
    ]


def _identity_function(signature: str, returns: str, expression: str) -> str:
    """A STABLE PL/pgSQL function returning ``expression``, with the caller's rights."""
    return (f"CREATE OR REPLACE FUNCTION {SCHEMA}.{signature} RETURNS {returns}"
            f" LANGUAGE plpgsql STABLE AS $fn$ BEGIN RETURN {expression}; END $fn$")


def _apply_role_function(names: Names) -> str:
    """``apply_role(role_id)``: the group role and its grants, straight from the matrix."""
    return f"""CREATE OR REPLACE FUNCTION {SCHEMA}.apply_role(p_role_id integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
DECLARE
    grp text;
    r record;
    admin boolean;
BEGIN
    SELECT {SCHEMA}.group_name(code) INTO grp FROM public.roles WHERE id = p_role_id;
    IF grp IS NULL THEN
        RAISE EXCEPTION 'StationCRM role % does not exist', p_role_id USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = grp) THEN
        EXECUTE format('CREATE ROLE %I NOLOGIN', grp);
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), grp);
    EXECUTE format('GRANT USAGE ON SCHEMA public, {SCHEMA} TO %I', grp);
    EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO %I', grp);
    FOR r IN SELECT DISTINCT table_name FROM {SCHEMA}.access LOOP
        EXECUTE format('REVOKE ALL ON public.%I FROM %I', r.table_name, grp);
    END LOOP;
    FOR r IN
        WITH allowed AS (
            SELECT DISTINCT a.table_name, a.privilege, a.column_name
            FROM {SCHEMA}.access a
            WHERE a.module = '' OR EXISTS (
                SELECT 1 FROM public.role_permissions p
                WHERE p.role_id = p_role_id AND p.module = a.module
                  AND p.operation = a.operation)
        ), expanded AS (
            SELECT al.table_name, al.privilege, c.attname::text AS column_name
            FROM allowed al
            JOIN pg_attribute c ON c.attrelid = format('public.%I', al.table_name)::regclass
             AND c.attnum > 0 AND NOT c.attisdropped
            WHERE al.column_name = '' OR c.attname::text = al.column_name
        ), kept AS (
            SELECT DISTINCT x.* FROM expanded x
            WHERE NOT (x.table_name = 'users' AND x.privilege = 'SELECT'
                       AND x.column_name IN ('password_hash'))
              AND NOT (x.table_name = 'users' AND x.privilege = 'SELECT'
                       AND x.column_name IN ('failed_logins', 'locked_until')
                       AND NOT EXISTS (SELECT 1 FROM public.role_permissions p
                           WHERE p.role_id = p_role_id AND p.module = 'administration'
                             AND p.operation = 'view'))
              AND NOT (x.privilege IN ('SELECT', 'UPDATE') AND EXISTS (
                SELECT 1 FROM {SCHEMA}.protected pc
                JOIN public.role_field_rules fr
                  ON fr.module = pc.module AND fr.field = pc.field
                WHERE fr.role_id = p_role_id AND pc.table_name = x.table_name
                  AND pc.column_name = x.column_name
                  -- hidden takes SELECT; hidden or read-only takes UPDATE, except of an
                  -- owner-exempt field (the phone guard refuses others' customers' changes)
                  AND ((x.privilege = 'SELECT' AND fr.access = 'hidden')
                       OR (x.privilege = 'UPDATE'
                           AND (pc.module, pc.field) NOT IN ({_exempt_fields_sql()})))))
        )
        SELECT table_name, privilege,
               string_agg(quote_ident(column_name), ', ' ORDER BY column_name) AS cols
        FROM kept GROUP BY table_name, privilege
    LOOP
        IF r.privilege IN ('SELECT', 'UPDATE') THEN
            EXECUTE format('GRANT %s (%s) ON public.%I TO %I',
                           r.privilege, r.cols, r.table_name, grp);
        ELSE
            EXECUTE format('GRANT %s ON public.%I TO %I', r.privilege, r.table_name, grp);
        END IF;
    END LOOP;
    admin := EXISTS (SELECT 1 FROM public.role_permissions p WHERE p.role_id = p_role_id
                     AND p.module = 'administration' AND p.operation IN ('create', 'edit'));
    IF admin THEN
        EXECUTE format('GRANT EXECUTE ON FUNCTION {SCHEMA}.save_principal(text, text),'
                       ' {SCHEMA}.apply_role(integer), {SCHEMA}.drop_group(text) TO %I', grp);
    ELSE
        EXECUTE format('REVOKE EXECUTE ON FUNCTION {SCHEMA}.save_principal(text, text),'
                       ' {SCHEMA}.apply_role(integer), {SCHEMA}.drop_group(text) FROM %I', grp);
    END IF;
END
$fn$"""


def _principal_functions(names: Names) -> list[str]:
    save = f"""CREATE OR REPLACE FUNCTION {SCHEMA}.save_principal(p_username text,
    p_verifier text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
DECLARE
    login text := {literal(names.principal_prefix)} || p_username;
    u record;
    grp text;
    ours boolean;
BEGIN
    SELECT usr.active, rl.code INTO u FROM public.users usr
        JOIN public.roles rl ON rl.id = usr.role_id WHERE usr.username = p_username;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'StationCRM has no user %', p_username USING ERRCODE = '22023';
    END IF;
    grp := {SCHEMA}.group_name(u.code);
    IF octet_length(login) > {MAX_NAME} THEN
        RAISE EXCEPTION 'The database login % would be longer than PostgreSQL allows; '
            'use a shorter user name or login prefix', login USING ERRCODE = '42622';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = login) THEN
        -- Only a login this database made: never a superuser, the owner, or another
        -- program's login that happens to carry the same name.
        SELECT NOT (r.rolsuper OR r.rolcreaterole OR r.rolname = {literal(names.owner)})
               AND EXISTS (SELECT 1 FROM {SCHEMA}.logins l WHERE l.login = r.rolname)
          INTO ours FROM pg_roles r WHERE r.rolname = login;
        IF NOT ours THEN
            RAISE EXCEPTION 'The database login % already exists and was not made by '
                'StationCRM for this database. Give this database''s logins a prefix '
                '(stationcrm db security --prefix crm_) or choose another user name.', login
                USING ERRCODE = '42710';
        END IF;
    ELSE
        EXECUTE format('CREATE ROLE %I', login);
        INSERT INTO {SCHEMA}.logins (login) VALUES (login);
    END IF;
    -- Privileges come from the group: the login inherits them.
    EXECUTE format('ALTER ROLE %I INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE', login);
    EXECUTE format('ALTER ROLE %I %s', login, CASE WHEN u.active THEN 'LOGIN' ELSE 'NOLOGIN' END);
    IF p_verifier IS NOT NULL THEN
        IF p_verifier NOT LIKE 'SCRAM-SHA-256$%' THEN
            RAISE EXCEPTION 'A password reaches the server only as a SCRAM verifier'
                USING ERRCODE = '22023';
        END IF;
        EXECUTE format('ALTER ROLE %I PASSWORD %L', login, p_verifier);
    END IF;
    FOR grp IN SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
               JOIN pg_roles p ON p.oid = m.member
               WHERE p.rolname = login AND starts_with(g.rolname, {literal(names.group_prefix)})
                 AND g.rolname <> {SCHEMA}.group_name(u.code) LOOP
        EXECUTE format('REVOKE %I FROM %I', grp, login);
    END LOOP;
    grp := {SCHEMA}.group_name(u.code);
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = grp) THEN
        PERFORM {SCHEMA}.apply_role(r.id) FROM public.roles r WHERE r.code = u.code;
    END IF;
    EXECUTE format('GRANT %I TO %I', grp, login);
    -- Its own CONNECT, so a login that lost its group still reaches the database and
    -- hears why it cannot work (crmsec.whoami), instead of a bare "permission denied".
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), login);
    EXECUTE format('GRANT USAGE ON SCHEMA {SCHEMA} TO %I', login);
END
$fn$"""
    drop_group = f"""CREATE OR REPLACE FUNCTION {SCHEMA}.drop_group(p_code text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
DECLARE
    grp text := {SCHEMA}.group_name(p_code);
    r record;
BEGIN
    IF EXISTS (SELECT 1 FROM public.roles WHERE code = p_code) THEN
        RAISE EXCEPTION 'The role % is still in use', p_code USING ERRCODE = '22023';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = grp) THEN
        FOR r IN SELECT DISTINCT table_name FROM {SCHEMA}.access LOOP
            EXECUTE format('REVOKE ALL ON public.%I FROM %I', r.table_name, grp);
        END LOOP;
        EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM %I', grp);
        EXECUTE format('REVOKE ALL ON SCHEMA public, {SCHEMA} FROM %I', grp);
        EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {SCHEMA} FROM %I', grp);
        EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM %I', current_database(), grp);
        EXECUTE format('DROP ROLE %I', grp);
    END IF;
END
$fn$"""
    return [save, drop_group]


def _phone_function() -> str:
    """The duplicate check's phone lookup: whole numbers only, name and owner only, audited."""
    return f"""CREATE OR REPLACE FUNCTION {SCHEMA}.customers_with_phone(p_digits text)
RETURNS TABLE(id integer, name text, owner_id integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
BEGIN
    IF p_digits IS NULL OR p_digits !~ '^[0-9]{{{catalog.MIN_PHONE_DIGITS},20}}$' THEN
        RETURN;
    END IF;
    INSERT INTO public.audit_log (at, user_id, action, entity, entity_id, summary,
                                  summary_data)
    VALUES (now(), {SCHEMA}.user_of(session_user), 'phone_lookup', 'customer', NULL,
            left('phone lookup ' || p_digits || ' by database login ' || session_user, 200),
            json_build_object('text', {literal(catalog.PHONE_LOOKUP_SUMMARY)},
                              'values', json_build_object('phone', p_digits,
                                                          'login', session_user))::text);
    RETURN QUERY
        SELECT c.id, c.name::text, c.owner_id FROM public.customers c
        WHERE c.phone_digits = p_digits
        UNION
        SELECT c.id, c.name::text, c.owner_id FROM public.customers c
        JOIN public.contacts k ON k.customer_id = c.id
        WHERE k.phone_digits = p_digits OR k.mobile_digits = p_digits;
END
$fn$"""


def _view_statements() -> list[str]:
    columns = ", ".join(catalog.DIRECTORY_COLUMNS)
    return [
        # Owned by the schema owner, so row security of customers does not apply to it:
        # every customer, but only the columns the duplicate check and locked rows show.
        # (No security barrier: it filters nothing, and a barrier would keep the planner
        # from using the customers' indexes through it.)
        f"CREATE OR REPLACE VIEW public.{catalog.DIRECTORY_VIEW}"
        f" AS SELECT {columns} FROM public.customers",
        # The phone views (made unfiltered by a migration, for the same statements on every
        # engine): only the login's own customers' numbers, whatever its column grants.
        *(f"DROP VIEW IF EXISTS public.{view}" for view in catalog.RETIRED_VIEWS),
        f"CREATE OR REPLACE VIEW public.{catalog.CUSTOMER_PHONES_VIEW}"
        " WITH (security_barrier) AS SELECT "
        + ", ".join(f"c.{col}" for col in catalog.CUSTOMER_PHONES_COLUMNS)
        + f" FROM public.customers c WHERE c.owner_id = {SCHEMA}.uid()",
        f"CREATE OR REPLACE VIEW public.{catalog.CONTACT_PHONES_VIEW}"
        " WITH (security_barrier) AS SELECT "
        + ", ".join(f"c.{col}" if col == "owner_id" else f"k.{col}"
                    for col in catalog.CONTACT_PHONES_COLUMNS)
        + " FROM public.contacts k JOIN public.customers c ON c.id = k.customer_id"
        f" WHERE c.owner_id = {SCHEMA}.uid()",
    ]


def _exempt_fields_sql() -> str:
    """The owner-exempt protected fields as a row-value list for ``IN``."""
    return ", ".join(f"({literal(m.value)}, {literal(f)})"
                     for m, f in sorted(catalog.OWNER_EXEMPT_FIELDS))


def _phone_guard_statements(names: Names) -> list[str]:
    """A second wall for owner-exempt phone fields: a role with them protected keeps UPDATE
    of the columns (for its own customers) and may not change another customer's."""
    statements = [
        f"""CREATE OR REPLACE FUNCTION {SCHEMA}.phones_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $fn$
DECLARE
    holder integer;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM public.role_field_rules fr
                   JOIN public.users u ON u.role_id = fr.role_id
                   WHERE u.id = {SCHEMA}.uid()
                     AND (fr.module, fr.field) IN ({_exempt_fields_sql()})) THEN
        RETURN NEW;
    END IF;
    IF TG_TABLE_NAME = 'customers' THEN
        holder := OLD.owner_id;
    ELSE
        SELECT c.owner_id INTO holder FROM public.customers c WHERE c.id = OLD.customer_id;
    END IF;
    IF holder IS DISTINCT FROM {SCHEMA}.uid() THEN
        RAISE EXCEPTION 'You may not change the phone numbers of a customer you do not own.'
            USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
END
$fn$""",
    ]
    for table, columns in sorted(catalog.GUARDED_PHONE_COLUMNS.items()):
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
        statements += [
            f"DROP TRIGGER IF EXISTS crm_phones_guard ON public.{table}",
            f"CREATE TRIGGER crm_phones_guard BEFORE UPDATE OF {', '.join(columns)}"
            f" ON public.{table} FOR EACH ROW"
            f" WHEN (current_user::text <> {literal(names.owner)} AND ({changed}))"
            f" EXECUTE FUNCTION {SCHEMA}.phones_guard()",
        ]
    return statements


def _audit_statements(names: Names, watched: Iterable[str]) -> list[str]:
    owner = literal(names.owner)
    statements = [
        # Stamped by the database: a station cannot claim another login or transaction.
        f"""CREATE OR REPLACE FUNCTION {SCHEMA}.audit_stamp() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    NEW.db_principal := session_user;
    NEW.tx_id := txid_current();
    RETURN NEW;
END
$fn$""",
        "DROP TRIGGER IF EXISTS crm_audit_stamp ON public.audit_log",
        "CREATE TRIGGER crm_audit_stamp BEFORE INSERT ON public.audit_log"
        f" FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.audit_stamp()",
        # The second wall behind the missing UPDATE/DELETE grants of the append-only logs;
        # each trigger names its log's message (catalog.APPEND_ONLY) as its argument.
        f"""CREATE OR REPLACE FUNCTION {SCHEMA}.audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    IF current_user::text <> {owner}
       AND NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
        RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = COALESCE(TG_ARGV[0],
            {literal(catalog.APPEND_ONLY["audit_log"])});
    END IF;
    RETURN NULL;
END
$fn$""",
    ]
    for table, message in sorted(catalog.APPEND_ONLY.items()):
        refuse = f"EXECUTE FUNCTION {SCHEMA}.audit_append_only({literal(message)})"
        statements += [
            f"DROP TRIGGER IF EXISTS crm_audit_append_only ON public.{table}",
            # Per statement: it refuses even a statement that row security left no rows for.
            f"CREATE TRIGGER crm_audit_append_only BEFORE UPDATE OR DELETE ON public.{table}"
            f" FOR EACH STATEMENT {refuse}",
            f"DROP TRIGGER IF EXISTS crm_audit_no_truncate ON public.{table}",
            f"CREATE TRIGGER crm_audit_no_truncate BEFORE TRUNCATE ON public.{table}"
            f" FOR EACH STATEMENT {refuse}",
        ]
    statements += [
        # Whether this transaction wrote a StationCRM audit row (stations cannot read the log).
        f"CREATE OR REPLACE FUNCTION {SCHEMA}.tx_audited() RETURNS boolean"
        " LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$"
        " SELECT EXISTS (SELECT 1 FROM public.audit_log WHERE tx_id = txid_current()"
        " AND action <> 'db_change') $$",
        # Runs at COMMIT (deferred), as the login that made the change.
        f"""CREATE OR REPLACE FUNCTION {SCHEMA}.audit_outside() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $fn$
DECLARE
    op text := TG_OP;
    tbl text := TG_TABLE_NAME;
    old_row jsonb;
    new_row jsonb;
    rid integer;
    changed text;
BEGIN
    -- Checked first: a station's own writes (audited in the same transaction) are most
    -- rows, and the row's JSON is only needed for a change made outside StationCRM.
    IF {SCHEMA}.tx_audited() THEN
        RETURN NULL;
    END IF;
    old_row := CASE WHEN TG_OP = 'INSERT' THEN '{{}}'::jsonb ELSE to_jsonb(OLD) END;
    new_row := CASE WHEN TG_OP = 'DELETE' THEN '{{}}'::jsonb ELSE to_jsonb(NEW) END;
{_record_outside('    ')}
    RETURN NULL;
END
$fn$""",
        # The tables of catalog.WATCHED_BY_STATEMENT: once per statement, the rows it
        # changed are kept (as the owner, where no login can reach them) unless this
        # transaction has written its StationCRM audit row already; a kept statement is
        # looked at again at COMMIT by the trigger below.
        f"CREATE TABLE IF NOT EXISTS {SCHEMA}.outside_pending (id bigserial PRIMARY KEY,"
        " operation text NOT NULL, table_name text NOT NULL, pairs jsonb NOT NULL)",
        f"""CREATE OR REPLACE FUNCTION {SCHEMA}.audit_outside_rows() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
DECLARE
    pairs jsonb;
BEGIN
    IF {SCHEMA}.tx_audited() THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_agg(jsonb_build_array('{{}}'::jsonb, to_jsonb(n))) INTO pairs
          FROM crm_new n;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT jsonb_agg(jsonb_build_array(COALESCE(to_jsonb(o), '{{}}'::jsonb),
                                           COALESCE(to_jsonb(n), '{{}}'::jsonb))) INTO pairs
          FROM crm_old o FULL JOIN crm_new n ON n.id = o.id;
    ELSE
        SELECT jsonb_agg(jsonb_build_array(to_jsonb(o), '{{}}'::jsonb)) INTO pairs
          FROM crm_old o;
    END IF;
    IF pairs IS NOT NULL THEN
        INSERT INTO {SCHEMA}.outside_pending (operation, table_name, pairs)
        VALUES (TG_OP, TG_TABLE_NAME, pairs);
    END IF;
    RETURN NULL;
END
$fn$""",
        # At COMMIT: each row of a kept statement is recorded as audit_outside records
        # one, unless the transaction wrote its audit row after the statement.
        f"""CREATE OR REPLACE FUNCTION {SCHEMA}.audit_outside_flush() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
DECLARE
    op text := NEW.operation;
    tbl text := NEW.table_name;
    pair jsonb;
    old_row jsonb;
    new_row jsonb;
    rid integer;
    changed text;
BEGIN
    IF NOT {SCHEMA}.tx_audited() THEN
        FOR pair IN SELECT value FROM jsonb_array_elements(NEW.pairs) LOOP
            old_row := pair -> 0;
            new_row := pair -> 1;
{_record_outside('            ')}
        END LOOP;
    END IF;
    DELETE FROM {SCHEMA}.outside_pending WHERE id = NEW.id;
    RETURN NULL;
END
$fn$""",
        f"DROP TRIGGER IF EXISTS crm_audit_outside_flush ON {SCHEMA}.outside_pending",
        f"CREATE CONSTRAINT TRIGGER crm_audit_outside_flush AFTER INSERT"
        f" ON {SCHEMA}.outside_pending DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
        f" EXECUTE FUNCTION {SCHEMA}.audit_outside_flush()",
    ]
    # The owner (migrations, demo data, the DBA) is not a station.
    not_owner = f" WHEN (current_user::text <> {owner})"
    for table in watched:
        statements += [f"DROP TRIGGER IF EXISTS {name} ON public.{table}"
                       for name in ("crm_audit_outside", *_BY_STATEMENT)]
        if table in catalog.WATCHED_BY_STATEMENT:
            statements += [
                f"CREATE TRIGGER {name} AFTER {operation} ON public.{table}"
                f" REFERENCING {tables} FOR EACH STATEMENT{not_owner}"
                f" EXECUTE FUNCTION {SCHEMA}.audit_outside_rows()"
                for name, (operation, tables) in _BY_STATEMENT.items()]
            continue
        statements.append(
            f"CREATE CONSTRAINT TRIGGER crm_audit_outside AFTER INSERT OR UPDATE OR DELETE"
            f" ON public.{table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW{not_owner}"
            f" EXECUTE FUNCTION {SCHEMA}.audit_outside()")
    return statements


# The per-statement outside-change triggers (a trigger with transition tables takes one
# event): their names, events and the transition tables audit_outside_rows reads.
_BY_STATEMENT: Final = {
    "crm_audit_outside_insert": ("INSERT", "NEW TABLE AS crm_new"),
    "crm_audit_outside_update": ("UPDATE", "OLD TABLE AS crm_old NEW TABLE AS crm_new"),
    "crm_audit_outside_delete": ("DELETE", "OLD TABLE AS crm_old"),
}


def _record_outside(indent: str) -> str:
    """The PL/pgSQL that records one row changed outside StationCRM as a db_change audit
    entry, from ``op``, ``tbl``, ``old_row`` and ``new_row`` (``'{}'`` for no row)."""
    body = f"""rid := COALESCE((new_row ->> 'id')::integer, (old_row ->> 'id')::integer);
SELECT jsonb_object_agg(k.key, jsonb_build_array(old_row -> k.key, new_row -> k.key))::text
  INTO changed
  FROM (SELECT jsonb_object_keys(old_row || new_row) AS key) k
 WHERE k.key <> 'password_hash' AND (old_row -> k.key) IS DISTINCT FROM (new_row -> k.key);
INSERT INTO public.audit_log (at, user_id, action, entity, entity_id, summary, summary_data,
                              changes)
VALUES (clock_timestamp(), {SCHEMA}.user_of(session_user), 'db_change', tbl, rid,
        left(format('%s %s #%s outside StationCRM by database login %s',
                    op, tbl, rid, session_user), 200),
        json_build_object('text', {literal(catalog.OUTSIDE_CHANGE_SUMMARY)},
                          'values', json_build_object('operation', op, 'table', tbl,
                                                      'id', rid, 'login', session_user))::text,
        changed);"""
    return "\n".join(indent + line for line in body.splitlines())


def _read_trail_statements(names: Names) -> list[str]:
    """Each read trail row is the reading login's own: the database writes its user.

    A station sends its person's id, but its login could send anyone's; the trigger puts
    the login's own user in its place. The login that connected (session_user) counts, or,
    when that is nobody's (the owner acting as a person with SET ROLE, as the suite on
    people's logins does), the role it acts as. A login that is nobody's is refused; the
    owner and superusers (migrations, demo data, a DBA) write what they send.
    """
    return [
        f"""CREATE OR REPLACE FUNCTION {SCHEMA}.read_trail_stamp() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $fn$
DECLARE
    reader integer := COALESCE({SCHEMA}.user_of(session_user),
                               {SCHEMA}.user_of(current_user::text));
BEGIN
    IF reader IS NOT NULL THEN
        NEW.user_id := reader;
    ELSIF NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
        RAISE EXCEPTION 'The database login % belongs to no StationCRM user: it cannot'
            ' add to the read trail.', session_user USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
END
$fn$""",
        f"DROP TRIGGER IF EXISTS crm_read_trail_stamp ON public.{catalog.READ_TRAIL}",
        f"CREATE TRIGGER crm_read_trail_stamp BEFORE INSERT ON public.{catalog.READ_TRAIL}"
        f" FOR EACH ROW WHEN (current_user::text <> {literal(names.owner)})"
        f" EXECUTE FUNCTION {SCHEMA}.read_trail_stamp()",
    ]


def setup_statements(names: Names, tables: Iterable[str]) -> list[str]:
    """Everything except per-role grants and logins, in order; idempotent.

    ``tables``: every table of the schema (the watched ones get the outside-change trigger).
    """
    db = ident(names.database)
    statements = [
        f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}",
        f"REVOKE ALL ON SCHEMA {SCHEMA} FROM PUBLIC",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"REVOKE ALL ON DATABASE {db} FROM PUBLIC",
        "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC",
        *_catalog_statements(names),
        *_identity_functions(names),
        *_view_statements(),
        *_principal_functions(names),
        _apply_role_function(names),
        _phone_function(),
    ]
    visibility = visibility_functions()
    statements += [create for _, create in visibility]
    for rule in catalog.ROW_RULES:
        statements += policy_statements(rule)
    watched = sorted(set(tables) - catalog.NOT_WATCHED)
    statements += _audit_statements(names, watched)
    statements += _read_trail_statements(names)
    statements += _phone_guard_statements(names)
    statements.append(f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {SCHEMA} FROM PUBLIC")
    # Called by every login (policies and triggers run them with the caller's rights);
    # save_principal, apply_role and drop_group only by administration (apply_role).
    for fn in (*PUBLIC_FUNCTIONS, *(signature for signature, _ in visibility)):
        statements.append(f"GRANT EXECUTE ON FUNCTION {SCHEMA}.{fn} TO PUBLIC")
    return statements


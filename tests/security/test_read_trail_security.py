"""Customer base protection on a secured server: every login adds its own reads to the read
trail and nobody takes one back; only the customer guard reads the trail and its rules and
enters the day a person gave notice — with psql as much as through StationCRM.

The PostgreSQL tests connect with people's own database logins (tests/security/conftest.py);
the SQL Server ones read the script a DBA runs.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import URL, Engine, select, text

from app.models import Base, Customer, User
from app.models.enums import Module, Operation, ReadAction
from app.security import catalog, mssql
from app.security.principals import secure_database
from app.services import customer_guard
from app.services.auth import login_principal
from app.services.errors import PermissionDenied
from app.services.permissions import DEFAULT_ROLES
from app.services.read_trail import ReadTrail
from app.services.uow import UnitOfWork

pg_only = pytest.mark.pg_only

Psql = Callable[[str], psycopg.Connection[Any]]

PROBE = "SEC-TRAIL"  # the detail of every row these tests write, removed after each
TRAIL_REFUSED = catalog.APPEND_ONLY[catalog.READ_TRAIL]
TRAIL_INSERT = ("INSERT INTO read_trail (at, day, minute, user_id, action, customer_id,"
                " customers, detail) VALUES (now(), %s, 600, %s, 'card', %s, 1, %s)")


def refused(connection: psycopg.Connection[Any], sql: str, *args: Any) -> str:
    """The error PostgreSQL answers ``sql`` with (the test fails if it runs)."""
    with pytest.raises(psycopg.Error) as caught:
        connection.execute(sql, args or None)
    return str(caught.value)


def user_id(engine: Engine, username: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(User.id).where(User.username == username)).scalar_one())


def trail_rows(engine: Engine, detail: str) -> list[tuple[int, str, int | None]]:
    """(user_id, action, customer_id) of the probe rows with ``detail``, as the owner reads
    them."""
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT user_id, action, customer_id FROM read_trail WHERE detail = :d"
            " ORDER BY id"), {"d": detail})]


@pytest.fixture
def probe_rows(owner_engine: Engine) -> Iterator[None]:
    """The owner removes the probe rows afterwards (the owner alone may)."""
    yield
    with owner_engine.begin() as conn:
        conn.execute(text("DELETE FROM read_trail WHERE detail LIKE :p"), {"p": f"{PROBE}%"})


def a_customer(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(Customer.id).order_by(Customer.id).limit(1)).scalar_one())


# --- a salesperson with psql -----------------------------------------------------------------


@pg_only
@pytest.mark.usefixtures("probe_rows")
def test_a_salesperson_adds_reads_only_in_their_own_name_and_never_reads_them(
        psql: Psql, owner_engine: Engine) -> None:
    sales1, sales2 = user_id(owner_engine, "sales1"), user_id(owner_engine, "sales2")
    customer = a_customer(owner_engine)
    sales = psql("sales1")
    today = dt.date(2026, 12, 1)
    # Their own reads, and reads claimed for a colleague: both are stored as theirs.
    sales.execute(TRAIL_INSERT, (today, sales1, customer, f"{PROBE}-own"))
    sales.execute(TRAIL_INSERT, (today, sales2, customer, f"{PROBE}-claimed"))
    assert trail_rows(owner_engine, f"{PROBE}-own") == [(sales1, "card", customer)]
    assert trail_rows(owner_engine, f"{PROBE}-claimed") == [(sales1, "card", customer)]
    # Nothing of the trail comes back: not a plain read, not what an insert returns.
    assert "permission denied for table read_trail" in refused(
        sales, "SELECT count(*) FROM read_trail")
    assert "permission denied for table read_trail" in refused(
        sales, TRAIL_INSERT + " RETURNING id", today, sales1, customer, f"{PROBE}-returning")
    assert trail_rows(owner_engine, f"{PROBE}-returning") == []
    # And nothing is taken back.
    for sql in ("UPDATE read_trail SET detail = 'gone'", "DELETE FROM read_trail",
                "TRUNCATE read_trail"):
        assert "permission denied for table read_trail" in refused(sales, sql)
    assert trail_rows(owner_engine, f"{PROBE}-own") == [(sales1, "card", customer)]


@pg_only
def test_a_salesperson_reads_no_guard_rules_and_enters_no_notice(
        psql: Psql, owner_engine: Engine) -> None:
    sales = psql("sales1")
    assert "permission denied for table guard_rules" in refused(
        sales, "SELECT value FROM guard_rules")
    assert "permission denied for table guard_rules" in refused(
        sales, "INSERT INTO guard_rules (value, created_at, updated_at, version)"
               " VALUES ('{\"min_reads\": 1000}', now(), now(), 1)")
    assert "permission denied for table users" in refused(
        sales, "UPDATE users SET notice_on = NULL WHERE username = 'sales1'")
    with owner_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM guard_rules")).scalar_one() == 0


@pg_only
@pytest.mark.usefixtures("probe_rows")
def test_the_station_recorder_writes_through_the_persons_own_login(
        person_engine: Callable[[str], Engine], owner_engine: Engine) -> None:
    """app.services.read_trail's batches, on the login a station holds after login."""
    sales1, sales2 = user_id(owner_engine, "sales1"), user_id(owner_engine, "sales2")
    customer = a_customer(owner_engine)
    trail = ReadTrail(person_engine("sales1"))
    when = dt.datetime(2026, 12, 1, 21, 5)
    trail.note(sales1, ReadAction.CARD, customer_id=customer, detail=f"{PROBE}-batch",
               when=when)
    trail.note(sales2, ReadAction.OVERVIEW, customer_id=customer, detail=f"{PROBE}-batch",
               when=when)
    assert trail.flush() == 2
    assert trail.pending == 0
    assert trail_rows(owner_engine, f"{PROBE}-batch") == [
        (sales1, "card", customer), (sales1, "overview", customer)]
    # One row alone goes the same way.
    trail.note(sales2, ReadAction.EXPORT, customers=40, detail=f"{PROBE}-single", when=when)
    assert trail.flush() == 1
    assert trail_rows(owner_engine, f"{PROBE}-single") == [(sales1, "export", None)]


# --- the general manager with psql ----------------------------------------------------------


@pg_only
@pytest.mark.usefixtures("probe_rows")
def test_the_general_manager_reads_the_trail_and_rules_and_enters_notices(
        psql: Psql, owner_engine: Engine) -> None:
    sales1, sales3 = user_id(owner_engine, "sales1"), user_id(owner_engine, "sales3")
    customer = a_customer(owner_engine)
    psql("sales1").execute(TRAIL_INSERT, (dt.date(2026, 12, 2), sales1, customer,
                                          f"{PROBE}-seen"))
    manager = psql("manager")
    assert manager.execute(
        "SELECT user_id, action, customer_id FROM read_trail WHERE detail = %s",
        (f"{PROBE}-seen",)).fetchall() == [(sales1, "card", customer)]
    assert manager.execute("SELECT count(*) FROM guard_rules").fetchone() == (0,)
    # The notice and the bookkeeping written with it; nothing else of a person.
    try:
        done = manager.execute(
            "UPDATE users SET notice_on = '2026-12-01', version = version + 1,"
            " updated_at = now(), updated_by_id = NULL WHERE id = %s", (sales3,))
        assert done.rowcount == 1
        with owner_engine.connect() as conn:
            assert conn.execute(select(User.notice_on).where(User.id == sales3)
                                ).scalar_one() == dt.date(2026, 12, 1)
        assert "permission denied for table users" in refused(
            manager, "UPDATE users SET display_name = 'x' WHERE id = %s", sales3)
        assert "permission denied for table users" in refused(
            manager, "UPDATE users SET role_id = role_id WHERE id = %s", sales3)
    finally:
        with owner_engine.begin() as conn:
            conn.execute(text("UPDATE users SET notice_on = NULL WHERE id = :id"), {"id": sales3})
    # Reading the trail is not rewriting it.
    for sql in ("UPDATE read_trail SET detail = 'gone'", "DELETE FROM read_trail",
                "TRUNCATE read_trail"):
        assert "permission denied for table read_trail" in refused(manager, sql)
    assert trail_rows(owner_engine, f"{PROBE}-seen") == [(sales1, "card", customer)]
    # The manager's own reads are theirs too, whoever the row names.
    manager.execute(TRAIL_INSERT, (dt.date(2026, 12, 2), sales1, customer, f"{PROBE}-mgr"))
    assert trail_rows(owner_engine, f"{PROBE}-mgr") == [
        (user_id(owner_engine, "manager"), "card", customer)]


GUARD_ALERT_INSERT = ("INSERT INTO guard_alerts (user_id, day, reasons, cards, usual_cards,"
                      " version, created_at, updated_at) VALUES (%s, %s, '[]', 1, 0, 1, now(),"
                      " now())")


@pg_only
def test_only_the_customer_guard_keeps_and_reads_alerts_and_nobody_deletes_one(
        psql: Psql, owner_engine: Engine) -> None:
    """The alerts kept for the to-do list (app.services.guard_watch): a salesperson with
    psql can neither read who was flagged nor plant or clear an alert."""
    sales1 = user_id(owner_engine, "sales1")
    day = dt.date(2026, 12, 3)
    sales = psql("sales1")
    for sql in ("SELECT count(*) FROM guard_alerts",
                "UPDATE guard_alerts SET handled_at = now()",
                "DELETE FROM guard_alerts"):
        assert "permission denied for table guard_alerts" in refused(sales, sql)
    assert "permission denied for table guard_alerts" in refused(
        sales, GUARD_ALERT_INSERT, sales1, day)
    manager = psql("manager")
    try:
        manager.execute(GUARD_ALERT_INSERT, (sales1, day))
        # The unique person-day: a second station's row for the same day is refused.
        assert "uq_guard_alerts_user_day" in refused(manager, GUARD_ALERT_INSERT, sales1, day)
        done = manager.execute("UPDATE guard_alerts SET handled_at = now(),"
                               " version = version + 1 WHERE user_id = %s", (sales1,))
        assert done.rowcount == 1
        assert manager.execute("SELECT count(*) FROM guard_alerts WHERE user_id = %s"
                               " AND handled_at IS NOT NULL", (sales1,)).fetchone() == (1,)
        assert "permission denied for table guard_alerts" in refused(
            manager, "DELETE FROM guard_alerts")
    finally:
        with owner_engine.begin() as conn:
            conn.execute(text("DELETE FROM guard_alerts WHERE user_id = :u"), {"u": sales1})


@pg_only
@pytest.mark.usefixtures("probe_rows")
def test_the_append_only_trigger_is_a_second_wall_even_with_a_grant(
        owner_engine: Engine, psql: Psql, login_of: Callable[[str], str]) -> None:
    """Had a DBA granted UPDATE, DELETE or TRUNCATE by mistake, the trigger still refuses."""
    office1 = user_id(owner_engine, "office1")
    login = login_of("office1")
    with owner_engine.begin() as conn:
        conn.execute(text(f'GRANT SELECT, UPDATE, DELETE, TRUNCATE ON read_trail TO "{login}"'))
    try:
        office = psql("office1")
        office.execute(TRAIL_INSERT, (dt.date(2026, 12, 3), office1, None, f"{PROBE}-wall"))
        for sql in (f"UPDATE read_trail SET detail = 'gone' WHERE detail = '{PROBE}-wall'",
                    f"DELETE FROM read_trail WHERE detail = '{PROBE}-wall'",
                    "TRUNCATE read_trail"):
            assert TRAIL_REFUSED in refused(office, sql)
    finally:
        with owner_engine.begin() as conn:
            conn.execute(text(f'REVOKE ALL ON read_trail FROM "{login}"'))
    assert trail_rows(owner_engine, f"{PROBE}-wall") == [(office1, "card", None)]


@pg_only
@pytest.mark.usefixtures("probe_rows")
def test_a_login_of_nobody_adds_nothing_and_the_owner_writes_any_user(
        owner_engine: Engine, secured_url: URL) -> None:
    sales2 = user_id(owner_engine, "sales2")
    # The owner (migrations, demo data) writes the user it sends.
    with owner_engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO read_trail (at, day, minute, user_id, action, customers, detail)"
            " VALUES (now(), '2026-12-04', 600, :u, 'search', 20, :d)"),
            {"u": sales2, "d": f"{PROBE}-owner"})
    assert trail_rows(owner_engine, f"{PROBE}-owner") == [(sales2, "search", None)]
    # A login that is no StationCRM user's, given INSERT by hand, is refused.
    stranger = f"{secured_url.database}_stranger"
    with owner_engine.begin() as conn:
        conn.execute(text(f'CREATE ROLE "{stranger}" LOGIN'))
        conn.execute(text(f'GRANT CONNECT ON DATABASE "{secured_url.database}" TO "{stranger}"'))
        conn.execute(text(f'GRANT USAGE ON SCHEMA public, crmsec TO "{stranger}"'))
        conn.execute(text(f'GRANT SELECT ON users TO "{stranger}"'))
        conn.execute(text(f'GRANT INSERT ON read_trail TO "{stranger}"'))
        conn.execute(text(f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "{stranger}"'))
    try:
        with psycopg.connect(host=secured_url.host or "127.0.0.1",
                             port=secured_url.port or 5432, dbname=secured_url.database,
                             user=stranger, autocommit=True) as connection:
            message = refused(connection, TRAIL_INSERT, dt.date(2026, 12, 4), sales2, None,
                              f"{PROBE}-stranger")
        assert f"The database login {stranger} belongs to no StationCRM user" in message
        assert trail_rows(owner_engine, f"{PROBE}-stranger") == []
    finally:
        with owner_engine.begin() as conn:
            conn.execute(text(f'DROP OWNED BY "{stranger}"'))
            conn.execute(text(f'DROP ROLE "{stranger}"'))


# --- the grants of every default role --------------------------------------------------------


@pg_only
def test_every_role_adds_to_the_trail_and_only_the_customer_guard_reads_it(
        owner_engine: Engine, secured_url: URL) -> None:
    with owner_engine.connect() as conn:
        guard: dict[str, set[str]] = {code: set() for code in conn.execute(
            text("SELECT code FROM roles")).scalars()}
        for code, operation in conn.execute(text(
                "SELECT r.code, p.operation FROM roles r JOIN role_permissions p"
                " ON p.role_id = r.id WHERE p.module = :m"), {"m": Module.CUSTOMER_GUARD.value}):
            guard[code].add(operation)
        assert guard["general_manager"] >= {Operation.VIEW, Operation.EDIT}
        assert guard["sales"] == set()

        def may(group: str, table: str, privilege: str, column: str | None = None) -> bool:
            """SELECT and UPDATE are granted column by column (apply_role)."""
            if column:
                return bool(conn.execute(text("SELECT has_column_privilege(:g, :t, :c, :p)"),
                                         {"g": group, "t": f"public.{table}", "c": column,
                                          "p": privilege}).scalar())
            check = ("has_any_column_privilege" if privilege in ("SELECT", "UPDATE")
                     else "has_table_privilege")
            return bool(conn.execute(text(f"SELECT {check}(:g, :t, :p)"),
                                     {"g": group, "t": f"public.{table}", "p": privilege}
                                     ).scalar())

        for code, operations in guard.items():
            group = f"{secured_url.database}_{code}"
            views, edits = Operation.VIEW in operations, Operation.EDIT in operations
            assert may(group, "read_trail", "INSERT"), code
            assert may(group, "read_trail", "SELECT") is views, code
            for privilege in ("UPDATE", "DELETE", "TRUNCATE"):
                assert not may(group, "read_trail", privilege), (code, privilege)
            assert not may(group, "guard_rules", "DELETE"), code
            assert may(group, "guard_rules", "SELECT") is (views or edits), code
            assert may(group, "guard_rules", "INSERT") is edits, code
            assert may(group, "guard_rules", "UPDATE") is edits, code
            if code != "administrator":  # administration edits every column of users
                assert may(group, "users", "UPDATE", "notice_on") is edits, code


@pg_only
def test_the_read_trail_has_its_own_triggers_and_no_outside_change_audit(
        owner_engine: Engine) -> None:
    def triggers(table: str) -> set[str]:
        with owner_engine.connect() as conn:
            return set(conn.execute(text(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = CAST(:t AS regclass)"
                " AND NOT tgisinternal"), {"t": f"public.{table}"}).scalars())

    assert triggers("read_trail") == {"crm_read_trail_stamp", "crm_audit_append_only",
                                      "crm_audit_no_truncate"}
    assert "crm_audit_outside" in triggers("guard_rules")
    assert "crm_audit_outside" in triggers("users")


@pg_only
@pytest.mark.usefixtures("probe_rows")
def test_db_security_run_again_keeps_the_read_trail_guarded(
        owner_engine: Engine, psql: Psql) -> None:
    """``stationcrm db security`` is idempotent: a second run leaves the same walls."""
    before = _trail_triggers(owner_engine)
    secure_database(owner_engine)
    assert _trail_triggers(owner_engine) == before
    sales1, sales2 = user_id(owner_engine, "sales1"), user_id(owner_engine, "sales2")
    sales = psql("sales1")
    sales.execute(TRAIL_INSERT, (dt.date(2026, 12, 5), sales2, None, f"{PROBE}-again"))
    assert trail_rows(owner_engine, f"{PROBE}-again") == [(sales1, "card", None)]
    assert "permission denied" in refused(sales, "SELECT 1 FROM read_trail")
    assert "permission denied" in refused(sales, "SELECT 1 FROM guard_rules")
    assert "permission denied" in refused(psql("manager"), "DELETE FROM read_trail")


def _trail_triggers(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE c.relname IN ('read_trail', 'guard_rules', 'audit_log')"
            " AND NOT t.tgisinternal ORDER BY 1, 2"))]


# --- through StationCRM, on the people's own logins ------------------------------------------


@pg_only
@pytest.mark.usefixtures("probe_rows")
def test_the_customer_guard_works_on_the_managers_own_login(
        person_engine: Callable[[str], Engine], owner_engine: Engine) -> None:
    """The services need no more than the grants give: rules saved (the new row's id read
    back), a notice entered, a day of the trail read; a salesperson is refused by the
    service."""
    sales1, sales3 = user_id(owner_engine, "sales1"), user_id(owner_engine, "sales3")
    day = dt.date(2027, 6, 7)  # a day without the demo's reads
    trail = ReadTrail(person_engine("sales1"))
    customers = _customers(owner_engine, 12)
    for customer in customers:
        trail.note(sales1, ReadAction.CARD, customer_id=customer, detail=f"{PROBE}-guard",
                   when=dt.datetime.combine(day, dt.time(10)))
    assert trail.flush() == 12
    uow = UnitOfWork.for_engine(person_engine("manager"))
    manager = login_principal(uow=uow, username="manager")
    try:
        current = customer_guard.load_rules(uow=uow, actor=manager)
        customer_guard.save_rules(
            uow=uow, actor=manager, rules=customer_guard.GuardRules(min_reads=10),
            expected_version=current.version)
        assert customer_guard.load_rules(uow=uow, actor=manager).rules.min_reads == 10
        with owner_engine.connect() as conn:
            version = conn.execute(select(User.version).where(User.id == sales3)).scalar_one()
        customer_guard.set_notice(uow=uow, actor=manager, user_id=sales3,
                                  notice_on=dt.date(2026, 12, 1), expected_version=version)
        with owner_engine.connect() as conn:
            assert conn.execute(select(User.notice_on).where(User.id == sales3)
                                ).scalar_one() == dt.date(2026, 12, 1)
        lines = customer_guard.read_lines(uow=uow, actor=manager, user_id=sales1, day=day)
        assert [(r.action, r.customer_id) for r in lines] == [
            (ReadAction.CARD, customer) for customer in customers]
        # A salesperson's station: the service says no before the database would.
        sales_uow = UnitOfWork.for_engine(person_engine("sales2"))
        sales2 = login_principal(uow=sales_uow, username="sales2")
        with pytest.raises(PermissionDenied):
            customer_guard.load_rules(uow=sales_uow, actor=sales2)
    finally:
        with owner_engine.begin() as conn:
            conn.execute(text("DELETE FROM guard_rules"))
            conn.execute(text("UPDATE users SET notice_on = NULL WHERE id = :id"), {"id": sales3})


def _customers(engine: Engine, count: int) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(select(Customer.id).order_by(Customer.id).limit(count))
                    .scalars())


# --- the SQL Server script -------------------------------------------------------------------

TABLES = [t.name for t in Base.metadata.sorted_tables]
SQL_NAMES = mssql.MssqlNames(database="stationcrm", role_prefix="crm_")


@pytest.fixture(scope="module")
def sql_batches() -> list[str]:
    return mssql.batches(mssql.script(SQL_NAMES, TABLES, [r.code for r in DEFAULT_ROLES],
                                      ["admin", "sales1"]))


def _batch(batches: list[str], start: str) -> str:
    found = [b for b in batches if b.startswith(start)]
    assert len(found) == 1, f"{len(found)} batches start with {start}"
    return found[0]


def test_sql_server_denies_changing_the_read_trail_to_everyone(sql_batches: list[str]) -> None:
    assert "DENY UPDATE, DELETE ON [dbo].[read_trail] TO [public];" in sql_batches
    assert "DENY UPDATE, DELETE ON [dbo].[audit_log] TO [public];" in sql_batches
    apply = _batch(sql_batches, "CREATE OR ALTER PROCEDURE [crmsec].[apply_role]")
    deny = "SET @sql = N'DENY UPDATE, DELETE ON [dbo].[read_trail] TO ' + QUOTENAME(@role);"
    # After the grants, so no grant of the matrix can open it again.
    assert apply.index(deny) > apply.index("DEALLOCATE grant_cursor;")
    guard = _batch(sql_batches, "CREATE OR ALTER TRIGGER [dbo].[crm_read_trail_append_only]")
    assert guard.startswith("CREATE OR ALTER TRIGGER [dbo].[crm_read_trail_append_only] ON"
                            " [dbo].[read_trail]\nINSTEAD OF UPDATE, DELETE\n")
    assert "IF COALESCE(IS_MEMBER(N'db_owner'), 0) = 0\n        THROW 50008, " \
           "N'The read trail cannot be changed or deleted.', 1;" in guard
    # The owner's own change is carried out: every column but the id.
    columns = [c.name for c in Base.metadata.tables["read_trail"].columns if c.name != "id"]
    assert re.findall(r"a\.\[(\w+)\] = i\.\[\w+\]", guard) == columns


def test_sql_server_refuses_a_read_in_another_persons_name(sql_batches: list[str]) -> None:
    stamp = _batch(sql_batches, "CREATE OR ALTER TRIGGER [dbo].[crm_read_trail_stamp]")
    # AFTER, not INSTEAD OF: a one-row insert reads SCOPE_IDENTITY() back.
    assert stamp.startswith("CREATE OR ALTER TRIGGER [dbo].[crm_read_trail_stamp] ON"
                            " [dbo].[read_trail]\nAFTER INSERT\n")
    assert "INSTEAD OF" not in stamp
    assert "IF COALESCE(IS_MEMBER(N'db_owner'), 0) = 1 RETURN;" in stamp
    assert ("DECLARE @reader INT = COALESCE([crmsec].[user_of](ORIGINAL_LOGIN()),"
            " [crmsec].[uid]());") in stamp
    assert "WHERE @reader IS NULL OR i.[user_id] <> @reader)" in stamp
    assert f"THROW 50009, N'{mssql.READ_TRAIL_STAMP_MESSAGE.replace(chr(39), chr(39) * 2)}', 1;" \
        in stamp
    # The functions it calls exist by then.
    user_of = _batch(sql_batches, "CREATE OR ALTER FUNCTION [crmsec].[user_of]")
    assert sql_batches.index(user_of) < sql_batches.index(stamp)
    # Its inserts carry no OUTPUT clause, which a trigger on the table would refuse.
    assert Base.metadata.tables["read_trail"].implicit_returning is False


def test_sql_server_grants_the_trail_and_its_rules_from_the_matrix(
        sql_batches: list[str]) -> None:
    access = next(b for b in sql_batches if "CREATE TABLE [crmsec].[access]" in b)
    guard, view, edit = Module.CUSTOMER_GUARD.value, Operation.VIEW.value, Operation.EDIT.value
    for row in (("read_trail", "INSERT", "", "", ""),
                ("read_trail", "SELECT", guard, view, ""),
                ("guard_rules", "SELECT", guard, view, ""),
                ("guard_rules", "SELECT", guard, edit, ""),
                ("guard_rules", "INSERT", guard, edit, ""),
                ("guard_rules", "UPDATE", guard, edit, ""),
                ("guard_alerts", "SELECT", guard, view, ""),
                ("guard_alerts", "INSERT", guard, view, ""),
                ("guard_alerts", "UPDATE", guard, view, ""),
                *(("users", "UPDATE", guard, edit, column)
                  for column in ("notice_on", *catalog.TRACKING))):
        assert "(" + ", ".join(f"N'{v}'" for v in row) + ")" in access, row
    granted = {(r[0], r[1], r[2]) for r in catalog.access_rows()
               if r[0] in ("read_trail", "guard_rules")}
    assert granted == {("read_trail", "INSERT", ""), ("read_trail", "SELECT", guard),
                       ("guard_rules", "SELECT", guard), ("guard_rules", "INSERT", guard),
                       ("guard_rules", "UPDATE", guard)}
    # Nobody is given the users table's notice column but the guard (and administration).
    assert {r[2] for r in catalog.access_rows() if r[0] == "users" and r[1] == "UPDATE"
            and r[4] in ("notice_on", "")} == {guard, Module.ADMINISTRATION.value}


def test_sql_server_audit_leaves_the_read_trail_out(sql_batches: list[str]) -> None:
    assert catalog.READ_TRAIL in catalog.NOT_WATCHED
    assert catalog.GUARD_RULES not in catalog.NOT_WATCHED
    assert "[object_name] <> N'read_trail'" in sql_batches[-1]
    assert "[object_name] <> N'guard_rules'" not in sql_batches[-1]


def test_the_sql_server_script_needs_the_read_trail() -> None:
    with pytest.raises(ValueError, match="read_trail"):
        mssql.script(SQL_NAMES, [t for t in TABLES if t != "read_trail"], ["sales"], [])

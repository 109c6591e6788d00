"""Logging in: argon2 hashes, back-off after five failures from a station, audit of each attempt."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, select

from app.models import AuditEntry, User, utcnow
from app.services.auth import FIRST_WAIT, FREE_FAILURES, login, refused
from app.services.errors import AuthenticationFailed, ValidationError
from app.services.users import add_user
from tests.conftest import TEST_PASSWORD


def _actions(uow) -> list[str]:
    with uow:
        return [a for (a,) in uow.session.execute(
            select(AuditEntry.action).order_by(AuditEntry.id)).all()]


def test_login_returns_actor_and_audits(uow, clerk):
    actor = login(uow=uow, username="clerk1", password=TEST_PASSWORD, station="storefront")
    assert actor.user_id == clerk.user_id
    assert actor.role_code == "counter_clerk"
    assert actor.station == "storefront"
    assert _actions(uow) == ["login"]
    with uow:
        assert uow.session.get(User, clerk.user_id).last_login_at is not None


def test_login_reads_the_hash_with_the_locked_user_row(uow, engine, clerk):
    """Two reads of the hash: the one checked (no lock held during argon2) and the locked
    row's, in the same query as the rest of the user, not lazily in one of its own."""
    login(uow=uow, username="clerk1", password=TEST_PASSWORD)
    sent: list[str] = []

    def on_sql(conn, cursor, statement, *args):
        sent.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", on_sql)
    try:
        login(uow=uow, username="clerk1", password=TEST_PASSWORD, station="storefront")
    finally:
        event.remove(engine, "before_cursor_execute", on_sql)
    reads = [s for s in sent if s.upper().startswith("SELECT") and "password_hash" in s]
    assert len(reads) == 2, "\n".join(sent)
    assert reads[0].startswith("SELECT users.id, users.password_hash FROM users")
    assert "users.role_id" in reads[1] and "users.failed_logins" in reads[1]
    if engine.dialect.name != "sqlite":  # SQLite's write lock is taken at BEGIN
        assert "FOR UPDATE" in reads[1].upper()


def test_wrong_password_and_unknown_user_get_the_same_message(uow, clerk):
    with pytest.raises(AuthenticationFailed) as wrong:
        login(uow=uow, username="clerk1", password="nope-nope")
    with pytest.raises(AuthenticationFailed) as unknown:
        login(uow=uow, username="nobody", password="nope-nope")
    assert str(wrong.value) == str(unknown.value) == str(refused())
    assert str(wrong.value).startswith("Wrong user name or password")
    # Both are in the log, for the administrator: what really happened.
    assert _actions(uow) == ["login_failed", "login_failed"]


def test_fifth_failure_makes_the_station_wait_even_with_right_password(uow, clerk):
    start = utcnow()
    for _ in range(FREE_FAILURES):
        with pytest.raises(AuthenticationFailed) as err:
            login(uow=uow, username="clerk1", password="wrong-pass", station="storefront",
                  now=start)
    assert str(err.value) == str(refused())  # the wait is not revealed
    with pytest.raises(AuthenticationFailed):
        login(uow=uow, username="clerk1", password=TEST_PASSWORD, station="storefront",
              now=start + FIRST_WAIT - dt.timedelta(seconds=5))
    actor = login(uow=uow, username="clerk1", password=TEST_PASSWORD, station="storefront",
                  now=start + FIRST_WAIT + dt.timedelta(seconds=1))
    assert actor.user_id == clerk.user_id
    assert _actions(uow) == ["login_failed"] * FREE_FAILURES + ["locked", "locked", "login"]


def test_deactivated_user_cannot_log_in(uow, clerk):
    with uow:
        uow.session.get(User, clerk.user_id).active = False
        uow.commit()
    with pytest.raises(AuthenticationFailed) as err:
        login(uow=uow, username="clerk1", password=TEST_PASSWORD)
    assert str(err.value) == str(refused())  # the same answer as a wrong password
    with uow:
        summary = uow.session.execute(select(AuditEntry.summary)).scalar_one()
    assert "deactivated" in summary


def test_add_user_hashes_with_argon2_and_refuses_short_password(uow, admin, clerk):
    view = add_user(uow=uow, actor=admin, username="sales9", password="long-enough-1",
                    role_code="sales", display_name="赵敏", department_code="key_accounts")
    with uow:
        stored = uow.session.get(User, view.id).password_hash
    assert stored.startswith("$argon2id$") and "long-enough-1" not in stored
    assert login(uow=uow, username="sales9", password="long-enough-1").display_name == "赵敏"
    with pytest.raises(ValidationError) as err:
        add_user(uow=uow, actor=admin, username="sales10", password="short",
                 role_code="sales")
    assert "password" in err.value.errors
    with pytest.raises(ValidationError) as err:
        add_user(uow=uow, actor=admin, username="sales9", password="long-enough-1",
                 role_code="no_such_role")
    assert set(err.value.errors) == {"username", "role"}


def test_only_administration_may_add_users(uow, clerk):
    from app.services.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        add_user(uow=uow, actor=clerk, username="x1", password="long-enough-1",
                 role_code="administrator")
    with uow:
        assert uow.session.execute(select(User.id).where(User.username == "x1")).first() is None


def test_active_users_for_owner_pickers(uow, clerk, sales_user, other_sales_user):
    from app.services.users import list_active_users

    with uow:
        uow.session.get(User, other_sales_user.user_id).active = False
        uow.commit()
    names = [u.display_name for u in list_active_users(uow=uow, actor=clerk)]
    assert "李娜" not in names and {"门市小王", "张伟"} <= set(names)
    sales = list_active_users(uow=uow, actor=clerk, role_codes=("sales",))
    assert [(u.username, u.department_code) for u in sales] == [("sales1", "key_accounts")]


def test_a_deactivated_user_cannot_list_users(uow, clerk):
    from app.services.errors import PermissionDenied
    from app.services.users import list_active_users

    with uow:
        uow.session.get(User, clerk.user_id).active = False
        uow.commit()
    with pytest.raises(PermissionDenied):
        list_active_users(uow=uow, actor=clerk)


def test_mssql_guard_refuses_boolean_is() -> None:
    from sqlalchemy import select

    from tests.mssql_guard import MssqlIncompatible, compile_for_mssql

    with pytest.raises(MssqlIncompatible, match="IS 0/1"):
        compile_for_mssql(select(User.id).where(User.active.is_(True)))

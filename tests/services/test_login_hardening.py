"""Login hardening (issue 12, item 6): one answer, same work, per-station back-off, policy."""

from __future__ import annotations

import datetime as dt
import io
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import event, select, text, update

from app import cli, demo, i18n
from app.db import make_engine
from app.models import AuditEntry, User, utcnow
from app.services import administration as adm
from app.services import auth
from app.services.auth import (
    FIRST_WAIT,
    FREE_FAILURES,
    MAX_WAIT,
    USER_WIDE_FAILURES,
    backoff,
    login,
    refused,
    wait_after,
)
from app.services.errors import AuthenticationFailed, PermissionDenied, ValidationError
from app.services.passwords import check_password, common_passwords, password_problem
from app.services.uow import UnitOfWork
from app.services.users import add_user
from tests.conftest import TEST_PASSWORD

WRONG = "wrong-pass-9"


def _refused(uow: UnitOfWork, username: str, password: str, **kw: object) -> str:
    with pytest.raises(AuthenticationFailed) as caught:
        login(uow=uow, username=username, password=password, **kw)  # type: ignore[arg-type]
    return str(caught.value)


def _fail(uow: UnitOfWork, times: int, *, station: str | None, now: dt.datetime,
          username: str = "clerk1") -> None:
    for _ in range(times):
        _refused(uow, username, WRONG, station=station, now=now)


def _summaries(uow: UnitOfWork) -> list[tuple[str, str]]:
    with uow:
        return [(str(a), s) for a, s in uow.session.execute(
            select(AuditEntry.action, AuditEntry.summary).order_by(AuditEntry.id)).all()]


def _deactivate(uow: UnitOfWork, user_id: int) -> None:
    with uow:
        uow.session.execute(update(User).where(User.id == user_id).values(active=False))
        uow.commit()


@pytest.fixture
def verify_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every argon2 verification login makes, by the hash it checked against."""
    calls: list[str] = []
    real = auth.verify_password

    def counting(password_hash: str, password: str) -> bool:
        calls.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(auth, "verify_password", counting)
    return calls


# --- one answer, the same work ---------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh"])
def test_unknown_user_wrong_password_and_deactivated_get_one_message(
        uow, clerk, clerk2, language):
    _deactivate(uow, clerk2.user_id)
    i18n.set_language(language)
    try:
        unknown = _refused(uow, "nobody", TEST_PASSWORD)
        wrong = _refused(uow, "clerk1", WRONG)
        deactivated = _refused(uow, "clerk2", TEST_PASSWORD)  # the right password, even
        expected = str(refused())
    finally:
        i18n.set_language("en")
    assert unknown == wrong == deactivated == expected
    assert ("用户名或密码错误" if language == "zh" else "Wrong user name or password") in expected
    assert "deactivated" not in expected and "停用" not in expected


def test_the_audit_log_says_what_really_happened(uow, clerk, clerk2):
    _deactivate(uow, clerk2.user_id)
    _refused(uow, "nobody", WRONG, station="storefront")
    _refused(uow, "clerk1", WRONG, station="storefront")
    _refused(uow, "clerk2", TEST_PASSWORD, station="storefront")
    rows = _summaries(uow)
    assert [a for a, _ in rows] == ["login_failed"] * 3
    assert "no user named 'nobody'" in rows[0][1]
    assert "clerk1" in rows[1][1] and "wrong password" in rows[1][1]
    assert "deactivated" in rows[2][1] and "password right" in rows[2][1]
    with uow:
        stations = set(uow.session.execute(select(AuditEntry.station)).scalars())
    assert stations == {"storefront"}


def test_argon2_runs_exactly_once_whatever_the_outcome(uow, clerk, clerk2, verify_calls):
    with uow:
        real_hash = uow.session.get(User, clerk.user_id).password_hash
    _refused(uow, "nobody", WRONG)
    assert len(verify_calls) == 1 and verify_calls[0] != real_hash  # the dummy hash
    assert verify_calls[0].startswith("$argon2id$")
    _refused(uow, "clerk1", WRONG)
    _deactivate(uow, clerk2.user_id)
    _refused(uow, "clerk2", TEST_PASSWORD)
    login(uow=uow, username="clerk1", password=TEST_PASSWORD)
    assert len(verify_calls) == 4
    # A waiting station costs the same work too.
    now = utcnow()
    _fail(uow, FREE_FAILURES, station="repair", now=now)
    verify_calls.clear()
    _refused(uow, "clerk1", TEST_PASSWORD, station="repair", now=now)
    assert len(verify_calls) == 1


def test_a_password_changed_while_it_is_checked_no_longer_lets_the_old_one_in(
        uow, engine, clerk, monkeypatch):
    """The hash read with the locked users row (not the one checked) decides: a reset
    committed between the check and the write refuses the old password, as wrong."""
    real = auth.verify_password

    def reset_meanwhile(password_hash: str, given: str) -> bool:
        other = UnitOfWork.for_engine(engine)
        with other:
            other.session.execute(update(User).where(User.id == clerk.user_id).values(
                password_hash=auth.hash_password("Another-Pass-2027")))
            other.commit()
        return real(password_hash, given)

    monkeypatch.setattr(auth, "verify_password", reset_meanwhile)
    assert _refused(uow, "clerk1", TEST_PASSWORD, station="storefront") == str(refused())
    monkeypatch.setattr(auth, "verify_password", real)
    rows = _summaries(uow)
    assert [a for a, _ in rows] == ["login_failed"]
    assert "wrong password" in rows[0][1]
    assert login(uow=uow, username="clerk1", password="Another-Pass-2027").user_id \
        == clerk.user_id


def test_the_dummy_hash_has_the_cost_of_a_real_one(uow, clerk):
    from argon2 import extract_parameters

    with uow:
        real_hash = uow.session.get(User, clerk.user_id).password_hash
    assert extract_parameters(auth._dummy()) == extract_parameters(real_hash)


def test_unknown_user_and_wrong_password_take_about_the_same_time(uow, clerk):
    """Medians of a few tries within 3× of each other (the measured gap was 16×)."""
    auth.set_hash_cost(time_cost=2, memory_cost=8192)  # argon2 a real share of the time
    try:
        with uow:
            uow.session.get(User, clerk.user_id).password_hash = auth.hash_password(
                TEST_PASSWORD)
            uow.commit()
        times: dict[str, list[float]] = {"nobody": [], "clerk1": []}
        for _ in range(5):
            for name, spent in times.items():
                started = time.perf_counter()
                _refused(uow, name, WRONG, station=f"desk-{len(spent)}")
                spent.append(time.perf_counter() - started)
    finally:
        auth.set_hash_cost(time_cost=1, memory_cost=1024)
    unknown, known = (statistics.median(times[n]) for n in ("nobody", "clerk1"))
    assert 1 / 3 < unknown / known < 3, (unknown, known)


# --- back-off per (user, station) -------------------------------------------------------------


def test_a_station_waits_after_five_failures_but_another_station_does_not(uow, clerk):
    now = utcnow()
    _fail(uow, FREE_FAILURES - 1, station="storefront", now=now)
    assert backoff(uow=uow, user_id=clerk.user_id, station="storefront", now=now).waits_until \
        is None
    _fail(uow, 1, station="storefront", now=now)
    state = backoff(uow=uow, user_id=clerk.user_id, station="storefront", now=now)
    assert state.failures == FREE_FAILURES and state.waits_until == now + FIRST_WAIT
    # The right password at the waiting station: refused, the same answer.
    assert _refused(uow, "clerk1", TEST_PASSWORD, station="storefront", now=now) == \
        str(refused())
    # The same person at another station is not held back at all.
    assert login(uow=uow, username="clerk1", password=TEST_PASSWORD, station="repair",
                 now=now).user_id == clerk.user_id
    # The refusal with the right password did not count as a failure.
    assert backoff(uow=uow, user_id=clerk.user_id, station="storefront",
                   now=now).failures == FREE_FAILURES
    assert "refused with the right password" in _summaries(uow)[-2][1]


def test_the_wait_doubles_with_each_failure_and_never_exceeds_fifteen_minutes(uow, clerk):
    assert [wait_after(n) for n in range(1, FREE_FAILURES)] == [dt.timedelta(0)] * 4
    waits = [wait_after(n) for n in range(FREE_FAILURES, FREE_FAILURES + 8)]
    assert waits[:4] == [FIRST_WAIT, 2 * FIRST_WAIT, 4 * FIRST_WAIT, 8 * FIRST_WAIT]
    assert max(waits) == MAX_WAIT == dt.timedelta(minutes=15)
    assert wait_after(10_000) == MAX_WAIT
    now = utcnow()
    _fail(uow, FREE_FAILURES + 20, station="storefront", now=now)  # hammering while waiting
    state = backoff(uow=uow, user_id=clerk.user_id, station="storefront", now=now)
    assert state.waits_until == now + MAX_WAIT


def test_the_wait_ends_on_its_own(uow, clerk):
    now = utcnow()
    _fail(uow, FREE_FAILURES + 3, station="storefront", now=now)
    later = now + MAX_WAIT + dt.timedelta(seconds=1)
    assert login(uow=uow, username="clerk1", password=TEST_PASSWORD, station="storefront",
                 now=later).user_id == clerk.user_id
    # A success clears the station's count: the next mistake starts from one again.
    _fail(uow, 1, station="storefront", now=later)
    assert backoff(uow=uow, user_id=clerk.user_id, station="storefront",
                   now=later).failures == 1


def test_after_the_wait_one_more_failure_waits_twice_as_long(uow, clerk):
    now = utcnow()
    _fail(uow, FREE_FAILURES, station="storefront", now=now)
    after = now + FIRST_WAIT + dt.timedelta(seconds=1)
    _fail(uow, 1, station="storefront", now=after)
    state = backoff(uow=uow, user_id=clerk.user_id, station="storefront", now=after)
    assert state.waits_until == after + 2 * FIRST_WAIT


def test_failures_from_many_stations_hold_back_only_those_stations(uow, admin):
    now = utcnow()
    stations = [f"desk{i}" for i in range(USER_WIDE_FAILURES // (FREE_FAILURES - 1) + 1)]
    for station in stations:  # below each station's own limit
        _fail(uow, FREE_FAILURES - 1, station=station, now=now, username="admin")
    for station in stations:
        state = backoff(uow=uow, user_id=admin.user_id, station=station, now=now)
        assert state.waits_until == now + MAX_WAIT  # never longer than the cap
    # The administrator's own desk, where nothing failed, is not held back.
    assert login(uow=uow, username="admin", password=TEST_PASSWORD, station="management",
                 now=now).user_id == admin.user_id
    # And the user-wide net lets go on its own.
    later = now + MAX_WAIT + dt.timedelta(seconds=1)
    assert login(uow=uow, username="admin", password=TEST_PASSWORD, station=stations[0],
                 now=later).user_id == admin.user_id


def test_the_users_row_shows_the_wait_for_the_administration_list(uow, admin, clerk):
    now = utcnow()
    _fail(uow, FREE_FAILURES, station="storefront", now=now)
    row = adm.get_user(uow=uow, actor=admin, user_id=clerk.user_id)
    assert row.locked_until == now + FIRST_WAIT


# --- the administrator's way back ---------------------------------------------------------------


def test_an_administrator_unlocks_every_station_at_once(uow, admin, clerk):
    now = utcnow()
    _fail(uow, FREE_FAILURES + 4, station="storefront", now=now)
    _fail(uow, FREE_FAILURES, station="repair", now=now)
    row = adm.unlock_user(uow=uow, actor=admin, user_id=clerk.user_id)
    assert row.locked_until is None
    for station in ("storefront", "repair"):
        assert login(uow=uow, username="clerk1", password=TEST_PASSWORD, station=station,
                     now=now).user_id == clerk.user_id
    action, summary = next((a, s) for a, s in _summaries(uow) if "unlocked" in s)
    assert action == "update" and summary == "clerk1: login unlocked"


def test_only_administration_may_unlock(uow, clerk, clerk2):
    with pytest.raises(PermissionDenied):
        adm.unlock_user(uow=uow, actor=clerk2, user_id=clerk.user_id)


def test_a_password_reset_also_ends_the_waits(uow, admin, clerk):
    now = utcnow()
    _fail(uow, FREE_FAILURES, station="storefront", now=now)
    adm.reset_password(uow=uow, actor=admin, user_id=clerk.user_id,
                       new_password="brand-new-pass")
    assert login(uow=uow, username="clerk1", password="brand-new-pass", station="storefront",
                 now=now).user_id == clerk.user_id


def test_the_command_line_unlocks_as_the_database_owner(uow, db_url, clerk, capsys):
    now = utcnow()
    _fail(uow, FREE_FAILURES, station="storefront", now=now)
    assert cli.main(["user", "unlock", "clerk1", "--db", db_url]) == 0
    assert "clerk1: login unlocked" in capsys.readouterr().out
    assert login(uow=uow, username="clerk1", password=TEST_PASSWORD, station="storefront",
                 now=now).user_id == clerk.user_id
    assert cli.main(["user", "unlock", "nobody", "--db", db_url]) == 2
    assert "No user named nobody" in capsys.readouterr().err


def test_the_command_line_unlocks_as_an_administrator(
        uow, db_url, admin, clerk, monkeypatch, capsys):
    now = utcnow()
    _fail(uow, FREE_FAILURES, station="storefront", now=now)
    monkeypatch.setattr(sys, "stdin", io.StringIO(TEST_PASSWORD + "\n"))
    assert cli.main(["user", "unlock", "clerk1", "--as", "admin", "--password-stdin",
                     "--db", db_url]) == 0
    with uow:
        who = uow.session.execute(select(AuditEntry.user_id).where(
            AuditEntry.summary == "clerk1: login unlocked")).scalar_one()
    assert who == admin.user_id
    monkeypatch.setattr(sys, "stdin", io.StringIO(TEST_PASSWORD + "\n"))
    assert cli.main(["user", "unlock", "admin", "--as", "clerk1", "--password-stdin",
                     "--db", db_url]) == 2


# --- the password policy ----------------------------------------------------------------------


def test_a_good_password_passes():
    for good in ("long-enough-1", "Pa55-w0rd!Zebra", "门店收银2024冬", demo.DEMO_PASSWORD):
        assert password_problem(good) is None, good


@pytest.mark.parametrize(("password", "words"), [
    ("", "at least 8"),
    ("short1", "at least 8"),
    ("11111111", "repeated"),
    ("aaaaaaaaaaaa", "repeated"),
    ("12121212", "repeated"),
    ("abcabcabc", "repeated"),
    ("12345678", "consecutive"),
    ("87654321", "consecutive"),
    ("7890123456", "consecutive"),
    ("abcdefgh", "consecutive"),
    ("123456789", "consecutive"),
    ("woaini1314", "most common"),
    ("qwertyuiop", "most common"),
    ("PassWord123", "most common"),
    ("5201314520", "most common"),
    ("1qaz2wsx", "most common"),
])
def test_each_bad_kind_is_refused(password, words):
    with pytest.raises(ValidationError) as caught:
        check_password(password)
    assert words in caught.value.errors["password"]


def test_the_user_name_is_not_a_password():
    assert "user name" in (password_problem("Clerk1-Desk", username="clerk1-desk") or "")


def test_policy_messages_are_in_chinese_too():
    i18n.set_language("zh")
    try:
        assert password_problem("11111111") == "不能是同一个字符或一小段字符的重复，例如 11111111"
        assert password_problem("woaini1314") == "是最常见的密码之一，请换一个不易被猜到的密码"
        assert password_problem("12345678") == "不能是连续的数字或字母，例如 12345678"
        assert password_problem("short") == "至少 8 个字符"
    finally:
        i18n.set_language("en")


def test_the_shipped_list_is_modest_and_has_the_chinese_favourites():
    words = common_passwords()
    assert 300 <= len(words) <= 2000
    assert {"woaini1314", "123456789", "qwertyuiop", "5201314", "password"} <= words
    assert demo.DEMO_PASSWORD not in words


def test_every_path_that_sets_a_password_applies_the_policy(uow, admin, clerk, db_url,
                                                            monkeypatch, capsys):
    from tests.services.test_administration import _role_id

    with pytest.raises(ValidationError) as caught:
        adm.create_user(uow=uow, actor=admin, username="clerk7", display_name="小七",
                        role_id=_role_id(uow, "counter_clerk"), password="11111111")
    assert set(caught.value.errors) == {"password"}
    with pytest.raises(ValidationError):
        adm.create_user(uow=uow, actor=admin, username="storeclerk7", display_name="小七",
                        role_id=_role_id(uow, "counter_clerk"), password="StoreClerk7")
    with pytest.raises(ValidationError):
        adm.reset_password(uow=uow, actor=admin, user_id=clerk.user_id,
                           new_password="woaini1314")
    with pytest.raises(ValidationError):
        add_user(uow=uow, actor=admin, username="sales7", password="12345678",
                 role_code="sales")
    with pytest.raises(ValidationError):
        auth.hash_password("qwertyuiop")
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{TEST_PASSWORD}\n123456789\n"))
    assert cli.main(["user", "add", "clerk8", "--role", "counter_clerk", "--as", "admin",
                     "--password-stdin", "--db", db_url]) == 2
    assert "password" in capsys.readouterr().err
    # Nothing was made, and the old password still works.
    with uow:
        names = set(uow.session.execute(select(User.username)).scalars())
    assert names == {"admin", "clerk1"}
    assert login(uow=uow, username="clerk1", password=TEST_PASSWORD).user_id == clerk.user_id


def test_the_demo_password_meets_the_policy():
    check_password(demo.DEMO_PASSWORD)
    for _, username, password, *_ in demo.DEMO_USERS:
        check_password(password, username=username)


# --- the write lock ---------------------------------------------------------------------------


@pytest.fixture
def second_connection(db_url: str) -> Iterator[Callable[[], None]]:
    """Another station's short write, failing fast if a lock is held."""
    other = make_engine(db_url)
    if other.dialect.name == "sqlite":
        # After the program's own connect hook: wait 0.2 s for the write lock, not 10 s.
        @event.listens_for(other, "connect")
        def _impatient(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA busy_timeout=200")

    def write() -> None:
        with other.connect() as conn:
            if other.dialect.name == "postgresql":
                conn.exec_driver_sql("SET lock_timeout = '200ms'")
            conn.execute(text("UPDATE users SET phone = '010-1' WHERE username = 'clerk1'"))
            conn.commit()

    yield write
    other.dispose()


@pytest.mark.parametrize("password", [TEST_PASSWORD, WRONG])
def test_the_hash_check_does_not_hold_the_write_lock(
        uow, clerk, monkeypatch, second_connection, password):
    """While argon2 runs (slowed down here), another connection can write at once."""
    real = auth.verify_password
    wrote: list[float] = []

    def slow_verify(password_hash: str, given: str) -> bool:
        time.sleep(0.3)
        started = time.perf_counter()
        second_connection()  # raises "database is locked" / lock timeout if a lock is held
        wrote.append(time.perf_counter() - started)
        return real(password_hash, given)

    monkeypatch.setattr(auth, "verify_password", slow_verify)
    if password == TEST_PASSWORD:
        login(uow=uow, username="clerk1", password=password, station="storefront")
    else:
        _refused(uow, "clerk1", password, station="storefront")
    assert len(wrote) == 1 and wrote[0] < 0.2
    with uow:
        assert uow.session.get(User, clerk.user_id).phone == "010-1"

"""Logging in against a server that really checks passwords (scram-sha-256, auth_delay).

Needs ``STATIONCRM_TEST_SCRAM_URL``: the superuser URL of a PostgreSQL cluster with
password authentication, which ``.ci/scram-cluster`` starts (CI runs it).
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from app import cli
from app.connect import open_as
from app.models import Role
from app.services import administration
from app.services.errors import AuthenticationFailed
from tests.secured_server import secured_station

pytestmark = pytest.mark.pg_only

PASSWORDS = {"clerk1": "clerk-pass-1", "sales1": "sales-pass-1", "admin": "admin-pass-1"}
AUTH_DELAY_SECONDS = 0.5  # .ci/scram-cluster sets auth_delay.milliseconds = 500


@pytest.fixture(scope="module")
def station_url() -> Iterator[str]:
    """A secured database on the password-checking cluster; the station's address for it."""
    with secured_station(PASSWORDS) as url:
        yield url


def _current_user(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT current_user")).scalar_one())


def test_the_server_checks_the_password_and_the_session_is_the_persons(
        station_url: str) -> None:
    engine, _, actor = open_as(station_url, "clerk1", PASSWORDS["clerk1"], "storefront")
    try:
        assert (actor.username, actor.role_code, actor.station) == (
            "clerk1", "counter_clerk", "storefront")
        assert _current_user(engine).endswith("_clerk1")
    finally:
        engine.dispose()


def test_a_wrong_password_is_refused_by_the_server_slowly(station_url: str) -> None:
    started = time.monotonic()
    with pytest.raises(AuthenticationFailed, match="Wrong user name or password"):
        open_as(station_url, "clerk1", "not-the-password")
    # auth_delay: each failed attempt costs the guesser half a second.
    assert time.monotonic() - started >= AUTH_DELAY_SECONDS
    with pytest.raises(AuthenticationFailed):
        open_as(station_url, "nobody", "whatever-1")


def test_administration_resets_a_password_and_deactivates_a_login(station_url: str) -> None:
    engine, uow, admin = open_as(station_url, "admin", PASSWORDS["admin"])
    try:
        with uow:
            sales = next(u for u in administration.list_users(uow=uow, actor=admin)
                         if u.username == "sales1")
        administration.reset_password(uow=uow, actor=admin, user_id=sales.id,
                                      new_password="renewed-pass-2")
        with pytest.raises(AuthenticationFailed):
            open_as(station_url, "sales1", PASSWORDS["sales1"])
        fresh, _, person = open_as(station_url, "sales1", "renewed-pass-2")
        fresh.dispose()
        assert person.role_code == "sales"
        with uow:
            sales = next(u for u in administration.list_users(uow=uow, actor=admin)
                         if u.username == "sales1")
            clerk_role = uow.session.execute(
                select(Role.id).where(Role.code == "counter_clerk")).scalar_one()
        administration.update_user(
            uow=uow, actor=admin, user_id=sales.id, expected_version=sales.version,
            display_name=sales.display_name, role_id=clerk_role,
            department_id=sales.department_id, station=None, phone=None)
        moved, _, person = open_as(station_url, "sales1", "renewed-pass-2")
        moved.dispose()
        assert person.role_code == "counter_clerk"
    finally:
        engine.dispose()


def test_commands_acting_for_a_person_log_in_as_that_person(
        station_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "customers.csv"
    monkeypatch.setattr(sys, "stdin", io.StringIO("wrong-password\n"))
    assert cli.main(["export", "customers", "--user", "admin", "--password-stdin",
                     "--out", str(out), "--db", station_url]) == 2
    assert "Wrong user name or password" in capsys.readouterr().err
    assert not out.exists()
    # user add: the administrator's password first, then the new person's.
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{PASSWORDS['admin']}\nnew-clerk-pass\n"))
    assert cli.main(["user", "add", "clerk5", "--role", "counter_clerk", "--department",
                     "storefront", "--as", "admin", "--password-stdin",
                     "--db", station_url]) == 0
    engine, _, clerk5 = open_as(station_url, "clerk5", "new-clerk-pass")
    engine.dispose()
    assert clerk5.role_code == "counter_clerk"
    # Without an administrator's login nobody is added once an administrator exists.
    monkeypatch.setattr(sys, "stdin", io.StringIO("another-pass-1\n"))
    capsys.readouterr()
    assert cli.main(["user", "add", "boss", "--role", "administrator", "--password-stdin",
                     "--db", station_url]) == 2
    assert "--as" in capsys.readouterr().err

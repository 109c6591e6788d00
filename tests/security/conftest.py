"""A secured PostgreSQL database of its own, with demo data, and connections as people.

These tests need a PostgreSQL server (``STATIONCRM_TEST_DB_URL``, as in CI). They build a
separate database next to the suite's, so emptying the shared one between tests never
meets the append-only audit log, and drop it (and its cluster-wide roles) at the end.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import URL, Engine, make_url, text

from app import schema
from app.db import make_engine
from app.demo import DEMO_PASSWORD, DEMO_USERS, generate_demo_data
from app.security.principals import secure_database
from app.services import read_trail

# A fixed day: the demo history and the tests agree whenever the suite runs.
DEMO_TODAY = dt.date(2026, 11, 30)


def _server_url() -> URL:
    raw = os.environ.get("STATIONCRM_TEST_DB_URL", "")
    if not raw or make_url(raw).get_backend_name() != "postgresql":
        pytest.skip("needs a PostgreSQL server: set STATIONCRM_TEST_DB_URL (CI does)")
    return make_url(raw).set(drivername="postgresql+psycopg")


def _drop(admin: Engine, database: str, prefix: str) -> None:
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        roles = conn.execute(text("SELECT rolname FROM pg_roles WHERE starts_with(rolname, :p)"),
                             {"p": prefix}).scalars().all()
        for role in roles:
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))


@pytest.fixture(scope="session")
def secured_url() -> Iterator[URL]:
    """A migrated database with 120 demo customers, secured; logins prefixed by its name."""
    base = _server_url()
    database = f"{base.database}_sec"
    prefix = f"{database}_"  # groups are "<database>_<role>", logins "<database>_<user>"
    admin = make_engine(base)
    _drop(admin, database, prefix)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    url = base.set(database=database)
    engine = make_engine(url)
    schema.upgrade(engine)
    generate_demo_data(engine, customers=120, seed=7, today=DEMO_TODAY)
    secure_database(engine, principal_prefix=f"{prefix}u_",
                    passwords={user[1]: user[2] for user in DEMO_USERS})
    engine.dispose()
    yield url
    _drop(admin, database, prefix)
    admin.dispose()


@pytest.fixture(scope="session")
def owner_engine(secured_url: URL) -> Iterator[Engine]:
    """The schema owner's engine (the suite's superuser): sees and may do everything."""
    engine = make_engine(secured_url)
    yield engine
    read_trail.trail_for(engine).discard()  # as the people's engines' below
    engine.dispose()


@pytest.fixture(scope="session")
def login_of(secured_url: URL) -> Callable[[str], str]:
    def login(username: str) -> str:
        return f"{secured_url.database}_u_{username}"

    return login


@pytest.fixture
def psql(secured_url: URL, login_of: Callable[[str], str]
         ) -> Iterator[Callable[[str], psycopg.Connection[Any]]]:
    """``psql("clerk1")``: a plain connection as that person's database login — what a
    curious user gets from any SQL tool with the station's address and their login.
    (The suite's server trusts local connections; the password check has its own test.)
    Closed after the test: the server's connection slots are shared by the suites CI
    runs side by side."""
    opened: list[psycopg.Connection[Any]] = []

    def connect(username: str) -> psycopg.Connection[Any]:
        connection = psycopg.connect(
            host=secured_url.host or "127.0.0.1", port=secured_url.port or 5432,
            dbname=secured_url.database, user=login_of(username),
            password=DEMO_PASSWORD, autocommit=True)
        opened.append(connection)
        return connection

    yield connect
    for connection in opened:
        connection.close()


_PERSON_ENGINES: list[dict[str, Engine]] = []


@pytest.fixture(scope="session")
def person_engine(secured_url: URL, login_of: Callable[[str], str]
                  ) -> Iterator[Callable[[str], Engine]]:
    """An engine connecting as the person, as the station makes after login."""
    engines: dict[str, Engine] = {}

    def engine_for(username: str) -> Engine:
        if username not in engines:
            engines[username] = make_engine(
                secured_url.set(username=login_of(username), password=DEMO_PASSWORD))
        return engines[username]

    _PERSON_ENGINES.append(engines)
    yield engine_for
    _PERSON_ENGINES.remove(engines)
    for engine in engines.values():
        # The reads the services noted on it would be written as the run exits, after the
        # database and its logins are gone: they are not what these tests look at.
        read_trail.trail_for(engine).discard()
        engine.dispose()


@pytest.fixture(autouse=True)
def _release_person_connections() -> Iterator[None]:
    """After each test, the people's engines close their idle pooled connections (the
    engines stay usable): a dozen logins' pools held all suite long would take the slots
    the other suites running side by side need."""
    yield
    for engines in _PERSON_ENGINES:
        for engine in engines.values():
            engine.dispose()

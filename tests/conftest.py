"""Shared fixtures: one migrated test database per run, emptied after each test.

The suite runs on a SQLite file by default and unchanged against a server when
``STATIONCRM_TEST_DB_URL`` names one (PostgreSQL in CI, SQL Server where one exists).
Every statement is also compiled for SQL Server (tests/mssql_guard.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("STATIONCRM_LANG", "en")

import pytest
from sqlalchemy import Engine, delete, make_url, select, text

from app import i18n
from app.db import make_engine
from app.models import Base, Department, Role, User
from app.security import principals
from app.services import auth, read_trail
from app.services.auth import actor_for
from app.services.permissions import Actor
from app.services.reference import ensure_reference_data
from app.services.uow import UnitOfWork
from tests import mssql_guard, people, run_day

# Before any test module takes TODAY: the day the run began stays today (tests/run_day.py).
run_day.install()

TEST_PASSWORD = "test-pass-123"


def pytest_configure(config: pytest.Config) -> None:
    # Real argon2, cheap parameters: the suite logs in many times.
    auth.set_hash_cost(time_cost=1, memory_cost=1024)


def pytest_unconfigure(config: pytest.Config) -> None:
    # Reads noted by the last tests would be written as the run exits, into databases
    # that are gone by then (app.services.read_trail writes what is held at exit).
    read_trail.discard_all()


@pytest.fixture(autouse=True)
def log_folder(tmp_path_factory: pytest.TempPathFactory,
               monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A test that starts the windowed program logs into a folder of its own, never into
    the machine's per-user log folder, and the log file is let go after it."""
    from app import logs

    monkeypatch.setenv(logs.ENV_LOG_DIR, str(tmp_path_factory.mktemp("logs")))
    yield
    logs.stop_logging()


def _test_url(tmp_root: str) -> str:
    return os.environ.get("STATIONCRM_TEST_DB_URL") or f"sqlite:///{tmp_root}/test.sqlite3"


@pytest.fixture(scope="session")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _test_url(str(tmp_path_factory.mktemp("db")))


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    """The migrated test database (Alembic head), shared by the whole run."""
    from app import schema

    eng = make_engine(db_url)
    if os.environ.get("STATIONCRM_TEST_DB_URL"):
        # A server database may hold a previous run's tables: start from nothing.
        with eng.begin() as conn:
            # Views and a previous run's security set-up hang on the tables.
            if eng.dialect.name == "postgresql":
                conn.execute(text("DROP SCHEMA IF EXISTS crmsec CASCADE"))
            for view in ("own_customer_phones", "customer_phones", "contact_phones"):
                conn.execute(text(f"DROP VIEW IF EXISTS {view}"))
            conn.execute(text("DROP VIEW IF EXISTS customer_directory"))
            Base.metadata.drop_all(conn)
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    schema.upgrade(eng)
    mssql_guard.install(eng)
    if not people.enabled():
        yield eng
        eng.dispose()
        return
    # Every use case of the suite on the acting person's own database login.
    from app.security.principals import secure_database

    database = make_url(db_url).database
    prefix = f"{database}_p_"
    secure_database(eng, principal_prefix=prefix)
    people.reset_roles_on_checkin(eng)

    def login_of(username: str) -> str:
        return f"{prefix}{username}"

    plain_for_engine = UnitOfWork.for_engine.__func__  # type: ignore[attr-defined]

    def for_engine(cls: type[UnitOfWork], engine: Engine) -> UnitOfWork:
        if engine is eng:
            return people.PersonUnitOfWork(engine, login_of)
        return plain_for_engine(cls, engine)  # type: ignore[no-any-return]

    UnitOfWork.for_engine = classmethod(for_engine)  # type: ignore[method-assign,assignment]
    try:
        yield eng
    finally:
        UnitOfWork.for_engine = classmethod(plain_for_engine)  # type: ignore[method-assign]
        _drop_logins(eng, f"{database}_", but=f"{database}_sec_")
        eng.dispose()


def _drop_logins(engine: Engine, prefix: str, *, but: str) -> None:
    """Group roles and logins live in the cluster, not the database: remove this run's
    (not those of tests/security, whose own database keeps its own)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        roles = conn.execute(text(
            "SELECT rolname FROM pg_roles WHERE starts_with(rolname, :p)"
            " AND NOT starts_with(rolname, :but)"), {"p": prefix, "but": but}).scalars().all()
        for role in roles:
            conn.execute(text(f'DROP OWNED BY "{role}"'))
        for role in roles:
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))


def _empty_all_tables(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))


@pytest.fixture
def uow(engine: Engine) -> Iterator[UnitOfWork]:
    """A unit of work on a database holding only the reference data (departments, roles)."""
    i18n.set_language("en")
    # Reads noted by an earlier test name its people, whom the next test does not have.
    read_trail.trail_for(engine).discard()
    _empty_all_tables(engine)
    unit = UnitOfWork.for_engine(engine)
    ensure_reference_data(unit)
    if people.enabled():
        _regrant_roles(engine)
    yield unit
    if people.enabled():
        _note_role_changes(engine)
    read_trail.trail_for(engine).discard()
    _empty_all_tables(engine)


_ROLES_CHANGED = {"yes": True}


def _note_role_changes(engine: Engine) -> None:
    with engine.connect() as conn:
        if conn.execute(text("SELECT 1 FROM audit_log WHERE entity = 'role'")).first():
            _ROLES_CHANGED["yes"] = True


def _regrant_roles(engine: Engine) -> None:
    """A test that edited a role's matrix changed its grants: the next test starts clean."""
    if not _ROLES_CHANGED["yes"]:
        return
    with engine.begin() as conn:
        for (role_id,) in conn.execute(select(Role.id)):
            conn.execute(text("SELECT crmsec.apply_role(:id)"), {"id": role_id})
    _ROLES_CHANGED["yes"] = False


@pytest.fixture
def make_user(uow: UnitOfWork) -> Callable[..., Actor]:
    """Create a user with a role and department; returns the Actor as after login."""
    cached_hash = auth.hash_password(TEST_PASSWORD)

    def make(username: str, role_code: str, department_code: str | None = None,
             *, display_name: str | None = None, station: str | None = None) -> Actor:
        with uow:
            role_id = uow.session.execute(select(Role.id).where(Role.code == role_code)
                                          ).scalar_one()
            dep_id = None
            if department_code:
                dep_id = uow.session.execute(
                    select(Department.id).where(Department.code == department_code)
                ).scalar_one()
            user = User(username=username, display_name=display_name or username,
                        password_hash=cached_hash, role_id=role_id, department_id=dep_id)
            uow.session.add(user)
            uow.flush()
            # On a secured server: the person's database login, in its role's group.
            principals.on_user_saved(uow.session, username)
            uow.commit()
            return actor_for(user, role_code, station)

    return make


@pytest.fixture
def clerk(make_user: Callable[..., Actor]) -> Actor:
    return make_user("clerk1", "counter_clerk", "storefront", display_name="门市小王")


@pytest.fixture
def clerk2(make_user: Callable[..., Actor]) -> Actor:
    return make_user("clerk2", "counter_clerk", "storefront", display_name="门市小李")


@pytest.fixture
def sales_user(make_user: Callable[..., Actor]) -> Actor:
    return make_user("sales1", "sales", "key_accounts", display_name="张伟")


@pytest.fixture
def other_sales_user(make_user: Callable[..., Actor]) -> Actor:
    return make_user("sales2", "sales", "key_accounts", display_name="李娜")


@pytest.fixture
def technician(make_user: Callable[..., Actor]) -> Actor:
    return make_user("tech1", "technician", "repair", display_name="王强")


@pytest.fixture
def manager(make_user: Callable[..., Actor]) -> Actor:
    return make_user("gm", "general_manager", "manager_office", display_name="总经理")


@pytest.fixture
def admin(make_user: Callable[..., Actor]) -> Actor:
    return make_user("admin", "administrator", "management", display_name="管理员")

"""Connection failures become DatabaseUnavailable with the right reason and a clear message.

Server tests use real drivers: psycopg against closed ports and the local PostgreSQL, and
pyodbc with FreeTDS (Debian packages tdsodbc + unixodbc) against closed or silent ports.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import URL, Engine, event, make_url, text
from sqlalchemy import exc as sa_exc

from app.db import (
    DEFAULT_MSSQL_DRIVER,
    DatabaseUnavailable,
    check_connection,
    describe_connection_error,
    make_engine,
    normalize_url,
    redact_url,
)

PASSWORD = "Pa55-w0rd!Zebra"
# The suite's server database when it is PostgreSQL (see conftest), else the local server.
_SUITE_URL = os.environ.get("STATIONCRM_TEST_DB_URL", "")
PG_TEST_URL = (
    _SUITE_URL
    if _SUITE_URL.startswith(("postgresql", "postgres:"))
    else "postgresql://postgres@127.0.0.1:5432/postgres"
)
FREETDS_GLOBS = (
    "/usr/lib/x86_64-linux-gnu/odbc/libtdsodbc.so",
    "/usr/lib/*/odbc/libtdsodbc.so",
    "/usr/lib64/libtdsodbc.so*",
    "/usr/local/lib/libtdsodbc.so",
    "/opt/homebrew/lib/libtdsodbc.so",
)


def free_port() -> int:
    """A local TCP port nobody listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def server_url(drivername: str, port: int, database: str = "crm", **query: str) -> str:
    url = URL.create(
        drivername,
        username="sa" if drivername.startswith("mssql") else "postgres",
        password=PASSWORD,
        host="127.0.0.1",
        port=port,
        database=database,
        query=query,
    )
    return url.render_as_string(hide_password=False)


def unavailable(url: str) -> DatabaseUnavailable:
    """Connect to url and return the DatabaseUnavailable that must come out."""
    with pytest.raises(DatabaseUnavailable) as caught:
        check_connection(make_engine(url))
    return caught.value


def assert_no_password(error: DatabaseUnavailable) -> None:
    for shown in (error.message, error.message_zh, str(error), error.detail, error.server):
        assert PASSWORD not in shown
        assert "Pa55" not in shown


@pytest.fixture(scope="module")
def freetds_driver() -> str:
    """The FreeTDS ODBC driver: its library path, or the name it is registered under."""
    pyodbc = pytest.importorskip("pyodbc", reason="pyodbc is not installed")
    for pattern in FREETDS_GLOBS:
        found = sorted(glob.glob(pattern))
        if found:
            return found[0]
    if "FreeTDS" in pyodbc.drivers():
        return "FreeTDS"
    if shutil.which("odbcinst"):
        listed = subprocess.run(
            ["odbcinst", "-q", "-d"], capture_output=True, text=True, check=False
        ).stdout
        if "[FreeTDS]" in listed:
            return "FreeTDS"
    pytest.skip("FreeTDS ODBC driver not found (Debian: apt-get install tdsodbc unixodbc)")


@pytest.fixture(scope="module")
def pg_server() -> URL:
    """The local PostgreSQL server; tests needing it skip when it is not running."""
    pytest.importorskip("psycopg", reason="psycopg is not installed")
    url = make_url(PG_TEST_URL)
    try:
        check_connection(make_engine(url))
    except DatabaseUnavailable as error:
        pytest.skip(f"PostgreSQL test server not available: {error.message}")
    return url


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts TCP connections and then never says a word (a hung server)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held: list[socket.socket] = []

    def accept_forever() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            held.append(connection)

    threading.Thread(target=accept_forever, daemon=True).start()
    yield listener.getsockname()[1]
    listener.close()
    for connection in held:
        connection.close()


# --------------------------------------------------------------------------- PostgreSQL


def test_psycopg_closed_port_is_unreachable() -> None:
    port = free_port()

    error = unavailable(server_url("postgresql", port))

    assert error.reason == "unreachable"
    assert error.server == f"127.0.0.1:{port}"
    assert error.message == (
        f"Cannot reach the database server 127.0.0.1:{port}. Check that the server is on, "
        "that the address is right, and that the firewall lets this PC in."
    )
    assert error.message_zh == (
        f"无法连接数据库服务器 127.0.0.1:{port}。"
        "请检查服务器是否已开机、地址是否正确、防火墙是否允许本机访问。"
    )
    assert "Connection refused" in error.detail
    assert_no_password(error)


@pytest.mark.pg_only
def test_psycopg_missing_database(pg_server: URL) -> None:
    url = pg_server.set(database="stationcrm_no_such_db", password=PASSWORD)

    error = unavailable(url.render_as_string(hide_password=False))

    assert error.reason == "database_missing"
    assert error.database == "stationcrm_no_such_db"
    assert 'no database "stationcrm_no_such_db"' in error.message
    assert f"{pg_server.host}:{pg_server.port or 5432}" in error.message
    assert "“stationcrm_no_such_db”" in error.message_zh
    assert_no_password(error)


@pytest.mark.pg_only
def test_psycopg_unknown_role_is_login_refused(pg_server: URL) -> None:
    url = pg_server.set(username="stationcrm_no_such_role", password=PASSWORD)

    error = unavailable(url.render_as_string(hide_password=False))

    assert error.reason == "login_refused"
    assert 'refused the login for user "stationcrm_no_such_role"' in error.message
    assert "Check the user name and password" in error.message
    assert_no_password(error)


def test_psycopg_unknown_host_is_unreachable() -> None:
    error = unavailable(f"postgresql://postgres:{PASSWORD}@stationcrm-no-such-host.invalid/crm")

    assert error.reason == "unreachable"
    assert "stationcrm-no-such-host.invalid:5432" in error.message
    assert_no_password(error)


@pytest.mark.slow
def test_psycopg_silent_server_times_out_in_seconds(silent_server: int) -> None:
    started = time.monotonic()

    error = unavailable(server_url("postgresql", silent_server))

    assert error.reason == "unreachable"
    assert f"127.0.0.1:{silent_server}" in error.message
    assert time.monotonic() - started < 15


# --------------------------------------------------------------------------- SQL Server


def test_freetds_closed_port_is_unreachable(freetds_driver: str) -> None:
    port = free_port()
    started = time.monotonic()

    error = unavailable(
        server_url("mssql+pyodbc", port, driver=freetds_driver, TDS_Version="7.4")
    )

    assert time.monotonic() - started < 30
    assert error.reason == "unreachable"
    assert error.server == f"127.0.0.1:{port}"
    assert error.message.startswith(f"Cannot reach the database server 127.0.0.1:{port}.")
    assert "FreeTDS" in error.detail
    assert_no_password(error)


def test_freetds_dials_the_port_from_the_url(freetds_driver: str) -> None:
    # A listener that hangs up at once: proves "Server=host,port" reaches FreeTDS intact.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    first_bytes: list[bytes] = []

    def answer_once() -> None:
        connection, _ = listener.accept()
        with connection:
            first_bytes.append(connection.recv(64))

    waiter = threading.Thread(target=answer_once, daemon=True)
    waiter.start()
    try:
        error = unavailable(
            server_url("mssql+pyodbc", port, driver=freetds_driver, TDS_Version="7.4")
        )
    finally:
        waiter.join(timeout=10)
        listener.close()

    assert first_bytes and first_bytes[0][:1] == b"\x12"  # TDS PRELOGIN packet
    assert error.reason == "unreachable"
    assert f"127.0.0.1:{port}" in error.message


@pytest.mark.slow
def test_freetds_silent_server_times_out_in_seconds(
    freetds_driver: str, silent_server: int
) -> None:
    started = time.monotonic()

    error = unavailable(
        server_url("mssql+pyodbc", silent_server, driver=freetds_driver, TDS_Version="7.4")
    )

    assert error.reason == "unreachable"
    assert time.monotonic() - started < 15


def test_default_odbc_driver_missing_says_install_it() -> None:
    pyodbc = pytest.importorskip("pyodbc", reason="pyodbc is not installed")
    if DEFAULT_MSSQL_DRIVER in pyodbc.drivers():
        pytest.skip(f"{DEFAULT_MSSQL_DRIVER} is installed here, so it cannot be missing")
    port = free_port()

    error = unavailable(server_url("mssql+pyodbc", port))  # no driver=: the default is used

    assert error.reason == "driver_missing"
    assert error.driver == DEFAULT_MSSQL_DRIVER
    assert f'The ODBC driver "{DEFAULT_MSSQL_DRIVER}" is not installed on this PC' in (
        error.message
    )
    assert "Install the ODBC driver" in error.message
    assert f"127.0.0.1:{port}" in error.message
    assert "请安装 ODBC 驱动程序" in error.message_zh
    assert_no_password(error)


def test_named_odbc_driver_missing() -> None:
    pytest.importorskip("pyodbc", reason="pyodbc is not installed")

    error = unavailable(server_url("mssql+pyodbc", free_port(), driver="StationCRM No Such Driver"))

    assert error.reason == "driver_missing"
    assert 'The ODBC driver "StationCRM No Such Driver" is not installed' in error.message


def test_missing_odbc_data_source_is_driver_missing() -> None:
    pytest.importorskip("pyodbc", reason="pyodbc is not installed")

    error = unavailable(f"mssql+pyodbc://sa:{PASSWORD}@stationcrm_no_such_dsn")

    assert error.reason == "driver_missing"
    assert error.server == "stationcrm_no_such_dsn"
    assert "Install the ODBC driver" in error.message
    assert_no_password(error)


@pytest.mark.parametrize("module", ["pyodbc", "psycopg"])
def test_missing_python_driver_module(monkeypatch: pytest.MonkeyPatch, module: str) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` fail
    drivername = "mssql+pyodbc" if module == "pyodbc" else "postgresql"

    with pytest.raises(DatabaseUnavailable) as caught:
        make_engine(server_url(drivername, 1433))

    assert caught.value.reason == "driver_missing"
    assert caught.value.driver == module
    assert "Reinstall StationCRM" in caught.value.message
    assert_no_password(caught.value)


# Real SQL Server answers we cannot provoke without a SQL Server, as the drivers word them.
@pytest.mark.parametrize(
    ("sqlstate", "text", "reason"),
    [
        (
            "28000",
            "[28000] [Microsoft][ODBC Driver 18 for SQL Server][SQL Server]Login failed for "
            "user 'sa'. (18456) (SQLDriverConnect)",
            "login_refused",
        ),
        (
            "42000",
            '[42000] [Microsoft][ODBC Driver 18 for SQL Server][SQL Server]Cannot open database '
            '"crm" requested by the login. The login failed. (4060) (SQLDriverConnect); '
            "[28000] Login failed for user 'sa'. (18456)",
            "database_missing",
        ),
        (
            "HYT00",
            "[HYT00] [Microsoft][ODBC Driver 18 for SQL Server]Login timeout expired (0) "
            "(SQLDriverConnect)",
            "unreachable",
        ),
        (
            "08001",
            "[08001] [Microsoft][ODBC Driver 18 for SQL Server]TCP Provider: Error code 0x2749 "
            "(10057) (SQLDriverConnect)",
            "unreachable",
        ),
        (
            "IM002",
            "[IM002] [Microsoft][ODBC Driver Manager] Data source name not found and no "
            "default driver specified (0) (SQLDriverConnect)",
            "driver_missing",
        ),
        ("42S02", "[42S02] Invalid object name 'x'. (208)", "other"),
    ],
)
def test_sql_server_answers_are_classified(sqlstate: str, text: str, reason: str) -> None:
    pyodbc = pytest.importorskip("pyodbc", reason="pyodbc is not installed")
    wrapped = sa_exc.DBAPIError("connect", None, pyodbc.Error(sqlstate, text))

    error = describe_connection_error(
        wrapped, f"mssql+pyodbc://sa:{PASSWORD}@10.0.0.5/crm?driver=FreeTDS"
    )

    assert error.reason == reason
    assert error.server == "10.0.0.5:1433"
    assert error.detail == text
    assert_no_password(error)


def test_postgres_wrong_password_is_login_refused() -> None:
    psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed")
    orig = psycopg.OperationalError(
        'connection failed: connection to server at "10.0.0.5", port 5432 failed: FATAL:  '
        'password authentication failed for user "crm"'
    )

    error = describe_connection_error(
        sa_exc.OperationalError("connect", None, orig), f"postgresql://crm:{PASSWORD}@10.0.0.5/crm"
    )

    assert error.reason == "login_refused"
    assert error.message.startswith('The database server 10.0.0.5:5432 refused the login for user')
    assert "拒绝了用户“crm”的登录" in error.message_zh


def test_error_without_url_still_gets_a_reason() -> None:
    psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed")
    orig = psycopg.OperationalError("server closed the connection unexpectedly")

    error = describe_connection_error(sa_exc.OperationalError("COMMIT", None, orig), "")

    assert error.reason == "unreachable"
    assert error.message.startswith("Cannot reach the database server (address unknown).")
    assert error.message_zh.startswith("无法连接数据库服务器 （地址未知）。")


# --------------------------------------------------------------------------- SQLite


def test_sqlite_under_a_regular_file_cannot_be_opened(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("just a file", encoding="utf-8")
    path = blocker / "data" / "stationcrm.sqlite3"

    error = unavailable(f"sqlite:///{path.as_posix()}")

    assert error.reason == "unreachable"
    assert error.server == str(path)
    assert error.message == (
        f"Cannot open the database file {path}. Check that the folder exists, that this user "
        "account may write to it, and that the disk is not full."
    )
    assert f"无法打开数据库文件 {path}" in error.message_zh


def test_sqlite_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"this is a shopping list, not a database " * 100)

    error = unavailable(f"sqlite:///{path.as_posix()}")

    assert error.reason == "other"
    assert f"The file {path} is not a StationCRM database or is damaged" in error.message


def test_sqlite_engine_creates_its_folder_and_sets_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "new" / "nested" / "stationcrm.sqlite3"
    engine = make_engine(f"sqlite:///{path.as_posix()}")

    check_connection(engine)
    with engine.connect() as connection:
        pragmas = (
            connection.exec_driver_sql("PRAGMA foreign_keys").scalar(),
            connection.exec_driver_sql("PRAGMA journal_mode").scalar(),
            connection.exec_driver_sql("PRAGMA busy_timeout").scalar(),
        )

    assert path.is_file()
    assert pragmas == (1, "wal", 10000)
    assert engine.pool._pre_ping is False  # no server to lose


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{(tmp_path / 'tx.sqlite3').as_posix()}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        connection.exec_driver_sql(
            "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL "
            "REFERENCES parent(id))"
        )
    yield engine
    engine.dispose()


def count_parents(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM parent")).scalar_one())


def test_sqlite_rolled_back_savepoint_keeps_outer_work(sqlite_engine: Engine) -> None:
    with sqlite_engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO parent (id) VALUES (1)")
        nested = connection.begin_nested()
        connection.exec_driver_sql("INSERT INTO parent (id) VALUES (2)")
        nested.rollback()

    assert count_parents(sqlite_engine) == 1


def test_sqlite_outer_rollback_undoes_released_savepoint(sqlite_engine: Engine) -> None:
    # pysqlite's legacy mode runs a SAVEPOINT outside any transaction, so a released
    # savepoint would survive this rollback; the BEGIN hook is what makes it roll back.
    with sqlite_engine.connect() as connection:
        with connection.begin_nested():
            connection.exec_driver_sql("INSERT INTO parent (id) VALUES (1)")
        connection.rollback()

    assert count_parents(sqlite_engine) == 0


def test_sqlite_ddl_is_transactional(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as connection:
        connection.exec_driver_sql("CREATE TABLE scratch (id INTEGER)")
        connection.rollback()
        tables = connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        ).scalars().all()

    assert tables == ["child", "parent"]


def test_sqlite_enforces_foreign_keys(sqlite_engine: Engine) -> None:
    with pytest.raises(sa_exc.IntegrityError, match="FOREIGN KEY constraint failed"):
        with sqlite_engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO child (id, parent_id) VALUES (1, 99)")


def test_sqlite_autocommit_connection_gets_no_begin(sqlite_engine: Engine) -> None:
    statements: list[str] = []
    event.listen(
        sqlite_engine,
        "before_cursor_execute",
        lambda _conn, _cursor, statement, *_rest: statements.append(statement),
    )

    with sqlite_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM")

    assert statements == ["VACUUM"]


# --------------------------------------------------------------------------- URLs and secrets


def test_no_pre_ping_and_fast_executemany_for_server_urls() -> None:
    """No ping before each checkout (a round trip per action on a LAN): a dead connection
    is found at its first statement and replaced there (app.db._install_reconnect, proven
    against a real server in tests/services/test_reconnect.py)."""
    postgres = make_engine(f"postgresql://crm:{PASSWORD}@10.0.0.5/crm")
    mssql = make_engine(f"mssql+pyodbc://sa:{PASSWORD}@10.0.0.5:1433/crm")

    assert postgres.pool._pre_ping is False
    assert mssql.pool._pre_ping is False
    assert postgres.url.drivername == "postgresql+psycopg"
    assert mssql.dialect.fast_executemany is True  # type: ignore[attr-defined]
    assert mssql.url.query["driver"] == DEFAULT_MSSQL_DRIVER
    assert mssql.url.query["TrustServerCertificate"] == "yes"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        (
            "mssql://sa@h:1433/crm",
            "mssql+pyodbc://sa@h:1433/crm?TrustServerCertificate=yes"
            "&driver=ODBC+Driver+18+for+SQL+Server",
        ),
        ("mssql+pyodbc://sa@h/crm?driver=FreeTDS", "mssql+pyodbc://sa@h/crm?driver=FreeTDS"),
        ("mssql+pyodbc://sa@mydsn", "mssql+pyodbc://sa@mydsn"),
        (
            "mssql+pyodbc://sa@h/crm?Encrypt=no&TrustServerCertificate=no",
            "mssql+pyodbc://sa@h/crm?Encrypt=no&TrustServerCertificate=no"
            "&driver=ODBC+Driver+18+for+SQL+Server",
        ),
    ],
)
def test_normalize_url(given: str, expected: str) -> None:
    assert normalize_url(given).render_as_string() == expected


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://crm:{PASSWORD}@10.0.0.5/crm",
        f"mssql+pyodbc://sa@h/crm?odbc_connect=DRIVER%3D%7BX%7D%3BPWD%3D{PASSWORD}%3BUID%3Dsa",
        f"mssql+pyodbc://sa@h/crm?PWD={PASSWORD}",
        f"mssql+pyodbc://sa:{PASSWORD}@h:notaport/crm",
    ],
)
def test_redact_url_hides_password(url: str) -> None:
    redacted = redact_url(url)

    assert PASSWORD not in redacted
    assert "***" in redacted


def test_bad_url_message_hides_password() -> None:
    with pytest.raises(DatabaseUnavailable) as caught:
        make_engine(f"mssql+pyodbc://sa:{PASSWORD}@10.0.0.5:notaport/crm")

    assert caught.value.reason == "other"
    assert caught.value.message == (
        'The database address "mssql+pyodbc://sa:***@10.0.0.5:notaport/crm" is not valid '
        "(the port is not a number). Check the address in the station settings."
    )
    assert_no_password(caught.value)


def test_driver_text_quoting_the_password_is_scrubbed() -> None:
    pyodbc = pytest.importorskip("pyodbc", reason="pyodbc is not installed")
    orig = pyodbc.Error("HY000", f"[HY000] odd failure near 'PWD={PASSWORD}'")

    error = describe_connection_error(
        sa_exc.DBAPIError("connect", None, orig), f"mssql+pyodbc://sa:{PASSWORD}@h:1433/crm"
    )

    assert error.reason == "other"
    assert "odd failure near 'PWD=***'" in error.message
    assert_no_password(error)

"""``stationcrm db upgrade`` / ``db check`` / ``--version`` through ``app.cli.main``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, pool

import app
from app import cli, schema
from app.models.base import Base

MSSQL_URL = "mssql+pyodbc://u:p@h/db?driver=ODBC+Driver+18+for+SQL+Server"
REPOSITORY = Path(__file__).resolve().parents[1]


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Path:
    return tmp_path / "station.sqlite3"


@pytest.fixture
def sqlite_url(sqlite_path: Path) -> str:
    return f"sqlite:///{sqlite_path}"


def _tables(url: str) -> set[str]:
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_db_upgrade_creates_every_table(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["db", "upgrade", "--db", sqlite_url]) == 0

    assert _tables(sqlite_url) == set(Base.metadata.tables) | {"alembic_version"}
    out = capsys.readouterr().out
    assert f"schema upgraded from (empty) to {schema.head_revision()}" in out

    assert cli.main(["db", "upgrade", "--db", sqlite_url]) == 0
    assert "nothing to do" in capsys.readouterr().out


def test_the_programs_db_option_before_the_command_is_the_commands_database(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``stationcrm --db X db upgrade`` works on X, as ``db upgrade --db X`` does; until the
    command's own option (unset) overwrote it and the command went to the default file."""
    default = tmp_path / "default.sqlite3"
    monkeypatch.setenv("STATIONCRM_DB_URL", f"sqlite:///{default}")
    assert cli.main(["--db", sqlite_url, "db", "upgrade"]) == 0
    assert "alembic_version" in _tables(sqlite_url)
    assert not default.exists()
    # Given after the command as well, the command's own wins.
    other = tmp_path / "other.sqlite3"
    capsys.readouterr()
    assert cli.main(["--db", sqlite_url, "db", "upgrade", "--db", f"sqlite:///{other}"]) == 0
    assert "alembic_version" in _tables(f"sqlite:///{other}")
    assert not default.exists()


def test_db_check_passes_after_upgrade(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["db", "upgrade", "--db", sqlite_url]) == 0
    capsys.readouterr()

    assert cli.main(["db", "check", "--db", sqlite_url]) == 0

    assert capsys.readouterr().out.strip() == "Schema matches the models"


def test_db_check_fails_on_an_unmigrated_database(
    sqlite_path: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sqlite_path.touch()  # an empty file is an empty SQLite database

    assert cli.main(["db", "check", "--db", sqlite_url]) == 1

    out = capsys.readouterr().out
    assert out.startswith("Schema differs from the models")
    assert "  - table customers is missing from the database\n" in out
    assert "never migrated" in out


def test_db_check_of_a_missing_file_is_an_error_and_creates_nothing(
    sqlite_path: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["db", "check", "--db", sqlite_url]) == 2

    err = capsys.readouterr().err
    assert err == f"stationcrm: error: the database file {sqlite_path} does not exist\n"
    assert not sqlite_path.exists()


def test_db_upgrade_sql_prints_sql_server_ddl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)

    assert cli.main(["db", "upgrade", "--sql", "--db", MSSQL_URL]) == 0

    out = capsys.readouterr().out
    assert "CREATE TABLE customers (" in out
    assert "name NVARCHAR(200) NOT NULL" in out
    assert "notes NVARCHAR(max) NULL" in out
    assert "\nGO\n" in out
    assert list(tmp_path.iterdir()) == []  # nothing connected, no database file appeared


def test_db_upgrade_sql_to_a_named_revision(capsys: pytest.CaptureFixture[str]) -> None:
    first, head = "728da8f8572e", schema.head_revision()
    assert cli.main(["db", "upgrade", "--sql", "--revision", first, "--db", MSSQL_URL]) == 0
    printed = capsys.readouterr().out
    assert f"VALUES ('{first}')" in printed
    assert head == first or head not in printed


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", 'stationcrm: error: The database address "not a url" is not valid'),
        ("nosuchdb://x/y", 'stationcrm: error: The database address "nosuchdb://x/y" is not'),
        (
            "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2",
            "stationcrm: error: Cannot reach the database server 127.0.0.1:1.",
        ),
    ],
)
def test_errors_are_one_line_on_stderr(
    url: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["db", "upgrade", "--db", url]) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(message)
    assert captured.err.count("\n") == 1
    assert "Traceback" not in captured.err


def test_unknown_revision_is_an_error(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["db", "upgrade", "--revision", "nosuchrev", "--db", sqlite_url]) == 2
    assert "nosuchrev" in capsys.readouterr().err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out == (
        f"stationcrm {app.__version__} (database schema {schema.head_revision()})\n")


def test_without_a_command_the_desktop_client_starts_with_the_flags(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import types

    started: list[tuple[str, str | None, str | None]] = []

    def run_gui(settings: object, *, language: str | None = None) -> int:
        started.append((settings.db_url, settings.station, language))  # type: ignore[attr-defined]
        return 0

    monkeypatch.setitem(sys.modules, "app.ui.shell.app", types.SimpleNamespace(run_gui=run_gui))
    assert cli.main(["--db", "sqlite:///x.sqlite3", "--station", "repair", "--lang", "zh"]) == 0
    assert started == [("sqlite:///x.sqlite3", "repair", "zh")]


def test_user_add_creates_a_login_that_works(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    from app.db import make_engine
    from app.services.auth import login
    from app.services.uow import UnitOfWork

    assert cli.main(["db", "upgrade", "--db", sqlite_url]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("counter-pass-1\n"))
    assert cli.main(["user", "add", "clerk9", "--role", "counter_clerk", "--department",
                     "storefront", "--display-name", "门市小赵", "--password-stdin",
                     "--db", sqlite_url]) == 0
    assert "clerk9 (counter_clerk) created" in capsys.readouterr().out
    engine = make_engine(sqlite_url)
    actor = login(uow=UnitOfWork.for_engine(engine), username="clerk9",
                  password="counter-pass-1")
    engine.dispose()
    assert (actor.display_name, actor.role_code) == ("门市小赵", "counter_clerk")
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert cli.main(["user", "add", "clerk10", "--role", "counter_clerk", "--password-stdin",
                     "--db", sqlite_url]) == 2
    assert "password" in capsys.readouterr().err


def test_usage_errors_return_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["db", "upgrade", "--no-such-flag"]) == 2
    assert "unrecognized arguments: --no-such-flag" in capsys.readouterr().err


def test_db_url_follows_flag_then_environment_then_config_then_embedded(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from app.settings import save_station_config

    monkeypatch.setenv("STATIONCRM_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("STATIONCRM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("STATIONCRM_DB_URL", raising=False)
    assert cli.resolve_db_url(None) == f"sqlite:///{tmp_path / 'data' / 'stationcrm.sqlite3'}"
    save_station_config(db_url="postgresql+psycopg://server/crm")
    assert cli.resolve_db_url(None) == "postgresql+psycopg://server/crm"
    monkeypatch.setenv("STATIONCRM_DB_URL", "sqlite:///from-env.sqlite3")
    assert cli.resolve_db_url(None) == "sqlite:///from-env.sqlite3"
    assert cli.resolve_db_url("sqlite:///flag.sqlite3") == "sqlite:///flag.sqlite3"


def test_unreachable_server_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = cli.main(["db", "upgrade", "--db", f"postgresql+psycopg://u:secret@127.0.0.1:{port}/x"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"127.0.0.1:{port}" in err and "secret" not in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_python_dash_m_app_runs_the_command_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "--version"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"stationcrm {app.__version__} (database schema {schema.head_revision()})\n")


def test_demo_data_command_fills_a_database_and_refuses_a_second_time(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["demo-data", "--customers", "25", "--seed", "3", "--db", sqlite_url]) == 0
    out = capsys.readouterr().out
    assert "customers 25" in out
    engine = create_engine(sqlite_url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        names = conn.exec_driver_sql("SELECT count(*) FROM customers").scalar_one()
    assert names == 25
    assert cli.main(["demo-data", "--customers", "5", "--db", sqlite_url]) == 2
    assert "already has 25 customers" in capsys.readouterr().err


def test_db_security_sql_prints_the_sql_server_script(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["db", "security", "--sql", "--windows-domain", "OFFICE", "--user",
                     "clerk1", "--db", MSSQL_URL]) == 0
    script = capsys.readouterr().out
    assert "CREATE SECURITY POLICY [crmsec].[row_scope]" in script
    assert "FROM WINDOWS" in script and "OFFICE" in script
    assert "EXEC [crmsec].[save_principal] @username = N'clerk1'" in script
    assert "DENY UPDATE, DELETE ON [dbo].[audit_log]" in script


def test_db_security_explains_where_it_does_not_apply(
        sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["db", "security", "--sql", "--db", "postgresql://server/crm"]) == 2
    assert "SQL Server" in capsys.readouterr().err
    assert cli.main(["db", "upgrade", "--db", sqlite_url]) == 0
    capsys.readouterr()
    assert cli.main(["db", "security", "--db", sqlite_url]) == 2
    assert "file permissions" in capsys.readouterr().err


def test_db_search_keys_builds_the_keys_a_script_upgrade_leaves_empty(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from app.models.catalog import NameSuffix, SearchKey
    from app.services.search_keys import all_phone_rows, all_rows, all_suffix_rows

    assert cli.main(["demo-data", "--customers", "12", "--seed", "5", "--db", sqlite_url]) == 0
    engine = create_engine(sqlite_url, poolclass=pool.NullPool)
    try:
        with engine.begin() as conn:  # as after `db upgrade --sql`: the tables exist, empty
            conn.execute(SearchKey.__table__.delete())
            conn.execute(NameSuffix.__table__.delete())
        capsys.readouterr()

        assert cli.main(["db", "search-keys", "--db", sqlite_url]) == 0

        with Session(engine) as session:
            expected = {(r["owner_kind"], r["owner_id"], r["term"], r["pos"])
                        for r in all_rows(session)}
            stored = {tuple(row) for row in session.execute(select(
                SearchKey.owner_kind, SearchKey.owner_id, SearchKey.term, SearchKey.pos))}
            suffixes = {(r["owner_kind"], r["owner_id"], r["suffix"], r["pos"])
                        for r in all_suffix_rows(session)}
            phones = sum(1 for _ in all_phone_rows(session))
            stored_suffixes = {tuple(row) for row in session.execute(select(
                NameSuffix.owner_kind, NameSuffix.owner_id, NameSuffix.suffix,
                NameSuffix.pos))}
    finally:
        engine.dispose()
    assert expected and stored == expected
    assert suffixes and stored_suffixes == suffixes
    assert (f"{len(expected) + len(suffixes) + phones} search keys (pinyin, name and phone"
            " suffixes) built" in capsys.readouterr().out)


def test_db_upgrade_sql_says_to_build_the_search_keys_after_the_script(
    capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["db", "upgrade", "--sql", "--db", MSSQL_URL]) == 0
    out = capsys.readouterr().out
    reminder = out.index("-- After this script: stationcrm db search-keys")
    assert out.index("CREATE TABLE search_keys") < reminder < out.index("schema_compat")

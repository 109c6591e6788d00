"""``stationcrm db upgrade`` / ``db check`` / ``--version`` through ``app.cli.main``."""

from __future__ import annotations

import subprocess
import sys
import types
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
    head = schema.head_revision()
    assert cli.main(["db", "upgrade", "--sql", "--revision", head, "--db", MSSQL_URL]) == 0
    assert f"VALUES ('{head}')" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "stationcrm: error: invalid database URL"),
        ("nosuchdb://x/y", "stationcrm: error: unknown database type in the URL"),
        (
            "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2",
            "stationcrm: error: database error: ",
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
    assert capsys.readouterr().out == f"stationcrm {app.__version__}\n"


def test_without_a_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: stationcrm")
    assert "db" in out


def test_usage_errors_return_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["db", "upgrade", "--no-such-flag"]) == 2
    assert "unrecognized arguments: --no-such-flag" in capsys.readouterr().err


def test_db_url_falls_back_to_environment_then_default_without_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "app.settings", None)  # as if app/settings.py were absent
    monkeypatch.setenv("STATIONCRM_DB_URL", "sqlite:///from-env.sqlite3")
    assert cli.resolve_db_url("sqlite:///flag.sqlite3") == "sqlite:///flag.sqlite3"
    assert cli.resolve_db_url(None) == "sqlite:///from-env.sqlite3"
    monkeypatch.delenv("STATIONCRM_DB_URL")
    assert cli.resolve_db_url(None) == cli.DEFAULT_DB_URL


def test_db_url_comes_from_settings_when_present(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str | None] = []

    def load_settings(flag_db: str | None = None) -> types.SimpleNamespace:
        calls.append(flag_db)
        return types.SimpleNamespace(db_url=flag_db or "postgresql+psycopg://from-settings/db")

    fake = types.ModuleType("app.settings")
    fake.load_settings = load_settings  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "app.settings", fake)

    assert cli.resolve_db_url(None) == "postgresql+psycopg://from-settings/db"
    assert cli.resolve_db_url("sqlite:///flag.sqlite3") == "sqlite:///flag.sqlite3"
    assert calls == [None, "sqlite:///flag.sqlite3"]


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
    assert result.stdout == f"stationcrm {app.__version__}\n"

"""The update path: which program versions work with which schema, and the installer offered."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

import app
from app import cli, schema, update
from app.bootstrap import ClientTooOld, SchemaNotCurrent, prepare_schema, require_current_schema
from app.db import make_engine
from app.models import AppSetting, AuditEntry
from app.update import SchemaRecord, judge_schema

HEAD = schema.head_revision()
KNOWN = update.known_revisions()
NEWER = "ffff00001111"  # a revision a newer program shipped


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    """A database at this program's newest schema (a SQLite file standing in for a server)."""
    url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    engine = make_engine(url)
    schema.upgrade(engine)
    yield url, engine
    engine.dispose()


def _upgraded_by_newer_program(engine: Engine, *, min_client: str | None,
                               made_by: str = "0.3.0") -> None:
    """What a newer StationCRM's `db upgrade` leaves: an unknown revision and its record."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": NEWER})
    if min_client is not None:
        record = SchemaRecord(revision=NEWER, min_client=min_client, made_by=made_by)
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM app_settings WHERE key = :k"),
                         {"k": update.SCHEMA_SETTING_KEY})
            conn.execute(text(
                "INSERT INTO app_settings (key, value, version, created_at, updated_at)"
                " VALUES (:k, :v, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                {"k": update.SCHEMA_SETTING_KEY, "v": record.to_json()})


def _installer(folder: Path, version: str, *, age: float = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"StationCRM-{version}-setup.exe"
    path.write_bytes(b"MZ fake installer")
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))
    return path


# --- the rule -------------------------------------------------------------------------------


def test_every_shipped_migration_names_the_oldest_program_that_works_with_it() -> None:
    """Adding a migration means deciding: additive (repeat the previous entry) or not."""
    missing = KNOWN - set(update.MIN_CLIENT_VERSION)
    assert missing == set(), (
        f"add {sorted(missing)} to app.update.MIN_CLIENT_VERSION (see docs/dba.md)")
    chain = [s.revision for s in reversed(list(schema._script().walk_revisions()))]
    versions = [update.version_key(update.MIN_CLIENT_VERSION[r]) for r in chain]
    assert versions == sorted(versions), "an older program cannot work again later"
    assert max(versions) <= update.version_key(app.__version__)


@pytest.mark.parametrize(("text_", "key"), [
    ("0.1.0", (0, 1)), ("0.10.2", (0, 10, 2)), ("1.0", (1,)), ("v2.3.0rc1", (2, 3)),
])
def test_versions_compare_as_numbers(text_: str, key: tuple[int, ...]) -> None:
    assert update.version_key(text_) == key
    assert update.version_key("0.10.0") > update.version_key("0.9.9")


def test_the_program_judges_each_kind_of_database() -> None:
    def judge(revision: str | None, record: SchemaRecord | None = None,
              version: str = "0.2.0") -> update.SchemaVerdict:
        return judge_schema(revision=revision, head=HEAD, known=KNOWN, record=record,
                            client_version=version)

    assert judge(HEAD).state == "current"
    assert judge(None).state == "empty"
    older = next(r for r in KNOWN if r != HEAD)
    assert judge(older).state == "behind"
    # Newer, and nobody said what it needs: too old, version unknown.
    assert (judge(NEWER).state, judge(NEWER).needed_version) == ("too_old", None)
    # Newer, additive for this version: used as it is.
    additive = SchemaRecord(revision=NEWER, min_client="0.2.0", made_by="0.3.0")
    verdict = judge(NEWER, additive)
    assert (verdict.state, verdict.usable, verdict.made_by) == (
        "newer_compatible", True, "0.3.0")
    # Newer and breaking for this version: names the version it needs.
    breaking = SchemaRecord(revision=NEWER, min_client="0.3.0", made_by="0.3.0")
    verdict = judge(NEWER, breaking)
    assert (verdict.state, verdict.needed_version, verdict.usable) == ("too_old", "0.3.0",
                                                                      False)
    # A record of another revision says nothing about this one.
    stale = SchemaRecord(revision="0123456789ab", min_client="0.1.0", made_by="0.2.0")
    assert judge(NEWER, stale).state == "too_old"


# --- what the database records --------------------------------------------------------------


def test_db_upgrade_records_which_programs_work_with_the_schema(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    assert cli.main(["db", "upgrade", "--db", url]) == 0
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            record = update.read_record(conn)
            audited = conn.execute(select(AuditEntry.summary).where(
                AuditEntry.entity == "app_setting")).scalars().all()
        assert record == SchemaRecord(revision=HEAD,
                                      min_client=update.MIN_CLIENT_VERSION[HEAD],
                                      made_by=app.__version__)
        assert audited == [update.SCHEMA_SETTING_KEY]
        # Upgrading again changes nothing.
        assert cli.main(["db", "upgrade", "--db", url]) == 0
        with engine.connect() as conn:
            assert conn.execute(select(AppSetting.version).where(
                AppSetting.key == update.SCHEMA_SETTING_KEY)).scalar_one() == 1
    finally:
        engine.dispose()


def test_the_sql_server_script_ends_with_the_record(capsys: pytest.CaptureFixture[str]) -> None:
    url = "mssql+pyodbc://server/stationcrm?driver=ODBC+Driver+18+for+SQL+Server"
    assert cli.main(["db", "upgrade", "--sql", "--db", url]) == 0
    script = capsys.readouterr().out
    tail = script[script.rindex("COMMIT;"):]
    assert "DELETE FROM app_settings WHERE [key] = N'schema_compat';" in tail
    assert f'"revision": "{HEAD}"' in tail and tail.rstrip().endswith("GO")


def test_the_embedded_file_records_it_too(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'embedded.sqlite3'}")
    try:
        prepare_schema(engine, embedded=True)
        with engine.connect() as conn:
            assert update.read_record(conn) is not None
    finally:
        engine.dispose()


def test_set_update_location_stores_clears_and_says_what_it_finds(
        server: tuple[str, Engine], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    url, engine = server
    folder = tmp_path / "updates"
    newest = _installer(folder, "0.3.0")
    assert cli.main(["db", "set-update-location", str(folder), "--db", url]) == 0
    out = capsys.readouterr().out
    assert str(folder) in out and str(newest) in out
    with engine.connect() as conn:
        assert update.read_update_location(conn) == str(folder)
        stored = conn.execute(select(AppSetting.value).where(
            AppSetting.key == update.UPDATE_LOCATION_KEY)).scalar_one()
    assert json.loads(stored) == str(folder)

    assert cli.main(["db", "set-update-location", "https://intranet/crm/", "--db", url]) == 0
    with engine.connect() as conn:
        assert update.read_update_location(conn) == "https://intranet/crm/"
    assert cli.main(["db", "set-update-location", "", "--db", url]) == 0
    with engine.connect() as conn:
        assert update.read_update_location(conn) is None
        actions = conn.execute(select(AuditEntry.action).where(
            AuditEntry.summary == update.UPDATE_LOCATION_KEY).order_by(AuditEntry.id)
        ).scalars().all()
    assert actions == ["create", "update", "delete"]


# --- the installer --------------------------------------------------------------------------


def test_the_newest_installer_in_the_folder_is_offered(tmp_path: Path) -> None:
    folder = tmp_path / "share"
    _installer(folder, "0.9.0")
    newest = _installer(folder, "0.10.0", age=3600)  # by version, not by date
    _installer(folder, "0.2.0")
    (folder / "StationCRM-0.11.0.zip").write_bytes(b"not an installer")
    (folder / "readme.txt").write_text("x")
    found = update.find_installer(str(folder))
    assert found == update.Installer(str(newest), "0.10.0", False)
    assert update.find_installer(str(newest)) == found  # a file named directly
    assert update.find_installer(str(tmp_path / "missing")) is None
    assert update.find_installer(str(tmp_path)) is None  # a folder with no installer
    web = update.find_installer("https://intranet/crm/StationCRM-0.3.0-setup.exe")
    assert web == update.Installer("https://intranet/crm/StationCRM-0.3.0-setup.exe",
                                   "0.3.0", True)


# --- a program meeting a newer schema -------------------------------------------------------


def test_too_old_names_the_version_and_the_installer(
        server: tuple[str, Engine], tmp_path: Path) -> None:
    url, engine = server
    folder = tmp_path / "updates"
    installer = _installer(folder, "0.3.0")
    update.set_update_location(engine, str(folder))
    _upgraded_by_newer_program(engine, min_client="0.3.0")
    with pytest.raises(ClientTooOld) as caught:
        prepare_schema(engine, embedded=False)
    error = caught.value
    assert (error.needed_version, error.installer, error.installer_is_url) == (
        "0.3.0", str(installer), False)
    assert "StationCRM 0.3.0" in str(error) and app.__version__ in str(error)
    assert str(installer) in str(error)


def test_an_installer_older_than_needed_is_not_offered(
        server: tuple[str, Engine], tmp_path: Path) -> None:
    url, engine = server
    folder = tmp_path / "updates"
    _installer(folder, "0.2.0")
    update.set_update_location(engine, str(folder))
    _upgraded_by_newer_program(engine, min_client="0.3.0")
    with pytest.raises(ClientTooOld) as caught:
        prepare_schema(engine, embedded=False)
    assert caught.value.installer is None
    assert "holds only version 0.2.0" in str(caught.value)


def test_without_a_record_the_old_message_stays(server: tuple[str, Engine]) -> None:
    _url, engine = server
    _upgraded_by_newer_program(engine, min_client=None)
    with pytest.raises(ClientTooOld, match="made for another version of StationCRM") as caught:
        prepare_schema(engine, embedded=False)
    assert caught.value.needed_version is None
    assert "Ask the administrator for the installer." in str(caught.value)


def test_an_additive_upgrade_keeps_the_previous_program_working(
        server: tuple[str, Engine], tmp_path: Path) -> None:
    _url, engine = server
    _upgraded_by_newer_program(engine, min_client=app.__version__, made_by="0.3.0")
    assert prepare_schema(engine, embedded=False) is False  # the station works on
    # Administration commands need the program that made the schema.
    with pytest.raises(ClientTooOld, match="0.3.0") as caught:
        require_current_schema(engine)
    assert caught.value.needed_version == "0.3.0"
    # The embedded file a newer program upgraded is used, not migrated back or refused.
    embedded = make_engine(f"sqlite:///{tmp_path / 'mine.sqlite3'}")
    try:
        prepare_schema(embedded, embedded=True)
        _upgraded_by_newer_program(embedded, min_client=app.__version__)
        assert prepare_schema(embedded, embedded=True) is False
        assert schema.current_revision(embedded) == NEWER
    finally:
        embedded.dispose()


def test_a_database_behind_the_program_still_asks_for_db_upgrade(
        server: tuple[str, Engine]) -> None:
    _url, engine = server
    older = next(r for r in KNOWN if r != HEAD)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": older})
    with pytest.raises(SchemaNotCurrent, match="stationcrm db upgrade") as caught:
        prepare_schema(engine, embedded=False)
    assert not isinstance(caught.value, ClientTooOld)

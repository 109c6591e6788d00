"""The embedded SQLite file: online backups, restore, integrity check, journal mode, a lost
file never refilled with demo data, and plain messages for a full disk or a locked file."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy import exc as sa_exc

from app import backups, cli, db, schema
from app.bootstrap import EmbeddedFileLost, prepare_schema
from app.db import describe_connection_error, lost_connection, make_engine
from app.models import Customer
from app.settings import ConfigFileError, Settings, load_settings

# A station's write, as the program makes it: WAL, busy timeout, one customer per commit.
WRITER = textwrap.dedent("""
    import sqlite3, sys, time
    connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
    connection.execute("PRAGMA busy_timeout=10000")
    connection.execute("PRAGMA journal_mode=WAL")
    number = 0
    while True:
        number += 1
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "INSERT INTO customers (code, kind, name, name_key, pinyin_full,"
            " pinyin_initials, sort_key, source, customer_class, status, version,"
            " created_at, updated_at) VALUES (?, 'company', ?, ?, '', '', ?, 'walk_in',"
            " 'C', 'active', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
            (f"W{number:06d}", f"customer {number}", f"customer {number}", f"{number:06d}"))
        connection.execute("COMMIT")
        time.sleep(0.002)
""")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty StationCRM database file to copy from."""
    path = tmp_path_factory.mktemp("template") / "stationcrm.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    try:
        schema.upgrade(engine)
    finally:
        engine.dispose()
    return path


@pytest.fixture
def station_db(template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "data" / "stationcrm.sqlite3"
    path.parent.mkdir()
    shutil.copy(template, path)
    return path


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


def _customer_codes(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [row[0] for row in connection.execute("SELECT code FROM customers ORDER BY id")]
    finally:
        connection.close()


def _integrity(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        connection.close()


def _damage(path: Path) -> None:
    """Overwrite a page in the middle of the file with garbage, as a bad disk or copy would."""
    size = path.stat().st_size
    page = 4096
    middle = (size // page // 2) * page
    with path.open("r+b") as handle:
        handle.seek(middle)
        handle.write(b"\xa5\x5a" * (page // 2))


def _run(*argv: str) -> int:
    return cli.main(list(argv))


# --------------------------------------------------------------------------- backup


@pytest.fixture
def writer(station_db: Path) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen([sys.executable, "-c", WRITER, str(station_db)])
    try:
        yield process
    finally:
        process.kill()
        process.wait(timeout=10)


def test_a_backup_taken_while_another_process_writes_restores_every_committed_row(
    station_db: Path, writer: subprocess.Popen[bytes], tmp_path: Path
) -> None:
    deadline = time.monotonic() + 20
    while len(_customer_codes(station_db)) < 100:
        assert writer.poll() is None, "the writer stopped"
        assert time.monotonic() < deadline, "the writer made no progress"
        time.sleep(0.02)
    committed_before = _customer_codes(station_db)  # every row committed so far

    result = backups.backup_file(station_db)

    assert writer.poll() is None  # the station kept writing through the backup
    time.sleep(0.1)
    writer.kill()
    writer.wait(timeout=10)
    after = _customer_codes(station_db)
    assert len(after) > len(committed_before)
    assert result.path.parent == station_db.parent / "backups"
    assert result.size == result.path.stat().st_size > 0

    # Restore it into a database of its own and look at what came back.
    restored = tmp_path / "restored" / "stationcrm.sqlite3"
    backups.restore_file(result.path, restored)
    codes = _customer_codes(restored)
    assert codes[: len(committed_before)] == committed_before  # every committed row
    assert codes == after[: len(codes)]  # one moment of the database: a prefix, no gaps
    assert _integrity(restored) == "ok"


def test_db_backup_writes_a_timestamped_file_beside_the_database_and_says_where(
    station_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run("db", "backup", "--db", _url(station_db)) == cli.EXIT_OK
    written = backups.backup_files(station_db, "manual")
    assert len(written) == 1
    out = capsys.readouterr().out
    assert str(written[0]) in out and "KB" in out
    assert _integrity(written[0]) == "ok"
    target = station_db.parent / "mine.sqlite3"
    assert _run("db", "backup", "--db", _url(station_db), "--to", str(target)) == 0
    assert backups.stationcrm_revision(target) == schema.head_revision()


def test_db_backup_refuses_a_server_and_names_its_own_tools(
    capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run("db", "backup", "--db", "postgresql://server/stationcrm") == cli.EXIT_ERROR
    err = capsys.readouterr().err
    assert "pg_dump" in err and "BACKUP DATABASE" in err


def test_daily_backup_runs_once_a_day_and_keeps_the_newest(station_db: Path) -> None:
    start = dt.datetime(2026, 3, 1, 9, 0)
    for day in range(10):
        assert backups.daily_backup(station_db, keep=7,
                                    now=start + dt.timedelta(days=day)) is not None
    assert backups.daily_backup(station_db, keep=7,
                                now=start + dt.timedelta(days=9, hours=5)) is None
    kept = backups.backup_files(station_db, "daily")
    assert [path.name.split("-")[2] for path in kept] == [
        f"202603{day:02d}" for day in range(4, 11)]
    # The main window's "backed up today" asks the same clock as the backup's name.
    assert backups.backed_up_today(station_db, now=start + dt.timedelta(days=9, hours=14))
    assert not backups.backed_up_today(station_db, now=start + dt.timedelta(days=10))


# --------------------------------------------------------------------------- restore


def test_restore_refuses_a_file_that_is_not_a_stationcrm_database(
    station_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.sqlite3"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
    connection.commit()
    connection.close()
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a database at all " * 400)
    before = station_db.read_bytes()
    for candidate, words in ((other, "not a StationCRM database"),
                             (text_file, "damaged or not a database")):
        assert _run("db", "restore", str(candidate), "--db", _url(station_db),
                    "--yes") == cli.EXIT_ERROR
        assert words in capsys.readouterr().err
    assert station_db.read_bytes() == before
    assert not backups.backup_files(station_db)


def test_restore_refuses_a_damaged_backup(
    station_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    damaged = tmp_path / "damaged.sqlite3"
    shutil.copy(station_db, damaged)
    _damage(damaged)
    assert _run("db", "restore", str(damaged), "--db", _url(station_db), "--yes") == 2
    assert "damaged" in capsys.readouterr().err
    assert _integrity(station_db) == "ok"


def test_restore_with_yes_replaces_the_file_and_keeps_a_backup_of_it(
    station_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = backups.backup_file(station_db).path  # no customers yet
    connection = sqlite3.connect(station_db)
    connection.execute(
        "INSERT INTO customers (code, kind, name, name_key, pinyin_full, pinyin_initials,"
        " sort_key, source, customer_class, status, version, created_at, updated_at) VALUES"
        " ('LATER', 'company', 'later', 'later', '', '', 'later', 'walk_in', 'C', 'active',"
        " 1, '2026-01-01', '2026-01-01')")
    connection.commit()
    connection.close()

    assert _run("db", "restore", str(good), "--db", _url(station_db), "--yes") == 0

    out = capsys.readouterr().out
    assert _customer_codes(station_db) == []
    kept = backups.backup_files(station_db, "before-restore")
    assert len(kept) == 1 and str(kept[0]) in out
    assert _customer_codes(kept[0]) == ["LATER"]


def test_restore_asks_first_and_typing_anything_else_changes_nothing(
    station_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    good = backups.backup_file(station_db).path
    answers = iter(["no", station_db.name])
    monkeypatch.setattr("builtins.input", lambda _prompt: next(answers))
    assert _run("db", "restore", str(good), "--db", _url(station_db)) == cli.EXIT_ERROR
    captured = capsys.readouterr()
    assert "every station" in captured.out and "cancelled" in captured.err
    assert not backups.backup_files(station_db, "before-restore")
    # Typing the database file's name is a yes.
    assert _run("db", "restore", str(good), "--db", _url(station_db)) == cli.EXIT_OK
    assert len(backups.backup_files(station_db, "before-restore")) == 1


def test_restore_writes_a_lost_file_back(station_db: Path) -> None:
    good = backups.backup_file(station_db).path
    station_db.unlink()
    result = backups.restore_file(good, station_db)
    assert result.replaced_copy is None
    assert backups.stationcrm_revision(station_db) == schema.head_revision()


# --------------------------------------------------------------------------- db check


def test_db_check_names_a_damaged_file(
    station_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run("db", "check", "--db", _url(station_db)) == cli.EXIT_OK
    assert "integrity_check ok" in capsys.readouterr().err
    _damage(station_db)
    assert _run("db", "check", "--db", _url(station_db)) == cli.EXIT_DIFFERS
    out = capsys.readouterr().out
    assert f"The database file {station_db} is damaged" in out
    assert "db restore" in out
    problems = backups.check_file(station_db).problems
    assert problems and problems[0] in out


def test_db_check_names_a_file_whose_first_page_is_overwritten(
    station_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with station_db.open("r+b") as handle:
        handle.write(b"\x00" * 100)  # the header: SQLite no longer knows the file
    assert _run("db", "check", "--db", _url(station_db)) == cli.EXIT_DIFFERS
    assert "not a database" in capsys.readouterr().out


# --------------------------------------------------------------------------- demo data


def _open_embedded(path: Path) -> Engine:
    """What the login dialog does with the embedded file: connect, then prepare."""
    from app.ui.context import open_database

    return open_database(_url(path), embedded=True).engine


def _customers(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(Customer)
                                      ).scalar_one())


def test_a_zero_byte_file_is_refused_and_not_filled_with_demo_data(tmp_path: Path) -> None:
    path = tmp_path / "data" / "stationcrm.sqlite3"
    path.parent.mkdir()
    path.touch()
    for _attempt in range(2):  # the retry button meets the same file
        with pytest.raises(EmbeddedFileLost, match="empty .0 bytes.*db restore"):
            _open_embedded(path)
        assert path.stat().st_size == 0


def test_a_missing_file_that_was_in_use_is_refused_and_not_recreated(tmp_path: Path) -> None:
    path = tmp_path / "data" / "stationcrm.sqlite3"
    path.parent.mkdir()
    backups.known_marker(path).write_text("in use")
    with pytest.raises(EmbeddedFileLost, match="missing.*db restore") as raised:
        _open_embedded(path)
    assert str(backups.known_marker(path)) in str(raised.value)
    assert not path.exists()
    # Backups beside it say the same when the marker is gone too.
    backups.known_marker(path).unlink()
    (path.parent / "backups").mkdir()
    (path.parent / "backups" / "stationcrm-daily-20260301-090000.sqlite3").write_bytes(b"x")
    with pytest.raises(EmbeddedFileLost):
        _open_embedded(path)
    assert not path.exists()


def test_first_launch_on_a_fresh_pc_still_gets_demo_data_then_daily_backups(
    tmp_path: Path
) -> None:
    path = tmp_path / "data" / "stationcrm.sqlite3"
    engine = _open_embedded(path)
    try:
        assert _customers(engine) == 300
    finally:
        engine.dispose()
    assert backups.known_marker(path).exists()
    assert not backups.backup_files(path)
    engine = _open_embedded(path)  # the next start backs up before anything else
    try:
        assert _customers(engine) == 300
    finally:
        engine.dispose()
    daily = backups.backup_files(path, "daily")
    assert len(daily) == 1 and _integrity(daily[0]) == "ok"
    assert len(_customer_codes(daily[0])) == 300


def test_a_used_database_whose_customers_were_deleted_gets_no_demo_data(
    station_db: Path
) -> None:
    backups.known_marker(station_db).write_text("in use")
    engine = make_engine(_url(station_db))
    try:
        assert prepare_schema(engine, embedded=True, backup_keep=1) is False
        assert _customers(engine) == 0
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- journal mode


def _journal_mode(path: Path) -> str:
    engine = make_engine(_url(path))
    try:
        with engine.connect() as connection:
            return str(connection.execute(text("PRAGMA journal_mode")).scalar_one())
    finally:
        engine.dispose()


def test_wal_on_a_local_disk_and_the_rollback_journal_on_a_network_share(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local, share = tmp_path / "local.sqlite3", tmp_path / "share" / "crm.sqlite3"
    assert _journal_mode(local) == "wal"
    monkeypatch.setattr(db, "on_network_share", lambda path: path == share)
    assert _journal_mode(share) == "delete"
    assert _journal_mode(local) == "wal"
    # A file that was in WAL on a local disk leaves it when it is found on a share.
    monkeypatch.setattr(db, "on_network_share", lambda path: True)
    assert _journal_mode(local) == "delete"
    # Foreign keys and the busy timeout stay as they were.
    engine = make_engine(_url(share))
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
            assert connection.execute(text("PRAGMA busy_timeout")).scalar_one() == 10_000
    finally:
        engine.dispose()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/mounts")
def test_the_detector_reads_the_filesystem_type_of_the_mount(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    nas, sshfs = tmp_path / "nas", tmp_path / "sshfs"
    nas.mkdir()
    sshfs.mkdir()
    monkeypatch.setattr(db, "_proc_mounts", lambda: [
        ("/", "ext4"), (str(nas), "cifs"), (str(sshfs), "fuse.sshfs"),
        (str(tmp_path / "n"), "nfs4")])
    assert db.on_network_share(nas / "crm" / "stationcrm.sqlite3")  # folder not made yet
    assert db.on_network_share(sshfs / "stationcrm.sqlite3")
    assert not db.on_network_share(tmp_path / "nasty" / "stationcrm.sqlite3")
    assert not db.on_network_share(tmp_path / "stationcrm.sqlite3")


# --------------------------------------------------------------------------- messages


@pytest.mark.parametrize("wrapped", [False, True])
def test_a_full_disk_and_a_locked_file_say_so(tmp_path: Path, wrapped: bool) -> None:
    url = _url(tmp_path / "stationcrm.sqlite3")

    def error(message: str) -> BaseException:
        raw = sqlite3.OperationalError(message)
        return sa_exc.OperationalError("COMMIT", {}, raw) if wrapped else raw

    full = describe_connection_error(error("database or disk is full"), url)
    assert full.reason == "disk_full"
    assert "disk that holds the database file" in full.message
    assert "not saved" in full.message and "server" not in full.message
    assert "磁盘已满" in full.message_zh
    locked = describe_connection_error(error("database is locked"), url)
    assert locked.reason == "locked"
    assert "locked by another program" in locked.message
    assert "server" not in locked.message
    assert "被其他程序锁定" in locked.message_zh
    # A read that meets them on the worker shows these words, not "unexpected error".
    assert lost_connection(error("database or disk is full"), url) is not None
    assert lost_connection(error("database is locked"), url) is not None


def test_a_damaged_station_toml_is_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    monkeypatch.setenv("STATIONCRM_CONFIG_DIR", str(config))
    (config / "station.toml").write_bytes(b"db_url = \"sqlite:///x\"\n\xff\xfe\x00garbage")
    with pytest.raises(ConfigFileError) as raised:
        load_settings(env={"STATIONCRM_CONFIG_DIR": str(config)})
    assert "not UTF-8 text" in raised.value.message
    assert "不是 UTF-8 文本" in raised.value.message_for("zh")
    # The windowed program shows it in a dialog as well as on stderr.
    shown: list[ConfigFileError] = []
    monkeypatch.setattr("app.ui.shell.app.show_startup_error",
                        lambda error, language=None: shown.append(error) or 2)
    assert _run() == cli.EXIT_ERROR
    assert len(shown) == 1 and shown[0].path == config / "station.toml"
    assert "station.toml cannot be used" in capsys.readouterr().err


def _station_settings(tmp_path: Path, **changes: object) -> Settings:
    values: dict[str, object] = dict(
        db_url="", db_url_source="default", station=None, language="en",
        last_username=None, data_dir=tmp_path / "data", config_dir=tmp_path / "config")
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


def test_losing_the_whole_data_folder_is_noticed_from_the_list_beside_station_toml(
    tmp_path: Path
) -> None:
    from app.bootstrap import forget_used
    from app.ui.context import open_database

    settings = _station_settings(tmp_path)
    path = settings.data_dir / "stationcrm.sqlite3"
    engine = open_database(_url(path), embedded=True, settings=settings).engine
    try:
        assert _customers(engine) == 300
    finally:
        engine.dispose()
    assert str(path.absolute()) in settings.databases_used.read_text(encoding="utf-8")

    shutil.rmtree(settings.data_dir)  # database, marker and backups: all gone
    with pytest.raises(EmbeddedFileLost, match="gone, together with its folder") as raised:
        open_database(_url(path), embedded=True, settings=settings)
    assert str(settings.databases_used) in str(raised.value)
    assert not path.exists()

    # Starting again on purpose: the line is removed, and the next start is a first launch.
    forget_used(path, settings.databases_used)
    engine = open_database(_url(path), embedded=True, settings=settings).engine
    try:
        assert _customers(engine) == 300
    finally:
        engine.dispose()


def test_the_number_of_daily_backups_kept_comes_from_station_toml(tmp_path: Path) -> None:
    from app.ui.context import open_database

    settings = _station_settings(tmp_path, backups_kept=2)
    path = settings.data_dir / "stationcrm.sqlite3"
    open_database(_url(path), embedded=True, settings=settings).engine.dispose()
    folder = backups.backups_dir(path)
    folder.mkdir(parents=True, exist_ok=True)
    for day in ("20261101", "20261102", "20261103"):  # older days' backups
        shutil.copy(path, folder / f"stationcrm-daily-{day}-090000.sqlite3")
    open_database(_url(path), embedded=True, settings=settings).engine.dispose()
    daily = backups.backup_files(path, "daily")
    assert len(daily) == 2
    assert daily[0].name == "stationcrm-daily-20261103-090000.sqlite3"


def test_the_daily_backup_also_removes_request_keys_older_than_thirty_days(
    tmp_path: Path
) -> None:
    from app.ui.context import open_database

    settings = _station_settings(tmp_path)
    path = settings.data_dir / "stationcrm.sqlite3"
    open_database(_url(path), embedded=True, settings=settings).engine.dispose()
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=45)).strftime("%Y-%m-%d %H:%M:%S")
    new = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    with sqlite3.connect(path) as conn:
        user = conn.execute("SELECT id FROM users ORDER BY id LIMIT 1").fetchone()[0]
        conn.executemany(
            "INSERT INTO request_keys (key, entity, record_id, user_id, created_at)"
            " VALUES (?, 'customer', 1, ?, ?)",
            [("form-old-000001", user, old), ("form-new-000002", user, new)])
    open_database(_url(path), embedded=True, settings=settings).engine.dispose()  # next day
    with sqlite3.connect(path) as conn:
        kept = [row[0] for row in conn.execute("SELECT key FROM request_keys")]
    assert kept == ["form-new-000002"]


def test_the_daily_backup_also_removes_change_feed_notices_older_than_sixty_days(
    tmp_path: Path
) -> None:
    from app.ui.context import open_database

    settings = _station_settings(tmp_path)
    path = settings.data_dir / "stationcrm.sqlite3"
    open_database(_url(path), embedded=True, settings=settings).engine.dispose()
    now = dt.datetime.now(dt.UTC)
    with sqlite3.connect(path) as conn:
        user = conn.execute("SELECT id FROM users ORDER BY id LIMIT 1").fetchone()[0]
        conn.executemany(
            "INSERT INTO change_feed (created_at, user_id, kind, record_id, number, event)"
            " VALUES (?, ?, 'task', 1, ?, 'assigned')",
            [((now - dt.timedelta(days=days)).strftime("%Y-%m-%d %H:%M:%S"), user, number)
             for days, number in ((75, "old"), (59, "recent"), (0, "new"))])
    open_database(_url(path), embedded=True, settings=settings).engine.dispose()  # next day
    with sqlite3.connect(path) as conn:
        kept = [row[0] for row in conn.execute("SELECT number FROM change_feed ORDER BY id")]
    assert kept == ["recent", "new"]


def test_every_connection_has_the_larger_page_cache_and_the_busy_timeout(
        station_db: Path) -> None:
    # Up to 64 MB, filled only as pages are read: a large write no longer spills its index
    # pages into the WAL again and again (an import of 100 000 customers: 3 million page
    # writes at 30 000 with the default 2 MB).
    engine = make_engine(_url(station_db))
    try:
        with engine.connect() as conn:
            cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
            timeout = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
    finally:
        engine.dispose()
    assert cache == -db.SQLITE_CACHE_KIB == -65536
    assert timeout == db.SQLITE_BUSY_TIMEOUT_MS

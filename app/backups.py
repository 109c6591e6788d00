"""Backups of the embedded SQLite file: taken, checked, kept, restored. No Qt here.

Every copy goes through SQLite's online backup API (``sqlite3.Connection.backup``): it
copies the pages inside one read transaction, so the copy is the database as it was at
one commit, while stations go on writing. Copying the file itself does not give that: a
copy taken while a station ran lost every customer still in the ``-wal`` file, and its
``integrity_check`` said ok.

Backups sit in a ``backups`` folder beside the database file:
``stationcrm-20261205-093012.sqlite3`` (``db backup``), ``stationcrm-daily-….sqlite3``
(the first start of the day; the last ``AUTO_BACKUP_KEEP`` are kept) and
``stationcrm-before-restore-….sqlite3`` (the file a restore replaced; never pruned).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal
from urllib.parse import quote

from app.i18n import tr
from app.services.errors import ServiceError

log = logging.getLogger(__name__)

BACKUP_FOLDER_NAME: Final = "backups"
AUTO_BACKUP_KEEP: Final = 7
# Above this size `check_file` runs quick_check: integrity_check also proves that every
# index matches its table, which costs O(N log N) and minutes on a file of gigabytes;
# quick_check reads every page and finds the damage a bad copy or a bad disk leaves, in O(N).
QUICK_CHECK_ABOVE_BYTES: Final = 1 << 30
# The marker that says a database file was in use at this path (see app.bootstrap).
KNOWN_MARKER_SUFFIX: Final = ".in-use"
_PROBLEMS_SHOWN: Final = 10

BackupKind = Literal["manual", "daily", "before-restore"]


class BackupError(ServiceError):
    """A backup or restore cannot be done; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    size: int


@dataclass(frozen=True, slots=True)
class FileCheck:
    """What ``check_file`` found: ``problems`` is empty when the file is sound."""

    path: Path
    method: Literal["integrity_check", "quick_check"]
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True, slots=True)
class RestoreResult:
    restored_from: Path
    revision: str
    replaced_copy: Path | None  # the backup of the file that was replaced, if it existed


# --------------------------------------------------------------------------- places


def backups_dir(database: Path) -> Path:
    return database.absolute().parent / BACKUP_FOLDER_NAME


def known_marker(database: Path) -> Path:
    return database.with_name(database.name + KNOWN_MARKER_SUFFIX)


def _stem(database: Path) -> str:
    return database.name.removesuffix(database.suffix) if database.suffix else database.name


def backup_files(database: Path, kind: BackupKind | None = None) -> list[Path]:
    """The backups of ``database`` in its backups folder, oldest first (by name = time)."""
    folder = backups_dir(database)
    if not folder.is_dir():
        return []
    stem = _stem(database)
    prefix = f"{stem}-{kind}-" if kind and kind != "manual" else f"{stem}-"
    found = [path for path in folder.glob(f"{prefix}*.sqlite3") if path.is_file()]
    if kind == "manual":
        found = [path for path in found
                 if not path.name.startswith((f"{stem}-daily-", f"{stem}-before-restore-"))]
    return sorted(found, key=lambda path: path.name.removeprefix(prefix))


def default_target(database: Path, kind: BackupKind = "manual",
                   now: dt.datetime | None = None) -> Path:
    """A new timestamped file in the backups folder beside ``database``."""
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    middle = "" if kind == "manual" else f"{kind}-"
    folder = backups_dir(database)
    target = folder / f"{_stem(database)}-{middle}{stamp}.sqlite3"
    counter = 2
    while target.exists():
        target = folder / f"{_stem(database)}-{middle}{stamp}-{counter}.sqlite3"
        counter += 1
    return target


# --------------------------------------------------------------------------- connections


def _uri(path: Path, mode: str) -> str:
    """A file: URI for SQLite: file:///home/…, file:///C:/… and file:////server/share/…."""
    posix = path.absolute().as_posix()
    slash = "" if posix.startswith("/") else "/"
    return f"file://{slash}{quote(posix, safe='/:')}?mode={mode}"


@contextlib.contextmanager
def _open(path: Path, *, read_only: bool) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection that never creates a file by accident."""
    connection = sqlite3.connect(_uri(path, "ro" if read_only else "rw"), uri=True,
                                 timeout=10, isolation_level=None)
    try:
        yield connection
    finally:
        connection.close()


def _require_file(path: Path) -> None:
    if not path.is_file():
        raise BackupError(tr("The file {path} does not exist.", path=path))
    if path.stat().st_size == 0:
        raise BackupError(tr("The file {path} is empty (0 bytes); it holds no database.",
                             path=path))


# --------------------------------------------------------------------------- checking


def check_file(path: Path, *, quick: bool | None = None) -> FileCheck:
    """Run SQLite's integrity check on a file and name what is damaged.

    ``quick`` None chooses quick_check for files above QUICK_CHECK_ABOVE_BYTES. A file
    SQLite cannot read at all ("file is not a database") is reported as a problem too.
    """
    _require_file(path)
    if quick is None:
        quick = path.stat().st_size > QUICK_CHECK_ABOVE_BYTES
    method: Literal["integrity_check", "quick_check"] = (
        "quick_check" if quick else "integrity_check")
    try:
        with _open(path, read_only=True) as connection:
            rows = connection.execute(f"PRAGMA {method}({_PROBLEMS_SHOWN})").fetchall()
    except sqlite3.DatabaseError as exc:
        return FileCheck(path, method, (str(exc),))
    problems = tuple(str(row[0]) for row in rows if str(row[0]) != "ok")
    return FileCheck(path, method, problems)


def stationcrm_revision(path: Path) -> str:
    """The schema revision of a sound StationCRM database file.

    Raises:
        BackupError: the file is damaged, not a SQLite database, not a StationCRM database,
            or at a schema revision this program does not know.
    """
    from alembic.script import ScriptDirectory

    from app import schema

    result = check_file(path)
    if not result.ok:
        raise BackupError(tr(
            "The file {path} is damaged or not a database ({problem}); it cannot be used.",
            path=path, problem="; ".join(result.problems[:3])))
    try:
        with _open(path, read_only=True) as connection:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        row = None
    if row is None:
        raise BackupError(tr("The file {path} is not a StationCRM database.", path=path))
    revision = str(row[0])
    script = ScriptDirectory.from_config(schema.alembic_config())
    if revision not in {item.revision for item in script.walk_revisions()}:
        raise BackupError(tr(
            "The file {path} was made by another version of StationCRM (schema {revision});"
            " this program cannot use it.", path=path, revision=revision))
    return revision


# --------------------------------------------------------------------------- backup


def _copy(source: sqlite3.Connection, target: Path) -> None:
    """Copy the database of ``source`` into a new file ``target`` through the backup API.

    Written to a temporary name and renamed at the end, so a failed or interrupted backup
    never leaves a file that looks like a backup.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        destination = sqlite3.connect(partial, isolation_level=None)
        try:
            # pages=-1: every page in one step, inside one read transaction. Copying in
            # steps would restart whenever a station commits in between, and under steady
            # writing might never finish; in WAL mode the one step does not hold writers up.
            source.backup(destination, pages=-1)
            # The copy stands alone: one file, no -wal beside it.
            destination.execute("PRAGMA journal_mode=DELETE")
        finally:
            destination.close()
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def backup_file(database: Path, target: Path | None = None, *,
                kind: BackupKind = "manual") -> BackupResult:
    """Back up a SQLite database file while it is in use; returns where and how big.

    Raises:
        BackupError: the database file is missing or empty, or the target exists.
        sqlite3.Error: SQLite could not read the database or write the copy.
    """
    _require_file(database)
    target = target or default_target(database, kind)
    if target.exists():
        raise BackupError(tr("The file {path} already exists; choose another name.",
                             path=target))
    if target.absolute() == database.absolute():
        raise BackupError(tr("The backup cannot be written over the database itself."))
    with _open(database, read_only=False) as source:
        source.execute("PRAGMA busy_timeout=10000")
        _copy(source, target)
    size = target.stat().st_size
    log.info("Backed up %s to %s (%d bytes)", database, target, size)
    return BackupResult(target, size)


def daily_backup(database: Path, *, keep: int = AUTO_BACKUP_KEEP,
                 now: dt.datetime | None = None) -> BackupResult | None:
    """The first call of a day backs the database up and keeps the newest ``keep`` daily
    backups; later calls that day do nothing and return None."""
    now = now or dt.datetime.now()
    if backed_up_today(database, now=now):
        return None
    result = backup_file(database, default_target(database, "daily", now), kind="daily")
    prune_daily_backups(database, keep=keep)
    return result


def backed_up_today(database: Path, *, now: dt.datetime | None = None) -> bool:
    """Whether today's daily backup of ``database`` is made: by its name, which
    :func:`daily_backup` stamps with the same clock."""
    today = (now or dt.datetime.now()).strftime("%Y%m%d")
    prefix = f"{_stem(database)}-daily-{today}-"
    return any(path.name.startswith(prefix) for path in backup_files(database, "daily"))


def prune_daily_backups(database: Path, *, keep: int = AUTO_BACKUP_KEEP) -> list[Path]:
    """Delete all but the newest ``keep`` daily backups; returns what was deleted."""
    daily = backup_files(database, "daily")
    doomed = daily[:-keep] if keep > 0 else daily
    for path in doomed:
        with contextlib.suppress(OSError):
            path.unlink()
    return doomed


# --------------------------------------------------------------------------- restore


def _companions(database: Path) -> list[Path]:
    return [database.with_name(database.name + suffix) for suffix in ("-wal", "-shm",
                                                                      "-journal")]


def _keep_copy_of(database: Path) -> Path | None:
    """Save the file a restore is about to replace; a damaged file is copied as it is."""
    if not database.exists() or database.stat().st_size == 0:
        return None
    target = default_target(database, "before-restore")
    try:
        return backup_file(database, target, kind="before-restore").path
    except sqlite3.DatabaseError:
        # Not readable as a database: keep its bytes (and its -wal) for whoever looks later.
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(database, target)
        wal = database.with_name(database.name + "-wal")
        if wal.exists():
            shutil.copy2(wal, target.with_name(target.name + "-wal"))
        return target


def restore_file(backup: Path, database: Path) -> RestoreResult:
    """Replace the database with a backup, after checking the backup and keeping a copy of
    the database as it was. Every station must be closed first.

    A sound database is overwritten through the backup API (which takes SQLite's locks, so
    a station still running makes it wait and then fail, instead of being cut off); a
    missing, empty or damaged one is set aside and written anew.

    Raises:
        BackupError: the backup is not a sound StationCRM database, or the restore failed.
    """
    revision = stationcrm_revision(backup)
    if backup.absolute() == database.absolute():
        raise BackupError(tr("The backup and the database are the same file."))
    replaced = _keep_copy_of(database)
    sound = database.exists() and database.stat().st_size > 0 and check_file(database).ok
    if not sound:
        for path in [database, *_companions(database)]:
            path.unlink(missing_ok=True)
        database.parent.mkdir(parents=True, exist_ok=True)
        database.touch()
    try:
        with _open(backup, read_only=True) as source, _open(database, read_only=False) as target:
            target.execute("PRAGMA busy_timeout=10000")
            source.backup(target, pages=-1)
    except sqlite3.OperationalError as exc:
        raise BackupError(tr(
            "The database could not be replaced ({problem}). Close StationCRM on every"
            " station and try again.", problem=exc)) from exc
    after = check_file(database)
    if not after.ok:  # pragma: no cover - the backup API does not write damaged pages
        raise BackupError(tr("The restored database failed its integrity check: {problem}",
                             problem="; ".join(after.problems[:3])))
    log.info("Restored %s from %s (revision %s); the old file is kept as %s", database,
             backup, revision, replaced)
    return RestoreResult(restored_from=backup, revision=revision, replaced_copy=replaced)

"""Getting a database ready to use: schema current, reference data, demo data on first launch."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, func, inspect, select

from app import backups, schema, update
from app.db import sqlite_file, sqlite_file_state
from app.i18n import tr
from app.models import Customer
from app.services.errors import ServiceError
from app.services.reference import ensure_reference_data
from app.services.uow import UnitOfWork

# The embedded default database is filled with this much demo data on first launch:
# enough to try every screen, small enough to be ready in seconds.
FIRST_LAUNCH_CUSTOMERS = 300
FIRST_LAUNCH_SEED = 2026

Progress = Callable[[str, int, int], None]

log = logging.getLogger(__name__)


class SchemaNotCurrent(ServiceError):
    """The server's schema is not the one this program needs; its administrator upgrades it."""


class ClientTooOld(SchemaNotCurrent):
    """The database was upgraded for a newer StationCRM than this one (app.update's rule).

    Attributes:
        needed_version: the oldest version that works with the database (None: not recorded).
        update_location: where the administrator keeps the installer (None: not set).
        installer: the installer found there to offer, path or URL (None: nothing found).
    """

    def __init__(self, message: str, *, needed_version: str | None = None,
                 update_location: str | None = None, installer: str | None = None,
                 installer_is_url: bool = False) -> None:
        super().__init__(message)
        self.needed_version = needed_version
        self.update_location = update_location
        self.installer = installer
        self.installer_is_url = installer_is_url


class EmbeddedFileLost(ServiceError):
    """The embedded database file is missing or empty although a database was kept there."""


def prepare_schema(engine: Engine, *, embedded: bool, progress: Progress | None = None,
                   backup_keep: int = backups.AUTO_BACKUP_KEEP,
                   used_list: Path | None = None) -> bool:
    """Make the database usable by this program; returns True if demo data was created.

    The embedded database (one PC) is backed up once a day (before any migration),
    migrated automatically and, on the very first launch, filled with demo data. A file
    that held a database before is never refilled: a missing or empty one is refused
    with a message pointing at ``stationcrm db restore`` (see `require_embedded_file`).
    ``used_list``: a file outside the data folder (beside station.toml) that names every
    embedded database used on this PC, so that losing the whole data folder — database,
    marker and backups — is still noticed.
    A shared server is never migrated by whichever station starts first: if its schema
    is behind, the message says who must act.
    """
    if not embedded:
        require_current_schema(engine, newer_ok=True)
        return False
    path = sqlite_file(engine.url)
    backed_up = False
    if path is not None:
        require_embedded_file(engine, path, used_list)
        if _has_tables(engine):  # not the empty file a first launch has just made
            backed_up = _daily_backup(path, keep=backup_keep)
    verdict = update.check_schema(engine)
    if verdict.state in ("too_old", "newer_compatible"):
        # A file a newer program upgraded: never migrated by this one (it could not).
        require_current_schema(engine, newer_ok=True)
    else:
        schema.ensure_schema(engine)
        update.record_schema(engine)
    if backed_up:
        _forget_old_keys(engine)  # once a day, with the backup, on the migrated file
    ensure_reference_data(UnitOfWork.for_engine(engine))
    if _customer_count(engine) or (path is not None and _known(path, used_list)):
        # Customers, or a database the station has used before (its customers deleted on
        # purpose): either way not a first launch.
        _mark_known(path, used_list)
        return False
    from app.demo import generate_demo_data

    generate_demo_data(engine, customers=FIRST_LAUNCH_CUSTOMERS, seed=FIRST_LAUNCH_SEED,
                       progress=progress)
    _mark_known(path, used_list)
    return True


def _known(path: Path, used_list: Path | None = None) -> bool:
    """Whether a StationCRM database was kept at ``path`` before: its marker, its backups,
    or its line in the list of databases used on this PC."""
    return (backups.known_marker(path).exists() or bool(backups.backup_files(path))
            or str(path.absolute()) in _used(used_list))


def _used(used_list: Path | None) -> set[str]:
    if used_list is None:
        return set()
    try:
        lines = used_list.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return set()
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("Could not read %s: %s", used_list, exc)
        return set()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def forget_used(path: Path, used_list: Path) -> None:
    """Take ``path`` off the list (starting again with demo data on purpose)."""
    kept = sorted(_used(used_list) - {str(path.absolute())})
    _write_used(used_list, kept)


def _write_used(used_list: Path, paths: list[str]) -> None:
    try:
        used_list.parent.mkdir(parents=True, exist_ok=True)
        used_list.write_text(
            "# StationCRM database files used on this PC. A file named here that goes\n"
            "# missing is reported as lost, never replaced by demo data.\n"
            + "".join(f"{p}\n" for p in paths), encoding="utf-8")
    except OSError as exc:  # not worth failing a start for
        log.warning("Could not write %s: %s", used_list, exc)


def _mark_known(path: Path | None, used_list: Path | None = None) -> None:
    if path is None:
        return
    if used_list is not None and str(path.absolute()) not in (known := _used(used_list)):
        _write_used(used_list, sorted(known | {str(path.absolute())}))
    marker = backups.known_marker(path)
    if marker.exists():
        return
    try:
        marker.write_text(
            "StationCRM keeps its database in the file beside this one since"
            f" {dt.datetime.now():%Y-%m-%d %H:%M}.\n"
            "If that file goes missing, StationCRM will not make a new demo database in its"
            " place: restore a backup with `stationcrm db restore FILE`.\n"
            "To start again with a new demo database on purpose, delete this file too.\n",
            encoding="utf-8")
    except OSError as exc:  # not worth failing a start for
        log.warning("Could not write %s: %s", marker, exc)


def require_embedded_file(engine: Engine, path: Path, used_list: Path | None = None) -> None:
    """Refuse a missing or empty embedded file where a database was kept before.

    A fresh PC has neither the file nor its marker (``stationcrm.sqlite3.in-use``) nor
    backups: that is a first launch and gets demo data. A zero-byte file, or a missing
    or table-less file whose marker or backups say a database lived there, is a lost
    database (a failed copy, a sync tool, a disk fault); filling it with demo data
    would hide the loss, so the station stops and says how to restore.

    Raises:
        EmbeddedFileLost: with the message for the clerk.
    """
    state = sqlite_file_state(engine)  # as it was before anything connected
    if _has_tables(engine):
        return  # a database (an engine used again finds the one its first launch made)
    if state == "empty":
        _undo_opening(engine, path, "empty")
        raise EmbeddedFileLost(tr(
            "The database file {path} is empty (0 bytes): the data in it is lost."
            " StationCRM will not put demo data in its place. Restore the newest backup"
            " with `stationcrm db restore FILE` (backups are in {folder}), or ask the"
            " administrator.", path=path, folder=backups.backups_dir(path)))
    if used_list is not None and not _known(path) and _known(path, used_list):
        # The marker and the backups went too: the whole data folder is gone.
        _undo_opening(engine, path, state)
        raise EmbeddedFileLost(tr(
            "The database file {path} is gone, together with its folder and backups, though"
            " StationCRM kept its data there before. StationCRM will not make a new demo"
            " database in its place. Put the folder back, or restore a backup with"
            " `stationcrm db restore FILE`. To start again with a new demo database on"
            " purpose, remove the line naming the file from {list}.",
            path=path, list=used_list))
    if _known(path, used_list):
        _undo_opening(engine, path, state)
        raise EmbeddedFileLost(tr(
            "The database file {path} is missing or holds no data, though StationCRM kept"
            " its data there before. StationCRM will not make a new demo database in its"
            " place. If the file was moved, put it back; otherwise restore the newest backup"
            " with `stationcrm db restore FILE` (backups are in {folder}). To start again"
            " with a new demo database on purpose, delete {marker}.",
            path=path, folder=backups.backups_dir(path),
            marker=backups.known_marker(path)))


def _has_tables(engine: Engine) -> bool:
    with engine.connect() as connection:
        return bool(inspect(connection).get_table_names())


def _undo_opening(engine: Engine, path: Path, state: str | None) -> None:
    """Leave the file as it was found: connecting created it, or wrote a header into it."""
    if state not in ("missing", "empty"):
        return
    engine.dispose()
    with contextlib.suppress(OSError):
        for companion in ("-wal", "-shm", "-journal"):
            path.with_name(path.name + companion).unlink(missing_ok=True)
        if state == "missing":
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(b"")


def _daily_backup(path: Path, *, keep: int) -> bool:
    """The first start of the day backs the file up (before any migration touches it);
    True when it did."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    try:
        result = backups.daily_backup(path, keep=keep)
    except (OSError, sqlite3.Error, ServiceError) as exc:
        # The station still starts; the log says why there is no backup today.
        log.warning("The daily backup of %s failed: %s", path, exc)
        return False
    if result is None:
        return False
    log.info("Daily backup of %s written to %s (%d bytes)", path, result.path, result.size)
    return True


def _forget_old_keys(engine: Engine) -> None:
    """Request keys older than 30 days go (a retry needs its key for minutes), and the
    change feed's notices older than 60 days (what `stationcrm db tidy` does on a server)."""
    from app.services.feed import KEEP_DAYS, forget_old_notices
    from app.services.requests import forget_old_keys

    try:
        gone = forget_old_keys(engine)
    except Exception as exc:  # noqa: BLE001 - housekeeping never stops a start
        log.warning("Could not remove old request keys: %s", exc)
    else:
        if gone:
            log.info("Removed %d request keys older than 30 days", gone)
    try:
        notices = forget_old_notices(engine)
    except Exception as exc:  # noqa: BLE001 - housekeeping never stops a start
        log.warning("Could not remove old change-feed notices: %s", exc)
    else:
        if notices:
            log.info("Removed %d change-feed notices older than %d days", notices, KEEP_DAYS)


def require_current_schema(engine: Engine, *, newer_ok: bool = False) -> None:
    """Refuse a database this program may not use, with a message saying who must act.

    ``newer_ok``: a station (not an administration command) also works on a schema a newer
    program upgraded, when that program recorded that this version still works with it
    (see app.update). An administration command needs the program that made the schema.

    Raises:
        SchemaNotCurrent: no schema yet, or behind this program (the administrator
            upgrades it).
        ClientTooOld: upgraded for a newer program; names the version it needs and the
            installer at the administrator's update location.
    """
    verdict = update.check_schema(engine)
    if verdict.state == "current" or (newer_ok and verdict.state == "newer_compatible"):
        return
    if verdict.state == "empty":
        raise SchemaNotCurrent(tr(
            "The database has no StationCRM tables yet. Ask the administrator to "
            "run 'stationcrm db upgrade' on it."))
    if verdict.state == "behind":
        raise SchemaNotCurrent(tr(
            "The database was made for another version of StationCRM (schema "
            "{current}, this program needs {head}). Ask the administrator to run "
            "'stationcrm db upgrade', or install the matching program version.",
            current=verdict.revision, head=verdict.head))
    if verdict.state == "newer_compatible":
        # An administration command on a schema a newer program made: that program's job.
        verdict = dataclasses.replace(verdict, state="too_old",
                                      needed_version=verdict.made_by)
    raise _too_old(engine, verdict)


def _too_old(engine: Engine, verdict: update.SchemaVerdict) -> ClientTooOld:
    """The error for a program too old for the database, with the installer to offer."""
    try:
        with engine.connect() as connection:
            location = update.read_update_location(connection)
    except Exception as exc:  # noqa: BLE001 - the message matters more than the location
        log.warning("Could not read the update location: %s", exc)
        location = None
    found = update.find_installer(location)
    installer = update.offered(verdict, found)
    return ClientTooOld(update.too_old_message(verdict, found, location),
                        needed_version=verdict.needed_version, update_location=location,
                        installer=installer.location if installer else None,
                        installer_is_url=bool(installer and installer.is_url))


def _customer_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Customer)).scalar_one())

"""Which program versions work with which database schema, and where a newer program is found.

No Qt here: the login (through :mod:`app.bootstrap`), the set-up wizard and the command line
use the same rule.

The rule (docs/dba.md, "Program versions and the schema"):

- Every migration in ``app/migrations/versions`` has an entry in :data:`MIN_CLIENT_VERSION`:
  the oldest StationCRM version that still works with a database at that revision. An
  *additive* migration (a new table, a new nullable column or one with a server default, a
  new index, view or trigger that refuses nothing the older program writes) repeats the
  previous revision's entry, so the previous program keeps working. A migration that
  renames, drops or narrows anything, or adds a rule the older program would break, names
  the version that ships it.
- ``stationcrm db upgrade`` (and the wizard and the embedded file's own upgrade) records in
  the database's ``schema_compat`` setting the revision, that oldest version and the version
  that made the schema. A program meeting a revision it does not know reads that record: if
  it is not older than the oldest version named there it works as usual; otherwise it says
  which version it needs and, when the administrator has set an update location
  (``stationcrm db set-update-location``), offers the installer from there.
- A database behind this program is never used: the administrator runs ``db upgrade``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from sqlalchemy import Connection, Engine, select

import app
from app import schema
from app.i18n import tr
from app.models import AppSetting
from app.models.enums import AuditAction
from app.services import audit
from app.services.uow import UnitOfWork

log = logging.getLogger(__name__)

CLIENT_VERSION: Final = app.__version__

# The oldest program version that works with a database at each revision (see above).
# Add every new migration here; an additive one repeats the previous entry.
MIN_CLIENT_VERSION: Final[Mapping[str, str]] = {
    "728da8f8572e": "0.1.0",  # initial schema
    "3b1e0c9a7d21": "0.1.0",  # audit rows name the login (additive)
    "8c2f4d1e6a90": "0.1.0",  # customer directory view (additive)
    "5d7a2e913c4b": "0.1.0",  # directory shows the source (additive)
    "9a4c1f27d8e3": "0.1.0",  # unique index on customer-less plans
    "9841e823c8fe": "0.1.0",  # cost snapshot triggers
    "b71e3d5a0c62": "0.1.0",  # unique serial numbers
    "c4f8a2d6e1b9": "0.1.0",  # phone views (additive)
    "e3a9c5b17d42": "0.1.0",  # request keys (additive)
    "6d1f0b8c2e47": "0.1.0",  # foreign-key indexes; plan uniqueness as two indexes (additive)
    "a5c3e8f1d2b6": "0.1.0",  # audit summaries as template and values (additive)
    "b4f7e2a9c1d3": "0.1.0",  # change feed between stations (additive)
    "c8a1d5e3f702": "0.1.0",  # search keys, products by pinyin (additive)
    "d3e9b7c4a1f5": "0.1.0",  # name and phone suffixes (additive, as the search keys)
    "e6b2c9d4f180": "0.1.0",  # customers by phone (an index, additive)
    "f2a7c6e9b351": "0.1.0",  # cost totals' triggers by key (PostgreSQL, same results)
    "a8d3f1c7e592": "0.1.0",  # the list's columns in its sort index (additive)
    "b5e1c9a7f304": "0.1.0",  # import batches and their items (additive)
    "c7d2a4e8f016": "0.1.0",  # numbers of merged customer cards (additive)
    # Opening balances (additive: an older program writes orders that are not, and only
    # counts an imported balance in its sales figures too).
    "d9e3b5f1a027": "0.1.0",
    "e4f6a2b8c913": "0.1.0",  # the read trail, the day a person gave notice (additive)
    "a7c3e9d1f246": "0.1.0",  # customer base protection alerts kept for the to-do list
    "b5d8e2f4a613": "0.1.0",  # the phone order's index carries the list's columns (additive)
    "c9e4a7f2b318": "0.1.0",  # the search rows carry the sort key (additive)
}

# The app_settings keys: what the newest upgrade recorded, and where the installer is.
SCHEMA_SETTING_KEY: Final = "schema_compat"
UPDATE_LOCATION_KEY: Final = "update_location"
# The Windows installer's file name (installer/): StationCRM-0.2.0-setup.exe.
INSTALLER_NAME: Final = re.compile(r"^StationCRM-(?P<version>[0-9][0-9A-Za-z.\-]*)-setup\.exe$",
                                   re.IGNORECASE)
_URL_SCHEME: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]+://")

SchemaState = Literal["current", "behind", "newer_compatible", "too_old", "empty"]


def version_key(version: str) -> tuple[int, ...]:
    """A version as numbers to compare: ``"0.10.2"`` → ``(0, 10, 2)``.

    Only the leading dotted numbers count (``"0.2.0rc1"`` → ``(0, 2, 0)``); trailing zeros
    are dropped, so ``"1.0"`` and ``"1.0.0"`` are the same version.
    """
    numbers: list[int] = []
    for part in version.strip().lstrip("vV").split("."):
        digits = re.match(r"\d+", part)
        if digits is None:
            break
        numbers.append(int(digits.group()))
        if digits.end() != len(part):
            break
    while numbers and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)


def min_client_for(revision: str) -> str:
    """The oldest program version that works with a database at ``revision``.

    A revision missing from :data:`MIN_CLIENT_VERSION` (a migration added without its entry)
    is taken as a breaking one: only this program's version.
    """
    found = MIN_CLIENT_VERSION.get(revision)
    if found is None:
        log.warning("Migration %s has no entry in app.update.MIN_CLIENT_VERSION", revision)
        return CLIENT_VERSION
    return found


@dataclass(frozen=True)
class SchemaRecord:
    """What the newest upgrade wrote into the ``schema_compat`` setting."""

    revision: str
    min_client: str
    made_by: str

    def to_json(self) -> str:
        return json.dumps({"revision": self.revision, "min_client": self.min_client,
                           "made_by": self.made_by}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> SchemaRecord | None:
        """The record in a setting's value; None when missing or unreadable."""
        try:
            raw = json.loads(text) if text else None
        except ValueError:
            return None
        if not isinstance(raw, dict):
            return None
        values = [raw.get(key) for key in ("revision", "min_client", "made_by")]
        if not all(isinstance(value, str) and value for value in values[:2]):
            return None
        made_by = values[2] if isinstance(values[2], str) and values[2] else values[1]
        return cls(revision=str(values[0]), min_client=str(values[1]), made_by=str(made_by))


@dataclass(frozen=True)
class SchemaVerdict:
    """Whether this program may use a database, and if not what it needs.

    ``state``: ``current`` (the program's own revision), ``newer_compatible`` (upgraded
    by a newer program whose schema still works with this one), ``too_old`` (this program
    must be replaced by ``needed_version`` — None when the database does not say),
    ``behind`` (the administrator must upgrade the database) or ``empty`` (no schema).
    ``made_by``: the version that made a newer schema, when recorded.
    """

    state: SchemaState
    revision: str | None
    head: str
    client_version: str = CLIENT_VERSION
    needed_version: str | None = None
    made_by: str | None = None

    @property
    def usable(self) -> bool:
        """Whether a station may work on the database with this program."""
        return self.state in ("current", "newer_compatible")


def judge_schema(*, revision: str | None, head: str, known: Collection[str],
                 record: SchemaRecord | None,
                 client_version: str = CLIENT_VERSION) -> SchemaVerdict:
    """The rule: may a program at ``client_version`` (newest migration ``head``, all its
    migrations ``known``) use a database at ``revision`` with ``record``?"""
    if revision is None:
        return SchemaVerdict("empty", None, head, client_version)
    if revision == head:
        return SchemaVerdict("current", revision, head, client_version)
    if revision in known:
        return SchemaVerdict("behind", revision, head, client_version)
    if record is None or record.revision != revision:
        # Newer than this program, and nobody recorded what it needs.
        return SchemaVerdict("too_old", revision, head, client_version)
    if version_key(client_version) >= version_key(record.min_client):
        return SchemaVerdict("newer_compatible", revision, head, client_version,
                             made_by=record.made_by)
    return SchemaVerdict("too_old", revision, head, client_version,
                         needed_version=record.min_client, made_by=record.made_by)


def _setting(connection: Connection, key: str) -> str | None:
    # Two columns of one stable table, so that a program reads them from any schema.
    value = connection.execute(
        select(AppSetting.value).where(AppSetting.key == key)).scalar_one_or_none()
    return str(value) if value is not None else None


def read_record(connection: Connection) -> SchemaRecord | None:
    """The ``schema_compat`` record of the database (None if not written or unreadable)."""
    return SchemaRecord.from_json(_setting(connection, SCHEMA_SETTING_KEY))


def check_schema(engine: Engine) -> SchemaVerdict:
    """Judge the database behind ``engine`` for this program (one short read)."""
    head = schema.head_revision()
    with engine.connect() as connection:
        revision = _revision(connection)
        record = None
        if revision is not None and revision != head:
            record = read_record(connection)
    return judge_schema(revision=revision, head=head, known=known_revisions(),
                        record=record)


def _revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def known_revisions() -> frozenset[str]:
    """Every migration this program ships."""
    script = schema._script()  # noqa: SLF001 - the one place the migrations are listed
    return frozenset(s.revision for s in script.walk_revisions())


def _put_setting(uow: UnitOfWork, key: str, value: str | None, description: str) -> bool:
    """Write (or, with None, remove) a setting with its audit entry; True if it changed."""
    with uow:
        row = uow.session.execute(
            select(AppSetting).where(AppSetting.key == key)).scalar_one_or_none()
        before = row.value if row is not None else None
        if before == value:
            return False
        if row is None:
            assert value is not None
            row = AppSetting(key=key, value=value, description=description)
            uow.session.add(row)
            action = AuditAction.CREATE
        elif value is None:
            uow.session.delete(row)
            action = AuditAction.DELETE
        else:
            row.value = value
            action = AuditAction.UPDATE
        uow.flush()
        audit.record(uow, None, action, "app_setting", row.id, key,
                     {"before": before, "after": value})
        uow.commit()
        return True


def record_schema(engine: Engine) -> SchemaRecord | None:
    """Note in the database which program versions work with its schema (after an upgrade).

    Writes the ``schema_compat`` setting when it differs; run as the schema owner. Returns
    the record, or None for a database with no schema or at a revision this program does
    not know (a newer program keeps its own record).
    """
    with engine.connect() as connection:
        revision = _revision(connection)
    if revision is None or revision not in known_revisions():
        return None
    record = SchemaRecord(revision=revision, min_client=min_client_for(revision),
                          made_by=CLIENT_VERSION)
    with engine.connect() as connection:
        stored = read_record(connection)
    # An older program never lowers what a newer one recorded for the same revision.
    if stored is not None and stored.revision == revision and stored.min_client == \
            record.min_client and version_key(stored.made_by) >= version_key(CLIENT_VERSION):
        return stored
    _put_setting(UnitOfWork.for_engine(engine), SCHEMA_SETTING_KEY, record.to_json(),
                 "Program versions that work with this schema")
    return record


def record_schema_sql(dialect: str, revision: str) -> str:
    """The statements that write the ``schema_compat`` record, for a DBA's script (--sql)."""
    record = SchemaRecord(revision=revision, min_client=min_client_for(revision),
                          made_by=CLIENT_VERSION)
    value = record.to_json().replace("'", "''")
    if dialect == "mssql":
        return (
            f"DELETE FROM app_settings WHERE [key] = N'{SCHEMA_SETTING_KEY}';\n"
            "INSERT INTO app_settings ([key], value, description, version, created_at,"
            " updated_at)\n"
            f"VALUES (N'{SCHEMA_SETTING_KEY}', N'{value}',"
            " N'Program versions that work with this schema', 1, SYSUTCDATETIME(),"
            " SYSUTCDATETIME());\nGO\n")
    now = "CURRENT_TIMESTAMP"
    return (
        f"DELETE FROM app_settings WHERE key = '{SCHEMA_SETTING_KEY}';\n"
        "INSERT INTO app_settings (key, value, description, version, created_at, updated_at)\n"
        f"VALUES ('{SCHEMA_SETTING_KEY}', '{value}',"
        f" 'Program versions that work with this schema', 1, {now}, {now});\n")


# --------------------------------------------------------------------------- update location


def read_update_location(connection: Connection) -> str | None:
    """Where the administrator keeps the newer installer (a folder or a URL), or None."""
    text = _setting(connection, UPDATE_LOCATION_KEY)
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        value = text  # written by hand without quotes
    return value.strip() or None if isinstance(value, str) else None


def set_update_location(engine: Engine, location: str | None) -> bool:
    """Store (or with None or "" remove) the update location; True if it changed."""
    location = (location or "").strip() or None
    return _put_setting(
        UnitOfWork.for_engine(engine), UPDATE_LOCATION_KEY,
        json.dumps(location, ensure_ascii=False) if location else None,
        "Where stations find the newer StationCRM installer")


def is_url(location: str) -> bool:
    """A web (or file:) address rather than a folder path."""
    return bool(_URL_SCHEME.match(location)) or location.lower().startswith("file:")


@dataclass(frozen=True)
class Installer:
    """The newer installer found at the update location: a file path or a web address."""

    location: str
    version: str | None
    is_url: bool


def find_installer(location: str | None) -> Installer | None:
    """The installer to offer from the update location.

    A URL is offered as it is (a download page or the file itself). A folder gives its
    newest ``StationCRM-<version>-setup.exe`` (by version, then by date); a path to a file
    gives that file. None when nothing is there or the folder cannot be read.
    """
    if not location:
        return None
    if is_url(location):
        name = location.rstrip("/").rsplit("/", 1)[-1]
        match = INSTALLER_NAME.match(name)
        return Installer(location, match.group("version") if match else None, True)
    path = Path(location).expanduser()
    try:
        if path.is_file():
            match = INSTALLER_NAME.match(path.name)
            return Installer(str(path), match.group("version") if match else None, False)
        candidates: list[tuple[tuple[int, ...], float, Path, str]] = []
        for entry in path.iterdir():
            match = INSTALLER_NAME.match(entry.name)
            if match and entry.is_file():
                candidates.append((version_key(match.group("version")),
                                   entry.stat().st_mtime, entry, match.group("version")))
    except OSError as exc:
        log.warning("Cannot look for an installer in %s: %s", location, exc)
        return None
    if not candidates:
        return None
    _key, _mtime, newest, version = max(candidates, key=lambda c: (c[0], c[1]))
    return Installer(str(newest), version, False)


def join_sentences(*parts: str) -> str:
    """Sentences as one text: a space after English ones, nothing after Chinese 。！？）."""
    text = ""
    for part in parts:
        if not part:
            continue
        if text and not text.endswith(("。", "！", "？", "）", "：", "\n")):
            text += " "
        text += part
    return text


def offered(verdict: SchemaVerdict, installer: Installer | None) -> Installer | None:
    """The installer worth offering: none older than the version the database needs."""
    if (installer is not None and installer.version is not None
            and verdict.needed_version is not None
            and version_key(installer.version) < version_key(verdict.needed_version)):
        return None
    return installer


def too_old_message(verdict: SchemaVerdict, installer: Installer | None,
                    location: str | None) -> str:
    """What a program too old for the database tells the person (in their language)."""
    if verdict.needed_version is None:
        text = tr("The database was made for another version of StationCRM (schema "
                  "{current}, this program needs {head}). Ask the administrator to run "
                  "'stationcrm db upgrade', or install the matching program version.",
                  current=verdict.revision, head=verdict.head)
    else:
        text = tr("The database was upgraded for StationCRM {needed} (schema {current}). "
                  "This program is version {version} and cannot use it: install "
                  "StationCRM {needed} or newer.", needed=verdict.needed_version,
                  current=verdict.revision, version=verdict.client_version)
    if installer is not None:
        if offered(verdict, installer) is None:
            return join_sentences(text, tr(
                "The update location {location} holds only version {found}; ask the "
                "administrator to put the new installer there.",
                location=location or installer.location, found=installer.version))
        return join_sentences(text, tr("The installer is at {installer}.",
                                       installer=installer.location))
    if location:
        return join_sentences(text, tr(
            "No installer was found at the update location {location}; ask the "
            "administrator.", location=location))
    return join_sentences(text, tr("Ask the administrator for the installer."))

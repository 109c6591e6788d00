"""Database engines for a station, and plain-language reasons when the database is out of reach."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import subprocess
import sys
import weakref
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final, Literal
from urllib.parse import quote, quote_plus

from sqlalchemy import (
    URL,
    Connection,
    Engine,
    Table,
    TextClause,
    create_engine,
    event,
    func,
    insert,
    make_url,
    select,
    text,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry

from app import timeouts

# The error and the URL texts live in modules without SQLAlchemy, which the login window uses
# before this module is loaded; they are this module's too, as they always were ("X as X":
# re-exported, PEP 484).
from app.db_errors import DatabaseUnavailable as DatabaseUnavailable  # noqa: PLC0414
from app.db_errors import Reason as Reason  # noqa: PLC0414
from app.db_errors import Topic as _Topic
from app.dburl import DEFAULT_MSSQL_DRIVER as DEFAULT_MSSQL_DRIVER  # noqa: PLC0414
from app.dburl import ODBC_SECRET as _ODBC_SECRET
from app.dburl import redact_url as redact_url  # noqa: PLC0414
from app.dburl import without_password as without_password  # noqa: PLC0414

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS: Final = 5
SQLITE_BUSY_TIMEOUT_MS: Final = 10_000
_DEFAULT_PORTS: Final = {"postgresql": 5432, "mssql": 1433}
_DETAIL_MAX_CHARS: Final = 300

# --------------------------------------------------------------------------- URLs


def normalize_url(url: str | URL) -> URL:
    """The URL the station really connects with.

    `postgres://` and `postgresql://` use psycopg 3; `mssql://` uses pyodbc, and a
    server-style SQL Server URL with no driver gets Microsoft's ODBC Driver 18 with
    TrustServerCertificate=yes (office servers rarely have a CA-signed certificate).

    Raises:
        sqlalchemy.exc.ArgumentError: the text is not a database URL.
        ValueError: the port is not a number.
    """
    if isinstance(url, str):
        raw = url.strip()
        # SQLAlchemy refuses the "postgres://" spelling that libpq and hosting panels use.
        if raw.startswith("postgres://"):
            raw = "postgresql://" + raw.removeprefix("postgres://")
        parsed = make_url(raw)
    else:
        parsed = url
    if parsed.drivername == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername in ("mssql", "mssql+pyodbc"):
        parsed = parsed.set(drivername="mssql+pyodbc")
        keys = {key.lower() for key in parsed.query}
        # Mirrors SQLAlchemy's pyodbc connector: a host with no database is an ODBC DSN name.
        is_dsn = "dsn" in keys or (bool(parsed.host) and not parsed.database)
        if not keys & {"driver", "odbc_connect"} and not is_dsn:
            extra = {"driver": DEFAULT_MSSQL_DRIVER}
            if "trustservercertificate" not in keys:
                extra["TrustServerCertificate"] = "yes"
            parsed = parsed.update_query_dict(extra)
    return parsed


# A station URL may carry the prefix the DBA gave people's database logins; it is ours,
# not the driver's, and never reaches the driver.
LOGIN_PREFIX_KEY: Final = "login_prefix"


def personal_logins(url: str | URL) -> bool:
    """Whether people log in to this database with their own database login.

    True for a server address that names no user (``postgresql://server/stationcrm``), or
    that uses Windows integrated authentication (``Trusted_Connection=yes``): the user
    and password typed at the login dialog are then the database's to check. False for
    the embedded SQLite file and for a server URL with a shared user (older set-ups).
    """
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        return False
    return _windows_login(parsed) or not parsed.username


def _windows_login(url: URL) -> bool:
    """SQL Server integrated authentication: Windows says who connects."""
    query = {key.lower(): str(value).lower() for key, value in url.query.items()}
    return query.get("trusted_connection") == "yes"


def person_url(url: str | URL, username: str, password: str) -> URL:
    """The station URL with the person's database login in it (prefix applied).

    With Windows integrated authentication nothing is added: Windows says who it is.
    """
    parsed = normalize_url(url)
    prefix = str(parsed.query.get(LOGIN_PREFIX_KEY) or "")
    parsed = parsed.difference_update_query([LOGIN_PREFIX_KEY])
    if _windows_login(parsed):
        return parsed
    return parsed.set(username=f"{prefix}{username.strip()}", password=password)


def _secrets_of(url: URL | None) -> list[str]:
    """Every spelling of the URL's passwords, so they can be cut out of driver text."""
    found: list[str] = []
    if url is None:
        return found
    if url.password:
        found.append(str(url.password))
    odbc = url.query.get("odbc_connect")
    if isinstance(odbc, str):
        found += [match.group(2).strip("{}") for match in _ODBC_SECRET.finditer(odbc)]
    for key, value in url.query.items():
        if key.lower() in ("pwd", "password") and isinstance(value, str):
            found.append(value)
    spelled = {form for secret in found if secret for form in
               (secret, quote(secret, safe=""), quote_plus(secret))}
    return sorted(spelled, key=len, reverse=True)


def _scrub(message: str, secrets: list[str]) -> str:
    for secret in secrets:
        message = message.replace(secret, "***")
    return message


def server_of(url: str | URL) -> str:
    """What a message names as the server (host:port, data source or file), no secrets."""
    try:
        parsed = normalize_url(url)
    except (sa_exc.ArgumentError, ValueError):
        return redact_url(url)
    return _scrub(describe_server(parsed), _secrets_of(parsed))


def describe_server(url: URL) -> str:
    """host:port for a server database, the file path for SQLite; never the password."""
    backend = url.get_backend_name()
    if backend == "sqlite":
        database = url.database or ""
        return database if database and database != ":memory:" else "(in-memory database)"
    odbc = url.query.get("odbc_connect")
    if isinstance(odbc, str):
        match = re.search(r"(?i)\b(?:server|address|addr)\s*=\s*([^;]+)", odbc)
        if match:
            return match.group(1).strip().removeprefix("tcp:").replace(",", ":")
        dsn = re.search(r"(?i)\bdsn\s*=\s*([^;]+)", odbc)
        return dsn.group(1).strip() if dsn else "(ODBC connection string)"
    host: str | tuple[str, ...] | None = url.host or url.query.get("host")
    if isinstance(host, tuple):
        host = ",".join(host)
    host = host or "localhost"
    if backend == "mssql" and not url.database:
        return host  # the name of an ODBC data source (DSN)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    if url.port:
        return f"{host}:{url.port}"
    # A named SQL Server instance (HOST\SQLEXPRESS) finds its port through SQL Browser.
    if backend == "mssql" and "\\" in host:
        return host
    default = _DEFAULT_PORTS.get(backend)
    return f"{host}:{default}" if default else host


# --------------------------------------------------------------------------- classification


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception, the DBAPI error it wraps (`.orig`), and its causes and contexts."""
    seen: set[int] = set()
    pending = [exc]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for linked in (getattr(current, "orig", None), current.__cause__, current.__context__):
            if isinstance(linked, BaseException):
                pending.append(linked)


_SQLSTATE = re.compile(r"^[0-9A-Z]{5}$")
_BRACKETED_SQLSTATE = re.compile(r"\[([0-9A-Z]{5})\]")


def _sqlstates(errors: list[BaseException]) -> set[str]:
    states: set[str] = set()
    for error in errors:
        state = getattr(error, "sqlstate", None)  # psycopg
        if isinstance(state, str):
            states.add(state)
        args = getattr(error, "args", ())
        # pyodbc puts the SQLSTATE first: ('08001', '[08001] [FreeTDS]...')
        if args and isinstance(args[0], str) and _SQLSTATE.match(args[0]):
            states.add(args[0])
        states.update(_BRACKETED_SQLSTATE.findall(str(error)))
    return states


def _driver_text(errors: list[BaseException]) -> str:
    """The most specific error text: the DBAPI's own message rather than SQLAlchemy's wrapper."""
    for error in errors:
        if type(error).__module__.startswith("sqlalchemy"):
            continue
        args = error.args
        # pyodbc: ('08001', '[08001] [FreeTDS][SQL Server]Unable to connect ...')
        if len(args) == 2 and isinstance(args[0], str) and _SQLSTATE.match(args[0]):
            return str(args[1])
        return str(error)
    return str(errors[0]) if errors else ""


def _one_line(message: str) -> str:
    line = " ".join(message.split())
    if len(line) > _DETAIL_MAX_CHARS:
        line = line[: _DETAIL_MAX_CHARS - 1] + "…"
    return line


def _contains(haystack: str, *needles: str) -> bool:
    return any(needle in haystack for needle in needles)


_UNREACHABLE_STATES: Final = {"08001", "08S01", "HYT00", "08006", "57P01", "57P03"}
_UNREACHABLE_TEXT: Final = (
    "connection refused",
    "unable to connect",
    "could not connect",
    "could not translate host name",
    "failed to resolve host",
    "name or service not known",
    "nodename nor servname",
    "no such host is known",
    "timeout expired",
    "timed out",
    "no route to host",
    "network is unreachable",
    "adaptive server is unavailable",
    "server is not found or not accessible",
    "tcp provider",
    "named pipes provider",
    "communication link failure",
    "server closed the connection",
    "connection reset",
    "broken pipe",
    "the database system is starting up",
    "the database system is shutting down",
    "terminating connection due to administrator command",
    "is the server running",
)
_LOGIN_STATES: Final = {"28000", "28P01"}
_LOGIN_TEXT: Final = (
    "login failed",
    "password authentication failed",
    "no pg_hba.conf entry",
    "authentication failed",
    "password is required",
    "no password supplied",
)
_DRIVER_TEXT: Final = (
    "can't open lib",
    "data source name not found",
    "specified driver could not be loaded",
    "driver's sqlallochandle on sql_handle_env failed",
)


def _topic_for(errors: list[BaseException], backend: str) -> _Topic:
    if any(isinstance(error, ImportError) for error in errors):
        return "module_missing"
    states = _sqlstates(errors)
    words = " | ".join(str(error) for error in errors).lower()
    if backend == "sqlite":
        if _contains(words, "file is not a database", "database disk image is malformed"):
            return "not_a_database"
        # SQLITE_FULL ("database or disk is full") and the OS's ENOSPC text.
        if _contains(words, "database or disk is full", "no space left on device"):
            return "disk_full"
        # SQLITE_BUSY after the busy timeout: another connection holds the file's lock.
        if _contains(words, "database is locked", "database table is locked"):
            return "file_locked"
        if _contains(words, "unable to open database file", "readonly database", "disk i/o",
                     "permission denied", "is a directory", "not a directory"):
            return "file_unreachable"
        return "other"
    if "IM002" in states or _contains(words, *_DRIVER_TEXT):
        return "odbc_driver_missing"
    # Before the login check: SQL Server says "Cannot open database ... The login failed."
    if "3D000" in states or _contains(words, "cannot open database") or re.search(
        r'database "[^"]*" does not exist', words
    ):
        return "database_missing"
    if states & _LOGIN_STATES or _contains(words, *_LOGIN_TEXT) or re.search(
        r'role "[^"]*" does not exist', words
    ):
        return "login_refused"
    if states & _UNREACHABLE_STATES or _contains(words, *_UNREACHABLE_TEXT):
        return "unreachable"
    return "other"


def _missing_module(errors: list[BaseException], url: URL | None) -> str:
    for error in errors:
        if isinstance(error, ImportError) and error.name:
            return error.name
    if url is not None:
        return url.get_driver_name() or url.get_backend_name()
    return "database driver"


def describe_connection_error(
    exc: BaseException, url: str | URL | None
) -> DatabaseUnavailable:
    """Turn a connection failure into a DatabaseUnavailable with a message people can act on.

    Works from the whole exception chain: SQLAlchemy's DBAPIError, the driver error in
    `.orig` (psycopg's sqlstate, pyodbc's SQLSTATE in args[0]) and chained causes.
    With no URL (None or ""), the reason is still classified but the server is unknown.
    """
    if isinstance(exc, DatabaseUnavailable):
        return exc
    errors = list(_chain(exc))
    if url is None or not str(url).strip():
        # Callers that lost the URL (e.g. a dropped connection mid-commit) still get a reason.
        return DatabaseUnavailable(
            topic=_topic_for(errors, backend=""),
            server="",
            detail=_one_line(_driver_text(errors)),
        )
    try:
        parsed: URL | None = normalize_url(url)
    except (sa_exc.ArgumentError, ValueError):
        parsed = None
    secrets = _secrets_of(parsed)
    if parsed is None:
        # make_url raises ValueError from int() when the port is not a number.
        port_problem = isinstance(exc, ValueError) and "int()" in str(exc)
        return DatabaseUnavailable(
            topic="bad_url",
            server=redact_url(url),
            detail="the port is not a number" if port_problem else _one_line(str(exc)),
        )
    backend = parsed.get_backend_name()
    topic = _topic_for(errors, backend)
    driver_query = parsed.query.get("driver")
    driver: str | None = driver_query if isinstance(driver_query, str) else None
    if topic == "module_missing":
        driver = _missing_module(errors, parsed)
    database = parsed.database
    if topic == "database_missing" and not database:
        match = re.search(r'database "([^"]*)"', _driver_text(errors))
        database = match.group(1) if match else None
    return DatabaseUnavailable(
        topic=topic,
        server=_scrub(describe_server(parsed), secrets),
        database=_scrub(database, secrets) if database else None,
        user=parsed.username,
        driver=driver,
        detail=_one_line(_scrub(_driver_text(errors), secrets)),
    )


# --------------------------------------------------------------------------- the SQLite file


def sqlite_file(url: str | URL) -> Path | None:
    """The file of a SQLite URL; None for a server, an in-memory database or a file: URI."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    if parsed.query.get("uri"):
        return None
    return Path(database)


# Filesystems on which SQLite's WAL mode must not be used: WAL keeps its index in shared
# memory (the -shm file mapped by every connection), which only works when all of them run
# on one computer with one kernel's page cache. Network filesystems, and 9p (WSL's view of
# Windows drives, virtual machine shares), do not give that.
NETWORK_FILESYSTEMS: Final = frozenset({
    "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "ncpfs", "afs", "coda",
    "9p", "ceph", "glusterfs", "lustre", "gpfs", "ocfs2", "gfs2", "davfs", "webdav",
    "fuse.sshfs", "sshfs", "fuse.glusterfs", "fuse.cephfs", "fuse.davfs2", "fuse.rclone",
    "fuse.s3fs", "afpfs", "fuse.afpfs",
})
_DRIVE_REMOTE: Final = 4  # GetDriveTypeW: a network drive


def _existing_ancestor(path: Path) -> Path:
    """The path itself or the nearest folder above it that exists (a new file's folder)."""
    current = path.absolute()
    while not current.exists() and current.parent != current:
        current = current.parent
    return current


def _mount_of(path: str, mounts: list[tuple[str, str]]) -> str | None:
    """The filesystem type of the longest mount point that contains ``path``."""
    best, best_type = "", None
    for point, fs_type in mounts:
        inside = path == point or path.startswith(point.rstrip("/") + "/") or point == "/"
        if inside and len(point) >= len(best):
            best, best_type = point, fs_type
    return best_type


def _proc_mounts() -> list[tuple[str, str]]:
    mounts: list[tuple[str, str]] = []
    with open("/proc/mounts", encoding="utf-8", errors="replace") as handle:
        for line in handle:
            fields = line.split()
            if len(fields) >= 3:
                # Spaces in mount points are written as \040.
                mounts.append((fields[1].replace("\\040", " "), fields[2]))
    return mounts


def _mac_mounts() -> list[tuple[str, str]]:
    # "//user@nas/share on /Volumes/share (smbfs, nodev, nosuid, mounted by user)"
    output = subprocess.run(["/sbin/mount"], capture_output=True, text=True, timeout=5,
                            check=False).stdout
    found = re.findall(r" on (.+) \(([^,)]+)", output)
    return [(point, fs_type) for point, fs_type in found]


def on_network_share(path: Path) -> bool:
    """Whether ``path`` (or, for a file not made yet, its folder) is on a network filesystem.

    Windows: a UNC path (``\\\\server\\share\\...``) or a drive that GetDriveTypeW calls
    remote (a mapped network drive). Linux: the filesystem type in /proc/mounts of the
    mount the path is on (nfs, cifs, smb3, fuse.sshfs, 9p, ...). macOS: the same from
    ``mount``. When the answer cannot be found out, the disk is taken to be local.
    """
    if os.name == "nt":
        text_path = str(path)
        if text_path.startswith(("\\\\", "//")):
            return True
        import ctypes

        drive = os.path.splitdrive(os.path.abspath(text_path))[0]
        if drive.startswith(("\\\\", "//")):
            return True
        if not drive:
            return False
        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined,unused-ignore]
        return bool(kernel32.GetDriveTypeW(drive + "\\") == _DRIVE_REMOTE)
    try:
        where = os.path.realpath(_existing_ancestor(path))
        mounts = _mac_mounts() if sys.platform == "darwin" else _proc_mounts()
    except (OSError, subprocess.SubprocessError):
        return False
    fs_type = _mount_of(where, mounts)
    return fs_type is not None and fs_type.lower() in NETWORK_FILESYSTEMS


def sqlite_journal_mode(path: Path | None) -> Literal["WAL", "DELETE"]:
    """WAL on a local disk; the rollback journal (DELETE) on a network share.

    SQLite's documentation says WAL "does not work over a network filesystem": the WAL
    index lives in shared memory, so a second PC reading the same file sees a stale index
    and can read or write a corrupt database. In rollback-journal mode SQLite relies only
    on the file locks of the share, which is what the documentation allows (and warns is
    only as good as the share's locking). StationCRM does not refuse to run there: a
    single PC keeping its file on the office NAS (for the NAS's own backup) is common and
    safe in that mode; several PCs sharing one file is what a database server is for, and
    the README says so. The cost of DELETE mode is that readers and a writer wait for
    each other (the busy timeout covers that on one PC).
    """
    if path is None:
        return "WAL"
    return "DELETE" if on_network_share(path) else "WAL"


FileState = Literal["missing", "empty", "present"]
# What the SQLite file looked like when its engine was made, before anything connected
# (connecting creates a missing file and writes a header into an empty one).
_FILE_STATE: weakref.WeakKeyDictionary[Engine, FileState] = weakref.WeakKeyDictionary()


def _file_state(path: Path) -> FileState:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return "missing"
    except OSError:
        return "present"  # a file we cannot look at; opening it will say why
    return "empty" if size == 0 else "present"


def sqlite_file_state(engine: Engine) -> FileState | None:
    """How the engine's SQLite file was when make_engine made the engine: "missing",
    "empty" (zero bytes) or "present"; None for a server or an in-memory database."""
    path = sqlite_file(engine.url)
    if path is None:
        return None
    return _FILE_STATE.get(engine) or _file_state(path)


# --------------------------------------------------------------------------- engines


def _prepare_sqlite_folder(url: URL) -> None:
    path = sqlite_file(url)
    if path is None:
        return
    # Best effort: if the folder cannot be made, check_connection explains it in plain words.
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)


# The page cache of each SQLite connection, in KiB.
SQLITE_CACHE_KIB: Final = 65536


def _install_sqlite_hooks(engine: Engine, journal_mode: Literal["WAL", "DELETE"] = "WAL"
                          ) -> None:
    """Foreign keys, the journal mode, a busy timeout, and real transactions for pysqlite.

    The journal mode is WAL on a local disk and DELETE on a network share (see
    `sqlite_journal_mode`).

    pysqlite's legacy transaction handling skips BEGIN before SELECT, DDL and SAVEPOINT, so
    savepoints escape the outer transaction. SQLAlchemy's recipe: switch the driver's own
    BEGIN off and emit BEGIN ourselves when SQLAlchemy begins a transaction.

    The BEGIN is IMMEDIATE: a use case reads (permissions, the current row) before it
    writes, and in WAL mode a deferred transaction whose snapshot another connection has
    written past fails at its first write with "database is locked" at once — the busy
    timeout does not apply. Taking the write lock at BEGIN makes transactions wait their
    turn instead; the embedded file serves one PC, so serialising them costs little.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            # The busy timeout first: leaving WAL waits for other connections' locks.
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            # A page cache of up to SQLITE_CACHE_KIB, filled only as pages are read: with
            # the default 2 MB a large write (an import's chunk touches the search tables'
            # indexes all over) spilled its pages into the WAL again and again.
            cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
            mode = cursor.execute(f"PRAGMA journal_mode={journal_mode}").fetchone()
            got = str(mode[0]).upper() if mode else ""
            if got not in (journal_mode, "MEMORY"):
                log.warning("SQLite kept journal mode %s instead of %s for %s", got,
                            journal_mode, engine.url.database)
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        options = connection.get_execution_options()
        # A connection asked for AUTOCOMMIT (e.g. VACUUM) must not be wrapped in a transaction.
        if options.get("isolation_level") == "AUTOCOMMIT":
            return
        # A transaction that only reads (READ_ONLY_OPTIONS) takes no write lock: in WAL
        # mode it reads one snapshot and never waits for a station that is saving.
        connection.exec_driver_sql("BEGIN" if options.get(_READS_ONLY) else "BEGIN IMMEDIATE")


_READS_ONLY = "stationcrm_reads_only"

# An execution option for statements whose best plan depends on the values (search ranges,
# LIKE patterns, LIMIT): on PostgreSQL they are never prepared on the server.
PLAN_PER_RUN = "plan_per_run"


def read_only_options(engine: Engine) -> dict[str, Any]:
    """Execution options for a unit of work that only reads: lists, cards, statistics.

    On a server, autocommit: no BEGIN and ROLLBACK round trips (and psycopg forgets its
    prepared statements at every ROLLBACK), and a statement that finds the connection
    dead is run again on a new one (`_install_reconnect`). On SQLite, a deferred
    transaction instead of the IMMEDIATE one that writing use cases take (see
    `_install_sqlite_hooks`): a read never waits for a station that is saving, nor
    makes it wait.
    """
    if engine.dialect.name == "sqlite":
        return {_READS_ONLY: True}
    return {"isolation_level": "AUTOCOMMIT", _READS_ONLY: True}


def make_engine(url: str | URL, *, echo: bool = False, station: bool = False) -> Engine:
    """Create the engine for a database URL with the station's connection policy.

    Server databases get a 5-second connect timeout and no pre-ping: a connection the
    server dropped is found at its first use and replaced there (`_install_reconnect`),
    so a station survives a server restart without a round trip before every action.
    SQLite gets its folder created and the pragmas in
    `_install_sqlite_hooks`. ``station``: the engine a person works on, whose server
    connections get the time limits of app.timeouts (statement, lock, idle transaction,
    keep-alive); administration commands run without them.

    Raises:
        DatabaseUnavailable: the URL is not valid, or its Python driver module is missing.
    """
    try:
        given = normalize_url(url)
        limits = timeouts.from_url(given)
        parsed = given.difference_update_query([LOGIN_PREFIX_KEY, *timeouts.KEYS])
    except (sa_exc.ArgumentError, ValueError) as exc:
        raise describe_connection_error(exc, url) from exc
    backend = parsed.get_backend_name()
    options: dict[str, Any] = {"echo": echo}
    connect_args: dict[str, Any] = {}
    sqlite_path = sqlite_file(parsed) if backend == "sqlite" else None
    if backend == "sqlite":
        _prepare_sqlite_folder(parsed)
    if parsed.drivername == "postgresql+psycopg" and "connect_timeout" not in parsed.query:
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    if parsed.drivername == "mssql+pyodbc":
        options["fast_executemany"] = True
        connect_args["timeout"] = CONNECT_TIMEOUT_SECONDS  # pyodbc: the ODBC login timeout
    if connect_args:
        options["connect_args"] = connect_args
    try:
        engine = create_engine(parsed, **options)
    except ImportError as exc:
        raise describe_connection_error(exc, parsed) from exc
    except sa_exc.ArgumentError as exc:  # includes NoSuchModuleError: unknown dialect
        raise DatabaseUnavailable(
            topic="bad_url",
            server=redact_url(parsed),
            detail=_one_line(_scrub(str(exc), _secrets_of(parsed))),
        ) from exc
    if backend == "sqlite":
        journal_mode = sqlite_journal_mode(sqlite_path)
        if journal_mode != "WAL":
            log.info("%s is on a network share: rollback journal instead of WAL", sqlite_path)
        _install_sqlite_hooks(engine, journal_mode)
        if sqlite_path is not None:
            _FILE_STATE[engine] = _file_state(sqlite_path)
    if backend != "sqlite":
        _install_reconnect(engine)
    if station:
        timeouts.install(engine, limits)
    return engine


def _execute(cursor: Any, statement: str, parameters: Any, context: Any) -> None:
    """Run one statement as the dialect would.

    psycopg prepares a statement on the server after its fifth run, and PostgreSQL soon
    plans a prepared statement once for any values: the customer list's pinyin search
    went from 1.6 ms to 44 ms per keystroke after ten searches on 100 000 customers.
    Statements marked PLAN_PER_RUN skip that and are planned for their own values; the
    others keep their prepared plans (row security makes planning cost up to 1 ms)."""
    dialect = context.dialect
    if parameters is None:
        dialect.do_execute_no_params(cursor, statement, context)
    elif dialect.driver == "psycopg" and context.execution_options.get(PLAN_PER_RUN):
        cursor.execute(statement, parameters, prepare=False)
    else:
        dialect.do_execute(cursor, statement, parameters, context)


# An execution option for the last statement of a transaction whose result nobody reads
# (the unit of work's audit rows): on psycopg it goes in one round trip with the COMMIT.
WITH_COMMIT = "stationcrm_with_commit"


# An execution option of a unit of work's connection (`Ahead`): statements of the
# transaction sent ahead, with the next statement that goes to the server.
AHEAD = "stationcrm_ahead"
# An execution option: record the statement in the connection's `Ahead` instead of
# running it (`UnitOfWork.read_ahead`).
CAPTURE = "stationcrm_capture"


class Captured(Exception):  # noqa: N818  # not an error: the statement waits for a ride
    """Raised instead of running a statement recorded in an `Ahead`."""


class _Early:
    """A statement sent ahead: its text and parameters as SQLAlchemy made them, then the
    driver's cursor holding its results (or the error it met) until it is run."""

    __slots__ = ("cursor", "error", "parameters", "prepare", "statement")

    def __init__(self, statement: str, parameters: Any, prepare: bool | None) -> None:
        self.statement, self.parameters, self.prepare = statement, parameters, prepare
        self.cursor: Any = None
        self.error: BaseException | None = None


class Ahead:
    """Statements a unit of work runs later in its transaction whose parameters do not
    depend on what comes before them (the rest of a card, a document number, the rows
    inserted at the commit), sent on psycopg in one pipeline with the next statement
    that goes to the server, after it. When the transaction runs one of them, it gets
    the results already there instead of a round trip (same text, same parameters); one
    never run is simply dropped with the transaction (its effects too, on a rollback)."""

    def __init__(self) -> None:
        self.entries: list[_Early] = []

    def take(self, statement: str, parameters: Any, connection: Any) -> _Early | None:
        """The entry for this statement, out of the list: sent on ``connection`` (then
        its results are there) or not (then it is run now)."""
        for early in self.entries:
            if early.statement == statement and early.parameters == parameters:
                self.entries.remove(early)
                if early.cursor is not None and early.cursor.connection is connection:
                    return early
                return None
        return None

    def unsent(self, connection: Any) -> list[_Early]:
        return [e for e in self.entries
                if e.cursor is None or e.cursor.connection is not connection]

    def failure(self, connection: Any) -> BaseException | None:
        """The error an entry sent on ``connection`` met, if its transaction is failed by
        it: every later statement would only be refused for that."""
        from psycopg.pq import TransactionStatus

        if connection.info.transaction_status != TransactionStatus.INERROR:
            return None
        return next((e.error for e in self.entries
                     if e.error is not None and e.cursor.connection is connection), None)


def sends_ahead(engine: Engine) -> bool:
    """Whether statements go ahead in a pipeline on ``engine`` (psycopg): elsewhere
    `Ahead` is not used and each statement runs when it is asked for."""
    if engine.dialect.driver != "psycopg":
        return False
    import psycopg

    return _pipeline_class() is not None and psycopg.Pipeline.is_supported()


def waits_on_server(engine: Engine) -> bool:
    """Whether the program waits for a server's answers (not an in-process SQLite file):
    pure-Python work in a second thread then runs while the first waits, without taking
    turns for the interpreter lock at every row as it would beside SQLite's C code."""
    return bool(engine.dialect.name != "sqlite")


# The statements giving new ids of a table from its sequence (PostgreSQL), per table.
_ID_STATEMENTS: weakref.WeakKeyDictionary[Table, TextClause | None] = \
    weakref.WeakKeyDictionary()


def ids_statement(engine: Engine, table: Table) -> TextClause | None:
    """A statement giving ``:n`` new ids of ``table`` at once (one per row, in no order),
    for a table whose INSERT does not return its id (``implicit_returning=False``), on a
    driver that sends statements ahead (`sends_ahead`): on PostgreSQL
    ``SELECT nextval(...) FROM generate_series(1, :n)`` from the sequence SQLAlchemy
    itself takes each row's id from (``select nextval(...)`` once per row). None for any
    other table or database: SQLite and SQL Server take the id from the INSERT."""
    if table.implicit_returning or not sends_ahead(engine):
        return None
    return _sequence_ids(engine.dialect, table)


def _sequence_ids(dialect: Any, table: Table) -> TextClause | None:
    """``SELECT nextval(...) FROM generate_series(1, :n)`` on the sequence of ``table``'s
    SERIAL id (PostgreSQL); None elsewhere or for a table without one."""
    if dialect.name != "postgresql":
        return None
    if table in _ID_STATEMENTS:
        return _ID_STATEMENTS[table]
    statement: TextClause | None = None
    column = table.autoincrement_column
    if (column is not None and column.primary_key and column.default is None
            and column.server_default is None):
        # As SQLAlchemy's PostgreSQL dialect names a SERIAL column's sequence
        # (PGExecutionContext.get_insert_default).
        name = getattr(column, "_postgresql_seq_name", None)
        if name is None:
            tab, col = table.name, column.name
            tab = tab[0: 29 + max(0, (29 - len(col)))]
            col = col[0: 29 + max(0, (29 - len(tab)))]
            name = f"{tab}_{col}_seq"
        preparer = dialect.identifier_preparer
        qualified = preparer.quote(name)
        if table.schema is not None:
            qualified = f"{preparer.quote_schema(table.schema)}.{qualified}"
        literal = "'" + qualified.replace("'", "''") + "'"
        statement = text(f"SELECT nextval({literal}) FROM generate_series(1, :n)")
    _ID_STATEMENTS[table] = statement
    return statement


def insert_with_ids(connection: Connection, table: Table, rows: list[dict[str, Any]]
                    ) -> list[int]:
    """Insert ``rows`` (alike: the same columns) into ``table`` and return their new ids,
    in the order of ``rows``, each row's also put in it under ``id``: a bulk load
    (an import's chunk) that needs the ids for the rows that refer to these.

    Where the ids come from a sequence (PostgreSQL) they are taken first, in one
    statement, and the rows go in one batch without RETURNING: a fifth of the time of
    SQLAlchemy's sorted RETURNING, which renders every value into the statement. On
    SQLite they are the largest id's successors (below), where RETURNING took a statement
    a row. On SQL Server the INSERT returns them (OUTPUT, sorted by SQLAlchemy's
    sentinel)."""
    if not rows:
        return []
    taking = _sequence_ids(connection.dialect, table)
    returned = taking is None and connection.dialect.name != "sqlite"
    if returned:
        result = connection.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
        ids = [row[0] for row in result]
    elif taking is not None:
        ids = sorted(connection.execute(taking, {"n": len(rows)}).scalars())
    else:
        # SQLite: one writer at a time (a writing transaction holds the lock from its
        # BEGIN IMMEDIATE), and no AUTOINCREMENT: the ids it would give are the largest
        # one's successors, taken here at once rather than by a RETURNING statement a row.
        last = int(connection.execute(
            select(func.coalesce(func.max(table.c.id), 0))).scalar_one())
        ids = list(range(last + 1, last + 1 + len(rows)))
    for row, new in zip(rows, ids, strict=True):
        row["id"] = new
    if not returned:
        insert_many(connection, table, rows)
    return ids


def _array_type(column: Any, dialect: Any) -> str:
    """The SQL type of ``column`` as an array's element type (no collation)."""
    return re.sub(r'\s+COLLATE\s+("[^"]*"|\S+)', "", str(column.type.compile(dialect=dialect)))


# Per table and column names: the INSERT … SELECT FROM unnest(…) of `insert_many`.
_UNNEST: dict[tuple[Table, tuple[str, ...]], TextClause] = {}


def table_of(model: Any) -> Table:
    """The table a mapped class writes to (for the bulk inserts here)."""
    table = sa_inspect(model).local_table
    assert isinstance(table, Table)
    return table


def insert_many(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many ``rows`` of plain values (text, numbers; the same keys in each) into
    ``table``: the search keys and suffixes of an import's chunk, tens of thousands.

    On PostgreSQL one ``INSERT … SELECT * FROM unnest(:a, :b, …)`` with a list per column:
    the driver sends each list as one array, where a batch of single-row INSERTs costs the
    program a few microseconds a row and the server a statement a row (100 000 rows of
    search keys and phone suffixes as a station's login: 3.1 s against 4.5 s); from
    COPY_FROM_ROWS rows into a table without row security, COPY (`_copy_rows`).
    Elsewhere one executemany (multi-row INSERT … VALUES statements instead made an
    import of 10 000 customers take twice as long: each is compiled anew)."""
    if not rows:
        return
    names = tuple(rows[0])
    if connection.dialect.name == "sqlite" and _plain(connection.dialect, table, names):
        # The driver's own executemany, without SQLAlchemy building each row's parameters
        # (a sixth of a SQLite import's time: the search tables' 57 rows a customer).
        preparer = connection.dialect.identifier_preparer
        columns = ", ".join(preparer.quote(name) for name in names)
        connection.exec_driver_sql(
            f"INSERT INTO {preparer.format_table(table)} ({columns}) "
            f"VALUES ({', '.join('?' for _ in names)})",
            [tuple(row[name] for name in names) for row in rows])
        return
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), rows)
        return
    if len(rows) >= COPY_FROM_ROWS and _copies(connection, table):
        _copy_rows(connection, table, names, rows)
        return
    statement = _UNNEST.get((table, names))
    if statement is None:
        dialect = connection.dialect
        arrays = ", ".join(f"CAST(:{name} AS {_array_type(table.c[name], dialect)}[])"
                           for name in names)
        preparer = dialect.identifier_preparer
        columns = ", ".join(preparer.quote(name) for name in names)
        statement = text(f"INSERT INTO {preparer.format_table(table)} ({columns}) "
                         f"SELECT * FROM unnest({arrays})")
        _UNNEST[(table, names)] = statement
    connection.execute(statement, {name: [row[name] for row in rows] for name in names})


def _plain(dialect: Any, table: Table, names: tuple[str, ...]) -> bool:
    """Whether ``table``'s columns ``names`` take their values as they are on ``dialect``
    (no bind processing: text and integers, not timestamps or decimals)."""
    return all(table.c[name].type._cached_bind_processor(dialect) is None for name in names)


# From how many rows `insert_many` streams them with COPY: an import's chunk, not a save
# at a station (a card's phone suffixes), where COPY's two round trips would cost more than
# one INSERT, which can also travel with the statements around it.
COPY_FROM_ROWS: Final = 1000

# Per engine: the tables row security is on for (COPY FROM is refused on them).
_SECURED_TABLES: weakref.WeakKeyDictionary[Engine, frozenset[str]] = \
    weakref.WeakKeyDictionary()


def _copies(connection: Connection, table: Table) -> bool:
    """Whether ``insert_many`` may stream ``table``'s rows with COPY: psycopg, a
    transaction open on the server with nothing waiting to be sent ahead of the next
    statement (COPY bypasses SQLAlchemy), and a table row security never covers (COPY FROM
    is refused on those): none of app.security.catalog's row rules, and none the database
    has secured otherwise (read from its catalog once per engine)."""
    if connection.dialect.driver != "psycopg" or not connection.in_transaction():
        return False
    from psycopg.pq import TransactionStatus

    raw = connection.connection.driver_connection
    if raw is None or raw.info.transaction_status != TransactionStatus.INTRANS:
        return False
    ahead: Ahead | None = connection.get_execution_options().get(AHEAD)
    if ahead is not None and ahead.unsent(raw):
        return False
    from app.security.catalog import ROW_RULES

    if any(rule.table == table.name for rule in ROW_RULES):
        # Secured by `stationcrm db security`, maybe after this station started: never
        # streamed, so that a station started before cannot meet COPY's refusal.
        return False
    engine = connection.engine
    secured = _SECURED_TABLES.get(engine)
    if secured is None:
        secured = frozenset(connection.execute(text(
            "SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relrowsecurity"
            " AND c.relnamespace = pg_catalog.to_regnamespace(current_schema())")).scalars())
        _SECURED_TABLES[engine] = secured
    return table.name not in secured


def _copy_rows(connection: Connection, table: Table, names: tuple[str, ...],
               rows: list[dict[str, Any]]) -> None:
    """``rows`` into ``table`` with COPY … FROM STDIN: the rows stream to the server while
    they are written, at a third less of the server's time a row than an INSERT (search
    keys of 10 000 customers as a station's login: 1 s of 13 saved). Errors come as the
    statements' would (sqlalchemy.exc.IntegrityError, …)."""
    copy_tuples(connection, copy_statement(connection.dialect, table, names),
                (tuple(row[name] for name in names) for row in rows))


def copy_statement(dialect: Any, table: Table, names: Sequence[str]) -> str:
    """``COPY table (names) FROM STDIN`` for ``dialect``'s quoting (PostgreSQL)."""
    preparer = dialect.identifier_preparer
    columns = ", ".join(preparer.quote(name) for name in names)
    return f"COPY {preparer.format_table(table)} ({columns}) FROM STDIN"


def copy_tuples(connection: Connection, statement: str, rows: Iterable[Sequence[Any]]
                ) -> None:
    """Stream ``rows`` (values in the statement's column order, as COPY's text takes
    them) through ``statement`` on the connection's psycopg connection and transaction."""
    import psycopg

    raw = connection.connection.driver_connection
    assert raw is not None
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    except psycopg.Error as exc:
        raise sa_exc.DBAPIError.instance(statement, None, exc, psycopg.Error) from exc


def _prepare(context: Any) -> bool | None:
    return False if context.execution_options.get(PLAN_PER_RUN) else None


def _send(cursor: Any, statement: str, parameters: Any, context: Any, *,
          pooled: bool = True) -> None:
    """Run one statement; on psycopg, the BEGIN of the transaction it opens, the
    statements sent ahead that have not gone yet (`Ahead`, after it) and the COMMIT it
    ends with (``WITH_COMMIT``) go in the same round trip (a pipeline). A statement sent
    ahead already is not sent again: its results are handed to SQLAlchemy.

    psycopg (outside autocommit) sends BEGIN on its own and waits for the answer before the
    transaction's first statement: a round trip for nothing in every transaction. Here the
    BEGIN psycopg would have sent (same isolation level) goes in a pipeline with that
    statement. The connection stays in psycopg's autocommit mode for the rest of the
    transaction (psycopg still sends the COMMIT or ROLLBACK, as the server is in a
    transaction), so every statement that opens a later transaction comes through here
    to bring its BEGIN. A statement without parameters (it may be a script, which cannot
    go in a pipeline) or on a server-side cursor gets psycopg's own BEGIN.

    The pipeline is `_pipeline`'s: it ends with a Sync and nothing after it, so the server
    starts its idle-in-transaction timer (app.timeouts). psycopg's own pipeline sends a
    Flush after the Sync, and PostgreSQL (15 at least) stops the timer at every message it
    reads but starts it only when it sends ReadyForQuery: a station that vanished then
    held its locks for good (tests/services/test_timeouts.py). ``pooled`` False: a
    statement of the dialect's own checks on a new connection.
    """
    connection = cursor.connection
    ahead: Ahead | None = context.execution_options.get(AHEAD) if pooled else None
    along: list[_Early] = []
    if ahead is not None and ahead.entries and _is_psycopg(context):
        if (failed := ahead.failure(connection)) is not None:
            raise failed
        early = ahead.take(statement, parameters, connection)
        if early is not None:
            # Sent ahead: its results (or its error) are already here.
            if early.error is not None:
                raise early.error
            context.cursor = early.cursor
            return
        along = ahead.unsent(connection)
    opens = pooled and _opens_transaction(cursor, context)
    commits = bool(context.execution_options.get(WITH_COMMIT)) and _is_psycopg(context)
    if not (opens or commits or along):
        _execute(cursor, statement, parameters, context)
        return
    if parameters is None or not _pipelines(cursor):
        if opens:
            connection.autocommit = False  # psycopg sends the BEGIN itself
        _execute(cursor, statement, parameters, context)
        return
    import psycopg

    try:
        with _pipelined(connection, opens=opens):
            _execute(cursor, statement, parameters, context)
            _send_along(along, connection)
            if commits:
                # psycopg's commit() then finds the server out of the transaction: it
                # sends nothing more. An error of a statement (or of a deferred trigger
                # at COMMIT) is raised at the end of the pipeline; the unit of work
                # rolls back.
                connection.execute("COMMIT", prepare=False)
    except psycopg.Error as exc:
        if commits or not along or cursor.pgresult is None:
            raise
        _keep_error(along, exc, connection)


@contextlib.contextmanager
def _pipelined(connection: Any, *, opens: bool) -> Iterator[None]:
    """`_pipeline` on ``connection``, led by the BEGIN psycopg would have sent on its own
    when the statements in it open a transaction (``opens``)."""
    begin = _begin_command(connection) if opens else None
    if opens:
        connection.autocommit = True
    with _pipeline(connection):
        if begin is not None:
            connection.execute(begin, prepare=False)
        yield


def _send_along(along: list[_Early], connection: Any) -> None:
    """Send the statements sent ahead, in the pipeline open on ``connection``."""
    for early in along:
        early.cursor, early.error = connection.cursor(), None
        early.cursor.execute(early.statement, early.parameters, prepare=early.prepare)


def _keep_error(along: list[_Early], exc: BaseException, connection: Any) -> None:
    """The statement itself ran; one sent ahead with it did not: its error is raised when
    the transaction runs it (or anything else, the transaction being failed by it)."""
    for early in along:
        if early.cursor is None or early.cursor.pgresult is None:
            early.error = exc
            early.cursor = early.cursor or connection.cursor()


def _send_many(cursor: Any, statement: str, parameters: Any, context: Any) -> None:
    """A batch (executemany), which psycopg sends in a pipeline of its own: in `_pipeline`
    instead, so that the server's idle-in-transaction timer runs after it too (see
    `_send`); the BEGIN of a transaction it opens and the statements sent ahead that have
    not gone yet (`Ahead`, after it) go with it."""
    connection = cursor.connection
    ahead: Ahead | None = context.execution_options.get(AHEAD)
    along: list[_Early] = []
    if ahead is not None and ahead.entries:
        if (failed := ahead.failure(connection)) is not None:
            raise failed
        along = ahead.unsent(connection)
    import psycopg

    try:
        with _pipelined(connection, opens=_opens_transaction(cursor, context)):
            context.dialect.do_executemany(cursor, statement, parameters, context)
            _send_along(along, connection)
    except psycopg.Error as exc:
        # A batch keeps no result to tell whether it ran: when none of the statements
        # sent with it did, the error is the batch's (or the first one's, raised here).
        if all(early.cursor is None or early.cursor.pgresult is None for early in along):
            raise
        _keep_error(along, exc, connection)


def _is_psycopg(context: Any) -> bool:
    return bool(context.dialect.driver == "psycopg")


def _opens_transaction(cursor: Any, context: Any) -> bool:
    """On psycopg: the statement is the first of a transaction SQLAlchemy began."""
    if not _is_psycopg(context):
        return False
    if context.execution_options.get("isolation_level") == "AUTOCOMMIT":
        return False
    from psycopg.pq import TransactionStatus

    return bool(cursor.connection.info.transaction_status == TransactionStatus.IDLE)


def _pipelines(cursor: Any) -> bool:
    import psycopg

    return (_pipeline_class() is not None and psycopg.Pipeline.is_supported()
            and not isinstance(cursor, psycopg.ServerCursor))


def _begin_command(connection: Any) -> str:
    """The BEGIN psycopg would send for the connection (its isolation level, read only,
    deferrable)."""
    words = ["BEGIN"]
    if connection.isolation_level is not None:
        words.append("ISOLATION LEVEL " + connection.isolation_level.name.replace("_", " "))
    if connection.read_only is not None:
        words.append("READ ONLY" if connection.read_only else "READ WRITE")
    if connection.deferrable is not None:
        words.append("DEFERRABLE" if connection.deferrable else "NOT DEFERRABLE")
    return " ".join(words)


_PIPELINE_CLASS: list[Any] = []


def _pipeline_class() -> Any:
    """psycopg's Pipeline, ending with a Sync and nothing after it; None if this psycopg
    does not have the parts it changes (then nothing is pipelined)."""
    if _PIPELINE_CLASS:
        return _PIPELINE_CLASS[0]
    import psycopg

    base = psycopg.Pipeline
    needed = ("_exit_gen", "_enqueue_sync", "_communicate_gen", "_fetch_gen")
    if not all(hasattr(base, name) for name in needed):
        log.warning("psycopg %s: BEGIN is sent on its own", psycopg.__version__)
        _PIPELINE_CLASS.append(None)
        return None

    class SyncedPipeline(base):  # type: ignore[misc,valid-type]
        """At its end: a Sync if anything is still to be sent or read, then the results
        read without the Flush psycopg sends after the Sync (which stops the server's
        idle-in-transaction timer). The Sync already makes the server send everything."""

        def _exit_gen(self) -> Any:
            if not self.command_queue and not self.result_queue:
                return
            self._enqueue_sync()
            try:
                yield from self._communicate_gen()
            finally:
                yield from self._fetch_gen(flush=False)

    _PIPELINE_CLASS.append(SyncedPipeline)
    return SyncedPipeline


def _pipeline(connection: Any) -> Any:
    """``connection.pipeline()`` with `_pipeline_class`'s pipeline."""
    if connection._pipeline is None:
        connection._pipeline = _pipeline_class()(connection)
    return connection.pipeline()


# In a pooled connection's info while nothing has been sent on it since its checkout.
_UNUSED = "stationcrm_unused"


def _install_reconnect(engine: Engine) -> None:
    """Replace a server connection found dead at its first use, instead of pinging it
    before every use (``pool_pre_ping`` costs a round trip per action).

    A station's idle pooled connection dies when the server restarts or the line drops;
    the first statement sent on it then fails. What is retried, once, on a new
    connection:

    * the first statement after the connection left the pool: nothing of this unit of
      work reached the server yet (the transaction, if any, begins with it), so running
      it on a new connection is what a pre-ping would have done;
    * any statement of a unit of work that only reads (``read_only_options``): in
      autocommit each statement stands alone and changes nothing.

    A write that loses its connection later is not retried: the server rolled it back,
    and the SQLAlchemy error (the connection invalidated) reaches the unit of work,
    which reports the lost connection as before. The dead connection is closed and the
    pool's older connections are replaced at their next checkout, as a failed pre-ping
    would do.

    Every statement goes through `_send` (and every batch through `_send_many`), so that
    on psycopg a transaction's BEGIN travels with its first statement, and statements
    sent ahead with the next one. A statement captured for an `Ahead` (``CAPTURE``) is
    recorded there and not run (`Captured` tells the unit of work).
    """
    dialect = engine.dialect

    @event.listens_for(engine, "checkout")
    def _unused(_dbapi: DBAPIConnection, record: ConnectionPoolEntry, _proxy: Any) -> None:
        record.info[_UNUSED] = True

    def run(cursor: Any, statement: str, parameters: Any, context: Any) -> bool:
        if context.execution_options.get(CAPTURE):
            context.execution_options[AHEAD].entries.append(
                _Early(statement, parameters, _prepare(context)))
            raise Captured
        fairy = context.root_connection.connection
        try:
            first = bool(fairy.info.pop(_UNUSED, False))
        except NotImplementedError:
            # The dialect's own checks on a new connection (no pool entry): not retried.
            _send(cursor, statement, parameters, context, pooled=False)
            return True
        try:
            _send(cursor, statement, parameters, context)
            return True
        except Exception as exc:
            retry = first or bool(context.execution_options.get(_READS_ONLY))
            if not (retry and isinstance(exc, dialect.loaded_dbapi.Error)
                    and dialect.is_disconnect(exc, fairy.dbapi_connection, cursor)):
                raise
            log.info("the database connection was lost (%s); reconnecting",
                     _one_line(str(exc)))
            try:
                _replace_connection(fairy, exc, context)
            except Exception:
                # The server cannot be reached now: report the lost connection itself.
                raise exc from None
            context.cursor = cursor = context.create_cursor()
            _send(cursor, statement, parameters, context)
            return True

    @event.listens_for(engine, "do_execute")
    def _on_execute(cursor: Any, statement: str, parameters: Any, context: Any) -> bool:
        return run(cursor, statement, parameters, context)

    @event.listens_for(engine, "do_execute_no_params")
    def _on_execute_no_params(cursor: Any, statement: str, context: Any) -> bool:
        return run(cursor, statement, None, context)

    @event.listens_for(engine, "do_executemany")
    def _on_executemany(cursor: Any, statement: str, parameters: Any, context: Any) -> bool:
        # Something was sent: a later statement of this transaction is not its first.
        with contextlib.suppress(NotImplementedError):
            context.root_connection.connection.info.pop(_UNUSED, None)
        if not (_is_psycopg(context) and _pipelines(cursor)):
            if _opens_transaction(cursor, context):
                cursor.connection.autocommit = False  # psycopg sends the BEGIN itself
            return False
        _send_many(cursor, statement, parameters, context)
        return True


def _replace_connection(fairy: Any, exc: BaseException, context: Any) -> None:
    """Give the checked-out pool entry a new DBAPI connection, as the pool's pre-ping
    does on checkout (``_ConnectionFairy._checkout``), with the isolation level the
    SQLAlchemy connection asked for (autocommit for a read-only unit of work)."""
    record = fairy._connection_record
    record.invalidate(exc)
    # The other idle connections went with the server: replace them at their checkout.
    fairy._pool._invalidate(fairy, exc, _checkin=False)
    fairy.dbapi_connection = record.get_connection()
    level = context.execution_options.get("isolation_level")
    if level is not None:
        context.dialect.set_isolation_level(fairy.dbapi_connection, level)


def _is_connection_failure(exc: BaseException) -> bool:
    if isinstance(exc, sa_exc.DBAPIError | ImportError | OSError):
        return True
    module = type(exc).__module__
    return module in ("pyodbc", "sqlite3") or module.startswith("psycopg")


def check_connection(engine: Engine) -> None:
    """Open a connection and run SELECT 1.

    Raises:
        DatabaseUnavailable: the database cannot be reached or used; `message` says why.
    """
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DatabaseUnavailable:
        raise
    except Exception as exc:
        if not _is_connection_failure(exc):
            raise
        raise describe_connection_error(exc, engine.url) from exc


# Exceptions from these packages during a read mean the database misbehaved, not our code.
_DRIVER_PACKAGES = frozenset({"sqlalchemy", "psycopg", "psycopg2", "pyodbc", "sqlite3"})


def lost_connection(exc: BaseException, url: str | URL) -> DatabaseUnavailable | None:
    """The connection failure behind ``exc``, if a driver raised it; None for other errors.

    Services translate failures on commit; a plain read that loses the server raises the
    driver's own error, recognised here by the package it comes from.
    """
    package = type(exc).__module__.split(".", 1)[0]
    if package not in _DRIVER_PACKAGES:
        return None
    described = describe_connection_error(exc, url)
    return None if described.reason == "other" else described

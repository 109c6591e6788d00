"""The ``stationcrm`` command line: database administration now, the GUI launcher later.

Exit codes: 0 success, 1 the check found differences, 2 an error (one line on stderr).
Set ``STATIONCRM_DEBUG=1`` to get the traceback instead of the one-line error.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import create_engine, make_url, pool
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

import app
from app import schema

EXIT_OK = 0
EXIT_DIFFERS = 1
EXIT_ERROR = 2
DEFAULT_DB_URL = "sqlite:///stationcrm.sqlite3"

Handler = Callable[[argparse.Namespace], int]


def resolve_db_url(flag_db: str | None) -> str:
    """The database URL: ``app.settings.load_settings`` if present, else flag > env > default."""
    try:
        settings_module = importlib.import_module("app.settings")
    except ModuleNotFoundError as exc:
        if exc.name != "app.settings":
            raise
        settings_module = None
    load_settings = getattr(settings_module, "load_settings", None)
    if load_settings is not None:
        return str(load_settings(flag_db=flag_db).db_url)
    return flag_db or os.environ.get("STATIONCRM_DB_URL") or DEFAULT_DB_URL


def _shown(url: str) -> str:
    """The URL with its password masked, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def _require_existing_sqlite_file(url: str) -> None:
    # Connecting to a missing SQLite file creates it; a check must not leave one behind.
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return
    if database.startswith("file:") or parsed.query.get("uri"):
        return
    if not Path(database).exists():
        raise schema.SchemaError(f"the database file {database} does not exist")


# --- commands: one function per command, each returns the exit code ---------------------


def _cmd_db_upgrade(args: argparse.Namespace) -> int:
    url = resolve_db_url(args.db)
    if args.sql:
        schema.upgrade_sql(url, sys.stdout, revision=args.revision)
        return EXIT_OK
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        before = schema.current_revision(engine)
        schema.upgrade(engine, revision=args.revision)
        after = schema.current_revision(engine)
    finally:
        engine.dispose()
    if before == after:
        print(f"{_shown(url)}: schema already at revision {after}; nothing to do")
    else:
        print(f"{_shown(url)}: schema upgraded from {before or '(empty)'} to {after}")
    return EXIT_OK


def _cmd_db_check(args: argparse.Namespace) -> int:
    url = resolve_db_url(args.db)
    _require_existing_sqlite_file(url)
    problems = schema.check(url)
    if not problems:
        print("Schema matches the models")
        return EXIT_OK
    print(f"Schema differs from the models ({len(problems)}):")
    for problem in problems:
        print(f"  - {problem}")
    return EXIT_DIFFERS


# --- parser ------------------------------------------------------------------------------


def _add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="URL",
        help="database URL (default: the station settings, STATIONCRM_DB_URL, or"
        f" {DEFAULT_DB_URL})",
    )


def _print_help_of(parser: argparse.ArgumentParser) -> Handler:
    def handler(args: argparse.Namespace) -> int:
        parser.print_help()
        return EXIT_OK

    return handler


def _add_db_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = commands.add_parser("db", help="create, upgrade and check the database schema")
    db.set_defaults(handler=_print_help_of(db))
    db_commands = db.add_subparsers(title="database commands", metavar="COMMAND")

    upgrade = db_commands.add_parser(
        "upgrade",
        help="create or upgrade the schema",
        description="Create the schema in an empty database or upgrade it to the newest"
        " revision. With --sql, print the DDL for a DBA instead (nothing connects).",
    )
    _add_db_option(upgrade)
    upgrade.add_argument(
        "--sql", action="store_true", help="print the SQL instead of running it (offline)"
    )
    upgrade.add_argument(
        "--revision", default="head", metavar="REV", help="target revision (default: head)"
    )
    upgrade.set_defaults(handler=_cmd_db_upgrade)

    check = db_commands.add_parser(
        "check",
        help="compare the database schema with the models",
        description="Exit 0 if the database is fully migrated and matches the models,"
        " 1 and the differences otherwise.",
    )
    _add_db_option(check)
    check.set_defaults(handler=_cmd_db_check)


def build_parser() -> argparse.ArgumentParser:
    """The full ``stationcrm`` parser; every command sets ``handler`` via ``set_defaults``."""
    parser = argparse.ArgumentParser(
        prog="stationcrm", description="StationCRM station program and administration tools."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {app.__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    _add_db_commands(commands)
    return parser


# --- entry point -------------------------------------------------------------------------


def _one_line(exc: BaseException) -> str:
    """A one-line message for an error, without SQLAlchemy's SQL echo and links."""
    source = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    lines = [line.strip() for line in str(source).splitlines()]
    text = " ".join(line for line in lines if line and not line.startswith("(Background on"))
    text = text or type(source).__name__
    if isinstance(exc, NoSuchModuleError):
        return f"unknown database type in the URL ({text})"
    if isinstance(exc, ArgumentError):
        return f"invalid database URL ({text})"
    if isinstance(exc, DBAPIError):
        return f"database error: {text}"
    return text


def _error(message: str) -> None:
    print(f"stationcrm: error: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit code (never raises SystemExit itself)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        # No command: this is where the GUI will start.
        parser.print_help()
        return EXIT_OK
    try:
        return handler(args)
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except BrokenPipeError:
        # WORKAROUND: the reader went away (e.g. `| head`); point stdout at /dev/null so the
        # interpreter's final flush does not fail a second time with a traceback.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    except Exception as exc:
        if os.environ.get("STATIONCRM_DEBUG"):
            raise
        _error(_one_line(exc))
        return EXIT_ERROR

"""The ``stationcrm`` command line: the desktop client without a command, administration with one.

Exit codes: 0 success, 1 the check found differences, 2 an error (one line on stderr).
Set ``STATIONCRM_DEBUG=1`` to get the traceback instead of the one-line error.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import os
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

import app
from app import schema, sqlserver
from app.db import (
    DatabaseUnavailable,
    check_connection,
    make_engine,
    personal_logins,
    sqlite_file,
)
from app.i18n import current_language, set_language, tr
from app.services.errors import ServiceError
from app.services.permissions import Actor
from app.services.uow import UnitOfWork
from app.settings import ConfigFileError, load_settings

EXIT_OK = 0
EXIT_DIFFERS = 1
EXIT_ERROR = 2
LANGUAGES = ("zh", "en")

Handler = Callable[[argparse.Namespace], int]
# What `stationcrm print KIND` writes, in the words of the catalog (app.i18n_zh).
PRINTED_DOCUMENTS = {"quotation": "quotation", "order": "sales slip", "intake": "intake slip",
                     "dispatch": "dispatch order", "pickup": "pickup receipt",
                     "receipt": "payment receipt"}


# The customer base protection alerts (app.services.customer_guard), beside the statistics.
GUARD_REPORT = "customer-guard"


def resolve_db_url(flag_db: str | None) -> str:
    """The database URL: ``--db`` > ``STATIONCRM_DB_URL`` > station config > embedded file."""
    return load_settings(flag_db=flag_db).db_url


def _engine(url: str) -> Engine:
    """An engine whose connection is checked now, so a failure is one clear message."""
    engine = make_engine(url)
    check_connection(engine)
    return engine


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
        raise schema.SchemaError(tr("the database file {path} does not exist", path=database))


# --- commands: one function per command, each returns the exit code ---------------------


def _cmd_db_upgrade(args: argparse.Namespace) -> int:
    url = resolve_db_url(args.db)
    if args.sql:
        script = io.StringIO()
        schema.upgrade_sql(url, script, revision=args.revision)
        sys.stdout.write(script.getvalue())
        if any(f"CREATE TABLE {table}" in script.getvalue()
               for table in ("search_keys", "name_suffixes")):
            # The migrations fill the pinyin keys and name suffixes from the names with
            # Python; a script cannot, so they are built once the script has run. (The record of the
            # schema stays the script's last statement, for older stations.)
            print("\n-- " + tr("After this script: stationcrm db search-keys --db <the server's"
                             " address> (builds the pinyin search keys of existing names)."))
        _print_schema_record_sql(url, args.revision)
        return EXIT_OK
    engine = _engine(url)
    try:
        before = schema.current_revision(engine)
        schema.upgrade(engine, revision=args.revision)
        after = schema.current_revision(engine)
        _record_schema(engine)
    finally:
        engine.dispose()
    if before == after:
        print(tr("{database}: schema already at revision {revision}; nothing to do",
                 database=_shown(url), revision=after))
    else:
        print(tr("{database}: schema upgraded from {before} to {after}", database=_shown(url),
                 before=before or tr("(empty)"), after=after))
    return EXIT_OK


def _record_schema(engine: Engine) -> None:
    """Which program versions work with the schema now, for older stations (app.update)."""
    from app.update import record_schema

    record_schema(engine)


def _print_schema_record_sql(url: str, revision: str) -> None:
    from app.update import known_revisions, record_schema_sql

    target = schema.head_revision() if revision == "head" else revision
    if target in known_revisions():
        print("\n" + record_schema_sql(make_url(url).get_backend_name(), target), end="")


def _cmd_db_set_update_location(args: argparse.Namespace) -> int:
    """Where stations find the newer installer: a shared folder or a web address."""
    from app.update import find_installer, is_url, set_update_location

    url = resolve_db_url(args.db)
    _require_existing_sqlite_file(url)
    location = args.location.strip()
    engine = _engine(url)
    try:
        changed = set_update_location(engine, location or None)
    finally:
        engine.dispose()
    if not location:
        print(tr("{database}: no update location any more.", database=_shown(url))
              if changed else tr("{database}: no update location was set.",
                                 database=_shown(url)))
        return EXIT_OK
    print(tr("{database}: stations too old for the database offer the installer from"
             " {location}.", database=_shown(url), location=location))
    found = find_installer(location)
    if found is not None:
        print(tr("Installer found there now: {installer}", installer=found.location))
    elif not is_url(location):
        print(tr("No StationCRM-<version>-setup.exe is in {location} from this computer;"
                 " check that the stations see the folder under the same name.",
                 location=location))
    return EXIT_OK


def _cmd_db_check(args: argparse.Namespace) -> int:
    url = resolve_db_url(args.db)
    _require_existing_sqlite_file(url)
    path = sqlite_file(url)
    if path is not None and not _file_is_sound(path):
        return EXIT_DIFFERS
    findings = _server_findings(url)
    for finding in findings:
        print(finding.line())
    server_fails = any(finding.level == "problem" for finding in findings)
    problems = schema.check(url)
    if not problems:
        print(tr("Schema matches the models"))
        return EXIT_DIFFERS if server_fails else EXIT_OK
    print(tr("Schema differs from the models ({count}):", count=len(problems)))
    for problem in problems:
        print(f"  - {problem}")
    return EXIT_DIFFERS


def _server_findings(url: str) -> list[sqlserver.Finding]:
    """SQL Server: its version, the database collation and READ_COMMITTED_SNAPSHOT (none
    on other databases)."""
    if make_url(url).get_backend_name() != "mssql":
        return []
    engine = _engine(url)
    try:
        with engine.connect() as connection:
            return sqlserver.check_server(connection)
    finally:
        engine.dispose()


def _file_is_sound(path: Path) -> bool:
    """Run SQLite's integrity check on the file and name the damage it finds.

    A zero-byte file is an empty SQLite database: the schema check says it was never
    migrated. The "ok" line goes to stderr, so stdout stays the schema report.
    """
    from app.backups import backups_dir, check_file

    if path.stat().st_size == 0:
        return True
    result = check_file(path)
    if result.ok:
        print(tr("{path}: {method} ok", path=path, method=result.method), file=sys.stderr)
        return True
    print(tr("The database file {path} is damaged ({method} found {count} problem(s)):",
             path=path, method=result.method, count=len(result.problems)))
    for problem in result.problems:
        print(f"  - {problem}")
    print(tr("Restore the newest backup with `stationcrm db restore FILE` (backups are in"
             " {folder}).", folder=backups_dir(path)))
    return False


def _embedded_file(url: str, doing: str) -> Path:
    """The SQLite file of ``url``; a server or an in-memory database is refused."""
    from app.backups import BackupError

    if make_url(url).get_backend_name() != "sqlite":
        raise BackupError(tr(
            "{url} is a database server: {doing} is for the embedded SQLite file. Use the"
            " server's own backup, e.g. pg_dump for PostgreSQL or BACKUP DATABASE for SQL"
            " Server.", url=_shown(url), doing=doing))
    path = sqlite_file(url)
    if path is None:
        raise BackupError(tr("{url} is not a database file.", url=_shown(url)))
    return path


def _size(size: int) -> str:
    if size < 1024:
        return tr("{size} bytes", size=size)
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _cmd_db_backup(args: argparse.Namespace) -> int:
    from app.backups import backup_file, default_target

    path = _embedded_file(resolve_db_url(args.db), "db backup")
    target = Path(args.to) if args.to else None
    if target is not None and target.is_dir():
        target = target / default_target(path).name
    result = backup_file(path, target)
    print(tr("Backup of {database} written to {path} ({size}).", database=path,
             path=result.path, size=_size(result.size)))
    return EXIT_OK


def _cmd_db_tidy(args: argparse.Namespace) -> int:
    from app.services.feed import forget_old_notices
    from app.services.requests import forget_old_keys

    for option, value in (("--days", args.days), ("--feed-days", args.feed_days)):
        if value < 1:  # refused before anything goes
            _error(f"{option}: {tr('must be at least 1')}")
            return EXIT_ERROR
    url = resolve_db_url(args.db)
    engine = _engine(url)
    try:
        gone = forget_old_keys(engine, days=args.days)
        notices = forget_old_notices(engine, days=args.feed_days)
    finally:
        engine.dispose()
    print(tr("{database}: {count} request keys older than {days} days removed.",
             database=_shown(url), count=gone, days=args.days))
    print(tr("{database}: {count} change-feed notices older than {days} days removed.",
             database=_shown(url), count=notices, days=args.feed_days))
    return EXIT_OK


def _cmd_db_search_keys(args: argparse.Namespace) -> int:
    from sqlalchemy.orm import Session

    from app.services.search_keys import rebuild

    url = resolve_db_url(args.db)
    engine = _engine(url)
    try:
        with Session(engine) as session, session.begin():
            count = rebuild(session)
    finally:
        engine.dispose()
    print(tr("{database}: {count} search keys (pinyin, name and phone suffixes) built from the"
             " names and numbers of customers and products.", database=_shown(url),
             count=count))
    return EXIT_OK


def _cmd_db_restore(args: argparse.Namespace) -> int:
    import datetime as dt

    from app.backups import restore_file, stationcrm_revision

    path = _embedded_file(resolve_db_url(args.db), "db restore")
    backup = Path(args.file)
    revision = stationcrm_revision(backup)  # refuse a bad file before asking anything
    taken = dt.datetime.fromtimestamp(backup.stat().st_mtime)
    if not args.yes:
        print(tr("This replaces the database {database} with the backup {backup} (schema"
                 " {revision}, saved {taken:%Y-%m-%d %H:%M}). Close StationCRM on every"
                 " station first. The current file is backed up before it is replaced.",
                 database=path, backup=backup, revision=revision, taken=taken))
        prompt = tr("Type the database file name ({name}) or yes to go on: ", name=path.name)
        try:
            answer = input(prompt).strip()
        except EOFError:
            answer = ""
        if answer != path.name and answer.lower() not in ("yes", tr("yes")):
            _error(tr("restore cancelled; nothing was changed"))
            return EXIT_ERROR
    result = restore_file(backup, path)
    print(tr("{database} restored from {backup} (schema {revision}).", database=path,
             backup=backup, revision=result.revision))
    if result.replaced_copy is not None:
        print(tr("The file it replaced is kept as {path}.", path=result.replaced_copy))
    if result.revision != schema.head_revision():
        print(tr("The backup was made by an older StationCRM; the program brings it up to"
                 " date when it starts (or run `stationcrm db upgrade`)."))
    return EXIT_OK


def _cmd_db_security(args: argparse.Namespace) -> int:
    from app.models import Base
    from app.security import principals

    url = resolve_db_url(args.db)
    if args.sql:
        from app.security import mssql

        parsed = make_url(url)
        if parsed.get_backend_name() != "mssql":
            raise ValueError(tr("--sql prints the SQL Server script: give --db"
                                " mssql+pyodbc://… (PostgreSQL is set up directly, without"
                                " --sql)"))
        # Offline: the script is built from this program's default roles; the users that
        # exist get their logins from a later online run of save_principal, or --user.
        from app.services.permissions import DEFAULT_ROLES

        names = mssql.MssqlNames(database=parsed.database or "stationcrm",
                                 role_prefix=args.prefix_roles or "crm_",
                                 user_prefix=args.prefix or "",
                                 windows_domain=args.windows_domain)
        print(mssql.script(names, [t.name for t in Base.metadata.sorted_tables],
                           [r.code for r in DEFAULT_ROLES], args.users or []), end="")
        return EXIT_OK
    from app.bootstrap import require_current_schema

    _require_existing_sqlite_file(url)
    engine = _engine(url)
    try:
        require_current_schema(engine)
        report = principals.secure_database(engine, principal_prefix=args.prefix)
    finally:
        engine.dispose()
    print(tr("{database}: security set up ({count} statements)", database=_shown(url),
             count=report.statements))
    print("  " + tr("group roles: {roles}", roles=", ".join(report.groups)))
    print("  " + tr("logins: {enabled} enabled, {disabled} disabled",
                    enabled=len(report.logins), disabled=len(report.disabled)))
    print("  " + tr("A login made here has no password until the administrator resets the"
                    " person's password in Administration → Users; existing logins keep"
                    " theirs."))
    return EXIT_OK


def _cmd_user_add(args: argparse.Namespace) -> int:
    from app.services.passwords import check_password
    from app.services.reference import ensure_reference_data
    from app.services.users import add_user, has_administrator

    needs_admin = ServiceError(tr(
        "adding a user needs an administrator's login: give --as NAME (the administrator's"
        " password is asked first, or read from the first line of standard input with"
        " --password-stdin)"))
    url = resolve_db_url(args.db)
    if args.as_user:
        # Line one of standard input is the administrator's password, line two the new one.
        engine, uow, actor = _log_in(argparse.Namespace(
            user=args.as_user, password_stdin=args.password_stdin, db=args.db))
    elif personal_logins(url):
        raise needs_admin  # nobody connects to such a server without a person's login
    else:
        engine, uow, actor = _engine(url), None, None
    try:
        if uow is None:
            uow = UnitOfWork.for_engine(engine)
            ensure_reference_data(uow)
            # Without a login only the very first administrator of a new database is made.
            if has_administrator(uow):
                raise needs_admin
        password = _read_password(args.password_stdin)
        # The policy before anything is written, with the new login's name known.
        check_password(password, username=args.name)
        view = add_user(uow=uow, actor=actor, username=args.name, password=password,
                        role_code=args.role, display_name=args.display_name,
                        department_code=args.department)
    finally:
        engine.dispose()
    print(tr("user {user} ({role}) created", user=view.username, role=view.role_code))
    return EXIT_OK


def _cmd_user_unlock(args: argparse.Namespace) -> int:
    """Lift a user's login back-off: the second way in beside Administration → Users."""
    from app.services.administration import unlock_user

    url = resolve_db_url(args.db)
    if args.as_user:
        engine, uow, actor = _log_in(argparse.Namespace(
            user=args.as_user, password_stdin=args.password_stdin, db=args.db))
    elif personal_logins(url):
        raise ServiceError(tr(
            "unlocking a user on this server needs an administrator's login: give --as NAME"
            " (or ask the database administrator to reset the person's database login)"))
    else:
        # The embedded file or a shared-login server: this address is the schema owner's.
        _require_existing_sqlite_file(url)
        engine, actor = _engine(url), None
        uow = UnitOfWork.for_engine(engine)
    try:
        row = unlock_user(uow=uow, actor=actor, username=args.name)
    finally:
        engine.dispose()
    print(tr("user {user}: login unlocked on every station", user=row.username))
    return EXIT_OK


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass(tr("Password: "))
    if getpass.getpass(tr("Repeat password: ")) != first:
        raise ValueError(tr("the two passwords differ"))
    return first


def _cmd_demo_data(args: argparse.Namespace) -> int:
    import time

    from app.demo import DEMO_USERS, generate_demo_data
    from app.security import principals

    engine = _engine(resolve_db_url(args.db))
    started = time.monotonic()
    last_stage = ""

    def progress(stage: str, done: int, total: int) -> None:
        nonlocal last_stage
        if stage != last_stage or done == total:
            print(f"  {stage}: {done}/{total}", file=sys.stderr)
            last_stage = stage

    try:
        schema.ensure_schema(engine)
        summary = generate_demo_data(engine, customers=args.customers, seed=args.seed,
                                     progress=progress, append=args.append)
        with engine.connect() as connection:
            secured = principals.is_secured(connection)
        if secured:
            # A secured server: the demo users' own database logins get the README password.
            report = principals.secure_database(
                engine, passwords={user[1]: user[2] for user in DEMO_USERS})
            print(tr("database logins with the demo password: {count}",
                     count=len(report.with_password)), file=sys.stderr)
    finally:
        engine.dispose()
    counts = ", ".join(f"{name} {count}" for name, count in summary.as_dict().items() if count)
    print(tr("demo data created in {seconds:.1f} s: {counts}",
             seconds=time.monotonic() - started, counts=counts))
    return EXIT_OK


def _cmd_print(args: argparse.Namespace) -> int:
    import io

    from app.reports import handover, intake_slip, sales_slips
    from app.services import slips

    papers = slips.slip_papers(args.kind)
    paper = args.paper or ("A5" if args.a5 else papers[0])
    if paper not in papers:
        raise ValueError(tr("a {document} prints on {papers}, not {paper}",
                            document=tr(PRINTED_DOCUMENTS[args.kind]),
                            papers=", ".join(papers), paper=paper))
    out = _person_and_output(args, tr("printing"))
    engine, uow, actor = _log_in(args)
    try:
        # kind: (gather, render)
        documents: dict[str, tuple[Any, Any]] = {
            "quotation": (slips.quotation_slip_data, sales_slips.render_quotation_slip),
            "order": (slips.order_slip_data, sales_slips.render_order_slip),
            "intake": (slips.intake_slip_data, intake_slip.render_intake_slip),
            "dispatch": (slips.dispatch_order_data, intake_slip.render_dispatch_order),
            "pickup": (slips.pickup_slip_data, handover.render_pickup_receipt),
            "receipt": (slips.receipt_data, handover.render_payment_receipt),
        }
        gather, render = documents[args.kind]
        number = args.number
        if args.latest:
            if args.kind in ("intake", "dispatch"):
                number = slips.latest_ticket_number(uow, actor=actor)
            elif args.kind == "pickup":
                number = slips.latest_pickup_number(uow, actor=actor)
            elif args.kind == "receipt":
                number = slips.latest_payment_number(uow, actor=actor)
            else:
                number = slips.latest_number(uow, args.kind, actor=actor)
            if number is None:
                raise ValueError(tr("there is no {document} you may print",
                                    document=tr(PRINTED_DOCUMENTS[args.kind])))
        buffer = io.BytesIO()
        rendered = render(gather(uow=uow, actor=actor, number=number), buffer,
                          page_size=paper)
    finally:
        engine.dispose()
    # Written only once complete, so a failed render never leaves half a PDF behind.
    out.write_bytes(buffer.getvalue())
    print(tr("{number}: {pages} page(s) written to {out}", number=number,
             pages=rendered.page_count, out=out))
    return EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    from app.services.errors import PermissionDenied
    from app.services.exports import export_customers, export_orders, export_tickets

    out = _person_and_output(args, tr("exporting"), (".xlsx", ".csv"),
                             tr("a .xlsx or .csv file"))
    engine, uow, actor = _log_in(args)
    # Written to a temporary file first, so a refused or failed export leaves nothing behind.
    partial = out.with_name(f".{out.name}.partial{out.suffix}")
    try:
        try:
            export = {"orders": export_orders, "tickets": export_tickets}.get(
                args.what, export_customers)
            result = export(uow=uow, actor=actor, path=partial,
                            fmt=out.suffix.lstrip(".").lower())
        except PermissionDenied as exc:
            raise PermissionDenied(tr("{message} (export refused for {user})",
                                      message=str(exc), user=args.user)) from exc
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
        engine.dispose()
    written = {"orders": "{count} order(s) written to {out}",
               "tickets": "{count} service ticket(s) written to {out}"}.get(
        args.what, "{count} customer(s) written to {out}")
    print(tr(written, count=result.row_count, out=out))
    return EXIT_OK


def _cmd_import(args: argparse.Namespace) -> int:
    from app.services.importing import customers as importing

    if not args.user:
        raise ValueError(tr("{doing} needs a login: give --user NAME (and --password-stdin to"
                            " read the password from standard input)", doing=tr("importing")))
    if args.what == "undo":
        try:
            batch_id = int(args.file)
        except ValueError:
            raise ValueError(tr("import undo takes the number of an import, e.g. 7")) from None
        engine, uow, actor = _log_in(args)
        try:
            undone = importing.undo_import(uow=uow, actor=actor, batch_id=batch_id)
        finally:
            engine.dispose()
        for kept in undone.kept:
            print(tr("kept {record}: {reason}", record=kept.label, reason=kept.reason))
        print(tr("import {batch} undone: {undone} record(s) removed or restored, {kept} kept",
                 batch=batch_id, undone=undone.undone, kept=len(undone.kept)))
        return EXIT_OK
    path = Path(args.file)
    if args.what in ("devices", "products", "receivables"):
        return _import_records(args, path)
    if args.errors and Path(args.errors).suffix.lower() != ".xlsx":
        raise ValueError(tr("--errors must name an .xlsx file"))
    engine, uow, actor = _log_in(args)
    try:
        mapping = None
        if args.mapping:
            mapping = _import_mapping(Path(args.mapping), path, args.sheet)
        plan = importing.plan_customer_import(uow=uow, actor=actor, path=path,
                                              sheet=args.sheet, mapping=mapping,
                                              on_match=args.on_match)
        for row, said in plan.outcome_of_row().items():
            if said != tr("will create"):
                print(tr("row {row}: {said}", row=row, said=said))
        counts = plan.counts()
        if args.errors and plan.issues():
            importing.write_error_report(plan, args.errors)
            print(tr("rows not imported, with their errors: {out}", out=args.errors))
        if args.dry_run:
            print(tr("dry run, nothing written: {rows} row(s) read; {create} to create, "
                     "{update} to update, {merge} added to a customer above, {skip} skipped, "
                     "{error} with errors", rows=plan.rows_read, **counts))
            return EXIT_OK

        def progress(done: int, total: int) -> None:
            print(tr("  {done}/{total} customers written", done=done, total=total),
                  file=sys.stderr)

        result = importing.run_customer_import(uow=uow, actor=actor, plan=plan,
                                               progress=progress)
    finally:
        engine.dispose()
    reported = {i.message for i in plan.issues()}
    for issue in result.refused:
        if issue.message not in reported:
            print(tr("row {row}: {said}", row=issue.row, said=issue.message))
    print(tr("import {batch}: {created} created, {updated} updated, {skip} skipped, {refused} "
             "row(s) not imported (undo: stationcrm import undo {batch})",
             batch=result.batch_id, created=result.created, updated=result.updated,
             skip=result.skipped, refused=len({i.row for i in result.refused})))
    return EXIT_OK


def _import_records(args: argparse.Namespace, path: Path) -> int:
    """`import devices|products|receivables`: a record per row (see _cmd_import)."""
    from app.services.importing import devices, products, receivables

    def counted(plan: Any) -> dict[str, Any]:
        return {"rows": plan.rows_read, **plan.counts()}

    def done(result: Any) -> dict[str, Any]:
        return {"batch": result.batch_id, "created": result.created,
                "updated": result.updated, "skip": result.skipped,
                "refused": len({i.row for i in result.refused})}

    # Per kind: its fields, dry run, import, error report, why --on-match create is
    # refused (None: allowed), and what the dry run and the import say at the end.
    kinds: dict[str, tuple[Any, ...]] = {
        "devices": (
            devices.FIELDS, devices.plan_device_import, devices.run_device_import,
            devices.write_device_error_report,
            tr("a machine's serial number is registered once: --on-match for devices is "
               "fill, skip or overwrite"),
            lambda plan: tr("dry run, nothing written: {rows} row(s) read; {create} "
                            "machine(s) to add, {update} to update, {skip} skipped, {error} "
                            "with errors", **counted(plan)),
            lambda result: tr("import {batch}: {created} machine(s) added, {updated} "
                              "updated, {skip} skipped, {refused} row(s) not imported (undo: "
                              "stationcrm import undo {batch})", **done(result))),
        "products": (
            products.FIELDS, products.plan_product_import, products.run_product_import,
            products.write_product_error_report,
            tr("a SKU belongs to one product: --on-match for products is fill, skip or "
               "overwrite"),
            lambda plan: tr("dry run, nothing written: {rows} row(s) read; {create} "
                            "product(s) to add, {update} to update, {skip} skipped, {error} "
                            "with errors", **counted(plan)),
            lambda result: tr("import {batch}: {created} product(s) added, {updated} "
                              "updated, {unchanged} already as in the sheet, {skip} skipped, "
                              "{refused} row(s) not imported (undo: stationcrm import undo "
                              "{batch})", unchanged=result.unchanged, **done(result))),
        "receivables": (
            receivables.FIELDS, receivables.plan_receivable_import,
            receivables.run_receivable_import, receivables.write_receivable_error_report,
            None,
            lambda plan: tr("dry run, nothing written: {rows} row(s) read; {create} opening "
                            "balance(s) to add ({total} in all), {update} to update, {skip} "
                            "skipped, {error} with errors", total=f"¥{plan.total():,.2f}",
                            **counted(plan)),
            lambda result: tr("import {batch}: {created} opening balance(s) added, {updated} "
                              "updated, {skip} skipped, {refused} row(s) not imported (undo: "
                              "stationcrm import undo {batch})", **done(result))),
    }
    fields, plan_import, run_import, write_report, no_create, dry_said, done_said = \
        kinds[args.what]
    if args.on_match == "create" and no_create is not None:
        raise ValueError(no_create)
    if args.errors and Path(args.errors).suffix.lower() != ".xlsx":
        raise ValueError(tr("--errors must name an .xlsx file"))
    engine, uow, actor = _log_in(args)
    try:
        mapping = (_import_mapping(Path(args.mapping), path, args.sheet, fields)
                   if args.mapping else None)
        plan = plan_import(uow=uow, actor=actor, path=path, sheet=args.sheet,
                           mapping=mapping, on_match=args.on_match)
        said = plan.outcome_of_row()
        for record in plan.records():
            if record.outcome != "create":
                print(tr("row {row}: {said}", row=record.row, said=said[record.row]))
        if args.errors and plan.issues():
            write_report(plan, args.errors)
            print(tr("rows not imported, with their errors: {out}", out=args.errors))
        if args.dry_run:
            print(dry_said(plan))
            return EXIT_OK

        def progress(done: int, total: int) -> None:
            print(tr("  {done}/{total} rows written", done=done, total=total),
                  file=sys.stderr)

        result = run_import(uow=uow, actor=actor, plan=plan, progress=progress)
    finally:
        engine.dispose()
    reported = {i.message for i in plan.issues()}
    for issue in result.refused:
        if issue.message not in reported:
            print(tr("row {row}: {said}", row=issue.row, said=issue.message))
    print(done_said(result))
    return EXIT_OK


def _import_mapping(mapping_file: Path, sheet_file: Path, sheet: str | None,
                    fields: Sequence[Any] | None = None) -> dict[int, str]:
    """A mapping file: JSON {column: field}, the column as its letter (A, B, … AA) or its
    header text, the field as a field code (name, phone, contact.mobile, custom.<code>)."""
    import json

    from app.services.importing.customers import _FIXED, fold_header, known_header
    from app.services.importing.source import find_header, open_source

    try:
        given = json.loads(mapping_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(tr("cannot read the mapping {file}: {reason}", file=mapping_file,
                            reason=_one_line(exc))) from None
    if not isinstance(given, dict):
        raise ValueError(tr("the mapping {file} must be a JSON object of column: field",
                            file=mapping_file))
    with open_source(sheet_file) as source:
        header, _rows = find_header(source.rows(sheet), known_header(fields or _FIXED))
    by_name = {fold_header(g + n): i for i, (g, n) in enumerate(
        zip(header.groups, header.names, strict=False))}
    by_name.update({fold_header(n): i for i, n in enumerate(header.names) if n})
    mapping: dict[int, str] = {}
    for column, code in given.items():
        key = str(column).strip()
        if re.fullmatch(r"[A-Za-z]{1,3}", key):
            index = 0
            for letter in key.upper():
                index = index * 26 + ord(letter) - 64
            mapping[index - 1] = str(code)
        elif fold_header(key) in by_name:
            mapping[by_name[fold_header(key)]] = str(code)
        else:
            raise ValueError(tr("the mapping names a column the sheet does not have: {column}",
                                column=key))
    return mapping


def _cmd_report(args: argparse.Namespace) -> int:
    from app.services.statistics import StatFilters, export_statistic

    if args.name == GUARD_REPORT:
        return _cmd_guard_report(args)
    out = _person_and_output(args, tr("a report"), (".xlsx", ".pdf"),
                             tr("an .xlsx or a .pdf file"))
    date_from, date_to = _report_period(args)
    engine, uow, actor = _log_in(args)
    try:
        result = export_statistic(
            args.name, StatFilters(date_from=date_from, date_to=date_to,
                                   group_by=args.group_by),
            out, uow=uow, actor=actor, language=args.lang or current_language())
    finally:
        engine.dispose()
    print(tr("{statistic}: {rows} row(s) written to {out}", statistic=args.name,
             rows=result.rows, out=out))
    return EXIT_OK


def _report_period(args: argparse.Namespace) -> tuple[dt.date, dt.date]:
    """A report's --from and --to as dates."""
    try:
        return dt.date.fromisoformat(args.date_from), dt.date.fromisoformat(args.date_to)
    except ValueError:
        raise ValueError(tr("--from and --to take dates as YYYY-MM-DD")) from None


def _cmd_guard_report(args: argparse.Namespace) -> int:
    """The customer base protection alerts (客户资源安全): one row per person and day
    flagged, for the general manager (or a role given the customer-guard module)."""
    from app import i18n
    from app.services.customer_guard import export_alerts

    out = _person_and_output(args, tr("a report"), (".xlsx",), tr("an .xlsx file"))
    date_from, date_to = _report_period(args)
    engine, uow, actor = _log_in(args)
    language = i18n.current_language()
    try:
        if args.lang:
            i18n.set_language(args.lang)
        rows = export_alerts(uow=uow, actor=actor, date_from=date_from, date_to=date_to,
                             path=out)
    finally:
        i18n.set_language(language)
        engine.dispose()
    print(tr("{statistic}: {rows} row(s) written to {out}", statistic=args.name,
             rows=rows, out=out))
    return EXIT_OK


def _person_and_output(args: argparse.Namespace, doing: str, suffixes: tuple[str, ...] = (),
                       kinds: str = "") -> Path:
    """What a command acting for a person (print, export, report) checks before it asks for
    a password: a user name, and an --out file of an accepted kind in an existing folder."""
    if not args.user:
        raise ValueError(tr("{doing} needs a login: give --user NAME (and --password-stdin to"
                            " read the password from standard input)", doing=doing))
    out = Path(args.out)
    if suffixes and out.suffix.lower() not in suffixes:
        raise ValueError(tr("--out must name {kinds}", kinds=kinds))
    if not out.parent.is_dir():
        raise ValueError(tr("the folder {folder} does not exist", folder=out.parent))
    return out


def _log_in(args: argparse.Namespace) -> tuple[Engine, UnitOfWork, Actor]:
    """Log in as ``--user`` with the password from standard input or a prompt.

    On a server with personal logins the connection itself is the person's, so the server
    checks the password and the command runs with that person's rights and row scope.
    """
    from app.connect import open_as

    password = _person_password(args)
    url = resolve_db_url(args.db)
    _require_existing_sqlite_file(url)
    return open_as(url, args.user, password)


def _person_password(args: argparse.Namespace) -> str:
    """A person's own password: the first line of standard input, or a prompt."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    return getpass.getpass(tr("Password: "))


def _cmd_care_generate(args: argparse.Namespace) -> int:
    import datetime as dt

    from app.services.care import generate_care_items

    on = dt.date.fromisoformat(args.on) if args.on else dt.date.today()
    actor: Actor | None = None
    if args.user:
        engine, uow, actor = _log_in(args)
    else:
        # The daily job on the server, as the schema owner (no person).
        url = resolve_db_url(args.db)
        _require_existing_sqlite_file(url)
        engine = _engine(url)
        uow = UnitOfWork.for_engine(engine)
    try:
        result = generate_care_items(uow=uow, actor=actor, on=on)
    finally:
        engine.dispose()
    counts = ", ".join(f"{rule} {count}" for rule, count in result.counts.items())
    print(tr("{date}: {count} care item(s) created ({counts})", date=on.isoformat(),
             count=result.total, counts=counts))
    return EXIT_OK


def _cmd_bench(args: argparse.Namespace) -> int:
    import json
    import time

    if args.import_customers is not None:
        return _bench_import(args)

    from sqlalchemy import func, select

    from app.bench import (
        ActionResult,
        BenchResult,
        bench_export,
        bench_feed,
        bench_lan,
        bench_overview,
        bench_read_trail,
        bench_scroll,
        bench_search,
        bench_statistics,
        format_actions,
        format_results,
        result_records,
    )
    from app.demo import generate_demo_data
    from app.models import Customer

    if args.db:
        url = args.db
    else:
        folder = load_settings().data_dir
        url = f"sqlite:///{folder / f'bench-{args.customers}.sqlite3'}"
    lan = args.lan_ms is not None
    if lan and args.as_user:
        _error(tr("--lan-ms and --as cannot be used together"))
        return EXIT_ERROR
    guard = args.guard_people is not None
    if guard and (lan or args.as_user):
        _error(tr("--guard-people cannot be used with --lan-ms or --as"))
        return EXIT_ERROR
    if guard and args.guard_people < 1:
        _error(tr("--guard-people needs a number of people above 0"))
        return EXIT_ERROR
    if lan and make_url(url).get_backend_name() == "sqlite":
        # The embedded file is read in the station's own process: there is no network
        # whose delay could be measured, so no figure is given rather than a wrong one.
        _error(tr("--lan-ms needs a server database (PostgreSQL or SQL Server) given with"
                  " --db: the embedded SQLite file is not reached over a network"))
        return EXIT_ERROR
    engine = _engine(url)
    results: list[BenchResult | ActionResult] = []
    try:
        schema.ensure_schema(engine)
        with engine.connect() as conn:
            have = conn.execute(select(func.count()).select_from(Customer)).scalar_one()
        if have == 0:
            print(tr("building {count} customers in {database} …", count=args.customers,
                     database=_shown(url)), file=sys.stderr)
            started = time.monotonic()
            generate_demo_data(engine, customers=args.customers, seed=args.seed)
            print("  " + tr("built in {seconds:.1f} s", seconds=time.monotonic() - started),
                  file=sys.stderr)
            with engine.connect() as conn:
                have = conn.execute(select(func.count()).select_from(Customer)).scalar_one()
        else:
            print(tr("reusing {database} with {count} customers", database=_shown(url),
                     count=have), file=sys.stderr)
        if args.as_user:
            return _bench_as(engine, url, args)
        if guard:
            from app.bench_guard import bench_guard, ensure_guard_readers

            try:
                trail = ensure_guard_readers(
                    engine, args.guard_people, seed=args.seed,
                    note=lambda said: print("  " + said, file=sys.stderr))
            except ValueError as exc:
                _error(str(exc))
                return EXIT_ERROR
            print(tr("timing the customer base protection: {people} people, {rows} reads"
                     " in the trail …", people=trail.people, rows=trail.rows),
                  file=sys.stderr)
            results += bench_guard(engine, repeat=args.repeat)
        elif lan:
            print(tr("timing the actions through a relay that holds each packet {ms} ms each"
                     " way …", ms=f"{args.lan_ms:g}"), file=sys.stderr)
            try:
                results += bench_lan(url, engine, lan_ms=args.lan_ms, repeat=args.repeat,
                                     note=lambda said: print("  " + said, file=sys.stderr))
            except ValueError as exc:
                _error(tr("--lan-ms cannot be used with this address: {problem}",
                          problem=str(exc)))
                return EXIT_ERROR
        else:
            steps: list[tuple[str, Callable[[], list[BenchResult]]]] = [
                ("search", lambda: bench_search(engine, repeat=args.repeat)),
                ("scroll to end", lambda: bench_scroll(engine,
                                                       repeat=max(3, args.repeat // 5))),
                ("open 360", lambda: [bench_overview(engine, repeat=args.repeat)]),
                ("statistics", lambda: bench_statistics(engine,
                                                        repeat=max(3, args.repeat // 3))),
                ("change feed poll", lambda: [bench_feed(engine, repeat=args.repeat)]),
                ("read trail", lambda: bench_read_trail(engine, repeat=args.repeat)),
                ("export", lambda: [bench_export(engine, Path(scratch))]),
            ]
            with tempfile.TemporaryDirectory(prefix="stationcrm-bench-") as scratch:
                for operations, step in steps:
                    print(tr("timing {operations} …", operations=operations),
                          file=sys.stderr)
                    results += step()
    finally:
        engine.dispose()
    heading = tr("database: {kind}, {database}", kind=engine.dialect.name,
                 database=_shown(url))
    records = result_records(results, engine=engine.dialect.name, customers=have)
    if args.out:
        Path(args.out).write_text(json.dumps(records, ensure_ascii=False, indent=2) + "\n",
                                  encoding="utf-8")
        print(tr("results written to {path}", path=args.out), file=sys.stderr)
    if args.json:
        # Nothing but the JSON on stdout, so that it can be piped or redirected.
        print(heading, file=sys.stderr)
        print(json.dumps(records, ensure_ascii=False, indent=2))
        return EXIT_OK
    print(heading)
    if lan:
        print(format_actions([r for r in results if isinstance(r, ActionResult)]))
    else:
        print(format_results([r for r in results if isinstance(r, BenchResult)]))
    return EXIT_OK


def _bench_import(args: argparse.Namespace) -> int:
    """``bench --import-customers N``: a generated sheet planned and imported, timed."""
    import json

    from sqlalchemy import func, select

    from app.bench import _manager, _person
    from app.bench_import import bench_import, format_import, import_records, write_sheet
    from app.connect import engine_as
    from app.demo import create_demo_users
    from app.models import User
    from app.services.reference import ensure_reference_data

    if args.import_customers < 1:
        _error(tr("--import-customers needs a number of customers above 0"))
        return EXIT_ERROR
    with tempfile.TemporaryDirectory(prefix="stationcrm-bench-") as scratch:
        folder = Path(scratch)
        url = args.db or f"sqlite:///{folder / 'import.sqlite3'}"
        owner = _engine(url)
        person: Engine | None = None
        try:
            schema.ensure_schema(owner)
            uow = UnitOfWork.for_engine(owner)
            ensure_reference_data(uow)
            with owner.connect() as conn:
                users = conn.execute(select(func.count()).select_from(User)).scalar_one()
            if not users:  # a new database: the demo logins, the general manager among them
                create_demo_users(uow)
            if args.as_user:
                station = make_url(url)._replace(username=None, password=None)
                person = engine_as(station.render_as_string(hide_password=False),
                                   args.as_user, _person_password(args))
                actor = _person(owner, args.as_user)
                uow = UnitOfWork.for_engine(person)
            else:
                actor = _manager(owner)
            sheet = folder / "customers.csv"
            rows = write_sheet(sheet, args.import_customers, seed=args.seed)
            print(tr("importing {count} customers ({rows} rows) into {database} as {user} …",
                     count=args.import_customers, rows=rows, database=_shown(url),
                     user=actor.username), file=sys.stderr)
            timings = bench_import(uow, actor, sheet, rows,
                                   note=lambda said: print("  " + said, file=sys.stderr))
        finally:
            if person is not None:
                person.dispose()
            owner.dispose()
    records = import_records(timings, engine=owner.dialect.name)
    if args.out:
        Path(args.out).write_text(json.dumps(records, ensure_ascii=False, indent=2) + "\n",
                                  encoding="utf-8")
    if args.json:
        print(json.dumps(records, ensure_ascii=False, indent=2))
    else:
        print(format_import(timings))
    return EXIT_OK


def _bench_as(owner: Engine, url: str, args: argparse.Namespace) -> int:
    """Row security's cost: the person's own login against the owner's (--db's) login."""
    from app.bench import bench_row_security, format_row_security
    from app.connect import engine_as

    password = _person_password(args)
    station = make_url(url)._replace(username=None, password=None)
    person = engine_as(station.render_as_string(hide_password=False), args.as_user, password)
    try:
        results = bench_row_security(owner, person, args.as_user, repeat=args.repeat)
    finally:
        person.dispose()
    print(tr("database: {kind}, {database}, as {user}", kind=owner.dialect.name,
             database=_shown(url), user=args.as_user))
    print(format_row_security(results))
    return EXIT_OK


def _cmd_gui(args: argparse.Namespace) -> int:
    # The start `stationcrm` without a command makes too (app.__main__ recognises it there
    # and starts it without importing this module): one copy of it, there.
    from app.__main__ import start_desktop

    return start_desktop(args)


# --- parser ------------------------------------------------------------------------------


def _add_db_option(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """``--db URL`` on the program and on each command: ``stationcrm --db X demo-data`` and
    ``stationcrm demo-data --db X`` mean the same. A command's option is only set when given
    (SUPPRESS), so it never overwrites the program's with None."""
    parser.add_argument(
        "--db",
        metavar="URL",
        default=None if top else argparse.SUPPRESS,
        help="database URL (default: STATIONCRM_DB_URL, the station's config file, or the"
        " embedded SQLite file in the per-user data folder)",
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
        help="check the database file for damage and compare its schema with the models",
        description="On the embedded SQLite file, first run SQLite's integrity check"
        " (quick_check above 1 GB) and name any damage. On SQL Server, first state and check"
        " the server version (2016 SP1 or later), the database collation (a Chinese one)"
        " and READ_COMMITTED_SNAPSHOT (on). Exit 0 if the database is sound, fully"
        " migrated and matches the models, 1 and the problems otherwise (warnings alone"
        " do not fail the check).",
    )
    _add_db_option(check)
    check.set_defaults(handler=_cmd_db_check)

    backup = db_commands.add_parser(
        "backup",
        help="back up the embedded database file (safe while stations run)",
        description="Copy the embedded SQLite database with SQLite's online backup API:"
        " the copy is consistent even while stations are saving. Default target: a"
        " timestamped file in the `backups` folder beside the database. A database server"
        " is backed up with its own tools (pg_dump, SQL Server BACKUP).",
    )
    _add_db_option(backup)
    backup.add_argument("--to", metavar="FILE", help="the backup file to write (or a folder)")
    backup.set_defaults(handler=_cmd_db_backup)

    tidy = db_commands.add_parser(
        "tidy",
        help="housekeeping: remove request keys older than 30 days and change-feed notices"
        " older than 60",
        description="Remove the request keys (the forms' save keys that make a retried save"
        " return the saved record) older than --days, and the change feed's notices (what"
        " the stations were told: assignments, returns, dispatches …) older than"
        " --feed-days. Run daily by the DBA on a server, as the database owner (the"
        " stations' logins may not delete either); the embedded file does it with its"
        " daily backup.",
    )
    _add_db_option(tidy)
    tidy.add_argument("--days", type=int, default=30, help="keep keys this many days")
    tidy.add_argument("--feed-days", type=int, default=60,
                      help="keep change-feed notices this many days")
    tidy.set_defaults(handler=_cmd_db_tidy)

    keys = db_commands.add_parser(
        "search-keys",
        help="build the pinyin search keys and name suffixes again from the names",
        description="Replace the search keys (pinyin initials and full pinyin from every"
        " syllable, and the suffixes of customers' names and phone numbers, which customer and"
        " product searches look up) by keys computed from the names and numbers. Needed once"
        " after an upgrade applied with `db upgrade --sql` (a script cannot compute pinyin),"
        " and as a repair. Run as the database owner.",
    )
    _add_db_option(keys)
    keys.set_defaults(handler=_cmd_db_search_keys)

    restore = db_commands.add_parser(
        "restore",
        help="replace the embedded database file with a backup",
        description="Check that FILE is a sound StationCRM database, ask for confirmation,"
        " back up the current file into the `backups` folder, then copy FILE over it."
        " Close StationCRM on every station first.",
    )
    restore.add_argument("file", metavar="FILE", help="the backup to restore")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    _add_db_option(restore)
    restore.set_defaults(handler=_cmd_db_restore)

    security = db_commands.add_parser(
        "security",
        help="set up logins, grants, row security and the audit triggers (DBA)",
        description="Run by the schema owner after `db upgrade` (PostgreSQL: the owner"
        " needs CREATEROLE): creates or updates a group role per StationCRM role with the"
        " grants of the role matrix, row-level security for data scope, the append-only"
        " audit log, and a database login for every user. Run it again after upgrades."
        " With --sql and a SQL Server address, print the SQL Server script instead.",
    )
    _add_db_option(security)
    security.add_argument("--sql", action="store_true",
                          help="print the SQL Server script instead of running anything")
    security.add_argument("--prefix", metavar="P", default=None,
                          help="prefix of people's database logins (default: none, so"
                          " clerk1 logs in as clerk1); kept for later runs")
    security.add_argument("--prefix-roles", metavar="P", default=None,
                          help="SQL Server: prefix of the database roles (default crm_)")
    security.add_argument("--windows-domain", metavar="DOMAIN", default=None,
                          help="SQL Server: people log in with Windows accounts DOMAIN\\name"
                          " (integrated authentication, recommended)")
    security.add_argument("--user", dest="users", action="append", metavar="NAME",
                          help="SQL Server: a user to create a login for (repeatable)")
    security.set_defaults(handler=_cmd_db_security)

    location = db_commands.add_parser(
        "set-update-location",
        help="where stations find a newer StationCRM installer (folder or URL)",
        description="Store in the database where the newer StationCRM installer is kept: a"
        " shared folder (the newest StationCRM-<version>-setup.exe in it is offered) or a"
        " web address. A station too old for the database then offers to run it."
        " An empty PATH_OR_URL (\"\") removes the setting.",
    )
    location.add_argument("location", metavar="PATH_OR_URL")
    _add_db_option(location)
    location.set_defaults(handler=_cmd_db_set_update_location)


def _add_user_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    user = commands.add_parser("user", help="manage logins")
    user.set_defaults(handler=_print_help_of(user))
    user_commands = user.add_subparsers(title="user commands", metavar="COMMAND")
    add = user_commands.add_parser(
        "add", help="create a login",
        description="Create a login with a role, logged in as an administrator (--as);"
        " only the first administrator of a new database is created without one. The"
        " password is asked twice, or read from standard input with --password-stdin"
        " (after the administrator's own password, one line each).")
    add.add_argument("name", help="login name, e.g. clerk3")
    add.add_argument("--role", required=True,
                     help="counter_clerk, sales, technician, repair_lead, management_clerk,"
                     " general_manager or administrator")
    add.add_argument("--display-name", help="the name shown in lists (default: the login)")
    add.add_argument("--department", help="storefront, key_accounts, repair, management or"
                     " manager_office")
    add.add_argument("--as", dest="as_user", metavar="ADMIN",
                     help="log in as this administrator (required once one exists)")
    add.add_argument("--password-stdin", action="store_true")
    _add_db_option(add)
    add.set_defaults(handler=_cmd_user_add)
    unlock = user_commands.add_parser(
        "unlock", help="lift a login's back-off after failed attempts",
        description="Let a user log in again from every station at once after repeated"
        " failed attempts made a station wait. Runs as the owner of the database address"
        " (the embedded file, or a server address with a shared login), or logged in as an"
        " administrator with --as (the administrator's password is asked, or read from"
        " standard input with --password-stdin).")
    unlock.add_argument("name", help="login name, e.g. admin")
    unlock.add_argument("--as", dest="as_user", metavar="ADMIN",
                        help="log in as this administrator (required on a server with"
                        " personal logins)")
    unlock.add_argument("--password-stdin", action="store_true")
    _add_db_option(unlock)
    unlock.set_defaults(handler=_cmd_user_unlock)


def _add_demo_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = commands.add_parser(
        "demo-data", help="fill a database with a deterministic Chinese demo data set",
        description="Create demo users, a product catalog and customers with three years of"
        " visits, orders, payments and service tickets. The same --seed gives the same data.")
    demo.add_argument("--customers", type=int, default=1000, metavar="N")
    demo.add_argument("--seed", type=int, default=1, metavar="S")
    demo.add_argument("--append", action="store_true",
                      help="add to a database that already has customers")
    _add_db_option(demo)
    demo.set_defaults(handler=_cmd_demo_data)


def _add_print_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    printing = commands.add_parser(
        "print", help="print a quotation (报价单), an order (销售单), an intake slip (接机单),"
        " a dispatch order (派工单), a pickup receipt (取机单) or a payment receipt (收款收据)"
        " to a PDF file",
        description="Write a printed document as a PDF, with the"
        " Chinese font embedded. Printing is a permissioned, audited operation: log in with"
        " --user; the password is asked, or read from the first line of standard input with"
        " --password-stdin.")
    printing.add_argument("kind", choices=("quotation", "order", "intake", "dispatch",
                                           "pickup", "receipt"))
    which = printing.add_mutually_exclusive_group(required=True)
    which.add_argument("number", nargs="?",
                       help="document number, e.g. BJ-20261126-0007 (pickup: the ticket's,"
                       " receipt: the payment's)")
    which.add_argument("--latest", action="store_true",
                       help="the most recent document of that kind the user may print")
    printing.add_argument("--out", required=True, metavar="FILE.pdf", help="the PDF to write")
    printing.add_argument("--a5", action="store_true", help="A5 paper (same as --paper A5)")
    printing.add_argument("--paper", choices=("A4", "A5", "C241x93", "C241x140"),
                          help="the paper: A4, A5 or continuous dot-matrix paper 241 × 93 or"
                          " 241 × 140 mm (default: A5 for intake slips, pickup and payment"
                          " receipts, A4 otherwise)")
    printing.add_argument("--user", metavar="NAME", help="log in as this user (required)")
    printing.add_argument("--password-stdin", action="store_true")
    _add_db_option(printing)
    printing.set_defaults(handler=_cmd_print)


def _add_care_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    care = commands.add_parser("care", help="customer care (客户关怀)")
    care.set_defaults(handler=_print_help_of(care))
    care_commands = care.add_subparsers(title="care commands", metavar="COMMAND")
    generate = care_commands.add_parser(
        "generate", help="create the care items the care rules call for",
        description="Create the care items (follow-up calls, contract expiry, consumables"
        " reorder, birthdays, holidays) falling due within the rules' horizon after DATE."
        " Running it again creates nothing twice; schedule it daily. Without --user it runs"
        " as the system (whoever holds the database URL); with --user the login needs the"
        " care module's create permission.")
    generate.add_argument("--on", metavar="DATE", help="the day to generate for, YYYY-MM-DD"
                          " (default: today)")
    generate.add_argument("--user", metavar="NAME", help="log in as this user")
    generate.add_argument("--password-stdin", action="store_true")
    _add_db_option(generate)
    generate.set_defaults(handler=_cmd_care_generate)


def _add_export_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = commands.add_parser(
        "export", help="export a list (customers, orders, tickets) to .xlsx or .csv",
        description="Write the customers (orders, service tickets) in the user's data scope"
        " to an Excel or CSV file"
        " (UTF-8 with BOM, opens in Chinese Excel). Exporting is a permissioned, audited"
        " operation: log in with --user; the password is asked, or read from the first line"
        " of standard input with --password-stdin.")
    export.add_argument("what", choices=("customers", "orders", "tickets"))
    export.add_argument("--out", required=True, metavar="FILE.xlsx|FILE.csv",
                        help="the file to write; its extension chooses the format")
    export.add_argument("--user", metavar="NAME", help="log in as this user (required)")
    export.add_argument("--password-stdin", action="store_true")
    _add_db_option(export)
    export.set_defaults(handler=_cmd_export)


def _add_import_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    importing = commands.add_parser(
        "import", help="bring customers, their devices, the product catalog or the opening"
        " receivables in from an Excel or CSV sheet, or undo an import",
        description="Read customers (with contacts and addresses), devices, products or"
        " opening receivables (what customers owed before the program) from FILE (.xlsx,"
        " .xls or .csv; CSV in UTF-8 or GBK), check every row and match it against the"
        " stored records (customers by phone and name, devices by model and serial number,"
        " products by SKU, opening balances by old number or date and amount), then store"
        " the valid rows. A row that matches a"
        " stored record fills only that record's empty fields (a product's price of 0.00"
        " counts as empty) unless --on-match says otherwise. `import undo N`"
        " removes what import N created and restores what it updated. Log in with --user;"
        " the password is asked, or read from the first line of standard input with"
        " --password-stdin.")
    importing.add_argument("what", choices=("customers", "devices", "products", "receivables",
                                            "undo"))
    importing.add_argument("file", metavar="FILE|N", help="the sheet; for undo, the import's"
                           " number")
    importing.add_argument("--sheet", metavar="NAME", help="the workbook's sheet (default:"
                           " the first)")
    importing.add_argument("--mapping", metavar="MAP.json", help="JSON {column: field}: the"
                           " column as its letter or header, the field as name, phone,"
                           " contact.mobile, custom.<code>, … (default: guessed from the"
                           " headers, or the last import of the same columns)")
    importing.add_argument("--dry-run", action="store_true",
                           help="check and report only; write nothing")
    importing.add_argument("--on-match", choices=("fill", "skip", "overwrite", "create"),
                           default="fill", help="a row like a stored customer: fill its"
                           " empty fields (default), skip the row, overwrite its fields, or"
                           " create a second card (devices and products: not create)")
    importing.add_argument("--errors", metavar="FILE.xlsx", help="write the rows not"
                           " imported, with an error column, to this file (fix and import"
                           " it again)")
    importing.add_argument("--user", metavar="NAME", help="log in as this user (required)")
    importing.add_argument("--password-stdin", action="store_true")
    _add_db_option(importing)
    importing.set_defaults(handler=_cmd_import)


def _add_report_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]
                        ) -> None:
    from app.services.statistics import STATISTICS

    report = commands.add_parser(
        "report", help="write a statistic (统计分析) to an Excel or PDF file",
        description="Compute one of the manager's statistics for a period and write it to"
        " FILE.xlsx or FILE.pdf, e.g. for a scheduled task. Log in with --user; the password"
        " is asked, or read from the first line of standard input with --password-stdin."
        " Needs the statistics view and export permissions; customer-guard (the customer"
        " base protection alerts, .xlsx) needs the customer-guard module's instead.")
    report.add_argument("name", choices=(*STATISTICS, GUARD_REPORT))
    report.add_argument("--from", dest="date_from", required=True, metavar="DATE",
                        help="first day, YYYY-MM-DD")
    report.add_argument("--to", dest="date_to", required=True, metavar="DATE",
                        help="last day, YYYY-MM-DD")
    report.add_argument("--out", required=True, metavar="FILE", help=".xlsx or .pdf")
    report.add_argument("--group-by", metavar="X",
                        help="the breakdown, e.g. class, source, month, salesperson")
    report.add_argument("--lang", choices=("zh", "en"), help="language of the file")
    report.add_argument("--user", metavar="NAME", help="log in as this user (required)")
    report.add_argument("--password-stdin", action="store_true")
    _add_db_option(report)
    report.set_defaults(handler=_cmd_report)


def _add_bench_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    bench = commands.add_parser(
        "bench", help="time customer search, list scrolling, the 360 view, the statistics"
        " and the change feed's poll against hand-written SQL",
        description="Build (or reuse) a generated database and report, per operation, the"
        " median time of the service call, of equivalent hand-written SQL, their ratio and"
        " the number of queries the service issued.")
    bench.add_argument("--customers", type=int, default=100_000, metavar="N")
    bench.add_argument("--import-customers", type=int, metavar="N",
                       help="instead, time the customer import: a generated sheet of N"
                       " customers (GBK CSV, one to three contacts each) planned and"
                       " imported into --db (written there: give an empty database) or a"
                       " new embedded file, as the general manager or --as NAME")
    bench.add_argument("--seed", type=int, default=1, metavar="S")
    bench.add_argument("--repeat", type=int, default=15, metavar="K")
    bench.add_argument("--as", dest="as_user", metavar="NAME",
                       help="measure row security: the search and the 360 view on NAME's own"
                       " database login against the owner's (--db's) login")
    bench.add_argument("--password-stdin", action="store_true")

    def milliseconds(value: str) -> float:
        try:
            ms = float(value)
        except ValueError:
            ms = -1.0
        if not ms >= 0:  # also refuses nan
            raise argparse.ArgumentTypeError(tr("must be a number of milliseconds, 0 or more"))
        return ms

    bench.add_argument("--json", action="store_true",
                       help="print the results as a JSON list, one object per operation"
                       " (progress goes to stderr)")
    bench.add_argument("--out", metavar="FILE.json", help="also write the JSON list to FILE")
    bench.add_argument("--lan-ms", type=milliseconds, metavar="X",
                       help="instead, time a person's actions (open card, open 360, save"
                       " customer, create order, record payment, login) through a built-in"
                       " relay that holds every packet X ms each way, and count their round"
                       " trips; server databases only. What the actions write is removed"
                       " afterwards")
    bench.add_argument("--guard-people", type=int, metavar="N",
                       help="instead, time the customer base protection's last 90 days with"
                       " N people reading (the issue's 40): bench readers are added to the"
                       " demo database until N people read, then the statistics window's"
                       " load and its alerts are timed against hand-written SQL")
    _add_db_option(bench)
    bench.set_defaults(handler=_cmd_bench)


def build_parser() -> argparse.ArgumentParser:
    """The full ``stationcrm`` parser; every command sets ``handler`` via ``set_defaults``."""
    parser = argparse.ArgumentParser(
        prog="stationcrm", description="StationCRM station program and administration tools."
    )
    parser.add_argument("--version", action=_VersionAction, nargs=0,
                        help="show the program version and the database schema it uses")
    # Without a command the desktop client starts; these flags are for it.
    _add_db_option(parser, top=True)
    parser.add_argument("--station", help="storefront, key_accounts, repair, management or"
                        " manager_office (default: as last used on this PC)")
    # Its own name: the report command's --lang (the file's language) must not overwrite it.
    parser.add_argument("--lang", dest="language", choices=LANGUAGES,
                        help="language of the messages and of the desktop client (default:"
                        " the station's setting)")
    parser.set_defaults(handler=_cmd_gui)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    _add_db_commands(commands)
    _add_user_commands(commands)
    _add_demo_command(commands)
    _add_print_command(commands)
    _add_export_command(commands)
    _add_import_command(commands)
    _add_care_command(commands)
    _add_report_command(commands)
    _add_bench_command(commands)
    _add_lang_to_commands(parser)
    return parser


def _add_lang_to_commands(parser: argparse.ArgumentParser) -> None:
    """Let ``--lang`` follow a command too (``stationcrm export … --lang zh``).

    Given after the command it wins; left out there, the one before the command (or none)
    stays, because the command's default is to set nothing. A command with a ``--lang`` of
    its own (report: the language of the file) keeps it.
    """
    # argparse has no public way to walk its commands; these attributes are stable.
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for command in dict.fromkeys(action.choices.values()):
            if "--lang" not in command._option_string_actions:
                command.add_argument("--lang", dest="language", choices=LANGUAGES,
                                     default=argparse.SUPPRESS,
                                     help="language of the messages (default: the station's"
                                     " setting)")
            _add_lang_to_commands(command)


# --- entry point -------------------------------------------------------------------------


class _VersionAction(argparse.Action):
    """``stationcrm 0.1.0 (database schema e3a9c5b17d42)``: the program and the schema
    revision it works with (a database at another revision is refused or upgraded). The
    revision is read only when asked for."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        print(tr("{program} {version} (database schema {revision})", program=parser.prog,
                 version=app.__version__, revision=schema.head_revision()))
        parser.exit()


def _one_line(exc: BaseException) -> str:
    """A one-line message for an error, without SQLAlchemy's SQL echo and links."""
    source = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    lines = [line.strip() for line in str(source).splitlines()]
    text = " ".join(line for line in lines if line and not line.startswith("(Background on"))
    text = text or type(source).__name__
    if isinstance(exc, NoSuchModuleError):
        return tr("unknown database type in the URL ({problem})", problem=text)
    if isinstance(exc, ArgumentError):
        return tr("invalid database URL ({problem})", problem=text)
    if isinstance(exc, DBAPIError):
        return tr("database error: {problem}", problem=text)
    return text


def _language_of(args: argparse.Namespace) -> str | None:
    """``--lang``, else the station's language (STATIONCRM_LANG, station.toml), else None:
    the system's. A station.toml that cannot be read decides nothing here; the command that
    needs it says what is wrong with it."""
    if args.language:
        return str(args.language)
    try:
        return load_settings().language
    except ConfigFileError:
        return None


def _error(message: str) -> None:
    print(f"stationcrm: error: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit code (never raises SystemExit itself)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    handler: Handler = args.handler
    set_language(_language_of(args))
    try:
        return handler(args)
    except KeyboardInterrupt:
        _error(tr("interrupted"))
        return 130
    except BrokenPipeError:
        # WORKAROUND: the reader went away (e.g. `| head`); point stdout at /dev/null so the
        # interpreter's final flush does not fail a second time with a traceback.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    except (DatabaseUnavailable, ConfigFileError) as exc:
        if os.environ.get("STATIONCRM_DEBUG"):
            raise
        _error(exc.message_zh if current_language() == "zh" else exc.message)
        return EXIT_ERROR
    except ServiceError as exc:
        _error(str(exc))
        return EXIT_ERROR
    except Exception as exc:
        if os.environ.get("STATIONCRM_DEBUG"):
            raise
        _error(_one_line(exc))
        return EXIT_ERROR

"""What every window needs to know, passed explicitly: database, user, station, settings, worker."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QSettings

from app.bootstrap import prepare_schema
from app.connect import engine_as
from app.db import (
    DatabaseUnavailable,
    check_connection,
    lost_connection,
    make_engine,
    redact_url,
    server_of,
)
from app.models.enums import DataScope, Module, Operation, StationCode
from app.services.errors import ServiceError
from app.services.permissions import Actor, can, scope_params
from app.services.uow import UnitOfWork
from app.settings import Settings
from app.ui.kit.changes import ChangeBus

T = TypeVar("T")

UI_SETTINGS_FILE = "ui.ini"



class Database:
    """One database the station talks to: its engine and the unit of work used by the worker.

    All calls go through the single worker thread of :class:`app.ui.tasks.TaskManager`, so
    one :class:`UnitOfWork` (which keeps the role permission cache between transactions)
    is shared by them.
    """

    def __init__(self, url: str, engine: Any, *, owns_engine: bool = True) -> None:
        self.url = url
        self.engine = engine
        self.display = redact_url(url)
        self._owns_engine = owns_engine
        self._uow: UnitOfWork | None = None

    def uow(self) -> UnitOfWork:
        if self._uow is None:
            self._uow = UnitOfWork.for_engine(self.engine)
        return self._uow

    def forget_uow(self) -> None:
        """The worker's call was abandoned while using the unit of work: the next call gets
        a new one (the abandoned call may still be inside the old one, on its own thread)."""
        self._uow = None

    def ping(self) -> None:
        """A cheap round trip (SELECT 1); raises :class:`DatabaseUnavailable`."""
        check_connection(self.engine)

    def no_answer(self, timeout_ms: int) -> DatabaseUnavailable:
        """The error for a server that did not answer a ping within ``timeout_ms``."""
        return DatabaseUnavailable(
            topic="no_answer", server=server_of(self.url),
            detail=f"the server did not answer within {timeout_ms / 1000:g} s")

    def user_error(self, error: BaseException) -> BaseException:
        """The error to show: a lost connection during a read becomes DatabaseUnavailable.

        Services translate database errors on commit; a plain read that loses the server
        raises the driver's error, which is recognised here by where it comes from.
        """
        if isinstance(error, ServiceError | DatabaseUnavailable):
            return error
        return lost_connection(error, self.url) or error

    def start_read_trail(self) -> None:
        """Write the person's reads of customers in the background from now on (the read
        trail, app.services.read_trail): every few seconds, never in a screen's way."""
        from app.services import read_trail

        read_trail.start(self.engine)

    def stop_read_trail(self) -> None:
        """Write what is left of the read trail (logout, quit)."""
        from app.services import read_trail

        read_trail.stop(self.engine)

    def close(self) -> None:
        self.stop_read_trail()
        if self._owns_engine:
            self.engine.dispose()


def open_database(url: str, *, embedded: bool = False,
                  person: tuple[str, str] | None = None,
                  settings: Settings | None = None) -> Database:
    """Create the engine for ``url``, check it answers and its schema fits (on the worker).

    ``embedded``: the station's own SQLite file, migrated and given demo data on first use.
    ``person``: (user name, password) on a server with personal logins — the engine then
    connects with that person's own database login (app.connect).
    ``settings``: the station's, for the embedded file's backups kept and the list of
    database files used on this PC.

    Raises:
        AuthenticationFailed: the server refused the person's login.
        DatabaseUnavailable: the URL is invalid or the server cannot be used.
        SchemaNotCurrent: a server whose schema the administrator has to upgrade.
    """
    if person is not None:
        engine = engine_as(url, *person)
    else:
        engine = make_engine(url, station=True)
    try:
        if person is None:
            check_connection(engine)
        if settings is None:
            prepare_schema(engine, embedded=embedded)
        else:
            prepare_schema(engine, embedded=embedded, backup_keep=settings.backups_kept,
                           used_list=settings.databases_used)
    except BaseException:
        engine.dispose()
        raise
    return Database(url, engine)


@dataclass(frozen=True)
class UiPermissions:
    """The operations the user's role allowed at login; the UI hides what is not allowed.

    Only for hiding: every service checks again, so a role changed meanwhile still applies.
    """

    operations: frozenset[tuple[Module, Operation]]
    # Effective data scope per module (own/department/all), for sensible list defaults.
    scopes: Mapping[Module, DataScope] = field(default_factory=dict)

    def can(self, module: Module, operation: Operation) -> bool:
        return (module, operation) in self.operations

    def scope(self, module: Module) -> DataScope | None:
        """The user's data scope of ``module``; None when unknown."""
        return self.scopes.get(module)

    @property
    def visible_modules(self) -> tuple[Module, ...]:
        return tuple(m for m in Module if (m, Operation.VIEW) in self.operations)


def load_ui_permissions(uow: UnitOfWork, actor: Actor) -> UiPermissions:
    """Ask :func:`app.services.permissions.can` for every module and operation (one read)."""
    with uow:
        allowed = frozenset(
            (module, operation)
            for module in Module
            for operation in Operation
            if can(uow, actor, module, operation)
        )
        scopes = {module: scope_params(uow, actor, module)[0] for module in Module}
    return UiPermissions(allowed, scopes)


@dataclass(frozen=True)
class LoginResult:
    database: Database
    actor: Actor
    permissions: UiPermissions


@dataclass(frozen=True)
class AppContext:
    """Handed to every window and page; there are no module-level globals in the UI."""

    settings: Settings
    database: Database
    actor: Actor
    permissions: UiPermissions
    tasks: Any  # app.ui.tasks.TaskManager (kept untyped here to avoid an import cycle)
    language: str = "en"
    # After every successful write the UI publishes (kind, id) here (app.ui.kit.changes).
    changes: ChangeBus = field(default_factory=ChangeBus, compare=False)

    @property
    def station(self) -> StationCode | None:
        try:
            return StationCode(self.actor.station) if self.actor.station else None
        except ValueError:
            return None

    @property
    def server_display(self) -> str:
        return self.database.display

    def can(self, module: Module, operation: Operation) -> bool:
        return self.permissions.can(module, operation)

    def new_uow(self) -> UnitOfWork:
        return self.database.uow()

    def run(
        self,
        fn: Callable[[UnitOfWork], T],
        *,
        on_done: Callable[[T], Any] | None = None,
        on_error: Callable[[BaseException], Any] | None = None,
        owner: QObject | None = None,
        give_up_after_ms: int | None = None,
    ) -> None:
        """Run ``fn(uow)`` on the database worker; callbacks run on the GUI thread.

        Example: ``ctx.run(lambda uow: search_customers(uow=uow, actor=ctx.actor),
        on_done=self._show)``.
        """
        database = self.database

        def call() -> T:
            try:
                return fn(database.uow())
            except Exception as error:
                translated = database.user_error(error)
                if translated is error:
                    raise
                raise translated from error

        self.tasks.run_in_background(call, on_done=on_done, on_error=on_error, owner=owner,
                                     give_up_after_ms=give_up_after_ms)

    def ui_settings_path(self) -> Path:
        return self.settings.config_dir / UI_SETTINGS_FILE

    def ui_settings(self) -> QSettings:
        """Per-PC interface preferences (column choices...), beside station.toml."""
        return QSettings(str(self.ui_settings_path()), QSettings.Format.IniFormat)

    def user_settings_key(self, key: str) -> str:
        """A QSettings key private to the logged-in user."""
        return f"users/{self.actor.username}/{key}"

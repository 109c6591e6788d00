"""Unit of work: one Session, one transaction; leaving without commit rolls back."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from sqlalchemy import Connection, Engine, Table, event, insert
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Mapper, Session, object_session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from app.i18n import tr
from app.services.errors import ConflictError, ServiceError

if TYPE_CHECKING:
    from app.services.permissions import Actor, Grants, _RoleGrants


class UnitOfWork:
    """Wraps a Session for one use case.

    ``with uow: ... uow.commit()``. Errors the database raises on commit become service
    errors: a lost optimistic-lock race is a :class:`ConflictError`, a violated
    constraint a :class:`ServiceError` with the reason.
    """

    session: Session

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory
        self._depth = 0
        # Permission grants loaded once per transaction (see permissions.grants_for).
        self.grants_cache: dict[int, Grants] = {}
        # Permission rows per (role id, role version); kept across transactions.
        self.role_cache: dict[tuple[int, int], _RoleGrants] = {}
        # The custom field definitions' stamp as this transaction read it with the
        # permissions (None until then), and settings kept across transactions under the
        # stamp they were read with (see custom_fields.load_definitions).
        self.field_stamp: tuple[int, ...] | None = None
        self.settings_cache: dict[str, tuple[Any, Any]] = {}
        # What a use case read once and may ask again in the same transaction (a
        # customer's directory entry); emptied with each transaction.
        self.transaction_cache: dict[object, Any] = {}
        self.station: str | None = None
        # Rows to insert just before COMMIT (see insert_at_commit), and those of this
        # transaction written before it (write_pending), kept for drop_at_commit.
        self._at_commit: list[tuple[type[Any], dict[str, Any]]] = []
        self._written: list[tuple[type[Any], dict[str, Any]]] = []
        # Whether the engine sends statements ahead (app.db.sends_ahead), once known;
        # then the ids of new rows are taken ahead too (_Ids).
        self._sends_ahead: bool | None = None
        if not event.contains(session_factory, "before_flush", _ids_for_new_rows):
            event.listen(session_factory, "before_flush", _ids_for_new_rows)

    @classmethod
    def for_engine(cls, engine: Engine) -> UnitOfWork:
        return cls(sessionmaker(bind=engine, expire_on_commit=False))

    def another(self) -> UnitOfWork:
        """A unit of work like this one, with a session and connection of its own: for a
        transaction beside this one's, or for another thread (an import's writers)."""
        return type(self)(self._session_factory)

    @property
    def engine(self) -> Engine:
        bind = self._session_factory.kw["bind"]
        assert isinstance(bind, Engine)
        return bind

    def __enter__(self) -> Self:
        # Re-entrant: a service that calls another service shares the outer transaction.
        if self._depth == 0:
            self.session = self._session_factory()
            if self._ids_ahead():
                self.session.info[_IDS] = _Ids(self)
            self.grants_cache = {}
            self.field_stamp = None
            self.transaction_cache = {}
            self._at_commit, self._written = [], []
        self._depth += 1
        return self

    @contextmanager
    def reading(self) -> Iterator[Self]:
        """A unit of work that only reads: the lists (a query per keystroke pause), the
        customer card, the 360 view, the statistics.

        On its own it takes the database's cheapest way to read (``app.db.
        read_only_options``): autocommit on a server, no BEGIN and ROLLBACK round trips,
        and a statement that finds its connection dead runs again on a new one; a
        transaction without the write lock on SQLite, so a read never waits for a station
        that is saving, nor makes it wait. Nested in another unit of work it simply
        shares that transaction. Do not write in it.
        """
        from app.db import read_only_options

        with self:
            if self._depth == 1:
                self.session.connection(execution_options=read_only_options(self.engine))
            yield self

    def acting(self, actor: Actor) -> None:
        """Told who acts at the start of each use case (``permissions.grants_for``).

        Nothing here: a station's engine already connects as its person. The test suite's
        unit of work uses it to run each use case on the acting person's own database login.
        """

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._at_commit, self._written = [], []
            try:
                self.session.rollback()
            finally:
                self.session.close()
        if isinstance(exc, DBAPIError):
            # A time limit the server enforced (app.timeouts) reaches the person as what
            # happened, not as an unexpected error.
            limit = _time_limit_error(exc)
            if limit is not None:
                raise limit from exc

    def pending_at_commit(self) -> tuple[int, int]:
        """Where the rows for the commit stand (how many were written ahead, how many
        queued in all): a mark for :meth:`drop_at_commit`, taken as a savepoint begins."""
        return len(self._written), len(self._written) + len(self._at_commit)

    def drop_at_commit(self, mark: tuple[int, int]) -> None:
        """The savepoint begun at ``mark`` was rolled back: forget the rows queued since,
        and queue again those queued before it but written ahead inside it (the rollback
        took them out of the database)."""
        written, queued = mark
        rows = [*self._written, *self._at_commit]
        self._written, self._at_commit = rows[:written], rows[written:queued]

    def insert_at_commit(self, entity: type[Any], row: dict[str, Any]) -> None:
        """Insert ``row`` into ``entity``'s table at the commit of this transaction, in
        one multi-row INSERT with the others (the audit entries): for rows nothing in
        the transaction reads back. On PostgreSQL the last INSERT and the COMMIT go in
        one round trip (``app.db.WITH_COMMIT``). Still in the transaction: if the INSERT
        fails, nothing is committed and the commit raises; rolled back, they are dropped.
        """
        self._at_commit.append((entity, row))

    def read_ahead(self, statement: Any, params: Any = None) -> None:
        """Have ``statement`` (with ``params``) sent with the next statement this
        transaction sends, in the same round trip, for a statement it will run later
        whose parameters are known now and whose effect may come early (a read; taking
        a document number, which the rollback of a refused use case undoes). Running the
        same statement with the same parameters later gets its results without a round
        trip; an error it met is raised then. Only on a driver that pipelines
        (``app.db.sends_ahead``); elsewhere nothing happens now and the statement runs
        when it is run."""
        from app.db import AHEAD, CAPTURE, Ahead, Captured, sends_ahead

        if not sends_ahead(self.engine):
            return
        connection = self.session.connection()
        if AHEAD not in connection.get_execution_options():
            connection.execution_options(**{AHEAD: Ahead()})
        # Not run now: nothing to flush for it (the objects pending go when it goes).
        try:
            with self.session.no_autoflush:
                self.session.execute(statement, params, execution_options={CAPTURE: True})
        except Captured:
            pass

    def _ids_ahead(self) -> bool:
        from app.db import sends_ahead

        if self._sends_ahead is None:
            self._sends_ahead = sends_ahead(self.engine)
        return self._sends_ahead

    def reserve_ids(self, entity: type[Any], count: int) -> None:
        """Have ``count`` ids of ``entity``'s table taken with the next statement this
        transaction sends (PostgreSQL), for rows of a table whose INSERT does not return
        its id (``implicit_returning=False``) that a later flush inserts: they take these
        ids instead of a ``select nextval`` round trip each. A flush takes the ids of the
        new rows it finds itself too (with its first statement), but rows added after
        an earlier flush (an order's lines once the order has its id) are not there yet.
        Elsewhere, or for another table, nothing happens."""
        from app.db import table_of

        ids: _Ids | None = self.session.info.get(_IDS)
        if ids is not None and count > 0:
            ids.reserve(table_of(entity), count)

    def commit(self) -> None:
        if self._depth > 1:
            # The outermost caller commits the whole use case once.
            self.flush()
            return
        try:
            if self._at_commit:
                self.session.flush()
                self._insert_pending()
            self.session.commit()
            self._written = []
        except Exception as exc:
            self._at_commit, self._written = [], []
            self.session.rollback()
            raise translate_db_error(exc, self._url()) from exc

    def write_pending(self) -> None:
        """Write now, in this transaction, what :meth:`commit` would write before its
        COMMIT (the audit entries): for a transaction about to write thousands of rows of
        the search tables (an import's chunk), whose outside-change check on PostgreSQL
        costs nothing once the transaction has its audit row."""
        if self._at_commit:
            self.flush()
            self._written += self._at_commit
            self._insert_pending(with_commit=False)

    def _insert_pending(self, *, with_commit: bool = True) -> None:
        from app.db import WITH_COMMIT, insert_many, sends_ahead, table_of

        pending, self._at_commit = self._at_commit, []
        runs: list[tuple[type[Any], list[dict[str, Any]]]] = []
        for entity, row in pending:
            if runs and runs[-1][0] is entity:
                runs[-1][1].append(row)
            else:
                runs.append((entity, [row]))
        # Many rows of a table alike (an import's chunk of audit entries): one batched
        # INSERT (app.db.insert_many: on PostgreSQL one statement for all, not one a
        # row). A few: multi-row INSERTs, and on PostgreSQL every one but the last sent
        # ahead, with the last and the COMMIT, for one round trip in all.
        batches: list[tuple[type[Any], list[dict[str, Any]]]] = []
        for entity, rows in runs:
            if len(rows) > _ROWS_PER_INSERT and len({tuple(r) for r in rows}) == 1:
                insert_many(self.session.connection(), table_of(entity), rows)
                continue
            batches += [(entity, rows[at:at + _ROWS_PER_INSERT])
                        for at in range(0, len(rows), _ROWS_PER_INSERT)]
        if not batches:
            return
        *first, (entity, rows) = batches
        ahead = sends_ahead(self.engine)
        for earlier, earlier_rows in first:
            statement = insert(earlier).inline().values(earlier_rows)
            if ahead:
                self.read_ahead(statement)
            else:
                self.session.execute(statement)
        self.session.execute(insert(entity).inline().values(rows),
                             execution_options={WITH_COMMIT: with_commit})

    def rollback(self) -> None:
        self._at_commit, self._written = [], []
        self.session.rollback()

    def flush(self) -> None:
        try:
            self.session.flush()
        except Exception as exc:
            raise translate_db_error(exc, self._url()) from exc

    def _url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)


# In a unit of work's session info (PostgreSQL): the ids taken ahead for new rows.
_IDS = "stationcrm_ids"


class _Ids:
    """Ids of tables whose INSERT does not return its id (``implicit_returning=False``),
    taken from their sequence ahead: one statement for all the new rows of a table, sent
    with the next statement of the transaction (``UnitOfWork.read_ahead``), instead of
    the ``select nextval`` SQLAlchemy sends before each row's INSERT. A new row takes
    one as it is inserted (`_take_id`)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        # Per table: the statements sent ahead (with their count) and the ids they gave.
        self.pending: dict[Table, list[tuple[Any, dict[str, int]]]] = {}
        self.ready: dict[Table, deque[int]] = {}
        self.coming: Counter[Table] = Counter()

    def reserve(self, table: Table, count: int) -> None:
        from app.db import ids_statement

        statement = ids_statement(self.uow.engine, table)
        if statement is None:
            return
        params = {"n": count}
        self.uow.read_ahead(statement, params)
        self.pending.setdefault(table, []).append((statement, params))
        self.coming[table] += count

    def take(self, table: Table, connection: Connection) -> int | None:
        ready = self.ready.setdefault(table, deque())
        if not ready:
            for statement, params in self.pending.pop(table, []):
                # Sent ahead: the ids are here already.
                ready.extend(sorted(connection.execute(statement, params).scalars()))
            self.coming[table] = len(ready)
        if not ready:
            return None
        self.coming[table] -= 1
        return ready.popleft()


def _ids_for_new_rows(session: Session, _context: Any, _instances: Any) -> None:
    """Before a flush: the ids its new rows of tables without RETURNING will take, sent
    with its first statement (beyond those taken already)."""
    ids: _Ids | None = session.info.get(_IDS)
    if ids is None or not session.new:
        return
    from sqlalchemy import inspect

    wanted: Counter[Table] = Counter()
    for obj in session.new:
        mapper = inspect(obj).mapper
        table = mapper.local_table
        if not isinstance(table, Table) or table.implicit_returning:
            continue
        column = table.autoincrement_column
        if column is not None and getattr(
                obj, mapper.get_property_by_column(column).key) is None:
            wanted[table] += 1
    for table, count in wanted.items():
        if count > ids.coming[table]:
            ids.reserve(table, count - ids.coming[table])


@event.listens_for(Mapper, "before_insert")
def _take_id(mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    """A new row of a table without RETURNING takes an id taken ahead (`_Ids`), if any."""
    table = mapper.local_table
    if not isinstance(table, Table) or table.implicit_returning:
        return
    session = object_session(target)
    ids: _Ids | None = session.info.get(_IDS) if session is not None else None
    if ids is None or table not in ids.coming and table not in ids.ready:
        return
    column = table.autoincrement_column
    if column is None:
        return
    key = mapper.get_property_by_column(column).key
    if getattr(target, key) is None and (taken := ids.take(table, connection)) is not None:
        setattr(target, key, taken)


# SQL Server takes at most 2100 parameters in a statement: 200 rows of up to 10 columns.
_ROWS_PER_INSERT = 200


def translate_db_error(exc: BaseException, url: str = "") -> BaseException:
    """Turn a database failure during commit into the error people should see."""
    if isinstance(exc, ServiceError):
        return exc
    if isinstance(exc, StaleDataError):
        return ConflictError(
            tr("Someone else saved this record at the same time. Reload it and try again.")
        )
    if isinstance(exc, IntegrityError):
        message = str(getattr(exc, "orig", exc))
        field = unique_field(message)
        if field is not None:
            # Another station saved the same value since this one looked (or the value
            # belongs to a record this login may not see): the same message the service's
            # own check gives, on the field.
            from app.services.errors import ValidationError

            return ValidationError({field: tr("already exists")})
        detail = message.splitlines()[0][:200]
        return ServiceError(tr("The database refused the change: {detail}", detail=detail))
    if isinstance(exc, DBAPIError) and (limit := _time_limit_error(exc)) is not None:
        return limit
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        from app.db import describe_connection_error

        return describe_connection_error(exc, url)
    return exc


def _unique_keys() -> list[tuple[str | None, str, tuple[str, ...]]]:
    """(name, table, columns) of every unique constraint and unique index of the models."""
    from sqlalchemy import UniqueConstraint

    from app.models import Base

    keys: list[tuple[str | None, str, tuple[str, ...]]] = []
    for table in Base.metadata.tables.values():
        for constraint in table.constraints:
            if isinstance(constraint, UniqueConstraint):
                keys.append((str(constraint.name) if constraint.name else None, table.name,
                             tuple(c.name for c in constraint.columns)))
        for index in table.indexes:
            if index.unique:
                keys.append((str(index.name) if index.name else None, table.name,
                             tuple(c.name for c in index.columns)))
        for column in table.columns:
            if column.unique:
                keys.append((None, table.name, (column.name,)))
    return keys


def unique_field(message: str) -> str | None:
    """The field a unique-key violation is about, from the database's message, or None.

    PostgreSQL and SQL Server name the constraint or index; SQLite names the columns
    ("UNIQUE constraint failed: products.sku"). The field is the key's last column (the one
    a person typed: ``code`` of (entity, code), ``serial_number`` of (model, serial))."""
    if "unique" not in message.lower() and "duplicate" not in message.lower():
        return None
    failed = message.partition("UNIQUE constraint failed:")[2].partition("\n")[0].strip()
    for name, table, columns in _unique_keys():
        named = name is not None and (f'"{name}"' in message or f"'{name}'" in message)
        if named or (failed and failed == ", ".join(f"{table}.{c}" for c in columns)):
            return columns[-1]
    return None


# PostgreSQL: lock_timeout, statement_timeout; SQL Server: SET LOCK_TIMEOUT (error 1222)
# and the ODBC query timeout (SQLSTATE HYT00).
_LOCK_WAIT_STATES = frozenset({"55P03"})
_TOO_LONG_STATES = frozenset({"57014", "HYT00", "HYT01"})


def _time_limit_error(exc: DBAPIError) -> ServiceError | None:
    """The person's message for a statement the server stopped at a time limit, or None."""
    orig = exc.orig
    state = getattr(orig, "sqlstate", None) or (
        str(orig.args[0]) if orig is not None and orig.args else "")
    text = str(orig)
    if state in _LOCK_WAIT_STATES or "Lock request time out period exceeded" in text:
        return ConflictError(tr(
            "Another station is saving the same records right now, and this one waited as "
            "long as it may. Nothing was changed; try again in a moment."))
    if state in _TOO_LONG_STATES and "statement timeout" in text.lower() or (
            state in {"HYT00", "HYT01"}):
        return ServiceError(tr(
            "The server took too long to answer and the action was stopped; nothing was "
            "changed. Try again, or narrow the search."))
    return None

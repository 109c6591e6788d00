"""Counting a station's round trips to its database, for tests that hold actions to a budget.

A round trip is one request the station sends and then waits for: each statement, and the
BEGIN, COMMIT and ROLLBACK a driver sends on their own. On PostgreSQL they are read off the
wire — libpq's trace of every pooled connection, one round trip per ReadyForQuery the
server sends back — so nothing the driver does on its own (psycopg's BEGIN, a preparation)
escapes. Elsewhere they are counted from SQLAlchemy's events: every statement (SQLite's
BEGIN is one of them, see app.db), and COMMIT and ROLLBACK when the driver's connection
has a transaction open.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event

# What tests/people.py sends to act as a person's database login: the test harness's own
# statements, not the service's (a station on a secured server connects as the person).
_HARNESS = re.compile(r'^\s*(SET ROLE|RESET ROLE|SELECT EXISTS \(SELECT 1 FROM pg_roles'
                      r'|SELECT crmsec\.save_principal)')
_MESSAGE = re.compile(r'^(F|B)\t\d+\t(\w+)\t?(.*)$')


@dataclass
class Exchange:
    """One request and its answer: the statement's text (or BEGIN, COMMIT, ROLLBACK)."""

    text: str
    executes: bool = True  # False: psycopg only preparing a statement (Parse, no Execute)


@dataclass
class RoundTrips:
    """What one or more actions sent, in order."""

    exchanges: list[Exchange] = field(default_factory=list)

    @property
    def count(self) -> int:
        """Round trips that ran something. psycopg prepares a statement on the server the
        fifth time a connection runs it, one extra round trip once per connection and
        statement; those are listed (``preparations``) but not counted."""
        return sum(1 for e in self.exchanges if e.executes)

    @property
    def preparations(self) -> int:
        return sum(1 for e in self.exchanges if not e.executes)

    def texts(self) -> list[str]:
        return [e.text if e.executes else f"(prepare) {e.text}" for e in self.exchanges]

    def __str__(self) -> str:
        return "\n".join(f"{i:3d}. {' '.join(t.split())[:160]}"
                         for i, t in enumerate(self.texts(), start=1))


@contextlib.contextmanager
def counting(engine: Engine) -> Iterator[RoundTrips]:
    """Count the round trips made on ``engine`` inside the block.

    Every connection used inside the block must be back in the pool at its end (a unit of
    work returns its connection when it ends)."""
    trips = RoundTrips()
    if engine.dialect.driver == "psycopg" and _can_trace(engine):
        with _wire(engine, trips):
            yield trips
    else:
        with _events(engine, trips):
            yield trips


def _can_trace(engine: Engine) -> bool:
    import psycopg

    return psycopg.pq.__impl__ in ("c", "binary", "python") and psycopg.pq.version() >= 140000


@contextlib.contextmanager
def _wire(engine: Engine, trips: RoundTrips) -> Iterator[None]:
    """Trace every connection of the pool from the start of the block to its end — idle
    in the pool too, so that what the pool sends at checkout (a pre-ping) is seen."""
    import psycopg

    traces: list[tuple[Any, dict[str, str]]] = []
    traced: dict[int, Any] = {}

    def start(dbapi_connection: Any, *_: Any) -> None:
        if dbapi_connection is None or id(dbapi_connection) in traced:
            return
        handle = tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace")
        dbapi_connection.pgconn.trace(handle.fileno())
        dbapi_connection.pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS)
        traced[id(dbapi_connection)] = dbapi_connection
        # The statements psycopg prepared before the trace began: a Bind names them only.
        prepared = {name.decode(): key[0].decode(errors="replace") for key, name in
                    dbapi_connection._prepared._names.items()}
        traces.append((handle, prepared))

    def pause(dbapi_connection: Any, *_: Any) -> None:
        if dbapi_connection is not None and traced.pop(id(dbapi_connection), None) is not None:
            with contextlib.suppress(Exception):  # a connection the pool threw away
                dbapi_connection.pgconn.untrace()

    for record in list(engine.pool._pool.queue):  # type: ignore[attr-defined]  # idle ones
        start(record.dbapi_connection)
    event.listen(engine, "connect", start)
    event.listen(engine, "checkout", start)
    # tests/people.py resets the person's role at checkin: the harness's, not counted.
    event.listen(engine, "checkin", pause, insert=True)
    event.listen(engine, "checkin", start)
    event.listen(engine, "close", pause, insert=True)
    try:
        yield
    finally:
        for name, listener in (("connect", start), ("checkout", start), ("checkin", pause),
                               ("checkin", start), ("close", pause)):
            event.remove(engine, name, listener)
        for connection in list(traced.values()):
            pause(connection)
        for handle, prepared in traces:
            handle.flush()
            os.fsync(handle.fileno())
            handle.seek(0)
            trips.exchanges.extend(_exchanges(handle.read(), prepared))
            handle.close()


def _exchanges(trace: str, prepared: dict[str, str]) -> list[Exchange]:
    """The trace cut at each ReadyForQuery, each exchange named by the statements it ran
    (``;`` between those sent together, as a BEGIN with the first statement); the
    harness's own requests left out. ``prepared``: the text of each statement prepared
    before, by its name."""
    found: list[Exchange] = []
    texts: list[str] = []
    parsed, executes = "", False
    # A BEGIN sent alone: psycopg's, for whatever comes next. When that is the harness's
    # SET ROLE (tests/people.py talks to the driver's connection), the BEGIN is the
    # harness's too; a station connected as the person never sends it.
    begin: Exchange | None = None
    for line in trace.splitlines():
        match = _MESSAGE.match(line)
        if match is None:
            continue
        side, kind, rest = match.groups()
        if side == "F" and kind == "Query":
            texts.append(_quoted(rest))
            executes = True
        elif side == "F" and kind == "Parse":
            # Parse "statement name" "text" …
            name, _, tail = rest.strip().partition('" ')
            parsed = _quoted(tail)
            prepared[name.strip('"')] = parsed
        elif side == "F" and kind == "Bind":
            # Bind "portal" "statement name" …: unnamed, the statement just parsed.
            _portal, _, tail = rest.strip().partition('" ')
            name = _quoted(tail)
            texts.append(prepared.get(name, "(prepared statement)") if name else parsed)
        elif side == "F" and kind == "Execute":
            executes = True
        elif side == "B" and kind == "ReadyForQuery":
            harness = bool(texts) and all(_HARNESS.match(t) for t in texts)
            if begin is not None and not harness:
                found.append(begin)
            begin = None
            if texts == ["BEGIN"] or (len(texts) == 1 and texts[0].startswith("BEGIN ")):
                begin = Exchange(texts[0], executes)
            elif not harness:
                found.append(Exchange("; ".join(texts) or parsed, executes))
            texts, parsed, executes = [], "", False
    if begin is not None:
        found.append(begin)
    return found


def _quoted(rest: str) -> str:
    rest = rest.strip()
    if rest.startswith('"'):
        rest = rest[1:]
        end = rest.find('"')
        return rest[:end] if end >= 0 else rest
    return rest


@contextlib.contextmanager
def _events(engine: Engine, trips: RoundTrips) -> Iterator[None]:
    def statement(_conn: Any, _cursor: Any, text: str, parameters: Any, _context: Any,
                  executemany: bool) -> None:
        if _HARNESS.match(text):
            return
        times = len(parameters) if executemany and parameters else 1
        trips.exchanges.extend(Exchange(text) for _ in range(times))

    def ending(word: str) -> Any:
        def note(conn: Any) -> None:
            dbapi = conn.connection.dbapi_connection
            if dbapi is not None and _in_transaction(dbapi):
                trips.exchanges.append(Exchange(word))
        return note

    def reset(dbapi_connection: Any, *_: Any) -> None:
        if dbapi_connection is not None and _in_transaction(dbapi_connection):
            trips.exchanges.append(Exchange("ROLLBACK"))

    commit, rollback = ending("COMMIT"), ending("ROLLBACK")
    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", commit)
    event.listen(engine, "rollback", rollback)
    event.listen(engine.pool, "reset", reset)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "commit", commit)
        event.remove(engine, "rollback", rollback)
        event.remove(engine.pool, "reset", reset)


def _in_transaction(dbapi_connection: Any) -> bool:
    flag = getattr(dbapi_connection, "in_transaction", None)  # sqlite3
    if flag is not None:
        return bool(flag)
    return not getattr(dbapi_connection, "autocommit", False)  # pyodbc: cannot tell; assume

"""Time limits on a station's server connection, so that no call waits for ever.

A station cut off mid-save kept its row lock, and another waited the whole time (the
server would have let it wait about two hours); a search during a network black hole
blocked for 40 s. A station's connection to a server therefore carries (defaults here,
each one changeable in the station's server address, e.g.
``postgresql://server/stationcrm?lock_timeout=5``, in seconds):

* ``statement_timeout`` (60 s): the longest one statement may run;
* ``lock_timeout`` (10 s): the longest a statement waits for another station's lock —
  the person is told someone else is saving and tries again;
* ``idle_timeout`` (60 s): the server ends a transaction left open by a station that
  vanished, releasing its locks;
* ``keepalive`` (30 s): the server notices a dead station's TCP connection.

PostgreSQL takes them as session settings; SQL Server as ``SET LOCK_TIMEOUT`` and the ODBC
query timeout (a vanished session's locks go with its connection, which SQL Server ends
when TCP keep-alive gives up; docs/dba.md says how to tune that). The embedded file has its
own busy timeout (app.db). Administration commands (``db upgrade``, ``demo-data``) run
without these limits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import URL, Engine, event

KEYS = ("statement_timeout", "lock_timeout", "idle_timeout", "keepalive")


@dataclass(frozen=True)
class Timeouts:
    statement_s: float = 60
    lock_s: float = 10
    idle_s: float = 60
    keepalive_s: int = 30


def from_url(url: URL) -> Timeouts:
    """The defaults, with any the address sets (in seconds)."""
    def value(key: str, default: float) -> float:
        raw = url.query.get(key)
        if raw is None:
            return default
        text = raw if isinstance(raw, str) else raw[-1]
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{key} must be a number of seconds, not {text!r}") from None
        if number <= 0:
            raise ValueError(f"{key} must be more than 0 seconds")
        return number

    base = Timeouts()
    return Timeouts(statement_s=value("statement_timeout", base.statement_s),
                    lock_s=value("lock_timeout", base.lock_s),
                    idle_s=value("idle_timeout", base.idle_s),
                    keepalive_s=int(value("keepalive", base.keepalive_s)))


def session_statements(backend: str, limits: Timeouts) -> list[str]:
    """What each new connection of a station runs first."""
    if backend == "postgresql":
        return [f"SET statement_timeout = {int(limits.statement_s * 1000)}",
                f"SET lock_timeout = {int(limits.lock_s * 1000)}",
                "SET idle_in_transaction_session_timeout = "
                f"{int(limits.idle_s * 1000)}",
                f"SET tcp_keepalives_idle = {limits.keepalive_s}",
                f"SET tcp_keepalives_interval = {max(1, limits.keepalive_s // 3)}",
                "SET tcp_keepalives_count = 3"]
    if backend == "mssql":
        return [f"SET LOCK_TIMEOUT {int(limits.lock_s * 1000)}"]
    return []


def install(engine: Engine, limits: Timeouts) -> None:
    """Give every new connection of ``engine`` the limits (the pool keeps them)."""
    backend = engine.dialect.name
    statements = session_statements(backend, limits)
    if not statements:
        return

    @event.listens_for(engine, "connect")
    def _limit(dbapi_connection: Any, _record: Any) -> None:
        if backend == "mssql":
            # pyodbc: the query timeout, in whole seconds.
            dbapi_connection.timeout = max(1, int(limits.statement_s))
        cursor = dbapi_connection.cursor()
        try:
            for statement in statements:
                cursor.execute(statement)
        finally:
            cursor.close()
        if backend == "postgresql":
            dbapi_connection.commit()

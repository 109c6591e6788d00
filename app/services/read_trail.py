"""The read trail's recorder: every read of customers, noted at once and written in batches.

The services that show customers — the card, the 360 view, a page of the customer list, an
export, a printed document — call :func:`note` as they return. Noting is an append to a
list in memory (microseconds): the person never waits for the database. A station's
recorder writes what it holds in one INSERT every few seconds, or sooner once a batch is
full, from a thread of its own (:func:`start`), and again when the program closes
(:func:`stop`). A write that fails (the network is down) keeps its rows for the next one.

The rows go to ``read_trail`` (app.models.ReadEntry). On a secured server a station's login
may add rows there but never read, change or delete them, and the database itself writes
the login's user into each row (app.security): a station cannot write reads in another
person's name nor take its own back. What it can do is not send them — a person who reads
the database with a SQL tool leaves no trail here, only the server's own logs — so the
alerts (app.services.customer_guard) watch what people do through StationCRM.
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import threading
import weakref
from typing import Any, Final

from sqlalchemy import Engine, insert

from app.models import ReadEntry
from app.models.enums import ReadAction
from app.services.permissions import Actor

log = logging.getLogger(__name__)

# A batch is written once it holds this many reads, or after FLUSH_SECONDS.
BATCH_ROWS: Final = 200
FLUSH_SECONDS: Final = 10.0
# What a station keeps while the database cannot be reached; beyond it the oldest reads
# are dropped (and the loss logged), so a long outage cannot fill the station's memory.
MAX_PENDING: Final = 50_000
DETAIL_LENGTH: Final = 100


def local_now() -> dt.datetime:
    """The station's wall clock (naive local time); the tests set it."""
    return dt.datetime.now()


class ReadTrail:
    """One engine's reads waiting to be written, and the thread that writes them."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._pending: list[dict[str, Any]] = []
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.dropped = 0  # reads dropped to keep memory bounded (logged as they go)

    def note(self, user_id: int, action: ReadAction, *, customer_id: int | None = None,
             customers: int = 1, detail: str | None = None,
             when: dt.datetime | None = None) -> None:
        """Hold one read for the next batch. ``when`` is the station's local time (naive;
        default now): its date and minute are what the per-day figures count."""
        local = when or local_now()
        at = (local if local.tzinfo else local.astimezone()).astimezone(dt.UTC)
        if local.tzinfo:
            local = local.astimezone().replace(tzinfo=None)
        row = {"at": at, "day": local.date(), "minute": local.hour * 60 + local.minute,
               "user_id": user_id, "action": action.value, "customer_id": customer_id,
               "customers": max(0, customers),
               "detail": detail[:DETAIL_LENGTH] if detail else None}
        with self._lock:
            self._pending.append(row)
            full = len(self._pending) >= BATCH_ROWS
            self._keep_bounded()
        if full:
            self._wake.set()

    def _keep_bounded(self) -> None:
        """Drop the oldest reads beyond MAX_PENDING (under the lock)."""
        over = len(self._pending) - MAX_PENDING
        if over > 0:
            del self._pending[:over]
            self.dropped += over
            log.warning("the read trail could not be written for long: %d reads dropped",
                        over)

    def discard(self) -> int:
        """Forget the reads held (the tests, between databases); returns how many."""
        with self._lock:
            count, self._pending = len(self._pending), []
        return count

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def flush(self) -> int:
        """Write every read held, in one transaction; returns how many. On failure the
        reads are kept (ahead of newer ones) and the error is raised."""
        with self._lock:
            rows, self._pending = self._pending, []
        if not rows:
            return 0
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(ReadEntry), rows)
        except BaseException:
            with self._lock:
                self._pending[:0] = rows
                self._keep_bounded()
            raise
        return len(rows)

    def start(self, interval: float = FLUSH_SECONDS) -> None:
        """Write in the background from now on: every ``interval`` seconds, or as soon as
        a batch is full."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(interval,),
                                        name="read-trail", daemon=True)
        self._thread.start()

    def stop(self, *, timeout: float = 5.0) -> None:
        """Stop the background writer and write what is left (a failure is logged: the
        program is closing and cannot keep the reads)."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stop.set()
            self._wake.set()
            thread.join(timeout)
        try:
            self.flush()
        except Exception:  # noqa: BLE001 - closing: nothing left to retry with
            log.warning("the read trail could not be written at close: %d reads lost",
                        self.pending, exc_info=True)

    def _run(self, interval: float) -> None:
        while not self._stop.is_set():
            self._wake.wait(interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - kept for the next try
                log.warning("the read trail could not be written; %d reads kept",
                            self.pending, exc_info=True)


_TRAILS: weakref.WeakKeyDictionary[Engine, ReadTrail] = weakref.WeakKeyDictionary()
_TRAILS_LOCK = threading.Lock()
_AT_EXIT: list[bool] = []  # whether _stop_all is registered


def trail_for(engine: Engine) -> ReadTrail:
    """The engine's recorder (one per engine, made on first use)."""
    with _TRAILS_LOCK:
        trail = _TRAILS.get(engine)
        if trail is None:
            if not _AT_EXIT:
                # A command (stationcrm export, report …) ends without a logout: what it
                # noted is written as the program exits.
                atexit.register(_stop_all)
                _AT_EXIT.append(True)
            trail = _TRAILS[engine] = ReadTrail(engine)
        return trail


def discard_all() -> int:
    """Forget every engine's held reads (a test run ending: its databases are gone)."""
    with _TRAILS_LOCK:
        trails = list(_TRAILS.values())
    return sum(trail.discard() for trail in trails)


def _stop_all() -> None:
    with _TRAILS_LOCK:
        trails = list(_TRAILS.values())
    for trail in trails:
        trail.stop()


def note(engine: Engine, actor: Actor, action: ReadAction, *, customer_id: int | None = None,
         customers: int = 1, detail: str | None = None) -> None:
    """Note that ``actor`` was shown customers (see :meth:`ReadTrail.note`)."""
    trail_for(engine).note(actor.user_id, action, customer_id=customer_id,
                           customers=customers, detail=detail)


def flush(engine: Engine) -> int:
    """Write the engine's held reads now (the tests, a program closing)."""
    return trail_for(engine).flush()


def start(engine: Engine, interval: float = FLUSH_SECONDS) -> None:
    trail_for(engine).start(interval)


def stop(engine: Engine) -> None:
    trail_for(engine).stop()

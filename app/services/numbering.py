"""Document numbers such as ``WX-20261126-0007``, issued race-free inside the saving transaction."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Update, select, update
from sqlalchemy.exc import IntegrityError

from app.models import DocumentSequence
from app.services.uow import UnitOfWork

# The prefixes printed on each kind of document.
PREFIXES = {
    "customer": "KH",
    "opportunity": "SJ",
    "quotation": "BJ",
    "order": "XS",
    "payment": "HK",
    "contract": "HT",
    "service_ticket": "WX",
    "knowledge": "ZS",
}


def _take(kind: str, day: dt.date, count: int = 1) -> Update:
    return (update(DocumentSequence)
            .where(DocumentSequence.prefix == PREFIXES[kind],
                   DocumentSequence.period == day.strftime("%Y%m%d"))
            .values(last_value=DocumentSequence.last_value + count)
            .execution_options(synchronize_session=False))


def take_number_ahead(uow: UnitOfWork, kind: str, day: object) -> None:
    """Have the UPDATE of :func:`next_number` sent ahead (``uow.read_ahead``), for a
    use case that will take a number for ``kind`` on ``day`` later in its transaction:
    the counter row is then locked from that round trip on, and a use case refused
    before it takes the number rolls the UPDATE back. Nothing for a ``day`` that is not
    a date (the use case's checks will refuse it)."""
    if (isinstance(day, dt.date) and not isinstance(day, dt.datetime)
            and uow.session.get_bind().dialect.update_returning):
        uow.read_ahead(_take(kind, day).returning(DocumentSequence.last_value))


def next_numbers(uow: UnitOfWork, kind: str, day: dt.date, count: int, *,
                 width: int = 4) -> list[str]:
    """``count`` numbers in a row for ``kind`` on ``day``, taken with one UPDATE (an
    import numbers a chunk of customers at once); otherwise as :func:`next_number`."""
    if count <= 0:
        return []
    prefix = PREFIXES[kind]
    period = day.strftime("%Y%m%d")
    last = _take_value(uow, kind, day, count)
    return [f"{prefix}-{period}-{value:0{width}d}" for value in range(last - count + 1,
                                                                       last + 1)]


def next_numbers_apart(uow: UnitOfWork, kind: str, day: dt.date, count: int) -> list[str]:
    """:func:`next_numbers` in a short transaction of its own, beside ``uow``'s (another
    connection): for an import's writers working side by side, each of which would
    otherwise hold the counter row from its first number to its COMMIT, so that the other
    waited for it. A number taken here whose chunk then rolls back is a gap: gaps are
    acceptable, duplicates are not."""
    apart = uow.another()
    with apart:
        numbers = next_numbers(apart, kind, day, count)
        apart.commit()
    return numbers


def next_number(uow: UnitOfWork, kind: str, day: dt.date, *, width: int = 4) -> str:
    """Take the next number for ``kind`` on ``day`` in the current transaction.

    The counter row is incremented with one UPDATE, which takes a row lock on a server
    database (a second station's UPDATE waits until the first commits) and the write
    lock on SQLite, so no two saved documents share a number. The UPDATE returns the
    value it wrote (RETURNING; OUTPUT on SQL Server, where document_sequences has no
    trigger that would forbid it), one round trip instead of an UPDATE and a SELECT; a
    SQLite older than 3.35 has no RETURNING and reads the value back after the UPDATE,
    under the same lock. A number taken by a transaction that rolls back is not reused by
    others; gaps are acceptable, duplicates are not.
    """
    prefix = PREFIXES[kind]
    period = day.strftime("%Y%m%d")
    return f"{prefix}-{period}-{_take_value(uow, kind, day, 1):0{width}d}"


def _take_value(uow: UnitOfWork, kind: str, day: dt.date, count: int) -> int:
    """Move the counter of ``kind`` on ``day`` on by ``count``; the value it now holds."""
    prefix = PREFIXES[kind]
    period = day.strftime("%Y%m%d")
    session = uow.session
    this_day = (DocumentSequence.prefix == prefix, DocumentSequence.period == period)
    take = _take(kind, day, count)
    returns = session.get_bind().dialect.update_returning
    for _attempt in range(3):
        value: int | None
        if returns:
            value = session.execute(
                take.returning(DocumentSequence.last_value)).scalar_one_or_none()
        elif session.execute(take).rowcount == 1:  # type: ignore[attr-defined]
            value = session.execute(
                select(DocumentSequence.last_value).where(*this_day)).scalar_one()
        else:
            value = None
        if value is not None:
            return value
        # First number of the day: create the counter. Another station may create it at
        # the same moment; the unique constraint lets only one win, the other retries.
        try:
            with session.begin_nested():
                session.add(DocumentSequence(prefix=prefix, period=period, last_value=count))
            return count
        except IntegrityError:
            continue
    raise RuntimeError(f"could not issue a {kind} number")  # pragma: no cover

"""Request keys: a save retried after an ambiguous failure returns what was saved, once.

A create or payment form takes a key when it opens (8–64 letters, digits, ``_`` or ``-``;
a UUID's hex does) and sends it with every attempt to save. The use case asks
:func:`replayed` first: when this person already saved a record under the key, it returns
that record's view and writes nothing. Otherwise it does the work and calls
:func:`remember` before it commits, so the key and the record are saved together or not
at all. After a connection error during COMMIT the station asks :func:`was_saved` and
tells the person "已保存" or "未保存，请重试".

Two attempts racing with one key (the first still committing when the retry arrives):
both pass :func:`replayed`, and the unique key refuses the second one's row when the first
has committed. :func:`remember` then rolls the second attempt back and raises
:class:`AlreadySaved`: nothing of it is kept, and calling the use case again with the same
key returns the first attempt's record. (Returning the record from the failed attempt
itself would need the use case to restart its transaction halfway; the caller's retry is
simpler and is what a station does after any ambiguous failure anyway.)

A key no service call gave (``None``) means no key: old callers save as before.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError

from app.i18n import tr
from app.models import RequestKey, utcnow
from app.services.errors import ConflictError, ValidationError
from app.services.permissions import Actor
from app.services.uow import UnitOfWork

_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")
FIELD = "request_key"


class AlreadySaved(ConflictError):
    """Another attempt with the same request key saved the record first; this one was
    rolled back. Calling the use case again with the same key returns that record."""


def check_key(key: object) -> str | None:
    """The key, or None for no key; a malformed key is a ValidationError on ``request_key``."""
    if key is None:
        return None
    if not isinstance(key, str) or _KEY.fullmatch(key) is None:
        raise ValidationError({FIELD: tr(
            "must be 8 to 64 letters, digits, '_' or '-'")})
    return key


def _row(uow: UnitOfWork, key: str) -> RequestKey | None:
    # On a secured server a person reads only their own keys (row policy).
    return uow.session.execute(
        select(RequestKey).where(RequestKey.key == key)).scalar_one_or_none()


def _reused() -> ValidationError:
    return ValidationError({FIELD: tr("was already used for another record")})


def replayed(uow: UnitOfWork, actor: Actor, key: str | None, entity: str) -> int | None:
    """The id of the ``entity`` record the actor saved under ``key``, else None.

    A key already used by another person or for another kind of record is refused
    (ValidationError on ``request_key``): a form's key names one save.
    """
    key = check_key(key)
    if key is None:
        return None
    row = _row(uow, key)
    if row is None:
        return None
    if row.user_id != actor.user_id or row.entity != entity:
        raise _reused()
    return row.record_id


def remember(uow: UnitOfWork, actor: Actor, key: str | None, entity: str,
             record_id: int) -> None:
    """Note in the use case's transaction that ``key`` saved this record (before commit).

    If another attempt with the key committed meanwhile, this attempt is rolled back and
    :class:`AlreadySaved` raised (or a ValidationError when that key is someone else's).
    """
    key = check_key(key)
    if key is None:
        return
    uow.session.add(RequestKey(key=key, entity=entity, record_id=record_id,
                               user_id=actor.user_id, created_at=utcnow()))
    try:
        uow.session.flush()
    except IntegrityError as exc:
        # The key is taken: nothing of this attempt may stay.
        uow.session.rollback()
        row = _row(uow, key)
        if row is None or row.user_id != actor.user_id or row.entity != entity:
            raise _reused() from exc
        raise AlreadySaved(tr(
            "This was already saved a moment ago (an earlier attempt went through). "
            "Try again to see the saved record."), entity=entity,
            entity_id=row.record_id) from exc


def was_saved(*, uow: UnitOfWork, actor: Actor, key: str) -> tuple[str, int] | None:
    """``(entity, record_id)`` the actor saved under ``key``, or None if nothing was.

    For the station after a connection error during COMMIT: "已保存" or "未保存，请重试".

    The save may still be running: the person stopped waiting for it, or its connection
    was cut off while the server went on. A plain read would not see its key until it
    commits and would say "not saved" about a record saved a moment later. So the check
    first claims the key itself, in a savepoint that it always rolls back: that waits
    until a save holding the key has committed or rolled back (or the station's lock
    timeout ends the wait, and the station asks again). Only then does it read.
    """
    checked = check_key(key)
    with uow:
        if checked is not None:
            claim = uow.session.begin_nested()
            uow.session.add(RequestKey(key=checked, entity="check", record_id=0,
                                       user_id=actor.user_id, created_at=utcnow()))
            try:
                uow.session.flush()
            except IntegrityError:
                pass  # taken: a save committed it (the read below says whose)
            claim.rollback()
        row = uow.session.execute(
            select(RequestKey.entity, RequestKey.record_id)
            .where(RequestKey.key == checked, RequestKey.user_id == actor.user_id)
        ).one_or_none()
        return None if row is None else (row.entity, row.record_id)


KEEP_DAYS = 30


def forget_old_keys(engine: Engine, *, days: int = KEEP_DAYS,
                    now: dt.datetime | None = None) -> int:
    """Delete request keys older than ``days`` (a retry needs its key for minutes).

    Housekeeping with the database owner's rights (stations may not delete keys): the
    embedded file does it with its daily backup, a server with ``stationcrm db tidy``.
    Returns how many keys went.
    """
    if days < 1:
        raise ValidationError({"days": tr("must be at least 1")})
    before = (now or utcnow()) - dt.timedelta(days=days)
    with engine.begin() as connection:
        result = connection.execute(delete(RequestKey).where(RequestKey.created_at < before))
    return int(result.rowcount or 0)

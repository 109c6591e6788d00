"""The change feed (提醒): notices written with a change, read by every station every few seconds.

A service whose change matters to someone else — an opportunity given to a salesperson, a
record returned, a ticket dispatched — calls :func:`notify` inside its own unit of work,
so the notice commits or rolls back with the change. Each station polls
:func:`read_feed` for the notices after the last one it saw: one indexed query, cheap
enough for forty stations every five seconds.

A notice keeps an event code and its values, and is put into words when read, in the
reader's language (like audit summaries).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Engine, and_, delete, insert, or_, select

from app import labels
from app.i18n import tr
from app.models import Department, FeedEntry, utcnow
from app.services.errors import ValidationError
from app.services.permissions import Actor
from app.services.uow import UnitOfWork

# The most notices one read brings; more than that unread shows as "200+".
FEED_LIMIT: Final = 200
# How far back (in ids) each read looks again. On a server, ids are taken when a row is
# inserted but become visible when its transaction commits: a notice with a smaller id
# than one already seen can still arrive. The station drops those it already has.
LOOKBACK_IDS: Final = 500
# How long notices are kept (`stationcrm db tidy --feed-days`): a station reads its new
# ones within seconds; the rest is a record of who was told what, for a while.
KEEP_DAYS: Final = 60


@dataclass(frozen=True)
class FeedItem:
    """One notice, as the reader reads it."""

    id: int
    kind: str  # a record kind (labels.RECORD_KINDS): "opportunity", "task", ...
    record_id: int
    number: str | None
    event: str  # a code of labels.FEED_EVENTS
    text: str  # in the reader's language: "商机 SJ-20261210-0001 已分派给您"
    for_department: bool  # addressed to the reader's department, not to them


@dataclass(frozen=True)
class FeedBatch:
    """What one poll brings.

    Attributes:
        items: notices after ``after_id - LOOKBACK_IDS`` (oldest first); the station keeps
            the ids it has seen and drops those.
        last_id: the newest id read, or the ``after_id`` given when nothing newer came: the
            ``after_id`` of the next poll.
        unread: how many notices are newer than ``seen_id`` (at most :data:`FEED_LIMIT`).
        more: more unread notices than :data:`FEED_LIMIT` wait.
    """

    items: tuple[FeedItem, ...]
    last_id: int
    unread: int
    more: bool


def notify(uow: UnitOfWork, *, to_user: int | None = None, to_department: int | None = None,
           kind: str, record_id: int, event: str, number: str | None = None,
           by: Actor | None = None, **params: Any) -> None:
    """Add a notice for ``to_user`` and/or everyone of ``to_department`` to the current
    transaction; nothing when there is nobody to tell, or only the person acting.

    A plain INSERT without RETURNING: the writer may not read a notice meant for someone
    else (row security on a server).
    """
    row = _row(to_user=to_user, to_department=to_department, kind=kind,
               record_id=record_id, event=event, number=number, by=by, params=params)
    if row is not None:
        uow.session.execute(insert(FeedEntry).values(**row))


def notify_many(uow: UnitOfWork, notices: Iterable[Mapping[str, Any]], *,
                by: Actor | None = None) -> None:
    """Many notices at once (one statement per 500): each a mapping of :func:`notify`'s
    keyword arguments (``to_user``, ``kind``, ``record_id``, ``event``, … and values)."""
    rows = []
    for notice in notices:
        values = dict(notice)
        fixed = {key: values.pop(key, None) for key in
                 ("to_user", "to_department", "kind", "record_id", "event", "number")}
        row = _row(**fixed, by=by, params=values)
        if row is not None:
            rows.append(row)
    for start in range(0, len(rows), 500):
        uow.session.execute(insert(FeedEntry), rows[start:start + 500])


def _row(*, to_user: int | None, to_department: int | None, kind: str, record_id: int,
         event: str, number: str | None, by: Actor | None,
         params: Mapping[str, Any]) -> dict[str, Any] | None:
    if kind not in labels.RECORD_KINDS or event not in labels.FEED_EVENTS:
        raise ValueError(f"unknown feed kind or event: {kind!r}, {event!r}")
    if to_user is not None and to_department is not None:
        # One notice for the person and one for their department would say it twice.
        to_department = None
    if to_user is None and to_department is None:
        return None
    if to_user is not None and by is not None and to_user == by.user_id:
        return None  # nobody is told of their own change
    return {"created_at": utcnow(), "user_id": to_user, "department_id": to_department,
            "by_user_id": by.user_id if by is not None else None, "kind": kind,
            "record_id": record_id, "number": (number or "")[:40] or None, "event": event,
            "params": json.dumps(dict(params), ensure_ascii=False, default=str)
            if params else None}


def department_id(uow: UnitOfWork, code: str) -> int | None:
    """The id of the department with ``code`` ("management"), or None if there is none."""
    found: int | None = uow.session.execute(
        select(Department.id).where(Department.code == code)).scalar_one_or_none()
    return found


def read_feed(*, uow: UnitOfWork, actor: Actor, after_id: int | None,
              seen_id: int | None = None) -> FeedBatch:
    """The notices for ``actor`` (to them or to their department) after ``after_id``.

    ``after_id`` None (the first poll after login) reads only where the feed stands:
    the newest notices, none of them new. ``seen_id``: the newest notice the person has
    looked at; the notices after it count as unread. Notices of the person's own changes
    are left out. Every logged-in person reads their own notices; nobody reads another's.
    """
    for name, value in (("after_id", after_id), ("seen_id", seen_id)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                  or value < 0):
            raise ValidationError({name: tr("must be a whole number, 0 or more")})
    floors = [n for n in ((after_id - LOOKBACK_IDS) if after_id is not None else None,
                          seen_id) if n is not None]
    recipient = FeedEntry.user_id == actor.user_id
    if actor.department_id is not None:
        recipient = or_(recipient, FeedEntry.department_id == actor.department_id)
    conditions = [recipient, or_(FeedEntry.by_user_id.is_(None),
                                 FeedEntry.by_user_id != actor.user_id)]
    if floors:
        conditions.append(FeedEntry.id > min(floors))
    query = (select(FeedEntry.id, FeedEntry.user_id, FeedEntry.kind, FeedEntry.record_id,
                    FeedEntry.number, FeedEntry.event, FeedEntry.params)
             .where(and_(*conditions)).order_by(FeedEntry.id.desc()).limit(FEED_LIMIT + 1))
    with uow.reading():
        uow.acting(actor)
        rows = uow.session.execute(query).all()
    more = len(rows) > FEED_LIMIT
    rows = rows[:FEED_LIMIT]
    newest = rows[0].id if rows else 0
    last_id = max(after_id or 0, newest)
    unread = sum(1 for r in rows if seen_id is not None and r.id > seen_id)
    items = () if after_id is None else tuple(
        _item(r, actor) for r in reversed(rows) if r.id > after_id - LOOKBACK_IDS)
    return FeedBatch(items=items, last_id=last_id, unread=unread,
                     more=more and seen_id is not None)


def forget_old_notices(engine: Engine, *, days: int = KEEP_DAYS,
                       now: dt.datetime | None = None) -> int:
    """Delete the notices older than ``days``; returns how many went.

    Housekeeping with the database owner's rights — the stations' logins may not delete
    notices (``app.security.catalog``): a server runs it with ``stationcrm db tidy``, the
    embedded file with its daily backup. One DELETE on the ``created_at`` index.
    """
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValidationError({"days": tr("must be at least 1")})
    before = (now or utcnow()) - dt.timedelta(days=days)
    with engine.begin() as connection:
        result = connection.execute(delete(FeedEntry).where(FeedEntry.created_at < before))
    return int(result.rowcount or 0)


def render_notice(kind: str, number: str | None, record_id: int, event: str,
                  params: Mapping[str, Any] | None = None) -> str:
    """A notice in the current language; an unknown event (a newer program's) as its code."""
    what = labels.record_kind_label(kind)
    if event not in labels.FEED_EVENTS:
        return f"{what} {number or record_id}"
    template = labels.code_label(labels.FEED_EVENT, event)
    values = {str(k): v for k, v in (params or {}).items()}
    try:
        return template.format(**{**values, "what": what, "number": number or f"#{record_id}"})
    except (KeyError, IndexError, ValueError):
        return f"{what} {number or record_id}"


def _item(row: Any, actor: Actor) -> FeedItem:
    try:
        params = json.loads(row.params) if row.params else {}
    except ValueError:
        params = {}
    return FeedItem(
        id=row.id, kind=row.kind, record_id=row.record_id, number=row.number,
        event=row.event,
        text=render_notice(row.kind, row.number, row.record_id, row.event,
                           params if isinstance(params, dict) else {}),
        for_department=row.user_id != actor.user_id)


__all__ = ["FEED_LIMIT", "KEEP_DAYS", "LOOKBACK_IDS", "FeedBatch", "FeedItem",
           "forget_old_notices", "notify", "notify_many", "read_feed", "render_notice"]

"""Customer base protection on the to-do list: a flagged day found, kept once and announced.

The alerts of :mod:`app.services.customer_guard` are worked out from the read trail whenever
someone looks. So that management hears of one without looking, the station of every
person with the customer-guard module calls :func:`watch` every few minutes
(:data:`CHECK_MINUTES`; at login too): it works out the alerts of the last
:data:`WATCH_DAYS` days and keeps each flagged person-day not kept yet in ``guard_alerts``.
For each one kept, everyone with the module (but the person flagged) gets a notice on the
change feed (app.services.feed), so it shows within seconds at their stations, and the
day stays on their to-do lists (:func:`open_alerts`) until someone with edit rights marks it
handled (:func:`mark_handled`); nobody is told of, lists or handles an alert about
themselves. A reason found later on a day already kept (a sweep in the evening after too
many cards in the morning) opens it again and tells everyone again.

Two stations may check at the same moment: the unique (person, day) pair stores a day once,
and only the station that stored it sends the notices; an update another station made
first is left to it (the row's version).

Working the alerts out only reads, without the write lock on SQLite; a second, short
transaction writes only when something is new. A check is not a person reading the trail,
so it writes no "viewed" audit entry; each alert kept or opened again is audited.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import and_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.i18n import current_language, tr
from app.models import Department, GuardAlertRecord, RolePermission, User, utcnow
from app.models.enums import AuditAction, Module, Operation
from app.services import audit
from app.services.customer_guard import REASONS, GuardAlert, Reason, alerts_between
from app.services.errors import NotFound, PermissionDenied
from app.services.feed import notify_many
from app.services.locking import check_version
from app.services.permissions import Actor, require
from app.services.uow import UnitOfWork

# The days each check looks at: today and the six before (a day flagged while nobody with
# the module was logged in is found at their next login within a week).
WATCH_DAYS: Final = 7
# How often a guard's station checks (app.ui.shell.guard).
CHECK_MINUTES: Final = 5
# How far back the to-do list shows open alerts, and how many at most.
TODO_DAYS: Final = 30
MAX_OPEN: Final = 200

KIND: Final = "guard_alert"  # the feed's record kind (labels.RECORD_KINDS)
EVENT: Final = "guard_flagged"  # the feed's event (labels.FEED_EVENTS)


@dataclass(frozen=True)
class WatchResult:
    """What one check found: the days it stored or opened again (``raised``) and every
    day flagged in the period (``flagged``, whether kept before or not)."""

    date_from: dt.date
    date_to: dt.date
    flagged: int
    raised: tuple[GuardAlert, ...]


@dataclass(frozen=True)
class OpenAlert:
    """An alert on the to-do list: whose day, why, and its row's version."""

    id: int
    version: int
    user_id: int
    user_name: str
    department: str | None
    day: dt.date
    cards: int
    usual_cards: int
    reasons: tuple[Reason, ...]
    handled: bool = False

    @property
    def text(self) -> str:
        return ("；" if current_language() == "zh" else "; ").join(r.text for r in self.reasons)


def _reasons_json(alert: GuardAlert) -> str:
    return json.dumps([{"code": r.code, "values": dict(r.values)} for r in alert.reasons],
                      ensure_ascii=False, default=str)


def _reasons_of(text: str) -> tuple[Reason, ...]:
    """The stored reasons; one a newer program wrote (an unknown code) is left out."""
    try:
        stored = json.loads(text)
    except ValueError:
        return ()
    found = []
    for item in stored if isinstance(stored, list) else ():
        if isinstance(item, dict) and item.get("code") in REASONS:
            values = item.get("values")
            found.append(Reason(str(item["code"]), values if isinstance(values, dict) else {}))
    return tuple(found)


def _codes(text: str) -> set[str]:
    return {r.code for r in _reasons_of(text)}


def watch(*, uow: UnitOfWork, actor: Actor, today: dt.date | None = None) -> WatchResult:
    """Find the flagged days of the last :data:`WATCH_DAYS` days, keep the new ones and tell
    everyone with the customer-guard module."""
    day = today or dt.date.today()
    start = day - dt.timedelta(days=WATCH_DAYS - 1)
    with uow.reading():
        require(uow, actor, Module.CUSTOMER_GUARD, Operation.VIEW)
        alerts = alerts_between(uow, start, day)
        if alerts:
            kept = _kept_codes(uow, start, day)
    if not alerts:
        return WatchResult(start, day, 0, ())
    news = [a for a in alerts if not {r.code for r in a.reasons} <= kept.get(
        (a.user_id, a.day), set())]
    if not news:
        return WatchResult(start, day, len(alerts), ())
    raised = _keep(uow, actor, news)
    return WatchResult(start, day, len(alerts), tuple(raised))


def _kept_codes(uow: UnitOfWork, start: dt.date, end: dt.date
                ) -> dict[tuple[int, dt.date], set[str]]:
    rows = uow.session.execute(
        select(GuardAlertRecord.user_id, GuardAlertRecord.day, GuardAlertRecord.reasons)
        .where(GuardAlertRecord.day >= start, GuardAlertRecord.day <= end)).all()
    return {(r.user_id, r.day): _codes(r.reasons) for r in rows}


def _keep(uow: UnitOfWork, actor: Actor, news: Sequence[GuardAlert]) -> list[GuardAlert]:
    """Store (or open again) ``news`` in one transaction; returns those this station wrote."""
    with uow:
        require(uow, actor, Module.CUSTOMER_GUARD, Operation.VIEW)
        session = uow.session
        days = [a.day for a in news]
        stored = {(r.user_id, r.day): r for r in session.scalars(
            select(GuardAlertRecord).where(GuardAlertRecord.day >= min(days),
                                           GuardAlertRecord.day <= max(days),
                                           GuardAlertRecord.user_id.in_(
                                               {a.user_id for a in news})))}
        raised: list[tuple[GuardAlert, GuardAlertRecord]] = []
        for alert in news:
            row = stored.get((alert.user_id, alert.day))
            if row is not None and {r.code for r in alert.reasons} <= _codes(row.reasons):
                continue  # another station kept these reasons since the check read
            written = _store(uow, actor, alert, row)
            if written is not None:
                raised.append((alert, written))
        if raised:
            guards = _guards(uow)
            notify_many(uow, [
                {"to_user": guard, "kind": KIND, "record_id": row.id, "event": EVENT,
                 "person": alert.user_name, "day": alert.day.isoformat()}
                for alert, row in raised for guard in guards if guard != alert.user_id])
        uow.commit()
        return [alert for alert, _row in raised]


def _store(uow: UnitOfWork, actor: Actor, alert: GuardAlert,
           row: GuardAlertRecord | None) -> GuardAlertRecord | None:
    """Insert the alert, or put its reasons on ``row`` and open it again, in a savepoint:
    None when another station did it first."""
    session = uow.session
    reasons = _reasons_json(alert)
    try:
        with session.begin_nested():
            if row is None:
                row = GuardAlertRecord(user_id=alert.user_id, day=alert.day, reasons=reasons,
                                       cards=alert.figures.cards,
                                       usual_cards=alert.usual_cards,
                                       created_by_id=actor.user_id,
                                       updated_by_id=actor.user_id)
                session.add(row)
                session.flush()
                action = AuditAction.CREATE
                summary = audit.say("customer base protection alert kept for {name} on {day}",
                                    name=alert.user_name, day=alert.day.isoformat())
                changes: dict[str, Any] | None = None
            else:
                before = row.reasons
                row.reasons = reasons
                row.cards = alert.figures.cards
                row.usual_cards = alert.usual_cards
                row.handled_at = None
                row.handled_by_id = None
                row.updated_by_id = actor.user_id
                session.flush()
                action = AuditAction.UPDATE
                summary = audit.say("customer base protection alert for {name} on {day}"
                                    " has a new reason", name=alert.user_name,
                                    day=alert.day.isoformat())
                changes = {"reasons": [before, reasons]}
    except IntegrityError:
        return None  # the same person and day, stored by another station just now
    except StaleDataError:
        session.expire(row)
        return None  # changed by another station since it was read
    audit.record(uow, actor, action, KIND, row.id, summary, changes)
    return row


def _guards(uow: UnitOfWork) -> list[int]:
    """Everyone active whose role has the customer-guard module."""
    return list(uow.session.scalars(
        select(User.id).join(RolePermission, RolePermission.role_id == User.role_id)
        .where(User.active == true(), RolePermission.module == Module.CUSTOMER_GUARD,
               RolePermission.operation == Operation.VIEW)
        .order_by(User.id)))


def _alert_rows(where: Any, limit: int | None = None) -> Any:
    a = GuardAlertRecord
    stmt = (select(a.id, a.version, a.user_id, a.day, a.cards, a.usual_cards, a.reasons,
                   a.handled_at, User.display_name, Department.name_zh, Department.name_en)
            .join(User, User.id == a.user_id)
            .outerjoin(Department, Department.id == User.department_id)
            .where(where).order_by(a.day.desc(), a.id.desc()))
    return stmt.limit(limit) if limit is not None else stmt


def _open_alert(r: Any) -> OpenAlert:
    zh = current_language() == "zh"
    return OpenAlert(id=r.id, version=r.version, user_id=r.user_id, user_name=r.display_name,
                     department=(r.name_zh if zh else r.name_en) if r.name_zh else None,
                     day=r.day, cards=r.cards, usual_cards=r.usual_cards,
                     reasons=_reasons_of(r.reasons), handled=r.handled_at is not None)


def open_alerts(uow: UnitOfWork, actor: Actor, today: dt.date, limit: int = MAX_OPEN
                ) -> list[OpenAlert]:
    """The alerts of the last :data:`TODO_DAYS` days nobody marked handled, newest first,
    but the actor's own (the to-do list's source: called inside its unit of work, for
    someone with the customer-guard module)."""
    a = GuardAlertRecord
    rows = uow.session.execute(_alert_rows(
        and_(a.handled_at.is_(None), a.day >= today - dt.timedelta(days=TODO_DAYS),
             a.user_id != actor.user_id), limit)).all()
    return [_open_alert(r) for r in rows]


def mark_handled(*, uow: UnitOfWork, actor: Actor, alert_id: int, expected_version: int
                 ) -> int:
    """Someone dealt with the alert: it leaves the to-do lists. Returns its new version."""
    with uow:
        require(uow, actor, Module.CUSTOMER_GUARD, Operation.EDIT)
        row = uow.session.get(GuardAlertRecord, alert_id)
        if row is None:
            raise NotFound(tr("This alert does not exist (any more)."))
        if row.user_id == actor.user_id:
            raise PermissionDenied(tr("An alert about your own reads is for someone else with"
                                      " customer base protection to handle."),
                                   module=Module.CUSTOMER_GUARD.value,
                                   operation=Operation.EDIT.value)
        name = uow.session.scalar(select(User.display_name).where(User.id == row.user_id))
        label = f"{name} {row.day.isoformat()}"
        check_version(uow, row, expected_version, entity=KIND, label=label)
        if row.handled_at is not None:
            return row.version
        row.handled_at = utcnow()
        row.handled_by_id = actor.user_id
        row.updated_by_id = actor.user_id
        uow.session.flush()
        audit.record(uow, actor, AuditAction.UPDATE, KIND, row.id,
                     audit.say("customer base protection alert for {name} on {day} handled",
                               name=name or f"#{row.user_id}", day=row.day.isoformat()))
        uow.commit()
        return row.version


def alert_of(*, uow: UnitOfWork, actor: Actor, alert_id: int) -> OpenAlert:
    """One alert, handled or not (a notice's record id): whose day, and why."""
    with uow.reading():
        require(uow, actor, Module.CUSTOMER_GUARD, Operation.VIEW)
        found = uow.session.execute(_alert_rows(GuardAlertRecord.id == alert_id)
                                    ).one_or_none()
        if found is None:
            raise NotFound(tr("This alert does not exist (any more)."))
        return _open_alert(found)


__all__ = ["CHECK_MINUTES", "TODO_DAYS", "WATCH_DAYS", "OpenAlert", "WatchResult",
           "alert_of", "mark_handled", "open_alerts", "watch"]

"""Logging in: argon2 password hashes, one answer for every refusal, back-off per station.

How a refused login looks from outside, and why:

* Unknown user, wrong password, deactivated account and a station that must wait all get
  the same message (:data:`LOGIN_REFUSED`) after the same work: one argon2 verification
  (against a fixed dummy hash when the user does not exist), one read, one short write.
  So neither the text nor the time tells a stranger which user names exist.
* The waiting ("locked") state is never revealed, not even after a correct password.
  Telling a station "locked" only when the password was right would turn the back-off
  into an oracle: a guesser could keep guessing during the wait and learn which guess
  was right. The one message says instead that a station waits after repeated failures
  and that an administrator can lift it, which is what the person at the desk needs.
* The audit log says what really happened (unknown name, wrong password, deactivated,
  right password refused because the station waits); only administrators read it.

Back-off is per (user, station), not per user, so nobody can lock another person out
from their own desk: after :data:`FREE_FAILURES` failures from one station that station
waits :data:`FIRST_WAIT`, doubling with each further failure up to :data:`MAX_WAIT`,
while the same user logs in from any other station as usual. A successful login from
the station clears its count; an administrator's unlock or password reset clears every
station's (:func:`app.services.administration.unlock_user`, ``stationcrm user unlock``).
As a net against guessing from many stations, once a user has :data:`USER_WIDE_FAILURES`
failures within :data:`MAX_WAIT` every station that has itself failed for the user waits
:data:`MAX_WAIT` too; a station with no failures for the user is never held back, and no
wait ever lasts longer than :data:`MAX_WAIT` after the last failure.

The state lives in the database, in the audit log the login already writes (login and
login_failed rows carry the station): no new table, and stations on separate PCs see the
same counts. ``users.failed_logins`` / ``users.locked_until`` are kept as the summary the
administration list shows (failures since the last success, the latest end of a wait).

On SQLite the argon2 check runs outside the write transaction: the user and the back-off
are read in a read-only unit of work, the hash is checked with no transaction open, and
only then a short write transaction records the outcome.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import threading
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import undefer

from app.i18n import tr
from app.models import AuditEntry, Role, User, utcnow
from app.models.enums import AuditAction, StationCode
from app.services import audit, passwords
from app.services.errors import AuthenticationFailed
from app.services.permissions import Actor
from app.services.uow import UnitOfWork

MIN_PASSWORD_LENGTH = passwords.MIN_PASSWORD_LENGTH
# Failures one station may make for a user before it has to wait.
FREE_FAILURES = 5
# The first wait; each further failure from the station doubles it, up to MAX_WAIT.
FIRST_WAIT = dt.timedelta(minutes=1)
MAX_WAIT = dt.timedelta(minutes=15)
# Failures over all stations within MAX_WAIT that hold back every station that failed.
USER_WIDE_FAILURES = 15
# Older failures are forgotten; and at most this many recent events are read.
FORGET_AFTER = dt.timedelta(hours=24)
MAX_EVENTS = 500
# Audit changes keys that mark "an administrator cleared the failures" (unlock, reset).
CLEARING_CHANGES = frozenset({"failed_logins", "password"})

LOGIN_REFUSED = (
    "Wrong user name or password, or the account may not log in now. After repeated "
    "failures a station must wait (at most {minutes} minutes) before it may try this user "
    "again; an administrator can unlock it sooner.")

_hasher = PasswordHasher()
_dummy_hash: str | None = None
_dummy_lock = threading.Lock()


def set_hash_cost(*, time_cost: int, memory_cost: int, parallelism: int = 1) -> None:
    """Change the cost of new hashes (tests lower it; verification reads it from the hash)."""
    global _hasher, _dummy_hash  # noqa: PLW0603
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost,
                             parallelism=parallelism)
    _dummy_hash = None


def hash_password(password: str, *, username: str | None = None) -> str:
    """The argon2 hash of a new password, which must meet the policy (app.services.passwords)."""
    passwords.check_password(password, username=username)
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _dummy() -> str:
    """A hash of a random password with the current parameters, checked for unknown users
    so that they cost the same argon2 work as a real one."""
    global _dummy_hash  # noqa: PLW0603
    with _dummy_lock:  # made once, even when many logins start together
        if _dummy_hash is None:
            _dummy_hash = _hasher.hash(secrets.token_urlsafe(24))
        return _dummy_hash


def refused() -> AuthenticationFailed:
    """The one answer to every refused login."""
    return AuthenticationFailed(tr(LOGIN_REFUSED, minutes=int(MAX_WAIT.total_seconds() // 60)))


def actor_for(user: User, role_code: str, station: str | None) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role_code=role_code,
        department_id=user.department_id,
        station=station,
    )


@dataclass(frozen=True)
class Backoff:
    """Where a (user, station) stands: its counted failures and, if it must wait, until when."""

    failures: int
    waits_until: dt.datetime | None


def wait_after(failures: int) -> dt.timedelta:
    """How long a station waits after its ``failures``-th failure (none before FREE_FAILURES)."""
    if failures < FREE_FAILURES:
        return dt.timedelta(0)
    doublings = min(failures - FREE_FAILURES, 16)
    wait: dt.timedelta = FIRST_WAIT * (1 << doublings)
    return min(wait, MAX_WAIT)


def backoff(*, uow: UnitOfWork, user_id: int, station: str | None,
            now: dt.datetime | None = None) -> Backoff:
    """The back-off of ``station`` for the user, read from the recent audit rows."""
    now = now or utcnow()
    with uow.reading():
        return _backoff(_recent_events(uow, user_id, now), station, now)


@dataclass(frozen=True)
class _Event:
    action: str
    station: str | None
    at: dt.datetime
    clears_all: bool


def _recent_events(uow: UnitOfWork, user_id: int, now: dt.datetime) -> list[_Event]:
    """The user's recent login events, oldest first (by id: the stations' clocks may differ
    a little, the order the database wrote them in does not)."""
    rows = uow.session.execute(
        select(AuditEntry.action, AuditEntry.station, AuditEntry.at, AuditEntry.changes)
        .where(AuditEntry.entity == "user", AuditEntry.entity_id == user_id,
               AuditEntry.at >= now - FORGET_AFTER,
               AuditEntry.action.in_((AuditAction.LOGIN, AuditAction.LOGIN_FAILED,
                                      AuditAction.UPDATE)))
        .order_by(AuditEntry.id.desc()).limit(MAX_EVENTS)).all()
    return [_Event(str(action), station, at,
                   action == AuditAction.UPDATE and _clears(changes))
            for action, station, at, changes in reversed(rows)]


def _clears(changes: str | None) -> bool:
    try:
        keys = json.loads(changes) if changes else {}
    except ValueError:
        return False
    return isinstance(keys, dict) and not CLEARING_CHANGES.isdisjoint(keys)


def _backoff(events: list[_Event], station: str | None, now: dt.datetime) -> Backoff:
    mine: list[dt.datetime] = []
    everyone: list[dt.datetime] = []
    for event in events:
        if event.clears_all:
            mine, everyone = [], []
        elif event.action == AuditAction.LOGIN and event.station == station:
            mine = []
        elif event.action == AuditAction.LOGIN_FAILED:
            everyone.append(event.at)
            if event.station == station:
                mine.append(event.at)
    ends: list[dt.datetime] = []
    if len(mine) >= FREE_FAILURES:
        ends.append(mine[-1] + wait_after(len(mine)))
    recent = [at for at in everyone if at > now - MAX_WAIT]
    if mine and len(recent) >= USER_WIDE_FAILURES:
        ends.append(recent[-1] + MAX_WAIT)
    until = max(ends, default=None)
    return Backoff(len(mine), until if until is not None and until > now else None)


@dataclass(frozen=True)
class _Known:
    id: int
    password_hash: str


def login(
    *, uow: UnitOfWork, username: str, password: str, station: str | None = None,
    now: dt.datetime | None = None,
) -> Actor:
    """Check the password and return the acting user, or raise :class:`AuthenticationFailed`.

    Every refusal is the same :func:`refused` message after the same work (see the module
    docstring); the audit row says what really happened. Three steps, so that on SQLite
    the slow argon2 check never holds the write lock: read the user and the station's
    back-off without the write lock, check the hash outside any transaction, then record
    the outcome in a short write transaction.
    """
    now = now or utcnow()
    name = username.strip()
    uow.station = station
    with uow.reading():
        found = uow.session.execute(
            select(User.id, User.password_hash).where(User.username == name)).one_or_none()
        known = _Known(found[0], found[1]) if found is not None else None
        # Read the events for an unknown name too: the same queries, the same time.
        events = _recent_events(uow, known.id if known else 0, now)
    state = _backoff(events, station, now)
    right = verify_password(known.password_hash if known else _dummy(), password)
    new_hash = (_hasher.hash(password) if known and right and not state.waits_until
                and _hasher.check_needs_rehash(known.password_hash) else None)

    with uow:
        # The hash comes with the locked row (compared below): deferred, it was a query of
        # its own. This login reads it anyway (above); on a secured server, where a person
        # may not read it, login_principal runs instead and leaves it deferred.
        row = None if known is None else uow.session.execute(
            select(User, Role.code).join(Role, Role.id == User.role_id)
            .where(User.id == known.id)
            .options(undefer(User.password_hash), undefer(User.failed_logins),
                     undefer(User.locked_until))
            .with_for_update()).one_or_none()
        if row is None:
            audit.record(uow, None, AuditAction.LOGIN_FAILED, "user", None,
                         audit.say("failed login: no user named {name}",
                                   name=repr(name[:40])), at=now)
            uow.commit()
            raise refused()
        user, role_code = row
        assert known is not None
        if user.password_hash != known.password_hash:
            right = False  # changed while it was being checked: the old one no longer counts
        if not user.active:
            said = ("failed login for {user}: account deactivated (password right)" if right
                    else "failed login for {user}: account deactivated (password wrong)")
            audit.record(uow, None, AuditAction.LOGIN_FAILED, "user", user.id,
                         audit.say(said, user=user.username), at=now)
            uow.commit()
            raise refused()
        if right and state.waits_until is not None:
            audit.record(uow, None, AuditAction.LOCKED, "user", user.id,
                         audit.say("{user} refused with the right password: station"
                                   " {station} waits until {until}", user=user.username,
                                   station=_station(station),
                                   until=state.waits_until.isoformat()), at=now)
            uow.commit()
            raise refused()
        if not right:
            _record_failure(uow, user, station, state, now)
            uow.commit()
            raise refused()
        user.failed_logins = 0
        if user.locked_until is not None and user.locked_until <= now:
            user.locked_until = None  # a later one is another station's wait: it stays shown
        user.last_login_at = now
        if new_hash is not None:
            user.password_hash = new_hash
        actor = actor_for(user, role_code, station)
        audit.record(uow, actor, AuditAction.LOGIN, "user", user.id,
                     audit.say("{user} logged in", user=user.username), at=now)
        uow.commit()
        return actor


def _station(station: str | None) -> StationCode | str:
    """A station as the log names it: its label when it is one of ours, else as sent."""
    try:
        return StationCode(station or "")
    except ValueError:
        return station or "-"


def _record_failure(uow: UnitOfWork, user: User, station: str | None, state: Backoff,
                    now: dt.datetime) -> None:
    """Count a wrong password from ``station``; from the FREE_FAILURES-th on it must wait."""
    failures = state.failures + 1
    user.failed_logins = (user.failed_logins or 0) + 1
    audit.record(uow, None, AuditAction.LOGIN_FAILED, "user", user.id,
                 audit.say("failed login for {user} at station {station}: wrong password"
                           " (#{failures} from this station)", user=user.username,
                           station=_station(station), failures=failures), at=now)
    wait = wait_after(failures)
    if wait:
        until = max(now + wait, state.waits_until or now)
        if user.locked_until is None or user.locked_until < until:
            user.locked_until = until
        audit.record(uow, None, AuditAction.LOCKED, "user", user.id,
                     audit.say("{user} at station {station} waits until {until} after"
                               " {failures} failures", user=user.username,
                               station=_station(station), until=until.isoformat(),
                               failures=failures), at=now)


# Shown when the database login and the users table disagree; only the DBA can mend that.
NOT_SET_UP = ("This database is not set up for personal logins yet. The database administrator "
              "runs `stationcrm db security` once after `stationcrm db upgrade`.")
NO_USER = ("The database login {login} is not a StationCRM user. The database administrator "
           "runs `stationcrm db security` to bring logins in step with the users.")
OUT_OF_STEP = ("Your database login is out of step with your StationCRM role, so the database "
               "would refuse your work. The database administrator runs "
               "`stationcrm db security` to bring it in step.")
REFUSED = ("Wrong user name or password. If you are sure of both, your database login may be "
           "missing or disabled: the database administrator runs `stationcrm db security`.")

_WHOAMI = text("SELECT user_id, active, in_step FROM crmsec.whoami()")


def login_principal(
    *, uow: UnitOfWork, username: str, station: str | None = None,
    now: dt.datetime | None = None,
) -> Actor:
    """The acting user of a connection made with the person's own database login.

    The database server has already checked the password (and locks the login after
    repeated failures where it can). Here the login is matched to its users row and checked
    to sit in its role's group; either failing is one message naming the fix.
    """
    now = now or utcnow()
    with uow:
        uow.station = station
        try:
            found = uow.session.execute(_WHOAMI).first()
        except ProgrammingError as exc:
            raise AuthenticationFailed(tr(NOT_SET_UP)) from exc
        if found is None:
            raise AuthenticationFailed(tr(NO_USER, login=username))
        user_id, active, in_step = found
        if not active:
            raise AuthenticationFailed(tr("Your account is deactivated."))
        if not in_step:
            raise AuthenticationFailed(tr(OUT_OF_STEP))
        user, role_code = uow.session.execute(
            select(User, Role.code).join(Role, Role.id == User.role_id)
            .where(User.id == user_id)).one()
        actor = actor_for(user, role_code, station)
        audit.record(uow, actor, AuditAction.LOGIN, "user", user.id,
                     audit.say("{user} logged in", user=user.username), at=now)
        uow.commit()
        return actor


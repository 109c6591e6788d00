"""Logging in: argon2 password hashes, and a five-minute lock after five failed attempts."""

from __future__ import annotations

import datetime as dt

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, text
from sqlalchemy.exc import ProgrammingError

from app.i18n import tr
from app.models import Role, User, utcnow
from app.models.enums import AuditAction
from app.services import audit
from app.services.errors import AuthenticationFailed, ValidationError
from app.services.permissions import Actor
from app.services.uow import UnitOfWork

MAX_FAILED_LOGINS = 5
LOCK_DURATION = dt.timedelta(minutes=5)
MIN_PASSWORD_LENGTH = 8

_hasher = PasswordHasher()


def set_hash_cost(*, time_cost: int, memory_cost: int, parallelism: int = 1) -> None:
    """Change the cost of new hashes (tests lower it; verification reads it from the hash)."""
    global _hasher  # noqa: PLW0603
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost,
                             parallelism=parallelism)


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            {"password": tr("must be at least {min} characters", min=MIN_PASSWORD_LENGTH)}
        )
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def actor_for(user: User, role_code: str, station: str | None) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role_code=role_code,
        department_id=user.department_id,
        station=station,
    )


def login(
    *, uow: UnitOfWork, username: str, password: str, station: str | None = None,
    now: dt.datetime | None = None,
) -> Actor:
    """Check the password and return the acting user, or raise :class:`AuthenticationFailed`.

    Failed attempts are counted and audited; the fifth locks the account for five minutes.
    The same message answers an unknown user and a wrong password, so a stranger cannot
    learn which user names exist.
    """
    now = now or utcnow()
    with uow:
        uow.station = station
        row = uow.session.execute(
            select(User, Role.code)
            .join(Role, Role.id == User.role_id)
            .where(User.username == username.strip())
            .with_for_update()
        ).one_or_none()
        if row is None:
            raise AuthenticationFailed(tr("Wrong user name or password."))
        user, role_code = row
        if not user.active:
            raise AuthenticationFailed(tr("Your account is deactivated."))
        if user.locked_until is not None and user.locked_until > now:
            raise AuthenticationFailed(
                tr("Too many failed attempts. The account is locked until {when}.",
                   when=_local_time(user.locked_until)),
                locked_until=user.locked_until,
            )
        if not verify_password(user.password_hash, password):
            user.failed_logins += 1
            message = tr("Wrong user name or password.")
            locked_until = None
            audit.record(uow, None, AuditAction.LOGIN_FAILED, "user", user.id,
                         f"failed login #{user.failed_logins} for {user.username}", at=now)
            if user.failed_logins >= MAX_FAILED_LOGINS:
                locked_until = now + LOCK_DURATION
                user.locked_until = locked_until
                user.failed_logins = 0
                audit.record(uow, None, AuditAction.LOCKED, "user", user.id,
                             f"{user.username} locked until {locked_until.isoformat()}", at=now)
                message = tr("Too many failed attempts. The account is locked until {when}.",
                             when=_local_time(locked_until))
            uow.commit()
            raise AuthenticationFailed(message, locked_until=locked_until)
        user.failed_logins = 0
        user.locked_until = None
        user.last_login_at = now
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        actor = actor_for(user, role_code, station)
        audit.record(uow, actor, AuditAction.LOGIN, "user", user.id,
                     f"{user.username} logged in", at=now)
        uow.commit()
        return actor


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
                     f"{user.username} logged in", at=now)
        uow.commit()
        return actor


def _local_time(when: dt.datetime) -> str:
    return when.astimezone().strftime("%H:%M:%S")

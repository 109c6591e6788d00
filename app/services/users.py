"""User accounts: creating them (administration, or the command line during set-up)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, true

from app.i18n import tr
from app.models import Department, Role, RolePermission, User
from app.models.enums import AuditAction, Module, Operation, StationCode
from app.security import principals
from app.services import audit, auth
from app.services.permissions import Actor, grants_for, require
from app.services.uow import UnitOfWork
from app.services.validation import Checker


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    display_name: str
    role_code: str
    department_code: str | None
    active: bool


def add_user(
    *, uow: UnitOfWork, actor: Actor | None, username: str, password: str, role_code: str,
    display_name: str | None = None, department_code: str | None = None,
    default_station: str | None = None,
) -> UserView:
    """Create a login. ``actor=None`` is the set-up path of the command line (no user yet)."""
    with uow:
        if actor is not None:
            require(uow, actor, Module.ADMINISTRATION, Operation.CREATE)
        check = Checker()
        name = check.text("username", username, max_len=40, required=True)
        shown = check.text("display_name", display_name or username, max_len=100,
                           required=True)
        station = check.choice("default_station", default_station, StationCode,
                               required=False)
        if name is not None and not name.replace("_", "").replace(".", "").isalnum():
            check.fail("username", tr("is not a valid choice"))
        role_id = uow.session.execute(select(Role.id).where(Role.code == role_code)
                                      ).scalar_one_or_none()
        if role_id is None:
            check.fail("role", tr("is not a valid choice"))
        department_id = None
        if department_code:
            department_id = uow.session.execute(
                select(Department.id).where(Department.code == department_code)
            ).scalar_one_or_none()
            if department_id is None:
                check.fail("department", tr("is not a valid choice"))
        if name and uow.session.execute(select(User.id).where(User.username == name)).first():
            check.fail("username", tr("already exists"))
        check.done()
        password_hash = auth.hash_password(password)
        user = User(
            username=name, display_name=shown, password_hash=password_hash, role_id=role_id,
            department_id=department_id, default_station=station,
            created_by_id=actor.user_id if actor else None,
        )
        uow.session.add(user)
        uow.flush()
        # On a secured server the person gets their database login in this transaction.
        principals.on_user_saved(uow.session, user.username, password)
        audit.record(uow, actor, AuditAction.CREATE, "user", user.id,
                     audit.say("user {user} ({role})", user=user.username, role=role_code),
                     {"after": audit.snapshot(user)})
        uow.commit()
        return UserView(id=user.id, username=user.username, display_name=user.display_name,
                        role_code=role_code, department_code=department_code, active=True)


def has_administrator(uow: UnitOfWork) -> bool:
    """Whether any active user's role may create users (the set-up path is then closed)."""
    with uow:
        return uow.session.execute(
            select(User.id).join(RolePermission, RolePermission.role_id == User.role_id)
            .where(User.active == true(), RolePermission.module == Module.ADMINISTRATION,
                   RolePermission.operation == Operation.CREATE).limit(1)
        ).first() is not None


@dataclass(frozen=True)
class UserChoice:
    """A user as offered in owner pickers and filters."""

    id: int
    display_name: str
    username: str
    role_code: str
    department_code: str | None


def list_active_users(*, uow: UnitOfWork, actor: Actor,
                      role_codes: tuple[str, ...] = ()) -> tuple[UserChoice, ...]:
    """Active users for owner pickers and filters, sorted by name.

    Any logged-in user may read names and roles (they appear as owners on every list);
    nothing else about a user is returned.
    """
    with uow:
        if not grants_for(uow, actor).active:
            require(uow, actor, Module.CUSTOMERS, Operation.VIEW)
        stmt = (
            select(User.id, User.display_name, User.username, Role.code, Department.code)
            .join(Role, Role.id == User.role_id)
            .outerjoin(Department, Department.id == User.department_id)
            .where(User.active == true())
            .order_by(User.display_name, User.id)
        )
        if role_codes:
            stmt = stmt.where(Role.code.in_(role_codes))
        return tuple(UserChoice(id=r[0], display_name=r[1], username=r[2], role_code=r[3],
                                department_code=r[4])
                     for r in uow.session.execute(stmt).all())

"""Administration (系统管理): users, departments, roles and the role permission matrix.

Every use case needs :data:`Module.ADMINISTRATION` permissions (view to read, create/edit/
delete to change), is audited in its own transaction and takes the version the
administrator loaded. A role's permission rows change only through :func:`save_role_matrix`
(and :func:`create_role`), which also move :attr:`Role.version`: that is what makes every
logged-in user's next action read the changed role (see
:func:`app.services.permissions.grants_for`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, delete, func, select, true

from app.i18n import tr
from app.models import (
    Customer,
    Department,
    Role,
    RoleDataScope,
    RoleFieldRule,
    RolePermission,
    User,
    utcnow,
)
from app.models.enums import (
    AuditAction,
    DataScope,
    FieldAccess,
    Module,
    Operation,
    StationCode,
)
from app.security import principals
from app.services import audit, auth, passwords
from app.services.errors import NotFound, ServiceError, ValidationError
from app.services.locking import check_version
from app.services.permissions import Actor, Grants, grants_for, require
from app.services.uow import UnitOfWork
from app.services.validation import Checker, search_text

# --- the protected fields a role may hide or make read-only ---------------------------------


@dataclass(frozen=True)
class ProtectableField:
    """A field the role editor offers to hide or make read-only (受保护字段)."""

    module: Module
    name: str
    label_zh: str
    label_en: str

    def label(self, language: str) -> str:
        return self.label_zh if language == "zh" else self.label_en


PROTECTABLE_FIELDS: Mapping[Module, tuple[ProtectableField, ...]] = {
    Module.CUSTOMERS: (
        # Hidden: the role sees the phone numbers (customer and contacts) only of the
        # customers its user owns; read-only: it may not change those of others' customers.
        ProtectableField(Module.CUSTOMERS, "phone", "他人客户的电话",
                         "Phone numbers of others' customers"),
    ),
    Module.PRODUCTS: (
        ProtectableField(Module.PRODUCTS, "cost_price", "成本价", "Cost price"),
    ),
    Module.ORDERS: (
        ProtectableField(Module.ORDERS, "unit_cost", "成本", "Cost"),
        ProtectableField(Module.ORDERS, "margin", "毛利", "Gross margin"),
    ),
    Module.SERVICE_TICKETS: (
        ProtectableField(Module.SERVICE_TICKETS, "parts_cost", "配件成本", "Parts cost"),
    ),
}


def protectable(module: Module, name: str) -> ProtectableField | None:
    return next((f for f in PROTECTABLE_FIELDS.get(module, ()) if f.name == name), None)


# --- data out ------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserRow:
    id: int
    version: int
    username: str
    display_name: str
    role_id: int
    role_code: str
    role_name_zh: str
    role_name_en: str
    department_id: int | None
    department_code: str | None
    department_name_zh: str | None
    department_name_en: str | None
    station: StationCode | None
    phone: str | None
    active: bool
    locked_until: dt.datetime | None
    last_login_at: dt.datetime | None


@dataclass(frozen=True)
class DepartmentRow:
    id: int
    version: int
    code: str
    name_zh: str
    name_en: str
    station: StationCode | None
    active: bool
    user_count: int


@dataclass(frozen=True)
class RoleRow:
    id: int
    version: int
    code: str
    name_zh: str
    name_en: str
    is_system: bool
    user_count: int


@dataclass(frozen=True)
class RoleMatrix:
    """Everything a role allows, as the role editor shows it."""

    role: RoleRow
    operations: frozenset[tuple[Module, Operation]]
    scopes: Mapping[Module, DataScope]
    field_rules: Mapping[tuple[Module, str], FieldAccess]


@dataclass(frozen=True)
class UserPreview:
    """What a user's role lets them see, for the "view as user" preview."""

    user: UserRow
    visible_modules: tuple[Module, ...]
    operations: frozenset[tuple[Module, Operation]]
    scopes: Mapping[Module, DataScope]
    hidden_fields: frozenset[tuple[Module, str]]
    read_only_fields: frozenset[tuple[Module, str]]


# --- users -----------------------------------------------------------------------------------


def _user_stmt() -> Select[*tuple[Any, ...]]:
    return (
        select(User.id, User.version, User.username, User.display_name, User.role_id,
               Role.code, Role.name_zh, Role.name_en, User.department_id, Department.code,
               Department.name_zh, Department.name_en, User.default_station, User.phone,
               User.active, User.locked_until, User.last_login_at)
        .join(Role, Role.id == User.role_id)
        .outerjoin(Department, Department.id == User.department_id)
    )


def _user_row(r: Iterable[object]) -> UserRow:
    return UserRow(*r)  # type: ignore[arg-type]


def list_users(*, uow: UnitOfWork, actor: Actor, include_inactive: bool = True,
               text: str = "") -> tuple[UserRow, ...]:
    """Every login (active first, then by name); ``text`` filters user or display name."""
    search_text("text", text)
    with uow:
        require(uow, actor, Module.ADMINISTRATION, Operation.VIEW)
        stmt = _user_stmt().order_by(User.active.desc(), User.display_name, User.id)
        if not include_inactive:
            stmt = stmt.where(User.active == true())
        q = (text or "").strip()
        if q:
            stmt = stmt.where((User.username.contains(q, autoescape=True))
                              | (User.display_name.contains(q, autoescape=True)))
        return tuple(_user_row(r) for r in uow.session.execute(stmt).all())


def get_user(*, uow: UnitOfWork, actor: Actor, user_id: int) -> UserRow:
    with uow:
        require(uow, actor, Module.ADMINISTRATION, Operation.VIEW)
        return _read_user(uow, user_id)


def _read_user(uow: UnitOfWork, user_id: int) -> UserRow:
    row = uow.session.execute(_user_stmt().where(User.id == user_id)).one_or_none()
    if row is None:
        raise NotFound(tr("{entity} {id} does not exist or you may not see it.",
                          entity=tr("User"), id=user_id))
    return _user_row(row)


def _load_user(uow: UnitOfWork, user_id: int) -> User:
    user = uow.session.get(User, user_id)
    if user is None:
        raise NotFound(tr("{entity} {id} does not exist or you may not see it.",
                          entity=tr("User"), id=user_id))
    return user


def _check_role(uow: UnitOfWork, check: Checker, role_id: int | None) -> Role | None:
    if role_id is None:
        check.fail("role", tr("is required"))
        return None
    role = uow.session.get(Role, role_id)
    if role is None:
        check.fail("role", tr("is not a valid choice"))
    return role


def _check_department(uow: UnitOfWork, check: Checker, department_id: int | None,
                      *, current: int | None = None) -> None:
    if department_id is None:
        return
    department = uow.session.get(Department, department_id)
    # A deactivated department takes no new members (existing ones may stay).
    if department is None or (not department.active and department_id != current):
        check.fail("department", tr("is not a valid choice"))


def create_user(
    *, uow: UnitOfWork, actor: Actor, username: str, display_name: str, role_id: int | None,
    password: str, department_id: int | None = None, station: StationCode | str | None = None,
    phone: str | None = None,
) -> UserRow:
    """Create a login with an initial password that meets the policy (app.services.passwords)."""
    with uow:
        require(uow, actor, Module.ADMINISTRATION, Operation.CREATE)
        check = Checker()
        name = check.text("username", username, max_len=40, required=True)
        if name is not None and not name.replace("_", "").replace(".", "").isalnum():
            check.fail("username", tr("may contain only letters, digits, '.' and '_'"))
        shown = check.text("display_name", display_name, max_len=100, required=True)
        default_station = check.choice("station", station, StationCode, required=False)
        phone_ok = check.phone("phone", phone)
        _check_role(uow, check, role_id)
        _check_department(uow, check, department_id)
        problem = passwords.password_problem(password, username=name)
        if problem is not None:
            check.fail("password", problem)
        if name and uow.session.execute(
                select(User.id).where(func.lower(User.username) == name.lower())).first():
            check.fail("username", tr("already exists"))
        check.done()
        user = User(username=name, display_name=shown,
                    password_hash=auth.hash_password(password, username=name),
                    role_id=role_id, department_id=department_id, default_station=default_station,
                    phone=phone_ok, created_by_id=actor.user_id, updated_by_id=actor.user_id)
        uow.session.add(user)
        uow.flush()
        # The database login changes with the users row, or neither does.
        principals.on_user_saved(uow.session, user.username, password)
        audit.record(uow, actor, AuditAction.CREATE, "user", user.id,
                     f"{user.username} {user.display_name}", {"after": audit.snapshot(user)})
        uow.commit()
        return _read_user(uow, user.id)


def update_user(
    *, uow: UnitOfWork, actor: Actor, user_id: int, expected_version: int, display_name: str,
    role_id: int | None, department_id: int | None, station: StationCode | str | None,
    phone: str | None,
) -> UserRow:
    """Change a user's name, role, department, station or phone.

    A changed role applies from the user's next action (permissions are read per action).
    """
    with uow:
        require(uow, actor, Module.ADMINISTRATION, Operation.EDIT)
        user = _load_user(uow, user_id)
        check_version(uow, user, expected_version, entity="user", label=user.display_name)
        check = Checker()
        shown = check.text("display_name", display_name, max_len=100, required=True)
        default_station = check.choice("station", station, StationCode, required=False)
        phone_ok = check.phone("phone", phone)
        _check_role(uow, check, role_id)
        _check_department(uow, check, department_id, current=user.department_id)
        if user.id == actor.user_id and role_id != user.role_id and role_id is not None \
                and not _role_allows(uow, role_id, Module.ADMINISTRATION, Operation.EDIT):
            check.fail("role", tr("would lock you out of administration"))
        check.done()
        before = audit.snapshot(user)
        user.display_name = shown or user.display_name
        user.role_id = role_id  # type: ignore[assignment]
        user.department_id = department_id
        user.default_station = default_station
        user.phone = phone_ok
        changes = audit.diff(before, audit.snapshot(user))
        if changes:
            user.updated_by_id = actor.user_id
            uow.flush()
            if "role_id" in changes:
                principals.on_user_saved(uow.session, user.username)
            audit.record(uow, actor, AuditAction.UPDATE, "user", user.id,
                         f"{user.username} {user.display_name}", changes)
        uow.commit()
        return _read_user(uow, user.id)


def reset_password(*, uow: UnitOfWork, actor: Actor, user_id: int, new_password: str) -> None:
    """Set a new password and lift a login lock; the old password stops working at once.

    The password must meet the policy (app.services.passwords). The audit entry's
    ``password`` change also clears every station's login back-off (app.services.auth).
    """
    with uow:
        require(uow, actor, Module.ADMINISTRATION, Operation.EDIT)
        user = _load_user(uow, user_id)
        user.password_hash = auth.hash_password(new_password, username=user.username)
        user.failed_logins = 0
        user.locked_until = None
        user.updated_by_id = actor.user_id
        uow.flush()
        principals.on_user_saved(uow.session, user.username, new_password)
        # The log says that the password changed, never the password or its hash.
        audit.record(uow, actor, AuditAction.UPDATE, "user", user.id,
                     audit.say("{user}: password reset", user=user.username),
                     {"password": ["***", "***"]})
        uow.commit()


def unlock_user(*, uow: UnitOfWork, actor: Actor | None, user_id: int | None = None,
                username: str | None = None) -> UserRow:
    """Lift every station's login back-off for a user at once (by id, or by login name).

    ``actor=None`` is the database owner at the command line (``stationcrm user unlock``
    on the embedded file or a shared-login server), the second way in when no
    administrator can log in. The audit entry's ``failed_logins`` change is what the login
    reads as "cleared" (app.services.auth), so it is written even when nothing was counted.
    """
    with uow:
        if actor is not None:
            require(uow, actor, Module.ADMINISTRATION, Operation.EDIT)
        if user_id is None:
            user_id = uow.session.execute(
                select(User.id).where(User.username == (username or "").strip())
            ).scalar_one_or_none()
            if user_id is None:
                raise NotFound(tr("No user named {name}.", name=username))
        user = _load_user(uow, user_id)
        changes = {"failed_logins": [user.failed_logins, 0],
                   "locked_until": [user.locked_until.isoformat() if user.locked_until else None,
                                    None]}
        user.failed_logins = 0
        user.locked_until = None
        if actor is not None:
            user.updated_by_id = actor.user_id
        audit.record(uow, actor, AuditAction.UPDATE, "user", user.id,
                     audit.say("{user}: login unlocked", user=user.username), changes)
        uow.commit()
        return _read_user(uow, user.id)


def owned_customer_count(uow: UnitOfWork, user_id: int) -> int:
    return int(uow.session.execute(
        select(func.count()).select_from(Customer).where(Customer.owner_id == user_id)
    ).scalar_one())


def _holdings(uow: UnitOfWork, user_id: int) -> list[str]:
    """What the user still owns, as "Customers 3": every owner column the hand-over
    (app/services/reassignment.py) knows, or at least the customers."""
    try:
        from app.services.reassignment import HOLDINGS
    except ImportError:  # pragma: no cover - the hand-over module ships with the program
        owned = owned_customer_count(uow, user_id)
        return [f"{tr('Customers')} {owned}"] if owned else []
    still = []
    for kind in HOLDINGS:
        condition = kind.owner == user_id
        if kind.still_open is not None:
            condition = condition & kind.still_open()
        count = uow.session.execute(
            select(func.count()).select_from(kind.model).where(condition)).scalar_one()
        if count:
            still.append(f"{tr(kind.label)} {count}")
    return still


def deactivate_user(*, uow: UnitOfWork, actor: Actor, user_id: int,
                    expected_version: int) -> UserRow:
    """Stop a login. Refused while the user still owns customers: hand them over first."""
    with uow:
        require(uow, actor, Module.ADMINISTRATION, Operation.EDIT)
        user = _load_user(uow, user_id)
        check_version(uow, user, expected_version, entity="user", label=user.display_name)
        if user.id == actor.user_id:
            raise ServiceError(tr("You cannot deactivate your own account."))
        still = _holdings(uow, user.id)
        if still:
            raise ServiceError(tr(
                "{user} still owns {what}. Hand them over to another user first"
                " (Tasks → Customer reassignment).", user=user.display_name,
                what=", ".join(still)))
        _set_active(uow, actor, user, False)
        uow.commit()
        return _read_user(uow, user.id)


def reactivate_user(*, uow: UnitOfWork, actor: Actor, user_id: int,
                    expected_version: int) -> UserRow:
    with uow:
        require(uow, actor, Module.ADMINISTRATION, Operation.EDIT)
        user = _load_user(uow, user_id)
        check_version(uow, user, expected_version, entity="user", label=user.display_name)
        _set_active(uow, actor, user, True)
        uow.commit()
        return _read_user(uow, user.id)


def _set_active(uow: UnitOfWork, actor: Actor, user: User, active: bool) -> None:
    if user.active == active:
        return
    user.active = active
    user.failed_logins = 0
    user.locked_until = None
    user.updated_by_id = actor.user_id
    uow.flush()
    # A deactivated person's database login stops working at once, not just the program's.
    principals.on_user_saved(uow.session, user.username)
    audit.record(uow, actor, AuditAction.UPDATE, "user", user.id,
                 audit.say("{name} reactivated" if active else "{name} deactivated",
                           name=user.username),
                 {"active": [not active, active]})


# --- departments -----------------------------------------------------------------------------


def list_departments(*, uow: UnitOfWork, actor: Actor,
                     include_inactive: bool = True) -> tuple[DepartmentRow, ...]:
    with uow:
        require(uow, actor, Module.ADMINISTRATION, Operation.VIEW)
        members = (select(User.department_id, func.count().label("n"))
                   .where(User.active == true()).group_by(User.department_id).subquery())
        stmt = (select(Department.id, Department.version, Department.code, Department.name_zh,
                       Department.name_en, Department.station, Department.active,
                       func.coalesce(members.c.n, 0))
                .outerjoin(members, members.c.department_id == Department.id)
                .order_by(Department.active.desc(), Department.code))
        if not include_inactive:
            stmt = stmt.where(Department.active == true())
        return tuple(DepartmentRow(*r) for r in uow.session.execute(stmt).all())


def _department_row(uow: UnitOfWork, department_id: int) -> DepartmentRow:
    members = uow.session.execute(
        select(func.count()).select_from(User).where(User.department_id == department_id,
                                                     User.active == true())).scalar_one()
    d = uow.session.get(Department, department_id)
    assert d is not None
    return DepartmentRow(d.id, d.version, d.code, d.name_zh, d.name_en, d.station, d.active,
                         int(members))


def _clean_department(check: Checker, name_zh: str, name_en: str,
                      station: StationCode | str | None) -> tuple[str | None, str | None,
                                                                  StationCode | None]:
    zh = check.text("name_zh", name_zh, max_len=100, required=True)
    en = check.text("name_en", name_en, max_len=100, required=True)
    st = check.choice("station", station, StationCode, required=False)
    return zh, en, st


def create_department(*, uow: UnitOfWork, actor: Actor, code: str, name_zh: str, name_en: str,
                      station: StationCode | str | None = None) -> DepartmentRow:
    with uow:
        require(uow, actor, Module.ADMINISTRATION, Operation.CREATE)
        check = Checker()
        code_ok = _check_code(check, code, max_len=20)
        zh, en, st = _clean_department(check, name_zh, name_en, station)
        if code_ok and uow.session.execute(
                select(Department.id).where(Department.code == code_ok)).first():
            check.fail("code", tr("already exists"))
        check.done()
        department = Department(code=code_ok, name_zh=zh, name_en=en, station=st,
                                created_by_id=actor.user_id, updated_by_id=actor.user_id)
        uow.session.add(department)
        uow.flush()
        audit.record(uow, actor, AuditAction.CREATE, "department", department.id,
                     f"{department.code} {department.name_zh}",
                     {"after": audit.snapshot(department)})
        uow.commit()
        return _department_row(uow, department.id)


def _load_department(uow: UnitOfWork, department_id: int) -> Department:
    department = uow.session.get(Department, department_id)
    if department is None:
        raise NotFound(tr("{entity} {id} does not exist or you may not see it.",
                          entity=tr("Department"), id=department_id))
    return department


def update_department(*, uow: UnitOfWork, actor: Actor, department_id: int,
                      expected_version: int, name_zh: str, name_en: str,
                      station: StationCode | str | None) -> DepartmentRow:
    with uow:
        require(uow, actor, Module.ADMINISTRATION, Operation.EDIT)
        department = _load_department(uow, department_id)
        check_version(uow, department, expected_version, entity="department",
                      label=department.name_zh)
        check = Checker()
        zh, en, st = _clean_department(check, name_zh, name_en, station)
        check.done()
        before = audit.snapshot(department)
        department.name_zh, department.name_en, department.station = zh, en, st  # type: ignore[assignment]
        changes = audit.diff(before, audit.snapshot(department))
        if changes:
            department.updated_by_id = actor.user_id
            uow.flush()
            audit.record(uow, actor, AuditAction.UPDATE, "department", department.id,
                         f"{department.code} {department.name_zh}", changes)
        uow.commit()
        return _department_row(uow, department.id)


def set_department_active(*, uow: UnitOfWork, actor: Actor, department_id: int,
                          expected_version: int, active: bool) -> DepartmentRow:
    """Deactivate (refused while active users belong to it) or reactivate a department."""
    with uow:
        require(uow, actor, Module.ADMINISTRATION, Operation.EDIT)
        department = _load_department(uow, department_id)
        check_version(uow, department, expected_version, entity="department",
                      label=department.name_zh)
        if not active:
            members = uow.session.execute(
                select(func.count()).select_from(User).where(
                    User.department_id == department.id, User.active == true())).scalar_one()
            if members:
                raise ServiceError(tr(
                    "{department} still has {count} active user(s). Move them to another"
                    " department first.", department=department.name_zh, count=members))
        if department.active != active:
            department.active = active
            department.updated_by_id = actor.user_id
            uow.flush()
            audit.record(uow, actor, AuditAction.UPDATE, "department", department.id,
                         audit.say("{name} reactivated" if active else "{name} deactivated",
                                   name=department.code),
                         {"active": [not active, active]})
        uow.commit()
        return _department_row(uow, department.id)


# --- roles -----------------------------------------------------------------------------------


def _check_code(check: Checker, code: str, *, max_len: int) -> str | None:
    value = check.text("code", code, max_len=max_len, required=True)
    if value is not None and not (value.isascii() and value.replace("_", "").isalnum()):
        check.fail("code", tr("may contain only letters, digits and '_'"))
        return None
    return value.lower() if value else None


def _role_counts(uow: UnitOfWork) -> dict[int, int]:
    return {rid: int(n) for rid, n in uow.session.execute(
        select(User.role_id, func.count()).where(User.active == true()).group_by(User.role_id))}


def list_roles(*, uow: UnitOfWork, actor: Actor) -> tuple[RoleRow, ...]:
    with uow:
        require(uow, actor, Module.ADMINISTRATION, Operation.VIEW)
        counts = _role_counts(uow)
        roles = uow.session.scalars(select(Role).order_by(Role.is_system.desc(), Role.code))
        return tuple(_role_row(r, counts.get(r.id, 0)) for r in roles)


def _role_row(role: Role, users: int) -> RoleRow:
    return RoleRow(role.id, role.version, role.code, role.name_zh, role.name_en,
                   bool(role.is_system), users)


def _load_role(uow: UnitOfWork, role_id: int) -> Role:
    role = uow.session.get(Role, role_id)
    if role is None:
        raise NotFound(tr("{entity} {id} does not exist or you may not see it.",
                          entity=tr("Role"), id=role_id))
    return role


def _matrix(uow: UnitOfWork, role: Role) -> RoleMatrix:
    users = uow.session.execute(select(func.count()).select_from(User).where(
        User.role_id == role.id, User.active == true())).scalar_one()
    ops = frozenset((p.module, p.operation) for p in uow.session.scalars(
        select(RolePermission).where(RolePermission.role_id == role.id)))
    scopes = {s.module: s.scope for s in uow.session.scalars(
        select(RoleDataScope).where(RoleDataScope.role_id == role.id))}
    rules = {(f.module, f.field): f.access for f in uow.session.scalars(
        select(RoleFieldRule).where(RoleFieldRule.role_id == role.id))}
    return RoleMatrix(_role_row(role, int(users)), ops, scopes, rules)


def get_role_matrix(*, uow: UnitOfWork, actor: Actor, role_id: int) -> RoleMatrix:
    with uow:
        require(uow, actor, Module.ADMINISTRATION, Operation.VIEW)
        return _matrix(uow, _load_role(uow, role_id))


def _role_allows(uow: UnitOfWork, role_id: int, module: Module, operation: Operation) -> bool:
    return uow.session.execute(select(RolePermission.id).where(
        RolePermission.role_id == role_id, RolePermission.module == module,
        RolePermission.operation == operation)).first() is not None


def _snapshot_matrix(ops: Iterable[tuple[Module, Operation]], scopes: Mapping[Module, DataScope],
                     rules: Mapping[tuple[Module, str], FieldAccess]) -> dict[str, list[str]]:
    """The matrix as ``{module: ["view", ..., "scope=all", "cost_price=hidden"]}`` for the log."""
    out: dict[str, list[str]] = {}
    for module in Module:
        items = [op.value for op in Operation if (module, op) in set(ops)]
        if module in scopes:
            items.append(f"scope={scopes[module].value}")
        items += [f"{name}={access.value}" for (mod, name), access in sorted(rules.items())
                  if mod is module]
        if items:
            out[module.value] = items
    return out


def create_role(*, uow: UnitOfWork, actor: Actor, code: str, name_zh: str, name_en: str,
                copy_from_id: int | None = None) -> RoleMatrix:
    """A new role, with the permissions of ``copy_from_id`` (or none at all)."""
    with uow:
        require(uow, actor, Module.ADMINISTRATION, Operation.CREATE)
        check = Checker()
        code_ok = _check_code(check, code, max_len=40)
        zh = check.text("name_zh", name_zh, max_len=100, required=True)
        en = check.text("name_en", name_en, max_len=100, required=True)
        source: Role | None = None
        if copy_from_id is not None:
            source = uow.session.get(Role, copy_from_id)
            if source is None:
                check.fail("copy_from", tr("is not a valid choice"))
        if code_ok and uow.session.execute(select(Role.id).where(Role.code == code_ok)).first():
            check.fail("code", tr("already exists"))
        check.done()
        role = Role(code=code_ok, name_zh=zh, name_en=en, is_system=False,
                    created_by_id=actor.user_id, updated_by_id=actor.user_id)
        if source is not None:
            base = _matrix(uow, source)
            role.permissions = [RolePermission(module=m, operation=o)
                                for m, o in sorted(base.operations)]
            role.data_scopes = [RoleDataScope(module=m, scope=s) for m, s in base.scopes.items()]
            role.field_rules = [RoleFieldRule(module=m, field=f, access=a)
                                for (m, f), a in base.field_rules.items()]
        uow.session.add(role)
        uow.flush()
        matrix = _matrix(uow, role)
        audit.record(uow, actor, AuditAction.CREATE, "role", role.id,
                     f"{role.code} {role.name_zh}" if source is None else
                     audit.say("{role} (copy of {source})", role=f"{role.code} {role.name_zh}",
                               source=source.code),
                     {"after": _snapshot_matrix(matrix.operations, matrix.scopes,
                                                matrix.field_rules)})
        principals.on_role_saved(uow.session, role.id)
        uow.commit()
        return matrix


def rename_role(*, uow: UnitOfWork, actor: Actor, role_id: int, expected_version: int,
                name_zh: str, name_en: str) -> RoleRow:
    with uow:
        require(uow, actor, Module.ADMINISTRATION, Operation.EDIT)
        role = _load_role(uow, role_id)
        check_version(uow, role, expected_version, entity="role", label=role.name_zh)
        check = Checker()
        zh = check.text("name_zh", name_zh, max_len=100, required=True)
        en = check.text("name_en", name_en, max_len=100, required=True)
        check.done()
        before = {"name_zh": role.name_zh, "name_en": role.name_en}
        role.name_zh, role.name_en = zh, en  # type: ignore[assignment]
        changes = audit.diff(before, {"name_zh": zh, "name_en": en})
        if changes:
            role.updated_by_id = actor.user_id
            uow.flush()
            audit.record(uow, actor, AuditAction.UPDATE, "role", role.id,
                         audit.say("{role} renamed", role=role.code), changes)
        uow.commit()
        return _matrix(uow, role).role


def delete_role(*, uow: UnitOfWork, actor: Actor, role_id: int, expected_version: int) -> None:
    """Delete a role the administrator made; refused for default roles and roles in use."""
    with uow:
        require(uow, actor, Module.ADMINISTRATION, Operation.DELETE)
        role = _load_role(uow, role_id)
        check_version(uow, role, expected_version, entity="role", label=role.name_zh)
        if role.is_system:
            raise ServiceError(tr("{role} is a default role and cannot be deleted.",
                                  role=role.name_zh))
        users = uow.session.execute(select(func.count()).select_from(User).where(
            User.role_id == role.id)).scalar_one()
        if users:
            raise ServiceError(tr("{role} is the role of {count} user(s) and cannot be deleted.",
                                  role=role.name_zh, count=users))
        matrix = _matrix(uow, role)
        audit.record(uow, actor, AuditAction.DELETE, "role", role.id,
                     f"{role.code} {role.name_zh}",
                     {"before": _snapshot_matrix(matrix.operations, matrix.scopes,
                                                 matrix.field_rules)})
        uow.session.delete(role)
        uow.flush()
        principals.on_role_deleted(uow.session, role.code)
        uow.commit()
        # An id may be used again by a later role: forget what this process cached for it.
        for key in [k for k in uow.role_cache if k[0] == role_id]:
            del uow.role_cache[key]


def save_role_matrix(
    *, uow: UnitOfWork, actor: Actor, role_id: int, expected_version: int,
    operations: Iterable[tuple[Any, Any]],
    scopes: Mapping[Any, Any],
    field_rules: Mapping[tuple[Any, str], Any],
) -> RoleMatrix:
    """Replace a role's operations, data scopes and protected-field rules in one transaction.

    The role's version moves, so every user of the role gets the new permissions at their
    next action. A module left out of ``scopes`` is "own". Refused (ValidationError) for an
    unknown module, operation, scope or field, and when the administrator would take
    administration away from their own role.
    """
    with uow:
        require(uow, actor, Module.ADMINISTRATION, Operation.EDIT)
        role = _load_role(uow, role_id)
        check_version(uow, role, expected_version, entity="role", label=role.name_zh)
        check = Checker()
        ops: set[tuple[Module, Operation]] = set()
        for module, operation in operations:
            m = check.choice("operations", module, Module)
            o = check.choice("operations", operation, Operation)
            if m is not None and o is not None:
                ops.add((m, o))
        new_scopes: dict[Module, DataScope] = {}
        for module, scope in scopes.items():
            m = check.choice("scopes", module, Module)
            s = check.choice(f"scopes.{module}", scope, DataScope)
            if m is not None and s is not None:
                new_scopes[m] = s
        rules: dict[tuple[Module, str], FieldAccess] = {}
        for (module, name), access in field_rules.items():
            m = check.choice("field_rules", module, Module)
            a = check.choice(f"field_rules.{module}.{name}", access, FieldAccess)
            if m is not None and protectable(m, name) is None:
                check.fail(f"field_rules.{module}.{name}", tr("is not a protectable field"))
            elif m is not None and a is not None:
                rules[(m, name)] = a
        own_role = uow.session.execute(select(User.role_id).where(User.id == actor.user_id)
                                       ).scalar_one_or_none()
        if own_role == role.id and (Module.ADMINISTRATION, Operation.EDIT) not in ops:
            check.fail("operations", tr("would lock you out of administration"))
        check.done()
        before = _matrix(uow, role)
        session = uow.session
        session.execute(delete(RolePermission).where(RolePermission.role_id == role.id))
        session.execute(delete(RoleDataScope).where(RoleDataScope.role_id == role.id))
        session.execute(delete(RoleFieldRule).where(RoleFieldRule.role_id == role.id))
        session.add_all([RolePermission(role_id=role.id, module=m, operation=o)
                         for m, o in sorted(ops)])
        session.add_all([RoleDataScope(role_id=role.id, module=m, scope=s)
                         for m, s in new_scopes.items()])
        session.add_all([RoleFieldRule(role_id=role.id, module=m, field=f, access=a)
                         for (m, f), a in rules.items()])
        # The version moves: each user's next action reads the role's rows again.
        role.updated_at = utcnow()
        role.updated_by_id = actor.user_id
        uow.flush()
        session.expire(role)
        changes = audit.diff(
            _snapshot_matrix(before.operations, before.scopes, before.field_rules),
            _snapshot_matrix(ops, new_scopes, rules))
        audit.record(uow, actor, AuditAction.UPDATE, "role", role.id,
                     audit.say("{role} permissions", role=role.code), changes or None)
        # The database grants follow the matrix in the same transaction.
        principals.on_role_saved(uow.session, role.id)
        uow.commit()
        return _matrix(uow, role)


# --- view as user ----------------------------------------------------------------------------


def view_as(*, uow: UnitOfWork, actor: Actor, user_id: int) -> UserPreview:
    """The permissions a user has right now, decided as for the user's own actions."""
    with uow:
        require(uow, actor, Module.ADMINISTRATION, Operation.VIEW)
        user = _read_user(uow, user_id)
        target = Actor(user_id=user.id, username=user.username, display_name=user.display_name,
                       role_code=user.role_code, department_id=user.department_id)
        grants: Grants = grants_for(uow, target)
        operations = frozenset(op for op in grants.operations if grants.active)
        return UserPreview(
            user=user,
            visible_modules=tuple(m for m in Module if (m, Operation.VIEW) in operations),
            operations=operations,
            scopes={m: grants.scope(m) for m in Module},
            hidden_fields=frozenset(k for k, a in grants.fields.items()
                                    if a is FieldAccess.HIDDEN),
            read_only_fields=frozenset(k for k, a in grants.fields.items()
                                       if a is FieldAccess.READ_ONLY),
        )


__all__ = [
    "PROTECTABLE_FIELDS",
    "DepartmentRow",
    "ProtectableField",
    "RoleMatrix",
    "RoleRow",
    "UserPreview",
    "UserRow",
    "ValidationError",
    "create_department",
    "create_role",
    "create_user",
    "deactivate_user",
    "delete_role",
    "get_role_matrix",
    "get_user",
    "list_departments",
    "list_roles",
    "list_users",
    "owned_customer_count",
    "protectable",
    "reactivate_user",
    "rename_role",
    "reset_password",
    "save_role_matrix",
    "set_department_active",
    "update_department",
    "update_user",
    "view_as",
]

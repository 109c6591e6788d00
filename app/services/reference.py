"""Reference data every installation starts with: departments (stations) and default roles."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, true

from app.models import Department, Role, RoleDataScope, RoleFieldRule, RolePermission
from app.models.enums import FieldAccess, Module, Operation, StationCode
from app.services.permissions import DEFAULT_ROLES, Actor, RoleTemplate, grants_for, require
from app.services.uow import UnitOfWork

DEPARTMENTS: tuple[tuple[str, str, str, StationCode], ...] = (
    ("storefront", "门市/经销商", "Storefront / dealers", StationCode.STOREFRONT),
    ("key_accounts", "大客户部", "Key accounts", StationCode.KEY_ACCOUNTS),
    ("repair", "维修部", "Repair department", StationCode.REPAIR),
    ("management", "管理部", "Management department", StationCode.MANAGEMENT),
    ("manager_office", "经理办", "Manager's office", StationCode.MANAGER_OFFICE),
)


def _role_from_template(template: RoleTemplate) -> Role:
    role = Role(code=template.code, name_zh=template.name_zh, name_en=template.name_en,
                is_system=True)
    role.permissions = [
        RolePermission(module=module, operation=op)
        for module, ops in template.operations.items()
        for op in dict.fromkeys(ops)
    ]
    role.data_scopes = [RoleDataScope(module=m, scope=s) for m, s in template.scopes.items()]
    role.field_rules = [
        RoleFieldRule(module=m, field=f, access=FieldAccess.HIDDEN) for m, f in template.hidden
    ]
    return role


def ensure_reference_data(uow: UnitOfWork) -> bool:
    """Create the missing departments and default roles; returns True if anything was added.

    Existing rows are left alone: an administrator may have changed a default role.
    """
    with uow:
        session = uow.session
        have_departments = set(session.scalars(select(Department.code)))
        have_roles = set(session.scalars(select(Role.code)))
        added = False
        for code, zh, en, station in DEPARTMENTS:
            if code not in have_departments:
                session.add(Department(code=code, name_zh=zh, name_en=en, station=station))
                added = True
        for template in DEFAULT_ROLES:
            if template.code not in have_roles:
                session.add(_role_from_template(template))
                added = True
        uow.commit()
        return added


@dataclass(frozen=True)
class DepartmentChoice:
    """A department as offered in filters (the statistics window's department filter)."""

    id: int
    code: str
    name_zh: str
    name_en: str

    def name(self, language: str) -> str:
        return self.name_zh if language == "zh" else self.name_en


def list_departments(*, uow: UnitOfWork, actor: Actor) -> tuple[DepartmentChoice, ...]:
    """The active departments, sorted by code; like user names, any active user may read them."""
    with uow:
        if not grants_for(uow, actor).active:
            require(uow, actor, Module.CUSTOMERS, Operation.VIEW)
        rows = uow.session.execute(
            select(Department.id, Department.code, Department.name_zh, Department.name_en)
            .where(Department.active == true())
            .order_by(Department.code, Department.id)
        ).all()
        return tuple(DepartmentChoice(id=r[0], code=r[1], name_zh=r[2], name_en=r[3])
                     for r in rows)

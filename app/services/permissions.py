"""The one place permissions are decided: module, operation, data scope and protected fields.

Permissions are data (role_permissions, role_data_scopes, role_field_rules), read once per
unit of work, so a role changed by the administrator applies at each user's next action.
The UI asks :func:`can` only to hide what would be refused; services call :func:`require`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from weakref import WeakKeyDictionary

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    String,
    bindparam,
    func,
    literal_column,
    select,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute

from app import labels
from app.i18n import tr
from app.models import Role, RoleDataScope, RoleFieldRule, RolePermission, User
from app.models.enums import DataScope, FieldAccess, Module, Operation
from app.models.system import CustomFieldDefinition
from app.security import catalog
from app.services.errors import PermissionDenied
from app.services.uow import UnitOfWork

# A column holding a user id: a mapped attribute, or a column of a view such as the
# customer directory.
OwnerColumn = InstrumentedAttribute[int | None] | InstrumentedAttribute[int] | ColumnElement[Any]


@dataclass(frozen=True)
class Actor:
    """Who is acting: identity only; what they may do is read from the database per action."""

    user_id: int
    username: str
    display_name: str
    role_code: str
    department_id: int | None
    station: str | None = None


@dataclass(frozen=True)
class Grants:
    """What a role may do, as loaded for one unit of work."""

    role_id: int
    department_id: int | None
    active: bool
    operations: frozenset[tuple[Module, Operation]]
    scopes: Mapping[Module, DataScope] = field(default_factory=dict)
    fields: Mapping[tuple[Module, str], FieldAccess] = field(default_factory=dict)
    # The user's name as stored now (a record the action writes names its author).
    display_name: str | None = None

    def allows(self, module: Module, operation: Operation) -> bool:
        return self.active and (module, operation) in self.operations

    def scope(self, module: Module) -> DataScope:
        return self.scopes.get(module, DataScope.OWN)

    def field_access(self, module: Module, name: str) -> FieldAccess | None:
        return self.fields.get((module, name))


@dataclass(frozen=True)
class _RoleGrants:
    operations: frozenset[tuple[Module, Operation]]
    scopes: Mapping[Module, DataScope]
    fields: Mapping[tuple[Module, str], FieldAccess]


# The custom field definitions' stamp: every definition added moves the count and the
# highest id, every one edited (hidden, restored, moved) its version. Services keep the
# definitions they read under it (custom_fields.load_definitions).
_FIELD_STAMP = select(
    func.count().label("fields"),
    func.coalesce(func.sum(CustomFieldDefinition.version), 0).label("versions"),
    func.coalesce(func.max(CustomFieldDefinition.id), 0).label("last_id"),
).subquery("field_stamp")

# Built once: this runs at the start of every use case.
_GRANTS_QUERY = (
    select(User.role_id, User.department_id, User.active, Role.version, User.display_name,
           _FIELD_STAMP.c.fields, _FIELD_STAMP.c.versions, _FIELD_STAMP.c.last_id)
    .join(Role, Role.id == User.role_id)
    .join(_FIELD_STAMP, true())
    .where(User.id == bindparam("user_id"))
)


def grants_for(uow: UnitOfWork, actor: Actor) -> Grants:
    """The actor's current permissions, read once per transaction.

    One query reads the user's role, department, active flag and the role's version;
    the role's permission rows are read again only when that version moved (the
    administration service bumps it on every change), so a changed role applies at
    each user's next action without costing every action three more queries. The same
    query brings the custom field definitions' stamp (``uow.field_stamp``), so the
    definitions a station keeps are checked at each action for nothing.
    """
    uow.acting(actor)
    cached = uow.grants_cache.get(actor.user_id)
    if cached is not None:
        return cached
    row = uow.session.connection().execute(_GRANTS_QUERY, {"user_id": actor.user_id}
                                           ).one_or_none()
    if row is None:
        grants = Grants(0, None, False, frozenset())
    else:
        role_id, department_id, active, role_version, display_name, *field_stamp = row
        if uow.field_stamp is None:
            uow.field_stamp = tuple(int(n) for n in field_stamp)
        role = uow.role_cache.get((role_id, role_version))
        if role is None:
            role = _load_role(uow, role_id)
            uow.role_cache[(role_id, role_version)] = role
        grants = Grants(
            role_id=role_id,
            department_id=department_id,
            active=bool(active),
            operations=role.operations,
            scopes=role.scopes,
            fields=role.fields,
            display_name=display_name,
        )
    uow.grants_cache[actor.user_id] = grants
    _LAST_GRANTS.setdefault(uow, {})[actor.user_id] = grants
    return grants


# The grants each unit of work read last per actor, kept across its transactions: a guess
# of the next ones (see last_grants), never a permission.
_LAST_GRANTS: WeakKeyDictionary[UnitOfWork, dict[int, Grants]] = WeakKeyDictionary()


def last_grants(uow: UnitOfWork, actor: Actor) -> Grants | None:
    """The actor's grants as this unit of work last read them, in an earlier transaction
    perhaps: only a guess of what the next permission query says, for preparing a
    statement to send with it (``UnitOfWork.read_ahead``), whose results are used only if
    the statement the real grants make is the same."""
    return _LAST_GRANTS.get(uow, {}).get(actor.user_id)


def _text(column: Any) -> Any:
    # The rows of the union mix enums of different kinds; read them all as plain text.
    return type_coerce(column, String(40))


def _load_role(uow: UnitOfWork, role_id: int) -> _RoleGrants:
    """All permission rows of a role in one round trip."""
    kind: ColumnElement[str] = literal_column("'op'")
    stmt = union_all(
        select(kind.label("kind"), _text(RolePermission.module).label("module"),
               _text(RolePermission.operation).label("a"), literal_column("''").label("b"))
        .where(RolePermission.role_id == role_id),
        select(literal_column("'scope'"), _text(RoleDataScope.module),
               _text(RoleDataScope.scope), literal_column("''"))
        .where(RoleDataScope.role_id == role_id),
        select(literal_column("'field'"), _text(RoleFieldRule.module),
               _text(RoleFieldRule.access), _text(RoleFieldRule.field))
        .where(RoleFieldRule.role_id == role_id),
    )
    operations: set[tuple[Module, Operation]] = set()
    scopes: dict[Module, DataScope] = {}
    fields: dict[tuple[Module, str], FieldAccess] = {}
    for what, module, a, b in uow.session.execute(stmt).all():
        mod = Module(module)
        if what == "op":
            operations.add((mod, Operation(a)))
        elif what == "scope":
            scopes[mod] = DataScope(a)
        else:
            fields[(mod, b)] = FieldAccess(a)
    return _RoleGrants(frozenset(operations), scopes, fields)


def can(uow: UnitOfWork, actor: Actor, module: Module, operation: Operation) -> bool:
    """Whether the actor may perform ``operation`` in ``module`` at all."""
    # Its own transaction when called on its own (the UI asks before acting), so no
    # transaction is left open holding a lock.
    with uow:
        return grants_for(uow, actor).allows(module, operation)


def require(uow: UnitOfWork, actor: Actor, module: Module, operation: Operation) -> Grants:
    """Raise :class:`PermissionDenied` unless the actor may perform the operation."""
    grants = grants_for(uow, actor)
    if not grants.active:
        raise PermissionDenied(tr("Your account is deactivated."), module=module,
                               operation=operation)
    if not grants.allows(module, operation):
        raise PermissionDenied(
            tr("You may not {operation} in {module}.", operation=labels.verb(operation),
               module=labels.label(module)),
            module=module,
            operation=operation,
        )
    return grants


def scope_filter(
    uow: UnitOfWork,
    actor: Actor,
    module: Module,
    owner_column: OwnerColumn,
) -> ColumnElement[bool]:
    """A WHERE clause limiting ``owner_column`` to the records the actor's data scope covers."""
    scope, params = scope_params(uow, actor, module)
    return scope_clause(scope, owner_column, params)


def scope_params(uow: UnitOfWork, actor: Actor,
                 module: Module) -> tuple[DataScope, dict[str, int | None]]:
    """The actor's effective data scope of ``module`` and the values for :func:`scope_clause`.

    A department scope without a department narrows to the actor's own records.
    """
    return scope_of(grants_for(uow, actor), actor, module)


def scope_of(grants: Grants, actor: Actor,
             module: Module) -> tuple[DataScope, dict[str, int | None]]:
    """:func:`scope_params` from ``grants`` already read."""
    scope = grants.scope(module)
    if scope is DataScope.DEPARTMENT and grants.department_id is None:
        scope = DataScope.OWN
    return scope, {SCOPE_USER: actor.user_id, SCOPE_DEPARTMENT: grants.department_id}


SCOPE_USER = "scope_user_id"
SCOPE_DEPARTMENT = "scope_department_id"


def scope_clause(
    scope: DataScope,
    owner_column: OwnerColumn,
    values: Mapping[str, int | None] | None = None,
) -> ColumnElement[bool]:
    """The data-scope condition with the actor as bind parameters (``SCOPE_USER``,
    ``SCOPE_DEPARTMENT``). Without ``values`` a hot statement can be built once per scope
    and reused, given the values from :func:`scope_params` when executing."""
    def actor_param(key: str) -> BindParameter[int]:
        if values is None:
            return bindparam(key, type_=Integer)
        return bindparam(key, values[key], type_=Integer)

    if scope is DataScope.ALL:
        return true()
    if scope is DataScope.DEPARTMENT:
        same_department = select(User.id).where(
            User.department_id == actor_param(SCOPE_DEPARTMENT))
        return owner_column.in_(same_department.scalar_subquery())
    own: ColumnElement[bool] = owner_column == actor_param(SCOPE_USER)
    return own


class _Unknown:
    """The owner's department was not read with the record: read it when it matters."""


UNKNOWN = _Unknown()


def owns_in_scope(
    uow: UnitOfWork, actor: Actor, module: Module, owner_id: int | None,
    owner_department_id: int | None | _Unknown = UNKNOWN,
) -> bool:
    """Whether a record owned by ``owner_id`` falls in the actor's data scope (one record).

    ``owner_department_id``: the owner's department, when the caller read it with the
    record (else a department scope reads it here, one more query)."""
    grants = grants_for(uow, actor)
    scope = grants.scope(module)
    if scope is DataScope.ALL:
        return True
    if owner_id is None:
        return False
    if owner_id == actor.user_id:
        return True
    if scope is DataScope.DEPARTMENT and grants.department_id is not None:
        if isinstance(owner_department_id, _Unknown):
            owner_department_id = uow.session.execute(
                select(User.department_id).where(User.id == owner_id)
            ).scalar_one_or_none()
        return owner_department_id == grants.department_id
    return False


def require_in_scope(
    uow: UnitOfWork, actor: Actor, module: Module, operation: Operation, owner_id: int | None,
    owner_department_id: int | None | _Unknown = UNKNOWN,
) -> None:
    """Raise unless the record owned by ``owner_id`` is within the actor's data scope."""
    if not owns_in_scope(uow, actor, module, owner_id, owner_department_id):
        raise PermissionDenied(
            tr("This record belongs to someone else; you may not {operation} it.",
               operation=labels.verb(operation)),
            module=module,
            operation=operation,
        )


def hidden_fields(uow: UnitOfWork, actor: Actor, module: Module) -> frozenset[str]:
    """Names of the protected fields of ``module`` that the actor's role must not see."""
    with uow:
        grants = grants_for(uow, actor)
    return hidden_in(grants, module)


def hidden_in(grants: Grants, module: Module) -> frozenset[str]:
    """:func:`hidden_fields` from ``grants`` already read."""
    return frozenset(
        name
        for (mod, name), access in grants.fields.items()
        if mod is module and access is FieldAccess.HIDDEN
    )


def read_only_fields(uow: UnitOfWork, actor: Actor, module: Module) -> frozenset[str]:
    with uow:
        grants = grants_for(uow, actor)
    return frozenset(name for (mod, name), access in grants.fields.items() if mod is module)


# Protected fields that protect only records of others: a role with ``customers.phone``
# hidden still sees the phone numbers of the customers its user owns. (One list for the
# program and the database's grants: app.security.catalog.)
OWNER_EXEMPT_FIELDS = catalog.OWNER_EXEMPT_FIELDS


def sees_field(uow: UnitOfWork, actor: Actor, module: Module, name: str,
               owner_id: int | None = None) -> bool:
    """Whether the actor sees protected field ``name`` on a record owned by ``owner_id``."""
    if name not in hidden_fields(uow, actor, module):
        return True
    return (module, name) in OWNER_EXEMPT_FIELDS and owner_id == actor.user_id


def sees_margin(uow: UnitOfWork, actor: Actor) -> bool:
    """Whether the actor sees order costs and the margin computed from them: hiding either
    field hides both (and on a secured server the cost columns: app.security.catalog)."""
    hidden = hidden_fields(uow, actor, Module.ORDERS)
    return "margin" not in hidden and "unit_cost" not in hidden


def may_change_field(uow: UnitOfWork, actor: Actor, module: Module, name: str,
                     owner_id: int | None = None) -> bool:
    """Whether the actor may change protected field ``name`` on a record of ``owner_id``."""
    if name not in read_only_fields(uow, actor, module):
        return True
    return (module, name) in OWNER_EXEMPT_FIELDS and owner_id == actor.user_id


# --- the default roles of a new installation ---------------------------------------------

ALL_OPS = tuple(Operation)
RW = (Operation.VIEW, Operation.CREATE, Operation.EDIT, Operation.PRINT)
RO = (Operation.VIEW,)


@dataclass(frozen=True)
class RoleTemplate:
    code: str
    name_zh: str
    name_en: str
    operations: Mapping[Module, Iterable[Operation]]
    scopes: Mapping[Module, DataScope]
    hidden: Iterable[tuple[Module, str]] = ()


# What the customer-guard module allows (app.services.customer_guard): see the trail, tune
# its rules and enter a person's notice, export the alerts.
GUARD_OPS: Final = (Operation.VIEW, Operation.EDIT, Operation.EXPORT)


def _everything(except_: Iterable[Module] = ()) -> dict[Module, Iterable[Operation]]:
    skip = set(except_)
    return {m: ALL_OPS for m in Module if m not in skip}


def _scopes(scope: DataScope, modules: Iterable[Module] = tuple(Module)) -> dict[Module, DataScope]:
    return dict.fromkeys(modules, scope)


COST_FIELDS: tuple[tuple[Module, str], ...] = (
    (Module.PRODUCTS, "cost_price"),
    (Module.ORDERS, "unit_cost"),
    (Module.ORDERS, "margin"),
    (Module.SERVICE_TICKETS, "parts_cost"),
)

DEFAULT_ROLES: tuple[RoleTemplate, ...] = (
    RoleTemplate(
        code="counter_clerk",
        name_zh="门市营业员",
        name_en="Counter clerk",
        operations={
            Module.CUSTOMERS: RW,
            Module.VISITS: RW,
            Module.OPPORTUNITIES: RW,
            Module.PRODUCTS: RO,
            Module.QUOTATIONS: RW,
            Module.ORDERS: RW,
            Module.PAYMENTS: (Operation.VIEW, Operation.CREATE, Operation.PRINT),
            Module.SERVICE_TICKETS: (Operation.VIEW, Operation.CREATE, Operation.PRINT),
            Module.KNOWLEDGE: RO,
            Module.TASKS: (Operation.VIEW, Operation.EDIT),
            Module.CARE: (Operation.VIEW, Operation.EDIT),
        },
        scopes=_scopes(DataScope.DEPARTMENT),
        hidden=COST_FIELDS,
    ),
    RoleTemplate(
        code="sales",
        name_zh="大客户业务员",
        name_en="Key-account salesperson",
        operations={
            Module.CUSTOMERS: RW,
            Module.VISITS: RW,
            Module.SALES_PLANS: RW,
            Module.OPPORTUNITIES: RW,
            Module.PRODUCTS: RO,
            Module.QUOTATIONS: RW,
            Module.ORDERS: RW,
            Module.PAYMENTS: (Operation.VIEW, Operation.CREATE, Operation.PRINT),
            Module.CONTRACTS: RO,
            Module.TASKS: (Operation.VIEW, Operation.EDIT),
            Module.CARE: (Operation.VIEW, Operation.EDIT),
            Module.KNOWLEDGE: RO,
        },
        scopes=_scopes(DataScope.OWN),
        hidden=((Module.PRODUCTS, "cost_price"),),
    ),
    RoleTemplate(
        code="technician",
        name_zh="维修工程师",
        name_en="Technician",
        operations={
            Module.CUSTOMERS: (Operation.VIEW,),
            Module.SERVICE_TICKETS: (Operation.VIEW, Operation.EDIT, Operation.PRINT),
            Module.KNOWLEDGE: (Operation.VIEW, Operation.CREATE, Operation.EDIT),
            Module.CONTRACTS: RO,
            Module.PRODUCTS: RO,
            Module.OPPORTUNITIES: (Operation.CREATE,),
            Module.TASKS: (Operation.VIEW, Operation.EDIT),
        },
        scopes={**_scopes(DataScope.OWN), Module.CUSTOMERS: DataScope.ALL,
                Module.KNOWLEDGE: DataScope.ALL, Module.CONTRACTS: DataScope.ALL},
        hidden=COST_FIELDS,
    ),
    RoleTemplate(
        code="repair_lead",
        name_zh="维修主管",
        name_en="Repair lead",
        operations={
            Module.CUSTOMERS: (Operation.VIEW, Operation.EDIT, Operation.CREATE),
            Module.SERVICE_TICKETS: ALL_OPS,
            Module.KNOWLEDGE: ALL_OPS,
            Module.CONTRACTS: ALL_OPS,
            Module.PRODUCTS: RO,
            Module.OPPORTUNITIES: (Operation.VIEW, Operation.CREATE),
            Module.TASKS: ALL_OPS,
            Module.CARE: (Operation.VIEW, Operation.EDIT),
            Module.STATISTICS: RO,
        },
        scopes={**_scopes(DataScope.DEPARTMENT), Module.CUSTOMERS: DataScope.ALL,
                Module.SERVICE_TICKETS: DataScope.ALL, Module.KNOWLEDGE: DataScope.ALL,
                Module.CONTRACTS: DataScope.ALL},
    ),
    RoleTemplate(
        code="management_clerk",
        name_zh="管理部文员",
        name_en="Management clerk",
        operations=_everything(except_=(Module.ADMINISTRATION, Module.CUSTOMER_GUARD)),
        scopes=_scopes(DataScope.ALL),
    ),
    RoleTemplate(
        code="general_manager",
        name_zh="总经理",
        name_en="General manager",
        operations={**_everything(except_=(Module.ADMINISTRATION, Module.CUSTOMER_GUARD)),
                    # The read trail: its figures and alerts, its rules, its report.
                    Module.CUSTOMER_GUARD: GUARD_OPS},
        scopes=_scopes(DataScope.ALL),
    ),
    RoleTemplate(
        code="administrator",
        name_zh="系统管理员",
        name_en="Administrator",
        operations={
            Module.ADMINISTRATION: ALL_OPS,
            Module.CUSTOMERS: (Operation.VIEW,),
            Module.PRODUCTS: ALL_OPS,
        },
        scopes=_scopes(DataScope.ALL),
    ),
)

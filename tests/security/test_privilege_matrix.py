"""Every table × column × default role: the database's privileges and policies are the role
matrix's, and editing the matrix in Administration changes them in the same transaction."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from sqlalchemy import URL, Engine, select, text

from app.models import Role, RoleFieldRule, RolePermission
from app.models.enums import FieldAccess, Module, Operation
from app.security import catalog
from app.services import administration
from app.services.auth import login_principal
from app.services.errors import ValidationError
from app.services.uow import UnitOfWork

pytestmark = pytest.mark.pg_only

Ops = frozenset[tuple[Module, Operation]]
Rules = Mapping[tuple[Module, str], FieldAccess]

# The table each module's own operations act on (the matrix says "view orders", the
# database must then let the role SELECT from orders, and so on).
MAIN_TABLE = {
    Module.CUSTOMERS: "customers", Module.VISITS: "visits", Module.SALES_PLANS: "sales_plans",
    Module.OPPORTUNITIES: "opportunities", Module.PRODUCTS: "products",
    Module.QUOTATIONS: "quotations", Module.ORDERS: "orders", Module.PAYMENTS: "payments",
    Module.CONTRACTS: "service_contracts", Module.SERVICE_TICKETS: "service_tickets",
    Module.KNOWLEDGE: "knowledge_entries", Module.TASKS: "tasks", Module.CARE: "care_items",
    Module.ADMINISTRATION: "users",
}
PRIVILEGE_OF = {Operation.VIEW: "SELECT", Operation.CREATE: "INSERT",
                Operation.EDIT: "UPDATE", Operation.DELETE: "DELETE"}


def _matrix(engine: Engine) -> dict[str, tuple[Ops, Rules]]:
    with engine.connect() as conn:
        roles = dict(conn.execute(select(Role.id, Role.code)).all())
        ops: dict[str, set[tuple[Module, Operation]]] = {code: set() for code in roles.values()}
        rules: dict[str, dict[tuple[Module, str], FieldAccess]] = defaultdict(dict)
        for role_id, module, operation in conn.execute(
                select(RolePermission.role_id, RolePermission.module, RolePermission.operation)):
            ops[roles[role_id]].add((Module(module), Operation(operation)))
        for role_id, module, name, access in conn.execute(
                select(RoleFieldRule.role_id, RoleFieldRule.module, RoleFieldRule.field,
                       RoleFieldRule.access)):
            rules[roles[role_id]][(Module(module), name)] = FieldAccess(access)
    return {code: (frozenset(ops[code]), rules[code]) for code in roles.values()}


def _columns(engine: Engine) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    with engine.connect() as conn:
        for table, column in conn.execute(text(
                "SELECT table_name, column_name FROM information_schema.columns"
                " WHERE table_schema = 'public' ORDER BY table_name, ordinal_position")):
            found[table].append(column)
    return found


def expected(ops: Ops, rules: Rules, columns: Mapping[str, list[str]]
             ) -> dict[tuple[str, str], set[str]]:
    """(table, privilege) → the columns the role must have it on, said from the matrix."""
    granted: dict[tuple[str, str], set[str]] = defaultdict(set)
    for access in catalog.ACCESS:
        if access.module is not None and (access.module, access.operation) not in ops:
            continue
        granted[(access.table, access.privilege)] |= set(
            access.columns or columns[access.table])
    for protected in catalog.PROTECTED_COLUMNS:
        rule = rules.get((protected.module, protected.field))
        if rule is None:
            continue
        if (protected.module, protected.field) not in catalog.OWNER_EXEMPT_FIELDS:
            # An owner edits their own customers' numbers; a trigger guards the others'.
            granted[(protected.table, "UPDATE")].discard(protected.column)
        if rule is FieldAccess.HIDDEN:
            granted[(protected.table, "SELECT")].discard(protected.column)
    granted[("users", "SELECT")] -= {"password_hash"}
    if (Module.ADMINISTRATION, Operation.VIEW) not in ops:
        granted[("users", "SELECT")] -= {"failed_logins", "locked_until"}
    return granted


def _actual(engine: Engine, group: str, columns: Mapping[str, list[str]]
            ) -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    with engine.connect() as conn:
        for table, names in columns.items():
            qualified = f'public."{table}"'
            for privilege in ("SELECT", "UPDATE"):
                for column in names:
                    if conn.execute(text("SELECT has_column_privilege(:g, :t, :c, :p)"),
                                    {"g": group, "t": qualified, "c": column,
                                     "p": privilege}).scalar():
                        found[(table, privilege)].add(column)
            for privilege in ("INSERT", "DELETE"):
                if conn.execute(text("SELECT has_table_privilege(:g, :t, :p)"),
                                {"g": group, "t": qualified, "p": privilege}).scalar():
                    found[(table, privilege)] = set(names)
    return found


def _nonempty(grants: Mapping[tuple[str, str], set[str]]) -> dict[tuple[str, str], set[str]]:
    return {key: cols for key, cols in grants.items() if cols}


def test_every_default_role_has_exactly_the_privileges_of_its_matrix(
        owner_engine: Engine, secured_url: URL) -> None:
    columns = _columns(owner_engine)
    matrix = _matrix(owner_engine)
    assert set(matrix) >= {"counter_clerk", "sales", "technician", "repair_lead",
                           "management_clerk", "general_manager", "administrator"}
    for code, (ops, rules) in matrix.items():
        group = f"{secured_url.database}_{code}"
        want = _nonempty(expected(ops, rules, columns))
        have = _nonempty(_actual(owner_engine, group, columns))
        for key in sorted(set(want) | set(have)):
            assert have.get(key, set()) == want.get(key, set()), (code, key)
        # What the matrix says, module by module, holds in the database.
        for (module, operation) in ops:
            table, privilege = MAIN_TABLE.get(module), PRIVILEGE_OF.get(operation)
            if table and privilege:
                assert have.get((table, privilege)), (code, module, operation)
        for (module, name), access in rules.items():
            for protected in catalog.PROTECTED_COLUMNS:
                if (protected.module, protected.field) == (module, name):
                    assert protected.column not in have.get((protected.table, "UPDATE"), ())
                    if access is FieldAccess.HIDDEN:
                        assert protected.column not in have.get(
                            (protected.table, "SELECT"), ()), (code, protected)
        assert not have.get(("audit_log", "UPDATE")) and not have.get(("audit_log", "DELETE"))
        assert "password_hash" not in have.get(("users", "SELECT"), set())


def test_row_security_is_on_exactly_where_the_catalogue_says(owner_engine: Engine) -> None:
    with owner_engine.connect() as conn:
        secured = dict(conn.execute(text(
            "SELECT c.relname, c.relrowsecurity FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind = 'r'")).all())
        policies: dict[str, set[str]] = defaultdict(set)
        for table, name in conn.execute(text(
                "SELECT tablename, policyname FROM pg_policies WHERE schemaname = 'public'")):
            policies[table].add(name)
    ruled = {rule.table for rule in catalog.ROW_RULES}
    assert {t for t, on in secured.items() if on} == ruled
    for table in ruled:
        assert policies[table] == {"crm_read", "crm_change", "crm_delete", "crm_insert"}


def test_station_logins_own_nothing_and_create_nothing(
        owner_engine: Engine, secured_url: URL) -> None:
    prefix = f"{secured_url.database}_"
    with owner_engine.connect() as conn:
        owned = conn.execute(text(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner"
            " WHERE starts_with(r.rolname, :p)"), {"p": prefix}).scalar()
        may_create = conn.execute(text(
            "SELECT rolname FROM pg_roles WHERE starts_with(rolname, :p)"
            " AND (has_schema_privilege(rolname, 'public', 'CREATE')"
            " OR has_database_privilege(rolname, current_database(), 'CREATE')"
            " OR rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls)"),
            {"p": prefix}).scalars().all()
    assert owned == 0
    assert may_create == []


def test_saving_the_matrix_in_administration_changes_the_grants_in_the_same_transaction(
        owner_engine: Engine, person_engine: Callable[[str], Engine],
        secured_url: URL) -> None:
    uow = UnitOfWork.for_engine(person_engine("admin"))
    admin = login_principal(uow=uow, username="admin")
    with uow:
        role_id = uow.session.execute(select(Role.id).where(Role.code == "sales")).scalar_one()
    before = administration.get_role_matrix(uow=uow, actor=admin, role_id=role_id)
    group = f"{secured_url.database}_sales"

    def can(privilege: str, table: str, column: str) -> Any:
        with owner_engine.connect() as conn:
            return conn.execute(text("SELECT has_column_privilege(:g, :t, :c, :p)"),
                                {"g": group, "t": f"public.{table}", "c": column,
                                 "p": privilege}).scalar()

    assert can("SELECT", "order_lines", "unit_cost")
    hidden = {**before.field_rules, (Module.ORDERS, "unit_cost"): FieldAccess.HIDDEN}
    changed = administration.save_role_matrix(
        uow=uow, actor=admin, role_id=role_id, expected_version=before.role.version,
        operations=before.operations, scopes=before.scopes, field_rules=hidden)
    try:
        assert not can("SELECT", "order_lines", "unit_cost")
        assert not can("SELECT", "orders", "total_cost")
        assert can("SELECT", "order_lines", "unit_price")
        # A refused save leaves the grants as they were.
        with pytest.raises(ValidationError):
            administration.save_role_matrix(
                uow=uow, actor=admin, role_id=role_id,
                expected_version=changed.role.version, operations=before.operations,
                scopes={"customers": "nobody"}, field_rules=before.field_rules)
        assert not can("SELECT", "order_lines", "unit_cost")
    finally:
        again = administration.get_role_matrix(uow=uow, actor=admin, role_id=role_id)
        administration.save_role_matrix(
            uow=uow, actor=admin, role_id=role_id, expected_version=again.role.version,
            operations=before.operations, scopes=before.scopes,
            field_rules=before.field_rules)
    assert can("SELECT", "order_lines", "unit_cost")


def test_administration_creates_disables_and_re_passwords_the_database_login(
        owner_engine: Engine, person_engine: Callable[[str], Engine],
        secured_url: URL, login_of: Callable[[str], str]) -> None:
    from app.models import Department

    uow = UnitOfWork.for_engine(person_engine("admin"))
    admin = login_principal(uow=uow, username="admin")
    with uow:
        clerk_role = uow.session.execute(
            select(Role.id).where(Role.code == "counter_clerk")).scalar_one()
        storefront = uow.session.execute(
            select(Department.id).where(Department.code == "storefront")).scalar_one()
    row = administration.create_user(
        uow=uow, actor=admin, username="clerk7", display_name="门市小周",
        role_id=clerk_role, password="first-pass-7", department_id=storefront)

    def login_row() -> Any:
        with owner_engine.connect() as conn:
            return conn.execute(text(
                "SELECT r.rolcanlogin, r.rolpassword LIKE 'SCRAM-SHA-256$%',"
                " pg_has_role(r.rolname, :g, 'MEMBER') FROM pg_authid r WHERE rolname = :n"),
                {"n": login_of("clerk7"), "g": f"{secured_url.database}_counter_clerk"}).one()

    try:
        assert tuple(login_row()) == (True, True, True)
        administration.deactivate_user(uow=uow, actor=admin, user_id=row.id,
                                       expected_version=row.version)
        assert login_row()[0] is False
    finally:
        with owner_engine.begin() as conn:
            conn.execute(text("DELETE FROM users WHERE username = 'clerk7'"))
            conn.execute(text(f'DROP OWNED BY "{login_of("clerk7")}"'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{login_of("clerk7")}"'))

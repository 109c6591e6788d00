"""Administration: users, departments, roles and the role matrix, through the service layer."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from app.models import (
    AuditEntry,
    Customer,
    Department,
    Role,
    RoleDataScope,
    RoleFieldRule,
    RolePermission,
    User,
)
from app.models.enums import DataScope, FieldAccess, Module, Operation, ProductCategory
from app.services import administration as adm
from app.services.auth import login
from app.services.catalog import ProductDraft, create_product, get_product, list_products
from app.services.customer360 import customer_overview
from app.services.customers import (
    ContactDraft,
    CustomerDraft,
    create_customer,
    find_duplicates,
    get_customer,
    search_customers,
    update_customer,
)
from app.services.errors import (
    AuthenticationFailed,
    ConflictError,
    PermissionDenied,
    ServiceError,
    ValidationError,
)
from app.services.permissions import hidden_fields
from app.services.sales import OrderDraft, OrderLineDraft, create_order, get_order, list_orders
from app.services.slips import order_slip_data
from tests import people
from tests.conftest import TEST_PASSWORD


def _role_id(uow, code: str) -> int:
    with uow:
        return uow.session.execute(select(Role.id).where(Role.code == code)).scalar_one()


def _dep_id(uow, code: str) -> int:
    with uow:
        return uow.session.execute(select(Department.id).where(Department.code == code)
                                   ).scalar_one()


def _count(uow, model) -> int:
    with uow:
        return uow.session.execute(select(func.count()).select_from(model)).scalar_one()


def _audits(uow, entity: str):
    with uow:
        return uow.session.execute(
            select(AuditEntry.entity_id, AuditEntry.action, AuditEntry.summary,
                   AuditEntry.changes)
            .where(AuditEntry.entity == entity).order_by(AuditEntry.id)).all()


def _matrix(uow, admin, code):
    return adm.get_role_matrix(uow=uow, actor=admin, role_id=_role_id(uow, code))


def _save(uow, admin, matrix, *, operations=None, scopes=None, field_rules=None):
    return adm.save_role_matrix(
        uow=uow, actor=admin, role_id=matrix.role.id, expected_version=matrix.role.version,
        operations=matrix.operations if operations is None else operations,
        scopes=matrix.scopes if scopes is None else scopes,
        field_rules=matrix.field_rules if field_rules is None else field_rules)


# --- users -----------------------------------------------------------------------------------


def test_admin_creates_a_user_who_can_log_in(uow, admin):
    made = adm.create_user(uow=uow, actor=admin, username="wang.fang", display_name="王芳",
                           role_id=_role_id(uow, "counter_clerk"),
                           department_id=_dep_id(uow, "storefront"), station="storefront",
                           password="first-pass-1", phone="13912345678")
    assert (made.role_code, made.department_code, made.station, made.active) == (
        "counter_clerk", "storefront", "storefront", True)
    assert login(uow=uow, username="wang.fang", password="first-pass-1").user_id == made.id
    entry = _audits(uow, "user")[0]
    assert entry.entity_id == made.id and "password_hash" not in (entry.changes or "")
    assert [u.username for u in adm.list_users(uow=uow, actor=admin, text="wang")] == [
        "wang.fang"]


@pytest.mark.parametrize(("field", "kwargs"), [
    ("password", {"password": "short"}),
    ("username", {"username": "admin"}),
    ("username", {"username": "王 芳"}),
    ("display_name", {"display_name": "  "}),
    ("station", {"station": "moon"}),
    ("role", {"role_id": 999999}),
    ("department", {"department_id": 999999}),
    ("phone", {"phone": "call me"}),
])
def test_bad_user_input_names_the_field_and_changes_nothing(uow, admin, field, kwargs):
    values = {"username": "newbie", "display_name": "新人", "password": "long-enough-1",
              "role_id": _role_id(uow, "sales"), "department_id": None, "station": None,
              "phone": None, **kwargs}
    users = _count(uow, User)
    with pytest.raises(ValidationError) as caught:
        adm.create_user(uow=uow, actor=admin, **values)
    assert field in caught.value.errors
    assert _count(uow, User) == users


def test_only_administration_may_manage_users(uow, admin, manager, clerk):
    for actor in (manager, clerk):
        with pytest.raises(PermissionDenied):
            adm.list_users(uow=uow, actor=actor)
        with pytest.raises(PermissionDenied):
            adm.create_user(uow=uow, actor=actor, username="x1", display_name="x",
                            role_id=_role_id(uow, "sales"), password="long-enough-1")
        with pytest.raises(PermissionDenied):
            adm.reset_password(uow=uow, actor=actor, user_id=clerk.user_id,
                               new_password="long-enough-1")
    assert len(adm.list_users(uow=uow, actor=admin)) == 3


def test_edit_user_checks_the_version_and_a_new_role_applies_at_the_next_action(
        uow, admin, sales_user, make_user):
    owner = make_user("mgmt", "management_clerk", "management")
    customer = create_customer(uow=uow, actor=owner, draft=CustomerDraft(name="北京鑫锐科技"))
    with pytest.raises(people.REFUSED):
        get_customer(uow=uow, actor=sales_user, customer_id=customer.id)
    row = adm.get_user(uow=uow, actor=admin, user_id=sales_user.user_id)
    changed = adm.update_user(uow=uow, actor=admin, user_id=row.id,
                              expected_version=row.version, display_name="张伟（管理部）",
                              role_id=_role_id(uow, "management_clerk"),
                              department_id=_dep_id(uow, "management"), station="management",
                              phone=None)
    assert changed.role_code == "management_clerk" and changed.version == row.version + 1
    # Same Actor object as before: no new login, the next call already has the new role.
    assert get_customer(uow=uow, actor=sales_user, customer_id=customer.id).id == customer.id
    with pytest.raises(ConflictError):
        adm.update_user(uow=uow, actor=admin, user_id=row.id, expected_version=row.version,
                        display_name="旧版本", role_id=row.role_id, department_id=None,
                        station=None, phone=None)
    assert adm.get_user(uow=uow, actor=admin, user_id=row.id).display_name == "张伟（管理部）"
    changes = json.loads(_audits(uow, "user")[-1].changes)
    assert changes["display_name"] == ["张伟", "张伟（管理部）"]


def test_admin_cannot_take_administration_from_themselves(uow, admin):
    me = adm.get_user(uow=uow, actor=admin, user_id=admin.user_id)
    with pytest.raises(ValidationError) as caught:
        adm.update_user(uow=uow, actor=admin, user_id=me.id, expected_version=me.version,
                        display_name=me.display_name, role_id=_role_id(uow, "sales"),
                        department_id=me.department_id, station=None, phone=None)
    assert "role" in caught.value.errors
    with pytest.raises(ValidationError):
        _save(uow, admin, _matrix(uow, admin, "administrator"),
              operations={(Module.ADMINISTRATION, Operation.VIEW)})
    assert _matrix(uow, admin, "administrator").operations >= {
        (Module.ADMINISTRATION, Operation.EDIT)}


def test_reset_password_replaces_the_old_one_and_lifts_a_lock(uow, admin, clerk):
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            login(uow=uow, username="clerk1", password="wrong-password")
    with pytest.raises(AuthenticationFailed):  # locked now, even with the right password
        login(uow=uow, username="clerk1", password=TEST_PASSWORD)
    with pytest.raises(ValidationError):
        adm.reset_password(uow=uow, actor=admin, user_id=clerk.user_id, new_password="short")
    adm.reset_password(uow=uow, actor=admin, user_id=clerk.user_id,
                       new_password="brand-new-pass")
    assert login(uow=uow, username="clerk1", password="brand-new-pass").user_id == clerk.user_id
    with pytest.raises(AuthenticationFailed):
        login(uow=uow, username="clerk1", password=TEST_PASSWORD)
    entry = [e for e in _audits(uow, "user") if "password reset" in e.summary][0]
    assert "brand-new-pass" not in (entry.changes or "")


def test_deactivation_is_refused_while_the_user_owns_customers(uow, admin, clerk, manager):
    made = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(name="海淀零售客户"))
    row = adm.get_user(uow=uow, actor=admin, user_id=clerk.user_id)
    with pytest.raises(ServiceError, match="Hand them over") as refused:
        adm.deactivate_user(uow=uow, actor=admin, user_id=row.id, expected_version=row.version)
    # The way there as the program names it: the Tasks module, tab "Customer reassignment".
    assert "(Tasks → Customer reassignment)" in str(refused.value)
    assert "Customers → hand over" not in str(refused.value)
    from app import i18n
    i18n.set_language("zh")
    try:
        with pytest.raises(ServiceError) as refused_zh:
            adm.deactivate_user(uow=uow, actor=admin, user_id=row.id,
                                expected_version=row.version)
    finally:
        i18n.set_language("en")
    assert "请先移交给其他用户（工作任务 → 客户移交）" in str(refused_zh.value)
    assert adm.get_user(uow=uow, actor=admin, user_id=row.id).active
    with uow:
        uow.session.get(Customer, made.id).owner_id = manager.user_id
        uow.commit()
    off = adm.deactivate_user(uow=uow, actor=admin, user_id=row.id,
                              expected_version=row.version)
    assert not off.active
    with pytest.raises(AuthenticationFailed):
        login(uow=uow, username="clerk1", password=TEST_PASSWORD)
    # A session that was already logged in is refused at its next action.
    with pytest.raises(PermissionDenied):
        search_customers(uow=uow, actor=clerk)
    on = adm.reactivate_user(uow=uow, actor=admin, user_id=row.id, expected_version=off.version)
    assert on.active and search_customers(uow=uow, actor=clerk).rows[0].restricted


def test_admin_cannot_deactivate_themselves(uow, admin):
    me = adm.get_user(uow=uow, actor=admin, user_id=admin.user_id)
    with pytest.raises(ServiceError):
        adm.deactivate_user(uow=uow, actor=admin, user_id=me.id, expected_version=me.version)
    assert adm.get_user(uow=uow, actor=admin, user_id=me.id).active


# --- departments -----------------------------------------------------------------------------


def test_departments_create_edit_deactivate(uow, admin, clerk):
    made = adm.create_department(uow=uow, actor=admin, code="dealer_tj", name_zh="天津经销商",
                                 name_en="Tianjin dealers", station="storefront")
    assert made.code == "dealer_tj" and made.user_count == 0
    with pytest.raises(ValidationError) as caught:
        adm.create_department(uow=uow, actor=admin, code="dealer_tj", name_zh="重复",
                              name_en="Dup")
    assert "code" in caught.value.errors
    edited = adm.update_department(uow=uow, actor=admin, department_id=made.id,
                                   expected_version=made.version, name_zh="天津经销商部",
                                   name_en="Tianjin dealer dept.", station=None)
    with pytest.raises(ConflictError):
        adm.update_department(uow=uow, actor=admin, department_id=made.id,
                              expected_version=made.version, name_zh="x", name_en="x",
                              station=None)
    off = adm.set_department_active(uow=uow, actor=admin, department_id=made.id,
                                    expected_version=edited.version, active=False)
    assert not off.active
    store = next(d for d in adm.list_departments(uow=uow, actor=admin)
                 if d.code == "storefront")
    assert store.user_count == 1
    with pytest.raises(ServiceError, match="active user"):
        adm.set_department_active(uow=uow, actor=admin, department_id=store.id,
                                  expected_version=store.version, active=False)
    with pytest.raises(PermissionDenied):
        adm.create_department(uow=uow, actor=clerk, code="x", name_zh="x", name_en="x")
    # A deactivated department takes no new members.
    with pytest.raises(ValidationError) as caught:
        adm.create_user(uow=uow, actor=admin, username="tj1", display_name="天津一号",
                        role_id=_role_id(uow, "sales"), department_id=made.id,
                        password="long-enough-1")
    assert "department" in caught.value.errors


# --- roles -----------------------------------------------------------------------------------


def test_create_role_as_a_copy_rename_and_delete(uow, admin, clerk):
    source = _matrix(uow, admin, "management_clerk")
    copy = adm.create_role(uow=uow, actor=admin, code="shift_lead", name_zh="值班主管",
                           name_en="Shift lead", copy_from_id=source.role.id)
    assert copy.operations == source.operations and dict(copy.scopes) == dict(source.scopes)
    assert not copy.role.is_system
    renamed = adm.rename_role(uow=uow, actor=admin, role_id=copy.role.id,
                              expected_version=copy.role.version, name_zh="值班经理",
                              name_en="Shift manager")
    assert renamed.name_zh == "值班经理"
    with pytest.raises(ValidationError):
        adm.create_role(uow=uow, actor=admin, code="shift_lead", name_zh="x", name_en="x")
    with pytest.raises(ServiceError, match="default role"):
        adm.delete_role(uow=uow, actor=admin, role_id=source.role.id,
                        expected_version=source.role.version)
    user = adm.create_user(uow=uow, actor=admin, username="lead1", display_name="值班一",
                           role_id=copy.role.id, password="long-enough-1")
    with pytest.raises(ServiceError, match="1 user"):
        adm.delete_role(uow=uow, actor=admin, role_id=copy.role.id,
                        expected_version=renamed.version)
    with uow:
        uow.session.get(User, user.id).role_id = _role_id(uow, "sales")
        uow.commit()
    with pytest.raises(PermissionDenied):
        adm.delete_role(uow=uow, actor=clerk, role_id=copy.role.id,
                        expected_version=renamed.version)
    adm.delete_role(uow=uow, actor=admin, role_id=copy.role.id,
                    expected_version=renamed.version)
    with uow:
        assert uow.session.get(Role, copy.role.id) is None
        assert uow.session.execute(select(func.count()).select_from(RolePermission).where(
            RolePermission.role_id == copy.role.id)).scalar_one() == 0
    assert [e.action.value for e in _audits(uow, "role")] == ["create", "update", "delete"]


def test_save_role_matrix_replaces_rows_bumps_the_version_and_applies_at_next_action(
        uow, admin, clerk):
    # The clerk's session has already read its role (and the role cache holds it).
    assert search_customers(uow=uow, actor=clerk).rows == ()
    before = _matrix(uow, admin, "counter_clerk")
    operations = {op for op in before.operations if op[0] is not Module.CUSTOMERS}
    operations.add((Module.STATISTICS, Operation.VIEW))
    saved = _save(uow, admin, before, operations=operations,
                  scopes={**before.scopes, Module.ORDERS: DataScope.ALL},
                  field_rules={(Module.PRODUCTS, "cost_price"): FieldAccess.READ_ONLY})
    assert saved.role.version == before.role.version + 1
    assert (Module.CUSTOMERS, Operation.VIEW) not in saved.operations
    assert saved.scopes[Module.ORDERS] is DataScope.ALL
    assert dict(saved.field_rules) == {(Module.PRODUCTS, "cost_price"): FieldAccess.READ_ONLY}
    with uow:
        rules = uow.session.execute(select(RoleFieldRule.field, RoleFieldRule.access).where(
            RoleFieldRule.role_id == saved.role.id)).all()
    assert rules == [("cost_price", FieldAccess.READ_ONLY)]
    with pytest.raises(PermissionDenied):
        search_customers(uow=uow, actor=clerk)
    assert hidden_fields(uow, clerk, Module.PRODUCTS) == frozenset()
    entry = _audits(uow, "role")[-1]
    assert "customers" in json.loads(entry.changes)
    # Loaded before the save: refused, nothing changed.
    with pytest.raises(ConflictError):
        _save(uow, admin, before)
    assert _matrix(uow, admin, "counter_clerk").operations == saved.operations


@pytest.mark.parametrize("bad", [
    {"operations": {("customers", "fly")}},
    {"operations": {("moon", "view")}},
    {"scopes": {Module.CUSTOMERS: "galaxy"}},
    {"field_rules": {(Module.PRODUCTS, "list_price"): FieldAccess.HIDDEN}},
    {"field_rules": {(Module.PRODUCTS, "cost_price"): "invisible"}},
])
def test_bad_matrix_is_refused_and_nothing_changes(uow, admin, bad):
    before = _matrix(uow, admin, "sales")
    with pytest.raises(ValidationError):
        _save(uow, admin, before, **bad)
    after = _matrix(uow, admin, "sales")
    assert after == before
    with uow:
        assert uow.session.execute(select(func.count()).select_from(RoleDataScope).where(
            RoleDataScope.role_id == before.role.id)).scalar_one() == len(before.scopes)


def test_only_administration_may_edit_roles(uow, admin, manager):
    matrix = _matrix(uow, admin, "sales")
    with pytest.raises(PermissionDenied):
        _save(uow, manager, matrix, operations=set())
    with pytest.raises(PermissionDenied):
        adm.get_role_matrix(uow=uow, actor=manager, role_id=matrix.role.id)
    assert _matrix(uow, admin, "sales").operations == matrix.operations


def test_view_as_shows_what_the_users_role_sees(uow, admin, clerk, sales_user):
    preview = adm.view_as(uow=uow, actor=admin, user_id=clerk.user_id)
    assert Module.CUSTOMERS in preview.visible_modules
    assert Module.ADMINISTRATION not in preview.visible_modules
    assert (Module.PRODUCTS, "cost_price") in preview.hidden_fields
    assert preview.scopes[Module.CUSTOMERS] is DataScope.DEPARTMENT
    assert (Module.CUSTOMERS, Operation.EXPORT) not in preview.operations
    sales = adm.view_as(uow=uow, actor=admin, user_id=sales_user.user_id)
    assert sales.scopes[Module.CUSTOMERS] is DataScope.OWN
    with pytest.raises(PermissionDenied):
        adm.view_as(uow=uow, actor=clerk, user_id=sales_user.user_id)


# --- the protected fields: the "done when" ----------------------------------------


@pytest.fixture
def toner(uow, manager) -> int:
    return create_product(uow=uow, actor=manager, draft=ProductDraft(
        sku="HP-CF226A", name="惠普硒鼓 CF226A", category=ProductCategory.CONSUMABLE,
        unit="支", cost_price=D("87.65"), list_price=D("199.00"))).id


def _export_text(uow, actor, path) -> str:
    from app.services.exports import export_orders

    export_orders(uow=uow, actor=actor, path=path)
    return path.read_text(encoding="utf-8-sig")


def test_hiding_cost_from_the_counter_clerk_in_the_editor_hides_it_everywhere(
        uow, admin, clerk, toner, tmp_path):
    """Start from a clerk role that sees costs, hide them, and look at every path."""
    matrix = _matrix(uow, admin, "counter_clerk")
    visible = _save(uow, admin, matrix, field_rules={},
                    operations=matrix.operations | {(Module.ORDERS, Operation.EXPORT)})
    customer = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(name="海淀零售客户"))
    order = create_order(uow=uow, actor=clerk, draft=OrderDraft(customer_id=customer.id, lines=(
        OrderLineDraft(product_id=toner, quantity=2),)))
    assert get_product(uow=uow, actor=clerk, product_id=toner).cost_price == D("87.65")
    assert order.total_cost == D("175.30")
    assert "175.30" in _export_text(uow, clerk, tmp_path / "before.csv")

    # The administrator ticks "hidden" for every cost field of the role.
    rules = {(f.module, f.name): FieldAccess.HIDDEN
             for module in (Module.PRODUCTS, Module.ORDERS, Module.SERVICE_TICKETS)
             for f in adm.PROTECTABLE_FIELDS[module]}
    _save(uow, admin, visible, field_rules=rules)

    # The same logged-in clerk, next action: no cost anywhere.
    assert get_product(uow=uow, actor=clerk, product_id=toner).cost_price is None
    assert all(p.cost_price is None for p in list_products(uow=uow, actor=clerk).rows)
    seen = get_order(uow=uow, actor=clerk, order_id=order.id)
    assert seen.total_cost is None and seen.gross_margin is None
    assert all(ln.unit_cost is None and ln.line_cost is None for ln in seen.lines)
    assert all(r.gross_margin is None for r in list_orders(uow=uow, actor=clerk).rows)
    slip = order_slip_data(uow=uow, actor=clerk, number=order.number)
    assert "87.65" not in repr(slip) and "175.30" not in repr(slip)
    exported = _export_text(uow, clerk, tmp_path / "after.csv")
    assert "398.00" in exported and "175.30" not in exported and "222.70" not in exported
    # The cost stays stored (the manager still sees it) and the clerk cannot set it.
    with pytest.raises(PermissionDenied):
        create_order(uow=uow, actor=clerk, draft=OrderDraft(customer_id=customer.id, lines=(
            OrderLineDraft(description="二手机", unit_price=D("500"), unit_cost=D("300")),)))


def test_customer_phone_hidden_shows_only_own_customers_phones(uow, admin, clerk, clerk2):
    mine = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(
        name="小王的客户", phone="13811112222"))
    theirs = create_customer(uow=uow, actor=clerk2, draft=CustomerDraft(
        name="小李的客户", phone="13833334444",
        contacts=(ContactDraft(name="刘经理", mobile="13955556666"),)))
    # Same department: the clerk sees the other clerk's customer in full by default.
    assert get_customer(uow=uow, actor=clerk, customer_id=theirs.id).phone == "13833334444"

    matrix = _matrix(uow, admin, "counter_clerk")
    _save(uow, admin, matrix, field_rules={**matrix.field_rules,
                                           (Module.CUSTOMERS, "phone"): FieldAccess.HIDDEN})

    card = get_customer(uow=uow, actor=clerk, customer_id=theirs.id)
    assert card.phone is None and card.contacts[0].mobile is None
    assert get_customer(uow=uow, actor=clerk, customer_id=mine.id).phone == "13811112222"
    rows = {r.id: r for r in search_customers(uow=uow, actor=clerk).rows}
    assert rows[theirs.id].phone is None and not rows[theirs.id].restricted
    assert rows[mine.id].phone == "13811112222"
    hits = find_duplicates(uow=uow, actor=clerk, name="小李的客户")
    assert hits and all(h.phone is None for h in hits)
    assert customer_overview(uow=uow, actor=clerk, customer_id=theirs.id).phone is None
    # Saving the card the clerk saw (phones blank) keeps the stored numbers.
    update_customer(uow=uow, actor=clerk, customer_id=theirs.id, expected_version=card.version,
                    draft=card.to_draft().__class__(**{**card.to_draft().__dict__,
                                                       "notes": "来电咨询硒鼓"}))
    full = get_customer(uow=uow, actor=clerk2, customer_id=theirs.id)
    assert full.phone == "13833334444" and full.contacts[0].mobile == "13955556666"
    assert full.notes == "来电咨询硒鼓"


def test_the_card_says_whether_its_phones_are_hidden_or_read_only(uow, admin, clerk, clerk2):
    mine = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(
        name="小王的客户", phone="13811112222"))
    theirs = create_customer(uow=uow, actor=clerk2, draft=CustomerDraft(
        name="小李的客户", phone="13833334444"))
    card = get_customer(uow=uow, actor=clerk, customer_id=theirs.id)
    assert (card.phones_visible, card.phones_editable) == (True, True)

    matrix = _matrix(uow, admin, "counter_clerk")
    matrix = _save(uow, admin, matrix, field_rules={
        **matrix.field_rules, (Module.CUSTOMERS, "phone"): FieldAccess.READ_ONLY})
    card = get_customer(uow=uow, actor=clerk, customer_id=theirs.id)
    assert (card.phone, card.phones_visible, card.phones_editable) == (
        "13833334444", True, False)
    own = get_customer(uow=uow, actor=clerk, customer_id=mine.id)
    assert (own.phones_visible, own.phones_editable) == (True, True)

    matrix = _matrix(uow, admin, "counter_clerk")
    _save(uow, admin, matrix, field_rules={
        **matrix.field_rules, (Module.CUSTOMERS, "phone"): FieldAccess.HIDDEN})
    card = get_customer(uow=uow, actor=clerk, customer_id=theirs.id)
    assert (card.phone, card.phones_visible, card.phones_editable) == (None, False, False)
    own = get_customer(uow=uow, actor=clerk, customer_id=mine.id)
    assert (own.phone, own.phones_visible, own.phones_editable) == ("13811112222", True, True)


def test_protectable_fields_cover_every_field_the_services_protect():
    import pathlib
    import re

    names = set()
    for path in pathlib.Path("app").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        names |= set(re.findall(r'"(\w+)" (?:not )?in (?:hidden_fields|read_only_fields)\(',
                                text))
        names |= set(re.findall(r'sees_field\([^)]*?"(\w+)"', text, flags=re.S))
    offered = {f.name for fields in adm.PROTECTABLE_FIELDS.values() for f in fields}
    assert names and names <= offered, names - offered
    assert {"cost_price", "unit_cost", "margin", "parts_cost", "phone"} <= offered

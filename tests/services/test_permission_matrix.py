"""Role × operation × data scope against the service layer, with expectations written out here."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import AuditEntry, Customer
from app.models.enums import Module, Operation
from app.services.customers import (
    CustomerDraft,
    create_customer,
    get_customer,
    search_customers,
    update_customer,
)
from app.services.errors import PermissionDenied
from app.services.permissions import DEFAULT_ROLES, can, hidden_fields

ROLE_DEPARTMENT = {
    "counter_clerk": "storefront",
    "sales": "key_accounts",
    "technician": "repair",
    "repair_lead": "repair",
    "management_clerk": "management",
    "general_manager": "manager_office",
    "administrator": "management",
}

# What each role may do with customers (view, create, edit) — the business rule of BRIEF.md.
CUSTOMER_OPS = {
    "counter_clerk": (True, True, True),
    "sales": (True, True, True),
    "technician": (True, False, False),
    "repair_lead": (True, True, True),
    "management_clerk": (True, True, True),
    "general_manager": (True, True, True),
    "administrator": (True, False, False),
}

# Whether each role sees a customer owned by (a) a storefront clerk, (b) a salesperson.
SEES_IN_FULL = {
    "counter_clerk": (True, False),  # own department only
    "sales": (False, False),  # own customers only
    "technician": (True, True),  # all, to find the customer of a device
    "repair_lead": (True, True),
    "management_clerk": (True, True),
    "general_manager": (True, True),
    "administrator": (True, True),
}


def test_every_default_role_is_covered_here():
    assert {t.code for t in DEFAULT_ROLES} == set(CUSTOMER_OPS) == set(SEES_IN_FULL)


@pytest.mark.parametrize("role", sorted(CUSTOMER_OPS))
def test_customer_operations_per_role(uow, make_user, role):
    owner = make_user("owner", "management_clerk", "management")
    actor = make_user("actor", role, ROLE_DEPARTMENT[role])
    may_view, may_create, may_edit = CUSTOMER_OPS[role]
    existing = create_customer(uow=uow, actor=owner, draft=CustomerDraft(name="北京鑫锐科技"))

    if may_create:
        made = create_customer(uow=uow, actor=actor, draft=CustomerDraft(name="上海华联"))
        assert made.owner_id == actor.user_id
    else:
        with pytest.raises(PermissionDenied):
            create_customer(uow=uow, actor=actor, draft=CustomerDraft(name="上海华联"))
    with uow:
        names = set(uow.session.scalars(select(Customer.name)))
    assert ("上海华联" in names) is may_create

    assert bool(search_customers(uow=uow, actor=actor, text="bjxr").rows) is may_view

    draft = CustomerDraft(name="北京鑫锐科技", phone="010-12345678", owner_id=owner.user_id)
    if may_edit and SEES_IN_FULL[role] == (True, True):
        update_customer(uow=uow, actor=actor, customer_id=existing.id,
                        expected_version=existing.version, draft=draft)
        assert get_customer(uow=uow, actor=owner, customer_id=existing.id).phone
    else:
        with pytest.raises(PermissionDenied):
            update_customer(uow=uow, actor=actor, customer_id=existing.id,
                            expected_version=existing.version, draft=draft)
        assert get_customer(uow=uow, actor=owner, customer_id=existing.id).phone is None


@pytest.mark.parametrize("role", sorted(SEES_IN_FULL))
def test_data_scope_per_role(uow, make_user, role):
    clerk_owner = make_user("clerk_owner", "counter_clerk", "storefront")
    sales_owner = make_user("sales_owner", "sales", "key_accounts")
    actor = make_user("actor", role, ROLE_DEPARTMENT[role])
    store = create_customer(uow=uow, actor=clerk_owner,
                            draft=CustomerDraft(name="门市客户", phone="13811112222"))
    key = create_customer(uow=uow, actor=sales_owner,
                          draft=CustomerDraft(name="大客户", phone="13833334444"))
    rows = {r.id: r for r in search_customers(uow=uow, actor=actor).rows}
    for customer, sees in zip((store, key), SEES_IN_FULL[role], strict=True):
        # Everyone finds every customer (no duplicates), but only in scope in full.
        assert rows[customer.id].restricted is (not sees)
        assert (rows[customer.id].phone is not None) is sees
        if sees:
            assert get_customer(uow=uow, actor=actor, customer_id=customer.id).id == customer.id
        else:
            with pytest.raises(PermissionDenied):
                get_customer(uow=uow, actor=actor, customer_id=customer.id)


def test_refusals_write_no_audit(uow, technician):
    with pytest.raises(PermissionDenied):
        create_customer(uow=uow, actor=technician, draft=CustomerDraft(name="某公司"))
    with uow:
        assert uow.session.execute(select(func.count()).select_from(AuditEntry)
                                   ).scalar_one() == 0


def test_cost_price_is_hidden_from_counter_clerk_and_technician_not_from_manager(
        uow, clerk, technician, manager):
    assert "cost_price" in hidden_fields(uow, clerk, Module.PRODUCTS)
    assert "cost_price" in hidden_fields(uow, technician, Module.PRODUCTS)
    assert hidden_fields(uow, manager, Module.PRODUCTS) == frozenset()


def test_only_management_and_manager_may_export_customers(uow, make_user):
    allowed = set()
    for role, dep in ROLE_DEPARTMENT.items():
        actor = make_user(f"u_{role}", role, dep)
        if can(uow, actor, Module.CUSTOMERS, Operation.EXPORT):
            allowed.add(role)
    assert allowed == {"management_clerk", "general_manager"}


def test_role_change_applies_at_next_action(uow, sales_user):
    from app.models import Role, RolePermission, User, utcnow

    assert search_customers(uow=uow, actor=sales_user).rows == ()
    with uow:
        role_id = uow.session.get(User, sales_user.user_id).role_id
        for perm in uow.session.scalars(select(RolePermission).where(
                RolePermission.role_id == role_id, RolePermission.module == Module.CUSTOMERS)):
            uow.session.delete(perm)
        # What the role editor does on every change: the role's version moves.
        uow.session.get(Role, role_id).updated_at = utcnow()
        uow.commit()
    with pytest.raises(PermissionDenied):
        search_customers(uow=uow, actor=sales_user)

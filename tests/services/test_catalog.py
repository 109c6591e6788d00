"""Product catalog: create, edit, list, search; cost prices hidden from roles denied them."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select, text

from app.models import AuditEntry, Product, Role, RolePermission
from app.models.enums import Module, Operation, ProductCategory
from app.services.catalog import (
    ProductDraft,
    create_product,
    get_product,
    list_products,
    update_product,
)
from app.services.errors import ConflictError, PermissionDenied, ValidationError
from tests import people

TONER = ProductDraft(sku="hp-cf226a", name="惠普硒鼓 CF226A", category=ProductCategory.CONSUMABLE,
                     brand="HP", model="CF226A", unit="支", cost_price=Decimal("320.00"),
                     list_price=Decimal("458.00"), sales_points=Decimal("0.50"))
PRINTER = ProductDraft(sku="HP-M404DN", name="惠普激光打印机", category=ProductCategory.PRINTER,
                       brand="HP", model="LaserJet Pro M404dn", cost_price=Decimal("1850.00"),
                       list_price=Decimal("2399.00"), sales_points=Decimal("5"))


def _count(uow, model) -> int:
    with uow:
        return uow.session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def clerk_may_edit_products(uow, clerk):
    """The counter clerk's role, allowed to create and edit products but still blind to cost."""
    with uow:
        role = uow.session.execute(select(Role).where(Role.code == "counter_clerk")).scalar_one()
        role.permissions.append(RolePermission(module=Module.PRODUCTS, operation=Operation.CREATE))
        role.permissions.append(RolePermission(module=Module.PRODUCTS, operation=Operation.EDIT))
        role.name_en = role.name_en + " "  # moves the role's version: cached grants reload
        uow.commit()
        role_id = role.id
    _apply_role(uow, role_id)  # on a secured server: the role's grants follow its matrix
    yield clerk
    with uow:
        uow.session.execute(delete(RolePermission).where(
            RolePermission.role_id == role_id, RolePermission.module == Module.PRODUCTS,
            RolePermission.operation.in_([Operation.CREATE, Operation.EDIT])))
        uow.commit()
    _apply_role(uow, role_id)


def _apply_role(uow, role_id):
    if people.enabled():
        with uow.engine.begin() as conn:
            conn.execute(text("SELECT crmsec.apply_role(:id)"), {"id": role_id})


def test_create_product_keeps_upper_case_sku_pinyin_initials_and_audit(uow, manager):
    made = create_product(uow=uow, actor=manager, draft=TONER)
    assert made.sku == "HP-CF226A"
    assert made.pinyin_initials.startswith("hpxg")
    assert (made.cost_price, made.list_price, made.sales_points) == (
        Decimal("320.00"), Decimal("458.00"), Decimal("0.50"))
    assert made.unit == "支" and made.active
    with uow:
        entry = uow.session.execute(select(AuditEntry).where(
            AuditEntry.entity == "product", AuditEntry.entity_id == made.id)).scalar_one()
        assert json.loads(entry.changes)["after"]["sku"] == "HP-CF226A"


def test_sku_is_unique_whatever_its_case(uow, manager):
    create_product(uow=uow, actor=manager, draft=TONER)
    with pytest.raises(ValidationError) as err:
        create_product(uow=uow, actor=manager, draft=replace(TONER, sku="HP-cf226A "))
    assert set(err.value.errors) == {"sku"}
    assert _count(uow, Product) == 1


def test_bad_input_names_each_field_and_writes_nothing(uow, manager):
    with pytest.raises(ValidationError) as err:
        create_product(uow=uow, actor=manager, draft=ProductDraft(
            sku="硒鼓 1", name=" ", category="ink", unit="", cost_price=Decimal("-1"),
            list_price="NaN", sales_points=0.5))  # type: ignore[arg-type]
    assert set(err.value.errors) == {"sku", "name", "category", "unit", "cost_price",
                                     "list_price", "sales_points"}
    assert _count(uow, Product) == 0
    assert _count(uow, AuditEntry) == 0


def test_counter_clerk_never_sees_the_cost_a_manager_does(uow, manager, clerk):
    made = create_product(uow=uow, actor=manager, draft=TONER)
    assert get_product(uow=uow, actor=clerk, product_id=made.id).cost_price is None
    [row] = list_products(uow=uow, actor=clerk).rows
    assert row.cost_price is None and row.list_price == Decimal("458.00")
    assert get_product(uow=uow, actor=manager, product_id=made.id).cost_price == Decimal("320.00")
    assert list_products(uow=uow, actor=manager).rows[0].cost_price == Decimal("320.00")


def test_a_role_blind_to_cost_cannot_set_it(uow, manager, clerk_may_edit_products):
    clerk = clerk_may_edit_products
    with pytest.raises(PermissionDenied):
        create_product(uow=uow, actor=clerk, draft=TONER)
    assert _count(uow, Product) == 0
    # Without a cost the clerk may add the product; its cost starts at zero.
    mine = create_product(uow=uow, actor=clerk, draft=replace(TONER, cost_price=None))
    assert mine.cost_price is None
    made = create_product(uow=uow, actor=manager, draft=PRINTER)
    seen = get_product(uow=uow, actor=clerk, product_id=made.id)
    with pytest.raises(PermissionDenied):
        update_product(uow=uow, actor=clerk, product_id=made.id, expected_version=seen.version,
                       draft=replace(seen.to_draft(), cost_price=Decimal("1850.00")))
    # Saving the form as the clerk sees it (no cost) changes the price, never the cost.
    saved = update_product(uow=uow, actor=clerk, product_id=made.id,
                           expected_version=seen.version,
                           draft=replace(seen.to_draft(), list_price=Decimal("2299.00")))
    assert saved.cost_price is None and saved.list_price == Decimal("2299.00")
    full = get_product(uow=uow, actor=manager, product_id=made.id)
    assert (full.cost_price, full.list_price) == (Decimal("1850.00"), Decimal("2299.00"))
    assert get_product(uow=uow, actor=manager, product_id=mine.id).cost_price == Decimal("0.00")


def test_technician_and_salesperson_cannot_create_products(uow, technician, sales_user):
    for actor in (technician, sales_user):
        with pytest.raises(PermissionDenied):
            create_product(uow=uow, actor=actor, draft=replace(TONER, cost_price=None))
    assert _count(uow, Product) == 0


def test_concurrent_edits_raise_conflict_naming_who(uow, manager, make_user):
    other = make_user("mgmt", "management_clerk", "management", display_name="管理部小赵")
    made = create_product(uow=uow, actor=manager, draft=TONER)
    first = update_product(uow=uow, actor=other, product_id=made.id,
                           expected_version=made.version,
                           draft=replace(made.to_draft(), list_price=Decimal("468.00")))
    assert first.version == made.version + 1 and first.updated_by_name == "管理部小赵"
    with pytest.raises(ConflictError) as err:
        update_product(uow=uow, actor=manager, product_id=made.id,
                       expected_version=made.version,
                       draft=replace(made.to_draft(), list_price=Decimal("448.00")))
    assert err.value.changed_by == "管理部小赵" and "管理部小赵" in str(err.value)
    assert get_product(uow=uow, actor=manager, product_id=made.id).list_price == Decimal(
        "468.00")


def test_search_by_sku_pinyin_initials_name_and_model(uow, manager, clerk):
    create_product(uow=uow, actor=manager, draft=TONER)
    create_product(uow=uow, actor=manager, draft=PRINTER)
    create_product(uow=uow, actor=manager, draft=ProductDraft(
        sku="LEN-M720", name="联想台式电脑", category=ProductCategory.PC, model="ThinkCentre M720"))

    def skus(text: str) -> list[str]:
        return [r.sku for r in list_products(uow=uow, actor=clerk, text=text).rows]

    # SKU prefix, any case; by name in pinyin order (惠普激光 before 惠普硒鼓).
    assert skus("hp-") == ["HP-M404DN", "HP-CF226A"]
    assert skus("lxtsdn") == ["LEN-M720"]  # pinyin initials of 联想台式电脑
    assert skus("硒鼓") == ["HP-CF226A"]
    assert skus("laserjet") == ["HP-M404DN"]  # any part of the model, any case
    assert skus("thinkcentre m7") == ["LEN-M720"]
    assert skus("") == ["HP-M404DN", "HP-CF226A", "LEN-M720"]


def test_list_pages_with_keyset_and_hides_inactive(uow, manager):
    for i in range(7):
        create_product(uow=uow, actor=manager, draft=replace(TONER, sku=f"T-{i:02d}"))
    made = create_product(uow=uow, actor=manager, draft=replace(TONER, sku="T-99", active=False))
    seen, after = [], None
    while True:
        page = list_products(uow=uow, actor=manager, after=after, limit=3)
        seen += [r.sku for r in page.rows]
        if page.next_after is None:
            break
        after = page.next_after
    assert seen == [f"T-{i:02d}" for i in range(7)]
    every = list_products(uow=uow, actor=manager, include_inactive=True).rows
    assert [r.id for r in every if not r.active] == [made.id]
    assert list_products(uow=uow, actor=manager, category=ProductCategory.PRINTER).rows == ()

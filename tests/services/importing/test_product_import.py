"""Importing products: exact amounts from number and text cells, a stored SKU filled,
overwritten or skipped, bad rows reported per field, permission, the cost column, a
product changed or a SKU taken after the dry run, and undo."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, select

from app.models import ImportBatch, ImportItem, Product, Role
from app.models.catalog import SearchKey
from app.models.enums import FieldAccess, Module, ProductCategory
from app.services import administration as adm
from app.services.catalog import ProductDraft, create_product, get_product, update_product
from app.services.customers import CustomerDraft, create_customer
from app.services.errors import PermissionDenied, ValidationError
from app.services.importing.customers import undo_import
from app.services.importing.products import (
    plan_product_import,
    run_product_import,
    write_product_error_report,
)
from app.services.permissions import Actor
from app.services.sales import OrderDraft, OrderLineDraft, create_order
from app.services.search_keys import product_keys
from app.services.uow import UnitOfWork
from tests.services.importing.test_customer_import import _tables

HEADER = ("产品编码", "产品名称", "类别", "品牌", "型号", "单位", "成本价", "售价", "积分",
          "状态", "备注")
CSV_HEADER = "产品编码,产品名称,类别,品牌,型号,售价,备注"


def _xlsx(tmp_path: Path, *rows: Sequence[object], header: Sequence[str] = HEADER) -> Path:
    path = tmp_path / "products.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "产品"
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))  # a str starting with "=" is written as a formula
    book.save(path)
    return path


def _csv(tmp_path: Path, *lines: str, header: str = CSV_HEADER) -> Path:
    path = tmp_path / "products.csv"
    path.write_bytes(("\n".join((header, *lines)) + "\n").encode("gbk"))
    return path


_COLUMNS = (Product.sku, Product.name, Product.category, Product.brand, Product.model,
            Product.unit, Product.cost_price, Product.list_price, Product.sales_points,
            Product.active, Product.notes)


def _products(uow: UnitOfWork) -> dict[str, tuple[Any, ...]]:
    with uow:
        return {r[0]: tuple(r[1:]) for r in uow.session.execute(
            select(*_COLUMNS).order_by(Product.id))}


def _keys(uow: UnitOfWork, sku: str) -> set[str]:
    with uow:
        return set(uow.session.execute(
            select(SearchKey.term).join(Product, Product.id == SearchKey.owner_id)
            .where(SearchKey.owner_kind == "p", Product.sku == sku)).scalars())


def _stored(uow: UnitOfWork, manager: Actor, sku: str, name: str, **values: Any) -> int:
    draft = ProductDraft(sku=sku, name=name, category=values.pop("category",
                                                               ProductCategory.CONSUMABLE),
                         **values)
    return create_product(uow=uow, actor=manager, draft=draft).id


def test_products_are_created_with_exact_values_bad_rows_said_and_undo_takes_them_back(
    tmp_path: Path, uow: UnitOfWork, engine: Engine, manager: Actor,
) -> None:
    _ = None
    path = _xlsx(
        tmp_path,
        # 2: lower-case SKU, float cost, price as text with ¥ and thousands, 在售.
        ("hp-cf226a", "惠普 CF226A 硒鼓", "耗材", "HP", "CF226A", "支", 312.5, "¥1,234.50",
         "1.5", "在售", "原装"),
        # 3: a number-cell SKU, the category's code, full-width digits, 元, 停售.
        (20041, "得力复印纸 A4", "consumable", "得力", _, "箱", "１２３", "128元", 0, "停售", _),
        # 4: the unit left out (台), whole numbers, 电脑.
        ("PC-001", "联想启天 M430", "电脑", "Lenovo", "M430", _, 3000, 3999.99, _, _, _),
        ("HP-CF226A", "惠普硒鼓（重复）", "耗材", _, _, _, _, 10, _, _, _),          # 5
        ("BAD-1", "负价格", "耗材", _, _, _, _, "-5", _, _, _),                        # 6
        ("BAD-2", "三位小数", "耗材", _, _, _, _, 12.345, _, _, _),                    # 7
        ("BAD-3", "面议", "耗材", _, _, _, _, "面议", _, _, _),                        # 8
        ("BAD-4", "办公桌", "家具", _, _, _, _, _, _, _, _),                           # 9
        ("BAD-5", "公式", "耗材", _, _, _, "=H2*0.8", _, _, _, _),                     # 10
        (_, "没有编码", "耗材", _, _, _, _, _, _, _, _),                               # 11
        ("坏 编码", "中文编码", "配件", _, _, _, _, _, _, "也许", _),                  # 12
    )
    before = _tables(engine)
    plan = plan_product_import(uow=uow, actor=manager, path=path)
    assert _tables(engine) == before
    said = plan.outcome_of_row()
    assert [said[r] for r in (2, 3, 4)] == ["will create"] * 3
    assert said[5] == "error: SKU: the same SKU as row 2"
    assert said[6] == "error: List price: must not be negative"
    assert said[7] == "error: List price: has too many decimal places"
    assert said[8] == "error: List price: is not a number: 面议"
    assert said[9] == ("error: Category: 家具 is not one of: Printer、Consumable、Computer、"
                       "Part、Service")
    assert said[10].startswith("error: Cost price: holds a formula (=H2*0.8)")
    assert said[11] == "error: SKU: is required"
    assert said[12] == ("error: In the catalog (active): 也许 is neither yes nor no (write 是 "
                        "or 否); SKU: may hold only Latin letters, digits and - _ . / + #")
    assert plan.counts() == {"create": 3, "update": 0, "skip": 0, "error": 8}

    result = run_product_import(uow=uow, actor=manager, plan=plan)
    assert (result.created, result.updated, result.skipped) == (3, 0, 0)
    assert sorted({i.row for i in result.refused}) == list(range(5, 13))
    assert _products(uow) == {
        "HP-CF226A": ("惠普 CF226A 硒鼓", ProductCategory.CONSUMABLE, "HP", "CF226A", "支",
                      D("312.50"), D("1234.50"), D("1.50"), True, "原装"),
        "20041": ("得力复印纸 A4", ProductCategory.CONSUMABLE, "得力", None, "箱",
                  D("123.00"), D("128.00"), D("0.00"), False, None),
        "PC-001": ("联想启天 M430", ProductCategory.PC, "Lenovo", "M430", "台",
                   D("3000.00"), D("3999.99"), D("0.00"), True, None),
    }
    # Found by pinyin like a product made on the form.
    assert _keys(uow, "HP-CF226A") == set(product_keys("惠普 CF226A 硒鼓"))
    assert _keys(uow, "20041") == set(product_keys("得力复印纸 A4"))
    with uow:
        batch = uow.session.get(ImportBatch, result.batch_id)
        assert batch is not None
        assert (batch.kind, batch.status, batch.created, batch.refused) == (
            "products", "done", 3, 8)
        items = uow.session.execute(select(ImportItem.entity, ImportItem.action,
                                           ImportItem.row_number)
                                    .order_by(ImportItem.row_number)).all()
    assert [tuple(i) for i in items] == [("product", "created", r) for r in (2, 3, 4)]

    out = tmp_path / "errors.xlsx"
    assert write_product_error_report(plan, out) == 8

    undone = undo_import(uow=uow, actor=manager, batch_id=result.batch_id)
    assert (undone.undone, undone.kept) == (3, ())
    assert _tables(engine) == before


def test_a_stored_sku_is_filled_by_default_then_skipped_or_overwritten_as_chosen(
    tmp_path: Path, uow: UnitOfWork, engine: Engine, manager: Actor,
) -> None:
    _stored(uow, manager, "TN-2325", "兄弟 TN-2325 粉盒", list_price=D("199.00"))
    _stored(uow, manager, "DR-2350", "兄弟 DR-2350 硒鼓", brand="兄弟", notes="老备注")
    path = _csv(tmp_path,
                "tn-2325,兄弟粉盒 TN2325,耗材,Brother,TN-2325,259,新备注",
                "DR-2350,兄弟硒鼓,打印机,Brother,DR-2350,399.00,",
                "LQ-630K,爱普生 LQ-630K 针式打印机,打印机,Epson,LQ-630K,\"1,850\",")
    before = _tables(engine)
    plan = plan_product_import(uow=uow, actor=manager, path=path)
    said = plan.outcome_of_row()
    assert said[2].startswith("will fill the empty fields of TN-2325 兄弟 TN-2325 粉盒")
    assert said[3] == "will fill the empty fields of DR-2350 兄弟 DR-2350 硒鼓"
    result = run_product_import(uow=uow, actor=manager, plan=plan)
    assert (result.created, result.updated, result.refused) == (1, 2, ())
    # Filled: the empty brand, model and notes, and a list price of 0.00; the name, the
    # category and a price already set are kept.
    assert _products(uow) == {
        "TN-2325": ("兄弟 TN-2325 粉盒", ProductCategory.CONSUMABLE, "Brother", "TN-2325",
                    "台", D("0.00"), D("199.00"), D("0.00"), True, "新备注"),
        "DR-2350": ("兄弟 DR-2350 硒鼓", ProductCategory.CONSUMABLE, "兄弟", "DR-2350", "台",
                    D("0.00"), D("399.00"), D("0.00"), True, "老备注"),
        "LQ-630K": ("爱普生 LQ-630K 针式打印机", ProductCategory.PRINTER, "Epson", "LQ-630K",
                    "台", D("0.00"), D("1850.00"), D("0.00"), True, None),
    }
    undone = undo_import(uow=uow, actor=manager, batch_id=result.batch_id)
    assert (undone.undone, undone.kept) == (3, ())
    assert _tables(engine) == before

    skipped = plan_product_import(uow=uow, actor=manager, path=path, on_match="skip")
    assert skipped.outcome_of_row()[3] == ("DR-2350 兄弟 DR-2350 硒鼓 is in the catalog "
                                          "already: skipped")
    result = run_product_import(uow=uow, actor=manager, plan=skipped)
    assert (result.created, result.updated, result.skipped) == (1, 0, 2)
    assert _products(uow)["TN-2325"] == ("兄弟 TN-2325 粉盒", ProductCategory.CONSUMABLE, None,
                                         None, "台", D("0.00"), D("199.00"), D("0.00"),
                                         True, None)
    undo_import(uow=uow, actor=manager, batch_id=result.batch_id)
    assert _tables(engine) == before

    overwrite = plan_product_import(uow=uow, actor=manager, path=path, on_match="overwrite")
    assert overwrite.outcome_of_row()[3] == "will overwrite DR-2350 兄弟 DR-2350 硒鼓"
    result = run_product_import(uow=uow, actor=manager, plan=overwrite)
    assert (result.created, result.updated) == (1, 2)
    stored = _products(uow)
    assert stored["TN-2325"] == ("兄弟粉盒 TN2325", ProductCategory.CONSUMABLE, "Brother",
                                 "TN-2325", "台", D("0.00"), D("259.00"), D("0.00"), True,
                                 "新备注")
    # An empty cell clears nothing, even when overwriting.
    assert stored["DR-2350"] == ("兄弟硒鼓", ProductCategory.PRINTER, "Brother", "DR-2350",
                                 "台", D("0.00"), D("399.00"), D("0.00"), True, "老备注")
    assert _keys(uow, "DR-2350") == set(product_keys("兄弟硒鼓"))
    with uow:
        before_json = uow.session.execute(select(ImportItem.before).where(
            ImportItem.action == "updated", ImportItem.row_number == 3,
            ImportItem.batch_id == result.batch_id)).scalar_one()
    assert before_json is not None
    replaced = json.loads(before_json)
    assert {k: v for k, v in replaced.items() if k not in ("pinyin_initials", "sort_key")} == {
        "name": "兄弟 DR-2350 硒鼓", "category": "consumable", "brand": "兄弟", "model": None,
        "list_price": "0.00"}
    assert set(replaced) > {"pinyin_initials", "sort_key"}
    undone = undo_import(uow=uow, actor=manager, batch_id=result.batch_id)
    assert (undone.undone, undone.kept) == (3, ())
    after = _tables(engine)
    assert after["products"] == before["products"]


def test_undo_of_a_renamed_product_gives_back_its_search_keys(
    tmp_path: Path, uow: UnitOfWork, engine: Engine, manager: Actor,
) -> None:
    _stored(uow, manager, "DR-2350", "兄弟 DR-2350 硒鼓")
    before = _tables(engine)
    path = _csv(tmp_path, "DR-2350,爱普生色带,耗材,,,,")
    plan = plan_product_import(uow=uow, actor=manager, path=path, on_match="overwrite")
    result = run_product_import(uow=uow, actor=manager, plan=plan)
    assert result.updated == 1
    undo_import(uow=uow, actor=manager, batch_id=result.batch_id)
    after = _tables(engine)
    assert after["products"] == before["products"]
    # By their keys, not their ids: a fix may write the old keys as new rows.
    assert sorted(k[1:] for k in after["search_keys"]) == \
        sorted(k[1:] for k in before["search_keys"])


def test_create_on_match_is_refused_and_a_missing_required_column_writes_nothing(
    tmp_path: Path, uow: UnitOfWork, engine: Engine, manager: Actor,
) -> None:
    path = _csv(tmp_path, "TN-2325,兄弟粉盒,耗材,,,,")
    with pytest.raises(ValidationError) as raised:
        plan_product_import(uow=uow, actor=manager, path=path, on_match="create")
    assert "not create a second one" in raised.value.errors["on_match"]
    before = _tables(engine)
    no_category = _csv(tmp_path, "TN-2325,兄弟粉盒,Brother", header="产品编码,品名,品牌")
    with pytest.raises(ValidationError) as raised:
        plan_product_import(uow=uow, actor=manager, path=no_category)
    assert raised.value.errors == {"category": "no column is mapped to the Category"}
    with pytest.raises(ValidationError) as raised:
        plan_product_import(uow=uow, actor=manager, path=no_category,
                            mapping={0: "sku", 2: "brand"})
    assert set(raised.value.errors) == {"name", "category"}
    assert _tables(engine) == before


def _hide_cost(uow: UnitOfWork, admin: Actor, role_code: str, access: FieldAccess) -> None:
    with uow:
        role_id = uow.session.execute(select(Role.id).where(Role.code == role_code)
                                      ).scalar_one()
    matrix = adm.get_role_matrix(uow=uow, actor=admin, role_id=role_id)
    adm.save_role_matrix(uow=uow, actor=admin, role_id=role_id,
                         expected_version=matrix.role.version, operations=matrix.operations,
                         scopes=matrix.scopes,
                         field_rules={(Module.PRODUCTS, "cost_price"): access})


@pytest.mark.parametrize("access", [FieldAccess.READ_ONLY, FieldAccess.HIDDEN])
def test_who_may_import_products_and_set_their_cost(
    tmp_path: Path, uow: UnitOfWork, engine: Engine, manager: Actor, sales_user: Actor,
    admin: Actor, make_user: Callable[..., Actor], access: FieldAccess,
) -> None:
    clerk = make_user("mclerk", "management_clerk", "management", display_name="管理部小刘")
    _hide_cost(uow, admin, "management_clerk", access)
    _ = None
    with_cost = _xlsx(tmp_path, ("TN-2325", "兄弟粉盒", "耗材", _, _, _, 80, 199, _, _, _))
    before = _tables(engine)
    with pytest.raises(PermissionDenied) as raised:
        plan_product_import(uow=uow, actor=sales_user, path=with_cost)
    assert "see every customer" in str(raised.value)
    with pytest.raises(PermissionDenied) as raised:
        plan_product_import(uow=uow, actor=clerk, path=with_cost)
    assert str(raised.value) == ("You may not set the cost price, and column G of the sheet "
                                 "is mapped to it: leave that column out of the import, or "
                                 "ask management.")
    # A plan made by someone allowed is not run by someone who is not.
    plan = plan_product_import(uow=uow, actor=manager, path=with_cost)
    with pytest.raises(PermissionDenied):
        run_product_import(uow=uow, actor=clerk, plan=plan)
    assert _tables(engine) == before
    # Management sets the cost.
    assert run_product_import(uow=uow, actor=manager, plan=plan).created == 1
    assert _products(uow)["TN-2325"][5:7] == (D("80.00"), D("199.00"))
    # Without the cost column the clerk may import; the cost is then 0.00.
    other = tmp_path / "other"
    other.mkdir()
    no_cost = plan_product_import(
        uow=uow, actor=clerk, path=_xlsx(other, ("DR-2350", "兄弟硒鼓", "耗材", _, _, _, 80,
                                                 399, _, _, _)),
        mapping={0: "sku", 1: "name", 2: "category", 7: "list_price"})
    assert run_product_import(uow=uow, actor=clerk, plan=no_cost).created == 1
    assert _products(uow)["DR-2350"][5:7] == (D("0.00"), D("399.00"))


def test_undo_keeps_a_product_an_order_uses(
    tmp_path: Path, uow: UnitOfWork, manager: Actor, sales_user: Actor,
) -> None:
    path = _csv(tmp_path, "TN-2325,兄弟 TN-2325 粉盒,耗材,Brother,,199,",
                "DR-2350,兄弟 DR-2350 硒鼓,耗材,Brother,,399,")
    result = run_product_import(uow=uow, actor=manager,
                                plan=plan_product_import(uow=uow, actor=manager, path=path))
    assert result.created == 2
    with uow:
        ids = dict(uow.session.execute(select(Product.sku, Product.id)).all())
    customer = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京鑫锐科技有限公司"))
    create_order(uow=uow, actor=sales_user, draft=OrderDraft(
        customer_id=customer.id, lines=(OrderLineDraft(product_id=ids["TN-2325"]),)))
    undone = undo_import(uow=uow, actor=manager, batch_id=result.batch_id)
    assert undone.undone == 1
    assert [(k.label, k.reason) for k in undone.kept] == [
        ("TN-2325 兄弟 TN-2325 粉盒", "used since the import (an order)")]
    assert list(_products(uow)) == ["TN-2325"]
    assert _keys(uow, "TN-2325")
    with uow:
        assert uow.session.execute(select(SearchKey.id).where(
            SearchKey.owner_kind == "p", SearchKey.owner_id == ids["DR-2350"])).first() is None
        batch = uow.session.get(ImportBatch, result.batch_id)
        assert batch is not None and batch.status == "partly_undone"


def test_a_product_changed_after_the_dry_run_is_refused_not_overwritten(
    tmp_path: Path, uow: UnitOfWork, manager: Actor,
) -> None:
    pid = _stored(uow, manager, "TN-2325", "兄弟 TN-2325 粉盒")
    path = _csv(tmp_path, "TN-2325,兄弟粉盒,耗材,Brother,,259,")
    plan = plan_product_import(uow=uow, actor=manager, path=path, on_match="overwrite")
    view = get_product(uow=uow, actor=manager, product_id=pid)
    update_product(uow=uow, actor=manager, product_id=pid, expected_version=view.version,
                   draft=ProductDraft(sku="TN-2325", name=view.name, category=view.category,
                                      list_price=D("219.00")))
    result = run_product_import(uow=uow, actor=manager, plan=plan)
    assert result.updated == 0
    assert [(i.row, i.message) for i in result.refused] == [
        (2, "TN-2325 兄弟 TN-2325 粉盒 was changed after the dry run: run the dry run "
            "again.")]
    assert _products(uow)["TN-2325"][2] is None
    assert _products(uow)["TN-2325"][6] == D("219.00")


def test_a_sku_another_station_added_after_the_dry_run_refuses_that_row_alone(
    tmp_path: Path, uow: UnitOfWork, manager: Actor,
) -> None:
    path = _csv(tmp_path, "TN-2325,兄弟粉盒,耗材,Brother,,259,",
                "DR-2350,兄弟硒鼓,耗材,Brother,,399,",
                "LQ-630K,爱普生针打,打印机,Epson,,1850,")
    plan = plan_product_import(uow=uow, actor=manager, path=path)
    assert plan.counts()["create"] == 3
    _stored(uow, manager, "DR-2350", "别人录入的硒鼓")
    result = run_product_import(uow=uow, actor=manager, plan=plan)
    assert result.created == 2
    assert [(i.row, i.field, i.message) for i in result.refused] == [
        (3, "sku", "DR-2350 was added to the catalog after the dry run: run the dry run "
                   "again.")]
    assert {sku: v[0] for sku, v in _products(uow).items()} == {
        "DR-2350": "别人录入的硒鼓", "TN-2325": "兄弟粉盒", "LQ-630K": "爱普生针打"}
    with uow:
        items = uow.session.execute(select(ImportItem.row_number).order_by(
            ImportItem.row_number)).scalars().all()
    assert items == [2, 4]
    assert _keys(uow, "LQ-630K")


def test_chunks_report_progress_and_a_cancelled_import_keeps_what_it_wrote(
    tmp_path: Path, uow: UnitOfWork, manager: Actor,
) -> None:
    path = _csv(tmp_path, *(f"SKU-{n},产品{n},配件,,,10," for n in range(5)))
    plan = plan_product_import(uow=uow, actor=manager, path=path)
    seen: list[tuple[int, int]] = []
    result = run_product_import(uow=uow, actor=manager, plan=plan, chunk=2,
                                progress=lambda done, total: seen.append((done, total)),
                                cancelled=lambda: len(seen) >= 2)
    assert seen == [(2, 5), (4, 5)]
    assert (result.created, result.cancelled) == (4, True)
    with uow:
        batch = uow.session.get(ImportBatch, result.batch_id)
        assert batch is not None and batch.status == "cancelled"
    assert len(_products(uow)) == 4

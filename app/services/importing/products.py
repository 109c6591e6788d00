"""Importing products (产品) from a sheet into the catalog: each row one product, known by
its SKU (产品编码).

The same steps as the customer and device imports (:mod:`app.services.importing.customers`):
a dry run that checks every row with the product form's own rules
(:func:`app.services.catalog.check_product_draft`) and says what it will do — a SKU the
catalog holds already is a match: fill that product's empty fields (the default), skip the
row or overwrite its fields; a second product with the same SKU cannot be made — then the
import in chunks, each product noted in its batch, and the same undo (:func:`undo_import`).

What "empty" means to ``fill``: a brand, model or notes left blank, and a cost, list price
or sales points of 0.00 — the value a product gets when nothing was typed, so a catalog
entered without prices has them filled from the sheet. The name, category, unit and
whether the product is in the catalog always have a value: only ``overwrite`` changes
them. An empty cell never clears a stored value, whatever the choice.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import undefer

from app.i18n import tr
from app.labels import label
from app.models import Product
from app.models.enums import AuditAction, Module, Operation, ProductCategory
from app.models.imports import ImportItem
from app.services import audit, search_keys
from app.services.catalog import ProductDraft, _fields, check_product_draft
from app.services.errors import PermissionDenied, ValidationError
from app.services.importing.common import (
    ImportResult,
    RecordPlan,
    amount_of,
    errors_said,
    read_sheet,
    write_in_chunks,
)
from app.services.importing.customers import (
    CREATE,
    FILL,
    OVERWRITE,
    SKIP,
    ImportField,
    ProgressCallback,
    RowIssue,
    _check_importer,
    _enum_words,
    _text,
    column_name,
    fold_header,
    write_rows_report,
)
from app.services.permissions import Actor, hidden_fields, read_only_fields, require
from app.services.uow import UnitOfWork, translate_db_error

PRODUCTS: Final = "products"
CHUNK: Final = 500

FIELDS: Final = (
    ImportField("sku", "SKU", ("产品编码", "产品编号", "编码", "编号", "货号", "物料编码",
                               "商品编码", "料号", "sku", "code", "productcode")),
    ImportField("name", "Product name", ("产品名称", "名称", "品名", "商品名称", "产品",
                                         "name", "productname")),
    ImportField("category", "Category", ("类别", "分类", "产品类别", "产品分类", "类型",
                                         "category")),
    ImportField("brand", "Brand", ("品牌", "厂牌", "brand")),
    ImportField("model", "Model", ("型号", "规格型号", "规格", "model")),
    ImportField("unit", "Unit", ("单位", "计量单位", "unit")),
    ImportField("cost_price", "Cost price", ("成本价", "成本", "进价", "进货价", "cost",
                                             "costprice")),
    ImportField("list_price", "List price", ("销售价", "售价", "单价", "零售价", "价格",
                                             "price", "listprice")),
    ImportField("sales_points", "Sales points", ("销售点数", "积分", "提成点", "points",
                                                 "salespoints")),
    ImportField("active", "In the catalog (active)", ("启用", "在售", "状态", "active")),
    ImportField("notes", "Notes", ("备注", "说明", "notes")),
)
REQUIRED: Final = ("sku", "name", "category")
# The fields an import writes into a stored product, in the form's order.
_WRITTEN: Final = ("name", "category", "brand", "model", "unit", "cost_price", "list_price",
                   "sales_points", "active", "notes")
_AMOUNTS: Final = frozenset({"cost_price", "list_price", "sales_points"})
_ZERO: Final = Decimal("0.00")

# Words a category cell may hold besides the category's code and its labels (打印机 …).
_CATEGORY_WORDS: Final = {
    "复印机": ProductCategory.PRINTER, "一体机": ProductCategory.PRINTER,
    "打印设备": ProductCategory.PRINTER, "办公设备": ProductCategory.PRINTER,
    "硒鼓": ProductCategory.CONSUMABLE, "墨盒": ProductCategory.CONSUMABLE,
    "碳粉": ProductCategory.CONSUMABLE, "墨粉": ProductCategory.CONSUMABLE,
    "色带": ProductCategory.CONSUMABLE, "纸张": ProductCategory.CONSUMABLE,
    "办公耗材": ProductCategory.CONSUMABLE, "supplies": ProductCategory.CONSUMABLE,
    "计算机": ProductCategory.PC, "台式机": ProductCategory.PC,
    "笔记本": ProductCategory.PC, "笔记本电脑": ProductCategory.PC,
    "电脑整机": ProductCategory.PC, "pc": ProductCategory.PC,
    "computer": ProductCategory.PC, "laptop": ProductCategory.PC,
    "零件": ProductCategory.PART, "备件": ProductCategory.PART,
    "零配件": ProductCategory.PART, "sparepart": ProductCategory.PART,
    "维修": ProductCategory.SERVICE, "维修服务": ProductCategory.SERVICE,
    "服务费": ProductCategory.SERVICE, "技术服务": ProductCategory.SERVICE,
}
_YES: Final = frozenset({"是", "启用", "在售", "有效", "正常", "上架", "销售中", "yes", "y",
                         "true", "1", "√", "✓", "active", "enabled"})
_NO: Final = frozenset({"否", "停用", "停售", "下架", "禁用", "无效", "作废", "no", "n",
                        "false", "0", "×", "✗", "inactive", "disabled"})


@dataclass(frozen=True, slots=True)
class PlannedProduct:
    """One sheet row as a product: what the row holds (``values``; field code → text,
    Decimal, category or yes/no), the product's column values as the product form's
    rules clean them (``clean``), the stored product with the same SKU (``product_id``,
    its version and ``label``) and what the import does: ``create``, ``update``,
    ``skip`` or ``error``."""

    row: int
    values: Mapping[str, Any]
    clean: Mapping[str, Any]
    product_id: int | None = None
    product_version: int | None = None
    label: str = ""
    outcome: str = "create"
    choice: str = FILL
    errors: tuple[RowIssue, ...] = ()


@dataclass(frozen=True)
class ProductPlan(RecordPlan):
    """What the dry run of a product sheet found; :func:`run_product_import` writes it."""

    products: tuple[PlannedProduct, ...] = ()

    def records(self) -> tuple[PlannedProduct, ...]:
        return self.products

    def outcome_of_row(self) -> dict[int, str]:
        """What happens to each sheet row, for the dry run's report."""
        said = {}
        for p in self.products:
            if p.outcome == "error":
                said[p.row] = errors_said(p.errors, field_label)
            elif p.outcome == "update" and p.choice == OVERWRITE:
                said[p.row] = tr("will overwrite {product}", product=p.label)
            elif p.outcome == "update":
                said[p.row] = tr("will fill the empty fields of {product}", product=p.label)
            elif p.outcome == "skip":
                said[p.row] = tr("{product} is in the catalog already: skipped",
                                 product=p.label)
            else:
                said[p.row] = tr("will create")
        return said


def field_label(code: str) -> str:
    """A field's label in the user's language (its code for a code it does not know)."""
    return next((f.shown() for f in FIELDS if f.code == code), code)


def _check_product_importer(uow: UnitOfWork, actor: Actor,
                            cost_column: int | None = None) -> None:
    """What a product import needs: what every import needs (its undo may delete), to add
    and change products, and to set the cost when a column (``cost_column``) is mapped
    to it."""
    _check_importer(uow, actor)
    grants = require(uow, actor, Module.PRODUCTS, Operation.CREATE)
    if not grants.allows(Module.PRODUCTS, Operation.EDIT):
        raise PermissionDenied(
            tr("Importing products needs permission to create and change products; ask "
               "management."), module=Module.PRODUCTS, operation=Operation.EDIT)
    if cost_column is not None and "cost_price" in (
            read_only_fields(uow, actor, Module.PRODUCTS)
            | hidden_fields(uow, actor, Module.PRODUCTS)):
        raise PermissionDenied(
            tr("You may not set the cost price, and column {column} of the sheet is mapped "
               "to it: leave that column out of the import, or ask management.",
               column=column_name(cost_column)),
            module=Module.PRODUCTS, operation=Operation.EDIT)


def _cost_column(mapping: Mapping[int, str]) -> int | None:
    return next((column for column, code in mapping.items() if code == "cost_price"), None)


def plan_product_import(*, uow: UnitOfWork, actor: Actor, path: str | Path,
                        sheet: str | None = None, mapping: Mapping[int, str] | None = None,
                        on_match: str = FILL) -> ProductPlan:
    """The dry run of a product sheet: writes nothing.

    ``mapping``: column → field code (:data:`FIELDS`; guessed from the headers when not
    given); the SKU, the name and the category must be mapped. ``on_match``: what to do
    with a row whose SKU the catalog holds already — fill that product's empty fields,
    skip the row or overwrite the fields the row gives (``create`` is refused: a SKU is
    one product's).

    Raises :class:`ValidationError` for a file that cannot be read, a bad mapping or
    choice, and :class:`PermissionDenied` (before any row is read when the cost is mapped
    and the actor may not set it).
    """
    if on_match == CREATE:
        raise ValidationError({"on_match": tr(
            "a SKU belongs to one product: a row whose SKU is in the catalog can fill, skip "
            "or overwrite that product, not create a second one")})
    if on_match not in (FILL, SKIP, OVERWRITE):
        raise ValidationError({"on_match": tr(
            "must be one of fill, skip, overwrite (not {value})", value=on_match)})
    with uow.reading():
        _check_product_importer(uow, actor)

    def cost_allowed(chosen: Mapping[int, str]) -> None:
        with uow.reading():
            _check_product_importer(uow, actor, _cost_column(chosen))

    header, chosen, read = read_sheet(
        path, sheet, mapping, fields=FIELDS, required=REQUIRED, label=field_label,
        convert=_converter(_enum_words(ProductCategory, _CATEGORY_WORDS)), mapped=cost_allowed)
    with uow.reading():
        stored = _stored_products(uow, {v["sku"] for _n, v, _i in read if v.get("sku")})
    planned = []
    seen: dict[str, int] = {}
    for number, values, issues in read:
        if not values and not issues:
            continue
        clean: dict[str, Any] = {}
        try:
            clean = check_product_draft(_draft(values))
        except ValidationError as error:
            issues.extend(RowIssue(number, code, message)
                          for code, message in error.errors.items()
                          if not any(i.field == code for i in issues))
        sku = "" if any(i.field == "sku" for i in issues) else values.get("sku") or ""
        product_id = version = None
        shown = ""
        outcome = "create"
        if sku in seen:
            issues.append(RowIssue(number, "sku", tr("the same SKU as row {row}",
                                                     row=seen[sku])))
        elif sku:
            seen[sku] = number
            if sku in stored:
                product_id, version, shown = stored[sku]
                outcome = "skip" if on_match == SKIP else "update"
        planned.append(PlannedProduct(
            row=number, values=values, clean=clean if not issues else {},
            product_id=product_id, product_version=version, label=shown,
            outcome="error" if issues else outcome, choice=on_match, errors=tuple(issues)))
    return ProductPlan(path=str(path), sheet=sheet, header=header, mapping=chosen,
                       products=tuple(planned), rows_read=len(read))


def _draft(values: Mapping[str, Any]) -> ProductDraft:
    """The row as the product form would hold it; what the row leaves out takes the
    form's defaults (an update writes only what the row gives)."""
    return ProductDraft(
        sku=values.get("sku") or "", name=values.get("name") or "",
        category=values.get("category") or "", brand=values.get("brand"),
        model=values.get("model"), unit=values.get("unit") or "台",
        cost_price=values.get("cost_price"),
        list_price=values.get("list_price", _ZERO),
        sales_points=values.get("sales_points", _ZERO),
        active=values.get("active", True), notes=values.get("notes"))


def _converter(categories: Mapping[str, ProductCategory]) -> Callable[[str, object], Any]:
    """What turns a product row's cell into its field's value (the form's own rules are
    checked later, on the whole row)."""

    def value(code: str, raw: object) -> Any:
        text = _text(raw)
        if text is None:
            return None
        if code in _AMOUNTS:
            amount = amount_of(raw)
            if amount is None:
                raise ValueError(tr("is not a number: {text}", text=text))
            return amount
        if code == "category":
            member = categories.get(fold_header(text))
            if member is None:
                raise ValueError(tr("{text} is not one of: {choices}", text=text,
                                    choices="、".join(label(c) for c in ProductCategory)))
            return member
        if code == "active":
            flag = raw if isinstance(raw, bool) else (
                True if fold_header(text) in _YES else
                False if fold_header(text) in _NO else None)
            if flag is None:
                raise ValueError(tr("{text} is neither yes nor no (write 是 or 否)", text=text))
            return flag
        return text.upper() if code == "sku" else text

    return value


def _stored_products(uow: UnitOfWork, skus: set[str]) -> dict[str, tuple[int, int, str]]:
    """The stored products with these SKUs (upper case, as stored), by SKU: id, version
    and "SKU name"; a query of 500 SKUs each."""
    wanted = sorted(skus)
    found: dict[str, tuple[int, int, str]] = {}
    for start in range(0, len(wanted), 500):
        for pid, version, sku, name in uow.session.execute(
                select(Product.id, Product.version, Product.sku, Product.name)
                .where(Product.sku.in_(wanted[start:start + 500]))):
            found[sku.upper()] = (pid, version, f"{sku} {name}")
    return found


# --- the import ------------------------------------------------------------------------------


def run_product_import(
    *, uow: UnitOfWork, actor: Actor, plan: ProductPlan, chunk: int = CHUNK,
    progress: ProgressCallback | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> ImportResult:
    """Write ``plan``: a chunk of rows per transaction, each product noted in the batch.
    ``cancelled`` is asked between chunks: what the committed chunks wrote stays (and can
    be undone). A stored product changed since the dry run is refused, not overwritten;
    a SKU another station added since the dry run refuses that row alone."""
    cost_column = _cost_column(plan.mapping)
    with uow.reading():
        _check_product_importer(uow, actor, cost_column)
    return write_in_chunks(
        uow, actor, kind=PRODUCTS, plan=plan, chunk=chunk, progress=progress,
        cancelled=cancelled, check=lambda unit: _check_product_importer(unit, actor, cost_column),
        write=lambda unit, batch_id, records, counts: _write_chunk(unit, actor, batch_id,
                                                                     records, counts))


def _write_chunk(uow: UnitOfWork, actor: Actor, batch_id: int,
                 chunk: Sequence[PlannedProduct], counts: dict[str, int]) -> list[RowIssue]:
    """One chunk: the new products inserted together, then the updates one by one. Should
    a SKU have been taken meanwhile (another station added it after the dry run), the
    chunk's new products are inserted again one by one, so that only that row is refused.
    Their search keys, batch entries and audit entries are written once they are in."""
    refused: list[RowIssue] = []
    session = uow.session
    fields = _fields(uow, actor)
    creating = [p for p in chunk if p.outcome == "create"]
    made: list[tuple[PlannedProduct, Product]] = []
    try:
        with session.begin_nested():
            made = [(p, _new_product(actor, p)) for p in creating]
            session.add_all([product for _p, product in made])
            session.flush()
    except IntegrityError:
        made = []
        for planned in creating:
            try:
                with session.begin_nested():
                    product = _new_product(actor, planned)
                    session.add(product)
                    session.flush()
            except IntegrityError as exc:
                error = translate_db_error(exc)
                if isinstance(error, ValidationError) and "sku" in error.errors:
                    refused.append(RowIssue(planned.row, "sku", tr(
                        "{sku} was added to the catalog after the dry run: run the dry "
                        "run again.", sku=planned.clean["sku"])))
                else:
                    refused.append(RowIssue(planned.row, "", str(error)))
                continue
            made.append((planned, product))
    for planned, product in made:
        search_keys.keep_product(session, product, new=True)
        session.add(ImportItem(batch_id=batch_id, entity="product", record_id=product.id,
                               action="created", row_number=planned.row,
                               after_version=product.version))
        audit.record(uow, actor, AuditAction.CREATE, "product", product.id,
                     f"{product.sku} {product.name}",
                     {"after": audit.snapshot(product, fields)})
    counts["created"] += len(made)
    for planned in chunk:
        if planned.outcome == "update":
            problem = _update(uow, actor, batch_id, planned, counts)
            if problem is not None:
                refused.append(problem)
    return refused


def _new_product(actor: Actor, planned: PlannedProduct) -> Product:
    values = dict(planned.clean)
    if values["cost_price"] is None:
        values["cost_price"] = _ZERO
    return Product(created_by_id=actor.user_id, updated_by_id=actor.user_id, **values)


def _update(uow: UnitOfWork, actor: Actor, batch_id: int, planned: PlannedProduct,
            counts: dict[str, int]) -> RowIssue | None:
    """Fill (or, chosen so, overwrite) a stored product's fields with those the row
    gives; why not, when the product changed since the dry run."""
    session = uow.session
    given = [name for name in _WRITTEN if name in planned.values]
    # The cost is deferred and may be hidden from the role: read only when written.
    options = (undefer(Product.cost_price),) if "cost_price" in given else ()
    product = session.get(Product, planned.product_id, options=options)
    if product is None:
        return RowIssue(planned.row, "", tr(
            "{product} was deleted after the dry run.", product=planned.label))
    if product.version != planned.product_version:
        return RowIssue(planned.row, "", tr(
            "{product} was changed after the dry run: run the dry run again.",
            product=planned.label))
    before: dict[str, Any] = {}
    for name in given:
        new = planned.clean[name]
        old = getattr(product, name)
        if new is None or new == old:
            continue
        if planned.choice == OVERWRITE or old in (None, "") or (
                name in _AMOUNTS and old == _ZERO):
            before[name] = _plain(old)
            setattr(product, name, new)
    if not before:
        counts["unchanged"] += 1
        return None
    if "name" in before:
        # Undo writes the name's pinyin back with it (the search keys: see the report).
        for key in ("pinyin_initials", "sort_key"):
            before[key] = getattr(product, key)
            setattr(product, key, planned.clean[key])
    product.updated_by_id = actor.user_id
    uow.flush()
    if "name" in before:
        search_keys.keep_product(session, product)
    session.add(ImportItem(batch_id=batch_id, entity="product", record_id=product.id,
                           action="updated", row_number=planned.row,
                           after_version=product.version,
                           before=json.dumps(before, ensure_ascii=False)))
    audit.record(uow, actor, AuditAction.UPDATE, "product", product.id,
                 f"{product.sku} {product.name}",
                 {name: [old, _plain(getattr(product, name))] for name, old in before.items()})
    counts["updated"] += 1
    return None


def _plain(value: Any) -> Any:
    """A value as the batch's ``before`` keeps it: amounts as text, a category as its
    code (what undo reads back)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, ProductCategory):
        return value.value
    return value


# --- the error report ------------------------------------------------------------------------


def write_product_error_report(plan: ProductPlan, out: str | Path) -> int:
    """The rows not imported, with an error column (:func:`write_rows_report`)."""
    return write_rows_report(plan, out, label=field_label)


__all__ = ["FIELDS", "PRODUCTS", "PlannedProduct", "ProductPlan",
           "field_label", "plan_product_import", "run_product_import",
           "write_product_error_report"]

"""The product catalog (产品目录): products with cost price, list price and sales points.

The cost price is a protected field: roles the permission rules hide it from get ``None`` in
every view and may not set it (:func:`app.services.permissions.hidden_fields`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    case,
    func,
    literal_column,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import undefer

from app.i18n import tr
from app.models import Product, User
from app.models.enums import AuditAction, Module, Operation, ProductCategory
from app.services import audit, search_keys
from app.services.errors import NotFound, PermissionDenied, ValidationError
from app.services.locking import check_version
from app.services.paging import (
    Cursor,
    Sort,
    SortExpr,
    check_cursor,
    count_rows,
    next_after,
    ordered_page,
    ranked,
)
from app.services.permissions import Actor, hidden_fields, read_only_fields, require
from app.services.uow import UnitOfWork
from app.services.validation import Checker, search_text
from app.textkeys import pinyin_initials, sort_key

# Points are Numeric(10, 2).
POINTS_LIMIT = Decimal("99999999.99")
# SKUs are stored in an ASCII column and compared case-insensitively (kept upper-case).
_SKU = re.compile(r"^[A-Z0-9][A-Z0-9\-_./+#]*$")

# --- data in and out -----------------------------------------------------------------------


@dataclass(frozen=True)
class ProductDraft:
    """What is typed on the product form.

    ``cost_price=None`` leaves the cost as it is (0.00 for a new product); any other value
    sets it, which only roles allowed to see the cost may do.
    """

    sku: str
    name: str
    category: ProductCategory | str
    brand: str | None = None
    model: str | None = None
    unit: str = "台"
    cost_price: Decimal | str | None = None
    list_price: Decimal | str = Decimal("0.00")
    sales_points: Decimal | str = Decimal("0.00")
    active: bool = True
    notes: str | None = None


@dataclass(frozen=True)
class ProductView:
    """A product as the actor may see it; ``cost_price`` is None where the role hides it."""

    id: int
    version: int
    sku: str
    name: str
    pinyin_initials: str
    category: ProductCategory
    brand: str | None
    model: str | None
    unit: str
    cost_price: Decimal | None
    list_price: Decimal
    sales_points: Decimal
    active: bool
    notes: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    updated_by_name: str | None

    def to_draft(self) -> ProductDraft:
        """The form's starting values; a hidden cost stays None (unchanged on save)."""
        return ProductDraft(
            sku=self.sku, name=self.name, category=self.category, brand=self.brand,
            model=self.model, unit=self.unit, cost_price=self.cost_price,
            list_price=self.list_price, sales_points=self.sales_points, active=self.active,
            notes=self.notes,
        )


@dataclass(frozen=True, slots=True)
class ProductRow:
    """One line of the product list."""

    id: int
    sku: str
    name: str
    category: ProductCategory
    brand: str | None
    model: str | None
    unit: str
    cost_price: Decimal | None
    list_price: Decimal
    sales_points: Decimal
    active: bool


@dataclass(frozen=True)
class ProductPage:
    rows: tuple[ProductRow, ...]
    # Pass back as ``after`` for the next page; None at the end of the list.
    next_after: Cursor | None = None
    # Every product matching the filters (asked for with ``with_total``).
    total: int | None = None


# The product list's columns, as sort keys for :func:`list_products`.
PRODUCT_SORT_KEYS: tuple[str, ...] = ("sku", "name", "category", "brand_model", "unit",
                                      "list_price", "sales_points", "cost_price")
_NOT_NULL = ("sku", "name", "category", "unit", "list_price", "sales_points", "cost_price")


# --- use cases -----------------------------------------------------------------------------


def create_product(*, uow: UnitOfWork, actor: Actor, draft: ProductDraft) -> ProductView:
    """Add a product to the catalog."""
    with uow:
        require(uow, actor, Module.PRODUCTS, Operation.CREATE)
        _refuse_cost_change(uow, actor, draft)
        values = _clean(uow, draft)
        if values["cost_price"] is None:
            values["cost_price"] = Decimal("0.00")
        product = Product(created_by_id=actor.user_id, updated_by_id=actor.user_id, **values)
        uow.session.add(product)
        uow.flush()
        search_keys.keep_product(uow.session, product, new=True)
        audit.record(uow, actor, AuditAction.CREATE, "product", product.id,
                     f"{product.sku} {product.name}",
                     {"after": audit.snapshot(product, _fields(uow, actor))})
        uow.commit()
        return _view(uow, actor, product)


def update_product(
    *, uow: UnitOfWork, actor: Actor, product_id: int, expected_version: int,
    draft: ProductDraft,
) -> ProductView:
    """Save an edited product; a :class:`ConflictError` names who saved it in between."""
    with uow:
        require(uow, actor, Module.PRODUCTS, Operation.EDIT)
        _refuse_cost_change(uow, actor, draft)
        product = _load(uow, actor, product_id)
        check_version(uow, product, expected_version, entity="product",
                      label=f"{product.sku} {product.name}")
        values = _clean(uow, draft, product.id)
        if values["cost_price"] is None:
            del values["cost_price"]
        fields = _fields(uow, actor)
        before = audit.snapshot(product, fields)
        renamed = values["name"] != product.name
        for key, value in values.items():
            setattr(product, key, value)
        if renamed:
            uow.flush()
            search_keys.keep_product(uow.session, product)
        changes = audit.diff(before, audit.snapshot(product, fields))
        if changes:
            product.updated_by_id = actor.user_id
            uow.flush()
            audit.record(uow, actor, AuditAction.UPDATE, "product", product.id,
                         f"{product.sku} {product.name}", changes)
        uow.commit()
        return _view(uow, actor, product)


def get_product(*, uow: UnitOfWork, actor: Actor, product_id: int) -> ProductView:
    with uow:
        require(uow, actor, Module.PRODUCTS, Operation.VIEW)
        return _view(uow, actor, _load(uow, actor, product_id))


def list_products(
    *, uow: UnitOfWork, actor: Actor, text: str = "",
    category: ProductCategory | None = None, include_inactive: bool = False,
    after: Cursor | None = None, limit: int = 100, sort: Sort | None = None,
    with_total: bool = False,
) -> ProductPage:
    """One page of products, by name in pinyin order (a text's best matches first) unless
    ``sort`` names one of :data:`PRODUCT_SORT_KEYS`.

    ``text`` matches the pinyin initials or full pinyin of any part of the name (``fyz``
    finds 得力复印纸, ``xigu`` 硒鼓 …), the SKU (exactly, from its start or inside), or any
    part of the name, brand or model. Best first: the exact SKU, a name starting with the
    text, pinyin from the name's start, pinyin inside the name or the SKU's start, then the
    rest (so ``A4`` lists A4 paper before an SSD whose SKU holds A4). ``with_total`` also
    counts every product matching the filters.
    """
    search_text("text", text)
    check_cursor(after)
    limit = max(1, min(limit, 500))
    with uow:
        require(uow, actor, Module.PRODUCTS, Operation.VIEW)
        cost_hidden = _cost_hidden(uow, actor)
        q = (text or "").strip()
        params = _text_params(q)
        hits = _hits(q) if q else None
        conditions: list[Any] = [] if hits is None else [Product.id.in_(select(hits.c.id))]
        if category is not None:
            conditions.append(Product.category == category)
        if not include_inactive:
            conditions.append(Product.active == true())
        columns = (Product.id, Product.sku, Product.name, Product.category, Product.brand,
                   Product.model, Product.unit,
                   (null() if cost_hidden else Product.cost_price).label("cost_price"),
                   Product.list_price, Product.sales_points, Product.active)
        base = select(*columns).where(*conditions)
        if sort is None and hits is not None:
            stmt = _ranked_page(hits, columns, conditions[1:], after, limit)
        else:
            stmt = ordered_page(base, columns=_sort_columns(cost_hidden),
                                sort=sort or Sort("name"), id_column=Product.id, after=after,
                                limit=limit, not_null=_NOT_NULL)
        rows = uow.session.execute(stmt, params).all()
        page = tuple(
            ProductRow(id=r.id, sku=r.sku, name=r.name, category=r.category, brand=r.brand,
                       model=r.model, unit=r.unit,
                       cost_price=None if cost_hidden else r.cost_price,
                       list_price=r.list_price, sales_points=r.sales_points,
                       active=bool(r.active))
            for r in rows[:limit]
        )
        if sort is None and hits is not None:
            last = rows[limit - 1] if len(rows) > limit else None
            cursor = (None if last is None else
                      ((last.match_rank, last.sort_key), last.id))
        else:
            cursor = next_after(rows, limit)
        return ProductPage(rows=page, next_after=cursor,
                           total=count_rows(uow.session, base, params) if with_total else None)


def _sort_columns(cost_hidden: bool) -> dict[str, SortExpr]:
    """What each product column sorts by. A role the cost is hidden from may not sort
    by it (refused as an unknown key): the order alone would rank the hidden costs."""
    columns: dict[str, SortExpr] = {
        "sku": Product.sku,
        # Pinyin order, the way Chinese readers look a name up.
        "name": Product.sort_key,
        "category": ranked(Product.category, list(ProductCategory)),
        # As the column reads: brand and model, either alone, NULL (last) for neither.
        "brand_model": case((Product.brand.is_(None), Product.model),
                            (Product.model.is_(None), Product.brand),
                            else_=Product.brand + " " + Product.model),
        "unit": Product.unit,
        "list_price": Product.list_price,
        "sales_points": Product.sales_points,
        "cost_price": Product.cost_price,
    }
    if cost_hidden:
        del columns["cost_price"]
    return columns


# --- helpers -------------------------------------------------------------------------------


def _refuse_cost_change(uow: UnitOfWork, actor: Actor, draft: ProductDraft) -> None:
    # Any value counts as an attempt, even the current one: comparing would tell the
    # user whether their guess of the hidden cost was right.
    if draft.cost_price is not None and "cost_price" in read_only_fields(
            uow, actor, Module.PRODUCTS):
        raise PermissionDenied(tr("You may not set the cost price."),
                               module=Module.PRODUCTS, operation=Operation.EDIT)


def _clean(uow: UnitOfWork, draft: ProductDraft, product_id: int | None = None
           ) -> dict[str, Any]:
    def owner(sku: str) -> int | None:
        found: int | None = uow.session.execute(
            select(Product.id).where(Product.sku == sku)
        ).scalar_one_or_none()
        return found

    return check_product_draft(draft, sku_owner=owner, product_id=product_id)


def check_product_draft(draft: ProductDraft, *,
                        sku_owner: Callable[[str], int | None] | None = None,
                        product_id: int | None = None) -> dict[str, Any]:
    """The product form's rules on ``draft``: its column values cleaned (the SKU in upper
    case, amounts as Decimal, the name's pinyin keys; ``cost_price`` None when not given),
    or a :class:`ValidationError` naming each field at fault.

    ``sku_owner`` gives the id of the product holding a SKU (None: no product), so that a
    SKU another product than ``product_id`` holds is refused; without it the SKU's
    uniqueness is the caller's business (the product import matches a whole sheet's SKUs
    in a few queries).
    """
    check = Checker()
    sku = check.text("sku", draft.sku, max_len=40, required=True)
    if sku is not None:
        sku = sku.upper()
        if not _SKU.match(sku):
            check.fail("sku", tr("may hold only Latin letters, digits and - _ . / + #"))
        elif sku_owner is not None:
            taken = sku_owner(sku)
            if taken is not None and taken != product_id:
                check.fail("sku", tr("already exists"))
    name = check.text("name", draft.name, max_len=200, required=True)
    values: dict[str, Any] = {
        "sku": sku,
        "name": name,
        "category": check.choice("category", draft.category, ProductCategory),
        "brand": check.text("brand", draft.brand, max_len=100),
        "model": check.text("model", draft.model, max_len=100),
        "unit": check.text("unit", draft.unit, max_len=20, required=True),
        "cost_price": check.money("cost_price", draft.cost_price, required=False),
        "list_price": check.money("list_price", draft.list_price),
        "sales_points": check.decimal("sales_points", draft.sales_points, places=2,
                                      limit=POINTS_LIMIT),
        "active": bool(draft.active),
        "notes": check.text("notes", draft.notes, max_len=500, multiline=True),
    }
    check.done()
    values["pinyin_initials"] = pinyin_initials(name or "")[:200]
    values["sort_key"] = sort_key(name or "")
    return values


def _range(prefix: str, lo: str, hi: str) -> dict[str, str]:
    # A range rather than LIKE 'x%': index-assisted on every database (see customers).
    return {lo: prefix, hi: prefix[:-1] + chr(ord(prefix[-1]) + 1)}


def _text_params(q: str) -> dict[str, Any]:
    """The values of :func:`_hits`'s parameters for the search text ``q``."""
    if not q:
        return {}
    sku = q.upper()
    params: dict[str, Any] = {
        "sku_exact": sku, "sku_anywhere": _anywhere(sku), "name_start": _anywhere(q)[1:],
        "name_anywhere": _anywhere(q), "upper_anywhere": _anywhere(sku),
        **_range(sku, "sku_lo", "sku_hi"),
        # Nothing a key could start with: a range no key is in.
        **(search_keys.prefix_params(q) or {"key_lo": "", "key_hi": ""}),
    }
    return params


def _anywhere(text: str) -> str:
    escaped = text.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"


def _rank(value: int) -> Any:
    return literal_column(str(value), Integer).label("rank")


def _hits(q: str) -> Any:
    """The products ``q`` finds, each with how well it matches (``rank``, lower is better,
    a product may come more than once): the exact SKU 0, a name starting with the text 1,
    pinyin from the start of the name 2, pinyin inside the name or the SKU's start 3, a
    SKU, name, brand or model holding the text 4. The pinyin and SKU lookups are index
    ranges; the catalog is small enough to look inside its names."""
    p = Product
    return union_all(
        select(p.id, _rank(0)).where(p.sku == _bound("sku_exact", p.sku)),
        select(p.id, _rank(3)).where(p.sku >= _bound("sku_lo", p.sku),
                                     p.sku < _bound("sku_hi", p.sku)),
        search_keys.key_hits(search_keys.PRODUCT, ordered=False),
        select(p.id, case((p.name.like(_bound("name_start", p.name), escape="/"), 1),
                          else_=4).label("rank")).where(
            or_(p.name.like(_bound("name_anywhere", p.name), escape="/"),
                func.upper(p.model).like(_bound("upper_anywhere", p.model), escape="/"),
                func.upper(p.brand).like(_bound("upper_anywhere", p.brand), escape="/"),
                p.sku.like(_bound("sku_anywhere", p.sku), escape="/"))),
    ).subquery("hits")


def _bound(key: str, column: Any) -> Any:
    """The parameter ``key`` typed as ``column`` (Unicode for names, VARCHAR for SKUs: SQL
    Server then seeks the SKU index instead of converting the column)."""
    return bindparam(key, type_=column.type)


def _ranked_page(hits: Any, columns: tuple[Any, ...], conditions: list[Any],
                 after: Cursor | None, limit: int) -> Any:
    """A page of the products in ``hits``, best match first, then by name in pinyin order;
    ``after`` is ((rank, sort key), id) of the previous page's last row."""
    best = (select(hits.c.id, func.min(hits.c.rank).label("match_rank"))
            .group_by(hits.c.id).subquery("best"))
    stmt = (select(*columns, best.c.match_rank, Product.sort_key)
            .select_from(best).join(Product, Product.id == best.c.id).where(*conditions))
    if after is not None:
        value, last_id = after
        if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], int)):
            raise ValidationError({"after": tr("is not a position in this list")})
        rank, key = value
        stmt = stmt.where(or_(best.c.match_rank > rank, and_(
            best.c.match_rank == rank,
            or_(Product.sort_key > key, and_(Product.sort_key == key, Product.id > last_id)))))
    return (stmt.order_by(best.c.match_rank, Product.sort_key, Product.id)
            .limit(limit + 1))


def _cost_hidden(uow: UnitOfWork, actor: Actor) -> bool:
    return "cost_price" in hidden_fields(uow, actor, Module.PRODUCTS)


def _fields(uow: UnitOfWork, actor: Actor) -> list[str]:
    """The columns an audit snapshot holds: not the cost for a role that may not read it
    (a secured server would refuse the read)."""
    hidden = {"cost_price"} if _cost_hidden(uow, actor) else set()
    return [c.key for c in Product.__mapper__.column_attrs if c.key not in hidden]


def _load(uow: UnitOfWork, actor: Actor, product_id: int) -> Product:
    """The product, with its cost for a role that may see it (the column is deferred)."""
    options = () if _cost_hidden(uow, actor) else (undefer(Product.cost_price),)
    product = uow.session.get(Product, product_id, options=options)
    if product is None:
        raise NotFound(tr("{entity} {id} does not exist or you may not see it.",
                          entity=tr("Product"), id=product_id))
    return product


def _view(uow: UnitOfWork, actor: Actor, product: Product) -> ProductView:
    cost_hidden = _cost_hidden(uow, actor)
    updated_by = None
    if product.updated_by_id is not None:
        updated_by = uow.session.execute(
            select(User.display_name).where(User.id == product.updated_by_id)
        ).scalar_one_or_none()
    return ProductView(
        id=product.id, version=product.version, sku=product.sku, name=product.name,
        pinyin_initials=product.pinyin_initials, category=product.category,
        brand=product.brand, model=product.model, unit=product.unit,
        cost_price=None if cost_hidden else product.cost_price,
        list_price=product.list_price, sales_points=product.sales_points,
        active=product.active, notes=product.notes, created_at=product.created_at,
        updated_at=product.updated_at, updated_by_name=updated_by,
    )


__all__ = [
    "PRODUCT_SORT_KEYS",
    "ProductDraft",
    "ProductPage",
    "ProductRow",
    "ProductView",
    "check_product_draft",
    "create_product",
    "get_product",
    "list_products",
    "update_product",
]

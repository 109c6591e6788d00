"""What the sales use cases share: limits, the two lifecycles, money arithmetic, checking
drafts, and reading and writing quotations and orders."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any, TypeGuard

from sqlalchemy import Select, null, or_, select
from sqlalchemy.orm import object_mapper
from sqlalchemy.orm.attributes import instance_state, set_committed_value
from sqlalchemy.orm.util import identity_key

from app.i18n import tr
from app.models import (
    Contact,
    Customer,
    Opportunity,
    Order,
    OrderLine,
    Product,
    Quotation,
    QuotationLine,
    User,
)
from app.models.customers import customer_directory
from app.models.enums import (
    AuditAction,
    ConfirmStatus,
    CustomFieldEntity,
    Module,
    Operation,
    OrderStatus,
    QuotationStatus,
)
from app.services import audit, custom_fields
from app.services.catalog import POINTS_LIMIT
from app.services.customers import LIKE_ESCAPE, search_condition
from app.services.directory import CustomerEntry, customer_entry
from app.services.errors import InvalidTransition, NotFound, PermissionDenied
from app.services.lifecycle import S, TransitionTable
from app.services.permissions import (
    Actor,
    grants_for,
    hidden_fields,
    read_only_fields,
    require_in_scope,
    scope_filter,
    sees_margin,
)
from app.services.sales.data import (
    OpenOrder,
    OrderLineDraft,
    OrderLineView,
    OrderView,
    QuotationLineDraft,
)
from app.services.uow import UnitOfWork
from app.services.validation import MONEY_LIMIT, Checker

CENT = Decimal("0.01")
QUANTITY_LIMIT = Decimal("999999999.999")  # Numeric(12, 3)
DEFAULT_VALIDITY_DAYS = 15
MAX_LINES = 500

# --- lifecycles ----------------------------------------------------------------------------

QS, OS = QuotationStatus, OrderStatus

QUOTATION_LIFECYCLE: TransitionTable[QuotationStatus] = TransitionTable(
    entity="quotation",
    states=QuotationStatus,
    initial=QS.DRAFT,
    edges=frozenset({
        (QS.DRAFT, QS.SENT),
        (QS.SENT, QS.ACCEPTED),
        (QS.SENT, QS.REJECTED),
        (QS.SENT, QS.EXPIRED),
        # Only through convert_quotation_to_order, which makes the order in the same step.
        (QS.ACCEPTED, QS.CONVERTED),
    }),
)

ORDER_LIFECYCLE: TransitionTable[OrderStatus] = TransitionTable(
    entity="order",
    states=OrderStatus,
    initial=OS.DRAFT,
    edges=frozenset({
        (OS.DRAFT, OS.CONFIRMED),
        (OS.CONFIRMED, OS.DELIVERED),
        (OS.DELIVERED, OS.COMPLETED),
        (OS.DRAFT, OS.CANCELLED),
        (OS.CONFIRMED, OS.CANCELLED),
    }),
)

LIFECYCLES: tuple[TransitionTable[Any], ...] = (QUOTATION_LIFECYCLE, ORDER_LIFECYCLE)

# Orders the customer owes money on: agreed, not cancelled. A draft is not yet a debt
# (receivables and aging leave it out), though its amount is still unpaid (``_open``).
RECEIVABLE_STATUSES: tuple[OrderStatus, ...] = (OS.CONFIRMED, OS.DELIVERED, OS.COMPLETED)

# --- money ---------------------------------------------------------------------------------


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def line_total(quantity: Decimal, unit_price: Decimal, discount_percent: Decimal) -> Decimal:
    """``round(quantity × unit_price × (1 − discount_percent / 100), 2)``, halves up."""
    with localcontext() as ctx:
        ctx.prec = 60  # exact for every value the columns can hold
        return _cents(quantity * unit_price * (100 - discount_percent) / 100)


def line_cost(quantity: Decimal, unit_cost: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 60
        return _cents(quantity * unit_cost)


def yuan(amount: Decimal) -> str:
    """``¥1,234.50`` as messages show amounts."""
    return f"¥{amount:,.2f}"


def _money(value: Any) -> Decimal:
    # SQLite returns aggregates of Numeric columns as floats; go through text, then fen.
    if value is None:
        return Decimal("0.00")
    return _cents(value if isinstance(value, Decimal) else Decimal(str(value)))



# --- validation helpers --------------------------------------------------------------------


def _target(states: type[S], value: S | str) -> S:
    check = Checker()
    target = check.choice("to", value, states)
    check.done()
    assert target is not None
    return target


def _is_id(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _owner(uow: UnitOfWork, actor: Actor, check: Checker, module: Module,
           owner_id: int | None, current: int | None) -> int:
    """The record's owner: the actor by default; anyone else needs the wider scope."""
    if owner_id is None:
        return current if current is not None else actor.user_id
    if owner_id not in (actor.user_id, current):
        require_in_scope(uow, actor, module, Operation.CREATE if current is None
                         else Operation.EDIT, owner_id)
        active = uow.session.execute(
            select(User.active).where(User.id == owner_id)).scalar_one_or_none()
        if not active:
            check.fail("owner_id", tr("must be an active user"))
    return owner_id


def _customer_refs(uow: UnitOfWork, actor: Actor, check: Checker, customer_id: int,
                   contact_id: int | None, opportunity_id: int | None) -> None:
    """The customer exists and is in the actor's scope; contact and opportunity are its.

    Asked of the directory: on a secured server someone else's customer is hidden from
    the person's login, and the answer is still "you may not", not "does not exist".
    """
    if not _is_id(customer_id) or customer_id <= 0:
        # The form's customer box left empty: say what to do, not "does not exist".
        check.fail("customer_id", tr("Please choose a customer"))
        return
    customer = entry(uow, customer_id)
    if customer is None:
        check.fail("customer_id", tr("does not exist"))
        return
    require_in_scope(uow, actor, Module.CUSTOMERS, Operation.VIEW, customer.owner_id)
    if contact_id is not None:
        owner = uow.session.execute(
            select(Contact.customer_id).where(Contact.id == contact_id)).scalar_one_or_none()
        if owner != customer_id:
            check.fail("contact_id", tr("is not a contact of this customer"))
    if opportunity_id is not None:
        owner = uow.session.execute(
            select(Opportunity.customer_id).where(Opportunity.id == opportunity_id)
        ).scalar_one_or_none()
        if owner != customer_id:
            check.fail("opportunity_id", tr("is not an opportunity of this customer"))


def _products_statement(ids: Iterable[object]) -> Any:
    """The products of ``ids`` (those that are ids at all, each once), or None."""
    wanted = sorted({i for i in ids if _is_id(i)})
    return select(Product).where(Product.id.in_(wanted)) if wanted else None


def read_products_ahead(uow: UnitOfWork, drafts: Iterable[Any]) -> None:
    """Have the products of the draft lines read with the next statement the use case
    sends (``uow.read_ahead``: with the permission query on PostgreSQL), for
    :func:`_clean_lines` to find then."""
    stmt = _products_statement(d.product_id for d in drafts)
    if stmt is not None:
        uow.read_ahead(stmt)


def _products(uow: UnitOfWork, ids: Iterable[int | None]) -> dict[int, Product]:
    stmt = _products_statement(ids)
    if stmt is None:
        return {}
    found = {p.id: p for p in uow.session.scalars(stmt)}
    # Held for the transaction: the session forgets an object nobody refers to, and the
    # view of what was written asks for their SKU and unit (_product_keys), which then
    # cost a query of their own.
    for product_id, product in found.items():
        uow.transaction_cache[(Product, product_id)] = product
    return found


def _clean_lines(
    uow: UnitOfWork, actor: Actor, check: Checker,
    drafts: Sequence[QuotationLineDraft | OrderLineDraft], *, for_order: bool,
    kept_products: Iterable[int | None] = (), existing: Mapping[int, OrderLine] | None = None,
) -> list[dict[str, Any]]:
    """Validated line values with totals (and, for orders, the cost and points snapshot)."""
    if not drafts:
        check.fail("lines", tr("add at least one line"))
        return []
    if len(drafts) > MAX_LINES:
        check.fail("lines", tr("has too many lines (at most {max})", max=MAX_LINES))
        return []
    products = _products(uow, (d.product_id for d in drafts))
    kept = set(kept_products)
    existing = existing or {}
    may_set_cost = for_order and "unit_cost" not in read_only_fields(uow, actor, Module.ORDERS)
    lines: list[dict[str, Any]] = []
    named: set[object] = set()
    for i, d in enumerate(drafts):
        f = f"lines[{i}]"
        line_id = getattr(d, "id", None)
        if line_id is not None and line_id in named:
            check.fail(f"{f}.id", tr("is listed twice"))
            continue
        named.add(line_id)
        product = None
        if d.product_id is not None:
            product = products.get(d.product_id)
            if product is None:
                check.fail(f"{f}.product_id", tr("does not exist"))
            elif not product.active and d.product_id not in kept:
                check.fail(f"{f}.product_id", tr("is no longer sold"))
        description = check.text(f"{f}.description", d.description, max_len=200,
                                 required=product is None and d.product_id is None)
        if description is None and product is not None:
            description = product.name
        quantity = check.decimal(f"{f}.quantity", d.quantity, places=3, limit=QUANTITY_LIMIT)
        if quantity is not None and quantity == 0:
            check.fail(f"{f}.quantity", tr("must be greater than zero"))
            quantity = None
        price = check.money(f"{f}.unit_price", d.unit_price,
                            required=product is None and d.product_id is None)
        if price is None and product is not None and f"{f}.unit_price" not in check.errors:
            price = product.list_price
        discount = check.decimal(f"{f}.discount_percent", d.discount_percent, places=2,
                                 limit=Decimal("1e9"))
        if discount is not None and discount > 100:
            check.fail(f"{f}.discount_percent", tr("must be between {low} and {high}",
                                                   low=0, high=100))
            discount = None
        if quantity is None or price is None or discount is None or description is None:
            continue
        total = line_total(quantity, price, discount)
        if total > MONEY_LIMIT:
            check.fail(f"{f}.quantity", tr("is too large"))
            continue
        line: dict[str, Any] = {
            "product_id": d.product_id, "description": description, "quantity": quantity,
            "unit_price": price, "discount_percent": discount, "line_total": total,
        }
        if for_order:
            assert isinstance(d, OrderLineDraft)
            snapshot = _line_snapshot(check, f, d, product, quantity, existing, may_set_cost)
            if snapshot is None:
                continue
            cost, points = snapshot
            own = existing.get(d.id) if d.id is not None else None
            # "keep": the row of a line kept with its product (see _write_order_lines).
            line.update(cost, sales_points=points,
                        keep=own.id if own is not None and own.product_id == d.product_id
                        else None)
            # The service knows the cost only of a line whose cost it was given.
            known = cost.get("line_cost")
            if (known is not None and known > MONEY_LIMIT) or points > POINTS_LIMIT:
                check.fail(f"{f}.quantity", tr("is too large"))
                continue
        lines.append(line)
    if lines and _sum(ln["line_total"] for ln in lines) > MONEY_LIMIT:
        check.fail("lines", tr("the total is too large"))
    if for_order and lines and _sum(ln["sales_points"] for ln in lines) > POINTS_LIMIT:
        check.fail("lines", tr("the total is too large"))
    return lines


def _line_snapshot(
    check: Checker, f: str, d: OrderLineDraft, product: Product | None, quantity: Decimal,
    existing: Mapping[int, OrderLine], may_set_cost: bool,
) -> tuple[dict[str, Decimal | None], Decimal] | None:
    """(the cost columns to write, sales points) of an order line, or None when refused.

    A line kept from the saved order (same ``id``, same product) keeps its cost (nothing
    to write: the database re-prices ``line_cost`` if the quantity changed), and its
    points while the quantity is unchanged. A free-text line costed by a role that may
    set costs writes that cost. Anything else is a new row written without a cost, which
    the database takes from the catalog now (0.00 without a product).
    """
    previous = None
    if d.id is not None:
        previous = existing.get(d.id)
        if previous is None:
            check.fail(f"{f}.id", tr("is not a line of this order"))
            return None
        if previous.product_id != d.product_id:
            previous = None  # another product: a new line, a new snapshot
    if d.unit_cost is not None:
        if not may_set_cost:
            raise PermissionDenied(tr("You may not set the cost price."),
                                   module=Module.ORDERS, operation=Operation.EDIT)
        if d.product_id is not None:
            check.fail(f"{f}.unit_cost", tr("comes from the product catalog"))
            return None
        unit_cost = check.money(f"{f}.unit_cost", d.unit_cost)
        if unit_cost is None:
            return None
        cost: dict[str, Decimal | None] = {
            "unit_cost": unit_cost, "line_cost": line_cost(quantity, unit_cost)}
    elif previous is not None:
        cost = {}
    else:
        cost = {"unit_cost": None, "line_cost": None}
    if previous is not None and previous.quantity == quantity:
        points = previous.sales_points
    elif product is not None:
        points = _cents(quantity * product.sales_points)
    else:
        points = Decimal("0.00")
    return cost, points



# --- reading and writing helpers -----------------------------------------------------------


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, Decimal("0.00"))


def _open(status: OrderStatus, total: Decimal, paid: Decimal) -> Decimal:
    """What is not paid yet (未回款): a new ¥699 order has ¥699 open, draft or not; a
    cancelled order has nothing open."""
    return Decimal("0.00") if status is OS.CANCELLED else total - paid


def _cost_columns(uow: UnitOfWork, actor: Actor) -> tuple[bool, bool]:
    """Whether the actor may read (unit costs, line costs and the order's total cost).

    Hiding the cost hides all three; hiding the margin hides the line and total costs
    it is computed from (``app.security.catalog.PROTECTED_COLUMNS``).
    """
    unit = "unit_cost" not in hidden_fields(uow, actor, Module.ORDERS)
    return unit, sees_margin(uow, actor)


def _open_orders(uow: UnitOfWork, actor: Actor, customer_id: int) -> tuple[OpenOrder, ...]:
    rows = uow.session.execute(
        select(Order.id, Order.number, Order.owner_id, Order.ordered_on, Order.due_on,
               Order.total_amount, Order.paid_amount)
        .where(Order.customer_id == customer_id, Order.status.in_(RECEIVABLE_STATUSES),
               Order.paid_amount < Order.total_amount,
               scope_filter(uow, actor, Module.ORDERS, Order.owner_id))
        .order_by(Order.ordered_on, Order.id)
    ).all()
    return tuple(OpenOrder(order_id=r[0], number=r[1], owner_id=r[2], ordered_on=r[3],
                           due_on=r[4], total_amount=r[5], paid_amount=r[6],
                           open_amount=r[5] - r[6]) for r in rows)


def _write_order_lines(uow: UnitOfWork, order: Order,
                       values: Sequence[Mapping[str, Any]]) -> None:
    """Make ``order.lines`` the ``values``: kept lines on their own rows, others new rows.

    A kept line (``keep`` names its row) stays on its row: its cost is there, and the
    actor may not be allowed to read it to copy it elsewhere, nor to write the cost
    columns at all. Every other line is a new row the database costs as it is inserted;
    rows no line keeps are deleted. When rows go or a kept row changes position, the moved
    rows step aside to free positions and the removed rows are deleted in a flush of
    their own first, so no moment holds two rows at one position, which the unique
    constraint refuses. Otherwise one flush does everything.
    """
    by_id = {row.id: row for row in order.lines}
    placed = [by_id.get(v["keep"]) if v.get("keep") is not None else None for v in values]
    kept = {id(row) for row in placed if row is not None}
    gone = [row for row in order.lines if id(row) not in kept]
    moved = [row for i, row in enumerate(placed)
             if row is not None and row.position != i + 1]
    if gone or moved:
        for stepping in moved:
            stepping.position = -stepping.id
        for removed in gone:
            order.lines.remove(removed)
        uow.flush()
    final: list[OrderLine] = []
    for own, line in zip(placed, values, strict=True):
        target = own if own is not None else OrderLine()
        target.position = len(final) + 1
        for key, value in line.items():
            if key != "keep":
                setattr(target, key, value)
        final.append(target)
    order.lines = final


def _costs_query(uow: UnitOfWork, actor: Actor, order_id: int
                 ) -> Select[*tuple[Any, ...]] | None:
    """What `_read_costs` reads for the order, or None for a role that reads nothing."""
    unit, totals = _cost_columns(uow, actor)
    if not (unit or totals):
        return None
    return (select(OrderLine.id, OrderLine.unit_cost,
                   OrderLine.line_cost if totals else null(),
                   Order.total_cost if totals else null())
            .join(Order, Order.id == OrderLine.order_id)
            .where(OrderLine.order_id == order_id))


def _read_costs_ahead(uow: UnitOfWork, actor: Actor, order: Order) -> None:
    """Have `_read_costs`'s query sent with the next statement (``UnitOfWork.read_ahead``):
    just before the flush that inserts the lines, the query goes in its round trip, after
    the lines' INSERT (and the trigger that costs them), on PostgreSQL."""
    query = _costs_query(uow, actor, order.id)
    if query is not None:
        uow.read_ahead(query)


def _read_costs(uow: UnitOfWork, actor: Actor, order: Order) -> None:
    """After a flush: the cost columns as the database made them, for a role that may
    read them (one query); for any other role they are forgotten, never read."""
    unit, totals = _cost_columns(uow, actor)
    line_keys = [k for k, ok in (("unit_cost", unit), ("line_cost", totals)) if ok]
    query = _costs_query(uow, actor, order.id)
    if query is not None:
        found = {r[0]: r for r in uow.session.execute(query).all()}
        for ln in order.lines:
            row = found[ln.id]
            set_committed_value(ln, "unit_cost", row[1])
            if totals:
                set_committed_value(ln, "line_cost", row[2])
        if totals:
            total = next(iter(found.values()))[3] if found else uow.session.execute(
                select(Order.total_cost).where(Order.id == order.id)).scalar_one()
            set_committed_value(order, "total_cost", total)
    hidden_line = [k for k in ("unit_cost", "line_cost") if k not in line_keys]
    for ln in order.lines:
        if hidden_line:
            uow.session.expire(ln, hidden_line)
    if not totals:
        uow.session.expire(order, ["total_cost"])


def _order_totals(order: Order, lines: Sequence[Mapping[str, Any]]) -> None:
    # total_cost is the database's: the sum of the lines' cost, which it copies.
    order.total_amount = _sum(ln["line_total"] for ln in lines)
    order.total_points = _sum(ln["sales_points"] for ln in lines)


def _require_draft(is_draft: bool, kind: str, number: str) -> None:
    if not is_draft:
        raise InvalidTransition(tr("{record} is no longer a draft and cannot be edited.",
                                   record=_record_label(kind, number)))


def _move(uow: UnitOfWork, actor: Actor, table: TransitionTable[Any], row: Quotation | Order,
          target: Any, label: str, extra: Mapping[str, Any] | None = None) -> None:
    current = table.states(row.status)
    table.check(current, target, record=label)
    row.status = target
    row.updated_by_id = actor.user_id
    uow.flush()
    audit.record(uow, actor, AuditAction.TRANSITION, table.entity, row.id,
                 audit.named(table.entity, row.number),
                 {"status": [current.value, target.value], **(extra or {})})


def _record_label(kind: str, number: str) -> str:
    return f"{tr(kind)} {number}"


def _summary(number: str, customer_id: int, uow: UnitOfWork) -> str:
    found = entry(uow, customer_id)
    return f"{number} {found.name if found else ''}".strip()


def _snapshot(doc: Quotation | Order) -> dict[str, Any]:
    data = _loaded(doc)
    data["lines"] = [{k: v for k, v in _loaded(ln).items()
                      if k not in ("id", "quotation_id", "order_id")} for ln in doc.lines]
    return data


def _loaded(obj: Quotation | Order | QuotationLine | OrderLine) -> dict[str, Any]:
    # What is loaded: a cost the actor may not see was never read and is not logged.
    unloaded = instance_state(obj).unloaded
    return audit.snapshot(obj, [c.key for c in object_mapper(obj).column_attrs
                                if c.key not in unloaded])


def customer_text_match(uow: UnitOfWork, actor: Actor, text: str, customer_id: Any,
                        *numbers: Any) -> tuple[Any, dict[str, Any]]:
    """Rows whose customer matches ``text`` the way the customer list searches (name,
    pinyin, phone …) or by its code, or whose document ``numbers`` contain it; with the
    values of the condition's parameters (pass them when executing)."""
    phones_hidden = "phone" in hidden_fields(uow, actor, Module.CUSTOMERS)
    matching, params = search_condition(text, phones_of=actor.user_id if phones_hidden
                                        else None)
    pattern = like_anywhere(text.upper())
    return or_(
        *(column.like(pattern, escape=LIKE_ESCAPE) for column in numbers),
        customer_id.in_(select(customer_directory.c.id).where(
            customer_directory.c.code.like(pattern, escape=LIKE_ESCAPE))),
        customer_id.in_(select(Customer.id).where(matching)),
    ), params


def like_anywhere(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, its wildcards escaped (LIKE_ESCAPE)."""
    escaped = (text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%")
               .replace("_", LIKE_ESCAPE + "_"))
    return f"%{escaped}%"


def _not_found(kind: str, record_id: int) -> NotFound:
    return NotFound(tr("{entity} {id} does not exist or you may not see it.",
                       entity=tr(kind), id=record_id))


def entry(uow: UnitOfWork, customer_id: object) -> CustomerEntry | None:
    """The customer's directory entry (name, owner, source), read once per transaction:
    a sale checks the customer, copies its source and names it in the audit log and the
    view it returns."""
    key = ("customer_entry", customer_id)
    if key not in uow.transaction_cache:
        uow.transaction_cache[key] = customer_entry(uow, customer_id)
    found: CustomerEntry | None = uow.transaction_cache[key]
    return found


def _customer(uow: UnitOfWork, customer_id: int) -> CustomerEntry:
    """The customer's name and source, from the directory everyone may read."""
    found = entry(uow, customer_id)
    if found is None:
        raise _not_found("Customer", customer_id)
    return found


def _names(uow: UnitOfWork, *user_ids: int | None, actor: Actor | None = None
           ) -> dict[int, str]:
    """Display names by user id; the actor's from the permission query (no query)."""
    names: dict[int, str] = {}
    if actor is not None and actor.user_id in user_ids:
        mine = grants_for(uow, actor).display_name
        if mine is not None:
            names[actor.user_id] = mine
    ids = sorted({i for i in user_ids if i is not None and i not in names})
    if ids:
        names.update(uow.session.execute(
            select(User.id, User.display_name).where(User.id.in_(ids))).all())
    return names


def _product_keys(uow: UnitOfWork, lines: Iterable[Any]) -> dict[int, tuple[str, str]]:
    """SKU and unit of the lines' products: those the use case loaded already from the
    session, the others in one query."""
    ids = {ln.product_id for ln in lines if ln.product_id is not None}
    keys: dict[int, tuple[str, str]] = {}
    for pid in ids:
        product = (uow.transaction_cache.get((Product, pid))
                   or uow.session.identity_map.get(identity_key(Product, pid)))
        if isinstance(product, Product) and "sku" in product.__dict__ \
                and "unit" in product.__dict__:
            keys[pid] = (product.sku, product.unit)
    missing = ids - keys.keys()
    if missing:
        keys.update({pid: (sku, unit) for pid, sku, unit in uow.session.execute(
            select(Product.id, Product.sku, Product.unit).where(Product.id.in_(missing)))})
    return keys


def _order_view(uow: UnitOfWork, actor: Actor, o: Order, *,
                custom: Mapping[str, Any] | None = None) -> OrderView:
    """The order as the actor may see it; the cost columns were loaded (``load_order``)
    or read back after the write (``_read_costs``) for a role that may see them.
    ``custom``: the order's custom values when the caller has just written them."""
    unit, totals = _cost_columns(uow, actor)
    names = _names(uow, o.owner_id, o.updated_by_id, o.confirmed_by_id, actor=actor)
    keys = _product_keys(uow, o.lines)
    if custom is None:
        custom = custom_fields.values_for(uow=uow, entity=CustomFieldEntity.ORDER,
                                          record_ids=[o.id]).get(o.id, {})
    status = OrderStatus(o.status)
    return OrderView(
        id=o.id, number=o.number, version=o.version, status=status,
        allowed_transitions=ORDER_LIFECYCLE.targets(status),
        customer_id=o.customer_id, customer_name=_customer(uow, o.customer_id).name,
        customer_source=o.customer_source, contact_id=o.contact_id,
        opportunity_id=o.opportunity_id, quotation_id=o.quotation_id, owner_id=o.owner_id,
        owner_name=names.get(o.owner_id), ordered_on=o.ordered_on, due_on=o.due_on,
        total_amount=o.total_amount, total_cost=o.total_cost if totals else None,
        gross_margin=o.total_amount - o.total_cost if totals else None,
        total_points=o.total_points, paid_amount=o.paid_amount,
        open_amount=_open(status, o.total_amount, o.paid_amount),
        delivery_address=o.delivery_address, notes=o.notes,
        lines=tuple(OrderLineView(
            id=ln.id, position=ln.position, product_id=ln.product_id,
            sku=keys[ln.product_id][0] if ln.product_id in keys else None,
            unit=keys[ln.product_id][1] if ln.product_id in keys else None,
            description=ln.description, quantity=ln.quantity, unit_price=ln.unit_price,
            discount_percent=ln.discount_percent, line_total=ln.line_total,
            unit_cost=ln.unit_cost if unit else None,
            line_cost=ln.line_cost if totals else None, sales_points=ln.sales_points)
            for ln in o.lines),
        created_at=o.created_at, updated_at=o.updated_at,
        updated_by_name=names.get(o.updated_by_id or 0),
        custom={k: v for k, v in custom.items() if v is not None},
        confirm_status=ConfirmStatus(o.confirm_status), return_comment=o.return_comment,
        decided_by_name=names.get(o.confirmed_by_id or 0), decided_at=o.confirmed_at,
    )


"""Sales statistics: customer classes, product sales, sales and collections, forecast, assessment.

Each statistic is one function ``compute(ctx) -> StatTable`` (a few grouped queries) and
one ``drill(ctx, selector) -> DrillSpec`` that selects the records behind any cell with the
same conditions and the same per-record expression, so the records add up to the cell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Numeric,
    Select,
    True_,
    and_,
    case,
    cast,
    distinct,
    exists,
    func,
    literal_column,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import aliased

from app.models import (
    Customer,
    Opportunity,
    Order,
    OrderLine,
    Payment,
    PaymentAllocation,
    Product,
    RepairRecord,
    SalesPlan,
    ServiceTicket,
    User,
)
from app.models.customers import customer_directory
from app.models.enums import DataScope, Module, OpportunityStage, PlanPeriod
from app.services.periods import Period
from app.services.permissions import scope_clause, scope_params, sees_margin
from app.services.sales import RECEIVABLE_STATUSES
from app.services.statistics import ChartKind, ColumnKind, StatTable
from app.services.stats_common import (
    NONE_KEY,
    TOTAL_KEY,
    ZERO,
    Ctx,
    DrillSpec,
    built_once,
    dec,
    enum_members,
    key,
    label,
    money,
    month_label,
    month_range,
    percent,
    period_case,
    refers_to,
    row,
)

M2 = Numeric(14, 2)
T, INT, MO, P, D = (ColumnKind.TEXT, ColumnKind.INTEGER, ColumnKind.MONEY, ColumnKind.PERCENT,
                  ColumnKind.DECIMAL)
Owner = aliased(User, name="owner_user")
# The records behind a figure name their customer from the directory (what everyone may
# read): a record in scope is listed even where its customer is someone else's, whose row a
# secured server hides.
NAMES = customer_directory


def _code(value: Any) -> str | None:
    if value is None:
        return None
    return str(getattr(value, "value", value))


def _record_columns(number: Any, day: Any, customer: Any, person: Any, amount: Any,
                    detail: Any, ident: Any) -> tuple[Any, ...]:
    return (ident.label("id"), number.label("number"), day.label("day"),
            customer.label("customer"), person.label("person"), amount.label("amount"),
            detail.label("detail"))


def _empty_detail() -> Any:
    return literal_column("''")


# ============================================================================================
# customer-classes
# ============================================================================================

CC = "customer-classes"


def _customer_conditions(ctx: Ctx) -> list[Any]:
    return [ctx.scope_filter(Module.CUSTOMERS, Customer.owner_id),
            *ctx.person_filters(Customer.owner_id), *ctx.customer_filters()]


def _buyers_in_scope(ctx: Ctx) -> Any:
    """The customers a buyer may be counted as, for a reader whose customers' scope is not
    all: an order in scope may be another's customer's, whose card the reader may not open
    (and whose row a secured server hides), so it is neither counted nor listed as a buyer.
    Their directory entries (readable everywhere), to be outer-joined; None for all."""
    scope, values = scope_params(ctx.uow, ctx.actor, Module.CUSTOMERS)
    if scope is DataScope.ALL:
        return None
    d = customer_directory.c
    return (select(d.id).where(scope_clause(scope, d.owner_id, values))
            .subquery("buyers_in_scope"))


def _cc_groups(view: str) -> tuple[Any, Any, str]:
    family = {"class": "class", "source": "source", "status": "status"}[view]
    customer_column = {"class": Customer.customer_class, "source": Customer.source,
                       "status": Customer.status}[view]
    order_column = {"class": Customer.customer_class, "source": Order.customer_source,
                    "status": Customer.status}[view]
    return customer_column, order_column, family


def customer_classes(ctx: Ctx) -> StatTable:
    f, lang = ctx.filters, ctx.lang
    view = f.group_by or "class"
    cust_col, order_col, family = _cc_groups(view)
    buyers = _buyers_in_scope(ctx)
    # One statement of four parts, told apart by the first column: the sales per group,
    # the customers per group, the new customers per group and month, the lost per month.
    # The orders are summed per customer first: each buyer's class is looked up once (not
    # once per order) and the buyers are the groups' rows, no DISTINCT to sort.
    per_buyer = [Order.customer_id, *((order_col,) if view == "source" else ())]
    bought = (select(*per_buyer, func.count().label("n"),
                     func.sum(Order.total_amount).label("z"))
              .where(*ctx.order_conditions()).group_by(*per_buyer).subquery("bought"))
    group = bought.c.customer_source if view == "source" else order_col
    sold = select(literal_column("0").label("part"), group.label("g"),
                  (func.count(buyers.c.id) if buyers is not None else func.count()).label("x"),
                  func.sum(bought.c.n).label("y"), func.sum(bought.c.z).label("z")
                  ).select_from(bought)
    if view != "source":
        sold = sold.join(Customer, Customer.id == bought.c.customer_id)
    if buyers is not None:
        sold = sold.outerjoin(buyers, buyers.c.id == bought.c.customer_id)
    sold = sold.group_by(group)
    # Counted apart from the new ones: the count reads an index of the group column only,
    # the new ones the few rows the first-contact index finds.
    counted = (select(literal_column("1"), cust_col, null(), func.count(), null())
               .where(*_customer_conditions(ctx)).group_by(cust_col))
    counts: dict[str | None, list[int]] = {}
    sales: dict[str | None, tuple[int, int, Decimal]] = {}
    moved: dict[tuple[str, int], int] = {}
    for r in ctx.session.execute(union_all(sold, counted, *_moves(ctx, cust_col))).all():
        if r[0] == 0:
            sales[_code(r[1])] = (int(r[2]), int(r[3]), money(r[4]))
        elif r[0] == 1:
            counts.setdefault(_code(r[1]), [0, 0])[0] = int(r[3])
        else:
            part = "new" if r[0] == 2 else "lost"
            moved[(part, r[2])] = moved.get((part, r[2]), 0) + int(r[3])
            if r[0] == 2:
                counts.setdefault(_code(r[1]), [0, 0])[1] += int(r[3])
    revenue_total = sum((v[2] for v in sales.values()), ZERO)
    columns = (ctx.col("group", "Group", T), ctx.col("customers", "Customers", INT),
               ctx.col("new", "New in period", INT),
               ctx.col("buyers", "Buying customers", INT),
               ctx.col("orders", "Orders", INT), ctx.col("revenue", "Revenue", MO),
               ctx.col("share", "Revenue share", P))
    rows = []
    codes = enum_members(family)
    extra = [c for c in (*counts, *sales) if c not in codes]
    totals: list[Any] = [0, 0, 0, 0, ZERO]
    for code in [*codes, *dict.fromkeys(extra)]:
        n, new_n = counts.get(code, (0, 0))
        buyers, orders, revenue = sales.get(code, (0, 0, ZERO))
        values = [n, new_n, buyers, orders, revenue]
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        rows.append(row(
            [label(family, code, lang), *values, percent(revenue, revenue_total)],
            [None, *(key(CC, view=view, measure=m, value=code)
                     for m in ("customers", "new", "buyers", "orders", "revenue")), None],
            category=code or NONE_KEY))
    rows.append(row(
        [ctx.total(), *totals, percent(totals[4], revenue_total)],
        [None, *(key(CC, view=view, measure=m, value=TOTAL_KEY)
                 for m in ("customers", "new", "buyers", "orders", "revenue")), None],
        total=True, category=TOTAL_KEY))
    return ctx.table(CC, "Customer classification statistics", columns, rows,
                     ctx.chart(ChartKind.PIE, "group", ("revenue",), "Revenue"),
                     (_new_vs_lost(ctx, moved),))


def _moves(ctx: Ctx, group: Any) -> tuple[Select[Any], Select[Any]]:
    """The customers first met (part 2) per ``group`` and month, and lost (part 3) per
    month of the range: part, the group (nothing for the lost), the month's number, how
    many, nothing."""
    f = ctx.filters
    months = ctx.months()
    conditions = _customer_conditions(ctx)
    parts = []
    for part, column, by in ((2, Customer.first_contact_on, group), (3, Customer.lost_on, None)):
        dated = (select(period_case(column, months).label("p"),
                        (by if by is not None else null()).label("g"))
                 .where(*conditions, column >= f.date_from, column <= f.date_to)
                 .subquery(f"moves_{part}"))
        parts.append(select(literal_column(str(part)), dated.c.g, dated.c.p, func.count(),
                            null()).group_by(dated.c.g, dated.c.p))
    return parts[0], parts[1]


def _new_vs_lost(ctx: Ctx, found: Mapping[tuple[str, int], int]) -> StatTable:
    months = ctx.months()
    rows = []
    total_new = total_lost = 0
    for p in months:
        m = month_label(p)
        n, lo = found.get(("new", p.number), 0), found.get(("lost", p.number), 0)
        total_new, total_lost = total_new + n, total_lost + lo
        rows.append(row([m, n, lo], [None, key(CC, section="moves", measure="new", month=m),
                                     key(CC, section="moves", measure="lost", month=m)],
                        category=m))
    rows.append(row([ctx.total(), total_new, total_lost],
                    [None, key(CC, section="moves", measure="new", month=TOTAL_KEY),
                     key(CC, section="moves", measure="lost", month=TOTAL_KEY)],
                    total=True, category=TOTAL_KEY))
    columns = (ctx.col("month", "Month", T), ctx.col("new", "New customers", INT),
               ctx.col("lost", "Lost customers", INT))
    return ctx.table(CC, "New and lost customers per month", columns, rows,
                     ctx.chart(ChartKind.BAR, "month", ("new", "lost"),
                               "New and lost customers"))


def _customer_records(conditions: list[Any]) -> Select[Any]:
    return (select(*_record_columns(Customer.name, Customer.first_contact_on, Customer.name,
                                    Owner.display_name, cast(null(), M2), Customer.code,
                                    Customer.id))
            .select_from(Customer).outerjoin(Owner, Owner.id == Customer.owner_id)
            .where(*conditions))


def _order_records(conditions: list[Any], amount: Any = None, *,
                   customer: bool = False) -> Select[Any]:
    """The orders behind a figure, the customer named from the directory; ``customer`` joins
    the customer too, for conditions on it (as the figure's query does)."""
    stmt = (select(*_record_columns(Order.number, Order.ordered_on, NAMES.c.name,
                                    Owner.display_name,
                                    amount if amount is not None else Order.total_amount,
                                    _empty_detail(), Order.id))
            .select_from(Order).join(NAMES, NAMES.c.id == Order.customer_id))
    if customer:
        stmt = stmt.join(Customer, Customer.id == Order.customer_id)
    return stmt.outerjoin(Owner, Owner.id == Order.owner_id).where(*conditions)


def _match(column: Any, value: str) -> list[Any]:
    if value == TOTAL_KEY:
        return []
    if value == NONE_KEY:
        return [column.is_(None)]
    if isinstance(column.type, Integer):  # user ids travel as text in the drill key
        return [column == int(value)]
    return [column == value]


def drill_customer_classes(ctx: Ctx, sel: Mapping[str, str]) -> DrillSpec:
    f = ctx.filters
    measure = sel["measure"]
    if sel.get("section") == "moves":
        column = Customer.first_contact_on if measure == "new" else Customer.lost_on
        start, end = ((f.date_from, f.date_to) if sel["month"] == TOTAL_KEY
                      else month_range(ctx, sel["month"]))
        stmt = _customer_records([*_customer_conditions(ctx), column >= start, column <= end])
        return DrillSpec("customer", "Customers", stmt, counted=True)
    cust_col, order_col, _family = _cc_groups(sel["view"])
    value = sel["value"]
    if measure in ("customers", "new"):
        conditions = [*_customer_conditions(ctx), *_match(cust_col, value)]
        if measure == "new":
            conditions += [Customer.first_contact_on >= f.date_from,
                           Customer.first_contact_on <= f.date_to]
        return DrillSpec("customer", "Customers", _customer_records(conditions), counted=True)
    order_conditions = [*ctx.order_conditions(), *_match(order_col, value)]
    if measure == "buyers":
        buyers = (select(Order.customer_id).join(Customer, Customer.id == Order.customer_id)
                  .where(*order_conditions))
        in_scope = ctx.scope_filter(Module.CUSTOMERS, Customer.owner_id)
        return DrillSpec("customer", "Buying customers",
                         _customer_records([Customer.id.in_(buyers), in_scope]), counted=True)
    return DrillSpec("order", "Orders",
                     _order_records(order_conditions, customer=sel["view"] != "source"),
                     counted=measure == "orders")


# ============================================================================================
# product-sales
# ============================================================================================

PS = "product-sales"


def _ps_group(view: str) -> tuple[Any, str]:
    if view == "source":
        return Order.customer_source, "source"
    return Product.category, "category"


def _line_conditions(ctx: Ctx) -> list[Any]:
    conditions = ctx.order_conditions()
    if ctx.filters.product_category is not None:
        conditions.append(Product.category == ctx.filters.product_category)
    return conditions


def _lines_from(stmt: Any, *, customer: bool = False) -> Any:
    stmt = (stmt.select_from(OrderLine).join(Order, Order.id == OrderLine.order_id)
            .outerjoin(Product, Product.id == OrderLine.product_id))
    return stmt.join(NAMES, NAMES.c.id == Order.customer_id) if customer else stmt


def _cost(ctx: Ctx, amount: Any) -> Any:
    """``amount`` (a cost column) for a role that may see costs, else zero: a secured
    server refuses the column to the others, whose tables lose the cost cells anyway."""
    if not sees_margin(ctx.uow, ctx.actor):
        return type_coerce(literal_column("0"), M2)
    return amount


def product_sales(ctx: Ctx) -> StatTable:
    lang = ctx.lang
    view = ctx.filters.group_by or "category"
    group, family = _ps_group(view)
    # The lines sold grouped for the rows and, in the same statement, the orders with such
    # lines counted over all groups (an order with lines in two categories counts once):
    # the orders in the range, each asked by the lines' order index whether it has one.
    # (Both parts from one set of lines made SQLite write the lines to a temporary table.)
    by_group = (_lines_from(select(literal_column("0").label("whole"), group.label("g"),
                                   func.count(distinct(OrderLine.order_id)),
                                   func.sum(OrderLine.quantity), func.sum(OrderLine.line_total),
                                   func.sum(_cost(ctx, OrderLine.line_cost))))
                .where(*_line_conditions(ctx)).group_by(group))
    its_lines = select(OrderLine.id).where(OrderLine.order_id == Order.id)
    if ctx.filters.product_category is not None:
        its_lines = (its_lines.join(Product, Product.id == OrderLine.product_id)
                     .where(Product.category == ctx.filters.product_category))
    whole: Select[*tuple[Any, ...]] = (
        select(literal_column("1"), null(), func.count(), null(), null(), null())
        .select_from(Order).where(*ctx.order_conditions(), exists(its_lines)))
    found: dict[str | None, Any] = {}
    orders_total = 0
    for r in ctx.session.execute(union_all(by_group, whole)).all():
        if r[0]:
            orders_total = int(r[2])
        else:
            found[_code(r[1])] = r[2:]
    columns = (ctx.col("group", "Group", T), ctx.col("orders", "Orders", INT),
               ctx.col("quantity", "Quantity", D), ctx.col("revenue", "Revenue", MO),
               ctx.col("cost", "Cost", MO), ctx.col("margin", "Gross margin", MO),
               ctx.col("margin_pct", "Margin %", P))
    rows = []
    codes = enum_members(family)
    totals: list[Any] = [0, Decimal("0.000"), ZERO, ZERO]
    measures = ("orders", "quantity", "revenue", "cost", "margin")
    for code in [*codes, *(c for c in found if c not in codes)]:
        if code not in found and code not in codes:
            continue
        orders, qty, revenue, cost = found.get(code, (0, 0, 0, 0))
        values: list[Any] = [int(orders or 0), dec(qty, "0.001"), money(revenue), money(cost)]
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        margin = values[2] - values[3]
        rows.append(row([label(family, code, lang), *values, margin,
                         percent(margin, values[2])],
                        [None, *(key(PS, view=view, measure=m, value=code) for m in measures),
                         None], category=code or NONE_KEY))
    margin = totals[2] - totals[3]
    totals[0] = orders_total
    rows.append(row([ctx.total(), *totals, margin, percent(margin, totals[2])],
                    [None, *(key(PS, view=view, measure=m, value=TOTAL_KEY) for m in measures),
                     None], total=True, category=TOTAL_KEY))
    return ctx.table(PS, "Product sales by category", columns, rows,
                     ctx.chart(ChartKind.BAR, "group", ("revenue", "margin"),
                               "Revenue and gross margin"))


def drill_product_sales(ctx: Ctx, sel: Mapping[str, str]) -> DrillSpec:
    group, _family = _ps_group(sel["view"])
    measure = sel["measure"]
    amount = {"orders": OrderLine.line_total, "revenue": OrderLine.line_total,
              "quantity": OrderLine.quantity, "cost": OrderLine.line_cost,
              "margin": OrderLine.line_total - OrderLine.line_cost}[measure]
    amount_type = Numeric(12, 3) if measure == "quantity" else M2
    stmt = _lines_from(select(*_record_columns(
        Order.number, Order.ordered_on, NAMES.c.name, Owner.display_name,
        type_coerce(func.sum(amount), amount_type), _empty_detail(), Order.id)), customer=True)
    stmt = (stmt.outerjoin(Owner, Owner.id == Order.owner_id)
            .where(*_line_conditions(ctx), *_match(group, sel["value"]))
            .group_by(Order.id, Order.number, Order.ordered_on, NAMES.c.name,
                      Owner.display_name))
    return DrillSpec("order", "Orders", stmt, counted=measure == "orders")


# ============================================================================================
# sales-collections
# ============================================================================================

SC = "sales-collections"
AGING = (("0-30", "0–30 days"), ("31-60", "31–60 days"), ("61-90", "61–90 days"),
         ("90+", "Over 90 days"))
TOP_DEBTORS = 10


def _collections_from(stmt: Any, *, customer: bool = False,
                      order: bool = True) -> Any:
    stmt = (stmt.select_from(PaymentAllocation)
            .join(Payment, Payment.id == PaymentAllocation.payment_id))
    if order or customer:
        stmt = stmt.join(Order, Order.id == PaymentAllocation.order_id)
    return stmt.join(NAMES, NAMES.c.id == Order.customer_id) if customer else stmt


def _collection_conditions(ctx: Ctx) -> list[Any]:
    """Money received in the period on orders in scope (whatever became of the order since:
    money collected stays collected)."""
    order_conditions = [c for c in ctx.order_conditions(dated=False, sold=False)
                        if not isinstance(c, True_)]
    return [*order_conditions, PaymentAllocation.order_id.is_not(None),
            Payment.received_on >= ctx.filters.date_from,
            Payment.received_on <= ctx.filters.date_to]


def _needs_order(conditions: list[Any]) -> bool:
    """Whether the collection conditions refer to the order (else the join can go)."""
    return len(conditions) > 3


def _person_label(ctx: Ctx, names: Mapping[int, str], code: str | None) -> str:
    if code is None or code == NONE_KEY:
        return label("salesperson", None, ctx.lang)
    return names.get(int(code), code)


def sales_collections(ctx: Ctx) -> StatTable:
    view = ctx.filters.group_by or "month"
    months = ctx.months()
    if view == "month":
        o = (select(period_case(Order.ordered_on, months).label("g"), Order.total_amount)
             .where(*ctx.order_conditions()).subquery("o"))
        orders_q = select(o.c.g, func.count(), func.sum(o.c.total_amount)).group_by(o.c.g)
        paid_conditions = _collection_conditions(ctx)
        c = _collections_from(select(period_case(Payment.received_on, months).label("g"),
                                     PaymentAllocation.amount),
                              order=_needs_order(paid_conditions)).where(
            *paid_conditions).subquery("c")
        paid_q = select(c.c.g, func.count(), func.sum(c.c.amount)).group_by(c.c.g)
    else:
        orders_q = (select(Order.owner_id, func.count(), func.sum(Order.total_amount))
                    .where(*ctx.order_conditions()).group_by(Order.owner_id))
        paid_q = (_collections_from(select(Order.owner_id, func.count(),
                                           func.sum(PaymentAllocation.amount)))
                  .where(*_collection_conditions(ctx)).group_by(Order.owner_id))
    # Both in one statement, told apart by the first column.
    both = union_all(orders_q.add_columns(literal_column("0").label("paid")),
                     paid_q.add_columns(literal_column("1")))
    ordered: dict[Any, tuple[int, Decimal]] = {}
    paid: dict[Any, tuple[int, Decimal]] = {}
    for r in ctx.session.execute(both).all():
        (paid if r[3] else ordered)[r[0]] = (int(r[1]), money(r[2]))
    if view == "month":
        groups = [(p.number, month_label(p), month_label(p)) for p in months]
    else:
        ids = sorted({*ordered, *paid}, key=lambda v: (v is None, v or 0))
        names = ctx.user_names(ids)
        groups = [(i, str(i) if i is not None else NONE_KEY,
                   _person_label(ctx, names, str(i) if i is not None else None)) for i in ids]
    columns = (ctx.col("group", "Month" if view == "month" else "Salesperson", T),
               ctx.col("orders", "Orders", INT),
               ctx.col("ordered", "Order amount", MO),
               ctx.col("payments", "Payments", INT),
               ctx.col("collected", "Collected", MO),
               ctx.col("rate", "Collected / ordered", P))
    rows = []
    t: list[Any] = [0, ZERO, 0, ZERO]
    measures = ("orders", "ordered", "payments", "collected")
    for g, code, name in groups:
        n, amount = ordered.get(g, (0, ZERO))
        pn, pamount = paid.get(g, (0, ZERO))
        values = [n, amount, pn, pamount]
        t = [a + b for a, b in zip(t, values, strict=True)]
        rows.append(row([name, *values, percent(pamount, amount)],
                        [None, *(key(SC, view=view, measure=m, value=code) for m in measures),
                         None], category=code))
    rows.append(row([ctx.total(), *t, percent(t[3], t[1])],
                    [None, *(key(SC, view=view, measure=m, value=TOTAL_KEY) for m in measures),
                     None], total=True, category=TOTAL_KEY))
    chart = ctx.chart(ChartKind.LINE if view == "month" else ChartKind.BAR, "group",
                      ("ordered", "collected"), "Orders and payments")
    return ctx.table(SC, "Sales and collections analysis", columns, rows, chart,
                     _receivables(ctx))


def _open_orders(ctx: Ctx) -> Any:
    """Per order: what was still open on the last day of the range (as in receivables aging).

    Open then = open now (total − paid) + what payments received after that day settled.
    Most orders are paid in full, so this reads the orders once plus the few later
    payments, instead of adding up every allocation ever made.
    """
    as_of = _as_of(ctx)
    # Payments first (by date, usually none), then their allocations: written as IN so
    # the planner does not walk every allocation by order instead.
    later_payments = select(Payment.id).where(Payment.received_on > as_of)
    later = (select(PaymentAllocation.order_id.label("order_id"),
                    func.sum(PaymentAllocation.amount).label("later"))
             .where(PaymentAllocation.payment_id.in_(later_payments.scalar_subquery()))
             .group_by(PaymentAllocation.order_id).subquery("later"))
    open_amount = Order.total_amount - Order.paid_amount + func.coalesce(later.c.later, 0)
    return (select(Order.id.label("order_id"), Order.number, Order.ordered_on,
                   Order.owner_id, Order.customer_id,
                   func.coalesce(Order.due_on, Order.ordered_on).label("basis"),
                   type_coerce(open_amount, M2).label("open"))
            .select_from(Order)
            .outerjoin(later, later.c.order_id == Order.id)
            .where(Order.status.in_(RECEIVABLE_STATUSES), Order.ordered_on <= as_of,
                   ctx.scope_filter(Module.ORDERS, Order.owner_id),
                   *ctx.person_filters(Order.owner_id),
                   *ctx.customer_filters(customer_id=Order.customer_id,
                                         source_column=Order.customer_source),
                   open_amount > 0)
            .subquery("open_orders"))


def _as_of(ctx: Ctx) -> dt.date:
    """The day receivables are aged on: the end of the range, but never a day still to come
    (the receivables aging page ages on today; a quarter not yet over must agree with it)."""
    return min(ctx.filters.date_to, dt.date.today())


def _bucket_conditions(ctx: Ctx, basis: Any) -> dict[str, Any]:
    as_of = _as_of(ctx)
    d30, d60, d90 = (as_of - dt.timedelta(days=n) for n in (30, 60, 90))
    return {"0-30": basis >= d30, "31-60": and_(basis < d30, basis >= d60),
            "61-90": and_(basis < d60, basis >= d90), "90+": basis < d90}


def _receivables(ctx: Ctx) -> tuple[StatTable, StatTable]:
    """The receivables aging and the top debtors, from one statement: the open orders
    summed per customer, with the aging buckets over all customers as window sums on each
    of the top rows (no open orders, no rows: every bucket is empty)."""
    oo = _open_orders(ctx)
    buckets = _bucket_conditions(ctx, oo.c.basis)
    parts: list[Any] = []
    for code, *_ in AGING:
        parts += [func.count(case((buckets[code], 1))).label(f"n_{code}"),
                  func.sum(case((buckets[code], oo.c.open))).label(f"a_{code}")]
    total = func.sum(oo.c.open)
    per_customer = (select(oo.c.customer_id, func.count().label("n"),
                           type_coerce(total, M2).label("due"), *parts)
                    .group_by(oo.c.customer_id).subquery("per_customer"))
    aging = [func.sum(c).over() if c.name.startswith("n_") else
             type_coerce(func.sum(c).over(), M2) for c in list(per_customer.c)[3:]]
    top = (select(per_customer.c.customer_id, per_customer.c.n, per_customer.c.due,
                  *(a.label(f"all_{i}") for i, a in enumerate(aging)))
           .order_by(per_customer.c.due.desc(), per_customer.c.customer_id)
           .limit(TOP_DEBTORS).subquery("top"))
    found = ctx.session.execute(
        select(top.c.customer_id, NAMES.c.id, NAMES.c.name, top.c.n, top.c.due,
               *list(top.c)[3:])
        .outerjoin(NAMES, NAMES.c.id == top.c.customer_id)
        .order_by(top.c.due.desc(), top.c.customer_id)).all()
    return (_aging(ctx, found[0][5:] if found else (None,) * (2 * len(AGING))),
            _debtors(ctx, [r for r in found if r[1] is not None]))


def _aging(ctx: Ctx, found: Any) -> StatTable:
    rows = []
    tn, ta = 0, ZERO
    for i, (code, age) in enumerate(AGING):
        n, amount = int(found[2 * i] or 0), money(found[2 * i + 1])
        tn, ta = tn + n, ta + amount
        rows.append(row([ctx.words(age), n, amount],
                        [None, key(SC, section="aging", measure="orders", bucket=code),
                         key(SC, section="aging", measure="open", bucket=code)], category=code))
    rows.append(row([ctx.total(), tn, ta],
                    [None, key(SC, section="aging", measure="orders", bucket=TOTAL_KEY),
                     key(SC, section="aging", measure="open", bucket=TOTAL_KEY)],
                    total=True, category=TOTAL_KEY))
    columns = (ctx.col("age", "Age", T), ctx.col("orders", "Open orders", INT),
               ctx.col("open", "Receivable", MO))
    return ctx.table(SC, "Receivables aging on {date}", columns, rows,
                     ctx.chart(ChartKind.BAR, "age", ("open",), "Receivables aging"),
                     values={"date": _as_of(ctx).isoformat()})


def _debtors(ctx: Ctx, found: Any) -> StatTable:
    rows = [row([r[2], int(r[3]), money(r[4])],
                [None, key(SC, section="debtors", measure="orders", customer=str(r[0])),
                 key(SC, section="debtors", measure="open", customer=str(r[0]))],
                category=str(r[0])) for r in found]
    columns = (ctx.col("customer", "Customer", T),
               ctx.col("orders", "Open orders", INT),
               ctx.col("open", "Receivable", MO))
    return ctx.table(SC, "Top {count} debtors", columns, rows, None,
                     values={"count": TOP_DEBTORS})


def drill_sales_collections(ctx: Ctx, sel: Mapping[str, str]) -> DrillSpec:
    measure = sel["measure"]
    section = sel.get("section")
    if section in ("aging", "debtors"):
        oo = _open_orders(ctx)
        conditions: list[Any] = []
        if section == "aging" and sel["bucket"] != TOTAL_KEY:
            conditions.append(_bucket_conditions(ctx, oo.c.basis)[sel["bucket"]])
        if section == "debtors":
            conditions.append(oo.c.customer_id == int(sel["customer"]))
        stmt = (select(*_record_columns(oo.c.number, oo.c.ordered_on, NAMES.c.name,
                                        Owner.display_name, oo.c.open, _empty_detail(),
                                        oo.c.order_id))
                .select_from(oo).join(NAMES, NAMES.c.id == oo.c.customer_id)
                .outerjoin(Owner, Owner.id == oo.c.owner_id).where(*conditions))
        return DrillSpec("order", "Open orders", stmt, counted=measure == "orders")
    view, value = sel["view"], sel["value"]
    if measure in ("orders", "ordered"):
        conditions = ctx.order_conditions()
        if value != TOTAL_KEY:
            if view == "month":
                start, end = month_range(ctx, value)
                conditions += [Order.ordered_on >= start, Order.ordered_on <= end]
            else:
                conditions += _match(Order.owner_id, value)
        return DrillSpec("order", "Orders", _order_records(conditions),
                         counted=measure == "orders")
    conditions = _collection_conditions(ctx)
    if value != TOTAL_KEY:
        if view == "month":
            start, end = month_range(ctx, value)
            conditions += [Payment.received_on >= start, Payment.received_on <= end]
        else:
            conditions += _match(Order.owner_id, value)
    stmt = (_collections_from(select(*_record_columns(
        Payment.number, Payment.received_on, NAMES.c.name, Owner.display_name,
        PaymentAllocation.amount, Order.number, Payment.id)), customer=True)
        .outerjoin(Owner, Owner.id == Order.owner_id).where(*conditions))
    return DrillSpec("payment", "Payments received", stmt, counted=measure == "payments")


# ============================================================================================
# forecast
# ============================================================================================

FC = "forecast"
CLOSED_STAGES = (OpportunityStage.WON, OpportunityStage.LOST)


def _opportunity_conditions(ctx: Ctx) -> list[Any]:
    return [Opportunity.stage.not_in(CLOSED_STAGES),
            *ctx.within_dates(Opportunity.expected_close_on),
            ctx.scope_filter(Module.OPPORTUNITIES, Opportunity.owner_id),
            *ctx.person_filters(Opportunity.owner_id),
            *ctx.customer_filters(customer_id=Opportunity.customer_id,
                                  source_column=Opportunity.source)]


# Made once: an ORM alias takes longer to make than the rest of the forecast's statement.
_OVERALL = aliased(SalesPlan, name="overall")


def _plan_conditions(ctx: Ctx) -> list[Any]:
    """The month plans that count: an owner's overall plan, else their per-customer plans."""
    f = ctx.filters
    overall = _OVERALL
    has_overall = exists(select(overall.id).where(
        overall.owner_id == SalesPlan.owner_id, overall.year == SalesPlan.year,
        overall.period_kind == SalesPlan.period_kind, overall.period == SalesPlan.period,
        overall.customer_id.is_(None)))
    ym = SalesPlan.year * 100 + SalesPlan.period
    return [SalesPlan.period_kind == PlanPeriod.MONTH,
            ym >= ctx.given("stat_month_from", f.date_from.year * 100 + f.date_from.month,
                            Integer),
            ym <= ctx.given("stat_month_to", f.date_to.year * 100 + f.date_to.month, Integer),
            or_(SalesPlan.customer_id.is_(None), ~has_overall),
            ctx.scope_filter(Module.SALES_PLANS, SalesPlan.owner_id),
            *ctx.person_filters(SalesPlan.owner_id)]


def forecast(ctx: Ctx) -> StatTable:
    view = ctx.filters.group_by or "month"
    months = ctx.months()
    # Built once per view, number of months and shape of the filters: building it took
    # longer than its SQL (four months at 100 000 customers on SQLite).
    shape = ctx.shape(Module.OPPORTUNITIES, Module.ORDERS, Module.SALES_PLANS)
    parts = built_once((FC, view, len(months), *shape),
                       lambda: _forecast_parts(replace(ctx, unvalued=True), view, months))
    opps: dict[Any, tuple[int, Decimal, Decimal]] = {}
    sold: dict[Any, Decimal] = {}
    plans: dict[Any, Decimal] = {}
    for r in ctx.session.execute(parts, ctx.values(months)).all():
        if r[0] == 0:
            opps[r[1]] = (int(r[2]), money(r[3]), dec(r[4]))
        else:
            (sold if r[0] == 1 else plans)[r[1]] = money(r[3])
    if view == "month":
        number_of = {p.starts_on.year * 100 + p.starts_on.month: p.number for p in months}
        plans = {number_of.get(ym): amount for ym, amount in plans.items()}
        groups = [(p.number, month_label(p), month_label(p)) for p in months]
    else:
        ids = sorted({*opps, *sold, *plans}, key=lambda v: (v is None, v or 0))
        names = ctx.user_names(ids)
        groups = [(i, str(i) if i is not None else NONE_KEY,
                   _person_label(ctx, names, str(i) if i is not None else None)) for i in ids]
    columns = (ctx.col("group", "Month" if view == "month" else "Salesperson", T),
               ctx.col("opportunities", "Open opportunities", INT),
               ctx.col("expected", "Expected amount", MO),
               ctx.col("weighted", "Weighted (× probability)", MO),
               ctx.col("actual", "Sold", MO), ctx.col("plan", "Sales plan", MO),
               ctx.col("coverage", "(Sold + weighted) / plan", P))
    rows = []
    t: list[Any] = [0, ZERO, ZERO, ZERO, ZERO]
    measures = ("opportunities", "expected", "weighted", "actual", "plan")
    for g, code, name in groups:
        n, expected, w = opps.get(g, (0, ZERO, ZERO))
        values: list[Any] = [n, expected, w / 100, sold.get(g, ZERO), plans.get(g, ZERO)]
        t = [a + b for a, b in zip(t, values, strict=True)]
        rows.append(row([name, *values, percent(values[3] + values[2], values[4])],
                        [None, *(key(FC, view=view, measure=m, value=code) for m in measures),
                         None], category=code))
    rows.append(row([ctx.total(), *t, percent(t[3] + t[2], t[4])],
                    [None, *(key(FC, view=view, measure=m, value=TOTAL_KEY) for m in measures),
                     None], total=True, category=TOTAL_KEY))
    return ctx.table(FC, "Sales forecast", columns, rows,
                     ctx.chart(ChartKind.BAR, "group", ("plan", "actual", "weighted"),
                               "Plan, sold and weighted forecast"))


def _forecast_parts(ctx: Ctx, view: str, months: tuple[Period, ...]) -> Any:
    """The open opportunities, the orders and the plans per group (month or salesperson)
    in one statement, told apart by the first column; from an unvalued ``ctx``."""
    weighted = type_coerce(Opportunity.expected_amount * Opportunity.probability, M2)
    opp_from = (select(Opportunity.owner_id,
                       period_case(Opportunity.expected_close_on, months,
                                   unvalued=ctx.unvalued).label("p"),
                       Opportunity.expected_amount, weighted.label("w"))
                .where(*_opportunity_conditions(ctx)).subquery("opps"))
    ords = (select(Order.owner_id,
                   period_case(Order.ordered_on, months, unvalued=ctx.unvalued).label("p"),
                   Order.total_amount).where(*ctx.order_conditions()).subquery("ords"))
    if view == "month":
        og, sg = opp_from.c.p, ords.c.p
        plan_group: Any = SalesPlan.year * 100 + SalesPlan.period
    else:
        og, sg = opp_from.c.owner_id, ords.c.owner_id
        plan_group = SalesPlan.owner_id
    return union_all(
        select(literal_column("0").label("part"), og.label("g"), func.count(),
               func.sum(opp_from.c.expected_amount), func.sum(opp_from.c.w)).group_by(og),
        select(literal_column("1"), sg, null(), func.sum(ords.c.total_amount), null())
        .group_by(sg),
        select(literal_column("2"), plan_group, null(), func.sum(SalesPlan.planned_amount),
               null()).where(*_plan_conditions(ctx)).group_by(plan_group))


def drill_forecast(ctx: Ctx, sel: Mapping[str, str]) -> DrillSpec:
    view, value, measure = sel["view"], sel["value"], sel["measure"]
    if measure == "actual":
        conditions = ctx.order_conditions()
        if value != TOTAL_KEY:
            if view == "month":
                start, end = month_range(ctx, value)
                conditions += [Order.ordered_on >= start, Order.ordered_on <= end]
            else:
                conditions += _match(Order.owner_id, value)
        return DrillSpec("order", "Orders", _order_records(conditions))
    if measure == "plan":
        conditions = _plan_conditions(ctx)
        if value != TOTAL_KEY:
            if view == "month":
                year, month = (int(v) for v in value.split("-"))
                conditions += [SalesPlan.year == year, SalesPlan.period == month]
            else:
                conditions += _match(SalesPlan.owner_id, value)
        plan_customer = aliased(Customer, name="plan_customer")
        stmt = (select(*_record_columns(
            func.coalesce(plan_customer.name, literal_column("''")),
            cast(null(), Customer.first_contact_on.type),
            func.coalesce(plan_customer.name, literal_column("''")), Owner.display_name,
            SalesPlan.planned_amount, _empty_detail(), SalesPlan.id))
            .select_from(SalesPlan).outerjoin(plan_customer,
                                              plan_customer.id == SalesPlan.customer_id)
            .outerjoin(Owner, Owner.id == SalesPlan.owner_id).where(*conditions))
        return DrillSpec("sales_plan", "Sales plans", stmt)
    conditions = _opportunity_conditions(ctx)
    if value != TOTAL_KEY:
        if view == "month":
            start, end = month_range(ctx, value)
            conditions += [Opportunity.expected_close_on >= start,
                           Opportunity.expected_close_on <= end]
        else:
            conditions += _match(Opportunity.owner_id, value)
    amount = (type_coerce(Opportunity.expected_amount * Opportunity.probability, M2)
              if measure == "weighted" else Opportunity.expected_amount)
    stmt = (select(*_record_columns(Opportunity.number, Opportunity.expected_close_on,
                                    NAMES.c.name, Owner.display_name, amount,
                                    Opportunity.title, Opportunity.id))
            .select_from(Opportunity).join(NAMES, NAMES.c.id == Opportunity.customer_id)
            .outerjoin(Owner, Owner.id == Opportunity.owner_id).where(*conditions))
    return DrillSpec("opportunity", "Open opportunities", stmt,
                     counted=measure == "opportunities",
                     divisor=100 if measure == "weighted" else 1)


# ============================================================================================
# assessment
# ============================================================================================

AS = "assessment"


def _cost_share(ctx: Ctx) -> ColumnElement[Any]:
    """The part of an order's cost a payment allocation stands for, to the cent."""
    share = (PaymentAllocation.amount * _cost(ctx, Order.total_cost) * literal_column("1.0")
             / func.nullif(Order.total_amount, 0))
    return type_coerce(func.round(func.coalesce(share, 0), 2), M2)


def _ranked(rows: list[tuple[Any, list[Any], list[Any], str]], by: int) -> list[Any]:
    """Sort by the value at ``by`` (descending) and put the rank first; ties share a rank."""
    ordered = sorted(rows, key=lambda r: (-r[1][by], r[0]))
    result = []
    rank, last = 0, None
    for index, (_sort, cells, drill, code) in enumerate(ordered, start=1):
        if cells[by] != last:
            rank, last = index, cells[by]
        result.append(row([rank, *cells], [None, *drill], category=code))
    return result


def assessment(ctx: Ctx) -> StatTable:
    view = ctx.filters.group_by or "orders"
    if view == "payments":
        sales = (_collections_from(select(literal_column("0").label("part"), Order.owner_id,
                                          func.count(), func.sum(PaymentAllocation.amount),
                                          func.sum(_cost_share(ctx)),
                                          cast(null(), M2)))
                 .where(*_collection_conditions(ctx)).group_by(Order.owner_id))
    else:
        # Order totals are the sums of their lines (revenue, cost and points snapshots),
        # kept by the sales service; reading them spares joining every line.
        sales = (select(literal_column("0").label("part"), Order.owner_id, func.count(),
                        func.sum(Order.total_amount), func.sum(_cost(ctx, Order.total_cost)),
                        func.sum(Order.total_points))
                 .where(*ctx.order_conditions()).group_by(Order.owner_id))
    # The staff's sales and the technicians' jobs in one statement (the first column).
    found: dict[Any, tuple[int, Decimal, Decimal]] = {}
    points: dict[Any, Decimal] = {}
    techs: dict[Any, tuple[int, Decimal]] = {}
    for r in ctx.session.execute(union_all(sales, _technicians(ctx))).all():
        if r[0] == 0:
            found[r[1]] = (int(r[2]), money(r[3]), money(r[4]))
            if view != "payments":
                points[r[1]] = dec(r[5])
        else:
            techs[r[1]] = (int(r[2]), dec(r[3]))
    names = ctx.user_names([*found, *techs])
    by_payments = view == "payments"
    measures = (("payments", "collected", "cost", "margin") if by_payments
                else ("orders", "revenue", "cost", "margin", "points"))
    rows = []
    t: list[Any] = [0, ZERO, ZERO, ZERO, ZERO]
    for owner, (n, revenue, cost) in found.items():
        code = str(owner) if owner is not None else NONE_KEY
        margin = revenue - cost
        cells: list[Any] = [_person_label(ctx, names, code), n, revenue, cost, margin,
                            percent(margin, revenue)]
        drill: list[Any] = [None, *(key(AS, view=view, measure=m, value=code)
                                    for m in measures[:4]), None]
        values = [n, revenue, cost, margin, ZERO]
        if not by_payments:
            cells.append(points.get(owner, ZERO))
            drill.append(key(AS, view=view, measure="points", value=code))
            values[4] = points.get(owner, ZERO)
        t = [a + b for a, b in zip(t, values, strict=True)]
        rows.append((owner or 0, cells, drill, code))
    ranked = _ranked(rows, by=4)
    total_cells: list[Any] = [None, ctx.total(), *t[:4], percent(t[3], t[1])]
    total_drill: list[Any] = [None, None, *(key(AS, view=view, measure=m, value=TOTAL_KEY)
                                            for m in measures[:4]), None]
    if not by_payments:
        total_cells.append(t[4])
        total_drill.append(key(AS, view=view, measure="points", value=TOTAL_KEY))
    ranked.append(row(total_cells, total_drill, total=True, category=TOTAL_KEY))
    # The assessment's margin is the sales margin (销售毛利) of the staff's own figures.
    columns: tuple[Any, ...] = (
        ctx.col("rank", "Rank", INT), ctx.col("person", "Salesperson", T),
        ctx.col("count", "Payments" if by_payments else "Orders", INT),
        ctx.col("revenue", "Collected" if by_payments else "Revenue", MO),
        ctx.col("cost", "Cost share" if by_payments else "Cost", MO),
        ctx.col("margin", "Sales margin", MO), ctx.col("margin_pct", "Margin %", P))
    if not by_payments:
        columns += (ctx.col("points", "Sales points", D),)
    title = ("Staff assessment: margin by payments collected" if by_payments
             else "Staff assessment: margin by order date")
    return ctx.table(AS, title, columns, ranked,
                     ctx.chart(ChartKind.BAR, "person", ("margin",), "Sales margin"),
                     (_technician_table(ctx, techs, names),))


def _repair_conditions(ctx: Ctx) -> list[Any]:
    # A repair record is part of its ticket: in scope with the ticket (as on the ticket
    # card and under row security), not by who did the work.
    return [RepairRecord.completed_at >= ctx.start_ts, RepairRecord.completed_at < ctx.end_ts,
            ctx.ticket_scope(),
            *ctx.person_filters(RepairRecord.technician_id),
            *ctx.customer_filters(customer_id=ServiceTicket.customer_id)]


def _repairs_from(stmt: Select[*tuple[Any, ...]], *, customer: bool = False,
                  ticket: bool = True) -> Select[*tuple[Any, ...]]:
    stmt = stmt.select_from(RepairRecord)
    if ticket or customer:
        stmt = stmt.join(ServiceTicket, ServiceTicket.id == RepairRecord.ticket_id)
    return stmt.join(NAMES, NAMES.c.id == ServiceTicket.customer_id) if customer else stmt


def _technicians(ctx: Ctx) -> Select[Any]:
    """Jobs and service score per technician: 1, technician, jobs, score, nothing, nothing.

    Every repair record has its ticket, so the ticket is joined only when a condition (the
    reader's scope, a customer filter) asks about it."""
    conditions = _repair_conditions(ctx)
    return (_repairs_from(select(literal_column("1"), RepairRecord.technician_id, func.count(),
                                 func.sum(RepairRecord.service_score), null(), null()),
                          ticket=refers_to(conditions, ServiceTicket.__table__))
            .where(*conditions).group_by(RepairRecord.technician_id))


def _technician_table(ctx: Ctx, techs: Mapping[Any, tuple[int, Decimal]],
                      names: Mapping[int, str]) -> StatTable:
    rows = []
    tn, ts = 0, ZERO
    for tech, (jobs, score) in techs.items():
        code = str(tech)
        tn, ts = tn + jobs, ts + score
        average = (score / jobs).quantize(Decimal("0.01")) if jobs else None
        rows.append((tech, [_person_label(ctx, names, code), jobs, score, average],
                     [None, key(AS, section="service", measure="jobs", value=code),
                      key(AS, section="service", measure="score", value=code), None], code))
    ranked = _ranked(rows, by=2)
    ranked.append(row([None, ctx.total(), tn, ts,
                       (ts / tn).quantize(Decimal("0.01")) if tn else None],
                      [None, None, key(AS, section="service", measure="jobs", value=TOTAL_KEY),
                       key(AS, section="service", measure="score", value=TOTAL_KEY), None],
                      total=True, category=TOTAL_KEY))
    columns = (ctx.col("rank", "Rank", INT), ctx.col("person", "Technician", T),
               ctx.col("jobs", "Jobs", INT), ctx.col("score", "Service score", D),
               ctx.col("average", "Score per job", D))
    return ctx.table(AS, "Staff assessment: service score", columns, ranked,
                     ctx.chart(ChartKind.BAR, "person", ("score",), "Service score"))


def drill_assessment(ctx: Ctx, sel: Mapping[str, str]) -> DrillSpec:
    measure, value = sel["measure"], sel["value"]
    if sel.get("section") == "service":
        conditions = [*_repair_conditions(ctx), *_match(RepairRecord.technician_id, value)]
        stmt = (_repairs_from(select(*_record_columns(
            ServiceTicket.number, RepairRecord.completed_at, NAMES.c.name, Owner.display_name,
            RepairRecord.service_score, RepairRecord.job_type, RepairRecord.id)),
            customer=True)
            .outerjoin(Owner, Owner.id == RepairRecord.technician_id).where(*conditions))
        return DrillSpec("repair_record", "Repair records", stmt,
                         counted=measure == "jobs")
    if sel["view"] == "payments":
        amount = {"payments": PaymentAllocation.amount, "collected": PaymentAllocation.amount,
                  "cost": _cost_share(ctx),
                  "margin": type_coerce(PaymentAllocation.amount - _cost_share(ctx), M2)
                  }[measure]
        stmt = (_collections_from(select(*_record_columns(
            Payment.number, Payment.received_on, NAMES.c.name, Owner.display_name, amount,
            Order.number, Payment.id)), customer=True)
            .outerjoin(Owner, Owner.id == Order.owner_id)
            .where(*_collection_conditions(ctx), *_match(Order.owner_id, value)))
        return DrillSpec("payment", "Payments received", stmt,
                         counted=measure == "payments")
    conditions = [*ctx.order_conditions(), *_match(Order.owner_id, value)]
    amount = {"points": type_coerce(Order.total_points, M2), "orders": Order.total_amount,
              "revenue": Order.total_amount,
              "cost": Order.total_cost,
              "margin": type_coerce(Order.total_amount - Order.total_cost, M2)}[measure]
    return DrillSpec("order", "Orders", _order_records(conditions, amount),
                     counted=measure == "orders")

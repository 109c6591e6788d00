"""Receivables (应收款): what customers owe, now and by age."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, case, func, select

from app.models import Order, Payment, PaymentAllocation
from app.models.customers import customer_directory
from app.models.enums import Module, Operation
from app.services.directory import customer_entry
from app.services.permissions import Actor, require, scope_filter
from app.services.sales._common import RECEIVABLE_STATUSES, _money, _not_found, _open_orders, _sum
from app.services.sales.data import AgingReport, AgingRow, ReceivableView
from app.services.uow import UnitOfWork


def customer_receivable(*, uow: UnitOfWork, actor: Actor, customer_id: int) -> ReceivableView:
    """The customer's open balance over the orders in the actor's data scope, with the
    open orders oldest first (what a payment can be allocated to)."""
    with uow:
        require(uow, actor, Module.PAYMENTS, Operation.VIEW)
        # The name from the directory (what everyone may read of any customer); the
        # amounts only from the orders in the actor's scope.
        customer = customer_entry(uow, customer_id)
        if customer is None:
            raise _not_found("Customer", customer_id)
        orders = _open_orders(uow, actor, customer_id)
        return ReceivableView(customer_id=customer.id, customer_name=customer.name,
                              open_amount=_sum(o.open_amount for o in orders), orders=orders)


def receivables_aging(
    *, uow: UnitOfWork, actor: Actor, as_of: dt.date, customer_id: int | None = None,
) -> AgingReport:
    """Open amounts per customer as they stood on ``as_of``, by age: 0–30, 31–60, 61–90
    and over 90 days past the due date (the order date where no due date is set).

    Counts the confirmed, delivered and completed orders made by ``as_of`` in the actor's
    data scope, less the payments received by ``as_of``. One grouped query; the bucket
    boundaries are dates computed here and bound as parameters, the same on every database.
    """
    with uow:
        require(uow, actor, Module.PAYMENTS, Operation.VIEW)
        paid = (
            select(PaymentAllocation.order_id.label("order_id"),
                   func.sum(PaymentAllocation.amount).label("paid"))
            .join(Payment, Payment.id == PaymentAllocation.payment_id)
            .where(PaymentAllocation.order_id.is_not(None), Payment.received_on <= as_of)
            .group_by(PaymentAllocation.order_id)
            .subquery()
        )
        open_amount = Order.total_amount - func.coalesce(paid.c.paid, 0)
        basis = func.coalesce(Order.due_on, Order.ordered_on)
        d30, d60, d90 = (as_of - dt.timedelta(days=n) for n in (30, 60, 90))

        def bucket(condition: Any) -> Any:
            return func.sum(case((condition, open_amount), else_=0))

        conditions = [
            Order.status.in_(RECEIVABLE_STATUSES),
            Order.ordered_on <= as_of,
            scope_filter(uow, actor, Module.ORDERS, Order.owner_id),
        ]
        if customer_id is not None:
            conditions.append(Order.customer_id == customer_id)
        # The customer's code and name from the directory (what everyone may read): the
        # orders in scope count even where the customer is someone else's.
        d = customer_directory.c
        stmt = (
            select(
                Order.customer_id, d.code, d.name,
                bucket(basis >= d30),
                bucket(and_(basis < d30, basis >= d60)),
                bucket(and_(basis < d60, basis >= d90)),
                bucket(basis < d90),
                func.sum(open_amount),
            )
            .join(customer_directory, d.id == Order.customer_id)
            .outerjoin(paid, paid.c.order_id == Order.id)
            .where(*conditions)
            .group_by(Order.customer_id, d.code, d.name, d.sort_key)
            .order_by(d.sort_key, Order.customer_id)
        )
        rows = []
        for r in uow.session.execute(stmt).all():
            row = AgingRow(customer_id=r[0], customer_code=r[1], customer_name=r[2],
                           days_0_30=_money(r[3]), days_31_60=_money(r[4]),
                           days_61_90=_money(r[5]), days_over_90=_money(r[6]),
                           total=_money(r[7]))
            if row.total != 0:  # customers whose orders are all paid
                rows.append(row)
        return AgingReport(
            as_of=as_of, rows=tuple(rows),
            days_0_30=_sum(r.days_0_30 for r in rows),
            days_31_60=_sum(r.days_31_60 for r in rows),
            days_61_90=_sum(r.days_61_90 for r in rows),
            days_over_90=_sum(r.days_over_90 for r in rows),
            total=_sum(r.total for r in rows),
        )


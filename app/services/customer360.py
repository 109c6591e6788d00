"""The customer 360 view: one timeline of everything about a customer, in a fixed few queries."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Numeric,
    Select,
    String,
    TypeDecorator,
    Unicode,
    UnicodeText,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import Null

from app.models import (
    AuditEntry,
    CareItem,
    ContractDevice,
    Customer,
    Device,
    Opportunity,
    Order,
    Payment,
    Quotation,
    RepairRecord,
    ServiceContract,
    ServiceTicket,
    Task,
    User,
    Visit,
)
from app.models.customers import customer_phones
from app.models.enums import (
    ContractStatus,
    CustomerClass,
    CustomerSource,
    CustomerStatus,
    DataScope,
    Module,
    Operation,
    OrderStatus,
    ReadAction,
    TicketStatus,
)
from app.services import read_trail
from app.services.audit import render_summary
from app.services.customers import refuse_hidden_customer
from app.services.permissions import (
    SCOPE_DEPARTMENT,
    SCOPE_USER,
    Actor,
    grants_for,
    hidden_fields,
    require,
    require_in_scope,
    scope_clause,
    scope_params,
    sees_field,
)
from app.services.uow import UnitOfWork


class _AnyTimestamp(TypeDecorator[dt.datetime]):
    """Reads a union column that holds dates on some rows and timestamps on others."""

    impl = String
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = (dt.datetime.fromisoformat(value) if len(value) > 10
                     else dt.datetime.combine(dt.date.fromisoformat(value), dt.time()))
        elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            value = dt.datetime.combine(value, dt.time())
        stamp: dt.datetime = value
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=dt.UTC)
        return stamp.astimezone(dt.UTC)


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened with the customer. ``kind`` names the record type."""

    kind: str
    record_id: int
    at: dt.datetime
    reference: str
    state: str
    text: str
    amount: Decimal | None
    user_name: str | None


@dataclass(frozen=True)
class DeviceSummary:
    id: int
    brand: str
    model: str
    serial_number: str
    install_date: dt.date | None
    contract_number: str | None
    contract_ends_on: dt.date | None


@dataclass(frozen=True)
class ContractSummary:
    id: int
    number: str
    kind: str
    status: str
    starts_on: dt.date
    ends_on: dt.date


@dataclass(frozen=True)
class CustomerOverview:
    id: int
    code: str
    version: int
    name: str
    customer_class: CustomerClass
    source: CustomerSource
    status: CustomerStatus
    owner_name: str | None
    phone: str | None
    receivable: Decimal
    devices: tuple[DeviceSummary, ...]
    contracts: tuple[ContractSummary, ...]
    timeline: tuple[TimelineEntry, ...]


TIMELINE_LIMIT = 300


def customer_overview(
    *, uow: UnitOfWork, actor: Actor, customer_id: int, limit: int = TIMELINE_LIMIT,
    today: dt.date | None = None,
) -> CustomerOverview:
    """Header figures and the timeline, newest first.

    The number of queries does not depend on the length of the history: permissions
    (one, two on a cold cache), the customer with its receivable, its devices with its
    contracts (one UNION ALL) and the timeline (one UNION ALL over every kind of record).
    It only reads: no transaction on a server, no write lock on SQLite.
    """
    today = today or dt.date.today()
    with uow.reading():
        grants = require(uow, actor, Module.CUSTOMERS, Operation.VIEW)
        # A role with the phone field hidden reads only its own customers' number, through
        # the phone view (its database login may not read the column).
        phone: Any = Customer.phone
        if "phone" in hidden_fields(uow, actor, Module.CUSTOMERS):
            cp = customer_phones.c
            phone = (select(cp.phone).where(cp.id == Customer.id, cp.owner_id == actor.user_id)
                     .scalar_subquery())
        head = uow.session.execute(_header_query(
            customer_id, grants.allows(Module.PAYMENTS, Operation.VIEW), phone)).one_or_none()
        if head is None:
            refuse_hidden_customer(uow, actor, customer_id)
        require_in_scope(uow, actor, Module.CUSTOMERS, Operation.VIEW, head.owner_id)
        devices, contracts = _devices_and_contracts(
            uow, customer_id, today,
            covering=(grants.allows(Module.CONTRACTS, Operation.VIEW)
                      or grants.allows(Module.SERVICE_TICKETS, Operation.VIEW)),
            contracts=grants.allows(Module.CONTRACTS, Operation.VIEW))
        # Each kind of record within its own module's data scope, as its list shows it (and
        # as a secured server's row security does): the customer's card does not widen it.
        grants_all = grants_for(uow, actor)
        visible = {(m, scope_params(uow, actor, m)[0]) for m in Module
                   if grants_all.allows(m, Operation.VIEW)}
        _scope, actor_values = scope_params(uow, actor, Module.CUSTOMERS)
        timeline = _timeline(uow, customer_id, visible, actor_values,
                             max(1, min(limit, 2000)))
        receivable = (head.orders_open or Decimal("0")) + (head.tickets_open or Decimal("0"))
        if not grants.allows(Module.PAYMENTS, Operation.VIEW):
            receivable = Decimal("0")
        overview = CustomerOverview(
            id=head.id, code=head.code, version=head.version, name=head.name,
            customer_class=head.customer_class, source=head.source, status=head.status,
            owner_name=head.owner_name,
            phone=head.phone if sees_field(uow, actor, Module.CUSTOMERS, "phone",
                                           head.owner_id) else None,
            receivable=Decimal(receivable).quantize(Decimal("0.01")),
            devices=devices, contracts=contracts, timeline=timeline,
        )
    read_trail.note(uow.engine, actor, ReadAction.OVERVIEW, customer_id=customer_id)
    return overview


def _header_query(customer_id: int, with_receivable: bool,
                  phone: Any) -> Select[*tuple[Any, ...]]:
    """The customer's head row; the open amounts only for roles that see payments (the
    others' database logins may not read orders and tickets at all)."""
    if not with_receivable:
        zero = literal(Decimal("0.00"), Numeric(14, 2))
        return _head(customer_id, zero, zero, phone)
    orders_open = (
        select(func.coalesce(func.sum(Order.total_amount - Order.paid_amount), 0))
        .where(Order.customer_id == customer_id, Order.status != OrderStatus.CANCELLED)
        .scalar_subquery()
    )
    tickets_open = (
        select(func.coalesce(func.sum(ServiceTicket.total_charge - ServiceTicket.paid_amount),
                             0))
        .where(ServiceTicket.customer_id == customer_id,
               ServiceTicket.status != TicketStatus.CANCELLED)
        .scalar_subquery()
    )
    return _head(customer_id, orders_open, tickets_open, phone)


def _head(customer_id: int, orders_open: Any, tickets_open: Any,
          phone: Any) -> Select[*tuple[Any, ...]]:
    return (
        select(Customer.id, Customer.code, Customer.version, Customer.name,
               Customer.customer_class, Customer.source, Customer.status, Customer.owner_id,
               phone.label("phone"), User.display_name.label("owner_name"),
               type_coerce(orders_open, Numeric(14, 2)).label("orders_open"),
               type_coerce(tickets_open, Numeric(14, 2)).label("tickets_open"))
        .outerjoin(User, User.id == Customer.owner_id)
        .where(Customer.id == customer_id)
    )


def _devices_and_contracts(
        uow: UnitOfWork, customer_id: int, today: dt.date, *, covering: bool,
        contracts: bool) -> tuple[tuple[DeviceSummary, ...], tuple[ContractSummary, ...]]:
    """The customer's machines and its contracts in one UNION ALL: each machine with the
    contract covering it today only for roles that see contracts or repairs, the contracts
    only for roles that see contracts (the others' database logins may not read them)."""
    text = Unicode(100)
    machines: Any = select(
        literal("device", String(10)).label("row_kind"), Device.id.label("id"),
        type_coerce(Device.brand, text).label("a"), type_coerce(Device.model, text).label("b"),
        type_coerce(Device.serial_number, text).label("c"),
        Device.install_date.label("day1"),
        (type_coerce(ServiceContract.number, text) if covering
         else cast(null(), text)).label("e"),
        (ServiceContract.ends_on if covering else cast(null(), Date())).label("day2"),
    ).where(Device.customer_id == customer_id)
    if covering:
        machines = machines.outerjoin(
            ContractDevice, ContractDevice.device_id == Device.id).outerjoin(
            ServiceContract, and_(ServiceContract.id == ContractDevice.contract_id,
                                  ServiceContract.status == ContractStatus.ACTIVE,
                                  ServiceContract.starts_on <= today,
                                  ServiceContract.ends_on >= today))
    stmt: Any = machines
    if contracts:
        stmt = union_all(machines, select(
            literal("contract", String(10)), ServiceContract.id,
            type_coerce(ServiceContract.number, text),
            type_coerce(type_coerce(ServiceContract.kind, String(20)), text),
            type_coerce(type_coerce(ServiceContract.status, String(20)), text),
            ServiceContract.starts_on, cast(null(), text), ServiceContract.ends_on,
        ).where(ServiceContract.customer_id == customer_id))
    rows = uow.session.execute(stmt).all()
    seen: dict[int, DeviceSummary] = {}
    # By machine, the covering contract that ends last first (as the list showed it).
    machine_rows = sorted((r for r in rows if r.row_kind == "device"),
                          key=lambda r: (r.id, r.day2 is None,
                                         -(r.day2.toordinal() if r.day2 else 0)))
    for r in machine_rows:
        current = seen.get(r.id)
        if current is None or (current.contract_number is None and r.e is not None):
            seen[r.id] = DeviceSummary(id=r.id, brand=r.a, model=r.b, serial_number=r.c,
                                       install_date=r.day1, contract_number=r.e,
                                       contract_ends_on=r.day2)
    found = tuple(
        ContractSummary(id=r.id, number=r.a, kind=r.b, status=r.c, starts_on=r.day1,
                        ends_on=r.day2)
        for r in sorted((r for r in rows if r.row_kind == "contract"),
                        key=lambda r: r.day2, reverse=True))
    return tuple(seen.values()), found


def _branch(kind: str, record_id: Any, at: Any, reference: Any, state: Any, text: Any,
            amount: Any, user_id: Any, source: Any, where: ColumnElement[bool],
            text_data: Any = None) -> Select[Any]:
    """One kind of record as timeline rows. ``text_data`` is an audit entry's summary as a
    template (app.services.audit), rendered in the reader's language after the query."""
    return (
        select(
            literal(kind, String(20)).label("kind"),
            record_id.label("record_id"),
            type_coerce(at, _AnyTimestamp()).label("at"),
            type_coerce(reference, Unicode(60)).label("reference"),
            type_coerce(state, String(20)).label("state"),
            type_coerce(text, Unicode(500)).label("text"),
            # A kind without an amount gives a typed NULL: a timeline of such kinds only
            # (a role that sees no money) would otherwise come back as text on PostgreSQL.
            (cast(amount, Numeric(14, 2)) if isinstance(amount, Null)
             else type_coerce(amount, Numeric(14, 2))).label("amount"),
            user_id.label("user_id"),
            (cast(null(), UnicodeText()) if text_data is None
             else type_coerce(text_data, UnicodeText())).label("text_data"),
        )
        .select_from(source)
        .where(where)
    )


def _timeline(uow: UnitOfWork, customer_id: int, visible: set[tuple[Module, DataScope]],
              actor_values: Mapping[str, int | None], limit: int) -> tuple[TimelineEntry, ...]:
    stmt = _timeline_statement(frozenset(visible))
    rows = uow.session.execute(stmt, {"customer_id": customer_id, "timeline_limit": limit,
                                      **actor_values})
    return tuple(
        TimelineEntry(kind=r.kind, record_id=r.record_id, at=r.at, reference=r.reference or "",
                      state=r.state or "", text=render_summary(r.text or "", r.text_data),
                      amount=r.amount,
                      user_name=r.display_name)
        for r in rows.all()
    )


@functools.cache
def _timeline_statement(visible: frozenset[tuple[Module, DataScope]]) -> Select[Any]:
    """The timeline's one UNION ALL for the modules a role may view, each in the role's
    data scope of that module; built once per such set (a role's rarely changes) and run
    with the customer and the actor as parameters."""
    cid = bindparam("customer_id", type_=Integer)
    none = null()
    scopes = dict(visible)

    def scoped(module: Module, *owners: Any) -> ColumnElement[bool]:
        return or_(*(scope_clause(scopes[module], owner) for owner in owners))

    branches: list[Select[Any]] = []
    if Module.VISITS in scopes:
        branches.append(_branch("visit", Visit.id, Visit.occurred_at, type_coerce(
            Visit.kind, String(20)), Visit.confirm_status, Visit.purpose, none, Visit.owner_id,
            Visit, and_(Visit.customer_id == cid, scoped(Module.VISITS, Visit.owner_id))))
    if Module.OPPORTUNITIES in scopes:
        branches.append(_branch("opportunity", Opportunity.id, Opportunity.created_at,
                                Opportunity.number, Opportunity.stage, Opportunity.title,
                                Opportunity.expected_amount, Opportunity.owner_id, Opportunity,
                                and_(Opportunity.customer_id == cid,
                                     scoped(Module.OPPORTUNITIES, Opportunity.owner_id))))
    if Module.QUOTATIONS in scopes:
        branches.append(_branch("quotation", Quotation.id, Quotation.quoted_on,
                                Quotation.number, Quotation.status, Quotation.notes,
                                Quotation.total_amount, Quotation.owner_id, Quotation,
                                and_(Quotation.customer_id == cid,
                                     scoped(Module.QUOTATIONS, Quotation.owner_id))))
    if Module.ORDERS in scopes:
        branches.append(_branch("order", Order.id, Order.ordered_on, Order.number,
                                Order.status, Order.notes, Order.total_amount, Order.owner_id,
                                Order, and_(Order.customer_id == cid,
                                            scoped(Module.ORDERS, Order.owner_id))))
    if Module.PAYMENTS in scopes:
        branches.append(_branch("payment", Payment.id, Payment.received_on, Payment.number,
                                Payment.method, Payment.reference, Payment.amount,
                                Payment.received_by_id, Payment,
                                and_(Payment.customer_id == cid,
                                     scoped(Module.PAYMENTS, Payment.received_by_id))))
    if Module.SERVICE_TICKETS in scopes:
        tickets = scoped(Module.SERVICE_TICKETS, ServiceTicket.technician_id,
                         ServiceTicket.intake_by_id)
        branches.append(_branch("service_ticket", ServiceTicket.id, ServiceTicket.received_at,
                                ServiceTicket.number, ServiceTicket.status,
                                func.substr(ServiceTicket.symptoms, 1, 200),
                                ServiceTicket.total_charge, ServiceTicket.intake_by_id,
                                ServiceTicket, and_(ServiceTicket.customer_id == cid, tickets)))
        branches.append(_branch(
            "repair", RepairRecord.id,
            func.coalesce(RepairRecord.completed_at, RepairRecord.created_at),
            ServiceTicket.number, RepairRecord.confirm_status,
            func.substr(RepairRecord.work_done, 1, 200),
            RepairRecord.labour_amount + RepairRecord.parts_amount, RepairRecord.technician_id,
            RepairRecord.__table__.join(ServiceTicket.__table__,
                                        ServiceTicket.id == RepairRecord.ticket_id),
            and_(ServiceTicket.customer_id == cid, tickets)))
    if Module.CARE in scopes:
        # A recorded outcome reads after the title: "生日问候 — 已电话祝福".
        care_text = case((CareItem.outcome.is_(None), CareItem.title),
                         else_=CareItem.title + literal(" — ", Unicode(3)) + CareItem.outcome)
        branches.append(_branch("care", CareItem.id, CareItem.due_on, CareItem.kind,
                                CareItem.status, care_text, none, CareItem.owner_id,
                                CareItem, and_(CareItem.customer_id == cid,
                                               scoped(Module.CARE, CareItem.owner_id))))
    if Module.TASKS in scopes:
        # Tasks: in scope by assignee, and always one's own, one's department's and those
        # one gave (as the task list).
        user = bindparam(SCOPE_USER, type_=Integer)
        mine = or_(scoped(Module.TASKS, Task.assignee_id), Task.assigned_by_id == user,
                   Task.assignee_department_id == bindparam(SCOPE_DEPARTMENT, type_=Integer))
        branches.append(_branch("task", Task.id, Task.created_at, Task.priority, Task.status,
                                Task.title, none, Task.assignee_id, Task,
                                and_(Task.customer_id == cid, mine)))
    branches.append(_branch("change", AuditEntry.id, AuditEntry.at, AuditEntry.action,
                            AuditEntry.action, AuditEntry.summary, none, AuditEntry.user_id,
                            AuditEntry, and_(AuditEntry.entity == "customer",
                                             AuditEntry.entity_id == cid),
                            text_data=AuditEntry.summary_data))
    every = union_all(*branches).subquery("timeline")
    return (
        select(every, User.display_name)
        .outerjoin(User, User.id == every.c.user_id)
        .order_by(every.c.at.desc(), every.c.kind, every.c.record_id.desc())
        .limit(bindparam("timeline_limit", type_=Integer))
    )


__all__ = ["ContractSummary", "CustomerOverview", "DeviceSummary", "TimelineEntry",
           "customer_overview"]

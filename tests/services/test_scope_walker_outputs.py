"""The read paths beyond the lists × every default role: no record outside the reader's data
scope (issue 12, item 4). Statistics drill-downs, exports, printed documents, the customer's
receivable, the receivables aging and a device's history, on demo data for one user of each
role. (The lists and the customer 360 timeline: tests/services/test_scope_walker.py; the
lists are walked here again on records whose people differ from their customer's.)

The expected sets are computed on the owner's rights with ``permissions.scope_filter`` for
the reader. The ``stationcrm print/export/report`` commands have no query of their own: they
call the slip builders (and ``latest_number``/``latest_ticket_number``), the export service
and ``export_statistic``, all walked here.

Most default roles may neither run statistics nor export; so that their narrow scopes are
walked too, each role is also walked "given" statistics/view and the export operation of
every module it views.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, case, delete, exists, func, or_, select, text, update

from app import demo
from app.models import (
    Customer,
    Device,
    Opportunity,
    Order,
    Payment,
    PaymentAllocation,
    Quotation,
    RepairRecord,
    Role,
    RolePermission,
    SalesPlan,
    ServiceTicket,
    User,
)
from app.models.enums import Module, Operation, TicketStatus
from app.services import exports, slips
from app.services.errors import NotFound, PermissionDenied
from app.services.permissions import Actor, grants_for, scope_filter
from app.services.sales import RECEIVABLE_STATUSES, customer_receivable, receivables_aging
from app.services.statistics import (
    STATISTICS,
    VIEWS,
    ColumnKind,
    DrillKey,
    StatFilters,
    StatTable,
    drill_down,
    run_statistic,
)
from app.services.tickets import device_history
from app.services.uow import UnitOfWork
from tests import people
from tests.services.test_scope_walker import LISTS, _owner, _reader

TODAY = dt.date(2026, 11, 26)
READERS = ["clerk1", "sales1", "tech1", "lead1", "office1", "manager", "admin"]
# Every record of the demo data lies in this range.
FILTERS = StatFilters(date_from=dt.date(TODAY.year - 3, 1, 1), date_to=TODAY)
EXPORTS = (Module.CUSTOMERS, Module.ORDERS, Module.SERVICE_TICKETS, Module.QUOTATIONS)


@pytest.fixture
def demo_db(engine: Engine, uow: UnitOfWork) -> Engine:
    demo.generate_demo_data(engine, customers=60, seed=11, today=TODAY)
    _cross_owners(engine)
    return engine


def _cross_owners(engine: Engine) -> None:
    """Records whose people differ from their customer's (the demo data keeps them equal):
    the counter sells to a key account's customer, a technician sells a part, the counter
    takes in a machine, a colleague finishes a repair, a clerk takes a payment. Where a read
    path goes by one person and its records by another, the walk then sees the difference."""
    with engine.begin() as conn:
        users = dict(conn.execute(select(User.username, User.id)).all())
        crossing = {users["clerk1"]: users["sales1"], users["clerk2"]: users["sales2"]}
        for key, value in list(crossing.items()):
            crossing[value] = key
        for model in (Order, Opportunity, Quotation):
            for record_id, owner_id in conn.execute(
                    select(model.id, model.owner_id).order_by(model.id)).all():
                if record_id % 5 == 0:
                    moved = users["tech2"]
                elif record_id % 3 == 0:
                    moved = crossing.get(owner_id, users["clerk1"])
                else:
                    continue
                conn.execute(update(model).where(model.id == record_id)
                             .values(owner_id=moved))
        conn.execute(update(ServiceTicket).where(ServiceTicket.id % 3 == 0)
                     .values(intake_by_id=users["clerk1"]))
        conn.execute(update(RepairRecord).where(RepairRecord.id % 4 == 0).values(
            technician_id=case((RepairRecord.technician_id == users["tech2"], users["tech1"]),
                               else_=users["tech2"])))
        conn.execute(update(Payment).where(Payment.id % 4 == 0)
                     .values(received_by_id=users["clerk2"]))


def _allows(engine: Engine, reader: Actor, module: Module, operation: Operation) -> bool:
    owner = _owner(engine)
    with owner:
        return grants_for(owner, reader).allows(module, operation)


@contextmanager
def _given(engine: Engine, reader: Actor, pairs: list[tuple[Module, Operation]]
           ) -> Iterator[None]:
    """The reader's role given ``pairs`` besides its own for the block (and on a secured
    server the grants that follow), then as it was."""
    with engine.begin() as conn:
        role_id = conn.execute(select(Role.id).where(Role.code == reader.role_code)
                               ).scalar_one()
        have = set(conn.execute(select(RolePermission.module, RolePermission.operation)
                                .where(RolePermission.role_id == role_id)).all())
        added = [(m, o) for m, o in pairs if (m, o) not in have]
        for module, operation in added:
            conn.execute(RolePermission.__table__.insert().values(
                role_id=role_id, module=module.value, operation=operation.value))
    _apply_role(engine, role_id)
    try:
        yield
    finally:
        with engine.begin() as conn:
            for module, operation in added:
                conn.execute(delete(RolePermission).where(
                    RolePermission.role_id == role_id, RolePermission.module == module,
                    RolePermission.operation == operation))
        _apply_role(engine, role_id)


def _apply_role(engine: Engine, role_id: int) -> None:
    if people.enabled():
        with engine.begin() as conn:
            conn.execute(text("SELECT crmsec.apply_role(:id)"), {"id": role_id})


def _ticket_scope(owner: UnitOfWork, reader: Actor) -> Any:
    return or_(scope_filter(owner, reader, Module.SERVICE_TICKETS, ServiceTicket.technician_id),
               scope_filter(owner, reader, Module.SERVICE_TICKETS, ServiceTicket.intake_by_id))


def _in_scope(engine: Engine, reader: Actor) -> dict[str, set[int]]:
    """Per kind of record (as ``DrillRecord.entity`` names it): the ids in the reader's scope
    of its module — the rule of the lists, of the record's own card and of row security."""
    owner = _owner(engine)
    with owner:
        def ids(stmt: Any) -> set[int]:
            return set(owner.session.execute(stmt).scalars())

        orders = scope_filter(owner, reader, Module.ORDERS, Order.owner_id)
        tickets = _ticket_scope(owner, reader)
        return {
            "customer": ids(select(Customer.id).where(
                scope_filter(owner, reader, Module.CUSTOMERS, Customer.owner_id))),
            "order": ids(select(Order.id).where(orders)),
            # A payment is seen by the scope of who took it or with an order it settles.
            "payment": ids(select(Payment.id).where(or_(
                scope_filter(owner, reader, Module.PAYMENTS, Payment.received_by_id),
                exists(select(PaymentAllocation.id)
                       .join(Order, Order.id == PaymentAllocation.order_id)
                       .where(PaymentAllocation.payment_id == Payment.id, orders))))),
            "ticket": ids(select(ServiceTicket.id).where(tickets)),
            # A repair record is part of its ticket.
            "repair_record": ids(select(RepairRecord.id).join(
                ServiceTicket, ServiceTicket.id == RepairRecord.ticket_id).where(tickets)),
            "opportunity": ids(select(Opportunity.id).where(
                scope_filter(owner, reader, Module.OPPORTUNITIES, Opportunity.owner_id))),
            "sales_plan": ids(select(SalesPlan.id).where(
                scope_filter(owner, reader, Module.SALES_PLANS, SalesPlan.owner_id))),
        }


# --- the lists, on records whose people differ from their customer's -------------------------


@pytest.mark.parametrize("username", READERS)
def test_every_list_shows_exactly_the_readers_scope_across_customers(demo_db, uow, username):
    """The list walk (test_scope_walker.py) again, with the crossings of ``_cross_owners``:
    a record in scope is listed even when its customer is someone else's."""
    reader = _reader(uow, username)
    owner = _owner(demo_db)
    for module, read, model, owners in LISTS:
        with owner:
            if not grants_for(owner, reader).allows(module, Operation.VIEW):
                continue
            conditions = [or_(*(scope_filter(owner, reader, module, o) for o in owners))]
            if model is SalesPlan:
                conditions.append(SalesPlan.year == TODAY.year)
            expected = set(owner.session.execute(select(model.id).where(*conditions))
                           .scalars())
        assert read(uow, reader) == expected, (username, module)


# --- statistics drill-downs -------------------------------------------------------------------


def _figures(table: StatTable) -> Iterator[tuple[DrillKey, Any, ColumnKind]]:
    """Every figure with something behind it: (drill key, the figure, its kind)."""
    for row in table.rows:
        for cell, key, column in zip(row.cells, row.drill, table.columns, strict=True):
            if key is not None:
                yield key, cell, column.kind
    for section in table.sections:
        yield from _figures(section)


def _walk_drill_downs(engine: Engine, uow: UnitOfWork, reader: Actor) -> int:
    """Drill into every figure of every statistic and view; returns the records seen."""
    if not _allows(engine, reader, Module.STATISTICS, Operation.VIEW):
        with pytest.raises(PermissionDenied):
            run_statistic("assessment", FILTERS, uow=uow, actor=reader)
        with pytest.raises(PermissionDenied):
            drill_down(DrillKey("assessment", (("view", "orders"), ("measure", "orders"),
                                               ("value", "*"))), FILTERS, uow=uow, actor=reader)
        return 0
    allowed = _in_scope(engine, reader)
    seen = 0
    for name in STATISTICS:
        for view in VIEWS[name]:
            filters = replace(FILTERS, group_by=view)
            table = run_statistic(name, filters, uow=uow, actor=reader)
            for key, figure, kind in _figures(table):
                result = drill_down(key, filters, uow=uow, actor=reader, limit=100_000)
                assert not result.truncated
                outside = [(r.entity, r.record_id, r.number) for r in result.records
                           if r.record_id not in allowed[r.entity]]
                assert not outside, (reader.username, key, outside[:5])
                # What is left out is left out of the figure too: it still adds up.
                if kind is ColumnKind.INTEGER:
                    assert result.count == len(result.records) == figure, (
                        reader.username, key)
                else:
                    assert result.total == figure, (reader.username, key)
                seen += len(result.records)
    return seen


@pytest.mark.parametrize("username", READERS)
def test_every_drill_down_shows_only_records_in_the_readers_scope(demo_db, uow, username):
    reader = _reader(uow, username)
    seen = _walk_drill_downs(demo_db, uow, reader)
    if username in ("lead1", "office1", "manager"):  # the default roles with statistics
        assert seen


@pytest.mark.parametrize("username", ["clerk1", "sales1", "tech1", "lead1"])
def test_drill_downs_keep_a_narrow_scope_given_statistics(demo_db, uow, username):
    reader = _reader(uow, username)
    with _given(demo_db, reader, [(Module.STATISTICS, Operation.VIEW)]):
        assert _walk_drill_downs(demo_db, uow, reader)


# --- exports ----------------------------------------------------------------------------------


def _export_keys(engine: Engine, reader: Actor) -> dict[Module, set[str]]:
    """Per exported list: the record keys the export writes (first column) in scope."""
    owner = _owner(engine)
    with owner:
        def keys(stmt: Any) -> set[str]:
            return set(owner.session.execute(stmt).scalars())

        return {
            Module.CUSTOMERS: keys(select(Customer.code).where(
                scope_filter(owner, reader, Module.CUSTOMERS, Customer.owner_id))),
            Module.ORDERS: keys(select(Order.number).where(
                scope_filter(owner, reader, Module.ORDERS, Order.owner_id))),
            Module.SERVICE_TICKETS: keys(select(ServiceTicket.number).where(
                _ticket_scope(owner, reader))),
            Module.QUOTATIONS: keys(select(Quotation.number).where(
                scope_filter(owner, reader, Module.QUOTATIONS, Quotation.owner_id))),
        }


EXPORTERS: dict[Module, Callable[..., exports.ExportResult]] = {
    Module.CUSTOMERS: exports.export_customers,
    Module.ORDERS: exports.export_orders,
    Module.SERVICE_TICKETS: exports.export_tickets,
    Module.QUOTATIONS: exports.export_quotations,
}


def _walk_exports(engine: Engine, uow: UnitOfWork, reader: Actor, folder: Path) -> int:
    """Export every list; each file holds exactly the records in scope. Returns how many
    lists were exported."""
    expected = _export_keys(engine, reader)
    exported = 0
    for module, export in EXPORTERS.items():
        path = folder / f"{reader.username}-{module.value}.csv"
        if not _allows(engine, reader, module, Operation.EXPORT):
            with pytest.raises(PermissionDenied):
                export(uow=uow, actor=reader, path=path)
            continue
        result = export(uow=uow, actor=reader, path=path)
        with open(path, encoding="utf-8-sig", newline="") as handle:
            written = [line[0] for line in list(csv.reader(handle))[1:]]
        assert len(written) == result.row_count
        outside = set(written) - expected[module]
        assert not outside, (reader.username, module, sorted(outside)[:5])
        assert set(written) == expected[module], (reader.username, module)
        exported += 1
    return exported


@pytest.mark.parametrize("username", READERS)
def test_every_export_writes_only_the_readers_scope(demo_db, uow, username, tmp_path):
    reader = _reader(uow, username)
    exported = _walk_exports(demo_db, uow, reader, tmp_path)
    if username in ("office1", "manager"):
        assert exported == len(EXPORTERS)


@pytest.mark.parametrize("username", ["clerk1", "sales1", "tech1", "lead1"])
def test_exports_keep_a_narrow_scope_given_the_export(demo_db, uow, username, tmp_path):
    reader = _reader(uow, username)
    viewed = [m for m in EXPORTS if _allows(demo_db, reader, m, Operation.VIEW)]
    with _given(demo_db, reader, [(m, Operation.EXPORT) for m in viewed]):
        assert _walk_exports(demo_db, uow, reader, tmp_path) == len(viewed)


# --- printed documents ------------------------------------------------------------------------

# kind: (module, table, owner columns, build, id keyword)
DOCUMENTS: dict[str, tuple[Module, Any, tuple[Any, ...], Callable[..., Any], str]] = {
    "quotation": (Module.QUOTATIONS, Quotation, (Quotation.owner_id,),
                  slips.quotation_slip_data, "quotation_id"),
    "order": (Module.ORDERS, Order, (Order.owner_id,), slips.order_slip_data,
              "order_id"),
    "intake": (Module.SERVICE_TICKETS, ServiceTicket,
               (ServiceTicket.technician_id, ServiceTicket.intake_by_id),
               slips.intake_slip_data, "ticket_id"),
    "dispatch": (Module.SERVICE_TICKETS, ServiceTicket,
                 (ServiceTicket.technician_id, ServiceTicket.intake_by_id),
                 slips.dispatch_order_data, "ticket_id"),
}


# The states in which a ticket has its technician: its dispatch order prints.
DISPATCHED = (TicketStatus.DISPATCHED, TicketStatus.IN_REPAIR, TicketStatus.WAITING_PARTS,
              TicketStatus.DONE, TicketStatus.PICKED_UP, TicketStatus.CLOSED)


@pytest.mark.parametrize("username", READERS)
def test_printing_a_record_outside_the_readers_scope_is_refused(demo_db, uow, username):
    reader = _reader(uow, username)
    owner = _owner(demo_db)
    printed = 0
    for kind, (module, model, owners, build, keyword) in DOCUMENTS.items():
        # A dispatch order prints for a ticket a technician was given (the others are
        # refused for that, not for scope).
        printable = ([ServiceTicket.technician_id.is_not(None),
                      ServiceTicket.status.in_(DISPATCHED)] if kind == "dispatch" else [])
        with owner:
            in_scope = or_(*(scope_filter(owner, reader, module, o) for o in owners))
            inside = [tuple(r) for r in owner.session.execute(
                select(model.id, model.number).where(in_scope, *printable)
                .order_by(model.id).limit(4))]
            outside = [tuple(r) for r in owner.session.execute(
                select(model.id, model.number).where(~in_scope, *printable)
                .order_by(model.id).limit(4))]
            numbers = set(owner.session.execute(select(model.number).where(in_scope))
                          .scalars())
            may_print = grants_for(owner, reader).allows(module, Operation.PRINT)
        # "Print my latest" (the print command's --latest) picks only a record in scope.
        def latest(kind: str = kind, model: Any = model) -> str | None:
            if model is ServiceTicket:
                return slips.latest_ticket_number(uow, actor=reader)
            return slips.latest_number(uow, kind, actor=reader)

        if not may_print:
            with pytest.raises(PermissionDenied):
                latest()
        else:
            found = latest()
            assert (found in numbers) if numbers else found is None, (username, kind, found)
        for record_id, number in [*inside, *outside]:
            if not may_print:
                with pytest.raises(PermissionDenied):
                    build(uow=uow, actor=reader, **{keyword: record_id})
                continue
            if (record_id, number) in inside:
                assert build(uow=uow, actor=reader, **{keyword: record_id}).number == number
                printed += 1
                continue
            # The ticket slips say "does not exist or you may not see it" on every engine.
            refused = (PermissionDenied, NotFound) if model is ServiceTicket else people.REFUSED
            with pytest.raises(refused):
                build(uow=uow, actor=reader, **{keyword: record_id})
            with pytest.raises(refused):
                build(uow=uow, actor=reader, number=number)
    if username not in ("admin",):
        assert printed


# --- receivables ------------------------------------------------------------------------------


@pytest.mark.parametrize("username", READERS)
def test_the_receivable_counts_only_orders_in_the_readers_scope(demo_db, uow, username):
    reader = _reader(uow, username)
    owner = _owner(demo_db)
    receivable = [Order.status.in_(RECEIVABLE_STATUSES), Order.paid_amount < Order.total_amount]
    with owner:
        customers = list(owner.session.execute(
            select(Order.customer_id).where(*receivable).group_by(Order.customer_id)
            .order_by(func.count().desc(), Order.customer_id).limit(15)).scalars())
        # and a few that owe nothing
        customers += owner.session.execute(
            select(Customer.id).where(Customer.id.not_in(
                select(Order.customer_id).where(*receivable)))
            .order_by(Customer.id).limit(3)).scalars().all()
        may_view = grants_for(owner, reader).allows(Module.PAYMENTS, Operation.VIEW)
        in_scope = scope_filter(owner, reader, Module.ORDERS, Order.owner_id)
        expected = {c: dict(owner.session.execute(
            select(Order.id, Order.total_amount - Order.paid_amount)
            .where(Order.customer_id == c, in_scope, *receivable)).all()) for c in customers}
    assert len(customers) > 3
    if not may_view:
        with pytest.raises(PermissionDenied):
            customer_receivable(uow=uow, actor=reader, customer_id=customers[0])
        with pytest.raises(PermissionDenied):
            receivables_aging(uow=uow, actor=reader, as_of=TODAY)
        return
    for customer_id in customers:
        view = customer_receivable(uow=uow, actor=reader, customer_id=customer_id)
        assert {o.order_id: o.open_amount for o in view.orders} == expected[customer_id], (
            username, customer_id)
        assert view.open_amount == sum(expected[customer_id].values(), Decimal("0.00"))
    # The aging: per customer the open amounts of the orders in scope, as of the day.
    report = receivables_aging(uow=uow, actor=reader, as_of=TODAY)
    with owner:
        paid = (select(func.coalesce(func.sum(PaymentAllocation.amount), 0))
                .join(Payment, Payment.id == PaymentAllocation.payment_id)
                .where(PaymentAllocation.order_id == Order.id, Payment.received_on <= TODAY)
                .scalar_subquery())
        owed = {c: Decimal(t) for c, t in owner.session.execute(
            select(Order.customer_id, func.sum(Order.total_amount - paid))
            .where(Order.status.in_(RECEIVABLE_STATUSES), Order.ordered_on <= TODAY,
                   scope_filter(owner, reader, Module.ORDERS, Order.owner_id))
            .group_by(Order.customer_id)).all()}
    assert {r.customer_id: r.total for r in report.rows} == {
        c: t for c, t in owed.items() if t != 0}, username


# --- device history ---------------------------------------------------------------------------


@pytest.mark.parametrize("username", READERS)
def test_a_device_history_shows_only_tickets_in_the_readers_scope(demo_db, uow, username):
    reader = _reader(uow, username)
    owner = _owner(demo_db)
    with owner:
        # The devices with the most tickets, and so most people on them.
        devices = list(owner.session.execute(
            select(ServiceTicket.device_id).where(ServiceTicket.device_id.is_not(None))
            .group_by(ServiceTicket.device_id)
            .order_by(func.count(func.distinct(ServiceTicket.technician_id)).desc(),
                      func.count().desc(), ServiceTicket.device_id).limit(15)).scalars())
        devices += owner.session.execute(
            select(Device.id).where(Device.id.not_in(
                select(ServiceTicket.device_id).where(ServiceTicket.device_id.is_not(None))))
            .order_by(Device.id).limit(2)).scalars().all()
        may_view = grants_for(owner, reader).allows(Module.SERVICE_TICKETS, Operation.VIEW)
        in_scope = _ticket_scope(owner, reader)
        expected = {d: set(owner.session.execute(select(ServiceTicket.id).where(
            ServiceTicket.device_id == d, in_scope)).scalars()) for d in devices}
        everything = {d: set(owner.session.execute(select(ServiceTicket.id).where(
            ServiceTicket.device_id == d)).scalars()) for d in devices}
    assert len(devices) > 3
    if not may_view:
        with pytest.raises(PermissionDenied):
            device_history(uow=uow, actor=reader, device_id=devices[0])
        return
    for device_id in devices:
        shown = {t.id for t in device_history(uow=uow, actor=reader, device_id=device_id)}
        assert shown == expected[device_id], (username, device_id)
    if username == "tech1":  # others' tickets on the same machines are left out
        assert any(expected[d] < everything[d] for d in devices)

"""Every list read path × every default role: no row outside the reader's data scope, and
nothing in scope left out (issue 12, item 4). On demo data, for one user of each role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import sessionmaker

from app import demo
from app.models import Opportunity, Order, Quotation, Role, SalesPlan, User, Visit
from app.models.enums import Module, Operation
from app.models.service import ServiceTicket
from app.services.auth import actor_for
from app.services.customer360 import customer_overview
from app.services.errors import PermissionDenied
from app.services.opportunities import list_opportunities
from app.services.permissions import Actor, grants_for, scope_filter
from app.services.plans import list_sales_plans
from app.services.sales import list_orders, list_quotations
from app.services.tickets import list_tickets
from app.services.uow import UnitOfWork
from app.services.visits import list_visits

TODAY = dt.date(2026, 11, 26)
READERS = ["clerk1", "sales1", "tech1", "lead1", "office1", "manager", "admin"]


@pytest.fixture
def demo_db(engine: Engine, uow: UnitOfWork) -> Engine:
    demo.generate_demo_data(engine, customers=60, seed=11, today=TODAY)
    return engine


def _reader(uow: UnitOfWork, username: str) -> Actor:
    with uow:
        user, code = uow.session.execute(
            select(User, Role.code).join(Role, Role.id == User.role_id)
            .where(User.username == username)).one()
        return actor_for(user, code, None)


def _owner(engine: Engine) -> UnitOfWork:
    """A unit of work on the owner's rights for the expected sets (in the suite's people mode
    ``UnitOfWork.for_engine`` would run them as the reader)."""
    return UnitOfWork(sessionmaker(bind=engine, expire_on_commit=False))


def _every_page(read: Callable[..., Any]) -> set[int]:
    ids: set[int] = set()
    after = None
    while True:
        page = read(after=after, limit=500)
        ids |= {row.id for row in page.rows}
        after = page.next_after
        if after is None:
            return ids


# (module, list call, table, owner columns of the module's scope)
LISTS: list[tuple[Module, Callable[[UnitOfWork, Actor], set[int]], Any, tuple[Any, ...]]] = [
    (Module.VISITS, lambda u, a: _every_page(
        lambda **k: list_visits(uow=u, actor=a, **k)), Visit, (Visit.owner_id,)),
    (Module.OPPORTUNITIES, lambda u, a: _every_page(
        lambda **k: list_opportunities(uow=u, actor=a, **k)), Opportunity,
     (Opportunity.owner_id,)),
    (Module.QUOTATIONS, lambda u, a: _every_page(
        lambda **k: list_quotations(uow=u, actor=a, **k)), Quotation, (Quotation.owner_id,)),
    (Module.ORDERS, lambda u, a: _every_page(
        lambda **k: list_orders(uow=u, actor=a, **k)), Order, (Order.owner_id,)),
    (Module.SERVICE_TICKETS, lambda u, a: _every_page(
        lambda **k: list_tickets(uow=u, actor=a, **k)), ServiceTicket,
     (ServiceTicket.technician_id, ServiceTicket.intake_by_id)),
    (Module.SALES_PLANS, lambda u, a: {p.id for p in list_sales_plans(
        uow=u, actor=a, year=TODAY.year)}, SalesPlan, (SalesPlan.owner_id,)),
]


@pytest.mark.parametrize("username", READERS)
def test_every_list_shows_exactly_the_readers_data_scope(demo_db, uow, username):
    reader = _reader(uow, username)
    owner = _owner(demo_db)
    walked = 0
    for module, read, model, owners in LISTS:
        with owner:
            allowed = grants_for(owner, reader).allows(module, Operation.VIEW)
            in_scope = or_(*(scope_filter(owner, reader, module, o) for o in owners))
            conditions = [in_scope]
            if model is SalesPlan:
                conditions.append(SalesPlan.year == TODAY.year)
            expected = set(owner.session.execute(
                select(model.id).where(*conditions)).scalars())
            everything = set(owner.session.execute(select(model.id)).scalars())
        if not allowed:
            with pytest.raises(PermissionDenied):
                read(uow, reader)
            continue
        seen = read(uow, reader)
        assert seen == expected, (username, module)
        walked += 1
        if expected != everything:
            assert seen < everything  # the demo data gives this reader something to miss
    # Every role but the administrator's reads at least one of these lists.
    assert walked >= 1 or username == "admin"


@pytest.mark.parametrize("username", READERS)
def test_the_customer_timeline_shows_only_records_in_each_modules_scope(
        demo_db, uow, username):
    reader = _reader(uow, username)
    owner = _owner(demo_db)
    kinds = {"visit": (Module.VISITS, Visit, (Visit.owner_id,)),
             "opportunity": (Module.OPPORTUNITIES, Opportunity, (Opportunity.owner_id,)),
             "quotation": (Module.QUOTATIONS, Quotation, (Quotation.owner_id,)),
             "order": (Module.ORDERS, Order, (Order.owner_id,)),
             "service_ticket": (Module.SERVICE_TICKETS, ServiceTicket,
                                (ServiceTicket.technician_id, ServiceTicket.intake_by_id))}
    with owner:
        from app.models import Customer

        grants = grants_for(owner, reader)
        if not grants.allows(Module.CUSTOMERS, Operation.VIEW):
            pytest.skip("this role has no customer card")
        customers = owner.session.execute(
            select(Customer.id).where(scope_filter(owner, reader, Module.CUSTOMERS,
                                                   Customer.owner_id))
            .order_by(Customer.id).limit(8)).scalars().all()
    assert customers
    for customer_id in customers:
        view = customer_overview(uow=uow, actor=reader, customer_id=customer_id,
                                 today=TODAY, limit=2000)
        for kind, (module, model, owners) in kinds.items():
            shown = {e.record_id for e in view.timeline if e.kind == kind}
            with owner:
                if not grants_for(owner, reader).allows(module, Operation.VIEW):
                    assert shown == set(), (username, kind)
                    continue
                expected = set(owner.session.execute(select(model.id).where(
                    model.customer_id == customer_id,
                    or_(*(scope_filter(owner, reader, module, o) for o in owners)))).scalars())
            assert shown == expected, (username, customer_id, kind)

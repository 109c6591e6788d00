"""A need heard during a repair becomes an opportunity waiting in the routing queue."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import Opportunity
from app.services.customers import CustomerDraft, create_customer
from app.services.errors import NotFound, PermissionDenied, ValidationError
from app.services.opportunities import get_opportunity, pass_on_reneed
from app.services.routing import assign_opportunity, list_routing_queue
from app.services.tickets import IntakeDraft, dispatch_ticket, intake_ticket
from tests import people


@pytest.fixture
def ticket(uow, make_user, sales_user, clerk, technician):
    lead = make_user("lead1", "repair_lead", "repair")
    customer = create_customer(uow=uow, actor=sales_user,
                               draft=CustomerDraft(name="北京鑫锐科技", phone="010-62345678"))
    made = intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(
        customer_id=customer.id, symptoms="卡纸，打印有黑线"))
    return dispatch_ticket(uow=uow, actor=lead, ticket_id=made.id,
                           expected_version=made.version, technician_id=technician.user_id)


def _count(uow) -> int:
    with uow:
        return uow.session.execute(select(func.count()).select_from(Opportunity)).scalar_one()


def test_technician_passes_on_a_need_to_managements_routing_queue(
        uow, ticket, technician, sales_user, manager):
    made = pass_on_reneed(uow=uow, actor=technician, ticket_id=ticket.id,
                          title="客户想换一台彩色复印机", expected_amount="28000")
    # It waits for management to route it, even though the customer has an owner.
    seen = get_opportunity(uow=uow, actor=manager, opportunity_id=made.id)
    assert seen.owner_id is None and seen.in_routing_queue
    assert seen.source == "service_reneed" and seen.stage == "new"
    assert seen.credited_user_id == technician.user_id
    assert seen.service_ticket_id == ticket.id
    queue = list_routing_queue(uow=uow, actor=manager)
    assert [q.id for q in queue] == [made.id]
    assert queue[0].credited_user_name == technician.display_name
    # Not yet the salesperson's: outside their own data scope until routed.
    with pytest.raises(people.REFUSED):
        get_opportunity(uow=uow, actor=sales_user, opportunity_id=made.id)
    routed = assign_opportunity(uow=uow, actor=manager, opportunity_id=made.id,
                                expected_version=seen.version, user_id=sales_user.user_id)
    assert routed.owner_id == sales_user.user_id
    after = get_opportunity(uow=uow, actor=sales_user, opportunity_id=made.id)
    assert after.credited_user_id == technician.user_id  # the technician keeps the credit


def test_only_someone_who_can_see_the_ticket_may_pass_it_on(
        uow, ticket, make_user, sales_user):
    other_tech = make_user("tech2", "technician", "repair")
    with pytest.raises(NotFound):
        pass_on_reneed(uow=uow, actor=other_tech, ticket_id=ticket.id, title="新打印机")
    with pytest.raises(PermissionDenied):  # salespeople have no service tickets module
        pass_on_reneed(uow=uow, actor=sales_user, ticket_id=ticket.id, title="新打印机")
    assert _count(uow) == 0


def test_a_need_without_a_title_is_refused_and_nothing_is_written(uow, ticket, technician):
    with pytest.raises(ValidationError) as err:
        pass_on_reneed(uow=uow, actor=technician, ticket_id=ticket.id, title="  ",
                       expected_amount="-5")
    assert set(err.value.errors) == {"title", "expected_amount"}
    assert _count(uow) == 0

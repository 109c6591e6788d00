"""Opportunity routing: the queue, assigning by hand, round-robin, to-do tasks, audit."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.models import AppSetting, AuditEntry, Opportunity, Task, User
from app.models.enums import AuditAction, CustomerSource, TaskStatus
from app.services.customers import CustomerDraft, create_customer
from app.services.errors import (
    ConflictError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from app.services.opportunities import (
    OpportunityDraft,
    OpportunityFilters,
    create_opportunity,
    list_opportunities,
    move_opportunity,
)
from app.services.routing import (
    ROUND_ROBIN_KEY,
    assign_opportunity,
    assign_round_robin,
    list_routing_queue,
    list_salespeople,
)


@pytest.fixture
def walk_in_customer(uow, clerk):
    return create_customer(uow=uow, actor=clerk, draft=CustomerDraft(
        name="朝阳快印店", phone="010-65881234", source=CustomerSource.WALK_IN)).id


@pytest.fixture
def queued(uow, clerk, walk_in_customer):
    """Three walk-in leads the counter left for management to route."""
    return [create_opportunity(uow=uow, actor=clerk, owner_id=None, draft=OpportunityDraft(
        customer_id=walk_in_customer, title=title, expected_amount="3500"))
        for title in ("想买一台激光打印机", "硒鼓月度供货", "复印机租赁")]


def _state(uow):
    with uow:
        owners = sorted(uow.session.execute(select(Opportunity.id, Opportunity.owner_id)).all())
        tasks = uow.session.execute(select(func.count()).select_from(Task)).scalar_one()
        audits = uow.session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
        setting = uow.session.execute(select(AppSetting.value).where(
            AppSetting.key == ROUND_ROBIN_KEY)).scalar_one_or_none()
    return owners, tasks, audits, setting


def _tasks(uow):
    with uow:
        return uow.session.execute(
            select(Task.assignee_id, Task.related_entity, Task.related_id, Task.title,
                   Task.status, Task.assigned_by_id).order_by(Task.id)).all()


def test_the_queue_lists_open_ownerless_opportunities_oldest_first(
        uow, queued, manager, sales_user, walk_in_customer, clerk):
    owned = create_opportunity(uow=uow, actor=manager, owner_id=sales_user.user_id,
                               draft=OpportunityDraft(customer_id=walk_in_customer,
                                                      title="已分派", expected_amount="1"))
    lost = queued[2]
    move_opportunity(uow=uow, actor=manager, opportunity_id=lost.id,
                     expected_version=lost.version, stage="lost", lost_reason="客户已买")
    rows = list_routing_queue(uow=uow, actor=manager)
    assert [r.id for r in rows] == [queued[0].id, queued[1].id]
    assert owned.id not in {r.id for r in rows}
    assert rows[0].customer_name == "朝阳快印店" and rows[0].source is CustomerSource.WALK_IN
    assert rows[0].title == "想买一台激光打印机" and rows[0].credited_user_name is None


def test_assign_by_hand_moves_it_to_the_salesperson_with_a_task_and_an_audit_entry(
        uow, queued, manager, sales_user):
    lead = queued[0]
    done = assign_opportunity(uow=uow, actor=manager, opportunity_id=lead.id,
                              expected_version=lead.version, user_id=sales_user.user_id)
    assert done.owner_id == sales_user.user_id and done.owner_name == "张伟"
    mine = list_opportunities(uow=uow, actor=sales_user,
                              filters=OpportunityFilters(owner_id=sales_user.user_id)).rows
    assert [o.id for o in mine] == [lead.id]
    [task] = _tasks(uow)
    assert task.assignee_id == sales_user.user_id and task.status is TaskStatus.OPEN
    assert (task.related_entity, task.related_id) == ("opportunity", lead.id)
    assert task.title == "New opportunity: 想买一台激光打印机"
    assert task.assigned_by_id == manager.user_id and done.task_id is not None
    with uow:
        changes = uow.session.execute(select(AuditEntry.changes).where(
            AuditEntry.entity == "opportunity", AuditEntry.entity_id == lead.id,
            AuditEntry.action == AuditAction.REASSIGN)).scalar_one()
    assert json.loads(changes) == {"owner_id": [None, sales_user.user_id]}
    assert lead.id not in {r.id for r in list_routing_queue(uow=uow, actor=manager)}


def test_the_task_title_is_chinese_for_a_chinese_session(uow, queued, manager, sales_user):
    from app import i18n

    i18n.set_language("zh")
    try:
        assign_opportunity(uow=uow, actor=manager, opportunity_id=queued[0].id,
                           expected_version=queued[0].version, user_id=sales_user.user_id)
    finally:
        i18n.set_language("en")
    assert _tasks(uow)[0].title == "新商机：想买一台激光打印机"


def test_a_stale_version_is_a_conflict_and_nothing_changes(uow, queued, manager, sales_user,
                                                          other_sales_user):
    lead = queued[0]
    assign_opportunity(uow=uow, actor=manager, opportunity_id=lead.id,
                       expected_version=lead.version, user_id=sales_user.user_id)
    before = _state(uow)
    with pytest.raises(ConflictError):
        assign_opportunity(uow=uow, actor=manager, opportunity_id=lead.id,
                           expected_version=lead.version, user_id=other_sales_user.user_id)
    assert _state(uow) == before


def test_salespeople_and_clerks_may_not_route(uow, queued, sales_user, clerk):
    before = _state(uow)
    for actor in (sales_user, clerk):
        with pytest.raises(PermissionDenied):
            list_routing_queue(uow=uow, actor=actor)
        with pytest.raises(PermissionDenied):
            assign_opportunity(uow=uow, actor=actor, opportunity_id=queued[0].id,
                               expected_version=queued[0].version, user_id=sales_user.user_id)
        with pytest.raises(PermissionDenied):
            assign_round_robin(uow=uow, actor=actor, opportunity_ids=[queued[0].id])
    assert _state(uow) == before


def test_the_management_clerk_may_route(uow, queued, make_user, sales_user):
    clerk = make_user("mclerk", "management_clerk", "management")
    assign_opportunity(uow=uow, actor=clerk, opportunity_id=queued[0].id,
                       expected_version=queued[0].version, user_id=sales_user.user_id)
    assert _tasks(uow)[0].assignee_id == sales_user.user_id


def test_bad_assignees_are_refused_and_nothing_changes(uow, queued, manager, sales_user,
                                                       technician):
    with uow:
        uow.session.get(User, sales_user.user_id).active = False
        uow.commit()
    before = _state(uow)
    for user_id, message in ((sales_user.user_id, "active"), (99999, "active"),
                             (technician.user_id, "opportunities")):
        with pytest.raises(ValidationError) as err:
            assign_opportunity(uow=uow, actor=manager, opportunity_id=queued[0].id,
                               expected_version=queued[0].version, user_id=user_id)
        assert message in err.value.errors["user_id"]
    with pytest.raises(NotFound):
        assign_opportunity(uow=uow, actor=manager, opportunity_id=99999, expected_version=1,
                           user_id=technician.user_id)
    assert _state(uow) == before


def test_a_closed_opportunity_cannot_be_routed(uow, queued, manager, sales_user):
    lead = queued[0]
    lost = move_opportunity(uow=uow, actor=manager, opportunity_id=lead.id,
                            expected_version=lead.version, stage="lost", lost_reason="不需要")
    with pytest.raises(InvalidTransition):
        assign_opportunity(uow=uow, actor=manager, opportunity_id=lead.id,
                           expected_version=lost.version, user_id=sales_user.user_id)


def test_round_robin_spreads_in_turn_and_continues_across_calls(
        uow, queued, manager, make_user, sales_user, other_sales_user, walk_in_customer, clerk):
    third = make_user("sales3", "sales", "key_accounts", display_name="赵敏")
    make_user("tech9", "technician", "repair")  # not a salesperson: never in the rotation
    order = [sales_user.user_id, other_sales_user.user_id, third.user_id]
    assert [p.id for p in list_salespeople(uow=uow, actor=manager)] == order
    first = assign_round_robin(uow=uow, actor=manager,
                               opportunity_ids=[queued[0].id, queued[1].id])
    assert [a.owner_id for a in first] == order[:2]
    with uow:
        setting = uow.session.execute(select(AppSetting.value).where(
            AppSetting.key == ROUND_ROBIN_KEY)).scalar_one()
    assert json.loads(setting) == {"last_user_id": other_sales_user.user_id}
    # The next call goes on where the last stopped: the third, then the first again.
    more = [create_opportunity(uow=uow, actor=clerk, owner_id=None, draft=OpportunityDraft(
        customer_id=walk_in_customer, title=f"线索{i}", expected_amount="100"))
        for i in range(2)]
    second = assign_round_robin(uow=uow, actor=manager,
                                opportunity_ids=[queued[2].id, *(m.id for m in more)])
    assert [a.owner_id for a in second] == [third.user_id, sales_user.user_id,
                                            other_sales_user.user_id]
    assert sorted(t.assignee_id for t in _tasks(uow)) == sorted(
        [*order[:2], third.user_id, sales_user.user_id, other_sales_user.user_id])
    with uow:
        assert uow.session.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == AuditAction.REASSIGN)).scalar_one() == 5


def test_round_robin_skips_deactivated_salespeople(
        uow, queued, manager, make_user, sales_user, other_sales_user):
    third = make_user("sales3", "sales", "key_accounts")
    assign_round_robin(uow=uow, actor=manager, opportunity_ids=[queued[0].id])  # sales_user
    with uow:
        uow.session.get(User, other_sales_user.user_id).active = False
        uow.commit()
    done = assign_round_robin(uow=uow, actor=manager,
                              opportunity_ids=[queued[1].id, queued[2].id])
    assert [a.owner_id for a in done] == [third.user_id, sales_user.user_id]


def test_round_robin_is_all_or_nothing(uow, queued, manager, sales_user, other_sales_user):
    assign_opportunity(uow=uow, actor=manager, opportunity_id=queued[1].id,
                       expected_version=queued[1].version, user_id=sales_user.user_id)
    before = _state(uow)
    with pytest.raises(ConflictError) as err:
        assign_round_robin(uow=uow, actor=manager,
                           opportunity_ids=[queued[0].id, queued[1].id])
    assert queued[1].number in str(err.value)
    with pytest.raises(ValidationError) as bad:
        assign_round_robin(uow=uow, actor=manager, opportunity_ids=[])
    assert "opportunity_ids" in bad.value.errors
    with pytest.raises(NotFound):
        assign_round_robin(uow=uow, actor=manager, opportunity_ids=[queued[0].id, 99999])
    assert _state(uow) == before


def test_round_robin_without_salespeople_is_refused(uow, queued, manager):
    before = _state(uow)
    with pytest.raises(ValidationError) as err:
        assign_round_robin(uow=uow, actor=manager, opportunity_ids=[queued[0].id])
    assert "salesperson" in err.value.errors["user_id"]
    assert _state(uow) == before

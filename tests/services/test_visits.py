"""Reception and visit records: the counter's walk-in flow, follow-ups, permissions, bad input."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from app.models import AuditEntry, Contact, Customer, Visit
from app.models.enums import AuditAction, ConfirmStatus, VisitKind
from app.services.customers import ContactDraft, CustomerDraft, create_customer
from app.services.errors import (
    ConflictError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from app.services.permissions import DEFAULT_ROLES
from app.services.visits import (
    VISIT_CONFIRMATION,
    DuplicateCustomer,
    VisitDraft,
    VisitFilters,
    get_visit,
    list_visits,
    mark_follow_up_done,
    record_visit,
    record_walk_in,
    submit_visit,
    todo_follow_ups,
    update_visit,
)
from tests import people
from tests.services.test_permission_matrix import ROLE_DEPARTMENT

VISIT_DAY = dt.date.today() - dt.timedelta(days=10)


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """An aware time on ``day`` at the station's local clock."""
    return dt.datetime.combine(day, dt.time(hour, minute)).astimezone()


def _counts(uow) -> tuple[int, int, int, int]:
    """Customers, contacts, visits and audit entries of changes. (A secured server also
    audits the duplicate check's whole-number phone lookups: reads, not counted here.)"""
    with uow:
        rows = tuple(uow.session.execute(select(func.count()).select_from(m)).scalar_one()
                     for m in (Customer, Contact, Visit))
        changes = uow.session.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action != AuditAction.PHONE_LOOKUP)).scalar_one()
        return (*rows, changes)


@pytest.fixture
def customer_model(uow, sales_user):
    """A key-account customer of ``sales_user`` with one contact."""
    return create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京鑫锐科技有限公司", phone="010-62345678",
        contacts=(ContactDraft(name="刘经理", mobile="13910002000", is_primary=True),)))


@pytest.fixture
def unowned_customer(uow, manager):
    """A customer nobody looks after (e.g. its salesperson left)."""
    made = create_customer(uow=uow, actor=manager, draft=CustomerDraft(name="海淀文印社"))
    with uow:
        uow.session.get(Customer, made.id).owner_id = None
        uow.commit()
    return made


def _draft(customer_id: int | None, **changes) -> VisitDraft:
    base = VisitDraft(purpose="询问打印机报价", customer_id=customer_id,
                      kind=VisitKind.VISIT, occurred_at=at(VISIT_DAY))
    return replace(base, **changes)


# --- recording -----------------------------------------------------------------------------


def test_record_visit_stores_the_form_owner_and_audit(uow, sales_user, customer_model):
    contact = customer_model.contacts[0]
    made = record_visit(uow=uow, actor=sales_user, draft=_draft(
        customer_model.id, contact_id=contact.id, products_of_interest="HP M404dn ×2",
        outcome="客户比较关注耗材价格", next_step="发报价单", follow_up_on=VISIT_DAY +
        dt.timedelta(days=3)))
    assert made.owner_id == sales_user.user_id and made.owner_name == "张伟"
    assert made.customer_name == "北京鑫锐科技有限公司" and made.contact_name == "刘经理"
    assert made.occurred_at == at(VISIT_DAY)
    assert made.confirm_status is ConfirmStatus.DRAFT and not made.follow_up_done
    assert get_visit(uow=uow, actor=sales_user, visit_id=made.id) == made
    with uow:
        entry = uow.session.execute(select(AuditEntry).where(
            AuditEntry.entity == "visit")).scalar_one()
        assert entry.entity_id == made.id and entry.user_id == sales_user.user_id
        assert json.loads(entry.changes)["after"]["purpose"] == "询问打印机报价"


def test_occurred_at_defaults_to_now(uow, sales_user, customer_model):
    made = record_visit(uow=uow, actor=sales_user, draft=_draft(customer_model.id,
                                                                occurred_at=None))
    assert abs(made.occurred_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)


# --- the counter's walk-in flow ------------------------------------------------------------


def test_walk_in_creates_customer_and_visit_in_one_call(uow, clerk):
    result = record_walk_in(
        uow=uow, actor=clerk,
        customer=CustomerDraft(name="朝阳快印店", phone="010-85550000",
                               contacts=(ContactDraft(name="陈老板", mobile="13600001111"),)),
        visit=VisitDraft(purpose="买硒鼓", kind=VisitKind.WALK_IN,
                         products_of_interest="HP 88A 硒鼓"),
    )
    assert result.customer_created
    assert result.customer is not None and result.customer.owner_id == clerk.user_id
    assert result.visit.customer_id == result.customer_id
    # The person at the counter is the new card's contact.
    assert result.visit.contact_name == "陈老板"
    assert result.visit.owner_id == clerk.user_id
    assert _counts(uow) == (1, 1, 1, 2)  # two audit entries: customer and visit


def test_walk_in_with_a_duplicate_phone_raises_with_the_hit_and_writes_nothing(
        uow, clerk, sales_user, customer_model):
    before = _counts(uow)
    with pytest.raises(DuplicateCustomer) as err:
        record_walk_in(uow=uow, actor=clerk,
                       customer=CustomerDraft(name="鑫锐", phone="(010) 6234 5678"),
                       visit=VisitDraft(purpose="买硒鼓"))
    [hit] = err.value.hits
    assert hit.id == customer_model.id and "same_phone" in hit.reasons
    # Another salesperson's customer: the clerk learns only its name and owner.
    assert hit.restricted and hit.owner_name == "张伟" and hit.phone is None
    assert "北京鑫锐科技有限公司" in str(err.value)
    assert _counts(uow) == before


def test_walk_in_with_a_duplicate_contact_mobile_or_same_name_is_caught(
        uow, clerk, customer_model):
    with pytest.raises(DuplicateCustomer):
        record_walk_in(uow=uow, actor=clerk, customer=CustomerDraft(
            name="新客户", contacts=(ContactDraft(name="刘", mobile="139-1000-2000"),)),
            visit=VisitDraft(purpose="咨询"))
    with pytest.raises(DuplicateCustomer):
        record_walk_in(uow=uow, actor=clerk, customer=CustomerDraft(name="北京 鑫锐科技"),
                       visit=VisitDraft(purpose="咨询"))


def test_walk_in_with_only_a_similar_name_goes_ahead(uow, clerk, customer_model):
    result = record_walk_in(uow=uow, actor=clerk, customer=CustomerDraft(name="鑫锐文具店"),
                            visit=VisitDraft(purpose="咨询"))
    assert result.customer_created


def test_walk_in_confirm_new_creates_despite_the_duplicate(uow, clerk, customer_model):
    result = record_walk_in(uow=uow, actor=clerk,
                            customer=CustomerDraft(name="鑫锐", phone="010-62345678"),
                            visit=VisitDraft(purpose="买硒鼓"), confirm_new=True)
    assert result.customer_created and result.customer_id != customer_model.id
    with uow:
        assert uow.session.execute(select(func.count()).select_from(Customer)
                                   ).scalar_one() == 2


def test_walk_in_for_an_existing_customer_records_only_the_visit(uow, clerk, unowned_customer):
    before = _counts(uow)
    result = record_walk_in(uow=uow, actor=clerk, customer_id=unowned_customer.id,
                            visit=VisitDraft(purpose="取发票"))
    assert not result.customer_created and result.customer is None
    assert result.visit.customer_id == unowned_customer.id
    assert _counts(uow)[2] == before[2] + 1


def test_walk_in_refused_visit_leaves_no_customer_behind(uow, clerk):
    with pytest.raises(ValidationError) as err:
        record_walk_in(uow=uow, actor=clerk, customer=CustomerDraft(name="朝阳快印店"),
                       visit=VisitDraft(purpose="   "))
    assert set(err.value.errors) == {"purpose"}
    assert _counts(uow) == (0, 0, 0, 0)


def test_walk_in_needs_exactly_one_of_customer_and_customer_id(uow, clerk, unowned_customer):
    with pytest.raises(ValidationError) as err:
        record_walk_in(uow=uow, actor=clerk, visit=VisitDraft(purpose="咨询"))
    assert set(err.value.errors) == {"customer"}
    with pytest.raises(ValidationError):
        record_walk_in(uow=uow, actor=clerk, customer=CustomerDraft(name="某店"),
                       customer_id=unowned_customer.id, visit=VisitDraft(purpose="咨询"))


def test_technician_cannot_use_the_walk_in_flow(uow, technician):
    with pytest.raises(PermissionDenied):
        record_walk_in(uow=uow, actor=technician, customer=CustomerDraft(name="某店"),
                       visit=VisitDraft(purpose="咨询"))
    assert _counts(uow) == (0, 0, 0, 0)


# --- follow-ups on the owner's to-do list --------------------------------------------------


def test_follow_up_appears_on_its_day_not_before_and_not_after_done(
        uow, sales_user, customer_model):
    due = VISIT_DAY + dt.timedelta(days=5)
    made = record_visit(uow=uow, actor=sales_user, draft=_draft(customer_model.id,
                                                                follow_up_on=due))
    assert todo_follow_ups(uow=uow, actor=sales_user, on=due - dt.timedelta(days=1)) == ()
    [item] = todo_follow_ups(uow=uow, actor=sales_user, on=due)
    assert item.visit_id == made.id and item.customer_name == "北京鑫锐科技有限公司"
    assert item.contact_name is None and not item.overdue
    [later] = todo_follow_ups(uow=uow, actor=sales_user, on=due + dt.timedelta(days=2))
    assert later.overdue
    done = mark_follow_up_done(uow=uow, actor=sales_user, visit_id=made.id)
    assert done.follow_up_done
    assert todo_follow_ups(uow=uow, actor=sales_user, on=due + dt.timedelta(days=2)) == ()
    mark_follow_up_done(uow=uow, actor=sales_user, visit_id=made.id, done=False)
    assert len(todo_follow_ups(uow=uow, actor=sales_user, on=due)) == 1


def test_todo_lists_overdue_first_and_only_the_actors_own(
        uow, sales_user, other_sales_user, customer_model):
    theirs = create_customer(uow=uow, actor=other_sales_user,
                             draft=CustomerDraft(name="天津海河电子"))
    today = VISIT_DAY + dt.timedelta(days=6)
    recent = record_visit(uow=uow, actor=sales_user, draft=_draft(
        customer_model.id, follow_up_on=today))
    old = record_visit(uow=uow, actor=sales_user, draft=_draft(
        customer_model.id, follow_up_on=VISIT_DAY + dt.timedelta(days=1)))
    record_visit(uow=uow, actor=sales_user, draft=_draft(customer_model.id))  # no follow-up
    record_visit(uow=uow, actor=other_sales_user, draft=_draft(theirs.id, follow_up_on=today))
    items = todo_follow_ups(uow=uow, actor=sales_user, on=today)
    assert [(i.visit_id, i.overdue) for i in items] == [(old.id, True), (recent.id, False)]


def test_changing_the_follow_up_date_reopens_it(uow, sales_user, customer_model):
    due = VISIT_DAY + dt.timedelta(days=2)
    made = record_visit(uow=uow, actor=sales_user, draft=_draft(customer_model.id,
                                                                follow_up_on=due))
    done = mark_follow_up_done(uow=uow, actor=sales_user, visit_id=made.id)
    later = due + dt.timedelta(days=7)
    moved = update_visit(uow=uow, actor=sales_user, visit_id=made.id,
                         expected_version=done.version,
                         draft=replace(done.to_draft(), follow_up_on=later))
    assert not moved.follow_up_done
    assert [i.visit_id for i in todo_follow_ups(uow=uow, actor=sales_user, on=later)] == [
        made.id]


def test_marking_a_visit_without_follow_up_is_refused(uow, sales_user, customer_model):
    made = record_visit(uow=uow, actor=sales_user, draft=_draft(customer_model.id))
    with pytest.raises(InvalidTransition):
        mark_follow_up_done(uow=uow, actor=sales_user, visit_id=made.id)


# --- permissions ---------------------------------------------------------------------------


def test_technician_cannot_record_visits(uow, technician, customer_model):
    before = _counts(uow)
    with pytest.raises(PermissionDenied):
        record_visit(uow=uow, actor=technician, draft=_draft(customer_model.id))
    assert _counts(uow) == before


def test_salesperson_cannot_record_for_another_salespersons_customer(
        uow, other_sales_user, clerk, customer_model):
    before = _counts(uow)
    for actor in (other_sales_user, clerk):
        with pytest.raises(PermissionDenied):
            record_visit(uow=uow, actor=actor, draft=_draft(customer_model.id))
        with pytest.raises(PermissionDenied):
            record_walk_in(uow=uow, actor=actor, customer_id=customer_model.id,
                           visit=VisitDraft(purpose="咨询"))
    assert _counts(uow) == before


def test_anyone_with_visits_create_may_record_for_an_unowned_customer(
        uow, clerk, sales_user, unowned_customer):
    for actor in (clerk, sales_user):
        made = record_visit(uow=uow, actor=actor, draft=_draft(unowned_customer.id))
        assert made.owner_id == actor.user_id


def test_salesperson_cannot_see_another_salespersons_visits(
        uow, sales_user, other_sales_user, manager, customer_model):
    made = record_visit(uow=uow, actor=sales_user, draft=_draft(customer_model.id))
    assert list_visits(uow=uow, actor=other_sales_user).rows == ()
    with pytest.raises(people.REFUSED):
        get_visit(uow=uow, actor=other_sales_user, visit_id=made.id)
    assert [v.id for v in list_visits(uow=uow, actor=manager).rows] == [made.id]
    assert [v.id for v in list_visits(uow=uow, actor=sales_user).rows] == [made.id]


def test_only_the_author_or_management_may_change_a_visit(
        uow, clerk, clerk2, other_sales_user, manager, unowned_customer):
    made = record_visit(uow=uow, actor=clerk, draft=_draft(unowned_customer.id))
    # A colleague of the same department sees the visit but may not rewrite it.
    assert get_visit(uow=uow, actor=clerk2, visit_id=made.id).id == made.id
    before = _counts(uow)
    for actor in (clerk2, other_sales_user):
        with pytest.raises(people.REFUSED):
            update_visit(uow=uow, actor=actor, visit_id=made.id, expected_version=made.version,
                         draft=replace(made.to_draft(), outcome="改写"))
        with pytest.raises(people.REFUSED):
            submit_visit(uow=uow, actor=actor, visit_id=made.id)
        with pytest.raises(people.REFUSED):
            mark_follow_up_done(uow=uow, actor=actor, visit_id=made.id)
    assert _counts(uow) == before
    fixed = update_visit(uow=uow, actor=manager, visit_id=made.id,
                         expected_version=made.version,
                         draft=replace(made.to_draft(), outcome="已报价"))
    assert fixed.outcome == "已报价" and fixed.owner_id == clerk.user_id


def test_unknown_visit_is_not_found(uow, sales_user):
    with pytest.raises(NotFound):
        get_visit(uow=uow, actor=sales_user, visit_id=999_999)


# --- editing, locking, confirmation --------------------------------------------------------


def test_update_audits_the_change(uow, sales_user, customer_model):
    made = record_visit(uow=uow, actor=sales_user, draft=_draft(customer_model.id))
    saved = update_visit(uow=uow, actor=sales_user, visit_id=made.id,
                         expected_version=made.version,
                         draft=replace(made.to_draft(), outcome="下周再谈"))
    assert saved.version == made.version + 1 and saved.outcome == "下周再谈"
    with uow:
        entry = uow.session.execute(select(AuditEntry).where(
            AuditEntry.entity == "visit", AuditEntry.action == "update")).scalar_one()
        assert json.loads(entry.changes)["outcome"] == [None, "下周再谈"]


def test_stale_version_raises_conflict_and_keeps_the_first_save(
        uow, sales_user, manager, customer_model):
    made = record_visit(uow=uow, actor=sales_user, draft=_draft(customer_model.id))
    update_visit(uow=uow, actor=manager, visit_id=made.id, expected_version=made.version,
                 draft=replace(made.to_draft(), outcome="经理补充"))
    with pytest.raises(ConflictError) as err:
        update_visit(uow=uow, actor=sales_user, visit_id=made.id,
                     expected_version=made.version,
                     draft=replace(made.to_draft(), outcome="业务员改写"))
    assert err.value.changed_by == "总经理"
    assert get_visit(uow=uow, actor=sales_user, visit_id=made.id).outcome == "经理补充"


def test_submit_then_confirmed_visit_can_no_longer_be_changed(uow, sales_user, customer_model):
    made = record_visit(uow=uow, actor=sales_user, draft=_draft(
        customer_model.id, follow_up_on=VISIT_DAY))
    submitted = submit_visit(uow=uow, actor=sales_user, visit_id=made.id,
                             expected_version=made.version)
    assert submitted.confirm_status is ConfirmStatus.SUBMITTED
    with pytest.raises(InvalidTransition):
        submit_visit(uow=uow, actor=sales_user, visit_id=made.id)
    # Confirmed by management (that screen comes later): set directly.
    with uow:
        uow.session.get(Visit, made.id).confirm_status = ConfirmStatus.CONFIRMED.value
        uow.commit()
    current = get_visit(uow=uow, actor=sales_user, visit_id=made.id)
    with pytest.raises(InvalidTransition):
        update_visit(uow=uow, actor=sales_user, visit_id=made.id,
                     expected_version=current.version,
                     draft=replace(current.to_draft(), outcome="改"))
    # The follow-up can still be ticked off.
    assert mark_follow_up_done(uow=uow, actor=sales_user, visit_id=made.id).follow_up_done


def test_a_returned_visit_may_be_submitted_again(uow, sales_user, customer_model):
    made = record_visit(uow=uow, actor=sales_user, draft=_draft(customer_model.id))
    with uow:
        visit = uow.session.get(Visit, made.id)
        visit.confirm_status = ConfirmStatus.RETURNED.value
        visit.return_comment = "请补充联系人"
        uow.commit()
    again = submit_visit(uow=uow, actor=sales_user, visit_id=made.id)
    assert again.confirm_status is ConfirmStatus.SUBMITTED


def test_every_confirmation_edge_names_a_real_status_and_every_status_is_reachable():
    table = VISIT_CONFIRMATION
    members = set(ConfirmStatus)
    assert table.states is ConfirmStatus and table.initial is ConfirmStatus.DRAFT
    for source, target in table.edges:
        assert isinstance(source, ConfirmStatus) and isinstance(target, ConfirmStatus)
        assert source in members and target in members and source != target
    reached, frontier = {table.initial}, [table.initial]
    while frontier:
        for nxt in table.targets(frontier.pop()):
            if nxt not in reached:
                reached.add(nxt)
                frontier.append(nxt)
    assert reached == members
    assert all(table.label(s).strip() for s in members)  # every status has a name
    assert table.targets(ConfirmStatus.CONFIRMED) == ()


# --- bad input -----------------------------------------------------------------------------


@pytest.fixture
def other_customer(uow, sales_user):
    return create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="上海华联商贸", contacts=(ContactDraft(name="周总"),)))


BAD_VISITS = {
    "empty purpose": ({"purpose": "  "}, "purpose"),
    "purpose too long": ({"purpose": "长" * 201}, "purpose"),
    "follow-up before the visit": ({"follow_up_on": VISIT_DAY - dt.timedelta(days=1)},
                                   "follow_up_on"),
    "impossible follow-up date": ({"follow_up_on": "2026-02-30"}, "follow_up_on"),
    "follow-up decades away": ({"follow_up_on": dt.date(2190, 1, 1)}, "follow_up_on"),
    "visit in the future": ({"occurred_at": dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)},
                            "occurred_at"),
    "visit without time zone": ({"occurred_at": dt.datetime(2026, 1, 5, 10, 0)},
                                "occurred_at"),
    "visit in the 19th century": ({"occurred_at": dt.datetime(1850, 1, 1, tzinfo=dt.UTC)},
                                  "occurred_at"),
    "date instead of time": ({"occurred_at": "yesterday"}, "occurred_at"),
    "unknown kind": ({"kind": "email"}, "kind"),
    "unknown customer": ({"customer_id": 987_654}, "customer_id"),
    "no customer": ({"customer_id": None}, "customer_id"),
}


@pytest.mark.parametrize("case", sorted(BAD_VISITS))
def test_bad_visit_input_names_the_field_and_writes_nothing(
        uow, sales_user, customer_model, case):
    changes, field = BAD_VISITS[case]
    before = _counts(uow)
    with pytest.raises(ValidationError) as err:
        record_visit(uow=uow, actor=sales_user,
                     draft=replace(_draft(customer_model.id), **changes))
    assert field in err.value.errors
    assert _counts(uow) == before


def test_contact_of_another_customer_is_refused(uow, sales_user, customer_model,
                                                other_customer):
    before = _counts(uow)
    with pytest.raises(ValidationError) as err:
        record_visit(uow=uow, actor=sales_user, draft=_draft(
            customer_model.id, contact_id=other_customer.contacts[0].id))
    assert set(err.value.errors) == {"contact_id"}
    assert _counts(uow) == before


def test_bad_edit_changes_nothing(uow, sales_user, customer_model):
    made = record_visit(uow=uow, actor=sales_user, draft=_draft(customer_model.id))
    with pytest.raises(ValidationError) as err:
        update_visit(uow=uow, actor=sales_user, visit_id=made.id,
                     expected_version=made.version,
                     draft=replace(made.to_draft(), purpose="",
                                   follow_up_on=VISIT_DAY - dt.timedelta(days=3)))
    assert set(err.value.errors) == {"purpose", "follow_up_on"}
    assert get_visit(uow=uow, actor=sales_user, visit_id=made.id) == made


# --- listing -------------------------------------------------------------------------------


def test_list_pages_newest_first_and_filters(uow, sales_user, customer_model, other_customer):
    made = []
    for i in range(7):
        customer = customer_model if i % 2 == 0 else other_customer
        made.append(record_visit(uow=uow, actor=sales_user, draft=_draft(
            customer.id, occurred_at=at(VISIT_DAY + dt.timedelta(days=i)))))
    # Two visits at the very same moment still page without loss or repeat.
    made.append(record_visit(uow=uow, actor=sales_user, draft=_draft(
        customer_model.id, occurred_at=at(VISIT_DAY + dt.timedelta(days=6)))))
    seen, after = [], None
    while True:
        page = list_visits(uow=uow, actor=sales_user, after=after, limit=3)
        seen += [v.id for v in page.rows]
        if page.next_after is None:
            break
        after = page.next_after
    expected = sorted(made, key=lambda v: (v.occurred_at, v.id), reverse=True)
    assert seen == [v.id for v in expected]

    by_customer = list_visits(uow=uow, actor=sales_user,
                              filters=VisitFilters(customer_id=other_customer.id))
    assert {v.customer_id for v in by_customer.rows} == {other_customer.id}
    assert len(by_customer.rows) == 3
    window = list_visits(uow=uow, actor=sales_user, filters=VisitFilters(
        date_from=VISIT_DAY + dt.timedelta(days=2), date_to=VISIT_DAY + dt.timedelta(days=3)))
    assert sorted(v.occurred_at.astimezone().date() for v in window.rows) == [
        VISIT_DAY + dt.timedelta(days=2), VISIT_DAY + dt.timedelta(days=3)]
    assert list_visits(uow=uow, actor=sales_user, filters=VisitFilters(
        kind=VisitKind.PHONE)).rows == ()


# Who may record a visit (for a customer nobody owns), per default role.
MAY_RECORD_VISITS = {
    "counter_clerk": True,
    "sales": True,
    "technician": False,
    "repair_lead": False,
    "management_clerk": True,
    "general_manager": True,
    "administrator": False,
}


def test_every_default_role_is_covered_by_the_visit_matrix():
    assert {t.code for t in DEFAULT_ROLES} == set(MAY_RECORD_VISITS)


@pytest.mark.parametrize("role", sorted(MAY_RECORD_VISITS))
def test_visit_recording_per_role(uow, make_user, unowned_customer, role):
    actor = make_user("actor", role, ROLE_DEPARTMENT[role])
    before = _counts(uow)
    if MAY_RECORD_VISITS[role]:
        assert record_visit(uow=uow, actor=actor, draft=_draft(unowned_customer.id)).id
    else:
        with pytest.raises(PermissionDenied):
            record_visit(uow=uow, actor=actor, draft=_draft(unowned_customer.id))
        assert _counts(uow) == before

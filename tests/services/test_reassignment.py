"""Customer reassignment when staff leave: preview, three plans, nothing left behind, history."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.models import (
    AuditEntry,
    Base,
    CareItem,
    Customer,
    Opportunity,
    Order,
    Quotation,
    ServiceContract,
    ServiceTicket,
    Task,
    User,
    Visit,
    utcnow,
)
from app.models.enums import (
    AuditAction,
    CareKind,
    CareStatus,
    ContractKind,
    ContractStatus,
    CustomerClass,
    CustomerSource,
    OpportunityStage,
    OrderStatus,
    Priority,
    QuotationStatus,
    ServiceMode,
    TaskStatus,
    TicketChannel,
    TicketStatus,
    VisitKind,
)
from app.services import auth
from app.services.customer360 import customer_overview
from app.services.customers import CustomerDraft, create_customer
from app.services.errors import (
    AuthenticationFailed,
    ConflictError,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from app.services.reassignment import (
    HOLDINGS,
    KEPT_AS_HISTORY,
    AllToOne,
    ByClass,
    Evenly,
    deactivate_user,
    hand_over,
    list_people,
    preview_holdings,
    still_held,
)
from tests.conftest import TEST_PASSWORD

TODAY = dt.date(2026, 11, 20)
D = Decimal
PERSON_COLUMNS = ("owner_id", "assignee_id", "technician_id")
# Named like a person column but holding a record's id: a search key's owner is the
# customer or product whose name it was made from.
NOT_A_PERSON = {"search_keys.owner_id", "name_suffixes.owner_id"}


@pytest.fixture
def team(make_user, sales_user, other_sales_user, manager):
    third = make_user("sales3", "sales", "key_accounts", display_name="赵敏")
    clerk = make_user("mclerk", "management_clerk", "management", display_name="管理部小陈")
    return {"leaving": sales_user, "b": other_sales_user, "c": third, "gm": manager,
            "mclerk": clerk}


def _customer(uow, owner, name, klass, phone):
    return create_customer(uow=uow, actor=owner, draft=CustomerDraft(
        name=name, phone=phone, customer_class=klass, source=CustomerSource.REFERRAL)).id


def _seed(uow, team):
    """The leaving salesperson's book: open records to hand over and closed ones to keep."""
    leaving, other = team["leaving"], team["b"]
    uid = leaving.user_id
    c = {
        "a": _customer(uow, leaving, "北京鑫锐科技", CustomerClass.A, "010-62345678"),
        "b": _customer(uow, leaving, "海淀图文快印", CustomerClass.B, "010-62345679"),
        "c": _customer(uow, leaving, "朝阳打印社", CustomerClass.C, "010-62345680"),
        "k": _customer(uow, leaving, "中关村软件园", CustomerClass.KEY_ACCOUNT, "010-62345681"),
        # Another's customer on which the leaving person has an open quotation.
        "x": _customer(uow, other, "丰台复印中心", CustomerClass.A, "010-62345682"),
    }
    n = iter(range(1, 100))
    now = utcnow()

    def opp(customer, stage):
        return Opportunity(number=f"SJ{next(n)}", customer_id=customer, title="彩色复印机",
                           source=CustomerSource.REFERRAL, stage=stage,
                           expected_amount=D("28000.00"), probability=10, owner_id=uid)

    def quote(customer, status):
        return Quotation(number=f"BJ{next(n)}", customer_id=customer, owner_id=uid,
                         status=status, quoted_on=TODAY, valid_until=TODAY)

    def order(customer, status):
        return Order(number=f"XS{next(n)}", customer_id=customer, owner_id=uid, status=status,
                     ordered_on=TODAY, customer_source=CustomerSource.REFERRAL)

    def visit(customer, done):
        return Visit(customer_id=customer, owner_id=uid, kind=VisitKind.VISIT, occurred_at=now,
                     purpose="回访", follow_up_on=TODAY, follow_up_done=done)

    def task(customer, status):
        return Task(title="整理客户资料", assignee_id=uid, assigned_by_id=team["gm"].user_id,
                    customer_id=customer, priority=Priority.NORMAL, status=status)

    def care(customer, status):
        return CareItem(customer_id=customer, owner_id=uid, kind=CareKind.FOLLOW_UP,
                        title="取机回访", due_on=TODAY, status=status)

    with uow:
        uow.session.add_all([
            opp(c["a"], OpportunityStage.NEW), opp(c["b"], OpportunityStage.PROPOSAL),
            opp(c["a"], OpportunityStage.WON),  # closed: stays as history
            quote(c["a"], QuotationStatus.DRAFT), quote(c["x"], QuotationStatus.SENT),
            quote(c["b"], QuotationStatus.REJECTED),  # closed
            order(c["c"], OrderStatus.DRAFT), order(c["a"], OrderStatus.COMPLETED),  # closed
            ServiceContract(number=f"HT{next(n)}", customer_id=c["b"], owner_id=uid,
                            kind=ContractKind.FULL_SERVICE, status=ContractStatus.ACTIVE,
                            starts_on=TODAY, ends_on=TODAY + dt.timedelta(days=365),
                            fee=D("1200.00")),
            visit(c["a"], False), visit(c["b"], True),  # done: stays
            task(None, TaskStatus.OPEN), task(c["k"], TaskStatus.ACKNOWLEDGED),
            task(None, TaskStatus.CONFIRMED),  # finished: stays
            care(c["c"], CareStatus.OPEN), care(c["k"], CareStatus.DONE),  # done: stays
        ])
        uow.commit()
    return c


def _owner(uow, model, record_id, column="owner_id"):
    with uow:
        return uow.session.execute(
            select(getattr(model, column)).where(model.id == record_id)).scalar_one()


def _held_open(uow, user_id):
    """Records under every person column still in play for ``user_id``."""
    with uow:
        return {kind.code: uow.session.execute(
            select(func.count()).select_from(kind.model)
            .where(kind.owner == user_id,
                   *([kind.still_open()] if kind.still_open else []))).scalar_one()
            for kind in HOLDINGS}


def _snapshot(uow):
    """Owner of every record under every person column, and the number of audit rows."""
    with uow:
        owners = {}
        for kind in HOLDINGS:
            owners[kind.code] = sorted(uow.session.execute(
                select(kind.model.id, kind.owner)).all())
        audits = uow.session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
        active = sorted(uow.session.execute(select(User.id, User.active)).all())
    return owners, audits, active


def test_every_person_column_of_the_data_model_is_covered():
    handled = {f"{k.owner.class_.__tablename__}.{k.owner.key}" for k in HOLDINGS}
    found = {f"{t.name}.{c.name}" for t in Base.metadata.sorted_tables for c in t.columns
             if c.name in PERSON_COLUMNS} - NOT_A_PERSON
    assert found <= handled | set(KEPT_AS_HISTORY), found - handled - set(KEPT_AS_HISTORY)
    assert "customers.owner_id" in handled and "tasks.assignee_id" in handled


def test_preview_counts_and_lists_what_is_still_in_play(uow, team):
    c = _seed(uow, team)
    held = preview_holdings(uow=uow, actor=team["gm"], user_id=team["leaving"].user_id)
    counts = {g.kind: g.count for g in held.groups}
    assert counts == {"customers": 4, "opportunities": 2, "quotations": 2, "orders": 1,
                      "contracts": 1, "follow_ups": 1, "care_items": 1, "tasks": 2,
                      "service_tickets": 0}
    assert held.total == 14 and held.active and held.display_name == "张伟"
    customers = next(g for g in held.groups if g.kind == "customers")
    assert {i.customer_name for i in customers.items} == {
        "北京鑫锐科技", "海淀图文快印", "朝阳打印社", "中关村软件园"}
    quotations = next(g for g in held.groups if g.kind == "quotations")
    assert {i.customer_id for i in quotations.items} == {c["a"], c["x"]}
    # Classes a by-class plan must cover: the customers owned, and the one of the quotation.
    assert dict(held.classes) == {CustomerClass.A: 2, CustomerClass.B: 1, CustomerClass.C: 1,
                                  CustomerClass.KEY_ACCOUNT: 1}


def test_all_to_one_moves_everything_and_keeps_history(uow, team):
    c = _seed(uow, team)
    leaving, b = team["leaving"].user_id, team["b"].user_id
    result = hand_over(uow=uow, actor=team["gm"], from_user_id=leaving, plan=AllToOne(b))
    assert result.total == 14 and result.moved["customers"] == 4
    assert [(r.user_id, r.total) for r in result.receivers] == [(b, 14)]
    assert _held_open(uow, leaving) == dict.fromkeys(_held_open(uow, leaving), 0)
    with uow:
        owners = set(uow.session.execute(
            select(Customer.owner_id).where(Customer.id.in_(list(c.values())))).scalars())
        # Closed work stays with the person who did it (the sales assessment counts it).
        completed = uow.session.execute(select(Order.owner_id).where(
            Order.status == OrderStatus.COMPLETED)).scalar_one()
        won = uow.session.execute(select(Opportunity.owner_id).where(
            Opportunity.stage == OpportunityStage.WON)).scalar_one()
        audits = uow.session.execute(
            select(AuditEntry.entity_id, AuditEntry.changes)
            .where(AuditEntry.action == AuditAction.REASSIGN,
                   AuditEntry.entity == "customer")).all()
        opp_audits = uow.session.execute(
            select(func.count()).select_from(AuditEntry)
            .where(AuditEntry.action == AuditAction.REASSIGN,
                   AuditEntry.entity == "opportunity")).scalar_one()
    assert owners == {b}
    assert completed == leaving and won == leaving
    assert sorted(a.entity_id for a in audits) == sorted(c[k] for k in "abck")
    assert all(json.loads(a.changes) == {"owner_id": [leaving, b]} for a in audits)
    assert opp_audits == 2
    # The change shows on the customer's timeline (the audit log feeds it).
    timeline = customer_overview(uow=uow, actor=team["gm"], customer_id=c["a"]).timeline
    changes = [e for e in timeline if e.kind == "change" and "张伟" in e.text]
    assert changes and "李娜" in changes[0].text


def test_evenly_splits_customers_and_their_records_follow_them(uow, team):
    c = _seed(uow, team)
    leaving, b, cc = team["leaving"].user_id, team["b"].user_id, team["c"].user_id
    result = hand_over(uow=uow, actor=team["gm"], from_user_id=leaving,
                       plan=Evenly((b, cc)))
    assert {r.user_id: r.counts["customers"] for r in result.receivers} == {b: 2, cc: 2}
    with uow:
        owner = dict(uow.session.execute(
            select(Customer.id, Customer.owner_id).where(Customer.owner_id.in_((b, cc)),
                                                         Customer.id != c["x"])).all())
        opps = uow.session.execute(select(Opportunity.customer_id, Opportunity.owner_id).where(
            Opportunity.stage != OpportunityStage.WON)).all()
        draft_order = uow.session.execute(select(Order.customer_id, Order.owner_id).where(
            Order.status == OrderStatus.DRAFT)).one()
        contract = uow.session.execute(
            select(ServiceContract.customer_id, ServiceContract.owner_id)).one()
        care = uow.session.execute(select(CareItem.customer_id, CareItem.owner_id).where(
            CareItem.status == CareStatus.OPEN)).one()
        tasks = uow.session.execute(select(Task.assignee_id).where(
            Task.status != TaskStatus.CONFIRMED)).scalars().all()
    assert set(owner) == {c["a"], c["b"], c["c"], c["k"]}
    for customer_id, new_owner in [*opps, draft_order, contract, care]:
        assert new_owner == owner[customer_id]  # each record followed its customer
    assert sorted(tasks) == sorted([b, cc])  # tasks split evenly
    assert sum(_held_open(uow, leaving).values()) == 0


def test_by_class_gives_each_class_to_its_user(uow, team):
    c = _seed(uow, team)
    leaving, b, cc = team["leaving"].user_id, team["b"].user_id, team["c"].user_id
    plan = ByClass({CustomerClass.A: b, CustomerClass.B: cc, CustomerClass.C: cc,
                    CustomerClass.KEY_ACCOUNT: b})
    hand_over(uow=uow, actor=team["gm"], from_user_id=leaving, plan=plan)
    assert _owner(uow, Customer, c["a"]) == b and _owner(uow, Customer, c["k"]) == b
    assert _owner(uow, Customer, c["b"]) == cc and _owner(uow, Customer, c["c"]) == cc
    with uow:
        # The quotation on the other salesperson's class-A customer goes by its class.
        quote_x = uow.session.execute(select(Quotation.owner_id).where(
            Quotation.customer_id == c["x"])).scalar_one()
        key_task = uow.session.execute(select(Task.assignee_id).where(
            Task.customer_id == c["k"])).scalar_one()
    assert quote_x == b and key_task == b
    assert sum(_held_open(uow, leaving).values()) == 0


def test_hand_over_and_deactivate_in_one_step_then_login_is_refused(uow, team):
    _seed(uow, team)
    leaving = team["leaving"]
    version = preview_holdings(uow=uow, actor=team["mclerk"], user_id=leaving.user_id).version
    result = hand_over(uow=uow, actor=team["mclerk"], from_user_id=leaving.user_id,
                       plan=AllToOne(team["c"].user_id), deactivate=True,
                       expected_version=version)
    assert result.deactivated
    with uow:
        assert uow.session.get(User, leaving.user_id).active is False
    with pytest.raises(AuthenticationFailed):
        auth.login(uow=uow, username=leaving.username, password=TEST_PASSWORD)
    # The receiver can still log in.
    assert auth.login(uow=uow, username="sales3", password=TEST_PASSWORD).user_id \
        == team["c"].user_id


def test_deactivate_refuses_while_anything_is_owned_then_allows(uow, team):
    _seed(uow, team)
    leaving = team["leaving"].user_id
    version = preview_holdings(uow=uow, actor=team["gm"], user_id=leaving).version
    before = _snapshot(uow)
    with pytest.raises(ValidationError) as err:
        deactivate_user(uow=uow, actor=team["gm"], user_id=leaving, expected_version=version)
    assert "user_id" in err.value.errors and "Customers 4" in err.value.errors["user_id"]
    assert _snapshot(uow) == before
    hand_over(uow=uow, actor=team["gm"], from_user_id=leaving, plan=AllToOne(team["b"].user_id))
    deactivate_user(uow=uow, actor=team["gm"], user_id=leaving, expected_version=version)
    with uow:
        assert uow.session.get(User, leaving).active is False
        entry = uow.session.execute(select(AuditEntry.changes).where(
            AuditEntry.entity == "user", AuditEntry.entity_id == leaving,
            AuditEntry.action == AuditAction.UPDATE)).scalar_one()
    assert json.loads(entry) == {"active": [True, False]}


def test_a_salesperson_may_not_preview_hand_over_or_deactivate(uow, team):
    _seed(uow, team)
    before = _snapshot(uow)
    other, leaving = team["b"], team["leaving"].user_id
    with pytest.raises(PermissionDenied):
        preview_holdings(uow=uow, actor=other, user_id=leaving)
    with pytest.raises(PermissionDenied):
        hand_over(uow=uow, actor=other, from_user_id=leaving, plan=AllToOne(other.user_id))
    with pytest.raises(PermissionDenied):
        deactivate_user(uow=uow, actor=other, user_id=leaving, expected_version=1)
    assert _snapshot(uow) == before


@pytest.mark.parametrize("plan_of", [
    lambda t: AllToOne(t["leaving"].user_id),  # to the leaving user
    lambda t: AllToOne(99999),  # nobody
    lambda t: Evenly(()),  # nobody chosen
    lambda t: Evenly((t["b"].user_id, t["b"].user_id)),  # the same user twice
    lambda t: ByClass({CustomerClass.A: t["b"].user_id}),  # B, C and key accounts missing
    lambda t: AllToOne(t["tech"].user_id),  # a technician may not take customers over
])
def test_bad_plans_are_refused_and_nothing_changes(uow, team, technician, plan_of):
    _seed(uow, team)
    team = {**team, "tech": technician}
    before = _snapshot(uow)
    with pytest.raises(ValidationError) as err:
        hand_over(uow=uow, actor=team["gm"], from_user_id=team["leaving"].user_id,
                  plan=plan_of(team))
    assert "plan" in err.value.errors and err.value.errors["plan"]
    assert _snapshot(uow) == before


def test_an_inactive_receiver_is_refused(uow, team):
    _seed(uow, team)
    with uow:
        uow.session.get(User, team["c"].user_id).active = False
        uow.commit()
    before = _snapshot(uow)
    with pytest.raises(ValidationError) as err:
        hand_over(uow=uow, actor=team["gm"], from_user_id=team["leaving"].user_id,
                  plan=Evenly((team["b"].user_id, team["c"].user_id)))
    assert "active" in err.value.errors["plan"]
    assert _snapshot(uow) == before


def test_by_class_message_names_the_missing_classes(uow, team):
    _seed(uow, team)
    with pytest.raises(ValidationError) as err:
        hand_over(uow=uow, actor=team["gm"], from_user_id=team["leaving"].user_id,
                  plan=ByClass({CustomerClass.A: team["b"].user_id,
                                CustomerClass.B: team["b"].user_id}))
    assert err.value.errors["plan"].endswith("Class C, Key account")


def test_a_stale_user_version_is_a_conflict_and_nothing_moves(uow, team):
    _seed(uow, team)
    leaving = team["leaving"]
    version = preview_holdings(uow=uow, actor=team["gm"], user_id=leaving.user_id).version
    auth.login(uow=uow, username=leaving.username, password=TEST_PASSWORD)  # saves the user
    before = _snapshot(uow)
    with pytest.raises(ConflictError):
        hand_over(uow=uow, actor=team["gm"], from_user_id=leaving.user_id,
                  plan=AllToOne(team["b"].user_id), deactivate=True, expected_version=version)
    assert _snapshot(uow)[0] == before[0]  # no record moved (the login audit row aside)
    with pytest.raises(ConflictError):
        deactivate_user(uow=uow, actor=team["gm"], user_id=team["c"].user_id,
                        expected_version=99)


def test_one_may_not_deactivate_oneself_or_an_unknown_user(uow, team):
    with pytest.raises(ValidationError) as err:
        deactivate_user(uow=uow, actor=team["gm"], user_id=team["gm"].user_id,
                        expected_version=1)
    assert "yourself" in err.value.errors["user_id"]
    with pytest.raises(NotFound):
        preview_holdings(uow=uow, actor=team["gm"], user_id=99999)


def _ticket(uow, customer_id, technician_id, status, intake_by):
    with uow:
        ticket = ServiceTicket(
            number=f"WX{status.value}", customer_id=customer_id, channel=TicketChannel.WALK_IN,
            mode=ServiceMode.BRING_IN, priority=Priority.NORMAL, status=status,
            symptoms="卡纸", received_at=utcnow(), intake_by_id=intake_by,
            technician_id=technician_id)
        uow.session.add(ticket)
        uow.commit()
        return ticket.id


def test_a_leaving_technicians_open_tickets_go_to_a_technician(uow, team, make_user,
                                                               technician):
    other_tech = make_user("tech2", "technician", "repair", display_name="孙工")
    customer = _customer(uow, team["b"], "海淀图文快印", CustomerClass.B, "010-62345679")
    open_id = _ticket(uow, customer, technician.user_id, TicketStatus.IN_REPAIR,
                      team["gm"].user_id)
    done_id = _ticket(uow, customer, technician.user_id, TicketStatus.PICKED_UP,
                      team["gm"].user_id)
    held = preview_holdings(uow=uow, actor=team["gm"], user_id=technician.user_id)
    assert held.count("service_tickets") == 1 and held.total == 1
    # A salesperson cannot work on service tickets.
    with pytest.raises(ValidationError) as err:
        hand_over(uow=uow, actor=team["gm"], from_user_id=technician.user_id,
                  plan=AllToOne(team["b"].user_id))
    assert "李娜" in err.value.errors["plan"]
    hand_over(uow=uow, actor=team["gm"], from_user_id=technician.user_id,
              plan=AllToOne(other_tech.user_id), deactivate=True,
              expected_version=held.version)
    assert _owner(uow, ServiceTicket, open_id, "technician_id") == other_tech.user_id
    assert _owner(uow, ServiceTicket, done_id, "technician_id") == technician.user_id


def test_list_people_shows_everyone_to_management_only(uow, team, admin, technician):
    with uow:
        uow.session.get(User, team["c"].user_id).active = False
        uow.commit()
    people = list_people(uow=uow, actor=team["gm"])
    assert [p.active for p in people] == sorted((p.active for p in people), reverse=True)
    by_id = {p.id: p for p in people}
    assert by_id[team["c"].user_id].active is False  # an inactive user may still own things
    assert by_id[team["leaving"].user_id].role_code == "sales"
    assert by_id[team["leaving"].user_id].role_name_zh == "大客户业务员"
    # Only roles that may work on handed-over records are offered as receivers.
    assert by_id[team["b"].user_id].can_receive and by_id[technician.user_id].can_receive
    assert not by_id[admin.user_id].can_receive
    with pytest.raises(PermissionDenied):
        list_people(uow=uow, actor=team["b"])


def test_a_user_who_owns_nothing_is_handed_over_and_deactivated_in_one_step(uow, team):
    leaving = team["c"]
    held = preview_holdings(uow=uow, actor=team["gm"], user_id=leaving.user_id)
    assert held.total == 0 and held.classes == ()
    with uow:
        assert still_held(uow, leaving.user_id) == []
    result = hand_over(uow=uow, actor=team["gm"], from_user_id=leaving.user_id,
                       plan=AllToOne(team["b"].user_id), deactivate=True,
                       expected_version=held.version)
    assert result.total == 0 and result.deactivated
    with uow:
        assert uow.session.get(User, leaving.user_id).active is False

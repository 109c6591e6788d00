"""Customer care (客户关怀): rule generation on a fixed calendar, outcomes, permissions, input."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.models import AppSetting, AuditEntry, CareItem, Order, OrderLine, Product
from app.models.enums import (
    CareKind,
    CareStatus,
    ContractKind,
    ContractStatus,
    CustomerClass,
    CustomerSource,
    CustomerStatus,
    OrderStatus,
    Priority,
    ProductCategory,
    ServiceMode,
    TicketChannel,
    TicketStatus,
)
from app.models.service import ServiceContract, ServiceTicket
from app.services.care import (
    CARE_LIFECYCLE,
    CareRules,
    Holiday,
    dismiss_care_item,
    generate_care_items,
    get_care_item,
    get_care_rules,
    last_generation,
    list_care_items,
    open_care_items_for_todo,
    postpone_care_item,
    record_outcome,
    save_care_rules,
)
from app.services.customer360 import customer_overview
from app.services.customers import ContactDraft, CustomerDraft, create_customer
from app.services.errors import (
    ConflictError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from tests import people

ON = dt.date(2027, 3, 10)  # a Wednesday; no default holiday falls within 10 days of it
NO_HOLIDAYS = CareRules(holidays=())


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def _local_noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12)).astimezone()


@pytest.fixture
def management(make_user):
    return make_user("office1", "management_clerk", "management", display_name="管理部小陈")


def _customer(uow, owner, name, *, customer_class=CustomerClass.C,
              status=CustomerStatus.ACTIVE, contacts=()):
    return create_customer(uow=uow, actor=owner, draft=CustomerDraft(
        name=name, source=CustomerSource.REFERRAL, customer_class=customer_class,
        status=status, contacts=tuple(contacts))).id


def _ticket(uow, customer_id, by, number, picked_up_on, status=TicketStatus.PICKED_UP):
    with uow:
        t = ServiceTicket(number=number, customer_id=customer_id, channel=TicketChannel.WALK_IN,
                          mode=ServiceMode.BRING_IN, priority=Priority.NORMAL, status=status,
                          symptoms="卡纸", received_at=_local_noon(picked_up_on - _days(5)),
                          intake_by_id=by.user_id,
                          picked_up_at=_local_noon(picked_up_on) if picked_up_on else None)
        uow.session.add(t)
        uow.commit()
        return t.id


def _contract(uow, customer_id, number, ends_on, status=ContractStatus.ACTIVE):
    with uow:
        c = ServiceContract(number=number, customer_id=customer_id,
                            kind=ContractKind.FULL_SERVICE, status=status,
                            starts_on=ends_on - _days(364), ends_on=ends_on,
                            fee=Decimal("3600.00"))
        uow.session.add(c)
        uow.commit()
        return c.id


def _product(uow, sku, name, category=ProductCategory.CONSUMABLE):
    with uow:
        p = Product(sku=sku, name=name, category=category, unit="支",
                    cost_price=Decimal("200.00"), list_price=Decimal("380.00"))
        uow.session.add(p)
        uow.commit()
        return p.id


_order_no = iter(range(1, 10_000))


def _order(uow, customer_id, owner, product_ids, day, status=OrderStatus.COMPLETED):
    with uow:
        o = Order(number=f"XS-T-{next(_order_no):05d}", customer_id=customer_id,
                  owner_id=owner.user_id, status=status, ordered_on=day,
                  customer_source=CustomerSource.REFERRAL)
        for position, pid in enumerate(product_ids, 1):
            o.lines.append(OrderLine(position=position, product_id=pid, description="硒鼓",
                                     quantity=Decimal("1"), unit_price=Decimal("380.00"),
                                     line_total=Decimal("380.00"), unit_cost=Decimal("200.00"),
                                     line_cost=Decimal("200.00")))
        uow.session.add(o)
        uow.commit()
        return o.id


def _save_rules(uow, actor, rules):
    current = get_care_rules(uow=uow, actor=actor)
    return save_care_rules(uow=uow, actor=actor, rules=rules, expected_version=current.version)


def _items(uow):
    with uow:
        return uow.session.execute(
            select(CareItem.kind, CareItem.customer_id, CareItem.due_on, CareItem.owner_id,
                   CareItem.source_entity, CareItem.source_id, CareItem.product_id,
                   CareItem.contact_id)
            .order_by(CareItem.kind, CareItem.customer_id, CareItem.due_on)).all()


def _count(uow, model=CareItem):
    with uow:
        return uow.session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def world(uow, sales_user, manager, technician):
    """One customer per rule, each with a case just inside and just outside the window."""
    w = {}
    # Pickup follow-up (3 days): picked up 3 days ago → due today; 11 days ago → due 8 days
    # ago, beyond the week of catching up; 5 days from the end of the horizon → due on it.
    w["pickup_customer"] = c = _customer(uow, sales_user, "北京鑫锐科技有限公司")
    w["ticket_due"] = _ticket(uow, c, technician, "WX-1", ON - _days(3))
    _ticket(uow, c, technician, "WX-2", ON - _days(11))
    w["ticket_last"] = _ticket(uow, c, technician, "WX-3", ON + _days(4))  # due ON + 7
    _ticket(uow, c, technician, "WX-4", ON - _days(3), status=TicketStatus.DONE)  # not picked up
    # Contract expiry (30 days): ends in 30 days → due today; in 38 → due beyond horizon.
    w["contract_customer"] = c = _customer(uow, sales_user, "上海华东印务有限公司")
    w["contract_due"] = _contract(uow, c, "HT-1", ON + _days(30))
    _contract(uow, c, "HT-2", ON + _days(38))
    _contract(uow, c, "HT-3", ON + _days(20), status=ContractStatus.TERMINATED)
    # Reorder: toner every 45 days, last bought 40 days ago → expected in 5 days, reminder
    # today. Paper bought only once → no habit. A printer is not a consumable.
    w["reorder_customer"] = c = _customer(uow, sales_user, "天津滨海办公设备有限公司")
    w["toner"] = toner = _product(uow, "T-CF226A", "HP 26A 硒鼓")
    paper = _product(uow, "T-A4", "A4 复印纸")
    printer = _product(uow, "P-M404", "HP M404dn", ProductCategory.PRINTER)
    for day in (ON - _days(130), ON - _days(85), ON - _days(40)):
        _order(uow, c, sales_user, [toner, toner, printer], day)
    _order(uow, c, sales_user, [paper], ON - _days(20))
    _order(uow, c, sales_user, [toner], ON - _days(10), status=OrderStatus.CANCELLED)
    # Birthday (3 days ahead): a contact born on 13 March → due today; 25 March → too far.
    birthday = ContactDraft(name="王芳", birthday=dt.date(1985, 3, 13), is_primary=True)
    later = ContactDraft(name="李雷", birthday=dt.date(1990, 3, 25))
    none = ContactDraft(name="赵敏")
    w["birthday_customer"] = _customer(uow, sales_user, "广州南方数码有限公司",
                                       contacts=[birthday, later, none])
    # Holiday customers: class A active (greeted), class A lost, class C (not greeted).
    w["holiday_customer"] = _customer(uow, manager, "深圳前海贸易有限公司",
                                      customer_class=CustomerClass.A)
    with uow:
        from app.models import Customer
        uow.session.get(Customer, w["holiday_customer"]).owner_id = None
        uow.commit()
    _customer(uow, sales_user, "杭州西湖文具店", customer_class=CustomerClass.A,
              status=CustomerStatus.LOST)
    return w


def test_each_rule_makes_exactly_its_items(uow, manager, sales_user, world):
    result = generate_care_items(uow=uow, actor=manager, on=ON)
    assert dict(result.counts) == {"follow_up": 2, "contract_expiry": 1, "reorder": 1,
                                   "birthday": 1, "holiday": 0}
    rows = _items(uow)
    assert len(rows) == 5
    by_kind = {}
    for r in rows:
        by_kind.setdefault(r.kind, []).append(r)
    follow = by_kind[CareKind.FOLLOW_UP]
    assert [(r.due_on, r.source_entity, r.source_id) for r in follow] == [
        (ON, "service_ticket", world["ticket_due"]),
        (ON + _days(7), "service_ticket", world["ticket_last"])]
    assert all(r.owner_id == sales_user.user_id for r in rows)
    contract = by_kind[CareKind.CONTRACT_EXPIRY][0]
    assert (contract.due_on, contract.source_id) == (ON, world["contract_due"])
    reorder = by_kind[CareKind.REORDER][0]
    assert (reorder.customer_id, reorder.product_id, reorder.due_on) == (
        world["reorder_customer"], world["toner"], ON)
    birthday = by_kind[CareKind.BIRTHDAY][0]
    assert (birthday.customer_id, birthday.due_on, birthday.source_entity) == (
        world["birthday_customer"], ON, "contact")
    last = last_generation(uow=uow, actor=manager)
    assert last.on == ON and last.counts["follow_up"] == 2


def test_reorder_reminder_falls_at_day_40_of_a_45_day_habit(uow, manager, sales_user):
    customer = _customer(uow, sales_user, "成都蜀都印务有限公司")
    toner = _product(uow, "T-CE285A", "HP 85A 硒鼓")
    first = dt.date(2026, 11, 1)
    for k in range(3):
        _order(uow, customer, sales_user, [toner], first + _days(45 * k))
    last_bought = first + _days(90)
    day_40 = last_bought + _days(40)
    # A run a day after the horizon could reach day 40 creates nothing yet...
    early = day_40 - _days(8)
    assert generate_care_items(uow=uow, actor=manager, on=early).counts["reorder"] == 0
    # ...one whose week reaches day 40 does, due exactly on day 40.
    assert generate_care_items(uow=uow, actor=manager, on=early + _days(1)
                               ).counts["reorder"] == 1
    assert [r.due_on for r in _items(uow) if r.kind is CareKind.REORDER] == [day_40]
    # The next purchase starts a new cycle: a new reminder 40 days after it, not before.
    _order(uow, customer, sales_user, [toner], day_40 + _days(3))
    assert generate_care_items(uow=uow, actor=manager, on=day_40 + _days(4)
                               ).counts["reorder"] == 0
    result = generate_care_items(uow=uow, actor=manager, on=day_40 + _days(40))
    assert result.counts["reorder"] == 1
    dues = sorted(r.due_on for r in _items(uow) if r.kind is CareKind.REORDER)
    # 4 purchases over 133 days → every 44 days (rounded) → due 44 − 5 days after the last.
    assert dues == [day_40, day_40 + _days(3 + 44 - 5)]


def test_holiday_greets_active_customers_of_the_chosen_classes(uow, manager, world):
    rules = replace(NO_HOLIDAYS, holidays=(Holiday("测试节", "2027-03-13"),
                                           Holiday("元旦", "01-01")),
                    follow_up_enabled=False, contract_enabled=False, reorder_enabled=False,
                    birthday_enabled=False)
    _save_rules(uow, manager, rules)
    result = generate_care_items(uow=uow, actor=manager, on=ON)
    assert dict(result.counts) == {"follow_up": 0, "contract_expiry": 0, "reorder": 0,
                                   "birthday": 0, "holiday": 1}
    (item,) = _items(uow)
    assert (item.customer_id, item.due_on, item.source_entity, item.source_id,
            item.owner_id) == (world["holiday_customer"], ON, "holiday", 20270313, None)
    # Another class chosen: class C customers are greeted as well, once.
    _save_rules(uow, manager, replace(rules, holiday_classes=(CustomerClass.A,
                                                                CustomerClass.C)))
    again = generate_care_items(uow=uow, actor=manager, on=ON)
    assert again.counts["holiday"] == 4  # the four active class C customers of the world
    assert generate_care_items(uow=uow, actor=manager, on=ON).total == 0


def test_generation_is_idempotent(uow, manager, world):
    first = generate_care_items(uow=uow, actor=manager, on=ON)
    assert first.total == 5
    second = generate_care_items(uow=uow, actor=manager, on=ON)
    assert second.total == 0
    # Later days add only what newly falls within the horizon (the birthday is not repeated).
    third = generate_care_items(uow=uow, actor=manager, on=ON + _days(2))
    assert third.counts["birthday"] == 0 and third.counts["follow_up"] == 0
    assert _count(uow) == 5 + third.total
    # Even after the items are done, a rerun makes no second item for the same source.
    for item in list_care_items(uow=uow, actor=manager, on=ON):
        record_outcome(uow=uow, actor=manager, care_item_id=item.id,
                       expected_version=item.version, outcome="已联系", channel="phone")
    assert generate_care_items(uow=uow, actor=manager, on=ON).total == 0


def test_a_switched_off_rule_makes_nothing(uow, manager, world):
    _save_rules(uow, manager, replace(NO_HOLIDAYS, follow_up_enabled=False,
                                      reorder_enabled=False))
    result = generate_care_items(uow=uow, actor=manager, on=ON)
    assert result.counts["follow_up"] == 0 and result.counts["reorder"] == 0
    assert {r.kind for r in _items(uow)} == {CareKind.CONTRACT_EXPIRY, CareKind.BIRTHDAY}
    # N is a setting too: follow-up 11 days after pickup catches the older ticket.
    _save_rules(uow, manager, replace(NO_HOLIDAYS, follow_up_days=11, reorder_enabled=False))
    assert generate_care_items(uow=uow, actor=manager, on=ON).counts["follow_up"] == 1


def test_outcome_is_recorded_and_shows_on_the_timeline(uow, manager, sales_user, world):
    generate_care_items(uow=uow, actor=manager, on=ON)
    (item,) = list_care_items(uow=uow, actor=sales_user, on=ON, mine=True,
                              kind=CareKind.BIRTHDAY)
    assert item.contact_name == "王芳" and not item.overdue
    done = record_outcome(uow=uow, actor=sales_user, care_item_id=item.id,
                          expected_version=item.version, outcome="已电话祝福，客户很高兴",
                          channel="phone", on=ON)
    assert done.status is CareStatus.DONE and done.done_at is not None
    assert done.channel == "phone" and done.version == item.version + 1
    timeline = customer_overview(uow=uow, actor=sales_user,
                                 customer_id=world["birthday_customer"]).timeline
    (entry,) = [e for e in timeline if e.kind == "care"]
    assert entry.state == "done"
    assert entry.text == f"{item.title} — 已电话祝福，客户很高兴"
    with uow:
        audits = uow.session.execute(select(AuditEntry.action, AuditEntry.changes).where(
            AuditEntry.entity == "care_item", AuditEntry.entity_id == item.id)).all()
    assert len(audits) == 1 and "已电话祝福" in audits[0].changes
    # The open ones show on the owner's to-do list; the done one no longer does.
    todo = open_care_items_for_todo(uow=uow, actor=sales_user, on=ON, limit=50)
    assert item.id not in {t.id for t in todo}
    assert {t.kind for t in todo} == {CareKind.FOLLOW_UP, CareKind.CONTRACT_EXPIRY,
                                      CareKind.REORDER}
    assert all(t.due_on <= ON for t in todo)


def test_postpone_note_and_dismiss(uow, manager, sales_user, world):
    generate_care_items(uow=uow, actor=manager, on=ON)
    item = list_care_items(uow=uow, actor=sales_user, on=ON, kind=CareKind.REORDER)[0]
    noted = record_outcome(uow=uow, actor=sales_user, care_item_id=item.id,
                           expected_version=item.version, outcome="没人接", channel="phone",
                           done=False, on=ON)
    assert noted.status is CareStatus.OPEN and noted.outcome == "没人接"
    later = postpone_care_item(uow=uow, actor=sales_user, care_item_id=item.id,
                               expected_version=noted.version, to=ON + _days(2),
                               outcome="客户说周五再联系", channel="wechat", on=ON)
    assert later.due_on == ON + _days(2) and later.channel == "wechat"
    assert item.id not in {t.id for t in open_care_items_for_todo(
        uow=uow, actor=sales_user, on=ON)}
    assert get_care_item(uow=uow, actor=sales_user, care_item_id=item.id,
                         on=ON + _days(3)).overdue
    skipped = dismiss_care_item(uow=uow, actor=sales_user, care_item_id=item.id,
                                expected_version=later.version, reason="客户已从别处采购")
    assert skipped.status is CareStatus.SKIPPED
    with pytest.raises(InvalidTransition):
        dismiss_care_item(uow=uow, actor=sales_user, care_item_id=item.id,
                          expected_version=skipped.version)
    # Postponing reopens a dismissed item.
    reopened = postpone_care_item(uow=uow, actor=sales_user, care_item_id=item.id,
                                  expected_version=skipped.version, to=ON, on=ON)
    assert reopened.status is CareStatus.OPEN and reopened.done_at is None
    done_list = list_care_items(uow=uow, actor=sales_user, on=ON,
                                statuses=(CareStatus.DONE, CareStatus.SKIPPED))
    assert done_list == ()


def test_lifecycle_edges_name_real_states():
    for a, b in CARE_LIFECYCLE.edges:
        assert a in CareStatus and b in CareStatus
    assert CARE_LIFECYCLE.targets(CareStatus.DONE) == ()


def test_permissions_allowed_and_refused(uow, manager, management, sales_user,
                                         other_sales_user, technician, world):
    for actor in (sales_user, technician):
        with pytest.raises(people.REFUSED):
            generate_care_items(uow=uow, actor=actor, on=ON)
    assert _count(uow) == 0
    assert generate_care_items(uow=uow, actor=management, on=ON).total == 5
    # Data scope: the other salesperson sees none of them and may not touch them.
    assert list_care_items(uow=uow, actor=other_sales_user, on=ON) == ()
    item = list_care_items(uow=uow, actor=sales_user, on=ON)[0]
    with pytest.raises(people.REFUSED):
        get_care_item(uow=uow, actor=other_sales_user, care_item_id=item.id)
    with pytest.raises(people.REFUSED):
        record_outcome(uow=uow, actor=other_sales_user, care_item_id=item.id,
                       expected_version=item.version, outcome="x", channel="phone")
    with pytest.raises(people.REFUSED):  # no CARE module at all
        list_care_items(uow=uow, actor=technician, on=ON)
    # Rules: management may change them, a salesperson may only read them.
    rules = get_care_rules(uow=uow, actor=sales_user)
    with pytest.raises(people.REFUSED):
        save_care_rules(uow=uow, actor=sales_user, rules=rules, expected_version=0)
    assert _count(uow, AppSetting) == 1  # only the generation marker
    saved = save_care_rules(uow=uow, actor=management, rules=replace(rules, contract_days=45),
                            expected_version=0)
    assert saved.contract_days == 45 and saved.version == 1
    # Management (scope ALL) sees the salesperson's items too.
    assert len(list_care_items(uow=uow, actor=manager, on=ON)) == 5
    with pytest.raises(NotFound):
        get_care_item(uow=uow, actor=manager, care_item_id=999_999)


def test_unowned_items_reach_the_management_todo(uow, manager, sales_user, world):
    _save_rules(uow, manager, replace(NO_HOLIDAYS, holidays=(Holiday("测试节", "2027-03-13"),),
                                      follow_up_enabled=False, contract_enabled=False,
                                      reorder_enabled=False, birthday_enabled=False))
    generate_care_items(uow=uow, actor=manager, on=ON)
    (mine,) = open_care_items_for_todo(uow=uow, actor=manager, on=ON)
    assert mine.customer_id == world["holiday_customer"] and mine.kind is CareKind.HOLIDAY
    assert open_care_items_for_todo(uow=uow, actor=sales_user, on=ON) == ()


def test_bad_outcome_input_changes_nothing(uow, manager, sales_user, world):
    generate_care_items(uow=uow, actor=manager, on=ON)
    item = list_care_items(uow=uow, actor=sales_user, on=ON)[0]
    cases = [
        (dict(outcome="  ", channel="phone"), "outcome"),
        (dict(outcome="x" * 501, channel="phone"), "outcome"),
        (dict(outcome="ok", channel="pigeon"), "channel"),
        (dict(outcome="ok", channel=""), "channel"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as caught:
            record_outcome(uow=uow, actor=sales_user, care_item_id=item.id,
                           expected_version=item.version, **kwargs)
        assert field in caught.value.errors
    with pytest.raises(ValidationError) as caught:
        postpone_care_item(uow=uow, actor=sales_user, care_item_id=item.id,
                           expected_version=item.version, to=ON - _days(1), on=ON)
    assert "due_on" in caught.value.errors
    after = get_care_item(uow=uow, actor=sales_user, care_item_id=item.id, on=ON)
    assert (after.version, after.status, after.outcome, after.due_on) == (
        item.version, CareStatus.OPEN, None, item.due_on)


def test_bad_rules_are_refused_by_field(uow, manager):
    bad = replace(CareRules(), contract_days=0, follow_up_days="三", horizon_days=61,
                  holiday_classes=(), holidays=(Holiday("", "2027-02-06"),
                                                Holiday("春节", "2027-13-01"),
                                                Holiday("元旦", "01-01"),
                                                Holiday("元旦", "01-01"),
                                                Holiday("闰日", "02-29")))
    with pytest.raises(ValidationError) as caught:
        save_care_rules(uow=uow, actor=manager, rules=bad, expected_version=0)
    assert set(caught.value.errors) == {
        "contract_days", "follow_up_days", "horizon_days", "holiday_classes",
        "holidays[0].name", "holidays[1].date", "holidays[3].date", "holidays[4].date"}
    assert _count(uow, AppSetting) == 0
    # A switched-off holiday rule needs no classes.
    ok = save_care_rules(uow=uow, actor=manager, expected_version=0,
                         rules=replace(CareRules(), holiday_enabled=False, holiday_classes=()))
    assert ok.holiday_enabled is False and ok.holiday_classes == ()
    with uow:
        stored = json.loads(uow.session.execute(select(AppSetting.value)).scalar_one())
    assert stored["holiday"]["enabled"] is False


def test_conflicts(uow, manager, sales_user, world):
    generate_care_items(uow=uow, actor=manager, on=ON)
    item = list_care_items(uow=uow, actor=sales_user, on=ON)[0]
    record_outcome(uow=uow, actor=manager, care_item_id=item.id,
                   expected_version=item.version, outcome="经理已处理", channel="visit")
    with pytest.raises(ConflictError):
        record_outcome(uow=uow, actor=sales_user, care_item_id=item.id,
                       expected_version=item.version, outcome="我也打了", channel="phone")
    assert get_care_item(uow=uow, actor=sales_user, care_item_id=item.id).outcome == "经理已处理"
    rules = get_care_rules(uow=uow, actor=manager)
    save_care_rules(uow=uow, actor=manager, rules=replace(rules, birthday_days=5),
                    expected_version=rules.version)
    with pytest.raises(ConflictError):
        save_care_rules(uow=uow, actor=manager, rules=replace(rules, birthday_days=7),
                        expected_version=rules.version)
    assert get_care_rules(uow=uow, actor=manager).birthday_days == 5


def test_unreadable_setting_falls_back_to_defaults(uow, manager):
    with uow:
        uow.session.add(AppSetting(key="care_rules", value="{not json"))
        uow.commit()
    rules = get_care_rules(uow=uow, actor=manager)
    assert (rules.follow_up_days, rules.contract_days, rules.version) == (3, 30, 1)


def test_permission_is_checked_before_the_input(uow, manager, technician, world):
    generate_care_items(uow=uow, actor=manager, on=ON)
    item = list_care_items(uow=uow, actor=manager, on=ON)[0]
    for call in (
        lambda: record_outcome(uow=uow, actor=technician, care_item_id=item.id,
                               expected_version=item.version, outcome="", channel="?"),
        lambda: postpone_care_item(uow=uow, actor=technician, care_item_id=item.id,
                                   expected_version=item.version, to=ON - _days(9), on=ON),
        lambda: dismiss_care_item(uow=uow, actor=technician, care_item_id=item.id,
                                  expected_version=item.version, reason="x" * 600),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert get_care_item(uow=uow, actor=manager, care_item_id=item.id).version == item.version


def test_command_line_generates_for_a_given_day(uow, db_url, world, capsys):
    from app import cli

    assert cli.main(["care", "generate", "--on", ON.isoformat(), "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2027-03-10: 5 care item(s) created")
    assert _count(uow) == 5
    assert cli.main(["care", "generate", "--on", ON.isoformat(), "--db", db_url]) == 0
    assert "0 care item(s) created" in capsys.readouterr().out
    with uow:
        audit_row = uow.session.execute(select(AuditEntry.user_id, AuditEntry.summary).where(
            AuditEntry.entity == "care_item").order_by(AuditEntry.id)).first()
    assert audit_row is not None and audit_row.user_id is None  # the scheduled system run
    assert cli.main(["care", "generate", "--on", "2027-02-30", "--db", db_url]) == 2

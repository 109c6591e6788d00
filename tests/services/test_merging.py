"""Merging two customer cards: every record moves to the kept card, in one audited transaction."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from app.models import (
    Address,
    AuditEntry,
    Base,
    CareItem,
    Contact,
    Customer,
    CustomFieldValue,
    Order,
    SalesPlan,
    utcnow,
)
from app.models.customers import CustomerAlias
from app.models.enums import (
    AuditAction,
    CareKind,
    CareStatus,
    ContractKind,
    CustomerClass,
    CustomerKind,
    CustomFieldEntity,
    CustomFieldKind,
    OrderStatus,
    PaymentMethod,
    VisitKind,
)
from app.services import custom_fields, search_keys
from app.services.contracts import ContractDraft, create_contract
from app.services.custom_fields import FieldDraft
from app.services.customers import (
    AddressDraft,
    ContactDraft,
    CustomerDraft,
    DeviceDraft,
    create_customer,
    get_customer,
    search_customers,
    update_customer,
)
from app.services.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.services.merging import (
    ABSORBED,
    FOLLOW_THEIR_ROW,
    HANDLED,
    KEEP,
    MOVED,
    UNLINKED,
    column_key,
    merge_customers,
    merge_preview,
    references,
)
from app.services.opportunities import OpportunityDraft, create_opportunity
from app.services.plans import SalesPlanDraft, set_sales_plan
from app.services.sales import (
    OrderDraft,
    OrderLineDraft,
    QuotationDraft,
    QuotationLineDraft,
    create_order,
    create_quotation,
    record_payment,
    transition_order,
)
from app.services.tasks import TaskDraft, create_task
from app.services.tickets import IntakeDraft, intake_ticket
from app.services.visits import VisitDraft, record_visit

OLD_ALIAS = "KH-20190301-0007"
# Person columns and other ids that never name a customer (checked by the plain-id walk).
NOT_A_RECORD = frozenset({"created_by_id", "updated_by_id", "merged_by_id", "by_user_id",
                          "tx_id"})


# --- the schema walk -----------------------------------------------------------------------


def test_every_foreign_key_to_customers_is_moved_or_handled() -> None:
    """A table added with a customer column fails here until the merge decides about it
    (add it to merging.MOVED, or handle it and say how in merging.HANDLED)."""
    found = {column_key(c) for c in references("customers")}
    assert not MOVED & set(HANDLED)
    assert found - MOVED - set(HANDLED) == set(), "not moved by the merge"
    assert MOVED | set(HANDLED) <= found, "listed, but no longer in the schema"
    assert all(HANDLED.values())


def test_every_foreign_key_to_contacts_and_devices_follows_its_row() -> None:
    """Contacts and devices keep their ids when they move: what points at them is fine, but
    a new reference must be looked at (merging.FOLLOW_THEIR_ROW)."""
    found = {column_key(c) for c in references("contacts") + references("devices")}
    assert found == FOLLOW_THEIR_ROW


def test_every_plain_record_id_is_listed_with_what_the_merge_does() -> None:
    """Columns that could name a customer without a foreign key (``record_id``,
    ``entity_id`` …) are in merging.UNLINKED, and no ``customer_id`` lacks its key."""
    plain = {f"{t.name}.{c.name}" for t in Base.metadata.sorted_tables for c in t.columns
             if c.name.endswith("_id") and not c.foreign_keys and not c.primary_key
             and c.name not in NOT_A_RECORD}
    assert plain == set(UNLINKED), plain ^ set(UNLINKED)
    # A customer_id without its key only where it is listed (the read trail's history).
    assert not [c for t in Base.metadata.sorted_tables for c in t.columns
                if c.name == "customer_id" and not c.foreign_keys
                and f"{t.name}.{c.name}" not in UNLINKED]


# --- a realistic pair of cards ---------------------------------------------------------------


@pytest.fixture
def fields(uow, admin):
    """Three custom fields of the customer card ("legacy" is removed by the test using it)."""
    made = {code: custom_fields.define_field(uow=uow, actor=admin, draft=FieldDraft(
        entity=CustomFieldEntity.CUSTOMER, code=code, label_zh=zh, label_en=en, kind=kind))
        for code, zh, en, kind in (
            ("toner", "硒鼓型号", "Toner", CustomFieldKind.TEXT),
            ("seats", "员工人数", "Seats", CustomFieldKind.NUMBER),
            ("legacy", "旧编号", "Legacy number", CustomFieldKind.TEXT))}
    return made


def _remove_field(uow, admin, definition) -> None:
    custom_fields.remove_field(uow=uow, actor=admin, field_id=definition.id,
                               expected_version=definition.version)


def _cards(uow, manager, sales_user):
    keep = create_customer(uow=uow, actor=manager, draft=CustomerDraft(
        name="北京鑫锐科技有限公司", phone="010-6588 1234", customer_class=CustomerClass.A,
        owner_id=manager.user_id,
        contacts=(ContactDraft(name="王芳", mobile="139 1234 5678", is_primary=True),),
        addresses=(AddressDraft(street="朝阳区建国路1号", is_default=True),),
        devices=(DeviceDraft(brand="HP", model="LaserJet M404dn", serial_number="VNBK0001"),),
        custom={"toner": "26A"}))
    absorbed = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="鑫锐科技", short_name="鑫锐", phone="010-6588 9999", email="info@xinrui.cn",
        industry="软件", website="www.xinrui.cn", customer_class=CustomerClass.B,
        contacts=(ContactDraft(name="李强", phone="010-6588 0000", is_primary=True),
                  ContactDraft(name="赵敏", mobile="137 0000 0001")),
        addresses=(AddressDraft(street="海淀区中关村大街2号", is_default=True),
                   AddressDraft(street="海淀区知春路3号")),
        devices=(DeviceDraft(brand="Canon", model="iR2204", serial_number="CNA00001"),),
        custom={"toner": "88A", "seats": 12, "legacy": "XR-7"}))
    return keep, absorbed


def _history(uow, actor, office, customer) -> dict[str, Any]:
    """A record of every kind for ``customer``: visit, opportunity, quotation, order,
    payment, ticket, contract, task, sales plan and care item (by the services where one
    exists; the care item as a care rule would write it) and an older alias."""
    contact = customer.contacts[0].id
    device = customer.devices[0].id
    made: dict[str, Any] = {}
    made["visit"] = record_visit(uow=uow, actor=actor, draft=VisitDraft(
        purpose="询问打印机报价", customer_id=customer.id, kind=VisitKind.VISIT,
        contact_id=contact, occurred_at=utcnow() - dt.timedelta(hours=3)))
    made["opportunity"] = create_opportunity(uow=uow, actor=actor, draft=OpportunityDraft(
        customer_id=customer.id, title="更换复印机", expected_amount="18000"))
    made["quotation"] = create_quotation(uow=uow, actor=actor, draft=QuotationDraft(
        customer_id=customer.id, contact_id=contact, lines=(QuotationLineDraft(
            description="HP 26A 硒鼓", quantity=2, unit_price="600.00"),)))
    made["order"] = create_order(uow=uow, actor=actor, draft=OrderDraft(
        customer_id=customer.id, contact_id=contact, lines=(OrderLineDraft(
            description="HP 26A 硒鼓", quantity=2, unit_price="600.00"),)))
    made["order"] = transition_order(uow=uow, actor=actor, order_id=made["order"].id,
                                     expected_version=made["order"].version,
                                     to=OrderStatus.CONFIRMED)
    made["payment"] = record_payment(uow=uow, actor=actor, customer_id=customer.id,
                                     received_on=dt.date.today(), amount="500.00",
                                     method=PaymentMethod.CASH,
                                     allocations=((made["order"].id, "500.00"),))
    made["ticket"] = intake_ticket(uow=uow, actor=office, draft=IntakeDraft(
        customer_id=customer.id, symptoms="卡纸", device_id=device, contact_id=contact))
    made["contract"] = create_contract(uow=uow, actor=office, draft=ContractDraft(
        customer_id=customer.id, kind=ContractKind.FULL_SERVICE, starts_on=dt.date.today(),
        ends_on=dt.date.today() + dt.timedelta(days=364), fee="3600.00",
        device_ids=(device,)))
    made["task"] = create_task(uow=uow, actor=office, draft=TaskDraft(
        title="回访客户", due_on=dt.date.today() + dt.timedelta(days=3),
        assignee_id=actor.user_id, customer_id=customer.id))
    made["plan"] = set_sales_plan(uow=uow, actor=office, draft=SalesPlanDraft(
        year=2026, period=11 if customer.name.startswith("北京") else 12,
        planned_amount="20000", owner_id=actor.user_id, customer_id=customer.id))
    with uow:
        care = CareItem(customer_id=customer.id, contact_id=contact, owner_id=actor.user_id,
                        kind=CareKind.FOLLOW_UP, title="回访", due_on=dt.date.today(),
                        status=CareStatus.OPEN)
        uow.session.add(care)
        if not customer.name.startswith("北京"):
            uow.session.add(CustomerAlias(code=OLD_ALIAS, customer_id=customer.id,
                                          merged_at=utcnow(), merged_by_id=office.user_id))
        uow.flush()
        made["care"] = care.id
        uow.commit()
    return made


def _pointing(engine: Engine, customer_id: int) -> dict[str, int]:
    """How many rows of each reference point at the customer."""
    with engine.connect() as conn:
        return {column_key(c): conn.execute(
            select(func.count()).select_from(c.table).where(c == customer_id)).scalar_one()
            for c in references("customers")}


def _tables(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {t.name: sorted(conn.execute(select(t)).all(), key=repr)
                for t in Base.metadata.sorted_tables}


def _stored_keys(uow) -> set[tuple[object, ...]]:
    from app.models.catalog import NameSuffix, SearchKey
    from app.models.customers import PhoneSuffix

    with uow:
        s = uow.session
        return ({("k", *r) for r in s.execute(select(
            SearchKey.owner_kind, SearchKey.owner_id, SearchKey.term, SearchKey.pos))}
            | {("s", *r) for r in s.execute(select(
                NameSuffix.owner_kind, NameSuffix.owner_id, NameSuffix.suffix,
                NameSuffix.pos))}
            | {("p", *r) for r in s.execute(select(
                PhoneSuffix.customer_id, PhoneSuffix.contact_id, PhoneSuffix.suffix))})


def _rebuilt_keys(uow) -> set[tuple[object, ...]]:
    with uow:
        s = uow.session
        return ({("k", r["owner_kind"], r["owner_id"], r["term"], r["pos"])
                 for r in search_keys.all_rows(s)}
                | {("s", r["owner_kind"], r["owner_id"], r["suffix"], r["pos"])
                   for r in search_keys.all_suffix_rows(s)}
                | {("p", r["customer_id"], r["contact_id"], r["suffix"])
                   for r in search_keys.all_phone_rows(s)})


def _audits(uow, entity_id: int) -> list[Any]:
    with uow:
        return uow.session.execute(
            select(AuditEntry.action, AuditEntry.summary, AuditEntry.changes,
                   AuditEntry.user_id)
            .where(AuditEntry.entity == "customer", AuditEntry.entity_id == entity_id)
            .order_by(AuditEntry.id)).all()


@pytest.fixture
def office(make_user):
    return make_user("office1", "management_clerk", "management", display_name="管理部小陈")


def test_a_merge_moves_every_record_takes_the_chosen_values_and_keeps_the_number(
        uow, engine, manager, sales_user, office, admin, fields):
    keep, absorbed = _cards(uow, manager, sales_user)
    _remove_field(uow, admin, fields["legacy"])  # its value stays, hidden
    kept_history = _history(uow, manager, office, keep)
    history = _history(uow, sales_user, office, absorbed)
    before_keep, before_absorbed = _pointing(engine, keep.id), _pointing(engine, absorbed.id)
    empty = [k for k, n in before_absorbed.items() if not n]
    assert not empty, f"make a row of these for the absorbed card in _history: {empty}"
    with uow:
        order_version = uow.session.get(Order, history["order"].id).version

    preview = merge_preview(uow=uow, actor=office, keep_id=keep.id, absorb_id=absorbed.id)
    assert (preview.keep.code, preview.absorbed.code) == (keep.code, absorbed.code)
    assert preview.absorbed.owner_name == "张伟" and not preview.conflicts
    by_name = {f.name: f for f in preview.fields}
    assert by_name["short_name"].default == ABSORBED  # the kept card has none
    assert by_name["name"].default == KEEP and by_name["phone"].differs
    assert by_name["customer_class"].absorbed_text == "Class B"
    assert by_name["owner_id"].keep_text == "总经理"
    assert by_name["custom.seats"].default == ABSORBED
    assert by_name["custom.toner"].keep_text == "26A"
    moves = {m.kind: m.count for m in preview.moves}
    assert moves["contacts"] == 2 and moves["orders"] == 1 and moves["devices"] == 1
    # The older alias, and the absorbed card's own number.
    assert moves["customer_aliases"] == 2 and moves["care_items"] == 1

    result = merge_customers(
        uow=uow, actor=office, keep_id=keep.id, absorb_id=absorbed.id,
        keep_version=preview.keep.version, absorb_version=preview.absorbed.version,
        take={"phone": ABSORBED, "website": KEEP, "custom.toner": ABSORBED})

    # Every reference: nothing points at the absorbed card, all of it at the kept one
    # (its own phone suffixes excepted: dropped, and the kept card's number changed).
    after_keep, after_absorbed = _pointing(engine, keep.id), _pointing(engine, absorbed.id)
    assert not any(after_absorbed.values()), after_absorbed
    for key, n in before_keep.items():
        if key != "phone_suffixes.customer_id":
            expected = n + before_absorbed[key] + (key == "customer_aliases.customer_id")
            assert after_keep[key] == expected, key
    moved = {m.kind: m.count for m in result.moved}
    assert moved == {k: v for k, v in moves.items() if v}
    assert result.absorbed_code == absorbed.code

    with uow:
        s = uow.session
        assert s.get(Customer, absorbed.id) is None
        contacts = s.execute(select(Contact.name, Contact.is_primary)
                             .where(Contact.customer_id == keep.id)).all()
        assert sorted(contacts) == [("李强", False), ("王芳", True), ("赵敏", False)]
        defaults = s.execute(select(Address.street).where(
            Address.customer_id == keep.id, Address.is_default == True)  # noqa: E712
        ).scalars().all()
        assert defaults == ["朝阳区建国路1号"]
        # A station still holding the moved order meets a conflict.
        assert s.get(Order, history["order"].id).version == order_version + 1
        assert s.get(Order, kept_history["order"].id).customer_id == keep.id
        assert s.execute(select(func.count()).select_from(CustomFieldValue).where(
            CustomFieldValue.entity == CustomFieldEntity.CUSTOMER,
            CustomFieldValue.record_id == absorbed.id)).scalar_one() == 0
        # The removed field's value moved (the kept card had none).
        assert s.execute(select(CustomFieldValue.value_text).where(
            CustomFieldValue.definition_id == fields["legacy"].id,
            CustomFieldValue.record_id == keep.id)).scalar_one() == "XR-7"
        aliases = set(s.execute(select(CustomerAlias.code, CustomerAlias.customer_id)).all())
        assert aliases == {(absorbed.code, keep.id), (OLD_ALIAS, keep.id)}

    card = get_customer(uow=uow, actor=office, customer_id=keep.id)
    assert card.version == result.keep_version > keep.version
    assert (card.name, card.short_name, card.customer_class) == (
        "北京鑫锐科技有限公司", "鑫锐", CustomerClass.A)
    assert (card.phone, card.email, card.industry, card.website) == (
        "010-6588 9999", "info@xinrui.cn", "软件", None)  # website: "keep" said explicitly
    assert card.owner_id == manager.user_id
    assert card.custom == {"toner": "88A", "seats": Decimal("12")}
    assert {d.serial_number for d in card.devices} == {"VNBK0001", "CNA00001"}
    assert result.changes["phone"] == ["010-6588 1234", "010-6588 9999"]
    assert result.changes["custom.toner"] == ["26A", "88A"]

    # Its numbers find the kept card; so do the pinyin of the short name it took, and a
    # moved contact's phone.
    for text in (absorbed.code, OLD_ALIAS, "xr", "65880000"):
        rows = search_customers(uow=uow, actor=office, text=text).rows
        assert [r.id for r in rows] == [keep.id], text
    assert _stored_keys(uow) == _rebuilt_keys(uow)

    [update] = [a for a in _audits(uow, keep.id) if a.action == AuditAction.UPDATE]
    assert absorbed.code in update.summary and update.user_id == office.user_id
    changes = json.loads(update.changes)
    assert changes["merged"] == {"id": absorbed.id, "code": absorbed.code, "name": "鑫锐科技"}
    assert changes["moved"]["orders"] == 1 and changes["moved"]["contacts"] == 2
    assert changes["short_name"] == [None, "鑫锐"]
    deleted = [a for a in _audits(uow, absorbed.id) if a.action == AuditAction.DELETE]
    assert len(deleted) == 1 and keep.code in deleted[0].summary
    assert json.loads(deleted[0].changes)["merged_into"]["id"] == keep.id


def test_taking_the_absorbed_name_and_kind_writes_the_columns_a_save_would(
        uow, manager, office):
    keep = create_customer(uow=uow, actor=manager, draft=CustomerDraft(name="曾小明打印店"))
    absorbed = create_customer(uow=uow, actor=manager, draft=CustomerDraft(
        name="曾国藩", kind=CustomerKind.PERSON, phone="139 0000 1111"))
    merge_customers(uow=uow, actor=office, keep_id=keep.id, absorb_id=absorbed.id,
                    keep_version=keep.version, absorb_version=absorbed.version,
                    take={"name": ABSORBED, "kind": ABSORBED})
    yardstick = create_customer(uow=uow, actor=manager, draft=CustomerDraft(
        name="曾国藩", kind=CustomerKind.PERSON, phone="139 0000 1111"))
    columns = ("name", "kind", "name_key", "pinyin_full", "pinyin_initials",
               "core_initials", "short_initials", "sort_key", "phone", "phone_digits")
    with uow:
        merged, fresh = (uow.session.get(Customer, i) for i in (keep.id, yardstick.id))
        assert [getattr(merged, c) for c in columns] == [getattr(fresh, c) for c in columns]
    assert _stored_keys(uow) == _rebuilt_keys(uow)
    assert [r.id for r in search_customers(uow=uow, actor=office, text="zgf").rows] == sorted(
        [keep.id, yardstick.id])


def test_both_owners_are_told_where_the_records_went(uow, office, sales_user, other_sales_user):
    from app.services.feed import read_feed

    keep = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="北京鑫锐科技"))
    absorbed = create_customer(uow=uow, actor=other_sales_user, draft=CustomerDraft(
        name="鑫锐科技有限公司"))
    merge_customers(uow=uow, actor=office, keep_id=keep.id, absorb_id=absorbed.id,
                    keep_version=keep.version, absorb_version=absorbed.version)
    for person in (sales_user, other_sales_user):
        texts = [i.text for i in read_feed(uow=uow, actor=person, after_id=0).items]
        assert texts == [f"Customer {absorbed.code} was merged into {keep.code}: its records "
                         "are there now"]
    assert read_feed(uow=uow, actor=office, after_id=0).items == ()


# --- refusals: nothing written ------------------------------------------------------------


def test_a_salesperson_may_not_merge_and_nothing_changes(uow, engine, sales_user):
    a = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="北京鑫锐科技"))
    b = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="鑫锐科技"))
    before = _tables(engine)
    with pytest.raises(PermissionDenied, match="edit and delete customers"):
        merge_customers(uow=uow, actor=sales_user, keep_id=a.id, absorb_id=b.id,
                        keep_version=a.version, absorb_version=b.version)
    with pytest.raises(PermissionDenied):
        merge_preview(uow=uow, actor=sales_user, keep_id=a.id, absorb_id=b.id)
    assert _tables(engine) == before


def test_a_card_saved_since_it_was_shown_is_a_conflict_and_nothing_changes(
        uow, engine, office, sales_user):
    a = create_customer(uow=uow, actor=office, draft=CustomerDraft(name="北京鑫锐科技"))
    b = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="鑫锐科技"))
    preview = merge_preview(uow=uow, actor=office, keep_id=a.id, absorb_id=b.id)
    update_customer(uow=uow, actor=sales_user, customer_id=b.id, expected_version=b.version,
                    draft=CustomerDraft(name="鑫锐科技", phone="010-1234 5678",
                                        owner_id=sales_user.user_id))
    before = _tables(engine)
    with pytest.raises(ConflictError) as err:
        merge_customers(uow=uow, actor=office, keep_id=a.id, absorb_id=b.id,
                        keep_version=preview.keep.version,
                        absorb_version=preview.absorbed.version)
    assert err.value.changed_by == "张伟" and err.value.entity_id == b.id
    assert _tables(engine) == before


def test_the_same_card_twice_unknown_cards_and_unknown_fields_are_refused(
        uow, engine, office):
    a = create_customer(uow=uow, actor=office, draft=CustomerDraft(name="北京鑫锐科技"))
    b = create_customer(uow=uow, actor=office, draft=CustomerDraft(name="鑫锐科技"))
    before = _tables(engine)
    with pytest.raises(ValidationError) as err:
        merge_customers(uow=uow, actor=office, keep_id=a.id, absorb_id=a.id,
                        keep_version=a.version, absorb_version=a.version)
    assert set(err.value.errors) == {"absorb_id"}
    with pytest.raises(NotFound, match=str(b.id + 100)):
        merge_customers(uow=uow, actor=office, keep_id=a.id, absorb_id=b.id + 100,
                        keep_version=a.version, absorb_version=1)
    with pytest.raises(ValidationError) as err:
        merge_customers(uow=uow, actor=office, keep_id=a.id, absorb_id=b.id,
                        keep_version=a.version, absorb_version=b.version,
                        take={"code": ABSORBED, "phone": "theirs"})
    assert set(err.value.errors) == {"code", "phone"}
    assert _tables(engine) == before


def test_two_plans_of_one_salesperson_for_one_period_refuse_the_merge(
        uow, engine, office, sales_user):
    a = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="北京鑫锐科技"))
    b = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="鑫锐科技"))
    for customer, amount in ((a, "20000"), (b, "5000")):
        set_sales_plan(uow=uow, actor=office, draft=SalesPlanDraft(
            year=2026, period=12, planned_amount=amount, owner_id=sales_user.user_id,
            customer_id=customer.id))
    # Another month of the absorbed card moves without trouble once the clash is gone.
    other = set_sales_plan(uow=uow, actor=office, draft=SalesPlanDraft(
        year=2026, period=11, planned_amount="3000", owner_id=sales_user.user_id,
        customer_id=b.id))
    preview = merge_preview(uow=uow, actor=office, keep_id=a.id, absorb_id=b.id)
    assert len(preview.conflicts) == 1 and "张伟" in preview.conflicts[0]
    before = _tables(engine)
    with pytest.raises(ValidationError, match="2026-12") as err:
        merge_customers(uow=uow, actor=office, keep_id=a.id, absorb_id=b.id,
                        keep_version=a.version, absorb_version=b.version)
    assert set(err.value.errors) == {"sales_plans"}
    assert _tables(engine) == before

    with uow:
        clash = uow.session.execute(select(SalesPlan).where(
            SalesPlan.customer_id == b.id, SalesPlan.period == 12)).scalar_one()
        uow.session.delete(clash)
        uow.commit()
    merge_customers(uow=uow, actor=office, keep_id=a.id, absorb_id=b.id,
                    keep_version=a.version, absorb_version=b.version)
    with uow:
        plans = uow.session.execute(select(SalesPlan.id, SalesPlan.customer_id, SalesPlan.period)
                                    .order_by(SalesPlan.period)).all()
        assert [(p.customer_id, p.period) for p in plans] == [(a.id, 11), (a.id, 12)]
        assert plans[0].id == other.id

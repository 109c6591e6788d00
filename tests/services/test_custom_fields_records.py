"""Custom fields of contacts, devices, care items and service tickets through their services,
and as list columns of orders and tickets (issue 7, second part)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.models import CareItem, Contact, Customer, Device
from app.models.enums import CareKind, CareStatus, CustomFieldEntity
from app.models.system import AuditEntry, CustomFieldValue
from app.services import custom_fields as cf
from app.services.care import get_care_item, postpone_care_item, record_outcome
from app.services.custom_fields import Choice, FieldDraft
from app.services.customers import (
    ContactDraft,
    CustomerDraft,
    DeviceDraft,
    create_customer,
    get_customer,
    update_customer,
)
from app.services.errors import ConflictError, PermissionDenied, ValidationError
from app.services.sales import OrderDraft, OrderLineDraft, create_order, list_orders
from app.services.tickets import (
    IntakeDraft,
    NewDevice,
    get_ticket,
    intake_ticket,
    list_tickets,
    save_ticket_custom,
    ticket_custom_values,
)
from tests import people

ROLES = (Choice("buyer", "采购", "Buyer"), Choice("boss", "老板", "Owner"))


def _define(uow, admin, entity, code, kind="text", *, required=False, default=None,
            options=()):
    return cf.define_field(uow=uow, actor=admin, draft=FieldDraft(
        entity=entity, code=code, label_zh=f"{code} 中文", label_en=code.replace("_", " "),
        kind=kind, required=required, default_value=default, options=options))


def _values(uow, entity, ids):
    with uow:
        return cf.values_for(uow=uow, entity=entity, record_ids=ids)


def _count(uow, model):
    with uow:
        return uow.session.execute(select(func.count()).select_from(model)).scalar_one()


# --- contacts and devices ------------------------------------------------------------------


def test_new_contacts_and_devices_get_their_custom_values_and_defaults(uow, admin, clerk):
    _define(uow, admin, "contact", "role", "choice", options=ROLES)
    _define(uow, admin, "contact", "wechat")
    _define(uow, admin, "device", "pages_a_month", "number", default="3000")
    _define(uow, admin, "device", "room")
    detail = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(
        name="北京鑫锐科技有限公司",
        contacts=(ContactDraft(name="王芳", custom={"role": "buyer", "wechat": "wf_1985"}),
                  ContactDraft(name="李强")),
        devices=(DeviceDraft(brand="HP", model="M404dn", serial_number="CNB001",
                             custom={"room": "三楼财务室"}),)))
    wang, li = detail.contacts
    assert wang.custom == {"role": "buyer", "wechat": "wf_1985"}
    assert li.custom == {"role": None, "wechat": None}
    device = detail.devices[0]
    # The default of a field left out applies to a new device.
    assert device.custom == {"pages_a_month": Decimal("3000.0000"), "room": "三楼财务室"}
    assert [f.code for f in detail.contact_fields] == ["role", "wechat"]
    assert [f.code for f in detail.device_fields] == ["pages_a_month", "room"]
    assert _values(uow, "contact", [wang.id, li.id]) == {
        wang.id: {"role": "buyer", "wechat": "wf_1985"}}
    assert _values(uow, "device", [device.id]) == {
        device.id: {"pages_a_month": Decimal("3000.0000"), "room": "三楼财务室"}}
    # The card's draft keeps them: saving it unchanged changes nothing.
    again = update_customer(uow=uow, actor=clerk, customer_id=detail.id,
                            expected_version=detail.version, draft=detail.to_draft())
    assert again.version == detail.version
    assert again.contacts[0].custom == wang.custom


def test_update_changes_one_contacts_value_and_moves_the_version_once(uow, admin, clerk):
    _define(uow, admin, "contact", "wechat")
    detail = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(
        name="海淀区实验中学", contacts=(ContactDraft(name="王芳", custom={"wechat": "a"}),
                                         ContactDraft(name="李强"))))
    draft = detail.to_draft()
    contacts = (draft.contacts[0], ContactDraft(**{
        **{k: getattr(draft.contacts[1], k) for k in ("name", "id")}, "custom": {"wechat": "b"}}))
    saved = update_customer(uow=uow, actor=clerk, customer_id=detail.id,
                            expected_version=detail.version,
                            draft=CustomerDraft(**{**draft.__dict__, "contacts": contacts}))
    assert saved.version == detail.version + 1
    assert [c.custom["wechat"] for c in saved.contacts] == ["a", "b"]
    with uow:
        changes = uow.session.execute(
            select(AuditEntry.changes).where(AuditEntry.entity == "customer")
            .order_by(AuditEntry.id.desc()).limit(1)).scalar_one()
    assert f"contacts[{saved.contacts[1].id}].custom.wechat" in changes


def test_required_contact_field_is_refused_by_the_service_and_nothing_is_written(
        uow, admin, clerk):
    _define(uow, admin, "contact", "role", "choice", required=True, options=ROLES)
    customers_before = _count(uow, Customer)
    with pytest.raises(ValidationError) as refused:
        create_customer(uow=uow, actor=clerk, draft=CustomerDraft(
            name="朝阳快印店", contacts=(ContactDraft(name="王芳", custom={"role": "buyer"}),
                                         ContactDraft(name="李强"))))
    assert refused.value.errors == {"contacts[1].custom.role": "is required"}
    assert "role" in str(refused.value)
    assert _count(uow, Customer) == customers_before
    assert _count(uow, Contact) == 0
    assert _count(uow, CustomFieldValue) == 0

    # A choice that does not exist, on an edit: refused, the card and values unchanged.
    detail = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(
        name="朝阳快印店", contacts=(ContactDraft(name="王芳", custom={"role": "buyer"}),)))
    draft = detail.to_draft()
    bad = ContactDraft(name="王芳", id=detail.contacts[0].id, custom={"role": "cleaner"})
    with pytest.raises(ValidationError) as refused:
        update_customer(uow=uow, actor=clerk, customer_id=detail.id,
                        expected_version=detail.version,
                        draft=CustomerDraft(**{**draft.__dict__, "name": "朝阳快印店二店",
                                               "contacts": (bad,)}))
    assert refused.value.errors == {"contacts[0].custom.role": "is not one of the choices"}
    after = get_customer(uow=uow, actor=clerk, customer_id=detail.id)
    assert (after.version, after.name) == (detail.version, "朝阳快印店")
    assert after.contacts[0].custom == {"role": "buyer"}


def test_device_field_unknown_code_refused_and_existing_device_updated(uow, admin, clerk):
    _define(uow, admin, "device", "room")
    detail = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(
        name="天津滨海办公设备有限公司",
        devices=(DeviceDraft(brand="HP", model="M404dn", serial_number="CNB002"),)))
    draft = detail.to_draft()
    device = draft.devices[0]
    with pytest.raises(ValidationError) as refused:
        update_customer(uow=uow, actor=clerk, customer_id=detail.id,
                        expected_version=detail.version, draft=CustomerDraft(**{
                            **draft.__dict__,
                            "devices": (DeviceDraft(**{**device.__dict__,
                                                       "custom": {"colour": "red"}}),)}))
    assert refused.value.errors == {"devices[0].custom.colour": "is not a field of this record"}
    assert _count(uow, CustomFieldValue) == 0
    saved = update_customer(uow=uow, actor=clerk, customer_id=detail.id,
                            expected_version=detail.version, draft=CustomerDraft(**{
                                **draft.__dict__,
                                "devices": (DeviceDraft(**{**device.__dict__,
                                                           "custom": {"room": "机房"}}),)}))
    assert saved.version == detail.version + 1
    assert saved.devices[0].custom == {"room": "机房"}
    assert _values(uow, "device", [device.id]) == {device.id: {"room": "机房"}}


def test_removed_contact_takes_its_values_along(uow, admin, clerk):
    _define(uow, admin, "contact", "wechat")
    detail = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(
        name="广州南方数码有限公司",
        contacts=(ContactDraft(name="王芳", custom={"wechat": "a"}),
                  ContactDraft(name="李强", custom={"wechat": "b"}))))
    draft = detail.to_draft()
    saved = update_customer(uow=uow, actor=clerk, customer_id=detail.id,
                            expected_version=detail.version,
                            draft=CustomerDraft(**{**draft.__dict__,
                                                   "contacts": draft.contacts[:1]}))
    assert [c.name for c in saved.contacts] == ["王芳"]
    with uow:
        stored = uow.session.execute(select(CustomFieldValue.record_id, CustomFieldValue.value_text)
                                     ).all()
    assert [tuple(r) for r in stored] == [(saved.contacts[0].id, "a")]


def test_contact_values_need_the_customers_scope(uow, admin, clerk, sales_user):
    _define(uow, admin, "contact", "wechat")
    detail = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(
        name="丰台区某某公司", contacts=(ContactDraft(name="王芳", custom={"wechat": "a"}),)))
    assert cf.get_values(uow=uow, actor=clerk, entity="contact",
                         record_id=detail.contacts[0].id) == {"wechat": "a"}
    with pytest.raises(people.REFUSED):  # not the salesperson's customer
        get_customer(uow=uow, actor=sales_user, customer_id=detail.id)
    with pytest.raises(people.REFUSED):
        cf.get_values(uow=uow, actor=sales_user, entity="contact",
                      record_id=detail.contacts[0].id)


# --- care items ----------------------------------------------------------------------------


@pytest.fixture
def care_item(uow, sales_user):
    customer = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京鑫锐科技有限公司"))
    with uow:
        item = CareItem(customer_id=customer.id, owner_id=sales_user.user_id,
                        kind=CareKind.FOLLOW_UP, title="回访：维修后满意度",
                        due_on=dt.date.today(), status=CareStatus.OPEN,
                        created_by_id=sales_user.user_id, updated_by_id=sales_user.user_id)
        uow.session.add(item)
        uow.commit()
        return item.id


def test_care_outcome_saves_custom_values(uow, admin, sales_user, care_item):
    _define(uow, admin, "care_item", "satisfied", "boolean", required=True)
    _define(uow, admin, "care_item", "next_need")
    view = get_care_item(uow=uow, actor=sales_user, care_item_id=care_item)
    assert [f.code for f in view.custom_fields] == ["satisfied", "next_need"]
    assert view.custom == {"satisfied": None, "next_need": None}
    done = record_outcome(uow=uow, actor=sales_user, care_item_id=care_item,
                          expected_version=view.version, outcome="客户满意", channel="phone",
                          custom={"satisfied": True, "next_need": "A3 彩机"})
    assert done.status is CareStatus.DONE
    assert done.version == view.version + 1
    assert done.custom == {"satisfied": True, "next_need": "A3 彩机"}
    assert _values(uow, "care_item", [care_item]) == {
        care_item: {"satisfied": True, "next_need": "A3 彩机"}}
    # Correcting only a custom value of a done item moves the version too.
    again = record_outcome(uow=uow, actor=sales_user, care_item_id=care_item,
                           expected_version=done.version, outcome="客户满意", channel="phone",
                           custom={"next_need": "复印纸"})
    assert again.version == done.version + 1
    assert again.custom == {"satisfied": True, "next_need": "复印纸"}
    with pytest.raises(ConflictError):
        record_outcome(uow=uow, actor=sales_user, care_item_id=care_item,
                       expected_version=done.version, outcome="x", channel="phone",
                       custom={"next_need": "y"})


def test_care_required_field_refused_and_item_unchanged(uow, admin, sales_user,
                                                        other_sales_user, care_item):
    _define(uow, admin, "care_item", "satisfied", "boolean", required=True)
    view = get_care_item(uow=uow, actor=sales_user, care_item_id=care_item)
    with pytest.raises(ValidationError) as refused:
        record_outcome(uow=uow, actor=sales_user, care_item_id=care_item,
                       expected_version=view.version, outcome="", channel="phone")
    # The item's own field and the custom field, in one error.
    assert refused.value.errors == {"outcome": "is required",
                                    "custom.satisfied": "is required"}
    with pytest.raises(ValidationError):
        postpone_care_item(uow=uow, actor=sales_user, care_item_id=care_item,
                           expected_version=view.version, to=dt.date.today()
                           + dt.timedelta(days=3), custom={"satisfied": "maybe"})
    after = get_care_item(uow=uow, actor=sales_user, care_item_id=care_item)
    assert (after.version, after.status, after.outcome) == (view.version, CareStatus.OPEN,
                                                            None)
    assert _count(uow, CustomFieldValue) == 0
    with pytest.raises(people.REFUSED):
        record_outcome(uow=uow, actor=other_sales_user, care_item_id=care_item,
                       expected_version=view.version, outcome="x", channel="phone",
                       custom={"satisfied": True})
    assert _count(uow, CustomFieldValue) == 0
    later = postpone_care_item(uow=uow, actor=sales_user, care_item_id=care_item,
                               expected_version=view.version,
                               to=dt.date.today() + dt.timedelta(days=3),
                               custom={"satisfied": False})
    assert later.custom == {"satisfied": False}


# --- service tickets -----------------------------------------------------------------------


@pytest.fixture
def lead(make_user):
    return make_user("lead1", "repair_lead", "repair", display_name="维修主管")


@pytest.fixture
def ticket(uow, admin, clerk):
    _define(uow, admin, "service_ticket", "machine_location", required=True)
    _define(uow, admin, "service_ticket", "toner_level", "number")
    customer = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(name="朝阳快印店"))
    return intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(
        customer_id=customer.id, symptoms="卡纸",
        new_device=NewDevice("HP", "LaserJet M404dn", "cnb1234567"),
        custom={"machine_location": "前台"}))


def test_ticket_custom_values_are_read_and_changed_after_intake(uow, clerk, lead, ticket):
    # The desk that took the ticket in may read them; the repair lead changes them.
    loaded = ticket_custom_values(uow=uow, actor=clerk, ticket_id=ticket.id)
    assert [f.code for f in loaded.fields] == ["machine_location", "toner_level"]
    assert loaded.values == {"machine_location": "前台", "toner_level": None}
    assert loaded.version == ticket.version
    saved = save_ticket_custom(uow=uow, actor=lead, ticket_id=ticket.id,
                               expected_version=ticket.version,
                               custom={"machine_location": "三楼财务室", "toner_level": 20})
    assert saved.version == ticket.version + 1
    assert _values(uow, "service_ticket", [ticket.id]) == {ticket.id: {
        "machine_location": "三楼财务室", "toner_level": Decimal("20.0000")}}
    with uow:
        changes = uow.session.execute(
            select(AuditEntry.changes).where(AuditEntry.entity == "service_ticket")
            .order_by(AuditEntry.id.desc()).limit(1)).scalar_one()
    assert "custom.machine_location" in changes
    # Nothing changed: no new version.
    same = save_ticket_custom(uow=uow, actor=lead, ticket_id=ticket.id,
                              expected_version=saved.version,
                              custom={"machine_location": "三楼财务室"})
    assert same.version == saved.version
    with pytest.raises(ConflictError):
        save_ticket_custom(uow=uow, actor=lead, ticket_id=ticket.id,
                           expected_version=ticket.version, custom={"toner_level": 5})


def test_ticket_custom_refusals_leave_the_ticket_unchanged(uow, clerk, lead, sales_user,
                                                           make_user, ticket):
    with pytest.raises(ValidationError) as refused:
        save_ticket_custom(uow=uow, actor=lead, ticket_id=ticket.id,
                           expected_version=ticket.version,
                           custom={"machine_location": "", "toner_level": "lots"})
    assert set(refused.value.errors) == {"custom.machine_location", "custom.toner_level"}
    assert refused.value.errors["custom.machine_location"] == "is required"
    with pytest.raises(PermissionDenied):  # the counter may take in, not edit
        save_ticket_custom(uow=uow, actor=clerk, ticket_id=ticket.id,
                           expected_version=ticket.version, custom={"toner_level": 5})
    with pytest.raises(PermissionDenied):  # sales has no service ticket rights
        save_ticket_custom(uow=uow, actor=sales_user, ticket_id=ticket.id,
                           expected_version=ticket.version, custom={"toner_level": 5})
    with pytest.raises(PermissionDenied):
        ticket_custom_values(uow=uow, actor=sales_user, ticket_id=ticket.id)
    other_tech = make_user("tech9", "technician", "repair")
    with pytest.raises(people.REFUSED):  # not their ticket
        save_ticket_custom(uow=uow, actor=other_tech, ticket_id=ticket.id,
                           expected_version=ticket.version, custom={"toner_level": 5})
    assert get_ticket(uow=uow, actor=clerk, ticket_id=ticket.id).version == ticket.version
    assert _values(uow, "service_ticket", [ticket.id]) == {
        ticket.id: {"machine_location": "前台"}}


# --- list columns --------------------------------------------------------------------------


def test_ticket_and_order_lists_bring_the_asked_custom_columns(uow, admin, clerk, ticket):
    page = list_tickets(uow=uow, actor=clerk, custom_columns=("machine_location",))
    assert page.custom == {ticket.id: {"machine_location": "前台"}}
    assert list_tickets(uow=uow, actor=clerk).custom == {}

    _define(uow, admin, "order", "delivery_window", "choice",
            options=(Choice("am", "上午", "Morning"), Choice("pm", "下午", "Afternoon")))
    _define(uow, admin, "order", "po_number")
    customer = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(name="海淀区实验中学"))
    lines = (OrderLineDraft(description="打印机维修", unit_price=Decimal("80")),)
    first = create_order(uow=uow, actor=clerk, draft=OrderDraft(
        customer_id=customer.id, lines=lines, custom={"delivery_window": "am",
                                                      "po_number": "PO-1"}))
    second = create_order(uow=uow, actor=clerk, draft=OrderDraft(customer_id=customer.id,
                                                                 lines=lines))
    orders = list_orders(uow=uow, actor=clerk, custom_columns=("delivery_window",))
    assert {r.id for r in orders.rows} == {first.id, second.id}
    assert orders.custom == {first.id: {"delivery_window": "am"}}
    assert list_orders(uow=uow, actor=clerk).custom == {}


def test_entity_kinds_all_have_forms():
    from app.ui.admin.custom_fields import FORM_ENTITIES
    assert set(FORM_ENTITIES) == set(CustomFieldEntity)


def test_device_values_survive_the_card_without_devices(uow, admin, clerk):
    # Devices left out of a draft stay as they are, with their values.
    _define(uow, admin, "device", "room")
    detail = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(
        name="石景山某某公司",
        devices=(DeviceDraft(brand="HP", model="M404dn", serial_number="CNB003",
                             custom={"room": "机房"}),)))
    saved = update_customer(uow=uow, actor=clerk, customer_id=detail.id,
                            expected_version=detail.version,
                            draft=CustomerDraft(name="石景山某某公司有限公司",
                                                owner_id=detail.owner_id))
    assert saved.devices[0].custom == {"room": "机房"}
    assert _count(uow, Device) == 1

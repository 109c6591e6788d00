"""Custom fields: define, fill, validate, search, remove and restore, permissions."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.i18n import set_language
from app.models import AuditEntry, Customer
from app.models.enums import CustomFieldEntity, CustomFieldKind
from app.models.system import CustomFieldDefinition, CustomFieldValue
from app.services import custom_fields as cf
from app.services.audit_view import AuditFilters, list_audit
from app.services.custom_fields import Choice, FieldDraft, MatchOp
from app.services.customers import (
    CustomerDraft,
    CustomerFilters,
    CustomFilter,
    create_customer,
    get_customer,
    search_customers,
    update_customer,
)
from app.services.errors import ConflictError, ValidationError
from tests import people

TONERS = (Choice("ce285a", "CE285A 硒鼓", "CE285A toner"),
          Choice("cf226a", "CF226A 硒鼓", "CF226A toner"),
          Choice("tn2312", "TN-2312 粉盒", "TN-2312 cartridge"))


def _toner_field(uow, admin, *, required=True):
    return cf.define_field(uow=uow, actor=admin, draft=FieldDraft(
        entity=CustomFieldEntity.CUSTOMER, code="toner_model", label_zh="使用硒鼓型号",
        label_en="Toner model used", kind=CustomFieldKind.CHOICE, required=required,
        options=TONERS, group_name="耗材"))


def _count(uow, model) -> int:
    with uow:
        return uow.session.execute(select(func.count()).select_from(model)).scalar_one()


def _all_kinds(uow, admin):
    specs = [
        ("note", CustomFieldKind.TEXT, None, ()),
        ("remarks", CustomFieldKind.MULTILINE, None, ()),
        ("pages_month", CustomFieldKind.NUMBER, "0", ()),
        ("budget", CustomFieldKind.MONEY, None, ()),
        ("contract_until", CustomFieldKind.DATE, None, ()),
        ("toner_model", CustomFieldKind.CHOICE, "cf226a", TONERS),
        ("brands", CustomFieldKind.MULTI_CHOICE, None,
         (Choice("hp", "惠普", "HP"), Choice("canon", "佳能", "Canon"),
          Choice("brother", "兄弟", "Brother"))),
        ("vip", CustomFieldKind.BOOLEAN, "no", ()),
    ]
    return {code: cf.define_field(uow=uow, actor=admin, draft=FieldDraft(
        entity="customer", code=code, label_zh=f"字段{code}", label_en=f"Field {code}",
        kind=kind, default_value=default, options=options)) for code, kind, default, options
        in specs}


def test_each_kind_is_stored_typed_and_read_back(uow, admin, manager):
    fields = _all_kinds(uow, admin)
    assert [f.position for f in fields.values()] == list(range(1, 9))
    values = {"note": "  门口有台阶 ", "remarks": "第一行\n第二行", "pages_month": "1500.5",
              "budget": Decimal("12000.50"), "contract_until": dt.date(2027, 3, 31),
              "toner_model": "ce285a", "brands": ("canon", "hp"), "vip": True}
    made = create_customer(uow=uow, actor=manager, draft=CustomerDraft(name="北京鑫锐科技"),
                           custom=values)
    assert made.custom == {
        "note": "门口有台阶", "remarks": "第一行\n第二行", "pages_month": Decimal("1500.5"),
        "budget": Decimal("12000.50"), "contract_until": dt.date(2027, 3, 31),
        "toner_model": "ce285a", "brands": ("hp", "canon"), "vip": True}
    with uow:
        rows = {r.definition_id: (r.value_text, r.value_number, r.value_date, r.value_bool)
                for r in uow.session.execute(select(CustomFieldValue)).scalars()}
    assert rows[fields["brands"].id] == ("|hp|canon|", None, None, None)
    assert rows[fields["pages_month"].id][1] == Decimal("1500.5")
    assert rows[fields["contract_until"].id][2] == dt.date(2027, 3, 31)
    assert rows[fields["vip"].id][3] is True
    assert rows[fields["toner_model"].id][0] == "ce285a"
    # Display in both languages.
    assert cf.display_value(fields["brands"], made.custom["brands"], "zh") == "惠普、佳能"
    assert cf.display_value(fields["brands"], made.custom["brands"], "en") == "HP, Canon"
    assert cf.display_value(fields["vip"], True, "zh") == "是"
    assert cf.display_value(fields["budget"], Decimal("12000.5"), "en") == "12,000.50"
    assert cf.display_value(fields["pages_month"], Decimal("1500.5000"), "en") == "1500.5"
    # The creation is audited with the custom values.
    with uow:
        changes = uow.session.execute(select(AuditEntry.changes).where(
            AuditEntry.entity == "customer")).scalar_one()
    assert json.loads(changes)["after"]["custom.brands"] == "hp|canon"


def test_defaults_fill_a_new_record(uow, admin, manager):
    _all_kinds(uow, admin)
    made = create_customer(uow=uow, actor=manager, draft=CustomerDraft(name="默认值客户"))
    assert made.custom["toner_model"] == "cf226a"
    assert made.custom["vip"] is False
    assert made.custom["pages_month"] == Decimal(0)
    assert made.custom["note"] is None


def test_required_field_refused_through_the_service_and_nothing_written(uow, admin, clerk):
    _toner_field(uow, admin)
    before_audit = _count(uow, AuditEntry)
    with pytest.raises(ValidationError) as err:
        create_customer(uow=uow, actor=clerk, draft=CustomerDraft(name="北京鑫锐科技"))
    assert err.value.errors == {"custom.toner_model": "is required"}
    assert "Toner model used" in str(err.value)
    assert _count(uow, Customer) == 0
    assert _count(uow, CustomFieldValue) == 0
    assert _count(uow, AuditEntry) == before_audit
    made = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(name="北京鑫锐科技"),
                           custom={"toner_model": "cf226a"})
    assert get_customer(uow=uow, actor=clerk, customer_id=made.id).custom == {
        "toner_model": "cf226a"}
    # Clearing it on an edit is refused as well, and the stored value stays.
    with pytest.raises(ValidationError):
        update_customer(uow=uow, actor=clerk, customer_id=made.id,
                        expected_version=made.version, draft=made.to_draft(),
                        custom={"toner_model": None})
    again = get_customer(uow=uow, actor=clerk, customer_id=made.id)
    assert again.custom == {"toner_model": "cf226a"}
    assert again.version == made.version


@pytest.mark.parametrize(("code", "value", "message"), [
    ("toner_model", "nope", "is not one of the choices"),
    ("brands", ("hp", "xerox"), "is not one of the choices"),
    ("pages_month", "lots", "must be a number"),
    ("pages_month", "1e20", "is too large"),
    ("budget", "12.345", "has too many decimal places"),
    ("contract_until", "2027-02-30", "is not a valid date"),
    ("vip", "maybe", "must be yes or no"),
    ("note", "x" * 401, "is too long (at most 400 characters)"),
    ("unknown", "x", "is not a field of this record"),
])
def test_bad_values_name_the_field_and_change_nothing(uow, admin, manager, code, value,
                                                      message):
    _all_kinds(uow, admin)
    made = create_customer(uow=uow, actor=manager, draft=CustomerDraft(name="客户甲"),
                           custom={"note": "旧"})
    with pytest.raises(ValidationError) as err:
        update_customer(uow=uow, actor=manager, customer_id=made.id,
                        expected_version=made.version,
                        draft=made.to_draft(), custom={"note": "新", code: value})
    assert err.value.errors[f"custom.{code}"] == message
    if code != "unknown":
        assert f"Field {code}" in str(err.value)
    assert get_customer(uow=uow, actor=manager, customer_id=made.id).custom["note"] == "旧"


def test_card_and_custom_errors_come_together(uow, admin, clerk):
    _toner_field(uow, admin)
    with pytest.raises(ValidationError) as err:
        create_customer(uow=uow, actor=clerk, draft=CustomerDraft(name="", email="bad"))
    assert set(err.value.errors) == {"name", "email", "custom.toner_model"}


def test_search_and_filters_find_by_custom_values(uow, admin, manager):
    fields = _all_kinds(uow, admin)
    a = create_customer(uow=uow, actor=manager, draft=CustomerDraft(name="北京鑫锐科技"),
                        custom={"note": "复印机放在三楼机房", "toner_model": "ce285a",
                                "brands": ("hp",), "pages_month": 800,
                                "contract_until": dt.date(2027, 1, 1)})
    b = create_customer(uow=uow, actor=manager, draft=CustomerDraft(name="廊坊新锐商贸"),
                        custom={"note": "SN-AB12 备用机", "toner_model": "tn2312",
                                "brands": ("canon", "brother"), "pages_month": 3000})

    def ids(text="", *custom):
        page = search_customers(uow=uow, actor=manager, text=text,
                                filters=CustomerFilters(custom=tuple(custom)))
        return [r.id for r in page.rows]

    assert ids("三楼机房") == [a.id]          # words: custom text contains
    assert ids("AB12") == [b.id]               # code shape as well
    assert ids("", CustomFilter("toner_model", MatchOp.EQUALS, "tn2312")) == [b.id]
    assert ids("", CustomFilter("brands", MatchOp.CONTAINS, "|hp|")) == [a.id]
    assert sorted(ids("", CustomFilter("pages_month", MatchOp.BETWEEN,
                                       (Decimal(500), Decimal(5000))))) == sorted([a.id, b.id])
    assert ids("", CustomFilter("pages_month", MatchOp.BETWEEN, (Decimal(1000), None))) == [
        b.id]
    assert ids("", CustomFilter("contract_until", MatchOp.BETWEEN,
                                (dt.date(2026, 12, 1), dt.date(2027, 6, 30)))) == [a.id]
    assert ids("", CustomFilter("contract_until", MatchOp.IS_EMPTY)) == [b.id]
    assert ids("", CustomFilter("note", MatchOp.CONTAINS, "备用")) == [b.id]
    # The page carries the chosen columns' values for the visible rows.
    page = search_customers(uow=uow, actor=manager, custom_columns=("toner_model",))
    assert page.custom == {a.id: {"toner_model": "ce285a"}, b.id: {"toner_model": "tn2312"}}
    # A removed text field is no longer searched.
    cf.remove_field(uow=uow, actor=admin, field_id=fields["note"].id,
                    expected_version=fields["note"].version)
    assert ids("三楼机房") == []


def test_filters_do_not_reveal_other_salespersons_customers(uow, admin, sales_user,
                                                            other_sales_user):
    _toner_field(uow, admin)
    create_customer(uow=uow, actor=other_sales_user, draft=CustomerDraft(name="别人的客户"),
                    custom={"toner_model": "ce285a"})
    mine = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="我的客户"),
                           custom={"toner_model": "ce285a"})
    page = search_customers(uow=uow, actor=sales_user, filters=CustomerFilters(
        custom=(CustomFilter("toner_model", MatchOp.EQUALS, "ce285a"),)),
        custom_columns=("toner_model",))
    assert [r.id for r in page.rows] == [mine.id]
    everyone = search_customers(uow=uow, actor=sales_user, custom_columns=("toner_model",))
    assert len(everyone.rows) == 2
    assert set(everyone.custom) == {mine.id}  # no values of the restricted row


def test_removed_field_is_hidden_but_values_survive_and_return(uow, admin, manager):
    field = _toner_field(uow, admin)
    made = create_customer(uow=uow, actor=manager, draft=CustomerDraft(name="客户乙"),
                           custom={"toner_model": "cf226a"})
    removed = cf.remove_field(uow=uow, actor=admin, field_id=field.id,
                              expected_version=field.version)
    assert not removed.active
    shown = get_customer(uow=uow, actor=manager, customer_id=made.id)
    assert shown.custom == {}
    assert shown.custom_fields == ()
    assert cf.definitions(uow=uow, actor=manager, entity="customer") == ()
    assert [f.code for f in cf.definitions(uow=uow, actor=admin, entity="customer",
                                           include_removed=True)] == ["toner_model"]
    # Saving the card meanwhile neither needs nor clears the hidden (required) field.
    saved = update_customer(uow=uow, actor=manager, customer_id=made.id,
                            expected_version=shown.version, draft=shown.to_draft())
    assert _count(uow, CustomFieldValue) == 1
    restored = cf.restore_field(uow=uow, actor=admin, field_id=field.id,
                                expected_version=removed.version)
    assert restored.active
    assert get_customer(uow=uow, actor=manager, customer_id=saved.id).custom == {
        "toner_model": "cf226a"}
    with uow:
        assert cf.values_for(uow=uow, entity="customer", record_ids=[made.id]) == {
            made.id: {"toner_model": "cf226a"}}


def test_definition_validation(uow, admin):
    _toner_field(uow, admin)
    cases = [
        (dict(code="toner_model"), "code", "already exists"),
        (dict(code="1abc"), "code", None),
        (dict(code="有中文"), "code", None),
        (dict(label_zh=""), "label_zh", "is required"),
        # (An empty English label reads as the Chinese one: issue 15.)
        (dict(kind=CustomFieldKind.CHOICE, options=()), "options", None),
        (dict(kind=CustomFieldKind.CHOICE, options=(Choice("a", "甲", "A"),
                                                     Choice("a", "乙", "B"))),
         "options[1].code", "already exists"),
        (dict(kind=CustomFieldKind.NUMBER, default_value="abc"), "default_value",
         "must be a number"),
        (dict(kind=CustomFieldKind.DATE, default_value="2027-13-01"), "default_value",
         "is not a valid date"),
        (dict(kind=CustomFieldKind.CHOICE, options=TONERS, default_value="zzz"),
         "default_value", "is not one of the choices"),
        (dict(kind="colour"), "kind", "is not a valid choice"),
    ]
    base = dict(entity="customer", code="other", label_zh="其他", label_en="Other",
                kind=CustomFieldKind.TEXT)
    for change, field, message in cases:
        with pytest.raises(ValidationError) as err:
            cf.define_field(uow=uow, actor=admin, draft=FieldDraft(**{**base, **change}))
        assert field in err.value.errors, change
        if message:
            assert err.value.errors[field] == message
    assert _count(uow, CustomFieldDefinition) == 1
    # The same code on another kind of record is fine.
    device_field = cf.define_field(uow=uow, actor=admin, draft=FieldDraft(
        **{**base, "entity": "device", "code": "toner_model"}))
    assert device_field.entity is CustomFieldEntity.DEVICE


def test_edit_is_version_checked_and_reorder(uow, admin):
    toner = _toner_field(uow, admin)
    note = cf.define_field(uow=uow, actor=admin, draft=FieldDraft(
        entity="customer", code="note", label_zh="备注二", label_en="Note 2", kind="text"))
    draft = FieldDraft(entity="customer", code="toner_model", label_zh="常用硒鼓",
                       label_en="Usual toner", kind="choice", required=True, options=TONERS)
    edited = cf.edit_field(uow=uow, actor=admin, field_id=toner.id,
                           expected_version=toner.version, draft=draft)
    assert edited.label_zh == "常用硒鼓"
    with pytest.raises(ConflictError):
        cf.edit_field(uow=uow, actor=admin, field_id=toner.id, expected_version=toner.version,
                      draft=FieldDraft(**{**draft.__dict__, "label_zh": "被覆盖"}))
    with uow:
        assert uow.session.get(CustomFieldDefinition, toner.id).label_zh == "常用硒鼓"
    ordered = cf.reorder(uow=uow, actor=admin, entity="customer",
                         field_ids=[note.id, toner.id])
    assert [f.code for f in ordered] == ["note", "toner_model"]
    assert [f.code for f in cf.definitions(uow=uow, actor=admin, entity="customer")] == [
        "note", "toner_model"]
    with pytest.raises(ValidationError):
        cf.reorder(uow=uow, actor=admin, entity="customer", field_ids=[note.id, 99999])


def test_the_log_names_the_fields_record_kind_in_the_readers_words(uow, admin):
    _toner_field(uow, admin)

    def summaries() -> list[str]:
        return [r.summary for r in list_audit(uow=uow, actor=admin, filters=AuditFilters(
            entity="custom_field")).rows]

    assert summaries() == ["Customers toner_model 使用硒鼓型号"]
    set_language("zh")
    try:
        assert summaries() == ["客户 toner_model 使用硒鼓型号"]
    finally:
        set_language("en")


def test_kind_cannot_change_once_values_exist(uow, admin, manager):
    toner = _toner_field(uow, admin, required=False)
    create_customer(uow=uow, actor=manager, draft=CustomerDraft(name="客户丙"),
                    custom={"toner_model": "ce285a"})
    with pytest.raises(ValidationError) as err:
        cf.edit_field(uow=uow, actor=admin, field_id=toner.id, expected_version=toner.version,
                      draft=FieldDraft(entity="customer", code="toner_model", label_zh="型号",
                                       label_en="Model", kind="text"))
    assert "kind" in err.value.errors


def test_permissions(uow, admin, clerk, manager, technician, sales_user, other_sales_user):
    draft = FieldDraft(entity="customer", code="toner_model", label_zh="使用硒鼓型号",
                       label_en="Toner model used", kind="choice", options=TONERS)
    for actor in (clerk, manager, technician):
        with pytest.raises(people.REFUSED):
            cf.define_field(uow=uow, actor=actor, draft=draft)
    assert _count(uow, CustomFieldDefinition) == 0
    field = cf.define_field(uow=uow, actor=admin, draft=draft)
    for call in (
        lambda a: cf.edit_field(uow=uow, actor=a, field_id=field.id,
                                expected_version=field.version, draft=draft),
        lambda a: cf.remove_field(uow=uow, actor=a, field_id=field.id,
                                  expected_version=field.version),
        lambda a: cf.reorder(uow=uow, actor=a, entity="customer", field_ids=[field.id]),
    ):
        with pytest.raises(people.REFUSED):
            call(clerk)
    # Reading the definitions: whoever may view the records, and the administrator.
    assert [f.code for f in cf.definitions(uow=uow, actor=clerk, entity="customer")] == [
        "toner_model"]
    assert cf.definitions(uow=uow, actor=admin, entity="order") == ()
    with pytest.raises(people.REFUSED):
        cf.definitions(uow=uow, actor=technician, entity="order")
    # Values of one record: the record's module and data scope.
    theirs = create_customer(uow=uow, actor=other_sales_user, draft=CustomerDraft(name="别人"),
                             custom={"toner_model": "ce285a"})
    assert cf.get_values(uow=uow, actor=manager, entity="customer", record_id=theirs.id) == {
        "toner_model": "ce285a"}
    with pytest.raises(people.REFUSED):
        cf.get_values(uow=uow, actor=sales_user, entity="customer", record_id=theirs.id)
    with pytest.raises(people.REFUSED):
        cf.get_values(uow=uow, actor=technician, entity="order", record_id=1)


def test_check_values_is_the_forms_rule_too():
    field = cf.FieldDefinition(
        id=1, entity=CustomFieldEntity.CUSTOMER, code="toner_model", label_zh="使用硒鼓型号",
        label_en="Toner model used", kind=CustomFieldKind.CHOICE, required=True,
        default_value=None, options=TONERS, group_name=None, position=1, active=True,
        version=1)
    with pytest.raises(ValidationError) as err:
        cf.check_values([field], {"toner_model": ""}, language="zh")
    assert str(err.value).startswith("使用硒鼓型号")
    assert cf.check_values([field], {"toner_model": "tn2312"}) == {"toner_model": "tn2312"}


# --- the other records' services -------------------------------------------------------------


def test_orders_visits_and_tickets_take_custom_values(uow, admin, clerk):
    from app.services.sales import (
        OrderDraft,
        OrderLineDraft,
        create_order,
        get_order,
        update_order,
    )
    from app.services.tickets import IntakeDraft, intake_ticket
    from app.services.visits import VisitDraft, record_visit, update_visit

    for entity in ("order", "visit", "service_ticket"):
        cf.define_field(uow=uow, actor=admin, draft=FieldDraft(
            entity=entity, code="ref", label_zh="参考号", label_en="Reference", kind="text",
            required=True))
    customer = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(name="客户丁"))
    line = (OrderLineDraft(description="打印机维修", unit_price=Decimal("80")),)
    with pytest.raises(ValidationError) as err:
        create_order(uow=uow, actor=clerk, draft=OrderDraft(customer_id=customer.id,
                                                            lines=()))
    assert "custom.ref" in err.value.errors and "Reference" in str(err.value)
    order = create_order(uow=uow, actor=clerk, draft=OrderDraft(
        customer_id=customer.id, lines=line, custom={"ref": "PO-1"}))
    assert order.custom == {"ref": "PO-1"}
    edited = update_order(uow=uow, actor=clerk, order_id=order.id,
                          expected_version=order.version,
                          draft=replace(order.to_draft(), custom={"ref": "PO-2"}))
    assert edited.version == order.version + 1
    assert get_order(uow=uow, actor=clerk, order_id=order.id).custom == {"ref": "PO-2"}
    with pytest.raises(ValidationError):
        update_order(uow=uow, actor=clerk, order_id=order.id,
                     expected_version=edited.version,
                     draft=replace(edited.to_draft(), custom={"ref": ""}))

    with pytest.raises(ValidationError):
        record_visit(uow=uow, actor=clerk, draft=VisitDraft(purpose="咨询",
                                                            customer_id=customer.id))
    visit = record_visit(uow=uow, actor=clerk, draft=VisitDraft(
        purpose="咨询", customer_id=customer.id, custom={"ref": "V-1"}))
    changed = update_visit(uow=uow, actor=clerk, visit_id=visit.id,
                           expected_version=visit.version,
                           draft=VisitDraft(purpose="咨询", customer_id=customer.id,
                                            custom={"ref": "V-2"}))
    assert changed.version == visit.version + 1
    with pytest.raises(ValidationError):
        intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(customer_id=customer.id,
                                                              symptoms="卡纸"))
    ticket = intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(
        customer_id=customer.id, symptoms="卡纸", custom={"ref": "T-1"}))
    with uow:
        assert cf.values_for(uow=uow, entity="visit", record_ids=[visit.id]) == {
            visit.id: {"ref": "V-2"}}
        assert cf.values_for(uow=uow, entity="service_ticket", record_ids=[ticket.id]) == {
            ticket.id: {"ref": "T-1"}}

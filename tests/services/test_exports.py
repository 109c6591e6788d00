"""Export control: permission, data scope, protected fields, audit with the row count."""

from __future__ import annotations

import csv
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.models import AuditEntry, Role
from app.models.enums import AuditAction, CustomerClass, FieldAccess, Module, Operation
from app.services import administration as adm
from app.services.customers import CustomerDraft, CustomerFilters, create_customer
from app.services.errors import PermissionDenied, ValidationError
from app.services.exports import export_customers


def _exports(uow):
    with uow:
        return uow.session.execute(
            select(AuditEntry.user_id, AuditEntry.summary, AuditEntry.changes)
            .where(AuditEntry.action == AuditAction.EXPORT).order_by(AuditEntry.id)).all()


def _grant(uow, admin, role_code, *, add=(), rules=None):
    with uow:
        role_id = uow.session.execute(select(Role.id).where(Role.code == role_code)).scalar_one()
    m = adm.get_role_matrix(uow=uow, actor=admin, role_id=role_id)
    return adm.save_role_matrix(
        uow=uow, actor=admin, role_id=role_id, expected_version=m.role.version,
        operations=set(m.operations) | set(add), scopes=m.scopes,
        field_rules=m.field_rules if rules is None else rules)


@pytest.fixture
def customers(uow, sales_user, other_sales_user, clerk):
    return {
        "mine": create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
            name="北京鑫锐科技有限公司", phone="010-62345678",
            customer_class=CustomerClass.KEY_ACCOUNT)).id,
        "theirs": create_customer(uow=uow, actor=other_sales_user, draft=CustomerDraft(
            name="天津海河电子", phone="022-23456789")).id,
        "store": create_customer(uow=uow, actor=clerk, draft=CustomerDraft(
            name="海淀零售客户", phone="13811112222")).id,
    }


def test_manager_exports_every_customer_to_xlsx_and_it_is_audited(uow, manager, customers,
                                                                   tmp_path):
    out = tmp_path / "customers.xlsx"
    result = export_customers(uow=uow, actor=manager, path=out)
    assert result.row_count == 3
    sheet = load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Code", "Name")
    names = {r[1] for r in rows[1:]}
    assert names == {"北京鑫锐科技有限公司", "天津海河电子", "海淀零售客户"}
    key = next(r for r in rows[1:] if r[1] == "北京鑫锐科技有限公司")
    assert "010-62345678" in key and "Key account" in key
    (user_id, summary, changes), = _exports(uow)
    assert user_id == manager.user_id and "3 rows" in summary
    assert json.loads(changes)["rows"] == 3


def test_csv_is_utf8_with_bom_and_filters_apply(uow, manager, customers, tmp_path):
    out = tmp_path / "key.csv"
    result = export_customers(uow=uow, actor=manager, path=out, fmt="csv",
                              filters=CustomerFilters(customer_class=CustomerClass.KEY_ACCOUNT))
    assert result.row_count == 1
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 2 and rows[1][1] == "北京鑫锐科技有限公司"
    assert json.loads(_exports(uow)[0].changes)["rows"] == 1


@pytest.mark.parametrize("role", ["counter_clerk", "sales", "technician", "repair_lead",
                                  "administrator"])
def test_roles_without_export_are_refused_and_nothing_is_written(uow, make_user, role,
                                                                 customers, tmp_path):
    actor = make_user("exporter", role)
    out = tmp_path / "c.xlsx"
    with pytest.raises(PermissionDenied):
        export_customers(uow=uow, actor=actor, path=out)
    assert not out.exists() and _exports(uow) == []


def test_granted_export_is_limited_to_the_data_scope_and_hides_protected_phones(
        uow, admin, sales_user, clerk, clerk2, customers, tmp_path):
    _grant(uow, admin, "sales", add={(Module.CUSTOMERS, Operation.EXPORT)})
    out = tmp_path / "mine.csv"
    assert export_customers(uow=uow, actor=sales_user, path=out).row_count == 1
    text = out.read_text(encoding="utf-8-sig")
    assert "北京鑫锐科技有限公司" in text and "天津海河电子" not in text
    assert "海淀零售客户" not in text

    # Clerks: department scope; with customers.phone hidden, only their own customers' phones.
    _grant(uow, admin, "counter_clerk", add={(Module.CUSTOMERS, Operation.EXPORT)},
           rules={(Module.CUSTOMERS, "phone"): FieldAccess.HIDDEN})
    create_customer(uow=uow, actor=clerk2, draft=CustomerDraft(name="小李的客户",
                                                               phone="13999998888"))
    out = tmp_path / "store.csv"
    assert export_customers(uow=uow, actor=clerk, path=out).row_count == 2
    text = out.read_text(encoding="utf-8-sig")
    assert "小李的客户" in text and "13999998888" not in text
    assert "13811112222" in text


def test_bad_format_or_folder_is_refused(uow, manager, customers, tmp_path):
    with pytest.raises(ValidationError) as caught:
        export_customers(uow=uow, actor=manager, path=tmp_path / "c.pdf")
    assert "format" in caught.value.errors
    with pytest.raises(ValidationError) as caught:
        export_customers(uow=uow, actor=manager, path=tmp_path / "nope" / "c.csv")
    assert "path" in caught.value.errors
    with uow:
        assert uow.session.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == AuditAction.EXPORT)).scalar_one() == 0


def test_active_custom_fields_are_columns_with_choice_labels(uow, admin, manager, tmp_path):
    from app.services.custom_fields import Choice, FieldDraft, define_field, remove_field

    toner = define_field(uow=uow, actor=admin, draft=FieldDraft(
        entity="customer", code="toner_model", label_zh="所用硒鼓型号",
        label_en="Toner model used", kind="choice",
        options=(Choice("cf226a", "惠普 CF226A", "HP CF226A"),
                 Choice("tn2325", "兄弟 TN-2325", "Brother TN-2325"))))
    old = define_field(uow=uow, actor=admin, draft=FieldDraft(
        entity="customer", code="old_note", label_zh="旧备注", label_en="Old note",
        kind="text"))
    create_customer(uow=uow, actor=manager, draft=CustomerDraft(
        name="北京鑫锐科技有限公司", custom={"toner_model": "cf226a", "old_note": "作废"}))
    create_customer(uow=uow, actor=manager, draft=CustomerDraft(name="天津海河电子"))
    remove_field(uow=uow, actor=admin, field_id=old.id, expected_version=old.version)
    out = tmp_path / "c.csv"
    result = export_customers(uow=uow, actor=manager, path=out)
    assert result.columns[-1] == "Toner model used" and "Old note" not in result.columns
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = {r[1]: r for r in csv.reader(handle)}
    assert rows["北京鑫锐科技有限公司"][-1] == "HP CF226A"
    assert rows["天津海河电子"][-1] == ""
    assert toner.id


def test_order_export_scoped_and_without_cost_for_roles_that_hide_it(
        uow, admin, manager, clerk, clerk2, tmp_path):
    from decimal import Decimal as D

    from app.services.catalog import ProductDraft, create_product
    from app.services.exports import export_orders
    from app.services.sales import OrderDraft, OrderLineDraft, create_order

    toner = create_product(uow=uow, actor=manager, draft=ProductDraft(
        sku="HP-CF226A", name="惠普硒鼓", category="consumable", cost_price=D("87.65"),
        list_price=D("199.00"))).id
    mine = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(name="海淀零售客户")).id
    create_order(uow=uow, actor=clerk, draft=OrderDraft(customer_id=mine, lines=(
        OrderLineDraft(product_id=toner, quantity=2),)))
    other = create_customer(uow=uow, actor=manager, draft=CustomerDraft(name="天津海河电子")).id
    create_order(uow=uow, actor=manager, draft=OrderDraft(customer_id=other, lines=(
        OrderLineDraft(product_id=toner, quantity=1),)))

    with pytest.raises(PermissionDenied):
        export_orders(uow=uow, actor=clerk, path=tmp_path / "o.csv")
    out = tmp_path / "all.csv"
    result = export_orders(uow=uow, actor=manager, path=out)
    assert result.row_count == 2 and "Cost" in result.columns
    assert "175.30" in out.read_text(encoding="utf-8-sig")

    _grant(uow, admin, "counter_clerk", add={(Module.ORDERS, Operation.EXPORT)},
           rules={(Module.ORDERS, "unit_cost"): FieldAccess.HIDDEN,
                  (Module.ORDERS, "margin"): FieldAccess.HIDDEN})
    out = tmp_path / "clerk.csv"
    result = export_orders(uow=uow, actor=clerk, path=out)
    assert result.row_count == 1
    assert "Cost" not in result.columns and "Gross margin" not in result.columns
    text = out.read_text(encoding="utf-8-sig")
    assert "海淀零售客户" in text and "天津海河电子" not in text
    assert "175.30" not in text and "222.70" not in text
    assert "398.00" in text


def test_ticket_export_scoped_and_parts_cost_only_where_visible(
        uow, admin, clerk, make_user, tmp_path):
    from app.services.exports import export_tickets
    from app.services.tickets import IntakeDraft, intake_ticket

    lead = make_user("lead", "repair_lead", "repair")
    repair_clerk = make_user("rclerk", "counter_clerk", "repair")
    store = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(name="海淀零售客户")).id
    intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(customer_id=store,
                                                          symptoms="卡纸"))
    intake_ticket(uow=uow, actor=repair_clerk, draft=IntakeDraft(customer_id=store,
                                                                 symptoms="不通电"))
    out = tmp_path / "t.xlsx"
    result = export_tickets(uow=uow, actor=lead, path=out)
    assert result.row_count == 2 and "Parts cost" in result.columns
    with pytest.raises(PermissionDenied):
        export_tickets(uow=uow, actor=clerk, path=tmp_path / "no.csv")

    _grant(uow, admin, "counter_clerk", add={(Module.SERVICE_TICKETS, Operation.EXPORT)})
    out = tmp_path / "clerk.csv"
    result = export_tickets(uow=uow, actor=clerk, path=out)
    assert result.row_count == 1 and "Parts cost" not in result.columns
    assert "门市小王" in out.read_text(encoding="utf-8-sig")
    assert json.loads(_exports(uow)[-1].changes)["rows"] == 1


def test_ticket_export_applies_the_lists_mine_and_overdue_filters(
        uow, clerk, technician, make_user, tmp_path):
    import datetime as dt

    from app.models import ServiceTicket
    from app.models.enums import TicketStatus
    from app.services.exports import export_tickets
    from app.services.tickets import (
        IntakeDraft,
        dispatch_ticket,
        get_ticket,
        intake_ticket,
        move_ticket,
    )

    lead = make_user("lead", "repair_lead", "repair")
    store = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(name="海淀零售客户")).id
    jam = intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(customer_id=store,
                                                                symptoms="卡纸"))
    dead = intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(customer_id=store,
                                                                 symptoms="不通电"))
    dispatch_ticket(uow=uow, actor=lead, ticket_id=jam.id, expected_version=jam.version,
                    technician_id=technician.user_id)
    with uow:  # the power fault's SLA ran out yesterday, the paper jam's in a week
        now = dt.datetime.now(dt.UTC)
        uow.session.get(ServiceTicket, dead.id).due_at = now - dt.timedelta(days=1)
        uow.session.get(ServiceTicket, jam.id).due_at = now + dt.timedelta(days=7)
        uow.commit()

    out = tmp_path / "mine.csv"
    result = export_tickets(uow=uow, actor=lead, path=out, technician_id=technician.user_id)
    text = out.read_text(encoding="utf-8-sig")
    assert result.row_count == 1 and jam.number in text and dead.number not in text

    out = tmp_path / "late.csv"
    result = export_tickets(uow=uow, actor=lead, path=out, overdue_only=True)
    text = out.read_text(encoding="utf-8-sig")
    assert result.row_count == 1 and dead.number in text and jam.number not in text
    changes = json.loads(_exports(uow)[-1].changes)
    assert changes["rows"] == 1 and changes["overdue_only"] is True

    # "Still open", the list's default: not the cancelled one.
    move_ticket(uow=uow, actor=lead, ticket_id=dead.id,
                expected_version=get_ticket(uow=uow, actor=lead, ticket_id=dead.id).version,
                to=TicketStatus.CANCELLED)
    out = tmp_path / "open.csv"
    result = export_tickets(uow=uow, actor=lead, path=out, open_only=True)
    text = out.read_text(encoding="utf-8-sig")
    assert result.row_count == 1 and jam.number in text and dead.number not in text
    assert json.loads(_exports(uow)[-1].changes)["open_only"] is True


def test_quotation_export_scoped_filtered_and_audited(
        uow, admin, manager, sales_user, other_sales_user, tmp_path):
    from decimal import Decimal as D

    from app.models.enums import QuotationStatus
    from app.services.catalog import ProductDraft, create_product
    from app.services.exports import export_quotations
    from app.services.sales import (
        QuotationDraft,
        QuotationLineDraft,
        create_quotation,
        transition_quotation,
    )

    toner = create_product(uow=uow, actor=manager, draft=ProductDraft(
        sku="HP-CF226A", name="惠普硒鼓", category="consumable", cost_price=D("87.65"),
        list_price=D("199.00"))).id
    mine = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京鑫锐科技有限公司")).id
    theirs = create_customer(uow=uow, actor=other_sales_user, draft=CustomerDraft(
        name="天津海河电子")).id
    sent = create_quotation(uow=uow, actor=sales_user, draft=QuotationDraft(
        customer_id=mine, lines=(QuotationLineDraft(product_id=toner, quantity=3),)))
    transition_quotation(uow=uow, actor=sales_user, quotation_id=sent.id,
                         expected_version=sent.version, to=QuotationStatus.SENT)
    create_quotation(uow=uow, actor=other_sales_user, draft=QuotationDraft(
        customer_id=theirs, lines=(QuotationLineDraft(product_id=toner, quantity=1),)))

    out = tmp_path / "q.xlsx"
    result = export_quotations(uow=uow, actor=manager, path=out)
    assert result.row_count == 2
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("Number", "Date")
    assert {r[3] for r in rows[1:]} == {"北京鑫锐科技有限公司", "天津海河电子"}
    out = tmp_path / "sent.csv"
    result = export_quotations(uow=uow, actor=manager, path=out,
                               status=QuotationStatus.SENT)
    text = out.read_text(encoding="utf-8-sig")
    assert result.row_count == 1 and sent.number in text and "597.00" in text
    assert json.loads(_exports(uow)[-1].changes) == {
        "rows": 1, "format": "csv", "file": "sent.csv", "status": "sent", "from": None,
        "to": None}

    with pytest.raises(PermissionDenied):  # salespeople may not export by default
        export_quotations(uow=uow, actor=sales_user, path=tmp_path / "no.csv")
    assert not (tmp_path / "no.csv").exists()
    _grant(uow, admin, "sales", add={(Module.QUOTATIONS, Operation.EXPORT)})
    out = tmp_path / "own.csv"
    result = export_quotations(uow=uow, actor=sales_user, path=out)
    text = out.read_text(encoding="utf-8-sig")
    assert result.row_count == 1 and "北京鑫锐科技有限公司" in text and "天津海河电子" not in text
    with pytest.raises(ValidationError):
        export_quotations(uow=uow, actor=manager, path=tmp_path / "missing" / "q.csv")
    assert len(_exports(uow)) == 3


def test_order_and_ticket_exports_carry_their_custom_fields(
        uow, admin, manager, tmp_path):
    from decimal import Decimal as D

    from app.services.catalog import ProductDraft, create_product
    from app.services.custom_fields import Choice, FieldDraft, define_field
    from app.services.exports import export_orders, export_tickets
    from app.services.sales import OrderDraft, OrderLineDraft, create_order
    from app.services.tickets import IntakeDraft, intake_ticket

    define_field(uow=uow, actor=admin, draft=FieldDraft(
        entity="order", code="delivery", label_zh="送货方式", label_en="Delivery",
        kind="choice", options=(Choice("van", "公司送货", "Our van"),
                                Choice("pickup", "客户自提", "Customer pickup"))))
    define_field(uow=uow, actor=admin, draft=FieldDraft(
        entity="service_ticket", code="po", label_zh="客户报修单号", label_en="Customer PO",
        kind="text"))
    toner = create_product(uow=uow, actor=manager, draft=ProductDraft(
        sku="HP-CF226A", name="惠普硒鼓", category="consumable", cost_price=D("87.65"),
        list_price=D("199.00"))).id
    customer = create_customer(uow=uow, actor=manager,
                               draft=CustomerDraft(name="天津海河电子")).id
    create_order(uow=uow, actor=manager, draft=OrderDraft(
        customer_id=customer, lines=(OrderLineDraft(product_id=toner, quantity=1),),
        custom={"delivery": "pickup"}))
    intake_ticket(uow=uow, actor=manager, draft=IntakeDraft(
        customer_id=customer, symptoms="卡纸", custom={"po": "HH-2026-118"}))

    orders = export_orders(uow=uow, actor=manager, path=tmp_path / "o.xlsx")
    assert orders.columns[-1] == "Delivery"
    sheet = load_workbook(tmp_path / "o.xlsx").active
    assert [c.value for c in sheet[2]][-1] == "Customer pickup"

    tickets = export_tickets(uow=uow, actor=manager, path=tmp_path / "t.csv")
    assert tickets.columns[-1] == "Customer PO"
    with open(tmp_path / "t.csv", encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle))[1][-1] == "HH-2026-118"


def test_order_export_takes_the_lists_search_text_and_writes_the_rows_it_lists(
        uow, manager, clerk, tmp_path):
    from decimal import Decimal as D

    from app.services.catalog import ProductDraft, create_product
    from app.services.exports import export_orders
    from app.services.sales import OrderDraft, OrderLineDraft, create_order, list_orders

    toner = create_product(uow=uow, actor=manager, draft=ProductDraft(
        sku="HP-CF226A", name="惠普硒鼓", category="consumable", cost_price=D("87.65"),
        list_price=D("199.00"))).id
    shop = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(
        name="海淀零售客户", phone="13811112222")).id
    tianjin = create_customer(uow=uow, actor=manager, draft=CustomerDraft(
        name="天津海河电子", phone="022-23456789")).id
    orders = {customer: [create_order(uow=uow, actor=manager, draft=OrderDraft(
        customer_id=customer, lines=(OrderLineDraft(product_id=toner, quantity=n),)))
        for n in (1, 2)] for customer in (shop, tianjin)}
    first_tianjin = orders[tianjin][0].number

    # Pinyin initials, a piece of the phone, an order number, nothing found, nothing typed.
    for text, expected in (("hdls", {o.number for o in orders[shop]}),
                           ("2345", {o.number for o in orders[tianjin]}),
                           (first_tianjin, {first_tianjin}),
                           ("不存在的客户", set()),
                           ("", {o.number for os in orders.values() for o in os})):
        listed = {r.number for r in list_orders(uow=uow, actor=manager, text=text).rows}
        assert listed == expected, text
        out = tmp_path / "orders.csv"
        result = export_orders(uow=uow, actor=manager, path=out, text=text)
        with out.open(encoding="utf-8-sig", newline="") as f:
            written = {row[0] for row in list(csv.reader(f))[1:]}
        assert written == listed and result.row_count == len(listed), text
    assert json.loads(_exports(uow)[0].changes)["text"] == "hdls"


def test_exports_read_in_chunks_and_keep_every_row_in_order_with_its_custom_values(
        uow, admin, manager, tmp_path, monkeypatch):
    """An export reads its rows a chunk at a time (here 4), each chunk with its custom
    values: every customer once, in pinyin order, each with its own value."""
    from app.services import exports
    from app.services.custom_fields import FieldDraft, define_field
    from app.services.paging import in_chunks
    from app.textkeys import sort_key

    define_field(uow=uow, actor=admin, draft=FieldDraft(
        entity="customer", code="floor", label_zh="楼层", label_en="Floor", kind="text"))
    names = [f"{city}客户{i:02d}" for i, city in enumerate(["北京", "安徽", "重庆", "天津"] * 4)]
    for i, name in enumerate(names):
        create_customer(uow=uow, actor=manager, draft=CustomerDraft(
            name=name, custom={"floor": f"{i}层"}))
    chunks = []

    def counted(*args, **kwargs):
        for rows in in_chunks(*args, **{**kwargs, "size": 4}):
            chunks.append(len(rows))
            yield rows

    monkeypatch.setattr(exports, "in_chunks", counted)
    out = tmp_path / "c.csv"
    result = export_customers(uow=uow, actor=manager, path=out)
    assert result.row_count == 16 and chunks == [4, 4, 4, 4]
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    assert [r[1] for r in rows] == sorted(names, key=sort_key)
    assert all(r[-1] == f"{names.index(r[1])}层" for r in rows)

"""Printed quotations and sales slips: the data gathered, who may print, and the PDF itself."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from app.i18n import set_language
from app.models import AppSetting, AuditEntry
from app.models.enums import AuditAction
from app.reports.amount_words import amount_in_words
from app.reports.data import DEFAULT_COMPANY_NAME, CompanyInfo
from app.reports.page import (
    CJK_FONT,
    format_money,
    format_percent,
    format_quantity,
    page_layout,
)
from app.reports.sales_slips import render_order_slip, render_quotation_slip
from app.services.audit_view import AuditFilters, list_audit
from app.services.company import company_from_setting
from app.services.errors import NotFound, PermissionDenied
from app.services.permissions import Actor
from app.services.slips import latest_number, order_slip_data, quotation_slip_data
from app.services.uow import UnitOfWork
from tests import people
from tests.reports.conftest import (
    CUSTOMER_NAME,
    SECRET_COST,
    MakeDoc,
    line_values,
    page_png,
    pdf_fonts,
    pdf_page_size,
    pdf_text,
)

COMPANY = {"name": "北京鑫锐办公设备有限公司", "address": "北京市海淀区中关村大街18号B座1203",
           "phone": "010-6253 8888", "bank": "中国工商银行北京中关村支行",
           "bank_account": "0200 0045 0920 0123 456", "tax_number": "91110108MA01ABCD2X"}


def _prints(uow: UnitOfWork) -> list[tuple[str, int | None, int | None]]:
    """(entity, entity id, user id) of each audited print."""
    with uow:
        return [(e.entity, e.entity_id, e.user_id) for e in uow.session.execute(
            select(AuditEntry).where(AuditEntry.action == AuditAction.PRINT)
        ).scalars()]


def _set_company(uow: UnitOfWork, value: str) -> None:
    with uow:
        uow.session.add(AppSetting(key="company", value=value))
        uow.commit()


def _flat(page: str) -> str:
    """Page text without any white space.

    ``pdftotext -layout`` pads table columns with spaces and drops those between CJK
    characters ("报 价 单" comes out as 报价单), so compare without them.
    """
    return "".join(page.split())


def _has(text: str, needle: str) -> bool:
    return _flat(needle) in text


# --- formatting ----------------------------------------------------------------------------


@pytest.mark.parametrize(("amount", "text"), [
    ("1234.5", "¥1,234.50"), ("0", "¥0.00"), ("1234567.891", "¥1,234,567.89"),
    ("-12", "-¥12.00"), ("0.005", "¥0.01"),
])
def test_money_is_yuan_with_thousands_and_two_decimals(amount: str, text: str) -> None:
    assert format_money(Decimal(amount)) == text


def test_quantities_and_discounts_drop_trailing_zeros() -> None:
    assert format_quantity(Decimal("2.000")) == "2"
    assert format_quantity(Decimal("1.500")) == "1.5"
    assert format_quantity(Decimal("1200.000")) == "1,200"
    assert format_percent(Decimal("0.00")) == ""
    assert format_percent(Decimal("7.50")) == "7.5%"


def test_page_sizes_are_a4_and_a5_portrait() -> None:
    a4, a5 = page_layout("A4"), page_layout("a5")
    assert a4.width < a4.height and a5.width < a5.height
    assert round(a4.width) == 595 and round(a5.width) == 420
    with pytest.raises(ValueError):
        page_layout("letter")


def test_company_setting_is_read_leniently() -> None:
    assert company_from_setting(None).name == DEFAULT_COMPANY_NAME
    assert company_from_setting("{not json").name == DEFAULT_COMPANY_NAME
    assert company_from_setting("[1, 2]") == CompanyInfo()
    info = company_from_setting(json.dumps({"name": " 鑫锐 ", "phone": 62538888,
                                            "bank": None, "unknown": "x"}))
    assert (info.name, info.phone, info.bank) == ("鑫锐", "62538888", "")


# --- build: what is gathered -------------------------------------------------------------------


def test_quotation_slip_gathers_what_the_customer_sees(
    uow: UnitOfWork, sales_user: Actor, make_quotation: MakeDoc
) -> None:
    _set_company(uow, json.dumps(COMPANY, ensure_ascii=False))
    quotation_id, number = make_quotation(sales_user, lines=3)

    data = quotation_slip_data(uow=uow, actor=sales_user, quotation_id=quotation_id)

    assert data.number == number
    assert data.company.name == COMPANY["name"]
    assert data.customer.name == CUSTOMER_NAME
    assert data.customer.contact_name == "刘明"
    assert data.customer.phone == "13800138000"
    assert data.customer.address == "北京市朝阳区建国路88号SOHO现代城A座2201"
    assert data.owner_name == "张伟"
    assert (data.quoted_on, data.valid_until) == (dt.date(2026, 11, 26), dt.date(2026, 12, 26))
    assert [line.position for line in data.lines] == [1, 2, 3]
    # Line 1 has a catalog product (its unit), line 2 is free text (no unit).
    assert [line.unit for line in data.lines] == ["台", "", "台"]
    expected = sum((line_values(i)[4] for i in (1, 2, 3)), Decimal(0))
    assert data.total_amount == expected
    assert data.total_in_words == amount_in_words(expected)
    assert data.printed_by == "张伟"
    assert not hasattr(data, "customer_source")
    assert "cost" not in " ".join(type(data.lines[0]).__dataclass_fields__)


def test_order_slip_by_number_prefers_the_orders_delivery_address(
    uow: UnitOfWork, sales_user: Actor, make_order: MakeDoc
) -> None:
    _order_id, number = make_order(sales_user, lines=2, delivery_address="海淀区上地十街10号")
    data = order_slip_data(uow=uow, actor=sales_user, number=number)
    assert data.delivery_address == "海淀区上地十街10号"
    assert data.due_on == dt.date(2026, 11, 30)
    assert data.company.name == DEFAULT_COMPANY_NAME

    _order_id, number = make_order(sales_user, lines=1)
    assert order_slip_data(uow=uow, actor=sales_user, number=number).delivery_address == (
        "北京市朝阳区建国路88号SOHO现代城A座2201")


def test_printing_is_audited(uow: UnitOfWork, sales_user: Actor, make_quotation: MakeDoc,
                             make_order: MakeDoc) -> None:
    quotation_id, q_number = make_quotation(sales_user)
    order_id, o_number = make_order(sales_user)

    quotation_slip_data(uow=uow, actor=sales_user, number=q_number)
    order_slip_data(uow=uow, actor=sales_user, order_id=order_id)

    assert sorted(_prints(uow)) == [("order", order_id, sales_user.user_id),
                       ("quotation", quotation_id, sales_user.user_id)]


def test_a_print_is_logged_in_the_readers_language(
    uow: UnitOfWork, sales_user: Actor, admin: Actor, make_quotation: MakeDoc,
    make_order: MakeDoc,
) -> None:
    _quotation_id, q_number = make_quotation(sales_user)
    order_id, o_number = make_order(sales_user)
    set_language("zh")  # printed at a Chinese station ...
    try:
        order_slip_data(uow=uow, actor=sales_user, order_id=order_id)
        quotation_slip_data(uow=uow, actor=sales_user, number=q_number)
        assert _print_summaries(uow, admin) == [f"打印报价单 {q_number}",
                                                f"打印销售单 {o_number}"]
    finally:
        set_language("en")
    # ... read at an English one.
    assert _print_summaries(uow, admin) == [f"printed quotation {q_number}",
                                            f"printed sales slip {o_number}"]


def _print_summaries(uow: UnitOfWork, reader: Actor) -> list[str]:
    return [row.summary for row in list_audit(
        uow=uow, actor=reader, filters=AuditFilters(action=AuditAction.PRINT)).rows]


def test_a_technician_cannot_print_an_order(
    uow: UnitOfWork, sales_user: Actor, technician: Actor, make_order: MakeDoc
) -> None:
    order_id, _number = make_order(sales_user)
    with pytest.raises(PermissionDenied):
        order_slip_data(uow=uow, actor=technician, order_id=order_id)
    assert _prints(uow) == []


def test_a_salesperson_cannot_print_anothers_quotation(
    uow: UnitOfWork, sales_user: Actor, other_sales_user: Actor, make_quotation: MakeDoc
) -> None:
    _quotation_id, number = make_quotation(sales_user)
    with pytest.raises(people.REFUSED):
        quotation_slip_data(uow=uow, actor=other_sales_user, number=number)
    assert _prints(uow) == []


def test_the_manager_and_a_department_colleague_may_print(
    uow: UnitOfWork, clerk: Actor, clerk2: Actor, manager: Actor, make_order: MakeDoc
) -> None:
    order_id, _number = make_order(clerk)
    assert order_slip_data(uow=uow, actor=manager, order_id=order_id).number
    assert order_slip_data(uow=uow, actor=clerk2, order_id=order_id).number
    assert len(_prints(uow)) == 2


def test_an_unknown_number_is_not_found_and_one_key_is_required(
    uow: UnitOfWork, sales_user: Actor
) -> None:
    with pytest.raises(NotFound):
        quotation_slip_data(uow=uow, actor=sales_user, number="BJ-19990101-0001")
    with pytest.raises(ValueError):
        order_slip_data(uow=uow, actor=sales_user)
    with pytest.raises(ValueError):
        order_slip_data(uow=uow, actor=sales_user, order_id=1, number="XS-1")


def test_latest_number_is_the_newest_document_in_the_actors_scope(
    uow: UnitOfWork, sales_user: Actor, other_sales_user: Actor, manager: Actor,
    make_quotation: MakeDoc, make_order: MakeDoc
) -> None:
    assert latest_number(uow, "quotation") is None
    _id, first = make_quotation(sales_user)
    _id, second = make_quotation(other_sales_user)
    _id, order = make_order(sales_user)

    assert latest_number(uow, "quotation") == second
    assert latest_number(uow, "quotation", actor=manager) == second
    assert latest_number(uow, "quotation", actor=sales_user) == first
    assert latest_number(uow, "order", actor=other_sales_user) is None
    assert latest_number(uow, "order") == order
    with pytest.raises(ValueError):
        latest_number(uow, "invoice")  # type: ignore[arg-type]


# --- render: the PDF ---------------------------------------------------------------------------


def test_quotation_pdf_spans_pages_with_the_header_row_repeated(
    uow: UnitOfWork, sales_user: Actor, make_quotation: MakeDoc, tmp_path: Path
) -> None:
    _set_company(uow, json.dumps(COMPANY, ensure_ascii=False))
    _id, number = make_quotation(sales_user, lines=40)
    data = quotation_slip_data(uow=uow, actor=sales_user, number=number)
    pdf = tmp_path / "quotation.pdf"

    rendered = render_quotation_slip(data, pdf)

    pages = pdf_text(pdf)
    assert rendered.page_count == len(pages) >= 2
    first, second = _flat(pages[0]), _flat(pages[1])
    whole = _flat(" ".join(pages))
    assert _has(first, "报价单 QUOTATION")
    assert _has(first, number) and _has(first, CUSTOMER_NAME) and _has(first, "刘明")
    assert _has(first, COMPANY["name"]) and _has(first, COMPANY["phone"])
    assert _has(first, COMPANY["tax_number"])
    assert _has(first, f"第 1 页 / 共 {len(pages)} 页")
    assert _has(whole, format_money(data.total_amount))
    assert _has(whole, f"人民币 {data.total_in_words}")
    # The lines' header row and the page header are on page 2 as well.
    for heading in ("序号", "品名 / 规格", "数量", "单位", "单价", "折扣", "金额"):
        assert _has(second, heading)
    assert _has(second, COMPANY["name"]) and _has(second, number)
    assert _has(second, f"第 2 页 / 共 {len(pages)} 页")
    assert not _has(second, "第1项") and _has(whole, "第40项")
    for label in ("客户签字", "经办人", "日期"):
        assert _has(_flat(pages[-1]), label)
    # Neither the customer source nor any cost reaches the paper.
    assert not _has(whole, "转介绍") and not _has(whole.lower(), "referral")
    assert not _has(whole, str(SECRET_COST))


def test_order_pdf_is_titled_sales_slip_and_shows_its_totals(
    uow: UnitOfWork, sales_user: Actor, make_order: MakeDoc, tmp_path: Path
) -> None:
    _id, number = make_order(sales_user, lines=35)
    data = order_slip_data(uow=uow, actor=sales_user, number=number)
    pdf = tmp_path / "order.pdf"

    rendered = render_order_slip(data, pdf)

    pages = pdf_text(pdf)
    whole = _flat(" ".join(pages))
    assert rendered.page_count == len(pages) >= 2
    assert _has(_flat(pages[0]), "销售单 SALES ORDER") and not _has(whole, "报价单")
    assert _has(whole, number) and _has(whole, CUSTOMER_NAME)
    assert _has(whole, format_money(data.total_amount))
    assert _has(whole, data.total_in_words)
    assert _has(_flat(pages[1]), "品名 / 规格")
    assert not _has(whole, str(SECRET_COST)) and not _has(whole, "转介绍")


def test_an_empty_quotation_without_company_settings_still_prints(
    uow: UnitOfWork, sales_user: Actor, make_quotation: MakeDoc, tmp_path: Path
) -> None:
    _id, number = make_quotation(sales_user, lines=0, terms=None, notes=None)
    pdf = tmp_path / "empty.pdf"
    rendered = render_quotation_slip(
        quotation_slip_data(uow=uow, actor=sales_user, number=number), pdf)
    text = _flat(pdf_text(pdf)[0])
    assert rendered.page_count == 1
    for needle in (DEFAULT_COMPANY_NAME, "（无明细）", "零元整", "¥0.00", "客户签字"):
        assert _has(text, needle), needle


def test_every_font_is_the_embedded_cjk_font(
    uow: UnitOfWork, sales_user: Actor, make_quotation: MakeDoc, tmp_path: Path
) -> None:
    _id, number = make_quotation(sales_user, lines=3)
    pdf = tmp_path / "fonts.pdf"
    render_quotation_slip(quotation_slip_data(uow=uow, actor=sales_user, number=number), pdf)

    fonts = pdf_fonts(pdf)
    assert fonts, "no fonts listed"
    for row in fonts:
        # name type encoding emb sub uni object ID
        assert row[0].endswith(f"+{CJK_FONT}-0"), row
        assert row[-5] == "yes", f"{row[0]} is not embedded"


def test_barcode_and_qr_code_encode_the_number(
    uow: UnitOfWork, sales_user: Actor, make_order: MakeDoc
) -> None:
    _id, number = make_order(sales_user)
    rendered = render_order_slip(order_slip_data(uow=uow, actor=sales_user, number=number),
                                 io.BytesIO())
    assert rendered.barcode.value == number
    assert rendered.barcode.codeName == "Code128"
    assert rendered.qr is not None and rendered.qr.value == number


def test_a5_slip_is_an_a5_page(
    uow: UnitOfWork, sales_user: Actor, make_quotation: MakeDoc, tmp_path: Path
) -> None:
    _id, number = make_quotation(sales_user, lines=30)
    data = quotation_slip_data(uow=uow, actor=sales_user, number=number)
    pdf = tmp_path / "a5.pdf"
    out = io.BytesIO()
    rendered = render_quotation_slip(data, out, page_size="A5")
    pdf.write_bytes(out.getvalue())

    width, height = pdf_page_size(pdf)
    assert (round(width), round(height)) == (420, 595)
    pages = pdf_text(pdf)
    assert rendered.page_count == len(pages) >= 3
    last = _flat(pages[-1])
    assert _has(last, "序号") and _has(last, data.total_in_words)


@pytest.mark.parametrize(("kind", "size"), [("quotation", "A4"), ("order", "A4"),
                                            ("quotation", "A5")])
def test_page_one_as_png_for_a_person_to_look_at(
    uow: UnitOfWork, sales_user: Actor, make_quotation: MakeDoc, make_order: MakeDoc,
    tmp_path: Path, kind: str, size: str
) -> None:
    _set_company(uow, json.dumps(COMPANY, ensure_ascii=False))
    pdf = tmp_path / f"{kind}.pdf"
    if kind == "quotation":
        _id, number = make_quotation(sales_user, lines=32)
        render_quotation_slip(quotation_slip_data(uow=uow, actor=sales_user, number=number),
                              pdf, page_size="A5" if size == "A5" else "A4")
    else:
        _id, number = make_order(sales_user, lines=8, delivery_address="北京市朝阳区建国路88号")
        render_order_slip(order_slip_data(uow=uow, actor=sales_user, number=number), pdf)

    png = page_png(pdf, f"slip_{kind}_{size.lower()}")

    with Image.open(png) as image:
        width, height = image.size
        assert (width, height) == ((662, 936) if size == "A4" else (467, 662))
        dark = sum(image.convert("L").histogram()[:128])
    # Text, table rules, barcode and QR code: a blank or nearly blank page is a failure.
    assert dark > width * height * 0.03

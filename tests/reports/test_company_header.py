"""The company settings saved in administration, on every printed slip: text and logo."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Paragraph

from app.models import Device
from app.models.enums import Priority, ServiceMode, TicketChannel, TicketStatus
from app.models.service import ServiceTicket
from app.reports.data import CompanyInfo
from app.reports.intake_slip import render_intake_slip
from app.reports.page import (
    HeaderPlan,
    PageDecor,
    build_pdf,
    drawing_of,
    make_barcode,
    make_styles,
    page_layout,
    plan_header,
    register_fonts,
)
from app.reports.sales_slips import render_order_slip, render_quotation_slip
from app.services.company import CompanyDraft, save_company
from app.services.slips import intake_slip_data, order_slip_data, quotation_slip_data
from tests.reports.conftest import MakeDoc, page_png, pdf_text

DRAFT = CompanyDraft(
    name="北京鑫锐办公设备有限公司", address="北京市海淀区中关村大街18号B座1203",
    phone="010-6253 8888", fax="010-6253 8899", bank="中国工商银行北京中关村支行",
    bank_account="0200 0045 0920 0123 456", tax_number="91110108MA01ABCD2X")
LONG = CompanyInfo(
    name="北京鑫锐恒通办公设备技术服务与信息系统集成有限责任公司海淀第二分公司",
    address="北京市海淀区中关村南大街甲18号北京国际大厦B座12层1203室（地铁4号线魏公村站C口"
            "向南200米）",
    phone="010-6253 8888", fax="010-6253 8899",
    bank="中国工商银行股份有限公司北京中关村南大街支行营业部",
    bank_account="0200 0045 0920 0123 4567 890", tax_number="91110108MA01ABCD2X")


def logo_png(width: int = 300) -> bytes:
    """A two-colour logo 120 pixels high with a transparent background."""
    image = Image.new("RGBA", (width, 120), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((4, 4, 116, 116), fill=(200, 30, 40, 255))
    draw.rectangle((130, 30, width - 10, 90), fill=(20, 60, 160, 255))
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def _flat(text: str) -> str:
    return "".join(text.split())


def _images(pdf: Path) -> list[list[str]]:
    """The rows of ``pdfimages -list`` for images drawn on a page (not their alpha masks):
    page, num, type, width, height, ... object id (column 11)."""
    tool = shutil.which("pdfimages")
    if tool is None:
        pytest.skip("pdfimages (poppler-utils) is not installed")
    result = subprocess.run([tool, "-list", str(pdf)], capture_output=True, text=True,
                            check=True, timeout=60)
    rows = [line.split() for line in result.stdout.splitlines()[2:] if line.strip()]
    return [row for row in rows if row[2] == "image"]


def _assert_header(page: str, draft: CompanyDraft = DRAFT) -> None:
    text = _flat(page)
    for value in (draft.name, draft.address, draft.phone, draft.fax, draft.bank,
                  draft.bank_account, draft.tax_number):
        assert _flat(value) in text, value


@pytest.fixture
def company(uow, admin):
    """The administrator's company settings with a logo."""
    return save_company(uow=uow, actor=admin, draft=DRAFT, expected_version=0, logo=logo_png())


def test_an_order_slip_printed_after_saving_carries_the_company(
        uow, company, sales_user, make_order: MakeDoc, tmp_path: Path):
    _id, number = make_order(sales_user, lines=30)
    data = order_slip_data(uow=uow, actor=sales_user, number=number)
    assert data.company.name == DRAFT.name and data.company.logo == company.logo
    pdf = tmp_path / "order.pdf"
    rendered = render_order_slip(data, pdf)
    pages = pdf_text(pdf)
    assert rendered.page_count == len(pages) >= 2
    for page in pages:  # every page's header
        _assert_header(page)
    images = _images(pdf)
    # The logo on each page, at its own pixel size ...
    assert [row[0] for row in images] == [str(n) for n in range(1, len(pages) + 1)]
    assert all(row[3:5] == ["300", "120"] for row in images)
    # ... stored in the file once: every page draws the same image XObject.
    assert len({row[10] for row in images}) == 1
    assert b"/Subtype /Image" in pdf.read_bytes()
    png = page_png(pdf, "company_header_order_a4")
    assert png.stat().st_size > 10_000


def test_a_quotation_on_a5_and_an_intake_slip_carry_it_too(
        uow, company, clerk, sales_user, technician, make_quotation: MakeDoc, make_customer,
        tmp_path: Path):
    _id, number = make_quotation(sales_user, lines=3)
    pdf = tmp_path / "quotation.pdf"
    render_quotation_slip(quotation_slip_data(uow=uow, actor=sales_user, number=number), pdf,
                          page_size="A5")
    _assert_header(pdf_text(pdf)[0])
    assert len(_images(pdf)) == 1

    customer_id = make_customer(clerk, "朝阳快印店")
    with uow:
        device = Device(customer_id=customer_id, brand="HP", model="M404dn",
                        serial_number="VNB3K12345")
        uow.session.add(device)
        uow.flush()
        uow.session.add(ServiceTicket(
            number="WX-20261126-0001", customer_id=customer_id, device_id=device.id,
            channel=TicketChannel.WALK_IN, mode=ServiceMode.BRING_IN, priority=Priority.NORMAL,
            status=TicketStatus.RECEIVED, symptoms="卡纸", chargeable=True,
            received_at=dt.datetime(2026, 11, 26, 2, 30, tzinfo=dt.UTC),
            intake_by_id=clerk.user_id, created_by_id=clerk.user_id,
            updated_by_id=clerk.user_id))
        uow.commit()
    pdf = tmp_path / "intake.pdf"
    render_intake_slip(intake_slip_data(uow=uow, actor=clerk, number="WX-20261126-0001"), pdf)
    _assert_header(pdf_text(pdf)[0])
    assert len(_images(pdf)) == 1
    page_png(pdf, "company_header_intake_a5")


def test_without_a_logo_the_header_prints_no_image(uow, admin, sales_user,
                                                   make_order: MakeDoc, tmp_path: Path):
    save_company(uow=uow, actor=admin, draft=DRAFT, expected_version=0)
    _id, number = make_order(sales_user, lines=2)
    pdf = tmp_path / "order.pdf"
    render_order_slip(order_slip_data(uow=uow, actor=sales_user, number=number), pdf)
    _assert_header(pdf_text(pdf)[0])
    assert _images(pdf) == []


# --- the header layout ----------------------------------------------------------------------


NUMBER, TITLE = "XS-20261126-0001", ("销售单", "SALES ORDER")


def _render(company: CompanyInfo, size: str, path: Path) -> Path:
    layout = page_layout(size)
    decor = PageDecor(company=company, title_zh=TITLE[0], title_en=TITLE[1], number=NUMBER,
                      printed_at=dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC),
                      printed_by="管理员")
    build_pdf(path, [Paragraph("正文", make_styles(layout).body)], decor, layout)
    return path


def _plan(company: CompanyInfo, layout) -> HeaderPlan:
    """The plan build_pdf makes for :func:`_render`'s document."""
    return plan_header(company, layout,
                       code_width=drawing_of(make_barcode(NUMBER, layout)).width,
                       title_width=pdfmetrics.stringWidth(f"{TITLE[0]}  {TITLE[1]}",
                                                          register_fonts(), layout.font_size))


def _header_text(pdf: Path, layout, plan) -> str:
    """The text of page 1 left of the title and barcode, above the header's rule."""
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    width = layout.margin + plan.text_x + plan.text_width + 3 * mm
    height = layout.margin * 0.7 + plan.height
    result = subprocess.run([tool, "-f", "1", "-l", "1", "-x", "0", "-y", "0",
                             "-W", str(int(width) + 1), "-H", str(int(height) + 1),
                             str(pdf), "-"],
                            capture_output=True, text=True, check=True, timeout=60)
    return result.stdout


@pytest.mark.parametrize("size", ["A4", "A5"])
@pytest.mark.parametrize("with_logo", [False, True])
def test_a_long_name_and_address_are_printed_whole(size, with_logo, tmp_path: Path):
    company = CompanyInfo(**{**LONG.__dict__, "logo": logo_png() if with_logo else None})
    layout = page_layout(size)
    pdf = _render(company, size, tmp_path / "long.pdf")
    plan = _plan(company, layout)
    # Nothing cut off: every character of every field is on some line, no ellipsis ...
    printed = _flat("".join(plan.name_lines + plan.info_lines))
    for value in (LONG.name, LONG.address, LONG.phone, LONG.fax, LONG.bank,
                  LONG.bank_account, LONG.tax_number):
        assert _flat(value) in printed, value
    assert "…" not in printed
    assert plan.height > layout.header_height or size == "A4"
    # ... and every line is printed where the header has room for it.
    text = _flat(_header_text(pdf, layout, plan))
    for line in plan.name_lines + plan.info_lines:
        assert _flat(line) in text, line
    page_png(pdf, f"company_header_long_{size.lower()}{'_logo' if with_logo else ''}")


def test_a_short_header_keeps_its_height_and_sizes():
    company = CompanyInfo(**{**DRAFT.__dict__, "logo": logo_png(200)})
    layout = page_layout("A4")
    plan = plan_header(company, layout, code_width=150, title_width=90)
    assert plan.height == layout.header_height
    assert plan.name_lines == (DRAFT.name,) and plan.name_size == layout.company_size
    assert layout.small_size <= plan.info_size <= layout.small_size + 1
    without_logo = plan_header(CompanyInfo(**DRAFT.__dict__), layout, code_width=150,
                               title_width=90)
    assert without_logo.info_size == layout.small_size + 1
    assert without_logo.height == layout.header_height
    # The logo fills the header's height, keeps its proportions and sits left of the name.
    assert plan.logo is not None
    assert plan.logo_height == pytest.approx(layout.header_height - 1.5 * 72 / 25.4)
    assert plan.logo_width / plan.logo_height == pytest.approx(200 / 120)
    assert plan.text_x > plan.logo_width
    # A very wide logo takes at most 22% of the width, its height shrinking with it.
    wide = plan_header(CompanyInfo(**{**DRAFT.__dict__, "logo": logo_png(600)}), layout,
                       code_width=150, title_width=90)
    assert wide.logo_width == pytest.approx(layout.frame_width * 0.22)
    assert wide.logo_width / wide.logo_height == pytest.approx(600 / 120)


def test_a_latin_name_wraps_between_words():
    company = CompanyInfo(name="Beijing Xinrui Office Equipment Technical Services and "
                               "Systems Integration Company Limited")
    plan = plan_header(company, page_layout("A5"), code_width=120, title_width=80)
    assert len(plan.name_lines) >= 2
    words = set(company.name.split())
    for line in plan.name_lines:
        assert set(line.split()) <= words, line


@pytest.mark.parametrize("logo", [b"not an image", logo_png()[:200]])
def test_a_damaged_logo_prints_the_slip_without_it(logo: bytes, tmp_path: Path):
    company = CompanyInfo(**{**DRAFT.__dict__, "logo": logo})
    pdf = _render(company, "A4", tmp_path / "damaged.pdf")
    _assert_header(pdf_text(pdf)[0])
    assert _images(pdf) == []

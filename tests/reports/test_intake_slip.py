"""The printed intake slip (A5) and dispatch order (A4): text, fonts, codes, permissions."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.i18n import set_language
from app.labels import label
from app.models import AppSetting, AuditEntry, Device
from app.models.enums import AuditAction, Priority, ServiceMode, TicketChannel, TicketStatus
from app.models.service import ServiceTicket
from app.reports.intake_slip import render_dispatch_order, render_intake_slip
from app.reports.page import CJK_FONT
from app.services.errors import NotFound, PermissionDenied
from app.services.slips import DEFAULT_SERVICE_TERMS, dispatch_order_data, intake_slip_data
from tests.reports.conftest import CUSTOMER_NAME, page_png, pdf_fonts, pdf_page_size, pdf_text

NUMBER = "WX-20261126-0001"
SERIAL = "VNB3K12345"
ACCESSORIES = "电源线、硒鼓CF276A、纸盒"


@pytest.fixture
def ticket(uow, clerk, technician, make_customer):
    customer_id = make_customer(clerk)
    with uow:
        device = Device(customer_id=customer_id, brand="HP", model="LaserJet Pro M404dn",
                        serial_number=SERIAL)
        uow.session.add(device)
        uow.flush()
        t = ServiceTicket(
            number=NUMBER, customer_id=customer_id, device_id=device.id,
            channel=TicketChannel.WALK_IN, mode=ServiceMode.BRING_IN,
            priority=Priority.HIGH, status=TicketStatus.DISPATCHED,
            symptoms="打印时频繁卡纸，进纸口有异响", accessories=ACCESSORIES,
            condition="外壳右侧有划痕", chargeable=True,
            received_at=dt.datetime(2026, 11, 26, 2, 30, tzinfo=dt.UTC),
            expected_on=dt.date(2026, 11, 28), intake_by_id=clerk.user_id,
            technician_id=technician.user_id,
            scheduled_at=dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC),
            site_address="北京市朝阳区建国路88号SOHO现代城A座2201",
            created_by_id=clerk.user_id, updated_by_id=clerk.user_id)
        uow.session.add(t)
        uow.commit()
        return t.id


def test_intake_slip_pdf(uow, clerk, ticket, tmp_path: Path):
    data = intake_slip_data(uow=uow, actor=clerk, number=NUMBER)
    assert data.terms == DEFAULT_SERVICE_TERMS
    pdf = tmp_path / "intake.pdf"
    rendered = render_intake_slip(data, pdf)
    assert rendered.page_count == 1
    assert rendered.barcode.value == NUMBER
    assert rendered.qr is not None and rendered.qr.value == NUMBER
    width, height = pdf_page_size(pdf)
    assert (round(width), round(height)) == (420, 595)
    page = pdf_text(pdf)[0]
    squeezed = page.replace(" ", "")
    for expected in (NUMBER, CUSTOMER_NAME, SERIAL, ACCESSORIES, "LaserJetProM404dn",
                     "刘明", "13800138000", "外壳右侧有划痕", "2026-11-28", "客户签字",
                     "接机人", "随机附件"):
        assert expected.replace(" ", "") in squeezed, expected
    fonts = pdf_fonts(pdf)
    assert fonts and all(row[-5] == "yes" for row in fonts), fonts  # emb column
    assert any(CJK_FONT in row[0] for row in fonts)
    png = page_png(pdf, "intake_slip_a5")
    assert png.exists() and png.stat().st_size > 10_000
    with uow:
        assert uow.session.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == AuditAction.PRINT, AuditEntry.entity == "service_ticket")
        ).scalar_one() == 1


def test_the_slip_prints_the_catalogs_words_in_chinese(uow, clerk, technician, ticket,
                                                       tmp_path: Path):
    set_language("en")  # an English station still hands the customer a Chinese slip
    data = intake_slip_data(uow=uow, actor=clerk, ticket_id=ticket)
    words = (label(Priority.HIGH, language="zh"), label(TicketChannel.WALK_IN, language="zh"),
             label(ServiceMode.BRING_IN, language="zh"))
    assert (data.priority_label, data.channel_label, data.mode_label) == words
    assert words == ("高优先级", "到店送修", "送修")
    pdf = tmp_path / "intake.pdf"
    render_intake_slip(data, pdf)
    squeezed = pdf_text(pdf)[0].replace(" ", "")
    assert "优先级高优先级" in squeezed
    assert "到店送修/送修" in squeezed
    dispatch = tmp_path / "dispatch.pdf"
    render_dispatch_order(dispatch_order_data(uow=uow, actor=technician, ticket_id=ticket),
                          dispatch)
    assert "高优先级" in pdf_text(dispatch)[0].replace(" ", "")


def test_terms_from_settings(uow, clerk, ticket, tmp_path: Path):
    with uow:
        uow.session.add(AppSetting(key="service_terms",
                                   value=json.dumps("取机请出示本单。保修期三个月。")))
        uow.commit()
    data = intake_slip_data(uow=uow, actor=clerk, ticket_id=ticket)
    assert data.terms == "取机请出示本单。保修期三个月。"
    pdf = tmp_path / "terms.pdf"
    render_intake_slip(data, pdf)
    assert "保修期三个月" in pdf_text(pdf)[0].replace(" ", "")


def test_dispatch_order_pdf(uow, technician, ticket, tmp_path: Path):
    data = dispatch_order_data(uow=uow, actor=technician, ticket_id=ticket)
    pdf = tmp_path / "dispatch.pdf"
    rendered = render_dispatch_order(data, pdf)
    assert rendered.barcode.value == NUMBER
    width, _ = pdf_page_size(pdf)
    assert round(width) == 595
    squeezed = pdf_text(pdf)[0].replace(" ", "")
    for expected in (NUMBER, CUSTOMER_NAME, SERIAL, "建国路88号", "王强", "卡纸"):
        assert expected in squeezed, expected
    page_png(pdf, "dispatch_order_a4")


def test_print_permissions_and_scope(uow, make_user, sales_user, ticket):
    with pytest.raises(PermissionDenied):
        intake_slip_data(uow=uow, actor=sales_user, number=NUMBER)
    other_tech = make_user("tech2", "technician", "repair")
    with pytest.raises(NotFound):
        intake_slip_data(uow=uow, actor=other_tech, number=NUMBER)
    with pytest.raises(NotFound):
        intake_slip_data(uow=uow, actor=other_tech, number="WX-NOPE")
    lead = make_user("lead1", "repair_lead", "repair")
    assert intake_slip_data(uow=uow, actor=lead, number=NUMBER).number == NUMBER


def test_print_command_writes_the_latest_intake_slip_on_a5(
        uow, clerk, ticket, db_url, tmp_path: Path, monkeypatch, capsys):
    import io
    import sys

    from app import cli
    from tests.conftest import TEST_PASSWORD

    out = tmp_path / "slip.pdf"
    monkeypatch.setattr(sys, "stdin", io.StringIO(TEST_PASSWORD + "\n"))
    code = cli.main(["print", "intake", "--latest", "--out", str(out), "--db", db_url,
                     "--user", "clerk1", "--password-stdin"])
    assert code == 0, capsys.readouterr().err
    assert capsys.readouterr().out.startswith(f"{NUMBER}: 1 page(s)")
    assert (round(pdf_page_size(out)[0]), round(pdf_page_size(out)[1])) == (420, 595)
    assert SERIAL in pdf_text(out)[0].replace(" ", "")

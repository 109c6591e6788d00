"""Every hand-over prints its document: the pickup receipt (取机单), the payment receipt
(收款收据) and the dispatch order (派工单) only once dispatched; each on its papers,
continuous dot-matrix paper too; `stationcrm print pickup|receipt`."""

from __future__ import annotations

import io
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import cli
from app.models import AuditEntry, Product
from app.models.enums import AuditAction, ProductCategory, TicketStatus
from app.reports.handover import render_payment_receipt, render_pickup_receipt
from app.reports.intake_slip import render_dispatch_order
from app.reports.page import PAGE_SIZES
from app.reports.sales_slips import render_order_slip
from app.services.customers import CustomerDraft, create_customer
from app.services.errors import NotFound, PermissionDenied, ValidationError
from app.services.slips import (
    dispatch_order_data,
    order_slip_data,
    pickup_slip_data,
    receipt_data,
    slip_papers,
)
from app.services.tickets import (
    IntakeDraft,
    NewDevice,
    PartLine,
    RepairDraft,
    dispatch_ticket,
    intake_ticket,
    move_ticket,
    pickup_ticket,
    record_repair,
)
from tests.conftest import TEST_PASSWORD
from tests.reports.conftest import MakeDoc, page_png, pdf_page_size, pdf_text

SHOP = "朝阳快印店"


def _squeezed(pdf: Path) -> str:
    return "".join("".join(pdf_text(pdf)).split())


@pytest.fixture
def lead(make_user):
    return make_user("lead1", "repair_lead", "repair", display_name="维修主管")


@pytest.fixture
def toner(uow, manager):
    with uow:
        p = Product(sku="HP-CF226A", name="HP 26A 硒鼓", category=ProductCategory.CONSUMABLE,
                    cost_price=Decimal("200.00"), list_price=Decimal("250.00"),
                    created_by_id=manager.user_id, updated_by_id=manager.user_id)
        uow.session.add(p)
        uow.commit()
        return p.id


@pytest.fixture
def waiting(uow, clerk):
    customer = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(name=SHOP,
                                                                         phone="010-6666 8888"))
    return intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(
        customer_id=customer.id, symptoms="卡纸，打印有黑线", accessories="电源线",
        new_device=NewDevice("HP", "LaserJet M404dn", "cnb1234567")))


@pytest.fixture
def dispatched(uow, lead, technician, waiting):
    return dispatch_ticket(uow=uow, actor=lead, ticket_id=waiting.id,
                           expected_version=waiting.version, technician_id=technician.user_id)


@pytest.fixture
def repaired(uow, technician, dispatched, toner):
    t = move_ticket(uow=uow, actor=technician, ticket_id=dispatched.id,
                    expected_version=dispatched.version, to=TicketStatus.IN_REPAIR)
    return record_repair(uow=uow, actor=technician, ticket_id=t.id, expected_version=t.version,
                         draft=RepairDraft(work_done="更换硒鼓，清洁定影组件",
                                           job_type="bench_repair", labour_minutes=45,
                                           labour_amount=Decimal("80.00"),
                                           parts=(PartLine(toner, 1),)))


@pytest.fixture
def picked_up(uow, clerk, repaired):
    assert repaired.total_charge == Decimal("330.00")
    return pickup_ticket(uow=uow, actor=clerk, ticket_id=repaired.id,
                         expected_version=repaired.version, payment_amount=Decimal("330.00"),
                         method="wechat")


def _payment_number(uow) -> str:
    from app.models import Payment
    with uow:
        return uow.session.execute(select(Payment.number)).scalar_one()


# --- the interface of the print screen ---------------------------------------------------------


def test_every_slip_kind_has_its_papers_default_first():
    assert slip_papers("intake")[0] == "A5"
    assert slip_papers("pickup")[0] == "A5"
    assert slip_papers("quotation")[0] == "A4"
    for kind in ("quotation", "order", "dispatch", "pickup"):
        assert {"A4", "A5", "C241x93", "C241x140"} <= set(slip_papers(kind)), kind
    for kind in ("intake", "receipt"):
        assert {"A4", "A5"} <= set(slip_papers(kind))
    for kind in ("quotation", "order", "intake", "dispatch", "pickup", "receipt"):
        assert set(slip_papers(kind)) <= set(PAGE_SIZES)
    with pytest.raises(ValueError):
        slip_papers("invoice")


def test_papers_are_named_for_people():
    from app.labels import paper_label
    assert paper_label("C241x93", language="zh") == "连续纸 241×93 毫米（三等分）"
    assert paper_label("C241x140", language="en") == "Continuous 241 × 140 mm (halves)"
    assert paper_label("A5", language="zh").startswith("A5")


# --- pickup receipt ----------------------------------------------------------------------------


@pytest.mark.parametrize("paper", ["A5", "A4", "C241x93", "C241x140"])
def test_pickup_receipt_shows_charges_payment_and_signature(uow, clerk, picked_up, paper,
                                                            tmp_path):
    data = pickup_slip_data(uow=uow, actor=clerk, number=picked_up.number)
    pdf = tmp_path / f"pickup-{paper}.pdf"
    rendered = render_pickup_receipt(data, pdf, page_size=paper)
    page_png(pdf, f"pickup_receipt_{paper}")
    assert rendered.page_count == 1
    width, height = PAGE_SIZES[paper]
    assert pdf_page_size(pdf) == pytest.approx((width, height), abs=0.5)
    text = _squeezed(pdf)
    payment = _payment_number(uow)
    for expected in ("取机单", picked_up.number, SHOP, "CNB1234567", "更换硒鼓", "维修人工费",
                     "HP26A硒鼓", "¥80.00", "¥250.00", "¥330.00", "叁佰叁拾元整", "微信",
                     payment, "已付", "未付", "¥0.00", "取机人签字", "日期", "门市小王"):
        assert expected in text, (paper, expected)
    if paper.startswith("C"):
        assert "PICKUPRECEIPT" not in text and "Collectedby" not in text
    else:
        assert "PICKUPRECEIPT" in text and "Collectedby" in text and "Paid" in text
    page_png(pdf, f"pickup_receipt_{paper}")


def test_pickup_receipt_of_a_part_payment_says_what_stays_open(uow, clerk, repaired, tmp_path):
    t = pickup_ticket(uow=uow, actor=clerk, ticket_id=repaired.id,
                      expected_version=repaired.version, payment_amount="100", method="cash")
    assert t.paid_amount == Decimal("100.00") and t.open_charge == Decimal("230.00")
    data = pickup_slip_data(uow=uow, actor=clerk, ticket_id=t.id)
    assert (data.paid_amount, data.open_amount) == (Decimal("100.00"), Decimal("230.00"))
    pdf = tmp_path / "part.pdf"
    render_pickup_receipt(data, pdf)
    text = _squeezed(pdf)
    assert "¥100.00" in text and "现金" in text and "¥230.00" in text




def test_pickup_receipt_refused_for_a_ticket_not_repaired(uow, clerk, waiting):
    from app.i18n import set_language
    set_language("zh")
    try:
        with pytest.raises(ValidationError) as refused:
            pickup_slip_data(uow=uow, actor=clerk, ticket_id=waiting.id)
    finally:
        set_language("en")
    assert "尚未修好" in str(refused.value.errors)
    with uow:
        assert uow.session.execute(select(func.count()).select_from(AuditEntry)
                                   .where(AuditEntry.action == AuditAction.PRINT)
                                   ).scalar_one() == 0


def test_pickup_receipt_permissions(uow, make_user, sales_user, lead, picked_up):
    with pytest.raises(PermissionDenied):  # sales may not print service tickets at all
        pickup_slip_data(uow=uow, actor=sales_user, number=picked_up.number)
    other = make_user("tech2", "technician", "repair")
    with pytest.raises(NotFound):  # another technician's ticket
        pickup_slip_data(uow=uow, actor=other, number=picked_up.number)
    # The repair lead prints it; without payments in the role the payment lines are left
    # out, the paid and open amounts are not.
    data = pickup_slip_data(uow=uow, actor=lead, number=picked_up.number)
    assert data.payments == () and data.paid_amount == Decimal("330.00")


# --- payment receipt ---------------------------------------------------------------------------


@pytest.mark.parametrize("paper", ["A5", "A4", "C241x93"])
def test_payment_receipt(uow, clerk, picked_up, paper, tmp_path):
    number = _payment_number(uow)
    data = receipt_data(uow=uow, actor=clerk, number=number)
    pdf = tmp_path / f"receipt-{paper}.pdf"
    render_payment_receipt(data, pdf, page_size=paper)
    assert pdf_page_size(pdf) == pytest.approx(PAGE_SIZES[paper], abs=0.5)
    assert len(pdf_text(pdf)) == 1
    text = _squeezed(pdf)
    for expected in ("收款收据", number, SHOP, "¥330.00", "人民币叁佰叁拾元整", "微信",
                     f"服务单{picked_up.number}", "门市小王", "交款人签字", "收款人签字"):
        assert expected in text, (paper, expected)
    assert ("RECEIPT" in text) is (not paper.startswith("C"))
    page_png(pdf, f"payment_receipt_{paper}")


def test_payment_receipt_permissions(uow, make_user, technician, clerk2, picked_up):
    number = _payment_number(uow)
    with pytest.raises(PermissionDenied):  # no payments in a technician's role
        receipt_data(uow=uow, actor=technician, number=number)
    outside = make_user("sales9", "sales", "key_accounts")
    with pytest.raises(NotFound):  # received by someone outside their scope
        receipt_data(uow=uow, actor=outside, number=number)
    assert receipt_data(uow=uow, actor=clerk2, number=number).number == number  # same dept
    with pytest.raises(NotFound):
        receipt_data(uow=uow, actor=clerk2, number="SK-NOPE")


# --- dispatch order ----------------------------------------------------------------------------


def test_dispatch_order_refused_while_waiting(uow, lead, waiting):
    with pytest.raises(ValidationError) as refused:
        dispatch_order_data(uow=uow, actor=lead, ticket_id=waiting.id)
    assert "status" in refused.value.errors


@pytest.mark.parametrize("paper", ["A4", "A5", "C241x140", "C241x93"])
def test_dispatch_order_has_boxes_to_fill_in(uow, technician, dispatched, paper, tmp_path):
    data = dispatch_order_data(uow=uow, actor=technician, ticket_id=dispatched.id)
    pdf = tmp_path / f"dispatch-{paper}.pdf"
    render_dispatch_order(data, pdf, page_size=paper)
    page_png(pdf, f"dispatch_order_{paper}")
    assert pdf_page_size(pdf) == pytest.approx(PAGE_SIZES[paper], abs=0.5)
    text = _squeezed(pdf)
    for expected in ("王强", "维修内容", "更换配件", "人工费", "配件费", "客户评价", "□满意",
                     "□一般", "□不满意", "客户签字"):
        assert expected in text, (paper, expected)
    if paper != "C241x93":
        assert len(pdf_text(pdf)) == 1


# --- sales forms: labels and continuous paper ------------------------------------------------


@pytest.mark.parametrize("paper", ["A4", "C241x140", "C241x93"])
def test_order_form_words_and_continuous_paper(uow, sales_user, make_order: MakeDoc, paper,
                                               tmp_path):
    _id, number = make_order(sales_user, lines=1 if paper == "C241x93" else 4)
    data = order_slip_data(uow=uow, actor=sales_user, number=number)
    pdf = tmp_path / f"order-{paper}.pdf"
    render_order_slip(data, pdf, page_size=paper)
    assert pdf_page_size(pdf) == pytest.approx(PAGE_SIZES[paper], abs=0.5)
    text = _squeezed(pdf)
    assert "付款期限" in text and "交货日期" not in text
    assert "%" not in text.replace("13%增值税", "")
    count = len(data.lines)
    assert f"共{count}行" in text
    if paper == "A4":
        assert "9折" in text and "已优惠" in text  # line 4 has 10 % off
        assert "Total,4lines" in text and "Paymentdue" in text
    page_png(pdf, f"order_slip_{paper}")


def test_one_line_is_one_line_in_english(uow, sales_user, make_order: MakeDoc, tmp_path):
    _id, number = make_order(sales_user, lines=1)
    pdf = tmp_path / "one.pdf"
    render_order_slip(order_slip_data(uow=uow, actor=sales_user, number=number), pdf)
    text = _squeezed(pdf)
    assert "Total,1line" in text and "Total,1lines" not in text and "共1行" in text


# --- the command line --------------------------------------------------------------------------


def _run(monkeypatch, *args: str) -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(TEST_PASSWORD + "\n"))
    return cli.main(["print", *args, "--user", "clerk1", "--password-stdin"])


def test_cli_prints_pickup_and_receipt(uow, db_url, clerk, picked_up, tmp_path, monkeypatch,
                                       capsys):
    out = tmp_path / "pickup.pdf"
    assert _run(monkeypatch, "pickup", picked_up.number, "--out", str(out),
                "--db", db_url) == 0, capsys.readouterr().err
    assert capsys.readouterr().out.startswith(f"{picked_up.number}: 1 page(s)")
    assert pdf_page_size(out) == pytest.approx(PAGE_SIZES["A5"], abs=0.5)
    assert "¥330.00" in _squeezed(out)

    out = tmp_path / "latest.pdf"
    assert _run(monkeypatch, "pickup", "--latest", "--paper", "C241x93", "--out", str(out),
                "--db", db_url) == 0, capsys.readouterr().err
    assert pdf_page_size(out) == pytest.approx(PAGE_SIZES["C241x93"], abs=0.5)
    assert capsys.readouterr().out.startswith(f"{picked_up.number}: 1 page(s)")

    number = _payment_number(uow)
    for key in (number, "--latest"):
        out = tmp_path / "receipt.pdf"
        assert _run(monkeypatch, "receipt", key, "--out", str(out), "--db", db_url) == 0
        assert capsys.readouterr().out.startswith(f"{number}: 1 page(s)")
        assert "叁佰叁拾元整" in _squeezed(out)


def test_cli_refuses_a_paper_the_slip_does_not_print_on(db_url, clerk, picked_up, tmp_path,
                                                        monkeypatch, capsys):
    out = tmp_path / "intake.pdf"
    assert _run(monkeypatch, "intake", picked_up.number, "--paper", "C241x93", "--out",
                str(out), "--db", db_url) != 0
    assert "C241x93" in capsys.readouterr().err and not out.exists()
